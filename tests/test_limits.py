"""The CLI's limits (issue 14): every oversized or hostile input is one line, exit status 2.

Each test is one reproduction from the issue. Where the real reproduction would be slow or
would need the memory it is refused for, a stand-in of the same shape is used (the nested
TOML is generated, the FIFO gets a timeout); a refusal must come before any allocation, so
each refused command must also return quickly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from dyadsim import runner
from dyadsim.cli import main
from dyadsim.scenario import ScenarioError, load, loads
from dyadsim.scenario.reader import MAX_DEPTH, MAX_EVENTS, MAX_EXPECT_ROWS, MAX_FILE_BYTES
from dyadsim.stability import MAX_CELLS
from dyadsim.sweep.designs import MAX_POINTS, MAX_RUNS
from dyadsim.timeline import Change, Timeline, TimelineError

ROOT = Path(__file__).resolve().parents[1]
HEAD = 'title = "t"\nsummary = "s"\ndescription = "d"\n'


REFUSAL_BYTES = 50 * 2**20
"""A refusal may allocate at most this much (traced by tracemalloc, NumPy included): the
sizes are checked before anything of that size is allocated."""


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI; it must exit 2, with one line on stderr, having allocated nothing big."""
    tracemalloc.start()
    try:
        code = main(list(argv))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2, err
    assert peak < REFUSAL_BYTES, f"allocated {peak:,} bytes before refusing"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_run_huge_reps_is_refused_with_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "run", "--reps", "1000000000000")
    assert "--reps 1000000000000" in line
    assert "PB" in line and f"{runner.MAX_RUNS:,}" in line


def test_run_trajectories_that_cannot_fit(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    line = refused(capsys, "run", "--steps", "100000", "--reps", "100000", "--trajectories",
                   "1", "--out", str(tmp_path / "t.csv"))
    assert "--reps 100000 with 100000 steps" in line
    assert f"{runner.MAX_TRAJECTORY_ROWS:,} rows" in line
    assert not (tmp_path / "t.csv").exists()


def test_run_without_trajectories_is_chunked_and_identical(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """reps x steps never needs memory: any chunk size gives the same runs."""
    whole = runner.run_replicates({"partner_a.anxiety": 0.7}, reps=23, steps=60)
    monkeypatch.setattr(runner, "RUN_CHUNK", 5)
    chunked = runner.run_replicates({"partner_a.anxiety": 0.7}, reps=23, steps=60)
    np.testing.assert_array_equal(whole.seeds, chunked.seeds)
    np.testing.assert_array_equal(whole.outcome, chunked.outcome)
    np.testing.assert_array_equal(whole.metrics, chunked.metrics)
    np.testing.assert_array_equal(whole.last_step, chunked.last_step)
    varying = {"partner_b.avoidance": np.linspace(0.1, 0.9, 4)}
    monkeypatch.setattr(runner, "RUN_CHUNK", 50_000)
    a = runner.run_replicates(reps=3, steps=40, varying=varying, record_every=7)
    monkeypatch.setattr(runner, "RUN_CHUNK", 2)
    b = runner.run_replicates(reps=3, steps=40, varying=varying, record_every=7)
    np.testing.assert_array_equal(a.metrics, b.metrics)
    np.testing.assert_array_equal(a.trajectories, b.trajectories)


def test_sweep_huge_axis_count(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = refused(capsys, "sweep", "--axis", "partner_a.anxiety=0:1:1000000000", "--out",
                   str(tmp_path / "s"))
    assert "partner_a.anxiety=0:1:1000000000" in line and f"{MAX_POINTS:,} points" in line
    assert not (tmp_path / "s").exists()


def test_sweep_huge_lhs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = refused(capsys, "sweep", "--design", "lhs", "--bound", "partner_a.anxiety=0:1",
                   "--points", "1000000000000", "--out", str(tmp_path / "s"))
    assert "--points 1000000000000" in line and f"{MAX_POINTS:,} points" in line


def test_sweep_too_many_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = refused(capsys, "sweep", "--axis", "partner_a.anxiety=0:1:1000", "--axis",
                   "partner_b.anxiety=0:1:1000", "--reps", "20", "--out", str(tmp_path / "s"))
    assert "20,000,000 runs" in line and f"{MAX_RUNS:,} runs" in line


def test_analyze_two_huge_axes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = refused(capsys, "analyze", "--axis", "partner_a.anxiety=0:1:100000", "--axis",
                   "partner_b.anxiety=0:1:100000", "--out", str(tmp_path / "a"))
    assert "10,000,000,000 cells" in line and f"{MAX_CELLS:,} cells" in line


@pytest.mark.parametrize("option,values", [
    ("--axis", ("partner_a.anxiety=0:1:3", "partner_a.anxiety=0:0.5:4")),
    ("--bound", ("partner_a.anxiety=0:1", "partner_a.anxiety=0:0.5")),
])
def test_sweep_repeated_key(capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str,
                            values: tuple[str, str]) -> None:
    extra = ["--design", "lhs", "--points", "4"] if option == "--bound" else []
    line = refused(capsys, "sweep", option, values[0], option, values[1], *extra, "--out",
                   str(tmp_path / "s"))
    assert f"{option} partner_a.anxiety is given twice" in line
    assert not (tmp_path / "s").exists()


def test_sensitivity_repeated_bound(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "sensitivity", "--bound", "partner_a.anxiety=0:1", "--bound",
                   "partner_a.anxiety=0:0.5")
    assert "--bound partner_a.anxiety is given twice" in line


def test_sensitivity_out_suffix_checked_first(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import dyadsim.sensitivity

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the computation ran before --out was checked")

    monkeypatch.setattr(dyadsim.sensitivity, "sensitivity", never)
    line = refused(capsys, "sensitivity", "--bound", "partner_a.anxiety=0:1", "--out",
                   "x.txt")
    assert "dyadsim sensitivity: --out 'x.txt'" in line and ".csv" in line


def test_nested_arrays_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("title = " + "[" * 900 + "]" * 900 + "\n")
    line = refused(capsys, "run", str(path))
    assert str(path) in line and "nested" in line and f"{MAX_DEPTH} levels" in line


def test_deep_sweep_axes_table_is_one_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(HEAD + "[sweep.axes." + ".".join(["a"] * 3000) + "]\nx = 1\n")
    line = refused(capsys, "sweep", str(path), "--out", str(tmp_path / "s"))
    assert str(path) in line and "nested" in line


def test_every_parse_error_is_one_line() -> None:
    for text in ("title = ", "a = [1,", 'x = """', "[a]\n[a]\n", "k = 1979-05-27T25:00:00"):
        with pytest.raises(ScenarioError) as info:
            loads(text, "bad.toml")
        message = str(info.value)
        assert message.startswith("bad.toml: not valid TOML") and "\n" not in message


def test_bom_is_accepted(tmp_path: Path) -> None:
    source = ROOT / "scenarios" / "secure_secure.toml"
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert load(path).params == load(source).params


def test_dev_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "run", "/dev/zero")
    assert line.startswith("dyadsim: error: /dev/zero: a device, not a regular file")


def test_fifo_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "dyadsim.cli", "run", str(fifo)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert done.stderr.strip() == (f"dyadsim: error: {fifo}: a FIFO, not a regular file; "
                                   f"allowed: a regular file (a scenario file of at most "
                                   f"{MAX_FILE_BYTES:,} bytes)")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: its size is known without reading it
    with pytest.raises(ScenarioError, match=f"at most {MAX_FILE_BYTES:,} bytes"):
        load(path)


def _changes(n: int, overlap: bool) -> Timeline:
    return Timeline(tuple(
        Change("dyad.stress", "to", 0.1, start=1 + 2 * i, end=3 + 2 * i + overlap,
               origin=f"events #{i + 1}") for i in range(n)))


def test_timeline_check_takes_100000_changes() -> None:
    """100,000 changes (the pairwise check took over 90 s) are checked, and an overlap among
    them is still found and named. (How fast is a benchmark's question, not a test's.)"""
    _changes(100_000, overlap=False).check(200_001)
    with pytest.raises(TimelineError, match=r"events #2: overlaps events #1: both change "
                       r"dyad.stress during episodes 3-3"):
        _changes(100_000, overlap=True).check(200_001)


def test_events_per_scenario_bounded(capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    events = "".join(f'[[events]]\nkind = "stressor"\nstep = {i + 1}\nduration = 1\n'
                     f'level = 0.2\n' for i in range(MAX_EVENTS + 1))
    path = tmp_path / "many.toml"
    path.write_text(HEAD + f"[run]\nsteps = {MAX_EVENTS + 5}\n" + events)
    line = refused(capsys, "run", str(path))
    assert f"{MAX_EVENTS + 1:,} events" in line and f"at most {MAX_EVENTS:,}" in line


def test_expect_reps_bounded_for_series(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "delayed_text.toml").read_text()
    steps = load(ROOT / "scenarios" / "delayed_text.toml").steps
    assert "[[expect.mean]]" in text or "[[expect.compare]]" in text
    start = text.index("[expect]")
    head, tail = text[:start], text[start:]
    tail = tail.replace("reps = ", "reps = 10000 #", 1)
    path = tmp_path / "big_expect.toml"
    path.write_text(head + tail)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "expect.reps = 10000" in str(info.value)
    assert f"reps <= {MAX_EXPECT_ROWS // (steps + 1):,}" in str(info.value)


def test_expect_shares_only_record_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from dyadsim import expectations
    from dyadsim.scenario import find

    seen = []
    real = expectations.run_replicates

    def spy(*args: object, **kwargs: object) -> runner.Replicates:
        seen.append(kwargs.get("record_every"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(expectations, "run_replicates", spy)
    scenario = find("secure_secure")
    assert not expectations.needs_series(scenario)
    results = expectations.evaluate(scenario, reps=20)
    assert results and seen == [0]


def test_scenarios_check_reps_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "scenarios", "delayed_text", "--check", "--reps", "100000")
    assert "--reps 100000 for delayed_text" in line and f"{MAX_EXPECT_ROWS:,} rows" in line


def test_errors_name_the_target_not_a_temp_file(tmp_path: Path) -> None:
    from dyadsim.files import write_atomic

    target = tmp_path / "out.csv"

    def fail(p: Path) -> None:
        raise OSError(28, "No space left on device", str(p))

    with pytest.raises(OSError) as info:
        write_atomic(target, fail)
    assert info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []
