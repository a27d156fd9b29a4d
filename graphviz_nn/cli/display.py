"""Whether Qt can open a window here, checked before Qt loads."""

from __future__ import annotations

import ctypes.util
import os
import sys
from typing import Mapping


def qt_platform_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why Qt's window could not open here, in one line, or None if nothing is known wrong.

    Qt's xcb plugin (X11 on Linux) needs the system library libxcb-cursor0 since Qt 6.5;
    without it Qt aborts with a long message about platform plugins.
    """
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux"):
        return None
    if platform.split(":")[0] in ("offscreen", "minimal", "wayland", "vnc", "eglfs"):
        return None
    if platform == "" and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "no display: set DISPLAY (X11) or WAYLAND_DISPLAY, or run headless with "
            "QT_QPA_PLATFORM=offscreen"
        )
    if ctypes.util.find_library("xcb-cursor") is None:
        return (
            "Qt's X11 plugin needs the system library libxcb-cursor0: install it "
            "(Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf install "
            "xcb-util-cursor) or run under Wayland"
        )
    return None
