"""Reading a scenario file: the schema of its tables, checked key by key.

A scenario is data, never code: it is read with :mod:`tomllib`, every key is checked
against the parameter registry and the schema below, and nothing in it is executed or
evaluated. A file that breaks a rule raises :class:`~dyadsim.scenario.model.ScenarioError`
with one line (:mod:`dyadsim.scenario.fields` words it).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dyadsim import outcomes
from dyadsim.files import FileRefused, read_regular
from dyadsim.interventions import POLICIES, THERAPIES, Preset, available, course_text
from dyadsim.params import PARTNERS, REGISTRY, ParamError, Value, iter_params, lookup
from dyadsim.scenario.fields import FieldReader, kind_of
from dyadsim.scenario.lesson_reader import read_lesson, read_unit
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
from dyadsim.timeline import FIXED_DURING_RUN

EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "change": ("param", "to", "by", "times"),
    "stressor": ("level",),
    "ambiguity": ("level",),
    "policy": ("policy", "partner", "strength"),
    "therapy": ("therapy", "partner", "strength", "sessions", "every"),
}
"""The keys each kind of event takes besides kind, label, step, ramp and duration."""

MAX_SESSIONS = 100
"""A therapy's course has at most this many sessions."""
MAX_EVERY = 60
"""Sessions of a course are at most this many days apart."""

MAX_FILE_BYTES = 1_000_000
"""A scenario file is at most 1 MB (the library's files are a few KB; a thousand events
take about 60 KB). Larger files, and anything but a regular file, are not read."""
MAX_DEPTH = 10
"""Tables and arrays nest at most this deep (the deepest a scenario needs is 6:
``expect.compare[1].set.partner_a.anxiety``)."""
MAX_EVENTS = 200
"""At most this many events in one scenario: a lesson needs a handful, and each event's
changes are compiled to one weight per episode for every run (see
:data:`dyadsim.timeline.MAX_PLAN_WEIGHTS`)."""

MAX_EXPECT_ROWS = 1_000_000
"""An ``[expect]`` table whose checks read a recorded series (not only shares and metrics)
records every episode of every replicate: reps x (run.steps + 1) rows of about 240 bytes,
at most this many (about 240 MB)."""


def expect_rows_problem(reps: int, steps: int) -> str | None:
    """Why ``reps`` recorded replicates of ``steps`` episodes are too many, or ``None``."""
    rows = reps * (steps + 1)
    if rows <= MAX_EXPECT_ROWS:
        return None
    return (f"series checks record every episode: {reps:,} replicates x {steps + 1:,} "
            f"episodes = {rows:,} rows (about {rows * 240 / 1e9:.2g} GB); allowed: at most "
            f"{MAX_EXPECT_ROWS:,} rows (reps <= {MAX_EXPECT_ROWS // (steps + 1):,} at "
            f"run.steps = {steps})")


QUANTITY_HELP = ("share.<outcome> (one of " + ", ".join((*outcomes.OUTCOMES, "trap"))
                 + "), metric.<name> (see dyadsim.outcomes.METRIC_NAMES), a recorded "
                 "series such as partner_a.activation or dyad.closeness, or "
                 + PURSUE_WITHDRAW)


def load(path: Path | str) -> Scenario:
    """Read and check a scenario file.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read (never a device or a
    FIFO, which would not end or would block); a UTF-8 byte order mark is accepted.

    Raises:
        ScenarioError: One line naming the file, the key path, the value and what is
            allowed.
    """
    path = Path(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except FileRefused as err:
        raise ScenarioError(f"{path}: {err} (a scenario file of at most "
                            f"{MAX_FILE_BYTES:,} bytes)") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read it ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a TOML file (not UTF-8 text)") from None
    return loads(text, str(path))


def loads(text: str, source: str = "<scenario>") -> Scenario:
    """Check scenario TOML text (see :func:`load`).

    Every problem is one :class:`ScenarioError` line: invalid TOML, nesting deeper than
    :data:`MAX_DEPTH`, more than :data:`MAX_FILE_BYTES` of text, or a rule of the schema.
    """
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"{source}: {len(text):,} characters; allowed: a scenario of at "
                            f"most {MAX_FILE_BYTES:,} bytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {_one_line(err)}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: not a scenario: arrays or tables nested too deeply; "
                            f"allowed: at most {MAX_DEPTH} levels") from None
    except (ValueError, TypeError) as err:
        raise ScenarioError(f"{source}: not valid TOML: {_one_line(err)}") from None
    depth = _depth(data)
    if depth > MAX_DEPTH:
        raise ScenarioError(f"{source}: not a scenario: arrays or tables nested {depth} levels "
                            f"deep; allowed: at most {MAX_DEPTH} levels")
    return from_dict(data, source)


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _depth(data: Any) -> int:
    """How deep tables and arrays nest in parsed TOML (iteratively: no recursion limit)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, level + 1) for v in children if isinstance(v, dict | list))
    return deepest


_TOP = {
    "title": "a string", "summary": "a string", "description": "a string",
    "partner_a": "a table", "partner_b": "a table", "dyad": "a table", "run": "a table",
    "events": "an array of tables ([[events]])", "sweep": "a table", "expect": "a table",
    "lesson": "a table",
}


def from_dict(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Check a parsed scenario (the structure of the TOML file) and build it."""
    r = _Reader(source)
    r.keys(data, "", _TOP)
    title = r.text(data, "title", required=True)
    summary = r.text(data, "summary", required=True)
    description = r.text(data, "description", required=True)
    params: dict[str, Value] = {}
    names = []
    for who, default in zip(PARTNERS, ("Partner A", "Partner B"), strict=True):
        table = r.table(data, who)
        allowed = {p.short: p.allowed() for p in iter_params(who)} | {"name": "a string"}
        r.keys(table, who, allowed)
        names.append(r.text(table, "name", who, default=default))
        params.update(r.params(table, who))
    unit = "day"
    for group in ("dyad", "run"):
        table = r.table(data, group)
        allowed = {p.short: p.allowed() for p in iter_params(group)}
        if group == "run":
            allowed["unit"] = "day or moment"
            unit = read_unit(r, table)
            table = {k: v for k, v in table.items() if k != "unit"}
        r.keys(table, group, allowed)
        params.update(r.params(table, group))
    steps = int(params.get("run.steps", REGISTRY["run.steps"].default or 0))
    raw_events = r.tables(data, "events")
    if len(raw_events) > MAX_EVENTS:
        raise ScenarioError(f"{source}: events: {len(raw_events):,} events; allowed: at most "
                            f"{MAX_EVENTS:,} events in one scenario")
    events = tuple(r.event(e, i, steps) for i, e in enumerate(raw_events, 1))
    scenario = Scenario(
        title, summary, description, (names[0], names[1]), params, events,
        r.sweep(data.get("sweep"), params), r.expect(data.get("expect"), events, steps),
        source,
        read_lesson(r, data.get("lesson"), steps, _quantity_ok, QUANTITY_HELP),
        unit,
    )
    scenario.check_timeline()
    return scenario


class _Reader(FieldReader):
    """Checks the tables of one file: events, the sweep, the expectations."""

    def event(self, table: Mapping[str, Any], number: int, steps: int) -> Event:
        path = f"events #{number}"
        kind = self.choice(table, "kind", path, tuple(EVENT_KINDS))
        assert kind is not None
        common = ("kind", "label", "step", "ramp", "duration")
        own = EVENT_KEYS[kind]
        self.keys(table, f"{path} ({kind})",
                  {k: "" for k in (*common, *own)})
        label = self.text(table, "label", path)
        if label:
            path = f'events #{number} ("{label}")'
        episodes = f"a whole number in [1, {steps}] (run.steps = {steps})"
        step = self.number(table, "step", path, -math.inf, math.inf, integer=True,
                           required=True, allowed=episodes)
        if not 1 <= step <= steps:
            raise self.fail(f"{path}.step", step,
                            "past the run's end" if step > steps else "before the first episode",
                            episodes)
        ramp = self.number(table, "ramp", path, 1, steps, integer=True, default=1)
        duration = self.number(table, "duration", path, 1, steps, integer=True)
        fields: dict[str, Any] = {}
        if kind == "change":
            name = self.param_name(table, "param", path)
            param = REGISTRY[name]
            if name in FIXED_DURING_RUN:
                raise self.fail(f"{path}.param", name, "acts only at the start of a run",
                                "a parameter that acts during the run (set this one in "
                                f"[{param.group}] instead)")
            ops = [op for op in ("to", "by", "times") if op in table]
            if len(ops) != 1:
                raise ScenarioError(
                    f"{self.source}: {path}: needs exactly one of to, by, times; got "
                    f"{', '.join(ops) or 'none'}")
            op = ops[0]
            width = param.high - param.low
            if op == "to":
                value = self.param_value(name, table["to"], f"{path}.to")
            elif op == "by":
                value = self.number(table, "by", path, -width, width)
            else:
                value = self.number(table, "times", path, 0, 1e6)
            fields = {"param": name, "op": op, "value": float(value)}
        elif kind == "stressor":
            fields = {"level": self.number(table, "level", path, 0, 1, required=True)}
        elif kind == "ambiguity":
            fields = {"level": self.number(table, "level", path, 0, 1, required=True)}
        else:
            options = POLICIES if kind == "policy" else THERAPIES
            name = self.choice(table, kind, path, tuple(options))
            preset = options[str(name)]
            missing = preset.missing()
            if missing:
                raise self.fail(f"{path}.{kind}", name,
                                f"needs the parameter {missing[0]}, which this version of "
                                f"the model does not have",
                                "one of " + ", ".join(f'"{o}"' for o in available(options)))
            partners = (*PARTNERS, "both") if preset.couple else PARTNERS
            partner = self.choice(table, "partner", path, partners,
                                  required=not preset.couple)
            strength = self.number(table, "strength", path, 0, 1, default=1.0)
            fields = {kind: name, "partner": partner, "strength": strength}
            if kind == "therapy":
                fields |= self.course(table, path, preset, step, duration)
        return Event(kind, step, label, ramp, duration, **fields)

    def course(self, table: Mapping[str, Any], path: str, preset: Preset, step: int,
               duration: int | None) -> dict[str, int | None]:
        """A therapy event's course (``sessions`` and ``every``).

        The event's own keys, else the preset's default course; no course (``None``) if
        the event phases in over a ``ramp`` instead.
        """
        own = [k for k in ("sessions", "every") if k in table]
        if "ramp" in table:
            if own:
                raise self.fail(f"{path}.ramp", table["ramp"],
                                f"cannot be combined with {' and '.join(own)}",
                                "either ramp (a linear phase-in) or sessions and every "
                                "(a course of sessions), not both")
            return {"sessions": None, "every": None}
        assert preset.course is not None
        sessions = self.number(table, "sessions", path, 1, MAX_SESSIONS, integer=True,
                               default=preset.course.sessions,
                               allowed=f"a whole number in [1, {MAX_SESSIONS}] "
                                       f"(sessions in the course)")
        every = self.number(table, "every", path, 1, MAX_EVERY, integer=True,
                            default=preset.course.every,
                            allowed=f"a whole number in [1, {MAX_EVERY}] (days between "
                                    f"sessions; 7: weekly)")
        last = step + (sessions - 1) * every
        if duration is not None and last >= step + duration:
            raise self.fail(f"{path}.duration", duration,
                            f"ends before the course's last session (day {last}: "
                            f"{course_text(sessions, every)} from day {step})",
                            f"a whole number of at least {last - step + 1} days, or no "
                            f"duration")
        return {"sessions": sessions, "every": every}

    def sweep(self, data: Any, params: Mapping[str, Value]) -> SweepSpec | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise self.fail("sweep", data, f"wrong type ({kind_of(data)})", "a table")
        self.keys(data, "sweep", {"axes": "a table", "reps": "a whole number"})
        reps = self.number(data, "reps", "sweep", 1, 100_000, integer=True, default=10)
        axes_raw = self.table(data, "axes", "sweep")
        axes: dict[str, tuple[float, float, int]] = {}
        for name, spec in _flatten(axes_raw).items():
            where = f"sweep.axes.{name}"
            try:
                param = lookup(name)
            except ParamError as err:
                raise ScenarioError(f"{self.source}: {where}: {err}") from None
            if not param.sweepable:
                raise self.fail(where, spec, "cannot be swept", "a sweepable parameter")
            allowed = "\"LOW:HIGH:COUNT\" or [LOW, HIGH, COUNT]"
            parts = spec.split(":") if isinstance(spec, str) else spec
            if not isinstance(parts, list) or len(parts) != 3:
                raise self.fail(where, spec, "not an axis", allowed)
            try:
                low, high = (float(x) for x in parts[:2])
                count = int(parts[2])
            except (TypeError, ValueError):
                raise self.fail(where, spec, "not an axis", allowed) from None
            for end in (low, high):
                if not param.low <= end <= param.high:
                    raise self.fail(where, spec, "end out of range", param.allowed())
            if count < 1:
                raise self.fail(where, spec, "count below 1", allowed)
            axes[name] = (low, high, count)
        if not axes:
            raise ScenarioError(f"{self.source}: sweep.axes: missing; allowed: a table of "
                                f"parameter = \"LOW:HIGH:COUNT\"")
        return SweepSpec(axes, reps)

    def expect(self, data: Any, events: tuple[Event, ...], steps: int) -> Expect | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise self.fail("expect", data, f"wrong type ({kind_of(data)})", "a table")
        self.keys(data, "expect", {"reps": "", "shares": "", "mean": "", "compare": ""})
        reps = self.number(data, "reps", "expect", 2, 10_000, integer=True, required=True)
        checks: list[Check] = []
        shares = self.table(data, "shares", "expect")
        names = (*outcomes.OUTCOMES, "trap")
        for name, bounds in shares.items():
            if name not in names:
                raise self.fail(f"expect.shares.{name}", None, "unknown outcome",
                                ", ".join(names))
            checks.append(Check("share", f"share.{name}",
                                within=self.interval(bounds, f"expect.shares.{name}", 0, 1)))
        labels = {e.label for e in events if e.label}
        for kind in ("mean", "compare"):
            for i, row in enumerate(self.tables(data, kind), start=1):
                checks.append(self.check(row, f"expect.{kind} #{i}", kind, labels, steps))
        if not checks:
            raise ScenarioError(f"{self.source}: expect: no checks; allowed: shares, "
                                f"[[expect.mean]] or [[expect.compare]]")
        if any(c.series for c in checks):
            problem = expect_rows_problem(reps, steps)
            if problem is not None:
                raise ScenarioError(f"{self.source}: expect.reps = {reps}: {problem}")
        return Expect(reps, tuple(checks))

    def check(self, row: Mapping[str, Any], path: str, kind: str, labels: set[str],
              steps: int) -> Check:
        common = {"label": "", "of": "", "window": ""}
        own = {"within": ""} if kind == "mean" else {
            "relation": "", "margin": "", "set": "", "without": ""}
        self.keys(row, path, common | own)
        label = self.text(row, "label", path)
        quantity = self.text(row, "of", path, required=True)
        if not _quantity_ok(quantity):
            raise self.fail(f"{path}.of", quantity, "unknown quantity", QUANTITY_HELP)
        window = None
        if "window" in row:
            lo, hi = self.interval(row["window"], f"{path}.window", 0, steps)
            if not (lo.is_integer() and hi.is_integer()):
                raise self.fail(f"{path}.window", row["window"], "not whole episodes",
                                f"[FIRST, LAST] within [0, {steps}]")
            window = (int(lo), int(hi))
        if kind == "mean":
            if "within" not in row:
                raise ScenarioError(f"{self.source}: {path}.within: missing; allowed: "
                                    f"[LOW, HIGH]")
            within = self.interval(row["within"], f"{path}.within", -math.inf, math.inf)
            return Check("mean", quantity, window, within, label=label)
        relation = self.choice(row, "relation", path, ("lower", "higher"))
        margin = self.number(row, "margin", path, 0, math.inf, default=0.0)
        variant = {}
        for name, value in _flatten(self.table(row, "set", path)).items():
            try:
                lookup(name)
            except ParamError as err:
                raise ScenarioError(f"{self.source}: {path}.set.{name}: {err}") from None
            variant[name] = self.param_value(name, value, f"{path}.set.{name}")
        without = row.get("without", [])
        if not isinstance(without, list) or not all(isinstance(w, str) for w in without):
            raise self.fail(f"{path}.without", without, "wrong type",
                            "an array of event labels")
        for w in without:
            if w not in labels:
                raise self.fail(f"{path}.without", w, "no event has this label",
                                ", ".join(sorted(labels)) or "(no labelled events)")
        if not variant and not without:
            raise ScenarioError(f"{self.source}: {path}: the variant is the scenario itself; "
                                f"allowed: a `set` table and/or a `without` list")
        return Check("compare", quantity, window, None, relation, float(margin), variant,
                     tuple(without), label)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"partner_a": {"anxiety": 1}}`` and ``{"partner_a.anxiety": 1}`` alike."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def _quantity_ok(quantity: str) -> bool:
    kind, _, rest = quantity.partition(".")
    if kind == "share":
        return rest in (*outcomes.OUTCOMES, "trap")
    if kind == "metric":
        return rest in outcomes.METRIC_NAMES
    from dyadsim.batch import TRAJECTORY_COLUMNS

    return quantity in TRAJECTORY_COLUMNS[1:] or quantity == PURSUE_WITHDRAW


