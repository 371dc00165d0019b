"""The files the dashboard offers: the couple's figure, data and settings; the sweep's.

One :class:`dcc.Download` in the shell serves every export button of every page, so one
callback (:func:`register`) answers them all, and a failure is a message, not a traceback.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard import compute, ids, view
from dyadsim.scenario import Scenario, ScenarioError

#: The export buttons, in the order the callback lists them.
BUTTONS: tuple[str, ...] = (ids.Couple.EXPORT_PNG, ids.Couple.EXPORT_SVG,
                            ids.Couple.EXPORT_CSV, ids.Couple.EXPORT_TOML,
                            ids.Sweep.EXPORT_PNG, ids.Sweep.EXPORT_CSV)
_FIGURE_FORMATS = {ids.Couple.EXPORT_PNG: "png", ids.Couple.EXPORT_SVG: "svg"}


def figure_bytes(figure: dict[str, Any], fmt: str) -> bytes:
    """A figure as PNG or SVG, drawn by kaleido in the system's Chromium."""
    from dashboard.export import to_image

    return to_image(go.Figure(figure), fmt)


def scenario_toml(current: dict[str, Any]) -> str:
    """The view's couple as a scenario file that ``dyadsim run FILE`` accepts."""
    scenario = view.resolve(current)
    if not (current.get("scenario") or current.get("upload")):
        scenario = Scenario(
            title="Settings from the dyadsim dashboard",
            summary="A couple set up in the dyadsim dashboard.",
            description=scenario.description, names=scenario.names,
            params=scenario.params, source="dashboard")
    return scenario.dumps()


def export(trigger: str, current: dict[str, Any], couple_fig: dict[str, Any] | None,
           heatmap_fig: dict[str, Any] | None, result: dict[str, Any] | None
           ) -> tuple[dict[str, Any] | Any, str]:
    """The file an export button (``trigger``, its id) asks for, or a message."""
    name = (current.get("scenario") or "couple") + f"-seed{current['seed']}"
    try:
        if trigger in _FIGURE_FORMATS:
            if not couple_fig:
                return no_update, "There is no figure to export yet."
            fmt = _FIGURE_FORMATS[trigger]
            data = figure_bytes(couple_fig, fmt)
            return {"content": base64.b64encode(data).decode(), "base64": True,
                    "filename": f"{name}.{fmt}"}, ""
        if trigger == ids.Couple.EXPORT_CSV:
            run = compute.couple_run(compute.couple_key(current))
            buf = io.StringIO()
            run["traj"].to_csv(buf, index=False)
            return {"content": buf.getvalue(), "filename": f"{name}.csv"}, ""
        if trigger == ids.Couple.EXPORT_TOML:
            return {"content": scenario_toml(current), "filename": f"{name}.toml"}, ""
        if trigger == ids.Sweep.EXPORT_PNG:
            if not heatmap_fig or not result:
                return no_update, "Run a sweep first, then export its heatmap."
            data = figure_bytes(heatmap_fig, "png")
            return {"content": base64.b64encode(data).decode(), "base64": True,
                    "filename": "sweep-heatmap.png"}, ""
        if trigger == ids.Sweep.EXPORT_CSV:
            if not result:
                return no_update, "Run a sweep first, then export its table."
            return {"content": sweep_csv(result), "filename": "sweep.csv"}, ""
    except ScenarioError as err:
        return no_update, str(err)
    except RuntimeError as err:  # kaleido could not start a browser
        return no_update, f"The figure could not be drawn: {err}"
    return no_update, ""


def sweep_csv(result: dict[str, Any]) -> str:
    """A sweep's table: one row per cell, every quantity with its 95% interval and n."""
    import pandas as pd

    rows = []
    for iy, y in enumerate(result["y"]["values"]):
        for ix, x in enumerate(result["x"]["values"]):
            row: dict[str, Any] = {result["x"]["name"]: x, result["y"]["name"]: y}
            for q, table in result["tables"].items():
                row[q] = table["value"][iy][ix]
                row[f"{q}_ci_low"] = table["low"][iy][ix]
                row[f"{q}_ci_high"] = table["high"][iy][ix]
                row[f"{q}_n"] = table["n"][iy][ix]
            rows.append(row)
    return pd.DataFrame(rows).to_csv(index=False)


def register(app: Dash) -> None:
    """Register the one callback behind every export button on ``app``."""

    @app.callback(Output(ids.Shell.DOWNLOAD, "data"),
                  Output(ids.Shell.MESSAGE, "children", allow_duplicate=True),
                  *[Input(button, "n_clicks") for button in BUTTONS],
                  State(ids.Shell.VIEW, "data"), State(ids.Couple.GRAPH, "figure"),
                  State(ids.Sweep.HEATMAP, "figure"), State(ids.Sweep.RESULT, "data"),
                  prevent_initial_call=True)
    def _export(*args: Any) -> tuple[Any, str]:
        current, couple_fig, heatmap_fig, result = args[-4:]
        return export(str(ctx.triggered_id), current, couple_fig, heatmap_fig, result)
