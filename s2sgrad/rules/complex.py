"""Rules of the complex-number functions: `np.real`, `np.imag`, `np.conj` / `np.conjugate`,
`np.angle`, the `.real` / `.imag` attributes, the `.conj()` / `.conjugate()` methods and
`complex(re, im)`; and the convention every rule follows for complex values.

The convention (one for all rules)
----------------------------------
Derivatives are taken of real functions (the loss L is real); complex values inside are pairs
of real numbers. The adjoint of a complex value z = x + iy is

    d[z] = dL/dx - i dL/dy,   so that   dL = Re(sum(d[z] * dz)),

and the adjoint rule of a linear map is its plain transpose, with no complex conjugation: the
adjoint of `z = w * c` is `d[z] * c`, of `exp(w)` is `d[z] * exp(w)`, of `fft(w)` is `fft(d[z])`
(this is the convention of the rules in elementwise.py and of s2sgrad/runtime, and JAX's; it is
the complex conjugate of PyTorch's dL/dx + i dL/dy). So for a holomorphic f the adjoint is
`d[z] * f'(w)`. For a non-holomorphic function, the transpose of its real-linear derivative:
`real` passes the (real) adjoint on, `imag` turns it into `-1j * d[z]`, `conj` conjugates it.
The gradient returned for a complex input w is `dL/dRe(w) - i dL/dIm(w)`; for a real input it is
real (`finalize_grad` keeps the real part).

The adjoint of a real value may carry an imaginary part that means nothing: `x * c` with x real
and c complex gives x the adjoint `d[z] * c` (summed), and only its real part is dL/dx. Hence:
a rule whose result is real but whose argument may be complex (`real`, `imag`, `angle`, and the
`irfft` / `hfft` transforms) reads only the real part of the incoming adjoint; where a real
argument produces a complex result (the transforms of s2sgrad/rules/fft.py), the rule keeps the
real part of the argument's adjoint (`real_like`). Tangents are exact: the tangent of a complex
value is complex, that of a real value is real (`np.real` of a real tangent is itself).

Non-smooth points: `angle` is not differentiable at 0 (its derivative there is not finite);
for a real argument its derivative is 0 everywhere else.
"""

import builtins

import numpy as np

from ..runtime.fft import real_like
from .registry import adjoint, attribute, d, method, tangent, zero_derivative

zero_derivative(np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal)


def angle_unit(deg):
    """The unit of `np.angle(z, deg)`: 180 / pi for degrees, 1 for radians."""
    return 180.0 / np.pi if deg else 1.0


zero_derivative(angle_unit)


@adjoint(np.real, attribute("real"))
def real(z, x):
    d[x] = np.real(d[z])


@adjoint(np.imag, attribute("imag"))
def imag(z, x):
    d[x] = real_like(-1j * np.real(d[z]), x)


@adjoint(np.conj, method("conj"), method("conjugate"))
def conj(z, x):
    d[x] = np.conj(d[z])


@adjoint(np.angle)
def angle(z, x, deg=False):
    # angle(w) = Im(log w): d angle = Im(dw / w), whose transpose is -1j * d[z] / w.
    if deg is False:
        d[x] = real_like(-1j * np.real(d[z]) / x, x)
    else:
        d[x] = real_like(-1j * np.real(d[z]) * angle_unit(deg) / x, x)


@adjoint(builtins.complex)
def complex_(z, real=0.0, imag=0.0):
    d[real] = np.real(d[z])
    d[imag] = -np.imag(d[z])


# ---- tangent (forward-mode) rules ---------------------------------------------------------------


@tangent(np.real, attribute("real"))
def real_tangent(z, x):
    d[z] = np.real(d[x])


@tangent(np.imag, attribute("imag"))
def imag_tangent(z, x):
    d[z] = np.imag(d[x])


@tangent(np.conj, method("conj"), method("conjugate"))
def conj_tangent(z, x):
    d[z] = np.conj(d[x])


@tangent(np.angle)
def angle_tangent(z, x, deg=False):
    if deg is False:
        d[z] = np.imag(d[x] / x)
    else:
        d[z] = np.imag(d[x] / x) * angle_unit(deg)


@tangent(builtins.complex)
def complex_tangent(z, real=0.0, imag=0.0):
    d[z] = complex(d[real], d[imag])
