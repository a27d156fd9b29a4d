"""Every op's declared price is within a small factor of what it costs.

A session file's graph is refused when the prices of its ops add up past a budget, before
anything is computed; a price far below the cost lets a small file take minutes (erf and gelu
were priced at one flop an element and cost about 120 ns each: an 884-byte file took 4 s).
Each op is timed on its own examples, grown to three prices, and on shapes where numpy is at
its slowest for the price (``op_timing.ADVERSE``: reductions over rows of two values, stacks of
2 x 2 matrices...), in a process of its own whose BLAS runs one thread.
"""

from __future__ import annotations

import numpy as np

from graphviz_nn.engine import registry

from .op_timing import measure_apart, table

SIZES = (2**16, 2**18, 2**20)  # declared flops: from numpy's call overhead to memory's pace
# NOTE: on a 2-core machine shared with other work the dearest op took 11 times the cheapest's
# time per declared flop (sigmoid at 1.3 ns against BLAS at 0.14), 14-17 times while another
# process hogged a core (memory-bound adds and divisions on a million elements at 2 ns); so
# twice that. Before the ops declared their prices it was about 400 (erf at 120 ns against a
# sum's 0.3) and 10^5 with views priced by their size.
MOST_SPREAD = 32


def test_every_op_costs_within_a_small_factor_of_its_price() -> None:
    found = measure_apart(SIZES)
    assert {t.op for t in found} == set(registry()), "an op has no example that grows"
    per_flop = [t.ns_per_flop for t in found]
    spread = max(per_flop) / min(per_flop)
    assert spread <= MOST_SPREAD, (
        f"the dearest op takes {spread:.0f} times the cheapest's time per declared flop "
        f"(at most {MOST_SPREAD}):\n{table(found)}")


def test_values_numpy_is_slow_on_are_priced_so_and_stay_slow_downstream() -> None:
    """float16 is computed through float32 an element at a time (add: 8.1 ns an element against
    0.85), long double in software (pow: 352 ns against 3.3)."""
    add = registry()["add"]
    shapes = [(1000,), (1000,)]
    plain = add.plan(shapes, dtypes=[np.float64, np.float32])
    assert plain.flops == add.plan(shapes).flops and plain.dtype == np.float64
    half = add.plan(shapes, dtypes=[np.float64, np.float16])
    assert half.flops == 16 * plain.flops and half.dtype == np.float16
    assert add.plan(shapes, dtypes=[np.uint8, np.int64]).flops == 16 * plain.flops
    if np.dtype(np.longdouble).itemsize > 8:  # long double is float64 on Windows
        assert add.plan(shapes, dtypes=[np.longdouble, np.float16]).dtype == np.longdouble
