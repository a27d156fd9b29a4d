"""One JSON form for each of the records training deals in: an epoch's record, a network's
settings, the settings of a training run. The session file, the messages between the window and
its training process, and ``graphviz-nn train --json`` all write and read these. Qt-free.

Writing checks each value's type (ValueError naming the field); reading checks it again, through
a :class:`~graphviz_nn.io.json_fields.JsonFields` whose errors name the place (the session file's
reader passes one that names the file too).
"""

from __future__ import annotations

from typing import Any

from ..nn.builder import MAX_HIDDEN_LAYERS, MAX_WIDTH, NetworkSpec
from ..nn.settings import TrainingSettings
from ..nn.trainer import EpochRecord
from .json_fields import (JsonFields, json_kind, optional_real_out, real_out, short, text_out,
                          whole_out)

__all__ = ["record_from_json", "record_to_json", "settings_from_json",
           "settings_to_json", "spec_from_json", "spec_to_json"]

_FIELDS = JsonFields()
MAX_PATH_CHARS = 32_767  # a dataset's path: the longest Windows takes


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
def spec_to_json(spec: NetworkSpec, where: str = "network") -> dict:
    return {
        "kind": text_out(spec.kind, f"{where}.kind"),
        "hidden": [whole_out(n, f"{where}.hidden") for n in spec.hidden],
        "activation": text_out(spec.activation, f"{where}.activation"),
        "output_activation": text_out(spec.output_activation, f"{where}.output_activation"),
        "loss": text_out(spec.loss, f"{where}.loss"),
        "bias": bool(spec.bias),
        "normalise": bool(spec.normalise),
        "init": None if spec.init is None else text_out(spec.init, f"{where}.init"),
    }


def spec_from_json(raw: Any, fields: JsonFields = _FIELDS, where: str = "network") -> NetworkSpec:
    doc = fields.object(raw, where)
    hidden = fields.list(fields.field(doc, "hidden", where), f"{where}.hidden")
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise fields.error(f"{where}.hidden lists {len(hidden)} widths, more than the limit of "
                           f"{MAX_HIDDEN_LAYERS} hidden layers")
    widths = tuple(fields.whole(n, f"{where}.hidden[{i}]") for i, n in enumerate(hidden))
    wrong = next((i for i, n in enumerate(widths) if not 1 <= n <= MAX_WIDTH), None)
    if wrong is not None:  # the spec says so too; here the message names the place
        raise fields.error(f"{where}.hidden must list widths of at least 1 and at most {MAX_WIDTH}, "
                           f"found {short(widths[wrong], 30)} at [{wrong}]")

    def text(key: str, optional: bool = False) -> Any:
        return fields.text(fields.field(doc, key, where), f"{where}.{key}", optional)

    return NetworkSpec(
        kind=text("kind"),
        hidden=widths,
        activation=text("activation"),
        output_activation=text("output_activation"),
        loss=text("loss"),
        bias=fields.flag(fields.field(doc, "bias", where), f"{where}.bias"),
        normalise=fields.flag(fields.field(doc, "normalise", where), f"{where}.normalise"),
        init=text("init", optional=True),
    )


# --- a training run's settings -------------------------------------------------------------------
def training_to_json(settings: TrainingSettings, where: str = "training") -> dict:
    """How the network is trained: the settings less the dataset and the network."""
    return {
        "optimiser": text_out(settings.optimiser, f"{where}.optimiser"),
        "lr": real_out(settings.lr, f"{where}.lr"),
        "batch_size": None if settings.batch_size is None else whole_out(settings.batch_size, f"{where}.batch_size"),
        "epochs": whole_out(settings.epochs, f"{where}.epochs"),
        "seed": whole_out(settings.seed, f"{where}.seed"),
        "test_fraction": real_out(settings.test_fraction, f"{where}.test_fraction"),
    }


def settings_to_json(settings: TrainingSettings, dataset_limit: int = MAX_PATH_CHARS) -> dict:
    """``{"dataset": name or path, "network": ..., "training": ...}``: the same three members a
    session file holds."""
    return {"dataset": text_out(str(settings.dataset), "dataset", dataset_limit),
            "network": spec_to_json(settings.spec), "training": training_to_json(settings)}


def settings_from_json(doc: dict, fields: JsonFields = _FIELDS, where: str = "",
                       dataset_limit: int = MAX_PATH_CHARS) -> TrainingSettings:
    """The settings :func:`settings_to_json` wrote (``doc`` holds its three members; a null
    ``training`` takes the defaults)."""
    at = f"{where}: " if where else ""
    dataset = fields.text(fields.field(doc, "dataset", where or "settings"), f"{at}dataset", limit=dataset_limit)
    spec = spec_from_json(fields.field(doc, "network", where or "settings"), fields, f"{at}network")
    raw = doc.get("training")
    if raw is None:
        return TrainingSettings(dataset, spec)
    place = f"{at}training"
    options = fields.object(raw, place)
    batch = fields.field(options, "batch_size", place)
    settings = TrainingSettings(
        dataset, spec,
        optimiser=fields.text(fields.field(options, "optimiser", place), f"{place}.optimiser"),
        lr=fields.number(fields.field(options, "lr", place), f"{place}.lr"),
        batch_size=None if batch is None else fields.whole(batch, f"{place}.batch_size"),
        epochs=fields.whole(fields.field(options, "epochs", place), f"{place}.epochs"),
        seed=fields.whole(fields.field(options, "seed", place), f"{place}.seed"),
        test_fraction=fields.number(fields.field(options, "test_fraction", place), f"{place}.test_fraction"),
    )
    if settings.batch_size is not None and settings.batch_size < 1:
        raise fields.error(f"{place}.batch_size must be at least 1 or null, found {settings.batch_size}")
    if not (settings.lr > 0 and settings.lr < float("inf")):
        raise fields.error(f"{place}.lr must be a positive number, found {settings.lr}")
    if not 0.0 <= settings.test_fraction < 1.0:
        raise fields.error(f"{place}.test_fraction must be in [0, 1), found {settings.test_fraction}")
    return settings
