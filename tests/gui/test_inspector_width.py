"""The inspector never asks for more width than its dock has: at every step of every gallery
example's backward pass, at a projector's 1280 x 720, nothing in it is wider than the room it
is shown in, so no line is cut at the right (a row of eight numbers made it 846 pixels wide in
a 426-pixel dock)."""

from __future__ import annotations

import pytest

from graphviz_nn.session import EXAMPLES

from .conftest import ready


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_no_step_widens_the_inspector_past_its_dock(open_window, qtbot, example: str) -> None:
    window = open_window(example, size=(1280, 720))
    window.inspector.raise_()
    window.stepping.set_phase("backward")
    scroll = window.inspector._scroll
    last = window.model.cursor.last
    for position in sorted({0, last // 3, last // 2, (2 * last) // 3, last}):
        window.stepping.seek(position)
        qtbot.waitUntil(lambda: ready(window), timeout=10000)
        qtbot.wait(80)  # the inspector follows a step 40 ms after the graph
        room = scroll.viewport().width()
        asked = scroll.widget().minimumSizeHint().width()
        assert asked <= room, f"{example} step {position + 1}: the inspector asks {asked} px of {room}"
        # Once its layout has settled, it is no wider than its room.
        qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width(), timeout=3000)
