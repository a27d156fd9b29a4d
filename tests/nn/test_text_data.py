"""The shipped text and its character data: provenance, packaging, coding, windows, streams,
the split by position and the bigram baseline against a hand computation."""

from __future__ import annotations

import hashlib
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from graphviz_nn.nn.datasets.text import (
    SHIPPED_TEXTS, Vocabulary, bigram_cross_entropy, char_text, read_text, shipped_text,
)

ROOT = Path(__file__).resolve().parents[2]
TEXT = ROOT / "graphviz_nn" / "assets" / "text"


def test_the_shipped_text_has_its_provenance_beside_it_and_matches_its_checksum() -> None:
    note = (TEXT / "PROVENANCE.md").read_text(encoding="utf-8")
    for needed in ("Persuasion", "Jane Austen", "r-cran-janeaustenr", "1.0.0-1", "public domain"):
        assert needed in note
    digest = hashlib.sha256((TEXT / "persuasion.txt").read_bytes().replace(b"\r\n", b"\n")).hexdigest()
    assert f"sha256 of persuasion.txt: `{digest}`" in note
    text = read_text("persuasion")
    assert text.startswith("Persuasion\n") and "Chapter 8\n" in text and "Chapter 9" not in text
    # The bare work: no Project Gutenberg header, footer or licence was shipped with it.
    assert "gutenberg" not in text.lower() and "license" not in text.lower()
    assert set(SHIPPED_TEXTS) == {p.stem for p in TEXT.glob("*.txt")}


def test_the_text_is_in_the_wheels_package_data() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the wheel test proves it everywhere
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["graphviz_nn.assets"]
    for name in ("text/persuasion.txt", "text/PROVENANCE.md"):
        # setuptools globs "**/*" across folders; a plain fnmatch-style check of the same kind:
        assert any(re.fullmatch(p.replace(".", r"\.").replace("**/", "(.*/)?").replace("*", "[^/]*"), name)
                   for p in patterns), name


def test_the_shipped_text_is_split_by_position_with_the_last_tenth_for_testing() -> None:
    data = shipped_text()
    text = read_text()
    assert data.vocabulary.characters == "".join(sorted(set(text)))
    assert len(data.vocabulary) == 75 and (data.train.size, data.test.size) == (116_517, 12_946)
    assert data.vocabulary.decode(np.concatenate([data.train, data.test])) == text
    assert data.test.size == round(0.1 * len(text))


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=60))
@example("\0a\0")  # numpy's strings drop a trailing NUL
@example("\U0001F600\uFFFF\x7f")
def test_encoding_then_decoding_gives_the_text_back(text: str) -> None:
    vocabulary = Vocabulary.of(text)
    codes = vocabulary.encode(text)
    assert codes.dtype == np.int64 and codes.shape == (len(text),)
    assert vocabulary.decode(codes) == text
    assert sorted(set(codes.tolist())) == list(range(len(vocabulary)))


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=12, alphabet=st.characters()).filter(
    lambda s: len(set(s)) == len(s)), st.data())
def test_decoding_then_encoding_gives_the_codes_back_in_any_character_order(characters: str, data) -> None:
    vocabulary = Vocabulary(characters)  # not sorted: the codes are the positions
    codes = np.array(data.draw(st.lists(st.integers(0, len(characters) - 1), max_size=40)), dtype=np.int64)
    assert np.array_equal(vocabulary.encode(vocabulary.decode(codes)), codes)


def test_coding_refuses_what_is_outside_the_vocabulary() -> None:
    vocabulary = Vocabulary.of("abc")
    with pytest.raises(ValueError, match=r"character 'z' \(U\+007A\) at position 2 is not in the vocabulary"):
        vocabulary.encode("abz")
    with pytest.raises(ValueError, match="codes must be whole numbers from 0 to 2"):
        vocabulary.decode([0, 3])
    with pytest.raises(ValueError, match="distinct characters"):
        Vocabulary("aa")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(0, 2**32 - 1), st.sampled_from(["train", "test"]))
def test_windows_are_slices_of_their_part_and_targets_the_next_characters(length, batch, seed, part) -> None:
    data = char_text("It is a truth universally acknowledged, that a single man in possession " * 4)
    codes = data.part(part)
    assume(codes.size > length)
    inputs, targets = data.windows(length, batch, np.random.default_rng(seed), part)
    assert inputs.shape == targets.shape == (length, batch)
    assert np.array_equal(inputs[1:], targets[:-1])
    slices = sliding_window_view(codes, length + 1)
    for j in range(batch):
        window = np.append(inputs[:, j], targets[-1, j])
        assert (slices == window).all(axis=1).any()
    again = data.windows(length, batch, np.random.default_rng(seed), part)
    assert np.array_equal(again[0], inputs) and np.array_equal(again[1], targets)


def test_windows_longer_than_their_part_are_refused() -> None:
    data = char_text("abcdefghijklmnopqrst")
    with pytest.raises(ValueError, match="the test part has 2 characters, and a window of 2 with its targets "
                                         "needs 3"):
        data.windows(2, 1, np.random.default_rng(0), "test")
    with pytest.raises(ValueError, match="length must be a whole number >= 1"):
        data.windows(0, 1, np.random.default_rng(0))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="ab c.", min_size=4, max_size=80), st.integers(1, 9), st.sampled_from(["train", "test"]))
def test_streams_hold_every_pair_of_a_part_once_in_order(text: str, batch: int, part: str) -> None:
    data = char_text(text)
    codes = data.part(part)
    inputs, targets, real = data.streams(batch, part)
    assert inputs.shape == targets.shape == real.shape and inputs.shape[1] == batch
    # Column after column, the real entries are the part's pairs in order.
    assert np.array_equal(inputs.T[real.T], codes[:-1]) and np.array_equal(targets.T[real.T], codes[1:])
    assert np.array_equal(inputs[1:][real[1:]], targets[:-1][real[1:]])


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="xyz\n", min_size=4, max_size=200), st.floats(0.01, 0.99))
def test_the_split_is_by_position_and_keeps_two_characters_each_side(text: str, fraction: float) -> None:
    data = char_text(text, fraction)
    assert data.vocabulary.decode(np.concatenate([data.train, data.test])) == text
    assert data.test.size == min(max(2, round(fraction * len(text))), len(text) - 2)
    assert data.train.size >= 2


def test_char_text_refuses_a_bad_fraction_or_a_tiny_text() -> None:
    with pytest.raises(ValueError, match="test_fraction must lie strictly between 0 and 1"):
        char_text("abcdefgh", 1.0)
    with pytest.raises(ValueError, match="too short; give at least 4"):
        char_text("abc")
    with pytest.raises(ValueError, match="no shipped text 'emma'"):
        read_text("emma")


def test_the_bigram_loss_equals_a_hand_computation_on_a_tiny_text() -> None:
    # Codes a=0, b=1, c=2. Train "aabab": pairs aa, ab, ba, ab, so count(a, ·) = (1, 2, 0),
    # count(b, ·) = (1, 0, 0), count(c, ·) = 0. Test "abcb": pairs ab, bc, cb. With k = 1/2, V = 3:
    # p(b|a) = (2 + ½)/(3 + 3/2) = 5/9, p(c|b) = ½/(1 + 3/2) = 1/5, p(b|c) = ½/(0 + 3/2) = 1/3.
    loss = bigram_cross_entropy(np.array([0, 0, 1, 0, 1]), np.array([0, 1, 2, 1]), 3, k=0.5)
    assert loss == pytest.approx(-(math.log(5 / 9) + math.log(1 / 5) + math.log(1 / 3)) / 3, rel=1e-15)
    # Add-one: p(b|a) = 3/6, p(c|b) = 1/4, p(b|c) = 1/3.
    assert bigram_cross_entropy(np.array([0, 0, 1, 0, 1]), np.array([0, 1, 2, 1]), 3) == pytest.approx(
        -(math.log(1 / 2) + math.log(1 / 4) + math.log(1 / 3)) / 3, rel=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=50), st.lists(st.integers(0, 3), min_size=2, max_size=30),
       st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(1, 20)]))
def test_the_bigram_loss_equals_counting_by_hand_with_fractions(train, test, k) -> None:
    size = 4
    log_sum = 0.0
    for a, b in zip(test, test[1:]):
        pair = sum(1 for x, y in zip(train, train[1:]) if (x, y) == (a, b))
        row = sum(1 for x in train[:-1] if x == a)
        log_sum += math.log((pair + k) / (row + k * size))
    expected = -log_sum / (len(test) - 1)
    loss = bigram_cross_entropy(np.array(train), np.array(test), size, float(k))
    assert loss == pytest.approx(expected, rel=1e-13)


def test_the_bigram_refuses_no_smoothing_and_codes_out_of_range() -> None:
    with pytest.raises(ValueError, match="the smoothing k must be positive"):
        bigram_cross_entropy(np.array([0, 1]), np.array([1, 0]), 2, k=0)
    with pytest.raises(ValueError, match="the test part has codes outside 0..1"):
        bigram_cross_entropy(np.array([0, 1]), np.array([1, 2]), 2)


def test_the_shipped_bigram_baseline() -> None:
    data = shipped_text()
    # Add-one, and add-k at the k that suits the test part best: the bar a model must pass.
    assert data.bigram_loss() == pytest.approx(2.4826, abs=1e-4)
    assert min(data.bigram_loss(k) for k in (0.5, 0.2, 0.1, 0.05, 0.02)) == pytest.approx(2.4639, abs=1e-4)
