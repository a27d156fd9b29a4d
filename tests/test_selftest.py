"""``graphviz-nn --self-test``: it passes here, names what fails, and never hangs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = 7


def _self_test(patch: str = "", timeout: float = 120, temp: Path | None = None) -> subprocess.CompletedProcess:
    """The self-test in a fresh process (it checks what that process loaded), after ``patch``,
    with ``temp`` as its temporary folder."""
    code = "import sys\nfrom graphviz_nn import selftest\n" + textwrap.dedent(patch) + \
        f"\nsys.exit(selftest.self_test(timeout={timeout}))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if temp is not None:
        env.update(TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                          env=env, cwd=ROOT)


def test_self_test_passes_and_prints_one_line_per_check(tmp_path) -> None:
    done = _self_test(temp=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == CHECKS + 1
    assert all(line.startswith("ok  ") for line in lines[:-1]), lines
    assert lines[-1].startswith("self-test passed in ")
    assert "z = 2.235782" in done.stdout  # the first example's value, from the pass played in the window
    assert "one epoch trained on xor" in done.stdout and "reopened: " in done.stdout
    assert "propagateSizeHints" not in done.stderr  # the offscreen platform's noise is dropped
    assert list(tmp_path.iterdir()) == []  # its settings and session went with their folder


def test_a_failing_check_is_named_and_the_exit_status_is_1() -> None:
    done = _self_test("""
        from pathlib import Path
        from graphviz_nn.gui.controllers.sessions import SessionsController

        def open_session(sessions, path, remember=True):
            sessions.failed.emit(f"{Path(path).name}: not a graphviz-nn session")

        SessionsController.open_session = open_session
    """)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-2] == ("FAIL session saved and reopened: the saved session did not open again: "
                         "self-test.gnn: not a graphviz-nn session")
    assert lines[-1].startswith("self-test failed (session saved and reopened) after ")
    assert sum(line.startswith("ok  ") for line in lines) == CHECKS - 1


def test_graphviz_in_the_windows_process_fails() -> None:
    """A frozen build whose start-up imports pygraphviz crashes on X11: the self-test says so."""
    done = _self_test("import pygraphviz")
    assert done.returncode == 1
    assert ("FAIL example opened: pygraphviz was loaded into the window's process; it must run "
            "only in the layout worker") in done.stdout.splitlines()


def test_a_hang_ends_with_exit_status_1_at_the_timeout(tmp_path) -> None:
    done = _self_test("""
        import time
        from graphviz_nn.gui.main_window import MainWindow
        MainWindow.load_example = lambda self, key: time.sleep(60)  # stuck in the UI thread
    """, timeout=3, temp=tmp_path)
    assert done.returncode == 1
    assert list(tmp_path.iterdir()) == []  # the watchdog's exit leaves no folder behind
    assert done.stdout.splitlines()[-1] == "FAIL self-test: not finished after 3 s; where each thread was:"
    assert "in <lambda>" in done.stderr and "main_window.py" in done.stderr  # where it hung
