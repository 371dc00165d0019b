"""The couple page's lesson panel: the run's own description, the lesson's goal, what to
notice (in weeks, or moments) and its questions, Back and Next, a glossary."""

from __future__ import annotations

import re
from typing import Any

from dashboard import compute, hub, ids, lesson, view
from dashboard.about import LESSONS
from dyadsim.plots import _TITLES
from dyadsim.scenario import Scenario, loads
from dyadsim.timeunits import week_of


def _ids(children: Any) -> list[Any]:
    """Every component id under ``children`` (depth first)."""
    found: list[Any] = []
    stack = list(children if isinstance(children, list) else [children])
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, str):
            continue
        if getattr(node, "id", None) is not None:
            found.append(node.id)
        kids = getattr(node, "children", None)
        if isinstance(kids, list):
            stack.extend(kids)
        elif kids is not None:
            stack.append(kids)
    return found


def _text(children: Any) -> str:
    out: list[str] = []
    stack = list(children if isinstance(children, list) else [children])
    while stack:
        node = stack.pop(0)
        if isinstance(node, str):
            out.append(node)
        elif node is not None:
            kids = getattr(node, "children", None)
            stack[0:0] = kids if isinstance(kids, list) else [kids]
    return " ".join(out)


def test_a_lesson_shows_its_place_its_description_and_back_and_next():
    name = LESSONS[2]
    current, _ = view.choose_scenario(view.default_view(), name)
    children = lesson.panel(current)
    text = _text(children)
    scenario = view.library_scenario(name)
    assert f"Lesson 3 of {len(LESSONS)}: {scenario.title}" in text
    assert " ".join(scenario.description.split()[:12]) in " ".join(text.split())
    assert _ids(children).count(ids.Couple.lesson_step(LESSONS[1])) == 1
    assert _ids(children).count(ids.Couple.lesson_step(LESSONS[3])) == 1


def _steps(current: dict[str, Any]) -> list[Any]:
    return [i for i in _ids(lesson.panel(current))
            if isinstance(i, dict) and i["type"] == ids.Couple.LESSON_STEP]


def test_the_first_and_last_lessons_have_one_step_and_the_default_couple_a_start():
    first, _ = view.choose_scenario(view.default_view(), LESSONS[0])
    last, _ = view.choose_scenario(view.default_view(), LESSONS[-1])
    assert _steps(first) == [ids.Couple.lesson_step(LESSONS[1])]
    assert _steps(last) == [ids.Couple.lesson_step(LESSONS[-2])]
    assert _steps(view.default_view()) == [ids.Couple.lesson_step(LESSONS[0])]


def test_next_opens_the_next_lesson_with_its_own_seed_and_a_forged_name_is_refused():
    current, _ = view.choose_scenario(view.default_view(), LESSONS[0])
    new, _, msg = hub.update_view(current, ids.Couple.lesson_step(LESSONS[1]), 1, {})
    assert new["scenario"] == LESSONS[1] and new["page"] == "couple" and not msg
    assert new["seed"] == str(view.library_scenario(LESSONS[1]).seed)
    same, _, msg = hub.update_view(current, ids.Couple.lesson_step("../../etc/passwd"), 1, {})
    assert same["scenario"] == LESSONS[0] and "not in the library" in msg
    rendered, _, _ = hub.update_view(current, ids.Couple.lesson_step(LESSONS[1]), None, {})
    assert rendered["scenario"] == LESSONS[0]  # a button rendered, not clicked: no change


def test_the_glossary_names_every_panel_of_the_run():
    terms = [term for term, _ in lesson.GLOSSARY]
    for title in _TITLES:
        assert title in terms, title


def test_the_first_load_shows_one_page_and_a_loading_caption():
    from dashboard import app

    shell = app.layout(view.default_view())
    pages = {c.id: getattr(c, "style", None) for c in shell.children
             if isinstance(getattr(c, "id", None), str) and c.id.startswith("page-")}
    assert pages.pop("page-couple") is None
    assert pages and all(style == {"display": "none"} for style in pages.values())
    sweep_first = app.layout({**view.default_view(), "page": "sweep"})
    shown = [c.id for c in sweep_first.children if isinstance(getattr(c, "id", None), str)
             and c.id.startswith("page-") and getattr(c, "style", None) is None]
    assert shown == ["page-sweep"]
    assert "Loading the run" in _text(shell)


def test_every_lesson_shows_its_goal_what_to_notice_with_the_weeks_and_its_questions():
    for name in LESSONS:
        current, _ = view.choose_scenario(view.default_view(), name)
        text = " ".join(_text(lesson.panel(current)).split())
        scenario = view.library_scenario(name)
        assert scenario.lesson is not None
        assert "Goal" in text and " ".join(scenario.lesson.goal.split()) in text, name
        assert "What to notice" in text and "Questions for discussion" in text, name
        for notice in scenario.lesson.notices:
            assert f"{lesson.when(notice, scenario)} {notice.text}" in text, (name, notice)
        for question in scenario.lesson.questions:
            assert question in text, (name, question)


def test_a_notice_is_placed_in_weeks_and_the_strange_situation_in_moments():
    trap = view.library_scenario("anxious_avoidant_trap")
    current, _ = view.choose_scenario(view.default_view(), "anxious_avoidant_trap")
    text = _text(lesson.panel(current))
    first, last = trap.lesson.notices[1].at  # days 22-35
    assert f"Weeks {week_of(first)}–{week_of(last)} " in text and "Weeks 4–5 " in text
    moments, _ = view.choose_scenario(view.default_view(), "strange_situation")
    text = _text(lesson.panel(moments))
    assert "Moments 31–40 " in text and "Moments 71–80 " in text
    assert "Week" not in text.split("What to notice")[1].split("Questions")[0]


def _with_lesson(steps: int, unit: str, *spans: tuple[int, int]) -> Scenario:
    notices = "".join(f'[[lesson.notice]]\nat = [{a}, {b}]\ntext = "x"\n' for a, b in spans)
    return loads(f'title = "t"\nsummary = "s"\ndescription = "d"\n[run]\nsteps = {steps}\n'
                 f'unit = "{unit}"\n[lesson]\ngoal = "g"\n{notices}', "t.toml")


def test_when_names_weeks_days_one_to_seven_being_week_one():
    s = _with_lesson(365, "day", (1, 7), (8, 14), (60, 89), (7, 8), (29, 365), (1, 365))
    assert s.lesson is not None
    assert [lesson.when(n, s) for n in s.lesson.notices] == [
        "Week 1", "Week 2", "Weeks 9–13", "Weeks 1–2", "From week 5", "Throughout"]
    m = _with_lesson(80, "moment", (41, 50), (5, 5), (71, 80))
    assert m.lesson is not None
    assert [lesson.when(n, m) for n in m.lesson.notices] == [
        "Moments 41–50", "Moment 5", "Moments 71–80"]


def test_a_couple_without_a_lesson_table_has_no_goal_or_questions():
    text = _text(lesson.panel(view.default_view()))
    assert "Goal" not in text and "Questions for discussion" not in text
    assert "What to notice" not in text


def test_the_glossary_says_moment_where_a_step_is_a_moment():
    moments, _ = view.choose_scenario(view.default_view(), "strange_situation")
    days, _ = view.choose_scenario(view.default_view(), "secure_secure")
    assert "one moment of a short procedure" in _text(lesson.panel(moments))
    assert "one moment of a short procedure" not in _text(lesson.panel(days))
    assert lesson.GLOSSARY[0][1] in _text(lesson.panel(days))


def test_each_notice_is_a_button_that_names_its_first_day_and_is_read_from_the_view():
    current, _ = view.choose_scenario(view.default_view(), "anxious_avoidant_trap")
    notices = view.library_scenario("anxious_avoidant_trap").lesson.notices
    buttons = [i for i in _ids(lesson.panel(current))
               if isinstance(i, dict) and i["type"] == ids.Couple.NOTICE]
    assert sorted(b["index"] for b in buttons) == list(range(len(notices)))
    assert [lesson.notice_start(current, k) for k in range(len(notices))] == [
        n.at[0] for n in notices]
    # the index comes from the browser: anything but an integer in range is ignored
    for forged in (-1, len(notices), "1", 1.0, True, None, [0]):
        assert lesson.notice_start(current, forged) is None, forged
    plain, _ = view.choose_scenario(view.default_view(), "job_loss")
    assert view.library_scenario("job_loss").lesson is None
    assert lesson.notice_start(plain, 0) is None


def test_the_strange_situation_speaks_in_moments_on_the_whole_couple_page():
    """Caption, playback line, outcome line and time axis say moments, never days or weeks."""
    from dashboard.pages import couple as couple_page

    current, _ = view.choose_scenario(view.default_view(), "strange_situation")
    key = compute.couple_key(current)
    figure, _, text, line = couple_page.render_couple({"key": key, "i": 45}, current)
    assert text.startswith("Moment 45") and line == "Moment 45 of 80 moments."
    _, _, text, line = couple_page.render_couple(None, current)
    assert line.startswith("End of the procedure after 80 moments. Means over the run: ")
    axes = [v for k, v in figure.layout.to_plotly_json().items() if k.startswith("xaxis")]
    assert all(a["tickmode"] == "linear" and a["dtick"] == 10 for a in axes)
    assert [a["title"]["text"] for a in axes if a.get("title")] == ["moment"]
    for said in (text, line):
        assert not re.search(r"\b(day|days|week|weeks|month|months)\b", said, re.I), said
    # a couple's run still speaks in days
    trap, _ = view.choose_scenario(view.default_view(), "anxious_avoidant_trap")
    _, _, text, line = couple_page.render_couple(None, trap)
    assert text.startswith("Day 365 (week 53)") and line.startswith("Outcome after 365 days")


def test_the_picker_lists_the_lessons_in_teaching_order_then_the_rest():
    from dashboard.widgets import scenario_options

    options = scenario_options()
    values = [o["value"] for o in options]
    assert values[0] == "default"
    assert tuple(values[1:1 + len(LESSONS)]) == LESSONS
    assert options[2]["label"] == f"Lesson 2: {view.library_scenario(LESSONS[1]).title}"
    rest = options[1 + len(LESSONS):]
    assert sorted(values[1:]) == sorted(view.library_names())  # every scenario, once
    assert [o["label"] for o in rest] == sorted(o["label"] for o in rest)


def test_the_slider_groups_are_titled_with_the_scenarios_partners():
    from dashboard.pages import couple as couple_page

    current, _ = view.choose_scenario(view.default_view(), "secure_secure")
    a, b = view.library_scenario("secure_secure").names
    parts = couple_page.derived(current)
    assert (parts["legend_partner_a"], parts["legend_partner_b"]) == (
        f"Partner A ({a})", f"Partner B ({b})")
    assert (a, b) != ("Sam", "Alex")  # the default couple's names would not do
    assert couple_page.derived(view.default_view())["legend_partner_a"] == "Partner A (Sam)"
