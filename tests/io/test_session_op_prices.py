"""A session file whose ops cost far more than their size says is refused, or opened, promptly:
gathered positions are read as one array and priced, and slow elementwise ops (erf, gelu)
are priced at what they cost, so the graph's budget stops them before they run."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.engine import ops
from graphviz_nn.io import session_schema
from graphviz_nn.io.session_file import ARRAYS_MEMBER, JSON_MEMBER, SessionError, SessionState, load_session, save_session

from .test_session_ops import _saved

MIB = 2**20


def _rewritten(tmp_path: Path, document: dict, members: dict[str, bytes], arrays: dict | None = None) -> Path:
    """The file again with the edited document (and, when given, these leaf arrays)."""
    if arrays is not None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        members = {**members, ARRAYS_MEMBER: buffer.getvalue()}
    path = tmp_path / "edited.gnn"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_MEMBER, json.dumps(document))
        for name, data in members.items():
            if name != JSON_MEMBER:
                archive.writestr(name, data)
    return path


def _opened(path: Path) -> tuple[object, float]:
    """What loading gives (the state, or the SessionError) and the process CPU time it took."""
    start = time.process_time()
    try:
        outcome: object = load_session(path)
    except SessionError as error:
        outcome = error
    return outcome, time.process_time() - start


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        _opened(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_two_million_gathered_positions_open_or_are_refused_promptly(tmp_path: Path, rng) -> None:
    """2 M positions deflate to a few kilobytes; beside 8 MB of other values (so that a file of
    its size may hold that many JSON values) they took 4.5 s and 253 MB as nested tuples."""
    x = gn.Variable(np.arange(6.0), "x")
    noise = gn.Constant(rng.standard_normal(2**20), "noise")  # incompressible
    document, members = _saved(tmp_path, gn.sum(ops.getitem(x, [5, 0])) + gn.sum(noise))
    gather = next(n for n in document["graph"]["nodes"] if n.get("op") == "getitem")
    positions = [0, 5, 1, 4] * 500_000
    gather["params"]["index"] = [positions]
    path = _rewritten(tmp_path, document, members)
    outcome, cpu = _opened(path)
    assert cpu < 2.0, f"opening took {cpu:.1f} s of CPU time"
    assert _peak(path) < 200 * MIB
    if isinstance(outcome, SessionError):
        assert "\n" not in str(outcome)
    else:
        expected = np.sum(x.value[positions]) + np.sum(noise.value)
        assert float(outcome.graph.outputs[0].value) == pytest.approx(expected, rel=1e-12)


def test_gathered_positions_survive_a_session_file_as_numbers(tmp_path: Path) -> None:
    x = gn.Variable(np.arange(12.0).reshape(4, 3), "x")
    f = ops.getitem(x, (np.array([[3, 0], [0, 2]]), slice(1, None)))
    document, _ = _saved(tmp_path, f)
    gather = next(n for n in document["graph"]["nodes"] if n.get("op") == "getitem")
    assert gather["params"]["index"] == [[[3, 0], [0, 2]], "1:"]
    loaded = load_session(save_session(tmp_path / "again.gnn", SessionState(gn.Graph(f), None))).graph
    np.testing.assert_array_equal(loaded.outputs[0].value, x.value[[[3, 0], [0, 2]], 1:])


@pytest.mark.parametrize("first, second", [(ops.erf, ops.gelu), (ops.gelu, ops.erf)])
def test_a_chain_of_erf_and_gelu_is_refused_by_its_price_before_it_runs(tmp_path: Path, monkeypatch,
                                                                        first, second) -> None:
    """Each costs about 120 ns an element (a Python call each). With the budget lowered to
    2**26 (0.07 s of work at a nanosecond a unit), the first of them over half a million
    elements is refused; priced at one flop an element, all 6 were computed (0.4 s)."""
    monkeypatch.setattr(session_schema, "MAX_FLOPS", 2**26)
    node: gn.Node = gn.Variable(np.full(4, 0.5), "x")
    for k in range(6):
        node = (first, second)[k % 2](node)
    document, members = _saved(tmp_path, node)
    document["graph"]["nodes"][0]["shape"] = [2**19]  # the leaf x, made big
    path = _rewritten(tmp_path, document, members, {"n0": np.full(2**19, 0.5)})
    outcome, cpu = _opened(path)
    assert isinstance(outcome, SessionError), "the chain was computed in full"
    assert "units of work" in str(outcome)
    assert "n1" in str(outcome) and cpu < 1.0, f"refused after {cpu:.1f} s of CPU time: {outcome}"


def test_a_float16_leaf_leaves_its_slowness_to_what_is_computed_from_it(tmp_path: Path, monkeypatch) -> None:
    """numpy adds float16 values at 8 ns an element, not 0.85: each add of the chain is priced
    16 times a float64 one, also where its inputs are other adds (planned, not yet computed)."""
    monkeypatch.setattr(session_schema, "MAX_FLOPS", 2**26)
    node: gn.Node = gn.Variable(np.full(4, 0.5), "x")
    for _ in range(12):
        node = node + node
    document, members = _saved(tmp_path, node)
    leaf = document["graph"]["nodes"][0]
    leaf["shape"], leaf["dtype"] = [2**19], "<f2"
    outcome, _ = _opened(_rewritten(tmp_path, document, members, {"n0": np.full(2**19, 0.5, np.float16)}))
    assert isinstance(outcome, SessionError), "the chain was priced as float64"
    assert "units of work" in str(outcome) and "n8" in str(outcome)
