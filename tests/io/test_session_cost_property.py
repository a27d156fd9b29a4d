"""Opening any session file of up to 1 MB costs at most 2 s of CPU and 200 MB of memory over
the imports, and ends in a loaded session or one SessionError of one line.

Files are generated: real saved sessions (gallery examples, trained networks with their
history, optimiser state and an embedded dataset) with their JSON values, structure, zip
members and array headers mutated, and hostile files made from scratch (JSON bombs, deep and
wide nesting, huge counts and widths, broadcast and deflate bombs). Each batch is opened in a
process of its own (``session_open_worker.py``) that measures every file separately.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import math
import random
import string
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from graphviz_nn.io.records import record_to_json

from .session_files import document_of, function, history, leaf, parts, real_sessions, session_bytes

MB = 10**6
MOST_FILE_BYTES = 2**20
MOST_CPU_SECONDS = 2.0
MOST_MEMORY = 200 * MB
WORKER = Path(__file__).with_name("session_open_worker.py")
BATCH = 12
BATCHES = 10


@functools.lru_cache(maxsize=1)
def _real() -> dict[str, tuple[dict, dict, bytes]]:
    """Real saved sessions: their document, arrays and bytes, made once."""
    found = {}
    with tempfile.TemporaryDirectory(prefix="gnn sessions ") as folder:
        for name, path in real_sessions(Path(folder)).items():
            document, arrays = parts(path)
            found[name] = (document, arrays, path.read_bytes())
    return found


# --- values and changes ------------------------------------------------------------------------


def sizes(most: int) -> st.SearchStrategy[int]:
    """Counts up to ``most``, the largest ones often (left alone, the draws stay small)."""
    return st.one_of(st.integers(0, most), st.sampled_from([most, most // 2, most // 4, most // 16]))


hostile_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 10**400, "n0", "n1", "n99999", "layer 1",
                     "output", "add", "matmul", "<f8", "|O", "perceptron", "softmax", ""]),
    st.text(max_size=20),
    sizes(3_000_000).map(lambda n: "x" * n),
    st.tuples(sizes(300_000), st.sampled_from([0, 1, 2**40, "n0", [], {}, 1.5, None])).map(
        lambda t: [t[1]] * t[0]),
    st.lists(st.integers(-3, 2**45), max_size=6),
    st.dictionaries(st.sampled_from(["axis", "keepdims", "shape", "axes", "alpha", "bogus"]), st.integers(-3, 2**40),
                    max_size=3),
)


def _paths(value, prefix=()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            found += _paths(item, prefix + (index,))
    return found


def _put(document: dict, path: tuple, value) -> None:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


_DELETE = object()
_METHODS = st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])


@st.composite
def json_values_changed(draw):
    """A real session with one to three values of its document replaced or deleted."""
    name = draw(st.sampled_from(sorted(_real())))
    document, arrays, _ = _real()[name]
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)[3:]  # not the format and version: generated_json changes those
        path = draw(st.sampled_from(paths))
        _put(document, path, draw(st.one_of(hostile_values, st.just(_DELETE))))
    return f"{name}: values changed", session_bytes(document, arrays, draw(_METHODS))


@st.composite
def structure_changed(draw):
    """A real session's graph with nodes repeated, dropped or reordered, or a long valid chain."""
    choice = draw(st.integers(0, 4))
    if choice == 4:  # as many nodes as a megabyte may hold: names that do not pack, a leaf in two
        return _named_graph(1 + draw(sizes(26_000)), draw(st.integers(0, 60)), draw(st.integers(0, 2**32)))
    if choice == 3:  # a chain as long as a file may hold, or a little longer
        n = 1 + draw(sizes(40_000))
        op = draw(st.sampled_from(["neg", "sin", "exp", "tanh"]))
        nodes = [leaf("n0", [draw(st.integers(0, 64))])] + [function(f"n{i}", op, [f"n{i - 1}"]) for i in range(1, n)]
        return f"chain of {n} {op}", session_bytes(document_of(nodes, [f"n{n - 1}"]),
                                                   {"n0": np.zeros(nodes[0]["shape"][0])})
    name = draw(st.sampled_from(sorted(_real())))
    document, arrays, _ = _real()[name]
    document = copy.deepcopy(document)
    nodes = document["graph"]["nodes"]
    i = draw(st.integers(0, len(nodes) - 1))
    if choice == 0:
        nodes[i + 1:i + 1] = [copy.deepcopy(nodes[i]) for _ in range(1 + draw(sizes(40_000)))]
    elif choice == 1:
        del nodes[i]
    else:
        j = draw(st.integers(0, len(nodes) - 1))
        nodes[i], nodes[j] = nodes[j], nodes[i]
    return f"{name}: structure changed ({choice})", session_bytes(document, arrays)


def _named_graph(n: int, letters: int, seed: int) -> tuple[str, bytes]:
    names = random.Random(seed)
    nodes, arrays, last = [leaf("n0", [2])], {"n0": np.ones(2)}, "n0"
    for i in range(1, n):
        if i % 2:
            nodes.append(leaf(f"n{i}", [2], kind="constant"))
            arrays[f"n{i}"] = np.full(2, float(i))
        else:
            nodes.append(function(f"n{i}", "add" if i % 4 else "mul", [last, f"n{i - 1}"]))
            last = f"n{i}"
        nodes[-1]["name"] = "".join(names.choice(string.ascii_letters) for _ in range(letters))
    if n % 2 == 0:
        nodes.pop()
        del arrays[f"n{n - 1}"]
    return f"{len(nodes)} named nodes", session_bytes(document_of(nodes, [last]), arrays)


@st.composite
def network_changed(draw):
    """A trained network's session naming other widths, layers or kinds."""
    name = draw(st.sampled_from(["xor run", "iris run"]))
    document, arrays, _ = _real()[name]
    document = copy.deepcopy(document)
    network = document["network"]
    network["hidden"] = draw(st.one_of(
        st.lists(st.integers(0, 10**6), max_size=8),
        st.sampled_from([[8000, 8000], [4096, 4096], [1e5, 1e5], [100_000, 100_000], [4096] * 32]),
        st.tuples(sizes(50_000), st.integers(1, 4096)).map(lambda t: [t[1]] * t[0]),
    ))
    if draw(st.booleans()):
        network["kind"] = draw(st.sampled_from(["perceptron", "layer", "conv"]))
    return f"{name}: hidden {str(network['hidden'])[:40]}", session_bytes(document, arrays)


@st.composite
def history_changed(draw):
    """A trained network's session with a long history naming new or many layers."""
    document, arrays, _ = _real()["xor run"]
    document = copy.deepcopy(document)
    record = document["history"][0]
    count = 1 + draw(sizes(60_000))
    names = draw(st.sampled_from(["new each", "same", "many pairs", "no network"]))
    if names == "new each":
        records = [dict(record, gradient_norms=[[f"layer {i}", 1.0]]) for i in range(count)]
    elif names == "many pairs":
        records = [dict(record, gradient_norms=[["output", 1.0]] * min(count, 5000))] * max(1, count // 100)
    else:
        records = [dict(record, epoch=i) for i in range(count)]
    if names == "no network":
        document.update(network=None, training=None, trainer=None)
    document["history"] = records
    return f"history of {len(records)} ({names})", session_bytes(document, arrays)


@st.composite
def view_changed(draw):
    document, arrays, _ = _real()[draw(st.sampled_from(sorted(_real())))]
    document = copy.deepcopy(document)
    number = st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, 1e308, 0.0, -1.0, 1e-300]))
    document["view"] = {"zoom": draw(number), "centre": draw(st.one_of(st.none(), st.lists(number, min_size=2,
                                                                                           max_size=2))),
                        "collapsed": draw(st.sampled_from([[], [["layer 1"]], [["x"] * 100] * 1000]))}
    return "view changed", session_bytes(document, arrays)


@st.composite
def zip_changed(draw):
    """A real session's bytes damaged, or its members repacked, dropped or multiplied."""
    name = draw(st.sampled_from(sorted(_real())))
    document, arrays, data = _real()[name]
    choice = draw(st.integers(0, 3))
    if choice == 0:
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 16))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return f"{name}: bytes changed", bytes(data)
    if choice == 1:
        return f"{name}: truncated", data[:draw(st.integers(0, len(data) - 1))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if choice == 2:
                method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                               zipfile.ZIP_LZMA]))
                target.writestr(info.filename, source.read(info), compress_type=method)
            elif draw(st.booleans()):
                target.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        if choice == 3:
            for i in range(draw(st.integers(0, 40))):
                target.writestr(f"extra {i}", b"\0" * draw(st.integers(0, 2**20)), compress_type=zipfile.ZIP_DEFLATED)
    return f"{name}: members repacked ({choice})", buffer.getvalue()


def _npy(descr: str, shape: tuple, fortran: bool, body: bytes) -> bytes:
    header = repr({"descr": descr, "fortran_order": fortran, "shape": shape}).encode("latin-1")
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


@st.composite
def array_header_changed(draw):
    """A real session with one array's .npy header declaring another dtype or shape (and the
    document sometimes agreeing), its values zeros or cut short, packed or not."""
    name = draw(st.sampled_from(sorted(_real())))
    document, arrays, _ = _real()[name]
    document = copy.deepcopy(document)
    key = draw(st.sampled_from(sorted(arrays)))
    descr = draw(st.sampled_from(["<f8", "<f4", "|u1", "<i8", ">f8", "<c16", "|O", "<f16", "<M8[s]", "|b1"]))
    shape = tuple(draw(st.lists(st.integers(0, 2**34), max_size=4)))
    if draw(st.booleans()):
        shape = tuple(min(n, 2**12) for n in shape)
    size = math.prod(shape) * 8
    body = bytes(min(size, 64 * 2**20)) if draw(st.booleans()) else b"\0" * draw(st.integers(0, 64))
    node = next((n for n in document["graph"]["nodes"] if n["id"] == key), None)
    if node is not None and draw(st.booleans()):
        node["shape"], node["dtype"] = list(shape), descr
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as archive:
        for other, value in arrays.items():
            if other == key:
                continue
            member = io.BytesIO()
            np.save(member, value)
            archive.writestr(f"{other}.npy", member.getvalue())
        archive.writestr(f"{key}.npy", _npy(descr, shape, draw(st.booleans()), body),
                         compress_type=draw(_METHODS))
    return f"{name}: {key}.npy declares {descr} {shape}", session_bytes(document, npz.getvalue())


HEAD = '{"format":"graphviz-nn session","version":1,'


@st.composite
def generated_json(draw):
    """A session.json made to be expensive: bombs of empty containers, deep or wide nesting,
    numbers of many digits, behind a valid beginning or none."""
    n = 1 + draw(sizes(8_000_000))
    body = draw(st.sampled_from([
        lambda: '"x":[' + "[]," * n + "[]]}",
        lambda: '"x":[' + "{}," * n + "{}]}",
        lambda: '"x":' + "[" * n + "]" * n + "}",
        lambda: '"x":' + '{"a":' * min(n, 2_000_000) + "1" + "}" * min(n, 2_000_000) + "}",
        lambda: '"x":{' + ",".join(f'"k{i}":0' for i in range(min(n, 1_000_000))) + "}}",
        lambda: '"x":' + "1" * min(n, 1_000_000) + "}",
        lambda: '"x":[' + "0," * n + "0]}",
        lambda: '"graph":{"nodes":[' + "{}," * n + '{}],"outputs":["n0"]}}',
    ]))()
    head = draw(st.sampled_from([HEAD, "", "[", '{"format":"graphviz-nn session","version":1e400,']))
    document, arrays, _ = _real()["xor run"]
    return f"generated JSON ({len(body)} characters)", session_bytes(head + body, arrays)


@st.composite
def broadcast_bomb(draw):
    """Small leaves whose ops broadcast, multiply or repeat into very large values."""
    n, m = 1 + draw(sizes(2**15)), 1 + draw(sizes(2**15))
    op = draw(st.sampled_from(["add", "mul", "sub", "maximum", "matmul"]))
    if op == "matmul":
        k = 1 + draw(sizes(2**12))
        shapes = ([n, k], [k, m])
    else:
        shapes = ([n, 1], [1, m])
    nodes = [leaf("n0", shapes[0]), leaf("n1", shapes[1]), function("n2", op, ["n0", "n1"])]
    for i in range(3, 3 + draw(st.integers(0, 6))):
        nodes.append(function(f"n{i}", draw(st.sampled_from(["sin", "exp", "neg", "tanh"])), [f"n{i - 1}"]))
    arrays = {"n0": np.zeros(shapes[0]), "n1": np.zeros(shapes[1])}
    assume(sum(a.nbytes for a in arrays.values()) <= 256 * 2**20)
    return f"{op} of {shapes} and {len(nodes) - 3} more", session_bytes(
        document_of(nodes, [nodes[-1]["id"]]), arrays)


class _File(tuple):
    """(label, bytes) that a failing example shows by its label, not its megabyte."""

    def __repr__(self) -> str:
        return f"<{self[0]}: {len(self[1])} bytes>"


hostile_files = st.one_of(
    json_values_changed(), structure_changed(), network_changed(), history_changed(), view_changed(),
    zip_changed(), array_header_changed(), generated_json(), broadcast_bomb(),
).filter(lambda file: len(file[1]) <= MOST_FILE_BYTES).map(_File)


# --- the property ---------------------------------------------------------------------------


def _open_in_a_process(paths: list[Path], warm_up: Path) -> list[dict]:
    done = subprocess.run([sys.executable, str(WORKER), str(warm_up), *map(str, paths)], capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, f"the worker failed: {done.stderr[-2000:]}"
    return json.loads(done.stdout)


# No shrinking: a failure names every file of its batch that misbehaved, and what it was.
@settings(max_examples=BATCHES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(st.lists(hostile_files, min_size=BATCH, max_size=BATCH))
def test_opening_any_file_of_up_to_a_megabyte_is_cheap_and_ends_cleanly(files) -> None:
    _check(files)


def _check(files: list[tuple[str, bytes]]) -> None:
    """Open ``files`` in a process of their own: each must load or be refused in one line,
    within the CPU and memory bounds."""
    with tempfile.TemporaryDirectory(prefix="gnn cost ") as folder:
        paths = []
        for i, (_, data) in enumerate(files):
            paths.append(Path(folder) / f"file {i}.gnn")
            paths[-1].write_bytes(data)
        warm_up = Path(folder) / "warm up.gnn"
        warm_up.write_bytes(_real()["scalar"][2])
        results = _open_in_a_process(paths, warm_up)
    problems = []
    for (label, data), result in zip(files, results):
        where = f"{label} ({len(data)} bytes)"
        outcome = result["outcome"]
        if outcome.startswith("refused: "):
            message = outcome[len("refused: "):]
            if "\n" in message or not message.startswith(result["path"] + ": ") or len(message) > 600:
                problems.append(f"{where}: unclear message {message[:300]!r}")
        elif outcome != "loaded":
            problems.append(f"{where}: {outcome[:300]}")
        if result["cpu"] > MOST_CPU_SECONDS:
            problems.append(f"{where}: {result['cpu']:.2f} s of CPU ({outcome[:120]})")
        if result["traced_peak"] > MOST_MEMORY:
            problems.append(f"{where}: {result['traced_peak'] / MB:.0f} MB held at once ({outcome[:120]})")
        if result["rss_growth"] is not None and result["rss_growth"] > MOST_MEMORY:
            problems.append(f"{where}: the process grew by {result['rss_growth'] / MB:.0f} MB ({outcome[:120]})")
    assert not problems, "\n".join(problems)

def _costliest() -> list[tuple[str, bytes]]:
    """The costliest files we know how to make, each at or just past what its size allows."""
    document, arrays, _ = _real()["xor run"]
    files = [
        ("8 million empty lists", session_bytes(HEAD + '"x":[' + "[]," * 8_000_000 + "[]]}", arrays)),
        ("8 million empty objects", session_bytes(HEAD + '"x":[' + "{}," * 8_000_000 + "{}]}", arrays)),
        ("8 million lists deep", session_bytes(HEAD + '"x":' + "[" * 8_000_000 + "]" * 8_000_000 + "}", arrays)),
        _named_graph(23_000, 30, 1),  # 1.0 MB: as many nodes as its size allows
        _named_graph(26_000, 22, 2),  # 0.98 MB: more
    ]
    for n, op in ((2800, "add"), (8192, "add"), (16384, "mul")):
        nodes = [leaf("n0", [n, 1]), leaf("n1", [1, n]), function("n2", op, ["n0", "n1"]),
                 function("n3", "sin", ["n2"])]
        files.append((f"{op} of {n} by {n}", session_bytes(document_of(nodes, ["n3"]),
                                                           {"n0": np.zeros((n, 1)), "n1": np.zeros((1, n))})))
    nodes = [leaf("n0", [1000, 2000]), leaf("n1", [2000, 1000]), function("n2", "matmul", ["n0", "n1"])]
    files.append(("a matmul of 4e9 flops", session_bytes(document_of(nodes, ["n2"]),
                                                         {"n0": np.zeros((1000, 2000)), "n1": np.zeros((2000, 1000))})))
    for n in (7_500_000, 9_000_000):
        nodes = [leaf("n0", [n]), function("n1", "sum", ["n0"], {"axis": None, "keepdims": False})]
        files.append((f"a leaf of {n} zeros", session_bytes(document_of(nodes, ["n1"]), {"n0": np.zeros(n)})))
    for count in (30_000, 60_000):
        long = copy.deepcopy(document)
        long["history"] = [dict(long["history"][0], epoch=i) for i in range(count)]
        files.append((f"a history of {count} alike", session_bytes(long, arrays)))
    long = copy.deepcopy(document)  # numbers that do not pack: as many records as 1 MB holds
    long["history"] = [record_to_json(r) for r in history(11_000)]
    files.append(("a history of 11,000", session_bytes(long, arrays)))
    for hidden in ([8000, 8000], [4096] * 32, [100_000] * 2):
        wide = copy.deepcopy(document)
        wide["network"]["hidden"] = hidden
        files.append((f"hidden {hidden[:2]}", session_bytes(wide, arrays)))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session.json", json.dumps(document))
        with archive.open("arrays.npz", "w") as stream:
            for _ in range(500):
                stream.write(bytes(2**20))
    files.append(("arrays.npz of 500 MiB of zeros", bomb.getvalue()))
    return files


def test_the_costliest_files_we_know_stay_within_the_bounds() -> None:
    files = _costliest()
    assert all(len(data) <= MOST_FILE_BYTES for _, data in files), [(label, len(d)) for label, d in files]
    _check(files)
