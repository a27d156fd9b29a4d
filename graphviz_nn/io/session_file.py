"""Session files (``.gnn``): a graph and its values, the network, the training history, the view.

A session file is a zip archive of two members:

``session.json``
    ``{"format": "graphviz-nn session", "version": 1, ...}``: the graph as a list of node
    records in graph order (ids ``n0``, ``n1``, ...), its outputs, and the other fields of
    :class:`SessionState`.
``arrays.npz``
    The value of every leaf (Variable or Constant) under its node id, written by ``np.savez``
    and read with ``allow_pickle=False``, dtype and shape exactly as they were.

Function values are not stored: loading applies each op from the registry again, in order,
so a loaded graph is consistent with its leaves. Nothing is ever unpickled or evaluated as
code. Every way a file can be wrong is reported as one :class:`SessionError` of one line that
names the file; a loader that must not crash on a damaged or hostile file catches just that.

Qt-free.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Constant, Function, Graph, Node, ShapeError, Variable, registry
from ..nn.builder import NetworkSpec
from ..nn.trainer import EpochRecord
from .atomic import write_atomic

FORMAT_NAME = "graphviz-nn session"
FORMAT_VERSION = 1
SUFFIX = ".gnn"
JSON_MEMBER = "session.json"
ARRAYS_MEMBER = "arrays.npz"
TRAINER_ARRAY = "trainer-"  # the optimiser's arrays, numbered, beside the leaves' n0, n1...

#: Refuse a session.json that unpacks to more than this (200,000 nodes take about 40 MiB).
MAX_JSON_BYTES = 64 * 2**20
#: Refuse an arrays.npz, or the arrays in it together, that unpack to more than this.
MAX_MEMBER_BYTES = 512 * 2**20
#: Refuse files larger than this: the members, stored or compressed, cannot make one larger.
MAX_FILE_BYTES = 2 * (MAX_JSON_BYTES + MAX_MEMBER_BYTES)
#: Refuse graphs of more nodes than this.
MAX_NODES = 200_000
#: Refuse a node whose value would have more elements than this (512 MiB of float64).
MAX_NODE_ELEMENTS = 2**26
#: Refuse a graph whose values together would have more elements than this (2 GiB of float64).
MAX_TOTAL_ELEMENTS = 2**28

_LEAVES = {"variable": Variable, "constant": Constant}
_REAL_KINDS = "biuf"  # bool, signed, unsigned, floating: the values a node may hold
_INT64 = 2**63
_NESTING = 8  # how deeply a param of an unknown name may nest lists


class SessionError(ValueError):
    """A session file that cannot be loaded; the message is one line naming the file."""


@dataclass(frozen=True, eq=False)
class ViewState:
    """How the graph was shown.

    Attributes
    ----------
    zoom : float
        Scale of the drawing (1 = natural size).
    centre : (float, float) or None
        Scene point at the centre of the view; None to fit the graph.
    collapsed : tuple of tuple of str
        The scopes drawn collapsed, each a scope path such as ``("layer 1", "perceptron 2")``.
    """

    zoom: float = 1.0
    centre: tuple[float, float] | None = None
    collapsed: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class TrainingOptions:
    """How the network of a session is trained (its shape is the :class:`NetworkSpec`)."""

    optimiser: str = "adam"
    lr: float = 0.05
    batch_size: int | None = None
    epochs: int = 300
    seed: int = 0
    test_fraction: float = 0.3


@dataclass(frozen=True, eq=False)
class TrainerState:
    """Where training stands beyond the weights, so that it resumes exactly.

    Attributes
    ----------
    epochs_done : int
    rng : dict
        The state of the generator that shuffles mini-batches (numpy's ``bit_generator.state``).
    optimiser : dict of str to ndarray
        The optimiser's step count and running averages (``Optimiser.state()``).
    """

    epochs_done: int
    rng: dict
    optimiser: dict


@dataclass(frozen=True, eq=False)
class SessionState:
    """Everything a session file holds.

    Attributes
    ----------
    graph : Graph
    output_id : str or None
        Id of the node the backward pass starts from.
    title : str
    expression : str or None
        The expression the graph was parsed from, when it came from the expression editor.
    network : NetworkSpec or None
        The settings of the network the graph belongs to.
    training : TrainingOptions or None
        How that network is trained.
    dataset : str or None
        A built-in dataset name or the path of a CSV file.
    history : tuple of EpochRecord
        The training run so far.
    trainer : TrainerState or None
        The optimiser's averages and the shuffling generator (absent from older files).
    phase : str or None
        The recorded pass being played back ("forward", "backward", "tangent").
    position : int
        The playback cursor; -1 when nothing is being played back.
    view : ViewState
    """

    graph: Graph
    output_id: str | None
    title: str = ""
    expression: str | None = None
    network: NetworkSpec | None = None
    training: TrainingOptions | None = None
    dataset: str | None = None
    history: tuple[EpochRecord, ...] = ()
    trainer: TrainerState | None = None
    phase: str | None = None
    position: int = -1
    view: ViewState = ViewState()


# --- saving -------------------------------------------------------------------------------


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
        does not hold real numbers, an op parameter or field that is not a plain value, an
        ``output_id`` that is not in the graph.
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
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": _text(state.title, "title"),
        "expression": _optional_text(state.expression, "expression"),
        "dataset": _optional_text(state.dataset, "dataset"),
        "phase": _optional_text(state.phase, "phase"),
        "position": _whole(state.position, "position"),
        "output_id": state.output_id,
        "network": None if state.network is None else _encode_network(state.network),
        "training": None if state.training is None else _encode_training(state.training),
        "history": [_encode_record(r, i) for i, r in enumerate(state.history)],
        "trainer": None if state.trainer is None else _encode_trainer(state.trainer, arrays),
        "view": _encode_view(state.view),
        "graph": {"nodes": nodes, "outputs": outputs},
    }
    # No indent: with one, json encodes in pure Python, ten times slower, and a long
    # training history (tens of thousands of epochs) took over a second to save.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    arrays_buffer = io.BytesIO()
    np.savez(arrays_buffer, allow_pickle=False, **arrays)
    payload = io.BytesIO()
    # The fastest deflate level: a third of the time of the default, files a little larger.
    with zipfile.ZipFile(payload, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(JSON_MEMBER, text.encode("utf-8"))
        archive.writestr(ARRAYS_MEMBER, arrays_buffer.getvalue())
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
        scope = list(node.scope)
        record: dict[str, Any] = {"id": node_id, "kind": node.kind, "name": node.name, "scope": scope}
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
            if value.dtype.hasobject or value.dtype.kind not in _REAL_KINDS:
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
    if isinstance(value, (tuple, list)) and depth < _NESTING:
        return [_encode_param(v, where, depth + 1) for v in value]
    raise ValueError(f"{where}: {type(value).__name__} values cannot be stored in a session file")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text, got {type(value).__name__}")
    return value


def _optional_text(value: Any, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{where} must be a whole number, got {type(value).__name__}")
    return int(value)


def _real(value: Any, where: str) -> float:
    if type(value) is float:  # nearly always: the checks below are for everything else
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where} must be a number, got {type(value).__name__}")
    return float(value)


def _optional_real(value: Any, where: str) -> float | None:
    return None if value is None else _real(value, where)


def _encode_network(spec: NetworkSpec) -> dict:
    return {
        "kind": _text(spec.kind, "network.kind"),
        "hidden": [_whole(n, "network.hidden") for n in spec.hidden],
        "activation": _text(spec.activation, "network.activation"),
        "output_activation": _text(spec.output_activation, "network.output_activation"),
        "loss": _text(spec.loss, "network.loss"),
        "bias": bool(spec.bias),
        "normalise": bool(spec.normalise),
        "init": _optional_text(spec.init, "network.init"),
    }


def _encode_training(options: TrainingOptions) -> dict:
    return {
        "optimiser": _text(options.optimiser, "training.optimiser"),
        "lr": _real(options.lr, "training.lr"),
        "batch_size": None if options.batch_size is None else _whole(options.batch_size, "training.batch_size"),
        "epochs": _whole(options.epochs, "training.epochs"),
        "seed": _whole(options.seed, "training.seed"),
        "test_fraction": _real(options.test_fraction, "training.test_fraction"),
    }


def _encode_trainer(trainer: TrainerState, arrays: dict[str, np.ndarray]) -> dict:
    """The trainer's fields; its arrays join ``arrays`` as ``trainer-0``, ``trainer-1``..."""
    names = []
    for i, (name, value) in enumerate(trainer.optimiser.items()):
        value = np.asarray(value)
        if value.dtype.kind not in _REAL_KINDS:
            raise ValueError(f"trainer.optimiser[{name!r}] must hold real numbers, not {value.dtype}")
        names.append(_text(name, "trainer.optimiser"))
        arrays[f"{TRAINER_ARRAY}{i}"] = value
    try:
        rng = json.loads(json.dumps(trainer.rng))
    except (TypeError, ValueError):
        raise ValueError("trainer.rng must be a plain JSON object (a numpy bit generator's state)") from None
    return {"epochs_done": _whole(trainer.epochs_done, "trainer.epochs_done"), "rng": rng, "optimiser": names}


def _encode_record(record: EpochRecord, index: int) -> dict:
    # The field names alone, prefixed only on failure: a history holds tens of thousands.
    try:
        return {
            "epoch": _whole(record.epoch, "epoch"),
            "train_loss": _real(record.train_loss, "train_loss"),
            "test_loss": _optional_real(record.test_loss, "test_loss"),
            "train_accuracy": _optional_real(record.train_accuracy, "train_accuracy"),
            "test_accuracy": _optional_real(record.test_accuracy, "test_accuracy"),
            "gradient_norms": [[_text(name, "gradient_norms"), _real(norm, "gradient_norms")]
                               for name, norm in record.gradient_norms],
            "seconds": _real(record.seconds, "seconds"),
        }
    except ValueError as error:
        raise ValueError(f"history[{index}].{error}") from None


def _encode_view(view: ViewState) -> dict:
    return {
        "zoom": _real(view.zoom, "view.zoom"),
        "centre": None if view.centre is None else [_real(c, "view.centre") for c in view.centre],
        "collapsed": [[_text(s, "view.collapsed") for s in scope] for scope in view.collapsed],
    }


# --- loading ------------------------------------------------------------------------------


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
        not a zip, a member missing or too large, bad JSON, another format or a newer version,
        an unknown op, an input used before it is defined, a missing or misshapen array,
        values that are not real numbers, shapes the ops refuse, parameters or fields of the
        wrong type, ids out of order or repeated, an output that is not in the graph, a
        graph too large to load.
    """
    return _Reader(Path(path)).read()


def _short(value: Any, limit: int = 100) -> str:
    """A repr cut to ``limit`` characters, for quoting file contents in messages."""
    try:
        text = repr(value)
    except ValueError:  # an integer of more digits than Python will print
        return "(a value too large to show)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_kind(value: Any) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number" if -_INT64 <= value < _INT64 else "a whole number beyond 64 bits"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _param_kind(value: Any) -> str:
    """What a parameter's value is, in words; for a list, what is wrong inside it."""
    if isinstance(value, list):
        wrong = next((v for v in value if not _is_index(v)), None)
        return "a list" if wrong is None else f"a list holding {_json_kind(wrong)}"
    return _json_kind(value)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_index(value: Any) -> bool:
    """A whole number numpy can take as an axis or a dimension (it fits in 64 bits)."""
    return _is_whole(value) and -_INT64 <= value < _INT64


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_record(raw: Any) -> EpochRecord | None:
    """An epoch record whose every field has the type this module writes, else None.

    A history holds tens of thousands of records: checking each the ordinary way (with a
    message ready for each field) took half a second. Anything unusual returns None and
    takes that way, which names what is wrong.
    """
    if type(raw) is not dict:
        return None
    try:
        epoch, norms = raw["epoch"], raw["gradient_norms"]
        train_loss, seconds = raw["train_loss"], raw["seconds"]
        optional = (raw["test_loss"], raw["train_accuracy"], raw["test_accuracy"])
    except KeyError:
        return None
    if type(epoch) is not int or type(norms) is not list or type(train_loss) is not float or type(seconds) is not float:
        return None
    for value in optional:
        if value is not None and type(value) is not float:
            return None
    pairs = []
    for pair in norms:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not float:
            return None
        pairs.append((pair[0], pair[1]))
    return EpochRecord(epoch, train_loss, optional[0], optional[1], optional[2], tuple(pairs), seconds)


_BAD = object()  # what a parameter decoder returns for a value of the wrong type


def _index_tuple(value: Any) -> Any:
    if isinstance(value, list) and all(_is_index(v) for v in value):
        return tuple(value)
    return _BAD


def _decode_plain(value: Any, depth: int = 0) -> Any:
    """A parameter of a name the registry's ops do not use: scalars as they are, lists as tuples."""
    if value is None or isinstance(value, (bool, str, float)) or _is_index(value):
        return value
    if isinstance(value, list) and depth < _NESTING:
        items = tuple(_decode_plain(v, depth + 1) for v in value)
        return _BAD if any(item is _BAD for item in items) else items
    return _BAD


# The parameters the registry's ops take: how each is read back (lists become the tuples the
# engine uses) and, for the message when it is of the wrong type, what it should be.
_PARAMS: dict[str, tuple[Any, str]] = {
    "axis": (lambda v: v if v is None or _is_index(v) else _index_tuple(v),
             "a whole number, a list of whole numbers, or null"),
    "axes": (lambda v: v if v is None else _index_tuple(v), "a list of whole numbers or null"),
    "shape": (lambda v: v if _is_index(v) else _index_tuple(v), "a list of whole numbers"),
    "keepdims": (lambda v: v if isinstance(v, bool) else _BAD, "true or false"),
    "alpha": (lambda v: v if _is_number(v) else _BAD, "a number"),
}
_PLAIN = (_decode_plain, f"a number, text, true/false, null or a list of those (at most {_NESTING} deep)")


def _count(n: int) -> str:
    """A count for a message; a declared size can be too long to print."""
    return str(n) if n < 10**30 else "more than 10**30"


def _result_elements(op_name: str, elementwise: bool, shapes: list[tuple[int, ...]]) -> int | None:
    """How many elements an op's result will have (or an upper bound), computed from shapes
    alone so an oversized node is refused before it is allocated; None when the shapes do not
    fit, which the engine then reports itself."""
    try:
        if elementwise:
            return math.prod(np.broadcast_shapes(*shapes))
        if len(shapes) == 1:
            return math.prod(shapes[0])  # the unary ops reshape, permute, reduce or map
        if op_name in ("matmul", "dot") and all(shapes):
            a, b = shapes
            if op_name == "dot":
                return math.prod(np.broadcast_shapes(a[:-1], b[:-1]))
            rows = a[-2:-1] if len(a) > 1 else ()
            cols = b[-1:] if len(b) > 1 else ()
            return math.prod(np.broadcast_shapes(a[:-2], b[:-2])) * math.prod(rows) * math.prod(cols)
    except ValueError:
        return None
    return math.prod(math.prod(s) for s in shapes)  # any other op: the outer product bounds it


def _id_number(node_id: str) -> int | None:
    """k for an id written ``n<k>`` as the graph writes it (no sign, no leading zeros), else None."""
    digits = node_id[1:]
    if node_id[:1] == "n" and digits.isascii() and digits.isdecimal() and len(digits) < 10:
        if node_id == f"n{int(digits)}":
            return int(digits)
    return None


class _Reader:
    """Reads one session file; every failure becomes a SessionError naming the file."""

    def __init__(self, path: Path):
        self.path = path
        self.arrays: zipfile.ZipFile | None = None
        self.array_names: frozenset[str] = frozenset()
        self.array_bytes = 0

    def error(self, message: str) -> SessionError:
        """The error to raise: one line, starting with the file's path."""
        return SessionError(" ".join(f"{self.path}: {message}".splitlines()))

    # --- the archive ------------------------------------------------------------------
    def read(self) -> SessionState:
        try:
            return self._read()
        except MemoryError:
            raise self.error("too large to load into memory") from None

    def _read(self) -> SessionState:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise self.error("no such file; check the path") from None
        except IsADirectoryError:
            raise self.error("is a folder, not a session file") from None
        except OSError as error:
            raise self.error(f"cannot be read ({error.strerror or error})") from None
        if len(data) > MAX_FILE_BYTES:
            raise self.error(f"is larger than any session file can be ({MAX_FILE_BYTES} bytes)")
        with self._zip(data, "is not a graphviz-nn session file: not a zip archive") as archive:
            document = self._json(self._member(archive, JSON_MEMBER, JSON_MEMBER, MAX_JSON_BYTES))
            self._check_format(document)
            arrays = self._member(archive, ARRAYS_MEMBER, ARRAYS_MEMBER, MAX_MEMBER_BYTES)
            self.arrays = self._zip(arrays, f"{ARRAYS_MEMBER} is not an npz archive")
            with self.arrays:
                self.array_names = frozenset(self.arrays.namelist())
                return self._state(document)

    def _zip(self, data: bytes, problem: str) -> zipfile.ZipFile:
        """Open an archive held in memory, refusing one with more entries than any session's."""
        # Counting directory-entry signatures bounds the entries (a value may hold the bytes
        # too, which only overcounts) before zipfile builds an object for every one of them.
        if data.count(b"PK\x01\x02") > MAX_NODES + 16:
            raise self.error(f"{problem} (more entries than any session file has)")
        try:
            return zipfile.ZipFile(io.BytesIO(data))
        except MemoryError:
            raise
        # zipfile reports a damaged archive with many exception types (BadZipFile, EOFError,
        # ValueError, struct.error, ...): at this library boundary all of them mean the same.
        except Exception as error:  # noqa: BLE001
            raise self.error(f"{problem} ({_short(str(error))})") from None

    def _member(self, archive: zipfile.ZipFile, name: str, where: str, limit: int) -> bytes:
        """The bytes of one member, refusing any that would unpack to more than ``limit``."""
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise self.error(
                f"has no {where}; a session file is a zip holding {JSON_MEMBER} and {ARRAYS_MEMBER}"
            ) from None
        if info.file_size > limit:
            raise self.error(f"{where} would unpack to {info.file_size} bytes, more than the limit "
                             f"of {limit}")
        try:
            with archive.open(info) as handle:
                data = handle.read(limit + 1)
        except MemoryError:
            raise
        except Exception as error:  # noqa: BLE001 - zipfile's damaged-member errors, as above
            raise self.error(f"{where} is damaged ({_short(str(error))})") from None
        if len(data) > limit:
            raise self.error(f"{where} unpacks to more than the limit of {limit} bytes")
        return data

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
            raise self.error(f"{JSON_MEMBER} is not valid JSON ({_short(str(error))})") from None

    def _check_format(self, document: Any) -> None:
        if not isinstance(document, dict):
            raise self.error(f"{JSON_MEMBER} must hold a JSON object, found {_json_kind(document)}")
        name = document.get("format")
        if name != FORMAT_NAME:
            raise self.error(f"is not a graphviz-nn session ({JSON_MEMBER} gives the format "
                             f"{_short(name)}, expected {FORMAT_NAME!r})")
        version = document.get("version")
        if not _is_whole(version):
            raise self.error(f"{JSON_MEMBER}: version must be a whole number, found {_json_kind(version)}")
        if version > FORMAT_VERSION:
            raise self.error(f"made by a newer graphviz-nn (version {_short(version, 30)}); "
                             f"this one reads version {FORMAT_VERSION}")
        if version < FORMAT_VERSION:
            raise self.error(f"has version {_short(version, 30)}, which no graphviz-nn writes; "
                             f"this one reads version {FORMAT_VERSION}")

    # --- typed fields -----------------------------------------------------------------
    def field(self, mapping: dict, key: str, where: str) -> Any:
        if key not in mapping:
            raise self.error(f"{where} has no {key!r}")
        return mapping[key]

    def object(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(f"{where} must be a JSON object, found {_json_kind(value)}")
        return value

    def list(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.error(f"{where} must be a list, found {_json_kind(value)}")
        return value

    def text(self, value: Any, where: str, optional: bool = False) -> Any:
        if isinstance(value, str) or (optional and value is None):
            return value
        wanted = "text or null" if optional else "text"
        raise self.error(f"{where} must be {wanted}, found {_json_kind(value)}")

    def texts(self, value: Any, where: str) -> tuple[str, ...]:
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(self.list(value, where)))

    def whole(self, value: Any, where: str) -> int:
        if not _is_whole(value):
            raise self.error(f"{where} must be a whole number, found {_json_kind(value)}")
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(f"{where} must be true or false, found {_json_kind(value)}")
        return value

    def number(self, value: Any, where: str, optional: bool = False) -> float | None:
        if optional and value is None:
            return None
        if not _is_number(value):
            wanted = "a number or null" if optional else "a number"
            raise self.error(f"{where} must be {wanted}, found {_json_kind(value)}")
        try:
            return float(value)
        except OverflowError:
            raise self.error(f"{where} is too large a number ({len(str(value))} digits)") from None

    # --- the document -----------------------------------------------------------------
    def _state(self, doc: dict) -> SessionState:
        j = JSON_MEMBER
        graph = self._graph(self.object(self.field(doc, "graph", j), f"{j}: graph"))
        output_id = self.text(self.field(doc, "output_id", j), f"{j}: output_id", optional=True)
        number = None if output_id is None else _id_number(output_id)
        if output_id is not None and (number is None or number >= len(graph)):
            raise self.error(f"{j}: output_id {_short(output_id)} is not a node of the graph "
                             f"(ids n0..n{len(graph) - 1})")
        network = self.field(doc, "network", j)
        history = self.list(self.field(doc, "history", j), f"{j}: history")
        return SessionState(
            graph=graph,
            output_id=output_id,
            title=self.text(self.field(doc, "title", j), f"{j}: title"),
            expression=self.text(self.field(doc, "expression", j), f"{j}: expression", optional=True),
            network=None if network is None else self._network(network),
            # Absent from files written before training options were stored.
            training=None if doc.get("training") is None else self._training(doc["training"]),
            dataset=self.text(self.field(doc, "dataset", j), f"{j}: dataset", optional=True),
            history=tuple(self._record(r, i) for i, r in enumerate(history)),
            # Absent from files written before the optimiser's state was stored.
            trainer=None if doc.get("trainer") is None else self._trainer(doc["trainer"]),
            phase=self.text(self.field(doc, "phase", j), f"{j}: phase", optional=True),
            position=self.whole(self.field(doc, "position", j), f"{j}: position"),
            view=self._view(self.field(doc, "view", j)),
        )

    def _network(self, raw: Any) -> NetworkSpec:
        where = f"{JSON_MEMBER}: network"
        doc = self.object(raw, where)
        hidden = self.list(self.field(doc, "hidden", where), f"{where}.hidden")
        widths = tuple(self.whole(n, f"{where}.hidden[{i}]") for i, n in enumerate(hidden))
        if any(n < 1 for n in widths):
            raise self.error(f"{where}.hidden must list widths of at least 1, found {_short(list(widths))}")

        def text(key: str, optional: bool = False) -> Any:
            return self.text(self.field(doc, key, where), f"{where}.{key}", optional)

        return NetworkSpec(
            kind=text("kind"),
            hidden=widths,
            activation=text("activation"),
            output_activation=text("output_activation"),
            loss=text("loss"),
            bias=self.flag(self.field(doc, "bias", where), f"{where}.bias"),
            normalise=self.flag(self.field(doc, "normalise", where), f"{where}.normalise"),
            init=text("init", optional=True),
        )

    def _training(self, raw: Any) -> TrainingOptions:
        where = f"{JSON_MEMBER}: training"
        doc = self.object(raw, where)
        batch = self.field(doc, "batch_size", where)
        options = TrainingOptions(
            optimiser=self.text(self.field(doc, "optimiser", where), f"{where}.optimiser"),
            lr=self.number(self.field(doc, "lr", where), f"{where}.lr"),
            batch_size=None if batch is None else self.whole(batch, f"{where}.batch_size"),
            epochs=self.whole(self.field(doc, "epochs", where), f"{where}.epochs"),
            seed=self.whole(self.field(doc, "seed", where), f"{where}.seed"),
            test_fraction=self.number(self.field(doc, "test_fraction", where), f"{where}.test_fraction"),
        )
        if options.batch_size is not None and options.batch_size < 1:
            raise self.error(f"{where}.batch_size must be at least 1 or null, found {options.batch_size}")
        if not (math.isfinite(options.lr) and options.lr > 0):
            raise self.error(f"{where}.lr must be a positive number, found {options.lr}")
        if not 0.0 <= options.test_fraction < 1.0:
            raise self.error(f"{where}.test_fraction must be in [0, 1), found {options.test_fraction}")
        return options

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
            optimiser[name] = self._npy(f"{TRAINER_ARRAY}{i}.npy", f"the optimiser's {_short(name, 40)}")
        return TrainerState(epochs_done, rng, optimiser)

    def _record(self, raw: Any, index: int) -> EpochRecord:
        plain = _plain_record(raw)
        if plain is not None:
            return plain
        where = f"{JSON_MEMBER}: history[{index}]"
        doc = self.object(raw, where)
        norms = []
        raw_norms = self.list(self.field(doc, "gradient_norms", where), f"{where}.gradient_norms")
        for i, pair in enumerate(raw_norms):
            at = f"{where}.gradient_norms[{i}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.error(f"{at} must be a [name, norm] pair, found {_json_kind(pair)}")
            norms.append((self.text(pair[0], f"{at}[0]"), self.number(pair[1], f"{at}[1]")))

        def number(key: str, optional: bool = False) -> Any:
            return self.number(self.field(doc, key, where), f"{where}.{key}", optional)

        return EpochRecord(
            epoch=self.whole(self.field(doc, "epoch", where), f"{where}.epoch"),
            train_loss=number("train_loss"),
            test_loss=number("test_loss", optional=True),
            train_accuracy=number("train_accuracy", optional=True),
            test_accuracy=number("test_accuracy", optional=True),
            gradient_norms=tuple(norms),
            seconds=number("seconds"),
        )

    def _view(self, raw: Any) -> ViewState:
        where = f"{JSON_MEMBER}: view"
        doc = self.object(raw, where)
        centre = self.field(doc, "centre", where)
        if centre is not None:
            if not isinstance(centre, list) or len(centre) != 2:
                raise self.error(f"{where}.centre must be an [x, y] pair or null, found {_json_kind(centre)}")
            centre = (self.number(centre[0], f"{where}.centre[0]"), self.number(centre[1], f"{where}.centre[1]"))
        collapsed = self.list(self.field(doc, "collapsed", where), f"{where}.collapsed")
        return ViewState(
            zoom=self.number(self.field(doc, "zoom", where), f"{where}.zoom"),
            centre=centre,
            collapsed=tuple(self.texts(s, f"{where}.collapsed[{i}]") for i, s in enumerate(collapsed)),
        )

    # --- the graph --------------------------------------------------------------------
    def _graph(self, doc: dict) -> Graph:
        where = f"{JSON_MEMBER}: graph"
        records = self.list(self.field(doc, "nodes", where), f"{where}.nodes")
        if not records:
            raise self.error(f"{where} has no nodes")
        if len(records) > MAX_NODES:
            raise self.error(f"{where} has {len(records)} nodes, more than the limit of {MAX_NODES}")
        built: list[Node] = []
        elements = 0
        for index, raw in enumerate(records):
            with np.errstate(all="ignore"):  # a graph may hold inf and nan on purpose
                node = self._node(raw, index, built)
            elements += node.value.size
            if elements > MAX_TOTAL_ELEMENTS:
                raise self.error(f"{where}: the values of nodes n0..n{index} have more than "
                                 f"{MAX_TOTAL_ELEMENTS} elements together, more than the limit")
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
        index = _id_number(node_id)
        if index is None or index >= defined:
            raise self.error(f"{where} is {_short(node_id)}, {problem}")
        return index

    def _node(self, raw: Any, index: int, built: list[Node]) -> Node:
        where = f"{JSON_MEMBER}: node {index}"
        record = self.object(raw, where)
        node_id = self.text(self.field(record, "id", where), f"{where}: id")
        if node_id != f"n{index}":
            number = _id_number(node_id)
            problem = "repeats an earlier node's id" if number is not None and number < index else "is out of order"
            raise self.error(f"{where}: id {_short(node_id)} {problem}; nodes are listed in graph "
                             f"order with ids n0, n1, ..., so this one must be n{index}")
        where = f"{JSON_MEMBER}: node {node_id}"
        kind = self.text(self.field(record, "kind", where), f"{where}: kind")
        name = self.text(self.field(record, "name", where), f"{where}: name", optional=True)
        scope = self.texts(self.field(record, "scope", where), f"{where}: scope")
        if kind in _LEAVES:
            node: Node = _LEAVES[kind](0.0, name)
            node.value = self._leaf_value(record, node_id, where)
        elif kind == "function":
            node = self._function(record, where, name, built)
        else:
            raise self.error(f"{where}: kind {_short(kind)} is not one of variable, constant, function")
        node.scope = scope
        return node

    def _function(self, record: dict, where: str, name: str | None, built: list[Node]) -> Function:
        op_name = self.text(self.field(record, "op", where), f"{where}: op")
        op = registry().get(op_name)
        if op is None:
            raise self.error(f"{where}: op {_short(op_name)} is not a known op (a newer graphviz-nn "
                             f"may have made this file); the ops are {', '.join(sorted(registry()))}")
        raw_inputs = self.list(self.field(record, "inputs", where), f"{where}: inputs")
        if len(raw_inputs) != op.arity:
            raise self.error(f"{where}: {op_name} takes {op.arity} input(s), the file gives {len(raw_inputs)}")
        inputs = [built[self._node_index(x, len(built), f"{where}: input {i}",
                                         "which is not a node defined before it; inputs must be "
                                         "listed earlier in the file")]
                  for i, x in enumerate(raw_inputs)]
        params = self._params(self.object(self.field(record, "params", where), f"{where}: params"),
                              f"{where}: {op_name}")
        size = _result_elements(op.name, op.elementwise, [x.value.shape for x in inputs])
        if size is not None and size > MAX_NODE_ELEMENTS:
            raise self.error(f"{where}: {op_name} would make {_count(size)} elements, more than the "
                             f"limit of {MAX_NODE_ELEMENTS} for one node")
        try:
            # What apply(op, *inputs, **params) builds, without apply's own name keyword.
            return Function(op, inputs, params, name)
        except ShapeError as error:
            raise self.error(f"{where}: {error}") from None
        except MemoryError:
            raise
        # The op's own numpy code decides what else a misfit raises (TypeError for a parameter
        # it does not take, OverflowError, ...): any of it means the record is wrong.
        except Exception as error:  # noqa: BLE001
            raise self.error(f"{where}: {op_name} cannot be applied to these inputs and parameters "
                             f"({type(error).__name__}: {_short(str(error), 120)})") from None

    def _params(self, raw: dict, where: str) -> dict[str, Any]:
        params = {}
        for key, value in raw.items():
            decode, wanted = _PARAMS.get(key, _PLAIN)
            decoded = decode(value)
            if decoded is _BAD:
                raise self.error(f"{where}: parameter {_short(key, 30)} must be {wanted}, "
                                 f"found {_param_kind(value)}")
            params[key] = decoded
        return params

    def _npy(self, member: str, what: str) -> np.ndarray:
        """One array of arrays.npz, its header checked before anything is allocated."""
        at = f"{ARRAYS_MEMBER}: {member}"
        if member not in self.array_names:
            raise self.error(f"{ARRAYS_MEMBER} has no array for {what}; the file is incomplete")
        data = self._member(self.arrays, member, at, MAX_MEMBER_BYTES)
        self.array_bytes += len(data)
        if self.array_bytes > MAX_MEMBER_BYTES:
            raise self.error(f"{ARRAYS_MEMBER}'s arrays unpack to more than the limit of "
                             f"{MAX_MEMBER_BYTES} bytes")
        # The header is read first, so that a declared size is checked before any allocation.
        stream = io.BytesIO(data)
        try:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                declared, _, found = np.lib.format.read_array_header_1_0(stream)
            elif version == (2, 0):
                declared, _, found = np.lib.format.read_array_header_2_0(stream)
            else:
                declared = found = None
        except MemoryError:
            raise
        except Exception as error:  # noqa: BLE001 - numpy's header parser raises several types
            raise self.error(f"{at} is not a .npy array ({_short(str(error))})") from None
        if found is None:
            raise self.error(f"{at} has .npy format version {version}, which session files do not use")
        if found.hasobject:
            raise self.error(f"{at} holds Python objects, which a session file never stores; "
                             "refused without reading them")
        if found.kind not in _REAL_KINDS:
            raise self.error(f"{at} holds {found} values; a session's arrays must be real numbers")
        needed, held = math.prod(declared) * found.itemsize, len(data) - stream.tell()
        if needed > held:
            raise self.error(f"{at} declares {_count(needed)} bytes of {found} values but holds "
                             f"only {held} bytes")
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except MemoryError:
            raise
        except Exception as error:  # noqa: BLE001 - as for the header
            raise self.error(f"{at} cannot be read ({_short(str(error))})") from None
        return array

    def _leaf_value(self, record: dict, node_id: str, where: str) -> np.ndarray:
        dtype = self.text(self.field(record, "dtype", where), f"{where}: dtype")
        raw_shape = self.list(self.field(record, "shape", where), f"{where}: shape")
        shape = tuple(self.whole(n, f"{where}: shape[{i}]") for i, n in enumerate(raw_shape))
        member = f"{node_id}.npy"
        at = f"{ARRAYS_MEMBER}: {member}"
        array = self._npy(member, f"the leaf {node_id}")
        if array.dtype.str != dtype or array.shape != shape:
            raise self.error(f"{at} holds {array.dtype.str!r} values of shape {array.shape}, but "
                             f"{JSON_MEMBER} says {_short(dtype, 20)} of shape {_short(shape, 40)}")
        return array
