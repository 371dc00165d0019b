"""The files the dashboard offers: the couple's figure, data and settings; the sweep's.

One :class:`dcc.Download` in the shell serves every export button of every page, so one
callback (:func:`register`) answers them all, and a failure is a message, not a traceback.

The browser only asks: every file is drawn from what the server holds for the view it
sends (checked first, :func:`checked_view`), never from a figure or result the browser
sends. The couple's run comes from :func:`dashboard.compute.couple_run`; a sweep's result
from the one its job left with the server (:func:`dashboard.widgets.held_result`). Figures
are built by :mod:`dashboard.figures` and drawn offline (:mod:`dashboard.export`); the
couple's figure, GIF, MP4 and HTML page for class are composed by :mod:`dashboard.classexport`.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard import classexport, compute, ids, view
from dashboard.figures import heatmap_figure
from dashboard.widgets import held_result
from dyadsim import slides
from dyadsim.params import REGISTRY
from dyadsim.scenario import Scenario, ScenarioError

#: The export buttons, in the order the callback lists them.
BUTTONS: tuple[str, ...] = (ids.Couple.EXPORT_PNG, ids.Couple.EXPORT_SVG,
                            ids.Couple.EXPORT_CSV, ids.Couple.EXPORT_TOML,
                            ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_MP4,
                            ids.Couple.EXPORT_HTML, ids.Sweep.EXPORT_PNG, ids.Sweep.EXPORT_CSV)
_FIGURE_FORMATS = {ids.Couple.EXPORT_PNG: "png", ids.Couple.EXPORT_SVG: "svg"}
#: The couple's other files drawn from its run: the data, the GIF, the MP4, the offline page.
_RUN_FILES = (ids.Couple.EXPORT_CSV, ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_MP4,
              ids.Couple.EXPORT_HTML)
#: The longest text the view's scenario and file names may be (a library name is ~30).
MAX_NAME = 200
_LOG = logging.getLogger(__name__)


def figure_bytes(figure: go.Figure, fmt: str) -> bytes:
    """A figure as PNG or SVG, drawn offline by kaleido in the system's Chromium."""
    from dashboard.export import to_image

    return to_image(figure, fmt)


def _text(key: str, value: Any, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        shown = repr(value)[:40] + ("..." if len(repr(value)) > 40 else "")
        raise ValueError(f"{key} = {shown}: not allowed; allowed: a text of at most {limit} "
                         "characters")
    return value


def checked_view(current: Any) -> dict[str, Any]:
    """The view a browser sent, checked against the registry, the library and the bounds.

    Only checks: a valid view comes back as it was sent, so its cache keys are the ones
    the pages used.

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    from dashboard.pages.couple import UPLOAD_LIMIT

    if not isinstance(current, dict):
        raise ValueError(f"view = {type(current).__name__}: not allowed; allowed: the "
                         "dashboard's view (a JSON object)")
    current = {**view.default_view(), **current}
    name = current.get("scenario")
    if name not in (None, "") and name not in view.library_names():
        shown = repr(name)[:60]
        raise ValueError(f"scenario = {shown}: not in the library; allowed: "
                         + ", ".join(view.library_names()))
    upload = current.get("upload")
    if upload is not None:
        if not isinstance(upload, dict):
            raise ValueError("upload: not allowed; allowed: an uploaded scenario file")
        _text("upload text", upload.get("text"), UPLOAD_LIMIT)
        if upload.get("name") is not None:
            _text("upload name", upload.get("name"), MAX_NAME)
    settings = current.get("set")
    if not isinstance(settings, dict):
        raise ValueError("set: not allowed; allowed: parameter settings (name: value)")
    for key, value in settings.items():
        if key not in REGISTRY:
            raise ValueError(f"set = {str(key)[:60]!r}: not a parameter; allowed: a "
                             "parameter of the registry (dyadsim params)")
        if isinstance(value, str) and len(value) > MAX_NAME:
            raise ValueError(f"{key} = {value[:40]!r}...: not allowed; allowed: "
                             f"{REGISTRY[key].allowed()}")
        REGISTRY[key].check(value)  # ParamError (a ValueError): one line
    _text("seed", str(current.get("seed")), 20)
    for axis in ("x", "y"):
        value = current.get(axis)
        if not isinstance(value, dict):
            raise ValueError(f"{axis} axis: not allowed; allowed: a sweep axis")
        view.check_axis(f"{axis} axis", value.get("name"), value.get("low"), value.get("high"))
    view.number("points", current.get("points"), *view.POINTS_RANGE, whole=True)
    view.number("reps", current.get("reps"), *view.REPS_RANGE, whole=True)
    if current.get("show") not in view.SHOW_OPTIONS:
        raise ValueError(f"show = {str(current.get('show'))[:40]!r}: not allowed; allowed: "
                         + ", ".join(view.SHOW_OPTIONS))
    view.resolve(current)  # the scenario, settings and seed themselves (ScenarioError)
    return current


def scenario_toml(current: dict[str, Any]) -> str:
    """The view's couple as a scenario file that ``dyadsim run FILE`` accepts."""
    scenario = view.resolve(current)
    if not (current.get("scenario") or current.get("upload")):
        scenario = Scenario(
            title="Settings from the dyadsim dashboard",
            summary="A couple set up in the dyadsim dashboard.",
            description=scenario.description, names=scenario.names,
            params=scenario.params, source="dashboard")
    return scenario.dumps()


def _frame(run: dict[str, Any], key: str, cursor: Any) -> int:
    """The row the couple page shows: the cursor's, if it is this run's and in range."""
    last = len(run["traj"]) - 1
    if isinstance(cursor, dict) and cursor.get("key") == key:
        i = cursor.get("i")
        if isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= last:
            return i
    return last


def _file(data: bytes, filename: str) -> dict[str, Any]:
    return {"content": base64.b64encode(data).decode(), "base64": True, "filename": filename}


def _export(trigger: str, current: dict[str, Any], cursor: Any) -> tuple[Any, str]:
    name = (current.get("scenario") or "couple") + f"-seed{current['seed']}"
    if trigger in (*_FIGURE_FORMATS, *_RUN_FILES):
        key = compute.couple_key(current)
        run = compute.couple_run(key)
        if trigger == ids.Couple.EXPORT_CSV:
            buf = io.StringIO()
            run["traj"].to_csv(buf, index=False)
            return {"content": buf.getvalue(), "filename": f"{name}.csv"}, ""
        footer = classexport.footer_lines(current)
        if trigger == ids.Couple.EXPORT_GIF:
            return _file(classexport.class_gif(run, footer), f"{name}.gif"), ""
        if trigger == ids.Couple.EXPORT_MP4:
            return _file(classexport.class_mp4(run, footer), f"{name}.mp4"), ""
        if trigger == ids.Couple.EXPORT_HTML:
            return {"content": classexport.class_html(run, footer),
                    "filename": f"{name}.html"}, ""
        fmt = _FIGURE_FORMATS[trigger]
        figure = classexport.class_figure(run, _frame(run, key, cursor), footer)
        return _file(figure_bytes(figure, fmt), f"{name}.{fmt}"), ""
    if trigger == ids.Couple.EXPORT_TOML:
        return {"content": scenario_toml(current), "filename": f"{name}.toml"}, ""
    if trigger in (ids.Sweep.EXPORT_PNG, ids.Sweep.EXPORT_CSV):
        spec = compute.sweep_spec(current)
        result = held_result("sweep", spec)
        if not result:
            return no_update, ("The server holds no sweep for these settings: run the sweep, "
                               "then export it.")
        if trigger == ids.Sweep.EXPORT_CSV:
            return {"content": sweep_csv(result), "filename": "sweep.csv"}, ""
        meanfield = held_result("meanfield", spec)
        show = current["show"] if current["show"] in result["tables"] else "trap"
        figure = heatmap_figure(result, show, overlay=meanfield["overlay"] if meanfield else ())
        return _file(figure_bytes(figure, "png"), "sweep-heatmap.png"), ""
    return no_update, ""


def export(trigger: str, current: Any, cursor: Any = None) -> tuple[dict[str, Any] | Any, str]:
    """The file an export button (``trigger``, its id) asks for, or a one-line message.

    Args:
        trigger: The id of the export button pressed.
        current: The view the browser sent (checked here before anything is run).
        cursor: The couple page's playback cursor (the frame shown); ignored unless it
            belongs to the view's run and is in range.
    """
    try:
        checked = checked_view(current)
        return _export(trigger, checked, cursor)
    except (ScenarioError, ValueError) as err:
        return no_update, f"Nothing exported: {str(err).splitlines()[0] if str(err) else err}"
    except slides.VideoError as err:  # no ffmpeg (what to install), or ffmpeg failed
        return no_update, f"Nothing exported: {err}"
    except RuntimeError as err:  # kaleido could not start a browser, or could not draw
        return no_update, f"The figure could not be drawn: {str(err).splitlines()[0]}"
    except Exception as err:  # a forged view must never be a 500
        _LOG.warning("export %s failed: %s", trigger, type(err).__name__)
        return no_update, f"Nothing exported: the request was not valid ({type(err).__name__})."


def sweep_csv(result: dict[str, Any]) -> str:
    """A sweep's table: one row per cell, every quantity with its 95% interval and n."""
    import pandas as pd

    rows = []
    for iy, y in enumerate(result["y"]["values"]):
        for ix, x in enumerate(result["x"]["values"]):
            row: dict[str, Any] = {result["x"]["name"]: x, result["y"]["name"]: y}
            for q, table in result["tables"].items():
                row[q] = table["value"][iy][ix]
                row[f"{q}_ci_low"] = table["low"][iy][ix]
                row[f"{q}_ci_high"] = table["high"][iy][ix]
                row[f"{q}_n"] = table["n"][iy][ix]
            rows.append(row)
    return pd.DataFrame(rows).to_csv(index=False)


def register(app: Dash) -> None:
    """Register the one callback behind every export button on ``app``.

    Its inputs are the buttons, the view and the couple page's cursor: no figure and no
    result from the browser.
    """

    @app.callback(Output(ids.Shell.DOWNLOAD, "data"),
                  Output(ids.Shell.MESSAGE, "children", allow_duplicate=True),
                  *[Input(button, "n_clicks") for button in BUTTONS],
                  State(ids.Shell.VIEW, "data"), State(ids.Couple.CURSOR, "data"),
                  prevent_initial_call=True)
    def _export_callback(*args: Any) -> tuple[Any, str]:
        current, cursor = args[len(BUTTONS)], args[len(BUTTONS) + 1]
        return export(str(ctx.triggered_id), current, cursor)
