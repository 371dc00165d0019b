"""Childhood on the model's rules: caregivers, infancy, the Strange Situation, growing up.

Tolerances are stated before measuring: a caregiving type "leads to" a class when that class
holds at least 60% of 200 children; population shares are within 7 percentage points of
the commonly quoted cross-cultural figures (A 21%, B 65%, C 14%; second-hand only, see
notes/literature16.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from dyadsim.batch import run_batch
from dyadsim.life import caregiving, strange
from dyadsim.life.params import life_params
from dyadsim.life.seeds import person_seeds
from dyadsim.registry import ParamError
from dyadsim.schema import TRAJECTORY_COLUMNS

FAST = {"child.infancy_days": 200, "child.year_days": 15}


def _fixed_care(sensitivity: float, consistency: float) -> dict:
    return life_params({"caregiver.sensitivity_mean": sensitivity, "caregiver.sensitivity_sd": 0.0,
                        "caregiver.consistency_mean": consistency,
                        "caregiver.consistency_sd": 0.0})


def test_a_persons_childhood_does_not_depend_on_the_batch():
    life = life_params(FAST)
    seeds = person_seeds(11, 0, 24)
    whole = caregiving.grow_up(seeds, life)
    pick = np.array([17, 3, 9])
    part = caregiving.grow_up(seeds[pick], life)
    for field in ("sensitivity", "consistency", "trust", "inconsistency", "prototype", "adult",
                  "strange", "by_age"):
        np.testing.assert_array_equal(getattr(whole, field)[pick], getattr(part, field))
    assert whole.adult.shape == (24, 2) and whole.strange.dtype == np.int8
    assert whole.by_age.shape == (24, 18, 2)  # ages 1 to 18: the prototype, then each year
    np.testing.assert_array_equal(whole.by_age[:, 0], whole.prototype)
    np.testing.assert_array_equal(whole.by_age[:, -1], whole.adult)
    assert np.all((whole.adult >= 0) & (whole.adult <= 1))


@pytest.mark.parametrize(("care", "cls"), [((0.9, 0.9), "B"), ((0.85, 0.4), "C"),
                                           ((0.25, 0.9), "A")])
def test_each_kind_of_care_leads_to_its_class(care, cls):
    inf = caregiving.infancy(person_seeds(5, 0, 200), _fixed_care(*care))
    shares = np.bincount(inf.strange, minlength=3) / 200
    assert shares[strange.CLASSES.index(cls)] >= 0.6, shares


def test_population_shares_near_the_cross_cultural_figures_and_r_positive():
    survey = strange.survey(3000, life_params(), seed=2)
    target = {"A": 0.21, "B": 0.65, "C": 0.14}
    for k, c in enumerate(strange.CLASSES):
        assert abs(survey.shares[k] - target[c]) <= 0.07, (c, survey.shares)
        assert survey.low[k] < survey.shares[k] < survey.high[k]
    assert survey.counts.sum() == 3000
    assert survey.r > 0.1  # sensitivity goes with security (De Wolff & van IJzendoorn: .24)


def test_caregivers_follow_the_beta_laws():
    life = life_params({"caregiver.sensitivity_mean": 0.6, "caregiver.sensitivity_sd": 0.15})
    sens, cons = caregiving.caregivers(person_seeds(1, 0, 40_000), life, 1)
    assert abs(sens.mean() - 0.6) < 0.005 and abs(sens.std() - 0.15) < 0.005
    assert abs(cons.mean() - 0.8) < 0.005 and abs(cons.std() - 0.15) < 0.005
    assert np.all((sens > 0) & (sens < 1))


def test_a_spread_too_large_for_its_mean_is_refused():
    life = life_params({"caregiver.consistency_mean": 0.95, "caregiver.consistency_sd": 0.4})
    with pytest.raises(ParamError, match=r"caregiver\.consistency_sd"):
        caregiving.grow_up(person_seeds(1, 0, 3), life)


def test_classifier_reads_the_scales():
    scales = np.array([[1.0, 1.5, 1.0, 5.0],   # avoids: A
                       [2.5, 3.5, 4.0, 1.5],   # resists: C
                       [1.5, 5.0, 1.5, 1.5],   # seeks and is soothed: B
                       [1.0, 2.0, 4.5, 4.0]])  # avoids but resists more: C
    assert [strange.CLASSES[c] for c in strange.classify(scales)] == ["A", "C", "B", "C"]


def test_the_caregiver_is_gone_in_the_separations_and_back_in_the_reunions():
    life = life_params()
    e = int(life["strange.episode_steps"])
    rows = caregiving.care_rows(np.full(4, 0.2), np.full(4, 0.2), np.full(4, 0.9), np.full(4, 0.9))
    res = run_batch(rows, np.arange(4), strange.steps(life), record_every=1,
                    timeline=strange.timeline(life))
    lapsed = res.trajectories[:, 1:, TRAJECTORY_COLUMNS[1:].index("partner_b.lapsed")]
    for k in range(1, 9):
        ep = lapsed[:, (k - 1) * e: k * e]
        if k in strange.SEPARATIONS:
            assert np.all(ep == 1.0)
        else:
            assert ep.mean() < 0.5


def test_without_experience_or_change_the_adult_keeps_the_prototype():
    life = life_params({**FAST, "child.drift_rate": 0.0, "child.anchor_rate": 0.0})
    ch = caregiving.grow_up(person_seeds(3, 0, 10), life)
    np.testing.assert_allclose(ch.adult, ch.prototype)
    moved = caregiving.grow_up(person_seeds(3, 0, 10), life_params(FAST))
    assert np.abs(moved.adult - moved.prototype).max() > 0.01
