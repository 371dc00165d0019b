"""Sweep designs: a full grid, or a Latin hypercube or Sobol sample over named bounds.

A :class:`Design` holds the points and a JSON-able spec that regenerates them; the
``--axis``/``--bound`` parsers read the command line's form of both.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dyadsim.params import ParamError, lookup
from dyadsim.runner import bytes_text

DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol")
"""The design kinds (``--design``)."""
MAX_POINTS = 1_000_000
"""At most this many design points (a grid's product of counts, or ``--points``): the
points are held in memory (8 bytes per parameter each) and each becomes a summary row."""
MAX_RUNS = 10_000_000
"""At most this many runs in one sweep (points x replicates): the finished sweep's
``runs.parquet`` holds one row of about 150 bytes per run, merged in memory at the end."""


class SweepError(ValueError):
    """A sweep that cannot run as asked; the message says why and what to do."""


# --- Designs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Design points of a sweep.

    Attributes:
        kind: ``grid``, ``lhs`` or ``sobol``.
        names: The parameters that vary, in column order.
        points: Array of shape ``(n_points, len(names))``.
        spec: A JSON-able description that regenerates the points.
    """

    kind: str
    names: tuple[str, ...]
    points: np.ndarray
    spec: dict[str, Any] = field(compare=False)

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return int(self.points.shape[0])


def _check_axis_param(name: str, low: float, high: float) -> None:
    param = lookup(name)
    if not param.sweepable:
        raise ParamError(f"parameter {name!r} cannot be swept; set it with --set instead")
    for value in (low, high):
        if not param.low <= value <= param.high:
            raise ParamError(f"{name}: bound {value:g} is out of range; allowed: "
                             f"{param.allowed()}")


def grid_points(axes: Mapping[str, tuple[float, float, int]]) -> int:
    """How many points a grid over ``axes`` has (the product of the counts)."""
    n = 1
    for _, _, count in axes.values():
        n *= max(int(count), 0)
    return n


def check_size(points: int, reps: int = 1, what: str = "") -> None:
    """Refuse, before anything is allocated, a design too big to hold or run.

    Args:
        points: Design points.
        reps: Replicates per point.
        what: The arguments that asked for them, as typed (``--points 1000000000000``).

    Raises:
        SweepError: One line naming the arguments, the size and the limit
            (:data:`MAX_POINTS` points, :data:`MAX_RUNS` runs).
    """
    given = f"{what}: " if what else ""
    if points > MAX_POINTS:
        raise SweepError(f"{given}{points:,} design points (about {bytes_text(points * 8)} "
                         f"per parameter to hold); allowed: at most {MAX_POINTS:,} points")
    if points * reps > MAX_RUNS:
        raise SweepError(f"{given}{points:,} points x {reps:,} replicates = "
                         f"{points * reps:,} runs; allowed: at most {MAX_RUNS:,} runs in one "
                         f"sweep (fewer points or replicates, or several sweeps)")


def grid(axes: Mapping[str, tuple[float, float, int]]) -> Design:
    """A full grid: ``axes`` maps each parameter to ``(low, high, count)``."""
    if not axes:
        raise SweepError("a grid needs at least one axis (--axis KEY=LOW:HIGH:COUNT)")
    for name, (_, _, count) in axes.items():
        if count > MAX_POINTS:
            raise SweepError(f"--axis {name}: count {count:,}; allowed: at most "
                             f"{MAX_POINTS:,} points")
    check_size(grid_points(axes), what="--axis " + " --axis ".join(
        f"{k}=...:{c}" for k, (_, _, c) in axes.items()))
    values = []
    for name, (low, high, count) in axes.items():
        _check_axis_param(name, low, high)
        if count < 1 or (count == 1 and low != high) or low > high:
            raise SweepError(f"--axis {name}: {low:g}:{high:g}:{count} needs low <= high and "
                             f"a count >= 2 (or low == high with count 1)")
        values.append(np.linspace(low, high, count))
    points = np.array(list(itertools.product(*values)), dtype=float)
    spec = {"kind": "grid", "axes": {k: list(v) for k, v in axes.items()}}
    return Design("grid", tuple(axes), points, spec)


def sample(
    bounds: Mapping[str, tuple[float, float]], n: int, method: str = "lhs", seed: int = 0
) -> Design:
    """A Latin hypercube (``lhs``) or scrambled Sobol (``sobol``) sample over ``bounds``.

    Uses :mod:`scipy.stats.qmc`, seeded, so the same arguments give the same points.
    A Sobol sample needs a power of two points (its balance properties depend on it).
    """
    from scipy.stats import qmc

    if not bounds:
        raise SweepError(f"a {method} design needs at least one --bound KEY=LOW:HIGH")
    if n < 1:
        raise SweepError(f"--points must be >= 1, got {n}")
    check_size(n, what=f"--points {n}")
    for name, (low, high) in bounds.items():
        _check_axis_param(name, low, high)
        if not low < high:
            raise SweepError(f"--bound {name}: needs LOW < HIGH, got {low:g}:{high:g}")
    d = len(bounds)
    if method == "lhs":
        unit = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(n)
    elif method == "sobol":
        if n & (n - 1):
            raise SweepError(f"--points {n}: a Sobol design needs a power of two "
                             f"(for example {1 << (n - 1).bit_length()})")
        unit = qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(seed)).random(n)
    else:
        raise SweepError(f"--design {method!r}: allowed: {', '.join(DESIGNS)}")
    low = np.array([b[0] for b in bounds.values()])
    high = np.array([b[1] for b in bounds.values()])
    points = qmc.scale(unit, low, high)
    spec = {"kind": method, "bounds": {k: list(v) for k, v in bounds.items()}, "points": n,
            "seed": seed}
    return Design(method, tuple(bounds), points, spec)


def _numbers(text: str, option: str, count: int, key: str) -> list[str]:
    parts = text.split(":")
    if len(parts) != count:
        shape = "LOW:HIGH:COUNT" if count == 3 else "LOW:HIGH"
        raise SweepError(f"{option} {key}={text}: expected {key}={shape}")
    return parts


def parse_axis(text: str) -> tuple[str, tuple[float, float, int]]:
    """Parse ``KEY=LOW:HIGH:COUNT`` (``--axis``)."""
    key, _, rest = text.partition("=")
    low, high, count = _numbers(rest, "--axis", 3, key.strip())
    try:
        return key.strip(), (float(low), float(high), int(count))
    except ValueError:
        raise SweepError(f"--axis {text}: LOW and HIGH must be numbers and COUNT a whole "
                         f"number, e.g. partner_a.anxiety=0:1:21") from None


def parse_bound(text: str) -> tuple[str, tuple[float, float]]:
    """Parse ``KEY=LOW:HIGH`` (``--bound``)."""
    key, _, rest = text.partition("=")
    low, high = _numbers(rest, "--bound", 2, key.strip())
    try:
        return key.strip(), (float(low), float(high))
    except ValueError:
        raise SweepError(f"--bound {text}: LOW and HIGH must be numbers, e.g. "
                         f"dyad.noise=0:0.3") from None
