"""getitem's positions are read once into an integer array, bounded before they are read,
priced as work, and still compare and hash as the nested tuples they are written as."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphviz_nn as gn
from graphviz_nn.engine import ParamError, ops, registry
from graphviz_nn.engine import indices
from graphviz_nn.engine.ops.indexing import GATHER_UNIT
from graphviz_nn.engine.indices import READ_POSITION, Positions, encode_index, read_index

from ..memory import traced_peak

MIB = 2**20


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4),
                  elements=st.integers(-2**63, 2**63 - 1)))
def test_nested_lists_read_as_the_array_they_spell(positions) -> None:
    assume(0 not in positions.shape[:-1])  # [] is no (0, 3) array: lists cannot say so
    written = positions.tolist()
    (read,) = read_index([written])
    assert isinstance(read, Positions) and read.array.dtype == np.int64
    np.testing.assert_array_equal(read.array, positions)
    assert read.shape == positions.shape and not read.array.flags.writeable
    # As read from tuples too, and equal to both forms, hashing as the tuples do.
    nested = read.nested()
    assert read_index([nested]) == (read,) == read_index([written])
    assert read == nested and read == written and hash(read) == hash(nested)


@pytest.mark.parametrize("positions", [
    [0, True], [1, 2.0], [[0], [1, 2]], [[0], 1], [0, [1]], [2**63], [-2**63 - 1], [[[[[0]]]]],
    ["1"], [None], [0, np.float64(1.0)],
])
def test_anything_but_whole_numbers_in_a_rectangle_is_refused(positions) -> None:
    with pytest.raises(ParamError, match="parameter 'index' must be an index"):
        registry()["getitem"].plan([(4, 3)], {"index": [positions]})


def test_too_many_positions_are_refused_before_any_is_read(monkeypatch) -> None:
    op = registry()["getitem"]
    too_many = [[0] * 4096] * 1025  # 4,198,400 positions, more than 2**22
    start = time.process_time()
    with pytest.raises(ParamError, match="at most 4194304 of them"):
        op.plan([(4,)], {"index": [too_many]})
    assert time.process_time() - start < 0.05  # reading them would take 0.2 s
    monkeypatch.setattr(indices, "MAX_POSITIONS", 1000)
    op.plan([(4,)], {"index": [[0] * 1000]})
    for many in ([0] * 1001, [[0] * 11] * 91, [[["x"] * 500] * 2] * 2):
        with pytest.raises(ParamError, match="must be an index"):
            op.plan([(4,)], {"index": [many]})


def test_two_million_positions_are_read_in_a_fraction_of_a_second() -> None:
    """As nested tuples they took 4.5 s and 253 MB (2.2 µs and 120 bytes a position)."""
    positions = [0, 5, 1, 4] * 500_000
    op = registry()["getitem"]
    start = time.process_time()
    plan = op.plan([(6,)], {"index": [positions]})
    assert time.process_time() - start < 1.0
    (read,), peak = traced_peak(lambda: read_index([positions]))
    assert peak < 48 * MIB  # the array (16 MB) and a list of the elements' types
    np.testing.assert_array_equal(op.forward(np.arange(6.0), **plan.params), np.asarray(positions, float))


def test_a_gather_is_priced_by_its_positions_and_what_it_copies() -> None:
    op = registry()["getitem"]
    view = op.plan([(1000, 50)], {"index": ["::2", 3]})
    few = op.plan([(1000, 50)], {"index": [[1, 2, 3]]})
    many = op.plan([(1000, 50)], {"index": [[1] * 30_000]})
    assert view.flops == few.flops - 3 * (GATHER_UNIT * 50 + READ_POSITION) < many.flops
    assert many.flops - view.flops == 30_000 * (GATHER_UNIT * 50 + READ_POSITION)


def test_an_index_is_a_value_python_can_hash_compare_and_print() -> None:
    index = encode_index((slice(None), np.array([[2, 0]])))
    assert index == (":", ((2, 0),)) and {index: 1}[(":", ((2, 0),))] == 1
    assert repr(index) == "(':', ((2, 0),))"
    long = encode_index(np.arange(100))
    assert "shape=(100,)" in repr(long[0]) and "0..99" in repr(long[0])


def test_take_of_an_array_of_positions_keeps_them_as_an_array(rng) -> None:
    x = gn.Variable(rng.standard_normal((50, 3)))
    rows = rng.integers(0, 50, size=10_000)
    f = ops.take(x, rows, axis=0)
    assert isinstance(f.params["index"][-1], Positions)
    rows[0] = (rows[0] + 1) % 50  # the node keeps its own copy
    np.testing.assert_array_equal(f.params["index"][-1].array[1:], rows[1:])
    assert f.params["index"][-1].array[0] != rows[0]
