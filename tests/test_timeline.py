"""Timelines: when a change acts, what it changes, and that both engines apply it alike."""

from __future__ import annotations

import numpy as np
import pytest

from dyadsim import batch
from dyadsim.interventions import POLICIES, THERAPIES
from dyadsim.model import DyadModel
from dyadsim.params import PARTNER_FIELDS, REGISTRY, make_params, param_matrix
from dyadsim.scenario import Event
from dyadsim.timeline import Change, Timeline, TimelineError

NAMES = list(REGISTRY)


def plan_for(timeline, overrides=None, steps=100, explicit=()):
    row = param_matrix(make_params(overrides or {}))
    return timeline.compile(row, steps, explicit)


def test_weights_phase_in_over_the_ramp_and_end_after_the_duration():
    w = Change("dyad.stress", "by", 0.4, start=10, ramp=4, end=20).weights(30)
    assert list(w[8:12]) == [0, 0, 0.25, 0.5]
    assert list(w[13:22]) == [1.0] * 7 + [0, 0]
    assert w[0] == 0 and w[-1] == 0


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("to", 0.3, 0.3), ("by", 0.2, 0.25), ("times", 3.0, 0.15), ("by", 5.0, 1.0),
])
def test_targets_follow_the_op_and_stay_in_bounds(op, value, expected):
    plan = plan_for(Timeline((Change("dyad.stress", op, value, start=5),)))
    assert plan.targets[0, 0] == pytest.approx(expected)
    assert plan.bases[0, 0] == REGISTRY["dyad.stress"].default


def test_a_trait_change_moves_the_derived_parameters_but_not_explicit_ones():
    change = Change("partner_a.anxiety", "to", 0.2, start=5)
    plan = plan_for(Timeline((change,)), {"partner_a.pursuit_gain": 1.0},
                    explicit={"partner_a.pursuit_gain"})
    assert "partner_a.threat_gain" in plan.names
    assert "partner_a.pursuit_gain" not in plan.names
    j = plan.names.index("partner_a.threat_gain")
    assert plan.targets[0, j] == pytest.approx(6 + 9 * 0.2)
    assert plan.bases[0, j] == pytest.approx(6 + 9 * 0.8)


def test_overlapping_changes_of_one_parameter_are_rejected_adjacent_ones_are_not():
    first = Change("dyad.stress", "by", 0.2, start=10, end=20, origin="first")
    Timeline((first, Change("dyad.stress", "by", 0.3, start=20, origin="next"))).check(50)
    with pytest.raises(TimelineError, match=r"first.*dyad\.stress.*19"):
        Timeline((Change("dyad.stress", "by", 0.3, start=15, origin="x"), first)).check(50)
    trait = Change("partner_a.anxiety", "to", 0.2, start=1, origin="trait")
    gain = Change("partner_a.threat_gain", "to", 3, start=30, origin="gain")
    with pytest.raises(TimelineError, match="derived from"):
        Timeline((trait, gain)).check(50)
    Timeline((trait, gain)).check(50, explicit={"partner_a.threat_gain"})


def test_start_only_parameters_cannot_change_during_a_run():
    with pytest.raises(TimelineError, match="start of a run"):
        Timeline((Change("dyad.closeness0", "to", 0.1, start=3),)).check(10)


def test_a_change_acts_from_its_step_on_in_both_engines():
    """Step s is the first episode that sees the new value; Mesa and the kernel agree."""
    stress = Timeline((Change("dyad.stress", "by", 0.5, start=30, end=40),))
    plain = DyadModel(rng=3).run(60).trajectory()
    mesa = DyadModel(rng=3, timeline=stress).run(60).trajectory()
    cols = plain.columns[1:]
    np.testing.assert_array_equal(plain[cols].iloc[:30], mesa[cols].iloc[:30])
    assert (mesa["partner_b.threat"].iloc[30] > plain["partner_b.threat"].iloc[30])
    res = batch.run_batch(param_matrix({}), [3], 60, record_every=1, timeline=stress)
    np.testing.assert_allclose(res.trajectory(0).to_numpy(), mesa.to_numpy(), atol=1e-12)


def test_the_mesa_model_puts_the_timeline_on_mesas_event_scheduler(monkeypatch):
    calls = []
    original = DyadModel.schedule_event

    def spy(self, function, *, at=None, after=None, **kw):
        calls.append(at)
        return original(self, function, at=at, after=after, **kw)

    monkeypatch.setattr(DyadModel, "schedule_event", spy)
    tl = Timeline((Change("dyad.stress", "by", 0.2, start=10, ramp=3, end=20),))
    model = DyadModel(rng=1, timeline=tl)
    assert calls == [9, 10, 11, 19]  # each episode whose value changes, one step before
    model.run(25)
    assert model.params["dyad.stress"] == REGISTRY["dyad.stress"].default


def test_every_preset_names_partner_parameters_and_documents_its_source():
    for preset in (*THERAPIES.values(), *POLICIES.values()):
        assert preset.construct and preset.source
        missing = preset.missing()
        # only the contingent policy may wait for its Model 2.0 parameter
        assert set(missing) <= {"partner_a.contingent_reassurance"}, (preset.name, missing)
        for effect in preset.effects:
            if f"partner_a.{effect.field}" in missing:
                continue
            assert effect.field in PARTNER_FIELDS
            param = REGISTRY[f"partner_a.{effect.field}"]
            assert param.low <= effect.goal <= param.high
            assert 0 < effect.fraction <= 1


def test_every_therapy_has_a_documented_course_and_no_policy_has_one():
    for preset in THERAPIES.values():
        course = preset.course
        assert course is not None, preset.name
        assert 1 <= course.sessions <= 100 and 1 <= course.every <= 60, preset.name
        assert len(course.source) > 40, preset.name
    assert all(p.course is None for p in POLICIES.values())
    assert THERAPIES["eft"].course.describe() == "12 weekly sessions"
    assert THERAPIES["secure_practice"].course.describe() == "66 daily sessions"


def test_each_therapy_acts_on_its_own_construct():
    fields = {name: {e.field for e in p.effects} for name, p in THERAPIES.items()}
    assert fields["cbt"] == {"interpretation_bias"}
    assert fields["emdr"] == {"threat_threshold", "threat_gain"}
    assert fields["mindfulness"] == {"self_soothing"}
    assert fields["secure_practice"] == {"pursuit_gain", "protest_persistence"}
    # EFT: responsiveness, softening, comfort taken in, and accessibility (less withdrawal)
    assert fields["eft"] == {"responsiveness", "protest_intensity", "comfort_uptake",
                             "withdrawal_gain"}
    gain = next(e for e in THERAPIES["eft"].effects if e.field == "withdrawal_gain")
    secure = param_matrix(make_params({"partner_b.anxiety": 0.0, "partner_b.avoidance": 0.0}))
    assert gain.goal == secure[0, NAMES.index("partner_b.withdrawal_gain")]
    plan = plan_for(Timeline(tuple(Event("therapy", 5, therapy="eft").changes(1))),
                    {"partner_b.avoidance": 0.8})
    j = plan.names.index("partner_b.withdrawal_gain")
    assert plan.targets[0, j] < plan.bases[0, j]


def test_a_course_steps_up_at_each_session_and_holds_after_the_last():
    change = Change("dyad.stress", "by", 0.4, start=10, sessions=3, every=7)
    w = change.weights(40)
    assert list(w[:10]) == [0.0] * 10
    assert list(w[10:17]) == [1 / 3] * 7 and list(w[17:24]) == [2 / 3] * 7
    assert list(w[24:]) == [1.0] * 17
    ended = Change("dyad.stress", "by", 0.4, start=10, sessions=3, every=7, end=30).weights(40)
    assert list(ended[28:32]) == [1.0, 1.0, 0.0, 0.0]
    once = Change("dyad.stress", "by", 0.4, start=10, sessions=1, every=7).weights(20)
    assert list(once[9:12]) == [0.0, 1.0, 1.0]
    daily = Change("dyad.stress", "by", 0.4, start=1, sessions=4, every=1).weights(6)
    assert list(daily) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]


def test_a_course_changes_values_only_on_session_days():
    tl = Timeline((Change("dyad.stress", "by", 0.4, start=10, sessions=3, every=7),))
    plan = plan_for(tl, steps=40)
    assert list(plan.steps_changing()) == [10, 17, 24]
    base = REGISTRY["dyad.stress"].default
    assert plan.values_at(0, 17)["dyad.stress"] == pytest.approx(base + 2 / 3 * 0.4)
    assert plan.values_at(0, 18) == {}


def test_a_bad_course_is_rejected():
    with pytest.raises(TimelineError, match="at least 1 session"):
        Timeline((Change("dyad.stress", "by", 0.1, start=3, sessions=0),)).check(10)
    with pytest.raises(TimelineError, match="at least 1 day apart"):
        Timeline((Change("dyad.stress", "by", 0.1, start=3, sessions=2, every=0),)).check(10)


def test_both_engines_apply_a_course_of_sessions_alike(monkeypatch):
    """A course is a staircase of weights: Mesa schedules one event per session day, and the
    batch kernel sets the same values at the same steps (trajectories equal to 1e-12)."""
    event = Event("therapy", 20, therapy="eft", partner="both", sessions=4, every=5)
    course = Timeline(tuple(event.changes(1)))
    params = {"partner_a.anxiety": 0.8, "partner_b.avoidance": 0.8}
    calls = []
    original = DyadModel.schedule_event

    def spy(self, function, *, at=None, after=None, **kw):
        calls.append(at)
        return original(self, function, at=at, after=after, **kw)

    monkeypatch.setattr(DyadModel, "schedule_event", spy)
    model = DyadModel(params, rng=5, timeline=course)
    assert calls == [19, 24, 29, 34]  # one step before each session day
    mesa = model.run(60).trajectory()
    plain = DyadModel(params, rng=5).run(60).trajectory()
    cols = plain.columns[1:]
    np.testing.assert_array_equal(plain[cols].iloc[:20], mesa[cols].iloc[:20])
    assert model.params["partner_b.withdrawal_gain"] < plain_gain(params)
    res = batch.run_batch(param_matrix(params), [5], 60, record_every=1,
                          timeline=course)
    np.testing.assert_allclose(res.trajectory(0).to_numpy(), mesa.to_numpy(), atol=1e-12)


def plain_gain(params):
    return make_params(params)["partner_b.withdrawal_gain"]


def test_strength_scales_a_therapy_and_zero_changes_nothing():
    def targets(strength):
        event = Event("therapy", 5, therapy="eft", partner="both", strength=strength)
        return plan_for(Timeline(tuple(event.changes(1))))

    zero, half, full = targets(0.0), targets(0.5), targets(1.0)
    np.testing.assert_array_equal(zero.targets, zero.bases)
    np.testing.assert_allclose(half.targets - half.bases, 0.5 * (full.targets - full.bases))
    assert len(full.names) == 2 * len(THERAPIES["eft"].effects)
