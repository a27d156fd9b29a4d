"""PerceptronNet: the original program's scalar design, one small subgraph per perceptron."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Constant, Graph, Node, Variable
from .activations import activation as activation_function
from .init import initialiser
from .losses import build_loss
from .network import Network, tag_scope


class PerceptronNet(Network):
    """Perceptrons wired one weight at a time: each weight a scalar Variable, each product a node.

    Every input feature is a Constant holding that feature over all rows, so one graph
    computes the whole batch, as the original program does. Each perceptron is the scope
    ("layer k", "perceptron j") and each layer the scope ("layer k",), so the layout can
    collapse either.

    Parameters
    ----------
    sizes : sequence of int
        Input count, hidden widths, output count, e.g. [7, 5, 1].
    activation, output_activation : str
        Activations of hidden and output perceptrons (softmax is not available here: each
        output is its own perceptron).
    loss : str
        sse, mse, mae, or bce with sigmoid outputs; summed over the outputs.
    bias : bool
        Give each perceptron a bias (the original program's had none).
    init : str
        uniform (the original program's U(0, 1)), xavier or he.
    rng : numpy Generator, optional
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        loss: str = "sse",
        bias: bool = True,
        init: str = "uniform",
        rng: np.random.Generator | None = None,
    ):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output width, all >= 1; got {sizes}")
        if output_activation == "softmax" or loss == "cce":
            raise ValueError("PerceptronNet has one perceptron per output: use LayerNet for softmax and cce")
        rng = rng if rng is not None else np.random.default_rng(0)
        hidden, out = activation_function(activation), activation_function(output_activation)
        draw = initialiser(init)
        self.sizes, self.n_inputs, self.n_outputs = tuple(sizes), sizes[0], sizes[-1]
        self.activation, self.output_activation, self.loss_name = activation, output_activation, loss

        self.inputs = tuple(Constant(np.zeros(1), f"x{i + 1}") for i in range(sizes[0]))
        self.target_nodes = tuple(Constant(np.zeros(1), f"y{j + 1}") for j in range(sizes[-1]))
        stop = list(self.inputs) + list(self.target_nodes)
        layer_in: list[Node] = list(self.inputs)
        layers = []
        logits: list[Node] = []
        for k in range(1, len(sizes)):
            last = k == len(sizes) - 1
            layer_name = "output" if last else f"layer {k}"
            weights = draw(rng, sizes[k - 1], sizes[k])
            layer_out, params = [], []
            for j in range(sizes[k]):
                w = [Variable(weights[i, j], f"w{k}.{i + 1}{j + 1}") for i in range(sizes[k - 1])]
                s: Node = layer_in[0] * w[0]
                for x, wi in zip(layer_in[1:], w[1:]):
                    s = s + x * wi
                params.extend(w)
                if bias:
                    b = Variable(rng.random() if init == "uniform" else 0.0, f"b{k}.{j + 1}")
                    s = s + b
                    params.append(b)
                s.name = f"z{k}.{j + 1}"
                a = (out if last else hidden)(s)
                a.name = f"ŷ{j + 1}" if last else f"p{k}.{j + 1}"
                tag_scope(a, (layer_name, f"perceptron {j + 1}"), stop=stop)
                layer_out.append(a)
                if last:
                    logits.append(s)
            layers.append((layer_name, tuple(params)))
            layer_in = layer_out
        self.outputs = tuple(layer_in)
        self.logits = tuple(logits)
        terms = [
            build_loss(loss, output_activation, z, p, y)
            for z, p, y in zip(self.logits, self.outputs, self.target_nodes)
        ]
        self.loss = terms[0]
        for term in terms[1:]:
            self.loss = self.loss + term
        self.loss.name = "loss"
        tag_scope(self.loss, ("loss",), stop=stop + list(self.outputs) + list(self.logits))
        self.layers = tuple(layers)
        self.graph = Graph(self.loss, *self.outputs)

    def _load(self, X: np.ndarray, targets: np.ndarray) -> None:
        for i, node in enumerate(self.inputs):
            node.value = np.ascontiguousarray(X[:, i])
        for j, node in enumerate(self.target_nodes):
            node.value = np.ascontiguousarray(targets[:, j])

    def __repr__(self) -> str:
        return f"PerceptronNet({list(self.sizes)}, {self.activation} → {self.output_activation}, loss {self.loss_name})"
