"""Calls to the user's own Python functions inside differentiated code.

A call `y = g(a, k=b)` whose arguments carry derivatives is differentiated by differentiating `g`
itself: `g` gets a forward and a backward function of its own (the vjp kind, generated and cached
like any derivative, and shown by `s2sgrad show file.py:g --kind vjp`). The primal calls the
forward function, which also returns what `g`'s backward pass needs; the adjoint calls the
backward function with the adjoint of `y`:

    y, g_record = g_forward(a, k=b)
    ...
    g_grads = g_backward(g_record[0], g_record[1], by)
    ba = ba + g_grads[0]
    bb = bb + g_grads[1]

Recursion (direct or through other functions) is refused with a located error: a derivative of a
recursive function would need the derivative it is being generated to be.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import threading
import types
from typing import Any, Dict, Iterator, List, Optional, Set

import gast

from .. import anno, astutil
from ..errors import NoDerivativeRuleError
from ..frontend.source import FunctionSource, definition_of
from ..naming import function_name
from ..rules import adjoint_rule, has_zero_derivative, method, tangent_rule

_compiling = threading.local()


def called_function(stmt: Any, forward: bool = False) -> Optional[types.FunctionType]:
    """The user's function that normalized statement `stmt` calls, if it needs a derivative
    of its own (it has no rule for the mode: `forward` for tangent rules, else adjoint rules)."""
    value = stmt.value if isinstance(stmt, gast.Assign) else None
    if not isinstance(value, gast.Call) or not anno.has(value, anno.Key.RESOLVED):
        return None
    fn = anno.get(value, anno.Key.RESOLVED)
    rule = tangent_rule(fn) if forward else adjoint_rule(fn)
    if rule is not None or has_zero_derivative(fn):
        return None
    fn, receiver = _python_callee(fn, value)
    if fn is None:
        return None
    module = getattr(fn, "__module__", None) or ""
    if module.split(".")[0] in ("numpy", "scipy", "s2sgrad") and not \
            module.startswith("s2sgrad.tf"):   # (TensorFlow's ops are Python over NumPy)
        return None
    if receiver is not None:
        anno.set(value, anno.Key.RECEIVER, receiver)
    return fn


def _python_callee(obj: Any, call: gast.Call) -> Any:
    """(the Python function a resolved callee runs, the expression of its `self` or None):
    a method of a module-level object (`MODEL.forward(x)`: `self` is `MODEL`) or a module-level
    object with a `__call__` of its own (`MODEL(x)`)."""
    if isinstance(obj, types.FunctionType):
        return obj, None
    if isinstance(obj, types.MethodType) and isinstance(obj.__func__, types.FunctionType) \
            and isinstance(call.func, gast.Attribute):
        return obj.__func__, call.func.value
    call_method = getattr(type(obj), "__call__", None)
    if not isinstance(obj, type) and isinstance(call_method, types.FunctionType):
        return call_method, call.func
    return None, None


@dataclasses.dataclass
class CalleeGuard:
    """Valid while the callee's own derivative is (its callees and globals unchanged)."""

    derived: Any

    def holds(self, _caller: Any) -> bool:
        from ..cache import is_valid

        derivative = self.derived._derivative
        return derivative is not None and is_valid(derivative, self.derived._fn)


@dataclasses.dataclass
class CallSite:
    """One differentiated call: the callee's derivative and the names the call site uses."""

    stmt: gast.Assign
    wrt: List[str]              # callee parameters that receive differentiated arguments
    arguments: Dict[str, Any]   # callee parameter -> the caller's variable passed to it
    #                             (for `*args`, a list: one variable or None per argument)
    forward: str                # aliases of the bound forward and backward functions
    backward: str
    record: str                 # variable holding what the backward pass needs
    guard: CalleeGuard
    residuals: int = 0          # how many values the record holds

    def primal(self) -> gast.Assign:
        """`y, g_record = g_forward(<the call's arguments>)`."""
        targets = gast.Tuple(elts=[astutil.copy_node(self.stmt.targets[0]),
                                   astutil.store(self.record)], ctx=gast.Store())
        new = gast.Assign(targets=[targets], value=self.forward_call(), type_comment=None)
        anno.copy_all(self.stmt, new)
        return new

    def adjoint(self, site: Any, result_adjoint: Any, active: Set[str]) -> List[Any]:
        """`g_grads = g_backward(g_record[0], ..., by)`, then one contribution per argument."""
        grads = site.fresh(f"{self.forward.rsplit('_forward', 1)[0].rsplit('_call', 1)[0]}_grads")
        out: List[Any] = [astutil.assign(grads, self.backward_call(result_adjoint))]
        for index, param in enumerate(self.wrt):
            argument = self.arguments[param]
            part = gast.Subscript(value=astutil.load(grads), slice=astutil.constant(index),
                                  ctx=gast.Load())
            if isinstance(argument, list):     # *args: a tuple of adjoints
                for position, name in enumerate(argument):
                    if name in active:
                        out += site.contribute(name, gast.Subscript(
                            value=part, slice=astutil.constant(position), ctx=gast.Load()))
            elif argument in active:
                out += site.contribute(argument, part)
        return out

    def forward_call(self) -> gast.Call:
        call = self.stmt.value
        receiver = anno.get(call, anno.Key.RECEIVER, None)   # MODEL.forward(x): MODEL first
        first = [astutil.copy_node(receiver)] if receiver is not None else []
        return astutil.call(astutil.load(self.forward), first + astutil.copy_node(call.args),
                            astutil.copy_node(call.keywords))

    def backward_call(self, result_adjoint: Any) -> gast.Call:
        """`g_backward(g_record[0], g_record[1], by)`: the record's entries one by one (not
        `*g_record`), so that the generated code can itself be differentiated."""
        entries = [gast.Subscript(value=astutil.load(self.record), slice=astutil.constant(k),
                                  ctx=gast.Load()) for k in range(self.residuals)]
        return astutil.call(astutil.load(self.backward), entries + [result_adjoint])


@dataclasses.dataclass
class DynamicCallSite(CallSite):
    """A differentiated call whose callee is a run-time value (`f(x)` with `f` an argument,
    `model(x)`, `self.layer(x)`): the callee's passes are looked up where the call runs,
    `f_forward, f_backward = callee_passes(f_call, f, x)`, then `y, f_record = f_forward(x)`,
    and in the adjoint `f_grads = f_backward(f_record, by)` (see `runtime.dynamic`). The
    passes are plain functions held in variables, so generated code calling them can be
    differentiated again like any call of a run-time function."""

    passes_call: str = ""       # alias of `runtime.dynamic.callee_passes`
    passes: tuple = ()          # the variables holding the forward and backward passes

    def prelude(self) -> gast.Assign:
        """`f_forward, f_backward = callee_passes(f_call, f, x)`."""
        call = self.stmt.value
        targets = gast.Tuple(elts=[astutil.store(n) for n in self.passes], ctx=gast.Store())
        value = astutil.call(astutil.load(self.passes_call),
                             [astutil.load(self.forward), astutil.copy_node(call.func)]
                             + astutil.copy_node(call.args), astutil.copy_node(call.keywords))
        from ..runtime.dynamic import callee_passes

        anno.set(value, anno.Key.RESOLVED, callee_passes)
        new = gast.Assign(targets=[targets], value=value, type_comment=None)
        anno.copy_all(self.stmt, new)
        return new

    def forward_call(self) -> gast.Call:
        call = self.stmt.value
        return astutil.call(astutil.load(self.passes[0]), astutil.copy_node(call.args),
                            astutil.copy_node(call.keywords))

    def backward_call(self, result_adjoint: Any) -> gast.Call:
        return astutil.call(astutil.load(self.passes[1]),
                            [astutil.load(self.record), result_adjoint])

def is_dynamic(stmt: Any) -> bool:
    """Whether normalized `stmt` calls a run-time value: a local name (`f(x)`), or a method
    without a derivative rule on a local value (`model.forward(x)`, `self.layer(x)`)."""
    value = stmt.value if isinstance(stmt, gast.Assign) else None
    if not isinstance(value, gast.Call):
        return False
    if anno.has(value, anno.Key.RESOLVED):   # (a global object's method: `called_function`)
        from ..api import Derived      # a derivative s2sgrad made: its code depends on the
        return isinstance(anno.get(value, anno.Key.RESOLVED), Derived)   # arguments' types
    if anno.has(value, anno.Key.METHOD):
        if anno.get(value, anno.Key.METHOD) == "pop":    # a list's: see reverse.adjoint_pop
            return False
        name = method(anno.get(value, anno.Key.METHOD))
        return adjoint_rule(name) is None and not has_zero_derivative(name)
    return isinstance(value.func, gast.Name)


def prepare_dynamic(src: FunctionSource, stmt: gast.Assign, site: Any) -> DynamicCallSite:
    """Name a call site whose callee is known only at run time (see `runtime.dynamic`)."""
    from ..runtime.dynamic import DynamicCall

    call = stmt.value
    positions = tuple(k for k, a in enumerate(call.args)
                      if isinstance(a, gast.Name) and a.id in site.active)
    keywords = tuple(k.arg for k in call.keywords
                     if isinstance(k.value, gast.Name) and k.value.id in site.active)
    arguments = {str(k): call.args[k].id for k in positions}
    arguments.update({k.arg: k.value.id for k in call.keywords if k.arg in keywords})
    base = astutil.unparse(call.func).replace(".", "_")
    helper = DynamicCall(positions, keywords, src.location(call))
    name = site.alias(helper, f"{base}_call")
    from ..runtime.dynamic import callee_passes

    return DynamicCallSite(stmt=stmt, wrt=[str(k) for k in positions] + list(keywords),
                           arguments=arguments, forward=name, backward=name,
                           record=site.fresh(f"{base}_record"), guard=None,
                           passes_call=site.alias(callee_passes, "callee_passes"),
                           passes=(site.fresh(f"{base}_forward"),
                                   site.fresh(f"{base}_backward")))


def callee_objects(fn: types.FunctionType, call: gast.Call, bound: Any,
                   objects: Dict[str, Any]) -> Dict[str, Any]:
    """The callee's parameters that receive functions or objects known here (its `self`, an
    argument that is one of the caller's known objects or globals): the callee's derivative is
    specialized for them too, so that the calls it makes on them resolve statically."""
    from ..api import _is_object

    known: Dict[str, Any] = {}
    target = anno.get(call, anno.Key.RESOLVED, None)
    names = list(inspect.signature(fn).parameters)
    if anno.has(call, anno.Key.RECEIVER) and names:
        known[names[0]] = target.__self__ if isinstance(target, types.MethodType) else target
    for name, node in bound.arguments.items():
        value = _static_object(node, objects)
        if name not in known and value is not None and _is_object(value):
            known[name] = value
    # only where the callee calls through them, or reads Variables from them (`self.w`): a
    # variant per object is needed for nothing else
    called = _called_through(fn)
    return {name: value for name, value in known.items()
            if name in called or _holds_variables_read(fn, name, value)}


_CALLED_THROUGH: Dict[Any, Set[str]] = {}


def _called_through(fn: types.FunctionType) -> Set[str]:
    """The parameters of `fn` that its body calls, or calls a method or attribute of."""
    if fn.__code__ not in _CALLED_THROUGH:
        node = definition_of(fn)
        if node is None:
            return set()
        params = astutil.names_stored(node.args)
        called: Set[str] = set()
        for call in astutil.walk(node.body):
            if isinstance(call, gast.Call):
                root = call.func
                while isinstance(root, gast.Attribute):
                    root = root.value
                if isinstance(root, gast.Name) and root.id in params:
                    called.add(root.id)
        _CALLED_THROUGH[fn.__code__] = called
    return _CALLED_THROUGH[fn.__code__]


def _holds_variables_read(fn: types.FunctionType, param: str, value: Any) -> bool:
    """Whether `fn` reads an attribute of its parameter `param` that is a Variable of `value`
    (the compiler then reads it as a source of derivatives: `transforms.free_values`)."""
    from ..eager.values import Variable

    node = definition_of(fn)
    return node is not None and any(
        isinstance(n, gast.Attribute) and isinstance(n.value, gast.Name)
        and n.value.id == param and isinstance(getattr(value, n.attr, None), Variable)
        for n in astutil.walk(node.body))


def _static_object(node: Any, objects: Dict[str, Any]) -> Any:
    """The object a name or attribute chain on a known name refers to (`f`, `np.tanh`)."""
    if isinstance(node, gast.Name):
        return objects.get(node.id)
    if isinstance(node, gast.Attribute):
        base = _static_object(node.value, objects)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def check_recursion(src: FunctionSource, fn: types.FunctionType, call: Any) -> None:
    """Refuse a call to a function whose derivative is being generated (recursion)."""
    if fn.__code__ in getattr(_compiling, "codes", []) or fn.__code__ is src.fn.__code__:
        raise NoDerivativeRuleError(
            f"{fn.__qualname__} calls itself (recursion); recursive functions cannot be "
            "differentiated", src.location(call), "rewrite the recursion as a loop.")


@contextlib.contextmanager
def compiling(src: FunctionSource) -> Iterator[None]:
    """While the callees of `src` are generated, calls back to `src` are recursion."""
    stack = getattr(_compiling, "codes", [])
    _compiling.codes = stack + [src.fn.__code__]
    try:
        yield
    finally:
        _compiling.codes = stack


def prepare(src: FunctionSource, stmt: gast.Assign, fn: types.FunctionType, site: Any) -> CallSite:
    """Generate the callee's derivative for this call site and give it names in the caller."""
    from ..api import (
        Derived,  # the API drives the pipeline, which calls this: import late
    )

    call = stmt.value
    where = src.location(call)
    receiver = anno.get(call, anno.Key.RECEIVER, None)
    try:
        bound = inspect.signature(fn).bind(*([receiver] if receiver is not None else []),
                                           *call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as exc:
        raise NoDerivativeRuleError(f"this call does not match {fn.__qualname__}'s parameters "
                                    f"({exc})", where, "fix the call's arguments.") from None
    arguments: Dict[str, Any] = {name: node.id for name, node in bound.arguments.items()
                                 if isinstance(node, gast.Name)}
    varargs = next((p.name for p in inspect.signature(fn).parameters.values()
                    if p.kind is inspect.Parameter.VAR_POSITIONAL), None)
    if varargs in bound.arguments:     # `def g(*xs)`: one name (or None) per extra argument
        arguments[varargs] = [node.id if isinstance(node, gast.Name) else None
                              for node in bound.arguments[varargs]]
    wrt = [name for name, variable in arguments.items()
           if (set(variable) if isinstance(variable, list) else {variable}) & site.active]
    check_recursion(src, fn, call)
    with compiling(src):
        derived = Derived(fn, tuple(wrt), "vjp")
        containers = tuple(sorted(name for name, variable in arguments.items()
                                  if isinstance(variable, str)
                                  and variable in site.sure_containers))
        dicts = tuple(sorted(name for name, variable in arguments.items()
                             if isinstance(variable, str) and variable in site.dicts))
        forward, backward = derived.generated_functions(
            containers, dicts, callee_objects(fn, call, bound, site.resolved))
    name = function_name(fn)
    return CallSite(stmt=stmt, wrt=wrt, arguments=arguments,
                    forward=site.alias(forward, f"{name}_forward"),
                    backward=site.alias(backward, f"{name}_backward"),
                    record=site.fresh(f"{name}_record"), guard=CalleeGuard(derived),
                    residuals=backward.__code__.co_argcount - 1)
