"""A trained dense network as a PyTorch module, with its weights embedded in the same file.

The file defines ``Network(nn.Module)``: float64 ``nn.Linear`` layers named after the network's
scopes (``layer1``, ``layer2``, ..., ``output``), the normalisation's statistics as the buffers
``mean`` and ``std``, and ``STATE``: the state dict as plain nested lists of exact float
literals (no pickle, no file beside it). ``load_model()`` builds the module and loads ``STATE``;
``predict(X)`` runs it on rows of inputs. torch stores a Linear layer's weight as
(outputs, inputs), the transpose of the network's ``W``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..nn.datasets import Standardisation
from ..nn.network import Network
from .atomic import write_atomic
from .model_code import CSV_MAIN, INPUT_CHECK, dense_model, float_list, names_literal, usage

#: Each activation as a torch expression of ``z``.
TORCH_ACTIVATIONS = {
    "sigmoid": "torch.sigmoid({})",
    "tanh": "torch.tanh({})",
    "relu": "torch.relu({})",
    "leaky_relu": "nn.functional.leaky_relu({}, 0.01)",
    "softmax": "torch.softmax({}, dim=-1)",
    "identity": "{}",
}


def torch_module(net: Network, input_names: Sequence[str] | None = None,
                 scaling: Standardisation | None = None) -> str:
    """A Python file defining a float64 ``torch.nn.Module`` that computes the network's predictions.

    The parameters are those of :func:`~.model_code.numpy_script`: the network, its inputs'
    names and the run's scaling of rows, if any.

    Returns
    -------
    str
        The file's source: the class ``Network``, ``STATE`` (its state dict as lists of exact
        floats), ``load_model()``, ``predict(X)``, and a CSV reader when run as a program.
    """
    model = dense_model(net, scaling)
    init, forward, state = [], [], []
    if model.mean is not None:
        n = model.sizes[0]
        init += [f"        self.register_buffer(\"mean\", torch.zeros({n}, dtype=torch.float64))",
                 f"        self.register_buffer(\"std\", torch.ones({n}, dtype=torch.float64))"]
        forward.append("        x = (x - self.mean) / self.std")
        state += [f"    \"mean\": {float_list(model.mean, '    ')},", f"    \"std\": {float_list(model.std, '    ')},"]
    last = len(model.weights) - 1
    for k, (name, W, b) in enumerate(zip(model.layer_names, model.weights, model.biases)):
        init.append(f"        self.{name} = nn.Linear({W.shape[0]}, {W.shape[1]}, bias={b is not None}, "
                    "dtype=torch.float64)")
        activation = model.output_activation if k == last else model.activation
        step = TORCH_ACTIVATIONS[activation].format(f"self.{name}(x)")
        forward.append(f"        return {step}" if k == last else f"        x = {step}")
        state.append(f"    \"{name}.weight\": {float_list(W.T, '    ')},")
        if b is not None:
            state.append(f"    \"{name}.bias\": {float_list(b, '    ')},")
    doc = usage("PyTorch", model, "torch and numpy",
                "``from FILE import load_model; load_model()(x)`` with x a float64 tensor of shape\n"
                f"(rows, {model.sizes[0]}), or ``predict(X)`` with a numpy array. The state dict is STATE, as\n"
                "nested lists of exact floats: ``Network().load_state_dict(state_dict())``.")
    return "\n".join([
        "#!/usr/bin/env python3", doc, "",
        "import sys", "", "import numpy as np", "import torch", "from torch import nn",
        "from math import inf, nan  # noqa: F401 - weights may be inf or nan", "",
        f"INPUTS = {names_literal(input_names, model.sizes[0])}", "", "",
        "class Network(nn.Module):",
        f'    """{model.summary}."""', "",
        "    def __init__(self):",
        "        super().__init__()", *init, "",
        "    def forward(self, x):", *forward, "", "",
        "# The state dict: each Linear layer's weight is (outputs, inputs).",
        "STATE = {", *state, "}", "", "",
        "def state_dict():",
        '    """STATE as float64 tensors, for ``Network().load_state_dict``."""',
        "    return {key: torch.tensor(value, dtype=torch.float64) for key, value in STATE.items()}", "", "",
        "def load_model():",
        '    """The network with its trained weights, in evaluation mode."""',
        "    model = Network()",
        "    model.load_state_dict(state_dict())",
        "    return model.eval()", "", "",
        "def predict(X):",
        '    """Predictions for rows of inputs as a numpy array of (rows, outputs)."""',
        INPUT_CHECK,
        "    with torch.no_grad():",
        "        return load_model()(torch.from_numpy(X)).numpy()", "", CSV_MAIN,
    ])


def write_torch_module(net: Network, path: str | Path, input_names: Sequence[str] | None = None,
                       scaling: Standardisation | None = None) -> Path:
    """Write :func:`torch_module` to ``path`` atomically (never a folder or other non-file); the path."""
    return write_atomic(path, torch_module(net, input_names, scaling).encode("utf-8"))
