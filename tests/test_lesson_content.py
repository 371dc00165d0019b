"""Every lesson's default seed shows what the lesson teaches, and the ``[lesson]`` table's
keys are checked like every other key of a scenario file.

For each lesson (:data:`dashboard.about.LESSONS`) the test runs the file's default seed once,
the run ``dyadsim run NAME`` and the couple page show, and holds the lesson to what it says:
the outcome in ``shows`` and every notice's check over its steps.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from dashboard.about import LESSONS
from dyadsim import expectations, outcomes
from dyadsim.runner import Replicates
from dyadsim.scenario import STEP_UNITS, Lesson, Notice, Scenario, ScenarioError, find, loads
from dyadsim.streams import run_seeds


@functools.cache
def default_run(name: str) -> tuple[Scenario, Replicates]:
    """The lesson's scenario and its default seed's single run (every step recorded)."""
    scenario = find(name)
    return scenario, expectations.run(scenario, 1, record=True)


def outcome_of(result: Replicates) -> str:
    return outcomes.OUTCOMES[int(result.outcome[0])]


def notice_failures(lesson: Lesson, result: Replicates) -> list[str]:
    """Every notice check that does not hold on ``result`` (one line each)."""
    failed = []
    for number, notice in enumerate(lesson.notices, start=1):
        if notice.of is None or notice.within is None:
            continue
        value = float(expectations.quantity(result, notice.of, notice.at)[0])
        low, high = notice.within
        if not (np.isfinite(value) and low <= value <= high):
            failed.append(f"notice #{number} ({notice.text[:50]}...): {notice.of} over steps "
                          f"{notice.at[0]}-{notice.at[1]} = {value:.3f}, not in "
                          f"[{low:g}, {high:g}]")
    return failed


# --- Content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_has_a_goal_notices_questions_and_an_outcome(name):
    scenario = find(name)
    lesson = scenario.lesson
    assert lesson is not None, f"{name}: no [lesson] table"
    assert lesson.goal.strip() and len(lesson.goal) <= 250
    assert len(lesson.notices) >= 2 and len(lesson.questions) >= 2
    assert lesson.shows or lesson.shows_not, f"{name}: no `shows`"
    assert sum(n.of is not None for n in lesson.notices) >= 2, f"{name}: fewer than 2 checks"
    starts = [n.at[0] for n in lesson.notices]
    assert all(1 <= n.at[0] <= n.at[1] <= scenario.steps for n in lesson.notices)
    assert len(set(n.text for n in lesson.notices)) == len(starts)


@pytest.mark.parametrize("name", LESSONS)
def test_the_default_seed_ends_as_the_lesson_says(name):
    scenario, result = default_run(name)
    assert scenario.lesson is not None
    assert run_seeds(scenario.seed, 1) == [scenario.seed]  # the run the couple page plays
    got = outcome_of(result)
    assert scenario.lesson.allows(got), (
        f"{name} (seed {scenario.seed}) ends {got}; the lesson says "
        f"{scenario.lesson.shows_text()}")


@pytest.mark.parametrize("name", LESSONS)
def test_every_notice_holds_on_the_default_seed(name):
    scenario, result = default_run(name)
    assert scenario.lesson is not None
    assert notice_failures(scenario.lesson, result) == []


def test_a_notice_or_an_outcome_the_run_does_not_show_is_caught():
    scenario, result = default_run("secure_secure")
    assert scenario.lesson is not None and outcome_of(result) == "settled"
    wrong = Lesson("g", ("q",), (Notice((1, 365), "The loop locks in.", "dyad.pursue_withdraw",
                                        (0.5, 1.0)),
                                 Notice((1, 90), "No check here."),
                                 Notice((1, 90), "Calm.", "partner_a.activation", (0.0, 0.5))),
                   shows=("trap",))
    failures = notice_failures(wrong, result)
    assert len(failures) == 1 and failures[0].startswith("notice #1 ")
    assert not wrong.allows("settled") and wrong.allows("cycling")
    assert not Lesson("g", shows_not=("trap",)).allows("escalated")


def test_the_checked_run_is_the_couple_pages_reference_run():
    """The batch run checked above is the Mesa reference model's run at the same seed."""
    from dyadsim.model import DyadModel

    scenario, result = default_run("anxious_avoidant_trap")
    traj = DyadModel(scenario.params, rng=run_seeds(scenario.seed, 1)[0],
                     timeline=scenario.timeline()).run(scenario.steps).trajectory()
    assert outcomes.assess(traj)[0] == outcome_of(result)
    np.testing.assert_allclose(traj["partner_a.activation"].to_numpy(),
                               result.column("partner_a.activation")[0], atol=1e-9)


def test_only_the_strange_situation_counts_moments():
    units = {name: find(name).unit for name in LESSONS}
    assert units.pop("strange_situation") == "moment"
    assert set(units.values()) == {"day"}


# --- The format: round trip and bad input ----------------------------------------------------

BASE = """\
title = "Base"
summary = "A small valid scenario."
description = "For the tests."

[run]
steps = 100
seed = 3

[lesson]
goal = "What the student should understand."
questions = ["First question?", "Second question?"]
shows = { outcome = ["settled", "distant"] }

[[lesson.notice]]
at = [10, 20]
text = "Distress stays low."
of = "partner_a.activation"
within = [0.0, 0.5]

[[lesson.notice]]
at = [30, 30]
text = "A plain remark, without a check."
"""


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_the_lesson_table_loads_and_round_trips():
    s = loads(BASE, "base.toml")
    assert s.unit == "day" and s.lesson is not None
    assert s.lesson.questions == ("First question?", "Second question?")
    assert s.lesson.notices[0] == Notice((10, 20), "Distress stays low.",
                                         "partner_a.activation", (0.0, 0.5))
    assert s.lesson.notices[1].of is None and s.lesson.shows == ("settled", "distant")
    assert loads(s.dumps(), "again.toml") == s
    moments = loads(edit("seed = 3\n", 'seed = 3\nunit = "moment"\n'), "m.toml")
    assert moments.unit == "moment" and 'unit = "moment"' in moments.dumps()
    assert loads(moments.dumps()) == moments and moments.to_dict()["lesson"]["goal"]
    assert "unit" not in s.to_dict()["run"]  # the default is not written
    assert set(STEP_UNITS) == {"day", "moment"}
    shown_not = loads(edit('outcome = ["settled", "distant"]', 'not = ["trap"]'), "n.toml")
    assert shown_not.lesson is not None and shown_not.lesson.shows_not == ("trap",)
    assert loads(shown_not.dumps()) == shown_not


def test_a_scenario_without_a_lesson_still_loads():
    s = loads(BASE.split("[lesson]")[0], "plain.toml")
    assert s.lesson is None and "lesson" not in s.to_dict()


BAD = [
    (edit('goal = "What', 'goals = "x"\ngoal = "What'),
     ["lesson.goals", "unknown key", "did you mean 'goal'", "allowed: goal, questions"]),
    (edit("at = [10, 20]", "at = [90, 120]"),
     ["lesson.notice #1.at", "[90, 120]", "past the run's end", "<= 100"]),
    (edit("at = [10, 20]", "at = [0, 20]"),
     ["lesson.notice #1.at", "[0, 20]", "1 <= FIRST <= LAST"]),
    (edit("at = [10, 20]", "at = [20, 10]"), ["lesson.notice #1.at", "not a span of steps"]),
    (edit("at = [10, 20]", 'at = "week 2"'), ["lesson.notice #1.at", "'week 2'"]),
    (edit('"settled", "distant"', '"settled", "broken up"'),
     ["lesson.shows.outcome", "'broken up'", "unknown outcome", "settled, escalated", "trap"]),
    (edit('outcome = ["settled", "distant"]', 'ends = ["settled"]'),
     ["lesson.shows.ends", "unknown key", "allowed: outcome, not"]),
    (edit('outcome = ["settled", "distant"]', 'outcome = ["settled"], not = ["settled"]'),
     ["lesson.shows", "both shown and not"]),
    (edit("seed = 3\n", 'seed = 3\nunit = "week"\n'),
     ["run.unit", "'week'", "unknown", 'one of "day", "moment"']),
    (edit("seed = 3\n", "seed = 3\nunit = 7\n"), ["run.unit", "7", "wrong type", '"moment"']),
    (edit('of = "partner_a.activation"\n', 'of = "partner_a.mood"\n'),
     ["lesson.notice #1.of", "'partner_a.mood'", "unknown quantity", "dyad.pursue_withdraw"]),
    (edit("within = [0.0, 0.5]\n", ""), ["lesson.notice #1.within", "missing", "together"]),
    (edit("within = [0.0, 0.5]", "within = [0.5, 0.1]"),
     ["lesson.notice #1.within", "not an interval", "LOW <= HIGH"]),
    (edit('text = "Distress stays low."\n', ""), ["lesson.notice #1.text", "missing"]),
    (edit('goal = "What the student should understand."\n', ""), ["lesson.goal", "missing"]),
    (edit('questions = ["First question?", "Second question?"]', 'questions = "Why?"'),
     ["lesson.questions", "'Why?'", "an array of at most 20 non-empty strings"]),
    (BASE.split("[run]")[0].replace('tests."\n', 'tests."\nlesson = "teach"\n'),
     ["lesson = 'teach'", "wrong type", "a table"]),
]


@pytest.mark.parametrize("text,needles", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_lesson_keys_give_one_line_naming_key_value_and_what_is_allowed(text, needles):
    with pytest.raises(ScenarioError) as err:
        loads(text, "broken.toml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("broken.toml: "), message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
