"""Runs with AdamW and RMSprop, chosen by name in the settings, save mid-run to a session file and
go on from it exactly as if never stopped (their state passing to the training child is
tests/session/test_training_process.py's, with every optimiser)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn.io import load_session, save_session
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.training import TrainingRun, defaults_for


def _plain(records):
    return [r._replace(seconds=0.0) for r in records]


@pytest.mark.parametrize("optimiser", ["adamw", "rmsprop"])
def test_a_run_saved_mid_way_goes_on_exactly(optimiser: str, tmp_path: Path) -> None:
    settings = dataclasses.replace(defaults_for("moons"), optimiser=optimiser, batch_size=32, weight_decay=0.01)
    straight = TrainingRun.create(settings)
    expected = list(straight.trainer.fit(straight.train, straight.test, 8))
    run = TrainingRun.create(settings)
    run.history.extend(run.trainer.fit(run.train, run.test, 3))
    run.show_rows()
    again = reopen(load_session(save_session(tmp_path / f"{optimiser}.gnn", capture(run.built(), "moons", run=run))))
    assert again.problem is None and type(again.run.trainer.optimiser) is type(straight.trainer.optimiser)
    later = list(again.run.trainer.fit(again.run.train, again.run.test, 5))
    assert _plain(later) == _plain(expected[3:])
    for got, want in zip(again.run.network.parameters, straight.network.parameters):
        np.testing.assert_array_equal(got.value, want.value)
