"""Sequence tasks: shapes time first, seeds, targets that follow from the inputs, baselines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import datasets as D

counts = st.integers(1, 12)
lengths = st.integers(2, 30)
seeds = st.integers(0, 2**32 - 1)


@given(n=counts, T=lengths, seed=seeds)
@settings(max_examples=40, deadline=None)
def test_adding_problem_marks_one_value_per_half_and_sums_them(n, T, seed) -> None:
    x, y = D.adding_problem(n, T, seed=seed)
    assert x.shape == (T, n, 2) and y.shape == (n, 1) and x.dtype == y.dtype == np.float64
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    assert np.all(markers[:half].sum(axis=0) == 1) and np.all(markers[half:].sum(axis=0) == 1)
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=0), rtol=0, atol=1e-15)


def test_adding_problem_constant_one_baseline_is_one_sixth() -> None:
    _, y = D.adding_problem(100_000, 50, seed=0)
    mse = float(np.mean((y - 1.0) ** 2))
    assert abs(mse - 1 / 6) < 0.01 and abs(mse - D.ADDING_BASELINE_MSE) < 0.01


def test_adding_problem_markers_reach_every_step_of_their_half() -> None:
    """The first marker can sit anywhere in steps 0..T/2-1, the second in T/2..T-1."""
    x, _ = D.adding_problem(5000, 8, seed=1)
    assert set(np.flatnonzero(x[..., 1].sum(axis=1))) == set(range(8))


@given(n=counts, T=st.integers(1, 30), seed=seeds)
@settings(max_examples=40, deadline=None)
def test_parity_is_the_count_of_ones_mod_two(n, T, seed) -> None:
    x, y = D.parity(n, T, seed=seed)
    xr, yr = D.parity(n, T, running=True, seed=seed)
    assert x.shape == (T, n, 1) and y.shape == (n, 1) and yr.shape == (T, n, 1)
    np.testing.assert_array_equal(x, xr)
    assert set(np.unique(x)) <= {0.0, 1.0}
    for t in range(T):
        np.testing.assert_array_equal(yr[t], np.sum(x[:t + 1], axis=0) % 2)
    np.testing.assert_array_equal(y, yr[-1])


def test_parity_bits_are_fair() -> None:
    x, y = D.parity(4000, 10, seed=2)
    assert abs(x.mean() - 0.5) < 0.01 and abs(y.mean() - 0.5) < 0.03


@given(n=counts, T=st.integers(1, 30), vocab=st.integers(2, 50), seed=seeds)
@settings(max_examples=40, deadline=None)
def test_copy_and_reverse_targets(n, T, vocab, seed) -> None:
    x, y = D.copy_task(n, T, vocab_size=vocab, seed=seed)
    xr, yr = D.reverse_task(n, T, vocab_size=vocab, seed=seed)
    for tokens in (x, y, xr, yr):
        assert tokens.shape == (T, n) and tokens.dtype == np.int64
        assert tokens.min() >= 0 and tokens.max() < vocab
    np.testing.assert_array_equal(y, x)
    for t in range(T):
        np.testing.assert_array_equal(yr[t], xr[T - 1 - t])
    y[0, 0] += 1  # targets are arrays of their own: changing one leaves the inputs alone
    assert x[0, 0] != y[0, 0]


def test_every_token_of_the_vocabulary_is_drawn() -> None:
    x, _ = D.copy_task(200, 20, vocab_size=7, seed=0)
    assert set(np.unique(x)) == set(range(7))


def test_sine_targets_are_the_clean_sine_one_step_on() -> None:
    x, y = D.sine_continuation(6, 40, noise=0.0, seed=3)
    assert x.shape == y.shape == (40, 6, 1)
    np.testing.assert_allclose(y[:-1], x[1:], rtol=0, atol=1e-15)  # without noise, y is x shifted
    # each sequence is one sine: sin(w(t+1) + p) + sin(w(t-1) + p) = 2 cos(w) sin(wt + p)
    s = np.concatenate([x[:, :, 0], y[-1:, :, 0]])
    ratio = (s[2:] + s[:-2]) / (2 * s[1:-1])
    cos_w = np.median(ratio, axis=0)
    assert np.all((np.cos(0.6) <= cos_w + 1e-9) & (cos_w <= np.cos(0.1) + 1e-9))


def test_sine_noise_is_the_inputs_only() -> None:
    x, y = D.sine_continuation(2000, 30, noise=0.2, seed=4)
    clean, _ = D.sine_continuation(2000, 30, noise=0.0, seed=4)
    assert abs(np.std(x - clean) - 0.2) < 0.005  # the same phases and frequencies, then the noise
    assert np.abs(y).max() <= 1.0
    persistence = float(np.mean((x - y) ** 2))  # repeating the last input
    assert persistence > 0.2**2


@pytest.mark.parametrize("task", list(D.SEQUENCE_TASKS.values()))
def test_the_same_seed_gives_the_same_sequences(task) -> None:
    a, b, c = task(5, 9, seed=7), task(5, 9, seed=7), task(5, 9, seed=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(task(5, 9, seed=rng1).x, task(5, 9, seed=rng2).x)
    assert not np.array_equal(task(5, 9, seed=rng1).x, task(5, 9, seed=np.random.default_rng(3)).x)


@pytest.mark.parametrize("call, message", [
    (lambda: D.adding_problem(32, 0), r"adding_problem: length must be a whole number >= 2, got 0"),
    (lambda: D.adding_problem(32, 1), r"adding_problem: length must be a whole number >= 2, got 1"),
    (lambda: D.adding_problem(-1, 50), r"adding_problem: n must be a whole number >= 1, got -1"),
    (lambda: D.adding_problem(0, 50), r"adding_problem: n must be a whole number >= 1, got 0"),
    (lambda: D.adding_problem(2.5, 50), r"n must be a whole number >= 1, got 2.5"),
    (lambda: D.adding_problem(True, 50), r"n must be a whole number >= 1, got True"),
    (lambda: D.parity(3, 0), r"parity: length must be a whole number >= 1, got 0"),
    (lambda: D.parity(-3, 4), r"parity: n must be"),
    (lambda: D.copy_task(3, 4, vocab_size=1), r"copy_task: vocab_size must be a whole number >= 2, got 1"),
    (lambda: D.reverse_task(3, -4), r"reverse_task: length must be a whole number >= 1, got -4"),
    (lambda: D.sine_continuation(3, 0), r"sine_continuation: length must be"),
    (lambda: D.sine_continuation(3, 4, noise=-0.1), r"sine_continuation: noise must be a finite number >= 0"),
    (lambda: D.sine_continuation(3, 4, noise=float("nan")), r"noise must be a finite number >= 0, got nan"),
    (lambda: D.sine_continuation(3, 4, frequency=(0.5, 0.1)), r"frequency must be a range \(low, high\)"),
    (lambda: D.sine_continuation(3, 4, frequency=(-1, 0.1)), r"with 0 <= low <= high"),
])
def test_bad_arguments_are_refused_in_one_line(call, message) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)
