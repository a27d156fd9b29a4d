"""The ``graphviz-nn`` command and its subcommands."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn, Sequence

from .. import __version__
from .demo import demo_text
from .display import qt_platform_problem

__all__ = ["build_parser", "main", "qt_platform_problem"]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from . import render, train, window

    parser = Parser(
        prog="graphviz-nn",
        description="See how neural networks compute and learn: a graph engine with forward "
        "and reverse mode differentiation, networks and training.",
    )
    parser.add_argument("--version", action="version", version=f"graphviz-nn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.add_parser("demo", help="print the seed's example worked in both modes, step by step")
    train.add_parser(sub)
    render.add_parser(sub)
    window.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--layout-worker"]:  # a frozen app serving as its own layout worker
        from ..layout.worker import main as worker_main

        return worker_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        print(demo_text())
        return 0
    if args.command is None:
        from .window import open_window

        return open_window(args)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
