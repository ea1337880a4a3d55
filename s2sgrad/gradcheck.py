"""Numeric checks of generated derivatives against central finite differences.

`check_grads(f, args)` draws a random direction `v` for the differentiated arguments and a random
cotangent `u` for the output, and compares the generated vector-Jacobian product, `<vjp(u), v>`,
with the central difference `(<u, f(x + eps v)> - <u, f(x - eps v)>) / (2 eps)`. One dot-product
test checks every entry of the Jacobian at once (in a random combination), for outputs of any shape.
The check runs in float64 whatever the arguments' dtype.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Tuple, Union

import numpy as np

from .errors import GradientCheckError, S2sgradError, WrtError

_MODES = ("fwd", "rev")


def check_grads(f: Callable, args: Sequence[Any], order: int = 1,
                modes: Tuple[str, ...] = ("fwd", "rev"),
                wrt: Union[int, Sequence[int], None] = None, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-7, seed: int = 0) -> None:
    """Raise `GradientCheckError` unless f's generated derivatives match finite differences.

    `wrt`: the position of the argument to check, or a list of them; it defaults to every
    floating-point argument (lists, tuples and dicts of them included).
    Order 1: reverse mode (`"rev"`) by the dot-product test `<vjp(u), v>` against the central
    difference of `<u, f>` along a random `v`; forward mode (`"fwd"`) by `<u, jvp(v)>` against the
    same difference; with both, the two must also agree with each other to rounding.
    Order 2 (for scalar `f`): the Hessian times a random direction `v`, by each composition of
    the modes asked for (reverse-over-reverse, forward-over-reverse, reverse-over-forward,
    forward-over-forward), against the central difference of the gradient along `v` and against
    each other. Order 2 includes the order-1 checks.
    """
    unknown = [m for m in modes if m not in _MODES]
    if unknown or not modes or order not in (1, 2, 3):
        raise S2sgradError(f"check_grads(order={order}, modes={tuple(modes)}): modes are 'fwd' "
                           "and 'rev', orders 1, 2 and 3",
                           hint="e.g. order=2, modes=('fwd', 'rev').")
    args = [_as_float64(a) for a in args]
    if wrt is None:
        wrt = [i for i, a in enumerate(args) if _is_float(a)]
    wrt = [wrt] if isinstance(wrt, int) else list(wrt)
    wrong = [i for i in wrt if not isinstance(i, int) or not 0 <= i < len(args)]
    if wrong:
        raise WrtError(f"check_grads(wrt={wrong[0]!r}): the positions of the arguments to "
                       f"check, among the {len(args)} passed",
                       hint=f"e.g. wrt=0 or wrt=[0, 1] (positions from 0 to {len(args) - 1}).")
    rng = np.random.default_rng(seed)
    name = getattr(f, "__qualname__", repr(f))
    value = f(*[_copy(a) for a in args])
    cotangent = _random_like(rng, value)
    directions = [_random_like(rng, args[i]) for i in wrt]
    numeric = (_dot(cotangent, f(*_moved(args, wrt, directions, eps)))
               - _dot(cotangent, f(*_moved(args, wrt, directions, -eps)))) / (2 * eps)
    found = {}
    if "rev" in modes:
        found["reverse mode"] = _reverse(f, args, wrt, cotangent, directions, name)
    if "fwd" in modes:
        found["forward mode"] = _dot(cotangent, _forward(f, args, wrt, directions))
    for label, analytic in found.items():
        _compare(name, label, analytic, numeric, rtol, atol, "finite differences")
    if len(found) == 2:
        _compare(name, "reverse mode", found["reverse mode"], found["forward mode"], 1e-9, 1e-12,
                 "forward mode")
    if order >= 2:
        _second_order(f, args, wrt, directions, modes, name, eps, rtol, atol, rng)
    if order == 3:
        _third_order(f, args, wrt, name, rtol, atol, rng)


def _reverse(f: Callable, args: list, wrt: list, cotangent: Any, directions: list,
             name: str) -> float:
    from .api import Derived  # the API builds on this module's callers; import lazily
    from .runtime.values import finalize_grad

    forward, backward = Derived(f, tuple(wrt), "vjp").functions_for(tuple(args), {})
    value, residuals = forward(*[_copy(a) for a in args])
    grads = backward(*residuals, cotangent)
    for i, grad in zip(wrt, grads):
        if _shapes(grad) != _shapes(args[i]):
            raise GradientCheckError(
                f"the generated gradient for argument {i} of {name} has shape {_shapes(grad)}, "
                f"but the argument has shape {_shapes(args[i])}",
                hint="a derivative rule probably forgets to un-broadcast (sum the adjoint back "
                     "to its input's shape with s2sgrad.runtime.unbroadcast).")
    # As the API returns them: a complex adjoint of a real argument reduced to its real part
    grads = [finalize_grad(g, args[i]) for i, g in zip(wrt, grads)]
    return sum(_dot(g, v) for g, v in zip(grads, directions))


def _forward(f: Callable, args: list, wrt: list, directions: list) -> Any:
    from .api import jvp

    tangents: list = [None] * len(args)
    for i, v in zip(wrt, directions):
        tangents[i] = v
    return jvp(f, [_copy(a) for a in args], tangents)[1]


def _second_order(f: Callable, args: list, wrt: list, directions: list, modes: Tuple[str, ...],
                  name: str, eps: float, rtol: float, atol: float,
                  rng: np.random.Generator) -> None:
    """H v for scalar f, by every composition of `modes`, against differences of the gradient."""
    from .api import Derived, GradFunction, PushforwardFunction, jvp

    if np.ndim(f(*[_copy(a) for a in args])) != 0:
        raise S2sgradError(f"check_grads(order=2) needs a scalar output; {name} returns shape "
                           f"{np.shape(f(*args))}", hint="check a scalar function of it.")
    position = tuple(wrt)
    gradient = GradFunction(f, position, "grad")

    def gradient_at(moved: list) -> list:
        return list(gradient(*[_copy(a) for a in moved]))

    plus = gradient_at(_moved(args, wrt, directions, eps))
    minus = gradient_at(_moved(args, wrt, directions, -eps))
    weights = [_random_like(rng, args[i]) for i in wrt]
    numeric = sum(_dot(w, p) - _dot(w, m) for w, p, m in zip(weights, plus, minus)) / (2 * eps)
    found = {}
    if "rev" in modes:
        forward, backward = Derived(gradient, position, "vjp").functions_for(tuple(args), {})
        _, residuals = forward(*[_copy(a) for a in args])
        seeds = backward(*residuals, tuple(weights))
        found["reverse-over-reverse"] = sum(_dot(s, v) for s, v in zip(seeds, directions))
    if "rev" in modes and "fwd" in modes:
        tangents: list = [None] * len(args)
        for i, v in zip(wrt, directions):
            tangents[i] = v
        product = jvp(gradient, [_copy(a) for a in args], tangents)[1]
        found["forward-over-reverse"] = sum(_dot(w, p) for w, p in zip(weights, product))
        along = PushforwardFunction(f, position, "pushforward")
        outer = GradFunction(along, position, "grad")
        product = outer(*[_copy(a) for a in args], *directions)
        found["reverse-over-forward"] = sum(_dot(w, p) for w, p in zip(weights, product))
    if "fwd" in modes:
        along = PushforwardFunction(f, position, "pushforward")
        twice = PushforwardFunction(along, position, "pushforward")
        found["forward-over-forward"] = float(twice(*[_copy(a) for a in args], *directions,
                                                    *weights))
    _agree(name, found, numeric, "finite differences of the gradient",
           (max(rtol, 1e-4), max(atol, 1e-6)), (1e-8, 1e-10))


def _third_order(f: Callable, args: list, wrt: list, name: str, rtol: float, atol: float,
                 rng: np.random.Generator) -> None:
    """The third derivative of scalar f along three random directions u, v, w, by four
    compositions (forward-over-forward-over-forward, reverse-over-forward-over-forward,
    forward-over-reverse-over-forward, forward-over-forward-over-reverse), against central
    differences of the second derivative (forward over forward) and against each other."""
    from .api import GradFunction, PushforwardFunction

    position = tuple(wrt)
    u, v, w = ([_random_like(rng, args[i]) for i in wrt] for _ in range(3))

    def forward(fn: Any) -> PushforwardFunction:
        return PushforwardFunction(fn, position, "pushforward")

    def reverse(fn: Any) -> GradFunction:
        return GradFunction(fn, position, "grad")

    def call(fn: Any, *tangents: list) -> Any:
        result = fn(*[_copy(a) for a in args], *[t for group in tangents for t in group])
        return result if isinstance(result, tuple) else (result,)

    second = forward(forward(f))
    eps = 1e-4
    plus = second(*_moved(args, wrt, u, eps), *v, *w)
    minus = second(*_moved(args, wrt, u, -eps), *v, *w)
    numeric = (float(plus) - float(minus)) / (2 * eps)
    found = {
        "forward-over-forward-over-forward": float(forward(second)(
            *[_copy(a) for a in args], *v, *w, *u)),
        "reverse-over-forward-over-forward": sum(
            _dot(g, d) for g, d in zip(call(reverse(second), v, w), u)),
        "forward-over-reverse-over-forward": sum(
            _dot(g, d) for g, d in zip(call(forward(reverse(forward(f))), v, u), w)),
        "forward-over-forward-over-reverse": sum(
            _dot(g, d) for g, d in zip(call(forward(forward(reverse(f))), v, u), w)),
    }
    _agree(name, found, numeric, "finite differences of the second derivative",
           (max(rtol, 1e-3), max(atol, 1e-5)), (1e-7, 1e-9))


def _agree(name: str, found: dict, numeric: float, against: str,
           numeric_tolerance: Tuple[float, float], mutual_tolerance: Tuple[float, float]) -> None:
    """Each composition against the finite difference, then all against the first."""
    for label, analytic in found.items():
        _compare(name, label, analytic, numeric, *numeric_tolerance, against)
    reference = next(iter(found))
    for label, analytic in found.items():
        _compare(name, label, analytic, found[reference], *mutual_tolerance, reference)


def _compare(name: str, label: str, analytic: float, reference: float, rtol: float, atol: float,
             against: str) -> None:
    if not np.isclose(analytic, reference, rtol=rtol, atol=atol):
        raise GradientCheckError(
            f"{label} derivative of {name} disagrees with {against}: directional derivative "
            f"{analytic!r} vs {reference!r}, difference {abs(analytic - reference):.3g}",
            hint="if the function is not smooth at these arguments, move them away from the "
                 "kink; otherwise please report this with the function and arguments.")


def _copy(value: Any) -> Any:
    """A copy of an argument (a function may write into its arguments)."""
    if type(value) in (list, tuple, dict):
        return _rebuild(value, [_copy(entry) for entry in _entries(value)])
    return value.copy() if isinstance(value, np.ndarray) else value


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
