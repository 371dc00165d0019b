"""What the dashboard runs: one couple, a two-parameter sweep, sample runs of a cell, a compare.

One couple and a cell's sample runs use the batch engine in the server process, one run at
a time on one thread (a 500-day run takes milliseconds; it equals the Mesa model's run).
Sweeps and compares use it too, only inside Dash background callbacks, each in its own
process. The kernel's threads use Numba's ``workqueue`` layer (set by
:func:`dashboard.app.warm_kernel`), which allows a fork after it has run (GNU OpenMP does
not), and no fork happens during a couple run.

Every result is a pure function of the view's scenario, settings and seed.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard import view as views
from dyadsim import outcomes, readout
from dyadsim.scenario import Scenario
from dyadsim.stats import mean_interval_rows

if TYPE_CHECKING:
    from dyadsim.runner import Replicates

#: Columns the couple view keeps (figures and caption).
COUPLE_COLUMNS: tuple[str, ...] = (
    "step", "dyad.closeness", "dyad.dissolved",
    *(f"{who}.{var}" for who in ("partner_a", "partner_b")
      for var in ("activation", "pursuit", "withdrawal", "satisfaction", "trust",
                  "availability", "perceived_availability", "lapsed", "fatigue")),
)


def events_of(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's events as ``{"step", "end", "label"}`` for marking figures."""
    out = []
    for number, event in enumerate(scenario.events, start=1):
        end = event.step + event.duration - 1 if event.duration else scenario.steps
        out.append({"step": int(event.step), "end": int(end),
                    "label": event.label or event.name(number)})
    return out


def couple_key(view: dict[str, Any]) -> str:
    """What a couple run depends on (a cache key)."""
    return views.canonical(view, ("scenario", "upload", "set", "seed"))


#: One couple run at a time in this process, and never a fork during one. The kernel's
#: ``workqueue`` threading layer aborts the process on concurrent launches from two request
#: threads, and a job process forked mid-launch would inherit it busy; a run takes
#: milliseconds, so requests queue here briefly and a fork waits for the run to end.
_KERNEL = threading.Lock()
_FORK_HOOK: list[bool] = []


def _hold_forks_during_runs() -> None:
    """Make every fork of this process wait for a couple run to end (registered once)."""
    if not _FORK_HOOK:
        _FORK_HOOK.append(True)
        os.register_at_fork(before=_KERNEL.acquire, after_in_parent=_KERNEL.release,
                            after_in_child=_KERNEL.release)


@functools.lru_cache(maxsize=32)
def couple_run(key: str) -> dict[str, Any]:
    """Run one couple on the batch engine (cached by :func:`couple_key`).

    The batch engine's run equals the Mesa model's (every state variable within 1e-9, tested)
    and takes milliseconds instead of a quarter of a second under the GIL.

    Raises:
        dyadsim.scenario.ScenarioError: The view's scenario or settings are not valid.
    """
    from dyadsim.runner import run_replicates

    view = json.loads(key)
    view.setdefault("seed", views.DEFAULT_VIEW["seed"])
    scenario = views.resolve(view)
    _hold_forks_during_runs()
    with _KERNEL:
        reps = run_replicates(scenario=scenario, reps=1, root_seed=scenario.seed,
                              steps=scenario.steps, record_every=1, threads=1)
    trajectory = reps.trajectory(0)
    outcome, metrics = outcomes.assess(trajectory)
    traj = trajectory.loc[:, list(COUPLE_COLUMNS)]
    pw = outcomes.pursue_withdraw(trajectory)
    return {
        "title": scenario.title, "names": list(scenario.names), "seed": scenario.seed,
        "steps": scenario.steps, "unit": scenario.unit, "events": events_of(scenario),
        "traj": traj, "pw": pw, "outcome": outcome, "metrics": metrics,
        "last": int(traj["step"].iloc[-1]),
    }


# --- Sweeps ------------------------------------------------------------------------------------

SWEEP_KEYS: tuple[str, ...] = ("scenario", "upload", "set", "seed", "x", "y", "points", "reps")


def sweep_spec(view: dict[str, Any]) -> dict[str, Any]:
    """The parts of the view a sweep depends on (and nothing else, so caching works)."""
    return {k: view.get(k) for k in SWEEP_KEYS}


def _axis_values(axis: dict[str, Any], points: int) -> np.ndarray:
    return np.linspace(float(axis["low"]), float(axis["high"]), int(points))


def grid_sweep(spec: dict[str, Any], progress: Callable[[int, int], None] | None = None
              ) -> dict[str, Any]:
    """Sweep two parameters over a grid on the batch engine, all else as in the view.

    Each cell runs ``reps`` replicates with the seeds ``dyadsim run --reps R --seed S``
    uses (the same at every cell). ``progress(done, total)`` is called after each chunk
    of rows.

    Returns:
        ``x``/``y`` axis names and values, and for every quantity of
        :data:`dashboard.views.SHOW_OPTIONS` a ``value``, ``low``, ``high`` and ``n`` grid
        (rows follow ``y``, columns ``x``).

    Raises:
        ValueError: The axes or settings are not valid (one line).
    """
    from dyadsim import sweep as sweeps  # the batch engine: only ever in a job process

    started = time.perf_counter()
    if spec["x"]["name"] == spec["y"]["name"]:
        raise ValueError(f"x axis = y axis = {spec['x']['name']}: choose two different "
                         "parameters")
    scenario = views.resolve(spec)
    xs, ys = _axis_values(spec["x"], spec["points"]), _axis_values(spec["y"], spec["points"])
    names = (spec["y"]["name"], spec["x"]["name"])
    fixed = {k: v for k, v in scenario.params.items() if k not in names}
    reps = int(spec["reps"])
    design = sweeps.grid({names[0]: (ys[0], ys[-1], len(ys)),
                          names[1]: (xs[0], xs[-1], len(xs))})
    rows_per_chunk = max(1, len(ys) // 7)  # about 7 progress steps
    sweep = sweeps.make_sweep(design, fixed, reps=reps,
                              chunk_runs=reps * len(xs) * rows_per_chunk,
                              timeline=scenario.timeline())
    parts = []
    for index in range(sweep.n_chunks):
        parts.append(sweeps.run_chunk(sweep.chunk(index))["summary"])
        if progress is not None:
            progress(index + 1, sweep.n_chunks)
    summary = pd.concat(parts, ignore_index=True)
    shape = (len(ys), len(xs))
    tables: dict[str, dict[str, list[list[float]]]] = {}
    for name in views.SHOW_OPTIONS:
        metric = name in outcomes.METRIC_NAMES
        value = summary[f"{name}_mean" if metric else name]
        n = summary[f"{name}_n"] if metric else summary["n"]
        tables[name] = {
            "value": _grid(value, shape), "low": _grid(summary[f"{name}_ci_low"], shape),
            "high": _grid(summary[f"{name}_ci_high"], shape), "n": _grid(n, shape)}
    return {
        "spec": spec, "x": {"name": names[1], "values": xs.tolist()},
        "y": {"name": names[0], "values": ys.tolist()}, "reps": reps,
        "seeds": [str(s) for s in sweep.seeds()], "steps": sweep.steps,
        "tables": tables, "seconds": time.perf_counter() - started,
    }


MEANFIELD_MAX_POINTS = 21
"""The mean-field map uses the sweep's grid up to this many points per axis (coarser above;
its boundaries are located by bisection between grid cells either way)."""


def meanfield_overlay(result: dict[str, Any]) -> dict[str, Any]:
    """The mean-field stability map for a sweep's axes and settings (in a job process).

    Returns the boundary curves as heatmap overlays, the regime counts, and, when the map's
    grid is the sweep's, the share of cells where the map's predicted outcome is the
    simulated majority class (:func:`dyadsim.stability.agreement`). The map takes the
    scenario's settings; its events are not part of the mean field (``events`` says
    whether there were any).
    """
    from dyadsim import stability  # loaded by app.warm_kernel before any job is forked

    spec = result["spec"]
    scenario = views.resolve(spec)
    xs, ys = np.asarray(result["x"]["values"]), np.asarray(result["y"]["values"])
    same = max(xs.size, ys.size) <= MEANFIELD_MAX_POINTS
    if not same:
        xs = np.linspace(xs[0], xs[-1], MEANFIELD_MAX_POINTS)
        ys = np.linspace(ys[0], ys[-1], MEANFIELD_MAX_POINTS)
    names = (result["x"]["name"], result["y"]["name"])
    fixed = {k: v for k, v in scenario.params.items()
             if k not in names and k not in ("run.seed",)}
    m = stability.stability_map([(names[0], xs), (names[1], ys)], fixed=fixed)
    share = None
    if same:
        shares = {k: np.array(result["tables"][k]["value"], dtype=float)
                  for k in outcomes.OUTCOMES}
        share = stability.agreement(m, stability.simulated_class(shares))
    from dashboard.figures import boundary_lines  # plain names, one dash style a curve

    overlay = boundary_lines(m.boundaries)
    return {"spec": spec, "overlay": overlay, "regimes": m.counts(), "agreement": share,
            "events": bool(scenario.events)}


def _grid(column: pd.Series, shape: tuple[int, int]) -> list[list[float | None]]:
    grid = np.asarray(column, dtype=float).reshape(shape)
    return [[None if not np.isfinite(v) else round(float(v), 6) for v in row] for row in grid]


def cell_view(spec: dict[str, Any], x: float, y: float, seed: int) -> dict[str, Any]:
    """The view of one replicate of a sweep cell, as the couple page runs it."""
    view = {**views.default_view(), **{k: spec[k] for k in ("scenario", "upload")}}
    view["set"] = {**spec["set"], spec["x"]["name"]: float(x), spec["y"]["name"]: float(y)}
    view["seed"] = str(int(seed))
    return view


def cell_runs(result: dict[str, Any], x: float, y: float, count: int = 4
              ) -> list[dict[str, Any]]:
    """The first ``count`` replicates of one sweep cell, run on the Mesa model."""
    out = []
    for r, seed in enumerate(result["seeds"][:count]):
        view = cell_view(result["spec"], x, y, int(seed))
        run = couple_run(couple_key(view))
        out.append({"replicate": r, "seed": int(seed), "view": view, **run})
    return out


# --- Compare -----------------------------------------------------------------------------------

#: The series a compare shows, with the titles of their panels.
COMPARE_SERIES: dict[str, str] = {
    "pw": "Pursue-withdraw (A's pursuit x B's withdrawal, or the reverse)",
    "partner_a.activation": "Activation of partner A",
    "partner_b.withdrawal": "Withdrawal of partner B",
    "dyad.closeness": "Closeness",
}


def side_scenario(view: dict[str, Any], side: str) -> Scenario:
    """The scenario of compare side ``a`` or ``b`` (``current``: the couple page's)."""
    name = view["compare"][side]
    if name == views.CURRENT:
        return views.resolve(view)
    return views.resolve({**views.default_view(), "scenario": name,
                          "seed": str(views.base_scenario({"scenario": name}).seed)})


def run_compare(view: dict[str, Any], progress: Callable[[int, int], None] | None = None
                ) -> dict[str, Any]:
    """Run both compare sides on the batch engine: mean series and outcome shares.

    Raises:
        ValueError: A side's scenario, settings or event labels are not valid.
    """
    from dyadsim.runner import run_replicates  # the kernel runs only ever in a job process

    comp = view["compare"]
    reps = int(comp["reps"])
    sides = {}
    for i, side in enumerate(("a", "b")):
        scenario = side_scenario(view, side)
        without = tuple(comp[f"{side}_without"])
        labels = [e.label for e in scenario.events if e.label]
        unknown = [w for w in without if w not in labels]
        if unknown:
            raise ValueError(f"{side}_without = {unknown[0]!r}: no such event in "
                             f"{scenario.name}; allowed: " + (", ".join(labels) or "none"))
        result = run_replicates(scenario=scenario, reps=reps, record_every=1,
                                without=without)
        sides[side] = _compare_side(scenario, without, result, reps)
        if progress is not None:
            progress(i + 1, 2)
    return sides


def _compare_side(scenario: Scenario, without: tuple[str, ...], result: Replicates,
                  reps: int) -> dict[str, Any]:
    from dyadsim.summary import SHARE_NAMES

    columns = {name: result.column(name) for name in ("partner_a.pursuit",
               "partner_b.pursuit", "partner_a.withdrawal", "partner_b.withdrawal")}
    series = {"pw": outcomes.pursue_withdraw(columns)}  # (reps, steps + 1); NaN after the end
    for name in list(COMPARE_SERIES)[1:]:
        series[name] = result.column(name)
    out: dict[str, Any] = {"title": scenario.title, "name": scenario.name,
                           "without": list(without), "reps": reps, "series": {}}
    for name, rows in series.items():
        mean, low, high, n = mean_interval_rows(rows.T)
        out["series"][name] = {"mean": _round(mean), "low": _round(low),
                               "high": _round(high), "n": n.tolist()}
    summary = result.summary()
    out["shares"] = {n: {"value": float(summary.shares[n][0]),
                         "low": float(summary.share_low[n][0]),
                         "high": float(summary.share_high[n][0])} for n in SHARE_NAMES}
    # the continuous indices the compare shows beside the class shares
    out["indices"] = {n: {"value": float(summary.mean[n][0]),
                          "low": float(summary.mean_low[n][0]),
                          "high": float(summary.mean_high[n][0])}
                      for n in readout.index_names()}
    return out


def _round(a: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 5) for v in np.asarray(a)]
