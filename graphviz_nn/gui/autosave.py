"""The crash-safe autosave: each window's session file written every little while under a lock
that tells whether the window is still running."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from ..io import save_session


class Autosave:
    """A session file written every little while by one window, held under a lock that tells
    whether that window is still running: an autosave whose lock is free belongs to a window
    that did not close properly, and is offered back.

    Each window has its own file and lock (``autosave-<id>.gnn`` and ``autosave-<id>.lock``)
    in a folder readable by the user only, so two windows never take each other's autosave.
    The window calls :meth:`started` when it opens, writes :attr:`path`, and calls
    :meth:`finished` when it closes properly (which deletes its autosave).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.id = uuid.uuid4().hex[:12]
        self._lock: QLockFile | None = None

    @staticmethod
    def default_folder() -> Path:
        """The application's data folder (the user's, per platform), ``autosave`` in it."""
        return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "autosave"

    @property
    def path(self) -> Path:
        return self.folder / f"autosave-{self.id}.gnn"

    @property
    def recovered_path(self) -> Path:
        """Where a crashed window's autosave is moved while this window offers it back."""
        return self.folder / f"recovered-{self.id}.gnn"

    def _lock_for(self, owner: str) -> QLockFile:
        lock = QLockFile(str(self.folder / f"autosave-{owner}.lock"))
        lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        return lock

    def claim_crashed(self) -> Path | None:
        """The newest autosave of a window that did not close properly, moved aside (so that
        no window's autosave overwrites it before it is offered back), or None."""
        if not self.folder.is_dir():
            return None
        found = [p for p in self.folder.glob("*-*.gnn") if p.stem.split("-", 1)[0] in ("autosave", "recovered")]
        for candidate in sorted(found, key=_modified, reverse=True):
            owner = candidate.stem.split("-", 1)[1]
            if owner == self.id:
                continue
            lock = self._lock_for(owner)
            if not lock.tryLock(0):
                continue  # its window is running
            try:
                candidate.replace(self.recovered_path)
            except OSError:
                continue
            finally:
                lock.unlock()
            return self.recovered_path
        return None

    def writable(self) -> bool:
        return self._lock is not None and self._lock.isLocked() and self.folder.is_dir()

    def started(self) -> None:
        """Take this window's lock (in a folder made readable by the user only)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(self.folder, stat.S_IRWXU)
        except OSError:
            return  # no autosave then: writable() says so
        lock = self._lock_for(self.id)
        if lock.tryLock(0):
            self._lock = lock

    def write(self, state) -> None:
        """Write the autosave (any thread), readable by the user only."""
        save_session(self.path, state)
        if os.name == "posix":
            os.chmod(self.path, stat.S_IRUSR | stat.S_IWUSR)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def finished(self) -> None:
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
