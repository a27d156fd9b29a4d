"""Code that works on one system only stays inside a branch for that system.

Windows, macOS and Linux are all targets, but the tests run on Linux alone: a POSIX-only call
(``pass_fds``, ``os.set_blocking`` on a pipe, ``select`` on a pipe, ``fcntl``...) passes them and
breaks the program elsewhere. This scan reads the package's syntax trees and finds every such
call, then works out on which systems the line can run: each ``if`` on ``os.name``,
``sys.platform`` or ``platform.system()`` (and an early ``return`` under one) is evaluated for
Linux, macOS and Windows in turn. A call is allowed where every system that can reach it has it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from graphviz_nn.layout import process

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "graphviz_nn"

# What each system answers to the tests a branch can make.
SYSTEMS = {"linux": ("posix", "Linux"), "darwin": ("posix", "Darwin"), "win32": ("nt", "Windows")}
EVERYWHERE = frozenset(SYSTEMS)
POSIX = frozenset({"linux", "darwin"})
LINUX = frozenset({"linux"})
WINDOWS = frozenset({"win32"})

# Modules, attributes and keywords that exist (or work on pipes) on some systems only, with
# the systems they work on and what to do instead.
MODULES = {
    **{name: (POSIX, "POSIX only") for name in ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource",
                                                 "posix")},
    "select": (POSIX, "for pipes POSIX only (on Windows it waits on sockets alone): read in a thread"),
    **{name: (WINDOWS, "Windows only") for name in ("msvcrt", "winreg", "_winapi", "winsound", "nt")},
}
ATTRIBUTES = {
    **{("os", name): (POSIX, "for pipes POSIX only before Python 3.12") for name in ("set_blocking", "get_blocking")},
    **{("os", name): (POSIX, "POSIX only") for name in (
        "fork", "forkpty", "setsid", "setpgid", "killpg", "getuid", "geteuid",
        "getgid", "chown", "mkfifo", "mknod", "O_NONBLOCK", "WNOHANG", "wait", "waitpid", "pipe2")},
    ("os", "sched_getaffinity"): (LINUX, "Linux only"),
    ("os", "startfile"): (WINDOWS, "Windows only"),
    **{("signal", name): (POSIX, "POSIX only") for name in (
        "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGQUIT", "SIGPIPE", "alarm", "pause",
        "setitimer", "siginterrupt")},
    **{("subprocess", name): (WINDOWS, "Windows only") for name in (
        "CREATE_NO_WINDOW", "CREATE_NEW_CONSOLE", "CREATE_NEW_PROCESS_GROUP", "DETACHED_PROCESS", "STARTUPINFO")},
}
KEYWORDS = {"pass_fds": (POSIX, "POSIX only (CPython asserts it is empty on Windows)"),
            "preexec_fn": (POSIX, "POSIX only"), "start_new_session": (POSIX, "POSIX only")}
PATHS = {"/dev": (POSIX, "a POSIX device path"), "/proc": (LINUX, "a Linux /proc path")}


# --- which systems a test lets through -----------------------------------------------------------
def _platform_value(node: ast.AST, system: str, flags: dict[str, ast.expr]):
    """What ``node`` is on ``system`` if it is a platform name (os.name, sys.platform,
    platform.system(), or a module-level name bound to a test of them); otherwise None."""
    os_name, system_name = SYSTEMS[system]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return {("os", "name"): os_name, ("sys", "platform"): system}.get((node.value.id, node.attr))
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute) \
            and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) == ("platform", "system"):
        return system_name
    return None


def _truth(node: ast.AST, system: str, flags: dict[str, ast.expr]) -> bool | None:
    """Whether ``node`` is true on ``system``: True, False, or None when it depends on more
    than the system (then both branches may run there)."""
    if isinstance(node, ast.Name) and node.id in flags:
        return _truth(flags[node.id], system, flags)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _truth(node.operand, system, flags)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        values = [_truth(v, system, flags) for v in node.values]
        decisive = isinstance(node.op, ast.Or)  # True decides an "or", False an "and"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith" \
            and len(node.args) == 1:
        value = _platform_value(node.func.value, system, flags)
        prefixes = _constant(node.args[0])
        if value is not None and prefixes is not None:
            return value.startswith(tuple(prefixes) if isinstance(prefixes, (tuple, list)) else prefixes)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = node.left, node.comparators[0]
        value, other = _platform_value(left, system, flags), _constant(right)
        if value is None:
            value, other = _platform_value(right, system, flags), _constant(left)
            if isinstance(node.ops[0], (ast.In, ast.NotIn)):
                return None  # "posix" in os.name: not a test anyone means
        if value is not None and other is not None:
            op = node.ops[0]
            if isinstance(op, (ast.Eq, ast.NotEq)):
                return (value == other) == isinstance(op, ast.Eq)
            if isinstance(op, (ast.In, ast.NotIn)):
                return (value in other) == isinstance(op, ast.In)
    return None


def _constant(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _empty(node: ast.AST) -> bool:
    """A literal that passes nothing: (), [], None, False, 0."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return not node.elts
    return isinstance(node, ast.Constant) and node.value in (None, False, 0)


def _where(test: ast.expr, systems: frozenset, flags: dict[str, ast.expr], branch: bool) -> frozenset:
    """The systems among ``systems`` that can take the ``branch`` (True: body) of ``test``."""
    return frozenset(s for s in systems if _truth(test, s, flags) in (branch, None))


def _ends(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


# --- the scan ------------------------------------------------------------------------------------
class Scan(ast.NodeVisitor):
    """Finds one-system code in a module and the systems that can reach each piece."""

    def __init__(self, tree: ast.Module):
        self.findings: list[tuple[int, str]] = []
        self.systems = EVERYWHERE
        self.flags = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)
                      if any(_truth(node.value, s, {}) is not None for s in SYSTEMS)}
        self.docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                           if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                           and n.body and isinstance(n.body[0], ast.Expr)
                           and isinstance(n.body[0].value, ast.Constant)}
        self.guarded_imports = 0

    def _check(self, node: ast.AST, needs: frozenset, what: str) -> None:
        if not self.systems <= needs:
            names = ", ".join(sorted(self.systems - needs))
            self.findings.append((node.lineno, f"{what}, reached on {names}"))

    def _under(self, systems: frozenset, statements: list[ast.AST]) -> None:
        before, self.systems = self.systems, systems
        self._block(statements)
        self.systems = before

    def _block(self, statements: list[ast.AST]) -> None:
        """A run of statements: after ``if <system test>: return``, the rest runs only where the
        test is false."""
        before = self.systems
        for statement in statements:
            self.visit(statement)
            if isinstance(statement, ast.If) and not statement.orelse and _ends(statement.body):
                self.systems = _where(statement.test, self.systems, self.flags, False)
        self.systems = before

    def generic_visit(self, node: ast.AST) -> None:
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self._block(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self._under(_where(node.test, self.systems, self.flags, True), node.body)
        self._under(_where(node.test, self.systems, self.flags, False), node.orelse)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit(node.test)
        for branch, part in ((True, node.body), (False, node.orelse)):
            before, self.systems = self.systems, _where(node.test, self.systems, self.flags, branch)
            self.visit(part)
            self.systems = before

    def visit_Try(self, node: ast.Try) -> None:
        """``try: import fcntl`` / ``except ImportError:`` is a test for the module itself."""
        caught = {n.id for h in node.handlers for n in ast.walk(h.type or ast.Name("BaseException"))
                  if isinstance(n, ast.Name)}
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for statement in node.body:
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    self.guarded_imports += 1
                else:
                    self.visit(statement)
            for part in (node.handlers, node.orelse, node.finalbody):
                self._block(part)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._module(node, node.module)
            for alias in node.names:
                if (node.module, alias.name) in ATTRIBUTES:
                    needs, why = ATTRIBUTES[node.module, alias.name]
                    self._check(node, needs, f"{node.module}.{alias.name} is {why}")

    def _module(self, node: ast.AST, name: str) -> None:
        top = name.split(".")[0]
        if top in MODULES:
            needs, why = MODULES[top]
            self._check(node, needs, f"module {top} is {why}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in ATTRIBUTES:
            needs, why = ATTRIBUTES[node.value.id, node.attr]
            self._check(node, needs, f"{node.value.id}.{node.attr} is {why}")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg in KEYWORDS:
            needs, why = KEYWORDS[node.arg]
            before, value = self.systems, node.value
            if isinstance(value, ast.IfExp):  # pass_fds=(fd,) if os.name == "posix" else ()
                self.systems = frozenset().union(*(_where(value.test, before, self.flags, branch)
                                                   for branch, part in ((True, value.body), (False, value.orelse))
                                                   if not _empty(part)))
            self._check(value, needs, f"{node.arg}= is {why}")
            self.systems = before
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.docstrings:
            for prefix, (needs, why) in PATHS.items():
                if node.value == prefix or node.value.startswith(prefix + "/"):
                    self._check(node, needs, f"{node.value!r} is {why}")


def one_system_code(source: str) -> list[tuple[int, str]]:
    """Every piece of ``source`` that some system able to reach it does not have: (line, why)."""
    tree = ast.parse(source)
    scan = Scan(tree)
    scan._block(tree.body)
    return sorted(scan.findings)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


CASES_FOUND = {
    "pass_fds": "subprocess.Popen(cmd, pass_fds=(fd,))\n",
    "select on a pipe": "import select\nselect.select([fd], [], [], 0.5)\n",
    "fcntl": "import fcntl\n",
    "fork": "import os\npid = os.fork()\n",
    "set_blocking": "import os\nos.set_blocking(fd, False)\n",
    "a device path": "open('/dev/tty', 'w')\n",
    "a device folder": "from pathlib import Path\nPath('/dev') / 'shm'\n",
    "the wrong branch": "import os, sys\nif sys.platform == 'win32':\n    os.fork()\n",
    "the else of a POSIX test": "import os\nif os.name == 'posix':\n    pass\nelse:\n    os.set_blocking(0, False)\n",
    "a test that depends on more than the system": "import os\nif os.name == 'posix' or fast:\n    os.fork()\n",
    "after a return on the wrong system": (
        "import os, sys\ndef f():\n    if sys.platform == 'win32':\n        return\n    x = 1\n"
        "def g():\n    os.fork()\n"),  # the guard is f's, not g's
    "a Windows flag everywhere": "import subprocess\nsubprocess.Popen(c, creationflags=subprocess.CREATE_NO_WINDOW)\n",
    "a Linux path on macOS": "import os\nif os.name == 'posix':\n    open('/proc/self/status')\n",
    "an import of a name": "from os import fork\n",
    "a keyword in a call in a lambda": "start = lambda: subprocess.run(c, preexec_fn=setup)\n",
    "descriptors on Windows": "import os\nrun(c, pass_fds=() if os.name == 'posix' else (fd,))\n",
}

CASES_FINE = {
    "a POSIX branch": "import os\nif os.name == 'posix':\n    os.set_blocking(fd, False)\n",
    "a negated Windows test": "import os, sys\nif not sys.platform.startswith('win'):\n    import fcntl\n",
    "the else of a Windows test": (
        "import os, sys\nif sys.platform == 'win32':\n    import msvcrt\nelse:\n    import fcntl\n"),
    "an early return": (
        "import sys\ndef f():\n    if not sys.platform.startswith('linux'):\n        return None\n"
        "    return open('/proc/self/status').read()\n"),
    "a test in a tuple": "import sys, os\nif sys.platform in ('linux', 'darwin'):\n    os.fork()\n",
    "platform.system()": "import platform, os\nif platform.system() != 'Windows':\n    os.getuid()\n",
    "a conditional expression": "import os\nkw = {'pass_fds': (3,)} if os.name == 'posix' else {}\n"
                                "run(c, pass_fds=(3,) if os.name == 'posix' else ())\n",
    "a flag set at the top": "import sys, os\nWINDOWS = sys.platform == 'win32'\nif not WINDOWS:\n    os.fork()\n",
    "and with another condition": "import os\nif os.name == 'posix' and ready:\n    os.fork()\n",
    "an import that may fail": "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n",
    "a docstring": '"""Reads /dev/tty when it can."""\n',
    "names that only look alike": "selected = view.select(all=True)\nfork = 2\npath = '/devices/list'\n",
    "the null device's portable name": "import subprocess\nsubprocess.run(c, stderr=subprocess.DEVNULL)\n",
    "Windows flags on Windows": (
        "import subprocess, sys\nif sys.platform == 'win32':\n    f = subprocess.CREATE_NO_WINDOW\n"),
}


@pytest.mark.parametrize("name", CASES_FOUND)
def test_the_scan_finds_one_system_code(name: str) -> None:
    assert one_system_code(CASES_FOUND[name]), name


@pytest.mark.parametrize("name", CASES_FINE)
def test_the_scan_lets_branches_for_a_system_through(name: str) -> None:
    assert one_system_code(CASES_FINE[name]) == [], name


def test_the_package_runs_on_every_system() -> None:
    found = [f"{path.relative_to(ROOT).as_posix()}:{line}: {why}"
             for path in _modules() for line, why in one_system_code(path.read_text(encoding="utf-8"))]
    assert found == [], ("code that works on some systems only, outside a branch for them (Windows, macOS "
                         "and Linux are all targets):\n" + "\n".join(found))


def _starts_a_child(call: ast.Call) -> bool:
    f = call.func
    return isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "subprocess" \
        and f.attr in ("Popen", "run", "call", "check_call", "check_output")


def _passes_popen_options(call: ast.Call) -> bool:
    return any(k.arg is None and isinstance(k.value, ast.Call) and isinstance(k.value.func, (ast.Name, ast.Attribute))
               and getattr(k.value.func, "id", getattr(k.value.func, "attr", None)) == "popen_options"
               for k in call.keywords)


def _children_started(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and _starts_a_child(node)]


@pytest.mark.parametrize("module", [p.relative_to(ROOT).as_posix() for p in _modules() if _children_started(p)])
def test_every_child_starts_without_a_console_window(module: str) -> None:
    """On Windows, a console program started by the window opens a console window of its own."""
    bare = [call.lineno for call in _children_started(ROOT / module) if not _passes_popen_options(call)]
    assert bare == [], f"{module}: start children with **popen_options() (lines {bare})"


def test_popen_options_hide_the_console_on_windows_only(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "CREATE_NO_WINDOW", 0x08000000, raising=False)
    assert process.popen_options() == {"creationflags": 0x08000000}
    for system in ("linux", "darwin"):
        monkeypatch.setattr(sys, "platform", system)
        assert process.popen_options() == {}


@pytest.fixture
def worker(qapp):
    from graphviz_nn.gui.training_worker import TrainingWorker
    from graphviz_nn.session.training import TrainingRun, defaults_for

    worker = TrainingWorker(TrainingRun.create(defaults_for("xor")))
    yield worker
    worker.close()


def _only_for_the_training_worker(monkeypatch, popen) -> None:
    """``popen`` for the training worker's children alone (with sys.platform set to "win32",
    the platform module starts programs of its own)."""
    from graphviz_nn.session import training_client

    fake = types.SimpleNamespace(**{name: getattr(subprocess, name) for name in ("PIPE", "TimeoutExpired")},
                                 Popen=popen)
    monkeypatch.setattr(training_client, "subprocess", fake)


def test_the_training_process_starts_as_windows_would_start_it(qapp, worker, monkeypatch) -> None:
    """Only what Windows takes: no descriptors passed, no console window; the run ends cleanly."""
    started = []
    popen = subprocess.Popen

    def windows_popen(args, **options):
        started.append(dict(options))
        if "pass_fds" in options:  # as CPython on Windows: an assertion, not an OSError
            raise AssertionError("pass_fds not supported on Windows")
        options.pop("creationflags")
        return popen(args, **options)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "CREATE_NO_WINDOW", 0x08000000, raising=False)
    _only_for_the_training_worker(monkeypatch, windows_popen)
    ended = []
    worker.training_finished.connect(ended.append)
    worker.start(3)
    deadline = time.monotonic() + 60
    while not ended and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert started[0]["creationflags"] == 0x08000000 and "pass_fds" not in started[0]
    assert ended == ["done"] and not worker.running and worker.run.trainer.epochs_done == 3


def test_a_child_that_cannot_start_never_leaves_training_running(worker, monkeypatch) -> None:
    def refused(args, **options):
        raise AssertionError("this system cannot start it so")

    _only_for_the_training_worker(monkeypatch, refused)
    ended = []
    worker.training_finished.connect(ended.append)
    worker.start(3)
    assert len(ended) == 1 and "could not be started" in ended[0] and not worker.running
