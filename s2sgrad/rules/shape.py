"""Adjoint rules that only move values around: reshape, transpose, `.T`, indexing, copies.

Each adjoint applies the inverse movement to the incoming adjoint; indexing scatters it back into
a zero array of the input's shape (accumulating where an index repeats). Reshapes and ravels honour
`order` (including the layout-dependent "A" and "K"), transposes accept negative axes, and a cast
to an integer or boolean dtype (`x.astype(int)`) passes no gradient.
"""

import operator

import numpy as np

from ..runtime import index_adjoint, unbroadcast
from .registry import adjoint, attribute, d, method, tangent


def inverse_permutation(axes, ndim):
    """The axes that undo `transpose(x, axes)` for an `ndim`-dimensional x.

    Takes the axes as `np.transpose` does (`None`, or a sequence that may hold negative axes) and
    as the method does (`x.transpose(1, 0)`, `x.transpose((1, 0))`, `x.transpose(None)`).
    """
    if axes is not None and len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    if axes is None:
        return tuple(reversed(range(ndim)))
    return tuple(np.argsort([int(axis) % ndim for axis in axes]))


def index_order(x, order):
    """The index order "C" or "F" that NumPy's reshape/ravel use for `x` under `order`.

    "A" means F order when x is Fortran-contiguous, C order otherwise (when x is both, the two
    orders visit the elements in the same sequence).
    """
    if order == "A":
        return "F" if np.asarray(x).flags.f_contiguous else "C"
    return order


def ravel_adjoint(g, x, order):
    """Adjoint of `np.ravel(x, order)`, `x.ravel(order)` and `x.flatten(order)` for any order."""
    order = index_order(x, order)
    if order in ("C", "F"):
        return np.reshape(g, np.shape(x), order=order)
    # "K": the elements in the order they sit in memory. Lay out the C-order position of each
    # element like x (empty_like keeps x's layout) and read the positions back the same way.
    x = np.asarray(x)
    positions = np.empty_like(x, dtype=np.intp)
    positions[...] = np.arange(x.size).reshape(x.shape)
    result = np.empty(x.size, dtype=np.asarray(g).dtype)
    result[np.ravel(positions, order="K")] = g
    return result.reshape(x.shape)


def cast_adjoint(g, z):
    """Adjoint of `z = x.astype(dtype)`: `g` for a floating (or complex) result, zero otherwise.

    A cast to an integer or boolean type is piecewise constant, so no gradient flows through it.
    """
    if np.result_type(z).kind in "fc":
        return g
    g = np.asarray(g)
    return np.zeros(g.shape, dtype=g.dtype if g.dtype.kind in "fc" else np.float64)


def ravel_in_order(v, x, order):
    """`v` (shaped like x) flattened in the order in which `np.ravel(x, order)` visits x's
    elements: the tangent of `np.ravel(x, order)`, `x.ravel(order)` and `x.flatten(order)`.

    "A" and "K" depend on x's memory layout, which v need not share; "K" reads the C-order
    positions of x's elements in x's memory order (the transpose of `ravel_adjoint`).
    """
    order = index_order(x, order)
    if order in ("C", "F"):
        return np.ravel(v, order=order)
    x = np.asarray(x)
    positions = np.empty_like(x, dtype=np.intp)
    positions[...] = np.arange(x.size).reshape(x.shape)
    return np.ravel(v)[np.ravel(positions, order="K")]


def transpose_method_axes(axes):
    """The axes of `x.transpose(*axes)` as `np.transpose` takes them: `x.transpose(1, 0)`,
    `x.transpose((1, 0))`, `x.transpose(None)` and `x.transpose()` (None: reverse the axes)."""
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        return axes[0]
    return axes or None


def cast_tangent(v, z):
    """Tangent of `z = x.astype(dtype)` for x's tangent `v`: `v` in z's floating (or complex)
    dtype, as a copy like z; zero for an integer or boolean result (piecewise constant)."""
    dtype = np.result_type(z)
    if dtype.kind in "fc":
        return np.array(v, dtype=dtype)
    return np.zeros(np.shape(z))


@adjoint(np.reshape)
def reshape(z, x, newshape=None, order="C", shape=None):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=index_order(x, order))


@adjoint(method("reshape"))
def reshape_method(z, x, *shape, order="C"):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=index_order(x, order))


@adjoint(np.ravel, method("ravel"), method("flatten"))
def ravel(z, x, order="C"):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = ravel_adjoint(d[z], x, order)


@adjoint(np.squeeze, method("squeeze"), np.expand_dims, np.atleast_1d, np.atleast_2d)
def same_elements(z, x, *args, **kwargs):
    d[x] = np.reshape(d[z], np.shape(x))


@adjoint(np.transpose)
def transpose(z, x, axes=None):
    if axes is None:
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], inverse_permutation(axes, np.ndim(x)))


@adjoint(method("transpose"))
def transpose_method(z, x, *axes):
    if axes == () or axes == (None,):
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], inverse_permutation(axes, np.ndim(x)))


@adjoint(attribute("T"))
def transpose_attribute(z, x):
    d[x] = np.transpose(d[z])


@adjoint(np.broadcast_to)
def broadcast_to(z, x, shape):
    d[x] = unbroadcast(d[z], x)


@adjoint(operator.getitem)
def getitem(z, x, index):
    d[x] = index_adjoint(d[z], x, index)


@adjoint(method("copy"))
def copy_method(z, x, *args, **kwargs):
    d[x] = d[z]


@adjoint(method("astype"))
def astype(z, x, *args, **kwargs):
    d[x] = cast_adjoint(d[z], z)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------
# The tangent moves like the value: the same movement applied to the argument's tangent. Where the
# movement depends on x's memory layout (order "A", "K") it is read from x, not from the tangent.


@tangent(np.reshape)
def reshape_tangent(z, x, newshape=None, order="C", shape=None):
    if order == "C":
        d[z] = np.reshape(d[x], np.shape(z))
    else:
        d[z] = np.reshape(d[x], np.shape(z), order=index_order(x, order))


@tangent(method("reshape"))
def reshape_method_tangent(z, x, *shape, order="C"):
    if order == "C":
        d[z] = np.reshape(d[x], np.shape(z))
    else:
        d[z] = np.reshape(d[x], np.shape(z), order=index_order(x, order))


@tangent(np.ravel, method("ravel"), method("flatten"))
def ravel_tangent(z, x, order="C"):
    if order == "C":
        d[z] = np.ravel(d[x])
    else:
        d[z] = ravel_in_order(d[x], x, order)


@tangent(np.squeeze, method("squeeze"), np.expand_dims, np.atleast_1d, np.atleast_2d)
def same_elements_tangent(z, x, *args, **kwargs):
    d[z] = np.reshape(d[x], np.shape(z))


@tangent(np.transpose)
def transpose_tangent(z, x, axes=None):
    if axes is None:
        d[z] = np.transpose(d[x])
    else:
        d[z] = np.transpose(d[x], axes)


@tangent(method("transpose"))
def transpose_method_tangent(z, x, *axes):
    if axes == () or axes == (None,):
        d[z] = np.transpose(d[x])
    else:
        d[z] = np.transpose(d[x], transpose_method_axes(axes))


@tangent(attribute("T"))
def transpose_attribute_tangent(z, x):
    d[z] = np.transpose(d[x])


@tangent(np.broadcast_to)
def broadcast_to_tangent(z, x, shape):
    d[z] = np.broadcast_to(d[x], shape)


@tangent(operator.getitem)
def getitem_tangent(z, x, index):
    d[z] = d[x][index]


@tangent(method("copy"))
def copy_method_tangent(z, x, *args, **kwargs):
    # A copy's tangent is a copy too: a later write into x (or its tangent) must not reach it.
    d[z] = np.copy(d[x])


@tangent(method("astype"))
def astype_tangent(z, x, *args, **kwargs):
    d[z] = cast_tangent(d[x], z)
