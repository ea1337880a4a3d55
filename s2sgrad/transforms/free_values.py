"""Variables a function reads without taking them as arguments: `W` a module-level Variable,
`self.w` on a model object. TensorFlow differentiates with respect to them wherever they are
read, so s2sgrad does too.

Each such read becomes a name bound once at the top of the function,

    W_value = read_variable(W)          # W: the Variable, reached under an alias

which the transforms treat as a source of derivatives (like a parameter). The reverse sweep ends
by handing that name's adjoint to `accumulate_variable_adjoint(W, bW_value)`, which adds it to
the adjoints a `GradientTape` collects while it runs a backward pass (and does nothing
otherwise). A call to a function that reads Variables is differentiated even when none of its
arguments carries derivatives (see `analysis.variables`).

Needs: resolved names (`frontend.resolve`), before normalization.
"""

from __future__ import annotations

from typing import Any, Dict, List, Set

import gast

from .. import anno, astutil
from ..frontend.resolve import Resolution
from ..frontend.source import FunctionSource
from ..naming import Namer


def _variable_type() -> Any:
    from ..eager.values import Variable
    return Variable


def lift(src: FunctionSource, resolution: Resolution, namer: Namer) -> Dict[str, Any]:
    """Replace the reads of Variables that are not arguments by names bound at the top;
    return {name: Variable}."""
    from ..runtime.variables import read_variable

    variable = _variable_type()
    lifted: Dict[int, str] = {}
    values: Dict[str, Any] = {}
    calls_and_bases = _not_values(src.node.body)
    for parent in astutil.walk(src.node.body):
        for field, child in gast.iter_fields(parent):
            children = child if isinstance(child, list) else [child]
            for index, node in enumerate(children):
                if isinstance(node, gast.Call) and anno.get(node, anno.Key.RESOLVED, None) \
                        is read_variable and len(node.args) == 1:
                    # generated code differentiated again: its reads are reads too
                    value = resolution.static_value(node.args[0])
                elif not isinstance(node, (gast.Name, gast.Attribute)) or id(node) in \
                        calls_and_bases or not isinstance(getattr(node, "ctx", None), gast.Load):
                    continue
                else:
                    value = resolution.static_value(node)
                if not isinstance(value, variable):
                    continue
                if id(value) not in lifted:
                    base = astutil.unparse(node).replace(".", "_") + "_value"
                    lifted[id(value)] = namer.fresh(base)
                    values[lifted[id(value)]] = value
                new = astutil.load(lifted[id(value)])
                gast.copy_location(new, node)
                if isinstance(child, list):
                    child[index] = new
                else:
                    setattr(parent, field, new)
    if values:
        reads = []
        for name, value in values.items():
            call = astutil.call(astutil.load(namer.alias(read_variable, "read_variable")),
                                [astutil.load(namer.alias(value, name[:-len("_value")]))])
            anno.set(call, anno.Key.RESOLVED, read_variable)
            stmt = astutil.assign(name, call)
            gast.copy_location(stmt, src.node.body[0])
            for inner in astutil.walk(stmt):
                if hasattr(inner, "lineno") or isinstance(inner, (gast.expr, gast.stmt)):
                    gast.copy_location(inner, src.node.body[0])
            reads.append(stmt)
        src.node.body = _after_docstring(src.node.body, reads)
    return values


def _after_docstring(body: List[Any], reads: List[Any]) -> List[Any]:
    if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[:1] + reads + body[1:]
    return reads + body


def _not_values(body: List[Any]) -> Set[int]:
    """Nodes where a Variable is used as an object, not as its value: a call's callee, the
    object of an attribute (`v.assign(...)`, `v.shape`), the argument of the helpers above."""
    from ..runtime.variables import accumulate_variable_adjoint, read_variable

    found: Set[int] = set()
    for node in astutil.walk(body):
        if isinstance(node, gast.Call):
            found.add(id(node.func))
            if anno.get(node, anno.Key.RESOLVED, None) in (read_variable,
                                                           accumulate_variable_adjoint):
                found.update(id(arg) for arg in node.args)     # (the Variable itself)
        if isinstance(node, gast.Attribute):
            found.add(id(node.value))
    return found
