"""Serving a class: the couple run on the batch engine, the dashboard command's guards, gunicorn."""

from __future__ import annotations

import json

import numpy as np

from dashboard import compute
from dashboard import view as views
from dyadsim import outcomes, runs
from dyadsim.params import make_params

TOLERANCE = 1e-9


def mesa_reference(view: dict) -> runs.RunResult:
    """The couple as the Mesa model runs it (what couple_run did before the batch engine)."""
    scenario = views.resolve({**json.loads(compute.couple_key(view)), "seed": view["seed"]})
    return runs.run_mesa(make_params(scenario.params), scenario.seed, scenario.steps,
                         scenario.timeline(), set(scenario.params) - {"run.seed"})


def test_the_couple_run_equals_the_mesa_run():
    for view in (views.default_view(),
                 {**views.choose_scenario(views.default_view(), "delayed_text")[0], "seed": "7"},
                 {**views.default_view(), "set": {"partner_a.anxiety": 1.0,
                                                 "partner_b.avoidance": 1.0,
                                                 "dyad.dissolution_rate": 0.3}}):
        got, ref = compute.couple_run(compute.couple_key(view)), mesa_reference(view)
        want = ref.trajectory.loc[:, list(compute.COUPLE_COLUMNS)]
        assert list(got["traj"].columns) == list(compute.COUPLE_COLUMNS)
        assert got["traj"].shape == want.shape
        assert np.abs(got["traj"].to_numpy(float) - want.to_numpy(float)).max() <= TOLERANCE
        assert got["outcome"] == ref.outcome
        for name in outcomes.METRIC_NAMES:
            assert np.isclose(got["metrics"][name], ref.metrics[name], atol=TOLERANCE,
                              equal_nan=True), name
        assert got["last"] == int(want["step"].iloc[-1])
        assert np.allclose(got["pw"], outcomes.pursue_withdraw(ref.trajectory), atol=TOLERANCE)
