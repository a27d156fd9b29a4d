"""The model builder's document: a ``Sequential`` model's layers being edited, checked against
its input's shape after every edit, with the last model that fitted kept. Qt-free.

The document holds two things: the layers as they are being edited (the draft: each layer's
spec JSON, its values as typed) and the last good spec, the last draft that was a valid
:class:`~graphviz_nn.nn.model_spec.ModelSpec` fitting the input (and, when the builder has
the dataset, its targets). An edit that does not fit stays in the draft, so a size can be
typed digit by digit, and :attr:`ModelBuilder.problem` says why in the spec's words, naming
the layer and the two shapes: ``layer 2 Linear expects (N, 64), gets (N, 128)``. The last
good spec is what "Build" builds and what ``graphviz-nn train --spec`` reads
(:meth:`ModelBuilder.write` writes it with the same codec).

Views call the edits and redraw at :class:`ModelBuilderEvents`; they never decide (napari's
``Dims`` with ``QtDims``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from ..io.atomic import write_atomic
from ..io.model_records import model_spec_to_json, read_spec_file
from ..nn.layer_types import LAYER_TYPES
from ..nn.model_setup import check_fit
from ..nn.model_spec import ModelSpec, SpecError, shapes
from ..nn.shaped_data import ShapedData
from ..nn.spec_shapes import Shape
from .events import Event
from .layer_drafts import fitted_layer, read_text

Draft = tuple[dict, ...]

#: Edits kept for undo: a draft of 256 layers is a few tens of kilobytes.
UNDO_LIMIT = 500


class ModelBuilderEvents:
    """What a :class:`ModelBuilder` announces, each after the whole change is made.

    ``layers_changed()``: the draft changed (a layer added, removed, moved or a value edited,
    undone or redone), and with it the output shapes and what can be undone.
    ``problem_changed(message or None)``: why the draft is refused changed (None: it fits).
    ``spec_changed(ModelSpec)``: the last good spec changed.
    ``input_changed(shape, tokens)``: the input the layers are checked against changed.
    """

    def __init__(self) -> None:
        self.layers_changed = Event()
        self.problem_changed = Event()
        self.spec_changed = Event()
        self.input_changed = Event()


class ModelBuilder:
    """A Sequential model's layers being edited, and the last spec of them that fitted.

    Parameters
    ----------
    spec : ModelSpec
        The model to start from (a preset sized by the data, a spec file, a single layer).
    input_shape : sequence of int or str, optional
        What the model is given, names for sizes the data decides: ``("N", 128)``; the
        data's own when ``data`` is given.
    tokens : bool
        The input holds tokens (for an Embedding); the data's own when ``data`` is given.
    data : ShapedData, optional
        The dataset chosen: the layers must also give what its targets need.

    Raises
    ------
    SpecError
        ``spec`` does not fit the input (naming the layer and the two shapes).
    ValueError
        Neither an input shape nor data.

    Attributes
    ----------
    events : ModelBuilderEvents
    """

    def __init__(self, spec: ModelSpec, input_shape: Sequence[int | str] | None = None, tokens: bool = False,
                 data: ShapedData | None = None):
        self.events = ModelBuilderEvents()
        self._input, self._tokens, self._data = _input_of(input_shape, tokens, data)
        self._undo: list[Draft] = []
        self._redo: list[Draft] = []
        self._merging: tuple | None = None  # the value being typed, whose edits undo as one
        self._draft: Draft = _draft_of(spec)
        self._spec, self._shapes, problem = self._checked(self._draft)
        if problem is not None:
            raise problem
        self._problem: SpecError | None = None

    @property
    def layers(self) -> Draft:
        """The draft: each layer's JSON object, every argument written, values as typed (copies)."""
        return tuple(dict(layer) for layer in self._draft)

    @property
    def spec(self) -> ModelSpec:
        """The last good spec: the last draft that fitted. Always fits the input."""
        return self._spec

    @property
    def problem(self) -> str | None:
        """Why the draft is refused, naming the layer (and the two shapes for a misfit); None
        when the draft is the last good spec."""
        return None if self._problem is None else str(self._problem)

    @property
    def problem_index(self) -> int | None:
        """The layer the problem is in (from 0), or None."""
        return None if self._problem is None else self._problem.index

    @property
    def shapes(self) -> tuple[Shape | None, ...]:
        """Each draft layer's output shape; None from a layer that does not fit onwards."""
        return self._shapes

    @property
    def input_shape(self) -> Shape:
        return self._input

    @property
    def tokens(self) -> bool:
        return self._tokens

    @property
    def data(self) -> ShapedData | None:
        return self._data

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def shape_before(self, index: int) -> Shape | None:
        """The shape layer ``index`` is given (the input for 0); None when not known."""
        return self._input if index == 0 else self._shapes[index - 1]

    def add(self, type_name: str, index: int | None = None) -> int:
        """Insert a new layer of ``type_name`` at ``index`` (the end when None), sized to take
        the shape there and, where it can, give it back; its index."""
        index = len(self._draft) if index is None else _position(index, len(self._draft) + 1)
        vocab = self._data.vocab if self._data is not None else None
        layer = fitted_layer(type_name, self.shape_before(index), vocab)
        self._edit(self._draft[:index] + (layer,) + self._draft[index:])
        return index

    def remove(self, index: int) -> None:
        """Take layer ``index`` out."""
        index = _position(index, len(self._draft))
        self._edit(self._draft[:index] + self._draft[index + 1:])

    def move(self, index: int, offset: int) -> int:
        """Move layer ``index`` by ``offset`` places (−1: up), stopping at either end; its new index."""
        index = _position(index, len(self._draft))
        to = min(max(index + offset, 0), len(self._draft) - 1)
        layers = list(self._draft)
        layers.insert(to, layers.pop(index))
        self._edit(tuple(layers))
        return to

    def set_arg(self, index: int, name: str, value: Any) -> None:
        """Set argument ``name`` of layer ``index``; text is read as typed ("3, 2" for a
        pair). Consecutive edits of one argument undo as one (a size typed digit by digit).

        Raises
        ------
        ValueError
            The layer's type has no argument ``name``.
        """
        index = _position(index, len(self._draft))
        layer = self._draft[index]
        arg = next((a for a in LAYER_TYPES[layer["type"]].args if a.name == name), None)
        if arg is None:
            raise ValueError(f"layer {index} {layer['type']} has no argument {name!r}")
        if isinstance(value, str):
            value = read_text(arg, value)
        elif isinstance(value, tuple):
            value = list(value)
        changed = {**layer, name: value}
        self._edit(self._draft[:index] + (changed,) + self._draft[index + 1:], merge=(index, name))

    def replace(self, spec: ModelSpec) -> None:
        """Put every layer of ``spec`` in the draft, as one edit (a preset, a spec file)."""
        self._edit(_draft_of(spec))

    def open(self, path: str | Path) -> None:
        """Put the spec of a file ``graphviz-nn train --spec`` reads in the draft, as one
        edit; ValueError naming the file and what is wrong, the draft untouched."""
        self.replace(read_spec_file(path))

    def undo(self) -> None:
        """Put back the draft before the last edit (nothing when there is none)."""
        if self._undo:
            self._redo.append(self._draft)
            self._merging = None
            self._show(self._undo.pop())

    def redo(self) -> None:
        """Make again the last edit undone (nothing when there is none)."""
        if self._redo:
            self._undo.append(self._draft)
            self._merging = None
            self._show(self._redo.pop())

    def set_input(self, input_shape: Sequence[int | str] | None = None, tokens: bool = False,
                  data: ShapedData | None = None, spec: ModelSpec | None = None) -> None:
        """Check the layers against another input (another dataset chosen).

        With ``spec`` (a preset sized for the new data) the builder starts over from it, its
        undo history cleared. Without, the draft is checked against the new input and
        becomes the last good spec if it fits; else the last good spec is kept if it fits.

        Raises
        ------
        SpecError
            ``spec`` does not fit the new input, or neither the draft nor the last good
            spec does (nothing changes): give a spec that fits.
        """
        shape, tokens, data = _input_of(input_shape, tokens, data)
        old = (self._input, self._tokens, self._data)
        self._input, self._tokens, self._data = shape, tokens, data
        draft = self._draft if spec is None else _draft_of(spec)
        good, _, problem = self._checked(draft)
        if good is None and (spec is not None or not self._fits(self._spec)):
            self._input, self._tokens, self._data = old
            raise problem
        if spec is not None:
            self._undo.clear()
            self._redo.clear()
        self._merging = None
        self._show(draft)
        self.events.input_changed.emit(shape, tokens)

    def to_json(self) -> dict:
        """The last good spec as a spec file holds it."""
        return model_spec_to_json(self._spec)

    def write(self, path: str | Path) -> Path:
        """Write the last good spec as a spec file (atomically), for ``graphviz-nn train --spec``."""
        text = json.dumps(self.to_json(), indent=2) + "\n"
        return write_atomic(path, text.encode("utf-8"))

    def _edit(self, draft: Draft, merge: tuple | None = None) -> None:
        if draft == self._draft:
            return
        if merge is None or merge != self._merging:
            self._undo.append(self._draft)
            del self._undo[:-UNDO_LIMIT]
        elif self._undo and self._undo[-1] == draft:  # typed back to where the typing began
            self._undo.pop()
            merge = None
        self._merging = merge
        self._redo.clear()
        self._show(draft)

    def _show(self, draft: Draft) -> None:
        """Hold ``draft``, check it, and announce what changed."""
        old_spec, old_problem = self._spec, self.problem
        good, self._shapes, self._problem = self._checked(draft)
        self._draft = draft
        if good is not None:
            self._spec = good
        self.events.layers_changed.emit()
        if self.problem != old_problem:
            self.events.problem_changed.emit(self.problem)
        if self._spec != old_spec:
            self.events.spec_changed.emit(self._spec)

    def _walk(self, spec: ModelSpec) -> list[Shape]:
        """The output shapes of the layers of ``spec``; SpecError at the first that does not fit
        the input, the dataset's targets, or this version of the package."""
        walked = shapes(spec, self._input, self._tokens)
        for index, layer in enumerate(spec.layers):
            if LAYER_TYPES[layer.type].resolve() is None:
                raise SpecError(f"layer {index} {layer.type}: this version of graphviz-nn has no {layer.type} "
                                "layer yet; use another type", index)
        if self._data is not None:
            check_fit(spec, self._data)
        return walked[1:]

    def _fits(self, spec: ModelSpec) -> bool:
        try:
            self._walk(spec)
        except SpecError:
            return False
        return True

    def _checked(self, draft: Draft) -> tuple[ModelSpec | None, tuple[Shape | None, ...], SpecError | None]:
        """The spec of ``draft`` if it fits, each layer's output shape (as far as they fit),
        and why it does not fit."""
        try:
            spec = ModelSpec(draft)
            return spec, tuple(self._walk(spec)), None
        except SpecError as error:
            return None, self._fitting_part(draft, error), error

    def _fitting_part(self, draft: Draft, error: SpecError) -> tuple[Shape | None, ...]:
        """The output shapes of the layers before the first that does not fit, None after."""
        end = len(draft) if error.index is None else error.index
        while end > 0:
            try:
                walked = shapes(ModelSpec(draft[:end]), self._input, self._tokens)[1:]
                return tuple(walked) + (None,) * (len(draft) - end)
            except SpecError as earlier:
                end = min(earlier.index if earlier.index is not None else end, end - 1)
        return (None,) * len(draft)


def _draft_of(spec: ModelSpec) -> Draft:
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"the builder starts from a ModelSpec, got {type(spec).__name__}")
    return tuple(layer.as_dict() for layer in spec.layers)


def _input_of(input_shape: Sequence[int | str] | None, tokens: bool,
              data: ShapedData | None) -> tuple[Shape, bool, ShapedData | None]:
    if data is not None:
        if input_shape is not None and tuple(input_shape) != data.input_shape:
            raise ValueError(f"input_shape {tuple(input_shape)} is not {data.name}'s {data.input_shape}: "
                             "give one of them")
        return data.input_shape, data.tokens, data
    if input_shape is None:
        raise ValueError("the builder checks the layers against an input: give input_shape=('N', 128) or data")
    shape = tuple(input_shape)
    if not shape or any(isinstance(d, bool) or not isinstance(d, (int, str)) or (isinstance(d, int) and d < 1)
                        for d in shape):
        raise ValueError(f"input_shape must be whole numbers >= 1 or names, as ('N', 128); got {input_shape!r}")
    return shape, bool(tokens), None


def _position(index: int, count: int) -> int:
    if not 0 <= index < count:
        raise IndexError(f"layer {index} is not in the builder's {count} places (0 to {count - 1})")
    return index
