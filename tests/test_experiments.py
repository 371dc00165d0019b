"""Every experiment script runs end to end at CI size and writes a whole report.

Each ``experiments/<name>/run.py`` is run as a user would run it (its own process, three at a
time), with ``--tiny`` and ``--out`` in a temporary folder of its own. The report must hold
the table, at least one PNG figure and ``numbers.json`` with the command, the seed and an
``agrees`` verdict, which must be true unless the experiment's documented verdict is false
(``DOCUMENTED_FALSE``); no temporary folder may be left beside it. The scientific claims
themselves are checked at full size by the stylized-fact tests and reported in
``docs/VALIDATION.md``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(ROOT.glob("experiments/*/run.py"))
# Experiments whose documented verdict (docs/VALIDATION.md, the committed full-size
# docs/validation/<name>/numbers.json) is `agrees: false`, with the reason. Every other
# experiment must report `agrees: true`, at full size and in the CI-size run below.
DOCUMENTED_FALSE = {
    "fact01_secure_settle": "secure couples settle 0.86, not 'nearly every' one: the person-level "
                            "deviations make about 1 in 8 secure pairs end the year distant "
                            "(0.998 settle without them)",
    "fact02_anxious_avoidant_trap": "anxious-avoidant traps most with dissolution on, but tied "
                                    "with the pairings of a fearful partner; with dissolution "
                                    "off fearful-fearful traps more",
    "hysteresis": "at default settings the trap is entered and left at the same anxiety in the "
                  "mean field: no hysteresis loop",
    "noise_switching": "a fearful partner switches orientation in half of the runs, but the "
                       "couple is classified cycling in under 10%: the classifier reads the "
                       "dyad's pursue-withdraw signal, not one person's push-pull",
    "population_apim": "six of seven targets hold; the demand-withdraw and satisfaction "
                       "correlation (-0.61) is stronger than the meta-analytic band",
    "classifier_thresholds": "facts 1 and 2 fail at every threshold setting, and fact 4 and the "
                             "final-class rise along B's avoidance depend on the thresholds",
    "partner_choice": "the familiarity bias moves the pairing matrix monotonically, but at the "
                      "default strength anxious x avoidant couples are not above random "
                      "matching, and earned security does not depend on the bias",
}
# Arguments beyond --tiny for experiments whose verdict needs more than the tiny size to be
# decided, with the reason. The size is what the claim needs, not what makes it pass.
VERDICT_SIZE = {
    "fact10_antidote": (
        ["--reps", "500"],
        "contingent reassurance keeps pursuit higher than the same dose given steadily by only "
        "+0.002 a day [0.001, 0.003] over 1,000 paired runs; the tiny size's 2 root seeds need "
        "500 replicates each to tell that from zero"),
    "meanfield_map": (
        ["--reps", "50"],
        "the criterion is 80% of cells where the map predicts the simulated majority; at 4 "
        "replicates per cell the simulated majority itself is a coin toss in many cells"),
}
QUESTIONS = {
    "fact01_secure_settle", "fact02_anxious_avoidant_trap", "fact03_trap_rises_with_traits",
    "fact04_secure_buffer", "fact05_softening", "fact06_eft_halfway",
    "fact07_stable_unsatisfying", "fact08_demand_withdraw_satisfaction",
    "fact09_intermittent_reinforcement", "fact10_antidote", "rinaldi_cycles", "hysteresis",
    "noise_switching", "eft_dose_timing", "meanfield_map", "course_by_pairing",
    "classifier_thresholds", "population_apim", "strange_situation", "attachment_stability",
    "partner_choice",
}


def test_every_question_has_a_script_and_a_readme():
    found = {p.parent.name for p in SCRIPTS}
    assert QUESTIONS <= found, sorted(QUESTIONS - found)
    for script in SCRIPTS:
        readme = script.parent / "README.md"
        assert readme.is_file(), readme
        assert f"experiments/{script.parent.name}/run.py" in readme.read_text(), readme


def test_documented_verdicts_match_the_committed_reports():
    """The full-size reports in docs/validation say `agrees: false` exactly for the
    experiments listed in DOCUMENTED_FALSE, and VALIDATION.md names each of them."""
    verdicts = {}
    for script in SCRIPTS:
        numbers = ROOT / "docs" / "validation" / script.parent.name / "numbers.json"
        meta = json.loads(numbers.read_text())
        assert meta["tiny"] is False, numbers
        verdicts[script.parent.name] = meta["numbers"]["agrees"]
    assert {name for name, ok in verdicts.items() if ok is False} == set(DOCUMENTED_FALSE)
    assert all(ok is True for name, ok in verdicts.items() if name not in DOCUMENTED_FALSE)
    validation = (ROOT / "docs" / "VALIDATION.md").read_text()
    for name in DOCUMENTED_FALSE:
        assert f"experiments/{name}" in validation, name


CONCURRENT = 3
"""Experiment processes run at once: each is a user's own process; while one waits on its
figures' browser (kaleido's Chromium) the others keep the CI machine's two cores busy."""


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every script run at CI size, each in its own process and its own folder."""

    def run(script: Path) -> tuple[subprocess.CompletedProcess, Path]:
        folder = tmp_path_factory.mktemp(script.parent.name)
        extra = VERDICT_SIZE.get(script.parent.name, ([], ""))[0]
        done = subprocess.run(
            [sys.executable, str(script), "--tiny", *extra, "--out", str(folder / "report")],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
        return done, folder

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return dict(zip((s.parent.name for s in SCRIPTS), pool.map(run, SCRIPTS), strict=True))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.parent.name)
def test_experiment_runs_at_tiny_size(script: Path, tiny_runs):
    done, tmp_path = tiny_runs[script.parent.name]
    out = tmp_path / "report"
    assert done.returncode == 0, done.stderr[-3000:]
    assert "|---" in (out / "table.md").read_text()
    assert (out / "table.csv").stat().st_size > 0
    pngs = list(out.glob("*.png"))
    assert pngs and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    meta = json.loads((out / "numbers.json").read_text())
    assert meta["experiment"] == script.parent.name
    assert meta["tiny"] is True and meta["seed"] == 20261121
    expected = script.parent.name not in DOCUMENTED_FALSE
    if expected:
        assert meta["numbers"]["agrees"] is True, (
            f"{script.parent.name}: agrees is {meta['numbers']['agrees']!r} at CI size; its "
            f"documented verdict is true")
    else:
        # a documented-false verdict may come out either way at CI size (meanfield_map is
        # true on its tiny grid); the full-size verdict is checked above
        assert isinstance(meta["numbers"]["agrees"], bool)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # nothing half-written


def test_a_report_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch):
    import pandas as pd

    from dyadsim import report

    args = report.experiment_args("demo", "Demo.", reps=4, tiny_reps=2,
                                  argv=["--tiny", "--out", str(tmp_path / "demo")])
    good = report.Report(args)
    good.table("table", pd.DataFrame({"a": [1.0]}))
    good.number("agrees", True)
    good.write()
    bad = report.Report(args)
    bad.table("table", pd.DataFrame({"a": [2.0]}))

    def fail(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "markdown_table", fail)
    with pytest.raises(RuntimeError):
        bad.write()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    assert "1.000" in (tmp_path / "demo" / "table.md").read_text()  # the old report stays


def test_experiment_arguments_are_checked():
    from dyadsim import report

    for argv in (["--reps", "0"], ["--steps", "-3"], ["--seed", "-1"]):
        with pytest.raises(SystemExit):
            report.experiment_args("demo", "Demo.", reps=4, tiny_reps=2, argv=argv)
    args = report.experiment_args("demo", "Demo.", reps=4, tiny_reps=2, argv=[])
    assert args.out == ROOT / "docs" / "validation" / "demo" and args.reps == 4


def test_a_hung_figure_session_is_killed_and_tried_again(tmp_path: Path, monkeypatch):
    """Kaleido's browser can hang (plotly/Kaleido#419): the session is killed at its
    deadline, with its process group, and tried once more; two hangs are an error."""
    import plotly.graph_objects as go

    from dyadsim import report

    marker = tmp_path / "hung once"
    monkeypatch.setattr(report, "_DRAW", f"""
import pathlib, subprocess, sys, time
marker = pathlib.Path({str(marker)!r})
if not marker.exists():
    marker.write_text(str(subprocess.Popen(["sleep", "60"]).pid))  # a stand-in browser
    time.sleep(60)
""" + report._DRAW)
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    report.write_pngs({"line": fig}, tmp_path, deadline=8)
    assert (tmp_path / "line.png").stat().st_size > 1000  # the second session drew it
    child = int(marker.read_text())
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(
        f"/proc/{child}/stat").read_text().split(")")[1].split()[0]  # killed with the group
    assert not (tmp_path / ".kaleido-jobs.json").exists()

    monkeypatch.setattr(report, "_DRAW", "import time\ntime.sleep(60)\n")
    with pytest.raises(RuntimeError, match=r"no answer within 2 s"):
        report.write_pngs({"line": fig}, tmp_path, deadline=2)
