"""Which functions read Variables they are not passed (see `transforms.free_values`): a call of
one is differentiated even when none of its arguments carries derivatives."""

from __future__ import annotations

import types
from typing import Any, Dict

import gast

from .. import astutil
from ..frontend.source import definition_of


def _variable_type() -> Any:
    from ..eager.values import Variable
    return Variable


_READS: Dict[Any, bool] = {}


def reads_variables(fn: Any, receiver: Any = None, depth: int = 4) -> bool:
    """Whether calling `fn` (with `self` = `receiver`) may read a Variable it is not passed:
    a global or closure Variable, an attribute of its receiver, or through the functions and
    methods it calls (to a few levels)."""
    if not isinstance(fn, types.FunctionType) or depth == 0:
        return False
    key = (fn.__code__, id(receiver), depth)
    if key in _READS:
        return _READS[key]
    _READS[key] = False          # (recursion)
    _READS[key] = _reads(fn, receiver, depth)
    return _READS[key]


def _reads(fn: types.FunctionType, receiver: Any, depth: int) -> bool:
    variable = _variable_type()
    node = definition_of(fn)
    if node is None:
        return False
    params = [a.id for a in node.args.args]
    self_name = params[0] if receiver is not None and params else None
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    for inner in astutil.walk(node.body):
        value = None
        if isinstance(inner, gast.Name) and isinstance(inner.ctx, gast.Load):
            if inner.id in cells:
                try:
                    value = cells[inner.id].cell_contents
                except ValueError:
                    value = None
            else:
                value = fn.__globals__.get(inner.id)
        elif isinstance(inner, gast.Attribute) and isinstance(inner.value, gast.Name) \
                and inner.value.id == self_name:
            value = getattr(receiver, inner.attr, None)
        if isinstance(value, variable):
            return True
        if isinstance(value, types.MethodType) and reads_variables(
                value.__func__, value.__self__, depth - 1):
            return True
        if isinstance(value, types.FunctionType) and reads_variables(value, None, depth - 1):
            return True
        call = getattr(type(value), "__call__", None) if value is not None else None
        if isinstance(call, types.FunctionType) and not isinstance(value, type) and \
                reads_variables(call, value, depth - 1):
            return True
    return False


def holds_variables(obj: Any, depth: int = 2) -> bool:
    """Whether `obj` (an object passed to a function) holds Variables among its attributes, in
    lists, tuples or dicts there, or in objects it holds (to `depth` levels): a function given
    it may read them, as `model.v`, without any argument carrying derivatives."""
    variable = _variable_type()
    if isinstance(obj, variable):
        return True
    if depth == 0 or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
        return False
    if isinstance(obj, (list, tuple)):
        return any(holds_variables(item, depth - 1) for item in obj[:64])
    if isinstance(obj, dict):
        return any(holds_variables(item, depth - 1) for item in list(obj.values())[:64])
    attributes = getattr(obj, "__dict__", None)
    return isinstance(attributes, dict) and any(
        holds_variables(item, depth - 1) for item in list(attributes.values())[:64])
