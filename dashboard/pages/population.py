"""The "Population" page: who pairs with whom, and who earns security, by the bias.

A town of lives (:mod:`dyadsim.life.population`) runs as a Dash background job with the
familiarity bias set on the page, and once more with random choice (bias 0): the page
shows the pairing matrix against random matching (a heatmap with its numbers) and the
share of anxious people who earned security under each. The settings (people, years,
seed, bias) are part of the view and change through the hub (:func:`apply`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import ids, lifecourse, lifeview
from dashboard.figures import empty_figure
from dashboard.lifefigures import pairing_figure, shares_figure
from dashboard.widgets import GRAPH_CONFIG, background_job, job_controls, reporter
from dyadsim.life.params import LIFE_REGISTRY

NAME = "population"
TITLE = "Population"
ID = ids.Population

# --- Layout ----------------------------------------------------------------------------------


def _number(label: str, cid: str, value: Any, low: int, high: int) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid, className="control-label",
                                title=f"a whole number in [{low}, {high}]"),
                     dcc.Input(id=cid, type="number", value=value, min=low, max=high,
                               step=1, debounce=True, className="number")])


def layout(current: dict[str, Any]) -> html.Div:
    """The population's settings, its job, the pairing matrix and the earned security."""
    pop = current["population"]
    bias = LIFE_REGISTRY[lifeview.BIAS]
    return html.Div(id=ids.Shell.page(NAME), className="page", children=[
        html.Aside(className="sidebar", children=[
            html.P("A town of adult lives from 18: they meet, choose, live their "
                   "relationships on the model's engine, break up and meet again.",
                   className="hint"),
            html.Div(className="row", children=[
                _number("People", ID.PEOPLE, pop["people"], *lifeview.PEOPLE_RANGE),
                _number("Years", ID.YEARS, pop["years"], *lifeview.YEARS_RANGE),
            ]),
            html.Label("Traits at 18", htmlFor=ID.ORIGIN, className="control-label"),
            dcc.Dropdown(id=ID.ORIGIN, value=pop["origin"], clearable=False,
                         options=[{"label": label, "value": key}
                                  for key, label in lifeview.ORIGINS.items()]),
            html.Label("Seed", htmlFor=ID.SEED, className="control-label"),
            dcc.Input(id=ID.SEED, type="text", inputMode="numeric", value=pop["seed"],
                      debounce=True, className="number"),
            html.Div(className="control", children=[
                html.Label(bias.label, htmlFor=ID.BIAS, className="control-label",
                           title=f"{bias.help} [{bias.name}; {bias.allowed()}]"),
                dcc.Slider(id=ID.BIAS, min=bias.low, max=bias.high, step=0.5,
                           value=pop["bias"], updatemode="mouseup",
                           marks={v: str(v) for v in (-10, -5, 0, 5, 10)},
                           tooltip={"placement": "bottom", "always_visible": False}),
            ]),
            html.P(bias.help + " The same town also runs with random choice (0), for "
                   "comparison.", className="hint"),
            *job_controls(ID.JOB),
        ]),
        html.Main(className="main", children=[
            dcc.Graph(id=ID.MATRIX, config=GRAPH_CONFIG,
                      figure=empty_figure("Set the bias and press Run population.")),
            dcc.Graph(id=ID.SHARES, config=GRAPH_CONFIG, figure=empty_figure("")),
            dcc.Store(id=ID.SPEC, data=dict(pop)),
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

_PLAIN: dict[str, tuple[str, str]] = {
    "pop_people": (ID.PEOPLE, "people"), "pop_years": (ID.YEARS, "years"),
    "pop_seed": (ID.SEED, "seed"), "pop_bias": (ID.BIAS, "bias"),
    "pop_origin": (ID.ORIGIN, "origin"),
}
#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {k: (cid, "value") for k, (cid, _) in _PLAIN.items()}
#: Hub key -> (component id, property) of each control the hub writes from the view.
CONTROLS: dict[str, tuple[Any, str]] = dict(INPUTS)
STATES: dict[str, tuple[Any, str]] = {}
CLICKS: tuple[str, ...] = ()


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of each of this page's controls that shows a part of the view."""
    return {k: current["population"][name] for k, (_, name) in _PLAIN.items()}


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The view after one of this page's controls changed (``None``: not this page's)."""
    if kind not in _PLAIN:
        return None
    new, msg = lifeview.set_value(current, "population", _PLAIN[kind][1], value, label=kind)
    return new, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """What the page takes from the view alone: the spec of its job."""
    return {"population_spec": dict(current["population"])}


#: Key of :func:`derived` -> its output.
DERIVED: dict[str, tuple[Any, str]] = {"population_spec": (ID.SPEC, "data")}

# --- The job ----------------------------------------------------------------------------------


def population_job(set_progress: Callable[[tuple[str, str]], None] | None, spec: Any
                   ) -> tuple[Any, Any, str]:
    """Run the town (in a background job): the two figures and a status line."""
    try:
        spec = lifeview.check_part("population", spec)
    except ValueError as err:
        return no_update, no_update, f"The population cannot run: {err}"
    runs = lifecourse.population_runs(spec, reporter(set_progress))
    seconds = sum(run["seconds"] for run in runs.values())
    per_life = {k: f"{run['relationships_per_life']:.2f}" for k, run in runs.items()}
    return (pairing_figure(runs), shares_figure(runs),
            f"Done: {spec['people']} people over {spec['years']} years, at bias "
            f"{spec['bias']:g} and with random choice, in {seconds:.1f} s. Relationships "
            f"per life: {per_life['biased']} at bias {spec['bias']:g}, "
            f"{per_life['random']} with random choice.")


def register(app: Dash, manager: Any) -> None:
    """Register the page's job on ``app``; it runs through ``manager``."""

    @app.callback(Output(ID.MATRIX, "figure"), Output(ID.SHARES, "figure"),
                  Output(ID.JOB.status, "children"),
                  Input(ID.JOB.run, "n_clicks"), State(ID.SPEC, "data"),
                  **background_job(ID.JOB, manager))
    def _population(set_progress: Any, n_clicks: int, spec: Any) -> tuple[Any, Any, str]:
        return population_job(set_progress, spec)
