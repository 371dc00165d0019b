"""The Dash app: :func:`create_app` builds it; nothing is done at import.

``dyadsim dashboard`` (and ``make run``) serve it on http://127.0.0.1:8050. Sweeps and
compares run as Dash background callbacks through a disk cache in a temporary folder:
each job in its own process, with a progress bar and Cancel, and the result cached by its
settings, so returning to an earlier sweep is instant.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from pathlib import Path

from dash import Dash, DiskcacheManager

from dashboard import callbacks, layout

ASSETS = Path(__file__).resolve().parent / "assets"
TITLE = "dyadsim: the pursue-withdraw cycle"


def create_app(cache_dir: str | Path | None = None) -> Dash:
    """Build the dashboard app.

    Args:
        cache_dir: Where background jobs keep their results (default: a new temporary
            folder). Results are keyed by the job's settings and this app's start.
    """
    import diskcache

    folder = Path(cache_dir) if cache_dir else Path(tempfile.mkdtemp(prefix="dyadsim-dash-"))
    launch = uuid.uuid4().hex
    manager = DiskcacheManager(diskcache.Cache(str(folder)), cache_by=[lambda: launch],
                               expire=3600)
    app = Dash(__name__, title=TITLE, assets_folder=str(ASSETS),
               background_callback_manager=manager, suppress_callback_exceptions=False)
    app.layout = layout.layout
    callbacks.register(app, manager)
    return app


def warm_kernel() -> None:
    """Run a tiny sweep once, before any job process is forked.

    Job processes are forked from the server, so they inherit the loaded kernel and the
    imports a sweep needs instead of each loading them again (about 0.4 s a job). The
    kernel's threads use Numba's ``workqueue`` layer here, which allows a fork after it has
    run (GNU OpenMP's does not); results do not depend on the threading layer.
    """
    import numba

    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"
    from dashboard import compute, state

    tiny = {**compute.sweep_spec(state.default_view()), "points": 2, "reps": 1}
    compute.grid_sweep(tiny)


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    """Build the app and serve it until interrupted."""
    warm_kernel()
    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"dyadsim dashboard on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    app.run(host=host, port=port, debug=debug)

