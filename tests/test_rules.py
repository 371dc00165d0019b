"""Rule directions: each rule moves the way attachment theory says it should."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dyadsim import rules
from dyadsim.params import make_params, partner_values


def partner(anxiety: float, avoidance: float) -> dict:
    return partner_values(
        make_params({"partner_a.anxiety": anxiety, "partner_a.avoidance": avoidance}),
        "partner_a",
    )


def pursuit_at(p: dict, perceived: float) -> float:
    """Pursuit drive of a partner after threat has set activation to its fixed point."""
    cue = rules.threat_cue(perceived, 0.5, p["preferred_closeness"], 0.05, 0.6, 0.8)
    threat = rules.threat_appraisal(cue, p["threat_threshold"], p["threat_gain"], p["suppression"],
                                    0.0)
    comfort = rules.comfort(perceived, p["comfort_uptake"])
    a = 0.0
    for _ in range(200):
        a = rules.update_activation(a, threat, comfort, p["self_soothing"], 0.3)
    return float(rules.pursuit_drive(a, perceived, 0.5, p["preferred_closeness"], p["pursuit_gain"],
                                     rules.hope(0.5, p["protest_persistence"]), 0.0, 0.0))


def test_more_anxiety_more_pursuit_at_same_unavailability():
    drives = [pursuit_at(partner(a, 0.2), perceived=0.4) for a in (0.1, 0.4, 0.7, 1.0)]
    assert all(x < y for x, y in itertools.pairwise(drives))


def test_more_avoidance_more_withdrawal_at_same_intrusion():
    out = []
    for avo in (0.1, 0.4, 0.7, 1.0):
        p = partner(0.2, avo)
        q = rules.intrusion(0.1, 0.5, p["closeness_tolerance"], p["intrusion_sensitivity"])
        d = 0.0
        for _ in range(7):  # a week of the same demands and closeness
            d = rules.update_discomfort(d, q, 0.0, 0.1)
        out.append(float(rules.withdrawal_drive(d, 0.3, 0.6, p["withdrawal_gain"],
                                                p["suppression"])))
    assert all(x < y for x, y in itertools.pairwise(out))


def test_hypervigilance_lower_threshold_higher_gain_more_threat():
    calm, anxious = partner(0.1, 0.1), partner(0.9, 0.1)
    for cue in (0.2, 0.35, 0.5):
        t_calm = rules.threat_appraisal(cue, calm["threat_threshold"], calm["threat_gain"], 0, 0)
        t_anx = rules.threat_appraisal(cue, anxious["threat_threshold"], anxious["threat_gain"],
                                       0, 0)
        assert t_anx > t_calm


def test_suppression_and_detachment_damp_threat():
    base = rules.threat_appraisal(0.5, 0.4, 8, 0.0, 0.0)
    assert rules.threat_appraisal(0.5, 0.4, 8, 0.7, 0.0) < base
    assert rules.threat_appraisal(0.5, 0.4, 8, 0.0, 0.7) < base


def test_comfort_lowers_activation_and_threat_raises_it():
    base = rules.update_activation(0.5, 0.3, 0.0, 0.1, 0.3)
    assert rules.update_activation(0.5, 0.3, 0.6, 0.1, 0.3) < base
    assert rules.update_activation(0.5, 0.9, 0.0, 0.1, 0.3) > base


def test_anxious_take_in_less_comfort():
    assert partner(0.9, 0.1)["comfort_uptake"] < partner(0.1, 0.1)["comfort_uptake"]


def test_ambiguity_is_read_negatively_with_bias():
    kw = dict(partner_availability=0.9, noise_sd=0.0, normal_draw=0.0, ambiguous=1.0, trust=0.7)
    assert rules.perceived_availability(**kw, interpretation_bias=0.8) < (
        rules.perceived_availability(**kw, interpretation_bias=0.0))
    clear = dict(kw, ambiguous=0.0)
    assert rules.perceived_availability(**clear, interpretation_bias=0.8) == pytest.approx(0.9)


def test_softened_bids_press_less():
    assert rules.pressure(0.8, 0.3) < rules.pressure(0.8, 1.0)


def test_withdrawal_lapse_and_fatigue_lower_availability_reassurance_raises_it():
    base = rules.availability(0.9, 0.2, 0.0, 0.0, 0.0)
    assert rules.availability(0.9, 0.6, 0.0, 0.0, 0.0) < base
    assert rules.availability(0.9, 0.2, 0.8, 0.0, 0.0) < base
    assert rules.availability(0.9, 0.2, 0.0, 0.0, 1.0) == 0.0
    assert rules.availability(0.9, 0.2, 0.0, 0.5, 1.0) == pytest.approx(0.5)


def test_trust_learns_and_inconsistency_slows_it():
    fast, _ = rules.update_trust(0.8, 0.0, 0.0, 0.05, 0.02, 20.0)
    slow, _ = rules.update_trust(0.8, 0.25, 0.0, 0.05, 0.02, 20.0)
    assert slow < 0.8 and fast < slow


def test_despair_lowers_pursuit_persistence_keeps_it():
    assert rules.hope(0.1, 0.0) < rules.hope(0.9, 0.0)
    assert rules.hope(0.1, 0.6) > rules.hope(0.1, 0.0)
    tired, rested = (rules.pursuit_drive(0.8, 0.2, 0.5, 0.5, 1.5, 0.8, f, 0.0) for f in (0.9, 0.0))
    assert tired < rested
    detached = rules.pursuit_drive(0.8, 0.2, 0.5, 0.5, 1.5, 0.8, 0.0, 0.8)
    assert detached < rested


def test_closeness_rises_with_met_bids_and_falls_with_withdrawal():
    args = dict(closeness=0.5, preferred_a=0.5, preferred_b=0.5, pursuit_b=0.0,
                availability_a=0.9, rate=0.1)
    calm = rules.update_closeness(**args, withdrawal_a=0, withdrawal_b=0, pursuit_a=0,
                                  availability_b=0.9)
    bids = rules.update_closeness(**args, withdrawal_a=0, withdrawal_b=0, pursuit_a=0.8,
                                  availability_b=0.9)
    away = rules.update_closeness(**args, withdrawal_a=0, withdrawal_b=0.8, pursuit_a=0,
                                  availability_b=0.9)
    assert away < calm < bids


def test_fatigue_grows_under_strain_and_recovers():
    assert rules.update_fatigue(0.2, 1.0, 0.05, 0.01) > 0.2
    assert rules.update_fatigue(0.2, 0.0, 0.05, 0.01) < 0.2
    assert rules.strain(0.0, 0.8, 0.1) > rules.strain(0.0, 0.8, 0.9)


def test_exit_hazard_rises_with_unhappiness_and_propensity():
    assert rules.exit_hazard(0.3, 0.0, 0.8, 0.01) > rules.exit_hazard(0.7, 0.0, 0.8, 0.01)
    assert rules.exit_hazard(0.3, 0.0, 0.8, 0.01) > rules.exit_hazard(0.3, 0.0, 0.2, 0.01)


def test_rules_give_the_same_numbers_on_scalars_and_arrays():
    rng = np.random.default_rng(0)
    a, t, c, s = rng.random((4, 50))
    arr = rules.update_activation(a, t, c, s, 0.3)
    one = [float(rules.update_activation(*x, 0.3)) for x in zip(a, t, c, s, strict=True)]
    np.testing.assert_allclose(arr, one, rtol=0, atol=1e-15)
    cue = rules.threat_cue(a, c, s, 0.1, 0.6, 0.8)
    np.testing.assert_allclose(
        rules.threat_appraisal(cue, 0.4, 9.0, t, s),
        [float(rules.threat_appraisal(float(x), 0.4, 9.0, float(y), float(z)))
         for x, y, z in zip(cue, t, s, strict=True)],
        rtol=0, atol=1e-15)


def test_discomfort_builds_under_intrusion_and_drains_with_distance():
    assert rules.update_discomfort(0.2, 0.8, 0.0, 0.1) > 0.2
    assert rules.update_discomfort(0.2, 0.0, 0.0, 0.1) < 0.2
    # withdrawing relieves it (distance regulation)
    assert rules.update_discomfort(0.2, 0.8, 0.6, 0.1) < rules.update_discomfort(0.2, 0.8, 0.0, 0.1)
    assert rules.update_discomfort(0.0, 5.0, 0.0, 1.0) == pytest.approx(1.0)  # q capped at 1


def test_orientation_follows_the_stronger_drive_and_holds_until_the_other_leads():
    assert rules.orientation(0.5, 0.8, 0.2) > 0.99
    assert rules.orientation(0.5, 0.2, 0.8) < 0.01
    # a small lead for avoidance does not turn an approaching person round; a clear one does
    assert rules.orientation(1.0, 0.50, 0.55) > 0.5
    assert rules.orientation(1.0, 0.50, 0.70) < 0.5


def test_contingent_reassurance_answers_protest_and_steady_does_not():
    assert rules.reassurance_given(0.3, 0.0, 0.9) == rules.reassurance_given(0.3, 0.0, 0.0)
    assert rules.reassurance_given(0.0, 0.5, 0.9) > rules.reassurance_given(0.0, 0.5, 0.1)


def test_a_life_event_adds_load_that_fades():
    hit = rules.life_load(0.0, 1.0, 0.4, 0.05)
    assert hit == pytest.approx(0.4)
    assert rules.life_load(hit, 0.0, 0.4, 0.05) < hit


def test_repair_needs_tension_and_a_receptive_partner():
    base = rules.repair_chance(0.3, 0.6, 0.6, 0.7, 0.0)
    assert rules.repair_chance(0.3, 0.0, 0.0, 0.7, 0.0) == 0.0
    assert rules.repair_chance(0.3, 0.6, 0.6, 0.7, 1.0) == 0.0  # a detached partner
    assert rules.repair_chance(0.3, 0.6, 0.6, 0.2, 0.0) < base
    assert rules.after_repair(0.8, 1.0, 0.5) == pytest.approx(0.4)
    assert rules.after_repair(0.8, 0.0, 0.5) == 0.8
