"""TensorFlow's math and array operations (`tf.add`, `tf.matmul`, `tf.reduce_sum`, ...) on NumPy.

Every differentiable operation is a short function over NumPy calls that have derivative rules,
so s2sgrad differentiates code that calls it by reading its source. Arguments may be `Tensor`s,
`Variable`s, NumPy arrays or Python numbers; an operation given a Tensor or a Variable returns a
Tensor wherever NumPy keeps the subclass (ufuncs, reductions, reshapes, transposes). NumPy's
`where`, `concatenate` and `stack` return plain arrays, and so do `tf.where`, `tf.concat` and
`tf.stack` here. Python numbers and lists follow NumPy's dtype rules (float64): `tf.constant`
gives TensorFlow's float32.

Where TensorFlow's gradient convention differs from NumPy's rule in s2sgrad, the operation has a
rule of its own: `maximum`/`minimum` send the whole gradient to the first argument on ties
(s2sgrad's `np.maximum` splits it), and `convert_to_tensor` (with `cast` and `identity`, which use
it) passes gradients through the conversion. Operations whose result does not depend on their
arguments' values in a differentiable way (comparisons, `argmax`, `shape`, `one_hot`, `ones_like`,
...) are declared zero-derivative. `stop_gradient` is `s2sgrad.stop_gradient` itself.
"""

from __future__ import annotations

import builtins
import types
from typing import Any, Dict, Optional

import numpy as np

from ..eager.values import Tensor, Variable, as_tensor
from ..rules import adjoint, d, same_rules, tangent, zero_derivative
from ..runtime import broadcast_like, expand_reduced, stop_gradient, unbroadcast
from ..runtime.containers import array_adjoint

__all__ = [
    "add", "subtract", "multiply", "divide", "negative", "square", "sqrt", "exp", "log", "pow",
    "abs", "tanh", "sigmoid", "sin", "cos", "maximum", "minimum", "matmul", "reduce_sum",
    "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reshape", "transpose", "concat",
    "stack", "ones", "zeros", "ones_like", "zeros_like", "fill", "range", "cast",
    "convert_to_tensor", "identity", "where", "equal", "not_equal", "greater", "greater_equal",
    "less", "less_equal", "argmax", "argmin", "size", "shape", "expand_dims", "squeeze",
    "clip_by_value", "one_hot", "stop_gradient", "random", "random_normal", "random_uniform",
    "set_random_seed", "add_n", "gather", "norm",
]

_FLOAT32 = np.dtype(np.float32)    # TensorFlow's default float type


# ---- arguments: axes, shapes, dtypes (never differentiated) ---------------------------------


def _np_dtype(dtype: Any) -> Any:
    """A TensorFlow-style dtype (np.float32, "float32", an object with `as_numpy_dtype`) for
    NumPy; None stays None."""
    if dtype is None:
        return None
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def _axis(axis: Any) -> Any:
    """TensorFlow's `axis` (None, an int, a list, a Tensor) as NumPy takes it."""
    if axis is None or isinstance(axis, (int, np.integer)):
        return axis
    axes = np.asarray(axis)
    if axes.ndim == 0:
        return int(axes)
    return tuple(int(a) for a in axes)


def _shape(shape: Any) -> tuple:
    """A shape given as an int, a list, a tuple or a Tensor, as a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(n) for n in np.asarray(shape).reshape(-1))


def _integer_dtype(x: Any) -> Any:
    """x's dtype when it is an integer type (TensorFlow's reductions keep it; NumPy's widen
    int32 to int64), else None."""
    dtype = np.asarray(x).dtype
    return dtype if dtype.kind in "iu" else None


def _matrix_transpose_axes(ndim: int) -> tuple:
    """The permutation that swaps the two trailing (matrix) axes."""
    return tuple(builtins.range(ndim - 2)) + (ndim - 1, ndim - 2)


def _tensor(value: Any, dtype: Any = None) -> Tensor:
    """A non-differentiated result as a Tensor (no copy when it is an array of that dtype)."""
    return np.asarray(value, dtype=_np_dtype(dtype)).view(Tensor)


zero_derivative(_np_dtype, _axis, _shape, _integer_dtype, _matrix_transpose_axes)


# ---- elementwise arithmetic and functions -------------------------------------------------


def add(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.add` / `tf.math.add`: x + y, broadcasting."""
    return np.add(x, y)


def subtract(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.subtract`: x - y, broadcasting."""
    return np.subtract(x, y)


def multiply(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.multiply`: x * y elementwise, broadcasting."""
    return np.multiply(x, y)


def divide(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.divide`: x / y (true division: integers give floats, as TensorFlow's)."""
    return np.divide(x, y)


def negative(x: Any, name: Optional[str] = None) -> Any:
    """`tf.negative`: -x."""
    return np.negative(x)


def square(x: Any, name: Optional[str] = None) -> Any:
    """`tf.square`: x * x."""
    return np.square(x)


def sqrt(x: Any, name: Optional[str] = None) -> Any:
    """`tf.sqrt`."""
    return np.sqrt(x)


def exp(x: Any, name: Optional[str] = None) -> Any:
    """`tf.exp`."""
    return np.exp(x)


def log(x: Any, name: Optional[str] = None) -> Any:
    """`tf.math.log`: the natural logarithm."""
    return np.log(x)


def pow(x: Any, y: Any, name: Optional[str] = None) -> Any:  # noqa: A001 (TensorFlow's name)
    """`tf.pow`: x ** y elementwise."""
    return np.power(x, y)


def abs(x: Any, name: Optional[str] = None) -> Any:  # noqa: A001 (TensorFlow's name)
    """`tf.abs`; its gradient at 0 is 0, as TensorFlow's."""
    return np.abs(x)


def tanh(x: Any, name: Optional[str] = None) -> Any:
    """`tf.tanh` / `tf.nn.tanh`."""
    return np.tanh(x)


def sigmoid(x: Any, name: Optional[str] = None) -> Any:
    """`tf.sigmoid` / `tf.nn.sigmoid`: 1 / (1 + exp(-x)), without overflow for any x.

    Written as exp(min(x, 0)) / (exp(min(x, 0)) + exp(min(-x, 0))): both exponents are <= 0, so
    neither exp overflows; the derivative is exact everywhere, at 0 included.
    """
    a = np.exp(np.minimum(x, 0.0))
    b = np.exp(np.minimum(np.negative(x), 0.0))
    return a / (a + b)


def sin(x: Any, name: Optional[str] = None) -> Any:
    """`tf.sin`."""
    return np.sin(x)


def cos(x: Any, name: Optional[str] = None) -> Any:
    """`tf.cos`."""
    return np.cos(x)


# These are NumPy's functions under TensorFlow's names: code calling them gets NumPy's rules
# inline (`tf.square(u)` differentiates as `np.square(u)`), not a generated callee per call.
for _op, _numpy in ((add, np.add), (subtract, np.subtract), (multiply, np.multiply),
                    (divide, np.divide), (negative, np.negative), (square, np.square),
                    (sqrt, np.sqrt), (exp, np.exp), (log, np.log), (pow, np.power),
                    (abs, np.abs), (tanh, np.tanh), (sin, np.sin), (cos, np.cos)):
    same_rules(_op, _numpy, ignored=("name",))


def maximum(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.maximum`; on ties the gradient goes to x, as TensorFlow's (see the rule below)."""
    return np.maximum(x, y)


def minimum(x: Any, y: Any, name: Optional[str] = None) -> Any:
    """`tf.minimum`; on ties the gradient goes to x, as TensorFlow's (see the rule below)."""
    return np.minimum(x, y)


@adjoint(maximum)
def _maximum_adjoint(z, x, y, name=None):
    d[x] = unbroadcast(d[z] * (x >= y), x)
    d[y] = unbroadcast(d[z] * (x < y), y)


@tangent(maximum)
def _maximum_tangent(z, x, y, name=None):
    d[z] = d[x] * (x >= y) + d[y] * (x < y)


@adjoint(minimum)
def _minimum_adjoint(z, x, y, name=None):
    d[x] = unbroadcast(d[z] * (x <= y), x)
    d[y] = unbroadcast(d[z] * (x > y), y)


@tangent(minimum)
def _minimum_tangent(z, x, y, name=None):
    d[z] = d[x] * (x <= y) + d[y] * (x > y)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: Optional[str] = None) -> Any:
    """`tf.clip_by_value`: t limited to [min, max]. The gradient passes where t is inside the
    interval or exactly at a bound, and is 0 outside, as TensorFlow's."""
    return np.clip(t, clip_value_min, clip_value_max)


# ---- matrix product and reductions ----------------------------------------------------------


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type: Any = None, name: Optional[str] = None) -> Any:
    """`tf.matmul`: the matrix product over the two trailing axes (leading axes are batches).

    `transpose_a`/`transpose_b` transpose the trailing axes first; `adjoint_a`/`adjoint_b` do
    the same (the conjugate is not taken: real values only). The sparsity hints are ignored.
    """
    if transpose_a or adjoint_a:
        a = np.transpose(a, _matrix_transpose_axes(np.ndim(a)))
    if transpose_b or adjoint_b:
        b = np.transpose(b, _matrix_transpose_axes(np.ndim(b)))
    return np.matmul(a, b)


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: Optional[str] = None) -> Any:
    """`tf.reduce_sum`: the sum over `axis` (None: all axes); integer inputs keep their dtype."""
    return np.sum(input_tensor, axis=_axis(axis), dtype=_integer_dtype(input_tensor),
                  keepdims=keepdims)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: Optional[str] = None) -> Any:
    """`tf.reduce_mean`. As in TensorFlow, the mean of integers is an integer of the same dtype
    (the quotient truncated toward zero)."""
    return np.mean(input_tensor, axis=_axis(axis), dtype=_integer_dtype(input_tensor),
                   keepdims=keepdims)


@adjoint(reduce_sum)
def _reduce_sum_adjoint(z, input_tensor, axis=None, keepdims=False, name=None):
    if axis is None or keepdims is True:
        d[input_tensor] = broadcast_like(d[z], input_tensor)
    else:
        d[input_tensor] = broadcast_like(
            expand_reduced(d[z], input_tensor, _axis(axis), keepdims), input_tensor)


@tangent(reduce_sum)
def _reduce_sum_tangent(z, input_tensor, axis=None, keepdims=False, name=None):
    d[z] = reduce_sum(d[input_tensor], axis, keepdims)


@adjoint(reduce_mean)
def _reduce_mean_adjoint(z, input_tensor, axis=None, keepdims=False, name=None):
    if axis is None:
        d[input_tensor] = broadcast_like(d[z] / np.size(input_tensor), input_tensor)
    elif keepdims is True:
        d[input_tensor] = broadcast_like(d[z] / (np.size(input_tensor) / np.size(z)),
                                         input_tensor)
    else:
        d[input_tensor] = broadcast_like(
            expand_reduced(d[z], input_tensor, _axis(axis), keepdims)
            / (np.size(input_tensor) / np.size(z)), input_tensor)


@tangent(reduce_mean)
def _reduce_mean_tangent(z, input_tensor, axis=None, keepdims=False, name=None):
    d[z] = reduce_mean(d[input_tensor], axis, keepdims)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: Optional[str] = None) -> Any:
    """`tf.reduce_max`; the gradient is shared evenly among tied maxima, as TensorFlow's."""
    return np.max(input_tensor, axis=_axis(axis), keepdims=keepdims)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: Optional[str] = None) -> Any:
    """`tf.reduce_min`; the gradient is shared evenly among tied minima, as TensorFlow's."""
    return np.min(input_tensor, axis=_axis(axis), keepdims=keepdims)


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: Optional[str] = None) -> Any:
    """`tf.reduce_prod`; integer inputs keep their dtype."""
    return np.prod(input_tensor, axis=_axis(axis), dtype=_integer_dtype(input_tensor),
                   keepdims=keepdims)


# ---- shapes and layout ----------------------------------------------------------------------


def reshape(tensor: Any, shape: Any, name: Optional[str] = None) -> Any:
    """`tf.reshape`: `shape` may hold one -1 (inferred), as in TensorFlow."""
    return np.reshape(tensor, _shape(shape))


def transpose(a: Any, perm: Any = None, conjugate: bool = False,
              name: Optional[str] = None) -> Any:
    """`tf.transpose`: axes permuted by `perm` (None: reversed). Real values only."""
    if perm is None:
        return np.transpose(a)
    return np.transpose(a, _shape(perm))


def concat(values: Any, axis: Any, name: str = "concat") -> Any:
    """`tf.concat`: the tensors of the list `values` joined along an existing axis."""
    return np.concatenate(values, axis=axis)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Any:
    """`tf.stack`: the tensors of the list `values` joined along a new axis."""
    return np.stack(values, axis=axis)


def add_n(inputs: Any, name: Optional[str] = None) -> Any:
    """`tf.add_n`: the sum of a list of tensors of one shape (`tf.add_n([tf.nn.l2_loss(v) for v
    in variables])`)."""
    return np.sum(np.stack(inputs), axis=0)


def gather(params: Any, indices: Any, validate_indices: Any = None, axis: Any = None,
           batch_dims: int = 0, name: Optional[str] = None) -> Any:
    """`tf.gather`: the slices of `params` at `indices` along `axis` (0 by default); the
    gradient adds up where an index repeats. `batch_dims` other than 0 is not supported."""
    return np.take(params, indices, axis=_gather_axis(axis, batch_dims))


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002
         keepdims: Any = None, name: Optional[str] = None) -> Any:
    """`tf.norm` / `tf.linalg.norm` of vectors: over all entries (axis None, the tensor as one
    vector, the Frobenius norm of a matrix) or along one axis; `ord` "euclidean" / "fro" / 2,
    1, `np.inf` or any p > 0. (Matrix norms over two axes are not supported.)"""
    p, axes, keep = _norm_order(ord, axis), _axis(axis), bool(keepdims)
    if p == 2:
        return np.sqrt(np.sum(np.square(tensor), axis=axes, keepdims=keep))
    if p == 1:
        return np.sum(np.abs(tensor), axis=axes, keepdims=keep)
    if p == np.inf:
        return np.max(np.abs(tensor), axis=axes, keepdims=keep)
    return np.sum(np.abs(tensor) ** p, axis=axes, keepdims=keep) ** (1.0 / p)


def _norm_order(order: Any, axis: Any) -> float:
    """`tf.norm`'s `ord` as a number (2 for "euclidean" and "fro"); a matrix norm is refused."""
    if isinstance(axis, (list, tuple)) and len(axis) != 1:
        raise NotImplementedError("tf.norm over two axes (a matrix norm) is not supported: "
                                  "use axis=None for the Frobenius norm")
    if order in ("euclidean", "fro"):
        return 2.0
    if isinstance(order, (int, float, np.number)) and not isinstance(order, bool) and order > 0:
        return float(order)
    raise ValueError(f"'ord' must be a supported vector norm, got {order!r}")


def _gather_axis(axis: Any, batch_dims: int) -> Any:
    if batch_dims:
        raise NotImplementedError("tf.gather with batch_dims is not supported: index each "
                                  "example of the batch instead")
    return 0 if axis is None else _axis(axis)


def expand_dims(input: Any, axis: int, name: Optional[str] = None) -> Any:  # noqa: A002
    """`tf.expand_dims`: a new axis of length 1 at position `axis`."""
    return np.expand_dims(input, axis)


def squeeze(input: Any, axis: Any = None, name: Optional[str] = None) -> Any:  # noqa: A002
    """`tf.squeeze`: the axes of length 1 removed (only those in `axis` when given)."""
    return np.squeeze(input, axis=_axis(axis))


# ---- conversions ----------------------------------------------------------------------------


def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None,
                      name: Optional[str] = None) -> Tensor:
    """`tf.convert_to_tensor`: a Tensor returns itself, a Variable its current value; anything
    else is converted, Python floats to float32 and ints to int32 (or to `dtype`, else to
    `dtype_hint`). As in TensorFlow, asking a Tensor or Variable for another dtype is an error:
    use `cast`. The gradient passes through unchanged."""
    dtype = _np_dtype(dtype)
    if isinstance(value, (Tensor, Variable)):
        tensor = value.value() if isinstance(value, Variable) else value
        if dtype is not None and tensor.dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {tensor.dtype.name}: {tensor!r}")
        return tensor
    if dtype is None:
        dtype = _packed_dtype(value)
    if dtype is None and dtype_hint is not None and not isinstance(value, np.ndarray):
        dtype = _np_dtype(dtype_hint)
    return as_tensor(value, dtype)


def _packed_dtype(value: Any) -> Any:
    """The dtype of a (nested) list or tuple holding arrays, tensors or NumPy scalars: theirs,
    as TensorFlow packs them (a list of Python numbers only: None)."""
    if isinstance(value, (list, tuple)):
        found = [dtype for dtype in map(_packed_dtype, value) if dtype is not None]
        return np.result_type(*found) if found else None
    if isinstance(value, (np.ndarray, np.generic, Variable)):
        return value.dtype
    return None


@adjoint(convert_to_tensor)
def _convert_to_tensor_adjoint(z, value, dtype=None, dtype_hint=None, name=None):
    d[value] = array_adjoint(d[z], value)


@tangent(convert_to_tensor)
def _convert_to_tensor_tangent(z, value, dtype=None, dtype_hint=None, name=None):
    d[z] = np.asarray(d[value])


def cast(x: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """`tf.cast`: x converted to `dtype`. The gradient passes through a cast between floating
    types and is zero through a cast to an integer or boolean type, as TensorFlow's."""
    return convert_to_tensor(x).astype(_np_dtype(dtype))


def identity(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`tf.identity`: the value as a Tensor (a Variable's current value)."""
    return convert_to_tensor(input)


# ---- selection ------------------------------------------------------------------------------


def where(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> Any:
    """`tf.where` (TensorFlow 2): x where condition holds, else y, broadcasting all three.
    Without x and y: the indices of the true entries, an int64 array of shape [n, rank]."""
    if x is None or y is None:
        return _where_indices(condition, x, y)
    return np.where(condition, x, y)


def _where_indices(condition: Any, x: Any, y: Any) -> Tensor:
    if x is not None or y is not None:
        raise ValueError("tf.where takes both x and y, or neither")
    return _tensor(np.argwhere(np.asarray(condition)), np.int64)


# ---- operations without gradient ------------------------------------------------------------


def equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.equal`: x == y elementwise (bool)."""
    return _tensor(np.equal(x, y))


def not_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.not_equal`: x != y elementwise (bool)."""
    return _tensor(np.not_equal(x, y))


def greater(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.greater`: x > y elementwise (bool)."""
    return _tensor(np.greater(x, y))


def greater_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.greater_equal`: x >= y elementwise (bool)."""
    return _tensor(np.greater_equal(x, y))


def less(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.less`: x < y elementwise (bool)."""
    return _tensor(np.less(x, y))


def less_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`tf.less_equal`: x <= y elementwise (bool)."""
    return _tensor(np.less_equal(x, y))


def argmax(input: Any, axis: Any = None, output_type: Any = np.int64,  # noqa: A002
           name: Optional[str] = None) -> Tensor:
    """`tf.argmax`: the index of the largest entry along `axis` (None means 0, as in
    TensorFlow), as int64 by default."""
    return _tensor(np.argmax(np.asarray(input), axis=0 if axis is None else int(axis)),
                   output_type)


def argmin(input: Any, axis: Any = None, output_type: Any = np.int64,  # noqa: A002
           name: Optional[str] = None) -> Tensor:
    """`tf.argmin`: the index of the smallest entry along `axis` (None means 0)."""
    return _tensor(np.argmin(np.asarray(input), axis=0 if axis is None else int(axis)),
                   output_type)


def size(input: Any, out_type: Any = np.int32, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`tf.size`: the number of entries, as an int32 scalar tensor."""
    return _tensor(np.size(input), out_type)


def shape(input: Any, out_type: Any = np.int32, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`tf.shape`: the shape as a 1-d int32 tensor."""
    return _tensor(np.shape(input), out_type)


def ones(shape: Any, dtype: Any = _FLOAT32, name: Optional[str] = None) -> Tensor:
    """`tf.ones`: float32 by default."""
    return np.ones(_shape(shape), dtype=_np_dtype(dtype)).view(Tensor)


def zeros(shape: Any, dtype: Any = _FLOAT32, name: Optional[str] = None) -> Tensor:
    """`tf.zeros`: float32 by default."""
    return np.zeros(_shape(shape), dtype=_np_dtype(dtype)).view(Tensor)


def ones_like(input: Any, dtype: Any = None, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`tf.ones_like`: ones of input's shape and dtype (or `dtype`)."""
    return np.ones_like(convert_to_tensor(input), dtype=_np_dtype(dtype)).view(Tensor)


def zeros_like(input: Any, dtype: Any = None, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`tf.zeros_like`: zeros of input's shape and dtype (or `dtype`)."""
    return np.zeros_like(convert_to_tensor(input), dtype=_np_dtype(dtype)).view(Tensor)


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,  # noqa: A001
          name: str = "range") -> Tensor:
    """`tf.range`: like Python's range; int32 for integer bounds, float32 if any is a float."""
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        floats = builtins.any(np.asarray(v).dtype.kind == "f" for v in (start, limit, delta))
        dtype = _FLOAT32 if floats else np.int32
    return _tensor(np.arange(start, limit, delta), dtype)


def one_hot(indices: Any, depth: int, on_value: Any = None, off_value: Any = None,
            axis: Any = None, dtype: Any = None, name: Optional[str] = None) -> Tensor:
    """`tf.one_hot`: a new axis of length `depth` (last by default, else at `axis`) holding
    `on_value` (1) at each index and `off_value` (0) elsewhere; indices outside [0, depth) give
    a row of `off_value`. The dtype is `dtype`, else that of on_value/off_value, else float32."""
    if dtype is None:
        given = on_value if on_value is not None else off_value
        dtype = as_tensor(given).dtype if given is not None else _FLOAT32
    hot = np.asarray(indices)[..., None] == np.arange(int(depth))
    values = np.where(hot, 1 if on_value is None else np.asarray(on_value),
                      0 if off_value is None else np.asarray(off_value))
    if axis is not None and axis != -1:
        values = np.moveaxis(values, -1, axis)
    return _tensor(values, dtype)


def fill(dims: Any, value: Any, name: Optional[str] = None) -> Any:
    """`tf.fill`: a tensor of shape `dims` holding `value` (its dtype: float32 for a Python
    float). The gradient with respect to value is the sum of the result's gradient."""
    return value * ones(dims, dtype=_dtype_of(value))


def _dtype_of(value: Any) -> np.dtype:
    return as_tensor(value).dtype if not isinstance(value, np.ndarray) else value.dtype


zero_derivative(equal, not_equal, greater, greater_equal, less, less_equal, argmax, argmin,
                size, shape, ones, zeros, ones_like, zeros_like, range, one_hot, _dtype_of,
                _where_indices)


# ---- random numbers -------------------------------------------------------------------------


class _Streams:
    """Where `tf.random` draws from: NumPy's global generator (`np.random`) without an op seed,
    and one generator per op seed (calls with the same `seed=` continue that stream, as
    TensorFlow 2's eager op seeds do). `set_seed` restarts both from a global seed, so a whole
    program repeats. (GradientTape replays `np.random`'s state when it re-runs a block; the
    op-seed streams are saved and restored by `random_state` / `restore_random_state`.)"""

    def __init__(self) -> None:
        self.global_seed: Optional[int] = None
        self.seeded: Dict[int, np.random.Generator] = {}

    def generator(self, seed: Any) -> Any:
        if seed is None:
            return np.random          # the legacy global generator: random_sample, randint
        seed = int(seed)
        if seed not in self.seeded:
            entropy = [seed] if self.global_seed is None else [self.global_seed, seed]
            self.seeded[seed] = np.random.default_rng(entropy)
        return self.seeded[seed]


_streams = _Streams()


def set_random_seed(seed: Any) -> None:
    """`tf.random.set_seed`: restart every random stream from `seed` (None: unseeded). This
    seeds NumPy's global generator too, which `tf.random` draws from without an op seed."""
    _streams.global_seed = None if seed is None else int(seed)
    np.random.seed(_streams.global_seed)
    _streams.seeded = {}


def random_state() -> Any:
    """A snapshot of every random stream (for code that must replay random draws)."""
    return (_streams.global_seed, np.random.get_state(),
            {seed: g.bit_generator.state for seed, g in _streams.seeded.items()})


def restore_random_state(state: Any) -> None:
    """Put the random streams back as `random_state()` saw them."""
    _streams.global_seed, global_state, seeded = state
    np.random.set_state(global_state)
    _streams.seeded = {}
    for seed, generator_state in seeded.items():
        _streams.seeded[seed] = np.random.default_rng()
        _streams.seeded[seed].bit_generator.state = generator_state


def _standard_normal(shape: Any, dtype: Any, seed: Any) -> Tensor:
    return _tensor(_streams.generator(seed).standard_normal(_shape(shape)), dtype)


def _standard_uniform(shape: Any, dtype: Any, seed: Any) -> Tensor:
    return _tensor(_streams.generator(seed).random(_shape(shape)), dtype)


def _uniform_integers(shape: Any, minval: Any, maxval: Any, dtype: Any, seed: Any) -> Tensor:
    if maxval is None:
        raise ValueError("tf.random.uniform with an integer dtype needs maxval")
    generator = _streams.generator(seed)
    draw = generator.randint if generator is np.random else generator.integers
    return _tensor(draw(minval, maxval, _shape(shape)), dtype)


zero_derivative(_standard_normal, _standard_uniform, _uniform_integers)


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _FLOAT32,
                  seed: Any = None, name: Optional[str] = None) -> Tensor:
    """`tf.random.normal`: normal samples, float32 by default. The draws come from NumPy's
    generator (`seed=` makes them reproducible), so their values differ from TensorFlow's.
    Differentiable with respect to mean and stddev, as in TensorFlow."""
    return _standard_normal(shape, dtype, seed) * stddev + mean


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = _FLOAT32,
                   seed: Any = None, name: Optional[str] = None) -> Tensor:
    """`tf.random.uniform`: samples from [minval, maxval) (maxval 1 for floats), float32 by
    default; integer dtypes need maxval. NumPy's generator: values differ from TensorFlow's."""
    if np.dtype(_np_dtype(dtype)).kind in "iu":
        return _uniform_integers(shape, minval, maxval, dtype, seed)
    return _standard_uniform(shape, dtype, seed) * ((1 if maxval is None else maxval) - minval) \
        + minval


# `tf.random`: normal, uniform and set_seed.
random = types.SimpleNamespace(normal=random_normal, uniform=random_uniform,
                               set_seed=set_random_seed)
