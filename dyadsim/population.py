"""A population of couples with ECR-like traits, run on the batch engine.

:func:`draw_couples` draws both partners' attachment anxiety and avoidance; each trait is an
ECR score on the questionnaire's 1-7 scale, mapped to the model's 0-1 scale as
``(score - 1) / 6`` and clipped to [0, 1]. The four scores of a couple are a multivariate
normal (:class:`Norms`: a mean and sd per trait, the anxiety-avoidance correlation within a
person, and the correlation of the same trait between partners). :func:`run_population`
runs every couple once, each with its own seed spawned from the root seed (not common random
numbers), and returns one row per couple with its traits, its outcome class, the batch
metrics and each partner's own outcomes (read from trajectories, below).

Norms, as found with the project's search tool (stored public pages) on 2026-11-29:

* Anxiety-avoidance correlation: Wei, Russell, Mallinckrodt & Vogel (2007, Journal of
  Personality Assessment 88, 187-204; ECR short form, N = 851) report r = .19 between the
  subscales (as quoted by sixminutedates.com/experiences-in-close-relationships-scale).
  Cameron, Finnegan & Morry (2012, Journal of Research in Personality 46, 472-476; 242
  studies) find the correlation higher for the ECR-R than for the ECR; their pooled values
  were not in the passages found. Used: r = 0.19.
* Means and sds on the 1-7 scale: NOT FOUND. Brennan, Clark & Shaver (1998) and Fraley,
  Waller & Brennan (2000; labs.psychology.illinois.edu/~rcfraley/measures/ecrr.htm) were
  found, but no passage with their means or sds. The values below are working values
  (anxiety 3.5 +/- 1.1, avoidance 2.9 +/- 1.1: both below the scale midpoint 4, anxiety above
  avoidance), not citations; replace them when the norms are checked.
* Partner similarity: Hudson, Fraley, Brumbaugh & Vicary (2014, Personality and Social
  Psychology Bulletin 40, 845-857) say attachment styles "tend to be correlated within
  romantic couples" (citing Collins & Read 1990; Strauss, Morry & Kito 2012), without a
  figure in the passage found; Holmes & Johnson's review (2009, Journal of Social and
  Personal Relationships 26, 833) finds secure people paired with secure partners but mixed
  evidence for insecure ones (similarity in attraction studies, complementarity in
  long-term couples). No figure found, so the partner correlation is 0.

Per-partner outcomes: the batch metrics are couple means, so :func:`run_population` records
each run's trajectory every ``every`` days (the largest divisor of the run length not above
:data:`RECORD_TARGET`, so the last day is always a recorded row) and reads, per partner, the
final ``satisfaction`` (the last recorded row: the last day, or the break-up day) and the
means over the recorded rows of ``pursuit`` and ``pressure`` (pressure felt from the
partner's pursuit). Closeness is a couple-level state (``dyad.closeness``): its mean is shared
by both partners.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import batch, outcomes
from dyadsim.params import param_matrix
from dyadsim.schema import TRAJECTORY_COLUMNS

PARTNERS = ("partner_a", "partner_b")
TRAIT_KEYS: tuple[str, ...] = ("partner_a.anxiety", "partner_a.avoidance",
                               "partner_b.anxiety", "partner_b.avoidance")
"""The four drawn traits, in the column order of the draws."""
SCALE_LOW, SCALE_HIGH = 1.0, 7.0
RECORD_TARGET = 7
"""Record trajectories about weekly (every k-th day, k <= 7 dividing the run length)."""
CHUNK = 2_000
"""Couples run at a time (their trajectories exist only for the chunk)."""
OWN_MEANS = ("pursuit", "pressure")
"""Per-partner state whose mean over the recorded rows is each partner's own outcome."""


@dataclass(frozen=True)
class Norms:
    """A population's attachment scores on the ECR's 1-7 scale (see the module docstring).

    Attributes:
        anxiety_mean: Mean anxiety score.
        anxiety_sd: Its standard deviation.
        avoidance_mean: Mean avoidance score.
        avoidance_sd: Its standard deviation.
        trait_r: Correlation of anxiety and avoidance within a person.
        partner_r: Correlation of the same trait between the two partners.
    """

    anxiety_mean: float = 3.5
    anxiety_sd: float = 1.1
    avoidance_mean: float = 2.9
    avoidance_sd: float = 1.1
    trait_r: float = 0.19
    partner_r: float = 0.0

    def covariance(self) -> np.ndarray:
        """The 4 x 4 covariance of a couple's scores, in :data:`TRAIT_KEYS` order.

        Raises:
            ValueError: A correlation or sd out of range, naming it.
        """
        for name in ("anxiety_sd", "avoidance_sd"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} = {getattr(self, name)}: must be > 0")
        r, s = self.trait_r, self.partner_r
        if abs(r) + abs(s) > 1:
            raise ValueError(f"trait_r = {r}, partner_r = {s}: allowed |trait_r| + "
                             f"|partner_r| <= 1 (else the covariance is not positive)")
        corr = np.array([[1, r, s, 0], [r, 1, 0, s], [s, 0, 1, r], [0, s, r, 1]], float)
        sd = np.array([self.anxiety_sd, self.avoidance_sd] * 2)
        return corr * np.outer(sd, sd)

    def means(self) -> np.ndarray:
        """The four means, in :data:`TRAIT_KEYS` order."""
        return np.array([self.anxiety_mean, self.avoidance_mean] * 2)


DEFAULT_NORMS = Norms()


def _streams(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """Two independent streams from the root seed: the traits and the couples' run seeds."""
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed = {seed}: must be in [0, 2**63)")
    traits, runs = np.random.SeedSequence(int(seed)).spawn(2)
    return traits, runs


def draw_scores(n: int, seed: int, norms: Norms = DEFAULT_NORMS) -> np.ndarray:
    """``n`` couples' four scores on the 1-7 scale before clipping, shape ``(n, 4)``.

    Couple ``i`` gets the same scores whatever ``n`` is (standard normals row by row).
    """
    if n < 1:
        raise ValueError(f"n = {n}: must be a whole number >= 1")
    z = np.random.default_rng(_streams(seed)[0]).standard_normal((n, 4))
    return norms.means() + z @ np.linalg.cholesky(norms.covariance()).T


def to_unit(score: np.ndarray) -> np.ndarray:
    """ECR scores (1-7) on the model's 0-1 scale, clipped to [0, 1]."""
    return np.clip((np.asarray(score, float) - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW), 0, 1)


def draw_couples(n: int, seed: int, norms: Norms = DEFAULT_NORMS) -> dict[str, np.ndarray]:
    """``n`` couples' traits on [0, 1] by :data:`TRAIT_KEYS` name (e.g. ``partner_a.anxiety``)."""
    unit = to_unit(draw_scores(n, seed, norms))
    return {key: unit[:, j] for j, key in enumerate(TRAIT_KEYS)}


def couple_seeds(n: int, seed: int) -> np.ndarray:
    """Each couple's run seed (uint64), spawned from the root seed; prefix-stable in ``n``."""
    children = _streams(seed)[1].spawn(n)
    return np.array([c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)
                     for c in children], dtype=np.uint64)


def record_interval(steps: int, target: int = RECORD_TARGET) -> int:
    """The largest divisor of ``steps`` not above ``target`` (so the last day is recorded)."""
    return max(k for k in range(1, min(target, steps) + 1) if steps % k == 0)


def _own_outcomes(rec: np.ndarray) -> dict[str, np.ndarray]:
    """Per-partner outcomes from recorded rows ``(runs, rows, columns)`` (NaN past the end)."""
    def col(name: str) -> np.ndarray:
        return rec[:, :, TRAJECTORY_COLUMNS.index(name) - 1]

    last = np.sum(~np.isnan(col("dyad.closeness")), axis=1) - 1
    rows = np.arange(rec.shape[0])
    out = {"mean_closeness": np.nanmean(col("dyad.closeness"), axis=1)}
    for who in PARTNERS:
        out[f"{who}.final_satisfaction"] = col(f"{who}.satisfaction")[rows, last]
        for var in OWN_MEANS:
            out[f"{who}.mean_{var}"] = np.nanmean(col(f"{who}.{var}"), axis=1)
    return out


def run_population(
    n: int,
    seed: int,
    steps: int,
    extra_fixed: Mapping[str, Any] | None = None,
    norms: Norms = DEFAULT_NORMS,
    threads: int | None = None,
) -> pd.DataFrame:
    """Draw ``n`` couples and run each once on the batch engine.

    Args:
        n: Couples.
        seed: Root seed of the traits and of every couple's run seed.
        steps: Days per run.
        extra_fixed: Parameter values for every couple (others take their defaults; derived
            parameters follow each couple's traits unless set here).
        norms: The trait distribution.
        threads: Numba threads (default: all cores).

    Returns:
        One row per couple: ``couple``, ``seed``, the four traits, ``outcome``, every
        :data:`dyadsim.outcomes.METRIC_NAMES` metric (couple-level), ``mean_closeness`` and,
        per partner, ``final_satisfaction``, ``mean_pursuit`` and ``mean_pressure``.
    """
    traits = draw_couples(n, seed, norms)
    seeds = couple_seeds(n, seed)
    every = record_interval(steps)
    fixed = dict(extra_fixed or {})
    parts = []
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        matrix = param_matrix(fixed, {k: v[lo:hi] for k, v in traits.items()})
        res = batch.run_batch(matrix, seeds[lo:hi], steps, every, threads, None, fixed)
        part = pd.DataFrame(res.metrics, columns=list(outcomes.METRIC_NAMES))
        part.insert(0, "outcome", res.outcome_names())
        for name, values in _own_outcomes(res.trajectories).items():
            part[name] = values
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    head = pd.DataFrame({"couple": np.arange(n), "seed": seeds, **traits})
    return pd.concat([head, frame], axis=1)
