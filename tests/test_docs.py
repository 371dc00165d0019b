"""docs/MODEL.md matches the code it describes."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from dyadsim import outcomes, rules
from dyadsim.cli import params_table
from dyadsim.model import STAGES
from dyadsim.schema import STATE_VARS

DOC = (Path(__file__).parents[1] / "docs" / "MODEL.md").read_text()


def test_parameter_table_is_current():
    table = re.search(r"<!-- params:start -->\n(.*)\n<!-- params:end -->", DOC, re.S)
    assert table, "parameter markers missing"
    assert table.group(1) == params_table(markdown=True), "run: dyadsim params --markdown"


def test_every_state_variable_rule_stage_and_metric_is_described():
    names = list(STATE_VARS) + list(STAGES) + list(outcomes.METRICS) + list(outcomes.OUTCOMES)
    names += [n for n, f in inspect.getmembers(rules, inspect.isfunction)
              if f.__module__ == rules.__name__ and n != "clip01"]
    missing = [n for n in names if f"`{n}`" not in DOC]
    assert not missing, missing


def test_classifier_constants_quoted_in_the_doc_are_the_codes():
    for name in ("PW_ON", "PW_OFF", "MIN_GAP", "MIN_EPISODE", "WAVE_PEAK", "ESCALATED_SHARE",
                 "ESCALATED_ACTIVATION", "CYCLING_EPISODES", "DISTANT_CLOSENESS", "WINDOW"):
        value = getattr(outcomes, name)
        quoted = re.search(rf"([0-9.]+%?)\s+\(`{name}`", DOC)
        assert quoted, name
        text = quoted.group(1)
        number = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        assert number == value, (name, text, value)


SCENARIOS_DOC = (Path(__file__).parents[1] / "docs" / "SCENARIOS.md").read_text()


def test_scenario_doc_preset_tables_are_current():
    from dyadsim.interventions import POLICIES, THERAPIES, markdown_table

    for marker, presets in (("therapies", THERAPIES), ("policies", POLICIES)):
        block = re.search(rf"<!-- {marker}:start -->\n(.*)\n<!-- {marker}:end -->",
                          SCENARIOS_DOC, re.S)
        assert block, marker
        assert block.group(1) == markdown_table(presets), marker


def test_scenario_doc_lists_every_library_scenario_and_event_kind():
    from dyadsim.scenario import EVENT_KINDS, library

    missing = [s.name for s in library() if f"| `{s.name}` |" not in SCENARIOS_DOC]
    assert not missing, missing
    assert all(f"| `{kind}` |" in SCENARIOS_DOC for kind in EVENT_KINDS)


VALIDATION_DOC = (Path(__file__).resolve().parents[1] / "docs" / "VALIDATION.md").read_text()
QUOTED = {  # experiment -> numbers.json keys whose values docs/VALIDATION.md quotes (3 dp)
    "fact01_secure_settle": ["settled_share_secure_secure",
                             "min_settled_share_all_secure_conditions"],
    "fact02_anxious_avoidant_trap": ["trap_share_anxious_avoidant", "runner_up_trap_share"],
    "fact04_secure_buffer": ["trap_share_anxious_avoidant"],
    "fact05_softening": ["withdrawal_at_1.0", "withdrawal_at_0.0"],
    "fact06_eft_halfway": ["recovered_with_eft", "recovered_without_eft"],
    "fact08_demand_withdraw_satisfaction": ["pearson_r"],
    "fact09_intermittent_reinforcement": ["pursuit_after_intermittent",
                                          "pursuit_after_consistent"],
    "fact10_antidote": ["activation_antidote_minus_confused", "pursuit_antidote_minus_confused"],
    "population_apim": ["r2_satisfaction", "fact8_r"],
    "strange_situation": ["share_A", "share_B", "share_C", "sensitivity_security_r"],
    "attachment_stability": ["phi"],
    "partner_choice": ["earned_security_default", "earned_security_reliable"],
    "rinaldi_cycles": ["fearful_secure_period_days"],
}


def test_validation_doc_quotes_the_numbers_the_experiments_wrote():
    import json

    for name, keys in QUOTED.items():
        path = Path(__file__).resolve().parents[1] / "docs" / "validation" / name
        numbers = json.loads((path / "numbers.json").read_text())["numbers"]
        for key in keys:
            assert f"{numbers[key]:.3f}" in VALIDATION_DOC, (name, key, numbers[key])
    for share in ("traits_agreement", "responses_agreement"):
        path = Path(__file__).resolve().parents[1] / "docs" / "validation" / "meanfield_map"
        value = json.loads((path / "numbers.json").read_text())["numbers"][share]
        assert f"{100 * value:.1f}%" in VALIDATION_DOC, (share, value)
