"""A class at once: 30 and 100 students against ``dyadsim dashboard --workers 2`` (gunicorn).

Run: ``.venv/bin/python experiments/bench_load.py [--students 30 100] [--workers 2]``.

It starts ``dyadsim dashboard --host 127.0.0.1 --workers 2`` on a free port (loopback only:
nothing else is contacted) and replays the requests the browser sends, built the way Dash's
renderer builds them: the page (``/``, for the ``end_id`` token the renderer echoes), the
callback list (``/_dash-dependencies``), then ``POST /_dash-update-component`` with the
callback's outputs, inputs and state. Each simulated student is a thread that does, once,
two things, each with all students together (a barrier: the class opens the couple page at
the same moment, then, when every student has the couple, clicks *Run sweep* at once):

1. *couple run*: draws the couple page for the default view with its own seed (the callback
   behind the couple figure; a new seed is a new run, never a cache hit), timed to its
   response;
2. *sweep*: clicks *Run sweep* on a small sweep (``--points`` x ``--points`` x ``--reps``,
   its own seed), a Dash background callback: the job is started and then polled every
   200 ms (the page's interval) with its signed ``cacheKey``/``job`` until the result
   arrives, timed from the click to the result.

An error is any answer other than HTTP 200 (or 204), a body without the result, a request
failure, or a student unfinished at the deadline (``--timeout`` seconds per round). The
server's RSS is the sum of ``VmRSS`` over the gunicorn master, its workers and their job
processes, read from ``/proc`` every 0.2 s; the peak is reported. It prints a Markdown table
with p50/p95 of each, and writes the numbers as JSON with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COUPLE_OUTPUT = "couple-graph.figure"
SWEEP_OUTPUT = "sweep-result.data"
START_TIMEOUT_S = 180


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The server -------------------------------------------------------------------------------


def start_server(port: int, workers: int) -> subprocess.Popen:
    """``dyadsim dashboard --workers N`` on 127.0.0.1, once it answers ``/``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dyadsim.cli", "dashboard", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S} s")


def stop_server(server: subprocess.Popen) -> str:
    """Stop the server (SIGTERM, as Ctrl+C would) and return its log."""
    server.send_signal(signal.SIGTERM)
    try:
        _, err = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        _, err = server.communicate()
    return err


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MiB (from ``/proc``)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(_children(p))
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(found.group(1)) if found else 0
    return total / 1024


class RssSampler(threading.Thread):
    """Samples the server tree's RSS every 0.2 s; ``peak`` is the largest seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self.done.wait(0.2)


# --- Requests as the renderer builds them ------------------------------------------------------


def get(url: str) -> str:
    """The body of a GET."""
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def end_id(page: str) -> str:
    """The signed ``end_id`` the renderer sends with every callback (from ``_dash-config``)."""
    found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                      page, re.S)
    if not found:
        raise RuntimeError("the page has no _dash-config")
    return json.loads(found.group(1))["end_id"]


def _outputs(spec: str) -> list[dict[str, str]] | dict[str, str]:
    """The renderer's ``outputs``: one ``{id, property}`` or a list of them (``..a.b...c.d..``)."""
    def one(text: str) -> dict[str, str]:
        cid, prop = text.rsplit(".", 1)
        return {"id": cid, "property": prop}

    if spec.startswith("..") and spec.endswith(".."):
        return [one(part) for part in spec[2:-2].split("...")]
    return one(spec)


def find_callback(dependencies: list[dict[str, Any]], output: str) -> dict[str, Any]:
    """The callback (from ``/_dash-dependencies``) that has ``output`` among its outputs."""
    for dep in dependencies:
        if f"..{output}.." in dep["output"] or dep["output"] == output:
            return dep
    raise RuntimeError(f"no callback outputs {output}")


def payload(dep: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /_dash-update-component``; ``values`` by ``"id.property"``."""
    def items(kind: str) -> list[dict[str, Any]]:
        return [{"id": i["id"], "property": i["property"],
                 "value": values.get(f"{i['id']}.{i['property']}")} for i in dep[kind]]

    inputs = items("inputs")
    return {"output": dep["output"], "outputs": _outputs(dep["output"]), "inputs": inputs,
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs[:1]],
            "state": items("state")}


def post(base: str, body: dict[str, Any], args: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST a callback; its status and JSON (``{}`` for 204)."""
    query = "&".join(f"{k}={urllib.request.quote(v, safe='')}" for k, v in args.items())
    request = urllib.request.Request(
        f"{base}/_dash-update-component?{query}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else {})
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def background(base: str, dep: dict[str, Any], values: dict[str, Any], token: str,
               deadline: float) -> dict[str, Any]:
    """Run a background callback as the renderer does: start the job, poll until done."""
    body = payload(dep, values)
    status, data = post(base, body, {"endId": token})
    if status != 200:
        raise RuntimeError(f"HTTP {status} starting the job")
    if "response" in data:
        return data  # cached
    handles = {"endId": token, "cacheKey": data["cacheKey"], "job": data["job"]}
    polled = {**body, "inputs": [{**i, "value": None} for i in body["inputs"]],
              "state": [{**s, "value": None} for s in body["state"]]}
    interval = (dep.get("background") or {}).get("interval", 500) / 1000
    while time.monotonic() < deadline:
        time.sleep(interval)
        status, data = post(base, polled, handles)
        if status != 200:
            raise RuntimeError(f"HTTP {status} polling the job")
        if "response" in data:
            return data
    raise TimeoutError("the job did not finish before the deadline")


# --- Students ----------------------------------------------------------------------------------


def student_views(n: int, points: int, reps: int) -> list[tuple[dict, dict]]:
    """Each student's couple view and sweep spec (own seeds: nothing is a cache hit)."""
    from dashboard import compute
    from dashboard import view as views

    out = []
    for k in range(n):
        view = {**views.default_view(), "seed": str(10_000 + k)}
        spec = {**compute.sweep_spec(view), "points": points, "reps": reps}
        out.append((view, spec))
    return out


def run_class(base: str, students: int, points: int, reps: int, timeout: float
              ) -> dict[str, Any]:
    """One round: every student a couple run, then a sweep; latencies and errors."""
    deps = json.loads(get(f"{base}/_dash-dependencies"))
    token = end_id(get(f"{base}/"))
    couple_dep, sweep_dep = find_callback(deps, COUPLE_OUTPUT), find_callback(deps, SWEEP_OUTPUT)
    plans = student_views(students, points, reps)
    couple_s: list[float] = []
    sweep_s: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier, sweeps = threading.Barrier(students), threading.Barrier(students)
    deadline = time.monotonic() + timeout

    def fail(k: int, exc: Exception) -> None:
        with lock:
            errors.append(f"student {k}: {type(exc).__name__}: {exc}")

    def student(k: int) -> None:
        view, spec = plans[k]
        barrier.wait()
        try:
            started = time.perf_counter()
            status, data = post(base, payload(couple_dep, {"cursor.data": None,
                                                           "view.data": view}),
                                {"endId": token})
            took = time.perf_counter() - started
            if status != 200 or "response" not in data:
                raise RuntimeError(f"couple run: HTTP {status}")
            with lock:
                couple_s.append(took)
        except Exception as exc:  # every failure is counted, none stops the class
            fail(k, exc)
        try:
            sweeps.wait(max(0.0, deadline - time.monotonic()))
            started = time.perf_counter()
            background(base, sweep_dep, {"sweep-run.n_clicks": 1, "sweep-spec.data": spec},
                       token, deadline)
            with lock:
                sweep_s.append(time.perf_counter() - started)
        except Exception as exc:
            fail(k, exc)

    threads = [threading.Thread(target=student, args=(k,), daemon=True)
               for k in range(students)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 1)
    unfinished = sum(t.is_alive() for t in threads)
    errors += [f"{unfinished} students unfinished at the deadline"] if unfinished else []
    return {"students": students, "wall_s": time.perf_counter() - began,
            "couple": couple_s, "sweep": sweep_s, "errors": errors}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (NaN for none)."""
    return float(np.percentile(values, q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Serve, run each class size, print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, nargs="+", default=[30, 100])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--points", type=int, default=5, help="sweep grid points per axis")
    p.add_argument("--reps", type=int, default=10, help="sweep replicates per cell")
    p.add_argument("--timeout", type=float, default=300, help="seconds per class size")
    p.add_argument("--out", type=Path, help="write the numbers as JSON")
    p.add_argument("--log", type=Path, help="write the server's log (stderr) here")
    args = p.parse_args(argv)
    if max(args.students) > 500 or args.workers > 16:
        p.error("at most 500 students and 16 workers")
    port = free_port()
    server = start_server(port, args.workers)
    base, rows = f"http://127.0.0.1:{port}", []
    try:
        for n in args.students:
            sampler = RssSampler(server.pid)
            sampler.start()
            result = run_class(base, n, args.points, args.reps, args.timeout)
            sampler.done.set()
            sampler.join()
            rows.append({**result, "rss_peak_mib": sampler.peak,
                         "rss_after_mib": tree_rss_mib(server.pid)})
    finally:
        log = stop_server(server)
    print(f"gunicorn, {args.workers} workers, 127.0.0.1; sweep {args.points}x{args.points}"
          f"x{args.reps} reps x 500 steps; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores\n")
    print("| students | couple run p50 / p95 (s) | sweep p50 / p95 (s) | errors "
          "| server RSS peak (MiB) | wall (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['students']} | {pct(r['couple'], 50):.3f} / {pct(r['couple'], 95):.3f} "
              f"| {pct(r['sweep'], 50):.2f} / {pct(r['sweep'], 95):.2f} | {len(r['errors'])} "
              f"| {r['rss_peak_mib']:.0f} | {r['wall_s']:.1f} |")
        for e in r["errors"][:5]:
            print(f"  {e}")
    tracebacks = log.count("Traceback")
    if args.log:
        args.log.write_text(log)
    print(f"\nserver log: {tracebacks} tracebacks")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))
    return 1 if tracebacks or any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
