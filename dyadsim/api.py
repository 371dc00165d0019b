"""The Python API, mirroring the command line, for notebooks.

:func:`simulate` (``dyadsim run``), :func:`sweep` (``dyadsim sweep``) and
:func:`sensitivity` (``dyadsim sensitivity``) each return pandas DataFrames.

Example:
    >>> from dyadsim.api import simulate, sweep, sensitivity
    >>> runs = simulate({"partner_a.anxiety": 0.9}, reps=100, seed=1)
    >>> runs["outcome"].value_counts(normalize=True)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dyadsim.runner import Engine, run_replicates
from dyadsim.scenario import Scenario, find
from dyadsim.sensitivity import sensitivity
from dyadsim.sweep import sweep


def simulate(
    params: Mapping[str, Any] | None = None,
    *,
    scenario: str | Scenario | None = None,
    reps: int = 1,
    seed: int | None = None,
    steps: int | None = None,
    engine: Engine = "batch",
    trajectories: bool = False,
) -> pd.DataFrame:
    """Run one parameter set, ``reps`` times; the Python form of ``dyadsim run``.

    Args:
        params: Parameter values by dotted name (others take their defaults, or the
            scenario's values); like ``--set``, they override a scenario's.
        scenario: A scenario file, a library name (``"therapy_eft"``) or a loaded
            :class:`dyadsim.scenario.Scenario`; its settings and events apply to every run.
        reps: Replicates. With 1, the run uses ``seed`` itself.
        seed: Root seed (default ``run.seed``); replicate seeds are spawned from it.
        steps: Days (episodes) per run (default ``run.steps``).
        engine: ``"batch"`` (default) or ``"mesa"``; both give the same runs.
        trajectories: Return every run's per-step trajectory (long format) instead of
            one row per run.

    Returns:
        One row per run (``replicate``, ``seed``, ``outcome`` and every metric), or with
        ``trajectories=True`` one row per run and step.
    """
    loaded = find(scenario) if isinstance(scenario, str) else scenario
    done = run_replicates(params, scenario=loaded, reps=reps, root_seed=seed, steps=steps,
                          engine=engine, record_every=1 if trajectories else 0)
    return done.long_trajectories() if trajectories else done.runs_frame()


__all__ = ["sensitivity", "simulate", "sweep"]
