"""A next-character model: Embedding → LSTM (or GRU) → Linear to the vocabulary, as a
char-rnn is written in torch; its training, its exact test loss and a sampler.

The graph is built once for a window length T and a batch size N (an :class:`Unrolled`) and
fed again for every batch: the characters go in as one-hot rows of a Constant, and the
embedding is their product with the table, which picks the same rows ``Embedding`` would pick
(a gather holds its indices inside its node, so each batch would need a new graph).
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import Constant, Graph, Node, matmul, mean, reshape
from .clipping import clip_grad_norm_
from .datasets.text import CharText, Vocabulary
from .layers import Embedding, Linear, check_size
from .losses import cross_entropy
from .module import Module
from .optimisers import Adam, Optimiser
from .recurrent import GRU, LSTM

CELLS = {"LSTM": LSTM, "GRU": GRU}


class CharModel(Module):
    """Characters in, scores for the next character out: Embedding → LSTM or GRU → Linear.

    Parameters
    ----------
    vocabulary : Vocabulary or str
        The characters it reads and writes (a string is taken as the characters in code order).
    embedding_dim, hidden_size, num_layers : int
    cell : {"LSTM", "GRU"}
    rng : numpy Generator, optional
        Draws the embedding, then the recurrent layer, then the head (a new ``default_rng(0)``
        if not given).

    Its ``state_dict`` keys are those of the same torch model with attributes ``embedding``,
    ``rnn`` and ``head``: ``embedding.weight``, ``rnn.weight_ih_l0``, ..., ``head.bias``.
    """

    def __init__(self, vocabulary: Vocabulary | str, embedding_dim: int = 16, hidden_size: int = 64,
                 num_layers: int = 1, cell: str = "LSTM", rng: np.random.Generator | None = None):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"CharModel: cell must be one of {', '.join(CELLS)}, got {cell!r}")
        check_size("CharModel", embedding_dim=embedding_dim, hidden_size=hidden_size, num_layers=num_layers)
        rng = rng if rng is not None else np.random.default_rng(0)
        self.vocabulary = vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary(vocabulary)
        size = len(self.vocabulary)
        self.embedding = Embedding(size, embedding_dim, rng=rng)
        self.rnn = CELLS[cell](embedding_dim, hidden_size, num_layers, rng=rng)
        self.head = Linear(hidden_size, size, rng=rng)

    def forward(self, x: Node, hx: object = None) -> tuple[Node, object]:
        """Scores (T, N, vocabulary) from one-hot characters x (T, N, vocabulary), and the state
        after the last step (the recurrent layer's, see :meth:`RNNBase.forward`)."""
        size = len(self.vocabulary)
        if x.value.ndim != 3 or x.shape[2] != size:
            raise ValueError(f"CharModel: the input must be one-hot characters of shape (T, N, {size}), "
                             f"got {x.shape}")
        output, state = self.rnn(matmul(x, self.embedding.weight), hx)
        return self.head(output), state

    def extra_repr(self) -> str:
        return f"vocabulary of {len(self.vocabulary)} characters"


class Unrolled:
    """A model's graph for windows of ``length`` characters of ``batch_size`` sequences: built
    once, fed again by :meth:`feed`.

    Parameters
    ----------
    model : CharModel
    length, batch_size : int
    carry_state : bool
        Start from a state that :meth:`carry` sets to the last one (to read a text in
        consecutive windows); otherwise from zeros at every window.

    Attributes
    ----------
    losses : Node (length · batch_size,)
        −log p(target) per character, time-major (row t·N + j is step t of sequence j).
    loss : Node
        Their mean, the training loss.
    logits : Node (length, batch_size, vocabulary)
    graph : Graph
    """

    def __init__(self, model: CharModel, length: int, batch_size: int, carry_state: bool = False):
        check_size("Unrolled", length=length, batch_size=batch_size)
        self.model, self.length, self.batch_size = model, int(length), int(batch_size)
        size = len(model.vocabulary)
        self._eye = np.eye(size)
        self.x = Constant(np.zeros((self.length, self.batch_size, size)), "x (one-hot)")
        self.y = Constant(np.zeros((self.length * self.batch_size, size)), "y (one-hot)")
        self.initial: tuple[Constant, ...] = ()
        hx = None
        if carry_state:
            shape = (model.rnn.num_layers, self.batch_size, model.rnn.hidden_size)
            self.initial = tuple(Constant(np.zeros(shape), f"{name}0") for name in model.rnn.state_names)
            hx = self.initial if len(self.initial) > 1 else self.initial[0]
        self.logits, state = model(self.x, hx)
        self.final = state if isinstance(state, tuple) else (state,)
        flat = reshape(self.logits, (self.length * self.batch_size, size))
        self.losses = cross_entropy(flat, self.y, reduction="none")
        self.loss = mean(self.losses)
        self.graph = Graph(self.loss, *self.final) if carry_state else Graph(self.loss)

    def feed(self, inputs: np.ndarray, targets: np.ndarray | None = None) -> None:
        """Put character codes (length, batch_size) and their next characters into the graph
        (targets default to code 0: for sampling, where no loss is read)."""
        want = (self.length, self.batch_size)
        inputs = np.asarray(inputs)
        targets = np.zeros(want, dtype=np.int64) if targets is None else np.asarray(targets)
        if inputs.shape != want or targets.shape != want:
            raise ValueError(f"Unrolled: inputs and targets must be codes of shape {want} (length, batch), "
                             f"got {inputs.shape} and {targets.shape}")
        size = len(self._eye)
        for name, codes in (("inputs", inputs), ("targets", targets)):
            if codes.dtype.kind not in "iu" or codes.min() < 0 or codes.max() >= size:
                raise ValueError(f"Unrolled: {name} must be character codes from 0 to {size - 1}, got "
                                 f"{codes.min()}..{codes.max()} ({codes.dtype})")
        self.x.value = self._eye[inputs]
        self.y.value = self._eye[targets.reshape(-1)]

    def carry(self) -> None:
        """Start the next window from the state the last forward pass ended in."""
        for start, end in zip(self.initial, self.final):
            start.value = np.array(end.value)

    def reset(self) -> None:
        """Start the next window from zeros."""
        for start in self.initial:
            start.value = np.zeros_like(start.value)


def train(model: CharModel, data: CharText, steps: int, length: int = 32, batch_size: int = 32,
          optimiser: Optimiser | None = None, max_norm: float | None = 1.0,
          rng: np.random.Generator | int = 0) -> list[float]:
    """Train on ``steps`` batches of random windows of the train part; the loss of each.

    Parameters
    ----------
    model : CharModel
    data : CharText
        Coded with the model's vocabulary.
    steps, length, batch_size : int
        Batches, window length T and windows per batch N.
    optimiser : Optimiser, optional
        Adam at lr 0.003 over the model's parameters if not given.
    max_norm : float or None
        Clip the gradients to this global norm (None: no clipping).
    rng : numpy Generator or int
        Draws the windows.

    Returns
    -------
    list of float
        The mean cross-entropy of each batch before its step, in nats per character.
    """
    check_size("train", steps=steps)
    if data.vocabulary != model.vocabulary:
        raise ValueError(f"train: the text {data.name!r} is coded with {len(data.vocabulary)} characters, "
                         f"the model with {len(model.vocabulary)} others; build the model on data.vocabulary")
    rng = np.random.default_rng(rng)
    parameters = list(model.parameters())
    optimiser = optimiser if optimiser is not None else Adam(parameters, lr=0.003)
    unrolled = Unrolled(model, length, batch_size)
    losses = []
    for _ in range(steps):
        unrolled.feed(*data.windows(length, batch_size, rng))
        unrolled.graph.forward()
        unrolled.graph.backward(unrolled.loss)
        losses.append(float(unrolled.loss.value))
        if max_norm is not None:
            clip_grad_norm_(parameters, max_norm)
        optimiser.step()
    return losses


def evaluate(model: CharModel, data: CharText, part: str = "test", length: int = 64,
             batch_size: int = 64) -> float:
    """The mean cross-entropy over every (character, next character) pair of a part, in nats.

    The part is read as ``batch_size`` consecutive streams (:meth:`CharText.streams`) in
    windows of ``length``, the state carried across windows: each character is predicted
    once, from everything before it in its stream, so the figure compares with
    :meth:`CharText.bigram_loss`, which averages over the same pairs.
    """
    inputs, targets, real = data.streams(batch_size, part)
    rows = -(-inputs.shape[0] // length) * length
    pad = ((0, rows - inputs.shape[0]), (0, 0))
    inputs, targets, real = (np.pad(a, pad) for a in (inputs, targets, real))
    unrolled = Unrolled(model, length, batch_size, carry_state=True)
    total = 0.0
    for start in range(0, rows, length):
        window = slice(start, start + length)
        unrolled.feed(inputs[window], targets[window])
        unrolled.graph.forward()
        total += float(unrolled.losses.value[real[window].reshape(-1)].sum())
        unrolled.carry()
    return total / int(real.sum())


def sample(model: CharModel, start: str, length: int, temperature: float = 1.0,
           rng: np.random.Generator | int | None = None) -> str:
    """``start`` followed by ``length`` characters drawn one at a time from the model.

    Parameters
    ----------
    model : CharModel
    start : str
        One or more characters of the model's vocabulary, read first.
    length : int
        Characters to generate (0 gives ``start`` back).
    temperature : float
        The scores are divided by it before the softmax: below 1 sharper, above 1 flatter;
        0 takes the likeliest character every time.
    rng : numpy Generator or int, optional
        Draws the characters (``default_rng(0)`` if not given): the same seed, the same text.

    Raises
    ------
    ValueError
        An empty start or one with a character outside the vocabulary, a negative length or
        a negative or non-finite temperature.
    """
    if not start:
        raise ValueError("sample: start must hold at least one character to read first, e.g. '\\n'")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"sample: length must be a whole number >= 0, got {length!r}")
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"sample: temperature must be 0 (greedy) or positive, got {temperature}")
    codes = list(model.vocabulary.encode(start))
    rng = np.random.default_rng(0 if rng is None else rng)
    step = Unrolled(model, 1, 1, carry_state=True)
    for i in range(len(codes) - 1 + length):
        step.feed(np.array([[codes[i]]]))
        step.graph.forward()
        step.carry()
        if i >= len(codes) - 1:
            codes.append(_draw(step.logits.value[0, 0], temperature, rng))
    return model.vocabulary.decode(np.array(codes))


def _draw(scores: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """A code drawn from softmax(scores / temperature); the largest score for temperature 0."""
    if temperature == 0:
        return int(np.argmax(scores))
    z = scores / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(p.size, p=p / p.sum()))


def parameter_count(model: Module) -> int:
    """The number of weights in ``model``."""
    return sum(p.value.size for p in model.parameters())


__all__ = ["CELLS", "CharModel", "Unrolled", "evaluate", "parameter_count", "sample", "train"]
