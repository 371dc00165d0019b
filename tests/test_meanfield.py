"""The mean-field map: it is the model without randomness; its fixed points, cycles and map.

The map (:mod:`dyadsim.meanfield`) replaces the model's random draws by their expectations;
the stability map (:mod:`dyadsim.stability`) names the attractors over two parameters;
``dyadsim analyze`` writes it. Every couple below is given by its traits alone (Model 2.0).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import expm

from dyadsim import batch, meanfield, outcomes, params, stability
from dyadsim.cli import main
from dyadsim.meanfield import STATE, MeanField, classify, jacobian, pursue_withdraw
from dyadsim.report import browser_path
from dyadsim.streams import run_seeds

ANXIETY, AVOIDANCE = "partner_a.anxiety", "partner_b.avoidance"


def traits(a_anx: float, a_avo: float, b_anx: float, b_avo: float) -> dict[str, float]:
    return {"partner_a.anxiety": a_anx, "partner_a.avoidance": a_avo,
            "partner_b.anxiety": b_anx, "partner_b.avoidance": b_avo}


DEFAULT: dict[str, float] = {}  # the registry's anxious (A) - avoidant (B) couple
SECURE = traits(0.1, 0.1, 0.1, 0.1)
FEARFUL = traits(0.9, 0.9, 0.9, 0.9)
ANXIOUS_WITH_SECURE = traits(0.8, 0.2, 0.1, 0.1)

# Model 2.0 points, every gain derived from the traits (no hand-set parameters):
# - BISTABLE: an anxious partner with a secure one. The secure partner, with both drives
#   near zero, rests either approaching or avoiding (the orientation's hysteresis): two
#   stable settled points and a saddle between them.
# - TRAPPED: a strongly anxious partner with a strongly avoidant one: one stable trapped point.
# - CYCLE: an anxious-avoidant partner (0.7, 1.0) with an avoidant one (0.1, 1.0): every
#   start ends on the same slow limit cycle (period about 42 days).
BISTABLE = ANXIOUS_WITH_SECURE
TRAPPED = traits(0.9, 0.1, 0.1, 0.9)
CYCLE = traits(0.7, 1.0, 0.1, 1.0)

COUPLES = {"default": DEFAULT, "secure": SECURE, "bistable": BISTABLE, "trapped": TRAPPED}


@pytest.fixture(scope="module")
def points() -> dict[str, list[meanfield.FixedPoint]]:
    """Every fixed point fixed_points finds for each couple of COUPLES."""
    return {name: meanfield.fixed_points(values) for name, values in COUPLES.items()}


# --- 1. Without randomness the map is the model -------------------------------------------

RANDOMNESS_OFF = {"dyad.noise": 0.0, "dyad.ambiguity": 0.0, "partner_a.lapse_rate": 0.0,
                  "partner_b.lapse_rate": 0.0, "dyad.dissolution_rate": 0.0,
                  "dyad.life_event_rate": 0.0, "dyad.individuality": 0.0,
                  "partner_a.repair_tendency": 0.0, "partner_b.repair_tendency": 0.0}


@pytest.mark.parametrize("couple", [DEFAULT, SECURE, FEARFUL],
                         ids=["default", "secure-secure", "fearful"])
def test_without_randomness_the_map_is_the_model(couple):
    matrix = params.param_matrix({**couple, **RANDOMNESS_OFF})
    orbit, together = MeanField(matrix).run(300)
    traj = batch.run_batch(matrix, [5], 300, record_every=1).trajectory(0)
    assert orbit.shape == (301, len(STATE), 1)
    assert traj["step"].tolist() == list(range(301))
    assert np.max(np.ptp(orbit[:, :, 0], axis=0)) > 0.1  # the orbit moves: not a vacuous match
    # 1e-12: the same rules functions in the same order, so at most rounding could differ
    for k, name in enumerate(STATE):
        np.testing.assert_allclose(orbit[:, k, 0], traj[name].to_numpy(), rtol=0, atol=1e-12,
                                   err_msg=name)
    assert np.all(together == 1.0)  # no dissolution hazard at rate 0


# --- 2-3. Fixed points ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COUPLES))
def test_fixed_points_satisfy_the_map(points, name):
    mf = MeanField(COUPLES[name])
    assert points[name]
    rng = np.random.default_rng(7)
    for fp in points[name]:
        x = fp.state
        # the residual recomputed through the public orbit (MeanField.run, not describe)
        orbit, _ = mf.run(1, x0=x[:, None])
        residual = float(np.max(np.abs(orbit[1, :, 0] - x)))
        assert residual < meanfield.FIXED_TOL  # the promise of fixed_points
        assert fp.residual == pytest.approx(residual, rel=1e-6, abs=1e-15)  # reported right
        # 1e-9 slack: the root solver may land a component that is 0 at -1e-17
        assert np.all((x >= -1e-9) & (x <= 1.0 + 1e-9))
        again = meanfield.describe(mf, x)
        assert (again.kind, again.label) == (fp.kind, fp.label)
        if fp.stable:  # it stays put when iterated (1e-7: rounding on a contraction)
            stay, _ = mf.run(200, x0=x[:, None])
            assert np.max(np.abs(stay[-1, :, 0] - x)) < 1e-7
        # describe's residual is not vacuous: off the point it is large and it is F(x) - x
        off = np.clip(x + rng.uniform(-0.05, 0.05, x.shape), 0.0, 1.0)
        moved = meanfield.describe(mf, off)
        step, _ = mf.run(1, x0=off[:, None])
        assert moved.residual == pytest.approx(float(np.max(np.abs(step[1, :, 0] - off))))
        assert moved.residual > 100 * meanfield.FIXED_TOL
    for i, p in enumerate(points[name]):  # each point once
        for q in points[name][i + 1:]:
            assert np.max(np.abs(p.state - q.state)) > meanfield.SAME_POINT


def test_bistable_point_has_two_stable_points_and_a_saddle(points):
    fps = points["bistable"]
    assert len(fps) == 3
    stable = [fp for fp in fps if fp.stable]
    assert [fp.label for fp in stable] == ["settled", "settled"]
    # the two differ in the secure partner's orientation: one approaches, one avoids
    appr = sorted(float(fp.state[STATE.index("partner_b.approach")]) for fp in stable)
    assert appr[0] < 0.05 and appr[1] > 0.95
    (saddle,) = [fp for fp in fps if not fp.stable]
    assert saddle.kind == "saddle"
    moduli = np.abs(saddle.eigenvalues)
    assert moduli.max() > 1.0 and moduli.min() < 1.0
    regime, detail, *_ = stability.regimes._regimes(params.param_matrix(BISTABLE), None, 3000)
    assert (regime[0], detail[0]) == ("bistable", "settled+settled")


def test_default_couple_rests_on_a_spiral_just_below_the_trap():
    """Model 2.0: the default anxious-avoidant couple's mean field is a damped spiral (swings
    over weeks), resting with A pursuing and B withdrawing, just below the trap threshold."""
    (fp,) = meanfield.fixed_points(DEFAULT)
    assert fp.stable and fp.kind == "stable spiral"
    x = fp.state
    assert x[STATE.index("partner_a.pursuit")] > 0.2
    assert x[STATE.index("partner_b.withdrawal")] > 0.4
    pw = float(pursue_withdraw(x[:, None])[0])
    assert 0.1 < pw < outcomes.PW_ON and fp.label == "settled"  # measured: 0.177


@pytest.mark.parametrize("name,label", [("trapped", "trapped"), ("default", "settled")])
def test_single_stable_fixed_point(points, name, label):
    (fp,) = points[name]
    assert fp.stable and fp.label == label


def test_every_fixed_point_of_a_secure_pair_is_settled(points):
    assert {fp.label for fp in points["secure"]} == {"settled"}
    assert any(fp.stable for fp in points["secure"])


# --- 4. Eigenvalue classification and the Jacobian ------------------------------------------

# Strogatz, Nonlinear Dynamics and Chaos, section 5.2: x' = A x
STROGATZ = [
    ([[-2, 0], [0, -1]], "stable node"),
    ([[1, 0], [0, 2]], "unstable node"),
    ([[1, 0], [0, -1]], "saddle"),
    ([[-1, -2], [2, -1]], "stable spiral"),
    ([[1, -2], [2, 1]], "unstable spiral"),
    ([[0, -1], [1, 0]], "centre"),
    # 3-D: mixed signs; a complex pair as the slowest mode (spiral) or not (node)
    (np.diag([-1.0, -2.0, 3.0]), "saddle"),
    ([[-1, -2, 0], [2, -1, 0], [0, 0, -3]], "stable spiral"),
    ([[-1, -2, 0], [2, -1, 0], [0, 0, -0.5]], "stable node"),
]


@pytest.mark.parametrize("a,name", STROGATZ, ids=[f"{n}-{len(a)}d" for a, n in STROGATZ])
def test_classify_textbook_linear_systems(a, name):
    a = np.asarray(a, dtype=float)
    assert classify(np.linalg.eigvals(a), kind="flow") == name
    # the same flow sampled every dt = 0.1: x_{n+1} = expm(A dt) x_n, mu = exp(lambda dt)
    assert classify(np.linalg.eigvals(expm(a * 0.1)), kind="map") == name


@pytest.mark.parametrize("name", list(COUPLES))
def test_jacobian_matches_finite_differences_with_another_step(points, name):
    mf = MeanField(COUPLES[name])
    h = 1e-5  # jacobian() uses 1e-7
    for fp in points[name]:
        x = fp.state
        fd = np.empty((x.size, x.size))
        for i in range(x.size):
            e = np.zeros(x.size)
            e[i] = h
            fd[:, i] = (mf.step((x + e)[:, None])[:, 0] - mf.step((x - e)[:, None])[:, 0]) / (2 * h)
        jac = jacobian(mf, x)
        assert np.max(np.abs(jac)) > 0.1  # entries of order 1: the check is not vacuous
        # 1e-5: truncation (h^2 ~ 1e-10) and rounding (eps/h ~ 1e-9) are far below it
        np.testing.assert_allclose(jac, fd, rtol=0, atol=1e-5)


def test_stable_fixed_point_has_every_eigenvalue_inside_the_unit_circle(points):
    (fp,) = points["default"]
    assert fp.kind.startswith("stable")
    ev = np.linalg.eigvals(jacobian(MeanField(DEFAULT), fp.state))
    assert np.all(np.abs(ev) < 1.0)
    # fp.eigenvalues: the same spectrum, largest modulus first
    assert np.all(np.diff(np.abs(fp.eigenvalues)) <= 0)
    np.testing.assert_allclose(np.abs(fp.eigenvalues), np.sort(np.abs(ev))[::-1], atol=1e-9)


# --- 5. The mean field is the low-noise average ---------------------------------------------

COMPARED = [f"{who}.{var}" for who in ("partner_a", "partner_b")
            for var in ("activation", "pursuit", "withdrawal")] + ["dyad.closeness"]


@pytest.mark.slow
@pytest.mark.parametrize("couple", [SECURE, DEFAULT, ANXIOUS_WITH_SECURE],
                         ids=["secure-secure", "default anxious-avoidant", "anxious-secure"])
def test_mean_field_is_the_low_noise_average(couple):
    # individuality 0: the map is one person's (its row's); with person-level deviations
    # the replicates would be 200 different people around it.
    matrix = params.param_matrix({**couple, "dyad.noise": 0.01, "dyad.dissolution_rate": 0.0,
                                  "dyad.individuality": 0.0})
    reps, steps, every = 200, 1500, 50
    result = batch.run_batch(np.repeat(matrix, reps, axis=0), run_seeds(7, reps), steps,
                             record_every=every)
    traj = result.trajectories
    assert traj.shape[1] == steps // every + 1 and not np.isnan(traj).any()  # none dissolved
    tail = slice((steps - 500) // every + 1, None)  # the last 500 episodes: 1050, ..., 1500
    orbit, _ = MeanField(matrix).run(steps)
    assert np.max(np.abs(orbit[-1] - orbit[-2])) < 1e-6  # the map has reached its attractor
    end = orbit[-1, :, 0]
    columns = list(batch.TRAJECTORY_COLUMNS[1:])
    gaps = {v: float(traj[:, tail, columns.index(v)].mean() - end[STATE.index(v)])
            for v in COMPARED}
    # 0.05 absolute (5% of the [0, 1] range), set in advance. What remains is Jensen's
    # inequality: the mean field puts the ambiguity, lapse, life-event and repair rates inside
    # nonlinear rules where the model draws them (measured on Model 2.0: at most 0.028,
    # anxious A's activation with a secure B).
    assert max(abs(g) for g in gaps.values()) <= 0.05, gaps


# --- 6. Cycles ------------------------------------------------------------------------------


def test_attractors_find_a_slow_limit_cycle():
    matrix = params.param_matrix(CYCLE)
    mf = MeanField(matrix)
    found = meanfield.attractors(matrix, meanfield.starts(mf))
    assert np.all(found.kind == "cycle")
    assert np.all((found.period >= 40) & (found.period <= 44))  # measured: 42 days
    assert np.all(found.amplitude > 0.1)  # a large swing (measured 0.21), far above 1e-3
    # an independent check on the orbit: near where it was a period ago, far half a period ago
    # (the period is not a whole number of days, so "near" is to 0.02, not to rounding)
    orbit, _ = mf.run(4000)
    assert np.max(np.abs(orbit[-1] - orbit[-43])) < 0.02
    assert np.max(np.abs(orbit[-1] - orbit[-22])) > 0.1


def test_attractors_of_a_settled_couple_are_points():
    matrix = params.param_matrix(SECURE)
    found = meanfield.attractors(matrix, meanfield.starts(MeanField(matrix)))
    assert np.all(found.kind == "point")
    assert np.all(found.period == 0)
    assert np.all(found.label == "settled")


# --- 7. The stability map -------------------------------------------------------------------


@pytest.fixture(scope="module")
def smap() -> stability.StabilityMap:
    grid = np.linspace(0.0, 1.0, 5)
    return stability.stability_map([(ANXIETY, grid), (AVOIDANCE, grid)], steps=1500)


def test_stability_map_corners(smap):
    assert smap.regime.shape == (5, 5)
    # [avoidance index, anxiety index]: both 0. Every attractor there is settled; the secure
    # partner can rest approaching or avoiding (Model 2.0's orientation), so it may be two.
    assert smap.regime[0, 0] in ("settled", "bistable")
    table = smap.frame()
    corner = table[(table[ANXIETY] == 0.0) & (table[AVOIDANCE] == 0.0)]
    assert set(corner["attractors"].iloc[0].split("+")) == {"settled"}
    assert smap.regime[-1, -1] == "trapped"  # both 1


def test_stability_map_boundaries(smap):
    kinds = {(b.kind, b.between) for b in smap.boundaries}
    assert ("threshold", "settled | trapped") in kinds
    grid = set(np.linspace(0.0, 1.0, 5).tolist())
    for b in smap.boundaries:
        pts = [(x, y) for x, y in zip(b.x, b.y, strict=True) if x is not None]
        assert pts and len(pts) == sum(x is not None for x in b.x) == sum(
            y is not None for y in b.y)
        for x, y in pts:
            assert 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0
            assert x in grid or y in grid  # bisection runs along a grid line


def test_stability_map_frame_and_overlay(smap):
    table = smap.frame()
    assert len(table) == 25
    assert list(table.columns) == [ANXIETY, AVOIDANCE, "regime", "attractors", "from_start",
                                   "together", "predicted"]
    corner = table[(table[ANXIETY] == 1.0) & (table[AVOIDANCE] == 1.0)]
    assert corner["regime"].tolist() == ["trapped"]
    overlay = smap.overlay()
    assert len(overlay) == len(smap.boundaries) > 0
    for item, b in zip(overlay, smap.boundaries, strict=True):
        assert set(item) == {"x", "y", "name", "color", "dash"}
        assert item["name"] == b.name and item["x"] == b.x and item["y"] == b.y


def test_agreement(smap):
    assert stability.agreement(smap, smap.predicted) == 1.0
    wrong = smap.predicted.copy()
    wrong[0, 0] = "dissolved" if wrong[0, 0] != "dissolved" else "settled"
    assert stability.agreement(smap, wrong) == pytest.approx(24 / 25)
    assert stability.agreement(smap, np.full(smap.regime.shape, "no such class")) == 0.0


# --- 8. dyadsim analyze ---------------------------------------------------------------------


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_writes_the_map_folder(capsys, tmp_path):
    out = tmp_path / "map"
    code, text, err = run_cli(
        capsys, "analyze", "--axis", f"{ANXIETY}=0:1:4", "--axis", f"{AVOIDANCE}=0:1:4",
        "--out", str(out), "--compare-reps", "4", "--steps", "100", "--iterations", "600")
    assert code == 0, err
    assert "16 cells" in text
    table = pd.read_csv(out / "map.csv")
    assert len(table) == 16
    assert {"predicted", "simulated", "agree"} <= set(table.columns)
    predicted = table["predicted"].replace("cycle", "trapped")
    assert (table["agree"] == (predicted == table["simulated"])).all()
    boundaries = pd.read_csv(out / "boundaries.csv")
    assert list(boundaries.columns) == ["kind", "between", ANXIETY, AVOIDANCE]
    assert "<html" in (out / "map.html").read_text().lower()
    summary = json.loads((out / "analysis.json").read_text())
    assert 0.0 <= summary["agreement"] <= 1.0
    assert summary["agreement"] == pytest.approx(table["agree"].mean())
    assert browser_path() is not None  # Chromium is installed here and in CI
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "map.png" in summary["figures"]


GOOD = ["--axis", f"{ANXIETY}=0:1:3", "--axis", f"{AVOIDANCE}=0:1:3"]


@pytest.mark.parametrize("args,needle", [
    (["--axis", f"{ANXIETY}=0:1:3"], "--axis"),
    (["--axis", "partner_a.anxeity=0:1:3", "--axis", f"{AVOIDANCE}=0:1:3"],
     "partner_a.anxeity"),
    (["--axis", f"{ANXIETY}=0:2:3", "--axis", f"{AVOIDANCE}=0:1:3"], ANXIETY),
    (["--axis", f"{ANXIETY}=0:1:1", "--axis", f"{AVOIDANCE}=0:1:3"], ANXIETY),
    (["--axis", f"{ANXIETY}=0.5:0.5:1", "--axis", f"{AVOIDANCE}=0:1:3"], ANXIETY),
    (["--axis", f"{ANXIETY}=0:1:3", "--axis", f"{ANXIETY}=0:0.5:3"], ANXIETY),
    ([*GOOD, "--compare-reps", "-1"], "--compare-reps"),
], ids=["one axis", "unknown key", "out of range", "count 1", "count 1 low == high",
        "same axis twice", "negative compare-reps"])
def test_analyze_bad_input_names_the_problem(capsys, tmp_path, args, needle):
    out = tmp_path / "map"
    code, text, err = run_cli(capsys, "analyze", *args, "--out", str(out))
    assert code == 2 and text == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no --out folder, no temporary one either
    assert needle in err


def test_a_state_with_the_wrong_number_of_columns_is_refused():
    mf = meanfield.MeanField({})
    with pytest.raises(ValueError, match="one column per parameter row"):
        mf.step(np.repeat(mf.initial(), 3, axis=1))
