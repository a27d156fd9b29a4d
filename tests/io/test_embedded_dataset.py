"""A session can carry its dataset, so that it reopens where the dataset's path does not exist."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.io import can_embed, session_schema
from graphviz_nn.io.session_file import (ARRAYS_MEMBER, DATASET_ARRAYS, JSON_MEMBER, MAX_DATASET_BYTES, SessionError,
                                         SessionState, load_session, save_session)
from graphviz_nn.nn.datasets import Dataset, digits, iris


def _graph() -> gn.Graph:
    return gn.Graph(gn.parse("x1 * x2", x1=0.5, x2=2.0).output)


def _regression() -> Dataset:
    rng = np.random.default_rng(1)
    return Dataset("C:/lecture/heights.csv", rng.normal(size=(7, 2)), rng.normal(size=7), ("age", "weight"),
                   source="measured in class — ünïcode")


def assert_same_dataset(a: Dataset, b: Dataset) -> None:
    assert (a.name, a.feature_names, a.class_names, a.image_shape, a.source) == \
        (b.name, b.feature_names, b.class_names, b.image_shape, b.source)
    for x, y in ((a.X, b.X), (a.y, b.y)):
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)


@pytest.mark.parametrize("make", [iris, digits, _regression])
def test_an_embedded_dataset_round_trips_exactly(tmp_path: Path, make) -> None:
    data = make()
    path = save_session(tmp_path / "with.gnn", SessionState(_graph(), None, dataset="/gone/data.csv",
                                                            embedded_dataset=data))
    loaded = load_session(path)
    assert loaded.dataset == "/gone/data.csv"
    assert_same_dataset(data, loaded.embedded_dataset)


def test_files_without_an_embedded_dataset_still_open(tmp_path: Path) -> None:
    path = save_session(tmp_path / "plain.gnn", SessionState(_graph(), None, dataset="iris"))
    with zipfile.ZipFile(path) as archive:
        assert "embedded_dataset" not in json.loads(archive.read(JSON_MEMBER)), "the format of older files"
    assert load_session(path).embedded_dataset is None


def test_saving_a_dataset_larger_than_the_limit_says_so(tmp_path: Path, monkeypatch) -> None:
    data = iris()
    assert can_embed(data)
    monkeypatch.setattr(session_schema, "MAX_DATASET_BYTES", 1000)
    assert not can_embed(data)
    with pytest.raises(ValueError, match=re.escape("more than the 1000 a session file embeds; save without it "
                                                   "(embedded_dataset=None)")):
        save_session(tmp_path / "big.gnn", SessionState(_graph(), None, embedded_dataset=data))
    assert not list(tmp_path.iterdir())
    assert MAX_DATASET_BYTES == 64 * 2**20


def _crafted(tmp_path: Path, change_document=None, **arrays: np.ndarray) -> Path:
    """A valid session embedding iris, with its document or its dataset arrays replaced."""
    path = save_session(tmp_path / "good.gnn", SessionState(_graph(), None, embedded_dataset=iris()))
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read(JSON_MEMBER))
        npz = zipfile.ZipFile(io.BytesIO(archive.read(ARRAYS_MEMBER)))
    if change_document:
        change_document(document["embedded_dataset"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in npz.namelist():
            key = name[:-4]
            if key in arrays:
                member = io.BytesIO()
                np.save(member, arrays.pop(key), allow_pickle=True)
                out.writestr(name, member.getvalue())
            else:
                out.writestr(name, npz.read(name))
    crafted = tmp_path / "crafted.gnn"
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(JSON_MEMBER, json.dumps(document))
        out.writestr(ARRAYS_MEMBER, buffer.getvalue())
    return crafted


X, Y = DATASET_ARRAYS


@pytest.mark.parametrize("change, arrays, phrase", [
    (None, {X: np.zeros(150)}, "features must be (rows, features) and its targets (rows,)"),
    (None, {Y: np.zeros(149, dtype=np.int64)}, "found (150, 4) and (149,)"),
    (None, {Y: np.full(150, 3)}, "targets must be class indices 0..2"),
    (None, {Y: np.zeros(150)}, "targets must be class indices 0..2, found float64"),
    (None, {X: np.array([None] * 600, dtype=object).reshape(150, 4)}, "holds Python objects"),
    (None, {X: np.zeros((150, 4), dtype=complex)}, "must be real numbers"),
    (lambda d: d.update(name=None), {}, "embedded_dataset.name must be text"),
    (lambda d: d.update(source="s" * 40_000), {}, "embedded_dataset.source is 40000 characters long"),
    (lambda d: d.update(feature_names=["f" * 5000] * 4), {}, "feature_names[0] is 5000 characters long"),
    (lambda d: d.update(image_shape=[3, 3]), {}, "image_shape (3, 3) does not fit rows of 4 features"),
    (lambda d: d.pop("class_names"), {}, "embedded_dataset has no 'class_names'"),
])
def test_a_damaged_embedded_dataset_is_refused(tmp_path: Path, change, arrays, phrase) -> None:
    path = _crafted(tmp_path, change, **arrays)
    with pytest.raises(SessionError) as caught:
        load_session(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert phrase in message, message


def test_a_dataset_declaring_more_than_the_limit_is_refused_before_allocation(tmp_path: Path, monkeypatch) -> None:
    path = _crafted(tmp_path)
    monkeypatch.setattr(session_schema, "MAX_DATASET_BYTES", 4000)
    with pytest.raises(SessionError, match=re.escape("dataset-X.npy holds 4800 bytes for the embedded dataset's "
                                                     "features, more than the limit of 4000")):
        load_session(path)
