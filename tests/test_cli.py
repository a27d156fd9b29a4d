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
    monkeypatch.setattr(display.ctypes.util, "find_library", lambda name: None)
    message = cli.qt_platform_problem({"DISPLAY": ":0"})
    assert "libxcb-cursor0" in message and "apt install libxcb-cursor0" in message
    monkeypatch.setattr(display.ctypes.util, "find_library", lambda name: "libxcb-cursor.so.0")
    assert cli.qt_platform_problem({"DISPLAY": ":0"}) is None
