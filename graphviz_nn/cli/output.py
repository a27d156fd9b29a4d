"""Where a command's output goes: ``-o -`` is standard output, and a reader that goes away
(``graphviz-nn train --json | head -3``) ends the command quietly."""

from __future__ import annotations

import errno
import sys
from typing import Callable

STDOUT = "-"

# What a shell reports for a program ended by SIGPIPE (128 + 13): the reader went away.
BROKEN_PIPE = 141


def is_stdout(path: str) -> bool:
    """Whether ``-o`` names standard output rather than a file."""
    return path == STDOUT


def write_stdout(data: bytes, fmt: str, binary: bool) -> None:
    """Write ``data`` to standard output; a binary format is refused on a terminal, where
    it would be noise (ValueError)."""
    if binary and sys.stdout.isatty():
        raise ValueError(f"-o - would write {fmt.upper()} bytes to the terminal: pipe or redirect it "
                         f"(-o - > picture.{fmt}), or name a file")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def quiet_on_broken_pipe(run: Callable[[], int]) -> int:
    """``run()``, ending with status 141 and no traceback when the reader of standard output
    has gone away.

    Standard output is closed here, so that Python's final flush has nothing to write
    (portable: no signal and no null device).
    """
    try:
        status = run()
        sys.stdout.flush()  # what is still buffered may be what finds the pipe closed
        return status
    except OSError as error:
        if not _reader_gone(error):
            raise
        try:
            sys.stdout.close()
        except OSError:  # closing flushes, and the flush fails again: it is closed all the same
            pass
        return BROKEN_PIPE


def _reader_gone(error: OSError) -> bool:
    """A write to a pipe whose reader has gone: EPIPE, or EINVAL on Windows."""
    return isinstance(error, BrokenPipeError) or (
        sys.platform == "win32" and error.errno == errno.EINVAL)
