"""The summary table (layer, output shape, parameters) of a model spec at an input shape, as
:func:`graphviz_nn.nn.summary` makes it for any model: the spec's model is built and run once
on zeros. Qt-free; building allocates the weights, so a large spec's summary is work for a
background job (a spec may hold up to 16.8 million numbers, 128 MiB).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..nn.model_spec import ModelSpec, build
from ..nn.spec_shapes import Dim
from ..nn.summary import Summary, summary

#: The sizes a summary gives the names of an input's shape when not told: one sample, and
#: sequences of 8 steps.
SIZES: Mapping[str, int] = {"N": 1, "T": 8}


def concrete(shape: Sequence[Dim], sizes: Mapping[str, int] | None = None) -> tuple[int, ...]:
    """``shape`` with each named size ("N", "T") given its number from ``sizes`` (or
    :data:`SIZES`); ValueError for a name neither knows."""
    known = {**SIZES, **(sizes or {})}
    missing = [d for d in shape if not isinstance(d, int) and d not in known]
    if missing:
        raise ValueError(f"the input's shape names {missing[0]!r}: give its size, as sizes={{{missing[0]!r}: 8}}")
    return tuple(d if isinstance(d, int) else int(known[d]) for d in shape)


def spec_summary(spec: ModelSpec, input_shape: Sequence[Dim], tokens: bool = False,
                 sizes: Mapping[str, int] | None = None) -> Summary:
    """The summary table of the model ``spec`` builds, run on zeros of ``input_shape``.

    Parameters
    ----------
    spec : ModelSpec
    input_shape : sequence of int or str
        As the builder holds it: ``("N", 128)``, ``("T", "N", 2)``.
    tokens : bool
        The input holds tokens (zeros as whole numbers, for an Embedding).
    sizes : mapping, optional
        Numbers for the names in ``input_shape`` (``{"N": 64}``); :data:`SIZES` otherwise.

    Returns
    -------
    Summary
        The rows ("Linear-1", its output's shape, its parameters), the model's own row last,
        and the totals.

    Raises
    ------
    ValueError
        A name in the shape without a size, or an input the spec does not fit.
    """
    shape = concrete(input_shape, sizes)
    zeros = np.zeros(shape, dtype=np.int64 if tokens else np.float64)
    return summary(build(spec), input_data=zeros)
