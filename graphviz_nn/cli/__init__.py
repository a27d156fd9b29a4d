"""The ``graphviz-nn`` command and its subcommands."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn, Sequence

from .. import __version__
from .demo import demo_text
from .display import qt_platform_problem
from .output import quiet_on_broken_pipe

__all__ = ["build_parser", "demo_text", "main", "qt_platform_problem"]

DESCRIPTION = """\
See how neural networks compute and learn: a graph engine with forward and
reverse mode differentiation, networks and training, drawn and animated with
Graphviz's layout.

With no command, graphviz-nn opens the window on the first example."""

EPILOG = """\
examples:
  graphviz-nn                  open the window
  graphviz-nn demo             the first example worked in both modes, as text
  graphviz-nn train --help     the manual of one command: what it does, options, examples
  graphviz-nn --self-test      check this installation: open the window offscreen, animate
                               both passes, train an epoch, save and reopen a session"""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from . import demo, export_code, render, train, window

    parser = Parser(prog="graphviz-nn", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"graphviz-nn {__version__}",
                        help="print the version and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation works, offscreen; exit 0 if it does")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser,
                                title="commands (graphviz-nn COMMAND --help for each one's manual)")
    demo.add_parser(sub)
    train.add_parser(sub)
    render.add_parser(sub)
    export_code.add_parser(sub)
    window.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--layout-worker"]:  # a frozen app serving as its own layout worker
        from ..layout.worker import main as worker_main

        return worker_main(argv[1:])
    if argv[:1] == ["--training-worker"]:  # a frozen app serving as its own training process
        from ..session.training_process import main as training_main

        return training_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if args.command is not None:
            parser.error(f"--self-test runs alone, not with {args.command!r}")
        from ..selftest import self_test

        return quiet_on_broken_pipe(self_test)
    if args.command is None:
        from .window import open_window

        return open_window(args)
    return quiet_on_broken_pipe(lambda: args.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
