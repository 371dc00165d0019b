"""Checking one value of a scenario file, and wording the one-line error.

Every message names the file, the key path, the value, the problem and what is allowed:
``therapy.toml: partner_a.anxiety = 1.4: out of range; allowed: a number in [0, 1]``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from dyadsim.params import REGISTRY, Param, ParamError, Value, lookup
from dyadsim.scenario.model import ScenarioError


def kind_of(value: Any) -> str:
    """How messages name a TOML value's type (``a string``, ``an array``)."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


class FieldReader:
    """Checks one file's values, and words the error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, value: Any, problem: str, allowed: str) -> ScenarioError:
        """A one-line error: ``source: path = value: problem; allowed: ...``."""
        shown = f" = {value!r}" if value is not None else ""
        return ScenarioError(f"{self.source}: {path}{shown}: {problem}; allowed: {allowed}")

    def keys(self, table: Mapping[str, Any], path: str, allowed: Mapping[str, str]) -> None:
        """Check that every key of a table is one of ``allowed``."""
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                where = f"{path}.{key}" if path else key
                names = ", ".join(allowed) if len(allowed) <= 12 else (
                    "the keys listed by `dyadsim params` for this table")
                raise ScenarioError(f"{self.source}: {where}: unknown key{hint} "
                                    f"(allowed: {names})")

    def table(self, data: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
        """The sub-table ``key`` (empty if absent)."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{path}.{key}" if path else key, value,
                            f"wrong type ({kind_of(value)})", "a table")
        return value

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        """The array of tables ``key`` (empty if absent)."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, value, f"wrong type ({kind_of(value)})",
                            f"an array of tables ([[{key}]])")
        return value

    def text(self, table: Mapping[str, Any], key: str, path: str = "", *,
             required: bool = False, default: str = "") -> str:
        """The string ``key``."""
        where = f"{path}.{key}" if path else key
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: a string")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({kind_of(value)})", "a string")
        if required and not value.strip():
            raise self.fail(where, value, "empty", "a non-empty string")
        return value

    def number(self, table: Mapping[str, Any], key: str, path: str, low: float, high: float,
               *, integer: bool = False, required: bool = False,
               default: float | None = None, allowed: str | None = None) -> Any:
        """The number ``key``, in ``[low, high]``."""
        where = f"{path}.{key}"
        kind = "a whole number" if integer else "a number"
        allowed = allowed or f"{kind} in [{low:g}, {high:g}]"
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: {allowed}")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, value, f"wrong type ({kind_of(value)})", allowed)
        if integer and not (isinstance(value, int) or float(value).is_integer()):
            raise self.fail(where, value, "not a whole number", allowed)
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(where, value, "out of range", allowed)
        return int(value) if integer else float(value)

    def choice(self, table: Mapping[str, Any], key: str, path: str,
               options: tuple[str, ...] | list[str], *, required: bool = True,
               default: str | None = None) -> str | None:
        """The string ``key``, one of ``options``."""
        where = f"{path}.{key}"
        allowed = "one of " + ", ".join(f'"{o}"' for o in options)
        if key not in table:
            if required:
                raise ScenarioError(f"{self.source}: {where}: missing; allowed: {allowed}")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({kind_of(value)})", allowed)
        if value not in options:
            close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(where, value, f"unknown{hint}", allowed)
        return value

    def param_value(self, name: str, value: Any, where: str) -> Value:
        """A value for the parameter ``name``, checked against the registry."""
        param: Param = REGISTRY[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, value, f"wrong type ({kind_of(value)})", param.allowed())
        try:
            return param.check(value)
        except ParamError:
            if isinstance(value, float) and not math.isfinite(value):
                problem = "not a finite number"
            elif param.kind is int and not float(value).is_integer():
                problem = "not a whole number"
            else:
                problem = "out of range"
            raise self.fail(where, value, problem, param.allowed()) from None

    def params(self, table: Mapping[str, Any], group: str) -> dict[str, Value]:
        """A partner's, the dyad's or the run's table as dotted parameter settings."""
        return {f"{group}.{k}": self.param_value(f"{group}.{k}", v, f"{group}.{k}")
                for k, v in table.items() if k != "name"}

    def param_name(self, table: Mapping[str, Any], key: str, path: str) -> str:
        """The parameter name ``key`` (a registry name)."""
        value = table.get(key)
        where = f"{path}.{key}"
        if key not in table:
            raise ScenarioError(f"{self.source}: {where}: missing; allowed: a parameter "
                                f"name (dyadsim params)")
        if not isinstance(value, str):
            raise self.fail(where, value, f"wrong type ({kind_of(value)})",
                            "a parameter name (dyadsim params)")
        try:
            lookup(value)
        except ParamError as err:
            raise ScenarioError(f"{self.source}: {where}: {err}") from None
        return value

    def interval(self, value: Any, where: str, low: float, high: float) -> tuple[float, float]:
        """``[LOW, HIGH]`` with ``low <= LOW <= HIGH <= high``."""
        allowed = f"[LOW, HIGH] with {low:g} <= LOW <= HIGH <= {high:g}"
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)):
            raise self.fail(where, value, "not an interval", allowed)
        a, b = float(value[0]), float(value[1])
        if not low <= a <= b <= high:
            raise self.fail(where, value, "not an interval", allowed)
        return a, b
