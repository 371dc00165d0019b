"""``dyadsim scenarios``: list the scenario library, show scenarios, or check their claims."""

from __future__ import annotations

import argparse
import sys

from dyadsim import readout
from dyadsim.cli.common import (
    CLIError,
    check_runs,
    courses_text,
    positive_int,
    timeline_text,
)
from dyadsim.scenario import LIBRARY, find, library
from dyadsim.scenario.reader import expect_rows_problem
from dyadsim.timeunits import span


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``scenarios`` subcommand."""
    c = sub.add_parser("scenarios", help="list the scenario library; show or check scenarios")
    c.add_argument("names", nargs="*", metavar="NAME",
                   help="show these scenarios in full (name or file)")
    c.add_argument("--check", action="store_true",
                   help="run each scenario's [expect] checks and print the measured values "
                        "(exit 1 if any fails)")
    c.add_argument("--reps", type=positive_int,
                   help="replicates for --check (default: each file's [expect] reps)")


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``dyadsim scenarios``: list the library, show scenarios, or check their claims.

    An empty library (an install that lost its scenario files) is one line on stderr and
    exit status 1.
    """
    from dyadsim import expectations

    chosen = [find(n) for n in args.names] if args.names else library()
    if not chosen:
        print(f"dyadsim scenarios: the scenario library {LIBRARY} holds no scenario files "
              f"(*.toml); name a scenario file instead, e.g. `dyadsim scenarios FILE.toml`",
              file=sys.stderr)
        return 1
    if not args.check:
        if not args.names:
            width = max(len(s.name) for s in chosen)
            for s in chosen:
                course = courses_text(s)
                print(f"{s.name:<{width}}  {s.summary}" + (f" ({course})" if course else ""))
            print(f"\n{len(chosen)} scenarios in {LIBRARY}. Run one with `dyadsim run NAME "
                  f"--plot out/NAME.html`; `dyadsim scenarios NAME` shows it in full.")
            return 0
        for s in chosen:
            a, b = s.names
            print(f"{s.title}  [{s.name}]\n{s.summary}\n{s.description.strip()}")
            print(f"partners: {a} (partner_a), {b} (partner_b); {span(s.steps)}, seed "
                  f"{s.seed}")
            print("\n".join(timeline_text(s)) or "  no events")
            print()
        return 0
    failed = 0
    for s in chosen:
        if s.expect is None:
            print(f"{s.name}: no [expect] table")
            continue
        reps = args.reps or s.expect.reps
        given = f"--reps {reps}" if args.reps else f"{s.source}: expect.reps = {reps}"
        check_runs("scenarios", given, reps)
        if expectations.needs_series(s):
            problem = expect_rows_problem(reps, s.steps)
            if problem is not None:
                raise CLIError(f"dyadsim scenarios: {given} for {s.name}: {problem}")
        results = expectations.evaluate(s, reps)
        done = expectations.run(s, reps, record=False)
        shares = expectations.shares(done)
        means = {k: m["mean"] for k, m in done.summary().point()["metrics"].items()}
        print(f"{s.name} ({reps} replicates of {span(s.steps)}): " + ", ".join(
            f"{k} {v:.3f}" for k, v in shares.items()))
        print(f"  mean over runs: {readout.indices_text(means)}")
        for r in results:
            label = f"  ({r.check.label})" if r.check.label else ""
            print(f"  {r.line()}{label}")
            failed += not r.passed
    if failed:
        print(f"{failed} check(s) failed")
    return 1 if failed else 0
