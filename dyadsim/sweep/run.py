"""Running a sweep: on a backend, into memory or a resumable folder; and ``sweep()``.

:func:`sweep` is the Python form of ``dyadsim sweep``: it builds the design
(:mod:`dyadsim.sweep.designs`), checks the settings (:func:`make_sweep`) and runs it
(:func:`run_sweep`) on a backend (:mod:`dyadsim.sweep.backends`), saving chunks to the
folder (:mod:`dyadsim.sweep.store`) as they finish.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dyadsim.params import make_params
from dyadsim.sweep import lock, store
from dyadsim.sweep.backends import describe, execute
from dyadsim.sweep.designs import SweepError, grid, sample
from dyadsim.sweep.work import CHUNK_RUNS, Sweep, make_sweep
from dyadsim.timeline import EMPTY, Timeline


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

    Raises:
        SweepError: ``out`` holds something else, or another sweep is writing it.
    """
    if out is None:
        tables = dict(execute(sweep, range(sweep.n_chunks), processes, scheduler))
        ordered = [tables[i] for i in range(sweep.n_chunks)]
        runs = pd.concat([t["runs"] for t in ordered], ignore_index=True)
        summary = pd.concat([t["summary"] for t in ordered], ignore_index=True)
        return SweepResult(summary, None, runs, new_runs=sweep.n_runs)
    out = Path(out)
    store.check_folder(out, force)
    with lock.locked(out):
        if (out / "provenance.json").exists() and not (out / "parts").exists() and not force:
            store.check_complete(out, sweep)
            return SweepResult(pd.read_parquet(out / "summary.parquet"), out, new_runs=0)
        state = store.open_output(out, sweep, force)
        manifest = store.Manifest(out)
        todo = store.pending(out, sweep, manifest)
        done_runs = sweep.n_runs - sum(len(sweep.chunk(i).point_index) for i in todo) * sweep.reps
        bar = _progress(sweep.n_runs, done_runs) if progress else None
        try:
            for i, tables in execute(sweep, todo, processes, scheduler):
                store.save_chunk(out, i, tables, manifest)
                if bar is not None:
                    bar.update(len(tables["runs"]))
        finally:
            if bar is not None:
                bar.close()
        summary = store.finish(out, sweep, state["sessions"], describe(processes, scheduler),
                               command, manifest)
    return SweepResult(summary, out, new_runs=sweep.n_runs - done_runs)


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
