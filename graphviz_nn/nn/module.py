"""Module: the base of every layer, as ``torch.nn.Module`` names its parts.

A module holds parameters (Variables) and buffers under torch's names, finds its children
among its attributes, and is called on nodes: ``layer(x)`` runs :meth:`Module.forward`,
which builds new nodes from the inputs, and puts every node that call made in the module's
scope, so the window can draw (and collapse) a layer as one box.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, NamedTuple

import numpy as np

from ..engine import Constant, Function, Node, Variable

Observer = Callable[["Module", Any], None]


class IncompatibleKeys(NamedTuple):
    """What :meth:`Module.load_state_dict` left out with ``strict=False``, as torch returns."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def nodes_in(value: Any) -> list[Node]:
    """The nodes in a value: a node, or tuples, lists and dicts of them (a layer's arguments)."""
    if isinstance(value, Node):
        return [value]
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [node for item in value for node in nodes_in(item)]
    return []


def scope_new_nodes(outputs: Any, scope: tuple[str, ...], stop: Any = ()) -> None:
    """Give ``scope`` to the Function nodes ``outputs`` depend on that have none yet, up to ``stop``.

    For the parts of one call that deserve their own box (a time step of a recurrence): the
    nodes of earlier parts already carry their scope, so only the new ones get this one.
    Leaves are left to the module (see :meth:`Module.__call__`).
    """
    stops = set(nodes_in(stop))
    stack = [node for node in nodes_in(outputs) if node not in stops]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen or node in stops or node.scope or not isinstance(node, Function):
            continue
        seen.add(node)
        node.scope = scope
        stack.extend(node.inputs)


def _enter_scope(outputs: list[Node], label: str, stops: list[Node]) -> None:
    """Put the nodes a call made inside ``label``: its Functions, and the leaves it used.

    Every Function between the outputs and the call's inputs was made by this call (a
    module builds new nodes each time it is called), so its scope gets ``label`` in front:
    the child modules called inside have already put their own nodes in their scopes.
    A leaf (a parameter, a constant the call made) goes to the deepest scope shared by all
    the nodes of this call that use it: a recurrent weight used at every step sits in the
    layer's box, not in the first step's.
    """
    seen = set(stops)
    stack = [node for node in outputs if node not in seen]
    users: dict[Node, list[tuple[str, ...]]] = {}
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if not isinstance(node, Function):
            continue
        node.scope = (label,) + node.scope
        for child in node.inputs:
            if not isinstance(child, Function) and child not in stops:
                users.setdefault(child, []).append(node.scope)
            stack.append(child)
    for leaf, scopes in users.items():
        shared = scopes[0]
        for scope in scopes[1:]:
            n = 0
            while n < min(len(shared), len(scope)) and shared[n] == scope[n]:
                n += 1
            shared = shared[:n]
        leaf.scope = shared


class Module:
    """The base of layers and models, as ``torch.nn.Module``.

    A subclass calls ``super().__init__()`` first, then assigns its parameters (Variables)
    and child modules as attributes, which registers them under those names, and writes
    :meth:`forward`. Calling the module calls ``forward`` and puts the nodes the call made
    in the module's scope (its :attr:`label`).

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after :meth:`eval`; layers that behave
        differently (dropout, batch norm) read it.
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_label", None)
        object.__setattr__(self, "_observer", None)
        object.__setattr__(self, "training", True)

    # -- registration -------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning {name!r}"
            )
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Variable):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
            value._name_as_child(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        object.__delattr__(self, name)

    def _name_as_child(self, name: str) -> None:
        """The scope label a parent gives: "fc1: Linear" (the first parent's name stays)."""
        if self._label is None:
            object.__setattr__(self, "_label", f"{name}: {type(self).__name__}")

    def register_parameter(self, name: str, node: Variable | Constant | None) -> None:
        """Register a parameter under ``name``; a Constant is a frozen one (torch's
        ``requires_grad=False``): in the state dict and the counts, never trained. None
        removes it (torch's ``bias=None``)."""
        if node is not None and not isinstance(node, (Variable, Constant)):
            raise TypeError(f"{type(self).__name__}.{name}: a parameter is a Variable or a Constant, "
                            f"not {type(node).__name__}")
        setattr(self, name, node)
        if node is not None:
            self._parameters[name] = node

    def register_buffer(self, name: str, value: np.ndarray | Constant) -> None:
        """Register state that is saved but not trained (batch norm's running statistics),
        an array or a Constant node the graph reads; :meth:`state_dict` holds it too."""
        if not isinstance(value, (np.ndarray, Constant)):
            raise TypeError(f"{type(self).__name__}.{name}: a buffer is an array or a Constant, "
                            f"not {type(value).__name__}")
        setattr(self, name, value)
        self._buffers[name] = value

    def add_module(self, name: str, module: Module) -> None:
        """Register a child module under ``name`` (a name that is not an identifier, as "0")."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.add_module({name!r}): not a Module but "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    # -- walking ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """The module's scope name: "fc1: Linear" as a child, its class name on its own."""
        return self._label if self._label is not None else type(self).__name__

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, once each, with dotted names ("" for this one)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{key}" if name else key, child) for key, child in module._modules.items()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Node]]:
        """(name, parameter) pairs with torch's dotted names ("0.weight", "lstm.bias_hh_l1"),
        each shared parameter once, in torch's order: a module's own, then its children's."""
        seen: set[Node] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for path, module in modules:
            for key, node in module._parameters.items():
                if node not in seen:
                    seen.add(node)
                    yield (f"{path}.{key}" if path else key), node

    def parameters(self, recurse: bool = True) -> Iterator[Node]:
        """The parameters of :meth:`named_parameters`; the trainable ones are the Variables."""
        for _, node in self.named_parameters(recurse=recurse):
            yield node

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray | Constant]]:
        for path, module in self.named_modules(prefix):
            for key, value in module._buffers.items():
                yield (f"{path}.{key}" if path else key), value

    # -- modes --------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it; returns the module."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode, ``train(False)``; returns the module."""
        return self.train(False)

    # -- state --------------------------------------------------------------------------
    def _state_entries(self) -> dict[str, tuple[Module, str, bool]]:
        """Every state key in torch's order (a module's parameters, its buffers, then its
        children's), with the module and attribute holding it, and whether it is a buffer."""
        entries: dict[str, tuple[Module, str, bool]] = {}
        seen: set[int] = set()
        for path, module in self.named_modules():
            for table, is_buffer in ((module._parameters, False), (module._buffers, True)):
                for key, value in table.items():
                    if id(value) not in seen:
                        seen.add(id(value))
                        entries[f"{path}.{key}" if path else key] = (module, key, is_buffer)
        return entries

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer under torch's keys: ``torch_model.state_dict()``
        holds the same keys, and loads these arrays with ``torch.from_numpy``."""
        state = {}
        for key, (module, attr, is_buffer) in self._state_entries().items():
            table = module._buffers if is_buffer else module._parameters
            value = table[attr]
            state[key] = np.array(value.value if isinstance(value, Node) else value)
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays into the parameters and buffers named by torch's keys.

        Every key and shape is checked before anything is copied, so a refused state leaves
        the module as it was. Parameters keep their nodes (graphs built from them see the
        new values) and become float64 arrays; buffers keep their dtype.

        Parameters
        ----------
        state_dict : mapping of str to array
            As :meth:`state_dict` returns, or torch's with each tensor's ``.numpy()``.
        strict : bool
            Refuse keys the module does not have and keys it has that are missing (torch's
            default); with False, load what matches and return what did not.

        Raises
        ------
        ValueError
            A shape that differs (naming the key and both shapes), or with ``strict`` any
            unknown or missing key (naming them).
        """
        entries = self._state_entries()
        unexpected = [key for key in state_dict if key not in entries]
        missing = [key for key in entries if key not in state_dict]
        if strict and (unexpected or missing):
            parts = []
            if unexpected:
                parts.append("unknown keys " + ", ".join(map(repr, unexpected)))
            if missing:
                parts.append("missing keys " + ", ".join(map(repr, missing)))
            raise ValueError(f"load_state_dict into {type(self).__name__}: {'; '.join(parts)} "
                             f"(its keys are {', '.join(map(repr, entries)) or 'none'}; "
                             f"strict=False loads the keys that match)")
        loads = []
        for key, (module, attr, is_buffer) in entries.items():
            if key not in state_dict:
                continue
            table = module._buffers if is_buffer else module._parameters
            current = table[attr].value if isinstance(table[attr], Node) else table[attr]
            given = np.asarray(state_dict[key])
            if given.shape != current.shape:
                raise ValueError(f"load_state_dict into {type(self).__name__}: {key!r} has shape "
                                 f"{tuple(given.shape)} in the given state but {tuple(current.shape)} "
                                 f"in the model; build the model with the sizes the state was saved from")
            if given.dtype.kind not in "biuf":
                raise ValueError(f"load_state_dict into {type(self).__name__}: {key!r} holds "
                                 f"{given.dtype} values; give real numbers")
            loads.append((module, table, attr, np.array(given, dtype=current.dtype if is_buffer else np.float64)))
        for module, table, attr, array in loads:
            if isinstance(table[attr], Node):
                table[attr].value = array
            else:
                table[attr] = array
                object.__setattr__(module, attr, array)
        return IncompatibleKeys(missing, unexpected)

    # -- calling ------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no forward(): write one")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)``, with every node it made put in this module's scope."""
        output = self.forward(*args, **kwargs)
        _enter_scope(nodes_in(output), self.label, nodes_in((args, kwargs)))
        if self._observer is not None:
            self._observer(self, output)
        return output

    def observe(self, observer: Observer | None) -> None:
        """Call ``observer(module, output)`` after each call of this module (None stops)."""
        object.__setattr__(self, "_observer", observer)

    # -- description --------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The sizes inside the parentheses of the module's repr, as torch's."""
        return ""

    def __repr__(self) -> str:
        children = [f"({name}): " + repr(child).replace("\n", "\n  ")
                    for name, child in self._modules.items()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = ([self.extra_repr()] if self.extra_repr() else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
