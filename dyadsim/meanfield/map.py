"""The map: one episode of the rules with expected draws, iterated over many parameter rows.

:class:`MeanField` wraps the compiled iteration :func:`_iterate` (an episode is
:func:`dyadsim.episode.expected_step` on the slow state, :data:`STATE`); :func:`label` says
what the outcome classifier would call a run resting at a state. The package docstring
(:mod:`dyadsim.meanfield`) says how the random draws become expectations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numba
import numpy as np
from numba import literal_unroll, prange
from numba.extending import register_jitable

from dyadsim import episode, outcomes
from dyadsim.episode import put
from dyadsim.params import PARTNER_FIELDS, PARTNERS, make_params, param_matrix
from dyadsim.schema import (
    PARAM_NAMES,
    SLOW_INDEX,
    SLOW_VARS,
    dyad_vector,
    partner_vectors,
)

PARTNER_STATE: tuple[str, ...] = SLOW_VARS
"""One partner's part of the mean-field state: the state that carries over between episodes."""
STATE: tuple[str, ...] = (
    *(f"{who}.{var}" for who in PARTNERS for var in PARTNER_STATE), "dyad.closeness",
)
"""The mean-field state vector, in order (one block per partner, then closeness)."""

_N = len(PARTNER_STATE)
_IDX = {name: i for i, name in enumerate(STATE)}
CLOSENESS = _IDX["dyad.closeness"]
# offsets of each variable within a partner's block
M_ACT, M_PUR, M_WD, M_TRUST = (PARTNER_STATE.index(v) for v in (
    "activation", "pursuit", "withdrawal", "trust"))
M_INC, M_FAT, M_SAT = (PARTNER_STATE.index(v) for v in ("inconsistency", "fatigue",
                                                         "satisfaction"))

_SLOTS = tuple((m, s) for m, s in enumerate(SLOW_INDEX))
"""(position in a partner's block, position in the state tuple) of each slow variable."""

Label = Literal["settled", "trapped", "distant"]


@register_jitable
def _unpack(x: np.ndarray, k: int) -> episode.State:
    """The engines' state tuple of the partner whose block starts at ``k``.

    The per-episode variables are left at 0: every episode sets them before reading them.
    """
    st = episode.ZERO_STATE
    for j in literal_unroll(_SLOTS):
        st = put(st, j[1], x[k + j[0]])
    return st


@register_jitable
def _pack(st: episode.State, out: np.ndarray, k: int) -> None:
    for j in literal_unroll(_SLOTS):
        out[k + j[0]] = st[j[1]]


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
            :func:`dyadsim.params.param_matrix` builds it, or one parameter mapping (dotted
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
