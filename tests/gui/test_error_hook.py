"""Errors nobody caught in the window's program are logged, shown, and never end it."""

from __future__ import annotations

import platform
import sys
import threading

import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

import graphviz_nn
from graphviz_nn.gui import error_hook as error_hook_module
from graphviz_nn.gui.autosave import Autosave
from graphviz_nn.gui.error_hook import ErrorHook
from graphviz_nn.io.crash_log import HEADER, MAX_BYTES

pytestmark = pytest.mark.qt_no_exception_capture  # the hook under test captures them


@pytest.fixture
def hook(tmp_path):
    printed = []
    before = sys.excepthook
    sys.excepthook = lambda *error: printed.append(error)  # what the hook falls back on
    hook = ErrorHook(tmp_path / "data" / "errors.log")
    hook.printed = printed
    hook.install()
    yield hook
    hook.uninstall()
    sys.excepthook = before
    if hook.dialog is not None:
        hook.dialog.close()


def _close(qtbot, hook) -> None:
    dialog = hook.dialog
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: hook.dialog is None, timeout=5000)


def test_an_error_in_a_slot_is_logged_and_shown(hook, qtbot) -> None:
    button = QPushButton("break")
    qtbot.addWidget(button)
    button.clicked.connect(lambda: {}["no such key"])
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=5000)

    log = hook.log_path.read_text(encoding="utf-8")
    assert log.startswith(HEADER) and "Traceback (most recent call last):" in log and "KeyError: 'no such key'" in log
    assert f"graphviz-nn: {graphviz_nn.__version__}" in log and f"Qt: {qVersion()}" in log
    assert f"platform: {platform.platform()}" in log and f"Python: {platform.python_version()}" in log
    dialog = hook.dialog
    assert "KeyError: 'no such key'" in dialog.message.text() and str(hook.log_path) in dialog.log.text()
    dialog.findChild(QPushButton, "copy_details").click()
    assert dialog.isVisible() and QGuiApplication.clipboard().text() == log
    _close(qtbot, hook)
    assert button.isVisible() and not hook.printed  # the program goes on


def test_an_error_in_a_thread_is_shown_in_the_windows_thread(hook, qtbot) -> None:
    def fail() -> None:
        raise RuntimeError("the worker broke")

    thread = threading.Thread(target=fail, name="a worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: hook.dialog is not None, timeout=5000)
    assert "RuntimeError: the worker broke" in hook.dialog.message.text()
    assert "thread: a worker" in hook.log_path.read_text(encoding="utf-8")
    _close(qtbot, hook)


def test_errors_while_one_is_shown_are_counted_and_the_log_stays_bounded(hook, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(error_hook_module, "MAX_LOGGED", 10**6)
    for i in range(400):
        try:
            raise ValueError(f"error {i} " + "z" * 2000)
        except ValueError:
            hook.handle(*sys.exc_info())
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.more == 399, timeout=10000)
    assert len(hook.dialog.findChildren(type(hook.dialog))) == 0 and "399 more errors" in hook.dialog.message.text()
    assert hook.log_path.stat().st_size <= MAX_BYTES
    log = hook.log_path.read_text(encoding="utf-8")
    assert log.startswith(HEADER) and "ValueError: error 399 " in log and "error 0 " not in log
    _close(qtbot, hook)


def test_an_error_inside_the_hook_never_loops(hook, qtbot, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OSError("the disk is gone")

    monkeypatch.setattr(error_hook_module, "error_report", broken)
    hook.handle(ValueError, ValueError("first"), None)
    assert [e[0] for e in hook.printed] == [ValueError]  # printed the plain way, once
    monkeypatch.undo()

    class Unshowable(error_hook_module.ErrorDialog):
        def __init__(self, *args):
            raise RuntimeError("cannot show")

    monkeypatch.setattr(error_hook_module, "ErrorDialog", Unshowable)
    button = QPushButton("break")
    qtbot.addWidget(button)
    button.clicked.connect(lambda: 1 / 0)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # the dialog's own failure is logged once, and nothing is tried again
    log = hook.log_path.read_text(encoding="utf-8")
    assert log.count(HEADER) == 2 and "ZeroDivisionError" in log and "RuntimeError: cannot show" in log
    assert hook.shows_nothing and hook.dialog is None


def test_a_log_that_cannot_be_written_is_said_in_the_dialog(tmp_path, qtbot) -> None:
    (tmp_path / "errors.log").mkdir()  # a folder where the log would go
    hook = ErrorHook(tmp_path / "errors.log")
    hook.install()
    try:
        hook.handle(ValueError, ValueError("lost"), None)
        qtbot.waitUntil(lambda: hook.dialog is not None, timeout=5000)
        assert "could not be written" in hook.dialog.log.text()
        _close(qtbot, hook)
    finally:
        hook.uninstall()


def test_the_window_program_runs_with_the_hook(monkeypatch) -> None:
    from graphviz_nn.cli import window
    from graphviz_nn.gui import app

    seen = []
    monkeypatch.setattr(app, "run", lambda example, session=None: seen.append(sys.excepthook) or 0)
    before = sys.excepthook
    assert window._run_window("scalar") == 0
    assert isinstance(getattr(seen[0], "__self__", None), ErrorHook)
    assert seen[0].__self__.log_path.parent == Autosave.default_folder().parent  # the app's data folder
    assert sys.excepthook is before
