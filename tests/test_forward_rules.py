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

import s2sgrad as sg
from s2sgrad.rules import differentiated
from s2sgrad import api

# ---------------------------------------------------------------------------------------------
# Random inputs inside a domain
# ---------------------------------------------------------------------------------------------

PY = "float"  # stands for a Python float in the shape grids
SHAPES: List[Any] = [(), (3,), (2, 3), PY]
SHAPE_PAIRS: List[Tuple[Any, Any]] = [
    ((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)),
    ((), (2, 3)), ((2, 3), ()), (PY, (2, 3)), ((3,), PY), (PY, PY),
]
BOTH, FIRST, SECOND = "both", "first", "second"   # which operands of a binary op carry tangents
WHICH = {BOTH: (0, 1), FIRST: (0,), SECOND: (1,)}


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
        values = self.draw(rng, () if shape == PY else shape)
        return float(values) if shape == PY else np.asarray(values, dtype=np.float64)

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
NEAR_ONE = Domain("near_one", _signed(0.6, 1.4))      # factors of products, distinct extrema
MOD_SMOOTH = Domain("mod_smooth", _uniform(0.2, 1.3))  # x % 1.5 and 1.5 % x: no jumps


def sample_all(rng: np.random.Generator, shapes: Sequence[Any], domains: Sequence[Domain],
               ok: Callable[..., Any] = None) -> Tuple[Any, ...]:
    """Draw the arguments; with `ok`, redraw until `ok(*args)` holds everywhere."""
    for _ in range(1000):
        args = tuple(domain.sample(rng, shape) for domain, shape in zip(domains, shapes))
        if ok is None or np.all(ok(*args)):
            return args
    raise AssertionError("could not draw inputs inside the domain")


def cases(table: Sequence[Tuple]) -> List[Any]:
    """pytest params from a table whose rows start with an id."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


# ---------------------------------------------------------------------------------------------
# Functions whose source must contain literal constants (axis=0, keepdims=True, ...) are written
# to a real module file, so that s2sgrad can read their source like any other function's.
# ---------------------------------------------------------------------------------------------

_GENERATED = tempfile.TemporaryDirectory(prefix="s2sgrad_forward_rules_")
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
    ("operator.neg", lambda x: operator.neg(x), REAL),
    ("operator.pos", lambda x: operator.pos(x), REAL),
    ("np.copy", lambda x: np.copy(x), REAL),
    ("np.asarray", lambda x: np.asarray(x), REAL),
    ("np.array", lambda x: np.array(x), REAL),
    ("np.asanyarray", lambda x: np.asanyarray(x), REAL),
    ("chain:sin(exp(x))*x", lambda x: np.sin(np.exp(x)) * x, SMALL),
]


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("f, domain", cases(UNARY))
def test_unary_rule(f, domain, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (domain.sample(rng, shape),), monkeypatch, rng=rng)


# A number written in the code as one operand: the rules' compile-time branches.
WITH_A_CONSTANT = [
    ("x+2.0", lambda x: x + 2.0, REAL),
    ("2.0+x", lambda x: 2.0 + x, REAL),
    ("x-2.0", lambda x: x - 2.0, REAL),
    ("2.0-x", lambda x: 2.0 - x, REAL),
    ("x*2.0", lambda x: x * 2.0, REAL),
    ("2.0*x", lambda x: 2.0 * x, REAL),
    ("x/2.0", lambda x: x / 2.0, REAL),
    ("2.0/x", lambda x: 2.0 / x, NONZERO),
    ("x**2", lambda x: x ** 2, REAL),
    ("x**3.0", lambda x: x ** 3.0, REAL),
    ("x**0", lambda x: x ** 0, REAL),
    ("x**0.5", lambda x: x ** 0.5, POSITIVE),
    ("x**-1", lambda x: x ** -1, NONZERO),
    ("2.0**x", lambda x: 2.0 ** x, REAL),
    ("np.power(x,2)", lambda x: np.power(x, 2), REAL),
    ("np.power(x,1.5)", lambda x: np.power(x, 1.5), POSITIVE),
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
    ("operator.sub", lambda x, y: operator.sub(x, y), (REAL, REAL), None),
    ("operator.mul", lambda x, y: operator.mul(x, y), (REAL, REAL), None),
    ("operator.truediv", lambda x, y: operator.truediv(x, y), (REAL, NONZERO), None),
    ("operator.pow", lambda x, y: operator.pow(x, y), (POSITIVE, REAL), None),
    ("operator.mod", lambda x, y: operator.mod(x, y), (REAL, NONZERO), away_from_jumps),
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
    ("math.gamma", lambda x: math.gamma(x), (POSITIVE,)),
    ("math.gamma-negative", lambda x: math.gamma(x - 3.0), (POSITIVE,)),
    ("math.lgamma", lambda x: math.lgamma(x * 4.0), (POSITIVE,)),
    ("math.fmod", lambda x, y: math.fmod(x * 3.0, y), (POSITIVE, ABOVE_ONE)),
    ("math.copysign", lambda x, y: math.copysign(x, y), (NONZERO, NONZERO)),
    ("math-chain", lambda x, y: math.exp(math.sin(x) * y) / math.hypot(x, y), (REAL, NONZERO)),
]
if hasattr(math, "cbrt"):
    MATH += [("math.cbrt", lambda x: math.cbrt(x), (NONZERO,)),
             ("math.exp2", lambda x: math.exp2(x), (REAL,))]


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


@pytest.mark.parametrize("shape", [(3, 2), (2, 3, 4)], ids=shape_id)
@pytest.mark.parametrize("keepdims", KEEPDIMS, ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", AXES, ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("reducer", REDUCERS)
def test_reduction_with_constant_arguments(reducer, axis, keepdims, shape, request, monkeypatch):
    f = function_from_source(reduction_expression(reducer, axis, keepdims))
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, shape),), monkeypatch, rng=rng)


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


@pytest.mark.parametrize("keepdims", [True, False], ids=lambda k: f"keepdims={k}")
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, 0)], ids=lambda a: f"axis={a}")
@pytest.mark.parametrize("f", cases(RUNTIME_REDUCERS))
def test_reduction_with_runtime_axis_and_keepdims(f, axis, keepdims, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, (2, 3, 4)), axis, keepdims), monkeypatch, rng=rng)


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
    ("np.sum(np.tanh(x)*x)", lambda x: np.sum(np.tanh(x) * x)),
]


@pytest.mark.parametrize("shape", [(3, 2), (2, 3, 4)], ids=shape_id)
@pytest.mark.parametrize("f", cases(POSITIONAL_AXIS))
def test_reduction_with_positional_axis(f, shape, request, monkeypatch):
    rng = rng_for(request.node.name)
    check_jvp(f, (NEAR_ONE.sample(rng, shape),), monkeypatch, rng=rng)


REDUCTION_OF_SCALARS = [
    ("np.sum", lambda x: np.sum(x)),
    ("np.mean", lambda x: np.mean(x)),
    ("np.prod", lambda x: np.prod(x)),
    ("np.max", lambda x: np.max(x)),
    ("np.amin", lambda x: np.amin(x)),
    ("np.prod-axis0", lambda x: np.prod(x, axis=0)),
    ("np.max-axis0", lambda x: np.max(x, axis=0)),
]


@pytest.mark.parametrize("shape", [(), (1,), (4,), PY], ids=shape_id)
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


@pytest.mark.parametrize("which", list(WHICH))
@pytest.mark.parametrize("shapes", PRODUCT_SHAPES,
                         ids=lambda p: f"{shape_id(p[0])}@{shape_id(p[1])}")
@pytest.mark.parametrize("f", cases(PRODUCTS))
def test_product_rule(f, shapes, which, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = tuple(rng.standard_normal(s) for s in shapes)
    check_jvp(f, args, monkeypatch, wrt=WHICH[which], rng=rng)


DOT_WITH_SCALARS = [
    ("np.dot(s,x)", lambda s, x: np.dot(s, x), PY, (3, 2)),
    ("np.dot(x,s)", lambda x, s: np.dot(x, s), (3, 2), PY),
    ("np.dot(0d,x)", lambda s, x: np.dot(s, x), (), (2,)),
    ("np.dot(x,0d)", lambda x, s: np.dot(x, s), (2, 3, 4), ()),
    ("np.dot(s,s)", lambda s, t: np.dot(s, t), PY, PY),
    ("x.dot(s)", lambda x, s: x.dot(s), (3, 2), PY),
]


@pytest.mark.parametrize("which", list(WHICH))
@pytest.mark.parametrize("f, shape_a, shape_b", cases(DOT_WITH_SCALARS))
def test_dot_with_scalars(f, shape_a, shape_b, which, request, monkeypatch):
    rng = rng_for(request.node.name)
    args = (REAL.sample(rng, shape_a), REAL.sample(rng, shape_b))
    check_jvp(f, args, monkeypatch, wrt=WHICH[which], rng=rng)


# =============================================================================================
# Shape rules, copies, casts and indexing
# =============================================================================================

IDX = np.array([0, 2, 0, 0, 1])          # repeated fancy indices
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
    ("np.ravel-order-A", lambda x: np.ravel(x, order="A"), (3, 2)),
    ("np.ravel-order-K", lambda x: np.ravel(x, order="K"), (3, 2)),
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
    ("operator.getitem", lambda x: operator.getitem(x, 1), (3, 2)),
    ("x.copy()", lambda x: x.copy(), (3, 2)),
    ("x.copy(order)", lambda x: x.copy("F"), (3, 2)),
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


def each(*values: Any) -> List[Tuple[Any]]:
    """One single-argument call per value."""
    return [(value,) for value in values]


RUNTIME_SHAPE_ARGUMENTS = [  # (id, f(x, *arguments), argument tuples passed at run time)
    ("np.transpose", lambda x, a: np.transpose(x, a), each(None, (2, 0, 1), (-1, 0, 1), [1, 2, 0])),
    ("np.transpose-axes-keyword", lambda x, a: np.transpose(x, axes=a), each(None, (1, 2, 0))),
    ("x.transpose(a)", lambda x, a: x.transpose(a), each(None, (2, 0, 1), (0, -1, 1))),
    ("x.transpose(a,b,c)", lambda x, a, b, c: x.transpose(a, b, c), [(2, 0, 1), (-2, -1, 0)]),
    ("np.reshape-order", lambda x, o: np.reshape(x, (4, 6), order=o), each("C", "F", "A")),
    ("x.reshape-order", lambda x, o: x.reshape(6, 4, order=o), each("C", "F", "A")),
    ("np.reshape-shape", lambda x, s: np.reshape(x, s), each((4, 6), (-1,), (2, 12))),
    ("x.reshape(s)", lambda x, s: x.reshape(s), each((4, 6), -1)),
    ("np.ravel-order", lambda x, o: np.ravel(x, o), each("C", "F", "A", "K")),
    ("x.flatten-order", lambda x, o: x.flatten(o), each("C", "F", "K")),
    ("np.expand_dims", lambda x, a: np.expand_dims(x, a), each(0, -1, (0, 2))),
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

LIST_FUNCTIONS = [
    ("np.stack", lambda a, b, c: np.stack([a, b * c, c])),
    ("np.stack-axis", lambda a, b, c: np.stack((a, b, c), axis=-1)),
    ("np.concatenate", lambda a, b, c: np.concatenate([a, b, np.tanh(c)])),
    ("np.concatenate-axis-None", lambda a, b, c: np.concatenate([a, b * c], axis=None)),
    ("np.vstack", lambda a, b, c: np.vstack([a, b, c])),
    ("np.hstack", lambda a, b, c: np.hstack([a, b, c * a])),
    ("np.array", lambda a, b, c: np.array([a, b, c]) * np.array([c, a, b])),
    ("np.array-nested", lambda a, b, c: np.array([[a, b], [c, a]])),
    ("np.asarray", lambda a, b, c: np.asarray((a * b, c))),
    ("np.asanyarray", lambda a, b, c: np.asanyarray([a, c])),
    ("builtins.sum", lambda a, b, c: sum([a, b * c, c])),
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
    """A small network and loss mixing many rules."""
    h = np.tanh(x @ W + b)
    h2 = np.maximum(h, -0.5) * np.exp(-0.5 * h ** 2)
    logits = h2.T[0] * 2.0 - h2[:, 1] / (1.0 + np.abs(b[1]))
    p = np.exp(logits - np.max(logits))
    p = p / np.sum(p)
    loss = -np.mean(np.log(p[[0, 2, 2]])) + 0.1 * np.sum(W * W)
    r = np.sqrt(np.sum(x.reshape(-1) ** 2) + 1.0)
    positive_part = np.where(h > 0.0, h, 0.0)
    return loss * r + math.sin(t) * np.prod(np.cos(b)) + positive_part.mean(0)


@pytest.mark.parametrize("wrt", [(0, 1, 2, 3), (0,), (1,), (2,), (3,)], ids=lambda w: f"wrt={w}")
def test_composition_of_many_rules(wrt, monkeypatch):
    rng = rng_for("composite")
    args = (rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((4, 2)), 0.4)
    check_jvp(composite, args, monkeypatch, wrt=wrt, rng=rng)


# =============================================================================================
# Every tangent rule is exercised above
# =============================================================================================

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


def _is_runtime_helper(key: Any) -> bool:
    """Helpers that generated derivative code calls (unbroadcast, ...) have tangent rules too,
    for derivatives of derivatives; user code does not spell them."""
    return (getattr(key, "__module__", None) or "").startswith("s2sgrad.runtime")


def test_the_grid_covers_every_tangent_rule():
    """Every target of a tangent rule appears in this file (guards against silent gaps)."""
    from s2sgrad.rules import registry

    source = Path(__file__).read_text()
    builtin_rules = [key for key, rule in registry._tangents.items()
                     if rule.template.__module__.startswith("s2sgrad.rules")
                     and not _is_runtime_helper(key)]
    missing = [_spelling(key) for key in builtin_rules if _spelling(key) not in source]
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
