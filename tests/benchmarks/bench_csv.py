"""Reading a CSV dataset: the shipped digits and a generated file of 1,000,000 rows.

Run from the repository root::

    python tests/benchmarks/bench_csv.py [--quick]

``read_csv`` (checks, target handling and all) is timed beside the floor for the same
bytes in the same run: ``np.loadtxt`` of the file with no checks. The ratio is what the
checks and the careful reading cost. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from graphviz_nn.nn.datasets import read_csv  # noqa: E402
from tests.benchmarks.timing import median_seconds  # noqa: E402


def generated(path: Path, rows: int, seed: int = 0) -> Path:
    """``rows`` rows of four measurements and a class 0-2, written as people write them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 4)).round(4)
    y = rng.integers(0, 3, rows)
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write("a,b,c,d,label\n")
        np.savetxt(file, np.column_stack([X, y]), fmt=["%.4f"] * 4 + ["%d"], delimiter=",")
    return path


def measure(path: Path, repeats: int) -> None:
    floor = median_seconds(lambda: np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2), repeats)
    ours = median_seconds(lambda: read_csv(path), repeats)
    size = path.stat().st_size / 2**20
    print(f"{path.name:>16} ({size:6.1f} MiB): read_csv {1000 * ours:8.1f} ms, "
          f"np.loadtxt {1000 * floor:8.1f} ms, ratio {ours / floor:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows and fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    with resources.as_file(resources.files("graphviz_nn.assets") / "datasets" / "digits.csv") as digits:
        measure(Path(digits), repeats)
    with tempfile.TemporaryDirectory(prefix="graphviz-nn-bench-") as folder:
        rows = 100_000 if args.quick else 1_000_000
        measure(generated(Path(folder) / f"rows-{rows}.csv", rows), 1 if rows > 100_000 else repeats)


if __name__ == "__main__":
    main()
