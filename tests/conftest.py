from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, sync_playwright

from dyadsim.model import DyadModel

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Debian's Chromium, headless and off the network (the machine's notes), for every browser
test: Playwright drives the system's browser and never downloads one."""


@pytest.fixture(scope="session")
def default_run() -> pd.DataFrame:
    """The default couple, 200 episodes, seed 1."""
    return DyadModel(rng=1).run(200).trajectory()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium for one test module (a missing browser fails, never skips)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
                    "(apt-get install chromium); they never download a browser")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()
