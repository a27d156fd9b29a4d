"""The dataset file a session file names: where it is, and reading it only when asked.

A session of a network trained on a CSV file carries the rows themselves when they fit
(``document.travelling_copy``); otherwise, or in a file made elsewhere, it names a path. A
path inside a file is never read without asking (the window asks, naming it), and a relative
one means the session file's folder, never the folder the program was started in. The read
runs off the window's thread, gives up past a deadline, and stops on Cancel. Qt-free.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..io import SessionState
from ..nn.datasets import BUILTIN, Dataset, DatasetError, ReadCancelled, read_csv

#: The longest a dataset file may take to read: a 256 MiB CSV (the reader's limit) reads in
#: about 5 s; a file that takes six times that is a network drive that is not answering.
READ_SECONDS = 30.0
#: How often the wait for the reader looks at Cancel (seconds).
POLL_SECONDS = 0.02


class ReadStopped(DatasetError):
    """Reading was cancelled: nothing is opened."""


def dataset_path(state: SessionState, folder: str | Path) -> Path | None:
    """The file a session would read its dataset from, or None when it reads none (no
    network, a built-in set, or the rows are in the session file).

    Parameters
    ----------
    state : SessionState
    folder : path
        The session file's folder: what a relative path is relative to.
    """
    if state.training is None or state.embedded_dataset is not None:
        return None
    return resolve(state.training.dataset, folder)


def resolve(name: str, folder: str | Path) -> Path | None:
    """A dataset name as a file in ``folder`` (None for a built-in set's name)."""
    if str(name) in BUILTIN:
        return None
    return _within(Path(name), folder)


def _within(path: Path, folder: str | Path) -> Path:
    return path if path.is_absolute() else Path(folder) / path


def read_named(path: str | Path, stop: threading.Event, seconds: float | None = None) -> Dataset:
    """Read a dataset file a session names (call it off the window's thread).

    The CSV reader (which refuses the system's folders and anything but a regular file)
    stops itself between chunks on ``stop`` or past the deadline; it runs in a thread of its
    own while this one waits, looking at ``stop`` every :data:`POLL_SECONDS`, so that even a
    read the system does not return from (a network drive gone) holds nothing up.

    Raises
    ------
    ReadStopped
        ``stop`` was set.
    DatasetError
        The file cannot be read, is not a dataset, or took more than ``seconds`` (by
        default :data:`READ_SECONDS`).
    """
    path = Path(path)
    seconds = READ_SECONDS if seconds is None else seconds
    outcome: dict[str, object] = {}

    def read() -> None:
        try:
            outcome["data"] = read_csv(path, deadline=deadline, cancel=stop)
        except Exception as error:  # handed to the waiting thread, which raises it
            outcome["error"] = error

    if stop.is_set():
        raise ReadStopped(f"{path}: reading was cancelled")
    reader = threading.Thread(target=read, name="graphviz-nn dataset read", daemon=True)
    deadline = time.monotonic() + seconds
    reader.start()
    while reader.is_alive():
        if stop.wait(POLL_SECONDS):
            raise ReadStopped(f"{path}: reading was cancelled")
        if time.monotonic() > deadline:
            raise DatasetError(f"{path}: reading took more than {seconds:g} s (a drive that does not answer?); "
                               "open the session without its data, or copy the file to this machine")
    error = outcome.get("error")
    if isinstance(error, ReadCancelled) and stop.is_set():
        raise ReadStopped(str(error)) from error
    if isinstance(error, (DatasetError, OSError)):
        raise DatasetError(str(error)) from error
    if error is not None:
        raise DatasetError(f"{path}: {type(error).__name__}: {error}") from error
    return outcome["data"]
