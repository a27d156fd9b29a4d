"""CSV files as people have them: other separators, quotes, marks, odd sizes and odd values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn import datasets as D
from graphviz_nn.nn.datasets import csv_file

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str, name: str = "data.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_a_spreadsheets_semicolons_with_a_byte_order_mark(tmp_path) -> None:
    path = _write(tmp_path, "height;width;label\r\n2.5;3;1\r\n1.0;2;0\r\n3.5;1;1\r\n", bom=True)
    data = D.read_csv(path)
    assert data.feature_names == ("height", "width")
    np.testing.assert_array_equal(data.X, [[2.5, 3], [1, 2], [3.5, 1]])
    np.testing.assert_array_equal(data.y, [1, 0, 1])
    assert "columns separated by semicolons" in data.notes


def test_tab_separated(tmp_path) -> None:
    data = D.read_csv(_write(tmp_path, "a\tb\tlabel\n1\t2\t0\n3\t4\t1\n"))
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4]])
    assert "columns separated by tabs" in data.notes
    assert "columns separated by commas" in D.read_csv(_write(tmp_path, "a,b\n1,0\n2,1\n", "c.csv")).notes


def test_quoted_fields_may_hold_line_breaks_and_lines_are_counted_across_them(tmp_path) -> None:
    path = _write(tmp_path, '"height\n(cm)","label"\n"1.5",0\n\n2.5,1\n')
    data = D.read_csv(path)
    assert data.feature_names == ("height\n(cm)",)
    np.testing.assert_array_equal(data.X[:, 0], [1.5, 2.5])  # the blank line is no row
    bad = _write(tmp_path, '"height\n(cm)",label\n1.5,0\n2.5,x\n', "bad.csv")
    with pytest.raises(D.DatasetError, match=r"line 4, column 2 \('label'\): 'x' is not a number"):
        D.read_csv(bad)


def test_decimal_commas_are_read_and_a_mixture_is_named(tmp_path) -> None:
    data = D.read_csv(_write(tmp_path, "a;b;label\n1,5;2,25;0\n-0,5;3;1\n"))
    np.testing.assert_array_equal(data.X, [[1.5, 2.25], [-0.5, 3]])
    assert "numbers written with decimal commas" in data.notes
    with pytest.raises(D.DatasetError, match=r"line 3, column 1 \('a'\): '2,5' is not a number "
                       r"\(a decimal comma, the numbers before it decimal points\? write 2.5\)"):
        D.read_csv(_write(tmp_path, "a;label\n1.5;0\n2,5;1\n", "points.csv"))
    with pytest.raises(D.DatasetError, match=r"line 3, column 1 \('a'\): '2.5' has a decimal point"):
        D.read_csv(_write(tmp_path, "a;label\n1,5;0\n2.5;1\n", "commas.csv"))


def test_a_single_row_of_data_is_refused(tmp_path) -> None:
    with pytest.raises(D.DatasetError, match="at least two rows of data .* found 1"):
        D.read_csv(_write(tmp_path, "a,b\n1,0\n"))
    one = D.iris().rows(slice(0, 1))
    with pytest.raises(ValueError, match="has 1 row: splitting needs at least 2"):
        D.split(one, test_fraction=0.3)


def test_a_target_with_one_value_is_refused(tmp_path) -> None:
    with pytest.raises(D.DatasetError, match=r"the target column 'label' is 1 in every row: there is "
                       "nothing to learn"):
        D.read_csv(_write(tmp_path, "a,label\n1,1\n2,1\n3,1\n"))


@pytest.mark.parametrize("quote", ['"', ""])
def test_a_field_over_128_kib_is_a_clear_error(tmp_path, quote) -> None:
    huge = quote + "1" * 200_000 + quote
    path = _write(tmp_path, f"a,b\n1,0\n{huge},1\n")
    with pytest.raises(D.DatasetError, match=r"line 3.*a field longer than 128 KiB"):
        D.read_csv(path)


@pytest.mark.parametrize("cell", ["1e308", "-2.5e150", "inf"])
def test_huge_values_are_refused_by_line_and_column(tmp_path, cell) -> None:
    path = _write(tmp_path, f"a,b,label\n1,2,0\n3,{cell},1\n")
    with pytest.raises(D.DatasetError, match=rf"line 3, column 2 \('b'\): '{cell}' is "):
        D.read_csv(path)


def test_values_up_to_the_bound_are_read(tmp_path) -> None:
    data = D.read_csv(_write(tmp_path, "a,label\n1e100,0\n-1e100,1\n"))
    np.testing.assert_array_equal(data.X[:, 0], [1e100, -1e100])


def test_many_distinct_whole_numbers_are_a_number_to_predict(tmp_path) -> None:
    rng = np.random.default_rng(0)
    prices = rng.integers(10_000, 500_000, 1000)
    rows = "\n".join(f"{i},{p}" for i, p in enumerate(prices))
    data = D.read_csv(_write(tmp_path, "rooms,price\n" + rows + "\n"))
    assert not data.is_classification and data.y.dtype == np.float64
    np.testing.assert_array_equal(data.y, prices)
    assert any("more than 20: read as a number to predict (regression)" in note for note in data.notes)
    few = D.read_csv(_write(tmp_path, "x,year\n" + "\n".join(f"{i},{2000 + i % 20}" for i in range(100)),
                            "years.csv"))
    assert few.n_classes == 20


def test_the_fast_and_the_careful_reading_agree(tmp_path) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3)) * 10.0 ** rng.integers(-5, 5, (500, 3))
    rows = [",".join(repr(float(v)) for v in row) + f",{k % 3}" for k, row in enumerate(X)]
    plain = D.read_csv(_write(tmp_path, "a,b,c,label\n" + "\n".join(rows) + "\n", "plain.csv"))
    quoted = D.read_csv(_write(tmp_path, '"a",b,c,label\n' + "\n".join(rows) + "\n", "quoted.csv"))
    np.testing.assert_array_equal(plain.X, X)
    np.testing.assert_array_equal(quoted.X, X)
    np.testing.assert_array_equal(plain.y, quoted.y)


def test_a_bad_cell_deep_in_a_large_file_is_named(tmp_path) -> None:
    lines = [f"{i},{i % 2}" for i in range(50_000)]
    lines[41_234] = "12,?"
    path = _write(tmp_path, "a,label\n" + "\n".join(lines) + "\n")
    with pytest.raises(D.DatasetError, match=r"line 41236, column 2 \('label'\): '\?' is not a number"):
        D.read_csv(path)


def test_a_folder_is_not_read(tmp_path) -> None:
    with pytest.raises(D.DatasetError, match="not a regular file but a folder"):
        D.read_csv(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code = ("from graphviz_nn.nn.datasets import read_csv, DatasetError\n"
            f"try:\n    read_csv({str(fifo)!r})\nexcept DatasetError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert "not a regular file but a named pipe" in done.stdout, done.stderr


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(csv_file, "MAX_BYTES", 1000)
    path = _write(tmp_path, "a,label\n" + "1,0\n" * 500)
    with pytest.raises(D.DatasetError, match=r"2\.0 KiB, more than the 1000 bytes a dataset file may have"):
        D.read_csv(path)


def test_a_preview_is_bounded_deterministic_and_in_file_order() -> None:
    rng = np.random.default_rng(2)
    n = 100_000
    data = D.Dataset("big", rng.normal(size=(n, 2)), rng.integers(0, 3, n), ("x1", "x2"), ("a", "b", "c"))
    first, again = D.preview(data, limit=500), D.preview(data, limit=500)
    assert len(first) == 500 and first.class_names == data.class_names
    np.testing.assert_array_equal(first.X, again.X)
    rows = np.flatnonzero(np.isin(data.X[:, 0], first.X[:, 0]))
    np.testing.assert_array_equal(data.X[rows], first.X)  # a subset, in the file's order
    assert first.notes[-1] == "preview: 500 of 100,000 rows"
    assert D.preview(D.iris(), limit=500) is not None and len(D.preview(D.iris(), limit=500)) == 150
    assert not np.array_equal(D.preview(data, limit=500, seed=1).X, first.X)
