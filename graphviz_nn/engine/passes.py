"""The three passes over a graph, written once as generators of Steps.

With ``record=False`` a pass yields nothing and makes no Step objects: ``Graph.forward()``
and the animation run the same code, and only the animation pays for the records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Mapping

import numpy as np

from .broadcast import broadcast_tangent, unbroadcast
from .errors import GraphError, NonFiniteError, RuleError
from .node import Function, Node, as_array
from .step import Contribution, Step

if TYPE_CHECKING:
    from .graph import Graph


def _raise_non_finite(graph: Graph, node: Node, array: np.ndarray, phase: str) -> None:
    what = "nan" if np.isnan(array).any() else "inf"
    quantity = {"forward": "value", "backward": "gradient", "tangent": "tangent"}[phase]
    node_id = graph.id_of(node)
    where = f"{node.op.name}(...)" if isinstance(node, Function) else node.kind
    if node.scope:
        where += " in " + " / ".join(node.scope)
    raise NonFiniteError(
        f"{phase} pass: node {node_id} '{node.label}' ({where}) has a {quantity} with {what}",
        node=node, node_id=node_id, phase=phase,
    )


def forward_steps(graph: Graph, record: bool = True, check_finite: bool = False) -> Iterator[Step]:
    """Evaluate every function node in topological order; yield a Step per node if recording."""
    index = 0
    ndarray = np.ndarray
    for node, evaluate, inputs, params in graph.forward_plan:
        if evaluate is not None:
            # NOTE: the old value is let go before the new one is made, so the allocator can
            # hand its block (still in cache) straight back: 5% off the forward pass of the
            # 64-128-10 net, whose arrays are 1.8 MB. Should the op fail, the value is unknown:
            # nan. A binary op without parameters, the usual call, is written out: no list
            # and no keyword unpacking (2 µs a step on the 30-64-64-1 net).
            shape = node.value.shape
            node.value = None
            try:
                if params:
                    value = evaluate(*[x.value for x in inputs], **params)
                elif len(inputs) == 2:
                    value = evaluate(inputs[0].value, inputs[1].value)
                else:
                    value = evaluate(*[x.value for x in inputs])
            except BaseException:
                node.value = np.full(shape, np.nan)
                raise
            if type(value) is not ndarray:
                value = np.asarray(value)
            node.value = value
            if check_finite and not np.isfinite(value).all():
                _raise_non_finite(graph, node, value, "forward")
        if record:
            yield Step("forward", index, graph.id_of(node), node, node.value)
            index += 1


def _seed(graph: Graph, output: Node | None, cotangent) -> tuple[Node, np.ndarray]:
    if output is None:
        if len(graph.outputs) != 1:
            raise GraphError(
                f"this graph has {len(graph.outputs)} outputs; say which to differentiate: "
                "backward(output=...)"
            )
        output = graph.outputs[0]
    elif output not in graph:
        raise GraphError(f"{output!r} is not part of this graph")
    shape = output.value.shape
    if cotangent is None:
        if output.value.size != 1:
            raise GraphError(
                f"output '{output.label}' has shape {shape}: give a cotangent of that shape "
                f"(np.ones({shape}) gives the gradient of its sum)"
            )
        return output, np.ones(shape, dtype=output.value.dtype)
    seed = as_array(cotangent)
    try:
        seed = np.broadcast_to(seed, shape)
    except ValueError:
        raise GraphError(
            f"cotangent of shape {seed.shape} does not fit output '{output.label}' of shape {shape}"
        ) from None
    return output, seed


def _misshapen(node: Function, kind: str, i: int, error: ValueError) -> RuleError:
    return RuleError(
        f"op {node.op.name!r}: its {kind} rule for input {node.op.arg_names[i]} gave a wrong "
        f"shape ({error}); fix the rule in its record in engine/ops/"
    )


def _missing_rule(node: Function, kind: str) -> RuleError:
    return RuleError(
        f"op {node.op.name!r} has no {kind} rule: add it to its record in engine/ops/"
    )


def backward_steps(
    graph: Graph,
    output: Node | None = None,
    cotangent=None,
    record: bool = True,
    check_finite: bool = False,
) -> Iterator[Step]:
    """Reverse mode: propagate dL/d(node) from ``output`` back to every node that needs it."""
    output, seed = _seed(graph, output, cotangent)
    for node in graph.nodes:
        node.grad = None
    grads: dict[Node, np.ndarray] = {output: seed} if graph.needs_grad(output) else {}
    if not record:
        _reverse(graph, grads, check_finite)
        return
    received: dict[Node, list[Contribution]] = {}
    index = 0
    ndarray, add_reduce = np.ndarray, np.add.reduce
    for node, inputs, needed in graph.backward_plan:
        g = _gradient_of(graph, node, grads.pop(node, None), check_finite)
        if g is None:
            continue
        sent: list[Contribution] = []
        if needed:
            op, ans, params = node.op, node.value, node.params
            vjp = op.vjp
            if vjp is None:
                raise _missing_rule(node, "vjp")
            values = [x.value for x in inputs]
            binary = len(values) == 2 and not params
            for i, x in needed:
                if binary:
                    term = vjp[i](g, ans, values[0], values[1])
                else:
                    term = vjp[i](g, ans, *values, **params)
                if type(term) is not ndarray:
                    term = np.asarray(term)
                shape = values[i].shape
                if term.shape != shape:  # un-broadcast only where the shapes differ
                    if shape and term.shape[1:] == shape:
                        # A bias added to every row, the usual case: one sum over the rows,
                        # without unbroadcast's general search for the stretched axes.
                        term = add_reduce(term, 0)
                    else:
                        try:
                            term = unbroadcast(term, shape)
                        except ValueError as error:
                            raise _misshapen(node, "vjp", i, error) from None
                previous = grads.get(x)
                # Each Step keeps its terms: a sum is a new array, never one added into.
                grads[x] = term if previous is None else previous + term
                if record:
                    local = op.local_derivative(i, ans, values, params)
                    c = Contribution(
                        graph.id_of(node), graph.id_of(x), op.arg_names[i], term, g, local,
                        op.vjp_text[i] if op.vjp_text else "",
                    )
                    sent.append(c)
                    received.setdefault(x, []).append(c)
        if record:
            yield Step(
                "backward", index, graph.id_of(node), node, g,
                tuple(received.pop(node, ())), tuple(sent),
            )
            index += 1


def _gradient_of(graph: Graph, node: Node, g, check_finite: bool) -> np.ndarray | None:
    """The node's complete gradient, set as its ``grad``; None (and a zero ``grad``) for a
    node that depends on a Variable but does not reach the output."""
    if g is None:
        node.grad = np.zeros_like(node.value)
        return None
    if type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy turns 0-d results into scalars; keep arrays throughout
    node.grad = g
    if check_finite and not np.isfinite(g).all():
        _raise_non_finite(graph, node, g, "backward")
    return g


def _reverse(graph: Graph, grads: dict[Node, np.ndarray], check_finite: bool) -> None:
    """:func:`backward_steps` without the records: what ``Graph.backward()`` and training run.

    Written apart, lean, for that is where the time goes: an unrolled LSTM of 50 steps has
    811 nodes, and the loop's own work per node was a third of its backward pass.
    """
    # NOTE: the gradients this pass allocated itself (a sum of two terms, or an index's zeros)
    # are the only ones that may take further terms in place: a term can be a consumer's own
    # g (an add hands g on as it is) or a view of it.
    owned: set[Node] = set()
    ndarray, add_reduce, add, pop, get = np.ndarray, np.add.reduce, np.add, grads.pop, grads.get
    for node, inputs, needed in graph.backward_plan:
        g = _gradient_of(graph, node, pop(node, None), check_finite)
        if g is None or not needed:
            continue
        op, ans, params = node.op, node.value, node.params
        vjp, adds = op.vjp, op.vjp_add
        if vjp is None:
            raise _missing_rule(node, "vjp")
        values = [x.value for x in inputs]
        binary = not params and len(values) == 2
        for i, x in needed:
            if adds is not None and adds[i] is not None and _gathered_in_place(grads, owned, x):
                adds[i](grads[x], g, ans, *values, **params)
                continue
            term = vjp[i](g, ans, values[0], values[1]) if binary else vjp[i](g, ans, *values, **params)
            if type(term) is not ndarray:
                term = np.asarray(term)
            shape = values[i].shape
            if term.shape != shape:  # un-broadcast only where the shapes differ
                if shape and term.shape[1:] == shape:
                    term = add_reduce(term, 0)  # a bias added to every row, the usual case
                else:
                    try:
                        term = unbroadcast(term, shape)
                    except ValueError as error:
                        raise _misshapen(node, "vjp", i, error) from None
            previous = get(x)
            if previous is None:
                grads[x] = term
            elif x in owned and (term.dtype == previous.dtype or np.result_type(previous, term) == previous.dtype):
                add(previous, term, out=previous)
            else:
                grads[x] = total = previous + term
                if type(total) is ndarray:
                    owned.add(x)


def _gathered_in_place(grads: dict, owned: set, x: Node) -> bool:
    """Make ``grads[x]`` a float64 array this pass owns, for a term to be added into it in
    place; False where it cannot be (a gradient in another precision keeps numpy's sum)."""
    previous = grads.get(x)
    if previous is None:
        grads[x] = np.zeros(x.value.shape)
    elif type(previous) is not np.ndarray or previous.dtype != np.float64:
        return False
    elif x not in owned:
        grads[x] = previous.copy()
    owned.add(x)
    return True


def _seeds(graph: Graph, seeds: Mapping[Node, object]) -> dict[Node, np.ndarray]:
    checked = {}
    for node, tangent in seeds.items():
        if node not in graph:
            raise GraphError(f"{node!r} is not part of this graph, so it cannot be seeded")
        if node.inputs:
            raise GraphError(f"only leaves can be seeded with a tangent; '{node.label}' is a function")
        t = as_array(tangent)
        try:
            checked[node] = np.broadcast_to(t, node.value.shape)
        except ValueError:
            raise GraphError(
                f"tangent of shape {t.shape} does not fit '{node.label}' of shape {node.value.shape}"
            ) from None
    return checked


def tangent_steps(
    graph: Graph,
    seeds: Mapping[Node, object],
    record: bool = True,
    check_finite: bool = False,
) -> Iterator[Step]:
    """Forward mode: push tangents from seeded leaves through the graph in evaluation order."""
    leaves = _seeds(graph, seeds)
    index = 0
    for node, evaluate, inputs, params in graph.forward_plan:
        terms: list[Contribution] = []
        if evaluate is None:
            tangent = leaves.get(node)
        else:
            tangent = None
            op, ans = node.op, node.value
            values = [x.value for x in inputs]
            for i, x in enumerate(inputs):
                dx = x.tangent
                if dx is None:
                    continue
                if op.jvp is None:
                    raise _missing_rule(node, "jvp")
                try:
                    term = broadcast_tangent(np.asarray(op.jvp[i](dx, ans, *values, **params)), ans.shape)
                except ValueError as error:
                    raise _misshapen(node, "jvp", i, error) from None
                tangent = term if tangent is None else np.asarray(tangent + term)
                if record:
                    local = op.local_derivative(i, ans, values, params)
                    terms.append(Contribution(
                        graph.id_of(x), graph.id_of(node), op.arg_names[i], term, dx, local,
                        op.tangent_formula(i),
                    ))
            if tangent is not None and check_finite and not np.isfinite(tangent).all():
                node.tangent = tangent
                _raise_non_finite(graph, node, tangent, "tangent")
        node.tangent = tangent
        if record:
            yield Step("tangent", index, graph.id_of(node), node, tangent, tuple(terms))
            index += 1
