"""The window's document without Qt: each field announces its own change, ``show`` swaps the
graph and player in one event, and a training run's lock carries onto the new player."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.player import TRAINING_LOCK, Overlay, Player
from graphviz_nn.session.playback import record
from graphviz_nn.session.preparing import Prepared
from graphviz_nn.session.window_model import FIELDS, OpenRequest, WindowModel

BUILT = EXAMPLES["scalar"].build()


def _prepared(built=BUILT, recording=None, collapsed=frozenset(), title="", expression=None) -> Prepared:
    """What a background job hands the model (no layout: nothing is drawn here)."""
    return Prepared(built, recording if recording is not None else record(built.graph, "forward"), None,
                    collapsed, title, expression)


class _Run:
    """A stand-in for the training sequence: ``training`` says whether a run is under way."""

    training = True


def _listening() -> tuple[WindowModel, list]:
    """A model and the list of every event it emits, as (event name, payload)."""
    model, heard = WindowModel(), []
    events = model.events
    for name in FIELDS:
        getattr(events, f"{name}_changed").connect(lambda value, name=name: heard.append((f"{name}_changed", value)))
    events.shown.connect(lambda shown: heard.append(("shown", shown)))
    return model, heard


class _Opaque:
    """A stand-in for a graph, player or session state: compared by identity only."""


_NAME = st.text("abcxyz_", min_size=1, max_size=4)
_VALUES = {
    "built": st.builds(_Opaque),
    "graph": st.builds(_Opaque),
    "player": st.builds(_Opaque),
    "collapsed": st.frozensets(st.tuples(_NAME), min_size=1, max_size=3),
    "title": _NAME,
    "expression_text": _NAME,
    "pending_restore": st.builds(_Opaque),
    "busy": st.just(True),
    "saving": st.just(True),
    "pinned": _NAME,
}


@pytest.mark.parametrize("name", FIELDS)
@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_assigning_a_field_emits_exactly_its_event_with_the_new_value(name: str, data) -> None:
    value = data.draw(_VALUES[name])
    model, heard = _listening()
    setattr(model, name, value)
    assert getattr(model, name) is value
    assert heard == [(f"{name}_changed", value)]
    setattr(model, name, value)  # the same value again changes nothing, so says nothing
    assert heard == [(f"{name}_changed", value)]


def test_an_equal_collapsed_set_or_text_says_nothing_but_a_new_graph_always_does() -> None:
    model, heard = _listening()
    model.collapsed = frozenset({("a",)})
    model.collapsed = frozenset({("a",)})  # equal, another object: the picture is the same
    model.expression_text = "x" + "1"
    model.expression_text = "x1"
    model.busy = True
    model.busy = False
    assert [name for name, _ in heard] == ["collapsed_changed", "expression_text_changed", "busy_changed",
                                          "busy_changed"]


def test_show_replaces_the_graph_and_player_and_emits_shown_once() -> None:
    model, heard = _listening()
    old = model.show(_prepared(title="scalar"))
    model.pinned = "n3"
    heard.clear()
    built = EXAMPLES["vector"].build()
    forward = record(built.graph, "forward")
    player = model.show(_prepared(built, forward, frozenset({("scope",)}), "vector", "x1 * x2"))
    assert heard == [("shown", model)]  # one event for the whole swap, no field's own
    assert isinstance(player, Player) and player is model.player and player is not old
    assert model.built is built and model.graph is built.graph and player.graph is built.graph
    assert player.recording("forward") is forward
    assert model.collapsed == {("scope",)} and model.title == "vector" and model.expression_text == "x1 * x2"
    assert not player.locked and player.overlay is Overlay.PLAIN
    assert model.pinned is None  # the node picked was the old graph's
    assert model.cursor is player.cursor and model.phase == "forward"


def test_a_run_under_way_locks_the_new_player_and_only_the_run_releases_it() -> None:
    run, other = _Run(), object()
    model = WindowModel(run)
    first = model.show(_prepared())
    locks: list = []
    player = model.show(_prepared())
    player.events.navigation_lock_changed.connect(locks.append)
    assert first.navigation_lock is run  # the old player keeps its own lock; the new one has the run's
    assert player.navigation_lock is run and player.overlay is Overlay.MAGNITUDE
    said: list = []
    player.events.said.connect(said.append)
    player.step_forward()
    assert player.cursor.position == -1 and said == [TRAINING_LOCK]
    player.release_navigation(other)  # not the owner: the lock stays
    assert player.locked and locks == []
    player.release_navigation(run)
    assert not player.locked and locks == [None]
    run.training = False
    assert model.show(_prepared()).navigation_lock is None  # the run is over: no lock


def test_what_controllers_ask_of_each_other_goes_through_the_model() -> None:
    """A status line, a graph wanted on screen and a changed document are model events: the
    controller asking names no other controller."""
    model = WindowModel()
    said, wanted, changed = [], [], []
    model.events.said.connect(said.append)
    model.events.open_requested.connect(wanted.append)
    model.events.document_changed.connect(lambda: changed.append(model.workspace.unsaved))
    model.say("hello")
    model.open(EXAMPLES["vector"].build, "vector", expanded=True)
    model.document_changed()
    assert said == ["hello"]
    assert wanted == [OpenRequest(EXAMPLES["vector"].build, "vector", True, None)]
    assert changed == [True]  # the workspace knew the work was unsaved when the event came
    assert model.cursor is None and model.phase is None and not model.training_running


def test_a_handler_wrapped_for_a_player_runs_only_while_that_player_is_shown() -> None:
    model, heard = WindowModel(), []
    first = model.show(_prepared())
    handler = model.while_shown(first)(heard.append)
    first.events.moved.connect(handler)
    first.step_forward()
    assert len(heard) == 1
    model.show(_prepared(EXAMPLES["vector"].build()))  # another graph: the first player is old
    first.step_forward()
    assert len(heard) == 1 and first.cursor.position == 1  # it moved, and no view heard it
