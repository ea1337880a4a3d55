"""Simplification of generated straight-line code, repeated until nothing changes.

Needs: a list of statements (assignments, expression statements, comments, one final return) in
which every name is assigned once, except adjoints that accumulate (`bx = bx + ...`).
Guarantees, without changing what the code computes:
- dead code: assignments whose targets are never read and whose value has no side effect are
  removed (calls are side-effect free when they are rule helpers or functions with a rule);
- copies: `bz = by` disappears and later reads of `bz` read `by`, when neither is assigned again;
- constants: arithmetic on two numeric literals is folded (`3.0 - 1` becomes `2.0`);
- negations: `n = -e` read once, as a term of a sum (`a + b * n`), becomes `a - b * e`;
- comments that no longer head any statement are dropped.

Example: `by = b_return; bx = by * 2.0; unused = np.tanh(x); return bx` simplifies to
`bx = b_return * 2.0; return bx`.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import gast

from .. import anno, astutil, codegen, runtime
from ..rules import adjoint_rule, has_zero_derivative, method

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def simplify(statements: List[Any], copies: bool = True) -> List[Any]:
    """Run every simplification until the code stops changing."""
    passes: List[Callable[[List[Any]], List[Any]]] = [fold_zero_accumulation,
                                                       fuse_reduction_broadcasts, fold_negations,
                                                       dead_code, drop_orphan_comments]
    if copies:
        passes.insert(0, propagate_copies)
    while True:
        length = len(statements)
        folded = fold_constants(statements)
        for run in passes:
            statements = run(statements)
        if not folded and len(statements) == length:
            return statements


def dead_code(statements: List[Any]) -> List[Any]:
    live: Set[str] = set()
    kept: List[Any] = []
    for stmt in reversed(statements):
        if codegen.is_comment(stmt):
            kept.append(stmt)
            continue
        if isinstance(stmt, gast.Assign) and not _writes_into(stmt):
            targets = astutil.names_stored(stmt.targets)
            if not targets & live and is_pure(stmt.value):
                continue
            live -= targets
        live |= astutil.names_loaded(stmt)
        kept.append(stmt)
    return kept[::-1]


def propagate_copies(statements: List[Any]) -> List[Any]:
    """Replace `a = b` (names) by reading `b` where `a` was read, when that is safe."""
    # All copies in one sweep: renaming reads never changes what statements assign, so the
    # names each statement assigns (loops and branches included) are computed once.
    assigned = [astutil.names_stored(s) for s in statements]
    written = astutil.names_written_into(statements)   # copies of arrays written in place stay
    renamed: Dict[str, str] = {}     # copy -> the name read instead (chains resolved)
    removed: Set[int] = set()
    for index, stmt in enumerate(statements):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Name) and not anno.has(stmt, anno.Key.ORIGIN)):
            continue
        copy, source = stmt.targets[0].id, renamed.get(stmt.value.id, stmt.value.id)
        if copy in written or source in written:
            continue
        later = assigned[index + 1:]
        if any(copy in names or source in names for names in later) or \
                sum(copy in names for names in assigned) != 1:
            continue
        renamed[copy] = source
        removed.add(index)
    if not removed:
        return statements
    kept = [s for i, s in enumerate(statements) if i not in removed]
    for node in astutil.walk(kept):
        if isinstance(node, gast.Name) and node.id in renamed:
            node.id = renamed[node.id]
    return kept


def fold_zero_accumulation(statements: List[Any],
                           written: Optional[Set[str]] = None) -> List[Any]:
    """`b = zeros_like(x); ...; b = b + e` becomes `...; b = e` (at every nesting level).

    Valid when nothing in between touches `b`: a contribution to an adjoint always has the
    shape of its variable (rules un-broadcast), so adding it to zeros changes nothing. Not for
    an adjoint written in place later (`b[i] = 0.0`), which must be an array of its own.
    """
    written = astutil.names_written_into(statements) if written is None else written
    out: List[Any] = []
    names: List[Optional[Set[str]]] = [None] * len(statements)   # of each statement, on demand
    for index, stmt in enumerate(statements):
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                setattr(stmt, field, fold_zero_accumulation(block, written))
        if _is_zero_assignment(stmt) and stmt.targets[0].id not in written:
            name = stmt.targets[0].id
            user = None
            for later in range(index + 1, len(statements)):
                if names[later] is None:
                    names[later] = astutil.all_names(statements[later])
                if name in names[later]:
                    user = statements[later]
                    break
            if isinstance(user, gast.Assign) and _accumulates_into(user, name):
                user.value = user.value.right
                continue
        out.append(stmt)
    return out


def fuse_reduction_broadcasts(statements: List[Any]) -> List[Any]:
    """`bx = broadcast_like(g, x)` (the adjoint of a reduction of x) read once, in `bx * x`:
    the product broadcasts `g` to x's shape by itself, so it reads `g * x`, and the full-size
    array is never made. `g`'s names and x must keep their values until that product."""
    out = list(statements)
    for index, stmt in enumerate(statements):
        call = stmt.value if isinstance(stmt, gast.Assign) else None
        if not (isinstance(call, gast.Call) and isinstance(stmt.targets[0], gast.Name)
                and anno.get(call.func, anno.Key.RESOLVED, None) is runtime.broadcast_like
                and len(call.args) == 2 and isinstance(call.args[1], gast.Name)):
            continue
        name, shape_of = stmt.targets[0].id, call.args[1].id
        kept = astutil.names_loaded(call.args[0]) | {shape_of, name}
        product = _only_product_with(statements[index + 1:], name, shape_of, kept)
        if product is not None:
            operand, side = product
            setattr(operand, side, astutil.copy_node(call.args[0]))
            out[index] = None
    return [s for s in out if s is not None]


def fold_negations(statements: List[Any]) -> List[Any]:
    """`n = -e` whose only read is a term of a sum, `a + b * n`, becomes `a - b * e` (at every
    nesting level): one array operation less, and the same numbers (negation is exact).

    Valid when `n` is assigned and read once in the whole code, its read comes later in the same
    block, and nothing in between assigns or writes into a name of `e`."""
    if not any(_is_negation(stmt) for stmt in astutil.statements(statements)):
        return statements                 # (the common case: no tree walk)
    reads: Dict[str, int] = {}
    stores: Dict[str, int] = {}
    for node in astutil.walk(statements):
        if isinstance(node, gast.Name):
            counts = reads if isinstance(node.ctx, gast.Load) else stores
            counts[node.id] = counts.get(node.id, 0) + 1
    written = astutil.names_written_into(statements)
    return _fold_negations_in(statements, reads, stores, written)


def _fold_negations_in(statements: List[Any], reads: Dict[str, int], stores: Dict[str, int],
                       written: Set[str]) -> List[Any]:
    out = list(statements)
    for index, stmt in enumerate(statements):
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                setattr(stmt, field, _fold_negations_in(block, reads, stores, written))
        if not _is_negation(stmt):
            continue
        name, negated = stmt.targets[0].id, stmt.value.operand
        kept = astutil.names_loaded(negated)
        if reads.get(name) != 1 or stores.get(name) != 1 or (kept | {name}) & written or \
                any(isinstance(n, gast.Call) for n in astutil.walk(negated)):
            continue
        for later in statements[index + 1:]:
            if name in astutil.names_loaded(later):
                if isinstance(later, gast.Assign) and _subtract_instead(later.value, name, negated):
                    out[index] = None
                break
            if astutil.names_stored(later) & kept or not isinstance(later, (gast.Assign,
                                                                           gast.Expr)):
                break
    return [s for s in out if s is not None]


def _is_negation(stmt: Any) -> bool:
    """`n = -e`, generated (not a line of the user's)."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and isinstance(stmt.value, gast.UnaryOp) and isinstance(stmt.value.op, gast.USub) \
        and not anno.has(stmt, anno.Key.ORIGIN)


def _subtract_instead(value: Any, name: str, negated: Any) -> bool:
    """In `value`, rewrite the sum `a + n`, `a - n`, `a + b * n` (either order of the sum and of
    the product) that reads `name` into a difference reading `negated`; False if there is none."""
    def is_name(node: Any) -> bool:
        return isinstance(node, gast.Name) and node.id == name

    def replaced(term: Any) -> Any:
        """The term (`n`, `b * n` or `n * b`) with `n` read as `negated`; None if not a term."""
        if is_name(term):
            return astutil.copy_node(negated)
        if isinstance(term, gast.BinOp) and isinstance(term.op, gast.Mult):
            if is_name(term.right):
                term.right = astutil.copy_node(negated)
                return term
            if is_name(term.left):
                term.left = astutil.copy_node(negated)
                return term
        return None

    for node in astutil.walk(value):
        if not (isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub))):
            continue
        right = replaced(node.right)
        if right is not None:
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.right = right
            return True
        if isinstance(node.op, gast.Add):
            left = replaced(node.left)
            if left is not None:
                node.op, node.left, node.right = gast.Sub(), node.right, left
                return True
    return False


def _only_product_with(statements: List[Any], name: str, other: str,
                       kept: Set[str]) -> Optional[Tuple[gast.BinOp, str]]:
    """The product `name * other` (or `other * name`) that is the only read of `name` in the
    straight-line `statements`, and the side `name` is on, if no statement before it (nor that
    one) assigns a name of `kept`."""
    for index, stmt in enumerate(statements):
        reads = [n for n in astutil.walk(stmt) if isinstance(n, gast.Name) and n.id == name
                 and isinstance(n.ctx, gast.Load)]
        if reads and any(name in astutil.names_loaded(later) for later in statements[index + 1:]):
            return None                           # not the only read
        if not reads:
            if astutil.names_stored(stmt) & kept or not isinstance(stmt, (gast.Assign, gast.Expr)):
                return None
            continue
        if len(reads) != 1 or not isinstance(stmt, gast.Assign) or \
                astutil.names_stored(stmt.targets) & (kept - {name}):
            return None
        for node in astutil.walk(stmt.value):
            if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
                for side, opposite in (("left", node.right), ("right", node.left)):
                    if getattr(node, side) is reads[0] and isinstance(opposite, gast.Name) \
                            and opposite.id == other:
                        return node, side
        return None
    return None


def _writes_into(stmt: gast.Assign) -> bool:
    return isinstance(stmt.targets[0], gast.Subscript)


def _is_zero_assignment(stmt: Any) -> bool:
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and anno.get(stmt.value, anno.Key.ZERO, False)


def _accumulates_into(stmt: gast.Assign, name: str) -> bool:
    """`name = name + e` with `e` not reading `name`."""
    value = stmt.value
    return isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name \
        and isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) \
        and isinstance(value.left, gast.Name) and value.left.id == name \
        and name not in astutil.all_names(value.right)


def fold_constants(statements: List[Any]) -> int:
    """Fold literal arithmetic in place; return how many operations were folded.

    (It runs on every round of `simplify`: one loop over the tree, which folds each operation
    whose operands are literals where it hangs, in a field or a list.)"""
    count = 0
    binop, node_type, fields_of = gast.BinOp, gast.AST, _FIELDS
    stack: List[Any] = [statements]
    pop, push = stack.pop, stack.append
    while stack:
        current = pop()
        if type(current) is list:
            for index, child in enumerate(current):
                if type(child) is binop:
                    folded = _fold(child)
                    if folded is not child:
                        current[index] = folded
                        count += 1
                        continue
                if isinstance(child, node_type):
                    push(child)
            continue
        kind = type(current)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op"))
        for field in fields:
            child = getattr(current, field, None)
            if type(child) is binop:
                folded = _fold(child)
                if folded is not child:
                    setattr(current, field, folded)
                    count += 1
                    continue
            if type(child) is list or isinstance(child, node_type):
                push(child)
    return count


_FIELDS: Dict[type, Tuple[str, ...]] = {}   # per node class, the fields that may hold nodes


def _fold(node: Any) -> Any:
    if isinstance(node, gast.BinOp) and type(node.op) in _FOLD \
            and _is_number(node.left) and _is_number(node.right):
        try:
            value = _FOLD[type(node.op)](astutil.static_value(node.left),
                                         astutil.static_value(node.right))
        except (ArithmeticError, ValueError):
            return node
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = float(value)
        return astutil.to_node(value)
    return node


def _is_number(node: Any) -> bool:
    if not astutil.is_static(node):
        return False
    value = astutil.static_value(node)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def drop_orphan_comments(statements: List[Any]) -> List[Any]:
    """Drop comments that head no statement (at every nesting level)."""
    kept: List[Any] = []
    for stmt in statements:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                setattr(stmt, field, drop_orphan_comments(block) or
                        ([gast.Pass()] if field == "body" else []))
        if kept and codegen.is_comment(kept[-1]) and (codegen.is_comment(stmt)
                                                      or isinstance(stmt, gast.Return)):
            kept.pop()
        kept.append(stmt)
    if kept and codegen.is_comment(kept[-1]):
        kept.pop()
    return kept


def is_pure(node: Any) -> bool:
    """Whether evaluating `node` can have no effect besides its value."""
    for child in astutil.walk(node):
        if isinstance(child, (gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr)):
            return False
        if isinstance(child, gast.Call) and not _pure_call(child):
            return False
    return True


def _pure_call(node: gast.Call) -> bool:
    if anno.get(node, anno.Key.PURE, False):
        return True
    if anno.has(node, anno.Key.RESOLVED):
        target = anno.get(node, anno.Key.RESOLVED)
        return adjoint_rule(target) is not None or has_zero_derivative(target)
    if anno.has(node, anno.Key.METHOD):
        name = method(anno.get(node, anno.Key.METHOD))
        return adjoint_rule(name) is not None or has_zero_derivative(name)
    return False
