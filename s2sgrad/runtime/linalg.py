"""Helpers of the linear-algebra rules (s2sgrad/rules/linalg.py, s2sgrad/rules/scipy_linalg.py).

Most are linear maps on (stacks of) matrices that NumPy has no one-call spelling of, written for
the trailing two axes so that batches of matrices (`...`, as NumPy's linalg reads them) work:
transposes, diagonals, triangles, 2 x 2 block matrices. Each is paired with its transpose so that
the rules module can give every helper an adjoint and a tangent rule, and derivatives of the
generated code work again (second order). The others compute constant decisions (shapes, the
order of eigenvalues) and have zero derivative, or serve one rule:

* `as_columns` / `from_columns`: np.linalg.solve's right-hand side, a vector or a matrix.
* `chain_tangent` / `chain_adjoint` (and their derivatives `chain_tangent2`, `chain_adjoint2`,
  `chain_adjoint_tangent`): np.linalg.multi_dot, a product of a list of matrices, whose first and
  last entries may be vectors.
* `lstsq_residuals_adjoint` / `lstsq_residuals_tangent`: the sums of squared residuals of
  np.linalg.lstsq, an empty array when NumPy does not compute them.
* `norm_adjoint` / `norm_tangent`: np.linalg.norm for an `ord` or `axis` not written as a literal
  (first derivatives only; see the rules module).

A triangle flag `lower` is a bool (True: the lower triangle) or NumPy's `UPLO` letter, "L"/"U".
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np

from .broadcasting import expand_reduced
from .reductions import extremum_adjoint, extremum_tangent

# ---------------------------------------------------------------------------
# Transposes, diagonals, triangles
# ---------------------------------------------------------------------------


def matrix_transpose(x: Any) -> Any:
    """The transposes of a stack of matrices (the last two axes swapped)."""
    return np.swapaxes(x, -1, -2)


def transpose_if(m: Any, flag: Any) -> Any:
    """`m`'s matrices transposed when `flag` is true (cholesky's `upper=`)."""
    return matrix_transpose(m) if flag else m


def diagonal_of(m: Any) -> np.ndarray:
    """The diagonals of a stack of square matrices, shape `(..., n)` (a new array)."""
    return np.diagonal(m, 0, -2, -1).copy()


def diagonal_matrix(v: Any) -> np.ndarray:
    """The stack of diagonal matrices with diagonals `v` (`(..., n)` -> `(..., n, n)`)."""
    v = np.asarray(v)
    n = v.shape[-1]
    return v[..., :, None] * np.eye(n, dtype=v.dtype if v.dtype.kind in "fc" else float)


def _is_lower(lower: Any) -> bool:
    if isinstance(lower, str):
        if lower.upper() not in ("L", "U"):
            raise ValueError(f"UPLO must be 'L' or 'U', not {lower!r}")
        return lower.upper() == "L"
    return bool(lower)


def triangle_part(m: Any, lower: Any, strict: bool = False) -> Any:
    """The lower (or upper) triangle of a stack of matrices, with the diagonal unless `strict`;
    zeros elsewhere. A mask: it is its own transpose."""
    if _is_lower(lower):
        return np.tril(m, -1 if strict else 0)
    return np.triu(m, 1 if strict else 0)


def triangle_mirror(a: Any, lower: Any) -> Any:
    """The symmetric matrix that a routine reading only one triangle of `a` sees (LAPACK's
    `UPLO`): the triangle, and its transpose in place of the other one."""
    if _is_lower(lower):
        return np.tril(a) + matrix_transpose(np.tril(a, -1))
    return np.triu(a) + matrix_transpose(np.triu(a, 1))


def triangle_fold(g: Any, lower: Any) -> Any:
    """The transpose of `triangle_mirror`: the adjoint of each entry of the read triangle is
    its own plus that of its mirror image; the other triangle gets zero."""
    if _is_lower(lower):
        return np.tril(g) + np.tril(matrix_transpose(g), -1)
    return np.triu(g) + np.triu(matrix_transpose(g), 1)


def read_hermitian(a: Any, hermitian: Any) -> Any:
    """The matrix that pinv / svd with `hermitian=True` decompose (through eigh: the lower
    triangle mirrored); `a` itself otherwise."""
    return triangle_mirror(a, True) if hermitian else a


def fold_hermitian(g: Any, hermitian: Any) -> Any:
    """The transpose of `read_hermitian`."""
    return triangle_fold(g, True) if hermitian else g


def off_diagonal_reciprocal(e: Any) -> np.ndarray:
    """`1 / e` off the diagonal of each matrix, 0 on it (the diagonal of `e` is not read).

    With `e[i, j] = w[j] - w[i]` these are the weights of eigenvector derivatives; a zero off the
    diagonal (repeated eigenvalues) gives inf, as the derivative is not defined there.
    """
    e = np.array(e, dtype=np.result_type(e, float))
    n = e.shape[-1]
    diagonal = np.arange(n)
    e[..., diagonal, diagonal] = 1.0
    out = 1.0 / e
    out[..., diagonal, diagonal] = 0.0
    return out


# ---------------------------------------------------------------------------
# Right-hand sides of solve: a vector or a matrix
# ---------------------------------------------------------------------------


def _vector_rhs(z: Any, a: Any) -> bool:
    # np.linalg.solve(a, b) treats b as a (stack of) vector(s) exactly when its result has one
    # dimension fewer than a (NumPy 2: b is 1-d; NumPy 1: b.ndim == a.ndim - 1).
    return np.ndim(z) < np.ndim(a)


def as_columns(v: Any, z: Any, a: Any) -> Any:
    """`v` (shaped like solve(a, b)'s result z, or like b) as a stack of matrices: a vector
    right-hand side gets a trailing axis of length 1."""
    return np.asarray(v)[..., None] if _vector_rhs(z, a) else v


def from_columns(m: Any, z: Any, a: Any) -> Any:
    """The inverse of `as_columns`: drops the trailing axis again for a vector right-hand side."""
    return np.asarray(m)[..., 0] if _vector_rhs(z, a) else m


# ---------------------------------------------------------------------------
# 2 x 2 block matrices: f([[A, E], [0, A]]) = [[f(A), Df(A)[E]], [0, f(A)]]
# ---------------------------------------------------------------------------


def block_upper(a: Any, e: Any) -> np.ndarray:
    """The (stack of) block matrices `[[a, e], [0, a]]`; `a` and `e` broadcast (a zero `e` may be
    the number 0.0)."""
    a, e = np.asarray(a), np.asarray(e)
    shape = np.broadcast_shapes(a.shape, e.shape)
    m, p = shape[-2:]
    out = np.zeros(shape[:-2] + (2 * m, 2 * p), dtype=np.result_type(a, e, float))
    out[..., :m, :p] = a
    out[..., m:, p:] = a
    out[..., :m, p:] = e
    return out


def upper_right_block(m: Any) -> Any:
    """The upper right block of a (stack of) 2 x 2 block matrices."""
    rows, cols = np.shape(m)[-2] // 2, np.shape(m)[-1] // 2
    return m[..., :rows, cols:]


def embed_upper_right(g: Any, m: Any) -> np.ndarray:
    """Zeros shaped like the block matrix `m`, with `g` as its upper right block (the transpose
    of `upper_right_block`)."""
    shape = np.shape(m)
    out = np.zeros(shape, dtype=np.result_type(g, float))
    out[..., :shape[-2] // 2, shape[-1] // 2:] = g
    return out


def block_diagonal_sum(g: Any) -> Any:
    """The sum of the two diagonal blocks of a (stack of) 2 x 2 block matrices (the transpose of
    `a -> block_upper(a, 0)`)."""
    rows, cols = np.shape(g)[-2] // 2, np.shape(g)[-1] // 2
    return g[..., :rows, :cols] + g[..., rows:, cols:]


# ---------------------------------------------------------------------------
# Matrix norms over any two axes
# ---------------------------------------------------------------------------


def matrix_axes_last(x: Any, axes: Any) -> Any:
    """`x` with the two matrix axes `axes` of a matrix norm moved to the end (None: x is the
    matrix)."""
    if axes is None:
        return x
    return np.moveaxis(x, tuple(axes), (-2, -1))


def matrix_axes_back(m: Any, axes: Any) -> Any:
    """The inverse of `matrix_axes_last`."""
    if axes is None:
        return m
    return np.moveaxis(m, (-2, -1), tuple(axes))


def column_shape(x: Any) -> Tuple[int, ...]:
    """The shape of `x` as a matrix: a vector of n entries is one column, (n, 1). (The norms of
    ord 1, 2, inf and -inf of a vector are those of the column.)"""
    shape = np.shape(x)
    return shape + (1,) if len(shape) == 1 else shape


# ---------------------------------------------------------------------------
# np.linalg.norm with an ord or axis known only at run time (first derivatives)
# ---------------------------------------------------------------------------


def _norm_setup(x: Any, ord: Any, axis: Any) -> Tuple[np.ndarray, Any, Tuple[int, ...]]:
    x = np.asarray(x)
    if axis is None:
        if ord is None:
            return x, None, tuple(range(x.ndim))
        axis = tuple(range(x.ndim))
    elif isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axes = tuple(int(k) % x.ndim for k in axis)
    if len(axes) not in (1, 2):
        raise ValueError("np.linalg.norm: axis must name one or two axes")
    return x, ord, axes


def _safe(z: Any) -> Any:
    return np.where(z == 0, 1.0, z)


def norm_adjoint(g: Any, x: Any, z: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False) -> np.ndarray:
    """Adjoint of `z = np.linalg.norm(x, ord, axis, keepdims)` w.r.t. x, for any `ord` and
    `axis`, decided at run time (the conventions of the rules module: the gradient of a norm at
    0 is 0, ties of max/min norms split evenly)."""
    x, ord, axes = _norm_setup(x, ord, axis)
    g = expand_reduced(g, x, axes, keepdims)
    zk = expand_reduced(z, x, axes, keepdims)
    if ord is None or ord == "fro" or (len(axes) == 1 and ord == 2):
        return x * (g / _safe(zk))
    if len(axes) == 1:
        if ord == 0:
            return np.zeros_like(x, dtype=float)
        if ord == 1:
            return np.sign(x) * g
        if np.isinf(ord):
            return np.sign(x) * extremum_adjoint(g, np.abs(x), zk, axes, True)
        return np.sign(x) * np.abs(x) ** (ord - 1) * (g / zk ** (ord - 1))
    if ord in (1, -1, np.inf, -np.inf):
        summed = axes[0] if ord in (1, -1) else axes[1]
        s = np.sum(np.abs(x), axis=summed, keepdims=True)
        return np.sign(x) * extremum_adjoint(g, s, zk, axes, True)
    u, _, vh = np.linalg.svd(matrix_axes_last(x, axes), full_matrices=False)
    if ord == "nuc":
        weights = u @ vh
    elif ord in (2, -2):
        k = 0 if ord == 2 else -1
        weights = u[..., :, k, None] @ vh[..., k, None, :]
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return matrix_axes_back(matrix_axes_last(g, axes) * weights, axes)


def norm_tangent(v: Any, x: Any, z: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False) -> Any:
    """Tangent of `z = np.linalg.norm(x, ord, axis, keepdims)` along `v` (see `norm_adjoint`)."""
    x, ord, axes = _norm_setup(x, ord, axis)
    reduce = None if axis is None and ord is None else axes
    if ord is None or ord == "fro" or (len(axes) == 1 and ord == 2):
        return np.sum(x * v, axis=reduce, keepdims=keepdims) / _safe(z)
    if len(axes) == 1:
        if ord == 0:
            return np.zeros_like(z, dtype=float)
        if ord == 1:
            return np.sum(np.sign(x) * v, axis=axes, keepdims=keepdims)
        if np.isinf(ord):
            return extremum_tangent(np.sign(x) * v, np.abs(x), z, axes, keepdims)
        terms = np.sign(x) * np.abs(x) ** (ord - 1) * v
        return np.sum(terms, axis=axes, keepdims=keepdims) / z ** (ord - 1)
    if ord in (1, -1, np.inf, -np.inf):
        summed = axes[0] if ord in (1, -1) else axes[1]
        s = np.sum(np.abs(x), axis=summed, keepdims=True)
        ds = np.sum(np.sign(x) * v, axis=summed, keepdims=True)
        return extremum_tangent(ds, s, z, axes, keepdims)
    weights = norm_adjoint(np.ones_like(z), x, z, ord, axis, keepdims)
    return np.sum(weights * v, axis=axes, keepdims=keepdims)


# ---------------------------------------------------------------------------
# lstsq's residuals: sum of squares of the columns of r = b - a @ x (empty when not computed)
# ---------------------------------------------------------------------------


def lstsq_residuals_adjoint(g: Any, r: Any) -> Any:
    """The adjoint of `b - a @ x` from the residuals' adjoint `g`: `2 r g` (zero when lstsq
    returned no residuals, `g` empty)."""
    if np.size(g) == 0:
        return np.zeros(np.shape(r), dtype=np.result_type(r, float))
    return 2.0 * r * g


def lstsq_residuals_tangent(dr: Any, r: Any, residuals: Any) -> Any:
    """The tangent of the residuals from the tangent `dr` of `b - a @ x`: `2 sum(r dr)` per
    column, shaped like `residuals` (empty when lstsq returned none)."""
    if np.size(residuals) == 0:
        return np.zeros(np.shape(residuals))
    return np.reshape(2.0 * np.sum(r * dr, axis=0), np.shape(residuals))


# ---------------------------------------------------------------------------
# solve_triangular's trans= (0/"N": a, 1/"T" and 2/"C": its transpose; real matrices)
# ---------------------------------------------------------------------------


def _transposes(trans: Any) -> bool:
    if trans in (0, "N", "n"):
        return False
    if trans in (1, 2, "T", "C", "t", "c"):
        return True
    raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', not {trans!r}")


def apply_trans(m: Any, trans: Any) -> Any:
    """`m`, transposed when `trans` asks for the transposed system."""
    return matrix_transpose(m) if _transposes(trans) else m


def flipped_trans(trans: Any) -> int:
    """The `trans` of the transposed system."""
    return 0 if _transposes(trans) else 1


# ---------------------------------------------------------------------------
# multi_dot: chains of matrix products, and the multilinear maps of their derivatives
# ---------------------------------------------------------------------------


def _is_zero(t: Any) -> bool:
    return t is None or np.ndim(t) == 0     # (entries of a chain are never 0-d)


def _as_matrices(arrays: Sequence[Any]) -> List[np.ndarray]:
    """The chain's entries as matrices: a first vector is a row, a last vector a column."""
    mats = [np.asarray(a) for a in arrays]
    if mats[0].ndim == 1:
        mats[0] = mats[0][None, :]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1][:, None]
    return mats


def _product(mats: Sequence[np.ndarray]) -> np.ndarray:
    return mats[0] if len(mats) == 1 else np.linalg.multi_dot(list(mats))


def _result_shape(arrays: Sequence[Any]) -> Tuple[int, ...]:
    first, last = np.shape(arrays[0]), np.shape(arrays[-1])
    return tuple(first[:-1]) + tuple(last[1:])


def _replaced(arrays: Sequence[Any], replacements: dict) -> np.ndarray:
    """The chain with entries replaced ({position: array}), as a matrix."""
    mats = _as_matrices([replacements.get(i, a) for i, a in enumerate(arrays)])
    return _product(mats)


def _slot_adjoints(g: Any, arrays: Sequence[Any], replacements: dict,
                   skip: Sequence[int] = ()) -> List[Any]:
    """For each position j (not replaced, not in `skip`): the adjoint of the chain (with the
    replacements) with respect to entry j, for the output adjoint `g`; None elsewhere."""
    mats = _as_matrices([replacements.get(i, a) for i, a in enumerate(arrays)])
    rows, cols = mats[0].shape[0], mats[-1].shape[1]
    g = np.reshape(g, (rows, cols))
    out: List[Any] = []
    for j in range(len(mats)):
        if j in replacements or j in skip:
            out.append(None)
            continue
        factors = [m.T for m in mats[:j][::-1]] + [g] + [m.T for m in mats[j + 1:][::-1]]
        out.append(np.reshape(_product(factors), np.shape(arrays[j])))
    return out


def chain_tangent(tangents: Sequence[Any], arrays: Sequence[Any]) -> np.ndarray:
    """The tangent of `multi_dot(arrays)`: the sum over the entries i of the chain with entry i
    replaced by its tangent (entries whose tangent is zero are skipped)."""
    total = np.zeros(_result_shape(arrays), dtype=np.result_type(*arrays, float))
    for i, t in enumerate(tangents):
        if not _is_zero(t):
            total = total + np.reshape(_replaced(arrays, {i: t}), total.shape)
    return total


def chain_adjoint(g: Any, arrays: Sequence[Any]) -> List[Any]:
    """The adjoints of the entries of `multi_dot(arrays)` for the output adjoint `g`: for entry
    i, the transposed products of the entries before and after it around `g`."""
    return _slot_adjoints(g, arrays, {})


def chain_tangent2(tangents: Sequence[Any], others: Sequence[Any],
                   arrays: Sequence[Any]) -> np.ndarray:
    """The sum over positions i != j of the chain with entry i replaced by `tangents[i]` and
    entry j by `others[j]` (the derivative of `chain_tangent` with respect to the arrays)."""
    total = np.zeros(_result_shape(arrays), dtype=np.result_type(*arrays, float))
    for i, t in enumerate(tangents):
        for j, u in enumerate(others):
            if i != j and not _is_zero(t) and not _is_zero(u):
                total = total + np.reshape(_replaced(arrays, {i: t, j: u}), total.shape)
    return total


def chain_adjoint2(g: Any, tangents: Sequence[Any], arrays: Sequence[Any]) -> List[Any]:
    """For each position j: the sum over i != j of the adjoint, with respect to entry j, of the
    chain with entry i replaced by `tangents[i]` (the derivative of `chain_adjoint` with respect
    to the arrays, and the transpose of `chain_tangent2`)."""
    out = [np.zeros(np.shape(a), dtype=np.result_type(a, g, float)) for a in arrays]
    for i, t in enumerate(tangents):
        if _is_zero(t):
            continue
        for j, part in enumerate(_slot_adjoints(g, arrays, {i: t})):
            if part is not None:
                out[j] = out[j] + part
    return out


def chain_adjoint_tangent(dg: Any, g: Any, tangents: Sequence[Any],
                          arrays: Sequence[Any]) -> List[Any]:
    """The tangent of `chain_adjoint(g, arrays)`: `chain_adjoint(dg, arrays)` plus
    `chain_adjoint2(g, tangents, arrays)`, entry by entry (zero arguments skipped)."""
    out = [np.zeros(np.shape(a), dtype=np.result_type(a, float)) for a in arrays]
    if not _is_zero(dg):
        out = [o + p for o, p in zip(out, chain_adjoint(dg, arrays))]
    if not all(_is_zero(t) for t in tangents):
        out = [o + p for o, p in zip(out, chain_adjoint2(g, tangents, arrays))]
    return out


# ---------------------------------------------------------------------------
# eig: LAPACK's eigenvectors have unit length and their entry of largest modulus real;
# eigvals: eigenvectors in the order of given eigenvalues
# ---------------------------------------------------------------------------


def largest_entry_mask(v: Any) -> np.ndarray:
    """1.0 at the entry of largest modulus of each column of each matrix of `v` (the entry LAPACK
    makes real in an eigenvector), 0.0 elsewhere."""
    v = np.asarray(v)
    rows = np.argmax(np.abs(v), axis=-2)
    mask = np.zeros(v.shape)
    np.put_along_axis(mask, rows[..., None, :], 1.0, axis=-2)
    return mask


def eigenvalue_order(w: Any, w2: Any) -> np.ndarray:
    """Indices `p` with `w2[..., p]` in the order of `w` (the same eigenvalues, computed twice,
    as np.linalg.eigvals and np.linalg.eig do): for each of `w`, the nearest of `w2`."""
    w, w2 = np.asarray(w), np.asarray(w2)
    return np.argmin(np.abs(w[..., :, None] - w2[..., None, :]), axis=-1)


def take_columns(v: Any, p: Any) -> np.ndarray:
    """The columns `p` of each matrix of the stack `v` (`p`: `(..., n)` indices)."""
    p = np.asarray(p)
    return np.take_along_axis(np.asarray(v), p[..., None, :], axis=-1)


def put_columns(g: Any, p: Any) -> np.ndarray:
    """The transpose of `take_columns` for a permutation `p`: column k of `g` goes back to
    column `p[k]`."""
    g = np.asarray(g)
    p = np.asarray(p)
    out = np.zeros(g.shape, dtype=g.dtype)
    np.put_along_axis(out, np.broadcast_to(p[..., None, :], g.shape), g, axis=-1)
    return out


__all__ = [
    "matrix_transpose", "transpose_if", "diagonal_of", "diagonal_matrix", "triangle_part",
    "triangle_mirror", "triangle_fold", "read_hermitian", "fold_hermitian",
    "off_diagonal_reciprocal", "as_columns", "from_columns", "block_upper", "upper_right_block",
    "embed_upper_right", "block_diagonal_sum", "matrix_axes_last", "matrix_axes_back",
    "column_shape", "norm_adjoint", "norm_tangent", "lstsq_residuals_adjoint",
    "lstsq_residuals_tangent", "apply_trans", "flipped_trans", "chain_tangent", "chain_adjoint",
    "chain_tangent2", "chain_adjoint2", "chain_adjoint_tangent", "largest_entry_mask",
    "eigenvalue_order", "take_columns", "put_columns",
]
