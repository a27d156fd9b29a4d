"""Starting and ending the program's child processes (the layout worker, the training process).

A child started as ``python -m module`` has the current folder first on its module path, so a
``json.py`` or ``numpy.py`` in the folder the user started graphviz-nn from would be imported
and run by it. Children are started instead with a short bootstrap that drops that entry before
anything is imported, appends the folder this package lives in (found when the package runs from
a checkout rather than an install), and calls the module's ``main``. A frozen app runs itself
with a flag; its module path is the bundle's own.

Every child is started with :func:`popen_options`: on Windows a console program started by
the window (which has no console) would otherwise open a console window of its own, flashing
up with each layout worker or training process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Runs in the child as ``python -c``; argv: package root, module, then the module's arguments.
_BOOTSTRAP = (
    "import sys\n"
    "if not getattr(sys.flags, 'safe_path', False):\n"
    "    del sys.path[0]\n"  # '' for -c: the current folder
    "if sys.argv[1] not in sys.path:\n"
    "    sys.path.append(sys.argv[1])\n"
    "import importlib\n"
    "sys.exit(importlib.import_module(sys.argv[2]).main(sys.argv[3:]))\n"
)

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def child_command(module: str, frozen_flag: str, *args: str) -> list[str]:
    """The command that runs ``module.main(args)`` in a child without the current folder on its path.

    ``frozen_flag`` is what a frozen app is started with to serve as that child instead.
    """
    if getattr(sys, "frozen", False):  # a frozen app runs itself as the child
        return [sys.executable, frozen_flag, *args]
    return [sys.executable, "-c", _BOOTSTRAP, _PACKAGE_ROOT, module, *args]


def popen_options() -> dict:
    """Keyword arguments for :class:`subprocess.Popen` (or ``run``) that every child gets here:
    ``creationflags=CREATE_NO_WINDOW`` on Windows (no console window flashes up), nothing
    elsewhere. Use as ``Popen(args, ..., **popen_options())``.
    """
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NO_WINDOW}
    return {}


def end_process(process: subprocess.Popen | None) -> None:
    """Kill one of the program's child processes (if still running) and close its pipes."""
    if process is None:
        return
    if process.poll() is None:
        process.kill()
        process.wait(timeout=5)
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
