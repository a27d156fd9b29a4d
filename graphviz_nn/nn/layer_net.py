"""LayerNet: each layer a matrix product, a bias and an activation."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Constant, Graph, Node, Variable
from .activations import activation as activation_function
from .init import default_initialiser, initialiser
from .losses import build_loss
from .network import Network, tag_scope


class LayerNet(Network):
    """A layered network: h_{k+1} = f(h_k @ W_k + b_k), one scope per layer.

    Parameters
    ----------
    sizes : sequence of int
        Widths from the input to the output, e.g. [30, 5, 1].
    activation : str
        Hidden activation (sigmoid, tanh, relu, leaky_relu, identity).
    output_activation : str
        sigmoid, softmax, tanh or identity.
    loss : str
        sse, mse, mae, bce (with sigmoid output) or cce (with softmax output).
    bias : bool or sequence of bool
        A bias per layer (one flag for all, or one per layer).
    normalise : bool
        Add input normalisation as graph nodes, (X − mean) / std, with statistics set by
        :meth:`fit_normalisation` from the training rows.
    init : str, optional
        uniform (the original program's U(0, 1)), xavier or he; by default he for relu, else xavier.
    rng : numpy Generator, optional
        Draws the initial weights; ``np.random.default_rng(0)`` if not given.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        loss: str = "sse",
        bias: bool | Sequence[bool] = True,
        normalise: bool = False,
        init: str | None = None,
        rng: np.random.Generator | None = None,
    ):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output width, all >= 1; got {sizes}")
        n_layers = len(sizes) - 1
        biases = [bool(bias)] * n_layers if isinstance(bias, (bool, np.bool_)) else [bool(b) for b in bias]
        if len(biases) != n_layers:
            raise ValueError(f"{len(biases)} bias flags for {n_layers} layers")
        rng = rng if rng is not None else np.random.default_rng(0)
        hidden = activation_function(activation)
        out = activation_function(output_activation)
        draw = initialiser(init or default_initialiser(activation))

        self.sizes, self.n_inputs, self.n_outputs = tuple(sizes), sizes[0], sizes[-1]
        self.activation, self.output_activation, self.loss_name = activation, output_activation, loss
        self.normalise = normalise
        self.X = Constant(np.zeros((1, sizes[0])), "X")
        self.targets = Constant(np.zeros((1, sizes[-1])), "y")
        h: Node = self.X
        if normalise:
            self.input_mean = Constant(np.zeros(sizes[0]), "mean")
            self.input_std = Constant(np.ones(sizes[0]), "std")
            h = (self.X - self.input_mean) / self.input_std
            h.name = "normalised X"
            tag_scope(h, ("normalise",), stop=[self.X])
        layers = []
        for k in range(n_layers):
            scope = ("output",) if k == n_layers - 1 else (f"layer {k + 1}",)
            W = Variable(draw(rng, sizes[k], sizes[k + 1]), f"W{k + 1}")
            z = h @ W
            params = [W]
            if biases[k]:
                start = rng.random(sizes[k + 1]) if init == "uniform" else np.zeros(sizes[k + 1])
                b = Variable(start, f"b{k + 1}")
                z = z + b
                params.append(b)
            z.name = f"z{k + 1}"
            last = k == n_layers - 1
            h = z if last else hidden(z)
            if not last and h is not z:
                h.name = f"h{k + 1}"
            tag_scope(h, scope, stop=[self.X])
            layers.append((scope[0], tuple(params)))
        self.logits = z
        self.prediction = out(self.logits)
        if self.prediction is not self.logits:
            self.prediction.name = "prediction"
        self.prediction.scope = ("output",)
        self.loss = build_loss(loss, output_activation, self.logits, self.prediction, self.targets)
        self.loss.name = "loss"
        tag_scope(self.loss, ("loss",), stop=[self.X, self.targets, self.logits, self.prediction])
        self.layers = tuple(layers)
        self.outputs = (self.prediction,)
        self.graph = Graph(self.loss, self.prediction)

    def fit_normalisation(self, X: np.ndarray) -> None:
        if self.normalise:
            X = self._check_inputs(X)
            std = X.std(axis=0)
            self.input_mean.value = X.mean(axis=0)
            self.input_std.value = np.where(std > 0, std, 1.0)

    def _load(self, X: np.ndarray, targets: np.ndarray) -> None:
        self.X.value = X
        self.targets.value = targets

    def __repr__(self) -> str:
        return f"LayerNet({list(self.sizes)}, {self.activation} → {self.output_activation}, loss {self.loss_name})"
