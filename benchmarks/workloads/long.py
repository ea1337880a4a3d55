"""A 30-line function with loops, branches and calls: what "first-time generation" is timed on.

`simulate` integrates a damped, driven particle chain with a fixed-step loop, a data-dependent
`while` refinement and a helper call, and returns a scalar cost: a realistic size for a function a
user differentiates (30 lines of body), exercising every pass of the compiler.
"""

import numpy as np


def spring_force(x, k):
    stretch = x[1:] - x[:-1]
    force = np.zeros_like(x)
    force[:-1] = force[:-1] + k * stretch
    force[1:] = force[1:] - k * stretch
    return force


def simulate(x0, v0, k, damping, steps):
    x = x0
    v = v0
    dt = 0.01
    energy = 0.0
    for step in range(steps):
        f = spring_force(x, k)
        drive = np.sin(0.1 * step) * 0.5
        f = f - damping * v + drive
        v = v + dt * f
        x = x + dt * v
        kinetic = 0.5 * np.sum(v * v)
        if kinetic > 10.0:
            v = v * 0.5
        energy = energy + kinetic
    tail = np.mean(x)
    count = 0
    while np.abs(tail) > 1e-3 and count < 20:
        tail = tail * 0.5
        count = count + 1
    spread = np.max(x) - np.min(x)
    penalty = np.sum(np.tanh(x) ** 2)
    weights = np.linspace(0.0, 1.0, x.shape[0])
    weighted = np.dot(weights, x)
    cost = energy * 0.01 + spread * spread
    cost = cost + 0.1 * penalty + tail
    cost = cost + 0.01 * weighted * weighted
    if cost > 100.0:
        cost = 100.0 + np.log(cost - 99.0)
    return cost


def make_inputs(n=16, steps=20, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=n), 0.1 * rng.normal(size=n), 2.0, 0.3, steps)
