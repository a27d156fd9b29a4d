"""Writing files so that a crash or a full disk never leaves a half-written file behind.

The data goes to a hidden temporary file beside the target, named ``.<target name>.<8 random
characters>.tmp``, and is renamed over the target in one step. A save killed half way leaves
such a file behind; the next save into the same folder removes those of that pattern older
than ``STALE_SECONDS`` (no save takes that long), and nothing else.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from pathlib import Path

#: A temporary file of ours older than this (seconds since it was last written) is left over
#: from a save that was killed.
STALE_SECONDS = 600
#: On Windows, a program that opens the target for a moment (a virus scanner, a sync client)
#: makes the rename fail with PermissionError: it is tried again for about this long (seconds).
REPLACE_PATIENCE = 1.0

_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # what tempfile.mkstemp makes of our prefix and suffix
_TRANSIENT_REPLACE_FAILURES = sys.platform == "win32"


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that on any failure the old file (if any) is left as it was.

    The data is written to a temporary file beside the target, flushed to disk, then renamed
    over the target in one step. Saving over a symbolic link writes to the file it points to
    and keeps the link. The file gets the permissions an ordinary write would give it: those
    of the file it replaces, or for a new file the user's default (read-write less the umask),
    not the owner-only mode of a temporary file.

    Parameters
    ----------
    path : str or PathLike
    data : bytes

    Returns
    -------
    Path
        ``path``, as given.

    Raises
    ------
    PermissionError
        When the target is read-only (as an editor would, it is not replaced) or its folder
        cannot be written; the message names the target.
    OSError
        When the file cannot be written for another reason.
    """
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    folder = target.parent
    _refuse_read_only(target)
    _remove_stale(folder)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise type(error)(error.errno, f"cannot save {target}: its folder cannot be written to "
                                       f"({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))
        _replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return given


def _refuse_read_only(target: Path) -> None:
    """Refuse to replace a file marked read-only (renaming over it would otherwise succeed)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # a new file
    if stat.S_ISREG(mode) and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(13, f"{target} is read-only; make it writable or save under another name",
                              str(target))


def _remove_stale(folder: Path) -> None:
    """Remove temporary files of ours that a killed save left in ``folder``."""
    deadline = time.time() - STALE_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not _TEMPORARY.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < deadline:
                os.unlink(entry.path)
        except OSError:
            pass  # in use, or removed meanwhile: either way not ours to fight over


def _replace(temporary: str, target: Path) -> None:
    """``os.replace``, tried again for a moment where another program can briefly hold the target."""
    give_up = time.monotonic() + REPLACE_PATIENCE
    pause = 0.01
    while True:
        try:
            os.replace(temporary, target)
            return
        except PermissionError as error:
            if not _TRANSIENT_REPLACE_FAILURES or time.monotonic() >= give_up:
                raise PermissionError(error.errno, f"cannot save {target}: it cannot be replaced "
                                                   f"({error.strerror or error})", str(target)) from None
        time.sleep(pause)
        pause = min(2 * pause, 0.2)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask (setting it and back at once is the only portable way to read it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
