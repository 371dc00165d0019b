"""``dyadsim strange-situation``: class shares and the sensitivity-security correlation."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dyadsim.cli.common import CLIError, json_safe, split_set

MIN_CAREGIVERS, MAX_CAREGIVERS = 2, 1_000_000
DEFAULT_CAREGIVERS = 10_000


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``strange-situation`` subcommand."""
    p = sub.add_parser(
        "strange-situation",
        help="children of a population of caregivers in Ainsworth's Strange Situation: "
             "class shares (A, B, C) and the sensitivity-security correlation")
    p.add_argument("--caregivers", type=int, default=DEFAULT_CAREGIVERS, metavar="N",
                   help=f"caregiver-child pairs (default {DEFAULT_CAREGIVERS:,}; "
                        f"{MIN_CAREGIVERS} to {MAX_CAREGIVERS:,})")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="set a life-course parameter, e.g. caregiver.consistency_mean=0.6 "
                        "(repeatable; see dyadsim.life.params)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout")


def _life(sets: list[str]) -> dict[str, Any]:
    from dyadsim.life.params import life_lookup, life_params
    from dyadsim.registry import ParamError

    given: dict[str, Any] = {}
    for text in sets:
        key, value = split_set(text, "strange-situation", "caregiver.sensitivity_mean=0.6",
                               given)
        try:
            given[key] = life_lookup(key).check(value)
        except ParamError as exc:
            raise CLIError(f"dyadsim strange-situation: --set {text}: {exc}") from None
    return life_params(given)


def cmd_strange(args: argparse.Namespace) -> int:
    """Run the survey and print it (text or one JSON object)."""
    n = args.caregivers
    if not MIN_CAREGIVERS <= n <= MAX_CAREGIVERS:
        raise CLIError(f"dyadsim strange-situation: --caregivers {n}: allowed {MIN_CAREGIVERS} "
                       f"to {MAX_CAREGIVERS:,}")
    if not 0 <= args.seed < 2**63:
        raise CLIError(f"dyadsim strange-situation: --seed {args.seed}: allowed 0 to 2**63 - 1")
    life = _life(args.sets)
    from dyadsim.life import caregiving, strange
    from dyadsim.registry import ParamError

    for key in ("caregiver.sensitivity", "caregiver.consistency"):
        try:
            caregiving.beta_law(float(life[f"{key}_mean"]), float(life[f"{key}_sd"]), f"{key}_sd")
        except ParamError as exc:
            raise CLIError(f"dyadsim strange-situation: --set {exc}") from None
    survey = strange.survey(n, life, seed=args.seed)
    shares = {c: float(survey.shares[k]) for k, c in enumerate(strange.CLASSES)}
    ci = {c: [float(survey.low[k]), float(survey.high[k])] for k, c in enumerate(strange.CLASSES)}
    if args.json:
        print(json.dumps(json_safe({"shares": shares, "shares_ci95": ci,
                                    "sensitivity_security_r": survey.r, "n": n,
                                    "seed": args.seed, "params": life})))
        return 0
    print(f"Strange Situation: {n:,} children of caregivers drawn from the distribution "
          f"(seed {args.seed})")
    names = {"A": "avoidant", "B": "secure", "C": "resistant"}
    for c in strange.CLASSES:
        lo, hi = ci[c]
        print(f"  {c} ({names[c]:9s}) {100 * shares[c]:5.1f}%   95% CI {100 * lo:5.1f}-"
              f"{100 * hi:5.1f}%")
    print(f"  sensitivity-security correlation (point-biserial): r = {survey.r:.3f}")
    return 0
