"""One vocabulary: panels, captions and legends name the same things the same way."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from dashboard import figures
from dyadsim import outcomes
from dyadsim.plots import run_figure_dict
from dyadsim.schema import TRAJECTORY_COLUMNS
from dyadsim.stability import REGIMES, Boundary


def _trajectory(days: int, wave: tuple[int, int] | None) -> pd.DataFrame:
    frame = pd.DataFrame(0.1, index=range(days + 1), columns=list(TRAJECTORY_COLUMNS))
    frame["step"] = np.arange(days + 1)
    if wave is not None:  # A pursues and B withdraws for these days: a wave
        frame.loc[wave[0]:wave[1], "partner_a.pursuit"] = 0.9
        frame.loc[wave[0]:wave[1], "partner_b.withdrawal"] = 0.9
    return frame


def test_the_distress_panel_is_named_as_the_captions_name_it():
    fig = run_figure_dict(_trajectory(60, None), names=("Sam", "Alex"))
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert titles[0] == "Distress (activation)"


def test_the_shading_has_a_legend_entry_only_when_there_is_shading():
    with_wave = run_figure_dict(_trajectory(60, (10, 40)), names=("Sam", "Alex"))
    assert outcomes.waves(outcomes.pursue_withdraw(_trajectory(60, (10, 40)))[1:])
    names = [t.get("name") for t in with_wave["data"]]
    assert "pursue-withdraw wave (shaded)" in names
    assert with_wave["layout"]["shapes"]
    calm = run_figure_dict(_trajectory(60, None), names=("Sam", "Alex"))
    assert "pursue-withdraw wave (shaded)" not in [t.get("name") for t in calm["data"]]


# --- The sweep page: plain words for its curves and metrics ---------------------------------

#: Words a teacher should not meet on the sweep page's legend, status line or metric names.
JARGON = ("threshold", "fold", "hopf", "bistable", "trapped", "trap entered", "dissolved at",
          "_", "|")


def _boundaries() -> list[Boundary]:
    """One curve of each kind between each pair of regimes the map can draw."""
    pairs = [" | ".join(sorted(p)) for p in itertools.combinations(REGIMES, 2)]
    return [Boundary(kind="threshold", between=b, x=[0.1, 0.2], y=[0.3, 0.4]) for b in pairs]


def test_every_boundary_has_its_own_plain_legend_entry_and_dash():
    lines = figures.boundary_lines(_boundaries())
    names = [line["name"] for line in lines]
    assert len(set(names)) == len(names) == 10  # every pair of the five regimes, each its own
    assert all(n.startswith("where ") for n in names), names
    for name in names:
        assert not [w for w in JARGON if w in name.lower()], name
    dashes = [line["dash"] for line in lines[:len(figures.BOUNDARY_DASHES)]]
    assert len(set(dashes)) == len(dashes)  # no two of the first six curves look alike


def test_the_tipping_lines_say_where_couples_tip_into_the_loop():
    assert figures.boundary_name("settled | trapped") == (
        "where settled couples tip into the loop")
    assert figures.boundary_name("distant | trapped") == (
        "where distant couples tip into the loop")
    assert figures.boundary_name("distant | settled") == "where settled couples drift apart"
    assert "waves begin" in figures.boundary_name("cycle | settled")


def test_the_heatmap_legend_names_each_curve_in_plain_words_with_its_own_dash():
    table = {"value": [[0.1, 0.2], [0.3, 0.4]], "low": [[0.0] * 2] * 2,
             "high": [[0.5] * 2] * 2, "n": [[4] * 2] * 2}
    result = {"x": {"name": "partner_a.anxiety", "values": [0.2, 0.8]},
              "y": {"name": "partner_b.avoidance", "values": [0.2, 0.8]},
              "tables": {"trap": table}, "reps": 4, "steps": 100}
    lines = figures.boundary_lines(_boundaries()[:3])
    fig = figures.heatmap_figure(result, "trap", overlay=lines)
    curves = fig.data[1:]
    assert [c.name for c in curves] == [line["name"] for line in lines]
    assert len({c.line.dash for c in curves}) == 3
    assert fig.layout.showlegend
    legend = " ".join([c.name for c in curves] + [fig.layout.legend.title.text])
    assert not [w for w in JARGON if w in legend.lower()], legend
    assert "_" not in fig.data[0].colorbar.title.text  # the colour bar names it in words


def test_the_metrics_and_the_status_line_use_the_same_plain_words():
    for name in ("trap_entered", "dissolved_at", "time_to_escalation"):
        words = figures.quantity_label(name)
        assert not [w for w in JARGON if w in words.lower()], words
    assert figures.quantity_label("dissolved_at") == "day they split up"
    assert figures.quantity_label("time_to_escalation").startswith("day the loop began")
    assert "trap" not in figures.quantity_label("trap_entered")
    assert set(figures.REGIME_WORDS) == set(REGIMES)
