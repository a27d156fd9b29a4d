"""Each layer against torch.nn in float64: weights copied both ways through state dicts, the
same outputs, the same gradients of a random-weighted sum, the same forward tangents."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn import nn
from graphviz_nn.engine import Constant, Variable
from graphviz_nn.nn.module import nodes_in

torch = pytest.importorskip("torch")
# torch.func reaches torch.jit.script inside torch 2.13, which warns of its own deprecation.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
from torch.func import functional_call, jvp as torch_jvp  # noqa: E402


def _map(f: Callable, tree: Any) -> Any:
    if isinstance(tree, (tuple, list)):
        return type(tree)(_map(f, item) for item in tree)
    return f(tree)


def _leaves(tree: Any) -> list:
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _copied_from_torch(ours: nn.Module, theirs: Any) -> None:
    """Load torch's weights into ours, and ours back into a fresh torch state: both ways."""
    state = {key: value.detach().numpy() for key, value in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict(state)
    back = {key: torch.from_numpy(value) for key, value in ours.state_dict().items()}
    for key, value in theirs.state_dict().items():
        torch.testing.assert_close(back[key], value, rtol=0, atol=0)
    theirs.load_state_dict(back)


def _compare(ours: nn.Module, theirs: Any, args: Any, rng: np.random.Generator,
             differentiable: bool = True) -> None:
    """Outputs, reverse gradients (inputs and parameters) and forward tangents agree."""
    theirs = theirs.double()
    _copied_from_torch(ours, theirs)
    our_args = _map(lambda a: Variable(a, "x") if differentiable else a, args)
    their_args = _map(lambda a: torch.tensor(a, requires_grad=differentiable), args)
    our_out = nodes_in(ours(*our_args))
    their_out = _leaves(theirs(*their_args))
    assert [o.shape for o in our_out] == [tuple(t.shape) for t in their_out]
    for o, t in zip(our_out, their_out):
        np.testing.assert_allclose(o.value, t.detach().numpy(), rtol=1e-12, atol=1e-13)

    # Reverse mode: gradients of sum(C ⊙ output) with random C, for inputs and parameters.
    cotangents = [rng.standard_normal(o.shape) for o in our_out]
    loss = sum(gn.sum(Constant(c) * o) for c, o in zip(cotangents, our_out))
    names = [name for name, _ in ours.named_parameters()]
    wrt = [p for _, p in ours.named_parameters()] + (_leaves(our_args) if differentiable else [])
    grads = gn.grad(loss, wrt)
    their_loss = sum((torch.from_numpy(c) * t).sum() for c, t in zip(cotangents, their_out))
    their_params = dict(theirs.named_parameters())
    assert list(their_params) == names
    their_wrt = list(their_params.values()) + (_leaves(their_args) if differentiable else [])
    their_grads = torch.autograd.grad(their_loss, their_wrt, allow_unused=True)
    for name, g, t in zip(names + ["input"] * 9, grads, their_grads):
        expected = np.zeros(g.shape) if t is None else t.numpy()
        np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-12, err_msg=name)

    # Forward mode: tangents of the outputs for random tangents of everything.
    tangents = {p: rng.standard_normal(p.shape) for p in wrt}
    ours_dot = gn.jvp(our_out, tangents)
    params = {k: v.detach() for k, v in their_params.items()}
    param_dots = {k: torch.from_numpy(tangents[p]) for k, p in zip(names, wrt)}
    inputs = tuple(t.detach() for t in _leaves(their_args))
    if differentiable:
        input_dots = tuple(torch.from_numpy(tangents[v]) for v in _leaves(our_args))
    else:
        input_dots = ()

    def run(params: dict, *flat: Any) -> tuple:
        call_args = flat if differentiable else inputs
        packed = iter(call_args)
        rebuilt = _map(lambda _: next(packed), args)
        return tuple(_leaves(functional_call(theirs, params, tuple(rebuilt))))

    if differentiable:
        _, their_dots = torch_jvp(run, (params, *inputs), (param_dots, *input_dots))
    else:
        _, their_dots = torch_jvp(lambda p: run(p), (params,), (param_dots,))
    for d, t in zip(ours_dot, their_dots):
        np.testing.assert_allclose(d, t.numpy(), rtol=1e-10, atol=1e-12)


def test_linear(rng) -> None:
    torch.manual_seed(0)
    _compare(nn.Linear(5, 3), torch.nn.Linear(5, 3), (rng.standard_normal((4, 5)),), rng)
    _compare(nn.Linear(5, 3, bias=False), torch.nn.Linear(5, 3, bias=False),
             (rng.standard_normal((2, 4, 5)),), rng)


@pytest.mark.parametrize("ours, theirs", [
    (nn.ReLU(), torch.nn.ReLU()), (nn.Tanh(), torch.nn.Tanh()), (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    (nn.Softmax(-1), torch.nn.Softmax(-1)), (nn.Softmax(0), torch.nn.Softmax(0)),
    (nn.Flatten(), torch.nn.Flatten()), (nn.Flatten(0, -2), torch.nn.Flatten(0, -2)),
    (nn.Identity(), torch.nn.Identity()),
], ids=lambda m: repr(m))
def test_activations_and_flatten(ours, theirs, rng) -> None:
    x = rng.uniform(-3, 3, (3, 2, 4))
    x[np.abs(x) < 0.1] = 0.5  # away from relu's kink
    _compare(ours, theirs, (x,), rng)


def test_nested_sequential(rng) -> None:
    torch.manual_seed(1)
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Sequential(nn.Linear(6, 3), nn.GELU()), nn.Linear(3, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(),
                                 torch.nn.Sequential(torch.nn.Linear(6, 3), torch.nn.GELU()),
                                 torch.nn.Linear(3, 2))
    _compare(ours, theirs, (rng.standard_normal((5, 4)),), rng)


def test_embedding_with_repeated_indices(rng) -> None:
    torch.manual_seed(2)
    indices = np.array([[1, 4, 1], [0, 1, 4]])
    _compare(nn.Embedding(6, 3), torch.nn.Embedding(6, 3), (indices,), rng, differentiable=False)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm(layers, bias, rng) -> None:
    torch.manual_seed(3)
    x = rng.standard_normal((4, 3, 2))
    _compare(nn.LSTM(2, 5, layers, bias=bias), torch.nn.LSTM(2, 5, layers, bias=bias), (x,), rng)
    state = (rng.standard_normal((layers, 3, 5)), rng.standard_normal((layers, 3, 5)))
    _compare(nn.LSTM(2, 5, layers, bias=bias), torch.nn.LSTM(2, 5, layers, bias=bias), (x, state), rng)


@pytest.mark.parametrize("layers", [1, 2])
def test_gru(layers, rng) -> None:
    torch.manual_seed(4)
    x = rng.standard_normal((5, 2, 3))
    _compare(nn.GRU(3, 4, layers), torch.nn.GRU(3, 4, layers), (x,), rng)
    h0 = rng.standard_normal((layers, 2, 4))
    _compare(nn.GRU(3, 4, layers), torch.nn.GRU(3, 4, layers), (x, h0), rng)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn(nonlinearity, rng) -> None:
    torch.manual_seed(5)
    x = rng.standard_normal((6, 2, 3))
    h0 = rng.standard_normal((2, 2, 4))
    _compare(nn.RNN(3, 4, 2, nonlinearity=nonlinearity), torch.nn.RNN(3, 4, 2, nonlinearity=nonlinearity),
             (x, h0), rng)


def test_parameter_keys_and_short_names_equal_torchs() -> None:
    ours, theirs = nn.LSTM(3, 4, num_layers=2), torch.nn.LSTM(3, 4, num_layers=2)
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    assert [(k, p.shape) for k, p in ours.named_parameters()] == \
        [(k, tuple(p.shape)) for k, p in theirs.named_parameters()]
    assert ours.weight_ih is ours.weight_ih_l0 and ours.bias_hh is ours.bias_hh_l0
    assert tuple(theirs.weight_ih_l0.shape) == ours.weight_ih.shape


def test_default_initial_ranges_are_torchs() -> None:
    """torch draws Linear's and the recurrent layers' parameters from U(−1/√fan, 1/√fan)."""
    linear, lstm = nn.Linear(400, 300, rng=np.random.default_rng(1)), nn.LSTM(3, 100, rng=np.random.default_rng(2))
    for ours, bound in ((linear.weight, 1 / 20), (linear.bias, 1 / 20), (lstm.weight_hh, 1 / 10)):
        assert np.abs(ours.value).max() <= bound
        assert np.abs(ours.value).max() > 0.95 * bound
