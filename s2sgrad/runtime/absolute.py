"""The derivative of |x| for real and complex x (see rules/elementwise.py: `absolute`).

For real x it is sign(x) (abs'(0) = 0). For complex x, |x| is not holomorphic: with the project's
convention for complex adjoints (rules/complex.py: the adjoint a of z satisfies dL = Re(a dz)),
d|x| = Re(conj(x) dx) / |x|, so the adjoint of x is g conj(x) / |x| and the tangent
Re(conj(x) t) / |x|, both 0 where x = 0.
"""

import numpy as np


def _direction(x, z):
    """sign(x) for real x, conj(x) / |x| for complex x (0 where x = 0)."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    safe = np.where(z == 0, 1.0, z)
    return np.where(z == 0, 0.0, np.conj(x) / safe)


def abs_adjoint(g, x, z):
    """The adjoint of x for z = |x| and the incoming adjoint g."""
    return g * _direction(x, z)


def abs_tangent(t, x, z):
    """The tangent of z = |x| for the tangent t of x."""
    product = _direction(x, z) * t
    return np.real(product) if np.iscomplexobj(product) else product


def abs_second_order_refused(g, x):
    """Second derivatives of |x| in x: zero for real x (sign is piecewise constant); for complex
    x they are not implemented, and asking for them is an error, not a silent zero."""
    if np.iscomplexobj(x):
        raise NotImplementedError("second derivatives of np.abs of complex values are not "
                                  "supported by s2sgrad")
    return np.zeros(np.shape(x)) if np.ndim(x) else 0.0
