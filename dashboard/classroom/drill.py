"""A simulated class on loopback: a server, a teacher and N students as HTTP clients.

Used by the class-mode HTTP test and by ``experiments/bench_class.py``. Students run in
threads, each with its own token; every move's latency is measured around its HTTP request.
Only loopback addresses are used, and every wait has a deadline.

In pairs (``mode="pairs"``) each student learns their side from the server, submits a move
(its latency is the move's), then polls until their couple's week has run (its wait is
kept apart, in ``waits``: it is the partner's time, not the server's).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.classroom.game import MOVES

HOST = "127.0.0.1"
MAX_SIM_STUDENTS = 200
REQUEST_TIMEOUT_S = 60
WEEK_DEADLINE_S = 120
"""How long a paired student waits for their couple's week before it counts as a failure."""
POLL_S = 0.2


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(db: Path, log: Path, workers: int = 2, port: int | None = None,
                 root: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """``dyadsim dashboard --workers N`` on loopback with its class database at ``db``."""
    port = port or free_port()
    env = {**os.environ, "DYADSIM_CLASS_DB": str(db), "PYTHONUNBUFFERED": "1"}
    if root is not None:
        env["PYTHONPATH"] = str(root)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dyadsim.cli", "dashboard", "--port", str(port),
             "--workers", str(workers)], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, env=env, cwd=root)
    return proc, f"http://{HOST}:{port}"


def wait_until_serving(proc: subprocess.Popen[bytes], url: str, timeout_s: float = 180) -> None:
    """Wait until the class start page answers (or fail with the server's state)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/class/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


def stop_server(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM the server (gunicorn stops its workers); SIGKILL its group if it hangs."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group start_server created
        return proc.wait(timeout=30)


def call(url: str, method: str = "GET", body: dict | None = None, token: str = ""
         ) -> tuple[int, Any]:
    """One JSON request; returns (status, decoded body) for success and refusals alike."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Class-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@dataclass
class ClassRun:
    """What a simulated class did: its code, tokens, move latencies and any failure."""

    code: str
    teacher: str
    tokens: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    played: dict[int, list[str]] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    ended: set[int] = field(default_factory=set)
    """Students whose relationship ended (one partner left, in the model) before the last week:
    they stop there, as a student would, with the moves they played."""


def _student(base: str, run: ClassRun, i: int, token: str, weeks: int) -> tuple:
    names = list(MOVES)
    played, times, failures = [], [], []
    for week in range(1, weeks + 1):
        move = names[(i + week * (i % 3)) % len(names)]  # a different mix per student
        tries = 2 if week == 1 else 1  # week 1 is submitted twice: a double tap
        for _ in range(tries):
            t0 = time.perf_counter()
            status, body = call(f"{base}/class/api/{run.code}/move", "POST",
                                {"week": week, "move": move}, token)
            times.append(time.perf_counter() - t0)
            if status != 200:
                failures.append(f"student {i} week {week}: {status} {body}")
            elif body["played"][week - 1] != move or len(body["played"]) != week:
                failures.append(f"student {i} week {week}: played {body['played']}")
        played.append(move)
        if status == 200 and body["over"] and week < weeks:
            break  # the couple split: the game is over early
    return i, played, times, failures


def _wait_for_week(url: str, token: str, week: int) -> tuple[dict | None, str]:
    """Poll ``/me`` until the couple has played ``week`` (or the deadline passes)."""
    deadline = time.monotonic() + WEEK_DEADLINE_S
    while time.monotonic() < deadline:
        status, body = call(url, token=token)
        if status != 200:
            return None, f"{status} {body}"
        if body["week"] > week or body["over"]:
            return body, ""
        time.sleep(POLL_S)
    return None, f"week {week} did not run within {WEEK_DEADLINE_S} s"


def _paired_student(base: str, run: ClassRun, i: int, token: str, weeks: int) -> tuple:
    played, times, waits, failures = [], [], [], []
    me = f"{base}/class/api/{run.code}/me"
    status, body = call(me, token=token)
    if status != 200:
        return i, played, times, [f"student {i} status: {status} {body}"], waits
    names = [m["name"] for m in body["moves"]]
    for week in range(1, weeks + 1):
        move = names[(i + week * (i % 3)) % len(names)]
        for _ in range(2 if week == 1 else 1):  # week 1 is submitted twice: a double tap
            t0 = time.perf_counter()
            status, body = call(f"{base}/class/api/{run.code}/move", "POST",
                                {"week": week, "move": move}, token)
            times.append(time.perf_counter() - t0)
            ok = status == 200 and ((body["week"] == week and body["waiting"]) or
                                    (body["week"] == week + 1 and body["played"][-1] == move))
            if not ok:
                failures.append(f"student {i} week {week}: {status} {body}")
        t0 = time.perf_counter()
        body, problem = _wait_for_week(me, token, week)
        waits.append(time.perf_counter() - t0)
        if body is None or body["played"][week - 1] != move:
            failures.append(f"student {i} week {week}: {problem or body['played']}")
            break
        played.append(move)
        if body["over"] and week < weeks:
            break  # the couple split: the game is over early
    return i, played, times, failures, waits


def play_class(base: str, students: int, weeks: int, mode: str = "model") -> ClassRun:
    """A teacher starts a class; ``students`` join and play ``weeks`` weeks at once.

    ``mode`` is ``"model"`` (each against the model's partner A) or ``"pairs"``.
    """
    if not 1 <= students <= MAX_SIM_STUDENTS:
        raise ValueError(f"students = {students}: allowed 1 to {MAX_SIM_STUDENTS}")
    status, body = call(f"{base}/class/api/sessions", "POST", {"weeks": weeks, "mode": mode})
    if status != 201:
        raise RuntimeError(f"starting a class: {status} {body}")
    run = ClassRun(body["code"], body["teacher_token"])
    with ThreadPoolExecutor(max_workers=students) as pool:
        joined = list(pool.map(lambda i: call(f"{base}/class/api/{run.code}/join", "POST",
                                              {"name": f"student {i}"}), range(students)))
        for i, (status, body) in enumerate(joined):
            if status != 201:
                run.failures.append(f"student {i} join: {status} {body}")
            run.tokens.append(body.get("token", ""))
            run.names[i] = f"student {i}"
        player = _paired_student if mode == "pairs" else _student
        plays = list(pool.map(lambda i: player(base, run, i, run.tokens[i], weeks),
                              range(students)))
    for i, played, times, failures, *waits in plays:
        run.played[i] = played
        if len(played) < weeks and not failures:
            run.ended.add(i)
        run.latencies += times
        run.failures += failures
        run.waits += waits[0] if waits else []
    return run
