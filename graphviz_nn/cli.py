"""The ``graphviz-nn`` command.

Until the window lands, running it with no arguments prints what the engine can do and works
the seed's example z = sin(x1 + x2) + x2**2 * x3 in both modes.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys
from typing import Sequence

from . import __version__


def qt_platform_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why Qt's window could not open here, in one line, or None if nothing is known wrong.

    Qt's xcb plugin (X11 on Linux) needs the system library libxcb-cursor0 since Qt 6.5; without
    it Qt aborts with a long message about platform plugins. This check runs before Qt loads.
    """
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform.split(":")[0] in ("offscreen", "minimal", "wayland", "vnc"):
        return None
    if platform == "" and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "no display: set DISPLAY (X11) or WAYLAND_DISPLAY, or run headless with "
            "QT_QPA_PLATFORM=offscreen"
        )
    if ctypes.util.find_library("xcb-cursor") is None:
        return (
            "Qt's X11 plugin needs the system library libxcb-cursor0: install it "
            "(Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf install "
            "xcb-util-cursor) or run under Wayland"
        )
    return None


def _demo() -> str:
    from . import Graph, Variable, check_gradients, jacobian, sin

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
    checks = check_gradients(z)
    worst = max(c.relative_error for c in checks.values())
    lines.append(f"finite-difference check: worst relative error {worst:.1e}")
    forward = jacobian(z, [x1, x2, x3], mode="forward")
    reverse = jacobian(z, [x1, x2, x3], mode="reverse")
    lines.append(
        f"Jacobian of R^3 -> R^1: {forward.passes} forward passes or {reverse.passes} reverse pass"
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphviz-nn",
        description="See how neural networks compute and learn: a graph engine with forward "
        "and reverse mode differentiation.",
    )
    parser.add_argument("--version", action="version", version=f"graphviz-nn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("demo", help="work the seed's example in both modes and print each step")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in (None, "demo"):
        print(_demo())
        if args.command is None:
            print("\nThe window is not part of this version yet; the engine is "
                  "available from Python: import graphviz_nn")
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
