"""Run-time support for s2sgrad.

This module holds the helpers called by generated derivative code; each is
plain NumPy, cheap on the fast path, and reads like the math.

The code that s2sgrad emits for a function's derivative is ordinary Python.
Whenever an adjoint needs more than one obvious NumPy expression (undoing
broadcasting, the transpose rules of ``matmul`` and ``dot``, the product rule
of ``prod``, scattering into an index, ...) the generated code calls one of
the functions below instead of inlining it.

Conventions used throughout:

* ``g`` is the incoming adjoint (cotangent) of a primal result.
* ``x``, ``a``, ``b`` and ``z`` are primal values: Python numbers, NumPy
  scalars, 0-d arrays or arrays of any shape.
* Every helper returns an adjoint with the shape of the primal it belongs to.
* Helpers put the common case first and return as early as they can, because
  they run inside hot gradient code.  They never loop over elements in
  Python; loops over axes (a handful of iterations) are the most they do.
* For complex values the adjoints are the plain transposes of the linear
  maps (no complex conjugation); the calling convention for complex inputs
  is decided by the compiler, not here.
"""

from ._common import NonScalarOutput
from .broadcasting import broadcast_like, expand_reduced, shape_of, sum_to_shape, unbroadcast
from . import containers
from .inplace import copy_of, is_array, owned, same_object
from .products import dot_adjoint_lhs, dot_adjoint_rhs, matmul_adjoint_lhs, matmul_adjoint_rhs
from .reductions import extremum_adjoint, prod_adjoint
from .variables import accumulate_variable_adjoint, read_variable
from .values import (digamma, finalize_grad, index_adjoint, scalar_seed, stop_gradient,
                     zeros_like)

__all__ = [
    "accumulate_variable_adjoint",
    "read_variable",
    "NonScalarOutput",
    "containers",
    "unbroadcast",
    "shape_of",
    "sum_to_shape",
    "broadcast_like",
    "expand_reduced",
    "matmul_adjoint_lhs",
    "matmul_adjoint_rhs",
    "dot_adjoint_lhs",
    "dot_adjoint_rhs",
    "prod_adjoint",
    "extremum_adjoint",
    "index_adjoint",
    "zeros_like",
    "finalize_grad",
    "scalar_seed",
    "digamma",
    "stop_gradient",
    "copy_of",
    "is_array",
    "owned",
    "same_object",
]
