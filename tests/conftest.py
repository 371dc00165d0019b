from __future__ import annotations

import pandas as pd
import pytest

from dyadsim.model import DyadModel


@pytest.fixture(scope="session")
def default_run() -> pd.DataFrame:
    """The default couple, 200 episodes, seed 1."""
    return DyadModel(rng=1).run(200).trajectory()
