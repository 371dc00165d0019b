"""Attractors: where the orbits of many parameter rows end, at a fixed point or on a cycle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dyadsim.meanfield.map import _NO_ALIVE, STATE, MeanField, _iterate, label


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
