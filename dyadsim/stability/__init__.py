"""The stability map: which attractors the mean-field map has over two parameters.

Three modules along its seams: :mod:`~dyadsim.stability.regimes` computes the map (the
regime of every cell and the boundaries between them), :mod:`~dyadsim.stability.compare`
holds it against simulated runs, :mod:`~dyadsim.stability.output` draws and writes it.
"""

from dyadsim.stability.compare import SIMULATED_CLASS, agreement, simulate_grid, simulated_class
from dyadsim.stability.output import figure, write
from dyadsim.stability.regimes import (
    BISECTIONS,
    BOUNDARY_STYLE,
    MAX_CELLS,
    REGIME_COLOURS,
    REGIMES,
    SAME_ATTRACTOR,
    Boundary,
    StabilityMap,
    check_cells,
    stability_map,
)

__all__ = [
    "BISECTIONS",
    "BOUNDARY_STYLE",
    "MAX_CELLS",
    "REGIMES",
    "REGIME_COLOURS",
    "SAME_ATTRACTOR",
    "SIMULATED_CLASS",
    "Boundary",
    "StabilityMap",
    "agreement",
    "check_cells",
    "figure",
    "simulate_grid",
    "simulated_class",
    "stability_map",
    "write",
]
