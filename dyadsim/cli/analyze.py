"""``dyadsim analyze``: the mean-field stability map over two parameters, written to a folder."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dyadsim.cli.common import (
    CLIError,
    add_common,
    check_runs,
    overrides,
    positive_int,
    scenario_of,
)
from dyadsim.params import lookup


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``analyze`` subcommand."""
    a = sub.add_parser("analyze", help="the mean-field stability map over two parameters")
    a.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="a scenario file or library name whose couple to analyse (its "
                        "settings, not its events)")
    a.add_argument("--axis", dest="axes", action="append", default=[], required=True,
                   metavar="KEY=LOW:HIGH:COUNT", help="an axis (give two), e.g. "
                   "partner_a.anxiety=0:1:21")
    add_common(a)
    a.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder for map.csv, boundaries.csv, map.html/png, analysis.json")
    a.add_argument("--compare-reps", type=int, default=0, metavar="N",
                   help="also simulate N replicates per cell and report the share of cells "
                        "where the map predicts the simulated majority class (default 0: off)")
    a.add_argument("--iterations", type=positive_int, default=3000, metavar="N",
                   help="days (episodes) each mean-field orbit runs before it is read "
                        "(default 3000)")


def cmd_analyze(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """``dyadsim analyze``: the mean-field stability map, written to a folder."""
    import numpy as np

    from dyadsim import stability, sweep

    if len(args.axes) != 2:
        raise CLIError(f"dyadsim analyze: needs exactly two --axis, got {len(args.axes)}")
    if args.compare_reps < 0:
        raise CLIError(f"dyadsim analyze: --compare-reps {args.compare_reps}: needs 0 (off) "
                       f"or a whole number >= 1")
    axes = [sweep.parse_axis(text) for text in args.axes]
    if axes[0][0] == axes[1][0]:
        raise CLIError(f"dyadsim analyze: --axis {axes[0][0]} is given twice; the map needs "
                       f"two different parameters")
    counts = [count for _, (_, _, count) in axes]
    try:
        stability.check_cells(*counts)
    except ValueError as err:
        raise CLIError(f"dyadsim analyze: --axis {axes[0][0]}=...:{counts[0]} --axis "
                       f"{axes[1][0]}=...:{counts[1]}: {err}") from None
    if args.compare_reps:
        check_runs("analyze", f"--compare-reps {args.compare_reps} over "
                   f"{counts[0] * counts[1]:,} cells", args.compare_reps * counts[0] * counts[1])
    for name, (low, high, count) in axes:
        sweep.grid({name: (low, high, count)})  # the sweep's checks: name, range, count
        if count < 2:
            raise CLIError(f"dyadsim analyze: --axis {name}: needs a count >= 2")
    scenario = scenario_of(args)
    fixed = dict(scenario.params) if scenario is not None else overrides(args)
    for name, _ in axes:
        fixed.pop(name, None)
    seed = int(fixed.pop("run.seed", lookup("run.seed").default))
    start = time.perf_counter()
    m = stability.stability_map(
        [(name, np.linspace(low, high, count)) for name, (low, high, count) in axes],
        fixed=fixed, steps=args.iterations)
    took = time.perf_counter() - start
    simulated = None
    if args.compare_reps:
        simulated = stability.simulate_grid(m, args.compare_reps, seed)
    command = "dyadsim " + " ".join(sys.argv[1:] if argv is None else argv)
    summary = stability.write(m, args.out, simulated=simulated, provenance={
        "command": command, "seed": seed, "compare_reps": args.compare_reps,
        "iterations": args.iterations,
        "scenario": scenario.name if scenario is not None else None})
    counts = ", ".join(f"{k} {v}" for k, v in summary["regimes"].items() if v)
    print(f"dyadsim analyze: {m.regime.size} cells in {took:.1f} s: {counts}")
    for b in m.boundaries:
        print(f"  boundary: {b.name}, {sum(x is not None for x in b.x)} points")
    if not m.boundaries:
        print("  no boundary: one regime over the whole map")
    if scenario is not None and scenario.events:
        print(f"note: the map uses {scenario.name}'s settings; its {len(scenario.events)} "
              f"event(s) are not part of the mean field")
    if "agreement" in summary:
        print(f"mean field vs {args.compare_reps} simulated replicates per cell: the predicted "
              f"outcome is the simulated majority class in {summary['agreement']:.1%} of cells")
    print(f"results in {args.out}: map.csv, boundaries.csv, {', '.join(summary['figures'])}, "
          f"analysis.json")
    return 0
