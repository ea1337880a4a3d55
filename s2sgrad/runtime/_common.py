"""Shared pieces of the runtime helpers: axis normalization, cheap shapes, dtypes."""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

import numpy as np

Axis = Optional[Union[int, Tuple[int, ...]]]


class NonScalarOutput(Exception):
    """Raised by :func:`scalar_seed` when ``grad`` meets a non-scalar output.

    The API layer catches it and re-raises a user-facing error that points at
    the user's code; ``shape`` is the shape of the offending output.
    """

    def __init__(self, shape: Tuple[int, ...], complex_value: bool = False) -> None:
        self.shape = tuple(shape)
        self.complex_value = complex_value     # a complex scalar: not a real loss
        super().__init__(
            f"grad requires a scalar output, but the function returned a "
            f"value of shape {self.shape}"
        )


# ---------------------------------------------------------------------------
# Small internal helpers
# ---------------------------------------------------------------------------


def _normalize_axes(axis: Axis, ndim: int) -> Tuple[int, ...]:
    """Return ``axis`` as a sorted tuple of non-negative axis numbers.

    ``None`` means every axis.  Out-of-range axes raise ``ValueError``.
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        if ndim == 0 and axis in (0, -1):
            # NumPy lets reductions of a 0-d array name axis 0 (or -1).
            return ()
        axes: Tuple[int, ...] = (axis,)
    else:
        axes = tuple(axis)
    normalized = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise ValueError(f"axis {ax} is out of bounds for an array of dimension {ndim}")
        normalized.append(ax % ndim)
    return tuple(sorted(normalized))


def _shape(value: Any) -> Tuple[int, ...]:
    """``np.shape``, without its cost (~1 µs) for Python floats and NumPy values."""
    if type(value) is float or type(value) is int:
        return ()
    try:
        return value.shape
    except AttributeError:
        return np.shape(value)


def _swap_last_two(a: np.ndarray) -> np.ndarray:
    """Transpose the two trailing (matrix) axes of a stack of matrices."""
    return np.swapaxes(a, -1, -2)


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a gradient for values of ``dtype`` is stored in.

    Floating and complex dtypes are kept; anything else (ints, bools) gets
    float64, because a derivative is not an integer.
    """
    if dtype.kind in "fc":
        return dtype
    return np.dtype(np.float64)
