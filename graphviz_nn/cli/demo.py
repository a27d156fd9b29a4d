"""``graphviz-nn demo``: the seed's example worked in both modes, printed step by step."""

from __future__ import annotations

from ..engine import Graph, Variable, check_gradients, jacobian, sin


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
