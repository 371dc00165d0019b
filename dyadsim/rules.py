"""The rules of one interaction episode, as plain functions.

Each function stands for one construct of Mikulincer & Shaver's model of attachment-system
activation (threat appraisal, availability appraisal, proximity-seeking viability) or of
the dyad around it. Every function works on floats and on NumPy arrays of many dyads
alike, and uses no Mesa and no global state. The Mesa agents call them with floats; the
batch engine (:mod:`dyadsim.batch`) calls the very same functions inside its Numba kernel
(``register_jitable`` leaves each one a plain Python function and lets compiled code call
it), so each rule is written once. The schedule (which function runs when)
belongs to :mod:`dyadsim.model`; the equations are collected in ``docs/MODEL.md``.

Notation: ``v`` is perceived availability, ``a`` activation, ``p`` pursuit, ``w``
withdrawal, ``c`` closeness, ``f`` fatigue, ``s`` satisfaction; all lie in [0, 1].
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba.extending import register_jitable

Num = Any  # a float or a NumPy array of floats

INITIAL_SATISFACTION = 0.75
"""Satisfaction at the start of a run: a relationship that both partners entered gladly."""

FATIGUE_UNAVAILABILITY = 0.5
"""Share of availability that full exhaustion takes away."""

DISCOMFORT_RELIEF = 0.5
"""How fast discomfort drains, relative to how fast it builds, once the intrusion stops."""

SWITCH_GAIN = 40.0
"""How sharply the stronger of the two drives (approach, avoidance) takes over."""
SWITCH_HYSTERESIS = 4.0
"""How much a person sticks to their current orientation (in logit units): the other drive
must lead by ``SWITCH_HYSTERESIS / SWITCH_GAIN`` (0.1) before they turn round."""

REPAIR_TRUST = 0.2
"""Share of the way to full trust that a repair taken up moves each partner's trust (a
repair is a day the partner was there after all)."""


@register_jitable
def clip01(x: Num) -> Num:
    """Clip to [0, 1] (floats and arrays)."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


@register_jitable
def follow(current: Num, target: Num, rate: Num) -> Num:
    """Move part of the way towards a target: inertia (Gottman et al. 2002).

    ``x' = x + rate (target - x)``: with rate 1 the state is the target; below 1 it keeps
    part of its past (emotional or behavioural inertia).
    """
    return current + rate * (target - current)


# --- Signal: what each partner shows this episode -----------------------------------------


@register_jitable
def reassurance_given(steady: Num, contingent: Num, partner_pursuit: Num) -> Num:
    """Reassurance offered today: ``R = clip(R_steady + k * p_j)``.

    Steady reassurance (the seed's antidote) comes whatever the partner does; contingent
    reassurance comes in proportion to yesterday's protest ``p_j``, so protest is what
    earns it (a schedule that reinforces protest).
    """
    return clip01(steady + contingent * partner_pursuit)


@register_jitable
def life_load(load: Num, event: Num, size: Num, recovery: Num) -> Num:
    """Outside stress from life events: ``L' = clip(L + e s (1 - L) - r L)``.

    A life event (``e`` is 1 on the day one hits) adds stress that fades at rate ``r``
    (daily stress spills over into the relationship: Neff & Karney 2004).
    """
    return clip01(load + event * size * (1.0 - load) - recovery * load)


@register_jitable
def availability(
    responsiveness: Num, withdrawal: Num, fatigue: Num, reassurance: Num, lapsed: Num
) -> Num:
    """Availability and responsiveness this partner actually offers in an episode.

    ``e = r (1 - w) (1 - 0.5 f) (1 - lapse)``, then steady reassurance ``R`` fills part of
    the gap: ``avail = e + R (1 - e)``. Withdrawal, exhaustion and a lapse (busy,
    preoccupied) all lower it; reassurance given every episode, whatever the partner does,
    is the seed article's "antidote".
    """
    engaged = responsiveness * (1.0 - withdrawal) * (1.0 - FATIGUE_UNAVAILABILITY * fatigue)
    engaged = engaged * (1.0 - lapsed)
    return engaged + reassurance * (1.0 - engaged)


@register_jitable
def pressure(partner_pursuit: Num, partner_protest_intensity: Num) -> Num:
    """Demand pressure the partner's pursuit puts on this person: ``P = intensity * p_j``.

    Softened bids (lower intensity) press less (Overall, Simpson & Struthers 2013).
    """
    return partner_protest_intensity * partner_pursuit


# --- Perceive: availability appraisal (Mikulincer & Shaver module 2) ----------------------


@register_jitable
def perceived_availability(
    partner_availability: Num,
    noise_sd: Num,
    normal_draw: Num,
    ambiguous: Num,
    trust: Num,
    interpretation_bias: Num,
) -> Num:
    """Availability appraisal: noisy observation, and ambiguity filled in by expectation.

    In a clear episode the person sees the partner's availability with noise:
    ``v = clip(avail_j + noise * z)``. In an ambiguous episode (no clear signal, like an
    unanswered text) they fall back on their working model of the partner, shaded by the
    negative interpretation bias ``b``: ``v = (1 - b) * trust``. An anxious person
    (high ``b``) fills the gap with a reading of rejection.
    """
    clear = clip01(partner_availability + noise_sd * normal_draw)
    filled = (1.0 - interpretation_bias) * trust
    return ambiguous * filled + (1.0 - ambiguous) * clear


@register_jitable
def intrusion(
    pressure_on_self: Num, closeness: Num, tolerated_closeness: Num, sensitivity: Num
) -> Num:
    """Intrusion appraisal (deactivation's trigger): demands and too much closeness.

    ``q = sensitivity * (P + max(0, c - c_tol))``. Avoidant people (high sensitivity) feel
    both the partner's demands and closeness beyond what they tolerate as pressure.
    """
    return sensitivity * (pressure_on_self + np.maximum(closeness - tolerated_closeness, 0.0))


# --- Appraise: threat appraisal and co-regulation (modules 1 and 2) -----------------------


@register_jitable
def threat_cue(
    perceived: Num,
    closeness: Num,
    preferred_closeness: Num,
    stress: Num,
    unavailability_weight: Num,
    distance_weight: Num,
) -> Num:
    """Signs of threat: low perceived availability, too little closeness, outside stress.

    ``x = w_u (1 - v) + w_d max(0, c* - c) + stress``; ``stress`` is the couple's chronic
    stress plus this person's load from life events.
    """
    gap = np.maximum(preferred_closeness - closeness, 0.0)
    return unavailability_weight * (1.0 - perceived) + distance_weight * gap + stress


@register_jitable
def threat_appraisal(cue: Num, threshold: Num, gain: Num, suppression: Num,
                     detachment: Num) -> Num:
    """Threat appraisal with hypervigilance, suppression and detachment (module 1).

    A thresholded influence function: ``T = (1 - sigma)(1 - X) / (1 + exp(-g (x - theta)))``.
    Attachment anxiety lowers the threshold ``theta`` and raises the gain ``g``
    (hypervigilance); avoidance raises ``theta`` and damps the appraisal by the
    suppression ``sigma`` (deactivation). Detachment ``X``, learned from long unanswered
    distress, damps it too: an acquired deactivation.
    """
    return (1.0 - suppression) * (1.0 - detachment) / (1.0 + np.exp(-gain * (cue - threshold)))


@register_jitable
def comfort(perceived: Num, uptake: Num) -> Num:
    """Co-regulation: comfort from a partner seen as available, as far as it is taken in.

    ``C = u * v``. Anxious people take comfort in poorly (it does not fully soothe: the
    "ambivalent" pattern), avoidant people dismiss some of it.
    """
    return uptake * perceived


@register_jitable
def update_activation(
    activation: Num, threat: Num, comfort_received: Num, self_soothing: Num, rate: Num
) -> Num:
    """Attachment-system activation (distress): raised by threat, lowered by comfort.

    Comfort from the partner and self-soothing both lower it.
    ``a' = clip(a + rate (T (1 - a) - (C + S) a))``. Without noise the activation settles
    at ``T / (T + C + S)``: high when threat is high and neither partner nor self soothes.
    """
    change = threat * (1.0 - activation) - (comfort_received + self_soothing) * activation
    return clip01(activation + rate * change)


@register_jitable
def update_trust(
    trust: Num,
    inconsistency: Num,
    perceived: Num,
    trust_rate: Num,
    inconsistency_rate: Num,
    damping: Num,
) -> tuple[Num, Num]:
    """Working-model learning: the expectation of the partner's availability (trust).

    The surprise is ``e = v - trust``. Trust moves towards what was seen, at a rate slowed
    by how unpredictable the partner has been (an uncertainty-weighted, Kalman-like update,
    as in Bayesian accounts of partial reinforcement: Courville, Daw & Touretzky 2006):
    ``trust' = trust + k e`` with ``k = trust_rate / (1 + damping * inconsistency)``.
    The learned inconsistency is a running mean of squared surprise:
    ``inconsistency' = inconsistency + inconsistency_rate (e^2 - inconsistency)``.
    After an inconsistent history, one more missed response revises trust little, which
    keeps protest alive longer (Fraley 2002: working models change slowly).

    Returns:
        The new trust and the new inconsistency.
    """
    surprise = perceived - trust
    gain = trust_rate / (1.0 + damping * inconsistency)
    new_trust = clip01(trust + gain * surprise)
    new_inconsistency = inconsistency + inconsistency_rate * (surprise * surprise - inconsistency)
    return new_trust, new_inconsistency


@register_jitable
def update_discomfort(discomfort: Num, intrusion_now: Num, withdrawal: Num, rate: Num) -> Num:
    """An avoidant's discomfort with closeness and demands: it builds, then drains.

    ``D' = D + k [q (1 - D) - r_D (1 - q) D]`` with ``q = min(1, intrusion)``: demands and
    closeness beyond one's preferred level fill it slowly, and only distance drains it.
    Withdrawal follows ``D``, not today's intrusion, so the avoidant pulls back late and
    comes back late: a delayed negative feedback on closeness.
    """
    q = np.minimum(intrusion_now, 1.0)
    relief = DISCOMFORT_RELIEF * (1.0 - q) + withdrawal
    return clip01(discomfort + rate * (q * (1.0 - discomfort) - relief * discomfort))


@register_jitable
def update_detachment(detachment: Num, activation: Num, perceived: Num, hope_now: Num,
                      rate: Num) -> Num:
    """Protest, despair, detachment (Bowlby 1973).

    ``X' = X + k [a (1 - v)(1 - h)(1 - X) - v X]``: distress that meets an unavailable
    partner with no hope left (despair) turns slowly into detachment; a partner who is
    there again thaws it. High protest persistence (anxiety) keeps hope up and delays it.
    """
    despair = activation * (1.0 - perceived) * (1.0 - hope_now)
    return clip01(detachment + rate * (despair * (1.0 - detachment) - perceived * detachment))


# --- Act: proximity-seeking viability (module 3) -----------------------------------------


@register_jitable
def hope(trust: Num, persistence: Num) -> Num:
    """Expected payoff of protest: ``h = rho + (1 - rho) trust``.

    Protest needs hope that the partner will answer; as trust falls, protest gives way to
    despair (Bowlby). Protest persistence ``rho`` (high with anxiety) keeps some protest
    going even without hope: hyperactivation resists extinction.
    """
    return persistence + (1.0 - persistence) * trust


@register_jitable
def pursuit_drive(
    activation: Num, perceived: Num, closeness: Num, preferred_closeness: Num, gain: Num,
    hope_now: Num, fatigue: Num, detachment: Num,
) -> Num:
    """Hyperactivating strategy: the drive to pursue (insistent bids, protest, monitoring).

    ``d_p = clip(g_p * a * min(1, 1 - v + max(0, c* - c)) * h * (1 - f) * (1 - X))``:
    distress aimed at a partner who seems unavailable or too far away, weighted by the
    pursuit gain (high with anxiety), by hope, by the energy left (an exhausted pursuer
    stops), and not yet given up (detachment ``X``).
    """
    need = np.minimum(1.0 - perceived + np.maximum(preferred_closeness - closeness, 0.0), 1.0)
    drive = gain * activation * need * hope_now * (1.0 - fatigue)
    return clip01(drive * (1.0 - detachment))


@register_jitable
def withdrawal_drive(discomfort: Num, activation: Num, perceived: Num, gain: Num,
                     suppression: Num) -> Num:
    """Deactivating strategy: the drive to withdraw (distance, self-reliance).

    ``d_w = clip(g_w (D + sigma a (1 - v)))``: pulling back when discomfort with closeness
    has built up, or, as far as this person deactivates (suppression ``sigma``), when
    distress meets an unavailable partner; weighted by the withdrawal gain (high with
    avoidance).
    """
    return clip01(gain * (discomfort + suppression * activation * (1.0 - perceived)))


@register_jitable
def orientation(approach: Num, pursuit_drive_now: Num, withdrawal_drive_now: Num) -> Num:
    """Approach or avoidance: which of the two strategies a person follows today.

    ``m' = 1 / (1 + exp(-(k (d_p - d_w) + h (2 m - 1))))``: the stronger drive takes over
    (gain ``k``), and the current orientation holds until the other leads clearly
    (hysteresis ``h``). Pursuit acts at ``d_p m`` and withdrawal at ``d_w (1 - m)``. With
    one weak drive a person simply follows the strong one; a fearful person, with both
    strong, switches between approach and avoidance instead of doing both at once (the
    approach-avoidance conflict).
    """
    logit = SWITCH_GAIN * (pursuit_drive_now - withdrawal_drive_now)
    return 1.0 / (1.0 + np.exp(-(logit + SWITCH_HYSTERESIS * (2.0 * approach - 1.0))))


@register_jitable
def repair_chance(tendency: Num, activation_self: Num, activation_other: Num,
                  satisfaction_other: Num, detachment_other: Num) -> Num:
    """Chance that this partner makes a repair attempt today and the other takes it up.

    ``P = rho * max(a_i, a_j) * s_j (1 - a_j / 2)(1 - X_j)``: attempts come on tense days
    (Gottman's repair attempts), in proportion to the person's repair tendency; they are
    taken up by a partner who still feels good about the relationship (positive sentiment
    override), is not flooded, and has not detached.
    """
    tension = np.maximum(activation_self, activation_other)
    receptive = satisfaction_other * (1.0 - 0.5 * activation_other) * (1.0 - detachment_other)
    return clip01(tendency * tension * receptive)


@register_jitable
def after_repair(value: Num, repaired: Num, effect: Num) -> Num:
    """A calming state after a repair taken up: ``x (1 - effect * r)``."""
    return value * (1.0 - effect * repaired)


@register_jitable
def strain(pressure_on_self: Num, pursuit: Num, perceived: Num) -> Num:
    """What wears a partner out in an episode: ``z = min(1, P + p (1 - v))``.

    Being pressed by the partner's demands, and pursuing a partner who does not answer:
    the trap leaves both "misunderstood and exhausted".
    """
    return np.minimum(pressure_on_self + pursuit * (1.0 - perceived), 1.0)


@register_jitable
def update_fatigue(fatigue: Num, strain_now: Num, rate: Num, recovery: Num) -> Num:
    """Fatigue and burnout: ``f' = clip(f + k z (1 - f) - r f)``.

    The partner on the receiving end of sustained protest wears out (the seeds' burnout
    of the non-anxious partner), and so does a pursuer whose bids go unanswered; both
    recover slowly when the strain stops.
    """
    return clip01(fatigue + rate * strain_now * (1.0 - fatigue) - recovery * fatigue)


@register_jitable
def episode_quality(
    received: Num,
    closeness: Num,
    preferred_closeness: Num,
    discomfort: Num,
    suppression: Num,
    load: Num,
) -> Num:
    """How good this day of the relationship was to one partner: its rewards and costs.

    ``Q = (1 - L/2) ((1 - sigma) r + clip(1 - max(0, c* - c) - D)) / 2``. The rewards are
    the responsiveness received (``r``, the availability the partner actually offered
    today: the day's biased reading drives alarm, but what accumulates as satisfaction is
    what was given), as far as this person lets it count (avoidant deactivation discounts
    the reward of intimacy, sigma: Mikulincer & Shaver 2007), and closeness that reaches
    what one wishes for (``c*``) without the discomfort of too much of it (``D``). Stress
    from outside the relationship spills over (Neff & Karney 2004, 2009). Demands, pursuit,
    withdrawal and fatigue do not enter by definition: they lower satisfaction only through
    what they do to the partner's availability, to closeness and to discomfort.
    """
    fit = clip01(1.0 - np.maximum(preferred_closeness - closeness, 0.0) - discomfort)
    reward = ((1.0 - suppression) * received + fit) / 2.0
    return (1.0 - 0.5 * load) * reward


# --- Dyad: closeness and dissolution ----------------------------------------------------


@register_jitable
def update_closeness(
    closeness: Num,
    preferred_a: Num,
    preferred_b: Num,
    withdrawal_a: Num,
    withdrawal_b: Num,
    pursuit_a: Num,
    pursuit_b: Num,
    availability_a: Num,
    availability_b: Num,
    rate: Num,
) -> Num:
    """Emotional closeness of the dyad (Felmlee & Greenberg's partner tracking).

    ``c' = clip(c + k [ 1/2 sum_i (1 - w_i)(c*_i - c)
    + 1/2 (p_a avail_b + p_b avail_a)(1 - c) - 1/2 (w_a + w_b) c ])``: each engaged
    partner pulls closeness towards their own ideal, bids that meet an available partner
    bring the couple closer, and withdrawal opens distance.
    """
    tracking = (1.0 - withdrawal_a) * (preferred_a - closeness)
    tracking = tracking + (1.0 - withdrawal_b) * (preferred_b - closeness)
    bids = (pursuit_a * availability_b + pursuit_b * availability_a) * (1.0 - closeness)
    distancing = (withdrawal_a + withdrawal_b) * closeness
    return clip01(closeness + rate * 0.5 * (tracking + bids - distancing))


@register_jitable
def exit_hazard(satisfaction: Num, fatigue: Num, propensity: Num, rate: Num) -> Num:
    """Chance that this partner ends the relationship in an episode.

    ``H = clip(k * e * (1 - s)^4 * (1 + f))``: rises steeply with dissatisfaction and with
    exhaustion, scaled by the readiness to leave ``e`` (low with anxiety: anxious people
    cling, which keeps unhappy anxious-avoidant couples together; Kirkpatrick & Davis 1994).
    """
    unhappy = 1.0 - satisfaction
    return clip01(rate * propensity * (unhappy * unhappy) ** 2 * (1.0 + fatigue))


# --- Working models over a life: from what was learned to the traits ----------------------

UNPREDICTABILITY_REF = 0.25
"""The unpredictability (``sqrt`` of learned inconsistency) of a reliable partner or
caregiver: observation noise and a lapse on one day in ten give about this much."""
TRUST_REF = 0.75
"""The trust a reliable partner or caregiver teaches (about their availability)."""
WM_ANXIETY = (0.2, 3.0)
"""``(base, per unit of unpredictability above the reference)`` of :func:`working_model_traits`."""
WM_AVOIDANCE = (0.2, 1.2, 1.5)
"""``(base, per unit of trust below the reference, per unit of unpredictability above it)``."""


@register_jitable
def working_model_traits(trust: Num, inconsistency: Num) -> tuple[Num, Num]:
    """The anxiety and avoidance that a learned working model of a partner stands for.

    ``u = sqrt(inconsistency)`` is how unpredictable the other has been; ``T`` is trust.
    ``anxiety* = clip(a0 + a_u (u - u_ref))``: care that comes and goes teaches a person to
    amplify distress to be noticed (hyperactivation; Ainsworth et al. 1978 on C infants,
    Cassidy & Berlin 1994). ``avoidance* = clip(b0 + b_T (T_ref - T) - b_u (u - u_ref))``:
    care that reliably does not come teaches a person not to ask (deactivation; Main 1990).
    The constants (:data:`WM_ANXIETY`, :data:`WM_AVOIDANCE`) are chosen, not fitted; the
    same mapping reads a child's working model of a caregiver and an adult's of a partner.

    Returns:
        The anxiety and avoidance targets, each in [0, 1].
    """
    u = np.sqrt(np.maximum(inconsistency, 0.0))
    anxiety = clip01(WM_ANXIETY[0] + WM_ANXIETY[1] * (u - UNPREDICTABILITY_REF))
    avoidance = clip01(WM_AVOIDANCE[0] + WM_AVOIDANCE[1] * (TRUST_REF - trust)
                       - WM_AVOIDANCE[2] * (u - UNPREDICTABILITY_REF))
    return anxiety, avoidance


@register_jitable
def drift(trait: Num, target: Num, prototype: Num, rate: Num, anchor: Num) -> Num:
    """One year of a trait's slow revision around a stable prototype (Fraley 2002).

    ``x' = clip(x + k (x* - x) + g (x0 - x))``: experience pulls the trait towards what the
    year's working model stands for (``x*``, :func:`working_model_traits`) at rate ``k``,
    and the prototype learned in childhood (``x0``) pulls it back at rate ``g``. With
    ``g > 0`` the trait never forgets its origin, so stability from infancy does not decay
    to zero (Fraley's prototype model); with ``g = 0`` it is a plain revision model.
    """
    return clip01(trait + rate * (target - trait) + anchor * (prototype - trait))
