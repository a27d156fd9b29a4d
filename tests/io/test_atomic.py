"""Atomic writes: never a half-written file, never a read-only file replaced, links kept, no
temporary files left by killed saves, and a moment's patience where Windows needs it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.io import atomic, write_atomic


def test_a_read_only_target_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "handout.gnn"
    target.write_bytes(b"the lecturer's")
    target.chmod(0o444)
    try:
        with pytest.raises(PermissionError, match="handout.gnn is read-only") as caught:
            write_atomic(target, b"a student's")
        assert str(target) in str(caught.value)
        assert target.read_bytes() == b"the lecturer's"
        assert [p.name for p in tmp_path.iterdir()] == ["handout.gnn"]
    finally:
        target.chmod(0o644)


def test_saving_over_a_link_writes_to_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "store" / "real.gnn"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.gnn"
    try:
        link.symlink_to(real)
    except OSError:
        pytest.skip("this system does not let us make symbolic links")
    assert write_atomic(link, b"new") == link
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.gnn"]


def test_temporary_files_left_by_killed_saves_are_removed_and_nothing_else(tmp_path: Path) -> None:
    old = time.time() - 2 * atomic.STALE_SECONDS
    stale = [".a.gnn.k3x9_q2z.graphviz-nn-partial", ".other name.png.abcdefgh.graphviz-nn-partial"]
    kept = [
        ".a.gnn.freshone.graphviz-nn-partial",      # a save running now
        ".notes.graphviz-nn-partial", "a.gnn.abcdefgh.graphviz-nn-partial",
        ".a.gnn.ABCDEFGH.graphviz-nn-partial", ".a.gnn.abcdefgh.graphviz-nn-partial.bak",
        ".a.gnn.abcdefgh.tmp",  # what tempfile.mkstemp makes for any program: not ours
        "a.gnn", "keep.txt",
    ]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"x")
        if name != ".a.gnn.freshone.graphviz-nn-partial":
            os.utime(tmp_path / name, (old, old))
    (tmp_path / ".dir.gnn.abcdefgh.graphviz-nn-partial").mkdir()
    os.utime(tmp_path / ".dir.gnn.abcdefgh.graphviz-nn-partial", (old, old))
    kept.append(".dir.gnn.abcdefgh.graphviz-nn-partial")
    write_atomic(tmp_path / "a.gnn", b"saved")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)
    assert (tmp_path / "a.gnn").read_bytes() == b"saved"


@settings(max_examples=40, deadline=None)
@given(prefix=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\0"),
                      max_size=20),
       suffix=st.sampled_from([".tmp", ".part", "", ".swp", "~", ".graphviz-nn", ".partial"]),
       ours=st.booleans())
def test_the_sweep_never_deletes_another_programs_temporary_file(prefix: str, suffix: str, ours: bool) -> None:
    """Whatever another program names its temporaries (tempfile.mkstemp with any prefix and
    suffix), an old one survives a save beside it; an old one of our own is swept."""
    old = time.time() - 2 * atomic.STALE_SECONDS
    with tempfile.TemporaryDirectory() as folder:
        try:
            fd, theirs = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
        except (OSError, ValueError):
            return  # a name this file system refuses
        os.close(fd)
        os.utime(theirs, (old, old))
        mine = None
        if ours:
            fd, mine = tempfile.mkstemp(prefix=".a.gnn.", suffix=atomic.SUFFIX, dir=folder)
            os.close(fd)
            os.utime(mine, (old, old))
        write_atomic(Path(folder) / "a.gnn", b"saved")
        assert os.path.exists(theirs)
        assert mine is None or not os.path.exists(mine)


def test_a_very_long_name_still_saves(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 240 + ".gnn")
    write_atomic(target, b"saved")
    assert target.read_bytes() == b"saved"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_unwritable_folder_is_reported_by_the_target_name(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "lecture.gnn"

    def refuse(prefix: str, suffix: str, dir: str):  # what a read-only folder does to mkstemp
        raise PermissionError(13, "Permission denied", os.path.join(dir, f"{prefix}abcdefgh{suffix}"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as caught:
        write_atomic(target, b"data")
    message = str(caught.value)
    assert f"cannot save {target}" in message and ".tmp" not in message, message


def _flaky_replace(failures: int):
    calls = []
    real = os.replace

    def replace(source, target):
        calls.append(target)
        if len(calls) <= failures:
            raise PermissionError(13, "The process cannot access the file", str(target))
        real(source, target)

    return replace, calls


def test_a_target_held_for_a_moment_is_replaced_after_retrying(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "synced.gnn"
    target.write_bytes(b"old")
    replace, calls = _flaky_replace(3)
    monkeypatch.setattr(atomic, "_TRANSIENT_REPLACE_FAILURES", True)  # as on Windows
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(target, b"new")
    monkeypatch.undo()
    assert len(calls) == 4 and target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["synced.gnn"]


def test_a_target_held_for_long_fails_naming_it(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "locked.gnn"
    target.write_bytes(b"old")
    replace, calls = _flaky_replace(10**9)
    monkeypatch.setattr(atomic, "_TRANSIENT_REPLACE_FAILURES", True)
    monkeypatch.setattr(atomic, "REPLACE_PATIENCE", 0.2)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError, match=f"cannot save {target}: it cannot be replaced"):
        write_atomic(target, b"new")
    monkeypatch.undo()
    assert len(calls) > 1 and target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["locked.gnn"]


def test_elsewhere_a_refused_replace_fails_at_once(tmp_path: Path, monkeypatch) -> None:
    replace, calls = _flaky_replace(1)
    monkeypatch.setattr(atomic, "_TRANSIENT_REPLACE_FAILURES", False)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        write_atomic(tmp_path / "x.gnn", b"new")
    assert len(calls) == 1
