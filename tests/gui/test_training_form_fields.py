"""The training dock's settings form holds every field of a training settings record: what a
session file or ``graphviz-nn train`` made comes back from the form as it went in, and a value
typed that the record refuses gets the record's own message, naming the box."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from graphviz_nn.gui.docks.training_settings import FORM_WIDGETS, TrainingSettingsForm
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.checks import SettingsError
from graphviz_nn.session.datasets_read import DatasetsRead
from graphviz_nn.nn.settings import TrainingSettings

from ..nn.settings_strategies import training_settings

FORM_SETTINGS = settings(max_examples=150, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def form(qtbot) -> TrainingSettingsForm:
    made = TrainingSettingsForm()
    qtbot.addWidget(made)
    made.show()
    return made


@FORM_SETTINGS
@given(made=training_settings())
def test_any_record_shown_in_the_form_comes_back_from_it(form, made) -> None:
    """weight_decay, train_rows, target, normalise, bias, init, a seed past 2**31 or a learning
    rate of 1e-5 were lost: Train trained other settings than the session's."""
    form.show_settings(made)
    assert form.settings() == made


@FORM_SETTINGS
@given(first=training_settings(), then=training_settings())
def test_a_record_shown_over_another_comes_back_whole(form, first, then) -> None:
    form.show_settings(first)
    form.show_settings(then)
    assert form.settings() == then


def test_a_session_trained_with_weight_decay_and_the_first_rows_trains_with_them_again(form) -> None:
    made = TrainingSettings("breast_cancer", NetworkSpec("layer", (5,), "sigmoid", "sigmoid", "sse", normalise=False),
                            "gd", 0.01, None, 100, seed=3, weight_decay=1e-4, train_rows=300, test_fraction=None)
    form.show_settings(made)
    assert form.weight_decay.value() == 1e-4 and form.train_rows.value() == 300
    assert not form.normalise.isChecked() and not form.test_fraction.isEnabled()
    assert form.settings() == made
    form.settings_toggle.click()  # folded, the line says so
    assert "weight decay 0.0001" in form.settings_summary.text()
    assert "first 300 rows trained" in form.settings_summary.text()


@pytest.mark.parametrize("box, typed, field, message", [
    ("weight_decay", "-1", "weight_decay", "Weight decay must be 0 or more, found -1.0: give 0 for none"),
    ("lr", "0", "lr", "Learning rate must be a positive number, found 0.0"),
    ("test_fraction", "1.5", "test_fraction", "Test fraction must be in [0, 1), found 1.5"),
    ("train_rows", "-4", "train_rows", "Training rows must be at least 1"),
    ("epochs", "0", "epochs", "Epochs must be at least 1, found 0"),
    ("seed", "-2", "seed", "Seed must be at least 0, found -2"),
])
def test_a_value_the_record_refuses_typed_gets_its_message_naming_the_box(form, qtbot, box, typed, field,
                                                                           message) -> None:
    widget = getattr(form, box)
    widget.setFocus()
    widget.lineEdit().selectAll()
    qtbot.keyClicks(widget, typed)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert widget.value() == type(widget.value())(typed)  # typed as it is, not clamped
    with pytest.raises(SettingsError) as caught:
        form.settings()
    assert caught.value.field == field and str(caught.value).startswith(message)


def test_typing_the_usual_split_or_nothing_in_training_rows_splits_by_the_test_fraction(form, qtbot) -> None:
    form.show_settings(TrainingSettings("iris", train_rows=100, test_fraction=None))
    form.train_rows.lineEdit().selectAll()
    qtbot.keyClick(form.train_rows, Qt.Key.Key_Backspace)
    qtbot.keyClick(form.train_rows, Qt.Key.Key_Return)
    assert form.train_rows.value() == 0 and form.train_rows.text() == "usual split"
    assert form.settings().train_rows is None and form.settings().test_fraction == form.test_fraction.value()


def test_the_arrows_stay_where_the_record_takes_the_value(form) -> None:
    form.show_settings(TrainingSettings("xor", weight_decay=0.0001))
    form.weight_decay.stepBy(-5)
    assert form.weight_decay.value() == 0.0
    form.lr.setValue(0.05)
    form.lr.stepBy(1)
    assert form.lr.value() == 0.055  # not 0.055000000000000005


def test_the_target_column_is_for_a_csv_file_and_lists_its_columns_when_known(form, qtbot) -> None:
    form.show_settings(TrainingSettings("iris"))
    assert not form.target.isEnabled()
    path = "/data/measurements.csv"
    form.show_settings(TrainingSettings(path, target="label"))
    assert form.target.isEnabled() and form.target.currentText() == "label"
    assert form.settings().target == "label"
    form.set_columns(path, ("width", "height", "label"))
    assert [form.target.itemText(i) for i in range(form.target.count())] == ["width", "height", "label"]
    assert form.settings().target == "label"  # listing the columns chooses none of them
    form.target.setCurrentIndex(1)
    assert form.settings().target == "height"
    form.target.lineEdit().selectAll()
    qtbot.keyClick(form.target.lineEdit(), Qt.Key.Key_Backspace)
    assert form.settings().target is None  # empty: the last column
    form.dataset.setCurrentIndex(form.dataset.findData("xor"))
    assert not form.target.isEnabled() and form.settings().target is None
    assert form.target.count() == 0


def test_the_dock_reaches_every_new_box_by_name(qtbot) -> None:
    from graphviz_nn.gui.docks.training_dock import TrainingDock

    dock = TrainingDock(DatasetsRead())
    qtbot.addWidget(dock)
    for name in ("weight_decay", "train_rows", "test_fraction", "target", "normalise", "bias", "init"):
        assert name in FORM_WIDGETS and getattr(dock, name) is getattr(dock.form, name)


def test_a_negative_weight_decay_typed_in_the_window_says_why_it_cannot_train(open_window, qtbot) -> None:
    window = open_window("scalar")
    dock = window.training
    window.show_training_dock()
    qtbot.waitUntil(dock.isVisible)
    dock.weight_decay.lineEdit().selectAll()
    qtbot.keyClicks(dock.weight_decay, "-0.5")
    dock.train_button.click()
    assert dock.status.text() == "Cannot build it: Weight decay must be 0 or more, found -0.5: give 0 for none"
    assert not window.training_control.running
