"""Each optimiser's update rule against its formula written out in numpy (no torch needed), its
state carried across a save, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Variable
from graphviz_nn.nn import SGD, Adam, AdamW, GradientDescent, Momentum, RMSprop, make_optimiser

STEPS = 6


def _run(optimiser, w: Variable, grads: list[np.ndarray]) -> list[np.ndarray]:
    seen = []
    for g in grads:
        w.grad = g
        optimiser.step()
        seen.append(w.value.copy())
    return seen


def _sgd(w, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    seen, b = [], None
    for g in grads:
        g = g + weight_decay * w
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        w = w - lr * g
        seen.append(w)
    return seen


def _adam(w, grads, lr, b1, b2, eps, weight_decay=0.0, decoupled=False):
    seen, m, v = [], 0.0, 0.0
    for t, g in enumerate(grads, 1):
        if decoupled:
            w = w - lr * weight_decay * w
        else:
            g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        seen.append(w)
    return seen


def _rmsprop(w, grads, lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    seen, s, mean, b = [], 0.0, 0.0, 0.0
    for g in grads:
        g = g + weight_decay * w
        s = alpha * s + (1 - alpha) * g ** 2
        mean = alpha * mean + (1 - alpha) * g
        d = np.sqrt(s - mean ** 2 if centered else s) + eps
        b = momentum * b + g / d
        w = w - lr * (b if momentum else g / d)
        seen.append(w)
    return seen


CASES = [
    (lambda p: SGD(p, lr=0.1), lambda w, g: _sgd(w, g, 0.1)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.3),
     lambda w, g: _sgd(w, g, 0.1, 0.9, 0.2, 0.3)),
    (lambda p: SGD(p, lr=0.05, momentum=0.8, nesterov=True), lambda w, g: _sgd(w, g, 0.05, 0.8, nesterov=True)),
    (lambda p: GradientDescent(p), lambda w, g: _sgd(w, g, 0.01)),
    (lambda p: Momentum(p, weight_decay=0.1), lambda w, g: _sgd(w, g, 0.01, 0.9, weight_decay=0.1)),
    (lambda p: Adam(p), lambda w, g: _adam(w, g, 1e-3, 0.9, 0.999, 1e-8)),
    (lambda p: Adam(p, lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.2),
     lambda w, g: _adam(w, g, 0.05, 0.5, 0.9, 1e-3, 0.2)),
    (lambda p: AdamW(p), lambda w, g: _adam(w, g, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled=True)),
    (lambda p: AdamW(p, lr=0.1, weight_decay=0.5), lambda w, g: _adam(w, g, 0.1, 0.9, 0.999, 1e-8, 0.5, True)),
    (lambda p: RMSprop(p), lambda w, g: _rmsprop(w, g, 0.01, 0.99, 1e-8)),
    (lambda p: RMSprop(p, lr=0.02, alpha=0.7, eps=1e-4, weight_decay=0.1, momentum=0.9, centered=True),
     lambda w, g: _rmsprop(w, g, 0.02, 0.7, 1e-4, 0.1, 0.9, True)),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shape=st.lists(st.integers(1, 4), max_size=3).map(tuple))
def test_steps_follow_the_formula(case: int, seed: int, shape) -> None:
    make, formula = CASES[case]
    rng = np.random.default_rng(seed)
    start = rng.normal(size=shape)
    grads = [rng.normal(size=shape) for _ in range(STEPS)]
    w = Variable(start.copy())
    np.testing.assert_allclose(_run(make([w]), w, grads), formula(start, grads), rtol=1e-11, atol=1e-15)


def test_adamw_decays_weights_the_moments_never_see() -> None:
    """With a zero gradient Adam's L2 term moves the weight by about lr each step (m/√v = ±1);
    AdamW's decay shrinks it by the factor (1 − lr·λ) and leaves the moments at zero."""
    w = Variable([2.0, -4.0])
    optimiser = AdamW([w], lr=0.1, weight_decay=0.5)
    _run(optimiser, w, [np.zeros(2)] * 3)
    np.testing.assert_allclose(w.value, np.array([2.0, -4.0]) * 0.95 ** 3, rtol=1e-15)
    assert not optimiser.m[0].any() and not optimiser.v[0].any()


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_state_carries_a_run_on_exactly(case: int) -> None:
    make, _ = CASES[case]
    rng = np.random.default_rng(case)
    grads = [rng.normal(size=(2, 3)) for _ in range(STEPS)]
    whole = Variable(np.ones((2, 3)))
    straight = _run(make([whole]), whole, grads)
    first = Variable(np.ones((2, 3)))
    optimiser = make([first])
    _run(optimiser, first, grads[:3])
    second = Variable(first.value.copy())
    resumed = make([second])
    resumed.load_state({k: v.copy() for k, v in optimiser.state().items()})
    np.testing.assert_array_equal(_run(resumed, second, grads[3:]), straight[3:])


def test_a_state_that_does_not_fit_is_refused_and_nothing_changes() -> None:
    w = Variable(np.ones(3), "w")
    optimiser = RMSprop([w], momentum=0.5, centered=True)
    _run(optimiser, w, [np.ones(3)])
    kept = optimiser.state()
    for name in ("square_avg/0", "grad_avg/0", "momentum_buffer/0"):
        broken = {**kept, name: np.ones(2)}
        with pytest.raises(ValueError, match=f"optimiser state's {name[:-2]} does not fit parameter w"):
            optimiser.load_state(broken)
    np.testing.assert_array_equal(optimiser.state()["square_avg/0"], kept["square_avg/0"])


@pytest.mark.parametrize("make, message", [
    (lambda: SGD([], lr=0.1, nesterov=True), "Nesterov momentum needs momentum > 0 and dampening 0"),
    (lambda: SGD([], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "got momentum 0.9 and dampening 0.1"),
    (lambda: SGD([], lr=0.1, momentum=-1), r"momentum must be 0 or more, got -1"),
    (lambda: Adam([], betas=(1.0, 0.9)), r"betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda: AdamW([], betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\), got -0.1"),
    (lambda: RMSprop([], alpha=-0.5), "alpha must be 0 or more, got -0.5"),
    (lambda: RMSprop([], eps=float("nan")), "eps must be 0 or more, got nan"),
    (lambda: AdamW([], weight_decay=-1), "weight decay must be >= 0, got -1"),
])
def test_bad_settings_are_refused_in_one_line(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("name, cls", [("adamw", AdamW), ("rmsprop", RMSprop), ("gd", GradientDescent)])
def test_the_command_line_names_build_them(name: str, cls) -> None:
    optimiser = make_optimiser(name, [Variable([1.0])], 0.5, weight_decay=0.25)
    assert type(optimiser) is cls and optimiser.lr == 0.5 and optimiser.weight_decay == 0.25
