"""A scenario's data: the couple, the timeline of events, the sweep and the expectations.

The classes are frozen and checked: :mod:`dyadsim.scenario.reader` builds them from a file,
:meth:`Scenario.dumps` writes them back. An :class:`Event` compiles to the parameter
changes of :mod:`dyadsim.timeline`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from dyadsim.interventions import POLICIES, THERAPIES, course_text
from dyadsim.params import PARTNERS, REGISTRY, ParamError, Value, lookup
from dyadsim.scenario.lesson import Lesson
from dyadsim.timeline import Change, Timeline, TimelineError

EVENT_KINDS: dict[str, str] = {
    "change": "change one parameter: `param` and one of `to`, `by` or `times`",
    "stressor": "outside stress (a job loss, an illness): `level` is added to dyad.stress",
    "ambiguity": "a burst of ambiguous episodes (unanswered messages): dyad.ambiguity "
                 "becomes `level`",
    "policy": "a partner's way of responding: `partner` and `policy` "
              f"({', '.join(POLICIES)}), optional `strength`",
    "therapy": f"an intervention: `therapy` ({', '.join(THERAPIES)}), `partner` "
               "(partner_a, partner_b or both), optional `strength`; a course of "
               "`sessions` held `every` so many days (default: the therapy's own course)",
}
"""The kinds of timeline event, with what each needs."""

PURSUE_WITHDRAW = "dyad.pursue_withdraw"
"""A derived series: the classifier's pursue-withdraw signal ``max(p_a w_b, p_b w_a)``."""


class ScenarioError(ValueError):
    """A scenario file or setting that cannot be used; the message is one line."""


# --- Data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One timeline event as written in a file (see :data:`EVENT_KINDS`).

    ``step`` is the first episode it acts on; ``ramp`` the episodes it takes to phase in;
    ``duration`` how many episodes it lasts (``None``: to the end of the run). A therapy
    can instead be a course: ``sessions`` sessions ``every`` so many days (an episode is
    one day), the first on ``step``, each adding its share of the effect (``sessions``
    ``None``: no course, phased in over ``ramp``). A file's therapy event without ``ramp``
    or ``sessions`` takes the therapy's default course (the reader fills it in).
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
    sessions: int | None = None
    every: int | None = None

    def name(self, number: int) -> str:
        """How messages refer to it: ``events #2 ("Job loss")``."""
        return f"events #{number}" + (f' ("{self.label}")' if self.label else "")

    def changes(self, number: int) -> list[Change]:
        """The parameter changes this event makes (:mod:`dyadsim.timeline`)."""
        end = None if self.duration is None else self.step + self.duration
        origin = self.name(number)

        def change(param: str, op: str, value: float, fraction: float = 1.0) -> Change:
            return Change(param, op, value, self.step, self.ramp, end, fraction, origin,
                          self.sessions, self.every or 7)

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

    def last_session(self) -> int | None:
        """The day of a course's last session (``None``: not a course)."""
        if self.sessions is None:
            return None
        return self.step + (self.sessions - 1) * (self.every or 7)

    def course(self) -> str:
        """A course in words, ``"12 weekly sessions from day 120"`` (empty: no course)."""
        if self.sessions is None:
            return ""
        return f"{course_text(self.sessions, self.every or 7)} from day {self.step}"

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
            if self.sessions is not None:
                out["sessions"] = self.sessions
                out["every"] = self.every or 7
        if self.ramp != 1 and self.sessions is None:
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

    @property
    def series(self) -> bool:
        """Whether the check reads a recorded series (not a share or a metric)."""
        return self.quantity.partition(".")[0] not in ("share", "metric")

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
        lesson: The ``[lesson]`` table, if any (:mod:`dyadsim.scenario.lesson`).
        unit: What one step is (``[run] unit``): ``"day"`` (the default) or ``"moment"``
            (a moment of a short procedure, such as the Strange Situation).
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
    lesson: Lesson | None = None
    unit: str = "day"

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
            if group == "run" and self.unit != "day":
                table["unit"] = self.unit
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
        if self.lesson is not None:
            out["lesson"] = self.lesson.to_dict()
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
