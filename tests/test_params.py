from __future__ import annotations

import numpy as np
import pytest

from dyadsim.params import (
    PARTNER_FIELDS,
    REGISTRY,
    ParamError,
    column,
    make_params,
    param_matrix,
    parse_assignment,
    row_values,
)


def test_every_parameter_is_documented_and_default_in_bounds():
    for p in REGISTRY.values():
        assert p.label and p.help and p.construct, p.name
        assert "." in p.name and p.group in {"partner_a", "partner_b", "dyad", "run"}
        if p.default is not None:
            assert p.low <= p.default <= p.high, p.name
        else:
            assert p.derive is not None, p.name


def test_defaults_give_the_classic_trap():
    v = make_params()
    assert v["partner_a.anxiety"] > 0.5 > v["partner_a.avoidance"]
    assert v["partner_b.avoidance"] > 0.5 > v["partner_b.anxiety"]
    assert len(v) == len(REGISTRY)


@pytest.mark.parametrize("anx,avo", [(0, 0), (0, 1), (1, 0), (1, 1), (0.3, 0.7)])
def test_derived_values_stay_in_bounds(anx, avo):
    v = make_params({"partner_a.anxiety": anx, "partner_a.avoidance": avo})
    for field in PARTNER_FIELDS:
        p = REGISTRY[f"partner_a.{field}"]
        assert p.low <= v[p.name] <= p.high


def test_derived_parameters_follow_traits_unless_overridden():
    low = make_params({"partner_a.anxiety": 0.1})
    high = make_params({"partner_a.anxiety": 0.9})
    assert high["partner_a.threat_threshold"] < low["partner_a.threat_threshold"]
    assert high["partner_a.pursuit_gain"] > low["partner_a.pursuit_gain"]
    fixed = make_params({"partner_a.anxiety": 0.9, "partner_a.pursuit_gain": 0.5})
    assert fixed["partner_a.pursuit_gain"] == 0.5


def test_unknown_key_names_key_and_suggests():
    with pytest.raises(ParamError) as err:
        make_params({"partner_a.anxeity": 0.5})
    msg = str(err.value)
    assert "partner_a.anxeity" in msg and "partner_a.anxiety" in msg


@pytest.mark.parametrize("key,value", [
    ("partner_a.anxiety", 1.5), ("dyad.ambiguity", -0.1), ("run.steps", 0),
    ("partner_b.avoidance", "nan"), ("dyad.noise", "abc"), ("run.steps", 2.5),
    ("partner_a.anxiety", True),
])
def test_bad_value_names_key_value_and_allowed(key, value):
    with pytest.raises(ParamError) as err:
        make_params({key: value})
    msg = str(err.value)
    assert key in msg and repr(value) in msg and "allowed" in msg


def test_strings_are_parsed_and_ints_kept():
    v = make_params({"partner_a.anxiety": "0.7", "run.steps": "120"})
    assert v["partner_a.anxiety"] == 0.7 and v["run.steps"] == 120
    assert isinstance(v["run.steps"], int)


def test_parse_assignment():
    assert parse_assignment("dyad.stress=0.3") == ("dyad.stress", 0.3)
    with pytest.raises(ParamError, match="KEY=VALUE"):
        parse_assignment("dyad.stress")


def test_column_names():
    assert column("partner_a.anxiety") == "partner_a_anxiety"


def test_param_matrix_resolves_rows_like_make_params():
    rng = np.random.default_rng(4)
    varying = {"partner_a.anxiety": rng.uniform(0, 1, 20), "dyad.noise": rng.uniform(0, .3, 20)}
    fixed = {"partner_b.avoidance": 0.4, "partner_a.pursuit_gain": 2.0}
    matrix = param_matrix(fixed, varying)
    for i in range(20):
        row = {**fixed, **{k: float(v[i]) for k, v in varying.items()}}
        expected = make_params(row)
        assert row_values(matrix, i) == expected
    assert matrix.shape == (20, len(REGISTRY))


def test_row_values_gives_each_parameter_its_registry_type():
    """``row_values`` returns ``int`` for int parameters (run.steps, run.seed), as
    ``make_params`` does; comparing values alone would hide a float where an int belongs."""
    matrix = param_matrix({"run.steps": 321, "run.seed": 7, "partner_a.anxiety": 0.3})
    row, expected = row_values(matrix, 0), make_params(
        {"run.steps": 321, "run.seed": 7, "partner_a.anxiety": 0.3})
    wrong = {name: type(value).__name__ for name, value in row.items()
             if type(value) is not REGISTRY[name].kind}
    assert not wrong, f"row_values types differ from the registry's kinds: {wrong}"
    assert {k: type(v) for k, v in row.items()} == {k: type(v) for k, v in expected.items()}
    assert row["run.steps"] == 321 and row["run.seed"] == 7


@pytest.mark.parametrize(("varying", "words"), [
    ({"partner_a.anxiety": [0.2, 1.5]}, ["partner_a.anxiety", "1.5", "[0, 1]"]),
    ({"partner_a.anxeity": [0.2]}, ["partner_a.anxeity", "did you mean"]),
    ({"run.steps": [10, 20]}, ["run.steps", "cannot vary"]),
])
def test_param_matrix_rejects_bad_values_with_a_clear_message(varying, words):
    with pytest.raises(ParamError) as err:
        param_matrix(varying=varying)
    for word in words:
        assert word in str(err.value)
