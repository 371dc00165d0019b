"""What the subcommands share: the parser, argument types, common options, output helpers.

The parser turns every error into one line (:class:`CLIError`); the common options are
``--set``, ``--steps`` and ``--seed``; :func:`scenario_of` is the scenario named on the
command line with those applied.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from dyadsim.params import lookup, parse_assignment
from dyadsim.scenario import Scenario, find
from dyadsim.timeunits import day_label, describe, steps_span


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (a :class:`CLIError`), no usage dump."""

    def error(self, message: str) -> NoReturn:
        """Raise the error as a :class:`CLIError` instead of printing usage and exiting."""
        raise CLIError(f"{self.prog}: {message} (see '{self.prog} --help')")


def positive_int(text: str) -> int:
    """Argument type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a whole number >= 1, got {value}")
    return value


def port(text: str) -> int:
    """Argument type: a TCP port in [1, 65535]."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"needs a port in [1, 65535], got {value}")
    return value


def add_common(p: argparse.ArgumentParser) -> None:
    """Add ``--set``, ``--steps`` and ``--seed`` to a subcommand."""
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="fix a parameter, e.g. dyad.stress=0.1 (repeatable)")
    p.add_argument("--steps", type=positive_int,
                   help="days per run (run.steps; one episode is one day)")
    p.add_argument("--seed", type=int, help="root seed (run.seed)")


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The checked settings of ``--set``, ``--steps`` and ``--seed``, by dotted name."""
    settings: dict[str, Any] = {}
    for text in args.sets:
        key, value = parse_assignment(text)
        settings[key] = value
    if args.steps is not None:
        settings["run.steps"] = lookup("run.steps").check(args.steps)
    if args.seed is not None:
        settings["run.seed"] = lookup("run.seed").check(args.seed)
    return settings


def scenario_of(args: argparse.Namespace) -> Scenario | None:
    """The scenario named on the command line with the --set/--steps/--seed values applied."""
    settings = overrides(args)
    if args.scenario is None:
        return None
    return find(args.scenario).with_overrides(settings)


def timeline_text(scenario: Scenario) -> list[str]:
    """One line per event of a scenario's timeline."""
    lines = []
    unit = scenario.unit
    for number, event in enumerate(scenario.events, start=1):
        what = event.label or event.kind
        if unit != "day":  # moments of a procedure: no weeks
            span = (f"{unit}s {event.step}-{event.step + event.duration - 1} "
                    f"({steps_span(event.duration, unit)})" if event.duration
                    else f"from {unit} {event.step}")
        else:
            span = (f"days {event.step}-{event.step + event.duration - 1} "
                    f"({describe(event.duration)})" if event.duration
                    else f"from {day_label(event.step)}")
        course = f"; {event.course()}" if event.sessions is not None else ""
        lines.append(f"  event {number}: {what} ({event.kind}), {span}{course}")
    return lines


def courses_text(scenario: Scenario) -> str:
    """The scenario's therapy courses in words, for a listing.

    For example ``"EFT: 12 weekly sessions from day 500"``; empty if it has none.
    """
    return "; ".join(f"{event.label or event.therapy}: {event.course()}"
                     for event in scenario.events if event.sessions is not None)


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def check_suffix(path: Path | None, allowed: Sequence[str], option: str,
                 command: str = "run") -> None:
    """Refuse an output file whose name does not end in one of ``allowed``."""
    if path is not None and path.suffix.lower() not in allowed:
        raise CLIError(f"dyadsim {command}: {option} {str(path)!r}: the file name must end in "
                       f"{' or '.join(allowed)}")


def check_runs(command: str, given: str, runs: int, steps: int = 1, every: int = 0) -> None:
    """Refuse, before anything is allocated, runs that cannot fit in memory.

    Args:
        command: The subcommand, for the message.
        given: The arguments that asked for them, as typed (``--reps 1000000``).
        runs: How many runs.
        steps: Days (episodes) per run.
        every: Recording interval of trajectories (0: none).

    Raises:
        CLIError: One line naming the arguments, the estimate and the limit
            (:func:`dyadsim.runner.size_problem`).
    """
    from dyadsim.runner import size_problem

    problem = size_problem(runs, steps, every)
    if problem is not None:
        raise CLIError(f"dyadsim {command}: {given}: {problem}")


def unique_keys(pairs: Sequence[tuple[str, Any]], option: str, command: str) -> dict[str, Any]:
    """``pairs`` as a dict, refusing a key given twice (argparse would keep the last)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CLIError(f"dyadsim {command}: {option} {key} is given twice; allowed: each "
                           f"parameter once")
        out[key] = value
    return out


def split_set(text: str, command: str, example: str, seen: Sequence[str] | dict = ()
              ) -> tuple[str, str]:
    """One ``--set KEY=VALUE`` as ``(key, value)``, or a one-line :class:`CLIError`.

    ``seen`` holds the keys already given: a key given twice is refused.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CLIError(f"dyadsim {command}: --set {text!r}: expected KEY=VALUE (for example "
                       f"{example})")
    if key in seen:
        raise CLIError(f"dyadsim {command}: --set {key} is given twice; allowed: each "
                       f"parameter once")
    return key, value.strip()

