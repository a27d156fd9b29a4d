"""Convolution, pooling, dropout and normalisation layers against torch.nn in float64: weights
copied both ways through state dicts, the same outputs, the same gradients under a random
cotangent, the same forward tangents; batch norm's running statistics after several calls."""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Graph, Variable
from tests.nn.test_layers_against_torch import _compare, torch

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


@pytest.mark.parametrize("sizes", [
    dict(kernel_size=3),
    dict(kernel_size=3, padding=1),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
    dict(kernel_size=2, stride=2, bias=False),
    dict(kernel_size=3, padding=2, dilation=2),
])
def test_conv2d(sizes, rng) -> None:
    torch.manual_seed(0)
    x = rng.standard_normal((2, 3, 7, 6))
    _compare(nn.Conv2d(3, 4, **sizes), torch.nn.Conv2d(3, 4, **sizes), (x,), rng)
    _compare(nn.Conv2d(3, 4, **sizes, parts=True), torch.nn.Conv2d(3, 4, **sizes), (x,), rng)


def test_conv2d_on_one_unbatched_image(rng) -> None:
    torch.manual_seed(1)
    _compare(nn.Conv2d(2, 3, 3, padding=1), torch.nn.Conv2d(2, 3, 3, padding=1),
             (rng.standard_normal((2, 5, 4)),), rng)


@pytest.mark.parametrize("sizes", [dict(kernel_size=3), dict(kernel_size=2, stride=2, padding=1, dilation=2),
                                   dict(kernel_size=4, bias=False)])
def test_conv1d(sizes, rng) -> None:
    torch.manual_seed(2)
    x = rng.standard_normal((3, 2, 9))
    _compare(nn.Conv1d(2, 5, **sizes), torch.nn.Conv1d(2, 5, **sizes), (x,), rng)


@pytest.mark.parametrize("sizes", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                   dict(kernel_size=(2, 3), stride=1)])
@pytest.mark.parametrize("pool", ["MaxPool2d", "AvgPool2d"])
def test_pooling(pool, sizes, rng) -> None:
    x = rng.standard_normal((2, 3, 7, 6))
    _compare(getattr(nn, pool)(**sizes), getattr(torch.nn, pool)(**sizes), (x,), rng)


def test_max_pool_sends_tied_gradients_where_torch_does(rng) -> None:
    x = np.repeat(np.repeat(rng.integers(0, 2, (2, 2, 3, 3)).astype(float), 2, axis=2), 2, axis=3)
    _compare(nn.MaxPool2d(2, stride=1), torch.nn.MaxPool2d(2, stride=1), (x,), rng)


def test_the_small_cnn(rng) -> None:
    torch.manual_seed(3)
    ours = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(64, 10))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(64, 10))
    _compare(ours, theirs, (rng.standard_normal((4, 1, 8, 8)),), rng)


# torch.func refuses a module that changes its buffers under a transform, so the passes in
# training are compared without running statistics (the same normalisation: the batch's), and
# the statistics a training call keeps are compared on their own below.
@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("shape", [(2, 3), (4, 3), (2, 3, 5)])
def test_batch_norm_1d_in_training(shape, parts, rng) -> None:
    torch.manual_seed(4)
    theirs = torch.nn.BatchNorm1d(3, track_running_stats=False)
    with torch.no_grad():  # weights other than torch's ones and zeros
        theirs.weight.uniform_(0.5, 2.0), theirs.bias.uniform_(-1.0, 1.0)
    _compare(nn.BatchNorm1d(3, track_running_stats=False, parts=parts), theirs, (rng.standard_normal(shape),), rng)


@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_2d_in_training_and_evaluation(affine, parts, rng) -> None:
    torch.manual_seed(5)
    x = rng.standard_normal((3, 2, 4, 5))
    _compare(nn.BatchNorm2d(2, affine=affine, track_running_stats=False, parts=parts),
             torch.nn.BatchNorm2d(2, affine=affine, track_running_stats=False), (x,), rng)
    theirs = torch.nn.BatchNorm2d(2, affine=affine).eval()
    theirs.running_mean.uniform_(-1, 1), theirs.running_var.uniform_(0.5, 2)
    _compare(nn.BatchNorm2d(2, affine=affine, parts=parts).eval(), theirs, (x,), rng)


@pytest.mark.parametrize("parts", [False, True])
def test_batch_norm_keeping_statistics_trains_as_torchs(parts, rng) -> None:
    """With running statistics, a training call's output and gradients are torch's too."""
    ours, theirs = nn.BatchNorm2d(3, parts=parts), torch.nn.BatchNorm2d(3).double()
    x, cotangent = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 2, 2))
    xv = Variable(x, "x")
    y = ours(xv)
    grads = gn.grad(gn.sum(Constant(cotangent) * y), [xv, ours.weight, ours.bias])
    tx = torch.tensor(x, requires_grad=True)
    ty = theirs(tx)
    ty.backward(torch.from_numpy(cotangent))
    np.testing.assert_allclose(y.value, ty.detach().numpy(), rtol=1e-12, atol=1e-13)
    for g, t in zip(grads, (tx.grad, theirs.weight.grad, theirs.bias.grad)):
        np.testing.assert_allclose(g, t.numpy(), rtol=1e-10, atol=1e-12)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-12, atol=0, err_msg=key)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batch_norm_running_statistics_follow_torchs_over_several_calls(momentum, rng) -> None:
    ours, theirs = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum).double()
    for _ in range(4):
        x = rng.normal(2.0, 3.0, (5, 3, 2, 4))
        ours(Constant(x))
        theirs(torch.from_numpy(x))
    state = ours.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(state[key], value.numpy(), rtol=1e-12, atol=0, err_msg=key)
    assert state["num_batches_tracked"].dtype == np.int64 and state["num_batches_tracked"] == 4
    # Evaluation then uses them, as torch's does.
    x = rng.normal(2.0, 3.0, (2, 3, 2, 4))
    with torch.no_grad():
        expected = theirs.eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours.eval()(Constant(x)).value, expected, rtol=1e-12, atol=1e-13)


def test_batch_norm_fed_again_updates_as_torch_calls_do(rng) -> None:
    """One graph built in training and fed three batches, updating after each forward pass,
    keeps the running statistics torch keeps over three calls."""
    ours, theirs = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4).double()
    batches = [rng.normal(1.0, 2.0, (6, 4)) for _ in range(3)]
    x = Constant(batches[0], "x")
    graph = Graph(ours(x))
    ours.running_mean[...], ours.running_var[...], ours.num_batches_tracked[...] = 0.0, 1.0, 0  # as built
    for batch in batches:
        x.value = batch
        graph.forward()
        ours.update_running_stats()
        theirs(torch.from_numpy(batch))
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-12, atol=0, err_msg=key)


def test_batch_norm_without_running_statistics(rng) -> None:
    ours = nn.BatchNorm2d(2, track_running_stats=False)
    theirs = torch.nn.BatchNorm2d(2, track_running_stats=False)
    assert list(ours.state_dict()) == ["weight", "bias"] == list(theirs.state_dict())
    x = rng.standard_normal((3, 2, 3, 3))
    _compare(ours.eval(), theirs.eval(), (x,), rng)  # the batch's statistics, in evaluation too


@pytest.mark.parametrize("parts", [False, True])
@pytest.mark.parametrize("shape, normalized", [((3, 5), 5), ((2, 3, 4), (3, 4)), ((2, 4, 3), [3])])
def test_layer_norm(shape, normalized, parts, rng) -> None:
    torch.manual_seed(6)
    theirs = torch.nn.LayerNorm(normalized)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 2.0), theirs.bias.uniform_(-1.0, 1.0)
    _compare(nn.LayerNorm(normalized, parts=parts), theirs, (rng.standard_normal(shape),), rng)


def test_layer_norm_without_affine_or_bias(rng) -> None:
    x = rng.standard_normal((2, 6))
    _compare(nn.LayerNorm(6, elementwise_affine=False), torch.nn.LayerNorm(6, elementwise_affine=False), (x,), rng)
    _compare(nn.LayerNorm(6, bias=False), torch.nn.LayerNorm(6, bias=False), (x,), rng)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_in_evaluation_and_at_the_ends(p, rng) -> None:
    x = rng.standard_normal((4, 5))
    _compare(nn.Dropout(p).eval(), torch.nn.Dropout(p).eval(), (x,), rng)
    if p in (0.0, 1.0):  # no draw: training gives torch's values exactly
        _compare(nn.Dropout(p), torch.nn.Dropout(p), (x,), rng)


def test_dropout_scales_what_it_keeps_as_torch(rng) -> None:
    """The masks are drawn from different generators: the kept entries are scaled alike."""
    x = rng.uniform(1.0, 2.0, (200, 50))
    ours = nn.Dropout(0.25, rng=np.random.default_rng(1))(Variable(x)).value
    theirs = torch.nn.Dropout(0.25)(torch.from_numpy(x)).numpy()
    for out in (ours, theirs):
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / 0.75, rtol=1e-15)
        assert abs(kept.mean() - 0.75) < 0.02


def test_state_dict_keys_are_torchs() -> None:
    ours = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.1),
                         nn.Conv1d(4, 2, 1, bias=False), nn.LayerNorm(5), nn.BatchNorm1d(2, affine=False))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Dropout(0.1), torch.nn.Conv1d(4, 2, 1, bias=False),
                                 torch.nn.LayerNorm(5), torch.nn.BatchNorm1d(2, affine=False))
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]


def test_conv_initial_ranges_are_torchs() -> None:
    """kaiming_uniform_(a=√5) is U(±1/√fan_in), fan_in = in_channels·kh·kw; the bias the same."""
    ours = nn.Conv2d(4, 300, (3, 5), rng=np.random.default_rng(7))
    theirs = torch.nn.Conv2d(4, 300, (3, 5))
    bound = 1 / np.sqrt(4 * 3 * 5)
    for mine, torchs in ((ours.weight.value, theirs.weight), (ours.bias.value, theirs.bias)):
        for values in (mine, torchs.detach().numpy()):
            assert bound * 0.9 < np.abs(values).max() <= bound
