"""The batch kernel's throughput at scale, in a process of its own.

Run by ``bench_engines.py`` (``python experiments/kernel_rate.py SPEC_JSON``), once for the
working tree and once for a baseline tree put on ``PYTHONPATH``, so that it imports nothing
but ``dyadsim.batch`` and ``param_matrix`` (in ``dyadsim.params``; the baseline tree has it
in ``dyadsim.batch``). It
prints one JSON line: the median time of ``repeats`` calls (wall and process CPU time: on a
busy machine the CPU time per dyad-step is the steadier measure), the dyad-steps run, the peak RSS
and a digest of every outcome, metric and last step, which must be equal for two kernels
that compute the same runs bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import sys
import time
from typing import Any

import numba
import numpy as np

from dyadsim import batch

try:
    from dyadsim.params import param_matrix
except ImportError:  # a baseline tree from before param_matrix moved to dyadsim.params
    param_matrix = batch.param_matrix

ROOT_SEED = 20261121


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Time ``run_batch`` on ``spec["dyads"]`` dyads x ``spec["steps"]`` steps."""
    n, steps, threads, every = spec["dyads"], spec["steps"], spec["threads"], spec["every"]
    # A spread of anxiety, cycled so that each thread's share of rows gets the same mix.
    anxiety = np.linspace(0.05, 0.95, 10)[np.arange(n) % 10]
    matrix = param_matrix(None, {"partner_a.anxiety": anxiety})
    seeds = np.arange(ROOT_SEED, ROOT_SEED + n, dtype=np.uint64)
    start = time.perf_counter()
    batch.run_batch(matrix[:2], seeds[:2], 10, record_every=every, threads=threads)
    first = time.perf_counter() - start
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    times, cpu, result = [], [], None
    for _ in range(spec["repeats"]):
        result = None  # free the previous result before the next call
        start, start_cpu = time.perf_counter(), time.process_time()
        result = batch.run_batch(matrix, seeds, steps, record_every=every, threads=threads)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    arrays = [result.seeds, result.outcome, result.metrics, result.last_step]
    if result.trajectories is not None:
        arrays.append(result.trajectories)
    digest = hashlib.sha256()
    for a in (result.outcome, result.metrics, result.last_step):
        digest.update(np.ascontiguousarray(a).tobytes())
    seconds = statistics.median(times)
    actual = int(result.last_step.sum())
    return {**spec, "nominal_dyad_steps": n * steps, "dyad_steps": actual,
            "seconds": seconds, "times": times, "rate": actual / seconds,
            "cpu_seconds": statistics.median(cpu), "cpu_rate": actual / statistics.median(cpu),
            "first_call_seconds": first, "baseline_rss": base, "peak_rss": peak,
            "rss_growth": peak - base, "result_bytes": sum(a.nbytes for a in arrays),
            "input_bytes": matrix.nbytes, "threading_layer": numba.threading_layer(),
            "digest": digest.hexdigest()}


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
