"""Early stopping on a validation loss, keeping the best weights and putting them back."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..engine import Variable


class EarlyStopping:
    """Ends training once the validation loss has not improved for ``patience`` epochs.

    The trainer calls :meth:`update` after each epoch with the loss on rows held out of
    training (a validation split, never the test rows: choosing the epoch on them would make
    the test score a training score), and :meth:`restore` when training ends.

    Parameters
    ----------
    patience : int
        Epochs without improvement allowed; training stops at the ``patience``-th.
    min_delta : float
        An epoch improves only when its loss is below the best by more than this.
    restore_best : bool
        Whether :meth:`restore` puts back the weights of the best epoch.

    Attributes
    ----------
    best : float
        The lowest validation loss seen (inf before the first epoch).
    best_epoch : int or None
        The epoch that reached it.
    bad_epochs : int
        Epochs since then.
    stopped_epoch : int or None
        The epoch training was stopped at, None while it has not been.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True):
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
            raise ValueError(f"patience must be a whole number of epochs, at least 1, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be 0 or more, got {min_delta}")
        self.patience, self.min_delta, self.restore_best = int(patience), float(min_delta), bool(restore_best)
        self.best, self.best_epoch, self.bad_epochs = math.inf, None, 0
        self.stopped_epoch: int | None = None
        self._kept: list[np.ndarray] | None = None

    def update(self, loss: float, parameters: Sequence[Variable], epoch: int) -> bool:
        """Count one epoch's validation loss; True when training should stop now.

        A loss that is nan never improves on the best.
        """
        if loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = float(loss), epoch, 0
            self._kept = [np.array(p.value, copy=True) for p in parameters]
            return False
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, parameters: Sequence[Variable]) -> bool:
        """Put the best epoch's values back into ``parameters`` (new arrays, so snapshots
        that hold the last ones keep them); False when there is nothing to put back."""
        if not self.restore_best or self._kept is None:
            return False
        if len(self._kept) != len(parameters):
            raise ValueError(f"early stopping kept {len(self._kept)} parameters but was given {len(parameters)} "
                             "to restore: pass the parameters it watched")
        for p, value in zip(parameters, self._kept):
            p.value = value.copy()
        return True
