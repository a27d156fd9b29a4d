"""Tables as European spreadsheets save them (semicolons or tabs between cells, decimal
commas) read as the same numbers as the same tables written with points and commas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from graphviz_nn.nn import datasets as D
from graphviz_nn.nn.datasets import source

numbers = st.one_of(
    st.integers(-10**6, 10**6).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.floats(-1e-3, 1e-3, allow_nan=False, allow_subnormal=False),
)


@st.composite
def tables(draw) -> tuple[np.ndarray, np.ndarray]:
    columns = draw(st.integers(1, 5))
    rows = draw(st.integers(2, 40))
    X = np.array(draw(st.lists(st.lists(numbers, min_size=columns, max_size=columns),
                               min_size=rows, max_size=rows)))
    y = np.array(draw(st.lists(st.integers(0, 3), min_size=rows - 2, max_size=rows - 2)) + [0, 1])
    return X, y


def _write(path: Path, X: np.ndarray, y: np.ndarray, sep: str, comma: bool, quoted: bool, end: str) -> Path:
    def cell(v: float) -> str:
        text = repr(float(v)).replace(".", ",") if comma else repr(float(v))
        return f'"{text}"' if quoted else text
    lines = [sep.join([*(f"x{k}" for k in range(X.shape[1])), "label"])]
    lines += [sep.join([*(cell(v) for v in row), str(label)]) for row, label in zip(X, y)]
    path.write_text(end.join(lines) + end, encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables(), sep=st.sampled_from([";", "\t"]), quoted=st.booleans(), end=st.sampled_from(["\n", "\r\n"]),
       chunk=st.sampled_from([7, 64, 2**16]))
def test_both_ways_of_writing_a_table_read_the_same(tmp_path, monkeypatch, table, sep, quoted, end, chunk) -> None:
    monkeypatch.setattr(source, "CHUNK_BYTES", chunk)
    X, y = table
    points = D.read_csv(_write(tmp_path / "points.csv", X, y, ",", False, False, "\n"))
    commas = D.read_csv(_write(tmp_path / "commas.csv", X, y, sep, True, quoted, end))
    np.testing.assert_array_equal(points.X, X)
    np.testing.assert_array_equal(commas.X, X)
    np.testing.assert_array_equal(commas.y, points.y)
    written_with_commas = any("," in repr(float(v)).replace(".", ",") for v in X.ravel())
    assert ("numbers written with decimal commas" in commas.notes) == written_with_commas


def test_whole_numbers_first_then_decimal_commas_deep_in_the_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(source, "CHUNK_BYTES", 64)
    rows = [f"{i};{i % 2}" for i in range(500)] + ["2,75;1", "-0,5;0"]
    data = D.read_csv(_write_text(tmp_path / "late.csv", "a;label\n" + "\n".join(rows) + "\n"))
    np.testing.assert_array_equal(data.X[-3:, 0], [499, 2.75, -0.5])


@pytest.mark.parametrize("cell", ["1.234,5", "1,234.5"])
def test_thousands_separators_are_no_number(tmp_path, cell) -> None:
    with pytest.raises(D.DatasetError, match=rf"line 3, column 1 \('a'\): '{cell}' "):
        D.read_csv(_write_text(tmp_path / "t.csv", f"a;label\n2,5;0\n{cell};1\n"))


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
