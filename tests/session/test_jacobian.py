"""JacobianPlan: forward mode builds the Jacobian column by column, reverse mode row by row."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import Constant, Graph, GraphError, Variable
from graphviz_nn.session.examples import EXAMPLES
from graphviz_nn.session.jacobian import JacobianPass, JacobianPlan
from graphviz_nn.session.playback import record


def central_differences(graph: Graph, output: gn.Node, inputs, h: float = 1e-6) -> np.ndarray:
    """The m x n Jacobian by central differences (the engine's helper)."""
    return gn.numeric_jacobian(output, list(inputs), h)


def plans(key: str) -> tuple[JacobianPlan, JacobianPlan]:
    built = EXAMPLES[key].build()
    return (JacobianPlan(built.graph, built.output, built.inputs, "forward"),
            JacobianPlan(built.graph, built.output, built.inputs, "reverse"))


def mixed_problem() -> tuple[Graph, gn.Node, list[Variable]]:
    """f: R^3 -> R^2 from a vector input w of shape (2,) and a scalar b."""
    w = Variable([0.3, -1.1], "w")
    b = Variable(0.7, "b")
    A = Constant([[1.0, 2.0], [-0.5, 0.25]], "A")
    f = gn.tanh(A @ w + b) * gn.sin(w)
    f.name = "f"
    return Graph(f), f, [w, b]


@pytest.mark.parametrize("key, n, m, forward_passes, reverse_passes", [
    ("vector", 1, 3, 1, 3),
    ("scalar", 3, 1, 3, 1),
])
def test_forward_takes_one_pass_per_input_and_reverse_one_per_output(
    key, n, m, forward_passes, reverse_passes
) -> None:
    forward, reverse = plans(key)
    assert (forward.n, forward.m) == (reverse.n, reverse.m) == (n, m)
    assert len(forward.passes) == forward_passes and len(reverse.passes) == reverse_passes
    assert forward.other_passes == reverse_passes and reverse.other_passes == forward_passes
    assert forward.exact.shape == (m, n)
    assert [p.index for p in forward.passes] == list(range(forward_passes))
    assert all(p.mode == "forward" and p.cotangent is None and p.phase == "tangent"
               for p in forward.passes)
    assert all(p.mode == "reverse" and p.seeds == {} and p.phase == "backward"
               for p in reverse.passes)


@pytest.mark.parametrize("key", ["vector", "scalar", "perceptron", "layer_net"])
def test_every_pass_yields_its_column_or_row_of_the_exact_jacobian(key) -> None:
    forward, reverse = plans(key)
    for p in forward.passes:
        np.testing.assert_allclose(forward.result_of(p), forward.exact[:, p.index], rtol=1e-12, atol=1e-14)
    for p in reverse.passes:
        np.testing.assert_allclose(reverse.result_of(p), reverse.exact[p.index, :], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(forward.exact, reverse.exact, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("key", ["vector", "scalar"])
def test_the_exact_jacobian_matches_central_differences(key) -> None:
    built = EXAMPLES[key].build()
    plan = JacobianPlan(built.graph, built.output, built.inputs, "forward")
    numeric = central_differences(built.graph, built.output, built.inputs)
    np.testing.assert_allclose(plan.exact, numeric, rtol=1e-7, atol=1e-8)


def test_the_scalar_example_in_numbers() -> None:
    forward, reverse = plans("scalar")
    x1, x2, x3 = 0.5, -1.2, 2.0
    expected = [[np.cos(x1 + x2), np.cos(x1 + x2) + 2 * x2 * x3, x2 ** 2]]
    np.testing.assert_allclose(forward.exact, expected, rtol=1e-14)
    assert forward.column_labels == ("x1", "x2", "x3") and forward.row_labels == ("z",)
    assert [p.label for p in forward.passes] == [
        "column 1: ẋ1 = 1", "column 2: ẋ2 = 1", "column 3: ẋ3 = 1"]
    assert [p.label for p in reverse.passes] == ["row 1: seed z = 1"]
    seeds = forward.passes[1].seeds
    assert [v.name for v in seeds] == ["x2"] and float(next(iter(seeds.values()))) == 1.0
    assert reverse.passes[0].cotangent.shape == () and float(reverse.passes[0].cotangent) == 1.0


def test_the_vector_example_in_numbers() -> None:
    forward, reverse = plans("vector")
    x = 0.8
    np.testing.assert_allclose(forward.exact[:, 0], [4 * x ** 3, 2 * x + np.cos(x), -np.cos(x)], rtol=1e-14)
    assert forward.column_labels == ("x",) and forward.row_labels == ("f[0]", "f[1]", "f[2]")
    assert [p.label for p in reverse.passes] == [f"row {i + 1}: seed f[{i}] = 1" for i in range(3)]
    np.testing.assert_array_equal(reverse.passes[1].cotangent, [0.0, 1.0, 0.0])


def test_filled_after_reveals_columns_or_rows_in_order() -> None:
    forward, reverse = plans("vector")
    assert np.isnan(forward.filled_after(0)).all()
    np.testing.assert_array_equal(forward.filled_after(1), forward.exact)
    two = reverse.filled_after(2)
    np.testing.assert_array_equal(two[:2], reverse.exact[:2])
    assert np.isnan(two[2]).all()
    np.testing.assert_array_equal(reverse.filled_after(99), reverse.exact)  # clamped
    assert np.isnan(reverse.filled_after(-1)).all()


def test_array_inputs_are_labelled_and_ordered_like_graphviz_nn_jacobian() -> None:
    graph, f, (w, b) = mixed_problem()
    forward = JacobianPlan(graph, f, [w, b], "forward")
    reverse = JacobianPlan(graph, f, [w, b], "reverse")
    assert (forward.m, forward.n, len(forward.passes), len(reverse.passes)) == (2, 3, 3, 2)
    assert forward.column_labels == ("w[0]", "w[1]", "b")
    assert forward.row_labels == ("f[0]", "f[1]")
    assert [p.label for p in forward.passes] == [
        "column 1: ẇ[0] = 1", "column 2: ẇ[1] = 1", "column 3: ḃ = 1"]
    np.testing.assert_array_equal(forward.passes[1].seeds[w], [0.0, 1.0])
    np.testing.assert_allclose(forward.exact, gn.jacobian(f, [w, b], mode="forward").matrix, rtol=1e-14)
    np.testing.assert_allclose(forward.exact, central_differences(graph, f, [w, b]), rtol=1e-7, atol=1e-8)
    for p in forward.passes:
        np.testing.assert_allclose(forward.result_of(p), forward.exact[:, p.index], rtol=1e-12)
    for p in reverse.passes:
        np.testing.assert_allclose(reverse.result_of(p), reverse.exact[p.index], rtol=1e-12)


def test_matrix_inputs_are_labelled_row_major() -> None:
    W = Variable(np.arange(6.0).reshape(2, 3) / 10, "W")
    x = Constant([1.0, -2.0, 0.5])
    f = gn.softmax(W @ x)
    plan = JacobianPlan(Graph(f), f, [W], "forward")
    assert plan.column_labels == ("W[0,0]", "W[0,1]", "W[0,2]", "W[1,0]", "W[1,1]", "W[1,2]")
    assert plan.row_labels == ("f[0]", "f[1]")  # an unnamed output is called f
    np.testing.assert_allclose(plan.exact, gn.jacobian(f, W, mode="reverse").matrix, rtol=1e-14)
    for p in plan.passes:
        np.testing.assert_allclose(plan.result_of(p), plan.exact[:, p.index], rtol=1e-12, atol=1e-15)


def test_a_pass_records_for_the_window_to_animate() -> None:
    forward, reverse = plans("scalar")
    p = forward.passes[2]
    recording = forward.record(p)
    assert recording.phase == "tangent"
    z = forward.output
    tangent = recording.steps[recording.index_of[forward.graph.id_of(z)]].value
    assert tangent == pytest.approx(forward.exact[0, 2])
    backward = record(reverse.graph, reverse.passes[0].phase, reverse.output, reverse.passes[0].cotangent)
    grads = [backward.steps[backward.index_of[reverse.graph.id_of(v)]].value for v in reverse.inputs]
    np.testing.assert_allclose(np.ravel(grads), reverse.exact[0], rtol=1e-14)


def test_an_input_outside_the_graph_gets_a_zero_column() -> None:
    x, stray = Variable(2.0, "x"), Variable(3.0, "stray")
    y = x * x
    plan = JacobianPlan(Graph(y), y, [x, stray], "forward")
    assert plan.passes[1].seeds == {}
    np.testing.assert_array_equal(plan.exact, [[4.0, 0.0]])
    assert plan.result_of(plan.passes[1]).tolist() == [0.0]
    reverse = JacobianPlan(Graph(y), y, [x, stray], "reverse")
    assert reverse.result_of(reverse.passes[0]).tolist() == [4.0, 0.0]


def test_bad_arguments_are_refused() -> None:
    built = EXAMPLES["scalar"].build()
    with pytest.raises(ValueError, match="mode must be"):
        JacobianPlan(built.graph, built.output, built.inputs, "sideways")
    with pytest.raises(GraphError):
        JacobianPlan(built.graph, Variable(1.0, "elsewhere"), built.inputs, "forward")


def test_a_pass_is_a_frozen_value() -> None:
    p = plans("scalar")[0].passes[0]
    assert isinstance(p, JacobianPass)
    with pytest.raises(AttributeError):
        p.index = 3
