"""The layout worker: reused, time-limited, cancellable, and never left behind."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import psutil
import pytest

from graphviz_nn.layout import (LayoutCancelled, LayoutError, LayoutTimeout, LayoutWorker,
                                graph_to_dot, layout)

from .conftest import scalar_example, tangled


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}


def test_the_worker_is_reused_between_calls() -> None:
    worker = LayoutWorker()
    try:
        layout(scalar_example(), worker=worker)
        pid = worker.pid
        layout(scalar_example(), worker=worker)
        assert worker.pid == pid is not None
    finally:
        worker.close()
    assert pid not in _children()


def test_a_timeout_returns_in_time_and_leaves_no_process(worker) -> None:
    graph = tangled(2500)  # about 40 s of dot
    layout(scalar_example(), worker=worker)  # started before timing
    pid = worker.pid
    start = time.perf_counter()
    with pytest.raises(LayoutTimeout, match="longer than 1 s"):
        layout(graph, collapsed=(), timeout=1.0, worker=worker)
    # The timeout counts from the request; the DOT for 2,500 nodes is built before it, and a
    # loaded machine stretches both: the bound says "not the 40 s dot would take".
    assert time.perf_counter() - start < 1.0 + 5.0
    assert pid not in _children() and not psutil.pid_exists(pid) or \
        psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    result = layout(scalar_example(), worker=worker)  # restarted on the next call
    assert len(result.nodes) == 9 and worker.pid != pid


def test_cancel_from_another_thread(worker) -> None:
    graph = tangled(2500)
    layout(scalar_example(), worker=worker)
    timer = threading.Timer(1.0, worker.cancel)  # while dot runs, well after the request is sent
    timer.start()
    start = time.perf_counter()
    with pytest.raises(LayoutCancelled):
        layout(graph, collapsed=(), timeout=60, worker=worker)
    assert time.perf_counter() - start < 20  # far less than the layout itself would take
    assert len(layout(scalar_example(), worker=worker).nodes) == 9


def test_a_cancel_before_the_request_is_sent_is_not_lost(worker) -> None:
    """A caller takes a ticket, prepares its DOT, then renders: a cancel in between counts."""
    ticket = worker.ticket()
    worker.cancel()
    with pytest.raises(LayoutCancelled):
        worker.render(graph_to_dot(scalar_example()).source, "json", timeout=30, ticket=ticket)
    # Requests made after the cancel are not affected by it.
    assert worker.render(graph_to_dot(scalar_example()).source, "json", timeout=30).startswith(b"{")


def test_a_cancel_while_the_dot_text_is_made_cancels_that_layout(worker, monkeypatch) -> None:
    import graphviz_nn.layout as layout_module

    made = layout_module.view_to_dot

    def slow_to_make(view, **options):
        worker.cancel()  # arrives before the request is sent
        return made(view, **options)

    monkeypatch.setattr(layout_module, "view_to_dot", slow_to_make)
    with pytest.raises(LayoutCancelled):
        layout(scalar_example(), worker=worker)


def test_bad_dot_comes_back_as_a_message(worker) -> None:
    with pytest.raises(LayoutError, match="Graphviz failed"):
        worker.render("digraph { a -> ", "json", timeout=10)
    assert worker.render(graph_to_dot(scalar_example()).source, "json", timeout=10).startswith(b"{")


def test_neither_pygraphviz_nor_dot_gives_one_clear_error() -> None:
    worker = LayoutWorker(backend="none")
    try:
        with pytest.raises(LayoutError, match="install pygraphviz .* or a system Graphviz"):
            worker.render("digraph { a }", "json", timeout=10)
    finally:
        worker.close()


def test_no_worker_is_left_when_the_program_exits() -> None:
    code = (
        "import graphviz_nn as gn, graphviz_nn.layout as L\n"
        "x = gn.Variable(1.0, 'x')\n"
        "L.layout(gn.Graph(gn.sin(x)))\n"
        "print(L.default_worker().pid, flush=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.strip())
    deadline = time.time() + 5
    while psutil.pid_exists(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
