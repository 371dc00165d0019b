"""Trap shares for the four pairings and the two trait sweeps (stylized facts 1-4).

Run: ``.venv/bin/python experiments/pairings.py [--reps 200] [--seed 20261121]``.
Prints a Markdown table: outcome shares (Wilson 95% intervals for the trap share) and the
share of couples that fell into the trap at any point (``trap_entered``).
"""

from __future__ import annotations

import argparse

from dyadsim.runner import run_replicates

PAIRINGS = {
    "secure-secure": (0.1, 0.1, 0.1, 0.1),
    "anxious-secure": (0.8, 0.2, 0.1, 0.1),
    "secure-avoidant": (0.1, 0.1, 0.2, 0.8),
    "anxious-avoidant": (0.8, 0.2, 0.2, 0.8),
}
LEVELS = (0.2, 0.4, 0.6, 0.8, 1.0)


def traits(aa: float, av: float, ba: float, bv: float) -> dict[str, float]:
    return {"partner_a.anxiety": aa, "partner_a.avoidance": av,
            "partner_b.anxiety": ba, "partner_b.avoidance": bv}


def row(label: str, overrides: dict[str, float], reps: int, seed: int) -> str:
    s = run_replicates(overrides, reps=reps, root_seed=seed).summary().point()
    o = s["outcomes"]
    lo, hi = s["trap_ci95"]
    entered = s["metrics"]["trap_entered"]["mean"]
    return (f"| {label} | {s['trap']:.3f} [{lo:.3f}, {hi:.3f}] | {entered:.3f} | "
            f"{o['settled']:.3f} | {o['escalated']:.3f} | {o['cycling']:.3f} | "
            f"{o['dissolved']:.3f} | {o['distant']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    head = ("| couple | trap share [95% CI] | fell into trap | settled | escalated | cycling "
            "| dissolved | distant |\n|---|---|---|---|---|---|---|---|")
    print(f"Four pairings, {args.reps} replicates, root seed {args.seed}\n\n{head}")
    for name, t in PAIRINGS.items():
        print(row(name, traits(*t), args.reps, args.seed))
    sweep_reps = max(1, args.reps // 2)
    print(f"\nSweep of A's anxiety (B avoidant 0.2/0.8), {sweep_reps} replicates\n\n{head}")
    for a in LEVELS:
        print(row(f"A anxiety {a}", traits(a, 0.2, 0.2, 0.8), sweep_reps, args.seed))
    print(f"\nSweep of B's avoidance (A anxious 0.8/0.2), {sweep_reps} replicates\n\n{head}")
    for v in LEVELS:
        print(row(f"B avoidance {v}", traits(0.8, 0.2, 0.2, v), sweep_reps, args.seed))


if __name__ == "__main__":
    main()
