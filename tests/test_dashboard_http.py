"""Forged callback requests at the HTTP layer: one line and a 400, never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from dashboard import app as dash_app
from dashboard import downloads, ids
from dashboard import view as views


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return dash_app.create_app(tmp_path_factory.mktemp("cache"))


def valid_request(app: Any) -> dict[str, Any]:
    """The export callback's request as the page sends it, with no button clicked yet."""
    output = next(k for k in app.callback_map if k.startswith(f"..{ids.Shell.DOWNLOAD}.data"))
    inputs = [{"id": b, "property": "n_clicks", "value": None} for b in downloads.BUTTONS]
    state = [{"id": ids.Shell.VIEW, "property": "data", "value": views.default_view()},
             {"id": ids.Couple.CURSOR, "property": "data", "value": None}]
    return {"output": output, "outputs": [{"id": ids.Shell.DOWNLOAD, "property": "data"},
                                          {"id": ids.Shell.MESSAGE, "property": "children"}],
            "inputs": inputs, "state": state, "changedPropIds": []}


def forged(app: Any) -> dict[str, Any]:
    good = valid_request(app)
    return {
        "a list for a body": [good],
        "a string for a body": "output",
        "no output": {k: v for k, v in good.items() if k != "output"},
        "an unknown output": {**good, "output": "..no-such.children.."},
        "a dict for the output": {**good, "output": {"id": "x"}},
        "inputs not a list": {**good, "inputs": "n_clicks"},
        "inputs of numbers": {**good, "inputs": [1, 2, 3]},
        "state not a list": {**good, "state": {"id": ids.Shell.VIEW}},
        "changed ids not names": {**good, "changedPropIds": [{"id": 1}]},
    }


def post(app: Any, body: Any) -> Any:
    return app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                         content_type="application/json")


def test_a_valid_request_still_reaches_its_callback(app):
    reply = post(app, valid_request(app))
    assert reply.status_code in (200, 204), reply.get_data(as_text=True)[:300]


@pytest.mark.parametrize("name", list(forged(dash_app.create_app())))
def test_a_forged_envelope_gets_one_line_and_400(app, name, caplog):
    with caplog.at_level(logging.DEBUG):
        reply = post(app, forged(app)[name])
    text = reply.get_data(as_text=True)
    assert reply.status_code == 400, (name, reply.status_code, text[:300])
    assert text.startswith("callback request: ") and text.count("\n") == 1, text
    assert "Traceback" not in caplog.text and not any(
        r.levelno >= logging.ERROR for r in caplog.records), caplog.text


def test_envelope_check_names_what_is_wrong():
    problem = dash_app.envelope_problem({"output": "..x.y.."}, {})
    assert problem is not None and "'..x.y..'" in problem
    assert dash_app.envelope_problem(None, {}).startswith("the body is not a JSON object")
