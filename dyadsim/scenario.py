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

A scenario round-trips: :meth:`Scenario.dumps` writes a canonical file that loads back to
an equal scenario, which gives the same runs.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from dyadsim import outcomes
from dyadsim.interventions import POLICIES, THERAPIES
from dyadsim.params import (
    PARTNERS,
    REGISTRY,
    Param,
    ParamError,
    Value,
    iter_params,
    lookup,
)
from dyadsim.timeline import FIXED_DURING_RUN, Change, Timeline, TimelineError

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"
"""The scenario library shipped with dyadsim (``dyadsim scenarios`` lists it)."""

EVENT_KINDS: dict[str, str] = {
    "change": "change one parameter: `param` and one of `to`, `by` or `times`",
    "stressor": "outside stress (a job loss, an illness): `level` is added to dyad.stress",
    "ambiguity": "a burst of ambiguous episodes (unanswered messages): dyad.ambiguity "
                 "becomes `level`",
    "policy": "a partner's way of responding: `partner` and `policy` "
              f"({', '.join(POLICIES)}), optional `strength`",
    "therapy": f"an intervention: `therapy` ({', '.join(THERAPIES)}), `partner` "
               "(partner_a, partner_b or both), optional `strength`",
}
"""The kinds of timeline event, with what each needs."""

PURSUE_WITHDRAW = "dyad.pursue_withdraw"
"""A derived series: the classifier's pursue-withdraw signal ``max(p_a w_b, p_b w_a)``."""

EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "change": ("param", "to", "by", "times"),
    "stressor": ("level",),
    "ambiguity": ("level",),
    "policy": ("policy", "partner", "strength"),
    "therapy": ("therapy", "partner", "strength"),
}
"""The keys each kind of event takes besides kind, label, step, ramp and duration."""

QUANTITY_HELP = ("share.<outcome> (one of " + ", ".join((*outcomes.OUTCOMES, "trap"))
                 + "), metric.<name> (see dyadsim.outcomes.METRIC_NAMES), a recorded "
                 "series such as partner_a.activation or dyad.closeness, or "
                 + PURSUE_WITHDRAW)


class ScenarioError(ValueError):
    """A scenario file or setting that cannot be used; the message is one line."""


# --- Data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One timeline event as written in a file (see :data:`EVENT_KINDS`).

    ``step`` is the first episode it acts on; ``ramp`` the episodes it takes to phase in;
    ``duration`` how many episodes it lasts (``None``: to the end of the run).
    """

    kind: str
    step: int
    label: str = ""
    ramp: int = 1
    duration: int | None = None
    param: str | None = None
    op: str | None = None
    value: float | None = None
    level: float | None = None
    partner: str | None = None
    policy: str | None = None
    therapy: str | None = None
    strength: float = 1.0

    def name(self, number: int) -> str:
        """How messages refer to it: ``events #2 ("Job loss")``."""
        return f"events #{number}" + (f' ("{self.label}")' if self.label else "")

    def changes(self, number: int) -> list[Change]:
        """The parameter changes this event makes (:mod:`dyadsim.timeline`)."""
        end = None if self.duration is None else self.step + self.duration
        origin = self.name(number)

        def change(param: str, op: str, value: float, fraction: float = 1.0) -> Change:
            return Change(param, op, value, self.step, self.ramp, end, fraction, origin)

        if self.kind == "change":
            assert self.param is not None and self.op is not None and self.value is not None
            return [change(self.param, self.op, self.value)]
        if self.kind == "stressor":
            return [change("dyad.stress", "by", float(self.level or 0.0))]
        if self.kind == "ambiguity":
            return [change("dyad.ambiguity", "to", float(self.level or 0.0))]
        preset = POLICIES[self.policy or ""] if self.kind == "policy" else THERAPIES[
            self.therapy or ""]
        return [change(f"{who}.{e.field}", "toward", e.goal, self.strength * e.fraction)
                for who in self.partners() for e in preset.effects]

    def partners(self) -> tuple[str, ...]:
        """The partners a policy or therapy acts on."""
        if self.partner in (None, "both"):
            return PARTNERS
        return (str(self.partner),)

    def to_dict(self) -> dict[str, Any]:
        """The event as it is written in a file."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.label:
            out["label"] = self.label
        out["step"] = self.step
        if self.kind == "change":
            out["param"] = self.param
            out[str(self.op)] = self.value
        elif self.kind in ("stressor", "ambiguity"):
            out["level"] = self.level
        else:
            out[self.kind] = self.policy if self.kind == "policy" else self.therapy
            if self.partner is not None:
                out["partner"] = self.partner
            if self.strength != 1.0:
                out["strength"] = self.strength
        if self.ramp != 1:
            out["ramp"] = self.ramp
        if self.duration is not None:
            out["duration"] = self.duration
        return out


@dataclass(frozen=True)
class Check:
    """One expectation: a quantity's mean over replicates, alone or against a variant.

    Attributes:
        kind: ``share`` or ``mean`` (the mean must lie ``within``), or ``compare`` (the
            scenario's mean must be ``relation`` (``lower``/``higher``) than a variant's,
            by at least ``margin``, replicate by replicate with the same seeds).
        quantity: See :data:`QUANTITY_HELP`.
        window: Episodes ``(first, last)`` a series is averaged over (``None``: all).
        within: Allowed interval of the mean.
        relation: ``lower`` or ``higher`` (compare).
        margin: The smallest difference that counts (compare).
        variant_set: Parameter settings of the variant (compare).
        variant_without: Labels of events the variant leaves out (compare).
        label: What the check shows, in words.
    """

    kind: str
    quantity: str
    window: tuple[int, int] | None = None
    within: tuple[float, float] | None = None
    relation: str | None = None
    margin: float = 0.0
    variant_set: dict[str, Value] = field(default_factory=dict)
    variant_without: tuple[str, ...] = ()
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The check as written in a file (``share`` checks are written by the caller)."""
        out: dict[str, Any] = {}
        if self.label:
            out["label"] = self.label
        out["of"] = self.quantity
        if self.window is not None:
            out["window"] = list(self.window)
        if self.kind == "mean":
            assert self.within is not None
            out["within"] = list(self.within)
        if self.kind == "compare":
            out["relation"] = self.relation
            out["margin"] = self.margin
            if self.variant_set:
                out["set"] = dict(self.variant_set)
            if self.variant_without:
                out["without"] = list(self.variant_without)
        return out


@dataclass(frozen=True)
class Expect:
    """The ``[expect]`` table: replicates, and the checks."""

    reps: int
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class SweepSpec:
    """The ``[sweep]`` table: grid axes (``name -> (low, high, count)``) and replicates."""

    axes: dict[str, tuple[float, float, int]]
    reps: int


@dataclass(frozen=True)
class Scenario:
    """A loaded, checked scenario.

    Attributes:
        title: Display title.
        summary: One line for listings.
        description: What to watch for, in plain words.
        names: Display names of partner A and partner B.
        params: The explicit parameter settings (dotted names); everything else takes its
            registry default or follows the traits.
        events: The timeline, as written.
        sweep: The ``[sweep]`` table, if any.
        expect: The ``[expect]`` table, if any.
        source: Where it was read from (for messages); not part of the scenario.
    """

    title: str
    summary: str
    description: str
    names: tuple[str, str] = ("Partner A", "Partner B")
    params: dict[str, Value] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    sweep: SweepSpec | None = None
    expect: Expect | None = None
    source: str = field(default="<scenario>", compare=False)

    @property
    def name(self) -> str:
        """The file's stem (``delayed_text``), or the source."""
        return Path(self.source).stem if self.source.endswith(".toml") else self.source

    @property
    def steps(self) -> int:
        """Episodes per run."""
        return int(self.params.get("run.steps", REGISTRY["run.steps"].default or 0))

    @property
    def seed(self) -> int:
        """The scenario's (root) seed."""
        return int(self.params.get("run.seed", REGISTRY["run.seed"].default or 0))

    def timeline(self, without: tuple[str, ...] = ()) -> Timeline:
        """The events as parameter changes, leaving out events with these labels."""
        changes: list[Change] = []
        for number, event in enumerate(self.events, start=1):
            if event.label and event.label in without:
                continue
            changes.extend(event.changes(number))
        return Timeline(tuple(changes))

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "--set") -> Scenario:
        """A copy with some parameters set (as ``--set`` does), checked again."""
        params = dict(self.params)
        for key, value in overrides.items():
            try:
                params[key] = lookup(key).check(value)
            except ParamError as err:
                raise ScenarioError(f"{origin}: {err}") from None
        out = replace(self, params=params)
        out.check_timeline()
        return out

    def check_timeline(self, extra_explicit: tuple[str, ...] = ()) -> None:
        """Check the events against the run length and each other."""
        for number, event in enumerate(self.events, start=1):
            if event.step > self.steps:
                raise ScenarioError(
                    f"{self.source}: {event.name(number)}.step = {event.step}: past the "
                    f"run's end; allowed: a whole number in [1, {self.steps}] (run.steps)")
        try:
            self.timeline().check(self.steps, set(self.params) | set(extra_explicit))
        except TimelineError as err:
            raise ScenarioError(f"{self.source}: {err}") from None
        for check in self.expect.checks if self.expect is not None else ():
            if check.window is not None and check.window[1] > self.steps:
                raise ScenarioError(
                    f"{self.source}: expect: the window {list(check.window)} of the check on "
                    f"{check.quantity} ends past the run's end; allowed: episodes within "
                    f"[0, {self.steps}] (run.steps = {self.steps})")

    def to_dict(self) -> dict[str, Any]:
        """The scenario in the structure of its TOML file (canonical order)."""
        out: dict[str, Any] = {"title": self.title, "summary": self.summary,
                               "description": self.description}
        for i, who in enumerate(PARTNERS):
            table: dict[str, Any] = {"name": self.names[i]}
            table.update(_group(self.params, who))
            out[who] = table
        for group in ("dyad", "run"):
            table = _group(self.params, group)
            if table:
                out[group] = table
        if self.events:
            out["events"] = [e.to_dict() for e in self.events]
        if self.sweep is not None:
            out["sweep"] = {"reps": self.sweep.reps, "axes": {
                k: list(v) for k, v in self.sweep.axes.items()}}
        if self.expect is not None:
            exp: dict[str, Any] = {"reps": self.expect.reps}
            shares = {c.quantity.split(".", 1)[1]: list(c.within or ())
                      for c in self.expect.checks if c.kind == "share"}
            if shares:
                exp["shares"] = shares
            for kind in ("mean", "compare"):
                rows = [c.to_dict() for c in self.expect.checks if c.kind == kind]
                if rows:
                    exp[kind] = rows
            out["expect"] = exp
        return out

    def dumps(self) -> str:
        """The scenario as TOML text (``loads(s.dumps()) == s``)."""
        return tomli_w.dumps(self.to_dict(), multiline_strings=True)

    def save(self, path: Path | str) -> None:
        """Write the scenario to a TOML file (atomically)."""
        from dyadsim.files import write_atomic

        text = self.dumps()
        write_atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _group(params: Mapping[str, Value], group: str) -> dict[str, Value]:
    return {name.split(".", 1)[1]: value for name, value in params.items()
            if name.startswith(group + ".")}


# --- Reading and checking ----------------------------------------------------------------


def load(path: Path | str) -> Scenario:
    """Read and check a scenario file.

    Raises:
        ScenarioError: One line naming the file, the key path, the value and what is
            allowed.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read it ({err.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a TOML file (not UTF-8 text)") from None
    return loads(text, str(path))


def loads(text: str, source: str = "<scenario>") -> Scenario:
    """Check scenario TOML text (see :func:`load`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None
    return from_dict(data, source)


_TOP = {
    "title": "a string", "summary": "a string", "description": "a string",
    "partner_a": "a table", "partner_b": "a table", "dyad": "a table", "run": "a table",
    "events": "an array of tables ([[events]])", "sweep": "a table", "expect": "a table",
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
    for group in ("dyad", "run"):
        table = r.table(data, group)
        r.keys(table, group, {p.short: p.allowed() for p in iter_params(group)})
        params.update(r.params(table, group))
    steps = int(params.get("run.steps", REGISTRY["run.steps"].default or 0))
    events = tuple(r.event(e, i, steps) for i, e in enumerate(r.tables(data, "events"), 1))
    scenario = Scenario(
        title, summary, description, (names[0], names[1]), params, events,
        r.sweep(data.get("sweep"), params), r.expect(data.get("expect"), events, steps),
        source,
    )
    scenario.check_timeline()
    return scenario


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


class _Reader:
    """Checks one file's values, and words the error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, value: Any, problem: str, allowed: str) -> ScenarioError:
        shown = f" = {value!r}" if value is not None else ""
        return ScenarioError(f"{self.source}: {path}{shown}: {problem}; allowed: {allowed}")

    def keys(self, table: Mapping[str, Any], path: str, allowed: Mapping[str, str]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                where = f"{path}.{key}" if path else key
                names = ", ".join(allowed) if len(allowed) <= 12 else (
                    "the keys listed by `dyadsim params` for this table")
                raise ScenarioError(f"{self.source}: {where}: unknown key{hint} "
                                    f"(allowed: {names})")

    def table(self, data: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{path}.{key}" if path else key, value,
                            f"wrong type ({_kind(value)})", "a table")
        return value

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, value, f"wrong type ({_kind(value)})",
                            f"an array of tables ([[{key}]])")
        return value

    def text(self, table: Mapping[str, Any], key: str, path: str = "", *,
             required: bool = False, default: str = "") -> str:
        where = f"{path}.{key}" if path else key
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: a string")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({_kind(value)})", "a string")
        if required and not value.strip():
            raise self.fail(where, value, "empty", "a non-empty string")
        return value

    def number(self, table: Mapping[str, Any], key: str, path: str, low: float, high: float,
               *, integer: bool = False, required: bool = False,
               default: float | None = None, allowed: str | None = None) -> Any:
        where = f"{path}.{key}"
        kind = "a whole number" if integer else "a number"
        allowed = allowed or f"{kind} in [{low:g}, {high:g}]"
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: {allowed}")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, value, f"wrong type ({_kind(value)})", allowed)
        if integer and not (isinstance(value, int) or float(value).is_integer()):
            raise self.fail(where, value, "not a whole number", allowed)
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(where, value, "out of range", allowed)
        return int(value) if integer else float(value)

    def choice(self, table: Mapping[str, Any], key: str, path: str,
               options: tuple[str, ...] | list[str], *, required: bool = True,
               default: str | None = None) -> str | None:
        where = f"{path}.{key}"
        allowed = "one of " + ", ".join(f'"{o}"' for o in options)
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: {allowed}")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({_kind(value)})", allowed)
        if value not in options:
            close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(where, value, f"unknown{hint}", allowed)
        return value

    def param_value(self, name: str, value: Any, where: str) -> Value:
        param: Param = REGISTRY[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, value, f"wrong type ({_kind(value)})", param.allowed())
        try:
            return param.check(value)
        except ParamError:
            if isinstance(value, float) and not math.isfinite(value):
                problem = "not a finite number"
            elif param.kind is int and not float(value).is_integer():
                problem = "not a whole number"
            else:
                problem = "out of range"
            raise self.fail(where, value, problem, param.allowed()) from None

    def params(self, table: Mapping[str, Any], group: str) -> dict[str, Value]:
        return {f"{group}.{k}": self.param_value(f"{group}.{k}", v, f"{group}.{k}")
                for k, v in table.items() if k != "name"}

    def param_name(self, table: Mapping[str, Any], key: str, path: str) -> str:
        value = table.get(key)
        where = f"{path}.{key}"
        if key not in table:
            raise ScenarioError(f"{self.source}: {where}: missing; allowed: a parameter "
                                f"name (dyadsim params)")
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({_kind(value)})",
                            "a parameter name (dyadsim params)")
        try:
            lookup(value)
        except ParamError as err:
            raise ScenarioError(f"{self.source}: {where}: {err}") from None
        return value

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
            partners = (*PARTNERS, "both") if preset.couple else PARTNERS
            partner = self.choice(table, "partner", path, partners,
                                  required=not preset.couple)
            strength = self.number(table, "strength", path, 0, 1, default=1.0)
            fields = {kind: name, "partner": partner, "strength": strength}
        return Event(kind, step, label, ramp, duration, **fields)

    def sweep(self, data: Any, params: Mapping[str, Value]) -> SweepSpec | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise self.fail("sweep", data, f"wrong type ({_kind(data)})", "a table")
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
            raise self.fail("expect", data, f"wrong type ({_kind(data)})", "a table")
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
        return Expect(reps, tuple(checks))

    def interval(self, value: Any, where: str, low: float, high: float) -> tuple[float, float]:
        allowed = f"[LOW, HIGH] with {low:g} <= LOW <= HIGH <= {high:g}"
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)):
            raise self.fail(where, value, "not an interval", allowed)
        a, b = float(value[0]), float(value[1])
        if not low <= a <= b <= high:
            raise self.fail(where, value, "not an interval", allowed)
        return a, b

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


# --- The library -----------------------------------------------------------------------------


def library() -> list[Scenario]:
    """Every scenario in ``scenarios/``, in file-name order."""
    return [load(p) for p in sorted(LIBRARY.glob("*.toml"))]


def find(name_or_path: str) -> Scenario:
    """Load a scenario by file path, or by its name in the library (``delayed_text``)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load(path)
    candidate = LIBRARY / f"{name_or_path}.toml"
    if candidate.exists():
        return load(candidate)
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    close = difflib.get_close_matches(name_or_path, names, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(f"{name_or_path}: no such file or library scenario{hint} "
                        f"(`dyadsim scenarios` lists the library)")
