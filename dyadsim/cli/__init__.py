"""The ``dyadsim`` command line: params, run, sweep, sensitivity, analyze, scenarios, dashboard.

One module per subcommand, each with ``add_parser`` (its options) and ``cmd_<name>`` (what it
does): :mod:`~dyadsim.cli.params`, :mod:`~dyadsim.cli.run`, :mod:`~dyadsim.cli.sweep`,
:mod:`~dyadsim.cli.sensitivity`, :mod:`~dyadsim.cli.analyze`,
:mod:`~dyadsim.cli.scenarios`, :mod:`~dyadsim.cli.dashboard`. What they share (the parser
whose errors are one line, :class:`CLIError`, the ``--set/--steps/--seed`` options, output
helpers) is in :mod:`~dyadsim.cli.common`; :mod:`~dyadsim.cli.command` builds the parser
and holds :func:`main`, the console entry point (``dyadsim = "dyadsim.cli:main"``).
``python -m dyadsim.cli`` runs it too.
"""

from dyadsim.cli.analyze import cmd_analyze
from dyadsim.cli.command import build_parser, main
from dyadsim.cli.common import CLIError
from dyadsim.cli.dashboard import cmd_dashboard
from dyadsim.cli.params import cmd_params, params_table
from dyadsim.cli.run import cmd_run
from dyadsim.cli.scenarios import cmd_scenarios
from dyadsim.cli.sensitivity import cmd_sensitivity
from dyadsim.cli.sweep import cmd_sweep

__all__ = [
    "CLIError", "build_parser", "cmd_analyze", "cmd_dashboard", "cmd_params", "cmd_run",
    "cmd_scenarios", "cmd_sensitivity", "cmd_sweep", "main", "params_table",
]
