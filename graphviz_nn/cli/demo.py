"""``graphviz-nn demo``: the first example worked in both modes, printed step by step."""

from __future__ import annotations

import argparse

from ..engine import Graph, Variable, check_gradients, jacobian, sin
from .manual import add_command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "demo", summary="print the first example worked in both modes, step by step",
        description="""\
Work z = sin(x1 + x2) + x2**2 * x3 at x1 = 0.5, x2 = -1.2, x3 = 2 the way the
window animates it, as text: the forward pass's value, one line per node of the
reverse pass with the gradient each node receives (and from where, when it
receives more than one), a finite-difference check of every gradient, and how
many passes the Jacobian takes in forward mode and in reverse mode.

It needs no display and no Graphviz: a quick check that the engine works.""",
        examples=[("graphviz-nn demo", "print the worked example"),
                  ("graphviz-nn demo > worked.txt", "keep it as a handout")],
        exit_status=[("0", "always")],
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(demo_text())
    return 0


def demo_text() -> str:
    x1, x2, x3 = Variable(0.5, "x1"), Variable(-1.2, "x2"), Variable(2.0, "x3")
    z = sin(x1 + x2) + x2**2 * x3
    z.name = "z"
    graph = Graph(z)
    lines = ["z = sin(x1 + x2) + x2**2 * x3 at x1 = 0.5, x2 = -1.2, x3 = 2", ""]
    lines.append(f"forward pass ({len(graph)} nodes): z = {z.value.item():.6f}")
    lines.append("reverse pass, one step per node:")
    for step in graph.backward_steps():
        terms = " + ".join(f"{c.value.item():.4f} (from {c.source})" for c in step.received)
        detail = f" = {terms}" if len(step.received) > 1 else ""
        lines.append(f"  {step.node_id:>4} {step.node.label:<6} dz/d· = {step.value.item(): .6f}{detail}")
    worst = max(c.relative_error for c in check_gradients(z).values())
    lines.append(f"finite-difference check: worst relative error {worst:.1e}")
    forward = jacobian(z, [x1, x2, x3], mode="forward")
    reverse = jacobian(z, [x1, x2, x3], mode="reverse")
    lines.append(
        f"Jacobian of R^3 -> R^1: {forward.passes} forward passes or {reverse.passes} reverse pass"
    )
    return "\n".join(lines)
