"""Systematic cases of the products: `@` (operator.matmul), np.matmul, np.dot (`.dot`), np.tensordot, np.inner,
np.outer, np.einsum, np.kron, np.cross and np.trace (`.trace`).

Shapes run over scalars, vectors, matrices and stacks of them, including pairs whose batch
dimensions broadcast; keyword settings (tensordot's axes, einsum's subscripts, cross's axes,
trace's offset and axes) are written into the expressions. Order-2 cases wrap a product in
`np.sum(... ** 2)` (or multiply it by one of its operands), so the second derivative is not zero.
"""

from __future__ import annotations

from typing import List

from systematic import Case, grid

CASES: List[Case] = []


def add(target, expression, shapes, label="", **options):
    CASES.extend(grid(target, expression, shapes, label=label, **options))


# ---- matmul, `@`, dot -----------------------------------------------------------------------

MATMUL_PAIRS = [
    ((2,), (2,)), ((3, 2), (2,)), ((2,), (2, 3)), ((3, 2), (2, 4)), ((1, 2), (2, 3)),
    ((2, 3, 2), (2, 4)), ((2, 3, 2), (1, 2, 4)), ((4, 2), (2, 2, 3)), ((2, 3, 2), (2,)),
    ((3,), (2, 3, 2)), ((2, 1, 3, 2), (4, 2, 2)),
]
add("np.matmul", "lambda a, b: np.matmul(a, b)", MATMUL_PAIRS)
add("operator.matmul", "lambda a, b: a @ b",
    [((2,), (2,)), ((3, 2), (2,)), ((2,), (2, 3)), ((3, 2), (2, 4)), ((2, 3, 2), (1, 2, 4))])
add("operator.matmul", "lambda a: a @ a", [((2, 2),), ((3, 3),), ((2, 3, 3),)], label="square")
add("operator.matmul", "lambda a, b: np.sum((a @ b) ** 2)",
    [((3, 2), (2, 4)), ((2,), (2, 3)), ((2, 3, 2), (2,))], label="sumsq", order=2)
add("np.matmul", "lambda a: np.sum(np.matmul(a, a.T) ** 2)", [((2, 3),)], label="gram",
    order=2)

DOT_PAIRS = [
    ((), ()), ((), (2,)), ((3, 2), ()), ((2,), (2,)), ((3, 2), (2,)), ((2,), (2, 3)),
    ((3, 2), (2, 4)), ((1, 2), (2, 3)), ((2, 3, 2), (2, 4)), ((2, 3), (4, 3, 2)),
    ((3,), (2, 3, 4)), ((2, 2, 3), (2, 3, 2)),
]
add("np.dot", "lambda a, b: np.dot(a, b)", DOT_PAIRS)
add("np.dot", "lambda a, b: np.dot(a, b)", [("float", (2,)), ((3, 2), "float")], label="py")
add(".dot", "lambda a, b: a.dot(b)",
    [((2,), (2,)), ((3, 2), (2,)), ((3, 2), (2, 4)), ((2, 3, 2), (2,)), ((2, 2), ())])
add("np.dot", "lambda a, b: np.sum(np.dot(a, b) ** 2)",
    [((3, 2), (2, 4)), ((2,), (2,)), ((2, 3), (4, 3, 2))], label="sumsq", order=2)
add(".dot", "lambda a, b: np.sum(a.dot(b) ** 2)", [((3, 2), (2,))], label="sumsq", order=2)

# ---- tensordot --------------------------------------------------------------------------------

TENSORDOT = [
    ("axes=0", [((2,), (3,)), ((3, 2), (2,)), ((), (2,))]),
    ("axes=1", [((3, 2), (2, 4)), ((2,), (2,)), ((2, 3, 2), (2, 4)), ((3,), (3, 2, 2))]),
    ("axes=2", [((3, 2), (3, 2)), ((2, 3, 4), (3, 4, 2)), ((2, 3, 2), (3, 2))]),
    ("axes=([1, 0], [0, 1])", [((2, 3), (3, 2)), ((2, 3, 4), (3, 2))]),
    ("axes=([0], [1])", [((3, 2), (4, 3)), ((3,), (2, 3))]),
    ("axes=(1, 0)", [((3, 2), (2, 4)), ((2, 2, 3), (2,))]),
    ("axes=([-1], [0])", [((3, 2), (2, 4)), ((2, 3, 4), (4,))]),
    ("axes=([0, 2], [2, 0])", [((2, 3, 4), (4, 3, 2)), ((2, 3, 2), (2, 4, 2))]),
    ("axes=[[2, 1], [0, 1]]", [((2, 3, 4), (4, 3))]),
    ("axes=([], [])", [((2,), (3,)), ((3, 2), ())]),
]
for keywords, shapes in TENSORDOT:
    add("np.tensordot", f"lambda a, b: np.tensordot(a, b, {keywords})", shapes, label=keywords)
add("np.tensordot", "lambda a, b: np.tensordot(a, b)", [((2, 3, 4), (3, 4, 2)), ((3, 2), (3, 2))],
    label="default")
add("np.tensordot", "lambda a, b: np.tensordot(a, b, 1)", [((3, 2), (2, 4))], label="positional")
add("np.tensordot", "lambda a, b: np.sum(np.tensordot(a, b, axes=([0], [1])) ** 2)",
    [((3, 2), (4, 3)), ((3, 2, 2), (2, 3))], label="sumsq", order=2)
add("np.tensordot", "lambda a: np.sum(np.tensordot(a, a, axes=0) * a[0])", [((2,),), ((2, 2),)],
    label="self", order=2)

# ---- inner, outer -----------------------------------------------------------------------------

add("np.inner", "lambda a, b: np.inner(a, b)",
    [((2,), (2,)), ((3, 2), (2,)), ((2,), (3, 2)), ((3, 2), (4, 2)), ((2, 3, 2), (2,)),
     ((2, 3, 2), (4, 2)), ((), (2,)), ((3, 2), ()), ((), ()), ((1, 2), (3, 2))])
add("np.inner", "lambda a, b: np.inner(a, b)", [("float", (3, 2))], label="py")
add("np.inner", "lambda a, b: np.sum(np.inner(a, b) ** 2)", [((3, 2), (4, 2)), ((2,), (2,))],
    label="sumsq", order=2)
add("np.inner", "lambda a: np.inner(a, a) * a[0]", [((3,),)], label="self", order=2)

add("np.outer", "lambda a, b: np.outer(a, b)",
    [((2,), (3,)), ((3, 2), (2,)), ((), (3,)), ((2, 2), (1, 3)), ((2,), ()), ((1, 2), (3, 2))])
add("np.outer", "lambda a, b: np.outer(a, b)", [("float", (2,))], label="py")
add("np.outer", "lambda a, b: np.sum(np.outer(a, b) ** 2 * a[0])", [((2,), (3,))],
    label="sumsq", order=2)
add("np.outer", "lambda a: np.sum(np.sin(np.outer(a, a)))", [((3,),), ((2, 2),)], label="self",
    order=2)

# ---- einsum -----------------------------------------------------------------------------------

EINSUM = [
    # (subscripts, shapes of the operands)
    ("ij,jk->ik", [((3, 2), (2, 4)), ((1, 2), (2, 4))]),
    ("ij,jk", [((3, 2), (2, 4))]),
    ("i,i", [((3,), (3,))]),
    ("i,i->", [((3,), (3,))]),
    ("i,i->i", [((3,), (3,)), ((1,), (3,))]),
    ("i,j->ij", [((3,), (2,))]),
    ("i,j", [((3,), (2,))]),
    ("ij->ji", [((3, 2),)]),
    ("ij", [((3, 2),)]),
    ("ji", [((3, 2),)]),
    ("ij->", [((3, 2),)]),
    ("ij->i", [((3, 2),)]),
    ("ij->j", [((3, 2),)]),
    ("ii->i", [((3, 3),)]),
    ("ii", [((3, 3),)]),
    ("ii->", [((2, 2),)]),
    ("iij->j", [((2, 2, 3),)]),
    ("iji->ij", [((2, 3, 2),)]),
    ("iii->i", [((2, 2, 2),)]),
    ("ij,ij->ij", [((3, 2), (3, 2)), ((1, 2), (3, 2)), ((3, 1), (3, 2))]),
    ("ij,ij->", [((3, 2), (3, 2))]),
    ("ij,ij", [((3, 2), (3, 2))]),
    ("ij,j->i", [((3, 2), (2,))]),
    ("ij,i->j", [((3, 2), (3,))]),
    ("ij,kj->ik", [((3, 2), (4, 2))]),
    ("ii,i->i", [((3, 3), (3,))]),
    ("ij,jj->i", [((3, 2), (2, 2))]),
    ("ij,k->ijk", [((2, 2), (3,))]),
    ("ij,jk->", [((3, 2), (2, 4))]),
    ("ijk,ikl->ijl", [((2, 3, 2), (2, 2, 4))]),
    ("bij,bjk->bik", [((2, 3, 2), (2, 2, 3)), ((1, 3, 2), (2, 2, 3))]),
    ("i,->i", [((3,), ())]),
    (",->", [((), ())]),
    ("i->", [((3,),)]),
    ("...ij,...jk->...ik", [((2, 3, 2), (2, 2, 4)), ((1, 3, 2), (2, 2, 4)), ((3, 2), (2, 2, 4)),
                            ((2, 3, 2), (2, 4))]),
    ("...ij,...jk", [((2, 3, 2), (2, 2, 4))]),
    ("...i,...i->...", [((3, 2), (2,)), ((3, 2), (3, 2)), ((2,), (2,))]),
    ("i...->...", [((2, 3),), ((2, 3, 2),), ((2,),)]),
    ("...ii->...i", [((2, 3, 3),)]),
    ("...", [((3, 2),)]),
    ("ij...,jk...->ik...", [((3, 2, 2), (2, 4, 2))]),
    ("ij,jk,kl->il", [((3, 2), (2, 4), (4, 2))]),
    ("ij,jk,kl", [((3, 2), (2, 4), (4, 2))]),
    ("i,i,i->", [((3,), (3,), (3,))]),
    ("i,i,i", [((3,), (3,), (1,))]),
    ("ij,j,i", [((3, 2), (2,), (3,))]),
    ("ij,j,i->", [((3, 2), (2,), (3,))]),
    ("ij,jk,k->i", [((3, 2), (2, 4), (4,))]),
    ("ii,ij,j->i", [((3, 3), (3, 2), (2,))]),
    ("...i,...i,...i->...", [((3, 2), (2,), (3, 1))]),
    ("i,j,k->ijk", [((2,), (3,), (2,))]),
    ("ab,Ab->aA", [((2, 3), (4, 3))]),
    ("Ba", [((2, 3),)]),
    ("aB,Ba", [((2, 3), (3, 2))]),
]
for subscripts, shapes in EINSUM:
    arity = len(shapes[0])
    names = ", ".join("abc"[:arity])
    add("np.einsum", f"lambda {names}: np.einsum('{subscripts}', {names})", shapes,
        label=subscripts.replace("...", "E").replace(",", "_").replace("->", "-to-") or "scalars")
add("np.einsum", "lambda a, b: np.einsum('ij,jk->ik', a, b, optimize=True)",
    [((3, 2), (2, 4))], label="optimize")
add("np.einsum", "lambda a, b, c: np.einsum('ij,jk,kl->il', a, b, c, optimize='greedy')",
    [((3, 2), (2, 4), (4, 2))], label="optimize-greedy")
add("np.einsum", "lambda a, b: np.einsum('ij,jk->ik', a, 2.0 * b)", [((3, 2), (2, 4))],
    label="scaled")
add("np.einsum", "lambda a: np.einsum('ij,jk->ik', a, a.T)", [((3, 2),)], label="gram")
EINSUM_ORDER_2 = [
    ("ij,jk->ik", [((3, 2), (2, 4))]),
    ("ii->i", [((3, 3),)]),
    ("ij->i", [((3, 2),)]),
    ("i,i->", [((3,), (3,))]),
    ("...ij,...jk->...ik", [((1, 3, 2), (2, 2, 4))]),
    ("ij,jk,kl->il", [((3, 2), (2, 4), (4, 2))]),
    ("ii,i->i", [((3, 3), (3,))]),
]
for subscripts, shapes in EINSUM_ORDER_2:
    arity = len(shapes[0])
    names = ", ".join("abc"[:arity])
    add("np.einsum", f"lambda {names}: np.sum(np.einsum('{subscripts}', {names}) ** 2)", shapes,
        label="sumsq-" + subscripts.replace("...", "E").replace(",", "_").replace("->", "-to-"),
        order=2)
add("np.einsum", "lambda a: np.sum(np.einsum('ij,ij->i', a, a) ** 2)", [((3, 2),)],
    label="sumsq-self", order=2)

# ---- kron -------------------------------------------------------------------------------------

add("np.kron", "lambda a, b: np.kron(a, b)",
    [((2,), (3,)), ((2, 2), (2, 3)), ((), (3,)), ((2,), ()), ((), ()), ((2,), (2, 3)),
     ((3, 2), (2,)), ((1, 2), (2, 1)), ((2, 2, 1), (2,)), ((2, 1, 2), (1, 2, 2))])
add("np.kron", "lambda a, b: np.kron(a, b)", [("float", (2, 2))], label="py")
add("np.kron", "lambda a, b: np.sum(np.kron(a, b) ** 2 * a[0, 0])", [((2, 2), (2, 3))],
    label="sumsq", order=2)
add("np.kron", "lambda a: np.sum(np.kron(a, a) ** 2)", [((2,),), ((2, 2),)], label="self",
    order=2)

# ---- cross ------------------------------------------------------------------------------------

add("np.cross", "lambda a, b: np.cross(a, b)",
    [((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)), ((4, 3), (4, 3)), ((1, 3), (2, 3)),
     ((2, 1, 3), (4, 3))])
CROSS = [
    ("axisa=0", [((3, 2), (3,)), ((3, 2), (2, 3))]),
    ("axisb=0", [((2, 3), (3, 2))]),
    ("axisc=0", [((2, 3), (2, 3)), ((3,), (2, 3))]),
    ("axisa=0, axisb=0, axisc=0", [((3, 2), (3, 2)), ((3, 1), (3, 2))]),
    ("axis=0", [((3, 2), (3, 2)), ((3, 4), (3, 1))]),
    ("axis=1", [((2, 3, 2), (2, 3, 2))]),
    ("axisa=1, axisb=-1, axisc=1", [((2, 3, 2), (2, 3))]),
    ("axisa=-2", [((2, 3, 2), (3,))]),
]
for keywords, shapes in CROSS:
    add("np.cross", f"lambda a, b: np.cross(a, b, {keywords})", shapes, label=keywords)
add("np.cross", "lambda a, b: np.cross(a, b, 0, 0, 0)", [((3, 2), (3, 2))], label="positional")
add("np.cross", "lambda a, b: np.sum(np.cross(a, b) ** 2)", [((3,), (3,)), ((2, 3), (3,))],
    label="sumsq", order=2)
add("np.cross", "lambda a, b: np.sum(np.cross(a, b, axis=0) * a)", [((3, 2), (3, 2))],
    label="axis=0-times-a", order=2)

# ---- trace ------------------------------------------------------------------------------------

TRACE = [
    ("", [((3, 3),), ((3, 2),), ((2, 3),), ((1, 3),), ((2, 3, 2),)]),
    ("offset=1", [((3, 3),), ((2, 3),)]),
    ("offset=-1", [((3, 3),), ((3, 2),)]),
    ("offset=5", [((3, 3),)]),
    ("axis1=1, axis2=2", [((2, 3, 3),), ((2, 3, 2),)]),
    ("axis1=-1, axis2=0", [((3, 2, 3),)]),
    ("offset=1, axis1=2, axis2=1", [((2, 3, 3),)]),
    ("0, 2, 0", [((3, 2, 3),)]),
]
for keywords, shapes in TRACE:
    add("np.trace", f"lambda a: np.trace(a{', ' if keywords else ''}{keywords})", shapes,
        label=keywords.replace(" ", ""))
add(".trace", "lambda a: a.trace()", [((3, 3),), ((3, 2),), ((2, 3, 3),)])
add(".trace", "lambda a: a.trace(1)", [((3, 3),)], label="offset")
add(".trace", "lambda a: a.trace(offset=-1, axis1=1, axis2=2)", [((2, 3, 3),)],
    label="offset=-1,axis1=1,axis2=2")
add("np.trace", "lambda a: np.trace(a) ** 2 + np.trace(a @ a)", [((3, 3),)], label="square",
    order=2)
add("np.trace", "lambda a: np.sum(np.trace(a, axis1=1, axis2=2) ** 3)", [((2, 3, 3),)],
    label="cube", order=2)
add(".trace", "lambda a: a.trace(1) * a[0, 0]", [((3, 3),)], label="product", order=2)
