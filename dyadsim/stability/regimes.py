"""The stability map computed: which attractors the mean-field map has over two parameters.

For every cell of a grid over two parameters (everything else fixed, derived gains following
the traits as in a sweep), the mean-field map (:mod:`dyadsim.meanfield`) is iterated from
several starts (:func:`dyadsim.meanfield.starts`: the model's own initial state, each
partner deep in pursuit, both withdrawn, both calm, and seeded random states). The cell's
*regime* is what the orbits end on:

``settled`` / ``trapped`` / ``distant``  one attractor, a fixed point of that label
``bistable``  two or more distinct stable fixed points (``detail`` names them, e.g.
              ``settled+trapped``): which one a couple reaches depends on where it starts
``cycle``     at least one start ends on a limit cycle

Where neighbouring cells differ, the boundary is located by bisection along the grid line
between them (a simple numerical continuation: the attractors found at both ends seed the
search at each midpoint) to 1/64 of the grid spacing. Its kind follows from the regimes on
either side: next to ``bistable`` it is a **fold** (a stable point and a saddle meet and
vanish), next to ``cycle`` a **Hopf** (Neimark-Sacker for a map: a complex pair leaves the
unit circle); between two single attractors of different label it is a **threshold**: one
attractor that moves continuously across the classifier's level, not a bifurcation.

The map also predicts a run of the model (:attr:`StabilityMap.predicted`): the label of the
attractor reached from the model's initial state, or ``dissolved`` when the deterministic
orbit's probability of still being together after ``run.steps`` is below one half.
:mod:`dyadsim.stability.compare` holds that against simulated runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import meanfield
from dyadsim.params import lookup, param_matrix

REGIMES: tuple[str, ...] = ("settled", "trapped", "distant", "bistable", "cycle")
REGIME_COLOURS = {"settled": "#009E73", "trapped": "#D55E00", "distant": "#56B4E9",
                  "bistable": "#E69F00", "cycle": "#CC79A7"}
BOUNDARY_STYLE = {"fold": ("#000000", "solid"), "Hopf": ("#7F00FF", "dash"),
                  "threshold": ("#555555", "dot")}
SAME_ATTRACTOR = 1e-3
"""End states closer than this (max norm) after iterating are the same attractor."""
BISECTIONS = 6
MAX_CELLS = 250_000
"""At most this many cells (x values times y values, e.g. 500 x 500) in one map: each cell
holds a parameter row and the end states of several orbits, a few KB while the map is
computed, and the orbits take about a millisecond per cell."""


def check_cells(x_count: int, y_count: int) -> None:
    """Refuse, before anything is allocated, a map with more than :data:`MAX_CELLS` cells.

    Raises:
        ValueError: One line naming both counts, the cells and the limit.
    """
    cells = int(x_count) * int(y_count)
    if cells > MAX_CELLS:
        raise ValueError(f"{x_count:,} x {y_count:,} values = {cells:,} cells; allowed: at "
                         f"most {MAX_CELLS:,} cells (e.g. 500 x 500)")


@dataclass
class Boundary:
    """One boundary curve: points where the regime changes, in drawing order."""

    kind: str
    between: str
    x: list[float | None]
    y: list[float | None]

    @property
    def name(self) -> str:
        """A legend label, e.g. ``"fold (settled | bistable)"``."""
        return f"{self.kind} ({self.between})"


@dataclass
class StabilityMap:
    """The regimes over a grid of two parameters, and the boundaries between them.

    Arrays are indexed ``[j, i]``: row ``j`` is the ``j``-th value of the second (y) axis,
    column ``i`` the ``i``-th value of the first (x) axis, as in a heatmap.
    """

    x_name: str
    x: np.ndarray
    y_name: str
    y: np.ndarray
    fixed: dict[str, Any]
    regime: np.ndarray
    detail: np.ndarray
    from_start: np.ndarray
    together: np.ndarray
    boundaries: list[Boundary] = field(default_factory=list)

    @property
    def predicted(self) -> np.ndarray:
        """The predicted outcome of a run: the start's attractor, or ``dissolved``."""
        return np.where(self.together < 0.5, "dissolved", self.from_start)

    def frame(self) -> pd.DataFrame:
        """One row per cell."""
        jj, ii = np.meshgrid(np.arange(self.y.size), np.arange(self.x.size), indexing="ij")
        return pd.DataFrame({
            self.x_name: self.x[ii.ravel()], self.y_name: self.y[jj.ravel()],
            "regime": self.regime.ravel(), "attractors": self.detail.ravel(),
            "from_start": self.from_start.ravel(), "together": self.together.ravel(),
            "predicted": self.predicted.ravel(),
        })

    def boundary_frame(self) -> pd.DataFrame:
        """One row per boundary point (``None`` rows separate pieces of a curve)."""
        rows = [{"kind": b.kind, "between": b.between, self.x_name: x, self.y_name: y}
                for b in self.boundaries for x, y in zip(b.x, b.y, strict=True)]
        return pd.DataFrame(rows, columns=["kind", "between", self.x_name, self.y_name])

    def overlay(self) -> list[dict[str, Any]]:
        """The boundaries as overlay curves for :func:`dashboard.figures.heatmap_figure`."""
        return [{"x": b.x, "y": b.y, "name": b.name, "color": BOUNDARY_STYLE[b.kind][0],
                 "dash": BOUNDARY_STYLE[b.kind][1]} for b in self.boundaries]

    def counts(self) -> dict[str, int]:
        """How many cells each regime has."""
        return {r: int(np.sum(self.regime == r)) for r in REGIMES}


def _cells(fixed: Mapping[str, Any], names: tuple[str, str], xs: np.ndarray, ys: np.ndarray
           ) -> np.ndarray:
    return param_matrix(dict(fixed), {names[0]: xs, names[1]: ys})


def _regimes(matrix: np.ndarray, extra: np.ndarray | None, steps: int, survival: bool = True
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Regime, detail, the start's label, survival (NaN unless asked) and end states."""
    mf1 = meanfield.MeanField(matrix[:1])
    base = meanfield.starts(mf1)
    rows = matrix.shape[0]
    x0 = np.broadcast_to(base[:, None, :], (len(meanfield.STATE), rows, base.shape[1]))
    # the model's own initial state differs by row (trust0 and closeness0 follow traits)
    x0 = x0.copy()
    x0[:, :, 0] = meanfield.MeanField(matrix).initial()
    if extra is not None:
        x0 = np.concatenate([x0, extra], axis=2)
    found = meanfield.attractors(matrix, x0, steps=steps)
    regime = np.empty(rows, dtype=object)
    detail = np.empty(rows, dtype=object)
    for r in range(rows):
        kinds, labels, ends = found.kind[r], found.label[r], found.ends[:, r, :]
        if np.any(kinds == "cycle"):
            regime[r] = "cycle"
            detail[r] = "+".join(sorted({f"{lab} {k}" if k == "cycle" else lab
                                         for k, lab in zip(kinds, labels, strict=True)}))
            continue
        distinct: list[tuple[np.ndarray, str]] = []
        for s in range(ends.shape[1]):
            if all(np.max(np.abs(ends[:, s] - e)) > SAME_ATTRACTOR for e, _ in distinct):
                distinct.append((ends[:, s], labels[s]))
        names = sorted(lab for _, lab in distinct)
        detail[r] = "+".join(names)
        regime[r] = "bistable" if len(distinct) > 1 else names[0]
    start = np.where(found.kind[:, 0] == "cycle", "cycle", found.label[:, 0])
    together = np.full(rows, np.nan)
    if survival:
        mf = meanfield.MeanField(matrix)
        horizon = int(mf.steps.max())
        _, alive = mf.run(horizon, x0=x0[:, :, 0].copy(), every=horizon)
        together = alive[-1]
    return regime, detail, start, together, found.ends


def _kind(a: str, b: str) -> str:
    pair = {a, b}
    if "cycle" in pair:
        return "Hopf"
    if "bistable" in pair:
        return "fold"
    return "threshold"


def stability_map(
    axes: Sequence[tuple[str, Sequence[float]]],
    fixed: Mapping[str, Any] | None = None,
    steps: int = 3000,
    boundaries: bool = True,
) -> StabilityMap:
    """The mean-field regimes over two parameter axes, with boundary curves.

    Args:
        axes: Two ``(name, values)`` pairs: x then y. Values must be within the registry's
            bounds; the parameters must be sweepable.
        fixed: Other parameter values (anything else takes its default; derived gains follow
            each cell's traits unless set here).
        steps: Episodes each orbit is iterated before its end is inspected.
        boundaries: Whether to locate the boundary curves (costs about as much again).

    Raises:
        dyadsim.params.ParamError: For an unknown or unsweepable parameter or a value out of
            range (named).
        ValueError: Unless exactly two distinct axes with at least two values each.
    """
    if len(axes) != 2 or axes[0][0] == axes[1][0]:
        raise ValueError("a stability map needs two different axes")
    (xn, xv), (yn, yv) = axes
    xs, ys = np.asarray(xv, dtype=float), np.asarray(yv, dtype=float)
    if xs.size < 2 or ys.size < 2:
        raise ValueError("each axis needs at least two values")
    check_cells(xs.size, ys.size)
    for name in (xn, yn):
        lookup(name)
    fixed = dict(fixed or {})
    gx, gy = np.meshgrid(xs, ys)
    matrix = _cells(fixed, (xn, yn), gx.ravel(), gy.ravel())
    regime, detail, start, together, ends = _regimes(matrix, None, steps)
    shape = (ys.size, xs.size)
    result = StabilityMap(xn, xs, yn, ys, fixed, regime.reshape(shape).astype(str),
                          detail.reshape(shape).astype(str), start.reshape(shape),
                          together.reshape(shape))
    if boundaries:
        ends = ends.reshape(len(meanfield.STATE), *shape, ends.shape[-1])
        result.boundaries = _boundaries(result, ends, steps)
    return result


def _boundaries(m: StabilityMap, ends: np.ndarray, steps: int) -> list[Boundary]:
    """Locate every regime change between neighbouring cells by vectorized bisection."""
    segs = []  # (j0, i0, j1, i1)
    ny, nx = m.regime.shape
    for j, i in itertools.product(range(ny), range(nx)):
        if i + 1 < nx and m.regime[j, i] != m.regime[j, i + 1]:
            segs.append((j, i, j, i + 1))
        if j + 1 < ny and m.regime[j, i] != m.regime[j + 1, i]:
            segs.append((j, i, j + 1, i))
    if not segs:
        return []
    s = np.array(segs)
    lo = np.stack([m.x[s[:, 1]], m.y[s[:, 0]]], axis=1)
    hi = np.stack([m.x[s[:, 3]], m.y[s[:, 2]]], axis=1)
    lo_regime = m.regime[s[:, 0], s[:, 1]].astype(object)
    hi_regime = m.regime[s[:, 2], s[:, 3]].astype(object)
    kinds = [_kind(a, b) for a, b in zip(lo_regime, hi_regime, strict=True)]
    between = [" | ".join(sorted((a, b))) for a, b in zip(lo_regime, hi_regime, strict=True)]
    # the attractors at both ends seed the search at each midpoint
    extra = np.concatenate([ends[:, s[:, 0], s[:, 1], :], ends[:, s[:, 2], s[:, 3], :]],
                           axis=2)
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2.0
        matrix = _cells(m.fixed, (m.x_name, m.y_name), mid[:, 0], mid[:, 1])
        regime, *_ = _regimes(matrix, extra, steps, survival=False)
        same_lo = regime == lo_regime
        lo = np.where(same_lo[:, None], mid, lo)
        hi = np.where(same_lo[:, None], hi, mid)
        # a third regime at the midpoint: keep bisecting towards the high side's regime
    point = (lo + hi) / 2.0
    curves: list[Boundary] = []
    for key in sorted(set(zip(kinds, between, strict=True))):
        chosen = [n for n, kb in enumerate(zip(kinds, between, strict=True)) if kb == key]
        xs, ys = _chain(point[chosen], (m.x[1] - m.x[0], m.y[1] - m.y[0]))
        curves.append(Boundary(key[0], key[1], xs, ys))
    return curves


def _chain(points: np.ndarray, spacing: tuple[float, float]) -> tuple[list, list]:
    """Order scattered boundary points into polylines (nearest neighbour, broken at gaps)."""
    scale = np.array([abs(spacing[0]) or 1.0, abs(spacing[1]) or 1.0])
    unit = points / scale
    left = list(range(len(points)))
    start = min(left, key=lambda n: (unit[n, 0] + unit[n, 1]))
    order = [start]
    left.remove(start)
    xs: list[float | None] = [float(points[start, 0])]
    ys: list[float | None] = [float(points[start, 1])]
    while left:
        here = unit[order[-1]]
        nxt = min(left, key=lambda n: float(np.sum((unit[n] - here) ** 2)))
        if np.sqrt(np.sum((unit[nxt] - here) ** 2)) > 1.5:
            xs.append(None)
            ys.append(None)
        order.append(nxt)
        left.remove(nxt)
        xs.append(float(points[nxt, 0]))
        ys.append(float(points[nxt, 1]))
    return xs, ys
