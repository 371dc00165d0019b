"""A plain-language caption of one couple's run on one day: the story so far, then the day.

The caption is read from the trajectory alone (the same state the figures show), the
partners' names and the scenario's events. It opens with the story (:mod:`dashboard.story`):
the phase the couple is in, since when, and what began it, for example "The pursue-withdraw
loop has held for 3 weeks, since day 20: the harder Sam reaches out, the further Alex
withdraws." Then the day itself: "Sam stays highly distressed; Alex keeps their distance."
Thresholds of the day's sentence are stated here once, in the units of the state variables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dashboard import story
from dyadsim.timeunits import day_label

#: Days (episodes) over which a change counts as a trend.
TREND_WINDOW = 5
#: A change in activation (or withdrawal) over the window that reads as rising or falling.
TREND = 0.03
BID = story.BID
UNANSWERED = story.UNANSWERED
HIGH, LOW = 0.6, 0.25

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, noun: str) -> str:
    if n >= len(_WORDS):
        return f"a long run of {noun}s"
    return f"{_WORDS[n]} {noun}{'' if n == 1 else 's'}"


def unanswered_bids(traj: Mapping[str, Any], who: str, other: str, i: int) -> int:
    """How many days in a row, up to row ``i``, ``who`` bid and ``other`` did not answer.

    ``traj`` is a trajectory, or any mapping from its column names to arrays.
    """
    bids = np.asarray(traj[f"{who}.pursuit"])
    offered = np.asarray(traj[f"{other}.availability"])
    streak = 0
    while streak <= i and bids[i - streak] >= BID and offered[i - streak] < UNANSWERED:
        streak += 1
    return streak


def _trend(series: np.ndarray, i: int) -> float:
    return float(series[i] - series[max(0, i - TREND_WINDOW)])


def _distress(name: str, act: np.ndarray, i: int, unanswered: int) -> str:
    change = _trend(act, i)
    after = f" after {_count(unanswered, 'unanswered bid')}" if unanswered >= 2 else ""
    if change > TREND:
        return f"{name}'s distress is rising{after}"
    if change < -TREND:
        return f"{name}'s distress is easing"
    if act[i] >= HIGH:
        return f"{name} stays highly distressed{after}"
    if act[i] <= LOW:
        return f"{name} is calm"
    return f"{name} is uneasy"


def _behaviour(name: str, other: str, pursuit: np.ndarray, withdrawal: np.ndarray,
               i: int) -> str:
    w_change = _trend(withdrawal, i)
    if w_change > TREND:
        return f"{name} is pulling back"
    if withdrawal[i] >= HIGH:
        return f"{name} keeps their distance"
    if w_change < -TREND and withdrawal[i] > LOW:
        return f"{name} is coming back towards {other}"
    if pursuit[i] >= HIGH:
        return f"{name} is pressing {other} for closeness"
    if pursuit[i] >= BID:
        return f"{name} is reaching out to {other}"
    return f"{name} is at ease with {other}"


def label(step: int, unit: str = "day") -> str:
    """Where a step stands, capitalised: ``"Day 45 (week 7)"``; ``"Moment 45"`` in moments."""
    if unit == "day":
        return day_label(step).capitalize()
    return f"{unit.capitalize()} {step}" + (" (the start)" if step <= 0 else "")


_READS = ("step", *(f"partner_{w}.{c}" for w in "ab"
                    for c in ("activation", "pursuit", "withdrawal", "availability")))


def _columns(traj: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns the day's sentence reads, as arrays (read once for many days)."""
    return {name: traj[name].to_numpy() for name in _READS}


def _today(cols: Mapping[str, np.ndarray], i: int, names: Sequence[str]) -> str:
    """The day's own sentence: the more distressed partner by distress, the other by behaviour."""
    act = {who: cols[f"{who}.activation"] for who in ("partner_a", "partner_b")}
    first, second = ("partner_a", "partner_b") if act["partner_a"][i] >= act["partner_b"][
        i] else ("partner_b", "partner_a")
    name = dict(zip(("partner_a", "partner_b"), names, strict=True))
    missed = unanswered_bids(cols, first, second, i)
    return (_distress(name[first], act[first], i, missed) + "; "
            + _behaviour(name[second], name[first], cols[f"{second}.pursuit"],
                         cols[f"{second}.withdrawal"], i) + ".")


def _compose(cols: Mapping[str, np.ndarray], i: int, names: Sequence[str],
             events: Sequence[dict[str, Any]], told: story.Story, unit: str) -> str:
    step = int(cols["step"][i])
    a, b = names
    if step == 0:
        return f"{label(step, unit)}: {a} and {b} begin. Press Play or Step to watch them."
    text = story.sentence(told, i, names, unit)
    if told.days[i].kind not in ("end", "apart"):
        text += " " + _today(cols, i, names)
    now = [e["label"] for e in events if e["step"] <= step <= e["end"]]
    if now:
        text += " Now: " + "; ".join(now) + "."
    return f"{label(step, unit)}: {text}"


def caption(traj: pd.DataFrame, i: int, names: Sequence[str],
            events: Sequence[dict[str, Any]] = (), unit: str = "day") -> str:
    """Describe row ``i`` of a run (step ``traj.step[i]``): the story so far, then the day.

    It opens with the step (``"Day 45 (week 7): ..."``, one episode being one day; with
    ``unit="moment"``, ``"Moment 45: ..."`` and spans in moments, never weeks). Only rows up
    to ``i`` are read. A row past the end is the last row.
    """
    i = max(0, min(int(i), len(traj) - 1))
    told = story.read(traj, names, events, upto=i, unit=unit)
    return _compose(_columns(traj), i, names, events, told, unit)


def captions(traj: pd.DataFrame, names: Sequence[str], events: Sequence[dict[str, Any]] = (),
             unit: str = "day") -> list[str]:
    """Every row's :func:`caption` at once, reading the story a single time."""
    told = story.read(traj, names, events, unit=unit)
    cols = _columns(traj)
    return [_compose(cols, i, names, events, told, unit) for i in range(len(traj))]
