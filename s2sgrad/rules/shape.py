"""Derivative rules of functions that only move, select or copy values: reshape, ravel, flatten,
squeeze, expand_dims, atleast_1d/2d/3d, transpose (`.T`), swapaxes, moveaxis, broadcast_to,
roll, flip, fliplr, flipud, rot90, repeat, tile, pad, diag, diagonal, triu, tril, take,
take_along_axis, indexing, copies and casts (array methods where NumPy has them).

Each adjoint applies the inverse movement to the incoming adjoint (np.roll by the negated
shift, np.rot90 by -k, np.moveaxis back); selections scatter it back into a zero array of the
input's shape, accumulating where an element was selected more than once (indexing and np.take
with repeated indices, np.take_along_axis, np.repeat, np.tile, the copies np.pad makes). Each
tangent applies the same movement to the argument's tangent. Reshapes and ravels honour `order`
(including the layout-dependent "A" and "K"), axes may be negative, and a cast to an integer or
boolean dtype (`x.astype(int)`) passes no gradient.

np.pad: the modes "constant" (its `constant_values` may be differentiated too), "edge",
"reflect", "symmetric" and "wrap" (reflect_type "even"); other modes stop with an error when the
adjoint runs. np.triu/np.tril of a vector (which NumPy broadcasts to a matrix) sum the adjoint
back over the rows. All these maps are linear: the helpers the adjoints call (`repeat_adjoint`,
`pad_adjoint`, `diagonal_adjoint`, ...) have rules below, so derivatives of any order follow.
"""

import operator

import numpy as np

from ..runtime import index_adjoint, unbroadcast
from ..runtime.layout import (along_axis_index, diag_adjoint, diagonal_adjoint, negated,
                              pad_adjoint, pad_interior, pad_source_index, pad_values,
                              pad_values_adjoint, repeat_adjoint, take_index, tile_blocks,
                              tile_copy_axes)
from .registry import adjoint, attribute, d, method, tangent, zero_derivative


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


@adjoint(np.squeeze, method("squeeze"), np.expand_dims)
def same_elements(z, x, *args, **kwargs):
    d[x] = np.reshape(d[z], np.shape(x))


# One array only: `np.atleast_1d(a, b)` returns a list, which these rules do not cover (the call
# is refused with "does not cover this call").
@adjoint(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def at_least(z, x):
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


@tangent(np.squeeze, method("squeeze"), np.expand_dims)
def same_elements_tangent(z, x, *args, **kwargs):
    d[z] = np.reshape(d[x], np.shape(z))


@tangent(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def at_least_tangent(z, x):
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


# ---- axes, flips, rolls, repeats, padding, diagonals, take ---------------------------------------
# Adjoint and tangent side by side. A permutation of the elements (swapaxes, moveaxis, roll, flip,
# rot90) is undone by the inverse permutation; a selection (diagonal, triu, take, the interior of
# a padding) scatters its adjoint back, adding where an element was selected more than once
# (repeat, tile, take with repeated indices, the copies of the padding modes).

zero_derivative(index_order, inverse_permutation, transpose_method_axes, along_axis_index,
                negated, pad_interior, pad_source_index, take_index, tile_blocks, tile_copy_axes)


@adjoint(np.swapaxes, method("swapaxes"))
def swapaxes(z, x, axis1, axis2):
    d[x] = np.swapaxes(d[z], axis1, axis2)


@tangent(np.swapaxes, method("swapaxes"))
def swapaxes_tangent(z, x, axis1, axis2):
    d[z] = np.swapaxes(d[x], axis1, axis2)


@adjoint(np.moveaxis)
def moveaxis(z, x, source, destination):
    d[x] = np.moveaxis(d[z], destination, source)


@tangent(np.moveaxis)
def moveaxis_tangent(z, x, source, destination):
    d[z] = np.moveaxis(d[x], source, destination)


@adjoint(np.roll)
def roll(z, x, shift, axis=None):
    d[x] = np.roll(d[z], negated(shift), axis)


@tangent(np.roll)
def roll_tangent(z, x, shift, axis=None):
    d[z] = np.roll(d[x], shift, axis)


@adjoint(np.flip)
def flip(z, x, axis=None):
    d[x] = np.flip(d[z], axis)


@tangent(np.flip)
def flip_tangent(z, x, axis=None):
    d[z] = np.flip(d[x], axis)


@adjoint(np.fliplr)
def fliplr(z, x):
    d[x] = np.fliplr(d[z])


@tangent(np.fliplr)
def fliplr_tangent(z, x):
    d[z] = np.fliplr(d[x])


@adjoint(np.flipud)
def flipud(z, x):
    d[x] = np.flipud(d[z])


@tangent(np.flipud)
def flipud_tangent(z, x):
    d[z] = np.flipud(d[x])


@adjoint(np.rot90)
def rot90(z, x, k=1, axes=(0, 1)):
    d[x] = np.rot90(d[z], -k, axes)


@tangent(np.rot90)
def rot90_tangent(z, x, k=1, axes=(0, 1)):
    d[z] = np.rot90(d[x], k, axes)


@adjoint(np.repeat, method("repeat"))
def repeat(z, x, repeats, axis=None):
    d[x] = repeat_adjoint(d[z], np.shape(x), repeats, axis)


@tangent(np.repeat, method("repeat"))
def repeat_tangent(z, x, repeats, axis=None):
    d[z] = np.repeat(d[x], repeats, axis)


@adjoint(repeat_adjoint)
def repeat_adjoint_adjoint(r, g, shape, repeats, axis=None):
    d[g] = np.repeat(d[r], repeats, axis)


@tangent(repeat_adjoint)
def repeat_adjoint_tangent(r, g, shape, repeats, axis=None):
    d[r] = repeat_adjoint(d[g], shape, repeats, axis)


@adjoint(np.tile)
def tile(z, x, reps):
    # Split each axis of the result into (copy, element) and add the copies up.
    d[x] = np.reshape(np.sum(np.reshape(d[z], tile_blocks(np.shape(x), reps)),
                             axis=tile_copy_axes(np.shape(x), reps)), np.shape(x))


@tangent(np.tile)
def tile_tangent(z, x, reps):
    d[z] = np.tile(d[x], reps)


@adjoint(np.pad)
def pad(z, x, pad_width, mode="constant", stat_length=None, constant_values=0, end_values=0,
        reflect_type="even"):
    if mode == "constant":
        d[x] = d[z][pad_interior(np.shape(x), pad_width)]
        d[constant_values] = unbroadcast(pad_values_adjoint(d[z], np.shape(x), pad_width),
                                         constant_values)
    else:
        d[x] = pad_adjoint(d[z], np.shape(x), pad_width, mode, reflect_type)


@tangent(np.pad)
def pad_tangent(z, x, pad_width, mode="constant", stat_length=None, constant_values=0,
                end_values=0, reflect_type="even"):
    if mode == "constant":
        d[z] = np.pad(d[x], pad_width) + pad_values(d[constant_values], np.shape(x), pad_width)
    elif mode == "reflect" or mode == "symmetric":
        d[z] = np.pad(d[x], pad_width, mode, reflect_type=reflect_type)
    else:
        d[z] = np.pad(d[x], pad_width, mode)


@adjoint(pad_adjoint)
def pad_adjoint_adjoint(r, g, shape, pad_width, mode="constant", reflect_type="even"):
    d[g] = np.pad(d[r], pad_width, mode)


@tangent(pad_adjoint)
def pad_adjoint_tangent(r, g, shape, pad_width, mode="constant", reflect_type="even"):
    d[r] = pad_adjoint(d[g], shape, pad_width, mode, reflect_type)


@adjoint(pad_values_adjoint)
def pad_values_adjoint_adjoint(r, g, shape, pad_width):
    d[g] = pad_values(d[r], shape, pad_width)


@tangent(pad_values_adjoint)
def pad_values_adjoint_tangent(r, g, shape, pad_width):
    d[r] = pad_values_adjoint(d[g], shape, pad_width)


@adjoint(pad_values)
def pad_values_adjoint_rule(r, values, shape, pad_width):
    d[values] = unbroadcast(pad_values_adjoint(d[r], shape, pad_width), values)


@tangent(pad_values)
def pad_values_tangent(r, values, shape, pad_width):
    d[r] = pad_values(d[values], shape, pad_width)


@adjoint(np.diagonal, method("diagonal"))
def diagonal(z, x, offset=0, axis1=0, axis2=1):
    d[x] = diagonal_adjoint(d[z], np.shape(x), offset, axis1, axis2)


@tangent(np.diagonal, method("diagonal"))
def diagonal_tangent(z, x, offset=0, axis1=0, axis2=1):
    d[z] = np.diagonal(d[x], offset, axis1, axis2)


@adjoint(diagonal_adjoint)
def diagonal_adjoint_adjoint(r, g, shape, offset=0, axis1=0, axis2=1):
    d[g] = np.diagonal(d[r], offset, axis1, axis2)


@tangent(diagonal_adjoint)
def diagonal_adjoint_tangent(r, g, shape, offset=0, axis1=0, axis2=1):
    d[r] = diagonal_adjoint(d[g], shape, offset, axis1, axis2)


@adjoint(np.diag)
def diag(z, x, k=0):
    d[x] = diag_adjoint(d[z], np.shape(x), k)


@tangent(np.diag)
def diag_tangent(z, x, k=0):
    d[z] = np.diag(d[x], k)


@adjoint(diag_adjoint)
def diag_adjoint_adjoint(r, g, shape, k=0):
    d[g] = np.diag(d[r], k)


@tangent(diag_adjoint)
def diag_adjoint_tangent(r, g, shape, k=0):
    d[r] = diag_adjoint(d[g], shape, k)


@adjoint(np.triu)
def triu(z, x, k=0):
    d[x] = unbroadcast(np.triu(d[z], k), x)     # (a vector x was broadcast to the rows)


@tangent(np.triu)
def triu_tangent(z, x, k=0):
    d[z] = np.triu(d[x], k)


@adjoint(np.tril)
def tril(z, x, k=0):
    d[x] = unbroadcast(np.tril(d[z], k), x)


@tangent(np.tril)
def tril_tangent(z, x, k=0):
    d[z] = np.tril(d[x], k)


@adjoint(np.take, method("take"))
def take(z, x, indices, axis=None, out=None, mode="raise"):
    d[x] = index_adjoint(d[z], x, take_index(np.shape(x), indices, axis, mode))


@tangent(np.take, method("take"))
def take_tangent(z, x, indices, axis=None, out=None, mode="raise"):
    if mode == "raise":
        d[z] = np.take(d[x], indices, axis)
    else:
        d[z] = np.take(d[x], indices, axis, mode=mode)


@adjoint(np.take_along_axis)
def take_along_axis(z, x, indices, axis=-1):
    d[x] = index_adjoint(d[z], x, along_axis_index(np.shape(x), indices, axis))


@tangent(np.take_along_axis)
def take_along_axis_tangent(z, x, indices, axis=-1):
    d[z] = np.take_along_axis(d[x], indices, axis)


# The layout-dependent ravel helpers are linear in their first argument, each the other's
# transpose (for second derivatives of `np.ravel(x, order="K")` and the like).


@adjoint(ravel_adjoint)
def ravel_adjoint_adjoint(r, g, x, order):
    d[g] = ravel_in_order(d[r], x, order)


@tangent(ravel_adjoint)
def ravel_adjoint_tangent(r, g, x, order):
    d[r] = ravel_adjoint(d[g], x, order)


@adjoint(ravel_in_order)
def ravel_in_order_adjoint(r, v, x, order):
    d[v] = ravel_adjoint(d[r], x, order)


@tangent(ravel_in_order)
def ravel_in_order_tangent(r, v, x, order):
    d[r] = ravel_in_order(d[v], x, order)
