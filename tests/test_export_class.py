"""Exports for class: the titled figure with settings and phase portrait, GIF, MP4, HTML page.

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
from test_dashboard_browser import open_app, page, server  # noqa: F401

from dashboard import app as dash_app
from dashboard import classexport, compute, downloads, ids, widgets
from dashboard import view as views
from dyadsim import slides

#: H.264 is lossy: a decoded MP4 frame may differ from the GIF's by at most this mean
#: absolute difference per pixel and channel (0-255; measured about 0.8 at 960 x 540).
MP4_TOLERANCE = 3.0


def mp4_frames(data: bytes) -> np.ndarray:
    """Every frame of an MP4, decoded by imageio's ffmpeg reader."""
    return iio.imread(io.BytesIO(data), index=None, extension=".mp4")


def mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two RGB frames."""
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


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


@pytest.mark.parametrize("button", [ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_MP4,
                                    ids.Couple.EXPORT_HTML])
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
    elif button == ids.Couple.EXPORT_MP4:
        frames = mp4_frames(base64.b64decode(content))
        assert frames.shape[0] == slides.FRAMES + slides.MP4_HOLD
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
    for button in (ids.Couple.EXPORT_GIF, ids.Couple.EXPORT_MP4, ids.Couple.EXPORT_HTML):
        with page.expect_download() as info:
            page.click(f"#{button}")
        download = info.value
        saved[button] = tmp_path / download.suggested_filename
        download.save_as(saved[button])
    assert saved[ids.Couple.EXPORT_GIF].name == "couple-seed4.gif"
    frames = iio.imread(saved[ids.Couple.EXPORT_GIF], index=None)
    assert frames.shape == (slides.FRAMES, slides.SIZE[1], slides.SIZE[0], 3)
    assert saved[ids.Couple.EXPORT_MP4].name == "couple-seed4.mp4"
    video = mp4_frames(saved[ids.Couple.EXPORT_MP4].read_bytes())
    assert video.shape == (slides.FRAMES + slides.MP4_HOLD, slides.SIZE[1], slides.SIZE[0], 3)
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


# --- The MP4: the GIF's frames as H.264 -------------------------------------------------------


def test_the_mp4_holds_the_gifs_frames_at_the_stated_rate_and_size():
    view = short_view()
    data, msg = downloads.export(ids.Couple.EXPORT_MP4, view)
    assert msg == "" and data["filename"] == "couple-seed4.mp4" and data["base64"]
    video = base64.b64decode(data["content"])
    assert video[4:8] == b"ftyp"
    frames = mp4_frames(video)
    gif_data, msg = downloads.export(ids.Couple.EXPORT_GIF, view)
    assert msg == ""
    gif = iio.imread(base64.b64decode(gif_data["content"]), index=None)
    assert gif.shape[0] == slides.FRAMES
    assert frames.shape == (slides.FRAMES + slides.MP4_HOLD, slides.SIZE[1], slides.SIZE[0], 3)
    meta = iio.immeta(io.BytesIO(video), extension=".mp4")
    assert meta["fps"] == slides.MP4_FPS and meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    assert meta["duration"] == pytest.approx(frames.shape[0] / slides.MP4_FPS, abs=0.01)
    assert mad(frames[0], gif[0]) < MP4_TOLERANCE
    for k in (1, slides.FRAMES // 2, slides.FRAMES - 1):  # the same frames in the same order
        assert mad(frames[k], gif[k]) < MP4_TOLERANCE
        assert mad(frames[k], gif[k]) < mad(frames[k], gif[k - 1])
    for held in frames[slides.FRAMES:]:  # the ending, held
        assert mad(held, gif[-1]) < MP4_TOLERANCE
    assert (frames.shape[0] - slides.FRAMES + 1) / meta["fps"] >= 2.0  # rests 2 s or more


def test_an_odd_size_is_padded_to_even_with_white():
    run = compute.couple_run(compute.couple_key(short_view()))
    args = (run["traj"], "odd", ["Settings: x"], run["names"], 7, (641, 361))
    gif = iio.imread(slides.run_gif(*args), index=None)
    frames = mp4_frames(slides.mp4_bytes(*args))
    assert slides.mp4_size((641, 361)) == (642, 362)
    assert gif.shape == (7, 361, 641, 3)
    assert frames.shape == (7 + slides.MP4_HOLD, 362, 642, 3)
    assert mad(frames[0, :361, :641], gif[0]) < MP4_TOLERANCE
    assert frames[0, :, -1].min() > 240 and frames[0, -1, :].min() > 240  # white padding


@pytest.mark.parametrize(("frames", "size"), [
    (0, (960, 540)), (121, (960, 540)), (True, (960, 540)), ("60", (960, 540)),
    (60, (100_000, 100_000)), (60, (960,)), (60, (960.5, 540)), (60, "960x540"),
])
def test_mp4_bounds_are_checked_before_drawing_or_encoding(monkeypatch, tmp_path, frames, size):
    import imageio_ffmpeg

    started = []
    monkeypatch.setattr(imageio_ffmpeg, "write_frames", lambda *a, **k: started.append(a))
    monkeypatch.setattr(slides, "_Canvas", lambda *a, **k: started.append(a))
    run = compute.couple_run(compute.couple_key(short_view()))
    target = tmp_path / "run.mp4"
    with pytest.raises(ValueError) as err:
        slides.run_mp4(target, run["traj"], "t", ["Settings: x"], frames=frames, size=size)
    text = str(err.value)
    assert "\n" not in text and ("frames =" in text or "size =" in text) and "allowed" in text
    with pytest.raises(ValueError):
        classexport.class_mp4(run, ["Settings: x"], frames=frames, size=size)
    assert started == [] and list(tmp_path.iterdir()) == []


def failing_writer(after: int, garbage: bool = False) -> Any:
    """A stand-in for ``imageio_ffmpeg.write_frames`` that writes part of a file, then fails.

    With ``garbage``, it fails silently instead (as ffmpeg does when it exits early: the
    real writer reports no exit status) and leaves bytes that are no MP4.
    """
    def write_frames(path: str, size: Any, **kwargs: Any) -> Any:
        with open(path, "wb") as out:
            out.write(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100)  # a start, no moov
        sent = 0
        while True:
            frame = yield
            if frame is None:
                continue
            sent += 1
            if sent > after and not garbage:
                raise OSError("[Errno 32] Broken pipe\n\nFFMPEG COMMAND:\nffmpeg ...")
    return write_frames


@pytest.mark.parametrize("garbage", [False, True])
def test_a_failed_encode_leaves_no_file_and_keeps_an_old_one(monkeypatch, tmp_path, garbage):
    import imageio_ffmpeg

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", failing_writer(3, garbage))
    run = compute.couple_run(compute.couple_key(short_view()))
    target = tmp_path / "run.mp4"
    with pytest.raises(slides.VideoError) as err:
        slides.run_mp4(target, run["traj"], "t", ["Settings: x"], frames=10, size=(640, 360))
    text = str(err.value)
    assert text.startswith("ffmpeg could not encode the MP4") and "\n" not in text
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary file
    target.write_bytes(b"an older video")
    with pytest.raises(slides.VideoError):
        slides.run_mp4(target, run["traj"], "t", ["Settings: x"], frames=10, size=(640, 360))
    assert list(tmp_path.iterdir()) == [target] and target.read_bytes() == b"an older video"
    # the dashboard says so in one line and offers no file
    data, msg = downloads.export(ids.Couple.EXPORT_MP4, short_view())
    assert data is dash.no_update
    assert msg.startswith("Nothing exported: ffmpeg could not encode") and "\n" not in msg


def test_the_command_line_writes_the_mp4_and_refuses_a_wrong_name(capsys, tmp_path):
    from dyadsim.cli import main

    path = tmp_path / "run.mp4"
    code = main(["run", "therapy_eft", "--steps", "200", "--mp4", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0 and f"video written to {path}" in out
    frames = mp4_frames(path.read_bytes())
    assert frames.shape == (slides.FRAMES + slides.MP4_HOLD, slides.SIZE[1], slides.SIZE[0], 3)
    assert mad(frames[0], frames[slides.FRAMES - 1]) > 1  # it moves
    assert [p.name for p in tmp_path.iterdir()] == ["run.mp4"]
    code = main(["run", "--steps", "20", "--mp4", str(tmp_path / "run.gif")])
    _, err = capsys.readouterr()
    assert code == 2 and "--mp4" in err and ".mp4" in err and err.count("\n") == 1
    assert not (tmp_path / "run.gif").exists()


def test_a_failed_encode_on_the_command_line_is_one_line_and_no_file(monkeypatch, capsys,
                                                                      tmp_path):
    import imageio_ffmpeg

    from dyadsim.cli import main

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", failing_writer(5))
    code = main(["run", "--steps", "30", "--mp4", str(tmp_path / "run.mp4")])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("dyadsim run: --mp4: ffmpeg could not encode the MP4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["not installed", "no binary", "a setting naming nothing"])
def test_no_ffmpeg_is_one_line_saying_what_to_install(monkeypatch, capsys, tmp_path, how):
    import imageio_ffmpeg

    from dyadsim.cli import main

    if how == "not installed":
        monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)
    elif how == "no binary":
        def missing() -> str:
            raise RuntimeError("No ffmpeg exe could be found.")
        monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    else:
        monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(slides.VideoError) as err:
        slides.ffmpeg_exe()
    assert str(err.value).startswith(slides.FFMPEG_HINT) and "\n" not in str(err.value)
    code = main(["run", "--steps", "20", "--mp4", str(tmp_path / "run.mp4")])
    _, text = capsys.readouterr()
    assert code == 2 and text.count("\n") == 1 and "pip install imageio-ffmpeg" in text
    assert not (tmp_path / "run.mp4").exists()
    data, msg = downloads.export(ids.Couple.EXPORT_MP4, short_view())
    assert data is dash.no_update and msg == f"Nothing exported: {err.value}"
