"""What ``graphviz-nn train`` prints of a run, a dense network's or a spec model's alike: a
line an epoch (or its JSON record), and the final line."""

from __future__ import annotations

import json

from ..io.records import record_to_json
from ..nn.trainer import EpochRecord


def percent(value: float | None) -> str:
    """An accuracy as "97.8 %", or "-" where there is none (a regression)."""
    return "-" if value is None else f"{100 * value:.1f} %"


def print_epoch(record: EpochRecord, as_json: bool) -> None:
    """One epoch's line, or its JSON record."""
    if as_json:
        print(json.dumps(record_to_json(record)), flush=True)
    else:
        print(f"epoch {record.epoch}: train loss {record.train_loss:.6g}, "
              f"train accuracy {percent(record.train_accuracy)}, "
              f"test accuracy {percent(record.test_accuracy)}", flush=True)


def print_final(last: EpochRecord, as_json: bool) -> None:
    """The last epoch as the run's result: its JSON record marked final, or a line."""
    if as_json:
        final = record_to_json(last)
        final["final"] = True
        print(json.dumps(final))
    else:
        test_loss = "-" if last.test_loss is None else f"{last.test_loss:.6g}"
        print(f"final: train loss {last.train_loss:.6g}, test loss {test_loss}, "
              f"train accuracy {percent(last.train_accuracy)}, "
              f"test accuracy {percent(last.test_accuracy)}, {last.seconds:.2f} s")
