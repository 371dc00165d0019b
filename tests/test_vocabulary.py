"""One vocabulary: panels, captions and legends name the same things the same way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dyadsim import outcomes
from dyadsim.plots import run_figure_dict
from dyadsim.schema import TRAJECTORY_COLUMNS


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
