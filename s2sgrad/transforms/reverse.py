"""Reverse mode: from normalized straight-line code to its primal sweep and adjoint sweep.

Needs: a normalized `FunctionSource` (one operation per statement, single assignment, a final
`return <atom>`), its active names, the differentiated parameter names and the `Namer`.
Guarantees: `Sweeps` holding the primal statements unchanged, and adjoint statements that visit
the active primal statements in reverse order, each preceded by a `# grad of: <user line>` comment,
each the inlined adjoint rule of that operation. The first contribution to an adjoint is an
assignment (`bx = ...`), later ones accumulate (`bx = bx + ...`), so no adjoint is ever
initialized to zero and then added to. Inputs that receive nothing get a zero of their own shape.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import types
from typing import Any, Dict, List, Optional, Set, Tuple

import gast

from .. import anno, astutil, codegen, runtime
from ..errors import Location, NoDerivativeRuleError
from ..naming import Namer, qualified_name
from ..frontend.source import FunctionSource
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


@dataclasses.dataclass
class Sweeps:
    """The two halves of a reverse-mode derivative, before assembly into functions."""

    primal: List[Any]             # the normalized primal statements (without the return)
    output: Any                   # the returned atom
    adjoint: List[Any]            # adjoint statements, reverse order, with comments
    gradients: List[Any]          # one expression per differentiated parameter
    seed: str                     # name of the incoming adjoint of the output (b_return)
    helpers: Dict[str, Any]       # alias -> object the generated code must be able to reach


def transform(src: FunctionSource, active: Set[str], wrt: Tuple[str, ...], namer: Namer,
              scalar_output: bool, resolved: Dict[str, Any]) -> Sweeps:
    """Build the primal and adjoint sweeps of `src` (normalized) w.r.t. the parameters `wrt`."""
    *primal, ret = src.node.body
    site = _Site(namer, active, resolved)
    seed = namer.fresh("b_return")
    adjoint: List[Any] = [comment(f"grad of: {anno.get(ret, anno.Key.ORIGIN_TEXT)}",
                                  anno.get(ret, anno.Key.ORIGIN))]
    output = ret.value
    seed_value: Any = astutil.load(seed)
    if scalar_output:
        seed_value = _helper_call(site, runtime.scalar_seed, [output, astutil.load(seed)])
    if isinstance(output, gast.Name) and output.id in active:
        adjoint.extend(site.contribute(output.id, seed_value))
    elif scalar_output:
        adjoint.append(gast.Expr(value=seed_value))
    origin: Optional[Location] = anno.get(ret, anno.Key.ORIGIN)
    for stmt in reversed(primal):
        generated = _adjoint_of(src, stmt, site)
        if not generated:
            continue
        if anno.get(stmt, anno.Key.ORIGIN) != origin:
            origin = anno.get(stmt, anno.Key.ORIGIN)
            adjoint.append(comment(f"grad of: {anno.get(stmt, anno.Key.ORIGIN_TEXT)}", origin))
        adjoint.extend(generated)
    gradients = [astutil.load(namer.adjoint(p)) if namer.adjoint(p) in site.defined
                 else _helper_call(site, runtime.zeros_like, [astutil.load(p)]) for p in wrt]
    return Sweeps(primal=primal, output=output, adjoint=adjoint, gradients=gradients, seed=seed,
                  helpers=site.helpers)


def comment(text: str, where: Optional[Location] = None) -> gast.Expr:
    """A comment line in generated code (rendered by `codegen`)."""
    suffix = f"  ({_short(where)})" if where is not None else ""
    return codegen.comment(text + suffix)


def _short(where: Location) -> str:
    return f"{os.path.basename(where.filename)}:{where.lineno}"


def _helper_call(site: "_Site", fn: Any, args: List[Any]) -> gast.Call:
    call = astutil.call(astutil.load(site.alias(fn, fn.__name__)), args)
    anno.set(call, anno.Key.PURE, True)
    return call


class _Site:
    """Per-function state the rule inliner works against (see `rules.inline.RuleSite`)."""

    def __init__(self, namer: Namer, active: Set[str], resolved: Dict[str, Any]):
        self.namer = namer
        self.active = active
        self.resolved = resolved
        self.defined: Set[str] = set()
        self.helpers: Dict[str, Any] = {}
        self._aliases: Dict[int, str] = {}

    def adjoint_name(self, primal: str) -> str:
        return self.namer.adjoint(primal)

    def is_active(self, primal: str) -> bool:
        return primal in self.active

    def contribute(self, primal: str, value: Any) -> List[Any]:
        name = self.namer.adjoint(primal)
        if name in self.defined:
            value = gast.BinOp(left=astutil.load(name), op=gast.Add(), right=value)
        self.defined.add(name)
        return [astutil.assign(name, value)]

    def fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    def alias(self, obj: Any, preferred: str) -> str:
        if id(obj) not in self._aliases:
            if self.resolved.get(preferred, None) is obj:
                name = preferred            # the user's own global already names it
            else:
                name = self.namer.fresh(preferred)
                self.helpers[name] = obj
            self._aliases[id(obj)] = name
        return self._aliases[id(obj)]


def _adjoint_of(src: FunctionSource, stmt: Any, site: _Site) -> List[Any]:
    """The adjoint statements of one normalized primal statement (empty if inactive)."""
    if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
        return []
    target = stmt.targets[0].id
    if target not in site.active:
        return []
    value = stmt.value
    if isinstance(value, gast.Name):
        return site.contribute(value.id, astutil.load(site.adjoint_name(target))) \
            if site.is_active(value.id) else []
    key, args, keywords, what = _operation(src, value, site)
    rule = adjoint_rule(key)
    if rule is None:
        raise _no_rule(src, value, key, what)
    return inline_adjoint(rule, target, args, keywords, site, src.location(value), what)


def _operation(src: FunctionSource, node: Any, site: _Site
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


def _index_expression(node: Any, site: _Site) -> Any:
    """An index as an ordinary expression: `a:b` becomes `slice(a, b, None)`."""
    if isinstance(node, gast.Slice):
        parts = [astutil.copy_node(p) if p is not None else astutil.constant(None)
                 for p in (node.lower, node.upper, node.step)]
        return _helper_call(site, slice, parts)
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
