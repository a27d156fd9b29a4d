"""What the views of a run show, without Qt: the picture at the weights the network holds (never
the last training update's), perceptron weights as matrices, the network kind kept across
datasets, and a run let go when the window opens another document."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.nn import PerceptronNet
from graphviz_nn.nn.builder import build_network, output_width
from graphviz_nn.nn.datasets import BUILTIN, load
from graphviz_nn.session.run_picture import weight_matrices
from graphviz_nn.session.training import TrainingRun, boundary, defaults_for
from graphviz_nn.session.training_sequence import Stage, TrainingSequence, settings_for
from graphviz_nn.session.workspace import Workspace

from .test_training_sequence import InProcessClient

CIRCLES = replace(defaults_for("circles"), epochs=12)
PERCEPTRON_CIRCLES = replace(CIRCLES, spec=replace(CIRCLES.spec, kind="perceptron"))


def _shown(sequence: TrainingSequence) -> list:
    pictures: list = []
    sequence.events.shown.connect(pictures.append)
    return pictures


def _expected(settings, parameters) -> tuple[list, np.ndarray]:
    """The weights and the boundary's classes of a fresh network holding ``parameters``."""
    run = TrainingRun.create(settings)
    run.network.load_parameter_values(parameters)
    net = run.network
    if isinstance(net, PerceptronNet):
        weights = [np.array([[float(np.ravel(p.value)[0]) for p in params if p.label.startswith("w")]])
                   .reshape(net.sizes[k], net.sizes[k - 1]).T for k, (_, params) in enumerate(net.layers, 1)]
    else:
        weights = [p.value for p in net.parameters if p.value.ndim == 2]
    return weights, boundary(net, *run.grid).classes


@pytest.fixture(scope="module")
def trained() -> dict:
    """A layer net and a perceptron net, each trained 12 epochs on circles (in this process)."""
    sequences = {}
    for settings_ in (CIRCLES, PERCEPTRON_CIRCLES):
        sequence = TrainingSequence(InProcessClient)
        sequence.train(settings_, settings_.epochs)
        sequence.drawn(sequence.run.network.graph)
        sequence.client.end()
        sequences[settings_.spec.kind] = sequence
    return sequences


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["layer", "perceptron"]), epochs=st.lists(st.integers(1, 12), min_size=1, max_size=3))
def test_going_back_to_an_epoch_pictures_that_epochs_own_weights(trained, kind, epochs) -> None:
    sequence = trained[kind]
    shown = _shown(sequence)
    for epoch in [*epochs, 12]:  # and back to the latest
        snapshot = sequence.restore_epoch(epoch)
        picture = shown[-1]
        weights, classes = _expected(sequence.run.settings, snapshot.parameters)
        assert picture.epoch == snapshot.epoch == epoch
        assert [w.shape for _, w in picture.weights] == [w.shape for w in weights]
        for (_, shown_w), w in zip(picture.weights, weights):
            np.testing.assert_array_equal(shown_w, w)
        np.testing.assert_array_equal(picture.boundary.classes, classes)
        # The grid went through the network for the boundary: the steppable rows are back.
        assert sequence.run.network.predictions().shape[0] == 16


def test_the_trained_state_and_a_new_network_are_pictured_too(trained) -> None:
    sequence = TrainingSequence(InProcessClient)
    shown = _shown(sequence)
    sequence.train(CIRCLES, 3)
    assert [p.epoch for p in shown] == [0]  # the fresh network, before it is drawn
    sequence.drawn(sequence.run.network.graph)
    sequence.client.end()
    assert [p.epoch for p in shown] == [0, 3]
    weights, classes = _expected(CIRCLES, sequence.run.network.parameter_values())
    np.testing.assert_array_equal(shown[-1].boundary.classes, classes)
    np.testing.assert_array_equal(shown[-1].weights[0][1], weights[0])


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 9), min_size=2, max_size=4), bias=st.booleans())
def test_a_perceptron_nets_scalar_weights_are_shown_as_its_layers_matrices(sizes, bias) -> None:
    net = PerceptronNet(sizes, bias=bias, rng=np.random.default_rng(len(sizes)))
    matrices = weight_matrices(net)
    assert [name for name, _ in matrices] == [f"W{k}" for k in range(1, len(sizes))]
    by_label = {p.label: float(np.ravel(p.value)[0]) for p in net.parameters}
    for k, (_, matrix) in enumerate(matrices, start=1):
        assert matrix.shape == (sizes[k - 1], sizes[k])
        for (i, j), value in np.ndenumerate(matrix):
            assert value == by_label[f"w{k}.{i + 1}{j + 1}"]


@settings(max_examples=40, deadline=None)
@given(dataset=st.sampled_from(sorted(BUILTIN)), kind=st.sampled_from(["layer", "perceptron"]))
def test_picking_a_dataset_keeps_the_network_kind_and_builds(dataset, kind) -> None:
    chosen = settings_for(dataset, kind)
    assert chosen.spec.kind == kind and chosen.dataset == dataset
    base = defaults_for(dataset)
    assert (chosen.spec.hidden, chosen.lr, chosen.epochs) == (base.spec.hidden, base.lr, base.epochs)
    data = load(dataset)
    build_network(chosen.spec, data.n_features, output_width(data, chosen.spec.output_activation),
                  np.random.default_rng(0))  # never "use LayerNet for softmax"


def test_a_document_that_is_not_the_runs_lets_the_run_go() -> None:
    workspace, sequence = Workspace(), TrainingSequence(InProcessClient)
    workspace.opened_event.connect(lambda _title: sequence.document_opened())
    left: list = []
    sequence.events.left.connect(lambda: left.append(True))
    sequence.train(CIRCLES, 3)
    workspace.opened("the network")  # the window opens the network it was handed
    sequence.drawn(sequence.run.network.graph)
    client = sequence.client
    client.end()
    sequence.restore_epoch(1)
    assert sequence.run is not None and not left
    workspace.opened("scalar")  # an example, after Discard
    assert left == [True] and sequence.run is None and client.closed and sequence.stage is Stage.IDLE
    assert sequence.restore_epoch(2) is None and sequence.picture() is None
    client.end()  # a late word from the client let go is not heard
    assert sequence.stage is Stage.IDLE
    # A session file's run, taken over as the file opens, stays.
    sequence.adopt(TrainingRun.create(CIRCLES))
    workspace.opened("lesson.gnn")
    assert sequence.run is not None and left == [True]
    workspace.typed_anew("your expression")
    assert sequence.run is None and left == [True, True]
