"""Systematic cases of the reductions, scans and statistics: sum, mean, prod, max, min (and amax,
amin, the methods), var, std, ptp, nansum, nanmean, nanmax, nanmin, median, quantile, percentile,
average, cumsum, cumprod (s2sgrad/rules/reductions.py, s2sgrad/rules/statistics.py).

Every reduction runs over axis None/0/1/-1 and keepdims False/True on (3, 2) and (2, 3, 4), and
on scalars and vectors; plus positional axes, tuple axes, the keyword variants (ddof=, q=,
method=, weights=) and second-order cases. Inputs of order statistics (max, median, ...) are
drawn with distinct, well-separated values (no ties), except in the cases that make ties on
purpose (a slice holding copies of the same values, where the function stays differentiable).
The nan-reductions get NaN entries at fixed positions (never a whole slice), and are applied to
the input itself: any elementwise operation before them would carry the NaN into the gradient
(the chain rule multiplies their zero gradient by a derivative evaluated at NaN). cumprod gets
exact zeros at fixed positions (several per slice) in the cases labelled "zeros".
"""

from __future__ import annotations

import numpy as np
import pytest

from . import NEAR_ONE, POSITIVE, PY, REAL, Domain, Sampler, grid, uniform

REDUCTION_SHAPES = [(3, 2), (2, 3, 4)]
AXES = [None, 0, 1, -1]
KEEPDIMS = [False, True]
SCALARS = [((),), ((2,),), (PY,)]


def _distinct(rng, shape):
    """Values at least 0.2 apart (in a random order): no ties, so extrema and order statistics
    are differentiable, and finite differences do not reorder them."""
    n = int(np.prod(shape, dtype=int))
    values = (rng.permutation(n) - n / 2) * 0.35 + rng.uniform(-0.07, 0.07, n)
    return values.reshape(shape)


DISTINCT = Sampler("distinct", _distinct)

# NaN entries at fixed positions, never filling a slice along any axis
_NAN_POSITIONS = {(3, 2): [1, 4], (2, 3, 4): [0, 7, 13, 22], (2,): [1], (4,): [0, 2]}


def _with_nans(rng, shape):
    values = _distinct(rng, shape)
    values.reshape(-1)[_NAN_POSITIONS.get(tuple(shape), [])] = np.nan
    return values


WITH_NANS = Sampler("with_nans", _with_nans)

# exact zeros at fixed positions (cumprod, prod): slices with one and with several zeros
_ZERO_POSITIONS = {(3, 2): [2, 3, 4], (2, 3, 4): [5, 6, 17], (4,): [1]}


def _with_zeros(rng, shape):
    values = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.6, 1.4, shape)
    values.reshape(-1)[_ZERO_POSITIONS.get(tuple(shape), [])] = 0.0
    return values


WITH_ZEROS = Sampler("with_zeros", _with_zeros)

# quantile levels away from the kinks in q (where (n - 1) q is an integer, n = 3, 4, 6)
LEVEL = Domain("level", uniform(0.05, 0.15))
LEVELS_PERCENT = Domain("level_percent", uniform(5.0, 15.0))


def _call(function: str, axis, keepdims, extra: str = "") -> str:
    """"lambda x: np.var(x, axis=0, keepdims=True)" (or a method call for ".var")."""
    arguments = [] if function.startswith(".") else ["x"]
    if extra:
        arguments.append(extra)
    arguments += [f"axis={axis!r}", f"keepdims={keepdims!r}"]
    head = f"x{function}" if function.startswith(".") else function
    return f"lambda x: {head}({', '.join(arguments)})"


def reduction_grid(target: str, domain, extra: str = "", label: str = "", shapes=None,
                   axes=None, **options):
    """One case per shape, axis and keepdims setting."""
    out = []
    for shape in shapes or REDUCTION_SHAPES:
        for axis in axes or AXES:
            for keepdims in KEEPDIMS:
                words = "-".join(w for w in (label, f"axis={axis}", f"keepdims={keepdims}") if w)
                out += grid(target, _call(target, axis, keepdims, extra), [(shape,)], [domain],
                            label=words, **options)
    return out


CASES = []

# =============================================================================================
# Reductions over the full axis/keepdims grid; aliases and methods over a smaller one
# =============================================================================================

FULL = [
    ("np.sum", REAL), ("np.mean", REAL), ("np.prod", NEAR_ONE), ("np.max", DISTINCT),
    ("np.min", DISTINCT), ("np.var", REAL), ("np.std", REAL), ("np.ptp", DISTINCT),
    ("np.nansum", WITH_NANS), ("np.nanmean", WITH_NANS), ("np.nanmax", WITH_NANS),
    ("np.nanmin", WITH_NANS), ("np.median", DISTINCT), ("np.average", REAL),
]
for _target, _domain in FULL:
    CASES += reduction_grid(_target, _domain)
    # scalars and vectors (axis None): 0-d arrays, Python floats, a vector
    CASES += grid(_target, f"lambda x: {_target}(x)", [((),), (PY,)],
                  [NEAR_ONE if _domain is NEAR_ONE else REAL], label="no-axis")
    CASES += grid(_target, f"lambda x: {_target}(x)", [((4,),)], [_domain], label="no-axis")

ALIASES = [("np.amax", DISTINCT), ("np.amin", DISTINCT), (".sum", REAL), (".mean", REAL),
           (".prod", NEAR_ONE), (".max", DISTINCT), (".min", DISTINCT), (".var", REAL),
           (".std", REAL)]
for _target, _domain in ALIASES:
    CASES += reduction_grid(_target, _domain, shapes=[(3, 2)])
    CASES += grid(_target, _call(_target, 1, False), [((2, 3, 4),)], [_domain],
                  label="axis=1-3d")

# the method ptp exists in NumPy < 2 only
_NO_PTP_METHOD = pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) >= "2.0.0",
                                    reason="ndarray.ptp was removed in NumPy 2")
CASES += reduction_grid(".ptp", DISTINCT, shapes=[(3, 2)], axes=[None, 0],
                        marks=(_NO_PTP_METHOD,))

# positional axis (and the other positional parameters where NumPy allows them)
POSITIONAL = [
    ("np.sum", "lambda x: np.sum(x, 0)", REAL),
    ("np.mean", "lambda x: np.mean(x, -1)", REAL),
    ("np.prod", "lambda x: np.prod(x, 1)", NEAR_ONE),
    ("np.max", "lambda x: np.max(x, 0)", DISTINCT),
    ("np.min", "lambda x: np.min(x, 1)", DISTINCT),
    ("np.var", "lambda x: np.var(x, 0)", REAL),
    ("np.var", "lambda x: np.var(x, 1, None, None, 1)", REAL),
    ("np.std", "lambda x: np.std(x, -1)", REAL),
    ("np.std", "lambda x: np.std(x, 0, None, None, 1, True)", REAL),
    ("np.ptp", "lambda x: np.ptp(x, 1)", DISTINCT),
    ("np.nansum", "lambda x: np.nansum(x, 0)", WITH_NANS),
    ("np.nanmean", "lambda x: np.nanmean(x, 1)", WITH_NANS),
    ("np.nanmax", "lambda x: np.nanmax(x, 0)", WITH_NANS),
    ("np.nanmin", "lambda x: np.nanmin(x, -1)", WITH_NANS),
    ("np.median", "lambda x: np.median(x, 0)", DISTINCT),
    ("np.average", "lambda x: np.average(x, 1)", REAL),
    (".var", "lambda x: x.var(0)", REAL),
    (".std", "lambda x: x.std(1, None, None, 1)", REAL),
    (".sum", "lambda x: x.sum(1)", REAL),
    (".max", "lambda x: x.max(0)", DISTINCT),
]
for _target, _expression, _domain in POSITIONAL:
    CASES += grid(_target, _expression, [((3, 2),), ((2, 3, 4),)], [_domain],
                  label="positional-" + _expression.split(": ", 1)[1].replace(" ", ""))

# tuple axes
for _target, _domain in FULL:
    for _axis, _keepdims in (((0, 2), False), ((-1, 0), True), ((0, 1, 2), False)):
        CASES += grid(_target, _call(_target, _axis, _keepdims), [((2, 3, 4),)], [_domain],
                      label=f"axis={_axis}-keepdims={_keepdims}".replace(" ", ""))

# =============================================================================================
# var / std: ddof and correction
# =============================================================================================

for _target in ("np.var", "np.std", ".var", ".std"):
    for _axis in (None, 0, -1):
        CASES += grid(_target, _call(_target, _axis, False, "ddof=1"), [((3, 2),), ((2, 3, 4),)],
                      [REAL], label=f"ddof=1-axis={_axis}")
CASES += grid("np.var", _call("np.var", 1, True, "ddof=2"), [((2, 3, 4),)], [REAL],
              label="ddof=2")
if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
    CASES += grid("np.var", _call("np.var", 0, False, "correction=1"), [((3, 2),)], [REAL],
                  label="correction")
    CASES += grid("np.std", _call("np.std", None, False, "correction=1.5"), [((2, 3, 4),)],
                  [REAL], label="correction")
# a slice of one value (std 0: gradient 0, as the function is constant)
CASES += grid("np.std", "lambda x: np.std(x, axis=0)", [((1, 2),)], [REAL], label="one-value")

# =============================================================================================
# cumsum, cumprod
# =============================================================================================

for _target, _domain in (("np.cumsum", REAL), ("np.cumprod", NEAR_ONE)):
    for _axis in AXES:
        CASES += grid(_target, f"lambda x: {_target}(x, axis={_axis})", [((3, 2),), ((2, 3, 4),)],
                      [_domain], label=f"axis={_axis}")
    CASES += grid(_target, f"lambda x: {_target}(x)", [((),), ((4,),), (PY,)], [_domain],
                  label="no-axis")
    CASES += grid(_target, f"lambda x: {_target}(x, 1)", [((3, 2),)], [_domain],
                  label="positional")
    _method = "." + _target[3:]
    CASES += grid(_method, f"lambda x: x{_method}()", [((3, 2),), ((4,),)], [_domain])
    CASES += grid(_method, f"lambda x: x{_method}(0)", [((3, 2),), ((2, 3, 4),)], [_domain],
                  label="positional")
    CASES += grid(_method, f"lambda x: x{_method}(axis=-1)", [((2, 3, 4),)], [_domain],
                  label="axis=-1")
    CASES += grid(_target, f"lambda x: np.sum({_target}(x, axis=0) ** 2)", [((3, 2),)],
                  [_domain], order=2, label="order2")
    CASES += grid(_target, f"lambda x: np.sum(np.sin({_target}(x)))", [((2, 3),)],
                  [_domain], order=2, label="order2-flat")
    CASES += grid(_method, f"lambda x: np.sum(x{_method}(1) ** 3)", [((2, 3),)],
                  [_domain], order=2, label="order2")

# cumprod with exact zeros (first order is exact there; several zeros per slice)
for _axis in AXES:
    CASES += grid("np.cumprod", f"lambda x: np.cumprod(x, axis={_axis})",
                  [((3, 2),), ((2, 3, 4),)], [WITH_ZEROS], label=f"zeros-axis={_axis}")
CASES += grid("np.cumprod", "lambda x: np.cumprod(x)", [((4,),)], [WITH_ZEROS], label="zeros")
CASES += grid(".cumprod", "lambda x: x.cumprod(0)", [((3, 2),)], [WITH_ZEROS], label="zeros")
CASES += grid("np.prod", "lambda x: np.prod(x, axis=0)", [((3, 2),), ((2, 3, 4),)],
              [WITH_ZEROS], label="zeros")

# =============================================================================================
# Order statistics: median, quantile, percentile
# =============================================================================================

QUANTILES = [
    ("np.quantile", "0.3", "q=0.3"),
    ("np.quantile", "[0.25, 0.8]", "q=list"),
    ("np.quantile", "np.array([[0.1, 0.7], [0.45, 1.0]])", "q=2d"),
    ("np.percentile", "30.0", "q=30"),
    ("np.percentile", "[0.0, 65.0, 100.0]", "q=list"),
]
for _target, _q, _label in QUANTILES:
    CASES += reduction_grid(_target, DISTINCT, extra=_q, label=_label,
                            shapes=[(3, 2), (2, 3, 4)] if _label == "q=0.3" else [(2, 3, 4)],
                            axes=AXES if _label in ("q=0.3", "q=30") else [None, 1])
    CASES += grid(_target, f"lambda x: {_target}(x, {_q})", [((),), ((4,),)], [REAL],
                  label=_label + "-no-axis")
for _method, _q in (("lower", "0.3"), ("higher", "0.3"), ("nearest", "0.35"),
                    ("midpoint", "0.3"), ("linear", "0.3")):
    for _target, _scale in (("np.quantile", ""), ("np.percentile", "100 * ")):
        CASES += grid(_target, f"lambda x: {_target}(x, {_scale}{_q}, axis=0, method={_method!r})",
                      [((3, 2),), ((2, 3, 4),)], [DISTINCT], label=f"method={_method}")
CASES += grid("np.quantile", "lambda x: np.quantile(x, 0.6, 0)", [((3, 2),)], [DISTINCT],
              label="positional")
CASES += grid("np.percentile", "lambda x: np.percentile(x, 60, 1, None)", [((3, 2),)],
              [DISTINCT], label="positional")
# the level q differentiated too (away from its kinks)
CASES += grid("np.quantile", "lambda x, q: np.quantile(x, q, axis=0)",
              [((3, 2), PY), ((2, 3, 4), ()), ((3, 2), (2,))], [DISTINCT, LEVEL], label="wrt-q")
CASES += grid("np.quantile", "lambda x, q: np.quantile(x, q)", [((3, 2), (2, 2))],
              [DISTINCT, LEVEL], label="wrt-q")
CASES += grid("np.percentile", "lambda x, q: np.percentile(x, q, axis=-1, keepdims=True)",
              [((3, 2), PY), ((2, 3, 4), (3,))], [DISTINCT, LEVELS_PERCENT], label="wrt-q")
# ties: a slice holding copies of the same values (differentiable: the copies move together)
CASES += grid("np.median", "lambda x: np.median(np.stack([x, x]), axis=0)", [((3, 2),)],
              [DISTINCT], label="ties")
CASES += grid("np.quantile", "lambda x: np.quantile(np.stack([x, x, x]), 0.3, axis=0)",
              [((3, 2),)], [DISTINCT], label="ties")
CASES += grid("np.median", "lambda x: np.median(np.stack([x, x, x]))", [((2,),)], [DISTINCT],
              label="ties-flat")
CASES += grid("np.max", "lambda x: np.max(np.stack([x, x]), axis=0)", [((3, 2),)], [DISTINCT],
              label="ties")
CASES += grid("np.ptp", "lambda x: np.ptp(np.stack([x, x]))", [((3, 2),)], [DISTINCT],
              label="ties")
CASES += grid("np.nanmax", "lambda x: np.nanmax(np.stack([x, x]), axis=1)", [((3, 2),)],
              [WITH_NANS], label="ties")

# =============================================================================================
# average: weights
# =============================================================================================

WEIGHTED = [
    ("lambda x, w: np.average(x, weights=w)", [((3, 2), (3, 2)), ((2, 3, 4), (2, 3, 4))],
     "weights-full"),
    ("lambda x, w: np.average(x, axis=0, weights=w)", [((3, 2), (3,)), ((3, 2), (3, 2)),
                                                       ((2, 3, 4), (2,))], "weights-axis=0"),
    ("lambda x, w: np.average(x, axis=1, weights=w)", [((3, 2), (2,)), ((2, 3, 4), (3,)),
                                                       ((2, 3, 4), (2, 3, 4))], "weights-axis=1"),
    ("lambda x, w: np.average(x, axis=-1, weights=w, keepdims=True)",
     [((3, 2), (2,)), ((2, 3, 4), (4,))], "weights-axis=-1-keepdims"),
    ("lambda x, w: np.average(x, axis=(2, 0), weights=w)", [((2, 3, 4), (4, 2))],
     "weights-axis=(2,0)"),
    ("lambda x, w: np.average(x, axis=(0, 1), weights=w, keepdims=True)",
     [((2, 3, 4), (2, 3)), ((2, 3, 4), (2, 3, 4))], "weights-axis=(0,1)-keepdims"),
    ("lambda x, w: np.average(x, 0, w)", [((3, 2), (3,))], "weights-positional"),
    ("lambda x, w: np.average(x, None, w)", [((4,), (4,))], "weights-positional-None"),
]
for _expression, _shapes, _label in WEIGHTED:
    CASES += grid("np.average", _expression, _shapes, [REAL, POSITIVE], label=_label)
CASES += grid("np.average", "lambda x, w: np.average(x, axis=0, weights=w)", [((3, 2), (3,))],
              [REAL, POSITIVE], wrt=(1,), label="wrt-weights")
CASES += grid("np.average", "lambda x, w: np.sum(np.average(x, axis=0, weights=w) ** 2)",
              [((3, 2), (3,)), ((3, 2), (3, 2))], [REAL, POSITIVE], order=2, label="order2")
CASES += grid("np.average", "lambda x, w: np.average(x * x, axis=(2, 0), weights=w * w).sum()",
              [((2, 3, 4), (4, 2))], [REAL, POSITIVE], order=2, label="order2-tuple-axis")

# =============================================================================================
# Second order (a scalar function of each)
# =============================================================================================

SECOND_ORDER = [
    ("np.sum", "lambda x: np.sum(np.sum(x, axis=0) ** 3)", REAL),
    ("np.mean", "lambda x: np.sum(np.mean(x, axis=-1, keepdims=True) ** 3)", REAL),
    ("np.prod", "lambda x: np.sum(np.prod(x, axis=1) ** 2)", NEAR_ONE),
    ("np.max", "lambda x: np.sum(np.max(x, axis=0) ** 3)", DISTINCT),
    ("np.min", "lambda x: np.min(x * x)", DISTINCT),
    ("np.var", "lambda x: np.sum(np.var(x, axis=0) ** 2)", REAL),
    ("np.var", "lambda x: np.var(x, ddof=1)", REAL),
    ("np.std", "lambda x: np.sum(np.std(x, axis=1) ** 3)", REAL),
    ("np.std", "lambda x: np.std(x)", REAL),
    (".var", "lambda x: np.sum(x.var(axis=1, keepdims=True) ** 2)", REAL),
    (".std", "lambda x: x.std(ddof=1)", REAL),
    ("np.ptp", "lambda x: np.sum(np.ptp(x, axis=0) ** 2)", DISTINCT),
    ("np.nansum", "lambda x: np.sum(np.nansum(x, axis=0) ** 2)", WITH_NANS),
    ("np.nanmean", "lambda x: np.nanmean(x) ** 2", WITH_NANS),
    ("np.nanmax", "lambda x: np.sum(np.nanmax(x, axis=1) ** 2)", WITH_NANS),
    ("np.nanmin", "lambda x: np.nanmin(x) ** 3", WITH_NANS),
    ("np.median", "lambda x: np.sum(np.median(x, axis=0) ** 2)", DISTINCT),
    ("np.median", "lambda x: np.median(x * x * x)", DISTINCT),
    ("np.quantile", "lambda x: np.sum(np.quantile(x, [0.2, 0.7], axis=1) ** 2)", DISTINCT),
    ("np.percentile", "lambda x: np.sum(np.percentile(x, 40, axis=0) ** 3)", DISTINCT),
    ("np.average", "lambda x: np.sum(np.average(x, axis=0) ** 3)", REAL),
]
for _target, _expression, _domain in SECOND_ORDER:
    CASES += grid(_target, _expression, [((3, 2),), ((2, 3, 4),)], [_domain], order=2,
                  label="order2-" + _expression.split(": ", 1)[1].replace(" ", ""))
CASES += grid("np.quantile", "lambda x, q: np.sum(np.quantile(x, q, axis=0) ** 2)",
              [((3, 2), PY), ((3, 2), (2,))], [DISTINCT, LEVEL], order=2, label="order2-wrt-q")
CASES += grid("np.percentile", "lambda x, q: np.sum(np.percentile(x * x, q) ** 2)",
              [((2, 3), PY)], [DISTINCT, LEVELS_PERCENT], order=2, label="order2-wrt-q")
