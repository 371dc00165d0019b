"""``dyadsim dashboard``: serve the Dash app (for a class: ``--host 0.0.0.0 --workers 2``)."""

from __future__ import annotations

import argparse
import sys

from dyadsim.cli.common import CLIError, port


def workers(text: str) -> int:
    """Argument type: a number of worker processes in [0, 64]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a whole number, got {text!r}") from None
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"needs a whole number in [0, 64], got {value}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``dashboard`` subcommand."""
    d = sub.add_parser("dashboard", help="serve the dashboard (default http://127.0.0.1:8050)")
    d.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: loopback only, 127.0.0.1; a class: "
                        "0.0.0.0, see docs/SECURITY.md)")
    d.add_argument("--port", type=port, default=8050, help="port (default 8050)")
    d.add_argument("--workers", type=workers, default=0,
                   help="N >= 1: serve with gunicorn and N worker processes (a class: one per "
                        "core); 0 (default): the development server, one process")
    d.add_argument("--debug", action="store_true",
                   help="Dash's debug mode (reloads on edits; loopback and --workers 0 only)")


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``dyadsim dashboard``: serve until interrupted (Dash is imported only here)."""
    from dashboard.serve import BindError, check_bind

    try:
        warning = check_bind(args.host, args.debug)
    except BindError as exc:
        raise CLIError(str(exc)) from None
    if args.debug and args.workers:
        raise CLIError(f"dyadsim dashboard: --debug with --workers {args.workers}: debug "
                       "mode needs the development server (--workers 0)")
    if warning:
        print(warning, file=sys.stderr, flush=True)
    from dashboard.classroom.address import public_url

    public_url()  # a bad DYADSIM_PUBLIC_URL: one line now, not a traceback in each worker
    from dashboard.app import serve

    serve(args.host, args.port, args.debug, args.workers)
    return 0
