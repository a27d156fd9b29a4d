"""The open document: which file it is, what it is called, and whether it holds unsaved work.

Qt-free. The window asks before it discards unsaved work (quitting, opening an example or a
file) and marks its title; saving in the background records the revision it wrote, so a
change made while the file was being written still counts as unsaved.
"""

from __future__ import annotations

from pathlib import Path

from .events import Event

APP_NAME = "graphviz-nn"


class Workspace:
    """The document the window shows.

    Attributes
    ----------
    path : Path or None
        The session file it was opened from or last saved to.
    title : str
        What the graph is called when it has no file ("your expression", an example's title).
    typed : bool
        True when the graph was typed in the expression editor: typing goes on editing the
        same document, where it would replace any other (see :meth:`typing_replaces_work`).
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        self.title = ""
        self.typed = False
        self._revision = 0  # counts the changes made to the document
        self._saved = 0  # the revision the file (or the opened example) holds
        #: ``opened(title)``: another graph is the document (opened, or typed anew); what
        #: shows part of a document listens here rather than being told by each opener.
        self.opened_event = Event()
        #: ``state_changed()``: the title, the file or whether work is unsaved may have changed
        #: (the window's title and its unsaved mark follow).
        self.state_changed = Event()

    @property
    def revision(self) -> int:
        """A number that grows with every change; :meth:`saved` takes the one a file holds."""
        return self._revision

    @property
    def unsaved(self) -> bool:
        """True when the document holds work that no file holds."""
        return self._revision != self._saved

    def changed(self) -> None:
        """The user changed the document (edited, trained, went back to an earlier epoch)."""
        self._revision += 1
        self.state_changed.emit()

    def opened(self, title: str, path: Path | None = None, typed: bool = False) -> None:
        """A fresh document: an example, a session file, or a graph built from nothing to keep;
        ``typed`` when its graph is an expression's."""
        self.title, self.path, self.typed = title, path, typed
        self._saved = self._revision
        self.opened_event.emit(title)
        self.state_changed.emit()

    def typed_anew(self, title: str) -> None:
        """A graph was typed in the expression editor: the user's own work, kept under no file."""
        self.title, self.path, self.typed = title, None, True
        self.changed()
        self.opened_event.emit(title)

    @property
    def typing_replaces_work(self) -> bool:
        """True when drawing a typed expression would replace unsaved work that is not itself
        an expression (a trained network): the user is asked first, as before opening a file."""
        return self.unsaved and not self.typed

    def saved(self, path: Path, revision: int) -> None:
        """The document as it was at ``revision`` is now in ``path``."""
        self.path = path
        self._saved = revision
        self.state_changed.emit()

    def discard(self) -> None:
        """Forget the unsaved work (the user chose to discard it)."""
        self._saved = self._revision
        self.state_changed.emit()

    def window_title(self) -> str:
        """The window's title, with Qt's ``[*]`` where the unsaved mark goes."""
        name = self.path.name if self.path else self.title
        return f"{name}[*] — {APP_NAME}" if name else f"{APP_NAME}[*]"
