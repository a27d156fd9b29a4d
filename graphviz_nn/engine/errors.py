"""Errors raised by the engine. Each says what happened, where, and how to fix it."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on bad input."""


class ShapeError(EngineError, ValueError):
    """Operand shapes do not fit an op; raised when the node is built.

    The message names the op, each operand and its shape, e.g.
    ``matmul(W1 (3, 2), x (3,)): inner dimensions differ (2 vs 3)``.
    """


class NonFiniteError(EngineError, FloatingPointError):
    """A node produced inf or nan during a checked pass.

    Attributes
    ----------
    node : Node
        The first node whose value, gradient or tangent is not finite.
    node_id : str
        Its id in the graph ("n7").
    phase : str
        "forward", "backward" or "tangent".
    """

    def __init__(self, message: str, node=None, node_id: str | None = None, phase: str = ""):
        super().__init__(message)
        self.node = node
        self.node_id = node_id
        self.phase = phase


class RuleError(EngineError):
    """An op's rules are missing or disagree with finite differences."""


class GraphError(EngineError, ValueError):
    """A graph was asked for something it cannot give (an unknown output, a missing cotangent)."""
