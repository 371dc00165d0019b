"""The "Sweep" page: two parameters on a grid, the heatmap, sample runs of a clicked cell.

The sweep and its mean-field map run as Dash background jobs (:func:`register`); the
axes, size and quantity shown are part of the view and change through the hub
(:func:`apply`, :func:`controls`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update

from dashboard import compute, guard, ids, view
from dashboard.figures import (
    REGIME_WORDS,
    cell_figure,
    empty_figure,
    heatmap_figure,
    param_label,
    quantity_label,
)
from dashboard.widgets import GRAPH_CONFIG, background_job, hold_result, job_controls, reporter
from dyadsim.params import REGISTRY
from dyadsim.scenario import ScenarioError
from dyadsim.timeunits import span

NAME = "sweep"
TITLE = "Sweep"
ID = ids.Sweep
_AXIS_KEYS = tuple(f"{axis}_{part}" for axis in ("x", "y") for part in ("name", "low", "high"))

# --- Layout ----------------------------------------------------------------------------------


def _axis_controls(key: str, axis: dict[str, Any]) -> html.Div:
    options = [{"label": f"{param_label(p.name)} [{p.name}]", "value": p.name}
               for p in REGISTRY.values() if p.sweepable]
    name, low, high = (ID.axis(key, part) for part in ("name", "low", "high"))
    return html.Div(className="axis", children=[
        html.Label(f"{key.upper()} axis", htmlFor=name, className="control-label"),
        dcc.Dropdown(id=name, options=options, value=axis["name"], clearable=False),
        html.Div(className="row", children=[
            html.Div([html.Label("from", htmlFor=low, className="control-label"),
                      dcc.Input(id=low, type="number", value=axis["low"],
                                debounce=True, className="number")]),
            html.Div([html.Label("to", htmlFor=high, className="control-label"),
                      dcc.Input(id=high, type="number", value=axis["high"],
                                debounce=True, className="number")]),
        ]),
    ])


def layout(current: dict[str, Any]) -> html.Div:
    """Sweep two parameters: axes, size, the heatmap, and sample runs of a clicked cell."""
    return html.Div(id=ids.Shell.page(NAME), className="page", children=[
        html.Aside(className="sidebar", children=[
            html.P("All other parameters stay as set on the couple page.", className="hint"),
            _axis_controls("x", current["x"]),
            _axis_controls("y", current["y"]),
            html.Div(className="row", children=[
                html.Div([html.Label("Points per axis", htmlFor=ID.POINTS,
                                     className="control-label"),
                          dcc.Input(id=ID.POINTS, type="number", value=current["points"],
                                    debounce=True, className="number")]),
                html.Div([html.Label("Replicates", htmlFor=ID.REPS,
                                     className="control-label"),
                          dcc.Input(id=ID.REPS, type="number", value=current["reps"],
                                    debounce=True, className="number")]),
            ]),
            html.Label("Show", htmlFor=ID.SHOW, className="control-label"),
            dcc.Dropdown(id=ID.SHOW, value=current["show"], clearable=False,
                         options=[{"label": quantity_label(q), "value": q}
                                  for q in view.SHOW_OPTIONS]),
            dcc.Checklist(id=ID.OVERLAY, value=["meanfield"], className="checklist",
                          options=[{"label": " Lines where the ending changes, without chance "
                                             "(mean field)",
                                    "value": "meanfield"}]),
            *job_controls(ID.JOB),
            html.P(id=ID.MEANFIELD_STATUS, className="hint", **{"aria-live": "polite"}),
            html.Div(className="export", children=[
                html.Button("Heatmap (PNG)", id=ID.EXPORT_PNG, className="secondary"),
                html.Button("Table (CSV)", id=ID.EXPORT_CSV, className="secondary"),
            ]),
        ]),
        html.Main(className="main", children=[
            dcc.Graph(id=ID.HEATMAP, config=GRAPH_CONFIG),
            html.P("Click a cell to see sample runs from it.", className="hint"),
            dcc.Graph(id=ID.CELL_GRAPH, config=GRAPH_CONFIG),
            html.Div(id=ID.CELL_RUNS, className="row"),
            dcc.Store(id=ID.RESULT),
            dcc.Store(id=ID.MEANFIELD_RESULT),
            dcc.Store(id=ID.CELL_VIEWS),
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

_PLAIN: dict[str, str] = {
    **{k: ID.axis(*k.split("_")) for k in _AXIS_KEYS},
    "points": ID.POINTS, "reps": ID.REPS, "show": ID.SHOW,
}
#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {
    **{k: (cid, "value") for k, cid in _PLAIN.items()},
    "open_run": (ID.open_run(ALL), "n_clicks"),
}
#: Hub key -> (component id, property) of each control the hub writes from the view.
CONTROLS: dict[str, tuple[Any, str]] = {k: (cid, "value") for k, cid in _PLAIN.items()}
#: States the hub passes to :func:`apply` as ``extra``.
STATES: dict[str, tuple[Any, str]] = {"cell_views": (ID.CELL_VIEWS, "data")}
#: Buttons: a trigger with no clicks is a button rendered, not clicked.
CLICKS: tuple[str, ...] = (ID.OPEN_RUN,)


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of each of this page's controls that shows a part of the view."""
    values = {f"{axis}_{part}": current[axis][part] for axis in ("x", "y")
              for part in ("name", "low", "high")}
    return {**values, "points": current["points"], "reps": current["reps"],
            "show": current["show"]}


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The view after one of this page's controls changed (``None``: not this page's)."""
    msg = ""
    if kind == ID.OPEN_RUN:
        cells = extra.get("cell_views")
        cells = cells if isinstance(cells, list) else []
        try:
            cell = guard.check_view({**current, **guard.check_dict(
                "sample run", cells[guard.check_index("sample run", trigger.get("index"),
                                                      len(cells))])})
        except guard.Refused as err:
            return current, [str(err)]
        new = {**current, **{k: cell[k] for k in ("scenario", "upload", "set", "seed")},
               "page": "couple"}
    elif kind in _AXIS_KEYS:
        axis, part = kind.split("_")
        changed = {**current[axis], part: value}
        if part == "name":  # a new parameter: its whole range
            changed = {"name": value, "low": None, "high": None}
        new, msg = view.set_sweep(current, **{axis: changed})
    elif kind in ("points", "reps", "show"):
        new, msg = view.set_sweep(current, **{kind: value})
    else:
        return None
    return new, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """What the page takes from the view alone: the spec of the sweep job."""
    return {"sweep_spec": compute.sweep_spec(current)}


#: Key of :func:`derived` -> its output.
DERIVED: dict[str, tuple[Any, str]] = {"sweep_spec": (ids.Shell.SWEEP_SPEC, "data")}

# --- Jobs and figures --------------------------------------------------------------------------


def sweep_job(set_progress: Callable[[tuple[str, str]], None] | None, spec: dict[str, Any]
              ) -> tuple[Any, str]:
    """Run a sweep (in a background job); the result and a status line."""
    try:
        spec = guard.check_sweep_spec(spec)
        result = compute.grid_sweep(spec, reporter(set_progress))
    except (ScenarioError, ValueError) as err:
        return no_update, f"The sweep cannot run: {err}"
    hold_result("sweep", result["spec"], result)  # what exports draw (not the browser's copy)
    n = len(result["x"]["values"]) * len(result["y"]["values"])
    return result, (f"Done: {n} cells x {result['reps']} replicates x "
                    f"{span(result['steps'])} in {result['seconds']:.2f} s.")


def render_heatmap(result: dict[str, Any] | None, show: str,
                   overlay: Sequence[str] | None = None,
                   meanfield: dict[str, Any] | None = None) -> go.Figure:
    """The heatmap of the quantity shown (or an invitation to run a sweep).

    With ``"meanfield"`` in ``overlay``, the mean-field boundaries of the same sweep are
    drawn on top (a map computed for other settings is never drawn).
    """
    if not result:
        return empty_figure("Choose two axes and press Run sweep.")
    try:
        result = guard.check_sweep_result(result)
        meanfield = guard.check_meanfield(meanfield, result)
    except guard.Refused as err:
        return empty_figure(f"This sweep cannot be shown: {err}")
    if not isinstance(show, str) or show not in result["tables"]:
        show = "trap"
    lines: list[dict[str, Any]] = []
    if isinstance(overlay, list) and "meanfield" in overlay and meanfield:
        lines = meanfield["overlay"]
    return heatmap_figure(result, show, overlay=lines)


def meanfield_job(result: dict[str, Any] | None) -> tuple[Any, str]:
    """The mean-field map for a finished sweep (in a background job), and a status line."""
    if not result:
        return None, ""
    try:
        mf = compute.meanfield_overlay(guard.check_sweep_result(result))
    except (ScenarioError, ValueError) as err:
        return None, f"The mean-field map cannot be drawn: {err}"
    hold_result("meanfield", mf["spec"], mf)
    names = [line["name"] for line in mf["overlay"]]  # the legend's words, in its order
    counts = ", ".join(f"{v} {REGIME_WORDS.get(k, k)}" for k, v in mf["regimes"].items()
                       if v)
    text = (f"Mean field (no noise): of {sum(mf['regimes'].values())} cells, {counts}; "
            + (f"lines drawn: {'; '.join(names)}." if names
               else "the same end everywhere, no line."))
    if mf["agreement"] is not None:
        text += (f" It predicts the simulated majority outcome in {mf['agreement']:.0%} of "
                 "cells.")
    if mf["events"]:
        text += " The scenario's events are not part of the mean field."
    return mf, text


def show_cell(click: dict[str, Any] | None, result: dict[str, Any] | None
              ) -> tuple[go.Figure, list[Any], list[dict[str, Any]]]:
    """Sample runs of the clicked cell, and a button per run to open it on the couple page."""
    if not click or not result:
        return empty_figure("Click a heatmap cell to see sample runs."), [], []
    try:
        result = guard.check_sweep_result(result)
        cell = guard.check_click(click, result)
        if cell is None:
            return empty_figure("Click a heatmap cell to see sample runs."), [], []
        samples = compute.cell_runs(result, *cell)
    except (guard.Refused, ScenarioError) as err:
        return empty_figure(f"No sample runs: {err}"), [], []
    buttons = [html.Button(f"Open replicate {s['replicate'] + 1} ({s['outcome']}) on the "
                           "couple page", id=ID.open_run(k), className="secondary")
               for k, s in enumerate(samples)]
    return cell_figure(samples), buttons, [s["view"] for s in samples]


def register(app: Dash, manager: Any) -> None:
    """Register the page's jobs and figures on ``app``; jobs run through ``manager``."""

    @app.callback(Output(ID.RESULT, "data"), Output(ID.JOB.status, "children"),
                  Input(ID.JOB.run, "n_clicks"), State(ids.Shell.SWEEP_SPEC, "data"),
                  **background_job(ID.JOB, manager))
    def _sweep(set_progress: Any, n_clicks: int, spec: dict[str, Any]) -> tuple[Any, str]:
        return sweep_job(set_progress, spec)

    # The map is a State here so the heatmap never waits for the mean-field job; when the
    # job lands, the second callback redraws with its curves.
    app.callback(Output(ID.HEATMAP, "figure"), Input(ID.RESULT, "data"),
                 Input(ID.SHOW, "value"), Input(ID.OVERLAY, "value"),
                 State(ID.MEANFIELD_RESULT, "data"))(render_heatmap)

    @app.callback(Output(ID.HEATMAP, "figure", allow_duplicate=True),
                  Input(ID.MEANFIELD_RESULT, "data"), State(ID.RESULT, "data"),
                  State(ID.SHOW, "value"), State(ID.OVERLAY, "value"),
                  prevent_initial_call=True)
    def _overlay(meanfield: dict[str, Any] | None, result: dict[str, Any] | None, show: str,
                 overlay: list[str] | None) -> go.Figure:
        return render_heatmap(result, show, overlay, meanfield)

    app.callback(Output(ID.MEANFIELD_RESULT, "data"), Output(ID.MEANFIELD_STATUS, "children"),
                 Input(ID.RESULT, "data"), background=True, manager=manager,
                 prevent_initial_call=True)(meanfield_job)

    # An opened replicate lands at the couple page's top, not at the height of the button
    # that opened it (assets/navigate.js: only a hidden page shown again scrolls).
    app.clientside_callback(ClientsideFunction("dyadsim", "landAtTop"),
                            Input(ids.Shell.page("couple"), "style"))

    app.callback(Output(ID.CELL_GRAPH, "figure"), Output(ID.CELL_RUNS, "children"),
                 Output(ID.CELL_VIEWS, "data"), Input(ID.HEATMAP, "clickData"),
                 State(ID.RESULT, "data"))(show_cell)
