"""One interaction episode, written once: the initial state, the stages and their order.

Each stage is a plain function from a partner's state tuple (:data:`dyadsim.schema.STATE_VARS`
order) and parameter vectors to the new state tuple; it calls the equations of
:mod:`dyadsim.rules`. The same functions run in three places:

* the Mesa model: each :class:`dyadsim.agents.Partner` method is a thin wrapper that calls
  its stage on the agent's own state, and the model runs the stages across both agents
  with ``model.agents.do`` in :data:`STAGES` order, then :func:`closeness` and the exit draws;
* the batch engine's Numba kernel (:mod:`dyadsim.batch`) calls :func:`step` with random
  draws;
* the mean-field map (:mod:`dyadsim.meanfield`) calls :func:`step` with every draw replaced
  by its expectation (:func:`expected_step`).

Schedule of one episode, each stage run for both partners before the next begins, so
neither partner sees the other half-updated:

1. ``signal``: each partner's day: a life event and a lapse drawn here; the reassurance
   and availability offered.
2. ``perceive``: availability appraisal of the partner; demand pressure and intrusion.
3. ``appraise``: threat appraisal, co-regulation, activation; trust, discomfort and
   detachment learn.
4. ``act``: pursuit and withdrawal (competing drives), fatigue, satisfaction.
5. dyad: repair (each partner's attempt drawn), closeness, then each partner's exit draw
   (dissolution).

One episode is one day (:mod:`dyadsim.timeunits`).

Every function is ``register_jitable``: plain Python when called from Python (the Mesa
path), compiled inline when called from Numba code.
"""

from __future__ import annotations

from typing import Any

from numba import types
from numba.core.errors import TypingError
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import overload, register_jitable

from dyadsim import rules
from dyadsim.schema import (
    D_AMBIG,
    D_ARATE,
    D_BRATE,
    D_BURN,
    D_C0,
    D_CRATE,
    D_DAMP,
    D_DISS,
    D_DRATE,
    D_DW,
    D_FRATE,
    D_FREC,
    D_IRATE,
    D_LRATE,
    D_LREC,
    D_LSIZE,
    D_NOISE,
    D_REPAIR,
    D_SRATE,
    D_STRESS,
    D_UW,
    D_XRATE,
    F_BIAS,
    F_CONTINGENT,
    F_EXIT,
    F_GAIN,
    F_LAPSE,
    F_PERSIST,
    F_PGAIN,
    F_PREF,
    F_PROTEST,
    F_REASS,
    F_REPAIR,
    F_RESP,
    F_SENS,
    F_SOOTHE,
    F_SUPP,
    F_THETA,
    F_TOL,
    F_TRATE,
    F_TRUST0,
    F_UPTAKE,
    F_WGAIN,
    N_STATE,
    S_ACT,
    S_AMB,
    S_APPR,
    S_AVAIL,
    S_DET,
    S_DISC,
    S_FAT,
    S_INC,
    S_INTR,
    S_LAPSED,
    S_LOAD,
    S_PERC,
    S_PRES,
    S_PUR,
    S_RECV,
    S_REP,
    S_SAT,
    S_THR,
    S_TRUST,
    S_WD,
)

State = tuple[float, ...]
"""A partner's state, one float per :data:`dyadsim.schema.STATE_VARS` entry."""
Vector = Any  # a 1-D float array (a partner's or the dyad's parameters)

STAGES: tuple[str, ...] = ("signal", "perceive", "appraise", "act")
"""The partner stages of one episode, in order (:func:`step` runs them in this order)."""

ZERO_STATE: State = (0.0,) * N_STATE


def put(state: State, index: int, value: float) -> State:
    """The state with one entry replaced (a new tuple; compiled code updates in registers)."""
    return (*state[:index], value, *state[index + 1:])


@overload(put, prefer_literal=True)
def _put_compiled(state, index, value):  # Numba wants the same unannotated signature as impl
    if not isinstance(state, types.UniTuple):
        raise TypingError("put: the state must be a homogeneous tuple")
    if isinstance(index, types.IntegerLiteral):  # the usual case: a schema constant
        at = index.literal_value

        def at_constant(state, index, value):
            return tuple_setitem(state, at, value)

        return at_constant

    def at_runtime(state, index, value):
        return tuple_setitem(state, index, value)

    return at_runtime


@register_jitable
def initial(p: Vector) -> State:
    """A partner's state before the first day: calm, trusting as far as ``trust0``."""
    st = ZERO_STATE
    st = put(st, S_PERC, p[F_TRUST0])
    st = put(st, S_TRUST, p[F_TRUST0])
    st = put(st, S_APPR, 1.0)
    return put(st, S_SAT, rules.INITIAL_SATISFACTION)


@register_jitable
def initial_closeness(d: Vector) -> float:
    """The dyad's closeness before the first day."""
    return d[D_C0]


@register_jitable
def drawn(u: float, rate: float) -> float:
    """1.0 when a uniform draw ``u`` falls below ``rate`` (an event of that chance), else 0.0."""
    return 1.0 if u < rate else 0.0


@register_jitable
def signal(st: State, p: Vector, d: Vector, partner_pursuit: float, lapsed: float,
           event: float) -> State:
    """Stage 1: this partner's day: outside stress, and the availability they offer.

    ``lapsed`` is 1.0 on a day with a lapse (busy, preoccupied) and ``event`` 1.0 on a day
    a life event hits, else 0.0 (the mean field passes their rates). ``partner_pursuit``
    is the partner's pursuit as yesterday left it: contingent reassurance answers it.
    """
    st = put(st, S_LOAD, rules.life_load(st[S_LOAD], event, d[D_LSIZE], d[D_LREC]))
    st = put(st, S_LAPSED, lapsed)
    given = rules.reassurance_given(p[F_REASS], p[F_CONTINGENT], partner_pursuit)
    avail = rules.availability(p[F_RESP], st[S_WD], st[S_FAT], given, lapsed)
    return put(st, S_AVAIL, avail)


@register_jitable
def perceive(st: State, p: Vector, seen: State, p_seen: Vector, d: Vector, c: float,
             ambiguous: float, z: float) -> State:
    """Stage 2: availability appraisal of the partner, and the pressure felt.

    ``seen`` is the partner's state as the signal stage left it; ``ambiguous`` is 1.0 on a
    day without a clear signal (the mean field passes the ambiguity rate); ``z`` is the
    observation's standard normal draw (the mean field passes 0).
    """
    st = put(st, S_AMB, ambiguous)
    st = put(st, S_RECV, seen[S_AVAIL])
    st = put(st, S_PERC, rules.perceived_availability(
        seen[S_AVAIL], d[D_NOISE], z, ambiguous, st[S_TRUST], p[F_BIAS]))
    pres = rules.pressure(seen[S_PUR], p_seen[F_PROTEST])
    st = put(st, S_PRES, pres)
    return put(st, S_INTR, rules.intrusion(pres, c, p[F_TOL], p[F_SENS]))


@register_jitable
def appraise(st: State, p: Vector, d: Vector, c: float) -> State:
    """Stage 3: threat appraisal, co-regulation, activation; the slow working models.

    Trust learns from what was seen; discomfort with closeness builds or drains;
    unanswered, hopeless distress turns into detachment.
    """
    v = st[S_PERC]
    cue = rules.threat_cue(v, c, p[F_PREF], d[D_STRESS] + st[S_LOAD], d[D_UW], d[D_DW])
    threat = rules.threat_appraisal(cue, p[F_THETA], p[F_GAIN], p[F_SUPP], st[S_DET])
    st = put(st, S_THR, threat)
    soothing = rules.comfort(v, p[F_UPTAKE])
    activation = rules.update_activation(st[S_ACT], threat, soothing, p[F_SOOTHE], d[D_ARATE])
    st = put(st, S_ACT, activation)
    trust, inconsistency = rules.update_trust(
        st[S_TRUST], st[S_INC], v, p[F_TRATE], d[D_IRATE], d[D_DAMP])
    st = put(st, S_TRUST, trust)
    st = put(st, S_INC, inconsistency)
    st = put(st, S_DISC, rules.update_discomfort(st[S_DISC], st[S_INTR], st[S_WD], d[D_DRATE]))
    hope = rules.hope(trust, p[F_PERSIST])
    return put(st, S_DET, rules.update_detachment(st[S_DET], activation, v, hope, d[D_XRATE]))


@register_jitable
def act(st: State, p: Vector, d: Vector, c: float) -> State:
    """Stage 4: pursuit and withdrawal follow their competing drives; fatigue, satisfaction."""
    v, activation, fat = st[S_PERC], st[S_ACT], st[S_FAT]
    hope = rules.hope(st[S_TRUST], p[F_PERSIST])
    p_drive = rules.pursuit_drive(activation, v, c, p[F_PREF], p[F_PGAIN], hope, fat, st[S_DET])
    w_drive = rules.withdrawal_drive(st[S_DISC], activation, v, p[F_WGAIN], p[F_SUPP])
    mode = rules.orientation(st[S_APPR], p_drive, w_drive)
    st = put(st, S_APPR, mode)
    p_target = p_drive * mode
    w_target = rules.clip01(w_drive * (1.0 - mode) + d[D_BURN] * fat)
    pursuit = rules.follow(st[S_PUR], p_target, d[D_BRATE])
    st = put(st, S_PUR, pursuit)
    st = put(st, S_WD, rules.follow(st[S_WD], w_target, d[D_BRATE]))
    fat = rules.update_fatigue(fat, rules.strain(st[S_PRES], pursuit, v), d[D_FRATE], d[D_FREC])
    st = put(st, S_FAT, fat)
    quality = rules.episode_quality(st[S_RECV], c, p[F_PREF], st[S_DISC], p[F_SUPP], st[S_LOAD])
    return put(st, S_SAT, rules.follow(st[S_SAT], quality, d[D_SRATE]))


@register_jitable
def repair_chance(st: State, p: Vector, other: State) -> float:
    """The chance that this partner's repair attempt today is made and taken up."""
    return rules.repair_chance(p[F_REPAIR], st[S_ACT], other[S_ACT], other[S_SAT], other[S_DET])


@register_jitable
def calm(st: State, repaired: float, made: float, d: Vector) -> State:
    """A partner after the day's repair (``repaired``: 1.0 if either partner's was taken up).

    ``made`` is 1.0 if this partner's own attempt was the one taken up (recorded).
    """
    effect = d[D_REPAIR]
    st = put(st, S_REP, made)
    st = put(st, S_ACT, rules.after_repair(st[S_ACT], repaired, effect))
    st = put(st, S_PUR, rules.after_repair(st[S_PUR], repaired, effect))
    st = put(st, S_WD, rules.after_repair(st[S_WD], repaired, effect))
    st = put(st, S_DISC, rules.after_repair(st[S_DISC], repaired, effect))
    gap = 1.0 - st[S_TRUST]
    return put(st, S_TRUST, 1.0 - rules.after_repair(gap, repaired, effect * rules.REPAIR_TRUST))


@register_jitable
def repair(sa: State, sb: State, pa: Vector, pb: Vector, d: Vector, made_a: float,
           made_b: float) -> tuple[State, State]:
    """Stage 5 (the dyad): a repair attempt taken up calms both partners.

    ``made_a`` and ``made_b`` are 1.0 if that partner's attempt was made and taken up today
    (an engine draws them with :func:`repair_chance`; the mean field passes the chances).
    """
    repaired = 1.0 - (1.0 - made_a) * (1.0 - made_b)
    return calm(sa, repaired, made_a, d), calm(sb, repaired, made_b, d)


@register_jitable
def closeness(c: float, pa: Vector, pb: Vector, sa: State, sb: State, d: Vector) -> float:
    """Stage 5 (the dyad): closeness after both partners have acted."""
    return rules.update_closeness(
        c, pa[F_PREF], pb[F_PREF], sa[S_WD], sb[S_WD], sa[S_PUR], sb[S_PUR],
        sa[S_AVAIL], sb[S_AVAIL], d[D_CRATE])


@register_jitable
def exit_hazard(st: State, p: Vector, d: Vector) -> float:
    """Stage 5 (the dyad): the chance that this partner ends the relationship today."""
    return rules.exit_hazard(st[S_SAT], st[S_FAT], p[F_EXIT], d[D_DISS])


@register_jitable(inline="always")
def step(sa: State, sb: State, pa: Vector, pb: Vector, d: Vector, c: float,
         lapsed_a: float, lapsed_b: float, ambiguous_a: float, ambiguous_b: float,
         za: float, zb: float, event_a: float, event_b: float, ua: float, ub: float,
         expected: bool) -> tuple[State, State, float]:
    """One day of both partners in :data:`STAGES` order, then repair and closeness.

    ``ua`` and ``ub`` are the uniform draws that decide each partner's repair attempt; with
    ``expected`` the attempt counts at its chance instead (the mean field). The exit draws
    are the caller's (an engine draws them, the mean field carries the hazard as a
    survival probability). Returns the new states and closeness.
    """
    pursuit_a, pursuit_b = sa[S_PUR], sb[S_PUR]
    sa = signal(sa, pa, d, pursuit_b, lapsed_a, event_a)
    sb = signal(sb, pb, d, pursuit_a, lapsed_b, event_b)
    sa_seen = sa  # each partner perceives the other as the signal stage left them
    sa = perceive(sa, pa, sb, pb, d, c, ambiguous_a, za)
    sb = perceive(sb, pb, sa_seen, pa, d, c, ambiguous_b, zb)
    sa, sb = appraise(sa, pa, d, c), appraise(sb, pb, d, c)
    sa, sb = act(sa, pa, d, c), act(sb, pb, d, c)
    chance_a, chance_b = repair_chance(sa, pa, sb), repair_chance(sb, pb, sa)
    if expected:
        made_a, made_b = chance_a, chance_b
    else:
        made_a, made_b = drawn(ua, chance_a), drawn(ub, chance_b)
    sa, sb = repair(sa, sb, pa, pb, d, made_a, made_b)
    return sa, sb, closeness(c, pa, pb, sa, sb, d)


@register_jitable
def expected_step(sa: State, sb: State, pa: Vector, pb: Vector, d: Vector, c: float
                  ) -> tuple[State, State, float]:
    """:func:`step` with every draw at its expectation: the mean-field day.

    A lapse becomes the lapse rate, an ambiguous day the ambiguity rate, a life event its
    daily rate and a repair taken up its chance (the rules are linear in each indicator);
    the observation noise becomes its mean, 0.
    """
    return step(sa, sb, pa, pb, d, c, pa[F_LAPSE], pb[F_LAPSE], d[D_AMBIG], d[D_AMBIG],
                0.0, 0.0, d[D_LRATE], d[D_LRATE], 0.0, 0.0, True)
