"""`import s2sgrad.tf as tf`: TensorFlow 2's names on NumPy, differentiated by s2sgrad.

TensorFlow code ports by changing its import line. Tensors are NumPy arrays with TensorFlow's
methods (`s2sgrad.eager.values.Tensor`), `tf.Variable` is `s2sgrad.Variable`, and
`tf.GradientTape` differentiates the code of its block with generated source
(`s2sgrad.eager.tape`). The operations (`ops`, `nn`, `losses`, `clip`) are plain Python over NumPy,
so the compiler differentiates code calling them by reading their source; `keras.optimizers`
and `compat.v1.train` update Variables. No TensorFlow is needed or imported.
"""

import builtins as _builtins
import types as _types

import numpy as np

# (re-exported: the TensorFlow names, listed in __all__ below)
from ..eager.custom import ForwardAccumulator, custom_gradient, recompute_grad  # noqa: F401
from ..eager.graph import function, gradients  # noqa: F401
from ..eager.tape import GradientTape, UnconnectedGradients  # noqa: F401
from ..eager.values import Tensor, Variable, constant  # noqa: F401
from . import losses, nn  # noqa: F401
from .clip import clip_by_global_norm, clip_by_norm, global_norm  # noqa: F401
from .ops import *  # noqa: F401,F403  (the TensorFlow operations, by their TensorFlow names)
from .ops import __all__ as _ops
from .optimizers import SGD, Adam, GradientDescentOptimizer

float16, float32, float64 = np.float16, np.float32, np.float64
int32, int64, bool = np.int32, np.int64, np.bool_      # noqa: A001 (TensorFlow's names)
newaxis = None


def print(*inputs, output_stream=None, sep=" ", end="\n", summarize=3):   # noqa: A001
    """`tf.print`: tensors printed as TensorFlow prints them (`6`, `2.5`, `[1 2 3]`)."""
    def text(value):
        if isinstance(value, Variable):
            value = value.value()
        if isinstance(value, np.ndarray) or isinstance(value, (float, np.floating)):
            array = np.asarray(value)
            formatter = {"float_kind": lambda v: np.format_float_positional(v, trim="-")}
            if array.ndim == 0:
                return formatter["float_kind"](array[()]) if array.dtype.kind == "f" \
                    else str(array[()])
            return np.array2string(array, formatter=formatter)
        return str(value)
    _builtins.print(*[text(v) for v in inputs], sep=sep, end=end,
                    **({"file": output_stream} if output_stream is not None else {}))


def _namespace(name, **members):
    return _types.SimpleNamespace(__name__=name, **members)


linalg = _namespace("tf.linalg", global_norm=global_norm, matmul=matmul,  # noqa: F405
                    norm=norm)  # noqa: F405
math = _namespace("tf.math", **{n: globals()[n] for n in _ops if n in globals()})
autodiff = _namespace("tf.autodiff", ForwardAccumulator=ForwardAccumulator)
keras = _namespace(
    "tf.keras", optimizers=_namespace("tf.keras.optimizers", SGD=SGD, Adam=Adam),
    losses=losses)
train = _namespace("tf.train", GradientDescentOptimizer=GradientDescentOptimizer)
compat = _namespace("tf.compat", v1=_namespace(
    "tf.compat.v1", train=train, gradients=gradients, GradientTape=GradientTape))
optimizers = keras.optimizers

__all__ = sorted(set(_ops) | {
    "GradientTape", "UnconnectedGradients", "Variable", "Tensor", "constant", "function",
    "gradients", "custom_gradient", "recompute_grad", "ForwardAccumulator", "clip_by_norm",
    "clip_by_global_norm", "global_norm", "nn", "losses", "linalg", "math", "autodiff",
    "keras", "train", "compat", "optimizers", "print", "float16", "float32", "float64",
    "int32", "int64", "bool", "newaxis"})
