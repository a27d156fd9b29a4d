"""Nodes of a computational graph: Variable, Constant and the Function nodes ops make.

Nodes are built eagerly: a node's value exists as soon as it is made. A :class:`Graph`
re-runs the nodes in topological order after variables change.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

import numpy as np

from .errors import EngineError, ShapeError
from .indices import encode_index
from .params import read_params
from .plan import check_call
from .registry import Op, get_op

ArrayLike = Union[float, int, Sequence, np.ndarray]
NodeLike = Union["Node", float, int, Sequence, np.ndarray]


def as_array(value: ArrayLike) -> np.ndarray:
    """Convert a number, list or array to a float array (float64 unless already floating)."""
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"a node's value must be real numbers, got an array of dtype {array.dtype}"
    )


class Node:
    """A node of a computational graph.

    Attributes
    ----------
    value : ndarray
        The node's current value.
    grad : ndarray or None
        dL/d(node) after the last backward pass; None where the node does not depend on any
        Variable (it is a constant of the differentiation).
    tangent : ndarray or None
        d(node)/dt after the last forward-mode pass; None where the node does not depend on
        the seeded variables.
    name : str or None
        The name shown in the graph and in error messages.
    scope : tuple of str
        Nested group names (a layer, a perceptron) that the layout draws as clusters.
    """

    __slots__ = ("value", "grad", "tangent", "name", "scope", "__weakref__")
    kind = "node"
    # Let numpy defer to our reflected operators: ndarray * node calls node.__rmul__.
    __array_ufunc__ = None

    def __init__(self, value: np.ndarray, name: str | None = None):
        self.value = value
        self.grad: np.ndarray | None = None
        self.tangent: np.ndarray | None = None
        self.name = name
        self.scope: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the node's value."""
        return self.value.shape

    @property
    def T(self) -> Function:  # noqa: N802 - numpy's and PyTorch's name
        """The transpose (axes reversed), a new node: ``transpose(node)``."""
        return apply(get_op("transpose"), self)

    def item(self) -> float:
        """The value of a node holding one number, as a Python float.

        Raises
        ------
        ValueError
            When the value has more than one element (take ``node.value`` instead).
        """
        if self.value.size != 1:
            raise ValueError(
                f"item(): '{self.label}' holds {self.value.size} values of shape {self.value.shape}, "
                "not one; read node.value for the array"
            )
        return float(self.value.item())

    def __float__(self) -> float:
        """``float(node)``: the value of a one-number node (see :meth:`item`)."""
        if self.value.size != 1:
            raise TypeError(
                f"float(): '{self.label}' holds {self.value.size} values of shape {self.value.shape}; "
                "only a node of one value converts to a float"
            )
        return float(self.value.item())

    def backward(self, cotangent: ArrayLike | None = None) -> None:
        """Reverse pass from this node: set ``.grad`` on every node it depends on.

        The graph is re-evaluated from the current leaf values first (one forward pass),
        so the gradients are right even after a Variable's value was changed by hand.

        Gradients are reset, not accumulated: each call replaces the ``.grad`` of every
        node of this graph, and a node used several times gets the sum of its uses within
        the call. PyTorch differs: ``loss.backward()`` adds into ``.grad`` until
        ``zero_grad()``, and its graph is freed after one call unless ``retain_graph``;
        here a graph can be run backward any number of times and no zeroing is needed.
        As in PyTorch, nodes that depend on no Variable (Constants) get no gradient (None).

        Parameters
        ----------
        cotangent : array, optional
            The seed d(L)/d(this node); required when this node is not a scalar (the
            gradients are then those of ``sum(cotangent * node)``).

        Raises
        ------
        GraphError
            A non-scalar node without a cotangent, or a cotangent of the wrong shape.
        """
        graph = _graph_of(self)
        graph.forward()
        graph.backward(self, cotangent)

    @property
    def inputs(self) -> tuple[Node, ...]:
        return ()

    @property
    def label(self) -> str:
        """A short human name: the given name, else the op or the constant's value."""
        return self.name if self.name is not None else self.kind

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name is not None else ""
        return f"{type(self).__name__}({name}shape={self.value.shape})"

    # Arithmetic builds Function nodes through the op registry.
    def __add__(self, other: NodeLike) -> Function:
        return apply(get_op("add"), self, other)

    def __radd__(self, other: NodeLike) -> Function:
        return apply(get_op("add"), other, self)

    def __sub__(self, other: NodeLike) -> Function:
        return apply(get_op("sub"), self, other)

    def __rsub__(self, other: NodeLike) -> Function:
        return apply(get_op("sub"), other, self)

    def __mul__(self, other: NodeLike) -> Function:
        return apply(get_op("mul"), self, other)

    def __rmul__(self, other: NodeLike) -> Function:
        return apply(get_op("mul"), other, self)

    def __truediv__(self, other: NodeLike) -> Function:
        return apply(get_op("div"), self, other)

    def __rtruediv__(self, other: NodeLike) -> Function:
        return apply(get_op("div"), other, self)

    def __pow__(self, other: NodeLike) -> Function:
        return apply(get_op("pow"), self, other)

    def __rpow__(self, other: NodeLike) -> Function:
        return apply(get_op("pow"), other, self)

    def __matmul__(self, other: NodeLike) -> Function:
        return apply(get_op("matmul"), self, other)

    def __rmatmul__(self, other: NodeLike) -> Function:
        return apply(get_op("matmul"), other, self)

    def __neg__(self) -> Function:
        return apply(get_op("neg"), self)

    def __getitem__(self, index: Any) -> Function:
        """``x[1, 2:, ::-1]``, ``x[rows]``: a getitem node; repeated rows add their gradients."""
        return apply(get_op("getitem"), self, index=encode_index(index))

    # A node is no sequence: without this, iter(node) would call x[0], x[1], ... until an error.
    __iter__ = None

    def _repr_svg_(self) -> str:
        """In a notebook a node shows its graph: everything it depends on, with values."""
        return _graph_of(self)._repr_svg_()


class Variable(Node):
    """A leaf whose value can change and whose gradient is wanted (a weight, an input x1).

    Parameters
    ----------
    value : number, list or ndarray
        Converted to a float64 array unless already floating.
    name : str, optional
        Shown in the graph and in messages.
    """

    __slots__ = ()
    kind = "variable"

    def __init__(self, value: ArrayLike, name: str | None = None):
        super().__init__(as_array(value), name)


class Constant(Node):
    """A leaf that is held fixed (data, targets, literal numbers); it gets no gradient."""

    __slots__ = ()
    kind = "constant"

    def __init__(self, value: ArrayLike, name: str | None = None):
        super().__init__(as_array(value), name)

    @property
    def label(self) -> str:
        if self.name is not None:
            return self.name
        if self.value.size == 1:
            return f"{self.value.item():g}"
        return "constant"


class Function(Node):
    """The result of applying an op to input nodes; computed as soon as it is built.

    Raises
    ------
    ShapeError
        When the inputs' shapes do not fit the op; the message names the op, each operand
        and its shape.
    ParamError
        A parameter the op does not declare (numpy's dtype, out, where, ...), or one of the
        wrong type or range.
    """

    __slots__ = ("op", "_inputs", "params")
    kind = "function"

    def __init__(
        self,
        op: Op,
        inputs: Sequence[Node],
        params: Mapping[str, Any] | None = None,
        name: str | None = None,
    ):
        self.op = op
        self._inputs = tuple(inputs)
        if len(self._inputs) != op.arity:
            raise TypeError(f"{op.name} takes {op.arity} inputs, got {len(self._inputs)}")
        values = [node.value for node in self._inputs]
        self.params = _checked_params(op, self._inputs, tuple(v.shape for v in values),
                                      dict(params) if params else {})
        try:
            value = op.forward(*values, **self.params)
        except ValueError as error:
            raise ShapeError(f"{describe_call(op, self._inputs)}: {error}") from None
        super().__init__(np.asarray(value), name)

    @property
    def inputs(self) -> tuple[Node, ...]:
        return self._inputs

    @property
    def label(self) -> str:
        return self.name if self.name is not None else self.op.label

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name is not None else ""
        return f"Function({name}op={self.op.name!r}, shape={self.value.shape})"


def _checked_params(op: Op, inputs: tuple[Node, ...], shapes: tuple, given: dict) -> dict[str, Any]:
    """The parameters checked against the op's declarations, and the shapes against its rule."""
    try:
        if op.plannable:
            return check_call(op, shapes, given)[0]
        return read_params(op.name, op.params, given, len(shapes[0]) if shapes else 0)
    except EngineError:
        # Again, to name the operands in the message (made only when there is an error).
        where = describe_call(op, inputs)
        if op.plannable:
            check_call(op, shapes, given, where)
        else:
            read_params(where, op.params, given, len(shapes[0]) if shapes else 0)
        raise


def as_node(value: NodeLike) -> Node:
    """Return a node as it is; wrap a number, list or array in a Constant."""
    if isinstance(value, Node):
        return value
    return Constant(value)


# The Graph class, handed over by engine/graph.py as it is imported (it imports this module,
# so this one cannot import it back): a node's backward() and its drawing build a graph.
_GRAPH: dict[str, type] = {}


def use_graph_class(graph_class: type) -> None:
    """Let nodes build graphs of this class (``Node.backward``, a node shown in a notebook)."""
    _GRAPH["class"] = graph_class


def _graph_of(node: Node) -> Any:
    """The graph of everything ``node`` depends on."""
    try:
        return _GRAPH["class"](node)
    except KeyError:
        raise RuntimeError("no graph class is known: import graphviz_nn.engine first") from None


def apply(op: Op, *inputs: NodeLike, name: str | None = None, **params: Any) -> Function:
    """Build the Function node ``op(*inputs, **params)``, wrapping plain values as Constants."""
    return Function(op, [as_node(x) for x in inputs], params, name)


def describe_call(op: Op, inputs: Sequence[Node]) -> str:
    """``matmul(W1 (3, 2), x (3,))``: the op and each operand's label and shape."""
    operands = ", ".join(f"{node.label} {node.value.shape}" for node in inputs)
    return f"{op.name}({operands})"


def tag_scope(output: Node, scope: tuple[str, ...], stop: Sequence[Node] = ()) -> Node:
    """Give ``scope`` to every node ``output`` depends on that has none yet, up to ``stop``
    (which keep theirs); returns ``output``.

    Graphs are built one piece at a time (a layer, a perceptron, a norm's parts, the loss) and
    each piece is tagged right after: the nodes of earlier pieces already carry their scope,
    so only the new ones change.
    """
    stops, stack, seen = set(stop), [output], set()
    while stack:
        node = stack.pop()
        if node in seen or node in stops or node.scope:
            continue
        seen.add(node)
        node.scope = scope
        stack.extend(node.inputs)
    return output
