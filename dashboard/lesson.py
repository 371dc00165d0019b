"""The couple page's lesson panel: what this run is about, where it sits, and the words used.

Beside the run, the panel gives the scenario's title and summary, its own description
(what to watch, in the scenario file's words; folded for a lesson, whose goal and notices
say it shortly), the lesson's goal, what to notice and when ("Weeks 9–13: ...") and
questions for discussion (folded until the class gets there; the file's ``[lesson]``
table), the
lesson's place in the teaching order (:data:`dashboard.about.LESSONS`) with Back and Next,
and a plain-words glossary of every quantity on the screen. It is built from the view alone
(the hub's ``derived`` outputs), so it follows a lesson opened from About, from the picker,
from a link or from Next.
"""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard import ids, view
from dashboard.about import LESSONS
from dyadsim.scenario import Notice, Scenario
from dyadsim.timeunits import week_of

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Day", "One step of the model is one day of the couple's life together."),
    ("Distress (activation)", "How alarmed a partner feels about the relationship right now "
     "(0 calm, 1 very distressed)."),
    ("Pursuit", "Reaching out to get the partner back: texts, calls, demands, protest."),
    ("Withdrawal", "Pulling away: going quiet, leaving the room, keeping busy elsewhere."),
    ("Trust", "How much a partner expects the other to be there when needed, learned slowly "
     "from experience (0 not at all, 1 completely): the working model of the partner."),
    ("Satisfaction", "How good the relationship feels to a partner, built up slowly from "
     "how available the other was and how close they are."),
    ("Closeness", "How emotionally close the couple is (0 far apart, 1 very close)."),
    ("Pursue-withdraw wave (shaded)", "Days when one partner's pursuit meets the other's "
     "withdrawal (pursuit × withdrawal at least 0.2): the loop at work."),
    ("In the loop (phase portrait)", "The same rule drawn as a region: Sam's pursuit × Alex's "
     "withdrawal at least 0.2."),
    ("Repair (star)", "A day when one partner reached out to make up and the other took it "
     "up: both calm down."),
    ("Life event (triangle)", "Stress from outside the relationship: a job loss, an illness."),
    ("Outcome", "How the run ends: settled (calm and close), escalated (the loop locked in), "
     "cycling (the loop comes and goes in waves), distant (together but disengaged), or "
     "dissolved (a partner left)."),
)
"""Every quantity on the couple page, in plain words (the same words as the panels)."""

MOMENT: tuple[str, str] = ("Moment", "In this scenario one step is one moment of a short "
                           "procedure (the Strange Situation), not a day.")
"""The glossary's first entry for a scenario whose steps are moments (``[run] unit``)."""


def _paragraphs(text: str) -> list[html.P]:
    return [html.P(" ".join(part.split())) for part in text.strip().split("\n\n") if part.strip()]


def when(notice: Notice, scenario: Scenario) -> str:
    """Where a notice happens, in the scenario's unit: ``"Weeks 9–13"``, ``"Moments 41–50"``.

    Days are grouped in weeks (:func:`dyadsim.timeunits.week_of`), and a span of days to
    the run's end reads ``"From week 5"``; moments are given as they are. The whole run is
    ``"Throughout"``.
    """
    first, last = notice.at
    if (first, last) == (1, scenario.steps):
        return "Throughout"
    if scenario.unit == "moment":
        return f"Moment {first}" if first == last else f"Moments {first}–{last}"
    a, b = week_of(first), week_of(last)
    if last == scenario.steps:
        return f"From week {a}"
    return f"Week {a}" if a == b else f"Weeks {a}–{b}"


def _start(notice: Notice, scenario: Scenario) -> str:
    """The first step of a notice in words: ``"day 22"``, ``"moment 41"``."""
    return f"{scenario.unit} {notice.at[0]}"


def notice_start(current: dict[str, Any], index: object) -> int | None:
    """The first step of notice ``index`` of the view's lesson, or ``None``.

    ``index`` comes from the browser (a button's id): anything but an integer in range
    is ignored, and the notices are read again from the checked view, never from the page.
    """
    lesson = view.base_scenario_or_default(current).lesson
    if (lesson is None or not isinstance(index, int) or isinstance(index, bool)
            or not 0 <= index < len(lesson.notices)):
        return None
    return lesson.notices[index].at[0]


def _lesson_parts(scenario: Scenario) -> list[Any]:
    """The goal, what to notice and the questions of the scenario's ``[lesson]``, if any."""
    lesson = scenario.lesson
    if lesson is None:
        return []
    notices = [html.Li([html.Button(when(n, scenario), id=ids.Couple.notice(k),
                                    className="notice-jump",
                                    title=f"Show {_start(n, scenario)} in the run"),
                        " ", n.text]) for k, n in enumerate(lesson.notices)]
    return [html.Div(className="lesson-teach", children=[
        html.H3("Goal"), html.P(lesson.goal, className="lesson-goal"),
        html.H3("What to notice") if notices else None,
        html.Ul(notices, className="lesson-notice") if notices else None,
        html.Details(className="lesson-questions-box", children=[
            html.Summary("Questions for discussion"),
            html.Ol([html.Li(q) for q in lesson.questions], className="lesson-questions"),
        ]) if lesson.questions else None,
    ])]


def _step_button(label: str, name: str) -> html.Button:
    title = view.library_scenario(name).title
    return html.Button(f"{label}: {title}", id=ids.Couple.lesson_step(name),
                       className="secondary")


def panel(current: dict[str, Any]) -> list[Any]:
    """The panel's children for the view ``current`` (already checked by the hub)."""
    name = current.get("scenario")
    scenario = view.base_scenario_or_default(current)
    if current.get("upload"):
        heading = f"Your scenario: {scenario.title}"
    elif name in LESSONS:
        heading = f"Lesson {LESSONS.index(name) + 1} of {len(LESSONS)}: {scenario.title}"
    else:
        heading = scenario.title
    steps: list[Any] = []
    if name in LESSONS:
        k = LESSONS.index(name)
        if k > 0:
            steps.append(_step_button("Back", LESSONS[k - 1]))
        if k + 1 < len(LESSONS):
            steps.append(_step_button("Next", LESSONS[k + 1]))
    elif not current.get("upload"):
        steps.append(_step_button("Start the lessons", LESSONS[0]))
    words = GLOSSARY if scenario.unit == "day" else (MOMENT, *GLOSSARY[1:])
    glossary = html.Details(className="glossary", children=[
        html.Summary("Words on this page"),
        html.Dl([child for term, meaning in words
                 for child in (html.Dt(term), html.Dd(meaning))]),
    ])
    return [
        html.H2(heading, className="lesson-title"),
        html.P(scenario.summary, className="lesson-summary") if scenario.summary else None,
        html.Details(className="lesson-text", open=scenario.lesson is None, children=[
            html.Summary("The scenario in full"),
            *_paragraphs(scenario.description or ""),
        ]),
        *_lesson_parts(scenario),
        html.Div(steps, className="lesson-steps"),
        glossary,
    ]
