"""The dataset files the window has read, kept so that a file is read once: the training
dock's preview, the network it builds and a reopened session's run use the same rows."""

from __future__ import annotations

from ..nn.datasets import Dataset
from .events import Event


class DatasetsRead:
    """Datasets read from files, by the path they were read from.

    Attributes
    ----------
    added : Event
        ``added(path, dataset)``: a dataset was read (or handed over by a reopened session).
    """

    def __init__(self) -> None:
        self._by_path: dict[str, Dataset] = {}
        self.added = Event()

    def get(self, path: str) -> Dataset | None:
        """The dataset read from ``path``, or None when it has not been read."""
        return self._by_path.get(str(path))

    def put(self, path: str, data: Dataset) -> None:
        """Keep ``data`` as what ``path`` holds."""
        self._by_path[str(path)] = data
        self.added.emit(str(path), data)

    def __contains__(self, path: object) -> bool:
        return str(path) in self._by_path
