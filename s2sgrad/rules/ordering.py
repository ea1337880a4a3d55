"""Rules of functions that order or difference their input: np.interp, np.diff, np.sort.

* `np.interp(x, xp, fp, left=None, right=None)` is differentiable in all five: in x (the slope of
  the segment x falls in; 0 outside the sample range, where the value is constant), in fp (the
  interpolation weights), in xp (moving a segment's ends), and in left / right. It is piecewise
  linear in x: at a sample point the slope of the segment to the right is used. `period=` is not
  covered. Second derivatives through interp are not available (its helpers have no rules).
* `np.diff(a, n=1, axis=-1)` is linear: its adjoint is the transpose (`diff_transpose`), so
  derivatives of any order work. `prepend=` / `append=` are not covered.
* `np.sort(a, axis=-1)` (and `x.sort()` is not a value: not covered) permutes its input: the
  adjoint puts each entry's adjoint back where it came from; ties are ordered as the stable
  argsort orders them (a tie is a kink; the convention picks one side). Any order.
"""

import numpy as np

from ..runtime.ordering import (diff_transpose, interp_adjoint_fp, interp_adjoint_x,
                                interp_adjoint_xp, interp_outside, interp_tangent, sort_like,
                                unsort)
from .registry import adjoint, d, tangent, zero_derivative

zero_derivative(np.searchsorted, np.lexsort)


@adjoint(np.interp)
def interp(z, x, xp, fp, left=None, right=None):
    d[x] = interp_adjoint_x(d[z], x, xp, fp)
    d[xp] = interp_adjoint_xp(d[z], x, xp, fp)
    d[fp] = interp_adjoint_fp(d[z], x, xp, fp, left is not None, right is not None)
    d[left] = interp_outside(d[z], x, xp, 0)
    d[right] = interp_outside(d[z], x, xp, 1)


@tangent(np.interp)
def interp_tangent_rule(z, x, xp, fp, left=None, right=None):
    d[z] = interp_tangent(d[x], d[xp], d[fp], x, xp, fp, left is not None, right is not None,
                          d[left], d[right])


@adjoint(np.diff)
def diff(z, a, n=1, axis=-1):
    d[a] = diff_transpose(d[z], n, axis)


@tangent(np.diff)
def diff_tangent(z, a, n=1, axis=-1):
    d[z] = np.diff(d[a], n=n, axis=axis)


@adjoint(diff_transpose)
def diff_transpose_adjoint(z, g, n, axis):
    d[g] = np.diff(d[z], n=n, axis=axis)


@tangent(diff_transpose)
def diff_transpose_tangent(z, g, n, axis):
    d[z] = diff_transpose(d[g], n, axis)


@adjoint(np.sort)
def sort(z, a, axis=-1, kind=None, order=None, *, stable=None):
    d[a] = unsort(d[z], a, axis)


@tangent(np.sort)
def sort_tangent(z, a, axis=-1, kind=None, order=None, *, stable=None):
    d[z] = sort_like(d[a], a, axis)


@adjoint(sort_like)
def sort_like_adjoint(z, t, x, axis):
    d[t] = unsort(d[z], x, axis)


@tangent(sort_like)
def sort_like_tangent(z, t, x, axis):
    d[z] = sort_like(d[t], x, axis)


@adjoint(unsort)
def unsort_adjoint(z, g, x, axis):
    d[g] = sort_like(d[z], x, axis)


@tangent(unsort)
def unsort_tangent(z, g, x, axis):
    d[z] = unsort(d[g], x, axis)
