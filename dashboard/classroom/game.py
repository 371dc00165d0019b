"""The rules of play: a student plays partner B against the model's A, or a side of a pair.

Each couple is the registry's default couple (an anxious partner A, an avoidant partner B),
with its own seed: the session's seed and the student's number (:func:`couple_seed`). One
*move* covers :data:`DAYS_PER_MOVE` model days (a week). For those days partner B's
parameters are the couple's own moved by the move's effects (:class:`Effect` of
:mod:`dyadsim.interventions`, at strength 1: ``x + k (g - x)``); the next move starts again
from the couple's own values. Everything else, partner A included, is the model's: every
day is the batch engine's own day (:func:`dyadsim.batch.day_step`: the same draws from the
seed's key and the day, the same rules, the same exit), so a couple whose student always
lets the model choose (:data:`MODEL`) is, day for day, the batch engine's run of that seed
(tested).

The moves:

``reach_out``   turn towards: fully responsive, always there, pulls away half as readily.
``reassure``    the antidote (:data:`dyadsim.interventions.POLICIES` ``antidote``): steady
                reassurance whatever the protest, no unexplained absence.
``give_space``  an announced break: always there when it counts, a little reassurance, but
                a third less responsive.
``withdraw``    stonewall: :data:`~dyadsim.interventions.POLICIES` ``unresponsive`` (no
                response, no reassurance) and pulls away half-way more readily.

In pairs (:mod:`.pairs`) a classmate plays partner A (Sam, the anxious side) with
:data:`MOVES_A`, mapped onto A's parameters the same way: each move is a preset of
:mod:`dyadsim.interventions` (or the model's own construct for it), moving the parameters
that name what the partner does, for that week only.

``reach_out_calmly``  a softened bid: EFT's "the blamer softens" (``protest_intensity``
                      70% of the way to 0) with mindfulness's self-soothing (60% of the way
                      to 0.6): Sam still reaches for B, asking instead of protesting.
``press``             press for an answer: hyperactivation turned up, the mirror of B's
                      ``withdraw``: pursuit gain half-way to its top (3), protest that keeps
                      going without hope (persistence half-way to 1), at full intensity.
``give_space``        restraint in repeated contact: the ``secure_practice`` preset (pursuit
                      gain 60% of the way to 0.2, protest persistence 60% of the way to 0).
``withdraw``          stonewall, the same move as B's: ``unresponsive`` and pulls away
                      half-way more readily.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from dyadsim import episode, outcomes, streams
from dyadsim.batch import one_day
from dyadsim.individual import individualize
from dyadsim.interventions import POLICIES, THERAPIES, Effect
from dyadsim.params import param_matrix
from dyadsim.registry import PARTNER_FIELDS
from dyadsim.schema import (
    DYAD_PARAM_INDEX,
    PARTNER_PARAM_INDEX,
    S_ACT,
    S_PUR,
    S_SAT,
    S_TRUST,
    S_WD,
)

DAYS_PER_MOVE = 7
"""Model days one move covers (one week)."""

MODEL = "model"
"""Not a student's move: partner B as the model's own rules have them (the comparison)."""

@dataclass(frozen=True)
class Move:
    """One choice a student can make for a week."""

    name: str
    label: str
    effects: tuple[Effect, ...]


MOVES: dict[str, Move] = {m.name: m for m in (
    Move("reach_out", "Reach out",
         (Effect("responsiveness", 1.0, 1.0), Effect("lapse_rate", 0.0, 1.0),
          Effect("withdrawal_gain", 0.0, 0.5))),
    Move("reassure", "Reassure", POLICIES["antidote"].effects),
    Move("give_space", "Give space",
         (Effect("lapse_rate", 0.0, 1.0), Effect("reassurance", 1.0, 0.3),
          Effect("responsiveness", 0.0, 0.3))),
    Move("withdraw", "Withdraw",
         (*POLICIES["unresponsive"].effects, Effect("withdrawal_gain", 3.0, 0.5))),
)}
"""Partner B's moves, by the name the HTTP API takes."""

MOVES_A: dict[str, Move] = {m.name: m for m in (
    Move("reach_out_calmly", "Reach out calmly",
         (Effect("protest_intensity", 0.0, 0.7), *THERAPIES["mindfulness"].effects)),
    Move("press", "Press for an answer",
         (Effect("protest_intensity", 1.0, 1.0), Effect("protest_persistence", 1.0, 0.5),
          Effect("pursuit_gain", 3.0, 0.5))),
    Move("give_space", "Give space", THERAPIES["secure_practice"].effects),
    Move("withdraw", "Withdraw", MOVES["withdraw"].effects),
)}
"""Partner A's moves (a classmate plays Sam, the anxious side), by the API's name."""

SIDES: dict[str, dict[str, Move]] = {"a": MOVES_A, "b": MOVES}
"""Each side's moves."""


@dataclass(frozen=True)
class Couple:
    """A couple's parameter vectors and its stream key (fixed for the whole game)."""

    pa: np.ndarray
    pb: np.ndarray
    d: np.ndarray
    key: int


@dataclass(frozen=True)
class Now:
    """A couple's state after some days: both partners, closeness, day, whether it ended."""

    sa: tuple[float, ...]
    sb: tuple[float, ...]
    c: float
    day: int
    gone: bool

    def to_json(self) -> list:
        """A JSON-ready list (stored in SQLite)."""
        return [list(self.sa), list(self.sb), self.c, self.day, self.gone]

    @classmethod
    def from_json(cls, raw: list) -> Now:
        """The inverse of :meth:`to_json`."""
        sa, sb, c, day, gone = raw
        return cls(tuple(map(float, sa)), tuple(map(float, sb)), float(c), int(day),
                   bool(gone))


def couple_seed(session_seed: int, number: int) -> int:
    """The seed of student ``number``'s couple in a session (a plain non-negative int)."""
    state = np.random.SeedSequence((int(session_seed), int(number))).generate_state(
        1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def couple(seed: int) -> Couple:
    """The default couple with this seed, each person as the engines individualize them."""
    key = np.asarray([streams.run_key(seed)], dtype=np.uint64)
    row = individualize(param_matrix(), key)[0]
    return Couple(row[PARTNER_PARAM_INDEX[0]].copy(), row[PARTNER_PARAM_INDEX[1]].copy(),
                  row[DYAD_PARAM_INDEX].copy(), int(key[0]))


def start(cp: Couple) -> Now:
    """The couple before its first day."""
    return Now(episode.initial(cp.pa), episode.initial(cp.pb),
               float(episode.initial_closeness(cp.d)), 0, False)


def moved(p: np.ndarray, move: str, side: str = "b") -> np.ndarray:
    """A partner's parameters for a week of ``move`` (:data:`MODEL`: unchanged).

    ``side`` is ``"b"`` (:data:`MOVES`) or ``"a"`` (:data:`MOVES_A`).
    """
    out = p.copy()
    if move == MODEL:
        return out
    for e in SIDES[side][move].effects:
        i = PARTNER_FIELDS.index(e.field)
        out[i] = out[i] + e.fraction * (e.goal - out[i])
    return out


@functools.cache
def _counters(days: int) -> np.ndarray:
    """The draws' day counters (:func:`dyadsim.streams.counter_table`) for days 0..``days``."""
    return streams.counter_table(days)


def day(cp: Couple, pb: np.ndarray, now: Now, pa: np.ndarray | None = None) -> Now:
    """One model day: the batch engine's own day (:func:`dyadsim.batch.day_step`).

    The draws come from the couple's key and the day, as in any run of the batch engine.
    ``pa`` is partner A's parameters for the day (default: the couple's own).
    """
    t = now.day + 1
    pa = cp.pa if pa is None else pa
    # one table (512 days) covers every class length; a longer game doubles it, so the
    # cache holds a few tables at most
    counters = _counters(max(512, 1 << t.bit_length()))
    sa, sb, c, gone = one_day(np.uint64(cp.key), counters[t], tuple(now.sa), tuple(now.sb),
                              pa, pb, cp.d, float(now.c))
    return Now(tuple(map(float, sa)), tuple(map(float, sb)), float(c), t, bool(gone))


def series_row(now: Now) -> list[float]:
    """The classifier's :data:`dyadsim.outcomes.SERIES` columns of one day."""
    sa, sb = now.sa, now.sb
    return [sa[S_PUR], sb[S_PUR], sa[S_WD], sb[S_WD], sa[S_ACT], sb[S_ACT], sa[S_SAT],
            sb[S_SAT], now.c]


def play(cp: Couple, now: Now, move: str, days: int = DAYS_PER_MOVE, move_a: str = MODEL
         ) -> tuple[Now, list[list[float]]]:
    """A week (``days``) of B's ``move`` and A's ``move_a``: the new state, each day's row.

    A couple that has split stays as it was (no rows).
    """
    pa, pb, rows = moved(cp.pa, move_a, "a"), moved(cp.pb, move), []
    for _ in range(days):
        if now.gone:
            break
        now = day(cp, pb, now, pa)
        rows.append(series_row(now))
    return now, rows


def outcome(rows: list[list[float]], gone: bool) -> str:
    """The classifier's outcome of the days so far (row 0: the start)."""
    x = np.ascontiguousarray(np.asarray(rows, dtype=float).reshape(-1, len(outcomes.SERIES)))
    code, _ = outcomes._assess_compiled(x, gone, outcomes.THRESHOLDS)
    return outcomes.OUTCOMES[code]


GROUPS = {"escalated": "trapped", "cycling": "trapped", "settled": "settled",
          "distant": "apart", "dissolved": "apart"}
"""The teacher's three words for the classifier's outcomes."""


def run_alone(seed: int, moves: list[str]) -> tuple[str, list[list[float]]]:
    """The couple of ``seed`` played with ``moves`` from the start: its outcome and rows."""
    cp = couple(seed)
    now = start(cp)
    rows = [series_row(now)]
    for m in moves:
        now, more = play(cp, now, m)
        rows += more
    return outcome(rows, now.gone), rows


def run_pair(seed: int, moves_a: list[str], moves_b: list[str]
             ) -> tuple[str, list[list[float]]]:
    """A pair's couple played from the start, week by week: its outcome and rows."""
    cp = couple(seed)
    now = start(cp)
    rows = [series_row(now)]
    for ma, mb in zip(moves_a, moves_b, strict=True):
        now, more = play(cp, now, mb, move_a=ma)
        rows += more
    return outcome(rows, now.gone), rows


def engine_outcomes(seeds: list[int], weeks: int, move: str) -> list[str]:
    """The batch engine's outcomes of these couples after ``weeks`` weeks of one move.

    For the debrief: :data:`MODEL` or ``reassure`` every week (the antidote's parameters are
    not derived from the traits, so setting them for the whole run is the same as moving
    them each week; tested against :func:`run_alone`).
    """
    from dyadsim import batch
    from dyadsim.params import REGISTRY

    if move not in (MODEL, "reassure"):
        raise ValueError(f"move = {move!r}: the engine runs only {MODEL!r} or 'reassure'")
    fixed = {}
    if move == "reassure":
        for e in MOVES[move].effects:
            name = f"partner_b.{e.field}"
            base = float(REGISTRY[name].default)
            fixed[name] = base + e.fraction * (e.goal - base)
    rows = np.repeat(param_matrix(fixed), len(seeds), axis=0)
    result = batch.run_batch(rows, seeds, weeks * DAYS_PER_MOVE, explicit=fixed)
    return result.outcome_names()


def words(now: Now, side: str = "b") -> str:
    """The other partner's state in plain words, for the student playing ``side``."""
    if side == "a":
        return words_of_b(now)
    a = now.sa
    if now.gone:
        return "The relationship is over: one of you has left."
    mood = ("calm" if a[S_ACT] < 0.3 else "uneasy" if a[S_ACT] < 0.6
            else "very upset and anxious")
    chase = ("is chasing you hard: texting, asking, protesting" if a[S_PUR] > 0.5
             else "is reaching for you now and then" if a[S_PUR] > 0.2 else "is not chasing you")
    trust = "trusts you" if a[S_TRUST] > 0.6 else "is not sure you will be there"
    happy = "happy together" if a[S_SAT] > 0.6 else "unhappy" if a[S_SAT] < 0.4 else "so-so"
    return (f"Your partner is {mood}, {chase}, {trust}, and feels {happy}. "
            f"Closeness between you: {now.c:.0%}.")


def words_of_b(now: Now) -> str:
    """Partner B's state in plain words, for the student playing partner A."""
    b = now.sb
    if now.gone:
        return "The relationship is over: one of you has left."
    mood = ("calm" if b[S_ACT] < 0.3 else "tense" if b[S_ACT] < 0.6 else "very stressed")
    away = ("is pulling away from you: short answers, busy, out of reach" if b[S_WD] > 0.5
            else "keeps a little distance" if b[S_WD] > 0.2 else "is there with you")
    trust = "trusts you" if b[S_TRUST] > 0.6 else "is not sure what you want from them"
    happy = "happy together" if b[S_SAT] > 0.6 else "unhappy" if b[S_SAT] < 0.4 else "so-so"
    return (f"Your partner is {mood}, {away}, {trust}, and feels {happy}. "
            f"Closeness between you: {now.c:.0%}.")
