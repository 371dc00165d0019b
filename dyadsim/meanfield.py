"""The mean-field limit of the rules: a deterministic map, its fixed points and its cycles.

One episode of the model is a map ``x_{t+1} = F(x_t)`` on the dyad's slow state once its
three random draws are replaced by their expectations:

* a lapse (``u < lapse_rate``) becomes the lapse rate itself (availability is linear in it);
* an ambiguous episode (``u < ambiguity``) becomes the ambiguity rate (perceived
  availability is a mixture, linear in the indicator);
* the observation noise ``noise * z`` becomes its mean, 0;
* the exit draw does not feed back on the state; it becomes the per-episode hazard, and a
  deterministic orbit carries the probability that the couple is still together.

:meth:`MeanField.step` calls the functions of :mod:`dyadsim.rules` in the schedule of
:class:`dyadsim.model.DyadModel` (signal, perceive, appraise, act, dyad), on arrays of many
parameter rows at once. With noise, ambiguity and lapses at zero it *is* the model, and it
reproduces the batch engine's trajectory to rounding (tested).

The model is discrete in time, so the analysis is that of a map: a fixed point ``x* = F(x*)``
is stable when every eigenvalue ``mu`` of the Jacobian ``DF(x*)`` has ``|mu| < 1``; it is
oscillatory (a spiral) when the leading eigenvalue is complex; a complex pair leaving the
unit circle is a Neimark-Sacker (discrete Hopf) bifurcation, a real eigenvalue through +1 a
fold. :func:`classify` also takes the eigenvalues of a flow ``x' = f(x)`` (real parts
against 0), for the textbook cases.

State (:data:`STATE`): for each partner activation, pursuit, withdrawal, trust,
inconsistency, fatigue and satisfaction; then the dyad's closeness. The per-episode
quantities (availability, perception, threat, pressure, intrusion) are recomputed in each
step from these, as in the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numba
import numpy as np
from numba import prange
from numba.extending import register_jitable
from scipy import optimize

from dyadsim import episode, outcomes
from dyadsim.batch import param_matrix
from dyadsim.episode import put
from dyadsim.params import PARTNER_FIELDS, PARTNERS, make_params
from dyadsim.schema import (
    PARAM_NAMES,
    S_ACT,
    S_FAT,
    S_INC,
    S_PUR,
    S_SAT,
    S_TRUST,
    S_WD,
    SLOW_VARS,
    dyad_vector,
    partner_vectors,
)

PARTNER_STATE: tuple[str, ...] = SLOW_VARS
"""One partner's part of the mean-field state: the state that carries over between episodes."""
STATE: tuple[str, ...] = (
    *(f"{who}.{var}" for who in PARTNERS for var in PARTNER_STATE), "dyad.closeness",
)
"""The mean-field state vector, in order (15 entries)."""

_N = len(PARTNER_STATE)
_IDX = {name: i for i, name in enumerate(STATE)}
CLOSENESS = _IDX["dyad.closeness"]
# offsets of each variable within a partner's block
M_ACT, M_PUR, M_WD, M_TRUST = (PARTNER_STATE.index(v) for v in (
    "activation", "pursuit", "withdrawal", "trust"))
M_INC, M_FAT, M_SAT = (PARTNER_STATE.index(v) for v in ("inconsistency", "fatigue",
                                                         "satisfaction"))
_FEEDBACK = np.array([i for i, name in enumerate(STATE)
                      if not name.endswith((".satisfaction", ".inconsistency"))])

Kind = Literal["map", "flow"]
Label = Literal["settled", "trapped", "distant"]

FIXED_TOL = 1e-9
"""A fixed point's residual ``max |F(x) - x|`` must be below this."""
SAME_POINT = 1e-5
"""Two fixed points closer than this (max norm) are the same point."""


@register_jitable
def _unpack(x: np.ndarray, k: int) -> episode.State:
    """The engines' state tuple of the partner whose block starts at ``k``.

    The per-episode variables are left at 0: every episode sets them before reading them.
    """
    st = episode.ZERO_STATE
    st = put(st, S_ACT, x[k + M_ACT])
    st = put(st, S_PUR, x[k + M_PUR])
    st = put(st, S_WD, x[k + M_WD])
    st = put(st, S_TRUST, x[k + M_TRUST])
    st = put(st, S_INC, x[k + M_INC])
    st = put(st, S_FAT, x[k + M_FAT])
    return put(st, S_SAT, x[k + M_SAT])


@register_jitable
def _pack(st: episode.State, out: np.ndarray, k: int) -> None:
    out[k + M_ACT], out[k + M_PUR], out[k + M_WD] = st[S_ACT], st[S_PUR], st[S_WD]
    out[k + M_TRUST], out[k + M_INC] = st[S_TRUST], st[S_INC]
    out[k + M_FAT], out[k + M_SAT] = st[S_FAT], st[S_SAT]


@register_jitable
def _episode(x: np.ndarray, out: np.ndarray, pa: np.ndarray, pb: np.ndarray,
             d: np.ndarray) -> None:
    """One episode of one row: :func:`dyadsim.episode.expected_step` on the slow state."""
    sa, sb, c = episode.expected_step(_unpack(x, 0), _unpack(x, _N), pa, pb, d, x[CLOSENESS])
    _pack(sa, out, 0)
    _pack(sb, out, _N)
    out[CLOSENESS] = c


@register_jitable
def _stay(x: np.ndarray, pa: np.ndarray, pb: np.ndarray, d: np.ndarray) -> float:
    """The chance that neither partner leaves in an episode that ends in state ``x``."""
    stay = 1.0 - episode.exit_hazard(_unpack(x, 0), pa, d)
    return stay * (1.0 - episode.exit_hazard(_unpack(x, _N), pb, d))


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _iterate(x: np.ndarray, pp: np.ndarray, dp: np.ndarray, steps: int, window: int,
             pw: np.ndarray, tail: np.ndarray, alive: np.ndarray) -> None:
    """Advance every column of ``x`` by ``steps`` episodes, in place.

    In the last ``2 * window`` episodes the pursue-withdraw signal goes to ``pw`` (one row
    per episode); in the last ``window`` the states are summed into ``tail``. If ``alive``
    has an entry per column, each is multiplied by every episode's chance of staying
    together.
    """
    survival = alive.shape[0] > 0
    for i in prange(x.shape[1]):
        a = x[:, i].copy()
        b = np.empty_like(a)
        for t in range(steps):
            _episode(a, b, pp[i, 0], pp[i, 1], dp[i])
            a, b = b, a
            if survival:
                alive[i] *= _stay(a, pp[i, 0], pp[i, 1], dp[i])
            j = t - (steps - 2 * window)
            if window > 0 and j >= 0:
                pw[j, i] = outcomes.pw_signal(a[M_PUR], a[_N + M_WD], a[_N + M_PUR], a[M_WD])
                if j >= window:
                    for v in range(a.shape[0]):
                        tail[v, i] += a[v]
        x[:, i] = a


_NO_PW = np.empty((0, 0))
_NO_TAIL = np.empty((0, 0))
_NO_ALIVE = np.empty(0)


class MeanField:
    """The deterministic map of the rules for one or many parameter rows.

    Args:
        params: A parameter matrix ``(n, len(PARAM_NAMES))`` as
            :func:`dyadsim.batch.param_matrix` builds it, or one parameter mapping (dotted
            names; derived gains follow the traits, as in :func:`make_params`).
    """

    def __init__(self, params: np.ndarray | Mapping[str, Any]) -> None:
        if isinstance(params, Mapping):
            params = param_matrix(make_params(params))
        self.matrix = np.atleast_2d(np.asarray(params, dtype=float))
        if self.matrix.shape[1] != len(PARAM_NAMES):
            raise ValueError(f"params has {self.matrix.shape[1]} columns, expected "
                             f"{len(PARAM_NAMES)}")
        self.n = self.matrix.shape[0]
        col = {name: self.matrix[:, i] for i, name in enumerate(PARAM_NAMES)}
        self.partner = [{f: col[f"{who}.{f}"] for f in PARTNER_FIELDS} for who in PARTNERS]
        self.dyad = {name.split(".", 1)[1]: col[name] for name in PARAM_NAMES
                     if name.startswith("dyad.")}
        self.steps = col["run.steps"].astype(int)
        self._pp = partner_vectors(self.matrix)
        self._dp = dyad_vector(self.matrix)

    def initial(self) -> np.ndarray:
        """The model's initial state for every row: shape ``(len(STATE), n)``."""
        x = np.zeros((len(STATE), self.n))
        for k in range(len(PARTNERS)):  # the stage functions take arrays of rows, too
            _pack(episode.initial(self._pp[:, k].T), x, k * _N)
        x[CLOSENESS] = episode.initial_closeness(self._dp.T)
        return x

    def _checked(self, x: np.ndarray) -> np.ndarray:
        """A C-ordered float copy of ``x``, which must have one column per parameter row."""
        out = np.array(x, dtype=float, order="C")
        if out.shape != (len(STATE), self.n):
            raise ValueError(f"state has shape {out.shape}, expected ({len(STATE)}, {self.n}):"
                             f" one column per parameter row")
        return out

    def step(self, x: np.ndarray) -> np.ndarray:
        """One episode of the mean-field map; ``x`` has shape ``(len(STATE), n)``."""
        out = self._checked(x)
        _iterate(out, self._pp, self._dp, 1, 0, _NO_PW, _NO_TAIL, _NO_ALIVE)
        return out

    def hazard(self, x: np.ndarray) -> np.ndarray:
        """Per-episode probability that the relationship ends in state ``x`` (either partner)."""
        x = np.asarray(x, dtype=float)
        return 1.0 - _stay(x, self._pp[:, 0].T, self._pp[:, 1].T, self._dp.T)

    def run(self, steps: int, x0: np.ndarray | None = None, every: int = 1
            ) -> tuple[np.ndarray, np.ndarray]:
        """Iterate the map ``steps`` times from ``x0`` (default: the model's initial state).

        Returns:
            The orbit, shape ``(rows, len(STATE), n)`` with every ``every``-th step (step 0
            first), and the probability of still being together at those steps.
        """
        x = self._checked(self.initial() if x0 is None else x0)
        together = np.ones(self.n)
        keep, alive = [x.copy()], [together.copy()]
        done = 0
        while done < steps:
            chunk = min(every, steps - done)
            _iterate(x, self._pp, self._dp, chunk, 0, _NO_PW, _NO_TAIL, together)
            done += chunk
            if chunk == every:
                keep.append(x.copy())
                alive.append(together.copy())
        return np.stack(keep), np.stack(alive)


def pursue_withdraw(x: np.ndarray) -> np.ndarray:
    """The pursue-withdraw signal ``max(p_a w_b, p_b w_a)`` of states (axis 0 is STATE)."""
    return outcomes.pursue_withdraw({name: x[i] for i, name in enumerate(STATE)})


def label(x: np.ndarray) -> np.ndarray:
    """What the outcome classifier would call a run that sat at state ``x`` for good.

    ``trapped`` when the pursue-withdraw signal is at or above the episode level
    (``outcomes.PW_ON``) and the more distressed partner's activation at or above
    ``outcomes.ESCALATED_ACTIVATION`` (the classifier's ``escalated``); else ``distant``
    when closeness is below ``outcomes.DISTANT_CLOSENESS``; else ``settled``.
    """
    x = np.asarray(x, dtype=float)
    pw = pursue_withdraw(x)
    act = np.maximum(x[_IDX["partner_a.activation"]], x[_IDX["partner_b.activation"]])
    trapped = (pw >= outcomes.PW_ON) & (act >= outcomes.ESCALATED_ACTIVATION)
    distant = ~(pw >= outcomes.PW_ON) & (x[CLOSENESS] < outcomes.DISTANT_CLOSENESS)
    return np.where(trapped, "trapped", np.where(distant, "distant", "settled"))


# --- Linear stability ---------------------------------------------------------------------


def jacobian(mf: MeanField, x: np.ndarray, h: float = 1e-7) -> np.ndarray:
    """The Jacobian ``DF(x)`` of a one-row map by central differences."""
    x = np.asarray(x, dtype=float).reshape(-1)
    n = x.size
    cols = np.concatenate([x[:, None] + h * np.eye(n), x[:, None] - h * np.eye(n)], axis=1)
    wide = MeanField(np.repeat(mf.matrix[:1], 2 * n, axis=0))
    fx = wide.step(cols)
    return (fx[:, :n] - fx[:, n:]) / (2.0 * h)


def classify(eigenvalues: np.ndarray, kind: Kind = "map", tol: float = 1e-9) -> str:
    """Name a fixed point from its Jacobian's eigenvalues (Strogatz's classes, any dimension).

    For a map (``kind="map"``) an eigenvalue is stable when ``|mu| < 1``; for a flow
    (``kind="flow"``) when ``Re(lambda) < 0``. Returns ``"stable node"``, ``"stable
    spiral"``, ``"unstable node"``, ``"unstable spiral"``, ``"saddle"`` (stable and unstable
    directions) or ``"centre"`` (a neutral direction, not hyperbolic). A spiral is
    oscillatory: its slowest (stable) or fastest-growing (unstable) mode is a complex pair.
    """
    ev = np.asarray(eigenvalues, dtype=complex).reshape(-1)
    growth = np.abs(ev) - 1.0 if kind == "map" else ev.real
    if np.any(np.abs(growth) <= tol):
        return "centre"
    if np.all(growth < 0):
        stability = "stable"
    elif np.all(growth > 0):
        stability = "unstable"
    else:
        return "saddle"
    lead = ev[np.argmax(growth)]
    return f"{stability} {'spiral' if abs(lead.imag) > tol else 'node'}"


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of the map for one parameter set.

    Attributes:
        state: The state vector (in :data:`STATE` order).
        eigenvalues: The Jacobian's eigenvalues, largest modulus first.
        kind: :func:`classify`'s name for it (``"stable spiral"``, ``"saddle"``...).
        label: What the outcome classifier would call a run resting there.
        residual: ``max |F(x) - x|``.
        hazard: The per-episode dissolution hazard there.
        leading: The largest-modulus eigenvalue of the variables that feed back (all but
            satisfaction and inconsistency): how fast, and whether spiralling, the
            dynamics return.
    """

    state: np.ndarray
    eigenvalues: np.ndarray
    kind: str
    label: str
    residual: float
    hazard: float
    leading: complex = 0j

    @property
    def stable(self) -> bool:
        """Whether nearby orbits return to it (every ``|mu| < 1``)."""
        return self.kind.startswith("stable")

    @property
    def oscillatory(self) -> bool:
        """Whether its leading mode is a complex pair (orbits spiral in or out)."""
        return self.kind.endswith("spiral") or self.kind == "centre"

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for tables and JSON."""
        lead = self.leading
        return {"kind": self.kind, "label": self.label, "stable": self.stable,
                "leading_modulus": float(abs(lead)), "leading_eigenvalue": str(lead),
                "residual": self.residual, "hazard": self.hazard,
                **{name: float(v) for name, v in zip(STATE, self.state, strict=True)}}


def describe(mf: MeanField, x: np.ndarray) -> FixedPoint:
    """Residual, Jacobian eigenvalues, class and label of a point of a one-row map."""
    x = np.asarray(x, dtype=float).reshape(-1)
    residual = float(np.max(np.abs(mf.step(x[:, None])[:, 0] - x)))
    jac = jacobian(mf, x)
    ev = np.linalg.eigvals(jac)
    ev = ev[np.argsort(-np.abs(ev), kind="stable")]
    # satisfaction feeds back on nothing, and at a fixed point (no surprise) neither does
    # inconsistency: their eigenvalues (1 - their rate) say nothing about how the
    # pursue-withdraw dynamics relax, so the leading mode is read without them
    core = np.linalg.eigvals(jac[np.ix_(_FEEDBACK, _FEEDBACK)])
    lead = complex(core[np.argmax(np.abs(core))])
    return FixedPoint(x, ev, classify(ev), str(label(x[:, None])[0]), residual,
                      float(mf.hazard(x[:, None])[0]), lead)


def starts(mf: MeanField, extra: int = 4, seed: int = 0) -> np.ndarray:
    """Initial states that probe each basin: shape ``(len(STATE), k)`` for a one-row map.

    The model's own initial state; each partner deep in pursuit against the other's
    withdrawal; both withdrawn and far apart; both calm and close; and ``extra`` states
    drawn from a generator seeded with ``seed`` (uniform on each variable's range).
    """
    base = mf.initial()[:, 0]
    out = [base]

    def state(**values: float) -> np.ndarray:
        x = base.copy()
        for key, value in values.items():
            x[_IDX[key.replace("__", ".")]] = value
        return x

    trap = {"dyad__closeness": 0.15}
    for k, who in enumerate(PARTNERS):
        other = PARTNERS[1 - k]
        out.append(state(**trap, **{f"{who}__activation": 0.9, f"{who}__pursuit": 0.8,
                                    f"{who}__trust": 0.2, f"{other}__withdrawal": 0.8,
                                    f"{other}__activation": 0.5}))
    out.append(state(partner_a__withdrawal=0.8, partner_b__withdrawal=0.8,
                     partner_a__trust=0.3, partner_b__trust=0.3, dyad__closeness=0.05))
    out.append(state(partner_a__trust=0.95, partner_b__trust=0.95, dyad__closeness=0.8))
    rng = np.random.default_rng(seed)
    for _ in range(extra):
        x = rng.uniform(0.0, 1.0, len(STATE))
        x[[_IDX[f"{w}.inconsistency"] for w in PARTNERS]] = 0.0
        out.append(x)
    return np.stack(out, axis=1)


def fixed_points(
    params: np.ndarray | Mapping[str, Any],
    guesses: np.ndarray | None = None,
    settle_steps: int = 3000,
) -> list[FixedPoint]:
    """Every fixed point found for one parameter set, stable ones first.

    Orbits from :func:`starts` (and any ``guesses``, shape ``(len(STATE), k)``) are iterated
    ``settle_steps`` episodes; their end points, the midpoints between distinct end points
    (where a saddle between two basins lies) and the guesses are then solved exactly for
    ``F(x) = x`` with :func:`scipy.optimize.root` (Powell's hybrid method). Solutions with a
    residual below :data:`FIXED_TOL` and inside the state's range are kept once each.
    """
    mf = MeanField(params)
    if mf.n != 1:
        raise ValueError(f"fixed_points takes one parameter set, got {mf.n} rows")
    x0 = starts(mf)
    if guesses is not None:
        x0 = np.concatenate([x0, np.asarray(guesses, dtype=float).reshape(len(STATE), -1)],
                            axis=1)
    wide = MeanField(np.repeat(mf.matrix, x0.shape[1], axis=0))
    x = x0
    for _ in range(settle_steps):
        x = wide.step(x)
    ends = _unique(list(x.T))
    candidates = list(ends)
    for i in range(len(ends)):
        for j in range(i + 1, len(ends)):
            for w in (0.25, 0.5, 0.75):
                candidates.append((1 - w) * ends[i] + w * ends[j])
    if guesses is not None:
        candidates.extend(np.asarray(guesses, dtype=float).reshape(len(STATE), -1).T)

    def residual(v: np.ndarray) -> np.ndarray:
        return mf.step(v[:, None])[:, 0] - v

    found: list[np.ndarray] = []
    for guess in candidates:
        sol = optimize.root(residual, guess, method="hybr", options={"xtol": 1e-13})
        xs = sol.x
        if np.max(np.abs(residual(xs))) < FIXED_TOL and np.all(np.abs(xs - 0.5) < 0.5 + 1e-9):
            found.append(xs)
    points = [describe(mf, p) for p in _unique(found)]
    return sorted(points, key=lambda fp: (not fp.stable, fp.label, fp.state[CLOSENESS]))


def _unique(points: list[np.ndarray], tol: float = SAME_POINT) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for p in points:
        if all(np.max(np.abs(p - q)) > tol for q in kept):
            kept.append(p)
    return kept


# --- Attractors: fixed points and cycles, many parameter rows at once ---------------------


@dataclass(frozen=True)
class Attractors:
    """Where orbits from several starts end, for many parameter rows.

    Attributes:
        ends: Final states, shape ``(len(STATE), rows, starts)``.
        kind: ``"point"`` or ``"cycle"`` per row and start.
        label: The end state's :func:`label` (a cycle's at its mean), per row and start.
        amplitude: Peak-to-peak range of the pursue-withdraw signal over the last window.
        period: A cycle's period in episodes (0 for a point), from the autocorrelation of
            the pursue-withdraw signal.
    """

    ends: np.ndarray
    kind: np.ndarray
    label: np.ndarray
    amplitude: np.ndarray
    period: np.ndarray


CYCLE_AMPLITUDE = 1e-3
"""A pursue-withdraw signal still swinging by more than this, without decaying, is a cycle."""
CONVERGED = 1e-8
"""An orbit whose state moves less than this in an episode (max norm) is at a fixed point."""


def attractors(matrix: np.ndarray, x0: np.ndarray, steps: int = 4000, window: int = 400,
               max_steps: int | None = None) -> Attractors:
    """Iterate every row from every start and name what each orbit settles on.

    Args:
        matrix: Parameter rows, ``(rows, len(PARAM_NAMES))``.
        x0: Starts, ``(len(STATE), starts)`` for all rows, or ``(len(STATE), rows,
            starts)``.
        steps: Episodes to iterate before the orbits are inspected.
        window: The tail in which a cycle is recognised: the pursue-withdraw signal swings
            (turns at least twice) by more than :data:`CYCLE_AMPLITUDE` and does not shrink
            from the window before (to 95%); a slow monotone drift is not a cycle.
        max_steps: Orbits that are neither at a fixed point (``max |F(x) - x| <``
            :data:`CONVERGED`) nor on a cycle go on, ``steps`` at a time, up to this many
            episodes in all (default ``8 * steps``): slow rates take long to settle.
    """
    rows, k = matrix.shape[0], x0.shape[-1]
    if x0.ndim == 2:
        x0 = np.broadcast_to(x0[:, None, :], (len(STATE), rows, k))
    window = min(window, steps // 2)
    wide = np.repeat(matrix, k, axis=0)
    x = np.ascontiguousarray(x0, dtype=float).reshape(len(STATE), rows * k).copy()
    amp = np.zeros(rows * k)
    cyc = np.zeros(rows * k, dtype=bool)
    mean = x.copy()
    period = np.zeros(rows * k, dtype=int)
    active = np.arange(rows * k)
    done = 0
    limit = max_steps if max_steps is not None else 8 * steps
    while active.size:
        mf = MeanField(wide[active])
        xa = np.ascontiguousarray(x[:, active])
        pw = np.zeros((2 * window, active.size))
        tail = np.zeros((len(STATE), active.size))
        _iterate(xa, mf._pp, mf._dp, steps, window, pw, tail, _NO_ALIVE)
        before = np.ptp(pw[:window], axis=0)
        amp[active] = np.ptp(pw[window:], axis=0)
        # a cycle swings (the signal turns at least twice), and does not die out
        slope = np.sign(np.diff(pw[window:], axis=0))
        turns = np.sum(slope[1:] * slope[:-1] < 0, axis=0)
        cyc[active] = ((amp[active] > CYCLE_AMPLITUDE) & (amp[active] >= 0.95 * before)
                       & (turns >= 2))
        mean[:, active] = tail / window
        for n in np.flatnonzero(cyc[active]):
            period[active[n]] = _period(pw[window:, n])
        x[:, active] = xa
        done += steps
        moving = np.max(np.abs(mf.step(xa) - xa), axis=0) >= CONVERGED
        active = active[moving & ~cyc[active]]
        if done + steps > limit:
            break
    labels = np.where(cyc, label(mean), label(x))
    shape = (rows, k)
    return Attractors(x.reshape(len(STATE), rows, k), np.where(cyc, "cycle", "point")
                      .reshape(shape), labels.reshape(shape), amp.reshape(shape),
                      period.reshape(shape))


def _period(series: np.ndarray) -> int:
    """The lag of the first autocorrelation peak after the first zero crossing."""
    s = series - series.mean()
    ac = np.correlate(s, s, mode="full")[s.size - 1:]
    if ac[0] <= 0:
        return 0
    ac = ac / ac[0]
    below = np.flatnonzero(ac < 0)
    if below.size == 0:
        return 0
    lag = below[0] + int(np.argmax(ac[below[0]:s.size // 2])) if below[0] < s.size // 2 else 0
    return int(lag)
