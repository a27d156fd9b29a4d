"""Hostile session files: each is refused with one SessionError of one line, promptly, without
reading what it does not need and without unpacking beyond the limits."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import graphviz_nn as gn
from graphviz_nn.io import session_schema, session_writer
from graphviz_nn.io.session_file import (ARRAYS_MEMBER, JSON_MEMBER, SessionError, SessionState, load_session,
                                         save_session)
from graphviz_nn.nn import EpochRecord

from ..memory import traced_peak

MIB = 2**20


def _state() -> SessionState:
    parsed = gn.parse("sin(x1 + x2) * x3", x1=0.5, x2=-1.2, x3=2.0)
    parsed.output.name = "z"
    return SessionState(gn.Graph(parsed.output), "n5", title="small",
                        history=(EpochRecord(1, 0.5, None, None, None, (("layer 1", 0.25),), 0.1),))


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refused(path: Path, phrase: str, most_bytes: int = 200 * MIB, release=None) -> str:
    """Load ``path`` in a thread; it must raise one SessionError of one line holding ``phrase``
    after less than 2 s of the thread's own CPU time (the wall clock of a busy machine says
    little), allocating less than ``most_bytes`` on the way."""
    outcome: list[BaseException | object] = []
    cpu: list[float] = []

    def load() -> None:
        start = time.thread_time()
        try:
            outcome.append(load_session(path))
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome.append(error)
        cpu.append(time.thread_time() - start)

    tracemalloc.start()
    started = time.monotonic()
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    try:
        worker.join(10)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        if worker.is_alive() and release is not None:
            release()
    assert outcome, f"loading {path.name} still runs after 10 s"
    error = outcome[0]
    assert isinstance(error, SessionError), f"expected a SessionError, got {error!r}"
    message = str(error)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    assert phrase in message, message
    assert cpu[0] < 2, f"refused after {cpu[0]:.1f} s of work ({elapsed:.1f} s on the clock)"
    assert peak < most_bytes, f"allocated {peak / MIB:.0f} MiB on the way"
    return message


# --- compression methods --------------------------------------------------------------------


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
@pytest.mark.parametrize("member", [JSON_MEMBER, ARRAYS_MEMBER])
def test_members_compressed_other_than_stored_or_deflate_are_refused(tmp_path: Path, method: int,
                                                                     member: str) -> None:
    members = _members(save_session(tmp_path / "good.gnn", _state()))
    path = tmp_path / "packed.gnn"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=method if name == member else zipfile.ZIP_DEFLATED)
    message = _refused(path, f"{member} is compressed with method {method}")
    assert "stored or deflate" in message


def test_a_bzip2_bomb_in_the_npz_is_refused_before_it_unpacks(tmp_path: Path) -> None:
    """A few hundred bytes of bzip2 inside arrays.npz that unpack to 64 MiB at one go."""
    members = _members(save_session(tmp_path / "good.gnn", _state()))
    buffer = io.BytesIO(members[ARRAYS_MEMBER])
    with zipfile.ZipFile(buffer, "a") as npz:
        npz.writestr("trainer-0.npy", bytes(64 * MIB), compress_type=zipfile.ZIP_BZIP2)
    assert len(buffer.getvalue()) < len(members[ARRAYS_MEMBER]) + 1000
    document = json.loads(members[JSON_MEMBER])
    document["trainer"] = {"epochs_done": 0, "rng": {}, "optimiser": ["velocity"]}
    path = _write(tmp_path / "bomb.gnn", {JSON_MEMBER: json.dumps(document).encode(),
                                          ARRAYS_MEMBER: buffer.getvalue()})
    _refused(path, f"{ARRAYS_MEMBER}: trainer-0.npy is compressed with method {zipfile.ZIP_BZIP2}",
             most_bytes=32 * MIB)


# --- files that are not files ---------------------------------------------------------------


def test_a_file_of_a_gigabyte_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.gnn"
    with open(path, "wb") as handle:
        handle.truncate(2**30)  # sparse where the file system allows: no gigabyte is written
    _refused(path, "larger than any session file can be", most_bytes=16 * MIB)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="a POSIX device")
def test_a_device_is_refused_before_reading(tmp_path: Path) -> None:
    _refused(Path("/dev/zero"), "is not a regular file", most_bytes=16 * MIB)
    link = tmp_path / "zero.gnn"
    link.symlink_to("/dev/zero")
    _refused(link, "is not a regular file", most_bytes=16 * MIB)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.gnn"
    os.mkfifo(path)

    def release() -> None:  # a reader blocked in open() gets an end of file
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    _refused(path, "is not a regular file", release=release)


# --- long texts -----------------------------------------------------------------------------


def _document(tmp_path: Path) -> tuple[dict, bytes]:
    members = _members(save_session(tmp_path / "good.gnn", _state()))
    return json.loads(members[JSON_MEMBER]), members[ARRAYS_MEMBER]


LONG = "x" * 2_000_000


@pytest.mark.parametrize("where, change", [
    ("title", lambda d: d.update(title=LONG)),
    ("node n0: name", lambda d: d["graph"]["nodes"][0].update(name=LONG)),
    ("node n0: scope[0]", lambda d: d["graph"]["nodes"][0].update(scope=[LONG])),
    ("expression", lambda d: d.update(expression=LONG)),
    ("dataset", lambda d: d.update(dataset=LONG)),
    ("phase", lambda d: d.update(phase=LONG)),
    ("history[0].gradient_norms[0][0]", lambda d: d["history"][0]["gradient_norms"][0].__setitem__(0, LONG)),
    ("view.collapsed[0][0]", lambda d: d["view"].update(collapsed=[[LONG]])),
])
def test_texts_longer_than_their_limit_are_refused(tmp_path: Path, where: str, change) -> None:
    document, arrays = _document(tmp_path)
    change(document)
    path = _write(tmp_path / "long.gnn", {JSON_MEMBER: json.dumps(document).encode(), ARRAYS_MEMBER: arrays})
    message = _refused(path, f"{where} is 2000000 characters long, more than the limit of")
    assert len(message) < 400, "the message quotes the text whole"


def test_scope_paths_deeper_than_the_limit_are_refused(tmp_path: Path) -> None:
    document, arrays = _document(tmp_path)
    document["graph"]["nodes"][0]["scope"] = ["s"] * 100_000
    path = _write(tmp_path / "deep.gnn", {JSON_MEMBER: json.dumps(document).encode(), ARRAYS_MEMBER: arrays})
    _refused(path, "scope lists 100000 names, more than the limit of 64")


def test_saving_refuses_texts_a_file_could_not_be_opened_with(tmp_path: Path) -> None:
    for state in (SessionState(_state().graph, None, title=LONG),
                  SessionState(_state().graph, None, dataset=LONG)):
        with pytest.raises(ValueError, match="characters long; a session file stores at most"):
            save_session(tmp_path / "long.gnn", state)
    assert not list(tmp_path.iterdir())


def test_the_text_limits_are_constants(tmp_path: Path, monkeypatch) -> None:
    path = save_session(tmp_path / "good.gnn", SessionState(_state().graph, None, title="a" * 20,
                                                            phase="the backward pass"))
    monkeypatch.setattr(session_schema, "MAX_NAME_CHARS", 10)
    _refused(path, "phase is 17 characters long, more than the limit of 10")
    monkeypatch.setattr(session_schema, "MAX_NAME_CHARS", 1000)
    monkeypatch.setattr(session_schema, "MAX_TEXT_CHARS", 10)
    _refused(path, "title is 20 characters long, more than the limit of 10")


# --- memory ---------------------------------------------------------------------------------


def _out_of_memory(*args, **kwargs):
    raise MemoryError


@pytest.mark.parametrize("module, name", [
    (json, "loads"),
    (zipfile, "ZipFile"),
    ("graphviz_nn.io.bounded_archive.ArrayReader", "_values"),
    ("graphviz_nn.io.session_graph", "Graph"),
])
def test_running_out_of_memory_says_so_in_one_line(tmp_path: Path, monkeypatch, module, name) -> None:
    path = save_session(tmp_path / "good.gnn", _state())
    if isinstance(module, str):
        monkeypatch.setattr(f"{module}.{name}", _out_of_memory)
    else:
        monkeypatch.setattr(module, name, _out_of_memory)
    with pytest.raises(SessionError, match=re.escape(f"{path}: the file needs more memory than")) as caught:
        load_session(path)
    assert "\n" not in str(caught.value)


# --- archives -------------------------------------------------------------------------------


def test_an_archive_listing_more_entries_than_a_session_has_is_refused(tmp_path: Path) -> None:
    members = _members(save_session(tmp_path / "good.gnn", _state()))
    members.update({f"padding {i}.txt": b"" for i in range(100)})
    _refused(_write(tmp_path / "crowded.gnn", members), "more entries than any session file has")


def test_a_zip64_directory_claiming_a_huge_size_is_refused(tmp_path: Path) -> None:
    data = (save_session(tmp_path / "good.gnn", _state())).read_bytes()
    end = data.rindex(b"PK\x05\x06")
    record = b"PK\x06\x06" + struct.pack("<qhhiiqqqq", 44, 45, 45, 0, 0, 2, 2, 2**40, 0)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, end, 1)
    path = tmp_path / "zip64.gnn"
    path.write_bytes(data[:end] + record + locator + data[end:])
    _refused(path, f"its directory of {2**40} bytes lists more entries than any session file has")


def _stored(tmp_path: Path, monkeypatch, leaf: np.ndarray) -> Path:
    monkeypatch.setattr(session_writer, "STORE_ARRAYS_FROM", 0)
    x = gn.Variable(leaf, "x")
    return save_session(tmp_path / "stored.gnn", SessionState(gn.Graph(gn.sum(x)), None))


def test_large_arrays_are_read_in_place_without_a_copy(tmp_path: Path, monkeypatch) -> None:
    leaf = np.random.default_rng(0).normal(size=2**23)  # 64 MiB
    path = _stored(tmp_path, monkeypatch, leaf)
    del leaf
    state, peak = traced_peak(lambda: load_session(path))
    assert state.graph.nodes[0].value.nbytes == 64 * MIB
    assert peak < 64 * MIB + 16 * MIB, f"{peak / MIB:.0f} MiB to open 64 MiB of arrays"


def _grown(data: bytes, at: int) -> bytes:
    """The npz's directory entry declaring a megabyte more than the file holds."""
    end = data.rindex(b"PK\x05\x06")
    entry = struct.unpack_from("<L", data, end + 16)[0]  # the outer directory's offset
    while struct.unpack_from("<L", data, entry + 42)[0] != at:  # the entry of the member at ``at``
        entry += 46 + sum(struct.unpack_from("<3H", data, entry + 28))
    size = struct.unpack_from("<L", data, entry + 20)[0] + MIB
    return data[:entry + 20] + struct.pack("<2L", size, size) + data[entry + 28:]


@pytest.mark.parametrize("damage, phrase", [
    (_grown, "it runs past the end of the file"),
    (lambda data, at: data[:at] + b"XX" + data[at + 2:], "its local header is missing"),
])
def test_a_damaged_stored_npz_is_refused(tmp_path: Path, monkeypatch, damage, phrase) -> None:
    path = _stored(tmp_path, monkeypatch, np.arange(1000.0))
    with zipfile.ZipFile(path) as archive:
        at = archive.getinfo(ARRAYS_MEMBER).header_offset
    path.write_bytes(damage(path.read_bytes(), at))
    _refused(path, f"{ARRAYS_MEMBER} is damaged ({phrase}")


def test_a_deflated_npz_is_unpacked_beside_memory_past_a_few_mebibytes(tmp_path: Path, monkeypatch) -> None:
    """As files were written before large arrays were stored: 48 MiB of deflated arrays."""
    monkeypatch.setattr(session_writer, "STORE_ARRAYS_FROM", 2**60)
    leaf = np.zeros(6 * 2**20)
    leaf[::4096] = np.arange(1536.0)
    x = gn.Variable(leaf, "x")
    path = save_session(tmp_path / "deflated.gnn", SessionState(gn.Graph(gn.sum(x)), None))
    state, peak = traced_peak(lambda: load_session(path))
    assert np.array_equal(state.graph.nodes[0].value, leaf)
    assert peak < 48 * MIB + 48 * MIB, f"{peak / MIB:.0f} MiB to open 48 MiB of arrays"


def test_a_deflate_bomb_in_place_of_the_npz_costs_little_memory(tmp_path: Path) -> None:
    """Half a megabyte of file whose arrays.npz unpacks to 200 MiB of zeros."""
    members = _members(save_session(tmp_path / "good.gnn", _state()))
    path = tmp_path / "bomb.gnn"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_MEMBER, members[JSON_MEMBER])
        with archive.open(ARRAYS_MEMBER, "w") as stream:
            for _ in range(200):
                stream.write(bytes(MIB))
    assert path.stat().st_size < MIB
    _refused(path, f"{ARRAYS_MEMBER} would unpack to 209715200 bytes, more than the limit", most_bytes=64 * MIB)
