"""In a population with ECR-like traits, how much do the traits explain, and how?

Draws couples whose four traits (both partners' anxiety and avoidance) follow ECR-like norms
(:mod:`dyadsim.population`), runs each couple once on the batch engine with its own seed, and
fits an actor-partner interdependence model (:mod:`dyadsim.apim`: OLS on the long frame,
standard errors clustered by dyad, standardized) to four outcomes: each partner's own final
satisfaction, the couple's mean closeness, each partner's own mean pursuit and "conflict"
(the couple's pursue_withdraw_index; pressure felt is left out: it is the partner's pursuit
times the partner's protest intensity, a mirror of the pursuit outcome). Also fact 8: across
couples, the Pearson r of the pursue_withdraw_index with satisfaction (both partners' mean
over the run). Several root seeds; every number is pooled over them. Nothing is tuned: the
model runs at its defaults.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import apim, population
from dyadsim.registry import REGISTRY
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.stats import mean_interval

NAME = "population_apim"
SEEDS, TINY_SEEDS = 5, 2
"""Root seeds: the experiment's seed S and S + 1, ..., S + k - 1."""
OUTCOMES: dict[str, tuple[str, str]] = {
    "final_satisfaction": ("own", "final_satisfaction"),
    "closeness": ("shared", "mean_closeness"),
    "pursuit": ("own", "mean_pursuit"),
    "conflict": ("shared", "pursue_withdraw_index"),
}
"""Outcome -> (own: each partner's column ``partner_x.<col>``; shared: the couple's)."""
R2_BAND = (0.10, 0.20)
R2_SOURCE = ("issue 15 ('often cited around 10-20%'); no published figure was found with "
             "the search tool, so the band is unverified")
FACT8_TARGET, FACT8_TOLERANCE = -0.36, 0.10
FACT8_SOURCE = ("Schrodt, Witt & Shimkowski 2014 (Communication Monographs 81, 28-58), r "
                "about .36 as the project's fact 8 and issue 15 give it (not re-found with the "
                "search tool); the +/-0.10 tolerance is ours")
ACTOR_SOURCE = ("Lozano, Sze, Fraley & Chong 2021 (JSPR, 1572-1595): partner attachment "
                "adds little beyond actor effects; Front. Psychol. 2022, 12:794942 (first "
                "author Bretana per a secondary source): actor effect of avoidance higher than "
                "partner effect; Candel & Turliuc 2019 (PAID 147, 190-199): figures not found")
LI_CHAN = "Li & Chan 2012 (EJSP 42, 406-419; 73 studies): direction only, r's not found"
INDIVIDUALITY = "dyad.individuality"


def frame_for(data: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The APIM long frame of one outcome."""
    kind, col = OUTCOMES[outcome]
    y = ((data[f"partner_a.{col}"], data[f"partner_b.{col}"]) if kind == "own"
         else (data[col], data[col]))
    return apim.long_frame((data["partner_a.anxiety"], data["partner_b.anxiety"]),
                           (data["partner_a.avoidance"], data["partner_b.avoidance"]), y)


def pooled(values: list[float], low: float, high: float) -> tuple[float, float, float]:
    """Mean over seeds and its t interval; one seed keeps its own interval."""
    if len(values) == 1:
        return values[0], low, high
    mean, lo, hi, _ = mean_interval(values)
    return mean, lo, hi


def analyse(runs: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pooled effects (one row per outcome and term) and per-seed R^2 and fact 8 rows."""
    per_seed, fits = [], {o: [] for o in OUTCOMES}
    for k, data in enumerate(runs):
        row = {"seed_index": k, "couples": len(data)}
        for outcome in OUTCOMES:
            effects, r2 = apim.fit_apim(frame_for(data, outcome))
            fits[outcome].append((effects.set_index("term"), r2))
            row[f"r2_{outcome}"] = r2
        r, _, n = apim.fisher_r(data["pursue_withdraw_index"], data["satisfaction"])
        row.update(fact8_r=r, fact8_n=n)
        per_seed.append(row)
    rows = []
    for outcome, items in fits.items():
        for term in (*apim.TERMS, "r2"):
            if term == "r2":
                est = [r2 for _, r2 in items]
                mean, lo, hi = pooled(est, np.nan, np.nan)
            else:
                est = [float(e.loc[term, "estimate"]) for e, _ in items]
                mean, lo, hi = pooled(est, float(items[0][0].loc[term, "ci_low"]),
                                      float(items[0][0].loc[term, "ci_high"]))
            rows.append({"outcome": outcome, "kind": OUTCOMES[outcome][0], "term": term,
                         "estimate": mean, "ci_low": lo, "ci_high": hi, "seeds": len(est)})
    return pd.DataFrame(rows), pd.DataFrame(per_seed)


def targets(effects: pd.DataFrame, fact8: tuple[float, float, float]) -> pd.DataFrame:
    """Each published target, the model's pooled number and pass or fail."""
    def est(outcome: str, term: str) -> float:
        sel = effects[(effects["outcome"] == outcome) & (effects["term"] == term)]
        return float(sel["estimate"].iloc[0])

    def ci(outcome: str, term: str) -> str:
        sel = effects[(effects["outcome"] == outcome) & (effects["term"] == term)].iloc[0]
        return f"{sel['estimate']:.3f} [{sel['ci_low']:.3f}, {sel['ci_high']:.3f}]"

    s = "final_satisfaction"
    r2 = est(s, "r2")
    lo8, hi8 = FACT8_TARGET - FACT8_TOLERANCE, FACT8_TARGET + FACT8_TOLERANCE
    rows = [
        ("R^2 of the four traits, own final satisfaction", f"{R2_BAND[0]:.2f}-{R2_BAND[1]:.2f}",
         R2_SOURCE, ci(s, "r2"), R2_BAND[0] <= r2 <= R2_BAND[1]),
        ("actor > partner, satisfaction (|a| > |p| for anxiety and for avoidance)",
         "|actor| > |partner|", ACTOR_SOURCE,
         f"anxiety {ci(s, 'anx_actor')} vs {ci(s, 'anx_partner')}; avoidance "
         f"{ci(s, 'avo_actor')} vs {ci(s, 'avo_partner')}",
         abs(est(s, "anx_actor")) > abs(est(s, "anx_partner"))
         and abs(est(s, "avo_actor")) > abs(est(s, "avo_partner"))),
    ]
    for outcome, more, label in (("final_satisfaction", "avo", "low satisfaction"),
                                 ("closeness", "avo", "low closeness"),
                                 ("conflict", "anx", "conflict"),
                                 ("pursuit", "anx", "pursuit")):
        other = "anx" if more == "avo" else "avo"
        a, b = est(outcome, f"{more}_actor"), est(outcome, f"{other}_actor")
        low = label.startswith("low")
        band = (f"{more} actor < {other} actor (more negative)" if low
                else f"{more} actor > {other} actor")
        rows.append((f"{'avoidance' if more == 'avo' else 'anxiety'} relates more to {label} "
                     "(actor effects)", band, LI_CHAN,
                     f"{more} {ci(outcome, f'{more}_actor')}; {other} "
                     f"{ci(outcome, f'{other}_actor')}", a < b if low else a > b))
    rows.append(("fact 8: r(pursue-withdraw index, satisfaction) across couples",
                 f"{lo8:.2f} to {hi8:.2f}", FACT8_SOURCE,
                 f"{fact8[0]:.3f} [{fact8[1]:.3f}, {fact8[2]:.3f}] (Fisher, pooled)",
                 lo8 <= fact8[0] <= hi8))
    return pd.DataFrame(rows, columns=["target", "band", "source", "model (pooled over seeds)",
                                       "pass"])


def effects_figure(effects: pd.DataFrame) -> go.Figure:
    """Standardized actor and partner effects per outcome, with pooled 95% intervals."""
    fig = go.Figure()
    for k, term in enumerate(apim.TERMS):
        sel = effects[effects["term"] == term]
        fig.add_trace(go.Bar(
            x=sel["outcome"], y=sel["estimate"], name=term.replace("_", " "),
            marker_color=PALETTE[k],
            error_y={"type": "data", "symmetric": False,
                     "array": sel["ci_high"] - sel["estimate"],
                     "arrayminus": sel["estimate"] - sel["ci_low"]}))
    fig.update_layout(barmode="group", title="APIM: standardized actor and partner effects"
                      "<br><sup>95% interval pooled over seeds; closeness and conflict are "
                      "couple-level: actor = partner</sup>",
                      yaxis_title="SD of outcome per SD of trait")
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=2000, tiny_reps=150, steps=365,
                           tiny_steps=150, argv=argv)
    seeds = [args.seed + k for k in range(TINY_SEEDS if args.tiny else SEEDS)]
    norms = population.DEFAULT_NORMS
    args.extra["population"] = (f"{args.reps} couples per root seed, root seeds {seeds}; "
                                f"ECR-like norms {norms}")
    report = Report(args)
    runs = [population.run_population(args.reps, s, args.steps) for s in seeds]
    effects, per_seed = analyse(runs)
    fact8 = apim.pooled_r([(d["pursue_withdraw_index"], d["satisfaction"]) for d in runs])
    table = targets(effects, fact8)
    report.table("table", table, "Published targets against the model's numbers pooled over "
                 f"{len(seeds)} root seeds x {args.reps} couples ({args.steps} days). Pass/fail "
                 "uses the pooled point estimate.")
    report.table("effects", effects, "Standardized APIM effects (OLS on the long frame, SEs "
                 "clustered by dyad); mean over seeds with a t interval over seeds; r2: the "
                 "four traits' R^2 on the long frame.")
    report.table("per_seed", per_seed, "Each root seed's R^2 per outcome and fact 8 r.")
    report.figure("effects", effects_figure(effects))
    first = runs[0]
    report.figure("fact08", go.Figure(go.Scatter(
        x=first["pursue_withdraw_index"], y=first["satisfaction"], mode="markers",
        marker={"size": 4, "opacity": 0.5})).update_layout(
        title=f"Fact 8, root seed {seeds[0]}: pooled r = {fact8[0]:.2f}",
        xaxis_title="pursue_withdraw_index", yaxis_title="satisfaction (couple mean)"))
    sel = effects[(effects["outcome"] == "final_satisfaction") & (effects["term"] == "r2")]
    report.number("r2_satisfaction", float(sel["estimate"].iloc[0]))
    report.number("r2_satisfaction_ci", [float(sel["ci_low"].iloc[0]),
                                         float(sel["ci_high"].iloc[0])])
    report.number("effects", {o: {t: [float(g.loc[t, "estimate"]), float(g.loc[t, "ci_low"]),
                                      float(g.loc[t, "ci_high"])] for t in g.index}
                              for o, g in ((o, effects[effects["outcome"] == o]
                                            .set_index("term")) for o in OUTCOMES)})
    report.number("fact8_r", fact8[0])
    report.number("fact8_ci", [fact8[1], fact8[2]])
    report.number("passes", dict(zip(table["target"], table["pass"].astype(bool), strict=True)))
    report.number("outcome_shares", pd.concat(runs)["outcome"].value_counts(normalize=True)
                  .to_dict())
    if INDIVIDUALITY in REGISTRY:
        zero = [population.run_population(args.reps, s, args.steps, {INDIVIDUALITY: 0.0})
                for s in seeds]
        r2s = [apim.fit_apim(frame_for(d, "final_satisfaction"))[1] for d in zero]
        report.number("r2_satisfaction_individuality_0", list(pooled(r2s, np.nan, np.nan)))
        report.number("individuality_default", REGISTRY[INDIVIDUALITY].default)
    else:
        report.number("r2_satisfaction_individuality_0",
                      f"not run: {INDIVIDUALITY} is not in the registry")
    agrees = bool(table["pass"].all())
    report.number("agrees", agrees)
    print(table[["target", "model (pooled over seeds)", "pass"]].to_string(index=False))
    return report.write()


if __name__ == "__main__":
    main()
