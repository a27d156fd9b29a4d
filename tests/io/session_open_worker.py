"""Open session files in a process of their own and say what each cost.

Run as ``python session_open_worker.py WARM_UP PATH...``: after the imports and the opening of
``WARM_UP`` (a small valid session, so that whatever opening imports on first use counts as
the baseline), each PATH is opened twice: once measured for CPU time (``time.process_time``,
every thread of the process) and, on Linux, the growth of the process's peak resident memory
over the baseline; once under tracemalloc for the most memory Python and numpy held at once.
Prints one JSON list of ``{"path", "outcome", "cpu", "rss_growth", "traced_peak"}``;
``outcome`` is ``"loaded"``, ``"refused: <message>"`` for a SessionError, or ``"raised
<type>: <message>"``.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's graphviz_nn


def _status(field: str) -> int | None:
    """A size in bytes from Linux's /proc/self/status (VmRSS, VmHWM), None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Start Linux's peak resident memory (VmHWM) again from the present; False where it cannot.

    ``ru_maxrss`` cannot serve: it keeps the peak of the process that started this one (the
    test runner, hundreds of megabytes), as exec leaves it.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def _open(path: str) -> str:
    from graphviz_nn.io.session_file import SessionError, load_session

    try:
        load_session(path)
    except SessionError as error:
        return f"refused: {error}"
    except BaseException as error:  # noqa: BLE001 - reported, the test fails on it
        return f"raised {type(error).__name__}: {str(error)[:500]}"
    return "loaded"


def main(warm_up: str, paths: list[str]) -> list[dict]:
    _open(warm_up)
    baseline = _status("VmRSS")
    results = []
    for path in paths:
        measured = baseline is not None and _reset_peak()
        start = time.process_time()
        outcome = _open(path)
        cpu = time.process_time() - start
        peak = _status("VmHWM") if measured else None
        results.append({"path": path, "outcome": outcome, "cpu": cpu,
                        "rss_growth": None if peak is None else peak - baseline})
    for result in results:  # tracemalloc slows Python's allocations: a pass of its own
        tracemalloc.start()
        try:
            _open(result["path"])
            result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
