"""Partner choice: does the familiarity bias pair the anxious with the avoidant, and does
choosing reliable partners help anxious people earn security?

Issue 16 items 4, 5 and 9 (the seeds' S10 and S6). Populations of adult lives
(:func:`dyadsim.life.population.run_population`), everyone single at 18 with traits drawn
uniformly over the trait square (``origin="uniform"``: every style well represented, and
the adult market tested apart from the childhood model), the prototype equal to the traits
at 18. Four arms of ``life.familiarity_bias`` on the same root seeds: -5 (choosing
reliable partners: the seeds' advice), 0 (random choice), 2 (the default), 8 (strong).

Claims (set before the run; styles by the cut 0.5 on both traits):

* *familiar pairing*: anxious x avoidant couples (all relationships, styles at the start)
  are above random matching (the product of the marginals) at the default bias and below it
  at -5 (t intervals over root seeds of the observed/random ratio exclude 1);
* *reliable partners help*: the share of people anxious at 18 (anxiety >= 0.5) who are
  secure at the end (earned security) is higher at bias -5 than at the default (the lower
  bound of the paired difference over root seeds > 0).

``--reps`` is people per root seed, ``--steps`` years of adult life.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim.life import lives
from dyadsim.life.population import run_population
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.stats import mean_interval, wilson

NAME = "partner_choice"
ARMS = {"reliable (-5)": -5.0, "random (0)": 0.0, "default (2)": 2.0, "strong (8)": 8.0}
ROOTS, TINY_ROOTS = 5, 2
TOWN = 1000
TRAP = ("escalated", "cycling")


def one(bias: float, people: int, years: int, seed: int) -> dict[str, object]:
    """One population's numbers."""
    s = run_population(people, years, {"life.familiarity_bias": bias}, seed=seed,
                       town_size=min(TOWN, people), origin="uniform", keep=True)
    assert s.tables is not None
    d = s.to_dict()
    obs, rnd = s.matrix(s.pairs)
    p, rel, tr = s.tables["people"], s.tables["relationships"], s.tables["traits"]
    anxious = p["anxiety_start"].to_numpy() >= lives.CUT
    key = p["town"].to_numpy() * people + p["person"].to_numpy()
    anx_keys = set(key[anxious].tolist())
    ka = rel["town"].to_numpy() * people + rel["a"].to_numpy()
    kb = rel["town"].to_numpy() * people + rel["b"].to_numpy()
    theirs = np.isin(ka, list(anx_keys)) | np.isin(kb, list(anx_keys))
    tkey = tr["town"].to_numpy() * people + tr["person"].to_numpy()
    path = tr[np.isin(tkey, list(anx_keys))].groupby("year")[["anxiety", "avoidance"]].mean()
    return {
        "by_partner": by_partner(p, rel, anxious, people),
        "ratio": obs / np.where(rnd > 0, rnd, np.nan),
        "anx_avo_ratio": float(obs[1, 2] / rnd[1, 2]),
        "earned": int(p["earned_security"].sum()), "anxious": int(anxious.sum()),
        "rel_per_life": float(d["relationships_per_life"]),
        "single": float(d["share_of_time_single"]),
        "trap_anxious": float(rel.loc[theirs, "outcome"].isin(TRAP).mean()),
        "avoidance_end_anxious": float(p.loc[anxious, "avoidance_end"].mean()),
        "anxiety_end_anxious": float(p.loc[anxious, "anxiety_end"].mean()),
        "path": path,
    }


PARTNERS = ("mostly secure partners", "mostly avoidant partners", "mixed or none")


def by_partner(p: pd.DataFrame, rel: pd.DataFrame, anxious: np.ndarray, people: int
               ) -> dict[str, np.ndarray]:
    """People anxious at 18, grouped by whom they spent their partnered days with.

    A partner counts by their style at the start of the relationship (cut 0.5): secure, or
    avoidant (avoidant or fearful: avoidance at or above the cut). A person is in "mostly
    secure partners" (or "mostly avoidant partners") when more than half of their partnered
    days were with such partners. Returns per group: people, earned security, and the sums
    of anxiety and avoidance at the end.
    """
    dur = (rel["end_day"] - rel["start_day"]).to_numpy().astype(float)
    rows = []
    for me, other in (("a", "b"), ("b", "a")):
        rows.append(pd.DataFrame({
            "key": rel["town"].to_numpy() * people + rel[me].to_numpy(), "days": dur,
            "secure": (rel[f"anxiety_{other}"] < lives.CUT) & (rel[f"avoidance_{other}"]
                                                                  < lives.CUT),
            "avoidant": rel[f"avoidance_{other}"] >= lives.CUT}))
    long = pd.concat(rows)
    long["secure_days"] = long["days"] * long["secure"]
    long["avoidant_days"] = long["days"] * long["avoidant"]
    per = long.groupby("key")[["days", "secure_days", "avoidant_days"]].sum()
    key = p["town"].to_numpy() * people + p["person"].to_numpy()
    per = per.reindex(key, fill_value=0.0)
    days = per["days"].to_numpy()
    safe = np.where(days > 0, days, 1.0)
    group = np.full(len(p), 2)
    group[(days > 0) & (per["secure_days"].to_numpy() / safe > 0.5)] = 0
    group[(days > 0) & (per["avoidant_days"].to_numpy() / safe > 0.5)] = 1
    earned = p["earned_security"].to_numpy()
    out = {name: np.zeros(len(PARTNERS)) for name in ("n", "earned", "anxiety", "avoidance")}
    for g in range(len(PARTNERS)):
        m = anxious & (group == g)
        out["n"][g] = m.sum()
        out["earned"][g] = earned[m].sum()
        out["anxiety"][g] = p.loc[m, "anxiety_end"].sum()
        out["avoidance"][g] = p.loc[m, "avoidance_end"].sum()
    return out


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=2000, tiny_reps=300, steps=30, tiny_steps=8,
                           argv=argv)
    started = time.perf_counter()
    roots = [args.seed + k for k in range(TINY_ROOTS if args.tiny else ROOTS)]
    res = {arm: [one(b, args.reps, args.steps, r) for r in roots] for arm, b in ARMS.items()}
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    rows = []
    for arm, runs in res.items():
        ratio = mean_interval([r["anx_avo_ratio"] for r in runs])
        earned, n = sum(r["earned"] for r in runs), sum(r["anxious"] for r in runs)
        lo, hi = wilson(earned, n)
        rows.append({
            "arm": arm, "bias": ARMS[arm],
            "anxious x avoidant / random": ratio[0], "ratio low": ratio[1],
            "ratio high": ratio[2],
            "earned security": earned / n if n else float("nan"), "earned low": lo,
            "earned high": hi, "anxious at 18": n,
            "relationships per life": float(np.mean([r["rel_per_life"] for r in runs])),
            "time single": float(np.mean([r["single"] for r in runs])),
            "trap share, anxious people's relationships":
                float(np.mean([r["trap_anxious"] for r in runs])),
            "anxiety at the end (anxious at 18)":
                float(np.mean([r["anxiety_end_anxious"] for r in runs])),
            "avoidance at the end (anxious at 18)":
                float(np.mean([r["avoidance_end_anxious"] for r in runs])),
        })
    table = pd.DataFrame(rows)

    matrices = []
    for arm in ("random (0)", "default (2)", "reliable (-5)"):
        mean = np.nanmean([r["ratio"] for r in res[arm]], axis=0)
        for i, row in enumerate(lives.STYLES):
            matrices.append({"arm": arm, "style": row,
                             **{s: mean[i, j] for j, s in enumerate(lives.STYLES)}})
    matrix = pd.DataFrame(matrices)

    def paired(first: str, second: str, field: str) -> tuple[float, float, float, int]:
        diffs = []
        for a, b in zip(res[first], res[second], strict=True):
            if field == "earned":
                diffs.append(a["earned"] / a["anxious"] - b["earned"] / b["anxious"])
            else:
                diffs.append(a[field] - b[field])
        return mean_interval(diffs)

    help_diff = paired("reliable (-5)", "default (2)", "earned")
    strong_diff = paired("random (0)", "strong (8)", "earned")
    report = Report(args)
    report.table("table", table,
                 f"{args.reps} people x {args.steps} years per root seed, {len(roots)} root "
                 f"seeds ({roots[0]}-{roots[-1]}), towns of {min(TOWN, args.reps)}; traits at 18 "
                 "uniform on [0, 1]^2. Ratio: anxious x avoidant couples (all relationships, "
                 "styles at the start, cut 0.5) over random matching, mean and Student-t 95% "
                 "interval over root seeds. Earned security: share of people with anxiety >= "
                 "0.5 at 18 who are secure at the end, pooled, Wilson 95% interval.")
    partners = []
    for arm in ("random (0)", "default (2)"):
        tot = {k: sum(r["by_partner"][k] for r in res[arm]) for k in ("n", "earned", "anxiety",
                                                                       "avoidance")}
        for g, name in enumerate(PARTNERS):
            n = int(tot["n"][g])
            lo, hi = wilson(int(tot["earned"][g]), n) if n else (float("nan"),) * 2
            partners.append({"arm": arm, "partners": name, "anxious at 18": n,
                             "earned security": tot["earned"][g] / n if n else float("nan"),
                             "low": lo, "high": hi,
                             "anxiety at the end": tot["anxiety"][g] / n if n else float("nan"),
                             "avoidance at the end":
                                 tot["avoidance"][g] / n if n else float("nan")})
    partners_table = pd.DataFrame(partners)
    report.table("partners", partners_table,
                 "People anxious at 18, by whom they spent more than half of their partnered "
                 "days with (the partner's style at the start of each relationship, cut 0.5; "
                 "avoidant includes fearful), pooled over root seeds; Wilson 95% intervals. "
                 "Observational: who one ends up with is not assigned.")
    report.table("pairing", matrix, "Observed / random matching, all relationships, mean over "
                 "root seeds (rows and columns: the two partners' styles at the start).")

    fig = make_subplots(rows=1, cols=2, subplot_titles=["anxiety", "avoidance"])
    for k, (arm, runs) in enumerate(res.items()):
        for col, trait in ((1, "anxiety"), (2, "avoidance")):
            path = pd.concat([r["path"][trait] for r in runs], axis=1).mean(axis=1)
            fig.add_trace(go.Scatter(x=path.index, y=path.to_numpy(), name=arm,
                                     showlegend=col == 1, line={"color": PALETTE[k]}),
                          row=1, col=col)
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(title="years since 18")
    fig.update_layout(title="People anxious at 18: mean traits per year, by familiarity bias",
                      legend={"orientation": "h", "y": -0.2, "x": 0})
    report.figure("trajectories", fig)

    by = {r["arm"]: r for r in rows}
    familiar = bool(by["default (2)"]["ratio low"] > 1 and by["reliable (-5)"]["ratio high"] < 1)
    helps = bool(help_diff[1] > 0)
    for arm, r in by.items():
        slug = arm.split(" ")[0]
        report.number(f"anx_avo_ratio_{slug}", r["anxious x avoidant / random"])
        report.number(f"anx_avo_ratio_{slug}_ci", [r["ratio low"], r["ratio high"]])
        report.number(f"earned_security_{slug}", r["earned security"])
        report.number(f"earned_security_{slug}_ci", [r["earned low"], r["earned high"]])
        report.number(f"relationships_per_life_{slug}", r["relationships per life"])
        report.number(f"time_single_{slug}", r["time single"])
    rnd = partners_table[partners_table["arm"] == "random (0)"].set_index("partners")
    report.number("earned_with_secure_partners", rnd.loc[PARTNERS[0], "earned security"])
    report.number("earned_with_avoidant_partners", rnd.loc[PARTNERS[1], "earned security"])
    report.number("earned_reliable_minus_default", help_diff[0])
    report.number("earned_reliable_minus_default_ci", list(help_diff[1:3]))
    report.number("earned_random_minus_strong", strong_diff[0])
    report.number("earned_random_minus_strong_ci", list(strong_diff[1:3]))
    report.number("familiar_pairing", familiar)
    report.number("reliable_partners_help", helps)
    report.number("agrees", familiar and helps)
    return report.write()


if __name__ == "__main__":
    main()
