"""End-to-end tests of the dashboard: the real server, driven in Debian's Chromium.

The server runs as ``python -m dyadsim.cli dashboard`` on a free port of 127.0.0.1, once
for this module; each test opens a fresh browser page. Every test fails if the page logs a
console error or an uncaught exception, or if the server logs a traceback. Screenshots of
each page go to ``out/screenshots/``.

Playwright drives the system's Chromium (``/usr/bin/chromium``); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil  # with dash[diskcache], which stops job processes with it
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    expect,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dyadsim.timeunits import span

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "out" / "screenshots"
HOST = "127.0.0.1"
START_TIMEOUT_S = 90  # the server runs a tiny warm-up sweep before it listens
TIMEOUT_MS = 60_000  # a slow, shared machine: every wait is generous
PAGES = ("couple", "sweep", "compare", "life", "population", "about")

expect.set_options(timeout=TIMEOUT_MS)

#: A fingerprint of a dcc.Graph's data (Plotly 6 sends arrays as base64 ``bdata``).
FIGURE_JS = """(selector) => {
    const gd = document.querySelector(selector + ' .js-plotly-plot');
    if (!gd || !gd.data) { return null; }
    const arr = (a) => (a && a.bdata !== undefined) ? a.bdata : a;
    return JSON.stringify(gd.data.map(t => [t.type, t.name, arr(t.x), arr(t.y), arr(t.z)]));
}"""
TRACES_JS = """(selector) => {
    const gd = document.querySelector(selector + ' .js-plotly-plot');
    return (gd && gd._fullData) ? gd._fullData.map(t => ({
        type: t.type, name: t.name,
        last_x: (t.x && t.x.length) ? Number(t.x[t.x.length - 1]) : null,
        rows: (t.z && t.z.length) || 0})) : [];
}"""

OUTCOME_LINE = re.compile(r"^Outcome after \d+ days?(?: \([^)]*\))?: ")
UPLOAD_INPUT = "#upload input[type=file]"


# --- The server -------------------------------------------------------------------------


@dataclass
class Server:
    """The dashboard server under test: its address and its log."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, query: str = "") -> str:
        return f"http://{HOST}:{self.port}/{query}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def jobs(self) -> list[psutil.Process]:
        """The processes the server forked (background jobs run in their own process)."""
        return psutil.Process(self.proc.pid).children(recursive=True)

    def wait_for_jobs(self, running: bool) -> None:
        """Wait until a job process runs (or until none is left)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while bool(self.jobs()) != running:
            assert time.monotonic() < deadline, (
                f"job processes: {self.jobs()}; expected {'some' if running else 'none'}")
            time.sleep(0.2)

    def assert_no_traceback(self) -> None:
        text = self.log_text()
        assert "Traceback" not in text, f"the server logged a traceback:\n{text}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_serving(server: Server) -> None:
    """Poll the front page until it answers 200 (the server may take a while to warm up)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"the dashboard server exited with status {server.proc.returncode}:\n"
                        f"{server.log_text()}")
        try:
            with opener.open(server.url(), timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer on {server.url()} within {START_TIMEOUT_S} s:\n"
                f"{server.log_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server, then any job process it forked (they share its process group)."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this fixture created for the server
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dyadsim.cli", "dashboard", "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    running = Server(proc, port, log)
    try:
        wait_until_serving(running)
        yield running
    finally:
        stop(proc)
    running.assert_no_traceback()


# --- The browser ------------------------------------------------------------------------


@dataclass
class Problems:
    """What the page reported as going wrong: console errors and uncaught exceptions."""

    lines: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.lines.append(f"console error: {message.text} ({message.location})")

    def page_error(self, error: Error) -> None:
        self.lines.append(f"page error: {error}")


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh page; afterwards, no console error, no page error, no server traceback.

    Nothing is ignored: the app's pages load without a favicon 404 or any other error
    (checked when these tests were written), so every console error is a failure.
    """
    yield from watched(browser, server, viewport={"width": 1400, "height": 1000})


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh page the size of a phone (390 x 844, touch); afterwards, as :func:`page`."""
    yield from watched(browser, server, viewport={"width": 390, "height": 844},
                       has_touch=True, is_mobile=True, device_scale_factor=2)


def watched(browser: Browser, server: Server, **context: Any) -> Iterator[Page]:
    """A page in a new browser context; afterwards no console or page error, no traceback."""
    ctx = browser.new_context(**context)
    tab = ctx.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    problems = Problems()
    tab.on("console", problems.console)
    tab.on("pageerror", problems.page_error)
    yield tab
    ctx.close()
    assert not problems.lines, "the browser reported errors:\n" + "\n".join(problems.lines)
    server.assert_no_traceback()


# --- Helpers ----------------------------------------------------------------------------


def open_app(page: Page, server: Server, query: str = "") -> None:
    """Load the app with a URL query and wait until the query has become the view."""
    page.goto(server.url(query))
    # The share link is written from the view, after the URL has been applied to it.
    expect(page.locator("#share-link")).to_have_value(re.compile(r"\?page="))


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def assert_page_shown(page: Page, name: str) -> None:
    """Only page ``name`` is visible and only its navigation button is active."""
    for index, other in enumerate(PAGES):
        div = page.locator(f"#page-{other}")
        button = page.locator("button.nav").nth(index)
        if other == name:
            expect(div).to_be_visible()
            expect(button).to_have_class(re.compile(r"\bactive\b"))
        else:
            expect(div).to_be_hidden()
            expect(div).to_have_css("display", "none")
            expect(button).not_to_have_class(re.compile(r"\bactive\b"))


def param(page: Page, name: str) -> Locator:
    """A registry parameter's slider (Dash writes a dict id as JSON with sorted keys)."""
    dom_id = json.dumps({"name": name, "type": "param"}, separators=(",", ":"), sort_keys=True)
    return page.locator(f"[id='{dom_id}']")


def fits_the_phone(page: Page, name: str, width: int = 390) -> None:
    """Page ``name`` is no wider than the screen once its layout has settled.

    A figure is laid out again a moment after it is drawn or its container changes size
    (Dash's graphs follow their container), so the width is awaited, within the timeout.
    """
    try:
        page.wait_for_function("(w) => document.documentElement.scrollWidth <= w", arg=width)
    except PlaywrightTimeout:  # name the page and its width in the failure
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        raise AssertionError(f"page {name} is {wide} px wide on a {width} px screen") from None


def set_param(page: Page, name: str, value: float) -> None:
    """Type a value into a slider's number box; leaving the box commits it (mouseup mode)."""
    box = param(page, name).locator("input[type=number]")
    box.fill(str(value))
    box.press("Tab")


def figure(page: Page, selector: str) -> str | None:
    return page.evaluate(FIGURE_JS, selector)


def traces(page: Page, selector: str) -> list[dict]:
    return page.evaluate(TRACES_JS, selector)


def wait_for_new_figure(page: Page, selector: str, before: str | None) -> None:
    page.wait_for_function(f"([sel, before]) => {{ const now = ({FIGURE_JS})(sel); "
                           "return now !== null && now !== before; }",
                           arg=[selector, before])


def wait_for_figure(page: Page, selector: str, trace_type: str) -> None:
    page.wait_for_function(f"(sel) => {{ const now = ({TRACES_JS})(sel); "
                           f"return now.length > 0 && now[0].type === '{trace_type}'; }}",
                           arg=selector)


def outcome(page: Page) -> str:
    """The outcome line, once the couple's run is shown to its end."""
    line = page.locator("#outcome")
    expect(line).to_have_text(OUTCOME_LINE)
    return line.inner_text()


def shown_day(page: Page) -> int:
    """The day the playback shows ("Day N (week W) of M days.")."""
    match = re.match(r"^Day (\d+) \([^)]*\) of \d+ days\.$",
                     page.locator("#outcome").inner_text())
    assert match, page.locator("#outcome").inner_text()
    return int(match.group(1))


def wait_for_day_after(page: Page, shown: int) -> None:
    page.wait_for_function("(n) => { const m = document.querySelector('#outcome').innerText"
                           ".match(/^(Day|Outcome after) (\\d+)/); "
                           "return m && Number(m[2]) > n; }", arg=shown)


def set_speed_to_fastest(page: Page) -> None:
    speed = page.locator("#speed [role=slider]")
    speed.focus()
    speed.press("End")
    expect(speed).to_have_attribute("aria-valuenow", speed.get_attribute("aria-valuemax") or "")


def one_line_message(page: Page) -> str:
    message = page.locator("#message")
    expect(message).not_to_be_empty()
    text = message.inner_text().strip()
    assert "\n" not in text, f"the message is not one line: {text!r}"
    return text


def run_sweep(page: Page) -> None:
    page.locator("#sweep-run").click()
    expect(page.locator("#sweep-status")).to_have_text(re.compile(r"^Done: "))
    wait_for_figure(page, "#heatmap", "heatmap")


def click_top_right_cell(page: Page) -> None:
    """Click the heatmap cell at the high end of both axes."""
    area = page.locator("#heatmap .nsewdrag").first
    box = area.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.97 * box["width"], box["y"] + 0.03 * box["height"])
    expect(page.locator("#cell-runs button")).to_have_count(4)


def open_replicate(page: Page, index: int) -> None:
    """Open a sample run of the clicked cell; wait until the couple page shows it."""
    before = figure(page, "#couple-graph")
    page.locator("#cell-runs button").nth(index).click()
    assert_page_shown(page, "couple")
    wait_for_new_figure(page, "#couple-graph", before)


# --- One couple -------------------------------------------------------------------------


def test_couple_page_shows_the_run_and_a_slider_changes_it(page: Page, server: Server) -> None:
    open_app(page, server)
    assert_page_shown(page, "couple")
    expect(page.locator("#caption")).to_have_text(re.compile(r"^Day \d+ \("))
    assert "cycling" in outcome(page)  # the default couple (seed 4) ends the year trapped, in waves
    expect(param(page, "partner_a.anxiety").locator("[role=slider]")).to_have_attribute(
        "aria-valuenow", "0.8")
    assert len(traces(page, "#phase-graph")) > 0
    before = figure(page, "#couple-graph")
    assert before is not None

    set_param(page, "partner_a.anxiety", 0.1)
    wait_for_new_figure(page, "#couple-graph", before)
    expect(page.locator("#outcome")).not_to_contain_text("cycling")
    outcome(page)
    expect(param(page, "partner_a.anxiety").locator("[role=slider]")).to_have_attribute(
        "aria-valuenow", "0.1")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"partner_a\.anxiety=0\.1&"))
    expect(page.locator("#message")).to_be_empty()
    shoot(page, "couple.png")

    page.locator("#restore").click()
    expect(page.locator("#outcome")).to_contain_text("cycling")
    expect(page.locator("#share-link")).not_to_have_value(re.compile(r"partner_a\.anxiety="))
    assert figure(page, "#couple-graph") == before


def test_enter_applies_a_typed_value_and_keeps_the_box_focused(page: Page,
                                                                server: Server) -> None:
    """Typing a value and pressing Enter re-runs at once (not only when focus leaves)."""
    open_app(page, server)
    outcome(page)
    before = figure(page, "#couple-graph")
    box = param(page, "partner_a.anxiety").locator("input[type=number]")
    box.fill("0.1")
    box.press("Enter")
    wait_for_new_figure(page, "#couple-graph", before)
    expect(param(page, "partner_a.anxiety").locator("[role=slider]")).to_have_attribute(
        "aria-valuenow", "0.1")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"partner_a\.anxiety=0\.1&"))
    expect(box).to_be_focused()


def test_phone_layout_has_no_horizontal_scroll_and_works_by_touch(phone: Page,
                                                                    server: Server) -> None:
    """At 390 x 844 every page fits the screen's width, and the couple page works by touch."""
    for name in PAGES:
        open_app(phone, server, f"?page={name}")
        assert_page_shown(phone, name)
        if name == "couple":
            outcome(phone)
        if name == "life":  # its figure drawn
            expect(phone.locator("#life-summary")).to_contain_text("Person")
            phone.wait_for_function("() => document.querySelector('#life-graph .main-svg')")
        fits_the_phone(phone, name)
    open_app(phone, server)
    outcome(phone)
    shoot(phone, "phone-couple.png")
    phone.locator("#reset").tap()
    expect(phone.locator("#outcome")).to_have_text(re.compile(r"^Day 0 \(the start\)"))
    phone.locator("#step").tap()
    expect(phone.locator("#outcome")).not_to_have_text(re.compile(r"^Day 0 \("))
    phone.locator("button.nav").nth(PAGES.index("about")).tap()
    assert_page_shown(phone, "about")
    fits_the_phone(phone, "about")
    # A figure drawn at another size is fitted when its page is shown again: the Life
    # course drawn on a wide screen, the screen narrowed while another page is shown, then
    # the Life course again (Dash's graphs follow their container's size).
    phone.set_viewport_size({"width": 1300, "height": 844})
    phone.locator("button.nav").nth(PAGES.index("life")).tap()
    phone.wait_for_function("() => document.querySelector('#life-graph .main-svg')"
                            " && document.querySelector('#life-graph .main-svg')"
                            ".getBoundingClientRect().width > 600")
    phone.locator("button.nav").nth(PAGES.index("about")).tap()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.locator("button.nav").nth(PAGES.index("life")).tap()
    assert_page_shown(phone, "life")
    fits_the_phone(phone, "life")


def test_the_lesson_panel_walks_the_lessons_with_next_and_back(page: Page,
                                                                server: Server) -> None:
    """A lesson shows its place, its description and a glossary; Next and Back move on."""
    from dashboard.about import LESSONS
    from dashboard.view import library_scenario

    first, second = (library_scenario(n) for n in LESSONS[:2])
    open_app(page, server, f"?page=couple&scenario={LESSONS[0]}")
    panel = page.locator("#lesson-panel")
    expect(panel.locator("h2")).to_have_text(f"Lesson 1 of {len(LESSONS)}: {first.title}")
    outcome(page)
    expect(panel.locator(".lesson-goal")).to_have_text(first.lesson.goal)
    questions = panel.locator(".lesson-questions li")
    expect(questions.first).to_be_hidden()  # folded until the class gets there
    panel.get_by_text("Questions for discussion").click()
    expect(questions).to_have_count(len(first.lesson.questions))
    expect(questions.first).to_be_visible()
    panel.locator(".glossary summary").click()
    expect(panel.locator("dt").first).to_be_visible()
    shoot(page, "lesson.png")
    before = figure(page, "#couple-graph")
    panel.get_by_role("button", name=f"Next: {second.title}").click()
    expect(panel.locator("h2")).to_have_text(f"Lesson 2 of {len(LESSONS)}: {second.title}")
    wait_for_new_figure(page, "#couple-graph", before)
    expect(page.locator("#share-link")).to_have_value(re.compile(f"scenario={LESSONS[1]}"))
    panel.get_by_role("button", name=f"Back: {first.title}").click()
    expect(panel.locator("h2")).to_have_text(f"Lesson 1 of {len(LESSONS)}: {first.title}")
    expect(page.locator("#message")).to_be_empty()


def test_playback_reset_step_and_play_to_the_end(page: Page, server: Server) -> None:
    open_app(page, server)
    outcome(page)
    play = page.locator("#play")

    page.locator("#reset").click()
    expect(page.locator("#outcome")).to_have_text(
        re.compile(r"^Day 0 \(the start\) of \d+ days\.$"))
    expect(page.locator("#caption")).to_have_text(re.compile(r"^Day 0 \(the start\): "))
    page.locator("#step").click()
    expect(page.locator("#outcome")).not_to_have_text(re.compile(r"^Day 0 \("))
    stepped = shown_day(page)
    assert stepped > 0
    expect(play).to_have_text("Play")

    # At the fastest speed, Play moves on by itself, stops at the end and offers Play again.
    set_speed_to_fastest(page)
    play.click()
    expect(play).to_have_text("Pause")
    wait_for_day_after(page, stepped)
    outcome(page)
    expect(play).to_have_text("Play")


# --- Sweep ------------------------------------------------------------------------------


def test_sweep_heatmap_cell_runs_and_opening_a_replicate(page: Page, server: Server) -> None:
    open_app(page, server, "?page=sweep&points=5&reps=4")
    assert_page_shown(page, "sweep")
    expect(page.locator("#points")).to_have_value("5")
    expect(page.locator("#reps")).to_have_value("4")
    assert not any(t["type"] == "heatmap" for t in traces(page, "#heatmap"))

    run_sweep(page)
    expect(page.locator("#sweep-status")).to_contain_text("25 cells x 4 replicates")
    heat = traces(page, "#heatmap")
    assert heat[0]["type"] == "heatmap" and heat[0]["rows"] == 5, heat
    expect(page.locator("#sweep-run")).to_be_enabled()
    expect(page.locator("#sweep-cancel")).to_be_disabled()
    progress = page.locator("#sweep-progress")
    chunks = progress.get_attribute("max") or ""
    assert chunks.isdigit() and int(chunks) > 1, chunks  # the sweep ran in several chunks
    expect(progress).to_have_attribute("value", chunks)  # ... and the bar is full
    shoot(page, "sweep.png")

    click_top_right_cell(page)
    labels = page.locator("#cell-runs button").all_inner_texts()
    for k, label in enumerate(labels, start=1):
        assert re.fullmatch(rf"Open replicate {k} \(\w+\) on the couple page", label), label
    samples = traces(page, "#cell-graph")
    assert [t["name"].split(":")[0] for t in samples] == [f"replicate {k}" for k in
                                                           range(1, 5)]
    shoot(page, "sweep-cell.png")

    open_replicate(page, 0)
    expect(page.locator("#caption")).to_have_text(re.compile(r"^Day \d+ \("))
    outcome(page)
    link = page.locator("#share-link")
    expect(link).to_have_value(re.compile(r"partner_a\.anxiety=1(\.0)?&"))
    expect(link).to_have_value(re.compile(r"partner_b\.avoidance=1(\.0)?&"))


def test_sweep_cancel_stops_the_job_and_the_page_recovers(page: Page, server: Server) -> None:
    # 41 x 41 cells x 100 replicates x 2000 days: minutes of work, so Cancel comes first.
    open_app(page, server, "?page=sweep&points=41&reps=100&run.steps=2000")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"run\.steps=2000&"))
    run, cancel = page.locator("#sweep-run"), page.locator("#sweep-cancel")

    run.click()
    expect(cancel).to_be_enabled()
    expect(run).to_be_disabled()
    server.wait_for_jobs(running=True)
    cancel.click()
    expect(run).to_be_enabled()
    expect(cancel).to_be_disabled()
    server.wait_for_jobs(running=False)  # the job's process was stopped, not left to run
    expect(page.locator("#sweep-status")).not_to_contain_text("Done")
    assert not any(t["type"] == "heatmap" for t in traces(page, "#heatmap"))

    # The number boxes commit on Enter; a small sweep then runs to the end.
    for box, value in (("#points", "3"), ("#reps", "2")):
        page.locator(box).fill(value)
        page.locator(box).press("Enter")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"points=3&reps=2&"))
    run_sweep(page)
    expect(page.locator("#sweep-status")).to_contain_text(
        f"9 cells x 2 replicates x {span(2000)}")


# --- Compare ----------------------------------------------------------------------------


def test_compare_eft_against_no_eft(page: Page, server: Server) -> None:
    open_app(page, server, "?page=compare&compare_reps=20")
    assert_page_shown(page, "compare")
    a_side, b_side = page.locator("#a-side"), page.locator("#b-side")
    expect(a_side).not_to_have_text("")
    assert a_side.inner_text() == b_side.inner_text()  # the same scenario on both sides
    expect(page.locator("#b-without input[value='EFT']")).to_be_checked()
    expect(page.locator("#a-without input[value='EFT']")).not_to_be_checked()
    expect(page.locator("#compare-reps")).to_have_value("20")

    page.locator("#compare-run").click()
    status = page.locator("#compare-status")
    expect(status).to_have_text(re.compile(r"^Done: 20 replicates per side\. "))
    match = re.search(r"Trap share: A (\d+\.\d+), B (\d+\.\d+)", status.inner_text())
    assert match, status.inner_text()
    assert float(match.group(1)) < float(match.group(2))  # EFT gets couples out of the trap
    wait_for_figure(page, "#compare-graph", "scatter")
    names = {t["name"] for t in traces(page, "#compare-graph")}
    assert any(n.startswith("A: ") for n in names) and any(n.startswith("B: ") for n in names)
    assert any(n.endswith("without EFT") for n in names), names
    # beside the shares, the continuous indices: one more bar trace per side
    assert [t["type"] for t in traces(page, "#compare-graph")].count("bar") == 4
    assert re.search(r"mean pursue-withdraw index: A \d\.\d\d, B \d\.\d\d\.$",
                     status.inner_text())
    expect(page.locator("#compare-run")).to_be_enabled()
    shoot(page, "compare.png")


# --- About ------------------------------------------------------------------------------


def test_about_page_sections_and_opening_a_lesson(page: Page, server: Server) -> None:
    open_app(page, server)
    page.locator("button.nav", has_text="About this model").click()
    assert_page_shown(page, "about")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"\?page=about&"))
    headings = page.locator("#page-about h3").all_inner_texts()
    for title in ("What is it?", "How it works", "How to use it", "Things to notice",
                  "Things to try", "Extending the model", "Related models", "Known limits",
                  "References"):
        assert title in headings, headings
    expect(page.locator("#page-about")).not_to_contain_text("Numba")  # a teacher's words
    lessons = page.locator("#page-about .lesson")
    assert lessons.count() >= 2
    for index in range(lessons.count()):
        expect(lessons.nth(index).get_by_role("button", name="Open this lesson")).to_be_visible()
    shoot(page, "about.png")

    second = lessons.nth(1)
    title = re.sub(r"^\d+\.\s*", "", second.locator("h4").inner_text())
    second.get_by_role("button", name="Open this lesson").click()
    assert_page_shown(page, "couple")
    expect(page.locator("#scenario")).to_have_text(f"Lesson 2: {title}")  # the picker's label
    expect(page.locator("#share-link")).to_have_value(re.compile(r"[?&]scenario=\w+&"))
    outcome(page)


# --- Bad input --------------------------------------------------------------------------


def upload(page: Page, name: str, content: bytes) -> None:
    page.locator(UPLOAD_INPUT).set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": content}])


def test_bad_uploads_give_one_line_messages_and_the_app_still_works(page: Page,
                                                                    server: Server) -> None:
    open_app(page, server)
    assert "cycling" in outcome(page)
    before = figure(page, "#couple-graph")
    message = page.locator("#message")

    upload(page, "bad.toml", b'title = "x"\nsummary = "s"\ndescription = "d"\n'
                             b"[partner_a]\nanxiety = 7\n")
    expect(message).to_contain_text("bad.toml")
    text = one_line_message(page)
    for part in ("anxiety", "7", "allowed"):
        assert part in text, text
    shoot(page, "bad-upload.png")

    upload(page, "broken.toml", b"title = \n")
    expect(message).to_contain_text("broken.toml")
    assert "not valid TOML" in one_line_message(page)

    upload(page, "binary.toml", b"\xff\xfe\x00\x01")
    expect(message).to_contain_text("binary.toml")
    assert "UTF-8" in one_line_message(page)

    # Nothing was loaded: still the default couple, and the controls still work.
    expect(page.locator("#scenario")).to_have_text("The default couple")
    assert figure(page, "#couple-graph") == before
    set_param(page, "partner_a.anxiety", 0.1)
    wait_for_new_figure(page, "#couple-graph", before)
    expect(page.locator("#outcome")).not_to_contain_text("cycling")
    expect(message).to_be_empty()


def test_bad_url_names_the_bad_keys_and_renders_the_default_couple(page: Page,
                                                                  server: Server) -> None:
    open_app(page, server, "?partner_a.anxiety=7&bogus=1&page=couple")
    text = one_line_message(page)
    for part in ("partner_a.anxiety", "7", "allowed", "bogus"):
        assert part in text, text
    assert_page_shown(page, "couple")
    assert "cycling" in outcome(page)
    expect(page.locator("#scenario")).to_have_text("The default couple")
    link = page.locator("#share-link")
    expect(link).not_to_have_value(re.compile(r"partner_a\.anxiety="))
    expect(link).not_to_have_value(re.compile(r"bogus"))


# --- The URL ----------------------------------------------------------------------------

RESTORE_QUERY = ("?page=sweep&scenario=delayed_text&seed=5&partner_a.anxiety=0.65"
                 "&x=dyad.noise:0:0.3&y=partner_a.anxiety:0:1&points=5&reps=3&show=dissolved")


def test_url_restores_the_view_and_the_share_link_round_trips(page: Page,
                                                             server: Server) -> None:
    open_app(page, server, RESTORE_QUERY)
    expect(page.locator("#message")).to_be_empty()
    assert_page_shown(page, "sweep")
    expect(page.locator("#x-name")).to_contain_text("noise")
    expect(page.locator("#y-name")).to_contain_text("partner_a.anxiety")
    for box, value in (("#x-low", "0"), ("#x-high", "0.3"), ("#y-low", "0"), ("#y-high", "1"),
                       ("#points", "5"), ("#reps", "3")):
        expect(page.locator(box)).to_have_value(value)
    expect(page.locator("#show")).to_contain_text("dissolved")
    shoot(page, "url-restore.png")

    link = page.locator("#share-link").input_value()
    assert link.startswith(server.url("?"))
    for part in ("page=sweep", "scenario=delayed_text&", "seed=5&", "partner_a.anxiety=0.65&",
                 "points=5", "reps=3", "show=dissolved"):
        assert part in link, link
    open_app(page, server, link.removeprefix(server.url()))
    expect(page.locator("#share-link")).to_have_value(link)
    assert_page_shown(page, "sweep")

    page.locator("button.nav", has_text="One couple").click()
    assert_page_shown(page, "couple")
    expect(param(page, "partner_a.anxiety").locator("[role=slider]")).to_have_attribute(
        "aria-valuenow", "0.65")
    expect(param(page, "partner_a.anxiety").locator("input[type=number]")).to_have_value(
        "0.65")
    expect(page.locator("#seed")).to_have_value("5")
    expect(page.locator("#scenario")).not_to_have_text("The default couple")
    outcome(page)


# --- Keyboard ---------------------------------------------------------------------------


def test_controls_are_reachable_and_usable_by_keyboard(page: Page, server: Server) -> None:
    open_app(page, server)
    outcome(page)
    before = figure(page, "#couple-graph")

    page.locator("button.nav").first.focus()
    visited = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("(() => { const e = document.activeElement; "
                                "const owner = e.closest('[id]'); return [e.tagName, "
                                "e.getAttribute('role') || '', owner ? owner.id : '']; })()")
        visited.append(focused)
        if focused[1] == "slider":
            break
    assert visited[-1][1] == "slider", f"no slider reached by Tab; focus went: {visited}"
    assert '"type":"param"' in visited[-1][2], visited[-1]
    assert any(tag == "BUTTON" and owner.startswith('{"page":"sweep"')
               for tag, _, owner in visited), visited

    handle = page.locator(":focus")
    page.keyboard.press("Home")
    expect(handle).to_have_attribute("aria-valuenow", handle.get_attribute("aria-valuemin")
                                     or "")
    wait_for_new_figure(page, "#couple-graph", before)
    expect(page.locator("#share-link")).to_have_value(re.compile(r"\.\w+=0(\.0)?&"))

    sweep_button = page.locator("button.nav", has_text="Sweep")
    sweep_button.focus()
    page.keyboard.press("Enter")
    assert_page_shown(page, "sweep")


def test_the_skip_link_is_an_early_tab_stop_and_takes_the_focus_to_play(page: Page,
                                                                        server: Server) -> None:
    open_app(page, server)
    outcome(page)
    skip, play = page.locator("a.skip-link"), page.locator("#play")
    box = skip.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1, box  # out of sight

    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops = []  # from the top of the page: the page buttons, then the skip link
    for _ in range(len(PAGES) + 2):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.textContent"))
        if stops[-1] == "Skip to the run controls":
            break
    assert stops[-1] == "Skip to the run controls", stops
    assert len(stops) <= len(PAGES) + 1, stops  # before every control of the sidebar
    expect(skip).to_be_in_viewport()  # seen once it has the focus
    box = skip.bounding_box()
    assert box is not None and box["width"] > 50, box
    shoot(page, "couple-skip-link.png")

    page.keyboard.press("Enter")
    expect(play).to_be_focused()
    page.keyboard.press("Enter")  # Play, from the keyboard
    expect(play).to_have_text("Pause")
    page.keyboard.press("Enter")
    expect(play).to_have_text("Play")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#step")).to_be_focused()


def test_an_opened_replicate_lands_at_the_top_of_the_couple_page(page: Page,
                                                                 server: Server) -> None:
    open_app(page, server, "?page=sweep&points=5&reps=4")
    run_sweep(page)
    # the sweep's mean-field job ends first, so no job is left writing to the server's
    # cache when this module's server stops after the last test
    expect(page.locator("#meanfield-status")).to_have_text(MEANFIELD_STATUS)
    click_top_right_cell(page)
    button = page.locator("#cell-runs button").first
    button.scroll_into_view_if_needed()
    below = page.evaluate("() => window.scrollY")
    assert below > 200, below  # the buttons are far down the sweep page

    open_replicate(page, 0)
    outcome(page)
    page.wait_for_function("() => window.scrollY === 0")
    expect(page.locator("#scenario")).to_be_in_viewport()
    page.wait_for_timeout(500)  # the figures are drawn again: the page stays at its top
    assert page.evaluate("() => window.scrollY") == 0


# --- Regressions: bugs these tests found, now fixed ---------------------------------------


def test_a_large_seed_survives_the_share_link(page: Page, server: Server) -> None:
    seed = "9007199254740993"  # 2**53 + 1: allowed (run.seed is in [0, 2**63 - 1])
    open_app(page, server, f"?page=couple&seed={seed}")
    expect(page.locator("#message")).to_be_empty()
    expect(page.locator("#share-link")).to_have_value(re.compile(rf"[?&]seed={seed}&"),
                                                      timeout=5_000)
    expect(page.locator("#seed")).to_have_value(seed, timeout=5_000)


def test_an_opened_replicate_is_the_run_the_sweep_sampled(page: Page, server: Server) -> None:
    open_app(page, server, "?page=sweep&points=5&reps=4")
    run_sweep(page)
    click_top_right_cell(page)
    samples = traces(page, "#cell-graph")  # run on the server with the sweep's seeds
    expected, shown = [], []
    for k, sample in enumerate(samples):
        kind = sample["name"].split(": ", 1)[1]
        expected.append(f"Outcome after {span(int(sample['last_x']))}: {kind}:")
        open_replicate(page, k)
        shown.append(re.match(r"^Outcome after \d+ days?(?: \([^)]*\))?: \w+:",
                              outcome(page)).group(0))
        page.locator("button.nav", has_text="Sweep").click()
        assert_page_shown(page, "sweep")
    assert shown == expected


def test_the_scenario_picker_names_an_uploaded_scenario(page: Page, server: Server) -> None:
    open_app(page, server)
    outcome(page)
    upload(page, "mine.toml", b'title = "My own couple"\nsummary = "s"\ndescription = "d"\n'
                              b"[partner_a]\nanxiety = 0.2\n")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"partner_a\.anxiety=0\.2&"))
    expect(page.locator("#message")).to_be_empty()
    expect(page.locator("#scenario")).to_contain_text(re.compile("My own couple|mine.toml"),
                                                      timeout=5_000)


def test_pause_stops_playback(page: Page, server: Server) -> None:
    open_app(page, server)
    outcome(page)
    set_speed_to_fastest(page)
    play = page.locator("#play")
    for trial in range(5):
        page.locator("#reset").click()
        expect(page.locator("#outcome")).to_have_text(re.compile(r"^Day 0 \("))
        play.click()
        expect(play).to_have_text("Pause")
        wait_for_day_after(page, 0)
        play.click()
        expect(play).to_have_text("Play")
        page.wait_for_timeout(500)  # a frame already on its way may still be drawn
        paused = page.locator("#outcome").inner_text()
        assert paused.startswith("Day "), f"trial {trial}: Pause did not stop: {paused}"
        page.wait_for_timeout(1_000)  # five ticks: a paused run must not move on
        assert page.locator("#outcome").inner_text() == paused, f"trial {trial}: moved on"
        expect(play).to_have_text("Play")


# --- The mean-field overlay -------------------------------------------------------------

MEANFIELD_STATUS = re.compile(r"^Mean field \(no noise\): of \d+ cells, .+; (lines drawn: .+\.|"
                              r"the same end everywhere, no line\.) It predicts the simulated "
                              r"majority outcome in \d+% of cells\.$")
#: Sweep words a teacher should not meet in the mean-field legend (issue 17).
BOUNDARY_JARGON = ("threshold", "fold", "hopf", "bistable", "|")


def boundary_names(page: Page) -> list[str]:
    """The names of the heatmap's traces after the heatmap itself (the boundary curves)."""
    return [t["name"] for t in traces(page, "#heatmap")[1:]]


def test_sweep_draws_meanfield_boundaries_and_the_checkbox_hides_them(page: Page,
                                                                      server: Server) -> None:
    open_app(page, server, "?page=sweep&points=5&reps=4")
    assert_page_shown(page, "sweep")
    option = page.locator("#overlay input[value='meanfield']")
    expect(option).to_be_checked()  # on by default
    expect(page.locator("#overlay")).to_contain_text("Lines where the ending changes")

    run_sweep(page)
    status = page.locator("#meanfield-status")
    expect(status).to_contain_text("Mean field")
    expect(status).to_have_text(MEANFIELD_STATUS)
    page.wait_for_function(f"(sel) => ({TRACES_JS})(sel).length > 1", arg="#heatmap")
    heat = traces(page, "#heatmap")
    assert heat[0]["type"] == "heatmap" and heat[0]["rows"] == 5, heat
    names = boundary_names(page)
    assert names and all(t["type"] == "scatter" for t in heat[1:]), heat
    assert all(n.startswith("where ") for n in names), names  # plain words, no jargon
    assert not [n for n in names if any(w in n.lower() for w in BOUNDARY_JARGON)], names
    assert any(n.endswith("tip into the loop") for n in names), names
    dashes = page.evaluate("""() => document.querySelector('#heatmap .js-plotly-plot')
        ._fullData.slice(1).map(t => t.line.dash)""")
    assert len(set(dashes)) == len(dashes) == len(names), dashes  # each curve its own style
    for name in names:  # every curve drawn is one the status line names
        assert name in status.inner_text(), (name, status.inner_text())
    legend = page.locator("#heatmap .legendtext")
    expect(legend.first).to_be_visible()
    assert sorted(legend.all_text_contents()) == sorted(names)  # SVG: no innerText
    expect(legend.filter(has_text="tip into the loop").first).to_be_visible()
    shoot(page, "sweep-meanfield.png")

    option.uncheck()
    expect(option).not_to_be_checked()
    page.wait_for_function(f"(sel) => ({TRACES_JS})(sel).length === 1", arg="#heatmap")
    expect(legend).to_have_count(0)
    heat = traces(page, "#heatmap")
    assert [t["type"] for t in heat] == ["heatmap"] and heat[0]["rows"] == 5, heat
    expect(status).to_have_text(MEANFIELD_STATUS)  # the map is kept, only not drawn

    option.check()  # ... so checking the box again draws the same curves, with no new job
    page.wait_for_function(f"(sel) => ({TRACES_JS})(sel).length > 1", arg="#heatmap")
    assert boundary_names(page) == names
    expect(legend).to_have_count(len(names))
