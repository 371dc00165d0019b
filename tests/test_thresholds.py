"""The classifier's thresholds as a value: checked, reproducing the defaults, and moving
classes in the direction their meaning says, on hand-built trajectories."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dyadsim import outcomes
from dyadsim.runner import run_replicates

N = 301  # step 0 and 300 steps: the final window is the last 120 steps (181..300)


def build(pw=0.0, act=0.2, closeness=0.5, n=N):
    """A trajectory whose pursue-withdraw signal is ``pw`` (A pursues, B withdraws)."""

    def full(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()

    root = np.sqrt(full(pw))
    zero = np.zeros(n)
    return {
        "dyad.closeness": full(closeness), "dyad.dissolved": zero,
        "partner_a.pursuit": root, "partner_a.withdrawal": zero,
        "partner_b.pursuit": zero, "partner_b.withdrawal": root,
        "partner_a.activation": full(act), "partner_b.activation": full(act),
        "partner_a.satisfaction": full(0.6), "partner_b.satisfaction": full(0.6),
    }


def three_waves(n=N):
    """pw = 0.64 on steps 190-209, 230-249 and 270-289, else 0: three waves, all inside the
    final window, covering half of it."""
    pw = np.zeros(n)
    for start in (190, 230, 270):
        pw[start:start + 20] = 0.64
    return pw


# --- validation -------------------------------------------------------------------------


def test_defaults_are_the_module_constants():
    th = outcomes.thresholds()
    assert np.array_equal(th, outcomes.THRESHOLDS)
    assert outcomes.threshold_dict(th) == {n: float(getattr(outcomes, n))
                                           for n in outcomes.THRESHOLD_NAMES}
    assert th is not outcomes.THRESHOLDS and th.flags.writeable
    assert not outcomes.THRESHOLDS.flags.writeable
    changed = outcomes.thresholds(PW_ON=0.3, CYCLING_EPISODES=4)
    assert outcomes.threshold_dict(changed)["PW_ON"] == 0.3
    assert outcomes.threshold_dict(changed)["CYCLING_EPISODES"] == 4.0
    assert np.array_equal(outcomes.thresholds(changed), changed)  # a vector as the base


@pytest.mark.parametrize(("changes", "words"), [
    ({"PW_ONN": 0.2}, ["'PW_ONN'", "unknown", "allowed: PW_ON, PW_OFF"]),
    ({"PW_ON": "high"}, ["PW_ON = 'high'", "not a number", "[0, 1]"]),
    ({"PW_ON": True}, ["PW_ON = True", "not a number"]),
    ({"ESCALATED_ACTIVATION": 1.5}, ["ESCALATED_ACTIVATION = 1.5", "[0, 1]"]),
    ({"DISTANT_CLOSENESS": -0.1}, ["DISTANT_CLOSENESS = -0.1", "[0, 1]"]),
    ({"WAVE_PEAK": float("nan")}, ["WAVE_PEAK = nan", "[0, 1]"]),
    ({"WINDOW": 0.0}, ["WINDOW = 0", "(0, 1]"]),
    ({"CYCLING_EPISODES": 0}, ["CYCLING_EPISODES = 0", "whole number >= 1"]),
    ({"MIN_GAP": 2.5}, ["MIN_GAP = 2.5", "whole number >= 1"]),
    ({"SUSTAIN_STEPS": float("inf")}, ["SUSTAIN_STEPS = inf", "whole number >= 1"]),
    ({"PW_ON": 0.05}, ["PW_OFF = 0.1", "above PW_ON = 0.05", "at most PW_ON"]),
    ({"PW_ON": 0.2, "PW_OFF": 0.25}, ["PW_OFF = 0.25", "at most PW_ON"]),
])
def test_bad_thresholds_get_one_line_naming_key_value_and_allowed(changes, words):
    with pytest.raises(ValueError) as err:
        outcomes.thresholds(**changes)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


def test_a_bad_vector_is_refused_wherever_thresholds_are_taken():
    traj = build(pw=0.5, act=0.8)
    with pytest.raises(ValueError, match="shape"):
        outcomes.assess(traj, np.zeros(3))
    bad = outcomes.THRESHOLDS.copy()
    bad[outcomes.THRESHOLD_NAMES.index("ESCALATED_SHARE")] = 2.0
    with pytest.raises(ValueError, match="ESCALATED_SHARE = 2"):
        outcomes.classify(traj, bad)
    with pytest.raises(ValueError, match="ESCALATED_SHARE = 2"):
        outcomes.waves(np.zeros(10), bad)
    x, gone = outcomes.series_matrix(traj)
    with pytest.raises(ValueError, match="ESCALATED_SHARE = 2"):
        outcomes.reclassify(x[None], np.array([gone]), bad)
    with pytest.raises(ValueError, match="series has shape"):
        outcomes.reclassify(x, np.array([gone]))
    with pytest.raises(ValueError, match="2 dissolved flags for 1 runs"):
        outcomes.reclassify(x[None], np.array([gone, gone]))


# --- defaults reproduce the classifier ------------------------------------------------------


@pytest.fixture(scope="module")
def recorded():
    """Four pairings, 6 replicates each, recorded at every step (some dissolve)."""
    varying = {"partner_a.anxiety": [0.1, 0.8, 0.2, 0.8],
               "partner_a.avoidance": [0.1, 0.2, 0.8, 0.8],
               "partner_b.anxiety": [0.1, 0.2, 0.2, 0.8],
               "partner_b.avoidance": [0.1, 0.8, 0.8, 0.8]}
    return run_replicates(reps=6, root_seed=11, steps=250, varying=varying, record_every=1)


def test_reclassify_with_defaults_is_the_engine_bit_for_bit(recorded):
    series, dissolved = outcomes.recorded_series(recorded)
    assert series.shape == (24, 251, len(outcomes.SERIES))
    assert np.array_equal(dissolved, ~np.isnan(recorded.metrics[:, -1]))
    for th in (None, outcomes.THRESHOLDS, outcomes.thresholds()):
        codes, metrics = outcomes.reclassify(series, dissolved, th)
        assert np.array_equal(codes, recorded.outcome)
        assert np.array_equal(metrics, recorded.metrics, equal_nan=True)
    for i in (0, 7, 23):
        label, values = outcomes.assess(recorded.trajectory(i), outcomes.thresholds())
        assert label == recorded.outcome_names()[i]
        assert np.array_equal(list(values.values()), recorded.metrics[i], equal_nan=True)


def test_reclassify_cuts_each_run_at_its_end_and_matches_assess():
    """Hand-built runs of different lengths (one dissolved, NaN after it) in one stack."""
    trajs = [build(pw=three_waves(), act=0.3), build(pw=0.5, act=0.8),
             build(pw=0.0, closeness=0.2)]
    trajs[1]["dyad.dissolved"][120] = 1.0
    mats = [outcomes.series_matrix(t) for t in trajs]
    stack = np.full((3, N, len(outcomes.SERIES)), np.nan)
    for i, (x, _) in enumerate(mats):
        stack[i, : x.shape[0]] = x
    gone = np.array([g for _, g in mats])
    for th in (outcomes.THRESHOLDS, outcomes.thresholds(CYCLING_EPISODES=4)):
        codes, metrics = outcomes.reclassify(stack, gone, th)
        for i, traj in enumerate(trajs):
            label, values = outcomes.assess(traj, th)
            assert outcomes.OUTCOMES[codes[i]] == label
            assert np.array_equal(metrics[i], list(values.values()), equal_nan=True)
    assert [outcomes.OUTCOMES[c] for c in outcomes.reclassify(stack, gone)[0]] == [
        "cycling", "dissolved", "distant"]


def test_recorded_series_needs_every_step():
    thin = run_replicates(reps=2, root_seed=1, steps=20, record_every=2)
    with pytest.raises(ValueError, match="every 2 steps; allowed: record_every=1"):
        outcomes.recorded_series(thin)


def test_thresholds_that_change_nothing_here_leave_the_class_and_metrics():
    traj = build(pw=three_waves(), act=0.3)
    ref = outcomes.assess(traj)
    same = outcomes.assess(traj, outcomes.thresholds(ESCALATED_ACTIVATION=0.9))
    assert same[0] == ref[0] == "cycling"
    assert same[1]["episodes"] == ref[1]["episodes"] == 3.0


# --- each threshold moves the class its own way ---------------------------------------------


def test_a_lower_pw_on_turns_a_steady_middling_signal_into_escalation():
    traj = build(pw=0.15, act=0.8)  # below the default PW_ON = 0.2 all run long
    assert outcomes.classify(traj) == "settled"
    assert math.isnan(outcomes.assess(traj)[1]["time_to_escalation"])
    low = outcomes.thresholds(PW_ON=0.1, PW_OFF=0.05)
    label, met = outcomes.assess(traj, low)
    assert label == "escalated" and met["time_to_escalation"] == 1.0
    assert met["trap_entered"] == 1.0
    # the threshold-free indices do not move
    ref = outcomes.assess(traj)[1]
    for name in ("pursue_withdraw_index", "mean_activation", "closeness", "satisfaction"):
        assert met[name] == ref[name]


def test_a_higher_pw_on_undoes_escalation():
    traj = build(pw=0.25, act=0.8)
    assert outcomes.classify(traj) == "escalated"
    assert outcomes.classify(traj, outcomes.thresholds(PW_ON=0.3, PW_OFF=0.15)) == "settled"


def test_escalated_activation_decides_a_trap_with_middling_distress():
    traj = build(pw=0.5, act=0.45)
    assert outcomes.classify(traj) != "escalated"
    assert outcomes.classify(traj, outcomes.thresholds(ESCALATED_ACTIVATION=0.4)) == "escalated"
    hot = build(pw=0.5, act=0.55)
    assert outcomes.classify(hot) == "escalated"
    assert outcomes.classify(hot, outcomes.thresholds(ESCALATED_ACTIVATION=0.6)) != "escalated"


def test_escalated_share_and_window_decide_how_much_of_the_end_must_be_trap():
    traj = build(pw=three_waves(), act=0.8)  # episodes cover half the final 120 steps
    assert outcomes.classify(traj) == "escalated"
    assert outcomes.classify(traj, outcomes.thresholds(ESCALATED_SHARE=0.6)) == "cycling"
    # the last 5% (15 steps, 286..300) hold only the tail of the third wave: 4 of 15 steps
    # and 1 wave, neither a locked-in trap nor recurring waves
    short = outcomes.thresholds(WINDOW=0.05, MIN_WINDOW_STEPS=1)
    assert outcomes.classify(traj, short) == "settled"


def test_distant_closeness_moves_a_calm_couple_between_settled_and_distant():
    traj = build(pw=0.0, closeness=0.35)
    assert outcomes.classify(traj) == "settled"
    assert outcomes.classify(traj, outcomes.thresholds(DISTANT_CLOSENESS=0.4)) == "distant"
    far = build(pw=0.0, closeness=0.25)
    assert outcomes.classify(far) == "distant"
    assert outcomes.classify(far, outcomes.thresholds(DISTANT_CLOSENESS=0.2)) == "settled"


@pytest.mark.parametrize(("needed", "expected"), [(1, "cycling"), (2, "cycling"),
                                                  (3, "cycling"), (4, "settled")])
def test_cycling_episodes_counts_the_waves_in_the_window(needed, expected):
    traj = build(pw=three_waves(), act=0.3)
    assert outcomes.classify(traj, outcomes.thresholds(CYCLING_EPISODES=needed)) == expected


def test_wave_rules_merge_and_drop_waves():
    pw = three_waves()[1:]
    assert len(outcomes.waves(pw)) == 3
    assert len(outcomes.waves(pw, outcomes.thresholds(MIN_GAP=25))) == 1  # gaps of 20 merge
    assert outcomes.waves(pw, outcomes.thresholds(MIN_EPISODE=21)) == []  # 20-step waves
    assert outcomes.waves(pw, outcomes.thresholds(WAVE_PEAK=0.7)) == []  # peak 0.64


def test_sustain_steps_sets_when_escalation_counts():
    pw = np.zeros(N)
    pw[50:65] = 0.5  # 15 steps at or above PW_ON
    traj = build(pw=pw)
    assert math.isnan(outcomes.assess(traj)[1]["time_to_escalation"])
    met = outcomes.assess(traj, outcomes.thresholds(SUSTAIN_STEPS=10))[1]
    assert met["time_to_escalation"] == 50.0
