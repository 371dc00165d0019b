"""Parameter sweeps: a design, replicates at every point, resumable output, any backend.

The package holds one idea per module:

``designs``   the design points (grid, Latin hypercube, Sobol) and their parsers;
``work``      what a sweep is (:class:`Sweep`) and one chunk of its runs (:func:`run_chunk`);
``backends``  where chunks run: here on Numba's threads, local processes, a Dask cluster;
``store``     the resumable output folder (parts and their manifest, merged tables,
              provenance);
``lock``      one writer per output folder, and no temporary files left in it;
``run``       :func:`run_sweep` and :func:`sweep`, the Python form of ``dyadsim sweep``.

Seeds: replicate ``r`` uses the same seed at every design point (common random numbers),
namely ``dyadsim run``'s seed for replicate ``r`` with that root seed, so any cell can be
checked with ``dyadsim run --set ... --reps R --seed S``.
"""

from __future__ import annotations

from dyadsim.sweep.designs import (
    DESIGNS,
    Design,
    SweepError,
    grid,
    parse_axis,
    parse_bound,
    sample,
)
from dyadsim.sweep.run import SweepResult, run_sweep, sweep
from dyadsim.sweep.work import CHUNK_RUNS, Chunk, Sweep, make_sweep, run_chunk
from dyadsim.timeline import EMPTY

__all__ = [
    "CHUNK_RUNS", "DESIGNS", "EMPTY", "Chunk", "Design", "Sweep", "SweepError", "SweepResult",
    "grid", "make_sweep", "parse_axis", "parse_bound", "run_chunk", "run_sweep", "sample",
    "sweep",
]
