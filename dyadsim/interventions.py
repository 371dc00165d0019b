"""Named interventions and partner response policies: presets over registry parameters.

A preset is a list of :class:`Effect` s, each moving one per-partner parameter part of the
way towards a goal. Its ``strength`` (0 to 1, a key of the scenario event, so it can be
varied like any other setting) scales every effect: at strength ``s`` an effect with goal
``g`` and fraction ``k`` turns a value ``x`` into ``x + s k (g - x)``. Strength 0 changes
nothing; strength 1 is the full course described below. Each therapy moves only its own
construct and leaves the rest of the person alone. Where the aim is the secure prototype,
the goal is read from the trait mappings of :mod:`dyadsim.params` (:func:`secure_value`:
EMDR's threat threshold and gain, secure practice's pursuit gain); elsewhere it is stated
with the preset (mindfulness aims beyond the secure default, at self-soothing 0.6).

The therapies (the brief's S9) follow the seed articles' list; the constructs each one
targets are those its founders name. The response policies (S8) are what the partner does
in reply to protest; the "antidote" is the seed's consistent, clear reassurance that is
not contingent on how hard the other protests.
"""

from __future__ import annotations

from dataclasses import dataclass

from dyadsim.params import PARTNERS, REGISTRY, derived_value


@dataclass(frozen=True)
class Effect:
    """Move ``field`` (a per-partner parameter) a ``fraction`` of the way to ``goal``."""

    field: str
    goal: float
    fraction: float


@dataclass(frozen=True)
class Preset:
    """A named set of effects.

    Attributes:
        name: The key used in scenario files (``therapy = "eft"``).
        title: Display name.
        construct: The attachment construct the preset changes, in words.
        source: Where the mechanism comes from.
        effects: What it does to each treated partner at strength 1.
        couple: Whether it treats both partners by default (couple therapy) or needs a
            ``partner``.
    """

    name: str
    title: str
    construct: str
    source: str
    effects: tuple[Effect, ...]
    couple: bool = False

    def describe(self) -> str:
        """The effects at strength 1, in words."""
        parts = [f"{e.field} {e.fraction:.0%} of the way to {e.goal:g}" for e in self.effects]
        return "; ".join(parts)


def secure_value(field: str) -> float:
    """The value the trait mapping gives a secure person (no anxiety, no avoidance).

    Args:
        field: A per-partner parameter derived from the traits (``threat_gain``).
    """
    return float(derived_value(REGISTRY[f"{PARTNERS[0]}.{field}"], 0.0, 0.0))


THERAPIES: dict[str, Preset] = {p.name: p for p in (
    Preset(
        "eft", "Emotionally focused therapy (EFT)",
        "emotional responsiveness: each partner is more accessible and responsive, bids "
        "are softened (the blamer softens), and comfort is taken in (new bonding events)",
        "Johnson & Greenberg 1988; Johnson, Hunsley, Greenberg & Schindler 1999 (70-73% "
        "recovery in trials)",
        (Effect("responsiveness", 1.0, 0.7), Effect("protest_intensity", 0.0, 0.7),
         Effect("comfort_uptake", 1.0, 0.7)),
        couple=True,
    ),
    Preset(
        "cbt", "Cognitive behavioural therapy (CBT)",
        "the negative interpretation bias: ambiguous cues are no longer filled in with "
        "rejection (challenging the negative reading of the partner)",
        "Beck 1988; Baucom & Epstein 1990 (attributions in couples)",
        (Effect("interpretation_bias", 0.0, 0.7),),
    ),
    Preset(
        "mindfulness", "Mindfulness",
        "self-soothing: calming one's own distress and staying present instead of "
        "regulating only through the partner",
        "Kabat-Zinn 1990; Shapiro, Carlson, Astin & Freedman 2006; seed article 000",
        (Effect("self_soothing", 0.6, 0.6),),
    ),
    Preset(
        "emdr", "EMDR",
        "threat sensitivity to abandonment cues: a higher threshold and a gentler rise of "
        "alarm (desensitising the fear of abandonment)",
        "Shapiro 2001; seed article 001",
        (Effect("threat_threshold", secure_value("threat_threshold"), 1.0),
         Effect("threat_gain", secure_value("threat_gain"), 1.0)),
    ),
    Preset(
        "secure_practice", "Practising secure behaviour",
        "restraint in repeated contact: tolerating a separation without another text or "
        "call, and letting protest go when it does not help",
        "seed articles 000 and 001 (\"practise secure behaviours\")",
        (Effect("pursuit_gain", secure_value("pursuit_gain"), 0.6),
         Effect("protest_persistence", 0.0, 0.6)),
    ),
)}
"""The therapies, by the name scenario files use."""

POLICIES: dict[str, Preset] = {p.name: p for p in (
    Preset(
        "antidote", "The antidote",
        "consistent, clear reassurance given every episode whether or not the partner "
        "protests, and no unexplained absences",
        "seed article 001 (\"The antidote to help your anxious partner regulate\")",
        (Effect("reassurance", 1.0, 0.6), Effect("lapse_rate", 0.0, 1.0)),
    ),
    Preset(
        "confused", "A confused reply",
        "answers, but puzzled (\"Of course I do. Why do you keep asking?\"): no steady "
        "reassurance, and often not there when asked",
        "seed article 001 (the example conversation)",
        (Effect("reassurance", 0.0, 1.0), Effect("lapse_rate", 0.35, 1.0)),
    ),
    Preset(
        "dismissive", "A dismissive reply",
        "little response to bids, no reassurance",
        "seed article 001",
        (Effect("responsiveness", 0.0, 0.6), Effect("reassurance", 0.0, 1.0)),
    ),
    Preset(
        "consistent", "Consistent responding",
        "responds in every episode, at the partner's usual responsiveness",
        "partial reinforcement: the continuous schedule",
        (Effect("lapse_rate", 0.0, 1.0),),
    ),
    Preset(
        "intermittent", "Intermittent responding",
        "responds in half of the episodes, unpredictably",
        "partial reinforcement: the intermittent schedule (Skinner; Bowlby's "
        "\"consistently inconsistent\" caregiving)",
        (Effect("lapse_rate", 0.5, 1.0),),
    ),
    Preset(
        "unresponsive", "Stops responding",
        "no response and no reassurance at all: the extinction phase",
        "partial reinforcement extinction effect",
        (Effect("responsiveness", 0.0, 1.0), Effect("reassurance", 0.0, 1.0)),
    ),
)}
"""The partner response policies, by the name scenario files use."""


def markdown_table(presets: dict[str, Preset]) -> str:
    """The presets as a Markdown table (name, what it changes, effects, source)."""
    lines = ["| name | construct | effect at strength 1 | source |", "|---|---|---|---|"]
    for p in presets.values():
        who = " (both partners by default)" if p.couple else ""
        lines.append(f"| `{p.name}`{who} | {p.construct} | {p.describe()} | {p.source} |")
    return "\n".join(lines)
