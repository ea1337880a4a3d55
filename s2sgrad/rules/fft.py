"""Rules of `numpy.fft`: the complex, real-input and Hermitian transforms in one, two and n
dimensions, with `n=` / `s=` (zero-padding or truncating the input), `axis=` / `axes=` and every
`norm=` (None, "backward", "ortho", "forward"); and `fftshift` / `ifftshift`.

Complex values follow the convention of s2sgrad/rules/complex.py: the adjoint is the plain
transpose of the (real-)linear map, with no conjugation, and the adjoint of a real value is its real
part. Every transform is linear, so its tangent is the same transform of the argument's tangent,
and its adjoint is the transpose, built from other transforms:

* `fft`, `ifft`, `fftn`, ... : the DFT matrix is symmetric, so the transpose of a transform is the
  same transform (the same `norm`: the scale is a real number), followed by undoing the padding or
  truncation of `n=` / `s=` (`fit_axis`, `fit_like`); for a real input, the real part.
* `rfft`, `rfftn`: the kept half of the full transform of a real input; the transpose zero-pads
  the adjoint to the full length (NumPy's own `n=` / `s=` on the adjoint does it), runs the full
  transform and keeps the real part.
* `irfft`, `irfftn`: the output reads frequency 0 (and the Nyquist frequency of an even length)
  once, without its imaginary part, and every other stored frequency twice (for its conjugate);
  the transpose is the inverse transform of the (real) adjoint times those counts
  (`hermitian_weights`), cut or padded back to the input's length.
* `hfft(a) = irfft(conj(a))` with the scale of the opposite direction, whose transpose reduces
  to the forward transform times the same counts; `ihfft(x) = conj(rfft(x))` (scaled likewise),
  whose transpose is the real part of the inverse transform of the zero-padded adjoint.
* `fftshift` and `ifftshift` are permutations, each the other's transpose.

The adjoints only call transforms and the helpers of s2sgrad/runtime/fft.py, which have rules
here, so derivatives of any order work. The `out=` argument is not supported.
"""

import numpy as np

from ..runtime.fft import (fft_axes, fft_lengths, fit_axis, fit_like, hermitian_weights,
                           irfft_length, real_like)
from .registry import adjoint, d, tangent, zero_derivative

zero_derivative(fft_axes, fft_lengths, hermitian_weights, irfft_length, np.fft.fftfreq,
                np.fft.rfftfreq)


# ---- complex-to-complex transforms --------------------------------------------------------------


@adjoint(np.fft.fft)
def fft(z, a, n=None, axis=-1, norm=None):
    if n is None:
        d[a] = real_like(np.fft.fft(d[z], None, axis, norm), a)
    else:
        d[a] = real_like(fit_axis(np.fft.fft(d[z], None, axis, norm), np.shape(a)[axis], axis), a)


@adjoint(np.fft.ifft)
def ifft(z, a, n=None, axis=-1, norm=None):
    if n is None:
        d[a] = real_like(np.fft.ifft(d[z], None, axis, norm), a)
    else:
        d[a] = real_like(fit_axis(np.fft.ifft(d[z], None, axis, norm), np.shape(a)[axis], axis),
                         a)


@adjoint(np.fft.fft2)
def fft2(z, a, s=None, axes=(-2, -1), norm=None):
    if s is None:
        d[a] = real_like(np.fft.fft2(d[z], None, axes, norm), a)
    else:
        d[a] = real_like(fit_like(np.fft.fft2(d[z], None, axes, norm), a), a)


@adjoint(np.fft.ifft2)
def ifft2(z, a, s=None, axes=(-2, -1), norm=None):
    if s is None:
        d[a] = real_like(np.fft.ifft2(d[z], None, axes, norm), a)
    else:
        d[a] = real_like(fit_like(np.fft.ifft2(d[z], None, axes, norm), a), a)


@adjoint(np.fft.fftn)
def fftn(z, a, s=None, axes=None, norm=None):
    if s is None:
        d[a] = real_like(np.fft.fftn(d[z], None, axes, norm), a)
    else:
        d[a] = real_like(fit_like(np.fft.fftn(d[z], None, fft_axes(a, s, axes), norm), a), a)


@adjoint(np.fft.ifftn)
def ifftn(z, a, s=None, axes=None, norm=None):
    if s is None:
        d[a] = real_like(np.fft.ifftn(d[z], None, axes, norm), a)
    else:
        d[a] = real_like(fit_like(np.fft.ifftn(d[z], None, fft_axes(a, s, axes), norm), a), a)


# ---- real input: the kept half of the spectrum --------------------------------------------------


@adjoint(np.fft.rfft)
def rfft(z, a, n=None, axis=-1, norm=None):
    if n is None:
        d[a] = np.real(np.fft.fft(d[z], np.shape(a)[axis], axis, norm))
    else:
        d[a] = np.real(fit_axis(np.fft.fft(d[z], n, axis, norm), np.shape(a)[axis], axis))


@adjoint(np.fft.rfft2)
def rfft2(z, a, s=None, axes=(-2, -1), norm=None):
    d[a] = np.real(fit_like(np.fft.fft2(d[z], fft_lengths(a, s, axes), axes, norm), a))


@adjoint(np.fft.rfftn)
def rfftn(z, a, s=None, axes=None, norm=None):
    d[a] = np.real(fit_like(np.fft.fftn(d[z], fft_lengths(a, s, axes), fft_axes(a, s, axes),
                                        norm), a))


# ---- real output from the kept half ------------------------------------------------------------


@adjoint(np.fft.irfft)
def irfft(z, a, n=None, axis=-1, norm=None):
    d[a] = real_like(fit_axis(np.fft.ifft(np.real(d[z]), None, axis, norm)
                              * hermitian_weights(z, axis), np.shape(a)[axis], axis), a)


@adjoint(np.fft.irfft2)
def irfft2(z, a, s=None, axes=(-2, -1), norm=None):
    transformed = fft_axes(z, s, axes)
    d[a] = real_like(fit_like(np.fft.ifft2(np.real(d[z]), None, transformed, norm)
                              * hermitian_weights(z, transformed[-1]), a), a)


@adjoint(np.fft.irfftn)
def irfftn(z, a, s=None, axes=None, norm=None):
    transformed = fft_axes(z, s, axes)
    d[a] = real_like(fit_like(np.fft.ifftn(np.real(d[z]), None, transformed, norm)
                              * hermitian_weights(z, transformed[-1]), a), a)


# ---- Hermitian transforms ------------------------------------------------------------------------


@adjoint(np.fft.hfft)
def hfft(z, a, n=None, axis=-1, norm=None):
    d[a] = real_like(fit_axis(np.fft.fft(np.real(d[z]), None, axis, norm)
                              * hermitian_weights(z, axis), np.shape(a)[axis], axis), a)


@adjoint(np.fft.ihfft)
def ihfft(z, a, n=None, axis=-1, norm=None):
    if n is None:
        d[a] = np.real(np.fft.ifft(d[z], np.shape(a)[axis], axis, norm))
    else:
        d[a] = np.real(fit_axis(np.fft.ifft(d[z], n, axis, norm), np.shape(a)[axis], axis))


# ---- shifts ------------------------------------------------------------------------------------


@adjoint(np.fft.fftshift)
def fftshift(z, x, axes=None):
    d[x] = np.fft.ifftshift(d[z], axes)


@adjoint(np.fft.ifftshift)
def ifftshift(z, x, axes=None):
    d[x] = np.fft.fftshift(d[z], axes)


# ---- the helpers' adjoints (for derivatives of derivatives) ---------------------------------


@adjoint(fit_axis)
def fit_axis_adjoint(z, a, length, axis):
    d[a] = fit_axis(d[z], np.shape(a)[axis], axis)


@adjoint(fit_like)
def fit_like_adjoint(z, a, x):
    d[a] = fit_like(d[z], a)


@adjoint(real_like)
def real_like_adjoint(z, g, x):
    d[g] = real_like(d[z], x)


# =================================================================================================
# Tangent (forward-mode) rules: every transform is linear, so the tangent is the same transform of
# the argument's tangent (with the same n / s, axes and norm).
# =================================================================================================


@tangent(np.fft.fft)
def fft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.fft(d[a], n, axis, norm)


@tangent(np.fft.ifft)
def ifft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.ifft(d[a], n, axis, norm)


@tangent(np.fft.fft2)
def fft2_tangent(z, a, s=None, axes=(-2, -1), norm=None):
    d[z] = np.fft.fft2(d[a], s, axes, norm)


@tangent(np.fft.ifft2)
def ifft2_tangent(z, a, s=None, axes=(-2, -1), norm=None):
    d[z] = np.fft.ifft2(d[a], s, axes, norm)


@tangent(np.fft.fftn)
def fftn_tangent(z, a, s=None, axes=None, norm=None):
    d[z] = np.fft.fftn(d[a], s, fft_axes(a, s, axes), norm)


@tangent(np.fft.ifftn)
def ifftn_tangent(z, a, s=None, axes=None, norm=None):
    d[z] = np.fft.ifftn(d[a], s, fft_axes(a, s, axes), norm)


@tangent(np.fft.rfft)
def rfft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.rfft(d[a], n, axis, norm)


@tangent(np.fft.rfft2)
def rfft2_tangent(z, a, s=None, axes=(-2, -1), norm=None):
    d[z] = np.fft.rfft2(d[a], s, axes, norm)


@tangent(np.fft.rfftn)
def rfftn_tangent(z, a, s=None, axes=None, norm=None):
    d[z] = np.fft.rfftn(d[a], s, fft_axes(a, s, axes), norm)


@tangent(np.fft.irfft)
def irfft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.irfft(d[a], n, axis, norm)


@tangent(np.fft.irfft2)
def irfft2_tangent(z, a, s=None, axes=(-2, -1), norm=None):
    d[z] = np.fft.irfft2(d[a], s, axes, norm)


@tangent(np.fft.irfftn)
def irfftn_tangent(z, a, s=None, axes=None, norm=None):
    d[z] = np.fft.irfftn(d[a], s, fft_axes(a, s, axes), norm)


@tangent(np.fft.hfft)
def hfft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.hfft(d[a], n, axis, norm)


@tangent(np.fft.ihfft)
def ihfft_tangent(z, a, n=None, axis=-1, norm=None):
    d[z] = np.fft.ihfft(d[a], n, axis, norm)


@tangent(np.fft.fftshift)
def fftshift_tangent(z, x, axes=None):
    d[z] = np.fft.fftshift(d[x], axes)


@tangent(np.fft.ifftshift)
def ifftshift_tangent(z, x, axes=None):
    d[z] = np.fft.ifftshift(d[x], axes)


@tangent(fit_axis)
def fit_axis_tangent(z, a, length, axis):
    d[z] = fit_axis(d[a], length, axis)


@tangent(fit_like)
def fit_like_tangent(z, a, x):
    d[z] = fit_like(d[a], x)


@tangent(real_like)
def real_like_tangent(z, g, x):
    d[z] = real_like(d[g], x)
