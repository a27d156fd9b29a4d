"""Learning-rate schedules: their closed forms without torch, and torch's own sequence of rates
over thirty steps where torch is installed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Variable
from graphviz_nn.nn import SGD, Adam
from graphviz_nn.nn.schedules import CosineAnnealingLR, LinearLR, ReduceLROnPlateau, StepLR

STEPS = 30


def _rates(schedule, metrics=None) -> list[float]:
    """The rate after construction, then after each of thirty (optimiser step, schedule step)."""
    rates = [schedule.get_last_lr()[0]]
    optimiser = getattr(schedule, "optimizer", None) or schedule.optimiser  # torch's spelling, or ours
    for t in range(STEPS):
        optimiser.step()
        schedule.step() if metrics is None else schedule.step(metrics[t])
        rates.append(schedule.get_last_lr()[0])
    return rates


def _optimiser(lr: float = 0.1):
    return SGD([Variable(np.ones(2))], lr=lr)


@given(lr=st.floats(1e-4, 1.0), step_size=st.integers(1, 12), gamma=st.floats(0.05, 1.0))
def test_step_lr_is_its_closed_form(lr: float, step_size: int, gamma: float) -> None:
    expected = [lr * gamma ** (t // step_size) for t in range(STEPS + 1)]
    np.testing.assert_allclose(_rates(StepLR(_optimiser(lr), step_size, gamma)), expected, rtol=1e-12)


@given(lr=st.floats(1e-3, 1.0), T_max=st.integers(1, 15), eta_min=st.floats(0.0, 1e-3))
def test_cosine_annealing_is_its_closed_form_down_and_back_up(lr: float, T_max: int, eta_min: float) -> None:  # noqa: N803
    expected = [eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2 for t in range(STEPS + 1)]
    np.testing.assert_allclose(_rates(CosineAnnealingLR(_optimiser(lr), T_max, eta_min)), expected,
                               rtol=1e-9, atol=1e-15)


@given(lr=st.floats(1e-3, 1.0), start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 20))
def test_linear_warm_up_is_its_closed_form(lr: float, start: float, end: float, total: int) -> None:
    expected = [lr * (start + (end - start) * min(t, total) / total) for t in range(STEPS + 1)]
    np.testing.assert_allclose(_rates(LinearLR(_optimiser(lr), start, end, total)), expected,
                               rtol=1e-9, atol=1e-15)


def test_linear_warm_up_sets_the_first_rate_when_it_is_made() -> None:
    optimiser = Adam([Variable([1.0])], lr=0.3)
    LinearLR(optimiser)
    assert optimiser.lr == pytest.approx(0.1, rel=1e-15)


def test_plateau_waits_patience_steps_then_reduces_and_cools_down() -> None:
    optimiser = _optimiser(1.0)
    plateau = ReduceLROnPlateau(optimiser, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    losses = [5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]
    rates = []
    for loss in losses:
        plateau.step(loss)
        rates.append(plateau.get_last_lr()[0])
    # Three bad steps (4, 4, 4) are more than patience 2: halve. One step of cooldown, three
    # bad ones: halve again. 3 is better, then three bad steps: 0.125, but 0.2 is the floor.
    assert rates == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]


def test_plateau_in_max_mode_with_an_absolute_threshold() -> None:
    optimiser = _optimiser(1.0)
    plateau = ReduceLROnPlateau(optimiser, mode="max", patience=0, threshold=0.1, threshold_mode="abs")
    for accuracy in (0.5, 0.65, 0.7):  # 0.7 is not 0.1 better than 0.65
        plateau.step(accuracy)
    assert plateau.best == 0.65 and optimiser.lr == pytest.approx(0.1)


@pytest.mark.parametrize("make, message", [
    (lambda o: StepLR(o, 0), "step_size must be a whole number of at least 1, got 0"),
    (lambda o: CosineAnnealingLR(o, 2.5), "T_max must be a whole number of at least 1, got 2.5"),
    (lambda o: LinearLR(o, start_factor=0), r"start_factor must be in \(0, 1\] and end_factor in \[0, 1\]"),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), r"factor must be in \[0, 1\), got 1.0"),
    (lambda o: ReduceLROnPlateau(o, mode="lowest"), "mode must be 'min' or 'max'"),
    (lambda o: StepLR(None, 3), "a schedule takes an optimiser, got NoneType"),
])
def test_bad_schedules_are_refused_in_one_line(make, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make(_optimiser())


# --- against torch -------------------------------------------------------------------------

def _torch_rates(torch, make, lr: float, metrics=None) -> list[float]:
    optimiser = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stepping with no gradients is all a rate sequence needs
        return _rates(make(optimiser), metrics)


SCHEDULES = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 1e-3}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.01, "end_factor": 0.5, "total_iters": 12}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 30}),
]


@pytest.mark.parametrize("name, options", SCHEDULES)
@pytest.mark.parametrize("lr", [0.1, 0.0123])
def test_schedules_give_torchs_rates(name: str, options: dict, lr: float) -> None:
    torch = pytest.importorskip("torch")
    from graphviz_nn.nn import schedules
    ours = _rates(getattr(schedules, name)(_optimiser(lr), **options))
    theirs = _torch_rates(torch, lambda o: getattr(torch.optim.lr_scheduler, name)(o, **options), lr)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-17)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), patience=st.integers(0, 4), cooldown=st.integers(0, 3),
       mode=st.sampled_from(["min", "max"]), threshold_mode=st.sampled_from(["rel", "abs"]),
       threshold=st.sampled_from([0.0, 1e-4, 0.05]), min_lr=st.sampled_from([0.0, 1e-3]))
def test_plateau_gives_torchs_rates(seed, patience, cooldown, mode, threshold_mode, threshold, min_lr) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    metrics = list(np.round(np.cumsum(rng.normal(0.0, 1.0, STEPS)), 1))  # a wandering measure with ties
    options = dict(mode=mode, factor=0.5, patience=patience, threshold=threshold,
                   threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr)
    ours = _rates(ReduceLROnPlateau(_optimiser(0.1), **options), metrics)
    theirs = _torch_rates(torch, lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **options), 0.1, metrics)
    assert ours == theirs


def test_a_schedule_stepped_between_the_trainers_epochs_sets_the_next_epochs_rate() -> None:
    from graphviz_nn import datasets as D
    from graphviz_nn.nn import LayerNet, Trainer
    data = D.xor(seed=0)
    runs = []
    for decay in (False, True):
        net = LayerNet([2, 4, 1], "tanh", "sigmoid", "bce", rng=np.random.default_rng(0))
        optimiser = SGD(net.parameters, lr=0.5)
        schedule = StepLR(optimiser, step_size=1, gamma=0.5) if decay else None
        records = []
        for record in Trainer(net, optimiser).fit(data, None, epochs=3):
            records.append(record.train_loss)
            if schedule is not None:
                schedule.step()
        runs.append((records, optimiser.lr))
    (plain, plain_lr), (decayed, decayed_lr) = runs
    assert plain_lr == 0.5 and decayed_lr == 0.0625
    assert plain[:2] == decayed[:2] and plain[2] != decayed[2]  # epoch 2 ran at 0.25, its loss shows in epoch 3
