"""The window plays the pass the Jacobian exercise requests, and the exercise fills that
column when the animation reaches its end."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from graphviz_nn.session.jacobian_exercise import JacobianExercise


def test_a_requested_pass_is_animated_and_fills_its_column_at_the_end(open_window, qtbot) -> None:
    window = open_window("scalar")
    panel = window.jacobian
    panel.raise_()  # its tab in front
    qtbot.waitUntil(lambda: panel.current_plan is not None and panel.current_plan.graph is window.model.graph,
                    timeout=5000)
    exercise = panel.exercise
    assert isinstance(exercise, JacobianExercise)
    window.stepping.set_speed(60)  # steps a second: the pass plays in a fraction of one
    with qtbot.waitSignal(panel.pass_requested) as blocker:
        qtbot.mouseClick(panel.findChild(QPushButton, "jacobian_next"), Qt.MouseButton.LeftButton)
    requested = blocker.args[0]
    assert exercise.pending is requested and window.model.player.cursor.recording.phase == "tangent"
    qtbot.waitUntil(lambda: exercise.passes_done == 1, timeout=20000)
    assert exercise.pending is None and window.model.cursor.at_end
    plan = exercise.current_plan
    np.testing.assert_allclose(exercise.known[:, 0], plan.exact[:, 0], rtol=1e-12)
    assert np.isnan(exercise.known[:, 1:]).all()
