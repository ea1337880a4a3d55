"""Adjoint rules of functions that take lists or tuples of arrays: stacking, concatenating,
`np.array([...])` and the builtin `sum`. The adjoint of the list is a list with one adjoint per
entry (see `runtime.containers`)."""

import builtins

import numpy as np

from ..runtime.containers import (array_adjoint, hstack_adjoint, sum_adjoint, unconcatenate,
                                  unstack, vstack_adjoint)
from .registry import adjoint, d


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
    d[start] = d[z]
