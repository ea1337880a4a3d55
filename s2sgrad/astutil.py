"""Small helpers over gast trees shared by every pass: copying, building and inspecting nodes.

Only gast's stable node set is used, so the passes do not depend on one Python version's `ast`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import gast

from . import anno


def copy_node(node: Any) -> Any:
    """A structural deep copy of `node` that keeps annotations (shallowly) and source positions."""
    if isinstance(node, list):
        return [copy_node(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    fields = {name: copy_node(getattr(node, name, None)) for name in node._fields}
    new = type(node)(**fields)
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        if hasattr(node, attr):
            setattr(new, attr, getattr(node, attr))
    anno.copy_all(node, new)
    return new


def load(name: str) -> gast.Name:
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def store(name: str) -> gast.Name:
    return gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)


def constant(value: Any) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def assign(target: str, value: Any) -> gast.Assign:
    return gast.Assign(targets=[store(target)], value=value, type_comment=None)


def call(func: Any, args: List[Any], keywords: Iterable[gast.keyword] = ()) -> gast.Call:
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def attribute(value: Any, attr: str) -> gast.Attribute:
    return gast.Attribute(value=value, attr=attr, ctx=gast.Load())


_REVERSED_FIELDS: Dict[type, Tuple[str, ...]] = {}   # per node class, for `walk`


def walk(node: Any) -> Iterator[Any]:
    """Every gast node in `node` (a node or a list of nodes), parents before children."""
    stack = list(node) if isinstance(node, list) else [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    node_type, fields_of = gast.AST, _REVERSED_FIELDS
    while stack:
        current = pop()
        if type(current) is list:
            extend(reversed(current))
            continue
        if not isinstance(current, node_type):
            continue
        yield current
        kind = type(current)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(reversed(kind._fields))
        for field in fields:
            child = getattr(current, field, None)
            if child is not None and (type(child) is list or isinstance(child, node_type)):
                push(child)


def _names(node: Any, contexts: Optional[Tuple[type, ...]]) -> Set[str]:
    """The ids of the Names in `node` whose context is one of `contexts` (None: any). The
    passes ask this of every statement, often: a loop of its own, not `walk`'s generator."""
    found: Set[str] = set()
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    name_type, node_type, fields_of = gast.Name, gast.AST, _REVERSED_FIELDS
    while stack:
        current = pop()
        kind = type(current)
        if kind is list:
            extend(current)
            continue
        if kind is name_type:
            if contexts is None or isinstance(current.ctx, contexts):
                found.add(current.id)
            if current.annotation is None:
                continue                  # (nothing below a Name but its context)
        elif not isinstance(current, node_type):
            continue
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(reversed(kind._fields))
        for field in fields:
            child = getattr(current, field, None)
            if child is not None and (type(child) is list or isinstance(child, node_type)):
                push(child)
    return found


def names_loaded(node: Any) -> Set[str]:
    return _names(node, (gast.Load,))


def names_stored(node: Any) -> Set[str]:
    return _names(node, (gast.Store, gast.Param))


def statements(node: Any) -> Iterator[Any]:
    """Every statement in `node` (a statement or a list of them), nested blocks included, without
    descending into expressions: for annotations that only statements carry."""
    stack = list(reversed(node)) if isinstance(node, list) else [node]
    while stack:
        stmt = stack.pop()
        yield stmt
        for field in ("orelse", "body"):
            block = getattr(stmt, field, None)
            if type(block) is list:
                stack.extend(reversed(block))


def names_written_into(node: Any) -> Set[str]:
    """Names of arrays written in place (`x[i] = ...`) anywhere in `node` (assignments are
    statements: only statement lists are searched, not expressions)."""
    found: Set[str] = set()
    stack = list(node) if isinstance(node, list) else [node]
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                found.add(target.value.id)
            continue
        for field in ("body", "orelse", "handlers", "finalbody"):
            block = getattr(stmt, field, None)
            if type(block) is list:
                stack.extend(block)
    return found


def all_names(node: Any) -> Set[str]:
    return _names(node, None)


def is_atom(node: Any) -> bool:
    """True for the operands normalized code allows: names and static constants."""
    return isinstance(node, gast.Name) or is_static(node)


def is_static(node: Any) -> bool:
    """True for literals whose value is known at compile time (numbers, None, tuples of those)."""
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return isinstance(node.operand, gast.Constant)
    if isinstance(node, gast.Tuple):
        return all(is_static(e) for e in node.elts)
    return False


def static_value(node: Any) -> Any:
    """The Python value of a node for which `is_static` holds."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp):
        value = static_value(node.operand)
        return -value if isinstance(node.op, gast.USub) else +value
    if isinstance(node, gast.Tuple):
        return tuple(static_value(e) for e in node.elts)
    raise ValueError("not a static node")


def to_node(value: Any) -> Any:
    """A gast node for a static Python value (number, string, None, bool, tuple)."""
    if isinstance(value, tuple):
        return gast.Tuple(elts=[to_node(v) for v in value], ctx=gast.Load())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=constant(-value))
    return constant(value)


def unparse(node: Any) -> str:
    """Source text of a node (for messages and comments), one line."""
    from . import codegen  # local import: codegen depends on this module

    return codegen.expression_source(node)


def hoist_calls(statements: List[Any], matches: Callable[[gast.Call], bool],
                fresh: Callable[[str], str]) -> List[Any]:
    """Each call for which `matches` holds, inside a larger expression of a statement, moved to
    an assignment of its own just before: `y = f(t.gradient(a, b))` becomes
    `t_gradient_value = t.gradient(a, b); y = f(t_gradient_value)`, so passes that handle the call as a
    whole statement see it so. Bodies of loops and branches are left to the caller."""
    out: List[Any] = []
    for stmt in statements:
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, (gast.Assign, gast.Return, gast.Expr, gast.AugAssign)) \
                or value is None:
            out.append(stmt)
            continue
        hoisted: List[Any] = []

        class _Hoist(gast.NodeTransformer):
            def visit_Call(self, node: gast.Call) -> Any:
                self.generic_visit(node)
                if node is not value and matches(node):
                    base = node.func.value.id if isinstance(node.func, gast.Attribute) and \
                        isinstance(node.func.value, gast.Name) else "value"
                    name = fresh(f"{base}_{getattr(node.func, 'attr', 'call')}_value")
                    hoisted.append(gast.copy_location(assign(name, node), stmt))
                    return load(name)
                return node

        stmt.value = _Hoist().visit(value)
        out.extend(hoisted)
        out.append(stmt)
    return out
