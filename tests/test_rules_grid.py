"""Every adjoint rule in s2sgrad.rules, checked against central finite differences over a grid.

The main tool is `sg.check_grads`, a dot-product test of the generated vector-Jacobian product
against central differences; it works for outputs of any shape, so each rule is checked on its own
(no extra reduction in between). A few cases are also checked through `sg.grad` / `sg.vjp` against
a full numeric gradient computed here, element by element.

Inputs are random (seeded from the test id, so runs repeat) and drawn inside each function's domain
and away from its kinks. Expected gradients are written by hand only for tiny conventions: ties in
max/min/maximum split evenly, abs'(0) = 0, prod with zeros, and stop_gradient.

Grids:
* unary rules:  shapes (), (2,), (3, 2), (1, 2) and Python floats;
* binary rules: every ordered pair of those (they all broadcast);
* reductions:   axis None/0/1/-1/(0, 1), keepdims True/False/omitted, on (3, 2) and (2, 3, 4),
                with constant arguments (compile-time specialized rule) and runtime arguments
                (the rule's general `else` branch);
* products, shape rules, indexing, the math module, nondifferentiable helpers, dtypes.

The input domains and the operation tables are shared with the tangent grid
(tests/test_forward_rules.py): tests/rule_cases.py; the tables here add the rows only this grid
runs.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad import d

import rule_cases
from rule_cases import (AXES, BINARY, DOT_WITH_SCALARS, IDX, KEEPDIMS, LIST_FUNCTIONS, MATH,
                        NEAR_ONE, NONZERO, POSITIONAL_AXIS, PRODUCT_SHAPES, PRODUCTS, PY, REAL,
                        REDUCERS, REDUCTION_OF_SCALARS, REDUCTION_SHAPES, RUNTIME_REDUCERS,
                        SCALAR_AND_VECTOR_SHAPES, cases, composite_terms, each,
                        function_from_source, product_shapes_id, reduction_expression, rng_for,
                        sample_all, shape_id, unspelled)

# ---------------------------------------------------------------------------------------------
# Shape grids (domains, samplers and the shared tables: tests/rule_cases.py) and the checks
# ---------------------------------------------------------------------------------------------

SHAPES: List[Any] = [(), (2,), (3, 2), (1, 2)]
SCALAR_AND_SHAPES: List[Any] = SHAPES + [PY]
SHAPE_PAIRS = list(itertools.product(SCALAR_AND_SHAPES, repeat=2))


def numeric_gradient(f: Callable, args: Sequence[Any], i: int, eps: float = 1e-6) -> Any:
    """Central-difference gradient of scalar `f` with respect to `args[i]`, element by element."""
    args = list(args)
    x = args[i]
    if isinstance(x, float):
        hi, lo = list(args), list(args)
        hi[i], lo[i] = x + eps, x - eps
        return (float(f(*hi)) - float(f(*lo))) / (2 * eps)
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(x.shape)
    for k in np.ndindex(*x.shape):
        step = np.zeros(x.shape)
        step[k] = eps
        args[i] = x + step
        hi = float(f(*args))
        args[i] = x - step
        lo = float(f(*args))
        out[k] = (hi - lo) / (2 * eps)
    return out


def all_grads(derivative: Callable, f: Callable, args: Sequence[Any]) -> Tuple[Any, ...]:
    """`derivative(f, wrt=every argument)(*args)` as a tuple of gradients.

    One argument is asked for as `wrt=0`: a one-element `wrt` tuple currently gets a bare gradient
    back (see test_grad_with_a_one_element_wrt_tuple_returns_a_tuple).
    """
    if len(args) == 1:
        result = derivative(f, wrt=0)(*args)
        return (result[0], (result[1],)) if derivative is sg.value_and_grad else (result,)
    return derivative(f, wrt=tuple(range(len(args))))(*args)


def _is_float_argument(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f")


def check(f: Callable, args: Sequence[Any]) -> None:
    """`sg.check_grads`, plus: every gradient has the shape and type of its argument.

    The dot-product test alone cannot see a gradient of the wrong shape (say, a missing
    un-broadcast): it broadcasts the gradient against the direction. So when every argument is a
    float, the gradients are also taken through `sg.vjp` and their shapes and types compared.
    """
    sg.check_grads(f, args)
    if all(_is_float_argument(a) for a in args):
        value, vjp_fn = sg.vjp(f, *args)
        grads = vjp_fn(rng_for("cotangent").standard_normal(np.shape(value)))
        for arg, g in zip(args, grads):
            if isinstance(arg, float):
                assert type(g) is float, type(g)
            else:
                assert isinstance(g, np.ndarray) and g.shape == arg.shape, np.shape(g)
                assert g.dtype == arg.dtype, g.dtype


# =============================================================================================
# Unary rules
# =============================================================================================

UNARY = rule_cases.UNARY + rule_cases.CONSTANT_POWERS


@pytest.mark.parametrize("shape", SCALAR_AND_SHAPES, ids=shape_id)
@pytest.mark.parametrize("f, domain", cases(UNARY))
def test_unary_rule(f, domain, shape, request):
    x = domain.sample(rng_for(request.node.name), shape)
    check(f, (x,))


# ---- conventions at non-smooth points (hand-checkable) --------------------------------------

ABS_SPELLINGS = [
    ("np.abs", lambda x: np.sum(np.abs(x))),
    ("np.absolute", lambda x: np.sum(np.absolute(x))),
    ("np.fabs", lambda x: np.sum(np.fabs(x))),
    ("abs", lambda x: np.sum(abs(x))),
]


@pytest.mark.parametrize("f", cases(ABS_SPELLINGS))
def test_abs_derivative_at_zero_is_zero(f):
    x = np.array([0.0, -1.5, 2.0, 0.0])
    np.testing.assert_array_equal(sg.grad(f)(x), [0.0, -1.0, 1.0, 0.0])


def test_math_fabs_derivative_at_zero_is_zero():
    df = sg.grad(lambda x: math.fabs(x))
    assert df(0.0) == 0.0
    assert df(-2.0) == -1.0
    assert df(3.0) == 1.0


# =============================================================================================
# Binary rules, over every ordered pair of shapes (and Python floats)
# =============================================================================================

@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=lambda p: f"{shape_id(p[0])}-{shape_id(p[1])}")
@pytest.mark.parametrize("f, domains, ok", cases(BINARY))
def test_binary_rule(f, domains, ok, shapes, request):
    x, y = sample_all(rng_for(request.node.name), shapes, domains, ok)
    check(f, (x, y))


WHERE_MASKS = [
    ("mask-3x2", lambda c, x, y: np.where(c, x, y), (3, 2), (3, 2), (3, 2)),
    ("mask-row-broadcast", lambda c, x, y: np.where(c, x, y), (1, 2), (3, 2), (3, 1)),
    ("mask-full-scalars", lambda c, x, y: np.where(c, x, y), (3, 2), (), (2,)),
    ("where-constant-else", lambda c, x, y: np.where(c, x * y, 0.0), (3, 2), (2,), (3, 1)),
]


@pytest.mark.parametrize("f, mask_shape, x_shape, y_shape", cases(WHERE_MASKS))
def test_where_with_a_boolean_argument(f, mask_shape, x_shape, y_shape, request):
    rng = rng_for(request.node.name)
    mask = rng.uniform(size=mask_shape) > 0.5
    x, y = REAL.sample(rng, x_shape), REAL.sample(rng, y_shape)
    check(f, (mask, x, y))


TIES = [
    ("np.maximum", lambda x, y: np.sum(np.maximum(x, y)), [1.0, 2.0, 3.0], [0.0, 2.0, 4.0],
     [1.0, 0.5, 0.0], [0.0, 0.5, 1.0]),
    ("np.fmax", lambda x, y: np.sum(np.fmax(x, y)), [1.0, 2.0, 3.0], [0.0, 2.0, 4.0],
     [1.0, 0.5, 0.0], [0.0, 0.5, 1.0]),
    ("np.minimum", lambda x, y: np.sum(np.minimum(x, y)), [1.0, 2.0, 3.0], [0.0, 2.0, 4.0],
     [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]),
    ("np.fmin", lambda x, y: np.sum(np.fmin(x, y)), [1.0, 2.0, 3.0], [0.0, 2.0, 4.0],
     [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]),
    ("np.maximum-broadcast", lambda x, y: np.sum(np.maximum(x, y)), [2.0, 2.0, 3.0], 2.0,
     [0.5, 0.5, 1.0], 1.0),
]


@pytest.mark.parametrize("f, x, y, expected_x, expected_y", cases(TIES))
def test_elementwise_extremum_ties_split_evenly(f, x, y, expected_x, expected_y):
    x = np.asarray(x)
    gx, gy = sg.grad(f, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, expected_x)
    np.testing.assert_array_equal(gy, expected_y)


# =============================================================================================
# Functions of lists of arrays: the list's adjoint has one entry per array
# =============================================================================================

@pytest.mark.parametrize("make", [row[1] for row in LIST_FUNCTIONS],
                         ids=[row[0] for row in LIST_FUNCTIONS])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=shape_id)
def test_functions_of_lists(make, shape):
    rng = rng_for("lists", shape)
    args = [rng.standard_normal(shape) for _ in range(3)]
    if shape == ():
        args = [float(a) for a in args]
    try:
        weights = rng.standard_normal(np.shape(make(*args)))
    except ValueError:
        pytest.skip("NumPy itself refuses these shapes")

    def f(a, b, c):
        return np.sum(make(a, b, c) * weights)

    check(f, args)
    grads = sg.grad(f, wrt=(0, 1, 2))(*args)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, numeric_gradient(f, args, i), rtol=1e-6, atol=1e-8)


def test_a_list_argument_gets_a_list_gradient():
    def f(xs, scale):
        return np.sum(np.stack(xs) ** 2) * scale

    xs = [np.array([1.0, 2.0]), np.array([0.5, -1.0])]
    grads = sg.grad(f)(xs, 3.0)
    assert type(grads) is list and len(grads) == 2
    for g, x in zip(grads, xs):
        np.testing.assert_allclose(g, 6.0 * x)
    as_tuple = sg.grad(f)(tuple(xs), 3.0)
    assert type(as_tuple) is tuple


# =============================================================================================
# Reductions
# =============================================================================================

def reduction_input(rng: np.random.Generator, shape: Any) -> Any:
    """Distinct values (no ties in max/min), near +-1 so products and their derivatives stay
    moderate."""
    return NEAR_ONE.sample(rng, shape)


@pytest.mark.parametrize("shape", REDUCTION_SHAPES, ids=shape_id)
@pytest.mark.parametrize("keepdims", KEEPDIMS, ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", AXES, ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("reducer", list(REDUCERS))
def test_reduction_with_constant_arguments(reducer, axis, keepdims, shape, request):
    f = function_from_source(reduction_expression(reducer, axis, keepdims))
    x = reduction_input(rng_for(request.node.name), shape)
    check(f, (x,))


@pytest.mark.parametrize("shape", REDUCTION_SHAPES, ids=shape_id)
@pytest.mark.parametrize("f", cases(POSITIONAL_AXIS))
def test_reduction_with_positional_axis(f, shape, request):
    x = reduction_input(rng_for(request.node.name), shape)
    check(f, (x,))


@pytest.mark.parametrize("shape", REDUCTION_SHAPES, ids=shape_id)
@pytest.mark.parametrize("keepdims", [True, False], ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)], ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("f", cases(RUNTIME_REDUCERS))
def test_reduction_with_runtime_axis_and_keepdims(f, axis, keepdims, shape, request):
    x = reduction_input(rng_for(request.node.name), shape)
    check(f, (x, axis, keepdims))


RUNTIME_AXIS_ONLY = [
    ("np.sum", lambda x, axis: np.sum(x, axis=axis)),
    ("np.mean", lambda x, axis: np.mean(x, axis)),
    ("np.prod", lambda x, axis: np.prod(x, axis=axis)),
    ("np.max", lambda x, axis: np.max(x, axis=axis)),
    ("x.sum", lambda x, axis: x.sum(axis)),
    ("x.mean", lambda x, axis: x.mean(axis=axis)),
    ("x.min", lambda x, axis: x.min(axis=axis)),
]


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)], ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("f", cases(RUNTIME_AXIS_ONLY))
def test_reduction_with_runtime_axis_and_default_keepdims(f, axis, request):
    x = reduction_input(rng_for(request.node.name), (2, 3, 4))
    check(f, (x, axis))


@pytest.mark.parametrize("shape", SCALAR_AND_VECTOR_SHAPES, ids=shape_id)
@pytest.mark.parametrize("f", cases(REDUCTION_OF_SCALARS))
def test_reduction_of_scalars_and_vectors(f, shape, request):
    check(f, (NONZERO.sample(rng_for(request.node.name), shape),))


PROD_WITH_ZEROS = [
    ("one-zero", lambda x: np.prod(x), [2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),
    ("two-zeros", lambda x: np.prod(x), [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]),
    ("method-one-zero", lambda x: x.prod(), [2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),
    ("axis1", lambda x: np.sum(np.prod(x, axis=1)), [[2.0, 0.0], [3.0, 4.0]],
     [[0.0, 2.0], [4.0, 3.0]]),
    ("axis0-keepdims", lambda x: np.sum(np.prod(x, axis=0, keepdims=True)),
     [[0.0, 0.0], [3.0, 4.0]], [[3.0, 4.0], [0.0, 0.0]]),
]


@pytest.mark.parametrize("f, x, expected", cases(PROD_WITH_ZEROS))
def test_prod_with_zeros(f, x, expected):
    x = np.asarray(x)
    np.testing.assert_array_equal(sg.grad(f)(x), expected)
    check(f, (x,))  # prod is a polynomial: smooth at zeros too


EXTREMUM_TIES = [
    ("np.max", lambda x: np.max(x), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),
    ("np.amax", lambda x: np.amax(x), [3.0, 3.0, 3.0, 3.0], [0.25, 0.25, 0.25, 0.25]),
    ("x.max", lambda x: x.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),
    ("np.min", lambda x: np.min(x), [-1.0, 3.0, -1.0], [0.5, 0.0, 0.5]),
    ("np.amin", lambda x: np.amin(x), [-1.0, 3.0, -1.0], [0.5, 0.0, 0.5]),
    ("x.min", lambda x: x.min(), [-1.0, 3.0, -1.0], [0.5, 0.0, 0.5]),
    ("np.max-axis1", lambda x: np.sum(np.max(x, axis=1)), [[1.0, 1.0], [2.0, 0.0]],
     [[0.5, 0.5], [1.0, 0.0]]),
    ("np.max-axis0-keepdims", lambda x: np.sum(np.max(x, axis=0, keepdims=True)),
     [[1.0, 5.0], [1.0, 0.0]], [[0.5, 1.0], [0.5, 0.0]]),
    ("x.min-axis-1", lambda x: np.sum(x.min(axis=-1)), [[4.0, 4.0, 4.0], [2.0, 0.0, 0.0]],
     [[1 / 3, 1 / 3, 1 / 3], [0.0, 0.5, 0.5]]),
]


@pytest.mark.parametrize("f, x, expected", cases(EXTREMUM_TIES))
def test_extremum_ties_split_evenly(f, x, expected):
    np.testing.assert_allclose(sg.grad(f)(np.asarray(x)), expected, rtol=0, atol=1e-15)


# =============================================================================================
# Products: @, np.matmul, np.dot, x.dot(y)
# =============================================================================================

@pytest.mark.parametrize("shapes", PRODUCT_SHAPES, ids=product_shapes_id)
@pytest.mark.parametrize("f", cases(PRODUCTS))
def test_product_rule(f, shapes, request):
    rng = rng_for(request.node.name)
    a, b = (rng.standard_normal(s) for s in shapes)
    check(f, (a, b))


@pytest.mark.parametrize("f, shape_a, shape_b", cases(DOT_WITH_SCALARS))
def test_dot_with_scalars(f, shape_a, shape_b, request):
    rng = rng_for(request.node.name)
    check(f, (REAL.sample(rng, shape_a), REAL.sample(rng, shape_b)))


# =============================================================================================
# Shape rules, copies and indexing
# =============================================================================================

SHAPE_RULES = rule_cases.SHAPE_RULES + [
    ("x.transpose((1,2,0))", lambda x: x.transpose((1, 2, 0)), (2, 3, 4)),
]


@pytest.mark.parametrize("f, shape", cases(SHAPE_RULES))
def test_shape_rule(f, shape, request):
    x = NONZERO.sample(rng_for(request.node.name), shape)
    check(f, (x,))


RUNTIME_SHAPE_ARGUMENTS = rule_cases.RUNTIME_SHAPE_ARGUMENTS + [
    ("np.reshape-order", lambda x, o: np.reshape(x, (4, 6), order=o), each("C", "F")),
    ("x.reshape-order", lambda x, o: x.reshape(6, 4, order=o), each("C", "F")),
    ("np.ravel-order", lambda x, o: np.ravel(x, o), each("C", "F")),
    ("x.flatten-order", lambda x, o: x.flatten(o), each("C", "F")),
    ("np.squeeze", lambda x, a: np.squeeze(x[:1], a), each(None, 0)),
    ("x[i]", lambda x, i: x[i], each(1, -1, slice(None, None, -1), (0, slice(1, 3)))),
]


@pytest.mark.parametrize("f, arguments", [
    pytest.param(f, arguments, id=f"{name}-{arguments}")
    for name, f, calls in RUNTIME_SHAPE_ARGUMENTS for arguments in calls])
def test_shape_rule_with_runtime_arguments(f, arguments, request):
    x = REAL.sample(rng_for(request.node.name), (2, 3, 4))
    check(f, (x,) + arguments)


def moved_elements_adjoint(x: np.ndarray, z: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The exact adjoint of any function that only moves (or repeats) x's distinct elements:
    each entry of `g` goes back to the element of x whose value sits at that place in z."""
    origin = {value: index for index, value in np.ndenumerate(x)}
    gx = np.zeros(x.shape)
    for index, value in np.ndenumerate(z):
        gx[origin[value]] += g[index]
    return gx


LAYOUTS = [  # (2, 3, 4) arrays of distinct values laid out differently in memory; the "A" and
    # "K" orders depend on the layout. `base` holds 48 distinct values.
    ("C", lambda base: base[:24].reshape(2, 3, 4)),
    ("Fortran", lambda base: np.asfortranarray(base[:24].reshape(2, 3, 4))),
    ("transposed", lambda base: base[:24].reshape(4, 3, 2).T),
    ("permuted", lambda base: base[:24].reshape(3, 4, 2).transpose(2, 0, 1)),
    ("reversed", lambda base: base[:24].reshape(2, 3, 4)[::-1, :, ::-1]),
    ("strided", lambda base: base.reshape(2, 3, 8)[..., ::2]),
]
ORDER_DEPENDENT = [
    ("np.ravel-A", lambda x: np.ravel(x, order="A")),
    ("np.ravel-K", lambda x: np.ravel(x, order="K")),
    ("np.ravel-F", lambda x: np.ravel(x, order="F")),
    ("x.ravel-A", lambda x: x.ravel("A")),
    ("x.flatten-K", lambda x: x.flatten(order="K")),
    ("x.flatten-A", lambda x: x.flatten("A")),
    ("np.reshape-A", lambda x: np.reshape(x, (4, 6), order="A")),
    ("x.reshape-A", lambda x: x.reshape(6, 4, order="A")),
    ("x.reshape-F", lambda x: x.reshape((6, 4), order="F")),
    ("np.transpose", lambda x: np.transpose(x, (1, 2, 0))),
    ("x[idx]", lambda x: x[:, IDX % 3, 1:3]),
]


@pytest.mark.parametrize("layout", cases(LAYOUTS))
@pytest.mark.parametrize("f", cases(ORDER_DEPENDENT))
def test_element_moving_rule_on_any_memory_layout(f, layout, request):
    """check_grads cannot test these: x +- eps*v has a different memory layout than x (so
    f(x +- eps*v) is a different function). Compare with the exact adjoint instead."""
    rng = rng_for(request.node.name)
    x = layout(rng.permutation(48).astype(np.float64) + 0.5)
    value, vjp_fn = sg.vjp(f, x)
    np.testing.assert_array_equal(value, f(x))
    g = rng.standard_normal(np.shape(value))
    (gx,) = vjp_fn(g)
    np.testing.assert_allclose(gx, moved_elements_adjoint(x, value, g), rtol=1e-14, atol=1e-14)


def test_repeated_fancy_indices_accumulate():
    x = np.arange(3.0)
    np.testing.assert_array_equal(sg.grad(lambda x: np.sum(x[IDX]))(x), [3.0, 1.0, 1.0])


def test_runtime_index_argument():
    x = REAL.sample(rng_for("runtime-index"), (4, 3))
    check(lambda x, i: x[i], (x, np.array([3, 0, 3, 1])))
    check(lambda x, i: x[i], (x, np.array([True, False, True, True])))
    check(lambda x, i: x[i], (x, 2))


# =============================================================================================
# Derivatives that are zero (rules/nondiff.py) composed with differentiable code
# =============================================================================================

NONDIFF = [
    ("x*np.sign(x)", lambda x: x * np.sign(x)),
    ("np.floor(x)*x", lambda x: np.floor(x) * x),
    ("np.round(x)+x", lambda x: np.round(x) + x),
    ("relu-via-comparison", lambda x: x * (x > 0.0)),
    ("np.where(np.isfinite)", lambda x: np.where(np.isfinite(x), x, 0.0)),
    ("x[np.argmax(x)]", lambda x: x[np.argmax(x)]),
    ("x[x.argmin()]", lambda x: x[x.argmin()]),
    ("x[np.argsort(x)]", lambda x: x[np.argsort(x)]),
    ("x*len(x)", lambda x: x * len(x)),
    ("x*x.shape[0]", lambda x: x * x.shape[0]),
    ("x/x.size", lambda x: x / x.size),
    ("x*np.shape(x)[0]", lambda x: x * np.shape(x)[0]),
    ("np.zeros_like(x)+x", lambda x: np.zeros_like(x) + x),
    ("np.ones_like(x)*x", lambda x: np.ones_like(x) * x),
    ("x//2.0", lambda x: (x // 2.0) * x),
]


@pytest.mark.parametrize("f", cases(NONDIFF))
def test_zero_derivative_functions_compose(f, request):
    x = np.array([0.7, -1.3, 2.4, -0.2])
    x = x + 0.01 * rng_for(request.node.name).standard_normal(x.shape)
    check(f, (x,))


def test_stop_gradient_gives_exactly_zero():
    x = REAL.sample(rng_for("stop"), (3, 2))
    g = sg.grad(lambda x: np.sum(np.tanh(sg.stop_gradient(x)) * 3.0))(x)
    np.testing.assert_array_equal(g, np.zeros((3, 2)))
    assert g.shape == x.shape and g.dtype == np.float64


def test_stop_gradient_blocks_only_its_own_path():
    x = REAL.sample(rng_for("stop-x"), (3, 2))
    y = REAL.sample(rng_for("stop-y"), (3, 2))
    # d/dx of sum(stop(x) * x) is stop(x) = x, not 2x
    np.testing.assert_array_equal(sg.grad(lambda x: np.sum(sg.stop_gradient(x) * x))(x), x)
    gx, gy = sg.grad(lambda x, y: np.sum(sg.stop_gradient(x * y) * y), wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.zeros_like(x))
    np.testing.assert_array_equal(gy, x * y)


def test_stop_gradient_on_floats():
    assert sg.grad(lambda x: math.sin(sg.stop_gradient(x)) + 0.0 * x)(0.3) == 0.0
    assert sg.grad(lambda x: sg.stop_gradient(x) * x)(1.5) == 1.5


# =============================================================================================
# The math module, on Python floats
# =============================================================================================

@pytest.mark.parametrize("point", [0, 1, 2], ids=lambda p: f"point{p}")
@pytest.mark.parametrize("f, domains", cases(MATH))
def test_math_rule(f, domains, point, request):
    rng = rng_for(request.node.name)
    args = tuple(d.sample(rng, PY) for d in domains)
    check(f, args)
    # and the full gradient, argument by argument, against our own central differences
    grads = all_grads(sg.grad, f, args)
    for i, g in enumerate(grads):
        assert type(g) is float
        np.testing.assert_allclose(g, numeric_gradient(f, args, i), rtol=1e-6, atol=1e-8)


# =============================================================================================
# sg.grad and sg.vjp against numeric gradients computed here
# =============================================================================================

def composite(W, b, x, t):
    """A small network and loss mixing many rules (tests/rule_cases.py), through a call."""
    loss, features = composite_terms(W, b, x, t)
    return loss + np.sum(features)


GRAD_CASES = [
    ("tanh-sum", lambda x: np.sum(np.tanh(x) * x), ((3, 2),)),
    ("log-mean", lambda x: np.mean(np.log(x * x + 1.0)), ((4,),)),
    ("broadcast-mul", lambda x, y: np.sum(np.sin(x * y)), ((3, 2), (1, 2))),
    ("broadcast-div-float", lambda x, y: np.sum(x / (y + 3.0)), ((3, 2), PY)),
    ("max-axis0", lambda x: np.sum(np.max(x, axis=0) ** 2), ((3, 2),)),
    ("prod-axis1", lambda x: np.sum(np.prod(x, axis=1)), ((3, 4),)),
    ("matmul", lambda a, b: np.sum(np.cos(a @ b)), ((2, 3), (3, 4))),
    ("batched-matmul", lambda a, b: np.sum((a @ b) ** 2), ((5, 2, 3), (1, 3, 4))),
    ("dot-vector", lambda a, b: np.dot(a, b) ** 2, ((3,), (3,))),
    ("fancy-index", lambda x: np.sum(x[IDX] ** 3), ((3, 2),)),
    ("transpose", lambda x: np.sum(x.transpose(2, 0, 1)[0] * np.reshape(np.arange(6.0), (2, 3))),
     ((2, 3, 4),)),
    ("float-in", lambda x, y: math.exp(x) * np.sum(np.tanh(y)), (PY, (2,))),
    ("composite", composite, ((2, 3), (3,), (4, 2), PY)),
]


@pytest.mark.parametrize("f, shapes", cases(GRAD_CASES))
def test_grad_matches_numeric_gradient(f, shapes, request):
    rng = rng_for(request.node.name)
    args = tuple(REAL.sample(rng, s) for s in shapes)
    check(f, args)
    grads = all_grads(sg.grad, f, args)
    value, grads_too = all_grads(sg.value_and_grad, f, args)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    for i, (g, g_too) in enumerate(zip(grads, grads_too)):
        assert np.shape(g) == np.shape(args[i])
        np.testing.assert_allclose(g, numeric_gradient(f, args, i), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(g_too, g, rtol=1e-14)


VJP_CASES = [
    ("broadcast-add", lambda x, y: x + y, ((3, 2), (2,))),
    ("matmul", lambda a, b: a @ b, ((5, 2, 3), (3, 4))),
    ("sum-axis", lambda x: np.sum(x, axis=(0, 2)), ((2, 3, 4),)),
    ("getitem", lambda x: x[IDX, ::-1], ((3, 2),)),
    ("softmax", lambda x: np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True), ((3, 4),)),
]


@pytest.mark.parametrize("f, shapes", cases(VJP_CASES))
def test_vjp_matches_numeric_jacobian(f, shapes, request):
    rng = rng_for(request.node.name)
    args = tuple(REAL.sample(rng, s) for s in shapes)
    value, vjp_fn = sg.vjp(f, *args)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    u = rng.standard_normal(np.shape(value))
    grads = vjp_fn(u)
    for i, g in enumerate(grads):
        expected = numeric_gradient(lambda *a: np.sum(u * f(*a)), args, i)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)


# =============================================================================================
# dtypes: float32 stays float32, Python float gives Python float
# =============================================================================================

FLOAT32_CASES = [
    ("tanh-sum", lambda x: np.sum(np.tanh(x) * x)),
    ("exp-log-mean", lambda x: np.mean(np.exp(x) + np.log(x * x + 1.0))),
    ("python-float-scale", lambda x: np.sum(2.5 * x ** 2)),
    ("max", lambda x: np.sum(np.max(x, axis=0))),
    ("prod", lambda x: np.sum(np.prod(x, axis=1))),
    ("mean-keepdims", lambda x: np.sum(x.mean(axis=1, keepdims=True) * x)),
    ("matmul", lambda x: np.sum((x @ x.T) ** 2)),
    ("index-reshape", lambda x: np.sum(np.reshape(x[IDX], -1) * x.ravel()[0])),
    ("where-maximum", lambda x: np.sum(np.where(x > 0.0, x, 0.1 * x) + np.maximum(x, 0.2))),
    ("sqrt-abs", lambda x: np.sum(np.sqrt(np.abs(x) + 1.0))),
]


@pytest.mark.parametrize("f", cases(FLOAT32_CASES))
def test_float32_in_float32_gradient_out(f, request):
    x64 = NONZERO.sample(rng_for(request.node.name), (3, 2))
    x32 = x64.astype(np.float32)
    g32 = sg.grad(f)(x32)
    assert isinstance(g32, np.ndarray) and g32.dtype == np.float32 and g32.shape == x32.shape
    expected = numeric_gradient(f, (x32.astype(np.float64),), 0)
    np.testing.assert_allclose(g32, expected, rtol=2e-4, atol=1e-5)


def test_float32_scalar_in_float32_scalar_out():
    g = sg.grad(lambda x: np.tanh(x) * x)(np.float32(0.7))
    assert type(g) is np.float32
    np.testing.assert_allclose(g, numeric_gradient(lambda x: np.tanh(x) * x, (0.7,), 0), rtol=1e-5)


PYTHON_FLOAT_CASES = [
    ("x**2", lambda x: x ** 2),
    ("np.tanh", lambda x: np.tanh(x)),
    ("math.sin*x", lambda x: math.sin(x) * x),
    ("np.sum-broadcast", lambda x: np.sum(x * np.arange(3.0))),
    ("np.maximum", lambda x: np.maximum(x, 0.0) * x),
    ("float(np.exp)", lambda x: float(np.exp(x))),
    ("abs", lambda x: abs(x) + x),
]


@pytest.mark.parametrize("f", cases(PYTHON_FLOAT_CASES))
def test_python_float_in_python_float_out(f):
    g = sg.grad(f)(0.8)
    assert type(g) is float
    np.testing.assert_allclose(g, numeric_gradient(f, (0.8,), 0), rtol=1e-6)


def test_mixed_float_and_array_gradients_keep_their_types():
    gs, gx = sg.grad(lambda s, x: np.sum(s * x ** 2), wrt=(0, 1))(1.5, np.ones(3, np.float32))
    assert type(gs) is float and gs == pytest.approx(3.0)
    assert gx.dtype == np.float32
    np.testing.assert_allclose(gx, 3.0)


# =============================================================================================
# A composition of many rules, through check_grads
# =============================================================================================

def test_composition_of_many_rules():
    rng = rng_for("composite")
    args = (rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((4, 2)), 0.4)
    check(composite, args)


def test_the_grid_covers_every_rule():
    """Every target of an adjoint rule appears in this file or in the shared tables it runs
    (tests/rule_cases.py): guards against silent gaps."""
    from s2sgrad.rules import registry

    builtin_rules = [key for key, rule in registry._adjoints.items()
                     if rule.template.__module__.startswith("s2sgrad.rules")
                     and rule.template.__module__ != "s2sgrad.rules.generated"]
    # (the rules of generated code's helpers: tests/test_generated_rules.py)
    missing = unspelled(builtin_rules, __file__)
    assert not missing, f"rules without a grid test: {missing}"


# =============================================================================================
# Regressions: bugs this grid found in the compiler (each fixed; each test guards its fix)
# =============================================================================================

# A method called on an expression (`np.tanh(x).sum()`) used to be treated as a constant.
CHAINED_METHODS = [
    ("np.tanh(x).sum()", lambda x: np.tanh(x).sum()),
    ("(x*2.0).sum()", lambda x: (x * 2.0).sum()),
    ("x.T.sum(axis=0)", lambda x: x.T.sum(axis=0)),
    ("x[0].sum()", lambda x: x[0].sum()),
    ("x.ravel().max()", lambda x: x.ravel().max()),
    ("np.max(x,axis=0).sum()", lambda x: np.max(x, axis=0).sum()),
    ("x[idx].reshape(-1)", lambda x: x[IDX].reshape(-1)),
    ("np.exp(x).transpose()", lambda x: np.exp(x).transpose()),
]


@pytest.mark.parametrize("f", cases(CHAINED_METHODS))
def test_method_on_an_expression(f, request):
    sg.check_grads(f, (REAL.sample(rng_for(request.node.name), (3, 2)),))


# wrt=(0,) used to generate code returning a bare gradient.
def test_grad_with_a_one_element_wrt_tuple_returns_a_tuple():
    grads = sg.grad(lambda x, y: x * y, wrt=(0,))(3.0, 2.0)
    assert grads == (2.0,)


LAMBDAS_IN_A_DICT = {
    "tanh": lambda x: np.tanh(x),
}


# A lambda written as a dict value on its own line used to be unparseable.
def test_lambda_written_as_a_dict_value():
    check(LAMBDAS_IN_A_DICT["tanh"], (np.ones(3),))


def _scale(x, y):
    return x * y


@sg.adjoint(_scale)
def _scale_adjoint_missing_unbroadcast(z, x, y):  # deliberately wrong for broadcast operands
    d[x] = d[z] * y
    d[y] = d[z] * x


# check_grads used to accept a gradient of the wrong shape (a missing un-broadcast).
def test_check_grads_rejects_a_gradient_of_the_wrong_shape():
    x, y = np.array([0.3, -0.7]), REAL.sample(rng_for("wrong-shape"), (3, 2))
    with pytest.raises(sg.GradientCheckError):
        sg.check_grads(lambda x, y: _scale(x, y), (x, y))
