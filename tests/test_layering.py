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


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(["graphviz_nn", *(parts[:-1] if parts[-1] == "__init__" else parts)])


def _type_checking(node: ast.AST) -> bool:
    """An ``if TYPE_CHECKING:`` block: read by type checkers, never run."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(tree: ast.AST, type_only: bool):
    """Every statement of a module, inside functions, classes and branches too; the bodies of
    ``if TYPE_CHECKING:`` only when ``type_only`` (they run no code, so they make no cycle)."""
    for child in ast.iter_child_nodes(tree):
        yield child
        if type_only or not _type_checking(child):
            yield from _statements(child, type_only)
        else:
            yield from (n for s in child.orelse for n in (s, *_statements(s, type_only)))


def _imports_of(path: pathlib.Path, source: str, modules: set[str], type_only: bool = True) -> set[str]:
    """The package modules a module's source imports, anywhere in it (a function-level import
    runs when the function does, and is as much a dependency as one at the top).

    ``from package import name`` imports ``package.name`` when that is a module, and else
    the package itself (``from .. import __version__`` runs the package root)."""
    name = _module_name(path)
    imports: set[str] = set()
    for node in _statements(ast.parse(source), type_only):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            for alias in node.names:
                imports.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module)
        elif isinstance(node, ast.Import):
            imports.update(a.name for a in node.names)
    return {i for i in imports if i in modules and i != name}


def _package_sources() -> dict[pathlib.Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")}


def _module_imports(sources: dict[pathlib.Path, str] | None = None, type_only: bool = True) -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports, anywhere in its source."""
    sources = _package_sources() if sources is None else sources
    modules = {_module_name(path) for path in sources}
    return {_module_name(path): _imports_of(path, text, modules, type_only) for path, text in sources.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def _upward_imports(graph: dict[str, set[str]]) -> list[str]:
    offenders = []
    for module, imports in graph.items():
        layer = _layer(module)
        for imported in imports:
            other = _layer(imported)
            if layer is None or other is None or other == layer:
                continue
            if RANK[other] > RANK[layer] or RANK[other] == RANK[layer]:
                offenders.append(f"{module} imports {imported}")
    return offenders


def test_the_layers_import_only_downwards() -> None:
    """gui > session > io > nn | layout > engine, anywhere in a module (inside a function, and
    type-only imports too); nn and layout are apart."""
    assert _upward_imports(_module_imports()) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (a package with only the
    modules it re-exports excepted)."""
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
    return cycles


def test_no_import_cycles_between_modules() -> None:
    """Imports that run (inside functions too; not those for type checkers alone) form no cycle."""
    cycles = _cycles(_module_imports(type_only=False))
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)


def _synthetic(sources: dict[str, str]) -> dict[pathlib.Path, str]:
    """Sources at made-up paths of the package ("layout/dot" is graphviz_nn/layout/dot.py)."""
    return {PACKAGE / f"{name}.py": text for name, text in sources.items()}


def test_the_scan_finds_an_upward_import_inside_a_function() -> None:
    """A function-level import is a dependency: layout/dot.py reaching up into io inside a
    method went unseen while only module-level statements were read."""
    sources = _synthetic({
        "io/atomic": "import os\n",
        "layout/dot": "class Dot:\n    def render(self):\n        if True:\n"
                      "            from ..io.atomic import write_atomic\n",
    })
    assert _upward_imports(_module_imports(sources)) == ["graphviz_nn.layout.dot imports graphviz_nn.io.atomic"]


def test_the_scan_finds_a_cycle_closed_inside_a_function_but_not_one_for_type_checkers() -> None:
    runs = _synthetic({
        "engine/graph": "from .node import Node\n",
        "engine/node": "def backward(node):\n    from .graph import Graph\n    return Graph(node)\n",
    })
    assert _cycles(_module_imports(runs, type_only=False)) == [["graphviz_nn.engine.graph", "graphviz_nn.engine.node"]]
    typed = _synthetic({
        "engine/graph": "from .node import Node\n",
        "engine/node": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .graph import Graph\n",
    })
    assert _cycles(_module_imports(typed, type_only=False)) == []
    assert "graphviz_nn.engine.graph" in _module_imports(typed)["graphviz_nn.engine.node"]


def test_a_name_imported_from_a_package_root_depends_on_the_root() -> None:
    """``from .. import __version__`` runs the package root (which imports the layers): the
    loop the training process made through it was invisible while only modules were named."""
    sources = _synthetic({
        "__init__": "from .session import training_client\n",
        "session/__init__": "",
        "session/training_client": "from .. import __version__\n",
    })
    cycles = _cycles(_module_imports(sources, type_only=False))
    assert cycles == [["graphviz_nn", "graphviz_nn.session.training_client"]]


def _classes_named_twice(sources: dict[pathlib.Path, str]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for path, text in sources.items():
        for node in ast.parse(text).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(_module_name(path))
    return {name: sorted(modules) for name, modules in where.items() if len(modules) > 1}


def test_no_two_classes_of_the_package_share_a_name() -> None:
    """One name, one meaning: an op's sample point and a gallery entry were both ``Example``."""
    assert _classes_named_twice(_package_sources()) == {}
    twice = _synthetic({"engine/registry": "class Example:\n    pass\n",
                        "session/examples": "class Example:\n    pass\n"})
    assert _classes_named_twice(twice) == {"Example": ["graphviz_nn.engine.registry", "graphviz_nn.session.examples"]}
