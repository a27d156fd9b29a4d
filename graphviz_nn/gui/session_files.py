"""Where session files are remembered: the recent-files list and the crash-safe autosave."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

RECENT_KEY = "session/recent"
RUNNING_KEY = "session/running"
MAX_RECENT = 8


class RecentFiles:
    """The session files opened or saved lately, newest first, kept in ``settings``."""

    def __init__(self, settings: QSettings):
        self.settings = settings

    def paths(self) -> list[Path]:
        value = self.settings.value(RECENT_KEY) or []
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list
            value = [value]
        return [Path(p) for p in value if isinstance(p, str) and p]

    def add(self, path: str | Path) -> None:
        path = Path(path).resolve()
        kept = [p for p in self.paths() if p != path]
        self._store([path] + kept)

    def remove(self, path: str | Path) -> None:
        path = Path(path).resolve()
        self._store([p for p in self.paths() if p != path])

    def _store(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT_KEY, [str(p) for p in paths[:MAX_RECENT]])
        self.settings.sync()


class Autosave:
    """A session file written every little while next to the settings, and a flag that tells
    whether the last window closed properly: if it did not, its autosave is offered back.

    The window calls :meth:`started` when it opens, :meth:`path` to write, and
    :meth:`finished` when it closes properly (which deletes the autosave).
    """

    def __init__(self, settings: QSettings):
        self.settings = settings
        self.folder = Path(settings.fileName()).parent

    @property
    def path(self) -> Path:
        return self.folder / "autosave.gnn"

    @property
    def recovered_path(self) -> Path:
        return self.folder / "recovered.gnn"

    def claim_crashed(self) -> Path | None:
        """The autosave of a window that did not close properly, moved aside (so this
        window's own autosave cannot overwrite it before it is offered back), or None."""
        crashed = self.settings.value(RUNNING_KEY, False) in (True, "true")
        if not (crashed and self.path.is_file()):
            return None
        try:
            self.path.replace(self.recovered_path)
        except OSError:
            return None
        return self.recovered_path

    def writable(self) -> bool:
        return self.folder.is_dir()

    def started(self) -> None:
        self.settings.setValue(RUNNING_KEY, True)
        self.settings.sync()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def finished(self) -> None:
        self.discard()
        self.settings.setValue(RUNNING_KEY, False)
        self.settings.sync()
