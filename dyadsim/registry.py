"""The one parameter registry: every parameter of dyadsim, declared once.

Each parameter has its dotted name, default, bounds, unit, a plain-language label and help
text, and whether it can be swept. The Mesa model, the command line, the documentation
table, scenario files, sweeps and the dashboard all read this registry, so a default or a
range is typed only here. Resolving values for a run (defaults, overrides, derived gains)
is :mod:`dyadsim.params`.

Per-partner parameters are declared once as a template and expanded for ``partner_a`` and
``partner_b``. Most rule-level gains and thresholds are *derived* from the partner's two
traits (``anxiety`` and ``avoidance``) by a documented linear mapping; setting such a
parameter explicitly overrides the mapping.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

PARTNERS: tuple[str, str] = ("partner_a", "partner_b")

Value = float | int


class ParamError(ValueError):
    """A parameter key or value that the registry does not allow."""


def entry(table: Mapping[str, Param], key: str, what: str, allowed: str) -> Param:
    """``table[key]``, or a ParamError naming ``key``, its close matches and ``allowed``.

    ``what`` names the kind of parameter ("parameter", "life-course parameter").
    """
    try:
        return table[key]
    except KeyError:
        close = difflib.get_close_matches(key, table, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ParamError(f"unknown {what} {key!r}{hint} ({allowed})") from None


@dataclass(frozen=True)
class Linear:
    """A documented mapping from the two traits to a derived parameter.

    ``value = base + anxiety_coef * anxiety + avoidance_coef * avoidance
    + both_coef * anxiety * avoidance``, clipped to the parameter's bounds. The ``both``
    term is for what changes when a person is high on both at once (fearful). Works on
    floats and on NumPy arrays alike.
    """

    base: float
    anxiety: float = 0.0
    avoidance: float = 0.0
    both: float = 0.0

    def __call__(self, anxiety: Any, avoidance: Any) -> Any:
        """Evaluate the mapping (unclipped)."""
        return (self.base + self.anxiety * anxiety + self.avoidance * avoidance
                + self.both * anxiety * avoidance)

    def formula(self) -> str:
        """Human-readable form, e.g. ``0.45 + 0.25 avoidance - 0.30 anxiety``."""
        text = f"{self.base:g}"
        for coef, name in ((self.anxiety, "anxiety"), (self.avoidance, "avoidance"),
                           (self.both, "anxiety x avoidance")):
            if coef:
                text += f" {'+' if coef > 0 else '-'} {abs(coef):g} {name}"
        return text


@dataclass(frozen=True)
class Param:
    """One registry entry.

    Attributes:
        name: Dotted key, used unchanged in TOML, on the command line, as a sweep axis,
            as a data column and in URLs.
        default: Default value, or ``None`` when the value is derived from the traits.
        low: Smallest allowed value (inclusive).
        high: Largest allowed value (inclusive).
        label: Short plain-language label for controls and tables.
        help: A sentence a teacher could read aloud.
        construct: The attachment-theory construct the parameter stands for.
        unit: Unit, where one applies.
        kind: ``float`` or ``int``.
        sweepable: Whether the parameter may be a sweep axis.
        derive: Mapping from the traits, for derived per-partner parameters.
    """

    name: str
    default: Value | None
    low: float
    high: float
    label: str
    help: str
    construct: str = ""
    unit: str = ""
    kind: type = float
    sweepable: bool = True
    derive: Linear | None = None

    @property
    def group(self) -> str:
        """The part of the name before the dot: ``partner_a``, ``dyad`` or ``run``."""
        return self.name.split(".", 1)[0]

    @property
    def short(self) -> str:
        """The part of the name after the dot."""
        return self.name.split(".", 1)[1]

    def allowed(self) -> str:
        """What values are allowed, in words."""
        if self.kind is int:
            return f"an integer in [{int(self.low)}, {int(self.high)}]"
        return f"a number in [{self.low:g}, {self.high:g}]"

    def default_text(self) -> str:
        """The default, or the mapping that derives it."""
        if self.default is not None:
            return f"{self.default:g}"
        assert self.derive is not None
        return f"= {self.derive.formula()}"

    def check(self, value: Any) -> Value:
        """Return ``value`` converted to this parameter's kind, or raise ParamError."""
        given = value

        def fail(why: str) -> ParamError:
            return ParamError(
                f"parameter '{self.name}': {why} {given!r}; allowed: {self.allowed()}"
            )

        if isinstance(value, bool):
            raise fail("got a boolean")
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text) if self.kind is int else float(text)
            except ValueError:
                raise fail("cannot read a number from") from None
        if self.kind is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int):
                raise fail("needs a whole number, got")
        else:
            if not isinstance(value, int | float):
                raise fail("needs a number, got")
            value = float(value)
            if not math.isfinite(value):
                raise fail("needs a finite number, got")
        if not self.low <= value <= self.high:
            raise fail("value out of range:")
        return value


# ----------------------------------------------------------------------------------------
# Per-partner template. Names below are the part after "partner_a." / "partner_b.".
# ----------------------------------------------------------------------------------------

TRAIT_DEFAULTS: dict[str, dict[str, float]] = {
    # The classic trap: A anxious (high anxiety, low avoidance), B avoidant.
    "partner_a": {"anxiety": 0.8, "avoidance": 0.2},
    "partner_b": {"anxiety": 0.2, "avoidance": 0.8},
}
"""The traits' defaults, per partner (the template below leaves them out)."""

# A template entry's default is the same for both partners; the traits have none and no
# mapping (default None, derive None): each partner's comes from TRAIT_DEFAULTS.

_PARTNER_TEMPLATE: tuple[Param, ...] = (
    Param("anxiety", None, 0, 1, "Attachment anxiety",
          "How much this person worries about being rejected or abandoned (ECR anxiety, "
          "rescaled from 1-7 to 0-1).",
          construct="ECR attachment anxiety: the monitoring and appraisal system"),
    Param("avoidance", None, 0, 1, "Attachment avoidance",
          "How uncomfortable this person is with closeness and depending on others (ECR "
          "avoidance, rescaled from 1-7 to 0-1).",
          construct="ECR attachment avoidance: the behaviour-regulation system"),
    Param("threat_threshold", None, 0, 1, "Threat threshold",
          "How much unavailability or distance it takes before alarm bells ring. Anxious "
          "people have a hair trigger; avoidant people a high bar.",
          construct="activation threshold of the attachment system (hypervigilance)",
          derive=Linear(0.55, anxiety=-0.30, avoidance=0.25)),
    Param("threat_gain", None, 0.5, 30, "Threat gain",
          "How sharply alarm rises once the threshold is crossed.",
          construct="sensitivity of threat appraisal (hyperactivation gain)",
          derive=Linear(6.0, anxiety=9.0)),
    Param("suppression", None, 0, 1, "Suppression",
          "How much this person pushes attachment worries out of mind.",
          construct="deactivation: suppression of threat appraisal; it fails when anxiety is "
                    "high too (Mikulincer, Dolev & Shaver 2004: suppression breaks down "
                    "under load; the fearful pattern)",
          derive=Linear(0.0, avoidance=0.7, both=-0.6)),
    Param("interpretation_bias", None, 0, 1, "Negative reading of ambiguity",
          "When a signal is unclear (an unanswered text), how strongly this person reads "
          "it as rejection.",
          construct="negative interpretation bias for ambiguous cues",
          derive=Linear(0.0, anxiety=0.8)),
    Param("comfort_uptake", None, 0, 1, "Comfort taken in",
          "How well this person is soothed when the partner is there for them.",
          construct="co-regulation; ambivalent resistance to comfort",
          derive=Linear(1.0, anxiety=-0.6, avoidance=-0.3)),
    Param("self_soothing", None, 0, 1, "Self-soothing",
          "How well this person calms down on their own.",
          construct="self-regulation of distress",
          derive=Linear(0.2, anxiety=-0.14)),
    Param("pursuit_gain", None, 0, 3, "Pursuit gain",
          "How strongly distress turns into pursuit: texts, calls, demands, protest.",
          construct="hyperactivating strategy (proximity seeking, protest)",
          derive=Linear(0.2, anxiety=2.4)),
    Param("protest_persistence", None, 0, 1, "Protest persistence",
          "How much this person keeps protesting even after losing faith that the "
          "partner will respond.",
          construct="protest that resists extinction (hyperactivation vs despair)",
          derive=Linear(0.0, anxiety=0.6)),
    Param("withdrawal_gain", None, 0, 3, "Withdrawal gain",
          "How strongly pressure or distress turns into pulling away.",
          construct="deactivating strategy (distancing, withdrawal)",
          derive=Linear(0.0, avoidance=2.0)),
    Param("intrusion_sensitivity", None, 0, 3, "Sensitivity to intrusion",
          "How much the partner's demands and too much closeness feel like pressure.",
          construct="intrusion appraisal (need for space and independence)",
          derive=Linear(0.1, avoidance=2.0)),
    Param("preferred_closeness", None, 0.05, 0.95, "Wished-for closeness",
          "How close this person wants to be: anxious people want more, avoidant people "
          "less; a fearful person (high on both) still wishes for a lot.",
          construct="ideal level of closeness (Felmlee & Greenberg's set point); the "
                    "fearful keep the wish for contact (Bartholomew & Horowitz 1991)",
          derive=Linear(0.55, anxiety=0.35, avoidance=-0.4, both=0.4)),
    Param("closeness_tolerance", None, 0.05, 1, "Tolerated closeness",
          "How much closeness this person can take before it feels like too much. "
          "Avoidant people tolerate less. For a fearful person it lies below the "
          "closeness they wish for: no distance feels right.",
          construct="discomfort with closeness (the avoidance dimension); the fearful "
                    "approach-avoidance conflict (Bartholomew & Horowitz 1991)",
          derive=Linear(0.95, avoidance=-0.6)),
    Param("responsiveness", 0.9, 0, 1, "Responsiveness",
          "How available and responsive this person is on a day they are not pulling "
          "away. The same for everyone by default: avoidance lowers availability through "
          "withdrawal, not by a mapping.",
          construct="availability and responsiveness as an attachment figure"),
    Param("lapse_rate", 0.1, 0, 1, "Lapses", unit="per day",
          help="Chance that this person is simply unavailable on a day (busy, "
               "preoccupied), whatever the partner does.",
          construct="inconsistent availability"),
    Param("exit_propensity", None, 0, 1, "Readiness to leave",
          "How ready this person is to end an unhappy relationship. Anxious people "
          "cling; avoidant people leave more easily.",
          construct="relationship exit (dependence and fear of being alone)",
          derive=Linear(0.6, anxiety=-0.5, avoidance=0.4)),
    Param("trust0", None, 0, 1, "Initial trust",
          "How much this person expects the partner to be there, at the start.",
          construct="internal working model of the partner (prior)",
          derive=Linear(0.75, anxiety=-0.25, avoidance=-0.25)),
    Param("trust_rate", None, 0.001, 1, "Trust volatility", unit="per day",
          help="How much one day's experience moves this person's expectation of the "
               "partner. Anxious people swing: a good day idealises the partner, a bad day "
               "devalues them.",
          construct="revision of the working model of the partner; idealisation and "
                    "devaluation (Campbell, Simpson, Boldry & Kashy 2005)",
          derive=Linear(0.03, anxiety=0.06)),
    Param("repair_tendency", None, 0, 1, "Repair attempts", unit="per tense day",
          help="Chance that this person makes a repair attempt on a tense day: a joke, "
               "an apology, 'let's start over'.",
          construct="repair attempts (Gottman 1999); secure people resolve conflict more "
                    "constructively (Pistole 1989)",
          derive=Linear(0.4, anxiety=-0.15, avoidance=-0.25)),
    Param("protest_intensity", 1.0, 0, 1, "Harshness of bids",
          "How demanding this person's bids are: 1 is protest and criticism; lower is a "
          "softened request.",
          construct="demand intensity; softening (Overall, Simpson & Struthers 2013)"),
    Param("reassurance", 0.0, 0, 1, "Steady reassurance",
          "Reassurance this person gives every day, whether or not the partner "
          "protests: the seed article's 'antidote'.",
          construct="partner response policy: reassurance not contingent on protest"),
    Param("contingent_reassurance", 0.0, 0, 1, "Reassurance when pressed",
          "Reassurance this person gives in proportion to how hard the partner protests: "
          "protest gets an answer, calm gets none (a schedule that rewards protest).",
          construct="partner response policy: reassurance contingent on protest"),
)

_DYAD: tuple[Param, ...] = (
    Param("dyad.noise", 0.1, 0, 0.5, "Observation noise", unit="sd",
          help="How noisy each partner's reading of the other's availability is.",
          construct="noisy availability appraisal"),
    Param("dyad.ambiguity", 0.2, 0, 1, "Ambiguous days", unit="per day",
          help="Share of days with no clear signal, like an unanswered text.",
          construct="ambiguous cues"),
    Param("dyad.stress", 0.05, 0, 1, "Outside stress",
          help="Stress from outside the relationship (work, money, illness) that adds "
               "to both partners' sense of threat.",
          construct="external stressors activating the attachment system"),
    Param("dyad.closeness0", 0.5, 0, 1, "Initial closeness",
          help="How emotionally close the couple is at the start.",
          construct="emotional distance (dyad state)"),
    Param("dyad.unavailability_weight", 0.6, 0, 2, "Weight of unavailability",
          help="How much a partner who seems unavailable counts as a sign of threat.",
          construct="threat cue: low perceived availability"),
    Param("dyad.distance_weight", 0.8, 0, 2, "Weight of distance",
          help="How much being less close than one wants counts as a sign of threat.",
          construct="threat cue: closeness below the preferred level"),
    Param("dyad.burnout_weight", 0.4, 0, 2, "Burnout withdrawal",
          help="How much exhaustion makes a partner pull back.",
          construct="burnout of the pursued partner"),
    Param("dyad.activation_rate", 0.3, 0.01, 1, "Emotional speed", unit="per day",
          help="How quickly distress follows the situation (1 minus emotional inertia).",
          construct="emotional inertia (Gottman et al. 2002)"),
    Param("dyad.behaviour_rate", 0.3, 0.01, 1, "Behavioural speed", unit="per day",
          help="How quickly pursuit and withdrawal follow their drives.",
          construct="behavioural inertia"),
    Param("dyad.closeness_rate", 0.05, 0.001, 1, "Closeness speed", unit="per day",
          help="How quickly emotional closeness changes.",
          construct="closeness dynamics (partner tracking)"),
    Param("dyad.inconsistency_rate", 0.02, 0.001, 1, "Inconsistency learning rate",
          unit="per day",
          help="How quickly each partner learns how unpredictable the other is.",
          construct="learned unpredictability of the partner"),
    Param("dyad.inconsistency_damping", 20.0, 0, 100, "Inconsistency damping",
          help="How much an unpredictable partner slows down the revision of trust: "
               "after an inconsistent history, one more miss says little.",
          construct="partial reinforcement extinction effect (uncertainty-weighted "
                    "learning)"),
    Param("dyad.satisfaction_rate", 0.02, 0.001, 1, "Satisfaction speed",
          unit="per day",
          help="How quickly satisfaction follows the quality of recent days.",
          construct="relationship satisfaction"),
    Param("dyad.fatigue_rate", 0.02, 0, 1, "Fatigue build-up", unit="per day",
          help="How quickly being pressed and distressed wears a partner out.",
          construct="burnout of the pursued partner"),
    Param("dyad.fatigue_recovery", 0.01, 0, 1, "Fatigue recovery", unit="per day",
          help="How quickly a partner recovers from exhaustion when left in peace.",
          construct="recovery from burnout"),
    Param("dyad.dissolution_rate", 0.005, 0, 1, "Break-up hazard", unit="per day",
          help="Scale of the chance that an unhappy, exhausted partner ends the "
               "relationship on a day.",
          construct="dissolution hazard"),
    Param("dyad.discomfort_rate", 0.1, 0.001, 1, "Discomfort speed", unit="per day",
          help="How quickly discomfort with closeness and demands builds up, and how "
               "quickly it drains away once there is distance.",
          construct="an avoidant's discomfort with closeness: a delayed negative feedback"),
    Param("dyad.detachment_rate", 0.02, 0, 1, "Detachment speed", unit="per day",
          help="How quickly hopeless, unanswered distress turns into detachment (and how "
               "quickly detachment thaws when the partner is there again).",
          construct="protest, despair, detachment (Bowlby 1973)"),
    Param("dyad.repair_effect", 0.5, 0, 1, "Repair effect",
          help="How much a repair attempt that is taken up calms both partners: the share "
               "of distress, pursuit, withdrawal and discomfort it takes away.",
          construct="repair attempts (Gottman 1999)"),
    Param("dyad.life_event_rate", 0.01, 0, 1, "Life events", unit="per day",
          help="Chance on a day that a stressful event hits one partner (a row at work, "
               "an illness in the family): about 3-4 a year at 0.01.",
          construct="external stressors activating the attachment system"),
    Param("dyad.life_event_size", 0.3, 0, 1, "Size of a life event",
          help="How much outside stress a life event adds at first.",
          construct="external stressors activating the attachment system"),
    Param("dyad.life_event_recovery", 0.05, 0, 1, "Recovery from life events",
          unit="per day",
          help="How quickly the stress of a life event fades (0.05: half gone in two "
               "weeks).",
          construct="recovery from outside stress"),
    Param("dyad.individuality", 0.3, 0, 1, "Individual differences",
          help="How much people with the same traits still differ: the spread of each "
               "person's own gains and thresholds around what the traits predict (0: "
               "everyone is their traits).",
          construct="person-level variation around the trait mappings"),
)

_RUN: tuple[Param, ...] = (
    Param("run.steps", 365, 1, 100_000, "Days", unit="days", kind=int,
          sweepable=False,
          help="How many days to simulate (one step is one day of the couple's "
               "interactions).",
          construct="run length"),
    # The default seed is the first from 1 upward whose run of the default couple shows the
    # trap as a process (it forms in week 4, swings with repairs between, ends the year
    # cycling): what the dashboard opens on. The same rule picks the lessons' seeds.
    Param("run.seed", 4, 0, 2**63 - 1, "Seed", kind=int, sweepable=False,
          help="The random seed: the same parameters and seed always give the same run.",
          construct="reproducibility"),
)


def _expand(partner: str) -> tuple[Param, ...]:
    out = []
    for p in _PARTNER_TEMPLATE:
        trait = p.default is None and p.derive is None
        default = TRAIT_DEFAULTS[partner][p.name] if trait else p.default
        out.append(replace(p, name=f"{partner}.{p.name}", default=default))
    return tuple(out)


REGISTRY: dict[str, Param] = {
    p.name: p for p in (*_expand("partner_a"), *_expand("partner_b"), *_DYAD, *_RUN)
}
"""Every parameter, by dotted name, in a stable order."""

PARTNER_FIELDS: tuple[str, ...] = tuple(p.name for p in _PARTNER_TEMPLATE)
"""The per-partner parameter names (the part after ``partner_a.``)."""
