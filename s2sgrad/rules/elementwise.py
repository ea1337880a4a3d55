"""Adjoint rules of elementwise operations: arithmetic operators, NumPy ufuncs, the `math` module.

Binary rules un-broadcast: the contribution to an operand is summed back to that operand's shape
(`unbroadcast` returns its argument unchanged when the shapes already agree). Non-smooth points
follow documented conventions: abs'(0) = 0, and maximum/minimum split the gradient evenly on ties.
A NumPy rule registered with `math_version=math.f` also serves `math.f`, with `np` in the template
read as the `math` module, so that scalar code stays scalar (and fast).

More conventions:
* clip passes the gradient to x where x was not clipped (x exactly at a bound included), else to
  the bound; the bounds may be written a_min/a_max or min=/max=.
* mod, fmod: x - floor(x / y) y and x - trunc(x / y) y, the quotient taken as locally constant
  (the jumps where x / y is an integer get no derivative).
* copysign(x, y): the derivative in x is sign(x) sign(y), 0 at x == 0 (as abs'(0) = 0); y only
  flips signs: zero derivative.
* heaviside(x, h): zero derivative in x (the jump at 0 included); derivative 1 in h exactly
  where x == 0.
* sinc'(0) = 0 (exact); the second derivative at exactly 0 comes out as 0 instead of -pi^2/3
  (the first derivative is a `where` between the general formula and its value at 0).
* nan_to_num: finite entries pass through; NaN and +-inf entries get zero gradient, which goes
  instead to the fill values `nan=`, `posinf=`, `neginf=` when they are differentiated.
* power, float_power: d/dx is 0 where y == 0, and log(x) in d/dy is read as 0 where x <= 0.
"""

import math
import operator

import numpy as np

from ..runtime import broadcast_like, digamma, unbroadcast
from ..runtime.absolute import abs_adjoint, abs_tangent
from .registry import adjoint, d, differentiated, method, tangent

# ---- arithmetic operators (and their ufunc spellings) ---------------------------------------


# When the other operand is a number written in the code, the result has exactly this operand's
# shape, so these rules skip un-broadcasting (decided at compile time).


@adjoint(operator.add, np.add)
def add(z, x, y):
    if isinstance(y, (int, float)):
        d[x] = d[z]
    else:
        d[x] = unbroadcast(d[z], x)
    if isinstance(x, (int, float)):
        d[y] = d[z]
    else:
        d[y] = unbroadcast(d[z], y)


@adjoint(operator.sub, np.subtract)
def subtract(z, x, y):
    if isinstance(y, (int, float)):
        d[x] = d[z]
    else:
        d[x] = unbroadcast(d[z], x)
    if isinstance(x, (int, float)):
        d[y] = -d[z]
    else:
        d[y] = unbroadcast(-d[z], y)


@adjoint(operator.mul, np.multiply)
def multiply(z, x, y):
    if x is y:          # a square, `h * h`: one contribution instead of two
        d[x] = d[z] * (2.0 * x)
    elif isinstance(y, (int, float)):
        d[x] = d[z] * y
    else:
        d[x] = unbroadcast(d[z] * y, x)
    if x is y:
        pass
    elif isinstance(x, (int, float)):
        d[y] = d[z] * x
    else:
        d[y] = unbroadcast(d[z] * x, y)


@adjoint(operator.truediv, np.divide, np.true_divide)
def divide(z, x, y):
    if isinstance(y, (int, float)):
        d[x] = d[z] / y
    else:
        d[x] = unbroadcast(d[z] / y, x)
    if isinstance(x, (int, float)):
        d[y] = -d[z] * z / y
    else:
        d[y] = unbroadcast(-d[z] * z / y, y)


@adjoint(operator.pow, np.power, math.pow)
def power(z, x, y):
    # d(x**y)/dx = y * x**(y-1), taken as 0 where y == 0 (x**(y-1) would be inf at x == 0).
    if y == 0:
        pass
    elif y == 2:
        d[x] = d[z] * (2.0 * x)
    elif isinstance(y, (int, float)):
        d[x] = d[z] * (y * x ** (y - 1))
    else:
        d[x] = unbroadcast(d[z] * y * x ** np.where(y == 0, 1.0, y - 1), x)
    d[y] = unbroadcast(d[z] * z * np.log(np.where(x > 0, x, 1.0)), y)


@adjoint(operator.mod, np.mod, np.remainder)
def mod(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(-d[z] * np.floor_divide(x, y), y)


@adjoint(operator.neg, np.negative)
def negative(z, x):
    d[x] = -d[z]


@adjoint(operator.pos, np.positive, float, np.copy)
def identity(z, x):
    d[x] = d[z]


@adjoint(np.maximum, np.fmax)
def maximum(z, x, y):
    # Multiplying by boolean masks keeps d[z]'s dtype (float32 stays float32).
    d[x] = unbroadcast(d[z] * (x > y) + 0.5 * d[z] * (x == y), x)
    d[y] = unbroadcast(d[z] * (y > x) + 0.5 * d[z] * (x == y), y)


@adjoint(np.minimum, np.fmin)
def minimum(z, x, y):
    d[x] = unbroadcast(d[z] * (x < y) + 0.5 * d[z] * (x == y), x)
    d[y] = unbroadcast(d[z] * (y < x) + 0.5 * d[z] * (x == y), y)


@adjoint(np.clip, method("clip"))
def clip(z, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    # The gradient passes where x was not clipped (including x exactly at a bound). The bounds
    # are a_min / a_max, or the keywords min= / max= (NumPy 2.1+, and the method's names).
    d[x] = unbroadcast(np.where(z == x, d[z], 0.0), x)
    if min is None and max is None:
        d[a_min] = unbroadcast(np.where(z == x, 0.0, np.where(z == a_min, d[z], 0.0)), a_min)
        d[a_max] = unbroadcast(np.where((z == x) | (z == a_min), 0.0, d[z]), a_max)
    else:
        d[min] = unbroadcast(np.where(z == x, 0.0, np.where(z == min, d[z], 0.0)), min)
        d[max] = unbroadcast(np.where((z == x) | (z == min), 0.0, d[z]), max)


@adjoint(np.where)
def where(z, condition, x, y):
    d[x] = unbroadcast(np.where(condition, d[z], 0.0), x)
    d[y] = unbroadcast(np.where(condition, 0.0, d[z]), y)


@adjoint(np.arctan2)
def arctan2(z, y, x):
    d[y] = unbroadcast(d[z] * x / (x * x + y * y), y)
    d[x] = unbroadcast(-d[z] * y / (x * x + y * y), x)


@adjoint(np.hypot)
def hypot(z, x, y):
    d[x] = unbroadcast(d[z] * x / z, x)
    d[y] = unbroadcast(d[z] * y / z, y)


# ---- NumPy unary functions -------------------------------------------------------------------


@adjoint(np.exp, math_version=math.exp)
def exp(z, x):
    d[x] = d[z] * z


@adjoint(np.expm1, math_version=math.expm1)
def expm1(z, x):
    d[x] = d[z] * (z + 1.0)


@adjoint(np.exp2)
def exp2(z, x):
    d[x] = d[z] * z * np.log(2.0)


@adjoint(np.log)
def log(z, x):
    d[x] = d[z] / x


@adjoint(np.log2, math_version=math.log2)
def log2(z, x):
    d[x] = d[z] / (x * np.log(2.0))


@adjoint(np.log10, math_version=math.log10)
def log10(z, x):
    d[x] = d[z] / (x * np.log(10.0))


@adjoint(np.log1p, math_version=math.log1p)
def log1p(z, x):
    d[x] = d[z] / (1.0 + x)


@adjoint(np.sin, math_version=math.sin)
def sin(z, x):
    d[x] = d[z] * np.cos(x)


@adjoint(np.cos, math_version=math.cos)
def cos(z, x):
    d[x] = -d[z] * np.sin(x)


@adjoint(np.tan, math_version=math.tan)
def tan(z, x):
    d[x] = d[z] * (1.0 + z * z)


@adjoint(np.arcsin, math_version=math.asin)
def arcsin(z, x):
    d[x] = d[z] / np.sqrt(1.0 - x * x)


@adjoint(np.arccos, math_version=math.acos)
def arccos(z, x):
    d[x] = -d[z] / np.sqrt(1.0 - x * x)


@adjoint(np.arctan, math_version=math.atan)
def arctan(z, x):
    d[x] = d[z] / (1.0 + x * x)


@adjoint(np.sinh, math_version=math.sinh)
def sinh(z, x):
    d[x] = d[z] * np.cosh(x)


@adjoint(np.cosh, math_version=math.cosh)
def cosh(z, x):
    d[x] = d[z] * np.sinh(x)


@adjoint(np.tanh, math_version=math.tanh)
def tanh(z, x):
    d[x] = d[z] * (1.0 - z * z)


@adjoint(np.arcsinh, math_version=math.asinh)
def arcsinh(z, x):
    d[x] = d[z] / np.sqrt(x * x + 1.0)


@adjoint(np.arccosh, math_version=math.acosh)
def arccosh(z, x):
    d[x] = d[z] / np.sqrt(x * x - 1.0)


@adjoint(np.arctanh, math_version=math.atanh)
def arctanh(z, x):
    d[x] = d[z] / (1.0 - x * x)


@adjoint(np.sqrt, math_version=math.sqrt)
def sqrt(z, x):
    d[x] = d[z] / (2.0 * z)


@adjoint(np.cbrt)
def cbrt(z, x):
    d[x] = d[z] / (3.0 * z * z)


@adjoint(np.square)
def square(z, x):
    d[x] = d[z] * (2.0 * x)


@adjoint(np.reciprocal)
def reciprocal(z, x):
    d[x] = -d[z] * z * z


@adjoint(np.fabs)
def fabs(z, x):
    d[x] = d[z] * np.sign(x)


@adjoint(np.abs, np.absolute, abs)
def absolute(z, x):
    # sign(x) for real x; conj(x) / |x| for complex x (runtime/absolute.py)
    d[x] = abs_adjoint(d[z], x, z)


@adjoint(np.deg2rad, np.radians)
def deg2rad(z, x):
    d[x] = d[z] * (np.pi / 180.0)


@adjoint(np.rad2deg, np.degrees)
def rad2deg(z, x):
    d[x] = d[z] * (180.0 / np.pi)


@adjoint(np.sinc)
def sinc(z, x):
    # sinc(x) = sin(pi x) / (pi x): sinc'(x) = (cos(pi x) - sinc(x)) / x, and sinc'(0) = 0.
    d[x] = d[z] * np.where(x == 0, 0.0, (np.cos(np.pi * x) - z) / np.where(x == 0, 1.0, x))


@adjoint(np.nan_to_num)
def nan_to_num(z, x, copy=True, nan=0.0, posinf=None, neginf=None):
    # Finite entries pass through; the others are replaced by the (differentiable) fill values.
    d[x] = np.where(np.isfinite(x), d[z], 0.0)
    d[nan] = np.sum(np.where(np.isnan(x), d[z], 0.0))
    d[posinf] = np.sum(np.where(np.isposinf(x), d[z], 0.0))
    d[neginf] = np.sum(np.where(np.isneginf(x), d[z], 0.0))


# ---- NumPy binary functions ------------------------------------------------------------------


@adjoint(np.logaddexp)
def logaddexp(z, x, y):
    # z = log(exp(x) + exp(y)): dz/dx = exp(x - z), the softmax weight of x.
    d[x] = unbroadcast(d[z] * np.exp(x - z), x)
    d[y] = unbroadcast(d[z] * np.exp(y - z), y)


@adjoint(np.logaddexp2)
def logaddexp2(z, x, y):
    # z = log2(2**x + 2**y): dz/dx = 2**(x - z).
    d[x] = unbroadcast(d[z] * np.exp2(x - z), x)
    d[y] = unbroadcast(d[z] * np.exp2(y - z), y)


@adjoint(np.float_power)
def float_power(z, x, y):
    # As `power` (same conventions), computed in float64 like the function.
    if y == 0:
        pass
    elif isinstance(y, (int, float)):
        d[x] = d[z] * (y * np.float_power(x, y - 1))
    else:
        d[x] = unbroadcast(d[z] * y * np.float_power(x, np.where(y == 0, 1.0, y - 1)), x)
    d[y] = unbroadcast(d[z] * z * np.log(np.where(x > 0, x, 1.0)), y)


@adjoint(np.fmod)
def fmod(z, x, y):
    # fmod(x, y) = x - trunc(x / y) * y, with trunc(x / y) locally constant.
    if isinstance(y, (int, float)):
        d[x] = d[z]
    else:
        d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(-d[z] * np.trunc(x / y), y)


@adjoint(np.copysign)
def copysign(z, x, y):
    # |x| with y's sign: sign(x) * sign(y) with respect to x (0 at x == 0, as abs'(0) = 0); y
    # only flips signs (zero derivative).
    d[x] = unbroadcast(d[z] * np.sign(x) * np.copysign(1.0, y), x)


@adjoint(np.heaviside)
def heaviside(z, x, h):
    # 0 for x < 0, 1 for x > 0, h where x == 0: zero derivative in x (its jump at 0 is taken as
    # 0), and derivative 1 in h exactly where x == 0.
    d[h] = unbroadcast(d[z] * (x == 0), h)


# ---- math module (scalars) -------------------------------------------------------------------


@adjoint(math.log)
def math_log(z, x, base=None):
    if base is None:
        d[x] = d[z] / x
    else:
        d[x] = d[z] / (x * math.log(base))
        d[base] = -d[z] * z / (base * math.log(base))


@adjoint(math.atan2)
def math_atan2(z, y, x):
    d[y] = d[z] * x / (x * x + y * y)
    d[x] = -d[z] * y / (x * x + y * y)


@adjoint(math.hypot)
def math_hypot(z, x, y):
    d[x] = d[z] * x / z
    d[y] = d[z] * y / z


@adjoint(math.fabs)
def math_fabs(z, x):
    d[x] = d[z] * math.copysign(1.0, x) if x != 0.0 else 0.0 * d[z]


@adjoint(math.erf)
def math_erf(z, x):
    d[x] = d[z] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint(math.erfc)
def math_erfc(z, x):
    d[x] = -d[z] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint(math.degrees)
def math_degrees(z, x):
    d[x] = d[z] * (180.0 / math.pi)


@adjoint(math.radians)
def math_radians(z, x):
    d[x] = d[z] * (math.pi / 180.0)


@adjoint(math.gamma)
def math_gamma(z, x):
    d[x] = d[z] * z * digamma(x)


@adjoint(math.lgamma)
def math_lgamma(z, x):
    d[x] = d[z] * digamma(x)


@adjoint(math.fmod)
def math_fmod(z, x, y):
    d[x] = d[z]
    d[y] = -d[z] * math.trunc(x / y)


@adjoint(math.copysign)
def math_copysign(z, x, y):
    # |x| carries y's sign: the derivative w.r.t. x is sign(x) * sign(y); y only flips it.
    d[x] = d[z] * math.copysign(1.0, x) * math.copysign(1.0, y)


if hasattr(math, "cbrt"):   # Python 3.11+

    @adjoint(math.cbrt)
    def math_cbrt(z, x):
        d[x] = d[z] / (3.0 * z * z)

    @adjoint(math.exp2)
    def math_exp2(z, x):
        d[x] = d[z] * z * math.log(2.0)


# =================================================================================================
# Tangent (forward-mode) rules, in the order of the adjoint rules above
# =================================================================================================
# `d[z]` is the tangent of the result, linear in the arguments' tangents; a tangent that is zero is
# dropped when the rule is inlined. The tangent has the result's shape: a product such as
# `d[x] * y` broadcasts by itself, but with one operand constant, the tangent of `x + c` is that of
# x, which may have fewer dimensions than the result: it is broadcast to the result's shape (not
# needed when the constant is a number written in the code, or when both operands carry tangents,
# whose sum broadcasts by itself). Non-smooth points follow the adjoint rules' conventions.

# ---- arithmetic operators (and their ufunc spellings) ---------------------------------------


@tangent(operator.add, np.add)
def add_tangent(z, x, y):
    if differentiated(x) and differentiated(y):
        d[z] = d[x] + d[y]
    elif isinstance(y, (int, float)):
        d[z] = d[x]
    elif isinstance(x, (int, float)):
        d[z] = d[y]
    else:
        d[z] = broadcast_like(d[x] + d[y], z)


@tangent(operator.sub, np.subtract)
def subtract_tangent(z, x, y):
    if differentiated(x) and differentiated(y):
        d[z] = d[x] - d[y]
    elif isinstance(y, (int, float)):
        d[z] = d[x]
    elif isinstance(x, (int, float)):
        d[z] = -d[y]
    else:
        d[z] = broadcast_like(d[x] - d[y], z)


@tangent(operator.mul, np.multiply)
def multiply_tangent(z, x, y):
    if x is y:
        d[z] = d[x] * (2.0 * x)
    else:
        d[z] = d[x] * y + x * d[y]


@tangent(operator.truediv, np.divide, np.true_divide)
def divide_tangent(z, x, y):
    d[z] = d[x] / y - z * d[y] / y


@tangent(operator.pow, np.power, math.pow)
def power_tangent(z, x, y):
    # d(x**y) = y * x**(y-1) dx + x**y * log(x) dy, with the adjoint's conventions: the first term
    # is 0 where y == 0, and log(x) is read as 0 where x <= 0.
    if y == 0:
        d[z] = 0.0 * d[x]
    elif y == 2:
        d[z] = d[x] * (2.0 * x)
    elif isinstance(y, (int, float)):
        d[z] = d[x] * (y * x ** (y - 1))
    else:
        d[z] = (d[x] * y * x ** np.where(y == 0, 1.0, y - 1)
                + d[y] * z * np.log(np.where(x > 0, x, 1.0)))


@tangent(operator.mod, np.mod, np.remainder)
def mod_tangent(z, x, y):
    # x mod y = x - floor(x / y) * y, with floor(x / y) locally constant.
    if differentiated(x) and differentiated(y):
        d[z] = d[x] - d[y] * np.floor_divide(x, y)
    elif isinstance(y, (int, float)):
        d[z] = d[x]
    else:
        d[z] = broadcast_like(d[x] - d[y] * np.floor_divide(x, y), z)


@tangent(operator.neg, np.negative)
def negative_tangent(z, x):
    d[z] = -d[x]


@tangent(operator.pos, np.positive, float)
def identity_tangent(z, x):
    d[z] = d[x]


@tangent(np.copy)
def copy_tangent(z, x):
    # A copy's tangent is a copy too: a later write into x (or its tangent) must not reach it.
    d[z] = np.copy(d[x])


@tangent(np.maximum, np.fmax)
def maximum_tangent(z, x, y):
    # The tangent of the larger operand; on ties, the average of both (as the adjoint splits).
    d[z] = d[x] * (x > y) + 0.5 * d[x] * (x == y) + d[y] * (y > x) + 0.5 * d[y] * (x == y)


@tangent(np.minimum, np.fmin)
def minimum_tangent(z, x, y):
    d[z] = d[x] * (x < y) + 0.5 * d[x] * (x == y) + d[y] * (y < x) + 0.5 * d[y] * (x == y)


@tangent(np.clip, method("clip"))
def clip_tangent(z, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    # x's tangent where x was not clipped (including x exactly at a bound), else the bound's.
    if min is None and max is None:
        d[z] = np.where(z == x, d[x], np.where(z == a_min, d[a_min], d[a_max]))
    else:
        d[z] = np.where(z == x, d[x], np.where(z == min, d[min], d[max]))


@tangent(np.where)
def where_tangent(z, condition, x, y):
    if differentiated(x) and differentiated(y):
        d[z] = np.where(condition, d[x], d[y])
    else:
        d[z] = broadcast_like(np.where(condition, d[x], d[y]), z)


@tangent(np.arctan2, math.atan2)
def arctan2_tangent(z, y, x):
    d[z] = (d[y] * x - y * d[x]) / (x * x + y * y)


@tangent(np.hypot, math.hypot)
def hypot_tangent(z, x, y):
    d[z] = (x * d[x] + y * d[y]) / z


# ---- NumPy unary functions -------------------------------------------------------------------


@tangent(np.exp, math_version=math.exp)
def exp_tangent(z, x):
    d[z] = d[x] * z


@tangent(np.expm1, math_version=math.expm1)
def expm1_tangent(z, x):
    d[z] = d[x] * (z + 1.0)


@tangent(np.exp2)
def exp2_tangent(z, x):
    d[z] = d[x] * z * np.log(2.0)


@tangent(np.log)
def log_tangent(z, x):
    d[z] = d[x] / x


@tangent(np.log2, math_version=math.log2)
def log2_tangent(z, x):
    d[z] = d[x] / (x * np.log(2.0))


@tangent(np.log10, math_version=math.log10)
def log10_tangent(z, x):
    d[z] = d[x] / (x * np.log(10.0))


@tangent(np.log1p, math_version=math.log1p)
def log1p_tangent(z, x):
    d[z] = d[x] / (1.0 + x)


@tangent(np.sin, math_version=math.sin)
def sin_tangent(z, x):
    d[z] = d[x] * np.cos(x)


@tangent(np.cos, math_version=math.cos)
def cos_tangent(z, x):
    d[z] = -d[x] * np.sin(x)


@tangent(np.tan, math_version=math.tan)
def tan_tangent(z, x):
    d[z] = d[x] * (1.0 + z * z)


@tangent(np.arcsin, math_version=math.asin)
def arcsin_tangent(z, x):
    d[z] = d[x] / np.sqrt(1.0 - x * x)


@tangent(np.arccos, math_version=math.acos)
def arccos_tangent(z, x):
    d[z] = -d[x] / np.sqrt(1.0 - x * x)


@tangent(np.arctan, math_version=math.atan)
def arctan_tangent(z, x):
    d[z] = d[x] / (1.0 + x * x)


@tangent(np.sinh, math_version=math.sinh)
def sinh_tangent(z, x):
    d[z] = d[x] * np.cosh(x)


@tangent(np.cosh, math_version=math.cosh)
def cosh_tangent(z, x):
    d[z] = d[x] * np.sinh(x)


@tangent(np.tanh, math_version=math.tanh)
def tanh_tangent(z, x):
    d[z] = d[x] * (1.0 - z * z)


@tangent(np.arcsinh, math_version=math.asinh)
def arcsinh_tangent(z, x):
    d[z] = d[x] / np.sqrt(x * x + 1.0)


@tangent(np.arccosh, math_version=math.acosh)
def arccosh_tangent(z, x):
    d[z] = d[x] / np.sqrt(x * x - 1.0)


@tangent(np.arctanh, math_version=math.atanh)
def arctanh_tangent(z, x):
    d[z] = d[x] / (1.0 - x * x)


@tangent(np.sqrt, math_version=math.sqrt)
def sqrt_tangent(z, x):
    d[z] = d[x] / (2.0 * z)


@tangent(np.cbrt)
def cbrt_tangent(z, x):
    d[z] = d[x] / (3.0 * z * z)


@tangent(np.square)
def square_tangent(z, x):
    d[z] = d[x] * (2.0 * x)


@tangent(np.reciprocal)
def reciprocal_tangent(z, x):
    d[z] = -d[x] * z * z


@tangent(np.fabs)
def fabs_tangent(z, x):
    d[z] = d[x] * np.sign(x)     # abs'(0) = 0


@tangent(np.abs, np.absolute, abs)
def absolute_tangent(z, x):
    d[z] = abs_tangent(d[x], x, z)     # abs'(0) = 0


@tangent(np.deg2rad, np.radians)
def deg2rad_tangent(z, x):
    d[z] = d[x] * (np.pi / 180.0)


@tangent(np.rad2deg, np.degrees)
def rad2deg_tangent(z, x):
    d[z] = d[x] * (180.0 / np.pi)


@tangent(np.sinc)
def sinc_tangent(z, x):
    d[z] = d[x] * np.where(x == 0, 0.0, (np.cos(np.pi * x) - z) / np.where(x == 0, 1.0, x))


@tangent(np.nan_to_num)
def nan_to_num_tangent(z, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[z] = (np.where(np.isfinite(x), d[x], 0.0) + d[nan] * np.isnan(x)
            + d[posinf] * np.isposinf(x) + d[neginf] * np.isneginf(x))


# ---- NumPy binary functions ------------------------------------------------------------------


@tangent(np.logaddexp)
def logaddexp_tangent(z, x, y):
    d[z] = d[x] * np.exp(x - z) + d[y] * np.exp(y - z)


@tangent(np.logaddexp2)
def logaddexp2_tangent(z, x, y):
    d[z] = d[x] * np.exp2(x - z) + d[y] * np.exp2(y - z)


@tangent(np.float_power)
def float_power_tangent(z, x, y):
    if y == 0:
        d[z] = 0.0 * d[x]
    elif isinstance(y, (int, float)):
        d[z] = d[x] * (y * np.float_power(x, y - 1))
    else:
        d[z] = (d[x] * y * np.float_power(x, np.where(y == 0, 1.0, y - 1))
                + d[y] * z * np.log(np.where(x > 0, x, 1.0)))


@tangent(np.fmod)
def fmod_tangent(z, x, y):
    if differentiated(x) and differentiated(y):
        d[z] = d[x] - d[y] * np.trunc(x / y)
    elif isinstance(y, (int, float)):
        d[z] = d[x]
    else:
        d[z] = broadcast_like(d[x] - d[y] * np.trunc(x / y), z)


@tangent(np.copysign)
def copysign_tangent(z, x, y):
    d[z] = d[x] * np.sign(x) * np.copysign(1.0, y)


@tangent(np.heaviside)
def heaviside_tangent(z, x, h):
    d[z] = d[h] * (x == 0)


# ---- math module (scalars) -------------------------------------------------------------------


@tangent(math.log)
def math_log_tangent(z, x, base=None):
    if base is None:
        d[z] = d[x] / x
    else:
        # z = log(x) / log(base)
        d[z] = (d[x] / x - d[base] * z / base) / math.log(base)


@tangent(math.fabs)
def math_fabs_tangent(z, x):
    d[z] = d[x] * (math.copysign(1.0, x) if x != 0.0 else 0.0)


@tangent(math.erf)
def math_erf_tangent(z, x):
    d[z] = d[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@tangent(math.erfc)
def math_erfc_tangent(z, x):
    d[z] = -d[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@tangent(math.degrees)
def math_degrees_tangent(z, x):
    d[z] = d[x] * (180.0 / math.pi)


@tangent(math.radians)
def math_radians_tangent(z, x):
    d[z] = d[x] * (math.pi / 180.0)


@tangent(math.gamma)
def math_gamma_tangent(z, x):
    d[z] = d[x] * z * digamma(x)


@tangent(math.lgamma)
def math_lgamma_tangent(z, x):
    d[z] = d[x] * digamma(x)


@tangent(math.fmod)
def math_fmod_tangent(z, x, y):
    d[z] = d[x] - d[y] * math.trunc(x / y)


@tangent(math.copysign)
def math_copysign_tangent(z, x, y):
    d[z] = d[x] * math.copysign(1.0, x) * math.copysign(1.0, y)


if hasattr(math, "cbrt"):   # Python 3.11+

    @tangent(math.cbrt)
    def math_cbrt_tangent(z, x):
        d[z] = d[x] / (3.0 * z * z)

    @tangent(math.exp2)
    def math_exp2_tangent(z, x):
        d[z] = d[x] * z * math.log(2.0)
