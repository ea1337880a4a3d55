"""Adjoints of np.prod (exact with zeros) and of np.max / np.min (ties split evenly; also serve
np.nanmax / np.nanmin, where NaN entries are never extremal and get no gradient)."""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ._common import Axis, _float_dtype, _normalize_axes
from .broadcasting import expand_reduced

# ---------------------------------------------------------------------------
# prod, max / min
# ---------------------------------------------------------------------------


def _exclusive_products(x: np.ndarray) -> np.ndarray:
    """Product of all *other* entries along the last axis, for every entry.

    Built from exclusive cumulative products from the left and from the
    right, so it needs no division and is exact in the presence of zeros.
    The last axis must have length at least 1.
    """
    left = np.empty_like(x)
    left[..., 0] = 1
    np.cumprod(x[..., :-1], axis=-1, out=left[..., 1:])

    right_reversed = np.empty_like(x)
    right_reversed[..., 0] = 1
    np.cumprod(x[..., :0:-1], axis=-1, out=right_reversed[..., 1:])

    return left * right_reversed[..., ::-1]


def _products_of_others(x: np.ndarray, axes: Tuple[int, ...]) -> np.ndarray:
    """For each entry, the product of the other entries in its reduced slice.

    The reduced ``axes`` are moved to the end and flattened into one axis,
    the exclusive products are taken along it, and the layout is restored.
    """
    ndim = x.ndim
    trailing = tuple(range(ndim - len(axes), ndim))
    moved = np.moveaxis(x, axes, trailing)
    kept_shape = moved.shape[: ndim - len(axes)]
    flat = moved.reshape(kept_shape + (-1,))
    others = _exclusive_products(flat).reshape(moved.shape)
    return np.moveaxis(others, trailing, axes)


def pair_products_times(x: Any, v: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """For each entry i of each reduced slice of ``x``: the sum over the other entries j of its
    slice of ``v[j]`` times the product of the entries other than i and j — the second
    derivative of ``np.prod`` applied to ``v`` (symmetric in i and j). Without division, so
    exact with zeros; O(n^2) per slice of n entries. ``keepdims`` is accepted for the callers'
    sake and has no effect (the result is shaped like ``x``)."""
    return _products_but_some(x, [v], axis)


def triple_products_times(x: Any, v: Any, u: Any, axis: Axis = None,
                          keepdims: bool = False) -> Any:
    """For each entry i of each reduced slice of ``x``: the sum over distinct other entries j
    and m of ``v[j] * u[m]`` times the product of the entries other than i, j and m — the
    third derivative of ``np.prod`` applied to ``v`` and ``u`` (symmetric in i, j and m), and the
    derivative of ``pair_products_times(x, v)`` along ``u``. O(n^3) per slice of n entries."""
    return _products_but_some(x, [v, u], axis)


def _products_but_some(x: Any, vectors: list, axis: Axis) -> Any:
    """Per reduced slice of ``x`` and entry i: the products of all entries but i and one or two
    others (one per vector), contracted with the vectors; terms where two indices meet are 0."""
    x = np.asarray(x)
    vectors = [np.broadcast_to(v, x.shape) for v in vectors]
    if x.size == 0 or x.ndim == 0:
        return np.zeros(x.shape, dtype=np.result_type(x, *vectors, np.float64))
    axes = tuple(range(x.ndim)) if axis is None else _normalize_axes(axis, x.ndim)
    trailing = tuple(range(x.ndim - len(axes), x.ndim))
    moved_x = np.moveaxis(x, axes, trailing)
    kept = moved_x.shape[: x.ndim - len(axes)]
    flat_x = moved_x.reshape(kept + (-1,))
    flat = [np.moveaxis(v, axes, trailing).reshape(kept + (-1,)) for v in vectors]
    n = flat_x.shape[-1]
    k = len(vectors)
    # one copy of the slice per choice of i (and j), those entries replaced by 1: its exclusive
    # products along the last axis are the products of all entries but i, (j,) and that one
    grid = np.broadcast_to(flat_x.reshape(kept + (1,) * k + (n,)),
                           kept + (n,) * (k + 1)).astype(np.result_type(x, np.float64))
    index = np.arange(n)
    if k == 1:
        grid[..., index, index] = 1
        products = _exclusive_products(grid)
        products[..., index, index] = 0
        out = np.einsum("...ij,...j->...i", products, flat[0])
    else:
        grid[..., index, :, index] = 1
        grid[..., :, index, index] = 1
        products = _exclusive_products(grid)
        products[..., index, index, :] = 0
        products[..., index, :, index] = 0
        products[..., :, index, index] = 0
        out = np.einsum("...ijm,...j,...m->...i", products, flat[0], flat[1])
    return np.moveaxis(out.reshape(moved_x.shape), trailing, axes)


def prod_adjoint(g: Any, x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Adjoint of ``z = np.prod(x, axis, keepdims=keepdims)`` w.r.t. ``x``.

    The partial derivative of a product with respect to one factor is the
    product of all the other factors in the same reduced slice.  That is
    computed without dividing by ``x``, so zeros (one or several) are fine.
    """
    x = np.asarray(x)
    if x.size == 0:
        return np.zeros(x.shape, dtype=np.result_type(g, x, np.float64))
    g = expand_reduced(g, x, axis, keepdims)
    if axis is None or x.ndim == 0:
        others = _exclusive_products(x.reshape(-1)).reshape(x.shape)
    else:
        others = _products_of_others(x, _normalize_axes(axis, x.ndim))
    return g * others


def extremum_adjoint(g: Any, x: Any, z: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Adjoint of ``z = np.max(x, axis, keepdims=keepdims)`` (or ``np.min``).

    The adjoint goes to the elements equal to the extremum; when several
    elements tie, it is split evenly among them.
    """
    g = expand_reduced(g, x, axis, keepdims)
    z = expand_reduced(z, x, axis, keepdims)
    is_extremum = np.equal(x, z)
    if np.count_nonzero(is_extremum) == np.size(z) and not np.isnan(z).any():
        # one extremal element per slice, the usual case: no ties to count (every slice has one
        # at least, unless its extremum is NaN, so as many as slices means one each)
        return g * is_extremum
    count_axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    dtype = _float_dtype(np.result_type(g))  # count ties in g's dtype: float32 stays float32
    tie_count = np.add.reduce(is_extremum, axis=count_axes, keepdims=True, dtype=dtype)
    # (at least 1: a slice of NaNs, whose nanmax is NaN, has no extremal element, and gets 0)
    return (g / np.maximum(tie_count, 1)) * is_extremum


# ---------------------------------------------------------------------------
# Tangents (forward mode) of prod, max / min
# ---------------------------------------------------------------------------


def prod_tangent(dx: Any, x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Tangent of ``z = np.prod(x, axis, keepdims=keepdims)`` in the direction ``dx``.

    Each factor's tangent times the product of the other factors of its reduced slice, summed
    over the slice. Like :func:`prod_adjoint`, it never divides by ``x``: exact with zeros.
    """
    x = np.asarray(x)
    if x.size == 0:      # an empty product is 1: its tangent is 0
        return np.sum(dx * x, axis=axis, keepdims=keepdims)
    if axis is None or x.ndim == 0:
        others = _exclusive_products(x.reshape(-1)).reshape(x.shape)
    else:
        others = _products_of_others(x, _normalize_axes(axis, x.ndim))
    return np.sum(dx * others, axis=axis, keepdims=keepdims)


def extremum_tangent(dx: Any, x: Any, z: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Tangent of ``z = np.max(x, axis, keepdims=keepdims)`` (or ``np.min``) in the direction
    ``dx``: the tangent of the extremal element; when several elements tie, the average of
    their tangents (the transpose of :func:`extremum_adjoint`'s even split)."""
    is_extremum = np.equal(x, expand_reduced(z, x, axis, keepdims))
    axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    dtype = _float_dtype(np.result_type(dx))
    selected = np.add.reduce(dx * is_extremum, axis=axes, keepdims=keepdims, dtype=dtype)
    tie_count = np.add.reduce(is_extremum, axis=axes, keepdims=keepdims, dtype=dtype)
    return selected / np.maximum(tie_count, 1)
