"""The life course's parameters: the registry's second table.

The dyad's parameters (:data:`dyadsim.registry.REGISTRY`) describe one couple's day; the
ones here describe a life around the couples: caregivers and children, the Strange
Situation, meeting and choosing partners, and the slow drift of the traits. They are
:class:`dyadsim.registry.Param` entries like all others: one dotted name everywhere (TOML,
``--set``, Parquet provenance, the dashboard), checked, with help text. They are kept
apart from the dyad's table because they never enter a dyad's parameter row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dyadsim.registry import Param, Value, entry

_CHILDHOOD: tuple[Param, ...] = (
    Param("caregiver.sensitivity_mean", 0.7, 0, 1, "Caregivers' sensitivity (mean)",
          help="How promptly and fittingly the average caregiver answers the child's "
               "signals (their responsiveness when there).",
          construct="maternal sensitivity (Ainsworth)"),
    Param("caregiver.sensitivity_sd", 0.2, 0, 0.5, "Caregivers' sensitivity (spread)",
          help="How much caregivers differ in sensitivity.",
          construct="maternal sensitivity (Ainsworth)"),
    Param("caregiver.consistency_mean", 0.8, 0, 1, "Caregivers' consistency (mean)",
          help="On how many days the average caregiver is there at all (1 - lapses): "
               "low means 'consistently inconsistent' care.",
          construct="consistency of care"),
    Param("caregiver.consistency_sd", 0.15, 0, 0.5, "Caregivers' consistency (spread)",
          help="How much caregivers differ in consistency.",
          construct="consistency of care"),
    Param("child.anxiety0", 0.3, 0, 1, "Newborn anxiety",
          help="The anxiety a newborn brings before any caregiving (temperament).",
          construct="temperament"),
    Param("child.avoidance0", 0.3, 0, 1, "Newborn avoidance",
          help="The avoidance a newborn brings before any caregiving (temperament).",
          construct="temperament"),
    Param("child.infancy_days", 365, 30, 1000, "Days of infancy", unit="days", kind=int,
          help="How many days of caregiving the child lives before the Strange Situation.",
          construct="the first year"),
    Param("child.year_days", 60, 10, 365, "Days simulated per childhood year",
          unit="days", kind=int,
          help="How many days of caregiving stand for each year of childhood (1 to 18): a "
               "sample of the year, kept short for speed.",
          construct="childhood caregiving"),
    Param("child.drift_rate", 0.3, 0, 1, "Revision in childhood", unit="per year",
          help="How far a year of childhood moves the child's traits towards the working "
               "model that year's caregiving taught (chosen, not measured).",
          construct="working-model revision in childhood (Fraley 2002)"),
    Param("child.anchor_rate", 0.05, 0, 1, "Pull of the infant prototype", unit="per year",
          help="How strongly a child's traits return each year towards the prototype "
               "learned in infancy (chosen, not measured).",
          construct="the prototype (Fraley 2002)"),
    Param("strange.episode_steps", 10, 2, 60, "Steps per Strange Situation episode",
          kind=int,
          help="How many model steps each of the eight episodes lasts (a step here is a "
               "moment of the procedure, not a day).",
          construct="Strange Situation (Ainsworth et al. 1978)"),
    Param("strange.stranger_stress", 0.3, 0, 1, "Stress of the stranger",
          help="Outside stress while the stranger is in the room.",
          construct="Strange Situation"),
    Param("strange.alone_stress", 0.6, 0, 1, "Stress of being alone",
          help="Outside stress while the child is alone.",
          construct="Strange Situation"),
    Param("life.care_change_rate", 0.1, 0, 1, "Changes in caregiving", unit="per year",
          help="The chance, each year of childhood, that the caregiving changes (a new "
               "caregiver, a parent's illness, a divorce).",
          construct="environmental continuity (Fraley 2002)"),
)

_ADULT: tuple[Param, ...] = (
    Param("life.meet_rate", 0.15, 0, 1, "Meeting someone", unit="per month",
          help="The chance that a single person meets potential partners in a month.",
          construct="partner search"),
    Param("life.candidates", 4, 1, 20, "Candidates met", kind=int,
          help="How many potential partners a single person weighs when they meet.",
          construct="partner choice"),
    Param("life.familiarity_bias", 2.0, -10, 10, "Familiarity bias",
          help="How strongly anxious people are drawn to unavailable (avoidant) partners, "
               "because the pattern feels familiar: 0 is random choice, below 0 chooses "
               "reliable partners.",
          construct="partner choice (the seeds' 'settling for the familiar')"),
    # Chosen, not fitted: the prototype pulls twice as hard as a year's experience, so traits
    # drift slowly around it (Fraley et al. 2011: a stable factor under temporary change).
    # At 0.1 / 0.05 instead, 98% of a childhood-grown population ended secure at 48.
    Param("life.drift_rate", 0.05, 0, 1, "Revision by experience", unit="per year",
          help="How far a year of a relationship moves a person's traits towards what it "
               "taught them.",
          construct="working-model revision (Fraley 2002)"),
    Param("life.anchor_rate", 0.1, 0, 1, "Pull of the prototype", unit="per year",
          help="How strongly the traits return each year towards the prototype learned "
               "in childhood.",
          construct="the prototype (Fraley 2002)"),
    Param("life.wound", 0.5, 0, 1, "Wound of being left",
          help="How much of their trust a person loses when a partner leaves them.",
          construct="abandonment in adult life"),
)

LIFE_REGISTRY: dict[str, Param] = {p.name: p for p in (*_CHILDHOOD, *_ADULT)}
"""Every life-course parameter, by dotted name, in a stable order."""


def life_lookup(key: str) -> Param:
    """The entry for ``key``, or a ParamError naming close matches and what exists."""
    return entry(LIFE_REGISTRY, key, "life-course parameter",
                 f"allowed: {', '.join(LIFE_REGISTRY)}")


def life_params(overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
    """Every life-course value: the defaults, then the checked ``overrides``."""
    values: dict[str, Value] = {k: p.default for k, p in LIFE_REGISTRY.items()}  # type: ignore[misc]
    for key, value in (overrides or {}).items():
        values[key] = life_lookup(key).check(value)
    return values
