"""Throughput of the two engines: Mesa's ``batch_run`` on ``DyadModel`` vs the Numba batch engine.

Run: ``.venv/bin/python experiments/bench_engines.py [--quick] [--json FILE]``.

What it measures, in one run of the script:

1. The same sweep through both engines: ``partner_a.anxiety`` x ``partner_b.avoidance``
   (3 x 3 points) x ``--reps`` fixed seeds, ``--steps`` steps. Mesa: ``mesa.batch_run`` with
   2 processes, the model's DataCollector recording every step (part of what the Mesa model
   costs), timed once, pool start-up included. Batch engine: ``dyadsim.batch.run_batch`` on
   the same parameters and seeds; its first call in this process (compile or cache load)
   is timed on its own, then the median of 5 warm calls. Throughput counts the dyad-steps
   actually run (a dissolved couple stops early). Both engines' last steps are compared on
   every run, and outcome classes (``dyadsim.runs.run_mesa``) on 3 runs.
2. The batch engine alone at scale: ``--dyads`` dyads (default parameters, a spread of
   ``partner_a.anxiety``) for 1,000 steps with 1 and 2 threads, and ``--record-dyads`` dyads
   with ``record_every=10``; median of 3 calls, each configuration in a fresh subprocess
   (``experiments/kernel_rate.py``) so its peak RSS (``ru_maxrss``) is clean.
3. The kernel against an earlier one (``--baseline REV``, default the commit before Model
   2.0, issue 15): the package at REV is unpacked from git into a temporary folder and the 2-thread
   configuration runs alternately on it and on the working tree, 3 processes each; the
   ratio of the median rates, and whether both computed identical outcomes, metrics and
   last steps (a digest of the arrays).
4. ``dyadsim run --reps 100000 --steps 1000`` as a whole process (:func:`bench_cli_run`): a
   subprocess, its wall time and its own peak RSS (``os.wait4`` on its pid; run last), imports,
   compile-cache load and the summary included; goal under 15 s and 1 GiB on 2 cores.
   ``--cli-only`` runs just this part.

It ends with a Markdown table for the README, the machine and the library versions.
The default takes about 2 minutes on 2 cores; ``--quick`` about 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mesa
import numba
import numpy as np

from dyadsim import batch, params
from dyadsim.model import DyadModel
from dyadsim.outcomes import METRIC_NAMES
from dyadsim.runs import run_mesa as mesa_run

ANXIETY = (0.2, 0.5, 0.8)
AVOIDANCE = (0.2, 0.5, 0.8)
ROOT_SEED = 20261121
SCALE_STEPS = 1000
RECORD_EVERY = 10
SWEEP_REPEATS = 5  # warm batch-engine calls on the sweep (median)
SCALE_REPEATS = 3  # calls per configuration at scale (median)
MIB = 1024 * 1024


def sweep_runs(reps: int) -> list[tuple[float, float, int]]:
    """The sweep's runs as (partner_a.anxiety, partner_b.avoidance, seed)."""
    seeds = [ROOT_SEED + i for i in range(reps)]
    return [(a, v, s) for s in seeds for a in ANXIETY for v in AVOIDANCE]


def peak_rss_bytes(who: int = resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # KiB on Linux


def run_mesa(reps: int, steps: int) -> dict[str, Any]:
    """The sweep through ``mesa.batch_run`` (2 processes); one timed call."""
    seeds = [ROOT_SEED + i for i in range(reps)]
    # Seeds go in batch_run's own ``rng`` argument: a "rng" entry in ``parameters`` would be
    # overwritten by batch_run (with None when ``iterations`` is given).
    start = time.perf_counter()
    rows = mesa.batch_run(
        DyadModel,
        parameters={"partner_a.anxiety": list(ANXIETY), "partner_b.avoidance": list(AVOIDANCE)},
        rng=seeds,
        max_steps=steps,
        number_processes=2,
        data_collection_period=-1,
        display_progress=False,
    )
    wall = time.perf_counter() - start
    worker_peak = peak_rss_bytes(resource.RUSAGE_CHILDREN)  # largest reaped pool worker
    final: dict[tuple[float, float, int], tuple[int, bool]] = {}
    for row in rows:  # one row per agent of each run's last collected step
        key = (row["partner_a.anxiety"], row["partner_b.avoidance"], row["rng"])
        final[key] = (int(row["Step"]), bool(row["dyad.dissolved"]))
    start = time.perf_counter()  # pool start-up and imports alone: 2 runs of 1 step
    mesa.batch_run(DyadModel, parameters={}, rng=[1, 2], max_steps=1, number_processes=2,
                   data_collection_period=-1, display_progress=False)
    overhead = time.perf_counter() - start
    actual = sum(step for step, _ in final.values())
    return {"runs": len(final), "steps": steps, "nominal_dyad_steps": len(final) * steps,
            "dyad_steps": actual, "seconds": wall, "rate": actual / wall,
            "pool_overhead_seconds": overhead, "worker_peak_rss": worker_peak,
            "dissolved": sum(d for _, d in final.values()), "final": final}


def run_batch_sweep(reps: int, steps: int) -> tuple[dict[str, Any], batch.BatchResult]:
    """The same sweep through ``run_batch``: first call timed alone, then median of warm calls."""
    runs = sweep_runs(reps)
    matrix = params.param_matrix(None, {
        "partner_a.anxiety": np.array([a for a, _, _ in runs]),
        "partner_b.avoidance": np.array([v for _, v, _ in runs]),
    })
    seeds = np.array([s for _, _, s in runs], dtype=np.uint64)
    start = time.perf_counter()
    result = batch.run_batch(matrix, seeds, steps)
    first = time.perf_counter() - start
    stats = getattr(batch._kernel, "stats", None)  # Numba's cache hits/misses, if exposed
    cache = ("cache load" if stats and stats.cache_hits else
             "compiled" if stats and stats.cache_misses else "unknown")
    times = []
    for _ in range(SWEEP_REPEATS):
        start = time.perf_counter()
        result = batch.run_batch(matrix, seeds, steps)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    actual = int(result.last_step.sum())
    return {"runs": len(runs), "steps": steps, "nominal_dyad_steps": len(runs) * steps,
            "dyad_steps": actual, "seconds": seconds, "times": times, "rate": actual / seconds,
            "first_call_seconds": first, "first_call": cache,
            "threads": numba.get_num_threads(),
            "dissolved": result.outcome_names().count("dissolved")}, result


def check_agreement(
    reps: int, steps: int, final: dict[tuple[float, float, int], tuple[int, bool]],
    result: batch.BatchResult, n_outcomes: int = 3,
) -> dict[str, Any]:
    """Last steps on every run; outcome class and metrics (via ``run_mesa``) on a few."""
    runs = sweep_runs(reps)
    names = result.outcome_names()
    dissolved = [names[i] == "dissolved" for i in range(len(runs))]
    same_last = sum(final[run] == (int(result.last_step[i]), dissolved[i])
                    for i, run in enumerate(runs))
    # A dissolved run, one that lasted, and the last run (as available).
    picks = [next((i for i, d in enumerate(dissolved) if d), None),
             next((i for i, d in enumerate(dissolved) if not d), None), len(runs) - 1]
    chosen = list(dict.fromkeys(i for i in picks if i is not None))
    chosen += [i for i in range(len(runs)) if i not in chosen][: n_outcomes - len(chosen)]
    agree, worst = 0, 0.0
    for i in chosen:
        a, v, seed = runs[i]
        res = mesa_run({"partner_a.anxiety": a, "partner_b.avoidance": v}, seed, steps)
        agree += res.outcome == names[i]
        mesa_metrics = np.array([res.metrics[m] for m in METRIC_NAMES])
        diff = np.abs(mesa_metrics - result.metrics[i])
        both_nan = np.isnan(mesa_metrics) & np.isnan(result.metrics[i])
        worst = max(worst, float(np.nanmax(np.where(both_nan, 0.0, diff))))
    return {"last_step_agree": same_last, "runs": len(runs), "outcome_agree": agree,
            "outcome_checked": len(chosen), "max_metric_diff": worst}


KERNEL_RATE = Path(__file__).with_name("kernel_rate.py")
BASELINE = "1437e84"
"""The last commit before Model 2.0 (issue 15): the kernel of the first model, after issue 13
wrote the episode once (``dde15c2`` is the commit before that)."""


def measure_in_subprocess(spec: dict[str, Any], tree: Path | None = None) -> dict[str, Any]:
    """:mod:`kernel_rate` in a fresh process, on the working tree or on ``tree``'s package."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    out = subprocess.run([sys.executable, str(KERNEL_RATE), json.dumps(spec)], check=True,
                         capture_output=True, text=True, env=env, cwd=tree or Path.cwd())
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_tree(rev: str, into: Path) -> Path:
    """The ``dyadsim`` package as it was at commit ``rev``, unpacked under ``into``."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(root), "archive", rev, "dyadsim"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


CLI_REPS, CLI_STEPS = 100_000, 1_000
CLI_GOAL_SECONDS, CLI_GOAL_RSS = 15.0, 1 << 30


def bench_cli_run(reps: int = CLI_REPS, steps: int = CLI_STEPS) -> dict[str, Any]:
    """``dyadsim run --reps R --steps S --json`` in a fresh process: wall time and peak RSS.

    The child's own peak RSS comes from ``wait4`` on its pid, so other children of this
    benchmark do not mix in; it runs last, so that it does not mix into theirs either (the
    Mesa pool's workers are read from ``RUSAGE_CHILDREN``).
    """
    command = [sys.executable, "-m", "dyadsim.cli", "run", "--reps", str(reps), "--steps",
               str(steps), "--json"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr}")
    peak = usage.ru_maxrss * 1024
    done = subprocess.CompletedProcess(command, child.returncode, stdout, stderr)
    summary = json.loads(done.stdout)
    return {"command": f"dyadsim run --reps {reps} --steps {steps} --json",
            "reps": reps, "steps": steps, "seconds": seconds, "peak_rss": peak,
            "n": summary["n"], "trap": summary["outcomes"]["escalated"]
            + summary["outcomes"]["cycling"],
            "meets_goal": seconds < CLI_GOAL_SECONDS and peak < CLI_GOAL_RSS}


def print_cli_run(r: dict[str, Any]) -> None:
    """One line for :func:`bench_cli_run`'s numbers, and the goal."""
    verdict = "meets" if r["meets_goal"] else "misses"
    print(f"`{r['command']}` as a whole process: {r['seconds']:.1f} s wall, peak RSS "
          f"{mib(r['peak_rss'])} ({verdict} the goal of < {CLI_GOAL_SECONDS:g} s and < "
          f"{mib(CLI_GOAL_RSS)}); {r['n']:,} runs summarised")


def mib(n: float) -> str:
    return f"{n / MIB:,.1f} MiB"


def rate(r: float) -> str:
    return f"{r:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 seeds per point, 20,000 dyads at scale, 2,000 recorded")
    parser.add_argument("--reps", type=int, help="seeds per sweep point (default 4)")
    parser.add_argument("--steps", type=int, default=500, help="steps of the sweep")
    parser.add_argument("--dyads", type=int, help="dyads at scale (default 100,000)")
    parser.add_argument("--record-dyads", type=int, help="dyads with record_every=10 "
                        "(default 10,000)")
    parser.add_argument("--json", metavar="FILE", help="also save the numbers here")
    parser.add_argument("--baseline", default=BASELINE, metavar="REV",
                        help=f"the commit whose kernel to compare with (default {BASELINE}, "
                        "the first model's kernel, before issue 15); 'none' skips it")
    parser.add_argument("--cli-only", action="store_true",
                        help="only time `dyadsim run --reps 100000 --steps 1000`")
    args = parser.parse_args()
    if args.cli_only:
        cli = bench_cli_run()
        print_cli_run(cli)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"cli_run": cli}, f, indent=2)
        return
    reps = args.reps or (2 if args.quick else 4)
    dyads = args.dyads or (20_000 if args.quick else 100_000)
    record_dyads = args.record_dyads or (2_000 if args.quick else 10_000)
    wall_start = time.perf_counter()

    print(f"Sweep: partner_a.anxiety {list(ANXIETY)} x partner_b.avoidance {list(AVOIDANCE)} "
          f"x {reps} seeds ({ROOT_SEED}..), {args.steps} steps\n")
    m = run_mesa(reps, args.steps)
    print(f"Mesa batch_run (2 processes, DataCollector every step): {m['runs']} runs, "
          f"{m['dyad_steps']:,} of {m['nominal_dyad_steps']:,} nominal dyad-steps "
          f"({m['dissolved']} dissolved) in {m['seconds']:.2f} s = {rate(m['rate'])} "
          f"dyad-steps/s")
    print(f"  of which pool start-up + imports ~{m['pool_overhead_seconds']:.2f} s "
          f"(a 2-run, 1-step batch_run); worker peak RSS {mib(m['worker_peak_rss'])}")
    b, result = run_batch_sweep(reps, args.steps)
    ratio = b["rate"] / m["rate"]
    print(f"Batch engine ({b['threads']} threads): first call incl. compile/cache load "
          f"{b['first_call_seconds']:.3f} s ({b['first_call']}); warm median of "
          f"{SWEEP_REPEATS} {b['seconds'] * 1e3:.2f} ms = {rate(b['rate'])} dyad-steps/s")
    print(f"  same dyad-steps: {b['dyad_steps']:,} ({b['dissolved']} dissolved)")
    print(f"Ratio batch/Mesa on this sweep: {ratio:,.0f}x")
    agree = check_agreement(reps, args.steps, m.pop("final"), result)
    print(f"Last step and dissolution agree on {agree['last_step_agree']}/{agree['runs']} runs;"
          f" engines agree on {agree['outcome_agree']}/{agree['outcome_checked']} checked runs"
          f" (outcome class; max |metric difference| {agree['max_metric_diff']:.2g})\n")

    specs = [
        {"dyads": dyads, "steps": SCALE_STEPS, "threads": 1, "every": 0},
        {"dyads": dyads, "steps": SCALE_STEPS, "threads": 2, "every": 0},
        {"dyads": record_dyads, "steps": SCALE_STEPS, "threads": 2, "every": RECORD_EVERY},
    ]
    scale = []
    for spec in specs:
        r = measure_in_subprocess({**spec, "repeats": SCALE_REPEATS})
        scale.append(r)
        rec = f", record_every={r['every']}" if r["every"] else ""
        print(f"Batch engine, {r['dyads']:,} dyads x {r['steps']:,} steps, {r['threads']} "
              f"thread(s){rec}: median of {SCALE_REPEATS} {r['seconds']:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in r['times'])}) = {rate(r['rate'])} dyad-steps/s "
              f"({r['dyad_steps']:,} of {r['nominal_dyad_steps']:,} nominal)")
        print(f"  peak RSS {mib(r['peak_rss'])}, +{mib(r['rss_growth'])} over the process "
              f"before the calls; returned arrays {mib(r['result_bytes'])} "
              f"(input matrix {mib(r['input_bytes'])})")
    speedup = scale[1]["rate"] / scale[0]["rate"]
    print(f"2 threads vs 1: {speedup:.2f}x")
    versus = None
    if args.baseline != "none":
        with tempfile.TemporaryDirectory() as tmp:
            tree = baseline_tree(args.baseline, Path(tmp))
            runs = []  # alternate the two kernels so that load on the machine hits both
            for _ in range(SCALE_REPEATS):
                for who in ("baseline", "current"):
                    r = measure_in_subprocess({**specs[1], "repeats": 1},
                                              tree if who == "baseline" else None)
                    runs.append((who, r))
        rates = {who: statistics.median(r["rate"] for w, r in runs if w == who)
                 for who in ("baseline", "current")}
        cpu = {who: statistics.median(r["cpu_rate"] for w, r in runs if w == who)
               for who in ("baseline", "current")}
        digests = {r["digest"] for _, r in runs}
        versus = {"rev": args.baseline, "baseline_rate": rates["baseline"],
                  "current_rate": rates["current"],
                  "ratio": rates["current"] / rates["baseline"],
                  "cpu_ratio": cpu["current"] / cpu["baseline"],
                  "identical_results": len(digests) == 1,
                  "runs": [{"kernel": w, **r} for w, r in runs]}
        print(f"Kernel against {args.baseline} (2 threads, {dyads:,} x {SCALE_STEPS:,}, "
              f"{SCALE_REPEATS} alternating processes each): {rate(rates['current'])} vs "
              f"{rate(rates['baseline'])} dyad-steps/s = {versus['ratio']:.2f}x (per CPU second: "
              f"{versus['cpu_ratio']:.2f}x); outcomes, "
              f"metrics and last steps {'identical' if versus['identical_results'] else 'DIFFER'}")

    cli = bench_cli_run()
    print()
    print_cli_run(cli)

    machine = (f"{platform.platform()}, {platform.processor() or platform.machine()}, "
               f"os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}")
    versions = {p: version(p) for p in ("mesa", "numba", "numpy")}
    vtext = ", ".join(f"{k} {v}" for k, v in versions.items())
    print(f"\nMachine: {machine}; Numba threading layer {scale[0]['threading_layer']}")
    print(f"Versions: {vtext}\n")
    print("| engine | dyads | steps | dyad-steps/s | × Mesa | peak memory |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| Mesa `batch_run`, 2 processes | {m['runs']} | {m['steps']} | {rate(m['rate'])} "
          f"| 1 | {mib(m['worker_peak_rss'])} RSS per worker process |")
    print(f"| batch engine, 2 threads (same sweep) | {b['runs']} | {b['steps']} | "
          f"{rate(b['rate'])} | {ratio:,.0f} | negligible |")
    for r in scale:
        label = f"batch engine, {r['threads']} thread{'s' * (r['threads'] > 1)}"
        if r["every"]:
            label += f", `record_every={r['every']}`"
        print(f"| {label} | {r['dyads']:,} | {r['steps']:,} | {rate(r['rate'])} | "
              f"{r['rate'] / m['rate']:,.0f} | {mib(r['peak_rss'])} RSS, "
              f"+{mib(r['rss_growth'])} for the runs (results {mib(r['result_bytes'])}) |")
    total = time.perf_counter() - wall_start
    print(f"\nMeasured on {machine}; {vtext}. Throughput counts dyad-steps actually run; "
          f"× Mesa compares with the Mesa sweep's rate. Total benchmark time {total:.0f} s.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cli_run": cli, "mesa": m, "batch_sweep": b, "agreement": agree,
                       "scale": scale, "versus_baseline": versus,
                       "speedup_2_threads": speedup, "machine": machine,
                       "cpu_count": os.cpu_count(), "versions": versions,
                       "total_seconds": total}, f, indent=2)
        print(f"Saved {args.json}")


if __name__ == "__main__":
    main()
