"""What opening a hostile session file of a few kilobytes costs: each is refused in one line
before the work it asks for, and the sessions the program makes still open."""

from __future__ import annotations

import gc
import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.io import session_schema
from graphviz_nn.io.records import record_to_json
from graphviz_nn.io.session_file import (FORMAT_NAME, JSON_MEMBER, MAX_JSON_BYTES, SessionState, ViewState,
                                         load_session, save_session)
from graphviz_nn.nn import builder
from graphviz_nn.nn.builder import NetworkSpec

from .session_files import history, parts, session_bytes, trained
from .test_session_limits import _refused

MIB = 2**20
HEAD = f'{{"format":"{FORMAT_NAME}","version":1,'


def _file(tmp_path: Path, data: bytes, name: str = "hostile.gnn") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory) -> tuple[dict, dict]:
    """The document and arrays of a trained xor network's session (a 2-4-1 LayerNet)."""
    path = save_session(tmp_path_factory.mktemp("xor") / "xor.gnn", trained("xor", 3))
    return parts(path)


# --- 1. session.json: its first bytes, then its values counted, before decoding -----------


def test_a_json_of_millions_of_empty_lists_is_refused_before_decoding(tmp_path: Path, xor_run) -> None:
    """20 MiB of ``[],`` deflates to 20 KB and decoded to 450 MB in seconds."""
    _, arrays = xor_run
    text = HEAD + '"padding":[' + "[]," * (7 * MIB) + "[]]}"
    path = _file(tmp_path, session_bytes(text, arrays))
    assert path.stat().st_size < 64 * 1024
    _refused(path, "values (lists, objects, numbers, texts), more than a session file of this size holds",
             most_bytes=48 * MIB)


@pytest.mark.parametrize("head, phrase", [
    ('{"format":"another program","version":1,', "gives the format 'another program'"),
    ('{"version":1,"format":"graphviz-nn session",', "does not begin with its format"),
    (HEAD.replace('"version":1', '"version":99'), "made by a newer graphviz-nn (version 99)"),
    ('[{"format":"graphviz-nn session",', "must hold a JSON object, found a list"),
])
def test_format_and_version_are_read_from_the_first_bytes(tmp_path: Path, xor_run, head: str, phrase: str) -> None:
    """A large session.json of another format is refused having unpacked only its beginning."""
    _, arrays = xor_run
    text = head + '"padding":"' + "x" * (20 * MIB) + '"}'
    _refused(_file(tmp_path, session_bytes(text, arrays)), phrase, most_bytes=4 * MIB)


def test_the_json_is_decoded_with_the_collector_paused(tmp_path: Path, monkeypatch, xor_run) -> None:
    document, arrays = xor_run
    path = _file(tmp_path, session_bytes(document, arrays), "good.gnn")
    seen = []
    decode = json.loads

    def loads(text, *args, **kwargs):
        seen.append(gc.isenabled())
        return decode(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", loads)
    assert gc.isenabled()
    load_session(path)
    assert seen and not any(seen[-1:]), "the collector ran while the document was decoded"
    assert gc.isenabled(), "the collector stayed paused"


def test_the_json_limit_is_what_a_long_history_needs(tmp_path: Path, xor_run) -> None:
    """A 50,000-epoch history writes 12.4 MiB of JSON: the limit holds it with room to
    spare, and a member half again as large is refused before it is read."""
    records = json.dumps([record_to_json(r) for r in history(50_000)], separators=(",", ":"))
    assert 1.5 * len(records) < MAX_JSON_BYTES <= 32 * MIB
    document, arrays = xor_run
    padded = json.dumps(document)[:-1] + "," + '"padding":"' + " " * (30 * MIB) + '"}'
    _refused(_file(tmp_path, session_bytes(padded, arrays)), f"{JSON_MEMBER} would unpack to")


def test_counting_never_undercounts() -> None:
    from graphviz_nn.io import session_json

    def values(v) -> int:  # the value and every item or member value inside it
        inner = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        return 1 + sum(values(x) for x in inner)

    for value in ([], {}, [[], {}], {"a": [1, "b,c", {"d": None}]}, [[[[1.5]]]], "text", 7, [{}] * 9):
        assert session_json.count_values(json.dumps(value).encode()) >= values(value)


# --- 2. the structure from the JSON, before any array --------------------------------------


def _many_leaves(count: int, fault: str) -> tuple[dict, dict]:
    """n0, then (leaf, add) pairs: n1 a leaf, n2 = n0 + n1, n3 a leaf, n4 = n2 + n3, ..."""
    nodes = [{"id": "n0", "kind": "variable", "name": None, "scope": [], "dtype": "<f8", "shape": []}]
    arrays = {"n0": np.float64(1.0)}
    last = "n0"
    for i in range(1, count):
        leaf, total = f"n{2 * i - 1}", f"n{2 * i}"
        nodes.append({"id": leaf, "kind": "constant", "name": None, "scope": [], "dtype": "<f8", "shape": []})
        nodes.append({"id": total, "kind": "function", "name": None, "scope": [], "op": "add", "params": {},
                      "inputs": [last, leaf]})
        arrays[leaf] = np.float64(i)
        last = total
    outputs = [last]
    if fault == "unknown op":
        nodes[-1]["op"] = "frobnicate"
    elif fault == "undefined input":
        nodes[-1]["inputs"][1] = f"n{len(nodes) + 5}"
    elif fault == "unused node":
        outputs = [nodes[-3]["id"]]
    elif fault == "id out of order":
        nodes[-1]["id"] = "n0"
    document = {"format": FORMAT_NAME, "version": 1, "title": "", "expression": None, "dataset": None,
                "network": None, "training": None, "phase": None, "position": -1, "output_id": None,
                "history": [], "trainer": None, "view": {"zoom": 1.0, "centre": None, "collapsed": []},
                "graph": {"nodes": nodes, "outputs": outputs}}
    return document, arrays


@pytest.mark.parametrize("fault, phrase", [
    ("unknown op", "op 'frobnicate' is not a known op"),
    ("undefined input", "which is not a node defined before it"),
    ("unused node", "feeds none of the outputs"),
    ("id out of order", "repeats an earlier node's id"),
])
def test_the_graph_is_checked_whole_before_any_array_is_read(tmp_path: Path, monkeypatch, fault, phrase) -> None:
    """3,000 leaves and a fault in the last record: refused without reading a leaf."""
    document, arrays = _many_leaves(3000, fault)
    path = _file(tmp_path, session_bytes(document, arrays))
    headers = []
    magic = np.lib.format.read_magic
    monkeypatch.setattr(np.lib.format, "read_magic", lambda stream: headers.append(1) or magic(stream))
    _refused(path, phrase)
    assert not headers, f"{len(headers)} arrays were read before the graph was refused"


def test_each_array_is_read_in_one_pass_over_its_member(tmp_path: Path, monkeypatch) -> None:
    document, arrays = _many_leaves(500, "none")
    path = _file(tmp_path, session_bytes(document, arrays))
    opened = []
    open_member = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(1) or open_member(self, *a, **k))
    state = load_session(path)
    assert float(state.graph.outputs[0].value) == 1 + sum(range(1, 500))
    # The session.json's beginning, then all of it, the npz (deflated) once, then each array once.
    assert len(opened) <= 3 + len(arrays), f"{len(opened)} members opened for {len(arrays)} arrays"


def test_more_nodes_than_a_file_of_its_size_holds_are_refused(tmp_path: Path, monkeypatch) -> None:
    document, arrays = _many_leaves(3000, "none")
    path = _file(tmp_path, session_bytes(document, arrays))
    monkeypatch.setattr(session_schema, "NODES_FLOOR", 1000)
    monkeypatch.setattr(session_schema, "BYTES_PER_NODE", 1000)
    _refused(path, "has 5999 nodes, more than a session file of this size holds")


# --- 3. function values within a memory budget that grows with the file --------------------


@pytest.mark.parametrize("n", [4096, 8192])
def test_a_broadcast_bomb_is_refused_before_computing(tmp_path: Path, n: int) -> None:
    """Two leaves of n numbers broadcast into n * n: 128 MiB (or 512 MiB) from a file of 2 KB."""
    x = gn.Variable(np.zeros((2, 1)), "x")
    y = gn.Variable(np.zeros((1, 2)), "y")
    document, _ = parts(save_session(tmp_path / "small.gnn", SessionState(gn.Graph(x + y), None)))
    document["graph"]["nodes"][0]["shape"], document["graph"]["nodes"][1]["shape"] = [n, 1], [1, n]
    path = _file(tmp_path, session_bytes(document, {"n0": np.zeros((n, 1)), "n1": np.zeros((1, n))}))
    assert path.stat().st_size < 2048 + n // 8
    _refused(path, "more than a session file of this size may ask for", most_bytes=16 * MIB)


def test_leaves_deflated_beyond_the_budget_are_refused_before_reading(tmp_path: Path) -> None:
    """80 MiB of zeros packs into 80 KB: more values than a file of that size may hold."""
    x = gn.Variable(np.zeros(3), "x")
    document, _ = parts(save_session(tmp_path / "small.gnn", SessionState(gn.Graph(gn.sum(x)), None)))
    document["graph"]["nodes"][0]["shape"] = [10 * MIB]
    path = _file(tmp_path, session_bytes(document, {"n0": np.zeros(10 * MIB)}))
    _refused(path, "more than a session file of this size may ask for", most_bytes=16 * MIB)


def test_the_budget_holds_the_sessions_the_program_makes(tmp_path: Path) -> None:
    from graphviz_nn.session.document import capture
    from graphviz_nn.session.examples import EXAMPLES, big_perceptron_net

    for key, example in EXAMPLES.items():
        load_session(save_session(tmp_path / f"{key}.gnn", capture(example.build(), key)))
    load_session(save_session(tmp_path / "big.gnn", capture(big_perceptron_net(), "big")))
    load_session(save_session(tmp_path / "digits.gnn", trained("digits", 1)))
    state = SessionState(gn.Graph(gn.sum(gn.Variable(np.ones(6 * MIB), "x") * 2.0)), None)
    load_session(save_session(tmp_path / "48 MiB.gnn", state))  # stored: the file is as large


# --- 4. network widths: bounded, and compared with the saved graph before building ---------


def test_a_spec_bounds_its_widths_and_layers_in_a_short_message() -> None:
    most = getattr(builder, "MAX_WIDTH", 4096)
    for hidden, phrase in (((most + 1,), f"widths go from 1 to {most}"), ((0,), "widths go from 1"),
                           ((10**400,), "too large to show"), ((4,) * 20_000, "more than the limit of 32 hidden layers")):
        with pytest.raises(ValueError, match=phrase) as caught:
            NetworkSpec("layer", hidden)
        assert len(str(caught.value)) < 200
    NetworkSpec("layer", (most,) * builder.MAX_HIDDEN_LAYERS)


@pytest.mark.parametrize("hidden, phrase", [
    ([8000, 8000], "hidden must list widths of at least 1 and at most 4096"),
    ([100_000, 100_000], "hidden must list widths of at least 1 and at most 4096"),
    ([4096, 4096], "network does not match the saved graph"),
    ([5], "network does not match the saved graph"),
    ([4, 4], "network does not match the saved graph: its layers are layer 1, layer 2, output"),
    ([1] * 20_000, "lists 20000 widths, more than the limit of 32 hidden layers"),
])
def test_network_widths_are_compared_with_the_saved_graph_before_building(tmp_path: Path, xor_run, hidden,
                                                                          phrase) -> None:
    document, arrays = xor_run
    document = json.loads(json.dumps(document))
    document["network"]["hidden"] = hidden
    message = _refused(_file(tmp_path, session_bytes(document, arrays)), phrase, most_bytes=16 * MIB)
    assert len(message) < 400


@pytest.mark.parametrize("spec, dataset", [
    (NetworkSpec("perceptron", (3,), "tanh", "sigmoid", "bce"), "xor"),
    (NetworkSpec("perceptron", (), "tanh", "sigmoid", "sse", bias=False), "xor"),
    (NetworkSpec("perceptron", (2, 3), "tanh", "sigmoid", "sse", bias=False), "iris"),
    (NetworkSpec("layer", (), "tanh", "softmax", "cce", bias=False), "iris"),
    (NetworkSpec("layer", (5, 4, 3), "relu", "softmax", "cce", normalise=True), "iris"),
])
def test_every_kind_of_network_reopens_as_saved(tmp_path: Path, spec: NetworkSpec, dataset: str) -> None:
    from graphviz_nn.nn.settings import TrainingSettings
    from graphviz_nn.session.document import capture, reopen
    from graphviz_nn.session.training import TrainingRun

    run = TrainingRun.create(TrainingSettings(dataset, spec, epochs=2))
    for record in run.trainer.fit(run.train, run.test, 2):
        run.history.append(record)
    run.show_rows()  # as the window does after training
    state = load_session(save_session(tmp_path / "run.gnn", capture(run.built(), "run", run=run)))
    assert state.training.spec == spec and len(state.history) == 2
    reopened = reopen(state)
    assert reopened.problem is None and reopened.run is not None


def test_an_embedded_dataset_must_fit_the_saved_network(tmp_path: Path) -> None:
    document, arrays = parts(save_session(tmp_path / "iris.gnn", trained("iris", 1, embed=True)))
    arrays["dataset-X"] = np.zeros((150, 4000))
    document["embedded_dataset"]["feature_names"] = [f"f{i}" for i in range(4000)]
    _refused(_file(tmp_path, session_bytes(document, arrays)),
             "has 4000 features and 3 outputs, the saved network 4 inputs")


# --- 5. the history names the network's layers ---------------------------------------------


def test_a_history_naming_a_new_layer_each_epoch_is_refused(tmp_path: Path, xor_run) -> None:
    document, arrays = xor_run
    document = json.loads(json.dumps(document))
    record = document["history"][0]
    document["history"] = [dict(record, epoch=i, gradient_norms=[[f"layer {i}", 1.0]]) for i in range(1, 5000)]
    message = _refused(_file(tmp_path, session_bytes(document, arrays)),
                       "history[1] gives the gradient norm of layer 'layer 2', which the network does not have")
    assert "layer 1, output" in message


def test_without_a_network_a_history_names_no_more_layers_than_a_network_has(tmp_path: Path) -> None:
    graph = gn.Graph(gn.sum(gn.Variable(np.ones(3), "x")))
    state = SessionState(graph, None, history=history(40, ("layer 1", "output")))
    load_session(save_session(tmp_path / "plain.gnn", state))
    document, arrays = parts(tmp_path / "plain.gnn")
    for i, record in enumerate(document["history"]):
        record["gradient_norms"] = [[f"layer {i}", 1.0]]
    _refused(_file(tmp_path, session_bytes(document, arrays)), "history[33] names a layer 'layer 33' no earlier record")


# --- 6. the view -----------------------------------------------------------------------------


@pytest.mark.parametrize("view, phrase", [
    ({"zoom": math.nan}, "view.zoom must be a number from"),
    ({"zoom": math.inf}, "view.zoom must be a number from"),
    ({"zoom": 0.0}, "view.zoom must be a number from"),
    ({"zoom": -2.0}, "view.zoom must be a number from"),
    ({"centre": [math.inf, 1e308]}, "view.centre[0] must be a number from"),
    ({"centre": [0.0, 1e308]}, "view.centre[1] must be a number from"),
    ({"centre": [0.0, math.nan]}, "view.centre[1] must be a number from"),
])
def test_a_view_that_is_not_finite_or_in_range_is_refused(tmp_path: Path, xor_run, view, phrase) -> None:
    document, arrays = xor_run
    document = json.loads(json.dumps(document))
    document["view"].update(view)
    _refused(_file(tmp_path, session_bytes(document, arrays)), phrase)


def test_a_view_the_window_makes_round_trips(tmp_path: Path) -> None:
    graph = gn.Graph(gn.sum(gn.Variable(np.ones(3), "x")))
    for view in (ViewState(0.0005, (-3e6, 2.5e5)), ViewState(11.9, None), ViewState()):
        loaded = load_session(save_session(tmp_path / "view.gnn", SessionState(graph, None, view=view)))
        assert (loaded.view.zoom, loaded.view.centre) == (view.zoom, view.centre)



def test_a_leaf_stored_in_column_order_is_read_in_row_order(tmp_path) -> None:
    """Same values, laid out as the engine's prices assume (a column-order leaf added to a
    row-order one cost four times its price)."""
    import io as _io
    import zipfile

    import numpy as np

    import graphviz_nn as gn
    from graphviz_nn.io import load_session
    from graphviz_nn.io.session_schema import ARRAYS_MEMBER

    from .test_session_ops import _saved, _with

    values = np.arange(12.0).reshape(3, 4)
    document, members = _saved(tmp_path, gn.sin(gn.Variable(values, "x")))
    with zipfile.ZipFile(_io.BytesIO(members[ARRAYS_MEMBER])) as inner:
        arrays = {name.removesuffix(".npy"): np.asfortranarray(np.load(_io.BytesIO(inner.read(name))))
                  for name in inner.namelist()}
    loaded = load_session(_with(tmp_path, document, members, arrays)).graph
    leaf = next(n for n in loaded if n.label == "x")
    assert leaf.value.flags.c_contiguous and np.array_equal(leaf.value, values)
