"""A scenario's ``[lesson]`` table: what a class should learn from it, and where to look.

A lesson is teaching text tied to the scenario's own default run (its ``[run] seed``, one
replicate: the run ``dyadsim run NAME`` and the couple page show)::

    [lesson]
    goal = "One sentence: what the student should understand."
    questions = ["A question for discussion", "Another one"]
    shows = { outcome = ["escalated", "cycling"] }    # or { not = ["dissolved"] }

    [[lesson.notice]]
    at = [60, 89]                       # the steps (inclusive) where it happens
    text = "Sam's pursuit meets Alex's withdrawal: the shaded waves."
    of = "dyad.pursue_withdraw"         # optional: a check on the default run,
    within = [0.2, 1.0]                 # the quantity's mean over `at`

``shows`` and every notice's check are claims about that one run, and the tests hold the
library's lessons to them (``tests/test_lesson_content.py``). The classes here are plain
data; :mod:`dyadsim.scenario.lesson_reader` reads and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dyadsim.outcomes import OUTCOMES, TRAP_OUTCOMES

STEP_UNITS: tuple[str, ...] = ("day", "moment")
"""What one step of a scenario is (``[run] unit``): a day of a couple's life (the
default), or a moment of a short procedure such as the Strange Situation."""

SHOW_NAMES: tuple[str, ...] = (*OUTCOMES, "trap")
"""The outcomes ``shows`` may name; ``trap`` stands for escalated or cycling."""


def _expand(names: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for name in names:
        out.update(TRAP_OUTCOMES if name == "trap" else (name,))
    return out


@dataclass(frozen=True)
class Notice:
    """One thing to notice, at the steps where it happens in the default run.

    Attributes:
        at: The first and last step (inclusive) where it happens.
        text: What to notice, in the dashboard's words.
        of: A quantity to check on the default run (as in ``[expect]`` checks), or ``None``.
        within: The interval its mean over ``at`` must lie in (with ``of``).
    """

    at: tuple[int, int]
    text: str
    of: str | None = None
    within: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The notice as written in a file."""
        out: dict[str, Any] = {"at": list(self.at), "text": self.text}
        if self.of is not None and self.within is not None:
            out["of"] = self.of
            out["within"] = list(self.within)
        return out


@dataclass(frozen=True)
class Lesson:
    """The ``[lesson]`` table.

    Attributes:
        goal: What the student should understand, in one sentence.
        questions: Questions for discussion.
        notices: What to notice, in the order of the file.
        shows: The default run ends as one of these (empty: any), see :data:`SHOW_NAMES`.
        shows_not: The default run ends as none of these.
    """

    goal: str
    questions: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    shows: tuple[str, ...] = ()
    shows_not: tuple[str, ...] = ()

    def allows(self, outcome: str) -> bool:
        """Whether the default run may end as ``outcome`` (one of the outcome classes)."""
        if self.shows and outcome not in _expand(self.shows):
            return False
        return outcome not in _expand(self.shows_not)

    def shows_text(self) -> str:
        """``shows`` in words: ``"escalated or cycling"``, ``"not dissolved"``."""
        parts = []
        if self.shows:
            parts.append(" or ".join(self.shows))
        if self.shows_not:
            parts.append("not " + " or ".join(self.shows_not))
        return ", ".join(parts) or "any outcome"

    def to_dict(self) -> dict[str, Any]:
        """The lesson as written in a file."""
        out: dict[str, Any] = {"goal": self.goal}
        if self.questions:
            out["questions"] = list(self.questions)
        shows: dict[str, list[str]] = {}
        if self.shows:
            shows["outcome"] = list(self.shows)
        if self.shows_not:
            shows["not"] = list(self.shows_not)
        if shows:
            out["shows"] = shows
        if self.notices:
            out["notice"] = [n.to_dict() for n in self.notices]
        return out
