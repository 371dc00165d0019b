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
targets are those its founders name. A therapy is a *course*: :class:`Course` gives each
one a default number of sessions and the days between them, with its source (or the
statement that no figure was found), and each session adds its share of the effect (see
:mod:`dyadsim.timeline`). A scenario event can set its own ``sessions`` and ``every``.

The response policies (S8) are what the partner does in reply to protest; the "antidote"
is the seed's consistent, clear reassurance that is not contingent on how hard the other
protests, and "contingent" is reassurance given in proportion to the protest (the
comparison of issue 15, item 7). A preset can name a parameter the model does not have
yet (``contingent_reassurance`` arrives with Model 2.0): :meth:`Preset.missing` lists
such parameters, and scenario files that use the preset are refused with one line until
the parameter exists.
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
class Course:
    """A therapy's default course: ``sessions`` sessions, ``every`` days apart.

    Attributes:
        sessions: How many sessions (the first on the event's ``step``).
        every: Days from one session to the next (7: weekly; an episode is one day).
        source: Where the figures come from, or that none was found and what was chosen.
    """

    sessions: int
    every: int
    source: str

    def describe(self) -> str:
        """The course in words: ``"12 weekly sessions"``."""
        return course_text(self.sessions, self.every)


def course_text(sessions: int, every: int) -> str:
    """A course in words.

    For example ``"12 weekly sessions"``, ``"66 daily sessions"``,
    ``"6 sessions every 10 days"`` or ``"1 session"``.
    """
    if sessions == 1:
        return "1 session"
    rhythm = {1: "daily", 7: "weekly", 14: "fortnightly"}.get(every)
    if rhythm is not None:
        return f"{sessions} {rhythm} sessions"
    return f"{sessions} sessions every {every} days"


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
        course: A therapy's default course of sessions (``None`` for a policy).
    """

    name: str
    title: str
    construct: str
    source: str
    effects: tuple[Effect, ...]
    couple: bool = False
    course: Course | None = None

    def missing(self) -> tuple[str, ...]:
        """The parameters its effects name that the registry does not have (yet)."""
        return tuple(f"{PARTNERS[0]}.{e.field}" for e in self.effects
                     if f"{PARTNERS[0]}.{e.field}" not in REGISTRY)

    def describe(self) -> str:
        """The effects at strength 1, in words."""
        parts = [f"{e.field} {e.fraction:.0%} of the way to {e.goal:g}" for e in self.effects]
        return "; ".join(parts)


def secure_value(field: str) -> float:
    """The value the trait mapping gives a secure person (no anxiety, no avoidance).

    Args:
        field: A per-partner parameter (``threat_gain``); one that is not derived from
            the traits gives its default.
    """
    param = REGISTRY[f"{PARTNERS[0]}.{field}"]
    if param.derive is None:
        return float(param.default or 0.0)
    return float(derived_value(param, 0.0, 0.0))


THERAPIES: dict[str, Preset] = {p.name: p for p in (
    Preset(
        "eft", "Emotionally focused therapy (EFT)",
        "emotional responsiveness and accessibility: each partner is more responsive, the "
        "withdrawer re-engages (is accessible: pulls away less), bids are softened (the "
        "blamer softens), and comfort is taken in (new bonding events)",
        "Johnson & Greenberg 1988; Johnson, Hunsley, Greenberg & Schindler 1999 (70-73% "
        "recovery in trials)",
        (Effect("responsiveness", 1.0, 0.7), Effect("protest_intensity", 0.0, 0.7),
         Effect("comfort_uptake", 1.0, 0.7),
         Effect("withdrawal_gain", secure_value("withdrawal_gain"), 0.7)),
        couple=True,
        course=Course(12, 7, (
            "12 sessions: the trials pooled by Johnson, Hunsley, Greenberg & Schindler 1999 "
            "are summarised as 10-12 sessions (the paper's own table of sessions was not "
            "found; EFT is described as a short-term therapy of 8-20 sessions); weekly is "
            "the usual outpatient rhythm, not a figure found in the trials")),
    ),
    Preset(
        "cbt", "Cognitive behavioural therapy (CBT)",
        "the negative interpretation bias: ambiguous cues are no longer filled in with "
        "rejection (challenging the negative reading of the partner)",
        "Beck 1988; Baucom & Epstein 1990 (attributions in couples)",
        (Effect("interpretation_bias", 0.0, 0.7),),
        course=Course(16, 7, (
            "no session count of a trial of cognitive couple therapy was found; 16 weekly "
            "sessions is the middle of the 12-20 weeks usually given for CBT (a clinical "
            "description, not a trial figure); the largest trial of behavioural couple "
            "therapy offered up to 26 sessions (Christensen et al. 2004)")),
    ),
    Preset(
        "mindfulness", "Mindfulness",
        "self-soothing: calming one's own distress and staying present instead of "
        "regulating only through the partner",
        "Kabat-Zinn 1990; Shapiro, Carlson, Astin & Freedman 2006; seed article 000",
        (Effect("self_soothing", 0.6, 0.6),),
        course=Course(8, 7, (
            "MBSR: eight weekly classes of 2.5 hours with a day of practice between weeks "
            "6 and 7 (Kabat-Zinn 1990; the day is not modelled as a session); "
            "mindfulness-based relationship enhancement (Carson, Carson, Gil & Baucom 2004) "
            "adapts MBSR for couples, but its session count was not in the text found")),
    ),
    Preset(
        "emdr", "EMDR",
        "threat sensitivity to abandonment cues: a higher threshold and a gentler rise of "
        "alarm (desensitising the fear of abandonment)",
        "Shapiro 2001; seed article 001",
        (Effect("threat_threshold", secure_value("threat_threshold"), 1.0),
         Effect("threat_gain", secure_value("threat_gain"), 1.0)),
        course=Course(6, 7, (
            "trials: 3 sessions for single traumas (Wilson, Becker & Tinker 1995; Rothbaum "
            "1997), an average of 6 over single and multiple traumas (Marcus, Marquis & "
            "Sakai 1997), 12 for combat veterans (Carlson et al. 1998); an attachment wound "
            "is repeated, not single, so 6; weekly is the usual rhythm, not a figure found "
            "in the trials")),
    ),
    Preset(
        "secure_practice", "Practising secure behaviour",
        "restraint in repeated contact: tolerating a separation without another text or "
        "call, and letting protest go when it does not help",
        "seed articles 000 and 001 (\"practise secure behaviours\")",
        (Effect("pursuit_gain", secure_value("pursuit_gain"), 0.6),
         Effect("protest_persistence", 0.0, 0.6)),
        course=Course(66, 1, (
            "no course is published: this is a daily self-practice, not a therapy with "
            "sessions. Chosen: one practice a day for 66 days, the median time for a daily "
            "behaviour to become automatic (Lally, van Jaarsveld, Potts & Wardle 2010: 95% "
            "of the plateau after 18-254 days); their curve is concave, the model's daily "
            "steps are equal")),
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
        "contingent", "Contingent reassurance",
        "reassures when the partner protests, in proportion to the protest, and no "
        "unexplained absences: the antidote's amount of care, but given on the partial "
        "reinforcement schedule that protest itself sets",
        "issue 15 item 7 (steady against contingent reassurance); partial reinforcement "
        "(Skinner; Bowlby's \"consistently inconsistent\" caregiving)",
        (Effect("contingent_reassurance", 1.0, 0.6), Effect("lapse_rate", 0.0, 1.0)),
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


def available(presets: dict[str, Preset]) -> tuple[str, ...]:
    """The names of the presets whose parameters the registry has."""
    return tuple(name for name, p in presets.items() if not p.missing())


def markdown_table(presets: dict[str, Preset]) -> str:
    """The presets as a Markdown table (name, what it changes, effects, source).

    When the presets have courses (the therapies), a last column gives each one's default
    course and its source.
    """
    courses = any(p.course is not None for p in presets.values())
    head = "| name | construct | effect at strength 1 | source |"
    lines = [head + (" default course |" if courses else ""),
             "|---|---|---|---|" + ("---|" if courses else "")]
    for p in presets.values():
        who = " (both partners by default)" if p.couple else ""
        row = f"| `{p.name}`{who} | {p.construct} | {p.describe()} | {p.source} |"
        if courses:
            row += (f" {p.course.describe()}: {p.course.source} |" if p.course is not None
                    else " |")
        lines.append(row)
    return "\n".join(lines)
