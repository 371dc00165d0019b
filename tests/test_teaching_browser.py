"""A whole class hour in one browser session: a lesson, a class of 30, and phones.

This is issue 17's end-to-end check, on the server a teacher would start for a class
(``dyadsim dashboard --workers 2``: gunicorn, its class database in a temporary folder):

1. the teacher plays a whole lesson on the couple page (the lesson panel, Play to the
   end, the outcome the lesson states, the world view, Next and Back);
2. the teacher starts a class in pairs from the dashboard's link; 30 students join, two
   from phones in Chromium (one couple: the first waits for the second each week) and 28
   as HTTP clients on loopback, and play; the teacher's screen counts them all and their
   15 couples, and shows the debrief;
3. the same lesson on a phone (390 x 844): no horizontal scroll, the controls by touch.

Every page in every browser context is watched: a console error, an uncaught exception in a
page or a traceback in the server's log fails the test. Chromium is Debian's
(``/usr/bin/chromium``), never a downloaded browser; every wait has a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.about import LESSONS
from dashboard.classroom import drill
from dashboard.view import library_scenario

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "out" / "screenshots"
TIMEOUT_MS = 90_000  # two gunicorn workers and Chromium share a slow 2-core machine
STUDENTS, PHONES, WEEKS = 30, 2, 3
CLASS_WEEKS = 12  # a class's length when the teacher starts it from the page
LESSON = "anxious_avoidant_trap"
OUTCOME_LINE = re.compile(r"^Outcome after \d+ days?(?: \([^)]*\))?: (\w+)")

expect.set_options(timeout=TIMEOUT_MS)


class Watch:
    """Console errors and uncaught exceptions of every page opened through it."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.problems: list[str] = []
        self.contexts: list = []

    def page(self, **context: object) -> Page:
        ctx = self.browser.new_context(**context)
        self.contexts.append(ctx)
        tab = ctx.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
               if m.type == "error" else None)
        tab.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        return tab

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("hour")
    log = folder / "server.log"
    proc, url = drill.start_server(folder / "class.db", log, workers=2, root=ROOT)
    try:
        drill.wait_until_serving(proc, url)
        yield url, log
    finally:
        drill.stop_server(proc)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, f"the server logged a traceback:\n{text}"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def play_to_the_end(page: Page) -> str:
    """Reset, Play at the fastest speed, and read the outcome class when the run ends."""
    page.locator("#reset").click()
    expect(page.locator("#outcome")).to_have_text(re.compile(r"^Day 0 \(the start\)"))
    speed = page.locator("#speed [role=slider]")
    speed.focus()
    speed.press("End")
    page.locator("#play").click()
    expect(page.locator("#outcome")).to_have_text(OUTCOME_LINE)
    match = OUTCOME_LINE.match(page.locator("#outcome").inner_text())
    assert match
    return match.group(1)


def lesson(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/?page=couple&scenario={name}")
    expect(page.locator("#share-link")).to_have_value(re.compile(f"scenario={name}"))


def classmates_play(url: str, code: str, first: int, count: int) -> list[list[str]]:
    """``count`` students as HTTP clients, in pairs: join in order, then play every week.

    Each waits for their partner's move each week (the drill's paired student); returns the
    moves each played. Failures fail the test.
    """
    run = drill.ClassRun(code, "")
    with ThreadPoolExecutor(max_workers=count) as pool:
        tokens = []
        for i in range(first, first + count):  # in join order: pairs are (first, first+1)...
            status, body = drill.call(f"{url}/class/api/{code}/join", "POST",
                                      {"name": f"student {i}"})
            assert status == 201, body
            tokens.append(body["token"])
        plays = list(pool.map(lambda k: drill._paired_student(url, run, first + k, tokens[k],
                                                              WEEKS), range(count)))
    assert [f for *_, failures, _ in plays for f in failures] == []
    return [played for _, played, *_ in plays]


def test_a_lesson_a_class_of_thirty_and_phones(served, browser) -> None:
    url, _ = served
    watch = Watch(browser)
    try:
        # 1. the teacher plays a whole lesson
        teacher = watch.page(viewport={"width": 1400, "height": 1000})
        scenario = library_scenario(LESSON)
        k = LESSONS.index(LESSON)
        lesson(teacher, url, LESSON)
        panel = teacher.locator("#lesson-panel")
        expect(panel.locator("h2")).to_have_text(
            f"Lesson {k + 1} of {len(LESSONS)}: {scenario.title}")
        ended = play_to_the_end(teacher)
        assert ended in ("escalated", "cycling"), ended  # what the trap lesson teaches
        expect(teacher.locator("#caption")).not_to_be_empty()
        # "what to notice": each item's weeks show that day of the run, paused
        notice = scenario.lesson.notices[1]
        panel.locator(".notice-jump").nth(1).click()
        expect(teacher.locator("#outcome")).to_have_text(
            re.compile(rf"^Day {notice.at[0]} \(week \d+\) of \d+ days\.$"))
        expect(teacher.locator("#play")).to_have_text("Play")
        expect(teacher.locator("#world-graph .main-svg").first).to_be_visible()
        shoot(teacher, "hour-lesson.png")
        following = library_scenario(LESSONS[k + 1])
        panel.get_by_role("button", name=f"Next: {following.title}").click()
        expect(panel.locator("h2")).to_have_text(re.compile(f": {re.escape(following.title)}$"))
        panel.get_by_role("button", name=f"Back: {scenario.title}").click()
        expect(panel.locator("h2")).to_have_text(re.compile(f": {re.escape(scenario.title)}$"))

        # 2. a class of 30 in pairs: the teacher starts it from the dashboard
        teacher.get_by_role("link", name=re.compile("^Class mode")).click()
        teacher.locator("#mode-pairs").check()
        teacher.locator("#start").click()
        expect(teacher.locator("#code")).to_have_text(re.compile(r"^[A-Z]{5}$"))
        code = teacher.locator("#code").inner_text()
        phones = [watch.page(viewport={"width": 390, "height": 844}, has_touch=True,
                             is_mobile=True) for _ in range(PHONES)]
        for n, phone in enumerate(phones):  # the first two to join: one couple
            phone.goto(f"{url}/class/join?code={code}")
            phone.fill("#name", f"phone {n}")
            phone.locator("button[type=submit]").tap()
            expect(phone.locator("#week")).to_contain_text(f"Week 1 of {CLASS_WEEKS}")
        sam, alex = phones
        expect(sam.locator("#role")).to_contain_text("with phone 1 as your partner")
        with ThreadPoolExecutor(max_workers=1) as background:
            others = background.submit(classmates_play, url, code, PHONES, STUDENTS - PHONES)
            for week in range(1, WEEKS + 1):
                sam.locator("[data-move=reach_out_calmly]").tap()
                expect(sam.locator("#week")).to_contain_text("waiting for phone 1")
                alex.locator("[data-move=reassure]").tap()
                for phone in phones:  # Sam's page learns of the week by polling
                    expect(phone.locator("#week")).to_contain_text(f"Week {week + 1} of ")
            played = others.result(timeout=TIMEOUT_MS / 1000)
        for phone in phones:
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(sam, "hour-student-phone.png")
        moves = sum(len(p) for p in played) + PHONES * WEEKS
        expect(teacher.locator("#n-students")).to_have_text(str(STUDENTS))
        expect(teacher.locator("#n-moves")).to_have_text(f"{moves} moves")
        counted = sum(int(teacher.locator(f"#n-{g}").inner_text())
                      for g in ("trapped", "settled", "apart"))
        assert counted == STUDENTS // 2  # couples
        expect(teacher.locator("#couples tbody tr")).to_have_count(STUDENTS // 2)
        teacher.locator("#debrief-btn").click()
        expect(teacher.locator("#debrief tr").first).to_be_visible()
        shoot(teacher, "hour-class.png")

        # 3. the same lesson on a phone
        phone = phones[0]
        lesson(phone, url, LESSON)
        assert play_to_the_end(phone) == ended  # the same seed, the same couple
        phone.wait_for_function("() => document.documentElement.scrollWidth <= 390")
        phone.locator("#lesson-panel").get_by_role(
            "button", name=f"Next: {following.title}").tap()
        expect(phone.locator("#lesson-panel h2")).to_have_text(
            re.compile(f": {re.escape(following.title)}$"))
        phone.wait_for_function("() => document.documentElement.scrollWidth <= 390")
        shoot(phone, "hour-phone-lesson.png")
    finally:
        watch.close()
    assert watch.problems == [], "the browser reported errors:\n" + "\n".join(watch.problems)
