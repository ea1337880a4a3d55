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


def smooth_in_place(signal, weight):
    """Exponential smoothing written into a copy, element by element, in place."""
    out = signal.copy()
    for i in range(1, len(out)):
        out[i] += weight * (out[i - 1] - out[i])
    return np.sum(out ** 2)


def stacked_states(W, x, steps):
    """States of a recurrence collected in a list, then stacked."""
    states = []
    h = x
    for _ in range(steps):
        h = np.tanh(W @ h)
        states.append(h)
    return np.sum(np.stack(states) ** 2)


class Linear:
    def __init__(self, w, b):
        self.w = w
        self.b = b

    def __call__(self, x):
        return np.tanh(self.w @ x + self.b)


def model_loss(model, x):
    """A loss calling a model object: `model(x)` runs `Linear.__call__` on it."""
    return np.sum((model(x) - 1.0) ** 2)
