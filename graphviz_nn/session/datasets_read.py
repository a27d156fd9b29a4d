"""The dataset files the window has read, kept so that a file is read once: the training
dock's preview, the network it builds and a reopened session's run use the same rows."""

from __future__ import annotations

from ..nn.datasets import Dataset
from .events import Event


class DatasetsRead:
    """Datasets read from files, by the path they were read from and the column they were
    read with as the target (None: the last column, as a CSV opened in the window is read).

    Attributes
    ----------
    added : Event
        ``added(path, dataset)``: a dataset was read (or handed over by a reopened session).
    """

    def __init__(self) -> None:
        self._read: dict[str, tuple[Dataset, str | None]] = {}
        self.added = Event()

    def get(self, path: str, target: str | None = None) -> Dataset | None:
        """The dataset read from ``path`` with ``target`` as its target column; None when it
        has not been read so (another target column is another dataset: it is read again)."""
        data, read_with = self._read.get(str(path), (None, None))
        return data if data is not None and read_with == target else None

    def any(self, path: str) -> Dataset | None:
        """The dataset read from ``path`` with whichever target column (for a preview of its
        features), or None."""
        return self._read.get(str(path), (None, None))[0]

    def put(self, path: str, data: Dataset, target: str | None = None) -> None:
        """Keep ``data`` as what ``path`` holds, read with ``target`` as its target column."""
        self._read[str(path)] = (data, target)
        self.added.emit(str(path), data)

    def __contains__(self, path: object) -> bool:
        """True when ``path`` was read, whatever its target column."""
        return str(path) in self._read
