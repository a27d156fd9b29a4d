"""A spec model's run in a session file: the ``model`` member of ``session.json`` (its settings,
spec included, and the keys of its weights) and the weights as ``model-0``, ``model-1``... in
``arrays.npz``. Files written before spec models have no ``model`` member and read as before.

Reading checks the spec (its parameter budget too) and counts the keys from the JSON before
any array is read; each array is refused before it is allocated when it would take the
weights past the numbers the spec holds, and the weights are loaded into the model the spec
builds, every key and shape compared, so that a file reopens exactly the model it saved.
Qt-free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.model_setup import ModelSettings
from ..nn.model_spec import SpecError, build
from .bounded_archive import ArrayReader, real_arrays_out
from .json_fields import JsonFields, text_out
from .model_records import model_settings_from_json, model_settings_to_json
from .session_schema import JSON_MEMBER, MODEL_ARRAY, ModelState

#: Keys one layer of a spec may have in its state: a 16-layer LSTM has 64.
KEYS_PER_LAYER = 64
#: The bytes of one number of a model's weights (float64; batch norm's count is an int64).
NUMBER_BYTES = 8


def encode_model(model: ModelState, arrays: dict[str, np.ndarray]) -> dict:
    """The ``model`` member; the weights join ``arrays`` as ``model-0``, ``model-1``...
    ValueError for a weight that is not real numbers or a key that is not short text."""
    if not isinstance(model, ModelState) or not isinstance(model.settings, ModelSettings):
        raise TypeError(f"a session's model must be a ModelState of ModelSettings, got {type(model).__name__}")
    doc = model_settings_to_json(model.settings)
    doc["state"] = real_arrays_out(model.weights, "model.weights", MODEL_ARRAY, arrays, text_out)
    return doc


def model_fields(fields: JsonFields, raw: Any) -> tuple[ModelSettings, tuple[str, ...]]:
    """The settings and the weights' keys from the ``model`` member, checked before any array."""
    where = f"{JSON_MEMBER}: model"
    doc = fields.object(raw, where)
    settings = model_settings_from_json(doc, fields, where)
    most = KEYS_PER_LAYER * len(settings.spec.layers)
    keys = fields.texts(fields.field(doc, "state", where), f"{where}.state", most)
    if len(set(keys)) != len(keys):
        raise fields.error(f"{where}.state names a key twice")
    return settings, keys


def model_arrays(fields: JsonFields, arrays: ArrayReader, settings: ModelSettings,
                 keys: tuple[str, ...]) -> ModelState:
    """The weights read, at most the spec's numbers together, and loaded into the model the spec
    builds: a key, shape or count that differs is refused, naming it."""
    where = f"{JSON_MEMBER}: model"
    left = settings.spec.numbers * NUMBER_BYTES
    weights: dict[str, np.ndarray] = {}
    for i, key in enumerate(keys):
        value = arrays.read(f"{MODEL_ARRAY}{i}", f"the model's {key}", left)
        left -= value.nbytes
        weights[key] = value
    held = sum(value.size for value in weights.values())
    if held != settings.spec.numbers:
        raise fields.error(f"{where}: the weights hold {held:,} numbers, the spec's layers {settings.spec.numbers:,}")
    try:
        build(settings.spec).load_state_dict(weights)
    except SpecError as error:
        raise fields.error(f"{where}.spec: {error}") from None
    except ValueError as error:
        raise fields.error(f"{where}: the weights do not fit the spec: {error}") from None
    return ModelState(settings, weights)
