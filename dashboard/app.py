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

from dash import Dash, dcc, html

from dashboard import downloads, hub, ids, urlcodec, view, widgets
from dashboard.pages import PAGES

ASSETS = Path(__file__).resolve().parent / "assets"
TITLE = "dyadsim: the pursue-withdraw cycle"
#: The largest request body the server reads (Flask's ``MAX_CONTENT_LENGTH``). The largest
#: legitimate one is about 1.3 MB: the couple page's upload of a 200 KB scenario (base64,
#: 267 KB) sent with the view and a sweep cell's four sample views, each holding the
#: upload's text; a 41 x 41 sweep's result sent back with its mean-field map is 1.1 MB
#: (measured on the upload callback's and the overlay callback's JSON). Above this a
#: request gets HTTP 413 and one line.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
#: The longest URL query string the server accepts: the link codec's (HTTP 414 and one
#: line above it).
MAX_QUERY_BYTES = urlcodec.MAX_QUERY


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
        *[_shown_only_if(page.layout(current), page.NAME == current["page"])
          for page in PAGES],
        html.Footer(className="footer", children=[
            html.Label("Share this view", htmlFor=ids.Shell.SHARE_LINK,
                       className="control-label"),
            dcc.Input(id=ids.Shell.SHARE_LINK, type="text", readOnly=True, className="share"),
            dcc.Clipboard(target_id=ids.Shell.SHARE_LINK, title="copy the link",
                          className="clipboard"),
            html.A("Class mode: students play a partner", href="/class/", className="class-link"),
        ]),
        dcc.Store(id=ids.Shell.VIEW, data=current),
        dcc.Store(id=ids.Shell.SWEEP_SPEC),
        dcc.Store(id=ids.Shell.COMPARE_SPEC),
        dcc.Download(id=ids.Shell.DOWNLOAD),
    ])


def _shown_only_if(div: html.Div, shown: bool) -> html.Div:
    """A page as first served: only the current page is visible before any callback runs.

    The hub sets each page's style from the view afterwards; without this, the first load
    showed every page stacked until then.
    """
    if not shown:
        div.style = {"display": "none"}
    return div


def _limit_requests(app: Dash) -> None:
    """Bound the request body and the query string; an over-long one gets one line.

    A callback request whose inputs do not match the callback (Dash's
    ``CallbackException``) is HTTP 400 and one line too, not a 500 and a traceback.
    """
    from dash.exceptions import CallbackException
    from flask import request
    from werkzeug.exceptions import RequestEntityTooLarge

    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @server.errorhandler(RequestEntityTooLarge)
    def _too_large(err: RequestEntityTooLarge) -> tuple[str, int, dict[str, str]]:
        size = request.content_length
        return (f"request body = {size if size is not None else 'more than the limit'} "
                f"bytes: too large; allowed: at most {MAX_REQUEST_BYTES} bytes\n", 413,
                {"Content-Type": "text/plain; charset=utf-8"})

    @server.errorhandler(CallbackException)
    def _not_this_callback(err: CallbackException) -> tuple[str, int, dict[str, str]]:
        # a request whose inputs are not the callback's (forged, or a stale page)
        lines = str(err).strip().splitlines()
        return (f"callback request: not valid ({lines[0] if lines else 'no detail'}); "
                "allowed: the inputs the callback was registered with\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})

    @server.before_request
    def _envelope() -> tuple[str, int, dict[str, str]] | None:
        # Dash reads a callback request's fields without checking them: a forged one (no
        # inputs, an unknown output, a list for a body) would be a 500 and a traceback
        if request.path != f"{app.config.requests_pathname_prefix}_dash-update-component":
            return None
        problem = envelope_problem(request.get_json(silent=True), app.callback_map)
        if problem is None:
            return None
        return (f"callback request: {problem}\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})

    @server.before_request
    def _query_bound() -> tuple[str, int, dict[str, str]] | None:
        size = len(request.query_string)
        if size <= MAX_QUERY_BYTES:
            return None
        return (f"URL query = {size} bytes: too long; allowed: at most {MAX_QUERY_BYTES} "
                "bytes (open the dashboard without it and set the view there)\n", 414,
                {"Content-Type": "text/plain; charset=utf-8"})


def envelope_problem(body: Any, callbacks: dict[str, Any]) -> str | None:
    """What is wrong with a callback request's envelope, in one line, or ``None``.

    The envelope is the JSON Dash's page sends: ``output`` (a registered callback),
    ``inputs`` and ``state`` (lists of objects), ``changedPropIds`` (a list of strings);
    the values inside are the callbacks' to check.
    """
    if not isinstance(body, dict):
        return "the body is not a JSON object; allowed: Dash's callback request"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        shown = repr(output)[:60]
        return f"output = {shown}: not a callback of this app"
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(
                isinstance(i, dict | list) for i in items):
            return f"{key}: not a list of inputs; allowed: Dash's callback request"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds: not a list of names; allowed: Dash's callback request"
    return None


def create_app(cache_dir: str | Path | None = None) -> Dash:
    """Build the dashboard app.

    Args:
        cache_dir: Where background jobs keep their results (default: a new temporary
            folder). Results are keyed by the job's settings and this app's start.
    """
    from dashboard.serve import LockedCache, SharedJobs, hold_forks_during_transactions

    folder = Path(cache_dir) if cache_dir else Path(tempfile.mkdtemp(prefix="dyadsim-dash-"))
    launch = uuid.uuid4().hex
    hold_forks_during_transactions()  # a job never forks in the middle of a cache write
    manager = SharedJobs(LockedCache(str(folder)), cache_by=[lambda: launch], expire=3600)
    app = Dash(__name__, title=TITLE, assets_folder=str(ASSETS),
               background_callback_manager=manager, suppress_callback_exceptions=False)
    app.layout = layout
    _limit_requests(app)
    widgets.hold_results_in(manager.handle)  # exports draw what the jobs left here
    hub.register(app)
    for page in PAGES:
        page.register(app, manager)
    downloads.register(app)
    from dashboard import classroom

    classroom.register(app.server)  # class mode's pages and API (/class/...)
    return app


def warm_kernel() -> None:
    """Load every compiled kernel the server and its jobs run, before any job is forked.

    Each is compiled, or loaded from Numba's cache, once here. Job processes are forked from
    the server, so they inherit the loaded kernels instead of each loading them again (about
    0.4 s a job). It also keeps a fork from happening while the server compiles: Numba
    compiles under one process-wide lock, and a job forked while a request thread held it (a
    couple run's classifier, say) inherited the lock held and waited for it forever the
    first time it compiled (the mean-field job, on a cold cache). So the batch kernel (a
    tiny sweep), the mean-field map (its overlay on that sweep), the classifier (the
    default couple), the life engine's runs (the default life) and class mode's day (one
    week of a couple) are all loaded here.
    The kernels' threads use Numba's ``workqueue`` layer, which allows a fork after it has
    run (GNU OpenMP's does not); results do not depend on the threading layer.
    """
    import numba

    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"
    from dashboard import compute

    tiny = {**compute.sweep_spec(view.default_view()), "points": 2, "reps": 1}
    compute.meanfield_overlay(compute.grid_sweep(tiny))
    compute.couple_run(compute.couple_key(view.default_view()))
    # the Life course page's life runs in a request thread too (the batch kernel with a
    # timeline, for the Strange Situation): the default life loads its kernels here
    from dashboard import lifecourse

    lifecourse.life_course(view.default_view()["life"])
    # class mode's day (dyadsim.batch.one_day) runs in a request thread, inside the database
    # transaction that stores a move: compiled there on a cold cache (about 4 s) it would
    # hold the class's write lock; one week of a couple loads it here
    from dashboard.classroom import game

    couple = game.couple(0)
    game.play(couple, game.start(couple), next(iter(game.MOVES)))


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
