"""One JSON form per record: an epoch's record, a network's settings, a training run's settings
go out and come back equal, and a damaged one is refused naming the field."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphviz_nn.cli import main
from graphviz_nn.io.records import (record_from_json, record_to_json, settings_from_json,
                                  settings_to_json, spec_from_json, spec_to_json)
from graphviz_nn.nn import EpochRecord
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.settings import TrainingSettings

RECORD = EpochRecord(7, 0.25, None, 0.875, None, (("layer 1", 1.5), ("layer 2", 0.0625)), 3.5)
SETTINGS = TrainingSettings("/data/some where.csv", NetworkSpec("perceptron", (3, 2), "relu", "sigmoid", "bce",
                                                                 False, True, "he"), "momentum", 0.125, 32, 40, 7, 0.25)


def test_records_and_settings_come_back_equal_through_json_text() -> None:
    assert record_from_json(json.loads(json.dumps(record_to_json(RECORD)))) == RECORD
    assert spec_from_json(json.loads(json.dumps(spec_to_json(SETTINGS.spec)))) == SETTINGS.spec
    assert settings_from_json(json.loads(json.dumps(settings_to_json(SETTINGS)))) == SETTINGS
    # numpy scalars, as training makes them, are written as plain numbers
    record = RECORD._replace(epoch=np.int64(7), train_loss=np.float32(0.25))
    assert record_from_json(json.loads(json.dumps(record_to_json(record)))) == RECORD


def test_a_null_training_member_takes_the_defaults() -> None:
    doc = settings_to_json(SETTINGS)
    doc["training"] = None
    assert settings_from_json(doc) == TrainingSettings(SETTINGS.dataset, SETTINGS.spec)


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(train_loss="low"), "record.train_loss must be a number, found text"),
    (lambda r: r.update(epoch=1.5), "record.epoch must be a whole number, found a number"),
    (lambda r: r["gradient_norms"].append(["x"]), r"record.gradient_norms\[2\] must be a \[name, norm\] pair"),
    (lambda r: r.pop("seconds"), "record has no 'seconds'"),
    (lambda r: r.update(test_loss=True), "record.test_loss must be a number or null, found true/false"),
])
def test_a_damaged_record_is_refused_naming_the_field(change, message) -> None:
    raw = record_to_json(RECORD)
    change(raw)
    with pytest.raises(ValueError, match=message):
        record_from_json(raw)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["network"].update(hidden=[3, 0]), "network.hidden must list widths of at least 1"),
    (lambda d: d["training"].update(lr=-1), "training.lr must be a positive number"),
    (lambda d: d["training"].update(test_fraction=1.0), r"training.test_fraction must be in \[0, 1\)"),
    (lambda d: d["training"].update(batch_size=0), "training.batch_size must be at least 1"),
    (lambda d: d["network"].update(bias="yes"), "network.bias must be true or false"),
])
def test_damaged_settings_are_refused_naming_the_field(change, message) -> None:
    doc = settings_to_json(SETTINGS)
    change(doc)
    with pytest.raises(ValueError, match=message):
        settings_from_json(doc)


def test_writing_refuses_what_json_could_not_hold() -> None:
    with pytest.raises(ValueError, match="train_loss must be a number, got str"):
        record_to_json(RECORD._replace(train_loss="0.5"))
    with pytest.raises(ValueError, match="gradient_norms must be text, got int"):
        record_to_json(RECORD._replace(gradient_norms=((3, 1.0),)))


def test_the_command_line_prints_the_same_records(capsys) -> None:
    assert main(["train", "--dataset", "xor", "--hidden", "3", "--epochs", "4", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    records = [record_from_json(line) for line in lines[:-1]]
    assert [r.epoch for r in records] == [1, 2, 3, 4]
    assert [name for name, _ in records[0].gradient_norms]  # [layer, norm] pairs, read back as such
    final = dict(lines[-1])
    assert final.pop("final") is True and record_from_json(final) == records[-1]


# --- the settings records check themselves; the codec reports their verdict at its place ------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from graphviz_nn.nn.checks import SettingsError  # noqa: E402
from graphviz_nn.nn.settings import TRAINING_FIELDS  # noqa: E402

from ..nn.settings_strategies import ODD_VALUES, training_settings  # noqa: E402

LATER = TrainingSettings("measurements.csv", SETTINGS.spec, "adam", 0.01, None, 50, 3, None, 0.001, 300, "label",
                         ("x1", "x2", "sin_x1", "sin_x2"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(training_settings(features=True))
def test_any_settings_that_construct_come_back_equal_through_json_text(made) -> None:
    assert settings_from_json(json.loads(json.dumps(settings_to_json(made)))) == made


def test_every_option_is_written_and_read_back() -> None:
    doc = json.loads(json.dumps(settings_to_json(LATER)))
    assert doc["training"] == {"optimiser": "adam", "lr": 0.01, "batch_size": None, "epochs": 50, "seed": 3,
                               "test_fraction": None, "weight_decay": 0.001, "train_rows": 300, "target": "label",
                               "features": ["x1", "x2", "sin_x1", "sin_x2"]}
    assert settings_from_json(doc) == LATER


def test_files_written_before_the_later_options_load_with_their_defaults() -> None:
    doc = settings_to_json(SETTINGS)
    for key in ("weight_decay", "train_rows", "target", "features"):
        del doc["training"][key]
    assert settings_from_json(doc) == SETTINGS
    assert (SETTINGS.weight_decay, SETTINGS.train_rows, SETTINGS.target, SETTINGS.features) == (0.0, None, None, None)


def _verdict(make):
    try:
        return make(), None
    except ValueError as error:
        return None, error


@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(("dataset", *TRAINING_FIELDS)), value=ODD_VALUES,
       base=st.sampled_from([SETTINGS, LATER]))
def test_the_codec_takes_and_refuses_a_settings_field_as_the_record_does(field, value, base) -> None:
    doc = settings_to_json(base)
    (doc if field == "dataset" else doc["training"])[field] = value
    made, message = _verdict(lambda: TrainingSettings(**{**_fields(base), field: value}))
    read, refusal = _verdict(lambda: settings_from_json(doc))
    assert read == made
    if message is not None:  # the field refused may be another that the value disagrees with
        inside = "training." if message.field in TRAINING_FIELDS else ""
        assert str(refusal) == f"{inside}{message}"


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(tuple(spec_to_json(SETTINGS.spec))), value=ODD_VALUES)
def test_the_codec_takes_and_refuses_a_spec_field_as_the_spec_does(field, value) -> None:
    doc = spec_to_json(SETTINGS.spec)
    doc[field] = value
    made, message = _verdict(lambda: NetworkSpec(**{**doc, field: value}))
    read, refusal = _verdict(lambda: spec_from_json(doc))
    assert read == made
    if message is not None:
        assert isinstance(message, SettingsError) and str(refusal) == f"network.{message}"


def _fields(made: TrainingSettings) -> dict:
    return {key: getattr(made, key) for key in ("dataset", "spec", *TRAINING_FIELDS)}
