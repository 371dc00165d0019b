"""The one runner: a scenario's (or a parameter mapping's) replicates on either engine.

:func:`run_replicates` resolves the parameters, lays out the runs (design points, each with
the same ``reps`` replicate seeds: common random numbers), runs them on the batch engine
(:func:`dyadsim.batch.run_batch`, the default) or on the Mesa model
(:class:`dyadsim.model.DyadModel`, one model per run), and returns a :class:`Replicates`:
outcome codes and metrics always, per-step trajectories only when asked for
(``record_every``). The two engines give the same runs (tested to 1e-9).

Seeds: one replicate uses the root seed itself; more are spawned from it
(:func:`dyadsim.streams.run_seeds`). Replicate ``r`` has the same seed at every point, so
``dyadsim run --set ... --reps R --seed S`` reruns any point of a sweep.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from dyadsim import batch, outcomes
from dyadsim.batch import TRAJECTORY_COLUMNS
from dyadsim.params import REGISTRY, Value, make_params, param_matrix
from dyadsim.streams import run_seeds
from dyadsim.summary import Summary, summarize
from dyadsim.timeline import Timeline

Engine = Literal["batch", "mesa"]
ENGINES: tuple[str, ...] = ("batch", "mesa")
MAX_TRAJECTORY_ROWS = 10_000_000
"""At most this many recorded trajectory rows (runs x recorded steps; about 240 bytes
each) in one call: more would not fit in memory."""
MAX_RUNS = 1_000_000
"""At most this many runs in one call. Each run costs about :data:`BYTES_PER_RUN` while
the call lasts (its seed, spawned with NumPy's ``SeedSequence``, its parameter row while its
chunk runs, its outcome, metrics and last step), so a million runs peak near 1.5 GB."""
BYTES_PER_RUN = 1_500
"""Measured peak memory per run without trajectories (about 1.45 KB, mostly the seed's
``SeedSequence``); run length does not enter it: a run keeps no per-step state."""
RUN_CHUNK = 50_000
"""The batch engine runs at most this many runs at a time (their parameter rows, partner
vectors and timeline plan exist only for the chunk). Results do not depend on it: every run
has its own seed and parameter row."""
CHUNK_FLOATS = 5_000_000
"""A chunk holds at most this many floats of parameter rows and timeline bases and targets
(40 MB): a timeline with many changes runs fewer runs at a time."""


@dataclass(frozen=True)
class Replicates:
    """Finished runs, point by point (``reps`` consecutive runs per design point).

    Attributes:
        values: The resolved parameter values shared by every run (``run.seed`` is the
            root seed, ``run.steps`` the run length).
        reps: Replicates per point.
        seeds: Each run's seed (uint64).
        outcome: Each run's outcome code, an index into :data:`dyadsim.outcomes.OUTCOMES`.
        metrics: Shape ``(runs, len(METRIC_NAMES))``.
        last_step: The last step each run reached (its dissolution step, or the run length).
        every: Recording interval of ``trajectories`` (0: none recorded).
        trajectories: Shape ``(runs, rows, len(TRAJECTORY_COLUMNS) - 1)`` without the step
            column (row ``r`` is step ``r * every``, a dissolution step takes the next
            row), NaN past a dissolution; ``None`` unless asked for.
        engine: The engine that ran them.
    """

    values: dict[str, Value]
    reps: int
    seeds: np.ndarray
    outcome: np.ndarray
    metrics: np.ndarray
    last_step: np.ndarray
    every: int
    trajectories: np.ndarray | None
    engine: str = "batch"

    @property
    def points(self) -> int:
        """Number of design points."""
        return int(self.seeds.shape[0]) // self.reps

    def summary(self) -> Summary:
        """Shares, trap share and metric means with intervals, one entry per point."""
        return summarize(self.outcome, self.metrics, self.points)

    def outcome_names(self) -> list[str]:
        """Each run's outcome class by name."""
        return [outcomes.OUTCOMES[c] for c in self.outcome]

    def runs_frame(self) -> pd.DataFrame:
        """One row per run: ``replicate``, ``seed``, ``outcome`` and every metric."""
        frame = pd.DataFrame(self.metrics, columns=list(outcomes.METRIC_NAMES))
        frame.insert(0, "outcome", np.asarray(outcomes.OUTCOMES)[self.outcome])
        frame.insert(0, "seed", self.seeds.astype(np.uint64))
        frame.insert(0, "replicate", np.tile(np.arange(self.reps), self.points))
        return frame

    def step_numbers(self) -> np.ndarray:
        """The step of every recorded row, shape ``(runs, rows)``."""
        rows = self._recorded().shape[1]
        return np.minimum(np.arange(rows)[None, :] * self.every, self.last_step[:, None])

    def trajectory(self, i: int) -> pd.DataFrame:
        """Run ``i``'s recorded trajectory (the columns of ``DyadModel.trajectory()``)."""
        rows = self._recorded()[i]
        keep = ~np.isnan(rows[:, 0])
        frame = pd.DataFrame(rows[keep], columns=list(TRAJECTORY_COLUMNS[1:]))
        frame.insert(0, "step", self.step_numbers()[i][keep])
        return frame

    def long_trajectories(self) -> pd.DataFrame:
        """Every run's recorded trajectory in one long table.

        The first columns are ``replicate`` and ``run.seed``, then ``step`` and the state.
        """
        rec = self._recorded()
        n, rows, cols = rec.shape
        flat = rec.reshape(n * rows, cols)
        keep = ~np.isnan(flat[:, 0])
        frame = pd.DataFrame(flat[keep], columns=list(TRAJECTORY_COLUMNS[1:]))
        frame.insert(0, "step", self.step_numbers().reshape(-1)[keep])
        frame.insert(0, "run.seed", np.repeat(self.seeds.astype(np.uint64), rows)[keep])
        replicate = np.tile(np.arange(self.reps), self.points)
        frame.insert(0, "replicate", np.repeat(replicate, rows)[keep])
        return frame

    def column(self, name: str) -> np.ndarray:
        """One recorded column for every run, shape ``(runs, rows)`` (NaN past the end)."""
        return self._recorded()[:, :, TRAJECTORY_COLUMNS.index(name) - 1]

    def _recorded(self) -> np.ndarray:
        if self.trajectories is None:
            raise ValueError("trajectories were not recorded (run_replicates(record_every=k))")
        return self.trajectories


def bytes_text(n: float) -> str:
    """A byte count in words: ``1.5 GB``, ``1.5 PB``."""
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"


def size_problem(runs: int, steps: int = 1, every: int = 0) -> str | None:
    """Why ``runs`` runs of ``steps`` days cannot run in one call, or ``None``.

    The estimate, before anything is allocated: about :data:`BYTES_PER_RUN` per run (at
    most :data:`MAX_RUNS` runs), plus, with ``every`` > 0, one recorded row (about 240
    bytes) per run and recorded step (at most :data:`MAX_TRAJECTORY_ROWS` rows). The run
    length alone never needs memory: the batch engine keeps no per-step state.
    """
    if runs > MAX_RUNS:
        return (f"{runs:,} runs need about {bytes_text(runs * BYTES_PER_RUN)} for their seeds, "
                f"parameters and results; allowed: at most {MAX_RUNS:,} runs at once "
                f"(split them over several seeds, or use dyadsim sweep)")
    rows = runs * (-(-steps // max(every, 1)) + 1)
    if every > 0 and rows > MAX_TRAJECTORY_ROWS:
        return (f"trajectories of {runs} runs x {steps} steps (every {every}) are "
                f"{rows:,} rows (about {bytes_text(rows * 240)}); allowed: at most "
                f"{MAX_TRAJECTORY_ROWS:,} rows: use fewer --reps or --steps, or record every "
                f"k-th step")
    return None


def check_trajectory_size(runs: int, steps: int, every: int) -> None:
    """Refuse trajectories that cannot fit in memory, in one line naming the sizes."""
    problem = size_problem(runs, steps, every)
    if problem is not None:
        raise ValueError(problem)


def run_replicates(
    params: Mapping[str, Any] | None = None,
    *,
    scenario: Any = None,
    reps: int = 1,
    root_seed: int | None = None,
    steps: int | None = None,
    engine: Engine = "batch",
    record_every: int = 0,
    varying: Mapping[str, Any] | None = None,
    timeline: Timeline | None = None,
    without: tuple[str, ...] = (),
    threads: int | None = None,
    workers: int = 1,
) -> Replicates:
    """Run ``reps`` replicates of a parameter set (or of each of several design points).

    Args:
        params: Parameter values by dotted name; others take their defaults (or the
            scenario's values, which these override, as ``--set`` does).
        scenario: A :class:`dyadsim.scenario.Scenario`: its settings and events apply.
        reps: Replicates per point.
        root_seed: Root seed (default ``run.seed``).
        steps: Days (episodes) per run (default ``run.steps``).
        engine: ``"batch"`` (default) or ``"mesa"``; both give the same runs.
        record_every: Keep every k-th step of each run's state (0: none, outcomes and
            metrics only: memory does not grow with the run length).
        varying: Design points: parameter -> one value per point (all the same length).
            Derived parameters follow each point's traits unless set in ``params``.
        timeline: Scheduled changes for every run (default: the scenario's events).
        without: Labels of the scenario's events to leave out.
        threads: Numba threads for the batch engine (default: all cores).
        workers: Processes for the Mesa engine (results do not depend on it).

    Returns:
        A :class:`Replicates`, runs point by point.

    Raises:
        ValueError: An unknown engine, or trajectories that would not fit in memory.
        dyadsim.params.ParamError: A bad parameter name or value.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine: unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    given = dict(params or {})
    if scenario is not None:
        given = dict(scenario.with_overrides(given).params)
        if timeline is None:
            timeline = scenario.timeline(without)
    if steps is not None:
        given["run.steps"] = steps
    if root_seed is not None:
        given["run.seed"] = root_seed
    values = make_params(given)
    explicit = set(given) - {"run.seed"}
    run_steps = int(values["run.steps"])
    columns = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in (varying or {}).items()}
    points = len(next(iter(columns.values()))) if columns else 1
    check_trajectory_size(points * reps, run_steps, record_every)  # before any allocation
    seeds = np.asarray(run_seeds(int(values["run.seed"]), reps), dtype=np.uint64)
    seeds = np.tile(seeds, points)
    per_run = {k: np.repeat(v, reps) for k, v in columns.items()}
    if engine == "batch":
        return _batch(values, given, reps, seeds, per_run, run_steps, record_every, threads,
                      timeline, explicit | set(per_run))
    jobs = [({**given, **{k: float(v[i]) for k, v in per_run.items()}}, int(seed), run_steps,
             timeline, explicit | set(per_run), record_every) for i, seed in enumerate(seeds)]
    return _mesa(values, reps, seeds, jobs, workers, record_every)


def _batch(values: dict[str, Value], given: dict[str, Any], reps: int, seeds: np.ndarray,
           per_run: dict[str, np.ndarray], steps: int, every: int, threads: int | None,
           timeline: Timeline | None, explicit: set[str]) -> Replicates:
    """The batch engine over :data:`RUN_CHUNK` runs at a time, merged in order."""
    n = seeds.shape[0]
    single = param_matrix(given) if not per_run else None
    # each run of a chunk holds its parameter row and the plan's base and target per entry
    entries = sum(len(ch.columns(explicit)) for ch in timeline.changes) if timeline else 0
    chunk = max(1, min(RUN_CHUNK, CHUNK_FLOATS // (len(REGISTRY) + 2 * entries)))
    parts = []
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        if single is not None:
            matrix = np.repeat(single, hi - lo, axis=0)
        else:
            matrix = param_matrix(given, {k: v[lo:hi] for k, v in per_run.items()})
        parts.append(batch.run_batch(matrix, seeds[lo:hi], steps, every, threads, timeline,
                                     explicit))
        del matrix
    if len(parts) == 1:
        r = parts[0]
        return Replicates(values, reps, seeds, r.outcome, r.metrics, r.last_step, every,
                          r.trajectories, "batch")
    rec = np.concatenate([p.trajectories for p in parts]) if every > 0 else None
    return Replicates(values, reps, seeds, np.concatenate([p.outcome for p in parts]),
                      np.concatenate([p.metrics for p in parts]),
                      np.concatenate([p.last_step for p in parts]), every, rec, "batch")


def _mesa(values: dict[str, Value], reps: int, seeds: np.ndarray, jobs: list[tuple[Any, ...]],
          workers: int, every: int) -> Replicates:
    if workers > 1 and len(jobs) > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            done = list(pool.map(_mesa_job, jobs,
                                 chunksize=max(1, len(jobs) // (4 * workers))))
    else:
        done = [_mesa_job(job) for job in jobs]
    codes = np.array([d[0] for d in done], dtype=np.int8)
    metrics = np.array([d[1] for d in done], dtype=float).reshape(len(done), -1)
    last = np.array([d[2] for d in done], dtype=np.int64)
    rec = np.stack([d[3] for d in done]) if every > 0 else None
    return Replicates(values, reps, seeds, codes, metrics, last, every, rec, "mesa")


def _mesa_job(job: tuple[Any, ...]) -> tuple[int, list[float], int, np.ndarray | None]:
    """One Mesa run: outcome code, metrics, last step and (if asked) recorded rows."""
    from dyadsim.runs import run_mesa

    given, seed, steps, timeline, explicit, every = job
    run = run_mesa(given, seed, steps, timeline, explicit)
    metrics = [run.metrics[name] for name in outcomes.METRIC_NAMES]
    traj = run.trajectory
    last = int(traj["step"].iloc[-1])
    if every <= 0:
        return outcomes.OUTCOMES.index(run.outcome), metrics, last, None
    rows = np.full((-(-steps // every) + 1, len(TRAJECTORY_COLUMNS) - 1), np.nan)
    table = traj.loc[:, list(TRAJECTORY_COLUMNS)].to_numpy()
    step = table[:, 0].astype(np.int64)
    dissolved = table[-1, 2] > 0
    keep = (step % every == 0) | ((step == last) & dissolved)
    rows[-(-step[keep] // every)] = table[keep, 1:]
    return outcomes.OUTCOMES.index(run.outcome), metrics, last, rows

