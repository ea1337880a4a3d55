"""Rules for the helpers that generated derivative code calls, so that it can be differentiated
again: `grad(grad(f))`, `jvp` of a gradient (Hessian-vector products), and so on.

Every helper that propagates an adjoint is linear in it (and, for the products' adjoints, in the
other operand too): its tangent applies the helper to the tangents, its adjoint is the transpose
of the map. Helpers that only compute shapes, zeros or decisions have zero derivative. `prod`'s
helpers (`prod_adjoint`, `prod_tangent`) are linear in the incoming adjoint or tangent and
multilinear in x: their derivatives with respect to x use the products of all entries but two
(`pair_products_times`), and those of `pair_products_times` the products of all entries but three
(`triple_products_times`). `digamma`'s derivative is `trigamma`. `triple_products_times` and
`trigamma` have no rules of their own: fourth derivatives through `np.prod` and third derivatives
through `math.gamma` and `math.lgamma` stop with a located error (SciPy's gamma family has rules
of every order in rules/scipy_special.py).
"""

import builtins

import numpy as np

from ..runtime import (
    broadcast_like,
    copy_of,
    dot_adjoint_lhs,
    dot_adjoint_rhs,
    expand_reduced,
    extremum_adjoint,
    index_adjoint,
    matmul_adjoint_lhs,
    matmul_adjoint_rhs,
    owned,
    scalar_seed,
    shape_of,
    sum_to_shape,
    unbroadcast,
    zeros_like,
)
from ..runtime.containers import (
    add_entries,
    add_to_entry,
    array_adjoint,
    copy_structure,
    hstack_adjoint,
    sum_adjoint,
    unconcatenate,
    unstack,
    vstack_adjoint,
)
from ..runtime.reductions import (extremum_tangent, pair_products_times, prod_adjoint, prod_tangent,
                                  triple_products_times)
from ..runtime.absolute import abs_adjoint, abs_second_order_refused, abs_tangent
from ..runtime.values import digamma, trigamma
from ..runtime.transposes import extremum_adjoint_transpose, sum_adjoint_transpose
from .registry import adjoint, d, differentiated, returns_containers, tangent, zero_derivative
from .shape import cast_adjoint, cast_tangent

zero_derivative(shape_of, zeros_like, builtins.slice, abs_second_order_refused)
returns_containers(unstack, unconcatenate, vstack_adjoint, hstack_adjoint, sum_adjoint,
                   array_adjoint, add_entries, add_to_entry, copy_structure)


# ---- |x| (runtime/absolute.py): linear in the adjoint or tangent; sign is piecewise constant --


@adjoint(abs_adjoint)
def abs_adjoint_adjoint(z, g, x, y):
    d[g] = abs_adjoint(d[z], x, y)
    d[x] = abs_second_order_refused(d[z], x)


@tangent(abs_adjoint)
def abs_adjoint_tangent(z, g, x, y):
    d[z] = abs_adjoint(d[g], x, y) + abs_second_order_refused(d[x], x)


@adjoint(abs_tangent)
def abs_tangent_adjoint(z, t, x, y):
    d[t] = abs_adjoint(d[z], x, y)
    d[x] = abs_second_order_refused(d[z], x)


@tangent(abs_tangent)
def abs_tangent_tangent(z, t, x, y):
    d[z] = abs_tangent(d[t], x, y) + abs_second_order_refused(d[x], x)


# ---- seeds, copies, broadcasting --------------------------------------------------------------


@adjoint(scalar_seed)
def scalar_seed_adjoint(z, y, b):
    d[b] = d[z]


@tangent(scalar_seed)
def scalar_seed_tangent(z, y, b):
    d[z] = scalar_seed(y, d[b])


@adjoint(copy_of, copy_structure)
def copy_adjoint(z, x):
    d[x] = d[z]


@tangent(copy_of, copy_structure)
def copy_tangent(z, x):
    d[z] = copy_of(d[x])


@adjoint(owned)
def owned_adjoint(z, g, x):
    d[g] = unbroadcast(d[z], g)


@tangent(owned)
def owned_tangent(z, g, x):
    d[z] = owned(d[g], x)


@adjoint(unbroadcast)
def unbroadcast_adjoint(z, g, x):
    d[g] = broadcast_like(d[z], g)


@tangent(unbroadcast)
def unbroadcast_tangent(z, g, x):
    d[z] = unbroadcast(d[g], x)


@adjoint(broadcast_like)
def broadcast_like_adjoint(z, g, x):
    d[g] = unbroadcast(d[z], g)


@tangent(broadcast_like)
def broadcast_like_tangent(z, g, x):
    d[z] = broadcast_like(d[g], x)


@adjoint(sum_to_shape)
def sum_to_shape_adjoint(z, g, shape):
    d[g] = broadcast_like(d[z], g)


@tangent(sum_to_shape)
def sum_to_shape_tangent(z, g, shape):
    d[z] = sum_to_shape(d[g], shape)


@adjoint(expand_reduced)
def expand_reduced_adjoint(z, g, x, axis, keepdims):
    d[g] = np.reshape(d[z], np.shape(g))


@tangent(expand_reduced)
def expand_reduced_tangent(z, g, x, axis, keepdims):
    d[z] = expand_reduced(d[g], x, axis, keepdims)


# ---- indexing, extrema ------------------------------------------------------------------------


@adjoint(index_adjoint)
def index_adjoint_adjoint(z, g, x, index):
    d[g] = d[z][index]


@tangent(index_adjoint)
def index_adjoint_tangent(z, g, x, index):
    d[z] = index_adjoint(d[g], x, index)


@adjoint(extremum_adjoint)
def extremum_adjoint_adjoint(z, g, x, m, axis=None, keepdims=False):
    d[g] = extremum_adjoint_transpose(d[z], g, x, m, axis, keepdims)


@tangent(extremum_adjoint)
def extremum_adjoint_tangent(z, g, x, m, axis=None, keepdims=False):
    d[z] = extremum_adjoint(d[g], x, m, axis, keepdims)


# extremum_tangent (forward mode's max/min) is the transpose of extremum_adjoint: each serves
# as the other's adjoint.


@adjoint(extremum_tangent)
def extremum_tangent_adjoint(z, dx, x, m, axis=None, keepdims=False):
    d[dx] = extremum_adjoint(d[z], x, m, axis, keepdims)


@tangent(extremum_tangent)
def extremum_tangent_tangent(z, dx, x, m, axis=None, keepdims=False):
    d[z] = extremum_tangent(d[dx], x, m, axis, keepdims)


# ---- products: bilinear in the adjoint and the other operand -----------------------------------
# matmul_adjoint_lhs(g, a, b) is the transpose of a -> a @ b applied to g; its own transpose is
# a -> a @ b again, and, as a function of b, it is matmul_adjoint_rhs with the roles swapped.


@adjoint(matmul_adjoint_lhs)
def matmul_adjoint_lhs_adjoint(z, g, a, b):
    d[g] = np.matmul(d[z], b)
    d[b] = matmul_adjoint_rhs(g, d[z], b)


@tangent(matmul_adjoint_lhs)
def matmul_adjoint_lhs_tangent(z, g, a, b):
    d[z] = matmul_adjoint_lhs(d[g], a, b) + matmul_adjoint_lhs(g, a, d[b])


@adjoint(matmul_adjoint_rhs)
def matmul_adjoint_rhs_adjoint(z, g, a, b):
    d[g] = np.matmul(a, d[z])
    d[a] = matmul_adjoint_lhs(g, a, d[z])


@tangent(matmul_adjoint_rhs)
def matmul_adjoint_rhs_tangent(z, g, a, b):
    d[z] = matmul_adjoint_rhs(d[g], a, b) + matmul_adjoint_rhs(g, d[a], b)


@adjoint(dot_adjoint_lhs)
def dot_adjoint_lhs_adjoint(z, g, a, b):
    d[g] = np.dot(d[z], b)
    d[b] = dot_adjoint_rhs(g, d[z], b)


@tangent(dot_adjoint_lhs)
def dot_adjoint_lhs_tangent(z, g, a, b):
    d[z] = dot_adjoint_lhs(d[g], a, b) + dot_adjoint_lhs(g, a, d[b])


@adjoint(dot_adjoint_rhs)
def dot_adjoint_rhs_adjoint(z, g, a, b):
    d[g] = np.dot(a, d[z])
    d[a] = dot_adjoint_lhs(g, a, d[z])


@tangent(dot_adjoint_rhs)
def dot_adjoint_rhs_tangent(z, g, a, b):
    d[z] = dot_adjoint_rhs(d[g], a, b) + dot_adjoint_rhs(g, d[a], b)


# ---- containers of adjoints -------------------------------------------------------------------


@adjoint(add_entries)
def add_entries_adjoint(z, a, b):
    d[a] = d[z]
    d[b] = d[z]


@tangent(add_entries)
def add_entries_tangent(z, a, b):
    d[z] = add_entries(d[a], d[b])


@adjoint(add_to_entry)
def add_to_entry_adjoint(z, b, index, g):
    d[b] = d[z]
    d[g] = d[z][index]


@tangent(add_to_entry)
def add_to_entry_tangent(z, b, index, g):
    d[z] = add_to_entry(d[b], index, d[g])


@adjoint(unstack)
def unstack_adjoint(z, g, arrays, axis=0):
    d[g] = np.stack(d[z], axis)


@tangent(unstack)
def unstack_tangent(z, g, arrays, axis=0):
    d[z] = unstack(d[g], arrays, axis)


@adjoint(unconcatenate)
def unconcatenate_adjoint(z, g, arrays, axis=0):
    d[g] = np.concatenate(d[z], axis)


@tangent(unconcatenate)
def unconcatenate_tangent(z, g, arrays, axis=0):
    d[z] = unconcatenate(d[g], arrays, axis)


@adjoint(vstack_adjoint)
def vstack_adjoint_adjoint(z, g, arrays):
    d[g] = np.vstack(d[z])


@tangent(vstack_adjoint)
def vstack_adjoint_tangent(z, g, arrays):
    d[z] = vstack_adjoint(d[g], arrays)


@adjoint(hstack_adjoint)
def hstack_adjoint_adjoint(z, g, arrays):
    d[g] = np.hstack(d[z])


@tangent(hstack_adjoint)
def hstack_adjoint_tangent(z, g, arrays):
    d[z] = hstack_adjoint(d[g], arrays)


@adjoint(sum_adjoint)
def sum_adjoint_adjoint(z, g, items):
    d[g] = sum_adjoint_transpose(d[z], g)


@tangent(sum_adjoint)
def sum_adjoint_tangent(z, g, items):
    d[z] = sum_adjoint(d[g], items)


@adjoint(array_adjoint)
def array_adjoint_adjoint(z, g, x):
    d[g] = np.asarray(d[z])


@tangent(array_adjoint)
def array_adjoint_tangent(z, g, x):
    d[z] = array_adjoint(d[g], x)


# `x.astype(dtype)`: its adjoint and tangent helpers are linear in their first argument; the
# second only says which dtype the cast went to.
@adjoint(cast_adjoint)
def cast_adjoint_adjoint(r, g, z):
    d[g] = cast_adjoint(d[r], z)


@tangent(cast_adjoint)
def cast_adjoint_tangent(r, g, z):
    d[r] = cast_adjoint(d[g], z)


@adjoint(cast_tangent)
def cast_tangent_adjoint(r, v, z):
    d[v] = cast_adjoint(cast_tangent(d[r], v), z)


@tangent(cast_tangent)
def cast_tangent_tangent(r, v, z):
    d[r] = cast_tangent(d[v], z)



# `np.prod`: with `others[i]` the product of the other entries of i's slice and P[i, j] the
# product of all but i and j (symmetric), prod_adjoint(g, x)[i] = g * others[i] and
# prod_tangent(v, x) = sum_i v[i] * others[i]; d others[i] / d x[j] = P[i, j].
@adjoint(prod_adjoint)
def prod_adjoint_adjoint(r, g, x, axis=None, keepdims=False):
    d[g] = prod_tangent(d[r], x, axis, keepdims)
    d[x] = pair_products_times(x, d[r] * expand_reduced(g, x, axis, keepdims), axis, keepdims)


@tangent(prod_adjoint)
def prod_adjoint_tangent(r, g, x, axis=None, keepdims=False):
    d[r] = prod_adjoint(d[g], x, axis, keepdims) + expand_reduced(g, x, axis, keepdims) \
        * pair_products_times(x, d[x], axis, keepdims)


@adjoint(prod_tangent)
def prod_tangent_adjoint(r, v, x, axis=None, keepdims=False):
    d[v] = prod_adjoint(d[r], x, axis, keepdims)
    d[x] = expand_reduced(d[r], x, axis, keepdims) * pair_products_times(x, v, axis, keepdims)


@tangent(prod_tangent)
def prod_tangent_tangent(r, v, x, axis=None, keepdims=False):
    d[r] = prod_tangent(d[v], x, axis, keepdims) + np.sum(
        v * pair_products_times(x, d[x], axis, keepdims), axis=axis, keepdims=keepdims)


# pair_products_times(x, v) = P v, P symmetric; d (P v)[i] / d x[m] = sum_j T[i, j, m] v[j]
# with T the products of all entries but three (symmetric): triple_products_times.
@adjoint(pair_products_times)
def pair_products_times_adjoint(r, x, v, axis=None, keepdims=False):
    d[v] = unbroadcast(pair_products_times(x, d[r], axis, keepdims), v)
    d[x] = triple_products_times(x, d[r], v, axis, keepdims)


@tangent(pair_products_times)
def pair_products_times_tangent(r, x, v, axis=None, keepdims=False):
    if differentiated(x) and differentiated(v):
        d[r] = pair_products_times(x, d[v], axis, keepdims) \
            + triple_products_times(x, v, d[x], axis, keepdims)
    elif differentiated(v):
        d[r] = pair_products_times(x, d[v], axis, keepdims)
    else:
        d[r] = triple_products_times(x, v, d[x], axis, keepdims)


@adjoint(digamma)
def digamma_adjoint(z, x):
    d[x] = d[z] * trigamma(x)


@tangent(digamma)
def digamma_tangent(z, x):
    d[z] = d[x] * trigamma(x)

