"""One town's adult lives: meeting, relationships on the model's engine, drift, meeting again.

Everyone starts single at 18 with given traits (anxiety, avoidance) and a prototype (the
working model learned in childhood). Time runs in rounds of a month (month ``m`` starts on
day ``m * 365 // 12``):

1. Relationships whose last day has passed end; both partners are single again.
2. The market (:mod:`dyadsim.life.market`) forms new couples among the singles.
3. Every couple formed this month runs on the batch engine (:func:`dyadsim.batch.run_batch`,
   the model's own rules) from its first day until it dissolves, or to the end of the
   relationship-year in which the horizon falls. Its parameter row comes from the two
   people's traits at the start (:func:`dyadsim.params.param_matrix`), with each person's
   own deviations (see :func:`couple_params`), recorded once a year (``record_every=365``).
4. At the end of each year of life everyone's traits drift once
   (:func:`dyadsim.rules.drift`): towards the working model of the relationship-years they
   lived this year (:func:`dyadsim.rules.working_model_traits` of their own trust and
   inconsistency on the engine's yearly row: the row that closes the relationship-year, or
   the dissolution row), at rate ``life.drift_rate`` times the share of the year they were
   partnered, and back towards the prototype at ``life.anchor_rate``. A year single drifts
   towards the prototype only.

New wounds: when a relationship dissolves, the partner who was left is the one more
satisfied on the dissolution row (the engine's exit hazard rises as satisfaction falls, so
the less satisfied partner is the likelier leaver; a tie counts partner B as left). At once,
before any further drift, their trust on that row is cut by ``life.wound`` (a share of it)
and their traits take one full drift step (``life.drift_rate``, no anchor) towards the
working model of that wounded trust.

Sizes are bounded before anything is allocated (:data:`MAX_TOWN`, :data:`MAX_YEARS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import batch, outcomes, rules, streams
from dyadsim.individual import _DERIVED, deviations
from dyadsim.life import market
from dyadsim.life import seeds as life_seeds
from dyadsim.params import lookup, param_matrix
from dyadsim.registry import ParamError, Value
from dyadsim.schema import PARAM_NAMES, TRAJECTORY_COLUMNS

MAX_TOWN = 100_000
"""Most people in one town (a town's tables are held in memory)."""
MAX_YEARS = 80
"""Most years of adult life."""
YEAR = 365
CUT = 0.5
"""The cut on both traits that names a style: secure (both below), anxious (anxiety at or
above, avoidance below), avoidant (the reverse), fearful (both at or above). The traits live
in [0, 1]; 0.5 is the middle of the scale, not a fitted boundary."""
STYLES: tuple[str, ...] = ("secure", "anxious", "avoidant", "fearful")

_COLS = {name: i for i, name in enumerate(TRAJECTORY_COLUMNS[1:])}
_TRUST = (_COLS["partner_a.trust"], _COLS["partner_b.trust"])
_INCONS = (_COLS["partner_a.inconsistency"], _COLS["partner_b.inconsistency"])
_SAT = (_COLS["partner_a.satisfaction"], _COLS["partner_b.satisfaction"])
_SPREAD = PARAM_NAMES.index("dyad.individuality")
_TRAITS = ("partner_a.anxiety", "partner_a.avoidance", "partner_b.anxiety",
           "partner_b.avoidance")


def style(anxiety: Any, avoidance: Any) -> Any:
    """Style codes into :data:`STYLES` by :data:`CUT` (arrays or floats)."""
    return (np.asarray(anxiety) >= CUT).astype(np.int8) + 2 * (
        np.asarray(avoidance) >= CUT).astype(np.int8)


def check_dyad_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Value]:
    """Dyad settings for every couple: ``dyad.*`` keys only, checked.

    A person's traits and the parameters derived from them come from their life, and a
    per-partner setting would treat the chooser and the chosen differently, so
    ``partner_*`` keys are refused with a line naming the key and what is allowed.
    """
    out: dict[str, Value] = {}
    for key, value in (overrides or {}).items():
        param = lookup(key)
        if param.group != "dyad":
            raise ParamError(f"{key}={value!r}: a person's parameters come from their life; "
                             f"allowed here: dyad.* and life.* keys")
        out[key] = param.check(value)
    return out


def person_deviations(keys: np.ndarray) -> np.ndarray:
    """Each person's standard normal deviations, one column per derived field (drawn once)."""
    fields = sorted({f for _, f, *_ in _DERIVED})
    out = np.zeros((keys.shape[0], max(fields) + 1))
    for f in fields:
        out[:, f] = deviations(keys, 0, f)
    return out


def couple_params(a: np.ndarray, b: np.ndarray, traits: np.ndarray, z: np.ndarray,
                  dyad: Mapping[str, Value]) -> np.ndarray:
    """Parameter rows of couples (``a`` partner A, ``b`` partner B), one per couple.

    ``dyad.individuality`` is 0 in the rows; instead each person carries their own
    deviations (:func:`dyadsim.individual.deviations` of their own key, drawn on partner A's
    channels whichever side they are on), so a person is the same person in every
    relationship, with the spread ``dyad.individuality`` would have given. ``z`` is
    :func:`person_deviations` of everyone's key.
    """
    spread = float(dyad.get("dyad.individuality", lookup("dyad.individuality").default))
    fixed = {**dyad, "dyad.individuality": 0.0}
    varying = dict(zip(_TRAITS, (traits[a, 0], traits[a, 1], traits[b, 0], traits[b, 1]),
                       strict=True))
    rows = param_matrix(fixed, varying)
    if spread > 0:
        for k, f, col, span, low, high in _DERIVED:
            who = a if k == 0 else b
            rows[:, col] = np.clip(rows[:, col] + spread * span * z[who, f], low, high)
    rows[:, _SPREAD] = 0.0
    return rows


@dataclass(frozen=True)
class Town:
    """One town's lives as tidy tables.

    Attributes:
        people: One row per person: ``town``, ``person``, ``seed``, start, end and
            prototype traits, ``relationships``, ``months_single``, ``style_start``,
            ``style_end``, ``earned_security`` (anxiety at or above :data:`CUT` at 18,
            secure at the end).
        relationships: One row per relationship: ``a``, ``b`` (person indices), ``k_a``,
            ``k_b`` (each one's relationship number, from 0), ``start_day``, ``end_day``,
            ``ended``, ``left`` (``"a"``, ``"b"`` or ``""``), ``outcome``
            (:data:`dyadsim.outcomes.OUTCOMES`), both partners' traits at the start.
        traits: One row per person and year of adult life (0 = at 18): ``anxiety``,
            ``avoidance``, ``partnered`` (at the end of that year).
    """

    people: pd.DataFrame
    relationships: pd.DataFrame
    traits: pd.DataFrame


def check_size(n: int, years: int) -> None:
    """Refuse a town or a horizon too large, before anything is allocated."""
    if not 2 <= int(n) <= MAX_TOWN:
        raise ValueError(f"people in a town={n}: allowed 2 to {MAX_TOWN:,}")
    if not 1 <= int(years) <= MAX_YEARS:
        raise ValueError(f"years={years}: allowed 1 to {MAX_YEARS}")


def _month_day(m: int) -> int:
    return m * YEAR // 12


class _Book:
    """The relationships formed so far, and each one's yearly working-model rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.wm: list[np.ndarray] = []  # per relationship: (rows, 2 partners, 2) trust, incons

    def add(self, result: batch.BatchResult, pairs: np.ndarray, counts: np.ndarray,
            traits: np.ndarray, start: int, horizon: int) -> None:
        traj = result.trajectories
        assert traj is not None
        for c, (a, b) in enumerate(pairs):
            last = int(result.last_step[c])
            end = start + last
            dissolved = int(result.outcome[c]) == outcomes.OUTCOMES.index("dissolved") \
                and end <= horizon
            rec = traj[c]
            wm = np.stack([rec[:, [_TRUST[0], _INCONS[0]]], rec[:, [_TRUST[1], _INCONS[1]]]],
                          axis=1)
            left = ""
            if dissolved:
                r = -(-last // YEAR)
                left = "a" if rec[r, _SAT[0]] > rec[r, _SAT[1]] else "b"
            self.rows.append({
                "a": int(a), "b": int(b), "k_a": int(counts[a]), "k_b": int(counts[b]),
                "start_day": start, "end_day": min(end, horizon) if dissolved else horizon,
                "ended": dissolved, "left": left,
                "outcome": outcomes.OUTCOMES[int(result.outcome[c])],
                "anxiety_a": traits[a, 0], "avoidance_a": traits[a, 1],
                "anxiety_b": traits[b, 0], "avoidance_b": traits[b, 1],
                "seed": int(result.seeds[c]),
            })
            self.wm.append(wm)

    def year_row(self, rel: int, day: int) -> np.ndarray:
        """The (2, 2) working-model row of the relationship-year that holds ``day``."""
        wm = self.wm[rel]
        k = (day - int(self.rows[rel]["start_day"])) // YEAR + 1
        k = min(k, wm.shape[0] - 1)
        while k > 0 and np.isnan(wm[k, 0, 0]):
            k -= 1
        return wm[k]


def relationship_seeds(seeds: np.ndarray, a: np.ndarray, b: np.ndarray,
                       counts: np.ndarray) -> np.ndarray:
    """Each couple's engine seed: from both people's seeds and relationship numbers."""
    out = np.empty(a.shape[0], dtype=np.uint64)
    for c, (i, j) in enumerate(zip(a, b, strict=True)):
        si = life_seeds.derive(seeds[i], life_seeds.RELATIONSHIP + int(counts[i]))
        sj = life_seeds.derive(seeds[j], life_seeds.RELATIONSHIP + int(counts[j]))
        out[c] = life_seeds.derive(si ^ sj, life_seeds.RELATIONSHIP)
    return out


def run_town(seeds: np.ndarray, start: np.ndarray, prototype: np.ndarray,
             life: Mapping[str, Value], years: int, town: int = 0,
             dyad_overrides: Mapping[str, Any] | None = None) -> Town:
    """One town's adult lives over ``years`` (everyone single at 18).

    Args:
        seeds: Per-person seeds (uint64, :func:`dyadsim.life.seeds.person_seeds`).
        start: Shape ``(n, 2)``: anxiety and avoidance at 18.
        prototype: Shape ``(n, 2)``: the prototype the traits are anchored to.
        life: Life-course values (:func:`dyadsim.life.params.life_params`).
        years: Years of adult life.
        town: The town's index (written into the tables).
        dyad_overrides: ``dyad.*`` settings for every couple.

    Returns:
        A :class:`Town`; a pure function of the arguments.
    """
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    n = seeds.shape[0]
    check_size(n, years)
    start = np.asarray(start, dtype=float).reshape(n, 2)
    proto = np.asarray(prototype, dtype=float).reshape(n, 2)
    dyad = check_dyad_overrides(dyad_overrides)
    z = person_deviations(np.asarray(streams.run_key(seeds), dtype=np.uint64).reshape(-1))
    rate, anchor = float(life["life.drift_rate"]), float(life["life.anchor_rate"])
    wound = float(life["life.wound"])
    town_seed = int(life_seeds.derive(seeds[0], 1 + int(town)))
    horizon = years * YEAR
    traits = start.copy()
    rel_of = np.full(n, -1, dtype=np.int64)
    end_of = np.full(n, horizon + 1, dtype=np.int64)
    change_of = np.full(n, horizon + 1, dtype=np.int64)
    target = np.zeros((n, 2))
    counts = np.zeros(n, dtype=np.int64)
    single_months = np.zeros(n, dtype=np.int64)
    target_sum = np.zeros((n, 2))
    partnered_months = np.zeros(n, dtype=np.int64)
    book = _Book()
    yearly = np.empty((years + 1, n, 3))
    yearly[0, :, :2], yearly[0, :, 2] = traits, 0.0
    for m in range(years * 12):
        day = _month_day(m)
        for i in np.flatnonzero(end_of <= day):  # 1. endings
            r = int(rel_of[i])
            side = 0 if book.rows[r]["a"] == i else 1
            if book.rows[r]["left"] == "ab"[side]:  # a new wound
                t, u = book.year_row(r, int(end_of[i]) - 1)[side]
                tgt = np.array(rules.working_model_traits(t * (1.0 - wound), u))
                traits[i] = rules.drift(traits[i], tgt, proto[i], rate, 0.0)
            rel_of[i], end_of[i], change_of[i] = -1, horizon + 1, horizon + 1
        single = np.flatnonzero(rel_of < 0)
        pairs = market.match(single, traits[:, 0], traits[:, 1], float(life["life.meet_rate"]),
                             int(life["life.candidates"]), float(life["life.familiarity_bias"]),
                             market.market_rng(town_seed, m))
        if pairs.shape[0]:  # 2. new couples, run to their end on the engine
            a, b = pairs[:, 0], pairs[:, 1]
            steps = -(-(horizon - day) // YEAR) * YEAR
            result = batch.run_batch(couple_params(a, b, traits, z, dyad),
                                     relationship_seeds(seeds, a, b, counts), steps,
                                     record_every=YEAR)
            first = len(book.rows)
            book.add(result, pairs, counts, traits, day, horizon)
            rels = np.arange(first, first + pairs.shape[0])
            for who in (a, b):
                rel_of[who], change_of[who] = rels, day
                end_of[who] = [book.rows[r]["end_day"] if book.rows[r]["ended"]
                               else horizon + 1 for r in rels]
                counts[who] += 1
        for i in np.flatnonzero(change_of <= day):  # a new relationship-year begins
            r = int(rel_of[i])
            side = 0 if book.rows[r]["a"] == i else 1
            t, u = book.year_row(r, day)[side]
            target[i] = rules.working_model_traits(t, u)
            begun = int(book.rows[r]["start_day"])
            change_of[i] = begun + ((day - begun) // YEAR + 1) * YEAR
        partnered = rel_of >= 0  # 3. this month's experience
        single_months += ~partnered
        partnered_months += partnered
        target_sum[partnered] += target[partnered]
        if m % 12 == 11:  # 4. the year's drift
            y = m // 12 + 1
            mean = target_sum / np.maximum(partnered_months, 1)[:, None]
            k = (rate * partnered_months / 12.0)[:, None]
            traits = rules.clip01(traits + k * (mean - traits) + anchor * (proto - traits))
            target_sum[:] = 0.0
            partnered_months[:] = 0
            yearly[y, :, :2], yearly[y, :, 2] = traits, partnered
    return _tables(town, seeds, start, proto, traits, counts, single_months, book, yearly)


def _tables(town: int, seeds: np.ndarray, start: np.ndarray, proto: np.ndarray,
            end: np.ndarray, counts: np.ndarray, single_months: np.ndarray, book: _Book,
            yearly: np.ndarray) -> Town:
    n = seeds.shape[0]
    s0, s1 = style(start[:, 0], start[:, 1]), style(end[:, 0], end[:, 1])
    people = pd.DataFrame({
        "town": np.full(n, town, dtype=np.int64), "person": np.arange(n, dtype=np.int64),
        "seed": seeds, "anxiety_start": start[:, 0], "avoidance_start": start[:, 1],
        "anxiety_end": end[:, 0], "avoidance_end": end[:, 1],
        "anxiety_prototype": proto[:, 0], "avoidance_prototype": proto[:, 1],
        "relationships": counts, "months_single": single_months,
        "style_start": pd.Categorical.from_codes(s0, STYLES),
        "style_end": pd.Categorical.from_codes(s1, STYLES),
        "earned_security": (start[:, 0] >= CUT) & (s1 == 0),
    })
    columns = ["a", "b", "k_a", "k_b", "start_day", "end_day", "ended", "left", "outcome",
               "anxiety_a", "avoidance_a", "anxiety_b", "avoidance_b", "seed"]
    rel = pd.DataFrame(book.rows, columns=columns).astype({
        "a": np.int64, "b": np.int64, "k_a": np.int64, "k_b": np.int64,
        "start_day": np.int64, "end_day": np.int64, "ended": bool, "left": str,
        "outcome": str, "anxiety_a": float, "avoidance_a": float, "anxiety_b": float,
        "avoidance_b": float, "seed": np.uint64})
    rel.insert(0, "town", np.full(len(rel), town, dtype=np.int64))
    years = yearly.shape[0]
    traits = pd.DataFrame({
        "town": np.full(n * years, town, dtype=np.int64),
        "person": np.tile(np.arange(n, dtype=np.int64), years),
        "year": np.repeat(np.arange(years, dtype=np.int64), n),
        "anxiety": yearly[:, :, 0].reshape(-1), "avoidance": yearly[:, :, 1].reshape(-1),
        "partnered": yearly[:, :, 2].reshape(-1) > 0.5,
    })
    return Town(people, rel, traits)
