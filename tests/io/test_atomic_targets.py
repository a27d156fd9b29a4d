"""Saving never renames over what is not a regular file: whatever the target is (nothing, a
file, a link or a chain of links to any of these, a folder, a FIFO with or without a reader, a
character device), a save either leaves the data where a shell redirection would put it or
refuses in one line, and the target's kind is the same afterwards. As root, renaming over
/dev/null replaced the device with a regular file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.io import write_atomic

POSIX = os.name == "posix"
ROOT = POSIX and os.geteuid() == 0
KINDS = ["absent", "file", "folder"] + (["fifo", "fifo_read"] if POSIX else []) + (["null_device"] if ROOT else [])


def _make(place: Path, kind: str) -> None:
    if kind == "file":
        place.write_bytes(b"before")
    elif kind == "folder":
        place.mkdir()
    elif kind.startswith("fifo"):
        os.mkfifo(place)
    elif kind == "null_device":
        os.mknod(place, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a null device of our own


def _kind(path: Path) -> int | None:
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), links=st.integers(0, 3), data=st.binary(max_size=5000))
def test_a_save_writes_where_redirection_would_or_refuses_and_keeps_the_kind(
        tmp_path_factory, kind: str, links: int, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("target")
    real = folder / "real"
    _make(real, kind)
    path = real
    for i in range(links):  # a chain of links ending at the target
        link = folder / f"link{i}"
        try:
            link.symlink_to(path)
        except OSError:
            pytest.skip("this system does not let us make symbolic links")
        path = link
    before = _kind(real)
    reader = None
    if kind == "fifo_read":  # a reader holds it open (data under the pipe's 64 KiB buffer)
        reader = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(path, data)
        outcome = "written"
    except OSError as error:
        outcome = "refused"
        assert "\n" not in str(error) and str(real) in str(error), str(error)
    received = b""
    if reader is not None:
        try:
            while chunk := os.read(reader, 65536):
                received += chunk
        except BlockingIOError:
            pass
        os.close(reader)
    after = _kind(real)
    if kind == "absent":
        assert after == stat.S_IFREG and real.read_bytes() == data and outcome == "written"
    else:
        assert after == before, f"a {kind} became {after!r}"
    if kind == "file":
        assert outcome == "written" and real.read_bytes() == data
    if kind in ("folder", "fifo"):
        assert outcome == "refused"
    if kind == "fifo_read":
        assert outcome == "written" and received == data
    if kind == "null_device":
        assert outcome == "written"
    for i in range(links):  # the links are kept, pointing where they pointed
        assert (folder / f"link{i}").is_symlink()
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_rendering_to_a_device_keeps_the_device(tmp_path: Path) -> None:
    """`graphviz-nn render "sin(x)" -o NULL --format svg` on a null device of our own (the
    same device as /dev/null): the output is written into it, the device stays a device."""
    device = tmp_path / "null"
    _make(device, "null_device")
    out = subprocess.run([sys.executable, "-m", "graphviz_nn", "render", "sin(x)", "-o", str(device),
                          "--format", "svg"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX's")
def test_a_fifo_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.gnn"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="nothing is reading from it"):
        write_atomic(fifo, b"x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_a_notebook_drawing_rendered_to_a_device_keeps_the_device(tmp_path: Path) -> None:
    import graphviz_nn as gn

    device = tmp_path / "null"
    _make(device, "null_device")
    gn.draw(gn.sin(gn.Variable(1.0, "x"))).render(directory=tmp_path / "src", outfile=device, format="svg")
    assert stat.S_ISCHR(os.stat(device).st_mode)
