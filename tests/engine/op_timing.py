"""Measuring what each op costs per declared flop, for the price test and its benchmark.

Every op is timed on its own record's examples, grown until the declared price reaches a
target: each length above 1 is stretched by a factor (lengths of 1 stay 1, so broadcasting
examples keep broadcasting), and a list of gathered positions is repeated by the same factor.
An example that cannot grow (a scalar, a reshape to a fixed shape) or stops fitting is left
out; one whose price does not grow with its sizes (a view) is timed as it is. What is timed is
what opening a file pays for a node: the plan, from parameters as a file holds them, and the
forward. The time is the process's CPU time (the wall clock of a busy machine says little),
the best of a few repeats. An op whose result is a view of its input on contiguous values is
timed on Fortran-ordered values too, where it may have to copy (reshape), and the dearer kept.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from graphviz_nn.engine import EngineError, Example, Op, registry

MOST_ELEMENTS = 2**23  # the inputs of one timed call: 64 MB of float64 at most
SHORTEST = 0.004  # seconds of CPU time per measurement: well above the clock's step


@dataclass(frozen=True)
class Timing:
    """One op on one grown example: its declared price and the CPU time of one plan and forward."""

    op: str
    example: int
    shapes: tuple[tuple[int, ...], ...]
    flops: int
    seconds: float

    @property
    def ns_per_flop(self) -> float:
        return 1e9 * self.seconds / self.flops


def _positions(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_positions(v) for v in value)
    return isinstance(value, int) and not isinstance(value, bool)


def _grow_positions(value: Any, k: int) -> Any:
    """An index with its one list of positions repeated k times along its first axis."""
    if not isinstance(value, (list, tuple)):
        return value
    return [list(entry) * k if isinstance(entry, (list, tuple)) and _positions(entry) else entry
            for entry in value]


def grown(op: Op, example: Example, k: int) -> tuple[Example, Any] | None:
    """The example with lengths above 1 stretched k times and its positions repeated k times,
    and its plan; None when it no longer fits the op."""
    shapes = tuple(tuple(n * k if n > 1 else n for n in shape) for shape in example.shapes)
    params = dict(example.params)
    if "index" in params:
        params["index"] = _grow_positions(params["index"], k)
    try:
        plan = op.plan(shapes, params)
    except EngineError:
        return None
    return replace(example, shapes=shapes, params=params), plan


def sized(op: Op, example: Example, flops: int) -> tuple[Example, Any] | None:
    """The example grown until its declared price reaches ``flops`` (or, when the price does
    not grow with the sizes, grown once); None when it cannot grow within ``MOST_ELEMENTS``
    of inputs."""
    if all(n <= 1 for s in example.shapes for n in s):
        return None  # nothing to stretch
    first = grown(op, example, 1)
    if first is None:
        return None
    k = 1
    while True:
        found = grown(op, example, k)
        if found is None:
            return None
        bigger, plan = found
        if sum(math.prod(s) for s in bigger.shapes) > MOST_ELEMENTS:
            return None
        if plan.flops >= flops or (k > 1 and plan.flops == first[1].flops):
            return found
        k = max(k + 1, int(k * max(1.1, min(2.0, (flops / plan.flops) ** 0.5))))


def cpu_seconds(call, repeats: int) -> float:
    """The least process CPU time of one ``call()`` over ``repeats`` measurements, each of
    as many calls as last ``SHORTEST`` seconds."""
    start = time.process_time()
    call()
    once = max(time.process_time() - start, 1e-6)
    calls = max(1, int(SHORTEST / once))
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, (time.process_time() - start) / calls)
    return best


def _is_view(ans: Any, xs: list[np.ndarray]) -> bool:
    return isinstance(ans, np.ndarray) and any(np.shares_memory(ans, x) for x in xs)


def _timed(op: Op, example: Example, label: int, repeats: int, rng: np.random.Generator) -> Timing:
    shapes, params = example.shapes, dict(example.params)
    flops = op.plan(shapes, params).flops

    def call(xs: list[np.ndarray]) -> Any:
        return op.forward(*xs, **op.plan(shapes, params).params)

    xs = example.sample(rng)
    with np.errstate(all="ignore"):
        seconds = cpu_seconds(lambda: call(xs), repeats)
        if _is_view(call(xs), xs):
            fortran = [np.asfortranarray(x) for x in xs]
            seconds = max(seconds, cpu_seconds(lambda: call(fortran), repeats))
    return Timing(op.name, label, shapes, flops, seconds)


def timings(flops: int, repeats: int = 3, names: list[str] | None = None, seed: int = 0) -> Iterator[Timing]:
    """A :class:`Timing` of every op's every example that can be grown to ``flops``."""
    rng = np.random.default_rng(seed)
    for name in names or sorted(registry()):
        op = registry()[name]
        for i, example in enumerate(op.examples):
            found = sized(op, example, flops)
            if found is not None:
                yield _timed(op, found[0], i, repeats, rng)


# Shapes that no grown example reaches, where numpy is slowest for the price: reductions over
# rows of two values, stacks of tiny matrices, sums of one product, gathers of single values
# or of columns, a reshape or a transpose that must copy (a view is timed on Fortran-ordered
# values too).
ADVERSE = (
    ("sum", ((2**19, 2),), {"axis": 1}), ("mean", ((2**19, 2),), {"axis": -1}),
    ("max", ((2**19, 2),), {"axis": 1}), ("min", ((2**19, 2),), {"axis": 1, "keepdims": True}),
    ("var", ((2**19, 2),), {"axis": 1}), ("std", ((2**19, 2),), {"axis": 1, "ddof": 1}),
    ("logsumexp", ((2**19, 2),), {"axis": 1}), ("softmax", ((2**19, 2),), {"axis": -1}),
    ("log_softmax", ((2**19, 2),), {"axis": -1}),
    ("dot", ((2**20, 1), (2**20, 1)), {}), ("dot", ((2**19, 2), (2**19, 2)), {}),
    ("matmul", ((2**18, 1, 1), (2**18, 1, 1)), {}), ("matmul", ((2**17, 2, 2), (2**17, 2, 2)), {}),
    ("matmul", ((2**16, 1, 4), (4, 1)), {}),
    ("solve", ((2**15, 2, 2), (2**15, 2, 1)), {}), ("inv", ((2**15, 2, 2),), {}),
    ("getitem", ((2**20, 1),), {"index": [[0, 1] * 2**17]}),
    ("getitem", ((1, 2**20),), {"index": [":", [0, 1] * 2**17]}),
    ("getitem", ((2048, 2048),), {"index": ["::2", [0, 1] * 512]}),
    ("pad", ((2**18, 1),), {"pad_width": [[0, 0], [1, 1]]}),
    ("reshape", ((512, 2048),), {"shape": [2048, 512]}),
    ("transpose", ((2048, 2048),), {}), ("transpose", ((256, 2048, 8),), {"axes": [2, 0, 1]}),
)


def adverse_timings(repeats: int = 3, seed: int = 0) -> Iterator[Timing]:
    """A :class:`Timing` of each of ``ADVERSE``, sampled as the op's first example samples
    (solve's matrices made diagonally dominant); numbered -1, -2, ... as examples."""
    rng = np.random.default_rng(seed)
    for k, (name, shapes, params) in enumerate(ADVERSE):
        op = registry()[name]
        example = replace(op.examples[0], shapes=shapes, params=params, domain=None, away_from=None)
        yield _timed(op, example, -1 - k, repeats, rng)


ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def measure_apart(flops: tuple[int, ...], repeats: int = 3) -> list[Timing]:
    """Every :class:`Timing` at each price in ``flops``, and of ``ADVERSE``, measured in a new
    process whose BLAS runs one thread: on a busy machine, a BLAS thread waiting for a core
    spins, and its CPU time (3 ns a unit for a matmul that costs 0.2 alone) says nothing
    about the work."""
    command = [sys.executable, "-m", "tests.engine.op_timing", "--adverse", "--repeats", str(repeats),
               *map(str, flops)]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(command, cwd=root, env={**os.environ, **ONE_THREAD}, capture_output=True,
                          text=True, timeout=600, check=True)
    return [Timing(r["op"], r["example"], tuple(map(tuple, r["shapes"])), r["flops"], r["seconds"])
            for r in map(json.loads, done.stdout.splitlines())]


def table(found: list[Timing]) -> str:
    """One line per op and example: its shapes, price and ns per declared flop, dearest first."""
    lines = [f"{'op':<12} {'ex':>2}  {'shapes':<44} {'flops':>10}  ns/flop"]
    for t in sorted(found, key=lambda t: -t.ns_per_flop):
        shapes = ", ".join(map(str, t.shapes))
        lines.append(f"{t.op:<12} {t.example:>2}  {shapes[:44]:<44} {t.flops:>10}  {t.ns_per_flop:7.3f}")
    return "\n".join(lines)


def _main() -> None:
    parser = argparse.ArgumentParser(description="Time every op's examples; one JSON line each.")
    parser.add_argument("flops", type=int, nargs="+")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--adverse", action="store_true", help="time ADVERSE too")
    args = parser.parse_args()
    found = (t for flops in args.flops for t in timings(flops, args.repeats))
    if args.adverse:
        found = itertools.chain(found, adverse_timings(args.repeats))
    for t in found:
        print(json.dumps({"op": t.op, "example": t.example, "shapes": t.shapes, "flops": t.flops,
                          "seconds": t.seconds}), flush=True)


if __name__ == "__main__":
    _main()
