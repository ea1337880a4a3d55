"""Indexing adjoints, zero gradients, the final conversion of gradients, seeds, digamma."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import NonScalarOutput, _float_dtype, _shape

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

    ``x`` may also be a list or tuple of numbers the compiler could not tell from an array
    (the zero tangent of a tuple a user function returned): its adjoint is an array too, as
    the adjoints of its other entries are (an adjoint list would be concatenated by ``+``).
    """
    if type(x) is list or isinstance(x, tuple):
        x = np.asarray(x)
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
    the same shape; integer and boolean types get float64 zeros. Lists and
    tuples give a list of zeros, dicts a dict (see ``runtime.containers``).
    """
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            return np.zeros_like(x)
        return np.zeros(x.shape, dtype=np.float64)
    if type(x) is list or isinstance(x, tuple):    # a container: its adjoint is a list
        return [zeros_like(item) for item in x]
    if type(x) is dict:
        return {key: zeros_like(item) for key, item in x.items()}
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
    if type(x) is list or isinstance(x, tuple):
        if not isinstance(g, (list, tuple)) and np.ndim(g) == 0:
            g = [g] * len(x)       # a zero adjoint
        parts = [finalize_grad(part, item) for part, item in zip(g, x)]   # (a list used as an
        # array in NumPy calls has an array adjoint: its rows are the entries' adjoints)
        return parts if type(x) is list else tuple(parts)
    if type(x) is dict:
        return {key: finalize_grad(g[key] if isinstance(g, dict) else g, item)
                for key, item in x.items()}
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
    if dtype is not None and dtype.kind == "f":
        return dtype.type(b)
    if (dtype is not None and dtype.kind == "c") or type(y) is complex:
        raise NonScalarOutput((), complex_value=True)    # a complex loss has no gradient
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


def trigamma(x: float) -> float:
    """The trigamma function psi'(x) = d/dx digamma(x), for real x not a non-positive integer.

    Reflection (psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x)) moves negative x to positive, the
    recurrence psi'(x) = psi'(x + 1) + 1/x^2 moves x above 6, and the asymptotic series
    finishes (absolute error below 1e-12 there).
    """
    import math

    if x <= 0.0:
        return -trigamma(1.0 - x) + (math.pi / math.sin(math.pi * x)) ** 2
    shift = 0.0
    while x < 6.0:
        shift += 1.0 / (x * x)
        x += 1.0
    inverse = 1.0 / x
    inverse_square = inverse * inverse
    series = inverse + inverse_square / 2 + inverse * inverse_square * (
        1.0 / 6 - inverse_square * (1.0 / 30 - inverse_square * (1.0 / 42 - inverse_square / 30)))
    return shift + series


def stop_gradient(x: Any, name: Any = None) -> Any:
    """Return ``x`` unchanged.

    At run time this is the identity; the compiler treats calls to it as
    having zero derivative, so no adjoint flows back through them. (``name``
    is accepted for TensorFlow code, ``tf.stop_gradient(x, name=...)``.)
    """
    return x
