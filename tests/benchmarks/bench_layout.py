"""Layout time, worker round trip included, for expanded PerceptronNet graphs.

Run from the repository root::

    python tests/benchmarks/bench_layout.py [--quick]

For [7, 5, 1] (~130 nodes), [30, 10, 10, 1] (~1300) and [30, 20, 20, 1] (~2700), it times
``layout(graph, collapsed=())`` through a warm worker process (DOT building, the pipe both
ways and reading Graphviz's JSON back into a Layout) beside the same DOT laid out by
pygraphviz in this process, so the worker's overhead shows. Targets: 0.05 s, 1 s, 3 s.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn.layout import LayoutWorker, graph_to_dot, layout, render_in_process  # noqa: E402
from graphviz_nn.nn import PerceptronNet  # noqa: E402
from tests.benchmarks.timing import median_seconds  # noqa: E402

CASES = (([7, 5, 1], 0.05), ([30, 10, 10, 1], 1.0), ([30, 20, 20, 1], 3.0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat each")
    args = parser.parse_args(argv)
    worker = LayoutWorker()
    start = perf_counter()
    worker.render("digraph { a }", "json")
    print(f"worker start-up (first call): {perf_counter() - start:.3f} s\n")
    print(f"{'net':<18}{'nodes':>7}{'worker s':>10}{'in-process s':>14}{'overhead s':>12}{'target s':>10}  meets")
    for sizes, target in CASES:
        graph = PerceptronNet(sizes).graph
        repeats = 1 if args.quick else (9 if len(graph) < 500 else 3)
        through_worker = median_seconds(lambda: layout(graph, collapsed=(), worker=worker, timeout=120), repeats)
        source = graph_to_dot(graph, ()).source
        in_process = median_seconds(lambda: render_in_process(source, "json0"), repeats)
        print(f"{str(sizes):<18}{len(graph):>7}{through_worker:>10.3f}{in_process:>14.3f}"
              f"{through_worker - in_process:>12.3f}{target:>10.2f}  {'yes' if through_worker <= target else 'NO'}")
    worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
