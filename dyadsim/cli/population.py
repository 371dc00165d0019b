"""``dyadsim population``: adult lives in towns, partner choice, earned security.

``--set`` takes two kinds of keys: the life course's (``life.*``, ``caregiver.*``,
``child.*``, ``strange.*``: :data:`dyadsim.life.params.LIFE_REGISTRY`) and the dyad's
``dyad.*`` keys, which apply to every couple. A person's own parameters (``partner_a.*``,
``partner_b.*``) come from their life and are refused, as is any ``run.*`` key (the seed
is ``--seed``, the horizon ``--years``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dyadsim.cli.common import CLIError, json_safe, positive_int, split_set


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``population`` subcommand."""
    from dyadsim.life.population import ORIGINS, TOWN_SIZE

    e = sub.add_parser("population",
                       help="lives in towns: partner choice, relationships, earned security")
    e.add_argument("--people", type=positive_int, default=1000,
                   help="how many people (default 1000; at most 2,000,000)")
    e.add_argument("--years", type=positive_int, default=30,
                   help="years of adult life from 18 (default 30; at most 80)")
    e.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="a life.* (or caregiver.*, child.*, strange.*) or dyad.* parameter, "
                        "e.g. life.familiarity_bias=0 (repeatable)")
    e.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    e.add_argument("--out", type=Path, metavar="DIR",
                   help="write people/, relationships/, traits/ Parquet parts and "
                        "population.json (resumable: run the same command again)")
    e.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the towns on a Dask cluster (e.g. tcp://127.0.0.1:8786)")
    e.add_argument("--town-size", type=positive_int, default=TOWN_SIZE,
                   help=f"people per town; people meet within their town (default {TOWN_SIZE})")
    e.add_argument("--origin", choices=ORIGINS, default="childhood",
                   help="traits at 18 from the childhood model (default) or drawn uniformly")
    e.add_argument("--json", action="store_true", help="print one JSON object to stdout")


_LIFE_GROUPS = ("life", "caregiver", "child", "strange")


def split_sets(texts: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``--set`` values as (life-course settings, dyad settings), each checked."""
    from dyadsim.life.params import LIFE_REGISTRY, life_lookup
    from dyadsim.params import lookup
    from dyadsim.registry import ParamError

    life: dict[str, Any] = {}
    dyad: dict[str, Any] = {}
    for text in texts:
        key, value = split_set(text, "population", "life.familiarity_bias=0", {**life, **dyad})
        target = life if key in LIFE_REGISTRY else dyad
        if key in LIFE_REGISTRY or key.split(".")[0] in _LIFE_GROUPS:
            target = life
            target[key] = life_lookup(key).check(value)  # unknown: names close matches
        elif key.startswith("dyad."):
            target[key] = lookup(key).check(value)
        else:
            raise ParamError(f"dyadsim population: --set {key}={value}: allowed keys: "
                             f"life.*, caregiver.*, child.*, strange.* "
                             f"({len(LIFE_REGISTRY)} in all) and dyad.*; a person's "
                             f"partner_* parameters come from their life")
    return life, dyad


def cmd_population(args: argparse.Namespace) -> int:
    """``dyadsim population``: run, write, summarise."""
    from dyadsim.life.lives import MAX_YEARS
    from dyadsim.life.params import life_params
    from dyadsim.life.population import MAX_PEOPLE, Population, run_population

    if args.people > MAX_PEOPLE or args.people < 2:
        raise CLIError(f"dyadsim population: --people {args.people}: allowed 2 to "
                       f"{MAX_PEOPLE:,}")
    if args.years > MAX_YEARS:
        raise CLIError(f"dyadsim population: --years {args.years}: allowed 1 to {MAX_YEARS}")
    if not 0 <= args.seed < 2**63:
        raise CLIError(f"dyadsim population: --seed {args.seed}: allowed 0 to 2**63 - 1")
    life, dyad = split_sets(args.sets)
    try:
        Population(args.people, args.years, args.seed, life_params(life), dyad,
                   min(args.town_size, args.people), args.origin)
    except ValueError as err:
        raise CLIError(f"dyadsim population: {err}") from None
    summary = run_population(args.people, args.years, life, args.seed, args.out,
                             args.scheduler, min(args.town_size, args.people), dyad,
                             args.origin)
    d = summary.to_dict()
    if args.json:
        print(json.dumps(json_safe(d)))
        return 0
    print(f"dyadsim population: {d['n']:,} people x {d['years']} years, seed {d['seed']}, "
          f"towns of {d['town_size']}, origin {d['origin']}")
    print(f"relationships per life {d['relationships_per_life']:.2f}; time single "
          f"{d['share_of_time_single']:.1%}; anxious at 18: {d['anxious_at_18']:,}, of whom "
          f"secure at the end (earned security): "
          + ("n/a" if d["earned_security"] is None else f"{d['earned_security']:.1%}"))
    obs, rnd = d["pairing"]["observed"], d["pairing"]["random"]
    print("pairing (all relationships; styles at the start; observed / random matching):")
    for r in obs:
        print(f"  {r:>9} " + " ".join(f"{c}={obs[r][c]:.3f}/{rnd[r][c]:.3f}" for c in obs[r]))
    if args.out is not None:
        print(f"wrote {args.out}/people, relationships, traits (Parquet) and population.json")
    return 0
