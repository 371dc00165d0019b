"""Sweeps: designs, tidy output, identical results on every backend, resuming after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dyadsim import outcomes, sweep
from dyadsim.cli import main
from dyadsim.params import REGISTRY, ParamError
from dyadsim.runner import run_replicates

AXES = {"partner_a.anxiety": (0.0, 1.0, 5), "partner_b.avoidance": (0.2, 0.8, 3)}


def small(**kw):
    return sweep.sweep(AXES, reps=8, steps=300, root_seed=5, chunk_runs=24, **kw)


def test_grid_sweep_tables_are_tidy_and_complete(tmp_path):
    res = small(out=tmp_path / "s")
    runs, summary = res.runs, res.summary
    assert len(runs) == 15 * 8 and len(summary) == 15
    assert {"point", "replicate", "seed", "outcome", *REGISTRY,
            *outcomes.METRIC_NAMES} <= set(runs.columns)
    assert set(runs["outcome"]) <= set(outcomes.OUTCOMES)
    assert sorted(summary["partner_a.anxiety"].unique()) == [0.0, 0.25, 0.5, 0.75, 1.0]
    shares = summary[list(outcomes.OUTCOMES)].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    assert (summary["trap_ci_low"] <= summary["trap"]).all()
    assert (summary["trap"] <= summary["trap_ci_high"]).all()
    prov = json.loads((tmp_path / "s" / "provenance.json").read_text())
    assert prov["root_seed"] == 5 and prov["n_runs"] == 120 and prov["dyadsim"]
    assert prov["start"] <= prov["end"] and prov["design"]["kind"] == "grid"
    assert not (tmp_path / "s" / "parts").exists()


def test_a_sweep_cell_equals_dyadsim_run_at_that_point():
    res = small()
    cell = res.summary.iloc[13]  # anxiety 1.0, avoidance 0.5
    point = {"partner_a.anxiety": cell["partner_a.anxiety"],
             "partner_b.avoidance": cell["partner_b.avoidance"], "run.steps": 300}
    expected = run_replicates(point, reps=8, root_seed=5, engine="mesa").summary()
    for name in outcomes.OUTCOMES:
        assert cell[name] == pytest.approx(expected.shares[name][0])
    assert cell["satisfaction_mean"] == pytest.approx(expected.mean["satisfaction"][0],
                                                      abs=1e-9)


def test_results_do_not_depend_on_chunks_or_processes(tmp_path):
    one = small()
    many = sweep.sweep(AXES, reps=8, steps=300, root_seed=5, chunk_runs=1000)
    procs = small(out=tmp_path / "p", processes=2)
    pd.testing.assert_frame_equal(one.runs, many.runs)
    pd.testing.assert_frame_equal(one.runs, procs.runs)
    pd.testing.assert_frame_equal(one.summary, procs.summary)


def test_dask_cluster_gives_identical_results():
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = small(scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_dask.runs, small().runs)


def test_lhs_and_sobol_designs_fill_their_bounds():
    bounds = {"partner_a.anxiety": (0.2, 0.9), "dyad.noise": (0.0, 0.3)}
    for design, n in (("lhs", 20), ("sobol", 16)):
        res = sweep.sweep(bounds=bounds, design=design, points=n, reps=2, steps=100)
        pts = res.summary[list(bounds)]
        assert len(pts) == n
        for name, (lo, hi) in bounds.items():
            assert pts[name].between(lo, hi).all()
            # each of n equal strata of the range holds one point (LHS) or is close (Sobol)
            strata = np.floor((pts[name] - lo) / (hi - lo) * n).clip(0, n - 1)
            assert strata.nunique() >= (n if design == "lhs" else n * 0.6)
    first, again = (sweep.sweep(bounds=bounds, design="lhs", points=20, reps=2, steps=100)
                    for _ in range(2))
    pd.testing.assert_frame_equal(first.summary, again.summary)


def test_downsampled_trajectories_on_request(tmp_path):
    sweep.sweep({"partner_a.anxiety": (0.2, 0.8, 2)}, reps=3, steps=100, out=tmp_path / "t",
                trajectory_every=25)
    traj = pd.read_parquet(tmp_path / "t" / "trajectories.parquet")
    assert set(traj["step"]) <= {0, 25, 50, 75, 100} | set(range(101))
    assert traj.groupby(["point", "replicate"]).size().max() == 5


@pytest.mark.parametrize(("args", "words"), [
    (["--axis", "partner_a.anxiety=0:2:5"], ["partner_a.anxiety", "2", "[0, 1]"]),
    (["--axis", "partner_a.anxeity=0:1:5"], ["partner_a.anxeity", "did you mean"]),
    (["--axis", "partner_a.anxiety=0:1"], ["LOW:HIGH:COUNT"]),
    (["--axis", "run.steps=10:20:2"], ["run.steps", "cannot be swept"]),
    (["--design", "sobol", "--bound", "dyad.noise=0:0.3", "--points", "10"], ["power of two"]),
    (["--design", "lhs", "--bound", "dyad.noise=0.3:0.1", "--points", "8"], ["LOW < HIGH"]),
    (["--axis", "partner_a.anxiety=0:1:3", "--set", "partner_a.anxiety=0.5"],
     ["both fixed", "swept"]),
])
def test_bad_sweeps_get_one_line_errors(tmp_path, capsys, args, words):
    assert main(["sweep", *args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    assert not (tmp_path / "x" / "runs.parquet").exists()


def test_a_different_sweep_does_not_overwrite_a_folder(tmp_path, capsys):
    small(out=tmp_path / "s")
    before = (tmp_path / "s" / "runs.parquet").read_bytes()
    assert main(["sweep", "--axis", "partner_a.anxiety=0:1:3", "--reps", "2",
                 "--out", str(tmp_path / "s")]) == 2
    assert "different" in capsys.readouterr().err
    assert (tmp_path / "s" / "runs.parquet").read_bytes() == before


def test_api_errors_name_the_problem():
    with pytest.raises(ParamError, match=r"dyad\.noise"):
        sweep.sweep(bounds={"dyad.noise": (0, 5)}, design="lhs", points=4)
    with pytest.raises(sweep.SweepError, match="--points"):
        sweep.sweep(bounds={"dyad.noise": (0, 0.2)}, design="lhs")


# --- Interrupt and resume, with a real process -----------------------------------------------

SWEEP = ["sweep", "--axis", "partner_a.anxiety=0:1:21", "--axis", "partner_b.avoidance=0:1:11",
         "--reps", "10", "--steps", "4000", "--seed", "3", "--chunk-runs", "100",
         "--no-progress"]


def _cli(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "dyadsim.cli", *args]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_sweep_resumes_to_the_uninterrupted_result(tmp_path, sig):
    out = tmp_path / "resumed"
    parts = out / "parts"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    proc = subprocess.Popen(_cli([*SWEEP, "--out", str(out)]), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and len(list(parts.glob("runs-*.parquet"))) >= 2:
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"sweep ended before it could be interrupted: {proc.stderr}"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    done_before = len(list(parts.glob("runs-*.parquet")))
    n_chunks = -(-231 // 10)  # 231 points, 10 per chunk
    assert 2 <= done_before < n_chunks, f"{done_before} of {n_chunks} chunks done at the kill"
    assert not (out / "runs.parquet").exists()
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "run the same command again" in err
    else:  # and a finished part damaged since: it is run again, never trusted
        first = parts / "runs-000000.parquet"
        first.write_bytes(first.read_bytes()[:-100])
    resumed = subprocess.run(_cli([*SWEEP, "--out", str(out)]), env=env, capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    if sig == signal.SIGKILL:
        assert f"warning: {parts / 'runs-000000.parquet'} is truncated" in resumed.stderr
    assert not list(out.rglob(".*.tmp")) and not (out / ".lock").exists()
    fresh = tmp_path / "fresh"
    assert main([*SWEEP, "--out", str(fresh)]) == 0
    for table in ("runs.parquet", "summary.parquet"):
        a, b = pd.read_parquet(out / table), pd.read_parquet(fresh / table)
        pd.testing.assert_frame_equal(a, b)
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2310 and not runs.duplicated(["point", "replicate"]).any()
    prov = json.loads((out / "provenance.json").read_text())
    assert len(prov["sessions"]) == 2


def test_rerunning_a_finished_sweep_changes_nothing(tmp_path):
    small(out=tmp_path / "s")
    before = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    small(out=tmp_path / "s")
    after = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    assert before == after


def test_cli_prints_a_summary(tmp_path, capsys):
    assert main(["sweep", "--axis", "partner_a.anxiety=0:1:3", "--reps", "4", "--steps", "50",
                 "--out", str(tmp_path / "c"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "3 points x 4 replicates = 12 runs" in out and "summary.csv" in out
    assert main(["sweep", "--axis", "partner_a.anxiety=0:1:3", "--reps", "4", "--steps", "50",
                 "--out", str(tmp_path / "c"), "--no-progress"]) == 0
    assert "already holds this finished sweep" in capsys.readouterr().out
    assert Path(tmp_path / "c" / "summary.csv").exists()


def test_python_api_returns_dataframes():
    from dyadsim.api import sensitivity, simulate
    from dyadsim.api import sweep as api_sweep

    runs = simulate({"partner_a.anxiety": 0.9}, reps=6, seed=1, steps=200)
    assert isinstance(runs, pd.DataFrame) and len(runs) == 6
    mesa = simulate({"partner_a.anxiety": 0.9}, reps=6, seed=1, steps=200, engine="mesa")
    pd.testing.assert_frame_equal(runs, mesa, atol=1e-9)
    traj = simulate(reps=2, steps=50, trajectories=True)
    assert {"replicate", "step", "partner_a.pursuit"} <= set(traj.columns)
    assert isinstance(api_sweep({"dyad.noise": (0, 0.2, 2)}, reps=2, steps=50).summary,
                      pd.DataFrame)
    assert callable(sensitivity)
