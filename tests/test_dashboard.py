"""The dashboard: the view (state and URL), the callbacks called directly as plain
functions, the caption, the computations behind the sweep and compare pages, exports,
the layout built from the registry, the About page, and the ``dyadsim dashboard`` command.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from typing import Any

import dash
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html

from dashboard import about, compute, downloads, figures, hub, ids, urlcodec
from dashboard import view as views
from dashboard.caption import caption
from dashboard.pages import about as about_page
from dashboard.pages import compare as compare_page
from dashboard.pages import couple as couple_page
from dashboard.pages import sweep as sweep_page
from dashboard.pages.couple import SPEEDS
from dyadsim import outcomes, readout, scenario
from dyadsim.cli import build_parser
from dyadsim.cli import main as cli_main
from dyadsim.params import REGISTRY, make_params
from dyadsim.streams import run_seeds
from dyadsim.timeunits import span, unit_label

SHARES = ("trap", *outcomes.OUTCOMES)
DELAYED = "a week of unanswered messages"  # the label of delayed_text's event

# A small valid scenario file; malformed uploads below break one thing in it.
HEAD = 'title = "Mine"\nsummary = "A test couple."\ndescription = "For the tests."\n'
GOOD_TOML = HEAD + """
[partner_a]
name = "Pat"
anxiety = 0.3

[partner_b]
name = "Lou"

[run]
seed = 77
steps = 120
"""


def with_settings(view: dict[str, Any] | None = None, **settings: Any) -> dict[str, Any]:
    """A view with parameters set through the view module (dotted names as a__b)."""
    view = view or views.default_view()
    for key, value in settings.items():
        view, msg = views.set_param(view, key.replace("__", "."), value)
        assert msg == ""
    return view


def short_view(steps: int = 100) -> dict[str, Any]:
    return with_settings(run__steps=steps)


def data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


def walk(node: Any):
    """Every component of a Dash layout tree."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from walk(child)
    elif children is not None and not isinstance(children, str | int | float):
        yield from walk(children)


# --- 1. state: the URL, settings and uploads --------------------------------------------------


def rich_view() -> dict[str, Any]:
    view = views.default_view()
    view.update({
        "page": "sweep", "scenario": "delayed_text",
        "set": {"partner_a.anxiety": 0.65, "dyad.stress": 0.15, "run.steps": 300},
        "seed": "123",
        "x": {"name": "dyad.noise", "low": 0.05, "high": 0.4},
        "y": {"name": "partner_b.anxiety", "low": 0.1, "high": 0.9},
        "points": 5, "reps": 7, "show": "satisfaction",
        "compare": {"a": "current", "a_without": [], "b": "delayed_text",
                    "b_without": [DELAYED], "reps": 50},
    })
    return view


def test_query_round_trip_gives_back_the_same_view():
    view = rich_view()
    query = urlcodec.to_query(view)
    assert query.startswith("?")
    back, errors = urlcodec.from_query(query)
    assert errors == []
    assert back == view


def test_empty_query_is_the_default_view():
    assert urlcodec.from_query("") == (views.default_view(), [])
    assert urlcodec.from_query(None) == (views.default_view(), [])


# Every bad query key gives one message naming the key and the value; the rest applies.
REST = "reps=3&partner_b.anxiety=0.4&compare_reps=50"


@pytest.mark.parametrize("bad,key,value,needle", [
    ("partner_a.anxiety=7", "partner_a.anxiety", "7", "allowed"),
    ("bogus=1", "bogus", "1", "allowed"),
    ("partner_a.anxiety_x=1", "partner_a.anxiety_x", "", "did you mean"),
    ("page=nope", "page", "nope", "allowed"),
    ("x=run.seed", "x", "run.seed", "allowed"),
    ("x=dyad.noise:0.3:0.1", "x", "dyad.noise:0.3:0.1", "allowed"),
    ("points=1000", "points", "1000", "allowed"),
    ("seed=-1", "seed", "-1", "allowed"),
    ("scenario=nope", "scenario", "nope", "allowed"),
    ("show=nope", "show", "nope", "allowed"),
])
def test_bad_query_key_names_key_value_and_the_rest_applies(bad, key, value, needle):
    view, errors = urlcodec.from_query(f"?{bad}&{REST}")
    assert len(errors) == 1, errors
    msg = errors[0]
    assert key in msg and value in msg and needle in msg
    assert "\n" not in msg
    if key == "partner_a.anxiety_x":
        assert "'partner_a.anxiety'" in msg  # the close match is offered
    # the rest of the query still applies
    assert view["reps"] == 3
    assert view["set"] == {"partner_b.anxiety": 0.4}
    assert view["compare"]["reps"] == 50
    # and the bad key left the default in place
    default = views.default_view()
    for field in ("page", "seed", "x", "points", "scenario", "show"):
        assert view[field] == default[field]


def test_query_with_a_too_long_run_reports_it_and_keeps_the_other_settings():
    # run.steps is within the registry's range but above the dashboard's limit.
    view, errors = urlcodec.from_query("?run.steps=6000&partner_b.anxiety=0.4&reps=3")
    assert len(errors) == 1
    assert "run.steps" in errors[0] and "6000" in errors[0] and "allowed" in errors[0]
    assert view["reps"] == 3
    # Only the bad setting is skipped; the good one applies.
    assert view["set"] == {"partner_b.anxiety": 0.4}


def test_query_with_an_unknown_event_to_leave_out_is_reported():
    view, errors = urlcodec.from_query("?a_without=nope&reps=3")
    assert view["reps"] == 3
    assert len(errors) == 1, errors
    assert "a_without" in errors[0] and "nope" in errors[0] and "allowed" in errors[0]


def test_query_choosing_a_compare_side_gives_a_compare_that_runs_or_says_why():
    # The default side B leaves out "EFT"; a link naming another side B and no b_without
    # must not give a compare that fails later without a word in the link's messages.
    view, errors = urlcodec.from_query("?b=secure_secure&compare_reps=10")
    if not errors:
        _, status = compare_page.compare_job(None, {"compare": view["compare"]})
        assert status.startswith("Done"), status


@pytest.mark.parametrize("value,needle", [
    (1.5, "1.5"), (-0.1, "-0.1"), ("abc", "abc"), (None, "None"), (True, "boolean"),
    (math.nan, "nan"),
])
def test_set_param_refuses_bad_values_and_keeps_the_view(value, needle):
    view = views.default_view()
    new, msg = views.set_param(view, "partner_a.anxiety", value)
    assert new == views.default_view()
    assert "partner_a.anxiety" in msg and needle in msg and "allowed" in msg


def test_set_param_refuses_unknown_names_too_long_runs_and_events_past_the_end():
    view = views.default_view()
    new, msg = views.set_param(view, "partner_a.anxeity", 0.5)
    assert new == view and "partner_a.anxiety" in msg
    new, msg = views.set_param(view, "run.steps", views.MAX_STEPS + 1)
    assert new == view and str(views.MAX_STEPS) in msg and "allowed" in msg
    new, msg = views.set_param(view, "run.steps", views.MAX_STEPS)
    assert msg == "" and new["set"] == {"run.steps": views.MAX_STEPS}
    # delayed_text's silent week starts on day 120: a 100-day run cannot hold it
    lib, _ = views.choose_scenario(view, "delayed_text")
    new, msg = views.set_param(lib, "run.steps", 100)
    assert new == lib and "100" in msg


def test_set_param_keeps_the_value_and_the_original_view_untouched():
    view = views.default_view()
    new, msg = views.set_param(view, "dyad.stress", "0.25")
    assert msg == "" and new["set"] == {"dyad.stress": 0.25}
    assert view == views.default_view()  # not mutated


@pytest.mark.parametrize("text,needle", [
    ("[partner_a\nanxiety = 0.5\n", "not valid TOML"),
    (HEAD + "[partner_a]\nbogus = 1\n", "partner_a.bogus"),
    (HEAD + "[partner_a]\nanxiety = 3\n", "partner_a.anxiety = 3"),
    (HEAD + f"[run]\nsteps = {views.MAX_STEPS + 1}\n", f"run.steps = {views.MAX_STEPS + 1}"),
    ("", "title"),
])
def test_upload_of_a_bad_file_keeps_the_view_with_one_line_naming_the_file(text, needle):
    view = with_settings(partner_a__anxiety=0.6)
    new, msg = views.upload_scenario(view, "mine.toml", text)
    assert new == view
    assert msg.startswith("mine.toml: ") and needle in msg and "\n" not in msg
    if "steps" in needle:
        assert "allowed" in msg and str(views.MAX_STEPS) in msg


def test_upload_of_a_good_file_switches_the_view():
    view, _ = views.choose_scenario(with_settings(partner_a__anxiety=0.6), "secure_secure")
    view = {**view, "page": "couple"}
    new, msg = views.upload_scenario(view, "mine.toml", GOOD_TOML)
    assert msg == ""
    assert new["scenario"] is None and new["set"] == {} and new["seed"] == "77"
    assert new["upload"] == {"name": "mine.toml", "text": GOOD_TOML}
    resolved = views.resolve(new)
    assert resolved.names == ("Pat", "Lou") and resolved.steps == 120
    assert views.values(new)["partner_a.anxiety"] == 0.3


def test_code_in_a_scenario_file_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}"
    text = (f'title = "__import__(\'os\').system(\'{cmd}\')"\n'
            f'summary = "{{{{ os.system(\'{cmd}\') }}}}"\n'
            f'description = "$({cmd}) `{cmd}`"\n'
            f'[partner_a]\nname = "eval(\'{cmd}\')"\n[run]\nsteps = 30\n')
    view, msg = views.upload_scenario(views.default_view(), "evil.toml", text)
    assert msg == ""
    run = compute.couple_run(compute.couple_key(view))  # run it, show it, export it
    couple_page.render_couple(None, view)
    downloads.export("export-toml", view)
    downloads.export("export-csv", view)
    assert run["title"].startswith("__import__")
    # a code-like value where a number belongs is refused, not evaluated
    bad = HEAD + f"[partner_a]\nanxiety = \"__import__('os').system('{cmd}')\"\n"
    same, msg = views.upload_scenario(view, "evil2.toml", bad)
    assert same == view and msg.startswith("evil2.toml: ")
    assert not marker.exists()


# --- 2. the view hub: update_view and apply_trigger ---------------------------------------------


def test_slider_sets_the_value_and_derived_parameters_follow_the_traits():
    view = views.default_view()
    before = hub.controls(view)["params"]
    trigger = {"type": "param", "name": "partner_a.anxiety"}
    new, controls, msg = hub.update_view(view, trigger, 0.3, {})
    assert msg == ""
    assert new["set"] == {"partner_a.anxiety": 0.3}
    shown = controls["params"]
    assert shown["partner_a.anxiety"] == 0.3
    expected = make_params({"partner_a.anxiety": 0.3})
    for name in ("partner_a.threat_threshold", "partner_a.pursuit_gain"):
        assert shown[name] != before[name]
        assert shown[name] == pytest.approx(expected[name], abs=1e-6)
    # partner B's derived values do not move
    assert shown["partner_b.threat_threshold"] == before["partner_b.threat_threshold"]


def test_a_derived_parameter_set_on_purpose_no_longer_follows_the_traits():
    view = views.default_view()
    view, _, msg = hub.update_view(
        view, {"type": "param", "name": "partner_a.threat_threshold"}, 0.9, {})
    assert msg == ""
    view, controls, msg = hub.update_view(
        view, {"type": "param", "name": "partner_a.anxiety"}, 0.3, {})
    assert msg == ""
    assert controls["params"]["partner_a.threat_threshold"] == 0.9
    assert controls["params"]["partner_a.pursuit_gain"] == pytest.approx(
        make_params({"partner_a.anxiety": 0.3})["partner_a.pursuit_gain"], abs=1e-6)


def test_controls_show_values_without_float_noise():
    view = with_settings(partner_a__anxiety=0.63)
    for value in hub.controls(view)["params"].values():
        assert value == round(value, 6)
    assert set(hub.controls(view)["params"]) == set(couple_page.PARAM_KEYS)


def test_a_bad_slider_value_keeps_the_view_and_says_why():
    view = with_settings(partner_a__anxiety=0.6)
    new, controls, msg = hub.update_view(
        view, {"type": "param", "name": "partner_a.anxiety"}, 2, {})
    assert new == view
    assert controls["params"]["partner_a.anxiety"] == 0.6  # the slider snaps back
    assert "partner_a.anxiety" in msg and "allowed" in msg


def test_choosing_a_scenario_resets_settings_and_takes_its_seed():
    view = {**with_settings(partner_a__anxiety=0.6), "seed": 5}
    new, controls, msg = hub.update_view(view, "scenario", "secure_secure", {})
    lib = views.library_scenario("secure_secure")
    assert msg == ""
    assert new["scenario"] == "secure_secure" and new["set"] == {} and new["upload"] is None
    assert new["seed"] == str(lib.seed) and controls["seed"] == str(lib.seed)
    assert controls["scenario"] == "secure_secure"
    assert controls["params"]["partner_a.anxiety"] == lib.params["partner_a.anxiety"]
    back, controls, msg = hub.update_view(new, "scenario", "default", {})
    assert back["scenario"] is None and back["seed"] == views.DEFAULT_VIEW["seed"]
    assert controls["scenario"] == "default"
    # "upload" in the picker is only a label for an uploaded file: nothing changes
    same, _, msg = hub.update_view(new, "scenario", "upload", {})
    assert same == new and msg == ""


def test_seed_control():
    view = views.default_view()
    new, controls, msg = hub.update_view(view, "seed", 9, {})
    assert new["seed"] == "9" and controls["seed"] == "9" and msg == ""
    new, controls, msg = hub.update_view(view, "seed", -3, {})
    assert new == view and controls["seed"] == view["seed"] and "allowed" in msg


@pytest.mark.parametrize("kind,key", [("nav", {"page": "sweep"}), ("lesson", {"name": "softening"}),
                                      ("open-run", {"index": 0}), ("restore", None)])
def test_a_button_rendered_but_not_clicked_changes_nothing(kind, key):
    view = with_settings(partner_a__anxiety=0.6)
    trigger = {"type": kind, **key} if key else kind
    new, controls, msg = hub.update_view(view, trigger, None, {"cell_views": None})
    assert new == view and controls == {} and msg is dash.no_update


def test_nav_changes_the_page_only():
    view = with_settings(partner_a__anxiety=0.6)
    new, _, msg = hub.update_view(view, {"type": "nav", "page": "sweep"}, 1, {})
    assert msg == "" and new == {**view, "page": "sweep"}


def test_a_lesson_opens_its_scenario_on_the_couple_page():
    view = {**with_settings(partner_a__anxiety=0.6), "page": "about"}
    new, controls, msg = hub.update_view(
        view, {"type": "lesson", "name": "softening"}, 1, {})
    assert msg == ""
    assert new["page"] == "couple" and new["scenario"] == "softening" and new["set"] == {}
    assert new["seed"] == str(views.library_scenario("softening").seed)
    assert controls["scenario"] == "softening"


def test_restore_drops_the_settings_and_keeps_the_scenario():
    view, _ = views.choose_scenario(views.default_view(), "secure_secure")
    view = {**with_settings(view, partner_a__anxiety=0.6), "seed": 3}
    new, _, msg = hub.update_view(view, "restore", 1, {})
    assert msg == "" and new["set"] == {} and new["scenario"] == "secure_secure"
    assert new["seed"] == str(views.library_scenario("secure_secure").seed)


def test_open_run_applies_the_cell_view_on_the_couple_page():
    view = {**views.default_view(), "page": "sweep"}
    spec = compute.sweep_spec(with_settings(run__steps=100))
    cells = [compute.cell_view(spec, 0.25, 0.75, 11), compute.cell_view(spec, 0.5, 1.0, 12)]
    new, controls, msg = hub.update_view(
        view, {"type": "open-run", "index": 1}, 1, {"cell_views": cells})
    assert msg == ""
    assert new["page"] == "couple" and new["seed"] == "12"
    assert new["set"] == {"run.steps": 100, "partner_a.anxiety": 0.5,
                          "partner_b.avoidance": 1.0}
    assert controls["params"]["partner_b.avoidance"] == 1.0
    assert new["x"] == view["x"] and new["compare"] == view["compare"]


@pytest.mark.parametrize("trigger", ["url", None])
def test_the_url_is_parsed_and_its_messages_say_so(trigger):
    view = with_settings(partner_a__anxiety=0.6)
    new, controls, msg = hub.update_view(view, trigger, "?page=sweep&bogus=1&reps=3", {})
    assert new["page"] == "sweep" and new["reps"] == 3 and controls["reps"] == 3
    assert new["set"] == {}  # the link describes the whole view
    assert msg.startswith("In the link: ") and "bogus" in msg


def test_an_upload_arrives_as_a_data_url():
    view = with_settings(partner_a__anxiety=0.6)
    new, controls, msg = hub.update_view(
        view, "upload", data_url(GOOD_TOML.encode()), {"filename": "mine.toml"})
    assert msg == ""
    assert new["upload"]["name"] == "mine.toml" and new["scenario"] is None
    assert new["seed"] == "77" and controls["scenario"] == "upload"
    assert controls["params"]["partner_a.anxiety"] == 0.3
    assert controls["params"]["run.steps"] == 120


@pytest.mark.parametrize("contents,needle", [
    ("data:application/octet-stream;base64,@@@not base64@@@", "could not be read"),
    ("no comma at all", "could not be read"),
    (data_url(b"title = \"\xff\xfe\"\n"), "UTF-8"),
    (data_url(b"#" * (couple_page.UPLOAD_LIMIT + 1)), str(couple_page.UPLOAD_LIMIT)),
    (data_url(b"title = 3\n"), "title"),
])
def test_an_unreadable_upload_leaves_the_view_with_a_message(contents, needle):
    view = with_settings(partner_a__anxiety=0.6)
    new, controls, msg = hub.update_view(view, "upload", contents,
                                               {"filename": "mine.toml"})
    assert new == view
    assert controls["params"]["partner_a.anxiety"] == 0.6
    assert msg.startswith("mine.toml") and needle in msg


def test_sweep_and_compare_controls_go_through_the_checks():
    view = views.default_view()
    new, controls, msg = hub.update_view(view, "x_low", 0.2, {})
    assert msg == "" and new["x"]["low"] == 0.2 and controls["x_low"] == 0.2
    new, _, msg = hub.update_view(view, "x_high", 0.0, {})  # not above low
    assert new == view and "allowed" in msg
    new, _, msg = hub.update_view(view, "points", 2.5, {})
    assert new == view and "points" in msg and "allowed" in msg
    new, controls, msg = hub.update_view(view, "show", "satisfaction", {})
    assert msg == "" and controls["show"] == "satisfaction"
    new, controls, msg = hub.update_view(view, "b_side", "delayed_text", {})
    assert msg == "" and new["compare"]["b"] == "delayed_text"
    assert new["compare"]["b_without"] == []  # the old side's events do not carry over
    new, _, msg = hub.update_view(view, "a_side", "nope", {})
    assert new == view and "nope" in msg and "allowed" in msg
    new, _, msg = hub.update_view(view, "compare_reps", 5, {})
    assert new == view and "5" in msg and "allowed" in msg


@pytest.mark.parametrize("axis,name", [("x", "dyad.noise"), ("y", "partner_a.threat_gain")])
def test_choosing_another_axis_parameter_is_accepted(axis, name):
    # The axis bounds in the view belong to the old parameter (0 to 1); picking a
    # parameter with another range must not be refused because of them.
    view = views.default_view()
    new, controls, msg = hub.update_view(view, f"{axis}_name", name, {})
    assert msg == ""
    assert new[axis]["name"] == name and controls[f"{axis}_name"] == name
    param = REGISTRY[name]
    assert param.low <= new[axis]["low"] < new[axis]["high"] <= param.high


def test_page_parts_link_describes_the_view():
    view = rich_view()
    parts = hub.page_parts(view, "http://example.org:8050/?old=1")
    assert parts["link"].startswith("http://example.org:8050/?page=sweep")
    assert urlcodec.from_query(parts["link"].split("?", 1)[1]) == (view, [])
    shown = [i for i, s in enumerate(parts["styles"]) if s != {"display": "none"}]
    assert shown == [views.PAGES.index("sweep")]
    assert parts["b_options"] == [{"label": DELAYED, "value": DELAYED}]
    assert parts["sweep_spec"] == compute.sweep_spec(view)
    assert parts["compare_spec"]["set"] == view["set"]  # side A is "current"


# --- 3. playback ---------------------------------------------------------------------------------


def test_a_new_run_is_shown_whole_unless_playing():
    view = short_view(100)
    key = compute.couple_key(view)
    assert couple_page.advance(None, view, None, 0) == {"key": key, "i": 100, "playing": False,
                                                      "last": 100}
    old = {"key": "an older run", "i": 40, "playing": False}
    assert couple_page.advance("view", view, old, 0)["i"] == 100
    old["playing"] = True
    assert couple_page.advance("view", view, old, 0) == {"key": key, "i": 0, "playing": True,
                                                       "last": 100}


def test_reset_step_play_and_ticks():
    view = short_view(100)
    key = compute.couple_key(view)

    def at(i, playing=False):
        return {"key": key, "i": i, "playing": playing, "last": 100}

    assert couple_page.advance("reset", view, at(50, True), 0) == at(0)
    for index, speed in enumerate(SPEEDS):
        assert couple_page.advance("step", view, at(10), index) == at(10 + speed)
    assert couple_page.advance("step", view, at(98), len(SPEEDS) - 1) == at(100)
    assert couple_page.advance("step", view, at(10, True), 1) == at(10 + SPEEDS[1])  # pauses
    # play toggles, and from the end starts again at 0
    assert couple_page.advance("play", view, at(30), 0) == at(30, True)
    assert couple_page.advance("play", view, at(30, True), 0) == at(30)
    assert couple_page.advance("play", view, at(100), 0) == at(0, True)
    # ticks move while playing and stop at the end
    assert couple_page.advance("ticker", view, at(10, True), 1) == at(10 + SPEEDS[1], True)
    assert couple_page.advance("ticker", view, at(99, True), 3) == at(100, False)
    assert couple_page.advance("ticker", view, at(10), 3) == at(10)
    # a page change (same run) leaves the cursor alone
    assert couple_page.advance("view", view, at(42, True), 0) == at(42, True)
    # a click on a lesson's notice (a pattern id, a dict) is no playback button
    assert couple_page.first_trigger({'{"index":1,"type":"notice"}.n_clicks':
                                      {"index": 1, "type": "notice"}}) is None
    # a lesson's notice pauses at its first day (the end, if the run is shorter)
    assert couple_page.advance("notice", view, at(42, True), 0, goto=7) == at(7)
    assert couple_page.advance("notice", view, at(42), 0, goto=500) == at(100)


def test_a_run_that_cannot_start_gives_an_error_not_an_exception():
    view = {**views.default_view(), "set": {"run.steps": views.MAX_STEPS + 1}}
    cursor = couple_page.advance(None, view, None, 0)
    assert cursor["playing"] is False and "run.steps" in cursor["error"]
    couple, phase, text, outcome = couple_page.render_couple(cursor, view)
    assert isinstance(couple, go.Figure) and isinstance(phase, go.Figure)
    assert "run.steps" in text and outcome == ""


# --- 4. rendering one couple ---------------------------------------------------------------------


def trace_lengths(fig: go.Figure) -> list[int]:
    return [len(t.x) for t in fig.data if t.x is not None]


def test_render_couple_at_the_cursor():
    view = short_view(100)
    key = compute.couple_key(view)
    couple, phase, text, outcome = couple_page.render_couple(
        {"key": key, "i": 0, "playing": False}, view)
    assert isinstance(couple, go.Figure) and isinstance(phase, go.Figure)
    assert text.startswith("Day 0 (the start)") and outcome == "Day 0 (the start) of 100 days."
    assert couple.data and max(trace_lengths(couple)) <= 1
    path = {t.name: t for t in phase.data}["path"]
    assert len(path.x) == 1
    lengths = []
    for i in (10, 40, 99):
        couple, phase, text, outcome = couple_page.render_couple(
            {"key": key, "i": i, "playing": True}, view)
        week = (i + 6) // 7  # days 1-7 are week 1
        assert text.startswith(f"Day {i} (week {week}):")
        assert outcome == f"Day {i} (week {week}) of 100 days."
        assert max(trace_lengths(couple)) == i + 1
        lengths.append(len({t.name: t for t in phase.data}["path"].x))
    assert lengths == [11, 41, 100]
    _, _, text, outcome = couple_page.render_couple(None, view)  # no cursor: the whole run
    assert text.startswith("Day 100 (week 15)")
    assert outcome.startswith("Outcome after 100 days (3.3 months): ")
    # the continuous indices stand beside the class
    assert re.search(r"Means over the run: pursue-withdraw index \d\.\d\d, activation "
                     r"\d\.\d\d, closeness \d\.\d\d, satisfaction \d\.\d\d\.$", outcome)


def test_the_outcome_line_is_the_reference_models_for_the_couple_on_screen():
    """The couple page's outcome is what the Mesa reference model gives for the couple and
    seed on screen, and it follows the sliders (measured at the default seed 4: the default
    couple ends the year cycling and, with A's anxiety at 0.1, settles)."""
    from dyadsim.model import DyadModel

    lines = []
    for view in (views.default_view(), with_settings(partner_a__anxiety=0.1)):
        _, _, _, outcome = couple_page.render_couple(None, view)
        found = views.resolve(view)
        seed = run_seeds(found.seed, 1)[0]
        traj = DyadModel(found.params, rng=seed, timeline=found.timeline()).run(
            found.steps).trajectory()
        name, _ = outcomes.assess(traj)
        last = int(traj["step"].iloc[-1])
        assert outcome.startswith(f"Outcome after {span(last)}: {name}"), (outcome, name)
        lines.append(outcome)
    assert lines[0] != lines[1]


def test_scenario_events_are_listed_with_their_windows():
    events = compute.events_of(views.library_scenario("delayed_text"))
    assert events == [{"step": 120, "end": 126, "label": DELAYED}]


# --- 5. the caption ----------------------------------------------------------------------------


def synthetic(n: int = 11, **columns: Any) -> pd.DataFrame:
    """A small trajectory: calm, close partners unless columns say otherwise (a__b = a.b)."""
    data: dict[str, Any] = {"step": np.arange(n), "dyad.closeness": np.full(n, 0.6),
                            "dyad.dissolved": np.zeros(n)}
    for who, act in (("partner_a", 0.4), ("partner_b", 0.35)):
        data[f"{who}.activation"] = np.full(n, act)
        data[f"{who}.pursuit"] = np.full(n, 0.1)
        data[f"{who}.withdrawal"] = np.full(n, 0.1)
        data[f"{who}.availability"] = np.full(n, 0.9)
    for key, value in columns.items():
        data[key.replace("__", ".")] = np.asarray(value, dtype=float)
    return pd.DataFrame(data)


def bids(unanswered: int, n: int = 11) -> pd.DataFrame:
    """Partner A's distress rises while A bids; B's last ``unanswered`` answers are missed."""
    availability = np.full(n, 0.9)
    availability[n - unanswered:] = 0.2
    return synthetic(n, partner_a__activation=np.linspace(0.3, 0.8, n),
                     partner_a__pursuit=np.full(n, 0.5),
                     partner_b__availability=availability,
                     partner_b__withdrawal=np.linspace(0.1, 0.5, n))


@pytest.mark.parametrize("unanswered,words", [(3, "after three unanswered bids"),
                                              (2, "after two unanswered bids"),
                                              (10, "after ten unanswered bids")])
def test_caption_counts_unanswered_bids_in_words(unanswered, words):
    text = caption(bids(unanswered), 10, ("Sam", "Alex"))
    assert text.startswith("Day 10 (week 2): ")
    assert ". Sam's distress is rising " + words in text  # the day's sentence, after the story


def test_caption_names_no_count_for_a_single_missed_bid():
    text = caption(bids(1), 10, ("Sam", "Alex"))
    assert "Sam's distress is rising" in text and "unanswered" not in text


def test_caption_says_a_withdrawing_partner_is_pulling_back():
    text = caption(bids(3), 10, ("Sam", "Alex"))
    assert "Alex is pulling back" in text
    calm = caption(synthetic(), 10, ("Sam", "Alex"))
    assert "pulling back" not in calm and "rising" not in calm


def test_caption_uses_the_partners_names_and_puts_the_more_distressed_first():
    n = 11
    t = synthetic(n, partner_b__activation=np.linspace(0.3, 0.8, n),
                  partner_b__pursuit=np.full(n, 0.5),
                  partner_a__withdrawal=np.linspace(0.1, 0.5, n))
    text = caption(t, 10, ("Robin", "Kai"))
    assert ". Kai's distress is rising" in text
    assert "Robin is pulling back" in text
    assert "Sam" not in text and "Alex" not in text and "partner" not in text


def test_caption_after_dissolution_says_they_have_separated():
    t = synthetic(dyad__dissolved=[0] * 7 + [1] * 4)
    assert "Robin and Kai have separated" in caption(t, 8, ("Robin", "Kai"))
    assert "separated" not in caption(t, 5, ("Robin", "Kai"))


def test_caption_mentions_an_event_only_within_its_window():
    t = bids(3)
    events = [{"step": 8, "end": 12, "label": DELAYED}, {"step": 2, "end": 4, "label": "gone"}]
    assert f"Now: {DELAYED}." in caption(t, 10, ("Sam", "Alex"), events)
    assert "gone" not in caption(t, 10, ("Sam", "Alex"), events)
    assert DELAYED not in caption(t, 7, ("Sam", "Alex"), events)
    assert "Now: gone." in caption(t, 3, ("Sam", "Alex"), events)


def test_caption_at_day_zero_and_past_the_end():
    t = bids(3)
    assert caption(t, 0, ("Sam", "Alex")).startswith("Day 0 (the start): Sam and Alex begin")
    assert caption(t, 99, ("Sam", "Alex")) == caption(t, 10, ("Sam", "Alex"))


def test_caption_of_a_real_run_at_every_tenth_day():
    run = compute.couple_run(compute.couple_key(short_view(100)))
    for i in range(0, 101, 10):
        text = caption(run["traj"], i, run["names"], run["events"])
        assert text.startswith(f"Day {i} (") and "Sam" in text


# --- 6. compute: sweeps and compares ------------------------------------------------------------

SEED = 7


@pytest.fixture(scope="module")
def sweep_view() -> dict[str, Any]:
    view = short_view(100)
    view, msg = views.set_sweep(view, points=3, reps=2)
    assert msg == ""
    view, msg = views.set_seed(view, SEED)
    assert msg == ""
    return view


@pytest.fixture(scope="module")
def sweep_result(sweep_view) -> dict[str, Any]:
    return compute.grid_sweep(compute.sweep_spec(sweep_view))


def test_sweep_tables_cover_every_quantity_with_the_grid_shape(sweep_result, sweep_view):
    r = sweep_result
    assert r["x"]["name"] == sweep_view["x"]["name"]
    assert r["y"]["name"] == sweep_view["y"]["name"]
    assert r["x"]["values"] == [0.0, 0.5, 1.0] and r["y"]["values"] == [0.0, 0.5, 1.0]
    assert r["reps"] == 2 and r["steps"] == 100
    assert set(r["tables"]) == set(views.SHOW_OPTIONS)
    for name, table in r["tables"].items():
        for part in ("value", "low", "high", "n"):
            assert np.shape(table[part]) == (3, 3), (name, part)
        for row in range(3):
            for col in range(3):
                v, lo, hi = (table[k][row][col] for k in ("value", "low", "high"))
                if v is not None and table["n"][row][col] >= 2:
                    assert lo <= v + 1e-9 and v <= hi + 1e-9, (name, row, col)
                elif v is not None:  # one run (e.g. one that escalated): no interval
                    assert lo is None and hi is None, (name, row, col)
    for name in SHARES:
        table = r["tables"][name]
        assert np.all(np.array(table["n"]) == 2)
        for k in ("value", "low", "high"):
            a = np.array(table[k], dtype=float)
            assert np.all((a >= 0) & (a <= 1)), (name, k)
    shares = sum(np.array(r["tables"][o]["value"]) for o in outcomes.OUTCOMES)
    assert np.allclose(shares, 1.0)
    trap = sum(np.array(r["tables"][o]["value"]) for o in outcomes.TRAP_OUTCOMES)
    assert np.allclose(trap, r["tables"]["trap"]["value"])


def test_sweep_is_reproducible_and_uses_the_run_seeds(sweep_result, sweep_view):
    again = compute.grid_sweep(compute.sweep_spec(sweep_view))
    assert again["tables"] == sweep_result["tables"]
    assert again["seeds"] == sweep_result["seeds"]
    assert sweep_result["seeds"] == [str(s) for s in run_seeds(SEED, 2)]


def test_sweep_reports_progress_up_to_done(sweep_view):
    calls = []
    compute.grid_sweep(compute.sweep_spec(sweep_view), lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == list(range(1, len(calls) + 1))


def test_a_cell_replicates_are_the_sweep_cell(sweep_result):
    # Each cell's replicates re-run on the Mesa model give the batch engine's outcomes.
    r = sweep_result
    classes = set()
    for iy, y in enumerate(r["y"]["values"]):
        for ix, x in enumerate(r["x"]["values"]):
            samples = compute.cell_runs(r, x, y, count=r["reps"])
            assert [s["seed"] for s in samples] == run_seeds(SEED, 2)
            assert [s["replicate"] for s in samples] == [0, 1]
            found = [s["outcome"] for s in samples]
            classes.update(found)
            for name in outcomes.OUTCOMES:
                assert found.count(name) == round(r["tables"][name]["value"][iy][ix] * 2), (
                    x, y, name, found)
            mean = np.mean([s["metrics"]["mean_activation"] for s in samples])
            assert mean == pytest.approx(r["tables"]["mean_activation"]["value"][iy][ix],
                                         abs=2e-6)
            for s in samples:
                assert s["view"]["set"][r["x"]["name"]] == x
                assert s["view"]["set"][r["y"]["name"]] == y
    assert len(classes) >= 2  # the grid is not all one outcome: the check has teeth


def test_sweep_with_the_same_parameter_on_both_axes_is_refused(sweep_view):
    spec = {**compute.sweep_spec(sweep_view), "y": dict(sweep_view["x"])}
    with pytest.raises(ValueError, match=r"partner_a\.anxiety"):
        compute.grid_sweep(spec)


@pytest.fixture(scope="module")
def compare_view() -> dict[str, Any]:
    view = views.default_view()
    view["compare"] = {"a": "delayed_text", "a_without": [], "b": "delayed_text",
                       "b_without": [DELAYED], "reps": 10}
    return view


def test_compare_returns_both_sides_with_series_and_shares(compare_view):
    sides = compute.run_compare(compare_view)
    assert set(sides) == {"a", "b"}
    steps = views.library_scenario("delayed_text").steps
    for key, side in sides.items():
        assert side["reps"] == 10
        assert side["without"] == ([] if key == "a" else [DELAYED])
        assert set(side["series"]) == set(compute.COMPARE_SERIES)
        for s in side["series"].values():
            assert len(s["mean"]) == len(s["low"]) == len(s["high"]) == steps + 1
        assert set(side["shares"]) == {*outcomes.OUTCOMES, "trap"}
        assert sum(side["shares"][o]["value"] for o in outcomes.OUTCOMES) == pytest.approx(1)
        for share in side["shares"].values():  # (Wilson's 1 can come out as 1 - 1e-16)
            assert 0 <= share["low"] <= share["value"] + 1e-12
            assert share["value"] <= share["high"] + 1e-12 and share["high"] <= 1
    # Same seeds: the sides are identical until the left-out event starts, then differ.
    a = np.array(sides["a"]["series"]["partner_a.activation"]["mean"], dtype=float)
    b = np.array(sides["b"]["series"]["partner_a.activation"]["mean"], dtype=float)
    assert np.array_equal(a[:120], b[:120])
    assert not np.allclose(a[120:127], b[120:127])


def test_compare_side_current_uses_the_couple_page_settings(compare_view):
    view = {**short_view(100), "compare": {**compare_view["compare"], "a": "current"}}
    sides = compute.run_compare(view)
    assert len(sides["a"]["series"]["pw"]["mean"]) == 101
    assert len(sides["b"]["series"]["pw"]["mean"]) == 366


def test_compare_leaving_out_an_unknown_event_names_it(compare_view):
    view = {**compare_view, "compare": {**compare_view["compare"], "b_without": ["nope"]}}
    with pytest.raises(ValueError, match="nope"):
        compute.run_compare(view)


# --- 7. the background jobs, called directly ------------------------------------------------------


def test_sweep_job_reports_done_and_progress(sweep_view):
    progress = []
    result, status = sweep_page.sweep_job(progress.append, compute.sweep_spec(sweep_view))
    assert status.startswith("Done: 9 cells x 2 replicates x 100 days (3.3 months)")
    assert set(result["tables"]) == set(views.SHOW_OPTIONS)
    assert progress and progress[-1][0] == progress[-1][1]
    assert all(isinstance(p, str) for pair in progress for p in pair)
    _, status = sweep_page.sweep_job(None, compute.sweep_spec(sweep_view))
    assert status.startswith("Done")


def test_sweep_job_with_a_bad_spec_says_why(sweep_view):
    spec = {**compute.sweep_spec(sweep_view), "y": dict(sweep_view["x"])}
    result, status = sweep_page.sweep_job(None, spec)
    assert result is dash.no_update
    assert status.startswith("The sweep cannot run") and "partner_a.anxiety" in status
    bad = {**compute.sweep_spec(sweep_view), "set": {"run.steps": views.MAX_STEPS + 1}}
    result, status = sweep_page.sweep_job(None, bad)
    assert result is dash.no_update and "run.steps" in status


def test_compare_job_reports_done_and_a_bad_spec_says_why(compare_view):
    figure, status = compare_page.compare_job(None, {"compare": compare_view["compare"]})
    assert isinstance(figure, go.Figure)
    assert status.startswith("Done: 10 replicates per side")
    assert re.search(r"mean pursue-withdraw index: A \d\.\d\d, B \d\.\d\d\.$", status)
    bad = {"compare": {**compare_view["compare"], "a_without": ["nope"]}}
    figure, status = compare_page.compare_job(None, bad)
    assert figure is dash.no_update
    assert status.startswith("The compare cannot run") and "nope" in status


def test_heatmap_and_sample_runs_of_a_clicked_cell(sweep_result):
    assert isinstance(sweep_page.render_heatmap(None, "trap"), go.Figure)
    fig = sweep_page.render_heatmap(sweep_result, "mean_activation")
    z = np.array(fig.data[0].z, dtype=float)
    assert np.allclose(z, np.array(sweep_result["tables"]["mean_activation"]["value"],
                                   dtype=float), equal_nan=True)
    fallback = sweep_page.render_heatmap(sweep_result, "nope")
    assert np.allclose(np.array(fallback.data[0].z, dtype=float),
                       sweep_result["tables"]["trap"]["value"])
    fig, buttons, cell_views = sweep_page.show_cell({"points": [{"x": 1.0, "y": 1.0}]},
                                                    sweep_result)
    assert len(fig.data) == len(buttons) == len(cell_views) == sweep_result["reps"]
    assert [b.id for b in buttons] == [{"type": "open-run", "index": k} for k in (0, 1)]
    new, _, msg = hub.update_view(views.default_view(),
                                  {"type": "open-run", "index": 1}, 1,
                                  {"cell_views": cell_views})
    assert msg == "" and new["seed"] == str(run_seeds(SEED, 2)[1])
    assert new["set"]["partner_a.anxiety"] == 1.0
    _, buttons, cell_views = sweep_page.show_cell(None, sweep_result)
    assert buttons == [] and cell_views == []


def test_heatmap_hover_gives_the_trap_share_and_the_indices_beside_the_quantity(sweep_result):
    for show in ("settled", "mean_activation", "time_to_escalation"):
        heat = sweep_page.render_heatmap(sweep_result, show).data[0]
        beside = [q for q in ("trap", *readout.index_names()) if q != show]
        custom = np.array(heat.customdata, dtype=float)
        assert custom.shape == (3, 3, 3 + len(beside))
        for k, q in enumerate(beside):  # each value sits where the hover reads it
            assert np.allclose(custom[:, :, 3 + k], np.array(
                sweep_result["tables"][q]["value"], dtype=float), equal_nan=True)
            assert f"customdata[{3 + k}]" in heat.hovertemplate
        for words in ("mean pursue-withdraw index", "mean activation", "mean closeness",
                      "mean satisfaction"):
            assert words in heat.hovertemplate  # (mean activation: the quantity itself)
    heatmap = sweep_page.render_heatmap(sweep_result, "trap")
    assert heatmap.layout.title.text.endswith("100 days (3.3 months)")
    assert figures.quantity_label("time_to_escalation") == (
        f"day the loop began (the first of {outcomes.SUSTAIN_STEPS} days in it)")
    assert set(figures.METRIC_WORDS) == set(outcomes.METRIC_NAMES)  # every metric in words
    assert "_" not in "".join(figures.quantity_label(n) for n in outcomes.METRIC_NAMES)


def test_sample_runs_of_a_cell_are_drawn_over_days(sweep_result):
    fig, _, _ = sweep_page.show_cell({"points": [{"x": 0.0, "y": 0.0}]}, sweep_result)
    assert fig.layout.xaxis.title.text == "day"
    assert list(fig.layout.xaxis.tickvals) == [0, 30, 61, 91]  # 100 days: monthly ticks


def test_couple_figure_is_in_days_with_the_whole_runs_ticks_while_playing():
    run = compute.couple_run(compute.couple_key(short_view(60)))
    whole = figures.couple_figure(run, 60).layout  # six panels: the time axis is the 6th
    part = figures.couple_figure(run, 10).layout
    assert whole.xaxis6.title.text == "day" and whole.xaxis.title.text is None
    assert list(whole.xaxis6.tickvals) == list(range(0, 57, 7))  # weekly under 3 months
    assert whole.xaxis6.ticktext[1] == "7<br>1 wk"
    assert list(part.xaxis6.tickvals) == list(whole.xaxis6.tickvals)
    assert list(whole.xaxis2.tickvals) == list(whole.xaxis6.tickvals)  # grid lines align
    long = compute.couple_run(compute.couple_key(short_view(400)))
    assert figures.couple_figure(long, 400).layout.xaxis6.ticktext[1] == "30<br>1 mo"
    assert all(t.hovertemplate.startswith("day %{x}") for t in figures.couple_figure(
        run, 60).data)


def test_the_couple_page_counts_days(app_layout):
    labels = [(node.htmlFor, node.children) for node in walk(app_layout)
              if isinstance(node, html.Label) and getattr(node, "htmlFor", None)]
    assert (ids.Couple.param("run.steps"), "Days") in labels
    assert (ids.Couple.SPEED, "Speed (days per tick)") in labels
    assert "Episodes" not in [text for _, text in labels]


def test_compare_shows_the_indices_beside_the_shares(compare_view):
    sides = compute.run_compare(compare_view)
    for side in sides.values():
        assert list(side["indices"]) == list(readout.index_names())
        for cell in side["indices"].values():
            assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 1
    fig = figures.compare_figure(sides, compute.COMPARE_SERIES)
    bars = [t for t in fig.data if t.type == "bar"]
    shares = [t for t in bars if t.xaxis == "x5"]
    indices = [t for t in bars if t.xaxis == "x6"]
    assert len(shares) == len(indices) == 2
    assert list(shares[0].x) == [*outcomes.OUTCOMES, "trap"]
    assert [x.replace("<br>", " ") for x in indices[0].x] == [
        readout.INDICES[k] for k in readout.index_names()]
    assert [round(v, 9) for v in indices[1].y] == [
        round(sides["b"]["indices"][k]["value"], 9) for k in readout.index_names()]
    assert fig.layout.xaxis4.tickvals[0] == 0 and fig.layout.xaxis4.ticktext[1] == "30<br>1 mo"
    assert fig.layout.xaxis4.showticklabels and not fig.layout.xaxis.showticklabels
    titles = [a.text for a in fig.layout.annotations]
    assert "Beside them: means over runs (95% CI)" in titles
    assert all("by day" in t for t in titles[: len(compute.COMPARE_SERIES)])


# --- 8. exports -----------------------------------------------------------------------------------


def test_export_csv_has_the_trajectory_columns():
    view = short_view(100)
    data, msg = downloads.export("export-csv", view)
    assert msg == "" and data["filename"].endswith(".csv")
    table = pd.read_csv(io.StringIO(data["content"]))
    assert list(table.columns) == list(compute.COUPLE_COLUMNS)
    assert len(table) == 101 and table["step"].tolist() == list(range(101))


def test_export_toml_is_a_scenario_the_command_line_runs(tmp_path, capsys):
    view = with_settings(partner_a__anxiety=0.55, run__steps=100)
    view, _ = views.set_seed(view, 9)
    data, msg = downloads.export("export-toml", view)
    assert msg == "" and data["filename"] == "couple-seed9.toml"
    loaded = scenario.loads(data["content"], "exported.toml")
    assert loaded.params["partner_a.anxiety"] == 0.55 and loaded.seed == 9
    assert loaded.steps == 100 and loaded.names == tuple(views.DEFAULT_NAMES)
    path = tmp_path / "exported.toml"
    path.write_text(data["content"], encoding="utf-8")
    capsys.readouterr()
    code = cli_main(["run", str(path), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert report["seed"] == 9 and report["params"]["partner_a.anxiety"] == 0.55
    assert report["params"]["run.steps"] == 100
    # the command line's run of the file is the dashboard's run
    run = compute.couple_run(compute.couple_key(view))
    assert report["outcomes"][run["outcome"]] == 1.0


def test_export_toml_of_a_library_scenario_keeps_its_events():
    view, _ = views.choose_scenario(views.default_view(), "delayed_text")
    view = with_settings(view, dyad__stress=0.2)
    data, msg = downloads.export("export-toml", view)
    assert msg == ""
    loaded = scenario.loads(data["content"], "exported.toml")
    assert [e.label for e in loaded.events] == [DELAYED]
    assert loaded.params["dyad.stress"] == 0.2
    assert loaded.seed == views.library_scenario("delayed_text").seed


def test_export_of_a_view_that_cannot_run_is_a_message():
    view = {**views.default_view(), "set": {"run.steps": views.MAX_STEPS + 1}}
    for trigger in ("export-csv", "export-toml"):
        data, msg = downloads.export(trigger, view)
        assert data is dash.no_update and "run.steps" in msg


def test_export_png_and_svg():
    view = short_view(100)  # drawn from the server's run of the view, not a browser figure
    data, msg = downloads.export("export-png", view)
    assert msg == "" and data["base64"] is True and data["filename"].endswith(".png")
    assert base64.b64decode(data["content"]).startswith(b"\x89PNG\r\n\x1a\n")
    data, msg = downloads.export("export-svg", view)
    assert msg == "" and data["filename"].endswith(".svg")
    assert b"<svg" in base64.b64decode(data["content"])


def test_sweep_exports_without_a_held_sweep_say_what_to_do_first(held_cache):
    view = views.default_view()
    for trigger in ("sweep-export-png", "sweep-export-csv"):
        data, msg = downloads.export(trigger, view)
        assert data is dash.no_update and "run the sweep" in msg


@pytest.fixture
def held_cache(tmp_path):
    import diskcache

    from dashboard import widgets

    with diskcache.Cache(str(tmp_path / "held")) as cache:
        widgets.hold_results_in(cache)
        yield cache
        widgets.hold_results_in(None)


def test_sweep_csv_has_one_row_per_cell(sweep_result, sweep_view, held_cache):
    from dashboard import widgets

    widgets.hold_result("sweep", sweep_result["spec"], sweep_result)  # as the job does
    data, msg = downloads.export("sweep-export-csv", sweep_view)
    assert msg == "" and data["filename"] == "sweep.csv"
    table = pd.read_csv(io.StringIO(data["content"]))
    x, y = sweep_result["x"], sweep_result["y"]
    assert len(table) == len(x["values"]) * len(y["values"])
    cells = set(zip(table[x["name"]], table[y["name"]], strict=True))
    assert cells == {(a, b) for a in x["values"] for b in y["values"]}
    for q in views.SHOW_OPTIONS:
        assert {q, f"{q}_ci_low", f"{q}_ci_high", f"{q}_n"} <= set(table.columns)
    assert (table["trap_n"] == sweep_result["reps"]).all()


# --- 9. layout and app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_layout():
    from dashboard.app import layout

    return layout()


def test_every_float_parameter_has_one_slider_from_the_registry(app_layout):
    sliders: dict[str, list[tuple[Any, Any]]] = {}
    for node in walk(app_layout):
        children = getattr(node, "children", None)
        if not isinstance(children, list):
            continue
        for child in children:
            if isinstance(child, dcc.Slider) and isinstance(child.id, dict):
                assert child.id["type"] == "param"
                labels = [c for c in children if isinstance(c, html.Label)]
                sliders.setdefault(child.id["name"], []).append((child, labels))
    floats = [p for p in REGISTRY.values() if p.kind is float]
    assert set(sliders) == {p.name for p in floats}
    values = make_params()
    for param in floats:
        assert len(sliders[param.name]) == 1, param.name
        slider, labels = sliders[param.name][0]
        assert slider.min == param.low and slider.max == param.high
        assert slider.value == pytest.approx(values[param.name], abs=1e-6)
        assert len(labels) == 1
        unit = f" ({unit_label(param.unit)})" if param.unit else ""  # per episode: per day
        assert labels[0].children == param.label + unit and "episode)" not in unit
        assert param.help in labels[0].title


def test_create_app_builds_without_running_the_model(monkeypatch, tmp_path):
    import dashboard.app
    from dyadsim import batch, runs

    def forbidden(*args, **kwargs):
        raise AssertionError("the model ran while building the app")

    for owner, name in ((runs, "run_mesa"), (batch, "run_batch"), (compute, "grid_sweep"),
                        (compute, "run_compare"), (compute, "couple_run")):
        monkeypatch.setattr(owner, name, forbidden)
    assert not any(isinstance(v, dash.Dash) for v in vars(dashboard.app).values())
    app = dashboard.app.create_app(tmp_path)
    assert isinstance(app, dash.Dash) and callable(app.layout)
    tree = app.layout()
    ids = {n.id for n in walk(tree) if isinstance(getattr(n, "id", None), str)}
    assert {"view", "url", "message", "couple-graph", "heatmap"} <= ids
    # every component a callback reads or writes (by a plain id) is in the layout
    for key, spec in app.callback_map.items():
        used = [d["id"] for d in (*spec["inputs"], *spec["state"])]
        for part in ([] if spec.get("no_output") else key.strip(".").split("...")):
            used.append(part.split("@")[0].rsplit(".", 1)[0])  # (no output: a hash for key)
        for cid in used:
            if isinstance(cid, str) and not cid.startswith("{"):
                assert cid in ids, (cid, key)


# --- 10. the About page ---------------------------------------------------------------------------


@pytest.mark.parametrize("title,start", about.SECTIONS)
def test_about_sections_come_from_the_about_document(title, start):
    text = about.section(start)
    assert text.strip()
    assert not text.lstrip().startswith("## ")


def test_the_about_page_shows_every_section_of_the_about_document_in_a_teachers_words():
    assert [start for _, start in about.SECTIONS] == list(about.doc_sections())  # in order
    assert about.ABOUT_DOC.name == "ABOUT.md"
    whole = " ".join(about.doc_sections().values())
    for developer_words in ("agents.do", "Numba", "Box-Muller", "kernel", "Mesa's"):
        assert developer_words not in whole, developer_words
    how = about.section("How to use it")
    for part in ("Play", "Step", "lesson panel", "world view", "phase portrait", "sweep page",
                 "Class mode", "QR code", "Export"):
        assert part in how, part
    page = about_page.layout()
    headings = [n.children for n in walk(page) if isinstance(n, html.H3)]
    assert headings[0] == "What is it?" and headings[1] == "Lessons"
    assert headings[2:] == [title for title, _ in about.SECTIONS[1:]]


def test_about_lessons_exist_and_each_has_a_button():
    assert set(about.LESSONS) <= set(views.library_names())
    assert len(set(about.LESSONS)) == len(about.LESSONS)
    page = about_page.layout()
    buttons = [n.id["name"] for n in walk(page)
               if isinstance(getattr(n, "id", None), dict) and n.id.get("type") == "lesson"]
    assert buttons == list(about.LESSONS)
    with pytest.raises(KeyError):
        about.section("99. No such section")


# --- 11. the command line ------------------------------------------------------------------------


def test_dashboard_command_defaults_to_loopback_port_8050():
    args = build_parser().parse_args(["dashboard"])
    assert args.command == "dashboard"
    assert args.host == "127.0.0.1" and args.port == 8050 and args.debug is False
    args = build_parser().parse_args(["dashboard", "--port", "9000", "--host", "0.0.0.0"])
    assert args.port == 9000 and args.host == "0.0.0.0"


@pytest.mark.parametrize("port", ["0", "70000", "abc", "-1"])
def test_dashboard_command_refuses_bad_ports(port, capsys, monkeypatch):
    import dashboard.app

    monkeypatch.setattr(dashboard.app, "serve", lambda *a, **k: pytest.fail("served"))
    assert cli_main(["dashboard", "--port", port]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and "\n" == err[-1] and err.count("\n") == 1


# --- 12. the mean-field overlay on the sweep heatmap ----------------------------------------------


@pytest.fixture(scope="module")
def meanfield_sweep() -> dict[str, Any]:
    """A small real sweep (5 x 5 cells, 4 replicates, 100 episodes) of the default couple."""
    view = short_view(100)
    view, msg = views.set_sweep(view, points=5, reps=4)
    assert msg == ""
    return compute.grid_sweep(compute.sweep_spec(view))


@pytest.fixture(scope="module")
def meanfield_map(meanfield_sweep) -> tuple[dict[str, Any], str]:
    return sweep_page.meanfield_job(meanfield_sweep)


def test_meanfield_job_without_a_sweep_gives_nothing():
    assert sweep_page.meanfield_job(None) == (None, "")


def test_meanfield_job_gives_curves_in_the_axes_ranges_and_the_agreement(meanfield_sweep,
                                                                          meanfield_map):
    r = meanfield_sweep
    mf, status = meanfield_map
    assert isinstance(mf, dict)
    assert mf["spec"] == r["spec"]
    assert mf["overlay"], "the default couple's map has boundaries on these axes"
    xs, ys = r["x"]["values"], r["y"]["values"]
    for line in mf["overlay"]:
        assert isinstance(line["x"], list) and isinstance(line["y"], list), line["name"]
        assert len(line["x"]) == len(line["y"]) > 0, line["name"]
        # None breaks a boundary into pieces (Plotly's gap), at the same places in x and y
        assert [x is None for x in line["x"]] == [y is None for y in line["y"]], line
        assert all(min(xs) - 1e-9 <= x <= max(xs) + 1e-9 for x in line["x"] if x is not None)
        assert all(min(ys) - 1e-9 <= y <= max(ys) + 1e-9 for y in line["y"] if y is not None)
        assert line["name"] in status, (line["name"], status)
    # 5 points per axis <= MEANFIELD_MAX_POINTS: the map's grid is the sweep's
    assert len(xs) <= compute.MEANFIELD_MAX_POINTS
    assert mf["agreement"] is not None and 0 <= mf["agreement"] <= 1
    assert sum(mf["regimes"].values()) == len(xs) * len(ys)
    assert mf["events"] is False
    assert status.startswith("Mean field")
    assert f"in {mf['agreement']:.0%} of cells" in status
    assert "events" not in status
    json.dumps(mf)  # it goes into a dcc.Store


def test_render_heatmap_draws_the_meanfield_curves_only_when_asked(meanfield_sweep,
                                                                    meanfield_map):
    r, (mf, _) = meanfield_sweep, meanfield_map
    drawn = sweep_page.render_heatmap(r, "trap", ["meanfield"], mf)
    unchecked = sweep_page.render_heatmap(r, "trap", [], mf)
    no_map = sweep_page.render_heatmap(r, "trap", ["meanfield"], None)
    assert len(unchecked.data) == len(no_map.data) == 1
    assert unchecked.data[0].type == no_map.data[0].type == "heatmap"
    assert len(drawn.data) == 1 + len(mf["overlay"]) > 1
    assert drawn.data[0].type == "heatmap"
    assert [t.name for t in drawn.data[1:]] == [line["name"] for line in mf["overlay"]]
    assert all(t.type == "scatter" for t in drawn.data[1:])
    assert drawn.layout.showlegend is True and not unchecked.layout.showlegend
    assert len(sweep_page.render_heatmap(r, "trap", None, mf).data) == 1


def test_render_heatmap_never_draws_a_map_of_another_sweep(meanfield_sweep, meanfield_map):
    r, (mf, _) = meanfield_sweep, meanfield_map
    others = [{**mf, "spec": {**mf["spec"], "reps": mf["spec"]["reps"] + 1}},
              {**mf, "spec": {**mf["spec"], "x": {**mf["spec"]["x"], "high": 0.5}}},
              {**mf, "spec": {**mf["spec"], "set": {"run.steps": 200}}}]
    for other in others:
        assert len(sweep_page.render_heatmap(r, "trap", ["meanfield"], other).data) == 1


def test_meanfield_status_says_a_scenarios_events_are_left_out():
    view, msg = views.choose_scenario(views.default_view(), "therapy_eft")
    assert msg == ""
    view, msg = views.set_sweep(view, points=3, reps=2)
    assert msg == ""
    result = compute.grid_sweep(compute.sweep_spec(view))
    mf, status = sweep_page.meanfield_job(result)
    assert mf["events"] is True and mf["spec"]["scenario"] == "therapy_eft"
    assert status.startswith("Mean field")
    assert status.endswith("The scenario's events are not part of the mean field.")


# --- 11. the server trusts nothing from the browser (issue 14) -------------------------------


@pytest.fixture
def outside_toml(tmp_path):
    """A valid scenario file outside the library, whose title must never come back."""
    path = tmp_path / "outside.toml"
    path.write_text(GOOD_TOML.replace('"Mine"', '"OUTSIDE-MARKER"'))
    return path


def test_library_entry_takes_names_only_and_lists_the_library(outside_toml):
    from dyadsim.scenario.library import library_entry

    assert library_entry("delayed_text").title == scenario.find("delayed_text").title
    for bad in (str(outside_toml), str(outside_toml.with_suffix("")), "/dev/zero",
                "../scenarios/delayed_text", "delayed_text.toml", "", None, ["delayed_text"]):
        with pytest.raises(scenario.ScenarioError) as err:
            library_entry(bad)
        text = str(err.value)
        assert "\n" not in text and "OUTSIDE-MARKER" not in text
        assert "not a library scenario" in text and "delayed_text" in text
        assert "no such file" not in text and "not valid TOML" not in text


@pytest.mark.parametrize("name", ["/dev/zero", "/etc/passwd", "../../x.toml", "outside"])
def test_a_view_with_a_path_as_its_scenario_is_refused_and_nothing_is_read(name, outside_toml):
    name = str(outside_toml) if name == "outside" else name
    bad = {**views.default_view(), "scenario": name}
    with pytest.raises(scenario.ScenarioError, match="not a library scenario"):
        views.resolve(bad)
    new, values, message = hub.update_view(bad, "seed", "7", {})
    assert new["scenario"] is None and new["seed"] == "7"
    assert message.startswith("The page's view was reset: scenario =")
    assert "OUTSIDE-MARKER" not in json.dumps(values) + message
    cursor = couple_page.advance(None, bad, None, 0)
    assert "not a library scenario" in cursor["error"]
    assert "not a library scenario" in couple_page.render_couple(None, bad)[2]


def test_compare_side_and_link_never_open_a_path(outside_toml):
    view = views.default_view()
    view["compare"]["a"] = str(outside_toml)
    with pytest.raises(scenario.ScenarioError, match="not a library scenario"):
        compute.side_scenario(view, "a")
    spec = {"compare": {**view["compare"], "reps": 10}}
    figure, status = compare_page.compare_job(None, spec)
    assert figure is dash.no_update and status.startswith("The compare cannot run: a = ")
    new, errors = urlcodec.from_query(f"?scenario={outside_toml}&a={outside_toml}")
    assert new["scenario"] is None and new["compare"]["a"] == "therapy_eft"
    assert len(errors) == 2 and "OUTSIDE-MARKER" not in " ".join(errors)


@pytest.mark.parametrize(("change", "needle"), [
    ({"points": 45}, "points = 45"), ({"reps": 201}, "reps = 201"),
    ({"points": 0}, "points = 0"), ({"points": 10**9}, "points = 1000000000"),
    ({"x": None}, "x = None"), ({"x": {"name": "run.seed", "low": 0, "high": 1}}, "run.seed"),
    ({"y": {"name": "partner_b.avoidance", "low": -5.0, "high": 1.0}}, "y low = -5"),
    ({"seed": "1" * 40}, "seed = '1111"), ({"seed": "/dev/zero"}, "seed = '/dev/zero'"),
    ({"set": {"run.steps": 10**12}}, "set.run.steps"),
    ({"upload": {"name": "big.toml", "text": "#" * 200_001}}, "at most 200000 bytes"),
])
def test_a_forged_sweep_spec_gets_one_line_and_runs_nothing(change, needle, monkeypatch):
    monkeypatch.setattr(compute, "grid_sweep", lambda *a, **k: pytest.fail("it ran"))
    spec = {**compute.sweep_spec(views.default_view()), **change}
    result, status = sweep_page.sweep_job(None, spec)
    assert result is dash.no_update and status.startswith("The sweep cannot run: ")
    assert needle in status and "\n" not in status


@pytest.mark.parametrize(("comp", "needle"), [
    ({"reps": 450}, "compare reps = 450"), ({"reps": 10**12}, "compare reps"),
    ({"b": "/etc/passwd"}, "b = '/etc/passwd'"), ({"a_without": "EFT"}, "a_without = 'EFT'"),
])
def test_a_forged_compare_spec_gets_one_line_and_runs_nothing(comp, needle, monkeypatch):
    monkeypatch.setattr(compute, "run_compare", lambda *a, **k: pytest.fail("it ran"))
    spec = {"compare": {**views.default_view()["compare"], **comp}}
    figure, status = compare_page.compare_job(None, spec)
    assert figure is dash.no_update and needle in status


def test_a_forged_sweep_result_is_a_message_not_a_key_error(sweep_result):
    broken = {**sweep_result, "tables": {k: v for k, v in sweep_result["tables"].items()
                                         if k != "trap"}}
    text = sweep_page.render_heatmap(broken, "trap").layout.annotations[0].text
    assert text.startswith("This sweep cannot be shown: sweep result table trap = None")
    assert sweep_page.meanfield_job({})[0] is None
    status = sweep_page.meanfield_job({"spec": None})[1]
    assert status.startswith("The mean-field map cannot be drawn: sweep spec = None")
    click = {"points": [{"x": 10**9, "y": 0.5}]}
    fig, buttons, cells = sweep_page.show_cell(click, sweep_result)
    assert buttons == [] and cells == []
    assert "click x = 1000000000" in fig.layout.annotations[0].text


@pytest.mark.parametrize("index", [4, -1, 10**9, "0", None])
def test_open_run_with_a_forged_index_or_cell_is_a_message(index):
    view = views.default_view()
    cells = [views.default_view()]
    trigger = {"type": sweep_page.ID.OPEN_RUN, "index": index}
    new, errors = hub.apply_trigger(view, trigger, 1, {"cell_views": cells})
    assert new == view and errors[0].startswith("sample run = ")
    forged = [{**views.default_view(), "scenario": "/etc/passwd"}]
    trigger["index"] = 0
    new, errors = hub.apply_trigger(view, trigger, 1, {"cell_views": forged})
    assert new == view and "scenario = '/etc/passwd'" in errors[0]


def test_an_upload_over_the_limit_is_refused_before_it_is_decoded_or_parsed(monkeypatch):
    monkeypatch.setattr(views, "loads", lambda *a: pytest.fail("it was parsed"))
    monkeypatch.setattr(base64, "b64decode", lambda *a, **k: pytest.fail("it was decoded"))
    big = "data:application/octet-stream;base64," + "A" * 5_000_000
    new, errors = couple_page.apply(views.default_view(), "upload", "upload", big,
                                    {"filename": "big.toml"})
    assert new == views.default_view() and "allowed: a file of at most 200000" in errors[0]
    new, msg = views.upload_scenario(views.default_view(), "big.toml", "#" * 200_001)
    assert "at most 200000 bytes" in msg and new == views.default_view()


def test_the_upload_control_refuses_big_files_in_the_browser_too():
    tree = couple_page.layout(views.default_view())
    upload = next(n for n in walk(tree) if isinstance(n, dcc.Upload))
    assert upload.max_size == couple_page.UPLOAD_LIMIT == views.UPLOAD_LIMIT == 200_000


@pytest.mark.parametrize("cursor", [{"key": 1, "i": 0}, {"i": "abc"}, {"i": 10**9},
                                    {"i": -3}, "cursor", [0], {"i": 2, "last": 10**12}])
def test_a_forged_cursor_or_speed_shows_the_run_whole(cursor):
    view = short_view(100)
    cursor = {"key": compute.couple_key(view), **cursor} if isinstance(cursor, dict) and (
        "key" not in cursor) else cursor
    assert couple_page.advance("step", view, cursor, 10**9)["i"] <= 100
    text = couple_page.render_couple(cursor, view)[3]
    assert text.startswith("Outcome after 100 days")


def test_messages_quote_long_values_cut_to_one_short_line():
    new, _, message = hub.update_view(views.default_view(), "seed", "9" * 1_000_000, {})
    assert new == views.default_view() and len(message) < 400 and "..." in message
    new, msg = views.set_sweep(views.default_view(), show="x" * 1_000_000)
    assert len(msg) < 400


def test_a_huge_link_or_one_with_many_keys_is_one_message():
    view, errors = urlcodec.from_query("?seed=" + "9" * 100_000)
    assert view == views.default_view() and errors == [
        f"the link has 100006 characters: too long; allowed: at most {urlcodec.MAX_QUERY}"]
    view, errors = urlcodec.from_query("?" + "&".join(f"k{i}=1" for i in range(500)))
    assert view == views.default_view() and len(errors) == 1 and "keys" in errors[0]
    many = "?" + "&".join(f"bad{i}=1" for i in range(40))
    message = hub.update_view(views.default_view(), "url", many, {})[2]
    assert message.count("unknown key") == hub.MESSAGES and "more not shown" in message


def test_a_mean_field_boundary_in_pieces_is_kept_and_a_broken_one_refused(meanfield_sweep):
    from dashboard import guard

    result = guard.check_sweep_result(meanfield_sweep)
    piece = {"x": [0.1, 0.2, None, 0.6, 0.7], "y": [0.5, 0.6, None, 0.2, 0.3], "name": "fold"}
    kept = guard.check_meanfield({"spec": result["spec"], "overlay": [piece]}, result)
    assert kept["overlay"][0]["x"] == piece["x"] and kept["overlay"][0]["y"] == piece["y"]
    for bad in ({**piece, "y": [0.5, 0.6, 0.4, 0.2, 0.3]},  # a break in x only
                {**piece, "x": [0.1, 0.2, None, 0.6, 7.0]}):  # out of the axis
        with pytest.raises(guard.Refused):
            guard.check_meanfield({"spec": result["spec"], "overlay": [bad]}, result)
