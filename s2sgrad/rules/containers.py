"""Adjoint rules of functions that take lists or tuples of arrays: stacking, concatenating,
`np.array([...])` and the builtin `sum`. The adjoint of the list is a list with one adjoint per
entry (see `runtime.containers`)."""

import builtins

import numpy as np

from ..runtime import broadcast_like, unbroadcast
from ..runtime.containers import (array_adjoint, hstack_adjoint, sum_adjoint, unconcatenate,
                                  unstack, vstack_adjoint)
from .registry import adjoint, d, tangent


@adjoint(np.stack)
def stack(z, arrays, axis=0):
    d[arrays] = unstack(d[z], arrays, axis)


@adjoint(np.concatenate)
def concatenate(z, arrays, axis=0):
    d[arrays] = unconcatenate(d[z], arrays, axis)


@adjoint(np.vstack)
def vstack(z, arrays):
    d[arrays] = vstack_adjoint(d[z], arrays)


@adjoint(np.hstack)
def hstack(z, arrays):
    d[arrays] = hstack_adjoint(d[z], arrays)


@adjoint(np.array, np.asarray, np.asanyarray)
def array(z, x, dtype=None):
    d[x] = array_adjoint(d[z], x)


@adjoint(builtins.sum)
def sum_(z, items, start=0):
    d[items] = sum_adjoint(d[z], items)
    d[start] = unbroadcast(d[z], start)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------
# `d[arrays]` is the list (or tuple) of the entries' tangents, each shaped like its entry: the
# tangent of the result is the same function of them.


@tangent(np.stack)
def stack_tangent(z, arrays, axis=0):
    d[z] = np.stack(d[arrays], axis)


@tangent(np.concatenate)
def concatenate_tangent(z, arrays, axis=0):
    d[z] = np.concatenate(d[arrays], axis)


@tangent(np.vstack)
def vstack_tangent(z, arrays):
    d[z] = np.vstack(d[arrays])


@tangent(np.hstack)
def hstack_tangent(z, arrays):
    d[z] = np.hstack(d[arrays])


@tangent(np.array)
def array_tangent(z, x, dtype=None):
    d[z] = np.array(d[x])


@tangent(np.asarray, np.asanyarray)
def asarray_tangent(z, x, dtype=None):
    d[z] = np.asarray(d[x])     # no copy of an array, like np.asarray(x) itself


@tangent(builtins.sum)
def sum_tangent(z, items, start=0):
    # The items' tangents broadcast like the items; with a constant start, to the result's shape.
    d[z] = broadcast_like(sum(d[items]) + d[start], z)
