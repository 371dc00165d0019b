"""Reading a scenario's ``[lesson]`` table and its ``[run] unit``, key by key.

Every problem is one :class:`~dyadsim.scenario.model.ScenarioError` line naming the key,
the value and what is allowed, as for the rest of the file (:mod:`dyadsim.scenario.fields`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from dyadsim.scenario.fields import FieldReader, kind_of
from dyadsim.scenario.lesson import SHOW_NAMES, STEP_UNITS, Lesson, Notice
from dyadsim.scenario.model import ScenarioError

LESSON_KEYS: dict[str, str] = {
    "goal": "a string", "questions": "an array of strings",
    "shows": "a table (outcome, not)", "notice": "an array of tables ([[lesson.notice]])",
}
NOTICE_KEYS: dict[str, str] = {
    "at": "[FIRST, LAST]", "text": "a string", "of": "a quantity", "within": "[LOW, HIGH]",
}
MAX_NOTICES = 20
"""A lesson has at most this many notices (a class reads two to four)."""
MAX_QUESTIONS = 20
"""A lesson has at most this many questions."""


def read_unit(r: FieldReader, run: Mapping[str, Any]) -> str:
    """The run table's ``unit``: what one step is (default ``"day"``)."""
    unit = r.choice(run, "unit", "run", STEP_UNITS, required=False, default="day")
    return str(unit)


def read_lesson(r: FieldReader, data: Any, steps: int,
                quantity_ok: Callable[[str], bool], quantity_help: str) -> Lesson | None:
    """The ``[lesson]`` table (``None`` if absent).

    Args:
        r: The file's reader (for messages).
        data: The parsed table.
        steps: The run's length: a notice's steps must lie in ``[1, steps]``.
        quantity_ok: Whether a name is a quantity ``[expect]`` checks accept.
        quantity_help: The quantities, in words, for the message.
    """
    if data is None:
        return None
    if not isinstance(data, dict):
        raise r.fail("lesson", data, f"wrong type ({kind_of(data)})", "a table")
    r.keys(data, "lesson", LESSON_KEYS)
    goal = r.text(data, "goal", "lesson", required=True)
    questions = _strings(r, data, "questions", "lesson", MAX_QUESTIONS)
    shows, shows_not = _shows(r, r.table(data, "shows", "lesson"))
    rows = _notice_rows(r, data.get("notice", []))
    if len(rows) > MAX_NOTICES:
        raise r.fail("lesson.notice", f"{len(rows)} notices", "too many",
                     f"at most {MAX_NOTICES}")
    notices = tuple(_notice(r, row, f"lesson.notice #{i}", steps, quantity_ok, quantity_help)
                    for i, row in enumerate(rows, start=1))
    return Lesson(goal, questions, notices, shows, shows_not)


def _notice_rows(r: FieldReader, value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise r.fail("lesson.notice", value, f"wrong type ({kind_of(value)})",
                     "an array of tables ([[lesson.notice]])")
    return value


def _strings(r: FieldReader, table: Mapping[str, Any], key: str, path: str,
             most: int) -> tuple[str, ...]:
    where = f"{path}.{key}"
    value = table.get(key, [])
    allowed = f"an array of at most {most} non-empty strings"
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                              for v in value) or len(value) > most:
        raise r.fail(where, value, "not a list of texts", allowed)
    return tuple(value)


def _shows(r: FieldReader, table: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    r.keys(table, "lesson.shows", {"outcome": "", "not": ""})
    allowed = "an array of outcomes: " + ", ".join(SHOW_NAMES)
    out = []
    for key in ("outcome", "not"):
        where = f"lesson.shows.{key}"
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise r.fail(where, value, f"wrong type ({kind_of(value)})", allowed)
        for name in value:
            if name not in SHOW_NAMES:
                raise r.fail(where, name, "unknown outcome", allowed)
        out.append(tuple(value))
    if out[0] and out[1] and set(out[0]) & set(out[1]):
        raise r.fail("lesson.shows", table, "an outcome both shown and not",
                     "outcome and not with no name in common")
    return out[0], out[1]


def _notice(r: FieldReader, row: Mapping[str, Any], path: str, steps: int,
            quantity_ok: Callable[[str], bool], quantity_help: str) -> Notice:
    r.keys(row, path, NOTICE_KEYS)
    text = r.text(row, "text", path, required=True)
    if "at" not in row:
        raise ScenarioError(f"{r.source}: {path}.at: missing; allowed: [FIRST, LAST] "
                            f"within [1, {steps}] (run.steps = {steps})")
    allowed = f"[FIRST, LAST], whole steps with 1 <= FIRST <= LAST <= {steps} (run.steps)"
    value = row["at"]
    if (not isinstance(value, list) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) for v in value)):
        raise r.fail(f"{path}.at", value, "not a span of steps", allowed)
    first, last = value
    if not 1 <= first <= last:
        raise r.fail(f"{path}.at", value, "not a span of steps", allowed)
    if last > steps:
        raise r.fail(f"{path}.at", value, "past the run's end", allowed)
    if ("of" in row) != ("within" in row):
        missing = "within" if "of" in row else "of"
        raise ScenarioError(f"{r.source}: {path}.{missing}: missing; allowed: `of` and "
                            f"`within` together (a check), or neither")
    if "of" not in row:
        return Notice((first, last), text)
    quantity = r.text(row, "of", path, required=True)
    if not quantity_ok(quantity):
        raise r.fail(f"{path}.of", quantity, "unknown quantity", quantity_help)
    within = r.interval(row["within"], f"{path}.within", -math.inf, math.inf)
    return Notice((first, last), text, quantity, within)
