"""The population draws (dyadsim.population) and the APIM fit (dyadsim.apim).

The draws are checked against the norms they are drawn from, within sampling error; the APIM
is checked on synthetic dyads with known actor and partner effects, independently of the
model; one small run checks that every couple runs with its own seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dyadsim import apim, batch, outcomes, population
from dyadsim.params import ParamError, param_matrix
from dyadsim.population import DEFAULT_NORMS, TRAIT_KEYS, Norms

N = 40_000
Z = 4.0  # tolerance in standard errors: a false failure has odds of about 1 in 16,000


def corr(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def test_scores_have_the_norms_means_sds_and_correlations():
    s = population.draw_scores(N, seed=11)
    norms = DEFAULT_NORMS
    means, sds = norms.means(), np.sqrt(np.diag(norms.covariance()))
    for j in range(4):
        assert abs(s[:, j].mean() - means[j]) < Z * sds[j] / np.sqrt(N)
        # sd of a sample sd: sigma / sqrt(2N)
        assert abs(s[:, j].std(ddof=1) - sds[j]) < Z * sds[j] / np.sqrt(2 * N)
    r_se = (1 - norms.trait_r**2) / np.sqrt(N)
    assert abs(corr(s[:, 0], s[:, 1]) - norms.trait_r) < Z * r_se  # partner A
    assert abs(corr(s[:, 2], s[:, 3]) - norms.trait_r) < Z * r_se  # partner B
    for i, j in ((0, 2), (1, 3), (0, 3), (1, 2)):  # no similarity between partners
        assert abs(corr(s[:, i], s[:, j])) < Z / np.sqrt(N)


def test_partner_similarity_is_drawn_when_asked_for():
    norms = Norms(partner_r=0.3)
    s = population.draw_scores(N, seed=3, norms=norms)
    se = (1 - 0.3**2) / np.sqrt(N)
    assert abs(corr(s[:, 0], s[:, 2]) - 0.3) < Z * se
    assert abs(corr(s[:, 1], s[:, 3]) - 0.3) < Z * se


def test_traits_are_scores_rescaled_to_unit_and_clipped():
    assert population.to_unit(np.array([1.0, 4.0, 7.0, 0.0, 9.0])).tolist() == [
        0.0, 0.5, 1.0, 0.0, 1.0]
    traits = population.draw_couples(5000, seed=5)
    scores = population.draw_scores(5000, seed=5)
    assert list(traits) == list(TRAIT_KEYS)
    for j, key in enumerate(TRAIT_KEYS):
        assert traits[key].min() >= 0 and traits[key].max() <= 1
        inside = (scores[:, j] > 1) & (scores[:, j] < 7)
        np.testing.assert_allclose(traits[key][inside], (scores[inside, j] - 1) / 6)


def test_draws_and_seeds_are_reproducible_and_prefix_stable():
    a, b = population.draw_couples(100, seed=9), population.draw_couples(100, seed=9)
    short = population.draw_couples(10, seed=9)
    other = population.draw_couples(100, seed=10)
    for key in TRAIT_KEYS:
        np.testing.assert_array_equal(a[key], b[key])
        np.testing.assert_array_equal(short[key], a[key][:10])
        assert not np.array_equal(a[key], other[key])
    seeds = population.couple_seeds(100, seed=9)
    np.testing.assert_array_equal(population.couple_seeds(10, seed=9), seeds[:10])
    assert len(set(seeds.tolist())) == 100 and int(seeds.max()) < 2**63
    assert not set(seeds.tolist()) & set(population.couple_seeds(100, seed=10).tolist())


def test_bad_norms_and_sizes_are_refused_by_name():
    with pytest.raises(ValueError, match=r"trait_r = 0\.8, partner_r = 0\.5"):
        Norms(trait_r=0.8, partner_r=0.5).covariance()
    with pytest.raises(ValueError, match="anxiety_sd = 0"):
        Norms(anxiety_sd=0).covariance()
    with pytest.raises(ValueError, match="n = 0"):
        population.draw_couples(0, seed=1)
    with pytest.raises(ValueError, match="seed = -1"):
        population.draw_couples(3, seed=-1)


@pytest.mark.parametrize(("steps", "every"), [(365, 5), (364, 7), (150, 6), (7, 7), (1, 1),
                                              (13, 1)])
def test_record_interval_divides_the_run(steps, every):
    assert population.record_interval(steps) == every


TRUE = {"anx_actor": -0.20, "avo_actor": -0.40, "anx_partner": -0.10, "avo_partner": -0.15,
        "role": 0.25}


def synthetic(n: int, seed: int, shared: bool = False, dyad_sd: float = 0.6,
              noise_sd: float = 1.0) -> pd.DataFrame:
    """Dyads with correlated traits and known actor, partner and role effects."""
    rng = np.random.default_rng(seed)
    cov = [[1, 0.2], [0.2, 1]]
    ta, tb = rng.multivariate_normal([0, 0], cov, n), rng.multivariate_normal([0, 0], cov, n)
    u = rng.normal(0, dyad_sd, n)  # shared dyad effect: residuals correlated within dyads

    def y(own: np.ndarray, other: np.ndarray, role: float) -> np.ndarray:
        return (1.0 + TRUE["anx_actor"] * own[:, 0] + TRUE["avo_actor"] * own[:, 1]
                + TRUE["anx_partner"] * other[:, 0] + TRUE["avo_partner"] * other[:, 1]
                + TRUE["role"] * role + u + rng.normal(0, noise_sd, n))

    ya, yb = y(ta, tb, 0.0), y(tb, ta, 1.0)
    if shared:
        ya = yb = (ya + yb) / 2
    return apim.long_frame((ta[:, 0], tb[:, 0]), (ta[:, 1], tb[:, 1]), (ya, yb))


def test_apim_recovers_known_actor_partner_and_role_effects():
    effects, _ = apim.fit_apim(synthetic(4000, seed=1), standardize=False)
    for _, row in effects.iterrows():
        truth = TRUE[row["term"]]
        assert row["ci_low"] < truth < row["ci_high"], row.to_dict()
        assert abs(row["estimate"] - truth) < 0.05


def test_apim_standardized_effects_are_raw_effects_in_sd_units():
    frame = synthetic(3000, seed=2)
    raw, _ = apim.fit_apim(frame, standardize=False)
    std, _ = apim.fit_apim(frame, standardize=True)
    for term in apim.TERMS:
        b = raw.set_index("term").loc[term, "estimate"]
        expect = b * frame[term].std(ddof=0) / frame["y"].std(ddof=0)
        assert std.set_index("term").loc[term, "estimate"] == pytest.approx(expect, rel=1e-9)


def test_apim_r2_is_the_traits_share_of_variance():
    # independent unit-variance traits: R^2 = S / (S + noise) with S the signal variance,
    # computed from the generated frame's own covariance to avoid the cross terms
    frame = synthetic(6000, seed=3, dyad_sd=0.5, noise_sd=0.8)
    b = np.array([TRUE[t] for t in apim.TERMS])
    x = frame[list(apim.TERMS)].to_numpy()
    signal = float(b @ np.cov(x.T) @ b)
    expect = signal / (signal + 0.5**2 + 0.8**2 + TRUE["role"] ** 2 / 4)
    _, r2 = apim.fit_apim(frame)
    assert r2 == pytest.approx(expect, abs=0.02)


def test_a_couple_level_outcome_has_equal_actor_and_partner_effects_and_no_role():
    effects, _ = apim.fit_apim(synthetic(2000, seed=4, shared=True))
    e = effects.set_index("term")
    assert e.loc["anx_actor", "estimate"] == pytest.approx(e.loc["anx_partner", "estimate"])
    assert e.loc["avo_actor", "estimate"] == pytest.approx(e.loc["avo_partner", "estimate"])
    assert np.isnan(e.loc["role", "estimate"])
    assert (e.loc[list(apim.TERMS), "se"] > 0).all()


def test_apim_drops_a_dyad_with_a_missing_value_and_refuses_too_few():
    frame = synthetic(50, seed=5)
    frame.loc[0, "y"] = np.nan
    full, _ = apim.fit_apim(frame[frame["dyad"] != 0])
    dropped, _ = apim.fit_apim(frame)
    pd.testing.assert_frame_equal(full, dropped)
    with pytest.raises(ValueError, match="dyads = 9"):
        apim.fit_apim(synthetic(9, seed=6))


def test_pooled_r_recovers_a_known_correlation():
    rng = np.random.default_rng(7)
    rho, n = -0.36, 3000
    samples = []
    for _ in range(3):
        x = rng.standard_normal(n)
        samples.append((x, rho * x + np.sqrt(1 - rho**2) * rng.standard_normal(n)))
    r, low, high = apim.pooled_r(samples)
    se_z = 1 / np.sqrt(3 * (n - 3))
    assert abs(np.arctanh(r) - np.arctanh(rho)) < Z * se_z
    assert low < r < high
    assert np.arctanh(high) - np.arctanh(low) == pytest.approx(2 * 1.959963984540054 * se_z)
    with pytest.raises(ValueError, match="pairs = 3"):
        apim.fisher_r(np.arange(3.0), np.arange(3.0))


def test_every_couple_runs_with_its_own_seed_and_traits():
    frame = population.run_population(6, seed=21, steps=14)
    traits = population.draw_couples(6, seed=21)
    np.testing.assert_array_equal(frame["seed"].to_numpy(np.uint64),
                                  population.couple_seeds(6, seed=21))
    for key in TRAIT_KEYS:
        np.testing.assert_array_equal(frame[key], traits[key])
    for i in (0, 5):  # a couple alone, with its traits and seed, runs as in the population
        alone = batch.run_batch(param_matrix(None, {k: [traits[k][i]] for k in TRAIT_KEYS}),
                                [int(frame["seed"].iloc[i])], 14)
        np.testing.assert_array_equal(
            alone.metrics[0], frame.loc[i, list(outcomes.METRIC_NAMES)].to_numpy(float))
    for who in population.PARTNERS:
        for col in ("final_satisfaction", "mean_pursuit", "mean_pressure"):
            assert frame[f"{who}.{col}"].notna().all()
    with pytest.raises(ParamError, match=r"dyad\.nonsense"):
        population.run_population(2, seed=1, steps=7, extra_fixed={"dyad.nonsense": 1})
