"""`tf.keras.losses` (also `tf.losses`): Keras's loss functions, on NumPy.

Each returns one loss per example: Keras reduces over the last axis only (the class or feature
axis); averaging over the batch is left to the caller (`tf.reduce_mean(loss)`). The behaviour
followed is that of Keras 3, which TensorFlow 2.16 and later run: predictions are converted to
tensors and labels cast to their dtype; probabilities (`from_logits=False`) are clipped to
[EPSILON, 1 - EPSILON] before their logarithm is taken, and the gradient passes at the bounds
and is zero outside them (TensorFlow's `clip_by_value`). Written with NumPy calls that have
derivative rules, so s2sgrad differentiates code calling them from their source.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ..rules import zero_derivative
from ..runtime import stop_gradient
from .ops import convert_to_tensor, one_hot

__all__ = ["EPSILON", "mean_squared_error", "MSE", "mse", "mean_absolute_error", "MAE", "mae",
           "categorical_crossentropy", "binary_crossentropy", "sparse_categorical_crossentropy"]

EPSILON = 1e-7    # Keras's backend epsilon: the clip bound of probabilities


def _same_rank(y_true: Any, y_pred: Any) -> Tuple[Any, Any]:
    """Keras's rank alignment of labels and predictions that differ by a trailing axis of
    length 1: a vector against an [n, 1] column gets the column's shape; otherwise the extra
    axis is squeezed. (Without it, [n] against [n, 1] would broadcast to [n, n].)"""
    true_rank = np.ndim(y_true)
    pred_rank = np.ndim(y_pred)
    if true_rank == pred_rank + 1 and np.shape(y_true)[-1] == 1:
        if pred_rank == 1:
            return y_true, np.expand_dims(y_pred, -1)
        return np.squeeze(y_true, -1), y_pred
    if pred_rank == true_rank + 1 and np.shape(y_pred)[-1] == 1:
        if true_rank == 1:
            return np.expand_dims(y_true, -1), y_pred
        return y_true, np.squeeze(y_pred, -1)
    return y_true, y_pred


def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """`tf.keras.losses.mean_squared_error` (`MSE`, `mse`): mean((y_true - y_pred)**2, axis=-1)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return np.mean(np.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """`tf.keras.losses.mean_absolute_error` (`MAE`, `mae`): mean(|y_true - y_pred|, axis=-1)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return np.mean(np.abs(y_pred - y_true), axis=-1)


MSE = mse = mean_squared_error
MAE = mae = mean_absolute_error


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Any:
    """`tf.keras.losses.categorical_crossentropy`: -sum(y_true * log(p), axis) with one-hot (or
    soft) labels.

    With `from_logits=True`, p = softmax(y_pred) (computed as a log-softmax). Otherwise, as
    Keras: each row of y_pred is divided by its sum, clipped to [EPSILON, 1 - EPSILON] and its
    log taken, whatever y_pred holds (raw logits give a different, clipped loss). Label smoothing
    moves the labels toward 1 / classes: y_true * (1 - s) + s / classes.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    if label_smoothing:
        classes = np.shape(y_true)[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if from_logits:
        shifted = y_pred - stop_gradient(np.max(y_pred, axis=axis, keepdims=True))
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return -np.sum(y_true * log_probs, axis=axis)
    probs = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    probs = np.clip(probs, EPSILON, 1.0 - EPSILON)
    return -np.sum(y_true * np.log(probs), axis=axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    axis: int = -1) -> Any:
    """`tf.keras.losses.sparse_categorical_crossentropy`: the categorical cross-entropy with
    integer class labels (y_pred's shape without the class axis; a trailing axis of length 1 is
    dropped). Without logits, as Keras's TensorFlow backend: y_pred is clipped to
    [EPSILON, 1 - EPSILON] and the log-probabilities renormalized (log p - log sum p);
    labels outside [0, classes) give 0."""
    y_pred = convert_to_tensor(y_pred)
    labels = _class_labels(y_true, y_pred)
    hot = one_hot(labels, np.shape(y_pred)[axis], axis=axis, dtype=y_pred.dtype)
    if from_logits:
        shifted = y_pred - stop_gradient(np.max(y_pred, axis=axis, keepdims=True))
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    else:
        probs = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        log_probs = np.log(probs) - np.log(np.sum(probs, axis=axis, keepdims=True))
    return -np.sum(hot * log_probs, axis=axis)


def _class_labels(y_true: Any, y_pred: Any) -> np.ndarray:
    """Integer labels with one axis fewer than y_pred (a trailing axis of length 1 dropped)."""
    labels = np.asarray(y_true).astype(np.int64)
    if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Any:
    """`tf.keras.losses.binary_crossentropy`: the mean over `axis` of
    -(y_true * log(p) + (1 - y_true) * log(1 - p)).

    With `from_logits=True`, p = sigmoid(y_pred), in the overflow-free form of
    `tf.nn.sigmoid_cross_entropy_with_logits`; otherwise y_pred clipped to
    [EPSILON, 1 - EPSILON]. Label smoothing: y_true * (1 - s) + s / 2.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        losses = (np.maximum(y_pred, 0.0) - y_pred * y_true
                  + np.log1p(np.exp(np.negative(np.abs(y_pred)))))
    else:
        probs = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        losses = -(y_true * np.log(probs) + (1.0 - y_true) * np.log(1.0 - probs))
    return np.mean(losses, axis=axis)


zero_derivative(_class_labels)
