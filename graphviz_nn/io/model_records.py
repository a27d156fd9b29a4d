"""The JSON form of a model spec and of a spec model's run settings, both ways, and a spec read
from a file. Session files, the command line's ``--spec FILE.json`` and the training process
all use these. Qt-free.

A spec's JSON is ``{"layers": [{"type": "Linear", "in_features": 64, "out_features": 10,
"bias": true}, ...]}``. Reading counts the layers before looking at any of them and hands them
to :class:`~graphviz_nn.nn.model_spec.ModelSpec`, which checks itself; what it refuses is
refused in its words after the place: ``model.spec: layer 2 Linear: in_features must be a
whole number from 1 to 65536, found 0``.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ..nn.checks import SettingsError
from ..nn.model_setup import MODEL_TRAINING_FIELDS, ModelSettings
from ..nn.model_spec import MAX_LAYERS, ModelSpec
from .json_fields import JsonFields, text_out

__all__ = ["MAX_SPEC_FILE_BYTES", "model_settings_from_json", "model_settings_to_json", "model_spec_from_json",
           "model_spec_to_json", "read_spec_file"]

_FIELDS = JsonFields()
#: The largest spec file read: 256 layers of a dozen arguments take about 40 KB.
MAX_SPEC_FILE_BYTES = 2**20
#: The most entries one layer's object may hold: the type and the longest argument list is 8.
MAX_LAYER_ENTRIES = 16


def model_spec_to_json(spec: ModelSpec) -> dict:
    """``{"layers": [{"type": ..., argument: value, ...}, ...]}``, every argument written."""
    return {"layers": [layer.as_dict() for layer in spec.layers]}


def model_spec_from_json(raw: Any, fields: JsonFields = _FIELDS, where: str = "spec") -> ModelSpec:
    """The spec :func:`model_spec_to_json` wrote (arguments left out take their defaults);
    ``fields.error`` naming ``where`` and, in the spec's words, the layer and the argument."""
    doc = fields.object(raw, where)
    layers = fields.list(fields.field(doc, "layers", where), f"{where}.layers")
    if len(layers) > MAX_LAYERS:
        raise fields.error(f"{where}.layers lists {len(layers)} layers, more than the limit of {MAX_LAYERS}")
    for i, layer in enumerate(layers):
        if isinstance(layer, dict):
            if len(layer) > MAX_LAYER_ENTRIES:
                raise fields.error(f"{where}.layers[{i}] has {len(layer)} entries, more than any layer's "
                                   f"{MAX_LAYER_ENTRIES}")
            for key, value in layer.items():
                fields.text(key, f"{where}.layers[{i}] key")
                if isinstance(value, str):
                    fields.text(value, f"{where}.layers[{i}].{key}")
    try:
        return ModelSpec(tuple(layers))
    except SettingsError as error:
        raise fields.error(f"{where}: {error}") from None


def model_settings_to_json(settings: ModelSettings, dataset_limit: int = 32_767) -> dict:
    """``{"dataset", "length", "batch_first", "spec": ..., "training": {...}}``."""
    return {"dataset": text_out(settings.dataset, "dataset", dataset_limit), "length": settings.length,
            "batch_first": settings.batch_first, "spec": model_spec_to_json(settings.spec),
            "training": {key: getattr(settings, key) for key in MODEL_TRAINING_FIELDS}}


def model_settings_from_json(raw: Any, fields: JsonFields = _FIELDS, where: str = "model") -> ModelSettings:
    """The settings :func:`model_settings_to_json` wrote; what the record refuses, in its
    words after the place (``model.training.lr must be a positive number, found -1``)."""
    doc = fields.object(raw, where)
    spec = model_spec_from_json(fields.field(doc, "spec", where), fields, f"{where}.spec")
    given = fields.object(fields.field(doc, "training", where), f"{where}.training")
    options = {key: fields.field(given, key, f"{where}.training") for key in MODEL_TRAINING_FIELDS}
    try:
        return ModelSettings(fields.field(doc, "dataset", where), spec, fields.field(doc, "length", where),
                             fields.field(doc, "batch_first", where), **options)
    except SettingsError as error:
        inside = "training." if error.field in MODEL_TRAINING_FIELDS else ""
        raise fields.error(f"{where}.{inside}{error}") from None


def read_spec_file(path: str | Path) -> ModelSpec:
    """A spec from a JSON file of at most :data:`MAX_SPEC_FILE_BYTES`, measured before it is
    read (a regular file only); ValueError of one line naming the file and what is wrong."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise ValueError(f"{path}: cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path}: is not a regular file; give a JSON file")
    if info.st_size > MAX_SPEC_FILE_BYTES:
        raise ValueError(f"{path}: is {info.st_size:,} bytes, more than the {MAX_SPEC_FILE_BYTES:,} a spec file "
                         "may hold")
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_SPEC_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(text) > MAX_SPEC_FILE_BYTES:
        raise ValueError(f"{path}: holds more than the {MAX_SPEC_FILE_BYTES:,} bytes a spec file may hold")
    try:
        raw = json.loads(text.decode("utf-8"))
    except RecursionError:
        raise ValueError(f"{path}: nests its JSON too deeply to be a spec") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path}: is not valid JSON ({str(error).splitlines()[0][:120]})") from None
    return model_spec_from_json(raw, _FileFields(path), "spec")


class _FileFields(JsonFields):
    """Errors that begin with the file's path."""

    def __init__(self, path: Path):
        self.path = path

    def error(self, message: str) -> Exception:
        return ValueError(f"{self.path}: {message}")
