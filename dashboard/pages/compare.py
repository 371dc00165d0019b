"""The "Compare" page: two scenarios or settings side by side, on the same axes.

Both sides run as one Dash background job (:func:`register`); the sides, their left-out
events and the replicates are part of the view and change through the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import compute, guard, ids, view
from dashboard.figures import compare_figure
from dashboard.widgets import GRAPH_CONFIG, background_job, job_controls, reporter, scenario_options
from dyadsim.scenario import ScenarioError

NAME = "compare"
TITLE = "Compare"
ID = ids.Compare
SIDES = ("a", "b")

# --- Layout ----------------------------------------------------------------------------------


def layout(current: dict[str, Any]) -> html.Div:
    """Two scenarios or settings side by side, on the same axes."""
    options = [{"label": "The couple page's settings", "value": view.CURRENT}]
    options += scenario_options()[1:]
    comp = current["compare"]
    sides = []
    for key in SIDES:
        sides.append(html.Div(className="side", children=[
            html.Label(f"Side {key.upper()}", htmlFor=ID.side(key),
                       className="control-label"),
            dcc.Dropdown(id=ID.side(key), options=options, value=comp[key],
                         clearable=False),
            html.Label("Leave out these events", className="control-label"),
            dcc.Checklist(id=ID.without(key), options=[], value=comp[f"{key}_without"],
                          className="checklist"),
        ]))
    return html.Div(id=ids.Shell.page(NAME), className="page", children=[
        html.Aside(className="sidebar", children=[
            *sides,
            html.Label("Replicates per side", htmlFor=ID.REPS, className="control-label"),
            dcc.Input(id=ID.REPS, type="number", value=comp["reps"], debounce=True,
                      className="number"),
            *job_controls(ID.JOB),
        ]),
        html.Main(className="main", children=[
            dcc.Graph(id=ID.GRAPH, config=GRAPH_CONFIG),
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

_PLAIN: dict[str, str] = {
    "a_side": ID.A_SIDE, "a_without": ID.A_WITHOUT, "b_side": ID.B_SIDE,
    "b_without": ID.B_WITHOUT, "compare_reps": ID.REPS,
}
#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {k: (cid, "value") for k, cid in _PLAIN.items()}
#: Hub key -> (component id, property) of each control the hub writes from the view.
CONTROLS: dict[str, tuple[Any, str]] = dict(INPUTS)
#: States the hub passes to :func:`apply` as ``extra``.
STATES: dict[str, tuple[Any, str]] = {}
#: Buttons: a trigger with no clicks is a button rendered, not clicked.
CLICKS: tuple[str, ...] = ()


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of each of this page's controls that shows a part of the view."""
    comp = current["compare"]
    return {"a_side": comp["a"], "a_without": comp["a_without"], "b_side": comp["b"],
            "b_without": comp["b_without"], "compare_reps": comp["reps"]}


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The view after one of this page's controls changed (``None``: not this page's)."""
    new, msg = current, ""
    if kind in ("a_side", "b_side"):
        try:
            side = view.check_side(kind[0], value)
            comp = {**current["compare"], kind[0]: side, f"{kind[0]}_without": []}
            new = {**current, "compare": comp}
        except ValueError as err:
            msg = str(err)
    elif kind in ("a_without", "b_without"):
        try:
            comp = guard.check_compare({**current["compare"], kind: value or []})
            new = {**current, "compare": comp}
        except guard.Refused as err:
            msg = str(err)
    elif kind == "compare_reps":
        try:
            reps = view.number("replicates per side", value, *view.COMPARE_REPS_RANGE,
                               whole=True)
            new = {**current, "compare": {**current["compare"], "reps": reps}}
        except ValueError as err:
            msg = str(err)
    else:
        return None
    return new, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """What the page takes from the view alone: the job's spec, each side's events."""
    options = {}
    for side in SIDES:
        try:
            scenario = compute.side_scenario(current, side)
            labels = [e.label for e in scenario.events if e.label]
        except (ScenarioError, ValueError):
            labels = []
        options[side] = [{"label": label, "value": label} for label in labels]
    spec = {"compare": current["compare"]}
    if view.CURRENT in (current["compare"]["a"], current["compare"]["b"]):
        spec.update({k: current.get(k) for k in ("scenario", "upload", "set", "seed")})
    return {"compare_spec": spec, "a_options": options["a"], "b_options": options["b"]}


#: Key of :func:`derived` -> its output.
DERIVED: dict[str, tuple[Any, str]] = {
    "compare_spec": (ids.Shell.COMPARE_SPEC, "data"),
    "a_options": (ID.A_WITHOUT, "options"), "b_options": (ID.B_WITHOUT, "options"),
}

# --- The job ----------------------------------------------------------------------------------


def compare_job(set_progress: Callable[[tuple[str, str]], None] | None, spec: dict[str, Any]
                ) -> tuple[go.Figure | Any, str]:
    """Run both sides of a compare (in a background job); the figure and a status line."""
    try:
        current = {**view.default_view(), **guard.check_compare_spec(spec)}
        sides = compute.run_compare(current, reporter(set_progress))
    except (ScenarioError, ValueError) as err:
        return no_update, f"The compare cannot run: {err}"
    share = {k: s["shares"]["trap"]["value"] for k, s in sides.items()}
    pw = {k: s["indices"].get("pursue_withdraw_index", {}).get("value", float("nan"))
          for k, s in sides.items()}
    return (compare_figure(sides, compute.COMPARE_SERIES),
            f"Done: {current['compare']['reps']} replicates per side. Trap share: "
            f"A {share['a']:.2f}, B {share['b']:.2f}; mean pursue-withdraw index: "
            f"A {pw['a']:.2f}, B {pw['b']:.2f}.")


def register(app: Dash, manager: Any) -> None:
    """Register the page's job on ``app``; it runs through ``manager``."""

    @app.callback(Output(ID.GRAPH, "figure"), Output(ID.JOB.status, "children"),
                  Input(ID.JOB.run, "n_clicks"), State(ids.Shell.COMPARE_SPEC, "data"),
                  **background_job(ID.JOB, manager))
    def _compare(set_progress: Any, n_clicks: int, spec: dict[str, Any]) -> tuple[Any, str]:
        return compare_job(set_progress, spec)
