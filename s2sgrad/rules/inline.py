"""Inlining an adjoint or tangent rule template at one call site.

Needs: an `AdjointRule`, the call's result name and argument nodes (atoms after normalization), and a
`RuleSite` that knows adjoint names, activity and aliases for the function being generated.
Guarantees: the returned statements are the rule's body with parameters replaced by the call's
arguments, `d[z]` by the result's adjoint, `d[x] = e` turned into an accumulation into the adjoint of
`x` (dropped when `x` is not an active variable), template locals renamed fresh, compile-time `if`s
decided, and module names (np, helpers) replaced by aliases the generated code can reach.
For a tangent rule (`inline_tangent`), `d[x]` reads the tangent of argument x, or a zero that is
simplified away (`d[x] * y + x * d[y]` with y constant becomes `dx * y`), and `d[z] = e` defines
the tangent of the result.
"""

from __future__ import annotations

import builtins
import inspect
import types
from typing import Any, Dict, List, Optional, Protocol

import gast

from .. import anno, astutil, runtime
from ..errors import Location, NoDerivativeRuleError, RuleDefinitionError
from .registry import AdjointRule

_UNKNOWN = object()
_SHAPE_ONLY = (runtime.unbroadcast, runtime.broadcast_like)


class RuleSite(Protocol):
    """What the inliner needs from the transform that uses it."""

    def adjoint_name(self, primal: str) -> str: ...
    def is_active(self, primal: str) -> bool: ...
    def contribute(self, primal: str, value: Any) -> List[Any]: ...
    def fresh(self, base: str) -> str: ...
    def alias(self, obj: Any, preferred: str) -> str: ...


def inline_adjoint(rule: AdjointRule, result: str, args: List[Any], keywords: Dict[str, Any],
                   site: RuleSite, location: Location, what: str) -> List[Any]:
    """The statements that propagate the adjoint of `result` back to the active arguments."""
    bindings = _bind(rule, args, keywords, location, what)
    bindings[rule.result_param] = astutil.load(result)
    return _Inliner(rule, bindings, site.adjoint_name(result), site).block(rule.node.body)


def inline_tangent(rule: AdjointRule, result: str, args: List[Any], keywords: Dict[str, Any],
                   site: Any, location: Location, what: str) -> List[Any]:
    """The statements that compute the tangent of `result` from the arguments' tangents."""
    bindings = _bind(rule, args, keywords, location, what)
    bindings[rule.result_param] = astutil.load(result)
    return _Inliner(rule, bindings, result, site, forward=True).block(rule.node.body)


_ZERO_TANGENT = "zero tangent"


def _zero(primal: Any = None) -> gast.Constant:
    """A zero tangent (of `primal`, when it is a name: a zero of its shape if one is needed)."""
    node = astutil.constant(0.0)
    anno.set(node, anno.Key.TANGENT, _ZERO_TANGENT)
    if isinstance(primal, gast.Name):
        node._s2sgrad_zero_of = primal.id   # (read by _replace_zeros)
    return node


def _is_zero(node: Any) -> bool:
    return anno.get(node, anno.Key.TANGENT, None) == _ZERO_TANGENT


def _carries_tangent(node: Any) -> bool:
    return any(anno.get(n, anno.Key.TANGENT, None) is True for n in astutil.walk(node))


def without_zero_tangents(node: Any, zero_of: Any = None) -> Any:
    """`node` (linear in tangents) with zero tangents dropped: a zero term of a sum disappears,
    a product with a zero factor is zero, a call on nothing but zeros is zero; a zero left as an
    argument next to real tangents becomes `0.0`. Returns a zero marker if all of it is zero."""
    if not isinstance(node, gast.AST) or _is_zero(node):
        return node
    for field in node._fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            setattr(node, field, [without_zero_tangents(v, zero_of) for v in value])
        elif isinstance(value, gast.AST):
            setattr(node, field, without_zero_tangents(value, zero_of))
    if isinstance(node, gast.BinOp):
        left, right = _is_zero(node.left), _is_zero(node.right)
        if isinstance(node.op, gast.Add):
            return node.right if left else node.left if right else node
        if isinstance(node.op, gast.Sub):
            if left:
                return _zero() if right else gast.UnaryOp(op=gast.USub(), operand=node.right)
            return node.left if right else node
        return _zero() if left or right else node
    if isinstance(node, gast.UnaryOp):
        return _zero() if _is_zero(node.operand) else node
    if isinstance(node, (gast.Subscript, gast.Attribute)):
        return _zero() if _is_zero(node.value) else node
    parts = _parts(node)
    if parts and any(_is_zero(p) for p in parts):
        if not any(_carries_tangent(p) for p in parts if not _is_zero(p)):
            return _zero()
        _replace_zeros(node, zero_of)
    return node


def _parts(node: Any) -> List[Any]:
    if isinstance(node, gast.Call):
        return list(node.args) + [k.value for k in node.keywords]
    if isinstance(node, (gast.Tuple, gast.List)):
        return list(node.elts)
    if isinstance(node, gast.IfExp):
        return [node.body, node.orelse]
    return []


def _replace_zeros(node: Any, zero_of: Any) -> None:
    """Zeros left as arguments next to real tangents: `zero_of(name)` builds a zero shaped like
    the value the tangent belongs to (a helper may index it), else `0.0`."""
    def zero(marker: Any) -> Any:
        name = getattr(marker, "_s2sgrad_zero_of", None)
        return zero_of(name) if name is not None and zero_of is not None \
            else astutil.constant(0.0)

    for field in node._fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            setattr(node, field, [zero(v) if _is_zero(v) else v for v in value])
        elif _is_zero(value):
            setattr(node, field, zero(value))
    for keyword in getattr(node, "keywords", []) or []:
        if _is_zero(keyword.value):
            keyword.value = zero(keyword.value)


def _bind(rule: AdjointRule, args: List[Any], keywords: Dict[str, Any], location: Location,
          what: str) -> Dict[str, Any]:
    try:
        bound = rule.signature.bind(*args, **keywords)
    except TypeError as exc:
        raise NoDerivativeRuleError(
            f"the derivative rule for {what} does not cover this call ({exc})", location,
            hint="call it with the arguments the rule covers (see the rule coverage table in "
                 "docs/), or register your own rule with @s2sgrad.adjoint.") from None
    bindings: Dict[str, Any] = {}
    for name, param in rule.signature.parameters.items():
        if name in bound.arguments:
            value = bound.arguments[name]
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                value = gast.Tuple(elts=list(value), ctx=gast.Load())
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                value = None
        elif param.default is not inspect.Parameter.empty:
            value = astutil.to_node(param.default)
        elif param.kind is inspect.Parameter.VAR_POSITIONAL:
            value = gast.Tuple(elts=[], ctx=gast.Load())
        else:
            value = None
        bindings[name] = value
    return bindings


class _Inliner:
    def __init__(self, rule: AdjointRule, bindings: Dict[str, Any], result_adjoint: str,
                 site: RuleSite, forward: bool = False):
        self.forward = forward     # a tangent rule: `result_adjoint` is then the result's name
        self.rule = rule
        self.bindings = bindings
        self.result_adjoint = result_adjoint
        self.site = site
        self.locals: Dict[str, str] = {}

    def fail(self, message: str) -> RuleDefinitionError:
        code = self.rule.template.__code__
        return RuleDefinitionError(f"in adjoint rule {self.rule.name}: {message}",
                                   Location(code.co_filename, code.co_firstlineno))

    def block(self, statements: List[Any]) -> List[Any]:
        out: List[Any] = []
        for stmt in statements:
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt: Any) -> List[Any]:
        if isinstance(stmt, gast.If):
            decided = self.static_test(stmt.test)
            return self.block(stmt.body if decided is True else stmt.orelse)
        if isinstance(stmt, gast.Pass) or (isinstance(stmt, gast.Expr)
                                           and isinstance(stmt.value, gast.Constant)):
            return []
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            raise self.fail("only assignments, `d[x] = ...` and compile-time `if` are allowed")
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript) and _is_d(target.value) and self.forward:
            return self.definition(target, stmt.value)
        if isinstance(target, gast.Subscript) and _is_d(target.value):
            return self.contribution(target, stmt.value)
        if isinstance(target, gast.Name):
            new = self.locals.setdefault(target.id, self.site.fresh(target.id))
            return [astutil.assign(new, self.expr(stmt.value))]
        raise self.fail("assign to a local name or to d[parameter]")

    def contribution(self, target: gast.Subscript, value: Any) -> List[Any]:
        param = target.slice
        if not isinstance(param, gast.Name) or param.id not in self.bindings \
                or param.id == self.rule.result_param:
            raise self.fail("d[...] = ... must name an argument parameter")
        bound = self.bindings[param.id]
        if not isinstance(bound, gast.Name) or not self.site.is_active(bound.id):
            return []
        return self.site.contribute(bound.id, self.expr(value))

    def definition(self, target: gast.Subscript, value: Any) -> List[Any]:
        """`d[z] = e` in a tangent rule: the tangent of the result."""
        param = target.slice
        if not isinstance(param, gast.Name) or param.id != self.rule.result_param:
            raise self.fail("a tangent rule assigns d[result] only")
        return self.site.define_tangent(self.result_adjoint, without_zero_tangents(
            self.expr(value), getattr(self.site, "zero", None)))

    def tangent(self, param: Any) -> Any:
        """`d[x]` in a tangent rule: the tangent of the argument bound to x, or a zero."""
        if not isinstance(param, gast.Name) or param.id not in self.bindings \
                or param.id == self.rule.result_param:
            raise self.fail("d[...] must name an argument parameter")
        bound = self.bindings[param.id]
        if isinstance(bound, (gast.List, gast.Tuple)):     # *arrays: a tuple of tangents
            return gast.Tuple(elts=[self.tangent_of(e) for e in bound.elts], ctx=gast.Load())
        return self.tangent_of(bound)

    def tangent_of(self, bound: Any) -> Any:
        if isinstance(bound, gast.Name) and self.site.has_tangent(bound.id):
            node = astutil.load(self.site.tangent_name(bound.id))
            anno.set(node, anno.Key.TANGENT, True)
            return node
        return _zero(bound)

    def expr(self, node: Any) -> Any:
        if getattr(self.site, "scalar", False) and isinstance(node, gast.Call) \
                and isinstance(node.func, gast.Name) \
                and self.global_value(node.func.id) in _SHAPE_ONLY:
            return self.expr(node.args[0])   # on Python numbers nothing broadcasts
        if isinstance(node, gast.Subscript) and _is_d(node.value) and self.forward:
            return self.tangent(node.slice)
        if isinstance(node, gast.Subscript) and _is_d(node.value):
            if isinstance(node.slice, gast.Name) and node.slice.id == self.rule.result_param:
                return astutil.load(self.result_adjoint)
            raise self.fail("only d[result] can be read")
        if isinstance(node, gast.Name):
            return self.name(node.id)
        if not isinstance(node, gast.AST):
            return node
        fields = {}
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                fields[field] = [self.expr(v) for v in value]
            else:
                fields[field] = self.expr(value) if isinstance(value, gast.AST) else value
        new = type(node)(**fields)
        if isinstance(new, gast.Call):
            anno.set(new, anno.Key.PURE, True)
        return new

    def name(self, name: str) -> Any:
        if name in self.bindings:
            bound = self.bindings[name]
            if bound is None:
                raise self.fail(f"parameter {name} is not bound at this call site")
            return astutil.copy_node(bound)
        if name in self.locals:
            return astutil.load(self.locals[name])
        obj = self.global_value(name)
        if obj is _UNKNOWN:
            raise self.fail(f"unknown name {name}")
        if isinstance(obj, types.ModuleType):  # reached by its own name: np, math, scipy
            name = "np" if obj.__name__ == "numpy" else obj.__name__.rpartition(".")[2]
        load = astutil.load(self.site.alias(obj, name))
        anno.set(load, anno.Key.RESOLVED, obj)     # (what simplification recognizes helpers by)
        return load

    def global_value(self, name: str) -> Any:
        if name in self.rule.globals:
            return self.rule.globals[name]
        return getattr(builtins, name, _UNKNOWN)

    def is_differentiated(self, call: gast.Call) -> bool:
        """`differentiated(x)`: whether x's argument carries derivatives at this call site."""
        bound = self.bindings.get(getattr(call.args[0], "id", None))
        return isinstance(bound, gast.Name) and bool(
            self.site.has_tangent(bound.id) if self.forward else self.site.is_active(bound.id))

    def decide_differentiated(self, test: Any) -> Any:
        """`differentiated(x)` in a test, replaced by whether x's argument carries derivatives."""
        differentiated = _differentiated()
        for node in astutil.walk(test):
            for field in node._fields:
                child = getattr(node, field, None)
                children = child if isinstance(child, list) else [child]
                for k, item in enumerate(children):
                    if isinstance(item, gast.Call) and self.static_object(item.func) \
                            is differentiated:
                        children[k] = astutil.constant(self.is_differentiated(item))
                if isinstance(child, list):
                    setattr(node, field, children)
                elif children and children[0] is not child:
                    setattr(node, field, children[0])
        return test

    def static_object(self, node: Any) -> Any:
        """What a name or an attribute chain of the rule's module refers to (else unknown)."""
        if isinstance(node, gast.Name) and node.id not in self.bindings:
            return self.global_value(node.id)
        if isinstance(node, gast.Attribute):
            base = self.static_object(node.value)
            return getattr(base, node.attr, _UNKNOWN) if base is not _UNKNOWN else _UNKNOWN
        return _UNKNOWN

    def same_argument(self, test: Any) -> Optional[bool]:
        """`x is y` on two parameters: True when the call site passes the same variable to both
        (`h * h`); undecided (None) otherwise, since two names may still hold one value."""
        if not (isinstance(test, gast.Compare) and len(test.ops) == 1
                and isinstance(test.ops[0], gast.Is) and isinstance(test.left, gast.Name)
                and isinstance(test.comparators[0], gast.Name)
                and test.left.id in self.bindings and test.comparators[0].id in self.bindings):
            return None
        left, right = self.bindings[test.left.id], self.bindings[test.comparators[0].id]
        if isinstance(left, gast.Name) and isinstance(right, gast.Name) and left.id == right.id:
            return True
        return None

    def static_test(self, test: Any) -> Optional[bool]:
        """Evaluate a rule's `if` test from the call site's constants; None when not static.
        (The template's test node is shared and never changes: its compiled form is kept on the
        rule, one per way its `differentiated(...)` calls are decided.)"""
        same = self.same_argument(test)
        if same is not None:
            return same
        decided = tuple(self.is_differentiated(call) for call in astutil.walk(test)
                        if isinstance(call, gast.Call)
                        and self.static_object(call.func) is _differentiated())
        key = (id(test), decided)
        compiled = self.rule.compiled_tests.get(key)
        if compiled is None:
            holder = gast.Expression(body=astutil.copy_node(test))   # (the test may be the call)
            expression = gast.gast_to_ast(self.decide_differentiated(holder))
            import ast

            ast.fix_missing_locations(expression)
            compiled = self.rule.compiled_tests[key] = (
                compile(expression, "<rule test>", "eval"), astutil.names_loaded(holder.body))
        code, names = compiled
        namespace: Dict[str, Any] = {}
        for name in names:
            if name in self.bindings:
                bound = self.bindings[name]
                if bound is None or not astutil.is_static(bound):
                    return None
                namespace[name] = astutil.static_value(bound)
            else:
                value = self.global_value(name)
                if value is _UNKNOWN:
                    raise self.fail(f"unknown name {name} in a compile-time test")
                namespace[name] = value
        return bool(eval(code, {}, namespace))


def _differentiated() -> Any:
    from .registry import differentiated   # (registry imports this module)

    return differentiated


def _is_d(node: Any) -> bool:
    return isinstance(node, gast.Name) and node.id == "d"
