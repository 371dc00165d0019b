"""Where the data shipped with dyadsim are: the scenario library and the model document.

One copy of each is kept in the repository, where people and tests read them
(``scenarios/``, ``docs/MODEL.md``). Building the package maps them into it
(``[tool.setuptools.package-dir]`` in ``pyproject.toml``: ``dyadsim/library``,
``dyadsim/docs``), so an installed wheel reads them through :mod:`importlib.resources`.
A source checkout (an editable install, or the repository on ``PYTHONPATH``) has no such
folders inside the package and reads the repository's own copy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def located(packaged: str, source: str) -> Path:
    """The folder of some package data.

    Args:
        packaged: Its folder inside the installed package (``library``).
        source: The same folder in the repository, relative to its root (``scenarios``).

    Returns:
        The installed copy if there is one, else the repository's. A wheel installed
        without its data gets a path that does not exist, and reading fails loudly.
    """
    inside = resources.files("dyadsim").joinpath(packaged)
    if inside.is_dir():
        return Path(str(inside))
    return Path(__file__).resolve().parent.parent / source
