"""Activity analysis: which variables carry derivatives from the inputs to the output.

A variable is *varied* when its value depends, through differentiable operations, on an input we
differentiate with respect to; it is *useful* when the output depends on it, again through
differentiable operations. Only variables that are both (*active*) get adjoints; every other
statement runs in the primal only. Comparisons, `x.shape`, `np.floor`, `np.argmax`, `stop_gradient`
and the other zero-derivative operations cut dependence.

Needs: resolved calls (`frontend.resolve`). `varied_names` works on straight-line code before or
after normalization; `active_names` expects normalized code (one operation per statement).
"""

from __future__ import annotations

from typing import Any, Iterable, List, Set

import gast

from .. import anno, astutil
from ..rules import attribute, has_zero_derivative, method


def is_varied(node: Any, varied: Set[str]) -> bool:
    """Whether the value of expression `node` carries derivatives of the `varied` names."""
    if isinstance(node, gast.Name):
        return node.id in varied
    if isinstance(node, (gast.Constant, gast.Compare)) or node is None:
        return False
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        return False
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.FloorDiv):
        return False
    if isinstance(node, gast.Attribute):
        return not has_zero_derivative(attribute(node.attr)) and is_varied(node.value, varied)
    if isinstance(node, gast.Subscript):
        return is_varied(node.value, varied)
    if isinstance(node, gast.Call):
        return _call_is_varied(node, varied)
    return any(is_varied(child, varied) for child in _children(node))


def _call_is_varied(node: gast.Call, varied: Set[str]) -> bool:
    if anno.has(node, anno.Key.RESOLVED) and has_zero_derivative(anno.get(node, anno.Key.RESOLVED)):
        return False
    operands: List[Any] = list(node.args) + [k.value for k in node.keywords]
    if anno.has(node, anno.Key.METHOD):
        if has_zero_derivative(method(anno.get(node, anno.Key.METHOD))):
            return False
        operands.append(node.func.value)
    return any(is_varied(operand, varied) for operand in operands)


def _children(node: Any) -> Iterable[Any]:
    for field in node._fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            yield from (v for v in value if isinstance(v, gast.AST))
        elif isinstance(value, gast.AST):
            yield value


def varied_names(statements: List[Any], inputs: Iterable[str]) -> Set[str]:
    """Names that are varied anywhere in straight-line `statements`, starting from `inputs`."""
    varied = set(inputs)
    for stmt in statements:
        if isinstance(stmt, gast.Assign):
            names = astutil.names_stored(stmt.targets)
            if is_varied(stmt.value, varied):
                varied |= names
            else:
                varied -= names
    return varied


def active_names(statements: List[Any], inputs: Iterable[str], output: Any) -> Set[str]:
    """Names that are varied and useful in normalized straight-line code returning `output`."""
    varied = varied_names(statements, inputs)
    useful: Set[str] = set()
    if isinstance(output, gast.Name) and output.id in varied:
        useful.add(output.id)
    for stmt in reversed(statements):
        if not isinstance(stmt, gast.Assign):
            continue
        targets = astutil.names_stored(stmt.targets)
        if targets & useful and is_varied(stmt.value, varied):
            useful |= astutil.names_loaded(stmt.value) & varied
    return varied & useful
