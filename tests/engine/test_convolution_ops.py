"""conv1d, conv2d, max_pool2d and avg_pool2d: rules against central differences in both
modes over generated shapes, strides, paddings and dilations; values, gradients and tangents
against torch.nn.functional where torch is installed; ties routed as torch routes them; and
bad shapes or parameters refused in one line before anything is allocated."""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn.engine import Example, ParamError, ShapeError, check_op_rules, registry

CONVOLUTIONS = ("conv1d", "conv1d_bias", "conv2d", "conv2d_bias")
POOLS = ("max_pool2d", "avg_pool2d")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def convolutions(draw, d: int | None = None) -> tuple[str, Example]:
    """A convolution's name and a sample point: 1 or 2 spatial axes, bias or not, kernels of
    1-3 taps spaced 1-2 apart, stride 1-3, padding 0-2, inputs from the kernel's span up."""
    d = draw(st.sampled_from((1, 2))) if d is None else d
    bias = draw(st.booleans())
    n, c, o = (draw(st.integers(1, 3)) for _ in range(3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    size = tuple(max(1, dl * (k - 1) + 1 - 2 * p + draw(st.integers(0, 3)))
                 for k, dl, p in zip(kernel, dilation, padding))
    shapes = ((n, c) + size, (o, c) + kernel) + (((o,),) if bias else ())
    name = f"conv{d}d" + ("_bias" if bias else "")
    return name, Example(shapes, {"stride": stride, "padding": padding, "dilation": dilation})


@st.composite
def pools(draw) -> tuple[str, Example]:
    """A pool's name and a sample point: batched or not, kernels of 1-3, stride 1-3 or the
    kernel's (None), padding up to half the kernel."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    size = tuple(max(1, k - 2 * p + draw(st.integers(0, 4))) for k, p in zip(kernel, padding))
    lead = draw(st.sampled_from(((2, 3), (1, 2), (3,))))
    name = draw(st.sampled_from(POOLS))
    return name, Example((lead + size,), {"kernel_size": kernel, "stride": stride, "padding": padding})


# --- rules against central differences, in both modes -----------------------------------------

@SETTINGS
@given(st.one_of(convolutions(), pools()), st.integers(0, 2**32 - 1))
def test_rules_match_central_differences_over_generated_geometry(case, seed) -> None:
    """vjp and jvp of every input against the central-difference Jacobian, and the adjoint
    identity <u, J v> = <Jᵀ u, v>, at random values and random u, v."""
    name, example = case
    op = registry()[name]
    plan = op.plan(example.shapes, dict(example.params))
    check_op_rules(replace(op, examples=(replace(example, params=plan.params),)),
                   np.random.default_rng(seed), tolerance=1e-6)


@SETTINGS
@given(convolutions(), st.integers(0, 2**32 - 1))
def test_the_plan_gives_the_shape_the_forward_makes(case, seed) -> None:
    name, example = case
    op = registry()[name]
    plan = op.plan(example.shapes, dict(example.params))
    ans = op.forward(*example.sample(np.random.default_rng(seed)), **plan.params)
    assert ans.shape == plan.shape and plan.temporary >= plan.size


def test_every_op_is_one_node_of_the_graph_and_its_gradients_check(rng) -> None:
    """Through the engine's passes: one Function per convolution or pool, not an im2col graph;
    reverse-mode gradients of a small conv net against central differences."""
    x = gn.Variable(rng.uniform(-2, 2, (2, 1, 6, 6)), "x")
    w1 = gn.Variable(rng.standard_normal((3, 1, 3, 3)), "w1")
    b1 = gn.Variable(rng.standard_normal(3), "b1")
    w2 = gn.Variable(rng.standard_normal((2, 3, 2, 2)), "w2")
    h = gn.max_pool2d(gn.tanh(gn.conv2d(x, w1, b1, padding=1)), 2)
    out = gn.avg_pool2d(gn.conv2d(h, w2, stride=1, padding=1, dilation=2), 2, stride=1)
    loss = gn.sum(out * out)
    graph = gn.Graph(loss)
    names = [n.op.name for n in graph.nodes if isinstance(n, gn.Function)]
    assert names.count("conv2d_bias") == names.count("conv2d") == 1
    assert names.count("max_pool2d") == names.count("avg_pool2d") == 1
    assert len(names) == 7  # conv, tanh, pool, conv, pool, mul, sum
    for check in gn.check_gradients(loss).values():
        assert check.ok(1e-6), (check.variable.name, check.error)


def test_a_convolution_without_bias_has_two_inputs_and_one_with_it_three(rng) -> None:
    x, w = rng.standard_normal((1, 2, 4)), rng.standard_normal((3, 2, 2))
    plain, biased = gn.conv1d(x, w), gn.conv1d(x, w, bias=np.zeros(3))
    assert len(plain.inputs) == 2 and plain.op.name == "conv1d"
    assert len(biased.inputs) == 3 and biased.op.name == "conv1d_bias"
    assert plain.label == biased.label == "conv1d"
    np.testing.assert_array_equal(plain.value, biased.value)


def test_conv2d_is_the_cross_correlation_written_out() -> None:
    """ans[n, o, i, j] = b[o] + Σ w[o, c, a, b] · xp[n, c, i·s + a·dl, j·s + b·dl], by loops."""
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 2, 3)), rng.standard_normal(4)
    stride, padding, dilation = (2, 1), (1, 2), (2, 1)
    ans = gn.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation).value
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)))
    expected = np.zeros(ans.shape)
    for n, o, i, j in np.ndindex(*ans.shape):
        for c, a, k in np.ndindex(3, 2, 3):
            expected[n, o, i, j] += w[o, c, a, k] * xp[n, c, i * 2 + a * 2, j * 1 + k * 1]
        expected[n, o, i, j] += b[o]
    np.testing.assert_allclose(ans, expected, rtol=1e-12, atol=1e-12)


def test_an_empty_batch_gives_an_empty_output_and_empty_gradients(rng) -> None:
    """N = 0, as torch: (0, O, H_out, W_out), and gradients of the inputs' shapes."""
    x, w, b = gn.Variable(np.zeros((0, 2, 4, 4))), gn.Variable(rng.standard_normal((3, 2, 2, 2))), gn.Variable(np.ones(3))
    for out in (gn.conv2d(x, w, b, padding=1), gn.max_pool2d(x, 2), gn.avg_pool2d(x, 3, padding=1)):
        assert out.shape[0] == 0
        inputs = list(out.inputs)
        grads = gn.grad(gn.sum(out), inputs)
        assert [g.shape for g in grads] == [v.shape for v in inputs]
        assert all(not np.any(g) for g in grads)  # no sample: the weight's and bias's are 0
    assert gn.conv2d(x, w, padding=1).shape == (0, 3, 5, 5)


# --- ties and padding of the pools ---------------------------------------------------------------

def test_max_pool_routes_a_tied_windows_gradient_to_its_first_largest_value() -> None:
    """Row-major first, as torch's max_pool2d (the engine's max shares ties instead); padding
    (−inf) never wins; overlapping windows add what they route to one value."""
    x = gn.Variable([[[[1.0, 1.0, 0.0], [1.0, 0.0, 2.0], [2.0, 2.0, 2.0]]]])
    m = gn.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(m.value[0, 0], [[1.0, 2.0], [2.0, 2.0]])
    g = gn.grad(m, [x], cotangent=np.array([[[[1.0, 10.0], [100.0, 1000.0]]]]))[0]
    np.testing.assert_array_equal(g[0, 0], [[1.0, 0, 0], [0, 0, 1010.0], [100.0, 0, 0]])
    tangent = gn.jvp(m, {x: np.arange(9.0).reshape(1, 1, 3, 3)})
    np.testing.assert_array_equal(tangent[0, 0], [[0.0, 5.0], [6.0, 5.0]])
    negative = gn.max_pool2d(-np.ones((1, 1, 2, 2)), 2, stride=1, padding=1)
    np.testing.assert_array_equal(negative.value, -np.ones((1, 1, 3, 3)))


def test_avg_pool_counts_the_padding_in_its_mean() -> None:
    x = gn.Variable(np.ones((1, 1, 2, 2)))
    a = gn.avg_pool2d(x, 2, stride=1, padding=1)
    np.testing.assert_array_equal(a.value[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
    np.testing.assert_array_equal(gn.grad(gn.sum(a), [x])[0], np.ones((1, 1, 2, 2)))


# --- against torch -------------------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch")


def _torch_function(torch, name: str):
    functional = torch.nn.functional
    return {"conv1d": functional.conv1d, "conv1d_bias": functional.conv1d, "conv2d": functional.conv2d,
            "conv2d_bias": functional.conv2d, "max_pool2d": functional.max_pool2d,
            "avg_pool2d": functional.avg_pool2d}[name]


def _engine_call(name: str, nodes, params):
    if name in POOLS:
        return getattr(gn, name)(nodes[0], **params)
    return getattr(gn, name.removesuffix("_bias"))(*nodes, **params)


def _assert_matches_torch(name: str, xs: list[np.ndarray], params, rng) -> None:
    """Value, vjp of every input at a random cotangent (autograd) and the tangent of all
    inputs at random directions (torch.func.jvp), in float64."""
    torch = _torch()
    function = _torch_function(torch, name)
    nodes = [gn.Variable(x, f"x{i}") for i, x in enumerate(xs)]
    ans = _engine_call(name, nodes, params)
    primals = [torch.tensor(x, requires_grad=True) for x in xs]
    expected = function(*primals, **params)
    np.testing.assert_allclose(ans.value, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(ans.shape)
    grads = torch.autograd.grad(expected, primals, grad_outputs=torch.tensor(g))
    for mine, theirs in zip(gn.grad(ans, nodes, cotangent=g), grads):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-11, atol=1e-11)
    directions = [rng.standard_normal(x.shape) for x in xs]
    _, tangent = torch.func.jvp(lambda *args: function(*args, **params),
                                tuple(torch.tensor(x) for x in xs), tuple(torch.tensor(v) for v in directions))
    np.testing.assert_allclose(gn.jvp(ans, dict(zip(nodes, directions))), tangent.numpy(),
                               rtol=1e-11, atol=1e-11)


@SETTINGS
@given(st.one_of(convolutions(), pools()), st.integers(0, 2**32 - 1))
def test_value_gradients_and_tangents_match_torch(case, seed) -> None:
    name, example = case
    rng = np.random.default_rng(seed)
    _assert_matches_torch(name, example.sample(rng), dict(example.params), rng)


@pytest.mark.parametrize("name", CONVOLUTIONS + POOLS)
def test_every_recorded_example_matches_torch(name, rng) -> None:
    for example in registry()[name].examples:
        _assert_matches_torch(name, example.sample(rng), dict(example.params), rng)


@settings(max_examples=30, deadline=None)
@given(pools(), st.integers(0, 2**32 - 1))
def test_max_pool_ties_are_routed_as_torch_routes_them(case, seed) -> None:
    """Values drawn from {−1, 0, 1}: most windows hold ties, and negative values beside the
    padding."""
    _, example = case
    rng = np.random.default_rng(seed)
    x = rng.integers(-1, 2, size=example.shapes[0]).astype(np.float64)
    _assert_matches_torch("max_pool2d", [x], dict(example.params), rng)


# --- bad input -----------------------------------------------------------------------------------

HUGE = (64, 3, 4096, 4096)  # 25 GB of float64 as an array; a broadcast view of one zero here

BAD = [
    ("conv2d", [HUGE, (8, 2, 3, 3)], {}, ShapeError, r"the input has 3 channels \(axis 1\) but the weight takes 2"),
    ("conv2d", [(1, 3, 2, 2), (8, 3, 3, 3)], {}, ShapeError, "the kernel spans 3 along the height"),
    ("conv2d", [(1, 3, 4, 2), (8, 3, 2, 2)], {"dilation": (1, 2)}, ShapeError,
     r"spans 3 along the width \(size 2, dilation 2\) but the input padded has 2 \(2 \+ 2·0\)"),
    ("conv2d", [HUGE[1:], (8, 3, 3, 3)], {}, ShapeError, r"the input must be \(N, C, H, W\)"),
    ("conv2d", [HUGE, (8, 3, 3)], {}, ShapeError, r"the weight must be \(out_channels, in_channels, kh, kw\)"),
    ("conv2d", [HUGE, (8, 3, 3, 3)], {"stride": 0}, ParamError, "parameter 'stride' must be a whole number >= 1"),
    ("conv2d", [HUGE, (8, 3, 3, 3)], {"stride": (1, 2, 1)}, ParamError, "or a pair of them; got"),
    ("conv2d", [HUGE, (8, 3, 3, 3)], {"padding": -1}, ParamError, "parameter 'padding' must be a whole number >= 0"),
    ("conv2d", [HUGE, (8, 3, 3, 3)], {"dilation": 0}, ParamError, "parameter 'dilation'"),
    ("conv2d", [HUGE, (8, 3, 3, 3)], {"dilation": 1.5}, ParamError, "parameter 'dilation'"),
    ("conv2d", [HUGE, (8, 3, 0, 3)], {}, ShapeError, "the kernel's height is 0"),
    ("conv2d_bias", [HUGE, (8, 3, 3, 3), (3,)], {}, ShapeError, r"the bias must have shape \(8,\)"),
    ("conv1d", [(64, 3, 4096 * 4096), (8, 3, 3)], {"stride": (1, 1)}, ParamError, "or a tuple of one"),
    ("conv1d", [(1, 2, 5), (8, 2, 7)], {"padding": 0}, ShapeError, "spans 7 along the length"),
    ("max_pool2d", [HUGE], {"kernel_size": 3, "padding": 2}, ShapeError, "more than half the kernel"),
    ("max_pool2d", [HUGE[2:]], {"kernel_size": 3}, ShapeError, r"\(N, C, H, W\) or \(C, H, W\)"),
    ("avg_pool2d", [HUGE], {"kernel_size": 0}, ParamError, "parameter 'kernel_size'"),
    ("avg_pool2d", [HUGE], {"kernel_size": 2, "stride": -2}, ParamError, "parameter 'stride'"),
    ("avg_pool2d", [(1, 1, 2, 2)], {"kernel_size": 3}, ShapeError, "spans 3 along the height"),
]


@pytest.mark.parametrize("name, shapes, params, error, message", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_in_one_line_before_anything_is_allocated(name, shapes, params, error, message) -> None:
    """Inputs are broadcast views of one zero (nothing allocated): a padded copy or the windows'
    matrix of the huge ones would take gigabytes."""
    inputs = [gn.Constant(np.broadcast_to(0.0, shape), f"x{i}") for i, shape in enumerate(shapes)]
    tracemalloc.start()
    try:
        with pytest.raises(error, match=message) as info:
            gn.apply(registry()[name], *inputs, **params)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"{name}(x0 "), text
    assert peak < 2**20, peak
    with pytest.raises(error, match=message):  # the plan (a file, typed text) refuses it alike
        registry()[name].plan(shapes, params)


def test_the_public_functions_pass_their_parameters_to_the_same_checks() -> None:
    with pytest.raises(ParamError, match=r"^conv2d\(.*parameter 'stride'"):
        gn.conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)), stride=0)
    with pytest.raises(ShapeError, match=r"^conv1d_bias\(.*the bias must have shape \(2,\)"):
        gn.conv1d(np.zeros((1, 1, 3)), np.zeros((2, 1, 2)), bias=np.zeros(3))
    with pytest.raises(ShapeError, match=r"^max_pool2d\(.*more than half"):
        gn.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2)


def test_the_price_grows_with_the_work() -> None:
    """The windows' matrix and the product: 16 times the channels, 16 times the price."""
    op = registry()["conv2d"]
    small = op.plan([(8, 4, 16, 16), (8, 4, 3, 3)], {"padding": 1})
    big = op.plan([(8, 64, 16, 16), (8, 64, 3, 3)], {"padding": 1})
    assert 10 < big.flops / small.flops < 17
    assert big.temporary >= 8 * 64 * 9 * 16 * 16 and math.prod(big.shape) == 8 * 8 * 16 * 16
