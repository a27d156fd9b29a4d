"""The loss history as CSV: read back, every number exact, missing values empty."""

from __future__ import annotations

import csv

import pytest

from graphviz_nn.io import export_history
from graphviz_nn.nn import EpochRecord
from graphviz_nn.session.training import TrainingRun, defaults_for


def test_a_real_history_reads_back_exactly(tmp_path) -> None:
    run = TrainingRun.create(defaults_for("iris"))
    history = list(run.trainer.fit(run.train, run.test, 4))
    path = export_history(history, tmp_path / "loss.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    layers = [name for name, _ in history[0].gradient_norms]
    assert list(rows[0]) == ["epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "seconds"] \
        + [f"grad_norm:{n}" for n in layers]
    for row, record in zip(rows, history):
        assert int(row["epoch"]) == record.epoch
        assert float(row["train_loss"]) == record.train_loss
        assert float(row["test_accuracy"]) == record.test_accuracy
        for name, norm in record.gradient_norms:
            assert float(row[f"grad_norm:{name}"]) == norm


def test_missing_values_are_empty_cells_and_layers_may_differ(tmp_path) -> None:
    history = [EpochRecord(1, 0.5, None, None, None, (("a", 1.0),), 0.1),
               EpochRecord(2, float("nan"), 0.25, 0.5, 1.0, (("b", 2.0),), 0.2)]
    text = export_history(history, tmp_path / "h.csv").read_text()
    assert text.splitlines() == [
        "epoch,train_loss,test_loss,train_accuracy,test_accuracy,seconds,grad_norm:a,grad_norm:b",
        "1,0.5,,,,0.1,1.0,",
        "2,nan,0.25,0.5,1.0,0.2,,2.0",
    ]


def test_an_empty_history_is_refused_and_writes_nothing(tmp_path) -> None:
    with pytest.raises(ValueError, match="no training history"):
        export_history([], tmp_path / "none.csv")
    assert not (tmp_path / "none.csv").exists()
