"""One run on the Mesa engine, and the list-of-runs form some callers still take.

:func:`run_mesa` runs one :class:`dyadsim.model.DyadModel` and classifies it. Replicates on
either engine are :func:`dyadsim.runner.run_replicates`' job, their summary
:func:`dyadsim.summary.summarize`'s; :func:`replicate` and :func:`summarize` here are thin
forms of those two that return and take a list of :class:`RunResult`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import outcomes, summary
from dyadsim.params import Value
from dyadsim.runner import ENGINES, Engine, run_replicates
from dyadsim.timeline import Timeline


@dataclass(frozen=True)
class RunResult:
    """One finished run: its seed, outcome class, metrics and trajectory."""

    seed: int
    outcome: str
    metrics: dict[str, float]
    trajectory: pd.DataFrame


def run_mesa(
    values: Mapping[str, Value],
    seed: int,
    steps: int | None = None,
    timeline: Timeline | None = None,
    explicit: Collection[str] | None = None,
) -> RunResult:
    """Run one dyad on the Mesa engine with these parameter values and seed; classify it.

    ``explicit`` names the parameters set on purpose (the rest of ``values`` follow the
    traits, also when a timeline changes a trait); ``None`` means all of ``values``.
    """
    from dyadsim.model import DyadModel

    given = values if explicit is None else {k: values[k] for k in explicit}
    model = DyadModel(given, rng=seed, timeline=timeline).run(steps)
    traj = model.trajectory()
    label, metrics = outcomes.assess(traj)
    return RunResult(seed, label, metrics, traj)


def replicate(
    overrides: Mapping[str, Any] | None = None,
    reps: int = 1,
    root_seed: int | None = None,
    workers: int = 1,
    engine: Engine = "batch",
    timeline: Timeline | None = None,
) -> tuple[dict[str, Value], list[RunResult]]:
    """:func:`dyadsim.runner.run_replicates` as a list of runs, each with its trajectory.

    Returns:
        The resolved parameter values and one :class:`RunResult` per replicate.
    """
    reps_ = run_replicates(overrides, reps=reps, root_seed=root_seed, engine=engine,
                           record_every=1, timeline=timeline, workers=workers)
    names = reps_.outcome_names()
    results = [RunResult(int(seed), names[i],
                         dict(zip(outcomes.METRIC_NAMES, reps_.metrics[i].tolist(),
                                  strict=True)),
                         reps_.trajectory(i))
               for i, seed in enumerate(reps_.seeds)]
    return reps_.values, results


def summarize(results: Sequence[RunResult]) -> dict[str, Any]:
    """:func:`dyadsim.summary.summarize` of a list of runs, as one point's plain dict."""
    codes = np.array([outcomes.OUTCOMES.index(r.outcome) for r in results], dtype=np.int8)
    metrics = np.array([[r.metrics[k] for k in outcomes.METRIC_NAMES] for r in results],
                       dtype=float)
    return summary.summarize(codes, metrics).point()


__all__ = ["ENGINES", "Engine", "RunResult", "replicate", "run_mesa", "summarize"]
