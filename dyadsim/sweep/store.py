"""The resumable output folder of a sweep.

Files (written only through temporary files and renames, so a reader never sees a
half-written file):

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

import json
import platform
import shutil
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dyadsim import __version__
from dyadsim.files import write_atomic
from dyadsim.sweep.designs import SweepError
from dyadsim.sweep.work import Sweep

TABLES = ("traj", "summary", "runs")
"""A chunk's tables, in the order they are saved: ``runs`` last marks the chunk done."""


def part(out: Path, table: str, index: int) -> Path:
    """The file of one chunk's table in ``parts/``."""
    return out / "parts" / f"{table}-{index:06d}.parquet"


def merge(out: Path, table: str, n_chunks: int, target: str) -> None:
    """Concatenate the parts of one table into ``target``, one part in memory at a time."""
    parts = [part(out, table, i) for i in range(n_chunks)]

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


def open_output(out: Path, sweep: Sweep, force: bool) -> dict[str, Any]:
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
    sessions.append(now())
    write_atomic(sessions_file, lambda p: p.write_text(json.dumps(sessions)))
    return {"sessions": sessions}


def now() -> str:
    """The time now (UTC, to the second), for the provenance."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_done(out: Path, index: int) -> bool:
    """Whether chunk ``index`` is saved in ``out``."""
    return part(out, "runs", index).exists()


def save_chunk(out: Path, index: int, tables: dict[str, pd.DataFrame]) -> None:
    """Save one chunk's tables (``runs`` last: it marks the chunk done)."""
    for name in TABLES:
        if name in tables:
            frame = tables[name]
            write_atomic(part(out, name, index),
                         lambda p, f=frame: f.to_parquet(p, index=False))


def check_complete(out: Path, sweep: Sweep) -> None:
    """Refuse a finished folder that holds another sweep."""
    saved = json.loads((out / "sweep.json").read_text())
    if saved != json.loads(json.dumps(sweep.identity())):
        raise SweepError(f"{out} holds a different, finished sweep; choose another --out, or "
                         f"add --force to replace it")


def version(module: str) -> str:
    """A module's version, for the provenance."""
    try:
        return __import__(module).__version__
    except ImportError:  # pragma: no cover - numba is a dependency
        return "not installed"


def finish(out: Path, sweep: Sweep, sessions: list[str], backend: str,
           command: str | None) -> pd.DataFrame:
    """Merge the parts into the final files, write the provenance, remove ``parts/``.

    Returns:
        The summary table.
    """
    merge(out, "runs", sweep.n_chunks, "runs.parquet")
    merge(out, "summary", sweep.n_chunks, "summary.parquet")
    if sweep.trajectory_every:
        merge(out, "traj", sweep.n_chunks, "trajectories.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    provenance = {
        "dyadsim": __version__, "command": command or " ".join(sys.argv),
        "design": sweep.design.spec, "root_seed": sweep.root_seed, "reps": sweep.reps,
        "steps": sweep.steps, "fixed": sweep.fixed, "n_points": sweep.design.n_points,
        "n_runs": sweep.n_runs, "engine": "batch",
        "timeline": [asdict(c) for c in sweep.timeline.changes],
        "backend": backend,
        "start": sessions[0], "sessions": sessions, "end": now(),
        "python": platform.python_version(), "numpy": np.__version__,
        "numba": version("numba"), "pyarrow": pa.__version__,
        "seeds": "replicate r uses the same seed at every point: dyadsim run --reps R "
                 "--seed ROOT gives the same runs at that point",
    }
    write_atomic(out / "provenance.json",
                 lambda p: p.write_text(json.dumps(provenance, indent=2, default=str)))
    shutil.rmtree(out / "parts")
    return summary
