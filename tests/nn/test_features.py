"""Feature columns as TensorFlow Playground offers them: each is its formula of x1 and x2, the
network is fed exactly the columns a run chooses (normalised as the run normalises), its input
layer as wide as the choice, and the choice is checked like every other setting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.checks import SettingsError
from graphviz_nn.nn.datasets import Standardisation, load
from graphviz_nn.nn.features import FEATURE_NAMES, PLAIN_FEATURES, feature_columns, with_features
from graphviz_nn.nn.settings import TrainingSettings
from graphviz_nn.nn.training_setup import network_inputs, set_up, split_rows

#: What each column is, written out again as a reader checks it.
FORMULAS = {
    "x1": lambda x1, x2: x1, "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 ** 2, "x2_squared": lambda x1, x2: x2 ** 2,
    "x1_times_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1), "sin_x2": lambda x1, x2: np.sin(x2),
}
POINTS = arrays(np.float64, st.tuples(st.integers(0, 30), st.just(2)),
                elements=st.floats(-1e3, 1e3, allow_nan=False))
CHOICES = st.lists(st.sampled_from(FEATURE_NAMES), min_size=1, unique=True)
PLANE = ("xor", "moons", "circles", "spiral", "blobs")


def test_the_columns_are_playgrounds_seven() -> None:
    assert set(FEATURE_NAMES) == set(FORMULAS) and PLAIN_FEATURES == FEATURE_NAMES[:2]


@given(X=POINTS, chosen=CHOICES)
def test_each_column_is_its_formula_in_playgrounds_order(X, chosen) -> None:
    columns = feature_columns(X, tuple(chosen))
    ordered = [name for name in FEATURE_NAMES if name in chosen]
    assert columns.shape == (len(X), len(chosen))
    for k, name in enumerate(chosen):
        np.testing.assert_array_equal(columns[:, k], FORMULAS[name](X[:, 0], X[:, 1]))
    assert TrainingSettings("moons", features=chosen).features == (None if ordered == ["x1", "x2"] else tuple(ordered))


@given(X=POINTS)
def test_x1_and_x2_are_the_rows_themselves(X) -> None:
    np.testing.assert_array_equal(feature_columns(X, PLAIN_FEATURES), X)


@settings(max_examples=40, deadline=None)
@given(dataset=st.sampled_from(PLANE), chosen=CHOICES, kind=st.sampled_from(("layer", "perceptron")),
       normalise=st.booleans(), seed=st.integers(0, 5))
def test_the_network_is_fed_the_chosen_columns_normalised_as_the_run_normalises(dataset, chosen, kind, normalise,
                                                                                seed) -> None:
    data = load(dataset)
    # A perceptron net has one perceptron per output (no softmax); a layer net takes either.
    out, loss = ("softmax", "cce") if kind == "layer" and data.n_classes > 2 else ("sigmoid", "sse")
    made = TrainingSettings(dataset, NetworkSpec(kind, (3,), "tanh", out, loss, normalise=normalise),
                            seed=seed, features=chosen)
    setup = set_up(made, data)
    raw_train, raw_test = split_rows(made, data)  # the split of the plain rows is the same
    columns = feature_columns(raw_train.X, made.features or PLAIN_FEATURES)
    assert setup.network.sizes[0] == len(chosen)
    np.testing.assert_array_equal(setup.train.y, raw_train.y)
    if kind == "perceptron" and normalise:  # scaled before the network, by the training rows' statistics
        np.testing.assert_allclose(setup.train.X, Standardisation.fit(columns).apply(columns), atol=1e-12)
    else:
        np.testing.assert_array_equal(setup.train.X, columns)
    if kind == "layer" and normalise:  # scaled inside its graph, by the chosen columns' statistics
        np.testing.assert_allclose(setup.network.input_mean.value, columns.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(network_inputs(raw_test.X, made, setup.scaling), setup.test.X, atol=1e-12)


def test_x1_and_x2_alone_are_the_datasets_own_columns_one_record_for_one_run() -> None:
    """A form whose toggles show x1 and x2 gives back the record it was shown."""
    plain = TrainingSettings("moons", NetworkSpec("layer", (4,), "tanh", "sigmoid", "bce"))
    assert dataclasses.replace(plain, features=("x2", "x1")) == plain and plain.features is None


def test_features_on_a_dataset_that_is_not_2d_are_refused_saying_how_to_fix_it() -> None:
    made = TrainingSettings("iris", NetworkSpec("layer", (4,), "tanh", "softmax", "cce"), features=("sin_x1",))
    with pytest.raises(ValueError, match="features: 'iris' has 4 input columns.*choose a 2-D dataset, or no "
                                         "features to feed its own columns"):
        set_up(made, load("iris"))
    with pytest.raises(ValueError, match=r"shaped \(3, 3\), not \(n, 2\)"):
        feature_columns(np.zeros((3, 3)), ("x1",))
    assert with_features(load("iris"), None) is not None  # the dataset's own columns: any width


@pytest.mark.parametrize("value, message", [
    (("x3",), "features holds 'x3', not an input column; choose from x1, x2, x1_squared"),
    (("x1", "x1"), "features names a column twice (x1, x1): give each once"),
    ((), "features must choose 1 to 7 of"),
    ("x1", "features must be a list of input columns chosen from"),
    ((1,), "features holds 1, not an input column"),
    (["x1"] * 10_000, "features must choose 1 to 7 of x1"),
])
def test_the_settings_refuse_a_bad_choice_in_one_line_naming_the_field(value, message) -> None:
    with pytest.raises(SettingsError) as caught:
        TrainingSettings("moons", features=value)
    assert str(caught.value).startswith(message) and caught.value.field == "features"
    with pytest.raises(ValueError, match="not an input column"):
        feature_columns(np.zeros((2, 2)), ("x3",))
