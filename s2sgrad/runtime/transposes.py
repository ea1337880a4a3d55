"""Transposes of the linear helpers that generated adjoint code calls, for differentiating that
code again (second derivatives, see `rules.generated`).

Each adjoint helper is linear in the adjoint it propagates; the adjoint of the helper with respect
to that argument is the transpose of the map, written here when NumPy has no one-call spelling of
it. ``h`` is the incoming adjoint (of the helper's result).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import _float_dtype, _normalize_axes
from .broadcasting import broadcast_like, expand_reduced, unbroadcast


def extremum_adjoint_transpose(h: Any, g: Any, x: Any, z: Any, axis: Any = None,
                               keepdims: bool = False) -> Any:
    """Transpose of ``g -> extremum_adjoint(g, x, z, axis, keepdims)``: the sum, over each
    reduced slice, of ``h`` at the extremal elements divided by their number (ties)."""
    full = expand_reduced(z, x, axis, keepdims)
    is_extremum = np.equal(x, full)
    axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    dtype = _float_dtype(np.result_type(h))
    tie_count = np.add.reduce(is_extremum, axis=axes, keepdims=True, dtype=dtype)
    reduced = np.sum(h * is_extremum / tie_count, axis=axes, keepdims=True)
    return np.reshape(reduced, np.shape(g))


def sum_adjoint_transpose(h: Any, g: Any) -> Any:
    """Transpose of ``g -> sum_adjoint(g, items)``: the entries' adjoints broadcast to ``g``'s
    shape and added up."""
    if isinstance(h, np.ndarray):             # the items were the rows of an array
        return unbroadcast(np.sum(h, axis=0), g)
    total = 0.0
    for part in h:
        total = total + broadcast_like(part, g)
    return total
