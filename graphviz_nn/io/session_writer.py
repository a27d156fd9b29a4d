"""Writing a :class:`SessionState` to a session file.

Qt-free.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Constant, Function, Graph, Variable, registry
from ..nn.datasets import Dataset
from . import session_schema as schema
from .atomic import write_atomic
from .bounded_archive import REAL_KINDS, real_arrays_out
from .json_fields import real_out as _real
from .json_fields import whole_out as _whole
from .records import record_to_json, settings_to_json
from .session_model import encode_model
from .session_ops import NESTING
from .session_schema import (ARRAYS_MEMBER, DATASET_ARRAYS, FORMAT_NAME, FORMAT_VERSION, JSON_MEMBER, TRAINER_ARRAY,
                             SessionState, TrainerState, ViewState)

#: An arrays.npz of this many bytes or more is stored in the file rather than deflated.
STORE_ARRAYS_FROM = 16 * 2**20


def save_session(path: str | Path, state: SessionState) -> Path:
    """Write ``state`` to a session file, atomically: a failure leaves any old file intact.

    Parameters
    ----------
    path : str or Path
        Conventionally ending in ``.gnn``.
    state : SessionState

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        When the state cannot be stored: a node whose op is not in the registry, a leaf that
        does not hold real numbers, an op parameter or field that is not a plain value, a text
        longer than the limits of :mod:`graphviz_nn.io.session_schema`, an ``output_id`` that
        is not in the graph, an embedded dataset of more than ``MAX_DATASET_BYTES``.
    OSError
        When the file cannot be written.
    """
    if not isinstance(state, SessionState):
        raise TypeError(f"save_session needs a SessionState, got {type(state).__name__}")
    nodes, outputs, arrays = _encode_graph(state.graph)
    if state.output_id is not None and state.output_id not in {node["id"] for node in nodes}:
        raise ValueError(
            f"output_id {state.output_id!r} is not a node of the graph (ids n0..n{len(state.graph) - 1})"
        )
    long = schema.MAX_TEXT_CHARS
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": _text(state.title, "title", long),
        "expression": _optional_text(state.expression, "expression", long),
        **_training_members(state),
        "phase": _optional_text(state.phase, "phase"),
        "position": _whole(state.position, "position"),
        "output_id": state.output_id,
        "history": _encode_history(state.history),
        "trainer": None if state.trainer is None else _encode_trainer(state.trainer, arrays),
        "view": _encode_view(state.view),
        "graph": {"nodes": nodes, "outputs": outputs},
    }
    if state.embedded_dataset is not None:  # absent otherwise, as in files written before it
        document["embedded_dataset"] = _encode_dataset(state.embedded_dataset, arrays)
    if state.model is not None:  # absent otherwise, as in files written before spec models
        document["model"] = encode_model(state.model, arrays)
    # No indent: with one, json encodes in pure Python, ten times slower, and a long
    # training history (tens of thousands of epochs) took over a second to save.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    arrays_buffer = io.BytesIO()
    np.savez(arrays_buffer, allow_pickle=False, **arrays)
    # Large arrays are stored: opening reads them in place rather than unpacking a copy first
    # (a leaf of 128 MiB of weights: 257 MiB of memory to open deflated, 129 MiB stored; 0.8 s
    # to 0.2 s), and deflate saved 4 % of the file for 4 s of saving.
    stored = arrays_buffer.tell() >= STORE_ARRAYS_FROM
    payload = io.BytesIO()
    # The fastest deflate level: a third of the time of the default, files a little larger.
    with zipfile.ZipFile(payload, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(JSON_MEMBER, text.encode("utf-8"))
        archive.writestr(ARRAYS_MEMBER, arrays_buffer.getvalue(),
                         compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return write_atomic(path, payload.getvalue())


def _encode_graph(graph: Graph) -> tuple[list[dict], list[str], dict[str, np.ndarray]]:
    """Node records in graph order, output ids, and the leaf values by node id."""
    if not isinstance(graph, Graph):
        raise TypeError(f"a session's graph must be a Graph, got {type(graph).__name__}")
    ops = registry()
    records, arrays = [], {}
    for node in graph.nodes:
        node_id = graph.id_of(node)
        where = f"node {node_id} ({node.label!r})"
        if node.name is not None and not isinstance(node.name, str):
            raise ValueError(f"{where}: its name must be text or None, got {type(node.name).__name__}")
        if not isinstance(node.scope, tuple) or not all(isinstance(s, str) for s in node.scope):
            raise ValueError(f"{where}: its scope must be a tuple of text, got {node.scope!r}")
        record: dict[str, Any] = {"id": node_id, "kind": node.kind,
                                  "name": _optional_text(node.name, f"{where}: its name"),
                                  "scope": _scope(node.scope, f"{where}: its scope")}
        if isinstance(node, Function):
            if ops.get(node.op.name) is not node.op:
                raise ValueError(
                    f"{where}: its op {node.op.name!r} is not the registered op of that name; "
                    "register the op before saving, as a session file names ops by registry name"
                )
            record["op"] = node.op.name
            record["params"] = {key: _encode_param(value, f"{where}: parameter {key!r}")
                                for key, value in node.params.items()}
            record["inputs"] = [graph.id_of(x) for x in node.inputs]
        elif isinstance(node, (Variable, Constant)):
            value = np.asarray(node.value)
            if value.dtype.hasobject or value.dtype.kind not in REAL_KINDS:
                raise ValueError(f"{where}: holds {value.dtype} values; a session file stores real numbers only")
            record["dtype"] = value.dtype.str
            record["shape"] = list(value.shape)
            arrays[node_id] = value
        else:
            raise ValueError(f"{where}: a {type(node).__name__} is neither a leaf nor a Function")
        records.append(record)
    return records, [graph.id_of(out) for out in graph.outputs], arrays


def _encode_param(value: Any, where: str, depth: int = 0) -> Any:
    """An op parameter as JSON: numbers, bools, text and None as they are, tuples as lists."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (tuple, list)) and depth < NESTING:
        return [_encode_param(v, where, depth + 1) for v in value]
    if hasattr(value, "__array__"):  # whole numbers in an array (getitem's positions): lists
        array = np.asarray(value)
        if array.dtype.kind in "iu" and depth + array.ndim <= NESTING:
            return array.tolist()
    raise ValueError(f"{where}: {type(value).__name__} values cannot be stored in a session file")


def _text(value: Any, where: str, limit: int | None = None) -> str:
    """Text of at most ``limit`` characters (``MAX_NAME_CHARS`` unless given)."""
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text, got {type(value).__name__}")
    limit = schema.MAX_NAME_CHARS if limit is None else limit
    if len(value) > limit:
        raise ValueError(f"{where} is {len(value)} characters long; a session file stores at most {limit}")
    return value


def _optional_text(value: Any, where: str, limit: int | None = None) -> str | None:
    return None if value is None else _text(value, where, limit)


def _scope(scope: tuple[str, ...], where: str) -> list[str]:
    if len(scope) > schema.MAX_SCOPE_DEPTH:
        raise ValueError(f"{where} is {len(scope)} scopes deep; a session file stores at most "
                         f"{schema.MAX_SCOPE_DEPTH}")
    return [_text(s, where) for s in scope]


def _training_members(state: SessionState) -> dict:
    """The dataset, network and training members: the training settings' own JSON."""
    long = schema.MAX_TEXT_CHARS
    settings = state.training
    if settings is None:
        return {"dataset": _optional_text(state.dataset, "dataset", long), "network": None, "training": None}
    if state.dataset is not None and state.dataset != str(settings.dataset):
        raise ValueError(f"dataset {state.dataset!r} is not the training settings' {settings.dataset!r}")
    _text(str(settings.dataset), "dataset", long)
    return settings_to_json(settings, long)


def _encode_history(history) -> list[dict]:
    # The field names alone, prefixed only on failure: a history holds tens of thousands.
    encoded = []
    for index, record in enumerate(history):
        try:
            encoded.append(record_to_json(record))
        except ValueError as error:
            raise ValueError(f"history[{index}].{error}") from None
    return encoded


def _encode_trainer(trainer: TrainerState, arrays: dict[str, np.ndarray]) -> dict:
    """The trainer's fields; its arrays join ``arrays`` as ``trainer-0``, ``trainer-1``..."""
    names = real_arrays_out(trainer.optimiser, "trainer.optimiser", TRAINER_ARRAY, arrays, _text)
    try:
        rng = json.loads(json.dumps(trainer.rng))
    except (TypeError, ValueError):
        raise ValueError("trainer.rng must be a plain JSON object (a numpy bit generator's state)") from None
    return {"epochs_done": _whole(trainer.epochs_done, "trainer.epochs_done"), "rng": rng, "optimiser": names}


def can_embed(data: Dataset) -> bool:
    """Whether :func:`save_session` can embed ``data`` (its features and targets together hold at
    most ``MAX_DATASET_BYTES``); when not, save with ``embedded_dataset=None`` and say so."""
    return np.asarray(data.X).nbytes + np.asarray(data.y).nbytes <= schema.MAX_DATASET_BYTES


def _encode_dataset(data: Dataset, arrays: dict[str, np.ndarray]) -> dict:
    """An embedded dataset's fields; its features and targets join ``arrays``."""
    if not isinstance(data, Dataset):
        raise TypeError(f"embedded_dataset must be a Dataset, got {type(data).__name__}")
    X, y = np.asarray(data.X), np.asarray(data.y)
    for label, values in (("features", X), ("targets", y)):
        if values.dtype.kind not in REAL_KINDS:
            raise ValueError(f"embedded_dataset {data.name!r}: its {label} must be real numbers, not {values.dtype}")
    held = X.nbytes + y.nbytes
    if not can_embed(data):
        raise ValueError(
            f"embedded_dataset {data.name!r} holds {held} bytes of features and targets ({held / 2**20:.1f} "
            f"MiB), more than the {schema.MAX_DATASET_BYTES} a session file embeds; save without it "
            "(embedded_dataset=None) to keep only its name or path in the dataset field"
        )
    arrays[DATASET_ARRAYS[0]], arrays[DATASET_ARRAYS[1]] = X, y
    where = "embedded_dataset"
    return {
        "name": _text(data.name, f"{where}.name", schema.MAX_TEXT_CHARS),
        "feature_names": [_text(n, f"{where}.feature_names") for n in data.feature_names],
        "class_names": (None if data.class_names is None
                        else [_text(n, f"{where}.class_names") for n in data.class_names]),
        "image_shape": None if data.image_shape is None else [_whole(n, f"{where}.image_shape")
                                                               for n in data.image_shape],
        "source": _text(data.source, f"{where}.source", schema.MAX_TEXT_CHARS),
    }


def _encode_view(view: ViewState) -> dict:
    return {
        "zoom": _real(view.zoom, "view.zoom"),
        "centre": None if view.centre is None else [_real(c, "view.centre") for c in view.centre],
        "collapsed": [_scope(scope, "view.collapsed") for scope in view.collapsed],
    }
