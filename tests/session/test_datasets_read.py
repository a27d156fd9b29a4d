"""The dataset files read by the window, each once: another target column is another read."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from graphviz_nn.nn.datasets import Dataset
from graphviz_nn.session.datasets_read import DatasetsRead

_TARGET = st.none() | st.sampled_from(["a", "b", "label"])


def _data(name: str) -> Dataset:
    return Dataset(name, np.zeros((2, 1)), np.zeros(2, dtype=np.int64), ("x",), ("0",))


@given(kept=_TARGET, asked=_TARGET)
def test_a_dataset_is_given_back_only_for_the_target_it_was_read_with(kept, asked) -> None:
    read, heard = DatasetsRead(), []
    read.added.connect(lambda path, data: heard.append(path))
    data = _data("d")
    read.put("f.csv", data, kept)
    assert heard == ["f.csv"] and "f.csv" in read
    assert (read.get("f.csv", asked) is data) == (asked == kept)
    assert read.any("f.csv") is data  # a preview of its features takes it whatever the target
    assert read.get("other.csv", asked) is None and read.any("other.csv") is None
