"""The life pages' figures: a life on one axis of age; a population's pairing and shares.

Each function draws the plain data of :mod:`dashboard.lifecourse` and computes nothing.
Colours are Okabe-Ito, as on the other pages.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures import FONT, HEATMAP_SCALE
from dashboard.lifecourse import CLASS_NAMES

TRAIT_COLOURS = {"anxiety": "#D55E00", "avoidance": "#0072B2"}
CARE_COLOURS = {"sensitivity": "#009E73", "consistency": "#CC79A7", "trust": "#000000"}
STRANGE_COLOURS = ("#009E73", "#56B4E9", "#D55E00", "#0072B2")
#: The relationship bands, by how they ended.
ENDED_COLOURS = {"they left": "rgba(0, 114, 178, 0.16)",
                 "they were left": "rgba(213, 94, 0, 0.20)",
                 "still together at the end": "rgba(0, 158, 115, 0.18)"}
SEPARATION_SHADE = "rgba(230, 159, 0, 0.22)"
#: The episodes' short labels on the figure (their full names are in the hover).
EPISODE_SHORT = ("arrive", "play", "stranger", "apart", "reunion", "alone", "stranger",
                 "reunion")
EPISODE_SHADE = "rgba(120, 120, 120, 0.08)"


def _line(x: list[float], y: list[float], name: str, colour: str, row: int,
          dash: str = "solid", hover: str = "age %{x:.1f}: %{y:.2f}") -> go.Scatter:
    return go.Scatter(x=x, y=y, name=name, mode="lines", hovertemplate=hover,
                      line={"color": colour, "width": 3, "dash": dash},
                      legendgroup=f"row{row}")


def _timeline(fig: go.Figure, course: dict[str, Any]) -> None:
    """Row 1: caregiving and the trust learned in infancy, then the traits, on age."""
    care, inf = course["caregiver"], course["infancy"]
    first = [0.0, 1.0]
    for key in ("sensitivity", "consistency"):
        fig.add_trace(_line(first, [care[key]] * 2, f"caregiver's {key}", CARE_COLOURS[key],
                            1, dash="dot"), row=1, col=1)
    fig.add_trace(_line(inf["age"], inf["trust"], "child's trust (infancy)",
                        CARE_COLOURS["trust"], 1), row=1, col=1)
    adult = course["adult"]
    for trait in ("anxiety", "avoidance"):
        # ages 1 to 18: the childhood years, drifting from the prototype
        young = course["childhood"]
        fig.add_trace(_line(young["age"], young[trait], f"{trait}, childhood (1 to 18)",
                            TRAIT_COLOURS[trait], 1, dash="dash"), row=1, col=1)
        fig.add_trace(_line(adult["age"], adult[trait], f"{trait} (adult, year by year)",
                            TRAIT_COLOURS[trait], 1), row=1, col=1)
    for rel in course["relationships"]:
        fig.add_vrect(x0=rel["start_age"], x1=rel["end_age"], row=1, col=1, line_width=0,
                      fillcolor=ENDED_COLOURS[rel["ended"]], layer="below")
        mid = (rel["start_age"] + rel["end_age"]) / 2
        text = (f"Relationship {rel['number']} (with person {rel['partner']}), age "
                f"{rel['start_age']:.1f} to {rel['end_age']:.1f}: {rel['ended']}; outcome "
                f"{rel['outcome']}. Partner's anxiety {rel['partner_anxiety']:.2f}, "
                f"avoidance {rel['partner_avoidance']:.2f}")
        fig.add_trace(go.Scatter(
            x=[mid, mid], y=[rel["partner_anxiety"], rel["partner_avoidance"]],
            mode="markers", marker={"symbol": ["diamond", "square"], "size": 11,
                                    "color": [TRAIT_COLOURS["anxiety"],
                                              TRAIT_COLOURS["avoidance"]],
                                    "line": {"color": "#111111", "width": 1}},
            name=f"partner {rel['number']}'s anxiety, avoidance", showlegend=False,
            hovertext=[text, text], hoverinfo="text"), row=1, col=1)
        fig.add_annotation(x=mid, y=1.04, text=str(rel["number"]), showarrow=False,
                           row=1, col=1, font={"size": 14})
    fig.add_vline(x=1.0, line={"color": "#555555", "dash": "dot"}, row=1, col=1)
    cls = course["strange"]["class"]
    fig.add_annotation(x=1.0, y=1.12, text=f"Strange Situation: {cls}", showarrow=False,
                       xanchor="left", row=1, col=1, font={"size": 14})
    fig.update_xaxes(title_text="age (years)", row=1, col=1,
                     range=[0, max([*adult["age"], 19.0]) + 0.5])
    fig.update_yaxes(title_text="0 to 1", range=[0, 1.18], row=1, col=1)


def _strange(fig: go.Figure, strange: dict[str, Any]) -> None:
    """Row 2: the child's series over the Strange Situation's eight episodes."""
    # the traces first: Plotly adds a shape only to a subplot that has data
    for colour, (label, series) in zip(STRANGE_COLOURS, strange["series"].items(),
                                       strict=True):
        fig.add_trace(_line(list(range(len(series))), series, label, colour, 2,
                            hover="step %{x}: %{y:.2f}"), row=2, col=1)
    for k, ep in enumerate(strange["episodes"], start=1):
        fig.add_vrect(x0=ep["start"], x1=ep["end"], row=2, col=1, line_width=0.5,
                      line_color="#999999", layer="below",
                      fillcolor=SEPARATION_SHADE if ep["away"] else EPISODE_SHADE)
        short = EPISODE_SHORT[k - 1] if k <= len(EPISODE_SHORT) else ""
        fig.add_annotation(x=(ep["start"] + ep["end"]) / 2, y=1.1, text=f"{k} {short}",
                           hovertext=f"episode {k}: {ep['label']}", showarrow=False,
                           row=2, col=1, font={"size": 11})
    fig.update_xaxes(title_text="moments of the procedure (shaded: the caregiver away)",
                     row=2, col=1)
    fig.update_yaxes(title_text="0 to 1", range=[0, 1.18], row=2, col=1)


def strange_title(strange: dict[str, Any]) -> str:
    """The class and the reunion scales in one line."""
    scales = ", ".join(f"{k} {v:.1f}" for k, v in strange["scales"].items())
    return (f"The Strange Situation at one year: class {strange['class']} "
            f"({CLASS_NAMES[strange['class']]})<br>reunion scales (1 to 7): {scales}")


def life_figure(course: dict[str, Any]) -> go.Figure:
    """One life: the timeline on age (top) and the Strange Situation (bottom)."""
    fig = make_subplots(rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.16,
                        subplot_titles=("A life: caregiving, trust, traits and "
                                        "relationships", strange_title(course["strange"])))
    _timeline(fig, course)
    _strange(fig, course["strange"])
    fig.update_layout(template="plotly_white", font=FONT, height=820,
                      margin={"t": 60, "r": 20, "b": 60, "l": 70},
                      legend={"font": {"size": 12}}, hovermode="closest")
    fig.update_annotations(selector={"yref": "paper"}, font_size=14)  # the subplot titles
    return fig


def life_summary(course: dict[str, Any]) -> str:
    """One paragraph: the caregiving, the class, the traits at 18 and at the end, the loves."""
    care, learned = course["caregiver"], course["learned"]
    rels = course["relationships"]
    adult = course["adult"]
    left = sum(r["ended"] == "they were left" for r in rels)
    text = (f"Person {course['spec']['person']} of {course['town']}: a caregiver of "
            f"sensitivity {care['sensitivity']:.2f} and consistency "
            f"{care['consistency']:.2f}; the child's trust at one year "
            f"{learned['trust']:.2f}; Strange Situation class {course['strange']['class']} "
            f"({CLASS_NAMES[course['strange']['class']]}). At 18: anxiety "
            f"{course['adult_start'][0]:.2f}, avoidance {course['adult_start'][1]:.2f} "
            f"({course['style_start']}); at {adult['age'][-1]:.0f}: anxiety "
            f"{adult['anxiety'][-1]:.2f}, avoidance {adult['avoidance'][-1]:.2f} "
            f"({course['style_end']}). {len(rels)} relationship"
            f"{'' if len(rels) == 1 else 's'}, left {left} time{'' if left == 1 else 's'}.")
    if course["earned_security"]:
        text += " Earned security: anxious at 18, secure at the end."
    return text


def pairing_figure(runs: dict[str, dict[str, Any]]) -> go.Figure:
    """The pairing matrix at the bias and under random matching, with the numbers."""
    biased = runs["biased"]
    styles = biased["styles"]
    titles = (f"Couples by style (share), bias {biased['bias']:g}",
              "Random matching of the same people")
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.14)
    top = max(max(max(r) for r in biased[k]) for k in ("observed", "random")) or 1.0
    for col, key in enumerate(("observed", "random"), start=1):
        z = biased[key]
        fig.add_trace(go.Heatmap(
            z=z, x=styles, y=styles, zmin=0, zmax=top, colorscale=HEATMAP_SCALE,
            text=[[f"{v:.3f}" for v in row] for row in z], texttemplate="%{text}",
            textfont={"size": 16}, showscale=col == 2,
            hovertemplate="%{y} with %{x}: %{z:.3g} of couples<extra>" + key + "</extra>"),
            row=1, col=col)
        fig.update_xaxes(title_text="the other partner's style", row=1, col=col)
        fig.update_yaxes(title_text="one partner's style" if col == 1 else None, row=1,
                         col=col, autorange="reversed", title_standoff=4)
    fig.update_layout(template="plotly_white", font=FONT, height=460,
                      margin={"t": 70, "r": 20, "b": 60, "l": 110})
    return fig


def shares_figure(runs: dict[str, dict[str, Any]]) -> go.Figure:
    """The share of anxious people who earned security, at the bias and at random choice."""
    names = [f"bias {runs['biased']['bias']:g}", "random choice (bias 0)"]
    shares = [runs["biased"]["earned"], runs["random"]["earned"]]
    counts = [runs["biased"]["anxious"], runs["random"]["anxious"]]
    text = [f"{s:.0%} of {n}" if s is not None else "nobody anxious at 18"
            for s, n in zip(shares, counts, strict=True)]
    fig = go.Figure(go.Bar(
        x=names, y=[s or 0.0 for s in shares], marker={"color": ["#D55E00", "#009E73"]},
        text=text,
        textposition="outside",
        hovertemplate="%{x}: %{y:.1%} of the anxious at 18 earned security<extra></extra>"))
    fig.update_layout(template="plotly_white", font=FONT, height=400,
                      title="Earned security: anxious at 18, secure at the end",
                      yaxis={"title": "share of the anxious", "range": [0, 1],
                             "tickformat": ".0%"},
                      margin={"t": 70, "r": 20, "b": 60, "l": 90})
    return fig
