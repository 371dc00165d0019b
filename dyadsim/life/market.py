"""Meeting and choosing partners: the familiarity bias.

Each month every single person meets potential partners with probability
``life.meet_rate``. The people who meet, in a random order, each weigh ``life.candidates``
single people drawn at random from those still single this month, and choose one of them
with probability proportional to

    w_ij = exp(beta * anxiety_i * avoidance_j),     beta = life.familiarity_bias.

``beta = 0`` is a random choice. ``beta > 0`` draws an anxious chooser towards an
unavailable (avoidant) partner: the seeds' S10 ("anxious people 'settle' for unavailable
or inconsistent partners because the pattern feels familiar"; /work/shared/brief/MODEL.md).
``beta < 0`` is the seeds' advice ("choosing reliable partners breaks the cycle"): anxious
choosers prefer available partners. A secure chooser (anxiety near 0) chooses almost at
random whatever ``beta``. The chosen person agrees (a one-sided rule, kept simple), and the
two leave the market for the month.

Source and its limits: the rule writes down the seeds' claim; the literature notes
(/work/notes/literature16.md, section 7) found no primary source that states "anxious
people are attracted to avoidant partners" as a finding. Kirkpatrick & Davis (1994, 354
dating couples) saw styles paired non-randomly (no anxious-anxious or avoidant-avoidant
pairs); Holmes & Johnson (2009) place the complementarity evidence in established couples.
``beta`` is therefore an experiment's control, not a fitted value.

Every draw comes from the town's market seed (:data:`dyadsim.life.seeds.MARKET`) and the
month, so a town's matches are the same in any process and on any worker.
"""

from __future__ import annotations

import numpy as np

from dyadsim.life import seeds as life_seeds


def market_rng(town_seed: int, month: int) -> np.random.Generator:
    """The generator of one month's market in one town (a pure function of both)."""
    key = int(life_seeds.derive(np.uint64(town_seed), life_seeds.MARKET))
    return np.random.Generator(np.random.PCG64([key, int(month)]))


def choice_weights(anxiety: float, avoidance: np.ndarray, beta: float) -> np.ndarray:
    """The chooser's probabilities over candidates: softmax of ``beta * anx * avo_j``."""
    logits = beta * anxiety * np.asarray(avoidance, dtype=float)
    w = np.exp(logits - logits.max())
    return w / w.sum()


def match(single: np.ndarray, anxiety: np.ndarray, avoidance: np.ndarray, meet_rate: float,
          candidates: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """One month's new couples among the single people of a town.

    Args:
        single: Indices of the people single this month (sorted).
        anxiety: Everyone's current anxiety (indexed by person).
        avoidance: Everyone's current avoidance.
        meet_rate: Chance that a single person goes looking this month.
        candidates: How many single people a chooser weighs.
        beta: The familiarity bias.
        rng: This month's generator (:func:`market_rng`).

    Returns:
        Shape ``(couples, 2)``: chooser (partner A), chosen (partner B), in the order made.
    """
    single = np.asarray(single, dtype=np.int64)
    if single.shape[0] < 2:
        return np.empty((0, 2), dtype=np.int64)
    meets = rng.random(single.shape[0]) < meet_rate
    seekers = single[meets][rng.permutation(int(meets.sum()))]
    free = np.zeros(anxiety.shape[0], dtype=bool)
    free[single] = True
    pairs: list[tuple[int, int]] = []
    for i in seekers:
        if not free[i]:
            continue
        free[i] = False
        pool = np.flatnonzero(free)
        if pool.shape[0] == 0:
            free[i] = True
            break
        k = min(int(candidates), pool.shape[0])
        cand = rng.choice(pool, size=k, replace=False)
        j = int(cand[rng.choice(k, p=choice_weights(float(anxiety[i]), avoidance[cand], beta))])
        free[j] = False
        pairs.append((int(i), j))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
