"""The window's status bar: one line of what happened, and progress with Cancel for long work."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

from .fitting_labels import ElidedLabel


class StatusBar(QStatusBar):
    """A status line (``status``), a busy or counting bar (``progress``) and ``cancel``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = ElidedLabel()  # a long message never widens the window past its screen
        self.status.setObjectName("status")
        self.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.addPermanentWidget(self.progress)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.hide()
        self.addPermanentWidget(self.cancel_button)
        # A fixed height: showing and hiding the progress bar must not resize the graph
        # view, which would make it redraw every item twice.
        self.setFixedHeight(max(self.cancel_button.sizeHint().height(), self.progress.sizeHint().height()) + 6)
