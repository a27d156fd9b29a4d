"""graphviz-nn: see how neural networks compute and learn.

The engine's public names are re-exported here: ``from graphviz_nn import Variable, sin, grad``.
``from graphviz_nn import *`` leaves Python's ``sum``, ``abs``, ``pow``, ``max`` and ``min``
alone: the ops of those names are ``gn.sum``, ``gn.abs``, ``gn.pow``, ``gn.max``, ``gn.min``.
Importing this package never loads Qt; the window lives in ``graphviz_nn.gui``.
"""

from .engine import *  # noqa: F401,F403 - the engine's public API is the package's
from .engine import __all__ as _engine_all
from .engine import abs, max, min, pow, sum  # noqa: F401 - gn.sum etc., kept out of __all__ (see engine)

from .show import show

__version__ = "0.1.0"
__all__ = list(_engine_all) + ["__version__", "show"]
