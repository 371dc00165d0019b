"""Writing result files so that a reader never sees half of one."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class FileRefused(ValueError):
    """A file that is not read: not a regular file, or too large. The message has no path."""


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read without blocking.

    Only a regular file is opened: a device (``/dev/zero``), a FIFO or a folder is refused
    after ``os.stat``, before any read, and the file is opened with ``O_NONBLOCK`` and
    checked again on its descriptor, so a path swapped for a FIFO in between never blocks.
    At most ``limit + 1`` bytes are read (a file that grows while it is read is refused too).

    Raises:
        FileRefused: Not a regular file, or larger than ``limit``.
        OSError: The file cannot be found or read.
    """
    info = os.stat(path)
    _check_regular(info, limit)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_regular(os.fstat(fd), limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"larger than {limit:,} bytes; allowed: at most {limit:,} bytes")
    return b"".join(chunks)


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else
                "a FIFO" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise FileRefused(f"{kind}, not a regular file; allowed: a regular file")
    if info.st_size > limit:
        raise FileRefused(f"{info.st_size:,} bytes; allowed: at most {limit:,} bytes")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary file in the same folder, then rename it.

    A reader never sees a half-written result, and a failed write leaves nothing behind.
    An error names ``path``, never the temporary file.
    """
    path = Path(path)
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; results are ordinary files
        os.replace(tmp, path)
    except OSError as err:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise _naming(err, path) from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def _naming(err: OSError, path: Path) -> OSError:
    """``err`` with ``path`` as its file name (the target, not a temporary name)."""
    if err.errno is None:
        return OSError(f"{path}: {err}")
    return type(err)(err.errno, err.strerror, str(path))


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Build a folder under a temporary name beside ``path``; put it in place at the end.

    Yields the temporary folder to write into. On success it replaces ``path`` (an older
    complete folder stays until the new one is whole); on any error it is removed and
    ``path`` is left as it was.
    """
    path = Path(path).resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as err:
        raise _naming(err, path) from None
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp creates 0700; results are ordinary folders
        old = path.with_name(f".{path.name}.old")
        if path.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
