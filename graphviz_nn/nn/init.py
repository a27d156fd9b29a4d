"""Weight initialisers. Each takes the generator it draws from: there is no global RNG."""

from __future__ import annotations

from typing import Callable

import numpy as np

Initialiser = Callable[[np.random.Generator, int, int], np.ndarray]


def uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """U(0, 1), as the original program draws its weights (random.random)."""
    return rng.random((fan_in, fan_out))


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Glorot uniform, U(−a, a) with a = √(6 / (fan_in + fan_out)); for tanh and sigmoid."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def he(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """He normal, N(0, 2 / fan_in); for relu."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))


INITIALISERS: dict[str, Initialiser] = {"uniform": uniform, "xavier": xavier, "he": he}


def initialiser(name: str) -> Initialiser:
    try:
        return INITIALISERS[name]
    except KeyError:
        raise ValueError(f"unknown initialiser {name!r}; choose one of {', '.join(INITIALISERS)}") from None


def default_initialiser(activation: str) -> str:
    """He for the relu family, Xavier otherwise."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier"
