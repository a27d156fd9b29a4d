"""The inspector never asks for more width than its dock has: at every step of every gallery
example's backward pass, with the inspector the size a projector's 1280 x 720 window gives it,
nothing in it is wider than the room it is shown in, so no line is cut at the right (a row of
eight numbers made it 846 pixels wide in a 426-pixel dock). The playback controller steps the
pass and fills the inspector, on a window model with no window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint

from graphviz_nn.gui.docks.array_view import ArrayView
from graphviz_nn.session import EXAMPLES
from tests.gui.controller_kit import (INSPECTOR_ON_A_PROJECTOR, actions, model, on_screen,  # noqa: F401
                                      playback_controller, shown, view)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_no_step_widens_the_inspector_past_its_dock(qtbot, model, view, actions, layout_worker, example: str) -> None:
    playback = playback_controller(qtbot, model, view, actions)
    inspector = on_screen(qtbot, playback.inspector, INSPECTOR_ON_A_PROJECTOR)
    shown(qtbot, model, view, layout_worker, example)
    playback.set_phase("backward")
    scroll = inspector._scroll
    last = model.cursor.last
    for position in sorted({0, last // 3, last // 2, (2 * last) // 3, last}):
        playback.seek(position)
        qtbot.waitUntil(lambda: not view.building, timeout=10000)
        qtbot.wait(80)  # the inspector follows a step 40 ms after the graph
        assert inspector.info is not None and inspector.info.node_id == model.cursor.current.node_id
        room = scroll.viewport().width()
        asked = scroll.widget().minimumSizeHint().width()
        assert asked <= room, f"{example} step {position + 1}: the inspector asks {asked} px of {room}"
        # Once its layout has settled, it is no wider than its room, nor is any array in it.
        qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width(), timeout=3000)
        for array in scroll.widget().findChildren(ArrayView):
            if array.isVisibleTo(inspector):
                right = array.mapTo(scroll.widget(), QPoint(array.sizeHint().width(), 0)).x()
                assert right <= room, f"{example} step {position + 1}: {array.objectName()} ends at {right} of {room}"
