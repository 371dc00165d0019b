"""``dyadsim sensitivity``: Sobol indices (SALib) of one outcome over parameter bounds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dyadsim.cli.common import (
    CLIError,
    add_common,
    check_suffix,
    json_safe,
    overrides,
    positive_int,
    unique_keys,
)
from dyadsim.files import write_atomic
from dyadsim.sweep.designs import SweepError, check_size
from dyadsim.timeunits import span


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``sensitivity`` subcommand."""
    e = sub.add_parser("sensitivity",
                       help="Sobol sensitivity indices (SALib) of one outcome over bounds")
    e.add_argument("--bound", dest="bounds", action="append", default=[], required=True,
                   metavar="KEY=LOW:HIGH", help="a parameter's range (repeatable)")
    e.add_argument("--output", default="trap",
                   help="trap (default), an outcome class, or a metric, e.g. satisfaction or "
                        "time_to_escalation (in days)")
    e.add_argument("--samples", type=positive_int, default=256,
                   help="SALib base samples N, a power of two (design: N*(D+2) points)")
    e.add_argument("--reps", type=positive_int, default=20,
                   help="replicates per design point (default 20)")
    add_common(e)
    e.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    e.add_argument("--out", type=Path, metavar="FILE.csv", help="write the table as CSV")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``dyadsim sensitivity``: Sobol first- and total-order indices with intervals."""
    from dyadsim import sweep
    from dyadsim.sensitivity import sensitivity

    check_suffix(args.out, (".csv",), "--out", "sensitivity")  # before the computation
    bounds = unique_keys([sweep.parse_bound(b) for b in args.bounds], "--bound",
                         "sensitivity")
    points = args.samples * (len(bounds) + 2)
    try:  # it runs in chunks of whole points, so the sweep's limits apply
        check_size(points, args.reps, f"--samples {args.samples} x ({len(bounds)} bounds + 2) "
                   f"--reps {args.reps}")
    except SweepError as err:
        raise CLIError(f"dyadsim sensitivity: {err}") from None
    fixed = overrides(args)
    seed, steps = fixed.pop("run.seed", None), fixed.pop("run.steps", None)
    table = sensitivity(bounds, output=args.output, fixed=fixed, base_samples=args.samples,
                        reps=args.reps, root_seed=seed, steps=steps)
    if args.out is not None:
        write_atomic(args.out, lambda p: table.to_csv(p, index=False))
    if args.json:
        print(json.dumps(json_safe({"attrs": table.attrs,
                                    "indices": table.to_dict(orient="records")}),
                         default=str))
    else:
        a = table.attrs
        print(f"dyadsim sensitivity: output {a['output']!r}, {a['n_points']} points x "
              f"{a['reps']} replicates = {a['n_runs']} runs of {span(a['steps'])}")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print("S1: first-order index, ST: total-order index, *_conf: half-width of the "
              "95% bootstrap interval")
    return 0
