"""The stability map against simulation: the simulated majority class per cell, agreement.

The map predicts each cell's outcome (``StabilityMap.predicted``, from
:mod:`dyadsim.stability.regimes`); :func:`simulate_grid` runs the stochastic model on the
same grid and :func:`agreement` gives the share of cells where the two name the same class.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dyadsim.stability.regimes import StabilityMap

SIMULATED_CLASS = {"settled": "settled", "escalated": "trapped", "cycling": "trapped",
                   "distant": "distant", "dissolved": "dissolved"}


def simulated_class(shares: Mapping[str, np.ndarray]) -> np.ndarray:
    """The majority class of simulated runs per cell: settled, trapped, distant, dissolved.

    The trap (``escalated`` plus ``cycling``) counts as one class, ``trapped``.
    """
    names = ["settled", "trapped", "distant", "dissolved"]
    table = np.stack([np.asarray(shares["settled"]),
                      np.asarray(shares["escalated"]) + np.asarray(shares["cycling"]),
                      np.asarray(shares["distant"]), np.asarray(shares["dissolved"])])
    return np.array(names, dtype=object)[np.argmax(table, axis=0)].astype(str)


def agreement(m: StabilityMap, simulated: np.ndarray) -> float:
    """Share of cells where the map's predicted outcome equals the simulated majority class.

    A predicted ``cycle`` counts as ``trapped`` (the classifier's escalated or cycling).
    """
    predicted = np.where(m.predicted == "cycle", "trapped", m.predicted)
    return float(np.mean(predicted == np.asarray(simulated)))


def simulate_grid(m: StabilityMap, reps: int, seed: int, steps: int | None = None
                  ) -> pd.DataFrame:
    """Run the stochastic model on the map's grid: each outcome's share per cell.

    Replicate ``r`` uses the same seed in every cell (common random numbers), the seed
    ``dyadsim sweep --reps R --seed S`` gives it. Returns one row per cell in the order of
    :meth:`StabilityMap.frame`, with a share column per outcome and ``simulated`` (the
    majority class, :func:`simulated_class`).
    """
    from dyadsim import outcomes
    from dyadsim.runner import run_replicates

    gx, gy = np.meshgrid(m.x, m.y)
    done = run_replicates(m.fixed, reps=reps, root_seed=seed, steps=steps,
                          varying={m.x_name: gx.ravel(), m.y_name: gy.ravel()})
    summary = done.summary()
    shares = {name: summary.shares[name] for name in outcomes.OUTCOMES}
    frame = pd.DataFrame({f"sim_{k}": v for k, v in shares.items()})
    frame["simulated"] = simulated_class(shares)
    return frame
