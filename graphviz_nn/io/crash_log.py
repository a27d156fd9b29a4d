"""The error log: what went wrong in the window that nobody caught, kept for a bug report.

Qt-free: the window's error hook (``gui/error_hook.py``) describes an error with
:func:`error_report` and appends it with :func:`append_report`. The log holds its newest
:data:`MAX_BYTES` at most: each append rewrites it atomically (``io.atomic``) with the oldest
reports dropped whole, so a crash while writing never leaves half a log, and an error raised
every frame for hours cannot fill the disk.
"""

from __future__ import annotations

import datetime
import platform
import traceback
from pathlib import Path
from types import TracebackType
from typing import Mapping

from .atomic import write_atomic

#: The log keeps its newest 256 KiB: about 40 reports of a deep traceback.
MAX_BYTES = 256 * 1024
#: One report at most (a RecursionError's traceback runs to a thousand frames): its
#: first and last halves are kept, the middle is said to be left out.
MAX_REPORT_BYTES = 32 * 1024
#: The line that starts every report: the log is cut only just before one.
HEADER = "=== graphviz-nn error "
LOG_NAME = "errors.log"


def environment(versions: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a bug report needs to know of the machine: the given versions (the app's, Qt's),
    then Python's and the platform's."""
    found = dict(versions or {})
    found.setdefault("Python", f"{platform.python_version()} ({platform.python_implementation()})")
    found.setdefault("platform", platform.platform())
    return found


def error_report(kind: type[BaseException], error: BaseException, trace: TracebackType | None,
                 versions: Mapping[str, str] | None = None, thread: str | None = None,
                 when: datetime.datetime | None = None) -> str:
    """One error as the log keeps it: a header line with the time, one line per version,
    the thread (when not the main one) and the traceback; at most :data:`MAX_REPORT_BYTES`."""
    when = when or datetime.datetime.now().astimezone()
    lines = [f"{HEADER}{when.isoformat(timespec='seconds')} ==="]
    lines += [f"{name}: {value}" for name, value in environment(versions).items()]
    if thread:
        lines.append(f"thread: {thread}")
    try:
        lines.append("".join(traceback.format_exception(kind, error, trace)).rstrip("\n"))
    except Exception as failure:  # a __str__ that raises: say so rather than lose the report
        lines.append(f"{kind.__name__}: (its message could not be written: {type(failure).__name__})")
    return _bounded("\n".join(lines) + "\n")


def _bounded(text: str) -> str:
    data = text.encode("utf-8", "replace")
    if len(data) <= MAX_REPORT_BYTES:
        return text
    half = MAX_REPORT_BYTES // 2
    head = data[:half].decode("utf-8", "ignore")
    tail = data[-half:].decode("utf-8", "ignore")
    return f"{head}\n[... {len(data) - 2 * half} bytes of this report left out ...]\n{tail}"


def append_report(path: str | Path, report: str, limit: int = MAX_BYTES) -> Path:
    """Add ``report`` to the log at ``path`` (made with its folder if need be), keeping the
    newest reports that fit in ``limit`` bytes. Reads at most ``limit`` bytes of the old log.

    Raises OSError when the log cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = b""
    if path.is_file():
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - limit))
            old = handle.read(limit)
    new = report.encode("utf-8", "replace")
    return write_atomic(path, _newest(old + new, limit))


def _newest(data: bytes, limit: int) -> bytes:
    """The last ``limit`` bytes of ``data``, starting at a report's header line."""
    if len(data) <= limit:
        return data
    cut = len(data) - limit
    start = data.find(b"\n" + HEADER.encode(), cut - 1)
    # No header in the newest part: one report larger than the log is kept from its end.
    return data[start + 1:] if start >= 0 else data[cut:]


def default_log(data_folder: str | Path) -> Path:
    """The log's place in the application's data folder (the autosave's folder's parent)."""
    return Path(data_folder) / LOG_NAME
