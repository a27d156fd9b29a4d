"""JacobianExercise: the forward-vs-reverse exercise's state and rules, without Qt.

Both modes, pass by pass, build the same Jacobian as finite differences; switching mode or
problem starts over; a pass that finishes without being the pending one fills nothing; and
every change a view must draw is announced by exactly one event."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphviz_nn as gn
from graphviz_nn import Graph, Variable
from graphviz_nn.session.examples import EXAMPLES
from graphviz_nn.session.jacobian_exercise import JacobianExercise

REDRAWS = ("problem_changed", "mode_changed", "progress_changed")


def listening(exercise: JacobianExercise) -> list[tuple]:
    """Every event the exercise emits from now on, as (name, *payload)."""
    heard: list[tuple] = []
    for name in (*REDRAWS, "pass_requested"):
        getattr(exercise.events, name).connect(lambda *args, name=name: heard.append((name, *args)))
    return heard


def layer(m: int, n: int, values: list[float], order: list[int]) -> tuple[Graph, gn.Node, list[Variable]]:
    """f = tanh(W @ x + b): R^(m*n + n + 1) -> R^m, the inputs W, x, b in ``order``."""
    values = iter(values)
    W = Variable(np.array([next(values) for _ in range(m * n)]).reshape(m, n), "W")
    x = Variable(np.array([next(values) for _ in range(n)]), "x")
    b = Variable(next(values), "b")
    f = gn.tanh(W @ x + b) * gn.sin(b)
    f.name = "f"
    inputs = [W, x, b]
    return Graph(f), f, [inputs[i] for i in order]


def run_every_pass(exercise: JacobianExercise) -> np.ndarray:
    """Click "next" and finish each pass until the matrix is complete; the matrix."""
    for k in range(len(exercise.current_plan.passes)):
        assert not np.isnan(exercise.known[..., :k] if exercise.mode == "forward" else exercise.known[:k]).any()
        requested = exercise.request_next()
        assert requested is exercise.pending and requested.index == k
        assert exercise.pass_finished(requested)
    assert exercise.complete and exercise.request_next() is None
    return np.array(exercise.known)


@st.composite
def problems(draw):
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    values = draw(st.lists(st.floats(-1.5, 1.5), min_size=m * n + n + 1, max_size=m * n + n + 1))
    order = draw(st.permutations([0, 1, 2]))
    return layer(m, n, values, order)


@settings(max_examples=40, deadline=None)
@given(problem=problems())
def test_every_forward_pass_and_every_reverse_pass_build_the_finite_difference_jacobian(problem) -> None:
    graph, f, inputs = problem
    exercise = JacobianExercise()
    exercise.set_problem(graph, f, inputs)
    forward = run_every_pass(exercise)
    exercise.mode = "reverse"
    assert np.isnan(exercise.known).all()
    reverse = run_every_pass(exercise)
    np.testing.assert_allclose(forward, reverse, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(forward, gn.numeric_jacobian(f, inputs), rtol=1e-6, atol=1e-8)
    assert exercise.agrees and exercise.error <= 1e-12


@settings(max_examples=30, deadline=None)
@given(done=st.integers(0, 3), pending=st.booleans(), start=st.sampled_from(["forward", "reverse"]))
def test_switching_mode_starts_over(done, pending, start) -> None:
    built = EXAMPLES["scalar"].build()  # 3 forward passes, 1 reverse pass
    exercise = JacobianExercise(start)
    exercise.set_problem(built.graph, built.output, built.inputs)
    exercise.show_progress(done)
    if pending:
        exercise.request_next()
    heard = listening(exercise)
    exercise.mode = start  # the same mode: nothing happens
    assert heard == []
    other = "reverse" if start == "forward" else "forward"
    exercise.mode = other
    assert heard == [("mode_changed", other)]
    assert exercise.current_plan.mode == other
    assert exercise.passes_done == 0 and exercise.pending is None and not exercise.complete
    assert np.isnan(exercise.known).all() and exercise.known.shape == (1, 3)


def test_a_pass_finished_that_was_not_pending_fills_nothing() -> None:
    built = EXAMPLES["scalar"].build()
    exercise = JacobianExercise()
    exercise.set_problem(built.graph, built.output, built.inputs)
    heard = listening(exercise)
    assert not exercise.pass_finished()  # nothing requested
    first = exercise.request_next()
    exercise.mode = "reverse"  # the forward pass is forgotten while the window still plays it
    row = exercise.request_next()
    del heard[:]
    assert not exercise.pass_finished(first)  # its animation ends: not the pass pending now
    assert not exercise.pass_finished(exercise.plan("forward").passes[1])
    assert heard == [] and exercise.pending is row and exercise.passes_done == 0
    assert np.isnan(exercise.known).all()
    assert exercise.pass_finished(row)
    assert heard == [("progress_changed",)] and exercise.complete
    assert not exercise.pass_finished(row)  # finished twice: once counts
    assert heard == [("progress_changed",)]


def test_a_pass_finished_after_a_new_problem_fills_nothing() -> None:
    built = EXAMPLES["scalar"].build()
    exercise = JacobianExercise()
    exercise.set_problem(built.graph, built.output, built.inputs)
    old = exercise.request_next()
    exercise.set_problem(built.graph, built.output, built.inputs)
    exercise.request_next()
    assert not exercise.pass_finished(old) and exercise.passes_done == 0
    assert exercise.pass_finished() and exercise.passes_done == 1  # whichever is pending


ACTIONS = st.lists(st.one_of(
    st.just(("request_next",)), st.just(("pass_finished",)), st.just(("reset",)), st.just(("clear",)),
    st.tuples(st.just("mode"), st.sampled_from(["forward", "reverse"])),
    st.tuples(st.just("show_progress"), st.integers(-1, 4)),
    st.tuples(st.just("set_problem"), st.sampled_from(["scalar", "vector"])),
), max_size=25)


def snapshot(exercise: JacobianExercise) -> tuple:
    """What a view draws: the plan, mode, progress, pending pass and the known entries."""
    return (id(exercise.current_plan), exercise.mode, exercise.passes_done, id(exercise.pending),
            exercise.known.tobytes())


@settings(max_examples=60, deadline=None)
@given(actions=ACTIONS)
def test_every_change_is_announced_once_and_no_change_is_announced(actions) -> None:
    built = {key: EXAMPLES[key].build() for key in ("scalar", "vector")}
    exercise = JacobianExercise()
    heard = listening(exercise)
    for action, *args in actions:
        before = snapshot(exercise)
        del heard[:]
        if action == "mode":
            exercise.mode = args[0]
        elif action == "set_problem":
            b = built[args[0]]
            exercise.set_problem(b.graph, b.output, b.inputs)
        else:
            getattr(exercise, action)(*args)
        redraws = [h for h in heard if h[0] in REDRAWS]
        changed = snapshot(exercise) != before or action == "set_problem"  # new plans, even if equal
        assert len(redraws) == (1 if changed else 0), (action, args, heard)
        requested = [h for h in heard if h[0] == "pass_requested"]
        assert requested == ([("pass_requested", exercise.pending)] if action == "request_next" and changed else [])
        assert exercise.passes_done <= (len(exercise.current_plan.passes) if exercise.current_plan else 0)


def test_auto_fill_finishes_the_pass_it_requests() -> None:
    built = EXAMPLES["vector"].build()
    exercise = JacobianExercise()
    exercise.set_problem(built.graph, built.output, built.inputs)
    exercise.auto_fill = True
    heard = listening(exercise)
    requested = exercise.request_next()
    assert heard == [("progress_changed",), ("pass_requested", requested), ("progress_changed",)]
    assert exercise.complete and exercise.pending is None


def test_without_a_problem_nothing_moves() -> None:
    exercise = JacobianExercise()
    heard = listening(exercise)
    assert exercise.current_plan is None and exercise.known.shape == (0, 0)
    assert exercise.request_next() is None and not exercise.pass_finished()
    exercise.reset()
    exercise.show_progress(2)
    assert heard == [] and exercise.passes_done == 0 and not exercise.complete
    assert not exercise.can_request and not exercise.can_reset
    exercise.mode = "reverse"  # chosen before a problem: the problem starts in it
    built = EXAMPLES["scalar"].build()
    exercise.set_problem(built.graph, built.output, built.inputs)
    assert exercise.current_plan.mode == "reverse" and exercise.can_request
    exercise.clear()
    assert exercise.current_plan is None and heard[-1] == ("problem_changed",)


def test_an_unknown_mode_is_refused_and_changes_nothing() -> None:
    with pytest.raises(ValueError, match="mode must be 'forward' or 'reverse', not 'sideways'"):
        JacobianExercise("sideways")
    exercise = JacobianExercise()
    heard = listening(exercise)
    with pytest.raises(ValueError, match="not 'sideways'"):
        exercise.mode = "sideways"
    assert exercise.mode == "forward" and heard == []


def test_the_known_matrix_is_read_only() -> None:
    built = EXAMPLES["scalar"].build()
    exercise = JacobianExercise()
    exercise.set_problem(built.graph, built.output, built.inputs)
    with pytest.raises(ValueError):
        exercise.known[0, 0] = 1.0
    assert np.isnan(exercise.known).all()


def test_a_matrix_built_at_other_values_than_the_plans_does_not_agree() -> None:
    """The passes run at the graph's values now; the exact matrix was computed when the
    problem was set. A value changed in between shows as a difference, not as "equals"."""
    x = Variable([0.2, -0.4], "x")
    f = gn.tanh(x * x)
    f.name = "f"
    graph = Graph(f)
    exercise = JacobianExercise()
    exercise.set_problem(graph, f, [x])
    x.value = np.array([0.9, 0.3])
    graph.forward()
    run_every_pass(exercise)
    assert exercise.complete and not exercise.agrees and exercise.error > 0.1
    exercise.set_problem(graph, f, [x])
    run_every_pass(exercise)
    assert exercise.agrees
