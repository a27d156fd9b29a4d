"""Session files (``.gnn``): a graph and its values, the network, the training history, the view.

A session file is a zip archive of two members, each stored or deflated (``arrays.npz`` is
stored when it holds 16 MiB or more, so that opening reads its arrays in place):

``session.json``
    ``{"format": "graphviz-nn session", "version": 1, ...}``: the graph as a list of node
    records in graph order (ids ``n0``, ``n1``, ...), its outputs, and the other fields of
    :class:`SessionState`. ``embedded_dataset`` (the dataset's name, feature and class names,
    picture shape and source) is present only when the session embeds its dataset; ``model``
    (a spec model's settings, spec and the keys of its weights) only for a spec model's run.
``arrays.npz``
    The value of every leaf (Variable or Constant) under its node id, the optimiser's arrays
    as ``trainer-0``, ``trainer-1``..., an embedded dataset's features and targets as
    ``dataset-X`` and ``dataset-y``, and a spec model's weights as ``model-0``, ``model-1``...; written by ``np.savez`` and read with
    ``allow_pickle=False``, dtype and shape exactly as they were.

Function values are not stored: loading applies each op from the registry again, in order,
so a loaded graph is consistent with its leaves. Nothing is ever unpickled or evaluated as
code. Every way a file can be wrong is reported as one :class:`SessionError` of one line that
names the file; a loader that must not crash on a damaged or hostile file catches just that.

What opening a file may cost is bounded by the limits of :mod:`.session_schema`, checked
before the work they bound, so that opening any file costs at most a constant times its size:
the file at most ``MAX_FILE_BYTES`` (about 537 MiB) and only a regular file (never a FIFO or a
device); the format and version read from the first bytes of ``session.json``, which unpacks
to at most ``MAX_JSON_BYTES`` (24 MiB) and whose values are counted before it is decoded; the
graph's whole structure (ids, inputs, ops, parameters, shapes, order, the work and memory of
recomputing it), the network's widths against the saved parameters, the history's layers
and the view checked from the JSON before any array is read; the arrays at most
``MAX_MEMBER_BYTES`` (512 MiB) together, an embedded dataset at most ``MAX_DATASET_BYTES``
(64 MiB); at most ``MAX_NODES`` (200,000) nodes, ``MAX_NODE_ELEMENTS`` (2**26) elements in a
node and ``MAX_TOTAL_ELEMENTS`` (2**28) in all; and, growing with the file's size n, at most
``JSON_VALUES_FLOOR + n // BYTES_PER_JSON_VALUE`` JSON values, ``NODES_FLOOR + n //
BYTES_PER_NODE`` nodes and ``MEMORY_FLOOR + n * MEMORY_PER_BYTE`` bytes of values (a file of
1 MB opens within 2 s of CPU and 200 MB of memory); every name at most ``MAX_NAME_CHARS``
(1,000) characters; the title, the expression, the dataset's path, an embedded dataset's name
and source at most ``MAX_TEXT_CHARS`` (32,767); scope paths at most ``MAX_SCOPE_DEPTH`` (64)
deep. A file that needs more memory than the computer gives raises a SessionError that says so.

This module gathers the format's public names; the work is done by ``session_schema`` (the
records and limits), ``session_writer``, ``session_reader``, ``session_json`` (the JSON member,
counted before it is decoded), ``session_graph`` (the graph, planned from the JSON before it
is computed), ``session_fields`` (typed fields, errors naming their place), ``bounded_archive``
(the zip archives) and ``session_ops`` (what the format knows of particular ops).

Qt-free.
"""

from __future__ import annotations

from .session_reader import load_session
from .session_schema import (ARRAYS_MEMBER, DATASET_ARRAYS, FORMAT_NAME, FORMAT_VERSION, JSON_MEMBER,
                             MAX_DATASET_BYTES, MAX_FILE_BYTES, MAX_JSON_BYTES, MAX_MEMBER_BYTES, MAX_NAME_CHARS,
                             MAX_NODE_ELEMENTS, MAX_NODES, MAX_SCOPE_DEPTH, MAX_TEXT_CHARS, MAX_TOTAL_ELEMENTS,
                             SUFFIX, TRAINER_ARRAY, ModelState, SessionError, SessionState, TrainerState,
                             ViewState)
from .session_writer import can_embed, save_session

__all__ = [
    "ARRAYS_MEMBER", "DATASET_ARRAYS", "FORMAT_NAME", "FORMAT_VERSION", "JSON_MEMBER", "MAX_DATASET_BYTES",
    "MAX_FILE_BYTES", "MAX_JSON_BYTES", "MAX_MEMBER_BYTES", "MAX_NAME_CHARS", "MAX_NODE_ELEMENTS", "MAX_NODES",
    "MAX_SCOPE_DEPTH", "MAX_TEXT_CHARS", "MAX_TOTAL_ELEMENTS", "SUFFIX", "TRAINER_ARRAY", "SessionError",
    "ModelState", "SessionState", "TrainerState", "ViewState", "can_embed", "load_session", "save_session",
]
