"""A spin box for a number a settings record holds: any whole number up to 2**63 - 1, or any
finite float, shown and read back exactly, so a run's settings survive a trip through the form."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QStyle, QStyleOptionSpinBox, QWidget

#: What may be on the way to a number while it is typed: digits, a sign, a point, an exponent.
_PARTIAL = re.compile(r"[-+]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]*)?")
#: The longest text taken: a 64-bit number is 20 characters, a float's shortest form 24.
MAX_CHARS = 32
#: Arrows round a float to this many significant digits: 0.05 + 0.005 is 0.055, not
#: 0.055000000000000005.
STEP_DIGITS = 12


class NumberBox(QAbstractSpinBox):
    """A number, typed or stepped with the arrows.

    QSpinBox holds 32-bit numbers and QDoubleSpinBox rounds to its decimals: a seed of 2**40
    showed as the box's maximum and a learning rate of 1e-5 as 0.0001, and Train trained those.
    Here the value is the Python number itself. The arrows stay within [``least``, ``most``];
    typed text may be any number, and the settings record it goes into says what it refuses.

    Parameters
    ----------
    kind : int or float
    least, most : number
        Where the arrows stop.
    step : number
        What one arrow press adds.
    special : str
        Shown in place of ``least`` (``"full batch"`` for a batch size of 0); it, or the box
        emptied, reads as ``least``.
    sample : str
        The widest text the box is sized for, besides ``least`` and ``special`` (wider
        numbers scroll within it).

    Signals
    -------
    valueChanged(object)
        The number changed (typed or stepped), as QSpinBox's.
    """

    valueChanged = Signal(object)  # noqa: N815 - Qt's name, as QSpinBox has it

    def __init__(self, kind: type, least: float, most: float, step: float, special: str = "", sample: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._kind, self._least, self._most, self._step = kind, kind(least), kind(most), kind(step)
        self._special, self._sample = special, sample
        self._value = self._least
        self.lineEdit().textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._show_value)
        self._show_value()

    # --- the value ------------------------------------------------------------------------------
    def value(self) -> int | float:
        return self._value

    def setValue(self, value: int | float) -> None:  # noqa: N802 - QSpinBox's name
        self._take(self._kind(value))
        self._show_value()

    def _take(self, value: int | float) -> None:
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)
        self.update()  # the arrows' enabled state follows the value

    def textFromValue(self, value: int | float) -> str:  # noqa: N802 - QSpinBox's name
        if self._special and value == self._least:
            return self._special
        return repr(value)  # a float's shortest text that reads back as the same float

    def valueFromText(self, text: str) -> int | float | None:  # noqa: N802 - QSpinBox's name
        """The number ``text`` says, or None when it says none (yet)."""
        text = text.strip()
        if self._special and text in (self._special, ""):  # emptied: the special value
            return self._least
        if not text or len(text) > MAX_CHARS:
            return None
        try:
            value = self._kind(text)
        except ValueError:
            return None
        return value if self._kind is int or math.isfinite(value) else None

    def _show_value(self) -> None:
        self.lineEdit().setText(self.textFromValue(self._value))

    def _on_text_edited(self, text: str) -> None:
        value = self.valueFromText(text)
        if value is not None:
            self._take(value)

    # --- QAbstractSpinBox -----------------------------------------------------------------------
    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        if self.valueFromText(text) is not None:
            return QValidator.State.Acceptable, text, pos
        partial = text.strip()
        if len(partial) <= MAX_CHARS and (_PARTIAL.fullmatch(partial) or self._special.startswith(partial)):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:  # noqa: D102 - Qt's
        return self.textFromValue(self._value)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        value = min(max(self._value + steps * self._step, self._least), self._most)
        if self._kind is float:
            value = float(f"{value:.{STEP_DIGITS}g}")
        self.setValue(value)
        self.lineEdit().selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802 - Qt's name
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._value < self._most:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self._value > self._least:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # As QSpinBox measures itself (its least value and special text, cut to 18 characters),
        # with the sample for its widest usual value: 2**63 - 1 took 165 pixels, a whole column.
        metrics = self.fontMetrics()
        texts = (self.textFromValue(self._least), self._special, self._sample)
        width = max(metrics.horizontalAdvance(t[:18] + " ") for t in texts) + 2  # 2: the cursor
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        size = QSize(width, self.lineEdit().sizeHint().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option, size, self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()
