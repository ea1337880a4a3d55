"""List comprehensions (and generator expressions passed to a call) as the loops they stand for.

Needs: a function's source, before names are resolved (the loops it writes are ordinary code).
Guarantees: every list comprehension that a statement always evaluates, once, before the rest of
the statement (in an assignment, `return`, expression statement, `if` test or `for` iterable,
outside `and`/`or`, conditional expressions and lambdas), and every generator expression that is
an argument of such a call (`sum(v * v for v in x)`), is replaced by a list that a loop before
the statement builds:

    ys = [f(v) for v in xs if v > 0]        ys = []
                                            for v_item in xs:
                                                if v_item > 0:
                                                    ys.append(f(v_item))

The comprehension's own names are renamed (they are local to it in Python: an outer `v` keeps
its value); several `for` clauses nest, each `if` clause guards what follows it. The list is
built in the assigned name itself when the comprehension is the whole value and does not read
that name, else in a fresh one. The later passes then differentiate a loop that appends to a
list, like any other. A comprehension evaluated conditionally or repeatedly (in a `while`
condition, after `and`/`or`) stays, and the language check refuses it with its location.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import gast

from .. import astutil
from ..naming import Namer

_SCOPES = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)
# inside these, a comprehension is evaluated conditionally, repeatedly or in another scope
_NOT_ALWAYS = (gast.BoolOp, gast.IfExp, gast.Lambda) + _SCOPES


def lower(function: Any, namer: Namer) -> None:
    """Replace the comprehensions of `function`'s body in place (see the module docstring)."""
    function.body = _block(function.body, namer)


def _block(statements: List[Any], namer: Namer) -> List[Any]:
    out: List[Any] = []
    for stmt in statements:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list) and not isinstance(
                    stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
                setattr(stmt, field, _block(getattr(stmt, field), namer))
        out.extend(_statement(stmt, namer))
    return out


def _statement(stmt: Any, namer: Namer) -> List[Any]:
    """`stmt` preceded by the loops that build the lists of its comprehensions."""
    before: List[Any] = []
    while True:
        found = _first_comprehension(stmt)
        if found is None:
            return before + [stmt]
        parent, field, index, node = found
        target = _assigned_name(stmt, node)
        name = target if target is not None else namer.fresh(_list_name(stmt))
        loops = _loops(node, name, namer)
        before.extend(_block(loops, namer))     # (comprehensions nested in the element)
        replacement = gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
        gast.copy_location(replacement, node)
        if target is not None:
            return before        # the list is built in the assigned name itself
        if index is None:
            setattr(parent, field, replacement)
        else:
            getattr(parent, field)[index] = replacement


def _root(stmt: Any) -> Optional[str]:
    """The field of `stmt` holding the expression it runs exactly once, before anything else it
    does (None: none, as for a `while` condition)."""
    if isinstance(stmt, (gast.Assign, gast.AnnAssign, gast.AugAssign, gast.Return, gast.Expr)):
        return "value" if stmt.value is not None else None
    if isinstance(stmt, gast.If):
        return "test"
    if isinstance(stmt, gast.For):
        return "iter"
    return None


def _first_comprehension(stmt: Any) -> Optional[tuple]:
    """(parent, field, index in the field's list or None, node) of the first comprehension
    that `stmt` always evaluates once, in evaluation order; None if there is none."""
    root = _root(stmt)
    stack: List[tuple] = [(stmt, root, None, getattr(stmt, root))] if root else []
    while stack:
        parent, field, index, node = stack.pop()
        if isinstance(node, gast.ListComp) or (
                isinstance(node, gast.GeneratorExp) and isinstance(parent, gast.Call)
                and field == "args"):
            return parent, field, index, node
        if isinstance(node, _NOT_ALWAYS):
            continue
        children = []
        for name, value in gast.iter_fields(node):
            if isinstance(value, list):
                children.extend((node, name, i, item) for i, item in enumerate(value)
                                if isinstance(item, gast.AST))
            elif isinstance(value, gast.AST):
                children.append((node, name, None, value))
        stack.extend(reversed(children))
    return None


def _assigned_name(stmt: Any, node: Any) -> Optional[str]:
    """The name `stmt` assigns the comprehension `node` to, when it is the whole value and the
    comprehension does not read that name (the list can then be built in it directly)."""
    if isinstance(stmt, gast.Assign) and stmt.value is node and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(node, gast.ListComp) and \
            stmt.targets[0].id not in astutil.names_loaded(node):
        return stmt.targets[0].id
    return None


def _list_name(stmt: Any) -> str:
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name):
        return f"{stmt.targets[0].id}_items"
    return "items"


def _loops(node: Any, name: str, namer: Namer) -> List[Any]:
    """`name = []` and the loops of the comprehension `node`, appending its element to `name`."""
    renamed: Dict[str, str] = {}
    generators = []
    for generator in node.generators:
        iterable = _renamed(generator.iter, renamed)
        for bound in astutil.names_stored(generator.target):
            renamed[bound] = namer.fresh(f"{bound}_item")
        target = _renamed(generator.target, renamed)
        conditions = [_renamed(test, renamed) for test in generator.ifs]
        generators.append((target, iterable, conditions))
    append = astutil.call(astutil.attribute(astutil.load(name), "append"),
                          [_renamed(node.elt, renamed)])
    body: List[Any] = [gast.Expr(value=append)]
    for target, iterable, conditions in reversed(generators):
        for test in reversed(conditions):
            body = [gast.If(test=test, body=body, orelse=[])]
        body = [gast.For(target=target, iter=iterable, body=body, orelse=[],
                         type_comment=None)]
    start = astutil.assign(name, gast.List(elts=[], ctx=gast.Load()))
    statements = [start] + body
    for stmt in statements:
        for part in astutil.walk(stmt):
            if isinstance(part, (gast.stmt, gast.expr)) and not hasattr(part, "lineno"):
                gast.copy_location(part, node)
    return statements


def _renamed(node: Any, renamed: Dict[str, str]) -> Any:
    """A copy of `node` with the names in `renamed` replaced, except inside a nested
    comprehension that binds them again."""
    copy = astutil.copy_node(node)
    _rename(copy, renamed)
    return copy


def _rename(node: Any, renamed: Dict[str, str]) -> None:
    if not renamed:
        return
    if isinstance(node, gast.Name):
        node.id = renamed.get(node.id, node.id)
        return
    if isinstance(node, _SCOPES):
        inner = dict(renamed)
        for generator in node.generators:
            _rename(generator.iter, inner)
            for bound in astutil.names_stored(generator.target):
                inner.pop(bound, None)
            for test in generator.ifs:
                _rename(test, inner)
        for field in ("elt", "key", "value"):
            if getattr(node, field, None) is not None:
                _rename(getattr(node, field), inner)
        return
    for _, value in gast.iter_fields(node):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, gast.AST):
                _rename(item, renamed)
