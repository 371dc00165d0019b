"""Class mode's rules and record: the game on the model's own step, SQLite, the API's refusals."""

from __future__ import annotations

import sqlite3
import time

import numpy as np
import pytest
from flask import Flask

from dashboard.classroom import game, register, routes, store
from dyadsim import batch, outcomes
from dyadsim.params import param_matrix
from dyadsim.registry import PARTNER_FIELDS


@pytest.fixture
def app(tmp_path):
    server = Flask("class-test")
    register(server, tmp_path / "class.db")
    return server


def start(app, weeks: int = 4) -> tuple[str, str]:
    r = app.test_client().post("/class/api/sessions", json={"weeks": weeks})
    assert r.status_code == 201
    return r.json["code"], r.json["teacher_token"]


def join(app, code: str, name: str):
    client = app.test_client()
    r = client.post(f"/class/api/{code}/join", json={"name": name})
    assert r.status_code == 201, r.json
    return client, r.json["token"]


def move(client, code: str, week, choice: str):
    return client.post(f"/class/api/{code}/move", json={"week": week, "move": choice})


# --- The game ---------------------------------------------------------------------------


def test_a_couple_left_to_the_model_is_the_batch_engines_run_of_that_seed():
    seed = game.couple_seed(2026, 7)
    result = batch.run_batch(param_matrix(), [seed], 12 * game.DAYS_PER_MOVE, record_every=1)
    x, _ = outcomes.series_matrix(result.trajectory(0))
    code, rows = game.run_alone(seed, [game.MODEL] * 12)
    assert len(rows) == x.shape[0]  # the same days (to the day it ended, if it did)
    assert np.allclose(np.asarray(rows), x, rtol=0, atol=1e-12)
    assert code == result.outcome_names()[0]


@pytest.mark.parametrize("move", [game.MODEL, "reassure"])
def test_the_debriefs_engine_runs_are_the_games_couples(move):
    seeds = [game.couple_seed(31, n) for n in range(1, 9)]
    expected = [game.run_alone(seed, [move] * 10)[0] for seed in seeds]
    assert game.engine_outcomes(seeds, 10, move) == expected


def test_moves_change_partner_b_and_nothing_else():
    cp = game.couple(game.couple_seed(1, 1))
    reassured = game.moved(cp.pb, "reassure")
    fields = list(PARTNER_FIELDS)
    assert reassured[fields.index("reassurance")] > cp.pb[fields.index("reassurance")]
    assert reassured[fields.index("lapse_rate")] == 0.0
    withdrawn = game.moved(cp.pb, "withdraw")
    assert withdrawn[fields.index("responsiveness")] == 0.0
    assert np.array_equal(game.moved(cp.pb, game.MODEL), cp.pb)
    # a week of reassurance leaves partner A calmer than a week of stonewalling
    a = game.play(cp, game.start(cp), "reassure", 28)[0]
    b = game.play(cp, game.start(cp), "withdraw", 28)[0]
    assert a.sa != b.sa and a.sb != b.sb


def test_each_student_has_their_own_couple_and_the_same_one_every_time():
    assert game.couple_seed(5, 1) == game.couple_seed(5, 1)
    assert len({game.couple_seed(5, n) for n in range(1, 51)}) == 50
    assert game.couple_seed(5, 1) != game.couple_seed(6, 1)


# --- Playing over HTTP (Flask's test client) --------------------------------------------


def test_a_double_submit_is_one_row_and_the_same_answer(app, tmp_path):
    code, _ = start(app)
    client, _ = join(app, code, "Ann")
    first, again = move(client, code, 1, "reassure"), move(client, code, 1, "reassure")
    assert first.status_code == again.status_code == 200
    assert first.json == again.json and first.json["week"] == 2
    changed = move(client, code, 1, "withdraw")
    assert changed.status_code == 409 and "already played" in changed.json["error"]
    with sqlite3.connect(tmp_path / "class.db") as db:
        assert db.execute("SELECT COUNT(*) FROM moves").fetchone()[0] == 1


def test_a_session_survives_reopening_the_database(tmp_path):
    first = Flask("before")
    register(first, tmp_path / "class.db")
    code, teacher = start(first)
    client, token = join(first, code, "Ben")
    assert move(client, code, 1, "reach_out").status_code == 200
    later = Flask("after")  # a restarted server: a new process, the same file
    register(later, tmp_path / "class.db")
    fresh = later.test_client()
    r = fresh.post(f"/class/api/{code}/move", json={"week": 2, "move": "give_space"},
                   headers={"X-Class-Token": token})
    assert r.status_code == 200 and r.json["played"] == ["reach_out", "give_space"]
    view = fresh.get(f"/class/api/{code}/class", headers={"X-Class-Token": teacher}).json
    assert view["moves"] == 2 and view["students"] == 1


@pytest.mark.parametrize(("path", "body", "status", "words"), [
    ("/class/api/ACDEF/join", {"name": "x"}, 404, "no such class"),
    ("/class/api/hi/join", {"name": "x"}, 400, "not a class code"),
    ("/class/api/{code}/join", {"name": ""}, 400, "name ''"),
    ("/class/api/{code}/join", {"name": "x" * 40}, 400, "1 to 24"),
    ("/class/api/{code}/move", {"week": 1, "move": "reassure"}, 403, "not joined"),
    ("/class/api/{code}/class", None, 403, "only the teacher"),
    ("/class/api/sessions", {"weeks": 999}, 400, "weeks = 999"),
])
def test_bad_requests_get_one_line(app, path, body, status, words):
    code, _ = start(app)
    client = app.test_client()
    url = path.format(code=code)
    r = client.get(url) if body is None else client.post(url, json=body)
    assert r.status_code == status
    assert words in r.json["error"] and "\n" not in r.json["error"]


@pytest.mark.parametrize(("week", "choice", "words"), [
    (1, "hug", "move 'hug': unknown"), (3, "reassure", "not yet"), ("1", "reassure", "week"),
    (True, "reassure", "week"), (5, "reassure", "not yet"),
])
def test_bad_moves_are_refused_and_nothing_is_stored(app, tmp_path, week, choice, words):
    code, _ = start(app, weeks=4)
    client, _ = join(app, code, "Cy")
    r = move(client, code, week, choice)
    assert r.status_code in (400, 409) and words in r.json["error"]
    with sqlite3.connect(tmp_path / "class.db") as db:
        assert db.execute("SELECT COUNT(*) FROM moves").fetchone()[0] == 0


def test_a_body_too_large_is_refused_before_it_is_read(app):
    code, _ = start(app)
    r = app.test_client().post(f"/class/api/{code}/join", data="x" * (routes.MAX_BODY + 1),
                               content_type="application/json")
    assert r.status_code == 413 and "at most 2048 bytes" in r.json["error"]


def test_the_game_ends_after_its_weeks(app):
    code, _ = start(app, weeks=2)
    client, _ = join(app, code, "Dee")
    for week in (1, 2):
        assert move(client, code, week, "reassure").status_code == 200
    r = move(client, code, 3, "reassure")
    assert r.status_code == 409 and "the game has 2 weeks" in r.json["error"]
    assert client.get(f"/class/api/{code}/me").json["over"] is True


def test_a_student_who_left_is_told_and_their_moves_stay(app):
    code, teacher = start(app)
    client, _ = join(app, code, "Eve")
    assert move(client, code, 1, "withdraw").status_code == 200
    assert client.post(f"/class/api/{code}/leave", json={}).status_code == 200
    r = move(client, code, 2, "withdraw")
    assert r.status_code == 410 and "has left" in r.json["error"]
    view = app.test_client().get(f"/class/api/{code}/class",
                                 headers={"X-Class-Token": teacher}).json
    assert view["moves"] == 1 and view["list"][0]["left"] is True


def test_a_closed_or_stale_class_takes_no_more_moves(app):
    code, teacher = start(app)
    client, _ = join(app, code, "Fay")
    teacher_client = app.test_client()
    assert teacher_client.post(f"/class/api/{code}/close",
                               headers={"X-Class-Token": teacher}).status_code == 200
    r = move(client, code, 1, "reassure")
    assert r.status_code == 410 and "has ended" in r.json["error"]
    other, _ = start(app)
    with app.extensions["dyadsim.classroom"].writing() as db:  # started 13 hours ago
        db.execute("UPDATE sessions SET created=? WHERE code=?",
                   (time.time() - (store.SESSION_HOURS + 1) * 3600, other))
    r = app.test_client().post(f"/class/api/{other}/join", json={"name": "Gus"})
    assert r.status_code == 410 and "hours old" in r.json["error"]


def test_a_full_class_refuses_one_more_and_a_taken_name(app, monkeypatch):
    monkeypatch.setattr(store, "MAX_STUDENTS", 3)
    code, _ = start(app)
    for name in ("a", "b", "c"):
        join(app, code, name)
    r = app.test_client().post(f"/class/api/{code}/join", json={"name": "d"})
    assert r.status_code == 409 and "is full: 3 students" in r.json["error"]
    other, _ = start(app)
    join(app, other, "Hal")
    r = app.test_client().post(f"/class/api/{other}/join", json={"name": "Hal"})
    assert r.status_code == 409 and "already taken" in r.json["error"]


def test_open_classes_are_bounded(app, monkeypatch):
    monkeypatch.setattr(store, "MAX_LIVE_SESSIONS", 2)
    start(app)
    code, teacher = start(app)
    r = app.test_client().post("/class/api/sessions", json={})
    assert r.status_code == 429 and "2 classes are open" in r.json["error"]
    app.test_client().post(f"/class/api/{code}/close", headers={"X-Class-Token": teacher})
    start(app)  # an ended class makes room


def test_the_teacher_sees_counts_strategies_and_a_debrief(app):
    code, teacher = start(app, weeks=6)
    plans = {"p1": "reassure", "p2": "withdraw", "p3": "reassure"}
    for name, choice in plans.items():
        client, _ = join(app, code, name)
        for week in range(1, 7):
            assert move(client, code, week, choice).status_code == 200
    join(app, code, "late")
    t = app.test_client()
    view = t.get(f"/class/api/{code}/class", headers={"X-Class-Token": teacher}).json
    assert view["students"] == 4 and view["moves"] == 18 and view["now"]["waiting"] == 1
    assert sum(view["now"][g] for g in ("trapped", "settled", "apart")) == 3
    assert sum(view["strategies"]["reassure"].values()) == 2
    assert sum(view["strategies"]["withdraw"].values()) == 1
    debrief = t.get(f"/class/api/{code}/debrief", headers={"X-Class-Token": teacher}).json
    assert all(sum(debrief[k].values()) == 3 for k in ("class", "antidote", "model"))
    # the students who reassured every week played exactly the antidote's couples
    listed = {s["name"]: s for s in view["list"]}
    for name in ("p1", "p3"):
        seed = game.couple_seed(_seed(app, code), listed[name]["number"])
        assert game.run_alone(seed, ["reassure"] * 6)[0] == listed[name]["outcome"]


def _seed(app, code: str) -> int:
    with app.extensions["dyadsim.classroom"].connect() as conn:
        return conn.execute("SELECT seed FROM sessions WHERE code=?", (code,)).fetchone()[0]


def test_the_pages_and_the_qr_code(app):
    code, teacher = start(app)
    client = app.test_client()
    assert client.get("/class/").status_code == 200
    page = client.get("/class/join?code=<b>x</b>").get_data(as_text=True)
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in page and "<b>x</b>" not in page
    svg = client.get(f"/class/qr/{code}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert client.get(f"/class/teach/{code}").status_code == 403
    shown = client.get(f"/class/teach/{code}", headers={"X-Class-Token": teacher})
    assert shown.status_code == 200 and code in shown.get_data(as_text=True)
    text = shown.get_data(as_text=True)
    assert "src='http" not in text and 'src="http' not in text  # nothing fetched from outside
