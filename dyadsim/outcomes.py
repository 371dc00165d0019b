"""Outcome metrics and the outcome classifier, read only from a run's trajectory.

A trajectory is any mapping from column name to a 1-D array over steps (a pandas
DataFrame from :meth:`dyadsim.model.DyadModel.trajectory` works), with the columns
``dyad.closeness``, ``dyad.dissolved`` and ``partner_a.*`` / ``partner_b.*`` for
``activation``, ``pursuit``, ``withdrawal`` and ``satisfaction``. Traits are never read:
the outcome comes only from what the rules did.

The pursue-withdraw signal of a step is ``pw = max(p_a * w_b, p_b * w_a)``: one partner's
pursuit met by the other's withdrawal. A pursue-withdraw *episode* begins when ``pw``
rises to ``PW_ON`` and ends when it falls below ``PW_OFF`` (hysteresis, so noise near one
threshold does not split an episode). Episodes separated by fewer than ``MIN_GAP`` quiet
steps are merged; an episode counts as a *wave* if it lasts at least ``MIN_EPISODE``
steps and its peak ``pw`` reaches ``WAVE_PEAK``.

Classes, tested in this order on the final ``WINDOW`` share of the run:

``dissolved``  the relationship ended (a partner left).
``escalated``  the trap locks in: episodes cover at least ``ESCALATED_SHARE`` of the
               window and the more distressed partner's mean activation there is at
               least ``ESCALATED_ACTIVATION``.
``cycling``    recurring waves: at least ``CYCLING_EPISODES`` waves touch the window,
               with quiet spells of at least ``MIN_GAP`` steps between them.
``distant``    disengaged: mean closeness below ``DISTANT_CLOSENESS`` and episodes
               cover less than ``ESCALATED_SHARE`` of the window.
``settled``    everything else: no dissolution, no locked-in or recurring trap, and
               closeness not low. (It is the remainder, so the report also gives mean
               activation: a settled anxious partner may still be moderately distressed.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

OUTCOMES: tuple[str, ...] = ("settled", "escalated", "cycling", "dissolved", "distant")
TRAP_OUTCOMES: tuple[str, ...] = ("escalated", "cycling")

PW_ON = 0.20
PW_OFF = 0.10
WINDOW = 0.4
MIN_WINDOW_STEPS = 20
ESCALATED_SHARE = 0.5
ESCALATED_ACTIVATION = 0.5
CYCLING_EPISODES = 2
MIN_GAP = 5
MIN_EPISODE = 5
WAVE_PEAK = 0.30
DISTANT_CLOSENESS = 0.30
SUSTAIN_STEPS = 20
"""Steps ``pw`` must stay at or above ``PW_ON`` to count as escalation (time to escalation)."""

Trajectory = Mapping[str, Any]


def _col(traj: Trajectory, name: str) -> np.ndarray:
    return np.asarray(traj[name], dtype=float)


def _live(traj: Trajectory) -> slice:
    """Rows from 1 up to and including the step of dissolution (row 0 is the start)."""
    gone = np.flatnonzero(_col(traj, "dyad.dissolved") > 0)
    end = int(gone[0]) + 1 if gone.size else len(_col(traj, "dyad.dissolved"))
    return slice(1, max(end, 2))


def pursue_withdraw(traj: Trajectory) -> np.ndarray:
    """Per-step pursue-withdraw signal ``max(p_a w_b, p_b w_a)`` (all rows)."""
    pa, pb = _col(traj, "partner_a.pursuit"), _col(traj, "partner_b.pursuit")
    wa, wb = _col(traj, "partner_a.withdrawal"), _col(traj, "partner_b.withdrawal")
    return np.maximum(pa * wb, pb * wa)


def episode_mask(pw: np.ndarray, on: float = PW_ON, off: float = PW_OFF) -> np.ndarray:
    """Steps inside a pursue-withdraw episode (hysteresis between ``off`` and ``on``)."""
    mask = np.zeros(pw.shape, dtype=bool)
    inside = False
    for t, value in enumerate(pw):
        inside = value >= on if not inside else value >= off
        mask[t] = inside
    return mask


def episode_bounds(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` index pairs (end exclusive) of each run of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def waves(pw: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each pursue-withdraw wave in a ``pw`` series.

    Episodes (hysteresis) closer than ``MIN_GAP`` steps are merged; what remains counts if
    it lasts at least ``MIN_EPISODE`` steps and peaks at ``WAVE_PEAK`` or more.
    """
    merged: list[list[int]] = []
    for start, end in episode_bounds(episode_mask(pw)):
        if merged and start - merged[-1][1] < MIN_GAP:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [
        (s, e) for s, e in merged if e - s >= MIN_EPISODE and pw[s:e].max() >= WAVE_PEAK
    ]


# --- Named metrics ------------------------------------------------------------------------


def mean_activation(traj: Trajectory) -> float:
    """Mean activation (distress) of both partners over the run."""
    live = _live(traj)
    return float(np.mean([_col(traj, f"{w}.activation")[live].mean()
                          for w in ("partner_a", "partner_b")]))


def pursuit_index(traj: Trajectory) -> float:
    """Mean over the run of the larger of the two partners' pursuit."""
    live = _live(traj)
    return float(np.maximum(_col(traj, "partner_a.pursuit"),
                            _col(traj, "partner_b.pursuit"))[live].mean())


def withdrawal_index(traj: Trajectory) -> float:
    """Mean over the run of the larger of the two partners' withdrawal."""
    live = _live(traj)
    return float(np.maximum(_col(traj, "partner_a.withdrawal"),
                            _col(traj, "partner_b.withdrawal"))[live].mean())


def pursue_withdraw_index(traj: Trajectory) -> float:
    """Mean pursue-withdraw signal over the run: how much demand met withdrawal."""
    return float(pursue_withdraw(traj)[_live(traj)].mean())


def episodes(traj: Trajectory) -> float:
    """Number of pursue-withdraw waves in the run (see :func:`waves`)."""
    return float(len(waves(pursue_withdraw(traj)[_live(traj)])))


def episode_length(traj: Trajectory) -> float:
    """Mean length of pursue-withdraw waves, in steps (NaN if there were none)."""
    bounds = waves(pursue_withdraw(traj)[_live(traj)])
    return float(np.mean([e - s for s, e in bounds])) if bounds else math.nan


def time_to_escalation(traj: Trajectory) -> float:
    """First step of the first ``SUSTAIN_STEPS``-long run with ``pw >= PW_ON`` (or NaN)."""
    high = pursue_withdraw(traj) >= PW_ON
    high[0] = False
    run = 0
    for t, flag in enumerate(high):
        run = run + 1 if flag else 0
        if run >= SUSTAIN_STEPS:
            return float(t - SUSTAIN_STEPS + 1)
    return math.nan


def trap_entered(traj: Trajectory) -> float:
    """1.0 if the couple fell into the trap at any point, else 0.0.

    Fell in means a sustained pursue-withdraw episode (a finite time to escalation) or
    recurring waves, whatever happened after: a trap that ends in a break-up counts.
    """
    trapped = math.isfinite(time_to_escalation(traj)) or episodes(traj) >= CYCLING_EPISODES
    return float(trapped)


def satisfaction(traj: Trajectory) -> float:
    """Mean satisfaction of both partners over the run."""
    live = _live(traj)
    return float(np.mean([_col(traj, f"{w}.satisfaction")[live].mean()
                          for w in ("partner_a", "partner_b")]))


def final_satisfaction(traj: Trajectory) -> float:
    """Mean satisfaction of both partners at the end (or at dissolution)."""
    live = _live(traj)
    return float(np.mean([_col(traj, f"{w}.satisfaction")[live][-1]
                          for w in ("partner_a", "partner_b")]))


def closeness(traj: Trajectory) -> float:
    """Mean emotional closeness over the run."""
    return float(_col(traj, "dyad.closeness")[_live(traj)].mean())


def dissolved_at(traj: Trajectory) -> float:
    """The step at which the relationship ended (NaN if it did not)."""
    gone = np.flatnonzero(_col(traj, "dyad.dissolved") > 0)
    return float(gone[0]) if gone.size else math.nan


METRICS: dict[str, Callable[[Trajectory], float]] = {
    f.__name__: f
    for f in (
        mean_activation, pursuit_index, withdrawal_index, pursue_withdraw_index,
        episodes, episode_length, time_to_escalation, trap_entered, satisfaction,
        final_satisfaction,
        closeness, dissolved_at,
    )
}
"""Every named metric, in report order."""


def metrics(traj: Trajectory) -> dict[str, float]:
    """All named metrics of one run."""
    return {name: f(traj) for name, f in METRICS.items()}


# --- Classifier ---------------------------------------------------------------------------


def classify(traj: Trajectory) -> str:
    """Sort a run into one of :data:`OUTCOMES` from its trajectory alone.

    The criteria and their order are in this module's docstring and in ``docs/MODEL.md``.
    """
    if np.any(_col(traj, "dyad.dissolved") > 0):
        return "dissolved"
    n = len(_col(traj, "dyad.closeness"))
    width = max(MIN_WINDOW_STEPS, round(WINDOW * (n - 1)))
    window = slice(max(1, n - width), n)
    pw_all = pursue_withdraw(traj)
    mask_all = episode_mask(pw_all[1:])  # hysteresis runs over the whole run
    mask = np.concatenate(([False], mask_all))[window]
    share = float(mask.mean())
    distress = np.maximum(_col(traj, "partner_a.activation"),
                          _col(traj, "partner_b.activation"))[window]
    if share >= ESCALATED_SHARE and distress.mean() >= ESCALATED_ACTIVATION:
        return "escalated"
    first = window.start - 1  # index of the window's first step within pw_all[1:]
    touching = [w for w in waves(pw_all[1:]) if w[1] > first]
    if len(touching) >= CYCLING_EPISODES:
        return "cycling"
    if _col(traj, "dyad.closeness")[window].mean() < DISTANT_CLOSENESS:
        return "distant"
    return "settled"
