"""L1 and L2 penalties on parameters, built as graph nodes so the graph shows them beside the loss.

``loss + l2_penalty(weights, λ)`` trains as an optimiser's ``weight_decay=λ`` does (its
gradient is λ·w), but the term is a node one can step through and see; ``l1_penalty`` pulls
weights to exactly 0 at a constant rate, λ·sign(w).
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..engine import Constant, Node
from ..engine import abs as magnitude
from ..engine import square
from ..engine import sum as total
from .network import tag_scope


def _penalty(parameters: Sequence[Node], weight: float, term: Callable[[Node], Node], factor: float,
             symbol: str, scope: str) -> Node:
    params = list(parameters)
    if not params:
        raise ValueError(f"{scope}: no parameters were given; pass the weights to penalise")
    if not weight >= 0:
        raise ValueError(f"{scope}: the weight λ must be 0 or more, got {weight}")
    summed = total(term(params[0]))
    for p in params[1:]:
        summed = summed + total(term(p))
    penalty = Constant(weight * factor, symbol) * summed
    tag_scope(penalty, (scope,), stop=params)
    return penalty


def l1_penalty(parameters: Sequence[Node], weight: float) -> Node:
    """λ · Σ |w| over every entry of every parameter: a scalar node in scope "L1 penalty".

    dL/dw = λ·sign(w) (0 at w = 0, the subgradient the engine's abs takes there).

    Parameters
    ----------
    parameters : sequence of Node
        Usually the weights, not the biases.
    weight : float
        λ, 0 or more.
    """
    return _penalty(parameters, weight, magnitude, 1.0, "λ", "L1 penalty")


def l2_penalty(parameters: Sequence[Node], weight: float) -> Node:
    """(λ/2) · Σ w² over every entry of every parameter: a scalar node in scope "L2 penalty".

    dL/dw = λ·w, the term torch's ``weight_decay=λ`` adds to the gradient (SGD and Adam alike;
    AdamW's decay is not a penalty). The parameters are :func:`l1_penalty`'s.
    """
    return _penalty(parameters, weight, square, 0.5, "λ/2", "L2 penalty")
