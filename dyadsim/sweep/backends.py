"""Where a sweep's chunks run: here (Numba threads), local processes, or a Dask cluster.

:func:`execute` yields ``(chunk index, tables)`` as chunks finish; results never depend on
the backend (each chunk is a pure function of the sweep and its index).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import pandas as pd

from dyadsim.sweep.work import Sweep, run_chunk


def on_dask[T](scheduler: str, call: Callable[..., T], jobs: Sequence[tuple[int, tuple]]
               ) -> Iterator[tuple[int, T]]:
    """Yield ``(index, call(*args))`` for each ``(index, args)`` job as it finishes on Dask.

    The jobs run on the cluster at ``scheduler``; on exit (all done, an error, or the caller
    stopping) the rest are cancelled. A sweep's chunks and a population's towns both run
    here: each job is a pure function of its arguments, so results never depend on the
    cluster.
    """
    from distributed import Client, as_completed

    with Client(scheduler, timeout="20s") as client:
        futures = [client.submit(call, *args, pure=False) for _, args in jobs]
        index = {f.key: i for f, (i, _) in zip(futures, jobs, strict=True)}
        try:
            for future in as_completed(futures):
                yield index[future.key], future.result()
        finally:
            client.cancel(futures)


def execute(
    sweep: Sweep, todo: Sequence[int], processes: int, scheduler: str | None
) -> Iterator[tuple[int, dict[str, pd.DataFrame]]]:
    """Yield ``(chunk index, tables)`` as chunks finish, on the chosen backend.

    ``processes == 1`` runs chunks here, the kernel using every core through Numba's
    threads; more processes each run single-threaded chunks; a scheduler address sends
    single-threaded chunks to a Dask cluster.
    """
    if scheduler:
        yield from on_dask(scheduler, run_chunk, [(i, (sweep.chunk(i), 1)) for i in todo])
        return
    if processes <= 1:
        for i in todo:
            yield i, run_chunk(sweep.chunk(i))
        return
    workers = processes
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: dict[Future, int] = {}
        queue = list(todo)
        try:
            while queue or pending:
                while queue and len(pending) < 2 * workers:  # bounded: memory stays flat
                    i = queue.pop(0)
                    pending[pool.submit(run_chunk, sweep.chunk(i), 1)] = i
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


def describe(processes: int, scheduler: str | None) -> str:
    """The backend in words, for the provenance file."""
    if scheduler:
        return scheduler
    if processes > 1:
        return f"{processes} local processes"
    import numba

    return f"1 process, {int(numba.get_num_threads())} threads"
