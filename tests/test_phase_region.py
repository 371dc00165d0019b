"""The phase portrait's shaded region is the classifier's own rule, not a hand-drawn box."""

from __future__ import annotations

import numpy as np

from dashboard import figures
from dyadsim import outcomes


def _inside(px: np.ndarray, py: np.ndarray, x: float, y: float) -> bool:
    """Ray casting: whether (x, y) lies inside the polygon (px, py)."""
    inside = False
    j = len(px) - 1
    for i in range(len(px)):
        if (py[i] > y) != (py[j] > y):
            cross = px[i] + (y - py[i]) * (px[j] - px[i]) / (py[j] - py[i])
            if x < cross:
                inside = not inside
        j = i
    return inside


def test_the_shaded_region_is_where_an_episode_starts():
    region = figures.loop_region(points=400)
    px, py = np.asarray(region["x"]), np.asarray(region["y"])
    rng = np.random.default_rng(3)
    points = rng.uniform(0.0, 1.0, (2000, 2))
    # keep away from the boundary, where a 400-point polygon and the hyperbola differ a little
    product = points[:, 0] * points[:, 1]
    points = points[np.abs(product - outcomes.PW_ON) > 0.005]
    for x, y in points:
        assert _inside(px, py, x, y) == (x * y >= outcomes.PW_ON), (x, y)


def test_the_portrait_draws_the_region_and_names_the_rule():
    import pandas as pd

    traj = pd.DataFrame({"partner_a.pursuit": [0.1, 0.5, 0.7],
                         "partner_b.withdrawal": [0.1, 0.5, 0.8]})
    fig = figures.phase_figure({"traj": traj, "names": ("Sam", "Alex")}, 2)
    assert fig.data[0].fill == "toself" and fig.data[0].name == "in the loop"
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert f"≥ {outcomes.PW_ON:g}" in texts and "Sam's pursuit × Alex's withdrawal" in texts
    assert not fig.layout.shapes  # no hand-drawn box any more
