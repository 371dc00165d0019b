"""The partner agent: its state, and one small method per stage of an episode.

Each method reads the partner's state as the previous stage left it and writes only its
own state, so the order in which the two agents run within a stage does not matter.
All equations live in :mod:`dyadsim.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from dyadsim import rules, streams
from dyadsim.params import partner_values

if TYPE_CHECKING:
    from dyadsim.model import DyadModel

STATE_VARS: tuple[str, ...] = (
    "activation",
    "pursuit",
    "withdrawal",
    "perceived_availability",
    "trust",
    "inconsistency",
    "fatigue",
    "satisfaction",
    "threat",
    "availability",
    "pressure",
    "intrusion",
    "ambiguous",
    "lapsed",
)
"""Every state variable a partner carries, as recorded each step (``partner_a.<name>``)."""


class Partner(mesa.Agent):
    """One partner of the dyad: traits, derived gains, and attachment-system state.

    Args:
        model: The dyad this partner belongs to.
        role: ``"partner_a"`` or ``"partner_b"``; selects this partner's parameters.
    """

    def __init__(self, model: DyadModel, role: str) -> None:
        super().__init__(model)
        self.role = role
        self.index = 0 if role == "partner_a" else 1
        self.p: dict[str, Any] = partner_values(model.params, role)
        self.partner: Partner | None = None
        trust0 = self.p["trust0"]
        self.activation = 0.0
        self.pursuit = 0.0
        self.withdrawal = 0.0
        self.perceived_availability = trust0
        self.trust = trust0
        self.inconsistency = 0.0
        self.fatigue = 0.0
        self.satisfaction = rules.INITIAL_SATISFACTION
        self.threat = 0.0
        self.availability = 0.0
        self.pressure = 0.0
        self.intrusion = 0.0
        self.ambiguous = 0.0
        self.lapsed = 0.0

    def _uniform(self, channel: int) -> float:
        m = self.model
        offset = streams.CHANNELS_PER_PARTNER * self.index
        return streams.uniform(m.stream_key, m.steps, channel + offset)

    def signal(self) -> None:
        """Stage 1: the availability this partner offers this episode (lapses included)."""
        self.lapsed = float(self._uniform(streams.LAPSE) < self.p["lapse_rate"])
        self.availability = float(rules.availability(
            self.p["responsiveness"], self.withdrawal, self.fatigue,
            self.p["reassurance"], self.lapsed,
        ))

    def perceive(self) -> None:
        """Stage 2: availability appraisal of the partner, and the pressure felt."""
        m, other = self.model, self.partner
        offset = streams.CHANNELS_PER_PARTNER * self.index
        self.ambiguous = float(self._uniform(streams.AMBIGUITY) < m.params["dyad.ambiguity"])
        z = streams.normal(m.stream_key, m.steps, streams.NOISE_U1 + offset,
                           streams.NOISE_U2 + offset)
        self.perceived_availability = float(rules.perceived_availability(
            other.availability, m.params["dyad.noise"], z, self.ambiguous,
            self.trust, self.p["interpretation_bias"],
        ))
        self.pressure = float(rules.pressure(other.pursuit, other.p["protest_intensity"]))
        self.intrusion = float(rules.intrusion(
            self.pressure, m.closeness, self.p["preferred_closeness"],
            self.p["intrusion_sensitivity"],
        ))

    def appraise(self) -> None:
        """Stage 3: threat appraisal, co-regulation, activation and trust learning."""
        m, p, v = self.model, self.p, self.perceived_availability
        cue = rules.threat_cue(
            v, m.closeness, p["preferred_closeness"], m.params["dyad.stress"],
            m.params["dyad.unavailability_weight"], m.params["dyad.distance_weight"],
        )
        self.threat = float(rules.threat_appraisal(
            cue, p["threat_threshold"], p["threat_gain"], p["suppression"]
        ))
        soothing = rules.comfort(v, p["comfort_uptake"])
        self.activation = float(rules.update_activation(
            self.activation, self.threat, soothing, p["self_soothing"],
            m.params["dyad.activation_rate"],
        ))
        trust, inconsistency = rules.update_trust(
            self.trust, self.inconsistency, v, m.params["dyad.trust_rate"],
            m.params["dyad.inconsistency_rate"], m.params["dyad.inconsistency_damping"],
        )
        self.trust, self.inconsistency = float(trust), float(inconsistency)

    def act(self) -> None:
        """Stage 4: pursuit and withdrawal follow their drives; fatigue and satisfaction."""
        m, p, v = self.model, self.p, self.perceived_availability
        rate = m.params["dyad.behaviour_rate"]
        p_target = rules.pursuit_drive(
            self.activation, v, p["pursuit_gain"],
            rules.hope(self.trust, p["protest_persistence"]), self.fatigue,
        )
        w_target = rules.withdrawal_drive(
            self.intrusion, self.activation, v, p["withdrawal_gain"], self.fatigue,
            m.params["dyad.burnout_weight"],
        )
        self.pursuit = float(rules.follow(self.pursuit, p_target, rate))
        self.withdrawal = float(rules.follow(self.withdrawal, w_target, rate))
        self.fatigue = float(rules.update_fatigue(
            self.fatigue, rules.strain(self.pressure, self.pursuit, v),
            m.params["dyad.fatigue_rate"],
            m.params["dyad.fatigue_recovery"],
        ))
        quality = rules.episode_quality(
            v, self.activation, m.closeness, p["preferred_closeness"], self.pressure,
            self.fatigue,
        )
        self.satisfaction = float(rules.follow(
            self.satisfaction, quality, m.params["dyad.satisfaction_rate"]
        ))

    def exit_draw(self) -> bool:
        """Whether this partner ends the relationship this episode (dissolution hazard)."""
        hazard = rules.exit_hazard(
            self.satisfaction, self.fatigue, self.p["exit_propensity"],
            self.model.params["dyad.dissolution_rate"],
        )
        return self._uniform(streams.EXIT) < hazard
