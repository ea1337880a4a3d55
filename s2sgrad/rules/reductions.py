"""Adjoint rules of reductions: sum, mean, prod, max, min (functions and array methods).

The adjoint of a reduction re-inserts the reduced axes and broadcasts back to the input's shape.
When `axis` and `keepdims` are written as constants the rule specializes at compile time (no axis
bookkeeping at run time); otherwise `expand_reduced` works it out. `max`/`min` split the gradient
evenly among tied extremal elements; `prod` is exact when the input contains zeros.
"""

import numpy as np

from ..runtime import broadcast_like, expand_reduced, extremum_adjoint, prod_adjoint
from ..runtime.reductions import extremum_tangent, prod_tangent
from .registry import adjoint, d, method, tangent


@adjoint(np.sum, method("sum"))
def sum_(z, x, axis=None, dtype=None, keepdims=False):
    if axis is None or keepdims is True:
        d[x] = broadcast_like(d[z], x)
    elif isinstance(axis, int) and keepdims is False:
        d[x] = broadcast_like(np.expand_dims(d[z], axis), x)
    else:
        d[x] = broadcast_like(expand_reduced(d[z], x, axis, keepdims), x)


@adjoint(np.mean, method("mean"))
def mean(z, x, axis=None, dtype=None, keepdims=False):
    if axis is None:
        d[x] = broadcast_like(d[z] / np.size(x), x)
    elif keepdims is True:
        d[x] = broadcast_like(d[z] / (np.size(x) / np.size(z)), x)
    elif isinstance(axis, int) and keepdims is False:
        d[x] = broadcast_like(np.expand_dims(d[z], axis) / (np.size(x) / np.size(z)), x)
    else:
        d[x] = broadcast_like(expand_reduced(d[z], x, axis, keepdims) / (np.size(x) / np.size(z)), x)


@adjoint(np.prod, method("prod"))
def prod(z, x, axis=None, dtype=None, keepdims=False):
    d[x] = prod_adjoint(d[z], x, axis, keepdims)


@adjoint(np.max, np.amax, np.min, np.amin, method("max"), method("min"))
def extremum(z, x, axis=None, out=None, keepdims=False):
    d[x] = extremum_adjoint(d[z], x, z, axis, keepdims)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------
# A reduction's tangent is the same reduction of the input's tangent (max/min: of the extremal
# elements' tangents, averaged over ties as the adjoint splits; prod: the product rule).


@tangent(np.sum, method("sum"))
def sum_tangent(z, x, axis=None, dtype=None, keepdims=False):
    if axis is None and keepdims is False:
        d[z] = np.sum(d[x])
    else:
        d[z] = np.sum(d[x], axis=axis, keepdims=keepdims)


@tangent(np.mean, method("mean"))
def mean_tangent(z, x, axis=None, dtype=None, keepdims=False):
    if axis is None and keepdims is False:
        d[z] = np.mean(d[x])
    else:
        d[z] = np.mean(d[x], axis=axis, keepdims=keepdims)


@tangent(np.prod, method("prod"))
def prod_tangent_rule(z, x, axis=None, dtype=None, keepdims=False):
    d[z] = prod_tangent(d[x], x, axis, keepdims)


@tangent(np.max, np.amax, np.min, np.amin, method("max"), method("min"))
def extremum_tangent_rule(z, x, axis=None, out=None, keepdims=False):
    d[z] = extremum_tangent(d[x], x, z, axis, keepdims)
