"""The adjoint of one operation: rule lookup and inlining at a call site.

Needs: a normalized statement `t = op(atoms)` and the per-function `Site` (namer, activity,
aliases, and whether contributions must accumulate).
Guarantees: the inlined adjoint rule of the operation (see `rules.inline`), or a located
`NoDerivativeRuleError` saying which function lacks a rule and what to do.
"""

from __future__ import annotations

import operator
import types
from typing import Any, Dict, List, Optional, Set, Tuple

import gast

from .. import anno, astutil, codegen, runtime
from ..analysis import activity
from ..errors import NoDerivativeRuleError, UnsupportedSyntaxError
from ..frontend.source import FunctionSource
from ..naming import Namer, qualified_name
from ..rules import adjoint_rule, attribute, method
from ..rules.inline import inline_adjoint

_BINARY = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
           gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
           gast.Pow: operator.pow, gast.MatMult: operator.matmul}
_UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos}
_SYMBOLS = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
            operator.floordiv: "//", operator.mod: "%", operator.pow: "**",
            operator.matmul: "@", operator.neg: "unary -", operator.pos: "unary +",
            operator.getitem: "indexing x[...]"}


def helper_call(site: "Site", fn: Any, args: List[Any]) -> gast.Call:
    """A call to a runtime helper, reached through its alias."""
    if site.scalar and fn is runtime.zeros_like and not (
            args and isinstance(args[0], gast.Name) and args[0].id in site.containers):
        zero = astutil.constant(0.0)      # (a list of numbers needs a list of zeros)
        anno.set(zero, anno.Key.ZERO, True)
        return zero
    call = astutil.call(astutil.load(site.alias(fn, fn.__name__)), args)
    anno.set(call, anno.Key.PURE, True)
    if fn is runtime.zeros_like:
        anno.set(call, anno.Key.ZERO, True)
    return call


class Site:
    """Per-function state the rule inliner works against (see `rules.inline.RuleSite`).

    `defined` holds the adjoints assigned so far in straight-line code, whose next contribution
    may accumulate; with `accumulate` set (inside loops and branches), every contribution adds to
    an adjoint initialized before the loop or branch.
    """

    def __init__(self, namer: Namer, active: Set[str], resolved: Dict[str, Any],
                 scalar: bool = False):
        self.namer = namer
        self.scalar = scalar   # scalar code on Python numbers: no un-broadcasting, zeros are 0.0
        self.active = active
        self.resolved = resolved
        self.defined: Set[str] = set()
        self.accumulate = False
        self.callee_guards: List[Any] = []   # one per differentiated call to a user function
        self.iteration_locals: Set[str] = set()   # temporaries of the loop body being reversed
        self.iteration_defined: Set[str] = set()
        self.helpers = namer.helpers
        self.written: Set[str] = set()   # arrays written in place, whose adjoints are too
        self.containers: Set[str] = set()   # names that may hold lists, tuples or dicts
        self.sure_containers: Set[str] = set()   # ... and those that certainly do
        self.dicts: Set[str] = set()   # names that hold dicts
        self.built_containers: Set[str] = set()   # sure containers the function builds

    def adjoint_name(self, primal: str) -> str:
        return self.namer.adjoint(primal)

    def is_active(self, primal: str) -> bool:
        return primal in self.active

    def contribute(self, primal: str, value: Any) -> List[Any]:
        name = self.namer.adjoint(primal)
        if primal in self.iteration_locals:
            # A temporary of one loop iteration: its adjoint lives within the reversed iteration,
            # where the first contribution assigns it, as in straight-line code.
            fresh = name not in self.iteration_defined
            self.iteration_defined.add(name)
        else:
            fresh = not self.accumulate and name not in self.defined
            if fresh:
                self.defined.add(name)
        if not fresh and primal in self.containers:     # entry by entry
            value = helper_call(self, runtime.containers.add_entries, [astutil.load(name), value])
        elif not fresh:
            value = gast.BinOp(left=astutil.load(name), op=gast.Add(), right=value)
        elif primal in self.written:   # changed in place later (`bx[i] = 0.0`): not shared
            value = helper_call(self, runtime.owned, [value, astutil.load(primal)])
        elif primal in self.containers:   # entries added in place later: a list of its own
            value = helper_call(self, runtime.containers.copy_structure, [value])
        return [astutil.assign(name, value)]

    def contribute_entry(self, primal: str, index: Any, value: Any) -> List[Any]:
        """Add `value` to entry `index` of the adjoint of container `primal`."""
        name = self.namer.adjoint(primal)
        out: List[Any] = []
        if not self.adjoint_exists(primal):
            out.append(astutil.assign(name, helper_call(self, runtime.zeros_like,
                                                        [astutil.load(primal)])))
            if primal in self.iteration_locals:
                self.iteration_defined.add(name)
            else:
                self.defined.add(name)
        out.append(astutil.assign(name, helper_call(self, runtime.containers.add_to_entry, [
            astutil.load(name), index, value])))
        return out

    def adjoint_exists(self, primal: str) -> bool:
        """Whether the adjoint of `primal` holds a value at this point of the adjoint sweep."""
        adjoint = self.namer.adjoint(primal)
        if primal in self.iteration_locals:
            return adjoint in self.iteration_defined
        return self.accumulate or adjoint in self.defined

    def fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    def existing_alias(self, obj: Any) -> Optional[str]:
        """The alias already handed out for `obj`, if the generated code uses it at all."""
        return self.namer.existing_alias(obj)

    def alias(self, obj: Any, preferred: str) -> str:
        return self.namer.alias(obj, preferred, self.resolved)


def adjoint_of(src: FunctionSource, stmt: Any, site: Site) -> List[Any]:
    """The adjoint statements of one normalized primal statement (empty if inactive)."""
    if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
        return []
    target = stmt.targets[0].id
    value = stmt.value
    if target not in site.active or not activity.is_varied(value, site.active) \
            or not site.adjoint_exists(target):
        return []    # (nothing reached the target: a rule may pass nothing to an argument)
    result_adjoint = site.adjoint_name(target)
    if isinstance(value, gast.Name):   # (nothing reached `y = x` when y's array was written)
        return site.contribute(value.id, astutil.load(result_adjoint)) \
            if site.is_active(value.id) and site.adjoint_exists(target) else []
    if isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
        return _display_adjoint(value, result_adjoint, site)
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
            and value.value.id in site.containers:
        if not site.is_active(value.value.id):
            return []
        return site.contribute_entry(value.value.id, _index_expression(value.slice, site),
                                     astutil.load(result_adjoint))
    if isinstance(value, gast.BinOp) and any(
            isinstance(operand, gast.Name) and operand.id in site.built_containers
            for operand in (value.left, value.right)):
        raise UnsupportedSyntaxError(
            "arithmetic on a list, tuple or dict of differentiated values (which means "
            "concatenation or repetition) is not supported", src.location(value),
            "build the list with its entries ([a, b, c]) or with append, or use NumPy "
            "(np.concatenate, np.tile) on arrays.")
    key, args, keywords, what = _operation(src, value, site)
    rule = adjoint_rule(key)
    if rule is None:
        raise _no_rule(src, value, key, what)
    return inline_adjoint(rule, target, args, keywords, site, src.location(value), what)


def _display_adjoint(value: Any, result_adjoint: str, site: Site) -> List[Any]:
    """`t = [a, b]` (a list, tuple or dict display): each entry receives its part of `bt`."""
    keys = value.keys if isinstance(value, gast.Dict) else [
        astutil.constant(k) for k in range(len(value.elts))]
    entries = value.values if isinstance(value, gast.Dict) else value.elts
    out: List[Any] = []
    for key, entry in zip(keys, entries):
        if isinstance(entry, gast.Name) and site.is_active(entry.id):
            part = gast.Subscript(value=astutil.load(result_adjoint),
                                  slice=astutil.copy_node(key), ctx=gast.Load())
            out += site.contribute(entry.id, part)
    return out


def _operation(src: FunctionSource, node: Any, site: Site
               ) -> Tuple[Any, List[Any], Dict[str, Any], str]:
    """(rule key, positional operands, keyword operands, description) of one operation."""
    if isinstance(node, gast.BinOp):
        key = _BINARY.get(type(node.op))
        return key, [node.left, node.right], {}, f"operator {_SYMBOLS.get(key, '?')}"
    if isinstance(node, gast.UnaryOp):
        key = _UNARY.get(type(node.op))
        return key, [node.operand], {}, f"operator {_SYMBOLS.get(key, '?')}"
    if isinstance(node, gast.Attribute):
        return attribute(node.attr), [node.value], {}, f"attribute .{node.attr}"
    if isinstance(node, gast.Subscript):
        index = _index_expression(node.slice, site)
        return operator.getitem, [node.value, index], {}, "indexing x[...]"
    if isinstance(node, gast.Call):
        keywords = {k.arg: k.value for k in node.keywords}
        if anno.has(node, anno.Key.METHOD):
            name = anno.get(node, anno.Key.METHOD)
            return method(name), [node.func.value] + node.args, keywords, f"method .{name}()"
        if anno.has(node, anno.Key.RESOLVED):
            obj = anno.get(node, anno.Key.RESOLVED)
            return obj, list(node.args), keywords, qualified_name(obj)
        return None, list(node.args), keywords, codegen.expression_source(node.func)
    return None, [], {}, type(node).__name__


def _index_expression(node: Any, site: Site) -> Any:
    """An index as an ordinary expression: `a:b` becomes `slice(a, b, None)`."""
    if isinstance(node, gast.Slice):
        parts = [astutil.copy_node(p) if p is not None else astutil.constant(None)
                 for p in (node.lower, node.upper, node.step)]
        return helper_call(site, slice, parts)
    if isinstance(node, gast.Tuple):
        return gast.Tuple(elts=[_index_expression(e, site) for e in node.elts], ctx=gast.Load())
    return node


def _is_library(fn: Any) -> bool:
    """NumPy and SciPy implement some functions in Python; they are not the user's functions."""
    return (getattr(fn, "__module__", None) or "").split(".")[0] in ("numpy", "scipy")


def _no_rule(src: FunctionSource, node: Any, key: Any, what: str) -> NoDerivativeRuleError:
    where = src.location(node)
    if isinstance(key, types.FunctionType) and not _is_library(key):
        return NoDerivativeRuleError(
            f"calls to Python function {what} are not differentiated yet", where,
            "inline its body into the differentiated function, or register a rule for it with "
            "@s2sgrad.adjoint(...).")
    if key is None and isinstance(node, gast.Call):
        return NoDerivativeRuleError(
            f"cannot tell statically what {what} calls", where,
            "call a module-level function (np.tanh, math.sin, ...) so s2sgrad can find its rule.")
    return NoDerivativeRuleError(
        f"no derivative rule for {what}", where,
        f"register one with @s2sgrad.adjoint({what}), or wrap the argument in "
        "s2sgrad.stop_gradient(...) if no gradient should flow through this call.")
