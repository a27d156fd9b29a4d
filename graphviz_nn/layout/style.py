"""How each kind of node looks: colours that read on a projector and for colour-blind viewers.

Colours come from the Okabe-Ito palette (distinguishable with every common colour-vision
deficiency), and each kind also has its own shape, so nothing depends on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeStyle:
    """The look of one kind of node: Graphviz shape and style, fill, border and text colours."""

    shape: str
    style: str
    fill: str
    border: str
    text: str = "#111111"
    penwidth: float = 1.6


# Okabe-Ito: vermillion #D55E00, bluish green #009E73, blue #0072B2, grey for constants.
STYLES: dict[str, NodeStyle] = {
    "variable": NodeStyle("box", "rounded,filled", "#FBE3D3", "#D55E00", penwidth=2.2),
    "function": NodeStyle("ellipse", "filled", "#D5EFE7", "#009E73"),
    "constant": NodeStyle("box", "filled,dashed", "#F2F2F2", "#6E6E6E"),
    "output": NodeStyle("doubleoctagon", "filled", "#D3E5F4", "#0072B2", penwidth=2.2),
    "scope": NodeStyle("box3d", "filled", "#FFF5CC", "#B08F00", penwidth=1.8),
}

CLUSTER_FILL = "#F7F7F7"
CLUSTER_BORDER = "#A8A8A8"
EDGE_COLOUR = "#4D4D4D"
FONT = "Helvetica"
FONT_SIZE = 14
