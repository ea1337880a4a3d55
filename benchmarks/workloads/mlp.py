"""Softmax cross-entropy of tanh multilayer perceptrons, and their hand-written gradients.

Two networks, written the way a user would write them:

- `mlp_loss`: one hidden layer (the small benchmark: batch 32, 784-64-10);
- `deep_mlp_loss`: two hidden layers (the large benchmark: batch 512, 1024-1024-1024-10).

Both take the parameters first and then the inputs `x` (batch x features) and the one-hot labels
`y` (batch x classes), and return the mean cross-entropy over the batch, using a numerically stable
log-softmax (the row maximum is subtracted before exponentiating). The layers are spelled out
rather than looped over (`loops.py` has the workloads with loops).

The `*_grad` functions are the gradients an expert would write by hand: they run the forward pass
only as far as the softmax probabilities, reuse the forward intermediates (`h`, `exp(shifted)`),
never compute the loss value itself, use the textbook `(softmax - y) / batch` for the gradient of
the logits, and give the max-subtraction no adjoint (its contribution is zero up to rounding).
The `(softmax - y) / batch` formula assumes that every row of `y` sums to one, which holds for
one-hot labels; the generated gradient does not know this and handles any `y`.
"""

from typing import List, Sequence, Tuple

import numpy as np


def mlp_loss(W1, b1, W2, b2, x, y):
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(y * log_probs) / x.shape[0]


def mlp_loss_grad(W1, b1, W2, b2, x, y):
    """Gradient of `mlp_loss` with respect to W1, b1, W2, b2, by hand."""
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs = e / np.sum(e, axis=1, keepdims=True)
    d_logits = (probs - y) / x.shape[0]
    dW2 = h.T @ d_logits
    db2 = np.sum(d_logits, axis=0)
    d_pre = (d_logits @ W2.T) * (1.0 - h * h)
    dW1 = x.T @ d_pre
    db1 = np.sum(d_pre, axis=0)
    return dW1, db1, dW2, db2


def deep_mlp_loss(W1, b1, W2, b2, W3, b3, x, y):
    h1 = np.tanh(x @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(y * log_probs) / x.shape[0]


def deep_mlp_loss_grad(W1, b1, W2, b2, W3, b3, x, y):
    """Gradient of `deep_mlp_loss` with respect to all weights and biases, by hand."""
    h1 = np.tanh(x @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs = e / np.sum(e, axis=1, keepdims=True)
    d_logits = (probs - y) / x.shape[0]
    dW3 = h2.T @ d_logits
    db3 = np.sum(d_logits, axis=0)
    d_pre2 = (d_logits @ W3.T) * (1.0 - h2 * h2)
    dW2 = h1.T @ d_pre2
    db2 = np.sum(d_pre2, axis=0)
    d_pre1 = (d_pre2 @ W2.T) * (1.0 - h1 * h1)
    dW1 = x.T @ d_pre1
    db1 = np.sum(d_pre1, axis=0)
    return dW1, db1, dW2, db2, dW3, db3


def make_inputs(sizes: Sequence[int], batch: int, dtype=np.float64,
                seed: int = 0) -> Tuple[List[np.ndarray], np.ndarray, np.ndarray]:
    """Random parameters `[W1, b1, W2, b2, ...]`, inputs `x` and one-hot labels `y`.

    `sizes` lists the layer widths from the input to the number of classes. Weights are scaled by
    1/sqrt(fan-in) so the tanh units are not saturated; biases are small and non-zero.
    """
    rng = np.random.default_rng(seed)
    params: List[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype))
        params.append((0.1 * rng.standard_normal(fan_out)).astype(dtype))
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], size=batch)]
    return params, x, y
