"""Helpers for in-place updates (``x[i] = v``, ``x += y`` on arrays) in generated code.

The primal saves the part of an array a write overwrites (``copy_of(x[i])``) and the adjoint
restores it, so that every value the adjoint reads is the one the primal saw. The adjoint of a
written array is written in place too (its overwritten part is zeroed), so it must be an array
no other variable refers to (``owned``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .containers import copy_structure


def copy_of(part: Any) -> Any:
    """A copy of ``part`` (``x[i]``, which basic indexing makes a view of ``x``), so that a
    later write into ``x`` does not change it. Arrays and NumPy scalars are copied; anything
    else (an element of a list, which a write replaces rather than changes) is kept as is."""
    if isinstance(part, (np.ndarray, np.generic)):
        return part.copy()
    return part


def is_array(x: Any) -> bool:
    """Whether ``x op= y`` changes ``x`` in place (NumPy arrays) or rebinds it (numbers)."""
    return isinstance(x, np.ndarray)


def same_object(other: Any, x: Any) -> bool:
    """Whether ``other`` is the very array (or list) ``x`` that an in-place write is about to
    change, so that the write's adjoint reaches ``other``'s adjoint too; the compiler asks where
    its analysis cannot tell (``z = y`` before a loop that may rebind ``y``). Two arrays that
    share part of their memory (one a view of the other) are refused: s2sgrad does not
    differentiate a write seen through a view."""
    if other is x:
        return True
    if isinstance(other, np.ndarray) and isinstance(x, np.ndarray) \
            and np.may_share_memory(other, x):
        from ..errors import UnsupportedSyntaxError

        raise UnsupportedSyntaxError(
            "an array written in place shares part of its memory with another array the "
            "derivative reads (a view of it, or an argument that overlaps another)",
            hint="pass arrays that do not overlap, or make the copy explicit (`... .copy()`)")
    return False


def owned(g: Any, x: Any) -> Any:
    """``g`` as a fresh array shaped like ``x``, which the adjoint of a written array can change
    in place without the change being seen through another adjoint that shares ``g``."""
    if type(x) is list or isinstance(x, tuple) or type(x) is dict:
        return copy_structure(g)
    if not isinstance(x, np.ndarray):
        return g        # a number: never changed in place
    dtype = g.dtype if isinstance(g, np.ndarray) and g.dtype.kind in "fc" else np.float64
    if np.shape(g) != x.shape:
        g = np.broadcast_to(g, x.shape)
    return np.array(g, dtype=dtype)
