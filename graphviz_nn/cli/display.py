"""Whether Qt can open a window here, checked before Qt loads."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Mapping


def _debian_package(soname: str) -> str:
    """libxcb-icccm.so.4 -> libxcb-icccm4, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0."""
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    return name + ("-" if name[-1:].isdigit() else "") + version if version else name


def missing_xcb_library() -> str | None:
    """The first system library that Qt's xcb plugin cannot find, or None.

    The plugin shipped in PySide6's wheel is loaded with ctypes (no Qt start-up): the
    dynamic loader names the first library it cannot resolve.
    """
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        match = re.search(r"(lib[\w.+-]+\.so(\.\d+)*)", str(error))
        return match.group(1) if match else str(error)
    return None


def qt_platform_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why Qt's window could not open here, in one line, or None if nothing is known wrong.

    Qt's xcb plugin (X11 on Linux) needs system libraries that a desktop usually has, and
    since Qt 6.5 libxcb-cursor0, which some lack; without them Qt aborts with a long message
    about platform plugins. This check runs before Qt loads.
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
    missing = missing_xcb_library()
    if missing:
        package = _debian_package(missing) if missing.startswith("lib") else missing
        hint = "Fedora: sudo dnf install xcb-util-cursor" if "cursor" in missing else \
            "Fedora: sudo dnf install xcb-util-wm xcb-util-keysyms"
        return (
            f"Qt's X11 plugin needs the system library {missing}: install it "
            f"(Debian/Ubuntu: sudo apt install {package}; {hint}) or run under Wayland"
        )
    return None
