"""The Model builder in the window: shown, it starts from the training form's dataset with the
summary beside it; a misfit is refused and the last good model kept; Build draws that model,
and the training form trains it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from graphviz_nn.nn.model_setup import ModelSettings
from graphviz_nn.session.model_choice import model_settings

from .conftest import ready


def test_the_builder_starts_from_the_forms_dataset_refuses_a_misfit_and_builds_the_last_good_model(
        qtbot, open_window) -> None:
    window = open_window("scalar", (1280, 720))
    window.training.show_settings(model_settings("cnn", "digits"))
    builder = window.model.builder
    window.builder.show()
    window.builder.raise_()
    qtbot.waitUntil(lambda: builder.data is not None and builder.data.name.startswith("digits"), timeout=10000)
    good = builder.spec
    assert good == model_settings("cnn", "digits").spec
    qtbot.waitUntil(lambda: window.summary.summary is not None, timeout=10000)
    assert window.summary.summary.total_params == sum(p.size for p in _parameters(good))

    builder.set_arg(0, "out_channels", 5)  # the next convolution reads 8 channels: refused
    assert builder.problem is not None and "Conv2d" in builder.problem and builder.spec == good
    assert window.builder.message.startswith(builder.problem)
    builder.set_arg(0, "out_channels", 8)
    first, last = [i for i, layer in enumerate(builder.layers) if layer["type"] == "Linear"]
    builder.set_arg(first, "out_features", 24)  # a hidden width: refused until the next layer reads it
    assert builder.problem is not None and builder.spec == good
    builder.set_arg(last, "in_features", 24)
    assert builder.problem is None and builder.spec != good
    built = builder.spec
    qtbot.mouseClick(window.builder.findChild(QPushButton, "builder_build"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ready(window) and isinstance(window.model.built.network, ModelSettings), timeout=30000)
    settings = window.model.built.network
    assert settings.spec == built and settings.dataset == "digits"
    assert window.training.settings().spec == built  # Train trains the model on screen


def _parameters(spec):
    import numpy as np

    from graphviz_nn.nn.model_spec import build

    return [p.value for p in build(spec, np.random.default_rng(0)).parameters()]


def test_the_builder_takes_a_dense_forms_dataset_with_the_preset_that_reads_it(qtbot, open_window) -> None:
    window = open_window("scalar", (1280, 720))
    window.training.dataset.setCurrentIndex(window.training.dataset.findData("moons"))
    window.builder.show()
    window.builder.raise_()
    builder = window.model.builder
    qtbot.waitUntil(lambda: builder.data is not None, timeout=10000)
    assert builder.spec == model_settings("mlp", "moons").spec and builder.problem is None


def test_view_model_builder_brings_the_builder_to_the_front_ready(qtbot, open_window) -> None:
    window = open_window("scalar", (1280, 720))
    window.builder.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: window.model.builder.data is not None, timeout=10000)
