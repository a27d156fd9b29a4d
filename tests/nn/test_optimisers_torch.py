"""SGD, Adam, AdamW and RMSprop against torch.optim, step for step over ten steps from the same
weights and gradients (float64, shapes and settings drawn by hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Variable
from graphviz_nn.nn import SGD, Adam, AdamW, RMSprop

torch = pytest.importorskip("torch")

SHAPES = st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), min_size=1, max_size=3)

CASES = {
    "sgd": (SGD, st.fixed_dictionaries({
        "lr": st.sampled_from([1e-3, 0.05, 0.3]), "momentum": st.sampled_from([0.0, 0.5, 0.9]),
        "dampening": st.sampled_from([0.0, 0.3]), "weight_decay": st.sampled_from([0.0, 0.01, 0.5])})),
    "nesterov": (SGD, st.fixed_dictionaries({
        "lr": st.sampled_from([0.01, 0.2]), "momentum": st.sampled_from([0.5, 0.9]),
        "weight_decay": st.sampled_from([0.0, 0.1]), "nesterov": st.just(True)})),
    "adam": (Adam, st.fixed_dictionaries({
        "lr": st.sampled_from([1e-3, 0.05]), "betas": st.sampled_from([(0.9, 0.999), (0.3, 0.8), (0.0, 0.5)]),
        "eps": st.sampled_from([1e-8, 1e-3]), "weight_decay": st.sampled_from([0.0, 0.1])})),
    "adamw": (AdamW, st.fixed_dictionaries({
        "lr": st.sampled_from([1e-3, 0.05]), "betas": st.sampled_from([(0.9, 0.999), (0.3, 0.8)]),
        "weight_decay": st.sampled_from([0.0, 0.01, 0.5])})),
    "rmsprop": (RMSprop, st.fixed_dictionaries({
        "lr": st.sampled_from([1e-3, 0.01, 0.1]), "alpha": st.sampled_from([0.99, 0.5]),
        "eps": st.sampled_from([1e-8, 1e-2]), "weight_decay": st.sampled_from([0.0, 0.1]),
        "momentum": st.sampled_from([0.0, 0.9]), "centered": st.booleans()})),
}
TORCH = {"sgd": "SGD", "nesterov": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}


@pytest.mark.parametrize("case", list(CASES))
@settings(max_examples=25, deadline=None)
@given(data=st.data(), shapes=SHAPES, seed=st.integers(0, 2**32 - 1))
def test_ten_steps_equal_torch_optim(case: str, data, shapes, seed: int) -> None:
    cls, options = CASES[case]
    kwargs = data.draw(options)
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=shape) for shape in shapes]
    grads = [[rng.normal(scale=3.0, size=shape) for shape in shapes] for _ in range(10)]
    ours = [Variable(w.copy(), f"w{i}") for i, w in enumerate(start)]
    theirs = [torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True) for w in start]
    optimiser = cls(ours, **kwargs)
    reference = getattr(torch.optim, TORCH[case])(theirs, **kwargs)
    if cls is SGD and "momentum" not in kwargs:  # our defaults are torch's too
        assert optimiser.lr == reference.defaults["lr"]
    for step, drawn in enumerate(grads, 1):
        for p, q, g in zip(ours, theirs, drawn):
            p.grad, q.grad = g.copy(), torch.tensor(g.copy())
        optimiser.step()
        reference.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.value, q.detach().numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"{case} {kwargs} step {step}")


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop])
def test_defaults_are_torchs(cls) -> None:
    import inspect
    ours = inspect.signature(cls.__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, cls.__name__).__init__).parameters
    for name, parameter in ours.items():
        if name not in ("self", "parameters"):
            assert parameter.default == theirs[name].default, name
