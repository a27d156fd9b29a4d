"""The error log keeps whole reports, newest last, and never grows past its bound."""

from __future__ import annotations

import platform
import sys

from hypothesis import given, settings, strategies as st

from graphviz_nn.io.crash_log import HEADER, MAX_REPORT_BYTES, append_report, error_report


def _report(message: str) -> str:
    try:
        raise ValueError(message)
    except ValueError:
        return error_report(*sys.exc_info(), versions={"graphviz-nn": "9.9", "Qt": "6.x"}, thread="worker")


def test_a_report_names_the_versions_the_platform_and_the_traceback() -> None:
    report = _report("a bad value")
    assert report.startswith(HEADER)
    for line in ("graphviz-nn: 9.9", "Qt: 6.x", f"platform: {platform.platform()}", "thread: worker",
                 f"Python: {platform.python_version()}", "Traceback (most recent call last):",
                 "ValueError: a bad value"):
        assert line in report, line


def test_a_huge_report_is_cut_in_the_middle() -> None:
    report = _report("x" * (4 * MAX_REPORT_BYTES))
    assert len(report.encode()) <= MAX_REPORT_BYTES + 200 and "left out" in report
    assert report.startswith(HEADER) and report.rstrip().endswith("x")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=40), st.integers(1024, 8192))
def test_the_log_stays_bounded_and_keeps_the_newest_reports_whole(tmp_path_factory, sizes, limit) -> None:
    path = tmp_path_factory.mktemp("log") / "data" / "errors.log"
    reports = [_report(f"error {i} " + "y" * size) for i, size in enumerate(sizes)]
    for report in reports:
        append_report(path, report, limit)
        assert path.stat().st_size <= limit
    text = path.read_text(encoding="utf-8")
    if len(reports[-1].encode()) <= limit:
        assert text.endswith(reports[-1]) and text.startswith(HEADER)
        kept = text.count(HEADER)
        assert text == "".join(reports[len(reports) - kept:])  # whole reports, in order
    else:  # a single report larger than the log: its end is kept
        assert reports[-1].endswith(text)
