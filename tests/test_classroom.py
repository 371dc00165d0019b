"""Class mode's rules and record: the game on the model's own step, SQLite, the API's refusals."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from flask import Flask

from dashboard.classroom import address, game, pairs, register, routes, service, store
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


# --- In pairs: two classmates, one couple ------------------------------------------------


def pair_class(app, names=("Ann", "Bo"), weeks: int = 4):
    """A class in pairs with students joined in order; their clients by name."""
    r = app.test_client().post("/class/api/sessions", json={"weeks": weeks, "mode": "pairs"})
    assert r.status_code == 201
    code, teacher = r.json["code"], r.json["teacher_token"]
    return code, teacher, {name: join(app, code, name)[0] for name in names}


def me(client, code: str) -> dict:
    r = client.get(f"/class/api/{code}/me")
    assert r.status_code == 200, r.json
    return r.json


def db_count(tmp_path, sql: str) -> int:
    with sqlite3.connect(tmp_path / "class.db") as db:
        return db.execute(sql).fetchone()[0]


def age_submits(app, seconds: float) -> None:
    """Every stored move came ``seconds`` earlier (a partner who has not moved since)."""
    with app.extensions["dyadsim.classroom"].writing() as db:
        db.execute("UPDATE submits SET at = at - ?", (seconds,))


def test_students_are_paired_in_join_order(app):
    assert [pairs.couple_of(n) for n in range(1, 7)] == [1, 1, 2, 2, 3, 3]
    assert [pairs.side_of(n) for n in range(1, 5)] == ["a", "b", "a", "b"]
    code, _, c = pair_class(app, ("Ann", "Bo", "Cy"))
    ann, bo, cy = (me(c[n], code) for n in ("Ann", "Bo", "Cy"))
    assert (ann["side"], ann["couple"], ann["partner_name"]) == ("A", 1, "Bo")
    assert (bo["side"], bo["couple"], bo["partner_name"]) == ("B", 1, "Ann")
    assert (cy["side"], cy["couple"], cy["partner_name"]) == ("A", 2, None)
    assert [m["name"] for m in ann["moves"]] == list(game.MOVES_A)
    assert [m["name"] for m in bo["moves"]] == list(game.MOVES)


def test_partner_as_moves_change_partner_a_as_their_presets_say():
    cp = game.couple(game.couple_seed(3, 1))
    f = list(PARTNER_FIELDS).index
    calm, press = game.moved(cp.pa, "reach_out_calmly", "a"), game.moved(cp.pa, "press", "a")
    space = game.moved(cp.pa, "give_space", "a")
    assert calm[f("protest_intensity")] < cp.pa[f("protest_intensity")]
    assert calm[f("self_soothing")] > cp.pa[f("self_soothing")]
    assert press[f("pursuit_gain")] > cp.pa[f("pursuit_gain")]
    assert press[f("protest_persistence")] > cp.pa[f("protest_persistence")]
    assert space[f("pursuit_gain")] < cp.pa[f("pursuit_gain")]
    assert game.moved(cp.pa, "withdraw", "a")[f("responsiveness")] == 0.0
    # pressing keeps Sam chasing harder than giving space, over the same four weeks
    pressed = game.play(cp, game.start(cp), game.MODEL, 28, move_a="press")[0]
    spaced = game.play(cp, game.start(cp), game.MODEL, 28, move_a="give_space")[0]
    assert pressed.sa != spaced.sa


def test_a_week_runs_only_when_both_partners_have_moved(app, tmp_path):
    code, _, c = pair_class(app)
    first = move(c["Ann"], code, 1, "press")
    assert first.status_code == 200
    assert first.json["waiting"] is True and first.json["waiting_for"] == "Bo"
    assert first.json["week"] == 1 and first.json["played"] == []
    assert db_count(tmp_path, "SELECT COUNT(*) FROM couple_weeks") == 0
    assert move(c["Ann"], code, 2, "press").status_code == 409  # not before the partner
    second = move(c["Bo"], code, 1, "reassure")
    assert second.status_code == 200 and second.json["week"] == 2
    assert second.json["played"] == ["reassure"] and second.json["waiting"] is False
    ann = me(c["Ann"], code)
    assert ann["week"] == 2 and ann["played"] == ["press"] and ann["waiting"] is False
    assert db_count(tmp_path, "SELECT COUNT(*) FROM couple_weeks") == 1
    assert db_count(tmp_path, "SELECT COUNT(*) FROM submits") == 2


def test_a_pairs_run_is_reproducible_from_the_seed_couple_and_moves(app):
    code, teacher, c = pair_class(app, ("a1", "b1", "a2", "b2"), weeks=5)
    plans = {"a1": ["press", "press", "give_space", "reach_out_calmly", "withdraw"],
             "b1": ["withdraw", "reassure", "reassure", "give_space", "reach_out"],
             "a2": ["reach_out_calmly"] * 5, "b2": ["reassure"] * 5}
    for week in range(1, 6):
        for name, plan in plans.items():
            assert move(c[name], code, week, plan[week - 1]).status_code == 200
    with app.extensions["dyadsim.classroom"].connect() as db:
        stored = db.execute("SELECT couple, rows FROM couple_weeks ORDER BY couple, week")
        rows = {1: [], 2: []}
        for r in stored:
            rows[r["couple"]] += json.loads(r["rows"])
    view = app.test_client().get(f"/class/api/{code}/class",
                                 headers={"X-Class-Token": teacher}).json
    seed = _seed(app, code)
    for couple, (a, b) in {1: ("a1", "b1"), 2: ("a2", "b2")}.items():
        outcome, expected = game.run_pair(game.couple_seed(seed, couple), plans[a], plans[b])
        assert rows[couple][: len(expected)] == expected  # to the day it ended, if it did
        assert view["list"][couple - 1]["outcome"] == outcome
    # the model on both sides is the model's own couple
    s = game.couple_seed(seed, 1)
    assert game.run_pair(s, [game.MODEL] * 3, [game.MODEL] * 3) == game.run_alone(
        s, [game.MODEL] * 3)


def test_the_model_plays_a_partner_who_has_not_moved_in_time(app, monkeypatch):
    decide = pairs.decide
    assert decide({"a": ("press", 100.0)}, {"a": "here", "b": "here"}, False, 159.0) is None
    assert decide({"a": ("press", 100.0)}, {"a": "here", "b": "here"}, False,
                  100.0 + pairs.PARTNER_TIMEOUT_S) == {"a": ("press", ""),
                                                       "b": (game.MODEL, "late")}
    assert decide({}, {"a": "here", "b": "here"}, False, 1e9) is None
    code, _, c = pair_class(app)
    assert move(c["Ann"], code, 1, "press").status_code == 200
    assert me(c["Ann"], code)["waiting"] is True  # a poll inside the wait changes nothing
    age_submits(app, pairs.PARTNER_TIMEOUT_S + 1)
    ann = me(c["Ann"], code)  # the waiting student's poll runs the week
    assert ann["week"] == 2 and ann["waiting"] is False
    assert ann["notes"] == ["Week 1: Bo had not moved within 60 s, so the model played "
                            "their part."]
    bo = me(c["Bo"], code)
    assert bo["played"] == [game.MODEL]
    assert bo["notes"] == ["Week 1: you had not moved within 60 s, so the model played "
                           "your part."]
    late = move(c["Bo"], code, 1, "reassure")
    assert late.status_code == 409 and "the model played your part" in late.json["error"]
    assert "now week 2" in late.json["error"]
    assert move(c["Bo"], code, 2, "reassure").json["waiting_for"] == "Ann"


def test_a_partner_who_leaves_is_played_by_the_model_and_their_moves_stay(app, tmp_path):
    code, teacher, c = pair_class(app)
    for name, choice in (("Ann", "give_space"), ("Bo", "withdraw")):
        assert move(c[name], code, 1, choice).status_code == 200
    assert move(c["Ann"], code, 2, "reach_out_calmly").json["waiting"] is True
    assert c["Bo"].post(f"/class/api/{code}/leave", json={}).status_code == 200
    ann = me(c["Ann"], code)  # no waiting for someone who left
    assert ann["week"] == 3 and ann["partner_name"] is None
    assert ann["notes"] == ["Week 2: Bo had left the class, so the model played their part."]
    third = move(c["Ann"], code, 3, "press")
    assert third.json["week"] == 4 and third.json["waiting"] is False
    assert db_count(tmp_path, "SELECT COUNT(*) FROM submits") == 4
    view = app.test_client().get(f"/class/api/{code}/class",
                                 headers={"X-Class-Token": teacher}).json
    assert view["list"][0]["played_b"] == ["withdraw", game.MODEL, game.MODEL]
    assert view["list"][0]["b"] == {"name": "Bo", "left": True}


def test_an_odd_student_out_plays_the_model_until_a_classmate_joins(app):
    code, _, c = pair_class(app, ("Ann", "Bo", "Cy"))
    first = move(c["Cy"], code, 1, "press")
    assert first.json["waiting_for"] == "a classmate to join"
    age_submits(app, pairs.PARTNER_TIMEOUT_S + 1)
    assert me(c["Cy"], code)["week"] == 2
    assert move(c["Cy"], code, 2, "press").json["week"] == 3  # no more waiting: the model
    dee, _ = join(app, code, "Dee")
    cy, d = me(c["Cy"], code), me(dee, code)
    assert cy["partner_name"] == "Dee" and d["side"] == "B" and d["week"] == 3
    assert d["notes"][0] == "Week 1: you had not joined yet, so the model played your part."
    assert move(c["Cy"], code, 3, "press").json["waiting_for"] == "Dee"


def test_a_double_submit_in_pairs_gets_a_clear_answer_and_is_stored_once(app, tmp_path):
    code, _, c = pair_class(app)
    first, again = move(c["Ann"], code, 1, "press"), move(c["Ann"], code, 1, "press")
    assert first.status_code == again.status_code == 200
    assert again.json["message"] == "week 1: your move Press for an answer is already in"
    changed = move(c["Ann"], code, 1, "give_space")
    assert changed.status_code == 409 and "you already chose press" in changed.json["error"]
    wrong_side = move(c["Bo"], code, 1, "press")
    assert wrong_side.status_code == 400 and "unknown for partner B" in wrong_side.json["error"]
    assert move(c["Bo"], code, 1, "reassure").status_code == 200
    done = move(c["Bo"], code, 1, "reassure")
    assert done.status_code == 200 and "already played" in done.json["message"]
    assert move(c["Bo"], code, 1, "withdraw").status_code == 409
    assert db_count(tmp_path, "SELECT COUNT(*) FROM submits") == 2


def test_simultaneous_submits_on_two_connections_run_each_week_once(tmp_path, monkeypatch):
    weeks, couples = 3, 6
    first = store.Store(tmp_path / "class.db")
    code, _ = first.new_session(77, weeks, "pairs")
    tokens = [first.join(code, f"s{i}")[1] for i in range(2 * couples)]
    runs: list[tuple[int, int]] = []
    real_play = game.play

    def slow_play(cp, now, *args, **kwargs):  # widen the window two requests could share
        runs.append((cp.key, now.day))
        time.sleep(0.01)
        return real_play(cp, now, *args, **kwargs)

    monkeypatch.setattr(game, "play", slow_play)
    workers = [store.Store(tmp_path / "class.db") for _ in range(2)]  # two "workers"
    for week in range(1, weeks + 1):
        for k in range(couples):
            gate = threading.Barrier(2)

            def go(side: int, k=k, week=week, gate=gate):
                gate.wait()
                choice = ("press", "reassure")[side]
                return service.move(workers[side], code, tokens[2 * k + side], week, choice)

            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(go, (0, 1)))
            assert sum(not a["waiting"] for a in answers) >= 1
            assert all(a["week"] in (week, week + 1) for a in answers)
    assert len(runs) == len(set(runs)) == weeks * couples  # every couple-week ran once
    with first.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM couple_weeks").fetchone()[0] == weeks * couples
        assert db.execute("SELECT COUNT(*) FROM submits").fetchone()[0] == 2 * weeks * couples


def test_the_teacher_sees_couples_and_both_sides_strategies_in_pairs(app):
    code, teacher, c = pair_class(app, ("a1", "b1", "a2", "b2", "a3"), weeks=3)
    for week in range(1, 4):
        for name, choice in (("a1", "press"), ("b1", "withdraw"), ("a2", "give_space"),
                             ("b2", "reassure")):
            assert move(c[name], code, week, choice).status_code == 200
    t = app.test_client()
    view = t.get(f"/class/api/{code}/class", headers={"X-Class-Token": teacher}).json
    assert view["mode"] == "pairs" and view["students"] == 5 and view["couples"] == 3
    assert view["moves"] == 12 and view["weeks_played"] == 6
    assert sum(view["now"][g] for g in ("trapped", "settled", "apart")) == 2
    assert view["now"]["waiting"] == 1
    assert sum(view["strategies"]["a:press"].values()) == 1
    assert sum(view["strategies"]["b:reassure"].values()) == 1
    assert view["labels"]["a:press"] == "A (Sam): Press for an answer"
    assert [x["strategy_a"] for x in view["list"]] == ["press", "give_space", None]
    assert view["list"][2]["b"] is None
    debrief = t.get(f"/class/api/{code}/debrief", headers={"X-Class-Token": teacher}).json
    assert all(sum(debrief[k].values()) == 2 for k in ("class", "antidote", "model"))
    page = t.get(f"/class/teach/{code}", headers={"X-Class-Token": teacher})
    assert 'id="couples"' in page.get_data(as_text=True)


def test_a_mode_other_than_model_or_pairs_is_refused(app):
    r = app.test_client().post("/class/api/sessions", json={"mode": "trio"})
    assert r.status_code == 400 and "mode = 'trio'" in r.json["error"]
    assert "model, pairs" in r.json["error"]


def test_a_database_from_before_pairs_gets_the_mode_column(tmp_path):
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
                   "teacher TEXT NOT NULL, seed INTEGER NOT NULL, weeks INTEGER NOT NULL, "
                   "created REAL NOT NULL, closed INTEGER NOT NULL DEFAULT 0)")
        db.execute("INSERT INTO sessions VALUES (1, 'ACDEF', 'x', 1, 4, ?, 0)", (time.time(),))
    old = store.Store(tmp_path / "old.db")
    assert old.session("ACDEF")["mode"] == "model"


# --- The join address -------------------------------------------------------------------


def test_the_public_url_is_used_for_the_join_link_and_qr(tmp_path, monkeypatch):
    monkeypatch.setenv(address.ENV, "https://class.example.org/")
    server = Flask("public")
    register(server, tmp_path / "class.db")
    r = server.test_client().post("/class/api/sessions", json={})
    assert r.json["join_url"] == f"https://class.example.org/class/join?code={r.json['code']}"
    page = server.test_client().get(f"/class/teach/{r.json['code']}",
                                    headers={"X-Class-Token": r.json["teacher_token"]})
    assert "https://class.example.org/class/join?code=" in page.get_data(as_text=True)
    monkeypatch.delenv(address.ENV)
    plain = Flask("plain")
    register(plain, tmp_path / "class.db")
    r = plain.test_client().post("/class/api/sessions", json={})
    assert r.json["join_url"].startswith("http://localhost/class/join?code=")


@pytest.mark.parametrize("value", ["ftp://host", "http://host/path", "http://host/../x",
                                   "http://user@host", "http://host?x=1", "http://host#x",
                                   "http://host:99999", "javascript:alert(1)", "http://ho st",
                                   "http://host\\x", "host:8050", "http://"])
def test_a_bad_public_url_is_one_line_naming_the_variable(tmp_path, monkeypatch, value):
    monkeypatch.setenv(address.ENV, value)
    with pytest.raises(ValueError) as err:
        register(Flask("bad"), tmp_path / "class.db")
    text = str(err.value)
    assert text.startswith(f"{address.ENV} = {value!r}: not allowed; allowed: an http://")
    assert "\n" not in text


@pytest.mark.parametrize(("value", "base"), [
    ("http://192.168.1.20:8050", "http://192.168.1.20:8050"),
    ("https://class.example.org/", "https://class.example.org"),
    ("http://[fe80::1]:8050", "http://[fe80::1]:8050")])
def test_a_good_public_url_is_taken(value, base):
    assert address.check(value) == base


def test_dyadsim_dashboard_refuses_a_bad_public_url_before_serving(monkeypatch, capsys):
    from dyadsim.cli.command import main

    monkeypatch.setenv(address.ENV, "http://host/../admin")
    assert main(["dashboard", "--port", "18999"]) == 2  # returns: nothing was served
    err = capsys.readouterr().err.strip()
    assert err == (f"dyadsim: error: {address.ENV} = 'http://host/../admin': not allowed; "
                   f"allowed: {address.ALLOWED}")
