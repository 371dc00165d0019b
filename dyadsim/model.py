"""The dyad model on Mesa 3.5: two partners, one episode per step, run in stages.

One step is one interaction episode, in the schedule of :mod:`dyadsim.episode`: each
partner stage of :data:`dyadsim.episode.STAGES` runs across both agents with Mesa's
AgentSet (``model.agents.do``) before the next begins, so neither partner sees the other
half-updated; then the dyad's closeness and each partner's exit draw (dissolution).

Time runs on Mesa's own scheduler (``run_for``, ``run_until``, ``schedule_event``). A
scenario's timeline (:mod:`dyadsim.timeline`) is put on that scheduler as events: a change
that acts from episode ``t`` is an event at time ``t - 1``, which Mesa runs after step
``t - 1`` and before step ``t``.
Randomness: every draw is a pure function of (run seed, step, channel); see
:mod:`dyadsim.streams`.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import mesa
import numpy as np
import pandas as pd

from dyadsim import episode, streams
from dyadsim.agents import Partner
from dyadsim.individual import individualize
from dyadsim.params import PARTNERS, REGISTRY, ParamError, make_params
from dyadsim.schema import STATE_VARS, dyad_vector, param_slot
from dyadsim.timeline import Plan, Timeline

STAGES = episode.STAGES


def closeness(model: DyadModel) -> float:
    """Model reporter: the dyad's emotional closeness."""
    return model.closeness


def dissolved(model: DyadModel) -> float:
    """Model reporter: 1.0 once the relationship has ended, else 0.0."""
    return float(model.dissolved)


class DyadModel(mesa.Model):
    """A couple: two :class:`Partner` agents and the closeness between them.

    Args:
        params: Parameter values by dotted name (anything not given takes its registry
            default; derived gains follow the traits unless set).
        rng: The run's seed (an int). Overrides ``run.seed``; ``None`` uses ``run.seed``.
            Named ``rng`` as in Mesa 3.5, so ``mesa.batch_run(..., rng=[...])`` works.
        timeline: Scheduled parameter changes (a scenario's events), put on Mesa's event
            scheduler. Parameters given in ``params`` or ``overrides`` count as explicit:
            they do not follow a timeline's change of their partner's traits.
        **overrides: More parameter values by dotted name, e.g.
            ``DyadModel(**{"partner_a.anxiety": 0.9})``; this is how ``mesa.batch_run``
            passes its parameters.

    Raises:
        ParamError: For an unknown key or a value out of range.
    """

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        rng: int | None = None,
        timeline: Timeline | None = None,
        **overrides: Any,
    ) -> None:
        settings = {**(params or {}), **overrides}
        if rng is not None:
            if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
                raise ParamError(f"rng: needs an int seed, got {rng!r}")
            settings["run.seed"] = int(rng)
        values = make_params(settings)
        seed = int(values["run.seed"])
        super().__init__(rng=seed)
        self.seed = seed
        self.stream_key = streams.run_key(seed)
        row = individualize(np.array([[float(values[n]) for n in REGISTRY]]),
                            np.array([self.stream_key], dtype=np.uint64),
                            set(settings) - {"run.seed"})[0]
        for (name, param), value in zip(REGISTRY.items(), row, strict=True):
            if param.kind is float:
                values[name] = float(value)
        self._values: dict[str, Any] = values
        self.params: Mapping[str, Any] = MappingProxyType(self._values)
        """Every parameter's current value for this run (this couple's own, after the
        person-level deviations of :mod:`dyadsim.individual`), read-only: change one with
        :meth:`set_param`."""
        self.dyad_params = dyad_vector(np.array([float(values[n]) for n in REGISTRY]))
        self.closeness: float = float(episode.initial_closeness(self.dyad_params))
        self.dissolved = False
        self.dissolved_at: int | None = None
        self.partner_a = Partner(self, "partner_a")
        self.partner_b = Partner(self, "partner_b")
        self.partner_a.partner, self.partner_b.partner = self.partner_b, self.partner_a
        self.datacollector = mesa.DataCollector(
            model_reporters={"dyad.closeness": closeness, "dyad.dissolved": dissolved},
            agent_reporters={name: operator.attrgetter(name) for name in STATE_VARS},
        )
        self.datacollector.collect(self)
        self._timeline_events: list[_TimelineStep] = []
        if timeline:
            self._schedule(timeline, set(settings) - {"run.seed"})

    def _schedule(self, timeline: Timeline, explicit: set[str]) -> None:
        """Put each episode at which the timeline changes a value on Mesa's scheduler."""
        row = np.array([[float(self.params[name]) for name in REGISTRY]])
        plan = timeline.compile(row, int(self.params["run.steps"]), explicit)
        for t in plan.steps_changing():
            event = _TimelineStep(self, plan, int(t))
            self._timeline_events.append(event)  # Mesa holds callbacks by weak reference
            self.schedule_event(event.fire, at=int(t) - 1)

    def set_param(self, name: str, value: float) -> None:
        """Change one parameter during the run (the model's and the engine's copy)."""
        self._values[name] = value
        where, slot = param_slot(name)
        if where == 2:
            self.dyad_params[slot] = value
        else:
            (self.partner_a, self.partner_b)[where].params[slot] = value

    def step(self) -> None:
        """One interaction episode; a dissolved relationship no longer changes."""
        if self.dissolved:
            return
        for stage in STAGES:
            self.agents.do(stage)
        self._update_dyad()
        self.datacollector.collect(self)

    def _update_dyad(self) -> None:
        a, b = self.partner_a, self.partner_b
        made_a, made_b = a.repair_draw(), b.repair_draw()
        a.state, b.state = episode.repair(a.state, b.state, a.params, b.params,
                                          self.dyad_params, made_a, made_b)
        self.closeness = float(episode.closeness(
            self.closeness, a.params, b.params, a.state, b.state, self.dyad_params))
        leaves = [partner.exit_draw() for partner in (a, b)]
        if any(leaves):
            self.dissolved = True
            self.dissolved_at = self.steps
            self.running = False

    def run(self, steps: int | None = None) -> DyadModel:
        """Run ``steps`` episodes (default ``run.steps``) on Mesa's scheduler."""
        self.run_for(self.params["run.steps"] if steps is None else steps)
        return self

    def trajectory(self) -> pd.DataFrame:
        """The recorded run, one row per step (step 0 is the initial state).

        Columns: ``step``, ``dyad.closeness``, ``dyad.dissolved`` and
        ``partner_a.<state>``, ``partner_b.<state>`` for every state variable. A dissolved
        run ends at the step it dissolved.
        """
        dc = self.datacollector
        agents = dc.get_agent_vars_dataframe()
        role = {self.partner_a.unique_id: "partner_a", self.partner_b.unique_id: "partner_b"}
        wide = agents.unstack("AgentID")
        wide.columns = [f"{role[aid]}.{var}" for var, aid in wide.columns]
        order = [f"{who}.{var}" for who in PARTNERS for var in STATE_VARS]
        wide = wide[order].reset_index(drop=True)
        model = dc.get_model_vars_dataframe().reset_index(drop=True)
        out = pd.concat([model, wide], axis=1)
        out.insert(0, "step", np.arange(len(out)))
        return out


class _TimelineStep:
    """The timeline's changes at the start of one episode, as a Mesa event callback."""

    def __init__(self, model: DyadModel, plan: Plan, step: int) -> None:
        self.model, self.plan, self.step = model, plan, step

    def fire(self) -> None:
        """Set the parameters that take new values at this episode."""
        if self.model.dissolved:
            return
        for name, value in self.plan.values_at(0, self.step).items():
            self.model.set_param(name, value)
