"""``dyadsim strange-situation``."""

from __future__ import annotations

import json

import pytest

from dyadsim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_one_object_with_exactly_the_promised_keys(capsys):
    code, out, _ = run_cli(capsys, "strange-situation", "--caregivers", "300", "--seed", "4",
                           "--set", "caregiver.consistency_mean=0.7", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"shares", "shares_ci95", "sensitivity_security_r", "n", "seed", "params"}
    assert set(data["shares"]) == {"A", "B", "C"}
    assert abs(sum(data["shares"].values()) - 1.0) < 1e-9
    for c, (lo, hi) in data["shares_ci95"].items():
        assert lo <= data["shares"][c] <= hi
    assert data["n"] == 300 and data["seed"] == 4
    assert data["params"]["caregiver.consistency_mean"] == 0.7
    assert -1 <= data["sensitivity_security_r"] <= 1


def test_same_seed_same_answer_and_text_lists_the_classes(capsys):
    _, first, _ = run_cli(capsys, "strange-situation", "--caregivers", "100", "--json")
    _, second, _ = run_cli(capsys, "strange-situation", "--caregivers", "100", "--json")
    assert first == second
    code, out, _ = run_cli(capsys, "strange-situation", "--caregivers", "100")
    assert code == 0
    for word in ("A (avoidant", "B (secure", "C (resistant", "95% CI", "r ="):
        assert word in out


@pytest.mark.parametrize(("args", "needle"), [
    (["--caregivers", "1"], "--caregivers 1: allowed 2 to 1,000,000"),
    (["--caregivers", "5000000"], "--caregivers 5000000: allowed 2"),
    (["--set", "caregiver.bogus=1"], "unknown life-course parameter 'caregiver.bogus'"),
    (["--set", "caregiver.sensitivity_mean=2"], "allowed: a number in [0, 1]"),
    (["--set", "caregiver.sensitivity_mean=0.95", "--set", "caregiver.sensitivity_sd=0.4"],
     "caregiver.sensitivity_sd: spread 0.4 is too large"),
    (["--set", "nonsense"], "expected KEY=VALUE"),
    (["--seed", "-1"], "--seed -1: allowed 0"),
])
def test_bad_values_get_one_line_and_exit_2(capsys, args, needle):
    code, out, err = run_cli(capsys, "strange-situation", *args)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1
