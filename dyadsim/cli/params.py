"""``dyadsim params``: every parameter with its default, bounds and help."""

from __future__ import annotations

import argparse

from dyadsim.registry import REGISTRY, Param
from dyadsim.timeunits import unit_label


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``params`` subcommand."""
    p = sub.add_parser("params", help="list every parameter with its default, bounds and help")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")


def _default_cell(param: Param) -> str:
    return param.default_text().replace("= ", "")


def _every() -> list[Param]:
    """The dyad's parameters, then the life course's (the registry's second table)."""
    from dyadsim.life.params import LIFE_REGISTRY

    return [*REGISTRY.values(), *LIFE_REGISTRY.values()]


def params_table(markdown: bool = False) -> str:
    """Every registry parameter as a text or Markdown table.

    The dyad's parameters come first, then the life course's (``caregiver.*``, ``child.*``,
    ``strange.*``, ``life.*``: ``dyadsim strange-situation`` and ``dyadsim population``).
    The text table says rates per day (one episode is one day); the Markdown table is the
    registry's own words, as ``docs/MODEL.md`` holds them.
    """
    if markdown:
        lines = ["| parameter | default | range | unit | meaning | construct |",
                 "|---|---|---|---|---|---|"]
        for p in _every():
            lines.append(f"| `{p.name}` | {_default_cell(p)} | [{p.low:g}, {p.high:g}] | "
                         f"{p.unit} | {p.label}: {p.help} | {p.construct} |")
        return "\n".join(lines)
    lines = []
    first_life = _life_names()[0]
    for p in _every():
        if p.name == first_life:
            lines.append("\nThe life course (dyadsim strange-situation, dyadsim population):")
        unit = f" {unit_label(p.unit)}" if p.unit else ""
        sweep = "" if p.sweepable else "  (not sweepable)"
        lines.append(f"{p.name}  default {p.default_text()}  range [{p.low:g}, {p.high:g}]"
                     f"{unit}{sweep}\n    {p.label}. {p.help}")
    return "\n".join(lines)


def _life_names() -> list[str]:
    from dyadsim.life.params import LIFE_REGISTRY

    return list(LIFE_REGISTRY)


def cmd_params(args: argparse.Namespace) -> int:
    """``dyadsim params``: print the table."""
    print(params_table(markdown=args.markdown))
    return 0
