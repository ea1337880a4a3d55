"""Rules of `scipy.linalg`: `expm` and `solve_triangular` (loaded when SciPy is imported).

* `expm(A)`: the Frechet derivative by the block-matrix identity
  expm([[A, E], [0, A]]) = [[expm(A), L(A, E)], [0, expm(A)]]; the transpose of E -> L(A, E) is
  E -> L(A^T, E). Both call `expm` again, so derivatives of every order work. Stacks of matrices
  (`...`) as SciPy takes them.
* `solve_triangular(a, b, trans, lower, unit_diagonal)`: solves op(T) x = b for the triangle T of
  `a` that SciPy reads (`lower`; with `unit_diagonal`, ones on the diagonal), op(T) = T or T^T
  (`trans` 0/"N", 1/"T", 2/"C": real matrices). Only the read entries of `a` get adjoints:
  dx = op(T)^-1 (db - op(dT) x); the adjoint of b is op(T)^-T d[x], that of T is
  -op^T(adjoint(b) x^T) on the read triangle. `b` is a vector or a matrix.
"""

import scipy.linalg

from ..runtime import matmul_adjoint_lhs
from ..runtime.linalg import (apply_trans, block_upper, flipped_trans, matrix_transpose,
                              triangle_part, upper_right_block)
from .registry import adjoint, d, tangent


@adjoint(scipy.linalg.expm)
def expm(z, A):
    d[A] = upper_right_block(scipy.linalg.expm(block_upper(matrix_transpose(A), d[z])))


@tangent(scipy.linalg.expm)
def expm_tangent(z, A):
    d[z] = upper_right_block(scipy.linalg.expm(block_upper(A, d[A])))


@adjoint(scipy.linalg.solve_triangular)
def solve_triangular(z, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    gb = scipy.linalg.solve_triangular(a, d[z], flipped_trans(trans), lower, unit_diagonal)
    d[b] = gb
    d[a] = -triangle_part(apply_trans(matmul_adjoint_lhs(gb, a, z), trans), lower, unit_diagonal)


@tangent(scipy.linalg.solve_triangular)
def solve_triangular_tangent(z, a, b, trans=0, lower=False, unit_diagonal=False,
                             overwrite_b=False, check_finite=True):
    d[z] = scipy.linalg.solve_triangular(
        a, d[b] - apply_trans(triangle_part(d[a], lower, unit_diagonal), trans) @ z, trans, lower,
        unit_diagonal)
