"""Layout time, worker round trip included, for big PerceptronNet graphs.

Run from the repository root::

    python tests/benchmarks/bench_layout.py [--quick]

It times ``layout(graph, ...)`` through a warm worker process (DOT building, the pipe both
ways and reading Graphviz's JSON back into a Layout) beside the same DOT laid out by
pygraphviz in this process, so the worker's overhead shows. Targets:

- [7, 5, 1] expanded (~140 nodes): 0.05 s
- [30, 10, 10, 1] expanded (~1300 nodes): 0.5 s
- [30, 20, 20, 1] expanded (~3200 nodes): 1.5 s
- [40, 40, 40, 1] (~10,000 nodes) as it opens, collapsed by ``default_collapsed``: 2 s
- an unrolled LSTM of 50 steps (721 nodes) expanded: 1.5 s; with a box per step, as it opens: 0.2 s

Figures are printed, never asserted (the machine may be busy).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn.layout import (LayoutWorker, build_view, default_collapsed, layout,  # noqa: E402
                                render_in_process, view_to_dot)
from graphviz_nn.layout.fans import split_fans  # noqa: E402
from graphviz_nn.nn import PerceptronNet  # noqa: E402
from graphviz_nn.session.architecture_examples import long_lstm  # noqa: E402
from tests.benchmarks.timing import median_seconds  # noqa: E402

#: (layer sizes, collapsed by default rather than expanded, target seconds)
CASES = (([7, 5, 1], False, 0.05), ([30, 10, 10, 1], False, 0.5), ([30, 20, 20, 1], False, 1.5),
         ([40, 40, 40, 1], True, 2.0), ("LSTM 50", False, 1.5), ("LSTM 50", True, 0.2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat each")
    args = parser.parse_args(argv)
    worker = LayoutWorker()
    start = perf_counter()
    worker.render("digraph { a }", "json")
    print(f"worker start-up (first call): {perf_counter() - start:.3f} s\n")
    print(f"{'net':<18}{'nodes':>7}{'drawn':>7}{'worker s':>10}{'in-process s':>14}{'overhead s':>12}"
          f"{'target s':>10}  meets")
    for sizes, collapsed, target in CASES:
        lstm = long_lstm() if sizes == "LSTM 50" else None
        graph = lstm.graph if lstm else PerceptronNet(sizes).graph
        steps = lstm.collapsed if lstm else default_collapsed(graph)
        chosen = steps if collapsed else frozenset()
        view = build_view(graph, chosen)
        repeats = 1 if args.quick else (9 if len(view.nodes) < 500 else 3)
        opened = chosen if lstm else (None if collapsed else ())  # None: as on opening
        through_worker = median_seconds(lambda: layout(graph, collapsed=opened, worker=worker, timeout=120), repeats)
        source = view_to_dot(split_fans(view)[0], styled=False).source  # as layout() sends it
        in_process = median_seconds(lambda: render_in_process(source, "json0"), repeats)
        name = f"{sizes}{' coll.' if collapsed else ''}"
        print(f"{name:<18}{len(graph):>7}{len(view.nodes):>7}{through_worker:>10.3f}{in_process:>14.3f}"
              f"{through_worker - in_process:>12.3f}{target:>10.2f}  {'yes' if through_worker <= target else 'NO'}",
              flush=True)
    worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
