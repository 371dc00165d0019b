"""The dashboard's pages. Parameter controls are generated from the registry.

Every label, bound, step and help text of a parameter control comes from
:data:`dyadsim.params.REGISTRY`; nothing about a parameter is typed here.
"""

from __future__ import annotations

import math
from typing import Any

from dash import dcc, html

from dashboard import state
from dashboard.about import about_page
from dashboard.figures import param_label, quantity_label
from dyadsim.params import PARTNERS, REGISTRY, Param, iter_params

#: Shown open above each group's "more" list; all other parameters sit inside it.
PRIMARY = {
    "partner_a": ("anxiety", "avoidance", "protest_intensity", "reassurance"),
    "partner_b": ("anxiety", "avoidance", "protest_intensity", "reassurance"),
    "dyad": ("noise", "ambiguity", "stress", "closeness0"),
}
GROUP_TITLES = {"partner_a": "Partner A", "partner_b": "Partner B", "dyad": "The couple"}
SPEEDS = (1, 2, 5, 10, 25)
TICK_MS = 200


def slider_step(param: Param) -> float:
    """A step of about a hundredth of the parameter's range, rounded to a power of ten."""
    return 10.0 ** math.floor(math.log10((param.high - param.low) / 100))


def param_control(param: Param, value: float) -> html.Div:
    """One registry parameter as a labelled slider whose tooltip is the registry's help."""
    control_id = {"type": "param", "name": param.name}
    unit = f" ({param.unit})" if param.unit else ""
    return html.Div(className="control", children=[
        html.Label(param.label + unit, title=f"{param.help} [{param.name}; "
                   f"{param.allowed()}]", className="control-label"),
        dcc.Slider(id=control_id, min=param.low, max=param.high, step=slider_step(param),
                   value=value, marks=None, updatemode="mouseup",
                   tooltip={"placement": "bottom", "always_visible": False}),
    ])


def group_controls(group: str, values: dict[str, float], names: tuple[str, str]) -> html.Div:
    """One partner's (or the couple's) sliders: the primary ones open, the rest folded."""
    params = [p for p in iter_params(group) if p.kind is float]
    first = [p for p in params if p.short in PRIMARY[group]]
    rest = [p for p in params if p.short not in PRIMARY[group]]
    title = GROUP_TITLES[group]
    if group in PARTNERS:
        title += f" ({names[PARTNERS.index(group)]})"
    return html.Fieldset(className="group", children=[
        html.Legend(title, id=f"legend-{group}"),
        *[param_control(p, round(values[p.name], 6)) for p in first],
        html.Details([html.Summary(f"More for {GROUP_TITLES[group].lower()} "
                                   f"({len(rest)})"),
                      *[param_control(p, round(values[p.name], 6)) for p in rest]]),
    ])


def scenario_options() -> list[dict[str, str]]:
    """The scenario picker's options: the default couple, then the library by title."""
    options = [{"label": "The default couple", "value": "default"}]
    options += [{"label": state.library_scenario(n).title, "value": n}
                for n in state.library_names()]
    return options


def couple_page(view: dict[str, Any]) -> html.Div:
    """One couple: controls, playback, the time series, the phase portrait, the caption."""
    values = state.values(view)
    names = state.base_scenario_or_default(view).names
    steps = REGISTRY["run.steps"]
    return html.Div(id="page-couple", className="page", children=[
        html.Aside(className="sidebar", children=[
            html.Label("Scenario or lesson", htmlFor="scenario", className="control-label"),
            dcc.Dropdown(id="scenario", options=scenario_options(),
                         value=view.get("scenario") or "default", clearable=False),
            dcc.Upload(id="upload", className="upload", accept=".toml",
                       children=html.Button("Upload a scenario file (.toml)",
                                            className="secondary")),
            html.Div(className="row", children=[
                html.Div([html.Label("Seed", htmlFor="seed", className="control-label"),
                          dcc.Input(id="seed", type="text", inputMode="numeric",
                                    value=view["seed"],
                                    debounce=True, className="number")]),
                html.Div([html.Label(steps.label, htmlFor={"type": "param",
                                                           "name": "run.steps"},
                                     title=steps.help, className="control-label"),
                          dcc.Input(id={"type": "param", "name": "run.steps"},
                                    type="number", value=values["run.steps"],
                                    debounce=True, className="number")]),
            ]),
            html.Button("Restore the scenario's settings", id="restore",
                        className="secondary"),
            *[group_controls(g, values, names) for g in ("partner_a", "partner_b", "dyad")],
        ]),
        html.Main(className="main", children=[
            html.Div(className="playback", role="group", **{"aria-label": "playback"},
                     children=[
                html.Button("Reset", id="reset"),
                html.Button("Step", id="step"),
                html.Button("Play", id="play", className="primary"),
                html.Label("Speed (episodes per tick)", htmlFor="speed",
                           className="control-label inline"),
                html.Div(dcc.Slider(id="speed", min=0, max=len(SPEEDS) - 1, step=1, value=2,
                                    marks={i: str(s) for i, s in enumerate(SPEEDS)}),
                         className="speed"),
            ]),
            html.P(id="caption", className="caption", **{"aria-live": "polite"}),
            html.Div(id="outcome", className="outcome"),
            html.Div(className="figures", children=[
                dcc.Graph(id="couple-graph", className="graph-main",
                          config={"displaylogo": False}),
                dcc.Graph(id="phase-graph", className="graph-side",
                          config={"displaylogo": False}),
            ]),
            html.Div(className="export", children=[
                html.Span("Export:", className="control-label inline"),
                html.Button("Figure (PNG)", id="export-png", className="secondary"),
                html.Button("Figure (SVG)", id="export-svg", className="secondary"),
                html.Button("Data (CSV)", id="export-csv", className="secondary"),
                html.Button("Settings (scenario TOML)", id="export-toml",
                            className="secondary"),
            ]),
            dcc.Interval(id="ticker", interval=TICK_MS, disabled=True),
            dcc.Store(id="cursor"),
            dcc.Store(id="rendered"),
        ]),
    ])


def _axis_controls(key: str, axis: dict[str, Any]) -> html.Div:
    options = [{"label": f"{param_label(p.name)} [{p.name}]", "value": p.name}
               for p in REGISTRY.values() if p.sweepable]
    return html.Div(className="axis", children=[
        html.Label(f"{key.upper()} axis", htmlFor=f"{key}-name", className="control-label"),
        dcc.Dropdown(id=f"{key}-name", options=options, value=axis["name"],
                     clearable=False),
        html.Div(className="row", children=[
            html.Div([html.Label("from", htmlFor=f"{key}-low", className="control-label"),
                      dcc.Input(id=f"{key}-low", type="number", value=axis["low"],
                                debounce=True, className="number")]),
            html.Div([html.Label("to", htmlFor=f"{key}-high", className="control-label"),
                      dcc.Input(id=f"{key}-high", type="number", value=axis["high"],
                                debounce=True, className="number")]),
        ]),
    ])


def job_controls(job: str) -> list[Any]:
    """Run and Cancel buttons, a progress bar and a status line for a background job."""
    return [
        html.Div(className="row", children=[
            html.Button(f"Run {job}", id=f"{job}-run", className="primary"),
            html.Button("Cancel", id=f"{job}-cancel", disabled=True),
        ]),
        html.Progress(id=f"{job}-progress", value="0", max="1",
                      **{"aria-label": f"{job} progress"}),
        html.P(id=f"{job}-status", className="hint", **{"aria-live": "polite"}),
    ]


def sweep_page(view: dict[str, Any]) -> html.Div:
    """Sweep two parameters: axes, size, the heatmap, and sample runs of a clicked cell."""
    return html.Div(id="page-sweep", className="page", children=[
        html.Aside(className="sidebar", children=[
            html.P("All other parameters stay as set on the couple page.", className="hint"),
            _axis_controls("x", view["x"]),
            _axis_controls("y", view["y"]),
            html.Div(className="row", children=[
                html.Div([html.Label("Points per axis", htmlFor="points",
                                     className="control-label"),
                          dcc.Input(id="points", type="number", value=view["points"],
                                    debounce=True, className="number")]),
                html.Div([html.Label("Replicates", htmlFor="reps", className="control-label"),
                          dcc.Input(id="reps", type="number", value=view["reps"],
                                    debounce=True, className="number")]),
            ]),
            html.Label("Show", htmlFor="show", className="control-label"),
            dcc.Dropdown(id="show", value=view["show"], clearable=False,
                         options=[{"label": quantity_label(q), "value": q}
                                  for q in state.SHOW_OPTIONS]),
            dcc.Checklist(id="overlay", value=["meanfield"], className="checklist",
                          options=[{"label": " Mean-field boundaries (noise-free limit)",
                                    "value": "meanfield"}]),
            *job_controls("sweep"),
            html.P(id="meanfield-status", className="hint", **{"aria-live": "polite"}),
            html.Div(className="export", children=[
                html.Button("Heatmap (PNG)", id="sweep-export-png", className="secondary"),
                html.Button("Table (CSV)", id="sweep-export-csv", className="secondary"),
            ]),
        ]),
        html.Main(className="main", children=[
            dcc.Graph(id="heatmap", config={"displaylogo": False}),
            html.P("Click a cell to see sample runs from it.", className="hint"),
            dcc.Graph(id="cell-graph", config={"displaylogo": False}),
            html.Div(id="cell-runs", className="row"),
            dcc.Store(id="sweep-result"),
            dcc.Store(id="meanfield-result"),
            dcc.Store(id="cell-views"),
        ]),
    ])


def compare_page(view: dict[str, Any]) -> html.Div:
    """Two scenarios or settings side by side, on the same axes."""
    options = [{"label": "The couple page's settings", "value": state.CURRENT}]
    options += scenario_options()[1:]
    comp = view["compare"]
    sides = []
    for key in ("a", "b"):
        sides.append(html.Div(className="side", children=[
            html.Label(f"Side {key.upper()}", htmlFor=f"{key}-side",
                       className="control-label"),
            dcc.Dropdown(id=f"{key}-side", options=options, value=comp[key],
                         clearable=False),
            html.Label("Leave out these events", className="control-label"),
            dcc.Checklist(id=f"{key}-without", options=[], value=comp[f"{key}_without"],
                          className="checklist"),
        ]))
    return html.Div(id="page-compare", className="page", children=[
        html.Aside(className="sidebar", children=[
            *sides,
            html.Label("Replicates per side", htmlFor="compare-reps",
                       className="control-label"),
            dcc.Input(id="compare-reps", type="number", value=comp["reps"], debounce=True,
                      className="number"),
            *job_controls("compare"),
        ]),
        html.Main(className="main", children=[
            dcc.Graph(id="compare-graph", config={"displaylogo": False}),
        ]),
    ])


def layout(view: dict[str, Any] | None = None) -> html.Div:
    """The whole app: header with page buttons, the four pages, shared stores."""
    view = view or state.default_view()
    nav = [html.Button(title, id={"type": "nav", "page": page}, className="nav",
                       role="tab")
           for page, title in zip(state.PAGES, ("One couple", "Sweep", "Compare",
                                                "About this model"), strict=True)]
    return html.Div(className="app", children=[
        dcc.Location(id="url", refresh=False),
        html.Header(className="header", children=[
            html.H1("dyadsim: the pursue-withdraw cycle"),
            html.Nav(nav, role="tablist", className="tabs"),
        ]),
        html.Div(id="message", className="message", role="alert"),
        couple_page(view),
        sweep_page(view),
        compare_page(view),
        about_page(),
        html.Footer(className="footer", children=[
            html.Label("Share this view", htmlFor="share-link", className="control-label"),
            dcc.Input(id="share-link", type="text", readOnly=True, className="share"),
            dcc.Clipboard(target_id="share-link", title="copy the link",
                          className="clipboard"),
        ]),
        dcc.Store(id="view", data=view),
        dcc.Store(id="sweep-spec"),
        dcc.Store(id="compare-spec"),
        dcc.Download(id="download"),
    ])
