"""The scenario library shipped with dyadsim, and finding a scenario by name or path."""

from __future__ import annotations

import difflib
from pathlib import Path

from dyadsim.package_data import located
from dyadsim.scenario.model import Scenario, ScenarioError
from dyadsim.scenario.reader import load

LIBRARY: Path = located("library", "scenarios")
"""The scenario library shipped with dyadsim (``dyadsim scenarios`` lists it): the
package's ``library`` folder, which the build fills from the repository's ``scenarios/``."""


def library() -> list[Scenario]:
    """Every scenario in the library (:data:`LIBRARY`), in file-name order."""
    return [load(p) for p in sorted(LIBRARY.glob("*.toml"))]


def find(name_or_path: str) -> Scenario:
    """Load a scenario by file path, or by its name in the library (``delayed_text``)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load(path)
    candidate = LIBRARY / f"{name_or_path}.toml"
    if candidate.exists():
        return load(candidate)
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    close = difflib.get_close_matches(name_or_path, names, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(f"{name_or_path}: no such file or library scenario{hint} "
                        f"(`dyadsim scenarios` lists the library)")


def library_entry(name: object) -> Scenario:
    """A library scenario by its name only (``delayed_text``), never by a path.

    For callers that take a name from someone they do not trust (the dashboard's browser):
    ``name`` must be exactly the stem of one of the library's files; nothing else is opened,
    and the message never says whether ``name`` exists as a file.

    Raises:
        ScenarioError: ``name`` is not a library scenario's name (the message names the
            value and lists the allowed names).
    """
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    if not isinstance(name, str) or name not in names:
        shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
        raise ScenarioError(f"scenario = {shown}: not a library scenario; allowed: "
                            + ", ".join(names))
    return load(LIBRARY / f"{name}.toml")
