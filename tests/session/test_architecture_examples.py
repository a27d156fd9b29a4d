"""The architecture examples of the gallery: each steps through its forward and backward passes
to the gradients central differences give, reopens from a session file as it was, and shows
what it claims (a filter that can learn Sobel's, a box per time step, tokens on attention's axes)."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import Variable, check_gradients
from graphviz_nn.io import SessionState, ViewState, load_session, save_session
from graphviz_nn.layout import build_view
from graphviz_nn.layout.view import toggled
from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.architecture_examples import SOBEL, STEPS, convolution
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.player import Player
from graphviz_nn.layout import LayoutWorker
from graphviz_nn.session.preparing import collapsed_on_opening, prepare
from graphviz_nn.session.window_model import WindowModel

ARCHITECTURES = ("convolution", "cnn_digits", "rnn_vs_lstm", "gru", "attention", "transformer_block",
                 "next_character")
RECURRENT = ("rnn_vs_lstm", "gru", "next_character")
SMALL = 64  # variables of at most this many entries are checked by central differences


def test_the_gallery_lists_every_architecture() -> None:
    assert set(ARCHITECTURES) <= set(EXAMPLES)
    assert all(EXAMPLES[key].title for key in ARCHITECTURES)


@pytest.mark.parametrize("key", ARCHITECTURES)
def test_playing_runs_the_forward_pass_into_the_backward_pass_and_ends_at_true_gradients(key) -> None:
    built = EXAMPLES[key].build()
    player = Player(built)
    while player.tick():
        pass
    assert player.phase == "forward" and player.cursor.at_end
    output_id = built.graph.id_of(built.output)
    np.testing.assert_allclose(player.cursor.quantity(output_id), built.output.value)
    assert player.can_play() and player.phase == "backward"
    while player.tick():
        pass
    assert player.cursor.at_end and len(player.cursor.recording) == len(player.recording("backward"))
    small = [v for v in built.graph.variables if v.value.size <= SMALL]
    assert small
    shown = {v: player.cursor.quantity(built.graph.id_of(v)) for v in small}
    for v, check in check_gradients(built.output, small).items():
        np.testing.assert_allclose(shown[v], check.analytic, rtol=1e-12, atol=1e-15)
        assert check.relative_error < 1e-5, (key, v.label, check.relative_error)
    player.step_back()
    assert player.cursor.position == player.cursor.last - 1  # and back again, step by step


@pytest.mark.parametrize("key", ARCHITECTURES)
def test_each_reopens_from_a_session_file_with_its_values_scopes_and_collapsed_boxes(key, tmp_path) -> None:
    built = EXAMPLES[key].build()
    collapsed = tuple(sorted(collapsed_on_opening(built)))
    state = capture(built, EXAMPLES[key].title, phase="backward", position=3, view=ViewState(0.5, None, collapsed))
    loaded = load_session(save_session(tmp_path / f"{key}.gnn", state))
    again = reopen(loaded)
    graph = again.built.graph
    assert isinstance(loaded, SessionState) and loaded.view.collapsed == collapsed
    assert len(graph) == len(built.graph)
    for a, b in zip(built.graph.nodes, graph.nodes):
        assert (a.label, a.scope, a.kind) == (b.label, b.scope, b.kind)
        np.testing.assert_array_equal(a.value, b.value)
    (want,) = gn.grad(built.output, [built.inputs[0]])
    (got,) = gn.grad(again.built.output, [graph[built.graph.id_of(built.inputs[0])]])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("key", RECURRENT)
def test_an_unrolled_recurrence_opens_with_a_box_per_time_step_and_one_opens_on_its_own(key) -> None:
    built = EXAMPLES[key].build()
    collapsed = collapsed_on_opening(built)
    steps = {s for s in collapsed if s[-1].startswith("t ")}
    layers = {s[:-1] for s in steps}
    (x,) = [n for n in built.graph.nodes if n.name == "x"]
    assert len(steps) == len(layers) * x.shape[0] and f"{x.shape[0]} steps" in built.note
    view = build_view(built.graph, collapsed)
    boxes = {n.id for n in view.nodes if n.kind == "scope"}
    assert {"scope/" + "/".join(s) for s in steps} <= boxes
    assert len(view.nodes) < len(built.graph) / 3
    one = sorted(steps)[0]
    opened = toggled(built.graph, collapsed, one)
    assert opened == collapsed - {one}
    assert len(build_view(built.graph, opened).nodes) > len(view.nodes)


@pytest.fixture(scope="module")
def worker():
    w = LayoutWorker()
    yield w
    w.close()


@pytest.mark.parametrize("key", RECURRENT + ("transformer_block",))
def test_the_window_model_shows_it_laid_out_with_its_boxes_and_steps_into_them(worker, key) -> None:
    built = EXAMPLES[key].build()
    model = WindowModel()
    shown = []
    model.events.shown.connect(shown.append)
    player = model.show(prepare(built, collapsed_on_opening(built), worker, EXAMPLES[key].title, None))
    assert shown == [model] and model.collapsed == built.collapsed
    boxes = {box.id for box in model.layout.nodes if box.kind == "scope"}
    assert boxes == {"scope/" + "/".join(s) for s in built.collapsed}
    drawn = {member for box in model.layout.nodes for member in box.members}
    assert drawn == {built.graph.id_of(n) for n in built.graph.nodes}  # every node, in a box or its own
    player.set_phase("backward")
    inside = next(i for i, step in enumerate(player.cursor.recording.steps)
                  if any(step.node_id in box.members for box in model.layout.nodes if box.kind == "scope"))
    player.seek(inside)
    assert model.cursor.current.node_id == player.cursor.recording.steps[inside].node_id


def test_the_recurrences_read_the_same_sequence_and_one_backward_pass_reaches_both() -> None:
    built = EXAMPLES["rnn_vs_lstm"].build()
    (x,) = [n for n in built.graph.nodes if n.name == "x"]
    assert x.shape == (STEPS, 1, 2) and str(STEPS) in built.note
    model = built.network
    for layer in (model.rnn, model.lstm):
        assert layer.hidden_size == model.rnn.hidden_size
        grads = gn.grad(built.output, [layer.weight_hh_l0, layer.weight_ih_l0])
        assert all(np.abs(g).sum() > 0 for g in grads)


def test_the_convolutions_filter_can_learn_sobels_exactly() -> None:
    built = convolution()
    conv = built.network
    conv.weight.value = SOBEL[None, None].copy()
    conv.bias.value = np.zeros(1)
    built.graph.forward()
    assert float(built.output.value) == pytest.approx(0.0, abs=1e-24)
    (map_,) = [n for n in built.graph.nodes if n.name == "feature map"]
    (digit,) = [n for n in built.graph.nodes if n.name == "digit"]
    image = digit.value[0, 0]
    at = (2, 3)  # one entry by hand: the filter laid on the 3 x 3 patch there
    assert map_.value[0, 0][at] == pytest.approx(np.sum(image[2:5, 3:6] * SOBEL))


@pytest.mark.parametrize("key", ["attention", "transformer_block"])
def test_attention_weights_carry_the_tokens_on_both_axes(key) -> None:
    built = EXAMPLES[key].build()
    ((weights, (rows, columns)),) = built.axis_labels.items()
    assert weights in built.graph and weights.name == "weights"
    assert weights.shape[-2:] == (len(rows), len(columns))
    assert rows == columns and all(len(token) == 1 for token in rows)
    np.testing.assert_allclose(weights.value.sum(axis=-1), 1.0)
    assert all(token in built.note for token in rows)


def test_the_examples_variables_are_the_models_parameters() -> None:
    for key in ARCHITECTURES:
        built = EXAMPLES[key].build()
        parameters = set(built.network.parameters())
        assert set(built.graph.variables) == {p for p in parameters if isinstance(p, Variable)}, key
        assert built.inputs and built.inputs[0] in parameters


def test_in_rnn_vs_lstm_the_cell_carries_the_gradient_back_where_the_rnns_fades() -> None:
    """What the example is for: back through the steps, the RNN's ‖∂L/∂hₜ‖ falls by more
    decades than the LSTM's ‖∂L/∂cₜ‖."""
    from graphviz_nn.session.recurrence import find_unrollings, gradient_strip

    built = EXAMPLES["rnn_vs_lstm"].build()
    built.graph.forward()
    built.graph.backward(built.output)
    rnn, lstm = (gradient_strip(u) for u in find_unrollings(built.graph))
    fall = lambda norms: np.log10(norms[-1] / norms[0])  # noqa: E731
    assert fall(rnn.hidden) > 2 * fall(lstm.cell) > 0
