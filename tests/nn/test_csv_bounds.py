"""Reading any CSV costs at most 4 times its size in memory plus a small constant (the
numbers themselves take up to that: 8 bytes for a cell of 2) and a little per column (at
most 10,000), and a header too wide is refused before it is split."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from graphviz_nn.nn import datasets as D
from graphviz_nn.nn.datasets import csv_text, source
from tests.memory import traced_peak

# What a piece costs to parse is the constant: a few hundred KiB for pieces of 8 KiB, about
# 1.2 MiB for the 64 KiB the reader takes.
CONSTANT = {2**13: 512 * 2**10, source.CHUNK_BYTES: 3 * 2**19}
# A column's name as a Python string, twice (the header and the features), and a cell of
# a row read cell by cell: about 200 bytes.
PER_COLUMN = 256


@st.composite
def tables(draw) -> dict:
    shape = draw(st.sampled_from(["long", "wide", "square"]))
    rows, columns = {
        "long": (draw(st.integers(2_000, 30_000)), draw(st.integers(2, 4))),
        "wide": (draw(st.integers(2, 30)), draw(st.integers(500, csv_text.MAX_COLUMNS))),
        "square": (draw(st.integers(20, 400)), draw(st.integers(5, 60))),
    }[shape]
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return dict(rows=rows, columns=columns, sep=sep, cells=draw(st.sampled_from(["digit", "decimal", "mixed"])),
                comma=sep != "," and draw(st.booleans()), quoted=draw(st.booleans()), bom=draw(st.booleans()),
                crlf=draw(st.booleans()), ragged=draw(st.booleans()), blank=draw(st.booleans()),
                seed=draw(st.integers(0, 2**32 - 1)), chunk=draw(st.sampled_from(sorted(CONSTANT))))


def write(path: Path, t: dict) -> Path:
    rng = np.random.default_rng(t["seed"])
    rows, columns, sep = t["rows"], t["columns"], t["sep"]
    cells = rng.integers(0, 10, (rows, columns)).astype(str).astype(object)
    if t["cells"] != "digit":
        decimals = np.char.mod("%.4g", rng.normal(scale=100, size=(rows, columns))).astype(object)
        chosen = rng.random((rows, columns)) < (0.5 if t["cells"] == "mixed" else 1.0)
        cells[chosen] = decimals[chosen]
        cells[:, -1] = rng.integers(0, 3, rows).astype(str)
    if t["comma"]:
        cells = np.vectorize(lambda c: c.replace(".", ","), otypes=[object])(cells)
    if t["quoted"]:
        cells[:, 0] = '"' + cells[:, 0] + '"'
    lines = [sep.join(f'"c {k}"' if t["quoted"] else f"c{k}" for k in range(columns))]
    lines += [sep.join(row) for row in cells]
    if t["ragged"]:
        k = 1 + int(rng.integers(0, rows))
        lines[k] = lines[k].rsplit(sep, 1)[0]
    if t["blank"]:
        lines[1 + int(rng.integers(0, rows)):1] = [""] * 3
    end = "\r\n" if t["crlf"] else "\n"
    path.write_bytes((b"\xef\xbb\xbf" if t["bom"] else b"") + (end.join(lines) + end).encode("utf-8"))
    return path


@pytest.mark.filterwarnings("error::RuntimeWarning", "error::UserWarning")  # numpy's warnings never reach the user
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=tables())
def test_reading_any_csv_costs_at_most_four_times_its_size(tmp_path, monkeypatch, t) -> None:
    monkeypatch.setattr(source, "CHUNK_BYTES", t["chunk"])
    path = write(tmp_path / "table.csv", t)
    size = path.stat().st_size
    D.iris()  # the reader's imports and caches, before measuring

    def read():
        try:
            return D.read_csv(path)
        except D.DatasetError as error:
            return error
    result, peak = traced_peak(read)
    allowed = 4 * size + PER_COLUMN * t["columns"] + CONSTANT[t["chunk"]]
    assert peak <= allowed, f"{peak:,} bytes for a file of {size:,} ({peak / size:.2f}x): {t}"
    if t["ragged"]:
        assert isinstance(result, D.DatasetError) and "the header has" in str(result)
    elif isinstance(result, D.DatasetError):  # a target drawn the same in every row
        assert "in every row" in str(result)
    else:
        assert len(result) == t["rows"] and result.n_features == t["columns"] - 1


def test_a_header_of_millions_of_columns_is_refused_before_it_is_split(tmp_path) -> None:
    path = tmp_path / "wide.csv"
    columns = 1_000_000
    with open(path, "w", encoding="utf-8") as file:
        file.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        file.write(",".join(["1"] * columns) + "\n" + ",".join(["0"] * columns) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(D.DatasetError, match=r"wide.csv: the header has at least [\d,]+ columns, more "
                           r"than the 10,000 a dataset may have: keep the columns you need"):
            D.read_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 10, f"{peak:,} bytes to refuse a file of {size:,}"


def test_the_widest_header_allowed_is_read(tmp_path) -> None:
    columns = csv_text.MAX_COLUMNS
    path = tmp_path / "widest.csv"
    path.write_text(",".join(f"c{i}" for i in range(columns)) + "\n"
                    + ",".join(["1"] * (columns - 1) + ["0"]) + "\n" + ",".join(["2"] * (columns - 1) + ["1"]) + "\n")
    data = D.read_csv(path)
    assert data.n_features == columns - 1 and data.feature_names[-1] == f"c{columns - 2}"
    (tmp_path / "wider.csv").write_text(",".join(f"c{i}" for i in range(columns + 1)) + "\n1\n")
    with pytest.raises(D.DatasetError, match=r"the header has 10,001 columns, more than the 10,000"):
        D.read_csv(tmp_path / "wider.csv")


def test_a_row_far_wider_than_the_header_is_refused_by_its_line(tmp_path) -> None:
    path = tmp_path / "row.csv"
    path.write_text("a,label\n1,0\n2,1\n" + ",".join(["0"] * 400_000) + "\n")
    result, peak = traced_peak(lambda: pytest.raises(D.DatasetError, D.read_csv, path))
    assert "line 4: more than 2 values, the header has 2" in str(result.value)
    assert peak <= 4 * path.stat().st_size + CONSTANT[source.CHUNK_BYTES]
