"""Serving a class: the couple run on the batch engine, the dashboard command's guards, gunicorn."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import dashboard.app
from dashboard import compute
from dashboard import serve as serving
from dashboard import view as views
from dyadsim import outcomes, runs
from dyadsim.cli import main
from dyadsim.params import make_params

ROOT = Path(__file__).resolve().parents[1]

TOLERANCE = 1e-9


def mesa_reference(view: dict) -> runs.RunResult:
    """The couple as the Mesa model runs it (what couple_run did before the batch engine)."""
    scenario = views.resolve({**json.loads(compute.couple_key(view)), "seed": view["seed"]})
    return runs.run_mesa(make_params(scenario.params), scenario.seed, scenario.steps,
                         scenario.timeline(), set(scenario.params) - {"run.seed"})


def test_the_couple_run_equals_the_mesa_run():
    for view in (views.default_view(),
                 {**views.choose_scenario(views.default_view(), "delayed_text")[0], "seed": "7"},
                 {**views.default_view(), "set": {"partner_a.anxiety": 1.0,
                                                 "partner_b.avoidance": 1.0,
                                                 "dyad.dissolution_rate": 0.3}}):
        got, ref = compute.couple_run(compute.couple_key(view)), mesa_reference(view)
        want = ref.trajectory.loc[:, list(compute.COUPLE_COLUMNS)]
        assert list(got["traj"].columns) == list(compute.COUPLE_COLUMNS)
        assert got["traj"].shape == want.shape
        assert np.abs(got["traj"].to_numpy(float) - want.to_numpy(float)).max() <= TOLERANCE
        assert got["outcome"] == ref.outcome
        for name in outcomes.METRIC_NAMES:
            assert np.isclose(got["metrics"][name], ref.metrics[name], atol=TOLERANCE,
                              equal_nan=True), name
        assert got["last"] == int(want["step"].iloc[-1])
        assert np.allclose(got["pw"], outcomes.pursue_withdraw(ref.trajectory), atol=TOLERANCE)


# --- The command's guards and folders ---------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_serves_quietly_also_in_debug(host):
    assert serving.check_bind(host, debug=False) is None
    assert serving.check_bind(host, debug=True) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "school-pc"])
def test_beyond_loopback_warns_in_one_line_and_refuses_debug(host):
    warning = serving.check_bind(host, debug=False)
    assert warning and "\n" not in warning and host in warning and "warning" in warning
    with pytest.raises(serving.BindError, match="--debug") as refused:
        serving.check_bind(host, debug=True)
    assert "\n" not in str(refused.value)


def test_the_command_refuses_debug_beyond_loopback_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(dashboard.app, "serve", lambda *a, **k: pytest.fail("served"))
    assert main(["dashboard", "--host", "0.0.0.0", "--debug"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--debug" in err and "0.0.0.0" in err
    assert main(["dashboard", "--workers", "2", "--debug"]) == 2
    assert main(["dashboard", "--workers", "-1"]) == 2


def test_the_command_warns_beyond_loopback_then_serves(monkeypatch, capsys):
    served = []
    monkeypatch.setattr(dashboard.app, "serve", lambda *a: served.append(a))
    assert main(["dashboard", "--host", "0.0.0.0", "--port", "8123", "--workers", "3"]) == 0
    assert served == [("0.0.0.0", 8123, False, 3)]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning" in err and "0.0.0.0" in err
    assert main(["dashboard"]) == 0
    assert served[-1] == ("127.0.0.1", 8050, False, 0) and capsys.readouterr().err == ""


def test_stale_cache_folders_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"{serving.CACHE_PREFIX}{dead}-abc"
    live = tmp_path / f"{serving.CACHE_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{serving.CACHE_PREFIX}xyz"  # not ours to judge: no pid in the name
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "cache.db").write_text("x")
    fresh = serving.new_cache_folder(tmp_path)
    assert not stale.exists() and live.exists() and other.exists() and fresh.is_dir()
    assert fresh.name.startswith(f"{serving.CACHE_PREFIX}{os.getpid()}-")
    serving.remove_cache(fresh, owner=os.getpid() + 1)  # a forked worker: leaves it
    assert fresh.exists()
    serving.remove_cache(fresh, owner=os.getpid())
    assert not fresh.exists()


# --- Gunicorn, for real -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("workers", ["2", "0"])
def test_the_server_serves_the_page_and_removes_its_cache_at_exit(tmp_path, workers):
    """``--workers 2``: gunicorn with two worker processes; ``0``: the development server."""
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dyadsim.cli", "dashboard", "--port", str(port),
         "--workers", workers], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        deadline, page = time.monotonic() + 120, None
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    page = (r.status, r.read().decode())
            except OSError:
                time.sleep(0.5)
        assert page is not None, f"not serving: {server.poll()}"
        assert page[0] == 200 and "_dash-config" in page[1]
        # Every worker serves the page's scripts, also one that has not rendered the page
        # itself (Dash registers its script paths when it first renders the page).
        scripts = re.findall(r'<script src="(/_dash-component-suites/[^"]+)"', page[1])
        assert scripts
        statuses = [_status(f"http://127.0.0.1:{port}{src}") for _ in range(4)
                    for src in scripts]
        assert set(statuses) == {200}, statuses
        folders = list(tmp_path.glob(f"{serving.CACHE_PREFIX}{server.pid}-*"))
        assert len(folders) == 1
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _parent(p) == server.pid]
        assert len(children) >= int(workers)
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err
    assert not list(tmp_path.glob(f"{serving.CACHE_PREFIX}*"))


def _status(url: str) -> int:
    """The HTTP status of one GET on a new connection."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def _parent(proc: Path) -> int:
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


# --- Jobs shared between workers --------------------------------------------------------------


def test_every_job_manager_is_shared_and_on_a_locked_cache(tmp_path):
    app = dashboard.app.create_app(tmp_path)
    managers = [e["manager"] for e in app.callback_map.values() if e.get("manager")]
    assert managers and all(type(m) is serving.SharedJobs for m in managers)
    assert all(type(m.handle) is serving.LockedCache for m in managers)


def _exit_now() -> None:
    os._exit(0)


def _sleep() -> None:
    time.sleep(60)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_terminate_job_reaps_a_finished_job_kills_a_running_one_and_ignores_a_gone_one(
        tmp_path):
    import multiprocessing

    import diskcache
    import psutil

    manager = serving.SharedJobs(diskcache.Cache(str(tmp_path)))
    fork = multiprocessing.get_context("fork")
    done = fork.Process(target=_exit_now)
    done.start()
    deadline = time.monotonic() + 10
    while psutil.Process(done.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    manager.terminate_job(done.pid)
    assert not psutil.pid_exists(done.pid)  # reaped, not left as a zombie
    manager.terminate_job(done.pid)  # gone: nothing to do, no NoSuchProcess
    running = fork.Process(target=_sleep)
    running.start()
    manager.terminate_job(str(running.pid))
    assert not psutil.pid_exists(running.pid)
    manager.terminate_job(None)


def _write(directory: str) -> None:
    import diskcache

    diskcache.Cache(directory).set("child", 1)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fork_waits_for_a_cache_transaction_of_another_thread(tmp_path):
    import multiprocessing
    import threading

    import diskcache

    cache = serving.LockedCache(str(tmp_path))
    serving.hold_forks_during_transactions()
    inside, ended = threading.Event(), []

    def hold() -> None:
        with cache.transact():
            cache.set("parent", 1)
            inside.set()
            time.sleep(0.5)
        ended.append(time.monotonic())

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(10)
    child = multiprocessing.get_context("fork").Process(target=_write, args=(str(tmp_path),))
    child.start()
    forked = time.monotonic()
    child.join(30)
    holder.join(10)
    assert ended and forked >= ended[0]  # the fork waited for the transaction
    assert child.exitcode == 0
    assert diskcache.Cache(str(tmp_path)).get("child") == 1


def test_a_worker_is_set_up_before_it_serves_anyone(tmp_path):
    """Under gunicorn a browser's script requests can reach a worker together, before it
    has served anything (:func:`dashboard.serve.register_page_scripts`)."""
    from dashboard.app import create_app

    bare = create_app(tmp_path / "bare")
    assert not bare.registered_paths  # Dash registers its scripts on its first request
    app = serving.worker_app(tmp_path / "worker")
    assert app._got_first_request["setup_server"] and "dash" in app.registered_paths
    page = app.server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="/_dash-component-suites/([^/]+)/', page)
    assert scripts and set(scripts) <= set(app.registered_paths)


def test_warming_loads_class_modes_day_before_any_request():
    """Class mode's compiled day must not first compile inside a move's transaction (it
    holds the class's write lock) nor in a request thread a job could be forked from."""
    code = ("from dashboard.app import warm_kernel\nfrom dyadsim.batch import one_day\n"
            "assert not one_day.signatures\nwarm_kernel()\nprint(len(one_day.signatures))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip().splitlines()[-1]) >= 1
