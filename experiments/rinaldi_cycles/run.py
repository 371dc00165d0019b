"""What is the minimal recipe for a love cycle in dyadsim, and is it Rinaldi's?

Rinaldi (Modeling Love Dynamics, 2016; Gragnani, Rinaldi & Feichtinger 1997): couples of
secure partners reach only equilibria; insecurity plus synergism in one partner is the minimal
recipe for a cycle. Two tests. (1) Mean field: the attractors of the deterministic map
(dyadsim.meanfield) for the 10 pairings of secure, anxious, avoidant and fearful partners over
a grid of the emotional speeds (dyad.activation_rate x dyad.behaviour_rate), and for two seeded
random searches (every sweepable parameter uniform; traits uniform with gains derived and dyad
parameters uniform). Every orbit that meanfield.attractors calls a cycle is iterated further and
re-checked, then split into period-2 flips and slower cycles; the Jacobian eigenvalues of the
fixed point inside show the bifurcation. (2) Noisy model (batch engine): the classifier's
cycling share per pairing at default and fast rates and at the dyad settings of the known
cycling point (tests/test_model_cycling.py), and that point with and without noise, ambiguity
and lapses, and with each of its settings reverted to the default in turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy import optimize

from dyadsim import batch, meanfield, outcomes
from dyadsim.params import REGISTRY, param_matrix
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.runner import run_replicates

NAME = "rinaldi_cycles"
TYPES: dict[str, tuple[float, float]] = {
    "secure": (0.1, 0.1), "anxious": (0.8, 0.2), "avoidant": (0.2, 0.8), "fearful": (0.8, 0.8)}
"""Partner types as (anxiety, avoidance)."""
PAIRS: tuple[tuple[str, str], ...] = tuple(
    (a, b) for i, a in enumerate(TYPES) for b in list(TYPES)[i:])
"""The 10 pairings up to A/B symmetry (partner A is the first type)."""
TRAITS = ("partner_a.anxiety", "partner_a.avoidance", "partner_b.anxiety",
          "partner_b.avoidance")
RATES = ("dyad.activation_rate", "dyad.behaviour_rate")
FAST = 1.0
"""The 'fast rates' condition: both emotional speeds at the top of their range."""
FAST_FATIGUE = {"dyad.fatigue_rate": 0.9, "dyad.fatigue_recovery": 0.9}
"""Fatigue that builds and recovers within an episode or two (defaults 0.02 and 0.01): the
setting the period-2 flips of the trait search share."""
STEP_RATES = ("dyad.activation_rate", "dyad.behaviour_rate", "dyad.closeness_rate",
              "dyad.trust_rate", "dyad.inconsistency_rate", "dyad.satisfaction_rate",
              "dyad.fatigue_rate", "dyad.fatigue_recovery")
"""Every per-episode rate of the state updates: scaling them all by ``s`` is an Euler step
of ``s`` times the length for the same continuous-time dynamics."""
INSECURE = 0.5
"""In the trait search a partner is insecure when anxiety or avoidance is at least this."""
SHARE_THAN_NOISE = 0.05
"""A simulated pairing 'cycles' when the Wilson lower bound of its cycling share exceeds this."""

CYCLING_POINT: dict[str, float] = {
    # copied from tests/test_model_cycling.py (random search point 433)
    "partner_a.anxiety": 0.6, "partner_a.avoidance": 0.8, "partner_a.threat_threshold": 0.03,
    "partner_a.comfort_uptake": 0.08, "partner_a.withdrawal_gain": 2.7,
    "partner_a.responsiveness": 0.51, "partner_a.lapse_rate": 0.47, "partner_a.trust0": 0.56,
    "partner_b.anxiety": 0.12, "partner_b.avoidance": 0.8, "partner_b.self_soothing": 0.2,
    "partner_b.withdrawal_gain": 0.63, "partner_b.responsiveness": 0.91,
    "partner_b.exit_propensity": 0.03, "partner_b.protest_intensity": 0.75,
    "partner_b.reassurance": 0.45, "dyad.noise": 0.28, "dyad.stress": 0.93,
    "dyad.closeness0": 0.59, "dyad.unavailability_weight": 0.92, "dyad.distance_weight": 0.63,
    "dyad.activation_rate": 0.81, "dyad.behaviour_rate": 0.97, "dyad.trust_rate": 0.38,
    "dyad.fatigue_recovery": 0.56, "dyad.dissolution_rate": 0.0,
}
POINT_DYAD = {k: v for k, v in CYCLING_POINT.items() if k.startswith("dyad.")}
NOISE_VARIANTS: dict[str, dict[str, float]] = {
    "pinned (noise 0.28, ambiguity 0.2, lapses 0.47/0.21)": {},
    "noise 0": {"dyad.noise": 0.0},
    "ambiguity 0": {"dyad.ambiguity": 0.0},
    "noise 0 + ambiguity 0": {"dyad.noise": 0.0, "dyad.ambiguity": 0.0},
    "noise 0 + ambiguity 0 + lapses 0 (deterministic)": {
        "dyad.noise": 0.0, "dyad.ambiguity": 0.0, "partner_a.lapse_rate": 0.0,
        "partner_b.lapse_rate": 0.0},
}
TOP_VARIANTS: dict[str, dict[str, float]] = {
    "as run": {},
    "noise 0 + ambiguity 0": {"dyad.noise": 0.0, "dyad.ambiguity": 0.0},
    "noise 0 + ambiguity 0 + lapses 0 (deterministic)": {
        "dyad.noise": 0.0, "dyad.ambiguity": 0.0, "partner_a.lapse_rate": 0.0,
        "partner_b.lapse_rate": 0.0},
    "behaviour_rate 0.5": {"dyad.behaviour_rate": 0.5},
    "fatigue rates 0.5": {"dyad.fatigue_rate": 0.5, "dyad.fatigue_recovery": 0.5},
}
"""Variants of the simulated pairing condition that cycles most (if any cycles)."""
PERIOD_MAX = 200
"""Longest period looked for when a cycle is re-checked."""
SAME_STATE = 1e-6
"""States closer than this (max norm) ``p`` episodes apart make the orbit periodic with ``p``."""
MIN_TURNS = 4
"""A re-checked cycle's pursue-withdraw signal must change direction at least this often."""
KIND_ORDER = ("slow", "flip", "transient", "none")
KIND_COLOURS = {"none": "#BBBBBB", "transient": PALETTE[5], "flip": PALETTE[3],
                "slow": PALETTE[4]}


@dataclass(frozen=True)
class Size:
    """How much the mean-field part computes."""

    rates: tuple[float, ...]
    pairs: tuple[tuple[str, str], ...]
    mf_steps: int
    mf_window: int
    mf_max: int
    search_all: int
    search_traits: int
    confirm: int
    continuation: int
    extra_starts: int


FULL = Size(tuple(round(0.1 * k, 1) for k in range(1, 11)), PAIRS, 4000, 400, 8000, 2000,
            2000, 12000, 41, 2)
TINY = Size((0.1, 0.55, 1.0), (("secure", "secure"), ("secure", "anxious"),
                               ("secure", "fearful"), ("anxious", "avoidant"),
                               ("anxious", "fearful")),
            1000, 200, 2000, 60, 60, 2000, 9, 1)
GRIDS = {"default": {}, "fast fatigue": FAST_FATIGUE}
"""The two mean-field grids: every other parameter at its default, or fatigue made fast."""


def pairing(a: str, b: str) -> str:
    """The name of a pairing, partner A first."""
    return f"{a}-{b}"


def traits(a: str, b: str) -> dict[str, float]:
    """The four trait values of a pairing."""
    return dict(zip(TRAITS, (*TYPES[a], *TYPES[b]), strict=True))


def quadrant(anxiety: np.ndarray, avoidance: np.ndarray) -> np.ndarray:
    """The partner type (secure, anxious, avoidant, fearful) of trait values, cut at 0.5."""
    anx, avo = np.asarray(anxiety) >= INSECURE, np.asarray(avoidance) >= INSECURE
    return np.where(anx & avo, "fearful", np.where(anx, "anxious",
                                                   np.where(avo, "avoidant", "secure")))


# --- Mean field ---------------------------------------------------------------------------


def start_states(matrix: np.ndarray, extra: int, seed: int) -> np.ndarray:
    """meanfield.starts for every row, with each row's own initial state first."""
    base = meanfield.starts(meanfield.MeanField(matrix[:1]), extra=extra, seed=seed)
    x0 = np.repeat(base[:, None, :], matrix.shape[0], axis=1)
    x0[:, :, 0] = meanfield.MeanField(matrix).initial()
    return x0


@dataclass
class Found:
    """Attractors of many rows, with every flagged cycle re-checked."""

    matrix: np.ndarray
    attractors: meanfield.Attractors
    orbits: pd.DataFrame
    """One row per orbit that ``attractors`` called a cycle: its re-checked kind and period."""
    ends: np.ndarray
    """End state of each re-checked orbit, ``(len(STATE), orbits)``."""
    centres: np.ndarray
    """Mean state over the last period of each re-checked orbit (a guess for the fixed point
    inside it)."""

    def row_kind(self) -> np.ndarray:
        """Per row: ``slow`` or ``flip`` (a confirmed cycle), ``transient`` (flagged but not
        confirmed) or ``none``."""
        kind = np.full(self.matrix.shape[0], "none", dtype=object)
        for name in reversed(KIND_ORDER[:-1]):  # the most telling kind wins
            rows = self.orbits.loc[self.orbits["kind"] == name, "row"].to_numpy(int)
            kind[rows] = name
        return kind.astype(str)

    def flagged_rows(self) -> int:
        """Rows with at least one orbit ``attractors`` called a cycle."""
        return int(np.sum(np.any(self.attractors.kind == "cycle", axis=1)))


def recheck(matrix: np.ndarray, found: meanfield.Attractors, steps: int, window: int
            ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Iterate every flagged cycle ``steps`` more episodes and test it again.

    A confirmed cycle has not converged (``max |F(x) - x| >= meanfield.CONVERGED``), its
    pursue-withdraw signal still swings by more than ``meanfield.CYCLE_AMPLITUDE`` without
    shrinking (to 95%) from one ``window`` to the next, and it changes direction at least
    ``MIN_TURNS`` times in the last window (a slow monotone drift towards a fixed point does
    not). Its period is the smallest lag ``p <= PERIOD_MAX`` with ``|x_T - x_{T-p}| <
    SAME_STATE`` (0: none found). Kinds: ``flip`` (period 2), ``slow`` (any other confirmed
    cycle) and ``transient`` (flagged, not confirmed).
    """
    rows, cols = np.nonzero(found.kind == "cycle")
    n = rows.size
    columns = ["row", "start", "flagged_period", "flagged_amplitude", "amplitude", "turns",
               "period", "kind"]
    if n == 0:
        empty = np.zeros((len(meanfield.STATE), 0))
        return pd.DataFrame(columns=columns), empty, empty
    mf = meanfield.MeanField(matrix[rows])
    x = found.ends[:, rows, cols].copy()
    keep = PERIOD_MAX + 1
    steps = max(steps, 2 * window, keep)
    pw = np.empty((2 * window, n))
    states = np.empty((keep, len(meanfield.STATE), n))
    for t in range(steps):
        x = mf.step(x)
        j = t - (steps - 2 * window)
        if j >= 0:
            pw[j] = meanfield.pursue_withdraw(x)
        k = t - (steps - keep)
        if k >= 0:
            states[k] = x
    moving = np.max(np.abs(mf.step(x) - x), axis=0) >= meanfield.CONVERGED
    amplitude = np.ptp(pw[window:], axis=0)
    before = np.ptp(pw[:window], axis=0)
    diff = np.diff(pw[window:], axis=0)
    sign = np.sign(np.where(np.abs(diff) > 1e-12, diff, 0.0))
    turns = np.sum((sign[1:] * sign[:-1]) < 0, axis=0)
    cycle = (moving & (amplitude > meanfield.CYCLE_AMPLITUDE) & (amplitude >= 0.95 * before)
             & (turns >= MIN_TURNS))
    period = np.zeros(n, dtype=int)
    centres = states.mean(axis=0)
    for i in range(n):
        gaps = np.max(np.abs(states[-1, :, i][None, :] - states[-2::-1, :, i]), axis=1)
        hit = np.flatnonzero(gaps < SAME_STATE)
        if hit.size:
            period[i] = hit[0] + 1
            centres[:, i] = states[-period[i]:, :, i].mean(axis=0)
    kind = np.where(~cycle, "transient", np.where(period == 2, "flip", "slow"))
    frame = pd.DataFrame({
        "row": rows, "start": cols, "flagged_period": found.period[rows, cols],
        "flagged_amplitude": found.amplitude[rows, cols], "amplitude": amplitude,
        "turns": turns, "period": np.where(cycle, period, 0), "kind": kind})
    return frame, x, centres


def find_attractors(matrix: np.ndarray, size: Size, seed: int) -> Found:
    """meanfield.attractors from meanfield.starts for every row, then the re-check."""
    x0 = start_states(matrix, size.extra_starts, seed)
    found = meanfield.attractors(matrix, x0, steps=size.mf_steps, window=size.mf_window,
                                 max_steps=size.mf_max)
    orbits, ends, centres = recheck(matrix, found, size.confirm, size.mf_window)
    return Found(matrix, found, orbits, ends, centres)


def grid_matrix(size: Size, fixed: dict[str, float]) -> tuple[np.ndarray, pd.DataFrame]:
    """Every pairing at every pair of emotional speeds (``fixed``: other settings)."""
    rows = [(a, b, ra, rb) for a, b in size.pairs for ra in size.rates for rb in size.rates]
    cells = pd.DataFrame(rows, columns=["a", "b", *RATES])
    varying = {name: [traits(a, b)[name] for a, b, _, _ in rows] for name in TRAITS}
    varying.update({RATES[0]: cells[RATES[0]].to_numpy(), RATES[1]: cells[RATES[1]].to_numpy()})
    return param_matrix(fixed, varying), cells


def search_all_matrix(n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """``n`` points uniform on every sweepable parameter's range (derived gains included).

    Returns:
        The matrix and the parameters that matter there (the traits do not: every gain
        derived from them is drawn too).
    """
    names = [name for name, p in REGISTRY.items() if p.sweepable]
    varying = {name: rng.uniform(REGISTRY[name].low, REGISTRY[name].high, n) for name in names}
    return param_matrix(None, varying), [n for n in names if n not in TRAITS]


def search_traits_matrix(n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """``n`` points: traits uniform on [0, 1] (gains derived), dyad parameters uniform.

    Returns:
        The matrix and the parameters drawn.
    """
    names = [name for name, p in REGISTRY.items() if p.sweepable and p.group == "dyad"]
    varying = {name: rng.uniform(REGISTRY[name].low, REGISTRY[name].high, n) for name in names}
    varying.update({name: rng.uniform(0.0, 1.0, n) for name in TRAITS})
    return param_matrix(None, varying), [*TRAITS, *names]


def column(matrix: np.ndarray, name: str) -> np.ndarray:
    """One parameter's column of a parameter matrix."""
    return matrix[:, batch.PARAM_NAMES.index(name)]


def mechanism(eigenvalues: np.ndarray) -> str:
    """Which eigenvalues of a fixed point of the map lie outside the unit circle."""
    out = eigenvalues[np.abs(eigenvalues) > 1.0 + 1e-9]
    if out.size == 0:
        return "none (stable)"
    real = np.abs(out.imag) <= 1e-9
    names = []
    if np.any(~real):
        names.append("complex pair (Neimark-Sacker)")
    if np.any(real & (out.real < -1)):
        names.append("real mu < -1 (flip)")
    if np.any(real & (out.real > 1)):
        names.append("real mu > 1 (saddle)")
    return "; ".join(names)


def fixed_point_inside(row: np.ndarray, guess: np.ndarray) -> meanfield.FixedPoint | None:
    """The fixed point nearest a cycle's centre (meanfield.fixed_points seeded with it)."""
    points = meanfield.fixed_points(row[None, :], guesses=guess[:, None])
    if not points:
        return None
    return min(points, key=lambda fp: float(np.max(np.abs(fp.state - guess))))


def spectrum_summary(ev: np.ndarray) -> dict[str, Any]:
    """The eigenvalues that matter for a flip or a Neimark-Sacker bifurcation."""
    real = np.abs(ev.imag) <= 1e-9
    return {
        "leading_eigenvalue": f"{ev[0].real:.4f}{ev[0].imag:+.4f}j",
        "leading_modulus": float(abs(ev[0])),
        "most_negative_real": float(ev[real].real.min()) if real.any() else np.nan,
        "largest_complex_modulus": float(np.abs(ev[~real]).max()) if (~real).any() else np.nan,
        "outside_unit_circle": mechanism(ev),
    }


def eigen_rows(cases: list[tuple[str, np.ndarray, np.ndarray, str]]
               ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Fixed point and eigenvalues inside each case ``(name, row, guess, kind)``."""
    rows, spectra = [], {}
    for name, row, guess, kind in cases:
        fp = fixed_point_inside(row, guess)
        if fp is None:
            rows.append({"case": name, "orbit": kind, "fixed_point": "none found"})
            continue
        spectra[name] = fp.eigenvalues
        rows.append({"case": name, "orbit": kind, "fixed_point": fp.kind, "label": fp.label,
                     "distance_to_centre": float(np.max(np.abs(fp.state - guess))),
                     **spectrum_summary(fp.eigenvalues)})
    return pd.DataFrame(rows), spectra


def scaled(row: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Copies of a parameter row with every state-update rate multiplied by each scale."""
    mats = np.repeat(row[None, :], scales.size, axis=0)
    for name in STEP_RATES:
        i = batch.PARAM_NAMES.index(name)
        mats[:, i] = np.clip(mats[:, i] * scales, REGISTRY[name].low, REGISTRY[name].high)
    return mats


def continuation(row: np.ndarray, fixed: np.ndarray, end: np.ndarray, scales: np.ndarray,
                 steps: int) -> pd.DataFrame:
    """Shrink the time step: every state-update rate times ``s``; attractor and eigenvalues.

    For each scale the orbit from the cycle's end state is iterated ``steps / s`` episodes
    and its last two pursue-withdraw values kept (two branches on a period-2 cycle, one on a
    fixed point). The fixed point is followed from ``s = 1`` down by Powell's hybrid root
    finder; besides the map's eigenvalues ``mu`` the table gives ``max Re (mu - 1) / s``,
    the growth rate of the continuous-time flow the map approximates (negative: the fixed
    point of the flow is stable, so there is no Hopf cycle to find), and the flow rate
    ``(mu - 1) / s`` of the most negative real ``mu`` (about constant in ``s`` if the mode
    is a damped flow mode that the long step overshoots).
    """
    mats = scaled(row, scales)
    mf = meanfield.MeanField(mats)
    x = np.repeat(end[:, None], scales.size, axis=1)
    x, _ = mf.run(int(steps / scales.min()), x0=x, every=int(steps / scales.min()))
    x = x[-1]
    last = meanfield.pursue_withdraw(x)
    x2 = mf.step(x)
    prev = meanfield.pursue_withdraw(x2)
    rows = []
    state = fixed.copy()
    for i in np.argsort(-scales):
        one = meanfield.MeanField(mats[i:i + 1])

        def residual(v: np.ndarray, one: meanfield.MeanField = one) -> np.ndarray:
            return one.step(v[:, None])[:, 0] - v

        sol = optimize.root(residual, state, method="hybr", options={"xtol": 1e-13})
        row_out: dict[str, Any] = {"rate_scale": float(scales[i]), "pw_branch_1": last[i],
                                   "pw_branch_2": prev[i]}
        if np.max(np.abs(residual(sol.x))) < meanfield.FIXED_TOL:
            state = sol.x
            ev = meanfield.describe(one, state).eigenvalues
            row_out.update(spectrum_summary(ev))
            row_out["flow_max_real"] = float(np.max((ev - 1.0).real / scales[i]))
            row_out["flow_rate_of_most_negative_mu"] = (row_out["most_negative_real"] - 1.0
                                                        ) / scales[i]
        rows.append(row_out)
    return pd.DataFrame(rows).sort_values("rate_scale").reset_index(drop=True)


# --- Simulation ---------------------------------------------------------------------------

PAIRING_GROUPS = {"default": "default rates 0.3/0.3",
                  "fast": f"fast rates {FAST}/{FAST}",
                  "fast fatigue": f"fast rates + fast fatigue {FAST_FATIGUE['dyad.fatigue_rate']}",
                  "point dyad": "cycling point's dyad settings"}


def sim_conditions() -> dict[str, dict[str, float]]:
    """Every simulated condition, by name (``group|label``)."""
    fast = {RATES[0]: FAST, RATES[1]: FAST}
    extra = {"default": {}, "fast": fast, "fast fatigue": {**fast, **FAST_FATIGUE},
             "point dyad": POINT_DYAD}
    conds: dict[str, dict[str, float]] = {}
    for group, settings in extra.items():
        for a in TYPES:
            for b in TYPES:
                conds[f"{group}|{pairing(a, b)}"] = {**traits(a, b), **settings}
    for label, change in NOISE_VARIANTS.items():
        conds[f"noise|{label}"] = {**CYCLING_POINT, **change}
    for key in CYCLING_POINT:
        conds[f"revert|{key}"] = {k: v for k, v in CYCLING_POINT.items() if k != key}
    return conds


def simulate(conds: dict[str, dict[str, float]], reps: int, steps: int, seed: int
             ) -> pd.DataFrame:
    """Run every condition with the same replicate seeds; outcome shares per condition."""
    rows = []
    for name, values in conds.items():
        # one call per condition: each sets its own keys (the others default or follow the
        # traits), which one design of varying columns cannot express
        run = run_replicates(values, reps=reps, root_seed=seed, steps=steps)
        s = run.summary()
        group, label = name.split("|", 1)
        rows.append({"group": group, "condition": label, "n": reps,
                     "cycling_runs": int(s.counts["cycling"][0]),
                     "cycling": s.shares["cycling"][0],
                     "cycling_ci_low": s.share_low["cycling"][0],
                     "cycling_ci_high": s.share_high["cycling"][0],
                     "waves_per_run": float(s.mean["episodes"][0]),
                     **{k: s.shares[k][0] for k in outcomes.OUTCOMES if k != "cycling"}})
    return pd.DataFrame(rows)


# --- Figures ------------------------------------------------------------------------------


def pairing_panel(grid_counts: dict[str, dict[tuple[str, str], tuple[int, int, int]]],
                  sims: pd.DataFrame, cells: int) -> go.Figure:
    """Type x type panels: mean-field cycle cells, and simulated cycling shares."""
    names = list(TYPES)
    groups = ("fast fatigue", "default", "fast", "point dyad")
    titles = [f"mean field, {g}: cells with a cycle (of {cells})" for g in grid_counts]
    titles += [f"simulated, {PAIRING_GROUPS[g]}" for g in groups]
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles, horizontal_spacing=0.09,
                        vertical_spacing=0.2)
    panels = []
    for counts in grid_counts.values():
        z = np.full((4, 4), np.nan)
        text = np.full((4, 4), "-", dtype=object)
        for (a, b), (cyc, flip, slow) in counts.items():
            for i, j in ((names.index(a), names.index(b)), (names.index(b), names.index(a))):
                z[i, j] = cyc / cells
                text[i, j] = f"{cyc}" + (f" ({flip} flip)" if flip else "") + (
                    f" ({slow} slow)" if slow else "")
        panels.append((z, text))
    for group in groups:
        part = sims[sims["group"] == group].set_index("condition")
        z = np.array([[part.loc[pairing(a, b), "cycling"] for b in names] for a in names])
        panels.append((z, np.vectorize(lambda v: f"{v:.3f}")(z).astype(object)))
    for k, (z, t) in enumerate(panels):
        r, c = divmod(k, 3)
        fig.add_trace(go.Heatmap(
            z=z, x=[f"B {n[:4]}" for n in names], y=[f"A {n[:4]}" for n in names], text=t,
            texttemplate="%{text}", textfont={"size": 11}, zmin=0, zmax=1,
            colorscale="Purples", showscale=k == 0,
            colorbar={"title": "share", "len": 0.9}), row=r + 1, col=c + 1)
        fig.update_yaxes(autorange="reversed", row=r + 1, col=c + 1)
    fig.update_annotations(font_size=12)
    fig.update_layout(title="Cycles by pairing (A row, B column; secure 0.1/0.1, anxious "
                            "0.8/0.2, avoidant 0.2/0.8, fearful 0.8/0.8)",
                      margin={"t": 110, "l": 90}, font={"size": 12})
    return fig


def search_figure(searches: dict[str, Found]) -> go.Figure:
    """Search points over the two emotional speeds, coloured by what their orbits do."""
    titles = []
    for name, found in searches.items():
        kind = found.row_kind()
        titles.append(f"{name}: {int(np.sum(kind == 'flip'))} flips, "
                      f"{int(np.sum(kind == 'slow'))} slower cycles of {kind.size}")
    fig = make_subplots(rows=1, cols=len(searches), subplot_titles=titles, shared_yaxes=True)
    labels = {"none": "fixed point(s) only", "transient": "flagged, then converged",
              "flip": "period-2 flip", "slow": "slower cycle (period > 2)"}
    for k, found in enumerate(searches.values()):
        kind = found.row_kind()
        ar, br = column(found.matrix, RATES[0]), column(found.matrix, RATES[1])
        for name in reversed(KIND_ORDER):
            sel = kind == name
            fig.add_trace(go.Scatter(
                x=ar[sel], y=br[sel], mode="markers", name=labels[name],
                legendgroup=name, showlegend=k == 0,
                marker={"color": KIND_COLOURS[name], "size": 4 if name == "none" else 13,
                        "symbol": "circle" if name == "none" else "diamond",
                        "line": {"width": 0 if name == "none" else 1, "color": "black"}}),
                row=1, col=k + 1)
        fig.update_xaxes(title_text=RATES[0], range=[0, 1.03], row=1, col=k + 1)
    fig.update_yaxes(title_text=RATES[1], range=[0, 1.03], row=1, col=1)
    fig.update_annotations(font_size=13)
    fig.update_layout(title="Mean-field random searches: which points have a cycle",
                      legend={"orientation": "h", "y": -0.2}, font={"size": 13})
    return fig


def orbit_figure(matrix_row: np.ndarray, end: np.ndarray, title: str, steps: int = 40
                 ) -> go.Figure:
    """A deterministic orbit from a cycle's end state: behaviour and distress over episodes."""
    traj, _ = meanfield.MeanField(matrix_row[None, :]).run(steps, x0=end[:, None])
    x = traj[:, :, 0]
    idx = {n: i for i, n in enumerate(meanfield.STATE)}
    t = np.arange(steps + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=meanfield.pursue_withdraw(x.T), name="pursue-withdraw pw",
                             line={"color": "black", "width": 3}))
    styles = {"pursuit": "solid", "withdrawal": "dot", "activation": "dash", "fatigue": "dashdot"}
    for k, who in enumerate(("partner_a", "partner_b")):
        for var, dash in styles.items():
            fig.add_trace(go.Scatter(x=t, y=x[:, idx[f"{who}.{var}"]], name=f"{who} {var}",
                                     line={"color": PALETTE[k], "dash": dash}))
    fig.add_trace(go.Scatter(x=t, y=x[:, idx["dyad.closeness"]], name="closeness",
                             line={"color": PALETTE[2]}))
    fig.update_layout(title=title, xaxis_title="episode (after the transient)",
                      yaxis_title="state (0-1)", yaxis_range=[0, 1],
                      legend={"orientation": "h", "y": -0.2}, font={"size": 13})
    return fig


def mechanism_figure(spectra: dict[str, np.ndarray], cont: pd.DataFrame | None,
                     cont_name: str) -> go.Figure:
    """Eigenvalues in the complex plane; the flip as the time step shrinks."""
    fig = make_subplots(rows=2, cols=2, specs=[[{"rowspan": 2}, {}], [None, {}]],
                        column_widths=[0.5, 0.5], horizontal_spacing=0.12,
                        subplot_titles=("eigenvalues at the fixed point inside",
                                        f"{cont_name}: attractor (last two pw)",
                                        "fixed point: most negative real mu"))
    theta = np.linspace(0, 2 * np.pi, 200)
    fig.add_trace(go.Scatter(x=np.cos(theta), y=np.sin(theta), mode="lines",
                             line={"color": "grey", "dash": "dot"}, name="unit circle"),
                  row=1, col=1)
    symbols = ("circle", "diamond", "square", "x", "triangle-up", "cross", "star")
    for k, (name, ev) in enumerate(spectra.items()):
        fig.add_trace(go.Scatter(x=ev.real, y=ev.imag, mode="markers", name=name,
                                 marker={"size": 10, "color": PALETTE[k % len(PALETTE)],
                                         "symbol": symbols[k % len(symbols)]}),
                      row=1, col=1)
    fig.update_xaxes(title_text="Re mu", range=[-1.5, 1.5], row=1, col=1)
    fig.update_yaxes(title_text="Im mu", range=[-1.5, 1.5], scaleanchor="x", scaleratio=1,
                     row=1, col=1)
    if cont is not None and len(cont):
        s = cont["rate_scale"]
        for col in ("pw_branch_1", "pw_branch_2"):
            fig.add_trace(go.Scatter(x=s, y=cont[col], mode="markers", showlegend=False,
                                     marker={"color": PALETTE[3], "size": 6}), row=1, col=2)
        if "most_negative_real" in cont:
            fig.add_trace(go.Scatter(x=s, y=cont["most_negative_real"], mode="lines+markers",
                                     showlegend=False, line={"color": PALETTE[0]}),
                          row=2, col=2)
        fig.add_hline(y=-1.0, line={"color": "grey", "dash": "dash"}, row=2, col=2)
        fig.update_xaxes(title_text="scale s on every state-update rate (time step)",
                         row=2, col=2)
        fig.update_yaxes(title_text="pw", row=1, col=2)
        fig.update_yaxes(title_text="mu", row=2, col=2)
    fig.update_annotations(font_size=13)
    fig.update_layout(title="Mechanism: a real eigenvalue through -1 (a flip of the map)",
                      legend={"orientation": "h", "y": -0.18, "font": {"size": 11}},
                      font={"size": 13})
    return fig


def simulated_figure(sims: pd.DataFrame) -> go.Figure:
    """Cycling share with Wilson 95% intervals: pairings, and the cycling point's variants."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.22,
                        subplot_titles=("pairings (A-B)", "known cycling point"))
    for k, (group, label) in enumerate(PAIRING_GROUPS.items()):
        part = sims[sims["group"] == group]
        fig.add_trace(go.Bar(
            y=part["condition"], x=part["cycling"], name=label, orientation="h",
            marker_color=PALETTE[k],
            error_x={"type": "data", "symmetric": False,
                     "array": part["cycling_ci_high"] - part["cycling"],
                     "arrayminus": part["cycling"] - part["cycling_ci_low"]}), row=1, col=1)
    part = sims[sims["group"] == "noise"]
    fig.add_trace(go.Bar(
        y=[c.split(" (")[0] for c in part["condition"]], x=part["cycling"], orientation="h",
        name="cycling point", marker_color=PALETTE[4],
        error_x={"type": "data", "symmetric": False,
                 "array": part["cycling_ci_high"] - part["cycling"],
                 "arrayminus": part["cycling"] - part["cycling_ci_low"]}), row=1, col=2)
    fig.update_xaxes(title_text="cycling share (Wilson 95%)", range=[0, 1.02])
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    n = int(sims["n"].iloc[0])
    fig.update_layout(barmode="group", title=f"Simulated cycling share ({n} replicates each)",
                      legend={"orientation": "h", "y": -0.15}, font={"size": 13},
                      margin={"l": 130})
    return fig


def noise_figure(traces: dict[str, np.ndarray]) -> go.Figure:
    """The pursue-withdraw signal at the cycling point: noisy run, noiseless run, mean field."""
    fig = go.Figure()
    for k, (name, pw) in enumerate(traces.items()):
        fig.add_trace(go.Scatter(x=np.arange(pw.size), y=pw, name=name,
                                 line={"color": PALETTE[k], "width": 2 if k else 1.2}))
    fig.add_hline(y=outcomes.WAVE_PEAK, line={"color": "grey", "dash": "dot"},
                  annotation_text="a wave must peak here")
    fig.add_hline(y=outcomes.PW_ON, line={"color": "grey", "dash": "dash"},
                  annotation_text="episode starts")
    fig.update_layout(title="Known cycling point: the waves need noise (one replicate seed)",
                      xaxis_title="episode", yaxis_title="pursue-withdraw signal pw",
                      yaxis_range=[0, 1], legend={"orientation": "h", "y": -0.2},
                      font={"size": 13})
    return fig


# --- Main ---------------------------------------------------------------------------------


def search_summary(name: str, found: Found) -> dict[str, Any]:
    """Counts of one search (or grid) by what its orbits do."""
    kind = found.row_kind()
    return {"search": name, "points": int(found.matrix.shape[0]),
            "starts_per_point": int(found.attractors.kind.shape[1]),
            "flagged_by_attractors": found.flagged_rows(),
            "flagged_then_converged": int(np.sum(kind == "transient")),
            "confirmed_cycles": int(np.sum(np.isin(kind, ("flip", "slow")))),
            "period_2_flips": int(np.sum(kind == "flip")),
            "slower_cycles": int(np.sum(kind == "slow"))}


def cycle_points(name: str, found: Found, trait_search: bool) -> pd.DataFrame:
    """One row per point with a confirmed cycle."""
    orb = found.orbits[found.orbits["kind"].isin(("flip", "slow"))]
    rows = []
    for r, part in orb.groupby("row"):
        m = found.matrix[int(r)]

        def value(n: str, m: np.ndarray = m) -> float:
            return float(m[batch.PARAM_NAMES.index(n)])

        row: dict[str, Any] = {
            "search": name, "point": int(r), "starts_cycling": len(part),
            "period": int(part["period"].max()), "amplitude": float(part["amplitude"].max()),
            **{n.split(".")[1]: value(n) for n in (*RATES, "dyad.fatigue_rate",
                                                   "dyad.fatigue_recovery")}}
        if trait_search:
            row["A_type"] = str(quadrant(value(TRAITS[0]), value(TRAITS[1])))
            row["B_type"] = str(quadrant(value(TRAITS[2]), value(TRAITS[3])))
            row.update({k.replace("partner_", "").replace(".", "_"): value(k) for k in TRAITS})
        else:
            for who in ("a", "b"):
                for f in ("threat_threshold", "self_soothing", "pursuit_gain",
                          "withdrawal_gain"):
                    row[f"{who}_{f}"] = value(f"partner_{who}.{f}")
        rows.append(row)
    return pd.DataFrame(rows)


def percentile_table(name: str, found: Found, varied: list[str], top: int = 10
                     ) -> pd.DataFrame:
    """Where the cycle points sit in each drawn parameter's range (0.5 expected by chance)."""
    rows = sorted(set(found.orbits.loc[found.orbits["kind"].isin(("flip", "slow")), "row"]))
    if not rows:
        return pd.DataFrame(columns=["search", "parameter", "median_position", "min", "max"])
    out = []
    for n in varied:
        p = REGISTRY[n]
        low, high = (0.0, 1.0) if n in TRAITS else (p.low, p.high)
        pos = (found.matrix[rows, batch.PARAM_NAMES.index(n)] - low) / (high - low)
        out.append({"search": name, "parameter": n, "median_position": float(np.median(pos)),
                    "min": float(pos.min()), "max": float(pos.max())})
    frame = pd.DataFrame(out)
    order = (frame["median_position"] - 0.5).abs().sort_values(ascending=False).index
    return frame.loc[order].head(top)


def pick_cases(sources: dict[str, Found], per_source: int = 2
               ) -> list[tuple[str, Found, int, str]]:
    """The largest confirmed cycles of each source (slower cycles first): (name, found, i)."""
    picked = []
    for name, found in sources.items():
        orb = found.orbits[found.orbits["kind"].isin(("flip", "slow"))].copy()
        orb["slow_first"] = orb["kind"] != "slow"
        orb = orb.sort_values(["slow_first", "amplitude"], ascending=[True, False])
        for i, o in orb.drop_duplicates("row").head(per_source).iterrows():
            picked.append((f"{name} #{int(o['row'])} ({o['kind']})", found, int(i), o["kind"]))
    return picked


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=1000, tiny_reps=20, steps=500, tiny_steps=150,
                           argv=argv)
    size = TINY if args.tiny else FULL
    report = Report(args)
    clock = time.perf_counter()

    def lap(what: str) -> None:
        print(f"{what}: {time.perf_counter() - clock:.1f} s", flush=True)

    # 1. Mean field: pairings x emotional speeds, at default settings and with fast fatigue.
    grids: dict[str, Found] = {}
    grid_counts: dict[str, dict[tuple[str, str], tuple[int, int, int]]] = {}
    for gname, fixed in GRIDS.items():
        gmat, cells = grid_matrix(size, fixed)
        grids[gname] = find_attractors(gmat, size, args.seed)
        cells["kind"] = grids[gname].row_kind()
        grid_counts[gname] = {}
        for a, b in size.pairs:
            k = cells.loc[(cells["a"] == a) & (cells["b"] == b), "kind"]
            grid_counts[gname][(a, b)] = (int(k.isin(("flip", "slow")).sum()),
                                          int((k == "flip").sum()), int((k == "slow").sum()))
    lap("mean-field grids")

    # 2. Mean field: two seeded random searches.
    rng = np.random.default_rng(args.seed)
    mat_all, varied_all = search_all_matrix(size.search_all, rng)
    mat_traits, varied_traits = search_traits_matrix(size.search_traits, rng)
    searches = {"uniform search": find_attractors(mat_all, size, args.seed),
                "trait search": find_attractors(mat_traits, size, args.seed)}
    lap("mean-field searches")
    summary = pd.DataFrame(
        [search_summary(f"grid, {g}", f) for g, f in grids.items()]
        + [search_summary(n, f) for n, f in searches.items()])
    points = pd.concat([cycle_points(n, f, trait_search=(n == "trait search"))
                        for n, f in searches.items()], ignore_index=True)
    params = pd.concat([percentile_table("uniform search", searches["uniform search"],
                                         varied_all),
                        percentile_table("trait search", searches["trait search"],
                                         varied_traits)], ignore_index=True)

    # 3. Simulation.
    point_row = param_matrix(CYCLING_POINT)[0]
    conds = sim_conditions()
    sims = simulate(conds, args.reps, args.steps, args.seed)
    shown = {"noisy (as pinned)": CYCLING_POINT,
             "noise 0 + ambiguity 0": {**CYCLING_POINT, "dyad.noise": 0.0,
                                       "dyad.ambiguity": 0.0}}
    traces = {name: outcomes.pursue_withdraw(run_replicates(
        values, root_seed=args.seed, steps=args.steps, record_every=1).trajectory(0))
        for name, values in shown.items()}
    mf_orbit, _ = meanfield.MeanField(point_row[None, :]).run(args.steps)
    traces["mean field (deterministic map)"] = meanfield.pursue_withdraw(mf_orbit[:, :, 0].T)
    lap("simulation")

    # 4. Mechanism: the fixed point inside the largest cycles, the known cycling point and
    # the simulated pairing condition that cycles most.
    sources = {**{f"grid {g}": f for g, f in grids.items()}, **searches}
    picked = pick_cases(sources)
    cases = [(name, found.matrix[int(found.orbits.loc[i, "row"])], found.centres[:, i], kind)
             for name, found, i, kind in picked]
    point_end = meanfield.MeanField(point_row[None, :]).run(3000, every=3000)[0][-1, :, 0]
    cases.append(("known noisy cycling point", point_row, point_end, "fixed point"))
    pair_sims = sims[sims["group"].isin(list(PAIRING_GROUPS))]
    top = pair_sims.loc[pair_sims["cycling"].idxmax()]
    top_noise = None
    if top["cycling"] > SHARE_THAN_NOISE:
        top_values = conds[f"{top['group']}|{top['condition']}"]
        top_noise = simulate({f"{top['group']} {top['condition']}|{label}": {
            **top_values, **change} for label, change in TOP_VARIANTS.items()},
            args.reps, args.steps, args.seed)
        top_row = param_matrix(top_values)[0]
        top_end = meanfield.MeanField(top_row[None, :]).run(3000, every=3000)[0][-1, :, 0]
        cases.append((f"{top['condition']}, {top['group']} (simulated {top['cycling']:.2f} "
                      "cycling)", top_row, top_end, "fixed point"))
    eigen, spectra = eigen_rows(cases)
    best = None
    if picked:
        best = max(picked, key=lambda c: (c[3] == "slow",
                                          c[1].orbits.loc[c[2], "amplitude"]))
    cont = None
    if best is not None:
        _, found, i, _ = best
        row = found.matrix[int(found.orbits.loc[i, "row"])]
        fp = fixed_point_inside(row, found.centres[:, i])
        if fp is not None:
            cont = continuation(row, fp.state, found.ends[:, i],
                                np.linspace(0.25, 1.0, size.continuation), size.mf_steps)
    lap("eigenvalues and continuation")

    # Tables.
    def sim_of(group: str, a: str, b: str) -> pd.Series:
        part = sims[(sims["group"] == group) & (sims["condition"] == pairing(a, b))]
        return part.iloc[0]

    def ci(s: pd.Series) -> str:
        return f"[{s['cycling_ci_low']:.3f}, {s['cycling_ci_high']:.3f}]"

    table_rows = []
    for a, b in PAIRS:
        d, f = sim_of("default", a, b), sim_of("fast", a, b)
        ff, p = sim_of("fast fatigue", a, b), sim_of("point dyad", a, b)
        mf = {g: grid_counts[g].get((a, b)) for g in GRIDS}
        table_rows.append({
            "pairing (A-B)": pairing(a, b),
            "mf_cycle_cells_default": mf["default"][0] if mf["default"] else np.nan,
            "mf_cycle_cells_fast_fatigue": mf["fast fatigue"][0] if mf["fast fatigue"]
            else np.nan,
            "mf_slow_cells": sum(m[2] for m in mf.values() if m) if any(mf.values())
            else np.nan,
            "cycling_default": d["cycling"], "ci_default": ci(d),
            "waves_default": d["waves_per_run"], "escalated_default": d["escalated"],
            "cycling_fast": f["cycling"], "ci_fast": ci(f), "waves_fast": f["waves_per_run"],
            "cycling_fast_fatigue": ff["cycling"], "cycling_point_dyad": p["cycling"]})
    table = pd.DataFrame(table_rows)
    n_cells = len(size.rates) ** 2
    report.table(
        "table", table,
        f"Cycles by pairing (partner A first). mf_cycle_cells_*: of {n_cells} mean-field cells "
        f"(activation_rate x behaviour_rate in {size.rates[0]}-{size.rates[-1]}), how many "
        "have a confirmed cycle, at default settings and with fast fatigue (fatigue_rate = "
        "fatigue_recovery = 0.9); mf_slow_cells: of those, cycles slower than period 2 (blank: "
        f"not in this run's grid). cycling_*: the classifier's cycling share over {args.reps} "
        f"noisy replicates of {args.steps} episodes (root seed {args.seed}), Wilson 95% "
        f"interval, mean waves per run; default rates 0.3/0.3, fast rates {FAST}/{FAST}, fast "
        "rates with fast fatigue, and the dyad settings of the known cycling point (noise "
        "0.28, stress 0.93, rates 0.81/0.97, ...).")
    report.table("searches", summary,
                 "Mean field: points, points with an orbit meanfield.attractors calls a cycle "
                 f"(flagged), and what {size.confirm} more episodes show: converged after all, "
                 "period-2 flip, or a slower cycle.")
    report.table("cycle_points", points,
                 "Every search point with a confirmed mean-field cycle. Trait search: partner "
                 f"types cut at {INSECURE}. Uniform search: the traits are inert there (every "
                 "gain is drawn), so some effective gains are shown instead.")
    report.table("cycle_parameters", params,
                 "Where the cycle points sit in the range of each drawn parameter (0 = low "
                 "end, 1 = high end; traits on [0, 1]); 0.5 is expected by chance. The 10 "
                 "furthest from 0.5 per search.")
    report.table("eigenvalues", eigen,
                 "The fixed point inside the largest cycles of each source and at the known "
                 "noisy cycling point (meanfield.fixed_points seeded with the cycle's centre), "
                 "and its Jacobian's eigenvalues mu.")
    if cont is not None:
        report.table("time_step", cont,
                     f"{best[0] if best else ''}: every state-update rate scaled by s (an "
                     "Euler step s times as long for the same flow). pw_branch_*: the "
                     "attractor's last two pursue-withdraw values; eigenvalues of the fixed "
                     "point; flow_max_real = max Re (mu - 1) / s.")
    if top_noise is not None:
        report.table("top_condition", top_noise,
                     "The simulated pairing condition that cycles most, with noise, ambiguity "
                     "and lapses removed, and with slower behaviour or fatigue.")
        variants = top_noise.set_index("condition")
        for label, key in zip(TOP_VARIANTS, ("as_run", "noise0_ambiguity0", "deterministic",
                                             "behaviour_0.5", "fatigue_0.5"), strict=True):
            report.number(f"top_condition_{key}_cycling", variants.loc[label, "cycling"])
    report.table("simulated", sims,
                 f"Every simulated condition: {args.reps} replicates of {args.steps} episodes "
                 "with the same seeds. Groups: each pairing at default rates, fast rates, fast "
                 "rates with fast fatigue, and the cycling point's dyad settings; the cycling "
                 "point with noise, ambiguity and lapses removed (noise); the cycling point "
                 "with one setting reverted to its default (revert).")

    # Figures.
    report.figure("pairing_panel", pairing_panel(grid_counts, sims, n_cells))
    report.figure("search", search_figure(searches))
    if best is not None:
        name, found, i, _ = best
        report.figure("orbit", orbit_figure(
            found.matrix[int(found.orbits.loc[i, "row"])], found.ends[:, i],
            f"A deterministic mean-field cycle ({name}): period "
            f"{int(found.orbits.loc[i, 'period'])}"))
    else:
        report.figure("orbit", orbit_figure(
            point_row, meanfield.MeanField(point_row[None, :]).initial()[:, 0],
            "No mean-field cycle found: the cycling point's deterministic orbit settles",
            steps=args.steps))
    report.figure("mechanism", mechanism_figure(spectra, cont, best[0] if best else ""))
    report.figure("simulated", simulated_figure(sims))
    report.figure("noise", noise_figure(traces))

    # Numbers and verdict.
    keys = {f"grid, {g}": f"grid_{g.replace(' ', '_')}" for g in GRIDS}
    keys.update({"uniform search": "search_uniform", "trait search": "search_traits"})
    for row in summary.to_dict("records"):
        for col in ("points", "flagged_by_attractors", "flagged_then_converged",
                    "confirmed_cycles", "period_2_flips", "slower_cycles"):
            report.number(f"{keys[row['search']]}_{col}", row[col])
    if len(points):
        report.number("cycles_lowest_behaviour_or_activation_rate", float(
            points[["activation_rate", "behaviour_rate"]].max(axis=1).min()))
        tp = points[points["search"] == "trait search"]
        if len(tp):
            report.number("trait_search_cycle_pairings",
                          sorted({f"{a}-{b}" for a, b in zip(tp["A_type"], tp["B_type"],
                                                             strict=True)}))
            report.number("trait_search_cycles_with_a_secure_partner", int(
                ((tp["A_type"] == "secure") | (tp["B_type"] == "secure")).sum()))
            report.number("trait_search_cycles_min_fatigue_rate", tp["fatigue_rate"].min())
            report.number("trait_search_cycles_min_fatigue_recovery",
                          tp["fatigue_recovery"].min())
    flips = eigen[eigen["orbit"] == "flip"] if "orbit" in eigen else eigen.iloc[0:0]
    if len(flips):
        report.number("flip_points_analysed", len(flips))
        report.number("flip_points_with_real_mu_below_minus_1", int(
            flips["outside_unit_circle"].astype(str).str.contains("flip").sum()))
    report.number("neimark_sacker_found", bool(
        eigen.get("outside_unit_circle", pd.Series(dtype=str)).astype(str)
        .str.contains("Neimark").any()))
    if cont is not None and "most_negative_real" in cont:
        crossing = cont.loc[cont["most_negative_real"] < -1.0, "rate_scale"]
        report.number("time_step_flip_scale", float(crossing.min()) if len(crossing) else None)
        report.number("time_step_flow_max_real_at_smallest_s",
                      float(cont["flow_max_real"].iloc[0]))
        report.number("time_step_flow_rate_of_flip_mode",
                      [float(cont["flow_rate_of_most_negative_mu"].iloc[k]) for k in (0, -1)])
    point_eig = eigen[eigen["case"] == "known noisy cycling point"]
    if len(point_eig) and "label" in point_eig:
        report.number("cycling_point_mean_field",
                      f"{point_eig['fixed_point'].iloc[0]}, {point_eig['label'].iloc[0]}")
        report.number("cycling_point_leading_modulus", point_eig["leading_modulus"].iloc[0])
    noise = sims[sims["group"] == "noise"].set_index("condition")
    for label, key in zip(NOISE_VARIANTS, ("pinned", "noise0", "ambiguity0",
                                           "noise0_ambiguity0", "deterministic"), strict=True):
        report.number(f"cycling_point_{key}_cycling", noise.loc[label, "cycling"])
        report.number(f"cycling_point_{key}_escalated", noise.loc[label, "escalated"])
    revert = sims[sims["group"] == "revert"]
    report.number("cycling_point_settings_needed",
                  revert.loc[revert["cycling"] < 0.1, "condition"].tolist())
    for group in PAIRING_GROUPS:
        part = pair_sims[pair_sims["group"] == group]
        report.number(f"pairings_max_cycling_{group.replace(' ', '_')}", part["cycling"].max())
    secure = pair_sims[pair_sims["condition"] == "secure-secure"]
    report.number("secure_secure_cycling_runs", int(secure["cycling_runs"].sum()))

    mixed = {pairing(a, b) for a in TYPES for b in TYPES if (a == "secure") != (b == "secure")}
    secure_mf = sum(c.get(("secure", "secure"), (0, 0, 0))[0] for c in grid_counts.values())
    secure_never = secure_mf == 0 and int(secure["cycling_runs"].sum()) == 0
    one_mf = any(cyc[2] > 0 for c in grid_counts.values() for (a, b), cyc in c.items()
                 if pairing(a, b) in mixed)
    one_sim = bool((pair_sims[pair_sims["condition"].isin(mixed)]["cycling_ci_low"]
                    > SHARE_THAN_NOISE).any())
    report.number("secure_never_cycles", bool(secure_never))
    report.number("one_insecure_partner_suffices", bool(one_mf or one_sim))
    report.number("agrees", bool(secure_never and (one_mf or one_sim)))
    lap("tables and figures")
    return report.write()


if __name__ == "__main__":
    main()
