"""Which names hold containers (lists, tuples, dicts) of values, rather than arrays or numbers.

A container's adjoint is a container of adjoints (see `runtime.containers`), so the reverse sweep
must know, for every name, which kind it has: a read `t[i]` of a container adds to one entry of its
adjoint, a read of an array scatters into a zero array; contributions to a container's adjoint add
entry by entry.

A name *surely* holds a container when it is a parameter called with one (`grad` specializes the
derivative on that: see `api.Derived.functions_for`), is assigned a list, tuple or dict display,
the result of a call to a function of the user's whose every `return` returns a display, a slice
of a sure container, or a copy of one. A name *may* hold one when it is an entry of a container
(`params[0]` of a list of `(W, b)` pairs), or the result of a call whose callee is only known at
run time and which the code then indexes or stacks. Both kinds are treated as containers: the
helpers that handle their adjoints also handle arrays and numbers. Only sure containers are
refused as operands of arithmetic (`[x] * 3`, `[a] + [b]`), which on lists means repetition and
concatenation. Flow-insensitive: a name is one kind everywhere.

Needs: normalized code, calls resolved.
"""

from __future__ import annotations

import types
from typing import Any, Dict, Iterable, List, Set, Tuple

import gast

from .. import anno, astutil
from ..frontend.source import definition_of

_CONTAINER_USERS = ("stack", "concatenate", "vstack", "hstack", "array", "asarray", "sum")


def container_names(statements: List[Any], parameters: Iterable[str],
                    is_dynamic: Any) -> Tuple[Set[str], Set[str]]:
    """(every name that may hold a container, the names that surely do); `is_dynamic` tells
    the statements that call a run-time callee."""
    sure = set(parameters) | _unpacked_containers(statements)
    assignments = [s for s in astutil.walk(statements)
                   if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
    _grow(assignments, sure, lambda value: _surely(value, sure))
    maybe = sure | _dynamic_results(statements, is_dynamic)
    _grow(assignments, maybe, lambda value: _maybe(value, maybe))
    return maybe, sure


def _grow(assignments: List[Any], names: Set[str], holds: Any) -> None:
    while True:
        size = len(names)
        for stmt in assignments:
            if holds(stmt.value):
                names.add(stmt.targets[0].id)
        if len(names) == size:
            return


def _surely(value: Any, sure: Set[str]) -> bool:
    if isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
        return not (isinstance(value, gast.Tuple) and astutil.is_static(value))
    if isinstance(value, gast.Name):
        return value.id in sure
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        return isinstance(value.value, gast.Name) and value.value.id in sure
    if isinstance(value, gast.Call):
        callee = anno.get(value, anno.Key.RESOLVED, None)
        return isinstance(callee, types.FunctionType) and returns_display(callee)
    return False


def _maybe(value: Any, maybe: Set[str]) -> bool:
    if isinstance(value, gast.Call):     # helpers returning lists (see rules.returns_containers)
        from ..rules.registry import may_return_container

        return may_return_container(anno.get(value, anno.Key.RESOLVED, None))
    if isinstance(value, gast.Subscript):
        return isinstance(value.value, gast.Name) and value.value.id in maybe
    if isinstance(value, gast.Name):
        return value.id in maybe
    return False


def _used_as_containers(statements: List[Any]) -> Set[str]:
    """Names that are indexed, or passed to a function of lists (`np.stack(hs)`)."""
    names: Set[str] = set()
    for node in astutil.walk(statements):
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
            names.add(node.value.id)
        if isinstance(node, gast.Call) and node.args and isinstance(node.args[0], gast.Name):
            callee = anno.get(node, anno.Key.RESOLVED, None)
            if getattr(callee, "__name__", None) in _CONTAINER_USERS:
                names.add(node.args[0].id)
    return names


def _dynamic_results(statements: List[Any], is_dynamic: Any) -> Set[str]:
    """Results of calls to run-time callees that the code uses as containers: the name assigned,
    or a name the result is unpacked to (`(m, record), m_record = m_forward(x)`)."""
    used = _used_as_containers(statements)
    return {name for s in astutil.walk(statements)
            if isinstance(s, gast.Assign) and is_dynamic(s)
            for name in astutil.names_stored(s.targets) if name in used}


def _unpacked_containers(statements: List[Any]) -> Set[str]:
    """`a, record = g(x)` where every `return` of g returns a tuple whose entry at `record`'s
    place is a display (as generated forward passes return their records), or where g is the
    forward pass of a callee known at run time (`g, g_backward = callee_passes(...)`), whose
    record is a tuple too."""
    from ..runtime.dynamic import callee_passes

    names: Set[str] = set()
    forward_passes = {stmt.targets[0].elts[0].id for stmt in astutil.walk(statements)
                      if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call)
                      and anno.get(stmt.value, anno.Key.RESOLVED, None) is callee_passes
                      and isinstance(stmt.targets[0], gast.Tuple)
                      and isinstance(stmt.targets[0].elts[0], gast.Name)}
    for stmt in astutil.walk(statements):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Tuple) \
                and isinstance(stmt.value, gast.Call):
            callee = anno.get(stmt.value, anno.Key.RESOLVED, None)
            record = stmt.targets[0].elts[-1]
            if isinstance(stmt.value.func, gast.Name) and stmt.value.func.id in forward_passes \
                    and len(stmt.targets[0].elts) == 2 and isinstance(record, gast.Name):
                names.add(record.id)
            if isinstance(callee, types.FunctionType):
                places = displays_returned_at(callee)
                for element, display in zip(stmt.targets[0].elts, places):
                    if display and isinstance(element, gast.Name):
                        names.add(element.id)
    return names


_PLACES: Dict[Any, List[bool]] = {}


def displays_returned_at(fn: types.FunctionType) -> List[bool]:
    """For a function returning tuples: whether each entry is always a display (or a name only
    ever assigned displays)."""
    code = fn.__code__
    if code not in _PLACES:
        node = definition_of(fn)
        if node is None:
            _PLACES[code] = []
            return []
        returns = [r.value for r in astutil.walk(node.body) if isinstance(r, gast.Return)]
        if not returns or not all(isinstance(v, gast.Tuple) for v in returns) or \
                len({len(v.elts) for v in returns}) != 1:
            _PLACES[code] = []
        else:
            names = display_names(node)
            _PLACES[code] = [all(_is_display(v.elts[k], names) for v in returns)
                             for k in range(len(returns[0].elts))]
    return _PLACES[code]


_RETURNS: Dict[Any, bool] = {}


def returns_display(fn: types.FunctionType) -> bool:
    """Whether every `return` of `fn` returns a list, tuple or dict display (or a name only ever
    assigned displays and `[]`): then a call's result is a container."""
    code = fn.__code__
    if code not in _RETURNS:
        node = definition_of(fn)
        if node is None:
            _RETURNS[code] = False
            return False
        names = display_names(node)
        returns = [r.value for r in astutil.walk(node.body) if isinstance(r, gast.Return)]
        _RETURNS[code] = bool(returns) and all(_is_display(v, names) for v in returns)
    return _RETURNS[code]


_DISPLAYS = (gast.List, gast.Dict, gast.Tuple)


def display_names(node: gast.FunctionDef) -> Set[str]:
    """The names a function only ever assigns list, tuple or dict displays to, or other such
    names (`result = returned_value`), besides the `None` a generated forward pass starts a value
    a branch may leave unassigned with."""
    named = [s for s in astutil.walk(node.body) if isinstance(s, gast.Assign)
             and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)]
    targets = [s.targets[0] for s in named]
    others = {n.id for n in astutil.walk(node.body) if isinstance(n, gast.Name)
              and isinstance(n.ctx, gast.Store) and not any(n is t for t in targets)}
    names = {s.targets[0].id for s in named if not _is_none(s.value)} - others - \
        astutil.names_stored(node.args)
    while True:       # drop the names also assigned something else
        kept = {name for name in names if all(
            _is_display(s.value, names) or _is_none(s.value)
            for s in named if s.targets[0].id == name)}
        if kept == names:
            return names
        names = kept


def _is_none(value: Any) -> bool:
    return isinstance(value, gast.Constant) and value.value is None


def _is_display(value: Any, names: Set[str]) -> bool:
    return (isinstance(value, _DISPLAYS) and not astutil.is_static(value)) or \
        (isinstance(value, gast.Name) and value.id in names)
