"""The world view draws the couple's day from the run itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import view, world
from dashboard.pages import couple


def _run(rows: list[dict[str, float]]) -> dict:
    base = {"step": 0, "dyad.closeness": 0.5, "dyad.dissolved": 0.0}
    for who in world.WHO:
        base |= {f"{who}.{v}": 0.0 for v in ("activation", "pursuit", "withdrawal",
                                               "availability", "lapsed")}
    frame = pd.DataFrame([{**base, "step": i, **r} for i, r in enumerate(rows)])
    return {"traj": frame, "names": ("Sam", "Alex")}


def _xs(fig) -> tuple[float, float]:
    named = {t.name: t.x[0] for t in fig.data}
    return named["Sam"], named["Alex"]


def test_the_gap_is_the_distance_and_arrows_are_the_moves():
    run = _run([{"dyad.closeness": 0.9}, {"dyad.closeness": 0.2, "partner_a.pursuit": 0.8,
                                          "partner_b.withdrawal": 0.6}])
    close, far = world.world_figure(run, 0), world.world_figure(run, 1)
    gap = lambda fig: np.subtract(*_xs(fig)[::-1])  # noqa: E731
    assert gap(far) > gap(close)
    assert gap(close) == pytest.approx(world.MIN_GAP + (world.MAX_GAP - world.MIN_GAP) * 0.1)
    arrows = [a for a in far.layout.annotations if a.showarrow]
    texts = [a.hovertext for a in arrows]
    assert texts == ["Sam reaches out (0.80)", "Alex pulls away (0.60)"]
    sam, alex = _xs(far)
    reach, away = arrows
    assert reach.x > reach.ax and reach.ax > sam  # towards Alex
    assert away.x > away.ax and away.ax > alex  # away from Sam
    assert reach.arrowwidth > away.arrowwidth  # as thick as the move
    assert not [a for a in close.layout.annotations if a.showarrow]  # no moves: no arrows


def test_after_a_break_up_they_stand_apart_without_arrows():
    run = _run([{"partner_a.pursuit": 0.9}, {"dyad.dissolved": 1.0, "partner_a.pursuit": 0.9}])
    fig = world.world_figure(run, 1)
    assert not [a for a in fig.layout.annotations if a.showarrow]
    assert any(a.text == "apart" for a in fig.layout.annotations)
    assert np.subtract(*_xs(fig)[::-1]) > world.MAX_GAP


def test_the_page_draws_the_cursors_day_and_refuses_a_forged_view():
    current = view.default_view()
    fig = couple.render_world(None, current)  # no cursor: the last day
    assert {t.name for t in fig.data} >= {"Sam", "Alex"}
    bad = {**current, "seed": "not a seed"}
    refused = couple.render_world(None, bad)
    assert not [t for t in refused.data if t.name == "Sam"]
