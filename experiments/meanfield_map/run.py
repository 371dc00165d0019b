"""Where does the noise-free mean field predict what the noisy agents do?

Computes the mean-field stability map (``dyadsim.stability``) over two pairs of axes (the
traits of the classic trap, and two responses that can undo it: the avoidant partner's
steady reassurance and the anxious partner's softened protest) and
runs the stochastic model on the same grids (batch engine, common random numbers). Reports
the regimes, the boundary curves, and the share of grid cells where the attractor the map
reaches from the model's initial state (or ``dissolved``, if the deterministic orbit's chance
of staying together over the run falls below one half) is the simulated majority class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import stability
from dyadsim.report import Report, experiment_args

NAME = "meanfield_map"
MAPS = {
    "traits": ("partner_a.anxiety", "partner_b.avoidance"),
    "responses": ("partner_b.reassurance", "partner_a.protest_intensity"),
}
RANGES = {"partner_a.anxiety": (0.0, 1.0), "partner_b.avoidance": (0.0, 1.0),
          "partner_b.reassurance": (0.0, 1.0), "partner_a.protest_intensity": (0.0, 1.0)}


def _overlay_figure(m: stability.StabilityMap, trap: np.ndarray, title: str) -> go.Figure:
    fig = go.Figure(go.Heatmap(x=m.x, y=m.y, z=trap, zmin=0, zmax=1, colorscale="cividis",
                               colorbar={"title": "simulated<br>trap share"}))
    for line in m.overlay():
        fig.add_trace(go.Scatter(x=line["x"], y=line["y"], mode="lines", name=line["name"],
                                 line={"color": "#FF3FA4", "width": 3, "dash": line["dash"]}))
    fig.update_layout(title=title, xaxis_title=m.x_name, yaxis_title=m.y_name,
                      legend={"orientation": "h", "y": -0.2})
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run both maps and their simulated sweeps; write the report."""
    args = experiment_args(NAME, __doc__, reps=50, tiny_reps=4, steps=365, tiny_steps=100,
                           argv=argv)
    points = 5 if args.tiny else 21
    iterations = 600 if args.tiny else 3000
    report = Report(args)
    rows = []
    for key, (xn, yn) in MAPS.items():
        axes = [(n, np.linspace(*RANGES[n], points)) for n in (xn, yn)]
        m = stability.stability_map(axes, fixed={"run.steps": args.steps}, steps=iterations)
        sim = stability.simulate_grid(m, args.reps, args.seed)
        simulated = sim["simulated"].to_numpy().reshape(m.regime.shape)
        share = stability.agreement(m, simulated)
        trap = (sim["sim_escalated"] + sim["sim_cycling"]).to_numpy().reshape(m.regime.shape)
        predicted = np.where(m.predicted == "cycle", "trapped", m.predicted)
        wrong = predicted != simulated
        pairs = pd.Series([f"{p} -> {s}" for p, s in zip(predicted[wrong], simulated[wrong],
                                                            strict=True)]).value_counts()
        rows.append({"map": key, "x": xn, "y": yn, "cells": m.regime.size,
                     **{r: c for r, c in m.counts().items()},
                     "boundaries": "; ".join(b.name for b in m.boundaries) or "none",
                     "agreement": share,
                     "main disagreement (map -> simulated)": (
                         f"{pairs.index[0]} ({pairs.iloc[0]} cells)" if len(pairs) else "")})
        report.number(f"{key}_agreement", share)
        report.number(f"{key}_regimes", m.counts())
        report.number(f"{key}_disagreements", pairs.to_dict())
        report.figure(f"{key}_map", stability.figure(
            m, title=f"Mean-field attractors over {xn} x {yn}"))
        report.figure(f"{key}_overlay", _overlay_figure(
            m, trap, f"Simulated trap share ({args.reps} replicates) and mean-field "
                     f"boundaries; agreement {share:.0%}"))
        report.table(f"{key}_cells", m.frame().assign(
            simulated=simulated.ravel(), trap_share=trap.ravel(), agree=~wrong.ravel()))
    table = pd.DataFrame(rows)
    report.table("table", table, f"Mean field vs {args.reps} simulated replicates per cell "
                                 f"({args.steps} days, root seed {args.seed}).")
    report.number("agrees", bool(table["agreement"].min() >= 0.8))
    return report.write()


if __name__ == "__main__":
    main()
