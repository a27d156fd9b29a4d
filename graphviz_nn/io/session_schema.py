"""What a session file holds (the records) and what opening one may cost (the limits).

Every limit is a module constant, read at the moment it is checked, so that a test can lower it:

``MAX_FILE_BYTES`` (about 537 MiB)
    The file itself, measured before anything is read; only regular files are opened (never a
    FIFO, a device or a folder).
``MAX_JSON_BYTES`` (24 MiB)
    ``session.json`` unpacked (50,000 epochs of history take 12.4 MiB).
``MAX_MEMBER_BYTES`` (512 MiB)
    ``arrays.npz`` unpacked, and the arrays in it together.
``MAX_DATASET_BYTES`` (64 MiB)
    An embedded dataset's features and targets together.
``MAX_NODES`` (200,000), ``MAX_NODE_ELEMENTS`` (2**26), ``MAX_TOTAL_ELEMENTS`` (2**28)
    The graph, one node's value (or the largest temporary its op makes) and all values together.
``MAX_FLOPS`` (2**31)
    The work of recomputing every function node, priced from the shapes by each op before
    anything is computed, in the engine's unit of about a nanosecond of numpy (about two seconds).
``MAX_NAME_CHARS`` (1,000)
    Every name or word: node, scope, layer, optimiser, feature and class names, kinds, ops,
    dtypes, the phase.
``MAX_TEXT_CHARS`` (32,767, the longest path Windows takes)
    The texts that may hold a path or more: the title, the expression, the dataset's path, an
    embedded dataset's name and source.
``MAX_SCOPE_DEPTH`` (64)
    Scopes in one scope path.
``MAX_VIEW_ZOOM`` (1e6), ``MAX_VIEW_COORDINATE`` (1e9)
    The view's zoom (and its inverse) and the coordinates of its centre.

And what grows with the file's size n (:class:`Allowance`), so that opening any file costs at
most a constant times its size: ``JSON_VALUES_FLOOR + n // BYTES_PER_JSON_VALUE`` JSON values
(counted before decoding), ``NODES_FLOOR + n // BYTES_PER_NODE`` nodes and ``MEMORY_FLOOR + n *
MEMORY_PER_BYTE`` bytes of arrays, leaves and function values together. A file of 1 MB is
opened within 2 s of CPU time and 200 MB of memory.

Archive members must be stored or deflated (bzip2 and LZMA members are refused: zipfile
unpacks them in one call, beyond any limit) and are read in chunks with a running count, so a
member that declares a small size and unpacks to more stops at the limit. What opening costs in
memory: the values the file declares (each array's header is checked before it is allocated),
its ``session.json`` and what it decodes to, and beside them at most 32 MiB: a stored
``arrays.npz`` (as written when it holds 16 MiB or more) is read in place from the file, a
deflated one past 32 MiB is unpacked to a temporary file deleted on closing.

Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine import Graph
from ..nn.builder import MAX_HIDDEN_LAYERS, NetworkSpec
from ..nn.datasets import Dataset
from ..nn.model_setup import ModelSettings
from ..nn.settings import TrainingSettings
from ..nn.trainer import EpochRecord
from . import json_fields

FORMAT_NAME = "graphviz-nn session"
FORMAT_VERSION = 1
SUFFIX = ".gnn"
JSON_MEMBER = "session.json"
ARRAYS_MEMBER = "arrays.npz"
TRAINER_ARRAY = "trainer-"  # the optimiser's arrays, numbered, beside the leaves' n0, n1...
MODEL_ARRAY = "model-"  # a spec model's weights, numbered in the order of their keys
DATASET_ARRAYS = ("dataset-X", "dataset-y")  # an embedded dataset's features and targets

#: Refuse a session.json that unpacks to more than this: a 50,000-epoch history of a 2-8-1
#: net is 12.4 MiB, a PerceptronNet of 16,657 nodes 2.0 MiB.
MAX_JSON_BYTES = 24 * 2**20
#: Refuse an arrays.npz, or the arrays in it together, that unpack to more than this.
MAX_MEMBER_BYTES = 512 * 2**20
#: Refuse files larger than this, before reading them: both members stored, plus deflate's
#: worst growth (5 bytes in 16 KiB) and the zip's own records.
MAX_FILE_BYTES = (MAX_JSON_BYTES + MAX_MEMBER_BYTES) * 1001 // 1000 + 2**16
#: Refuse, and never write, an embedded dataset whose arrays hold more bytes than this.
MAX_DATASET_BYTES = 64 * 2**20
#: Refuse graphs of more nodes than this.
MAX_NODES = 200_000
#: Refuse a node whose value would have more elements than this (512 MiB of float64).
MAX_NODE_ELEMENTS = 2**26
#: Refuse a graph whose values together would have more elements than this (2 GiB of float64).
MAX_TOTAL_ELEMENTS = 2**28
#: Refuse a graph whose recomputation would take more work than this, in the engine's price
#: unit of about a nanosecond of numpy (most ops measure 0.2-1 ns a unit, the dearest 2: one
#: to two seconds of work as a rule; one 8192 x 8192 matmul alone is 7e10).
MAX_FLOPS = 2**31
#: Refuse a name or word longer than this.
MAX_NAME_CHARS = json_fields.MAX_NAME_CHARS  # 1,000
#: Refuse a title, expression, dataset path, name or source longer than this (a 60 MB title
#: froze the window for 52 s; one of this length takes a few milliseconds to show).
MAX_TEXT_CHARS = 32_767
#: Refuse a scope path of more scopes than this.
MAX_SCOPE_DEPTH = 64
#: Refuse a view zoomed beyond this either way, or centred farther than this from the origin
#: (scene points: the widest layouts are a few hundred thousand points across).
MAX_VIEW_ZOOM = 1e6
MAX_VIEW_COORDINATE = 1e9
#: Refuse a history without a network that names more layers than a network can have.
MAX_HISTORY_LAYERS = MAX_HIDDEN_LAYERS + 1

# What a file may ask for grows with its size, from a floor that every session the program
# makes of that size fits in. Deflate packs up to about a thousand to one, so a limit on what
# a member unpacks to alone let 32 KB of file decode to 874 MB of JSON values, or broadcast
# two leaves into 2 GB of values.
#: JSON values (containers, numbers, texts) a file of n bytes may hold: JSON_VALUES_FLOOR +
#: n // BYTES_PER_JSON_VALUE, counted before decoding. A 50,000-epoch history is 700,000
#: values in 4.3 MB of file, a PerceptronNet of 16,657 nodes 200,000 in 0.36 MB; a value
#: decodes to at most 72 bytes (an empty object) and takes about a microsecond to check.
JSON_VALUES_FLOOR = 2**18
BYTES_PER_JSON_VALUE = 4
#: Nodes a file of n bytes may hold: NODES_FLOOR + n // BYTES_PER_NODE, at most MAX_NODES.
#: Each costs about 50 us to check, read or compute, and link (a PerceptronNet of 16,657 nodes
#: opens in 0.8 s), so a file of 1 MB holds at most 24,000 nodes, 1.2 s of work. A
#: PerceptronNet's file takes 22 bytes a node, so those of up to 19,000 nodes always open.
NODES_FLOOR = 16_384
BYTES_PER_NODE = 128
#: Memory the arrays may take (leaves, the optimiser's arrays, an embedded dataset, every
#: function value, the largest temporary one op makes) in a file of n bytes: MEMORY_FLOOR +
#: n * MEMORY_PER_BYTE. save_session stores an arrays.npz of 16 MiB or more unpacked, so its
#: arrays never take more than the file.
MEMORY_FLOOR = 64 * 2**20
MEMORY_PER_BYTE = 4


@dataclass(frozen=True)
class Allowance:
    """What opening one file may use, from its size (the limits above, read when made).

    Attributes
    ----------
    json_values : int
    nodes : int
    memory : int
        Bytes.
    """

    json_values: int
    nodes: int
    memory: int

    @classmethod
    def for_size(cls, size: int) -> Allowance:
        return cls(json_values=JSON_VALUES_FLOOR + size // BYTES_PER_JSON_VALUE,
                   nodes=min(MAX_NODES, NODES_FLOOR + size // BYTES_PER_NODE),
                   memory=MEMORY_FLOOR + size * MEMORY_PER_BYTE)


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
class ModelState:
    """A spec model's run: how it was made and trained, and its weights.

    Attributes
    ----------
    settings : ModelSettings
        The dataset, the spec and the training options.
    weights : mapping of str to ndarray
        The model's ``state_dict()``, under torch's keys ("0.weight", "1.weight_ih_l0", ...).
    """

    settings: ModelSettings
    weights: Mapping[str, np.ndarray]


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
    training : TrainingSettings or None
        The network the graph belongs to, its dataset and how it is trained.
    dataset : str or None
        A built-in dataset name or the path of a CSV file (the training settings' own, when
        there are settings).
    history : tuple of EpochRecord
        The training run so far.
    trainer : TrainerState or None
        The optimiser's averages and the shuffling generator (absent from older files).
    phase : str or None
        The recorded pass being played back ("forward", "backward", "tangent").
    position : int
        The playback cursor; -1 when nothing is being played back.
    view : ViewState
    embedded_dataset : Dataset or None
        The dataset itself, stored in the file so that the session reopens where ``dataset``
        names a path that does not exist (another machine, a lost network drive). Its
        features and targets together may hold at most ``MAX_DATASET_BYTES`` (64 MiB):
        :func:`save_session` refuses a larger one with a ``ValueError`` that says so
        (:func:`can_embed` tells beforehand); save without it (``embedded_dataset=None``) to
        keep only the path. None in files written before datasets could be embedded.
    model : ModelState or None
        A spec model's run (its spec, settings and weights); None for the dense networks and
        in files written before spec models.
    """

    graph: Graph
    output_id: str | None
    title: str = ""
    expression: str | None = None
    training: TrainingSettings | None = None
    dataset: str | None = None
    history: tuple[EpochRecord, ...] = ()
    trainer: TrainerState | None = None
    phase: str | None = None
    position: int = -1
    view: ViewState = ViewState()
    embedded_dataset: Dataset | None = None
    model: ModelState | None = None

    @property
    def network(self) -> NetworkSpec | None:
        """The settings of the network the graph belongs to."""
        return None if self.training is None else self.training.spec
