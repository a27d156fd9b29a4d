"""The command line: the demo it prints, the version, and the display check."""

from __future__ import annotations

import subprocess
import sys

import pytest

import graphviz_nn
from graphviz_nn import cli
from graphviz_nn.cli import display


def test_demo_prints_the_worked_example(capsys) -> None:
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "z = 2.235782" in out
    assert "n1 x2" in out and "-4.035158" in out
    assert "3 forward passes or 1 reverse pass" in out


def test_module_entry_point_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "graphviz_nn", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"graphviz-nn {graphviz_nn.__version__}"


def test_a_bad_flag_exits_non_zero_with_one_line() -> None:
    out = subprocess.run([sys.executable, "-m", "graphviz_nn", "--frobnicate"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "graphviz-nn: error: unrecognized arguments: --frobnicate (see graphviz-nn --help)"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_display_check(monkeypatch) -> None:
    assert cli.qt_platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert "no display" in cli.qt_platform_problem({})
    monkeypatch.setattr(display, "missing_xcb_library", lambda: "libxcb-cursor.so.0")
    message = cli.qt_platform_problem({"DISPLAY": ":0"})
    assert "libxcb-cursor.so.0" in message and "apt install libxcb-cursor0" in message
    monkeypatch.setattr(display, "missing_xcb_library", lambda: "libxcb-icccm.so.4")
    assert "apt install libxcb-icccm4" in cli.qt_platform_problem({"DISPLAY": ":0"})
    monkeypatch.setattr(display, "missing_xcb_library", lambda: None)
    assert cli.qt_platform_problem({"DISPLAY": ":0"}) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_missing_library_is_found_by_loading_the_real_plugin(monkeypatch) -> None:
    def refuse(path):
        assert path.endswith("libqxcb.so")
        raise OSError("libxcb-keysyms.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(display.ctypes, "CDLL", refuse)
    assert display.missing_xcb_library() == "libxcb-keysyms.so.1"
    assert display._debian_package("libxcb-keysyms.so.1") == "libxcb-keysyms1"
    assert display._debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"


def test_no_display_is_one_line_and_exit_1() -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "graphviz_nn"], capture_output=True, text=True, env=env, timeout=60)
    if sys.platform.startswith("linux"):
        assert out.returncode == 1
        assert out.stderr.strip().splitlines() == [
            "graphviz-nn: cannot open the window: no display: set DISPLAY (X11) or WAYLAND_DISPLAY, "
            "or run headless with QT_QPA_PLATFORM=offscreen"]


def test_open_refuses_a_bad_session_file_in_one_line(tmp_path, capsys) -> None:
    bad = tmp_path / "notes.gnn"
    bad.write_text("these are my notes, not a session")
    assert cli.main(["open", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("graphviz-nn open: error: ") and "notes.gnn" in err[0]
    assert cli.main(["open", str(tmp_path / "absent.gnn")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_open_shows_the_session_in_the_window(tmp_path, monkeypatch) -> None:
    """The window is asked to open the file (the event loop itself is not run here)."""
    from graphviz_nn.io import SessionState, save_session
    from graphviz_nn.session import EXAMPLES

    built = EXAMPLES["scalar"].build()
    path = save_session(tmp_path / "seed.gnn", SessionState(built.graph, built.graph.id_of(built.output)))
    calls = []
    import graphviz_nn.gui.app as app

    monkeypatch.setattr(app, "run", lambda example=None, session=None: calls.append((example, session)) or 0)
    monkeypatch.setattr(display, "qt_platform_problem", lambda environ=None: None)
    monkeypatch.setattr("graphviz_nn.cli.window.qt_platform_problem", lambda environ=None: None)
    assert cli.main(["open", str(path)]) == 0
    assert calls == [(None, str(path))]


def test_open_without_a_file_opens_the_window(monkeypatch) -> None:
    """What a file manager's launcher runs (``graphviz-nn open %f`` with no file)."""
    import graphviz_nn.gui.app as app

    calls = []
    monkeypatch.setattr(app, "run", lambda example="scalar", session=None: calls.append((example, session)) or 0)
    monkeypatch.setattr("graphviz_nn.cli.window.qt_platform_problem", lambda environ=None: None)
    assert cli.main(["open"]) == 0
    assert calls == [("scalar", None)]
