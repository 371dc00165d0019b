"""End-to-end tests of the life pages: the real server, driven in Debian's Chromium.

The server, browser and page fixtures are tests/test_dashboard_browser.py's (one server
for this module, a fresh page per test; every test fails on a console error, an uncaught
exception or a server traceback). Screenshots go to ``out/screenshots/``.
"""

from __future__ import annotations

import re

import test_dashboard_browser as base
from playwright.sync_api import Page, expect
from test_dashboard_browser import (
    Server,
    assert_page_shown,
    figure,
    one_line_message,
    open_app,
    shoot,
    traces,
    wait_for_figure,
    wait_for_new_figure,
)

from dashboard.lifefigures import EPISODE_SHORT

# The fixtures, bound here so pytest finds them in this module.
server = base.server
page = base.page

LIFE = "?page=life&life_caregiver=inconsistent&life_person=1"
POPULATION = "?page=population&pop_people=60&pop_years=3&pop_origin=uniform"


def slider_to(page: Page, selector: str, key: str) -> None:
    """Move a slider to its end (``End``) or start (``Home``) by keyboard."""
    handle = page.locator(f"{selector} [role=slider]")
    handle.focus()
    handle.press(key)
    limit = "aria-valuemax" if key == "End" else "aria-valuemin"
    expect(handle).to_have_attribute("aria-valuenow", handle.get_attribute(limit) or "")


def test_life_course_page_draws_a_life_and_the_bias_changes_it(page: Page,
                                                               server: Server) -> None:
    open_app(page, server, LIFE)
    assert_page_shown(page, "life")
    wait_for_figure(page, "#life-graph", "scatter")
    expect(page.locator("#life-summary")).to_have_text(re.compile(
        r"^Person 1 of 60: a caregiver of sensitivity 0\.85 and consistency 0\.40; .*"
        r"Strange Situation class [ABC] "))
    names = {t["name"] for t in traces(page, "#life-graph")}
    assert {"child's trust (infancy)", "anxiety (adult, year by year)",
            "distress (activation)"} <= names
    # the eight episodes are labelled on the figure
    for k, label in enumerate(EPISODE_SHORT, start=1):
        expect(page.locator("#life-graph .annotation-text",
                            has_text=f"{k} {label}")).to_have_count(1)
    shoot(page, "life.png")

    before = figure(page, "#life-graph")
    slider_to(page, "#life-bias", "End")
    wait_for_new_figure(page, "#life-graph", before)
    expect(page.locator("#share-link")).to_have_value(re.compile(r"[?&]life_bias=10\.0(&|$)"))
    # the childhood stays: only the adult years depend on the bias
    expect(page.locator("#life-summary")).to_have_text(re.compile(r"consistency 0\.40"))


def test_a_bad_life_setting_in_the_link_is_one_line_and_the_life_is_drawn(
        page: Page, server: Server) -> None:
    open_app(page, server, "?page=life&life_caregiver=cruel&life_person=99")
    text = one_line_message(page)
    assert "life_caregiver = 'cruel': not allowed; allowed: population, sensitive" in text
    assert "life_person = '99': not allowed; allowed: a whole number in [0, 59]" in text
    assert_page_shown(page, "life")
    wait_for_figure(page, "#life-graph", "scatter")
    expect(page.locator("#life-summary")).to_have_text(re.compile(r"^Person 0 of 60"))


def test_population_page_runs_and_the_bias_changes_the_matrix(page: Page,
                                                              server: Server) -> None:
    open_app(page, server, POPULATION)
    assert_page_shown(page, "population")
    page.locator("#population-run").click()
    status = page.locator("#population-status")
    expect(status).to_have_text(re.compile(r"^Done: 60 people over 3 years, at bias 2 "))
    wait_for_figure(page, "#pop-matrix", "heatmap")
    assert [t["type"] for t in traces(page, "#pop-matrix")] == ["heatmap", "heatmap"]
    assert traces(page, "#pop-shares")[0]["type"] == "bar"
    shoot(page, "population.png")

    before = figure(page, "#pop-matrix")
    slider_to(page, "#pop-bias", "End")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"[?&]pop_bias=10\.0(&|$)"))
    page.locator("#population-run").click()
    expect(status).to_have_text(re.compile(r"^Done: 60 people over 3 years, at bias 10 "))
    wait_for_new_figure(page, "#pop-matrix", before)


def test_the_navigation_opens_both_life_pages(page: Page, server: Server) -> None:
    open_app(page, server)
    page.locator("button.nav", has_text="Population").click()
    assert_page_shown(page, "population")
    expect(page.locator("#share-link")).to_have_value(re.compile(r"\?page=population&"))
    page.locator("button.nav", has_text="Life course").click()
    assert_page_shown(page, "life")
    wait_for_figure(page, "#life-graph", "scatter")
