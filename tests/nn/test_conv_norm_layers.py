"""Convolution, pooling, dropout and normalisation layers without torch: values by hand,
central differences in both modes, torch's state keys, running statistics, refusals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable
from graphviz_nn.nn import datasets
from tests.nn.test_layers import _check_both_modes


def _naive_conv2d(x, w, b, stride, padding, dilation):
    """The cross-correlation by its definition, one output value at a time."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w.shape[2:]
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for n, o, i, j in itertools.product(range(x.shape[0]), range(w.shape[0]), range(oh), range(ow)):
        window = xp[n, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
        out[n, o, i, j] = np.sum(window * w[o]) + (b[o] if b is not None else 0.0)
    return out


@settings(max_examples=15, deadline=None)
@given(kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)), stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)), dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       bias=st.booleans(), parts=st.booleans(), seed=st.integers(0, 2**31))
def test_conv2d_is_the_cross_correlation_and_differentiates_in_both_modes(kernel, stride, padding, dilation, bias,
                                                                          parts, seed) -> None:
    rng = np.random.default_rng(seed)
    layer = nn.Conv2d(2, 3, kernel, stride, padding, dilation, bias=bias, rng=rng, parts=parts)
    assert layer.weight.shape == (3, 2) + kernel and (layer.bias is None) == (not bias)
    x = Variable(rng.standard_normal((2, 2, 6, 5)), "x")
    y = layer(x)
    expected = _naive_conv2d(x.value, layer.weight.value, None if layer.bias is None else layer.bias.value,
                             stride, padding, dilation)
    np.testing.assert_allclose(y.value, expected, rtol=1e-12, atol=1e-12)
    _check_both_modes(y, rng)


def test_conv2d_with_parts_draws_the_bias_as_its_own_node(rng) -> None:
    x = Constant(rng.standard_normal((1, 1, 4, 4)), "x")
    one, parts = nn.Conv2d(1, 2, 3, rng=np.random.default_rng(1)), nn.Conv2d(1, 2, 3, rng=np.random.default_rng(1),
                                                                              parts=True)
    y1, y2 = one(x), parts(x)
    np.testing.assert_array_equal(y1.value, y2.value)
    ops = [[n.op.label for n in Graph(y).functions] for y in (y1, y2)]
    assert ops[0] == ["conv2d"] and "conv2d" in ops[1] and len(ops[1]) > 1
    assert all(n.scope[0] == "Conv2d" for n in Graph(y2).functions)


def test_conv1d_and_unbatched_inputs(rng) -> None:
    layer = nn.Conv1d(2, 3, 3, stride=2, padding=1, rng=rng)
    assert layer.weight.shape == (3, 2, 3)
    x = Variable(rng.standard_normal((2, 2, 7)), "x")
    y = layer(x)
    assert y.shape == (2, 3, 4)
    _check_both_modes(y, rng)
    single = nn.Conv2d(2, 3, 3, padding=1, rng=rng)
    image = rng.standard_normal((2, 5, 4))
    np.testing.assert_allclose(single(image).value, single(image[None]).value[0], rtol=1e-14)


def test_pools_take_the_largest_and_the_mean_of_each_window(rng) -> None:
    x = Variable(rng.standard_normal((2, 3, 6, 5)), "x")
    windows = x.value[:, :, :6, :4].reshape(2, 3, 3, 2, 2, 2)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).value, windows.max(axis=(3, 5)))
    np.testing.assert_allclose(nn.AvgPool2d(2)(x).value, windows.mean(axis=(3, 5)), rtol=1e-14)
    for layer in (nn.MaxPool2d(3, stride=2, padding=1), nn.AvgPool2d((2, 3), stride=1)):
        _check_both_modes(layer(x), rng)  # distinct normal values: no ties


def test_max_pool_sends_a_tied_gradient_to_the_first_largest_value() -> None:
    x = Variable(np.ones((1, 1, 2, 2)), "x")
    y = nn.MaxPool2d(2)(x)
    (g,) = gn.grad(gn.sum(y), [x])
    np.testing.assert_array_equal(g, [[[[1.0, 0.0], [0.0, 0.0]]]])


def _batch_norm_by_hand(x, weight, bias, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    xh = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return xh * weight.reshape(shape) + bias.reshape(shape)


@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("layer, shape", [(nn.BatchNorm1d, (5, 3)), (nn.BatchNorm1d, (4, 3, 2)),
                                          (nn.BatchNorm2d, (3, 3, 2, 2))])
def test_batch_norm_in_training_and_evaluation(layer, shape, parts, rng) -> None:
    bn = layer(3, parts=parts)
    bn.weight.value, bn.bias.value = rng.uniform(0.5, 2, 3), rng.uniform(-1, 1, 3)
    x = Variable(rng.normal(1.0, 2.0, shape), "x")
    y = bn(x)
    np.testing.assert_allclose(y.value, _batch_norm_by_hand(x.value, bn.weight.value, bn.bias.value), rtol=1e-12,
                               atol=1e-12)
    _check_both_modes(y, rng)
    bn.eval()
    y = bn(x)
    view = (1, -1) + (1,) * (len(shape) - 2)
    expected = ((x.value - bn.running_mean.reshape(view)) / np.sqrt(bn.running_var.reshape(view) + 1e-5)
                * bn.weight.value.reshape(view) + bn.bias.value.reshape(view))
    np.testing.assert_allclose(y.value, expected, rtol=1e-12, atol=1e-12)
    _check_both_modes(y, rng)


@pytest.mark.parametrize("momentum", [0.1, 0.7, None])
def test_batch_norm_running_statistics_by_hand(momentum, rng) -> None:
    bn = nn.BatchNorm2d(2, momentum=momentum)
    mean, var = np.zeros(2), np.ones(2)
    for step in range(1, 5):
        x = rng.normal(3.0, 2.0, (4, 2, 3, 3))
        bn(Constant(x))
        factor = momentum if momentum is not None else 1.0 / step
        mean = (1 - factor) * mean + factor * x.mean(axis=(0, 2, 3))
        var = (1 - factor) * var + factor * x.var(axis=(0, 2, 3), ddof=1)  # unbiased, as torch keeps it
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)
    state = bn.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert state["num_batches_tracked"].shape == () and int(state["num_batches_tracked"]) == 4
    bn.eval()(Constant(x))  # evaluation keeps them
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    assert int(bn.num_batches_tracked) == 4


def test_a_loaded_state_is_what_evaluation_uses(rng) -> None:
    bn = nn.BatchNorm1d(2)
    state = {"weight": np.array([2.0, 3.0]), "bias": np.array([1.0, -1.0]), "running_mean": np.array([0.5, -0.5]),
             "running_var": np.array([4.0, 0.25]), "num_batches_tracked": np.array(7)}
    bn.load_state_dict(state)
    y = bn.eval()(Constant(np.array([[0.5, -0.5], [2.5, 0.0]])))
    np.testing.assert_allclose(y.value, [[1.0, -1.0], [1.0 + 2.0 * 2 / np.sqrt(4 + 1e-5),
                                                        -1.0 + 3.0 * 0.5 / np.sqrt(0.25 + 1e-5)]], rtol=1e-12)
    bn.train()(Constant(rng.standard_normal((3, 2))))  # the loaded buffers are the ones updated
    assert int(bn.state_dict()["num_batches_tracked"]) == 8


def test_batch_norm_fed_again_updates_as_calls_do(rng) -> None:
    batches = [rng.normal(0.0, 3.0, (5, 3)) for _ in range(3)]
    called, fed = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    for batch in batches:
        called(Constant(batch))
    x = Constant(batches[0])
    graph = Graph(fed(x))  # the build counts as the first batch's call
    for batch in batches[1:]:
        x.value = batch
        graph.forward()
        fed.update_running_stats()
    for key, value in called.state_dict().items():
        np.testing.assert_allclose(fed.state_dict()[key], value, rtol=1e-12, err_msg=key)
    with pytest.raises(ValueError, match="no training call"):
        nn.BatchNorm1d(3).update_running_stats()


def test_layer_norm_by_hand_and_in_both_modes(rng) -> None:
    for parts in (False, True):
        ln = nn.LayerNorm((2, 3), parts=parts)
        ln.weight.value, ln.bias.value = rng.uniform(0.5, 2, (2, 3)), rng.uniform(-1, 1, (2, 3))
        x = Variable(rng.standard_normal((4, 2, 3)), "x")
        y = ln(x)
        flat = x.value.reshape(4, 6)
        xh = ((flat - flat.mean(1, keepdims=True)) / np.sqrt(flat.var(1, keepdims=True) + 1e-5)).reshape(4, 2, 3)
        np.testing.assert_allclose(y.value, xh * ln.weight.value + ln.bias.value, rtol=1e-12, atol=1e-12)
        _check_both_modes(y, rng)
    assert list(nn.LayerNorm(4).state_dict()) == ["weight", "bias"]
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    assert list(nn.LayerNorm(4, elementwise_affine=False).state_dict()) == []


def test_norm_parts_are_scoped_inside_the_layer(rng) -> None:
    model = nn.Sequential(nn.BatchNorm1d(3, parts=True))
    y = model(Constant(rng.standard_normal((4, 3))))
    scopes = {n.scope for n in Graph(y).functions}
    assert scopes == {("Sequential", "0: BatchNorm1d", "batch norm")}
    assert len(Graph(y).functions) > 3
    y = nn.Sequential(nn.BatchNorm1d(3))(Constant(rng.standard_normal((4, 3))))
    assert [n.op.label for n in Graph(y).functions] == ["BatchNorm"]


def test_dropout_draws_a_mask_per_call_from_its_seed(rng) -> None:
    x = Variable(rng.uniform(1, 2, (30, 40)), "x")
    first, second = nn.Dropout(0.3, rng=np.random.default_rng(5)), nn.Dropout(0.3, rng=np.random.default_rng(5))
    a, b = first(x), second(x)
    np.testing.assert_array_equal(a.value, b.value)  # the same seed, the same mask
    kept = a.value != 0
    np.testing.assert_allclose(a.value[kept], x.value[kept] / 0.7, rtol=1e-15)
    assert 0.6 < kept.mean() < 0.8
    assert not np.array_equal(first(x).value, a.value)  # the next call draws anew
    Graph(a).forward()
    np.testing.assert_array_equal(a.value, b.value)  # running the pass again keeps its mask
    _check_both_modes(a, rng)
    before = a.value.copy()
    first.resample()
    Graph(a).forward()
    assert not np.array_equal(a.value, before) and set(np.unique(a.value != 0)) == {False, True}


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_dropout_at_the_ends_and_in_evaluation(p, rng) -> None:
    x = Variable(rng.standard_normal((3, 4)), "x")
    assert nn.Dropout(p).eval()(x) is x
    y = nn.Dropout(p)(x)
    if p == 0.0:
        assert y is x
    if p == 1.0:
        np.testing.assert_array_equal(y.value, np.zeros((3, 4)))


def test_state_dict_keys_and_shapes_are_torchs() -> None:
    """The keys and shapes torch 2.13 gives the same model (written out, so this holds without it)."""
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.1),
                          nn.Conv1d(4, 2, 1, bias=False), nn.LayerNorm(5), nn.BatchNorm1d(2, affine=False))
    assert [(k, v.shape) for k, v in model.state_dict().items()] == [
        ("0.weight", (4, 1, 3, 3)), ("0.bias", (4,)), ("1.weight", (4,)), ("1.bias", (4,)),
        ("1.running_mean", (4,)), ("1.running_var", (4,)), ("1.num_batches_tracked", ()),
        ("5.weight", (2, 4, 1)), ("6.weight", (5,)), ("6.bias", (5,)), ("7.running_mean", (2,)),
        ("7.running_var", (2,)), ("7.num_batches_tracked", ()),
    ]
    assert [k for k, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias", "5.weight",
                                                        "6.weight", "6.bias"]


def test_conv_initial_weights_are_uniform_within_one_over_root_fan_in() -> None:
    layer = nn.Conv2d(3, 200, 5, rng=np.random.default_rng(2))
    bound = 1 / np.sqrt(3 * 25)
    for values in (layer.weight.value, layer.bias.value):
        assert bound * 0.9 < np.abs(values).max() <= bound
    again = nn.Conv2d(3, 200, 5)
    np.testing.assert_array_equal(again.weight.value, nn.Conv2d(3, 200, 5).weight.value)  # seeded 0 by default


def test_summary_of_the_cnn() -> None:
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AvgPool2d(2),
                          nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10))
    table = nn.summary(model, (32, 1, 8, 8))
    conv1, conv2, norm, linear = 8 * 1 * 9 + 8, 16 * 8 * 9 + 16, 2 * 16, 64 * 10 + 10
    assert [(r.layer, r.output_shape, r.params) for r in table.rows] == [
        ("Conv2d-1", (32, 8, 8, 8), conv1), ("ReLU-2", (32, 8, 8, 8), 0), ("MaxPool2d-3", (32, 8, 4, 4), 0),
        ("Conv2d-4", (32, 16, 4, 4), conv2), ("BatchNorm2d-5", (32, 16, 4, 4), norm), ("ReLU-6", (32, 16, 4, 4), 0),
        ("AvgPool2d-7", (32, 16, 2, 2), 0), ("Flatten-8", (32, 64), 0), ("Dropout-9", (32, 64), 0),
        ("Linear-10", (32, 10), linear), ("Sequential-11", (32, 10), 0),
    ]
    assert table.total_params == table.trainable_params == conv1 + conv2 + norm + linear == 1898 + 32
    assert "Total params: 1,930" in str(table)


@pytest.mark.parametrize("build, call, words", [
    (lambda: nn.Conv2d(1, 2, 5), (1, 1, 4, 4), "kernel spans 5 along the height but the input (1, 1, 4, 4)"),
    (lambda: nn.Conv2d(1, 2, 3, dilation=(1, 3)), (1, 1, 6, 6), "spans 7 along the width"),
    (lambda: nn.Conv2d(3, 2, 3), (1, 1, 4, 4), "has 1 channels (axis -3) but the layer takes 3"),
    (lambda: nn.Conv2d(1, 2, 3), (4, 4), "must be (N, C, H, W)"),
    (lambda: nn.Conv1d(2, 2, 4), (1, 2, 3), "kernel spans 4 along the length"),
    (lambda: nn.Conv1d(2, 2, 1), (1, 3, 3), "has 3 channels"),
    (lambda: nn.MaxPool2d(3), (1, 1, 2, 2), "MaxPool2d(kernel_size=(3, 3)): the kernel spans 3"),
    (lambda: nn.AvgPool2d(2), (5,), "must be (N, C, H, W)"),
    (lambda: nn.BatchNorm2d(3), (2, 4, 2, 2), "has 4 channels (axis 1) but the layer normalises 3"),
    (lambda: nn.BatchNorm1d(3), (2, 3, 2, 2), "must be (N, C) or (N, C, L)"),
    (lambda: nn.BatchNorm1d(3), (1, 3), "more than one value per channel"),
    (lambda: nn.LayerNorm((2, 3)), (3, 2), "last axes must be (2, 3)"),
])
def test_bad_inputs_get_one_line_errors_naming_the_layer(build, call, words) -> None:
    layer = build()
    state = layer.state_dict()
    with pytest.raises(ValueError) as error:
        layer(Constant(np.zeros(call)))
    message = str(error.value)
    assert words in message and "\n" not in message and type(layer).__name__ in message
    for key, value in layer.state_dict().items():  # nothing lost: no statistic moved
        np.testing.assert_array_equal(value, state[key])


@pytest.mark.parametrize("build, words", [
    (lambda: nn.Conv2d(1, 2, 0), "kernel_size must be a whole number >= 1"),
    (lambda: nn.Conv2d(1, 2, (3, 3, 3)), "kernel_size must be"),
    (lambda: nn.Conv2d(0, 2, 3), "in_channels must be a whole number >= 1"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), "padding must be a whole number >= 0"),
    (lambda: nn.Conv1d(1, 2, 3, stride=1.5), "stride must be"),
    (lambda: nn.MaxPool2d(2, padding=2), "more than half the kernel"),
    (lambda: nn.Dropout(1.5), "p must be a probability"),
    (lambda: nn.BatchNorm2d(3, eps=0), "eps must be a finite number > 0"),
    (lambda: nn.BatchNorm1d(3, momentum=2), "momentum must be"),
    (lambda: nn.LayerNorm(()), "at least one length"),
    (lambda: nn.LayerNorm((3, 0)), "normalized_shape[1] must be"),
])
def test_bad_sizes_are_refused_when_the_layer_is_built(build, words) -> None:
    with pytest.raises(ValueError) as error:
        build()
    assert words in str(error.value) and "\n" not in str(error.value)


def test_digits_as_images() -> None:
    X, y = datasets.images("digits")
    data = datasets.digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64 and y.shape == (1797,)
    np.testing.assert_array_equal(X[5, 0], data.X[5].reshape(8, 8))
    np.testing.assert_array_equal(y, data.y)
    train, _ = datasets.split(data, test_fraction=0.3, seed=0)
    assert datasets.images(train)[0].shape == (1258, 1, 8, 8)
    assert datasets.images("letters")[0].shape == (15, 1, 6, 5)
    with pytest.raises(ValueError, match="'iris' holds no pictures"):
        datasets.images(datasets.iris())
    with pytest.raises(ValueError, match="no built-in picture dataset 'iris': give one of digits, letters"):
        datasets.images("iris")


def test_dropout_in_evaluation_passes_a_computed_node_through() -> None:
    """In evaluation, Dropout after a layer (a node computed from one input) is that node."""
    from graphviz_nn.engine import Variable, relu
    from graphviz_nn.nn import Dropout

    x = relu(Variable(np.array([[-1.0, 2.0]])))
    assert Dropout(0.5).eval()(x) is x
    assert Dropout(0.0)(x) is x
