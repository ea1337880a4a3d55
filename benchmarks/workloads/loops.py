"""Control flow: a scalar Python loop, a recurrent network and a data-dependent `while` loop.

Each function is written the way a user would write it, and each `*_grad` is the gradient an
expert would write by hand: it runs the forward loop once, records what the backward pass needs
(the trajectory), and walks it backwards, in plain Python (`math`) for the scalar loops and in
NumPy for the recurrent network. None of them computes anything the gradient does not use.

- `scalar_loop`: 1000 iterations mixing two Python floats; gradient with respect to (a, b).
- `rnn_loss`: a tanh recurrent network over 50 steps (batch 16, input 10, hidden 64), loss the sum
  of the squares of the last hidden state; gradient with respect to (W, U).
- `while_loop`: an affine recurrence run until it passes a limit (237 iterations here, with an
  iteration cap); gradient with respect to the float parameters (a, c).
"""

import math
from typing import Tuple

import numpy as np


def scalar_loop(a, b):
    x = 0.5
    for i in range(1000):
        x = a * math.sin(x) + b * x * 0.5
    return x


def scalar_loop_grad(a, b):
    """Gradient of `scalar_loop` with respect to (a, b), by hand (forward trajectory, then
    reverse accumulation)."""
    xs = []
    x = 0.5
    for i in range(1000):
        xs.append(x)
        x = a * math.sin(x) + b * x * 0.5
    da = db = 0.0
    dx = 1.0
    for x in reversed(xs):
        da += dx * math.sin(x)
        db += dx * x * 0.5
        dx = dx * (a * math.cos(x) + b * 0.5)
    return da, db


def rnn_loss(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h ** 2)


def rnn_loss_grad(W, U, h0, xs):
    """Gradient of `rnn_loss` with respect to (W, U): backpropagation through time, by hand."""
    hs = [h0]
    for t in range(xs.shape[0]):
        hs.append(np.tanh(hs[-1] @ W + xs[t] @ U))
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    dh = 2.0 * hs[-1]
    for t in range(xs.shape[0] - 1, -1, -1):
        h = hs[t + 1]
        dpre = dh * (1.0 - h * h)
        dW += hs[t].T @ dpre
        dU += xs[t].T @ dpre
        dh = dpre @ W.T
    return dW, dU


def make_rnn_inputs(steps: int = 50, batch: int = 16, inputs: int = 10, hidden: int = 64,
                    seed: int = 0) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random `W` (hidden x hidden), `U` (inputs x hidden), `h0` (batch x hidden) and `xs`
    (steps x batch x inputs), float64, scaled so the tanh units are not saturated."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
    U = rng.standard_normal((inputs, hidden)) / np.sqrt(inputs)
    h0 = 0.1 * rng.standard_normal((batch, hidden))
    xs = rng.standard_normal((steps, batch, inputs))
    return W, U, h0, xs


def while_loop(a, c, x, limit):
    n = 0
    while x < limit and n < 10000:
        x = x * a + c
        n = n + 1
    return x


def while_loop_grad(a, c, x, limit):
    """Gradient of `while_loop` with respect to (a, c), by hand. The number of iterations is
    piecewise constant in (a, c), so it contributes no derivative."""
    xs = []
    n = 0
    while x < limit and n < 10000:
        xs.append(x)
        x = x * a + c
        n = n + 1
    da = dc = 0.0
    dx = 1.0
    for x in reversed(xs):
        da += dx * x
        dc += dx
        dx = dx * a
    return da, dc


# `scalar_loop` at (a, b): x settles near a fixed point where the loop contracts (the derivative of
# one step, a * cos(x) + b / 2, is about 0.5 there), so the gradient is finite and well defined.
SCALAR_ARGS = (0.9, 0.7)

# (a, c, x, limit): from x = 1, x after n steps is 2 * 1.01**n - 1, which first reaches the limit
# of 20 after n = 237 iterations, far below the cap.
WHILE_ARGS = (1.01, 0.01, 1.0, 20.0)
