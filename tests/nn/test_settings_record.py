"""A training run's settings and a network's spec check themselves: every field's type, range
and name, in one-line messages that begin with the field and say how to put it right."""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.checks import SettingsError
from graphviz_nn.nn.settings import TRAINING_FIELDS, TrainingSettings

from .settings_strategies import ODD_VALUES

SPEC_FIELDS = tuple(f.name for f in dataclasses.fields(NetworkSpec))
SETTINGS_FIELDS = ("dataset", *TRAINING_FIELDS)


@pytest.mark.parametrize("change, message", [
    ({"test_fraction": 1.0}, "test_fraction must be in [0, 1), found 1.0: give 0 for no test rows"),
    ({"lr": float("nan")}, "lr must be a positive number, found nan"),
    ({"lr": "0.1"}, "lr must be a number, got text"),
    ({"epochs": 0}, "epochs must be at least 1, found 0"),
    ({"epochs": 2.0}, "epochs must be a whole number, got float"),
    ({"batch_size": 0}, "batch_size must be at least 1, or None for all the training rows in one batch"),
    ({"seed": -1}, "seed must be at least 0, found -1"),
    ({"weight_decay": -0.5}, "weight_decay must be 0 or more, found -0.5: give 0 for none"),
    ({"optimiser": "sgd"}, "optimiser is 'sgd'; choose one of gd, momentum, adam"),
    ({"train_rows": 100}, "train_rows and test_fraction both split the rows: give one"),
    ({"train_rows": 0, "test_fraction": None}, "train_rows must be at least 1, or None to split by test_fraction"),
    ({"target": "label"}, "target names a CSV file's column; the built-in dataset 'xor' has its own"),
    ({"dataset": ""}, "dataset is empty: give a name or a path"),
    ({"dataset": 3}, "dataset must be text or a path, got int"),
    ({"spec": "layer"}, "spec must be a NetworkSpec, got text"),
])
def test_the_settings_refuse_a_bad_field_in_one_line_naming_it(change, message) -> None:
    with pytest.raises(SettingsError) as caught:
        TrainingSettings(**change)
    assert str(caught.value).startswith(message)
    assert caught.value.field == next(iter(change)) and "\n" not in str(caught.value)


@pytest.mark.parametrize("change, message", [
    ({"kind": "conv"}, "kind is 'conv'; choose one of layer, perceptron"),
    ({"activation": "swish"}, "activation is 'swish'; choose one of sigmoid, tanh"),
    ({"output_activation": None}, "output_activation is None; choose one of"),
    ({"loss": "hinge"}, "loss is 'hinge'; choose one of sse, mse, mae, bce, cce"),
    ({"loss": "cce"}, "loss 'cce' needs output activation 'softmax' (it is computed stably from the logits)"),
    ({"kind": "perceptron", "output_activation": "softmax"}, "kind 'perceptron' has one perceptron per output"),
    ({"init": "zeros"}, "init is 'zeros'; choose one of uniform, xavier, he or None"),
    ({"bias": 1}, "bias must be true or false, got int"),
    ({"normalise": "yes"}, "normalise must be true or false, got text"),
    ({"hidden": (4, 0)}, "hidden must list widths of at least 1 and at most 4096, found 0 at [1]"),
    ({"hidden": "4"}, "hidden must be a tuple of whole numbers, got text"),
])
def test_a_spec_refuses_a_bad_field_in_one_line_naming_it(change, message) -> None:
    with pytest.raises(SettingsError) as caught:
        NetworkSpec(**change)
    assert str(caught.value).startswith(message) and caught.value.field == next(iter(change))


def test_fields_are_kept_in_their_plain_form() -> None:
    made = TrainingSettings(pathlib.Path("data") / "a.csv", NetworkSpec("layer", [np.int64(3)], "tanh"),
                            lr=1, batch_size=np.int64(8), epochs=np.int32(4), seed=np.uint8(2), test_fraction=0,
                            weight_decay=np.float32(0.5), target="label")
    assert made.dataset == str(pathlib.Path("data") / "a.csv") and made.spec.hidden == (3,)
    assert [type(getattr(made, k)) for k in ("lr", "batch_size", "epochs", "seed", "test_fraction", "weight_decay")] \
        == [float, int, int, int, float, float]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(SETTINGS_FIELDS), value=ODD_VALUES)
def test_any_settings_value_is_taken_or_refused_naming_its_field(field, value) -> None:
    try:
        made = TrainingSettings(**{field: value})
    except SettingsError as error:
        assert error.field in (field, "train_rows") and str(error).startswith(error.field)
        assert "\n" not in str(error) and len(str(error)) < 300
    else:
        assert getattr(made, field) == value


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(SPEC_FIELDS), value=ODD_VALUES)
def test_any_spec_value_is_taken_or_refused_naming_its_field(field, value) -> None:
    try:
        made = NetworkSpec(**{field: value})
    except SettingsError as error:
        assert str(error).startswith(error.field) and "\n" not in str(error) and len(str(error)) < 300
    else:
        assert getattr(made, field) == (tuple(value) if field == "hidden" else value)
