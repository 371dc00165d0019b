"""One run on the Mesa engine, with its trajectory as a DataFrame.

:func:`run_mesa` runs one :class:`dyadsim.model.DyadModel` and classifies it: what the
runner's Mesa engine does for each replicate, and what the benchmarks time. Replicates on
either engine are :func:`dyadsim.runner.run_replicates`' job; their summary is
:func:`dyadsim.summary.summarize`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from dyadsim import outcomes
from dyadsim.registry import Value
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


__all__ = ["RunResult", "run_mesa"]
