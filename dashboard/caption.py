"""A plain-language caption of what is happening now in one couple's run.

The caption is read from the trajectory alone (the same state the figures show) and the
partners' names, for example "Sam's distress is rising after three unanswered bids; Alex is
pulling back." Thresholds are stated here once, in the units of the state variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import outcomes
from dyadsim.timeunits import day_label

#: Days (episodes) over which a change counts as a trend.
TREND_WINDOW = 5
#: A change in activation (or withdrawal) over the window that reads as rising or falling.
TREND = 0.03
#: Pursuit at or above this is a bid for closeness.
BID = 0.25
#: A bid is unanswered when the partner's offered availability is below this.
UNANSWERED = 0.5
HIGH, LOW = 0.6, 0.25

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, noun: str) -> str:
    if n >= len(_WORDS):
        return f"a long run of {noun}s"
    return f"{_WORDS[n]} {noun}{'' if n == 1 else 's'}"


def unanswered_bids(traj: pd.DataFrame, who: str, other: str, i: int) -> int:
    """How many days in a row, up to row ``i``, ``who`` bid and ``other`` did not answer."""
    bids = traj[f"{who}.pursuit"].to_numpy()[: i + 1] >= BID
    missed = traj[f"{other}.availability"].to_numpy()[: i + 1] < UNANSWERED
    streak = 0
    for bid, miss in zip(bids[::-1], missed[::-1], strict=True):
        if not (bid and miss):
            break
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


def caption(traj: pd.DataFrame, i: int, names: Sequence[str],
            events: Sequence[dict[str, Any]] = ()) -> str:
    """Describe row ``i`` of a run (day ``traj.step[i]``) in one or two sentences.

    It opens with the day and its week (``"Day 45 (week 7): ..."``; one episode is one day).
    The more distressed partner is described first, by distress; the other by behaviour.
    """
    i = max(0, min(int(i), len(traj) - 1))
    step = int(traj["step"].iloc[i])
    a, b = names
    day = day_label(step).capitalize()
    if step == 0:
        return f"{day}: {a} and {b} begin. Press Play or Step to watch them."
    if traj["dyad.dissolved"].iloc[i] >= 0.5:
        return f"{day}: {a} and {b} have separated; the relationship is over."
    act = {who: traj[f"{who}.activation"].to_numpy() for who in ("partner_a", "partner_b")}
    first, second = ("partner_a", "partner_b") if act["partner_a"][i] >= act["partner_b"][
        i] else ("partner_b", "partner_a")
    label = dict(zip(("partner_a", "partner_b"), names, strict=True))
    missed = unanswered_bids(traj, first, second, i)
    text = (_distress(label[first], act[first], i, missed) + "; "
            + _behaviour(label[second], label[first], traj[f"{second}.pursuit"].to_numpy(),
                         traj[f"{second}.withdrawal"].to_numpy(), i) + ".")
    pw = float(outcomes.pursue_withdraw(traj.iloc[: i + 1])[-1])
    if pw >= outcomes.PW_ON:
        text += " They are caught in the pursue-withdraw loop."
    now = [e["label"] for e in events if e["step"] <= step <= e["end"]]
    if now:
        text += " Now: " + "; ".join(now) + "."
    return f"{day}: {text}"
