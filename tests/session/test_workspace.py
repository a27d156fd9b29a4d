"""The open document's unsaved state, without Qt."""

from __future__ import annotations

from pathlib import Path

from graphviz_nn.session.workspace import Workspace


def test_a_fresh_document_holds_nothing_unsaved_until_it_changes() -> None:
    work = Workspace()
    work.opened("scalar example")
    assert not work.unsaved and work.window_title() == "scalar example[*] — graphviz-nn"
    work.changed()
    assert work.unsaved


def test_saving_keeps_a_change_made_while_the_file_was_written() -> None:
    work = Workspace()
    work.changed()
    written = work.revision  # captured, then written in the background
    work.changed()  # an edit meanwhile
    work.saved(Path("/tmp/a.gnn"), written)
    assert work.unsaved and work.path == Path("/tmp/a.gnn")
    work.saved(Path("/tmp/a.gnn"), work.revision)
    assert not work.unsaved and work.window_title() == "a.gnn[*] — graphviz-nn"


def test_opening_or_discarding_forgets_the_changes() -> None:
    work = Workspace()
    work.changed()
    work.discard()
    assert not work.unsaved
    work.changed()
    work.opened("other", Path("/tmp/b.gnn"))
    assert not work.unsaved and work.path == Path("/tmp/b.gnn")
    assert Workspace().window_title() == "graphviz-nn[*]"
