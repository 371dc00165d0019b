"""Class mode in pairs (two classmates, one couple) and the join address students use."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from test_classroom import join, move

from dashboard.classroom import address, game, pairs, register, service, store
from dyadsim.registry import PARTNER_FIELDS


@pytest.fixture
def app(tmp_path):
    server = Flask("pairs-test")
    register(server, tmp_path / "class.db")
    return server


def _seed(app, code: str) -> int:
    with app.extensions["dyadsim.classroom"].connect() as conn:
        return conn.execute("SELECT seed FROM sessions WHERE code=?", (code,)).fetchone()[0]


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
