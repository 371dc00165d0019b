"""What a sweep is, and one chunk of its work.

A :class:`Sweep` is fully described by its design points, fixed parameter values,
replicates per point, root seed and run length. Runs are cut into chunks of whole design
points; each chunk is a pure function of the sweep and its index
(:func:`run_chunk`, on :func:`dyadsim.runner.run_replicates` with the batch engine) and can
go to any worker.

Seeds: replicate ``r`` uses the same seed at every design point (common random numbers),
namely ``dyadsim run``'s seed for replicate ``r`` with that root seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim.params import Value, lookup, make_params, param_matrix
from dyadsim.runner import Replicates, run_replicates
from dyadsim.schema import PARAM_NAMES
from dyadsim.streams import run_seeds
from dyadsim.summary import summarize
from dyadsim.sweep.designs import Design, SweepError
from dyadsim.timeline import EMPTY, Timeline, TimelineError

CHUNK_RUNS = 4096
"""Target number of runs per chunk (a chunk always holds whole design points)."""


@dataclass(frozen=True)
class Chunk:
    """One unit of work: whole design points, all their replicates."""

    index: int
    names: tuple[str, ...]
    point_index: np.ndarray
    points: np.ndarray
    fixed: dict[str, Value]
    root_seed: int
    reps: int
    steps: int
    trajectory_every: int
    timeline: Timeline = EMPTY

    @property
    def seeds(self) -> np.ndarray:
        """The replicate seeds (the same at every point)."""
        return np.asarray(run_seeds(self.root_seed, self.reps), dtype=np.uint64)


def run_chunk(chunk: Chunk, threads: int | None = None) -> dict[str, pd.DataFrame]:
    """Run one chunk on the batch engine; return its ``runs``, ``summary`` (and ``traj``)."""
    varying = {name: chunk.points[:, j] for j, name in enumerate(chunk.names)}
    done = run_replicates(chunk.fixed, reps=chunk.reps, root_seed=chunk.root_seed,
                          steps=chunk.steps, record_every=chunk.trajectory_every,
                          varying=varying, timeline=chunk.timeline, threads=threads)
    reps = done.reps
    point = np.repeat(chunk.point_index, reps)
    per_run = {name: np.repeat(v, reps) for name, v in varying.items()}
    runs = pd.DataFrame(param_matrix(chunk.fixed, per_run or None),
                        columns=list(PARAM_NAMES))
    runs["run.seed"] = done.seeds
    runs["run.steps"] = np.int64(chunk.steps)
    frame = done.runs_frame()
    runs.insert(0, "seed", done.seeds)
    runs.insert(0, "replicate", frame["replicate"])
    runs.insert(0, "point", point)
    runs = pd.concat([runs, frame.drop(columns=["replicate", "seed"])], axis=1)
    summary = summarize(done.outcome, done.metrics, done.points).table()
    for j, name in reversed(list(enumerate(chunk.names))):
        summary.insert(0, name, chunk.points[:, j])
    summary.insert(0, "point", chunk.point_index)
    tables = {"runs": runs, "summary": summary}
    if chunk.trajectory_every:
        tables["traj"] = _trajectories(done, point)
    return tables


def _trajectories(done: Replicates, point: np.ndarray) -> pd.DataFrame:
    frame = done.long_trajectories().drop(columns=["run.seed"])
    rows = done.step_numbers().shape[1]
    keep = ~np.isnan(done.column("dyad.closeness").reshape(-1))
    frame.insert(0, "point", np.repeat(point, rows)[keep])
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Sweep:
    """Everything that defines a sweep's results (and nothing that does not)."""

    design: Design
    fixed: dict[str, Value]
    reps: int
    root_seed: int
    steps: int
    trajectory_every: int = 0
    chunk_runs: int = CHUNK_RUNS
    timeline: Timeline = EMPTY

    @property
    def points_per_chunk(self) -> int:
        """Design points in each chunk."""
        return max(1, self.chunk_runs // self.reps)

    @property
    def n_chunks(self) -> int:
        """Number of chunks."""
        return -(-self.design.n_points // self.points_per_chunk)

    @property
    def n_runs(self) -> int:
        """Total number of runs."""
        return self.design.n_points * self.reps

    def seeds(self) -> np.ndarray:
        """The replicate seeds, shared by every design point (as ``dyadsim run`` uses)."""
        s = run_seeds(self.root_seed, self.reps)
        return np.asarray(s, dtype=np.uint64)

    def chunk(self, index: int) -> Chunk:
        """Chunk ``index``."""
        start = index * self.points_per_chunk
        stop = min(start + self.points_per_chunk, self.design.n_points)
        return Chunk(index, self.design.names, np.arange(start, stop),
                     self.design.points[start:stop], self.fixed, self.root_seed, self.reps,
                     self.steps,
                     self.trajectory_every, self.timeline)

    def identity(self) -> dict[str, Any]:
        """What a rerun must match to resume: the design, settings and a hash of the points."""
        digest = hashlib.sha256(np.ascontiguousarray(self.design.points).tobytes()).hexdigest()
        return {"design": self.design.spec, "names": list(self.design.names),
                "n_points": self.design.n_points, "points_sha256": digest,
                "fixed": self.fixed, "reps": self.reps, "root_seed": self.root_seed,
                "steps": self.steps, "trajectory_every": self.trajectory_every,
                "chunk_runs": self.chunk_runs,
                "timeline": [asdict(c) for c in self.timeline.changes]}


def make_sweep(
    design: Design,
    fixed: Mapping[str, Any] | None = None,
    reps: int = 10,
    root_seed: int | None = None,
    steps: int | None = None,
    trajectory_every: int = 0,
    chunk_runs: int = CHUNK_RUNS,
    timeline: Timeline = EMPTY,
) -> Sweep:
    """Check the settings and build a :class:`Sweep`.

    The root seed and run length default to ``run.seed`` and ``run.steps`` (from
    ``fixed`` or the registry). A ``timeline`` (a scenario's events) applies to every run.
    """
    fixed = dict(fixed or {})
    both = sorted(set(fixed) & set(design.names))
    if both:
        raise SweepError(f"{both[0]} is both fixed (--set) and swept; choose one")
    values = make_params(fixed)  # checks every fixed key and value
    checked = {key: values[key] for key in fixed}
    seed = int(values["run.seed"] if root_seed is None else lookup("run.seed").check(root_seed))
    run_steps = int(values["run.steps"] if steps is None else lookup("run.steps").check(steps))
    if reps < 1:
        raise SweepError(f"--reps must be >= 1, got {reps}")
    if trajectory_every < 0:
        raise SweepError(f"--trajectories must be >= 0, got {trajectory_every}")
    checked.pop("run.seed", None)
    checked.pop("run.steps", None)
    try:
        timeline.check(run_steps, set(checked) | set(design.names))
    except TimelineError as err:
        raise SweepError(str(err)) from None
    return Sweep(design, checked, reps, seed, run_steps, trajectory_every, chunk_runs,
                 timeline)


