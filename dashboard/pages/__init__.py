"""The dashboard's pages, one module each, in the order of the navigation.

Each page module has the same parts: ``NAME`` and ``TITLE``; ``layout(view)``; the page's
share of the view hub (``INPUTS``, ``CONTROLS``, ``STATES``, ``CLICKS``, ``apply`` and
``controls``, see :mod:`dashboard.hub`); what it takes from the view alone (``DERIVED``
and ``derived``); and ``register(app, manager)`` for its own callbacks.
"""

from __future__ import annotations

from types import ModuleType

from dashboard import view
from dashboard.pages import about, compare, couple, life, population, sweep

_BY_NAME: dict[str, ModuleType] = {p.NAME: p for p in (couple, sweep, compare, life, population,
                                                  about)}
#: The page modules, in the order of :data:`dashboard.view.PAGES`.
PAGES: tuple[ModuleType, ...] = tuple(_BY_NAME[name] for name in view.PAGES)
