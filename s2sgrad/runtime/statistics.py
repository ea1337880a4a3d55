"""Helpers of the statistics rules: order statistics (median, quantile, percentile), the weights
of `np.average`, and the reversed cumulative sum (the adjoint of `np.cumsum`).

Order statistics. With the "linear" method, the q-quantile of a slice of n values sorted as
s[0] <= ... <= s[n-1] is (1 - f) * s[lo] + f * s[hi], with h = (n - 1) q, lo = floor(h),
hi = min(lo + 1, n - 1), f = h - lo. Its derivative sends weight 1 - f to the element sorted at
lo and f to the element sorted at hi. Ties: when several elements equal s[lo] (or s[hi]), the
weight is split evenly among all of them, as `max`/`min` split theirs (so q = 1 agrees with max).
The other methods: "lower" (s[floor h]), "higher" (s[ceil h]), "nearest" (s[round h], halves
to even, as NumPy) and "midpoint" (the mean of both); any other method raises.

Every helper is linear in its first argument (an adjoint or a tangent), and each has rules so
that derivatives of derivatives work: `reverse_cumsum` (rules in `s2sgrad.rules.reductions`) is
transposed by `np.cumsum`; `quantile_adjoint` / `quantile_tangent` are each other's transposes,
piecewise constant in the data they sort (zero derivative there, exact wherever the order is
strict) and piecewise linear in q (the interpolation weight f moves at rate n - 1);
`sum_trailing` / `expand_trailing` and `weights_like` / `unweights_like` are pairs of transposes
(rules in `s2sgrad.rules.statistics`).
"""

from __future__ import annotations

from typing import Any, Callable, Tuple

import numpy as np

from ._common import Axis, _normalize_axes
from .broadcasting import broadcast_like, sum_to_shape

# ---------------------------------------------------------------------------------------------
# Cumulative sums
# ---------------------------------------------------------------------------------------------


def reverse_cumsum(g: Any, axis: Any = None) -> Any:
    """The cumulative sum of ``g`` from the end: ``out[i] = sum(g[i:])`` along ``axis`` (the
    adjoint of ``np.cumsum``; ``axis=None`` reads ``g`` flattened, like ``np.cumsum``)."""
    g = np.asarray(g)
    if axis is None:
        g = g.reshape(-1)
        axis = 0
    total = np.sum(g, axis=axis, keepdims=True)
    return total - np.cumsum(g, axis=axis) + g


# ---------------------------------------------------------------------------------------------
# Order statistics
# ---------------------------------------------------------------------------------------------


def _slices(x: Any, axis: Axis) -> Tuple[np.ndarray, Tuple[int, ...], Callable]:
    """``x`` with the reduced axes moved to the end and flattened into one: (flat, kept shape,
    a function restoring an array of the flat layout to ``x``'s layout)."""
    x = np.asarray(x)
    shape = x.shape
    if axis is None:
        flat = x.reshape(1, -1)[0]
        return flat, (), lambda a: a.reshape(shape)
    axes = _normalize_axes(axis, x.ndim)
    trailing = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, trailing)
    kept = moved.shape[: x.ndim - len(axes)]
    moved_shape = moved.shape

    def restore(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a.reshape(moved_shape), trailing, axes)

    return moved.reshape(kept + (-1,)), kept, restore


def _result_shape(x: Any, q_shape: Tuple[int, ...], kept: Tuple[int, ...], axis: Axis,
                  keepdims: bool) -> Tuple[int, ...]:
    if not keepdims:
        return q_shape + kept
    axes = _normalize_axes(axis, np.ndim(x))
    return q_shape + tuple(1 if i in axes else n for i, n in enumerate(np.shape(x)))


def _positions(n: int, q: np.ndarray, method: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted positions (lo, hi) and the weight f of hi, for quantiles q of n values."""
    h = (n - 1) * q
    lo = np.floor(h)
    if method == "linear":
        frac = h - lo
        hi = np.minimum(lo + 1, n - 1)
    elif method == "lower":
        hi, frac = lo, np.zeros_like(h)
    elif method == "higher":
        lo = hi = np.ceil(h)
        frac = np.zeros_like(h)
    elif method == "nearest":
        lo = hi = np.around(h)
        frac = np.zeros_like(h)
    elif method == "midpoint":
        hi = np.ceil(h)
        frac = np.where(hi > lo, 0.5, 0.0)
    else:
        raise NotImplementedError(
            f"s2sgrad differentiates quantiles with the methods linear, lower, higher, nearest "
            f"and midpoint, not {method!r}")
    return lo.astype(np.intp), hi.astype(np.intp), frac


def _order_weights(x: Any, q: Any, axis: Axis, method: str):
    """For each quantile k and slice: the weights of the slice's entries (the derivative of the
    quantile with respect to them), shape kept + (K, n); with the flat q, kept shape, restore."""
    q = np.asarray(q, dtype=np.float64)
    flat, kept, restore = _slices(x, axis)
    n = flat.shape[-1]
    qs = q.reshape(-1)
    lo, hi, frac = _positions(n, qs, method)
    ordered = np.sort(flat, axis=-1)
    entries = flat[..., None, :]                                   # kept + (1, n)
    weights = 0.0
    for position, share in ((lo, 1.0 - frac), (hi, frac)):
        value = ordered[..., position][..., None]                  # kept + (K, 1)
        is_value = entries == value                                # kept + (K, n)
        count = np.maximum(np.sum(is_value, axis=-1, keepdims=True), 1)
        weights = weights + is_value * (share[:, None] / count)
    return weights, q.shape, kept, restore


def quantile_adjoint(g: Any, x: Any, q: Any, axis: Axis = None, keepdims: bool = False,
                     method: str = "linear") -> Any:
    """Adjoint of ``z = np.quantile(x, q, axis, method=method, keepdims=keepdims)`` with respect
    to ``x``, for the adjoint ``g`` of z (shape ``q.shape + reduced shape``)."""
    weights, q_shape, kept, restore = _order_weights(x, q, axis, method)
    k = int(np.prod(q_shape, dtype=np.intp))
    g = np.reshape(g, (k,) + kept)                                 # (K,) + kept
    g = np.moveaxis(g, 0, -1)                                      # kept + (K,)
    flat = np.einsum("...k,...kn->...n", g, weights)
    out = restore(flat)
    return out if np.ndim(x) else out.reshape(())


def quantile_tangent(v: Any, x: Any, q: Any, axis: Axis = None, keepdims: bool = False,
                     method: str = "linear") -> Any:
    """Tangent of ``z = np.quantile(x, q, axis, method=method, keepdims=keepdims)`` for the
    tangent ``v`` of ``x`` (the transpose of :func:`quantile_adjoint`)."""
    weights, q_shape, kept, restore = _order_weights(x, q, axis, method)
    flat_v, _, _ = _slices(np.broadcast_to(v, np.shape(x)), axis)
    out = np.einsum("...kn,...n->...k", weights, flat_v)          # kept + (K,)
    out = np.moveaxis(out, -1, 0)                                  # (K,) + kept
    return out.reshape(_result_shape(x, q_shape, kept, axis, keepdims))


def sum_trailing(g: Any, q: Any) -> Any:
    """``g`` (shaped ``q.shape + more``, as a quantile's adjoint) summed over the trailing axes
    to ``q``'s shape (the adjoint reaching ``q``)."""
    g = np.asarray(g)
    extra = g.ndim - np.ndim(q)
    if extra == 0:
        return g
    return np.sum(g, axis=tuple(range(np.ndim(q), g.ndim)))


def expand_trailing(v: Any, z: Any) -> Any:
    """``v`` (shaped like a quantile's ``q``) with trailing length-1 axes, broadcast to ``z``'s
    shape (the transpose of :func:`sum_trailing`)."""
    v = np.asarray(v)
    v = v.reshape(v.shape + (1,) * (np.ndim(z) - v.ndim))
    return broadcast_like(v, z)


# ---------------------------------------------------------------------------------------------
# Weighted averages
# ---------------------------------------------------------------------------------------------


def _weight_axes(w: Any, a: Any, axis: Axis) -> Any:
    """The axes of ``a`` that 1-D (or tuple-axis) weights run along, in the order given; None
    when the weights have ``a``'s shape."""
    if axis is None or np.ndim(w) == np.ndim(a):
        return None
    ndim = np.ndim(a)
    given = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return [int(ax) % ndim for ax in given]


def weights_like(w: Any, a: Any, axis: Axis = None) -> Any:
    """The weights of ``np.average(a, axis, weights=w)`` shaped to broadcast against ``a``:
    ``w`` itself when it has ``a``'s shape; 1-D weights along an integer ``axis`` (or weights
    shaped like ``a``'s axes of a tuple ``axis``, in that order) get length-1 axes elsewhere."""
    given = _weight_axes(w, a, axis)
    if given is None:
        return w
    order = np.argsort(given)
    shape = [1] * np.ndim(a)
    for ax in given:
        shape[ax] = np.shape(a)[ax]
    return np.reshape(np.transpose(w, order), shape)


def unweights_like(g: Any, w: Any, a: Any, axis: Axis = None) -> Any:
    """The transpose of :func:`weights_like`: ``g`` (broadcast against ``a``) summed and laid out
    back to the shape of the weights ``w``."""
    given = _weight_axes(w, a, axis)
    if given is None:
        return sum_to_shape(g, np.shape(w))
    order = np.argsort(given)
    kept = [1] * np.ndim(a)
    for ax in given:
        kept[ax] = np.shape(a)[ax]
    g = sum_to_shape(g, tuple(kept))
    sorted_shape = tuple(np.shape(a)[ax] for ax in sorted(given))
    return np.transpose(np.reshape(g, sorted_shape), np.argsort(order))
