"""Ordinary Python programs with loops, branches and calls, for docs/generated_examples.md."""

import math

import numpy as np


def first_crossing(rate, x):
    """Grow x by `rate` until it passes 10, at most 50 times; the last value."""
    for _ in range(50):
        x = x * rate
        if x > 10.0:
            break
    return x


def cell(W, h, x):
    return np.tanh(h @ W + x)


def rnn_loss(W, h, xs):
    """A recurrent network over the rows of xs, calling `cell` at every step."""
    for x in xs:
        h = cell(W, h, x)
    return np.sum(h ** 2)


def piecewise(x):
    if x < 0.0:
        return -x
    return math.sin(x) * x
