"""A dataset file a session names: found beside the session, read only when asked, and a read
that never ends is stopped by its deadline or by Cancel."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from graphviz_nn.io import load_session, save_session
from graphviz_nn.nn.datasets import BUILTIN, DatasetError
from graphviz_nn.session import named_dataset
from graphviz_nn.session.document import capture, reopen
from graphviz_nn.session.named_dataset import ReadStopped, dataset_path, read_named, resolve
from graphviz_nn.session.training import TrainingRun, defaults_for


def write_rows(path: Path, seed: int, features: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, features))
    header = ",".join(f"f{i}" for i in range(features)) + ",label"
    lines = [header] + [",".join(f"{v:.4f}" for v in row) + f",{int(row.sum() > 0)}" for row in X]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def session_naming(folder: Path, name: str = "measurements.csv") -> tuple[Path, TrainingRun]:
    """A trained session in ``folder`` that names its CSV by a relative path and carries no
    copy of its rows (a dataset too large to carry, or a file made by hand)."""
    csv = write_rows(folder / name, seed=1)
    run = TrainingRun.create(dataclasses.replace(defaults_for("iris"), dataset=str(csv)))
    run.history.extend(run.trainer.fit(run.train, run.test, 2))
    run.show_rows()
    state = capture(run.built(), "trained", run=run)
    state = dataclasses.replace(state, training=dataclasses.replace(state.training, dataset=name), dataset=name,
                                embedded_dataset=None)
    return save_session(folder / "lecture.gnn", state), run


@hsettings(max_examples=50, deadline=None)
@given(st.lists(st.text("abc.-_ ", min_size=1, max_size=6).filter(lambda p: p not in (".", "..")), min_size=1,
                max_size=3))
def test_a_relative_name_is_the_session_folders(parts) -> None:
    folder = Path("/data/lectures").resolve()
    name = "/".join(parts)
    if name in BUILTIN:
        return
    assert resolve(name, folder) == folder / name
    assert resolve(str(folder / name), Path("/elsewhere")) == folder / name


def test_only_a_network_without_its_rows_names_a_file(tmp_path) -> None:
    path, _ = session_naming(tmp_path / "lecture")
    state = load_session(path)
    assert dataset_path(state, path.parent) == tmp_path / "lecture" / "measurements.csv"
    assert dataset_path(dataclasses.replace(state, training=None), path.parent) is None
    xor = dataclasses.replace(state, training=dataclasses.replace(state.training, dataset="xor"))
    assert dataset_path(xor, path.parent) is None


def test_reopening_never_reads_a_path_itself(tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    monkeypatch.chdir(path.parent)  # the file is even in the working folder
    again = reopen(load_session(path))
    assert again.run is None and "measurements.csv was not read" in again.problem
    assert len(again.built.graph) == len(run.network.graph)  # the saved graph is shown


def test_the_rows_read_after_asking_rebuild_the_run_on_the_sessions_file(tmp_path, monkeypatch) -> None:
    path, run = session_naming(tmp_path / "lecture")
    write_rows(tmp_path / "elsewhere" / "measurements.csv", seed=2, features=5)
    monkeypatch.chdir(tmp_path / "elsewhere")
    state = load_session(path)
    wanted = dataset_path(state, path.parent)
    again = reopen(state, read_named(wanted, threading.Event()), path.parent)
    assert again.problem is None and again.run is not None
    np.testing.assert_array_equal(again.run.data.X, run.data.X)
    assert again.run.settings.dataset == str(wanted)  # training on names the file, not a relative path


def _never_ending(monkeypatch) -> threading.Event:
    release = threading.Event()

    def read_csv(path, **kwargs):
        release.wait(30)
        raise DatasetError(f"{path}: released")

    monkeypatch.setattr(named_dataset, "read_csv", read_csv)
    return release


def test_cancel_stops_a_read_that_never_ends(tmp_path, monkeypatch) -> None:
    release = _never_ending(monkeypatch)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with pytest.raises(ReadStopped, match="cancelled"):
        read_named(tmp_path / "slow.csv", stop)
    assert time.monotonic() - started < 5
    release.set()


def test_the_deadline_stops_a_read_that_never_ends(tmp_path, monkeypatch) -> None:
    release = _never_ending(monkeypatch)
    with pytest.raises(DatasetError, match="took more than"):
        read_named(tmp_path / "slow.csv", threading.Event(), seconds=0.2)
    release.set()


def test_a_file_that_is_not_a_dataset_is_one_error(tmp_path) -> None:
    with pytest.raises(DatasetError):
        read_named(tmp_path / "missing.csv", threading.Event())
    with pytest.raises(DatasetError):
        read_named(tmp_path, threading.Event())  # a folder
