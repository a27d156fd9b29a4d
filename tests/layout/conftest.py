"""Graphs the layout tests share."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.layout import LayoutWorker


def scalar_example() -> gn.Graph:
    x1, x2, x3 = gn.Variable(0.5, "x1"), gn.Variable(-1.2, "x2"), gn.Variable(2.0, "x3")
    z = gn.sin(x1 + x2) + x2 ** 2 * x3
    z.name = "z"
    return gn.Graph(z)


def tangled(n: int, leaves: int = 40, seed: int = 0) -> gn.Graph:
    """Products of random earlier nodes: long edges everywhere, slow for dot to untangle."""
    rng = np.random.default_rng(seed)
    nodes = [gn.Variable(1.0, f"v{i}") for i in range(leaves)]
    for _ in range(n):
        a, b = rng.choice(len(nodes), 2, replace=False)
        nodes.append(nodes[a] * nodes[b])
    return gn.Graph(*nodes[leaves:])


@pytest.fixture(scope="module")
def worker():
    w = LayoutWorker()
    yield w
    w.close()
