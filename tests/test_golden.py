"""Golden digest: a few seeded runs on both engines against stored, full-precision values.

The digest (``tests/golden/trajectories.json``) holds, for each run below, the outcome
class, the last step, every metric, and every state column at every 25th step and the last
one, written with repr-exact floats. Both engines (the batch kernel via
``batch.run_batch(record_every=1)`` and Mesa's ``DyadModel``) must reproduce it within
``rtol=1e-9, atol=1e-12`` (the Mesa/batch equivalence contract is 1e-9 absolute; a real
model change moves values by far more).

The runs together touch every mechanism: lapses, reassurance, ambiguity, outside stress and
noise (the secure pair), the default anxious-avoidant couple, Model 2.0's contingent
reassurance, life events, repairs and person-level deviations, a scenario timeline with a
therapy course (written inline, not read from the library), and dissolution.

When the model changes on purpose, regenerate and say so in the commit message::

    PYTHONPATH=$PWD python -m tests.test_golden --update

(see ``tests/golden/README.md``).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dyadsim import batch, outcomes, scenario
from dyadsim.model import DyadModel
from dyadsim.params import param_matrix

GOLDEN = Path(__file__).parent / "golden" / "trajectories.json"
EVERY = 25
RTOL, ATOL = 1e-9, 1e-12
UPDATE_HINT = ("if the model changed on purpose, regenerate with "
               "`PYTHONPATH=$PWD python -m tests.test_golden --update` and say why in the "
               "commit message (tests/golden/README.md)")

# A therapy course on a timeline, written here so that the digest does not move when the
# scenario library is edited (the library's files are checked by test_scenario_files.py).
THERAPY_TOML = """
title = "golden: EFT half-way through a year"
summary = "A fixed therapy course for the golden digest."
description = "An anxious partner, an avoidant partner, and EFT from day 180."

[partner_a]
anxiety = 0.8
avoidance = 0.2

[partner_b]
anxiety = 0.2
avoidance = 0.8

[run]
steps = 365
seed = 8

[[events]]
kind = "therapy"
label = "EFT"
step = 180
sessions = 12
every = 7
therapy = "eft"
partner = "both"
"""

RUNS: dict[str, dict[str, Any]] = {
    "default anxious-avoidant, a year (escalates)": {"params": {}, "seed": 8, "steps": 365},
    "secure pair with lapses, reassurance, ambiguity, stress and noise": {
        "params": {
            "partner_a.anxiety": 0.1, "partner_a.avoidance": 0.1, "partner_b.anxiety": 0.2,
            "partner_b.avoidance": 0.1, "partner_b.lapse_rate": 0.3,
            "partner_b.reassurance": 0.4, "dyad.ambiguity": 0.3, "dyad.stress": 0.2,
            "dyad.noise": 0.2},
        "seed": 1, "steps": 365},
    "contingent reassurance, frequent life events, repairs, people who differ": {
        "params": {"partner_b.contingent_reassurance": 0.4, "dyad.life_event_rate": 0.05,
                   "dyad.individuality": 0.3},
        "seed": 3, "steps": 365},
    "inline scenario: EFT course at day 180 (timeline, 12 weekly sessions)": {
        "toml": THERAPY_TOML},
    "quick dissolution": {
        "params": {"partner_a.anxiety": 1.0, "partner_b.avoidance": 1.0,
                   "dyad.dissolution_rate": 0.3},
        "seed": 1, "steps": 365},
}


def _setup(spec: dict[str, Any]) -> tuple[dict[str, Any], int, int, Any]:
    """A run's parameters, seed, steps and timeline (``None`` without a scenario)."""
    if "toml" in spec:
        found = scenario.loads(spec["toml"], "golden")
        return dict(found.params), found.seed, found.steps, found.timeline()
    return dict(spec["params"]), spec["seed"], spec["steps"], None


def _digest(traj: pd.DataFrame, outcome: str, metrics: dict[str, float]) -> dict[str, Any]:
    last = int(traj["step"].iloc[-1])
    keep = [s for s in range(0, last + 1, EVERY)] + ([last] if last % EVERY else [])
    rows = traj.set_index("step").loc[keep]
    return {
        "outcome": outcome,
        "last_step": last,
        "metrics": {k: (None if math.isnan(v) else float(v)) for k, v in metrics.items()},
        "steps": keep,
        "state": {col: [float(v) for v in rows[col]] for col in rows.columns},
    }


def run_batch(spec: dict[str, Any]) -> dict[str, Any]:
    """The digest of one run on the batch engine."""
    params, seed, steps, timeline = _setup(spec)
    result = batch.run_batch(param_matrix(params), [seed], steps, record_every=1,
                             timeline=timeline, explicit=set(params) - {"run.seed"})
    metrics = dict(zip(outcomes.METRIC_NAMES, result.metrics[0].tolist(), strict=True))
    return _digest(result.trajectory(0), result.outcome_names()[0], metrics)


def run_mesa(spec: dict[str, Any]) -> dict[str, Any]:
    """The digest of one run on the Mesa engine."""
    params, seed, steps, timeline = _setup(spec)
    traj = DyadModel(params, rng=seed, timeline=timeline).run(steps).trajectory()
    outcome, metrics = outcomes.assess(traj)
    return _digest(traj, outcome, metrics)


def _stored() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())


def _compare(name: str, engine: str, got: dict[str, Any], want: dict[str, Any]) -> None:
    where = f"golden {name!r} on the {engine} engine"
    assert got["outcome"] == want["outcome"], (
        f"{where}: outcome {got['outcome']} != stored {want['outcome']}; {UPDATE_HINT}")
    assert got["last_step"] == want["last_step"], (
        f"{where}: last step {got['last_step']} != stored {want['last_step']}; {UPDATE_HINT}")
    assert got["steps"] == want["steps"], f"{where}: sampled steps differ; {UPDATE_HINT}"
    assert set(got["metrics"]) == set(want["metrics"]), (
        f"{where}: metric names {sorted(got['metrics'])} != stored; {UPDATE_HINT}")
    for key, value in want["metrics"].items():
        mine = got["metrics"][key]
        ok = (mine is None and value is None) or (
            mine is not None and value is not None
            and math.isclose(mine, value, rel_tol=RTOL, abs_tol=ATOL))
        assert ok, f"{where}: metric {key} = {mine!r}, stored {value!r}; {UPDATE_HINT}"
    assert set(got["state"]) == set(want["state"]), (
        f"{where}: state columns {sorted(set(got['state']) ^ set(want['state']))} differ "
        f"from the stored ones; {UPDATE_HINT}")
    for col, values in want["state"].items():
        mine, stored = np.array(got["state"][col]), np.array(values)
        bad = ~np.isclose(mine, stored, rtol=RTOL, atol=ATOL)
        if bad.any():
            k = int(np.argmax(bad))
            pytest.fail(f"{where}: {col} at step {want['steps'][k]} is {float(mine[k])!r}, stored "
                        f"{float(stored[k])!r} ({int(bad.sum())} of {bad.size} samples differ); "
                        f"{UPDATE_HINT}")


def test_golden_file_matches_the_runs_defined_here():
    stored = _stored()
    assert list(stored["runs"]) == list(RUNS), f"run names differ; {UPDATE_HINT}"
    for name, spec in RUNS.items():
        assert stored["runs"][name]["spec"] == spec, f"{name}: spec changed; {UPDATE_HINT}"
    assert stored["every"] == EVERY


def test_golden_runs_cover_every_outcome_path_they_claim():
    stored = _stored()["runs"]
    outcomes_seen = {run["outcome"] for run in stored.values()}
    assert {"escalated", "settled", "dissolved"} <= outcomes_seen
    eft = stored["inline scenario: EFT course at day 180 (timeline, 12 weekly sessions)"]
    untreated = stored["default anxious-avoidant, a year (escalates)"]  # the same couple, seed
    assert eft["last_step"] == 365 and eft["outcome"] == "settled"
    assert untreated["outcome"] == "escalated"
    secure = stored["secure pair with lapses, reassurance, ambiguity, stress and noise"]
    assert max(secure["state"]["partner_b.lapsed"]) == 1.0
    assert max(secure["state"]["partner_a.ambiguous"]) == 1.0
    new = stored["contingent reassurance, frequent life events, repairs, people who differ"]
    load = np.array(new["state"]["partner_a.load"] + new["state"]["partner_b.load"])
    assert load.max() > 0.0
    assert max(new["state"]["partner_a.detachment"] + new["state"]["partner_b.detachment"]) > 0
    assert stored["quick dissolution"]["last_step"] < 365


@pytest.mark.parametrize("engine", ["batch", "mesa"])
@pytest.mark.parametrize("name", list(RUNS))
def test_engine_reproduces_the_golden_digest(name, engine):
    """Both engines reproduce the stored digest within rtol 1e-9, atol 1e-12."""
    want = _stored()["runs"][name]
    got = (run_batch if engine == "batch" else run_mesa)(RUNS[name])
    _compare(name, engine, got, want)


def update() -> None:
    """Rewrite the golden file from the batch engine, after checking Mesa agrees with it."""
    runs = {}
    for name, spec in RUNS.items():
        digest = run_batch(spec)
        _compare(name, "mesa", run_mesa(spec), digest)
        runs[name] = {"spec": spec, **digest}
    payload = {"every": EVERY, "rtol": RTOL, "atol": ATOL, "runs": runs}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n")
    print(f"wrote {GOLDEN} ({len(runs)} runs)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: PYTHONPATH=$PWD python -m tests.test_golden --update")
    update()
