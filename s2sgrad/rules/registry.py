"""The rule tables: which derivative rules apply to which function, method, attribute or operator.

A reverse-mode rule ("adjoint") is an ordinary Python function used as a *template*: it is never
called; its source is parsed once and inlined into generated code. Its first parameter is the
result of the operation, the others are the operation's arguments, and `d[v]` means "the adjoint
of v". A statement `d[x] = expr` contributes `expr` to the adjoint of `x`:

    @adjoint(np.tanh)
    def tanh(z, x):
        d[x] = d[z] * (1.0 - z * z)

Parameters with defaults mirror the operation's keyword arguments (`axis=None`, `keepdims=False`).
An `if` in a rule is decided when the rule is inlined, from the arguments written at the call site
(`if axis is None:`); when the test depends on a value known only at run time, the `else` branch is
inlined, so `else` must hold the general case. `if differentiated(x):` tests, also when the rule
is inlined, whether the argument bound to x carries derivatives there; `if x is y:` whether the
call site passes the same variable to both (`h * h`), else the `else` branch is inlined. Other names in a rule (np, helpers from
`s2sgrad.runtime`) are looked up in the rule's module and reached under collision-free aliases.

A forward-mode rule ("tangent") is a template in the same form, where `d[v]` is the tangent of v
and the one statement `d[z] = expr` gives the tangent of the result, linear in the arguments'
tangents. A tangent that is zero (an argument that carries no derivatives) is dropped from the
expression when the rule is inlined:

    @tangent(operator.mul)
    def multiply(z, x, y):
        d[z] = d[x] * y + x * d[y]

Rules are keyed by the object an operation resolves to (numpy.tanh, operator.mul, math.sin), by
`method("sum")` for `v.sum(...)` on a value, and by `attribute("T")` for `v.T`. Functions whose
derivative is zero everywhere it exists (np.shape, np.floor, np.argmax, ...) are listed with
`zero_derivative`; a differentiated value flowing into anything else is an error.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import sys
import textwrap
import threading
from typing import Any, Callable, Dict, Optional, Tuple

import gast

from ..errors import Location, RuleDefinitionError

_lock = threading.Lock()
_adjoints: Dict[Any, "AdjointRule"] = {}
_tangents: Dict[Any, "AdjointRule"] = {}
_zero: Dict[Any, Any] = {}
_container_results: Dict[Any, Any] = {}
version = 0  # bumped whenever the table changes; cached derivatives compare it


class _Placeholder:
    """`d` in rule templates: `d[x]` is the adjoint of x. Never evaluated."""

    def __getitem__(self, item: Any) -> Any:
        raise RuntimeError("d[...] is only meaningful inside a derivative rule template")

    def __repr__(self) -> str:
        return "s2sgrad.d"


d = _Placeholder()


def differentiated(value: Any) -> bool:
    """In a rule's `if` test: whether the argument carries derivatives at this call site (its
    adjoint or tangent is not zero). Decided when the rule is inlined, never called."""
    raise RuntimeError("differentiated(...) is only meaningful inside a derivative rule template")


def method(name: str) -> Tuple[str, str]:
    """The key of the array method `name`, as in `x.sum()`."""
    return ("method", name)


def attribute(name: str) -> Tuple[str, str]:
    """The key of the array attribute `name`, as in `x.T`."""
    return ("attribute", name)


class AdjointRule:
    """One parsed rule template (adjoint or tangent: the two have the same form)."""

    def __init__(self, template: Callable, namespace: Optional[Dict[str, Any]] = None):
        self.template = template
        self.name = template.__name__
        self.module = template.__module__     # where the rule is given (its family)
        signature = inspect.signature(template)
        params = list(signature.parameters.values())
        if not params:
            raise RuleDefinitionError(f"adjoint rule {self.name} needs the result as its first "
                                      "parameter", _location_of(template))
        self.result_param = params[0].name
        self.signature = signature.replace(parameters=params[1:])
        self.globals = dict(template.__globals__, **(namespace or {}))
        self._node: Optional[gast.FunctionDef] = None
        # compile-time tests of the template, compiled once: (id of the test node, what its
        # `differentiated(...)` calls were decided as) -> (the code, the names it reads)
        self.compiled_tests: Dict[Tuple[int, Tuple[bool, ...]], Tuple[Any, Any]] = {}

    def taking(self, ignored: Tuple[str, ...]) -> "AdjointRule":
        """A copy of this rule for a function that also takes the parameters `ignored` (with
        defaults, after its own), which the template does not read."""
        clash = set(ignored) & set(self.template.__code__.co_varnames)
        if clash:
            raise RuleDefinitionError(f"adjoint rule {self.name} already uses "
                                      f"{', '.join(sorted(clash))}", _location_of(self.template))
        params = list(self.signature.parameters.values())
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        if any(p.kind in (p.VAR_POSITIONAL, p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params):
            kind = inspect.Parameter.KEYWORD_ONLY
        extra = [inspect.Parameter(name, kind, default=None) for name in ignored]
        rule = copy.copy(self)
        rule.signature = self.signature.replace(
            parameters=[p for p in params if p.kind is not p.VAR_KEYWORD] + extra
            + [p for p in params if p.kind is p.VAR_KEYWORD])
        return rule

    @property
    def node(self) -> gast.FunctionDef:
        """The template's parsed definition (parsed on first use, then shared read-only)."""
        if self._node is None:
            source = textwrap.dedent(inspect.getsource(self.template))
            node = gast.parse(source).body[0]
            node.decorator_list = []
            self._node = node
        return self._node


def _location_of(fn: Callable) -> Location:
    code = getattr(fn, "__code__", None)
    return Location(code.co_filename, code.co_firstlineno) if code else Location("<rule>", 0)


def _key(target: Any) -> Any:
    try:
        hash(target)
        return target
    except TypeError:
        return ("id", id(target))


def adjoint(*targets: Any, math_version: Any = None) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint rule of every target.

    `math_version` (e.g. `math.sin` for `np.sin`) shares the template with `np` read as the `math`
    module, so the derivative of scalar code stays scalar: `d[z] * math.cos(x)`.
    """
    return _registrar(_adjoints, targets, math_version)


def tangent(*targets: Any, math_version: Any = None) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent (forward-mode) rule of every target."""
    return _registrar(_tangents, targets, math_version)


def _registrar(table: Dict[Any, AdjointRule], targets: Tuple[Any, ...],
               math_version: Any) -> Callable[[Callable], Callable]:
    def register(template: Callable) -> Callable:
        global version
        rules = [(target, AdjointRule(template)) for target in targets]
        if math_version is not None:
            rules.append((math_version, AdjointRule(template, {"np": math})))
        with _lock:
            for target, rule in rules:
                table[_key(target)] = rule
            version += 1
        return template
    return register


def same_rules(target: Any, like: Any, ignored: Tuple[str, ...] = ()) -> None:
    """Give `target` the adjoint and tangent rules of `like`: `target(*args, **kwargs)` computes
    `like(*args)` and takes, after `like`'s parameters, the keyword parameters `ignored`, which
    do not change the value (TensorFlow's `name`). Code calling `target` then gets `like`'s
    derivative inline, instead of the derivative of `target`'s own code as a callee."""
    global version
    with _lock:
        for table in (_adjoints, _tangents):
            rule = table.get(_key(like))
            if rule is None:
                raise RuleDefinitionError(f"same_rules: {like!r} has no rule to share",
                                          _location_of(target))
            shared = rule.taking(ignored)
            shared.module = getattr(target, "__module__", None) or rule.module
            table[_key(target)] = shared
        version += 1


def zero_derivative(*targets: Any) -> None:
    """Declare that no gradient flows through these functions, methods or attributes."""
    global version
    with _lock:
        for target in targets:
            _zero[_key(target)] = target
        version += 1


def returns_containers(*targets: Any) -> None:
    """Declare functions whose result may be a list (or tuple, or dict) of values: a read
    `f(...)[i]` of their result then reads an entry, and its adjoint is a list of adjoints."""
    global version
    with _lock:
        for target in targets:
            _container_results[_key(target)] = target
        version += 1


def may_return_container(target: Any) -> bool:
    return _lookup(_container_results, target) is not None


# Rules of optional packages live in modules that import the package; they are loaded the first
# time a lookup misses while the package is imported (so s2sgrad never imports SciPy itself).
_OPTIONAL_RULES = {"scipy": ("s2sgrad.rules.scipy_special", "s2sgrad.rules.scipy_linalg",
                             "s2sgrad.rules.scipy_stats")}
_optional_loaded: set = set()


def _load_optional_rules() -> bool:
    """Load the rules of optional packages imported since the last call; whether any were."""
    loaded = False
    for package, modules in _OPTIONAL_RULES.items():
        if package in sys.modules and package not in _optional_loaded:
            _optional_loaded.add(package)
            for name in modules:
                try:
                    importlib.import_module(name)
                except ModuleNotFoundError as error:
                    if error.name != name:
                        raise
            loaded = True
    return loaded


def _lookup(table: Dict[Any, Any], target: Any) -> Any:
    key = _key(target)
    found = table.get(key)
    if found is None and _load_optional_rules():
        found = table.get(key)
    return found


def adjoint_rule(target: Any) -> Optional[AdjointRule]:
    return _lookup(_adjoints, target)


def tangent_rule(target: Any) -> Optional[AdjointRule]:
    return _lookup(_tangents, target)


def has_zero_derivative(target: Any) -> bool:
    return _lookup(_zero, target) is not None
