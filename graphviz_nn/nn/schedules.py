"""Learning-rate schedules as ``torch.optim.lr_scheduler`` names them: StepLR, CosineAnnealingLR,
LinearLR (warm-up) and ReduceLROnPlateau.

A schedule takes the optimiser and sets its ``lr``: once when it is made (LinearLR starts at
``start_factor`` times the rate) and at every :meth:`step`, which is called after the
optimiser's step, once an epoch (or once a batch, as one chooses). The rates are computed as
torch computes them, each from the previous one (so a rate someone else changed is carried
on), and agree with torch's to the last few bits.
"""

from __future__ import annotations

import math

from .optimisers import Optimiser


def _positive_whole(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return value


class LRScheduler:
    """What the schedules share: the optimiser, its starting rate and the step count.

    Attributes
    ----------
    optimiser : Optimiser
    base_lr : float
        The optimiser's rate when the schedule was made.
    last_epoch : int
        Steps taken, 0 after construction (torch's name).
    """

    def __init__(self, optimiser: Optimiser):
        if not isinstance(optimiser, Optimiser):
            raise TypeError(f"a schedule takes an optimiser, got {type(optimiser).__name__}")
        self.optimiser, self.base_lr, self.last_epoch = optimiser, optimiser.lr, 0
        optimiser.lr = self._next(optimiser.lr)
        self._last_lr = [optimiser.lr]

    def step(self) -> None:
        """Set the optimiser's rate for the next epoch."""
        self.last_epoch += 1
        self.optimiser.lr = self._next(self.optimiser.lr)
        self._last_lr = [self.optimiser.lr]

    def get_last_lr(self) -> list[float]:
        """The rate the schedule set last, in a list as torch gives one per parameter group."""
        return list(self._last_lr)

    def _next(self, lr: float) -> float:  # pragma: no cover
        raise NotImplementedError


class StepLR(LRScheduler):
    """The rate times ``gamma`` every ``step_size`` steps: base_lr · γ^⌊t / step_size⌋."""

    def __init__(self, optimiser: Optimiser, step_size: int, gamma: float = 0.1):
        self.step_size, self.gamma = _positive_whole("step_size", step_size), float(gamma)
        super().__init__(optimiser)

    def _next(self, lr: float) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return lr
        return lr * self.gamma


class CosineAnnealingLR(LRScheduler):
    """η_min + (base_lr − η_min)(1 + cos(π t / T_max)) / 2, from base_lr at t = 0 down to η_min at
    T_max, then back up over the next T_max steps (torch's schedule is periodic past T_max)."""

    def __init__(self, optimiser: Optimiser, T_max: int, eta_min: float = 0.0):  # noqa: N803 - torch's name
        self.T_max, self.eta_min = _positive_whole("T_max", T_max), float(eta_min)
        super().__init__(optimiser)

    def _next(self, lr: float) -> float:
        t, period = self.last_epoch, self.T_max
        if t == 0:
            return lr
        if (t - 1 - period) % (2 * period) == 0:  # leaving the bottom, where the ratio below is 0/0
            return lr + (self.base_lr - self.eta_min) * (1 - math.cos(math.pi / period)) / 2
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return ratio * (lr - self.eta_min) + self.eta_min


class LinearLR(LRScheduler):
    """Warm-up: the rate times a factor going linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` steps, then held."""

    def __init__(self, optimiser: Optimiser, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5):
        if not (0 < start_factor <= 1 and 0 <= end_factor <= 1):
            raise ValueError(f"start_factor must be in (0, 1] and end_factor in [0, 1], "
                             f"got {start_factor} and {end_factor}")
        self.start_factor, self.end_factor = float(start_factor), float(end_factor)
        self.total_iters = _positive_whole("total_iters", total_iters)
        super().__init__(optimiser)

    def _next(self, lr: float) -> float:
        t, start, change = self.last_epoch, self.start_factor, self.end_factor - self.start_factor
        if t == 0:
            return lr * start
        if t > self.total_iters:
            return lr
        return lr * (1.0 + change / (self.total_iters * start + (t - 1) * change))


class ReduceLROnPlateau:
    """The rate times ``factor`` once a watched measure has not improved for more than
    ``patience`` steps, as ``torch.optim.lr_scheduler.ReduceLROnPlateau``.

    Parameters
    ----------
    optimiser : Optimiser
    mode : {"min", "max"}
        Whether the measure improves by falling (a loss) or rising (an accuracy).
    factor : float
        In [0, 1).
    patience : int
        Steps without improvement allowed before the rate is reduced.
    threshold : float
        How much better counts as better: by a fraction of the best (``threshold_mode``
        "rel") or by that much ("abs").
    threshold_mode : {"rel", "abs"}
    cooldown : int
        Steps after a reduction during which bad steps are not counted.
    min_lr : float
        The rate never goes below it.
    eps : float
        A reduction smaller than this is not made.
    """

    def __init__(self, optimiser: Optimiser, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float = 0.0, eps: float = 1e-8):
        if not isinstance(optimiser, Optimiser):
            raise TypeError(f"a schedule takes an optimiser, got {type(optimiser).__name__}")
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise ValueError(f"mode must be 'min' or 'max' and threshold_mode 'rel' or 'abs', "
                             f"got {mode!r} and {threshold_mode!r}")
        if not 0 <= factor < 1:
            raise ValueError(f"factor must be in [0, 1), got {factor}: the rate is multiplied by it")
        self.optimiser, self.mode, self.factor = optimiser, mode, float(factor)
        self.patience, self.cooldown = int(patience), int(cooldown)
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.min_lr, self.eps = float(min_lr), float(eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.last_epoch = self.num_bad_epochs = self.cooldown_counter = 0
        self._last_lr = [optimiser.lr]

    def is_better(self, value: float, best: float) -> bool:
        """Whether ``value`` beats ``best`` by more than the threshold."""
        if self.threshold_mode == "rel":
            scale = 1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold
            return value < best * scale if self.mode == "min" else value > best * scale
        return value < best - self.threshold if self.mode == "min" else value > best + self.threshold

    def step(self, metric: float) -> None:
        """Count ``metric`` (a validation loss, say) and reduce the rate when it is time."""
        value = float(metric)
        self.last_epoch += 1
        if self.is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            old = self.optimiser.lr
            new = max(old * self.factor, self.min_lr)
            if old - new > self.eps:
                self.optimiser.lr = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [self.optimiser.lr]

    def get_last_lr(self) -> list[float]:
        """The optimiser's rate after the last step, in a list as torch gives it."""
        return list(self._last_lr)
