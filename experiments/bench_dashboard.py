"""Dashboard latency: an interactive sweep's compute time, click to heatmap in a browser, vs Mesa.

Run: ``.venv/bin/python experiments/bench_dashboard.py [--repeats N] [--skip-browser]``.

The interactive size is the dashboard's default sweep (``dashboard.views.default_view()``):
``partner_a.anxiety`` 0..1 x ``partner_b.avoidance`` 0..1, 21 x 21 points x 20 replicates
x 500 steps (8,820 dyad-runs). What it measures, in one run of the script:

1. Compute: ``dashboard.compute.grid_sweep`` on that spec, run as the dashboard runs it, in a
   process forked from a parent that has called ``dashboard.app.warm_kernel()`` (Numba's
   ``workqueue`` threading layer, kernel loaded). Timed inside the child with
   ``perf_counter``; a new seed each repeat, so nothing is cached.
2. End to end: ``dyadsim dashboard`` served on a free port of 127.0.0.1, driven by Debian's
   Chromium (headless, through Playwright, no download). Each repeat loads
   ``/?page=sweep&seed=S`` with a new seed and times from the click on *Run sweep* until the
   status says "Done" and the 21 x 21 heatmap is drawn; the status line's own seconds (the
   ``grid_sweep`` of that click, in the server's job process) are reported beside it, to
   separate the web round trip from the machine's noise. Then the cached case: the URL of an
   earlier repeat again (same seed), where Dash's background-callback cache answers
   without running the sweep.
3. Baseline, in the same run: the same sweep on the Mesa model (``dyadsim.runs.run_mesa``,
   one process), measured on a subset (3 x 3 of the grid's points x 2 of its replicate seeds)
   and extrapolated to 21 x 21 x 20 dyad-runs from its seconds per dyad-run.

It prints a Markdown table (medians, ranges, repeats), the ratios Mesa estimate / compute
and end to end / compute, and the machine. Only 127.0.0.1 is contacted. The default
(5 repeats) takes about a minute on 2 cores (up to ~3 on a busy machine), most of it the
server's start and page loads.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib.metadata import version
from typing import Any

from dashboard import compute
from dashboard import view as views
from dashboard.app import warm_kernel
from dyadsim.params import make_params
from dyadsim.runs import run_mesa
from dyadsim.streams import run_seeds

ROOT_SEED = 20261121  # compute repeats use ROOT_SEED + i, browser repeats ROOT_SEED + 100 + i
MESA_POINTS = 3  # grid points per axis in the Mesa subset (spread over the axis)
MESA_REPS = 2  # replicate seeds per Mesa cell (the sweep's first seeds)
SERVER_TIMEOUT = 180.0  # seconds to wait for the server to answer
CLICK_TIMEOUT_MS = 120_000
SETTLE_SECONDS = 1.0  # after the page's callbacks go quiet, before the click
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Loopback only: no proxy, and no host name resolves except the server's address.
    "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
#: True once the sweep is done and its heatmap drawn: ``points`` rows of z as Plotly decoded
#: them (the figure arrives with z as a base64 typed array) and the heatmap's image in the SVG.
HEATMAP_DRAWN = """points => {
    const status = document.querySelector('#sweep-status');
    const plot = document.querySelector('#heatmap .js-plotly-plot');
    if (!status || !status.textContent.startsWith('Done') || !plot || !plot._fullData) {
        return false;
    }
    const trace = plot._fullData[0];
    return !!trace && trace.type === 'heatmap' && !!trace.z && trace.z.length === points
        && !!plot.querySelector('.heatmaplayer image');
}"""


def interactive_view(seed: int) -> dict[str, Any]:
    """The dashboard's default sweep page with this seed."""
    view = views.default_view()
    view["page"] = "sweep"
    view["seed"] = seed
    return view


def describe(spec: dict[str, Any]) -> str:
    scenario = views.resolve(spec)
    return (f"{spec['x']['name']} {spec['x']['low']:g}..{spec['x']['high']:g} x "
            f"{spec['y']['name']} {spec['y']['low']:g}..{spec['y']['high']:g}, "
            f"{spec['points']} x {spec['points']} points x {spec['reps']} replicates x "
            f"{scenario.steps} steps")


# --- 1. Compute in a forked job process ----------------------------------------------------


def _sweep_child(spec: dict[str, Any], conn: Any) -> None:
    start = time.perf_counter()
    result = compute.grid_sweep(spec)
    seconds = time.perf_counter() - start
    cells = len(result["x"]["values"]) * len(result["y"]["values"])
    conn.send({"seconds": seconds, "cells": cells, "reps": result["reps"],
               "steps": result["steps"], "trap": result["tables"]["trap"]["value"][0][0]})
    conn.close()


def time_compute(repeats: int) -> list[dict[str, Any]]:
    """``grid_sweep`` in a process forked from this (warmed) one, a new seed each repeat."""
    ctx = multiprocessing.get_context("fork")
    out = []
    for i in range(repeats):
        spec = compute.sweep_spec(interactive_view(ROOT_SEED + i))
        parent, child = ctx.Pipe(duplex=False)
        fork_start = time.perf_counter()
        proc = ctx.Process(target=_sweep_child, args=(spec, child))
        proc.start()
        child.close()
        got = parent.recv()
        proc.join()
        got["job_seconds"] = time.perf_counter() - fork_start  # incl. fork and exit
        if proc.exitcode != 0:
            raise RuntimeError(f"sweep child exited with {proc.exitcode}")
        out.append(got)
    return out


# --- 3. The Mesa baseline on a subset ------------------------------------------------------


def time_mesa(points: int, reps: int) -> dict[str, Any]:
    """The Mesa model at a spread of the grid's cells and the sweep's first seeds."""
    view = interactive_view(ROOT_SEED)
    spec = compute.sweep_spec(view)
    scenario = views.resolve(spec)
    xs = compute._axis_values(spec["x"], spec["points"])
    ys = compute._axis_values(spec["y"], spec["points"])
    pick = [round(k * (spec["points"] - 1) / (points - 1)) for k in range(points)]
    names = (spec["x"]["name"], spec["y"]["name"])
    fixed = {k: v for k, v in scenario.params.items() if k not in names}
    seeds = run_seeds(scenario.seed, int(spec["reps"]))[:reps]
    steps, timeline = scenario.steps, scenario.timeline()
    runs = 0
    start = time.perf_counter()
    for i in pick:
        for j in pick:
            settings = {**fixed, names[0]: float(xs[i]), names[1]: float(ys[j])}
            explicit = set(settings) - {"run.seed"}
            values = make_params(settings)
            for seed in seeds:
                run_mesa(values, seed, steps, timeline, explicit)
                runs += 1
    seconds = time.perf_counter() - start
    full = int(spec["points"]) ** 2 * int(spec["reps"])
    per_run = seconds / runs
    return {"runs": runs, "seconds": seconds, "per_run": per_run, "full_runs": full,
            "estimate": per_run * full, "steps": steps,
            "x": [float(xs[i]) for i in pick], "y": [float(ys[j]) for j in pick]}


# --- 2. End to end in a browser ------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_server(url: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    """Poll ``url`` (no proxy) until it answers 200; the seconds it took."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard server exited with {proc.returncode}")
        try:
            with opener.open(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the dashboard server did not answer {url} within {timeout:.0f} s")


def click_to_heatmap(page: Any, url: str, points: int) -> tuple[float, float]:
    """Load ``url``, let it settle, then time the click on Run sweep until the heatmap.

    Returns the seconds and the sweep's own seconds from the status line ("Done: ... in X s",
    timed by ``grid_sweep`` in the server's job process; for a cached answer, the original's).
    """
    page.goto(url, wait_until="load")
    page.wait_for_selector("#sweep-run:not([disabled])")
    page.wait_for_load_state("networkidle")
    time.sleep(SETTLE_SECONDS)
    start = time.perf_counter()
    page.click("#sweep-run")
    page.wait_for_function(HEATMAP_DRAWN, arg=points, timeout=CLICK_TIMEOUT_MS)
    seconds = time.perf_counter() - start
    found = re.search(r" in ([0-9.]+) s\.?$", page.inner_text("#sweep-status").strip())
    return seconds, float(found.group(1)) if found else float("nan")


def time_browser(repeats: int) -> dict[str, Any]:
    """Serve the dashboard, time fresh and cached click-to-heatmap; always stop the server."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "dyadsim.cli", "dashboard", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    elsewhere: list[str] = []
    try:
        startup = wait_for_server(base, server, SERVER_TIMEOUT)
        points = int(views.DEFAULT_VIEW["points"])
        seeds = [ROOT_SEED + 100 + i for i in range(repeats)]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.on("request", lambda r: None if r.url.startswith(
                    ("http://127.0.0.1:", "data:", "blob:", "about:")) else elsewhere.append(r.url))
                fresh = [click_to_heatmap(page, f"{base}?page=sweep&seed={s}", points)
                         for s in seeds]
                cached = [click_to_heatmap(page, f"{base}?page=sweep&seed={s}", points)[0]
                          for s in seeds]
            finally:
                browser.close()
    except Exception:
        log.seek(0)
        tail = log.read().decode(errors="replace")[-3000:]
        print(f"Dashboard server output (tail):\n{tail}", file=sys.stderr)
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return {"startup": startup, "fresh": [t for t, _ in fresh],
            "server_compute": [c for _, c in fresh], "cached": cached, "elsewhere": elsewhere,
            "port": port}


# --- Report --------------------------------------------------------------------------------


def span(times: list[float]) -> str:
    return f"{min(times):.2f}–{max(times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed repeats of each measurement (default 5)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="compute and Mesa baseline only (no server, no browser)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats needs a whole number >= 1")
    wall_start = time.perf_counter()
    spec = compute.sweep_spec(interactive_view(ROOT_SEED))
    full_runs = int(spec["points"]) ** 2 * int(spec["reps"])
    print(f"Interactive sweep: {describe(spec)} = {full_runs:,} dyad-runs\n")

    start = time.perf_counter()
    warm_kernel()
    warm = time.perf_counter() - start
    import numba  # after warm_kernel, which chooses the threading layer

    layer = numba.threading_layer()
    print(f"warm_kernel() in the parent: {warm:.2f} s (Numba threading layer {layer}, "
          f"{numba.get_num_threads()} threads)")
    jobs = time_compute(args.repeats)
    comp = [j["seconds"] for j in jobs]
    job = [j["job_seconds"] for j in jobs]
    comp_median = statistics.median(comp)
    print(f"Compute, grid_sweep in a forked process ({args.repeats} seeds from {ROOT_SEED}): "
          f"median {comp_median:.2f} s ({', '.join(f'{t:.2f}' for t in comp)}); "
          f"fork to exit median {statistics.median(job):.2f} s")

    m = time_mesa(MESA_POINTS, MESA_REPS)
    print(f"Mesa baseline (one process): {m['runs']} dyad-runs x {m['steps']} steps "
          f"(partner_a.anxiety {[round(v, 2) for v in m['x']]} x partner_b.avoidance "
          f"{[round(v, 2) for v in m['y']]} x {MESA_REPS} seeds) in {m['seconds']:.2f} s = "
          f"{m['per_run']:.3f} s per dyad-run; EXTRAPOLATED to {m['full_runs']:,} dyad-runs: "
          f"{m['estimate']:,.0f} s")

    b: dict[str, Any] | None = None
    if not args.skip_browser:
        b = time_browser(args.repeats)
        print(f"Dashboard server on 127.0.0.1:{b['port']} answered after {b['startup']:.1f} s "
              f"(warm-up included)")
        print(f"End to end, click to heatmap, new seed: median "
              f"{statistics.median(b['fresh']):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in b['fresh'])})")
        print(f"  of which grid_sweep in the server's job process (its status line): median "
              f"{statistics.median(b['server_compute']):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in b['server_compute'])})")
        print(f"End to end, click to heatmap, cached (same URL again): median "
              f"{statistics.median(b['cached']):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in b['cached'])})")
        print(f"Requests to anything but 127.0.0.1: {len(b['elsewhere'])}"
              + (f" ({', '.join(b['elsewhere'][:5])})" if b["elsewhere"] else ""))

    machine = (f"{platform.platform()}, {platform.processor() or platform.machine()}, "
               f"os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}")
    versions = ", ".join(f"{p} {version(p)}" for p in ("dash", "mesa", "numba", "playwright"))
    size = f"{spec['points']}×{spec['points']}×{spec['reps']}×{views.resolve(spec).steps}"
    print(f"\n| what ({size}) | median s | range s | repeats |")
    print("|---|---:|---:|---:|")
    print(f"| compute: `grid_sweep` in a forked job process | {comp_median:.2f} | {span(comp)} "
          f"| {args.repeats} |")
    if b is not None:
        print(f"| end to end: click *Run sweep* → heatmap drawn (Chromium) | "
              f"{statistics.median(b['fresh']):.2f} | {span(b['fresh'])} | {args.repeats} |")
        print(f"| … of which `grid_sweep` in the server's job (status line) | "
              f"{statistics.median(b['server_compute']):.2f} | {span(b['server_compute'])} "
              f"| {args.repeats} |")
        print(f"| end to end, cached (same settings again) | "
              f"{statistics.median(b['cached']):.2f} | {span(b['cached'])} | {args.repeats} |")
    print(f"| Mesa model, one process (**extrapolated** from {m['runs']} dyad-runs) | "
          f"{m['estimate']:,.0f} | – | 1 |")
    print()
    print(f"- Mesa estimate / compute: {m['estimate'] / comp_median:,.0f}x")
    if b is not None:
        fresh = statistics.median(b["fresh"])
        print(f"- end to end / compute: {fresh / comp_median:.2f}x "
              f"(web round trip, job process and drawing: +{fresh - comp_median:.2f} s)")
        pairs = zip(b["fresh"], b["server_compute"], strict=True)
        own = statistics.median(t / c for t, c in pairs)
        print(f"- end to end / the same click's own `grid_sweep` (median of per-click ratios): "
              f"{own:.2f}x")
        print(f"- cached end to end / compute: {statistics.median(b['cached']) / comp_median:.2f}x")
    print(f"- os.cpu_count() = {os.cpu_count()}; Numba threading layer {layer}")
    total = time.perf_counter() - wall_start
    print(f"\nMeasured on {machine}; {versions}. Medians of {args.repeats} repeats on a shared "
          f"machine; the Mesa figure is an extrapolation, not a measured full sweep. "
          f"Total benchmark time {total:.0f} s.")


if __name__ == "__main__":
    main()
