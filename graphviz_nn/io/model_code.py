"""A trained dense network as code: its numbers, and the numpy script that computes its predictions.

The exported files compute what the network computes, step for step: the input normalisation
``(X - mean) / std`` with the statistics :meth:`~graphviz_nn.nn.LayerNet.fit_normalisation` took
from the training rows, each layer's ``h @ W + b`` and activation, and the output activation.
Every weight is written as Python's ``repr`` of the float, which reads back as the very same
float64 (``inf`` and ``nan`` included), so nothing is lost on the way. The generated files only
define things when imported; run as programs they read rows of inputs as CSV and print
predictions. No text given by the user is ever placed in the code except as a string literal
made by ``repr``.

The PyTorch module is written by :mod:`graphviz_nn.io.model_code_torch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..nn.datasets import Standardisation
from ..nn.network import Network
from .atomic import write_atomic

#: Each activation the dense networks use, as the body of ``def name(z):`` in numpy. They are the
#: engine's own formulas (graphviz_nn.engine.ops.activations), so the script computes the same floats.
NUMPY_ACTIVATIONS = {
    "sigmoid": (
        "# 1 / (1 + e^-z), or e^z / (1 + e^z) where e^-z would overflow\n"
        "t = np.negative(z)\n"
        "if z.ndim == 0 or (t.size and t.max() > 700.0):\n"
        "    e = np.exp(-np.abs(z))\n"
        "    return np.where(z < 0, e, 1.0) / (1.0 + e)\n"
        "return 1.0 / (np.exp(t) + 1.0)"
    ),
    "tanh": "return np.tanh(z)",
    "relu": "return np.maximum(z, 0.0)",
    "leaky_relu": "return np.where(z > 0, z, 0.01 * z)",
    "softmax": (
        "e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
        "return e / e.sum(axis=-1, keepdims=True)"
    ),
    "identity": "return z",
}


@dataclass(frozen=True)
class DenseModel:
    """The numbers of a dense network: all an exported script needs to compute its predictions.

    Attributes
    ----------
    weights : tuple of ndarray
        One (inputs, outputs) matrix per layer, from the input to the output.
    biases : tuple of (ndarray or None)
        Each layer's bias, None for a layer without one.
    layer_names : tuple of str
        Python names for the layers, after the network's scopes: ``layer1``, ``layer2``, ...,
        ``output``.
    activation, output_activation : str
        Hidden and output activations, as named in :data:`NUMPY_ACTIVATIONS`.
    mean, std : ndarray or None
        The input normalisation's statistics, None when the network does not normalise.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]
    layer_names: tuple[str, ...]
    activation: str
    output_activation: str
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    @property
    def sizes(self) -> tuple[int, ...]:
        """Widths from the input to the output."""
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)

    @property
    def summary(self) -> str:
        """One line: widths, activations and normalisation, made only of the model's own names."""
        widths = " -> ".join(str(s) for s in self.sizes)
        normalised = ", inputs normalised" if self.mean is not None else ""
        return f"{widths}, {self.activation} hidden, {self.output_activation} output{normalised}"


def dense_model(net: Network, scaling: Standardisation | None = None) -> DenseModel:
    """The weights, biases, activations and normalisation of a LayerNet or a PerceptronNet.

    Parameters
    ----------
    net : Network
        A :class:`~graphviz_nn.nn.LayerNet` or :class:`~graphviz_nn.nn.PerceptronNet`, trained
        or not; its normalisation statistics are those set by ``fit_normalisation``.
    scaling : Standardisation, optional
        The training run's scaling of rows before they reach the network (a normalised
        PerceptronNet's run has one, ``TrainingRun.scaling``): exported as the normalisation.

    Returns
    -------
    DenseModel
        Copies of the network's numbers as float64 arrays.

    Raises
    ------
    ValueError
        When the network is not a dense one of known activations (other models have no code
        export), or it normalises its inputs and a ``scaling`` is given too.
    """
    sizes = getattr(net, "sizes", None)
    if sizes is None or len(net.layers) != len(sizes) - 1:
        raise ValueError(f"{net!r} is not a dense network (LayerNet or PerceptronNet): it cannot be exported as code")
    for name in (net.activation, net.output_activation):
        if name not in NUMPY_ACTIVATIONS:
            raise ValueError(f"cannot export the activation {name!r}; known ones are {', '.join(NUMPY_ACTIVATIONS)}")
    weights, biases = [], []
    for k, (_, params) in enumerate(net.layers):
        n_in, n_out = sizes[k], sizes[k + 1]
        values = [np.array(p.value, dtype=np.float64) for p in params]
        if len(values) in (1, 2) and values[0].shape == (n_in, n_out):  # LayerNet: W and maybe b
            weights.append(values[0])
            biases.append(values[1].reshape(n_out) if len(values) == 2 else None)
        elif len(values) in (n_in * n_out, (n_in + 1) * n_out):  # PerceptronNet: per perceptron, w.. then b
            per = np.array([float(v) for v in values]).reshape(n_out, -1)
            weights.append(per[:, :n_in].T.copy())
            biases.append(per[:, n_in].copy() if per.shape[1] > n_in else None)
        else:
            raise ValueError(f"{net!r}: layer {k + 1} has parameters that fit no dense layer of {n_in} -> {n_out}")
    names = tuple(f"layer{k + 1}" for k in range(len(weights) - 1)) + ("output",)
    mean = std = None
    if getattr(net, "normalise", False):
        if scaling is not None:
            raise ValueError(f"{net!r} normalises its own inputs: give no scaling of the rows as well")
        mean, std = net.input_mean.value, net.input_std.value
    elif scaling is not None:
        mean, std = scaling.mean, scaling.std
    if mean is not None:
        mean = np.array(mean, dtype=np.float64).reshape(sizes[0])
        std = np.array(std, dtype=np.float64).reshape(sizes[0])
    return DenseModel(tuple(weights), tuple(biases), names, net.activation, net.output_activation, mean, std)


def float_list(values: np.ndarray, indent: str = "    ") -> str:
    """A nested list literal of the floats, exact: ``repr`` of a float reads back as the same float.

    ``inf`` and ``nan`` are written as those names; the generated files define them.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim <= 1:
        return "[" + ", ".join(repr(float(v)) for v in np.ravel(values)) + "]"
    rows = [indent + "    " + float_list(row, indent + "    ") + "," for row in values]
    return "[\n" + "\n".join(rows) + "\n" + indent + "]"


def names_literal(input_names: Sequence[str] | None, n_inputs: int) -> str:
    """The inputs' names as a tuple literal (user text only ever as ``repr`` of a str)."""
    names = [f"x{i + 1}" for i in range(n_inputs)] if input_names is None else [str(n) for n in input_names]
    if len(names) != n_inputs:
        raise ValueError(f"{len(names)} input names given for a network of {n_inputs} inputs")
    return "(" + "".join(repr(n) + ", " for n in names).rstrip() + ")"


def _function(name: str, body: str) -> str:
    lines = "\n".join("    " + line for line in body.splitlines())
    return f"def {name}(z):\n{lines}\n"


#: The first lines of each generated ``predict(X)``: X as float64 rows of the network's inputs.
INPUT_CHECK = """\
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != len(INPUTS):
        raise ValueError(f"predict takes rows of {len(INPUTS)} inputs ({', '.join(INPUTS)}); "
                         f"got an array of shape {X.shape}")"""

#: Reading rows of inputs as CSV and printing predictions, shared by the numpy and torch files.
#: Numbers are parsed by ``float``; nothing read is ever evaluated.
CSV_MAIN = '''
def read_rows(lines):
    """Rows of floats from CSV lines; a first line that is not numbers is taken as a header."""
    rows, header = [], False
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(",")
        try:
            row = [float(field) for field in fields]
        except ValueError:
            if not rows and not header:
                header = True
                continue
            raise SystemExit(f"line {number}: not numbers: {line[:60]!r}") from None
        if len(row) != len(INPUTS):
            raise SystemExit(f"line {number}: {len(row)} values; the network takes {len(INPUTS)}: "
                             f"{', '.join(INPUTS)}")
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(INPUTS))


def main(argv):
    """Print a line of predictions for each row of the CSV file named (or of stdin)."""
    if len(argv) > 2 or argv[1:] in (["-h"], ["--help"]):
        print(__doc__)
        return 0 if argv[1:] in (["-h"], ["--help"]) else 2
    if len(argv) == 2 and argv[1] != "-":
        with open(argv[1], encoding="utf-8") as handle:
            rows = read_rows(handle)
    else:
        rows = read_rows(sys.stdin)
    for row in predict(rows):
        print(",".join(repr(float(value)) for value in row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def usage(kind: str, model: DenseModel, needs: str, call: str) -> str:
    """The generated file's docstring: what it is, how to run it and call it."""
    return f'''"""A trained network's predictions ({kind}), exported by graphviz-nn.

Network: {model.summary}.
Needs only {needs}. Run as a program, it reads rows of {model.sizes[0]} inputs (the columns of
INPUTS) as CSV from the file named, or from stdin, and prints one line of {model.sizes[-1]}
prediction(s) per row:

    python FILE inputs.csv
    python FILE < inputs.csv

From Python: {call}
"""'''


def numpy_script(net: Network, input_names: Sequence[str] | None = None,
                 scaling: Standardisation | None = None) -> str:
    """A self-contained Python script, needing only numpy, that computes the network's predictions.

    It defines ``predict(X)`` (rows of inputs in, an array of (rows, outputs) out), with the
    weights as exact literals; run as a program it reads CSV rows from the file named or stdin
    and prints predictions, each float as its exact ``repr``.

    Parameters
    ----------
    net : Network
        A LayerNet or PerceptronNet; its current weights and normalisation are exported.
    input_names : sequence of str, optional
        The input columns' names (x1, x2, ... if not given), written as string literals.
    scaling : Standardisation, optional
        The run's scaling of rows before the network (see :func:`dense_model`).

    Returns
    -------
    str
        The script's source.
    """
    model = dense_model(net, scaling)
    last = len(model.weights) - 1
    constants, steps = [], []
    for k, (W, b) in enumerate(zip(model.weights, model.biases)):
        constants.append(f"W{k + 1} = np.array({float_list(W, '')})")
        term = f"h @ W{k + 1}"
        if b is not None:
            constants.append(f"b{k + 1} = np.array({float_list(b, '')})")
            term += f" + b{k + 1}"
        steps.append(f"    return output({term})" if k == last else f"    h = hidden({term})")
    if model.mean is not None:
        constants[:0] = [f"MEAN = np.array({float_list(model.mean, '')})",
                         f"STD = np.array({float_list(model.std, '')})"]
        first = "    h = (X - MEAN) / STD"
    else:
        first = "    h = X"
    doc = usage("numpy", model, "numpy", "``from FILE import predict; predict(X)`` with X of shape "
                                         f"(rows, {model.sizes[0]}).")
    return "\n".join([
        "#!/usr/bin/env python3", doc, "",
        "import sys", "", "import numpy as np", "from numpy import inf, nan  # noqa: F401 - weights may be inf or nan",
        "", f"INPUTS = {names_literal(input_names, model.sizes[0])}",
        f"OUTPUTS = {model.sizes[-1]}", "", *constants, "", "",
        f"# hidden activation: {model.activation}",
        _function("hidden", NUMPY_ACTIVATIONS[model.activation]), "",
        f"# output activation: {model.output_activation}",
        _function("output", NUMPY_ACTIVATIONS[model.output_activation]), "",
        "def predict(X):",
        f'    """Predictions for rows of inputs: X of shape (rows, {model.sizes[0]}) in, (rows, OUTPUTS) out."""',
        INPUT_CHECK,
        first, *steps, "", CSV_MAIN,
    ])


def write_numpy_script(net: Network, path: str | Path, input_names: Sequence[str] | None = None,
                       scaling: Standardisation | None = None) -> Path:
    """Write :func:`numpy_script` to ``path`` atomically (never a folder or other non-file); the path."""
    return write_atomic(path, numpy_script(net, input_names, scaling).encode("utf-8"))
