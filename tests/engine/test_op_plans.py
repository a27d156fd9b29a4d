"""Each op declares its parameters, output shape and cost; Op.plan checks untrusted calls.

A session file or typed text names an op and gives parameters: the plan must refuse what
the op does not declare (numpy keywords such as dtype or where above all), know the output
shape without computing, and bound the work before anything is allocated.
"""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pytest

from graphviz_nn import ParamError, ShapeError
from graphviz_nn.engine import Plan, registry

from ..memory import traced_peak

OPS = sorted(registry())


def _examples():
    for name in OPS:
        for k, example in enumerate(registry()[name].examples):
            yield pytest.param(name, example, id=f"{name}-{k}")


@pytest.mark.parametrize("name, example", list(_examples()))
def test_the_plan_knows_the_output_shape_without_computing(name, example, rng) -> None:
    op = registry()[name]
    plan = op.plan(example.shapes, dict(example.params))
    assert isinstance(plan, Plan)
    ans = np.asarray(op.forward(*example.sample(rng), **plan.params))
    assert plan.shape == ans.shape and plan.size == ans.size
    assert plan.flops >= 0 and plan.temporary >= plan.size


@pytest.mark.parametrize("name, example", list(_examples()))
def test_the_forward_allocates_no_more_than_the_declared_temporary(name, example, rng) -> None:
    op = registry()[name]
    # Stretch every length by 16 so the arrays dwarf numpy's own bookkeeping.
    shapes = tuple(tuple(16 * n for n in s) for s in example.shapes)
    if name == "reshape":
        shapes = example.shapes
    try:
        plan = op.plan(shapes, dict(example.params))
    except ShapeError:  # a stretched inner dimension can stop fitting (matmul, reshape)
        return
    xs = [rng.uniform(0.5, 1.5, size=s) for s in shapes]
    tracemalloc.start()
    try:
        op.forward(*xs, **plan.params)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A few arrays of the declared size at once (softmax keeps three), plus numpy's own buffer
    # for reductions and casts (numpy before 2.3 allocates it in full: 64 kB) and 4 kB of change.
    slack = 8 * np.getbufsize() + 4096
    assert peak <= 4 * 8 * plan.temporary + slack, (name, shapes, peak, plan.temporary)


def test_dot_of_broadcast_stacks_builds_no_m_n_k_temporary(rng) -> None:
    op = registry()["dot"]
    x, y = rng.standard_normal((64, 1, 256)), rng.standard_normal((64, 256))
    tracemalloc.start()
    try:
        ans = op.forward(x, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(ans, np.sum(x * y, axis=-1), rtol=1e-12, atol=1e-12)
    assert peak < 64 * 64 * 256 * 8 / 16  # the product would be 8 MB; the output is 32 kB


def test_an_8192_square_matmul_is_priced_instantly_without_computing() -> None:
    start = time.perf_counter()
    plan = registry()["matmul"].plan([(8192, 8192), (8192, 8192)])
    assert time.perf_counter() - start < 0.5
    assert plan.flops > 2 * 8192**3 // 16 and plan.shape == (8192, 8192)  # BLAS: ~16 flops a unit


def test_plans_of_huge_shapes_are_exact_integers() -> None:
    plan = registry()["mul"].plan([(2**40, 1), (1, 2**40)])
    assert plan.size == 2**80 and plan.temporary == 2**80


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("keyword", ["dtype", "out", "where", "casting", "order", "subok"])
def test_numpy_keywords_are_never_parameters(name, keyword) -> None:
    op = registry()[name]
    shapes = op.examples[0].shapes
    with pytest.raises(ParamError) as info:
        op.plan(shapes, {**op.examples[0].params, keyword: "O"})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(name) and f"unknown parameter '{keyword}'" in message


def test_pow_with_an_object_dtype_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ParamError, match=r"^pow\(\(3,\), \(\)\): unknown parameter 'dtype'; pow takes no parameters$"):
        registry()["pow"].plan([(3,), ()], {"dtype": "O"})
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("name, shapes, params, parameter, allowed", [
    ("sum", [(2, 3)], {"axis": 2}, "axis", r"an axis of the input \(-2\.\.1\)"),
    ("sum", [(2, 3)], {"axis": True}, "axis", "an axis"),
    ("sum", [(2, 3)], {"axis": 1.0}, "axis", "an axis"),
    ("sum", [(2, 3)], {"axis": "0"}, "axis", "an axis"),
    ("sum", [(2, 3)], {"axis": [0, [1]]}, "axis", "a tuple of distinct axes"),
    ("sum", [(2, 3)], {"axis": [0, -2]}, "axis", "distinct"),
    ("sum", [(2, 3)], {"axis": 2**70}, "axis", "an axis"),
    ("mean", [(2, 3)], {"keepdims": 1}, "keepdims", "true or false"),
    ("mean", [(2, 3)], {"keepdims": "yes"}, "keepdims", "true or false"),
    ("softmax", [(2, 3)], {"axis": None}, "axis", "an axis of the input"),
    ("softmax", [(2, 3)], {"axis": [0]}, "axis", "an axis of the input"),
    ("log_softmax", [()], {"axis": -1}, "axis", r"\(there is none: the input is a scalar\)"),
    ("leaky_relu", [(3,)], {"alpha": float("nan")}, "alpha", "a finite number"),
    ("leaky_relu", [(3,)], {"alpha": float("inf")}, "alpha", "a finite number"),
    ("leaky_relu", [(3,)], {"alpha": "0.1"}, "alpha", "a finite number"),
    ("leaky_relu", [(3,)], {"alpha": False}, "alpha", "a finite number"),
    ("transpose", [(2, 3)], {"axes": [0]}, "axes", "permutation of the input's 2 axes"),
    ("transpose", [(2, 3)], {"axes": [0, 2]}, "axes", "permutation"),
    ("transpose", [(2, 3)], {"axes": [1, -1]}, "axes", "permutation"),
    ("reshape", [(2, 3)], {"shape": [-1, -1]}, "shape", "one of them may be -1"),
    ("reshape", [(2, 3)], {"shape": [-3, 2]}, "shape", "lengths >= 0"),
    ("reshape", [(2, 3)], {"shape": "6"}, "shape", "lengths"),
    ("reshape", [(2, 3)], {"shape": [1] * 33}, "shape", "at most 32"),
])
def test_wrong_types_and_ranges_name_the_op_the_parameter_and_what_is_allowed(
    name, shapes, params, parameter, allowed
) -> None:
    with pytest.raises(ParamError) as info:
        registry()[name].plan(shapes, params)
    message = str(info.value)
    assert "\n" not in message and message.startswith(name)
    assert f"parameter '{parameter}' must be" in message
    assert __import__("re").search(allowed, message), message
    assert isinstance(info.value, ValueError)


def test_a_required_parameter_must_be_given() -> None:
    with pytest.raises(ParamError, match="parameter 'shape' is required"):
        registry()["reshape"].plan([(2, 3)], {})


def test_parameters_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(ParamError, match="must be a mapping"):
        registry()["sum"].plan([(2, 3)], [("axis", 0)])
    with pytest.raises(ParamError, match="unknown parameter 1"):
        registry()["sum"].plan([(2, 3)], {1: 0})


@pytest.mark.parametrize("name, shapes, params, plan_shape, params_out", [
    ("sum", [(2, 3, 4)], {"axis": [0, -1], "keepdims": True}, (1, 3, 1), {"axis": (0, -1), "keepdims": True}),
    ("mean", [(2, 3, 4)], {"axis": [-1, 0]}, (3,), {"axis": (-1, 0)}),
    ("sum", [(2, 3)], {}, (), {}),
    ("transpose", [(2, 3, 4)], {"axes": [-1, 0, 1]}, (4, 2, 3), {"axes": (-1, 0, 1)}),
    ("reshape", [(2, 3)], {"shape": [-1]}, (6,), {"shape": (-1,)}),
    ("reshape", [(2, 3)], {"shape": 6}, (6,), {"shape": (6,)}),
    ("matmul", [(5, 2, 3), (3, 4)], {}, (5, 2, 4), {}),
    ("matmul", [(3,), (2, 3, 4)], {}, (2, 4), {}),
    ("dot", [(5, 1, 3), (4, 3)], {}, (5, 4), {}),
    ("leaky_relu", [(3,)], {"alpha": 1}, (3,), {"alpha": 1.0}),
])
def test_json_values_are_read_into_what_the_forward_takes(name, shapes, params, plan_shape, params_out) -> None:
    plan = registry()[name].plan(shapes, params)
    assert plan.shape == plan_shape
    assert dict(plan.params) == params_out
    assert all(type(v) is not list for v in plan.params.values())


@pytest.mark.parametrize("name, shapes, message", [
    ("matmul", [(2, 3), (4, 5)], "inner dimensions differ"),
    ("matmul", [(2, 2, 3), (3, 3, 4)], "stacked"),
    ("dot", [(2, 3), (4, 3)], "leading dimensions"),
    ("add", [(2,), (3,)], "cannot be broadcast"),
    ("add", [(1,) * 33, ()], "at most 32 dimensions"),
    ("exp", [(-1,)], "length >= 0"),
])
def test_shapes_that_do_not_fit_are_shape_errors_before_computing(name, shapes, message) -> None:
    with pytest.raises(ShapeError, match=message):
        registry()[name].plan(shapes)


def test_every_registered_op_declares_its_parameters_and_a_shape() -> None:
    declared = {name: registry()[name].param_names for name in OPS}
    assert declared["sum"] == declared["mean"] == ("axis", "keepdims")
    assert declared["softmax"] == declared["log_softmax"] == ("axis",)
    assert declared["leaky_relu"] == ("alpha",)
    assert declared["transpose"] == ("axes",) and declared["reshape"] == ("shape",)
    for name in OPS:
        op = registry()[name]
        assert op.plannable, name
        for example in op.examples:
            assert set(example.params) <= set(op.param_names), name
    assert math.prod(registry()["matmul"].plan([(3, 4), (4,)]).shape) == 3


def test_the_gradient_of_dot_over_broadcast_stacks_builds_no_m_n_k_product(rng) -> None:
    op = registry()["dot"]
    x, y = rng.standard_normal((64, 1, 256)), rng.standard_normal((64, 256))
    g = rng.standard_normal((64, 64))
    (gx, gy), peak = traced_peak(lambda: (op.vjp[0](g, None, x, y), op.vjp[1](g, None, x, y)))
    product = np.expand_dims(g, -1) * np.broadcast_to(y, (64, 64, 256))  # 8 MB, what it avoids
    np.testing.assert_allclose(gx, product.sum(axis=1, keepdims=True), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gy, (np.expand_dims(g, -1) * x).sum(axis=0), rtol=1e-10, atol=1e-10)
    assert peak < product.nbytes / 16


def test_the_gradient_of_matmul_over_broadcast_stacks_builds_no_stacked_product(rng) -> None:
    op = registry()["matmul"]
    x, y = rng.standard_normal((64, 1, 1, 256)), rng.standard_normal((64, 256, 1))
    g = rng.standard_normal((64, 64, 1, 1))
    (gx, gy), peak = traced_peak(lambda: (op.vjp[0](g, None, x, y), op.vjp[1](g, None, x, y)))
    stacked = g @ np.swapaxes(y, -1, -2)  # (64, 64, 1, 256): 8 MB, what the rule avoids
    np.testing.assert_allclose(gx, stacked.sum(axis=1, keepdims=True), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gy, (np.swapaxes(x, -1, -2) @ g).sum(axis=0), rtol=1e-10, atol=1e-10)
    assert peak < stacked.nbytes / 16
