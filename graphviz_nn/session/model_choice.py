"""The training form's Model choice, without Qt: the dense network or a preset spec model (or a
spec of another making, as a session file or an example holds one), the datasets each takes,
and the settings record the choice makes, through the function the command line uses.
"""

from __future__ import annotations

from typing import Any

from ..nn.datasets import BUILTIN
from ..nn.model_setup import ModelSettings, check_fit, load_data
from ..nn.presets import PRESETS, preset_for, preset_of
from ..nn.shaped_data import SOURCES, ShapedData
from ..nn.spec_shapes import shown as shape_text
from .training_process import BatchProgress

DENSE = "dense"  # the dense network the form's other fields shape
SPEC = "spec"  # a spec of another making, kept as it came

#: The Model box's choices in order, with the words it shows.
MODELS = {DENSE: "Dense network", "mlp": "MLP", "cnn": "CNN", "lstm": "LSTM", "gru": "GRU", "rnn": "RNN",
          "transformer": "Transformer"}
assert set(MODELS) - {DENSE} == set(PRESETS), "every preset is offered"

_SEQUENCES = ("adding", "parity", "sine", "copy", "reverse", "text")
#: The datasets each preset takes, the first chosen with it (tests/session/test_model_choice.py
#: holds this to what the presets take).
PRESET_DATASETS = {
    "mlp": ("digits", "iris", "breast_cancer", "letters", "xor", "moons", "circles", "spiral", "blobs"),
    "cnn": ("digits", "letters"),
    "lstm": _SEQUENCES, "gru": ("parity",) + tuple(d for d in _SEQUENCES if d != "parity"),
    "rnn": ("sine",) + tuple(d for d in _SEQUENCES if d != "sine"),
    "transformer": ("copy", "reverse", "text"),
}


def datasets_for(model: str) -> tuple[str, ...]:
    """The datasets the Model box's choice trains on: the built-in tables for the dense
    network, a preset's own, every dataset known by name for a spec of another making."""
    if model == DENSE:
        return tuple(BUILTIN)
    return PRESET_DATASETS.get(model, tuple(SOURCES))


def takes_steps(dataset: str | None) -> bool:
    """True for a set of sequences, whose length the form's Steps sets."""
    source = SOURCES.get(dataset or "")
    return source is not None and source.sequences


def model_settings(model: str, dataset: str, length: int | None = None, spec=None, batch_first: bool = False,
                   **training: Any) -> ModelSettings:
    """The record a spec model's run is made from: the preset ``model`` sized for ``dataset``
    (as ``graphviz-nn train --model`` sizes it), or ``spec`` as given (``model`` is
    :data:`SPEC`), with the training options (``optimiser``, ``lr``, ... as ModelSettings).

    Raises
    ------
    SettingsError
        An option the record refuses (naming its field).
    ValueError or DatasetError
        A preset that does not take the dataset, a length for a set that is not of sequences.
    """
    if model != SPEC:
        spec, _, batch_first = preset_for(model, dataset, length, training.get("seed", 0))
    return ModelSettings(dataset, spec, length, batch_first, **training)


def model_defaults(model: str) -> ModelSettings:
    """A preset on its first dataset, trained as ModelSettings trains by default."""
    return model_settings(model, PRESET_DATASETS[model][0])


def model_of(settings: ModelSettings, data: ShapedData | None = None) -> str:
    """The preset that makes ``settings``' spec for its data, or :data:`SPEC`; ``data`` is
    the dataset as it gives it (steps first), else it is loaded (a CSV file's path is never
    read here: SPEC)."""
    if data is None:
        if settings.dataset not in SOURCES:
            return SPEC
        data = load_data(settings.dataset, settings.length, settings.seed)
    return preset_of(settings.spec, data) or SPEC


def misfit(settings: ModelSettings) -> str | None:
    """Why ``settings``' spec does not take its data, in one line naming the layer and both
    shapes (what Train would refuse), or None when it fits or the data is not at hand."""
    if settings.dataset not in SOURCES:
        return None
    try:
        check_fit(settings.spec, load_data(settings.dataset, settings.length, settings.seed, settings.batch_first))
    except ValueError as error:
        return str(error)
    return None


def data_summary(data: ShapedData) -> str:
    """A dataset as a model reads it, in one line: ``adding: 2,048 sequences of 50 steps × 2
    features, a number to predict``."""
    if data.x_axis == 1:
        steps, n = data.x.shape[:2]
        features = "tokens" if data.tokens else f"{data.x.shape[2] if data.x.ndim > 2 else 1} features"
        held = f"{n:,} sequences of {steps} steps × {features}"
    else:
        held = f"{len(data):,} samples of {shape_text(data.x.shape[1:])}"
    if data.task == "classes":
        target = f"{data.classes} classes" + (" at every step" if data.per_step else "")
    else:
        target = "numbers at every step" if data.per_step else "a number to predict"
    vocabulary = f" (a vocabulary of {data.vocab})" if data.tokens else ""
    return f"{data.name}: {held}{vocabulary}, {target}"


def progress_text(progress: BatchProgress) -> str:
    """How far a long epoch has gone, as the training dock's status line says it."""
    return (f"Epoch {progress.epoch}: batch {progress.batch:,} of {progress.batches:,}, "
            f"loss so far {progress.loss:.4g}")
