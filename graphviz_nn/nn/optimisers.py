"""Optimisers as ``torch.optim`` names them: SGD (momentum, dampening, Nesterov), Adam, AdamW and
RMSprop, with torch's arguments, defaults and update order; GradientDescent and Momentum are the
first programs' names for plain SGD and SGD with momentum.

Each step replaces a parameter's value with a new array rather than writing into it, so
Steps and snapshots that hold the old array keep seeing the old numbers.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Variable


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """a + t (b − a), in the form torch's ``lerp_`` takes for t (the same numbers to the bit)."""
    return a + t * (b - a) if abs(t) < 0.5 else b - (b - a) * (1 - t)


def _check(name: str, value: float, least: float = 0.0, below: float | None = None) -> float:
    """``value`` as a float in [least, below); ValueError naming the argument otherwise."""
    number = float(value)
    if not (number >= least and (below is None or number < below)):
        wanted = f"in [{least:g}, {below:g})" if below is not None else f"{least:g} or more"
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return number


class Optimiser:
    """Updates parameters from their ``.grad`` after a backward pass.

    Parameters
    ----------
    parameters : sequence of Variable
    lr : float
        Learning rate; a schedule may change ``lr`` between steps.
    weight_decay : float
        L2 penalty λ: λ·w is added to each gradient (as torch's ``weight_decay``; AdamW
        decays the weights instead).
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
        """Move every parameter that has a gradient one step."""
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

    def _kept(self, **arrays: list) -> dict[str, np.ndarray]:
        """``name/i`` copies of each list of running arrays (None entries left out)."""
        return {f"{name}/{i}": a.copy() for name, kept in arrays.items() for i, a in enumerate(kept)
                if a is not None}

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

    def _zeros(self) -> list[np.ndarray]:
        return [np.zeros_like(p.value, dtype=np.float64) for p in self.parameters]


class SGD(Optimiser):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    g ← g + λw; with momentum μ: b ← g on the first step, else μ·b + (1 − dampening)·g, and
    g ← g + μ·b (Nesterov) or b; then w ← w − lr·g.

    Parameters
    ----------
    parameters : sequence of Variable
    lr : float
    momentum, dampening : float
    weight_decay : float
        λ, added to the gradient as λ·w.
    nesterov : bool
        Needs a momentum and no dampening.
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.001, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(parameters, lr, weight_decay)
        self.momentum, self.dampening = _check("momentum", momentum), float(dampening)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening 0: "
                             f"got momentum {momentum} and dampening {dampening}")
        self.nesterov = bool(nesterov)
        self.velocity: list[np.ndarray | None] = [None] * len(self.parameters)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.momentum:
            b = self.velocity[i]
            b = g.copy() if b is None else self.momentum * b + (1 - self.dampening) * g
            self.velocity[i] = b
            g = g + self.momentum * b if self.nesterov else b
        return w - self.lr * g

    def state(self) -> dict[str, np.ndarray]:
        # "velocity" is what session files have called the momentum buffer since the first release.
        return {**super().state(), **self._kept(velocity=self.velocity)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        velocity = self._load_arrays(state, "velocity", optional=True)
        super().load_state(state)
        self.velocity = velocity


class GradientDescent(SGD):
    """w ← w − lr · g: SGD without momentum, with the first programs' learning rate 0.01."""

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.01, weight_decay: float = 0.0):
        super().__init__(parameters, lr, weight_decay=weight_decay)


class Momentum(SGD):
    """v ← μ·v + g; w ← w − lr · v: SGD with momentum 0.9 and learning rate 0.01 by default."""

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0, dampening: float = 0.0, nesterov: bool = False):
        super().__init__(parameters, lr, momentum, dampening, weight_decay, nesterov)


class Adam(Optimiser):
    """Adam (Kingma and Ba, 2015) with bias correction, as ``torch.optim.Adam``.

    g ← g + λw; m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
    w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).

    Parameters
    ----------
    parameters : sequence of Variable
    lr : float
    betas : (float, float)
        β1 and β2, each in [0, 1).
    eps : float
    weight_decay : float
        λ, added to the gradient as λ·w (an L2 penalty; :class:`AdamW` decouples it).
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(parameters, lr, weight_decay)
        beta1, beta2 = betas
        self.beta1, self.beta2 = _check("betas[0]", beta1, 0, 1), _check("betas[1]", beta2, 0, 1)
        self.eps = _check("eps", eps)
        self.m: list[np.ndarray] = self._zeros()
        self.v: list[np.ndarray] = self._zeros()

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        # In torch's order (lerp for m, √v over √(1 − β2^t)), so the two agree to a few ulps.
        self.m[i] = m = _lerp(self.m[i], g, 1 - self.beta1)
        self.v[i] = v = self.v[i] * self.beta2 + (1 - self.beta2) * g * g
        step_size = self.lr / (1 - self.beta1 ** self.steps)
        denominator = np.sqrt(v) / (1 - self.beta2 ** self.steps) ** 0.5 + self.eps
        return w - step_size * (m / denominator)

    def state(self) -> dict[str, np.ndarray]:
        return {**super().state(), **self._kept(m=self.m, v=self.v)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        m, v = self._load_arrays(state, "m"), self._load_arrays(state, "v")
        super().load_state(state)
        self.m, self.v = m, v


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as ``torch.optim.AdamW``.

    w ← w · (1 − lr·λ) before the Adam step, whose gradient carries no λ·w: the decay does not
    pass through the moments, so every weight shrinks at the same rate.
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(parameters, lr, betas, eps, weight_decay)

    def _gradient(self, p: Variable) -> np.ndarray | None:
        return p.grad

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return super()._update(i, w * (1 - self.lr * self.weight_decay), g)


class RMSprop(Optimiser):
    """RMSprop (Hinton's lecture 6e), as ``torch.optim.RMSprop``.

    g ← g + λw; s ← α·s + (1 − α)·g²; centred: ḡ ← α·ḡ + (1 − α)·g and d ← √(s − ḡ²) + ε,
    else d ← √s + ε; with momentum μ: b ← μ·b + g/d and w ← w − lr·b, else w ← w − lr·g/d.

    Parameters
    ----------
    parameters : sequence of Variable
    lr, alpha, eps, weight_decay, momentum : float
    centered : bool
        Divide by the gradient's estimated standard deviation rather than its root mean square.
    """

    def __init__(self, parameters: Sequence[Variable], lr: float = 0.01, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(parameters, lr, weight_decay)
        self.alpha, self.eps = _check("alpha", alpha), _check("eps", eps)
        self.momentum, self.centered = _check("momentum", momentum), bool(centered)
        self.square_avg = self._zeros()
        self.grad_avg = self._zeros() if self.centered else None
        self.momentum_buffer = self._zeros() if self.momentum > 0 else None

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.square_avg[i] = s = self.square_avg[i] * self.alpha + (1 - self.alpha) * g * g
        if self.grad_avg is not None:
            self.grad_avg[i] = mean = _lerp(self.grad_avg[i], g, 1 - self.alpha)
            d = np.sqrt(s - mean * mean) + self.eps
        else:
            d = np.sqrt(s) + self.eps
        if self.momentum_buffer is None:
            return w - self.lr * (g / d)
        self.momentum_buffer[i] = b = self.momentum_buffer[i] * self.momentum + g / d
        return w - self.lr * b

    def state(self) -> dict[str, np.ndarray]:
        kept = self._kept(square_avg=self.square_avg, grad_avg=self.grad_avg or [],
                          momentum_buffer=self.momentum_buffer or [])
        return {**super().state(), **kept}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        square_avg = self._load_arrays(state, "square_avg")
        grad_avg = self._load_arrays(state, "grad_avg") if self.grad_avg is not None else None
        buffer = self._load_arrays(state, "momentum_buffer") if self.momentum_buffer is not None else None
        super().load_state(state)
        self.square_avg, self.grad_avg, self.momentum_buffer = square_avg, grad_avg, buffer


#: The optimisers by the names the command line, the settings records and session files use.
OPTIMISERS = {"gd": GradientDescent, "momentum": Momentum, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def make_optimiser(name: str, parameters: Sequence[Variable], lr: float, weight_decay: float = 0.0) -> Optimiser:
    """An optimiser by its command-line name: gd, momentum, adam, adamw or rmsprop."""
    try:
        cls = OPTIMISERS[name]
    except KeyError:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMISERS)}") from None
    return cls(parameters, lr=lr, weight_decay=weight_decay)
