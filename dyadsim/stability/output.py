"""The stability map as output: a figure, and a folder of tables and figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim.stability.compare import agreement
from dyadsim.stability.regimes import REGIME_COLOURS, REGIMES, StabilityMap


def figure(m: StabilityMap, title: str | None = None) -> go.Figure:
    """The regimes as a categorical heatmap, the boundary curves on top."""
    present = [r for r in REGIMES if np.any(m.regime == r)] or ["settled"]
    code = {r: k for k, r in enumerate(present)}
    z = np.vectorize(code.get)(m.regime).astype(float)
    n = len(present)
    scale = []
    for k, r in enumerate(present):
        scale += [[k / n, REGIME_COLOURS[r]], [(k + 1) / n, REGIME_COLOURS[r]]]
    fig = go.Figure(go.Heatmap(
        x=m.x, y=m.y, z=z, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
        customdata=m.detail, hovertemplate=(f"{m.x_name}=%{{x}}<br>{m.y_name}=%{{y}}"
                                            "<br>%{customdata}<extra></extra>"),
        colorbar={"tickvals": list(range(n)), "ticktext": present, "title": "regime"}))
    for curve in m.overlay():
        fig.add_trace(go.Scatter(x=curve["x"], y=curve["y"], mode="lines+markers",
                                 name=curve["name"], marker={"size": 5},
                                 line={"color": curve["color"], "dash": curve["dash"],
                                       "width": 3}, connectgaps=False))
    fig.update_layout(
        title=title or "Mean-field attractors (fold: a basin appears or vanishes; threshold: "
                       "one attractor crosses the trap level)",
        xaxis_title=m.x_name, yaxis_title=m.y_name,
        legend={"orientation": "h", "y": -0.18})
    return fig


def write(m: StabilityMap, out: Any, *, simulated: pd.DataFrame | None = None,
          provenance: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Write a map folder whole (built under a temporary name, then renamed).

    Files: ``map.csv`` (one row per cell; with ``simulated``, the simulated shares and
    whether they agree), ``boundaries.csv``, ``map.html``, ``map.png`` (when Chromium is
    there for kaleido) and ``analysis.json``.

    Returns the summary written to ``analysis.json`` (regime counts, agreement).
    """
    import json
    from pathlib import Path

    from dyadsim import __version__
    from dyadsim.files import atomic_folder
    from dyadsim.report import browser_path, write_pngs

    table = m.frame()
    summary: dict[str, Any] = {
        "dyadsim": __version__, **(provenance or {}),
        "axes": {m.x_name: m.x.tolist(), m.y_name: m.y.tolist()},
        "fixed": {k: v for k, v in m.fixed.items()}, "regimes": m.counts(),
        "boundaries": [b.name for b in m.boundaries],
    }
    if simulated is not None:
        table = pd.concat([table, simulated.reset_index(drop=True)], axis=1)
        predicted = np.where(table["predicted"] == "cycle", "trapped", table["predicted"])
        table["agree"] = predicted == table["simulated"]
        summary["agreement"] = agreement(m, table["simulated"].to_numpy().reshape(
            m.regime.shape))
    fig = figure(m)
    with atomic_folder(Path(out)) as tmp:
        table.to_csv(tmp / "map.csv", index=False)
        m.boundary_frame().to_csv(tmp / "boundaries.csv", index=False)
        fig.write_html(tmp / "map.html", include_plotlyjs=True)
        summary["figures"] = ["map.html"]
        if browser_path() is not None:
            write_pngs({"map": fig}, tmp)
            summary["figures"].append("map.png")
        (tmp / "analysis.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return summary
