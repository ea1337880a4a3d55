"""Name resolution: what every called name in a function refers to, found without running it.

Needs: a `FunctionSource`.
Guarantees: each `Call` whose callee is a global, closure or builtin name (or an attribute chain on
one, such as `np.linalg.norm`) gets `anno.Key.RESOLVED` = the object it refers to now; a call
`v.m(...)` on a value computed in the function (`x.sum()`, `np.tanh(x).sum()`) gets
`anno.Key.METHOD` = "m". Rules are then looked up by object, so
`import numpy as onp; onp.tanh` and `from numpy import tanh` find the same rule.

It also returns the `Guard`s the compiled derivative depends on: the (scope, name, object)
triples that must still hold for cached code to stay valid. A guard is checked with one dict lookup
and an identity test, so checking them costs nanoseconds per call.
"""

from __future__ import annotations

import builtins
import dataclasses
import types
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import gast

from .. import anno, astutil
from .source import FunctionSource

MISSING = object()


@dataclasses.dataclass(frozen=True)
class Guard:
    """A name the derivative was generated against, and the object it referred to then.

    `scope` is "global", "builtin" or "cell"; for a cell, `index` is its position in the
    function's closure. "argument" is a parameter the derivative was specialized for (a function
    or object passed in: the variant is chosen per object), and "attribute" an attribute of such an
    object that a call resolved to (`model.layer`), checked again on every call. `holds(fn)` checks the name against any function sharing the code object
    (closures made by the same `def` share derivatives when they close over the same callees).
    """

    scope: str
    name: str
    value: Any
    index: int = -1
    owner: Any = None      # "attribute": the argument object whose attribute this is

    def holds(self, fn: Any) -> bool:
        if self.scope == "argument":     # the variant was chosen for this very object
            return True
        if self.scope == "attribute":    # `model.layer` of an argument object
            current = getattr(self.owner, self.name, MISSING)
            if isinstance(self.value, types.MethodType):
                return getattr(current, "__func__", None) is self.value.__func__
            return current is self.value
        if self.scope == "global":
            return fn.__globals__.get(self.name, MISSING) is self.value
        if self.scope == "builtin":
            return _builtins_of(fn.__globals__).get(self.name, MISSING) is self.value
        try:
            return fn.__closure__[self.index].cell_contents is self.value
        except ValueError:  # an empty cell
            return self.value is MISSING


def compile_checks(guards: List[Any]) -> Callable[[Any], bool]:
    """One function that checks all `guards` against a function, as `Guard.holds` each would:
    the global, builtin and closure names as tuples of (name or cell index, object) walked in a
    loop, so that validating a cached derivative on every call costs a few dict lookups."""
    globals_: List[Tuple[str, Any]] = []
    builtin: List[Tuple[str, Any]] = []
    cells: List[Tuple[int, Any]] = []
    others: List[Any] = []
    for guard in guards:
        scope = getattr(guard, "scope", None) if type(guard) is Guard else None
        if scope == "global":
            globals_.append((guard.name, guard.value))
        elif scope == "builtin":
            builtin.append((guard.name, guard.value))
        elif scope == "cell":
            cells.append((guard.index, guard.value))
        elif scope != "argument":
            others.append(guard)
    global_pairs, builtin_pairs, cell_pairs = tuple(globals_), tuple(builtin), tuple(cells)
    other_guards = tuple(others)

    def holds(fn: Any) -> bool:
        namespace = fn.__globals__
        get = namespace.get
        for name, value in global_pairs:
            if get(name, MISSING) is not value:
                return False
        if builtin_pairs:
            get = _builtins_of(namespace).get
            for name, value in builtin_pairs:
                if get(name, MISSING) is not value:
                    return False
        if cell_pairs:
            closure = fn.__closure__
            for index, value in cell_pairs:
                try:
                    if closure[index].cell_contents is not value:
                        return False
                except ValueError:    # an empty cell
                    if value is not MISSING:
                        return False
        for guard in other_guards:
            if not guard.holds(fn):
                return False
        return True

    return holds


@dataclasses.dataclass
class Resolution:
    """What the function's free names refer to."""

    local_names: Set[str]
    guards: List[Guard]
    objects: Dict[str, Any]   # free name -> object, for names that resolved
    scope: Any = None         # for `static_value`
    free_values: Dict[str, Any] = dataclasses.field(default_factory=dict)  # transforms.free_values

    def static_value(self, node: Any) -> Any:
        """The object a Name or an Attribute chain on a non-local name refers to, or MISSING
        (guarded like the names calls resolve through)."""
        return _static_value(node, self.scope) if self.scope is not None else MISSING


def resolve(src: FunctionSource, known: Optional[Dict[str, Any]] = None) -> Resolution:
    """Annotate calls in `src.node` with what they call; return the guards that make it valid.

    `known`: parameters whose values the derivative is specialized for (functions and objects
    passed in): a call of one, or of a method of one, resolves like a call of a global.
    """
    fn = src.fn
    local = _local_names(src.node) - set(known or ())
    scope = _Scope(fn, local)
    for name, value in (known or {}).items():
        scope.known[name] = value
        scope.lookup(name)       # (known even where it is only passed on to a callee)
    for node in astutil.walk(src.node.body):
        if isinstance(node, gast.Call):
            _annotate_call(node, scope)
    resolution = Resolution(local_names=local, guards=[], objects=scope.objects, scope=scope)
    resolution.guards = list(scope.guards.values())
    return resolution


class _Scope:
    def __init__(self, fn: Any, local: Set[str]):
        self.globals = fn.__globals__
        self.builtins = _builtins_of(self.globals)
        self.cells = {name: (index, cell) for index, (name, cell) in
                      enumerate(zip(fn.__code__.co_freevars, fn.__closure__ or ()))}
        self.local = local
        self.guards: Dict[str, Guard] = {}
        self.objects: Dict[str, Any] = {}
        self.known: Dict[str, Any] = {}     # specialized parameters

    def lookup(self, name: str) -> Any:
        """The object `name` refers to from inside the function, or MISSING."""
        if name in self.known:
            self.guards["argument " + name] = Guard("argument", name, self.known[name])
            self.objects[name] = self.known[name]
            return self.known[name]
        if name in self.local:
            return MISSING
        if name in self.cells:
            index, cell = self.cells[name]
            try:
                value = cell.cell_contents
            except ValueError:
                value = MISSING
            self.guards[name] = Guard("cell", name, value, index)
        elif name in self.globals:
            value = self.globals[name]
            self.guards[name] = Guard("global", name, value)
        else:
            value = self.builtins.get(name, MISSING)
            # Shadowing the builtin by a new global later must invalidate the derivative too.
            self.guards[name] = Guard("global", name, MISSING)
            self.guards["builtins." + name] = Guard("builtin", name, value)
        if value is not MISSING:
            self.objects[name] = value
        return value


def _builtins_of(globals_: Dict[str, Any]) -> Dict[str, Any]:
    b = globals_.get("__builtins__", builtins)
    return b if isinstance(b, dict) else vars(b)


def _local_names(node: gast.FunctionDef) -> Set[str]:
    names = astutil.names_stored(node.args) | astutil.names_stored(node.body)
    for arg in (node.args.vararg, node.args.kwarg):
        if arg is not None:
            names.add(arg.id)
    return names


def _annotate_call(node: gast.Call, scope: _Scope) -> None:
    func = node.func
    if isinstance(func, gast.Attribute) and _static_value(func.value, scope) is MISSING:
        # The receiver is a value computed in the function (`x.sum()`, `np.tanh(x).sum()`).
        anno.set(node, anno.Key.METHOD, func.attr)
        return
    value = _static_value(func, scope)
    if value is not MISSING:
        anno.set(node, anno.Key.RESOLVED, value)
    if isinstance(value, (types.FunctionType, types.MethodType)) or _is_derivative(value):
        from ..analysis.variables import holds_variables

        passed = [a.id for a in list(node.args) + [k.value for k in node.keywords]
                  if isinstance(a, gast.Name) and (a.id in scope.known or a.id not in scope.local)]
        if any(holds_variables(scope.lookup(name)) for name in passed):
            anno.set(node, anno.Key.PASSES_VARIABLES, True)   # `f(model, x)`: see activity


def _is_derivative(value: Any) -> bool:
    """A derivative s2sgrad made (a nested tape's gradient function, called in its block)."""
    from ..api import Derived
    return isinstance(value, Derived)


def _static_value(node: Any, scope: _Scope) -> Any:
    """The object a Name or an Attribute chain on a non-local name refers to, or MISSING."""
    if isinstance(node, gast.Name):
        return scope.lookup(node.id)
    if isinstance(node, gast.Attribute):
        base = _static_value(node.value, scope)
        if base is MISSING:
            return MISSING
        value = getattr(base, node.attr, MISSING)
        if any(base is known for known in scope.known.values()) or \
                any(g.scope == "attribute" and g.value is base for g in scope.guards.values()):
            # an attribute of an object passed in may change between calls: checked each call
            key = f"attribute {id(base)}.{node.attr}"
            scope.guards[key] = Guard("attribute", node.attr, value, owner=base)
        return value
    return MISSING
