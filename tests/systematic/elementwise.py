"""Systematic cases of the elementwise rules: NumPy's float ufuncs (unary and binary), clip,
where, nan_to_num and casts (s2sgrad/rules/elementwise.py).

Unary functions run over SHAPES and Python floats, inside their domains; binary functions over
every pair of SHAPE_PAIRS (broadcasting both ways, Python floats on either side), with `ok=`
conditions keeping the draws away from kinks (ties of maximum, the jumps of mod and fmod, the
origin of arctan2). Each function also has second-order cases (a scalar function of it).
"""

from __future__ import annotations

import numpy as np

from . import (ABOVE_ONE, NONZERO, POSITIVE, PY, REAL, SHAPE_PAIRS, SHAPES, SMALL, UNIT, Case,
               Sampler, grid)

ALL_SHAPES = SHAPES + [PY]


def _apart(x, y):
    return np.abs(np.subtract(x, y)) > 0.1


def _away_from_origin(y, x):
    return np.hypot(x, y) > 0.3


def _away_from_jumps(x, y):
    """x mod y (floor) is smooth unless x / y is close to an integer."""
    frac = np.mod(np.divide(x, y), 1.0)
    return (frac > 0.05) & (frac < 0.95)


def _away_from_bounds(x):
    return np.abs(np.abs(x) - 0.5) > 0.05


# Entries that are not finite, at fixed positions (nan_to_num): NaN, +inf and -inf.
def _with_nonfinite(rng, shape):
    values = rng.uniform(-2.0, 2.0, shape)
    flat = values.reshape(-1)
    for position, value in zip((1, 3, 4), (np.nan, np.inf, -np.inf)):
        if position < flat.size:
            flat[position] = value
    return values


NONFINITE = Sampler("nonfinite", _with_nonfinite)


# Exact zeros at fixed positions (heaviside's second argument counts there).
def _with_zeros(rng, shape):
    values = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)
    flat = values.reshape(-1)
    flat[::2] = 0.0
    return values


WITH_ZEROS = Sampler("with_zeros", _with_zeros)

# =============================================================================================
# Unary functions: (target, expression, domain, ok)
# =============================================================================================

UNARY = [
    ("np.exp", "lambda x: np.exp(x)", SMALL, None),
    ("np.expm1", "lambda x: np.expm1(x)", SMALL, None),
    ("np.exp2", "lambda x: np.exp2(x)", SMALL, None),
    ("np.log", "lambda x: np.log(x)", POSITIVE, None),
    ("np.log1p", "lambda x: np.log1p(x)", POSITIVE, None),
    ("np.log2", "lambda x: np.log2(x)", POSITIVE, None),
    ("np.log10", "lambda x: np.log10(x)", POSITIVE, None),
    ("np.sin", "lambda x: np.sin(x)", REAL, None),
    ("np.cos", "lambda x: np.cos(x)", REAL, None),
    ("np.tan", "lambda x: np.tan(x)", SMALL, None),
    ("np.arcsin", "lambda x: np.arcsin(x)", UNIT, None),
    ("np.arccos", "lambda x: np.arccos(x)", UNIT, None),
    ("np.arctan", "lambda x: np.arctan(x)", REAL, None),
    ("np.sinh", "lambda x: np.sinh(x)", REAL, None),
    ("np.cosh", "lambda x: np.cosh(x)", REAL, None),
    ("np.tanh", "lambda x: np.tanh(x)", REAL, None),
    ("np.arcsinh", "lambda x: np.arcsinh(x)", REAL, None),
    ("np.arccosh", "lambda x: np.arccosh(x)", ABOVE_ONE, None),
    ("np.arctanh", "lambda x: np.arctanh(x)", UNIT, None),
    ("np.sqrt", "lambda x: np.sqrt(x)", POSITIVE, None),
    ("np.cbrt", "lambda x: np.cbrt(x)", NONZERO, None),
    ("np.square", "lambda x: np.square(x)", REAL, None),
    ("np.reciprocal", "lambda x: np.reciprocal(x)", NONZERO, None),
    ("np.abs", "lambda x: np.abs(x)", NONZERO, None),
    ("np.absolute", "lambda x: np.absolute(x)", NONZERO, None),
    ("np.fabs", "lambda x: np.fabs(x)", NONZERO, None),
    ("np.negative", "lambda x: np.negative(x)", REAL, None),
    ("np.positive", "lambda x: np.positive(x)", REAL, None),
    ("np.sinc", "lambda x: np.sinc(x)", REAL, None),
    ("np.deg2rad", "lambda x: np.deg2rad(x)", REAL, None),
    ("np.rad2deg", "lambda x: np.rad2deg(x)", REAL, None),
    ("np.radians", "lambda x: np.radians(x)", REAL, None),
    ("np.degrees", "lambda x: np.degrees(x)", REAL, None),
    ("np.nan_to_num", "lambda x: np.nan_to_num(x)", REAL, None),
    ("np.clip", "lambda x: np.clip(x, -0.5, 0.5)", REAL, _away_from_bounds),
]

CASES = []
for _target, _expression, _domain, _ok in UNARY:
    CASES += grid(_target, _expression, [(s,) for s in ALL_SHAPES], [_domain], ok=_ok)
    # second order: a scalar function of it (its Hessian is the rule's derivative, composed)
    _inner = _expression.split(": ", 1)[1]
    CASES += grid(_target, f"lambda x: np.sum({_inner} * {_inner})", [((3, 2),)],
                  [_domain], ok=_ok, order=2, label="order2")

# clip: keyword spellings (a_min/a_max, min/max), one-sided bounds, the method, bounds that are
# differentiated arrays (from the other argument: both the clipped and the free case occur)
CASES += grid("np.clip", "lambda x: np.clip(x, a_min=-0.5, a_max=0.5)", [((3, 2),), ((2,),)],
              [REAL], ok=_away_from_bounds, label="a_min-a_max")
CASES += grid("np.clip", "lambda x: np.clip(x, None, 0.5)", [((3, 2),), (PY,)],
              [REAL], ok=_away_from_bounds, label="upper-only")
CASES += grid("np.clip", "lambda x: np.clip(x, -0.5, None)", [((3, 2),)],
              [REAL], ok=_away_from_bounds, label="lower-only")
CASES += grid("np.clip", "lambda x, y: np.clip(x, y, 3.0)", SHAPE_PAIRS, ok=_apart,
              label="bound-y")
CASES += grid("np.clip", "lambda x, y: np.clip(y, x - 1.0, x)",
              [((3, 2), (3, 2)), ((2,), (3, 2)), ((), (1, 2))],
              ok=lambda x, y: _apart(x, y) & _apart(x - 1.0, y), label="both-bounds")
if np.lib.NumpyVersion(np.__version__) >= "2.1.0":
    CASES += grid("np.clip", "lambda x, y: np.clip(x, min=y, max=1.0)", [((3, 2), (2,))],
                  ok=_apart, label="min-max-keywords")
CASES += grid(".clip", "lambda x: x.clip(-0.5, 0.5)", [((3, 2),), ((),), ((2,),)], [REAL],
              ok=_away_from_bounds)
CASES += grid(".clip", "lambda x: x.clip(min=-0.5)", [((3, 2),)], [REAL],
              ok=_away_from_bounds, label="min")
CASES += grid(".clip", "lambda x: x.clip(max=0.5)", [((3, 2),)], [REAL],
              ok=_away_from_bounds, label="max")
CASES += grid(".clip", "lambda x, y: x.clip(y, 3.0)", [((3, 2), (2,)), ((2,), ())], ok=_apart,
              label="bound-y")

# nan_to_num: non-finite entries at fixed positions; the fill values are differentiable too.
# (The default fills of +-inf are the largest floats, which swamp a finite difference: the
# cases with infinities give their fills.)
CASES += grid("np.nan_to_num", "lambda x: np.nan_to_num(x, posinf=3.0, neginf=-3.0)",
              [((3, 2),), ((2, 3, 4),)], [NONFINITE], label="nonfinite")
CASES += grid("np.nan_to_num", "lambda x, n, p: np.nan_to_num(x, nan=n, posinf=p, neginf=-p)",
              [((3, 2), PY, PY), ((2, 3, 4), (), ())], [NONFINITE, REAL, POSITIVE],
              label="fills")
CASES += grid("np.nan_to_num", "lambda x, n: np.nan_to_num(x, True, n, 2.0, -2.0)",
              [((3, 2), PY)], [NONFINITE, REAL], label="positional")
CASES += grid("np.nan_to_num",
              "lambda x, n: np.sum(np.nan_to_num(x, nan=n * n, posinf=n, neginf=-n) ** 2)",
              [((3, 2), PY)], [NONFINITE, REAL], label="fills-order2", order=2)

# =============================================================================================
# Binary functions over every pair of shapes: (target, expression, domains, ok)
# =============================================================================================

BINARY = [
    ("np.add", "lambda x, y: np.add(x, y)", (REAL, REAL), None),
    ("np.subtract", "lambda x, y: np.subtract(x, y)", (REAL, REAL), None),
    ("np.multiply", "lambda x, y: np.multiply(x, y)", (REAL, REAL), None),
    ("np.divide", "lambda x, y: np.divide(x, y)", (REAL, NONZERO), None),
    ("np.maximum", "lambda x, y: np.maximum(x, y)", (REAL, REAL), _apart),
    ("np.minimum", "lambda x, y: np.minimum(x, y)", (REAL, REAL), _apart),
    ("np.fmax", "lambda x, y: np.fmax(x, y)", (REAL, REAL), _apart),
    ("np.fmin", "lambda x, y: np.fmin(x, y)", (REAL, REAL), _apart),
    ("np.hypot", "lambda x, y: np.hypot(x, y)", (REAL, REAL), _away_from_origin),
    ("np.arctan2", "lambda y, x: np.arctan2(y, x)", (REAL, REAL), _away_from_origin),
    ("np.power", "lambda x, y: np.power(x, y)", (POSITIVE, REAL), None),
    ("np.float_power", "lambda x, y: np.float_power(x, y)", (POSITIVE, REAL), None),
    ("np.mod", "lambda x, y: np.mod(x, y)", (REAL, NONZERO), _away_from_jumps),
    ("np.fmod", "lambda x, y: np.fmod(x, y)", (REAL, NONZERO), _away_from_jumps),
    ("np.logaddexp", "lambda x, y: np.logaddexp(x, y)", (REAL, REAL), None),
    ("np.logaddexp2", "lambda x, y: np.logaddexp2(x, y)", (REAL, REAL), None),
    ("np.copysign", "lambda x, y: np.copysign(x, y)", (NONZERO, NONZERO), None),
    ("np.where", "lambda x, y: np.where(x > y, x * y, y)", (REAL, REAL), _apart),
]
# the arithmetic ufuncs (whose operator spellings the older grids cover) on fewer pairs
FEWER_PAIRS = [((3, 2), (3, 2)), ((3, 2), (2,)), ((1, 2), (3, 1)), ((), (3, 2)), (PY, (2,)),
               ((2,), PY)]

for _target, _expression, _domains, _ok in BINARY:
    _pairs = FEWER_PAIRS if _target in ("np.add", "np.subtract", "np.multiply") else SHAPE_PAIRS
    if _target == "np.where":
        _pairs = FEWER_PAIRS
    CASES += grid(_target, _expression, _pairs, _domains, ok=_ok)
    _params, _inner = _expression.split(": ", 1)
    CASES += grid(_target, f"{_params}: np.sum({_inner} ** 2)", [((3, 2), (2,)), (PY, ())],
                  _domains, ok=_ok, order=2, label="order2")

# (1, 3)-(3, 1) broadcasting to a matrix, both operands growing
_GROWING = [((1, 3), (2, 1)), ((2, 1, 3), (4, 1))]
for _target, _expression, _domains, _ok in BINARY[4:17:2]:
    CASES += grid(_target, _expression, _GROWING, _domains, ok=_ok, label="outer")

# powers with a number written in the code (the rules' compile-time branches)
CASES += grid("np.power", "lambda x: np.power(x, 3)", [((3, 2),), (PY,)], [REAL], label="int")
CASES += grid("np.power", "lambda x: np.power(x, 2.5)", [((3, 2),), ((),)], [POSITIVE],
              label="float")
CASES += grid("np.power", "lambda x: np.power(2.0, x)", [((3, 2),), (PY,)], [REAL], label="base")
CASES += grid("np.float_power", "lambda x: np.float_power(x, 3)", [((3, 2),), (PY,)], [REAL],
              label="int")
CASES += grid("np.float_power", "lambda x: np.float_power(x, 0.5)", [((3, 2),), ((),)],
              [POSITIVE], label="float")
CASES += grid("np.float_power", "lambda x: np.float_power(x, 0)", [((3, 2),)], [POSITIVE],
              label="zero")
CASES += grid("np.float_power", "lambda x: np.float_power(3.0, x)", [((3, 2),), (PY,)], [REAL],
              label="base")
CASES += grid("np.fmod", "lambda x: np.fmod(x, 0.7)", [((3, 2),), (PY,)], [REAL],
              ok=lambda x: _away_from_jumps(x, 0.7), label="constant")
CASES += grid("np.fmod", "lambda y: np.fmod(2.5, y)", [((3, 2),), (PY,)], [NONZERO],
              ok=lambda y: _away_from_jumps(2.5, y), label="constant-x")
CASES += grid("np.logaddexp", "lambda x: np.logaddexp(x, 0.5)", [((3, 2),), (PY,)], [REAL],
              label="constant")
CASES += grid("np.copysign", "lambda x: np.copysign(x, -1.0)", [((3, 2),), (PY,)], [NONZERO],
              label="constant")
CASES += grid("np.copysign", "lambda x, y: np.copysign(x * y, y)", [((3, 2), (2,))],
              [NONZERO, NONZERO], label="sign-of-y")

# heaviside: a derivative only in the value at x == 0 (x drawn with exact zeros, x constant);
# in x it is zero away from 0
CASES += grid("np.heaviside", "lambda x, h: np.heaviside(x, h)",
              [((3, 2), (3, 2)), ((3, 2), (2,)), ((2,), ()), ((3, 2), PY), ((), PY)],
              [WITH_ZEROS, REAL], wrt=(1,), label="at-zero")
CASES += grid("np.heaviside", "lambda x, h: np.heaviside(x, h) * x",
              [((3, 2), (3, 2)), ((2,), PY), (PY, ())], [NONZERO, REAL])
CASES += grid("np.heaviside", "lambda x, h: np.sum((np.heaviside(x, h) * h) ** 2)",
              [((3, 2), (2,))], [WITH_ZEROS, REAL], wrt=(1,), order=2, label="order2")

# =============================================================================================
# Casts
# =============================================================================================

CASES += grid(".astype", "lambda x: x.astype(float)", [((3, 2),), ((),)], [REAL],
              label="elementwise-float")
CASES += grid(".astype", "lambda x: np.sin(x).astype(np.float64) * x", [((3, 2),)], [REAL],
              label="elementwise-float64-chain")
CASES += grid(".astype", "lambda x: x.astype(int) * x", [((3, 2),), ((2,),)], [REAL],
              ok=lambda x: np.abs(x - np.round(x)) > 0.05, label="elementwise-int")
CASES += grid(".astype", "lambda x: np.sum(x.astype(float) ** 3)", [((3, 2),)], [REAL],
              order=2, label="elementwise-order2")

# compositions of the new rules with each other
CASES += [
    Case("np.logaddexp", "lambda x, y: np.sum(np.logaddexp(np.sinc(x), np.fmod(y, 0.8)) ** 2)",
         ((3, 2), (2,)), (SMALL, REAL), ok=lambda x, y: _away_from_jumps(y, 0.8), order=2,
         label="chain"),
    Case("np.float_power", "lambda x, y: np.sum(np.float_power(np.logaddexp2(x, y), 1.5))",
         ((3, 2), (3, 2)), (REAL, REAL), order=2, label="chain"),
]
