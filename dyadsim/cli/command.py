"""The ``dyadsim`` command: its parser, built from the subcommands, and :func:`main`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from dyadsim import __version__
from dyadsim.cli import analyze, dashboard, params, run, scenarios, sensitivity, strange, sweep
from dyadsim.cli.common import CLIError, Parser
from dyadsim.registry import ParamError
from dyadsim.sweep.designs import SweepError

Handler = Callable[[argparse.Namespace, Sequence[str] | None], int]

HANDLERS: dict[str, Handler] = {  # in the order --help lists them
    "params": lambda args, argv: params.cmd_params(args),
    "run": lambda args, argv: run.cmd_run(args),
    "sweep": sweep.cmd_sweep,
    "sensitivity": lambda args, argv: sensitivity.cmd_sensitivity(args),
    "analyze": analyze.cmd_analyze,
    "scenarios": lambda args, argv: scenarios.cmd_scenarios(args),
    "dashboard": lambda args, argv: dashboard.cmd_dashboard(args),
    "strange-situation": lambda args, argv: strange.cmd_strange(args),
}
"""What runs each subcommand, given the parsed arguments and ``main``'s ``argv``."""

_MODULES = (params, run, sweep, sensitivity, analyze, scenarios, dashboard, strange)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = Parser(prog="dyadsim", description="Simulate the pursue-withdraw cycle in couples.")
    parser.add_argument("--version", action="version", version=f"dyadsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in _MODULES:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dyadsim`` command."""
    try:
        args = build_parser().parse_args(argv)
        return HANDLERS[args.command](args, argv)
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
