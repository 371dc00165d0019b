"""A run exported for class: one figure, an animated GIF or MP4 and a standalone HTML page.

Every export holds a title (the scenario and the seed), the settings that differ from the
registry's defaults, and the phase portrait beside the time series. The figure is
composed from the page's own builders (:func:`dashboard.figures.couple_figure` on the
left, :func:`dashboard.figures.phase_figure` on the right), so it shows what the page
shows. Everything is built from a run the server holds (:func:`dashboard.compute.couple_run`)
and a view already checked (:func:`dashboard.downloads.checked_view`).
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from dashboard import view
from dashboard.figures import OUTCOME_TEXT, couple_figure, phase_figure
from dyadsim import __version__, slides
from dyadsim.plots import fast_figure

#: The share of the width the time series take; the phase portrait has the rest.
SERIES_WIDTH = 0.6
#: The phase portrait's domain (paper coordinates) in the composed figure.
PHASE_X, PHASE_Y = (0.68, 1.0), (0.42, 1.0)
PHASE_AXIS = "6"  # the time series use axes 1-5
#: The page's modebar (:data:`dashboard.widgets.GRAPH_CONFIG`) in the keys plotly's
#: ``to_html`` knows: no cloud share.
HTML_CONFIG = {"displaylogo": False, "showSendToCloud": False, "plotlyServerURL": "",
               "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"]}


def title_text(run: dict[str, Any], upto: int | None = None) -> str:
    """The export's title: the scenario, the seed, and the outcome or the day drawn."""
    last = len(run["traj"]) - 1
    if upto is not None and upto < last:
        day = int(run["traj"]["step"].iloc[upto])
        return f"{run['title']}, seed {run['seed']}: day {day} of {run['last']}"
    return f"{run['title']}, seed {run['seed']}: {run['outcome']}"


def footer_lines(current: dict[str, Any]) -> list[str]:
    """The settings that differ from the registry's defaults, and the seed, in words."""
    scenario = view.resolve(current)
    lines = slides.settings_lines(scenario.params, scenario.names)
    return [f"Settings: {lines[0]}", *lines[1:],
            f"Seed {scenario.seed}, {scenario.steps} days; made with dyadsim {__version__}"]


def _ref(ref: Any, axis: str) -> str:
    """A phase-portrait shape's or annotation's reference, moved to the composed axes."""
    ref = str(ref or axis)
    if ref == "paper":
        return f"{axis}{PHASE_AXIS} domain"
    if ref in (axis, f"{axis}1"):
        return f"{axis}{PHASE_AXIS}"
    if ref == f"{axis} domain":
        return f"{axis}{PHASE_AXIS} domain"
    return ref


def class_figure(run: dict[str, Any], upto: int, footer: list[str]) -> go.Figure:
    """The time series up to row ``upto`` beside the phase portrait, titled, with settings.

    Args:
        run: A run from :func:`dashboard.compute.couple_run`.
        upto: The last row drawn.
        footer: Lines under the figure (:func:`footer_lines`).
    """
    main = couple_figure(run, upto).to_plotly_json()
    phase = phase_figure(run, upto).to_plotly_json()
    layout = main["layout"]
    for key in [k for k in layout if k.startswith("xaxis")]:
        low, high = layout[key].get("domain", [0, 1])
        layout[key]["domain"] = [low * SERIES_WIDTH, high * SERIES_WIDTH]
    notes = []
    for note in layout.get("annotations", []):
        if note.get("xref") == "paper":  # the subplot titles
            note = {**note, "x": note["x"] * SERIES_WIDTH}
        notes.append(note)
    for trace in phase["data"]:
        main["data"].append({**trace, "xaxis": f"x{PHASE_AXIS}", "yaxis": f"y{PHASE_AXIS}",
                             "showlegend": False})
    plain = phase["layout"]
    for note in plain.get("annotations", []):
        notes.append({**note, "xref": _ref(note.get("xref"), "x"),
                      "yref": _ref(note.get("yref"), "y")})
    shapes = list(layout.get("shapes", []))
    shapes += [{**s, "xref": _ref(s.get("xref"), "x"), "yref": _ref(s.get("yref"), "y")}
               for s in plain.get("shapes", [])]
    phase_title = (plain.get("title") or {}).get("text") or "Phase portrait"
    notes.append({"text": phase_title, "xref": f"x{PHASE_AXIS} domain",
                  "yref": f"y{PHASE_AXIS} domain", "x": 0, "y": 1.02, "showarrow": False,
                  "xanchor": "left", "yanchor": "bottom", "font": {"size": 18}})
    notes.append({"text": "<br>".join(html.escape(line) for line in footer),
                  "xref": "paper", "yref": "paper", "x": 0, "y": -0.11, "showarrow": False,
                  "xanchor": "left", "yanchor": "top", "align": "left", "font": {"size": 14}})
    layout[f"xaxis{PHASE_AXIS}"] = {**plain.get("xaxis", {}), "domain": list(PHASE_X),
                                    "anchor": f"y{PHASE_AXIS}"}
    layout[f"yaxis{PHASE_AXIS}"] = {**plain.get("yaxis", {}), "domain": list(PHASE_Y),
                                    "anchor": f"x{PHASE_AXIS}"}
    layout.update(
        annotations=notes, shapes=shapes, height=900,
        title={"text": html.escape(title_text(run, upto)), "x": 0.01, "xanchor": "left",
               "font": {"size": 24}},
        legend={"orientation": "h", "x": SERIES_WIDTH + 0.08, "y": 0.3, "yanchor": "top"},
        margin={"l": 70, "r": 30, "t": 80, "b": 70 + 22 * len(footer)})
    return fast_figure(main)


def class_gif(run: dict[str, Any], footer: list[str], frames: int = slides.FRAMES,
              size: tuple[int, int] = slides.SIZE) -> bytes:
    """The run as an animated GIF for slides (:func:`dyadsim.slides.run_gif`)."""
    events = [(e["step"], e["label"]) for e in run["events"]]
    return slides.run_gif(run["traj"], f"{run['title']}, seed {run['seed']}", footer,
                          run["names"], frames, size, events, ending=run["outcome"])


def class_mp4(run: dict[str, Any], footer: list[str], frames: int = slides.FRAMES,
              size: tuple[int, int] = slides.SIZE) -> bytes:
    """The run as an MP4 for slides: the GIF's frames (:func:`dyadsim.slides.mp4_bytes`)."""
    events = [(e["step"], e["label"]) for e in run["events"]]
    return slides.mp4_bytes(run["traj"], f"{run['title']}, seed {run['seed']}", footer,
                            run["names"], frames, size, events, ending=run["outcome"])


def class_html(run: dict[str, Any], footer: list[str]) -> str:
    """The whole run as one HTML page that opens with no server and no network.

    plotly.js is inlined (about 4.6 MB); the page names no script, style or font to fetch.
    """
    figure = class_figure(run, len(run["traj"]) - 1, footer)
    body = figure.to_html(full_html=False, include_plotlyjs=True, include_mathjax=False,
                          config=HTML_CONFIG, default_width="100%", default_height="900px")
    title = html.escape(title_text(run))
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in footer)
    outcome = html.escape(OUTCOME_TEXT.get(run["outcome"], run["outcome"]))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>body{{font-family:Verdana,DejaVu Sans,sans-serif;"
            "margin:1.5rem;}} p{{margin:0.2rem 0;}}</style></head><body>"
            f"<h1>{title}</h1><p><strong>Outcome:</strong> {outcome}</p>{lines}"
            f"{body}</body></html>\n")
