"""Push-pull from a mechanism, at trait-derived values only (Model 2.0, issue 15 item 5).

Before Model 2.0 cycling needed a hand-set point (threat threshold 0.03 against 0.57 derived,
withdrawal gain 2.7, stress 0.93, no dissolution). Now a fearful partner switches between
approach and avoidance (:func:`dyadsim.rules.orientation`) with every gain derived from the
traits and people varying around them (``dyad.individuality`` at its default).

Claims, each read from 200 replicates of a year (365 days, root seed 7) on the batch engine,
which equals the Mesa reference model run for run to 1e-9 (``tests/test_batch.py``,
``tests/test_model2.py``):

* a fearful partner (anxiety 0.8, avoidance 0.8) with a secure partner (0.15, 0.15) turns
  round (approach crossing one half) at least four times in the year in about half of the runs
  (measured 0.52; tested: the Wilson 95% interval's lower end above 0.4), several times as
  often as an anxious (0.8, 0.2: measured 0.01) or an avoidant (0.2, 0.8: measured 0.085)
  partner with the same secure partner;
* the outcome classifier's ``cycling`` class (an alternating pursue-withdraw signal) is
  reached by a fearful partner with an avoidant one (0.2, 0.8) in some runs (measured 24 of
  200; tested: the Wilson lower end above 0.05) and never by a secure pair.
"""

from __future__ import annotations

import numpy as np

from dyadsim import batch
from dyadsim.params import param_matrix
from dyadsim.runner import run_replicates
from dyadsim.stats import wilson
from dyadsim.streams import run_seeds
from dyadsim.summary import summarize

REPS = 200
ROOT = 7
DAYS = 365


def traits(a: tuple[float, float], b: tuple[float, float]) -> dict[str, float]:
    return {"partner_a.anxiety": a[0], "partner_a.avoidance": a[1],
            "partner_b.anxiety": b[0], "partner_b.avoidance": b[1]}


FEARFUL, SECURE, ANXIOUS, AVOIDANT = (0.8, 0.8), (0.15, 0.15), (0.8, 0.2), (0.2, 0.8)


def turns(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """How often partner A's orientation crosses one half in each replicate's year."""
    m = np.repeat(param_matrix(traits(a, b)), REPS, axis=0)
    result = batch.run_batch(m, run_seeds(ROOT, REPS), DAYS, record_every=1)
    col = list(batch.TRAJECTORY_COLUMNS[1:]).index("partner_a.approach")
    out = []
    for row in result.trajectories[:, :, col]:
        side = row[~np.isnan(row)] > 0.5  # a dissolved run stops recording
        out.append(int(np.sum(side[1:] != side[:-1])))
    return np.array(out)


def test_a_fearful_partner_turns_round_and_anxious_or_avoidant_partners_do_not():
    count = int(np.sum(turns(FEARFUL, SECURE) >= 4))
    fearful = count / REPS
    low, _ = wilson(count, REPS)
    assert low > 0.4, fearful
    for other in (ANXIOUS, AVOIDANT):
        share = np.mean(turns(other, SECURE) >= 4)
        assert fearful > 3 * share, (fearful, other, share)


def test_the_cycling_class_is_reached_from_traits_alone():
    fearful = summarize(run_replicates(traits(FEARFUL, AVOIDANT), reps=REPS,
                                       root_seed=ROOT).outcome)
    assert float(fearful.share_low["cycling"][0]) > 0.05, fearful.counts["cycling"]
    secure = summarize(run_replicates(traits(SECURE, SECURE), reps=REPS,
                                      root_seed=ROOT).outcome)
    assert int(secure.counts["cycling"][0]) == 0
