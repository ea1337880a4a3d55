"""Helper functions in a module of their own, called from differentiated code in tests."""

import numpy as np

SCALE = 2.0


def scaled_tanh(x, scale=SCALE):
    return scale * np.tanh(x)


def smooth_max(a, b, sharpness=10.0):
    return np.log(np.exp(sharpness * a) + np.exp(sharpness * b)) / sharpness
