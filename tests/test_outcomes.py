"""The classifier and metrics on hand-built trajectories."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dyadsim import outcomes

T = 501


def build(pa=0.0, wa=0.0, pb=0.0, wb=0.0, act=0.1, closeness=0.5, dissolved_at=None, n=T):
    def full(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()

    traj = {
        "step": np.arange(n),
        "dyad.closeness": full(closeness),
        "dyad.dissolved": np.zeros(n),
        "partner_a.pursuit": full(pa), "partner_a.withdrawal": full(wa),
        "partner_b.pursuit": full(pb), "partner_b.withdrawal": full(wb),
        "partner_a.activation": full(act), "partner_b.activation": full(act),
        "partner_a.satisfaction": full(0.7), "partner_b.satisfaction": full(0.7),
    }
    if dissolved_at is not None:
        for k, v in traj.items():
            traj[k] = v[: dissolved_at + 1]
        traj["dyad.dissolved"][-1] = 1.0
    return traj


def waves(period=60, on=25, high=0.8, n=T):
    t = np.arange(n)
    return np.where((t % period) < on, high, 0.0)


def test_calm_couple_is_settled():
    assert outcomes.classify(build(pa=0.05, wb=0.05, act=0.1)) == "settled"


def test_locked_in_trap_is_escalated():
    traj = build(pa=0.8, wb=0.9, act=0.8)
    assert outcomes.classify(traj) == "escalated"
    assert outcomes.time_to_escalation(traj) == 1.0
    assert outcomes.episodes(traj) == 1.0


def test_trap_without_distress_is_not_escalated():
    assert outcomes.classify(build(pa=0.8, wb=0.9, act=0.2)) != "escalated"


def test_recurring_waves_are_cycling():
    traj = build(pa=waves(), wb=waves(), act=0.6)
    assert outcomes.classify(traj) == "cycling"
    # The metrics read steps 1..T-1 (step 0 is the initial state). pw = 0.8 * 0.8 on the
    # first 25 steps of every 60, so the waves are those blocks cut to [1, T): the first
    # loses step 0, the last is cut by the end of the run.
    blocks = [(max(s, 1), min(s + 25, T)) for s in range(0, T, 60)]
    assert len(blocks) == 9 and blocks[0] == (1, 25) and blocks[-1] == (480, 501)
    assert outcomes.episodes(traj) == len(blocks)
    assert outcomes.episode_length(traj) == sum(e - s for s, e in blocks) / len(blocks)


def test_noise_flicker_near_threshold_is_not_cycling():
    rng = np.random.default_rng(0)
    pw = 0.15 + 0.04 * rng.standard_normal(T)  # crosses PW_ON now and then, never a wave
    traj = build(pa=np.sqrt(np.clip(pw, 0, 1)), wb=np.sqrt(np.clip(pw, 0, 1)), act=0.3)
    assert outcomes.classify(traj) != "cycling"


def test_short_gaps_merge_into_one_wave():
    pw = np.zeros(100)
    pw[10:30] = 0.5
    pw[32:50] = 0.5  # 2-step gap: same wave
    pw[70:72] = 0.9  # too short to count
    assert outcomes.waves(pw) == [(10, 50)]


def test_low_closeness_without_conflict_is_distant():
    assert outcomes.classify(build(wa=0.4, wb=0.4, act=0.1, closeness=0.15)) == "distant"


def test_dissolution_wins_and_metrics_stop_there():
    traj = build(pa=0.8, wb=0.9, act=0.8, dissolved_at=120)
    assert outcomes.classify(traj) == "dissolved"
    assert outcomes.dissolved_at(traj) == 120.0
    assert outcomes.mean_activation(traj) == pytest.approx(0.8)


def test_metrics_cover_every_name_and_flag_missing_with_nan():
    m = outcomes.metrics(build())
    assert set(m) == set(outcomes.METRICS)
    assert math.isnan(m["time_to_escalation"]) and math.isnan(m["episode_length"])
    assert m["pursue_withdraw_index"] == 0.0 and m["closeness"] == pytest.approx(0.5)


def _same(a: tuple[str, dict[str, float]], b: tuple[str, dict[str, float]]) -> bool:
    """Equal class and metrics, NaN equal to NaN."""
    return a[0] == b[0] and a[1].keys() == b[1].keys() and all(
        (math.isnan(x) and math.isnan(b[1][k])) or x == b[1][k] for k, x in a[1].items())


def test_classifier_reads_only_the_trajectory(default_run):
    """Class and metrics depend on the outcome series and nothing else: not on the other
    state columns, traits, seed, metadata, index or column order; changing a series that
    the classifier reads changes its result."""
    ref = outcomes.assess(default_run)
    read = [*outcomes.SERIES, "dyad.dissolved"]
    rng = np.random.default_rng(3)
    other = default_run.copy()
    for col in other.columns.difference(read):
        other[col] = rng.uniform(0, 1, len(other))  # trust, fatigue, threat, step, ...
    other["partner_a.anxiety"] = 0.0
    other["run.seed"] = 999
    other.attrs["params"] = {"partner_b.avoidance": 0.1}
    other.index = other.index + 1000
    other = other[other.columns[::-1]]
    assert _same(outcomes.assess(other), ref)
    bare = {name: default_run[name].to_numpy() for name in read}
    assert _same(outcomes.assess(bare), ref)

    assert ref[0] == "dissolved" and ref[1]["dissolved_at"] > 60  # (seed 1 leaves at 123)
    earlier = default_run.copy()
    earlier.loc[60, "dyad.dissolved"] = 1.0
    cls, met = outcomes.assess(earlier)
    assert cls == "dissolved" and met["dissolved_at"] == 60.0
    assert met["mean_activation"] != ref[1]["mean_activation"]
    calm = {**bare, "partner_a.pursuit": np.zeros(len(default_run)),
            "partner_b.pursuit": np.zeros(len(default_run)),
            "dyad.dissolved": np.zeros(len(default_run))}
    cls, met = outcomes.assess(calm)
    assert cls in ("settled", "distant")
    assert met["pursue_withdraw_index"] == 0.0 and met["episodes"] == 0.0
    assert math.isnan(met["dissolved_at"]) and met["trap_entered"] == 0.0
