"""The actor-partner interdependence model (APIM) and a pooled correlation, for a population.

For outcome Y of person i in dyad d (Kenny, Kashy & Cook 2006)::

    Y_id = b0 + a1 anx_actor + a2 avo_actor + p1 anx_partner + p2 avo_partner + c role + e_id

fitted on the long frame (two rows per dyad, one per partner) by ordinary least squares with
standard errors robust to clustering by dyad (statsmodels ``cov_type="cluster"``). Why not a
mixed model with a random intercept per dyad: a random intercept can only express a
positive correlation between partners' residuals, and a partner's gain can be the other's
loss in this model (one pursues, the other is pressed), which puts the variance estimate on
its boundary; cluster-robust errors are valid for either sign, and the point estimates are
the pooled least-squares ones either way. The role dummy (0 for partner A, 1 for B) absorbs
any difference between the two roles; in a population drawn alike for both roles it is near 0.

Standardized: the predictors and the outcome are z-scored over the long frame, so each
effect is in standard deviations of the outcome per standard deviation of the trait. The
share of variance the four traits explain is the R^2 of the same least-squares fit without
the role dummy, on the long frame.

A couple-level outcome (closeness, the pursue-withdraw index) is the same on both rows of a
dyad; its actor and partner effects are then equal up to the role dummy, by symmetry, and
only the anxiety-avoidance contrast means anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

TERMS: tuple[str, ...] = ("anx_actor", "avo_actor", "anx_partner", "avo_partner")


def long_frame(anx: Sequence[np.ndarray], avo: Sequence[np.ndarray],
               y: Sequence[np.ndarray]) -> pd.DataFrame:
    """Two rows per dyad from per-partner arrays ``(A, B)`` of anxiety, avoidance and Y.

    Returns:
        Columns ``dyad``, ``role`` (0 for A, 1 for B), the four :data:`TERMS` and ``y``.
    """
    a_anx, b_anx = (np.asarray(v, float) for v in anx)
    a_avo, b_avo = (np.asarray(v, float) for v in avo)
    a_y, b_y = (np.asarray(v, float) for v in y)
    n = a_anx.shape[0]
    return pd.DataFrame({
        "dyad": np.r_[np.arange(n), np.arange(n)],
        "role": np.r_[np.zeros(n), np.ones(n)],
        "anx_actor": np.r_[a_anx, b_anx], "avo_actor": np.r_[a_avo, b_avo],
        "anx_partner": np.r_[b_anx, a_anx], "avo_partner": np.r_[b_avo, a_avo],
        "y": np.r_[a_y, b_y],
    })


def _z(x: pd.Series) -> pd.Series:
    sd = x.std(ddof=0)
    return (x - x.mean()) / sd if sd > 0 else x * 0.0


def fit_apim(frame: pd.DataFrame, standardize: bool = True) -> tuple[pd.DataFrame, float]:
    """Fit the APIM; return the effects table and the traits' R^2.

    Args:
        frame: A :func:`long_frame` (rows with a missing value are dropped, with their dyad).
        standardize: z-score the four predictors and the outcome first.

    Returns:
        ``(effects, r2)``: ``effects`` has one row per term of :data:`TERMS` plus ``role``
        with ``estimate``, ``se`` (cluster-robust by dyad), ``ci_low``, ``ci_high`` (95%) and
        ``p`` (``role`` is NaN for a couple-level outcome, equal on both rows of every dyad);
        ``r2`` is the R^2 of the four traits alone.

    Raises:
        ValueError: Fewer than 10 complete dyads.
    """
    bad = frame.loc[frame[[*TERMS, "y"]].isna().any(axis=1), "dyad"]
    data = frame[~frame["dyad"].isin(bad)].copy()
    dyads = data["dyad"].nunique()
    if dyads < 10:
        raise ValueError(f"dyads = {dyads} with complete data; the APIM needs at least 10")
    if standardize:
        for col in (*TERMS, "y"):
            data[col] = _z(data[col])
    # a couple-level outcome is the same on both rows: the role dummy explains nothing
    # there (its clustered variance is 0 up to rounding), so it is left out
    shared = bool((data.groupby("dyad")["y"].agg(np.ptp) == 0).all())
    terms = list(TERMS) if shared else [*TERMS, "role"]
    x = sm.add_constant(data[terms], has_constant="add")
    fit = sm.OLS(data["y"], x).fit(cov_type="cluster",
                                   cov_kwds={"groups": data["dyad"].to_numpy()})
    ci = fit.conf_int(0.05)

    def pick(values: pd.Series, t: str) -> float:
        return float(values[t]) if t in terms else float("nan")

    effects = pd.DataFrame({
        "term": [*TERMS, "role"],
        "estimate": [pick(fit.params, t) for t in (*TERMS, "role")],
        "se": [pick(fit.bse, t) for t in (*TERMS, "role")],
        "ci_low": [pick(ci[0], t) for t in (*TERMS, "role")],
        "ci_high": [pick(ci[1], t) for t in (*TERMS, "role")],
        "p": [pick(fit.pvalues, t) for t in (*TERMS, "role")],
    })
    r2 = float(sm.OLS(data["y"], sm.add_constant(data[list(TERMS)])).fit().rsquared)
    return effects, r2


def fisher_r(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """Pearson r of the finite pairs, its Fisher z and the pair count."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    n = int(keep.sum())
    if n < 4:
        raise ValueError(f"pairs = {n}; a Fisher interval needs at least 4")
    r = float(stats.pearsonr(x[keep], y[keep])[0])
    return r, math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12)), n


def pooled_r(samples: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float, float]:
    """Pearson r pooled over independent samples by Fisher z (weights n - 3), with 95% CI.

    Returns:
        ``(r, ci_low, ci_high)``.
    """
    zs, ws = [], []
    for x, y in samples:
        _, z, n = fisher_r(x, y)
        zs.append(z)
        ws.append(n - 3)
    w = np.asarray(ws, float)
    z = float(np.dot(zs, w) / w.sum())
    half = stats.norm.ppf(0.975) / math.sqrt(w.sum())
    return math.tanh(z), math.tanh(z - half), math.tanh(z + half)
