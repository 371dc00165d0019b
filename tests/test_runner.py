"""The one runner and the one summary: engines, designs, recording, intervals."""

import numpy as np
import pytest

from dyadsim import outcomes
from dyadsim.runner import run_replicates
from dyadsim.stats import mean_interval, wilson
from dyadsim.summary import share_of, summarize

SETTINGS = {"partner_a.anxiety": 0.8, "partner_b.avoidance": 0.7, "run.steps": 150}


def test_both_engines_give_the_same_replicates():
    fast = run_replicates(SETTINGS, reps=4, root_seed=5, record_every=10)
    slow = run_replicates(SETTINGS, reps=4, root_seed=5, record_every=10, engine="mesa")
    assert list(fast.seeds) == list(slow.seeds)
    assert list(fast.outcome) == list(slow.outcome)
    assert np.array_equal(fast.last_step, slow.last_step)
    assert np.allclose(fast.metrics, slow.metrics, rtol=0, atol=1e-9, equal_nan=True)
    assert np.allclose(fast.trajectories, slow.trajectories, rtol=0, atol=1e-9,
                       equal_nan=True)


def test_a_design_point_runs_every_replicate_seed():
    """Common random numbers: replicate r has the same seed at every point."""
    res = run_replicates(SETTINGS, reps=3, root_seed=9,
                         varying={"partner_b.avoidance": [0.2, 0.9]})
    assert res.outcome.shape == (6,)
    assert list(res.seeds[:3]) == list(res.seeds[3:])
    alone = run_replicates({**SETTINGS, "partner_b.avoidance": 0.9}, reps=3, root_seed=9)
    assert np.array_equal(res.metrics[3:], alone.metrics, equal_nan=True)


def test_nothing_per_step_is_kept_unless_asked():
    res = run_replicates(SETTINGS, reps=5, root_seed=1)
    assert res.trajectories is None
    with pytest.raises(ValueError, match="record"):
        res.trajectory(0)


def test_summary_equals_the_interval_functions_point_by_point():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, len(outcomes.OUTCOMES), size=60).astype(np.int8)
    metrics = rng.normal(size=(60, len(outcomes.METRIC_NAMES)))
    metrics[::7, 5] = np.nan  # a metric some runs do not have
    s = summarize(codes, metrics, points=3)
    for i in range(3):
        block, mblock = codes[20 * i:20 * (i + 1)], metrics[20 * i:20 * (i + 1)]
        for k, name in enumerate(outcomes.OUTCOMES):
            count = int((block == k).sum())
            assert s.shares[name][i] == count / 20
            assert (s.share_low[name][i], s.share_high[name][i]) == pytest.approx(
                wilson(count, 20), abs=1e-12)
        trap = sum(int((block == outcomes.OUTCOMES.index(o)).sum())
                   for o in outcomes.TRAP_OUTCOMES)
        assert s.shares["trap"][i] == trap / 20
        for j, name in enumerate(outcomes.METRIC_NAMES):
            mean, low, high, used = mean_interval(mblock[:, j].tolist())
            assert s.mean[name][i] == pytest.approx(mean, abs=1e-12)
            assert (s.mean_low[name][i], s.mean_high[name][i]) == pytest.approx(
                (low, high), abs=1e-12)
            assert s.mean_n[name][i] == used


def test_share_of_a_yes_no_property():
    hits = np.array([1, 0, 0, 1, 1, 1, 0, 0])
    share, low, high = share_of(hits, points=2)
    assert list(share) == [0.5, 0.5]
    assert (low[0], high[0]) == pytest.approx(wilson(2, 4), abs=1e-12)


@pytest.mark.parametrize("points", [0, 7])
def test_runs_that_do_not_split_into_points_are_refused(points):
    with pytest.raises(ValueError, match=f"points = {points}"):
        summarize(np.zeros(12, dtype=np.int8), points=points)
    with pytest.raises(ValueError, match=f"points = {points}"):
        share_of(np.zeros(12), points=points)


def test_trajectories_that_cannot_fit_are_refused_before_running():
    with pytest.raises(ValueError, match="runs x"):
        run_replicates({"run.steps": 100_000}, reps=100_000, record_every=1)
