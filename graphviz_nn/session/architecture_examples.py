"""Gallery examples of the architectures: a convolution, a small CNN, recurrences, attention,
a transformer block and a next-character model, each small enough to open in under a second
and step node by node, built from the real layers of :mod:`graphviz_nn.nn`.

Each builder returns a :class:`~graphviz_nn.session.built.Built` whose ``network`` is the
model (a :class:`~graphviz_nn.nn.Module`). An unrolled recurrence opens with each time step
collapsed into a box (``Built.collapsed``), opened with a double-click.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..engine import Constant, Graph, Node, Variable, mean
from ..layout import all_scopes
from ..nn import (GRU, LSTM, RNN, Conv2d, Embedding, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, tag_scope,
                  TransformerBlock, attention, cross_entropy, datasets)
from ..nn.datasets.text import shipped_text
from ..nn.next_character import CharModel, Unrolled
from .built import Built

Scope = tuple[str, ...]

#: The time steps of the recurrence examples: enough for the gradient to fade through an
#: RNN's steps, few enough that a box per step reads at 1280 x 720 with the graph fitted.
STEPS = 6
#: The tokens of the attention examples, as letters (a token's index is its letter's place).
LETTERS = "ABCDEFGH"
#: Sobel's filter for vertical edges: what the convolution example's filter learns to be.
SOBEL = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
#: A name from the shipped novel's first sentence, which the next-character example reads.
SNIPPET = "Kellynch"


def _named(node: Node, name: str) -> Node:
    node.name = name
    return node


def _call(names: Mapping[Node, str]) -> None:
    """Give nodes the names the board uses (W_ih for torch's weight_ih_l0, y for the one-hot
    targets): short enough to read on their boxes with the whole graph on a projector."""
    for node, name in names.items():
        node.name = name


def _recurrent_names(layer: Module) -> dict[Node, str]:
    """A one-layer RNN's, LSTM's or GRU's weights as the equations write them."""
    return {getattr(layer, f"{kind}_{way}_l0"): f"{symbol}_{way}"
            for kind, symbol in (("weight", "W"), ("bias", "b")) for way in ("ih", "hh")}


def _linear_names(layer: Linear, suffix: str) -> dict[Node, str]:
    names = {layer.weight: f"W_{suffix}"}
    if layer.bias is not None:
        names[layer.bias] = f"b_{suffix}"
    return names


def _one_hot_names(graph: Graph) -> dict[Node, str]:
    """cross_entropy's "y (one-hot)" (and the next-character model's "x (one-hot)") as y and x."""
    return {n: n.name.split(" ")[0] for n in graph.nodes if n.name in ("y (one-hot)", "x (one-hot)")}


def _squared_error(prediction: Node, target: Node, what: str = "") -> Node:
    """mean((prediction − target)²), its difference named "error" (``what`` before the names)."""
    error = _named(prediction - target, f"{what} error".strip())
    return _named(mean(error ** 2), f"{what} loss".strip())


def _time_steps(graph: Graph) -> frozenset[Scope]:
    """The scopes of an unrolled recurrence's steps ("t 3", inside its layer's scope)."""
    return frozenset(s for s in all_scopes(graph) if s[-1].startswith("t ") and s[-1][2:].isdigit())


#: What a recurrent layer names its input's gates for every step, x Wᵢₕᵀ + b, one product.
INPUT_GATES = "x Wᵢₕᵀ"


def _box(node: Node, name: str) -> Scope:
    """Put ``node`` and what it is made of in its own scope into a box ``name`` inside that
    scope; the box's scope. A recurrent layer's input gates for every step at once, with their
    weights, would be four columns before the first step drawn open; the stacking of its
    outputs, a column of reshapes and joins after the last."""
    outer = node.scope
    box = outer + (name,)
    stack = [node]
    while stack:
        part = stack.pop()
        if part.scope == outer:
            part.scope = box
            stack.extend(part.inputs)
    return box


def _box_input_gates(graph: Graph) -> frozenset[Scope]:
    """Each recurrent layer's input gates (:data:`INPUT_GATES`) in a box; those boxes."""
    return frozenset(_box(n, INPUT_GATES) for n in list(graph.nodes) if n.name == INPUT_GATES)


def _digits(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` digit images, grey levels scaled to 0-1, (count, 1, 8, 8), and labels."""
    X, y = datasets.images("digits")
    return X[:count] / 16.0, y[:count]


def _correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A 2-D cross-correlation without padding, as Conv2d computes it, in numpy."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def convolution() -> Built:
    """One 3 x 3 filter K slid over one handwritten digit, its feature map compared with the
    digit's vertical edges (Sobel's filter): K's gradient sums over every place it sat."""
    image, _ = _digits(1)
    conv = Conv2d(1, 1, 3, rng=np.random.default_rng(0))
    _call({conv.weight: "K", conv.bias: "b"})
    feature_map = _named(conv(Constant(image, "digit")), "feature map")
    loss = _squared_error(feature_map, Constant(_correlate(image[0, 0], SOBEL)[None, None], "edges"))
    return Built(Graph(loss), loss, None, (conv.weight, conv.bias),
                 "one 3×3 filter K on an 8×8 digit learning its vertical edges: each entry's gradient sums "
                 "over the 36 places K sat", conv)


def cnn_digits() -> Built:
    """Conv2d(1, 4, 3) - ReLU - MaxPool2d(2) - Flatten - Linear(36, 10) on eight digits,
    scored by cross-entropy; each layer's output named for what it holds."""
    images, labels = _digits(8)
    rng = np.random.default_rng(0)
    model = Sequential(Conv2d(1, 4, 3, rng=rng), ReLU(), MaxPool2d(2), Flatten(), Linear(36, 10, rng=rng))
    _call({model[0].weight: "K", model[0].bias: "b", **_linear_names(model[4], "y")})
    for layer, name in zip(model, ("feature maps", "rectified", "pooled", "flat", "scores")):
        layer.observe(lambda _, output, name=name: _named(output, name))  # each output named for what it holds
    scores = model(Constant(images, "digits"))
    for layer in model:
        layer.observe(None)
    loss = _named(cross_entropy(scores, labels), "loss")
    graph = Graph(loss)
    _call(_one_hot_names(graph))
    return Built(graph, loss, None, (model[0].weight,),
                 "a CNN (4 filters K of 3×3, ReLU, 2×2 max-pooling, a linear layer) on 8 digits, cross-entropy",
                 model)


class Readers(Module):
    """Recurrent layers reading the same sequence side by side, each with a linear head on its
    last h: ``rnn`` with ``rnn_head``, ``lstm`` with ``lstm_head``, and so on.

    Parameters
    ----------
    rng : numpy Generator
        Draws the heads.
    **cells : RNN, LSTM or GRU
        The layers by name.
    """

    def __init__(self, rng: np.random.Generator, **cells: Module):
        super().__init__()
        self.names = tuple(cells)
        for name, cell in cells.items():
            self.add_module(name, cell)
            # No bias: its sum would be one more column, and the whole graph must read on a projector.
            self.add_module(f"{name}_head", Linear(cell.hidden_size, 1, bias=False, rng=rng))

    def forward(self, x: Node) -> dict[str, Node]:
        """Each head's prediction from its layer's last h, (1, N, 1), by layer name."""
        predictions = {}
        for name in self.names:
            _, state = getattr(self, name)(x)
            last = state[0] if isinstance(state, tuple) else state  # the LSTM's (h, c): its h
            predictions[name] = _named(getattr(self, f"{name}_head")(last), f"{name} prediction")
        return predictions


def _recurrences(steps: int = STEPS, **cells: Module) -> Built:
    """The adding problem's sequence through each layer, and the sum of their squared errors."""
    x, y = datasets.adding_problem(1, steps, seed=0)
    model = Readers(np.random.default_rng(1), **cells)
    for name, cell in cells.items():
        _call({**_recurrent_names(cell), **_linear_names(getattr(model, f"{name}_head"), "y")})
    target = Constant(y[None], "y")
    predictions = model.forward(Constant(x, "x"))
    losses = [_squared_error(p, target, name if len(cells) > 1 else "") for name, p in predictions.items()]
    loss = losses[0]
    for more in losses[1:]:
        loss = _named(loss + more, "loss")
    graph = Graph(loss)
    names = " and an ".join(type(cell).__name__ for cell in cells.values())
    return Built(graph, loss, None, (next(model.parameters()),),
                 f"the adding problem's {steps} steps through an {names}, a box per step (double-click "
                 "opens it)", model, collapsed=_time_steps(graph) | _box_input_gates(graph))


#: The LSTM's forget gate starts open, σ(2) = 0.88 (its bias raised by 2, as LSTMs are commonly
#: started), so its cell carries the gradient back: over the 6 steps ‖∂L/∂cₜ‖ falls half a decade
#: where the RNN's ‖∂L/∂hₜ‖ falls 1.4; with torch's initial biases the cell's fell 1.6 decades.
FORGET_BIAS = 2.0


def rnn_vs_lstm() -> Built:
    """The same sequence through an RNN and an LSTM of the same width, their squared errors
    summed, so that one backward pass runs back through the time steps of both."""
    rng = np.random.default_rng(0)
    rnn, lstm = RNN(2, 4, rng=rng), LSTM(2, 4, rng=rng)
    lstm.bias_hh_l0.value[4:8] += FORGET_BIAS  # the forget gate's rows, (i, f, g, o) by 4
    return _recurrences(rnn=rnn, lstm=lstm)


def gru() -> Built:
    """A GRU on the adding problem's sequence: gates r, z and n at every step."""
    return _recurrences(gru=GRU(2, 4, rng=np.random.default_rng(0)))


def long_lstm(steps: int = 50) -> Built:
    """An LSTM over ``steps`` steps of the adding problem: the layout's and the window's stress
    test for unrolled loops (721 nodes at 50 steps, opened expanded or a box per step)."""
    return _recurrences(steps, lstm=LSTM(2, 6, rng=np.random.default_rng(0)))


def _reversal(length: int = 6, seed: int = 3) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """One token sequence of the reverse task, its targets, and its tokens as letters."""
    tokens, targets = datasets.reverse_task(1, length, vocab_size=len(LETTERS), seed=seed)
    return tokens[:, 0], targets[:, 0], tuple(LETTERS[t] for t in tokens[:, 0])


class AttentionHead(Module):
    """Tokens embedded with their positions, one head of attention, and a linear head to
    token scores: ``embedding``, ``position``, the projections ``q``, ``k`` and ``v``, ``head``."""

    def __init__(self, vocabulary: int, length: int, width: int, rng: np.random.Generator):
        super().__init__()
        self.embedding = Embedding(vocabulary, width, rng=rng)
        self.position = Variable(0.5 * rng.standard_normal((length, width)), "position")
        self.q = Linear(width, width, bias=False, rng=rng)
        self.k = Linear(width, width, bias=False, rng=rng)
        self.v = Linear(width, width, bias=False, rng=rng)
        self.head = Linear(width, vocabulary, rng=rng)

    def forward(self, tokens: np.ndarray) -> tuple[Node, Node]:
        """The token scores (L, vocabulary) and the attention weights (L, L)."""
        x = _named(self.embedding(tokens) + self.position, "tokens")
        out, weights = attention(self.q(x), self.k(x), self.v(x))
        return _named(self.head(out), "scores"), weights


def attention_head() -> Built:
    """One head of attention over six tokens learning to reverse them: who attends to whom
    is the weights node, a 6 x 6 map with the tokens on its axes."""
    tokens, targets, letters = _reversal()
    model = AttentionHead(len(LETTERS), len(tokens), 8, np.random.default_rng(0))
    _call({model.embedding.weight: "E", model.position: "P", **_linear_names(model.q, "q"),
           **_linear_names(model.k, "k"), **_linear_names(model.v, "v"), **_linear_names(model.head, "y")})
    scores, weights = model(tokens)
    loss = _named(cross_entropy(scores, targets), "loss")
    graph = Graph(loss)
    _call(_one_hot_names(graph))
    return Built(graph, loss, None, (model.q.weight,),
                 f"one attention head on the tokens {' '.join(letters)}, to be reversed: softmax(q kᵀ/√d) v, "
                 "its weights a map of queries by keys", model, axis_labels={weights: (letters, letters)})


#: The transformer block's parts, drawn as one box each when it opens: (its modules, the box).
BLOCK_PARTS = ((("norm1",), "LN 1"), (("self_attn",), "attn"), (("norm2",), "LN 2"),
               (("linear1", "activation", "linear2"), "MLP"))


def _regroup(graph: Graph, block: Module) -> frozenset[Scope]:
    """Put the nodes of each of the block's parts into a scope named as on the board (the MLP's
    two linear layers and its GELU in one), inside a box named "block" (its caption fits over
    the row of parts); those scopes, to collapse."""
    outer = (block.label,)
    boxes = {}
    for modules, box in BLOCK_PARTS:
        for module in modules:
            boxes[outer + (getattr(block, module).label,)] = ("block", box)
    for node in graph.nodes:
        if node.scope[:2] in boxes:
            node.scope = boxes[node.scope[:2]] + node.scope[2:]
        elif node.scope[:1] == outer:  # the residual sums
            node.scope = ("block",) + node.scope[1:]
    return frozenset(boxes.values())


def transformer_block() -> Built:
    """A pre-norm TransformerBlock (two heads) over six embedded tokens, then token scores.
    It opens as the board draws it, LN 1 - attn - + - LN 2 - MLP - +, a box per part."""
    tokens, targets, letters = _reversal()
    rng = np.random.default_rng(0)
    model = Sequential({"embedding": Embedding(len(LETTERS), 8, rng=rng),
                        "block": TransformerBlock(8, 2, 16, rng=rng),
                        "head": Linear(8, len(LETTERS), rng=rng)})
    block = model.block
    _call({model.embedding.weight: "E", block.norm1.weight: "γ1", block.norm1.bias: "β1",
           block.norm2.weight: "γ2", block.norm2.bias: "β2", **_linear_names(block.self_attn.out_proj, "o"),
           **_linear_names(block.linear1, "1"), **_linear_names(block.linear2, "2"),
           **_linear_names(model.head, "y")})
    x = _named(model.embedding(tokens), "tokens")
    scores = _named(model.head(_named(block(x), "block output")), "scores")
    loss = _named(cross_entropy(scores, targets), "loss")
    graph = Graph(loss)
    _call(_one_hot_names(graph))
    weights = block.self_attn.head_weights
    return Built(graph, loss, None, (block.self_attn.in_proj_weight,),
                 f"a transformer block on {' '.join(letters)}: LayerNorm, 2 attention heads, a GELU MLP, "
                 "residuals (double-click a box to open it)", model, axis_labels={weights: (letters, letters)},
                 collapsed=_regroup(graph, block))


def next_character() -> Built:
    """A small CharModel (Embedding - LSTM - Linear) reading a name from the shipped novel,
    each character's next one its target."""
    text = shipped_text()
    codes = text.vocabulary.encode(SNIPPET)
    model = CharModel(text.vocabulary, embedding_dim=8, hidden_size=12, rng=np.random.default_rng(0))
    _call({model.embedding.weight: "E", **_recurrent_names(model.rnn), **_linear_names(model.head, "y")})
    unrolled = Unrolled(model, len(codes) - 1, 1)
    unrolled.feed(codes[:-1, None], codes[1:, None])
    unrolled.graph.forward()
    graph = unrolled.graph
    _call({unrolled.loss: "loss", unrolled.losses: "losses", unrolled.logits: "scores", **_one_hot_names(graph)})
    gates = _box_input_gates(graph) | {_box(next(n for n in graph.nodes if n.name == "output"), "h_1:T")}
    tag_scope(unrolled.losses, ("CE",))  # the cross-entropy's five steps, one box until opened
    return Built(graph, unrolled.loss, None, (model.embedding.weight,),
                 f"a next-character LSTM reading {SNIPPET!r} from the shipped novel, {len(codes) - 1} steps, each "
                 "character's next one its target", model, collapsed=_time_steps(graph) | gates | {("CE",)})
