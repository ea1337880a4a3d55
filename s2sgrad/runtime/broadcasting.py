"""Un-broadcasting and re-broadcasting adjoints (the helpers of elementwise and reduction rules)."""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ._common import Axis, _normalize_axes, _shape

# ---------------------------------------------------------------------------
# Broadcasting and reductions
# ---------------------------------------------------------------------------


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x``, undoing NumPy broadcasting.

    If ``x`` was broadcast to produce a value whose adjoint is ``g``, the
    adjoint of ``x`` is ``g`` summed over the leading axes that broadcasting
    added and over the axes where ``x`` has length 1 but ``g`` does not.
    A scalar (or 0-d) ``x`` receives the total sum.  The dtype of ``g`` is
    kept.  If ``g`` is smaller than ``x`` along some axis it is broadcast up.
    """
    if type(g) is float and (type(x) is float or type(x) is int):
        return g  # scalar code: the common case in Python loops, decided in two type tests
    return sum_to_shape(g, _shape(x))


def shape_of(x: Any) -> Tuple[int, ...]:
    """The shape of ``x`` (what a loop records of a value the adjoint needs only the shape of)."""
    return _shape(x)


def sum_to_shape(g: Any, target: Tuple[int, ...]) -> Any:
    """:func:`unbroadcast` to a recorded shape ``target`` rather than to a value's shape."""
    shape = _shape(g)
    if shape == target:
        return g
    g = np.asarray(g)
    if not target:      # (the adjoint of a scalar: the total, in one reduction over all axes)
        return np.add.reduce(g, axis=None, dtype=None if g.dtype == np.bool_ else g.dtype)
    extra = len(shape) - len(target)
    if extra >= 0:
        kept = tuple(i + extra for i, n in enumerate(target) if n == 1 and shape[i + extra] != 1)
        dtype = None if g.dtype == np.bool_ else g.dtype
        if not kept:   # only leading axes: one reduction, and a fresh array (no reshaped view)
            g = np.add.reduce(g, axis=tuple(range(extra)), dtype=dtype)
        else:
            g = np.add.reduce(g, axis=tuple(range(extra)) + kept, dtype=dtype, keepdims=True)
            if extra:
                g = g.reshape(g.shape[extra:])
    if g.shape != target:  # g was smaller than x along some axis
        g = np.broadcast_to(g, target)
    return g


_MATERIALIZE_LIMIT = 1 << 16  # elements; larger adjoints stay broadcast views


def broadcast_like(g: Any, x: Any) -> Any:
    """``g``, which broadcasts against ``x``, expanded to ``x``'s shape.

    The adjoint of a reduction. Small results are materialized (filling a fresh array costs a
    fraction of ``np.broadcast_to``'s Python overhead); large ones are read-only broadcast views,
    which cost no memory.
    """
    shape = _shape(x)
    g_shape = _shape(g)
    if g_shape == shape:
        return g
    if (x.size if type(x) is np.ndarray else np.size(x)) > _MATERIALIZE_LIMIT:
        return np.broadcast_to(g, shape)
    dtype = getattr(g, "dtype", None)
    out = np.empty(shape, dtype=np.result_type(g) if dtype is None else dtype)
    if g_shape == ():
        out.fill(g)           # (a number: the common case, the adjoint of a full reduction)
    else:
        out[...] = g
    return out


def expand_reduced(g: Any, x: Any, axis: Axis, keepdims: bool) -> Any:
    """Reshape the adjoint of a reduction so it broadcasts against ``x``.

    ``g`` is the adjoint of ``reduce(x, axis, keepdims=keepdims)``.  The
    reduced axes are re-inserted as length-1 axes, so ``g`` lines up with
    ``x``; it is not broadcast to the full shape of ``x``.
    """
    if keepdims or axis is None:
        return g
    axes = _normalize_axes(axis, np.ndim(x))
    if not axes:
        return g
    return np.expand_dims(g, axes)
