"""Every tangent (forward-mode) rule in s2sgrad.rules, checked over a grid of shapes and spellings.

For each case `check_jvp` draws a random direction `v` for the differentiated arguments and checks
the tangent `sg.jvp(f, args, v)` returns
  (1) against central finite differences of f along v,
  (2) against reverse mode: <u, jvp(v)> == <vjp(u), v> for a random cotangent u (an identity that
      holds to rounding, also at ties and kinks, as long as both modes follow the same convention),
  (3) for its shape: the tangent the generated code computes (before `jvp` converts it to the
      value's type) has the value's shape, which the finite differences cannot see when a rule
      forgets to broadcast.

Inputs are random (seeded from the test id), inside each function's domain and away from its
kinks and ties; dedicated tests pin the conventions at ties and kinks (max/min average tied
tangents, maximum/minimum split ties evenly, abs'(0) = 0, clip passes x's tangent at a bound,
prod with zeros).

Binary rules are checked with both operands differentiated and with each one alone (the rules
simplify zero tangents away at compile time, and a constant operand may broadcast the other's
tangent), on broadcasting shape pairs and Python floats.

The input domains and the operation tables are shared with the adjoint grid
(tests/test_rules_grid.py): tests/rule_cases.py; the tables here add the rows only this grid runs.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.rules import differentiated
from s2sgrad import api

import rule_cases
from rule_cases import (AXES, DOT_WITH_SCALARS, KEEPDIMS, MATH, NEAR_ONE, NONZERO, POSITIVE,
                        PRODUCT_SHAPES, PRODUCTS, PY, REAL, REDUCERS, REDUCTION_SHAPES,
                        RUNTIME_REDUCERS, SCALAR_AND_VECTOR_SHAPES, Domain, away_from_jumps, cases,
                        composite_terms, each, function_from_source, product_shapes_id,
                        reduction_expression, rng_for, sample_all, shape_id, uniform,
                        unspelled)

# ---------------------------------------------------------------------------------------------
# Shape grids (domains, samplers and the shared tables: tests/rule_cases.py)
# ---------------------------------------------------------------------------------------------

SHAPES: List[Any] = [(), (3,), (2, 3), PY]
SHAPE_PAIRS: List[Tuple[Any, Any]] = [
    ((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)),
    ((), (2, 3)), ((2, 3), ()), (PY, (2, 3)), ((3,), PY), (PY, PY),
]
BOTH, FIRST, SECOND = "both", "first", "second"   # which operands of a binary op carry tangents
WHICH = {BOTH: (0, 1), FIRST: (0,), SECOND: (1,)}
MOD_SMOOTH = Domain("mod_smooth", uniform(0.2, 1.3))  # x % 1.5 and 1.5 % x: no jumps


# ---------------------------------------------------------------------------------------------
# The check: finite differences, reverse mode, shape
# ---------------------------------------------------------------------------------------------

def _is_float(value: Any) -> bool:
    if type(value) is list or type(value) is tuple:
        return len(value) > 0 and all(_is_float(v) for v in value)
    return isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f")


def _random_like(rng: np.random.Generator, value: Any) -> Any:
    if type(value) is list or type(value) is tuple:
        return type(value)(_random_like(rng, v) for v in value)
    if isinstance(value, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value)).astype(value.dtype)


def _moved(value: Any, direction: Any, step: float) -> Any:
    """value + step * direction, keeping the array's memory layout (ravel "K" and "A" read it)."""
    if type(value) is list or type(value) is tuple:
        return type(value)(_moved(v, t, step) for v, t in zip(value, direction))
    if isinstance(value, float):
        return value + step * direction
    out = np.empty_like(value)
    np.add(value, step * np.asarray(direction), out=out)
    return out


def _dot(a: Any, b: Any) -> float:
    if type(a) is list or type(a) is tuple:
        return sum(_dot(p, q) for p, q in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def _shapes(value: Any) -> Any:
    if type(value) is list or type(value) is tuple:
        return [_shapes(v) for v in value]
    return np.shape(value)


def jvp_with_raw_tangent(f: Callable, args: Sequence[Any], tangents: Sequence[Any],
                         monkeypatch: pytest.MonkeyPatch) -> Tuple[Any, Any, Any]:
    """`sg.jvp(f, args, tangents)`, plus the tangent as the generated code returned it (before
    `jvp` gives it the value's type and shape, which would hide a tangent of the wrong shape)."""
    seen: List[Any] = []
    finish = api._tangent_like

    def record(tangent: Any, value: Any) -> Any:
        seen.append(tangent)
        return finish(tangent, value)

    monkeypatch.setattr(api, "_tangent_like", record)
    value, tangent = sg.jvp(f, args, tangents)
    monkeypatch.setattr(api, "_tangent_like", finish)
    assert len(seen) == 1
    return value, tangent, seen[0]


def reverse_gradients(f: Callable, args: Sequence[Any], wrt: Sequence[int], u: Any) -> List[Any]:
    """The vector-Jacobian product of cotangent u, for the arguments `wrt`: through `sg.vjp`
    when every argument is a float; otherwise (an axis, a mask, ...) through the same
    generated functions with only `wrt` differentiated."""
    if all(_is_float(a) for a in args):
        _, vjp_fn = sg.vjp(f, *args)
        grads = vjp_fn(u)
        return [grads[i] for i in wrt]
    derived = api.Derived(f, tuple(wrt), "vjp")
    forward, backward = derived.functions_for(tuple(args), {})
    _, residuals = forward(*args)
    return list(backward(*residuals, u))


def check_jvp(f: Callable, args: Sequence[Any], monkeypatch: pytest.MonkeyPatch,
              wrt: Sequence[int] = None, rng: np.random.Generator = None,
              rtol: float = 1e-5, atol: float = 1e-6) -> Any:
    """Checks (1)-(3) of the module docstring for the arguments `wrt` (default: every float
    argument) in a random direction; returns the tangent."""
    rng = rng or rng_for("direction", len(args))
    if wrt is None:
        wrt = [i for i, a in enumerate(args) if _is_float(a)]
    tangents = [_random_like(rng, a) if i in wrt else None for i, a in enumerate(args)]
    value, tangent, raw = jvp_with_raw_tangent(f, args, tangents, monkeypatch)

    np.testing.assert_allclose(value, f(*args), rtol=1e-13, atol=0)
    # (3) the shape of the tangent is the value's
    assert np.shape(raw) == np.shape(value), (np.shape(raw), np.shape(value))
    assert np.shape(tangent) == np.shape(value)
    if type(value) is float:
        assert type(tangent) is float

    # (1) central finite differences along the direction
    eps = 1e-6
    plus = [_moved(a, t, eps) if t is not None else a for a, t in zip(args, tangents)]
    minus = [_moved(a, t, -eps) if t is not None else a for a, t in zip(args, tangents)]
    numeric = (np.asarray(f(*plus), dtype=np.float64)
               - np.asarray(f(*minus), dtype=np.float64)) / (2 * eps)
    np.testing.assert_allclose(raw, numeric, rtol=rtol, atol=atol)

    # (2) consistency with reverse mode: <u, J v> == <J^T u, v>
    check_transpose(f, args, wrt, tangents, value, raw, rng)
    return tangent


def check_transpose(f: Callable, args: Sequence[Any], wrt: Sequence[int], tangents: Sequence[Any],
                    value: Any, tangent: Any, rng: np.random.Generator) -> None:
    u = rng.standard_normal(np.shape(value))
    grads = reverse_gradients(f, args, wrt, u)
    forward = _dot(u, tangent)
    reverse = sum(_dot(g, tangents[i]) for i, g in zip(wrt, grads))
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-10)


# =============================================================================================
# Unary rules
# =============================================================================================

UNARY = rule_cases.UNARY + [
    ("operator.neg", lambda x: operator.neg(x), REAL),
    ("operator.pos", lambda x: operator.pos(x), REAL),
]


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("f, domain", cases(UNARY))
def test_unary_rule(f, domain, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (domain.sample(rng, shape),), monkeypatch, rng=rng)


# A number written in the code as one operand: the rules' compile-time branches (the powers are
# shared with the adjoint grid, which runs them as unary rules).
WITH_A_CONSTANT = rule_cases.CONSTANT_POWERS + [
    ("x+2.0", lambda x: x + 2.0, REAL),
    ("2.0+x", lambda x: 2.0 + x, REAL),
    ("x-2.0", lambda x: x - 2.0, REAL),
    ("2.0-x", lambda x: 2.0 - x, REAL),
    ("x*2.0", lambda x: x * 2.0, REAL),
    ("2.0*x", lambda x: 2.0 * x, REAL),
    ("x/2.0", lambda x: x / 2.0, REAL),
    ("2.0/x", lambda x: 2.0 / x, NONZERO),
    ("x**0", lambda x: x ** 0, REAL),
    ("np.power(3.0,x)", lambda x: np.power(3.0, x), REAL),
    ("x%1.5", lambda x: x % 1.5, MOD_SMOOTH),
    ("1.5%(x+0.5)", lambda x: 1.5 % (x + 0.5), MOD_SMOOTH),
    ("np.mod(x,1.5)", lambda x: np.mod(x, 1.5), MOD_SMOOTH),
    ("np.remainder(x,1.5)", lambda x: np.remainder(x, 1.5), MOD_SMOOTH),
    ("np.maximum(x,0.1)", lambda x: np.maximum(x, 0.1), NONZERO),
    ("np.minimum(0.1,x)", lambda x: np.minimum(0.1, x), NONZERO),
    ("np.fmax(x,0.1)", lambda x: np.fmax(x, 0.1), NONZERO),
    ("np.fmin(x,0.1)", lambda x: np.fmin(x, 0.1), NONZERO),
    ("np.where(x>0.0,x,0.0)", lambda x: np.where(x > 0.0, x, 0.0), NONZERO),
    ("np.where(x>0.0,1.0,x)", lambda x: np.where(x > 0.0, 1.0, x), NONZERO),
    ("np.clip(x,-0.5,0.5)", lambda x: np.clip(x, -0.5, 0.5), NONZERO),
    ("np.clip(x,None,0.5)", lambda x: np.clip(x, None, 0.5), NONZERO),
    ("np.arctan2(x,2.0)", lambda x: np.arctan2(x, 2.0), REAL),
    ("np.arctan2(2.0,x)", lambda x: np.arctan2(2.0, x), REAL),
    ("np.hypot(x,2.0)", lambda x: np.hypot(x, 2.0), REAL),
]


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("f, domain", cases(WITH_A_CONSTANT))
def test_rule_with_a_constant_operand(f, domain, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = sample_all(rng, (shape,), (domain,), away_from_the_clip_bounds)
    check_jvp(f, args, monkeypatch, rng=rng)


def away_from_the_clip_bounds(x):
    return np.abs(np.abs(x) - 0.5) > 0.05


# =============================================================================================
# Binary rules: both operands differentiated, or one of them; broadcasting pairs and floats
# =============================================================================================

BINARY = rule_cases.BINARY + [
    ("operator.sub", lambda x, y: operator.sub(x, y), (REAL, REAL), None),
    ("operator.pow", lambda x, y: operator.pow(x, y), (POSITIVE, REAL), None),
    ("operator.mod", lambda x, y: operator.mod(x, y), (REAL, NONZERO), away_from_jumps),
]


@pytest.mark.parametrize("which", list(WHICH))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=lambda p: f"{shape_id(p[0])}-{shape_id(p[1])}")
@pytest.mark.parametrize("f, domains, ok", cases(BINARY))
def test_binary_rule(f, domains, ok, shapes, which, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = sample_all(rng, shapes, domains, ok)
    check_jvp(f, args, monkeypatch, wrt=WHICH[which], rng=rng)


WHERE_MASKS = [
    ("mask-2x3", lambda c, x, y: np.where(c, x, y), (2, 3), (2, 3), (2, 3)),
    ("mask-row-broadcast", lambda c, x, y: np.where(c, x, y), (1, 3), (2, 3), (2, 1)),
    ("mask-full-scalars", lambda c, x, y: np.where(c, x, y), (2, 3), (), (3,)),
    ("where-constant-else", lambda c, x, y: np.where(c, x * y, 0.0), (2, 3), (3,), (2, 1)),
]


@pytest.mark.parametrize("wrt", [(1, 2), (1,), (2,)], ids=["x-and-y", "x", "y"])
@pytest.mark.parametrize("f, mask_shape, x_shape, y_shape", cases(WHERE_MASKS))
def test_where_with_a_boolean_argument(f, mask_shape, x_shape, y_shape, wrt, request,
                                       monkeypatch):
    rng = rng_for(request.node.name)
    mask = rng.uniform(size=mask_shape) > 0.5
    x, y = REAL.sample(rng, x_shape), REAL.sample(rng, y_shape)
    check_jvp(f, (mask, x, y), monkeypatch, wrt=wrt, rng=rng)


# =============================================================================================
# The math module, on Python floats (scalar code)
# =============================================================================================

MATH_CASES = [pytest.param(f, domains, wrt, id=f"{name}-wrt={wrt}")
              for name, f, domains in MATH
              for wrt in [None] + (list(range(len(domains))) if len(domains) > 1 else [])]


@pytest.mark.parametrize("f, domains, wrt", MATH_CASES)
def test_math_rule(f, domains, wrt, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = tuple(d.sample(rng, PY) for d in domains)
    tangent = check_jvp(f, args, monkeypatch, wrt=None if wrt is None else (wrt,), rng=rng)
    assert type(tangent) is float


def test_math_functions_of_0d_arrays(monkeypatch):
    x = REAL.sample(rng_for("math-0d"), ())
    check_jvp(lambda x: math.sin(x) * np.tanh(x) + math.exp(x), (x,), monkeypatch)


# =============================================================================================
# Reductions: sum, mean, prod, max, min (functions and methods)
# =============================================================================================

@pytest.mark.parametrize("shape", REDUCTION_SHAPES, ids=shape_id)
@pytest.mark.parametrize("keepdims", KEEPDIMS, ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", AXES, ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("reducer", REDUCERS)
def test_reduction_with_constant_arguments(reducer, axis, keepdims, shape, request, monkeypatch):
    f = function_from_source(reduction_expression(reducer, axis, keepdims))
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, shape),), monkeypatch, rng=rng)


@pytest.mark.parametrize("keepdims", [True, False], ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, 0)], ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("f", cases(RUNTIME_REDUCERS))
def test_reduction_with_runtime_axis_and_keepdims(f, axis, keepdims, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, (2, 3, 4)), axis, keepdims), monkeypatch, rng=rng)


POSITIONAL_AXIS = rule_cases.POSITIONAL_AXIS + [
    ("np.sum(np.tanh(x)*x)", lambda x: np.sum(np.tanh(x) * x)),
]


@pytest.mark.parametrize("shape", REDUCTION_SHAPES, ids=shape_id)
@pytest.mark.parametrize("f", cases(POSITIONAL_AXIS))
def test_reduction_with_positional_axis(f, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, shape),), monkeypatch, rng=rng)


REDUCTION_OF_SCALARS = rule_cases.REDUCTION_OF_SCALARS + [
    ("np.prod-axis0", lambda x: np.prod(x, axis=0)),
    ("np.max-axis0", lambda x: np.max(x, axis=0)),
]


@pytest.mark.parametrize("shape", SCALAR_AND_VECTOR_SHAPES, ids=shape_id)
@pytest.mark.parametrize("f", cases(REDUCTION_OF_SCALARS))
def test_reduction_of_scalars_and_vectors(f, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NONZERO.sample(rng, shape),), monkeypatch, rng=rng)


PROD_WITH_ZEROS = [  # (id, f, x, v, expected tangent): the product rule, without division
    ("one-zero", lambda x: np.prod(x), [2.0, 0.0, 3.0], [1.0, 1.0, 1.0], 6.0),
    ("two-zeros", lambda x: np.prod(x), [0.0, 5.0, 0.0], [1.0, 2.0, 3.0], 0.0),
    ("method-one-zero", lambda x: x.prod(), [2.0, 0.0, 3.0], [0.0, 2.0, 0.0], 12.0),
    ("axis1", lambda x: np.prod(x, axis=1), [[2.0, 0.0], [3.0, 4.0]],
     [[1.0, 1.0], [1.0, 0.0]], [2.0, 4.0]),
    ("axis0-keepdims", lambda x: np.prod(x, axis=0, keepdims=True), [[0.0, 0.0], [3.0, 4.0]],
     [[1.0, 1.0], [1.0, 1.0]], [[3.0, 4.0]]),
]


@pytest.mark.parametrize("f, x, v, expected", cases(PROD_WITH_ZEROS))
def test_prod_with_zeros(f, x, v, expected, monkeypatch):
    x = np.asarray(x)
    _, tangent = sg.jvp(f, (x,), (np.asarray(v),))
    np.testing.assert_array_equal(tangent, expected)
    check_jvp(f, (x,), monkeypatch)    # prod is a polynomial: smooth at zeros too


def test_prod_of_an_empty_array_has_a_zero_tangent(monkeypatch):
    for shape, axis, expected in [((0, 3), 0, np.zeros(3)), ((2, 0), 0, np.zeros(0)),
                                  ((0,), None, 0.0)]:
        x = np.zeros(shape)
        _, _, tangent = jvp_with_raw_tangent(lambda x, axis: np.prod(x, axis=axis), (x, axis),
                                             (np.ones(shape), None), monkeypatch)
        np.testing.assert_array_equal(tangent, expected)
        assert np.shape(tangent) == np.shape(expected)


EXTREMUM_TIES = [  # (id, f, x, v, expected tangent): tied extremal elements' tangents averaged
    ("np.max", lambda x: np.max(x), [1.0, 3.0, 3.0], [10.0, 20.0, 40.0], 30.0),
    ("np.amax", lambda x: np.amax(x), [3.0, 3.0, 3.0, 3.0], [1.0, 2.0, 3.0, 6.0], 3.0),
    ("x.max", lambda x: x.max(), [1.0, 3.0, 3.0], [10.0, 20.0, 40.0], 30.0),
    ("np.min", lambda x: np.min(x), [-1.0, 3.0, -1.0], [1.0, 5.0, 2.0], 1.5),
    ("np.amin", lambda x: np.amin(x), [-1.0, 3.0, -1.0], [1.0, 5.0, 2.0], 1.5),
    ("x.min", lambda x: x.min(), [-1.0, 3.0, -1.0], [1.0, 5.0, 2.0], 1.5),
    ("np.max-axis1", lambda x: np.max(x, axis=1), [[1.0, 1.0], [2.0, 0.0]],
     [[1.0, 2.0], [3.0, 4.0]], [1.5, 3.0]),
    ("np.max-axis0-keepdims", lambda x: np.max(x, axis=0, keepdims=True),
     [[1.0, 5.0], [1.0, 0.0]], [[1.0, 2.0], [4.0, 8.0]], [[2.5, 2.0]]),
    ("x.min-axis-1", lambda x: x.min(axis=-1), [[4.0, 4.0, 4.0], [2.0, 0.0, 0.0]],
     [[1.0, 2.0, 6.0], [1.0, 2.0, 4.0]], [3.0, 3.0]),
]


@pytest.mark.parametrize("f, x, v, expected", cases(EXTREMUM_TIES))
def test_extremum_ties_average_the_tied_tangents(f, x, v, expected, monkeypatch):
    x, v = np.asarray(x), np.asarray(v)
    value, tangent, raw = jvp_with_raw_tangent(f, (x,), (v,), monkeypatch)
    np.testing.assert_allclose(tangent, expected, rtol=0, atol=1e-15)
    assert np.shape(raw) == np.shape(value)
    # the adjoint splits ties evenly: forward and reverse mode are still each other's transpose
    check_transpose(f, (x,), (0,), (v,), value, raw, rng_for("ties", str(x)))


# =============================================================================================
# Conventions at other non-smooth points (match the adjoint rules)
# =============================================================================================

ABS_SPELLINGS = [
    ("np.abs", lambda x: np.abs(x)),
    ("np.absolute", lambda x: np.absolute(x)),
    ("np.fabs", lambda x: np.fabs(x)),
    ("abs", lambda x: abs(x)),
]


@pytest.mark.parametrize("f", cases(ABS_SPELLINGS))
def test_abs_tangent_at_zero_is_zero(f):
    x, v = np.array([0.0, -1.5, 2.0, 0.0]), np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(sg.jvp(f, (x,), (v,))[1], [0.0, -2.0, 3.0, 0.0])


def test_math_fabs_tangent_at_zero_is_zero():
    assert sg.jvp(lambda x: math.fabs(x), (0.0,), (1.0,))[1] == 0.0
    assert sg.jvp(lambda x: math.fabs(x), (-2.0,), (1.0,))[1] == -1.0


def test_maximum_and_minimum_ties_average_both_tangents(monkeypatch):
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.0, 2.0, 4.0])
    dx, dy = np.array([1.0, 1.0, 1.0]), np.array([10.0, 10.0, 10.0])
    for f, expected in [(lambda x, y: np.maximum(x, y), [1.0, 5.5, 10.0]),
                        (lambda x, y: np.fmax(x, y), [1.0, 5.5, 10.0]),
                        (lambda x, y: np.minimum(x, y), [10.0, 5.5, 1.0]),
                        (lambda x, y: np.fmin(x, y), [10.0, 5.5, 1.0])]:
        value, tangent, raw = jvp_with_raw_tangent(f, (x, y), (dx, dy), monkeypatch)
        np.testing.assert_array_equal(tangent, expected)
        check_transpose(f, (x, y), (0, 1), (dx, dy), value, raw, rng_for("maximum-ties"))
    # a constant operand tied with x: half of x's tangent
    np.testing.assert_array_equal(
        sg.jvp(lambda x: np.maximum(x, 2.0), (x,), (dx,))[1], [0.0, 0.5, 1.0])


def test_clip_passes_the_tangent_of_x_at_a_bound(monkeypatch):
    x, v = np.array([-2.0, -1.0, 0.5, 1.0, 2.0]), np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    _, tangent = sg.jvp(lambda x: np.clip(x, -1.0, 1.0), (x,), (v,))
    np.testing.assert_array_equal(tangent, [0.0, 2.0, 3.0, 4.0, 0.0])
    lo, hi = np.full(5, -1.0), np.full(5, 1.0)
    dlo, dhi = np.full(5, 10.0), np.full(5, 100.0)

    def f(x, lo, hi):
        return np.clip(x, lo, hi)

    value, tangent, raw = jvp_with_raw_tangent(f, (x, lo, hi), (v, dlo, dhi), monkeypatch)
    np.testing.assert_array_equal(tangent, [10.0, 2.0, 3.0, 4.0, 100.0])
    check_transpose(f, (x, lo, hi), (0, 1, 2), (v, dlo, dhi), value, raw, rng_for("clip"))


def test_power_with_a_zero_exponent_array():
    """Where y == 0, y * x**(y-1) is taken as 0 (also at x == 0), like the adjoint."""
    x, y = np.array([0.0, 2.0, 3.0]), np.array([0.0, 0.0, 2.0])
    _, tangent = sg.jvp(lambda x, y: x ** y, (x, y), (np.ones(3), None))
    np.testing.assert_array_equal(tangent, [0.0, 0.0, 6.0])


# =============================================================================================
# Products: @, np.matmul, np.dot, x.dot(y)
# =============================================================================================

@pytest.mark.parametrize("which", list(WHICH))
@pytest.mark.parametrize("shapes", PRODUCT_SHAPES, ids=product_shapes_id)
@pytest.mark.parametrize("f", cases(PRODUCTS))
def test_product_rule(f, shapes, which, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = tuple(rng.standard_normal(s) for s in shapes)
    check_jvp(f, args, monkeypatch, wrt=WHICH[which], rng=rng)


@pytest.mark.parametrize("which", list(WHICH))
@pytest.mark.parametrize("f, shape_a, shape_b", cases(DOT_WITH_SCALARS))
def test_dot_with_scalars(f, shape_a, shape_b, which, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = (REAL.sample(rng, shape_a), REAL.sample(rng, shape_b))
    check_jvp(f, args, monkeypatch, wrt=WHICH[which], rng=rng)


# =============================================================================================
# Shape rules, copies, casts and indexing
# =============================================================================================

SHAPE_RULES = rule_cases.SHAPE_RULES + [
    ("np.ravel-order-A", lambda x: np.ravel(x, order="A"), (3, 2)),
    ("np.ravel-order-K", lambda x: np.ravel(x, order="K"), (3, 2)),
    ("operator.getitem", lambda x: operator.getitem(x, 1), (3, 2)),
    ("x.copy(order)", lambda x: x.copy("F"), (3, 2)),
]


@pytest.mark.parametrize("f, shape", cases(SHAPE_RULES))
def test_shape_rule(f, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NONZERO.sample(rng, shape),), monkeypatch, rng=rng)


LAYOUTS = [  # (id, make x from a C-contiguous array): the tangent direction stays C-contiguous
    ("fortran", np.asfortranarray),
    ("transposed", lambda a: a.T),
    ("reversed", lambda a: a[::-1, ::-1]),
]
LAYOUT_DEPENDENT = [
    ("np.ravel-A", lambda x: np.ravel(x, order="A")),
    ("np.ravel-K", lambda x: np.ravel(x, order="K")),
    ("x.ravel('K')", lambda x: x.ravel("K")),
    ("x.flatten('A')", lambda x: x.flatten("A")),
    ("np.reshape-A", lambda x: np.reshape(x, (3, 4), order="A")),
    ("x.reshape-A", lambda x: x.reshape(2, 6, order="A")),
]


@pytest.mark.parametrize("layout", [row[1] for row in LAYOUTS], ids=[row[0] for row in LAYOUTS])
@pytest.mark.parametrize("f", cases(LAYOUT_DEPENDENT))
def test_layout_dependent_orders_read_the_layout_of_x(f, layout, request, monkeypatch):
    rng = rng_for(request.node.name)
    x = layout(NONZERO.sample(rng, (4, 3)))
    check_jvp(f, (x,), monkeypatch, rng=rng)


# (id, f(x, *arguments), argument tuples passed at run time)
RUNTIME_SHAPE_ARGUMENTS = rule_cases.RUNTIME_SHAPE_ARGUMENTS + [
    ("np.reshape-order", lambda x, o: np.reshape(x, (4, 6), order=o), each("C", "F", "A")),
    ("x.reshape-order", lambda x, o: x.reshape(6, 4, order=o), each("C", "F", "A")),
    ("np.reshape-shape", lambda x, s: np.reshape(x, s), each((4, 6), (-1,), (2, 12))),
    ("x.reshape(s)", lambda x, s: x.reshape(s), each((4, 6), -1)),
    ("np.ravel-order", lambda x, o: np.ravel(x, o), each("C", "F", "A", "K")),
    ("x.flatten-order", lambda x, o: x.flatten(o), each("C", "F", "K")),
    ("np.broadcast_to", lambda x, s: np.broadcast_to(x, s), each((5, 2, 3, 4), (2, 3, 4))),
    ("x[i]", lambda x, i: x[i], each(1, -1, (0, 1), np.array([1, 1, 0]))),
    ("x[i:j]", lambda x, i, j: x[i:j], [(0, 1), (1, None)]),
]


@pytest.mark.parametrize("f, arguments", cases(RUNTIME_SHAPE_ARGUMENTS))
def test_shape_rule_with_runtime_arguments(f, arguments, request, monkeypatch):
    for extra in arguments:
        rng = rng_for(request.node.name, repr(extra))
        check_jvp(f, (NONZERO.sample(rng, (2, 3, 4)),) + tuple(extra), monkeypatch, wrt=(0,),
                  rng=rng)


def test_squeeze_with_runtime_axis(monkeypatch):
    x = NONZERO.sample(rng_for("squeeze"), (1, 3, 1))
    for axis in (None, 0, -1, (0, 2)):
        check_jvp(lambda x, a: np.squeeze(x, a), (x, axis), monkeypatch, wrt=(0,))


def test_a_copy_has_a_tangent_of_its_own(monkeypatch):
    """A later write into the original changes neither the copy nor its tangent."""
    def copy_then_write(x):
        x = x * 1.0
        y = x.copy()
        z = np.copy(x)
        x[0] = 3.0
        return y * x + z

    check_jvp(copy_then_write, (NONZERO.sample(rng_for("copy"), (3,)),), monkeypatch)


CASTS = [
    ("float32", lambda x: x.astype(np.float32), np.float32, 1.0),
    ("int", lambda x: x.astype(int), np.float64, 0.0),
    ("bool", lambda x: x.astype(bool), np.float64, 0.0),
]


@pytest.mark.parametrize("f, dtype, expected", cases(CASTS))
def test_a_cast_tangent_has_the_cast_dtype(f, dtype, expected, monkeypatch):
    """(jvp gives the tangent the value's dtype: these look at the generated code's tangent)."""
    x = NONZERO.sample(rng_for("cast"), (3, 2))
    _, _, tangent = jvp_with_raw_tangent(f, (x,), (np.ones_like(x),), monkeypatch)
    assert tangent.dtype == dtype
    np.testing.assert_array_equal(tangent, np.full((3, 2), expected))


FLOAT32_CASES = [  # the tangent keeps float32 (masks and counts do not promote it)
    ("maximum", lambda x: np.maximum(x, 0.2)),
    ("where", lambda x: np.where(x > 0.0, x, 0.1 * x)),
    ("clip", lambda x: np.clip(x, -0.5, 0.5)),
    ("max-axis0", lambda x: np.max(x, axis=0)),
    ("min", lambda x: np.min(x)),
    ("prod-axis1", lambda x: np.prod(x, axis=1)),
    ("mean", lambda x: x.mean(axis=1, keepdims=True)),
    ("abs", lambda x: np.abs(x)),
    ("matmul", lambda x: x @ x.T),
]


@pytest.mark.parametrize("f", cases(FLOAT32_CASES))
def test_float32_in_float32_tangent_out(f, request, monkeypatch):
    """(jvp gives the tangent the value's dtype: this looks at the generated code's tangent)."""
    x = NONZERO.sample(rng_for(request.node.name), (3, 2)).astype(np.float32)
    value, _, tangent = jvp_with_raw_tangent(f, (x,), (np.ones_like(x),), monkeypatch)
    assert np.asarray(tangent).dtype == np.float32
    assert np.shape(tangent) == np.shape(value)


# =============================================================================================
# Functions of lists of arrays: the tangent of a list is the list of its entries' tangents
# =============================================================================================

LIST_FUNCTIONS = rule_cases.LIST_FUNCTIONS + [
    ("np.array-nested", lambda a, b, c: np.array([[a, b], [c, a]])),
    ("np.asanyarray", lambda a, b, c: np.asanyarray([a, c])),
    ("builtins.sum-start", lambda a, b, c: sum([a, b], c)),
]


@pytest.mark.parametrize("wrt", [(0, 1, 2), (0,), (2,)], ids=lambda w: f"wrt={w}")
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), PY], ids=shape_id)
@pytest.mark.parametrize("f", cases(LIST_FUNCTIONS))
def test_functions_of_lists(f, shape, wrt, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = tuple(REAL.sample(rng, shape) for _ in range(3))
    try:
        f(*args)
    except ValueError:
        pytest.skip("NumPy itself refuses these shapes")
    check_jvp(f, args, monkeypatch, wrt=wrt, rng=rng)


LIST_PARAMETERS = [  # a list passed in: its tangent is a list
    ("np.stack", lambda xs: np.stack(xs)),
    ("np.stack-axis", lambda xs: np.stack(xs, axis=1)),
    ("np.concatenate", lambda xs: np.concatenate(xs)),
    ("np.vstack", lambda xs: np.vstack(xs)),
    ("np.hstack", lambda xs: np.hstack(xs)),
    ("np.array", lambda xs: np.array(xs)),
    ("np.asarray", lambda xs: np.asarray(xs)),
    ("builtins.sum", lambda xs: sum(xs)),
]


@pytest.mark.parametrize("f", cases(LIST_PARAMETERS))
def test_functions_of_a_list_parameter(f, request, monkeypatch):
    rng = rng_for(request.node.name)
    xs = [REAL.sample(rng, (2, 3)) for _ in range(3)]
    check_jvp(f, (xs,), monkeypatch, rng=rng)


def test_sum_broadcasts_the_tangents_of_entries_to_the_result(monkeypatch):
    # start has the result's shape: the adjoint rule of sum does not un-broadcast the adjoint of
    # a start that broadcasts up (say of shape (4, 1, 1)), so the reverse-mode check would fail.
    rng = rng_for("sum-broadcast")
    a, b, start = REAL.sample(rng, (3,)), REAL.sample(rng, (2, 3)), REAL.sample(rng, (4, 2, 3))

    def f(a, b, start):
        return sum([a, b], start)

    for wrt in [(0,), (1,), (2,), (0, 2)]:
        check_jvp(f, (a, b, start), monkeypatch, wrt=wrt, rng=rng)


# =============================================================================================
# A composition of many rules
# =============================================================================================

def composite(W, b, x, t):
    """A small network and loss mixing many rules (tests/rule_cases.py), through a call."""
    loss, features = composite_terms(W, b, x, t)
    return loss + features


@pytest.mark.parametrize("wrt", [(0, 1, 2, 3), (0,), (1,), (2,), (3,)], ids=lambda w: f"wrt={w}")
def test_composition_of_many_rules(wrt, monkeypatch):
    rng = rng_for("composite")
    args = (rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((4, 2)), 0.4)
    check_jvp(composite, args, monkeypatch, wrt=wrt, rng=rng)


# =============================================================================================
# Every tangent rule is exercised above
# =============================================================================================

def _is_runtime_helper(key: Any) -> bool:
    """Helpers that generated derivative code calls (unbroadcast, ...) have tangent rules too,
    for derivatives of derivatives; user code does not spell them."""
    return (getattr(key, "__module__", None) or "").startswith("s2sgrad.runtime")


def test_the_grid_covers_every_tangent_rule():
    """Every target of a tangent rule appears in this file or in the shared tables it runs
    (tests/rule_cases.py): guards against silent gaps."""
    from s2sgrad.rules import registry

    builtin_rules = [key for key, rule in registry._tangents.items()
                     if rule.template.__module__.startswith("s2sgrad.rules")
                     and rule.template.__module__ != "s2sgrad.rules.generated"   # (their own
                     and not _is_runtime_helper(key)]                   # tests: test_generated_rules)
    missing = unspelled(builtin_rules, __file__)
    assert not missing, f"tangent rules without a grid test: {missing}"


def test_every_adjoint_rule_has_a_tangent_rule():
    from s2sgrad.rules import registry

    missing = [key for key, rule in registry._adjoints.items()
               if rule.template.__module__.startswith("s2sgrad.rules")
               and key not in registry._tangents]
    assert not missing, f"adjoint rules without a tangent rule: {missing}"


# ---- regressions found while writing these rules ------------------------------------------------


def test_a_bare_differentiated_test_in_a_rule_is_decided_when_inlined():
    def my_logaddexp(x, y):
        return np.logaddexp(x, y)

    @sg.tangent(my_logaddexp)
    def my_logaddexp_tangent(z, x, y):
        if differentiated(y):   # decided at inlining
            d[z] = d[x] * np.exp(x - z) + d[y] * np.exp(y - z)  # noqa: F821
        else:
            d[z] = d[x] * np.exp(x - z)  # noqa: F821

    assert sg.jvp(lambda x, y: my_logaddexp(x, y), (1.0, 2.0), (1.0, 1.0))[1] == \
        pytest.approx(1.0)
    assert sg.jvp(lambda x: my_logaddexp(x, 2.0), (1.0,), (1.0,))[1] == \
        pytest.approx(np.exp(1.0 - np.logaddexp(1.0, 2.0)))


def _write_after_an_alias(x):
    y = x + 1.0
    x[0] = 3.0
    return y * x


def test_forward_mode_with_a_write_keeps_other_tangents_and_the_callers_tangent():
    tangent = np.ones(3)
    _, result = sg.jvp(_write_after_an_alias, (np.ones(3),), (tangent,))
    np.testing.assert_allclose(result, [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(tangent, np.ones(3))


def test_the_adjoint_of_sum_unbroadcasts_its_start():
    _, vjp_fn = sg.vjp(lambda a, s: sum([a], s), np.ones(3), np.ones((2, 1)))
    ga, gs = vjp_fn(np.ones((2, 3)))
    np.testing.assert_allclose(ga, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(gs, [[3.0], [3.0]])
