"""A run with feature columns, as the window follows it: the decision boundary's grid goes
through the same columns as the rows, and the training process, rebuilding the run from its
settings, trains exactly what the window's run would."""

from __future__ import annotations

import dataclasses

import numpy as np

from graphviz_nn.nn.features import feature_columns
from graphviz_nn.session.run_picture import picture
from graphviz_nn.session.training import TrainingRun, boundary, defaults_for
from graphviz_nn.session.training_process import apply_state, read_update

from .test_training_process import Child, _without_time

FEATURED = dataclasses.replace(defaults_for("moons"), batch_size=32,
                               features=("x1", "x1_times_x2", "sin_x1", "sin_x2"))


def test_the_boundary_feeds_the_grid_through_the_chosen_columns() -> None:
    run = TrainingRun.create(FEATURED)
    list(run.trainer.fit(run.train, run.test, 5))
    xs, ys = run.grid
    gx, gy = np.meshgrid(xs, ys)
    columns = feature_columns(np.column_stack([gx.ravel(), gy.ravel()]), FEATURED.features)
    expected = run.network.classify(run.network.predict(columns)).reshape(gy.shape)
    np.testing.assert_array_equal(boundary(run.network, xs, ys, run.network_inputs).classes, expected)
    np.testing.assert_array_equal(picture(run).boundary.classes, expected)
    np.testing.assert_array_equal(run.network.X.value, run.train.X[:16])  # its rows are back in the graph


def test_the_training_process_trains_the_chosen_columns_as_the_window_would() -> None:
    headless = TrainingRun.create(FEATURED)
    expected = list(headless.trainer.fit(headless.train, headless.test, 8))
    shown = TrainingRun.create(FEATURED)
    child = Child()
    try:
        child.train(shown, 1, 8)
        records = []
        for header, arrays in child.messages():
            if header["kind"] == "update":
                got, _, _, drawn, _ = read_update(shown, header, arrays)
                records += got
                assert drawn is not None
            else:
                assert header["reason"] == "done", header
                apply_state(shown, header["state"], arrays)
        assert _without_time(records) == _without_time(expected)
        for got, want in zip(shown.network.parameters, headless.network.parameters):
            np.testing.assert_array_equal(got.value, want.value)
    finally:
        assert child.close() == 0
