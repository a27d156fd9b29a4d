"""The layering of the design: engine, nn, layout and io never load Qt."""

from __future__ import annotations

import ast
import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "graphviz_nn"
QT_FREE = ["graphviz_nn", "graphviz_nn.engine", "graphviz_nn.nn", "graphviz_nn.layout", "graphviz_nn.io",
           "graphviz_nn.session"]
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def _existing(modules: list[str]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is not None]


@pytest.mark.parametrize("module", _existing(QT_FREE))
def test_importing_does_not_load_qt(module: str) -> None:
    """Importing a Qt-free layer loads neither Qt nor pyqtgraph."""
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [], f"importing {module} loaded Qt"


def test_no_qt_import_statement_below_the_gui() -> None:
    offenders = []
    for sub in ("engine", "nn", "layout", "io", "session"):
        for path in (PACKAGE / sub).rglob("*.py") if (PACKAGE / sub).exists() else ():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n.split(".")[0] in QT_MODULES for n in names):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def _absolute(path: pathlib.Path, node: ast.ImportFrom) -> str:
    """The absolute module an import statement in ``path`` names."""
    package = ["graphviz_nn", *path.relative_to(PACKAGE).parent.parts]
    if node.level == 0:
        return node.module or ""
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def test_the_engine_imports_nothing_from_the_layers_above_it() -> None:
    """At module level, that is: Graph.to_dot imports the layout layer when it is called."""
    for path in (PACKAGE / "engine").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                module = _absolute(path, node)
                if module.startswith("graphviz_nn") and not module.startswith("graphviz_nn.engine"):
                    pytest.fail(f"{path.relative_to(PACKAGE)} imports {module}")
