"""A split either leaves rows on both sides or is refused in one line naming the counts,
before any statistic is computed: no numpy warning reaches the user."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn.nn import datasets as D


def _data(n: int) -> D.Dataset:
    return D.Dataset("rows", np.arange(2.0 * n).reshape(n, 2), np.arange(n) % 2, ("a", "b"), ("0", "1"))


@pytest.mark.filterwarnings("error::RuntimeWarning", "error::UserWarning")
@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 3000), fraction=st.floats(0, 1, exclude_min=True, exclude_max=True))
def test_a_split_leaves_rows_on_both_sides_or_says_why_not(n, fraction) -> None:
    data = _data(n)
    try:
        train, test = D.split(data, test_fraction=fraction, seed=0)
    except ValueError as error:
        message = str(error)
        n_test = round(n * fraction)
        assert "\n" not in message
        assert message == (f"test_fraction {fraction:g} of {n} rows leaves {n - n_test} training and "
                           f"{n_test} test rows: give a fraction from 1/{n} to {n - 1}/{n}")
        assert n_test in (0, n)
        return
    assert len(train) >= 1 and len(test) >= 1 and len(train) + len(test) == n
    D.standardise(train, test)  # statistics of the training rows: never of no rows
    assert sorted(np.concatenate([train.X[:, 0], test.X[:, 0]])) == list(np.arange(0.0, 2 * n, 2))


@pytest.mark.filterwarnings("error::RuntimeWarning", "error::UserWarning")
def test_a_fraction_that_takes_every_row_is_refused_before_the_mean_of_nothing() -> None:
    with pytest.raises(ValueError, match=r"^test_fraction 0.9999 of 150 rows leaves 0 training and 150 test "
                       r"rows: give a fraction from 1/150 to 149/150$"):
        D.split(D.iris(), test_fraction=0.9999)
    with pytest.raises(ValueError, match="leaves 150 training and 0 test rows"):
        D.split(D.iris(), test_fraction=0.001)
