"""Recorded passes and a cursor over them: what the window shows at each step. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine import Graph, Node, Step

PHASES = ("forward", "backward", "tangent")


@dataclass(frozen=True, eq=False)
class Recording:
    """The steps of one pass, in order, and where each node's step is."""

    phase: str
    steps: tuple[Step, ...]
    index_of: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.steps)

    def first_non_finite(self) -> int | None:
        """The index of the first step whose value, gradient or tangent has inf or nan."""
        for step in self.steps:
            if step.value is not None and not np.all(np.isfinite(step.value)):
                return step.index
        return None


def record(graph: Graph, phase: str, output: Node | None = None, cotangent=None,
           seeds: Mapping[Node, object] | None = None) -> Recording:
    """Run one pass with recording on.

    ``backward`` re-runs the forward pass first, so gradients belong to the current values;
    ``tangent`` needs ``seeds`` (a tangent per leaf).
    """
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
    with np.errstate(all="ignore"):
        if phase == "forward":
            steps = tuple(graph.forward_steps())
        elif phase == "backward":
            graph.forward()
            steps = tuple(graph.backward_steps(output, cotangent))
        else:
            graph.forward()
            steps = tuple(graph.tangent_steps(seeds or {}))
    return Recording(phase, steps, {s.node_id: s.index for s in steps})


class Cursor:
    """A position in a recording: −1 before the first step, len − 1 after the last.

    At position k the picture shows exactly the state after step k: a node's quantity is
    visible when its step index is at most k.
    """

    def __init__(self, recording: Recording, position: int = -1):
        self.recording = recording
        self.position = -1
        self.seek(position)

    @property
    def last(self) -> int:
        return len(self.recording) - 1

    def seek(self, position: int) -> int:
        self.position = max(-1, min(int(position), self.last))
        return self.position

    def forward(self, steps: int = 1) -> int:
        return self.seek(self.position + steps)

    def back(self, steps: int = 1) -> int:
        return self.seek(self.position - steps)

    @property
    def at_end(self) -> bool:
        return self.position >= self.last

    @property
    def current(self) -> Step | None:
        return self.recording.steps[self.position] if self.position >= 0 else None

    def shown(self, node_id: str) -> bool:
        """Whether the node's quantity for this phase is visible at this position."""
        index = self.recording.index_of.get(node_id)
        return index is not None and index <= self.position

    def quantity(self, node_id: str) -> np.ndarray | None:
        """The node's value, gradient or tangent as recorded, if already shown."""
        if not self.shown(node_id):
            return None
        return self.recording.steps[self.recording.index_of[node_id]].value
