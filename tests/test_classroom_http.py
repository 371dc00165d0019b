"""Class mode served for real: gunicorn with 2 workers, 30 students on loopback, a browser.

The server is ``dyadsim dashboard --workers 2`` with its class database in a temporary
folder. Thirty students (threads, each an HTTP client with its own token) join and play at
once; then the server is stopped and started again on the same database, and the class goes
on. Thirty more play in pairs (15 couples): every move is stored and every couple plays
every week, each week once. The browser tests open the teacher's screen in Debian's
Chromium (never a downloaded browser) and save ``out/screenshots/class-teacher.png``; two
phones play a week in pairs, the first waiting for the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.classroom import drill

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "out" / "screenshots" / "class-teacher.png"
STUDENTS, WEEKS = 30, 4
TIMEOUT_MS = 60_000


@dataclass
class Served:
    """The running server: its address, its database and log, and its process."""

    url: str
    db: Path
    log: Path
    proc: object

    def assert_no_traceback(self) -> None:
        assert "Traceback" not in self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("class")
    db, log = folder / "class.db", folder / "server.log"
    proc, url = drill.start_server(db, log, workers=2, root=ROOT)
    running = Served(url, db, log, proc)
    try:
        drill.wait_until_serving(proc, url)
        yield running
    finally:
        drill.stop_server(running.proc)
    running.assert_no_traceback()


def teacher_view(served: Served, code: str, token: str) -> dict:
    status, view = drill.call(f"{served.url}/class/api/{code}/class", token=token)
    assert status == 200, view
    return view


def test_thirty_students_play_at_once_and_no_move_is_lost(served):
    run = drill.play_class(served.url, STUDENTS, WEEKS)
    assert run.failures == []
    moves = sum(len(p) for p in run.played.values())  # all weeks, but for a couple that split
    assert moves >= STUDENTS * WEEKS - 3 * len(run.ended) and len(run.ended) <= 3
    assert len(run.latencies) == moves + STUDENTS  # week 1 was tapped twice
    view = teacher_view(served, run.code, run.teacher)
    assert view["students"] == STUDENTS and view["moves"] == moves
    assert sum(view["now"][g] for g in ("trapped", "settled", "apart")) == STUDENTS
    assert sum(sum(c.values()) for c in view["strategies"].values()) == STUDENTS
    by_name = {s["name"]: s for s in view["list"]}
    assert all(by_name[f"student {i}"]["played"] == played for i, played in run.played.items())
    assert all(by_name[f"student {i}"]["outcome"] == "dissolved" for i in run.ended)

    # the server restarts on the same database: the class goes on where it was
    drill.stop_server(served.proc)
    served.proc, served.url = drill.start_server(served.db, served.log, workers=2, root=ROOT)
    drill.wait_until_serving(served.proc, served.url)
    assert teacher_view(served, run.code, run.teacher)["moves"] == moves
    k = min(set(range(STUDENTS)) - run.ended)  # a student who played every week
    other = next(m for m in ("withdraw", "reassure") if m != run.played[k][1])
    status, body = drill.call(f"{served.url}/class/api/{run.code}/move", "POST",
                              {"week": 2, "move": other}, run.tokens[k])
    assert status == 409 and "already played" in body["error"]
    status, body = drill.call(f"{served.url}/class/api/{run.code}/me", token=run.tokens[k])
    assert status == 200 and body["played"] == run.played[k]
    status, body = drill.call(f"{served.url}/class/api/{run.code}/leave", "POST", {},
                              run.tokens[1])
    assert status == 200
    status, body = drill.call(f"{served.url}/class/api/{run.code}/me", token=run.tokens[1])
    assert status == 410 and "has left" in body["error"]


def test_thirty_students_play_in_pairs_and_every_couple_advances(served):
    run = drill.play_class(served.url, STUDENTS, WEEKS, mode="pairs")
    assert run.failures == []
    moves = sum(len(p) for p in run.played.values())  # all weeks, but for a couple that split
    assert moves >= STUDENTS * WEEKS - 3 * len(run.ended) and len(run.ended) <= 6
    assert len(run.latencies) == moves + STUDENTS  # week 1 was tapped twice
    assert len(run.waits) == moves
    view = teacher_view(served, run.code, run.teacher)
    assert view["mode"] == "pairs" and view["students"] == STUDENTS
    assert view["couples"] == STUDENTS // 2
    assert view["moves"] == moves  # every move stored, once
    assert view["weeks_played"] == moves // 2  # every couple, every week it had, once
    assert sum(view["now"][g] for g in ("trapped", "settled", "apart")) == STUDENTS // 2
    played = {run.names[i]: moves for i, moves in run.played.items()}
    ended = {run.names[i] for i in run.ended}
    for couple in view["list"]:
        assert couple["stood_in"] == 0
        assert couple["played_a"] == played[couple["a"]["name"]]
        assert couple["played_b"] == played[couple["b"]["name"]]
        assert couple["weeks"] == WEEKS or (couple["outcome"] == "dissolved"
                                            and couple["a"]["name"] in ended)
    status, body = drill.call(f"{served.url}/class/api/{run.code}/debrief", token=run.teacher)
    assert status == 200 and sum(body["class"].values()) == STUDENTS // 2


def test_unknown_code_and_forged_token_get_one_line(served):
    status, body = drill.call(f"{served.url}/class/api/ACDEF/join", "POST", {"name": "x"})
    assert status == 404 and "no such class" in body["error"]
    run = drill.play_class(served.url, 1, 1)
    status, body = drill.call(f"{served.url}/class/api/{run.code}/class", token="forged")
    assert status == 403 and "only the teacher" in body["error"]


def test_the_teacher_starts_a_class_and_sees_students_play(served, browser):
    problems: list[str] = []
    teacher = browser.new_context(viewport={"width": 1280, "height": 1000})
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    pages = [teacher.new_page(), phone.new_page()]
    for page in pages:
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
    screen, student = pages
    try:
        screen.goto(f"{served.url}/class/")
        screen.click("#start")
        expect(screen.locator("#code")).to_have_text(re.compile(r"^[A-Z]{5}$"))
        code = screen.locator("#code").inner_text()
        expect(screen.locator("img.qr")).to_have_js_property("complete", True)
        assert screen.locator("img.qr").evaluate("i => i.naturalWidth") > 100
        # a student joins from a phone and plays two weeks
        student.goto(f"{served.url}/class/join?code={code}")
        student.fill("#name", "Phone")
        student.click("button[type=submit]")
        expect(student.locator("#week")).to_contain_text("Week 1 of 12")
        student.click("[data-move=reassure]")
        expect(student.locator("#week")).to_contain_text("Week 2 of 12")
        student.click("[data-move=reach_out]")
        expect(student.locator("#week")).to_contain_text("Week 3 of 12")
        assert student.evaluate("document.documentElement.scrollWidth") <= 390
        # a few more students, as HTTP clients
        for i in range(5):
            status, body = drill.call(f"{served.url}/class/api/{code}/join", "POST",
                                      {"name": f"extra {i}"})
            assert status == 201
            for week, move in enumerate(("withdraw", "give_space", "reassure")[: i % 3 + 1], 1):
                assert drill.call(f"{served.url}/class/api/{code}/move", "POST",
                                  {"week": week, "move": move}, body["token"])[0] == 200
        expect(screen.locator("#n-moves")).to_have_text("11 moves")  # 2 + 1+2+3+1+2
        expect(screen.locator("#n-students")).to_have_text("6")
        counted = sum(int(screen.locator(f"#n-{g}").inner_text())
                      for g in ("trapped", "settled", "apart"))
        assert counted == 6
        screen.click("#debrief-btn")
        expect(screen.locator("#debrief tr")).to_have_count(4)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        screen.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        teacher.close()
        phone.close()
    assert problems == []
    assert SCREENSHOT.stat().st_size > 10_000


def test_two_phones_play_a_week_in_pairs_and_the_first_waits(served, browser):
    problems: list[str] = []
    status, body = drill.call(f"{served.url}/class/api/sessions", "POST",
                              {"weeks": 3, "mode": "pairs"})
    assert status == 201
    code = body["code"]
    contexts = [browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
                for _ in range(2)]
    try:
        phones = [c.new_page() for c in contexts]
        for phone, name in zip(phones, ("Ann", "Bo"), strict=True):
            phone.set_default_timeout(TIMEOUT_MS)
            phone.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            phone.on("pageerror", lambda e: problems.append(str(e)))
            phone.goto(f"{served.url}/class/join?code={code}")
            phone.fill("#name", name)
            phone.click("button[type=submit]")
            expect(phone.locator("#week")).to_contain_text("Week 1 of 3")
        sam, alex = phones
        expect(sam.locator("#role")).to_contain_text("partner A (Sam")
        expect(sam.locator("#role")).to_contain_text("with Bo as your partner")
        sam.click("[data-move=press]")
        expect(sam.locator("#week")).to_contain_text("waiting for Bo")
        expect(sam.locator("[data-move=press]")).to_be_disabled()
        alex.click("[data-move=reassure]")
        expect(alex.locator("#week")).to_contain_text("Week 2 of 3")
        expect(sam.locator("#week")).to_contain_text("Week 2 of 3")  # the page polled
        assert sam.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        for c in contexts:
            c.close()
    assert problems == []
