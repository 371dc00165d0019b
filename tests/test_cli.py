"""The dyadsim command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from dyadsim import readout
from dyadsim.cli import common as cli_common
from dyadsim.cli import main
from dyadsim.cli import scenarios as cli_scenarios
from dyadsim.params import REGISTRY
from dyadsim.scenario import find


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_params_lists_every_parameter(capsys):
    code, out, _ = run_cli(capsys, "params")
    assert code == 0
    for name in REGISTRY:
        assert name in out


def test_json_is_exactly_one_object_with_the_promised_keys(capsys):
    code, out, _ = run_cli(capsys, "run", "--reps", "3", "--steps", "40", "--seed", "9",
                           "--workers", "1", "--json")
    assert code == 0
    data = json.loads(out)  # fails if anything else was printed
    assert {"n", "seed", "params", "outcomes", "metrics"} <= set(data)
    assert data["n"] == 3 and data["seed"] == 9 and data["params"]["run.steps"] == 40
    assert set(data["outcomes"]) == {"settled", "escalated", "cycling", "dissolved", "distant"}
    assert sum(data["outcomes"].values()) == pytest.approx(1.0)


def test_seed_reproduces_every_number_and_workers_do_not_matter(capsys):
    args = ["run", "--reps", "4", "--steps", "60", "--seed", "5", "--json"]
    _, one, _ = run_cli(capsys, *args, "--workers", "1")
    _, again, _ = run_cli(capsys, *args, "--workers", "1")
    _, two, _ = run_cli(capsys, *args, "--workers", "2")
    assert one == again == two


def test_single_run_text_report(capsys):
    code, out, _ = run_cli(capsys, "run", "--steps", "50", "--set", "dyad.stress=0.2")
    assert code == 0 and "outcome:" in out and "mean_activation" in out


@pytest.mark.parametrize("args,needle", [
    (["run", "--set", "partner_a.anxeity=0.5"], "partner_a.anxiety"),
    (["run", "--set", "partner_a.anxiety=1.5"], "allowed"),
    (["run", "--set", "dyad.stress"], "KEY=VALUE"),
    (["run", "--steps", "abc"], "--steps"),
    (["run", "--reps", "0"], "--reps"),
    (["run", "--out", "x.txt"], ".csv or .parquet"),
    (["fly"], "invalid choice"),
])
def test_bad_arguments_give_one_line_and_nonzero_exit(capsys, args, needle):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_out_with_trajectories_writes_per_step_rows(capsys, tmp_path, suffix):
    path = tmp_path / f"traj{suffix}"
    code, _, _ = run_cli(capsys, "run", "--reps", "2", "--steps", "30", "--workers", "1",
                         "--set", "dyad.dissolution_rate=0", "--out", str(path),
                         "--trajectories", "1")
    assert code == 0
    df = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert len(df) == 2 * 31
    assert {"replicate", "run.seed", "step", "partner_a.pursuit", "dyad.closeness"} <= set(df)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    assert path.stat().st_mode & 0o044 == 0o044  # readable like any file the user writes


def test_out_writes_one_row_per_run_matching_the_json(capsys, tmp_path):
    path = tmp_path / "runs.csv"
    args = ["run", "--reps", "5", "--steps", "60", "--seed", "3"]
    assert run_cli(capsys, *args, "--out", str(path))[0] == 0
    _, out, _ = run_cli(capsys, *args, "--json")
    df = pd.read_csv(path)
    data = json.loads(out)
    assert list(df["replicate"]) == [0, 1, 2, 3, 4]
    for name, share in data["outcomes"].items():
        assert (df["outcome"] == name).mean() == pytest.approx(share)
    assert df["satisfaction"].mean() == pytest.approx(data["metrics"]["satisfaction"]["mean"])


def test_every_tenth_step_and_the_engines_agree(capsys, tmp_path):
    tables = []
    for engine in ("batch", "mesa"):
        path = tmp_path / f"{engine}.csv"
        assert run_cli(capsys, "run", "--reps", "2", "--steps", "45", "--engine", engine,
                       "--workers", "1", "--out", str(path), "--trajectories", "10")[0] == 0
        tables.append(pd.read_csv(path))
    pd.testing.assert_frame_equal(tables[0], tables[1], atol=1e-9)
    last = tables[0].groupby("replicate")["step"].max()
    assert set(tables[0]["step"]) <= {0, 10, 20, 30, 40, *last}


def test_trajectories_too_large_are_refused_in_one_line(capsys, tmp_path):
    code, out, err = run_cli(capsys, "run", "--reps", "100000", "--steps", "1000", "--out",
                             str(tmp_path / "t.parquet"), "--trajectories", "1")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "100000 runs x 1000 steps" in err and "10,000,000" in err
    assert not list(tmp_path.iterdir())


def test_trajectories_need_out(capsys):
    code, _, err = run_cli(capsys, "run", "--trajectories", "5")
    assert code == 2 and "--out" in err


def test_plot_writes_a_self_contained_html(capsys, tmp_path):
    path = tmp_path / "plot.html"
    assert run_cli(capsys, "run", "--steps", "30", "--plot", str(path))[0] == 0
    text = path.read_text()
    assert "plotly" in text.lower() and "<html" in text.lower()


def test_installed_command_runs_without_traceback_on_bad_input():
    proc = subprocess.run([sys.executable, "-m", "dyadsim.cli", "run", "--set", "run.steps=-3"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("dyadsim: error:") and "run.steps" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_empty_scenario_library_is_one_clear_line(capsys, tmp_path, monkeypatch):
    # the library folder as an install that lost its scenario files would have it: empty
    monkeypatch.setattr(sys.modules["dyadsim.scenario.library"], "LIBRARY", tmp_path)
    monkeypatch.setattr(cli_scenarios, "LIBRARY", tmp_path)
    for args in (["scenarios"], ["scenarios", "--check"]):
        code, out, err = run_cli(capsys, *args)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert str(tmp_path) in err and "no scenario files" in err


# --- time in days, and the continuous indices beside the classes ------------------------------


def test_run_report_says_days_and_gives_the_indices_beside_the_shares(capsys):
    code, out, _ = run_cli(capsys, "run", "--reps", "4", "--steps", "60", "--seed", "2",
                           "--workers", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("4 run(s) of 60 days (8.6 weeks), root seed 2")
    trap = next(i for i, line in enumerate(lines) if line.startswith("trap "))
    assert re.fullmatch(r"mean over runs: pursue-withdraw index \d\.\d{3}, activation "
                        r"\d\.\d{3}, closeness \d\.\d{3}, satisfaction \d\.\d{3}",
                        lines[trap + 1])
    assert re.search(r"^time to the trap: (median \d+(\.\d)? days.*, in \d of 4 runs|never, "
                     r"in 4 runs)$", out, re.M)
    assert re.search(r"^time to break-up: ", out, re.M)
    assert re.search(r"^time_to_escalation .* days", out, re.M)  # the metric's unit


def test_single_run_gives_the_indices_beside_its_class(capsys):
    code, out, _ = run_cli(capsys, "run", "--steps", "30", "--seed", "4")
    assert code == 0
    assert re.search(r"^outcome: \w+ \(pursue-withdraw index \d\.\d{3}, activation \d\.\d{3}, "
                     r"closeness \d\.\d{3}, satisfaction \d\.\d{3}\)$", out, re.M)
    assert "1 run(s) of 30 days (4.3 weeks)" in out


def test_json_adds_days_indices_and_times_and_keeps_every_old_key(capsys):
    code, out, _ = run_cli(capsys, "run", "--reps", "3", "--steps", "40", "--seed", "9",
                           "--workers", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"n", "seed", "params", "scenario", "outcomes", "outcomes_ci95", "metrics"} <= set(data)
    assert data["time_unit"] == "day" and data["days"] == 40 and data["days_per_episode"] == 1
    assert list(data["indices"]) == list(readout.index_names())
    for name, mean in data["indices"].items():
        assert mean == data["metrics"][name]["mean"]
    assert set(data["times"]) == set(readout.time_metrics())
    for t in data["times"].values():
        assert t["of"] == 3 and 0 <= t["runs"] <= 3
        assert (t["median_days"] is None) == (t["runs"] == 0)


def test_steps_help_says_days(capsys):
    for command in ("run", "sweep"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "--steps STEPS days per run" in out


def test_scenario_events_are_listed_in_days_and_weeks(capsys):
    code, out, _ = run_cli(capsys, "scenarios", "delayed_text")
    assert code == 0
    assert re.search(r"; \d+ days \(.+\), seed \d+$", out, re.M)
    assert re.search(r"^  event 1: .+ \(ambiguity\), days \d+-\d+ \(.+\)$", out, re.M)
    event = cli_common.timeline_text(find("therapy_eft"))[0]
    # a therapy event gives its days and then its course of sessions
    found = re.fullmatch(r"  event 1: .+ \(therapy\), from day (\d+) \(week \d+\); "
                         r"\d+ \w+ sessions from day (\d+)", event)
    assert found and found[1] == found[2], event


def test_scenario_check_prints_the_indices_under_the_shares(capsys):
    _, out, _ = run_cli(capsys, "scenarios", "--check", "--reps", "3", "antidote")  # pass or not
    lines = out.splitlines()
    assert re.match(r"antidote \(3 replicates of \d+ days \(.+\)\): settled ", lines[0])
    assert lines[1].startswith("  mean over runs: pursue-withdraw index ")


def test_sweep_table_shows_the_indices_beside_the_shares(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "sweep", "--axis", "partner_a.anxiety=0:1:2", "--reps", "2",
                           "--steps", "30", "--out", str(tmp_path / "s"))
    assert code == 0
    assert "= 4 runs of 30 days (4.3 weeks)" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("partner_a"))
    assert header.split() == ["partner_a.anxiety", "trap", "trap_ci_low", "trap_ci_high",
                              "settled", "dissolved", "pw_index", "activation", "closeness",
                              "satisfaction"]
    summary = pd.read_csv(tmp_path / "s" / "summary.csv")
    assert "pursue_withdraw_index_mean" in summary  # the file keeps its column names


def test_the_strange_situation_is_reported_in_moments_not_days(capsys):
    """Its steps are moments of a procedure (``[run] unit``): never days, weeks or months."""
    code, out, _ = run_cli(capsys, "run", "strange_situation")
    assert code == 0
    assert "1 run(s) of 80 moments (a step is a moment, not a day)" in out
    assert "moments 31-40 (10 moments)" in out  # the first separation
    assert not re.search(r"\b(day|days|week|weeks|month|months)\b", out.replace(
        "not a day", "")), out
    code, out, _ = run_cli(capsys, "run", "strange_situation", "--json")
    payload = json.loads(out)
    assert (payload["time_unit"], payload["steps"], payload["days"]) == ("moment", 80, None)
    code, out, _ = run_cli(capsys, "run", "delayed_text", "--json")
    payload = json.loads(out)
    assert (payload["time_unit"], payload["days"], payload["days_per_episode"]) == ("day", 365, 1)
