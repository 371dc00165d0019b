"""Running the model: one run, replicates, and their summary, on either engine.

Two engines run the same rules: ``"mesa"`` (:class:`dyadsim.model.DyadModel`, one Mesa
model per run) and ``"batch"`` (:mod:`dyadsim.batch`, all replicates at once in compiled
code). For the same parameters and seed they give the same trajectory (tested to 1e-9).
Replicate seeds are spawned from a root seed (:func:`dyadsim.streams.replicate_seeds`), so
a root seed reproduces every number, whatever the engine or number of workers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from dyadsim import batch, outcomes
from dyadsim.model import DyadModel
from dyadsim.params import Value, make_params
from dyadsim.stats import mean_interval, wilson
from dyadsim.streams import run_seeds
from dyadsim.timeline import Timeline


@dataclass(frozen=True)
class RunResult:
    """One finished run: its seed, outcome class, metrics and trajectory."""

    seed: int
    outcome: str
    metrics: dict[str, float]
    trajectory: pd.DataFrame


Engine = Literal["batch", "mesa"]
ENGINES: tuple[str, ...] = ("batch", "mesa")


def simulate(
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
    given = values if explicit is None else {k: values[k] for k in explicit}
    model = DyadModel(given, rng=seed, timeline=timeline).run(steps)
    traj = model.trajectory()
    label, metrics = outcomes.assess(traj)
    return RunResult(seed, label, metrics, traj)


def _replicate_batch(values: dict[str, Value], seeds: Sequence[int],
                     timeline: Timeline | None, explicit: Collection[str]) -> list[RunResult]:
    matrix = np.repeat(batch.param_matrix(values), len(seeds), axis=0)
    result = batch.run_batch(matrix, seeds, int(values["run.steps"]), record_every=1,
                             timeline=timeline, explicit=explicit)
    names = result.outcome_names()
    return [
        RunResult(int(seed), names[i],
                  dict(zip(outcomes.METRIC_NAMES, result.metrics[i].tolist(), strict=True)),
                  result.trajectory(i))
        for i, seed in enumerate(seeds)
    ]


def _simulate_args(args: tuple[Any, ...]) -> RunResult:
    return simulate(*args)


def replicate(
    overrides: Mapping[str, Any] | None = None,
    reps: int = 1,
    root_seed: int | None = None,
    workers: int = 1,
    engine: Engine = "mesa",
    timeline: Timeline | None = None,
) -> tuple[dict[str, Value], list[RunResult]]:
    """Run ``reps`` replicates, seeded from ``root_seed`` (default ``run.seed``).

    With ``reps == 1`` the single run uses the root seed itself, so ``--seed S`` and
    ``DyadModel(rng=S)`` give the same run. Results come back in replicate order and do
    not depend on ``workers`` (processes for the Mesa engine, threads for the batch
    engine) or on ``engine``.

    Returns:
        The resolved parameter values and the list of results.
    """
    explicit = set(overrides or {}) - {"run.seed"}
    values = make_params({**(overrides or {}), **(
        {"run.seed": root_seed} if root_seed is not None else {})})
    root = int(values["run.seed"])
    seeds = run_seeds(root, reps)
    if engine not in ENGINES:
        raise ValueError(f"engine: unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if engine == "batch":
        return values, _replicate_batch(values, seeds, timeline, explicit)
    steps = int(values["run.steps"])
    jobs = [(values, s, steps, timeline, explicit) for s in seeds]
    if workers > 1 and reps > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = list(pool.map(_simulate_args, jobs, chunksize=max(1, reps // (4 * workers))))
    else:
        results = [_simulate_args(job) for job in jobs]
    return values, results


def summarize(results: Sequence[RunResult]) -> dict[str, Any]:
    """Outcome shares with Wilson 95% intervals, and metric means with 95% intervals."""
    n = len(results)
    counts = {name: sum(r.outcome == name for r in results) for name in outcomes.OUTCOMES}
    trap = sum(counts[name] for name in outcomes.TRAP_OUTCOMES)
    metric_summary = {}
    for name in outcomes.METRICS:
        mean, low, high, used = mean_interval([r.metrics[name] for r in results])
        metric_summary[name] = {"mean": mean, "ci95": [low, high], "n": used}
    return {
        "n": n,
        "outcomes": {k: v / n for k, v in counts.items()},
        "outcomes_ci95": {k: list(wilson(v, n)) for k, v in counts.items()},
        "trap": trap / n,
        "trap_ci95": list(wilson(trap, n)),
        "metrics": metric_summary,
    }


def long_trajectories(results: Sequence[RunResult]) -> pd.DataFrame:
    """All replicates' per-step trajectories in one long table.

    The first columns are ``replicate`` and ``run.seed``.
    """
    frames = []
    for i, r in enumerate(results):
        frame = r.trajectory.copy()
        frame.insert(0, "run.seed", r.seed)
        frame.insert(0, "replicate", i)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
