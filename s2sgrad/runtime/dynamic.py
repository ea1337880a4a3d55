"""Calls whose callee is only known when the code runs: `f(x)` with `f` an argument, `model(x)`
with `model` an object, `self.layer(x)`, `model.forward(x)`.

The compiler emits, for such a call site, a `DynamicCall` object holding what it knows statically
(which arguments carry derivatives, where the call is in the user's file), and asks it for the
callee's passes when the call runs:

    f_forward, f_backward = callee_passes(f_call, f, x)    # primal
    y, f_record = f_forward(x)
    f_grads = f_backward(f_record, by)                      # adjoint
    f_jvp = callee_tangents(f_call, f, x)                   # forward mode
    y, dy = f_jvp(x, dx)

The passes handed out are small Python functions with source of their own (`_Adapter`), calling
the callee's generated functions: generated code calling them is ordinary code calling run-time
functions, which s2sgrad differentiates again the same way (higher derivatives through callees
known only at run time).

On the first call with a given callee, `passes` finds the Python function behind it (a function;
the `__func__` of a bound method, with its `self`; the class's `__call__` for an object; for a
NumPy function, a one-line Python wrapper, so that its derivative rule applies; for a derivative
s2sgrad made, its generated function for these arguments) and gets its forward and backward
functions from the same generator and cache as any derivative, then keeps them in a table keyed
by the callee's code: later calls cost one dictionary lookup.
"""

from __future__ import annotations

import itertools
import linecache
import types
from typing import Any, Dict, Tuple

_wrapper_numbers = itertools.count()


class DynamicCall:
    """One call site whose callee is a run-time value."""

    def __init__(self, positions: Tuple[int, ...], keywords: Tuple[str, ...], where: Any):
        self.positions = positions      # positional arguments that carry derivatives
        self.keywords = keywords        # keyword arguments that carry derivatives
        self.where = where              # the user's errors.Location of the call
        self._derived: Dict[Any, Any] = {}

    def passes(self, fn: Any, *args: Any, **kwargs: Any) -> Tuple[Any, Any]:
        """(forward, backward) for this callee and these arguments: `forward(*args, **kwargs)`
        returns `(value, record)` and `backward(record, adjoint)` the adjoints of the
        differentiated arguments."""
        function, prefix = self._python_function(fn, args, kwargs)
        key = (function, len(args))
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = self._derive(function, len(prefix))
        forward, backward = derived.functions_for(prefix + args, kwargs)
        return _adapters(forward, backward, prefix, len(args), tuple(kwargs),
                         len(self.positions) + len(self.keywords))

    def tangent_pass(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """`jvp(*args, *tangents, **kwargs)` for this callee: its value and tangent, given the
        tangents of the differentiated arguments in order."""
        function, prefix = self._python_function(fn, args, kwargs)
        key = ("jvp", function, len(args))
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = self._derive(function, len(prefix), "jvp")
        (entry,) = derived.functions_for(prefix + args, kwargs)
        return _tangent_adapter(entry, prefix, len(args), tuple(kwargs),
                                tuple(derived._shown.tangents))

    def derived(self) -> list:
        """The derivatives this call site has generated (for `s2sgrad.source`)."""
        return list(self._derived.values())

    def _derive(self, function: types.FunctionType, shift: int, kind: str = "vjp") -> Any:
        from ..api import Derived    # the API drives the compiler that emits this helper
        from ..errors import S2sgradError

        code = function.__code__
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        try:
            wrt = tuple(names[shift + p] for p in self.positions) + self.keywords
        except IndexError:
            raise S2sgradError(f"this call passes more arguments than {function.__qualname__} "
                               "takes (or passes them through *args, which is not supported)",
                               self.where, "pass the arguments by name.") from None
        return Derived(function, wrt, kind)

    def _python_function(self, fn: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]
                         ) -> Tuple[types.FunctionType, Tuple[Any, ...]]:
        from ..api import Derived
        from ..rules import adjoint_rule

        arity = len(args)
        if isinstance(fn, Derived):      # a derivative s2sgrad made: its generated function
            return fn.functions_for(args, kwargs)[0], ()
        if adjoint_rule(fn) is not None:
            return _wrapper(fn, arity), ()
        library = (getattr(fn, "__module__", None) or "").split(".")[0] in ("numpy", "scipy")
        if isinstance(fn, types.FunctionType) and not library:
            return fn, ()
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType) \
                and not library:
            return fn.__func__, (fn.__self__,)
        call = getattr(type(fn), "__call__", None)
        if isinstance(call, types.FunctionType) and not library:
            return call, (fn,)
        from ..errors import NoDerivativeRuleError
        from ..naming import qualified_name

        raise NoDerivativeRuleError(
            f"this call reached {qualified_name(fn)}, which has no derivative rule and no "
            "Python source", self.where,
            "pass a Python function (or an object with a __call__ method written in Python), "
            "or register a rule with @s2sgrad.adjoint(...).")

    def __repr__(self) -> str:
        return f"<s2sgrad call site at {self.where}>"


_WRAPPERS: Dict[Tuple[int, int], types.FunctionType] = {}


def _wrapper(fn: Any, arity: int) -> types.FunctionType:
    """A Python function calling `fn` (a NumPy function with a rule), with readable source."""
    key = (id(fn), arity)
    known = _WRAPPERS.get(key)
    if known is not None and known.__globals__["fn"] is fn:
        return known
    params = ", ".join(f"x{k}" for k in range(max(arity, 1)))
    filename = f"<s2sgrad call wrapper {next(_wrapper_numbers)}>"
    text = f"def call(fn_args):\n    return fn({params})\n".replace("fn_args", params)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: Dict[str, Any] = {"fn": fn}
    exec(compile(text, filename, "exec"), namespace)
    _WRAPPERS[key] = namespace["call"]
    return namespace["call"]


def callee_passes(site: DynamicCall, fn: Any, *args: Any, **kwargs: Any) -> Tuple[Any, Any]:
    """The forward and backward passes of run-time callee `fn` at call site `site`."""
    return site.passes(fn, *args, **kwargs)


def callee_tangents(site: DynamicCall, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """The forward-mode pass of run-time callee `fn` at call site `site`."""
    return site.tangent_pass(fn, *args, **kwargs)


_ADAPTERS: Dict[Tuple, Any] = {}


def _adapters(forward: Any, backward: Any, prefix: Tuple[Any, ...], arity: int,
              keywords: Tuple[str, ...], differentiated: int) -> Tuple[Any, Any]:
    """Python functions with source calling a callee's generated passes: the callee's `self`
    (`prefix`) bound, the backward pass taking the record as one tuple."""
    key = ("vjp", forward, backward, tuple(id(p) for p in prefix), arity, keywords)
    known = _ADAPTERS.get(key)
    if known is not None and all(a is b for a, b in zip(known[2], prefix)):
        return known[0], known[1]
    residuals = backward.__code__.co_argcount - 1
    names = [f"x{k}" for k in range(arity)]
    bound = [f"bound_{k}" for k in range(len(prefix))]
    params = ", ".join(names + ([f"*, {', '.join(keywords)}"] if keywords else []))
    passed = ", ".join(bound + names + [f"{k}={k}" for k in keywords])
    entries = ", ".join([f"record[{k}]" for k in range(residuals)] + ["adjoint"])
    grads = "".join(f"grads[{k}], " for k in range(differentiated)).rstrip() or "()"
    # (results as tuple displays: code differentiating calls of these sees their structure)
    text = (f"def forward({params}):\n    value, record = callee_forward({passed})\n"
            f"    return value, record\n\n\n"
            f"def backward(record, adjoint):\n    grads = callee_backward({entries})\n"
            f"    return {grads}\n")
    namespace = _loaded(text, "call adapter", dict(zip(bound, prefix), callee_forward=forward,
                                                    callee_backward=backward))
    _ADAPTERS[key] = (namespace["forward"], namespace["backward"], prefix)
    return namespace["forward"], namespace["backward"]


def _tangent_adapter(entry: Any, prefix: Tuple[Any, ...], arity: int,
                     keywords: Tuple[str, ...], tangents: Tuple[str, ...]) -> Any:
    key = ("jvp", entry, tuple(id(p) for p in prefix), arity, keywords)
    known = _ADAPTERS.get(key)
    if known is not None and all(a is b for a, b in zip(known[1], prefix)):
        return known[0]
    names = [f"x{k}" for k in range(arity)]
    directions = [f"t{k}" for k in range(len(tangents))]
    bound = [f"bound_{k}" for k in range(len(prefix))]
    params = ", ".join(names + directions + ([f"*, {', '.join(keywords)}"] if keywords else []))
    passed = ", ".join(bound + names + [f"{k}={k}" for k in keywords]
                       + [f"{t}={d}" for t, d in zip(tangents, directions)])
    text = (f"def jvp({params}):\n    value, tangent = callee_jvp({passed})\n"
            f"    return value, tangent\n")
    namespace = _loaded(text, "tangent adapter", dict(zip(bound, prefix), callee_jvp=entry))
    _ADAPTERS[key] = (namespace["jvp"], prefix)
    return namespace["jvp"]


def _loaded(text: str, what: str, names: Dict[str, Any]) -> Dict[str, Any]:
    filename = f"<s2sgrad {what} {next(_wrapper_numbers)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: Dict[str, Any] = dict(names)
    exec(compile(text, filename, "exec"), namespace)
    return namespace
