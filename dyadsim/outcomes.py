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

Every threshold above is a module constant (the defaults) and a position in a float64
vector: :data:`THRESHOLDS` holds the defaults in :data:`THRESHOLD_NAMES` order, and
:func:`thresholds` returns a checked copy with some of them changed. Every function that
classifies takes such a vector (``th``), so recorded runs can be classified again under other
thresholds without rerunning the model (:func:`reclassify`); the constants and the checks
live in :mod:`dyadsim.thresholds` and are importable from here. The metrics other than
``episodes``, ``episode_length``, ``time_to_escalation`` and ``trap_entered`` do not depend on
the thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numba
import numpy as np
from numba.extending import register_jitable

from dyadsim.thresholds import (  # the defaults and the vector live there; re-exported
    _I_CYC_EPISODES,
    _I_DISTANT,
    _I_ESC_ACT,
    _I_ESC_SHARE,
    _I_MIN_EPISODE,
    _I_MIN_GAP,
    _I_MIN_WINDOW,
    _I_PW_OFF,
    _I_PW_ON,
    _I_SUSTAIN,
    _I_WAVE_PEAK,
    _I_WINDOW,
    CYCLING_EPISODES,
    DISTANT_CLOSENESS,
    ESCALATED_ACTIVATION,
    ESCALATED_SHARE,
    MIN_EPISODE,
    MIN_GAP,
    MIN_WINDOW_STEPS,
    PW_OFF,
    PW_ON,
    SUSTAIN_STEPS,
    THRESHOLD_NAMES,
    THRESHOLDS,
    WAVE_PEAK,
    WINDOW,
    threshold_dict,
    thresholds,
)

OUTCOMES: tuple[str, ...] = ("settled", "escalated", "cycling", "dissolved", "distant")
TRAP_OUTCOMES: tuple[str, ...] = ("escalated", "cycling")
__all__ = [
    "CYCLING_EPISODES", "DISTANT_CLOSENESS", "ESCALATED_ACTIVATION", "ESCALATED_SHARE",
    "METRICS", "METRIC_NAMES", "MIN_EPISODE", "MIN_GAP", "MIN_WINDOW_STEPS", "OUTCOMES",
    "PW_OFF", "PW_ON", "SERIES", "SUSTAIN_STEPS", "THRESHOLDS", "THRESHOLD_NAMES",
    "TRAP_OUTCOMES", "WAVE_PEAK", "WINDOW", "assess", "assess_series", "classify",
    "dissolved_at", "episode_length", "episode_mask", "episodes", "mean_activation",
    "metrics", "pursue_withdraw", "pw_signal", "reclassify", "recorded_series",
    "series_matrix", "threshold_dict", "thresholds", "time_to_escalation", "waves",
]


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
def _wave_bounds(pw: np.ndarray, th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts, ends, _ = _waves_and_mask(pw, th)
    return starts, ends


@register_jitable
def _waves_and_mask(pw: np.ndarray, th: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The waves' starts and ends, and the episode mask they were read from."""
    mask = _episode_mask(pw, th[_I_PW_ON], th[_I_PW_OFF])
    min_gap, min_episode, wave_peak = th[_I_MIN_GAP], th[_I_MIN_EPISODE], th[_I_WAVE_PEAK]
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
        if merged > 0 and start - ends[merged - 1] < min_gap:
            ends[merged - 1] = t
        else:
            starts[merged] = start
            ends[merged] = t
            merged += 1
    kept = 0
    for j in range(merged):
        s, e = starts[j], ends[j]
        if e - s >= min_episode and pw[s:e].max() >= wave_peak:
            starts[kept] = s
            ends[kept] = e
            kept += 1
    return starts[:kept], ends[:kept], mask


@register_jitable
def assess_series(x: np.ndarray, dissolved: bool,
                  th: np.ndarray = THRESHOLDS) -> tuple[int, np.ndarray]:
    """Classify one run and compute its metrics from its series matrix.

    Args:
        x: Array of shape ``(rows, len(SERIES))``: row 0 is the initial state, one row per
            step after it; a dissolved run ends at the row of its dissolution.
        dissolved: Whether the last row is the step the relationship ended.
        th: Threshold vector (:func:`thresholds`); unchecked here.

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
    starts, ends, mask = _waves_and_mask(pw[1:], th)
    out[4] = starts.shape[0]
    if starts.shape[0] > 0:
        out[5] = (ends - starts).mean()
    pw_on, sustain, cycling = th[_I_PW_ON], int(th[_I_SUSTAIN]), th[_I_CYC_EPISODES]
    run = 0
    for t in range(1, n):
        run = run + 1 if pw[t] >= pw_on else 0
        if run >= sustain:
            out[6] = t - sustain + 1
            break
    out[7] = 1.0 if (not np.isnan(out[6]) or out[4] >= cycling) else 0.0
    out[8] = 0.5 * (sat_a / live + sat_b / live)
    out[9] = 0.5 * (x[end - 1, _SA] + x[end - 1, _SB])
    out[10] = close / live
    if dissolved:
        out[11] = n - 1
        return _DISSOLVED, out
    width = max(int(th[_I_MIN_WINDOW]), int(np.floor(th[_I_WINDOW] * (n - 1) + 0.5)))
    first = max(1, n - width)
    inside = 0
    for t in range(first - 1, n - 1):
        inside += mask[t]
    share = inside / (n - first)
    distress = 0.0
    for t in range(first, n):
        distress += max(x[t, _AA], x[t, _AB])
    distress = distress / (n - first)
    if share >= th[_I_ESC_SHARE] and distress >= th[_I_ESC_ACT]:
        return _ESCALATED, out
    touching = 0
    for j in range(ends.shape[0]):
        if ends[j] > first - 1:
            touching += 1
    if touching >= cycling:
        return _CYCLING, out
    closeness = 0.0
    for t in range(first, n):
        closeness += x[t, _CL]
    if closeness / (n - first) < th[_I_DISTANT]:
        return _DISTANT, out
    return _SETTLED, out


_assess_compiled = numba.njit(cache=True)(assess_series)


@numba.njit(cache=True)
def _reclassify(series: np.ndarray, dissolved: np.ndarray, th: np.ndarray,
                codes: np.ndarray, out: np.ndarray) -> None:
    for i in range(series.shape[0]):
        rows = series.shape[1]
        while rows > 1 and np.isnan(series[i, rows - 1, 0]):
            rows -= 1
        codes[i], out[i] = assess_series(series[i, :rows], dissolved[i], th)


def _checked(th: np.ndarray | None) -> np.ndarray:
    return THRESHOLDS if th is None else thresholds(th)


def reclassify(series: np.ndarray, dissolved: np.ndarray,
               th: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Classify recorded runs again under other thresholds, without rerunning the model.

    Args:
        series: Shape ``(runs, rows, len(SERIES))``: each run's :data:`SERIES` at every step
            from step 0 (as :func:`recorded_series` gives); rows after a run's end are NaN.
        dissolved: One truth value per run: whether its last row is its dissolution.
        th: Threshold vector (:func:`thresholds`; default :data:`THRESHOLDS`), checked.

    Returns:
        Outcome codes (int8, indices into :data:`OUTCOMES`) and metrics, shape
        ``(runs, len(METRIC_NAMES))``: with the default thresholds, the same bit for bit as
        the engine's own.

    Raises:
        ValueError: A bad threshold, or arrays of the wrong shape.
    """
    th = _checked(th)
    x = np.ascontiguousarray(series, dtype=np.float64)
    gone = np.asarray(dissolved, dtype=np.bool_).reshape(-1)
    if x.ndim != 3 or x.shape[2] != len(SERIES) or x.shape[1] < 1:
        raise ValueError(f"reclassify: series has shape {x.shape}; allowed: (runs, rows >= 1, "
                         f"{len(SERIES)}) in SERIES column order")
    if gone.shape[0] != x.shape[0]:
        raise ValueError(f"reclassify: {gone.shape[0]} dissolved flags for {x.shape[0]} runs; "
                         f"allowed: one per run")
    codes = np.empty(x.shape[0], dtype=np.int8)
    out = np.empty((x.shape[0], len(METRIC_NAMES)))
    _reclassify(x, gone, np.ascontiguousarray(th), codes, out)
    return codes, out


def recorded_series(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """The series matrix and dissolution flags of runs recorded at every step.

    Args:
        result: A :class:`dyadsim.runner.Replicates` (or anything with ``every`` and
            ``column(name)`` giving ``(runs, rows)``) run with ``record_every=1``.

    Returns:
        ``(series, dissolved)`` as :func:`reclassify` takes them.

    Raises:
        ValueError: The runs were not recorded at every step.
    """
    if getattr(result, "every", 0) != 1:
        raise ValueError(f"recorded_series: runs recorded every {getattr(result, 'every', 0)} "
                         f"steps; allowed: record_every=1 (the classifier reads every step)")
    series = np.stack([result.column(name) for name in SERIES], axis=-1)
    dissolved = np.nan_to_num(result.column("dyad.dissolved")).max(axis=1) > 0
    return np.ascontiguousarray(series), dissolved


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


def assess(traj: Trajectory, th: np.ndarray | None = None) -> tuple[str, dict[str, float]]:
    """The outcome class and every named metric of one run (``th``: see :func:`thresholds`)."""
    code, values = _assess_compiled(*series_matrix(traj), np.ascontiguousarray(_checked(th)))
    return OUTCOMES[code], dict(zip(METRIC_NAMES, values.tolist(), strict=True))


def pursue_withdraw(traj: Trajectory) -> np.ndarray:
    """Per-step pursue-withdraw signal ``max(p_a w_b, p_b w_a)`` (all rows)."""
    pa, pb = _col(traj, "partner_a.pursuit"), _col(traj, "partner_b.pursuit")
    wa, wb = _col(traj, "partner_a.withdrawal"), _col(traj, "partner_b.withdrawal")
    return pw_signal(pa, wb, pb, wa)


def episode_mask(pw: np.ndarray, on: float = PW_ON, off: float = PW_OFF) -> np.ndarray:
    """Steps inside a pursue-withdraw episode (hysteresis between ``off`` and ``on``)."""
    return _episode_mask(np.asarray(pw, dtype=float), on, off)


def waves(pw: np.ndarray, th: np.ndarray | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each pursue-withdraw wave in a ``pw`` series (end exclusive).

    Episodes (hysteresis) closer than ``MIN_GAP`` steps are merged; what remains counts if
    it lasts at least ``MIN_EPISODE`` steps and peaks at ``WAVE_PEAK`` or more (``th``: see
    :func:`thresholds`).
    """
    starts, ends = _wave_bounds(np.asarray(pw, dtype=float), _checked(th))
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


def classify(traj: Trajectory, th: np.ndarray | None = None) -> str:
    """Sort a run into one of :data:`OUTCOMES` from its trajectory alone.

    The criteria and their order are in this module's docstring and in ``docs/MODEL.md``;
    ``th`` is a threshold vector (:func:`thresholds`, default :data:`THRESHOLDS`).
    """
    return assess(traj, th)[0]
