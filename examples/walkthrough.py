"""The function docs/architecture.md follows through every stage of the compiler."""

import numpy as np


def squared_error(w, x, target):
    """Mean squared error of a tanh unit; `x` and `target` are data, `w` is learned."""
    prediction = np.tanh(x @ w)
    error = prediction - target
    error *= 0.5
    return np.sum(error ** 2) / x.shape[0]
