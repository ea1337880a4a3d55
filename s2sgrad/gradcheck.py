"""Numeric checks of generated derivatives against central finite differences.

`check_grads(f, args)` draws a random direction `v` for the differentiated arguments and a random
cotangent `u` for the output, and compares the generated vector-Jacobian product, `<vjp(u), v>`,
with the central difference `(<u, f(x + eps v)> - <u, f(x - eps v)>) / (2 eps)`. One dot-product
test checks every entry of the Jacobian at once (in a random combination), for outputs of any shape.
The check runs in float64 whatever the arguments' dtype.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from .errors import GradientCheckError, S2sgradError

_SUPPORTED_MODES = ("rev",)


def check_grads(f: Callable, args: Sequence[Any], order: int = 1,
                modes: Tuple[str, ...] = ("rev",), wrt: Optional[Sequence[int]] = None,
                eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-7,
                seed: int = 0) -> None:
    """Raise `GradientCheckError` unless f's generated derivatives match finite differences.

    `wrt` defaults to every floating-point argument. `order` and `modes` name the derivatives to
    check; this version generates reverse mode (`"rev"`) of order 1.
    """
    from .api import Derived  # the API builds on this module's callers; import lazily

    unsupported = [m for m in modes if m not in _SUPPORTED_MODES]
    if order != 1 or unsupported:
        raise S2sgradError(
            f"check_grads(order={order}, modes={tuple(modes)}) needs forward mode or higher-order "
            "derivatives, which this version of s2sgrad does not generate yet",
            hint="use order=1, modes=('rev',).")
    args = [_as_float64(a) for a in args]
    if wrt is None:
        wrt = [i for i, a in enumerate(args) if _is_float(a)]
    rng = np.random.default_rng(seed)
    derived = Derived(f, tuple(wrt), "vjp")
    forward, backward = derived.functions_for(tuple(args), {})
    value, residuals = forward(*args)
    cotangent = _random_like(rng, value)
    grads = backward(*residuals, cotangent)
    for i, grad in zip(wrt, grads):
        if _shapes(grad) != _shapes(args[i]):
            raise GradientCheckError(
                f"the generated gradient for argument {i} of {getattr(f, '__qualname__', f)} has "
                f"shape {_shapes(grad)}, but the argument has shape {_shapes(args[i])}",
                hint="a derivative rule probably forgets to un-broadcast (sum the adjoint back "
                     "to its input's shape with s2sgrad.runtime.unbroadcast).")
    directions = [_random_like(rng, args[i]) for i in wrt]
    analytic = sum(_dot(g, v) for g, v in zip(grads, directions))
    numeric = (_dot(cotangent, f(*_moved(args, wrt, directions, eps)))
               - _dot(cotangent, f(*_moved(args, wrt, directions, -eps)))) / (2 * eps)
    if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
        name = getattr(f, "__qualname__", repr(f))
        raise GradientCheckError(
            f"reverse-mode derivative of {name} disagrees with finite differences: "
            f"directional derivative {analytic!r} (generated) vs {numeric!r} (numeric), "
            f"difference {abs(analytic - numeric):.3g}",
            hint="if the function is not smooth at these arguments, move them away from the "
                 "kink; otherwise please report this with the function and arguments.")


# Arguments may be lists, tuples and dicts of arrays: the helpers below work entry by entry.


def _entries(value: Any) -> list:
    if type(value) is dict:
        return list(value.values())
    return list(value) if type(value) in (list, tuple) else []


def _rebuild(like: Any, entries: list) -> Any:
    if type(like) is dict:
        return dict(zip(like.keys(), entries))
    return type(like)(entries)


def _shapes(value: Any) -> Any:
    if type(value) in (list, tuple, dict):
        return [_shapes(entry) for entry in _entries(value)]
    return np.shape(value)


def _as_float64(value: Any) -> Any:
    if type(value) in (list, tuple, dict):
        return _rebuild(value, [_as_float64(entry) for entry in _entries(value)])
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, np.floating):
        return np.float64(value)
    return value


def _is_float(value: Any) -> bool:
    if type(value) in (list, tuple, dict):
        return bool(_entries(value)) and all(_is_float(entry) for entry in _entries(value))
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (float, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f")


def _random_like(rng: np.random.Generator, value: Any) -> Any:
    if type(value) in (list, tuple, dict):
        return _rebuild(value, [_random_like(rng, entry) for entry in _entries(value)])
    sample = rng.standard_normal(np.shape(value))
    return float(sample) if np.ndim(value) == 0 else sample


def _dot(a: Any, b: Any) -> float:
    if type(b) in (list, tuple, dict):
        return sum(_dot(p, q) for p, q in zip(_entries(a), _entries(b)))
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def _moved(args: Sequence[Any], wrt: Sequence[int], directions: Sequence[Any], step: float) -> list:
    moved = list(args)
    for i, v in zip(wrt, directions):
        moved[i] = _step(args[i], v, step)
    return moved


def _step(value: Any, direction: Any, step: float) -> Any:
    if type(value) in (list, tuple, dict):
        return _rebuild(value, [_step(p, q, step) for p, q in
                                zip(_entries(value), _entries(direction))])
    if isinstance(value, float):
        return float(value + step * direction)
    return value + step * direction
