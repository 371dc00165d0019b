"""Serving the dashboard: the bind guard, the job cache's folder, and gunicorn for a class.

``dyadsim dashboard`` serves with Werkzeug's development server (``--workers 0``, the
default: one process, for one person on this machine) or, with ``--workers N``, with
gunicorn: N worker processes, each with its own threads, all sharing one job cache folder
(a sweep started by one worker is polled by another). Each worker loads the compiled kernels
(:func:`dashboard.app.warm_kernel`) when it starts, before it forks any job process; the
gunicorn master never runs a kernel, so it forks workers safely.

The cache folder is named after the serving process (``dyadsim-dash-<pid>-*``); it is
removed when that process exits, and a folder whose process no longer exists (a killed
server) is removed by the next start.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import diskcache
from dash import DiskcacheManager

#: Folder names of the job cache: ``dyadsim-dash-<pid of the server>-<random>``.
CACHE_PREFIX = "dyadsim-dash-"
#: Threads per gunicorn worker: requests that wait (job polls, downloads) do not queue.
THREADS = 4
#: Seconds a request may take before gunicorn restarts its worker (a PNG export's Chromium
#: is the slowest; sweeps run in job processes and do not count).
TIMEOUT = 120


class BindError(ValueError):
    """A host and mode that must not be served together (one line)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def check_bind(host: str, debug: bool) -> str | None:
    """Decide whether to serve on ``host``.

    Returns:
        ``None`` on loopback, else the one-line warning to print on stderr.

    Raises:
        BindError: ``debug`` beyond loopback (Dash's debug mode shows tracebacks and
            reloads code: never for a network).
    """
    if is_loopback(host):
        return None
    if debug:
        raise BindError(f"dyadsim dashboard: --debug with --host {host}: debug mode is "
                        "allowed only on loopback (--host 127.0.0.1)")
    return (f"dyadsim dashboard: warning: --host {host} serves beyond this machine: anyone "
            "on the network can open it (see docs/SECURITY.md)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_caches(root: str | Path | None = None) -> list[Path]:
    """Remove job cache folders whose server process no longer exists.

    Args:
        root: Where the folders are (default: the temporary folder).

    Returns:
        The folders removed.
    """
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{CACHE_PREFIX}*-*"):
        pid = folder.name[len(CACHE_PREFIX):].split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and pid.isdigit() \
                and not _pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def new_cache_folder(root: str | Path | None = None) -> Path:
    """A new job cache folder owned by this process (after removing stale ones)."""
    remove_stale_caches(root)
    return Path(tempfile.mkdtemp(prefix=f"{CACHE_PREFIX}{os.getpid()}-", dir=root))


def remove_cache(folder: Path, owner: int) -> None:
    """Remove ``folder`` if this is its ``owner`` process (not a forked worker or job)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def _stop_on_sigterm() -> None:
    """Let SIGTERM end the server like Ctrl+C does, so its clean-up runs.

    A job process forked from the server inherits the handler; there it simply ends.
    """
    owner = os.getpid()

    def stop(signum: int, frame: Any) -> None:
        if os.getpid() != owner:
            os._exit(128 + signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


#: Held by every disk cache transaction of this process, and by every fork (see
#: :class:`LockedCache`); a fresh one in each forked child.
_TRANSACTIONS = [threading.RLock()]
_FORK_HOOK: list[bool] = []


def _fresh_lock() -> None:
    _TRANSACTIONS[0] = threading.RLock()


class LockedCache(diskcache.Cache):
    """A disk cache whose write transactions never overlap a fork of this process.

    A job process forked while another request thread held an SQLite write transaction
    inherited the connection mid-transaction: its first write (the job's progress) failed
    with ``diskcache.core.Timeout`` and the student's sweep never arrived. Forks now wait
    for the transaction to end (milliseconds).
    """

    @contextlib.contextmanager
    def _transact(self, retry: bool = False, filename: str | None = None) -> Iterator[Any]:
        with _TRANSACTIONS[0], super()._transact(retry, filename) as found:
            yield found


def hold_forks_during_transactions() -> None:
    """Make every fork of this process wait for a :class:`LockedCache` transaction to end."""
    if not _FORK_HOOK:
        _FORK_HOOK.append(True)
        os.register_at_fork(before=lambda: _TRANSACTIONS[0].acquire(),
                            after_in_parent=lambda: _TRANSACTIONS[0].release(),
                            after_in_child=_fresh_lock)


class SharedJobs(DiskcacheManager):
    """Dash's disk cache job manager, safe when several workers share its folder.

    Dash's ``terminate_job`` (called on every finished job, from whichever worker the poll
    reaches) held the cache's write lock while it waited up to a second for the job to
    exit, and raised ``NoSuchProcess`` (HTTP 500) when the job's own worker reaped it in
    between. Here a finished job (a zombie) is only reaped, by its own process; a job that
    is gone is nothing to do; the lock covers only the kill; only a job of this process is
    waited for.
    """

    def terminate_job(self, job: Any) -> None:
        """Stop job ``job`` (a process id) if it still runs."""
        import psutil

        if job is None:
            return
        try:
            process = psutil.Process(int(job))
            mine = process.ppid() == os.getpid()
            if process.status() == psutil.STATUS_ZOMBIE:
                if mine:
                    process.wait(0)  # reap it
                return
            with self.handle.transact():
                for child in process.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        child.kill()
                process.kill()
            if mine:
                process.wait(1)
        except (psutil.NoSuchProcess, psutil.TimeoutExpired):
            return


def warm_figures() -> None:
    """Draw the default couple once: Plotly's first figure costs ~0.3 s, later ones ~0.07 s."""
    from dashboard import view
    from dashboard.pages import couple

    couple.render_couple(None, view.default_view())


def register_page_scripts(app: Any) -> None:
    """Render the page once in this process, so that Dash knows the scripts it may serve.

    Dash sets itself up on its first request (``_setup_server``, which also registers the
    paths of the component scripts it may serve) and marks that done *before* doing it, so
    under gunicorn's threads a second request that arrives meanwhile skips the set-up and
    is refused with a traceback ("dash is not a registered library"): a browser's script
    requests, arriving together at a worker that has not served the page yet. One request
    here, before the worker serves anyone, does the set-up alone.
    """
    with app.server.test_client() as client:
        status = client.get("/").status_code
    if status != 200:
        raise RuntimeError(f"the dashboard's page answered {status} in this worker")


def serve_dev(host: str, port: int, debug: bool = False) -> None:
    """Serve with Werkzeug's development server until interrupted (one process)."""
    from dashboard.app import create_app, warm_kernel

    owner, folder = os.getpid(), new_cache_folder()
    _stop_on_sigterm()
    try:
        warm_kernel()
        warm_figures()
        app = create_app(folder)
        print(f"dyadsim dashboard on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
        app.run(host=host, port=port, debug=debug)
    finally:
        remove_cache(folder, owner)


def worker_app(cache_dir: str | Path) -> Any:
    """One gunicorn worker's Dash app: kernels loaded, built on the shared cache, set up."""
    from dashboard.app import create_app, warm_kernel

    warm_kernel()
    warm_figures()
    app = create_app(cache_dir)
    register_page_scripts(app)
    return app


def wsgi_app(cache_dir: str | Path) -> Any:
    """One gunicorn worker's WSGI application (:func:`worker_app`'s Flask server)."""
    return worker_app(cache_dir).server


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """Gunicorn's settings for ``dyadsim dashboard --workers N``."""
    bind = f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"
    return {"bind": [bind], "workers": workers, "worker_class": "gthread",
            "threads": THREADS, "timeout": TIMEOUT, "graceful_timeout": 5,
            "preload_app": False, "accesslog": None, "errorlog": "-", "loglevel": "warning",
            "proc_name": "dyadsim-dashboard"}


def serve_gunicorn(host: str, port: int, workers: int) -> None:
    """Serve with gunicorn and ``workers`` processes until interrupted."""
    from gunicorn.app.base import BaseApplication

    owner, folder = os.getpid(), new_cache_folder()
    options = gunicorn_options(host, port, workers)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return wsgi_app(folder)

    print(f"dyadsim dashboard on http://{host}:{port}/ with {workers} workers "
          "(Ctrl+C stops it)", flush=True)
    try:
        Server().run()
    finally:
        remove_cache(folder, owner)
    sys.stdout.flush()
