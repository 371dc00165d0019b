"""The server trusts nothing from the browser in its exports, and bounds what it reads.

A local TCP listener stands in for a service on the server's network: every export path
(couple PNG and SVG, the sweep's heatmap and table, the couple's CSV and TOML), driven
through the app's own callback endpoint with hostile figures, stores and views from the
"browser", must never make it receive a connection. Invalid or hostile input is one line,
never a traceback; an oversized request body or query string is a one-line 413 or 414;
every graph's modebar has no cloud share.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import dash
import plotly.graph_objects as go
import pytest
from dash import dcc

from dashboard import app as dash_app
from dashboard import compute, downloads, export, ids, urlcodec, widgets
from dashboard import view as views
from dashboard.pages.couple import UPLOAD_LIMIT

LISTEN_SECONDS = 120  # the listener stops by itself after this, whatever happens


class Listener:
    """A TCP listener on 127.0.0.1 in a thread that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        deadline = threading.Timer(LISTEN_SECONDS, self.stop.set)
        deadline.daemon = True
        deadline.start()
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.hits.append(conn.recv(1024) or b"<connected>")
                except OSError:
                    self.hits.append(b"<connected>")
        deadline.cancel()
        self.sock.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    ear = Listener()
    yield ear
    ear.close()


def hostile_figure(url: str) -> dict[str, Any]:
    """A figure that would make a browser drawing it fetch ``url`` in several ways."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], name=f"<a href='{url}/a'>x</a>"))
    image = {"source": f"{url}/image.png", "xref": "paper", "yref": "paper", "x": 0,
             "y": 1, "sizex": 1, "sizey": 1}
    fig.update_layout(images=[image], font={"family": f"url({url}/font.woff)"},
                      template={"layout": {"images": [{**image, "source": f"{url}/t.png"}]}},
                      title={"text": f"<img src='{url}/title.png'>"})
    return fig.to_dict()


def hostile_upload(url: str) -> str:
    """A valid scenario whose names and event label point at ``url``."""
    return (f'title = "<img src=\'{url}/t.png\'>"\nsummary = "s"\ndescription = "d"\n'
            f'[partner_a]\nname = "<img src=\'{url}/a.png\'>"\n'
            f'[partner_b]\nname = "<a href=\'{url}/b\'>B</a>"\n[run]\nsteps = 60\n'
            f'[[events]]\nkind = "ambiguity"\nstep = 10\nduration = 5\nlevel = 0.9\n'
            f'label = "<img src=\'{url}/e.png\'>"\n')


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[dash.Dash]:
    built = dash_app.create_app(tmp_path_factory.mktemp("cache"))
    yield built
    widgets.hold_results_in(None)


@pytest.fixture(scope="module")
def sweep_view() -> dict[str, Any]:
    view, msg = views.set_param(views.default_view(), "run.steps", 60)
    assert msg == ""
    view, msg = views.set_sweep(view, points=2, reps=1)
    assert msg == ""
    return view


def export_payload(app: dash.Dash, button: str, view: Any,
                   extra_states: list[dict[str, Any]] | None = None, cursor: Any = None
                   ) -> dict[str, Any]:
    """The JSON a browser posts when export ``button`` is clicked (with forged extras)."""
    outputs = next(k for k in app.callback_map if k.startswith(f"..{ids.Shell.DOWNLOAD}.data"))
    inputs = [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
              for b in downloads.BUTTONS]
    state = [{"id": ids.Shell.VIEW, "property": "data", "value": view},
             {"id": ids.Couple.CURSOR, "property": "data", "value": cursor}]
    return {"output": outputs, "outputs": [{"id": ids.Shell.DOWNLOAD, "property": "data"},
                                           {"id": ids.Shell.MESSAGE, "property": "children"}],
            "inputs": inputs, "state": state + (extra_states or []),
            "changedPropIds": [f"{button}.n_clicks"]}


def post_export(client: Any, payload: dict[str, Any]) -> tuple[int, str]:
    reply = client.post("/_dash-update-component", data=json.dumps(payload),
                        content_type="application/json")
    return reply.status_code, reply.get_data(as_text=True)


def test_export_paths_fetch_nothing_even_with_hostile_browser_data(app, listener, sweep_view):
    result = compute.grid_sweep(compute.sweep_spec(sweep_view))
    widgets.hold_result("sweep", result["spec"], result)  # as the sweep's job does
    hostile = hostile_figure(listener.url)
    forged_result = {**result, "x": {"name": "partner_a.anxiety",
                                     "values": [f"<img src='{listener.url}/x.png'>"]}}
    extras = [{"id": ids.Couple.GRAPH, "property": "figure", "value": hostile},
              {"id": ids.Sweep.HEATMAP, "property": "figure", "value": hostile},
              {"id": ids.Sweep.RESULT, "property": "data", "value": forged_result}]
    upload_view, msg = views.upload_scenario(views.default_view(), "evil.toml",
                                             hostile_upload(listener.url))
    assert msg == ""
    client = app.server.test_client()
    # the figures and the result as the old callback took them: refused whole, one line
    status, body = post_export(client, export_payload(app, ids.Couple.EXPORT_PNG, sweep_view,
                                                      extras))
    assert status == 400 and body.count("\n") == 1 and "Traceback" not in body
    kinds = {}
    cursor = {"key": hostile, "i": hostile}
    for view in (sweep_view, upload_view):
        for button in downloads.BUTTONS:
            if view is upload_view and button.startswith("sweep"):
                continue
            status, body = post_export(client, export_payload(app, button, view, [], cursor))
            assert status == 200, body[:300]
            reply = json.loads(body)["response"]
            data = reply[ids.Shell.DOWNLOAD]["data"]
            assert reply[ids.Shell.MESSAGE]["children"] == "", (button, reply)
            kinds[(button, view is upload_view)] = data["filename"]
            if data.get("base64") and button != ids.Couple.EXPORT_SVG:
                assert listener.url.encode() not in base64.b64decode(data["content"])
    couple = [b for b in downloads.BUTTONS if not b.startswith("sweep")]
    assert len(kinds) == len(downloads.BUTTONS) + len(couple)
    assert listener.hits == []


def test_to_image_drops_every_source_that_is_not_a_data_uri(listener):
    png = export.to_image(hostile_figure(listener.url), "png")
    assert png.startswith(b"\x89PNG")
    assert listener.hits == []
    cleaned = export.offline_figure(hostile_figure(listener.url))
    assert listener.url not in json.dumps(cleaned.get("layout", {}).get("images", []))
    assert "source" not in json.dumps(cleaned["layout"]["template"]["layout"]["images"])
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
    kept = export.offline_figure({"layout": {"images": [{"source": pixel}]}})
    assert kept["layout"]["images"] == [{"source": pixel}]


def test_an_unguarded_kaleido_does_fetch_so_the_listener_can_tell(listener, monkeypatch):
    """The listener hears a fetch when the guard is off: the tests above can fail."""
    monkeypatch.setattr(export, "_drop_sources", lambda node: node)
    export.to_image(hostile_figure(listener.url), "png")
    listener.close()
    assert listener.hits and listener.hits[0].startswith(b"GET /")


@pytest.mark.parametrize("figure", [
    {"layout": {"nonsense": 1}},
    {"data": [{"type": "scattergeo", "lon": [0], "lat": [0]}]},
    {"data": "not a list"},
    "a string",
    {"data": [{"type": "scatter", "x": {"$ne": 1}}]},
])
def test_an_invalid_or_hostile_figure_is_one_line(figure):
    with pytest.raises(ValueError) as err:
        export.to_image(figure, "png")
    assert "\n" not in str(err.value) and "figure" in str(err.value)


@pytest.mark.parametrize("view", [
    None, "view", [1, 2], {"scenario": "/dev/zero"}, {"scenario": "/root/.bashrc"},
    {"scenario": "../scenarios/therapy_eft"}, {"scenario": "x" * 100_000},
    {"upload": {"name": "big.toml", "text": "a" * (UPLOAD_LIMIT + 1)}},
    {"upload": "not a file"}, {"upload": {"text": None}},
    {"set": {"/etc/passwd": 1}}, {"set": {"partner_a.anxiety": "__import__('os')"}},
    {"set": {"partner_a.anxiety": 1e308}}, {"set": []}, {"seed": "-1"}, {"seed": "9" * 400},
    {"x": None}, {"x": {"name": "run.steps"}}, {"points": 45}, {"reps": 201},
    {"points": None}, {"show": "trap'; drop"}, {"set": {"run.steps": 10**9}},
])
@pytest.mark.parametrize("button", downloads.BUTTONS)
def test_a_hostile_view_gives_one_line_not_an_exception(view, button):
    current = view if not isinstance(view, dict) else {**views.default_view(), **view}
    data, msg = downloads.export(button, current)
    assert data is dash.no_update
    assert msg and "\n" not in msg and len(msg) < 2000 and "Traceback" not in msg


def test_a_cursor_from_the_browser_is_checked(sweep_view):
    key = compute.couple_key(sweep_view)
    run = compute.couple_run(key)
    last = len(run["traj"]) - 1
    for cursor in (None, {"key": key, "i": 10**9}, {"key": key, "i": -5},
                   {"key": "other", "i": 3}, {"key": key, "i": "3"}, [1]):
        assert downloads._frame(run, key, cursor) == last
    assert downloads._frame(run, key, {"key": key, "i": 3}) == 3


def test_a_too_large_request_body_is_413_and_one_line(app):
    client = app.server.test_client()
    body = b'{"output": "' + b"a" * (dash_app.MAX_REQUEST_BYTES + 1) + b'"}'
    reply = client.post("/_dash-update-component", data=body,
                        content_type="application/json")
    text = reply.get_data(as_text=True)
    assert reply.status_code == 413
    assert text.count("\n") == 1 and str(dash_app.MAX_REQUEST_BYTES) in text
    assert "Traceback" not in text and "<html" not in text.lower()


def test_the_largest_legitimate_request_fits(app):
    """A body as large as the largest the page sends is read, not refused.

    The largest is the upload callback's: the largest file the page allows (base64) with
    the view and a sweep cell's four sample views, each holding the file's text. The same
    bytes ride here in the export's cursor (which the server checks and ignores).
    """
    text = 'title = "Big"\nsummary = "s"\ndescription = "d"\n[run]\nsteps = 20\n'
    text += "# " + "x" * (UPLOAD_LIMIT - len(text) - 4) + "\n"
    view, msg = views.upload_scenario(views.default_view(), "big.toml", text)
    assert msg == "" and len(text.encode()) <= UPLOAD_LIMIT
    contents = "data:;base64," + base64.b64encode(text.encode()).decode()
    payload = export_payload(app, ids.Couple.EXPORT_TOML, view,
                             cursor={"views": [view] * 4, "contents": contents})
    size = len(json.dumps(payload))
    assert 5 * UPLOAD_LIMIT < size < dash_app.MAX_REQUEST_BYTES
    status, body = post_export(app.server.test_client(), payload)
    assert status == 200 and json.loads(body)["response"][ids.Shell.DOWNLOAD]["data"]


def test_an_over_long_query_string_is_one_line(app):
    client = app.server.test_client()
    reply = client.get("/?page=couple&seed=" + "1" * 100_000)
    text = reply.get_data(as_text=True)
    assert reply.status_code == 414 and text.count("\n") == 1 and "URL query" in text
    assert client.get("/?page=sweep&seed=7").status_code == 200
    view, errors = urlcodec.from_query("?seed=" + "1" * 100_000)
    assert view == views.default_view() and len(errors) == 1 and "too long" in errors[0]


def _graphs(node: Any) -> Iterator[dcc.Graph]:
    if isinstance(node, dcc.Graph):
        yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _graphs(child)


def test_every_graph_has_no_cloud_share():
    graphs = list(_graphs(dash_app.layout()))
    assert len(graphs) >= 5  # couple, phase, heatmap, cell, compare
    for graph in graphs:
        config = graph.config
        assert config == widgets.GRAPH_CONFIG, graph.id
        assert config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
        assert {"sendDataToCloud", "editInChartStudio"} <= set(config["modeBarButtonsToRemove"])


def test_the_sweep_job_leaves_what_the_heatmap_export_draws(tmp_path, sweep_view,
                                                           monkeypatch):
    import diskcache

    from dashboard.pages import sweep as sweep_page

    with diskcache.Cache(str(tmp_path / "held")) as cache:
        monkeypatch.setitem(widgets._HELD, "cache", cache)  # restored after the test
        data, msg = downloads.export(ids.Sweep.EXPORT_PNG, sweep_view)
        assert data is dash.no_update and "run the sweep" in msg
        _, status = sweep_page.sweep_job(None, compute.sweep_spec(sweep_view))
        assert status.startswith("Done")
        data, msg = downloads.export(ids.Sweep.EXPORT_PNG, sweep_view)
        assert msg == "" and base64.b64decode(data["content"]).startswith(b"\x89PNG")
        other, _ = views.set_sweep(sweep_view, reps=3)  # another sweep: not held
        data, msg = downloads.export(ids.Sweep.EXPORT_CSV, other)
        assert data is dash.no_update and "run the sweep" in msg
