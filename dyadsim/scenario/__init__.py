"""Scenario files: a couple, a timeline of events, and what the run should show, in TOML.

A scenario is data, never code: it is read with :mod:`tomllib`, every key is checked
against the parameter registry and the schema below, and nothing in it is executed or
evaluated. A file that breaks a rule raises :class:`ScenarioError`, whose one-line message
names the file, the key path, the value and what is allowed.

The format (``docs/SCENARIOS.md`` has it in full, with every event kind)::

    title = "The delayed text"
    summary = "One line for `dyadsim scenarios`."
    description = \"\"\"What to watch for, in plain words, for the class.\"\"\"

    [partner_a]              # any per-partner parameter, plus a display name
    name = "Sam"
    anxiety = 0.8

    [partner_b]
    name = "Alex"
    avoidance = 0.7

    [dyad]                   # any dyad parameter
    ambiguity = 0.3

    [run]
    steps = 600
    seed = 7
    unit = "day"             # what a step is: "day" (default) or "moment"

    [[events]]               # the timeline (kinds: change, stressor, ambiguity, policy,
    kind = "stressor"        # therapy); a step counts episodes from 1
    label = "Sam loses their job"
    step = 300
    duration = 50
    level = 0.3

    [sweep]                  # optional: what `dyadsim sweep FILE` varies
    reps = 50
    axes = { "partner_a.anxiety" = "0.2:1.0:5" }

    [expect]                 # optional: what the scenario should show (tested)
    reps = 100
    shares = { trap = [0.6, 1.0] }

    [lesson]                 # optional: teaching text tied to the default seed's run
    goal = "What the student should understand."
    questions = ["A question for discussion"]
    shows = { outcome = ["settled"] }

    [[lesson.notice]]        # what to notice, at the steps where it happens (checked)
    at = [120, 126]
    text = "Sam's distress rises in the silent week."
    of = "partner_a.activation"
    within = [0.3, 1.0]

A scenario round-trips: :meth:`Scenario.dumps` writes a canonical file that loads back to
an equal scenario, which gives the same runs.

The package: :mod:`~dyadsim.scenario.model` holds the data classes and compiles events
to parameter changes, :mod:`~dyadsim.scenario.fields` checks one value and words the error,
:mod:`~dyadsim.scenario.reader` reads and checks a whole file, and
:mod:`~dyadsim.scenario.lesson` and :mod:`~dyadsim.scenario.lesson_reader` hold and read
the ``[lesson]`` table, and :mod:`~dyadsim.scenario.library` finds the scenarios shipped
with dyadsim.
"""

from dyadsim.scenario.lesson import SHOW_NAMES, STEP_UNITS, Lesson, Notice
from dyadsim.scenario.library import LIBRARY, find, library
from dyadsim.scenario.model import (
    EVENT_KINDS,
    PURSUE_WITHDRAW,
    Check,
    Event,
    Expect,
    Scenario,
    ScenarioError,
    SweepSpec,
)
from dyadsim.scenario.reader import EVENT_KEYS, QUANTITY_HELP, from_dict, load, loads

__all__ = [
    "EVENT_KEYS",
    "EVENT_KINDS",
    "LIBRARY",
    "PURSUE_WITHDRAW",
    "QUANTITY_HELP",
    "SHOW_NAMES",
    "STEP_UNITS",
    "Check",
    "Event",
    "Expect",
    "Lesson",
    "Notice",
    "Scenario",
    "ScenarioError",
    "SweepSpec",
    "find",
    "from_dict",
    "library",
    "load",
    "loads",
]
