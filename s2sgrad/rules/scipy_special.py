"""Rules of `scipy.special`: the error functions, the gamma family, the logistic functions,
`xlogy` / `xlog1py`, `softmax` / `log_softmax` / `logsumexp`, the modified Bessel functions of
the first kind and the normal distribution function (`ndtr`, `ndtri`, `log_ndtr`).

Loaded by the registry the first time a rule is looked up while SciPy is imported (s2sgrad never
imports SciPy itself). Every rule's derivative is written with functions that have rules too, so
derivatives of any order work: gammaln' = digamma, digamma' = polygamma(1, .),
polygamma(n, .)' = polygamma(n + 1, .); i0' = i1 and iv(v, .)' = (iv(v - 1, .) + iv(v + 1, .)) / 2
(which is smooth at 0, unlike i0 - i1 / x); the exponentially scaled ive(v, x) = iv(v, x) e^-|x|
adds -sign(x) ive(v, x). `psi` is `digamma`.

Conventions and limits:
* Real arguments only. The integer order of `polygamma(n, x)`, `iv(v, x)`, `ive(v, x)` carries no
  derivative: differentiating with respect to it stops with an error at run time.
* `i0e` / `i1e` / `ive` contain |x|: at x = 0 their derivative uses sign(0) = 0 (the average of
  the one-sided derivatives, as abs'(0) = 0).
* `xlogy(x, y)` / `xlog1py(x, y)`: d/dx = log(y) (log1p(y)), d/dy = x / y (x / (1 + y)); both are
  infinite or undefined at y = 0 (y = -1), where the functions themselves are not differentiable.
* `logsumexp(a, axis, b, keepdims)`: with weights `b` (differentiable too), the weighted sum must
  be positive; `return_sign=True` is not supported (an error at run time).
* `softmax` / `log_softmax` with `axis=None` normalize over all entries, as SciPy does.
"""

import numpy as np
import scipy.special

from ..runtime import expand_reduced, unbroadcast
from .registry import adjoint, d, differentiated, tangent, zero_derivative

sp = scipy.special

SQRT_2PI = float(np.sqrt(2.0 * np.pi))
TWO_OVER_SQRT_PI = float(2.0 / np.sqrt(np.pi))
SQRT_PI_OVER_TWO = float(np.sqrt(np.pi) / 2.0)


def no_derivative_in_order(name, value):
    """Raised (at run time) for a derivative with respect to a function's integer order."""
    raise NotImplementedError(f"scipy.special.{name}: no derivative with respect to its order "
                              "argument; pass the order as a constant")


def no_return_sign(value):
    """Raised (at run time) for `logsumexp(..., return_sign=True)`, which has no rule."""
    raise NotImplementedError("scipy.special.logsumexp(..., return_sign=True) has no derivative "
                              "rule; use return_sign=False")


def broadcast_zeros(a, b):
    """Zeros of the shape `a` and `b` broadcast to (the ndim a reduction over both runs in)."""
    return np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)))


zero_derivative(no_derivative_in_order, no_return_sign, broadcast_zeros)


# ---- error functions ----------------------------------------------------------------------------


@adjoint(sp.erf)
def erf(z, x):
    d[x] = d[z] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@adjoint(sp.erfc)
def erfc(z, x):
    d[x] = -d[z] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@adjoint(sp.erfinv)
def erfinv(z, x):
    d[x] = d[z] * SQRT_PI_OVER_TWO * np.exp(z * z)


@adjoint(sp.erfcinv)
def erfcinv(z, x):
    d[x] = -d[z] * SQRT_PI_OVER_TWO * np.exp(z * z)


@adjoint(sp.erfcx)
def erfcx(z, x):
    # erfcx(x) = exp(x^2) erfc(x)
    d[x] = d[z] * (2.0 * x * z - TWO_OVER_SQRT_PI)


@adjoint(sp.ndtr)
def ndtr(z, x):
    d[x] = d[z] * np.exp(-0.5 * x * x) / SQRT_2PI


@adjoint(sp.ndtri)
def ndtri(z, x):
    d[x] = d[z] * SQRT_2PI * np.exp(0.5 * z * z)


@adjoint(sp.log_ndtr)
def log_ndtr(z, x):
    # phi(x) / Phi(x), computed as exp(log phi(x) - log Phi(x)) (no underflow in the tails)
    d[x] = d[z] * np.exp(-0.5 * x * x - z) / SQRT_2PI


# ---- gamma family -------------------------------------------------------------------------------


@adjoint(sp.gamma)
def gamma(z, x):
    d[x] = d[z] * z * sp.digamma(x)


@adjoint(sp.gammaln, sp.loggamma)
def gammaln(z, x):
    d[x] = d[z] * sp.digamma(x)


@adjoint(sp.digamma)
def digamma(z, x):
    d[x] = d[z] * sp.polygamma(1, x)


@adjoint(sp.polygamma)
def polygamma(z, n, x):
    d[x] = d[z] * sp.polygamma(n + 1, x)
    if differentiated(n):
        d[n] = no_derivative_in_order("polygamma", n)


@adjoint(sp.betaln)
def betaln(z, a, b):
    d[a] = unbroadcast(d[z] * (sp.digamma(a) - sp.digamma(a + b)), a)
    d[b] = unbroadcast(d[z] * (sp.digamma(b) - sp.digamma(a + b)), b)


@adjoint(sp.beta)
def beta(z, a, b):
    d[a] = unbroadcast(d[z] * z * (sp.digamma(a) - sp.digamma(a + b)), a)
    d[b] = unbroadcast(d[z] * z * (sp.digamma(b) - sp.digamma(a + b)), b)


# ---- logistic, logs ------------------------------------------------------------------------------


@adjoint(sp.expit)
def expit(z, x):
    d[x] = d[z] * z * (1.0 - z)


@adjoint(sp.log_expit)
def log_expit(z, x):
    d[x] = d[z] * sp.expit(-x)


@adjoint(sp.logit)
def logit(z, x):
    d[x] = d[z] / (x * (1.0 - x))


@adjoint(sp.xlogy)
def xlogy(z, x, y):
    d[x] = unbroadcast(d[z] * np.log(y), x)
    d[y] = unbroadcast(d[z] * x / y, y)


@adjoint(sp.xlog1py)
def xlog1py(z, x, y):
    d[x] = unbroadcast(d[z] * np.log1p(y), x)
    d[y] = unbroadcast(d[z] * x / (1.0 + y), y)


# ---- normalizations ------------------------------------------------------------------------------


@adjoint(sp.softmax)
def softmax(z, x, axis=None):
    d[x] = z * (d[z] - np.sum(d[z] * z, axis=axis, keepdims=True))


@adjoint(sp.log_softmax)
def log_softmax(z, x, axis=None):
    d[x] = d[z] - np.exp(z) * np.sum(d[z], axis=axis, keepdims=True)


@adjoint(sp.logsumexp)
def logsumexp(z, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign is not False:
        d[a] = no_return_sign(a)
    elif b is None:
        d[a] = expand_reduced(d[z], a, axis, keepdims) * np.exp(
            a - expand_reduced(z, a, axis, keepdims))
    else:
        full = broadcast_zeros(a, b)
        weights = np.exp(a - expand_reduced(z, full, axis, keepdims))
        d[a] = unbroadcast(expand_reduced(d[z], full, axis, keepdims) * b * weights, a)
        d[b] = unbroadcast(expand_reduced(d[z], full, axis, keepdims) * weights, b)


# ---- modified Bessel functions of the first kind ------------------------------------------------


@adjoint(sp.i0)
def i0(z, x):
    d[x] = d[z] * sp.i1(x)


@adjoint(sp.i1)
def i1(z, x):
    d[x] = d[z] * 0.5 * (sp.i0(x) + sp.iv(2, x))


@adjoint(sp.iv)
def iv(z, v, x):
    d[x] = d[z] * 0.5 * (sp.iv(v - 1, x) + sp.iv(v + 1, x))
    if differentiated(v):
        d[v] = no_derivative_in_order("iv", v)


@adjoint(sp.i0e)
def i0e(z, x):
    d[x] = d[z] * (sp.i1e(x) - np.sign(x) * z)


@adjoint(sp.i1e)
def i1e(z, x):
    d[x] = d[z] * (0.5 * (sp.i0e(x) + sp.ive(2, x)) - np.sign(x) * z)


@adjoint(sp.ive)
def ive(z, v, x):
    d[x] = d[z] * (0.5 * (sp.ive(v - 1, x) + sp.ive(v + 1, x)) - np.sign(x) * z)
    if differentiated(v):
        d[v] = no_derivative_in_order("ive", v)


# =================================================================================================
# Tangent (forward-mode) rules, in the order of the adjoint rules above
# =================================================================================================


@tangent(sp.erf)
def erf_tangent(z, x):
    d[z] = d[x] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@tangent(sp.erfc)
def erfc_tangent(z, x):
    d[z] = -d[x] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@tangent(sp.erfinv)
def erfinv_tangent(z, x):
    d[z] = d[x] * SQRT_PI_OVER_TWO * np.exp(z * z)


@tangent(sp.erfcinv)
def erfcinv_tangent(z, x):
    d[z] = -d[x] * SQRT_PI_OVER_TWO * np.exp(z * z)


@tangent(sp.erfcx)
def erfcx_tangent(z, x):
    d[z] = d[x] * (2.0 * x * z - TWO_OVER_SQRT_PI)


@tangent(sp.ndtr)
def ndtr_tangent(z, x):
    d[z] = d[x] * np.exp(-0.5 * x * x) / SQRT_2PI


@tangent(sp.ndtri)
def ndtri_tangent(z, x):
    d[z] = d[x] * SQRT_2PI * np.exp(0.5 * z * z)


@tangent(sp.log_ndtr)
def log_ndtr_tangent(z, x):
    d[z] = d[x] * np.exp(-0.5 * x * x - z) / SQRT_2PI


@tangent(sp.gamma)
def gamma_tangent(z, x):
    d[z] = d[x] * z * sp.digamma(x)


@tangent(sp.gammaln, sp.loggamma)
def gammaln_tangent(z, x):
    d[z] = d[x] * sp.digamma(x)


@tangent(sp.digamma)
def digamma_tangent(z, x):
    d[z] = d[x] * sp.polygamma(1, x)


@tangent(sp.polygamma)
def polygamma_tangent(z, n, x):
    if differentiated(n):
        d[z] = d[x] * sp.polygamma(n + 1, x) + no_derivative_in_order("polygamma", d[n])
    else:
        d[z] = d[x] * sp.polygamma(n + 1, x)


@tangent(sp.betaln)
def betaln_tangent(z, a, b):
    d[z] = d[a] * (sp.digamma(a) - sp.digamma(a + b)) + d[b] * (sp.digamma(b) - sp.digamma(a + b))


@tangent(sp.beta)
def beta_tangent(z, a, b):
    d[z] = z * (d[a] * (sp.digamma(a) - sp.digamma(a + b))
                + d[b] * (sp.digamma(b) - sp.digamma(a + b)))


@tangent(sp.expit)
def expit_tangent(z, x):
    d[z] = d[x] * z * (1.0 - z)


@tangent(sp.log_expit)
def log_expit_tangent(z, x):
    d[z] = d[x] * sp.expit(-x)


@tangent(sp.logit)
def logit_tangent(z, x):
    d[z] = d[x] / (x * (1.0 - x))


@tangent(sp.xlogy)
def xlogy_tangent(z, x, y):
    d[z] = d[x] * np.log(y) + d[y] * x / y


@tangent(sp.xlog1py)
def xlog1py_tangent(z, x, y):
    d[z] = d[x] * np.log1p(y) + d[y] * x / (1.0 + y)


@tangent(sp.softmax)
def softmax_tangent(z, x, axis=None):
    d[z] = z * (d[x] - np.sum(z * d[x], axis=axis, keepdims=True))


@tangent(sp.log_softmax)
def log_softmax_tangent(z, x, axis=None):
    d[z] = d[x] - np.sum(np.exp(z) * d[x], axis=axis, keepdims=True)


@tangent(sp.logsumexp)
def logsumexp_tangent(z, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign is not False:
        d[z] = no_return_sign(d[a])
    elif b is None:
        d[z] = np.sum(np.exp(a - expand_reduced(z, a, axis, keepdims)) * d[a], axis=axis,
                      keepdims=keepdims)
    else:
        d[z] = np.sum(np.exp(a - expand_reduced(z, broadcast_zeros(a, b), axis, keepdims))
                      * (b * d[a] + d[b]), axis=axis, keepdims=keepdims)


@tangent(sp.i0)
def i0_tangent(z, x):
    d[z] = d[x] * sp.i1(x)


@tangent(sp.i1)
def i1_tangent(z, x):
    d[z] = d[x] * 0.5 * (sp.i0(x) + sp.iv(2, x))


@tangent(sp.iv)
def iv_tangent(z, v, x):
    if differentiated(v):
        d[z] = d[x] * 0.5 * (sp.iv(v - 1, x) + sp.iv(v + 1, x)) + no_derivative_in_order(
            "iv", d[v])
    else:
        d[z] = d[x] * 0.5 * (sp.iv(v - 1, x) + sp.iv(v + 1, x))


@tangent(sp.i0e)
def i0e_tangent(z, x):
    d[z] = d[x] * (sp.i1e(x) - np.sign(x) * z)


@tangent(sp.i1e)
def i1e_tangent(z, x):
    d[z] = d[x] * (0.5 * (sp.i0e(x) + sp.ive(2, x)) - np.sign(x) * z)


@tangent(sp.ive)
def ive_tangent(z, v, x):
    if differentiated(v):
        d[z] = d[x] * (0.5 * (sp.ive(v - 1, x) + sp.ive(v + 1, x)) - np.sign(x) * z) \
            + no_derivative_in_order("ive", d[v])
    else:
        d[z] = d[x] * (0.5 * (sp.ive(v - 1, x) + sp.ive(v + 1, x)) - np.sign(x) * z)
