"""The built-in example gallery: small graphs that show one idea each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..engine import Constant, Graph, Variable, log, sigmoid, sin, solve, tanh
from ..engine import sum as total
from ..engine.second_order import curvature, newton_step
from ..nn import LayerNet, PerceptronNet, datasets
from . import architecture_examples as architectures
from .built import Built
from .model_choice import model_settings


@dataclass(frozen=True)
class GalleryExample:
    """An entry of the example gallery: its key (``graphviz-nn demo scalar``), its title in the
    menu, and how to build what it shows."""

    key: str
    title: str
    build: Callable[[], Built]


def scalar_expression() -> Built:
    """z = sin(x1 + x2) + x2**2 * x3: the reverse-mode walkthrough."""
    x1, x2, x3 = Variable(0.5, "x1"), Variable(-1.2, "x2"), Variable(2.0, "x3")
    z = sin(x1 + x2) + x2 ** 2 * x3
    z.name = "z"
    return Built(Graph(z), z, None, (x1, x2, x3),
                 "z = sin(x1 + x2) + x2²·x3: one reverse pass gives all three partial derivatives")


def vector_function() -> Built:
    """f(x) = [x**4, x**2 + sin x, −sin x]: the forward-mode walkthrough (R¹ → R³)."""
    x = Variable(0.8, "x")
    s = sin(x)
    f = x ** 4 * Constant([1.0, 0.0, 0.0], "e1") + (x ** 2 + s) * Constant([0.0, 1.0, 0.0], "e2") \
        + (-s) * Constant([0.0, 0.0, 1.0], "e3")
    f.name = "f"
    return Built(Graph(f), f, np.ones(3), (x,),
                 "f(x) = [x⁴, x² + sin x, −sin x]: one forward pass gives the whole derivative")


def single_perceptron() -> Built:
    """One perceptron, σ(w·x + b), against a target, with a squared error."""
    x = Constant([1.0, -2.0, 0.5], "x")
    w = Variable([0.4, 0.3, -0.6], "w")
    b = Variable(0.1, "b")
    p = sigmoid(total(w * x) + b)
    p.name = "p"
    loss = (p - Constant(1.0, "y")) ** 2
    loss.name = "loss"
    return Built(Graph(loss), loss, None, (w, b), "a single perceptron σ(w·x + b) and its squared error")


def _few_rows(name: str, rows: int) -> datasets.Dataset:
    data = datasets.load(name)
    rng = np.random.default_rng(0)
    return data.rows(np.sort(rng.choice(len(data), rows, replace=False)))


def perceptron_net() -> Built:
    """The original program's PerceptronNet [3, 2, 1] on eight rows of iris (setosa or not)."""
    data = _few_rows("iris", 8)
    net = PerceptronNet([3, 2, 1], rng=np.random.default_rng(1))
    X = (data.X[:, :3] - data.X[:, :3].mean(0)) / data.X[:, :3].std(0)
    net.set_data(X, net.encode_targets((data.y == 0).astype(int)))
    net.graph.forward()
    return Built(net.graph, net.loss, None, net.parameters[:2],
                 "PerceptronNet [3, 2, 1]: one node per multiplication, on 8 rows of iris", net)


def layer_net() -> Built:
    """A LayerNet 4-3-3 with softmax and cross-entropy on twelve rows of iris."""
    data = _few_rows("iris", 12)
    net = LayerNet([4, 3, 3], "tanh", "softmax", "cce", normalise=True, rng=np.random.default_rng(0))
    net.fit_normalisation(data.X)
    net.set_data(data.X, net.encode_targets(data.y))
    net.graph.forward()
    return Built(net.graph, net.loss, None, net.parameters[:1],
                 "LayerNet 4-3-3, softmax + cross-entropy, on 12 rows of iris", net)


def hidden_nan() -> Built:
    """A loss that goes wrong: the log of a negative input poisons everything after it."""
    x = Constant([2.0, 0.5, -1.0, 3.0], "x")
    w = Variable([0.3, -0.2, 0.5, 0.1], "w")
    b = Variable(0.2, "b")
    h = log(x) * w
    h.name = "log(x)·w"
    loss = total(h) + b ** 2
    loss.name = "loss"
    return Built(Graph(loss), loss, None, (w, b), "a loss with a nan in it: Debug > Run to NaN finds where")


def regularised_solve() -> Built:
    """The forward-vs-reverse tutorial's TensorFlow example: y(x) = ‖(A Aᵀ + x I)⁻¹ b − c‖²;
    the backward pass gives y′(x) at the node x."""
    A = Constant([[1.0, 0.5, 0.0], [0.2, 1.5, 0.3], [0.0, 0.4, 2.0]], "A")
    b, c = Constant([1.0, -1.0, 0.5], "b"), Constant([0.2, 0.1, -0.3], "c")
    x = Variable(0.5, "x")
    r = solve(A @ A.T + x * Constant(np.eye(3), "I"), b) - c
    r.name = "r"
    y = total(r ** 2)
    y.name = "y"
    return Built(Graph(y), y, None, (x,), "y(x) = ‖(A Aᵀ + x I)⁻¹ b − c‖²: one backward pass gives y′(x)")


def newton_step_example() -> Built:
    """One Newton step on Rosenbrock's function from (−1.2, 1): the gradient by reverse mode and
    each column of the Hessian by forward mode over it, all drawn as one graph."""
    x1, x2 = Variable(-1.2, "x1"), Variable(1.0, "x2")
    f = (1 - x1) ** 2 + 100 * (x2 - x1 ** 2) ** 2
    f.name = "f"
    x1_new, x2_new = newton_step(f, [x1, x2])
    return Built(Graph(x1_new, x2_new), x1_new, None, (x1, x2),
                 "one Newton step x − H⁻¹∇f: ∇f by reverse mode, each Hessian column by forward mode on ∇f")


def curvature_example() -> Built:
    """The curvature vᵀHv of a small tanh loss along v: forward over reverse, as one graph."""
    x = Variable([0.5, -1.0], "x")
    loss = total(tanh(Constant([[1.0, -0.5], [0.3, 0.8]], "W") @ x) ** 2)
    loss.name = "loss"
    c = curvature(loss, x, np.array([1.0, 0.5]))
    return Built(Graph(c), c, None, (x,),
                 "the curvature vᵀHv of a loss along v: its gradient (∇) and that gradient's tangent (H v)")


def _trains_as(build: Callable[[], Built], model: str, dataset: str) -> Callable[[], Built]:
    """``build``, whose Train in the window trains the preset ``model`` of the same
    architecture on ``dataset`` (an example's own graph is a handful of samples)."""
    def built() -> Built:
        return replace(build(), training=model_settings(model, dataset))

    built.__name__, built.__doc__ = build.__name__, build.__doc__
    return built


EXAMPLES: dict[str, GalleryExample] = {e.key: e for e in (
    GalleryExample("scalar", "z = sin(x1 + x2) + x2²·x3", scalar_expression),
    GalleryExample("vector", "f(x) = [x⁴, x² + sin x, −sin x]", vector_function),
    GalleryExample("perceptron", "A single perceptron", single_perceptron),
    GalleryExample("perceptron_net", "PerceptronNet [3, 2, 1]", perceptron_net),
    GalleryExample("layer_net", "LayerNet 4-3-3 with softmax", layer_net),
    GalleryExample("nan", "A NaN to find", hidden_nan),
    GalleryExample("solve", "y(x) = ‖(A Aᵀ + x I)⁻¹ b − c‖²", regularised_solve),
    GalleryExample("newton", "A Newton step (second order)", newton_step_example),
    GalleryExample("curvature", "Curvature vᵀHv along a direction", curvature_example),
    *(GalleryExample(key, title, _trains_as(build, model, dataset)) for key, title, build, model, dataset in (
        ("convolution", "Convolution: one 3×3 filter on a digit", architectures.convolution, "cnn", "digits"),
        ("cnn_digits", "A CNN on eight digits", architectures.cnn_digits, "cnn", "digits"),
        ("rnn_vs_lstm", "RNN vs LSTM on one sequence", architectures.rnn_vs_lstm, "lstm", "adding"),
        ("gru", "A GRU on one sequence", architectures.gru, "gru", "parity"),
        ("attention", "Attention: one head on six tokens", architectures.attention_head, "transformer", "reverse"),
        ("transformer_block", "A transformer block", architectures.transformer_block, "transformer", "copy"),
        ("next_character", "Next character: an LSTM reads Persuasion", architectures.next_character, "lstm",
         "text"),
    )),
)}


def big_perceptron_net(sizes: tuple[int, ...] = (30, 10, 10, 1)) -> Built:
    """An expanded PerceptronNet on breast_cancer rows: the layout stress test."""
    data = _few_rows("breast_cancer", 32)
    net = PerceptronNet(list(sizes), rng=np.random.default_rng(0))
    X = (data.X - data.X.mean(0)) / data.X.std(0)
    net.set_data(X[:, : sizes[0]], net.encode_targets(data.y))
    net.graph.forward()
    return Built(net.graph, net.loss, None, net.parameters[:1],
                 f"PerceptronNet {list(sizes)} on 32 rows of breast_cancer", net)
