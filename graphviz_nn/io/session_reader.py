"""Reading a session file back into a :class:`SessionState`, every failure one clear error.

Qt-free.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..nn.builder import output_width, saved_widths
from ..nn.datasets import Dataset
from ..nn.settings import TrainingSettings
from . import session_schema as schema
from .bounded_archive import (MOST_SESSION_ENTRIES, ArrayReader, check_directory, open_arrays, open_regular_file,
                              open_zip)
from .records import record_from_json, settings_from_json
from .session_fields import FieldReader, id_number, json_kind, short
from .session_graph import GraphPlan, build_graph, plan_graph
from .session_json import read_document
from .session_model import model_arrays, model_fields
from .session_schema import (ARRAYS_MEMBER, DATASET_ARRAYS, JSON_MEMBER, TRAINER_ARRAY, Allowance, SessionState,
                             TrainerState, ViewState)


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
        output that is not in the graph, a network whose widths do not make the saved graph,
        a history naming layers the network does not have, a view that is not finite, a graph
        too large to load or asking for more than a file of its size may (see
        :class:`~graphviz_nn.io.session_schema.Allowance`), or more memory needed than the
        computer can give.

    Notes
    -----
    Each step is checked before the work of the next: the file's size; its zip directory; the
    format and version from the first bytes of ``session.json``; its values counted, then
    decoded; every field and the graph's whole structure and cost from the JSON; and only
    then the arrays are read and the graph computed.
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
        allowance = Allowance.for_size(size)
        with handle:
            check_directory(handle, size, MOST_SESSION_ENTRIES, self.error, problem)
            with open_zip(handle, self.error, problem) as archive:
                document = read_document(archive, schema.MAX_JSON_BYTES, allowance.json_values, self.error)
                fields = self._fields(document, allowance)
                del document  # what the fields keep of it stays; the rest is freed before the arrays
                graph_plan: GraphPlan = fields.pop("graph")
                trainer, dataset = fields.pop("trainer"), fields.pop("embedded_dataset")
                model = fields.pop("model")
                entries = len(graph_plan.nodes) + 64 + (0 if model is None else len(model[1]))
                # The arrays (leaves, optimiser, dataset) may take what the functions leave.
                most = allowance.memory - (graph_plan.memory - graph_plan.leaf_bytes)
                with open_arrays(archive, handle, size, self.error, most, entries) as self.arrays:
                    graph = build_graph(self, graph_plan, self.arrays)
                    trainer = None if trainer is None else self._trainer_arrays(*trainer)
                    dataset = None if dataset is None else self._dataset_arrays(dataset, fields["training"])
                    model = None if model is None else model_arrays(self, self.arrays, *model)
                    return SessionState(graph=graph, trainer=trainer, embedded_dataset=dataset, model=model,
                                        **fields)

    # --- the document, all of it before any array -------------------------------------
    def _fields(self, doc: dict, allowance: Allowance) -> dict:
        j = JSON_MEMBER
        long = schema.MAX_TEXT_CHARS
        graph = plan_graph(self, self.object(self.field(doc, "graph", j), f"{j}: graph"), allowance)
        output_id = self.text(self.field(doc, "output_id", j), f"{j}: output_id", optional=True)
        number = None if output_id is None else id_number(output_id)
        if output_id is not None and (number is None or number >= len(graph.nodes)):
            raise self.error(f"{j}: output_id {short(output_id)} is not a node of the graph "
                             f"(ids n0..n{len(graph.nodes) - 1})")
        network = self.field(doc, "network", j)
        dataset = self.text(self.field(doc, "dataset", j), f"{j}: dataset", optional=True, limit=long)
        if network is not None and dataset is None:
            raise self.error(f"{j}: a network is stored without its dataset (dataset is null)")
        # The training options are absent from files written before they were stored.
        training = None if network is None else settings_from_json(doc, self, j, dataset_limit=long)
        widths = None if training is None else self._network_widths(training, graph)
        layers = None if training is None else training.spec.layer_names
        # Absent from files written before spec models.
        model = None if doc.get("model") is None else model_fields(self, doc["model"])
        if model is not None:
            if training is not None:
                raise self.error(f"{j}: holds both a dense network and a spec model; a session trains one")
            layers = tuple(f"{i}: {layer.type}" for i, layer in enumerate(model[0].spec.layers))
        return dict(
            graph=graph,
            output_id=output_id,
            title=self.text(self.field(doc, "title", j), f"{j}: title", limit=long),
            expression=self.text(self.field(doc, "expression", j), f"{j}: expression", optional=True, limit=long),
            training=training,
            dataset=dataset,
            history=self._history(self.list(self.field(doc, "history", j), f"{j}: history"), layers),
            # Absent from files written before the optimiser's state was stored.
            trainer=None if doc.get("trainer") is None else self._trainer(doc["trainer"]),
            phase=self.text(self.field(doc, "phase", j), f"{j}: phase", optional=True),
            position=self.whole(self.field(doc, "position", j), f"{j}: position"),
            view=self._view(self.field(doc, "view", j)),
            # Absent from files written before datasets could be embedded.
            embedded_dataset=(None if doc.get("embedded_dataset") is None
                              else (self._dataset(doc["embedded_dataset"]), widths)),
            model=model,
        )

    def _network_widths(self, training: TrainingSettings, graph: GraphPlan) -> tuple[int, int]:
        """The network's input and output widths, when its spec makes the saved graph's
        parameters: compared before anything is built from the spec."""
        try:
            return saved_widths(training.spec, graph.layers)
        except ValueError as error:
            raise self.error(f"{JSON_MEMBER}: network does not match the saved graph: {error}") from None

    def _history(self, raw: list, layers: tuple[str, ...] | None) -> tuple:
        """The epoch records, each naming only the network's layers (or, without a network,
        no more layers than a network can have): a record naming a new layer each epoch
        made everything that goes through the history per layer quadratic."""
        where = f"{JSON_MEMBER}: history"
        records = tuple(record_from_json(r, self, f"{where}[{i}]") for i, r in enumerate(raw))
        known = set(layers) if layers is not None else set()
        most = len(known) if layers is not None else schema.MAX_HISTORY_LAYERS
        for i, record in enumerate(records):
            norms = record.gradient_norms
            if len(norms) > most:
                raise self.error(f"{where}[{i}] gives {len(norms)} gradient norms; a record gives one for "
                                 f"each of the network's layers, at most {most}")
            for name, _ in norms:
                if name in known:
                    continue
                if layers is not None:
                    raise self.error(f"{where}[{i}] gives the gradient norm of layer {short(name, 40)}, which the "
                                     f"network does not have (its layers: {_listed(layers)})")
                known.add(name)
                if len(known) > most:
                    raise self.error(f"{where}[{i}] names a layer {short(name, 40)} no earlier record names: "
                                     f"the history names more than {most} layers")
        return records

    def _trainer(self, raw: Any) -> tuple[TrainerState, list[str]]:
        where = f"{JSON_MEMBER}: trainer"
        doc = self.object(raw, where)
        epochs_done = self.whole(self.field(doc, "epochs_done", where), f"{where}.epochs_done")
        if epochs_done < 0:
            raise self.error(f"{where}.epochs_done must be at least 0, found {epochs_done}")
        rng = self.object(self.field(doc, "rng", where), f"{where}.rng")
        names = self.list(self.field(doc, "optimiser", where), f"{where}.optimiser")
        names = [self.text(name, f"{where}.optimiser[{i}]") for i, name in enumerate(names)]
        return TrainerState(epochs_done, rng, {}), names

    def _trainer_arrays(self, trainer: TrainerState, names: list[str]) -> TrainerState:
        optimiser = {name: self.arrays.read(f"{TRAINER_ARRAY}{i}", f"the optimiser's {short(name, 40)}")
                     for i, name in enumerate(names)}
        return TrainerState(trainer.epochs_done, trainer.rng, optimiser)

    def _dataset(self, raw: Any) -> dict:
        where = f"{JSON_MEMBER}: embedded_dataset"
        doc = self.object(raw, where)
        classes = self.field(doc, "class_names", where)
        image = self.field(doc, "image_shape", where)
        if image is not None:
            image = tuple(self.whole(n, f"{where}.image_shape") for n in self.list(image, f"{where}.image_shape"))
        return dict(
            name=self.text(self.field(doc, "name", where), f"{where}.name", limit=schema.MAX_TEXT_CHARS),
            feature_names=self.texts(self.field(doc, "feature_names", where), f"{where}.feature_names"),
            class_names=None if classes is None else self.texts(classes, f"{where}.class_names"),
            image_shape=image,
            source=self.text(self.field(doc, "source", where), f"{where}.source", limit=schema.MAX_TEXT_CHARS),
        )

    def _dataset_arrays(self, fields: tuple[dict, tuple[int, int] | None],
                        training: TrainingSettings | None) -> Dataset:
        doc, widths = fields
        where = f"{JSON_MEMBER}: embedded_dataset"
        most = schema.MAX_DATASET_BYTES
        X = self.arrays.read(DATASET_ARRAYS[0], "the embedded dataset's features", most)
        y = self.arrays.read(DATASET_ARRAYS[1], "the embedded dataset's targets", most - X.nbytes)
        if X.ndim != 2 or y.shape != X.shape[:1]:
            raise self.error(f"{ARRAYS_MEMBER}: the embedded dataset's features must be (rows, features) "
                             f"and its targets (rows,), found {X.shape} and {y.shape}")
        classes = doc["class_names"]
        if classes is not None and y.size and (y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= len(classes)):
            raise self.error(f"{ARRAYS_MEMBER}: the embedded dataset's targets must be class indices "
                             f"0..{len(classes) - 1}, found {y.dtype} values")
        image = doc["image_shape"]
        if image is not None and (len(image) != 2 or min(image) < 1 or math.prod(image) != X.shape[1]):
            raise self.error(f"{where}.image_shape {short(image)} does not fit rows of {X.shape[1]} features")
        data = Dataset(X=X, y=y, **doc)
        if widths is not None:  # the network is rebuilt for this dataset: it must be the saved one's
            found = (data.n_features, output_width(data, training.spec.output_activation))
            if found != widths:
                raise self.error(f"{where} has {found[0]} features and {found[1]} outputs, the saved network "
                                 f"{widths[0]} inputs and {widths[1]} outputs")
        return data

    def _view(self, raw: Any) -> ViewState:
        where = f"{JSON_MEMBER}: view"
        doc = self.object(raw, where)
        centre = self.field(doc, "centre", where)
        if centre is not None:
            if not isinstance(centre, list) or len(centre) != 2:
                raise self.error(f"{where}.centre must be an [x, y] pair or null, found {json_kind(centre)}")
            far = schema.MAX_VIEW_COORDINATE
            centre = tuple(self._finite(c, f"{where}.centre[{i}]", far, -far) for i, c in enumerate(centre))
        collapsed = self.list(self.field(doc, "collapsed", where), f"{where}.collapsed")
        return ViewState(
            zoom=self._finite(self.field(doc, "zoom", where), f"{where}.zoom", schema.MAX_VIEW_ZOOM,
                              1 / schema.MAX_VIEW_ZOOM),
            centre=centre,
            collapsed=tuple(self.scope(s, f"{where}.collapsed[{i}]") for i, s in enumerate(collapsed)),
        )

    def _finite(self, value: Any, where: str, most: float, least: float) -> float:
        number = self.number(value, where)
        if not least <= number <= most:  # nan is neither
            raise self.error(f"{where} must be a number from {least:g} to {most:g}, found {short(number, 30)}")
        return number


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:4]) + (f", ... {names[-1]}" if len(names) > 4 else "")
