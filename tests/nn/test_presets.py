"""The named presets are sized by their data: each fits the data it is for (walked from the spec
alone, nothing built) and refuses other data saying what it takes; the named datasets come in
the shapes the models read."""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

from graphviz_nn.nn.model_setup import check_fit, load_data
from graphviz_nn.nn.model_spec import SpecError, shapes
from graphviz_nn.nn.presets import PRESETS, preset
from graphviz_nn.nn.shaped_data import SOURCES, ShapedData

HAS_SEQUENCES = importlib.util.find_spec("graphviz_nn.nn.datasets.sequences") is not None


def tokens(per_step: bool = True) -> ShapedData:
    x = np.random.default_rng(0).integers(0, 7, (9, 4))
    y = x.copy() if per_step else x[-1].copy()
    return ShapedData("tokens", x, y, "classes", x_axis=1, y_axis=1 if per_step else 0, classes=7, tokens=True,
                      vocab=7)


def steps(per_step: bool = False, features: int = 2) -> ShapedData:
    x = np.zeros((6, 5, features))
    y = np.zeros((6, 5, 1)) if per_step else np.zeros((5, 1))
    return ShapedData("steps", x, y, "regression", x_axis=1, y_axis=1 if per_step else 0)


FITS = {
    "mlp": [lambda: load_data("iris"), lambda: load_data("digits"), lambda: load_data("moons")],
    "cnn": [lambda: load_data("digits")],
    "lstm": [steps, lambda: steps(True, 1), tokens, lambda: tokens(False)],
    "gru": [steps, tokens],
    "rnn": [steps, lambda: tokens(False)],
    "transformer": [tokens],
}


@pytest.mark.parametrize("name, index", [(n, i) for n, makers in FITS.items() for i in range(len(makers))])
def test_each_preset_fits_the_data_it_is_for(name, index):
    spec, data = preset(name, FITS[name][index]())
    check_fit(spec, data)
    assert shapes(spec, data.input_shape, data.tokens)[-1][-1] == data.outputs


def test_the_cnn_on_the_digits_images_walks_as_a_convolutional_net_should():
    spec, data = preset("cnn", load_data("digits"))
    assert data.x.shape[1:] == (1, 8, 8) and data.classes == 10
    walked = shapes(spec, data.input_shape)
    assert walked[3] == ("N", 8, 4, 4) and walked[6] == ("N", 16, 2, 2) and walked[-1] == ("N", 10)


def test_the_transformer_reads_its_tokens_batch_first():
    spec, data = preset("transformer", tokens())
    assert data.input_shape == ("N", 9) and data.y.shape == (4, 9)
    assert shapes(spec, data.input_shape, True)[-1] == ("N", 9, 7)


@pytest.mark.parametrize("name, data, words", [
    ("mlp", steps, "--model mlp takes rows or images"),
    ("cnn", lambda: load_data("iris"), "--model cnn takes images (N, C, H, W)"),
    ("lstm", lambda: load_data("digits"), "--model lstm takes sequences (T, N, F) or tokens (T, N)"),
    ("transformer", steps, "--model transformer takes token sequences"),
])
def test_a_preset_refuses_data_it_does_not_take(name, data, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        preset(name, data())


def test_an_unknown_preset_lists_the_known():
    with pytest.raises(ValueError, match="choose one of " + ", ".join(PRESETS)):
        preset("resnet", steps())


def test_a_spec_for_other_data_is_refused_naming_the_layer_and_both_shapes():
    spec, _ = preset("mlp", load_data("iris"))
    with pytest.raises(SpecError, match=r"^layer 0 Linear expects \(N, 4\), gets \(N, 2\)$"):
        check_fit(spec, load_data("moons"))
    spec, _ = preset("lstm", steps())
    with pytest.raises(SpecError, match=r"^layer 2 Linear gives \(N, 1\), but steps's targets need \(T, N, 1\)$"):
        check_fit(spec, steps(True))


@pytest.mark.skipif(not HAS_SEQUENCES, reason="the sequence tasks are not in this version")
@pytest.mark.parametrize("name", ["adding", "sine", "parity", "copy", "reverse"])
def test_the_sequence_sources_give_steps_first_data_a_preset_takes(name):
    data = SOURCES[name].make(8, 6, 0)
    assert data.x.shape[:2] == (6, 8) and len(data) == 8
    spec, data = preset("lstm", data)
    check_fit(spec, data)


@pytest.mark.skipif(HAS_SEQUENCES, reason="the sequence tasks are in this version")
def test_a_sequence_source_this_version_lacks_is_refused_in_words():
    with pytest.raises(ValueError, match="this version of graphviz-nn has no adding_problem dataset"):
        load_data("adding", 5)
