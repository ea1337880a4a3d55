"""Shift invariance: maxima subtracted for numerical safety, which the output does not depend on.

`m = np.max(x, axis=1, keepdims=True); s = x - m` followed by a log-softmax, a softmax or a
log-sum-exp is the usual way to keep `exp` from overflowing. The result is the same for any `m`
constant along the reduced axis, so its derivative with respect to `m` is exactly zero, and the
adjoint of the maximum (a mask of the maximal entries, ties counted) is work for nothing. A
hand-written gradient never computes it.

This analysis proves that fact instead of assuming it. It follows, through the straight-line code
after the maximum, how each value changes when `m` is replaced by `m + d` (`d` any array of `m`'s
shape, so constant along the reduced axes):

- `fixed`: not at all (it does not depend on `m`);
- `shift(c)`: by `c * d`, c = +1 or -1 (`x - m` is shift(-1));
- `scale(c)`: by the factor `exp(c * d)` (`np.exp` of a shift(c)).

`shift(c) - shift(c)`, `scale(c) / scale(c)` are fixed; `np.log` of a scale is a shift, `np.exp`
of a shift a scale; sums along the reduced axes (keeping them) of a scale are a scale of the same
factor; a scale times or over a fixed value stays a scale; operations on fixed values only are
fixed. Anything else (another reduction, a product of shifts, a loop or branch reading such a
value) depends on `m` in an unknown way. When the function's output is fixed, `m` needs no
adjoint: it is dropped from the active names, and with it the adjoint of the maximum.

Needs: normalized code (one operation per statement, calls resolved).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

import gast
import numpy as np

from .. import anno, astutil

Kind = Tuple[str, int]            # ("fixed", 0), ("shift", c) or ("scale", c)
FIXED: Kind = ("fixed", 0)
_MAXIMA = (np.max, np.amax, np.min, np.amin, np.nanmax, np.nanmin)


def unneeded_maxima(statements: List[Any], output: Any, parameters: Set[str]) -> Set[str]:
    """Names bound to a maximum (or minimum) that the output provably does not depend on: bound
    once, by that statement alone."""
    found: Set[str] = set()
    # (a name bound anywhere else, or a parameter, holds other values that may need adjoints)
    bindings: Dict[str, int] = {}
    for node in astutil.walk(statements):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            bindings[node.id] = bindings.get(node.id, 0) + 1
    for index, stmt in enumerate(statements):
        axes = _reduced_axes(stmt)
        if axes is not None and bindings.get(stmt.targets[0].id) == 1 and \
                stmt.targets[0].id not in parameters and \
                _output_is_fixed(statements[index + 1:], stmt, axes, output):
            found.add(stmt.targets[0].id)
    return found


def _reduced_axes(stmt: Any) -> Optional[Any]:
    """For `m = np.max(x, axis=a, keepdims=True)` (or `axis=None`), the axes as written."""
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call)):
        return None
    call = stmt.value
    if not any(anno.get(call, anno.Key.RESOLVED, None) is f for f in _MAXIMA):
        return None
    return _axes_of(call)


def _axes_of(call: gast.Call) -> Optional[Any]:
    """The `axis` of a reduction when the result keeps the reduced axes or reduces them all:
    the literal axis (`None` included), else None."""
    keywords = {k.arg: k.value for k in call.keywords}
    if len(call.args) != 1 or set(keywords) - {"axis", "keepdims"}:
        return None
    axis, keepdims = _literal(keywords.get("axis")), _literal(keywords.get("keepdims"))
    if axis is _UNKNOWN or keepdims is _UNKNOWN:
        return None
    if axis is None or (type(axis) is int and keepdims is True):
        return ("axis", axis)
    return None


_UNKNOWN = object()


def _literal(node: Any) -> Any:
    """The value of a literal argument (`None` when absent, `-1` too), else _UNKNOWN."""
    if node is None:
        return None
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) \
            and isinstance(node.operand, gast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return _UNKNOWN


def _output_is_fixed(statements: List[Any], maximum: Any, axes: Any, output: Any) -> bool:
    kinds: Dict[str, Kind] = {maximum.targets[0].id: ("shift", 1)}
    # Values combined with affected ones must have the maximum's rank (or be numbers), so that
    # broadcasting does not move the reduced axis: the maximum's own argument has it.
    argument = maximum.value.args[0]
    same_rank = {argument.id} if isinstance(argument, gast.Name) else set()
    for stmt in statements:
        read = astutil.names_loaded(stmt) & set(kinds)
        if not read:
            continue
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            return False             # a loop, branch, write or call reads an affected value
        kind = _kind(stmt.value, kinds, axes, same_rank)
        if kind is None:
            return False
        target = stmt.targets[0].id
        if kind == FIXED:
            kinds.pop(target, None)
        else:
            kinds[target] = kind
    return not (astutil.names_loaded(output) & set(kinds))


def _kind(node: Any, kinds: Dict[str, Kind], axes: Any, same_rank: Set[str]) -> Optional[Kind]:
    """How `node` changes with the maximum (None: in a way this analysis does not follow)."""
    if isinstance(node, gast.Name):
        return kinds.get(node.id, FIXED)
    if isinstance(node, gast.Constant):
        return FIXED
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _kind(node.operand, kinds, axes, same_rank)
        if inner is None or inner[0] == "scale":
            return inner
        return (inner[0], -inner[1])
    if isinstance(node, gast.BinOp):
        left = _kind(node.left, kinds, axes, same_rank)
        right = _kind(node.right, kinds, axes, same_rank)
        if left is None or right is None:
            return None
        for kind, operand in ((left, node.left), (right, node.right)):
            if kind == FIXED and (left, right) != (FIXED, FIXED) and axes[1] is not None and \
                    not isinstance(operand, gast.Constant) and not (
                        isinstance(operand, gast.Name) and operand.id in same_rank):
                return None     # (it might broadcast the reduced axis elsewhere)
        return _binary(node.op, left, right)
    if isinstance(node, gast.Call):
        fn = anno.get(node, anno.Key.RESOLVED, None)
        if len(node.args) != 1:
            return None if _reads(node, kinds) else FIXED
        inner = _kind(node.args[0], kinds, axes, same_rank)
        if inner is None or inner == FIXED:
            return None if inner is None or _reads(node, kinds) else FIXED
        if fn is np.exp and inner[0] == "shift" and not node.keywords:
            return ("scale", inner[1])
        if fn is np.log and inner[0] == "scale" and not node.keywords:
            return ("shift", inner[1])
        if fn is np.sum and inner[0] == "scale" and _axes_of(node) == axes:
            return inner
        return None
    return None if _reads(node, kinds) else FIXED


def _binary(op: Any, left: Kind, right: Kind) -> Optional[Kind]:
    if left == FIXED and right == FIXED:
        return FIXED
    if isinstance(op, (gast.Add, gast.Sub)):
        sign = 1 if isinstance(op, gast.Add) else -1
        if left[0] == "shift" and right == FIXED:
            return left
        if left == FIXED and right[0] == "shift":
            return ("shift", sign * right[1])
        if left[0] == "shift" and right[0] == "shift" and left[1] + sign * right[1] == 0:
            return FIXED
        return None
    if isinstance(op, gast.Mult):
        if left[0] == "scale" and right == FIXED:
            return left
        if left == FIXED and right[0] == "scale":
            return right
        if left[0] == "scale" and right[0] == "scale" and left[1] + right[1] == 0:
            return FIXED
        return None
    if isinstance(op, gast.Div):
        if left[0] == "scale" and right == FIXED:
            return left
        if left == FIXED and right[0] == "scale":
            return ("scale", -right[1])
        if left[0] == "scale" and right[0] == "scale" and left[1] == right[1]:
            return FIXED
        return None
    return None


def _reads(node: Any, kinds: Dict[str, Kind]) -> bool:
    return bool(astutil.names_loaded(node) & set(kinds))
