"""Hostile op records in session files: parameters outside the op's schema and graphs whose
recomputation would cost without bound are refused before anything is computed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.io.session_file import ARRAYS_MEMBER, JSON_MEMBER, SessionState, save_session

from .test_session_limits import _refused


def _saved(tmp_path: Path, output: gn.Node) -> tuple[dict, dict[str, bytes]]:
    path = save_session(tmp_path / "good.gnn", SessionState(gn.Graph(output), None, title="t"))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(members[JSON_MEMBER]), members


def _with(tmp_path: Path, document: dict, members: dict[str, bytes], arrays: dict | None = None) -> Path:
    path = tmp_path / "bad.gnn"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_MEMBER, json.dumps(document))
        if arrays is None:
            archive.writestr(ARRAYS_MEMBER, members[ARRAYS_MEMBER])
        else:
            import io

            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            archive.writestr(ARRAYS_MEMBER, buffer.getvalue())
    return path


def _function(document: dict, op: str) -> dict:
    return next(n for n in document["graph"]["nodes"] if n.get("op") == op)


@pytest.mark.parametrize("params, phrase", [
    ({"dtype": "O"}, "dtype"),  # Python big integers: 10**(10**9) never returned
    ({"out": None}, "out"),
    ({"where": False}, "where"),  # uninitialised memory shown as values
    ({"casting": "unsafe"}, "casting"),
])
def test_numpy_keywords_are_never_op_parameters(tmp_path: Path, params, phrase) -> None:
    x = gn.Variable(np.array([10.0, 10.0]), "x")
    document, members = _saved(tmp_path, x ** gn.Constant(3.0, "k"))
    _function(document, "pow")["params"] = params
    message = _refused(_with(tmp_path, document, members), phrase)
    assert "pow" in message


def test_a_parameter_of_the_wrong_type_or_range_names_op_and_parameter(tmp_path: Path) -> None:
    x = gn.Variable(np.ones((2, 3)), "x")
    document, members = _saved(tmp_path, gn.sum(x, axis=1))
    _function(document, "sum")["params"]["axis"] = 7
    assert "axis" in _refused(_with(tmp_path, document, members), "sum")


def test_an_allowed_size_that_costs_minutes_is_refused_before_computing(tmp_path: Path) -> None:
    """Leaves of 2048 x 8192 and 8192 x 2048 bytes are within the size limits (and the memory a
    small file may ask for); their matmul is 6.9e10 flops (a few seconds of CPU)."""
    a = gn.Variable(np.ones((2, 2), dtype=np.uint8), "a")
    b = gn.Variable(np.ones((2, 2), dtype=np.uint8), "b")
    document, members = _saved(tmp_path, a @ b)
    for node, shape in zip(document["graph"]["nodes"][:2], ([2048, 8192], [8192, 2048])):
        node["shape"], node["dtype"] = shape, "|u1"
    arrays = {"n0": np.zeros((2048, 8192), np.uint8), "n1": np.zeros((8192, 2048), np.uint8)}
    _refused(_with(tmp_path, document, members, arrays), "units of work", most_bytes=400 * 2**20)


def test_a_leaf_of_more_than_32_dimensions_is_refused_in_one_line(tmp_path: Path) -> None:
    """numpy holds up to 64 dimensions but its ufuncs raise RuntimeError past 32."""
    x = gn.Variable(np.ones((1, 1, 1)), "x")
    document, members = _saved(tmp_path, gn.sin(x))
    document["graph"]["nodes"][0]["shape"] = [1] * 40
    message = _refused(_with(tmp_path, document, members, {"n0": np.ones((1,) * 40)}), "at most 32 dimensions")
    assert "sin" in message
