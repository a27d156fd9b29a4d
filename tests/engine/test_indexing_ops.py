"""getitem and take: numpy's results and shapes for every kind of static index, gathered rows
adding their gradients, and indices from a file checked against shapes before computing."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ParamError, ShapeError, check_op_rules, ops, registry
from graphviz_nn.engine.indices import encode_index, numpy_index
from graphviz_nn.io import SessionState, load_session, save_session

SHAPES = ((5,), (3, 4), (2, 3, 4))


def _entries(n: int, rng: np.random.Generator) -> list:
    """Kinds of index entry for an axis of length n, as Python index objects."""
    return [
        int(rng.integers(-n, n)),
        slice(None),
        slice(int(rng.integers(-n, n)), None, int(rng.choice([-2, -1, 1, 3]))),
        slice(None, int(rng.integers(-n - 2, n + 2)), int(rng.choice([-1, 2]))),
        rng.integers(-n, n, size=4).tolist(),  # repeats likely
        rng.integers(-n, n, size=(2, 3)),
    ]


def random_indices(shape: tuple[int, ...], rng: np.random.Generator) -> list:
    """Tuples of entries, at most one list, some with an Ellipsis, some shorter than ndim."""
    indices = []
    for count in range(1, len(shape) + 1):
        for combo in itertools.product(*(_entries(n, rng) for n in shape[:count])):
            if sum(isinstance(e, (list, np.ndarray)) for e in combo) > 1:
                continue
            indices.append(combo)
            if count < len(shape):
                indices.append((Ellipsis,) + combo)
    return indices


@pytest.mark.parametrize("shape", SHAPES)
def test_every_kind_of_index_gives_numpys_value_and_shape_and_correct_rules(shape, rng) -> None:
    op = registry()["getitem"]
    x = rng.standard_normal(shape)
    examples = []
    for index in random_indices(shape, rng):
        encoded = encode_index(index)
        plan = op.plan([shape], {"index": list(encoded)})
        expected = x[index]
        assert plan.shape == expected.shape, (index, encoded)
        np.testing.assert_array_equal(ops.getitem(gn.Constant(x), index).value, expected)
        examples.append(gn.Example((shape,), {"index": encoded}))
    assert len(examples) >= 6
    check_op_rules(replace(op, examples=tuple(examples)), rng, tolerance=1e-6)


def test_repeated_rows_add_their_gradients_as_an_embedding_lookup_does() -> None:
    table = gn.Variable(np.arange(12.0).reshape(4, 3))
    rows = ops.getitem(table, [2, 0, 2, 2])
    np.testing.assert_array_equal(rows.value, table.value[[2, 0, 2, 2]])
    grad = gn.grad(gn.sum(rows * gn.Constant([[1.0], [10.0], [100.0], [1000.0]])), [table])[0]
    np.testing.assert_array_equal(grad, [[10, 10, 10], [0, 0, 0], [1101, 1101, 1101], [0, 0, 0]])
    # Forward mode gathers the tangent rows.
    np.testing.assert_array_equal(gn.jvp(rows, {table: np.eye(4, 3)}), np.eye(4, 3)[[2, 0, 2, 2]])


def test_slices_with_steps_and_negative_positions_route_the_gradient() -> None:
    x = gn.Variable(np.arange(6.0))
    f = ops.getitem(x, slice(-1, 0, -2))
    np.testing.assert_array_equal(f.value, [5.0, 3.0, 1.0])
    np.testing.assert_array_equal(gn.grad(f, [x], cotangent=[1.0, 2.0, 3.0])[0], [0, 3, 0, 2, 0, 1])


@pytest.mark.parametrize("shape, index, message", [
    ((3,), [3], "position 3 is out of range for axis 0 of length 3"),
    ((3,), [-4], "position -4 is out of range"),
    ((4, 3), [":", [0, 3]], "position 3 is out of range for axis 1 of length 3"),
    ((4, 3), [0, 0, 0], "3 entries for an input of 2 dimension"),
    ((4, 3), ["...", 0, 0, 0], "3 entries"),
])
def test_indices_that_do_not_fit_the_shape_are_refused_before_computing(shape, index, message) -> None:
    with pytest.raises(ShapeError, match=message):
        registry()["getitem"].plan([shape], {"index": index})


@pytest.mark.parametrize("index", [
    [[0], [1]], ["...", "..."], ["1:2:0"], ["a:b"], ["1:2:3:4"], [" 1:2"], [True], [1.5], [None],
    [[0, [1]]], [[[[[[0]]]]]], {"0": 1}, ["9" * 30 + ":"],
])
def test_malformed_indices_are_parameter_errors(index) -> None:
    with pytest.raises(ParamError, match="parameter 'index' must be an index"):
        registry()["getitem"].plan([(4, 3)], {"index": index})


def test_python_indices_are_encoded_in_json_terms() -> None:
    assert encode_index((1, slice(None), slice(2, None, -1), Ellipsis, [0, 0])) == (1, ":", "2::-1", "...", (0, 0))
    assert encode_index(np.array([[1, 2]])) == (((1, 2),),)
    assert encode_index(-2) == (-2,)
    for bad in (None, 1.0, np.array([True, False]), (slice(0.5, 2),), gn.Constant(1.0)):
        with pytest.raises(TypeError):
            encode_index(bad)
    assert isinstance(numpy_index([[1, 2]], 1)[0], np.ndarray)
    assert ops.getitem(gn.Constant(np.ones((4, 3))), []).shape == (0, 3)  # no rows, as numpy


@pytest.mark.parametrize("indices, axis", [
    ([2, 0, 2], 0), ([[1, 0], [0, 1]], -1), (1, 1), ([5, -1, 0], None), (3, None), ([0], -2),
])
def test_take_matches_numpy_and_adds_repeated_gradients(indices, axis, rng) -> None:
    x = gn.Variable(rng.standard_normal((3, 2)))
    f = ops.take(x, indices, axis=axis)
    expected = np.take(x.value, indices, axis=axis)
    np.testing.assert_array_equal(f.value, expected)
    u = rng.standard_normal(expected.shape)
    scattered = np.zeros(x.value.size if axis is None else x.value.shape)
    if axis is None:
        np.add.at(scattered, np.asarray(indices), u)
        scattered = scattered.reshape(x.value.shape)
    else:
        np.add.at(scattered, (slice(None),) * (axis % 2) + (np.asarray(indices),), u)
    np.testing.assert_allclose(gn.grad(f, [x], cotangent=u)[0], scattered, rtol=1e-15)


def test_take_refuses_an_axis_x_does_not_have() -> None:
    with pytest.raises(ParamError, match=r"take: parameter 'axis' must be an axis of x \(-2\.\.1\)"):
        ops.take(gn.Variable(np.ones((2, 2))), [0], axis=2)


def test_an_indexed_graph_survives_a_session_file(tmp_path: Path) -> None:
    x = gn.Variable(np.arange(12.0).reshape(3, 4), "x")
    f = gn.sum(ops.getitem(x, (slice(None, None, -1), [0, 3, 3])) ** 2)
    loaded = load_session(save_session(tmp_path / "indexed.gnn", SessionState(gn.Graph(f), None))).graph
    rebuilt = [n for n in loaded.nodes if isinstance(n, gn.Function) and n.op.name == "getitem"][0]
    assert rebuilt.params == {"index": ("::-1", (0, 3, 3))}
    assert float(loaded.outputs[0].value) == float(f.value)
