"""What the window shows of a training run at the weights its network holds: the epoch, each
layer's weight matrix by name, and the decision boundary of a 2-D set. Qt-free.

The picture is computed from the network itself, never kept from the last training update:
going back to epoch 12 of 300 showed epoch 12's weights in the graph but epoch 300's boundary
and weight maps (W1 read ±6.6 where the weights were within ±1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn import Network, PerceptronNet
from .model_training import SpecNetwork
from .training import Boundary, TrainingRun, boundary


@dataclass(frozen=True, eq=False)
class RunPicture:
    """A run as its views show it.

    Attributes
    ----------
    epoch : int
        The epoch whose weights the network holds (0 before training).
    weights : tuple of (str, ndarray)
        Each layer's weight matrix, inputs by units, with its name (copies).
    boundary : Boundary or None
        The decision boundary of a 2-D classifier at these weights.
    """

    epoch: int
    weights: tuple[tuple[str, np.ndarray], ...]
    boundary: Boundary | None


def weight_matrices(network: Network | SpecNetwork) -> tuple[tuple[str, np.ndarray], ...]:
    """Each layer's weight matrix (inputs × units) by name, as copies.

    A LayerNet's are its 2-D parameters (W1, W2, ...). A PerceptronNet holds one scalar per
    weight (w1.11, w1.21, ...): they are gathered into W1, W2, ... of the same shapes, so both
    kinds of network show the same maps (a perceptron net showed none). A spec model's are its
    own (:meth:`~graphviz_nn.session.model_training.SpecNetwork.weight_matrices`).
    """
    if isinstance(network, SpecNetwork):
        return network.weight_matrices()
    if isinstance(network, PerceptronNet):
        sizes = network.sizes
        matrices = []
        for k, (_, params) in enumerate(network.layers, start=1):
            # Unit by unit: each unit's weights from every input, then its bias.
            values = [float(np.ravel(p.value)[0]) for p in params if p.label.startswith("w")]
            assert len(values) == sizes[k - 1] * sizes[k], (k, len(values), sizes)
            matrices.append((f"W{k}", np.array(values).reshape(sizes[k], sizes[k - 1]).T.copy()))
        return tuple(matrices)
    return tuple((p.label, np.array(p.value, copy=True)) for _, params in network.layers for p in params
                 if np.ndim(p.value) == 2)


def at_epoch(run: TrainingRun) -> int:
    """The epoch whose weights ``run``'s network holds."""
    return run.at_epoch if run.at_epoch is not None else run.trainer.epochs_done


def picture(run: TrainingRun) -> RunPicture:
    """The run at the weights its network holds now. The boundary feeds the grid through the
    network, so the few training rows whose passes the window steps through go back in after."""
    shown = None
    if run.grid is not None:
        shown = boundary(run.network, *run.grid, run.network_inputs)
        run.show_rows()
    return RunPicture(at_epoch(run), weight_matrices(run.network), shown)
