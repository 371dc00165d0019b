from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from dyadsim import sensitivity as sens_module
from dyadsim.params import ParamError
from dyadsim.sensitivity import COLUMNS, sensitivity

# Three sweepable registry parameters as stand-ins for a test function's inputs, each with
# its own (deliberately different) bounds; the test functions rescale them.
STAND_INS = {
    "partner_a.anxiety": (0.0, 1.0),
    "partner_b.avoidance": (0.2, 0.6),
    "dyad.noise": (0.0, 0.5),
}
LOW = np.array([lo for lo, _ in STAND_INS.values()])
HIGH = np.array([hi for _, hi in STAND_INS.values()])


def _unit(X: np.ndarray) -> np.ndarray:
    """The design matrix rescaled to [0, 1] per column."""
    return (X - LOW) / (HIGH - LOW)


def ishigami(X: np.ndarray) -> np.ndarray:
    return Ishigami.evaluate(-np.pi + 2 * np.pi * _unit(X))  # a=7, b=0.1


def linear(X: np.ndarray) -> np.ndarray:
    U = _unit(X)
    return 4 * U[:, 0] + U[:, 1] + 0 * U[:, 2]


# Analytic Ishigami indices for a=7, b=0.1.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])

# Absolute tolerance at N=1024 (5120 points): over root seeds 0-7 the largest error of any
# index was 0.022, so 0.05 leaves more than 2x headroom while still catching a wrong
# estimator, a column mix-up or a missing rescale (those move indices by >= 0.1).
ISHIGAMI_TOL = 0.05
# The bootstrap interval (estimate +- conf) must contain the analytic value, widened by
# this margin: the bootstrap half-widths are estimates too, and for x3 (S1 = 0) they are
# small. Observed |error| / conf was at most 0.43 over seeds 0-7, so this is stable.
CONF_MARGIN = 0.01


@pytest.fixture(scope="module")
def ishigami_table() -> pd.DataFrame:
    return sensitivity(STAND_INS, evaluate=ishigami, base_samples=1024, root_seed=42)


def test_ishigami_known_answer(ishigami_table):
    df = ishigami_table
    assert list(df.columns) == list(COLUMNS)
    assert df["parameter"].tolist() == list(STAND_INS)
    # measured (root_seed=42): S1 ~ [0.31, 0.44, 0.00], ST ~ [0.56, 0.44, 0.24]
    np.testing.assert_allclose(df["S1"], ISHIGAMI_S1, atol=ISHIGAMI_TOL)
    np.testing.assert_allclose(df["ST"], ISHIGAMI_ST, atol=ISHIGAMI_TOL)
    for col, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        err = np.abs(df[col].to_numpy() - truth)
        assert (err <= df[f"{col}_conf"].to_numpy() + CONF_MARGIN).all(), (col, err)
        assert (df[f"{col}_conf"] > 0).all()


def test_ishigami_provenance(ishigami_table):
    a = ishigami_table.attrs
    assert a["output"] == "trap" and a["base_samples"] == 1024 and a["root_seed"] == 42
    assert a["bounds"] == STAND_INS
    assert a["n_points"] == 1024 * (3 + 2)  # first-order and total only
    assert a["n_runs"] == 0  # the hook replaced the model


def test_linear_function_exact_shares():
    # y = 4 x1 + x2 with x1, x2 uniform on the same width: Var = 16 + 1 units, no
    # interactions, so S1 = ST = [16/17, 1/17, 0]. Sobol' points make this nearly exact:
    # the largest error over root seeds 0-4 and 42 was 1.4e-3 (S1 of x1, seed 42).
    df = sensitivity(STAND_INS, evaluate=linear, base_samples=1024, root_seed=42)
    expected = [16 / 17, 1 / 17, 0.0]
    np.testing.assert_allclose(df["S1"], expected, atol=5e-3)
    np.testing.assert_allclose(df["ST"], expected, atol=5e-3)


def test_evaluate_hook_gets_the_design_in_parameter_units():
    seen = []

    def record(X: np.ndarray) -> np.ndarray:
        seen.append(X.copy())
        return linear(X)

    sensitivity(STAND_INS, evaluate=record, base_samples=64)
    (X,) = seen
    assert X.shape == (64 * 5, 3)
    assert (X >= LOW).all() and (X <= HIGH).all()
    # each column fills its own range, not [0, 1]
    assert np.allclose(X.min(axis=0), LOW, atol=0.02 * (HIGH - LOW))
    assert np.allclose(X.max(axis=0), HIGH, atol=0.02 * (HIGH - LOW))


# --- The real model -----------------------------------------------------------------------

REAL = {"partner_a.anxiety": (0.0, 1.0), "dyad.noise": (0.0, 0.3)}
REAL_KW = {"base_samples": 16, "reps": 10, "steps": 200}


@pytest.fixture(scope="module")
def real_table() -> pd.DataFrame:
    return sensitivity(REAL, output="trap", **REAL_KW)


def test_real_model_anxiety_drives_the_trap(real_table):
    df = real_table.set_index("parameter")
    assert list(real_table.columns) == list(COLUMNS)
    assert df.index.tolist() == list(REAL)
    assert np.isfinite(real_table[list(COLUMNS[1:])].to_numpy()).all()
    # measured (root_seed=42): anxiety ST ~0.95 +- 0.39, noise ST ~0.11 +- 0.16; over root
    # seeds 0-9 anxiety's ST was 0.79-1.27 and noise's 0.01-0.06.
    anx, noise = df.loc["partner_a.anxiety"], df.loc["dyad.noise"]
    assert anx["ST"] > noise["ST"]
    # ... and not by luck: the confidence intervals do not overlap
    assert anx["ST"] - anx["ST_conf"] > noise["ST"] + noise["ST_conf"]
    assert anx["S1"] > 0.5
    a = real_table.attrs
    assert (a["steps"], a["reps"], a["n_points"]) == (200, 10, 16 * 4)
    assert a["n_runs"] == 16 * 4 * 10


def test_steps_default_comes_from_fixed():
    df = sensitivity(REAL, fixed={"run.steps": 150}, base_samples=4, reps=4)
    assert df.attrs["steps"] == 150
    assert df.attrs["fixed"] == {"run.steps": 150}


def test_metric_output_is_a_mean():
    df = sensitivity(REAL, output="satisfaction", **REAL_KW)
    assert np.isfinite(df[list(COLUMNS[1:])].to_numpy()).all()
    assert df.attrs["output"] == "satisfaction"


def test_all_nan_metric_is_a_clear_error():
    # an unanxious partner A with a secure partner B never escalates: all NaN
    with pytest.raises(ValueError, match=r"'time_to_escalation'.*NaN.*another output"):
        sensitivity({"partner_a.anxiety": (0.0, 0.05), "dyad.noise": (0.0, 0.3)},
                    output="time_to_escalation", fixed={"partner_b.avoidance": 0.0},
                    **REAL_KW)


# --- Determinism ----------------------------------------------------------------------------


def test_same_inputs_same_table(real_table):
    again = sensitivity(REAL, output="trap", **REAL_KW)
    pd.testing.assert_frame_equal(real_table, again, check_exact=True)
    assert real_table.attrs == again.attrs


def test_root_seed_matters(real_table):
    other = sensitivity(REAL, output="trap", root_seed=7, **REAL_KW)
    assert not np.array_equal(other["ST"].to_numpy(), real_table["ST"].to_numpy())


def test_chunking_does_not_change_the_result(real_table, monkeypatch):
    # 25 runs per chunk -> 2 points per run_batch call, with a ragged last chunk
    monkeypatch.setattr(sens_module, "CHUNK_RUNS", 25)
    chunked = sensitivity(REAL, output="trap", **REAL_KW)
    pd.testing.assert_frame_equal(real_table, chunked, check_exact=True)


# --- Errors -------------------------------------------------------------------------------


def test_unknown_parameter():
    with pytest.raises(ParamError, match=r"unknown parameter 'partner_a.anxeity'.*anxiety"):
        sensitivity({"partner_a.anxeity": (0, 1)}, evaluate=linear)


@pytest.mark.parametrize("pair", [(0.2, 0.2), (0.4, 0.2)])
def test_low_not_below_high(pair):
    with pytest.raises(ParamError, match=r"'dyad.noise'.*low .* must be below high"):
        sensitivity({"dyad.noise": pair}, evaluate=linear)


@pytest.mark.parametrize("pair,bad", [((0.0, 0.9), "0.9"), ((-0.1, 0.3), "-0.1")])
def test_bounds_outside_registry_range(pair, bad):
    with pytest.raises(ParamError, match=rf"'dyad.noise'.*{bad}.*allowed: a number in \[0, 0.5\]"):
        sensitivity({"dyad.noise": pair}, evaluate=linear)


def test_not_sweepable_and_empty():
    with pytest.raises(ParamError, match=r"'run.steps'.*not sweepable"):
        sensitivity({"run.steps": (10, 100)}, evaluate=linear)
    with pytest.raises(ParamError, match="at least 1 parameter"):
        sensitivity({}, evaluate=linear)


def test_parameter_both_fixed_and_varied():
    with pytest.raises(ParamError, match=r"'dyad.noise'.*both"):
        sensitivity({"dyad.noise": (0, 0.3)}, fixed={"dyad.noise": 0.1}, evaluate=linear)


def test_unknown_output():
    with pytest.raises(ValueError, match=r"unknown output 'trapp'.*'trap'.*escalated.*"
                                         r"satisfaction"):
        sensitivity(REAL, output="trapp", evaluate=linear)


def test_bad_base_samples_and_constant_output():
    with pytest.raises(ValueError, match=r"power of 2.*100"):
        sensitivity(REAL, base_samples=100, evaluate=linear)
    with pytest.raises(ValueError, match="no variance"):
        sensitivity(REAL, base_samples=16, evaluate=lambda X: np.zeros(X.shape[0]))
