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
"""

from __future__ import annotations

import builtins
import importlib.util
import itertools
import math
import operator
import tempfile
import warnings
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad import d

# ---------------------------------------------------------------------------------------------
# Random inputs inside a domain
# ---------------------------------------------------------------------------------------------

PY = "float"  # stands for a Python float in the shape grids
SHAPES: List[Any] = [(), (2,), (3, 2), (1, 2)]
SCALAR_AND_SHAPES: List[Any] = SHAPES + [PY]
SHAPE_PAIRS = list(itertools.product(SCALAR_AND_SHAPES, repeat=2))


def shape_id(shape: Any) -> str:
    return "float" if shape == PY else "x".join(map(str, shape)) or "0d"


def rng_for(*salt: Any) -> np.random.Generator:
    """A generator seeded from the test's parameters, so every run sees the same inputs."""
    return np.random.default_rng(zlib.crc32(repr(salt).encode()))


def _as_kind(values: np.ndarray, shape: Any) -> Any:
    """`values` as a Python float (shape PY) or an array of `shape` (0-d for `()`)."""
    return float(values) if shape == PY else np.asarray(values, dtype=np.float64)


def _size(shape: Any) -> Tuple[int, ...]:
    return () if shape == PY else shape


class Domain:
    """Where a function's argument may be drawn: `sample(rng, shape)`."""

    def __init__(self, name: str, draw: Callable[[np.random.Generator, Tuple[int, ...]], Any]):
        self.name, self.draw = name, draw

    def sample(self, rng: np.random.Generator, shape: Any) -> Any:
        return _as_kind(self.draw(rng, _size(shape)), shape)

    def __repr__(self) -> str:
        return self.name


def _uniform(low: float, high: float) -> Callable:
    return lambda rng, size: rng.uniform(low, high, size)


def _signed(low: float, high: float) -> Callable:
    """|x| in [low, high] with a random sign: keeps away from 0 (kinks, poles)."""
    return lambda rng, size: rng.choice([-1.0, 1.0], size) * rng.uniform(low, high, size)


REAL = Domain("real", _uniform(-2.0, 2.0))
SMALL = Domain("small", _uniform(-1.2, 1.2))          # tan, exp of large values
POSITIVE = Domain("positive", _uniform(0.3, 2.5))     # log, sqrt, x ** y
UNIT = Domain("unit", _uniform(-0.9, 0.9))            # arcsin, arccos, arctanh
ABOVE_ONE = Domain("above_one", _uniform(1.2, 3.0))   # arccosh, log base
NONZERO = Domain("nonzero", _signed(0.3, 2.0))        # abs, 1/x, cbrt, divisors
NEAR_ONE = Domain("near_one", _signed(0.6, 1.4))      # factors of products


def sample_pair(rng: np.random.Generator, shapes: Tuple[Any, Any], domains: Tuple[Domain, Domain],
                ok: Callable[[Any, Any], Any] = None) -> Tuple[Any, Any]:
    """Draw (x, y); with `ok`, redraw until `ok(x, y)` holds everywhere (after broadcasting)."""
    for _ in range(1000):
        x, y = (domain.sample(rng, shape) for domain, shape in zip(domains, shapes))
        if ok is None or np.all(ok(x, y)):
            return x, y
    raise AssertionError("could not draw inputs inside the domain")


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


def cases(table: Sequence[Tuple]) -> List[Any]:
    """pytest params from a table whose rows start with an id."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


# ---------------------------------------------------------------------------------------------
# Functions whose source must contain literal constants (axis=0, keepdims=True, ...) are written
# to a real module file, so that s2sgrad can read their source like any other function's.
# ---------------------------------------------------------------------------------------------

_GENERATED = tempfile.TemporaryDirectory(prefix="s2sgrad_rules_grid_")
_generated_functions: Dict[str, Callable] = {}


def function_from_source(expression: str) -> Callable:
    """The function `expression` (a lambda, as text) defined in a module file of its own."""
    if expression not in _generated_functions:
        path = Path(_GENERATED.name) / f"generated_{len(_generated_functions)}.py"
        path.write_text(f"import numpy as np\n\nf = {expression}\n")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _generated_functions[expression] = module.f
    return _generated_functions[expression]


# =============================================================================================
# Unary rules
# =============================================================================================

UNARY = [
    ("np.exp", lambda x: np.exp(x), SMALL),
    ("np.expm1", lambda x: np.expm1(x), SMALL),
    ("np.exp2", lambda x: np.exp2(x), SMALL),
    ("np.log", lambda x: np.log(x), POSITIVE),
    ("np.log2", lambda x: np.log2(x), POSITIVE),
    ("np.log10", lambda x: np.log10(x), POSITIVE),
    ("np.log1p", lambda x: np.log1p(x), POSITIVE),
    ("np.sin", lambda x: np.sin(x), REAL),
    ("np.cos", lambda x: np.cos(x), REAL),
    ("np.tan", lambda x: np.tan(x), SMALL),
    ("np.arcsin", lambda x: np.arcsin(x), UNIT),
    ("np.arccos", lambda x: np.arccos(x), UNIT),
    ("np.arctan", lambda x: np.arctan(x), REAL),
    ("np.sinh", lambda x: np.sinh(x), REAL),
    ("np.cosh", lambda x: np.cosh(x), REAL),
    ("np.tanh", lambda x: np.tanh(x), REAL),
    ("np.arcsinh", lambda x: np.arcsinh(x), REAL),
    ("np.arccosh", lambda x: np.arccosh(x), ABOVE_ONE),
    ("np.arctanh", lambda x: np.arctanh(x), UNIT),
    ("np.sqrt", lambda x: np.sqrt(x), POSITIVE),
    ("np.cbrt", lambda x: np.cbrt(x), NONZERO),
    ("np.square", lambda x: np.square(x), REAL),
    ("np.reciprocal", lambda x: np.reciprocal(x), NONZERO),
    ("np.abs", lambda x: np.abs(x), NONZERO),
    ("np.absolute", lambda x: np.absolute(x), NONZERO),
    ("np.fabs", lambda x: np.fabs(x), NONZERO),
    ("abs", lambda x: abs(x), NONZERO),
    ("np.negative", lambda x: np.negative(x), REAL),
    ("np.positive", lambda x: np.positive(x), REAL),
    ("-x", lambda x: -x, REAL),
    ("+x", lambda x: +x, REAL),
    ("x**2", lambda x: x ** 2, REAL),
    ("x**3.0", lambda x: x ** 3.0, REAL),
    ("x**0.5", lambda x: x ** 0.5, POSITIVE),
    ("x**-1", lambda x: x ** -1, NONZERO),
    ("np.power(x,2)", lambda x: np.power(x, 2), REAL),
    ("np.power(x,1.5)", lambda x: np.power(x, 1.5), POSITIVE),
    ("2.0**x", lambda x: 2.0 ** x, REAL),
    ("np.copy", lambda x: np.copy(x), REAL),
    ("np.asarray", lambda x: np.asarray(x), REAL),
    ("np.array", lambda x: np.array(x), REAL),
    ("np.asanyarray", lambda x: np.asanyarray(x), REAL),
    ("chain:sin(exp(x))*x", lambda x: np.sin(np.exp(x)) * x, SMALL),
]


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

def apart(x, y):
    return np.abs(np.subtract(x, y)) > 0.1


def away_from_origin(x, y):
    return np.hypot(x, y) > 0.3


def away_from_jumps(x, y):
    """x mod y is smooth unless x / y is (close to) an integer."""
    frac = np.mod(np.divide(x, y), 1.0)
    return (frac > 0.05) & (frac < 0.95)


BINARY = [
    ("x+y", lambda x, y: x + y, (REAL, REAL), None),
    ("x-y", lambda x, y: x - y, (REAL, REAL), None),
    ("x*y", lambda x, y: x * y, (REAL, REAL), None),
    ("x/y", lambda x, y: x / y, (REAL, NONZERO), None),
    ("x**y", lambda x, y: x ** y, (POSITIVE, REAL), None),
    ("x%y", lambda x, y: x % y, (REAL, NONZERO), away_from_jumps),
    ("operator.add", lambda x, y: operator.add(x, y), (REAL, REAL), None),
    ("operator.mul", lambda x, y: operator.mul(x, y), (REAL, REAL), None),
    ("operator.truediv", lambda x, y: operator.truediv(x, y), (REAL, NONZERO), None),
    ("np.add", lambda x, y: np.add(x, y), (REAL, REAL), None),
    ("np.subtract", lambda x, y: np.subtract(x, y), (REAL, REAL), None),
    ("np.multiply", lambda x, y: np.multiply(x, y), (REAL, REAL), None),
    ("np.divide", lambda x, y: np.divide(x, y), (REAL, NONZERO), None),
    ("np.true_divide", lambda x, y: np.true_divide(x, y), (REAL, NONZERO), None),
    ("np.power", lambda x, y: np.power(x, y), (POSITIVE, REAL), None),
    ("np.mod", lambda x, y: np.mod(x, y), (REAL, NONZERO), away_from_jumps),
    ("np.remainder", lambda x, y: np.remainder(x, y), (REAL, NONZERO), away_from_jumps),
    ("np.maximum", lambda x, y: np.maximum(x, y), (REAL, REAL), apart),
    ("np.minimum", lambda x, y: np.minimum(x, y), (REAL, REAL), apart),
    ("np.fmax", lambda x, y: np.fmax(x, y), (REAL, REAL), apart),
    ("np.fmin", lambda x, y: np.fmin(x, y), (REAL, REAL), apart),
    ("np.arctan2", lambda y, x: np.arctan2(y, x), (REAL, REAL), away_from_origin),
    ("np.hypot", lambda x, y: np.hypot(x, y), (REAL, REAL), away_from_origin),
    ("np.where(x>y,x*y,y)", lambda x, y: np.where(x > y, x * y, y), (REAL, REAL), apart),
    ("np.where(x>0,y,x)", lambda x, y: np.where(x > 0.0, y, x), (NONZERO, REAL), None),
    # clip: bounds from the other operand, so both the clipped and the free case occur
    ("np.clip(x,y,3.0)", lambda x, y: np.clip(x, y, 3.0), (REAL, REAL), apart),
    ("np.clip(x,-3.0,y)", lambda x, y: np.clip(x, -3.0, y), (REAL, REAL), apart),
    ("asarray(x).clip(y,3.0)", lambda x, y: np.asarray(x).clip(y, 3.0), (REAL, REAL), apart),
    ("np.clip(y,x,x+1.0)", lambda x, y: np.clip(y, x, x + 1.0), (REAL, REAL), apart),
]


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=lambda p: f"{shape_id(p[0])}-{shape_id(p[1])}")
@pytest.mark.parametrize("f, domains, ok", cases(BINARY))
def test_binary_rule(f, domains, ok, shapes, request):
    x, y = sample_pair(rng_for(request.node.name), shapes, domains, ok)
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

LIST_FUNCTIONS = [
    ("np.stack", lambda a, b, c: np.stack([a, b * c, c])),
    ("np.stack-axis", lambda a, b, c: np.stack((a, b, c), axis=-1)),
    ("np.concatenate", lambda a, b, c: np.concatenate([a, b, np.tanh(c)])),
    ("np.concatenate-axis-None", lambda a, b, c: np.concatenate([a, b * c], axis=None)),
    ("np.vstack", lambda a, b, c: np.vstack([a, b, c])),
    ("np.hstack", lambda a, b, c: np.hstack([a, b, c * a])),
    ("np.array", lambda a, b, c: np.array([a, b, c]) * np.array([c, a, b])),
    ("np.asarray", lambda a, b, c: np.asarray((a * b, c))),
    ("builtins.sum", lambda a, b, c: sum([a, b * c, c])),
]


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

REDUCERS = ["np.sum", "np.mean", "np.prod", "np.max", "np.min", "np.amax", "np.amin",
            "x.sum", "x.mean", "x.prod", "x.max", "x.min"]
OMITTED = "omitted"
AXES = [OMITTED, None, 0, 1, -1, (0, 1)]
KEEPDIMS = [OMITTED, True, False]


def reduction_expression(reducer: str, axis: Any, keepdims: Any) -> str:
    """("np.sum", 0, True) -> "lambda x: np.sum(x, axis=0, keepdims=True)"."""
    arguments = [] if reducer.startswith("x.") else ["x"]
    arguments += [f"{name}={value!r}" for name, value in (("axis", axis), ("keepdims", keepdims))
                  if value != OMITTED]
    return f"lambda x: {reducer}({', '.join(arguments)})"


def reduction_input(rng: np.random.Generator, shape: Any) -> Any:
    """Distinct values (no ties in max/min), near +-1 so products and their derivatives stay
    moderate."""
    return NEAR_ONE.sample(rng, shape)


@pytest.mark.parametrize("shape", [(3, 2), (2, 3, 4)], ids=shape_id)
@pytest.mark.parametrize("keepdims", KEEPDIMS, ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", AXES, ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("reducer", list(REDUCERS))
def test_reduction_with_constant_arguments(reducer, axis, keepdims, shape, request):
    f = function_from_source(reduction_expression(reducer, axis, keepdims))
    x = reduction_input(rng_for(request.node.name), shape)
    check(f, (x,))


POSITIONAL_AXIS = [
    ("np.sum(x,0)", lambda x: np.sum(x, 0)),
    ("np.mean(x,1)", lambda x: np.mean(x, 1)),
    ("np.prod(x,-1)", lambda x: np.prod(x, -1)),
    ("np.max(x,0)", lambda x: np.max(x, 0)),
    ("np.amin(x,1)", lambda x: np.amin(x, 1)),
    ("x.sum(1)", lambda x: x.sum(1)),
    ("x.mean(0)", lambda x: x.mean(0)),
    ("x.prod(0)", lambda x: x.prod(0)),
    ("x.max(-1)", lambda x: x.max(-1)),
    ("x.min((0,1))", lambda x: x.min((0, 1))),
]


@pytest.mark.parametrize("shape", [(3, 2), (2, 3, 4)], ids=shape_id)
@pytest.mark.parametrize("f", cases(POSITIONAL_AXIS))
def test_reduction_with_positional_axis(f, shape, request):
    x = reduction_input(rng_for(request.node.name), shape)
    check(f, (x,))


RUNTIME_REDUCERS = [
    ("np.sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims)),
    ("np.mean", lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims)),
    ("np.prod", lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims)),
    ("np.max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims)),
    ("np.min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims)),
    ("np.amax", lambda x, axis, keepdims: np.amax(x, axis=axis, keepdims=keepdims)),
    ("np.amin", lambda x, axis, keepdims: np.amin(x, axis=axis, keepdims=keepdims)),
    ("x.sum", lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims)),
    ("x.mean", lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims)),
    ("x.prod", lambda x, axis, keepdims: x.prod(axis=axis, keepdims=keepdims)),
    ("x.max", lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims)),
    ("x.min", lambda x, axis, keepdims: x.min(axis=axis, keepdims=keepdims)),
]


@pytest.mark.parametrize("shape", [(3, 2), (2, 3, 4)], ids=shape_id)
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


REDUCTION_OF_SCALARS = [
    ("np.sum", lambda x: np.sum(x)),
    ("np.mean", lambda x: np.mean(x)),
    ("np.prod", lambda x: np.prod(x)),
    ("np.max", lambda x: np.max(x)),
    ("np.amin", lambda x: np.amin(x)),
]


@pytest.mark.parametrize("shape", [(), (1,), (4,), PY], ids=shape_id)
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

PRODUCTS = [
    ("@", lambda a, b: a @ b),
    ("np.matmul", lambda a, b: np.matmul(a, b)),
    ("operator.matmul", lambda a, b: operator.matmul(a, b)),
    ("np.dot", lambda a, b: np.dot(a, b)),
    ("a.dot", lambda a, b: a.dot(b)),
]
PRODUCT_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((2, 3), (5, 3, 4)),
]


@pytest.mark.parametrize("shapes", PRODUCT_SHAPES,
                         ids=lambda p: f"{shape_id(p[0])}@{shape_id(p[1])}")
@pytest.mark.parametrize("f", cases(PRODUCTS))
def test_product_rule(f, shapes, request):
    rng = rng_for(request.node.name)
    a, b = (rng.standard_normal(s) for s in shapes)
    check(f, (a, b))


DOT_WITH_SCALARS = [
    ("np.dot(s,x)", lambda s, x: np.dot(s, x), PY, (3, 2)),
    ("np.dot(x,s)", lambda x, s: np.dot(x, s), (3, 2), PY),
    ("np.dot(0d,x)", lambda s, x: np.dot(s, x), (), (2,)),
    ("np.dot(x,0d)", lambda x, s: np.dot(x, s), (2, 3, 4), ()),
    ("np.dot(s,s)", lambda s, t: np.dot(s, t), PY, PY),
    ("x.dot(s)", lambda x, s: x.dot(s), (3, 2), PY),
]


@pytest.mark.parametrize("f, shape_a, shape_b", cases(DOT_WITH_SCALARS))
def test_dot_with_scalars(f, shape_a, shape_b, request):
    rng = rng_for(request.node.name)
    check(f, (REAL.sample(rng, shape_a), REAL.sample(rng, shape_b)))


# =============================================================================================
# Shape rules, copies and indexing
# =============================================================================================

IDX = np.array([0, 2, 0, 0, 1])          # repeated fancy indices: contributions accumulate
MASK = np.array([[True, False], [False, False], [True, True]])


def _reshape_takes(keyword: str) -> bool:
    """np.reshape's keyword was `newshape` until NumPy 2.1 added `shape` (2.4 removed newshape)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            np.reshape(np.zeros(2), **{keyword: (2,)})
        return True
    except TypeError:
        return False


SHAPE_RULES = [
    ("np.reshape-positional", lambda x: np.reshape(x, (2, 3)), (3, 2)),
    ("np.reshape--1", lambda x: np.reshape(x, -1), (3, 2)),
    ("np.reshape-order-F", lambda x: np.reshape(x, (2, 3), order="F"), (3, 2)),
    ("x.reshape(2,3)", lambda x: x.reshape(2, 3), (3, 2)),
    ("x.reshape((2,3))", lambda x: x.reshape((2, 3)), (3, 2)),
    ("x.reshape(-1)", lambda x: x.reshape(-1), (2, 3, 4)),
    ("x.reshape(order=F)", lambda x: x.reshape(4, 6, order="F"), (2, 3, 4)),
    ("np.transpose", lambda x: np.transpose(x), (2, 3, 4)),
    ("np.transpose-axes", lambda x: np.transpose(x, (1, 0, 2)), (2, 3, 4)),
    ("np.transpose-cyclic-axes", lambda x: np.transpose(x, (2, 0, 1)), (2, 3, 4)),
    ("np.transpose-axes-keyword", lambda x: np.transpose(x, axes=(1, 2, 0)), (2, 3, 4)),
    ("x.transpose()", lambda x: x.transpose(), (2, 3, 4)),
    ("x.transpose(1,0,2)", lambda x: x.transpose(1, 0, 2), (2, 3, 4)),
    ("x.transpose((1,0,2))", lambda x: x.transpose((1, 0, 2)), (2, 3, 4)),
    ("x.transpose(2,0,1)", lambda x: x.transpose(2, 0, 1), (2, 3, 4)),
    ("x.transpose((1,2,0))", lambda x: x.transpose((1, 2, 0)), (2, 3, 4)),
    ("np.transpose-negative-axes", lambda x: np.transpose(x, (-1, 0, 1)), (2, 3, 4)),
    ("x.transpose(-1,0,1)", lambda x: x.transpose(-1, 0, 1), (2, 3, 4)),
    ("x.transpose((0,-1,-2))", lambda x: x.transpose((0, -1, -2)), (2, 3, 4)),
    ("x.transpose(None)", lambda x: x.transpose(None), (2, 3, 4)),
    ("x.T-2d", lambda x: x.T, (3, 2)),
    ("x.T-3d", lambda x: x.T, (2, 3, 4)),
    ("np.ravel", lambda x: np.ravel(x), (3, 2)),
    ("x.ravel()", lambda x: x.ravel(), (3, 2)),
    ("x.flatten()", lambda x: x.flatten(), (2, 3, 4)),
    ("np.ravel-order-F", lambda x: np.ravel(x, order="F"), (3, 2)),
    ("x.ravel('F')", lambda x: x.ravel("F"), (2, 3, 4)),
    ("x.flatten(order='F')", lambda x: x.flatten(order="F"), (2, 3, 4)),
    ("x.flatten('C')", lambda x: x.flatten("C"), (2, 3, 4)),
    ("np.squeeze", lambda x: np.squeeze(x), (1, 3, 1)),
    ("np.squeeze-axis", lambda x: np.squeeze(x, axis=0), (1, 3, 1)),
    ("x.squeeze()", lambda x: x.squeeze(), (1, 3, 1)),
    ("np.expand_dims-0", lambda x: np.expand_dims(x, 0), (3, 2)),
    ("np.expand_dims-axis=-1", lambda x: np.expand_dims(x, axis=-1), (3, 2)),
    ("np.atleast_1d", lambda x: np.atleast_1d(x), ()),
    ("np.atleast_2d", lambda x: np.atleast_2d(x), (3,)),
    ("np.broadcast_to-from-row", lambda x: np.broadcast_to(x, (3, 2)), (1, 2)),
    ("np.broadcast_to-from-vector", lambda x: np.broadcast_to(x, (4, 3, 2)), (2,)),
    ("np.broadcast_to-from-0d", lambda x: np.broadcast_to(x, (2, 3)), ()),
    ("np.broadcast_to-middle", lambda x: np.broadcast_to(x, (2, 3, 4)), (2, 1, 4)),
    ("x[1]", lambda x: x[1], (3, 2)),
    ("x[-1]", lambda x: x[-1], (3, 2)),
    ("x[1:3]", lambda x: x[1:3], (3, 2)),
    ("x[::-1]", lambda x: x[::-1], (3, 2)),
    ("x[:,0]", lambda x: x[:, 0], (3, 2)),
    ("x[1,0]", lambda x: x[1, 0], (3, 2)),
    ("x[...,1]", lambda x: x[..., 1], (2, 3, 4)),
    ("x[None]", lambda x: x[None], (3, 2)),
    ("x[idx]-repeated", lambda x: x[IDX], (3, 2)),
    ("x[[0,2,0]]-list", lambda x: x[[0, 2, 0]], (3,)),
    ("x[idx,1]-repeated", lambda x: x[IDX, 1], (3, 2)),
    ("x[:,[1,1,0]]", lambda x: x[:, [1, 1, 0]], (3, 2)),
    ("x[mask]", lambda x: x[MASK], (3, 2)),
    ("x[x>0]", lambda x: x[x > 0.0], (3, 2)),
    ("x.copy()", lambda x: x.copy(), (3, 2)),
    ("np.copy", lambda x: np.copy(x), (3, 2)),
    ("np.asarray", lambda x: np.asarray(x), (3, 2)),
    ("x.astype(np.float64)", lambda x: x.astype(np.float64), (3, 2)),
    ("x.astype(float)", lambda x: x.astype(float), (2,)),
    ("x.astype(int)*x", lambda x: x.astype(int) * x, (3, 2)),
    ("x.astype(bool)*x", lambda x: x.astype(bool) * x, (3, 2)),
    ("x.astype(np.int32)+x", lambda x: x.astype(np.int32) + x, (2,)),
    ("float(x)-0d", lambda x: float(x), ()),
    ("float(x)-float", lambda x: float(x), PY),
    ("float(x[1])", lambda x: float(x[1]) * x, (3,)),
]
for _keyword in ("shape", "newshape"):
    if _reshape_takes(_keyword):
        SHAPE_RULES.append((f"np.reshape-{_keyword}-keyword", function_from_source(
            f"lambda x: np.reshape(x, {_keyword}=(2, 3))"), (3, 2)))


@pytest.mark.parametrize("f, shape", cases(SHAPE_RULES))
def test_shape_rule(f, shape, request):
    x = NONZERO.sample(rng_for(request.node.name), shape)
    check(f, (x,))


def each(*values: Any) -> List[Tuple[Any]]:
    """One single-argument call per value."""
    return [(value,) for value in values]


RUNTIME_SHAPE_ARGUMENTS = [  # (id, f(x, *arguments), argument tuples passed at run time)
    ("np.transpose", lambda x, a: np.transpose(x, a), each(None, (2, 0, 1), (-1, 0, 1), [1, 2, 0])),
    ("np.transpose-axes-keyword", lambda x, a: np.transpose(x, axes=a), each(None, (1, 2, 0))),
    ("x.transpose(a)", lambda x, a: x.transpose(a), each(None, (2, 0, 1), (0, -1, 1))),
    ("x.transpose(a,b,c)", lambda x, a, b, c: x.transpose(a, b, c), [(2, 0, 1), (-2, -1, 0)]),
    ("np.reshape-order", lambda x, o: np.reshape(x, (4, 6), order=o), each("C", "F")),
    ("x.reshape-order", lambda x, o: x.reshape(6, 4, order=o), each("C", "F")),
    ("np.ravel-order", lambda x, o: np.ravel(x, o), each("C", "F")),
    ("x.flatten-order", lambda x, o: x.flatten(o), each("C", "F")),
    ("np.expand_dims", lambda x, a: np.expand_dims(x, a), each(0, -1, (0, 2))),
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

MATH = [
    ("math.exp", lambda x: math.exp(x), (REAL,)),
    ("math.log", lambda x: math.log(x), (POSITIVE,)),
    ("math.log-base", lambda x, b: math.log(x, b), (POSITIVE, ABOVE_ONE)),
    ("math.log-constant-base", lambda x: math.log(x, 10.0), (POSITIVE,)),
    ("math.log2", lambda x: math.log2(x), (POSITIVE,)),
    ("math.log10", lambda x: math.log10(x), (POSITIVE,)),
    ("math.log1p", lambda x: math.log1p(x), (POSITIVE,)),
    ("math.expm1", lambda x: math.expm1(x), (REAL,)),
    ("math.sqrt", lambda x: math.sqrt(x), (POSITIVE,)),
    ("math.sin", lambda x: math.sin(x), (REAL,)),
    ("math.cos", lambda x: math.cos(x), (REAL,)),
    ("math.tan", lambda x: math.tan(x), (SMALL,)),
    ("math.asin", lambda x: math.asin(x), (UNIT,)),
    ("math.acos", lambda x: math.acos(x), (UNIT,)),
    ("math.atan", lambda x: math.atan(x), (REAL,)),
    ("math.atan2", lambda y, x: math.atan2(y, x), (NONZERO, NONZERO)),
    ("math.hypot", lambda x, y: math.hypot(x, y), (NONZERO, NONZERO)),
    ("math.sinh", lambda x: math.sinh(x), (REAL,)),
    ("math.cosh", lambda x: math.cosh(x), (REAL,)),
    ("math.tanh", lambda x: math.tanh(x), (REAL,)),
    ("math.asinh", lambda x: math.asinh(x), (REAL,)),
    ("math.acosh", lambda x: math.acosh(x), (ABOVE_ONE,)),
    ("math.atanh", lambda x: math.atanh(x), (UNIT,)),
    ("math.fabs", lambda x: math.fabs(x), (NONZERO,)),
    ("math.erf", lambda x: math.erf(x), (REAL,)),
    ("math.erfc", lambda x: math.erfc(x), (REAL,)),
    ("math.degrees", lambda x: math.degrees(x), (REAL,)),
    ("math.radians", lambda x: math.radians(x), (REAL,)),
    ("math.pow", lambda x, y: math.pow(x, y), (POSITIVE, REAL)),
    ("math.pow-constant", lambda x: math.pow(x, 3.0), (REAL,)),
    ("math-chain", lambda x, y: math.exp(math.sin(x) * y) / math.hypot(x, y), (REAL, NONZERO)),
    ("math.gamma", lambda x: math.gamma(x), (POSITIVE,)),
    ("math.gamma-negative", lambda x: math.gamma(x - 3.0), (POSITIVE,)),
    ("math.lgamma", lambda x: math.lgamma(x * 4.0), (POSITIVE,)),
    ("math.fmod", lambda x, y: math.fmod(x * 3.0, y), (POSITIVE, ABOVE_ONE)),
    ("math.copysign", lambda x, y: math.copysign(x, y), (NONZERO, NONZERO)),
]
if hasattr(math, "cbrt"):
    MATH += [("math.cbrt", lambda x: math.cbrt(x), (NONZERO,)),
             ("math.exp2", lambda x: math.exp2(x), (REAL,))]


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
    """A small network and loss mixing many rules."""
    h = np.tanh(x @ W + b)
    h2 = np.maximum(h, -0.5) * np.exp(-0.5 * h ** 2)
    logits = h2.T[0] * 2.0 - h2[:, 1] / (1.0 + np.abs(b[1]))
    p = np.exp(logits - np.max(logits))
    p = p / np.sum(p)
    loss = -np.mean(np.log(p[[0, 2, 2]])) + 0.1 * np.sum(W * W)
    r = np.sqrt(np.sum(x.reshape(-1) ** 2) + 1.0)
    positive_part = np.where(h > 0.0, h, 0.0)
    return loss * r + math.sin(t) * np.prod(np.cos(b)) + np.sum(positive_part.mean(0))


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


OPERATOR_SPELLINGS = {"add": "x + y", "sub": "x - y", "mul": "x * y", "truediv": "x / y",
                      "pow": "x ** y", "mod": "x % y", "neg": "-x", "pos": "+x", "matmul": "a @ b",
                      "getitem": "x[1]"}


def _spelling(key: Any) -> str:
    """How the target of a rule is written in this file."""
    if isinstance(key, tuple):  # method("sum") or attribute("T")
        return f".{key[1]}"
    if key in vars(builtins).values():
        return f"{key.__name__}("
    if key in vars(operator).values():
        return OPERATOR_SPELLINGS.get(key.__name__, f"operator.{key.__name__}(")
    if key in vars(math).values():
        return f"math.{key.__name__}("
    return f"np.{key.__name__}("


def test_the_grid_covers_every_rule():
    """Every target of an adjoint rule appears in this file (guards against silent gaps)."""
    from s2sgrad.rules import registry

    source = Path(__file__).read_text()
    builtin_rules = [key for key, rule in registry._adjoints.items()
                     if rule.template.__module__.startswith("s2sgrad.rules")
                     and rule.template.__module__ != "s2sgrad.rules.generated"]
    # (the rules of generated code's helpers: tests/test_generated_rules.py)
    missing = [_spelling(key) for key in builtin_rules if _spelling(key) not in source]
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
