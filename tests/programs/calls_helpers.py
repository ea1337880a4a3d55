"""Helpers for tests/programs/calls_and_data.py, in a module of their own: functions called across
modules (with keyword and default arguments, several results, `*args`), closures made by
factories, and small model classes whose methods the differentiated programs call.
"""

import numpy as np

EPS = 1e-3


# ---- plain functions -------------------------------------------------------------------------


def stats(x):
    """Mean and variance of x."""
    m = np.mean(x)
    v = np.mean((x - m) ** 2)
    return m, v


def soft_clip(x, limit=2.0):
    return limit * np.tanh(x / limit)


def softplus(x, beta=1.0):
    return np.log1p(np.exp(beta * x)) / beta


def squared_error(pred, target, weight=1.0):
    return weight * np.sum((pred - target) ** 2)


def affine(x, w, b=0.0):
    return x @ w + b


def total(*xs):
    out = 0.0
    for item in xs:
        out = out + np.sum(item)
    return out


def weighted_total(scale, *xs):
    out = 0.0
    for k in range(len(xs)):
        out = out + scale * (k + 1.0) * np.sum(xs[k])
    return out


def polar(x, y):
    r = np.sqrt(x * x + y * y + EPS)
    return r, x / r, y / r


def normalize(x, eps=EPS):
    m, v = stats(x)
    return (x - m) / np.sqrt(v + eps)


def apply_twice(f, x):
    return f(f(x))


def compose(f, g, x):
    return f(g(x))


def apply_n(f, x, n):
    for _ in range(n):
        x = f(x)
    return x


def cube(x):
    return x * x * x


def halve_and_shift(x, shift=0.5):
    return 0.5 * x + shift


def sum_list(items):
    out = 0.0
    for item in items:
        out = out + np.sum(item)
    return out


def dict_energy(params):
    return np.sum(params["w"] ** 2) + np.sum(params["b"] ** 2)


def pair_product(pair):
    a, b = pair
    return np.sum(a * b)


# ---- closures ----------------------------------------------------------------------------


def make_scaler(a):
    def scale(x):
        return a * x
    return scale


def make_polynomial(coefficients):
    def polynomial(x):
        out = 0.0 * x
        for c in coefficients:
            out = out * x + c
        return out
    return polynomial


def make_gaussian(center, width):
    def gaussian(x):
        return np.exp(-((x - center) / width) ** 2)
    return gaussian


def make_affine(w, b):
    def apply(x):
        return x @ w + b
    return apply


SCALE_BY_3 = make_scaler(3.0)
CUBIC = make_polynomial([0.5, -1.0, 2.0, 0.3])
BUMP = make_gaussian(0.5, 1.5)


# ---- classes -----------------------------------------------------------------------------


class Linear:
    def __init__(self, w, b):
        self.w = w
        self.b = b

    def __call__(self, x):
        return x @ self.w + self.b


class MLP:
    def __init__(self, w1, b1, w2, b2):
        self.l1 = Linear(w1, b1)
        self.l2 = Linear(w2, b2)

    def forward(self, x):
        h = np.tanh(self.l1(x))
        return self.l2(h)

    def __call__(self, x):
        return self.forward(x)


class Polynomial:
    def __init__(self, coefficients):
        self.coefficients = coefficients

    def predict(self, x):
        out = 0.0 * x
        for c in self.coefficients:
            out = out * x + c
        return out


class Scaler:
    def __init__(self, factor, offset=0.0):
        self.factor = factor
        self.offset = offset

    def transform(self, x, power=1.0):
        return self.factor * x ** power + self.offset


class Residual:
    """x + f(x) for a layer f held by the object."""

    def __init__(self, layer):
        self.layer = layer

    def __call__(self, x):
        return x + np.tanh(self.layer(x))


class Stack:
    """Layers held in a list, applied in order."""

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = np.tanh(layer(x))
        return x


RNG = np.random.default_rng(2024)
W1 = RNG.standard_normal((3, 4)) * 0.5
B1 = RNG.standard_normal(4) * 0.1
W2 = RNG.standard_normal((4, 2)) * 0.5
B2 = RNG.standard_normal(2) * 0.1
