"""A population of lives on this machine: wall time, CPU time and peak memory by size.

Run: ``.venv/bin/python experiments/bench_population.py [--people 100000] [--baseline 10000]
[--years 30] [--origin childhood]``.

Each size runs ``dyadsim.life.population.run_population`` in a fresh process of its own
(so peak RSS, ``ru_maxrss``, is that size's alone), writing its Parquet parts to a
temporary folder, with towns of 1,000 people run one after another here (the batch kernel
uses every core through Numba's threads; the monthly market and the bookkeeping are
Python, one core). The baseline runs in the same command, so memory flatness is read as a
ratio: peak RSS at ``--people`` over peak RSS at ``--baseline``. Numba's compilation is
warmed up (a 50-person town) before the clock starts. It prints a Markdown table and, with
``--out FILE.json``, writes the numbers.

Measured (issue 16, 2 cores, a quiet machine, origin childhood: every life from infancy,
the Strange Situation and 17 childhood years, then 30 adult years): 10,000 lives 18.0 s
wall, 35.3 s CPU, 328 MiB peak; 100,000 lives 187.2 s wall, 359.8 s CPU, 328 MiB (ratio
1.00), 149,331 relationships. With origin uniform (no childhood) 100,000 lives took 178 s,
274 MiB. In a town of 1,000 about half the wall time is the batch kernel, the rest Python:
the monthly market, the parameter rows of new couples, the counter tables and the
bookkeeping of the drift.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, tempfile, time
from dyadsim.life.population import run_population
people, years, origin = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
run_population(50, 2, seed=1, town_size=50, origin=origin)  # compile / load Numba's cache
before = resource.getrusage(resource.RUSAGE_SELF)
with tempfile.TemporaryDirectory() as tmp:
    t0 = time.perf_counter()
    s = run_population(people, years, seed=1, out=tmp, origin=origin)
    wall = time.perf_counter() - t0
after = resource.getrusage(resource.RUSAGE_SELF)
d = s.to_dict()
print(json.dumps({"people": people, "years": years, "wall_s": wall,
                  "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                  "peak_rss_mib": after.ru_maxrss / 1024,
                  "relationships": s.counts["relationships"],
                  "relationships_per_life": d["relationships_per_life"]}))
"""


def measure(people: int, years: int, origin: str) -> dict[str, float]:
    """One size in its own process."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(people), str(years), origin],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Measure the baseline and the full size; print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=100_000)
    p.add_argument("--baseline", type=int, default=10_000)
    p.add_argument("--years", type=int, default=30)
    p.add_argument("--origin", choices=("uniform", "childhood"), default="childhood")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    rows = [measure(n, args.years, args.origin) for n in (args.baseline, args.people)]
    base, full = rows
    result = {"machine": f"{platform.processor() or platform.machine()}, "
                         f"{__import__('os').cpu_count()} cores",
              "origin": args.origin, "rows": rows,
              "rss_ratio": full["peak_rss_mib"] / base["peak_rss_mib"],
              "wall_per_life_ms": [r["wall_s"] / r["people"] * 1e3 for r in rows]}
    print("| people | years | wall (s) | CPU (s) | peak RSS (MiB) | relationships | "
          "wall per life (ms) |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['people']:,} | {r['years']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
              f"{r['peak_rss_mib']:.0f} | {int(r['relationships']):,} | "
              f"{r['wall_s'] / r['people'] * 1e3:.2f} |")
    print(f"peak RSS ratio {full['people']:,} / {base['people']:,} people: "
          f"{result['rss_ratio']:.2f} (origin {args.origin}; {result['machine']})")
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
