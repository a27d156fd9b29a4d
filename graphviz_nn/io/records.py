"""One JSON form for each of the records training deals in: an epoch's record, a network's
settings, the settings of a training run. The session file, the messages between the window and
its training process, and ``graphviz-nn train --json`` all write and read these. Qt-free.

An epoch's record is checked here both ways: writing checks each value's type (ValueError naming
the field), reading checks it again. The settings records check themselves (their
``__post_init__``): writing trusts them, reading hands them the JSON's values and reports what they
refuse, in their words, at its place. Reading goes through a
:class:`~graphviz_nn.io.json_fields.JsonFields` whose errors name the place (the session file's
reader passes one that names the file too).
"""

from __future__ import annotations

from typing import Any

from ..nn.builder import NetworkSpec
from ..nn.checks import SettingsError
from ..nn.model_setup import ModelSettings
from ..nn.settings import MAX_PATH_CHARS, TRAINING_FIELDS, TrainingSettings
from ..nn.trainer import EpochRecord
from .json_fields import (JsonFields, json_kind, optional_real_out, real_out, short, text_out,
                          whole_out)
from .model_records import model_settings_from_json, model_settings_to_json

__all__ = ["record_from_json", "record_to_json", "settings_from_json",
           "settings_to_json", "spec_from_json", "spec_to_json"]

_FIELDS = JsonFields()


# --- an epoch's record ---------------------------------------------------------------------------
def record_to_json(record: EpochRecord) -> dict:
    """``{"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
    "gradient_norms": [[layer, norm], ...], "seconds"}``; ValueError naming a field of the wrong type."""
    return {
        "epoch": whole_out(record.epoch, "epoch"),
        "train_loss": real_out(record.train_loss, "train_loss"),
        "test_loss": optional_real_out(record.test_loss, "test_loss"),
        "train_accuracy": optional_real_out(record.train_accuracy, "train_accuracy"),
        "test_accuracy": optional_real_out(record.test_accuracy, "test_accuracy"),
        "gradient_norms": [[text_out(name, "gradient_norms"), real_out(norm, "gradient_norms")]
                           for name, norm in record.gradient_norms],
        "seconds": real_out(record.seconds, "seconds"),
    }


def record_from_json(raw: Any, fields: JsonFields = _FIELDS, where: str = "record") -> EpochRecord:
    """The record :func:`record_to_json` wrote; ``fields.error`` naming ``where`` and the field
    when it is not one."""
    plain = _plain_record(raw, fields.name_limit)
    if plain is not None:
        return plain
    doc = fields.object(raw, where)
    norms = []
    raw_norms = fields.list(fields.field(doc, "gradient_norms", where), f"{where}.gradient_norms")
    for i, pair in enumerate(raw_norms):
        at = f"{where}.gradient_norms[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise fields.error(f"{at} must be a [name, norm] pair, found {json_kind(pair)}")
        norms.append((fields.text(pair[0], f"{at}[0]"), fields.number(pair[1], f"{at}[1]")))

    def number(key: str, optional: bool = False) -> Any:
        return fields.number(fields.field(doc, key, where), f"{where}.{key}", optional)

    return EpochRecord(
        epoch=fields.whole(fields.field(doc, "epoch", where), f"{where}.epoch"),
        train_loss=number("train_loss"),
        test_loss=number("test_loss", optional=True),
        train_accuracy=number("train_accuracy", optional=True),
        test_accuracy=number("test_accuracy", optional=True),
        gradient_norms=tuple(norms),
        seconds=number("seconds"),
    )


def _plain_record(raw: Any, most: int) -> EpochRecord | None:
    """A record whose every field has the type :func:`record_to_json` writes, else None.

    A history holds tens of thousands of records: checking each the ordinary way (with a
    message ready for each field) took half a second. Anything unusual (a name longer than
    ``most`` too) returns None and takes that way, which names what is wrong.
    """
    if type(raw) is not dict:
        return None
    try:
        epoch, norms = raw["epoch"], raw["gradient_norms"]
        train_loss, seconds = raw["train_loss"], raw["seconds"]
        optional = (raw["test_loss"], raw["train_accuracy"], raw["test_accuracy"])
    except KeyError:
        return None
    if type(epoch) is not int or type(norms) is not list or type(train_loss) is not float or type(seconds) is not float:
        return None
    for value in optional:
        if value is not None and type(value) is not float:
            return None
    pairs = []
    for pair in norms:
        if (type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not float
                or len(pair[0]) > most):
            return None
        pairs.append((pair[0], pair[1]))
    return EpochRecord(epoch, train_loss, optional[0], optional[1], optional[2], tuple(pairs), seconds)


# --- a network's settings ------------------------------------------------------------------------
# The records check their own fields (types, ranges, names): reading hands them the values as the
# JSON holds them and names the place of what they refuse, in their words; writing trusts them.
SPEC_FIELDS = ("kind", "hidden", "activation", "output_activation", "loss", "bias", "normalise", "init")


def spec_to_json(spec: NetworkSpec) -> dict:
    """``{"kind", "hidden": [widths], "activation", "output_activation", "loss", "bias",
    "normalise", "init"}``."""
    return {"kind": spec.kind, "hidden": list(spec.hidden), "activation": spec.activation,
            "output_activation": spec.output_activation, "loss": spec.loss, "bias": spec.bias,
            "normalise": spec.normalise, "init": spec.init}


def spec_from_json(raw: Any, fields: JsonFields = _FIELDS, where: str = "network") -> NetworkSpec:
    """The spec :func:`spec_to_json` wrote; ``fields.error`` naming ``where``, the field and,
    in the spec's own words, what is wrong with it."""
    doc = fields.object(raw, where)
    values = {key: fields.field(doc, key, where) for key in SPEC_FIELDS}
    try:
        return NetworkSpec(**values)
    except SettingsError as error:
        raise fields.error(f"{where}.{error}") from None


# --- a training run's settings -------------------------------------------------------------------
#: The training options files written before they were stored lack, and what they were then.
LATER_OPTIONS = {"weight_decay": 0.0, "train_rows": None, "target": None, "features": None}


def training_to_json(settings: TrainingSettings) -> dict:
    """How the network is trained: the settings less the dataset and the network (the chosen
    ``features`` as a list of names, or null for the dataset's own columns)."""
    doc = {key: getattr(settings, key) for key in TRAINING_FIELDS}
    doc["features"] = None if settings.features is None else list(settings.features)
    return doc


def settings_to_json(settings: TrainingSettings | ModelSettings, dataset_limit: int = MAX_PATH_CHARS) -> dict:
    """``{"dataset": name or path, "network": ..., "training": ...}``: the same three members a
    session file holds; a spec model's run as ``{"model": ...}``, the member a session file
    holds it in. ValueError when the dataset's path is longer than ``dataset_limit``."""
    if isinstance(settings, ModelSettings):
        return {"model": model_settings_to_json(settings, dataset_limit)}
    return {"dataset": text_out(settings.dataset, "dataset", dataset_limit),
            "network": spec_to_json(settings.spec), "training": training_to_json(settings)}


def settings_from_json(doc: dict, fields: JsonFields = _FIELDS, where: str = "",
                       dataset_limit: int = MAX_PATH_CHARS) -> TrainingSettings | ModelSettings:
    """The settings :func:`settings_to_json` wrote (``doc`` holds its three members; a null
    ``training`` takes the defaults, and options it lacks take :data:`LATER_OPTIONS`), or a
    spec model's (``doc`` holds a ``model`` and no ``network``): its spec counted and checked
    (sizes, the parameter budget) before anything is built.

    What the record refuses is refused in its words, after the place: ``training.lr must be
    a positive number, found -1``.
    """
    at = f"{where}: " if where else ""
    if fields.object(doc, where or "settings").get("network") is None and doc.get("model") is not None:
        return model_settings_from_json(doc["model"], fields, f"{at}model")
    dataset = fields.field(doc, "dataset", where or "settings")
    spec = spec_from_json(fields.field(doc, "network", where or "settings"), fields, f"{at}network")
    raw = doc.get("training")
    options = {}
    if raw is not None:
        place = f"{at}training"
        given = fields.object(raw, place)
        options = {key: given.get(key, LATER_OPTIONS[key]) if key in LATER_OPTIONS
                   else fields.field(given, key, place) for key in TRAINING_FIELDS}
    try:
        settings = TrainingSettings(dataset, spec, **options)
    except SettingsError as error:
        inside = "training." if error.field in TRAINING_FIELDS else ""
        raise fields.error(f"{at}{inside}{error}") from None
    if len(settings.dataset) > dataset_limit:
        raise fields.error(f"{at}dataset is {len(settings.dataset)} characters long, more than the limit of "
                           f"{dataset_limit} (it begins {short(settings.dataset, 40)})")
    return settings
