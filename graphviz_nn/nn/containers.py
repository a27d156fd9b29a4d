"""Sequential: layers called one after the other, named "0", "1", ... as torch's."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .module import Module


class Sequential(Module):
    """Layers applied in order, each to the output of the one before.

    Parameters
    ----------
    *layers : Module
        The layers, named "0", "1", ... (their parameters "0.weight", "1.bias", ...); or
        one mapping of names to layers, as torch's ``Sequential(OrderedDict(...))``.

    Examples
    --------
    >>> model = Sequential(Linear(4, 8), ReLU(), Linear(8, 1))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *layers: Module | Mapping[str, Module]):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], Mapping):
            named = list(layers[0].items())
        else:
            named = [(str(i), layer) for i, layer in enumerate(layers)]
        for name, layer in named:
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {name} is a {type(layer).__name__}, not a layer "
                                "(a Module such as Linear(2, 3) or ReLU())")
            self.add_module(name, layer)

    def append(self, layer: Module) -> Sequential:
        """Add a layer at the end, named by its place; returns the Sequential."""
        self.add_module(str(len(self)), layer)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        """The layer at ``index`` (negative counts from the end); a slice gives a Sequential."""
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(dict(list(self._modules.items())[index]))
        if not -len(layers) <= index < len(layers):
            raise IndexError(f"Sequential has {len(layers)} layers; there is no layer {index}")
        return layers[index]

    def forward(self, x: Any) -> Any:
        for layer in self._modules.values():
            x = layer(x)
        return x
