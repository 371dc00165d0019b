"""The dashboard's life pages: the view's life and population settings, their checks and
link, the hub's controls, the Life course page's life and figure, and the Population job.

The callbacks are called as plain functions, as in tests/test_dashboard.py.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from dash.exceptions import PreventUpdate

from dashboard import guard, hub, ids, lifecourse, lifefigures, lifeview, urlcodec
from dashboard import view as views
from dashboard.pages import PAGES
from dashboard.pages import life as life_page
from dashboard.pages import population as population_page
from dyadsim.life import population, strange
from dyadsim.life.params import LIFE_REGISTRY, life_params


def life_view(**life: Any) -> dict[str, Any]:
    view = views.default_view()
    view["page"] = "life"
    view["life"].update(life)
    return view


# --- The view, its checks and the link ---------------------------------------------------------


def test_the_life_pages_are_in_the_navigation_before_about():
    names = [p.NAME for p in PAGES]
    assert names == list(views.PAGES)
    assert names.index("life") < names.index("population") < names.index("about")
    assert {"life": "Life course", "population": "Population"} == {
        p.NAME: p.TITLE for p in PAGES if p.NAME in ("life", "population")}


def test_a_link_round_trips_the_life_and_population_settings():
    view = views.default_view()
    view["page"] = "population"
    view["life"] = {"person": 17, "seed": "9007199254740993", "bias": -3.5,
                    "caregiver": "inconsistent"}
    view["population"] = {"people": 120, "years": 7, "seed": "42", "bias": 6.0,
                          "origin": "uniform"}
    query = urlcodec.to_query(view)
    assert "life_caregiver=inconsistent" in query and "pop_origin=uniform" in query
    back, errors = urlcodec.from_query(query)
    assert errors == []
    assert back == view


@pytest.mark.parametrize("key,value,allowed", [
    ("life_person", "60", "[0, 59]"),
    ("life_person", "2.5", "a whole number"),
    ("life_seed", "-4", "a whole number in [0, 9223372036854775807]"),
    ("life_bias", "11", "[-10, 10]"),
    ("life_bias", "nan", "[-10, 10]"),
    ("life_caregiver", "cruel", "population, sensitive, inconsistent, rejecting"),
    ("pop_people", "100000", f"[{lifeview.PEOPLE_RANGE[0]}, {lifeview.PEOPLE_RANGE[1]}]"),
    ("pop_years", "0", f"[{lifeview.YEARS_RANGE[0]}, {lifeview.YEARS_RANGE[1]}]"),
    ("pop_seed", "x", "a whole number"),
    ("pop_bias", "-1e9", "[-10, 10]"),
    ("pop_origin", "/etc/passwd", "childhood, uniform"),
])
def test_a_bad_life_key_in_the_link_is_one_line_and_the_rest_applies(key, value, allowed):
    rest = "&".join(f"{k}={v}" for k, v in (("pop_years", 9), ("life_person", 3))
                    if k != key)
    view, errors = urlcodec.from_query(f"?{key}={value}&{rest}&page=life")
    assert len(errors) == 1
    assert errors[0].startswith(f"{key} = ") and repr(value) in errors[0]
    assert allowed in errors[0] and "\n" not in errors[0]
    assert view["page"] == "life"
    if key != "pop_years":
        assert view["population"]["years"] == 9
    if key != "life_person":
        assert view["life"]["person"] == 3


def test_the_hub_reports_a_bad_link_key_in_the_message():
    new, _, message = hub.update_view(views.default_view(), "url",
                                      "?life_caregiver=cruel&page=population", {})
    assert new["page"] == "population"
    assert new["life"]["caregiver"] == "population"
    assert message.startswith("In the link: life_caregiver = 'cruel'")


@pytest.mark.parametrize("part,change,needle", [
    ("life", {"person": -1}, "life.person = -1"),
    ("life", {"caregiver": None}, "life.caregiver = None"),
    ("life", {"bias": True}, "life.bias = True"),
    ("life", {"extra": 1}, "life.'extra': unknown key"),
    ("population", {"people": 10**9}, "population.people = 1000000000"),
    ("population", {"origin": ["uniform"]}, "population.origin = ['uniform']"),
])
def test_a_forged_view_store_is_refused_with_one_line(part, change, needle):
    view = views.default_view()
    view[part] = {**view[part], **change}
    with pytest.raises(guard.Refused, match="^" + needle.replace("[", r"\[").replace(
            "(", r"\(")):
        guard.check_view(view)
    new, _, message = hub.update_view(view, "url", "", {})
    assert new == views.default_view()
    assert message.startswith("The page's view was reset: " + needle)


def test_a_view_without_the_life_parts_is_refused():
    view = views.default_view()
    del view["population"]
    with pytest.raises(guard.Refused, match="population = None"):
        guard.check_view(view)


# --- The hub: the pages' controls --------------------------------------------------------------


@pytest.mark.parametrize("page,kind,part,key,value,expected", [
    (life_page, "life_person", "life", "person", 12, 12),
    (life_page, "life_seed", "life", "seed", " 77 ", "77"),
    (life_page, "life_bias", "life", "bias", -2.5, -2.5),
    (life_page, "life_caregiver", "life", "caregiver", "rejecting", "rejecting"),
    (population_page, "pop_people", "population", "people", 50, 50),
    (population_page, "pop_years", "population", "years", 3, 3),
    (population_page, "pop_seed", "population", "seed", "5", "5"),
    (population_page, "pop_bias", "population", "bias", 4, 4.0),
    (population_page, "pop_origin", "population", "origin", "uniform", "uniform"),
])
def test_a_control_changes_its_setting_and_the_controls_show_it(page, kind, part, key,
                                                                  value, expected):
    before = views.default_view()
    new, values, message = hub.update_view(copy.deepcopy(before), kind, value, {})
    assert message == ""
    assert new[part][key] == expected
    assert values[kind] == expected
    assert {k: v for k, v in new.items() if k != part} == {
        k: v for k, v in before.items() if k != part}
    assert page.controls(new)[kind] == expected


@pytest.mark.parametrize("kind,value,needle", [
    ("life_person", 1000, "life_person = 1000: not allowed; allowed: a whole number in "
                          "[0, 59]"),
    ("life_seed", "1e3", "life_seed = '1e3': not allowed"),
    ("life_bias", "/etc/passwd", "life_bias = '/etc/passwd': not allowed"),
    ("life_caregiver", {"x": 1}, "life_caregiver = {'x': 1}: not allowed"),
    ("pop_people", 19, "pop_people = 19: not allowed"),
    ("pop_years", None, "pop_years = None: not allowed"),
    ("pop_origin", "nowhere", "pop_origin = 'nowhere': not allowed; allowed: childhood, "
                              "uniform"),
])
def test_a_bad_control_value_snaps_back_with_one_line(kind, value, needle):
    before = views.default_view()
    new, values, message = hub.update_view(copy.deepcopy(before), kind, value, {})
    assert new == before
    assert message == needle or message.startswith(needle)
    part, key = lifeview.QUERY_KEYS[kind]
    assert values[kind] == before[part][key]  # the control shows the kept value


def test_the_population_spec_follows_the_view():
    view = views.default_view()
    view["population"]["bias"] = -4.0
    parts = hub.page_parts(view, "http://127.0.0.1:8050/")
    assert parts["population_spec"] == view["population"]
    assert "pop_bias=-4.0" in parts["link"]


def test_life_overrides_fix_the_caregiver_or_keep_the_population_law():
    assert lifeview.life_overrides("population", 1.5) == {"life.familiarity_bias": 1.5}
    fixed = lifeview.life_overrides("rejecting", 0.0)
    assert fixed["caregiver.sensitivity_sd"] == fixed["caregiver.consistency_sd"] == 0.0
    assert fixed["caregiver.sensitivity_mean"] < 0.5 <= fixed["caregiver.consistency_mean"]
    life_params(fixed)  # every override is a registry value


# --- The Life course page -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def course() -> dict[str, Any]:
    return lifecourse.life_course({**views.default_view()["life"], "person": 5})


def test_a_life_is_the_engines_story_of_that_person(course):
    life = life_params(lifeview.life_overrides("population", 2.0))
    told = population.story(1, life, person=5, years=lifeview.LIFE_YEARS,
                            town_size=lifeview.LIFE_TOWN)
    child = told["childhood"]
    assert course["caregiver"]["sensitivity"] == pytest.approx(child["sensitivity"])
    assert course["learned"]["trust"] == pytest.approx(child["trust"])
    assert course["adult_start"] == pytest.approx(child["adult"])
    assert course["childhood"]["age"] == pytest.approx(list(range(1, 19)))
    assert course["childhood"]["anxiety"] == pytest.approx([a for a, _ in child["by_age"]])
    assert course["childhood"]["anxiety"][-1] == pytest.approx(child["adult"][0])
    assert course["adult"]["anxiety"] == pytest.approx(told["traits"]["anxiety"].tolist())
    assert len(course["relationships"]) == len(told["relationships"])
    ordered = told["relationships"].sort_values("start_day", kind="stable")
    assert [r["partner"] for r in course["relationships"]] == ordered["partner"].tolist()
    assert [r["start_age"] for r in course["relationships"]] == pytest.approx(
        (18 + ordered["start_day"] / 365).tolist())


def test_the_redrawn_series_end_where_the_engine_ended(course):
    # the infancy run, recorded more often, ends on the trust the engine learned; the
    # Strange Situation, recorded again, gives the engine's class
    assert course["infancy"]["trust"][-1] == pytest.approx(course["learned"]["trust"])
    assert course["infancy"]["age"][0] == 0.0
    assert course["infancy"]["age"][-1] == pytest.approx(
        LIFE_REGISTRY["child.infancy_days"].default / 365)
    st = course["strange"]
    assert st["class"] == st["engine_class"]
    assert len(st["episodes"]) == 8 == len(strange.EPISODES)
    assert [e["away"] for e in st["episodes"]] == [
        k in strange.SEPARATIONS for k in range(1, 9)]
    steps = {len(s) for s in st["series"].values()}
    assert steps == {st["episodes"][-1]["end"] + 1}
    assert all(1.0 <= v <= 7.0 for v in st["scales"].values())


@pytest.mark.parametrize("caregiver,cls", [("sensitive", "B"), ("inconsistent", "C"),
                                           ("rejecting", "A")])
def test_the_caregiver_control_sets_the_infancy_caregiver(caregiver, cls):
    course = lifecourse.life_course({**views.default_view()["life"], "caregiver": caregiver})
    fixed = lifeview.CAREGIVERS[caregiver]
    assert (course["caregiver"]["sensitivity"], course["caregiver"]["consistency"]) == \
        pytest.approx(fixed)
    assert course["strange"]["class"] in strange.CLASSES
    # the lead's calibration: these caregivers give these classes for person 0, seed 1
    assert course["strange"]["class"] == cls


def test_the_life_figure_shows_a_timeline_on_age_and_the_eight_episodes(course):
    fig = lifefigures.life_figure(course)
    names = [t.name for t in fig.data]
    assert "child's trust (infancy)" in names
    assert "anxiety (adult, year by year)" in names
    assert sum(1 for t in fig.data if t.xaxis == "x2") == len(lifecourse.STRANGE_SERIES)
    bands = [s for s in fig.layout.shapes if s.xref == "x" and s.type == "rect"]
    assert len(bands) == len(course["relationships"])
    episodes = [s for s in fig.layout.shapes if s.xref == "x2" and s.type == "rect"]
    assert len(episodes) == 8
    labels = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("Strange Situation: ") for t in labels)
    assert any("reunion scales" in t for t in labels)
    assert fig.layout.xaxis.title.text.startswith("age (years)")
    summary = lifefigures.life_summary(course)
    assert summary.startswith("Person 5 of ") and "Strange Situation class" in summary


def test_render_life_draws_only_on_its_page_and_refuses_a_forged_view(course):
    with pytest.raises(PreventUpdate):
        life_page.render_life(views.default_view())  # the couple page is shown
    fig, text = life_page.render_life(life_view(person=5))
    assert text == lifefigures.life_summary(course)
    assert len(fig.data) > 5
    forged = life_view()
    forged["life"]["person"] = "../../etc/passwd"
    blank, message = life_page.render_life(forged)
    assert message.startswith("life.person = '../../etc/passwd': not allowed")
    assert len(blank.data) == 0


def test_the_bias_changes_the_adult_life_but_not_the_childhood():
    # inconsistent care makes the town anxious, and the bias acts through the anxiety
    base = {**views.default_view()["life"], "caregiver": "inconsistent"}
    a = lifecourse.life_course({**base, "bias": -10.0})
    b = lifecourse.life_course({**base, "bias": 10.0})
    assert a["caregiver"] == b["caregiver"] and a["strange"] == b["strange"]
    assert a["adult"] != b["adult"] or a["relationships"] != b["relationships"]


# --- The Population page -----------------------------------------------------------------------


SMALL = {"people": 40, "years": 3, "seed": "3", "bias": 6.0, "origin": "uniform"}


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    return lifecourse.population_runs(SMALL)


def test_population_runs_are_the_engines_summary_at_the_bias_and_at_random(runs):
    for key, bias in (("biased", 6.0), ("random", 0.0)):
        run = runs[key]
        summary = population.run_population(40, 3, {"life.familiarity_bias": bias}, 3,
                                            origin="uniform").to_dict()
        assert run["bias"] == bias
        assert run["observed"] == [[summary["pairing"]["observed"][r][c]
                                    for c in run["styles"]] for r in run["styles"]]
        assert run["earned"] == summary["earned_security"]
        assert run["anxious"] == summary["anxious_at_18"]
        obs = np.array(run["observed"])
        assert obs.sum() == pytest.approx(1.0, abs=1e-4) and np.allclose(obs, obs.T)


def test_population_job_reports_progress_and_draws_both_figures(runs):
    seen: list[tuple[str, str]] = []
    matrix, shares, status = population_page.population_job(seen.append, SMALL)
    assert seen[-1] == ("2", "2") and seen[0] == ("0", "2")
    assert status.startswith("Done: 40 people over 3 years, at bias 6 and with random choice")
    heatmaps = [t for t in matrix.data if t.type == "heatmap"]
    assert len(heatmaps) == 2
    assert heatmaps[0].z == tuple(tuple(r) for r in runs["biased"]["observed"]) or \
        np.allclose(np.array(heatmaps[0].z, dtype=float), runs["biased"]["observed"])
    assert all(t.texttemplate == "%{text}" for t in heatmaps)  # the numbers are shown
    bars = shares.data[0]
    assert list(bars.x) == ["bias 6", "random choice (bias 0)"]
    assert list(bars.y) == pytest.approx([runs["biased"]["earned"] or 0.0,
                                          runs["random"]["earned"] or 0.0])


@pytest.mark.parametrize("spec,needle", [
    (None, "population = None: not allowed"),
    ({**SMALL, "people": 10**7}, "population.people = 10000000: not allowed"),
    ({**SMALL, "origin": "/etc/passwd"}, "population.origin = '/etc/passwd': not allowed"),
    ({**SMALL, "out": "/tmp/x"}, "population.'out': unknown key"),
])
def test_a_forged_population_spec_runs_nothing_and_says_why(spec, needle, monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the population ran")

    monkeypatch.setattr(population, "run_population", refuse)
    _, _, status = population_page.population_job(None, spec)
    assert status.startswith(f"The population cannot run: {needle}")


def test_the_earned_security_bar_says_when_nobody_was_anxious(runs):
    empty = {k: {**v, "earned": None, "anxious": 0} for k, v in runs.items()}
    fig = lifefigures.shares_figure(empty)
    assert list(fig.data[0].text) == ["nobody anxious at 18"] * 2
    assert list(fig.data[0].y) == [0.0, 0.0]


def test_the_layouts_have_every_control_the_hub_writes():
    current = views.default_view()
    for page in (life_page, population_page):
        tree = page.layout(current)
        found = set()
        stack = [tree]
        while stack:
            node = stack.pop()
            found.add(getattr(node, "id", None))
            children = getattr(node, "children", None)
            stack += children if isinstance(children, list) else (
                [children] if hasattr(children, "children") else [])
        wanted = {cid for cid, _ in page.CONTROLS.values()}
        assert wanted <= found, wanted - found
    assert ids.Population.SPEC in found
