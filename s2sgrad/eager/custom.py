"""`custom_gradient`, `recompute_grad` and `ForwardAccumulator`: TensorFlow's ways of changing how
a function is differentiated, and its forward-mode API.

`@custom_gradient` functions return `(value, grad_fn)`; calling the decorated function returns
the value (a Tensor that keeps `grad_fn`), and s2sgrad differentiates code calling it with a
derivative rule that hands the incoming adjoint to `grad_fn` (see `custom_adjoint`): the rule is
registered for the decorated function like any rule for a NumPy function.
"""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any, Callable, Dict, List

import numpy as np

from ..errors import S2sgradError
from ..rules.registry import adjoint, d, tangent
from . import blocks
from . import dataflow
from .tape import (_as_tensor_like, _dtype_of, _flatten, _is_differentiable_input,
                   _Recording, _unflatten)
from .values import Tensor, Variable


def custom_gradient(f: Callable) -> Callable:
    """Decorate `f(*xs) -> (y, grad_fn)`: the gradient of `y` with respect to the xs is
    `grad_fn(dy)` (one gradient, or a tuple of one per x), whatever `f` computes."""
    arity = len([p for p in inspect.signature(f).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    if arity not in _TEMPLATES:
        raise S2sgradError(f"custom_gradient supports functions of 1 to {max(_TEMPLATES)} "
                           f"positional arguments; {f.__qualname__} takes {arity}")

    @functools.wraps(f)
    def decorated(*args: Any) -> Any:
        value, grad_fn = f(*args)
        result = np.array(value.value() if isinstance(value, Variable) else value,
                          copy=True).view(Tensor)
        result._s2sgrad_grad_fn = grad_fn      # for the rule, when this call is differentiated
        return result

    adjoint(decorated)(_TEMPLATES[arity])
    tangent(decorated)(_TANGENT_TEMPLATES[arity])
    return decorated


def custom_tangent_missing(result: Any) -> Any:
    """The tangent of a `custom_gradient` call: it has none (its `grad_fn` is a vector-Jacobian
    product only), so forward mode through it stops here, clearly."""
    raise S2sgradError(
        "a custom_gradient function defines only its reverse-mode rule (grad_fn, a "
        "vector-Jacobian product); forward mode through it (jvp, hvp, hessian, "
        "jacobian(mode='forward')) needs a tangent rule",
        hint="register one with @s2sgrad.tangent(the function) (see docs/custom_rules.md), or "
             "use reverse mode (grad, vjp, jacobian(mode='reverse')).")


def _tangent_one(z, x):
    d[z] = custom_tangent_missing(z)


def _tangent_two(z, x, y):
    d[z] = custom_tangent_missing(z)


def _tangent_three(z, x, y, w):
    d[z] = custom_tangent_missing(z)


_TANGENT_TEMPLATES: Dict[int, Callable] = {1: _tangent_one, 2: _tangent_two, 3: _tangent_three}


def custom_adjoint(result: Any, adjoint_of_result: Any, index: int, count: int) -> Any:
    """The adjoint of argument `index` of a `custom_gradient` call with result `result`."""
    grads = result._s2sgrad_grad_fn(adjoint_of_result)
    if count == 1 and not isinstance(grads, (list, tuple)):
        return grads
    return grads[index]


def _one(z, x):
    d[x] = custom_adjoint(z, d[z], 0, 1)


def _two(z, x, y):
    d[x] = custom_adjoint(z, d[z], 0, 2)
    d[y] = custom_adjoint(z, d[z], 1, 2)


def _three(z, x, y, w):
    d[x] = custom_adjoint(z, d[z], 0, 3)
    d[y] = custom_adjoint(z, d[z], 1, 3)
    d[w] = custom_adjoint(z, d[z], 2, 3)


_TEMPLATES: Dict[int, Callable] = {1: _one, 2: _two, 3: _three}


def recompute_grad(f: Callable) -> Callable:
    """TensorFlow recomputes `f`'s intermediate values in the backward pass to save memory.
    The generated derivative keeps what its adjoint reads, so this returns `f` unchanged: the
    values and gradients are the same."""
    return f


class ForwardAccumulator:
    """Forward-mode derivatives of the code in its `with` block (TensorFlow's
    `tf.autodiff.ForwardAccumulator`): `acc.jvp(y)` is the derivative of `y` in the direction
    `tangents` of `primals`, from generated forward-mode source (cached per block and target,
    like a tape's reverse-mode derivatives)."""

    def __init__(self, primals: Any, tangents: Any):
        self._primals = _flatten(primals)
        self._tangents = _flatten(tangents)
        if len(self._primals) != len(self._tangents):
            raise ValueError("primals and tangents must have the same structure")
        self._recording: Any = None

    def __enter__(self) -> "ForwardAccumulator":
        frame = sys._getframe(1)
        self._recording = _Recording.start(frame, blocks.find_block(frame))
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._recording.exit = dict(sys._getframe(1).f_locals)

    def jvp(self, primals: Any, unconnected_gradients: Any = None) -> Any:
        """The tangent of each of `primals` (values the block computed), or None."""
        return _unflatten(primals, [self._one(p) for p in _flatten(primals)])

    def _one(self, target: Any) -> Any:
        recording = self._recording
        block = recording.block
        outputs = sorted(n for n, v in recording.computed().items() if v is target)
        if not outputs:
            return None
        params = recording.inputs()
        directions: List[Any] = []
        for name in params:
            value = recording.entry[name]
            matches = [t for p, t in zip(self._primals, self._tangents) if p is value]
            directions.append(np.asarray(matches[0], dtype=_dtype_of(value))
                              if matches and _is_differentiable_input(value) else None)
        seeded = [n for n, t in zip(params, directions) if t is not None]
        if not seeded or not dataflow.connected(block.node.body, seeded, outputs[:1]):
            return None
        key = (block.filename, block.lineno, id(recording.globals), tuple(params), outputs[0])
        fn = _FUNCTIONS.get(key)
        if fn is None:
            fn = _FUNCTIONS[key] = blocks.block_function(block, params, outputs[:1], set(), {},
                                                         recording.globals)
        from ..api import jvp

        _, tangent = jvp(fn, [recording.argument(n) for n in params], directions)
        return _as_tensor_like(tangent[0] if isinstance(tangent, tuple) else tangent,
                               np.asarray(target))


_FUNCTIONS: Dict[Any, Any] = {}     # one block function (so one derivative) per block and target
