"""The loss history's CSV costs time in proportion to its records, whatever layers they name."""

from __future__ import annotations

import csv
import io
import time

from hypothesis import given, settings, strategies as st

from graphviz_nn.io.history_csv import history_csv, layer_names
from graphviz_nn.nn import EpochRecord

NETWORK = ("layer 1", "layer 2")


def _odd_history(n: int) -> list[EpochRecord]:
    """A history whose every record also names a layer no other record names (a damaged or
    crafted session file): the case that made the table quadratic."""
    return [EpochRecord(i, 1.0 / i, None, None, None, (("layer 1", 0.5), ("layer 2", 0.25), (f"odd {i}", 1.0)), i * 0.01)
            for i in range(1, n + 1)]


def _cpu(work) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return max(best, 1e-4)


def test_the_table_grows_linearly_with_the_records() -> None:
    small, large = _odd_history(2000), _odd_history(8000)
    ratio = _cpu(lambda: history_csv(large, NETWORK)) / _cpu(lambda: history_csv(small, NETWORK))
    # Four times the records: 4 when linear, 16 when each record adds a column (it did).
    assert ratio < 8, ratio


def test_the_layers_are_gathered_in_one_pass() -> None:
    small, large = _odd_history(4000), _odd_history(16000)
    ratio = _cpu(lambda: layer_names(large)) / _cpu(lambda: layer_names(small))
    assert ratio < 8, ratio
    assert layer_names(small)[:3] == ["layer 1", "layer 2", "odd 1"] and len(layer_names(small)) == 4002


records = st.builds(
    EpochRecord, st.integers(1, 10**6), st.floats(allow_nan=False), st.none() | st.floats(allow_nan=False),
    st.none() | st.floats(0, 1), st.none() | st.floats(0, 1),
    st.lists(st.tuples(st.sampled_from(["layer 1", "layer 2", "other"]), st.floats(0, 1e6)), max_size=3)
    .map(tuple), st.floats(0, 1e6))


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=20))
def test_the_network_layers_are_the_columns_and_every_number_reads_back(history) -> None:
    rows = list(csv.DictReader(io.StringIO(history_csv(history, NETWORK))))
    assert len(rows) == len(history)
    assert list(rows[0])[6:] == [f"grad_norm:{name}" for name in NETWORK]
    for row, record in zip(rows, history):
        assert float(row["train_loss"]) == record.train_loss
        norms = dict(record.gradient_norms)
        for name in NETWORK:
            cell = row[f"grad_norm:{name}"]
            assert (cell == "") if name not in norms else float(cell) == norms[name]
