"""The session files opened or saved lately, remembered in the window's settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

RECENT_KEY = "session/recent"
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

    def _store(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT_KEY, [str(p) for p in paths[:MAX_RECENT]])
        self.settings.sync()
