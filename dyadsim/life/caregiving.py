"""Caregivers and children: infancy, the Strange Situation, childhood years, traits at 18.

The caregiver-child dyad is an ordinary dyad parameter row run by the batch engine on the
same rules as any couple (no second copy of any rule):

* the **child** is partner A, a newborn with anxiety and avoidance ``child.anxiety0`` /
  ``child.avoidance0`` (temperament) and ``repair_tendency`` 0: an infant does not repair
  ruptures, and the child's own repairs, taken up, would raise its trust even with a
  rejecting caregiver (the lead's probe);
* the **caregiver** is partner B with ``responsiveness`` = sensitivity (how fittingly they
  answer when there), ``lapse_rate`` = 1 - consistency (days they are not there at all:
  "consistently inconsistent" care is low consistency), ``repair_tendency`` =
  :data:`CAREGIVER_REPAIR` x sensitivity, and the traits of a secure adult
  (:data:`CAREGIVER_TRAITS`): the caregiver's own attachment is not modelled here, only
  their caregiving;
* ``dyad.dissolution_rate`` 0 (a child cannot leave) and ``dyad.individuality`` 0 (a child's
  differences are its temperament and its history, the same in every year's run).

Caregivers' sensitivity and consistency are drawn from Beta distributions with the means and
spreads ``caregiver.*`` (a Beta is the natural two-parameter law on [0, 1]; the choice and
the default values are **chosen, not measured**: no source gives the population law of
observed sensitivity on this scale).

Infancy (``child.infancy_days`` days) teaches the child a trust and an inconsistency; the
working model they stand for (:func:`dyadsim.rules.working_model_traits`) is the
**prototype** (anxiety, avoidance), and the child meets the Strange Situation
(:mod:`dyadsim.life.strange`) with it. Then each childhood year (ages 1 to 18) the caregiving
may change (``life.care_change_rate``: a new caregiver drawn from the same law), a run of
``child.year_days`` days of the child with its current traits and trust and its current
caregiver gives that year's working model, and :func:`dyadsim.rules.drift` moves the traits
towards it at ``child.drift_rate`` with the prototype's pull ``child.anchor_rate``
(childhood-specific rates: a child's working model is revised faster than an adult's). A
year's run is shorter than a year (for speed): its learned inconsistency starts from 0 and
is therefore somewhat lower than a full year's would be (a documented bias towards less
anxiety in later childhood).

Every draw is keyed by the person's seed (:mod:`dyadsim.life.seeds`), so a person's
childhood does not depend on the batch they are in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from dyadsim import rules
from dyadsim.life import seeds as life_seeds
from dyadsim.life import strange
from dyadsim.params import param_matrix
from dyadsim.registry import ParamError, Value
from dyadsim.schema import TRAJECTORY_COLUMNS

CAREGIVER_TRAITS = 0.2
"""The caregiver's own anxiety and avoidance (a secure adult)."""
CAREGIVER_REPAIR = 0.4
"""The caregiver's repair tendency per unit of sensitivity."""
ADULT_AGE = 18
"""Age (years) at which :func:`grow_up` reads the adult traits."""

_COLS = TRAJECTORY_COLUMNS[1:]
_TRUST, _INC = _COLS.index("partner_a.trust"), _COLS.index("partner_a.inconsistency")


@dataclass(frozen=True)
class Infancy:
    """The first year: the caregiver, what the child learned, and its Strange Situation."""

    sensitivity: np.ndarray
    consistency: np.ndarray
    trust: np.ndarray
    inconsistency: np.ndarray
    prototype: np.ndarray
    strange: np.ndarray
    scales: np.ndarray


@dataclass(frozen=True)
class Childhood:
    """A childhood per person (the contract with :mod:`dyadsim.life.lives`).

    Attributes:
        sensitivity: ``(n,)`` the infancy caregiver's sensitivity.
        consistency: ``(n,)`` their consistency.
        trust: ``(n,)`` the child's learned trust at the end of infancy.
        inconsistency: ``(n,)`` the learned inconsistency then.
        prototype: ``(n, 2)`` anxiety, avoidance learned in infancy.
        adult: ``(n, 2)`` anxiety, avoidance at 18.
        strange: ``(n,)`` int8 codes into :data:`dyadsim.life.strange.CLASSES`.
        by_age: ``(n, 18, 2)`` anxiety and avoidance at ages 1 to 18 (``[:, 0]`` is the
            prototype, ``[:, -1]`` the traits at 18).
    """

    sensitivity: np.ndarray
    consistency: np.ndarray
    trust: np.ndarray
    inconsistency: np.ndarray
    prototype: np.ndarray
    adult: np.ndarray
    strange: np.ndarray
    by_age: np.ndarray


def uniforms(seeds: np.ndarray, tag: int) -> np.ndarray:
    """One uniform in (0, 1) per seed, a pure function of the seed and ``tag``."""
    bits = life_seeds.derive(seeds, tag) >> np.uint64(10)  # 53 bits
    return (bits.astype(np.float64) + 0.5) / float(1 << 53)


def beta_law(mean: float, sd: float, key: str) -> tuple[float, float] | None:
    """Beta ``(a, b)`` with this mean and sd, or None for a point mass (sd 0, mean 0 or 1).

    Raises:
        ParamError: If the spread is too large for the mean (``sd^2 >= mean (1 - mean)``).
    """
    if sd == 0.0 or mean in (0.0, 1.0):
        return None
    room = mean * (1.0 - mean)
    if sd * sd >= room:
        raise ParamError(f"{key}: spread {sd} is too large for mean {mean} (allowed: below "
                         f"{np.sqrt(room):.4g}, the largest a Beta law on [0, 1] has)")
    nu = room / (sd * sd) - 1.0
    return mean * nu, (1.0 - mean) * nu


def draw(u: np.ndarray, mean: float, sd: float, key: str) -> np.ndarray:
    """Inverse-CDF draws of a Beta law (see :func:`beta_law`) from uniforms ``u``."""
    law = beta_law(mean, sd, key)
    if law is None:
        return np.full(u.shape, float(mean))
    return np.asarray(stats.beta.ppf(u, *law), dtype=np.float64)


def caregivers(seeds: np.ndarray, life: Mapping[str, Value], tag: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Sensitivity and consistency of one caregiver per seed (phase ``tag``)."""
    sens = draw(uniforms(seeds, 2 * tag + 1), float(life["caregiver.sensitivity_mean"]),
                float(life["caregiver.sensitivity_sd"]), "caregiver.sensitivity_sd")
    cons = draw(uniforms(seeds, 2 * tag + 2), float(life["caregiver.consistency_mean"]),
                float(life["caregiver.consistency_sd"]), "caregiver.consistency_sd")
    return sens, cons


def care_rows(anxiety: np.ndarray, avoidance: np.ndarray, sensitivity: np.ndarray,
              consistency: np.ndarray, trust0: np.ndarray | None = None) -> np.ndarray:
    """Caregiver-child parameter rows (see the module docstring)."""
    varying = {
        "partner_a.anxiety": anxiety, "partner_a.avoidance": avoidance,
        "partner_b.responsiveness": sensitivity, "partner_b.lapse_rate": 1.0 - consistency,
        "partner_b.repair_tendency": CAREGIVER_REPAIR * sensitivity,
    }
    if trust0 is not None:
        varying["partner_a.trust0"] = trust0
    fixed = {"partner_a.repair_tendency": 0.0, "partner_b.anxiety": CAREGIVER_TRAITS,
             "partner_b.avoidance": CAREGIVER_TRAITS, "dyad.dissolution_rate": 0.0,
             "dyad.individuality": 0.0}
    return param_matrix(fixed, {k: np.clip(np.asarray(v, float), 0.0, 1.0)
                                for k, v in varying.items()})


def learn(rows: np.ndarray, seeds: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Run caregiver-child rows for ``days``; the child's final trust and inconsistency."""
    from dyadsim.batch import run_batch

    result = run_batch(rows, seeds, days, record_every=days, explicit=("partner_a.trust0",))
    assert result.trajectories is not None
    last = result.trajectories[:, -1, :]
    return last[:, _TRUST].copy(), last[:, _INC].copy()


def infancy(seeds: np.ndarray, life: Mapping[str, Value]) -> Infancy:
    """The first year and the Strange Situation for each person seed."""
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    n = seeds.shape[0]
    sens, cons = caregivers(seeds, life, life_seeds.INFANCY)
    newborn_anx = np.full(n, float(life["child.anxiety0"]))
    newborn_av = np.full(n, float(life["child.avoidance0"]))
    run_seeds = life_seeds.derive(seeds, life_seeds.INFANCY)
    trust, inc = learn(care_rows(newborn_anx, newborn_av, sens, cons), run_seeds,
                       int(life["child.infancy_days"]))
    anx, av = rules.working_model_traits(trust, inc)
    prototype = np.column_stack([anx, av])
    rows = care_rows(anx, av, sens, cons, trust0=trust)
    codes, scales = strange.observe(rows, life_seeds.derive(seeds, life_seeds.STRANGE), life,
                                    explicit=("partner_a.trust0",))
    return Infancy(sens, cons, trust, inc, prototype, codes, scales)


def unbiased(days: int) -> float:
    """The share of its level that a running mean started at 0 reaches in ``days`` days.

    The learned inconsistency is a running mean of squared surprise at
    ``dyad.inconsistency_rate`` ``k`` (:func:`dyadsim.rules.update_trust`); a year's run
    starts it at 0, so after ``n`` days it holds ``1 - (1 - k)^n`` of a steady level.
    Dividing by that share (the start-up bias correction of an exponential mean) reads a
    short run as the year it stands for; without it a 60-day year taught about a third less
    inconsistency than a whole one, and anxiety all but vanished by 18.
    """
    from dyadsim.registry import REGISTRY

    rate = float(REGISTRY["dyad.inconsistency_rate"].default)
    return 1.0 - (1.0 - rate) ** days


def childhood_years(seeds: np.ndarray, inf: Infancy, life: Mapping[str, Value]) -> np.ndarray:
    """Ages 1 to 18: the traits ``(n, 18, 2)`` at each age (see the module docstring)."""
    traits = inf.prototype.copy()
    by_age = np.empty((traits.shape[0], ADULT_AGE, 2))
    by_age[:, 0] = traits
    trust = inf.trust.copy()
    sens, cons = inf.sensitivity.copy(), inf.consistency.copy()
    rate, anchor = float(life["child.drift_rate"]), float(life["child.anchor_rate"])
    change = float(life["life.care_change_rate"])
    days = int(life["child.year_days"])
    started = unbiased(days)
    for year in range(1, ADULT_AGE):
        tag = life_seeds.CHILDHOOD_YEAR + year
        year_seeds = life_seeds.derive(seeds, tag)
        changed = uniforms(year_seeds, 1) < change
        if changed.any():
            new_s, new_c = caregivers(year_seeds, life, 1)
            sens = np.where(changed, new_s, sens)
            cons = np.where(changed, new_c, cons)
        trust, inc = learn(care_rows(traits[:, 0], traits[:, 1], sens, cons, trust0=trust),
                           year_seeds, days)
        target = rules.working_model_traits(trust, inc / started)
        for j in range(2):
            traits[:, j] = rules.drift(traits[:, j], target[j], inf.prototype[:, j], rate, anchor)
        by_age[:, year] = traits
    return by_age


def grow_up(seeds: np.ndarray, life: Mapping[str, Value]) -> Childhood:
    """Infancy, the Strange Situation and childhood to 18 for each person seed.

    Args:
        seeds: Per-person uint64 seeds (:func:`dyadsim.life.seeds.person_seeds`).
        life: The life-course parameters (:func:`dyadsim.life.params.life_params`).

    Returns:
        A :class:`Childhood`; row ``i`` depends only on ``seeds[i]`` and ``life``.
    """
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    inf = infancy(seeds, life)
    by_age = childhood_years(seeds, inf, life)
    adult = by_age[:, -1].copy()
    return Childhood(inf.sensitivity, inf.consistency, inf.trust, inf.inconsistency,
                     inf.prototype, adult, inf.strange, by_age)
