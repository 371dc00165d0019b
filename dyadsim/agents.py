"""The partner agent: its parameters, its state, and one thin method per stage of an episode.

Each method calls the stage of :mod:`dyadsim.episode` (the same function the batch engine's
kernel and the mean field call) on the agent's own state, and writes only its own state, so
the order in which the two agents run within a stage does not matter. The agent draws its
own random numbers from the run's streams (:mod:`dyadsim.streams`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from dyadsim import episode, streams
from dyadsim.registry import PARTNER_FIELDS
from dyadsim.schema import D_AMBIG, D_LRATE, F_LAPSE, S_PUR, STATE_VARS

if TYPE_CHECKING:
    from dyadsim.model import DyadModel

_STATE_INDEX = {name: i for i, name in enumerate(STATE_VARS)}


class Partner(mesa.Agent):
    """One partner of the dyad: traits, derived gains, and attachment-system state.

    Args:
        model: The dyad this partner belongs to.
        role: ``"partner_a"`` or ``"partner_b"``; selects this partner's parameters.

    Attributes:
        params: This partner's parameter vector, in ``PARTNER_FIELDS`` order.
        state: This partner's state, a tuple in ``STATE_VARS`` order; each variable is also
            readable by name (``partner.activation``).
    """

    def __init__(self, model: DyadModel, role: str) -> None:
        super().__init__(model)
        self.role = role
        self.index = 0 if role == "partner_a" else 1
        self.params = np.array([float(model.params[f"{role}.{f}"]) for f in PARTNER_FIELDS])
        self.partner: Partner | None = None
        self.state: episode.State = episode.initial(self.params)

    def __getattr__(self, name: str) -> float:
        """A state variable by name (``partner.activation``)."""
        if name in _STATE_INDEX:
            return float(self.state[_STATE_INDEX[name]])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def set(self, field: str, value: float) -> None:
        """Change one of this partner's parameters (a scenario event during the run)."""
        self.params[PARTNER_FIELDS.index(field)] = value

    def _uniform(self, channel: int) -> float:
        m = self.model
        offset = streams.CHANNELS_PER_PARTNER * self.index
        return streams.uniform(m.stream_key, m.steps, channel + offset)

    def signal(self) -> None:
        """Stage 1: this partner's day: a life event, a lapse, the availability offered."""
        m = self.model
        lapsed = episode.drawn(self._uniform(streams.LAPSE), self.params[F_LAPSE])
        event = episode.drawn(self._uniform(streams.LIFE_EVENT), m.dyad_params[D_LRATE])
        self.state = episode.signal(self.state, self.params, m.dyad_params,
                                    self.partner.state[S_PUR], lapsed, event)

    def perceive(self) -> None:
        """Stage 2: availability appraisal of the partner, and the pressure felt."""
        m, other = self.model, self.partner
        offset = streams.CHANNELS_PER_PARTNER * self.index
        ambiguous = episode.drawn(self._uniform(streams.AMBIGUITY), m.dyad_params[D_AMBIG])
        z = streams.normal(m.stream_key, m.steps, streams.NOISE_U1 + offset,
                           streams.NOISE_U2 + offset)
        self.state = episode.perceive(self.state, self.params, other.state, other.params,
                                      m.dyad_params, m.closeness, ambiguous, z)

    def appraise(self) -> None:
        """Stage 3: threat appraisal, co-regulation, activation and trust learning."""
        m = self.model
        self.state = episode.appraise(self.state, self.params, m.dyad_params, m.closeness)

    def act(self) -> None:
        """Stage 4: pursuit and withdrawal follow their drives; fatigue and satisfaction."""
        m = self.model
        self.state = episode.act(self.state, self.params, m.dyad_params, m.closeness)

    def repair_draw(self) -> float:
        """1.0 if this partner's repair attempt today is made and taken up, else 0.0."""
        chance = episode.repair_chance(self.state, self.params, self.partner.state)
        return episode.drawn(self._uniform(streams.REPAIR), chance)

    def exit_draw(self) -> bool:
        """Whether this partner ends the relationship this episode (dissolution hazard)."""
        hazard = episode.exit_hazard(self.state, self.params, self.model.dyad_params)
        return self._uniform(streams.EXIT) < hazard

