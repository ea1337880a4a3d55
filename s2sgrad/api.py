"""The functional API: grad, value_and_grad, vjp and source.

Each transform wraps the user's function in a small callable that, on call, checks that its cached
derivative is still valid (a few identity tests), calls the generated code, and gives every
gradient the type, shape and dtype of its input. Generation happens on the first call (or on
`source()`), once per function, wrt and kind.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

import numpy as np

from . import persistent, pipeline, runtime
from .cache import CACHE, is_valid
from .errors import Location, NonScalarOutputError, S2sgradError, WrtError
from .frontend.source import _plain_function

Wrt = Union[int, str, Sequence[Union[int, str]]]
_NO_DEFAULT = object()
_CONTAINER_TYPES = (list, tuple, dict)
_PLAIN_TYPES = (str, bytes, bool, complex, type(None), np.ndarray, np.generic)


def _is_object(value: Any) -> bool:
    """A function or an object passed as an argument (not data): the derivative is specialized
    for it, so that its calls resolve when the code is generated."""
    if isinstance(value, _PLAIN_TYPES) or isinstance(value, type) or \
            type(value) in _CONTAINER_TYPES or type(value) in (float, int):
        return False
    return callable(value) or isinstance(value, types.ModuleType) or \
        type(value).__module__ not in ("builtins", "numpy")
_SCALAR = ("scalar",)


class _Parameter:
    """Where a differentiated argument is found in a call: position, keyword or default."""

    __slots__ = ("name", "position", "default", "varargs")

    def __init__(self, name: str, position: Optional[int], default: Any, varargs: bool = False):
        self.name, self.position, self.default = name, position, default
        self.varargs = varargs     # `*args`: the tuple of the extra positional arguments

    def value(self, args: tuple, kwargs: dict) -> Any:
        if self.varargs:
            return tuple(args[self.position:])
        if self.position is not None and self.position < len(args):
            return args[self.position]
        return kwargs.get(self.name, self.default)


class Derived:
    """A derivative of a user function, generated on first use and cached."""

    def __init__(self, fn: Callable, wrt: Wrt, kind: str, verbose: int = 0):
        # A derivative of a derivative (grad(grad(f)), jvp(grad(f), ...)) differentiates the
        # code generated for the inner one, for the variant the arguments select.
        self._inner: Optional[Derived] = fn if isinstance(fn, Derived) else None
        self._outer: Dict[int, Tuple[Callable, Derived]] = {}
        self._wrt_spec = wrt
        if self._inner is not None:
            if self._inner._kind not in ("grad", "jvp", "pushforward"):
                raise S2sgradError(
                    f"cannot differentiate a {self._inner._kind} function again",
                    hint="differentiate s2sgrad.grad(f) or s2sgrad.pushforward(f).")
            fn = self._inner._fn
        self._fn = _plain_function(fn)
        self._kind = kind
        self._verbose = verbose
        if wrt == () and kind == "vjp":   # a callee differentiated only for the Variables it
            self._params, self._single = [], False   # reads (see transforms.free_values)
        else:
            self._params, self._single = _normalize_wrt(self._fn, wrt)
        code = self._fn.__code__    # `*args` is always a tuple: a container
        self._varargs = {code.co_varnames[code.co_argcount + code.co_kwonlyargcount]} \
            if code.co_flags & inspect.CO_VARARGS else set()
        self._wrt = tuple(p.name for p in self._params)
        self._derivative: Optional[pipeline.Derivative] = None
        self._entry: List[Callable] = []
        self._variants: Dict[Tuple, Tuple[pipeline.Derivative, List[Callable]]] = {}
        self._shown: Optional[pipeline.Derivative] = None   # the variant called last
        functools.update_wrapper(self, self._fn, updated=())

    def generated_functions(self, containers: Tuple[str, ...] = (),
                            dicts: Tuple[str, ...] = (),
                            known: Optional[Dict[str, Any]] = None) -> List[Callable]:
        """The generated functions behind this derivative (generated on first use, cached).

        `containers`: the parameters that receive lists, tuples or dicts, for which a variant
        of the derivative is generated (their adjoints are containers too); `dicts`: those of
        them that receive dicts (iterating over them gives keys); `known`: parameters given
        functions or objects, for which the variant is specialized (their calls and method calls
        are resolved when the code is generated; a new object gets a variant of its own).
        """
        if containers or self._varargs or known:
            containers = tuple(sorted(set(containers) | self._varargs))
            identities = tuple(sorted((name, id(obj)) for name, obj in (known or {}).items()))
            return self._variant(("variant", containers, dicts, identities), known)
        derivative = self._derivative
        if derivative is None or not is_valid(derivative, self._fn):
            derivative = CACHE.get(self._fn, (self._wrt, self._kind, self._single),
                                   self._generate)
            self._entry = pipeline.bind(derivative, self._fn)
            self._derivative = derivative
        self._shown = derivative
        return self._entry

    def entry_for(self, args: tuple, kwargs: dict) -> Callable:
        """The generated function to call with these arguments.

        Scalar code called with Python numbers only gets its scalar variant (no
        un-broadcasting; see `pipeline.compile_reverse`): two type tests per argument decide.
        Lists, tuples and dicts among the arguments get the variant for containers.
        """
        return self.functions_for(args, kwargs)[0]

    def functions_for(self, args: tuple, kwargs: dict) -> List[Callable]:
        """The generated functions (entry first) of the variant that fits these arguments:
        Python numbers only: the scalar variant; lists, tuples, dicts, functions or objects
        among them: a variant for those; otherwise the general one."""
        if self._inner is not None:
            return self._of_inner(args, kwargs)
        numbers = not kwargs
        special = False
        for value in args:
            kind = type(value)
            if kind is float or kind is int:
                continue
            numbers = False
            if kind is not np.ndarray and (kind in _CONTAINER_TYPES or _is_object(value)):
                special = True
        if kwargs and any(type(v) in _CONTAINER_TYPES or _is_object(v) for v in kwargs.values()):
            special = True
        if special:
            return self.generated_functions(*self._special_parameters(args, kwargs))
        code = self._fn.__code__     # every parameter passed (defaults could be arrays)
        if numbers and len(args) == code.co_argcount and not code.co_kwonlyargcount:
            known = self._variants.get(_SCALAR)
            if known is not None and is_valid(known[0], self._fn):
                self._shown = known[0]
                return known[1]
            entry = self.generated_functions()
            return self._variant(_SCALAR) if self._derivative.scalar_capable else entry
        return self.generated_functions()

    def _of_inner(self, args: tuple, kwargs: dict,
                  inner_args: Optional[tuple] = None) -> List[Callable]:
        """A derivative of the inner derivative's generated function for these arguments
        (`inner_args`: those the inner one takes, when this one takes more)."""
        assert self._inner is not None
        if inner_args is not None:   # (the tangents after them are no parameters of `inner`)
            args = inner_args
        inner = self._inner.functions_for(args, kwargs)[0]
        known = self._outer.get(id(inner))
        if known is None or known[0] is not inner:
            known = self._outer[id(inner)] = (inner, Derived(inner, self._wrt_spec, self._kind,
                                                             self._verbose))
        functions = known[1].functions_for(args, kwargs)
        self._shown = known[1]._shown
        return functions

    def _special_parameters(self, args: tuple, kwargs: dict
                            ) -> Tuple[Tuple[str, ...], Tuple[str, ...], Dict[str, Any]]:
        """(the parameters given lists, tuples or dicts, those given dicts, and the parameters
        given functions or objects with their values)."""
        names = self._fn.__code__.co_varnames
        given = [(names[i], a) for i, a in enumerate(args) if i < len(names)] + \
            list(kwargs.items())
        return (tuple(sorted(n for n, a in given if type(a) in _CONTAINER_TYPES)),
                tuple(sorted(n for n, a in given if type(a) is dict)),
                {n: a for n, a in given if _is_object(a)})

    def _variant(self, key: Tuple, objects: Optional[Dict[str, Any]] = None) -> List[Callable]:
        """The functions of a variant: `_SCALAR`, or ("variant", containers, dicts, the ids of
        the objects it is specialized for), the objects themselves in `objects`."""
        known = self._variants.get(key)
        if known is None or not is_valid(known[0], self._fn):
            options: Dict[str, Any] = {"scalar": True} if key == _SCALAR else \
                {"containers": key[1], "dicts": key[2], "known": objects}
            derivative = CACHE.get(self._fn, (self._wrt, self._kind, self._single) + key,
                                   lambda: self._generate(**options))
            known = self._variants[key] = (derivative, pipeline.bind(derivative, self._fn))
        self._shown = known[0]
        return known[1]

    def _generate(self, scalar: bool = False, containers: Tuple[str, ...] = (),
                  dicts: Tuple[str, ...] = (),
                  known: Optional[Dict[str, Any]] = None) -> pipeline.Derivative:
        def build() -> pipeline.Derivative:
            if self._kind in ("jvp", "pushforward"):
                return pipeline.compile_forward(self._fn, self._wrt, scalar=scalar,
                                                containers=containers, dicts=dicts,
                                                kind=self._kind, known=known)
            return pipeline.compile_reverse(self._fn, self._wrt, self._kind,
                                            single=self._single, scalar=scalar,
                                            containers=containers, dicts=dicts, known=known)

        if known:       # specialized for objects passed in: generated in each process
            derivative = build()
        else:
            request = (self._kind, self._wrt, self._single, scalar, containers, dicts)
            derivative = persistent.fetch_or_build(self._fn, request, build)
        if self._verbose:
            print(derivative.source)
        return derivative

    @property
    def source(self) -> str:
        """The generated source of this derivative (the variant called last: for Python numbers,
        for lists...), then that of the functions it calls."""
        if self._shown is None and self._inner is not None:
            raise S2sgradError("the source of a derivative of a derivative exists once it has "
                               "been called", hint="call it once, then ask for its source.")
        if self._shown is None:
            self.generated_functions()
        shown = self._shown
        assert shown is not None
        parts, seen = [shown.source], {id(shown)}
        pending = _called_variants(shown)
        while pending:
            callee, derivative, aliases = pending.pop(0)
            if derivative is None or id(derivative) in seen:
                continue
            seen.add(id(derivative))
            renamed = [f"{alias} ({name})" if alias != name else alias
                       for alias, name in aliases]
            called = f", called above as {', '.join(renamed)}" \
                if any(alias != name for alias, name in aliases) else ""
            parts.append(f"# ---- called above: {callee._fn.__qualname__} "
                         f"(its forward and backward passes{called})\n{derivative.source}")
            pending.extend(_called_variants(derivative))
        return "\n\n".join(parts)

    def _finish(self, grads: Any, args: tuple, kwargs: dict) -> Any:
        if self._single:
            return _finalize(grads, self._params[0], args, kwargs)
        out = []
        for grad, param in zip(grads, self._params):
            primal = param.value(args, kwargs)
            if not (type(grad) is np.ndarray and type(primal) is np.ndarray
                    and grad.base is None and grad.dtype is primal.dtype
                    and grad.dtype.kind == "f" and grad.shape == primal.shape
                    and grad is not primal and grad.flags.writeable):
                grad = _finalize(grad, param, args, kwargs)   # (else: a fresh float array of
            #                                                    the generated code, as is)
            if type(grad) is np.ndarray and any(grad is previous for previous in out):
                grad = grad.copy()   # two arguments must not share one gradient array
            out.append(grad)
        return tuple(out)

    def _nonscalar(self, exc: runtime.NonScalarOutput) -> NonScalarOutputError:
        assert self._derivative is not None
        if exc.complex_value:
            return NonScalarOutputError(
                f"grad needs a real scalar output, but {self._fn.__qualname__} returned a "
                "complex value", self._derivative.output_location,
                "differentiate a real loss: np.real(z), np.abs(z) ** 2 or "
                "np.real(z * np.conj(z)) (see docs/custom_rules.md and rules/complex.py for "
                "the convention of complex adjoints).")
        return NonScalarOutputError(
            f"grad needs a scalar output, but {self._fn.__qualname__} returned a value of shape "
            f"{exc.shape}", self._derivative.output_location,
            "reduce the output to a scalar (np.sum, np.mean), or use s2sgrad.vjp / "
            "s2sgrad.jacobian for non-scalar outputs.")

    def __repr__(self) -> str:
        return f"<s2sgrad {self._kind} of {self._fn.__qualname__} wrt {', '.join(self._wrt)}>"


class GradFunction(Derived):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        entry = self.entry_for(args, kwargs)
        try:
            grads = entry(*args, **kwargs)
        except runtime.NonScalarOutput as exc:
            raise self._nonscalar(exc) from None
        return self._finish(grads, args, kwargs)


class PushforwardFunction(Derived):
    """`pushforward(f, wrt)(*args, t)`: the derivative of `f` at `args` in the direction `t` of
    the argument `wrt` (forward mode), a function that can be differentiated again."""

    def functions_for(self, args: tuple, kwargs: dict) -> List[Callable]:
        count = len(self._params)
        own = args[:-count] if count else args      # the arguments before the tangents
        if self._inner is not None:
            return self._of_inner(args, kwargs, own)
        return super().functions_for(own, kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        (entry,) = self.functions_for(args, kwargs)
        # The tangents go by name (they follow defaults, or are keyword-only): this level's
        # last, those of the pushforwards it differentiates before them.
        level: Any = self
        while isinstance(level, PushforwardFunction) and level._shown is not None:
            count = len(level._params)
            names = level._shown.tangents
            if len(names) != count or len(args) < count:
                break
            kwargs = dict(kwargs, **dict(zip(names, args[len(args) - count:])))
            args = args[:len(args) - count]
            level = level._inner
        return entry(*args, **kwargs)


class ValueAndGradFunction(Derived):
    def __call__(self, *args: Any, **kwargs: Any) -> Tuple[Any, Any]:
        entry = self.entry_for(args, kwargs)
        try:
            value, grads = entry(*args, **kwargs)
        except runtime.NonScalarOutput as exc:
            raise self._nonscalar(exc) from None
        return value, self._finish(grads, args, kwargs)


def grad(fn: Optional[Callable] = None, wrt: Wrt = 0, *, verbose: int = 0) -> Any:
    """The gradient of scalar-valued `fn` with respect to the argument(s) `wrt`.

    Usable as `@grad`, `@grad(wrt=...)` or `grad(f, wrt=...)`. `wrt` takes positions or names; a
    tuple gives a tuple of gradients. `verbose=1` prints the generated source when it is made.
    """
    if fn is None:
        return lambda f: GradFunction(f, wrt, "grad", verbose)
    return GradFunction(fn, wrt, "grad", verbose)


def value_and_grad(fn: Optional[Callable] = None, wrt: Wrt = 0, *, verbose: int = 0) -> Any:
    """Like `grad`, but the derivative returns `(fn(...), gradient)` from one evaluation."""
    if fn is None:
        return lambda f: ValueAndGradFunction(f, wrt, "value_and_grad", verbose)
    return ValueAndGradFunction(fn, wrt, "value_and_grad", verbose)


def vjp(fn: Callable, *primals: Any, verbose: int = 0) -> Tuple[Any, Callable]:
    """Evaluate `fn(*primals)` and return `(value, vjp_fn)`.

    `vjp_fn(cotangent)` returns a tuple with one gradient per primal: the vector-Jacobian product
    of `cotangent` (shaped like the value) with the Jacobian of `fn` at `primals`. The forward
    pass runs once; `vjp_fn` may be called many times.
    """
    derived = Derived(fn, tuple(range(len(primals))), "vjp", verbose)
    forward, backward = derived.functions_for(primals, {})
    value, residuals = forward(*primals)
    records = Records(residuals, derived._shown)
    params = derived._params
    value_shape = None if isinstance(value, tuple) else np.shape(value)

    def vjp_fn(cotangent: Any) -> Tuple[Any, ...]:
        if not isinstance(value, tuple) and np.shape(cotangent) != value_shape:
            raise ValueError(f"the cotangent has shape {np.shape(cotangent)} but "
                             f"{derived._fn.__qualname__} returned shape {value_shape}")
        grads = backward(*records.fresh(), cotangent)
        return tuple(_finalize(g, p, primals, {}) for g, p in zip(grads, params))

    vjp_fn._s2sgrad_source = derived.source  # type: ignore[attr-defined]
    return value, vjp_fn


def pushforward(fn: Callable, wrt: Wrt = 0, *, verbose: int = 0) -> PushforwardFunction:
    """`pushforward(f, wrt)(*args, t)`: the derivative of `f` at `args` in the direction `t` (one
    tangent per `wrt` argument, after the arguments): `sg.jvp`'s tangent, as a function that
    s2sgrad can differentiate again (`sg.grad(sg.pushforward(f))` is reverse-over-forward)."""
    return PushforwardFunction(fn, wrt, "pushforward", verbose)


def jvp(fn: Callable, primals: Sequence[Any], tangents: Sequence[Any],
        verbose: int = 0) -> Tuple[Any, Any]:
    """Evaluate `fn(*primals)` and its derivative in the direction `tangents` (forward mode).

    Returns `(value, tangent)`: the Jacobian of `fn` at `primals` applied to `tangents`, one
    tangent per primal, shaped like it (`None` for an argument that is not differentiated, such
    as an int). The derivative is generated as source, once, and cached like every other.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise S2sgradError(f"jvp got {len(primals)} primals but {len(tangents)} tangents",
                           hint="pass one tangent per primal (None for arguments that are not "
                                "differentiated).")
    wrt = tuple(i for i, t in enumerate(tangents) if t is not None)
    for i in wrt:
        _refuse_integer(primals[i], _argument_name(fn, i), "give None as its tangent")
    derived = Derived(fn, wrt, "jvp", verbose)
    (entry,) = derived.functions_for(primals, {})
    names = derived._shown.tangents
    value, tangent = entry(*primals, **{name: tangents[i] for name, i in zip(names, wrt)})
    return value, _tangent_like(tangent, value)


def _tangent_like(tangent: Any, value: Any) -> Any:
    """The output tangent with the type and shape of the value (a float for a float)."""
    return runtime.finalize_grad(tangent, value)


def _called_variants(derivative: pipeline.Derivative
                     ) -> List[Tuple["Derived", Optional[pipeline.Derivative],
                                     List[Tuple[str, str]]]]:
    """For each callee: the variant of its derivative this code calls (the one whose functions
    it holds), and the names it calls them by, with their own names (a caller may call
    `layer_forward` as `layer_forward_1` when two variants are in use)."""
    out = []
    for callee in _callees(derivative):
        variants = [callee._derivative] + [v[0] for v in callee._variants.values()]
        found = None
        aliases: List[Tuple[str, str]] = []
        for variant in variants:
            if variant is None:
                continue
            aliases = [(alias, obj.__name__) for alias, obj in derivative.code.helpers.items()
                       if getattr(obj, "_s2sgrad_loaded", None) is variant.code]
            if aliases:
                found = variant
                break
        out.append((callee, found or callee._shown, aliases))
    return out


def _callees(derivative: pipeline.Derivative) -> List["Derived"]:
    """The derivatives of the functions `derivative` calls: those its guards name, and those its
    run-time call sites (`model(x)`) have generated so far."""
    from .runtime.dynamic import DynamicCall

    found = [guard.derived for guard in derivative.guards if hasattr(guard, "derived")]
    for helper in derivative.code.helpers.values():
        if isinstance(helper, DynamicCall):
            found.extend(helper.derived())
    return found


class Records:
    """What one forward pass recorded, for as many backward passes as asked (`vjp_fn`, the rows
    of a Jacobian). A backward pass pops the stacks: each gets copies of them. When it also
    writes back into recorded arrays (undoing in-place writes, see `pipeline.Derivative`), the
    first pass gets the arrays themselves (so that the caller's arguments are given back as they
    were), every later one copies of a copy made before the first."""

    def __init__(self, residuals: Tuple[Any, ...], derivative: Optional[pipeline.Derivative]):
        self.residuals = residuals
        self.arrays = derivative is None or _restores_records(derivative, set())
        self.kept = _copied(residuals, True, {}) if self.arrays else residuals
        self.passes = 0

    def fresh(self) -> Tuple[Any, ...]:
        self.passes += 1
        if self.passes == 1 or not self.arrays:
            return _copied(self.residuals, False, {})
        return _copied(self.kept, True, {})


def _restores_records(derivative: pipeline.Derivative, seen: Set[int]) -> bool:
    """Whether the backward pass of `derivative`, or of a callee it calls, restores arrays."""
    if derivative.restores:
        return True
    seen.add(id(derivative))
    for callee, variant, _ in _called_variants(derivative):
        if variant is None:
            return True          # (not generated yet: no telling)
        if id(variant) not in seen and _restores_records(variant, seen):
            return True
    return False


def _copied(value: Any, arrays: bool, memo: Dict[int, Any]) -> Any:
    """Copies of the lists (stacks) in records, also inside callees' records, and with `arrays`
    of the arrays; a value held in two places is copied once (both places hold the copy)."""
    kind = type(value)
    if kind is tuple:
        return tuple(_copied(item, arrays, memo) for item in value)
    if kind is not list and not (arrays and isinstance(value, np.ndarray)):
        return value
    known = memo.get(id(value))
    if known is None:
        known = memo[id(value)] = [_copied(item, arrays, memo) for item in value] \
            if kind is list else value.copy()
    return known


def source(derivative: Any) -> str:
    """The generated Python source of a derivative made by s2sgrad."""
    if isinstance(derivative, Derived):
        return derivative.source
    composed = getattr(derivative, "_s2sgrad_derived", None)   # hvp, hessian: what they call
    if isinstance(composed, Derived):
        return composed.source
    text = getattr(derivative, "_s2sgrad_source", None)
    if text is not None:
        return text
    loaded = getattr(derivative, "_s2sgrad_loaded", None)
    if loaded is not None:
        return loaded.source
    raise S2sgradError(f"{derivative!r} is not a derivative made by s2sgrad",
                       hint="pass what s2sgrad.grad, value_and_grad or vjp returned.")


def _finalize(grad: Any, param: _Parameter, args: tuple, kwargs: dict) -> Any:
    primal = param.value(args, kwargs)
    _refuse_integer(primal, param.name, "leave it out of wrt")
    return runtime.finalize_grad(grad, primal)


def _argument_name(fn: Any, position: int) -> Union[str, int]:
    """The name of parameter `position` of `fn` (of the function a derivative is of), if known."""
    while isinstance(fn, Derived):       # a derivative takes its function's arguments first
        fn = fn._fn
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is not None and position < code.co_argcount:
        return code.co_varnames[position]
    return position


def _refuse_integer(primal: Any, name: Union[str, int], instead: str) -> None:
    """Integers and booleans are not differentiated: asking for their derivative is an error."""
    if isinstance(primal, (bool, int, np.integer, np.bool_)) or (
            isinstance(primal, np.ndarray) and primal.dtype.kind in "biu"):
        kind = "a boolean" if isinstance(primal, (bool, np.bool_)) or (
            isinstance(primal, np.ndarray) and primal.dtype.kind == "b") else "an integer"
        example = f"for {name} (e.g. {name}=3.0 or x.astype(float))" if isinstance(name, str) \
            else "(e.g. 3.0 or x.astype(float))"
        raise WrtError(f"cannot differentiate with respect to argument {name!r}: it is {kind} "
                       f"({type(primal).__name__}), not a float",
                       hint=f"pass a float value {example}, or {instead}.")


def _normalize_wrt(fn: types.FunctionType, wrt: Wrt) -> Tuple[List[_Parameter], bool]:
    """The parameters named by `wrt`, and whether a single gradient (not a tuple) is returned."""
    code = fn.__code__
    positional = list(code.co_varnames[:code.co_argcount])
    keyword_only = list(code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount])
    varargs = code.co_varnames[len(positional) + len(keyword_only)] \
        if code.co_flags & inspect.CO_VARARGS else None
    defaults = dict(zip(positional[len(positional) - len(fn.__defaults__ or ()):],
                        fn.__defaults__ or ()))
    defaults.update(fn.__kwdefaults__ or {})
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise _wrt_error(fn, "wrt is empty", positional + keyword_only)
    params: List[_Parameter] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise _wrt_error(fn, f"wrt entries must be argument positions or names, got {item!r}",
                             positional + keyword_only)
        if isinstance(item, int):
            if not 0 <= item < len(positional):
                raise _wrt_error(fn, f"wrt={item} is out of range: {fn.__qualname__} has "
                                 f"{len(positional)} positional argument(s)",
                                 positional + keyword_only)
            name = positional[item]
        else:
            name = item
            if name == varargs:
                params.append(_Parameter(name, len(positional), (), varargs=True))
                continue
            if name not in positional and name not in keyword_only:
                raise _wrt_error(fn, f"{fn.__qualname__} has no argument named {name!r}",
                                 positional + keyword_only)
        if any(p.name == name for p in params):
            raise _wrt_error(fn, f"argument {name!r} appears twice in wrt",
                             positional + keyword_only)
        position = positional.index(name) if name in positional else None
        params.append(_Parameter(name, position, defaults.get(name, _NO_DEFAULT)))
    return params, single


def _wrt_error(fn: types.FunctionType, message: str, names: List[str]) -> WrtError:
    import linecache

    code = fn.__code__
    line = linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n")
    listing = ", ".join(f"{i}: {n}" if i < code.co_argcount else n for i, n in enumerate(names))
    return WrtError(message, Location(code.co_filename, code.co_firstlineno, 0, line),
                    f"choose wrt among the arguments of {fn.__qualname__} ({listing}), by "
                    "position or by name; a tuple of them gives a tuple of gradients.")
