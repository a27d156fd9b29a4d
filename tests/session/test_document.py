"""The window's state to a session file and back, without Qt."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

import graphviz_nn as gn
from graphviz_nn.io import ViewState, load_session, save_session
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.training import TrainingRun, defaults_for


def _leaves(graph: gn.Graph) -> dict[str, np.ndarray]:
    return {graph.id_of(n): n.value for n in graph.nodes if not isinstance(n, gn.Function)}


def test_an_expression_comes_back_with_its_text_values_and_view(tmp_path: Path) -> None:
    text = "sum((W @ x - y)**2)"
    parsed = gn.parse(text, W=[[1.0, 2.0], [3.0, 4.0]], x=[0.5, -1.0], y=[1.0, 2.0])
    graph = gn.Graph(parsed.output)
    built = EXAMPLES["scalar"].build()
    built = dataclasses.replace(built, graph=graph, output=parsed.output, inputs=tuple(parsed.variables.values()))
    view = ViewState(1.5, (10.0, -4.0), ())
    path = save_session(tmp_path / "expr.gnn", capture(built, "mine", expression=text, phase="backward",
                                                         position=3, view=view))
    again = reopen(load_session(path))

    assert again.expression == text and again.run is None and again.problem is None
    assert again.values == {"W": [[1.0, 2.0], [3.0, 4.0]], "x": [0.5, -1.0], "y": [1.0, 2.0]}
    assert again.state.phase == "backward" and again.state.position == 3
    assert again.state.view.zoom == 1.5 and again.state.view.centre == (10.0, -4.0)
    assert again.built.graph.id_of(again.built.output) == graph.id_of(parsed.output)
    for key, value in _leaves(graph).items():
        assert np.array_equal(again.built.graph[key].value, value)
    # Gradients of the reopened graph agree with the original's.
    want = gn.grad(parsed.output, list(parsed.variables.values()))
    got = gn.grad(again.built.output, [again.built.graph[graph.id_of(v)] for v in parsed.variables.values()])
    for a, b in zip(want, got):
        assert np.array_equal(a, b)


def test_a_trained_network_comes_back_with_weights_history_and_settings(tmp_path: Path) -> None:
    settings = dataclasses.replace(defaults_for("xor"), lr=0.1, seed=3, epochs=40)
    run = TrainingRun.create(settings)
    run.history.extend(run.trainer.fit(run.train, run.test, 5))
    run.show_rows()
    weights = run.network.parameter_values()
    path = save_session(tmp_path / "net.gnn", capture(run.built(), "xor", run=run, phase="forward"))

    again = reopen(load_session(path))
    assert again.problem is None and again.run is not None
    assert again.run.settings == settings
    assert [r.train_loss for r in again.run.history] == [r.train_loss for r in run.history]
    assert again.run.trainer.epochs_done == run.trainer.epochs_done == 5
    for a, b in zip(again.run.network.parameter_values(), weights):
        assert np.array_equal(a, b)
    assert again.built.graph is again.run.network.graph
    assert np.array_equal(again.built.output.value, run.network.loss.value)
    # Training goes on from the saved weights.
    record = next(again.run.trainer.fit(again.run.train, again.run.test, 1))
    assert record.epoch == 6 and np.isfinite(record.train_loss)


def test_a_network_whose_dataset_is_gone_opens_as_its_graph(tmp_path: Path) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i % 3},{i % 5},{i % 2}\n" for i in range(30)))
    settings = dataclasses.replace(defaults_for("xor"), dataset=str(csv))
    run = TrainingRun.create(settings)
    # Saved without its rows (too big to carry, or a file from before datasets travelled).
    state = dataclasses.replace(capture(run.built(), "csv", run=run), embedded_dataset=None)
    path = save_session(tmp_path / "net.gnn", state)
    csv.unlink()

    again = reopen(load_session(path))
    assert again.run is None and "could not be rebuilt" in again.problem and "points.csv" in again.problem
    assert len(again.built.graph) == len(run.network.graph)
    assert again.built.graph.id_of(again.built.output) == run.network.graph.id_of(run.network.loss)


def test_a_graph_that_is_not_the_runs_is_saved_without_the_network(tmp_path: Path) -> None:
    run = TrainingRun.create(defaults_for("xor"))
    built = EXAMPLES["scalar"].build()
    state = capture(built, "scalar", run=run)
    assert state.network is None and state.dataset is None and state.history == ()


def test_training_saved_mid_run_resumes_exactly_as_if_never_stopped(tmp_path: Path) -> None:
    settings = dataclasses.replace(defaults_for("moons"), optimiser="adam", batch_size=32)
    straight = TrainingRun.create(settings)
    expected = list(straight.trainer.fit(straight.train, straight.test, 12))
    run = TrainingRun.create(settings)
    run.history.extend(run.trainer.fit(run.train, run.test, 5))
    run.show_rows()  # as the window does when training stops
    path = save_session(tmp_path / "mid.gnn", capture(run.built(), "moons", run=run))
    again = reopen(load_session(path))
    assert again.problem is None
    resumed = again.run
    assert resumed.trainer.epochs_done == 5 and resumed.trainer.optimiser.steps == run.trainer.optimiser.steps
    later = list(resumed.trainer.fit(resumed.train, resumed.test, 7))
    strip = [r._replace(seconds=0.0) for r in expected[5:]]
    assert [r._replace(seconds=0.0) for r in later] == strip
    for got, want in zip(resumed.network.parameters, straight.network.parameters):
        np.testing.assert_array_equal(got.value, want.value)


def test_an_optimiser_state_that_does_not_fit_opens_with_fresh_averages(tmp_path: Path) -> None:
    run = TrainingRun.create(defaults_for("xor"))
    run.history.extend(run.trainer.fit(run.train, run.test, 3))
    run.show_rows()
    state = capture(run.built(), "xor", run=run)
    broken = dataclasses.replace(state, trainer=dataclasses.replace(
        state.trainer, optimiser={**state.trainer.optimiser, "m/0": np.zeros((7, 7))}))
    again = reopen(load_session(save_session(tmp_path / "odd.gnn", broken)))
    assert again.run is not None and "fresh averages" in again.problem
    assert again.run.trainer.optimiser.steps == 0 and again.run.trainer.epochs_done == 3
    for got, want in zip(again.run.network.parameters, run.network.parameters):
        np.testing.assert_array_equal(got.value, want.value)


def _csv_run(tmp_path: Path) -> tuple[TrainingRun, Path]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    path = tmp_path / "lecture" / "measurements.csv"
    path.parent.mkdir()
    lines = ["a,b,c,label"] + [f"{a:.4f},{b:.4f},{c:.4f},{int(a + b > c)}" for a, b, c in X]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = dataclasses.replace(defaults_for("iris"), dataset=str(path))
    run = TrainingRun.create(settings)
    run.history.extend(run.trainer.fit(run.train, run.test, 5))
    run.show_rows()  # as the window does when training stops
    return run, path


def test_a_session_carries_its_csv_dataset_to_another_machine(tmp_path: Path) -> None:
    run, csv = _csv_run(tmp_path)
    saved = save_session(tmp_path / "lecture.gnn", capture(run.built(), "trained", run=run))
    csv.unlink()  # the student's machine has no such file
    again = reopen(load_session(saved))
    assert again.problem is None and again.run is not None
    np.testing.assert_array_equal(again.run.data.X, run.data.X)
    np.testing.assert_array_equal(again.run.data.y, run.data.y)
    for got, want in zip(again.run.network.parameter_values(), run.network.parameter_values()):
        np.testing.assert_array_equal(got, want)
    assert [r.epoch for r in again.run.history] == [1, 2, 3, 4, 5]


def test_a_dataset_too_big_to_carry_is_left_behind_and_said(tmp_path: Path, monkeypatch) -> None:
    from graphviz_nn.session import document

    run, csv = _csv_run(tmp_path)
    monkeypatch.setattr(document, "MAX_DATASET_BYTES", 100)
    assert "larger than" in document.left_behind(run) and str(csv) in document.left_behind(run)
    state = capture(run.built(), "trained", run=run)
    assert state.embedded_dataset is None and state.dataset == str(csv)
    builtin = TrainingRun.create(defaults_for("xor"))
    assert document.left_behind(builtin) is None and capture(builtin.built(), "", run=builtin).embedded_dataset is None
