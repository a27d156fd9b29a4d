"""Graphviz runs in a separate worker process: it holds the GIL for the whole layout, so in a
thread it would freeze the window. The worker is reused between calls, can be cancelled, and
is restarted after a timeout; none is left behind when the program exits.

Protocol: the parent writes one JSON line per request, ``{"dot": ..., "format": ...}``; the
worker answers with one JSON line, ``{"status": "ok", "size": n}`` followed by n bytes of
output, or ``{"status": "error", "message": ...}``.
"""

from __future__ import annotations

import atexit
import json
import queue
import shutil
import subprocess
import sys
import threading
import time
import weakref
from typing import BinaryIO

from .process import child_command, end_process, popen_options


class LayoutError(RuntimeError):
    """Graphviz could not lay out or render a graph, or is missing."""


class LayoutTimeout(LayoutError, TimeoutError):
    """A layout took longer than its timeout; the worker was stopped and will be restarted."""


class LayoutCancelled(LayoutError):
    """A layout was cancelled from another thread."""


MISSING = (
    "no Graphviz available: install pygraphviz (pip install 'pygraphviz>=2', whose wheels "
    "carry Graphviz) or a system Graphviz with its dot program (apt install graphviz)"
)


_KEPT = {"objects": ("name", "pos", "width", "height", "bb", "_gvid"), "edges": ("tail", "head", "pos", "id")}


def _positions_only(json0: bytes) -> bytes:
    """Graphviz's JSON cut down to the positions a Layout reads: a third of the size, so the
    window's process parses it quickly (json.loads holds the interpreter lock throughout)."""
    data = json.loads(json0)
    kept = {"bb": data["bb"]}
    for key, fields in _KEPT.items():
        kept[key] = [{f: item[f] for f in fields if f in item} for item in data.get(key, [])]
    return json.dumps(kept, separators=(",", ":")).encode()


#: The Graphviz layout programs the worker runs (pygraphviz's wheel carries them all).
ENGINES = ("dot", "neato", "fdp", "sfdp", "circo", "twopi", "osage", "patchwork")


def render_in_process(source: str, fmt: str, backend: str = "auto", engine: str = "dot") -> bytes:
    """Run a Graphviz program on DOT text in this process: with pygraphviz, else a system one.

    ``fmt`` is any Graphviz output format, or "layout": Graphviz's json0 cut down to positions;
    ``engine`` is one of :data:`ENGINES`.
    """
    if engine not in ENGINES:
        raise LayoutError(f"no Graphviz engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if fmt == "layout":
        return _positions_only(render_in_process(source, "json0", backend, engine))
    if backend in ("auto", "pygraphviz"):
        try:
            import pygraphviz
        except ImportError:
            if backend == "pygraphviz":
                raise LayoutError("pygraphviz is not installed: pip install 'pygraphviz>=2'") from None
        else:
            try:
                return pygraphviz.AGraph(string=source).draw(format=fmt, prog=engine)
            except Exception as error:  # pygraphviz raises bare ValueError / DotError / OSError
                raise LayoutError(f"Graphviz failed: {error}") from None
    if backend in ("auto", "dot"):
        program = shutil.which(engine)
        if program is not None:
            done = subprocess.run([program, f"-T{fmt}"], input=source.encode(), capture_output=True,
                                  **popen_options())
            if done.returncode != 0:
                raise LayoutError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
            return done.stdout
    raise LayoutError(MISSING)


def serve(requests: BinaryIO, answers: BinaryIO, backend: str = "auto") -> None:
    """The worker's loop: read requests until the parent closes the pipe."""
    for line in requests:
        try:
            request = json.loads(line)
            data = render_in_process(request["dot"], request.get("format", "json0"), backend,
                                     request.get("engine", "dot"))
            header = {"status": "ok", "size": len(data)}
        except Exception as error:  # any failure goes back to the parent as a message
            data, header = b"", {"status": "error", "message": str(error) or type(error).__name__}
        answers.write(json.dumps(header).encode() + b"\n" + data)
        answers.flush()


def worker_command(backend: str) -> list[str]:
    return child_command("graphviz_nn.layout.worker", "--layout-worker", backend)


_LIVE: "weakref.WeakSet[LayoutWorker]" = weakref.WeakSet()


class LayoutWorker:
    """A Graphviz worker process, started on first use.

    Parameters
    ----------
    backend : {"auto", "pygraphviz", "dot", "none"}
        What the worker runs Graphviz with ("none" only for testing the missing case).
    """

    def __init__(self, backend: str = "auto"):
        self.backend = backend
        self._process: subprocess.Popen | None = None
        self._answers: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        # Requests are numbered; cancel() cancels every request numbered so far, sent or not
        # (a cancel that came between a caller's start and its request being sent was lost).
        self._tickets = threading.Lock()
        self._issued = 0
        self._cancelled_upto = 0
        _LIVE.add(self)

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            worker_command(self.backend), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # fontconfig's warnings; failures come back as messages
            **popen_options(),
        )
        self._answers = queue.Queue()
        threading.Thread(target=_read_answers, args=(process.stdout, self._answers),
                         name="layout-worker-reader", daemon=True).start()
        self._process = process
        return process

    def ticket(self) -> int:
        """A number for a request about to be made: :meth:`cancel` from now on cancels it.

        A caller that prepares its DOT text before calling :meth:`render` takes a ticket first
        and passes it on, so that a cancel arriving meanwhile is not lost.
        """
        with self._tickets:
            self._issued += 1
            return self._issued

    def _is_cancelled(self, ticket: int) -> bool:
        with self._tickets:
            return ticket <= self._cancelled_upto

    def render(self, source: str, fmt: str = "json0", timeout: float | None = 30.0,
               ticket: int | None = None, engine: str = "dot") -> bytes:
        """Graphviz's output for DOT text in a format ("json0" for positions, "svg", "png", "pdf").

        Raises
        ------
        LayoutTimeout
            After ``timeout`` seconds; the worker is killed and restarted on the next call.
        LayoutCancelled
            When :meth:`cancel` was called meanwhile.
        LayoutError
            When Graphviz failed or is missing.
        """
        ticket = self.ticket() if ticket is None else ticket
        with self._lock:
            if self._is_cancelled(ticket):
                raise LayoutCancelled("the layout was cancelled")
            process = self._process if self._process is not None and self._process.poll() is None else self._start()
            answers = self._answers
            try:
                process.stdin.write(json.dumps({"dot": source, "format": fmt, "engine": engine}).encode() + b"\n")
                process.stdin.flush()
            except (BrokenPipeError, OSError):
                self._kill()
                if self._is_cancelled(ticket):  # killed by a cancel while the request was written
                    raise LayoutCancelled("the layout was cancelled") from None
                raise LayoutError("the layout worker stopped unexpectedly") from None
            answer = self._wait(answers, ticket, timeout)
            if answer is None:
                self._kill()
                if self._is_cancelled(ticket):
                    raise LayoutCancelled("the layout was cancelled")
                raise LayoutError("the layout worker stopped unexpectedly")
            header, data = answer
            if header["status"] != "ok":
                raise LayoutError(header["message"])
            return data

    def _wait(self, answers: queue.Queue, ticket: int, timeout: float | None):
        """The worker's answer, looking every 50 ms whether the request was cancelled."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._is_cancelled(ticket):
                self._kill()
                raise LayoutCancelled("the layout was cancelled")
            left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if left <= 0:
                self._kill()
                raise LayoutTimeout(f"the layout took longer than {timeout:g} s and was stopped")
            try:
                return answers.get(timeout=left)
            except queue.Empty:
                continue

    def cancel(self) -> None:
        """Stop every layout requested so far, in progress or not yet sent (from any thread);
        the next request starts a new worker."""
        with self._tickets:
            self._cancelled_upto = self._issued
        self._kill()

    def _kill(self) -> None:
        end_process(self._process)

    def close(self) -> None:
        """Stop the worker process."""
        self._kill()
        self._process = None

    def __del__(self) -> None:
        try:
            self._kill()
        except Exception:
            pass


_default_worker: LayoutWorker | None = None


def default_worker() -> LayoutWorker:
    """The worker shared by calls that do not bring their own (started on first use)."""
    global _default_worker
    if _default_worker is None:
        _default_worker = LayoutWorker()
    return _default_worker


def _read_answers(stream: BinaryIO, answers: queue.Queue) -> None:
    try:
        while True:
            line = stream.readline()
            if not line:
                break
            header = json.loads(line)
            data = stream.read(header.get("size", 0)) if header["status"] == "ok" else b""
            answers.put((header, data))
    except (OSError, ValueError):
        pass
    answers.put(None)


@atexit.register
def _close_all() -> None:
    for worker in list(_LIVE):
        worker.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    serve(sys.stdin.buffer, sys.stdout.buffer, args[0] if args else "auto")
    return 0


if __name__ == "__main__":
    sys.exit(main())
