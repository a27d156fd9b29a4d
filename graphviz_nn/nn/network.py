"""What LayerNet and PerceptronNet share: data in, predictions and loss out, parameters."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..engine import Graph, Node, Variable
from ..engine.node import tag_scope  # noqa: F401 - the networks tag their pieces with it


class Network:
    """A network as graph nodes: fed rows of X, it holds predictions and a loss.

    Subclasses set ``graph``, ``loss``, ``logits``, ``outputs`` (the prediction nodes),
    ``layers`` (name and parameters of each layer), ``n_inputs``, ``n_outputs``,
    ``output_activation`` and ``loss_name``, and implement :meth:`set_data`.
    """

    graph: Graph
    loss: Node
    outputs: tuple[Node, ...]
    layers: tuple[tuple[str, tuple[Variable, ...]], ...]
    n_inputs: int
    n_outputs: int
    output_activation: str
    loss_name: str
    normalise: bool = False

    @property
    def parameters(self) -> tuple[Variable, ...]:
        return tuple(p for _, params in self.layers for p in params)

    @property
    def loss_is_sum(self) -> bool:
        """True for the summed squared error, whose value grows with the number of rows."""
        return self.loss_name == "sse"

    _fed: tuple[np.ndarray, np.ndarray] | None = None

    def set_data(self, X: np.ndarray, targets: np.ndarray) -> None:
        """Put rows of X and their encoded targets into the graph's input nodes.

        Raises
        ------
        ValueError
            When X does not have ``n_inputs`` columns or the targets do not fit the outputs.
        """
        self._fed = None  # whatever feed() loaded is gone, even if the checks below fail
        X = self._check_inputs(X)
        targets = np.asarray(targets, dtype=np.float64)
        if targets.shape != (X.shape[0], self.n_outputs):
            raise ValueError(f"targets must have shape {(X.shape[0], self.n_outputs)}, got {targets.shape}")
        self._load(X, targets)

    def _load(self, X: np.ndarray, targets: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def feed(self, X: np.ndarray, targets: np.ndarray) -> None:
        """:meth:`set_data`, skipped when these very arrays are already loaded (full batches)."""
        fed = self._fed
        if fed is not None and fed[0] is X and fed[1] is targets:
            return
        self.set_data(X, targets)
        self._fed = (X, targets)

    def fit_normalisation(self, X: np.ndarray) -> None:
        """Networks with input normalisation take its statistics from the training rows."""

    def encode_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the output layer sees them: a column for one output, one-hot for several."""
        y = np.asarray(y)
        if self.n_outputs == 1:
            return y.astype(np.float64).reshape(-1, 1)
        if y.ndim == 2:
            return y.astype(np.float64)
        if y.min() < 0 or y.max() >= self.n_outputs:
            raise ValueError(f"class labels must lie in 0..{self.n_outputs - 1}, got {y.min()}..{y.max()}")
        return np.eye(self.n_outputs)[y.astype(np.int64)]

    def _check_inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(
                f"the network takes rows of {self.n_inputs} features; got an array of shape {X.shape}"
            )
        return X

    def predictions(self) -> np.ndarray:
        """The current output values as (rows, outputs)."""
        if len(self.outputs) == 1:
            return np.asarray(self.outputs[0].value).reshape(self.outputs[0].value.shape[0], -1)
        return np.column_stack([np.ravel(o.value) for o in self.outputs])

    def classify(self, predictions: np.ndarray) -> np.ndarray:
        """Class indices: above 0.5 for one output (0 for tanh), else the largest output."""
        if predictions.shape[1] == 1:
            threshold = 0.0 if self.output_activation == "tanh" else 0.5
            return (predictions[:, 0] > threshold).astype(np.int64)
        return np.argmax(predictions, axis=1)

    def correct_counter(self) -> Callable[[np.ndarray], int]:
        """A function counting how many rows the current outputs classify as ``y`` (class indices).

        The same count as ``classify(predictions()) == y`` (as a numpy integer), without the
        detours: the output layout is looked up once here, not at every batch of training.
        """
        count_nonzero = np.count_nonzero
        if len(self.outputs) != 1:  # one node per output (PerceptronNet)
            return lambda y: count_nonzero(self.classify(self.predictions()) == y)
        node = self.outputs[0]
        if self.n_outputs == 1:
            threshold = 0.0 if self.output_activation == "tanh" else 0.5

            def count_thresholded(y: np.ndarray) -> int:
                value = node.value
                if value.ndim == 2:
                    value = value[:, 0]
                return count_nonzero((value > threshold) == y)

            return count_thresholded
        return lambda y: count_nonzero(node.value.argmax(axis=1) == y)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and predictions on some rows (the graph keeps those rows afterwards)."""
        self._fed = None
        self.set_data(X, self.encode_targets(y))
        self.graph.forward()
        return float(self.loss.value), self.predictions()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for rows of X, shape (rows, outputs)."""
        X = self._check_inputs(X)
        self._fed = None
        self.set_data(X, np.zeros((X.shape[0], self.n_outputs)))
        self.graph.forward()
        return self.predictions()

    def parameter_values(self) -> list[np.ndarray]:
        """Copies of every parameter's value, in :attr:`parameters` order."""
        return [p.value.copy() for p in self.parameters]

    def load_parameter_values(self, values: Sequence[np.ndarray]) -> None:
        """Put saved parameter values back (shapes must match)."""
        params = self.parameters
        if len(values) != len(params):
            raise ValueError(f"expected {len(params)} arrays, got {len(values)}")
        for p, v in zip(params, values):
            v = np.asarray(v, dtype=np.float64)
            if v.shape != p.value.shape:
                raise ValueError(f"parameter {p.label}: expected shape {p.value.shape}, got {v.shape}")
            p.value = v.copy()
