"""Writing files so that a crash or a full disk never leaves a half-written file behind, and
nothing that is not a regular file of the user's is ever replaced or deleted.

A regular file (or a new one) is written to a hidden temporary file beside it, named
``.<target name>.<8 random characters>.graphviz-nn-partial``, and renamed over it in one step. A
save killed half way leaves such a file behind; the next save into the same folder removes
those older than ``STALE_SECONDS``: only names that end in our own suffix, only regular files of
this user, nothing that another program's temporary files (``.report.docx.ab12cd34.tmp``) look
like. A target that exists and is not a regular file is never renamed over (as root, renaming
over ``/dev/null`` replaces the device with a file): a character device (``/dev/null``, a
terminal) or a FIFO with a reader is written in place, as shell redirection and ``cp`` do;
anything else (a folder, a socket, a block device, a FIFO nobody reads) is refused in one line.
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
#: The end of every temporary file name of ours: the sweep removes only names that end so.
SUFFIX = ".graphviz-nn-partial"
#: The most of the target's name that goes into a temporary file's name (names are limited
#: to 255 bytes on most file systems, and the temporary's adds 30 characters to the target's).
NAME_PART = 120

_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(SUFFIX))  # tempfile.mkstemp's 8 characters
_TRANSIENT_REPLACE_FAILURES = sys.platform == "win32"


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that on any failure the old file (if any) is left as it was.

    A regular file (or a new one) gets the data in a temporary file beside it, flushed to disk,
    then renamed over it in one step. Saving over a symbolic link (or a chain of them) writes
    to the file it points to and keeps the link. The file gets the permissions an ordinary
    write would give it: those of the file it replaces, or for a new file the user's default
    (read-write less the umask), not the owner-only mode of a temporary file. A character
    device or a FIFO with a reader is written in place, never replaced.

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
        When the target is neither a regular file nor something that can be written in place
        (a folder, a socket, a block device, a FIFO nobody reads), or the file cannot be
        written for another reason; the message names the target.
    """
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    mode = _mode_of(target)
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(target, mode, data)
        return given
    folder = target.parent
    _refuse_read_only(target)
    _remove_stale(folder)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name[:NAME_PART]}.", suffix=SUFFIX, dir=folder)
    except OSError as error:
        raise type(error)(error.errno, f"cannot save {target}: its folder cannot be written to "
                                       f"({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))
        mode = _mode_of(target)  # looked at again: it may have been made a device meanwhile
        if mode is not None and not stat.S_ISREG(mode):
            raise OSError(17, f"cannot save {target}: it became {_kind(mode)} while saving; nothing was written",
                          str(target))
        _replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return given


def _mode_of(target: Path) -> int | None:
    """The target's mode (following links), or None when nothing is there."""
    try:
        return os.stat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        return None  # a broken path: the save itself reports it


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _write_in_place(target: Path, mode: int, data: bytes) -> None:
    """Write to a character device or a FIFO as shell redirection does; refuse anything else."""
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise OSError(21 if stat.S_ISDIR(mode) else 22,
                      f"cannot save {target}: it is {_kind(mode)}, not a file; choose a file name", str(target))
    # Non-blocking, so that a FIFO nobody reads is refused at once (ENXIO) instead of waiting
    # for ever; no O_CREAT or O_TRUNC: nothing is made or cut.
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags)
    except OSError as error:
        reason = "nothing is reading from it" if stat.S_ISFIFO(mode) and error.errno == 6 else error.strerror
        raise type(error)(error.errno, f"cannot save {target}: it is {_kind(mode)} and {reason}",
                          str(target)) from None
    try:
        opened = os.fstat(fd).st_mode
        if stat.S_IFMT(opened) != stat.S_IFMT(mode):
            raise OSError(17, f"cannot save {target}: it changed while saving; nothing was written", str(target))
        if os.name == "posix":
            os.set_blocking(fd, True)  # a reader that is slower than us is waited for
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


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
    """Remove temporary files of ours that a killed save left in ``folder``: our suffix, a
    regular file (never through a link), this user's, and older than ``STALE_SECONDS``."""
    deadline = time.time() - STALE_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    uid = os.getuid() if os.name == "posix" else None
    for entry in entries:
        if not _TEMPORARY.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (stat.S_ISREG(info.st_mode) and info.st_mtime < deadline
                    and (uid is None or info.st_uid == uid)):
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
