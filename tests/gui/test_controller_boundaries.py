"""The window's structure: controllers take the model and the widgets they drive, never the
window (a service locator every controller reached into, 276 times); docks are handed their
documents and never make them; controllers never reach for one another."""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import pathlib

import pytest
from PySide6.QtWidgets import QMainWindow

GUI = pathlib.Path(__file__).resolve().parents[2] / "graphviz_nn" / "gui"
CONTROLLERS = sorted((GUI / "controllers").glob("*.py"))
DOCKS = sorted((GUI / "docks").glob("*.py"))


def _module(path: pathlib.Path) -> str:
    return "graphviz_nn.gui." + ".".join(path.relative_to(GUI).with_suffix("").parts)


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imported(path: pathlib.Path) -> dict[str, tuple[str, str]]:
    """Names a module imports with ``from ... import``: name -> (absolute module, original name)."""
    package = _module(path).rsplit(".", 1)[0].split(".")
    found = {}
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                found[alias.asname or alias.name] = (module, alias.name)
    return found


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.stem)
def test_no_controller_names_the_window(path: pathlib.Path) -> None:
    """Not as a parameter, an attribute, a variable or an import: what a controller needs is
    the model and its own widgets."""
    named = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Name) and node.id.lower() in ("window", "mainwindow", "main_window"):
            named.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in ("window", "main_window"):
            named.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.arg) and node.arg == "window":
            named.append(f"line {node.lineno}: parameter window")
    named += [f"imports {module}" for module, _ in _imported(path).values() if module.endswith("main_window")]
    assert named == []


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.stem)
def test_the_frame_a_controller_drives_is_only_a_qt_window(path: pathlib.Path) -> None:
    """The controllers handed the top-level widget (for dialogs, the title, full screen, the
    dock state) use only what every QMainWindow has: it cannot become a way back to the
    window's parts."""
    foreign = []
    for node in ast.walk(_tree(path)):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "frame" and not hasattr(QMainWindow, node.attr)):
            foreign.append(f"line {node.lineno}: frame.{node.attr}")
    assert foreign == []


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.stem)
def test_no_controller_reaches_another_controller(path: pathlib.Path) -> None:
    """What one controller asks of another is a model call or a model event."""
    reached = [f"{module}.{name}" for module, name in _imported(path).values()
               if name.endswith("Controller") and module != _module(path)]
    assert reached == []


def _is_session_class(module: str, name: str) -> bool:
    """A class from the Qt-free session layer that holds state (not a frozen value record, an
    enum or an error)."""
    if not module.startswith("graphviz_nn.session"):
        return False
    thing = getattr(importlib.import_module(module), name, None)
    if not isinstance(thing, type) or issubclass(thing, (enum.Enum, Exception)):
        return False
    frozen = dataclasses.is_dataclass(thing) and thing.__dataclass_params__.frozen
    return not frozen


@pytest.mark.parametrize("path", DOCKS, ids=lambda p: p.stem)
def test_no_dock_constructs_a_session_class(path: pathlib.Path) -> None:
    """Docks are views: they are handed their documents (``ExpressionDock(document)``,
    ``TrainingDock(datasets)``, ``JacobianPanel(exercise)``) and never make one."""
    imported = _imported(path)
    made = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported:
            module, name = imported[node.func.id]
            if _is_session_class(module, name):
                made.append(f"line {node.lineno}: {name}()")
    assert made == []


def test_the_checks_see_what_they_look_for(tmp_path: pathlib.Path) -> None:
    """The checks above find a window reached into and a document made by a dock."""
    assert _is_session_class("graphviz_nn.session.expression", "ExpressionDocument")
    assert not _is_session_class("graphviz_nn.session.training", "TrainingSettings")  # a value record
    source = tmp_path / "probe.py"
    source.write_text("def f(window):\n    return window.graph\n", encoding="utf-8")
    names = [n for n in ast.walk(_tree(source)) if isinstance(n, ast.Name) and n.id == "window"]
    assert len(names) == 1
