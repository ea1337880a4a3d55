"""`tf.nn`: activations and the cross-entropies computed from logits, on NumPy.

Each function is a few NumPy calls with derivative rules, so s2sgrad differentiates code calling
them from their source. Softmax and the cross-entropies subtract the row maximum first (through
`stop_gradient`: the shift cancels, so the gradient is exact and does not pass through the max),
so they neither overflow nor lose precision for large logits, like TensorFlow's kernels.
`relu` has its own rule: its gradient at 0 is 0, as TensorFlow's (NumPy's `maximum` rule would
split it in two).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..rules import adjoint, d, tangent
from ..runtime import stop_gradient
from .ops import one_hot, sigmoid, tanh   # (tf.nn.sigmoid and tf.nn.tanh are tf.math's)

__all__ = ["softmax", "log_softmax", "relu", "sigmoid", "tanh", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "sigmoid_cross_entropy_with_logits", "l2_loss"]


def softmax(logits: Any, axis: Any = -1, name: Optional[str] = None) -> Any:
    """`tf.nn.softmax`: exp(logits) normalized to sum 1 along `axis` (None: the last axis)."""
    axis = -1 if axis is None else axis
    shifted = logits - stop_gradient(np.max(logits, axis=axis, keepdims=True))
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(logits: Any, axis: Any = -1, name: Optional[str] = None) -> Any:
    """`tf.nn.log_softmax`: logits - log(sum(exp(logits))) along `axis` (None: the last)."""
    axis = -1 if axis is None else axis
    shifted = logits - stop_gradient(np.max(logits, axis=axis, keepdims=True))
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def relu(features: Any, name: Optional[str] = None) -> Any:
    """`tf.nn.relu`: max(features, 0); the gradient is 1 where features > 0, else 0."""
    return np.maximum(features, 0)


@adjoint(relu)
def _relu_adjoint(z, features, name=None):
    d[features] = d[z] * (features > 0)


@tangent(relu)
def _relu_tangent(z, features, name=None):
    d[z] = d[features] * (features > 0)


def softmax_cross_entropy_with_logits(labels: Any, logits: Any, axis: int = -1,
                                      name: Optional[str] = None) -> Any:
    """`tf.nn.softmax_cross_entropy_with_logits` (TensorFlow 2): -sum(labels *
    log_softmax(logits)) along `axis`, one loss per example. Differentiable with respect to both
    the labels and the logits, as TensorFlow 2's."""
    shifted = logits - stop_gradient(np.max(logits, axis=axis, keepdims=True))
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return -np.sum(labels * log_probs, axis=axis)


softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits   # TF 1 name


def sparse_softmax_cross_entropy_with_logits(labels: Any, logits: Any,
                                             name: Optional[str] = None) -> Any:
    """`tf.nn.sparse_softmax_cross_entropy_with_logits`: the cross-entropy with integer class
    labels (shape: logits' shape without the last axis). Indices outside [0, classes) give 0,
    where TensorFlow would raise an error."""
    shifted = logits - stop_gradient(np.max(logits, axis=-1, keepdims=True))
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    hot = one_hot(labels, np.shape(logits)[-1], dtype=np.result_type(log_probs))
    return -np.sum(hot * log_probs, axis=-1)


def sigmoid_cross_entropy_with_logits(labels: Any = None, logits: Any = None,
                                      name: Optional[str] = None) -> Any:
    """`tf.nn.sigmoid_cross_entropy_with_logits`: elementwise -labels * log(sigmoid(logits)) -
    (1 - labels) * log(1 - sigmoid(logits)), in TensorFlow's overflow-free form
    max(x, 0) - x * z + log(1 + exp(-|x|)). Its gradient is sigmoid(x) - z everywhere."""
    return (np.maximum(logits, 0.0) - logits * labels
            + np.log1p(np.exp(np.negative(np.abs(logits)))))


def l2_loss(t: Any, name: Optional[str] = None) -> Any:
    """`tf.nn.l2_loss`: sum(t ** 2) / 2, a scalar."""
    return np.sum(np.square(t)) / 2

