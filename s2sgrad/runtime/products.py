"""Adjoints of np.matmul / `@` and np.dot for vectors, matrices and stacks of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import _swap_last_two
from .broadcasting import unbroadcast

_ndarray = np.ndarray

# ---------------------------------------------------------------------------
# matmul and dot
# ---------------------------------------------------------------------------
# The fast paths below (inline: they run once per product in a backward loop): NumPy arrays, `a`
# a matrix, `b` a vector or a matrix and `g`, the adjoint of the product, shaped like one, where
# matmul and dot agree and `ndarray.dot` costs a fraction of `@`'s call overhead.


def matmul_adjoint_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of ``z = a @ b`` with respect to ``a`` (``np.matmul`` rules)."""
    if type(a) is _ndarray and type(b) is _ndarray and type(g) is _ndarray and a.ndim == 2 \
            and g.ndim == b.ndim:
        if b.ndim == 2:
            return g.dot(b.T)  # (m, k) = (m, n) (n, k)
        if b.ndim == 1:
            return g[:, None] * b  # outer product: z[i] = sum_k a[i, k] b[k]
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    if a.ndim == 1 and b.ndim == 1:
        # z = sum_k a[k] b[k]
        return g * b
    if b.ndim == 1:
        # z[..., i] = sum_k a[..., i, k] b[k]
        return unbroadcast(g[..., None] * b, a)
    if a.ndim == 1:
        # z[..., j] = sum_k a[k] b[..., k, j]
        da = np.matmul(b, g[..., None])[..., 0]
        return unbroadcast(da, a)
    return unbroadcast(np.matmul(g, _swap_last_two(b)), a)


def matmul_adjoint_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of ``z = a @ b`` with respect to ``b`` (``np.matmul`` rules)."""
    if type(a) is _ndarray and type(b) is _ndarray and type(g) is _ndarray and a.ndim == 2 \
            and g.ndim == b.ndim:
        if b.ndim == 2 or b.ndim == 1:
            return a.T.dot(g)  # (k, n) = (m, k)^T (m, n), or a vector
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if b.ndim == 1:
        # z[..., i] = sum_k a[..., i, k] b[k]
        db = np.matmul(g[..., None, :], a)[..., 0, :]
        return unbroadcast(db, b)
    if a.ndim == 1:
        # z[..., j] = sum_k a[k] b[..., k, j]: an outer product per batch
        return unbroadcast(a[:, None] * g[..., None, :], b)
    return unbroadcast(np.matmul(_swap_last_two(a), g), b)


def dot_adjoint_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of ``z = np.dot(a, b)`` with respect to ``a``.

    For N-d operands ``np.dot`` contracts the last axis of ``a`` with the
    second-to-last axis of ``b``:
    ``dot(a, b)[I, J, m] = sum_k a[I, k] * b[J, k, m]``.
    """
    if type(a) is _ndarray and type(b) is _ndarray and type(g) is _ndarray and a.ndim == 2 \
            and g.ndim == b.ndim:
        if b.ndim == 2:
            return g.dot(b.T)
        if b.ndim == 1:
            return g[:, None] * b
    a_ndim, b_ndim = np.ndim(a), np.ndim(b)
    if a_ndim == 0 or b_ndim == 0:
        return unbroadcast(g * b, a)
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    if b_ndim == 1:
        # z[I] = sum_k a[I, k] b[k]
        return g[..., None] * b
    # Contract g[I, J, m] with b[J, k, m] over J and m, leaving a[I, k].
    n_batch_a, n_batch_b = a_ndim - 1, b_ndim - 2
    g_axes = list(range(n_batch_a, n_batch_a + n_batch_b)) + [g.ndim - 1]
    b_axes = list(range(n_batch_b)) + [b_ndim - 1]
    return np.tensordot(g, b, axes=(g_axes, b_axes))


def dot_adjoint_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of ``z = np.dot(a, b)`` with respect to ``b``.

    See :func:`dot_adjoint_lhs` for the index rule being transposed.
    """
    if type(a) is _ndarray and type(b) is _ndarray and type(g) is _ndarray and a.ndim == 2 \
            and g.ndim == b.ndim:
        if b.ndim == 2 or b.ndim == 1:
            return a.T.dot(g)
    a_ndim, b_ndim = np.ndim(a), np.ndim(b)
    if a_ndim == 0 or b_ndim == 0:
        return unbroadcast(g * a, b)
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    n_batch_a = a_ndim - 1
    # Contract a[I, k] with g[I, ...] over I, leaving [k, ...].
    db = np.tensordot(a, g, axes=(list(range(n_batch_a)), list(range(n_batch_a))))
    if b_ndim == 1:
        return db
    # db is [k, J, m]; b is laid out as [J, k, m].
    return np.moveaxis(db, 0, -2)
