"""The compiler pipeline: one function, read top to bottom, from a Python function to derivative code.

    function object
      -> source and AST with the user's positions        frontend/source.py
      -> names resolved to objects (rules by object)      frontend/resolve.py
      -> supported language checked                       frontend/language.py
      -> normalized: one operation per statement           transforms/normalize.py
      -> active variables found                           analysis/activity.py
      -> primal and adjoint sweeps                        transforms/reverse.py
      -> assembled into functions and simplified          here, optimizations/simplify.py
      -> intermediates freed after their last block       optimizations/lifetimes.py
      -> source text                                      codegen.py
      -> compiled, linecache-registered code              loader.py

`trace`, when given, receives (stage, source) after every stage that changes the code; it is how
`s2sgrad show --stages` and docs/architecture.md show the intermediate source.
"""

from __future__ import annotations

import builtins
import dataclasses
import math
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import gast

from . import anno, astutil, codegen, loader
from .analysis import activity, shifts
from .errors import Location
from .frontend import language, resolve, source
from .frontend.resolve import Guard
from .naming import Namer, function_name, qualified_name, short_filename
from .optimizations.lifetimes import free_after_last_use
from .optimizations.simplify import simplify
from .rules import registry
from .transforms import comprehensions, forward, free_values, normalize, reverse, tapes

Trace = Optional[Callable[[str, str], None]]
KINDS = ("grad", "value_and_grad", "vjp")


@dataclasses.dataclass
class Derivative:
    """Generated derivative code for one (function code, wrt, kind), ready to bind."""

    kind: str
    wrt: Tuple[str, ...]
    source: str
    entry: Tuple[str, ...]        # grad/value_and_grad: (name,); vjp: (forward, backward)
    code: loader.LoadedCode
    guards: List[Guard]
    seed: str                     # keyword of the incoming output adjoint
    output_location: Location     # the user's return statement, for output errors
    rules_version: int            # the rule table this was generated against
    scalar_capable: bool          # scalar code: a variant for Python numbers can be generated
    tangents: Tuple[str, ...] = ()   # jvp: the keyword parameters taking the inputs' tangents
    # the backward pass writes back into arrays the forward pass recorded (`x[i] = x_old`, the
    # undoing of an in-place write): its records serve one backward pass
    restores: bool = False
    guards_hold: Optional[Callable[[Any], bool]] = dataclasses.field(
        default=None, repr=False, compare=False)   # the guards compiled (see cache.is_valid)


def _restores(functions: List[Any]) -> bool:
    """Whether the generated code writes back into recorded arrays (see `Derivative`)."""
    return any(anno.has(node, anno.Key.RESTORES)
               for function in functions for node in astutil.walk(function))


def compile_reverse(fn: Any, wrt: Tuple[str, ...], kind: str, trace: Trace = None,
                    single: bool = True, scalar: bool = False,
                    containers: Tuple[str, ...] = (), dicts: Tuple[str, ...] = (),
                    known: Optional[Dict[str, Any]] = None) -> Derivative:
    """Generate, compile and return the reverse-mode derivative of `fn` w.r.t. parameters `wrt`.

    With `single` and one parameter in `wrt`, the gradient is returned bare, not in a tuple.
    With `scalar`, and if `fn` is scalar code (see `_scalar_code`), the derivative is specialized
    for Python numbers as arguments: no un-broadcasting, zeros are `0.0`.
    `containers` names the parameters that receive lists, tuples or dicts (their gradients are
    lists, tuples or dicts of gradients); `dicts`, those of them that receive dicts; `known`,
    the parameters given functions or objects the derivative is specialized for.
    """
    rules_version = registry.version
    src, resolution, namer, scalar_capable = _front_end(fn, wrt, trace, dicts, known)
    scalar = scalar and scalar_capable
    *primal, ret = src.node.body
    free = resolution.free_values
    active = activity.active_names(primal, tuple(wrt) + tuple(free), ret.value)
    active -= shifts.unneeded_maxima(primal, ret.value,   # (`x - np.max(x)` for safety)
                                     astutil.names_stored(src.node.args))
    _report_text(trace, "active", ", ".join(sorted(active)))
    sweeps = reverse.transform(src, active, wrt, namer, kind == "grad", resolution.objects,
                               scalar, containers, free)
    _report(trace, "reverse", sweeps.primal + sweeps.adjoint)
    functions = _assemble(src, sweeps, wrt, kind, namer, single)
    if not scalar:
        _free_intermediates(functions)
    text = codegen.to_source(functions)
    _report(trace, "generated", functions)
    label = f"{kind} of {fn.__qualname__}"
    code = loader.load(text, [f.name for f in functions], sweeps.helpers,
                       fn.__code__.co_freevars, label, codegen.statement_origins(functions))
    return Derivative(kind=kind, wrt=wrt, source=text, entry=tuple(f.name for f in functions),
                      code=code, guards=resolution.guards + sweeps.guards, seed=sweeps.seed,
                      output_location=src.location(ret), rules_version=rules_version,
                      scalar_capable=scalar_capable, restores=_restores(functions))


def compile_forward(fn: Any, wrt: Tuple[str, ...], trace: Trace = None, scalar: bool = False,
                    containers: Tuple[str, ...] = (), dicts: Tuple[str, ...] = (),
                    kind: str = "jvp", known: Optional[Dict[str, Any]] = None) -> Derivative:
    """Generate, compile and return the forward-mode derivative of `fn` w.r.t. `wrt`.

    kind "jvp": the generated function takes `fn`'s parameters and, as keyword-only parameters,
    one tangent per parameter in `wrt` (`dx`); it returns `(value, tangent of the value)`.
    kind "pushforward": the tangents are ordinary parameters after `fn`'s own (`f(x, dx)`), and
    the function returns the tangent alone, so that it can be differentiated again as it is.
    """
    rules_version = registry.version
    src, resolution, namer, scalar_capable = _front_end(fn, wrt, trace, dicts, known,
                                                        forward_mode=True)
    body = forward.transform(src, wrt, namer, resolution.objects, scalar and scalar_capable,
                             containers)
    _report(trace, "forward", body.body)
    where = f"{short_filename(src.filename)}:{src.node.lineno}"
    doc = f"Value of {src.name} and its derivative in the direction of the tangents of " \
          f"{', '.join(wrt)} (forward mode, generated by s2sgrad from {where})."
    args = astutil.copy_node(src.node.args)
    for arg in astutil.walk(args):
        if isinstance(arg, gast.Name):
            arg.annotation = None
    for tangent in body.tangents:
        parameter = gast.Name(id=tangent, ctx=gast.Param(), annotation=None, type_comment=None)
        if kind == "pushforward" and not args.kwonlyargs and args.vararg is None:
            args.args.append(parameter)
            if args.defaults:
                args.defaults.append(astutil.constant(None))
        else:
            args.kwonlyargs.append(parameter)
            args.kw_defaults.append(None)
    result = _tuple([body.output, body.output_tangent]) if kind == "jvp" else body.output_tangent
    if kind == "pushforward":
        doc = doc.replace(f"Value of {src.name} and its", "The")
    statements = simplify(_with_split_comments(body.body) + [gast.Return(value=result)],
                          copies=False)
    function = _function(namer.fresh(f"{function_name(src.fn)}_{kind}"), args,
                         [_docstring(doc)] + statements)
    if not (scalar and scalar_capable):
        _free_intermediates([function])
    text = codegen.to_source([function])
    _report(trace, "generated", [function])
    code = loader.load(text, [function.name], body.helpers, fn.__code__.co_freevars,
                       f"{kind} of {fn.__qualname__}", codegen.statement_origins([function]))
    ret = src.node.body[-1]
    return Derivative(kind=kind, wrt=wrt, source=text, entry=(function.name,), code=code,
                      guards=resolution.guards + body.guards, seed="",
                      output_location=src.location(ret), rules_version=rules_version,
                      scalar_capable=scalar_capable, tangents=tuple(body.tangents))


def _front_end(fn: Any, wrt: Tuple[str, ...], trace: Trace, dicts: Tuple[str, ...],
               known: Optional[Dict[str, Any]] = None, forward_mode: bool = False
               ) -> Tuple[source.FunctionSource, resolve.Resolution, Namer, bool]:
    """Source, resolution, language check and normalization: what both modes start from
    (`forward_mode`: see `transforms.inplace`)."""
    src = source.get_function_source(fn)
    _report(trace, "source", [src.node])
    comprehensions.lower(src.node, Namer(astutil.all_names(src.node)))
    resolution = resolve.resolve(src, known)
    _report_text(trace, "resolved", "\n".join(
        f"{name} -> {qualified_name(obj)}" for name, obj in sorted(resolution.objects.items())))
    namer = Namer(astutil.all_names(src.node) | set(resolution.objects))
    tapes.lower(src, namer, resolution.scope.known)
    language.check(src)
    scalar_capable = _scalar_code(src, resolution.objects, resolution.local_names)
    resolution.free_values = free_values.lift(src, resolution, namer)
    normalize.transform(src, set(wrt) | set(resolution.free_values), namer, dicts,
                        forward_mode)
    _report(trace, "normalized", [src.node])
    return src, resolution, namer, scalar_capable


_SCALAR_BUILTINS = {builtins.range, builtins.len, builtins.float, builtins.int, builtins.abs,
                    builtins.bool}


def _scalar_code(src: source.FunctionSource, objects: Dict[str, Any], local: Set[str]) -> bool:
    """Whether every value `fn` computes is a Python number when its arguments are.

    True when the function reads no global or closure value (a global array would broadcast),
    calls only the `math` module and a few builtins, and neither indexes nor reads attributes
    of its values: then nothing can broadcast.
    """
    free = astutil.names_loaded(src.node.body) - local
    if any(name not in objects for name in free):
        return False
    for node in astutil.walk(src.node.body):
        if isinstance(node, gast.Subscript) or anno.has(node, anno.Key.METHOD):
            return False
        if isinstance(node, gast.Attribute) and not (
                isinstance(node.value, gast.Name) and objects.get(node.value.id) is math):
            return False
    return all(obj is math or getattr(obj, "__module__", None) == "math"
               or any(obj is b for b in _SCALAR_BUILTINS) for obj in objects.values())


def bind(derivative: Derivative, fn: Any) -> List[Any]:
    """The derivative's entry functions, bound to `fn`'s globals, closure and defaults."""
    functions = derivative.code.bind(fn, _binding_defaults(fn, derivative))
    return [functions[name] for name in derivative.entry]


def _report(trace: Trace, stage: str, nodes: List[Any]) -> None:
    if trace is not None:
        trace(stage, codegen.to_source(nodes))


def _report_text(trace: Trace, stage: str, text: str) -> None:
    if trace is not None:
        trace(stage, text + "\n")


# ---- assembly -------------------------------------------------------------------------------


def _assemble(src: source.FunctionSource, sweeps: reverse.Sweeps, wrt: Tuple[str, ...], kind: str,
              namer: Namer, single: bool) -> List[gast.FunctionDef]:
    where = f"{short_filename(src.filename)}:{src.node.lineno}"
    bare = single and kind != "vjp" and len(wrt) == 1
    grads = sweeps.gradients[0] if bare else _tuple(sweeps.gradients)
    primal = _with_split_comments(sweeps.primal)
    if kind in ("grad", "value_and_grad"):
        result = grads
        if kind == "value_and_grad":
            # Taken before the adjoint sweep, which restores overwritten values as it goes.
            value = namer.fresh("value")
            primal = primal + [astutil.assign(value, sweeps.output)]
            result = _tuple([astutil.load(value), grads])
        body = simplify(primal + sweeps.adjoint + [gast.Return(value=result)])
        doc = f"{'Value and gradient' if kind != 'grad' else 'Gradient'} of {src.name} " \
              f"with respect to {', '.join(wrt)} (generated by s2sgrad from {where})."
        name = namer.fresh(_grad_name(src.name, wrt, kind))
        args = _user_arguments(src.node.args, sweeps.seed, default=1.0)
        return [_function(name, args, [_docstring(doc)] + body)]
    backward = simplify(sweeps.adjoint + [gast.Return(value=grads)])
    computed = astutil.names_stored(primal) | astutil.names_stored(src.node.args)
    residuals = [n for n in _free_names(backward) if n in computed]
    forward_result = _tuple([sweeps.output, _tuple([astutil.load(r) for r in residuals])])
    forward = simplify(primal + [gast.Return(value=forward_result)], copies=False)
    fwd_doc = f"Forward pass of {src.name}: its value and what the backward pass needs " \
              f"(generated by s2sgrad from {where})."
    bwd_doc = f"Backward pass of {src.name}: the vector-Jacobian product with respect to " \
              f"{', '.join(wrt)} (generated by s2sgrad from {where})."
    bwd_args = _plain_arguments(list(residuals) + [sweeps.seed])
    base = function_name(src.fn)
    return [_function(namer.fresh(f"{base}_forward"), astutil.copy_node(src.node.args),
                      [_docstring(fwd_doc)] + forward),
            _function(namer.fresh(f"{base}_backward"), bwd_args,
                      [_docstring(bwd_doc)] + backward)]


def _free_intermediates(functions: List[gast.FunctionDef]) -> None:
    """`del` each intermediate after its last use (see optimizations/lifetimes.py)."""
    for function in functions:
        parameters = astutil.names_stored(function.args)
        docstring, body = function.body[:1], function.body[1:]
        function.body = docstring + free_after_last_use(body, parameters)


def _with_split_comments(primal: List[Any]) -> List[Any]:
    from . import anno

    out: List[Any] = []
    for stmt in primal:
        if anno.get(stmt, anno.Key.SPLIT, False):
            out.append(reverse.comment(anno.get(stmt, anno.Key.ORIGIN_TEXT),
                                       anno.get(stmt, anno.Key.ORIGIN)))
        out.append(stmt)
    return out


def _grad_name(name: str, wrt: Tuple[str, ...], kind: str) -> str:
    base = f"d{name}_" + "_".join(f"d{w}" for w in wrt) if len(wrt) <= 3 else f"grad_{name}"
    return base if kind == "grad" else f"value_and_{base}"


def _tuple(elements: List[Any]) -> gast.Tuple:
    return gast.Tuple(elts=list(elements), ctx=gast.Load())


def _docstring(text: str) -> gast.Expr:
    return gast.Expr(value=astutil.constant(text))


def _function(name: str, args: gast.arguments, body: List[Any]) -> gast.FunctionDef:
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _user_arguments(args: gast.arguments, seed: str, default: float) -> gast.arguments:
    new = astutil.copy_node(args)
    for arg in astutil.walk(new):
        if isinstance(arg, gast.Name):
            arg.annotation = None
    new.kwonlyargs.append(gast.Name(id=seed, ctx=gast.Param(), annotation=None,
                                    type_comment=None))
    new.kw_defaults.append(astutil.constant(default))
    return new


def _plain_arguments(names: List[str]) -> gast.arguments:
    return gast.arguments(args=[gast.Name(id=n, ctx=gast.Param(), annotation=None,
                                          type_comment=None) for n in names],
                          posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                          kwarg=None, defaults=[])


def _free_names(statements: List[Any]) -> List[str]:
    """Names read before being assigned in `statements`, in order of first read. A name a loop
    body assigns before reading it (a value popped from a stack) is not free; one assigned in
    a loop or branch and read after it is (the loop may not run)."""
    free: Dict[str, None] = {}
    _free_in(statements, set(), free)
    return list(free)


def _free_in(statements: List[Any], assigned: set, free: Dict[str, None]) -> None:
    for stmt in statements:
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            header = stmt.iter if isinstance(stmt, gast.For) else stmt.test
            for name in _loads_in_order(header):
                if name not in assigned:
                    free.setdefault(name, None)
            inner = assigned | (astutil.names_stored(stmt.target)
                                if isinstance(stmt, gast.For) else set())
            _free_in(stmt.body, set(inner), free)
            _free_in(stmt.orelse, set(assigned), free)
            continue
        for name in _loads_in_order(stmt):
            if name not in assigned:
                free.setdefault(name, None)
        if isinstance(stmt, gast.Assign):
            assigned |= astutil.names_stored(stmt.targets)


def _loads_in_order(stmt: Any) -> List[str]:
    return [n.id for n in astutil.walk(stmt) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)]


# ---- defaults of generated functions ----------------------------------------------------------


def _binding_defaults(fn: Any, derivative: Derivative) -> Dict[str, Tuple[Optional[tuple],
                                                                           Optional[dict]]]:
    """User defaults for functions taking the user's arguments; the seed defaults to 1.0."""
    kwdefaults = dict(fn.__kwdefaults__ or {})
    if derivative.kind == "vjp":
        return {derivative.entry[0]: (fn.__defaults__, kwdefaults or None)}
    kwdefaults[derivative.seed] = 1.0
    return {derivative.entry[0]: (fn.__defaults__, kwdefaults)}
