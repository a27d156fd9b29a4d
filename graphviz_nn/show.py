"""``graphviz_nn.show``: open the window on a graph built in a script or a notebook."""

from __future__ import annotations

import sys
from typing import Union

from .engine import Graph, Node

Showable = Union[Node, Graph]


def _display_problem() -> str | None:
    """Why the window cannot open here, or None; nothing is checked when Qt already runs
    in this process (a notebook with ``%gui qt``): it found its display then."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        return None
    from .cli.display import qt_platform_problem

    return qt_platform_problem()


def show(graph_or_node: Showable, block: bool = True, title: str = "your graph"):
    """Open the window on a graph, to animate its passes and inspect every node.

    Parameters
    ----------
    graph_or_node : Graph or Node
        A node is shown with everything it depends on; the backward pass starts from it
        (from the graph's first output for a Graph).
    block : bool
        True: start Qt's event loop if none runs and return when the window is closed.
        False: return the window at once (inside an application whose loop already runs,
        such as a notebook with ``%gui qt``).

    Returns
    -------
    MainWindow or None
        The window when ``block`` is False.

    Raises
    ------
    RuntimeError
        When no window can open here (no display, or a system library Qt needs is missing),
        before Qt starts: Qt would abort the process, and with it a notebook's kernel.
    """
    problem = _display_problem()
    if problem:
        raise RuntimeError(f"graphviz_nn.show: cannot open the window: {problem}")
    from .gui.app import application, new_window
    from .session import Built

    if isinstance(graph_or_node, Graph):
        graph, output = graph_or_node, graph_or_node.outputs[0]
    elif isinstance(graph_or_node, Node):
        graph, output = Graph(graph_or_node), graph_or_node
    else:
        raise TypeError(f"show() takes a Graph or a Node, not {type(graph_or_node).__name__}")
    variables = graph.variables

    def build() -> Built:
        return Built.of(output, variables[:1], f"{title}: {len(graph)} nodes, {len(variables)} variables", graph)

    app = application()
    window = new_window(None)  # frees itself when closed: a notebook may show() again and again
    window.loading.load(build, title)
    window.show()
    if not block:
        return window
    app.exec()
    return None
