"""Adjoint rules that only move values around: reshape, transpose, `.T`, indexing, copies.

Each adjoint applies the inverse movement to the incoming adjoint; indexing scatters it back into
a zero array of the input's shape (accumulating where an index repeats).
"""

import operator

import numpy as np

from ..runtime import index_adjoint, unbroadcast
from .registry import adjoint, attribute, d, method


def inverse_permutation(axes):
    """argsort of transpose axes given as `x.transpose(1, 0)` or `x.transpose((1, 0))`."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = tuple(axes[0])
    return tuple(np.argsort(axes))


@adjoint(np.reshape)
def reshape(z, x, newshape=None, order="C", shape=None):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=order)


@adjoint(method("reshape"))
def reshape_method(z, x, *shape, order="C"):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=order)


@adjoint(np.ravel, method("ravel"), method("flatten"), np.squeeze, method("squeeze"),
         np.expand_dims, np.atleast_1d, np.atleast_2d)
def same_elements(z, x, *args, **kwargs):
    d[x] = np.reshape(d[z], np.shape(x))


@adjoint(np.transpose)
def transpose(z, x, axes=None):
    if axes is None:
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], np.argsort(axes))


@adjoint(method("transpose"))
def transpose_method(z, x, *axes):
    if axes == () or axes == (None,):
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], inverse_permutation(axes))


@adjoint(attribute("T"))
def transpose_attribute(z, x):
    d[x] = np.transpose(d[z])


@adjoint(np.broadcast_to)
def broadcast_to(z, x, shape):
    d[x] = unbroadcast(d[z], x)


@adjoint(operator.getitem)
def getitem(z, x, index):
    d[x] = index_adjoint(d[z], x, index)


@adjoint(method("copy"), method("astype"))
def copy_method(z, x, *args, **kwargs):
    d[x] = d[z]
