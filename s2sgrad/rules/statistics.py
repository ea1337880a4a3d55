"""Rules of statistics: var, std (functions and methods), median, quantile, percentile, average.

Conventions:
* `var`/`std` take `ddof=` (or NumPy 2's `correction=`); the count is the slice length minus
  ddof. `std`'s derivative divides by std: where std is exactly 0 (a constant slice, or a
  slice of one value) its gradient is taken as 0, like abs'(0) = 0.
* Order statistics (`median`, `quantile`, `percentile`; methods linear, lower, higher, nearest,
  midpoint): the derivative goes to the one or two elements the result interpolates between,
  with the interpolation weights; when several elements tie with one of them, its weight is
  split evenly among all of them (as `max`/`min` split theirs). See
  `s2sgrad.runtime.statistics`. They are piecewise linear: second derivatives in the data are 0.
  With the linear method, the derivative in `q` is (n - 1) * (s[ceil h] - s[floor h]) for the
  sorted slice s and h = (n - 1) q, so 0 where h is an integer (a kink in q, e.g. the median
  of an odd number of values); the other methods are piecewise constant in `q`.
  `overwrite_input=` is not accepted (NumPy would reorder the input the rule reads).
* `average(a, axis, weights)`: without weights, the mean; with weights w (shaped like `a`, or
  1-D along an integer axis), z = sum(w a) / sum(w), differentiable in `a` and in `w`.
  `returned=` is not accepted (the rule covers the single result).
"""

import numpy as np

from ..runtime import broadcast_like, expand_reduced
from ..runtime.statistics import (expand_trailing, quantile_adjoint, quantile_tangent,
                                  sum_trailing, unweights_like, weights_like)
from .registry import adjoint, d, differentiated, method, tangent

# ---- variance and standard deviation ----------------------------------------------------------
# With c = x - mean(x) over each reduced slice and n its length minus ddof: d var = 2/n sum c dx
# (the sum of c is 0, so the mean's own change drops out), and d std = d var / (2 std).


@adjoint(np.var, method("var"))
def var(z, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    if correction is None:
        count = np.size(a) / np.size(z) - ddof
    else:
        count = np.size(a) / np.size(z) - correction
    if axis is None or keepdims is True:
        d[a] = d[z] * (2.0 / count) * (a - np.mean(a, axis=axis, keepdims=True))
    else:
        d[a] = expand_reduced(d[z], a, axis, keepdims) * (2.0 / count) * (
            a - np.mean(a, axis=axis, keepdims=True))


@adjoint(np.std, method("std"))
def std(z, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    if correction is None:
        count = np.size(a) / np.size(z) - ddof
    else:
        count = np.size(a) / np.size(z) - correction
    scale = np.where(z == 0, 0.0, d[z] / np.where(z == 0, 1.0, z)) / count
    if axis is None or keepdims is True:
        d[a] = scale * (a - np.mean(a, axis=axis, keepdims=True))
    else:
        d[a] = expand_reduced(scale, a, axis, keepdims) * (a - np.mean(a, axis=axis, keepdims=True))


@tangent(np.var, method("var"))
def var_tangent(z, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                correction=None):
    if correction is None:
        count = np.size(a) / np.size(z) - ddof
    else:
        count = np.size(a) / np.size(z) - correction
    d[z] = (2.0 / count) * np.sum((a - np.mean(a, axis=axis, keepdims=True)) * d[a], axis=axis,
                                  keepdims=keepdims)


@tangent(np.std, method("std"))
def std_tangent(z, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                correction=None):
    if correction is None:
        count = np.size(a) / np.size(z) - ddof
    else:
        count = np.size(a) / np.size(z) - correction
    inverse = np.where(z == 0, 0.0, 1.0 / np.where(z == 0, 1.0, z))    # 0 where std is 0
    d[z] = np.sum((a - np.mean(a, axis=axis, keepdims=True)) * d[a], axis=axis,
                  keepdims=keepdims) * (inverse / count)


# ---- order statistics -------------------------------------------------------------------------


@adjoint(np.median)
def median(z, a, axis=None, out=None, *, keepdims=False):
    d[a] = quantile_adjoint(d[z], a, 0.5, axis, keepdims, "linear")


@tangent(np.median)
def median_tangent(z, a, axis=None, out=None, *, keepdims=False):
    d[z] = quantile_tangent(d[a], a, 0.5, axis, keepdims, "linear")


@adjoint(np.quantile)
def quantile(z, a, q, axis=None, out=None, *, method="linear", keepdims=False):
    d[a] = quantile_adjoint(d[z], a, q, axis, keepdims, method)
    if differentiated(q):
        # the slope between the two order statistics the linear method interpolates
        slope = (method == "linear") * (np.size(a) * np.size(q) / np.size(z) - 1.0) * (
            np.quantile(a, q, axis=axis, method="higher", keepdims=keepdims)
            - np.quantile(a, q, axis=axis, method="lower", keepdims=keepdims))
        d[q] = sum_trailing(d[z] * slope, q)


@tangent(np.quantile)
def quantile_tangent_rule(z, a, q, axis=None, out=None, *, method="linear", keepdims=False):
    if differentiated(q):
        slope = (method == "linear") * (np.size(a) * np.size(q) / np.size(z) - 1.0) * (
            np.quantile(a, q, axis=axis, method="higher", keepdims=keepdims)
            - np.quantile(a, q, axis=axis, method="lower", keepdims=keepdims))
        d[z] = quantile_tangent(d[a], a, q, axis, keepdims, method) \
            + expand_trailing(d[q], z) * slope
    else:
        d[z] = quantile_tangent(d[a], a, q, axis, keepdims, method)


@adjoint(np.percentile)
def percentile(z, a, q, axis=None, out=None, *, method="linear", keepdims=False):
    d[a] = quantile_adjoint(d[z], a, np.asarray(q) / 100.0, axis, keepdims, method)
    if differentiated(q):
        slope = (method == "linear") * (np.size(a) * np.size(q) / np.size(z) - 1.0) / 100.0 * (
            np.percentile(a, q, axis=axis, method="higher", keepdims=keepdims)
            - np.percentile(a, q, axis=axis, method="lower", keepdims=keepdims))
        d[q] = sum_trailing(d[z] * slope, q)


@tangent(np.percentile)
def percentile_tangent(z, a, q, axis=None, out=None, *, method="linear", keepdims=False):
    if differentiated(q):
        slope = (method == "linear") * (np.size(a) * np.size(q) / np.size(z) - 1.0) / 100.0 * (
            np.percentile(a, q, axis=axis, method="higher", keepdims=keepdims)
            - np.percentile(a, q, axis=axis, method="lower", keepdims=keepdims))
        d[z] = quantile_tangent(d[a], a, np.asarray(q) / 100.0, axis, keepdims, method) \
            + expand_trailing(d[q], z) * slope
    else:
        d[z] = quantile_tangent(d[a], a, np.asarray(q) / 100.0, axis, keepdims, method)


# The helpers are linear in their first argument (each other's transposes) and piecewise constant
# in the data: their derivatives in the data are zero. In q they move the interpolation weights,
# (1 - f) to the lower and f to the upper order statistic, with df/dq = n - 1 (linear method).


@adjoint(quantile_adjoint)
def quantile_adjoint_adjoint(r, g, a, q, axis=None, keepdims=False, method="linear"):
    d[g] = quantile_tangent(d[r], a, q, axis, keepdims, method)
    if differentiated(q):
        rate = (method == "linear") * (np.size(a) * np.size(q) / np.size(g) - 1.0)
        d[q] = sum_trailing(g * rate * (quantile_tangent(d[r], a, q, axis, keepdims, "higher")
                                        - quantile_tangent(d[r], a, q, axis, keepdims, "lower")), q)


@tangent(quantile_adjoint)
def quantile_adjoint_tangent(r, g, a, q, axis=None, keepdims=False, method="linear"):
    if differentiated(q):
        moved = g * expand_trailing(d[q], g) * ((method == "linear") * (
            np.size(a) * np.size(q) / np.size(g) - 1.0))
        d[r] = quantile_adjoint(d[g], a, q, axis, keepdims, method) \
            + quantile_adjoint(moved, a, q, axis, keepdims, "higher") \
            - quantile_adjoint(moved, a, q, axis, keepdims, "lower")
    else:
        d[r] = quantile_adjoint(d[g], a, q, axis, keepdims, method)


@adjoint(quantile_tangent)
def quantile_tangent_adjoint(r, v, a, q, axis=None, keepdims=False, method="linear"):
    d[v] = quantile_adjoint(d[r], a, q, axis, keepdims, method)
    if differentiated(q):
        rate = (method == "linear") * (np.size(a) * np.size(q) / np.size(r) - 1.0)
        d[q] = sum_trailing(d[r] * rate * (quantile_tangent(v, a, q, axis, keepdims, "higher")
                                           - quantile_tangent(v, a, q, axis, keepdims, "lower")),
                            q)


@tangent(quantile_tangent)
def quantile_tangent_tangent(r, v, a, q, axis=None, keepdims=False, method="linear"):
    if differentiated(q):
        d[r] = quantile_tangent(d[v], a, q, axis, keepdims, method) + expand_trailing(d[q], r) * (
            (method == "linear") * (np.size(a) * np.size(q) / np.size(r) - 1.0)) * (
            quantile_tangent(v, a, q, axis, keepdims, "higher")
            - quantile_tangent(v, a, q, axis, keepdims, "lower"))
    else:
        d[r] = quantile_tangent(d[v], a, q, axis, keepdims, method)


@adjoint(sum_trailing)
def sum_trailing_adjoint(r, g, q):
    d[g] = expand_trailing(d[r], g)


@tangent(sum_trailing)
def sum_trailing_tangent(r, g, q):
    d[r] = sum_trailing(d[g], q)


@adjoint(expand_trailing)
def expand_trailing_adjoint(r, v, z):
    d[v] = sum_trailing(d[r], v)


@tangent(expand_trailing)
def expand_trailing_tangent(r, v, z):
    d[r] = expand_trailing(d[v], z)


# ---- weighted average -------------------------------------------------------------------------


@adjoint(np.average)
def average(z, a, axis=None, weights=None, *, keepdims=False):
    if weights is None:
        d[a] = broadcast_like(expand_reduced(d[z], a, axis, keepdims) / (np.size(a) / np.size(z)),
                              a)
    else:
        w = weights_like(weights, a, axis)
        scaled = expand_reduced(d[z], a, axis, keepdims) / np.sum(w, axis=axis, keepdims=True)
        d[a] = broadcast_like(scaled * w, a)
        d[weights] = unweights_like(scaled * (a - expand_reduced(z, a, axis, keepdims)), weights,
                                    a, axis)


@tangent(np.average)
def average_tangent(z, a, axis=None, weights=None, *, keepdims=False):
    if weights is None:
        d[z] = np.mean(d[a], axis=axis, keepdims=keepdims)
    else:
        d[z] = (np.sum(d[a] * weights_like(weights, a, axis), axis=axis, keepdims=keepdims)
                + np.sum((a - expand_reduced(z, a, axis, keepdims))
                         * weights_like(d[weights], a, axis), axis=axis, keepdims=keepdims)) \
            / np.sum(weights_like(weights, a, axis), axis=axis, keepdims=keepdims)


@adjoint(weights_like)
def weights_like_adjoint(r, w, a, axis=None):
    d[w] = unweights_like(d[r], w, a, axis)


@tangent(weights_like)
def weights_like_tangent(r, w, a, axis=None):
    d[r] = weights_like(d[w], a, axis)


@adjoint(unweights_like)
def unweights_like_adjoint(r, g, w, a, axis=None):
    d[g] = broadcast_like(weights_like(d[r], a, axis), g)


@tangent(unweights_like)
def unweights_like_tangent(r, g, w, a, axis=None):
    d[r] = unweights_like(d[g], w, a, axis)
