"""Forward mode: every statement of normalized code followed by the statement of its tangent.

Needs: a normalized `FunctionSource`, the names that depend on the differentiated parameters
(`activity.varied_names`), those parameters and the `Namer`.
Guarantees: statements that compute the primal values and, right after each statement that
assigns a varied name, its tangent `dx` (linear in the parameters' tangents), inside the same loops
and branches: forward mode records nothing, so loops stay loops and `while` conditions, `break`s
and early returns need nothing special. Each operation's tangent rule is inlined (zero tangents
simplified away: see `rules.inline.inline_tangent`); a call to one of the user's functions calls
its own generated forward-mode function, `y, dy = g_jvp(x, dx=dx)`.

Example: `y = np.tanh(x) * x` (x differentiated) becomes
`tanh_x = np.tanh(x); dtanh_x = dx * (1.0 - tanh_x * tanh_x); y = tanh_x * x;
dy = dtanh_x * x + tanh_x * dx`.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import gast

from .. import anno, astutil, runtime
from ..analysis import activity, aliases, containers, overwrites
from ..errors import NoDerivativeRuleError
from ..frontend.source import FunctionSource
from ..naming import Namer, function_name
from ..rules import tangent_rule
from ..rules.inline import _zero, inline_tangent
from . import calls
from .reverse_ops import _no_rule, _operation


@dataclasses.dataclass
class Tangents:
    """The forward-mode body of a function, before assembly."""

    body: List[Any]            # primal and tangent statements (without the return)
    output: Any                # the returned atom
    output_tangent: Any        # its tangent (an expression)
    tangents: List[str]        # the tangent parameters, one per differentiated parameter
    helpers: Dict[str, Any]
    guards: List[Any]


class ForwardSite:
    """What the tangent-rule inliner works against (see `rules.inline`)."""

    def __init__(self, namer: Namer, varied: Set[str], resolved: Dict[str, Any], scalar: bool):
        self.namer = namer
        self.varied = varied
        self.resolved = resolved
        self.scalar = scalar
        self.written: Set[str] = set()       # arrays written in place: tangents of their own
        self.changed_lists: Set[str] = set()   # lists appended to or popped from (or copies)
        self.compound: Set[str] = set()      # names assigned in loops and branches
        self.containers: Set[str] = set()
        self.callee_guards: List[Any] = []

    def tangent_name(self, primal: str) -> str:
        return self.namer.tangent(primal)

    def has_tangent(self, primal: str) -> bool:
        return primal in self.varied

    def define_tangent(self, primal: str, value: Any) -> List[Any]:
        from ..rules.inline import _is_zero

        if _is_zero(value) and primal not in self.compound and primal not in self.written \
                and primal not in self.changed_lists:
            # assigned once, in straight-line code: its tangent is zero everywhere, which the
            # statements after it know (they drop it) rather than compute with zeros
            self.varied.discard(primal)
            return []
        if _is_zero(value):
            value = self.zero(primal)
        elif primal in self.written:   # written in place later: must not share its tangent
            value = self.helper(runtime.owned, [value, astutil.load(primal)])
        elif aliases.returned_names(value, self.resolve) & self.written_tangents():
            # the tangent of an array written in place (or a view of it, or what `d[x] + 0`
            # leaves: `broadcast_like(dx, z)`): a copy, not a second name of its memory
            value = self.helper(runtime.copy_of, [value])
        return [astutil.assign(self.tangent_name(primal), value)]

    def resolve(self, node: Any) -> Any:
        """What a name or attribute chain in inlined rule code refers to (None: unknown)."""
        if isinstance(node, gast.Name):
            return self.namer.helpers.get(node.id, self.resolved.get(node.id))
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if isinstance(base, types.ModuleType) else None
        return None

    def written_tangents(self) -> Set[str]:
        return {self.tangent_name(name) for name in self.written}

    def zero(self, primal: str) -> Any:
        """A zero tangent shaped like `primal`."""
        if self.scalar:
            return astutil.constant(0.0)
        return self.helper(runtime.zeros_like, [astutil.load(primal)])

    def tangent_of(self, node: Any, holder: Any = None) -> Any:
        """The tangent of an atom: its tangent variable, or a zero shaped like it. An entry of a
        display that is not an atom (code the differentiated inputs do not reach is left
        unsplit: `r = a * b, c`) is not varied: a zero shaped like `holder`, an expression that
        reads its value after the assignment (`r[0]`)."""
        if isinstance(node, gast.Name) and node.id in self.varied:
            return astutil.load(self.tangent_name(node.id))
        if isinstance(node, gast.Name) and not self.scalar:
            return self.helper(runtime.zeros_like, [astutil.load(node.id)])
        if isinstance(node, (gast.Tuple, gast.List)):   # `return (0.5, 1.5), r`: one per entry
            return type(node)(elts=[self.tangent_of(e, _entry(holder, i))
                                    for i, e in enumerate(node.elts)], ctx=gast.Load())
        if holder is not None and not self.scalar and not isinstance(node, gast.Constant):
            return self.helper(runtime.zeros_like, [holder])
        return astutil.constant(0.0)

    def helper(self, fn: Any, args: List[Any]) -> gast.Call:
        call = astutil.call(astutil.load(self.alias(fn, fn.__name__)), args)
        anno.set(call, anno.Key.PURE, True)
        return call

    def fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    def alias(self, obj: Any, preferred: str) -> str:
        return self.namer.alias(obj, preferred, self.resolved)


def transform(src: FunctionSource, wrt: Tuple[str, ...], namer: Namer, resolved: Dict[str, Any],
              scalar: bool = False, container_parameters: Iterable[str] = ()) -> Tangents:
    """The forward-mode body of normalized `src` w.r.t. the parameters `wrt`."""
    *body, ret = src.node.body
    varied = activity.varied_names(body, wrt)
    site = ForwardSite(namer, varied, resolved, scalar)
    params = astutil.names_stored(src.node.args)
    site.compound = overwrites.compound_names(body) | params | \
        overwrites.overwritten_names(body, params)     # (assigned twice: tangent not dropped)
    sharing = aliases.sharing(src.node)
    site.written = {alias for name in astutil.names_written_into(body)
                    for alias in sharing.perhaps_same(name)}
    site.changed_lists = {alias for name in activity.changed_in_place(body)
                          for alias in sharing.copies(name)} - site.written
    site.containers = containers.container_names(body, container_parameters,
                                                 calls.is_dynamic)[0]
    tangents = [namer.tangent(p) for p in wrt]
    # a parameter not differentiated but assigned a varied value later starts with a zero tangent
    starts = [astutil.assign(site.tangent_name(p), site.zero(p)) for p in
              sorted((astutil.names_stored(src.node.args) & varied) - set(wrt))]
    # the caller's tangent of an argument the function writes into is copied first
    starts += [astutil.assign(site.tangent_name(p), site.helper(runtime.owned, [
        astutil.load(site.tangent_name(p)), astutil.load(p)])) for p in wrt if p in site.written]
    new_body = starts + _Forward(src, site).block(body)
    output = ret.value
    output_tangent = site.tangent_of(output)
    return Tangents(body=new_body, output=output, output_tangent=output_tangent,
                    tangents=tangents, helpers=namer.helpers, guards=site.callee_guards)


def _entry(holder: Any, key: Any) -> Any:
    """`holder[key]` (None without a holder)."""
    if holder is None:
        return None
    index = key if isinstance(key, gast.AST) else astutil.constant(key)
    return gast.Subscript(value=astutil.copy_node(holder), slice=astutil.copy_node(index),
                          ctx=gast.Load())


class _Forward:
    def __init__(self, src: FunctionSource, site: ForwardSite):
        self.src = src
        self.site = site

    def block(self, statements: List[Any]) -> List[Any]:
        return [new for stmt in statements for new in self.statement(stmt)]

    def statement(self, stmt: Any) -> List[Any]:
        if isinstance(stmt, gast.If):
            stmt.body = self.block(stmt.body) or [gast.Pass()]
            stmt.orelse = self.block(stmt.orelse)
            return [stmt]
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = self.block(stmt.body) or [gast.Pass()]
            return [stmt]
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            return [stmt] + self.write(stmt)
        if anno.get(stmt, anno.Key.ASKS, False) or anno.has(stmt, anno.Key.RECORDS):
            # `z_is_y = same_object(z, y)` (tangents share memory as their values do) and
            # `x_old = copy_of(x[i])` before a write: what only an adjoint reads
            return []
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        append = activity.appended(stmt)
        if append is not None and append[0] in self.site.varied:
            tangents = astutil.load(self.site.tangent_name(append[0]))
            add = astutil.call(astutil.attribute(tangents, "append"),
                               [self.site.tangent_of(append[1])])
            return [stmt, gast.Expr(value=add)]
        return [stmt]

    def write(self, stmt: gast.Assign) -> List[Any]:
        """`x[i] = v`: `dx[i] = dv` (the tangent array is changed in place like the array)."""
        target = stmt.targets[0]
        name = target.value.id
        if name not in self.site.varied:
            return []
        part = gast.Subscript(value=astutil.load(self.site.tangent_name(name)),
                              slice=astutil.copy_node(target.slice), ctx=gast.Store())
        value = self.site.tangent_of(stmt.value) if isinstance(stmt.value, gast.Name) \
            else astutil.constant(0.0)
        return [gast.Assign(targets=[part], value=value, type_comment=None)]

    def assignment(self, stmt: gast.Assign) -> List[Any]:
        site = self.site
        targets = astutil.names_stored(stmt.targets)
        if not targets & site.varied:
            return [stmt]
        value = stmt.value
        if not activity.is_varied(value, site.varied) and \
                not isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
            out = [stmt]
            for t in sorted(targets & site.varied):
                if isinstance(value, gast.Constant):     # a number written in the code: 0.0
                    out.append(astutil.assign(site.tangent_name(t), astutil.constant(0.0)))
                else:
                    out += site.define_tangent(t, _zero())
            return out
        call = self.call(stmt)
        if call is not None:
            return call
        target = stmt.targets[0].id
        popped = activity.popped(stmt)
        if popped is not None:       # v = L.pop(): dv = dL.pop()
            last = astutil.call(astutil.attribute(
                astutil.load(site.tangent_name(popped[0])), "pop"), [])
            return [stmt, astutil.assign(site.tangent_name(target), last)]
        if isinstance(value, gast.Name):
            return [stmt, astutil.assign(site.tangent_name(target), site.tangent_of(value))]
        if isinstance(value, (gast.List, gast.Tuple)):
            display: Any = site.tangent_of(value, astutil.load(target))
            return [stmt, astutil.assign(site.tangent_name(target), display)]
        if isinstance(value, gast.Dict):
            display = gast.Dict(keys=[astutil.copy_node(k) for k in value.keys], values=[
                site.tangent_of(v, _entry(astutil.load(target), k) if isinstance(
                    k, gast.Constant) else None) for k, v in zip(value.keys, value.values)])
            return [stmt, astutil.assign(site.tangent_name(target), display)]
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
                and value.value.id in site.containers:
            entry = gast.Subscript(value=astutil.load(site.tangent_name(value.value.id)),
                                   slice=astutil.copy_node(value.slice), ctx=gast.Load())
            return [stmt, astutil.assign(site.tangent_name(target), entry)]
        key, args, keywords, what = _operation(self.src, value, _IndexSite(site))
        rule = tangent_rule(key)
        if rule is None:
            raise _no_tangent_rule(self.src, value, key, what)
        return [stmt] + inline_tangent(rule, target, args, keywords, site,
                                       self.src.location(value), what)

    def call(self, stmt: gast.Assign) -> Optional[List[Any]]:
        """A call to one of the user's functions: `y, dy = g_jvp(a, k=b, dx=da)`."""
        fn = calls.called_function(stmt, forward=True)
        dynamic = fn is None and calls.is_dynamic(stmt)
        if fn is None and not dynamic:
            return None
        site = self.site
        value = stmt.value
        operands = [(k, a) for k, a in enumerate(value.args)] + \
                   [(kw.arg, kw.value) for kw in value.keywords]
        varied = [(key, a) for key, a in operands
                  if isinstance(a, gast.Name) and a.id in site.varied]
        tangent_target = _tangent_target(stmt.targets[0], site)
        targets = gast.Tuple(elts=[astutil.copy_node(stmt.targets[0]), tangent_target],
                             ctx=gast.Store())
        if dynamic:   # `f_jvp = callee_tangents(f_call, f, x)`, then `y, dy = f_jvp(x, dx)`
            from ..runtime.dynamic import DynamicCall, callee_tangents

            positions = tuple(k for k, _ in varied if isinstance(k, int))
            keywords = tuple(k for k, _ in varied if isinstance(k, str))
            helper = DynamicCall(positions, keywords, self.src.location(value))
            base = astutil.unparse(value.func).replace(".", "_")
            name = site.alias(helper, f"{base}_call")
            passes = site.fresh(f"{base}_jvp")
            lookup = astutil.call(astutil.load(site.alias(callee_tangents, "callee_tangents")),
                                  [astutil.load(name), astutil.copy_node(value.func)]
                                  + astutil.copy_node(value.args),
                                  astutil.copy_node(value.keywords))
            anno.set(lookup, anno.Key.RESOLVED, callee_tangents)
            jvp = astutil.call(astutil.load(passes), astutil.copy_node(value.args) + [
                astutil.load(site.tangent_name(a.id)) for _, a in varied],
                astutil.copy_node(value.keywords))
            return [astutil.assign(passes, lookup),
                    gast.Assign(targets=[targets], value=jvp, type_comment=None)]
        jvp = self.static_call(stmt, fn, varied)
        return [gast.Assign(targets=[targets], value=jvp, type_comment=None)]

    def static_call(self, stmt: gast.Assign, fn: types.FunctionType,
                    varied: List[Tuple[Any, Any]]) -> gast.Call:
        import inspect

        from ..api import Derived

        value = stmt.value
        site = self.site
        receiver = anno.get(value, anno.Key.RECEIVER, None)
        try:
            bound = inspect.signature(fn).bind(*([receiver] if receiver is not None else []),
                                               *value.args,
                                               **{k.arg: k.value for k in value.keywords})
        except TypeError as exc:
            raise NoDerivativeRuleError(f"this call does not match {fn.__qualname__}'s "
                                        f"parameters ({exc})", self.src.location(value),
                                        "fix the call's arguments.") from None
        def tangent(node: Any) -> Any:       # `*args` binds a tuple of nodes
            if isinstance(node, tuple):
                return gast.Tuple(elts=[site.tangent_of(n) for n in node], ctx=gast.Load())
            return astutil.load(site.tangent_name(node.id))

        def varied_node(node: Any) -> bool:
            if isinstance(node, tuple):
                return any(varied_node(n) for n in node)
            return isinstance(node, gast.Name) and node.id in site.varied

        wrt = [name for name, node in bound.arguments.items() if varied_node(node)]
        calls.check_recursion(self.src, fn, value)
        with calls.compiling(self.src):
            derived = Derived(fn, tuple(wrt), "jvp")
            containers_given = tuple(sorted(
                name for name, node in bound.arguments.items()
                if isinstance(node, gast.Name) and node.id in site.containers))
            (entry,) = derived.generated_functions(
                containers_given, (), calls.callee_objects(fn, value, bound, site.resolved))
        site.callee_guards.append(calls.CalleeGuard(derived))
        alias = site.alias(entry, f"{function_name(fn)}_jvp")
        tangent_names = derived._shown.tangents
        keywords = astutil.copy_node(value.keywords) + [
            gast.keyword(arg=tangent_names[k], value=tangent(bound.arguments[name]))
            for k, name in enumerate(wrt)]
        first = [astutil.copy_node(receiver)] if receiver is not None else []
        return astutil.call(astutil.load(alias), first + astutil.copy_node(value.args), keywords)


class _IndexSite:
    """`_operation` turns slices into `slice(...)` calls through the site's aliases."""

    def __init__(self, site: ForwardSite):
        self.site = site

    def alias(self, obj: Any, preferred: str) -> str:
        return self.site.alias(obj, preferred)

    scalar = False


def _tangent_target(target: Any, site: ForwardSite) -> Any:
    if isinstance(target, gast.Name):
        return astutil.store(site.tangent_name(target.id))
    return gast.Tuple(elts=[_tangent_target(e, site) for e in target.elts], ctx=gast.Store())


def _no_tangent_rule(src: FunctionSource, node: Any, key: Any, what: str) -> Exception:
    error = _no_rule(src, node, key, what)
    if key is not None and "no derivative rule" in error.message:
        return NoDerivativeRuleError(
            f"no forward-mode (tangent) rule for {what}", src.location(node),
            f"register one with @s2sgrad.tangent({what}), or use reverse mode (grad, vjp).")
    return error

