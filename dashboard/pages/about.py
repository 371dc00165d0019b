"""The "About this model" page: what the model is, the lessons, then the rest of the Info.

The text comes from ``docs/ABOUT.md`` (written for teachers) through :mod:`dashboard.about`;
a lesson's button opens its scenario on the couple page through the hub (:func:`apply`).
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, dcc, html

from dashboard import ids, view
from dashboard.about import LESSONS, SECTIONS, section

NAME = "about"
TITLE = "About this model"
ID = ids.About


def lesson_cards() -> list[html.Div]:
    """One card per lesson: its title, summary and a button that opens it."""
    cards = []
    for number, name in enumerate(LESSONS, start=1):
        scenario = view.library_scenario(name)
        cards.append(html.Div(className="lesson", children=[
            html.H4(f"{number}. {scenario.title}"),
            html.P(scenario.summary),
            html.Button("Open this lesson", id=ID.lesson(name), className="secondary"),
        ]))
    return cards


def _section(title: str, start: str) -> list[Any]:
    """One section of the About document under its Info-tab heading.

    Its links open a new tab, so the dashboard stays open.
    """
    return [html.H3(title),
            dcc.Markdown(section(start), className="doc", link_target="_blank")]


def layout(current: dict[str, Any] | None = None) -> html.Div:
    """The page: what it is, the lessons, then the other sections (the view is unused)."""
    del current
    (first_title, first_start), *rest = SECTIONS
    return html.Div(id=ids.Shell.page(NAME), className="page about", children=[
        html.Main(className="main prose", children=[
            html.H2("About this model"),
            *_section(first_title, first_start),
            html.H3("Lessons"),
            html.P("In teaching order: each opens on the couple page, where its panel has "
                   "Back and Next.", className="hint"),
            html.Div(lesson_cards(), className="lessons"),
            *[child for title, start in rest for child in _section(title, start)],
        ]),
    ])


# --- The page's part of the view (called by the hub) -----------------------------------------

#: Hub key -> (component id, property) of each control that changes the view.
INPUTS: dict[str, tuple[Any, str]] = {"lesson": (ID.lesson(ALL), "n_clicks")}
#: This page's controls show nothing of the view, so the hub writes none of them.
CONTROLS: dict[str, tuple[Any, str]] = {}
STATES: dict[str, tuple[Any, str]] = {}
#: Buttons: a trigger with no clicks is a button rendered, not clicked.
CLICKS: tuple[str, ...] = (ID.LESSON,)
DERIVED: dict[str, tuple[Any, str]] = {}


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """No control of this page shows a part of the view."""
    del current
    return {}


def apply(current: dict[str, Any], kind: str, trigger: Any, value: Any,
          extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """A lesson opens its scenario on the couple page (``None``: not this page's control)."""
    if kind != ID.LESSON:
        return None
    new, msg = view.choose_scenario(current, trigger.get("name") or "?")
    return {**new, "page": "couple"}, [msg] if msg else []


def derived(current: dict[str, Any]) -> dict[str, Any]:
    """Nothing on this page follows from the view."""
    del current
    return {}


def register(app: Dash, manager: Any) -> None:
    """The page has no callbacks of its own (its lesson buttons go through the hub)."""
    del app, manager
