"""The settings a run is built from: whatever record constructs, the window's run (and the
training process, which reads it from JSON) builds it; only a split the dataset's rows cannot
make is refused, naming the setting."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from graphviz_nn.io.records import settings_from_json, settings_to_json
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.datasets import load
from graphviz_nn.nn.settings import TrainingSettings
from graphviz_nn.session.run_picture import picture
from graphviz_nn.session.training import TrainingRun

from ..nn.settings_strategies import training_settings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(training_settings(small=True, features=True))
def test_any_small_settings_come_back_through_json_and_build_a_run(made) -> None:
    read = settings_from_json(json.loads(json.dumps(settings_to_json(made))))
    assert read == made
    run = TrainingRun.create(read)
    assert run.settings == made and len(run.train) >= 1
    if made.train_rows is not None:
        assert len(run.train) == made.train_rows
    if made.test_fraction == 0:
        assert len(run.test) == 0 and len(run.train) == len(run.data)
    assert len(run.train) + len(run.test) == len(run.data)
    assert run.trainer.optimiser.weight_decay == made.weight_decay


def test_no_test_rows_read_from_json_build_a_run_that_trains_on_every_row() -> None:
    """``test_fraction=0`` went through the codec and then failed to build."""
    read = settings_from_json(settings_to_json(TrainingSettings(test_fraction=0.0)))
    run = TrainingRun.create(read)
    assert (len(run.train), len(run.test)) == (len(run.data), 0)
    assert "0 test rows" in run.built().note
    records = list(run.trainer.fit(run.train, run.test, 2))
    assert [r.test_loss for r in records] == [None, None]


def test_a_split_the_rows_cannot_make_is_refused_naming_the_setting() -> None:
    rows = len(load("letters"))
    with pytest.raises(ValueError, match=f"test_fraction 0.01 of {rows} rows leaves {rows} training and 0 test"):
        TrainingRun.create(TrainingSettings("letters", test_fraction=0.01))
    with pytest.raises(ValueError, match=f"train_rows must be between 1 and {rows - 1}"):
        TrainingRun.create(TrainingSettings("letters", test_fraction=None, train_rows=rows))


def test_weight_decay_and_train_rows_reach_the_run() -> None:
    made = TrainingSettings("iris", NetworkSpec("layer", (4,), "tanh", "softmax", "cce"), "gd", 0.1,
                            test_fraction=None, train_rows=120, weight_decay=0.25)
    run = TrainingRun.create(made)
    assert run.trainer.optimiser.weight_decay == 0.25
    assert np.array_equal(run.train.X, run.data.X[:120]) and np.array_equal(run.test.X, run.data.X[120:])


def test_a_perceptron_net_that_normalises_is_fed_standardised_rows_and_its_boundary_too() -> None:
    made = TrainingSettings("moons", NetworkSpec("perceptron", (3,), "tanh", "sigmoid", "bce", normalise=True))
    run = TrainingRun.create(made)
    assert np.allclose(run.train.X.mean(axis=0), 0) and np.allclose(run.train.X.std(axis=0), 1)
    shown = picture(run).boundary
    xs, ys = run.grid  # in the data's own units, as the preview draws the rows
    gx, gy = np.meshgrid(xs, ys)
    scaled = run.scaling.apply(np.column_stack([gx.ravel(), gy.ravel()]))
    net = run.network
    assert np.array_equal(shown.classes.ravel(), net.classify(net.predict(scaled)))
