"""Linear systems: solve(A, b) and inv(A), batched over leading axes as numpy.linalg does.

With X = A⁻¹ B the rules are (Giles, "An extended collection of matrix derivative results"):
dX = A⁻¹ (dB − dA X) forward, and B̄ = A⁻ᵀ X̄, Ā = −B̄ Xᵀ in reverse; for Y = A⁻¹,
dY = −Y dA Y and Ā = −Yᵀ Ȳ Yᵀ. A vector b (one dimension) is a column, as in numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..node import Function, NodeLike, apply
from ..plan import broadcast_together
from ..registry import Example, Op, register
from ._shapes import Shapes


@dataclass(frozen=True)
class SquareExample(Example):
    """A sample point whose first input's matrices are made diagonally dominant (each
    diagonal entry shifted by 3n), so that they are well conditioned for difference checks."""

    def sample(self, rng: np.random.Generator) -> list[np.ndarray]:
        arrays = super().sample(rng)
        n = arrays[0].shape[-1]
        arrays[0] = arrays[0] + 3.0 * n * np.eye(n)
        return arrays


def _swap(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _square(shape: tuple[int, ...], what: str) -> int:
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{what} must be square matrices (..., n, n), got shape {shape}")
    return shape[-1]


def _solve_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    a, b = shapes
    n = _square(a, "A")
    if len(b) == 1:  # a vector: one right-hand side for every matrix of A
        if b[0] != n:
            raise ValueError(f"b has length {b[0]}, A is {n} x {n}")
        return a[:-1]
    if len(b) == 0 or b[-2] != n:
        raise ValueError(f"b must be a vector of length {n} or matrices ({n}, k); got shape {b}")
    try:
        stack = broadcast_together(a[:-2], b[:-2])
    except ValueError:
        raise ValueError("the stacked (leading) dimensions of A and b cannot be broadcast together") from None
    return stack + b[-2:]


def _inv_shape(shapes: Shapes, params: Mapping[str, Any]) -> tuple[int, ...]:
    _square(shapes[0], "A")
    return shapes[0]


# NOTE: numpy.linalg costs each matrix of a stack 200-400 ns before any arithmetic, then
# copies it and works at small-matrix pace: inv of 1000 matrices took 408 ns each at n = 2,
# 2.7 µs at n = 8, 28 µs at n = 30, and 2.7 ms at n = 250 (LAPACK's pace by then); solve
# with one column 205 ns, 838 ns, 7.0 µs and 0.57 ms. The prices below stay within 0.4-2.5
# times those (one thread; 2n³/3 flops alone priced n = 2 at a thirtieth of its cost).
def _solve_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """An LU factorisation per matrix of A (2n³/3 flops) and a substitution per column of b
    (2n²), each after copying its matrix; the factorised copy of A beside the output."""
    a, b = shapes
    n = a[-1]
    matrices, columns = (math.prod(shape[:-1]), 1) if len(b) == 1 else (math.prod(shape[:-2]), shape[-1])
    each = 256 + 8 * n * n + n**3 // 16 + n * columns + n * n * columns // 4
    return matrices * each, math.prod(shape) + math.prod(a)


def _inv_cost(shapes: Shapes, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, int]:
    """A factorisation and n substitutions per matrix (2n³ flops), after copying it; a
    factorised copy beside the output."""
    n = shape[-1]
    return math.prod(shape[:-2]) * (512 + 24 * n * n + n**3 // 3), 2 * math.prod(shape)


def _column(b: np.ndarray, vector: bool) -> np.ndarray:
    return b[..., np.newaxis] if vector else b


def _uncolumn(x: np.ndarray, vector: bool) -> np.ndarray:
    return x[..., 0] if vector else x


def _b_cotangent(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """B̄ = A⁻ᵀ X̄, as columns."""
    return np.linalg.solve(_swap(a), _column(g, b.ndim == 1))


def _solve_vjp_a(g: np.ndarray, ans: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return -_b_cotangent(g, a, b) @ _swap(_column(ans, b.ndim == 1))


def _solve_vjp_b(g: np.ndarray, ans: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _uncolumn(_b_cotangent(g, a, b), b.ndim == 1)


def _solve_jvp_a(da: np.ndarray, ans: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    vector = b.ndim == 1
    return _uncolumn(np.linalg.solve(a, -(da @ _column(ans, vector))), vector)


def _solve_jvp_b(db: np.ndarray, ans: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    vector = b.ndim == 1
    return _uncolumn(np.linalg.solve(a, _column(db, vector)), vector)


SOLVE = register(Op(
    name="solve", arity=2, label="A⁻¹b", forward=np.linalg.solve,
    vjp=(_solve_vjp_a, _solve_vjp_b), jvp=(_solve_jvp_a, _solve_jvp_b),
    vjp_text=("−x⁻ᵀ g ansᵀ", "x⁻ᵀ g"), jvp_text=("−x⁻¹ dx ans", "x⁻¹ dy"), notation="x⁻¹ y",
    shape=_solve_shape, cost=_solve_cost,
    examples=(
        SquareExample(((3, 3), (3,))),
        SquareExample(((3, 3), (3, 2))),
        SquareExample(((2, 3, 3), (3,))),
        SquareExample(((2, 3, 3), (3, 1))),
        SquareExample(((3, 3), (2, 3, 2))),
        SquareExample(((2, 1, 2, 2), (3, 2, 1))),
        SquareExample(((1, 1), (1,))),
    ),
))

INV = register(Op(
    name="inv", arity=1, label="A⁻¹", forward=np.linalg.inv,
    vjp=(lambda g, ans, a: -_swap(ans) @ g @ _swap(ans),),
    jvp=(lambda da, ans, a: -ans @ da @ ans,),
    vjp_text=("−ansᵀ g ansᵀ",), jvp_text=("−ans dx ans",), notation="x⁻¹", shape=_inv_shape, cost=_inv_cost,
    examples=(SquareExample(((3, 3),)), SquareExample(((2, 3, 3),)), SquareExample(((1, 1),)),
              SquareExample(((2, 1, 2, 2),))),
))


def solve(a: NodeLike, b: NodeLike) -> Function:
    """The solution X of A X = b (numpy.linalg.solve): b a vector, or matrices (..., n, k).

    Leading axes of A and b broadcast. dL/db = A⁻ᵀ g, dL/dA = −A⁻ᵀ g Xᵀ. A singular A is
    refused with numpy's LinAlgError.
    """
    return apply(SOLVE, a, b)


def inv(a: NodeLike) -> Function:
    """The inverse of each square matrix of a (..., n, n). dL/dA = −A⁻ᵀ g A⁻ᵀ."""
    return apply(INV, a)
