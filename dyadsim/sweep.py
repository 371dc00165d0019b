"""Parameter sweeps: a design, replicates at every point, resumable output, any backend.

A sweep is fully described by a :class:`Sweep`: its design points (a full grid, or a Latin
hypercube or Sobol sample over named bounds), fixed parameter values, replicates per point,
root seed and run length. Runs are cut into chunks of whole design points; each chunk is a
pure function of the sweep and its index, runs on the batch engine
(:mod:`dyadsim.batch`) and can go to any worker: a local process, or a Dask cluster.

Seeds: replicate ``r`` uses the same seed at every design point (common random numbers),
namely ``dyadsim run``'s seed for replicate ``r`` with that root seed. So any cell of a sweep
can be checked with ``dyadsim run --set ... --reps R --seed S``, and differences between
points are not blurred by different noise.

Output directory (written only through temporary files and renames, so a reader never sees
a half-written file):

``runs.parquet``        one row per run: point, replicate, seed, every parameter, the
                        outcome class and every metric.
``summary.parquet``     one row per design point: each outcome's share with a Wilson 95%
``summary.csv``         interval, the trap share, metric means with 95% t intervals.
``trajectories.parquet`` (when asked for) every k-th step of every run.
``provenance.json``     dyadsim version, command, design, root seed, start and end times.
``sweep.json``          what defines the results; a rerun checks it before resuming.

While a sweep runs, finished chunks sit in ``parts/``. Interrupted (Ctrl-C, ``kill -9``),
the same command goes on from the finished chunks and ends with the same files as an
uninterrupted run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import platform
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dyadsim import __version__, batch, outcomes
from dyadsim.files import write_atomic
from dyadsim.params import ParamError, Value, lookup, make_params
from dyadsim.stats import mean_interval_rows, wilson_arrays
from dyadsim.streams import run_seeds
from dyadsim.timeline import EMPTY, Timeline, TimelineError

DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol")
CHUNK_RUNS = 4096
"""Target number of runs per chunk (a chunk always holds whole design points)."""


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


def grid(axes: Mapping[str, tuple[float, float, int]]) -> Design:
    """A full grid: ``axes`` maps each parameter to ``(low, high, count)``."""
    if not axes:
        raise SweepError("a grid needs at least one axis (--axis KEY=LOW:HIGH:COUNT)")
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


# --- One chunk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One unit of work: whole design points, all their replicates."""

    index: int
    names: tuple[str, ...]
    point_index: np.ndarray
    points: np.ndarray
    fixed: dict[str, Value]
    seeds: np.ndarray
    steps: int
    trajectory_every: int
    timeline: Timeline = EMPTY


def run_chunk(chunk: Chunk, threads: int | None = None) -> dict[str, pd.DataFrame]:
    """Run one chunk on the batch engine; return its ``runs``, ``summary`` (and ``traj``)."""
    k, reps = chunk.points.shape[0], chunk.seeds.shape[0]
    varying = {name: np.repeat(chunk.points[:, j], reps) for j, name in enumerate(chunk.names)}
    matrix = batch.param_matrix(chunk.fixed, varying)
    seeds = np.tile(chunk.seeds, k)
    result = batch.run_batch(matrix, seeds, chunk.steps, chunk.trajectory_every, threads,
                             chunk.timeline, set(chunk.fixed) | set(chunk.names))
    point = np.repeat(chunk.point_index, reps)
    replicate = np.tile(np.arange(reps), k)
    runs = pd.DataFrame(matrix, columns=list(batch.PARAM_NAMES))
    runs["run.seed"] = seeds
    runs["run.steps"] = runs["run.steps"].astype(np.int64)
    runs.insert(0, "seed", seeds)
    runs.insert(0, "replicate", replicate)
    runs.insert(0, "point", point)
    runs["outcome"] = np.asarray(outcomes.OUTCOMES)[result.outcome]
    for j, name in enumerate(outcomes.METRIC_NAMES):
        runs[name] = result.metrics[:, j]
    tables = {"runs": runs, "summary": _summarize(chunk, result)}
    if chunk.trajectory_every:
        tables["traj"] = _trajectories(result, point, replicate)
    return tables


def _summarize(chunk: Chunk, result: batch.BatchResult) -> pd.DataFrame:
    k, reps = chunk.points.shape[0], chunk.seeds.shape[0]
    codes = result.outcome.reshape(k, reps)
    table: dict[str, Any] = {"point": chunk.point_index}
    for j, name in enumerate(chunk.names):
        table[name] = chunk.points[:, j]
    table["n"] = np.full(k, reps)
    shares = {name: (codes == i).sum(axis=1) for i, name in enumerate(outcomes.OUTCOMES)}
    shares["trap"] = sum(shares[name] for name in outcomes.TRAP_OUTCOMES)
    for name, count in shares.items():
        low, high = wilson_arrays(count, np.full(k, reps))
        table[name], table[f"{name}_ci_low"], table[f"{name}_ci_high"] = count / reps, low, high
    metrics = result.metrics.reshape(k, reps, -1)
    for j, name in enumerate(outcomes.METRIC_NAMES):
        mean, low, high, used = mean_interval_rows(metrics[:, :, j])
        table[f"{name}_mean"], table[f"{name}_ci_low"] = mean, low
        table[f"{name}_ci_high"], table[f"{name}_n"] = high, used
    return pd.DataFrame(table)


def _trajectories(result: batch.BatchResult, point: np.ndarray, replicate: np.ndarray
                  ) -> pd.DataFrame:
    assert result.trajectories is not None
    n, rows, cols = result.trajectories.shape
    flat = result.trajectories.reshape(n * rows, cols)
    keep = ~np.isnan(flat[:, 0])
    steps = np.minimum(np.arange(rows)[None, :] * result.every, result.last_step[:, None])
    frame = pd.DataFrame(flat[keep], columns=list(batch.TRAJECTORY_COLUMNS[1:]))
    frame.insert(0, "step", steps.reshape(-1)[keep])
    frame.insert(0, "replicate", np.repeat(replicate, rows)[keep])
    frame.insert(0, "point", np.repeat(point, rows)[keep])
    return frame


# --- The sweep ------------------------------------------------------------------------------


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
                     self.design.points[start:stop], self.fixed, self.seeds(), self.steps,
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


@dataclass
class SweepResult:
    """A finished sweep: the per-point summary, and the runs (read on demand).

    Attributes:
        summary: One row per design point.
        path: The output directory (``None`` for an in-memory sweep).
    """

    summary: pd.DataFrame
    path: Path | None
    _runs: pd.DataFrame | None = None
    new_runs: int = -1
    """Runs computed by this call (0 when the folder already held the finished sweep)."""

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run (read from ``runs.parquet`` for a sweep written to disk)."""
        if self._runs is None:
            assert self.path is not None
            self._runs = pd.read_parquet(self.path / "runs.parquet")
        return self._runs


def _execute(
    sweep: Sweep, todo: Sequence[int], processes: int, scheduler: str | None
) -> Iterator[tuple[int, dict[str, pd.DataFrame]]]:
    """Yield ``(chunk index, tables)`` as chunks finish, on the chosen backend.

    ``processes == 1`` runs chunks here, the kernel using every core through Numba's
    threads; more processes each run single-threaded chunks; a scheduler address sends
    single-threaded chunks to a Dask cluster.
    """
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler, timeout="20s") as client:
            futures = [client.submit(run_chunk, sweep.chunk(i), 1, pure=False) for i in todo]
            index = {f.key: i for f, i in zip(futures, todo, strict=True)}
            try:
                for future in as_completed(futures):
                    yield index[future.key], future.result()
            finally:
                client.cancel(futures)
        return
    if processes <= 1:
        for i in todo:
            yield i, run_chunk(sweep.chunk(i))
        return
    workers = processes
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: dict[Future, int] = {}
        queue = list(todo)
        try:
            while queue or pending:
                while queue and len(pending) < 2 * workers:  # bounded: memory stays flat
                    i = queue.pop(0)
                    pending[pool.submit(run_chunk, sweep.chunk(i), 1)] = i
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


def _part(out: Path, table: str, index: int) -> Path:
    return out / "parts" / f"{table}-{index:06d}.parquet"


def _merge(out: Path, table: str, n_chunks: int, target: str) -> None:
    """Concatenate the parts of one table into ``target``, one part in memory at a time."""
    parts = [_part(out, table, i) for i in range(n_chunks)]

    def write(tmp: Path) -> None:
        writer = None
        try:
            for part in parts:
                data = pq.read_table(part)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, data.schema)
                writer.write_table(data)
        finally:
            if writer is not None:
                writer.close()

    write_atomic(out / target, write)


def _open_output(out: Path, sweep: Sweep, force: bool) -> dict[str, Any]:
    """Create or check ``out``; return the provenance so far (earlier sessions included)."""
    identity_file = out / "sweep.json"
    identity = json.loads(json.dumps(sweep.identity()))
    if identity_file.exists():
        try:
            saved = json.loads(identity_file.read_text())
        except json.JSONDecodeError:
            saved = None
        if saved != identity:
            if not force:
                differs = sorted(k for k in identity if (saved or {}).get(k) != identity[k])
                raise SweepError(
                    f"{out} holds a different sweep (differs in: {', '.join(differs)}); "
                    f"choose another --out, or add --force to replace it")
            shutil.rmtree(out)
    elif out.exists() and any(out.iterdir()) and not force:
        raise SweepError(f"{out} exists and is not a dyadsim sweep folder; choose another "
                         f"--out, or add --force to replace it")
    elif out.exists() and force:
        shutil.rmtree(out)
    (out / "parts").mkdir(parents=True, exist_ok=True)
    if not identity_file.exists():
        write_atomic(identity_file, lambda p: p.write_text(json.dumps(identity, indent=2)))
    sessions_file = out / "parts" / "sessions.json"
    sessions = json.loads(sessions_file.read_text()) if sessions_file.exists() else []
    sessions.append(_now())
    write_atomic(sessions_file, lambda p: p.write_text(json.dumps(sessions)))
    return {"sessions": sessions}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_sweep(
    sweep: Sweep,
    out: Path | str | None = None,
    processes: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
    force: bool = False,
    command: str | None = None,
) -> SweepResult:
    """Run a sweep, resuming from ``out`` if an interrupted run of the same sweep left parts.

    Args:
        sweep: What to run (:func:`make_sweep`).
        out: Output directory; ``None`` keeps everything in memory (no resuming).
        processes: 1 (default) runs here on every core through Numba's threads, which
            starts at once; more starts that many local worker processes (each takes a
            few seconds to start, so this pays only for long sweeps).
        scheduler: Address of a Dask distributed scheduler (``tcp://host:port``); when
            given, chunks run on that cluster instead.
        progress: Show a progress bar on stderr (runs done, runs per second, time left).
        force: Replace whatever is in ``out``.
        command: The command line to record in the provenance file.

    Returns:
        A :class:`SweepResult`. Results do not depend on ``processes`` or ``scheduler``.
    """
    if out is None:
        tables = dict(_execute(sweep, range(sweep.n_chunks), processes, scheduler))
        ordered = [tables[i] for i in range(sweep.n_chunks)]
        runs = pd.concat([t["runs"] for t in ordered], ignore_index=True)
        summary = pd.concat([t["summary"] for t in ordered], ignore_index=True)
        return SweepResult(summary, None, runs, new_runs=sweep.n_runs)
    out = Path(out)
    if (out / "provenance.json").exists() and not (out / "parts").exists() and not force:
        _check_complete(out, sweep)
        return SweepResult(pd.read_parquet(out / "summary.parquet"), out, new_runs=0)
    state = _open_output(out, sweep, force)
    todo = [i for i in range(sweep.n_chunks) if not _part(out, "runs", i).exists()]
    done_runs = sweep.n_runs - sum(len(sweep.chunk(i).point_index) for i in todo) * sweep.reps
    bar = _progress(sweep.n_runs, done_runs) if progress else None
    try:
        for i, tables in _execute(sweep, todo, processes, scheduler):
            for name in ("traj", "summary", "runs"):  # runs last: it marks the chunk done
                if name in tables:
                    frame = tables[name]
                    write_atomic(_part(out, name, i),
                                  lambda p, f=frame: f.to_parquet(p, index=False))
            if bar is not None:
                bar.update(len(tables["runs"]))
    finally:
        if bar is not None:
            bar.close()
    _merge(out, "runs", sweep.n_chunks, "runs.parquet")
    _merge(out, "summary", sweep.n_chunks, "summary.parquet")
    if sweep.trajectory_every:
        _merge(out, "traj", sweep.n_chunks, "trajectories.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    provenance = {
        "dyadsim": __version__, "command": command or " ".join(sys.argv),
        "design": sweep.design.spec, "root_seed": sweep.root_seed, "reps": sweep.reps,
        "steps": sweep.steps, "fixed": sweep.fixed, "n_points": sweep.design.n_points,
        "n_runs": sweep.n_runs, "engine": "batch",
        "timeline": [asdict(c) for c in sweep.timeline.changes],
        "backend": scheduler or (f"{processes} local processes" if processes > 1 else
                                  f"1 process, {_threads()} threads"),
        "start": state["sessions"][0], "sessions": state["sessions"], "end": _now(),
        "python": platform.python_version(), "numpy": np.__version__,
        "numba": _version("numba"), "pyarrow": pa.__version__,
        "seeds": "replicate r uses the same seed at every point: dyadsim run --reps R "
                 "--seed ROOT gives the same runs at that point",
    }
    write_atomic(out / "provenance.json",
                  lambda p: p.write_text(json.dumps(provenance, indent=2, default=str)))
    shutil.rmtree(out / "parts")
    return SweepResult(summary, out, new_runs=sweep.n_runs - done_runs)


def _threads() -> int:
    import numba

    return int(numba.get_num_threads())


def _check_complete(out: Path, sweep: Sweep) -> None:
    saved = json.loads((out / "sweep.json").read_text())
    if saved != json.loads(json.dumps(sweep.identity())):
        raise SweepError(f"{out} holds a different, finished sweep; choose another --out, or "
                         f"add --force to replace it")


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except ImportError:  # pragma: no cover - numba is a dependency
        return "not installed"


def _progress(total: int, done: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="run", unit_scale=True, smoothing=0.1,
                desc="sweep", file=sys.stderr, dynamic_ncols=True)


def sweep(
    axes: Mapping[str, tuple[float, float, int]] | None = None,
    *,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    design: str = "grid",
    points: int | None = None,
    reps: int = 10,
    fixed: Mapping[str, Any] | None = None,
    root_seed: int | None = None,
    steps: int | None = None,
    out: Path | str | None = None,
    processes: int = 1,
    scheduler: str | None = None,
    trajectory_every: int = 0,
    progress: bool = False,
    force: bool = False,
    command: str | None = None,
    chunk_runs: int = CHUNK_RUNS,
    timeline: Timeline = EMPTY,
) -> SweepResult:
    """Sweep parameters over replicates; the Python form of ``dyadsim sweep``.

    Args:
        axes: For a grid: parameter -> ``(low, high, count)``.
        bounds: For ``lhs``/``sobol``: parameter -> ``(low, high)``.
        design: ``grid``, ``lhs`` or ``sobol``.
        points: Number of points of an ``lhs``/``sobol`` design.
        reps: Replicates per design point.
        fixed: Other parameter values by dotted name.
        root_seed: Root seed (default ``run.seed``).
        steps: Episodes per run (default ``run.steps``).
        out: Output directory (resumable); ``None`` keeps results in memory.
        processes: Local processes (default 1: this process, all cores as threads).
        scheduler: Dask scheduler address, to run on a cluster instead.
        trajectory_every: Keep every k-th step of each run (0: none).
        progress: Show a progress bar.
        force: Replace whatever is in ``out``.
        command: The command line to record in the provenance file.
        chunk_runs: Runs per chunk: how the work is split and saved, never the results.
        timeline: Scheduled changes (a scenario's events) applied to every run.

    Returns:
        A :class:`SweepResult`; ``.summary`` and ``.runs`` are pandas DataFrames.

    Example:
        >>> res = sweep({"partner_a.anxiety": (0, 1, 5)}, reps=20, steps=300)  # doctest: +SKIP
        >>> res.summary[["partner_a.anxiety", "trap"]]  # doctest: +SKIP
    """
    if design == "grid":
        if bounds:
            raise SweepError("a grid takes axes (--axis); bounds (--bound) are for lhs/sobol")
        the_design = grid(axes or {})
    else:
        if axes:
            raise SweepError(f"a {design} design takes bounds (--bound), not axes (--axis)")
        if points is None:
            raise SweepError(f"a {design} design needs --points")
        seed = int(make_params(fixed or {})["run.seed"] if root_seed is None else root_seed)
        the_design = sample(bounds or {}, points, design, seed)
    spec = make_sweep(the_design, fixed, reps, root_seed, steps, trajectory_every, chunk_runs,
                      timeline)
    return run_sweep(spec, out, processes, scheduler, progress, force, command)


__all__ = [
    "DESIGNS", "Design", "Sweep", "SweepError", "SweepResult", "grid",
    "make_sweep", "parse_axis", "parse_bound", "run_chunk", "run_sweep", "sample", "sweep",
]
