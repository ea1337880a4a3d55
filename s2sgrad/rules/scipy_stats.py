"""Rules of `scipy.stats.norm`: `pdf`, `logpdf`, `cdf`, `logcdf`, `sf`, `logsf` and `ppf`, in `x`
(or `q`), `loc` and `scale` (all differentiable, positionally or by keyword; they broadcast, and
each adjoint is summed back to its argument's shape).

Loaded by the registry the first time a rule is looked up while SciPy is imported. The rules are
keyed by the bound methods of the `scipy.stats.norm` object, so `scipy.stats.norm.pdf(x)` and
`from scipy.stats import norm; norm.pdf(x)` find them; the frozen form `norm(loc, scale).pdf(x)`
has no rules. With u = (x - loc) / scale and phi the standard normal density, every derivative is
a multiple of phi(u) / scale (of its ratio to the result for the logarithms, computed as the
exponential of a difference of logarithms so that the tails do not underflow):
d/dx = -d/dloc, and d/dscale = u * d/dloc. Only scale > 0 is meaningful (SciPy returns nan
otherwise).
"""

import numpy as np
import scipy.stats

from ..runtime import broadcast_like, unbroadcast
from .registry import adjoint, d, tangent

norm = scipy.stats.norm

LOG_SQRT_2PI = float(0.5 * np.log(2.0 * np.pi))
SQRT_2PI = float(np.sqrt(2.0 * np.pi))


@adjoint(norm.pdf)
def norm_pdf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[x] = unbroadcast(-d[z] * z * u / scale, x)
    d[loc] = unbroadcast(d[z] * z * u / scale, loc)
    d[scale] = unbroadcast(d[z] * z * (u * u - 1.0) / scale, scale)


@adjoint(norm.logpdf)
def norm_logpdf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[x] = unbroadcast(-d[z] * u / scale, x)
    d[loc] = unbroadcast(d[z] * u / scale, loc)
    d[scale] = unbroadcast(d[z] * (u * u - 1.0) / scale, scale)


@adjoint(norm.cdf)
def norm_cdf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    density = np.exp(-0.5 * u * u) / (SQRT_2PI * scale)
    d[x] = unbroadcast(d[z] * density, x)
    d[loc] = unbroadcast(-d[z] * density, loc)
    d[scale] = unbroadcast(-d[z] * density * u, scale)


@adjoint(norm.sf)
def norm_sf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    density = np.exp(-0.5 * u * u) / (SQRT_2PI * scale)
    d[x] = unbroadcast(-d[z] * density, x)
    d[loc] = unbroadcast(d[z] * density, loc)
    d[scale] = unbroadcast(d[z] * density * u, scale)


@adjoint(norm.logcdf)
def norm_logcdf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    ratio = np.exp(-0.5 * u * u - LOG_SQRT_2PI - z) / scale
    d[x] = unbroadcast(d[z] * ratio, x)
    d[loc] = unbroadcast(-d[z] * ratio, loc)
    d[scale] = unbroadcast(-d[z] * ratio * u, scale)


@adjoint(norm.logsf)
def norm_logsf(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    ratio = np.exp(-0.5 * u * u - LOG_SQRT_2PI - z) / scale
    d[x] = unbroadcast(-d[z] * ratio, x)
    d[loc] = unbroadcast(d[z] * ratio, loc)
    d[scale] = unbroadcast(d[z] * ratio * u, scale)


@adjoint(norm.ppf)
def norm_ppf(z, q, loc=0.0, scale=1.0):
    # z = loc + scale * ndtri(q): dz/dq = scale / phi(u) with u = ndtri(q) = (z - loc) / scale
    u = (z - loc) / scale
    d[q] = unbroadcast(d[z] * scale * SQRT_2PI * np.exp(0.5 * u * u), q)
    d[loc] = unbroadcast(d[z], loc)
    d[scale] = unbroadcast(d[z] * u, scale)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------


@tangent(norm.pdf)
def norm_pdf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = z * (-u * (d[x] - d[loc]) + (u * u - 1.0) * d[scale]) / scale


@tangent(norm.logpdf)
def norm_logpdf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = (-u * (d[x] - d[loc]) + (u * u - 1.0) * d[scale]) / scale


@tangent(norm.cdf)
def norm_cdf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = np.exp(-0.5 * u * u) / (SQRT_2PI * scale) * (d[x] - d[loc] - u * d[scale])


@tangent(norm.sf)
def norm_sf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = -np.exp(-0.5 * u * u) / (SQRT_2PI * scale) * (d[x] - d[loc] - u * d[scale])


@tangent(norm.logcdf)
def norm_logcdf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = np.exp(-0.5 * u * u - LOG_SQRT_2PI - z) / scale * (d[x] - d[loc] - u * d[scale])


@tangent(norm.logsf)
def norm_logsf_tangent(z, x, loc=0.0, scale=1.0):
    u = (x - loc) / scale
    d[z] = -np.exp(-0.5 * u * u - LOG_SQRT_2PI - z) / scale * (d[x] - d[loc] - u * d[scale])


@tangent(norm.ppf)
def norm_ppf_tangent(z, q, loc=0.0, scale=1.0):
    u = (z - loc) / scale
    d[z] = broadcast_like(d[q] * scale * SQRT_2PI * np.exp(0.5 * u * u) + d[loc] + u * d[scale], z)
