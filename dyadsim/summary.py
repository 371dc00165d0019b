"""Replicates in, shares and intervals out: the one summary of outcome codes and metrics.

Every report of runs (``dyadsim run``, a sweep's ``summary.parquet``, the dashboard's compare,
the scenario checks, the sensitivity outputs and the experiments) reads these numbers from
:func:`summarize`:

- the share of runs in each outcome class (:data:`dyadsim.outcomes.OUTCOMES`) and the trap
  share (:data:`dyadsim.outcomes.TRAP_OUTCOMES`), each with a Wilson 95% interval;
- the mean of each metric (:data:`dyadsim.outcomes.METRIC_NAMES`) over the runs where it is
  defined (NaN values left out), with a Student-t 95% interval and the count used.

It is vectorised over design points: runs come point by point (``reps`` consecutive runs
per point, as :func:`dyadsim.runner.run_replicates` and the sweeps lay them out), and every
field is an array with one entry per point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import outcomes
from dyadsim.stats import mean_interval_rows, wilson_arrays

TRAP = "trap"
SHARE_NAMES: tuple[str, ...] = (*outcomes.OUTCOMES, TRAP)
"""The shares a summary holds: every outcome class, then the trap share."""


@dataclass(frozen=True)
class Summary:
    """Shares and metric means of runs, one entry per design point.

    Attributes:
        n: Runs per point.
        counts: Runs per point in each of :data:`SHARE_NAMES`.
        shares: ``counts / n``.
        share_low: Low end of each share's Wilson 95% interval.
        share_high: High end of each share's Wilson 95% interval.
        mean: Each metric's mean over its finite values.
        mean_low: Low end of the mean's Student-t 95% interval (NaN with fewer than 2).
        mean_high: High end of that interval.
        mean_n: Runs whose value counted.
    """

    n: np.ndarray
    counts: dict[str, np.ndarray]
    shares: dict[str, np.ndarray]
    share_low: dict[str, np.ndarray]
    share_high: dict[str, np.ndarray]
    mean: dict[str, np.ndarray]
    mean_low: dict[str, np.ndarray]
    mean_high: dict[str, np.ndarray]
    mean_n: dict[str, np.ndarray]

    @property
    def points(self) -> int:
        """Number of design points."""
        return int(self.n.shape[0])

    def table(self) -> pd.DataFrame:
        """One row per point, in a sweep's summary columns.

        ``n``, each share with ``_ci_low``/``_ci_high``, then each metric's ``_mean``,
        ``_ci_low``, ``_ci_high`` and ``_n``.
        """
        table: dict[str, Any] = {"n": self.n}
        for name in SHARE_NAMES:
            table[name] = self.shares[name]
            table[f"{name}_ci_low"] = self.share_low[name]
            table[f"{name}_ci_high"] = self.share_high[name]
        for name in outcomes.METRIC_NAMES:
            table[f"{name}_mean"] = self.mean[name]
            table[f"{name}_ci_low"] = self.mean_low[name]
            table[f"{name}_ci_high"] = self.mean_high[name]
            table[f"{name}_n"] = self.mean_n[name]
        return pd.DataFrame(table)

    def point(self, i: int = 0) -> dict[str, Any]:
        """Point ``i`` as plain Python numbers (the form ``dyadsim run --json`` prints)."""

        def f(a: np.ndarray) -> float:
            return float(a[i])

        return {
            "n": int(self.n[i]),
            "outcomes": {k: f(self.shares[k]) for k in outcomes.OUTCOMES},
            "outcomes_ci95": {k: [f(self.share_low[k]), f(self.share_high[k])]
                              for k in outcomes.OUTCOMES},
            "trap": f(self.shares[TRAP]),
            "trap_ci95": [f(self.share_low[TRAP]), f(self.share_high[TRAP])],
            "metrics": {k: {"mean": f(self.mean[k]),
                            "ci95": [f(self.mean_low[k]), f(self.mean_high[k])],
                            "n": int(self.mean_n[k][i])}
                        for k in outcomes.METRIC_NAMES},
        }


def share_values(outcome: np.ndarray, name: str) -> np.ndarray:
    """1.0 where a run's outcome is ``name`` (an outcome class, or ``trap``), else 0.0."""
    if name == TRAP:
        codes = [outcomes.OUTCOMES.index(o) for o in outcomes.TRAP_OUTCOMES]
    elif name in outcomes.OUTCOMES:
        codes = [outcomes.OUTCOMES.index(name)]
    else:
        raise ValueError(f"share {name!r}: unknown; allowed: {', '.join(SHARE_NAMES)}")
    return np.isin(np.asarray(outcome), codes).astype(float)


def share_of(hits: np.ndarray, points: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The share of runs where a yes/no holds, with its Wilson 95% interval, per point.

    For a per-run property that is not an outcome class (a 0/1 metric such as
    ``trap_entered``, or any test on a run's values), laid out as :func:`summarize` expects.

    Args:
        hits: One truth value (or 0/1) per run, point by point.
        points: Number of design points.

    Returns:
        The share, and the low and high ends of its interval, one entry per point.

    Raises:
        ValueError: If the runs do not split into ``points`` equal blocks.
    """
    flat = np.asarray(hits).reshape(-1)
    if points < 1 or flat.size % points:
        raise ValueError(f"points = {points}: {flat.size} runs do not split into that many "
                         f"equal blocks")
    count = (flat.reshape(points, -1) != 0).sum(axis=1)
    n = np.full(points, flat.size // points)
    low, high = wilson_arrays(count, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return count / n, low, high


def summarize(outcome: np.ndarray, metrics: np.ndarray | None = None,
              points: int = 1) -> Summary:
    """Shares with Wilson intervals and metric means with t intervals, per design point.

    Args:
        outcome: Outcome codes (indices into :data:`dyadsim.outcomes.OUTCOMES`), point by
            point: ``points`` blocks of equally many consecutive runs.
        metrics: Shape ``(runs, len(METRIC_NAMES))``, in the same order; ``None`` leaves
            the metric fields empty.
        points: Number of design points.

    Returns:
        A :class:`Summary` with one entry per point.

    Raises:
        ValueError: If the runs do not split into ``points`` equal blocks.
    """
    codes = np.asarray(outcome)
    if points < 1 or codes.size % points:
        raise ValueError(f"points = {points}: {codes.size} runs do not split into that many "
                         f"equal blocks")
    reps = codes.size // points
    codes = codes.reshape(points, reps)
    n = np.full(points, reps)
    counts = {name: (codes == k).sum(axis=1) for k, name in enumerate(outcomes.OUTCOMES)}
    counts[TRAP] = sum(counts[name] for name in outcomes.TRAP_OUTCOMES)
    shares, low, high = {}, {}, {}
    for name, count in counts.items():
        low[name], high[name] = wilson_arrays(count, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares[name] = count / n
    means: tuple[dict[str, np.ndarray], ...] = ({}, {}, {}, {})
    if metrics is not None:
        per_point = np.asarray(metrics, dtype=float).reshape(points, reps, -1)
        for j, name in enumerate(outcomes.METRIC_NAMES):
            for part, values in zip(means, mean_interval_rows(per_point[:, :, j]),
                                    strict=True):
                part[name] = values
    return Summary(n, counts, shares, low, high, *means)
