"""The dashboard's callbacks: plain functions, registered on an app by :func:`register`.

Each function takes and returns plain data, so tests call them directly. One callback,
:func:`update_view`, owns the view: every control's change and the URL go through it,
are checked, and come back as the controls' values and a message. The others read the
view: the page shown, the couple's run and its playback, the sweep, the compare, exports.

Expected bad input (a parameter out of range, a malformed file, a bad URL) never raises
out of a callback: it becomes a one-line message in the page, and the server logs nothing.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import compute, state
from dashboard.caption import caption
from dashboard.figures import (
    OUTCOME_TEXT,
    cell_figure,
    compare_figure,
    couple_figure,
    empty_figure,
    heatmap_figure,
    phase_figure,
)
from dashboard.layout import SPEEDS, scenario_options
from dyadsim.params import REGISTRY
from dyadsim.scenario import Scenario, ScenarioError

#: The pattern-matched parameter controls: the sliders, and run.steps.
PARAM_KEYS: tuple[str, ...] = (*(p.name for p in REGISTRY.values() if p.kind is float),
                               "run.steps")
UPLOAD_LIMIT = 200_000  # bytes; a scenario file is a few kB

# --- The view -------------------------------------------------------------------------------


def controls(view: dict[str, Any]) -> dict[str, Any]:
    """The value of every control that shows a part of ``view``."""
    values = state.values(view)
    comp = view["compare"]
    return {
        "params": {k: _shown(values[k]) for k in PARAM_KEYS}, "seed": view["seed"],
        "scenario": view.get("scenario") or ("upload" if view.get("upload") else "default"),
        "scenario_options": scenario_options() + ([{
            "label": f"Uploaded: {view['upload']['name']}", "value": "upload"}]
            if view.get("upload") else []),
        "x_name": view["x"]["name"], "x_low": view["x"]["low"], "x_high": view["x"]["high"],
        "y_name": view["y"]["name"], "y_low": view["y"]["low"], "y_high": view["y"]["high"],
        "points": view["points"], "reps": view["reps"], "show": view["show"],
        "a_side": comp["a"], "a_without": comp["a_without"], "b_side": comp["b"],
        "b_without": comp["b_without"], "compare_reps": comp["reps"],
    }


def _shown(value: float) -> float:
    """A value as a control shows it (float noise such as 0.36000000000000004 removed)."""
    return round(value, 6) if isinstance(value, float) else value


def _decode_upload(contents: str) -> tuple[str | None, str]:
    """An upload's text, or ``None`` and why it cannot be read."""
    try:
        _, data = contents.split(",", 1)
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        return None, "the upload could not be read"
    if len(raw) > UPLOAD_LIMIT:
        return None, f"the file has {len(raw)} bytes; allowed: at most {UPLOAD_LIMIT}"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "not a TOML file (not UTF-8 text)"


def apply_trigger(view: dict[str, Any], trigger: Any, value: Any,
                  extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The view after one control changed; messages for anything not allowed.

    ``trigger`` is the Dash id of the control (a string or a pattern dict), ``value`` its
    new value, and ``extra`` holds the states some triggers need (``filename``,
    ``cell_views``).
    """
    msg = ""
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    if kind in (None, "url"):
        new, errors = state.from_query(value)
        return new, [f"In the link: {e}" for e in errors]
    if kind == "param":
        new, msg = state.set_param(view, trigger["name"], value)
    elif kind == "seed":
        new, msg = state.set_seed(view, value)
    elif kind == "scenario":
        if value == "upload":
            return view, []
        new, msg = state.choose_scenario(view, None if value == "default" else value)
    elif kind == "lesson":
        new, msg = state.choose_scenario(view, trigger["name"])
        new = {**new, "page": "couple"}
    elif kind == "upload":
        filename = extra.get("filename") or "uploaded file"
        text, why = _decode_upload(value or "")
        if text is None:
            return view, [f"{filename}: {why}"]
        new, msg = state.upload_scenario(view, filename, text)
    elif kind == "restore":
        new = state.restore_defaults(view)
    elif kind == "nav":
        new = {**view, "page": trigger["page"]}
    elif kind == "open-run":
        cell = (extra.get("cell_views") or [])[trigger["index"]]
        new = {**view, **{k: cell[k] for k in ("scenario", "upload", "set", "seed")},
               "page": "couple"}
    elif kind in ("x_name", "x_low", "x_high", "y_name", "y_low", "y_high"):
        axis, part = kind.split("_")
        changed = {**view[axis], part: value}
        if part == "name":  # a new parameter: its whole range
            changed = {"name": value, "low": None, "high": None}
        new, msg = state.set_sweep(view, **{axis: changed})
    elif kind in ("points", "reps", "show"):
        new, msg = state.set_sweep(view, **{kind: value})
    elif kind in ("a_side", "b_side"):
        new = view
        try:
            side = state.check_side(kind[0], value)
            comp = {**view["compare"], kind[0]: side, f"{kind[0]}_without": []}
            new = {**view, "compare": comp}
        except ValueError as err:
            msg = str(err)
    elif kind in ("a_without", "b_without"):
        new = {**view, "compare": {**view["compare"], kind: list(value or [])}}
    elif kind == "compare_reps":
        new = view
        try:
            reps = state.number("replicates per side", value, *state.COMPARE_REPS_RANGE,
                                 whole=True)
            new = {**view, "compare": {**view["compare"], "reps": reps}}
        except ValueError as err:
            msg = str(err)
    else:
        return view, [f"unknown control {trigger!r}"]
    return new, [msg] if msg else []


_CLICKS = ("nav", "open-run", "lesson", "restore")


def update_view(view: dict[str, Any], trigger: Any, value: Any, extra: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The hub: apply a change, then give every control's value and the message."""
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    if kind in _CLICKS and not value:  # a button rendered, not clicked
        return view, {}, no_update
    new, errors = apply_trigger(view, trigger, value, extra)
    return new, controls(new), " ".join(errors)


# --- Which page, the share link, and the specs of the background jobs --------------------------


def page_parts(view: dict[str, Any], href: str | None) -> dict[str, Any]:
    """What follows from the view alone: page visibility, the link, the job specs."""
    base = (href or "http://127.0.0.1:8050/").split("?", 1)[0]
    hide, show = {"display": "none"}, {}
    options = {}
    for side in ("a", "b"):
        try:
            scenario = compute.side_scenario(view, side)
            labels = [e.label for e in scenario.events if e.label]
        except (ScenarioError, ValueError):
            labels = []
        options[side] = [{"label": label, "value": label} for label in labels]
    compare_spec = {"compare": view["compare"]}
    if state.CURRENT in (view["compare"]["a"], view["compare"]["b"]):
        compare_spec.update({k: view.get(k) for k in ("scenario", "upload", "set", "seed")})
    return {
        "styles": [show if view["page"] == p else hide for p in state.PAGES],
        "nav": ["nav active" if view["page"] == p else "nav" for p in state.PAGES],
        "link": base + state.to_query(view),
        "sweep_spec": compute.sweep_spec(view),
        "compare_spec": compare_spec,
        "a_options": options["a"], "b_options": options["b"],
    }


# --- One couple: playback and rendering -----------------------------------------------------


def advance(trigger: str | None, view: dict[str, Any], cursor: dict[str, Any] | None,
            speed_index: int | None) -> dict[str, Any]:
    """The playback cursor (row ``i`` of ``last``) after a button, a tick, or a new run.

    A new run is shown whole (or played from the start while playing); Reset goes back to
    episode 0; Step moves on by the speed; Play starts or pauses; a tick moves on while
    playing and stops at the end. In the app, ticks run in the browser (``TICK_JS``, the
    same rule); this function is their reference and is tested.
    """
    key = compute.couple_key(view)
    speed = SPEEDS[int(speed_index or 0)]
    try:
        last = len(compute.couple_run(key)["traj"]) - 1
    except ScenarioError as err:
        return {"key": key, "i": 0, "playing": False, "error": str(err)}
    cur = dict(cursor or {})
    if cur.get("key") != key:  # a new run (or a click that came before the first render)
        playing = bool(cur.get("playing"))
        cur = {"key": key, "i": 0 if playing else last, "playing": playing, "last": last}
        if trigger not in ("reset", "step", "play"):
            return cur
    i, playing = int(cur.get("i", last)), bool(cur.get("playing"))
    if trigger == "reset":
        i, playing = 0, False
    elif trigger == "step":
        i, playing = min(i + speed, last), False
    elif trigger == "play":
        if playing:
            playing = False
        else:
            i, playing = (0 if i >= last else i), True
    elif trigger == "ticker" and playing:
        i = min(i + speed, last)
        playing = i < last
    return {"key": key, "i": i, "playing": playing, "last": last}


#: When several inputs change in one call, the click wins.
_PLAYBACK_PRIORITY = ("reset", "step", "play", "view", "ticker")

#: One playback tick in the browser: :func:`advance` with trigger ``"ticker"``. It waits
#: until the frame at the cursor has been drawn, so playback never runs ahead of the figure
#: (and a Pause stops at what is on screen).
TICK_JS = """
function (n, cursor, speedIndex, rendered) {
    const noUpdate = window.dash_clientside.no_update;
    if (!cursor || !cursor.playing || cursor.last === undefined || rendered !== cursor.i) {
        return [noUpdate, noUpdate, noUpdate];  // paused, or the last frame is not drawn yet
    }
    const speeds = SPEEDS;
    const i = Math.min(cursor.i + speeds[speedIndex || 0], cursor.last);
    const playing = i < cursor.last;
    return [Object.assign({}, cursor, {i: i, playing: playing}), !playing,
            playing ? "Pause" : "Play"];
}
""".replace("SPEEDS", json.dumps(list(SPEEDS)))


def first_trigger(triggered: dict[str, Any]) -> str | None:
    """The playback trigger that counts among several at once (``ctx.triggered_prop_ids``)."""
    ids = set(triggered.values())
    return next((name for name in _PLAYBACK_PRIORITY if name in ids), None)


def render_couple(cursor: dict[str, Any] | None, view: dict[str, Any]
                  ) -> tuple[go.Figure, go.Figure, str, str]:
    """The time series, the phase portrait, the caption and the outcome at the cursor."""
    if cursor and cursor.get("error"):
        blank = empty_figure("This run cannot start: see the message above.")
        return blank, blank, cursor["error"], ""
    try:
        run = compute.couple_run(compute.couple_key(view))
    except ScenarioError as err:
        blank = empty_figure("This run cannot start.")
        return blank, blank, str(err), ""
    last = len(run["traj"]) - 1
    i = last if not cursor or cursor.get("key") != compute.couple_key(view) else int(cursor["i"])
    text = caption(run["traj"], i, run["names"], run["events"])
    if i >= last:
        outcome = (f"Outcome after {int(run['traj']['step'].iloc[-1])} episodes: "
                   f"{OUTCOME_TEXT[run['outcome']]}.")
    else:
        outcome = f"Episode {int(run['traj']['step'].iloc[i])} of {run['steps']}."
    return couple_figure(run, i), phase_figure(run, i), text, outcome


# --- Sweep ---------------------------------------------------------------------------------------


def _reporter(set_progress: Callable[[tuple[str, str]], None] | None
              ) -> Callable[[int, int], None]:
    """``progress(done, total)`` for a job, feeding Dash's progress bar (if any)."""
    def progress(done: int, total: int) -> None:
        if set_progress is not None:
            set_progress((str(done), str(total)))

    return progress


def sweep_job(set_progress: Callable[[tuple[str, str]], None] | None, spec: dict[str, Any]
              ) -> tuple[Any, str]:
    """Run a sweep (in a background job); the result and a status line."""
    try:
        result = compute.grid_sweep(spec, _reporter(set_progress))
    except (ScenarioError, ValueError) as err:
        return no_update, f"The sweep cannot run: {err}"
    n = len(result["x"]["values"]) * len(result["y"]["values"])
    return result, (f"Done: {n} cells x {result['reps']} replicates x {result['steps']} "
                    f"episodes in {result['seconds']:.2f} s.")


def render_heatmap(result: dict[str, Any] | None, show: str,
                   overlay: Sequence[str] | None = None,
                   meanfield: dict[str, Any] | None = None) -> go.Figure:
    """The heatmap of the quantity shown (or an invitation to run a sweep).

    With ``"meanfield"`` in ``overlay``, the mean-field boundaries of the same sweep are
    drawn on top (a map computed for other settings is never drawn).
    """
    if not result:
        return empty_figure("Choose two axes and press Run sweep.")
    if show not in result["tables"]:
        show = "trap"
    lines = []
    if "meanfield" in (overlay or ()) and meanfield and meanfield["spec"] == result["spec"]:
        lines = meanfield["overlay"]
    return heatmap_figure(result, show, overlay=lines)


def meanfield_job(result: dict[str, Any] | None) -> tuple[Any, str]:
    """The mean-field map for a finished sweep (in a background job), and a status line."""
    if not result:
        return None, ""
    try:
        mf = compute.meanfield_overlay(result)
    except (ScenarioError, ValueError) as err:
        return None, f"The mean-field map cannot be drawn: {err}"
    kinds = sorted({line["name"] for line in mf["overlay"]})
    counts = ", ".join(f"{k} {v}" for k, v in mf["regimes"].items() if v)
    text = (f"Mean field (no noise): {counts} cells; "
            + (f"boundaries: {'; '.join(kinds)}." if kinds else "one regime, no boundary."))
    if mf["agreement"] is not None:
        text += (f" It predicts the simulated majority outcome in {mf['agreement']:.0%} of "
                 "cells.")
    if mf["events"]:
        text += " The scenario's events are not part of the mean field."
    return mf, text


def show_cell(click: dict[str, Any] | None, result: dict[str, Any] | None
              ) -> tuple[go.Figure, list[Any], list[dict[str, Any]]]:
    """Sample runs of the clicked cell, and a button per run to open it on the couple page."""
    from dash import html

    if not click or not result or not click.get("points"):
        return empty_figure("Click a heatmap cell to see sample runs."), [], []
    point = click["points"][0]
    samples = compute.cell_runs(result, float(point["x"]), float(point["y"]))
    buttons = [html.Button(f"Open replicate {s['replicate'] + 1} ({s['outcome']}) on the "
                           "couple page", id={"type": "open-run", "index": k},
                           className="secondary")
               for k, s in enumerate(samples)]
    return cell_figure(samples), buttons, [s["view"] for s in samples]


# --- Compare -------------------------------------------------------------------------------------


def compare_job(set_progress: Callable[[tuple[str, str]], None] | None, spec: dict[str, Any]
                ) -> tuple[go.Figure | Any, str]:
    """Run both sides of a compare (in a background job); the figure and a status line."""
    view = {**state.default_view(), **spec}
    try:
        sides = compute.run_compare(view, _reporter(set_progress))
    except (ScenarioError, ValueError) as err:
        return no_update, f"The compare cannot run: {err}"
    share = {k: s["shares"]["trap"]["value"] for k, s in sides.items()}
    return (compare_figure(sides, compute.COMPARE_SERIES),
            f"Done: {view['compare']['reps']} replicates per side. Trap share: "
            f"A {share['a']:.2f}, B {share['b']:.2f}.")


# --- Export ------------------------------------------------------------------------------------


def figure_bytes(figure: dict[str, Any], fmt: str) -> bytes:
    """A figure as PNG or SVG, drawn by kaleido in the system's Chromium."""
    from dashboard.export import to_image

    return to_image(go.Figure(figure), fmt)


def scenario_toml(view: dict[str, Any]) -> str:
    """The view's couple as a scenario file that ``dyadsim run FILE`` accepts."""
    scenario = state.resolve(view)
    if not (view.get("scenario") or view.get("upload")):
        scenario = Scenario(
            title="Settings from the dyadsim dashboard",
            summary="A couple set up in the dyadsim dashboard.",
            description=scenario.description, names=scenario.names,
            params=scenario.params, source="dashboard")
    return scenario.dumps()


def export(trigger: str, view: dict[str, Any], couple_fig: dict[str, Any] | None,
           heatmap_fig: dict[str, Any] | None, result: dict[str, Any] | None
           ) -> tuple[dict[str, Any] | Any, str]:
    """The file an export button asks for (``dcc.Download`` data), or a message."""
    name = (view.get("scenario") or "couple") + f"-seed{view['seed']}"
    try:
        if trigger in ("export-png", "export-svg"):
            if not couple_fig:
                return no_update, "There is no figure to export yet."
            fmt = trigger.rsplit("-", 1)[1]
            data = figure_bytes(couple_fig, fmt)
            return {"content": base64.b64encode(data).decode(), "base64": True,
                    "filename": f"{name}.{fmt}"}, ""
        if trigger == "export-csv":
            run = compute.couple_run(compute.couple_key(view))
            buf = io.StringIO()
            run["traj"].to_csv(buf, index=False)
            return {"content": buf.getvalue(), "filename": f"{name}.csv"}, ""
        if trigger == "export-toml":
            return {"content": scenario_toml(view), "filename": f"{name}.toml"}, ""
        if trigger == "sweep-export-png":
            if not heatmap_fig or not result:
                return no_update, "Run a sweep first, then export its heatmap."
            data = figure_bytes(heatmap_fig, "png")
            return {"content": base64.b64encode(data).decode(), "base64": True,
                    "filename": "sweep-heatmap.png"}, ""
        if trigger == "sweep-export-csv":
            if not result:
                return no_update, "Run a sweep first, then export its table."
            return {"content": sweep_csv(result), "filename": "sweep.csv"}, ""
    except ScenarioError as err:
        return no_update, str(err)
    except RuntimeError as err:  # kaleido could not start a browser
        return no_update, f"The figure could not be drawn: {err}"
    return no_update, ""


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


# --- Registration --------------------------------------------------------------------------------

_VIEW_INPUTS = {
    "url": ("url", "search"), "scenario": ("scenario", "value"),
    "upload": ("upload", "contents"), "restore": ("restore", "n_clicks"),
    "seed": ("seed", "value"),
    "x_name": ("x-name", "value"), "x_low": ("x-low", "value"), "x_high": ("x-high", "value"),
    "y_name": ("y-name", "value"), "y_low": ("y-low", "value"), "y_high": ("y-high", "value"),
    "points": ("points", "value"), "reps": ("reps", "value"), "show": ("show", "value"),
    "a_side": ("a-side", "value"), "a_without": ("a-without", "value"),
    "b_side": ("b-side", "value"), "b_without": ("b-without", "value"),
    "compare_reps": ("compare-reps", "value"),
}
_PATTERNS = {"param": "name", "nav": "page", "open-run": "index", "lesson": "name"}
_PATTERN_PROPS = {"param": "value", "nav": "n_clicks", "open-run": "n_clicks",
                  "lesson": "n_clicks"}
_CONTROL_OUTPUTS = {k: v for k, v in _VIEW_INPUTS.items()
                    if k not in ("url", "upload", "restore")}


def register(app: Dash, manager: Any) -> None:
    """Register every callback on ``app``; background jobs run through ``manager``."""
    inputs = {k: Input(*v) for k, v in _VIEW_INPUTS.items()}
    inputs.update({kind.replace("-", "_"): Input({"type": kind, key: ALL},
                                                 _PATTERN_PROPS[kind])
                   for kind, key in _PATTERNS.items()})
    outputs = {k: Output(*v) for k, v in _CONTROL_OUTPUTS.items()}
    outputs.update(params=Output({"type": "param", "name": ALL}, "value"),
                   scenario_options=Output("scenario", "options"),
                   view=Output("view", "data"), message=Output("message", "children"))

    @app.callback(output=outputs, inputs=inputs,
                  state={"view": State("view", "data"), "filename": State("upload", "filename"),
                         "cell_views": State("cell-views", "data")})
    def _view(**kw: Any) -> dict[str, Any]:
        trigger = ctx.triggered_id
        kind = trigger.get("type") if isinstance(trigger, dict) else trigger
        if kind is None:
            trigger, value = "url", kw["url"]
        elif isinstance(trigger, dict):
            value = ctx.triggered[0]["value"]
        else:
            value = kw[_key_of(trigger)]
        if isinstance(trigger, str):
            trigger = _key_of(trigger)
        view, values, message = update_view(kw["view"], trigger, value, kw)
        if not values:
            raise PreventUpdate
        listed = ctx.outputs_list["params"] if isinstance(ctx.outputs_list, dict) else next(
            o for o in ctx.outputs_list if isinstance(o, list))
        values["params"] = [values["params"][o["id"]["name"]] for o in listed]
        return {**values, "view": view, "message": message}

    @app.callback(
        output={"styles": [Output(f"page-{p}", "style") for p in state.PAGES],
                "nav": Output({"type": "nav", "page": ALL}, "className"),
                "link": Output("share-link", "value"),
                "sweep_spec": Output("sweep-spec", "data"),
                "compare_spec": Output("compare-spec", "data"),
                "a_options": Output("a-without", "options"),
                "b_options": Output("b-without", "options")},
        inputs={"view": Input("view", "data")}, state={"href": State("url", "href")})
    def _page(view: dict[str, Any], href: str | None) -> dict[str, Any]:
        return page_parts(view, href)

    @app.callback(Output("cursor", "data"), Output("ticker", "disabled"),
                  Output("play", "children"),
                  Input("view", "data"), Input("reset", "n_clicks"), Input("step", "n_clicks"),
                  Input("play", "n_clicks"), State("cursor", "data"), State("speed", "value"))
    def _advance(view: dict[str, Any], reset: int | None, step: int | None,
                 play: int | None, cursor: dict[str, Any] | None,
                 speed: int | None) -> tuple[Any, bool, str]:
        cursor = advance(first_trigger(ctx.triggered_prop_ids), view, cursor, speed)
        return cursor, not cursor["playing"], "Pause" if cursor["playing"] else "Play"

    # The ticks run in the browser (the same step as advance(..., "ticker")): a tick never
    # crosses a Pause on the network, so the Pause's answer always lands last.
    app.clientside_callback(
        TICK_JS, Output("cursor", "data", allow_duplicate=True),
        Output("ticker", "disabled", allow_duplicate=True),
        Output("play", "children", allow_duplicate=True),
        Input("ticker", "n_intervals"), State("cursor", "data"), State("speed", "value"),
        State("rendered", "data"), prevent_initial_call=True)

    @app.callback(Output("couple-graph", "figure"), Output("phase-graph", "figure"),
                  Output("caption", "children"), Output("outcome", "children"),
                  Output("rendered", "data"), Input("cursor", "data"), State("view", "data"))
    def _render(cursor: dict[str, Any] | None, view: dict[str, Any]) -> tuple[Any, ...]:
        return (*render_couple(cursor, view), (cursor or {}).get("i"))

    @app.callback(Output("sweep-result", "data"), Output("sweep-status", "children"),
                  Input("sweep-run", "n_clicks"), State("sweep-spec", "data"),
                  **_background_job("sweep", manager))
    def _sweep(set_progress: Any, n_clicks: int, spec: dict[str, Any]) -> tuple[Any, str]:
        return sweep_job(set_progress, spec)

    # The map is a State here so the heatmap never waits for the mean-field job; when the
    # job lands, the second callback redraws with its curves.
    app.callback(Output("heatmap", "figure"), Input("sweep-result", "data"),
                 Input("show", "value"), Input("overlay", "value"),
                 State("meanfield-result", "data"))(render_heatmap)

    @app.callback(Output("heatmap", "figure", allow_duplicate=True),
                  Input("meanfield-result", "data"), State("sweep-result", "data"),
                  State("show", "value"), State("overlay", "value"), prevent_initial_call=True)
    def _overlay(meanfield: dict[str, Any] | None, result: dict[str, Any] | None, show: str,
                 overlay: list[str] | None) -> go.Figure:
        return render_heatmap(result, show, overlay, meanfield)

    app.callback(Output("meanfield-result", "data"), Output("meanfield-status", "children"),
                 Input("sweep-result", "data"), background=True, manager=manager,
                 prevent_initial_call=True)(meanfield_job)

    app.callback(Output("cell-graph", "figure"), Output("cell-runs", "children"),
                 Output("cell-views", "data"), Input("heatmap", "clickData"),
                 State("sweep-result", "data"))(show_cell)

    @app.callback(Output("compare-graph", "figure"), Output("compare-status", "children"),
                  Input("compare-run", "n_clicks"), State("compare-spec", "data"),
                  **_background_job("compare", manager))
    def _compare(set_progress: Any, n_clicks: int, spec: dict[str, Any]) -> tuple[Any, str]:
        return compare_job(set_progress, spec)

    @app.callback(Output("download", "data"), Output("message", "children",
                                                     allow_duplicate=True),
                  Input("export-png", "n_clicks"), Input("export-svg", "n_clicks"),
                  Input("export-csv", "n_clicks"), Input("export-toml", "n_clicks"),
                  Input("sweep-export-png", "n_clicks"), Input("sweep-export-csv", "n_clicks"),
                  State("view", "data"), State("couple-graph", "figure"),
                  State("heatmap", "figure"), State("sweep-result", "data"),
                  prevent_initial_call=True)
    def _export(*args: Any) -> tuple[Any, str]:
        view, couple_fig, heatmap_fig, result = args[-4:]
        return export(str(ctx.triggered_id), view, couple_fig, heatmap_fig, result)


def _background_job(job: str, manager: Any) -> dict[str, Any]:
    """Dash's background-callback options for a job's Run, Cancel and progress controls.

    The Run button's click count (argument 0) is left out of the cache key, so the same
    settings run again come back from the cache.
    """
    return {
        "background": True, "manager": manager, "prevent_initial_call": True,
        "interval": 200, "cache_args_to_ignore": [0],
        "running": [(Output(f"{job}-run", "disabled"), True, False),
                    (Output(f"{job}-cancel", "disabled"), False, True)],
        "cancel": [Input(f"{job}-cancel", "n_clicks")],
        "progress": [Output(f"{job}-progress", "value"), Output(f"{job}-progress", "max")],
    }


def _key_of(trigger: str) -> str:
    for key, (component, _) in _VIEW_INPUTS.items():
        if component == trigger:
            return key
    return trigger
