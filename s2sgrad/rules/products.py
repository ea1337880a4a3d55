"""Derivative rules of products: the `@` operator, np.matmul, np.dot (`a.dot(b)`), np.tensordot,
np.inner, np.outer, np.einsum, np.kron, np.cross and np.trace (`a.trace()`).

Every product is linear in each operand, so its tangent is the product rule (the product with one
operand replaced by its tangent, summed over the operands) and the adjoint of an operand is the
product of the incoming adjoint with the other operands, contracted over the indices the operand
does not carry:

* tensordot and inner: `np.tensordot` of the adjoint with the other operand, then a transpose
  back to the operand's layout (inner is tensordot over the last axes; a product with a scalar).
* outer (which flattens its operands): `np.dot` with the other operand, reshaped.
* einsum: another einsum (`runtime.layout.einsum_adjoint_subscripts`) of the adjoint, the other
  operands and a constant mask: a label repeated in an operand (`'ii->i'`, `'ii'`) puts the
  adjoint on the diagonal, a label summed in one operand alone (`'ij->i'`) spreads it along that
  axis; dimensions the operand broadcast (`...`, length 1) are summed back (`unbroadcast`).
  The subscripts must be a string; einsum takes 1 to 6 operands here.
* kron: the adjoint split into (a's index, b's index) blocks and contracted with the other
  operand.
* cross (3-vectors, batches broadcast, `axisa`/`axisb`/`axisc`/`axis`): `<g, a x b> = <a, b x g>
  = <b, g x a>`. 2-vectors are not covered (NumPy 2 deprecates them).
* trace (`offset`, `axis1`, `axis2`): the adjoint on the diagonal (`diagonal_mask`).

All the functions the rules call have rules themselves (the index helpers have zero derivative),
so derivatives of any order follow.
"""

import operator

import numpy as np

from ..runtime import (dot_adjoint_lhs, dot_adjoint_rhs, matmul_adjoint_lhs, matmul_adjoint_rhs,
                       unbroadcast)
from ..runtime.layout import (cross_axis, diagonal_mask, einsum_adjoint_mask,
                              einsum_adjoint_subscripts, einsum_optimize, einsum_subscripts, inner_axes,
                              kron_blocks, kron_contraction, kron_padded, tensordot_lhs_axes,
                              tensordot_lhs_order, tensordot_rhs_axes, tensordot_rhs_order,
                              trace_axes)
from .registry import adjoint, d, method, tangent, zero_derivative

zero_derivative(cross_axis, diagonal_mask, einsum_adjoint_mask, einsum_adjoint_subscripts,
                einsum_optimize, einsum_subscripts, inner_axes, kron_blocks, kron_contraction, kron_padded,
                tensordot_lhs_axes, tensordot_lhs_order, tensordot_rhs_axes, tensordot_rhs_order,
                trace_axes)


@adjoint(operator.matmul, np.matmul)
def matmul(z, a, b):
    d[a] = matmul_adjoint_lhs(d[z], a, b)
    d[b] = matmul_adjoint_rhs(d[z], a, b)


@adjoint(np.dot, method("dot"))
def dot(z, a, b):
    d[a] = dot_adjoint_lhs(d[z], a, b)
    d[b] = dot_adjoint_rhs(d[z], a, b)


@adjoint(np.tensordot)
def tensordot(z, a, b, axes=2):
    d[a] = np.transpose(np.tensordot(d[z], b, tensordot_lhs_axes(np.ndim(a), np.ndim(b), axes)),
                        tensordot_lhs_order(np.ndim(a), np.ndim(b), axes))
    d[b] = np.transpose(np.tensordot(a, d[z], tensordot_rhs_axes(np.ndim(a), np.ndim(b), axes)),
                        tensordot_rhs_order(np.ndim(a), np.ndim(b), axes))


@adjoint(np.inner)
def inner(z, a, b):
    d[a] = np.transpose(
        np.tensordot(d[z], b, tensordot_lhs_axes(np.ndim(a), np.ndim(b), inner_axes(np.ndim(a), np.ndim(b)))),
        tensordot_lhs_order(np.ndim(a), np.ndim(b), inner_axes(np.ndim(a), np.ndim(b))))
    d[b] = np.transpose(
        np.tensordot(a, d[z], tensordot_rhs_axes(np.ndim(a), np.ndim(b), inner_axes(np.ndim(a), np.ndim(b)))),
        tensordot_rhs_order(np.ndim(a), np.ndim(b), inner_axes(np.ndim(a), np.ndim(b))))


@adjoint(np.outer)
def outer(z, a, b, out=None):
    d[a] = np.reshape(np.dot(d[z], np.ravel(b)), np.shape(a))
    d[b] = np.reshape(np.dot(np.ravel(a), d[z]), np.shape(b))


@adjoint(np.kron)
def kron(z, a, b):
    d[a] = np.reshape(np.tensordot(np.reshape(d[z], kron_blocks(np.shape(a), np.shape(b))),
                                   np.reshape(b, kron_padded(np.shape(b), np.shape(a))),
                                   kron_contraction(np.ndim(a), np.ndim(b), 0)), np.shape(a))
    d[b] = np.reshape(np.tensordot(np.reshape(d[z], kron_blocks(np.shape(a), np.shape(b))),
                                   np.reshape(a, kron_padded(np.shape(a), np.shape(b))),
                                   kron_contraction(np.ndim(a), np.ndim(b), 1)), np.shape(b))


@adjoint(np.cross)
def cross(z, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is None and axisa == -1 and axisb == -1 and axisc == -1:
        d[a] = unbroadcast(np.cross(b, d[z]), a)
        d[b] = unbroadcast(np.cross(d[z], a), b)
    else:
        # The vectors moved to the last axis: (a x b)[..., :] with a and b broadcast.
        d[a] = np.moveaxis(unbroadcast(
            np.cross(b, d[z], axisa=cross_axis(axis, axisb), axisb=cross_axis(axis, axisc)),
            np.moveaxis(a, cross_axis(axis, axisa), -1)), -1, cross_axis(axis, axisa))
        d[b] = np.moveaxis(unbroadcast(
            np.cross(d[z], a, axisa=cross_axis(axis, axisc), axisb=cross_axis(axis, axisa)),
            np.moveaxis(b, cross_axis(axis, axisb), -1)), -1, cross_axis(axis, axisb))


@adjoint(np.trace, method("trace"))
def trace(z, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[a] = np.expand_dims(d[z], trace_axes(np.ndim(a), axis1, axis2)) \
        * diagonal_mask(np.shape(a), offset, axis1, axis2)


@adjoint(np.einsum)
def einsum(z, subscripts, a, b=None, c=None, e=None, f=None, h=None, out=None, dtype=None,
           order="K", casting="safe", optimize=False):
    # A differentiated first argument is the interleaved form np.einsum(a, [0, 1], ...), which
    # these rules do not cover: einsum_subscripts stops with an error rather than drop its adjoint.
    d[subscripts] = einsum_subscripts(subscripts)
    if b is None:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a), d[z],
                                     einsum_adjoint_mask(subscripts, 0, a),
                                     optimize=einsum_optimize(optimize)), a)
    elif c is None:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a, b), d[z], b,
                                     einsum_adjoint_mask(subscripts, 0, a, b),
                                     optimize=einsum_optimize(optimize)), a)
        d[b] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 1, a, b), d[z], a,
                                     einsum_adjoint_mask(subscripts, 1, a, b),
                                     optimize=einsum_optimize(optimize)), b)
    elif e is None:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a, b, c), d[z], b, c,
                                     einsum_adjoint_mask(subscripts, 0, a, b, c),
                                     optimize=einsum_optimize(optimize)), a)
        d[b] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 1, a, b, c), d[z], a, c,
                                     einsum_adjoint_mask(subscripts, 1, a, b, c),
                                     optimize=einsum_optimize(optimize)), b)
        d[c] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 2, a, b, c), d[z], a, b,
                                     einsum_adjoint_mask(subscripts, 2, a, b, c),
                                     optimize=einsum_optimize(optimize)), c)
    elif f is None:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a, b, c, e), d[z],
                                     b, c, e, einsum_adjoint_mask(subscripts, 0, a, b, c, e),
                                     optimize=einsum_optimize(optimize)), a)
        d[b] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 1, a, b, c, e), d[z],
                                     a, c, e, einsum_adjoint_mask(subscripts, 1, a, b, c, e),
                                     optimize=einsum_optimize(optimize)), b)
        d[c] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 2, a, b, c, e), d[z],
                                     a, b, e, einsum_adjoint_mask(subscripts, 2, a, b, c, e),
                                     optimize=einsum_optimize(optimize)), c)
        d[e] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 3, a, b, c, e), d[z],
                                     a, b, c, einsum_adjoint_mask(subscripts, 3, a, b, c, e),
                                     optimize=einsum_optimize(optimize)), e)
    elif h is None:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a, b, c, e, f), d[z],
                                     b, c, e, f, einsum_adjoint_mask(subscripts, 0, a, b, c, e, f),
                                     optimize=einsum_optimize(optimize)), a)
        d[b] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 1, a, b, c, e, f), d[z],
                                     a, c, e, f, einsum_adjoint_mask(subscripts, 1, a, b, c, e, f),
                                     optimize=einsum_optimize(optimize)), b)
        d[c] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 2, a, b, c, e, f), d[z],
                                     a, b, e, f, einsum_adjoint_mask(subscripts, 2, a, b, c, e, f),
                                     optimize=einsum_optimize(optimize)), c)
        d[e] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 3, a, b, c, e, f), d[z],
                                     a, b, c, f, einsum_adjoint_mask(subscripts, 3, a, b, c, e, f),
                                     optimize=einsum_optimize(optimize)), e)
        d[f] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 4, a, b, c, e, f), d[z],
                                     a, b, c, e, einsum_adjoint_mask(subscripts, 4, a, b, c, e, f),
                                     optimize=einsum_optimize(optimize)), f)
    else:
        d[a] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 0, a, b, c, e, f, h),
                                     d[z], b, c, e, f, h,
                                     einsum_adjoint_mask(subscripts, 0, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), a)
        d[b] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 1, a, b, c, e, f, h),
                                     d[z], a, c, e, f, h,
                                     einsum_adjoint_mask(subscripts, 1, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), b)
        d[c] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 2, a, b, c, e, f, h),
                                     d[z], a, b, e, f, h,
                                     einsum_adjoint_mask(subscripts, 2, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), c)
        d[e] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 3, a, b, c, e, f, h),
                                     d[z], a, b, c, f, h,
                                     einsum_adjoint_mask(subscripts, 3, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), e)
        d[f] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 4, a, b, c, e, f, h),
                                     d[z], a, b, c, e, h,
                                     einsum_adjoint_mask(subscripts, 4, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), f)
        d[h] = unbroadcast(np.einsum(einsum_adjoint_subscripts(subscripts, 5, a, b, c, e, f, h),
                                     d[z], a, b, c, e, f,
                                     einsum_adjoint_mask(subscripts, 5, a, b, c, e, f, h),
                                     optimize=einsum_optimize(optimize)), h)


# ---- tangent (forward-mode) rules ---------------------------------------------------------------
# Products are multilinear: the tangent is the product rule, each term already of the result's
# shape (a term whose operand carries no tangent is dropped when the rule is inlined).


@tangent(operator.matmul, np.matmul)
def matmul_tangent(z, a, b):
    d[z] = d[a] @ b + a @ d[b]


@tangent(np.dot, method("dot"))
def dot_tangent(z, a, b):
    d[z] = np.dot(d[a], b) + np.dot(a, d[b])


@tangent(np.tensordot)
def tensordot_tangent(z, a, b, axes=2):
    d[z] = np.tensordot(d[a], b, axes) + np.tensordot(a, d[b], axes)


@tangent(np.inner)
def inner_tangent(z, a, b):
    d[z] = np.inner(d[a], b) + np.inner(a, d[b])


@tangent(np.outer)
def outer_tangent(z, a, b, out=None):
    d[z] = np.outer(d[a], b) + np.outer(a, d[b])


@tangent(np.kron)
def kron_tangent(z, a, b):
    d[z] = np.kron(d[a], b) + np.kron(a, d[b])


@tangent(np.cross)
def cross_tangent(z, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is None and axisa == -1 and axisb == -1 and axisc == -1:
        d[z] = np.cross(d[a], b) + np.cross(a, d[b])
    else:
        d[z] = np.cross(d[a], b, axisa, axisb, axisc, axis) \
            + np.cross(a, d[b], axisa, axisb, axisc, axis)


@tangent(np.trace, method("trace"))
def trace_tangent(z, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[z] = np.trace(d[a], offset, axis1, axis2)


@tangent(np.einsum)
def einsum_tangent(z, subscripts, a, b=None, c=None, e=None, f=None, h=None, out=None,
                   dtype=None, order="K", casting="safe", optimize=False):
    if isinstance(subscripts, str):
        spec = subscripts
    else:
        spec = einsum_subscripts(subscripts)    # (fails on the interleaved form)
    if b is None:
        d[z] = np.einsum(spec, d[a], optimize=optimize)
    elif c is None:
        d[z] = np.einsum(spec, d[a], b, optimize=optimize) \
            + np.einsum(spec, a, d[b], optimize=optimize)
    elif e is None:
        d[z] = np.einsum(spec, d[a], b, c, optimize=optimize) \
            + np.einsum(spec, a, d[b], c, optimize=optimize) \
            + np.einsum(spec, a, b, d[c], optimize=optimize)
    elif f is None:
        d[z] = np.einsum(spec, d[a], b, c, e, optimize=optimize) \
            + np.einsum(spec, a, d[b], c, e, optimize=optimize) \
            + np.einsum(spec, a, b, d[c], e, optimize=optimize) \
            + np.einsum(spec, a, b, c, d[e], optimize=optimize)
    elif h is None:
        d[z] = np.einsum(spec, d[a], b, c, e, f, optimize=optimize) \
            + np.einsum(spec, a, d[b], c, e, f, optimize=optimize) \
            + np.einsum(spec, a, b, d[c], e, f, optimize=optimize) \
            + np.einsum(spec, a, b, c, d[e], f, optimize=optimize) \
            + np.einsum(spec, a, b, c, e, d[f], optimize=optimize)
    else:
        d[z] = np.einsum(spec, d[a], b, c, e, f, h, optimize=optimize) \
            + np.einsum(spec, a, d[b], c, e, f, h, optimize=optimize) \
            + np.einsum(spec, a, b, d[c], e, f, h, optimize=optimize) \
            + np.einsum(spec, a, b, c, d[e], f, h, optimize=optimize) \
            + np.einsum(spec, a, b, c, e, d[f], h, optimize=optimize) \
            + np.einsum(spec, a, b, c, e, f, d[h], optimize=optimize)
