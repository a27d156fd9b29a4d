"""Session files to take apart and put together again: real saved sessions as their document
and arrays, and the zip of a document and arrays however they were changed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from graphviz_nn.io.session_file import ARRAYS_MEMBER, JSON_MEMBER, SessionState, save_session
from graphviz_nn.nn import EpochRecord
from graphviz_nn.nn.datasets import load
from graphviz_nn.session.document import capture
from graphviz_nn.session.examples import EXAMPLES
from graphviz_nn.session.training import DEFAULTS, TrainingRun


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parts(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The document and the arrays of a session file."""
    found = members(path)
    with np.load(io.BytesIO(found[ARRAYS_MEMBER]), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return json.loads(found[JSON_MEMBER]), arrays


def npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def session_bytes(document: dict | str | bytes, arrays: dict[str, np.ndarray] | bytes,
                  method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A session file of ``document`` (JSON text, or an object to write as it) and ``arrays``
    (or an npz's bytes), both members packed with ``method``."""
    if isinstance(document, dict):
        document = json.dumps(document, separators=(",", ":"))
    text = document.encode("utf-8") if isinstance(document, str) else document
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(JSON_MEMBER, text)
        archive.writestr(ARRAYS_MEMBER, arrays if isinstance(arrays, bytes) else npz(arrays))
    return buffer.getvalue()


def trained(dataset: str = "xor", epochs: int = 5, embed: bool = False) -> SessionState:
    """The session of a network trained for a few epochs, as the window saves it; ``embed``
    carries the dataset in the file as a CSV file's would be."""
    run = TrainingRun.create(DEFAULTS[dataset])
    for record in run.trainer.fit(run.train, run.test, epochs):
        run.history.append(record)
    run.show_rows()  # as the window does after training
    state = capture(run.built(), dataset, run=run)
    if embed:
        state = SessionState(**{**state.__dict__, "embedded_dataset": load(dataset)})
    return state


def real_sessions(folder: Path) -> dict[str, Path]:
    """Files of real sessions: gallery examples, and trained networks with their history."""
    saved = {}
    for key in ("scalar", "vector", "layer_net", "perceptron_net", "newton", "solve"):
        saved[key] = save_session(folder / f"{key}.gnn", capture(EXAMPLES[key].build(), key))
    saved["xor run"] = save_session(folder / "xor.gnn", trained("xor", 20))
    saved["iris run"] = save_session(folder / "iris.gnn", trained("iris", 5, embed=True))
    return saved


def history(epochs: int, layers: tuple[str, ...] = ("layer 1", "output")) -> tuple[EpochRecord, ...]:
    """A long run's records, as the trainer writes them."""
    values = np.random.default_rng(0).random((epochs, 5))
    return tuple(EpochRecord(e + 1, float(v[0]), float(v[1]), float(v[2]), float(v[3]),
                             tuple((name, float(v[4])) for name in layers), float(e)) for e, v in enumerate(values))


def document_of(nodes: list[dict], outputs: list[str], **fields) -> dict:
    """A session document holding a graph of ``nodes`` and nothing else."""
    document = {"format": "graphviz-nn session", "version": 1, "title": "", "expression": None, "dataset": None,
                "network": None, "training": None, "phase": None, "position": -1, "output_id": None,
                "history": [], "trainer": None, "view": {"zoom": 1.0, "centre": None, "collapsed": []},
                "graph": {"nodes": nodes, "outputs": outputs}}
    document.update(fields)
    return document


def leaf(node_id: str, shape: list[int], dtype: str = "<f8", kind: str = "variable") -> dict:
    return {"id": node_id, "kind": kind, "name": None, "scope": [], "dtype": dtype, "shape": shape}


def function(node_id: str, op: str, inputs: list[str], params: dict | None = None) -> dict:
    return {"id": node_id, "kind": "function", "name": None, "scope": [], "op": op, "params": params or {},
            "inputs": inputs}
