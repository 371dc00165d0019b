"""Scenario files: every malformed file is rejected with one helpful line, nothing in a file
is executed, and a scenario round-trips (loaded, saved and loaded again, it gives the same
run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dyadsim import expectations
from dyadsim.scenario import LIBRARY, ScenarioError, find, load, loads

ROOT = Path(__file__).resolve().parent.parent

# A small valid scenario; each malformed case below breaks one thing in it.
BASE = """\
title = "Base"
summary = "A small valid scenario."
description = "For the tests."

[partner_a]
name = "Sam"
anxiety = 0.7

[partner_b]
avoidance = 0.6

[run]
steps = 400
seed = 3

[[events]]
kind = "stressor"
label = "job loss"
step = 100
duration = 50
level = 0.3

[[events]]
kind = "change"
step = 200
param = "partner_b.reassurance"
to = 0.8
"""


def edit(old: str, new: str) -> str:
    """BASE with one piece of text replaced (which must be there)."""
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def add(text: str) -> str:
    """BASE with more TOML after it."""
    return BASE + "\n" + text


def change(step: int, param: str, to: float, extra: str = "") -> str:
    return f'[[events]]\nkind = "change"\nstep = {step}\nparam = "{param}"\nto = {to}\n{extra}\n'


def policy(step: int, name: str, partner: str, label: str = "") -> str:
    label_line = f'label = "{label}"\n' if label else ""
    return (f'[[events]]\nkind = "policy"\n{label_line}step = {step}\npolicy = "{name}"\n'
            f'partner = "{partner}"\n')


def therapy(step: int, name: str, partner: str | None = None, extra: str = "") -> str:
    who = f'partner = "{partner}"\n' if partner else ""
    return f'[[events]]\nkind = "therapy"\nstep = {step}\ntherapy = "{name}"\n{who}{extra}'


def expect(body: str) -> str:
    return "[expect]\nreps = 10\n" + body


def compare(body: str) -> str:
    return expect('\n[[expect.compare]]\nof = "partner_a.activation"\nrelation = "higher"\n'
                  + body)


def sweep(axes: str) -> str:
    return f"[sweep]\naxes = {{ {axes} }}\n"


# (id, text, substrings the one-line message must contain after "SOURCE: ")
MALFORMED = [
    # wrong types
    ("anxiety-string", edit("anxiety = 0.7", 'anxiety = "high"'),
     ["partner_a.anxiety", "'high'", "wrong type", "allowed: a number in [0, 1]"]),
    ("anxiety-boolean", edit("anxiety = 0.7", "anxiety = true"),
     ["partner_a.anxiety", "True", "wrong type", "allowed: a number in [0, 1]"]),
    ("steps-fraction", edit("steps = 400", "steps = 1.5"),
     ["run.steps", "1.5", "whole number", "allowed: an integer in [1, 100000]"]),
    ("title-number", edit('title = "Base"', "title = 3"),
     ["title = 3", "wrong type", "allowed: a string"]),
    ("name-number", edit('name = "Sam"', "name = 5"),
     ["partner_a.name = 5", "wrong type", "allowed: a string"]),
    ("events-table", BASE.split("[[events]]")[0] + '[events]\nkind = "stressor"\nstep = 1\n',
     ["events", "wrong type (a table)", "allowed: an array of tables ([[events]])"]),
    ("missing-title", edit('title = "Base"\n', ""), ["title: missing", "allowed: a string"]),
    # unknown keys
    ("unknown-top-level-key", "colour = 'red'\n" + BASE,
     ["colour", "unknown key", "allowed:", "partner_a", "events"]),
    ("misspelled-partner-key", edit("anxiety = 0.7", "anxeity = 0.7"),
     ["partner_a.anxeity", "unknown key", "did you mean 'anxiety'", "allowed"]),
    ("misspelled-dyad-key", add("[dyad]\nstres = 0.1\n"),
     ["dyad.stres", "unknown key", "did you mean 'stress'"]),
    ("unknown-event-key", edit("level = 0.3", "level = 0.3\nstrength = 1.0"),
     ["events #1 (stressor).strength", "unknown key",
      "allowed: kind, label, step, ramp, duration, level"]),
    ("unknown-change-param", edit('param = "partner_b.reassurance"',
                                  'param = "partner_b.reasurance"'),
     ["events #2.param", "'partner_b.reasurance'", "unknown parameter",
      "did you mean 'partner_b.reassurance'"]),
    # out of range
    ("anxiety-out-of-range", edit("anxiety = 0.7", "anxiety = 1.5"),
     ["partner_a.anxiety = 1.5", "out of range", "allowed: a number in [0, 1]"]),
    ("anxiety-nan", edit("anxiety = 0.7", "anxiety = nan"),
     ["partner_a.anxiety = nan", "allowed: a number in [0, 1]"]),
    ("steps-huge", edit("steps = 400", "steps = 10_000_000_000_000_000_000_000"),
     ["run.steps = 10000000000000000000000", "out of range", "allowed: an integer in [1, 100000]"]),
    ("change-to-out-of-range", edit("to = 0.8", "to = 5"),
     ["events #2.to = 5", "out of range", "allowed: a number in [0, 1]"]),
    ("stressor-level-out-of-range", edit("level = 0.3", "level = 3"),
     ['events #1 ("job loss").level = 3', "out of range", "allowed: a number in [0, 1]"]),
    # bad events
    ("event-past-the-end", edit("step = 200", "step = 500"),
     ["events #2.step = 500", "past the run's end", "allowed: a whole number in [1, 400]",
      "run.steps"]),
    ("labelled-event-past-the-end", edit("step = 100", "step = 401"),
     ['events #1 ("job loss").step = 401', "past the run's end",
      "allowed: a whole number in [1, 400]", "run.steps"]),
    ("event-step-zero", edit("step = 200", "step = 0"),
     ["events #2.step = 0", "before the first episode", "allowed: a whole number in [1, 400]",
      "run.steps = 400"]),
    ("unknown-event-kind", edit('kind = "stressor"', 'kind = "earthquake"'),
     ["events #1.kind = 'earthquake'", "unknown", "allowed: one of", '"stressor"', '"therapy"']),
    ("unknown-therapy", add(therapy(300, "hypnosis", "partner_a")),
     ["events #3.therapy = 'hypnosis'", "unknown", "allowed: one of", '"eft"', '"cbt"']),
    ("misspelled-policy", add(policy(300, "antidot", "partner_b")),
     ["events #3.policy = 'antidot'", "did you mean 'antidote'", "allowed: one of"]),
    ("unknown-partner", add(policy(300, "consistent", "partner_c")),
     ["events #3.partner = 'partner_c'", "allowed: one of", '"partner_a"', '"partner_b"']),
    ("therapy-without-partner", add(therapy(300, "cbt")),
     ["events #3.partner", "missing", "allowed: one of"]),
    # a therapy's course
    ("sessions-zero", add(therapy(300, "eft", extra="sessions = 0\n")),
     ["events #3.sessions = 0", "out of range", "allowed: a whole number in [1, 100]"]),
    ("sessions-too-many", add(therapy(300, "eft", extra="sessions = 101\n")),
     ["events #3.sessions = 101", "out of range", "allowed: a whole number in [1, 100]"]),
    ("sessions-fraction", add(therapy(300, "eft", extra="sessions = 2.5\n")),
     ["events #3.sessions = 2.5", "not a whole number", "[1, 100]"]),
    ("every-zero", add(therapy(300, "eft", extra="every = 0\n")),
     ["events #3.every = 0", "out of range", "allowed: a whole number in [1, 60]",
      "days between sessions"]),
    ("every-too-long", add(therapy(300, "eft", extra="every = 61\n")),
     ["events #3.every = 61", "out of range", "allowed: a whole number in [1, 60]"]),
    ("every-in-words", add(therapy(300, "eft", extra='every = "weekly"\n')),
     ["events #3.every = 'weekly'", "wrong type (a string)", "[1, 60]"]),
    ("ramp-and-sessions", add(therapy(300, "eft", extra="ramp = 20\nsessions = 12\n")),
     ["events #3.ramp = 20", "cannot be combined with sessions",
      "allowed: either ramp (a linear phase-in) or sessions and every"]),
    ("ramp-and-every", add(therapy(300, "eft", extra="ramp = 20\nevery = 7\n")),
     ["events #3.ramp = 20", "cannot be combined with every"]),
    ("duration-shorter-than-course", add(therapy(300, "eft", extra="sessions = 4\nevery = 7\n"
                                                                 "duration = 21\n")),
     ["events #3.duration = 21", "ends before the course's last session (day 321",
      "4 weekly sessions from day 300", "allowed: a whole number of at least 22 days"]),
    ("sessions-on-a-policy", add(policy(300, "consistent", "partner_a") + "sessions = 3\n"),
     ["events #3 (policy).sessions", "unknown key"]),
    ("change-with-to-and-by", edit("to = 0.8", "to = 0.8\nby = 0.1"),
     ["events #2", "exactly one of to, by, times", "got to, by"]),
    ("change-of-closeness0", edit('param = "partner_b.reassurance"', 'param = "dyad.closeness0"'),
     ["events #2.param = 'dyad.closeness0'", "start of a run", "allowed:", "[dyad]"]),
    ("change-of-run-steps", edit('param = "partner_b.reassurance"\nto = 0.8',
                                 'param = "run.steps"\nto = 300'),
     ["events #2.param = 'run.steps'", "start of a run", "allowed:", "[run]"]),
    # overlapping changes of one parameter
    ("two-changes-overlap", add(change(250, "partner_b.reassurance", 0.2)),
     ["events #3", "overlaps events #2", "partner_b.reassurance", "250-400",
      "give the first a duration"]),
    ("policy-overlaps-change", add(policy(300, "antidote", "partner_b", "the antidote")),
     ['events #3 ("the antidote")', "overlaps events #2", "partner_b.reassurance", "300-400"]),
    ("trait-then-derived", add(change(50, "partner_a.anxiety", 0.2)
                               + change(60, "partner_a.threat_gain", 5.0)),
     ["events #4", "overlaps events #3", "partner_a.threat_gain", "60-400",
      "derived from partner_a.anxiety"]),
    ("derived-then-trait", add(change(50, "partner_a.threat_gain", 5.0)
                               + change(60, "partner_a.anxiety", 0.2)),
     ["events #4", "overlaps events #3", "partner_a.threat_gain", "60-400",
      "derived from partner_a.anxiety"]),
    # bad [expect]
    ("unknown-outcome", add(expect("shares = { trapped = [0.1, 0.9] }\n")),
     ["expect.shares.trapped", "unknown outcome", "allowed:", "settled", "trap"]),
    ("reversed-interval", add(expect("shares = { trap = [0.9, 0.1] }\n")),
     ["expect.shares.trap = [0.9, 0.1]", "not an interval", "allowed: [LOW, HIGH]"]),
    ("unknown-quantity", add(expect('\n[[expect.mean]]\nof = "partner_a.happiness"\n'
                                    "within = [0, 1]\n")),
     ["expect.mean #1.of = 'partner_a.happiness'", "unknown quantity", "allowed:",
      "partner_a.activation"]),
    ("window-past-the-end", add(expect('\n[[expect.mean]]\nof = "partner_a.activation"\n'
                                       "window = [100, 500]\nwithin = [0, 1]\n")),
     ["expect.mean #1.window = [100, 500]", "allowed:", "<= 400"]),
    ("without-unknown-label", add(compare('without = ["job los"]\n')),
     ["expect.compare #1.without = 'job los'", "no event has this label", "allowed: job loss"]),
    ("compare-without-variant", add(compare("")),
     ["expect.compare #1", "the variant is the scenario itself", "allowed:"]),
    ("compare-unknown-set", add(compare('set = { "partner_a.anxeity" = 0.1 }\n')),
     ["expect.compare #1.set.partner_a.anxeity", "unknown parameter"]),
    ("expect-without-checks", add("[expect]\nreps = 10\n"), ["expect: no checks", "allowed:"]),
    # bad [sweep]
    ("sweep-unknown-axis", add(sweep('"partner_a.anxeity" = "0:1:5"')),
     ["sweep.axes.partner_a.anxeity", "unknown parameter", "did you mean 'partner_a.anxiety'"]),
    ("sweep-malformed-axis", add(sweep('"partner_a.anxiety" = "0:1"')),
     ["sweep.axes.partner_a.anxiety = '0:1'", "not an axis", 'allowed: "LOW:HIGH:COUNT"']),
    ("sweep-axis-out-of-range", add(sweep('"partner_a.anxiety" = "0:2:5"')),
     ["sweep.axes.partner_a.anxiety = '0:2:5'", "out of range", "allowed: a number in [0, 1]"]),
    ("sweep-unsweepable-axis", add(sweep('"run.seed" = "0:2:5"')),
     ["sweep.axes.run.seed", "cannot be swept"]),
    ("sweep-without-axes", add("[sweep]\nreps = 5\n"), ["sweep.axes: missing", "allowed:"]),
    # not TOML at all
    ("not-toml", "This is not a scenario, just some words.\n", ["not valid TOML", "line 1"]),
    ("unterminated-string", 'title = """\nabc', ["not valid TOML", "Unterminated string"]),
]

CASES = [pytest.param(text, needles, id=name) for name, text, needles in MALFORMED]
BY_NAME = {name: text for name, text, _ in MALFORMED}


def error_of(func, *args) -> str:
    with pytest.raises(ScenarioError) as info:
        func(*args)
    return str(info.value)


def assert_one_line(message: str, source: str, needles: list[str]) -> None:
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{source}: "), message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


def test_the_base_text_is_valid():
    s = loads(BASE, "base.toml")
    assert s.title == "Base" and s.names == ("Sam", "Partner B") and s.steps == 400
    assert s.params["partner_a.anxiety"] == 0.7 and len(s.events) == 2


@pytest.mark.parametrize("text,needles", CASES)
def test_malformed_text_gives_one_line_naming_the_problem(text, needles):
    assert_one_line(error_of(loads, text, "broken.toml"), "broken.toml", needles)


@pytest.mark.parametrize("text,needles", CASES)
def test_malformed_file_gives_the_same_line_naming_the_file(tmp_path, text, needles):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    message = error_of(load, path)
    assert_one_line(message, str(path), needles)
    assert message == error_of(loads, text, str(path))


@pytest.mark.parametrize("data,needle", [
    pytest.param(bytes(range(256)), "not a TOML file (not UTF-8 text)", id="all-bytes"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a TOML file", id="png"),
    pytest.param(b"\x00\x01\x02abc", "not valid TOML", id="nul-bytes"),
])
def test_binary_file_is_rejected_in_one_line(tmp_path, data, needle):
    path = tmp_path / "binary.toml"
    path.write_bytes(data)
    assert_one_line(error_of(load, path), str(path), [needle])


def test_missing_file_and_misspelled_library_name():
    assert_one_line(error_of(load, "/nonexistent/x.toml"), "/nonexistent/x.toml",
                    ["no such file"])
    assert_one_line(error_of(find, "delayed_txt"), "delayed_txt",
                    ["no such file or library scenario", "did you mean 'delayed_text'"])


@pytest.mark.parametrize("text", [
    pytest.param(add(change(100, "partner_b.reassurance", 0.2, "duration = 100")),
                 id="change-with-duration-ends-before-the-next"),
    pytest.param(edit("step = 200\n", "step = 200\nduration = 50\n")
                 + "\n" + policy(250, "antidote", "partner_b"),
                 id="policy-after-a-change-with-duration"),
    pytest.param(add(change(50, "partner_a.anxiety", 0.2) + change(60, "partner_b.threat_gain", 5)),
                 id="trait-and-derived-of-different-partners"),
    pytest.param(edit("anxiety = 0.7", "anxiety = 0.7\nthreat_gain = 8.0")
                 + "\n" + change(50, "partner_a.anxiety", 0.2)
                 + change(60, "partner_a.threat_gain", 5.0),
                 id="trait-and-explicitly-set-derived"),
    pytest.param(add(therapy(300, "eft", "both")), id="couple-therapy-for-both"),
    pytest.param(add(therapy(300, "eft", extra="sessions = 4\nevery = 7\nduration = 22\n")
                     + "\n" + therapy(322, "eft")), id="a-course-then-another"),
])
def test_non_overlapping_changes_load(text):
    loads(text, "fine.toml")


def test_a_therapy_without_ramp_or_course_takes_its_default_course():
    from dyadsim.interventions import THERAPIES

    for name, preset in THERAPIES.items():
        s = loads(add(therapy(300, name, "partner_a")), "base.toml")
        event = s.events[-1]
        assert preset.course is not None
        assert (event.sessions, event.every) == (preset.course.sessions, preset.course.every)
        assert event.course() == f"{preset.course.describe()} from day 300"


def test_a_therapy_course_keeps_the_default_of_the_key_not_given():
    s = loads(add(therapy(300, "mindfulness", "partner_a", "every = 14\n")), "base.toml")
    assert (s.events[-1].sessions, s.events[-1].every) == (8, 14)
    assert s.events[-1].course() == "8 fortnightly sessions from day 300"
    s = loads(add(therapy(300, "eft", extra="sessions = 3\n")), "base.toml")
    assert (s.events[-1].sessions, s.events[-1].every) == (3, 7)


def test_a_therapy_with_a_ramp_still_phases_in_linearly():
    """Files written before courses existed keep their meaning."""
    s = loads(add(therapy(300, "cbt", "partner_a", "ramp = 20\n")), "base.toml")
    event = s.events[-1]
    assert event.sessions is None and event.ramp == 20 and event.course() == ""
    weights = s.timeline().changes[-1].weights(400)
    assert weights[300] == pytest.approx(1 / 20) and weights[319] == 1.0


def test_a_course_is_one_step_per_session_in_the_timeline():
    s = loads(add(therapy(300, "eft", extra="sessions = 4\nevery = 7\n")), "base.toml")
    changes = [c for c in s.timeline().changes if c.origin.startswith("events #3")]
    assert len(changes) == 2 * 4  # four effects on each partner, one course
    w = changes[0].weights(400)
    assert list(w[299:323]) == [0.0] + [0.25] * 7 + [0.5] * 7 + [0.75] * 7 + [1.0] * 2
    assert np.all(w[321:] == 1.0)


def test_the_contingent_policy_waits_for_its_parameter():
    """`contingent` needs partner_*.contingent_reassurance (Model 2.0): refused in one line
    naming it while the registry lacks it, loaded once it is there."""
    from dyadsim.interventions import POLICIES
    from dyadsim.params import REGISTRY

    text = add(policy(300, "contingent", "partner_a"))
    if "partner_a.contingent_reassurance" in REGISTRY:
        s = loads(text, "base.toml")
        assert s.events[-1].policy == "contingent"
        names = {c.param for c in s.timeline().changes}
        assert "partner_a.contingent_reassurance" in names
    else:
        assert POLICIES["contingent"].missing() == ("partner_a.contingent_reassurance",)
        assert_one_line(error_of(loads, text, "base.toml"), "base.toml", [
            "events #3.policy = 'contingent'", "partner_a.contingent_reassurance",
            "does not have", 'allowed: one of "antidote"'])


# --- The command line -------------------------------------------------------------------------

CLI_CASES = ["anxiety-string", "misspelled-partner-key", "anxiety-out-of-range",
             "unknown-event-kind", "two-changes-overlap", "not-toml"]


def run_cli(path: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dyadsim.cli", "run", str(path), *extra],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_cli_rejects(path: Path, cwd: Path) -> None:
    expected = error_of(load, path)
    done = run_cli(path, cwd)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"dyadsim: error: {expected}\n"


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_run_rejects_a_malformed_file_in_one_line(tmp_path, name):
    path = tmp_path / f"{name}.toml"
    path.write_text(BY_NAME[name], encoding="utf-8")
    assert_cli_rejects(path, tmp_path)


def test_cli_run_rejects_a_binary_file_in_one_line(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(bytes(range(256)))
    assert_cli_rejects(path, tmp_path)


# --- Nothing in a file is executed ------------------------------------------------------------

CODE = "__import__('pathlib').Path('PWNED').touch()"
CODE_TEXT = f'''\
title = "{CODE}"
summary = "{{{{ {CODE} }}}} ${{{CODE}}}"
description = """eval("{CODE}") `{CODE}`"""

[partner_a]
name = "{CODE}"

[run]
steps = 60

[[events]]
kind = "stressor"
label = "{CODE}"
step = 10
level = 0.2
'''


@pytest.mark.parametrize("text,needles", [
    pytest.param(edit('param = "partner_b.reassurance"', 'param = "os.system"'),
                 ["events #2.param", "unknown parameter 'os.system'"], id="param"),
    pytest.param(edit('param = "partner_b.reassurance"', f'param = "{CODE}"'),
                 ["events #2.param", "unknown parameter"], id="param-code"),
    pytest.param(edit("anxiety = 0.7", f'anxiety = "{CODE}"'),
                 ["partner_a.anxiety", "wrong type (a string)"], id="value"),
    pytest.param(edit('name = "Sam"', 'name = "Sam"\n__class__ = 1'),
                 ["partner_a.__class__", "unknown key"], id="dunder-key"),
    pytest.param(add(sweep(f'"partner_a.anxiety" = "{CODE}:1:3"')),
                 ["sweep.axes.partner_a.anxiety", "not an axis"], id="sweep-axis"),
    pytest.param(add(expect(f'\n[[expect.mean]]\nof = "{CODE}"\nwithin = [0, 1]\n')),
                 ["expect.mean #1.of", "unknown quantity"], id="expect-of"),
    pytest.param(add(change(300, "partner_a.responsiveness", 0.5).replace(
        "to = 0.5", f'to = "{CODE}"')), ["events #3.to", "wrong type (a string)"],
                 id="change-to"),
])
def test_code_in_a_value_is_rejected_not_run(tmp_path, monkeypatch, text, needles):
    monkeypatch.chdir(tmp_path)
    assert_one_line(error_of(loads, text, "code.toml"), "code.toml", needles)
    assert list(tmp_path.iterdir()) == []


def test_code_in_strings_loads_as_plain_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = loads(CODE_TEXT, "code.toml")
    assert s.title == CODE and s.names[0] == CODE and s.events[0].label == CODE
    assert CODE in s.summary and s.description == f'eval("{CODE}") `{CODE}`'
    again = loads(s.dumps(), "again.toml")
    assert again == s
    expectations.run(again, 2)
    assert list(tmp_path.iterdir()) == []


def test_cli_runs_a_file_with_code_in_its_strings_without_running_it(tmp_path):
    path = tmp_path / "code.toml"
    path.write_text(CODE_TEXT, encoding="utf-8")
    done = run_cli(path, tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code.toml"]


# --- Round trip ------------------------------------------------------------------------------

LIBRARY_FILES = sorted(LIBRARY.glob("*.toml"))


def assert_same_runs(a, b, reps: int = 3) -> None:
    one, two = expectations.run(a, reps), expectations.run(b, reps)
    assert one.trajectories is not None and two.trajectories is not None
    np.testing.assert_array_equal(one.outcome, two.outcome)
    np.testing.assert_array_equal(one.metrics, two.metrics)
    np.testing.assert_array_equal(one.trajectories, two.trajectories)


def assert_round_trips(s, tmp_path: Path):
    text = s.dumps()
    assert loads(text) == s
    path = tmp_path / "saved.toml"
    s.save(path)
    again = load(path)
    assert again == s
    assert again.dumps() == text  # the written form is canonical
    assert [p.name for p in tmp_path.iterdir()] == ["saved.toml"]
    assert_same_runs(s, again)
    return again


def test_the_library_is_there():
    assert len(LIBRARY_FILES) >= 10


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=[p.stem for p in LIBRARY_FILES])
def test_library_scenario_round_trips_to_the_same_runs(tmp_path, path):
    assert_round_trips(load(path), tmp_path)


@pytest.mark.parametrize("name", ["job_loss", "antidote", "secure_secure"])
def test_scenario_with_overrides_round_trips(tmp_path, name):
    s = find(name)
    changed = s.with_overrides({"partner_a.anxiety": 0.6})
    assert changed.params["partner_a.anxiety"] == 0.6
    assert s.params.get("partner_a.anxiety") != 0.6  # the original is left alone
    again = assert_round_trips(changed, tmp_path)
    assert again.params["partner_a.anxiety"] == 0.6
    assert again.events == s.events and again.expect == s.expect


def test_base_text_round_trips(tmp_path):
    assert_round_trips(loads(add(policy(300, "antidote", "partner_a", "antidote")
                                 + "\n" + therapy(350, "eft")), "base.toml"), tmp_path)


@pytest.mark.parametrize("extra", ["", "sessions = 5\nevery = 3\n", "ramp = 10\n"],
                         ids=["default-course", "own-course", "ramp"])
def test_a_therapy_round_trips_with_its_course(tmp_path, extra):
    s = loads(add(therapy(300, "emdr", "partner_a", extra)), "base.toml")
    again = assert_round_trips(s, tmp_path)
    assert again.events[-1].sessions == s.events[-1].sessions
    assert ("sessions" in s.dumps()) == (s.events[-1].sessions is not None)


# --- with_overrides (--set) ------------------------------------------------------------------


@pytest.mark.parametrize("overrides,needles", [
    pytest.param({"partner_a.anxeity": 0.5},
                 ["partner_a.anxeity", "unknown parameter", "did you mean 'partner_a.anxiety'"],
                 id="unknown-key"),
    pytest.param({"partner_a.anxiety": 1.5},
                 ["partner_a.anxiety", "1.5", "out of range", "allowed: a number in [0, 1]"],
                 id="out-of-range"),
    pytest.param({"run.steps": 2.5}, ["run.steps", "2.5", "allowed: an integer"],
                 id="steps-fraction"),
    pytest.param({"partner_a.anxiety": "high"}, ["partner_a.anxiety", "'high'", "allowed"],
                 id="not-a-number"),
])
def test_with_overrides_rejects_a_bad_setting(overrides, needles):
    s = loads(BASE, "base.toml")
    message = error_of(s.with_overrides, overrides)
    assert_one_line(message, "--set", needles)


def test_with_overrides_checks_events_against_a_shorter_run():
    s = loads(edit("step = 200", "step = 300"), "base.toml")
    message = error_of(s.with_overrides, {"run.steps": 100})
    assert_one_line(message, "base.toml", ["events #2.step = 300", "past the run's end",
                                           "[1, 100]", "run.steps"])
    assert s.steps == 400
    assert s.with_overrides({"run.steps": 300}).steps == 300  # the last event still fits


def test_with_overrides_checks_expect_windows_against_a_shorter_run():
    s = find("job_loss")
    message = error_of(s.with_overrides, {"run.steps": 300})
    assert_one_line(message, s.source, ["expect", "[270, 365]", "run.steps = 300"])
