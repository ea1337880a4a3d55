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

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

import numpy as np

__all__ = [
    "NonScalarOutput",
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
]

Axis = Optional[Union[int, Tuple[int, ...]]]


class NonScalarOutput(Exception):
    """Raised by :func:`scalar_seed` when ``grad`` meets a non-scalar output.

    The API layer catches it and re-raises a user-facing error that points at
    the user's code; ``shape`` is the shape of the offending output.
    """

    def __init__(self, shape: Tuple[int, ...]) -> None:
        self.shape = tuple(shape)
        super().__init__(
            f"grad requires a scalar output, but the function returned a "
            f"value of shape {self.shape}"
        )


# ---------------------------------------------------------------------------
# Small internal helpers
# ---------------------------------------------------------------------------


def _normalize_axes(axis: Axis, ndim: int) -> Tuple[int, ...]:
    """Return ``axis`` as a sorted tuple of non-negative axis numbers.

    ``None`` means every axis.  Out-of-range axes raise ``ValueError``.
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        if ndim == 0 and axis in (0, -1):
            # NumPy lets reductions of a 0-d array name axis 0 (or -1).
            return ()
        axes: Tuple[int, ...] = (axis,)
    else:
        axes = tuple(axis)
    normalized = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise ValueError(f"axis {ax} is out of bounds for an array of dimension {ndim}")
        normalized.append(ax % ndim)
    return tuple(sorted(normalized))


def _shape(value: Any) -> Tuple[int, ...]:
    """``np.shape``, without its cost (~1 µs) for Python floats and NumPy values."""
    if type(value) is float or type(value) is int:
        return ()
    try:
        return value.shape
    except AttributeError:
        return np.shape(value)


def _swap_last_two(a: np.ndarray) -> np.ndarray:
    """Transpose the two trailing (matrix) axes of a stack of matrices."""
    return np.swapaxes(a, -1, -2)


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a gradient for values of ``dtype`` is stored in.

    Floating and complex dtypes are kept; anything else (ints, bools) gets
    float64, because a derivative is not an integer.
    """
    if dtype.kind in "fc":
        return dtype
    return np.dtype(np.float64)


# ---------------------------------------------------------------------------
# Broadcasting and reductions
# ---------------------------------------------------------------------------


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x``, undoing NumPy broadcasting.

    If ``x`` was broadcast to produce a value whose adjoint is ``g``, the
    adjoint of ``x`` is ``g`` summed over the leading axes that broadcasting
    added and over the axes where ``x`` has length 1 but ``g`` does not.
    A scalar (or 0-d) ``x`` receives the total sum.  The dtype of ``g`` is
    kept.  If ``g`` is smaller than ``x`` along some axis it is broadcast up.
    """
    if type(g) is float and (type(x) is float or type(x) is int):
        return g  # scalar code: the common case in Python loops, decided in two type tests
    return sum_to_shape(g, _shape(x))


def shape_of(x: Any) -> Tuple[int, ...]:
    """The shape of ``x`` (what a loop records of a value the adjoint needs only the shape of)."""
    return _shape(x)


def sum_to_shape(g: Any, target: Tuple[int, ...]) -> Any:
    """:func:`unbroadcast` to a recorded shape ``target`` rather than to a value's shape."""
    shape = _shape(g)
    if shape == target:
        return g
    g = np.asarray(g)
    extra = len(shape) - len(target)
    if extra >= 0:
        kept = tuple(i + extra for i, n in enumerate(target) if n == 1 and shape[i + extra] != 1)
        dtype = None if g.dtype == np.bool_ else g.dtype
        if not kept:   # only leading axes: one reduction, and a fresh array (no reshaped view)
            g = np.add.reduce(g, axis=tuple(range(extra)), dtype=dtype)
        else:
            g = np.add.reduce(g, axis=tuple(range(extra)) + kept, dtype=dtype, keepdims=True)
            if extra:
                g = g.reshape(g.shape[extra:])
    if g.shape != target:  # g was smaller than x along some axis
        g = np.broadcast_to(g, target)
    return g


_MATERIALIZE_LIMIT = 1 << 16  # elements; larger adjoints stay broadcast views


def broadcast_like(g: Any, x: Any) -> Any:
    """``g``, which broadcasts against ``x``, expanded to ``x``'s shape.

    The adjoint of a reduction. Small results are materialized (filling a fresh array costs a
    fraction of ``np.broadcast_to``'s Python overhead); large ones are read-only broadcast views,
    which cost no memory.
    """
    shape = _shape(x)
    if _shape(g) == shape:
        return g
    if np.size(x) > _MATERIALIZE_LIMIT:
        return np.broadcast_to(g, shape)
    out = np.empty(shape, dtype=np.result_type(g))
    out[...] = g
    return out


def expand_reduced(g: Any, x: Any, axis: Axis, keepdims: bool) -> Any:
    """Reshape the adjoint of a reduction so it broadcasts against ``x``.

    ``g`` is the adjoint of ``reduce(x, axis, keepdims=keepdims)``.  The
    reduced axes are re-inserted as length-1 axes, so ``g`` lines up with
    ``x``; it is not broadcast to the full shape of ``x``.
    """
    if keepdims or axis is None:
        return g
    axes = _normalize_axes(axis, np.ndim(x))
    if not axes:
        return g
    return np.expand_dims(g, axes)


# ---------------------------------------------------------------------------
# matmul and dot
# ---------------------------------------------------------------------------


def matmul_adjoint_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of ``z = a @ b`` with respect to ``a`` (``np.matmul`` rules)."""
    if getattr(a, "ndim", 0) == 2 and getattr(b, "ndim", 0) == 2:
        return g @ b.T
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
    if getattr(a, "ndim", 0) == 2 and getattr(b, "ndim", 0) == 2:
        return a.T @ g
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
    if getattr(a, "ndim", 0) == 2 and getattr(b, "ndim", 0) == 2:
        return g @ b.T
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
    if getattr(a, "ndim", 0) == 2 and getattr(b, "ndim", 0) == 2:
        return a.T @ g
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


# ---------------------------------------------------------------------------
# prod, max / min
# ---------------------------------------------------------------------------


def _exclusive_products(x: np.ndarray) -> np.ndarray:
    """Product of all *other* entries along the last axis, for every entry.

    Built from exclusive cumulative products from the left and from the
    right, so it needs no division and is exact in the presence of zeros.
    The last axis must have length at least 1.
    """
    left = np.empty_like(x)
    left[..., 0] = 1
    np.cumprod(x[..., :-1], axis=-1, out=left[..., 1:])

    right_reversed = np.empty_like(x)
    right_reversed[..., 0] = 1
    np.cumprod(x[..., :0:-1], axis=-1, out=right_reversed[..., 1:])

    return left * right_reversed[..., ::-1]


def _products_of_others(x: np.ndarray, axes: Tuple[int, ...]) -> np.ndarray:
    """For each entry, the product of the other entries in its reduced slice.

    The reduced ``axes`` are moved to the end and flattened into one axis,
    the exclusive products are taken along it, and the layout is restored.
    """
    ndim = x.ndim
    trailing = tuple(range(ndim - len(axes), ndim))
    moved = np.moveaxis(x, axes, trailing)
    kept_shape = moved.shape[: ndim - len(axes)]
    flat = moved.reshape(kept_shape + (-1,))
    others = _exclusive_products(flat).reshape(moved.shape)
    return np.moveaxis(others, trailing, axes)


def prod_adjoint(g: Any, x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Adjoint of ``z = np.prod(x, axis, keepdims=keepdims)`` w.r.t. ``x``.

    The partial derivative of a product with respect to one factor is the
    product of all the other factors in the same reduced slice.  That is
    computed without dividing by ``x``, so zeros (one or several) are fine.
    """
    x = np.asarray(x)
    if x.size == 0:
        return np.zeros(x.shape, dtype=np.result_type(g, x, np.float64))
    g = expand_reduced(g, x, axis, keepdims)
    if axis is None or x.ndim == 0:
        others = _exclusive_products(x.reshape(-1)).reshape(x.shape)
    else:
        others = _products_of_others(x, _normalize_axes(axis, x.ndim))
    return g * others


def extremum_adjoint(g: Any, x: Any, z: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Adjoint of ``z = np.max(x, axis, keepdims=keepdims)`` (or ``np.min``).

    The adjoint goes to the elements equal to the extremum; when several
    elements tie, it is split evenly among them.
    """
    g = expand_reduced(g, x, axis, keepdims)
    z = expand_reduced(z, x, axis, keepdims)
    is_extremum = np.equal(x, z)
    count_axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    dtype = _float_dtype(np.result_type(g))  # count ties in g's dtype: float32 stays float32
    tie_count = np.add.reduce(is_extremum, axis=count_axes, keepdims=True, dtype=dtype)
    return (g / tie_count) * is_extremum


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------


def _is_unique_index_part(part: Any) -> bool:
    """True if this piece of an index can never select an element twice."""
    if part is None or part is Ellipsis:
        return True
    if isinstance(part, (int, np.integer, slice, bool, np.bool_)):
        return True
    return isinstance(part, np.ndarray) and part.dtype == np.bool_


def _index_selects_each_element_once(index: Any) -> bool:
    """True if ``x[index]`` cannot contain the same element of ``x`` twice.

    Basic indices (ints, slices, ``None``, ``...``) and boolean masks are
    repetition-free; integer arrays and lists may repeat, so they are not.
    """
    if isinstance(index, tuple):
        return all(_is_unique_index_part(part) for part in index)
    return _is_unique_index_part(index)


def index_adjoint(g: Any, x: Any, index: Any) -> np.ndarray:
    """Adjoint of ``z = x[index]`` with respect to ``x``.

    ``g`` is scattered into a zero array shaped like ``x``.  Integer-array
    indices may select the same element several times, so their
    contributions are accumulated with ``np.add.at``; every other index is
    written with a plain (much faster) assignment.
    """
    dtype = _float_dtype(np.result_type(g, x))
    result = np.zeros(np.shape(x), dtype=dtype)
    if _index_selects_each_element_once(index):
        result[index] = g
    else:
        np.add.at(result, index, g)
    return result


# ---------------------------------------------------------------------------
# Gradient containers: zeros, final conversion, seeds
# ---------------------------------------------------------------------------


def zeros_like(x: Any) -> Any:
    """A zero gradient shaped like ``x``.

    Python numbers give ``0.0`` (``0j`` for complex), NumPy scalars give a
    zero of the same floating or complex type, arrays give a zero array of
    the same shape; integer and boolean types get float64 zeros.
    """
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            return np.zeros_like(x)
        return np.zeros(x.shape, dtype=np.float64)
    if isinstance(x, np.generic):
        return _float_dtype(x.dtype).type(0)
    if isinstance(x, complex):
        return 0j
    if isinstance(x, (int, float)):
        return 0.0
    return np.zeros(np.shape(x), dtype=_float_dtype(np.asarray(x).dtype))


def _needs_copy(g: np.ndarray, x: np.ndarray) -> bool:
    """True if handing ``g`` to the user could let them corrupt other data.

    That is the case for read-only arrays, for views with repeated elements
    (zero strides, e.g. from broadcasting) and for anything that may share
    memory with the primal input ``x`` itself.
    """
    if not g.flags.writeable:
        return True
    if any(stride == 0 and length > 1 for stride, length in zip(g.strides, g.shape)):
        return True
    return np.may_share_memory(g, x)


def finalize_grad(g: Any, x: Any) -> Any:
    """Convert a computed gradient to the type, shape and dtype of ``x``.

    * Python ``float``/``int``/``bool`` input: a Python ``float``
      (``complex`` input: a Python ``complex``).
    * NumPy scalar input: a NumPy scalar of the same floating/complex type
      (integer scalars give ``np.float64``).
    * Array input: a writeable array with ``x``'s shape and floating dtype.
      ``g`` is returned as is when it already qualifies; otherwise it is
      broadcast to ``x``'s shape (a scalar zero becomes a full array) and/or
      copied.

    ``None`` (no gradient reached ``x``) is treated as zero.  A complex
    gradient for a real input is reduced to its real part.
    """
    if g is None:
        g = 0.0
    if isinstance(x, np.ndarray):
        return _finalize_array(g, x)
    if isinstance(x, np.generic):
        dtype = _float_dtype(x.dtype)
        if dtype.kind != "c":
            g = np.real(g)
        return dtype.type(g)
    if isinstance(x, complex):
        return complex(g)
    if isinstance(x, (int, float)):
        return float(np.real(g))
    return _finalize_array(g, np.asarray(x))


def _finalize_array(g: Any, x: np.ndarray) -> np.ndarray:
    """The array case of :func:`finalize_grad`."""
    dtype = _float_dtype(x.dtype)
    if type(g) is np.ndarray and g.base is None and g is not x and g.dtype == dtype \
            and g.shape == x.shape and g.flags.writeable:
        return g  # a fresh array of the generated code: nothing else can see it
    if isinstance(g, np.ndarray) and g.dtype == dtype and g.shape == x.shape:
        if not _needs_copy(g, x):
            return g
        return g.copy()
    if dtype.kind != "c" and np.iscomplexobj(g):
        g = np.real(g)
    if np.shape(g) != x.shape:
        g = np.broadcast_to(g, x.shape)
    return np.array(g, dtype=dtype)


def scalar_seed(y: Any, b: Any) -> Any:
    """The seed adjoint ``b`` for the output ``y`` of a function under ``grad``.

    ``grad`` only makes sense for scalar outputs, so a non-scalar ``y``
    raises :class:`NonScalarOutput`.  For NumPy floating or complex outputs
    (scalars or 0-d arrays) the seed is converted to ``y``'s dtype, so that a
    float32 computation stays float32; otherwise ``b`` is returned unchanged.
    """
    if type(y) is float:
        return b
    if _shape(y) != ():
        raise NonScalarOutput(np.shape(y))
    dtype = getattr(y, "dtype", None)
    if dtype is not None and dtype.kind in "fc":
        return dtype.type(b)
    return b


def digamma(x: float) -> float:
    """The digamma function psi(x) = d/dx log Gamma(x), for real x > 0 or not a non-positive integer.

    Reflection moves negative x to positive, the recurrence psi(x) = psi(x + 1) - 1/x moves x
    above 6, and the asymptotic series finishes (absolute error below 1e-12 there).
    """
    import math

    if x <= 0.0:
        return digamma(1.0 - x) - math.pi / math.tan(math.pi * x)
    shift = 0.0
    while x < 6.0:
        shift -= 1.0 / x
        x += 1.0
    inverse_square = 1.0 / (x * x)
    series = inverse_square * (1.0 / 12 - inverse_square * (1.0 / 120 - inverse_square * (
        1.0 / 252 - inverse_square * (1.0 / 240 - inverse_square / 132))))
    return shift + math.log(x) - 0.5 / x - series


def stop_gradient(x: Any) -> Any:
    """Return ``x`` unchanged.

    At run time this is the identity; the compiler treats calls to it as
    having zero derivative, so no adjoint flows back through them.
    """
    return x
