"""`with GradientTape() as t:` blocks inside a function being differentiated (a gradient
penalty computed in a helper function that an outer tape's block calls).

Generated code holds no tapes: the block's statements run inline, and `g = t.gradient(y, x)`
becomes a call of the generated gradient of the block, written as a function of the values it
reads (`eager.blocks.block_function`):

    g_grads = t_gradient(x, w)          # t_gradient: s2sgrad.grad of the block, wrt x
    g = g_grads[0]

The call goes to generated source, so the enclosing function's own derivative differentiates
it again (higher order, as nested tapes do).

Needs: resolved names (`frontend.resolve`), before the language check and normalization.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

import gast

from .. import anno, astutil
from ..errors import UnsupportedSyntaxError
from ..frontend.source import FunctionSource
from ..naming import Namer


def lower(src: FunctionSource, namer: Namer, known: Optional[Dict[str, Any]] = None) -> None:
    """Lower every tape block of `src`'s function (see the module docstring). `known`: the
    parameters the derivative is specialized for, with their objects."""
    if not any(_is_tape_block(n) for n in astutil.walk(src.node.body)):
        return
    local = astutil.names_stored(src.node.args) | astutil.names_stored(src.node.body)
    src.node.body = _Lowering(src, namer, local, known or {}).block(src.node.body)


def _is_tape_block(node: Any) -> bool:
    return isinstance(node, gast.With) and any(
        "GradientTape" in astutil.unparse(item.context_expr) for item in node.items)


class _Lowering:
    def __init__(self, src: FunctionSource, namer: Namer, local: Set[str],
                 known: Dict[str, Any]):
        self.src, self.namer, self.local, self.known = src, namer, local, known
        self.tapes: Dict[str, gast.With] = {}       # tape name -> its block

    def block(self, statements: List[Any]) -> List[Any]:
        out: List[Any] = []
        for stmt in statements:
            if _is_tape_block(stmt):
                for item in stmt.items:
                    if isinstance(item.optional_vars, gast.Name):
                        self.tapes[item.optional_vars.id] = stmt
                out += [s for s in self.block(stmt.body) if not self._tape_call(s)]
                continue
            # `np.sum(t.gradient(y, x))`: the gradient call on a statement of its own first
            for piece in astutil.hoist_calls([stmt], self._is_gradient_call, self.namer.fresh):
                lowered = self.gradient(piece)
                if lowered is not None:
                    out += lowered
                    continue
                for field in ("body", "orelse"):
                    inner = getattr(piece, field, None)
                    if isinstance(inner, list) and inner:
                        setattr(piece, field, self.block(inner))
                out.append(piece)
        return out

    def _is_gradient_call(self, call: gast.Call) -> bool:
        return isinstance(call.func, gast.Attribute) and call.func.attr == "gradient" \
            and isinstance(call.func.value, gast.Name) and call.func.value.id in self.tapes

    def _tape_call(self, stmt: Any) -> bool:
        """`t.watch(x)` and the like: the tape's own calls, left out."""
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        return isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
            isinstance(call.func.value, gast.Name) and call.func.value.id in self.tapes

    def gradient(self, stmt: Any) -> Optional[List[Any]]:
        """`g = t.gradient(y, x)` (or `return t.gradient(y, x)`) of a tape of this function."""
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Return)) else None
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
                and call.func.attr == "gradient" and isinstance(call.func.value, gast.Name)
                and call.func.value.id in self.tapes):
            return None
        where = self.src.location(stmt)
        tape = call.func.value.id
        sources = call.args[1] if len(call.args) > 1 else None
        names = [sources] if isinstance(sources, gast.Name) else list(
            getattr(sources, "elts", []) or [])
        if call.keywords or not isinstance(call.args[0], gast.Name) or not names or \
                not all(isinstance(n, gast.Name) for n in names):
            raise UnsupportedSyntaxError(
                "in a function s2sgrad differentiates, a tape's gradient must be "
                "`tape.gradient(name, sources)` with sources a name or a list of names",
                where, "assign the target and each source to a name first.")
        with_node = self.tapes[tape]
        reads = astutil.names_loaded(with_node.body)
        params = sorted(((reads & self.local) - set(self.tapes)) | {n.id for n in names})
        gradient = _block_gradient(self.src, with_node, params, call.args[0].id,
                                   [n.id for n in names], where)
        alias = self.namer.alias(gradient, f"{tape}_gradient")
        grads = self.namer.fresh(f"{tape}_grads")
        value = astutil.call(astutil.load(alias), [astutil.load(p) for p in params])
        anno.set(value, anno.Key.RESOLVED, gradient)
        from ..analysis.variables import holds_variables
        if any(p in self.known and holds_variables(self.known[p]) for p in params):
            anno.set(value, anno.Key.PASSES_VARIABLES, True)   # the block reads `model.v`
        first = astutil.assign(grads, value)
        parts = [gast.Subscript(value=astutil.load(grads), slice=astutil.constant(k),
                                ctx=gast.Load()) for k in range(len(names))]
        result = parts[0] if isinstance(sources, gast.Name) else gast.List(elts=parts,
                                                                           ctx=gast.Load())
        second = gast.Return(value=result) if isinstance(stmt, gast.Return) else \
            gast.Assign(targets=stmt.targets, value=result, type_comment=None)
        for new in (first, second):
            for node in astutil.walk(new):
                if isinstance(node, (gast.stmt, gast.expr)):
                    gast.copy_location(node, stmt)
        return [first, second]


def _block_gradient(src: FunctionSource, node: gast.With, params: List[str], target: str,
                    sources: List[str], where: Any) -> Any:
    """`s2sgrad.grad` of the tape block as a function of `params`, with respect to `sources`
    (always a tuple of gradients); one per block and request."""
    from ..api import GradFunction
    from ..eager import blocks

    key = (src.fn.__code__, node.lineno, tuple(params), target, tuple(sources))
    known = _GRADIENTS.get(key)
    if known is not None:
        return known
    if target not in astutil.names_stored(node.body):
        raise UnsupportedSyntaxError(
            f"`{target}` is not computed in the tape's block, so its gradient is None in "
            "TensorFlow; s2sgrad does not differentiate that again", where,
            "compute the target inside the `with` block.")
    body = astutil.copy_node(node.body)
    block = blocks.Block(filename=src.filename, lines=src.lines, node=gast.With(
        items=[], body=body, type_comment=None), reads=astutil.names_loaded(body),
        stores=astutil.names_stored(body), written=astutil.names_written_into(body))
    gast.copy_location(block.node, node)
    closure = {name: cell.cell_contents for name, cell in
               zip(src.fn.__code__.co_freevars, src.fn.__closure__ or ())
               if name in block.reads and name not in params}
    fn = blocks.block_function(block, params, [target], set(), {}, src.fn.__globals__,
                               summed=True, closure=closure)
    gradient = _GRADIENTS[key] = GradFunction(fn, tuple(sources), "grad")
    return gradient


_GRADIENTS: Dict[Any, Any] = {}
