"""The "About this model" page, in the manner of NetLogo's Info tab.

Its text is read from ``docs/MODEL.md`` (the model document) when the app is built, so
there is one copy: what it is, how it works, things to notice, things to try, references.
Lessons are scenarios from the library, in teaching order.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from dash import dcc, html

from dashboard import state
from dyadsim.package_data import located

MODEL_DOC: Path = located("docs", "docs") / "MODEL.md"
"""The model document: shipped in the package (``dyadsim/docs``), or the repository's."""

#: Info-tab heading -> the model document's section (its heading's start).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("What it is", "1. Purpose"),
    ("How it works", "3. Process overview"),
    ("Things to notice", "11. Things to notice"),
    ("Things to try", "12. Things to try"),
    ("Known limits", "9. Known limits"),
    ("References", "10. References"),
)

#: Lessons, in teaching order: a secure couple, the trap, its triggers, ways out.
LESSONS: tuple[str, ...] = (
    "secure_secure", "anxious_avoidant_trap", "delayed_text", "softening", "antidote",
    "secure_base", "intermittent_reinforcement", "therapy_eft", "earned_security",
)


@functools.cache
def doc_sections() -> dict[str, str]:
    """The model document's ``## `` sections, by heading."""
    text = MODEL_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {p.split("\n", 1)[0].strip(): p.split("\n", 1)[1].strip() for p in parts}


def section(start: str) -> str:
    """The body of the section whose heading starts with ``start``.

    Raises:
        KeyError: No section of the model document starts so (a test guards this).
    """
    for heading, body in doc_sections().items():
        if heading.startswith(start):
            return body
    raise KeyError(f"docs/MODEL.md has no section '{start}...'")


def lesson_cards() -> list[html.Div]:
    """One card per lesson: its title, summary and a button that opens it."""
    cards = []
    for number, name in enumerate(LESSONS, start=1):
        scenario = state.library_scenario(name)
        cards.append(html.Div(className="lesson", children=[
            html.H4(f"{number}. {scenario.title}"),
            html.P(scenario.summary),
            html.Button("Open this lesson", id={"type": "lesson", "name": name},
                        className="secondary"),
        ]))
    return cards


def about_page() -> html.Div:
    """The page: lessons first, then the model document's sections."""
    return html.Div(id="page-about", className="page about", children=[
        html.Main(className="main prose", children=[
            html.H2("About this model"),
            html.H3("Lessons"),
            html.Div(lesson_cards(), className="lessons"),
            *[child for title, start in SECTIONS for child in (
                html.H3(title), dcc.Markdown(section(start), className="doc"))],
        ]),
    ])
