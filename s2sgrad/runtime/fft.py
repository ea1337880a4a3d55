"""Helpers of the `numpy.fft` rules (s2sgrad/rules/fft.py) and of the complex-number rules.

Every transform in `numpy.fft` is linear over the reals, so its adjoint is another transform
applied to the incoming adjoint, followed by undoing the zero-padding or truncation that `n=` / `s=`
asked for (`fit_axis`, `fit_like`), and, where the input was real, by dropping the imaginary part
(`real_like`). `hermitian_weights` holds the factors 1 or 2 with which `irfft` counts each stored
frequency. `fft_axes` and `fft_lengths` resolve `s=` and `axes=` as NumPy does.

The helpers that move adjoints (`fit_axis`, `fit_like`, `real_like`) are linear in their first
argument and have rules of their own (in rules/fft.py), so derivatives of derivatives work; the
others only compute shapes, axes and constants (zero derivative).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np


def fit_axis(a: Any, length: int, axis: int) -> np.ndarray:
    """`a` truncated or zero-padded at the end of `axis` to `length` entries (what `n=` does to
    the input of a transform). The map is its own kind of transpose: the adjoint of
    `fit_axis(., length, axis)` on an array with `m` entries along `axis` is
    `fit_axis(., m, axis)`."""
    a = np.asarray(a)
    current = a.shape[axis]
    if current == length:
        return a
    if current > length:
        index = [slice(None)] * a.ndim
        index[axis] = slice(0, length)
        return a[tuple(index)]
    shape = list(a.shape)
    shape[axis] = length
    out = np.zeros(shape, dtype=a.dtype)
    index = [slice(None)] * a.ndim
    index[axis] = slice(0, current)
    out[tuple(index)] = a
    return out


def fit_like(a: Any, x: Any) -> np.ndarray:
    """`a` truncated or zero-padded at the end of every axis to the shape of `x` (same number of
    dimensions): the transpose of what `s=` does to the input of an n-dimensional transform."""
    a = np.asarray(a)
    target = np.shape(x)
    if a.shape == target:
        return a
    keep = tuple(slice(0, min(n, m)) for n, m in zip(a.shape, target))
    if all(n >= m for n, m in zip(a.shape, target)):
        return a[keep]
    out = np.zeros(target, dtype=a.dtype)
    out[keep] = a[keep]
    return out


def real_like(g: Any, x: Any) -> Any:
    """The adjoint `g` of a real-linear map's output, brought back to the input `x`: its real
    part when `x` is real (the point where a real value became complex), else `g` itself."""
    if np.iscomplexobj(x):
        return g
    return np.real(g)


def fft_axes(x: Any, s: Optional[Sequence[int]], axes: Optional[Sequence[int]]) -> Tuple[int, ...]:
    """The axes an n-dimensional transform of `x` runs over, as NumPy resolves `s=` and `axes=`:
    every axis when both are None, the last `len(s)` axes when only `s` is given."""
    ndim = np.ndim(x)
    if axes is not None:
        return tuple(int(axis) for axis in axes)
    if s is not None:
        return tuple(range(ndim - len(s), ndim))
    return tuple(range(ndim))


def fft_lengths(x: Any, s: Optional[Sequence[int]], axes: Optional[Sequence[int]]
                ) -> Tuple[int, ...]:
    """The transform lengths along `fft_axes(x, s, axes)`: `s` when given, else `x`'s lengths
    (for the real-input transforms: the lengths of the real side)."""
    if s is not None:
        return tuple(int(n) for n in s)
    shape = np.shape(x)
    return tuple(shape[axis] for axis in fft_axes(x, s, axes))


def irfft_length(a: Any, n: Optional[int], axis: int) -> int:
    """The output length of `irfft(a, n, axis)` / `hfft(a, n, axis)`: n, else 2 (m - 1)."""
    if n is not None:
        return int(n)
    return 2 * (np.shape(a)[axis] - 1)


def hermitian_weights(g: Any, axis: int) -> np.ndarray:
    """The factors with which `irfft` to `n = g.shape[axis]` points counts each frequency it reads,
    as an array that broadcasts along `axis` of `g` (length n there, 1 elsewhere).

    With m = n // 2 + 1 stored frequencies: frequency 0 counts once (its imaginary part is
    ignored), 1 .. m - 1 count twice (once for the conjugate they stand for), except the Nyquist
    frequency n / 2 of an even n, which counts once; frequencies from m on are not read (0).
    """
    ndim = np.ndim(g)
    n = np.shape(g)[axis]
    weights = np.zeros(n)
    weights[: n // 2 + 1] = 2.0
    weights[0] = 1.0
    if n % 2 == 0:
        weights[n // 2] = 1.0
    shape = [1] * ndim
    shape[axis] = n
    return weights.reshape(shape)
