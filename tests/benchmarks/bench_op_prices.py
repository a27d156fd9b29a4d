"""Benchmark every op's cost per declared flop (the price its plan gives).

Run from the repository root (no install needed)::

    python tests/benchmarks/bench_op_prices.py [--sizes 65536 262144 1048576] [--repeats 3]

Each op is timed on its own record's examples, grown until their declared price reaches each
size (see tests/engine/op_timing.py): the plan from parameters as a file holds them, then the
forward, in process CPU time, the best of the repeats. Prints one line per op and example
with the nanoseconds per declared flop at each size, then the shapes where numpy is slowest
for the price, then the spread (dearest over cheapest) that tests/engine/test_op_prices.py
bounds. BLAS runs one thread (set before numpy loads):
a BLAS thread waiting for a busy core spins, and its CPU time says nothing of the work.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from tests.engine.op_timing import adverse_timings, timings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2**16, 2**18, 2**20])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
    every = []
    for size in args.sizes:
        for t in timings(size, args.repeats):
            rows[t.op, t.example][size] = t.ns_per_flop
            every.append(t.ns_per_flop)
    print(f"{'op':<12} {'ex':>2}  " + "  ".join(f"{size:>10}" for size in args.sizes) + "   (ns per declared flop)")
    for (op, example), found in sorted(rows.items()):
        cells = "  ".join(f"{found[s]:>10.3f}" if s in found else f"{'-':>10}" for s in args.sizes)
        print(f"{op:<12} {example:>2}  {cells}")
    print("\nshapes no grown example reaches (op_timing.ADVERSE):")
    for t in adverse_timings(args.repeats):
        print(f"{t.op:<12} {', '.join(map(str, t.shapes)):<36} {t.ns_per_flop:>10.3f}")
        every.append(t.ns_per_flop)
    print(f"\n{len(every)} timings; cheapest {min(every):.3f} ns, dearest {max(every):.3f} ns per declared "
          f"flop: a spread of {max(every) / min(every):.1f}")


if __name__ == "__main__":
    main()
