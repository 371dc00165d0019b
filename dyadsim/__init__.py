"""dyadsim: an agent-based simulation of the pursue-withdraw cycle in couples."""

from dyadsim.params import REGISTRY, ParamError, make_params

__version__ = "0.1.0"

__all__ = ["REGISTRY", "ParamError", "__version__", "make_params"]
