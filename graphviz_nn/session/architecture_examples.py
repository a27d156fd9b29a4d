"""Gallery examples of the architectures: a convolution, a small CNN, recurrences, attention,
a transformer block and a next-character model, each small enough to open in under a second
and step node by node, built from the real layers of :mod:`graphviz_nn.nn`.

Each builder returns a :class:`~graphviz_nn.session.built.Built` whose ``network`` is the
model (a :class:`~graphviz_nn.nn.Module`). An unrolled recurrence opens with each time step
collapsed into a box (``Built.collapsed``), opened with a double-click.
"""

from __future__ import annotations

import numpy as np

from ..engine import Constant, Function, Graph, Node, Variable, mean
from ..layout import all_scopes
from ..nn import (GRU, LSTM, RNN, Conv2d, Embedding, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential,
                  TransformerBlock, attention, cross_entropy, datasets)
from ..nn.datasets.text import shipped_text
from ..nn.next_character import CharModel, Unrolled
from .built import Built

Scope = tuple[str, ...]

#: The time steps of the recurrence examples: enough for the gradient to fade through an
#: RNN's steps, few enough to open in well under a second.
STEPS = 12
#: The tokens of the attention examples, as letters (a token's index is its letter's place).
LETTERS = "ABCDEFGH"
#: Sobel's filter for vertical edges: what the convolution example's filter learns to be.
SOBEL = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
#: The start of the shipped novel's first sentence, which the next-character example reads.
SNIPPET = "Sir Walter Elliot"


def _named(node: Node, name: str) -> Node:
    node.name = name
    return node


def _squared_error(prediction: Node, target: Node, what: str = "") -> Node:
    """mean((prediction − target)²), its difference named "error" (``what`` before the names)."""
    error = _named(prediction - target, f"{what} error".strip())
    return _named(mean(error ** 2), f"{what} loss".strip())


def _time_steps(graph: Graph) -> frozenset[Scope]:
    """The scopes of an unrolled recurrence's steps ("t 3", inside its layer's scope)."""
    return frozenset(s for s in all_scopes(graph) if s[-1].startswith("t ") and s[-1][2:].isdigit())


def _box_the_stacking(output: Node) -> Scope:
    """Put the nodes that stack a recurrent layer's steps into its ``output`` (a tree of pads and
    sums, 2T − 1 of them, drawn among the steps otherwise) in a scope of their own, returned."""
    layer = output.scope
    scope = layer + ("output",)
    stack = [output]
    while stack:
        node = stack.pop()
        if isinstance(node, Function) and node.scope == layer:
            node.scope = scope
            stack.extend(node.inputs)
    return scope


def _digits(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` digit images, grey levels scaled to 0-1, (count, 1, 8, 8), and labels."""
    X, y = datasets.images("digits")
    return X[:count] / 16.0, y[:count]


def _correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A 2-D cross-correlation without padding, as Conv2d computes it, in numpy."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def convolution() -> Built:
    """One 3 x 3 filter slid over one handwritten digit, its feature map compared with the
    digit's vertical edges (Sobel's filter): the filter's gradient sums over every place it sat."""
    image, _ = _digits(1)
    conv = Conv2d(1, 1, 3, rng=np.random.default_rng(0))
    feature_map = _named(conv(Constant(image, "digit")), "feature map")
    loss = _squared_error(feature_map, Constant(_correlate(image[0, 0], SOBEL)[None, None], "edges"))
    return Built(Graph(loss), loss, None, (conv.weight, conv.bias),
                 "one 3×3 filter on an 8×8 digit learning its vertical edges: each filter entry's gradient "
                 "sums over the 36 places it sat", conv)


def cnn_digits() -> Built:
    """Conv2d(1, 4, 3) - ReLU - MaxPool2d(2) - Flatten - Linear(36, 10) on eight digits,
    scored by cross-entropy; each layer's output named for what it holds."""
    images, labels = _digits(8)
    rng = np.random.default_rng(0)
    model = Sequential(Conv2d(1, 4, 3, rng=rng), ReLU(), MaxPool2d(2), Flatten(), Linear(36, 10, rng=rng))
    x = Constant(images, "digits")
    for layer, name in zip(model, ("feature maps", "rectified", "pooled", "flat", "scores")):
        x = _named(layer(x), name)  # each layer called on its own: one box per layer, not a box around all
    loss = _named(cross_entropy(x, labels), "loss")
    return Built(Graph(loss), loss, None, (model[0].weight,),
                 "a CNN (4 filters of 3×3, ReLU, 2×2 max-pooling, a linear layer) on 8 digits, cross-entropy",
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
            self.add_module(f"{name}_head", Linear(cell.hidden_size, 1, rng=rng))

    def forward(self, x: Node) -> dict[str, Node]:
        """Each head's prediction from its layer's last h, (1, N, 1), by layer name."""
        predictions = {}
        for name in self.names:
            _, state = getattr(self, name)(x)
            last = state[0] if isinstance(state, tuple) else state  # the LSTM's (h, c): its h
            predictions[name] = _named(getattr(self, f"{name}_head")(last), f"{name} prediction")
        return predictions


def _recurrences(**cells: Module) -> Built:
    """The adding problem's sequence through each layer, and the sum of their squared errors."""
    x, y = datasets.adding_problem(1, STEPS, seed=0)
    model = Readers(np.random.default_rng(1), **cells)
    target = Constant(y[None], "target")
    predictions = model.forward(Constant(x, "x"))
    losses = [_squared_error(p, target, name if len(cells) > 1 else "") for name, p in predictions.items()]
    loss = losses[0]
    for more in losses[1:]:
        loss = _named(loss + more, "loss")
    graph = Graph(loss)
    names = " and an ".join(type(cell).__name__ for cell in cells.values())
    return Built(graph, loss, None, (next(model.parameters()),),
                 f"the adding problem's {STEPS} steps through an {names}, a box per step (double-click "
                 "opens it)", model, collapsed=_time_steps(graph))


def rnn_vs_lstm() -> Built:
    """The same sequence through an RNN and an LSTM of the same width, their squared errors
    summed, so that one backward pass runs back through the time steps of both."""
    rng = np.random.default_rng(0)
    return _recurrences(rnn=RNN(2, 6, rng=rng), lstm=LSTM(2, 6, rng=rng))


def gru() -> Built:
    """A GRU on the adding problem's sequence: gates r, z and n at every step."""
    return _recurrences(gru=GRU(2, 6, rng=np.random.default_rng(0)))


def _reversal(length: int = 6, seed: int = 3) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """One token sequence of the reverse task, its targets, and its tokens as letters."""
    tokens, targets = datasets.reverse_task(1, length, vocab_size=len(LETTERS), seed=seed)
    return tokens[:, 0], targets[:, 0], tuple(LETTERS[t] for t in tokens[:, 0])


class AttentionHead(Module):
    """Tokens embedded with their positions, one head of attention, and a linear head to
    token scores: ``embedding``, ``position``, ``query``, ``key``, ``value``, ``head``."""

    def __init__(self, vocabulary: int, length: int, width: int, rng: np.random.Generator):
        super().__init__()
        self.embedding = Embedding(vocabulary, width, rng=rng)
        self.position = Variable(0.5 * rng.standard_normal((length, width)), "position")
        self.query = Linear(width, width, bias=False, rng=rng)
        self.key = Linear(width, width, bias=False, rng=rng)
        self.value = Linear(width, width, bias=False, rng=rng)
        self.head = Linear(width, vocabulary, rng=rng)

    def forward(self, tokens: np.ndarray) -> tuple[Node, Node]:
        """The token scores (L, vocabulary) and the attention weights (L, L)."""
        x = _named(self.embedding(tokens) + self.position, "tokens")
        out, weights = attention(self.query(x), self.key(x), self.value(x))
        return _named(self.head(out), "scores"), weights


def attention_head() -> Built:
    """One head of attention over six tokens learning to reverse them: who attends to whom
    is the weights node, a 6 x 6 map with the tokens on its axes."""
    tokens, targets, letters = _reversal()
    model = AttentionHead(len(LETTERS), len(tokens), 8, np.random.default_rng(0))
    scores, weights = model.forward(tokens)  # its layers' boxes side by side, not inside one
    loss = _named(cross_entropy(scores, targets), "loss")
    return Built(Graph(loss), loss, None, (model.query.weight,),
                 f"one attention head on the tokens {' '.join(letters)}, to be reversed: softmax(q kᵀ/√d) v, "
                 "its weights a map of queries by keys", model, axis_labels={weights: (letters, letters)})


def transformer_block() -> Built:
    """A pre-norm TransformerBlock (two heads) over six embedded tokens, then token scores;
    its norms and linear layers open collapsed, so the residual stream and attention stand out."""
    tokens, targets, letters = _reversal()
    rng = np.random.default_rng(0)
    model = Sequential({"embedding": Embedding(len(LETTERS), 8, rng=rng),
                        "block": TransformerBlock(8, 2, 16, rng=rng),
                        "head": Linear(8, len(LETTERS), rng=rng)})
    x = _named(model.embedding(tokens), "tokens")
    scores = _named(model.head(_named(model.block(x), "block output")), "scores")
    loss = _named(cross_entropy(scores, targets), "loss")
    graph = Graph(loss)
    parts = frozenset(s for s in all_scopes(graph) if s[-1].split(": ")[-1] in ("Linear", "LayerNorm", "GELU")
                      and s[:1] == (model.block.label,))
    weights = model.block.self_attn.head_weights
    return Built(graph, loss, None, (model.block.self_attn.in_proj_weight,),
                 f"a transformer block (LayerNorm, 2 attention heads, a GELU MLP, residuals) on "
                 f"{' '.join(letters)}", model, axis_labels={weights: (letters, letters)}, collapsed=parts)


def next_character() -> Built:
    """A small CharModel (Embedding - LSTM - Linear) reading the first words of the shipped
    novel, each character's next one its target."""
    text = shipped_text()
    codes = text.vocabulary.encode(SNIPPET)
    model = CharModel(text.vocabulary, embedding_dim=8, hidden_size=12, rng=np.random.default_rng(0))
    unrolled = Unrolled(model, len(codes) - 1, 1)
    unrolled.feed(codes[:-1, None], codes[1:, None])
    unrolled.graph.forward()
    graph = unrolled.graph
    _named(unrolled.loss, "loss")
    _named(unrolled.losses, "losses")
    stacking = _box_the_stacking(next(n for n in graph.nodes if n.name == "output"))
    return Built(graph, unrolled.loss, None, (model.embedding.weight,),
                 f"a next-character LSTM reading {SNIPPET!r}, {len(codes) - 1} steps, each character's next "
                 "one its target", model, collapsed=_time_steps(graph) | {stacking})
