"""``dyadsim sweep``: run (or resume) a design of parameter points into a folder."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dyadsim import readout, sweep
from dyadsim.cli.common import (
    CLIError,
    add_common,
    overrides,
    positive_int,
    scenario_of,
    unique_keys,
)
from dyadsim.params import lookup
from dyadsim.sweep.designs import DESIGNS, SweepError, check_size, grid_points
from dyadsim.sweep.work import CHUNK_RUNS
from dyadsim.timeunits import span


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``sweep`` subcommand."""
    w = sub.add_parser("sweep", help="run a design of parameter points, replicates at each")
    w.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="a scenario file or library name: its settings and events apply to "
                        "every run, and its [sweep] table gives the axes and replicates "
                        "unless --axis/--reps are given")
    w.add_argument("--axis", dest="axes", action="append", default=[],
                   metavar="KEY=LOW:HIGH:COUNT",
                   help="a grid axis, e.g. partner_a.anxiety=0:1:21 (repeatable)")
    w.add_argument("--design", choices=DESIGNS, default="grid",
                   help="grid (from --axis; default), or a Latin hypercube / Sobol sample "
                        "(from --bound and --points)")
    w.add_argument("--bound", dest="bounds", action="append", default=[],
                   metavar="KEY=LOW:HIGH", help="a sampled parameter's range (repeatable)")
    w.add_argument("--points", type=positive_int, help="points of an lhs or sobol design")
    w.add_argument("--reps", type=positive_int,
                   help="replicates per point (default: the scenario's [sweep] reps, else 10)")
    add_common(w)
    w.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder; rerunning the same command resumes an interrupted "
                        "sweep")
    w.add_argument("--processes", type=positive_int, default=1,
                   help="local worker processes (default 1: this process, every core as a "
                        "thread)")
    w.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on an existing Dask distributed cluster")
    w.add_argument("--trajectories", type=int, default=0, metavar="EVERY",
                   help="also keep every EVERY-th step of each run (default 0: none)")
    w.add_argument("--force", action="store_true", help="replace whatever is in --out")
    w.add_argument("--chunk-runs", type=positive_int, default=CHUNK_RUNS, metavar="N",
                   help=f"runs per saved chunk (default {CHUNK_RUNS}); changes only how the "
                        "work is split and resumed, never the results")
    w.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")


#: Short headers of the continuous indices in the printed table (summary.csv keeps the
#: column names ``<index>_mean``).
INDEX_HEADERS: dict[str, str] = {"pursue_withdraw_index": "pw_index",
                                 "mean_activation": "activation"}


def _check_size(args: argparse.Namespace, axes: dict[str, tuple[float, float, int]],
                reps: int) -> None:
    """The design's size (points, and points x replicates) within the limits, or one line."""
    if args.design == "grid":
        if not axes:
            return
        points = grid_points(axes)
        what = " ".join(f"--axis {k}={lo:g}:{hi:g}:{c}" for k, (lo, hi, c) in axes.items())
    elif args.points is None:
        return
    else:
        points, what = args.points, f"--points {args.points}"
    try:
        check_size(points, reps, f"{what} --reps {reps}" if args.reps else what)
    except SweepError as err:
        raise CLIError(f"dyadsim sweep: {err}") from None


def cmd_sweep(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """``dyadsim sweep``: run (or resume) a sweep into a folder and print a summary."""
    axes = unique_keys([sweep.parse_axis(a) for a in args.axes], "--axis", "sweep")
    bounds = unique_keys([sweep.parse_bound(b) for b in args.bounds], "--bound", "sweep")
    _check_size(args, axes, args.reps or 1)
    scenario = scenario_of(args)
    reps = args.reps
    timeline = sweep.EMPTY
    if scenario is not None:
        if not axes and not bounds and args.design == "grid":
            if scenario.sweep is None:
                raise CLIError(f"dyadsim sweep: {scenario.source} has no [sweep] table; give "
                               f"--axis KEY=LOW:HIGH:COUNT")
            axes = dict(scenario.sweep.axes)
        if reps is None and scenario.sweep is not None:
            reps = scenario.sweep.reps
        swept = set(axes) | set(bounds)
        fixed = {k: v for k, v in scenario.params.items() if k not in swept}
        timeline = scenario.timeline()
    else:
        fixed = overrides(args)
    reps = 10 if reps is None else reps
    _check_size(args, axes, reps)
    seed, steps = fixed.pop("run.seed", None), fixed.pop("run.steps", None)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    command = "dyadsim " + " ".join(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    try:
        result = sweep.sweep(axes, bounds=bounds, design=args.design, points=args.points,
                             reps=reps, fixed=fixed, root_seed=seed, steps=steps,
                             out=args.out, processes=args.processes, scheduler=args.scheduler,
                             trajectory_every=args.trajectories, progress=progress,
                             force=args.force, command=command, chunk_runs=args.chunk_runs,
                             timeline=timeline)
    except KeyboardInterrupt:
        print(f"dyadsim sweep: interrupted; finished chunks are kept in {args.out}; run the "
              f"same command again to go on", file=sys.stderr)
        return 130
    took = time.perf_counter() - start
    summary = result.summary
    runs = int(summary["n"].sum())
    if result.new_runs == 0:
        print(f"dyadsim sweep: {args.out} already holds this finished sweep ({runs} runs); "
              f"nothing to run")
    else:
        resumed = f", {runs - result.new_runs} of them resumed" if result.new_runs < runs else ""
        days = int(steps if steps is not None else lookup("run.steps").default or 1)
        print(f"dyadsim sweep: {len(summary)} points x {reps} replicates = {runs} runs of "
              f"{span(days)} ({result.new_runs} run now in {took:.1f} s, "
              f"{result.new_runs / took:,.0f} runs/s{resumed})")
    names = [c for c in summary.columns[1:] if c != "n"][: max(1, len(axes) or len(bounds))]
    indices = {f"{k}_mean": INDEX_HEADERS.get(k, k) for k in readout.index_names()}
    show = summary[[*names, "trap", "trap_ci_low", "trap_ci_high", "settled", "dissolved",
                    *indices]].rename(columns=indices)
    if len(show) > 12:
        print(f"(first 6 and last 6 of {len(show)} points; all in {args.out}/summary.csv)")
        show = pd.concat([show.head(6), show.tail(6)])
    print(show.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    headers = [INDEX_HEADERS.get(k, k) for k in readout.index_names()]
    print(f"{', '.join(headers)}: means over each point's runs, beside the class shares "
          f"(pw_index: the pursue-withdraw index)")
    print(f"results in {args.out}: runs.parquet, summary.parquet, summary.csv, "
          f"provenance.json" + (", trajectories.parquet" if args.trajectories else ""))
    return 0
