"""``graphviz_nn.datasets``: the datasets of :mod:`graphviz_nn.nn.datasets`, by a shorter name."""

from .nn.datasets import *  # noqa: F401,F403
from .nn.datasets import __all__  # noqa: F401
