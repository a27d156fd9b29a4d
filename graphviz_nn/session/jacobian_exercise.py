"""The forward-vs-reverse exercise: a Jacobian built one pass at a time. Qt-free.

A :class:`JacobianExercise` holds the problem (a graph, its output and the inputs to
differentiate with respect to), the mode, how many passes are done, the pass requested and
not yet finished, and the part of the Jacobian known so far. It owns the rules of moving
through the passes: "next" requests the next pass of the mode, the pass fills its column or
row when it has finished (by running it, not by copying the exact answer), and switching
mode or problem starts over. Views subscribe to its events and call its methods; they never
decide (napari's ``Dims`` with ``QtDims``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Graph, Node, Variable
from .events import Event
from .jacobian import MODES, JacobianPass, JacobianPlan

#: Relative tolerance under which the matrix built pass by pass "equals" the exact Jacobian:
#: the passes and the exact matrix run the same rules, so they differ by rounding only.
AGREEMENT = 1e-9


class JacobianExerciseEvents:
    """What a :class:`JacobianExercise` announces.

    ``problem_changed()``: a problem was set or cleared; the plans, the labels and the
    progress (started over) may all have changed. ``mode_changed(mode)``: the mode switched
    and the progress started over. ``progress_changed()``: the passes done, the pending pass
    or the known part of the Jacobian changed. ``pass_requested(JacobianPass)``: run and
    animate this pass, then call :meth:`JacobianExercise.pass_finished`.
    """

    def __init__(self) -> None:
        self.problem_changed = Event()
        self.mode_changed = Event()
        self.progress_changed = Event()
        self.pass_requested = Event()


class JacobianExercise:
    """The Jacobian of a problem, built by forward or reverse mode, pass by pass.

    Parameters
    ----------
    mode : {"forward", "reverse"}
        The mode to start in.

    Attributes
    ----------
    events : JacobianExerciseEvents
        Each change of the state announces itself here, once.
    auto_fill : bool
        When True, :meth:`request_next` finishes the pass at once after announcing
        ``pass_requested`` (standalone use and tests). When False (the default) the
        exercise waits for :meth:`pass_finished`.

    Raises
    ------
    ValueError
        An unknown mode.
    """

    def __init__(self, mode: str = "forward"):
        self.events = JacobianExerciseEvents()
        self.auto_fill = False
        self._mode = _checked(mode)
        self._plans: dict[str, JacobianPlan] = {}
        self._done = 0
        self._pending: JacobianPass | None = None
        self._known: np.ndarray = np.zeros((0, 0))

    # --- the problem ----------------------------------------------------------------------
    def set_problem(self, graph: Graph, output: Node, inputs: Sequence[Variable]) -> None:
        """Build d(output)/d(inputs) pass by pass: plan both modes and start over.

        Call again after a variable's value changed: the plans hold the Jacobian at the
        values they were built with. Emits ``problem_changed`` once.

        Raises
        ------
        GraphError
            An output that is not part of ``graph``.
        """
        self._plans = {mode: JacobianPlan(graph, output, inputs, mode) for mode in MODES}
        self._start_over()
        self.events.problem_changed.emit()

    def clear(self) -> None:
        """No problem (an example without inputs to differentiate). Emits ``problem_changed``
        when there was one."""
        if not self._plans:
            return
        self._plans = {}
        self._start_over()
        self.events.problem_changed.emit()

    # --- state ----------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """"forward" or "reverse". Assigning another mode starts over and emits
        ``mode_changed(mode)``; assigning the same one does nothing.

        Raises
        ------
        ValueError
            An unknown mode.
        """
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if _checked(mode) == self._mode:
            return
        self._mode = mode
        self._start_over()
        self.events.mode_changed.emit(mode)

    @property
    def current_plan(self) -> JacobianPlan | None:
        """The plan of the current mode, None without a problem."""
        return self._plans.get(self._mode)

    def plan(self, mode: str) -> JacobianPlan | None:
        """The plan of either mode, None without a problem."""
        return self._plans.get(mode)

    @property
    def passes_done(self) -> int:
        """How many passes of the current mode have filled their column or row."""
        return self._done

    @property
    def pending(self) -> JacobianPass | None:
        """The pass requested and not yet finished."""
        return self._pending

    @property
    def known(self) -> np.ndarray:
        """The m x n Jacobian as filled in so far, NaN where no pass has reached yet
        (a read-only view; 0 x 0 without a problem)."""
        view = self._known.view()
        view.flags.writeable = False
        return view

    @property
    def complete(self) -> bool:
        """Every pass of the current mode has filled its column or row."""
        plan = self.current_plan
        return plan is not None and self._done >= len(plan.passes)

    @property
    def next_pass(self) -> JacobianPass | None:
        """The pass after those done (the pending one while it runs), None when complete or
        without a problem: the column or row being built."""
        plan = self.current_plan
        if plan is None or self.complete:
            return None
        return plan.passes[self._done]

    @property
    def can_request(self) -> bool:
        """Whether :meth:`request_next` would request a pass: a problem with passes left
        and none pending."""
        return self.next_pass is not None and self._pending is None

    @property
    def can_reset(self) -> bool:
        """Whether :meth:`reset` would change anything: a pass done or pending."""
        return self._done > 0 or self._pending is not None

    @property
    def error(self) -> float:
        """The largest absolute difference between the columns or rows filled so far and
        the exact Jacobian's (0.0 when none is; NaN when a pass gave NaN)."""
        plan = self.current_plan
        if plan is None:
            return 0.0
        filled = np.s_[:, : self._done] if plan.mode == "forward" else np.s_[: self._done, :]
        difference = np.abs(self._known[filled] - plan.exact[filled])
        return float(np.max(difference)) if difference.size else 0.0

    @property
    def agrees(self) -> bool:
        """Complete, and equal to the exact Jacobian up to rounding (:data:`AGREEMENT`
        relative to its largest entry, or to 1)."""
        plan = self.current_plan
        if not self.complete:
            return False
        scale = max(1.0, float(np.max(np.abs(plan.exact)))) if plan.exact.size else 1.0
        return self.error <= AGREEMENT * scale

    # --- moving through the passes -----------------------------------------------------------
    def request_next(self) -> JacobianPass | None:
        """Ask for the next pass: it becomes pending (``progress_changed``), then
        ``pass_requested(pass)`` is emitted; with :attr:`auto_fill` it is finished at once.

        Returns
        -------
        JacobianPass or None
            The pass requested; None when there is nothing to request (no problem, a pass
            pending, or the matrix complete), and nothing is emitted.
        """
        if not self.can_request:
            return None
        requested = self._pending = self.next_pass
        self.events.progress_changed.emit()
        self.events.pass_requested.emit(requested)
        if self.auto_fill:
            self.pass_finished(requested)
        return requested

    def pass_finished(self, finished: JacobianPass | None = None) -> bool:
        """The pending pass has been animated to its end: run it and fill its column or row.

        Parameters
        ----------
        finished : JacobianPass, optional
            The pass that finished. A pass that is not the pending one (from before a mode
            switch, a reset or a new problem) is ignored. None: the pending pass, whichever.

        Returns
        -------
        bool
            True when a column or row was filled (and ``progress_changed`` emitted); False
            when no pass was pending or ``finished`` is not the pending pass.
        """
        plan, pending = self.current_plan, self._pending
        if plan is None or pending is None or (finished is not None and finished is not pending):
            return False
        result = plan.result_of(pending)
        if plan.mode == "forward":
            self._known[:, pending.index] = result
        else:
            self._known[pending.index, :] = result
        self._pending = None
        self._done = pending.index + 1
        self.events.progress_changed.emit()
        return True

    def reset(self) -> None:
        """Empty the matrix and start the current mode again (forgets a pending pass)."""
        if self.can_reset:
            self._start_over()
            self.events.progress_changed.emit()

    def show_progress(self, passes_done: int) -> None:
        """Show the matrix as after the first ``passes_done`` passes (clamped to the passes
        there are), with their exact values; forgets a pending pass. Nothing without a
        problem."""
        plan = self.current_plan
        if plan is None:
            return
        done = max(0, min(int(passes_done), len(plan.passes)))
        known = plan.filled_after(done)
        if (done, None) == (self._done, self._pending) and np.array_equal(known, self._known, equal_nan=True):
            return
        self._done, self._pending, self._known = done, None, known
        self.events.progress_changed.emit()

    def _start_over(self) -> None:
        """Nothing done, nothing pending, nothing known (announced by the caller)."""
        plan = self.current_plan
        self._done, self._pending = 0, None
        self._known = plan.filled_after(0) if plan is not None else np.zeros((0, 0))

    def __repr__(self) -> str:
        plan = self.current_plan
        total = len(plan.passes) if plan is not None else 0
        return f"JacobianExercise({self._mode}, {self._done} of {total} passes, pending={self._pending is not None})"


def _checked(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    return mode
