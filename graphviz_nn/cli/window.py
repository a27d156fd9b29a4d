"""``graphviz-nn`` with no command opens the window; ``graphviz-nn shot`` renders it offscreen."""

from __future__ import annotations

import argparse
import os
import re
import sys

from ..session import EXAMPLES, PHASES
from .display import qt_platform_problem


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("window", help="open the window (the default when no command is given)")
    p.add_argument("--example", choices=tuple(EXAMPLES), default="seed")
    p.set_defaults(run=open_window)
    s = sub.add_parser(
        "shot", help="save a PNG of the window at a point of the animation, rendered offscreen",
        description="Render the window offscreen at a step of a pass: for slides, the README, tests.",
    )
    s.add_argument("--example", choices=tuple(EXAMPLES), default="seed")
    s.add_argument("--phase", choices=PHASES, help="the pass to show (default: none played yet)")
    s.add_argument("--step", type=int, help="show the state after K steps (default: the end of the pass)")
    s.add_argument("--size", default="1600x1000", help="window size WIDTHxHEIGHT (default 1600x1000)")
    s.add_argument("--select", metavar="NODE", help="a node (name or id) to show in the inspector")
    s.add_argument("--debug", choices=("check", "magnitude", "nan"),
                   help="gradient check colours, gradient magnitudes, or run to the first NaN")
    s.add_argument("-o", "--output", required=True, metavar="FILE.png")
    s.set_defaults(run=take_shot)


def open_window(args: argparse.Namespace) -> int:
    problem = qt_platform_problem()
    if problem:
        print(f"graphviz-nn: cannot open the window: {problem}", file=sys.stderr)
        return 1
    from ..gui.app import run

    return run(getattr(args, "example", "seed"))


def take_shot(args: argparse.Namespace) -> int:
    match = re.fullmatch(r"(\d+)x(\d+)", args.size)
    if not match:
        print(f"graphviz-nn shot: error: --size takes WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
        return 2
    if args.step is not None and args.step < 0:
        print("graphviz-nn shot: error: --step must be 0 or more", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..gui.app import shot

    try:
        path = shot(args.example, args.output, args.phase, args.step, (int(match[1]), int(match[2])),
                    select=args.select, debug=args.debug)
    except (ValueError, RuntimeError) as error:
        print(f"graphviz-nn shot: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
