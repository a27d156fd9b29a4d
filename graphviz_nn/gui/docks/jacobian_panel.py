"""The "Forward vs reverse" dock: the Jacobian filling in, one pass at a time.

For f: R^n -> R^m, forward mode fills the m x n Jacobian column by column (n passes) and
reverse mode row by row (m passes). The dock draws a
:class:`~graphviz_nn.session.jacobian_exercise.JacobianExercise` it is handed, redraws at
its events, and its buttons call it: the exercise asks the window to run each pass and fills
that column or row when the window says the animation of the pass reached its end.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractButton, QButtonGroup, QDockWidget, QHBoxLayout, QLabel, QPushButton, QRadioButton, QVBoxLayout,
    QWidget,
)

from ...engine import Graph, Node, Variable
from ...session.jacobian import MODES, JacobianPass, JacobianPlan
from ...session.jacobian_exercise import JacobianExercise
from ..canvas.theme import Theme, system_theme
from .jacobian_table import MatrixTable

MODE_TEXT = {"forward": "Forward mode (columns)", "reverse": "Reverse mode (rows)"}
MAX_SHOWN = 40  # rows or columns of the Jacobian drawn as a table; a bigger one shows its corner
TEXT_WIDTH = 300  # pixels: the most a line of the panel's text asks for; longer ones wrap
LONGEST_WORD = 24  # characters: a longer name may break anywhere (a whole one widened the dock)
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BREAK = "\u200b"  # zero-width space: where a line may break, drawn as nothing


def breakable(text: str) -> str:
    """``text`` with its words of more than :data:`LONGEST_WORD` characters free to break
    between any two characters, so a wrapped label never asks for a long name's width."""
    return " ".join(_BREAK.join(word) if len(word) > LONGEST_WORD else word for word in text.split(" "))


def _space(size: int) -> str:
    """ℝ, ℝ², ℝ¹²: the space of ``size`` real numbers."""
    return "ℝ" if size == 1 else "ℝ" + str(size).translate(_SUPERSCRIPTS)


def _plural(count: int) -> str:
    return f"{count} pass" if count == 1 else f"{count} passes"


def _tinted(colour: QColor, alpha: int) -> QColor:
    tint = QColor(colour)
    tint.setAlpha(alpha)
    return tint


class _Lines(QLabel):
    """Word-wrapped text that asks for at most :data:`TEXT_WIDTH` (a plain label asks for up
    to 80 characters' width) and is as tall as its lines at the width it is given."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), TEXT_WIDTH), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = min(super().sizeHint().width(), TEXT_WIDTH)
        return QSize(width, self.heightForWidth(width))


class JacobianPanel(QDockWidget):
    """A view of a Jacobian exercise: the matrix filling in, the mode, the passes.

    Parameters
    ----------
    exercise : JacobianExercise
        The state and rules drawn here; the panel redraws at its events and its buttons
        and radio buttons call it. Never created by the panel.
    parent : QWidget, optional
    theme : Theme, optional
        Colours; the system's light or dark theme by default. Forward mode highlights with
        the tangent colour, reverse mode with the gradient colour.

    Signals
    -------
    pass_requested(JacobianPass)
        Relays the exercise's ``pass_requested`` event: the window records and animates the
        pass, e.g. with ``record(graph, p.phase, output, p.cotangent, p.seeds)``, then calls
        :meth:`pass_finished`.
    mode_changed(str)
        Relays the exercise's ``mode_changed`` event: "forward" or "reverse" (progress reset).
    """

    pass_requested = Signal(object)
    mode_changed = Signal(str)

    def __init__(self, exercise: JacobianExercise, parent: QWidget | None = None, theme: Theme | None = None):
        super().__init__("Forward vs reverse", parent)
        self.setObjectName("jacobian")
        self.exercise = exercise
        self.theme = theme if theme is not None else system_theme()
        self._call = ""

        body = QWidget(self)
        base = QFont(body.font())
        base.setPointSizeF(max(base.pointSizeF(), 9.0) * 1.3)
        body.setFont(base)

        # Every line wraps, the modes stand one above the other and the table scrolls: the
        # panel asked for 513 pixels (1,575 for the LayerNet's gradient) and a 1280-pixel
        # window with this tab in front grew past its screen.
        self._shape = _Lines(body)
        self._shape.setObjectName("jacobian_shape")
        heading = QFont(base)
        heading.setBold(True)
        self._shape.setFont(heading)

        self._mode_box = QWidget(body)
        self._mode_box.setObjectName("jacobian_mode")
        self._mode_group = QButtonGroup(self._mode_box)
        self._radios: dict[str, QRadioButton] = {}
        modes = QVBoxLayout(self._mode_box)
        modes.setContentsMargins(0, 0, 0, 0)
        for mode in MODES:
            radio = QRadioButton(MODE_TEXT[mode], self._mode_box)
            radio.setObjectName(f"jacobian_mode_{mode}")
            self._mode_group.addButton(radio)
            self._radios[mode] = radio
            modes.addWidget(radio, 0, Qt.AlignmentFlag.AlignLeft)
        self._radios[exercise.mode].setChecked(True)
        self._mode_group.buttonToggled.connect(self._on_mode_group_button_toggled)

        numbers = QFont(base)
        numbers.setPointSizeF(base.pointSizeF() * 1.2)
        self._table = MatrixTable(numbers, body)

        self._current = _Lines(body)
        self._current.setObjectName("jacobian_current")
        self._passes = _Lines(body)
        self._passes.setObjectName("jacobian_passes")

        self._next = QPushButton("Next pass", body)
        self._next.setObjectName("jacobian_next")
        self._next.setDefault(True)
        self._next.clicked.connect(self._on_next_clicked)
        self._reset = QPushButton("Reset", body)
        self._reset.setObjectName("jacobian_reset")
        self._reset.clicked.connect(self._on_reset_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self._next)
        buttons.addWidget(self._reset)
        buttons.addStretch(1)

        column = QVBoxLayout(body)
        column.setContentsMargins(10, 8, 10, 10)
        column.setSpacing(8)
        column.addWidget(self._shape)
        column.addWidget(self._mode_box)
        column.addWidget(self._table)
        column.addWidget(self._current)
        column.addWidget(self._passes)
        column.addLayout(buttons)
        column.addStretch(1)
        self.setWidget(body)

        events = exercise.events
        events.problem_changed.connect(self._on_exercise_problem_changed)
        events.mode_changed.connect(self._on_exercise_mode_changed)
        events.progress_changed.connect(self._refresh)
        events.pass_requested.connect(self.pass_requested.emit)
        self._on_exercise_problem_changed()

    # --- what the window calls: delegations to the exercise ---------------------------------
    def set_problem(self, graph: Graph, output: Node, inputs: Sequence[Variable]) -> None:
        """Show d(output)/d(inputs): :meth:`JacobianExercise.set_problem`."""
        self.exercise.set_problem(graph, output, inputs)

    def clear(self) -> None:
        """Show no problem: :meth:`JacobianExercise.clear`."""
        self.exercise.clear()

    def pass_finished(self, finished: JacobianPass | None = None) -> None:
        """The requested pass (``finished``, or whichever is pending) has been animated to its
        end: :meth:`JacobianExercise.pass_finished`."""
        self.exercise.pass_finished(finished)

    @Slot()
    def reset(self) -> None:
        """Empty the matrix and start the current mode again: :meth:`JacobianExercise.reset`."""
        self.exercise.reset()

    def show_progress(self, passes_done: int) -> None:
        """Show the matrix after the first ``passes_done`` passes: :meth:`JacobianExercise.show_progress`."""
        self.exercise.show_progress(passes_done)

    @property
    def mode(self) -> str:
        """The exercise's mode; assigning it switches the exercise's (which checks that radio)."""
        return self.exercise.mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self.exercise.mode = mode

    @property
    def auto_fill(self) -> bool:
        """The exercise's :attr:`~JacobianExercise.auto_fill`."""
        return self.exercise.auto_fill

    @auto_fill.setter
    def auto_fill(self, on: bool) -> None:
        self.exercise.auto_fill = bool(on)

    @property
    def passes_done(self) -> int:
        return self.exercise.passes_done

    @property
    def current_plan(self) -> JacobianPlan | None:
        return self.exercise.current_plan

    def plan(self, mode: str) -> JacobianPlan | None:
        return self.exercise.plan(mode)

    @property
    def pending(self) -> JacobianPass | None:
        return self.exercise.pending

    @property
    def complete(self) -> bool:
        return self.exercise.complete

    # --- slots ------------------------------------------------------------------------------
    @Slot()
    def _on_next_clicked(self) -> None:
        self.exercise.request_next()

    @Slot()
    def _on_reset_clicked(self) -> None:
        self.exercise.reset()

    @Slot(QAbstractButton, bool)
    def _on_mode_group_button_toggled(self, button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.exercise.mode = next(m for m, radio in self._radios.items() if radio is button)

    def _on_exercise_mode_changed(self, mode: str) -> None:
        self._radios[mode].setChecked(True)  # already, when the click came from here
        self._refresh()
        self.mode_changed.emit(mode)

    def _on_exercise_problem_changed(self) -> None:
        plan = self.exercise.plan("forward")
        if plan is None:
            self._call = ""
            self._table.set_labels([], [])
            self._refresh()
            return
        names = [w.name or f"input{i + 1}" for i, w in enumerate(plan.inputs)]
        out = plan.output.name or "f"
        self._call = f"jacobian({out}, [{', '.join(names)}])"
        wrt = names[0] if len(names) == 1 else f"({', '.join(names)})"
        # A table is for reading entries: past MAX_SHOWN rows or columns only the first are
        # shown (a 1 × 2048 gradient as 2048 columns took Qt over a minute to lay out).
        rows, columns = min(plan.m, MAX_SHOWN), min(plan.n, MAX_SHOWN)
        corner = "" if (rows, columns) == (plan.m, plan.n) else f"; the table shows its first {rows} × {columns} entries"
        self._shape.setText(breakable(
            f"{out}: {_space(plan.n)} → {_space(plan.m)}, so J = ∂{out}/∂{wrt} is {plan.m} × {plan.n}" + corner
        ))
        self._table.set_labels(plan.row_labels[:rows], plan.column_labels[:columns])
        self._refresh()

    # --- drawing ----------------------------------------------------------------------------
    def _highlight(self) -> QColor:
        colour = self.theme.tangent if self.exercise.mode == "forward" else self.theme.backward
        return _tinted(colour, 150 if self.exercise.pending is not None else 70)

    def _refresh(self) -> None:
        plan = self.exercise.current_plan
        self._refresh_table(plan)
        self._refresh_labels(plan)
        self._next.setEnabled(self.exercise.can_request)
        self._reset.setEnabled(self.exercise.can_reset)
        self._mode_box.setEnabled(plan is not None)

    def _refresh_table(self, plan: JacobianPlan | None) -> None:
        if plan is not None:
            building = self.exercise.next_pass
            self._table.show_known(plan, self.exercise.known, None if building is None else building.index,
                                   self._highlight())

    def _refresh_labels(self, plan: JacobianPlan | None) -> None:
        if plan is None:
            self._shape.setText("No inputs to differentiate with respect to.")
            self._current.setText("")
            self._passes.setText("Choose an example with inputs to compare forward and reverse mode.")
            return
        exercise = self.exercise
        mode, other = plan.mode.capitalize(), plan.other_mode.capitalize()
        if plan.mode == "forward":
            scalars = all(w.value.size == 1 for w in plan.inputs)
            per = "one per input" if scalars else "one per input component"
        else:
            per = "one per output" if plan.m == 1 else "one per output component"
        total = len(plan.passes)
        if exercise.complete:
            if exercise.agrees:
                verdict = f"the matrix is complete and equals {self._call}."
                self._passes.setStyleSheet("")
            else:
                verdict = f"the matrix is complete but differs from {self._call} by {exercise.error:.3g}."
                self._passes.setStyleSheet(f"color: {self.theme.bad.name()}")
            self._passes.setText(breakable(
                f"{mode} mode: {_plural(total)} ({per}); {verdict} "
                f"{other} mode would take {plan.other_passes}."
            ))
            self._current.setText("Done: every " + ("column" if plan.mode == "forward" else "row")
                                  + " is filled.")
            return
        self._passes.setStyleSheet("")
        self._passes.setText(
            f"{mode} mode: {exercise.passes_done} of {_plural(total)} ({per}). "
            f"{other} mode would take {plan.other_passes}."
        )
        if exercise.pending is not None:
            self._current.setText(breakable(f"Running pass — {exercise.pending.label} …"))
        else:
            self._current.setText(breakable(f"Next pass — {exercise.next_pass.label}"))
