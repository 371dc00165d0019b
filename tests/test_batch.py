"""The batch engine equals the Mesa model, and a dyad's run does not depend on its company."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from dyadsim import batch, outcomes
from dyadsim.cli import main
from dyadsim.model import DyadModel
from dyadsim.params import param_matrix

TOLERANCE = 1e-9  # the contract: every state variable within 1e-9 for 500 steps
STEPS = 500

POINTS = {
    "default anxious-avoidant": {},
    "ambiguous episodes and outside stress": {
        "dyad.ambiguity": 0.6, "dyad.stress": 0.3, "dyad.noise": 0.25},
    "secure couple, lapses and reassurance": {
        "partner_a.anxiety": 0.1, "partner_a.avoidance": 0.1, "partner_b.anxiety": 0.2,
        "partner_b.avoidance": 0.1, "partner_b.lapse_rate": 0.3, "partner_b.reassurance": 0.4},
    "quick dissolution": {
        "partner_a.anxiety": 1.0, "partner_b.avoidance": 1.0, "dyad.dissolution_rate": 0.3},
    "fearful partner": {
        "partner_a.anxiety": 0.9, "partner_a.avoidance": 0.9, "partner_b.anxiety": 0.3,
        "partner_b.avoidance": 0.3, "dyad.ambiguity": 0.4},
}


def mesa_run(overrides: dict, seed: int) -> pd.DataFrame:
    return DyadModel(overrides, rng=seed).run(STEPS).trajectory()


def batch_run(overrides: dict, seed: int) -> pd.DataFrame:
    result = batch.run_batch(param_matrix(overrides), [seed], STEPS, record_every=1)
    return result.trajectory(0)


@pytest.mark.parametrize("name", list(POINTS))
def test_batch_trajectory_equals_mesa(name):
    overrides = POINTS[name]
    for seed in (11, 2026):
        ref, got = mesa_run(overrides, seed), batch_run(overrides, seed)
        assert list(got.columns) == list(ref.columns)
        assert len(got) == len(ref)
        diff = np.abs(got.to_numpy(float) - ref.to_numpy(float))
        worst = pd.Series(diff.max(axis=0), index=ref.columns).idxmax()
        assert diff.max() <= TOLERANCE, f"{name}, seed {seed}: {worst} differs by {diff.max()}"
        (got_class, got_metrics), (ref_class, ref_metrics) = map(outcomes.assess, (got, ref))
        assert got_class == ref_class
        assert got_metrics == pytest.approx(ref_metrics, abs=TOLERANCE, nan_ok=True)


def test_equality_points_exercise_ambiguity_stress_and_dissolution():
    ambiguous = batch_run(POINTS["ambiguous episodes and outside stress"], 11)
    assert ambiguous["partner_a.ambiguous"].mean() > 0.4
    assert batch_run(POINTS["secure couple, lapses and reassurance"], 11)[
        "partner_b.lapsed"].sum() > 50
    gone = [batch_run(POINTS["quick dissolution"], s) for s in (11, 2026)]
    assert all(t["dyad.dissolved"].iloc[-1] == 1.0 and len(t) < STEPS + 1 for t in gone)
    assert len(batch_run(POINTS["ambiguous episodes and outside stress"], 2026)) > 1


def random_matrix(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    traits = {f"{who}.{t}": rng.uniform(0, 1, n)
              for who in ("partner_a", "partner_b") for t in ("anxiety", "avoidance")}
    traits["dyad.ambiguity"] = rng.uniform(0, 0.5, n)
    traits["dyad.stress"] = rng.uniform(0, 0.3, n)
    return param_matrix(varying=traits)


def test_a_dyad_runs_the_same_alone_and_in_a_batch_of_100000():
    big = random_matrix(100_000, seed=1)
    seeds = np.arange(100_000, dtype=np.uint64) * 7919 + 5
    together = batch.run_batch(big, seeds, STEPS)
    for i in (0, 4_321, 77_777, 99_999):
        alone = batch.run_batch(big[i:i + 1], seeds[i:i + 1], STEPS)
        assert alone.outcome[0] == together.outcome[i]
        assert alone.last_step[0] == together.last_step[i]
        np.testing.assert_array_equal(alone.metrics[0], together.metrics[i])


def test_batch_size_and_threads_do_not_change_trajectories():
    matrix, seeds = random_matrix(200, seed=2), np.arange(200) + 10**12
    one_thread = batch.run_batch(matrix, seeds, STEPS, record_every=1, threads=1)
    two_threads = batch.run_batch(matrix, seeds, STEPS, record_every=1, threads=2)
    np.testing.assert_array_equal(one_thread.trajectories, two_threads.trajectories)
    tail = batch.run_batch(matrix[150:], seeds[150:], STEPS, record_every=1)
    np.testing.assert_array_equal(tail.trajectories, one_thread.trajectories[150:])


def _in_worker(args: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    result = batch.run_batch(args[0], args[1], STEPS)
    return result.outcome, result.metrics


def test_another_process_gives_identical_results():
    matrix, seeds = random_matrix(64, seed=3), np.arange(64) + 99
    here = batch.run_batch(matrix, seeds, STEPS)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        codes, metrics = pool.submit(_in_worker, (matrix, seeds)).result()
    np.testing.assert_array_equal(codes, here.outcome)
    np.testing.assert_array_equal(metrics, here.metrics)


def test_downsampled_trajectory_keeps_every_kth_step_and_the_end():
    overrides = POINTS["quick dissolution"]
    full = batch_run(overrides, 2026)
    thin = batch.run_batch(param_matrix(overrides), [2026], STEPS, record_every=10)
    frame = thin.trajectory(0)
    last = int(full["step"].iloc[-1])
    assert frame["step"].tolist() == [*range(0, last + 1, 10), *([last] if last % 10 else [])]
    expected = full.set_index("step").loc[frame["step"]].reset_index()
    np.testing.assert_array_equal(frame.to_numpy(), expected.to_numpy())


def test_run_batch_checks_shapes():
    with pytest.raises(ValueError, match="expected"):
        batch.run_batch(np.zeros((2, 3)), [1, 2], 10)


def test_cli_engines_write_the_same_trajectories(tmp_path, capsys):
    files = {}
    for engine in ("mesa", "batch"):
        files[engine] = tmp_path / f"{engine}.csv"
        args = ["run", "--engine", engine, "--reps", "6", "--steps", "300", "--seed", "8",
                "--workers", "1", "--out", str(files[engine]), "--trajectories", "1"]
        assert main(args) == 0
    mesa, fast = (pd.read_csv(files[e]) for e in ("mesa", "batch"))
    assert list(mesa.columns) == list(fast.columns) and mesa.shape == fast.shape
    assert np.abs(mesa.to_numpy(float) - fast.to_numpy(float)).max() <= TOLERANCE
