"""Class mode's move latency: 30 and 100 students playing at once against gunicorn.

Run: ``.venv/bin/python experiments/bench_class.py [--students 30 100] [--pairs 30]
[--weeks 4] [--workers 2]``.

It starts ``dyadsim dashboard --workers 2`` on a free loopback port with a class database
in a temporary folder (nothing else is contacted), then for each class size a teacher starts
a class and every student, one thread each, joins and plays ``--weeks`` weeks as fast as the
server answers, all at once; week 1 is submitted twice (a double tap). A move's latency is
its HTTP request, from sending to the decoded answer (one move = one week = 7 model days).
Any answer other than the expected one counts as an error. It prints a Markdown table.

The ``pairs`` rows (``--pairs``, default 30 students: 15 couples) play in pairs: a move's
latency is the same HTTP request (it stores the move and, for the second of a couple, runs
the week); the time a student then waits for the partner's move is the partner's, not the
server's, and is reported apart (``wait p50``, polling every 0.2 s).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.classroom import drill  # noqa: E402  (after the path of this checkout)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--pairs", type=int, nargs="*", default=[30],
                        help="class sizes played in pairs (even numbers; none: skip)")
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    for n in args.students:
        if not 1 <= n <= drill.MAX_SIM_STUDENTS:
            parser.error(f"--students {n}: allowed 1 to {drill.MAX_SIM_STUDENTS}")
    for n in args.pairs:
        if not 2 <= n <= drill.MAX_SIM_STUDENTS or n % 2:
            parser.error(f"--pairs {n}: allowed an even number, 2 to "
                         f"{drill.MAX_SIM_STUDENTS}")
    if not 1 <= args.weeks <= 52:
        parser.error(f"--weeks {args.weeks}: allowed 1 to 52")
    with tempfile.TemporaryDirectory(prefix="dyadsim-bench-class-") as tmp:
        folder = Path(tmp)
        proc, url = drill.start_server(folder / "class.db", folder / "server.log",
                                       workers=args.workers, root=ROOT)
        try:
            drill.wait_until_serving(proc, url)
            drill.play_class(url, 2, 1)  # warm both workers' first move
            rows = []
            for mode, sizes in (("model", args.students), ("pairs", args.pairs)):
                for n in sizes:
                    t0 = time.perf_counter()
                    run = drill.play_class(url, n, args.weeks, mode)
                    wall = time.perf_counter() - t0
                    for failure in run.failures[:5]:
                        print(f"{mode} {n}: {failure}", file=sys.stderr)
                    ms = np.asarray(run.latencies) * 1000
                    wait = np.percentile(run.waits, 50) * 1000 if run.waits else float("nan")
                    rows.append((mode, n, ms.size, np.percentile(ms, 50),
                                 np.percentile(ms, 95), ms.max(), wait, len(run.failures),
                                 wall))
        finally:
            drill.stop_server(proc)
    print(f"class mode, {args.workers} gunicorn workers, {args.weeks} weeks a student "
          f"(+1 double tap), {platform.machine()} with {_cores()} cores\n")
    print("| mode | students | moves | p50 ms | p95 ms | max ms | wait p50 ms | errors "
          "| wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode, n, moves, p50, p95, top, wait, errors, wall in rows:
        waited = "" if np.isnan(wait) else f"{wait:.0f}"
        print(f"| {mode} | {n} | {moves} | {p50:.0f} | {p95:.0f} | {top:.0f} | {waited} "
              f"| {errors} | {wall:.1f} |")
    return 1 if any(r[7] for r in rows) else 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
