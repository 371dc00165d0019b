"""The ``dyadsim`` command line: params, run, sweep, sensitivity, analyze, scenarios, dashboard."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from dyadsim import __version__, outcomes
from dyadsim.files import write_atomic
from dyadsim.params import REGISTRY, Param, ParamError, lookup, parse_assignment
from dyadsim.runner import ENGINES, Replicates, run_replicates
from dyadsim.scenario import LIBRARY, Scenario, find, library
from dyadsim.sweep.designs import DESIGNS, SweepError
from dyadsim.sweep.work import CHUNK_RUNS


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        raise CLIError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a whole number >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = _Parser(prog="dyadsim", description="Simulate the pursue-withdraw cycle in couples.")
    parser.add_argument("--version", action="version", version=f"dyadsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("params", help="list every parameter with its default, bounds and help")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")

    r = sub.add_parser("run", help="run the model (or a scenario file) and print the outcome")
    r.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="a scenario file (.toml) or a library scenario's name (see `dyadsim "
                        "scenarios`); --set, --steps and --seed override its values")
    r.add_argument("--save", type=Path, metavar="FILE.toml",
                   help="write the scenario (with the --set values) to a scenario file")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="set a parameter, e.g. partner_a.anxiety=0.7 (repeatable)")
    r.add_argument("--steps", type=_positive_int, help="episodes per run (run.steps)")
    r.add_argument("--seed", type=int, help="root seed (run.seed)")
    r.add_argument("--reps", type=_positive_int, default=1, help="replicates (default 1)")
    r.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="processes for replicates on the mesa engine (default: all cores)")
    r.add_argument("--engine", choices=ENGINES, default="batch",
                   help="batch (compiled, all replicates at once; default) or mesa (one Mesa "
                        "model per run); both give the same runs")
    r.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    r.add_argument("--out", type=Path, metavar="FILE",
                   help="write one row per run (seed, outcome, metrics) to FILE.csv or "
                        "FILE.parquet; with --trajectories, every run's steps instead")
    r.add_argument("--trajectories", type=_positive_int, metavar="EVERY",
                   help="make --out hold every EVERY-th step of every run (1: all steps)")
    r.add_argument("--plot", type=Path, metavar="FILE.html",
                   help="write an interactive plot of the first replicate")

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
    w.add_argument("--points", type=_positive_int, help="points of an lhs or sobol design")
    w.add_argument("--reps", type=_positive_int,
                   help="replicates per point (default: the scenario's [sweep] reps, else 10)")
    _common(w)
    w.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder; rerunning the same command resumes an interrupted "
                        "sweep")
    w.add_argument("--processes", type=_positive_int, default=1,
                   help="local worker processes (default 1: this process, every core as a "
                        "thread)")
    w.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on an existing Dask distributed cluster")
    w.add_argument("--trajectories", type=int, default=0, metavar="EVERY",
                   help="also keep every EVERY-th step of each run (default 0: none)")
    w.add_argument("--force", action="store_true", help="replace whatever is in --out")
    w.add_argument("--chunk-runs", type=_positive_int, default=CHUNK_RUNS, metavar="N",
                   help=f"runs per saved chunk (default {CHUNK_RUNS}); changes only how the "
                        "work is split and resumed, never the results")
    w.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")

    e = sub.add_parser("sensitivity",
                       help="Sobol sensitivity indices (SALib) of one outcome over bounds")
    e.add_argument("--bound", dest="bounds", action="append", default=[], required=True,
                   metavar="KEY=LOW:HIGH", help="a parameter's range (repeatable)")
    e.add_argument("--output", default="trap",
                   help="trap (default), an outcome class, or a metric, e.g. satisfaction")
    e.add_argument("--samples", type=_positive_int, default=256,
                   help="SALib base samples N, a power of two (design: N*(D+2) points)")
    e.add_argument("--reps", type=_positive_int, default=20,
                   help="replicates per design point (default 20)")
    _common(e)
    e.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    e.add_argument("--out", type=Path, metavar="FILE.csv", help="write the table as CSV")

    a = sub.add_parser("analyze", help="the mean-field stability map over two parameters")
    a.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="a scenario file or library name whose couple to analyse (its "
                        "settings, not its events)")
    a.add_argument("--axis", dest="axes", action="append", default=[], required=True,
                   metavar="KEY=LOW:HIGH:COUNT", help="an axis (give two), e.g. "
                   "partner_a.anxiety=0:1:21")
    _common(a)
    a.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder for map.csv, boundaries.csv, map.html/png, analysis.json")
    a.add_argument("--compare-reps", type=int, default=0, metavar="N",
                   help="also simulate N replicates per cell and report the share of cells "
                        "where the map predicts the simulated majority class (default 0: off)")
    a.add_argument("--iterations", type=_positive_int, default=3000, metavar="N",
                   help="episodes each mean-field orbit runs before it is read (default 3000)")

    c = sub.add_parser("scenarios", help="list the scenario library; show or check scenarios")
    c.add_argument("names", nargs="*", metavar="NAME",
                   help="show these scenarios in full (name or file)")
    c.add_argument("--check", action="store_true",
                   help="run each scenario's [expect] checks and print the measured values "
                        "(exit 1 if any fails)")
    c.add_argument("--reps", type=_positive_int,
                   help="replicates for --check (default: each file's [expect] reps)")

    d = sub.add_parser("dashboard", help="serve the dashboard (default http://127.0.0.1:8050)")
    d.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: loopback only, 127.0.0.1)")
    d.add_argument("--port", type=_port, default=8050, help="port (default 8050)")
    d.add_argument("--debug", action="store_true", help="Dash's debug mode (reloads on edits)")
    return parser


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"needs a port in [1, 65535], got {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="fix a parameter, e.g. dyad.stress=0.1 (repeatable)")
    p.add_argument("--steps", type=_positive_int, help="episodes per run (run.steps)")
    p.add_argument("--seed", type=int, help="root seed (run.seed)")


# --- params -------------------------------------------------------------------------------


def _default_cell(param: Param) -> str:
    return param.default_text().replace("= ", "")


def params_table(markdown: bool = False) -> str:
    """Every registry parameter as a text or Markdown table."""
    if markdown:
        lines = ["| parameter | default | range | unit | meaning | construct |",
                 "|---|---|---|---|---|---|"]
        for p in REGISTRY.values():
            lines.append(f"| `{p.name}` | {_default_cell(p)} | [{p.low:g}, {p.high:g}] | "
                         f"{p.unit} | {p.label}: {p.help} | {p.construct} |")
        return "\n".join(lines)
    lines = []
    for p in REGISTRY.values():
        unit = f" {p.unit}" if p.unit else ""
        sweep = "" if p.sweepable else "  (not sweepable)"
        lines.append(f"{p.name}  default {p.default_text()}  range [{p.low:g}, {p.high:g}]"
                     f"{unit}{sweep}\n    {p.label}. {p.help}")
    return "\n".join(lines)


# --- run ----------------------------------------------------------------------------------


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for text in args.sets:
        key, value = parse_assignment(text)
        settings[key] = value
    if args.steps is not None:
        settings["run.steps"] = lookup("run.steps").check(args.steps)
    if args.seed is not None:
        settings["run.seed"] = lookup("run.seed").check(args.seed)
    return settings


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _check_suffix(path: Path | None, allowed: Sequence[str], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise CLIError(f"dyadsim run: {option} {str(path)!r}: the file name must end in "
                       f"{' or '.join(allowed)}")


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.3f}"


def _report(values: dict[str, Any], summary: dict[str, Any], done: Replicates) -> str:
    n = summary["n"]
    traits = " | ".join(
        f"{who}: anxiety {values[f'{who}.anxiety']:.2f}, avoidance {values[f'{who}.avoidance']:.2f}"
        for who in ("partner_a", "partner_b"))
    lines = [f"dyadsim {__version__}: {n} run(s) of {values['run.steps']} episodes, "
             f"root seed {values['run.seed']}", traits]
    if n == 1:
        lines.append(f"outcome: {outcomes.OUTCOMES[done.outcome[0]]}")
    else:
        lines.append(f"{'outcome':<11}{'share':>8}   95% interval (Wilson)")
        for name in outcomes.OUTCOMES:
            lo, hi = summary["outcomes_ci95"][name]
            lines.append(f"{name:<11}{summary['outcomes'][name]:>8.3f}   [{lo:.3f}, {hi:.3f}]")
        lo, hi = summary["trap_ci95"]
        lines.append(f"{'trap':<11}{summary['trap']:>8.3f}   [{lo:.3f}, {hi:.3f}]"
                     "   (escalated + cycling)")
    lines.append(f"{'metric':<24}{'mean':>9}   95% interval        runs")
    for name, m in summary["metrics"].items():
        lo, hi = m["ci95"]
        interval = f"[{_fmt(lo)}, {_fmt(hi)}]" if n > 1 else ""
        lines.append(f"{name:<24}{_fmt(m['mean']):>9}   {interval:<19} {m['n']}")
    return "\n".join(lines)


def _scenario(args: argparse.Namespace) -> Scenario | None:
    """The scenario named on the command line with the --set/--steps/--seed values applied."""
    overrides = _overrides(args)
    if args.scenario is None:
        return None
    return find(args.scenario).with_overrides(overrides)


def _timeline_text(scenario: Scenario) -> list[str]:
    lines = []
    for number, event in enumerate(scenario.events, start=1):
        what = event.label or event.kind
        span = (f"episodes {event.step}-{event.step + event.duration - 1}"
                if event.duration else f"from episode {event.step}")
        lines.append(f"  event {number}: {what} ({event.kind}, {span})")
    return lines


def cmd_run(args: argparse.Namespace) -> int:
    """``dyadsim run``: run replicates, print the outcome, write files on request."""
    _check_suffix(args.out, (".csv", ".parquet"), "--out")
    _check_suffix(args.plot, (".html",), "--plot")
    _check_suffix(args.save, (".toml",), "--save")
    scenario = _scenario(args)
    if scenario is None:
        settings = _overrides(args)
        if args.save is not None:
            scenario = Scenario("Saved from the command line",
                                "Settings saved with dyadsim run --save.",
                                "dyadsim run " + " ".join(f"--set {k}={v}" for k, v in
                                                          settings.items()),
                                params=settings)
    if args.save is not None:
        assert scenario is not None
        scenario.save(args.save)
    settings = scenario.params if scenario is not None else _overrides(args)
    timeline = scenario.timeline() if scenario is not None else None
    if args.trajectories is not None and args.out is None:
        raise CLIError("dyadsim run: --trajectories says what --out holds; give --out FILE too")
    every = args.trajectories or 0
    common = {"engine": args.engine, "timeline": timeline, "workers": args.workers}
    done = run_replicates(settings, reps=args.reps, record_every=every, **common)
    values = done.values
    summary = done.summary().point()
    if args.out is not None:
        table = done.long_trajectories() if every else done.runs_frame()
        if args.out.suffix.lower() == ".csv":
            write_atomic(args.out, lambda p: table.to_csv(p, index=False))
        else:
            write_atomic(args.out, lambda p: table.to_parquet(p, index=False))
        del table
    if args.plot is not None:
        from dyadsim.plots import run_figure

        seed = int(done.seeds[0])
        first = run_replicates(settings, reps=1, root_seed=seed, record_every=1, **common)
        outcome = outcomes.OUTCOMES[first.outcome[0]]
        title = f"Seed {seed}: {outcome}"
        names = ("A", "B")
        marks: list[tuple[int, str]] = []
        if scenario is not None and args.scenario is not None:
            title = f"{scenario.title} (seed {seed}: {outcome})"
            names = scenario.names
            marks = [(e.step, e.label or e.kind) for e in scenario.events]
        fig = run_figure(first.trajectory(0), title=title, names=names, events=marks)
        write_atomic(args.plot, lambda p: fig.write_html(p, include_plotlyjs=True))
    if args.json:
        payload = {"n": summary["n"], "seed": values["run.seed"], "params": values,
                   "scenario": None if args.scenario is None or scenario is None else {
                       "name": scenario.name, "title": scenario.title,
                       "events": [e.to_dict() for e in scenario.events]},
                   "outcomes": summary["outcomes"], "outcomes_ci95": summary["outcomes_ci95"],
                   "metrics": summary["metrics"]}
        print(json.dumps(_json_safe(payload)))
    else:
        if scenario is not None and args.scenario is not None:
            print(f"{scenario.title}: {scenario.summary}")
            print("\n".join(_timeline_text(scenario)))
        print(_report(values, summary, done))
        for label, path in (("trajectories" if every else "runs", args.out), ("plot", args.plot),
                            ("scenario", args.save)):
            if path is not None:
                print(f"{label} written to {path}")
    return 0


def cmd_sweep(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """``dyadsim sweep``: run (or resume) a sweep into a folder and print a summary."""
    import time

    from dyadsim import sweep

    axes = dict(sweep.parse_axis(a) for a in args.axes)
    bounds = dict(sweep.parse_bound(b) for b in args.bounds)
    scenario = _scenario(args)
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
        fixed = _overrides(args)
    reps = 10 if reps is None else reps
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
        print(f"dyadsim sweep: {len(summary)} points x {reps} replicates = {runs} runs "
              f"({result.new_runs} run now in {took:.1f} s, "
              f"{result.new_runs / took:,.0f} runs/s{resumed})")
    names = [c for c in summary.columns[1:] if c != "n"][: max(1, len(axes) or len(bounds))]
    show = summary[[*names, "trap", "trap_ci_low", "trap_ci_high", "settled", "dissolved",
                    "satisfaction_mean"]]
    if len(show) > 12:
        print(f"(first 6 and last 6 of {len(show)} points; all in {args.out}/summary.csv)")
        show = pd.concat([show.head(6), show.tail(6)])
    print(show.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"results in {args.out}: runs.parquet, summary.parquet, summary.csv, "
          f"provenance.json" + (", trajectories.parquet" if args.trajectories else ""))
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``dyadsim sensitivity``: Sobol first- and total-order indices with intervals."""
    from dyadsim import sweep
    from dyadsim.sensitivity import sensitivity

    bounds = dict(sweep.parse_bound(b) for b in args.bounds)
    fixed = _overrides(args)
    seed, steps = fixed.pop("run.seed", None), fixed.pop("run.steps", None)
    table = sensitivity(bounds, output=args.output, fixed=fixed, base_samples=args.samples,
                        reps=args.reps, root_seed=seed, steps=steps)
    if args.out is not None:
        _check_suffix(args.out, (".csv",), "--out")
        write_atomic(args.out, lambda p: table.to_csv(p, index=False))
    if args.json:
        print(json.dumps(_json_safe({"attrs": table.attrs,
                                     "indices": table.to_dict(orient="records")}),
                         default=str))
    else:
        a = table.attrs
        print(f"dyadsim sensitivity: output {a['output']!r}, {a['n_points']} points x "
              f"{a['reps']} replicates = {a['n_runs']} runs of {a['steps']} episodes")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print("S1: first-order index, ST: total-order index, *_conf: half-width of the "
              "95% bootstrap interval")
    return 0


def cmd_analyze(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """``dyadsim analyze``: the mean-field stability map, written to a folder."""
    import time

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
    for name, (low, high, count) in axes:
        sweep.grid({name: (low, high, count)})  # the sweep's checks: name, range, count
        if count < 2:
            raise CLIError(f"dyadsim analyze: --axis {name}: needs a count >= 2")
    scenario = _scenario(args)
    fixed = dict(scenario.params) if scenario is not None else _overrides(args)
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


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``dyadsim scenarios``: list the library, show scenarios, or check their claims."""
    from dyadsim import expectations

    chosen = [find(n) for n in args.names] if args.names else library()
    if not args.check:
        if not args.names:
            width = max(len(s.name) for s in chosen)
            for s in chosen:
                print(f"{s.name:<{width}}  {s.summary}")
            print(f"\n{len(chosen)} scenarios in {LIBRARY}. Run one with `dyadsim run NAME "
                  f"--plot out/NAME.html`; `dyadsim scenarios NAME` shows it in full.")
            return 0
        for s in chosen:
            a, b = s.names
            print(f"{s.title}  [{s.name}]\n{s.summary}\n{s.description.strip()}")
            print(f"partners: {a} (partner_a), {b} (partner_b); {s.steps} episodes, seed "
                  f"{s.seed}")
            print("\n".join(_timeline_text(s)) or "  no events")
            print()
        return 0
    failed = 0
    for s in chosen:
        if s.expect is None:
            print(f"{s.name}: no [expect] table")
            continue
        reps = args.reps or s.expect.reps
        results = expectations.evaluate(s, reps)
        shares = expectations.shares(expectations.run(s, reps, record=False))
        print(f"{s.name} ({reps} replicates): " + ", ".join(
            f"{k} {v:.3f}" for k, v in shares.items()))
        for r in results:
            label = f"  ({r.check.label})" if r.check.label else ""
            print(f"  {r.line()}{label}")
            failed += not r.passed
    if failed:
        print(f"{failed} check(s) failed")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dyadsim`` command."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "params":
            print(params_table(markdown=args.markdown))
            return 0
        if args.command == "sweep":
            return cmd_sweep(args, argv)
        if args.command == "sensitivity":
            return cmd_sensitivity(args)
        if args.command == "scenarios":
            return cmd_scenarios(args)
        if args.command == "analyze":
            return cmd_analyze(args, argv)
        if args.command == "dashboard":
            from dashboard.app import serve

            serve(args.host, args.port, args.debug)
            return 0
        return cmd_run(args)
    except (CLIError, ParamError, SweepError, ValueError) as exc:
        message = str(exc)
        if not message.startswith("dyadsim"):
            message = f"dyadsim: error: {message}"
        print(message, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"dyadsim: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dyadsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
