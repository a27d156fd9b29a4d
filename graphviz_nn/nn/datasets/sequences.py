"""Sequence tasks drawn from a seeded generator: the adding problem, sine continuation,
parity, and copying or reversing token sequences.

Each task takes a number of sequences ``n``, a ``length`` T and a ``seed``, and returns a
:class:`Sequences` pair ``(x, y)`` laid out as torch's recurrent layers read them (time first,
``batch_first=False``): real inputs of shape (T, N, features), tokens of shape (T, N). Each call
draws fresh sequences, so a training loop asks for a batch per step with the step's seed::

    for step in range(1500):
        x, y = adding_problem(32, 50, seed=step)

The same seed (or the same state of a ``numpy.random.Generator``) gives the same arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: The adding problem's constant predictor: the sum of two U(0, 1) values has mean 1 and
#: variance 2 · 1/12, so always answering 1 has expected squared error 1/6 ≈ 0.167.
ADDING_BASELINE_MSE = 1.0 / 6.0


class Sequences(NamedTuple):
    """Inputs and targets of a sequence task; unpacks as ``x, y = task(...)``.

    Attributes
    ----------
    x : ndarray
        (T, N, features) float64 for real inputs, (T, N) int64 for tokens.
    y : ndarray
        The targets; each task says their shape.
    """

    x: np.ndarray
    y: np.ndarray


def _whole(task: str, name: str, value: object, least: int) -> int:
    """``value`` as an int >= ``least``; ValueError naming the task and the argument otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{task}: {name} must be a whole number >= {least}, got {value!r}")
    return int(value)


def _counts(task: str, n: object, length: object, shortest: int = 1) -> tuple[int, int]:
    return _whole(task, "n", n, 1), _whole(task, "length", length, shortest)


def adding_problem(n: int, length: int, seed: int | np.random.Generator = 0) -> Sequences:
    """The adding problem (Hochreiter & Schmidhuber 1997; the form of Arjovsky et al. 2016).

    Each step carries two channels: a value drawn from U(0, 1) and a marker, 1 at exactly two
    steps, one in each half of the sequence (the first in steps 0 .. T//2 − 1, the second in
    T//2 .. T − 1), 0 elsewhere. The target is the sum of the two marked values. A model must
    carry the first value across up to T steps; predicting 1 always has mean squared error
    1/6 (:data:`ADDING_BASELINE_MSE`).

    Parameters
    ----------
    n : int
        Sequences, >= 1.
    length : int
        Steps T, >= 2 (one marker per half).
    seed : int or numpy Generator

    Returns
    -------
    Sequences
        x of shape (T, n, 2) (channel 0 the values, channel 1 the markers), y of shape (n, 1).

    Raises
    ------
    ValueError
        A count that is not a whole number, n < 1 or length < 2.
    """
    n, T = _counts("adding_problem", n, length, shortest=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, (T, n))
    half = T // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, T, n)
    columns = np.arange(n)
    markers = np.zeros((T, n))
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    y = (values[first, columns] + values[second, columns]).reshape(n, 1)
    return Sequences(np.stack([values, markers], axis=-1), y)


def sine_continuation(n: int, length: int, noise: float = 0.1, frequency: tuple[float, float] = (0.1, 0.6),
                      seed: int | np.random.Generator = 0) -> Sequences:
    """Noisy sines of random phase and frequency; the target at each step is the next value.

    Sequence k is s_t = sin(ω_k t + φ_k) + ε_t for t = 0 .. T, with φ_k from U(0, 2π), ω_k
    (radians per step) from U(*frequency) and ε_t from N(0, noise²). The inputs are s_0 ..
    s_{T−1}; the targets the sine itself one step on, sin(ω_k (t + 1) + φ_k): the noise is the
    observation's, so a model that has found the phase and frequency tends to error 0, while
    repeating the last input ("persistence") keeps the noise's variance and more.

    Parameters
    ----------
    n, length : int
        Sequences and steps T, each >= 1.
    noise : float
        Standard deviation of the observation noise, >= 0.
    frequency : (float, float)
        Range of ω in radians per step, 0 <= low <= high (0.1 to 0.6: periods of 10 to 63 steps).
    seed : int or numpy Generator

    Returns
    -------
    Sequences
        x and y both of shape (T, n, 1).

    Raises
    ------
    ValueError
        A bad count, a negative or non-finite noise, or a frequency range that is not
        0 <= low <= high.
    """
    n, T = _counts("sine_continuation", n, length)
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"sine_continuation: noise must be a finite number >= 0, got {noise!r}")
    low, high = (float(f) for f in frequency)
    if not (np.isfinite(high) and 0 <= low <= high):
        raise ValueError(f"sine_continuation: frequency must be a range (low, high) with 0 <= low <= high, "
                         f"got {frequency!r}")
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    omega = rng.uniform(low, high, n)
    clean = np.sin(np.arange(T + 1)[:, None] * omega + phase)  # (T + 1, n)
    observed = clean[:T] + rng.normal(0.0, noise, (T, n))
    return Sequences(observed[:, :, None], clean[1:, :, None])


def parity(n: int, length: int, running: bool = False, seed: int | np.random.Generator = 0) -> Sequences:
    """Bits from a fair coin; the target is their parity (1 when the count of ones is odd).

    Parameters
    ----------
    n, length : int
        Sequences and steps T, each >= 1.
    running : bool
        False: one target per sequence, the parity of all T bits. True: a target at each step,
        the parity of the bits up to and including it.
    seed : int or numpy Generator

    Returns
    -------
    Sequences
        x of shape (T, n, 1) holding 0.0 and 1.0; y of shape (n, 1), or (T, n, 1) when
        running, also 0.0 and 1.0 (``y[..., 0].astype(int)`` gives class indices).

    Raises
    ------
    ValueError
        A count that is not a whole number >= 1.
    """
    n, T = _counts("parity", n, length)
    bits = np.random.default_rng(seed).integers(0, 2, (T, n, 1))
    odd = np.cumsum(bits, axis=0) % 2
    y = odd if running else odd[-1]
    return Sequences(bits.astype(np.float64), y.astype(np.float64))


def _tokens(task: str, n: object, length: object, vocab_size: object,
            seed: int | np.random.Generator) -> np.ndarray:
    n, T = _counts(task, n, length)
    vocab = _whole(task, "vocab_size", vocab_size, 2)
    return np.random.default_rng(seed).integers(0, vocab, (T, n), dtype=np.int64)


def copy_task(n: int, length: int, vocab_size: int = 10, seed: int | np.random.Generator = 0) -> Sequences:
    """Token sequences to copy: the target at step t is the input token at step t.

    Tokens are drawn uniformly from 0 .. vocab_size − 1, to be read through an ``Embedding``
    (and scored with ``cross_entropy`` against the targets as class indices).

    Parameters
    ----------
    n, length : int
        Sequences and steps T, each >= 1.
    vocab_size : int
        Distinct tokens, >= 2.
    seed : int or numpy Generator

    Returns
    -------
    Sequences
        x and y of shape (T, n), int64.

    Raises
    ------
    ValueError
        A count that is not a whole number, n or length < 1, vocab_size < 2.
    """
    x = _tokens("copy_task", n, length, vocab_size, seed)
    return Sequences(x, x.copy())


def reverse_task(n: int, length: int, vocab_size: int = 10, seed: int | np.random.Generator = 0) -> Sequences:
    """Token sequences to reverse: the target at step t is the input token at step T − 1 − t.

    Every step's answer lies at another step, so a model must look across the sequence
    (attention, or a recurrence that has read it all). Arguments, shapes and errors as
    :func:`copy_task`.
    """
    x = _tokens("reverse_task", n, length, vocab_size, seed)
    return Sequences(x, x[::-1].copy())


SEQUENCE_TASKS = {
    "adding": adding_problem, "sine": sine_continuation, "parity": parity,
    "copy": copy_task, "reverse": reverse_task,
}
