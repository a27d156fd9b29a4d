"""Nothing the program or its tests run may damage the machine or run the user's code.

As root, a writer pointed at ``os.devnull`` replaces /dev/null with a regular file (Qt saves
INI files by renaming a temporary file over the target), and a child started as
``python -m ...`` imports modules from the folder it was started in.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graphviz_nn.layout.worker import LayoutWorker
from graphviz_nn.session.training_process import command as training_command

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()
# A writer of any kind aimed at the null device: QSettings, open(..., "w"), Path.write_*.
DEVNULL_WRITER = re.compile(r"os\.devnull|['\"]/dev/null['\"]|['\"]NUL['\"]")


# Files that name the null device only to check it is still a device.
ONLY_STAT = {THIS, ROOT / "tests" / "conftest.py"}


def _python_files() -> list[Path]:
    return [p for p in [*(ROOT / "graphviz_nn").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
            if p.resolve() not in ONLY_STAT]


def test_no_code_or_test_points_anything_at_the_null_device() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in _python_files()
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if DEVNULL_WRITER.search(line)]
    assert offenders == [], ("use a file in a temporary folder (gui.app.scratch_settings) or "
                             f"subprocess.DEVNULL instead: {offenders}")


def test_the_scan_finds_a_settings_file_at_the_null_device() -> None:
    assert DEVNULL_WRITER.search("QSettings(os.%s, QSettings.Format.IniFormat)" % "devnull")  # the hazard
    assert DEVNULL_WRITER.search("open('/dev/null', 'w')")
    assert not DEVNULL_WRITER.search("stderr=subprocess.DEVNULL")


# Ways to write or move a file other than io.atomic.write_atomic, which never renames over a
# device or a FIFO and never deletes what is not ours.
RAW_WRITER = re.compile(r"\bos\.(replace|rename|renames)\(|\bshutil\.(move|copy\w*)\(|"
                        r"\.write_(bytes|text)\(|\bopen\([^)]*['\"][wax]b?\+?['\"]")
# The one writer. (The autosave moves its own file aside inside its own folder with Path.replace.)
RAW_ALLOWED = {"graphviz_nn/io/atomic.py"}


def test_the_package_writes_files_only_through_the_atomic_writer() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
                 for p in (ROOT / "graphviz_nn").rglob("*.py") if p.relative_to(ROOT).as_posix() not in RAW_ALLOWED
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if RAW_WRITER.search(line)]
    assert offenders == [], f"write with graphviz_nn.io.write_atomic instead: {offenders}"


def test_the_scan_finds_raw_writers() -> None:
    for line in ("os.replace(partial, target)", "path.write_bytes(data)", "open(target, 'wb')",
                 'open(p, "a")', "shutil.move(a, b)"):
        assert RAW_WRITER.search(line), line
    for line in ("open(path, 'rb')", "text.replace('a', 'b')", "write_atomic(path, data)"):
        assert not RAW_WRITER.search(line), line


POISON = "open({marker!r}, 'a').write(__name__ + '\\n')\nraise SystemExit('poisoned')\n"


@pytest.fixture
def poisoned_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose json.py, numpy.py, queue.py ... record that they ran."""
    folder = tmp_path / "lecture-pack"
    folder.mkdir()
    marker = tmp_path / "ran.txt"
    for name in ("json", "numpy", "queue", "select", "threading", "graphviz_nn"):
        (folder / f"{name}.py").write_text(POISON.format(marker=str(marker)), encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    return marker


def test_the_layout_worker_runs_nothing_from_the_working_folder(poisoned_folder: Path) -> None:
    worker = LayoutWorker()
    try:
        out = worker.render("digraph { a -> b }", "json0", timeout=60)
    finally:
        worker.close()
    assert b'"objects"' in out
    assert not poisoned_folder.exists(), poisoned_folder.read_text()


def test_the_training_process_runs_nothing_from_the_working_folder(poisoned_folder: Path) -> None:
    # The child reads its control channel's descriptor; an ended stdin makes it return at once.
    read_end, write_end = os.pipe()
    try:
        out = subprocess.run(training_command(read_end), input=b"", capture_output=True, timeout=60,
                             pass_fds=(read_end,) if os.name == "posix" else ())
    finally:
        os.close(read_end)
        os.close(write_end)
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    assert not poisoned_folder.exists(), poisoned_folder.read_text()


def test_a_plain_module_run_would_have_run_the_poison(poisoned_folder: Path) -> None:
    """The fixture is able to catch the hazard: ``python -m`` imports the folder's json.py."""
    subprocess.run([sys.executable, "-m", "graphviz_nn.layout.worker", "none"], input=b"",
                   capture_output=True, timeout=60)
    assert poisoned_folder.exists()


@pytest.mark.skipif(os.name != "posix", reason="/dev/null is a POSIX device")
def test_the_null_device_is_still_a_device() -> None:
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
