"""The "One couple" page: scenario, seed and sliders; playback of the couple's run.

The page's controls change the view through the hub (:mod:`dashboard.hub`), which calls
:func:`apply` and writes back :func:`controls`; its own callbacks (:func:`register`) play
the run back and draw it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboard import compute, guard, ids, lesson, view
from dashboard.caption import caption
from dashboard.figures import OUTCOME_TEXT, couple_figure, empty_figure, phase_figure
from dashboard.widgets import GRAPH_CONFIG, param_control, scenario_options, shown
from dashboard.world import world_figure
from dyadsim import readout
from dyadsim.params import PARTNERS, REGISTRY, iter_params
from dyadsim.scenario import ScenarioError
from dyadsim.timeunits import day_label, span, steps_span

NAME = "couple"
TITLE = "One couple"
ID = ids.Couple

#: Shown open above each group's "more" list; all other parameters sit inside it.
PRIMARY = {
    "partner_a": ("anxiety", "avoidance", "protest_intensity", "reassurance"),
    "partner_b": ("anxiety", "avoidance", "protest_intensity", "reassurance"),
    "dyad": ("noise", "ambiguity", "stress", "closeness0"),
}
GROUP_TITLES = {"partner_a": "Partner A", "partner_b": "Partner B", "dyad": "The couple"}
SPEEDS = (1, 2, 5, 10, 25)
TICK_MS = 200
#: The pattern-matched parameter controls: the sliders, and run.steps.
PARAM_KEYS: tuple[str, ...] = (*(p.name for p in REGISTRY.values() if p.kind is float),
                               "run.steps")
UPLOAD_LIMIT = view.UPLOAD_LIMIT  # bytes; a scenario file is a few kB
#: The run length's label: one episode is one day.
STEPS_LABEL = "Days"

# --- Layout ----------------------------------------------------------------------------------


def group_controls(group: str, values: dict[str, float], names: tuple[str, str]) -> html.Div:
    """One partner's (or the couple's) sliders: the primary ones open, the rest folded."""
    params = [p for p in iter_params(group) if p.kind is float]
    first = [p for p in params if p.short in PRIMARY[group]]
    rest = [p for p in params if p.short not in PRIMARY[group]]
    title = GROUP_TITLES[group]
    if group in PARTNERS:
        title += f" ({names[PARTNERS.index(group)]})"
    return html.Fieldset(className="group", children=[
        html.Legend(title, id=ID.legend(group)),
        *[param_control(p, round(values[p.name], 6)) for p in first],
        html.Details([html.Summary(f"More for {GROUP_TITLES[group].lower()} "
                                   f"({len(rest)})"),
                      *[param_control(p, round(values[p.name], 6)) for p in rest]]),
    ])


def layout(current: dict[str, Any]) -> html.Div:
    """One couple: controls, playback, the time series, the phase portrait, the caption."""
    values = view.values(current)
    names = view.base_scenario_or_default(current).names
    steps = REGISTRY["run.steps"]
    steps_id = ID.param("run.steps")
    return html.Div(id=ids.Shell.page(NAME), className="page", children=[
        # the first Tab stop: Play is far down the Tab order, after the sidebar (issue 17)
        html.A("Skip to the run controls", href=f"#{ID.PLAY}", className="skip-link"),
        html.Aside(className="sidebar", children=[
            html.Label("Scenario or lesson", htmlFor=ID.SCENARIO, className="control-label"),
            dcc.Dropdown(id=ID.SCENARIO, options=scenario_options(),
                         value=current.get("scenario") or "default", clearable=False,
                         maxHeight=440),  # about 12 rows: the lessons at one glance
            dcc.Upload(id=ID.UPLOAD, className="upload", accept=".toml",
                       max_size=UPLOAD_LIMIT,
                       children=html.Button("Upload a scenario file (.toml)",
                                            className="secondary")),
            html.Div(className="row", children=[
                html.Div([html.Label("Seed", htmlFor=ID.SEED, className="control-label"),
                          dcc.Input(id=ID.SEED, type="text", inputMode="numeric",
                                    value=current["seed"],
                                    debounce=True, className="number")]),
                html.Div([html.Label(STEPS_LABEL, htmlFor=steps_id,
                                     title=f"{steps.help} (One episode is one day.)",
                                     className="control-label"),
                          dcc.Input(id=steps_id, type="number", value=values["run.steps"],
                                    debounce=True, className="number")]),
            ]),
            html.Button("Restore the scenario's settings", id=ID.RESTORE,
                        className="secondary"),
            *[group_controls(g, values, names) for g in ("partner_a", "partner_b", "dyad")],
        ]),
        html.Main(className="main", children=[
            html.Section(id=ID.LESSON_PANEL, className="lesson-panel",
                         **{"aria-label": "about this run"}),
            html.Div(className="playback", role="group", **{"aria-label": "playback"},
                     children=[
                html.Button("Reset", id=ID.RESET),
                html.Button("Step", id=ID.STEP),
                html.Button("Play", id=ID.PLAY, className="primary"),
                html.Label("Speed (days per tick)", htmlFor=ID.SPEED,
                           className="control-label inline"),
                html.Div(dcc.Slider(id=ID.SPEED, min=0, max=len(SPEEDS) - 1, step=1, value=2,
                                    marks={i: str(s) for i, s in enumerate(SPEEDS)}),
                         className="speed"),
            ]),
            html.P("Loading the run…", id=ID.CAPTION, className="caption",
                   **{"aria-live": "polite"}),
            html.Div(id=ID.OUTCOME, className="outcome"),
            html.Div(className="figures", children=[
                dcc.Graph(id=ID.GRAPH, className="graph-main", config=GRAPH_CONFIG),
                html.Div(className="graph-side", children=[
                    dcc.Graph(id=ID.WORLD, config=GRAPH_CONFIG),
                    dcc.Graph(id=ID.PHASE, config=GRAPH_CONFIG),
                ]),
            ]),
            html.Div(className="export", children=[
                html.Span("Export:", className="control-label inline"),
                html.Button("Figure (PNG)", id=ID.EXPORT_PNG, className="secondary"),
                html.Button("Figure (SVG)", id=ID.EXPORT_SVG, className="secondary"),
                html.Button("Data (CSV)", id=ID.EXPORT_CSV, className="secondary"),
                html.Button("Settings (scenario TOML)", id=ID.EXPORT_TOML,
                            className="secondary"),
                html.Button("Animation for slides (GIF)", id=ID.EXPORT_GIF,
                            className="secondary"),
                html.Button("Video for slides (MP4)", id=ID.EXPORT_MP4, className="secondary"),
                html.Button("Page to open offline (HTML)", id=ID.EXPORT_HTML,
                            className="secondary"),
            ]),
            dcc.Interval(id=ID.TICKER, interval=TICK_MS, disabled=True),
            dcc.Store(id=ID.CURSOR),
            dcc.Store(id=ID.RENDERED),
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {
    "scenario": (ID.SCENARIO, "value"), "upload": (ID.UPLOAD, "contents"),
    "restore": (ID.RESTORE, "n_clicks"), "seed": (ID.SEED, "value"),
    "param": (ID.param(ALL), "value"), "lesson_step": (ID.lesson_step(ALL), "n_clicks"),
}
#: Hub key -> (component id, property) of each control the hub writes from the view.
CONTROLS: dict[str, tuple[Any, str]] = {
    "scenario": (ID.SCENARIO, "value"), "seed": (ID.SEED, "value"),
    "params": (ID.param(ALL), "value"),
    "scenario_options": (ID.SCENARIO, "options"),
}
#: States the hub passes to :func:`apply` as ``extra``.
STATES: dict[str, tuple[Any, str]] = {"filename": (ID.UPLOAD, "filename")}
#: Buttons: a trigger with no clicks is a button rendered, not clicked.
CLICKS: tuple[str, ...] = ("restore", ID.LESSON_STEP)


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of each of this page's controls that shows a part of the view."""
    values = view.values(current)
    return {
        "params": {k: shown(values[k]) for k in PARAM_KEYS}, "seed": current["seed"],
        "scenario": current.get("scenario") or (
            "upload" if current.get("upload") else "default"),
        "scenario_options": scenario_options() + ([{
            "label": f"Uploaded: {current['upload']['name']}", "value": "upload"}]
            if current.get("upload") else []),
    }


def _decode_upload(contents: Any) -> tuple[str | None, str]:
    """An upload's text, or ``None`` and why it cannot be read.

    The size is checked on the text as it arrives, before anything is decoded or parsed.
    """
    if not isinstance(contents, str):
        return None, "the upload could not be read"
    if len(contents) > 4 * (UPLOAD_LIMIT // 3 + 1) + 200:  # base64 of the limit + header
        return None, (f"the upload has {len(contents)} characters; allowed: a file of at "
                      f"most {UPLOAD_LIMIT} bytes")
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


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The view after one of this page's controls changed (``None``: not this page's)."""
    if kind == "param":
        new, msg = view.set_param(current, trigger.get("name"), value)
    elif kind == "seed":
        new, msg = view.set_seed(current, value)
    elif kind == "scenario":
        if value == "upload":
            return current, []
        new, msg = view.choose_scenario(current, None if value == "default" else value)
    elif kind == "upload":
        filename = extra.get("filename")
        filename = filename[:80] if isinstance(filename, str) and filename else "uploaded file"
        text, why = _decode_upload(value or "")
        if text is None:
            return current, [f"{filename}: {why}"]
        new, msg = view.upload_scenario(current, filename, text)
    elif kind == "restore":
        new, msg = view.restore_defaults(current), ""
    elif kind == ID.LESSON_STEP:  # Back or Next in the lesson panel
        new, msg = view.choose_scenario(current, trigger.get("name") or "?")
    else:
        return None
    return new, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """What follows from the view alone: the lesson panel, and the partners' group titles.

    The panel is :mod:`dashboard.lesson`'s; the slider groups are titled with this
    scenario's partners' names ("Partner A (Robin)").
    """
    names = view.base_scenario_or_default(current).names
    return {"lesson_panel": lesson.panel(current),
            **{f"legend_{who}": f"{GROUP_TITLES[who]} ({name})"
               for who, name in zip(PARTNERS, names, strict=True)}}


DERIVED: dict[str, tuple[Any, str]] = {
    "lesson_panel": (ID.LESSON_PANEL, "children"),
    **{f"legend_{who}": (ID.legend(who), "children") for who in PARTNERS},
}

# --- Playback and rendering -------------------------------------------------------------------


def advance(trigger: str | None, current: dict[str, Any], cursor: dict[str, Any] | None,
            speed_index: int | None, goto: int | None = None) -> dict[str, Any]:
    """The playback cursor (row ``i`` of ``last``) after a button, a tick, or a new run.

    A new run is shown whole (or played from the start while playing); Reset goes back to
    day 0; Step moves on by the speed; Play starts or pauses; a tick moves on while
    playing and stops at the end; a lesson's notice (trigger ``"notice"``) pauses at
    row ``goto``, the notice's first day (the run's end if it ended before). In the app,
    ticks run in the browser (``TICK_JS``, the same rule); this function is their
    reference and is tested.
    """
    try:
        current = guard.check_view(current)
    except guard.Refused as err:
        return {"key": "", "i": 0, "playing": False, "error": str(err)}
    key = compute.couple_key(current)
    speed = SPEEDS[speed_index if isinstance(speed_index, int) and not isinstance(
        speed_index, bool) and 0 <= speed_index < len(SPEEDS) else 0]
    try:
        last = len(compute.couple_run(key)["traj"]) - 1
    except ScenarioError as err:
        return {"key": key, "i": 0, "playing": False, "error": str(err)}
    cur = dict(guard.check_cursor(cursor) or {})
    if cur.get("key") != key:  # a new run (or a click that came before the first render)
        playing = bool(cur.get("playing"))
        cur = {"key": key, "i": 0 if playing else last, "playing": playing, "last": last}
        if trigger not in ("reset", "step", "play", "notice"):
            return cur
    i, playing = int(cur.get("i", last)), bool(cur.get("playing"))
    if trigger == "notice" and goto is not None:
        i, playing = max(0, min(int(goto), last)), False
    elif trigger == "reset":
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


#: When several inputs change in one call, the click wins (playback trigger -> its id).
_PLAYBACK_PRIORITY: dict[str, str] = {"reset": ID.RESET, "step": ID.STEP, "play": ID.PLAY,
                                      "view": ids.Shell.VIEW, "ticker": ID.TICKER}

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
    fired = {cid for cid in triggered.values() if isinstance(cid, str)}  # not pattern ids
    return next((name for name, cid in _PLAYBACK_PRIORITY.items() if cid in fired), None)


def clicked_notice(current: dict[str, Any]) -> int | None:
    """The first day of the lesson notice whose button was clicked in this call, if any.

    A panel drawn anew sends its buttons without clicks, which are not clicks; the notice
    is read from the checked view (:func:`dashboard.lesson.notice_start`).
    """
    clicked = ctx.triggered_id
    if not (isinstance(clicked, dict) and clicked.get("type") == ID.NOTICE):
        return None
    if not any(fired.get("value") for fired in ctx.triggered):
        return None
    try:
        return lesson.notice_start(guard.check_view(current), clicked.get("index"))
    except guard.Refused:
        return None


def render_couple(cursor: dict[str, Any] | None, current: dict[str, Any]
                  ) -> tuple[go.Figure, go.Figure, str, str]:
    """The time series, the phase portrait, the caption and the outcome at the cursor."""
    try:
        current = guard.check_view(current)
        run = compute.couple_run(compute.couple_key(current))
    except (guard.Refused, ScenarioError) as err:
        blank = empty_figure("This run cannot start.")
        return blank, blank, str(err), ""
    cursor = guard.check_cursor(cursor)
    last = len(run["traj"]) - 1
    i = (last if not cursor or cursor["key"] != compute.couple_key(current)
         else min(cursor["i"], last))
    unit = run.get("unit", "day")
    text = caption(run["traj"], i, run["names"], run["events"], unit=unit)
    means = f"Means over the run: {readout.indices_text(run['metrics'], 2)}."
    if i >= last and unit != "day":
        # a short procedure (moments): the couple outcome classes describe a relationship
        # over months, not eight episodes of a Strange Situation, so none is named
        outcome = f"End of the procedure after {steps_span(last, unit)}. {means}"
    elif i >= last:
        days = int(run["traj"]["step"].iloc[-1])
        outcome = f"Outcome after {span(days)}: {OUTCOME_TEXT[run['outcome']]}. {means}"
    else:
        now = int(run["traj"]["step"].iloc[i])
        where = day_label(now).capitalize() if unit == "day" else f"{unit.capitalize()} {now}"
        outcome = f"{where} of {run['steps']} {unit}s."
    return couple_figure(run, i), phase_figure(run, i), text, outcome


def render_world(cursor: dict[str, Any] | None, current: dict[str, Any]) -> go.Figure:
    """The world view (:mod:`dashboard.world`) on the cursor's day, checked like the run."""
    try:
        current = guard.check_view(current)
        run = compute.couple_run(compute.couple_key(current))
    except (guard.Refused, ScenarioError):
        return empty_figure("This run cannot start.")
    last = len(run["traj"]) - 1
    i = (last if not cursor or cursor["key"] != compute.couple_key(current)
         else min(cursor["i"], last))
    return world_figure(run, i)


def register(app: Dash, manager: Any) -> None:
    """Register the page's playback and rendering callbacks on ``app``."""
    del manager  # this page runs no background job

    @app.callback(Output(ID.CURSOR, "data"), Output(ID.TICKER, "disabled"),
                  Output(ID.PLAY, "children"),
                  Input(ids.Shell.VIEW, "data"), Input(ID.RESET, "n_clicks"),
                  Input(ID.STEP, "n_clicks"), Input(ID.PLAY, "n_clicks"),
                  Input(ID.notice(ALL), "n_clicks"),
                  State(ID.CURSOR, "data"), State(ID.SPEED, "value"))
    def _advance(current: dict[str, Any], reset: int | None, step: int | None,
                 play: int | None, notices: list[int | None], cursor: dict[str, Any] | None,
                 speed: int | None) -> tuple[Any, bool, str]:
        trigger = first_trigger(ctx.triggered_prop_ids)
        goto = None if trigger else clicked_notice(current)
        cursor = advance("notice" if goto is not None else trigger, current, cursor, speed,
                         goto)
        return cursor, not cursor["playing"], "Pause" if cursor["playing"] else "Play"

    # The ticks run in the browser (the same step as advance(..., "ticker")): a tick never
    # crosses a Pause on the network, so the Pause's answer always lands last.
    app.clientside_callback(
        TICK_JS, Output(ID.CURSOR, "data", allow_duplicate=True),
        Output(ID.TICKER, "disabled", allow_duplicate=True),
        Output(ID.PLAY, "children", allow_duplicate=True),
        Input(ID.TICKER, "n_intervals"), State(ID.CURSOR, "data"), State(ID.SPEED, "value"),
        State(ID.RENDERED, "data"), prevent_initial_call=True)

    @app.callback(Output(ID.WORLD, "figure"), Input(ID.CURSOR, "data"),
                  State(ids.Shell.VIEW, "data"))
    def _world(cursor: dict[str, Any] | None, current: dict[str, Any]) -> Any:
        return render_world(guard.check_cursor(cursor), current)

    @app.callback(Output(ID.GRAPH, "figure"), Output(ID.PHASE, "figure"),
                  Output(ID.CAPTION, "children"), Output(ID.OUTCOME, "children"),
                  Output(ID.RENDERED, "data"), Input(ID.CURSOR, "data"),
                  State(ids.Shell.VIEW, "data"))
    def _render(cursor: dict[str, Any] | None, current: dict[str, Any]) -> tuple[Any, ...]:
        cursor = guard.check_cursor(cursor)
        return (*render_couple(cursor, current), (cursor or {}).get("i"))
