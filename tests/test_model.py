"""The Mesa model: smoke, reproducibility, schedule, Mesa integration, bounded states."""

from __future__ import annotations

import pickle

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadsim.model import STAGES, DyadModel
from dyadsim.params import PARTNERS, REGISTRY, ParamError
from dyadsim.schema import STATE_VARS


def test_seeded_ten_step_smoke():
    model = DyadModel(rng=7)
    model.run_for(10)
    traj = model.trajectory()
    assert model.steps == 10 and len(traj) == 11
    expected = {"step", "dyad.closeness", "dyad.dissolved"} | {
        f"{w}.{v}" for w in PARTNERS for v in STATE_VARS}
    assert set(traj.columns) == expected
    assert traj["partner_a.activation"].iloc[-1] > 0


def test_same_seed_same_trajectory_different_seed_different():
    keep = {"dyad.dissolution_rate": 0.0}
    a = DyadModel(keep, rng=3).run(150).trajectory()
    b = DyadModel(keep, rng=3).run(150).trajectory()
    c = DyadModel(keep, rng=4).run(150).trajectory()
    pd.testing.assert_frame_equal(a, b)
    col = "partner_a.perceived_availability"
    assert not np.allclose(a[col], c[col])


def test_run_seed_parameter_equals_rng_argument():
    a = DyadModel({"run.seed": 11}).run(50).trajectory()
    b = DyadModel(rng=11).run(50).trajectory()
    pd.testing.assert_frame_equal(a, b)


class ReversedOrder(DyadModel):
    """Runs each stage with the agents in the opposite order."""

    def step(self) -> None:
        if self.dissolved:
            return
        for stage in STAGES:
            for agent in reversed(list(self.agents)):
                getattr(agent, stage)()
        self._update_dyad()
        self.datacollector.collect(self)


def test_stages_hide_half_updated_state_agent_order_does_not_matter():
    a = DyadModel(rng=5).run(200).trajectory()
    b = ReversedOrder(rng=5).run(200).trajectory()
    pd.testing.assert_frame_equal(a, b)


def test_schedule_event_changes_the_run_from_that_step_on():
    plain = DyadModel(rng=2)
    stressed = DyadModel(rng=2)

    def raise_stress() -> None:
        stressed.set_param("dyad.stress", 0.8)

    stressed.schedule_event(raise_stress, at=30)
    plain.run(60)
    stressed.run(60)
    p, s = plain.trajectory(), stressed.trajectory()
    pd.testing.assert_frame_equal(p.iloc[:31], s.iloc[:31])
    assert (s["partner_b.threat"].iloc[31:] > p["partner_b.threat"].iloc[31:]).all()


def test_batch_run_reads_dotted_parameters_and_seeds():
    rows = mesa.batch_run(
        DyadModel,
        parameters={"partner_a.anxiety": [0.2, 0.9], "run.steps": 30},
        rng=[1, 2],
        max_steps=30,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 2  # 2 values x 2 seeds x 2 agents
    assert set(df["partner_a.anxiety"]) == {0.2, 0.9}
    assert (df["Step"] == 30).all()
    one = df[(df["partner_a.anxiety"] == 0.9) & (df["iteration"] == 0) & (df["AgentID"] == 1)]
    direct = DyadModel({"partner_a.anxiety": 0.9}, rng=1).run(30).trajectory()
    assert one["activation"].iloc[0] == pytest.approx(direct["partner_a.activation"].iloc[-1])


def test_reporters_pickle_for_multiprocessing():
    model = DyadModel(rng=1)
    pickle.dumps(model.datacollector.agent_reporters)
    pickle.dumps(model.datacollector.model_reporters)


def test_dissolved_relationship_stops_and_freezes():
    model = DyadModel({"dyad.dissolution_rate": 1.0, "partner_a.exit_propensity": 1.0}, rng=1)
    model.run(100)
    traj = model.trajectory()
    assert model.dissolved and not model.running
    assert traj["dyad.dissolved"].iloc[-1] == 1.0
    assert len(traj) == model.dissolved_at + 1 < 101


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ParamError, match=r"partner_a\.anxiety"):
        DyadModel({"partner_a.anxiety": 2})
    with pytest.raises(ParamError, match="rng"):
        DyadModel(rng=0.5)


def _param_strategy():
    keys = sorted(k for k, p in REGISTRY.items() if p.kind is float)
    return st.fixed_dictionaries(
        {},
        optional={k: st.floats(REGISTRY[k].low, REGISTRY[k].high, allow_nan=False) for k in keys},
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=_param_strategy(), seed=st.integers(0, 2**63 - 1))
def test_states_stay_bounded_and_finite_for_any_parameters(values, seed):
    traj = DyadModel(values, rng=seed).run(80).trajectory()
    data = traj.drop(columns=["step"]).to_numpy(dtype=float)
    assert np.isfinite(data).all()
    bounded = [c for c in traj.columns if not c.endswith(("intrusion", "step"))]
    assert ((traj[bounded] >= 0) & (traj[bounded] <= 1)).all().all()
    assert (traj.filter(like="intrusion") >= 0).all().all()
