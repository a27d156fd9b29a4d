"""Arrays of more than two axes as grids of heatmaps: which maps, in what order, with what
captions, on what colour scale, and how many to a row. Qt-free.

A feature map (N, C, H, W) is drawn as one map per channel of a chosen sample; a convolution's
weight (O, C, kh, kw) as one filter per output channel, for a chosen input channel or with
every input channel side by side; (C, H, W) as one map per channel. An array whose last two
axes are labelled (an attention weights node's queries and keys: its tokens) is one map with
those labels, for a chosen sample and head. Every map of an array shares one colour scale,
symmetric about zero (:func:`~graphviz_nn.session.colour_map.colour_scale` of the whole array),
so channels, samples and heads compare by colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .colour_map import colour_scale

__all__ = ["ALL", "ATTENTION_NAMES", "MOST_TILES", "Chooser", "GridPlace", "MapGrid", "MapPlan", "Tile", "arrange_grid",
           "map_grid", "plan_maps"]

ALL = -1            # a chooser's index meaning "every index, side by side"
MOST_TILES = 256    # maps drawn at most; a heading says how many more there are
#: The names graphviz_nn.nn gives attention weights: drawn as one map per sample and head, with
#: their queries and keys along the axes (their indices when no tokens are given).
ATTENTION_NAMES = ("weights", "mean weights")

Labels = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Chooser:
    """An axis of which one index is shown at a time.

    Attributes
    ----------
    name : str
        What an index of it is ("sample", "head", "input channel").
    axis : int
        The array's axis.
    count : int
        How many indices it has.
    every : bool
        It may also be :data:`ALL`: each map then shows every index side by side.
    """

    name: str
    axis: int
    count: int
    every: bool = False


@dataclass(frozen=True)
class MapPlan:
    """How an array is drawn as maps: along which axis its tiles go, what is chosen.

    Attributes
    ----------
    shape : tuple of int
    title : str
        What the maps are ("feature maps", "filters", "attention weights").
    tile_axis : int or None
        One map per index of this axis (channels, output channels); None: a single map.
    tile_name : str
        The tiles' caption before their index ("ch", "out").
    choosers : tuple of Chooser
    labels : (row labels, column labels) or None
        What the rows and columns of each map stand for; None: their indices.
    """

    shape: tuple[int, ...]
    title: str
    tile_axis: int | None
    tile_name: str
    choosers: tuple[Chooser, ...]
    labels: Labels | None = None


@dataclass(frozen=True, eq=False)
class Tile:
    """One map: its caption, its matrix, and where its entries are in the array.

    Attributes
    ----------
    caption : str
        "ch 3", "out 2"; empty for a single map.
    matrix : ndarray (rows, columns)
    fixed : tuple of (int or None)
        Per axis of the array, the index the whole map shares; None for the map's own rows
        and columns (the last two axes) and for ``part_axis``.
    part_axis : int or None
        An axis whose indices are laid side by side as blocks of ``width`` columns (every
        input channel of a filter).
    width : int
        The columns of one block: the array's last axis.
    """

    caption: str
    matrix: np.ndarray
    fixed: tuple[int | None, ...]
    part_axis: int | None
    width: int

    @property
    def parts(self) -> int:
        """How many blocks of columns the map is made of (1, or one per input channel)."""
        return self.matrix.shape[1] // self.width

    def index_of(self, i: int, j: int) -> tuple[int, ...]:
        """The array index of the entry drawn at row ``i``, column ``j`` of this map."""
        ndim = len(self.fixed)
        index = []
        for axis, k in enumerate(self.fixed):
            if axis == ndim - 2:
                index.append(int(i))
            elif axis == ndim - 1:
                index.append(int(j) % self.width)
            elif axis == self.part_axis:
                index.append(int(j) // self.width)
            else:
                index.append(int(k))
        return tuple(index)


@dataclass(frozen=True, eq=False)
class MapGrid:
    """The maps drawn for one array and one choice of its chooser axes.

    Attributes
    ----------
    plan : MapPlan
    chosen : tuple of int
        Each chooser's index (or :data:`ALL`), clamped to its axis.
    tiles : tuple of Tile
    scale : float
        The magnitude drawn in full colour in every map: the whole array's largest.
    heading : str
        One line saying what the maps are ("4 channels of 8 × 8"); the chosen indices are
        ``chosen``.
    """

    plan: MapPlan
    chosen: tuple[int, ...]
    tiles: tuple[Tile, ...]
    scale: float
    heading: str


def _labels_fit(shape: tuple[int, ...], labels: Labels | None) -> bool:
    return (labels is not None and len(shape) >= 2 and len(labels) == 2
            and len(labels[0]) == shape[-2] and len(labels[1]) == shape[-1])


def _leading(shape: tuple[int, ...], names: Sequence[str]) -> tuple[Chooser, ...]:
    """A chooser for each of the first ``len(names)`` axes, named in order."""
    return tuple(Chooser(name, axis, shape[axis]) for axis, name in enumerate(names))


def _names(count: int, known: Sequence[str]) -> list[str]:
    """Names for ``count`` leading axes: the ``known`` ones nearest the maps, "axis k" before."""
    known = list(known)[-count:] if count else []
    return [f"axis {k}" for k in range(count - len(known))] + known


def plan_maps(shape: Sequence[int], kind: str = "function", name: str | None = None,
              labels: Labels | None = None) -> MapPlan | None:
    """How an array of this shape is drawn as maps; None when one heatmap serves.

    Parameters
    ----------
    shape : sequence of int
    kind : str
        The node's kind: a "variable" of four axes is a convolution's weight (O, C, kh, kw).
    name : str, optional
        The node's name: a function named as :data:`ATTENTION_NAMES` is drawn as attention
        weights, labelled by index when ``labels`` are not given; a three-axis "weights"
        node is (heads, L, S).
    labels : (row labels, column labels), optional
        What the last two axes stand for; used when their lengths match.

    Returns
    -------
    MapPlan or None
        None for an empty array, or one of at most two axes without labels.
    """
    shape = tuple(int(n) for n in shape)
    ndim = len(shape)
    if 0 in shape:
        return None
    if not _labels_fit(shape, labels):
        labels = None       # tokens that are not the map's: its indices, or none
    if labels is None and kind == "function" and name in ATTENTION_NAMES and ndim >= 2:
        labels = (tuple(map(str, range(shape[-2]))), tuple(map(str, range(shape[-1]))))
    if labels is not None:
        lead = ndim - 2
        known = ("sample", "head") if ndim >= 4 or name == "weights" else ("sample",)
        return MapPlan(shape, "attention weights", None, "", _leading(shape, _names(lead, known)),
                       (tuple(map(str, labels[0])), tuple(map(str, labels[1]))))
    if ndim < 3:
        return None
    if ndim == 4 and kind == "variable":
        return MapPlan(shape, "filters", 0, "out", (Chooser("input channel", 1, shape[1], every=True),))
    return MapPlan(shape, "feature maps", ndim - 3, "ch", _leading(shape, _names(ndim - 3, ("sample",))))


def _clamped(plan: MapPlan, chosen: Mapping[str, int]) -> tuple[int, ...]:
    picks = []
    for c in plan.choosers:
        k = int(chosen.get(c.name, 0))
        picks.append(ALL if c.every and k == ALL else min(max(k, 0), c.count - 1))
    return tuple(picks)


def map_grid(plan: MapPlan, array, chosen: Mapping[str, int] | None = None, scale: float | None = None) -> MapGrid:
    """The maps of ``array`` for the chooser indices ``chosen`` (by chooser name; 0 when not
    given, clamped to each axis), on the colour ``scale`` (by default the array's
    :func:`~graphviz_nn.session.colour_map.colour_scale`: pass it when choosing again).

    Raises
    ------
    ValueError
        When the array's shape is not the plan's.
    """
    a = np.asarray(array)
    a = (a.real if np.iscomplexobj(a) else a).astype(float, copy=False)
    if a.shape != plan.shape:
        raise ValueError(f"map_grid: the array has shape {a.shape} but the maps were planned for "
                         f"{plan.shape}; plan them again with plan_maps(array.shape, ...)")
    picks = _clamped(plan, chosen or {})
    fixed: list[int | None] = [None] * a.ndim
    part_axis = None
    for c, k in zip(plan.choosers, picks):
        if k == ALL:
            part_axis = c.axis
        else:
            fixed[c.axis] = k
    tiles = []
    count = 1 if plan.tile_axis is None else plan.shape[plan.tile_axis]
    for t in range(min(count, MOST_TILES)):
        where = list(fixed)
        if plan.tile_axis is not None:
            where[plan.tile_axis] = t
        tiles.append(_tile(a, plan, tuple(where), part_axis, t))
    scale = colour_scale(a) if scale is None else float(scale)
    return MapGrid(plan, picks, tuple(tiles), scale, _heading(plan, picks, count))


def _tile(a: np.ndarray, plan: MapPlan, where: tuple[int | None, ...], part_axis: int | None, t: int) -> Tile:
    index = tuple(slice(None) if k is None else k for k in where)
    block = a[index]    # (rows, columns), or (parts, rows, columns)
    if part_axis is not None:
        block = np.concatenate(list(block), axis=1)
    caption = f"{plan.tile_name} {t}" if plan.tile_axis is not None else ""
    return Tile(caption, block, where, part_axis, plan.shape[-1])


def _heading(plan: MapPlan, picks: tuple[int, ...], count: int) -> str:
    rows, cols = plan.shape[-2:]
    if plan.tile_axis is None:
        return f"{rows} × {cols}"
    what = "channels" if plan.tile_name == "ch" else "output channels"
    shown = f"{count} {what}" if count <= MOST_TILES else f"the first {MOST_TILES} of {count} {what}"
    sides = f"{rows} × {cols}"
    if ALL in picks:
        sides += ", every input channel side by side"
    return f"{shown} of {sides}"


@dataclass(frozen=True)
class GridPlace:
    """Where the maps of a grid go: ``columns`` maps to a row, cells ``cell`` pixels square,
    each map under a caption ``caption`` pixels high, ``gap`` pixels apart."""

    count: int
    columns: int
    cell: float
    map_size: tuple[float, float]
    caption: float
    gap: float

    @property
    def rows(self) -> int:
        return math.ceil(self.count / self.columns) if self.count else 0

    @property
    def size(self) -> tuple[float, float]:
        """The whole grid's width and height."""
        width, height = self.map_size
        across = self.columns * width + (self.columns - 1) * self.gap
        down = self.rows * (height + self.caption) + max(0, self.rows - 1) * self.gap
        return across, down

    def origin(self, k: int) -> tuple[float, float]:
        """The top-left corner of the ``k``-th map's cells (its caption is just above)."""
        width, height = self.map_size
        row, col = divmod(k, self.columns)
        return col * (width + self.gap), row * (height + self.caption + self.gap) + self.caption


def _whole(cell: float) -> float:
    # Whole pixels where possible, so every cell is the same size and the maps stay crisp.
    return float(math.floor(cell)) if cell >= 2 else cell


def arrange_grid(count: int, rows: int, cols: int, room: float, most_height: float, most_cell: float,
                 caption: float, gap: float) -> GridPlace:
    """How many maps of ``rows`` × ``cols`` cells go to a row of ``room`` pixels.

    The largest cells (at most ``most_cell`` pixels) with which the whole grid is at most
    ``most_height`` high; if none is, the lowest grid. Each map is as wide as its captions
    need at least (``caption`` is also a text line's height, and a caption "ch 15" is about
    three of them wide).
    """
    best = None
    least_width = 2.5 * caption
    for columns in range(1, max(1, count) + 1):
        across = room - gap * (columns - 1)
        cell = min(most_cell, across / (columns * cols)) if across > 0 else 0.0
        if cell <= 0 or (columns > 1 and max(cell * cols, least_width) * columns + gap * (columns - 1) > room):
            break
        cell = _whole(cell)
        place = GridPlace(count, columns, cell, (max(cell * cols, least_width if count > 1 else 0.0), cell * rows),
                          caption if count > 1 else 0.0, gap)
        fits = place.size[1] <= most_height
        key = (fits, cell if fits else 0.0, -place.size[1])  # big cells that fit; then the lowest grid
        if best is None or key > best[0]:
            best = (key, place)
    if best is None:    # not even one map fits across: one to a row, cells shrunk to the room
        cell = max(room, 1.0) / cols
        return GridPlace(count, 1, cell, (cell * cols, cell * rows), caption if count > 1 else 0.0, gap)
    return best[1]
