"""The ``dyadsim`` command line: ``dyadsim params`` and ``dyadsim run``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from dyadsim import __version__, outcomes
from dyadsim.params import REGISTRY, Param, ParamError, lookup, parse_assignment
from dyadsim.runs import ENGINES, long_trajectories, replicate, summarize


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

    r = sub.add_parser("run", help="run the model and print the outcome")
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
                   help="write per-step trajectories to FILE.csv or FILE.parquet")
    r.add_argument("--plot", type=Path, metavar="FILE.html",
                   help="write an interactive plot of the first replicate")
    return parser


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


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary file in the same folder, then rename it.

    A reader never sees a half-written result, and a failed write leaves nothing behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_suffix(path: Path | None, allowed: Sequence[str], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise CLIError(f"dyadsim run: {option} {str(path)!r}: the file name must end in "
                       f"{' or '.join(allowed)}")


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.3f}"


def _report(values: dict[str, Any], summary: dict[str, Any], results: list) -> str:
    n = summary["n"]
    traits = " | ".join(
        f"{who}: anxiety {values[f'{who}.anxiety']:.2f}, avoidance {values[f'{who}.avoidance']:.2f}"
        for who in ("partner_a", "partner_b"))
    lines = [f"dyadsim {__version__}: {n} run(s) of {values['run.steps']} episodes, "
             f"root seed {values['run.seed']}", traits]
    if n == 1:
        lines.append(f"outcome: {results[0].outcome}")
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


def cmd_run(args: argparse.Namespace) -> int:
    """``dyadsim run``: run replicates, print the outcome, write files on request."""
    _check_suffix(args.out, (".csv", ".parquet"), "--out")
    _check_suffix(args.plot, (".html",), "--plot")
    values, results = replicate(_overrides(args), reps=args.reps, workers=args.workers,
                                engine=args.engine)
    summary = summarize(results)
    if args.out is not None:
        table = long_trajectories(results)
        if args.out.suffix.lower() == ".csv":
            write_atomic(args.out, lambda p: table.to_csv(p, index=False))
        else:
            write_atomic(args.out, lambda p: table.to_parquet(p, index=False))
    if args.plot is not None:
        from dyadsim.plots import run_figure

        first = results[0]
        fig = run_figure(first.trajectory, title=f"Seed {first.seed}: {first.outcome}")
        write_atomic(args.plot, lambda p: fig.write_html(p, include_plotlyjs=True))
    if args.json:
        payload = {"n": summary["n"], "seed": values["run.seed"], "params": values,
                   "outcomes": summary["outcomes"], "outcomes_ci95": summary["outcomes_ci95"],
                   "metrics": summary["metrics"]}
        print(json.dumps(_json_safe(payload)))
    else:
        print(_report(values, summary, results))
        for label, path in (("trajectories", args.out), ("plot", args.plot)):
            if path is not None:
                print(f"{label} written to {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dyadsim`` command."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "params":
            print(params_table(markdown=args.markdown))
            return 0
        return cmd_run(args)
    except (CLIError, ParamError) as exc:
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
