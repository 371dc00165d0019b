"""``dyadsim dashboard``: serve the Dash app."""

from __future__ import annotations

import argparse

from dyadsim.cli.common import port


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``dashboard`` subcommand."""
    d = sub.add_parser("dashboard", help="serve the dashboard (default http://127.0.0.1:8050)")
    d.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: loopback only, 127.0.0.1)")
    d.add_argument("--port", type=port, default=8050, help="port (default 8050)")
    d.add_argument("--debug", action="store_true", help="Dash's debug mode (reloads on edits)")


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``dyadsim dashboard``: serve until interrupted (Dash is imported only here)."""
    from dashboard.app import serve

    serve(args.host, args.port, args.debug)
    return 0
