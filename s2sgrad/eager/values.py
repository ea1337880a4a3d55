"""The values of the TensorFlow-style layer: `Tensor` (a NumPy array with TensorFlow's methods)
and `Variable` (a mutable value that tapes watch and optimizers update).

A `Tensor` is an `np.ndarray` subclass, so every NumPy function and every derivative rule takes it
as it is, and arithmetic on tensors gives tensors. A `Variable` holds a Tensor; reading it in
arithmetic or NumPy calls reads that value, `assign` replaces it (the old value is never changed
in place, so a tape that saw it keeps it).
"""

from __future__ import annotations

import itertools
from typing import Any, List, Optional

import numpy as np

_FLOAT = np.float32       # TensorFlow's dtype for Python floats
_variable_numbers = itertools.count()


class Tensor(np.ndarray):
    """An array with the tensor methods TensorFlow code calls (`.numpy()`, `.shape`, `.dtype`)."""

    def numpy(self) -> Any:
        """The value as a plain NumPy array (a NumPy scalar for 0-d tensors, as TensorFlow)."""
        value = np.asarray(self).view(np.ndarray)
        return value[()] if value.ndim == 0 else value.copy()

    def __getitem__(self, index: Any) -> Any:
        part = super().__getitem__(index)
        # one entry is a 0-d tensor, not a NumPy scalar (TensorFlow code calls .numpy() on it)
        return part if isinstance(part, np.ndarray) else np.asarray(part).view(Tensor)

    def __repr__(self) -> str:     # TensorFlow's eager repr
        array = np.asarray(self).view(np.ndarray)
        shown = _text(array) if array.ndim == 0 else "\n" + repr(array)
        return f"<tf.Tensor: shape={tuple(self.shape)}, dtype={self.dtype.name}, numpy={shown}>"

    def __str__(self) -> str:      # what print(tensor) shows in TensorFlow
        text = _text(self)
        text = "\n" + text if self.ndim >= 2 else text
        return f"tf.Tensor({text}, shape={tuple(self.shape)}, dtype={self.dtype.name})"

    def __format__(self, spec: str) -> str:
        return format(np.asarray(self).view(np.ndarray)[()] if self.ndim == 0 else str(self),
                      spec)

    def __float__(self) -> float:
        return float(np.asarray(self).view(np.ndarray))

    def __hash__(self) -> int:      # tensors are keys of dicts in TensorFlow code (by identity)
        return id(self)


def _text(value: Any) -> str:
    """A value printed as TensorFlow prints it (`9.0`, `[[1. 2.]]`)."""
    array = np.asarray(value).view(np.ndarray)
    if array.ndim == 0:
        return str(array[()])      # NumPy's shortest text for the dtype (float32: 1.0495868)
    return np.array2string(array)


def as_tensor(value: Any, dtype: Any = None) -> Tensor:
    """`value` as a Tensor; Python floats become float32 and ints int32, as in TensorFlow."""
    if isinstance(value, Variable):
        value = value.value()
    if dtype is None and not isinstance(value, np.ndarray):
        array = np.asarray(value)
        if array.dtype == np.float64 and not isinstance(value, np.generic):
            dtype = _FLOAT
        elif array.dtype == np.int64 and not isinstance(value, np.generic):
            dtype = np.int32
    array = np.array(value, dtype=dtype, copy=True) if dtype is not None else np.array(value)
    return array.view(Tensor)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: Optional[str] = None
             ) -> Tensor:
    """`tf.constant`: a Tensor holding a copy of `value`."""
    tensor = as_tensor(value, dtype)
    if shape is not None:
        tensor = np.broadcast_to(tensor, shape).copy().view(Tensor)
    return tensor


# The GradientTapes recording now (`eager.tape` adds and removes them): a Variable read while
# one records is one the tape watches (TensorFlow's `watch_accessed_variables`).
recording_tapes: List[Any] = []


def _read(variable: "Variable") -> None:
    for tape in recording_tapes:
        tape._accessed(variable)


def _value_of(x: Any) -> Any:
    """A Variable's value (also inside a list or tuple: `np.concatenate([v, w])`)."""
    if isinstance(x, Variable):
        if recording_tapes:
            _read(x)
        return x._value
    if isinstance(x, (list, tuple)):
        return type(x)(_value_of(item) for item in x)
    return x


class Variable:
    """`tf.Variable`: a named, mutable value. Arithmetic and NumPy functions read its value."""

    __array_priority__ = 100

    def __init__(self, initial_value: Any, trainable: bool = True, name: Optional[str] = None,
                 dtype: Any = None):
        self._value = constant(_value_of(initial_value), dtype)
        self.trainable = bool(trainable)
        self.name = f"{name or 'Variable'}:{next(_variable_numbers)}"

    # ---- reading ---------------------------------------------------------------------------
    def value(self) -> Tensor:
        if recording_tapes:
            _read(self)
        return self._value

    def read_value(self) -> Tensor:
        return self.value()

    def numpy(self) -> Any:
        return self._value.numpy()

    @property
    def shape(self) -> tuple:
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = np.asarray(self.value()).view(np.ndarray)
        return value.astype(dtype) if dtype is not None else value

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        values = [_value_of(x) for x in inputs]
        if method == "__call__":
            return ufunc(*values, **kwargs)
        return getattr(ufunc, method)(*values, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return func(*[_value_of(a) for a in args],
                    **{k: _value_of(v) for k, v in kwargs.items()})

    def __getitem__(self, index: Any) -> Any:
        return self.value()[index]

    def __len__(self) -> int:
        return len(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={tuple(self.shape)} "
                f"dtype={self.dtype.name}, numpy={_text(self._value)}>")

    # ---- changing ----------------------------------------------------------------------------
    def assign(self, value: Any, read_value: bool = True) -> Any:
        """Replace the value (same shape and dtype). The old value array is left untouched."""
        return self._replace(np.array(_value_of(value), dtype=self.dtype), read_value)

    def assign_add(self, delta: Any, read_value: bool = True) -> Any:
        return self._replace(np.asarray(self._value + _value_of(delta)), read_value)

    def assign_sub(self, delta: Any, read_value: bool = True) -> Any:
        return self._replace(np.asarray(self._value - _value_of(delta)), read_value)

    def _replace(self, new: np.ndarray, read_value: bool) -> Any:
        """Hold `new`, an array no one else holds, in the variable's dtype."""
        if new.dtype != self._value.dtype:
            new = new.astype(self._value.dtype)
        if new.shape != self._value.shape:
            raise ValueError(f"cannot assign a value of shape {new.shape} to a variable of "
                             f"shape {self.shape}")
        self._value = new if type(new) is Tensor else new.view(Tensor)
        return self if read_value else None


def _operator(name: str, reflected: bool = False) -> Any:
    op = getattr(np.ndarray, name)

    def method(self: Variable, other: Any) -> Any:
        return op(self.value(), _value_of(other))
    method.__name__ = name
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__pow__",
              "__rpow__", "__matmul__", "__rmatmul__", "__mod__", "__rmod__", "__lt__", "__le__",
              "__gt__", "__ge__"):
    setattr(Variable, _name, _operator(_name))
Variable.__neg__ = lambda self: -self.value()          # type: ignore[assignment]
Variable.__pos__ = lambda self: +self.value()          # type: ignore[assignment]
Variable.__abs__ = lambda self: abs(self.value())      # type: ignore[assignment]
