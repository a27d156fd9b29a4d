"""A run with feature columns, as the window follows it: the decision boundary's grid goes
through the same columns as the rows, and a session file keeps them. (The training process, rebuilding the run from its
settings, trains them exactly as the window's run would: tests/session/test_training_process.py.)"""

from __future__ import annotations

import dataclasses

import numpy as np

from graphviz_nn.io.session_file import save_session
from graphviz_nn.io.session_reader import load_session
from graphviz_nn.nn.features import feature_columns
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.run_picture import picture
from graphviz_nn.session.training import TrainingRun, boundary, defaults_for

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



def test_a_session_file_reopens_the_run_with_its_columns_and_weights(tmp_path) -> None:
    run = TrainingRun.create(FEATURED)
    run.history.extend(run.trainer.fit(run.train, run.test, 3))
    run.show_rows()
    reopened = reopen(load_session(save_session(tmp_path / "moons.gnn", capture(run.built(), "moons", run=run)))).run
    assert reopened.settings == FEATURED and reopened.network.sizes == (4, 8, 1)
    for got, want in zip(reopened.network.parameter_values(), run.network.parameter_values()):
        np.testing.assert_array_equal(got, want)
