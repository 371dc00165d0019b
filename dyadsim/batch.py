"""The batch engine: many dyads at once, each row with its own parameters and seed.

A run is described by one row of a parameter matrix (every registry parameter, in registry
order, see :data:`dyadsim.schema.PARAM_NAMES`) and a seed. :func:`run_batch` runs all rows
through a Numba kernel that draws each episode's random numbers and calls
:func:`dyadsim.episode.step`, the same stage functions the Mesa agents call, in the same
order (``register_jitable`` lets compiled code call them). Importing it does not load Mesa.

Dyads do not interact, so the kernel runs them in parallel over threads (``prange``). Each
dyad advances step by step through its whole run on one thread, keeping its recent state
in a small buffer, and is classified at the end by :func:`dyadsim.outcomes.assess_series`
(again the same code the Mesa path uses). Memory therefore grows with the number of dyads,
not with their length, unless full trajectories are asked for.

Randomness: a dyad's draws are a pure function of its own seed, the step and the channel
(:mod:`dyadsim.streams`), so its trajectory is the same alone, in a batch of any size,
with any number of threads, or on another machine; and it equals ``DyadModel``'s to
floating-point rounding (tested to 1e-9 over 500 steps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
from numba import prange
from numba.extending import register_jitable

from dyadsim import episode, outcomes, streams
from dyadsim.individual import individualize
from dyadsim.registry import PARTNERS
from dyadsim.schema import (
    D_AMBIG,
    D_LRATE,
    D_NOISE,
    F_LAPSE,
    N_RECORD,
    N_STATE,
    PARAM_NAMES,
    S_ACT,
    S_PUR,
    S_SAT,
    S_WD,
    TRAJECTORY_COLUMNS,
    dyad_vector,
    param_slot,
    partner_vectors,
)
from dyadsim.timeline import Plan, Timeline, blend

_STORED = ("pursuit", "withdrawal", "activation", "satisfaction")
if outcomes.SERIES != (*(f"{w}.{v}" for v in _STORED for w in PARTNERS), "dyad.closeness"):
    raise ImportError("dyadsim.batch: outcomes.SERIES changed; update _store")
_CH = streams.CHANNELS_PER_PARTNER


@register_jitable
def _noise(key: np.uint64, ct: np.ndarray, offset: int, ambiguous: float, sd: float) -> float:
    """A partner's observation noise draw, or 0.0 where the episode never reads it.

    An ambiguous episode is read from trust alone and noise of sd 0 adds nothing, so the
    run is the same bit for bit; skipping the draw there saves a log, a sqrt and a cos,
    the kernel's dearest instructions.
    """
    if ambiguous == 1.0 or sd == 0.0:
        return 0.0
    return streams.box_muller(streams.uniform_mixed(key, ct[streams.NOISE_U1 + offset]),
                              streams.uniform_mixed(key, ct[streams.NOISE_U2 + offset]))


@register_jitable
def _store(x: np.ndarray, rec: np.ndarray, t: int, r: int, c: float, gone: float,
           sa: tuple, sb: tuple) -> None:
    x[t, 0], x[t, 1] = sa[S_PUR], sb[S_PUR]
    x[t, 2], x[t, 3] = sa[S_WD], sb[S_WD]
    x[t, 4], x[t, 5] = sa[S_ACT], sb[S_ACT]
    x[t, 6], x[t, 7] = sa[S_SAT], sb[S_SAT]
    x[t, 8] = c
    if r >= 0:
        rec[r, 0], rec[r, 1] = c, gone
        for v in range(N_STATE):
            rec[r, 2 + v] = sa[v]
            rec[r, 2 + N_STATE + v] = sb[v]


@register_jitable
def _apply_plan(t: int, pa: np.ndarray, pb: np.ndarray, d: np.ndarray, where: np.ndarray,
                slot: np.ndarray, change_of: np.ndarray, weights: np.ndarray,
                bases: np.ndarray, targets: np.ndarray) -> None:
    """Set the timeline's parameters for episode ``t`` (as the Mesa model's events do)."""
    for j in range(slot.shape[0]):
        k = change_of[j]
        w = weights[k, t]
        if w != weights[k, t - 1]:
            value = blend(bases[j], targets[j], w)
            if where[j] == 0:
                pa[slot[j]] = value
            elif where[j] == 1:
                pb[slot[j]] = value
            else:
                d[slot[j]] = value


@register_jitable(inline="always")
def day_step(key: np.uint64, ct: np.ndarray, sa: tuple, sb: tuple, pa: np.ndarray,
             pb: np.ndarray, d: np.ndarray, c: float) -> tuple[tuple, tuple, float, bool]:
    """One day of a couple: the day's draws, the rules, then whether a partner leaves.

    ``ct`` is the day's row of :func:`streams.counter_table`. Every draw (lapse, ambiguity,
    observation noise, life event, repair, exit; partner A's channels, then B's) comes
    from ``key`` and the day's counters, so the day is the same wherever it runs: in
    :func:`_run_dyad` (the batch engine) and, through :func:`one_day`, in class mode.
    Returns both partners' new states, the closeness, and whether a partner leaves.
    """
    a, b = 0, _CH  # channel offsets of partner A and B
    lapsed_a = episode.drawn(streams.uniform_mixed(key, ct[streams.LAPSE + a]), pa[F_LAPSE])
    lapsed_b = episode.drawn(streams.uniform_mixed(key, ct[streams.LAPSE + b]), pb[F_LAPSE])
    amb_a = episode.drawn(streams.uniform_mixed(key, ct[streams.AMBIGUITY + a]), d[D_AMBIG])
    amb_b = episode.drawn(streams.uniform_mixed(key, ct[streams.AMBIGUITY + b]), d[D_AMBIG])
    za = _noise(key, ct, a, amb_a, d[D_NOISE])
    zb = _noise(key, ct, b, amb_b, d[D_NOISE])
    ev_a = episode.drawn(streams.uniform_mixed(key, ct[streams.LIFE_EVENT + a]), d[D_LRATE])
    ev_b = episode.drawn(streams.uniform_mixed(key, ct[streams.LIFE_EVENT + b]), d[D_LRATE])
    ua = streams.uniform_mixed(key, ct[streams.REPAIR + a])
    ub = streams.uniform_mixed(key, ct[streams.REPAIR + b])
    sa, sb, c = episode.step(sa, sb, pa, pb, d, c, lapsed_a, lapsed_b, amb_a, amb_b, za, zb,
                             ev_a, ev_b, ua, ub, False)
    leaves = (streams.uniform_mixed(key, ct[streams.EXIT + a])
              < episode.exit_hazard(sa, pa, d)) | (
        streams.uniform_mixed(key, ct[streams.EXIT + b]) < episode.exit_hazard(sb, pb, d))
    return sa, sb, c, leaves


one_day = numba.njit(cache=True, error_model="numpy")(day_step)
""":func:`day_step` compiled on its own, to be called from Python (class mode's weeks)."""


@numba.njit(cache=True, error_model="numpy")
def _run_dyad(
    pp: np.ndarray, d: np.ndarray, key: np.uint64, cm: np.ndarray, steps: int, every: int,
    x: np.ndarray, rec: np.ndarray, where: np.ndarray, slot: np.ndarray,
    change_of: np.ndarray, weights: np.ndarray, bases: np.ndarray, targets: np.ndarray,
) -> tuple[int, bool]:
    """One dyad's whole run; returns the last step run, and whether the dyad dissolved.

    ``cm`` is :func:`streams.counter_table` for these steps. ``x`` receives the
    :data:`outcomes.SERIES` of every step; ``rec`` (if it has rows) every ``every``-th
    full row. Each partner's state is a tuple in :data:`STATE_VARS` order, which the
    compiler keeps in registers. ``where`` to ``targets`` are this dyad's timeline
    (:class:`dyadsim.timeline.Plan`, see :func:`_plan_arrays`); with a timeline the dyad
    works on its own copy of its parameters.
    """
    timed = slot.shape[0] > 0
    if timed:
        pa, pb, d = pp[0].copy(), pp[1].copy(), d.copy()
    else:
        pa, pb = pp[0], pp[1]
    sa, sb = episode.initial(pa), episode.initial(pb)
    c = episode.initial_closeness(d)
    recording = rec.shape[0] > 0
    _store(x, rec, 0, 0 if recording else -1, c, 0.0, sa, sb)
    for t in range(1, steps + 1):
        if timed:
            _apply_plan(t, pa, pb, d, where, slot, change_of, weights, bases, targets)
        sa, sb, c, leaves = day_step(key, cm[t], sa, sb, pa, pb, d, c)
        r = (t + every - 1) // every if recording and (t % every == 0 or leaves) else -1
        _store(x, rec, t, r, c, 1.0 if leaves else 0.0, sa, sb)
        if leaves:
            return t, True
    return steps, False


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _kernel(
    pp: np.ndarray, dp: np.ndarray, keys: np.ndarray, cm: np.ndarray, steps: int, every: int,
    codes: np.ndarray, mets: np.ndarray, lasts: np.ndarray, rec: np.ndarray,
    where: np.ndarray, slot: np.ndarray, change_of: np.ndarray, weights: np.ndarray,
    bases: np.ndarray, targets: np.ndarray,
) -> None:
    n = keys.shape[0]
    n_series = len(outcomes.SERIES)
    for i in prange(n):
        x = np.empty((steps + 1, n_series))
        last, dissolved = _run_dyad(pp[i], dp[i], keys[i], cm, steps, every, x, rec[i],
                                    where, slot, change_of, weights, bases[i], targets[i])
        lasts[i] = last
        code, values = outcomes.assess_series(x[: last + 1], dissolved, outcomes.THRESHOLDS)
        codes[i] = code
        mets[i, :] = values


@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` returns: one entry per dyad, in input order.

    Attributes:
        seeds: Each run's seed.
        outcome: Outcome index into :data:`dyadsim.outcomes.OUTCOMES` (int8).
        metrics: Shape ``(n, len(METRIC_NAMES))``, columns as
            :data:`dyadsim.outcomes.METRIC_NAMES`.
        last_step: The last step each run reached (its dissolution step, or ``steps``).
        every: Recording interval of ``trajectories`` (0: none recorded).
        trajectories: Shape ``(n, rows, len(TRAJECTORY_COLUMNS) - 1)`` without the step
            column, or ``None``. Rows past a dissolution are NaN.
    """

    seeds: np.ndarray
    outcome: np.ndarray
    metrics: np.ndarray
    last_step: np.ndarray
    every: int
    trajectories: np.ndarray | None

    def outcome_names(self) -> list[str]:
        """The outcome class of each run, by name."""
        return [outcomes.OUTCOMES[c] for c in self.outcome]

    def trajectory(self, i: int) -> pd.DataFrame:
        """Run ``i``'s recorded trajectory, in the columns of ``DyadModel.trajectory()``."""
        if self.trajectories is None:
            raise ValueError("trajectories were not recorded (run_batch(record_every=...))")
        rows = self.trajectories[i]
        keep = ~np.isnan(rows[:, 0])
        steps = np.minimum(np.arange(rows.shape[0]) * self.every, self.last_step[i])
        frame = pd.DataFrame(rows[keep], columns=list(TRAJECTORY_COLUMNS[1:]))
        frame.insert(0, "step", steps[keep])
        return frame


def run_batch(
    params: np.ndarray,
    seeds: Sequence[int] | np.ndarray,
    steps: int,
    record_every: int = 0,
    threads: int | None = None,
    timeline: Timeline | None = None,
    explicit: Iterable[str] = (),
) -> BatchResult:
    """Run one dyad per row of ``params`` with the matching seed.

    Args:
        params: Parameter matrix of shape ``(n, len(PARAM_NAMES))`` (see
            :func:`dyadsim.params.param_matrix`); each row is one run's every parameter value.
        seeds: One seed per row (non-negative ints below 2**64).
        steps: Episodes per run (the same for the whole batch).
        record_every: Keep every ``k``-th step of each trajectory (1: every step; 0: none,
            keep only outcomes and metrics). A dissolution step is always kept.
        threads: Numba threads (default: Numba's default, all cores).
        timeline: Scheduled parameter changes, applied to every row at the same episodes
            (relative to each row's own values; see :mod:`dyadsim.timeline`).
        explicit: Parameters set explicitly in these rows: they do not follow a timeline's
            change of their partner's traits.

    Returns:
        A :class:`BatchResult`.
    """
    params = np.ascontiguousarray(params, dtype=np.float64)
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    n = seeds.shape[0]
    if params.shape != (n, len(PARAM_NAMES)):
        raise ValueError(f"params has shape {params.shape}, expected ({n}, {len(PARAM_NAMES)})")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    keys = np.asarray(streams.run_key(seeds), dtype=np.uint64).reshape(-1)
    params = individualize(params, keys, explicit)
    pp, dp = partner_vectors(params), dyad_vector(params)
    codes = np.empty(n, dtype=np.int8)
    mets = np.empty((n, len(outcomes.METRIC_NAMES)))
    lasts = np.empty(n, dtype=np.int64)
    if record_every > 0:
        rec = np.full((n, -(-steps // record_every) + 1, N_RECORD), np.nan)
    else:
        rec = np.empty((n, 0, N_RECORD))
    plan = (timeline or Timeline()).compile(params, steps, explicit)
    previous = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        _kernel(pp, dp, keys, streams.counter_table(steps), int(steps), max(1, record_every),
                codes, mets, lasts, rec, *_plan_arrays(plan))
    finally:
        numba.set_num_threads(previous)
    return BatchResult(seeds, codes, mets, lasts, record_every,
                       rec if record_every > 0 else None)


def _plan_arrays(plan: Plan) -> tuple[np.ndarray, ...]:
    """A plan as the kernel takes it.

    For each entry: which array (0: partner A, 1: partner B, 2: dyad) and which position in
    it; then the weights, bases and targets.
    """
    where = np.empty(len(plan.names), dtype=np.int64)
    slot = np.empty(len(plan.names), dtype=np.int64)
    for j, name in enumerate(plan.names):
        where[j], slot[j] = param_slot(name)
    return (where, slot, plan.change_of, plan.weights, plan.bases, plan.targets)

