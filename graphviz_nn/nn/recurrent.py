"""Recurrent layers as ``torch.nn`` names them: RNN, LSTM and GRU, unrolled over time.

Called on a sequence x of shape (T, N, I) (time first, torch's default ``batch_first=False``)
a layer builds T steps, each in its own scope ("t 3"; "layer 1" / "t 3" when layers are
stacked), so the window can collapse a step, or the whole layer, to one box. The graph is
built once for a length and a batch size, and fed again by changing x's value.

Parameters carry torch's names and shapes: ``weight_ih_l{k}`` (G·H, I for the first layer,
H above), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G·H,), with G
gates stacked in torch's order: LSTM (i, f, g, o), GRU (r, z, n), RNN one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import (
    Constant, Node, Variable, as_node, matmul, relu, sigmoid, stack, tanh, transpose,
)
from .layers import check_size, generator, uniform_fan_in
from .module import Module, scope_new_nodes

State = Any  # one node (num_layers, N, H); for the LSTM a pair (h, c) of them


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, the checks and the unrolling.

    Subclasses set ``gates`` and ``state_names`` and write :meth:`cell`.
    """

    gates = 1
    state_names: tuple[str, ...] = ("h",)
    #: The cell reads only gi + gh, so bᵢₕ + bₕₕ is added once per layer, not twice per step.
    joint_bias = True

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 rng: np.random.Generator | None = None):
        super().__init__()
        name = type(self).__name__
        check_size(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias = bool(bias)
        rng = generator(rng)
        H, G = self.hidden_size, self.gates * self.hidden_size
        # torch draws every weight and bias from U(-1/√H, 1/√H), layer by layer in this order.
        for k in range(self.num_layers):
            width = self.input_size if k == 0 else H
            shapes = {f"weight_ih_l{k}": (G, width), f"weight_hh_l{k}": (G, H)}
            if self.bias:
                shapes.update({f"bias_ih_l{k}": (G,), f"bias_hh_l{k}": (G,)})
            for key, shape in shapes.items():
                setattr(self, key, Variable(uniform_fan_in(rng, H, shape), key))

    # The first layer's parameters under torch's short names.
    @property
    def weight_ih(self) -> Variable:
        return self.weight_ih_l0

    @property
    def weight_hh(self) -> Variable:
        return self.weight_hh_l0

    @property
    def bias_ih(self) -> Variable | None:
        return getattr(self, "bias_ih_l0", None)

    @property
    def bias_hh(self) -> Variable | None:
        return getattr(self, "bias_hh_l0", None)

    def _layer(self, k: int) -> tuple[Variable, Variable, Variable | None, Variable | None]:
        return (getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}"),
                getattr(self, f"bias_ih_l{k}", None), getattr(self, f"bias_hh_l{k}", None))

    def cell(self, gi: Node, gh: Node, state: tuple[Node, ...]) -> tuple[Node, ...]:  # pragma: no cover
        """One step: the new state from the input's gates x Wᵢₕᵀ + bᵢₕ (gi), the state's
        h Wₕₕᵀ + bₕₕ (gh), each (N, G·H), and the state before."""
        raise NotImplementedError

    def _where(self) -> str:
        return f"{self.label}({self.input_size}, {self.hidden_size}, num_layers={self.num_layers})"

    def _check(self, x: Node, hx: State) -> list[Node]:
        """Refuse a sequence or a state of the wrong shape before anything is built; the
        initial state's nodes, one per state name."""
        shape = x.shape
        if x.value.ndim != 3 or shape[2] != self.input_size:
            raise ValueError(f"{self._where()}: the input must have shape (T, N, {self.input_size}) "
                             f"(time, batch, features), got {shape}; one sequence is (T, 1, {self.input_size})")
        if shape[0] == 0 or shape[1] == 0:
            raise ValueError(f"{self._where()}: the input of shape {shape} holds no steps or no sequences; "
                             "give at least one step of one sequence")
        if hx is None:
            return []
        states = list(hx) if len(self.state_names) > 1 and isinstance(hx, (tuple, list)) else [hx]
        if len(states) != len(self.state_names):
            raise ValueError(f"{self._where()}: the initial state is ({', '.join(self.state_names)}), "
                             f"{len(self.state_names)} nodes; got {len(states)}")
        want = (self.num_layers, shape[1], self.hidden_size)
        states = [as_node(s) for s in states]
        for state_name, state in zip(self.state_names, states):
            if state.shape != want:
                raise ValueError(f"{self._where()}: the initial {state_name} must have shape {want} "
                                 f"(layers, batch, hidden), got {state.shape}")
        return states

    def forward(self, input: Any, hx: State = None) -> tuple[Node, State]:
        """Run the sequence through every layer.

        Parameters
        ----------
        input : node or array of shape (T, N, input_size)
        hx : node (LSTM: pair of nodes) of shape (num_layers, N, hidden_size), optional
            The initial state; zeros by default.

        Returns
        -------
        output : node (T, N, hidden_size)
            The last layer's h at each step.
        state : node (num_layers, N, hidden_size); for the LSTM the pair (h_n, c_n)
            Each layer's state after the last step.

        Raises
        ------
        ValueError
            An input that is not (T, N, input_size) with T, N >= 1, or an initial state of
            the wrong shape: before any node is built.
        """
        x = as_node(input)
        given = self._check(x, hx)
        T, N, H = x.shape[0], x.shape[1], self.hidden_size
        finals: list[tuple[Node, ...]] = []
        below: list[Node] = []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._layer(k)
            w_ih_t, w_hh_t = transpose(w_ih), transpose(w_hh)
            if given:
                state = tuple(s[k] for s in given)
            else:
                state = tuple(Constant(np.zeros((N, H)), f"{name}0") for name in self.state_names)
            if self.joint_bias and b_ih is not None:
                b_ih, b_hh = _named(b_ih + b_hh, "b"), None
            # NOTE: the input's gates for every step in one product, each step reading its row:
            # 50 products of (32, 2) by (2, 128) cost more in calls than the work, and reverse
            # mode adds each row's gradient in place into one array (see Op.vjp_add).
            sequence = x if k == 0 else stack(below, axis=0)
            gates = matmul(sequence, w_ih_t)
            gates = _named(gates + b_ih if b_ih is not None else gates, "x Wᵢₕᵀ")
            stops = [x, gates, w_hh_t, *state]
            if self.num_layers > 1:  # a box per layer, holding its steps and its weights
                scope_new_nodes(stops, (f"layer {k}",), stop=[x, *given, *below])
            outputs = []
            for t in range(T):
                gh = matmul(state[0], w_hh_t)
                gh = gh + b_hh if b_hh is not None else gh
                state = self.cell(gates[t], gh, state)
                where = (f"t {t}",) if self.num_layers == 1 else (f"layer {k}", f"t {t}")
                scope_new_nodes(state, where, stops)
                outputs.append(state[0])
            finals.append(state)
            below = outputs
        output = _named(stack(below, axis=0), "output")
        last = [_named(stack([state[i] for state in finals], axis=0), f"{name}_n")
                for i, name in enumerate(self.state_names)]
        return output, (last[0] if len(last) == 1 else tuple(last))

    def extra_repr(self) -> str:
        extra = f", num_layers={self.num_layers}" if self.num_layers != 1 else ""
        return f"{self.input_size}, {self.hidden_size}{extra}" + ("" if self.bias else ", bias=False")


def _named(node: Node, name: str) -> Node:
    node.name = name
    return node


class RNN(RNNBase):
    """The Elman network h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ), as ``torch.nn.RNN``.

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int
        Layers stacked, each reading the h of the one below.
    nonlinearity : str
        "tanh" or "relu".
    bias : bool
    rng : numpy Generator, optional
        Draws every parameter from U(−1/√H, 1/√H); a new ``default_rng(0)`` if not given.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, rng: np.random.Generator | None = None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, rng)
        self.nonlinearity = nonlinearity

    def cell(self, gi: Node, gh: Node, state: tuple[Node, ...]) -> tuple[Node, ...]:
        f = tanh if self.nonlinearity == "tanh" else relu
        return (_named(f(gi + gh), "h"),)

    def extra_repr(self) -> str:
        extra = "" if self.nonlinearity == "tanh" else ", nonlinearity='relu'"
        return super().extra_repr() + extra


class LSTM(RNNBase):
    """Long short-term memory, as ``torch.nn.LSTM``: gates i, f, g, o stacked in that order,

    c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h' = σ(o) ⊙ tanh(c').

    Called as ``output, (h_n, c_n) = lstm(x, (h0, c0))``; see :meth:`RNNBase.forward`.
    Parameters as :class:`RNN` (without the nonlinearity).
    """

    gates = 4
    state_names = ("h", "c")

    def cell(self, gi: Node, gh: Node, state: tuple[Node, ...]) -> tuple[Node, ...]:
        H = self.hidden_size
        a = gi + gh
        s = sigmoid(a)  # one σ over all four gates and three cuts: 2 nodes fewer per step than four σ
        i, f, o = _named(s[:, :H], "i"), _named(s[:, H:2 * H], "f"), _named(s[:, 3 * H:], "o")
        g = _named(tanh(a[:, 2 * H:3 * H]), "g")
        c = _named(f * state[1] + i * g, "c")
        return _named(o * tanh(c), "h"), c


class GRU(RNNBase):
    """Gated recurrent unit, as ``torch.nn.GRU``: gates r, z, n stacked in that order,

    r = σ(xᵣ + hᵣ), z = σ(x_z + h_z), n = tanh(xₙ + r ⊙ (h Wₕₙᵀ + bₕₙ)), h' = (1 − z) ⊙ n + z ⊙ h.

    Parameters as :class:`RNN` (without the nonlinearity).
    """

    gates = 3
    joint_bias = False  # bₕₙ sits inside r ⊙ (h Wₕₙᵀ + bₕₙ)

    def cell(self, gi: Node, gh: Node, state: tuple[Node, ...]) -> tuple[Node, ...]:
        H = self.hidden_size
        r = _named(sigmoid(gi[:, :H] + gh[:, :H]), "r")
        z = _named(sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H]), "z")
        n = _named(tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:]), "n")
        return (_named((1.0 - z) * n + z * state[0], "h"),)
