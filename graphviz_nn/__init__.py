"""graphviz-nn: see how neural networks compute and learn.

The engine's public names are re-exported here: ``from graphviz_nn import Variable, sin, grad``.
``from graphviz_nn import *`` leaves Python's ``sum``, ``abs``, ``pow``, ``max`` and ``min``
alone: the ops of those names are ``gn.sum``, ``gn.abs``, ``gn.pow``, ``gn.max``, ``gn.min``.
Importing this package never loads Qt; the window lives in ``graphviz_nn.gui``.
"""

from .engine import *  # noqa: F401,F403 - the engine's public API is the package's
from .engine import __all__ as _engine_all
from .engine import abs, max, min, pow, sum  # noqa: F401 - gn.sum etc., kept out of __all__ (see engine)

from . import layout as _layout  # noqa: F401 - registers how graphs draw themselves
from .layout.dot import use_writer as _use_writer
from .show import show
from .version import __version__


def _write_drawing(path, data: bytes) -> None:
    """A drawing that ``Dot.render`` saves, written as every save is (io's write_atomic)."""
    # NOTE: io is loaded on the first save, not here: it would add 66 ms to every
    # `import graphviz_nn` (its codecs load nn), for a convenience few sessions call.
    from .io.atomic import write_atomic

    write_atomic(path, data)


_use_writer(_write_drawing)


def draw(node_or_graph, values: bool = True, gradients: bool = False, collapsed=None):
    """A node (with what it depends on) or a graph as a ``graphviz.Digraph`` to display in a
    notebook or ``.render()`` to a file, drawn by the bundled Graphviz (see
    :func:`graphviz_nn.layout.dot.draw`)."""
    from .layout.dot import draw as draw_graph

    return draw_graph(node_or_graph, values, gradients, collapsed)

__all__ = list(_engine_all) + ["__version__", "draw", "show"]
