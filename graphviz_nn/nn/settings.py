"""The settings of a training run: the dataset, the network, how it is trained. One record that
checks itself, built by the command line, the window, the training process and the session
file alike (its JSON form is :mod:`graphviz_nn.io.records`')."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from .builder import NetworkSpec
from .checks import SettingsError, check_choice, check_real, check_text, check_whole, kind_of
from .datasets import BUILTIN
from .features import check_features
from .optimisers import OPTIMISERS

#: The longest dataset path kept: the longest Windows takes.
MAX_PATH_CHARS = 32_767
#: The longest target column name kept (a CSV header's names are bounded alike).
MAX_COLUMN_CHARS = 1_000

#: The fields that say how the network is trained (the session file keeps them apart from the
#: dataset and the network).
TRAINING_FIELDS = ("optimiser", "lr", "batch_size", "epochs", "seed", "test_fraction", "weight_decay",
                   "train_rows", "target", "features")


def check_run(record, put, samples: str) -> None:
    """Check how a record trains (its ``optimiser``, ``lr``, ``batch_size``, ``epochs`` and
    ``seed``), handing each checked value to ``put(name, value)``; ``samples`` names what a
    batch holds ("rows", "samples")."""
    check_choice("optimiser", record.optimiser, tuple(OPTIMISERS))
    put("lr", check_real("lr", record.lr, 0.0, above=True, advice=": give a learning rate such as 0.01"))
    put("batch_size", check_whole("batch_size", record.batch_size, 1, optional=True,
                                  meaning=f", or None for all the training {samples} in one batch"))
    put("epochs", check_whole("epochs", record.epochs, 1))
    put("seed", check_whole("seed", record.seed, 0))


@dataclass(frozen=True)
class TrainingSettings:
    """Everything a training run is made from: the dataset, the network, how it is trained.

    Attributes
    ----------
    dataset : str
        A built-in dataset's name or a CSV file's path (a path-like is kept as text).
    spec : NetworkSpec
    optimiser : {"gd", "momentum", "adam", "adamw", "rmsprop"}
    lr : float
        The learning rate, finite and positive.
    batch_size : int or None
        Rows per step; None trains on all the training rows at once.
    epochs : int
        Passes over the training rows, at least 1.
    seed : int
        Seeds the split, the initial weights and the batches; 0 or more.
    test_fraction : float or None
        The shuffled fraction of rows tested on, in [0, 1): 0 tests on none. None when
        ``train_rows`` splits instead.
    weight_decay : float
        The L2 penalty on the weights, 0 or more.
    train_rows : int or None
        Train on the first ``train_rows`` rows in file order and test on the rest (with
        ``test_fraction=None``).
    target : str or None
        The CSV file's target column; None takes the last. Built-in datasets have their own.
    features : tuple of str or None
        The input columns a 2-D dataset's network is fed, chosen from
        :data:`~graphviz_nn.nn.features.FEATURE_NAMES` (x1, x2, x1², x2², x1·x2, sin x1, sin x2, as
        Playground offers them) and kept in that order; None feeds the dataset's own columns
        (``("x1", "x2")`` is kept as None: for a 2-D dataset they are its own columns).

    Raises
    ------
    SettingsError
        A ValueError whose one-line message begins with the field's name and says how to put
        it right (``field`` names the field).
    """

    dataset: str = "xor"
    spec: NetworkSpec = NetworkSpec("layer", (4,), "tanh", "sigmoid", "bce")
    optimiser: str = "adam"
    lr: float = 0.05
    batch_size: int | None = None
    epochs: int = 300
    seed: int = 0
    test_fraction: float | None = 0.3
    weight_decay: float = 0.0
    train_rows: int | None = None
    target: str | None = None
    features: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        put = partial(object.__setattr__, self)  # frozen: each field is kept in its checked form
        put("dataset", check_text("dataset", self.dataset, MAX_PATH_CHARS, path=True))
        if not isinstance(self.spec, NetworkSpec):
            raise SettingsError("spec", f"spec must be a NetworkSpec, got {kind_of(self.spec)}")
        check_run(self, put, "rows")
        if self.test_fraction is not None:
            put("test_fraction", check_real("test_fraction", self.test_fraction, 0.0, below=1.0,
                                            advice=": give 0 for no test rows, or the fraction to test on"))
        put("weight_decay", check_real("weight_decay", self.weight_decay, 0.0, advice=": give 0 for none"))
        put("train_rows", check_whole("train_rows", self.train_rows, 1, optional=True,
                                      meaning=", or None to split by test_fraction"))
        if (self.train_rows is None) == (self.test_fraction is None):
            raise SettingsError("train_rows", "train_rows and test_fraction both split the rows: give one and "
                                              "set the other to None")
        put("target", check_text("target", self.target, MAX_COLUMN_CHARS, optional=True))
        if self.target is not None and self.dataset in BUILTIN:
            raise SettingsError("target", f"target names a CSV file's column; the built-in dataset "
                                          f"{self.dataset!r} has its own: set target to None")
        put("features", check_features(self.features))
