"""What the rule grids share: tests/test_rules_grid.py (adjoint rules, reverse mode) and
tests/test_forward_rules.py (tangent rules, forward mode) run the same functions.

Here: the input domains and samplers, shape ids, the generated-module machinery (functions whose
source must hold literal constants), and the operation tables both grids run. Where one grid runs
more rows of a kind, it adds them to the shared table in its own file (`UNARY = rule_cases.UNARY +
[...]`).

Each grid's coverage test looks for every rule target's spelling in the grid's own text and this
module's (`spelled_in`): so this module holds only what both grids run.
"""

from __future__ import annotations

import builtins
import importlib.util
import math
import operator
import tempfile
import warnings
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np
import pytest

# ---------------------------------------------------------------------------------------------
# Random inputs inside a domain
# ---------------------------------------------------------------------------------------------

PY = "float"  # stands for a Python float in the shape grids


def shape_id(shape: Any) -> str:
    return "float" if shape == PY else "x".join(map(str, shape)) or "0d"


def rng_for(*salt: Any) -> np.random.Generator:
    """A generator seeded from the test's parameters, so every run sees the same inputs."""
    return np.random.default_rng(zlib.crc32(repr(salt).encode()))


class Domain:
    """Where a function's argument may be drawn: `sample(rng, shape)`."""

    def __init__(self, name: str, draw: Callable[[np.random.Generator, Tuple[int, ...]], Any]):
        self.name, self.draw = name, draw

    def sample(self, rng: np.random.Generator, shape: Any) -> Any:
        """A Python float (shape PY) or an array of `shape` (0-d for `()`)."""
        values = self.draw(rng, () if shape == PY else shape)
        return float(values) if shape == PY else np.asarray(values, dtype=np.float64)

    def __repr__(self) -> str:
        return self.name


def uniform(low: float, high: float) -> Callable:
    return lambda rng, size: rng.uniform(low, high, size)


def signed(low: float, high: float) -> Callable:
    """|x| in [low, high] with a random sign: keeps away from 0 (kinks, poles)."""
    return lambda rng, size: rng.choice([-1.0, 1.0], size) * rng.uniform(low, high, size)


REAL = Domain("real", uniform(-2.0, 2.0))
SMALL = Domain("small", uniform(-1.2, 1.2))          # tan, exp of large values
POSITIVE = Domain("positive", uniform(0.3, 2.5))     # log, sqrt, x ** y
UNIT = Domain("unit", uniform(-0.9, 0.9))            # arcsin, arccos, arctanh
ABOVE_ONE = Domain("above_one", uniform(1.2, 3.0))   # arccosh, log base
NONZERO = Domain("nonzero", signed(0.3, 2.0))        # abs, 1/x, cbrt, divisors
NEAR_ONE = Domain("near_one", signed(0.6, 1.4))      # factors of products, distinct extrema


def sample_all(rng: np.random.Generator, shapes: Sequence[Any], domains: Sequence[Domain],
               ok: Callable[..., Any] = None) -> Tuple[Any, ...]:
    """Draw the arguments; with `ok`, redraw until `ok(*args)` holds everywhere (after
    broadcasting)."""
    for _ in range(1000):
        args = tuple(domain.sample(rng, shape) for domain, shape in zip(domains, shapes))
        if ok is None or np.all(ok(*args)):
            return args
    raise AssertionError("could not draw inputs inside the domain")


def apart(x, y):
    return np.abs(np.subtract(x, y)) > 0.1


def away_from_origin(x, y):
    return np.hypot(x, y) > 0.3


def away_from_jumps(x, y):
    """x mod y is smooth unless x / y is (close to) an integer."""
    frac = np.mod(np.divide(x, y), 1.0)
    return (frac > 0.05) & (frac < 0.95)


def cases(table: Sequence[Tuple]) -> List[Any]:
    """pytest params from a table whose rows start with an id."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def each(*values: Any) -> List[Tuple[Any]]:
    """One single-argument call per value."""
    return [(value,) for value in values]


# ---------------------------------------------------------------------------------------------
# Functions whose source must contain literal constants (axis=0, keepdims=True, ...) are written
# to a real module file, so that s2sgrad can read their source like any other function's.
# ---------------------------------------------------------------------------------------------

_GENERATED = tempfile.TemporaryDirectory(prefix="s2sgrad_rule_cases_")
_generated_functions: Dict[str, Callable] = {}


_IMPORTS = """import math
import operator

import numpy as np
"""
if importlib.util.find_spec("scipy") is not None:
    _IMPORTS += "import scipy\nimport scipy.linalg\nimport scipy.special\nimport scipy.stats\n"


def function_from_source(expression: str) -> Callable:
    """The function `expression` (a lambda, as text) defined in a module file of its own."""
    if expression not in _generated_functions:
        path = Path(_GENERATED.name) / f"generated_{len(_generated_functions)}.py"
        path.write_text(f"{_IMPORTS}\nf = {expression}\n")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _generated_functions[expression] = module.f
    return _generated_functions[expression]


# =============================================================================================
# Unary rules (each grid adds rows of its own)
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
    ("np.copy", lambda x: np.copy(x), REAL),
    ("np.asarray", lambda x: np.asarray(x), REAL),
    ("np.array", lambda x: np.array(x), REAL),
    ("np.asanyarray", lambda x: np.asanyarray(x), REAL),
    ("chain:sin(exp(x))*x", lambda x: np.sin(np.exp(x)) * x, SMALL),
]

# Powers with a number written in the code as one operand (the rules' compile-time branches):
# unary rules in the adjoint grid, rules with a constant operand in the tangent grid.
CONSTANT_POWERS = [
    ("x**2", lambda x: x ** 2, REAL),
    ("x**3.0", lambda x: x ** 3.0, REAL),
    ("x**0.5", lambda x: x ** 0.5, POSITIVE),
    ("x**-1", lambda x: x ** -1, NONZERO),
    ("np.power(x,2)", lambda x: np.power(x, 2), REAL),
    ("np.power(x,1.5)", lambda x: np.power(x, 1.5), POSITIVE),
    ("2.0**x", lambda x: 2.0 ** x, REAL),
]


# =============================================================================================
# Binary rules: (id, f, domains of x and y, condition the inputs must meet or None)
# =============================================================================================

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


# =============================================================================================
# Reductions: sum, mean, prod, max, min (functions and methods)
# =============================================================================================

REDUCERS = ["np.sum", "np.mean", "np.prod", "np.max", "np.min", "np.amax", "np.amin",
            "x.sum", "x.mean", "x.prod", "x.max", "x.min"]
OMITTED = "omitted"
AXES = [OMITTED, None, 0, 1, -1, (0, 1)]
KEEPDIMS = [OMITTED, True, False]
REDUCTION_SHAPES = [(3, 2), (2, 3, 4)]


def reduction_expression(reducer: str, axis: Any, keepdims: Any) -> str:
    """("np.sum", 0, True) -> "lambda x: np.sum(x, axis=0, keepdims=True)"."""
    arguments = [] if reducer.startswith("x.") else ["x"]
    arguments += [f"{name}={value!r}" for name, value in (("axis", axis), ("keepdims", keepdims))
                  if value != OMITTED]
    return f"lambda x: {reducer}({', '.join(arguments)})"


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

REDUCTION_OF_SCALARS = [
    ("np.sum", lambda x: np.sum(x)),
    ("np.mean", lambda x: np.mean(x)),
    ("np.prod", lambda x: np.prod(x)),
    ("np.max", lambda x: np.max(x)),
    ("np.amin", lambda x: np.amin(x)),
]
SCALAR_AND_VECTOR_SHAPES = [(), (1,), (4,), PY]


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


def product_shapes_id(shapes: Tuple[Any, Any]) -> str:
    return f"{shape_id(shapes[0])}@{shape_id(shapes[1])}"


DOT_WITH_SCALARS = [
    ("np.dot(s,x)", lambda s, x: np.dot(s, x), PY, (3, 2)),
    ("np.dot(x,s)", lambda x, s: np.dot(x, s), (3, 2), PY),
    ("np.dot(0d,x)", lambda s, x: np.dot(s, x), (), (2,)),
    ("np.dot(x,0d)", lambda x, s: np.dot(x, s), (2, 3, 4), ()),
    ("np.dot(s,s)", lambda s, t: np.dot(s, t), PY, PY),
    ("x.dot(s)", lambda x, s: x.dot(s), (3, 2), PY),
]


# =============================================================================================
# Shape rules, copies, casts and indexing: (id, f, shape of x)
# =============================================================================================

IDX = np.array([0, 2, 0, 0, 1])          # repeated fancy indices: contributions accumulate
MASK = np.array([[True, False], [False, False], [True, True]])

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
    ("np.transpose-negative-axes", lambda x: np.transpose(x, (-1, 0, 1)), (2, 3, 4)),
    ("x.transpose()", lambda x: x.transpose(), (2, 3, 4)),
    ("x.transpose(1,0,2)", lambda x: x.transpose(1, 0, 2), (2, 3, 4)),
    ("x.transpose((1,0,2))", lambda x: x.transpose((1, 0, 2)), (2, 3, 4)),
    ("x.transpose(2,0,1)", lambda x: x.transpose(2, 0, 1), (2, 3, 4)),
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


def _reshape_takes(keyword: str) -> bool:
    """np.reshape's keyword was `newshape` until NumPy 2.1 added `shape` (2.4 removed newshape)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            np.reshape(np.zeros(2), **{keyword: (2,)})
        return True
    except TypeError:
        return False


for _keyword in ("shape", "newshape"):
    if _reshape_takes(_keyword):
        SHAPE_RULES.append((f"np.reshape-{_keyword}-keyword", function_from_source(
            f"lambda x: np.reshape(x, {_keyword}=(2, 3))"), (3, 2)))


RUNTIME_SHAPE_ARGUMENTS = [  # (id, f(x, *arguments), argument tuples passed at run time)
    ("np.transpose", lambda x, a: np.transpose(x, a), each(None, (2, 0, 1), (-1, 0, 1), [1, 2, 0])),
    ("np.transpose-axes-keyword", lambda x, a: np.transpose(x, axes=a), each(None, (1, 2, 0))),
    ("x.transpose(a)", lambda x, a: x.transpose(a), each(None, (2, 0, 1), (0, -1, 1))),
    ("x.transpose(a,b,c)", lambda x, a, b, c: x.transpose(a, b, c), [(2, 0, 1), (-2, -1, 0)]),
    ("np.expand_dims", lambda x, a: np.expand_dims(x, a), each(0, -1, (0, 2))),
]


# =============================================================================================
# Functions of lists of arrays
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


# =============================================================================================
# A composition of many rules
# =============================================================================================

def composite_terms(W, b, x, t):
    """A small network and loss mixing many rules: (a scalar loss, a vector of features). Each
    grid's `composite` adds the two up (the adjoint grid sums the features first)."""
    h = np.tanh(x @ W + b)
    h2 = np.maximum(h, -0.5) * np.exp(-0.5 * h ** 2)
    logits = h2.T[0] * 2.0 - h2[:, 1] / (1.0 + np.abs(b[1]))
    p = np.exp(logits - np.max(logits))
    p = p / np.sum(p)
    loss = -np.mean(np.log(p[[0, 2, 2]])) + 0.1 * np.sum(W * W)
    r = np.sqrt(np.sum(x.reshape(-1) ** 2) + 1.0)
    positive_part = np.where(h > 0.0, h, 0.0)
    return loss * r + math.sin(t) * np.prod(np.cos(b)), positive_part.mean(0)


# =============================================================================================
# Every rule target is spelled in a grid: the coverage tests
# =============================================================================================

OPERATOR_SPELLINGS = {"add": "x + y", "sub": "x - y", "mul": "x * y", "truediv": "x / y",
                      "pow": "x ** y", "mod": "x % y", "neg": "-x", "pos": "+x", "matmul": "a @ b",
                      "getitem": "x[1]"}


def spelling(key: Any) -> str:
    """How the target of a rule is written in a grid."""
    if isinstance(key, tuple):  # method("sum") or attribute("T")
        return f".{key[1]}"
    if key in vars(builtins).values():
        return f"{key.__name__}("
    if key in vars(operator).values():
        return OPERATOR_SPELLINGS.get(key.__name__, f"operator.{key.__name__}(")
    if key in vars(math).values():
        return f"math.{key.__name__}("
    return f"np.{key.__name__}("


def spelled_in(test_file: str) -> str:
    """The text in which a grid's coverage test looks for the spellings: the grid's own file
    (`__file__`) and this module, whose tables the grid runs."""
    return Path(test_file).read_text() + "\n" + Path(__file__).read_text()


def unspelled(targets: Sequence[Any], test_file: str) -> List[str]:
    """The spellings of those rule targets that appear neither in the grid's file nor here, and
    have no cases in the systematic check (tests/systematic/)."""
    source = spelled_in(test_file)
    checked = systematic_keys()
    return [spelling(key) for key in targets
            if spelling(key) not in source and not any(key is k or key == k for k in checked)
            and not _own_helper(key)]


def _own_helper(key: Any) -> bool:
    """A function of s2sgrad's own that rules and generated code call (`unbroadcast`,
    `quantile_adjoint`...): user code does not spell them; they have rules so that derivatives
    can be differentiated again, and the systematic check's second-order cases run them."""
    return (getattr(key, "__module__", None) or "").startswith("s2sgrad.")


def systematic_keys() -> List[Any]:
    """The registry keys of the functions the systematic check has cases for."""
    import systematic
    namespace: Dict[str, Any] = {"np": np, "math": math, "operator": operator}
    if importlib.util.find_spec("scipy") is not None:
        import scipy.linalg
        import scipy.special
        import scipy.stats
        namespace["scipy"] = scipy
    keys = []
    for target in sorted({case.target for case in systematic.all_cases()}):
        try:
            keys.append(systematic.resolve(target, namespace))
        except (AttributeError, KeyError, NameError, SyntaxError):
            continue
    return keys
