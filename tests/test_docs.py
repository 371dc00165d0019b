"""docs/MODEL.md matches the code it describes."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from dyadsim import outcomes, rules
from dyadsim.agents import STATE_VARS
from dyadsim.cli import params_table
from dyadsim.model import STAGES

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
