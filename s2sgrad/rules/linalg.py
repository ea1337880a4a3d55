"""Rules of `numpy.linalg`: det, slogdet, inv, pinv, solve, lstsq, norm, eigh, eigvalsh, eig,
eigvals, cholesky, qr, svd, matrix_power and multi_dot, on stacks of matrices (`...`) wherever
NumPy takes them; and the rules of the helpers they call (s2sgrad/runtime/linalg.py).

Every adjoint and tangent is written with calls that have rules themselves (linalg functions
included: the rule of `eigh` calls `eigh`, that of `matrix_power` calls `matrix_power` on a block
matrix), so second derivatives work, and third ones mostly do; the exceptions are listed below.
`A^-T` is the inverse transpose, `F[i, j] = 1 / (w_j - w_i)` off the diagonal (0 on it).

Conventions and limits
----------------------
* Where a derivative does not exist there is no finite answer: det, inv and solve need an
  invertible matrix; pinv and lstsq full rank (the pseudo-inverse jumps where the rank changes;
  an `rcond` / `rtol` cut-off is taken as constant); eigenvectors and singular vectors need
  distinct eigenvalues / singular values (a repeated one gives inf), and so do the second
  derivatives of the nuclear and spectral norms.
* One triangle. `eigh`, `eigvalsh` (`UPLO`), `cholesky` (`upper`), and `pinv` / `svd` with
  `hermitian=True` (through eigh: the lower triangle) read only one triangle of their argument,
  like LAPACK. The rules differentiate exactly that function: the matrix decomposed is the read
  triangle mirrored (`triangle_mirror`), so an entry of the read triangle off the diagonal gets
  its own adjoint plus that of its mirror image, and the other triangle gets zero. For a
  symmetric argument built from other values (`x @ x.T`, `(a + a.T) / 2`) the gradients of those
  values are the same as with a symmetrized convention.
* `slogdet`'s sign, `lstsq`'s rank and `norm(x, 0)` (a count) have zero derivative.
* Norms: a 2-norm's (and Frobenius norm's) gradient at 0 is 0 (norm'(0) = 0, like abs'(0) = 0);
  the max/min norms (ord inf, -inf, and the matrix norms 1, -1, inf, -inf, extrema of sums of
  |x|) split ties evenly, like np.max, with abs'(0) = 0; p-norms with p < 1 need nonzero entries.
  With `axis=None`, ord 1, 2, inf and -inf of a vector are those of the vector as one column, so
  one rule serves vectors and matrices. `ord` and `axis` written as literals select the rule when
  it is inlined; otherwise (`ord=np.inf` is a name; an axis computed at run time), and for
  `axis=None` with ord -1 or -2 (a vector or a matrix norm, depending on x), the run-time
  helpers `norm_adjoint` / `norm_tangent` decide: first derivatives only (a second derivative
  stops with an error naming the helper). (`1e999` is a literal inf.)
* `eig` / `eigvals` of a real matrix: NumPy returns real arrays when every eigenvalue is real,
  complex ones otherwise; complex values follow s2sgrad/rules/complex.py (plain transposes, and
  the real part for a real argument). Eigenvectors keep NumPy's normalization: unit length, and
  for a complex eigenvector, its entry of largest modulus real.
* `qr`: modes "reduced" and "r", m >= n. `svd`: `full_matrices=False` for rectangular matrices
  (the extra columns of full factors are not unique). `qr`'s `mode` and `svd`'s `compute_uv`
  must be literals (they change what the result is).
* `multi_dot`: the helpers of its second derivatives have no rules (third derivatives stop).
"""

import numpy as np

from ..runtime import (expand_reduced, extremum_adjoint, matmul_adjoint_lhs, matmul_adjoint_rhs,
                       unbroadcast)
from ..runtime.fft import real_like
from ..runtime.linalg import (
    apply_trans,
    as_columns,
    block_diagonal_sum,
    block_upper,
    chain_adjoint,
    chain_adjoint2,
    chain_adjoint_tangent,
    chain_tangent,
    chain_tangent2,
    column_shape,
    diagonal_matrix,
    diagonal_of,
    eigenvalue_order,
    embed_upper_right,
    flipped_trans,
    fold_hermitian,
    from_columns,
    largest_entry_mask,
    lstsq_residuals_adjoint,
    lstsq_residuals_tangent,
    matrix_axes_back,
    matrix_axes_last,
    matrix_transpose,
    norm_adjoint,
    norm_tangent,
    off_diagonal_reciprocal,
    put_columns,
    read_hermitian,
    take_columns,
    transpose_if,
    triangle_fold,
    triangle_mirror,
    triangle_part,
    upper_right_block,
)
from ..runtime.reductions import extremum_tangent
from .registry import adjoint, d, returns_containers, tangent, zero_derivative

returns_containers(np.linalg.slogdet, np.linalg.lstsq, np.linalg.eigh, np.linalg.eig,
                   np.linalg.qr, np.linalg.svd, chain_adjoint, chain_adjoint2,
                   chain_adjoint_tangent)
zero_derivative(column_shape, eigenvalue_order, largest_entry_mask, flipped_trans,
                np.linalg.matrix_rank)

# ---- determinants, inverses, linear systems -------------------------------------------------


@adjoint(np.linalg.det)
def det(z, a):
    # d det(A) = det(A) tr(A^-1 dA)
    d[a] = (d[z] * z)[..., None, None] * matrix_transpose(np.linalg.inv(a))


@tangent(np.linalg.det)
def det_tangent(z, a):
    d[z] = z * np.sum(matrix_transpose(np.linalg.inv(a)) * d[a], axis=(-2, -1))


@adjoint(np.linalg.slogdet)
def slogdet(z, a):
    # z = (sign, log|det A|): d log|det A| = tr(A^-1 dA); the sign is piecewise constant.
    d[a] = d[z][1][..., None, None] * matrix_transpose(np.linalg.inv(a))


@tangent(np.linalg.slogdet)
def slogdet_tangent(z, a):
    d[z] = (np.zeros_like(z[0]),
            np.sum(matrix_transpose(np.linalg.inv(a)) * d[a], axis=(-2, -1)))


@adjoint(np.linalg.inv)
def inv(z, a):
    # d inv(A) = -inv(A) dA inv(A)
    d[a] = -(matrix_transpose(z) @ d[z] @ matrix_transpose(z))


@tangent(np.linalg.inv)
def inv_tangent(z, a):
    d[z] = -(z @ d[a] @ z)


@adjoint(np.linalg.pinv)
def pinv(z, a, rcond=None, hermitian=False, rtol=None):
    # Golub & Pereyra, for A of full rank, P = pinv(A):
    # dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P
    # (hermitian=True decomposes the lower triangle mirrored: read_hermitian)
    d[a] = fold_hermitian(
        -(matrix_transpose(z) @ d[z] @ matrix_transpose(z))
        + (matrix_transpose(d[z]) - read_hermitian(a, hermitian) @ (z @ matrix_transpose(d[z])))
        @ (z @ matrix_transpose(z))
        + (matrix_transpose(z) @ z)
        @ (matrix_transpose(d[z]) - (matrix_transpose(d[z]) @ z) @ read_hermitian(a, hermitian)),
        hermitian)


@tangent(np.linalg.pinv)
def pinv_tangent(z, a, rcond=None, hermitian=False, rtol=None):
    da = read_hermitian(d[a], hermitian)
    d[z] = (-(z @ da @ z)
            + (z @ matrix_transpose(z))
            @ (matrix_transpose(da) - (matrix_transpose(da) @ read_hermitian(a, hermitian)) @ z)
            + (matrix_transpose(da) - z @ (read_hermitian(a, hermitian) @ matrix_transpose(da)))
            @ (matrix_transpose(z) @ z))


@adjoint(np.linalg.solve)
def solve(z, a, b):
    # x = A^-1 b: the adjoint of b is A^-T d[x], that of A is -(A^-T d[x]) x^T. A vector b is a
    # column (as_columns), and both adjoints are summed over broadcast batch dimensions.
    gb = np.linalg.solve(matrix_transpose(a), as_columns(d[z], z, a))
    d[b] = unbroadcast(from_columns(gb, z, a), b)
    d[a] = unbroadcast(-(gb @ matrix_transpose(as_columns(z, z, a))), a)


@tangent(np.linalg.solve)
def solve_tangent(z, a, b):
    # dx = A^-1 (db - dA x)
    d[z] = from_columns(np.linalg.solve(a, as_columns(d[b], z, a) - d[a] @ as_columns(z, z, a)),
                        z, a)


@adjoint(np.linalg.lstsq)
def lstsq(z, a, b, rcond=None):
    # z = (x, residuals, rank, s) with x = P b, P = pinv(A) = V S^-1 U^T from A's SVD (full
    # rank); residuals = sum((b - A x)^2, axis=0) (A^T r = 0 at the optimum, so only the explicit
    # dependence counts); s the singular values (ds = diag(U^T dA V)).
    usv = np.linalg.svd(a, full_matrices=False)
    p = (matrix_transpose(usv[2]) / usv[1][..., None, :]) @ matrix_transpose(usv[0])
    gp = matmul_adjoint_lhs(d[z][0], p, b)
    gr = lstsq_residuals_adjoint(d[z][1], b - a @ z[0])
    d[a] = (-(matrix_transpose(p) @ gp @ matrix_transpose(p))
            + (matrix_transpose(gp) - a @ (p @ matrix_transpose(gp))) @ (p @ matrix_transpose(p))
            + (matrix_transpose(p) @ p) @ (matrix_transpose(gp) - (matrix_transpose(gp) @ p) @ a)
            - matmul_adjoint_lhs(gr, a, z[0])
            + (usv[0] * d[z][3][..., None, :]) @ usv[2])
    d[b] = matmul_adjoint_rhs(d[z][0], p, b) + gr


@tangent(np.linalg.lstsq)
def lstsq_tangent(z, a, b, rcond=None):
    usv = np.linalg.svd(a, full_matrices=False)
    p = (matrix_transpose(usv[2]) / usv[1][..., None, :]) @ matrix_transpose(usv[0])
    r = b - a @ z[0]
    d[z] = ((-(p @ d[a] @ p)
             + (p @ matrix_transpose(p))
             @ (matrix_transpose(d[a]) - (matrix_transpose(d[a]) @ a) @ p)
             + (matrix_transpose(d[a]) - p @ (a @ matrix_transpose(d[a])))
             @ (matrix_transpose(p) @ p)) @ b + p @ d[b],
            lstsq_residuals_tangent(d[b] - d[a] @ z[0], r, z[1]),
            0.0,
            np.sum(usv[0] * (d[a] @ matrix_transpose(usv[2])), axis=-2))


@adjoint(np.linalg.multi_dot)
def multi_dot(z, arrays, out=None):
    d[arrays] = chain_adjoint(d[z], arrays)


@tangent(np.linalg.multi_dot)
def multi_dot_tangent(z, arrays, out=None):
    d[z] = chain_tangent(d[arrays], arrays)


@adjoint(np.linalg.matrix_power)
def matrix_power(z, a, n):
    # For f analytic (here X^n, n < 0 included), f([[A, E], [0, A]]) = [[f(A), Df(A)[E]],
    # [0, f(A)]]; the transpose of Df(A) is Df(A^T).
    d[a] = upper_right_block(np.linalg.matrix_power(block_upper(matrix_transpose(a), d[z]), n))


@tangent(np.linalg.matrix_power)
def matrix_power_tangent(z, a, n):
    d[z] = upper_right_block(np.linalg.matrix_power(block_upper(a, d[a]), n))


# ---- norms ----------------------------------------------------------------------------------
# Decided when the rule is inlined from `ord` and `axis` as written; anything else (a name, a
# vector or a matrix norm depending on x's dimension) goes to the run-time helpers.


@adjoint(np.linalg.norm)
def norm(z, x, ord=None, axis=None, keepdims=False):
    if ord is None or ord == "fro":
        # sqrt(sum(x^2)) over the axes: x / z (0 where z == 0)
        d[x] = x * expand_reduced(d[z] / np.where(z == 0.0, 1.0, z), x, axis, keepdims)
    elif ord == "nuc":
        # sum of singular values: U V^T
        usv = np.linalg.svd(matrix_axes_last(x, axis), full_matrices=False)
        d[x] = matrix_axes_back(matrix_axes_last(expand_reduced(d[z], x, axis, keepdims), axis)
                                * (usv[0] @ usv[2]), axis)
    elif isinstance(axis, int) and ord == 2:
        d[x] = x * expand_reduced(d[z] / np.where(z == 0.0, 1.0, z), x, axis, keepdims)
    elif isinstance(axis, int) and ord == 1:
        d[x] = np.sign(x) * expand_reduced(d[z], x, axis, keepdims)
    elif isinstance(axis, int) and ord == 0:
        pass    # a count of nonzero entries
    elif isinstance(axis, int) and isinstance(ord, (int, float)) and abs(ord) == float("inf"):
        d[x] = np.sign(x) * extremum_adjoint(d[z], np.abs(x), z, axis, keepdims)
    elif isinstance(axis, int) and isinstance(ord, (int, float)):
        # (sum |x|^p)^(1/p): sign(x) |x|^(p-1) / z^(p-1)
        d[x] = np.sign(x) * np.abs(x) ** (ord - 1) * expand_reduced(d[z] / z ** (ord - 1), x,
                                                                    axis, keepdims)
    elif isinstance(axis, tuple) and (ord == 2 or ord == -2):
        # the largest (smallest) singular value: its singular vectors' outer product
        usv = np.linalg.svd(matrix_axes_last(x, axis), full_matrices=False)
        if ord == 2:
            d[x] = matrix_axes_back(
                matrix_axes_last(expand_reduced(d[z], x, axis, keepdims), axis)
                * (usv[0][..., :, :1] @ usv[2][..., :1, :]), axis)
        else:
            d[x] = matrix_axes_back(
                matrix_axes_last(expand_reduced(d[z], x, axis, keepdims), axis)
                * (usv[0][..., :, -1:] @ usv[2][..., -1:, :]), axis)
    elif isinstance(axis, tuple) and (ord == 1 or ord == -1):
        # the max (min) over columns of the columns' sums of |x|
        d[x] = np.sign(x) * extremum_adjoint(d[z], np.sum(np.abs(x), axis=axis[0], keepdims=True),
                                             z, axis, keepdims)
    elif isinstance(axis, tuple) and isinstance(ord, (int, float)) \
            and abs(ord) == float("inf"):
        # the max (min) over rows of the rows' sums of |x|
        d[x] = np.sign(x) * extremum_adjoint(d[z], np.sum(np.abs(x), axis=axis[1], keepdims=True),
                                             z, axis, keepdims)
    elif axis is None and ord == 2:
        # a vector or a matrix: the spectral norm of x as a matrix (a vector is a column)
        # (0 at x == 0, where any unit vector's outer product would do)
        usv = np.linalg.svd(np.reshape(x, column_shape(x)), full_matrices=False)
        d[x] = np.reshape(d[z] * (z != 0.0) * (usv[0][..., :, :1] @ usv[2][..., :1, :]),
                          np.shape(x))
    elif axis is None and ord == 1:
        d[x] = np.reshape(np.sign(np.reshape(x, column_shape(x))) * extremum_adjoint(
            d[z], np.sum(np.abs(np.reshape(x, column_shape(x))), axis=0, keepdims=True), z,
            (0, 1), keepdims), np.shape(x))
    elif axis is None and isinstance(ord, (int, float)) and abs(ord) == float("inf"):
        d[x] = np.reshape(np.sign(np.reshape(x, column_shape(x))) * extremum_adjoint(
            d[z], np.sum(np.abs(np.reshape(x, column_shape(x))), axis=1, keepdims=True), z,
            (0, 1), keepdims), np.shape(x))
    elif axis is None and ord == 0:
        pass
    elif axis is None and isinstance(ord, (int, float)) and ord != -1 and ord != -2:
        # only vectors have these norms
        d[x] = np.sign(x) * np.abs(x) ** (ord - 1) * (d[z] / z ** (ord - 1))
    else:
        d[x] = norm_adjoint(d[z], x, z, ord, axis, keepdims)


@tangent(np.linalg.norm)
def norm_tangent_rule(z, x, ord=None, axis=None, keepdims=False):
    if ord is None or ord == "fro":
        d[z] = np.sum(x * d[x], axis=axis, keepdims=keepdims) / np.where(z == 0.0, 1.0, z)
    elif ord == "nuc":
        usv = np.linalg.svd(matrix_axes_last(x, axis), full_matrices=False)
        d[z] = np.sum(d[x] * matrix_axes_back(usv[0] @ usv[2], axis), axis=axis, keepdims=keepdims)
    elif isinstance(axis, int) and ord == 2:
        d[z] = np.sum(x * d[x], axis=axis, keepdims=keepdims) / np.where(z == 0.0, 1.0, z)
    elif isinstance(axis, int) and ord == 1:
        d[z] = np.sum(np.sign(x) * d[x], axis=axis, keepdims=keepdims)
    elif isinstance(axis, int) and ord == 0:
        d[z] = np.zeros_like(z, dtype=float)
    elif isinstance(axis, int) and isinstance(ord, (int, float)) and abs(ord) == float("inf"):
        d[z] = extremum_tangent(np.sign(x) * d[x], np.abs(x), z, axis, keepdims)
    elif isinstance(axis, int) and isinstance(ord, (int, float)):
        d[z] = np.sum(np.sign(x) * np.abs(x) ** (ord - 1) * d[x], axis=axis,
                      keepdims=keepdims) / z ** (ord - 1)
    elif isinstance(axis, tuple) and ord == 2:
        usv = np.linalg.svd(matrix_axes_last(x, axis), full_matrices=False)
        d[z] = np.sum(d[x] * matrix_axes_back(usv[0][..., :, :1] @ usv[2][..., :1, :], axis),
                      axis=axis, keepdims=keepdims)
    elif isinstance(axis, tuple) and ord == -2:
        usv = np.linalg.svd(matrix_axes_last(x, axis), full_matrices=False)
        d[z] = np.sum(d[x] * matrix_axes_back(usv[0][..., :, -1:] @ usv[2][..., -1:, :], axis),
                      axis=axis, keepdims=keepdims)
    elif isinstance(axis, tuple) and (ord == 1 or ord == -1):
        d[z] = extremum_tangent(np.sum(np.sign(x) * d[x], axis=axis[0], keepdims=True),
                                np.sum(np.abs(x), axis=axis[0], keepdims=True), z, axis, keepdims)
    elif isinstance(axis, tuple) and isinstance(ord, (int, float)) \
            and abs(ord) == float("inf"):
        d[z] = extremum_tangent(np.sum(np.sign(x) * d[x], axis=axis[1], keepdims=True),
                                np.sum(np.abs(x), axis=axis[1], keepdims=True), z, axis, keepdims)
    elif axis is None and ord == 2:
        usv = np.linalg.svd(np.reshape(x, column_shape(x)), full_matrices=False)
        d[z] = np.reshape(np.sum(np.reshape(d[x], column_shape(x))
                                 * (usv[0][..., :, :1] @ usv[2][..., :1, :])), np.shape(z)) \
            * (z != 0.0)
    elif axis is None and ord == 1:
        d[z] = extremum_tangent(
            np.sum(np.sign(np.reshape(x, column_shape(x))) * np.reshape(d[x], column_shape(x)),
                   axis=0, keepdims=True),
            np.sum(np.abs(np.reshape(x, column_shape(x))), axis=0, keepdims=True), z, (0, 1),
            keepdims)
    elif axis is None and isinstance(ord, (int, float)) and abs(ord) == float("inf"):
        d[z] = extremum_tangent(
            np.sum(np.sign(np.reshape(x, column_shape(x))) * np.reshape(d[x], column_shape(x)),
                   axis=1, keepdims=True),
            np.sum(np.abs(np.reshape(x, column_shape(x))), axis=1, keepdims=True), z, (0, 1),
            keepdims)
    elif axis is None and ord == 0:
        d[z] = np.zeros_like(z, dtype=float)
    elif axis is None and isinstance(ord, (int, float)) and ord != -1 and ord != -2:
        d[z] = np.sum(np.sign(x) * np.abs(x) ** (ord - 1) * d[x], keepdims=keepdims) \
            / z ** (ord - 1)
    else:
        d[z] = norm_tangent(d[x], x, z, ord, axis, keepdims)


# ---- symmetric eigenproblems, Cholesky ------------------------------------------------------


@adjoint(np.linalg.eigh)
def eigh(z, a, UPLO="L"):
    # A = V diag(w) V^T: dw = diag(V^T dA V), dV = V (F * (V^T dA V)) with F[i, j] = 1/(w_j - w_i)
    # off the diagonal; dA is the tangent of the read triangle, mirrored.
    w = z[0]
    v = z[1]
    f = off_diagonal_reciprocal(w[..., None, :] - w[..., :, None])
    d[a] = triangle_fold(
        v @ (diagonal_matrix(d[z][0]) + f * (matrix_transpose(v) @ d[z][1])) @ matrix_transpose(v),
        UPLO)


@tangent(np.linalg.eigh)
def eigh_tangent(z, a, UPLO="L"):
    w = z[0]
    v = z[1]
    c = matrix_transpose(v) @ triangle_mirror(d[a], UPLO) @ v
    d[z] = (diagonal_of(c), v @ (off_diagonal_reciprocal(w[..., None, :] - w[..., :, None]) * c))


@adjoint(np.linalg.eigvalsh)
def eigvalsh(z, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[a] = triangle_fold((v * d[z][..., None, :]) @ matrix_transpose(v), UPLO)


@tangent(np.linalg.eigvalsh)
def eigvalsh_tangent(z, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[z] = np.sum(v * (triangle_mirror(d[a], UPLO) @ v), axis=-2)


@adjoint(np.linalg.cholesky)
def cholesky(z, a, upper=False):
    # A = L L^T: dL = L Phi(L^-1 dA L^-T), Phi = lower triangle with half the diagonal (the mean
    # of the triangle with and without it); its transpose: L^-T Phi(L^T dL) L^-1, folded onto the
    # read triangle. upper=True returns U = L^T and reads the upper triangle.
    if upper is False:
        p = matrix_transpose(z) @ d[z]
        p = 0.5 * (triangle_part(p, True) + triangle_part(p, True, True))
        d[a] = triangle_fold(matrix_transpose(np.linalg.solve(
            matrix_transpose(z), matrix_transpose(np.linalg.solve(matrix_transpose(z), p)))), "L")
    else:
        lo = transpose_if(z, upper)
        p = matrix_transpose(lo) @ transpose_if(d[z], upper)
        p = 0.5 * (triangle_part(p, True) + triangle_part(p, True, True))
        d[a] = triangle_fold(matrix_transpose(np.linalg.solve(
            matrix_transpose(lo), matrix_transpose(np.linalg.solve(matrix_transpose(lo), p)))),
            "U" if upper else "L")


@tangent(np.linalg.cholesky)
def cholesky_tangent(z, a, upper=False):
    if upper is False:
        m = np.linalg.solve(z, matrix_transpose(np.linalg.solve(z, triangle_mirror(d[a], "L"))))
        d[z] = z @ (0.5 * (triangle_part(m, True) + triangle_part(m, True, True)))
    else:
        lo = transpose_if(z, upper)
        m = np.linalg.solve(lo, matrix_transpose(np.linalg.solve(
            lo, triangle_mirror(d[a], "U" if upper else "L"))))
        d[z] = transpose_if(lo @ (0.5 * (triangle_part(m, True) + triangle_part(m, True, True))),
                            upper)


# ---- general eigenproblems ------------------------------------------------------------------


@adjoint(np.linalg.eig)
def eig(z, a):
    # A = V diag(w) V^-1: with C = V^-1 dA V, dw = diag(C) and dV = V (F * C), F[i, j] =
    # 1/(w_j - w_i) off the diagonal; then the columns are kept of unit length (their component
    # along themselves is removed) and, for complex eigenvectors, with their largest entry real
    # (a rotation i theta v_k). The transpose (no conjugation, complex.py) undoes these in reverse
    # order, then gives V^-T (diag(d[w]) + F * (V^T d[V])) V^T.
    m = largest_entry_mask(z[1])
    gv = real_like(d[z][1] - 1j * m * (np.imag(np.sum(d[z][1] * z[1], axis=-2))
                                       / np.real(np.sum(m * z[1], axis=-2)))[..., None, :], z[1])
    gv = gv - np.conj(z[1]) * np.real(np.sum(gv * z[1], axis=-2))[..., None, :]
    d[a] = real_like(np.linalg.solve(matrix_transpose(z[1]), (
        diagonal_matrix(d[z][0]) + off_diagonal_reciprocal(z[0][..., None, :] - z[0][..., :, None])
        * (matrix_transpose(z[1]) @ gv)) @ matrix_transpose(z[1])), a)


@tangent(np.linalg.eig)
def eig_tangent(z, a):
    m = largest_entry_mask(z[1])
    c = np.linalg.solve(z[1], d[a] @ z[1])
    dv = z[1] @ (off_diagonal_reciprocal(z[0][..., None, :] - z[0][..., :, None]) * c)
    dv = dv - z[1] * np.real(np.sum(np.conj(z[1]) * dv, axis=-2))[..., None, :]
    d[z] = (diagonal_of(c),
            real_like(dv - 1j * z[1] * (np.imag(np.sum(m * dv, axis=-2))
                                        / np.real(np.sum(m * z[1], axis=-2)))[..., None, :], z[1]))


@adjoint(np.linalg.eigvals)
def eigvals(z, a):
    # the eigenvectors of np.linalg.eig, in the order of z
    e = np.linalg.eig(a)
    v = take_columns(e[1], eigenvalue_order(z, e[0]))
    d[a] = real_like(np.linalg.solve(matrix_transpose(v), d[z][..., :, None] * matrix_transpose(v)),
                     a)


@tangent(np.linalg.eigvals)
def eigvals_tangent(z, a):
    e = np.linalg.eig(a)
    v = take_columns(e[1], eigenvalue_order(z, e[0]))
    d[z] = diagonal_of(np.linalg.solve(v, d[a] @ v))


# ---- QR, SVD --------------------------------------------------------------------------------


@adjoint(np.linalg.qr)
def qr(z, a, mode="reduced"):
    # A = Q R (m >= n): with M = R dR^T - dQ^T Q (adjoints), the adjoint of A is
    # (dQ + Q copyltu(M)) R^-T, copyltu(M) the lower triangle mirrored (triangle_mirror).
    if mode == "r":
        d[a] = matrix_transpose(np.linalg.solve(z, matrix_transpose(np.linalg.qr(a)[0] @ (
            triangle_mirror(z @ matrix_transpose(d[z]), True)))))
    else:
        d[a] = matrix_transpose(np.linalg.solve(z[1], matrix_transpose(
            d[z][0] + z[0] @ triangle_mirror(
                z[1] @ matrix_transpose(d[z][1]) - matrix_transpose(d[z][0]) @ z[0], True))))


@tangent(np.linalg.qr)
def qr_tangent(z, a, mode="reduced"):
    # C = Q^T dA R^-1 = Omega + dR R^-1 with Omega skew and dR R^-1 upper triangular:
    # C - Omega = triu(C) + tril(C, -1)^T (triangle_fold onto the upper triangle),
    # dR = (C - Omega) R, dQ = (dA - Q dR) R^-1.
    if mode == "r":
        d[z] = triangle_fold(matrix_transpose(np.linalg.qr(a)[0]) @ d[a] @ np.linalg.inv(z),
                             "U") @ z
    else:
        dr = triangle_fold(matrix_transpose(z[0]) @ d[a] @ np.linalg.inv(z[1]), "U") @ z[1]
        d[z] = ((d[a] - z[0] @ dr) @ np.linalg.inv(z[1]), dr)


@adjoint(np.linalg.svd)
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    # A = U S V^T (Townsend, "Differentiating the singular value decomposition"), with
    # F[i, j] = 1/(s_j^2 - s_i^2) off the diagonal:
    # U [(F * (U^T dU - dU^T U)) S + diag(ds) + S (F * (V^T dV - dV^T V))] V^T
    #   + (I - U U^T) dU S^-1 V^T + U S^-1 dV^T (I - V V^T)
    # (hermitian=True decomposes the lower triangle mirrored: read_hermitian)
    if compute_uv is False:
        usv = np.linalg.svd(a, full_matrices=False, hermitian=hermitian)
        d[a] = fold_hermitian((usv[0] * d[z][..., None, :]) @ usv[2], hermitian)
    else:
        u = z[0]
        s = z[1]
        vh = z[2]
        f = off_diagonal_reciprocal(s[..., None, :] ** 2 - s[..., :, None] ** 2)
        gu = d[z][0]
        gvh = d[z][2]
        d[a] = fold_hermitian(
            u @ (f * (matrix_transpose(u) @ gu - matrix_transpose(gu) @ u) * s[..., None, :]
                 + diagonal_matrix(d[z][1])
                 + s[..., :, None] * f * (vh @ matrix_transpose(gvh) - gvh @ matrix_transpose(vh)))
            @ vh
            + ((gu - u @ (matrix_transpose(u) @ gu)) / s[..., None, :]) @ vh
            + (u / s[..., None, :]) @ (gvh - (gvh @ matrix_transpose(vh)) @ vh), hermitian)


@tangent(np.linalg.svd)
def svd_tangent(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    # With P = U^T dA V: ds = diag(P), dU = U (F * (P S + S P^T)) + (I - U U^T) dA V S^-1,
    # dV = V (F * (S P + P^T S)) + (I - V V^T) dA^T U S^-1.
    da = read_hermitian(d[a], hermitian)
    if compute_uv is False:
        usv = np.linalg.svd(a, full_matrices=False, hermitian=hermitian)
        d[z] = np.sum(usv[0] * (da @ matrix_transpose(usv[2])), axis=-2)
    else:
        u = z[0]
        s = z[1]
        vh = z[2]
        f = off_diagonal_reciprocal(s[..., None, :] ** 2 - s[..., :, None] ** 2)
        p = matrix_transpose(u) @ da @ matrix_transpose(vh)
        d[z] = (u @ (f * (p * s[..., None, :] + s[..., :, None] * matrix_transpose(p)))
                + (da @ matrix_transpose(vh) - u @ p) / s[..., None, :],
                diagonal_of(p),
                matrix_transpose(
                    matrix_transpose(vh) @ (f * (s[..., :, None] * p
                                                 + matrix_transpose(p) * s[..., None, :]))
                    + (matrix_transpose(da) @ u
                       - matrix_transpose(vh) @ (vh @ (matrix_transpose(da) @ u)))
                    / s[..., None, :]))


# =================================================================================================
# Rules of the helpers (s2sgrad/runtime/linalg.py), for derivatives of derivatives
# =================================================================================================
# The linear helpers come in transposed pairs: each one's adjoint applies the other.


@adjoint(matrix_transpose)
def matrix_transpose_adjoint(z, x):
    d[x] = matrix_transpose(d[z])


@tangent(matrix_transpose)
def matrix_transpose_tangent(z, x):
    d[z] = matrix_transpose(d[x])


@adjoint(transpose_if)
def transpose_if_adjoint(z, m, flag):
    d[m] = transpose_if(d[z], flag)


@tangent(transpose_if)
def transpose_if_tangent(z, m, flag):
    d[z] = transpose_if(d[m], flag)


@adjoint(diagonal_of)
def diagonal_of_adjoint(z, m):
    d[m] = diagonal_matrix(d[z])


@tangent(diagonal_of)
def diagonal_of_tangent(z, m):
    d[z] = diagonal_of(d[m])


@adjoint(diagonal_matrix)
def diagonal_matrix_adjoint(z, v):
    d[v] = unbroadcast(diagonal_of(d[z]), v)


@tangent(diagonal_matrix)
def diagonal_matrix_tangent(z, v):
    d[z] = diagonal_matrix(d[v])


@adjoint(triangle_part)
def triangle_part_adjoint(z, m, lower, strict=False):
    d[m] = triangle_part(d[z], lower, strict)


@tangent(triangle_part)
def triangle_part_tangent(z, m, lower, strict=False):
    d[z] = triangle_part(d[m], lower, strict)


@adjoint(triangle_mirror)
def triangle_mirror_adjoint(z, a, lower):
    d[a] = triangle_fold(d[z], lower)


@tangent(triangle_mirror)
def triangle_mirror_tangent(z, a, lower):
    d[z] = triangle_mirror(d[a], lower)


@adjoint(triangle_fold)
def triangle_fold_adjoint(z, g, lower):
    d[g] = triangle_mirror(d[z], lower)


@tangent(triangle_fold)
def triangle_fold_tangent(z, g, lower):
    d[z] = triangle_fold(d[g], lower)


@adjoint(read_hermitian)
def read_hermitian_adjoint(z, a, hermitian):
    d[a] = fold_hermitian(d[z], hermitian)


@tangent(read_hermitian)
def read_hermitian_tangent(z, a, hermitian):
    d[z] = read_hermitian(d[a], hermitian)


@adjoint(fold_hermitian)
def fold_hermitian_adjoint(z, g, hermitian):
    d[g] = read_hermitian(d[z], hermitian)


@tangent(fold_hermitian)
def fold_hermitian_tangent(z, g, hermitian):
    d[z] = fold_hermitian(d[g], hermitian)


@adjoint(off_diagonal_reciprocal)
def off_diagonal_reciprocal_adjoint(z, e):
    d[e] = -d[z] * z * z       # zero on the diagonal, which z is


@tangent(off_diagonal_reciprocal)
def off_diagonal_reciprocal_tangent(z, e):
    d[z] = -d[e] * z * z


@adjoint(as_columns)
def as_columns_adjoint(r, v, z, a):
    d[v] = from_columns(d[r], z, a)


@tangent(as_columns)
def as_columns_tangent(r, v, z, a):
    d[r] = as_columns(d[v], z, a)


@adjoint(from_columns)
def from_columns_adjoint(r, m, z, a):
    d[m] = as_columns(d[r], z, a)


@tangent(from_columns)
def from_columns_tangent(r, m, z, a):
    d[r] = from_columns(d[m], z, a)


@adjoint(block_upper)
def block_upper_adjoint(z, a, e):
    d[a] = unbroadcast(block_diagonal_sum(d[z]), a)
    d[e] = unbroadcast(upper_right_block(d[z]), e)


@tangent(block_upper)
def block_upper_tangent(z, a, e):
    d[z] = block_upper(d[a], d[e])


@adjoint(upper_right_block)
def upper_right_block_adjoint(z, m):
    d[m] = embed_upper_right(d[z], m)


@tangent(upper_right_block)
def upper_right_block_tangent(z, m):
    d[z] = upper_right_block(d[m])


@adjoint(embed_upper_right)
def embed_upper_right_adjoint(z, g, m):
    d[g] = unbroadcast(upper_right_block(d[z]), g)


@tangent(embed_upper_right)
def embed_upper_right_tangent(z, g, m):
    d[z] = embed_upper_right(d[g], m)


@adjoint(block_diagonal_sum)
def block_diagonal_sum_adjoint(z, g):
    d[g] = block_upper(d[z], 0.0)


@tangent(block_diagonal_sum)
def block_diagonal_sum_tangent(z, g):
    d[z] = block_diagonal_sum(d[g])


@adjoint(matrix_axes_last)
def matrix_axes_last_adjoint(z, x, axes):
    d[x] = matrix_axes_back(d[z], axes)


@tangent(matrix_axes_last)
def matrix_axes_last_tangent(z, x, axes):
    d[z] = matrix_axes_last(d[x], axes)


@adjoint(matrix_axes_back)
def matrix_axes_back_adjoint(z, m, axes):
    d[m] = matrix_axes_last(d[z], axes)


@tangent(matrix_axes_back)
def matrix_axes_back_tangent(z, m, axes):
    d[z] = matrix_axes_back(d[m], axes)


@adjoint(take_columns)
def take_columns_adjoint(z, v, p):
    d[v] = put_columns(d[z], p)


@tangent(take_columns)
def take_columns_tangent(z, v, p):
    d[z] = take_columns(d[v], p)


@adjoint(put_columns)
def put_columns_adjoint(z, g, p):
    d[g] = take_columns(d[z], p)


@tangent(put_columns)
def put_columns_tangent(z, g, p):
    d[z] = put_columns(d[g], p)


@adjoint(apply_trans)
def apply_trans_adjoint(z, m, trans):
    d[m] = apply_trans(d[z], trans)


@tangent(apply_trans)
def apply_trans_tangent(z, m, trans):
    d[z] = apply_trans(d[m], trans)


# lstsq's residual helpers: 2 r g and 2 sum(r dr) are bilinear, each the other's transpose.


@adjoint(lstsq_residuals_adjoint)
def lstsq_residuals_adjoint_adjoint(z, g, r):
    d[g] = lstsq_residuals_tangent(d[z], r, g)
    d[r] = lstsq_residuals_adjoint(g, d[z])


@tangent(lstsq_residuals_adjoint)
def lstsq_residuals_adjoint_tangent(z, g, r):
    d[z] = lstsq_residuals_adjoint(d[g], r) + lstsq_residuals_adjoint(g, d[r])


@adjoint(lstsq_residuals_tangent)
def lstsq_residuals_tangent_adjoint(z, dr, r, residuals):
    d[dr] = lstsq_residuals_adjoint(d[z], r)
    d[r] = lstsq_residuals_adjoint(d[z], dr)


@tangent(lstsq_residuals_tangent)
def lstsq_residuals_tangent_tangent(z, dr, r, residuals):
    d[z] = lstsq_residuals_tangent(d[dr], r, residuals) + lstsq_residuals_tangent(dr, d[r],
                                                                                  residuals)


# multi_dot's chains: chain_tangent is linear in the tangents and multilinear in the arrays;
# chain_adjoint is its transpose. Their own derivatives (chain_tangent2, chain_adjoint2,
# chain_adjoint_tangent) have no rules: third derivatives stop there.


@adjoint(chain_tangent)
def chain_tangent_adjoint(z, tangents, arrays):
    d[tangents] = chain_adjoint(d[z], arrays)
    d[arrays] = chain_adjoint2(d[z], tangents, arrays)


@tangent(chain_tangent)
def chain_tangent_tangent(z, tangents, arrays):
    d[z] = chain_tangent(d[tangents], arrays) + chain_tangent2(tangents, d[arrays], arrays)


@adjoint(chain_adjoint)
def chain_adjoint_adjoint(z, g, arrays):
    d[g] = chain_tangent(d[z], arrays)
    d[arrays] = chain_adjoint2(g, d[z], arrays)


@tangent(chain_adjoint)
def chain_adjoint_tangent_rule(z, g, arrays):
    d[z] = chain_adjoint_tangent(d[g], g, d[arrays], arrays)
