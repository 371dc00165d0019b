"""``dyadsim run``: run replicates of the model or a scenario, print the outcome, write files."""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from dyadsim import __version__, outcomes, readout
from dyadsim.cli.common import (
    CLIError,
    check_runs,
    check_suffix,
    json_safe,
    overrides,
    positive_int,
    scenario_of,
    timeline_text,
)
from dyadsim.files import write_atomic
from dyadsim.params import lookup
from dyadsim.runner import ENGINES, Replicates, run_replicates
from dyadsim.scenario import Scenario
from dyadsim.timeunits import DAYS_PER_EPISODE, describe, span, steps_span


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``run`` subcommand."""
    r = sub.add_parser("run", help="run the model (or a scenario file) and print the outcome")
    r.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="a scenario file (.toml) or a library scenario's name (see `dyadsim "
                        "scenarios`); --set, --steps and --seed override its values")
    r.add_argument("--save", type=Path, metavar="FILE.toml",
                   help="write the scenario (with the --set values) to a scenario file")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="set a parameter, e.g. partner_a.anxiety=0.7 (repeatable)")
    r.add_argument("--steps", type=positive_int,
                   help="days per run (run.steps; one episode is one day)")
    r.add_argument("--seed", type=int, help="root seed (run.seed)")
    r.add_argument("--reps", type=positive_int, default=1, help="replicates (default 1)")
    r.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1,
                   help="processes for replicates on the mesa engine (default: all cores)")
    r.add_argument("--engine", choices=ENGINES, default="batch",
                   help="batch (compiled, all replicates at once; default) or mesa (one Mesa "
                        "model per run); both give the same runs")
    r.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    r.add_argument("--out", type=Path, metavar="FILE",
                   help="write one row per run (seed, outcome, metrics) to FILE.csv or "
                        "FILE.parquet; with --trajectories, every run's steps instead")
    r.add_argument("--trajectories", type=positive_int, metavar="EVERY",
                   help="make --out hold every EVERY-th step of every run (1: all steps)")
    r.add_argument("--plot", type=Path, metavar="FILE.html",
                   help="write the first replicate as one HTML page for class: title, "
                        "settings, time series and phase portrait, plotly.js inlined (it "
                        "opens with no server and no network)")
    r.add_argument("--gif", type=Path, metavar="FILE.gif",
                   help="write an animated GIF of the first replicate, for slides")
    r.add_argument("--mp4", type=Path, metavar="FILE.mp4",
                   help="write the first replicate as an MP4 video (H.264, the GIF's frames "
                        "at 5 a second), for slides; needs imageio-ffmpeg")


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.3f}"


def _metric_value(name: str, mean: float, step: str = "day") -> str:
    """A metric's unit, and for a time the mean in weeks or months too.

    In a scenario whose steps are not days (``step="moment"``) a time is in that unit.
    """
    unit = readout.metric_unit(name)
    if unit == "days" and step != "day":
        return f"{step}s"
    if unit == "days" and math.isfinite(mean) and mean >= 14:
        return f"days ({describe(mean)})"
    return unit


def _times_text(column: Any, step: str) -> str:
    """:func:`readout.times_text`, or in the scenario's own unit (``"12 moments"``)."""
    if step == "day":
        return readout.times_text(column)
    finite = column[np.isfinite(column)]
    if column.size == 1:
        return steps_span(int(finite[0]), step) if finite.size else "never"
    if finite.size == 0:
        return f"never, in {column.size} runs"
    return (f"median {steps_span(int(np.median(finite)), step)}, in {finite.size} of "
            f"{column.size} runs")


def _report(values: dict[str, Any], summary: dict[str, Any], done: Replicates,
            step: str = "day") -> str:
    n = summary["n"]
    traits = " | ".join(
        f"{who}: anxiety {values[f'{who}.anxiety']:.2f}, avoidance {values[f'{who}.avoidance']:.2f}"
        for who in ("partner_a", "partner_b"))
    length = (span(values["run.steps"]) if step == "day"
              else f"{steps_span(values['run.steps'], step)} (a step is a {step}, not a day)")
    lines = [f"dyadsim {__version__}: {n} run(s) of {length}, "
             f"root seed {values['run.seed']}", traits]
    means = {k: m["mean"] for k, m in summary["metrics"].items()}
    if n == 1:
        lines.append(f"outcome: {outcomes.OUTCOMES[done.outcome[0]]} "
                     f"({readout.indices_text(means)})")
    else:
        lines.append(f"{'outcome':<11}{'share':>8}   95% interval (Wilson)")
        for name in outcomes.OUTCOMES:
            lo, hi = summary["outcomes_ci95"][name]
            lines.append(f"{name:<11}{summary['outcomes'][name]:>8.3f}   [{lo:.3f}, {hi:.3f}]")
        lo, hi = summary["trap_ci95"]
        lines.append(f"{'trap':<11}{summary['trap']:>8.3f}   [{lo:.3f}, {hi:.3f}]"
                     "   (escalated + cycling)")
        lines.append(f"mean over runs: {readout.indices_text(means)}")
    for name in readout.time_metrics():
        column = done.metrics[:, outcomes.METRIC_NAMES.index(name)]
        lines.append(f"{readout.time_label(name)}: {_times_text(column, step)}")
    lines.append(f"{'metric':<24}{'mean':>9}   {'95% interval':<19} {'runs':>4}   unit")
    for name, m in summary["metrics"].items():
        lo, hi = m["ci95"]
        interval = f"[{_fmt(lo)}, {_fmt(hi)}]" if n > 1 else ""
        lines.append(f"{name:<24}{_fmt(m['mean']):>9}   {interval:<19} {m['n']:>4}   "
                     f"{_metric_value(name, m['mean'], step)}".rstrip())
    return "\n".join(lines)


def _json_extra(summary: dict[str, Any], done: Replicates, steps: int,
                step: str = "day") -> dict[str, Any]:
    """What ``--json`` adds for Model 2.0's reports: time units, indices and times in days.

    ``time_unit`` is the scenario's step (``"day"``, or ``"moment"`` for a procedure such
    as the Strange Situation, whose times are then in moments, not days).
    """
    return {
        "time_unit": step, "days_per_episode": DAYS_PER_EPISODE if step == "day" else None,
        "days": steps if step == "day" else None, "steps": steps,
        "trap": summary["trap"], "trap_ci95": summary["trap_ci95"],
        "indices": {k: summary["metrics"][k]["mean"] for k in readout.index_names()},
        "times": {k: readout.times_json(done.metrics[:, outcomes.METRIC_NAMES.index(k)])
                  for k in readout.time_metrics()},
    }


def _pictures(args: argparse.Namespace, settings: dict[str, Any], scenario: Scenario | None,
              common: dict[str, Any], seed: int) -> None:
    """Write the first replicate as ``--plot`` (a page for class), ``--gif`` and ``--mp4``.

    Each holds the title, the settings that differ from the defaults and the seed, and the
    phase portrait beside the time series: the dashboard's exports of the same run
    (:mod:`dashboard.classexport`, :func:`dyadsim.slides.run_gif`).
    """
    from dyadsim import slides

    first = run_replicates(settings, reps=1, root_seed=seed, record_every=1, **common)
    outcome = outcomes.OUTCOMES[first.outcome[0]]
    names: tuple[str, str] = ("A", "B")
    marks: list[tuple[int, str]] = []
    heading = "dyadsim run"
    if scenario is not None and args.scenario is not None:
        heading, names = scenario.title, scenario.names
        marks = [(e.step, e.label or e.kind) for e in scenario.events]
    traj = first.trajectory(0)
    steps = int(first.values["run.steps"])
    lines = slides.settings_lines(settings, names)
    footer = [f"Settings: {lines[0]}", *lines[1:],
              f"Seed {seed}, {steps} days; made with dyadsim {__version__}"]
    if args.plot is not None:
        from dashboard.classexport import class_html

        run = {"title": heading, "names": list(names), "seed": seed, "steps": steps,
               "events": [{"step": day, "label": label} for day, label in marks],
               "traj": traj, "outcome": outcome, "last": int(traj["step"].iloc[-1])}
        page = class_html(run, footer)
        write_atomic(args.plot, lambda p: Path(p).write_text(page, encoding="utf-8"))
    if args.gif is not None:
        data = slides.run_gif(traj, f"{heading}, seed {seed}", footer, names, events=marks,
                              ending=outcome)
        write_atomic(args.gif, lambda p: Path(p).write_bytes(data))
    if args.mp4 is not None:
        try:
            slides.run_mp4(args.mp4, traj, f"{heading}, seed {seed}", footer, names,
                           events=marks, ending=outcome)
        except slides.VideoError as err:
            raise CLIError(f"dyadsim run: --mp4: {err}") from None


def _check_ffmpeg() -> None:
    """Refuse ``--mp4`` before any run when no ffmpeg is found (one line: what to install)."""
    from dyadsim import slides

    try:
        slides.ffmpeg_exe()
    except slides.VideoError as err:
        raise CLIError(f"dyadsim run: --mp4: {err}") from None


def cmd_run(args: argparse.Namespace) -> int:
    """``dyadsim run``: run replicates, print the outcome, write files on request."""
    check_suffix(args.out, (".csv", ".parquet"), "--out")
    check_suffix(args.plot, (".html",), "--plot")
    check_suffix(args.gif, (".gif",), "--gif")
    check_suffix(args.mp4, (".mp4",), "--mp4")
    if args.mp4 is not None:
        _check_ffmpeg()
    check_suffix(args.save, (".toml",), "--save")
    check_runs("run", f"--reps {args.reps}", args.reps)
    scenario = scenario_of(args)
    if scenario is None:
        settings = overrides(args)
        if args.save is not None:
            scenario = Scenario("Saved from the command line",
                                "Settings saved with dyadsim run --save.",
                                "dyadsim run " + " ".join(f"--set {k}={v}" for k, v in
                                                          settings.items()),
                                params=settings)
    if args.save is not None:
        assert scenario is not None
        scenario.save(args.save)
    settings = scenario.params if scenario is not None else overrides(args)
    timeline = scenario.timeline() if scenario is not None else None
    if args.trajectories is not None and args.out is None:
        raise CLIError("dyadsim run: --trajectories says what --out holds; give --out FILE too")
    every = args.trajectories or 0
    steps = int(settings.get("run.steps", lookup("run.steps").default or 1))
    given = f"--reps {args.reps} with {steps} steps" + (
        f" and --trajectories {every}" if every else "")
    check_runs("run", given, args.reps, steps, every)
    common = {"engine": args.engine, "timeline": timeline, "workers": args.workers}
    done = run_replicates(settings, reps=args.reps, record_every=every, **common)
    values = done.values
    summary = done.summary().point()
    step = scenario.unit if scenario is not None else "day"
    if args.out is not None:
        table = done.long_trajectories() if every else done.runs_frame()
        if args.out.suffix.lower() == ".csv":
            write_atomic(args.out, lambda p: table.to_csv(p, index=False))
        else:
            write_atomic(args.out, lambda p: table.to_parquet(p, index=False))
        del table
    if args.plot is not None or args.gif is not None or args.mp4 is not None:
        _pictures(args, settings, scenario, common, int(done.seeds[0]))
    if args.json:
        payload = {"n": summary["n"], "seed": values["run.seed"], "params": values,
                   "scenario": None if args.scenario is None or scenario is None else {
                       "name": scenario.name, "title": scenario.title,
                       "events": [e.to_dict() for e in scenario.events]},
                   "outcomes": summary["outcomes"], "outcomes_ci95": summary["outcomes_ci95"],
                   "metrics": summary["metrics"],
                   **_json_extra(summary, done, int(values["run.steps"]), step)}
        print(json.dumps(json_safe(payload)))
    else:
        if scenario is not None and args.scenario is not None:
            print(f"{scenario.title}: {scenario.summary}")
            print("\n".join(timeline_text(scenario)))
        print(_report(values, summary, done, step))
        for label, path in (("trajectories" if every else "runs", args.out), ("plot", args.plot),
                            ("animation", args.gif), ("video", args.mp4),
                            ("scenario", args.save)):
            if path is not None:
                print(f"{label} written to {path}")
    return 0
