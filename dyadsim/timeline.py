"""Timelines: scheduled changes of named parameters, the same on both engines.

Every kind of scenario event (an outside stressor, a burst of ambiguous episodes, a
partner's response policy, a therapy, a plain change of a parameter) compiles to one or
more :class:`Change` s. A change moves one registry parameter from its value in the run
(its *base*) towards a new value (its *target*) from episode ``start`` on, phased in over
``ramp`` episodes or given as a course of ``sessions``, and (with a ``duration``) back to the
base afterwards. At episode ``t`` the parameter's value is ``base + w(t) (target - base)``,
with the weight

    w(t) = 0                                     before ``start`` and from ``end`` on,
    w(t) = min(1, (t - start + 1) / ramp)         otherwise (a linear phase-in), or
    w(t) = held(t) / sessions                     for a course of sessions,

where ``held(t) = min(sessions, floor((t - start) / every) + 1)`` is the number of sessions
held up to and including day ``t``: sessions fall on days ``start``, ``start + every``, ...,
and each adds its share of the effect, so the weight is a staircase that reaches 1 at the
last session. (An episode is one day: :mod:`dyadsim.timeunits`.)

Changes of one parameter may not overlap in time, so at most one moves a parameter at any
episode and the order of events in a file never matters.

A change of a trait (``anxiety`` or ``avoidance``) also moves every rule-level parameter
derived from that trait (unless the run sets it explicitly), from its derived value to the
value derived from the new trait; a trait on its own enters no rule.

:meth:`Timeline.compile` turns a timeline and a parameter matrix into a :class:`Plan`
(arrays). The Mesa model applies a plan with events on Mesa's own scheduler
(``model.schedule_event``); the batch kernel applies the same plan at the same steps with
the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numba.extending import register_jitable

from dyadsim.params import PARTNERS, REGISTRY, Param, derived_value, lookup

OPS: tuple[str, ...] = ("to", "by", "times", "toward")
"""How a change computes its target from the base value ``x``: ``to`` a value ``v``;
``by`` adding ``v``; ``times`` a factor ``v``; ``toward`` a goal ``v`` by a ``fraction``
``k`` (``x + k (v - x)``). Targets are clipped to the parameter's bounds."""

FIXED_DURING_RUN: frozenset[str] = frozenset(
    {"run.steps", "run.seed", "dyad.closeness0", *(f"{p}.trust0" for p in PARTNERS)}
)
"""Parameters a timeline cannot change: they act only at the start of a run."""

TRAITS: tuple[str, str] = ("anxiety", "avoidance")
MAX_PLAN_WEIGHTS = 20_000_000
"""A compiled plan holds one weight per change and episode (8 bytes each): at most this
many (160 MB), e.g. 200 changes over 100,000 episodes."""


@register_jitable
def blend(base: float, target: float, weight: float) -> float:
    """A changed parameter's value at weight ``w``: ``base + w (target - base)``.

    The one place this is computed: the Mesa model's events and the batch kernel both call it.
    """
    return base + weight * (target - base)


class TimelineError(ValueError):
    """A timeline that cannot be run: a change of a fixed parameter, or overlapping changes."""


@dataclass(frozen=True)
class Change:
    """One scheduled change of one registry parameter.

    Attributes:
        param: The parameter's dotted name.
        op: One of :data:`OPS`.
        value: The operand of ``op``.
        start: First episode at which the change acts (episodes count from 1).
        ramp: Episodes over which it phases in (1: at once); ignored for a course.
        end: First episode at which it no longer acts (``None``: to the end of the run).
        fraction: For ``toward``: the share of the way to the goal.
        origin: Where it comes from, for messages (``events[2] (therapy 'eft')``).
        sessions: For a course: how many sessions (``None``: no course, phase in over
            ``ramp``). The first is held on day ``start``.
        every: For a course: days from one session to the next (7: weekly).
    """

    param: str
    op: str
    value: float
    start: int
    ramp: int = 1
    end: int | None = None
    fraction: float = 1.0
    origin: str = ""
    sessions: int | None = None
    every: int = 7

    def target(self, base: np.ndarray) -> np.ndarray:
        """The changed values for an array of base values, clipped to the bounds."""
        param = REGISTRY[self.param]
        if self.op == "to":
            out = np.full_like(base, self.value)
        elif self.op == "by":
            out = base + self.value
        elif self.op == "times":
            out = base * self.value
        else:
            out = base + self.fraction * (self.value - base)
        return np.clip(out, param.low, param.high)

    def weights(self, steps: int) -> np.ndarray:
        """``w(t)`` for ``t = 0..steps`` (see the module docstring)."""
        t = np.arange(steps + 1, dtype=np.float64)
        if self.sessions is None:
            w = np.minimum(1.0, (t - self.start + 1.0) / float(self.ramp))
        else:
            held = np.floor((t - self.start) / float(self.every)) + 1.0
            w = np.minimum(float(self.sessions), held) / float(self.sessions)
        end = steps + 1 if self.end is None else self.end
        w[(t < self.start) | (t >= end)] = 0.0
        return w

    def columns(self, explicit: Iterable[str]) -> list[str]:
        """The parameters this change moves: its own, plus derived ones for a trait."""
        group, _, short = self.param.partition(".")
        if short not in TRAITS:
            return [self.param]
        fixed = set(explicit)
        derived = [name for name, p in REGISTRY.items()
                   if p.group == group and p.derive is not None and name not in fixed]
        return [self.param, *derived]


@dataclass(frozen=True)
class Plan:
    """A timeline compiled for ``n`` runs of ``steps`` episodes.

    Entry ``j`` moves parameter ``names[j]`` (column ``columns[j]`` of the parameter
    matrix) with the weights of change ``change_of[j]``: its value at episode ``t`` is
    ``bases[:, j] + weights[change_of[j], t] * (targets[:, j] - bases[:, j])``.
    """

    names: tuple[str, ...]
    columns: np.ndarray
    change_of: np.ndarray
    weights: np.ndarray
    bases: np.ndarray
    targets: np.ndarray

    @property
    def empty(self) -> bool:
        """Whether the plan changes nothing."""
        return len(self.names) == 0

    def steps_changing(self) -> np.ndarray:
        """The episodes at whose start some entry takes a new value."""
        if self.empty:
            return np.empty(0, dtype=np.int64)
        moved = np.any(np.diff(self.weights, axis=1) != 0.0, axis=0)
        return np.flatnonzero(moved) + 1

    def values_at(self, row: int, t: int) -> dict[str, float]:
        """The values of the entries that change at the start of episode ``t``, for one run."""
        out = {}
        for j, name in enumerate(self.names):
            k = self.change_of[j]
            w = self.weights[k, t]
            if w != self.weights[k, t - 1]:
                out[name] = float(blend(self.bases[row, j], self.targets[row, j], w))
        return out


@dataclass(frozen=True)
class Timeline:
    """An ordered collection of :class:`Change` s."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def check(self, steps: int, explicit: Iterable[str] = ()) -> None:
        """Reject changes of start-only parameters, changes past the end, and overlaps.

        Raises:
            TimelineError: Naming the events involved and the parameter.
        """
        explicit = set(explicit)
        windows: dict[str, list[tuple[int, int, int]]] = {}  # name -> (start, end, index)
        for k, ch in enumerate(self.changes):
            lookup(ch.param)
            if ch.param in FIXED_DURING_RUN:
                raise TimelineError(
                    f"{ch.origin}: {ch.param} only acts at the start of a run and cannot "
                    f"change during it; set it in the scenario's parameters instead")
            if ch.sessions is not None and (ch.sessions < 1 or ch.every < 1):
                raise TimelineError(
                    f"{ch.origin}: a course of {ch.sessions} sessions every {ch.every} days; "
                    f"allowed: at least 1 session, at least 1 day apart")
            if ch.start > steps:
                raise TimelineError(
                    f"{ch.origin}: starts at episode {ch.start}, past the run's end "
                    f"(run.steps = {steps})")
            end = steps + 1 if ch.end is None else ch.end
            for name in ch.columns(explicit):
                windows.setdefault(name, []).append((ch.start, end, k))
        # per parameter, sorted by start: a window overlaps an earlier one exactly when it
        # starts before the furthest end so far (n log n, not every pair)
        first: tuple[int, str, int] | None = None  # (later change, name, earlier change)
        for name, spans in windows.items():
            reach: tuple[int, int, int] | None = None
            for span in sorted(spans):
                if reach is not None and span[0] < reach[1]:
                    pair = (max(span[2], reach[2]), name, min(span[2], reach[2]))
                    first = pair if first is None or pair[0] < first[0] else first
                    break
                if reach is None or span[1] > reach[1]:
                    reach = span
        if first is not None:
            later, name, earlier = first
            ch, other = self.changes[later], self.changes[earlier]
            end = steps + 1 if ch.end is None else ch.end
            stop = steps + 1 if other.end is None else other.end
            traits = sorted({c.param for c in (ch, other) if c.param != name})
            via = f" ({name} is derived from {' and '.join(traits)})" if traits else ""
            raise TimelineError(
                f"{ch.origin}: overlaps {other.origin}: both change "
                f"{name}{via} during episodes {max(other.start, ch.start)}-"
                f"{min(stop, end) - 1}; one parameter can follow one change at "
                f"a time (give the first a duration, or start the second later)")

    def compile(self, matrix: np.ndarray, steps: int, explicit: Iterable[str] = ()) -> Plan:
        """The plan of this timeline for the runs of a parameter matrix.

        Args:
            matrix: Shape ``(n, len(REGISTRY))``, columns in registry order (as
                :func:`dyadsim.params.param_matrix` makes it).
            steps: Episodes per run.
            explicit: Parameters set explicitly in these runs (they do not follow a
                change of their partner's traits).
        """
        explicit = set(explicit)
        self.check(steps, explicit)
        if len(self.changes) * (steps + 1) > MAX_PLAN_WEIGHTS:
            raise TimelineError(
                f"{len(self.changes):,} scheduled changes x {steps + 1:,} episodes = "
                f"{len(self.changes) * (steps + 1):,} weights; allowed: at most "
                f"{MAX_PLAN_WEIGHTS:,} (fewer events or a shorter run)")
        names_all = list(REGISTRY)
        index = {name: i for i, name in enumerate(names_all)}
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
        names, cols, owners, bases, targets = [], [], [], [], []
        for k, ch in enumerate(self.changes):
            own_base = matrix[:, index[ch.param]]
            own_target = ch.target(own_base)
            for name in ch.columns(explicit):
                base = matrix[:, index[name]]
                if name == ch.param:
                    target = own_target
                else:
                    target = _rederive(REGISTRY[name], ch.param, own_target, matrix, index)
                names.append(name)
                cols.append(index[name])
                owners.append(k)
                bases.append(base)
                targets.append(target)
        n = matrix.shape[0]
        weights = (np.stack([ch.weights(steps) for ch in self.changes])
                   if self.changes else np.zeros((0, steps + 1)))
        return Plan(
            tuple(names), np.asarray(cols, dtype=np.int64), np.asarray(owners, dtype=np.int64),
            np.ascontiguousarray(weights),
            np.ascontiguousarray(np.column_stack(bases) if bases else np.zeros((n, 0))),
            np.ascontiguousarray(np.column_stack(targets) if targets else np.zeros((n, 0))),
        )


def _rederive(param: Param, trait_name: str, trait_value: np.ndarray, matrix: np.ndarray,
              index: dict[str, int]) -> np.ndarray:
    """A derived parameter's value once one trait of its partner takes a new value."""
    group, _, trait = trait_name.partition(".")
    anx = matrix[:, index[f"{group}.anxiety"]]
    avo = matrix[:, index[f"{group}.avoidance"]]
    if trait == "anxiety":
        anx = trait_value
    else:
        avo = trait_value
    return np.asarray(derived_value(param, anx, avo), dtype=np.float64)


EMPTY = Timeline()
"""A timeline without changes."""
