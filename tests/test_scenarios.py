"""The scenario library: every scenario shows what its [expect] table claims, on both engines.

Each library file states its own checks and tolerances (see docs/SCENARIOS.md for what a
check means); this test runs them with the file's replicates and seeds, so a change to the
rules that breaks a lesson fails here, naming the scenario and the check.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from dyadsim import cli, expectations
from dyadsim.outcomes import OUTCOMES
from dyadsim.runner import run_replicates
from dyadsim.scenario import LIBRARY, find, library

SCENARIOS = library()
NAMES = [s.name for s in SCENARIOS]

REQUIRED = {  # the dynamics the issue asks the library to cover
    "anxious_avoidant_trap", "secure_base", "secure_secure", "avoidant_avoidant",
    "anxious_anxious", "fearful_push_pull", "delayed_text", "antidote", "burnout_breakup",
    "intermittent_reinforcement", "therapy_eft", "therapy_cbt", "therapy_mindfulness",
    "therapy_emdr", "therapy_secure_practice", "earned_security", "softening",
    "stable_unhappy",
}


def test_the_library_covers_every_required_dynamic():
    assert REQUIRED <= set(NAMES), REQUIRED - set(NAMES)
    for s in SCENARIOS:
        assert s.expect is not None, f"{s.name} states no [expect]"
        assert len(s.description.split()) >= 40, f"{s.name}: description too short"
        assert "watch" in s.description.lower(), f"{s.name}: say what to watch for"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=NAMES)
def test_scenario_shows_what_it_claims(scenario):
    results = expectations.evaluate(scenario)
    failed = [r.line() for r in results if not r.passed]
    assert not failed, f"{scenario.name}: " + "; ".join(failed)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=NAMES)
def test_both_engines_give_the_same_runs(scenario):
    seeds = expectations.seeds_for(scenario, 2)
    batch = expectations.run(scenario, 2)
    mesa = run_replicates(scenario=scenario, reps=2, engine="mesa", record_every=1)
    assert list(mesa.seeds) == seeds
    assert list(mesa.outcome) == list(batch.outcome)
    for i in range(2):
        rows = batch.trajectories[i]
        rows = rows[~np.isnan(rows[:, 0])]
        mesa_rows = mesa.trajectories[i]
        mesa_rows = mesa_rows[~np.isnan(mesa_rows[:, 0])]
        np.testing.assert_allclose(mesa_rows, rows, atol=1e-9)


def test_cli_lists_the_library(capsys):
    assert cli.main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for s in SCENARIOS:
        assert f"{s.name}" in out and s.summary in out


def test_cli_lists_each_therapy_with_its_course(capsys):
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    courses = 0
    for s in SCENARIOS:
        line = next(x for x in lines if x.startswith(f"{s.name} "))
        for event in s.events:
            if event.sessions is not None:
                assert f"{event.label}: {event.course()}" in line, line
                courses += 1
    assert courses >= 5
    assert any("(EFT: 12 weekly sessions from day 90)" in x for x in lines)


def test_cli_shows_a_therapys_course(capsys):
    assert cli.main(["scenarios", "therapy_secure_practice"]) == 0
    out = capsys.readouterr().out
    assert "event 1: secure practice (therapy), from day 90 (week 13); 66 daily sessions " \
           "from day 90" in out


def test_cli_shows_and_checks_a_scenario(capsys):
    assert cli.main(["scenarios", "softening"]) == 0
    assert "Overall, Simpson & Struthers" in capsys.readouterr().out
    assert cli.main(["scenarios", "softening", "--check"]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "partner_b.withdrawal" in out


def test_cli_check_fails_when_a_claim_does_not_hold(tmp_path, capsys):
    text = (LIBRARY / "secure_secure.toml").read_text().replace(
        "shares = { settled = [0.8, 1.0]", "shares = { settled = [0.0, 0.5]")
    path = tmp_path / "wrong.toml"
    path.write_text(text)
    assert cli.main(["scenarios", str(path), "--check", "--reps", "20"]) == 1
    assert "FAIL share.settled" in capsys.readouterr().out


def run_json(argv, capsys):
    assert cli.main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_set_overrides_the_file_and_save_round_trips(tmp_path, capsys):
    base = run_json(["run", "therapy_eft", "--reps", "20"], capsys)
    assert base["params"]["partner_b.avoidance"] == 0.8
    assert base["scenario"]["events"][0]["therapy"] == "eft"
    saved = tmp_path / "mine.toml"
    changed = run_json(["run", "therapy_eft", "--reps", "20", "--set",
                        "partner_b.avoidance=0.5", "--save", str(saved)], capsys)
    assert changed["params"]["partner_b.avoidance"] == 0.5
    assert find(str(saved)).params["partner_b.avoidance"] == 0.5
    again = run_json(["run", str(saved), "--reps", "20"], capsys)
    assert again["outcomes"] == changed["outcomes"]
    assert again["metrics"] == changed["metrics"]


def test_the_timeline_changes_the_run(capsys):
    """The same couple and seeds without the EFT event settle far less often."""
    s = find("therapy_eft")
    with_eft = run_json(["run", "therapy_eft", "--reps", "30"], capsys)
    assert with_eft["outcomes"]["settled"] > 0.5
    trap = run_json(["run", "anxious_avoidant_trap", "--reps", "30", "--steps", str(s.steps),
                     "--seed", str(s.seed)], capsys)
    assert trap["outcomes"]["settled"] < with_eft["outcomes"]["settled"] - 0.2


def test_sweep_a_scenario_uses_its_sweep_table(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert cli.main(["sweep", "secure_base", "--out", str(out), "--reps", "20"]) == 0
    import pandas as pd

    summary = pd.read_parquet(out / "summary.parquet")
    assert list(summary["partner_b.avoidance"].round(2)) == [
        round(x, 2) for x in np.linspace(0.1, 0.9, 9)]
    assert summary["trap"].iloc[0] < 0.1 < summary["trap"].iloc[-1]
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["reps"] == 20


def test_sweep_applies_the_timeline_as_run_does(tmp_path):
    """A sweep point of a scenario with events equals `run` of that scenario (same seeds)."""
    from dyadsim.sweep import sweep

    s = find("therapy_eft")
    fixed = {k: v for k, v in s.params.items() if k not in ("run.seed", "run.steps",
                                                             "partner_b.avoidance")}
    res = sweep({"partner_b.avoidance": (0.8, 0.8, 1)}, reps=10, fixed=fixed,
                root_seed=s.seed, steps=s.steps, timeline=s.timeline())
    direct = expectations.run(s, 10, record=False)
    assert list(res.runs["outcome"]) == [OUTCOMES[c] for c in direct.outcome]


def test_the_python_api_runs_a_scenario_like_the_command_line(capsys):
    from dyadsim.api import simulate

    runs = simulate(scenario="therapy_eft", reps=20, params={"partner_b.avoidance": 0.5})
    cli_json = run_json(["run", "therapy_eft", "--reps", "20", "--set",
                         "partner_b.avoidance=0.5"], capsys)
    shares = runs["outcome"].value_counts(normalize=True).to_dict()
    assert shares == {k: v for k, v in cli_json["outcomes"].items() if v > 0}
