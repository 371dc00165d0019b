"""The story of one couple's run: its phases, what began each, and one sentence a day.

A run is cut into phases by the outcome classifier's own rule (:mod:`dyadsim.outcomes`):

* the **loop** begins on the day the pursue-withdraw signal rises to ``PW_ON`` and holds
  while it stays at ``PW_OFF`` or above (the classifier's episode mask, from day 1);
* a **let-up** shorter than ``MIN_GAP`` days belongs to the same loop (the classifier merges
  such episodes); after ``MIN_GAP`` quiet days the loop has **broken**, and the calm began on
  its first quiet day;
* a loop that has lasted ``MIN_EPISODE`` days and peaked at ``WAVE_PEAK`` or more is a
  **wave**, the classifier's unit when it counts how often the loop returns
  (``CYCLING_EPISODES`` waves make "cycling");
* the relationship's end (``dyad.dissolved``) ends the story.

Each phase has a trigger read from the rows around its first day. A loop begins after bids
that went unanswered, or as one partner pulls back or the other presses harder; it lets up
with a repair (the loop's two sides, pursuit and withdrawal, both cut by a large share in one
day, as a repair taken up does), or as one partner comes back or the other eases off. A
scenario event that began within a week, or is under way, is named beside the trigger.
Every day's sentence reads only the rows up to that day: the story is told as it happens, and
a whole run's sentences cost one pass over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import outcomes
from dyadsim.timeunits import DAYS_PER_MONTH, DAYS_PER_WEEK, describe, steps_span

#: Pursuit at or above this is a bid for closeness.
BID = 0.25
#: A bid is unanswered when the partner's offered availability is below this.
UNANSWERED = 0.5
#: A loop side (pursuit, withdrawal) cut to this share of the day before or less: a repair.
REPAIR_KEEP = 0.7
#: Steps over which an event or a rise still counts as what started a phase.
RECENT = 7
#: Steps over which a change counts as a rise (a partner pulling back, pressing harder).
TREND_WINDOW = 5
TREND = 0.03

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth", "tenth")

#: What a day is in the story (:attr:`Today.kind`).
KINDS: tuple[str, ...] = ("start", "before", "onset", "loop", "resume", "letup", "calm",
                          "end", "apart")


@dataclass
class Phase:
    """One stretch of a run: before any loop, a loop, the calm after one, or apart.

    Attributes:
        kind: ``"before"``, ``"loop"``, ``"calm"`` or ``"apart"``.
        start: Its first row.
        trigger: What began it, in words (a loop's onset; a calm's repair or easing).
        pursuer: For a loop, 0 if partner A pursues and B withdraws, else 1.
        number: For a loop, its ordinal among the run's loops.
        last_on: For a loop, its last row inside the episode mask so far.
        peak: For a loop, its highest signal so far.
        wave: For a loop, its ordinal among waves once it is one, else 0.
        loop_start: For a calm, the first row of the loop before it.

    A phase's fields grow as it is read; what one row may say is in its :class:`Today`.
    """

    kind: str
    start: int
    trigger: str = ""
    pursuer: int = 0
    number: int = 0
    last_on: int = 0
    peak: float = 0.0
    wave: int = 0
    loop_start: int = 0


@dataclass(frozen=True)
class Today:
    """What one row is in the story, with what is known of its phase on that row.

    Attributes:
        kind: One of :data:`KINDS`.
        phase: Index of its :class:`Phase`.
        quiet: In a let-up, the steps since the loop's last day inside the episode mask.
        wave: The loop's ordinal among waves, 0 while it is not (yet) one.
        waves: Waves so far in the run.
        last_on: In a loop, its last row inside the episode mask so far.
        why: In a let-up, what eased the loop (:meth:`_Reader.ending`).
    """

    kind: str
    phase: int
    quiet: int = 0
    wave: int = 0
    waves: int = 0
    last_on: int = 0
    why: str = ""


@dataclass(frozen=True)
class Story:
    """A run read as phases (:class:`Phase`) and one :class:`Today` per row read."""

    phases: list[Phase]
    days: list[Today]
    steps: np.ndarray


def _col(traj: pd.DataFrame, name: str, upto: int) -> np.ndarray:
    return traj[name].to_numpy(dtype=float)[: upto + 1]


def _context(events: Sequence[dict[str, Any]], step: int, unit: str) -> str:
    """A clause naming the scenario event around ``step`` (``""`` if none).

    An event that began within :data:`RECENT` steps before ``step``, or else one under way.
    """
    recent = [e for e in events if 0 <= step - e["step"] <= RECENT]
    if recent:
        e = recent[-1]
        return f", {'the day' if e['step'] == step else 'soon after'} “{e['label']}” began"
    now = [e for e in events if e["step"] <= step <= e["end"]]
    return f", during “{now[-1]['label']}”" if now else ""


class _Reader:
    """The columns a story reads, cut at the last row it may see."""

    def __init__(self, traj: pd.DataFrame, events: Sequence[dict[str, Any]], upto: int,
                 unit: str):
        self.steps = traj["step"].to_numpy()[: upto + 1].astype(int)
        self.pursuit = [_col(traj, f"partner_{w}.pursuit", upto) for w in "ab"]
        self.withdrawal = [_col(traj, f"partner_{w}.withdrawal", upto) for w in "ab"]
        self.availability = [_col(traj, f"partner_{w}.availability", upto) for w in "ab"]
        self.dissolved = _col(traj, "dyad.dissolved", upto) >= 0.5
        self.pw = outcomes.pw_signal(self.pursuit[0], self.withdrawal[1], self.pursuit[1],
                                     self.withdrawal[0])
        mask = np.zeros(len(self.pw), dtype=bool)
        mask[1:] = outcomes.episode_mask(self.pw[1:])  # as the classifier: from day 1
        self.mask = mask
        self.events = events
        self.unit = unit

    def unanswered(self, p: int, t: int) -> tuple[int, int]:
        """Partner ``p``'s bids unanswered in a row up to ``t``, and within the last week."""
        w = 1 - p
        lo = max(1, t - RECENT + 1)
        missed = ((self.pursuit[p][lo: t + 1] >= BID)
                  & (self.availability[w][lo: t + 1] < UNANSWERED))
        streak = 0
        for miss in missed[::-1]:
            if not miss:
                break
            streak += 1
        return streak, int(missed.sum())

    def rise(self, series: np.ndarray, t: int) -> float:
        return float(series[t] - series[max(0, t - TREND_WINDOW)])

    def onset(self, t: int, p: int, names: Sequence[str]) -> str:
        """What began a loop on row ``t`` with partner ``p`` pursuing."""
        pn, wn = names[p], names[1 - p]
        context = _context(self.events, int(self.steps[t]), self.unit)
        streak, week = self.unanswered(p, t)
        if streak >= 2:
            cause = f"after {pn}'s bids went unanswered {_count(streak, 'time')} in a row"
        elif week >= 2:
            cause = f"after {_count(week, 'bid')} from {pn} went unanswered in a few {self.unit}s"
        elif self.rise(self.withdrawal[1 - p], t) > TREND:
            cause = f"as {wn} began pulling back from {pn}"
        else:
            cause = f"as {pn} pressed {wn} harder"
        return cause + context

    def ending(self, t: int, p: int, names: Sequence[str]) -> str:
        """What eased a loop on row ``t`` (its first quiet row), partner ``p`` pursuing.

        A clause such as ``"a repair calmed them both"``.
        """
        pn, wn = names[p], names[1 - p]
        pur, wd = self.pursuit[p], self.withdrawal[1 - p]
        kept_p = pur[t] / max(pur[t - 1], 1e-9)
        kept_w = wd[t] / max(wd[t - 1], 1e-9)
        if kept_p <= REPAIR_KEEP and kept_w <= REPAIR_KEEP:
            cause = "a repair calmed them both"
        elif kept_w < kept_p:
            cause = f"{wn} came back towards {pn}"
        else:
            cause = f"{pn} eased off"
        return cause + _context(self.events, int(self.steps[t]), self.unit)


def _count(n: int, noun: str) -> str:
    word = _WORDS[n] if n < len(_WORDS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def ordinal(n: int) -> str:
    """``"second"``, ``"third"`` ... (``"11th"`` beyond ten)."""
    if n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def read(traj: pd.DataFrame, names: Sequence[str], events: Sequence[dict[str, Any]] = (),
         upto: int | None = None, unit: str = "day") -> Story:
    """Cut a run into phases, reading rows ``0..upto`` only (default: all of them).

    Args:
        traj: A run's trajectory (``step``, ``dyad.dissolved`` and each partner's
            ``pursuit``, ``withdrawal`` and ``availability``).
        names: The two partners' names, A first.
        events: The scenario's events as ``{"step", "end", "label"}``.
        upto: The last row to read.
        unit: What one step is (``"day"``, ``"moment"``), for the triggers' words.
    """
    last = len(traj) - 1 if upto is None else max(0, min(int(upto), len(traj) - 1))
    r = _Reader(traj, events, last, unit)
    gap, min_episode = int(outcomes.MIN_GAP), int(outcomes.MIN_EPISODE)
    phases = [Phase("before", 0)]
    days = [Today("start", 0)]
    waves = 0
    for t in range(1, last + 1):
        ph = phases[-1]
        here = len(phases) - 1
        if ph.kind == "apart":
            days.append(Today("apart", here, waves=waves))
        elif r.dissolved[t]:
            phases.append(Phase("apart", t))
            days.append(Today("end", here + 1, waves=waves))
        elif r.mask[t]:
            if ph.kind == "loop":
                kind = "resume" if ph.last_on < t - 1 else "loop"
            else:
                p = 0 if r.pursuit[0][t] * r.withdrawal[1][t] >= (
                    r.pursuit[1][t] * r.withdrawal[0][t]) else 1
                number = sum(1 for q in phases if q.kind == "loop") + 1
                ph = Phase("loop", t, r.onset(t, p, names), p, number, t)
                phases.append(ph)
                kind = "onset"
            ph.last_on = t
            ph.peak = max(ph.peak, float(r.pw[t]))
            if not ph.wave and t + 1 - ph.start >= min_episode and (
                    ph.peak >= outcomes.WAVE_PEAK):
                waves += 1
                ph.wave = waves
            days.append(Today(kind, len(phases) - 1, 0, ph.wave, waves, t))
        elif ph.kind != "loop":
            days.append(Today(ph.kind, here, waves=waves))
        elif t - ph.last_on < gap:
            why = (r.ending(t, ph.pursuer, names) if t == ph.last_on + 1
                   else days[-1].why)
            days.append(Today("letup", here, t - ph.last_on, ph.wave, waves, ph.last_on, why))
        else:
            first = ph.last_on + 1
            phases.append(Phase("calm", first, days[first].why, ph.pursuer,
                                loop_start=ph.start))
            days.append(Today("calm", here + 1, waves=waves))
    return Story(phases, days, r.steps)


def span(steps: int, unit: str = "day") -> str:
    """A number of steps as a reader says it: days, whole weeks, months; or ``"4 moments"``."""
    n = int(steps)
    if unit != "day":
        return steps_span(n, unit)
    if n < 14:
        return describe(n)
    if n < 2 * DAYS_PER_MONTH:
        return describe(DAYS_PER_WEEK * (n // DAYS_PER_WEEK))
    return describe(n)


def sentence(story: Story, row: int, names: Sequence[str], unit: str = "day") -> str:
    """The story's sentence on ``row`` (which must have been read): phase, since when, why."""
    today = story.days[row]
    ph = story.phases[today.phase]
    steps = story.steps
    a, b = names
    at = f"{unit} {int(steps[ph.start])}"
    since = int(steps[row] - steps[ph.start]) + 1  # counting the phase's first step
    if today.kind == "start":
        return ""
    if today.kind == "before":
        return f"No pursue-withdraw loop so far, {span(int(steps[row]), unit)} in."
    if today.kind in ("end", "apart"):
        lasted = span(int(steps[ph.start]), unit)
        before = story.phases[today.phase - 1]
        into = (f"; the loop had held for {span(int(steps[ph.start] - steps[before.start]), unit)}"
                if before.kind == "loop" else "")
        if today.kind == "end":
            return f"{a} and {b} separate: the relationship lasted {lasted}{into}."
        return f"{a} and {b} have separated (on {at}): the relationship lasted {lasted}{into}."
    if ph.kind == "calm":
        loop = span(int(steps[ph.start] - steps[ph.loop_start]), unit)
        text = (f"Out of the loop for {span(since, unit)}, since {at} (after {loop} in it): "
                f"{ph.trigger}.")
        if today.waves >= 2:
            text += f" The loop has taken hold {_count(today.waves, 'time')} so far."
        return text
    pn, wn = names[ph.pursuer], names[1 - ph.pursuer]
    if today.kind == "onset":
        if ph.number == 1:
            return (f"The pursue-withdraw loop starts: {pn} pursues and {wn} withdraws, "
                    f"{ph.trigger}.")
        calm = story.phases[today.phase - 1]
        after = span(int(steps[ph.start] - steps[calm.start]), unit)
        return (f"The loop is back after {after} out of it: {pn} pursues and {wn} "
                f"withdraws, {ph.trigger}.")
    held = span(since, unit)
    if today.kind == "letup":
        length = span(int(steps[today.last_on] - steps[ph.start] + 1), unit)
        if today.quiet == 1:
            return f"The loop lets up after {length}: {today.why}."
        eased = f"{unit} {int(steps[today.last_on + 1])}"
        return (f"The loop has eased for {span(today.quiet, unit)}, since {eased} (after "
                f"{length} in it): {today.why}.")
    text = (f"The pursue-withdraw loop has held for {held}, since {at}: the harder {pn} "
            f"reaches out, the further {wn} withdraws.")
    if today.kind == "resume":
        text = "Back after a short let-up: t" + text[1:]
    if today.wave >= 2:
        cycling = " (cycling)" if today.wave >= outcomes.CYCLING_EPISODES else ""
        text += f" This is the {ordinal(today.wave)} time it has taken hold{cycling}."
    return text
