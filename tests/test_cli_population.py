"""``dyadsim population``: JSON summary, Parquet output with provenance, resume, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dyadsim.cli import main

BASE = ["population", "--people", "60", "--years", "2", "--town-size", "30", "--origin",
        "uniform", "--seed", "3"]


def test_json_is_one_object_with_the_summary(capsys):
    assert main([*BASE, "--json", "--set", "life.familiarity_bias=0",
                 "--set", "dyad.stress=0.1"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    d = json.loads(out[0])
    assert d["n"] == 60 and d["seed"] == 3
    assert d["params"]["life.familiarity_bias"] == 0.0 and d["params"]["dyad.stress"] == 0.1
    obs = d["pairing"]["observed"]
    assert set(obs) == {"secure", "anxious", "avoidant", "fearful"}
    assert abs(sum(sum(row.values()) for row in obs.values()) - 1) < 1e-3
    assert d["relationships_per_life"] > 0
    assert d["earned_security"] is None or 0 <= d["earned_security"] <= 1


def test_out_writes_tidy_parquet_with_provenance_and_resumes(tmp_path, capsys):
    out = tmp_path / "pop"
    assert main([*BASE, "--out", str(out)]) == 0
    people = pd.read_parquet(out / "people")
    rel = pd.read_parquet(out / "relationships")
    traits = pd.read_parquet(out / "traits")
    assert len(people) == 60 and len(traits) == 60 * 3 and len(rel) > 0
    prov = json.loads((out / "population.json").read_text())
    assert prov["identity"]["seed"] == 3 and "version" in prov["identity"]
    assert prov["identity"]["life"]["life.familiarity_bias"] == 2.0
    first = (out / "relationships" / "town-00001.parquet").read_bytes()
    (out / "done" / "town-00001.json").unlink()
    assert main([*BASE, "--out", str(out)]) == 0
    assert (out / "relationships" / "town-00001.parquet").read_bytes() == first
    assert main([*BASE, "--seed", "4", "--out", str(out)]) == 2
    assert "different population" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "words"), [
    (["--set", "partner_a.anxiety=0.3"], ["partner_a.anxiety", "allowed"]),
    (["--set", "life.wound=2"], ["life.wound", "'2'", "[0, 1]"]),
    (["--set", "life.wond=0.2"], ["life.wond", "life.wound"]),
    (["--set", "life.wound"], ["KEY=VALUE"]),
    (["--years", "81"], ["--years 81", "1 to 80"]),
    (["--people", "2000001"], ["--people 2000001", "2,000,000"]),
    (["--people", "0"], ["--people", "0"]),
    (["--seed", "-1"], ["--seed -1", "allowed"]),
])
def test_bad_values_get_one_line_and_exit_2(args, words, capsys):
    assert main(["population", "--origin", "uniform", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    for word in words:
        assert word in err[0]


def test_a_population_killed_mid_run_resumes_to_the_same_bytes(tmp_path):
    """``kill -9`` while towns are being written; the same command then finishes the run.

    The folder must end byte for byte as an uninterrupted run's, and the killed run must
    have left at least one town done and at least one not (else nothing was tested).
    """
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    args = ["population", "--people", "4000", "--years", "8", "--town-size", "500",
            "--origin", "uniform", "--seed", "5"]

    def command(out: Path) -> list[str]:
        return [sys.executable, "-m", "dyadsim.cli", *args, "--out", str(out)]

    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    killed = tmp_path / "killed"
    proc = subprocess.Popen(command(killed), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((killed / "done").glob("*.json"))) >= 1:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    done_at_kill = len(list((killed / "done").glob("*.json")))
    assert 1 <= done_at_kill < 8, done_at_kill
    assert subprocess.run(command(killed), env=env, capture_output=True, timeout=300
                          ).returncode == 0
    whole = tmp_path / "whole"
    assert subprocess.run(command(whole), env=env, capture_output=True, timeout=300
                          ).returncode == 0

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(killed).keys() == files(whole).keys()
    assert files(killed) == files(whole)
