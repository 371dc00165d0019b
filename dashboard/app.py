"""The Dash app: :func:`create_app` builds it; nothing is done at import.

The app is a shell (:func:`layout`): a header with one button per page, the message line,
the pages, the share link and the stores. Each page (:mod:`dashboard.pages`) owns its
layout and callbacks; the view hub (:mod:`dashboard.hub`) owns the view store. Pages
stay mounted and the hub's view shows one of them, so a page's results and controls
survive a visit to another page (and a sweep running in the background keeps its page).

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
from typing import Any

from dash import Dash, DiskcacheManager, dcc, html

from dashboard import downloads, hub, ids, view
from dashboard.pages import PAGES

ASSETS = Path(__file__).resolve().parent / "assets"
TITLE = "dyadsim: the pursue-withdraw cycle"


def layout(current: dict[str, Any] | None = None) -> html.Div:
    """The whole app: header with page buttons, the pages, shared stores."""
    current = current or view.default_view()
    nav = [html.Button(page.TITLE, id=ids.Shell.nav(page.NAME), className="nav", role="tab")
           for page in PAGES]
    return html.Div(className="app", children=[
        dcc.Location(id=ids.Shell.URL, refresh=False),
        html.Header(className="header", children=[
            html.H1(TITLE),
            html.Nav(nav, role="tablist", className="tabs"),
        ]),
        html.Div(id=ids.Shell.MESSAGE, className="message", role="alert"),
        *[page.layout(current) for page in PAGES],
        html.Footer(className="footer", children=[
            html.Label("Share this view", htmlFor=ids.Shell.SHARE_LINK,
                       className="control-label"),
            dcc.Input(id=ids.Shell.SHARE_LINK, type="text", readOnly=True, className="share"),
            dcc.Clipboard(target_id=ids.Shell.SHARE_LINK, title="copy the link",
                          className="clipboard"),
        ]),
        dcc.Store(id=ids.Shell.VIEW, data=current),
        dcc.Store(id=ids.Shell.SWEEP_SPEC),
        dcc.Store(id=ids.Shell.COMPARE_SPEC),
        dcc.Download(id=ids.Shell.DOWNLOAD),
    ])


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
    app.layout = layout
    hub.register(app)
    for page in PAGES:
        page.register(app, manager)
    downloads.register(app)
    return app


def warm_kernel() -> None:
    """Load every compiled kernel the server and its jobs run, before any job is forked.

    Each is compiled, or loaded from Numba's cache, once here. Job processes are forked from
    the server, so they inherit the loaded kernels instead of each loading them again (about
    0.4 s a job). It also keeps a fork from happening while the server compiles: Numba
    compiles under one process-wide lock, and a job forked while a request thread held it (a
    couple run's classifier, say) inherited the lock held and waited for it forever the
    first time it compiled (the mean-field job, on a cold cache). So the batch kernel (a
    tiny sweep), the mean-field map (its overlay on that sweep) and the classifier (the
    default couple) are all loaded here. The kernels' threads use Numba's ``workqueue``
    layer, which allows a fork after it has run (GNU OpenMP's does not); results do not
    depend on the threading layer.
    """
    import numba

    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"
    from dashboard import compute

    tiny = {**compute.sweep_spec(view.default_view()), "points": 2, "reps": 1}
    compute.meanfield_overlay(compute.grid_sweep(tiny))
    compute.couple_run(compute.couple_key(view.default_view()))


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False,
          workers: int = 0) -> None:
    """Build the app and serve it until interrupted (see :mod:`dashboard.serve`).

    Args:
        host: Address to listen on.
        port: TCP port.
        debug: Dash's debug mode (development server on loopback only).
        workers: 0: Werkzeug's development server in this process; N >= 1: gunicorn with
            N worker processes sharing one job cache.
    """
    from dashboard import serve as serving

    if workers >= 1:
        serving.serve_gunicorn(host, port, workers)
    else:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        serving.serve_dev(host, port, debug)
