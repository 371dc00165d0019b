"""Writing result files so that a reader never sees half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary file in the same folder, then rename it.

    A reader never sees a half-written result, and a failed write leaves nothing behind.
    An error (``OSError``) names ``path``, never the temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise naming(exc, path, None) from exc
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; results are ordinary files
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise naming(exc, path, tmp) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def naming(exc: OSError, path: Path, tmp: str | None) -> OSError:
    """``exc`` as an error about ``path``: the temporary file's name replaced by the target's."""
    if exc.filename in (None, str(path)) and exc.filename2 is None and tmp is None:
        return exc
    text = exc.strerror or str(exc)
    if tmp is not None:
        text = text.replace(tmp, str(path))
    return OSError(exc.errno, text, str(path))


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Build a folder under a temporary name beside ``path``; put it in place at the end.

    Yields the temporary folder to write into. On success it replaces ``path`` (an older
    complete folder stays until the new one is whole); on any error it is removed and
    ``path`` is left as it was.
    """
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
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
