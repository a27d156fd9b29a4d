"""The layering of the design: engine, nn, layout and io never load Qt."""

from __future__ import annotations

import ast
import importlib.util
import json
import pathlib
from pathlib import Path
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
    """Not even inside a function: the layout layer registers how graphs draw themselves."""
    for path in (PACKAGE / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = _absolute(path, node)
                if module.startswith("graphviz_nn") and not module.startswith("graphviz_nn.engine"):
                    pytest.fail(f"{path.relative_to(PACKAGE)} imports {module}")


RANK = {"engine": 0, "nn": 1, "layout": 1, "io": 2, "session": 3, "gui": 4, "cli": 5}


def _module_imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports at module level."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(["graphviz_nn", *(parts[:-1] if parts[-1] == "__init__" else parts)])
        imports = found.setdefault(name, set())
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                module = _absolute(path, node)
                if node.module is not None:  # "from . import passes" imports passes, not the package
                    imports.add(module)
                imports.update(f"{module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                imports.update(a.name for a in node.names)
    modules = set(found)
    return {m: {i for i in found[m] if i in modules and i != m} for m in found}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_the_layers_import_only_downwards() -> None:
    """gui > session > io > nn | layout > engine, at module level; nn and layout are apart."""
    offenders = []
    for module, imports in _module_imports().items():
        layer = _layer(module)
        for imported in imports:
            other = _layer(imported)
            if layer is None or other is None or other == layer:
                continue
            if RANK[other] > RANK[layer] or RANK[other] == RANK[layer]:
                offenders.append(f"{module} imports {imported}")
    assert offenders == []


def test_no_import_cycles_between_modules() -> None:
    graph = _module_imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            # A package importing its own modules to re-export them is no cycle of design.
            packages = {m for m in component if (PACKAGE / Path(*m.split(".")[1:]) / "__init__.py").exists()}
            if len(component) > 1 and set(component) - packages:
                cycles.append(sorted(component))

    for vertex in sorted(graph):
        if vertex not in index:
            visit(vertex)
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)
