"""The episode written once: one module of stages that every engine calls."""

import subprocess
import sys

import numba
import numpy as np
import pytest

from dyadsim import episode, schema
from dyadsim.model import DyadModel
from dyadsim.params import param_matrix


def test_batch_engine_and_mean_field_load_without_mesa():
    code = ("import sys, dyadsim.batch, dyadsim.meanfield; "
            "print(sorted(m for m in ('mesa', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_put_replaces_one_entry_in_python_and_in_compiled_code():
    st = tuple(float(i) for i in range(schema.N_STATE))

    @numba.njit
    def compiled(st, i, v):
        return episode.put(st, i, v)

    for i in (0, schema.S_TRUST, schema.N_STATE - 1):
        changed = list(st)
        changed[i] = -1.0
        expected = tuple(changed)
        assert episode.put(st, i, -1.0) == expected
        assert compiled(st, i, -1.0) == expected


def test_mesa_model_runs_the_episode_stages_in_order():
    model = DyadModel(rng=3)
    seen = []
    for name in episode.STAGES:
        original = getattr(type(model.partner_a), name)

        def spy(agent, original=original, name=name):
            seen.append((name, agent.role))
            original(agent)

        setattr(model.partner_a, name, spy.__get__(model.partner_a))
        setattr(model.partner_b, name, spy.__get__(model.partner_b))
    model.step()
    assert [s for s, _ in seen] == [s for s in episode.STAGES for _ in range(2)]


def test_a_partner_reads_its_state_by_name():
    model = DyadModel({"partner_a.trust0": 0.37}, rng=1)
    a = model.partner_a
    assert a.trust == pytest.approx(0.37) and a.activation == 0.0
    with pytest.raises(AttributeError, match="no_such_state"):
        _ = a.no_such_state


def test_stages_take_arrays_of_rows_as_well_as_one_row():
    """The mean field's initial state and hazard call the stages on all rows at once."""
    rows = param_matrix(varying={"partner_a.anxiety": [0.1, 0.5, 0.9],
                                 "partner_b.avoidance": [0.9, 0.2, 0.6]})
    pp, dp = schema.partner_vectors(rows), schema.dyad_vector(rows)
    together = episode.initial(pp[:, 0].T)
    for i in range(3):
        one = episode.initial(pp[i, 0])
        assert [float(np.broadcast_to(x, 3)[i]) for x in together] == list(one)
    sa, sb = episode.initial(pp[:, 0].T), episode.initial(pp[:, 1].T)
    sa, sb, c = episode.expected_step(sa, sb, pp[:, 0].T, pp[:, 1].T, dp.T,
                                      episode.initial_closeness(dp.T))
    for i in range(3):
        a1, b1, c1 = episode.expected_step(episode.initial(pp[i, 0]), episode.initial(pp[i, 1]),
                                           pp[i, 0], pp[i, 1], dp[i], dp[i, schema.D_C0])
        assert np.allclose([np.broadcast_to(x, 3)[i] for x in sa], a1, rtol=0, atol=1e-15)
        assert np.allclose([np.broadcast_to(x, 3)[i] for x in sb], b1, rtol=0, atol=1e-15)
        assert c[i] == pytest.approx(c1, abs=1e-15)
