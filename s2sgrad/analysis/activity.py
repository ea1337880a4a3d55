"""Activity analysis: which variables carry derivatives from the inputs to the output.

A variable is *varied* when its value depends, through differentiable operations, on an input we
differentiate with respect to; it is *useful* when the output depends on it, again through
differentiable operations. Only variables that are both (*active*) get adjoints; every other
statement runs in the primal only. Comparisons, `x.shape`, `np.floor`, `np.argmax`, `stop_gradient`
and the other zero-derivative operations cut dependence.

Needs: resolved calls (`frontend.resolve`). `varied_names` works on code before or after
normalization; `active_names` expects normalized code (one operation per statement). Both handle
loops (iterated to a fixed point) and branches (either may run).
"""

from __future__ import annotations

import types

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
    if anno.has(node, anno.Key.RESOLVED) and _reads_variables(anno.get(node, anno.Key.RESOLVED)):
        return True      # reads Variables it is not passed (see transforms.free_values)
    if anno.get(node, anno.Key.PASSES_VARIABLES, False):
        return True      # `f(model, x)`: f may read `model.v` (see frontend.resolve)
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
    """Names that may be varied anywhere in `statements`, starting from `inputs`.

    Flow-insensitive and monotone: a name varied at one assignment counts as varied everywhere
    (normalization gives straight-line names one assignment each, so nothing is lost there);
    loops are iterated until nothing changes. A write `x[i] = v` of a varied `v` makes `x`
    varied, and with it every name bound to the same array by a plain copy (`y = x`).
    """
    varied = set(inputs)
    written = changed_in_place(statements)
    _until_stable(lambda: _varied_in(statements, varied, written), varied)
    return varied


def changed_in_place(statements: List[Any]) -> Set[str]:
    """Names of arrays written into (`x[i] = v`) and of lists appended to or popped from: a
    change through one name is seen through its copies (`M = L; M.append(v)` changes `L`)."""
    changed = astutil.names_written_into(statements)
    for stmt in astutil.statements(statements):
        change = appended(stmt) or popped(stmt)
        if change is not None:
            changed.add(change[0])
    return changed


def _copies_of_written(stmt: Any, written: Set[str]) -> List[str]:
    """For `y = x` where `y` is written in place: `x` (the same array); for `y = g(x)` (or
    `y, w = g(x)`), a call of the user's function, which may return `x` as it is: its
    arguments; else nothing."""
    from .aliases import user_call_arguments

    if not astutil.names_stored(stmt.targets) & written:
        return []
    if isinstance(stmt.value, gast.Name):
        return [stmt.value.id]
    return user_call_arguments(stmt)


def appended(stmt: Any) -> Any:
    """For `L.append(v)`: (`L`, `v`); else None."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
            and anno.get(stmt.value, anno.Key.METHOD, None) == "append" \
            and isinstance(stmt.value.func.value, gast.Name) and len(stmt.value.args) == 1:
        return stmt.value.func.value.id, stmt.value.args[0]
    return None


def popped(stmt: Any) -> Any:
    """For `v = L.pop()`: (`L`, `v`); else None."""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
            and isinstance(stmt.value, gast.Call) and not stmt.value.args \
            and anno.get(stmt.value, anno.Key.METHOD, None) == "pop" \
            and isinstance(stmt.value.func.value, gast.Name):
        return stmt.value.func.value.id, stmt.targets[0].id
    return None


def _varied_in(statements: List[Any], varied: Set[str], written: Set[str]) -> None:
    for stmt in statements:
        append = appended(stmt)
        if append is not None and is_varied(append[1], varied):
            varied.add(append[0])
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                if is_varied(stmt.value, varied):
                    varied.add(target.value.id)
                continue
            if astutil.names_stored(stmt.targets) & varied:   # (a write into y may change x)
                varied.update(_copies_of_written(stmt, written))
            if is_varied(stmt.value, varied):
                varied |= astutil.names_stored(stmt.targets)
        elif isinstance(stmt, (gast.For, gast.While)):
            if isinstance(stmt, gast.For) and is_varied(stmt.iter, varied):
                varied |= astutil.names_stored(stmt.target)
            _until_stable(lambda: _varied_in(stmt.body, varied, written), varied)
        elif isinstance(stmt, gast.If):
            _varied_in(stmt.body, varied, written)
            _varied_in(stmt.orelse, varied, written)


def _until_stable(step: Any, names: Set[str]) -> None:
    while True:
        size = len(names)
        step()
        if len(names) == size:
            return


def active_names(statements: List[Any], inputs: Iterable[str], output: Any) -> Set[str]:
    """Names that are varied and useful in normalized code returning `output`."""
    varied = varied_names(statements, inputs)
    useful = astutil.names_loaded(output) & varied   # a name, or a tuple of names
    written = changed_in_place(statements)
    _until_stable(lambda: _useful_in(statements, useful, varied, written), useful)
    return varied & useful


def _useful_in(statements: List[Any], useful: Set[str], varied: Set[str],
               written: Set[str]) -> None:
    for stmt in reversed(statements):
        append = appended(stmt)
        if append is not None and append[0] in useful:
            useful |= astutil.names_loaded(append[1]) & varied
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                stored = {target.value.id}
            else:
                stored = astutil.names_stored(stmt.targets)
                if any(source in useful and source in varied
                       for source in _copies_of_written(stmt, written)):
                    useful.update(stored & written)   # y = x, then y[i] = v changes x too
            if stored & useful and is_varied(stmt.value, varied):
                useful |= astutil.names_loaded(stmt.value) & varied
        elif isinstance(stmt, (gast.For, gast.While)):
            _until_stable(lambda: _useful_in(stmt.body, useful, varied, written), useful)
        elif isinstance(stmt, gast.If):
            _useful_in(stmt.body, useful, varied, written)
            _useful_in(stmt.orelse, useful, varied, written)


def _reads_variables(callee: Any) -> bool:
    from .variables import reads_variables

    if isinstance(callee, types.MethodType):
        return reads_variables(callee.__func__, callee.__self__)
    if isinstance(callee, types.FunctionType):
        return reads_variables(callee)
    call = getattr(type(callee), "__call__", None)
    return isinstance(call, types.FunctionType) and not isinstance(callee, type) and \
        reads_variables(call, callee)
