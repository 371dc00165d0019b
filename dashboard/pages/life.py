"""The "Life course" page: one person's life from the cradle, on one axis of age.

The person's childhood caregiving (the caregiver's sensitivity and consistency, the trust
the child learns over infancy), the Strange Situation at one year (the child's series over
the eight episodes, its A/B/C class and the reunion scales), then the adult traits year by
year with each relationship as a band (the partner's traits, who left, the outcome). The
settings (person, seed, familiarity bias, caregiver) are part of the view and change
through the hub (:func:`apply`); the life is computed by :mod:`dashboard.lifecourse`.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import guard, ids, lifecourse, lifeview
from dashboard.figures import empty_figure
from dashboard.lifefigures import life_figure, life_summary
from dashboard.widgets import GRAPH_CONFIG
from dyadsim.life.params import LIFE_REGISTRY

NAME = "life"
TITLE = "Life course"
ID = ids.Life

# --- Layout ----------------------------------------------------------------------------------


def layout(current: dict[str, Any]) -> html.Div:
    """The settings of one life, its summary and its timeline."""
    life = current["life"]
    bias = LIFE_REGISTRY[lifeview.BIAS]
    return html.Div(id=ids.Shell.page(NAME), className="page", children=[
        html.Aside(className="sidebar", children=[
            html.P(f"One person of a town of {lifeview.LIFE_TOWN}, from birth to "
                   f"{18 + lifeview.LIFE_YEARS}.", className="hint"),
            html.Div(className="row", children=[
                html.Div([html.Label("Person", htmlFor=ID.PERSON, className="control-label",
                                     title=f"Which person of the town (0 to "
                                           f"{lifeview.PERSON_RANGE[1]})"),
                          dcc.Input(id=ID.PERSON, type="number", value=life["person"],
                                    min=lifeview.PERSON_RANGE[0],
                                    max=lifeview.PERSON_RANGE[1], step=1,
                                    debounce=True, className="number")]),
                html.Div([html.Label("Seed", htmlFor=ID.SEED, className="control-label"),
                          dcc.Input(id=ID.SEED, type="text", inputMode="numeric",
                                    value=life["seed"], debounce=True, className="number")]),
            ]),
            html.Label("Caregiver in infancy", htmlFor=ID.CAREGIVER,
                       className="control-label"),
            dcc.Dropdown(id=ID.CAREGIVER, value=life["caregiver"], clearable=False,
                         options=[{"label": lifeview.CAREGIVER_LABELS[k], "value": k}
                                  for k in lifeview.CAREGIVERS]),
            html.Div(className="control", children=[
                html.Label(bias.label, htmlFor=ID.BIAS, className="control-label",
                           title=f"{bias.help} [{bias.name}; {bias.allowed()}]"),
                dcc.Slider(id=ID.BIAS, min=bias.low, max=bias.high, step=0.5,
                           value=life["bias"], updatemode="mouseup",
                           marks={v: str(v) for v in (-10, -5, 0, 5, 10)},
                           tooltip={"placement": "bottom", "always_visible": False}),
            ]),
            html.P(bias.help, className="hint"),
        ]),
        html.Main(className="main", children=[
            html.P(id=ID.SUMMARY, className="caption", **{"aria-live": "polite"}),
            dcc.Graph(id=ID.GRAPH, config=GRAPH_CONFIG, style={"height": "820px"}),
            html.P("Top: the caregiver's sensitivity and consistency and the child's trust "
                   "in the first year (zoom in on it), the traits from 1 to 18 (dashed: "
                   "childhood, year by year), then adult years; each band is a "
                   "relationship (blue: they left, orange: they were left, green: still "
                   "together), its marks the partner's anxiety (diamond) and avoidance "
                   "(square); hover for the outcome. Bottom: the Strange Situation at one "
                   "year, the caregiver away in the shaded episodes.", className="hint"),
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

_PLAIN: dict[str, tuple[str, str]] = {
    "life_person": (ID.PERSON, "person"), "life_seed": (ID.SEED, "seed"),
    "life_bias": (ID.BIAS, "bias"), "life_caregiver": (ID.CAREGIVER, "caregiver"),
}
#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {k: (cid, "value") for k, (cid, _) in _PLAIN.items()}
#: Hub key -> (component id, property) of each control the hub writes from the view.
CONTROLS: dict[str, tuple[Any, str]] = dict(INPUTS)
STATES: dict[str, tuple[Any, str]] = {}
CLICKS: tuple[str, ...] = ()
DERIVED: dict[str, tuple[Any, str]] = {}


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of each of this page's controls that shows a part of the view."""
    return {k: current["life"][name] for k, (_, name) in _PLAIN.items()}


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The view after one of this page's controls changed (``None``: not this page's)."""
    if kind not in _PLAIN:
        return None
    new, msg = lifeview.set_value(current, "life", _PLAIN[kind][1], value, label=kind)
    return new, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """Nothing outside the page's own callback follows from the view."""
    del current
    return {}


# --- The life --------------------------------------------------------------------------------


def render_life(current: Any) -> tuple[go.Figure, str]:
    """The life the view describes: its timeline and a one-paragraph summary.

    Nothing is computed while another page is shown (the life is drawn when its page
    opens, and drawn again from the cache when it comes back).

    Raises:
        PreventUpdate: Another page is shown.
    """
    try:
        checked = guard.check_view(current)
    except guard.Refused as err:
        return empty_figure("This life cannot be shown."), str(err)
    if checked["page"] != NAME:
        raise PreventUpdate
    life = checked["life"]
    try:
        course = lifecourse.life_course(life)
    except ValueError as err:
        return empty_figure("This life cannot be shown."), str(err)
    return life_figure(course), life_summary(course)


def register(app: Dash, manager: Any) -> None:
    """Register the page's rendering callback on ``app`` (a life takes about a second)."""
    del manager
    app.callback(Output(ID.GRAPH, "figure"), Output(ID.SUMMARY, "children"),
                 Input(ids.Shell.VIEW, "data"))(render_life)
