"""Activation functions by name, built on the engine's ops."""

from __future__ import annotations

from typing import Callable

from ..engine import Node, leaky_relu, relu, sigmoid, softmax, tanh


def identity(x: Node) -> Node:
    """f(x) = x: no node is added."""
    return x


ACTIVATIONS: dict[str, Callable[[Node], Node]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
    "identity": identity,
}


def activation(name: str) -> Callable[[Node], Node]:
    """The activation of that name; ValueError listing the known ones otherwise."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
