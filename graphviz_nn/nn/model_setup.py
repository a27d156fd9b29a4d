"""What a spec model's run is made from (a record that checks itself) and what it makes of its
data: the samples split, the spec walked over their shapes, the model, optimiser and trainer.
``graphviz-nn train --model``/``--spec`` and session files set up here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from ..engine import Variable
from .checks import SettingsError, check_flag, check_real, check_text, check_whole, kind_of
from .model_spec import ModelSpec, SpecError, SpecModel, build, shapes
from .model_trainer import TEST_CHUNK, ModelTrainer
from .optimisers import make_optimiser
from .settings import MAX_PATH_CHARS, check_run
from .shaped_data import ShapedData, shaped
from .spec_shapes import shown as shape_text

#: The most steps a sequence may have: an unrolled step is a few dozen nodes.
MAX_LENGTH = 10_000
#: The most samples a sequence set draws for training and testing together.
SEQUENCES = 2048

#: The fields of :class:`ModelSettings` that say how the model is trained.
MODEL_TRAINING_FIELDS = ("optimiser", "lr", "batch_size", "epochs", "seed", "test_fraction", "weight_decay")


@dataclass(frozen=True)
class ModelSettings:
    """A spec model's run: the dataset, the spec, how it is trained.

    Attributes
    ----------
    dataset : str
        A name :func:`~graphviz_nn.nn.shaped_data.shaped` knows, or a CSV file's path.
    spec : ModelSpec
    length : int or None
        Steps of each sequence (sequence sets only); None takes the set's default.
    batch_first : bool
        Sequences laid out (N, T, ...) rather than steps first (attention reads them so).
    optimiser, lr, batch_size, epochs, seed, test_fraction, weight_decay
        As :class:`~graphviz_nn.nn.settings.TrainingSettings`' (test_fraction in [0, 1)).

    Raises
    ------
    SettingsError
        A one-line message beginning with the field's name.
    """

    dataset: str
    spec: ModelSpec
    length: int | None = None
    batch_first: bool = False
    optimiser: str = "adam"
    lr: float = 0.01
    batch_size: int | None = 32
    epochs: int = 10
    seed: int = 0
    test_fraction: float = 0.3
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        put = partial(object.__setattr__, self)
        put("dataset", check_text("dataset", self.dataset, MAX_PATH_CHARS, path=True))
        if not isinstance(self.spec, ModelSpec):
            raise SettingsError("spec", f"spec must be a ModelSpec, got {kind_of(self.spec)}")
        put("length", check_whole("length", self.length, 1, optional=True, meaning=", or None for the set's own"))
        if self.length is not None and self.length > MAX_LENGTH:
            raise SettingsError("length", f"length must be at most {MAX_LENGTH} steps, found {self.length}")
        put("batch_first", check_flag("batch_first", self.batch_first))
        check_run(self, put, "samples")
        put("test_fraction", check_real("test_fraction", self.test_fraction, 0.0, below=1.0,
                                        advice=": give 0 for no test samples, or the fraction to test on"))
        put("weight_decay", check_real("weight_decay", self.weight_decay, 0.0, advice=": give 0 for none"))


def check_fit(spec: ModelSpec, data: ShapedData, batch: int | None = None) -> None:
    """Refuse, before anything is built, a spec whose layers do not take the data's shape or
    whose output does not fit its targets: SpecError naming the layer and both shapes; with
    ``batch``, also one whose outputs for that many samples would be too large."""
    walked = shapes(spec, data.input_shape, data.tokens)
    if batch is not None:  # the sizes known, for the outputs' sizes
        steps = data.x.shape[0]  # "T" stands for the steps axis, first
        shapes(spec, tuple(batch if d == "N" else steps if d == "T" else d for d in data.input_shape), data.tokens)
    out, last = walked[-1], len(spec.layers) - 1
    target = list(data.y.shape)
    target[data.y_axis] = "N"
    if data.y_axis == 1:
        target[0] = "T"
    wanted = tuple(target) + ((data.classes,) if data.task == "classes" else ())
    if data.task == "regression" and len(wanted) == 1:
        wanted = wanted + (1,)
    if out != wanted:
        raise SpecError(f"layer {last} {spec.layers[last].type} gives {shape_text(out)}, but {data.name}'s "
                        f"targets need {shape_text(wanted)}", last)


@dataclass(frozen=True, eq=False)
class ModelSetup:
    """A spec model's run ready to train."""

    train: ShapedData
    test: ShapedData
    model: SpecModel
    trainer: ModelTrainer


def load_data(dataset: str, length: int | None = None, seed: int = 0, batch_first: bool = False) -> ShapedData:
    """A dataset laid out as a model reads it (sequence sets draw :data:`SEQUENCES` samples
    of ``length`` steps from the seed); the arguments as :class:`ModelSettings` holds them."""
    data = shaped(dataset, length, seed, SEQUENCES)
    return data.batch_first() if batch_first else data


def set_up_model(settings: ModelSettings, data: ShapedData | None = None) -> ModelSetup:
    """A fresh model for ``settings`` on its data (loaded when not given), its optimiser and
    trainer; SpecError when the spec does not fit the data, before anything is built."""
    if data is None:
        data = load_data(settings.dataset, settings.length, settings.seed, settings.batch_first)
    # The largest batch a graph is built for: a training batch, or a chunk of the test samples.
    check_fit(settings.spec, data, min(len(data), max(settings.batch_size or len(data), TEST_CHUNK)))
    train, test = data.split(settings.test_fraction, settings.seed)
    if not len(train):
        raise ValueError(f"{data.name} has {len(data)} samples: too few to train on with test_fraction "
                         f"{settings.test_fraction}")
    rng = np.random.default_rng(settings.seed)
    model = build(settings.spec, rng)
    trainable = [p for p in model.parameters() if isinstance(p, Variable)]
    optimiser = make_optimiser(settings.optimiser, trainable, settings.lr, settings.weight_decay)
    return ModelSetup(train, test, model, ModelTrainer(model, optimiser, data.task, settings.batch_size, rng))


__all__ = ["MODEL_TRAINING_FIELDS", "ModelSettings", "ModelSetup", "check_fit", "load_data",
           "set_up_model"]
