"""Adjoint rules of products: the `@` operator, np.matmul, np.dot and `a.dot(b)`.

For 2-D operands these are the familiar `g @ b.T` and `a.T @ g`; the runtime helpers also cover
vectors, scalars (np.dot) and batched operands whose batch dimensions broadcast.
"""

import operator

import numpy as np

from ..runtime import dot_adjoint_lhs, dot_adjoint_rhs, matmul_adjoint_lhs, matmul_adjoint_rhs
from .registry import adjoint, d, method, tangent


@adjoint(operator.matmul, np.matmul)
def matmul(z, a, b):
    d[a] = matmul_adjoint_lhs(d[z], a, b)
    d[b] = matmul_adjoint_rhs(d[z], a, b)


@adjoint(np.dot, method("dot"))
def dot(z, a, b):
    d[a] = dot_adjoint_lhs(d[z], a, b)
    d[b] = dot_adjoint_rhs(d[z], a, b)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------
# Products are bilinear: the tangent is the product rule, each term already of the result's shape.


@tangent(operator.matmul, np.matmul)
def matmul_tangent(z, a, b):
    d[z] = d[a] @ b + a @ d[b]


@tangent(np.dot, method("dot"))
def dot_tangent(z, a, b):
    d[z] = np.dot(d[a], b) + np.dot(a, d[b])
