"""Derivative rules of functions that take or return lists of arrays: stacking, concatenating,
`np.array([...])`, the builtin `sum`, and splitting (`np.split`, `np.array_split`, `np.hsplit`,
`np.vsplit`, `np.dsplit`). The adjoint of a list is a list with one adjoint per entry (see
`runtime.containers`): a split's adjoint joins its pieces' adjoints back (a piece the code never
used contributes its zero adjoint), and its tangent is the split of the tangent."""

import builtins

import numpy as np

from ..runtime import broadcast_like, unbroadcast
from ..runtime.containers import (array_adjoint, dstack_adjoint, hstack_adjoint, sum_adjoint,
                                  unconcatenate, unstack, vstack_adjoint)
from .registry import adjoint, d, returns_containers, tangent

returns_containers(np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit, dstack_adjoint)


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


@adjoint(np.dstack)
def dstack(z, arrays):
    d[arrays] = dstack_adjoint(d[z], arrays)


@adjoint(dstack_adjoint)
def dstack_adjoint_adjoint(r, g, arrays):
    d[g] = np.dstack(d[r])


@tangent(dstack_adjoint)
def dstack_adjoint_tangent(r, g, arrays):
    d[r] = dstack_adjoint(d[g], arrays)


@adjoint(np.split, np.array_split)
def split(z, x, indices_or_sections, axis=0):
    d[x] = np.concatenate(d[z], axis)


@adjoint(np.hsplit)
def hsplit(z, x, indices_or_sections):
    d[x] = np.hstack(d[z])


@adjoint(np.vsplit)
def vsplit(z, x, indices_or_sections):
    d[x] = np.vstack(d[z])


@adjoint(np.dsplit)
def dsplit(z, x, indices_or_sections):
    d[x] = np.dstack(d[z])


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


@tangent(np.dstack)
def dstack_tangent(z, arrays):
    d[z] = np.dstack(d[arrays])


@tangent(np.split)
def split_tangent(z, x, indices_or_sections, axis=0):
    d[z] = np.split(d[x], indices_or_sections, axis)


@tangent(np.array_split)
def array_split_tangent(z, x, indices_or_sections, axis=0):
    d[z] = np.array_split(d[x], indices_or_sections, axis)


@tangent(np.hsplit)
def hsplit_tangent(z, x, indices_or_sections):
    d[z] = np.hsplit(d[x], indices_or_sections)


@tangent(np.vsplit)
def vsplit_tangent(z, x, indices_or_sections):
    d[z] = np.vsplit(d[x], indices_or_sections)


@tangent(np.dsplit)
def dsplit_tangent(z, x, indices_or_sections):
    d[z] = np.dsplit(d[x], indices_or_sections)


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
