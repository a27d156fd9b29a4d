"""Reading a session file back into a :class:`SessionState`, every failure one clear error.

Qt-free.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Constant, Graph, Node, Variable
from ..nn.datasets import Dataset
from . import session_schema as schema
from .bounded_archive import (MOST_SESSION_ENTRIES, ArrayReader, check_directory, open_arrays, open_regular_file,
                              open_zip, read_member)
from .records import record_from_json, settings_from_json
from .session_fields import FieldReader, id_number, is_whole, json_kind, short
from .session_ops import read_function
from .session_schema import (ARRAYS_MEMBER, DATASET_ARRAYS, FORMAT_NAME, FORMAT_VERSION, JSON_MEMBER, TRAINER_ARRAY,
                             SessionState, TrainerState, ViewState)

_LEAVES = {"variable": Variable, "constant": Constant}


def load_session(path: str | Path) -> SessionState:
    """Read a session file written by :func:`save_session`.

    The graph is rebuilt by applying each function node's op from the registry to its
    inputs, in the order of the file; leaves get their stored values exactly (dtype and shape).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    SessionState

    Raises
    ------
    SessionError
        For anything wrong with the file, in one line naming the file: missing or unreadable,
        not a regular file, larger than ``MAX_FILE_BYTES``, not a zip, a member missing, too
        large or compressed other than stored or deflate, bad JSON, another format or a newer
        version, a text longer than its limit, an unknown op, an input used before it is
        defined, a missing or misshapen array, values that are not real numbers, shapes the
        ops refuse, parameters or fields of the wrong type, ids out of order or repeated, an
        output that is not in the graph, a graph too large to load, or more memory needed
        than the computer can give.
    """
    reader = _Reader(Path(path))
    try:
        return reader.read()
    except MemoryError:
        pass  # leaving the handler first frees the frames that hold the file's data
    reader.arrays = None
    raise reader.error("the file needs more memory than this computer can give to open it; "
                       "close other programs or open it on a computer with more memory")


class _Reader(FieldReader):
    """Reads one session file; every failure becomes a SessionError naming the file."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.arrays: ArrayReader | None = None
        self.flops = 0  # the work of recomputing the graph read so far

    def read(self) -> SessionState:
        handle, size = open_regular_file(self.path, self.error)
        problem = "is not a graphviz-nn session file: not a zip archive"
        with handle:
            check_directory(handle, size, MOST_SESSION_ENTRIES, self.error, problem)
            with open_zip(handle, self.error, problem) as archive:
                document = self._json(read_member(archive, JSON_MEMBER, JSON_MEMBER, schema.MAX_JSON_BYTES,
                                                  self.error))
                self._check_format(document)
                with open_arrays(archive, handle, size, self.error) as self.arrays:
                    return self._state(document)

    def _json(self, data: bytes) -> Any:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self.error(f"{JSON_MEMBER} is not UTF-8 text (bad byte at offset {error.start})") from None
        try:
            return json.loads(text)
        except RecursionError:
            raise self.error(f"{JSON_MEMBER} is nested too deeply to read") from None
        except json.JSONDecodeError as error:
            raise self.error(f"{JSON_MEMBER} is not valid JSON ({error.msg} at line {error.lineno}, "
                             f"column {error.colno})") from None
        except ValueError as error:  # a number of more than 4300 digits
            raise self.error(f"{JSON_MEMBER} is not valid JSON ({short(str(error))})") from None

    def _check_format(self, document: Any) -> None:
        if not isinstance(document, dict):
            raise self.error(f"{JSON_MEMBER} must hold a JSON object, found {json_kind(document)}")
        name = document.get("format")
        if name != FORMAT_NAME:
            raise self.error(f"is not a graphviz-nn session ({JSON_MEMBER} gives the format "
                             f"{short(name)}, expected {FORMAT_NAME!r})")
        version = document.get("version")
        if not is_whole(version):
            raise self.error(f"{JSON_MEMBER}: version must be a whole number, found {json_kind(version)}")
        if version > FORMAT_VERSION:
            raise self.error(f"made by a newer graphviz-nn (version {short(version, 30)}); "
                             f"this one reads version {FORMAT_VERSION}")
        if version < FORMAT_VERSION:
            raise self.error(f"has version {short(version, 30)}, which no graphviz-nn writes; "
                             f"this one reads version {FORMAT_VERSION}")

    # --- the document -----------------------------------------------------------------
    def _state(self, doc: dict) -> SessionState:
        j = JSON_MEMBER
        long = schema.MAX_TEXT_CHARS
        graph = self._graph(self.object(self.field(doc, "graph", j), f"{j}: graph"))
        output_id = self.text(self.field(doc, "output_id", j), f"{j}: output_id", optional=True)
        number = None if output_id is None else id_number(output_id)
        if output_id is not None and (number is None or number >= len(graph)):
            raise self.error(f"{j}: output_id {short(output_id)} is not a node of the graph "
                             f"(ids n0..n{len(graph) - 1})")
        network = self.field(doc, "network", j)
        dataset = self.text(self.field(doc, "dataset", j), f"{j}: dataset", optional=True, limit=long)
        if network is not None and dataset is None:
            raise self.error(f"{j}: a network is stored without its dataset (dataset is null)")
        history = self.list(self.field(doc, "history", j), f"{j}: history")
        return SessionState(
            graph=graph,
            output_id=output_id,
            title=self.text(self.field(doc, "title", j), f"{j}: title", limit=long),
            expression=self.text(self.field(doc, "expression", j), f"{j}: expression", optional=True, limit=long),
            # The training options are absent from files written before they were stored.
            training=None if network is None else settings_from_json(doc, self, j, dataset_limit=long),
            dataset=dataset,
            history=tuple(record_from_json(r, self, f"{j}: history[{i}]") for i, r in enumerate(history)),
            # Absent from files written before the optimiser's state was stored.
            trainer=None if doc.get("trainer") is None else self._trainer(doc["trainer"]),
            phase=self.text(self.field(doc, "phase", j), f"{j}: phase", optional=True),
            position=self.whole(self.field(doc, "position", j), f"{j}: position"),
            view=self._view(self.field(doc, "view", j)),
            # Absent from files written before datasets could be embedded.
            embedded_dataset=(None if doc.get("embedded_dataset") is None
                              else self._dataset(doc["embedded_dataset"])),
        )

    def _trainer(self, raw: Any) -> TrainerState:
        where = f"{JSON_MEMBER}: trainer"
        doc = self.object(raw, where)
        epochs_done = self.whole(self.field(doc, "epochs_done", where), f"{where}.epochs_done")
        if epochs_done < 0:
            raise self.error(f"{where}.epochs_done must be at least 0, found {epochs_done}")
        rng = self.object(self.field(doc, "rng", where), f"{where}.rng")
        names = self.list(self.field(doc, "optimiser", where), f"{where}.optimiser")
        optimiser = {}
        for i, name in enumerate(names):
            name = self.text(name, f"{where}.optimiser[{i}]")
            optimiser[name] = self.arrays.read(f"{TRAINER_ARRAY}{i}", f"the optimiser's {short(name, 40)}")
        return TrainerState(epochs_done, rng, optimiser)

    def _dataset(self, raw: Any) -> Dataset:
        where = f"{JSON_MEMBER}: embedded_dataset"
        doc = self.object(raw, where)
        most = schema.MAX_DATASET_BYTES
        X = self.arrays.read(DATASET_ARRAYS[0], "the embedded dataset's features", most)
        y = self.arrays.read(DATASET_ARRAYS[1], "the embedded dataset's targets", most - X.nbytes)
        if X.ndim != 2 or y.shape != X.shape[:1]:
            raise self.error(f"{ARRAYS_MEMBER}: the embedded dataset's features must be (rows, features) "
                             f"and its targets (rows,), found {X.shape} and {y.shape}")
        classes = self.field(doc, "class_names", where)
        classes = None if classes is None else self.texts(classes, f"{where}.class_names")
        if classes is not None and y.size and (y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= len(classes)):
            raise self.error(f"{ARRAYS_MEMBER}: the embedded dataset's targets must be class indices "
                             f"0..{len(classes) - 1}, found {y.dtype} values")
        image = self.field(doc, "image_shape", where)
        if image is not None:
            image = tuple(self.whole(n, f"{where}.image_shape") for n in self.list(image, f"{where}.image_shape"))
            if len(image) != 2 or min(image) < 1 or math.prod(image) != X.shape[1]:
                raise self.error(f"{where}.image_shape {short(image)} does not fit rows of {X.shape[1]} features")
        return Dataset(
            name=self.text(self.field(doc, "name", where), f"{where}.name", limit=schema.MAX_TEXT_CHARS),
            X=X, y=y,
            feature_names=self.texts(self.field(doc, "feature_names", where), f"{where}.feature_names"),
            class_names=classes,
            image_shape=image,
            source=self.text(self.field(doc, "source", where), f"{where}.source", limit=schema.MAX_TEXT_CHARS),
        )

    def _view(self, raw: Any) -> ViewState:
        where = f"{JSON_MEMBER}: view"
        doc = self.object(raw, where)
        centre = self.field(doc, "centre", where)
        if centre is not None:
            if not isinstance(centre, list) or len(centre) != 2:
                raise self.error(f"{where}.centre must be an [x, y] pair or null, found {json_kind(centre)}")
            centre = (self.number(centre[0], f"{where}.centre[0]"), self.number(centre[1], f"{where}.centre[1]"))
        collapsed = self.list(self.field(doc, "collapsed", where), f"{where}.collapsed")
        return ViewState(
            zoom=self.number(self.field(doc, "zoom", where), f"{where}.zoom"),
            centre=centre,
            collapsed=tuple(self.scope(s, f"{where}.collapsed[{i}]") for i, s in enumerate(collapsed)),
        )

    # --- the graph --------------------------------------------------------------------
    def _graph(self, doc: dict) -> Graph:
        where = f"{JSON_MEMBER}: graph"
        records = self.list(self.field(doc, "nodes", where), f"{where}.nodes")
        if not records:
            raise self.error(f"{where} has no nodes")
        if len(records) > schema.MAX_NODES:
            raise self.error(f"{where} has {len(records)} nodes, more than the limit of {schema.MAX_NODES}")
        built: list[Node] = []
        elements = 0
        for index, raw in enumerate(records):
            with np.errstate(all="ignore"):  # a graph may hold inf and nan on purpose
                node = self._node(raw, index, built)
            elements += node.value.size
            if elements > schema.MAX_TOTAL_ELEMENTS:
                raise self.error(f"{where}: the values of nodes n0..n{index} have more than "
                                 f"{schema.MAX_TOTAL_ELEMENTS} elements together, more than the limit")
            built.append(node)
        raw_outputs = self.list(self.field(doc, "outputs", where), f"{where}.outputs")
        if not raw_outputs:
            raise self.error(f"{where}.outputs is empty; a graph needs at least one output")
        outputs = [built[self._node_index(out, len(built), f"{where}.outputs[{i}]",
                                          "which is not a node of the graph")]
                   for i, out in enumerate(raw_outputs)]
        graph = Graph(*outputs)
        # The outputs determine the graph order; the file must list exactly those nodes in it,
        # so that ids (and output_id) mean the same nodes after loading.
        if len(graph) != len(built):
            unused = next(i for i, node in enumerate(built) if node not in graph)
            raise self.error(f"{where}: node n{unused} feeds none of the outputs; a session file "
                             "lists only the nodes the outputs depend on")
        for index, node in enumerate(graph.nodes):
            if node is not built[index]:
                raise self.error(f"{where}: the nodes are not in graph order (the outputs put n"
                                 f"{built.index(node)} at place {index}); list them as save_session does")
        return graph

    def _node_index(self, node_id: Any, defined: int, where: str, problem: str) -> int:
        """The position of a node named by id among the ``defined`` nodes read so far."""
        node_id = self.text(node_id, where)
        index = id_number(node_id)
        if index is None or index >= defined:
            raise self.error(f"{where} is {short(node_id)}, {problem}")
        return index

    def _node(self, raw: Any, index: int, built: list[Node]) -> Node:
        where = f"{JSON_MEMBER}: node {index}"
        record = self.object(raw, where)
        node_id = self.text(self.field(record, "id", where), f"{where}: id")
        if node_id != f"n{index}":
            number = id_number(node_id)
            problem = "repeats an earlier node's id" if number is not None and number < index else "is out of order"
            raise self.error(f"{where}: id {short(node_id)} {problem}; nodes are listed in graph "
                             f"order with ids n0, n1, ..., so this one must be n{index}")
        where = f"{JSON_MEMBER}: node {node_id}"
        kind = self.text(self.field(record, "kind", where), f"{where}: kind")
        name = self.text(self.field(record, "name", where), f"{where}: name", optional=True)
        scope = self.scope(self.field(record, "scope", where), f"{where}: scope")
        if kind in _LEAVES:
            node: Node = _LEAVES[kind](0.0, name)
            node.value = self._leaf_value(record, node_id, where)
        elif kind == "function":
            node = read_function(self, self._node_index, record, where, name, built)
        else:
            raise self.error(f"{where}: kind {short(kind)} is not one of variable, constant, function")
        node.scope = scope
        return node

    def _leaf_value(self, record: dict, node_id: str, where: str) -> np.ndarray:
        dtype = self.text(self.field(record, "dtype", where), f"{where}: dtype")
        raw_shape = self.list(self.field(record, "shape", where), f"{where}: shape")
        shape = tuple(self.whole(n, f"{where}: shape[{i}]") for i, n in enumerate(raw_shape))
        array = self.arrays.read(node_id, f"the leaf {node_id}")
        if array.dtype.str != dtype or array.shape != shape:
            raise self.error(f"{ARRAYS_MEMBER}: {node_id}.npy holds {array.dtype.str!r} values of shape "
                             f"{array.shape}, but {JSON_MEMBER} says {short(dtype, 20)} of shape {short(shape, 40)}")
        return array
