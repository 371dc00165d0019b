"""The batch engine: many dyads at once, each row with its own parameters and seed.

A run is described by one row of a parameter matrix (every registry parameter, in registry
order, see :data:`PARAM_NAMES`) and a seed. :func:`run_batch` runs all rows through a
Numba kernel that calls the functions of :mod:`dyadsim.rules` (the same functions the Mesa
agents call; ``register_jitable`` lets compiled code call them) in the schedule of
:class:`dyadsim.model.DyadModel`: signal, perceive, appraise, act, then the dyad.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd
from numba import prange
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import register_jitable

from dyadsim import outcomes, rules, streams
from dyadsim.agents import STATE_VARS
from dyadsim.params import (
    PARTNER_FIELDS,
    PARTNERS,
    REGISTRY,
    ParamError,
    Value,
    derived_value,
    lookup,
    make_params,
)
from dyadsim.timeline import Plan, Timeline, blend

PARAM_NAMES: tuple[str, ...] = tuple(REGISTRY)
"""Columns of a parameter matrix: every registry parameter, in registry order."""

TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "step", "dyad.closeness", "dyad.dissolved",
    *(f"{who}.{var}" for who in PARTNERS for var in STATE_VARS),
)
"""Columns of a recorded trajectory: the same as :meth:`DyadModel.trajectory`'s."""

_DYAD_FIELDS = tuple(n.split(".", 1)[1] for n in PARAM_NAMES if n.startswith("dyad."))
_PARTNER_INDEX = np.array(
    [[PARAM_NAMES.index(f"{who}.{f}") for f in PARTNER_FIELDS] for who in PARTNERS]
)
_DYAD_INDEX = np.array([PARAM_NAMES.index(f"dyad.{f}") for f in _DYAD_FIELDS])

# Field positions the kernel reads (Numba freezes these module globals as constants).
_F = {name: PARTNER_FIELDS.index(name) for name in PARTNER_FIELDS}
F_RESP, F_REASS, F_LAPSE = _F["responsiveness"], _F["reassurance"], _F["lapse_rate"]
F_BIAS, F_PROTEST, F_PREF = _F["interpretation_bias"], _F["protest_intensity"], _F[
    "preferred_closeness"]
F_SENS, F_THETA, F_GAIN = _F["intrusion_sensitivity"], _F["threat_threshold"], _F[
    "threat_gain"]
F_SUPP, F_UPTAKE, F_SOOTHE = _F["suppression"], _F["comfort_uptake"], _F["self_soothing"]
F_PGAIN, F_PERSIST, F_WGAIN = _F["pursuit_gain"], _F["protest_persistence"], _F[
    "withdrawal_gain"]
F_EXIT, F_TRUST0 = _F["exit_propensity"], _F["trust0"]
_D = {name: _DYAD_FIELDS.index(name) for name in _DYAD_FIELDS}
D_NOISE, D_AMBIG, D_STRESS, D_C0 = _D["noise"], _D["ambiguity"], _D["stress"], _D["closeness0"]
D_UW, D_DW, D_BURN = _D["unavailability_weight"], _D["distance_weight"], _D["burnout_weight"]
D_ARATE, D_BRATE, D_CRATE = _D["activation_rate"], _D["behaviour_rate"], _D["closeness_rate"]
D_TRATE, D_IRATE, D_DAMP = _D["trust_rate"], _D["inconsistency_rate"], _D[
    "inconsistency_damping"]
D_SRATE, D_FRATE, D_FREC = _D["satisfaction_rate"], _D["fatigue_rate"], _D["fatigue_recovery"]
D_DISS = _D["dissolution_rate"]

_S = {name: STATE_VARS.index(name) for name in STATE_VARS}
S_ACT, S_PUR, S_WD, S_PERC = _S["activation"], _S["pursuit"], _S["withdrawal"], _S[
    "perceived_availability"]
S_TRUST, S_INC, S_FAT, S_SAT = _S["trust"], _S["inconsistency"], _S["fatigue"], _S[
    "satisfaction"]
S_THR, S_AVAIL, S_PRES, S_INTR = _S["threat"], _S["availability"], _S["pressure"], _S[
    "intrusion"]
S_AMB, S_LAPSED = _S["ambiguous"], _S["lapsed"]
N_STATE = len(STATE_VARS)
N_RECORD = 2 + 2 * N_STATE  # closeness, dissolved, then both partners' state
_STORED = ("pursuit", "withdrawal", "activation", "satisfaction")
if outcomes.SERIES != (*(f"{w}.{v}" for v in _STORED for w in PARTNERS), "dyad.closeness"):
    raise ImportError("dyadsim.batch: outcomes.SERIES changed; update _store")
_CH = streams.CHANNELS_PER_PARTNER
_ZERO_STATE = (0.0,) * N_STATE


@register_jitable
def _signal(st: tuple, p: np.ndarray, u_lapse: float) -> tuple:
    """Stage 1 for one partner (as ``Partner.signal``)."""
    lapsed = 1.0 if u_lapse < p[F_LAPSE] else 0.0
    st = tuple_setitem(st, S_LAPSED, lapsed)
    avail = rules.availability(p[F_RESP], st[S_WD], st[S_FAT], p[F_REASS], lapsed)
    return tuple_setitem(st, S_AVAIL, avail)


@register_jitable
def _perceive(
    st: tuple, p: np.ndarray, other: tuple, p_other: np.ndarray, d: np.ndarray, c: float,
    u_ambiguous: float, z: float,
) -> tuple:
    """Stage 2 for one partner (as ``Partner.perceive``); ``other`` is the partner's state."""
    amb = 1.0 if u_ambiguous < d[D_AMBIG] else 0.0
    st = tuple_setitem(st, S_AMB, amb)
    st = tuple_setitem(st, S_PERC, rules.perceived_availability(
        other[S_AVAIL], d[D_NOISE], z, amb, st[S_TRUST], p[F_BIAS]))
    pres = rules.pressure(other[S_PUR], p_other[F_PROTEST])
    st = tuple_setitem(st, S_PRES, pres)
    return tuple_setitem(st, S_INTR, rules.intrusion(pres, c, p[F_PREF], p[F_SENS]))


@register_jitable
def _appraise(st: tuple, p: np.ndarray, d: np.ndarray, c: float) -> tuple:
    """Stage 3 for one partner (as ``Partner.appraise``)."""
    v = st[S_PERC]
    cue = rules.threat_cue(v, c, p[F_PREF], d[D_STRESS], d[D_UW], d[D_DW])
    threat = rules.threat_appraisal(cue, p[F_THETA], p[F_GAIN], p[F_SUPP])
    st = tuple_setitem(st, S_THR, threat)
    soothing = rules.comfort(v, p[F_UPTAKE])
    st = tuple_setitem(st, S_ACT, rules.update_activation(
        st[S_ACT], threat, soothing, p[F_SOOTHE], d[D_ARATE]))
    trust, inconsistency = rules.update_trust(
        st[S_TRUST], st[S_INC], v, d[D_TRATE], d[D_IRATE], d[D_DAMP])
    st = tuple_setitem(st, S_TRUST, trust)
    return tuple_setitem(st, S_INC, inconsistency)


@register_jitable
def _act(st: tuple, p: np.ndarray, d: np.ndarray, c: float) -> tuple:
    """Stage 4 for one partner (as ``Partner.act``)."""
    v, act, fat = st[S_PERC], st[S_ACT], st[S_FAT]
    p_target = rules.pursuit_drive(
        act, v, p[F_PGAIN], rules.hope(st[S_TRUST], p[F_PERSIST]), fat)
    w_target = rules.withdrawal_drive(st[S_INTR], act, v, p[F_WGAIN], fat, d[D_BURN])
    pursuit = rules.follow(st[S_PUR], p_target, d[D_BRATE])
    st = tuple_setitem(st, S_PUR, pursuit)
    st = tuple_setitem(st, S_WD, rules.follow(st[S_WD], w_target, d[D_BRATE]))
    fat = rules.update_fatigue(
        fat, rules.strain(st[S_PRES], pursuit, v), d[D_FRATE], d[D_FREC])
    st = tuple_setitem(st, S_FAT, fat)
    quality = rules.episode_quality(v, act, c, p[F_PREF], st[S_PRES], fat)
    return tuple_setitem(st, S_SAT, rules.follow(st[S_SAT], quality, d[D_SRATE]))


@register_jitable
def _initial(p: np.ndarray) -> tuple:
    st = _ZERO_STATE
    st = tuple_setitem(st, S_PERC, p[F_TRUST0])
    st = tuple_setitem(st, S_TRUST, p[F_TRUST0])
    return tuple_setitem(st, S_SAT, rules.INITIAL_SATISFACTION)


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
    sa, sb = _initial(pa), _initial(pb)
    c = d[D_C0]
    recording = rec.shape[0] > 0
    _store(x, rec, 0, 0 if recording else -1, c, 0.0, sa, sb)
    a, b = 0, _CH  # channel offsets of partner A and B
    for t in range(1, steps + 1):
        if timed:
            _apply_plan(t, pa, pb, d, where, slot, change_of, weights, bases, targets)
        ct = cm[t]
        sa = _signal(sa, pa, streams.uniform_mixed(key, ct[streams.LAPSE + a]))
        sb = _signal(sb, pb, streams.uniform_mixed(key, ct[streams.LAPSE + b]))
        za = streams.box_muller(streams.uniform_mixed(key, ct[streams.NOISE_U1 + a]),
                                streams.uniform_mixed(key, ct[streams.NOISE_U2 + a]))
        zb = streams.box_muller(streams.uniform_mixed(key, ct[streams.NOISE_U1 + b]),
                                streams.uniform_mixed(key, ct[streams.NOISE_U2 + b]))
        sa_seen = sa  # each partner perceives the other as the signal stage left them
        sa = _perceive(sa, pa, sb, pb, d, c,
                       streams.uniform_mixed(key, ct[streams.AMBIGUITY + a]), za)
        sb = _perceive(sb, pb, sa_seen, pa, d, c,
                       streams.uniform_mixed(key, ct[streams.AMBIGUITY + b]), zb)
        sa, sb = _appraise(sa, pa, d, c), _appraise(sb, pb, d, c)
        sa, sb = _act(sa, pa, d, c), _act(sb, pb, d, c)
        c = rules.update_closeness(
            c, pa[F_PREF], pb[F_PREF], sa[S_WD], sb[S_WD], sa[S_PUR], sb[S_PUR],
            sa[S_AVAIL], sb[S_AVAIL], d[D_CRATE])
        hazard_a = rules.exit_hazard(sa[S_SAT], sa[S_FAT], pa[F_EXIT], d[D_DISS])
        hazard_b = rules.exit_hazard(sb[S_SAT], sb[S_FAT], pb[F_EXIT], d[D_DISS])
        leaves = (streams.uniform_mixed(key, ct[streams.EXIT + a]) < hazard_a) | (
            streams.uniform_mixed(key, ct[streams.EXIT + b]) < hazard_b)
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
        code, values = outcomes.assess_series(x[: last + 1], dissolved)
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
            :func:`param_matrix`); each row is one run's every parameter value.
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
    pp = np.ascontiguousarray(params[:, _PARTNER_INDEX])
    dp = np.ascontiguousarray(params[:, _DYAD_INDEX])
    keys = np.asarray(streams.run_key(seeds), dtype=np.uint64).reshape(-1)
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
        group, _, short = name.partition(".")
        if group == "dyad":
            where[j], slot[j] = 2, _DYAD_FIELDS.index(short)
        else:
            where[j], slot[j] = PARTNERS.index(group), PARTNER_FIELDS.index(short)
    return (where, slot, plan.change_of, plan.weights, plan.bases, plan.targets)


def param_matrix(
    fixed: Mapping[str, Any] | None = None,
    varying: Mapping[str, Sequence[float] | np.ndarray] | None = None,
) -> np.ndarray:
    """Resolve parameters for many runs at once: one row per run, in registry order.

    ``fixed`` values apply to every row; ``varying`` gives one value per row for each named
    parameter (all the same length). Derived parameters follow each row's traits unless
    fixed or varied explicitly, exactly as :func:`dyadsim.params.make_params` does for one
    run (tested row by row).

    Raises:
        ParamError: For an unknown key or a value out of range, naming the key, the first
            offending value and the allowed range.
    """
    base = make_params(fixed or {})
    varying = dict(varying or {})
    n = len(next(iter(varying.values()))) if varying else 1
    columns = {name: np.full(n, float(value)) for name, value in base.items()}
    for name, values in varying.items():
        param = lookup(name)
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.shape[0] != n:
            raise ParamError(f"{name}: {arr.shape[0]} values, but other axes have {n}")
        if not param.sweepable:
            raise ParamError(f"parameter {name!r} cannot vary between runs of one batch; "
                             f"set it once instead")
        bad = ~((arr >= param.low) & (arr <= param.high))
        if bad.any():
            param.check(float(arr[bad][0]))  # raises with the registry's message
        columns[name] = arr
    explicit = set(fixed or {}) | set(varying)
    for name, param in REGISTRY.items():
        if param.derive is not None and name not in explicit:
            who = param.group
            if f"{who}.anxiety" in varying or f"{who}.avoidance" in varying:
                columns[name] = np.asarray(derived_value(
                    param, columns[f"{who}.anxiety"], columns[f"{who}.avoidance"]), float)
    return np.column_stack([columns[name] for name in PARAM_NAMES])


def row_values(matrix: np.ndarray, i: int) -> dict[str, Value]:
    """Row ``i`` of a parameter matrix as a dict by name (ints where the registry says)."""
    return {name: (int(v) if REGISTRY[name].kind == "int" else float(v))
            for name, v in zip(PARAM_NAMES, matrix[i], strict=True)}
