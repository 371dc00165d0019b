"""A resume that verifies: damaged parts are run again, one writer per folder, no temporaries.

The sweeps here are small (12 points x 3 replicates x 200 steps, 4 chunks). An interrupted
folder is made by stopping the sweep just before its merge (every part saved and listed in
the manifest); ``tests/test_sweep.py`` interrupts a real process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dyadsim.cli import main
from dyadsim.files import write_atomic
from dyadsim.sweep import lock, store

SWEEP = ["sweep", "--axis", "partner_a.anxiety=0:1:4", "--axis", "partner_b.avoidance=0:1:3",
         "--reps", "3", "--steps", "200", "--seed", "7", "--chunk-runs", "9", "--no-progress"]
"""12 points, 3 per chunk: 4 chunks of 9 runs."""

RESULTS = ("runs.parquet", "summary.parquet", "summary.csv")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same sweep, never interrupted."""
    out = tmp_path_factory.mktemp("fresh") / "s"
    assert main([*SWEEP, "--out", str(out)]) == 0
    return out


def interrupted(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the sweep into ``out`` and stop it (Ctrl-C) just before the merge."""
    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(store, "finish", stop)
        assert main([*SWEEP, "--out", str(out)]) == 130
    assert len(list((out / "parts").glob("runs-*.parquet"))) == 4


def assert_same(out: Path, fresh: Path) -> None:
    for name in RESULTS[:2]:
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(fresh / name),
                                      check_exact=True)
    assert (out / "summary.csv").read_bytes() == (fresh / "summary.csv").read_bytes()
    assert not (out / "parts").exists()


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob(".*") if p.name.endswith(".tmp") or p.name == ".lock")


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for k in range(middle, middle + 64):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def unlist(path: Path) -> None:
    manifest = path.parent / store.MANIFEST
    data = json.loads(manifest.read_text())
    del data["parts"][path.name]
    manifest.write_text(json.dumps(data))


@pytest.mark.parametrize(("damage", "name", "words"), [
    (truncate, "runs-000001.parquet", "truncated"),
    (flip, "summary-000002.parquet", "damaged"),
    (unlist, "runs-000000.parquet", "not in the manifest"),
], ids=["truncated", "flipped-bytes", "no-manifest-entry"])
def test_an_untrusted_part_is_run_again_with_one_warning(tmp_path, monkeypatch, capsys, fresh,
                                                         damage, name, words):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    damage(out / "parts" / name)
    assert main([*SWEEP, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, captured.err
    assert str(out / "parts" / name) in warnings[0] and words in warnings[0]
    assert "running its chunk again" in warnings[0]
    assert "27 of them resumed" in captured.out  # only the damaged chunk ran again
    assert_same(out, fresh)


def test_a_folder_without_a_manifest_runs_every_chunk_again(tmp_path, monkeypatch, capsys,
                                                            fresh):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    (out / "parts" / store.MANIFEST).unlink()
    assert main([*SWEEP, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("not in the manifest") == 4
    assert "resumed" not in captured.out
    assert_same(out, fresh)


def test_a_damaged_manifest_trusts_no_part_and_says_so_once(tmp_path, monkeypatch, capsys,
                                                            fresh):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    manifest = out / "parts" / store.MANIFEST
    manifest.write_bytes(manifest.read_bytes()[:40])
    assert main([*SWEEP, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"dyadsim sweep: warning: {manifest} is damaged, so no part can be trusted; running "
        f"4 chunks again"]
    assert "resumed" not in captured.out
    assert_same(out, fresh)


def test_a_part_damaged_during_the_run_stops_the_merge_and_is_run_next_time(
        tmp_path, monkeypatch, capsys, fresh):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    victim = out / "parts" / "runs-000002.parquet"
    checked = store.pending

    def check_then_damage(*args: object, **kwargs: object) -> list[int]:
        todo = checked(*args, **kwargs)
        flip(victim)  # after the check, before the merge reads it
        return todo

    with monkeypatch.context() as m:
        m.setattr(store, "pending", check_then_damage)
        assert main([*SWEEP, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{victim} changed after it was written" in err and "run the same command" in err
    assert not (out / "runs.parquet").exists() and not victim.exists()
    assert main([*SWEEP, "--out", str(out)]) == 0
    assert "27 of them resumed" in capsys.readouterr().out
    assert_same(out, fresh)


def test_a_second_writer_gets_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib\nfrom dyadsim.sweep import lock\n"
         "with lock.locked(pathlib.Path(sys.argv[1])):\n"
         "    print('locked', flush=True)\n    sys.stdin.read()\n", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert main([*SWEEP, "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.splitlines() == [
            f"dyadsim: error: {out} is being written by another sweep (pid {holder.pid}); "
            f"wait for it to finish or choose another --out"]
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0 and not (out / lock.LOCK).exists()
    assert main([*SWEEP, "--out", str(out)]) == 0  # the lock is free again
    assert leftovers(out) == []


def test_stale_temporaries_of_a_killed_merge_are_gone_after_the_resume(tmp_path, monkeypatch,
                                                                       fresh):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    # what `kill -9` during the merge and during a part's write leaves behind
    (out / ".runs.parquet.k1ll3d.tmp").write_bytes(b"PAR1 half a file")
    (out / "parts" / ".runs-000003.parquet.x7y8z9.tmp").write_bytes(b"PAR1")
    (out / lock.LOCK).write_text("999999\n")  # left by the killed run, no longer held
    assert main([*SWEEP, "--out", str(out)]) == 0
    assert leftovers(out) == []
    assert_same(out, fresh)


def test_an_interrupted_merge_leaves_no_temporaries(tmp_path, monkeypatch, capsys, fresh):
    out = tmp_path / "s"
    calls = []

    def read_then_stop(self: store.Manifest, path: Path) -> object:
        calls.append(path)
        if len(calls) == 3:  # in the middle of writing runs.parquet
            raise KeyboardInterrupt
        return original(self, path)

    original = store.Manifest.read
    with monkeypatch.context() as m:
        m.setattr(store.Manifest, "read", read_then_stop)
        assert main([*SWEEP, "--out", str(out)]) == 130
    assert "run the same command again" in capsys.readouterr().err
    assert leftovers(out) == [] and not (out / "runs.parquet").exists()
    assert main([*SWEEP, "--out", str(out)]) == 0
    assert_same(out, fresh)


def test_a_write_error_names_the_target_not_a_temporary(tmp_path, monkeypatch, capsys, fresh):
    out = tmp_path / "s"
    interrupted(out, monkeypatch)
    capsys.readouterr()
    blocker = out / "summary.csv"
    blocker.mkdir()
    (blocker / "keep").write_text("a folder where the sweep writes a file")
    assert main([*SWEEP, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ".tmp" not in err
    assert err.endswith(str(blocker)) and "Is a directory" in err
    assert leftovers(out) == []
    (blocker / "keep").unlink()
    blocker.rmdir()
    assert main([*SWEEP, "--out", str(out)]) == 0  # not a dead end
    assert_same(out, fresh)


def test_write_atomic_names_the_target(tmp_path):
    target = tmp_path / "table.csv"
    target.mkdir()
    (target / "x").write_text("")
    with pytest.raises(OSError) as caught:
        write_atomic(target, lambda p: p.write_text("a,b\n"))
    assert caught.value.filename == str(target) and ".tmp" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_an_output_path_that_is_a_file_gets_one_line(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("not a folder")
    assert main([*SWEEP, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"dyadsim: error: {out} exists and is not a folder; choose another --out"
    assert out.read_text() == "not a folder"
