"""Functions whose generated derivative source is pinned by tests/test_golden.py."""

import math

import numpy as np


def tanh_times_x(x):
    y = np.tanh(x) * x
    return np.sum(y)


def pendulum(theta, length):
    height = length * (1.0 - math.cos(theta))
    return 9.81 * height


def softmax_cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * log_probs, axis=1))


def linear(w, b, x):
    """A layer with a non-differentiated input x."""
    return x @ w + b


def inactive_parts(x, n):
    scale = 1.0 / n
    rows = x.shape[0]
    y = x[: rows // 2] * scale
    return np.sum(y ** 2)
