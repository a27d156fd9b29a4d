"""Optimisers: gradient descent, momentum and Adam, with optional weight decay.

Each step replaces a parameter's value with a new array rather than writing into it, so
Steps and snapshots that hold the old array keep seeing the old numbers.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Variable


class Optimiser:
    """Updates parameters from their ``.grad`` after a backward pass.

    Parameters
    ----------
    parameters : sequence of Variable
    lr : float
        Learning rate.
    weight_decay : float
        L2 penalty λ: λ·w is added to each gradient.
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.01, weight_decay: float = 0.0):
        if not lr > 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"weight decay must be >= 0, got {weight_decay}")
        self.parameters = tuple(parameters)
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.steps = 0

    def _gradient(self, p: Variable) -> np.ndarray | None:
        if p.grad is None:
            return None
        return p.grad + self.weight_decay * p.value if self.weight_decay else p.grad

    def step(self) -> None:
        self.steps += 1
        for i, p in enumerate(self.parameters):
            g = self._gradient(p)
            if g is not None:
                p.value = self._update(i, p.value, g)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Copies of what the optimiser carries from step to step (the step count and any
        running averages), by name: enough for :meth:`load_state` to go on exactly."""
        return {"steps": np.array(self.steps, dtype=np.int64)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Put back what :meth:`state` gave; ValueError when it does not fit these parameters."""
        try:
            self.steps = int(state["steps"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("the optimiser state has no step count") from None

    def _load_arrays(self, state: dict[str, np.ndarray], name: str, optional: bool = False) -> list:
        loaded = []
        for i, p in enumerate(self.parameters):
            value = state.get(f"{name}/{i}")
            if value is None and optional:
                loaded.append(None)
                continue
            if value is None or np.shape(value) != p.value.shape:
                raise ValueError(f"the optimiser state's {name} does not fit parameter {p.label}")
            loaded.append(np.array(value, dtype=np.float64))
        return loaded


class GradientDescent(Optimiser):
    """w ← w − lr · g."""

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return w - self.lr * g


class Momentum(Optimiser):
    """v ← μ·v + g; w ← w − lr · v (the heavy-ball form PyTorch's SGD uses)."""

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0):
        super().__init__(parameters, lr, weight_decay)
        self.momentum = float(momentum)
        self.velocity: list[np.ndarray | None] = [None] * len(self.parameters)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        v = self.velocity[i]
        v = g.copy() if v is None else self.momentum * v + g
        self.velocity[i] = v
        return w - self.lr * v

    def state(self) -> dict[str, np.ndarray]:
        kept = {f"velocity/{i}": v.copy() for i, v in enumerate(self.velocity) if v is not None}
        return {**super().state(), **kept}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        velocity = self._load_arrays(state, "velocity", optional=True)
        super().load_state(state)
        self.velocity = velocity


class Adam(Optimiser):
    """Adam (Kingma and Ba, 2015) with bias correction.

    m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
    w ← w − lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(parameters, lr, weight_decay)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m: list[np.ndarray] = [np.zeros_like(p.value) for p in self.parameters]
        self.v: list[np.ndarray] = [np.zeros_like(p.value) for p in self.parameters]

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
        self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
        m_hat = self.m[i] / (1 - self.beta1 ** self.steps)
        v_hat = self.v[i] / (1 - self.beta2 ** self.steps)
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state(self) -> dict[str, np.ndarray]:
        moments = {f"{name}/{i}": a.copy() for name in ("m", "v") for i, a in enumerate(getattr(self, name))}
        return {**super().state(), **moments}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        m, v = self._load_arrays(state, "m"), self._load_arrays(state, "v")
        super().load_state(state)
        self.m, self.v = m, v


OPTIMISERS = {"gd": GradientDescent, "momentum": Momentum, "adam": Adam}


def make_optimiser(name: str, parameters: Sequence[Variable], lr: float, weight_decay: float = 0.0) -> Optimiser:
    """An optimiser by its command-line name: gd, momentum or adam."""
    try:
        cls = OPTIMISERS[name]
    except KeyError:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMISERS)}") from None
    return cls(parameters, lr=lr, weight_decay=weight_decay)
