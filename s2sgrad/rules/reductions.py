"""Rules of reductions and scans: sum, mean, prod, max, min, ptp, the NaN-ignoring nansum,
nanmean, nanmax, nanmin, and the cumulative cumsum, cumprod (functions and array methods).

The adjoint of a reduction re-inserts the reduced axes and broadcasts back to the input's shape.
When `axis` and `keepdims` are written as constants the rule specializes at compile time (no axis
bookkeeping at run time); otherwise `expand_reduced` works it out.

Conventions:
* `max`/`min` (and `nanmax`/`nanmin`, `ptp`) split the gradient evenly among tied extremal
  elements; `ptp` is `max - min`, so a constant slice gets zero gradient.
* `prod` is exact when the input contains zeros.
* The nan-reductions give NaN entries zero gradient (they do not take part in the result); an
  all-NaN slice gets zero gradient everywhere.
* `cumsum`'s adjoint is the reversed cumulative sum. `cumprod` is exact with zeros at first
  order: up to a slice's first zero p, d z_j / d x_i = z_j / x_i; from p on, only x_p matters,
  through the products with x_p left out (computed by cumprod with x_p replaced by 1).
  Its second derivatives are those of this formula, exact away from zeros (at a zero, the terms
  through the products that contain it are missed).
* `axis=None` scans read the input flattened, like NumPy.
"""

import numpy as np

from ..runtime import broadcast_like, expand_reduced, extremum_adjoint, prod_adjoint
from ..runtime.reductions import extremum_tangent, prod_tangent
from ..runtime.statistics import reverse_cumsum
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


@adjoint(np.ptp, method("ptp"))      # (the method exists in NumPy < 2)
def ptp(z, x, axis=None, out=None, keepdims=False):
    d[x] = (extremum_adjoint(d[z], x, np.max(x, axis=axis, keepdims=keepdims), axis, keepdims)
            - extremum_adjoint(d[z], x, np.min(x, axis=axis, keepdims=keepdims), axis, keepdims))


@adjoint(np.nansum)
def nansum(z, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] = np.where(np.isnan(x), 0.0, broadcast_like(expand_reduced(d[z], x, axis, keepdims), x))


@adjoint(np.nanmean)
def nanmean(z, x, axis=None, dtype=None, out=None, keepdims=False):
    count = np.maximum(np.sum(np.logical_not(np.isnan(x)), axis=axis, keepdims=True), 1)
    d[x] = np.where(np.isnan(x), 0.0,
                    broadcast_like(expand_reduced(d[z], x, axis, keepdims) / count, x))


@adjoint(np.nanmax, np.nanmin)
def nanextremum(z, x, axis=None, out=None, keepdims=False):
    # NaN entries never equal the extremum: extremum_adjoint gives them nothing.
    d[x] = extremum_adjoint(d[z], x, z, axis, keepdims)


@adjoint(np.cumsum, method("cumsum"))
def cumsum(z, x, axis=None, dtype=None, out=None):
    if isinstance(axis, int):
        d[x] = reverse_cumsum(d[z], axis)
    else:      # axis=None: z (and so d[z]) is flat
        d[x] = np.reshape(reverse_cumsum(d[z], axis), np.shape(x))


@adjoint(np.cumprod, method("cumprod"))
def cumprod(z, x, axis=None, dtype=None, out=None):
    # Read x in z's layout (flat for axis=None); p is the first zero of each slice (see the
    # module docstring): before p, d x_i = sum_{i<=j<p} g_j z_j / x_i; at p, sum_{j>=p} g_j z'_j
    # with z' the cumprod of x with x_p replaced by 1; after p, 0.
    flat = np.reshape(x, np.shape(z))
    zeros_so_far = np.cumsum(np.equal(flat, 0), axis=axis)
    before = np.equal(zeros_so_far, 0)
    first = np.logical_and(np.equal(flat, 0), np.equal(zeros_so_far, 1))
    tail = reverse_cumsum(d[z] * np.cumprod(np.where(first, 1.0, flat), axis=axis), axis)
    at_first = np.sum(np.where(first, tail, 0.0), axis=axis, keepdims=True)
    d[x] = np.reshape(np.where(before, (tail - at_first) / np.where(before, flat, 1.0),
                               np.where(first, tail, 0.0)), np.shape(x))


# The reversed cumulative sum is linear; its transpose is the cumulative sum.
@adjoint(reverse_cumsum)
def reverse_cumsum_adjoint(z, g, axis=None):
    d[g] = np.reshape(np.cumsum(d[z], axis=axis), np.shape(g))


@tangent(reverse_cumsum)
def reverse_cumsum_tangent(z, g, axis=None):
    d[z] = reverse_cumsum(d[g], axis)


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


@tangent(np.ptp, method("ptp"))
def ptp_tangent(z, x, axis=None, out=None, keepdims=False):
    d[z] = (extremum_tangent(d[x], x, np.max(x, axis=axis, keepdims=keepdims), axis, keepdims)
            - extremum_tangent(d[x], x, np.min(x, axis=axis, keepdims=keepdims), axis, keepdims))


@tangent(np.nansum)
def nansum_tangent(z, x, axis=None, dtype=None, out=None, keepdims=False):
    d[z] = np.sum(np.where(np.isnan(x), 0.0, d[x]), axis=axis, keepdims=keepdims)


@tangent(np.nanmean)
def nanmean_tangent(z, x, axis=None, dtype=None, out=None, keepdims=False):
    d[z] = np.sum(np.where(np.isnan(x), 0.0, d[x]), axis=axis, keepdims=keepdims) / np.maximum(
        np.sum(np.logical_not(np.isnan(x)), axis=axis, keepdims=keepdims), 1)


@tangent(np.nanmax, np.nanmin)
def nanextremum_tangent(z, x, axis=None, out=None, keepdims=False):
    d[z] = extremum_tangent(d[x], x, z, axis, keepdims)


@tangent(np.cumsum, method("cumsum"))
def cumsum_tangent(z, x, axis=None, dtype=None, out=None):
    d[z] = np.cumsum(d[x], axis=axis)


@tangent(np.cumprod, method("cumprod"))
def cumprod_tangent(z, x, axis=None, dtype=None, out=None):
    # Before a slice's first zero p: z_j * sum_{i<=j} v_i / x_i; from p on: v_p * z'_j (z' the
    # cumprod with x_p replaced by 1), as in the adjoint.
    flat = np.reshape(x, np.shape(z))
    zeros_so_far = np.cumsum(np.equal(flat, 0), axis=axis)
    before = np.equal(zeros_so_far, 0)
    first = np.logical_and(np.equal(flat, 0), np.equal(zeros_so_far, 1))
    others = np.cumprod(np.where(first, 1.0, flat), axis=axis)
    d[z] = np.where(before, others * np.cumsum(np.where(
        before, np.reshape(d[x], np.shape(z)) / np.where(before, flat, 1.0), 0.0), axis=axis),
        others * np.sum(np.where(first, np.reshape(d[x], np.shape(z)), 0.0), axis=axis,
                        keepdims=True))
