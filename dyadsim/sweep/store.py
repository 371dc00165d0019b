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

While a sweep runs, finished chunks sit in ``parts/``, and ``parts/manifest.json`` holds
each finished part's row count, size and SHA-256 (written atomically after the part). A
rerun trusts only parts that match the manifest: a damaged, truncated or unlisted part is
deleted and its chunk run again, with one warning line. Interrupted (Ctrl-C, ``kill -9``),
the same command goes on from the finished chunks and ends with the same files as an
uninterrupted run.

One writer at a time: a sweep holds ``.lock`` in the folder while it works
(:mod:`dyadsim.sweep.lock`); a second one is refused with one line. Temporary files
(``.*.tmp``) are removed on exit, and those a killed run left behind at the next start.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import sys
from collections.abc import Callable
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
from dyadsim.sweep.lock import LOCK
from dyadsim.sweep.work import Sweep

TABLES = ("traj", "summary", "runs")
"""A chunk's tables, in the order they are saved."""

MANIFEST = "manifest.json"
"""The file in ``parts/`` that lists every finished part."""

MANIFEST_FORMAT = "dyadsim sweep parts 1"

SHOWN_WARNINGS = 5
"""Damaged parts named one by one; more are counted in one further line."""


def part(out: Path, table: str, index: int) -> Path:
    """The file of one chunk's table in ``parts/``."""
    return out / "parts" / f"{table}-{index:06d}.parquet"


def tables_of(sweep: Sweep) -> tuple[str, ...]:
    """The tables each chunk of ``sweep`` saves."""
    return TABLES if sweep.trajectory_every else TABLES[1:]


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Manifest:
    """``parts/manifest.json``: each finished part's row count, size and SHA-256.

    The file is a JSON object ``{"format": "dyadsim sweep parts 1", "parts": {name:
    {"rows": int, "bytes": int, "sha256": hex}}}``, rewritten atomically after each chunk's
    parts are complete; a part it does not list is not trusted.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / "parts" / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        self.damaged = False
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
                if data.get("format") != MANIFEST_FORMAT or not isinstance(data["parts"], dict):
                    raise ValueError("not a manifest")
                self.entries = data["parts"]
            except (OSError, ValueError, KeyError, AttributeError, TypeError):
                self.damaged = True

    def save(self) -> None:
        """Write the manifest (atomically)."""
        text = json.dumps({"format": MANIFEST_FORMAT, "parts": self.entries}, indent=1,
                          sort_keys=True)
        write_atomic(self.path, lambda p: p.write_text(text))

    def problem(self, path: Path, rows: int | None) -> str | None:
        """Why the part ``path`` cannot be trusted, or ``None`` when it matches its entry."""
        if not path.exists():
            return "is missing"
        entry = self.entries.get(path.name)
        if entry is None:
            return "is not in the manifest (an interrupted run left it)"
        try:
            size = path.stat().st_size
            if size != entry["bytes"]:
                return f"is truncated or damaged ({size} bytes, {entry['bytes']} written)"
            if sha256_of(path) != entry["sha256"]:
                return "is damaged (its SHA-256 differs from the manifest's)"
            if rows is not None and entry["rows"] != rows:
                return f"holds {entry['rows']} rows where its chunk has {rows}"
        except (KeyError, TypeError):
            return "has a damaged manifest entry"
        return None

    def read(self, path: Path) -> pa.Table:
        """Read a part, checking its bytes against the manifest once more."""
        data = path.read_bytes()
        entry = self.entries.get(path.name) or {}
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            path.unlink(missing_ok=True)
            self.entries.pop(path.name, None)
            self.save()
            raise SweepError(f"{path} changed after it was written (its SHA-256 differs from "
                             f"the manifest's) and was removed; run the same command again "
                             f"to run its chunk again")
        return pq.read_table(pa.BufferReader(data))


def pending(out: Path, sweep: Sweep, manifest: Manifest,
            warn: Callable[[str], None] | None = None) -> list[int]:
    """The chunks still to run; removes every part that does not match the manifest.

    Each removed part costs one warning line (``warn``; default: print to stderr).
    """
    warn = warn or _stderr
    todo: list[int] = []
    bad: list[str] = []
    per_chunk = sweep.points_per_chunk
    for i in range(sweep.n_chunks):
        n_points = min(per_chunk, sweep.design.n_points - i * per_chunk)
        rows = {"runs": n_points * sweep.reps, "summary": n_points, "traj": None}
        paths = {t: part(out, t, i) for t in tables_of(sweep)}
        if not any(p.exists() or p.name in manifest.entries for p in paths.values()):
            todo.append(i)
            continue
        for table, path in paths.items():
            why = manifest.problem(path, rows[table])
            if why is not None:
                bad.append(f"{path} {why}")
                for p in paths.values():
                    p.unlink(missing_ok=True)
                    manifest.entries.pop(p.name, None)
                todo.append(i)
                break
    if manifest.damaged:
        warn(f"dyadsim sweep: warning: {manifest.path} is damaged, so no part can be "
             f"trusted; running {len(bad)} chunks again")
        bad = []
    for line in bad[:SHOWN_WARNINGS]:
        warn(f"dyadsim sweep: warning: {line}; running its chunk again")
    if len(bad) > SHOWN_WARNINGS:
        warn(f"dyadsim sweep: warning: {len(bad) - SHOWN_WARNINGS} more parts in "
             f"{out / 'parts'} could not be trusted; running their chunks again")
    if bad or manifest.damaged:
        manifest.damaged = False
        manifest.save()
    return todo


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def merge(out: Path, table: str, n_chunks: int, target: str, manifest: Manifest) -> None:
    """Concatenate the parts of one table into ``target``, one part in memory at a time."""
    parts = [part(out, table, i) for i in range(n_chunks)]

    def write(tmp: Path) -> None:
        writer = None
        try:
            for path in parts:
                data = manifest.read(path)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, data.schema)
                writer.write_table(data)
        finally:
            if writer is not None:
                writer.close()

    write_atomic(out / target, write)


# --- the folder: refusing what is not ours ---


def check_folder(out: Path, force: bool) -> None:
    """Refuse, before anything is written, an ``out`` that is not a sweep folder."""
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a folder; choose another --out")
    if (out.is_dir() and not (out / "sweep.json").exists() and not force
            and any(p.name != LOCK for p in out.iterdir())):
        raise SweepError(f"{out} exists and is not a dyadsim sweep folder; choose another "
                         f"--out, or add --force to replace it")


def _clear(out: Path) -> None:
    """Empty ``out`` but for its lock file (held by this sweep)."""
    for child in out.iterdir():
        if child.name == LOCK:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


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
            _clear(out)
    elif force:
        _clear(out)
    else:
        check_folder(out, force)
    (out / "parts").mkdir(parents=True, exist_ok=True)
    if not identity_file.exists():
        write_atomic(identity_file, lambda p: p.write_text(json.dumps(identity, indent=2)))
    sessions_file = out / "parts" / "sessions.json"
    try:
        sessions = json.loads(sessions_file.read_text()) if sessions_file.exists() else []
        sessions = [str(s) for s in sessions]
    except (ValueError, TypeError):
        sessions = []
    sessions.append(now())
    write_atomic(sessions_file, lambda p: p.write_text(json.dumps(sessions)))
    return {"sessions": sessions}


def now() -> str:
    """The time now (UTC, to the second), for the provenance."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_chunk(out: Path, index: int, tables: dict[str, pd.DataFrame],
               manifest: Manifest) -> None:
    """Save one chunk's tables, then list them in the manifest (which marks the chunk done)."""
    entries: dict[str, dict[str, Any]] = {}
    for name in TABLES:
        if name in tables:
            target = part(out, name, index)

            def write(tmp: Path, frame: pd.DataFrame = tables[name], key: str = target.name
                      ) -> None:
                frame.to_parquet(tmp, index=False)
                entries[key] = {"rows": len(frame), "bytes": tmp.stat().st_size,
                                "sha256": sha256_of(tmp)}

            write_atomic(target, write)
    manifest.entries.update(entries)
    manifest.save()


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
           command: str | None, manifest: Manifest) -> pd.DataFrame:
    """Merge the parts into the final files, write the provenance, remove ``parts/``.

    Returns:
        The summary table.
    """
    merge(out, "runs", sweep.n_chunks, "runs.parquet", manifest)
    merge(out, "summary", sweep.n_chunks, "summary.parquet", manifest)
    if sweep.trajectory_every:
        merge(out, "traj", sweep.n_chunks, "trajectories.parquet", manifest)
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
