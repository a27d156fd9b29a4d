"""The Recurrence dock's controller on a window model, the view and a graph view, no window: it
appears with recurrent layers, its strips follow the backward pass being stepped, and its
scale control changes the weights and the passes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget

from graphviz_nn import nn
from graphviz_nn.engine import Constant, mean
from graphviz_nn.gui.controllers.loading import draw_shown
from graphviz_nn.gui.controllers.recurrence import RecurrenceController
from graphviz_nn.gui.docks.recurrence_view import RecurrenceView
from graphviz_nn.session.examples import Built
from graphviz_nn.session.preparing import prepare
from tests.gui.controller_kit import model, shown, view  # noqa: F401 - fixtures

T = 6


def rnn_and_lstm() -> Built:
    """An RNN and an LSTM read the same sequence; the loss adds their last outputs' squares."""
    rng = np.random.default_rng(0)
    x = Constant(rng.standard_normal((T, 2, 2)), "x")
    rnn, lstm = nn.RNN(2, 4, rng=rng), nn.LSTM(2, 4, rng=rng)
    return Built.of(mean(rnn(x)[0][-1] ** 2) + mean(lstm(x)[0][-1] ** 2))


def show(qtbot, model, view, worker, built: Built) -> None:
    model.show(prepare(built, frozenset(), worker, "rnn and lstm", None))
    with qtbot.waitSignal(view.picture_ready, timeout=20_000):
        draw_shown(model, view)


def controller(qtbot, model):
    recurrence = RecurrenceView()
    dock = QDockWidget("Recurrence")
    dock.setWidget(recurrence)
    qtbot.addWidget(dock)
    return RecurrenceController(model, dock, recurrence, dock), dock, recurrence


def h_norms(graph, label: str) -> list[float]:
    """‖∂L/∂hₜ‖ of the layer whose module box is ``label``, by scope and name."""
    found = {n.scope: n for n in graph.nodes if n.name == "h" and n.scope and n.scope[0] == label}
    return [float(np.linalg.norm(found[(label, f"t {t}")].grad)) for t in range(T)]


def test_the_dock_shows_each_layers_gradient_through_time_and_follows_the_pass(
        qtbot, model, view, layout_worker) -> None:
    _, dock, recurrence = controller(qtbot, model)
    dock.show()
    shown(qtbot, model, view, layout_worker, "scalar")
    assert dock.isHidden() and not dock.toggleViewAction().isEnabled()  # nothing recurrent
    show(qtbot, model, view, layout_worker, rnn_and_lstm())
    assert not dock.isHidden()
    assert [s.kind for s in recurrence.strips] == ["RNN", "LSTM"]
    model.player.set_phase("backward", len(model.player.recording("backward")) - 1)
    for strip in recurrence.strips:  # the whole pass: the engine's gradient at every h_t
        np.testing.assert_allclose(strip.hidden, h_norms(model.graph, strip.kind), rtol=1e-12)
    model.player.set_phase("backward", 0)  # the pass has reached no step yet
    assert all(np.isnan(s.hidden).all() for s in recurrence.strips)
    shown(qtbot, model, view, layout_worker, "layer_net")
    assert dock.isHidden() and recurrence.strips  # the old graph's strips stay until another


def test_scaling_the_recurrent_weights_grows_the_gradient_back_through_time_and_one_puts_them_back(
        qtbot, model, view, layout_worker) -> None:
    _, dock, recurrence = controller(qtbot, model)
    show(qtbot, model, view, layout_worker, rnn_and_lstm())
    weights = [n for n in model.graph.nodes if n.name == "weight_hh_l0"]
    before = [w.value.copy() for w in weights]
    first = recurrence.strips[0].hidden.copy()
    changed = []
    model.events.document_changed.connect(lambda: changed.append(True))
    recurrence.scale_requested.emit(3.0)
    for w, value in zip(weights, before):
        np.testing.assert_allclose(w.value, 3.0 * value)
    assert changed
    model.player.set_phase("backward", len(model.player.recording("backward")) - 1)
    rnn = recurrence.strips[0].hidden
    np.testing.assert_allclose(rnn, h_norms(model.graph, "RNN"), rtol=1e-12)
    assert rnn[0] / rnn[-1] > first[0] / first[-1]  # the earliest step's share grew
    recurrence.scale_requested.emit(2.0)  # from the values the graph opened with, not compounded
    for w, value in zip(weights, before):
        np.testing.assert_allclose(w.value, 2.0 * value)
    recurrence.scale_requested.emit(1.0)
    model.player.set_phase("backward", len(model.player.recording("backward")) - 1)
    for w, value in zip(weights, before):
        np.testing.assert_array_equal(w.value, value)
    np.testing.assert_allclose(recurrence.strips[0].hidden, first, rtol=1e-12)


@pytest.mark.parametrize(("key", "kinds"), [("rnn_vs_lstm", ["RNN", "LSTM"]), ("gru", ["GRU"]),
                                            ("next_character", ["LSTM"])])
def test_the_gallerys_recurrences_open_with_the_dock(qtbot, model, view, layout_worker, key, kinds) -> None:
    """The gallery draws the weights by the equations' names (W_hh): found all the same."""
    _, dock, recurrence = controller(qtbot, model)
    shown(qtbot, model, view, layout_worker, key)
    assert not dock.isHidden() and [s.kind for s in recurrence.strips] == kinds


def test_a_tab_behind_another_records_nothing_until_it_is_brought_to_the_front(qtbot, open_window) -> None:
    window = open_window("rnn_vs_lstm", (1280, 720))
    assert not window.recurrence.isHidden()  # a tab, behind the inspector
    assert "backward" not in window.model.player.recordings and window.recurrence_view.strips == ()
    window.recurrence.raise_()
    qtbot.waitUntil(lambda: len(window.recurrence_view.strips) == 2, timeout=5000)
    assert "backward" in window.model.player.recordings
