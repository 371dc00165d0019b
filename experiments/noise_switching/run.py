"""In the bistable region, does noise tip couples between the settled and the trapped attractor?

At one rare bistable parameter point (random search point 2671) the mean-field map has a
stable settled point, a stable trapped point and a saddle between them. The script confirms
this with ``meanfield.fixed_points``, then runs the stochastic model there with dissolution
off for long runs at several levels of observation noise (``dyad.noise``), half of the
replicates started in each basin (``dyad.closeness0`` 0.5 or 0.1). Each episode is assigned
to a basin by core-set hysteresis on the pursue-withdraw signal (a 20-episode trailing mean);
switches, switching rates per 1000 episodes, dwell times and the share of time trapped are
reported per noise level, with a Kramers-like fit of the escape rates against 1 / noise^2.
A small check varies the ambiguity rate instead (at zero observation noise).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy import optimize
from scipy import stats as sps

from dyadsim import batch, episode, meanfield, outcomes, schema
from dyadsim.params import param_matrix
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.stats import mean_interval
from dyadsim.streams import run_seeds

NAME = "noise_switching"

# Point 2671 of a random search over every sweepable parameter (3000 uniform points,
# numpy default_rng(1)) for mean-field bistability; values copied from
# experiments/bistable_2671.json. Dissolution is switched off below.
POINT: dict[str, float] = json.loads(
    (Path(__file__).resolve().parents[1] / "bistable_2671.json").read_text())

NOISE = (0.0, 0.1, 0.2, 0.25, 0.3, 0.325, 0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5)
TINY_NOISE = (0.0, 0.1, 0.4, 0.5)
"""Observation noise levels (sd; the registry allows 0 to 0.5; the point's own is 0.099)."""
FIG_LEVELS = (0.1, 0.4, 0.5)
"""Low, middle and high noise for the example time series."""
STARTS = {"settled": 0.5, "trapped": 0.1}
"""Initial closeness per intended starting basin (0.5 is the point's own value)."""
AMBIGUITY = (0.0, 0.17386, 0.4, 0.7)
TINY_AMBIGUITY = (0.7,)
"""Ambiguity rates for the check at zero observation noise (the map stays bistable up to
about 0.7 at this point, not at 0.9)."""
BURN_IN = 200
"""Episodes left out at the start of every run (the mean-field relaxes within ~50)."""
START_STEPS = 600
"""Mean-field episodes to see which attractor each start reaches."""
CORE_LOW, CORE_HIGH = 1 / 3, 0.6
"""Core sets: settled core pw <= settled + CORE_LOW (saddle - settled); trapped core
pw >= saddle + CORE_HIGH (trapped - saddle)."""
STRICT_LOW, STRICT_HIGH = 1 / 6, 0.8
"""Tighter cores for the robustness column."""
SMOOTH = outcomes.SUSTAIN_STEPS
"""Basins are read from pw averaged over the last SMOOTH episodes (a trailing mean): pursuit
and withdrawal react within an episode (behaviour rate 0.62), so raw pw has one-episode dips
that touch the other core without leaving the basin."""
CHUNK = 16
"""Runs per batch call (each records ``steps + 1`` rows of 30 floats per run)."""
MIN_FIT_EXITS = 5
"""Noise levels with at least this many exits from a basin enter the Kramers fit."""


def pw_levels(fps: list[meanfield.FixedPoint]) -> dict[str, float] | None:
    """Pursue-withdraw level of the stable settled point, the saddle and the stable trap.

    ``None`` unless there is exactly one of each (the bistable picture).
    """
    def level(fp: meanfield.FixedPoint) -> float:
        return float(meanfield.pursue_withdraw(fp.state[:, None])[0])

    settled = [level(p) for p in fps if p.stable and p.label == "settled"]
    trapped = [level(p) for p in fps if p.stable and p.label == "trapped"]
    saddles = [level(p) for p in fps if p.kind == "saddle"]
    if len(settled) != 1 or len(trapped) != 1 or len(saddles) != 1:
        return None
    return {"settled": settled[0], "saddle": saddles[0], "trapped": trapped[0]}


def fixed_point_table(fps: list[meanfield.FixedPoint]) -> pd.DataFrame:
    """One row per fixed point: kind, label, pw level, leading |eigenvalue| and key state."""
    rows = []
    for p in fps:
        d = p.as_dict()
        rows.append({
            "kind": p.kind, "label": p.label,
            "pursue_withdraw": float(meanfield.pursue_withdraw(p.state[:, None])[0]),
            "leading_abs_eigenvalue": d["leading_modulus"],
            "closeness": d["dyad.closeness"],
            "activation_a": d["partner_a.activation"], "activation_b": d["partner_b.activation"],
            "pursuit_a": d["partner_a.pursuit"], "pursuit_b": d["partner_b.pursuit"],
            "withdrawal_a": d["partner_a.withdrawal"], "withdrawal_b": d["partner_b.withdrawal"],
            "residual": d["residual"]})
    return pd.DataFrame(rows)


def smooth(pw: np.ndarray, window: int = SMOOTH) -> np.ndarray:
    """Trailing mean of each row over ``window`` steps (fewer at the start)."""
    c = np.cumsum(np.pad(pw, ((0, 0), (1, 0))), axis=1)
    t = np.arange(1, pw.shape[1] + 1)
    lag = np.maximum(t - window, 0)
    return (c[:, t] - c[:, lag]) / (t - lag)


def basins(pw: np.ndarray, low: float, high: float) -> np.ndarray:
    """Core-set hysteresis per row: 1 once pw reaches ``high``, 0 once it falls to ``low``.

    Between the cores a run keeps the basin of the core it touched last (-1 before any).
    """
    core = np.where(pw >= high, 1, np.where(pw <= low, 0, -1)).astype(np.int8)
    t = np.arange(pw.shape[1])
    last = np.maximum.accumulate(np.where(core >= 0, t, 0), axis=1)
    out = np.take_along_axis(core, last, axis=1)
    return out


def sojourns(basin: np.ndarray) -> list[tuple[int, int, int]]:
    """Each stay that begins with a switch: ``(basin, duration, ended)`` per stay.

    ``ended`` is 1 if the run left the basin again (a completed dwell), 0 if the run ended
    first (right-censored). Stays before the first switch are left out (their start is
    not an entry into the basin).
    """
    out = []
    for row in basin:
        at = np.flatnonzero(np.diff(row) != 0) + 1
        for j, a in enumerate(at):
            b = at[j + 1] if j + 1 < at.size else row.size
            out.append((int(row[a]), int(b - a), int(j + 1 < at.size)))
    return out


def kaplan_meier(durations: np.ndarray, ended: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival of dwell times: the event times and S(t) just after each."""
    order = np.argsort(durations, kind="stable")
    d, e = durations[order], ended[order]
    times, surv = [0.0], [1.0]
    at_risk, s, i = d.size, 1.0, 0
    while i < d.size:
        j = i
        while j < d.size and d[j] == d[i]:
            j += 1
        events = int(e[i:j].sum())
        if events:
            s *= 1.0 - events / at_risk
            times.append(float(d[i]))
            surv.append(s)
        at_risk -= j - i
        i = j
    return np.asarray(times), np.asarray(surv)


def run_chunks(params: np.ndarray, seeds: np.ndarray, steps: int
               ) -> Iterator[tuple[slice, np.ndarray]]:
    """Run the rows in chunks; yield each chunk's rows and pursue-withdraw series.

    Each row has its own seed (each start its own replicates) and the chunks keep memory
    flat, neither of which run_replicates' layout (every point the same seeds) expresses.
    """
    for first in range(0, len(seeds), CHUNK):
        rows = slice(first, min(first + CHUNK, len(seeds)))
        res = batch.run_batch(params[rows], seeds[rows], steps, record_every=1)
        traj = res.trajectories
        if traj is None or np.any(res.last_step < steps):
            raise RuntimeError(f"{NAME}: a run dissolved (dissolution should be off)")

        def col(name: str, traj: np.ndarray = traj) -> np.ndarray:
            return traj[:, :, batch.TRAJECTORY_COLUMNS.index(name) - 1]

        yield rows, outcomes.pw_signal(col("partner_a.pursuit"), col("partner_b.withdrawal"),
                                       col("partner_b.pursuit"), col("partner_a.withdrawal"))


def poisson_interval(k: int) -> tuple[float, float]:
    """Exact (Garwood) 95% interval for a Poisson count."""
    low = 0.0 if k == 0 else sps.chi2.ppf(0.025, 2 * k) / 2
    return float(low), float(sps.chi2.ppf(0.975, 2 * k + 2) / 2)


def escape(exits: int, time_in: float) -> dict[str, float]:
    """Escape rate per 1000 episodes in a basin and mean dwell, with Poisson intervals."""
    low, high = poisson_interval(exits)
    if time_in <= 0:
        return dict.fromkeys(("rate", "rate_low", "rate_high", "dwell", "dwell_low",
                              "dwell_high"), math.nan)
    return {"rate": 1000 * exits / time_in, "rate_low": 1000 * low / time_in,
            "rate_high": 1000 * high / time_in,
            "dwell": time_in / exits if exits else math.nan,
            "dwell_low": time_in / high, "dwell_high": time_in / low if low > 0 else math.nan}


def clipped_perception(avail: np.ndarray, noise_sd: np.ndarray, ambiguous: np.ndarray,
                       trust: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``E[perceived availability]`` with the noise averaged through the clip to [0, 1].

    The mean field replaces ``noise * z`` by 0, but the model clips ``avail + noise * z``,
    so at large noise the mean perception shifts (up near 0, down near 1). This is the exact
    mean of the clipped normal, mixed with the ambiguous reading as in
    :func:`rules.perceived_availability`.
    """
    s = np.maximum(noise_sd, 1e-12)
    a, b = -avail / s, (1.0 - avail) / s
    clear = (avail * (sps.norm.cdf(b) - sps.norm.cdf(a)) + s * (sps.norm.pdf(a) -
             sps.norm.pdf(b)) + sps.norm.sf(b))
    return ambiguous * (1.0 - bias) * trust + (1.0 - ambiguous) * clear


def _partner_state(x: np.ndarray, k: int) -> episode.State:
    """Partner ``k``'s engine state from mean-field state columns (per-episode entries 0)."""
    n = len(meanfield.PARTNER_STATE)
    st = list(episode.ZERO_STATE)
    for i, var in enumerate(meanfield.PARTNER_STATE):
        st[schema.STATE_VARS.index(var)] = x[k * n + i]
    return tuple(st)


def _clip_perceive(st: episode.State, p: np.ndarray, seen: episode.State,
                   p_seen: np.ndarray, d: np.ndarray, c: np.ndarray) -> episode.State:
    """The ``perceive`` stage at its expectation, with :func:`clipped_perception`."""
    out = episode.perceive(st, p, seen, p_seen, d, c, d[schema.D_AMBIG], 0.0)
    return episode.put(out, schema.S_PERC, clipped_perception(
        seen[schema.S_AVAIL], d[schema.D_NOISE], d[schema.D_AMBIG], st[schema.S_TRUST],
        p[schema.F_BIAS]))


def clip_aware_step(mf: meanfield.MeanField, x: np.ndarray) -> np.ndarray:
    """The mean-field episode of ``mf`` with :func:`clipped_perception` (state columns).

    The stages of :mod:`dyadsim.episode` in :func:`dyadsim.episode.step`'s order, every draw
    at its expectation as in :func:`dyadsim.episode.expected_step`, except that perception
    is the mean of the clipped observation; at zero noise it must equal ``mf.step``
    (checked in :func:`main`).
    """
    pa, pb = (schema.partner_vectors(mf.matrix)[:, k].T for k in (0, 1))
    d = schema.dyad_vector(mf.matrix).T
    c = x[meanfield.CLOSENESS]
    sa, sb = _partner_state(x, 0), _partner_state(x, 1)
    # episode.step's schedule; its perceive stage cannot take the clipped mean, so here again
    sa = episode.signal(sa, pa, pa[schema.F_LAPSE])
    sb = episode.signal(sb, pb, pb[schema.F_LAPSE])
    sa, sb = _clip_perceive(sa, pa, sb, pb, d, c), _clip_perceive(sb, pb, sa, pa, d, c)
    sa, sb = episode.appraise(sa, pa, d, c), episode.appraise(sb, pb, d, c)
    sa, sb = episode.act(sa, pa, d, c), episode.act(sb, pb, d, c)
    out = np.empty_like(x)
    n = len(meanfield.PARTNER_STATE)
    for k, st in enumerate((sa, sb)):
        for i, var in enumerate(meanfield.PARTNER_STATE):
            out[k * n + i] = st[schema.STATE_VARS.index(var)]
    out[meanfield.CLOSENESS] = episode.closeness(c, pa, pb, sa, sb, d)
    return out


def clip_aware_levels(values: dict[str, float], guesses: list[np.ndarray]
                      ) -> dict[str, Any]:
    """Fixed points of the clip-aware map, continued from the plain map's fixed points.

    Each plain fixed point seeds a root search (Powell hybrid) of the clip-aware map; the
    roots are classified by the moduli of a central-difference Jacobian. Bistable: distinct
    roots with a stable settled point, a stable trapped point and a saddle.
    """
    mf = meanfield.MeanField(values)

    def f(v: np.ndarray) -> np.ndarray:
        return clip_aware_step(mf, v[:, None])[:, 0]

    found = []
    for g in guesses:
        sol = optimize.root(lambda v: f(v) - v, g, method="hybr", options={"xtol": 1e-13})
        if np.max(np.abs(f(sol.x) - sol.x)) > 1e-9:
            continue
        h, m = 1e-7, sol.x.size
        jac = np.column_stack([(f(sol.x + h * e) - f(sol.x - h * e)) / (2 * h)
                               for e in np.eye(m)])
        moduli = np.abs(np.linalg.eigvals(jac))
        kind = ("stable" if moduli.max() < 1 else "saddle" if moduli.min() < 1
                else "unstable")
        found.append((sol.x, kind, str(meanfield.label(sol.x[:, None])[0]),
                      float(meanfield.pursue_withdraw(sol.x[:, None])[0])))
    distinct = [r for i, r in enumerate(found)
                if all(np.max(np.abs(r[0] - q[0])) > meanfield.SAME_POINT for q in found[:i])]
    out: dict[str, Any] = {"settled": math.nan, "saddle": math.nan, "trapped": math.nan}
    for _, kind, lab, pw in distinct:
        if kind == "saddle":
            out["saddle"] = pw
        elif kind == "stable" and lab in ("settled", "trapped"):
            out[lab] = pw
    out["bistable"] = len(distinct) == 3 and all(np.isfinite(v) for v in out.values())
    return out


def fmt_ci(mean: float, low: float, high: float, digits: int = 3) -> str:
    """``mean [low, high]`` with NaNs shown as ``-``."""
    def f(x: float) -> str:
        return "-" if not np.isfinite(x) else f"{x:.{digits}f}"
    return f"{f(mean)} [{f(low)}, {f(high)}]"


def fmt_dwell(e: dict[str, float], time_in: float) -> str:
    """Mean dwell with its interval, or a lower bound when nobody left the basin."""
    if time_in <= 0:
        return "-"
    if not np.isfinite(e["dwell"]):
        return f"> {e['dwell_low']:,.0f} (no exit)"
    high = "inf" if not np.isfinite(e["dwell_high"]) else f"{e['dwell_high']:,.0f}"
    return f"{e['dwell']:,.0f} [{e['dwell_low']:,.0f}, {high}]"


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=150, tiny_reps=6, steps=20000,
                           tiny_steps=3000, argv=argv)
    if args.steps < BURN_IN + 100:
        raise SystemExit(f"{NAME}: --steps must be at least {BURN_IN + 100}")
    started = time.perf_counter()
    noise = TINY_NOISE if args.tiny else NOISE
    ambiguity = TINY_AMBIGUITY if args.tiny else AMBIGUITY
    values = {**POINT, "dyad.dissolution_rate": 0.0}
    args.extra.update({"point": "random search point 2671 (bistable_2671.json)",
                       "noise_levels": list(noise), "ambiguity_levels": list(ambiguity),
                       "burn_in": BURN_IN})

    # 1. The deterministic skeleton: fixed points, basin of each start.
    fps = meanfield.fixed_points(values)
    found = pw_levels(fps)
    if found is None:
        raise SystemExit(f"{NAME}: expected one stable settled point, one stable trapped "
                         f"point and one saddle; got {[(p.kind, p.label) for p in fps]}")
    levels = found
    fp_frame = fixed_point_table(fps)
    gap_low = levels["saddle"] - levels["settled"]
    gap_high = levels["trapped"] - levels["saddle"]
    low, high = levels["settled"] + CORE_LOW * gap_low, levels["saddle"] + CORE_HIGH * gap_high
    s_low = levels["settled"] + STRICT_LOW * gap_low
    s_high = levels["saddle"] + STRICT_HIGH * gap_high
    orbit, _ = meanfield.MeanField(param_matrix(
        {k: v for k, v in values.items() if k != "dyad.closeness0"},
        {"dyad.closeness0": list(STARTS.values())})).run(START_STEPS)
    end_label, end_pw = meanfield.label(orbit[-1]), meanfield.pursue_withdraw(orbit[-1])
    start_rows = []
    for k, (basin_name, c0) in enumerate(STARTS.items()):
        start_rows.append({"intended basin": basin_name, "dyad.closeness0": c0,
                           "mean-field end label": str(end_label[k]),
                           "mean-field end pw": float(end_pw[k])})
        if end_label[k] != basin_name:
            raise SystemExit(f"{NAME}: closeness0 = {c0} does not lead to {basin_name}")

    # 2. Long stochastic runs: noise level x start x replicate.
    reps, steps = args.reps, args.steps
    seeds_all = np.asarray(run_seeds(args.seed, 2 * reps), dtype=np.uint64)
    grid = [(nz, s, j) for nz in noise for s in range(2) for j in range(reps)]
    n = len(grid)
    no_noise = {k: v for k, v in values.items() if k not in ("dyad.noise", "dyad.closeness0")}
    params = param_matrix(no_noise, {
        "dyad.noise": [g[0] for g in grid],
        "dyad.closeness0": [STARTS["settled" if g[1] == 0 else "trapped"] for g in grid]})
    seeds = np.array([seeds_all[s * reps + j] for _, s, j in grid], dtype=np.uint64)
    up = np.zeros(n, int)
    down = np.zeros(n, int)
    strict = np.zeros(n, int)
    raw = np.zeros(n, int)
    t_trapped = np.zeros(n)
    first_basin = np.zeros(n, int)
    stays: dict[float, list[tuple[int, int, int]]] = {}
    examples: dict[float, np.ndarray] = {}
    example_rank: dict[float, tuple[int, int]] = {}
    for rows, pw in run_chunks(params, seeds, steps):
        mean_pw = smooth(pw)
        b = basins(mean_pw, low, high)[:, BURN_IN:]
        sb = basins(mean_pw, s_low, s_high)[:, BURN_IN:]
        raw[rows] = (np.diff(basins(pw, low, high)[:, BURN_IN:], axis=1) != 0).sum(axis=1)
        d = np.diff(b, axis=1)
        up[rows], down[rows] = (d == 1).sum(axis=1), (d == -1).sum(axis=1)
        strict[rows] = (np.diff(sb, axis=1) != 0).sum(axis=1)
        t_trapped[rows] = (b[:, 1:] == 1).sum(axis=1)
        first_basin[rows] = b[:, 0]
        for k, i in enumerate(range(rows.start, rows.stop)):
            nz = grid[i][0]
            stays.setdefault(nz, []).extend(sojourns(b[k:k + 1]))
            total = int(up[i] + down[i])
            # the run with the most switches; on a tie the first trapped-start run
            rank = (total, grid[i][1])
            if nz in FIG_LEVELS and rank > example_rank.get(nz, (-1, -1)):
                examples[nz] = np.stack([pw[k], mean_pw[k]]).astype(np.float32)
                example_rank[nz] = rank
    episodes = steps - BURN_IN
    sim_seconds = time.perf_counter() - started
    print(f"{NAME}: {n} runs of {steps} episodes took {sim_seconds:.1f} s")

    # 3. Per noise level: switches, rates, dwell times, time trapped.
    noise_of = np.array([g[0] for g in grid])
    start_of = np.array([g[1] for g in grid])
    rows_num, rows_txt = [], []
    for nz in noise:
        m = noise_of == nz
        rate = (up[m] + down[m]) / episodes * 1000
        r_mean, r_low, r_high, _ = mean_interval(rate.tolist())
        share = t_trapped[m] / episodes
        sh = mean_interval(share.tolist())
        time_t = float(t_trapped[m].sum())
        time_s = float(m.sum() * episodes - time_t)
        es = escape(int(up[m].sum()), time_s)
        et = escape(int(down[m].sum()), time_t)
        eq = (et["dwell"] / (es["dwell"] + et["dwell"]) if np.isfinite(es["dwell"])
              and np.isfinite(et["dwell"]) else math.nan)
        intended = float(np.mean(first_basin[m] == start_of[m]))
        rows_num.append({
            "noise": nz, "runs": int(m.sum()), "episodes_per_run": episodes,
            "switches_settled_to_trapped": int(up[m].sum()),
            "switches_trapped_to_settled": int(down[m].sum()),
            "runs_with_switch": int(((up[m] + down[m]) > 0).sum()),
            "rate_per_1000": r_mean, "rate_low": max(0.0, r_low), "rate_high": r_high,
            "trapped_share": sh[0], "trapped_share_low": sh[1], "trapped_share_high": sh[2],
            "escape_settled_per_1000": es["rate"], "escape_settled_low": es["rate_low"],
            "escape_settled_high": es["rate_high"], "dwell_settled": es["dwell"],
            "dwell_settled_low": es["dwell_low"], "dwell_settled_high": es["dwell_high"],
            "escape_trapped_per_1000": et["rate"], "escape_trapped_low": et["rate_low"],
            "escape_trapped_high": et["rate_high"], "dwell_trapped": et["dwell"],
            "dwell_trapped_low": et["dwell_low"], "dwell_trapped_high": et["dwell_high"],
            "equilibrium_trapped_share": eq, "switches_strict_cores": int(strict[m].sum()),
            "crossings_unsmoothed_pw": int(raw[m].sum()),
            "started_in_intended_basin": intended})
        rows_txt.append({
            "noise (sd)": f"{nz:.3f}", "runs": int(m.sum()),
            "switches S→T / T→S": f"{int(up[m].sum())} / {int(down[m].sum())}",
            "switches per 1000 episodes [95% t CI]": fmt_ci(r_mean, max(0.0, r_low), r_high),
            "mean dwell settled, episodes [95%]": fmt_dwell(es, time_s),
            "mean dwell trapped, episodes [95%]": fmt_dwell(et, time_t),
            "share of time trapped [95% t CI]": fmt_ci(*sh[:3]),
            "equilibrium share trapped": "-" if not np.isfinite(eq) else f"{eq:.2f}",
            "switches, strict cores": int(strict[m].sum())})
    num = pd.DataFrame(rows_num)

    # Kramers-like fit: ln(escape rate) = a - barrier / noise^2, per basin.
    fits: dict[str, dict[str, float]] = {}
    for basin_name in ("settled", "trapped"):
        ok = (num["noise"] > 0) & (num[f"switches_{basin_name}_to_"
                                       f"{'trapped' if basin_name == 'settled' else 'settled'}"]
                                   >= MIN_FIT_EXITS)
        if ok.sum() >= 3:
            x = 1.0 / num.loc[ok, "noise"].to_numpy() ** 2
            y = np.log(num.loc[ok, f"escape_{basin_name}_per_1000"].to_numpy())
            fit = sps.linregress(x, y)
            fits[basin_name] = {"barrier": -fit.slope, "barrier_se": fit.stderr,
                                "log_prefactor": fit.intercept, "r2": fit.rvalue ** 2,
                                "levels": int(ok.sum())}

    # 4. Ambiguity as the noise source instead (observation noise 0).
    amb_rows = []
    for a in ambiguity:
        bist: bool | str = "not checked (--tiny)"
        if not args.tiny:
            fa = meanfield.fixed_points({**values, "dyad.ambiguity": a})
            bist = all(any(p.stable and p.label == lab for p in fa)
                       for lab in ("settled", "trapped"))
        pa = param_matrix({k: v for k, v in values.items() if k not in (
            "dyad.closeness0", "dyad.ambiguity")} | {"dyad.noise": 0.0}, {
            "dyad.ambiguity": np.full(2 * reps, a),
            "dyad.closeness0": np.repeat([STARTS["settled"], STARTS["trapped"]], reps)})
        a_up = a_down = 0
        for _, pw in run_chunks(pa, seeds_all, steps):
            d = np.diff(basins(smooth(pw), low, high)[:, BURN_IN:], axis=1)
            a_up, a_down = a_up + int((d == 1).sum()), a_down + int((d == -1).sum())
        count = a_up + a_down
        amb_rows.append({"ambiguity": a, "noise": 0.0, "runs": 2 * reps,
                         "mean field bistable": bist, "switches": count,
                         "settled to trapped": a_up, "trapped to settled": a_down,
                         "switches per 1000 episodes": 1000 * count / (2 * reps * episodes)})
    amb = pd.DataFrame(amb_rows)

    # 5. Do both attractors survive the noise's effect on the mean (the clip)?
    plain = meanfield.MeanField(values)
    quiet = meanfield.MeanField({**values, "dyad.noise": 0.0})
    gap = max(float(np.max(np.abs(clip_aware_step(quiet, p.state[:, None])
                                  - plain.step(p.state[:, None])))) for p in fps)
    if gap > 1e-10:
        raise RuntimeError(f"{NAME}: clip_aware_step at zero noise differs from the mean field")
    clip_rows = []
    for nz in (max(noise),) if args.tiny else (*noise[1::2], max(noise)):
        clip_rows.append({"noise": nz, **clip_aware_levels({**values, "dyad.noise": nz},
                                                           [p.state for p in fps])})
    clip = pd.DataFrame(clip_rows, columns=["noise", "bistable", "settled", "saddle",
                                            "trapped"]).drop_duplicates("noise")

    # 6. Verdict.
    top = num.iloc[-1]
    zero = num.iloc[0]
    per_run_rate = (up + down) / episodes * 1000
    rho, rho_p = sps.spearmanr(noise_of, per_run_rate)
    any_switch = num.loc[num["switches_settled_to_trapped"] + num["switches_trapped_to_settled"]
                         > 0, "noise"]
    first_switch = float(any_switch.min()) if len(any_switch) else math.nan
    agrees = bool(top["rate_low"] > 0 and top["rate_per_1000"] > zero["rate_per_1000"]
                  and rho > 0 and rho_p < 0.05)

    report = Report(args)
    caption = (
        f"Random-search point 2671 (mean-field bistable), dissolution off; {2 * reps} runs per "
        f"noise level ({reps} started in the settled basin, closeness0 0.5, and {reps} in the "
        f"trapped basin, closeness0 0.1), {steps} episodes each, the first {BURN_IN} left out; "
        f"root seed {args.seed}. Basin by core-set hysteresis on pw = max(p_a w_b, p_b w_a) "
        f"averaged over the last {SMOOTH} episodes: "
        f"settled until pw reaches {high:.3f}, trapped until pw falls to {low:.3f} (fixed-point "
        f"levels: settled {levels['settled']:.4f}, saddle {levels['saddle']:.4f}, trapped "
        f"{levels['trapped']:.4f}). Switches per 1000 episodes: mean over runs with a Student-t "
        "95% interval (low end clipped at 0). Mean dwell = episodes spent in the basin / exits "
        "from it (censoring-aware, exponential), exact Poisson 95% interval. Equilibrium share "
        "trapped = dwell trapped / (dwell settled + dwell trapped). Strict cores: "
        f"{s_low:.3f} / {s_high:.3f}.")
    report.table("table", pd.DataFrame(rows_txt), caption)
    report.table("numeric", num, "The same per noise level, numeric (rates per 1000 episodes; "
                 "dwell in episodes; NaN where no run left a basin).")
    report.table("fixed_points", fp_frame,
                 "Fixed points of the mean-field map at point 2671 (meanfield.fixed_points): "
                 "kind, outcome label, pursue-withdraw level, leading |eigenvalue| of the "
                 "Jacobian (below 1: stable), and part of the state.")
    report.table("starts", pd.DataFrame(start_rows),
                 f"Where the mean-field orbit from the model's initial state goes ({START_STEPS} "
                 "episodes) for each initial closeness used.")
    report.table("ambiguity", amb,
                 "Ambiguity as the noise source instead: observation noise 0, same seeds "
                 f"and starts, {steps} episodes; switches counted as in the main table. "
                 "'mean field bistable': the map keeps a stable settled and a stable trapped "
                 "point at that ambiguity rate.")
    report.table("clip_check", clip,
                 "Fixed-point pw levels of the mean-field map with the observation noise "
                 "averaged through the clip to [0, 1] (the plain mean field sets the noise to "
                 "0): both attractors must survive at the noise levels used.")

    # Figure: example time series.
    fig = make_subplots(rows=len(FIG_LEVELS), cols=1, shared_xaxes=True,
                        vertical_spacing=0.06, subplot_titles=[
                            f"noise {nz}: the run with the most switches "
                            f"({example_rank.get(nz, (0, 0))[0]}; started "
                            f"{'trapped' if example_rank.get(nz, (0, 0))[1] else 'settled'})"
                            for nz in FIG_LEVELS])
    for r, nz in enumerate(FIG_LEVELS, start=1):
        if nz not in examples:
            continue
        raw_pw, mean_pw = examples[nz]
        x = np.arange(raw_pw.size)
        fig.add_trace(go.Scatter(x=x, y=raw_pw, mode="lines", name="pw per episode",
                                 line={"width": 0.5, "color": PALETTE[5]}, showlegend=r == 1),
                      row=r, col=1)
        fig.add_trace(go.Scatter(x=x, y=mean_pw, mode="lines",
                                 name=f"mean over {SMOOTH} episodes (basin signal)",
                                 line={"width": 1.5, "color": PALETTE[0]}, showlegend=r == 1),
                      row=r, col=1)
        for name, lvl, colour in (("settled", levels["settled"], PALETTE[2]),
                                  ("saddle", levels["saddle"], "grey"),
                                  ("trapped", levels["trapped"], PALETTE[3])):
            fig.add_hline(y=lvl, line={"color": colour, "width": 1.5,
                                       "dash": "dash" if name == "saddle" else "solid"},
                          row=r, col=1)
        for lvl in (low, high):
            fig.add_hline(y=lvl, line={"color": "black", "width": 1, "dash": "dot"},
                          row=r, col=1)
        fig.update_yaxes(title_text="pw", range=[-0.02, 0.75], row=r, col=1)
    fig.update_xaxes(title_text="episode", row=len(FIG_LEVELS), col=1)
    fig.update_layout(title=("Pursue-withdraw signal at point 2671 (green: settled fixed point, "
                             "red: trapped, grey dashed: saddle, dotted: core thresholds)"),
                      title_font_size=15, margin={"t": 90},
                      legend={"orientation": "h", "y": -0.12})
    report.figure("timeseries", fig)

    # Figure: switching rate against noise, and the Kramers plot.
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "Switches per 1000 episodes (95% intervals)", "Kramers plot: ln escape rate vs "
        "1/noise²"))
    fig.add_trace(go.Scatter(
        x=num["noise"], y=num["rate_per_1000"], mode="lines+markers", name="all switches "
        "(mean over runs, t CI)", line={"color": PALETTE[0]}, error_y={
            "type": "data", "symmetric": False,
            "array": num["rate_high"] - num["rate_per_1000"],
            "arrayminus": num["rate_per_1000"] - num["rate_low"]}), row=1, col=1)
    for basin_name, colour in (("settled", PALETTE[2]), ("trapped", PALETTE[3])):
        key = f"escape_{basin_name}"
        fig.add_trace(go.Scatter(
            x=num["noise"], y=num[f"{key}_per_1000"], mode="lines+markers",
            name=f"escape from {basin_name} (per 1000 episodes there, Poisson CI)",
            line={"color": colour, "dash": "dot"}, error_y={
                "type": "data", "symmetric": False,
                "array": num[f"{key}_high"] - num[f"{key}_per_1000"],
                "arrayminus": num[f"{key}_per_1000"] - num[f"{key}_low"]}), row=1, col=1)
        ok = num[f"{key}_per_1000"] > 0
        x = 1.0 / num.loc[ok, "noise"] ** 2
        y = np.log(num.loc[ok, f"{key}_per_1000"])
        with np.errstate(divide="ignore"):
            y_low = np.log(num.loc[ok, f"{key}_low"])
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", marker={"color": colour, "size": 9},
                                 showlegend=False, error_y={
                                     "type": "data", "symmetric": False,
                                     "array": np.log(num.loc[ok, f"{key}_high"]) - y,
                                     "arrayminus": np.minimum(y - y_low, 3.0)}),
                      row=1, col=2)
        if basin_name in fits:
            f = fits[basin_name]
            xs = np.linspace(float(x.min()), float(x.max()), 20)
            fig.add_trace(go.Scatter(
                x=xs, y=f["log_prefactor"] - f["barrier"] * xs, mode="lines",
                line={"color": colour}, name=f"fit {basin_name}: barrier "
                f"{f['barrier']:.3f} (R² {f['r2']:.2f})"), row=1, col=2)
    fig.update_xaxes(title_text="observation noise (sd)", row=1, col=1)
    fig.update_yaxes(title_text="per 1000 episodes", row=1, col=1)
    fig.update_xaxes(title_text="1 / noise²", row=1, col=2)
    fig.update_yaxes(title_text="ln(escape rate per 1000 episodes)", row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.22}, margin={"b": 170},
                      title=f"Noise-induced switching at point 2671 ({2 * reps} runs of "
                            f"{steps} episodes per level)")
    report.figure("switching_rate", fig)

    # Figure: survival of dwell times (Kaplan-Meier) at the highest noise levels.
    top_levels = [nz for nz in noise if nz >= 0.45] or [max(noise)]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "stays in the settled basin", "stays in the trapped basin"))
    for c, (code, basin_name) in enumerate(((0, "settled"), (1, "trapped")), start=1):
        for k, nz in enumerate(top_levels):
            rows = np.array([(dur, end) for b_, dur, end in stays.get(nz, []) if b_ == code],
                            dtype=float).reshape(-1, 2)
            if not rows.size:
                continue
            t, surv = kaplan_meier(rows[:, 0], rows[:, 1])
            colour = PALETTE[k % len(PALETTE)]
            fig.add_trace(go.Scatter(
                x=t, y=surv, mode="lines", line={"shape": "hv", "color": colour},
                name=f"{basin_name}, noise {nz}: {len(rows)} stays, "
                f"{int(rows[:, 1].sum())} ended"), row=1, col=c)
            mean = float(num.loc[num["noise"] == nz, f"dwell_{basin_name}"].iloc[0])
            if np.isfinite(mean):
                xs = np.linspace(0, float(rows[:, 0].max()), 50)
                fig.add_trace(go.Scatter(x=xs, y=np.exp(-xs / mean), mode="lines",
                                         line={"color": colour, "dash": "dot"},
                                         showlegend=False), row=1, col=c)
        fig.update_xaxes(title_text="episodes since entering the basin", row=1, col=c)
        fig.update_yaxes(type="log", row=1, col=c)
    fig.update_yaxes(title_text="share still in the basin (Kaplan-Meier)", row=1, col=1)
    fig.update_layout(title="Dwell times after a switch (steps: Kaplan-Meier, runs ending "
                            "censored; dotted: exponential with the table's mean dwell)",
                      title_font_size=15, legend={"orientation": "h", "y": -0.2},
                      margin={"b": 150})
    report.figure("dwell_times", fig)

    report.number("fixed_point_pw", levels)
    report.number("core_thresholds", {"settled_core_max_pw": low, "trapped_core_min_pw": high})
    report.number("noise_levels", list(noise))
    report.number("switches_by_noise", {f"{r.noise}": int(r.switches_settled_to_trapped
                                                          + r.switches_trapped_to_settled)
                                         for r in num.itertuples()})
    report.number("lowest_noise_with_a_switch", first_switch)
    report.number("rate_per_1000_at_max_noise", top["rate_per_1000"])
    report.number("rate_per_1000_at_max_noise_ci", [top["rate_low"], top["rate_high"]])
    report.number("rate_per_1000_at_point_noise", float(num.loc[
        (num["noise"] - 0.1).abs().idxmin(), "rate_per_1000"]))
    report.number("dwell_settled_at_max_noise", top["dwell_settled"])
    report.number("dwell_trapped_at_max_noise", top["dwell_trapped"])
    report.number("trapped_share_at_max_noise", top["trapped_share"])
    report.number("equilibrium_trapped_share_at_max_noise", top["equilibrium_trapped_share"])
    report.number("kramers_fits", fits)
    report.number("spearman_rate_vs_noise", {"rho": rho, "p": rho_p})
    report.number("ambiguity_switches_at_zero_noise", {f"{r.ambiguity}": int(r.switches)
                                                       for r in amb.itertuples()})
    report.number("clip_aware_bistable_at_all_checked", bool(clip["bistable"].all()))
    report.number("clip_aware_levels_at_max_noise", clip.iloc[-1][
        ["settled", "saddle", "trapped"]].to_dict())
    report.number("simulation_seconds", sim_seconds)
    report.number("agrees", agrees)
    print(f"{NAME}: total compute {time.perf_counter() - started:.1f} s")
    return report.write()


if __name__ == "__main__":
    main()
