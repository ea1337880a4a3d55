"""Derivatives built from the two modes: Jacobians, Hessian-vector products and Hessians.

Every function here is a composition of generated code, generated once per function (and
argument variant) and cached like any derivative:
- `jacobian(f, mode="forward")` runs the generated jvp once per input entry, `mode="reverse"`
  the generated backward pass once per output entry (after one forward pass);
- `hvp(f)` is forward-over-reverse: the jvp of the generated gradient, one sweep of each;
- `hessian(f)` is `hvp` with every basis direction: n sweeps of the same generated code.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from . import runtime
from .api import Derived, GradFunction, PushforwardFunction, Records
from .cache import is_valid
from .errors import S2sgradError


def _position(fn: Callable, wrt: Any) -> int:
    code = getattr(fn, "__code__", None)
    if isinstance(wrt, str) and code is not None:
        names = code.co_varnames[:code.co_argcount]
        if wrt in names:
            return names.index(wrt)
    if isinstance(wrt, int) and not isinstance(wrt, bool):
        return wrt
    raise S2sgradError(f"wrt must be one argument (a position or a name), got {wrt!r}",
                       hint="for several arguments, take the derivative with respect to each.")


def _float_array(value: Any, what: str, fn: Callable, position: int) -> np.ndarray:
    """The differentiated argument as an array: a float one (integers, booleans and, for
    second derivatives, complex values are refused)."""
    if type(value) is np.ndarray and value.dtype.kind == "f":
        return value                     # the common case, decided in two tests
    from .api import _argument_name, _refuse_integer

    _refuse_integer(value, _argument_name(fn, position), f"take the {what} with respect to a "
                    "float argument")
    array = np.asarray(value)
    if array.dtype.kind == "c":
        raise S2sgradError(f"{what} of a function of a complex argument is not supported",
                           hint="split the argument into real and imaginary parts (two float "
                                "arguments).")
    return array


def _like(result: Any, x: Any) -> Any:
    """`result` (float64 from the basis sweeps) in the type of the argument `x`: float32 stays
    float32, a NumPy scalar gives a NumPy scalar, a Python float a Python float."""
    if type(x) is float:
        return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=np.float64)
    dtype = np.asarray(x).dtype
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if isinstance(x, np.generic) and np.ndim(result) == 0:
        return dtype.type(result)
    return np.asarray(result, dtype=dtype)


class _Jvp:
    """The generated forward-mode code of `fn` w.r.t. one argument, called with a tangent.
    With `tangent_only`, the code computes the tangent alone (what an HVP needs: the gradient
    itself, and whatever only it needs, is left out)."""

    def __init__(self, fn: Callable, position: int, tangent_only: bool = False):
        self.position = position
        self.tangent_only = tangent_only
        self.derived = PushforwardFunction(fn, (position,), "pushforward") if tangent_only \
            else Derived(fn, (position,), "jvp")
        self._last: Optional[Tuple[Any, ...]] = None   # see `tangent`

    def __call__(self, args: Tuple[Any, ...], tangent: Any) -> Tuple[Any, Any]:
        if self.tangent_only:
            return None, self.tangent(args, tangent)
        (entry,) = self.derived.functions_for(args, {})
        (name,) = self.derived._shown.tangents
        return entry(*args, **{name: tangent})

    def tangent(self, args: Tuple[Any, ...], tangent: Any) -> Any:
        """The tangent alone (with `tangent_only`).

        The generated gradient these arguments select is looked up, and validated, on every
        call; the code differentiating it is remembered with it and the argument types (which
        choose its variant), and called again while its own rules and guards hold."""
        inner = self.derived._inner
        types = tuple(map(type, args))
        gradient = None
        if inner is not None and inner._inner is None and _PLAIN.issuperset(types) \
                and np.ndarray in types:
            gradient = inner.generated_functions()[0]    # (the variant arrays select)
            last = self._last
            if last is not None and last[0] is gradient and last[1] == types \
                    and is_valid(last[2], gradient):
                return last[3](*args, **{last[4]: tangent})
        (entry,) = self.derived.functions_for(args + (tangent,), {})
        shown = self.derived._shown
        (name,) = shown.tangents
        if gradient is not None:
            self._last = (gradient, types, shown, entry, name)
        return entry(*args, **{name: tangent})


_PLAIN = frozenset((np.ndarray, float, int))   # argument types that select no variant of their own


def jacobian(fn: Callable, wrt: Any = 0, mode: str = "reverse") -> Callable:
    """The Jacobian of `fn` with respect to one argument, shaped `out.shape + in.shape`.

    `mode="forward"` takes one forward sweep per input entry (good for few inputs),
    `mode="reverse"` one backward sweep per output entry after a single forward pass (good for
    few outputs). Both run code generated once.
    """
    if mode not in ("forward", "reverse"):
        raise S2sgradError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    position = _position(fn, wrt)
    if mode == "forward":
        forward = _Jvp(fn, position)

        def jacobian_forward(*args: Any) -> np.ndarray:
            x = _float_array(args[position], "jacobian", fn, position)
            columns: List[np.ndarray] = []
            value = None
            for k in range(x.size):
                basis = np.zeros(x.size)
                basis[k] = 1.0
                call = list(args)
                value, column = forward(tuple(call), basis.reshape(x.shape)
                                        if x.ndim else float(basis[0]))
                columns.append(np.asarray(column, dtype=np.float64))
            out_shape = np.shape(value) if value is not None else np.shape(fn(*args))
            if not columns:
                return _like(np.zeros(out_shape + x.shape), args[position])
            return _like(np.stack(columns, axis=-1).reshape(out_shape + x.shape), args[position])

        return jacobian_forward

    derived = Derived(fn, (position,), "vjp")

    def jacobian_reverse(*args: Any) -> np.ndarray:
        x = _float_array(args[position], "jacobian", fn, position)
        forward, backward = derived.functions_for(args, {})
        value, residuals = forward(*args)
        records = Records(residuals, derived._shown)
        out_shape = np.shape(value)
        rows = []
        for k in range(int(np.prod(out_shape, dtype=int))):
            seed = np.zeros(out_shape)
            seed.flat[k] = 1.0
            (row,) = backward(*records.fresh(), seed if out_shape else 1.0)
            rows.append(np.broadcast_to(np.asarray(row, dtype=np.float64), x.shape))
        if not rows:
            return _like(np.zeros(out_shape + x.shape), args[position])
        return _like(np.stack(rows).reshape(out_shape + x.shape), args[position])

    return jacobian_reverse


def hvp(fn: Callable, wrt: Any = 0) -> Callable:
    """`hvp(f)(*args, v)`: the Hessian of scalar `f` w.r.t. one argument, times `v`.

    Forward-over-reverse: the generated gradient of `f` is differentiated once more in forward
    mode, so one call costs about one gradient plus one tangent sweep.
    """
    position = _position(fn, wrt)
    tangent_of_gradient = _Jvp(GradFunction(fn, position, "grad"), position, tangent_only=True)

    def hessian_vector_product(*args: Any) -> Any:
        if len(args) <= position + 1:
            raise S2sgradError(
                f"hvp({getattr(fn, '__name__', 'f')}) takes the function's arguments, then the "
                f"direction v; got {len(args)} argument(s)",
                hint="call it as hvp(f)(*args, v), with v shaped like the differentiated argument.")
        primal = args[:-1]
        _float_array(primal[position], "hvp", fn, position)
        product = tangent_of_gradient.tangent(primal, args[-1])
        return runtime.finalize_grad(product, primal[position])

    hessian_vector_product._s2sgrad_derived = tangent_of_gradient.derived  # type: ignore
    return hessian_vector_product


def hessian(fn: Callable, wrt: Any = 0) -> Callable:
    """The Hessian of scalar `f` w.r.t. one argument, shaped `x.shape + x.shape`.

    One forward-over-reverse sweep per entry of x, all through the same generated code (nothing
    is generated per call or per shape beyond the first).
    """
    position = _position(fn, wrt)
    tangent_of_gradient = _Jvp(GradFunction(fn, position, "grad"), position, tangent_only=True)

    def full_hessian(*args: Any) -> Any:
        given = x = args[position]
        _float_array(x, "hessian", fn, position)
        if type(x) is float:
            return float(tangent_of_gradient(args, 1.0)[1])
        x = np.asarray(x)
        columns = []
        for k in range(x.size):
            basis = np.zeros(x.size)
            basis[k] = 1.0
            _, column = tangent_of_gradient(args, basis.reshape(x.shape))
            columns.append(np.broadcast_to(np.asarray(column, dtype=np.float64), x.shape))
        return _like(np.stack(columns, axis=-1).reshape(x.shape + x.shape), given)

    full_hessian._s2sgrad_derived = tangent_of_gradient.derived  # type: ignore
    return full_hessian
