"""A two-layer perceptron with a softmax cross-entropy loss, written as plain NumPy.

s2sgrad differentiates `loss` as written: `python examples/demo.py` prints its generated gradient.
"""

import numpy as np


def loss(W1, b1, W2, b2, x, labels):
    """Mean cross-entropy of a tanh MLP on a batch `x` with one-hot `labels`."""
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    # Subtracting the row maximum keeps exp() from overflowing; it does not change the loss.
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(labels * log_probs) / x.shape[0]


def init(rng, sizes=(784, 64, 10)):
    """Random weights for layer sizes (inputs, hidden, classes)."""
    n_in, n_hidden, n_out = sizes
    W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    W2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
    return W1, np.zeros(n_hidden), W2, np.zeros(n_out)
