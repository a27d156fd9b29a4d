"""Help that reads like a manual page: what a command does, its options, examples, exit status."""

from __future__ import annotations

import argparse
import re
from typing import Sequence

WIDTH = 79


def wrap_command(command: str, indent: str = "    ") -> list[str]:
    """A long command as shell lines continued with backslashes, broken only before an
    option so that quoted expressions stay whole."""
    words = re.split(r" (?=-)", command)
    lines, line = [], indent + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > WIDTH:
            lines.append(line + " \\")
            line = indent + "    " + word
        else:
            line += " " + word
    return lines + [line]


def manual_epilog(examples: Sequence[tuple[str, str]], exit_status: Sequence[tuple[str, str]] = ()) -> str:
    """The sections after the options: what each example does and its command, then what
    each exit status means."""
    lines = ["examples:"]
    for i, (command, what) in enumerate(examples):
        lines += ([""] if i else []) + [f"  {what[:1].upper()}{what[1:]}:"] + wrap_command(command)
    if exit_status:
        lines += ["", "exit status:"]
        width = max(len(code) for code, _ in exit_status)
        lines += [f"  {code:<{width}}  {meaning}" for code, meaning in exit_status]
    return "\n".join(lines)


def add_command(sub: argparse._SubParsersAction, name: str, *, summary: str, description: str,
                examples: Sequence[tuple[str, str]],
                exit_status: Sequence[tuple[str, str]] = ()) -> argparse.ArgumentParser:
    """A subcommand: ``summary`` is its line in ``graphviz-nn --help``; its own ``--help``
    shows ``description`` (paragraphs kept as written), the options, then the examples and
    the exit status.

    Parameters
    ----------
    examples : sequence of (command, what it does)
    exit_status : sequence of (code, meaning)
    """
    return sub.add_parser(
        name, help=summary, description=description,
        epilog=manual_epilog(examples, exit_status),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
