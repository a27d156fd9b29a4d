"""Generated training settings: any record that constructs, one small enough to build on a small
built-in dataset, and values of every kind for the fields to refuse or take."""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st

from graphviz_nn.nn import ACTIVATIONS, INITIALISERS, LOSSES, OPTIMISERS
from graphviz_nn.nn.builder import KINDS, MAX_HIDDEN_LAYERS, MAX_WIDTH, NetworkSpec
from graphviz_nn.nn.checks import MAX_WHOLE, SettingsError
from graphviz_nn.nn.datasets import load
from graphviz_nn.nn.features import FEATURE_NAMES
from graphviz_nn.nn.settings import TrainingSettings

#: Built-in datasets of at least 150 rows and few features: a network for them builds at once,
#: and every test fraction from 0.01 to 0.95 leaves both training and test rows.
SMALL_DATASETS = ("xor", "moons", "circles", "blobs", "iris")
ROWS = {name: len(load(name)) for name in SMALL_DATASETS}
#: The small datasets of two input columns, x1 and x2: those feature columns are made from.
PLANE_DATASETS = tuple(name for name in SMALL_DATASETS if load(name).n_features == 2)

#: Values of every JSON kind, in range and out of it, for a field to take or refuse.
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([2**63, -2**63, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 0.3, 1.0, -0.0]),
    st.sampled_from(["", "x", "xor", "iris", "adam", "gd", "layer", "perceptron", "tanh", "softmax", "cce",
                     "he", "label", "a" * 1_001, "b" * 40_000]),
    st.lists(st.integers(-1, 5000), max_size=3), st.sampled_from([[1] * 33, {"a": 1}, [1.5], ["4"]]),
)


def _made(make, **fields):
    try:
        return make(**fields)
    except SettingsError:
        assume(False)


@st.composite
def specs(draw, small: bool = False) -> NetworkSpec:
    """Any spec that constructs; with ``small``, at most 3 hidden layers of at most 6."""
    layers, widest = (3, 6) if small else (MAX_HIDDEN_LAYERS, MAX_WIDTH)
    return _made(NetworkSpec,
                 kind=draw(st.sampled_from(KINDS)),
                 hidden=tuple(draw(st.lists(st.integers(1, widest), max_size=layers))),
                 activation=draw(st.sampled_from(tuple(ACTIVATIONS))),
                 output_activation=draw(st.sampled_from(tuple(ACTIVATIONS))),
                 loss=draw(st.sampled_from(LOSSES)), bias=draw(st.booleans()), normalise=draw(st.booleans()),
                 init=draw(st.none() | st.sampled_from(tuple(INITIALISERS))))


@st.composite
def training_settings(draw, small: bool = False, features: bool = False) -> TrainingSettings:
    """Any settings that construct; with ``small``, on a small built-in dataset with a split
    its rows can make and a small network; with ``features``, input columns chosen too (on a
    2-D dataset when ``small``), else the dataset's own."""
    if small:
        dataset, target = draw(st.sampled_from(SMALL_DATASETS)), None
        rows = ROWS[dataset]
        split_by = draw(st.one_of(
            st.fixed_dictionaries({"test_fraction": st.just(0.0) | st.floats(0.01, 0.95)}),
            st.fixed_dictionaries({"train_rows": st.integers(1, rows - 1), "test_fraction": st.none()})))
    else:
        dataset = draw(st.sampled_from(SMALL_DATASETS) | st.text(min_size=1, max_size=60))
        target = draw(st.none() | st.text(min_size=1, max_size=30))
        split_by = draw(st.one_of(
            st.fixed_dictionaries({"test_fraction": st.floats(0.0, 1.0, exclude_max=True)}),
            st.fixed_dictionaries({"train_rows": st.integers(1, MAX_WHOLE), "test_fraction": st.none()})))
    return _made(TrainingSettings, dataset=dataset, spec=draw(specs(small)),
                 optimiser=draw(st.sampled_from(tuple(OPTIMISERS))),
                 lr=draw(st.floats(0.0, 1e300, exclude_min=True)),
                 batch_size=draw(st.none() | st.integers(1, MAX_WHOLE)),
                 epochs=draw(st.integers(1, MAX_WHOLE)), seed=draw(st.integers(0, MAX_WHOLE)),
                 weight_decay=draw(st.floats(0.0, 1e300)), target=target, **split_by,
                 features=draw(chosen_features()) if features and (not small or dataset in PLANE_DATASETS) else None)


def chosen_features() -> st.SearchStrategy:
    """None (the dataset's own columns) or 1 to 7 of the feature columns, in any order."""
    return st.none() | st.lists(st.sampled_from(FEATURE_NAMES), min_size=1, unique=True)
