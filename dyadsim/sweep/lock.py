"""One writer per sweep folder, and no temporary files left in it.

A sweep holds an exclusive, non-blocking ``fcntl.flock`` on ``<folder>/.lock`` (which holds
its pid) while it writes; a second writer is refused at once with one line. Temporary files
of atomic writes (``.*.tmp``) that a killed run left are removed when the lock is taken, and
this run's own when it is let go (also on an error or Ctrl-C).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dyadsim.sweep.designs import SweepError

LOCK = ".lock"
"""The lock file a writing sweep holds in its folder (it holds the writer's pid)."""


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the folder's lock (non-blocking ``flock`` on ``out/.lock``) while writing.

    A second writer gets one line naming the folder and the holder's pid. Stale temporary
    files are removed after the lock is taken, and this sweep's own on the way out.

    Raises:
        SweepError: Another process holds the lock.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            pid = f"pid {holder}" if holder.isdigit() else "pid unknown"
            raise SweepError(f"{out} is being written by another sweep ({pid}); wait for it "
                             f"to finish or choose another --out") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the holder removed the file as we opened it: lock the new one
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        remove_temporaries(out)
        yield
    finally:
        remove_temporaries(out)
        path.unlink(missing_ok=True)
        os.close(fd)


def remove_temporaries(out: Path) -> None:
    """Remove the temporary files of atomic writes (``.*.tmp``) in ``out`` and its parts."""
    for folder in (out, out / "parts"):
        for tmp in folder.glob(".*.tmp"):
            if tmp.is_file() or tmp.is_symlink():
                tmp.unlink(missing_ok=True)
