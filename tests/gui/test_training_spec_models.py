"""Spec models in the training dock, through the real window: a CNN chosen from the keyboard
trains on the digits with the curves growing, stops, saves and reopens with the same weights,
history and choice; a spec that does not take its data says so in one line and does not start;
a graph that names its spec model (an example's) puts it in the dock."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.nn.model_setup import ModelSettings
from graphviz_nn.nn.presets import preset_for
from graphviz_nn.session.model_choice import model_defaults
from graphviz_nn.session.model_training import ModelRun
from graphviz_nn.session.preparing import prepare
from tests.gui.controller_kit import model, trainer  # noqa: F401

from .conftest import ready

DENSE_FIELDS = ("kind", "hidden", "activation", "output_activation", "loss", "train_rows", "init", "target",
                "normalise", "bias", "open_csv")


def test_a_cnn_trains_on_the_digits_in_the_dock_and_reopens_with_its_weights(open_window, qtbot, settings,
                                                                             layout_worker, tmp_path) -> None:
    window = open_window("scalar", size=(1280, 720))
    window.show_training_dock()
    dock, control = window.training, window.training_control
    # The Model box from the keyboard: Alt+M reaches it (its label's buddy), the arrows choose.
    label = next(label for label in dock.form.findChildren(QLabel) if label.text() == "&Model")
    assert label.buddy() is dock.model and dock.model.focusPolicy() & Qt.FocusPolicy.TabFocus
    dock.model.setFocus()
    for _ in range(2):  # Dense network, MLP, CNN
        qtbot.keyClick(dock.model, Qt.Key.Key_Down)
    assert dock.model.currentData() == "cnn" and dock.dataset.currentData() == "digits"
    assert [dock.dataset.itemData(i) for i in range(dock.dataset.count())] == ["digits", "letters"]
    assert all(getattr(dock, name).isHidden() for name in DENSE_FIELDS)
    assert not dock.steps.isHidden() and not dock.steps.isEnabled()  # images have no steps
    assert window.minimumSizeHint().height() <= 720 and window.minimumSizeHint().width() <= 1024
    dock.batch.setValue(64)
    dock.epochs.setValue(1000)
    # Its graph is drawn first, then it trains and the loss curve grows.
    trained_a_while(qtbot, dock, control)
    run = control.run
    assert window.model.graph is run.network.graph and str(run.network).startswith("cnn (10 layers")
    with qtbot.waitSignal(control.stopped, timeout=10_000) as stopped:
        qtbot.mouseClick(dock.stop_button, Qt.MouseButton.LeftButton)
    assert stopped.args == ["stopped"]
    qtbot.waitUntil(lambda: ready(window) and window.model.graph is run.network.graph, timeout=30_000)
    assert run.trainer.epochs_done == run.history[-1].epoch >= 2
    path = window.sessions.save_session(tmp_path / "cnn.gnn")
    weights, history = run.network.parameter_values(), list(run.history)

    other = MainWindow(None, settings=settings, worker=layout_worker, autosave=False)
    qtbot.addWidget(other)
    other.resize(1280, 720)
    other.show()
    with qtbot.waitSignal(other.session_opened, timeout=30_000):
        other.sessions.open_session(path)
    qtbot.waitUntil(lambda: ready(other) and other.model.pending_restore is None, timeout=30_000)
    again = other.training_control.run
    assert again is not None and other.model.graph is again.network.graph and again.history == history
    for got, want in zip(again.network.parameter_values(), weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert other.training.model.currentData() == "cnn" and other.training.dataset.currentData() == "digits"
    assert other.training.batch.value() == 64 and other.training.settings() == run.settings


def test_a_spec_that_does_not_take_its_data_says_why_and_does_not_start(qtbot, trainer) -> None:
    dock, training = trainer.dock, trainer.training
    spec = preset_for("cnn", "digits")[0]
    dock.show_settings(ModelSettings("adding", spec))  # as a session or an example may bring it
    assert dock.model.currentText() == "Spec (10 layers)" and dock.dataset.currentData() == "adding"
    why = "layer 0 Conv2d expects (N, 1, H, W), gets (T, N, 2)"
    assert dock.status.text() == f"Cannot train it: {why}"
    qtbot.mouseClick(dock.train_button, Qt.MouseButton.LeftButton)
    assert dock.status.text() == f"Cannot build it: {why}"
    assert training.run is None and not training.running and dock.train_button.isEnabled()
    dock.dataset.setCurrentIndex(dock.dataset.findData("digits"))  # a dataset it takes
    assert "Cannot" not in dock.status.text() and dock.settings() == ModelSettings("digits", spec)
    # Back to the dense network: its fields and its datasets return.
    dock.model.setCurrentIndex(dock.model.findData("dense"))
    assert dock.dataset.findData("xor") >= 0 and dock.dataset.findData("adding") < 0
    assert not any(getattr(dock, name).isHidden() for name in DENSE_FIELDS if name != "open_csv")
    assert dock.steps.isHidden() and dock.settings().dataset == dock.dataset.currentData()


def test_a_graph_that_names_its_spec_model_puts_it_in_the_dock(qtbot, trainer, layout_worker) -> None:
    """What an example does to be trained in the window: its Built.network holds the
    ModelSettings of the model and data it shows; Train then trains that."""
    settings = dataclasses.replace(model_defaults("lstm"), length=8, epochs=3)
    built = dataclasses.replace(ModelRun.create(settings).built(), network=settings)
    trainer.model.show(prepare(built, frozenset(), layout_worker, "an lstm", None))
    dock = trainer.dock
    assert dock.model.currentData() == "lstm" and dock.dataset.currentData() == "adding"
    assert dock.steps.value() == 8 and dock.steps.isEnabled() and dock.settings() == settings


def trained_a_while(qtbot, dock, control) -> None:
    """Train pressed, until the run has drawn two points of its loss curve."""
    qtbot.mouseClick(dock.train_button, Qt.MouseButton.LeftButton)

    def points() -> int:
        epochs, _ = dock.curves.curves["train_loss"].getData()
        return 0 if epochs is None else len(epochs)

    qtbot.waitUntil(lambda: control.running and points() >= 2, timeout=60_000)


ARCHITECTURES = ("convolution", "cnn_digits", "rnn_vs_lstm", "gru", "attention", "transformer_block",
                 "next_character")


@pytest.mark.parametrize("key", ARCHITECTURES)
def test_every_architecture_example_says_a_run_that_fits_its_data(key) -> None:
    from graphviz_nn.session import EXAMPLES
    from graphviz_nn.session.model_choice import misfit

    settings = EXAMPLES[key].build().training
    assert isinstance(settings, ModelSettings) and misfit(settings) is None


def test_an_architecture_example_trains_from_the_gallery_with_the_curve_growing(open_window, qtbot) -> None:
    window = open_window("gru", size=(1280, 720))
    dock, control = window.training, window.training_control
    assert dock.settings() == window.model.built.training  # the example's run is in the form
    window.show_training_dock()
    dock.epochs.setValue(1000)
    trained_a_while(qtbot, dock, control)
    assert window.model.graph is control.run.network.graph
    with qtbot.waitSignal(control.stopped, timeout=10_000):
        qtbot.mouseClick(dock.stop_button, Qt.MouseButton.LeftButton)
