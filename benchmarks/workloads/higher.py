"""Second derivatives: two scalar functions of a vector `x`, with hand-written Hessian-vector
products and Hessians.

Each function is written the way a user would write it; the hand-written derivatives are what an
expert would write in NumPy, with the second derivative worked out on paper.

- `tanh_energy(x, A) = sum(tanh(A @ x) ** 2) + 0.5 * sum(x * x)`, A an n x n matrix. With
  t = tanh(A x) and g(u) = tanh(u)^2, g'(u) = 2 t (1 - t^2) and g''(u) = 2 (1 - t^2) (1 - 3 t^2):
  the gradient is A^T g'(A x) + x, the Hessian A^T diag(g''(A x)) A + I and the Hessian-vector
  product A^T (g''(A x) * (A v)) + v.
- `rollout(x, W, steps)`: `steps` applications of `h = tanh(W @ h)` from `h = x`, then
  `sum(h ** 2) + 0.5 * sum(x * x)`; the derivatives are with respect to `x`. The hand-written
  HVP is forward-over-reverse by hand: the forward loop carries the tangent of the trajectory
  along the direction v, the backward loop carries the adjoint and its tangent. The same code
  with a matrix of directions (the identity) gives the whole Hessian in one sweep of matrix
  products.
"""

from typing import Tuple

import numpy as np


def tanh_energy(x, A):
    return np.sum(np.tanh(A @ x) ** 2) + 0.5 * np.sum(x * x)


def tanh_energy_grad(x, A):
    """Gradient of `tanh_energy` with respect to x, by hand."""
    t = np.tanh(A @ x)
    return A.T @ (2.0 * t * (1.0 - t * t)) + x


def _curvature(x, A):
    """g''(A x) for g(u) = tanh(u)^2."""
    t = np.tanh(A @ x)
    t2 = t * t
    return 2.0 * (1.0 - t2) * (1.0 - 3.0 * t2)


def tanh_energy_hvp(x, A, v):
    """Hessian of `tanh_energy` with respect to x, times v, by hand."""
    return A.T @ (_curvature(x, A) * (A @ v)) + v


def tanh_energy_hessian(x, A):
    """Hessian of `tanh_energy` with respect to x, by hand: A^T diag(g'') A + I."""
    H = A.T @ (_curvature(x, A)[:, None] * A)
    H[np.diag_indices_from(H)] += 1.0
    return H


def rollout(x, W, steps):
    h = x
    for i in range(steps):
        h = np.tanh(W @ h)
    return np.sum(h ** 2) + 0.5 * np.sum(x * x)


def rollout_grad(x, W, steps):
    """Gradient of `rollout` with respect to x, by hand (backpropagation through the steps)."""
    hs = [x]
    for i in range(steps):
        hs.append(np.tanh(W @ hs[-1]))
    g = 2.0 * hs[-1]
    for h in reversed(hs[1:]):
        g = W.T @ (g * (1.0 - h * h))
    return g + x


def rollout_hvp(x, W, steps, v):
    """Hessian of `rollout` with respect to x, times v, by hand (forward-over-reverse).

    `v` may be a vector (one direction) or an n x k matrix (k directions, one per column); with
    the identity it returns the whole Hessian.
    """
    column = (slice(None),) + (None,) * (np.ndim(v) - 1)  # h[:, None] against a matrix v
    hs, dhs = [x], [v]
    for i in range(steps):
        h = np.tanh(W @ hs[-1])
        hs.append(h)
        dhs.append((1.0 - h * h)[column] * (W @ dhs[-1]))
    g = 2.0 * hs[-1]          # adjoint of the last state
    dg = 2.0 * dhs[-1]        # its tangent along v
    for h, dh in zip(reversed(hs[1:]), reversed(dhs[1:])):
        s = 1.0 - h * h
        dg = W.T @ (s[column] * dg - (2.0 * g * h)[column] * dh)
        g = W.T @ (g * s)
    return dg + v


def rollout_hessian(x, W, steps):
    """Hessian of `rollout` with respect to x, by hand: `rollout_hvp` with every direction at
    once (the identity), one sweep of matrix products."""
    return rollout_hvp(x, W, steps, np.eye(x.shape[0]))


def make_tanh_inputs(n: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random `x` (n), `A` (n x n, scaled by 1/sqrt(n) so the tanh units are not saturated) and a
    direction `v` (n), float64."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    return rng.standard_normal(n), A, rng.standard_normal(n)


def make_rollout_inputs(n: int = 50, steps: int = 10,
                        seed: int = 1) -> Tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Random `x` (n), `W` (n x n, scaled by 1/sqrt(n)), the number of steps and a direction
    `v` (n), float64."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, n)) / np.sqrt(n)
    return rng.standard_normal(n), W, steps, rng.standard_normal(n)
