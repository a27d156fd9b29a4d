"""A convolution's chain rule position by position, and pooling's routes: the terms add up to the
gradients the engine's backward pass computes (and torch's), over generated shapes, strides,
paddings and dilations; each term is the input value and the upstream gradient it claims to be;
bad requests are refused naming what to fix."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn.session import Cursor, record
from graphviz_nn.session.conv_chain import conv_terms, parameter_terms, pool_routes
from graphviz_nn.session.conv_terms_text import formula
from tests.engine.test_convolution_ops import SETTINGS, convolutions, pools


def _built(case, seed: int):
    """The convolution of a generated case under a loss sum(G · conv) with random G, after a
    backward pass: so the upstream gradient is G and every parameter feeds this node only."""
    name, example = case
    rng = np.random.default_rng(seed)
    arrays = example.sample(rng)
    nodes = [gn.Variable(a, label) for a, label in zip(arrays, ("x", "w", "b"))]
    call = gn.conv1d if name.startswith("conv1d") else gn.conv2d
    conv = call(*nodes, **example.params)
    upstream = gn.Constant(rng.standard_normal(conv.shape), "G")
    gn.sum(conv * upstream).backward()
    return conv, nodes, rng


def _entries(shape, rng, most: int = 4):
    """A few entries of an array of this shape: the first, the last and some drawn."""
    drawn = [tuple(int(rng.integers(n)) for n in shape) for _ in range(most - 2)]
    return [(0,) * len(shape), tuple(n - 1 for n in shape)] + drawn


@SETTINGS
@given(convolutions(), st.integers(0, 2**32 - 1))
def test_the_terms_of_every_entry_add_up_to_the_engines_gradient(case, seed) -> None:
    conv, nodes, rng = _built(case, seed)
    w = nodes[1]
    for entry in _entries(w.shape, rng):
        terms = conv_terms(conv, entry)
        assert terms.count == conv.shape[0] * int(np.prod(conv.shape[2:]))
        np.testing.assert_allclose(terms.products, terms.inputs * terms.upstream)
        np.testing.assert_allclose(terms.total, w.grad[entry], rtol=1e-10, atol=1e-12)
    if len(nodes) == 3:
        for o in range(nodes[2].shape[0]):
            terms = conv_terms(conv, (o,), "bias")
            np.testing.assert_array_equal(terms.inputs, 1.0)
            np.testing.assert_allclose(terms.total, nodes[2].grad[o], rtol=1e-10, atol=1e-12)


@SETTINGS
@given(convolutions(), st.integers(0, 2**32 - 1))
def test_each_term_is_the_input_value_and_upstream_gradient_it_met(case, seed) -> None:
    """x[n, c, y·s − p + i·d, …] (0 in the padding) and g[n, o, y, …], read here by index."""
    conv, nodes, rng = _built(case, seed)
    x, g = nodes[0].value, conv.grad
    for entry in _entries(nodes[1].shape, rng, most=3):
        terms = conv_terms(conv, entry)
        o, c, taps = entry[0], entry[1], entry[2:]
        stride, padding, dilation = (conv.params[k] for k in ("stride", "padding", "dilation"))
        for n, *position in np.ndindex(terms.inputs.shape):
            read = tuple(q * s - p + k * dl for q, s, p, k, dl in zip(position, stride, padding, taps, dilation))
            inside = all(0 <= r < size for r, size in zip(read, x.shape[2:]))
            assert terms.source(n, position) == ((n, c) + read if inside else None)
            assert terms.inputs[(n, *position)] == (x[(n, c) + read] if inside else 0.0)
            assert terms.upstream[(n, *position)] == g[(n, o, *position)]
            assert terms.inside[tuple(position)] == inside
        # The window at each position holds the entry's tap, and its neighbours' taps.
        np.testing.assert_array_equal(terms.patches[(Ellipsis,) + taps], terms.inputs)
        assert terms.patches.shape == terms.inputs.shape + nodes[1].shape[2:]


@settings(max_examples=25, deadline=None)
@given(convolutions(), st.integers(0, 2**32 - 1))
def test_the_terms_add_up_to_torchs_gradient(case, seed) -> None:
    torch = pytest.importorskip("torch")
    conv, nodes, rng = _built(case, seed)
    name, example = case
    function = torch.nn.functional.conv1d if name.startswith("conv1d") else torch.nn.functional.conv2d
    tensors = [torch.tensor(n.value, requires_grad=True) for n in nodes]
    out = function(*tensors, **example.params)
    grads = torch.autograd.grad(out, tensors, grad_outputs=torch.tensor(conv.grad))
    for entry in _entries(nodes[1].shape, rng):
        np.testing.assert_allclose(conv_terms(conv, entry).total, grads[1].numpy()[entry], rtol=1e-10, atol=1e-12)
    if len(nodes) == 3:
        np.testing.assert_allclose(conv_terms(conv, (0,), "bias").total, grads[2].numpy()[0], rtol=1e-10, atol=1e-12)


@SETTINGS
@given(pools(), st.integers(0, 2**32 - 1), st.booleans())
def test_pooling_routes_add_up_to_the_inputs_gradient(case, seed, ties) -> None:
    """With values from {−1, 0, 1} most windows tie, and the max goes to the first largest."""
    name, example = case
    rng = np.random.default_rng(seed)
    value = rng.integers(-1, 2, size=example.shapes[0]).astype(float) if ties else example.sample(rng)[0]
    x = gn.Variable(value, "x")
    pool = getattr(gn, name)(x, **example.params)
    gn.sum(pool * gn.Constant(rng.standard_normal(pool.shape))).backward()
    routes = pool_routes(pool)
    np.testing.assert_allclose(routes.input_gradient(), x.grad, rtol=1e-12, atol=1e-12)
    assert routes.kind == name.removesuffix("_pool2d")
    per_window = 1 if routes.kind == "max" else int(np.prod(example.params["kernel_size"]))
    assert routes.amounts.shape == pool.shape + (per_window,)
    np.testing.assert_allclose(routes.amounts.sum(axis=-1), pool.grad)     # nothing made or lost on the way
    h, w = value.shape[-2:]
    inside = (routes.rows >= 0) & (routes.rows < h) & (routes.cols >= 0) & (routes.cols < w)
    np.testing.assert_array_equal(routes.inside, inside)
    if routes.kind == "max":        # each gradient goes to a value equal to its window's max
        for index in zip(*np.nonzero(routes.inside[..., 0])):
            source = index[:-2] + (routes.rows[index + (0,)], routes.cols[index + (0,)])
            assert value[source] == pool.value[index]


def test_the_first_largest_value_of_a_tied_window_gets_the_gradient() -> None:
    x = gn.Variable(np.array([[[[1.0, 3.0], [3.0, 0.0]]]]), "x")
    pool = gn.max_pool2d(x, 2)
    routes = pool_routes(pool, upstream=np.full((1, 1, 1, 1), 2.0))
    assert (routes.rows[0, 0, 0, 0, 0], routes.cols[0, 0, 0, 0, 0]) == (0, 1)     # row-major first
    np.testing.assert_array_equal(routes.input_gradient()[0, 0], [[0.0, 2.0], [0.0, 0.0]])


def test_an_average_spreads_equal_shares_and_loses_the_paddings() -> None:
    x = gn.Variable(np.ones((1, 1, 2, 2)), "x")
    pool = gn.avg_pool2d(x, 2, stride=1, padding=1)
    routes = pool_routes(pool, upstream=np.ones(pool.shape))
    np.testing.assert_array_equal(routes.amounts, 0.25)
    assert routes.inside[0, 0, 0, 0].tolist() == [False, False, False, True]    # the corner window
    np.testing.assert_array_equal(routes.input_gradient(), np.ones((1, 1, 2, 2)))


def _conv_net():
    """x → conv2d(w, b) → relu → sum of squares: a graph whose backward pass can be stepped."""
    rng = np.random.default_rng(3)
    x = gn.Constant(rng.standard_normal((2, 1, 5, 5)), "x")
    w = gn.Variable(rng.standard_normal((2, 1, 3, 3)), "w")
    b = gn.Variable(rng.standard_normal(2), "b")
    conv = gn.conv2d(x, w, b, padding=1)
    loss = gn.sum(gn.relu(conv) ** 2)
    return gn.Graph(loss), loss, conv, w, b


def test_at_a_step_of_a_recorded_pass_the_terms_use_that_steps_gradients() -> None:
    graph, loss, conv, w, b = _conv_net()
    recording = record(graph, "backward", loss)
    cursor = Cursor(recording, len(recording) - 1)

    def at_cursor(node):
        return cursor.quantity(graph.id_of(node))

    for parameter, entry in ((w, (1, 0, 2, 0)), (b, (1,))):
        (terms,) = parameter_terms(graph, parameter, entry, at_cursor)
        np.testing.assert_allclose(terms.total, at_cursor(parameter)[entry], rtol=1e-12)
        assert terms.parameter == ("weight" if parameter is w else "bias")
        assert (terms.node_label, terms.input_label, terms.parameter_label) == ("conv2d", "x", parameter.label)
    cursor.seek(recording.index_of[graph.id_of(conv)] - 1)      # the convolution's gradient not yet known
    assert parameter_terms(graph, w, (0, 0, 0, 0), at_cursor) == ()
    assert parameter_terms(graph, loss, ()) == ()                # feeds no convolution


def test_the_terms_and_routes_arrays_are_read_only() -> None:
    _, _, conv, _, _ = _conv_net()
    conv.grad = np.ones(conv.shape)
    terms = conv_terms(conv, (0, 0, 1, 1))
    pools = [gn.max_pool2d(conv, 2), gn.avg_pool2d(conv, 3, stride=1, padding=1)]
    routes = [pool_routes(pool, np.ones(pool.shape)) for pool in pools]
    for array in (terms.inputs, terms.upstream, terms.products, terms.patches, *terms.read_at,
                  *(getattr(r, key) for r in routes for key in ("upstream", "rows", "cols", "inside", "amounts"))):
        with pytest.raises(ValueError, match="read-only"):
            array[(0,) * array.ndim] = 1.0


def test_a_large_map_never_freezes() -> None:
    """A batch of 32 maps of 16 channels, 28 × 28: 25,088 terms per entry, kept as arrays
    (about 0.01 s each here; the bound is for a busy machine)."""
    rng = np.random.default_rng(5)
    x = gn.Constant(rng.standard_normal((32, 16, 28, 28)), "x")
    conv = gn.conv2d(x, gn.Variable(rng.standard_normal((16, 16, 3, 3))), padding=1)
    pools = [gn.max_pool2d(conv, 2), gn.avg_pool2d(conv, 3, stride=1, padding=1)]
    started = time.perf_counter()
    terms = conv_terms(conv, (3, 4, 1, 2), upstream=np.ones(conv.shape))
    routes = [pool_routes(pool, np.ones(pool.shape)) for pool in pools]
    assert time.perf_counter() - started < 1.0
    assert terms.count == 32 * 28 * 28 and routes[1].amounts.shape == (32, 16, 28, 28, 9)


@pytest.mark.parametrize("entry, parameter, message", [
    ((2, 0, 0, 0), "weight", r"entry \[2, 0, 0, 0\] is not in the weight 'w' of 'conv2d' of shape \(2, 1, 3, 3\): "
                             r"index 2 on axis 0 must be from 0 to 1"),
    ((0, 0, 0, -1), "weight", r"index -1 on axis 3 must be from 0 to 2"),
    ((0, 0, 0), "weight", r"has shape \(2, 1, 3, 3\): an entry takes 4 indices, got \[0, 0, 0\]"),
    ((2,), "bias", r"entry \[2\] is not in the bias 'b' of 'conv2d' of shape \(2,\)"),
    ((0,), "kernel", r"parameter must be 'weight' or 'bias', got 'kernel'"),
])
def test_an_entry_out_of_range_is_refused_naming_the_range(entry, parameter, message) -> None:
    _, _, conv, _, _ = _conv_net()
    conv.grad = np.ones(conv.shape)
    with pytest.raises(ValueError, match=message):
        conv_terms(conv, entry, parameter)


def test_requests_that_cannot_be_answered_say_what_to_do() -> None:
    graph, loss, conv, w, _ = _conv_net()
    with pytest.raises(ValueError, match="'conv2d' has no gradient yet: run a backward pass"):
        conv_terms(conv, (0, 0, 0, 0))
    with pytest.raises(ValueError, match=r"has shape \(3,\), but the node's value has shape \(2, 2, 5, 5\)"):
        conv_terms(conv, (0, 0, 0, 0), upstream=np.ones(3))
    with pytest.raises(ValueError, match="'ReLU' is a relu node, not a conv1d or conv2d node: select one in the graph"):
        conv_terms(graph.consumers(conv)[0], (0, 0, 0, 0))
    with pytest.raises(ValueError, match="'w' is a variable, not a max_pool2d or avg_pool2d node"):
        pool_routes(w)
    plain = gn.conv1d(gn.Variable(np.ones((1, 1, 4))), gn.Variable(np.ones((1, 1, 2))))
    with pytest.raises(ValueError, match="'conv1d' has no bias: it was built without one"):
        conv_terms(plain, (0,), "bias", upstream=np.ones(plain.shape))


@pytest.mark.parametrize("params, entry, reads", [
    ({"stride": 2, "padding": 1, "dilation": 2}, (0, 0, 0, 1), ("2y − 1", "2x + 1")),
    ({"padding": 1}, (1, 0, 1, 1), ("y", "x")),
    ({"stride": (1, 3), "padding": (0, 2)}, (0, 0, 2, 0), ("y + 2", "3x − 2")),
])
def test_the_formula_writes_the_index_each_tap_reads(params, entry, reads) -> None:
    rng = np.random.default_rng(1)
    x, w = gn.Constant(rng.standard_normal((1, 1, 7, 7)), "x"), gn.Variable(rng.standard_normal((2, 1, 3, 3)), "w")
    conv = gn.conv2d(x, w, **params)
    terms = conv_terms(conv, entry, upstream=np.ones(conv.shape))
    written = f"x[n, 0, {reads[0]}, {reads[1]}] · g[n, {entry[0]}, y, x]"
    assert formula(terms) == f"∂L/∂w[{', '.join(map(str, entry))}] = Σ over n, y, x of {written}"
    for rows, read in zip(terms.read_at, reads):      # what it writes is what the terms read
        assert rows.tolist() == [_at(read, q) for q in range(rows.size)]


def _at(read: str, q: int) -> int:
    """An index as the formula writes it ("2y − 1", "x") at position q."""
    scaled, *offset = read.split(" ")
    value = q * (int(scaled[:-1]) if len(scaled) > 1 else 1)
    if offset:
        value += int(offset[1]) * (1 if offset[0] == "+" else -1)
    return value


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["max", "avg"]), padding=st.integers(0, 1))
def test_a_route_in_words_names_where_the_engine_sends_that_gradient(seed, kind, padding) -> None:
    """The words for an output entry name the input entries its gradient reaches: for max
    pooling the one whose gradient moves when only that entry's upstream is 1."""
    from graphviz_nn.session.conv_terms_text import route_text

    rng = np.random.default_rng(seed)
    x = gn.Variable(rng.normal(size=(1, 2, 4, 4)))
    pool = (gn.max_pool2d if kind == "max" else gn.avg_pool2d)(x, 2, padding=padding)
    index = tuple(int(rng.integers(n)) for n in pool.shape)
    seed_g = np.zeros(pool.shape)
    seed_g[index] = 1.0
    graph = gn.Graph(pool)
    graph.forward()
    graph.backward(pool, seed_g)
    text = route_text(pool_routes(pool), index)
    reached = np.argwhere(x.grad != 0)
    assert text.startswith(f"g{list(index)} = 1")
    if kind == "max":
        assert len(reached) == 1 and f"input's [{', '.join(map(str, reached[0]))}]" in text
    elif len(reached):
        rows, cols = reached[:, 2], reached[:, 3]
        assert f"rows {rows.min()}-{rows.max()}, columns {cols.min()}-{cols.max()}" in text
    with pytest.raises(ValueError, match="not in the pool's output"):
        route_text(pool_routes(pool), (0, 2, 0, 0))
