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

from collections.abc import Callable, Mapping
from typing import Any

import numba
import numpy as np
from numba.extending import register_jitable

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

METRIC_NAMES: tuple[str, ...] = (
    "mean_activation", "pursuit_index", "withdrawal_index", "pursue_withdraw_index",
    "episodes", "episode_length", "time_to_escalation", "trap_entered", "satisfaction",
    "final_satisfaction", "closeness", "dissolved_at",
)
"""Every named metric, in report order (the order of :func:`assess_series`'s output)."""

SERIES: tuple[str, ...] = (
    "partner_a.pursuit", "partner_b.pursuit", "partner_a.withdrawal",
    "partner_b.withdrawal", "partner_a.activation", "partner_b.activation",
    "partner_a.satisfaction", "partner_b.satisfaction", "dyad.closeness",
)
"""The trajectory columns the metrics and the classifier read, in the column order of the
series matrix that :func:`assess_series` takes."""

_PA, _PB, _WA, _WB, _AA, _AB, _SA, _SB, _CL = range(len(SERIES))
_DISSOLVED = OUTCOMES.index("dissolved")
_ESCALATED = OUTCOMES.index("escalated")
_CYCLING = OUTCOMES.index("cycling")
_DISTANT = OUTCOMES.index("distant")
_SETTLED = OUTCOMES.index("settled")

Trajectory = Mapping[str, Any]


# --- The core, on plain arrays --------------------------------------------------------------
# These functions are plain Python that Numba can also compile (``register_jitable``): the
# Mesa path calls them through one compiled entry point, the batch engine calls them inside
# its kernel. There is one copy of the classifier.


@register_jitable
def pw_signal(pursuit_a: Any, withdrawal_b: Any, pursuit_b: Any, withdrawal_a: Any) -> Any:
    """The pursue-withdraw signal ``max(p_a w_b, p_b w_a)`` (floats or arrays)."""
    return np.maximum(pursuit_a * withdrawal_b, pursuit_b * withdrawal_a)


@register_jitable
def _episode_mask(pw: np.ndarray, on: float, off: float) -> np.ndarray:
    mask = np.zeros(pw.shape[0], dtype=np.bool_)
    inside = False
    for t in range(pw.shape[0]):
        inside = pw[t] >= off if inside else pw[t] >= on
        mask[t] = inside
    return mask


@register_jitable
def _wave_bounds(pw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts, ends, _ = _waves_and_mask(pw)
    return starts, ends


@register_jitable
def _waves_and_mask(pw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The waves' starts and ends, and the episode mask they were read from."""
    mask = _episode_mask(pw, PW_ON, PW_OFF)
    n = pw.shape[0]
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    merged = 0
    t = 0
    while t < n:
        if not mask[t]:
            t += 1
            continue
        start = t
        while t < n and mask[t]:
            t += 1
        if merged > 0 and start - ends[merged - 1] < MIN_GAP:
            ends[merged - 1] = t
        else:
            starts[merged] = start
            ends[merged] = t
            merged += 1
    kept = 0
    for j in range(merged):
        s, e = starts[j], ends[j]
        if e - s >= MIN_EPISODE and pw[s:e].max() >= WAVE_PEAK:
            starts[kept] = s
            ends[kept] = e
            kept += 1
    return starts[:kept], ends[:kept], mask


@register_jitable
def assess_series(x: np.ndarray, dissolved: bool) -> tuple[int, np.ndarray]:
    """Classify one run and compute its metrics from its series matrix.

    Args:
        x: Array of shape ``(rows, len(SERIES))``: row 0 is the initial state, one row per
            step after it; a dissolved run ends at the row of its dissolution.
        dissolved: Whether the last row is the step the relationship ended.

    Returns:
        The outcome's index in :data:`OUTCOMES`, and the metrics in the order of
        :data:`METRIC_NAMES`.
    """
    n = x.shape[0]
    end = max(n, 2)
    out = np.full(len(METRIC_NAMES), np.nan)
    # One pass for the run's means. Each sum runs over steps 1..end-1 in order, as
    # ``array.mean()`` does, so the metrics are the same bit for bit as the array form.
    pw = np.empty(n)
    pw[0] = pw_signal(x[0, _PA], x[0, _WB], x[0, _PB], x[0, _WA])
    act_a = act_b = pursuit = withdrawal = signal = sat_a = sat_b = close = 0.0
    for t in range(1, n):
        pw[t] = pw_signal(x[t, _PA], x[t, _WB], x[t, _PB], x[t, _WA])
        act_a += x[t, _AA]
        act_b += x[t, _AB]
        pursuit += max(x[t, _PA], x[t, _PB])
        withdrawal += max(x[t, _WA], x[t, _WB])
        signal += pw[t]
        sat_a += x[t, _SA]
        sat_b += x[t, _SB]
        close += x[t, _CL]
    live = min(end, n) - 1
    out[0] = 0.5 * (act_a / live + act_b / live)
    out[1] = pursuit / live
    out[2] = withdrawal / live
    out[3] = signal / live
    starts, ends, mask = _waves_and_mask(pw[1:])
    out[4] = starts.shape[0]
    if starts.shape[0] > 0:
        out[5] = (ends - starts).mean()
    run = 0
    for t in range(1, n):
        run = run + 1 if pw[t] >= PW_ON else 0
        if run >= SUSTAIN_STEPS:
            out[6] = t - SUSTAIN_STEPS + 1
            break
    out[7] = 1.0 if (not np.isnan(out[6]) or out[4] >= CYCLING_EPISODES) else 0.0
    out[8] = 0.5 * (sat_a / live + sat_b / live)
    out[9] = 0.5 * (x[end - 1, _SA] + x[end - 1, _SB])
    out[10] = close / live
    if dissolved:
        out[11] = n - 1
        return _DISSOLVED, out
    width = max(MIN_WINDOW_STEPS, int(np.floor(WINDOW * (n - 1) + 0.5)))
    first = max(1, n - width)
    inside = 0
    for t in range(first - 1, n - 1):
        inside += mask[t]
    share = inside / (n - first)
    distress = 0.0
    for t in range(first, n):
        distress += max(x[t, _AA], x[t, _AB])
    distress = distress / (n - first)
    if share >= ESCALATED_SHARE and distress >= ESCALATED_ACTIVATION:
        return _ESCALATED, out
    touching = 0
    for j in range(ends.shape[0]):
        if ends[j] > first - 1:
            touching += 1
    if touching >= CYCLING_EPISODES:
        return _CYCLING, out
    closeness = 0.0
    for t in range(first, n):
        closeness += x[t, _CL]
    if closeness / (n - first) < DISTANT_CLOSENESS:
        return _DISTANT, out
    return _SETTLED, out


_assess_compiled = numba.njit(cache=True)(assess_series)


def _col(traj: Trajectory, name: str) -> np.ndarray:
    return np.asarray(traj[name], dtype=float)


def series_matrix(traj: Trajectory) -> tuple[np.ndarray, bool]:
    """A trajectory's :data:`SERIES` as a matrix, cut at dissolution, and whether it ended.

    Rows after the first step with ``dyad.dissolved`` set are dropped.
    """
    gone = np.flatnonzero(_col(traj, "dyad.dissolved") > 0)
    x = np.column_stack([_col(traj, name) for name in SERIES])
    if gone.size:
        return np.ascontiguousarray(x[: int(gone[0]) + 1]), True
    return np.ascontiguousarray(x), False


def assess(traj: Trajectory) -> tuple[str, dict[str, float]]:
    """The outcome class and every named metric of one run."""
    code, values = _assess_compiled(*series_matrix(traj))
    return OUTCOMES[code], dict(zip(METRIC_NAMES, values.tolist(), strict=True))


def pursue_withdraw(traj: Trajectory) -> np.ndarray:
    """Per-step pursue-withdraw signal ``max(p_a w_b, p_b w_a)`` (all rows)."""
    pa, pb = _col(traj, "partner_a.pursuit"), _col(traj, "partner_b.pursuit")
    wa, wb = _col(traj, "partner_a.withdrawal"), _col(traj, "partner_b.withdrawal")
    return pw_signal(pa, wb, pb, wa)


def episode_mask(pw: np.ndarray, on: float = PW_ON, off: float = PW_OFF) -> np.ndarray:
    """Steps inside a pursue-withdraw episode (hysteresis between ``off`` and ``on``)."""
    return _episode_mask(np.asarray(pw, dtype=float), on, off)


def waves(pw: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each pursue-withdraw wave in a ``pw`` series (end exclusive).

    Episodes (hysteresis) closer than ``MIN_GAP`` steps are merged; what remains counts if
    it lasts at least ``MIN_EPISODE`` steps and peaks at ``WAVE_PEAK`` or more.
    """
    starts, ends = _wave_bounds(np.asarray(pw, dtype=float))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


# --- Named metrics ------------------------------------------------------------------------

_METRIC_DOCS: dict[str, str] = {
    "mean_activation": "Mean activation (distress) of both partners over the run.",
    "pursuit_index": "Mean over the run of the larger of the two partners' pursuit.",
    "withdrawal_index": "Mean over the run of the larger of the two partners' withdrawal.",
    "pursue_withdraw_index": "Mean pursue-withdraw signal over the run: how much demand "
    "met withdrawal.",
    "episodes": "Number of pursue-withdraw waves in the run (see :func:`waves`).",
    "episode_length": "Mean length of pursue-withdraw waves, in steps (NaN if there were "
    "none).",
    "time_to_escalation": "First step of the first ``SUSTAIN_STEPS``-long run with "
    "``pw >= PW_ON`` (NaN if none).",
    "trap_entered": "1.0 if the couple fell into the trap at any point (a finite time to "
    "escalation, or recurring waves), whatever happened after: a trap that ends in a "
    "break-up counts.",
    "satisfaction": "Mean satisfaction of both partners over the run.",
    "final_satisfaction": "Mean satisfaction of both partners at the end (or at "
    "dissolution).",
    "closeness": "Mean emotional closeness over the run.",
    "dissolved_at": "The step at which the relationship ended (NaN if it did not).",
}


def _metric(name: str) -> Callable[[Trajectory], float]:
    def compute(traj: Trajectory) -> float:
        return assess(traj)[1][name]

    compute.__name__ = compute.__qualname__ = name
    compute.__doc__ = _METRIC_DOCS[name]
    return compute


METRICS: dict[str, Callable[[Trajectory], float]] = {n: _metric(n) for n in METRIC_NAMES}
"""Every named metric as a function of a trajectory, in report order."""

mean_activation = METRICS["mean_activation"]
episodes = METRICS["episodes"]
episode_length = METRICS["episode_length"]
time_to_escalation = METRICS["time_to_escalation"]
dissolved_at = METRICS["dissolved_at"]


def metrics(traj: Trajectory) -> dict[str, float]:
    """All named metrics of one run."""
    return assess(traj)[1]


def classify(traj: Trajectory) -> str:
    """Sort a run into one of :data:`OUTCOMES` from its trajectory alone.

    The criteria and their order are in this module's docstring and in ``docs/MODEL.md``.
    """
    return assess(traj)[0]
