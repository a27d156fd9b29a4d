"""summary(): a model's layers, output shapes and parameter counts, as the table torch
users print (seed 003's ``custom_summary``, after torchsummary and torchinfo)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..engine import Constant, Variable
from .module import Module, nodes_in

_RULE = "=" * 70
_ROW = "{:>20} {:>25} {:>15}"


@dataclass(frozen=True)
class SummaryRow:
    """One call of one layer: "Linear-1", its output's shape, its own parameters' count."""

    layer: str
    output_shape: tuple[int, ...]
    params: int


@dataclass(frozen=True)
class Summary:
    """The rows (in the order the calls finished, so a model follows its layers) and the
    counts of the model's parameters, each shared parameter once. ``str()`` is the table."""

    rows: tuple[SummaryRow, ...]
    total_params: int
    trainable_params: int

    @property
    def non_trainable_params(self) -> int:
        """Frozen parameters (registered as Constants, torch's ``requires_grad=False``)."""
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        lines = [_RULE, _ROW.format("Layer (type)", "Output Shape", "Param #"), _RULE]
        lines += [_ROW.format(row.layer, str(list(row.output_shape)), f"{row.params:,}") for row in self.rows]
        lines += [_RULE, f"Total params: {self.total_params:,}", f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}", _RULE]
        return "\n".join(lines)


def summary(model: Module, input_size: Sequence[int] | None = None, *, input_data: Any = None) -> Summary:
    """Run ``model`` once on zeros of ``input_size`` and tabulate each layer's call.

    Parameters
    ----------
    model : Module
    input_size : sequence of int
        The input's shape, batch first as torch's, e.g. (64, 128) for 64 rows of 128
        features, (T, N, I) for a recurrent layer; zeros also serve an Embedding as indices.
    input_data : node or array, optional
        The input itself instead of ``input_size`` (integer indices, a pair of inputs...).

    Returns
    -------
    Summary
        Printable as the table; ``total_params`` etc. as numbers.

    Raises
    ------
    ValueError
        Neither or both of ``input_size`` and ``input_data``, or a size that is not whole
        numbers >= 1.
    """
    if (input_size is None) == (input_data is None):
        raise ValueError("summary: give the input's shape as input_size=(64, 128), or input_data")
    if input_data is None:
        size = tuple(input_size)
        if not size or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in size):
            raise ValueError(f"summary: input_size must be whole numbers >= 1, as (64, 128); got {input_size!r}")
        input_data = Constant(np.zeros(size), "input")
    rows: list[SummaryRow] = []

    def record(module: Module, output: Any) -> None:
        shapes = [node.shape for node in nodes_in(output)]
        own = sum(node.value.size for node in module.parameters(recurse=False))
        rows.append(SummaryRow(f"{type(module).__name__}-{len(rows) + 1}", shapes[0] if shapes else (), own))

    modules = list(model.modules())
    modes = [m.training for m in modules]
    for module in modules:
        module.observe(record)
    # Run in evaluation mode: a training call would move batch norms' running statistics by
    # the zeros it is fed, and draw dropout masks; the shapes are the same either way.
    model.eval()
    try:
        model(*input_data) if isinstance(input_data, tuple) else model(input_data)
    finally:
        for module, mode in zip(modules, modes):
            module.observe(None)
            object.__setattr__(module, "training", mode)  # as Module.train sets it
    params = list(model.parameters())
    return Summary(tuple(rows), sum(p.value.size for p in params),
                   sum(p.value.size for p in params if isinstance(p, Variable)))
