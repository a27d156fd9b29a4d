"""A dataset path is read safely: the system's folders and what is not a regular file are
refused without being opened, nothing waits on opening, and reading stops on Cancel or
past its deadline within one chunk."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn.nn import datasets as D
from graphviz_nn.nn.datasets import source

POSIX = os.name == "posix"


def _table(path: Path, rows: int) -> Path:
    path.write_text("a,b,label\n" + "".join(f"{i % 7}.25,{i % 5},{i % 2}\n" for i in range(rows)))
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and /sys as Linux lays them out")
@pytest.mark.parametrize("name", ["/proc/kmsg", "/proc/self/status", "/sys/kernel/mm", "/dev/zero", "/dev/urandom"])
def test_the_systems_folders_are_refused_without_opening_anything(name) -> None:
    why = D.refusal(name)  # only looked up: /proc/kmsg would wait for the kernel, as root
    assert why is not None and why.startswith(name)
    assert why.endswith(f": a file of the system (/{name.split('/')[1]}), not data: give a CSV file")
    assert "\n" not in why


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc as Linux lays it out")
def test_a_link_into_proc_is_refused_naming_both(tmp_path) -> None:
    link = tmp_path / "status.csv"
    link.symlink_to("/proc/self/status")  # a regular file of size 0, read without waiting
    with pytest.raises(D.DatasetError, match=rf"^{link} \(which is /proc/\d+/status\): a file of the system"):
        D.read_csv(link)
    with pytest.raises(D.DatasetError, match="a file of the system"):
        D.load(str(link))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_opening_never_waits_even_for_a_pipe_swapped_in_after_the_check(tmp_path, monkeypatch) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    monkeypatch.setattr(source, "refusal", lambda path: None)  # as if it changed after the check
    outcome: list[BaseException] = []
    opener = threading.Thread(target=lambda: _catch(outcome, fifo), daemon=True)
    opener.start()
    opener.join(10)  # a blocking open would wait here for a writer that never comes
    assert not opener.is_alive(), "opening a named pipe waited for a writer"
    assert "not a regular file but a named pipe" in str(outcome[0])


def _catch(outcome: list, path: Path) -> None:
    try:
        source.Source(path, 2**20)
    except D.DatasetError as error:
        outcome.append(error)


def test_a_cancel_stops_the_read_within_one_chunk(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(source, "CHUNK_BYTES", 4096)
    path = _table(tmp_path / "big.csv", 20_000)  # about 230 KiB: 57 chunks
    asked = []
    reads = []
    real_read = os.read
    monkeypatch.setattr(source.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 3
    with pytest.raises(D.ReadCancelled, match=rf"^{path}: reading was cancelled$"):
        D.read_csv(path, cancel=cancel)
    assert len(reads) <= 3  # nothing was read after the Cancel


def test_a_set_event_or_a_past_deadline_reads_nothing(tmp_path) -> None:
    path = _table(tmp_path / "data.csv", 100)
    stop = threading.Event()
    stop.set()
    with pytest.raises(D.ReadCancelled, match="cancelled"):
        D.load(str(path), cancel=stop)
    with pytest.raises(D.ReadCancelled, match="took too long"):
        D.read_csv(path, deadline=time.monotonic() - 1)
    data = D.read_csv(path, deadline=time.monotonic() + 60, cancel=threading.Event())
    assert len(data) == 100 and isinstance(D.ReadCancelled("x"), D.DatasetError)


def test_a_file_read_in_many_small_chunks_is_read_the_same(tmp_path, monkeypatch) -> None:
    text = ('"a";b;"la\nbel"\r\n' + "".join(f'"{i % 7},5";{i % 3};{i % 2}\r\n' for i in range(3000))
            + "ü;1;0\n")
    path = tmp_path / "small.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for chunk in (1, 2, 3, 7, 64, 4096):
        monkeypatch.setattr(source, "CHUNK_BYTES", chunk)
        with pytest.raises(D.DatasetError, match=r"line 3003, column 1 \('a'\): 'ü' is not a number"):
            D.read_csv(path)
    path.write_bytes(b"\xef\xbb\xbf" + text.rsplit("ü", 1)[0].encode("utf-8"))
    whole = None
    for chunk in (1, 3, 64, 4096, 2**16):
        monkeypatch.setattr(source, "CHUNK_BYTES", chunk)
        data = D.read_csv(path)
        assert data.feature_names == ("a", "b") and len(data) == 3000
        if whole is not None:
            np.testing.assert_array_equal(data.X, whole.X)
            np.testing.assert_array_equal(data.y, whole.y)
        whole = data
    np.testing.assert_array_equal(whole.X[:3], [[0.5, 0], [1.5, 1], [2.5, 2]])


def test_a_byte_that_is_not_utf8_is_named_by_its_line_across_chunks(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(source, "CHUNK_BYTES", 5)
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,label\n1,0\n2,1\n\xe9,0\n")
    with pytest.raises(D.DatasetError, match=r"line 4: not UTF-8 text \(byte 0xe9\)"):
        D.read_csv(path)
