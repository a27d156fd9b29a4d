"""The shipped text as a dataset the command line and the spec trainer take by name."""

from __future__ import annotations

import numpy as np

from graphviz_nn.nn.datasets.text import shipped_text
from graphviz_nn.nn.shaped_data import shaped


def test_text_windows_are_tokens_each_step_targeting_the_next_character() -> None:
    data = shaped("text", length=12, seed=3, n=40)
    text = shipped_text()
    assert data.tokens and data.x.shape == data.y.shape == (12, 40) and data.x_axis == data.y_axis == 1
    assert data.classes == data.vocab == len(text.vocabulary.characters)
    train = text.vocabulary.decode(text.part("train"))
    for j in range(data.x.shape[1]):
        window = text.vocabulary.decode(data.x[:, j])
        after = text.vocabulary.decode(data.y[:, j])
        assert window[1:] == after[:-1] and window + after[-1] in train  # from the training part
    again = shaped("text", length=12, seed=3, n=40)
    assert np.array_equal(again.x, data.x)
