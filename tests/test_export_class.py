"""Exports for class: the titled figure with settings and phase portrait, the GIF, the HTML page.

Each is drawn on the server from the run it holds for a checked view; what the browser
sends beside the view (figures, frame counts, a cursor out of range) changes nothing.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import dash
import imageio.v3 as iio
import numpy as np
import pytest

# The real server and Debian's Chromium, as the browser tests run them (fixtures imported).
from test_dashboard_browser import browser, open_app, page, server  # noqa: F401

from dashboard import app as dash_app
from dashboard import classexport, compute, downloads, ids, widgets
from dashboard import view as views
from dyadsim import slides


def short_view(**settings: Any) -> dict[str, Any]:
    view = views.default_view()
    for key, value in {"run.steps": 90, **settings}.items():
        view, msg = views.set_param(view, key, value)
        assert msg == "", msg
    return view


def points(values: Any) -> int:
    """How many values a trace's ``x`` holds (a list, or plotly's typed-array encoding)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).size
    return len(values)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[dash.Dash]:
    built = dash_app.create_app(tmp_path_factory.mktemp("cache"))
    yield built
    widgets.hold_results_in(None)


def captured_figure(monkeypatch, button: str, view: dict[str, Any], cursor: Any = None):
    """The figure the export of ``button`` draws (kaleido replaced by a recorder)."""
    seen = []
    monkeypatch.setattr(downloads, "figure_bytes",
                        lambda fig, fmt: seen.append((fig, fmt)) or b"drawn")
    data, msg = downloads.export(button, view, cursor)
    assert msg == "" and base64.b64decode(data["content"]) == b"drawn"
    assert len(seen) == 1
    return seen[0][0].to_dict()


@pytest.mark.parametrize("button", [ids.Couple.EXPORT_PNG, ids.Couple.EXPORT_SVG])
def test_the_figure_has_a_title_the_settings_and_the_phase_portrait(monkeypatch, button):
    view = short_view(**{"partner_a.anxiety": 0.55, "dyad.noise": 0.2})
    fig = captured_figure(monkeypatch, button, view)
    layout = fig["layout"]
    assert layout["title"]["text"].startswith("The default couple, seed 4")
    notes = " ".join(a["text"] for a in layout["annotations"])
    assert "Settings:" in notes and "(Sam) 0.55" in notes and "noise 0.2" in notes
    assert "Seed 4, 90 days" in notes and "Phase portrait" in notes
    axes = {t.get("xaxis", "x") for t in fig["data"]}
    assert {"x", "x5", "x6"} <= axes  # the time series' rows and the phase portrait
    series_right = max(layout[k]["domain"][1] for k in layout
                       if re.fullmatch(r"xaxis[1-5]?", k))
    assert series_right < layout["xaxis6"]["domain"][0]  # side by side, not overlapping
    phase = [t for t in fig["data"] if t.get("xaxis") == "x6"]
    rows = len(compute.couple_run(compute.couple_key(view))["traj"])
    assert max(points(t["x"]) for t in phase) == rows  # the path of the whole run
    default = captured_figure(monkeypatch, button, views.default_view())
    text = " ".join(a["text"] for a in default["layout"]["annotations"])
    assert "Settings: registry defaults" in text and "Seed 4, 365 days" in text


def test_the_figure_is_drawn_at_the_cursor_and_ignores_a_forged_one(monkeypatch):
    view = short_view()
    key = compute.couple_key(view)
    fig = captured_figure(monkeypatch, ids.Couple.EXPORT_PNG, view, {"key": key, "i": 30})
    day = int(compute.couple_run(key)["traj"]["step"].iloc[30])
    assert f"day {day} of 90" in fig["layout"]["title"]["text"]
    phase = [t for t in fig["data"] if t.get("xaxis") == "x6" and t.get("name") == "path"]
    assert [points(t["x"]) for t in phase] == [31]  # the path so far (the region is fixed)
    for forged in ({"key": key, "i": 10**9}, {"key": "other", "i": 3}, {"key": key, "i": "3"}):
        fig = captured_figure(monkeypatch, ids.Couple.EXPORT_PNG, view, forged)
        assert "day" not in fig["layout"]["title"]["text"]  # the whole run: its outcome


def test_the_png_is_drawn_offline_at_the_export_size():
    view = short_view()
    data, msg = downloads.export(ids.Couple.EXPORT_PNG, view)
    assert msg == "" and data["filename"] == "couple-seed4.png"
    image = iio.imread(base64.b64decode(data["content"]))
    assert image.shape[:2] == (900, 1400)


def test_the_gif_has_the_stated_frames_and_size_and_moves():
    view = short_view()
    data, msg = downloads.export(ids.Couple.EXPORT_GIF, view)
    assert msg == "" and data["filename"] == "couple-seed4.gif"
    frames = iio.imread(base64.b64decode(data["content"]), index=None)
    assert frames.shape == (slides.FRAMES, slides.SIZE[1], slides.SIZE[0], 3)
    changed = [not np.array_equal(a, b) for a, b in itertools.pairwise(frames)]
    assert all(changed)
    run = compute.couple_run(compute.couple_key(view))
    footer = classexport.footer_lines(view)
    small = iio.imread(classexport.class_gif(run, footer, frames=7, size=(640, 360)),
                       index=None)
    assert small.shape == (7, 360, 640, 3)
    few = iio.imread(classexport.class_gif(compute.couple_run(compute.couple_key(
        short_view(**{"run.steps": 5}))), footer), index=None)
    assert few.shape[0] == 6  # a run shorter than the frame count: one frame a day


@pytest.mark.parametrize(("frames", "size"), [
    (0, (960, 540)), (121, (960, 540)), (True, (960, 540)), ("60", (960, 540)),
    (60, (100_000, 100_000)), (60, (960,)), (60, (960.5, 540)), (60, "960x540"),
])
def test_gif_bounds_are_checked_before_drawing(frames, size):
    run = compute.couple_run(compute.couple_key(short_view()))
    with pytest.raises(ValueError) as err:
        classexport.class_gif(run, ["Settings: x"], frames=frames, size=size)
    text = str(err.value)
    assert "\n" not in text and ("frames =" in text or "size =" in text) and "allowed" in text


def test_the_html_page_holds_plotly_inline_and_fetches_nothing():
    view = short_view(**{"partner_b.avoidance": 0.3})
    data, msg = downloads.export(ids.Couple.EXPORT_HTML, view)
    assert msg == "" and data["filename"] == "couple-seed4.html"
    text = data["content"]
    assert text.startswith("<!DOCTYPE html>") and len(text) > 3_000_000  # plotly.js inline
    assert "Plotly.newPlot" in text and "plotly.js v" in text
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text)
    assert tags and not [t for t in tags if re.search(r"\b(src|href)\s*=", t)]
    assert "<h1>The default couple, seed 4:" in text
    assert "(Alex) 0.3" in text and "Seed 4, 90 days" in text
    assert '"xaxis6"' in text  # the phase portrait beside the time series


def test_an_uploaded_title_is_text_in_the_html_page():
    text = ('title = "<script src=\'http://127.0.0.1:9/x.js\'></script>"\nsummary = "s"\n'
            'description = "d"\n[run]\nsteps = 20\n')
    view, msg = views.upload_scenario(views.default_view(), "evil.toml", text)
    assert msg == ""
    data, msg = downloads.export(ids.Couple.EXPORT_HTML, view)
    assert msg == ""
    assert "<script src=" not in data["content"]
    assert "&lt;script src=" in data["content"]


def post(app: dash.Dash, button: str, view: Any, extras: list[dict[str, Any]],
         cursor: Any = None) -> tuple[int, dict[str, Any] | str]:
    outputs = next(k for k in app.callback_map if k.startswith(f"..{ids.Shell.DOWNLOAD}.data"))
    inputs = [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
              for b in downloads.BUTTONS]
    state = [{"id": ids.Shell.VIEW, "property": "data", "value": view},
             {"id": ids.Couple.CURSOR, "property": "data", "value": cursor}]
    payload = {"output": outputs, "outputs": [{"id": ids.Shell.DOWNLOAD, "property": "data"},
                                              {"id": ids.Shell.MESSAGE, "property": "children"}],
               "inputs": inputs, "state": state + extras,
               "changedPropIds": [f"{button}.n_clicks"]}
    reply = app.server.test_client().post("/_dash-update-component", data=json.dumps(payload),
                                          content_type="application/json")
    body = reply.get_data(as_text=True)
    return reply.status_code, (json.loads(body)["response"] if reply.status_code == 200
                               else body)


@pytest.mark.parametrize("button", [ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_HTML])
def test_the_download_callback_refuses_forged_inputs(app, button):
    view = short_view()
    forged_figure = {"data": [{"type": "scatter", "x": [0], "y": [0]}],
                     "layout": {"title": {"text": "FORGED"}}}
    # a figure or a frame count from the browser is not an input of the callback: refused
    status, body = post(app, button, view, [{"id": ids.Couple.GRAPH, "property": "figure",
                                             "value": forged_figure}])
    assert status == 400 and isinstance(body, str) and body.count("\n") == 1
    # a forged view: one line, no file
    for bad in ({**view, "set": {"run.steps": 10**9}}, {**view, "scenario": "/etc/passwd"},
                {**view, "seed": "9" * 400}, "view"):
        status, reply = post(app, button, bad, [])
        assert status == 200 and isinstance(reply, dict)
        assert ids.Shell.DOWNLOAD not in reply
        message = reply[ids.Shell.MESSAGE]["children"]
        assert message.startswith("Nothing exported") and "\n" not in message
    # a forged cursor is ignored: the file is the held run's
    status, reply = post(app, button, view, [], {"key": "x", "i": 10**9})
    assert status == 200 and isinstance(reply, dict)
    content = reply[ids.Shell.DOWNLOAD]["data"]["content"]
    if button == ids.Couple.EXPORT_GIF:
        frames = iio.imread(io.BytesIO(base64.b64decode(content)), index=None)
        assert frames.shape[0] == slides.FRAMES
    else:
        assert "FORGED" not in content and "The default couple, seed 4" in content


def test_the_command_line_writes_the_gif_and_the_class_page(capsys, tmp_path):
    from dyadsim.cli import main

    path, html_path = tmp_path / "run.gif", tmp_path / "run.html"
    code = main(["run", "therapy_eft", "--steps", "200", "--set", "partner_a.anxiety=0.5",
                 "--gif", str(path), "--plot", str(html_path)])
    out, _ = capsys.readouterr()
    assert code == 0 and f"animation written to {path}" in out
    text = html_path.read_text()
    assert "<h1>Therapy: EFT three months in, seed " in text and "Phase portrait" in text
    assert "attachment anxiety (Sam) 0.5" in text and "200 days" in text
    assert not re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", text)
    frames = iio.imread(path, index=None)
    assert frames.shape == (slides.FRAMES, slides.SIZE[1], slides.SIZE[0], 3)
    assert not np.array_equal(frames[0], frames[-1])
    code = main(["run", "--steps", "20", "--gif", str(tmp_path / "run.png")])
    _, err = capsys.readouterr()
    assert code == 2 and "--gif" in err and err.count("\n") == 1
    assert not (tmp_path / "run.png").exists()


def test_the_couple_page_downloads_the_gif_and_the_offline_page(page, server, tmp_path):  # noqa: F811
    open_app(page, server, "?page=couple&run.steps=120")
    saved = {}
    for button in (ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_HTML):
        with page.expect_download() as info:
            page.click(f"#{button}")
        download = info.value
        saved[button] = tmp_path / download.suggested_filename
        download.save_as(saved[button])
    assert saved[ids.Couple.EXPORT_GIF].name == "couple-seed4.gif"
    frames = iio.imread(saved[ids.Couple.EXPORT_GIF], index=None)
    assert frames.shape == (slides.FRAMES, slides.SIZE[1], slides.SIZE[0], 3)
    text = saved[ids.Couple.EXPORT_HTML].read_text()
    assert "Plotly.newPlot" in text and "Seed 4, 120 days" in text
    # the offline page draws in a browser with every network request refused
    offline = page.context.browser.new_context()
    tab = offline.new_page()
    requests: list[str] = []

    def refuse(route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    tab.route("**/*", refuse)
    tab.goto(saved[ids.Couple.EXPORT_HTML].as_uri())
    tab.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    assert tab.locator(".js-plotly-plot .scatterlayer .trace").count() >= 11  # both panels
    assert tab.locator(".js-plotly-plot .annotation-text", has_text="Phase portrait").count()
    assert requests == []
    offline.close()


def test_the_gif_marks_events_from_the_start_and_tells_the_ending_only_at_the_end():
    view, msg = views.choose_scenario(views.default_view(), "therapy_eft")
    assert msg == ""
    view, msg = views.set_param(view, "run.steps", 120)
    assert msg == "" and compute.couple_run(compute.couple_key(view))["events"]
    run = compute.couple_run(compute.couple_key(view))
    args = (run["traj"], "EFT", ["Settings: x"], run["names"], 5, (640, 360))
    plain = iio.imread(slides.run_gif(*args), index=None)
    marked = iio.imread(slides.run_gif(*args, events=[(90, "EFT")]), index=None)
    ended = iio.imread(slides.run_gif(*args, ending="settled"), index=None)
    assert not np.array_equal(plain[0], marked[0])  # the event is marked before it happens
    assert all(np.array_equal(a, b) for a, b in zip(plain[:-1], ended[:-1], strict=True))
    assert not np.array_equal(plain[-1], ended[-1])
