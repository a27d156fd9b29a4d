"""Session files: exact round trips, atomic writes, and 1,500 damaged files that load or
raise one clear SessionError, never anything else."""

from __future__ import annotations

import copy
import io
import json
import os
import random
import re
import struct
import sys
import time
import zipfile
from dataclasses import astuple
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.io import session_schema, session_writer
from graphviz_nn.io.session_file import (
    ARRAYS_MEMBER, FORMAT_NAME, FORMAT_VERSION, JSON_MEMBER, SessionError, SessionState, TrainerState,
    ViewState, load_session, save_session,
)
from graphviz_nn.nn.settings import TrainingSettings
from graphviz_nn.nn import EpochRecord, LayerNet, PerceptronNet
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.io.records import spec_to_json

# --- graphs to save -------------------------------------------------------------------------


def seed_graph() -> gn.Graph:
    """The first example, read by the expression parser."""
    parsed = gn.parse("sin(x1 + x2) + x2**2 * x3", x1=0.5, x2=-1.2, x3=2.0)
    parsed.output.name = "z"
    return gn.Graph(parsed.output)


def shapes_graph() -> gn.Graph:
    """Every kind of op parameter, float32 and 0-d values, two outputs, a nan leaf."""
    rng = np.random.default_rng(7)
    X = gn.Variable(rng.normal(size=(2, 3)).astype(np.float32), "X")
    W = gn.Variable(rng.normal(size=(3, 4)), "W")
    s = gn.Constant(np.float64(2.5), "s")
    t32 = gn.Variable(np.float32(0.75), "t32")
    h = gn.matmul(X, W)
    h.name = "ŷ hidden"
    probs = gn.softmax(h, axis=0)
    flipped = gn.transpose(gn.reshape(probs, (4, 2)), (1, 0))
    leaky = gn.leaky_relu(flipped - 0.3, alpha=0.2)
    kept = gn.sum(leaky, axis=1, keepdims=True) * s
    both = gn.mean(kept, axis=(0, 1))
    whole = gn.sum(gn.log_softmax(gn.transpose(h), axis=-1), axis=None) + gn.reshape(both, -1)
    small = gn.tanh(t32 * gn.Constant(np.array([1.0, np.nan, -0.0], dtype=np.float32), "odd"))
    for node in (probs, flipped, leaky):
        node.scope = ("block", "inner")
    return gn.Graph(whole, small, probs)


def layer_net_graph() -> gn.Graph:
    net = LayerNet([4, 3, 2], "tanh", "softmax", "cce", normalise=True)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 4))
    net.fit_normalisation(X)
    net.set_data(X, net.encode_targets(np.array([0, 1, 1, 0, 1, 0])))
    net.graph.forward()  # set_data changes leaves only; the saved graph must be consistent
    return net.graph


def perceptron_graph() -> gn.Graph:
    net = PerceptronNet([3, 2, 1])
    rng = np.random.default_rng(4)
    net.set_data(rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 1)))
    net.graph.forward()
    return net.graph


GRAPHS: dict[str, Callable[[], gn.Graph]] = {
    "seed": seed_graph, "shapes": shapes_graph, "layer_net": layer_net_graph,
    "perceptron": perceptron_graph,
}
#: The settings of the networks whose graphs these are (a file's network must make its graph).
SPECS: dict[str, NetworkSpec] = {
    "layer_net": NetworkSpec("layer", (3,), "tanh", "softmax", "cce", True, True, "he"),
    "perceptron": NetworkSpec("perceptron", (2,), "sigmoid", "sigmoid", "sse", True, False, None),
}


def full_state(graph: gn.Graph, spec: NetworkSpec | None = None) -> SessionState:
    """A state with every field set to something other than its default (the training
    settings only with the ``spec`` of the network whose graph ``graph`` is)."""
    history = (
        EpochRecord(1, 0.693147, None, 0.5, None, (("layer 1", 0.25), ("output", 1e-300)), 0.0125),
        EpochRecord(2, float("nan"), 0.1 + 0.2, None, 1.0, (), 1234.5),
        EpochRecord(3, -0.0, float("inf"), 0.0, 0.75, (("output", 3.0),), 7.0),
    )
    dataset = "/some/where/data set.csv"
    return SessionState(
        graph=graph,
        output_id=graph.id_of(graph.outputs[0]),
        title="A title — with ünïcode\tand a tab",
        expression="sin(x1 + x2) + x2**2 * x3",
        training=None if spec is None else TrainingSettings(dataset, spec, "momentum", 0.125, 32, 40, 7, 0.25),
        dataset=dataset,
        history=history,
        trainer=TrainerState(3, np.random.default_rng(5).bit_generator.state,
                             {"steps": np.array(12), "velocity/0": np.linspace(-1, 1, 6).reshape(2, 3),
                              "velocity/2": np.array([1e-300, -0.0])}),
        phase="backward",
        position=17,
        view=ViewState(1.75, (-12.5, 3.0), (("layer 1",), ("layer 1", "perceptron 2"))),
    )


# --- comparing ------------------------------------------------------------------------------


def assert_same_value(a: np.ndarray, b: np.ndarray, where: str) -> None:
    assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
    assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
    assert np.array_equal(a, b, equal_nan=True), f"{where}: values differ"
    assert np.array_equal(np.signbit(a), np.signbit(b)), f"{where}: signs of zeros differ"


def assert_same_graph(original: gn.Graph, loaded: gn.Graph) -> None:
    assert len(loaded) == len(original)
    for i, (a, b) in enumerate(zip(original.nodes, loaded.nodes)):
        where = f"node n{i} ({a.label!r})"
        assert original.id_of(a) == loaded.id_of(b) == f"n{i}", where
        assert type(a) is type(b) and a.kind == b.kind, where
        assert a.name == b.name, where
        assert a.scope == b.scope and isinstance(b.scope, tuple), where
        if isinstance(a, gn.Function):
            assert b.op is gn.registry()[a.op.name], where
            assert b.params == a.params, where
            assert {k: type(v) for k, v in b.params.items()} == {k: type(v) for k, v in a.params.items()}, where
            assert [loaded.id_of(x) for x in b.inputs] == [original.id_of(x) for x in a.inputs], where
        # Function values were recomputed on load: they must equal the originals exactly.
        assert_same_value(a.value, b.value, where)
    assert [loaded.id_of(o) for o in loaded.outputs] == [original.id_of(o) for o in original.outputs]


def assert_same_fields(a: object, b: object) -> None:
    """Equal field by field, reprs compared so that nan, -0.0 and int/float count."""
    assert type(a) is type(b)
    fields = tuple if isinstance(a, tuple) else astuple  # epoch records are named tuples
    assert repr(fields(a)) == repr(fields(b))


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("stored", [False, True], ids=["deflated arrays", "stored arrays"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_round_trip_is_exact(tmp_path: Path, monkeypatch, name: str, stored: bool) -> None:
    graph = GRAPHS[name]()
    state = full_state(graph, SPECS.get(name))
    monkeypatch.setattr(session_writer, "STORE_ARRAYS_FROM", 0 if stored else 2**60)
    path = save_session(tmp_path / f"{name}.gnn", state)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(ARRAYS_MEMBER).compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    loaded = load_session(path)

    assert_same_graph(graph, loaded.graph)
    assert loaded.output_id == state.output_id
    assert loaded.title == state.title and loaded.expression == state.expression
    assert loaded.dataset == state.dataset and loaded.phase == state.phase
    assert loaded.position == state.position
    assert loaded.network == state.network and loaded.training == state.training
    assert len(loaded.history) == len(state.history)
    for a, b in zip(state.history, loaded.history):
        assert_same_fields(a, b)
    assert_same_fields(state.view, loaded.view)
    assert loaded.trainer.epochs_done == 3 and loaded.trainer.rng == state.trainer.rng
    assert list(loaded.trainer.optimiser) == list(state.trainer.optimiser)
    for name, value in state.trainer.optimiser.items():
        assert_same_value(value, loaded.trainer.optimiser[name], f"trainer.optimiser[{name}]")

    # The file is a zip of the two members; its npz loads without pickle and holds the leaves
    # and the optimiser's arrays.
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted([JSON_MEMBER, ARRAYS_MEMBER])
        document = json.loads(archive.read(JSON_MEMBER))
        arrays = np.load(io.BytesIO(archive.read(ARRAYS_MEMBER)), allow_pickle=False)
        leaves = [graph.id_of(n) for n in graph.nodes if not isinstance(n, gn.Function)]
        assert sorted(arrays.files) == sorted(leaves + ["trainer-0", "trainer-1", "trainer-2"])
    assert document["format"] == FORMAT_NAME and document["version"] == FORMAT_VERSION


def test_default_state_and_gradients_round_trip(tmp_path: Path) -> None:
    graph = seed_graph()
    loaded = load_session(save_session(tmp_path / "plain.gnn", SessionState(graph, None)))
    assert loaded.output_id is None and loaded.title == "" and loaded.history == ()
    assert loaded.network is None and loaded.position == -1
    assert_same_fields(loaded.view, ViewState())
    # The rebuilt graph is a working graph: the backward pass gives the same gradients.
    graph.backward()
    loaded.graph.backward()
    for a, b in zip(graph.variables, loaded.graph.variables):
        assert_same_value(a.grad, b.grad, a.label)


def test_saving_refuses_an_output_id_not_in_the_graph(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'n99' is not a node"):
        save_session(tmp_path / "x.gnn", SessionState(seed_graph(), "n99"))
    assert not (tmp_path / "x.gnn").exists()


# --- atomic writes --------------------------------------------------------------------------


def test_a_failed_save_leaves_the_earlier_file_intact(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "kept.gnn"
    save_session(path, SessionState(seed_graph(), "n8", title="first"))
    before = path.read_bytes()

    def broken_replace(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_session(path, SessionState(layer_net_graph(), None, title="second"))
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert load_session(path).title == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.gnn"], "a temporary file was left behind"


# --- particular bad files -------------------------------------------------------------------


def _valid(tmp_path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The document and arrays of a valid session file."""
    path = save_session(tmp_path / "base.gnn", full_state(shapes_graph()))
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read(JSON_MEMBER))
        with np.load(io.BytesIO(archive.read(ARRAYS_MEMBER)), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    return document, arrays


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An npz as np.savez writes it, but allowing object arrays (which the loader must refuse)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            member = io.BytesIO()
            np.save(member, value, allow_pickle=True)
            archive.writestr(f"{key}.npy", member.getvalue())
    return buffer.getvalue()


STORE_ARRAYS = False  # write arrays.npz stored, as save_session does for large arrays


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED
                             if STORE_ARRAYS and name == ARRAYS_MEMBER else compression)
    return buffer.getvalue()


def _session(document: object, arrays: dict[str, np.ndarray] | bytes) -> bytes:
    text = document if isinstance(document, (str, bytes)) else json.dumps(document)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return _zip({JSON_MEMBER: data, ARRAYS_MEMBER: arrays if isinstance(arrays, bytes) else _npz(arrays)})


def _first_function(document: dict, op: str | None = None) -> dict:
    return next(n for n in document["graph"]["nodes"]
                if n["kind"] == "function" and (op is None or n["op"] == op))


def _expect_error(path: Path, data: bytes, *phrases: str) -> str:
    path.write_bytes(data)
    with pytest.raises(SessionError) as caught:
        load_session(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    for phrase in phrases:
        assert phrase in message, message
    return message


def test_particular_bad_files_name_the_file_and_the_problem(tmp_path: Path) -> None:
    document, arrays = _valid(tmp_path)
    bad = tmp_path / "bad.gnn"

    newer = copy.deepcopy(document)
    newer["version"] = 7
    _expect_error(bad, _session(newer, arrays),
                  "made by a newer graphviz-nn (version 7); this one reads version 1")

    unknown = copy.deepcopy(document)
    _first_function(unknown)["op"] = "frobnicate"
    _expect_error(bad, _session(unknown, arrays), "op 'frobnicate' is not a known op", "this version knows")
    misspelt = copy.deepcopy(document)
    _first_function(misspelt)["op"] = "matmull"
    _expect_error(bad, _session(misspelt, arrays), "op 'matmull' is not a known op",
                  "the nearest known ops are matmul")

    dangling = copy.deepcopy(document)
    _first_function(dangling)["inputs"][0] = "n40"
    _expect_error(bad, _session(dangling, arrays), "'n40', which is not a node defined before it")

    repeated = copy.deepcopy(document)
    repeated["graph"]["nodes"][1]["id"] = "n0"
    _expect_error(bad, _session(repeated, arrays), "node 1: id 'n0' repeats an earlier node's id")

    unused = copy.deepcopy(document)
    del unused["graph"]["outputs"][1]
    _expect_error(bad, _session(unused, arrays), "feeds none of the outputs")

    reordered = copy.deepcopy(document)
    reordered["graph"]["outputs"].reverse()
    _expect_error(bad, _session(reordered, arrays), "the nodes are not in graph order")

    unknown_output = copy.deepcopy(document)
    unknown_output["graph"]["outputs"][0] = "n007"
    _expect_error(bad, _session(unknown_output, arrays), "'n007', which is not a node of the graph")

    wrong_param = copy.deepcopy(document)
    _first_function(wrong_param, "softmax")["params"]["axis"] = "0"
    _expect_error(bad, _session(wrong_param, arrays), "parameter 'axis' must be an axis of the input", "got '0'")

    misshapen = dict(arrays, n0=np.zeros((3, 2), dtype=np.float32))
    _expect_error(bad, _session(document, misshapen), "arrays.npz: n0.npy", "shape (3, 2)")

    refused = copy.deepcopy(document)
    refused["graph"]["nodes"][0]["shape"] = [3, 2]
    _expect_error(bad, _session(refused, misshapen), "matmul(X (3, 2), W (3, 4))", "inner dimensions differ")

    objects = dict(arrays, n0=np.array([{"a": 1}, None], dtype=object))
    _expect_error(bad, _session(document, objects), "holds Python objects")

    complex_values = dict(arrays, n0=np.ones((2, 3), dtype=complex))
    _expect_error(bad, _session(document, complex_values), "complex128", "real numbers")

    missing_array = {k: v for k, v in arrays.items() if k != "n0"}
    _expect_error(bad, _session(document, missing_array), "no array for the leaf n0")

    elsewhere = copy.deepcopy(document)
    elsewhere["output_id"] = "n1000"
    _expect_error(bad, _session(elsewhere, arrays), "output_id 'n1000' is not a node")

    for key, value, phrase in (("lr", -1.0, "training.lr must be a positive number"),
                               ("test_fraction", 1.5, "training.test_fraction must be in [0, 1)"),
                               ("batch_size", 0, "training.batch_size must be at least 1"),
                               ("epochs", "many", "training.epochs must be a whole number")):
        untrainable = copy.deepcopy(document)
        untrainable["network"] = spec_to_json(SPECS["layer_net"])
        untrainable["training"] = dict(optimiser="adam", lr=0.1, batch_size=None, epochs=3, seed=0,
                                       test_fraction=0.3)
        untrainable["training"][key] = value
        _expect_error(bad, _session(untrainable, arrays), phrase)

    for change, phrase in ((lambda t: t.update(epochs_done=-2), "trainer.epochs_done must be at least 0"),
                           (lambda t: t.update(rng=[1, 2]), "trainer.rng must be"),
                           (lambda t: t["optimiser"].append("m/9"), "no array for the optimiser's 'm/9'"),
                           (lambda t: t.pop("optimiser"), "trainer")):
        damaged = copy.deepcopy(document)
        change(damaged["trainer"])
        _expect_error(bad, _session(damaged, arrays), phrase)
    _expect_error(bad, _session(document, dict(arrays, **{"trainer-1": np.array(["text"])})),
                  "trainer-1.npy", "real numbers")
    older = copy.deepcopy(document)  # written before the trainer's state was stored
    del older["trainer"]
    path = tmp_path / "older.gnn"
    path.write_bytes(_session(older, {k: v for k, v in arrays.items() if not k.startswith("trainer-")}))
    assert load_session(path).trainer is None

    _expect_error(bad, _zip({JSON_MEMBER: json.dumps(document).encode()}), "has no arrays.npz")
    _expect_error(bad, b"", "not a zip archive")
    _expect_error(bad, b"just some text, renamed to .gnn\n", "not a zip archive")
    _expect_error(bad, _session('{"format": "something else", "version": 1}', arrays), "not a graphviz-nn session")
    _expect_error(bad, _session("[" * 100_000 + "]" * 100_000, arrays), "must hold a JSON object, found a list")
    deep = f'{{"format": "{FORMAT_NAME}", "version": 1, "title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _expect_error(bad, _session(deep, arrays), "nested too deeply")
    absent = tmp_path / "really absent.gnn"
    with pytest.raises(SessionError, match="really absent.gnn: no such file"):
        load_session(absent)


def test_huge_declared_sizes_are_refused_before_allocating(tmp_path: Path) -> None:
    document, arrays = _valid(tmp_path)
    bad = tmp_path / "huge.gnn"
    # A .npy header declaring a terabyte of values, followed by a few bytes.
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**37,)})
    npz = _zip({"n0.npy": header.getvalue() + b"\0" * 64}, zipfile.ZIP_STORED)
    _expect_error(bad, _session(document, npz), "declares 1099511627776 bytes")

    # A zip member whose directory entry declares 4 GB unpacked.
    data = bytearray(_session(document, arrays))
    entry = data.index(b"PK\x01\x02")
    data[entry + 24:entry + 28] = (0xF000_0000).to_bytes(4, "little")
    _expect_error(bad, bytes(data), "would unpack to 4026531840 bytes")

    # An npz claiming more entries than any session has.
    directory = b"PK\x01\x02" * 200_100
    end = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 0xFFFF, 0xFFFF, len(directory), 0, 0)
    _expect_error(bad, _session(document, directory + end), "more entries than any session file has")

    # Too many nodes: more values than a file of its size holds, counted before decoding.
    crowded = copy.deepcopy(document)
    crowded["graph"]["nodes"] = [{}] * 200_001
    _expect_error(bad, _session(crowded, arrays), "values (lists, objects, numbers, texts), more than a session file")

    # Leaves that broadcast into a node of 2**40 elements.
    wide = {"n0": np.zeros((2**20, 1)), "n1": np.zeros((1, 2**20))}
    nodes = [
        {"id": "n0", "kind": "variable", "name": None, "scope": [], "dtype": "<f8", "shape": [2**20, 1]},
        {"id": "n1", "kind": "variable", "name": None, "scope": [], "dtype": "<f8", "shape": [1, 2**20]},
        {"id": "n2", "kind": "function", "name": None, "scope": [], "op": "add", "params": {},
         "inputs": ["n0", "n1"]},
    ]
    outer = dict(document, graph={"nodes": nodes, "outputs": ["n2"]}, output_id=None)
    _expect_error(bad, _session(outer, wide), "add would make 1099511627776 elements")


def test_size_limits_are_enforced(tmp_path: Path, monkeypatch) -> None:
    """The limits are module constants; lowered, a valid file trips each of them."""
    path = save_session(tmp_path / "limits.gnn", full_state(shapes_graph()))
    load_session(path)
    for name, value, phrase in [
        ("MAX_FILE_BYTES", 1000, "larger than any session file can be (1000 bytes)"),
        ("MAX_JSON_BYTES", 1000, "session.json would unpack to"),
        ("MAX_MEMBER_BYTES", 1000, "arrays.npz would unpack to"),
        ("MAX_NODES", 10, "nodes, more than the limit of 10"),
        ("MAX_NODE_ELEMENTS", 5, "matmul would make 8 elements, more than the limit of 5 for one node"),
        ("MAX_TOTAL_ELEMENTS", 20, "elements together, more than the limit"),
    ]:
        with monkeypatch.context() as patch:
            patch.setattr(session_schema, name, value)
            with pytest.raises(SessionError, match=re.escape(phrase)):
                load_session(path)


# --- 1,500 damaged files ----------------------------------------------------------------------

_WEIRD = [
    None, True, False, 0, -1, 1, 7, 1.5, -0.0, 10**30, -(10**30), 2**63, 1e308, float("inf"),
    float("nan"), "", "n0", "n9999", "1", "text", [], [1, 2], [[1]], ["n0"], {}, {"a": 1},
    [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],
]


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every position in a JSON tree, as a tuple of keys and indices."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


def _mutate_document(document: dict, rng: random.Random, variant: int) -> dict:
    """One targeted mutation of a valid document, then up to two anywhere."""
    doc = copy.deepcopy(document)
    nodes = doc["graph"]["nodes"]
    functions = [n for n in nodes if n["kind"] == "function"]
    outputs = doc["graph"]["outputs"]
    choice = variant % 10
    if choice == 0:
        doc["version"] = rng.choice([0, 2, 7, "1", 1.0, None, -1, 10**40])
    elif choice == 1:
        rng.choice(functions)["op"] = rng.choice(
            ["frobnicate", "", "ADD", "__import__", "eval", *sorted(gn.registry())])
    elif choice == 2:
        node = rng.choice(functions)
        node["inputs"][rng.randrange(len(node["inputs"]))] = rng.choice(
            ["n9999", node["id"], f"n{len(nodes) - 1}", "n-1", "x", "n01", 0, None])
    elif choice == 3:
        i, j = rng.randrange(len(nodes)), rng.randrange(len(nodes))
        nodes[i], nodes[j] = nodes[j], nodes[i]
    elif choice == 4:
        nodes.insert(rng.randrange(len(nodes) + 1), copy.deepcopy(rng.choice(nodes)))
    elif choice == 5:
        key = rng.choice(["axis", "keepdims", "alpha", "shape", "axes", "name", "bogus"])
        rng.choice(functions)["params"][key] = copy.deepcopy(rng.choice(_WEIRD))
    elif choice == 6:
        choices = [[], outputs[:1], outputs[::-1], outputs * 2, ["n9999"], [f"n{len(nodes)}"], ["n0"]]
        doc["graph"]["outputs"] = choices[variant // 10 % len(choices)]
    elif choice == 7:  # two records trade places but keep their ids
        i, j = rng.randrange(len(nodes)), rng.randrange(len(nodes))
        nodes[i], nodes[j] = dict(nodes[j], id=nodes[i]["id"]), dict(nodes[i], id=nodes[j]["id"])
    for _ in range(rng.randint(1 if choice >= 8 else 0, 2)):
        paths = _paths(doc)[1:]
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.4:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(_WEIRD))
    return doc


def _mutate_arrays(arrays: dict[str, np.ndarray], rng: random.Random,
                   variant: int) -> dict[str, np.ndarray] | bytes:
    arrays = dict(arrays)
    key = rng.choice(sorted(arrays))
    shape = arrays[key].shape
    choice = variant % 9
    if choice == 0:
        del arrays[key]
    elif choice == 1:
        arrays[key] = np.zeros(shape + (2,))
    elif choice == 2:
        arrays[key] = np.zeros((rng.randint(0, 5),) * rng.randint(0, 3), dtype=np.float64)
    elif choice == 3:
        arrays[key] = np.zeros(shape, dtype=rng.choice([np.float32, np.float16, np.int64, np.bool_, np.uint8]))
    elif choice == 4:
        arrays[key] = np.zeros(shape, dtype=rng.choice([np.complex128, "U3", "S2", "M8[s]", [("a", "<f8")]]))
    elif choice == 5:
        arrays[key] = np.array([{"x": 1}, [2], "three"], dtype=object)  # saved with pickle
    elif choice == 6:
        arrays[key] = np.full(shape, rng.choice([np.nan, np.inf, -0.0, 1e308]))
    elif choice == 7:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    else:
        header = io.BytesIO()
        count = rng.choice([2**40, 10**25, 3])
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (count,)})
        # Three values declared, fewer than their 24 bytes held: the header's promise is checked.
        held = rng.randint(0, 23) if count == 3 else rng.randint(0, 40)
        return _zip({f"{key}.npy": header.getvalue() + b"\0" * held})
    return arrays


def _mutant(kind: int, variant: int, rng: random.Random, base: bytes, document: dict,
            arrays: dict) -> bytes:
    """A damaged session file of one kind; ``variant`` cycles through each kind's choices."""
    text = json.dumps(document)
    if kind == 0:  # truncated
        return base[: rng.randrange(len(base))]
    if kind == 1:  # bytes flipped in the archive
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
        return bytes(data)
    if kind == 2:  # a structurally mutated document
        return _session(_mutate_document(document, rng, variant), arrays)
    if kind == 3:  # bytes flipped in session.json, then zipped properly
        data = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.choice(b'{}[]",:0123456789.eE-+ntfaxn\xff\x80\\')
        return _session(bytes(data), arrays)
    if kind == 4:  # replaced or damaged arrays
        return _session(document, _mutate_arrays(arrays, rng, variant))
    if kind == 5:  # splices into the JSON text that json.dumps would not write
        splice = rng.choice([
            "[" * 50_000 + "]" * 50_000, "1" * 5000, "1e99999", "-1e99999", "NaN", "Infinity",
            '"\\ud800"', "9" * 300, '{"a": ' * 3000 + "1" + "}" * 3000,
        ])
        target = rng.choice(['"params": {}', '"position": 17', '"zoom": 1.75', '"version": 1',
                             '"shape": [2, 3]'])
        key = target.split(":")[0]
        return _session(text.replace(target, f"{key}: {splice}", 1), arrays)
    members = {JSON_MEMBER: text.encode("utf-8"), ARRAYS_MEMBER: _npz(arrays)}
    choice = variant % 8
    if choice == 0:
        return b""
    if choice == 1:
        return "sin(x1 + x2) + x2**2 * x3\nnot a session\n".encode() * rng.randint(1, 20)
    if choice == 2:
        return _zip({})
    if choice == 3:
        del members[rng.choice(sorted(members))]
        return _zip(members)
    if choice == 4:
        return _zip(members, zipfile.ZIP_STORED)
    if choice == 5:
        return _zip({"session.JSON": members[JSON_MEMBER], ARRAYS_MEMBER: members[ARRAYS_MEMBER],
                     "extra.txt": b"ignored"})
    if choice == 6:
        return _zip({JSON_MEMBER: text.encode("utf-16"), ARRAYS_MEMBER: members[ARRAYS_MEMBER]})
    data = bytearray(_zip(members))  # a directory entry declaring a huge unpacked size
    entry = data.index(b"PK\x01\x02", rng.choice([0, len(data) // 2]))
    data[entry + 24:entry + 28] = rng.choice([0xF000_0000, 0x2000_0001, 1, 0]).to_bytes(4, "little")
    return bytes(data)


MUTANTS = 1500
SEED = 20261122  # the mutants reach every check below, on every supported numpy


@pytest.mark.parametrize("stored", [False, True], ids=["deflated arrays", "stored arrays"])
def test_fifteen_hundred_damaged_files_load_or_raise_one_clear_session_error(tmp_path: Path, monkeypatch,
                                                                             stored: bool) -> None:
    if stored:  # arrays.npz read in place from the file
        monkeypatch.setattr(session_writer, "STORE_ARRAYS_FROM", 0)
        monkeypatch.setattr(sys.modules[__name__], "STORE_ARRAYS", True)
    document, arrays = _valid(tmp_path)
    base = (tmp_path / "base.gnn").read_bytes()
    started = time.perf_counter()
    loaded, messages, failures = 0, [], []
    for i in range(MUTANTS):
        kind = i % 7
        path = tmp_path / f"mutant {i:04d}.gnn"
        # A generator of its own for each mutant: what one mutant draws never shifts the
        # next (documents differ a little between numpy versions, and so did the mutants).
        rng = random.Random(f"{SEED}-{i}")
        path.write_bytes(_mutant(kind, i // 7, rng, base, document, arrays))
        try:
            state = load_session(path)
        except SessionError as error:
            message = str(error)
            if "\n" in message or not message.startswith(f"{path}: ") or len(message) > 600:
                failures.append(f"mutant {i} (kind {kind}): unclear message {message!r}")
            messages.append(message)
        except BaseException as error:  # noqa: BLE001 - the point is to catch anything else
            failures.append(f"mutant {i} (kind {kind}): raised {type(error).__name__}: {error!s:.300}")
        else:
            assert isinstance(state, SessionState)
            loaded += 1
        path.unlink()
    elapsed = time.perf_counter() - started
    print(f"\n{MUTANTS} mutants in {elapsed:.2f} s: {loaded} loaded, {len(messages)} refused")
    assert not failures, f"{len(failures)} mutants misbehaved; the first: {failures[0]}"
    assert elapsed < 30, f"{MUTANTS} mutants took {elapsed:.1f} s"
    # The mutations must reach deep into the loader, not stop at the zip layer.
    reached = " | ".join(messages)
    for phrase in ("not a zip archive", "is damaged", "not valid JSON", "newer graphviz-nn",
                   "is not a known op", "not a node defined before it", "repeats an earlier",
                   "is out of order", "feeds none of the outputs", "not in graph order",
                   "must be", "has no", "holds Python objects", "real numbers", "declares",
                   "would unpack to", "nested too deeply", "not UTF-8", "no array for the leaf",
                   "trainer"):
        if stored and phrase == "would unpack to":
            continue  # the directory entry changed is often the npz's own, whose sizes only bound reads
        assert phrase in reached, f"no mutant produced an error containing {phrase!r}"
    assert 0 < loaded < MUTANTS // 2


def test_history_records_of_every_shape_read_the_same(tmp_path) -> None:
    """Records as this module writes them take a quick path; whole numbers where floats are
    usual, and extra fields, take the checked one: the records are the same either way."""
    document, arrays = _valid(tmp_path)
    usual = document["history"][0]
    document["history"] = [
        usual,
        {**usual, "seconds": 7, "train_accuracy": 1, "gradient_norms": [["layer 1", 2]]},
        {**usual, "note": "a field no version writes"},
    ]
    path = tmp_path / "shapes.gnn"
    path.write_bytes(_session(document, arrays))
    history = load_session(path).history
    first = EpochRecord(1, 0.693147, None, 0.5, None, (("layer 1", 0.25), ("output", 1e-300)), 0.0125)
    assert history[0] == first and history[2] == first
    assert history[1] == first._replace(seconds=7.0, train_accuracy=1.0, gradient_norms=(("layer 1", 2.0),))
    assert all(type(v) is float for r in history for v in (r.train_loss, r.seconds, r.gradient_norms[0][1]))
    document["history"][1]["gradient_norms"] = [["layer 1", "2"]]
    _expect_error(tmp_path / "bad.gnn", _session(document, arrays), "history[1].gradient_norms[0][1] must be a number")
