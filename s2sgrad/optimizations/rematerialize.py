"""Recompute cheap loop temporaries of number code in the reverse sweep instead of recording them.

Needs: the two sweeps of `transforms.reverse`, after unneeded records are dropped and before the
reversed loops count their iterations from a stack (`counts_from_stacks`).
Guarantees: a temporary `t = math.sin(x)` of a loop over Python numbers, pushed on a stack in the
primal loop and popped at the top of the reversed iteration, is instead computed again right
before the adjoint first reads it, when every name it is computed from holds there the value it
had when `t` was assigned:
- a parameter never assigned, or a name bound once, outside the loop (`a`, `b`);
- or a name the loop assigns once, after `t`, and whose old value the reverse sweep pops before
  that first read (`x` in `t = math.sin(x); ...; x = a * t + b * x`).

Why: it is what a hand-written gradient does (`da += g * math.sin(x)` from the recorded `x`
alone), so a loop of 1000 iterations keeps one list of numbers instead of two. Computing
`math.sin` again costs about what the push and the pop cost, so only number code, where every
value is a Python float, takes this path: arrays are recorded (recomputing a whole array is
work, recording one is a reference).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

import gast

from .. import anno, astutil


def recompute_temporaries(primal: List[Any], adjoint: List[Any], stacks: Dict[str, str],
                          once: Set[str]) -> List[str]:
    """Rewrite `primal` and `adjoint` in place; return the names no longer recorded.

    `stacks` maps recorded names to their stacks; `once` holds the names whose value never
    changes once bound (parameters never assigned, names bound once outside loops)."""
    recomputed: List[str] = []
    pops = _pops(adjoint)
    bindings: Dict[str, int] = {}      # how many statements of the primal sweep bind each name
    for stmt in astutil.statements(primal):
        for name in _bound_by(stmt):
            bindings[name] = bindings.get(name, 0) + 1
    for loop in astutil.walk(primal):
        if not isinstance(loop, (gast.For, gast.While)):
            continue
        for index, stmt in enumerate(loop.body):
            name = _temporary(stmt)
            if name is None or name not in stacks or name not in pops or bindings[name] != 1:
                continue                      # (`n = 0` that the loop counts up: recorded)
            push = _push_of(loop.body, index, stacks[name])
            reversed_body, pop = pops[name]
            if push is None or not _cheap(stmt.value):
                continue
            where = _first_read(reversed_body, pop, name)
            if where is None or not all(
                    operand in once or _restored_before(operand, loop.body, index,
                                                        reversed_body, pop, where, stacks)
                    for operand in _operands(stmt.value)):
                continue
            loop.body.remove(push)
            position = reversed_body.index(where)
            recompute = astutil.copy_node(stmt)
            reversed_body[position:position] = [recompute]
            reversed_body.remove(pop)
            recomputed.append(name)
    return recomputed


def _temporary(stmt: Any) -> Optional[str]:
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None


def _bound_by(stmt: Any) -> Set[str]:
    if isinstance(stmt, gast.Assign):
        return astutil.names_stored(stmt.targets)
    if isinstance(stmt, gast.For):
        return astutil.names_stored(stmt.target)
    return set()


def _pops(adjoint: List[Any]) -> Dict[str, Any]:
    """name: (the statement list holding `name = name_stack.pop()`, that statement), for the
    pops at the top level of a reversed loop's body."""
    found: Dict[str, Any] = {}
    for loop in astutil.walk(adjoint):
        if isinstance(loop, (gast.For, gast.While)):
            for stmt in loop.body:
                name = _temporary(stmt)
                if name is not None and is_stack_call(stmt.value, "pop"):
                    found.setdefault(name, (loop.body, stmt))
    return found


def is_stack_call(node: Any, method: str, stack: Optional[str] = None) -> bool:
    """`s.method(...)` on a name (`stack`, if given): a record's `append` or `pop`."""
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
        and node.func.attr == method and isinstance(node.func.value, gast.Name) \
        and (stack is None or node.func.value.id == stack)


def _push_of(body: List[Any], index: int, stack: str) -> Any:
    """The statement `stack.append(...)` after `body[index]`, at the same level."""
    for stmt in body[index + 1:]:
        if isinstance(stmt, gast.Expr) and is_stack_call(stmt.value, "append", stack):
            return stmt
    return None


def _cheap(value: Any) -> bool:
    """Arithmetic and calls of the `math` module on names and numbers."""
    for node in astutil.walk(value):
        if isinstance(node, gast.Call):
            fn = anno.get(node, anno.Key.RESOLVED, anno.get(node.func, anno.Key.RESOLVED, None))
            if getattr(fn, "__module__", None) != "math" or node.keywords:
                return False
        elif not isinstance(node, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp,
                                   gast.Attribute, gast.operator, gast.unaryop,
                                   gast.expr_context)):
            return False
    return True


def _operands(value: Any) -> Set[str]:
    """The names `value` computes with (not `math` in `math.sin(x)`)."""
    functions = {id(node) for call in astutil.walk(value) if isinstance(call, gast.Call)
                 for node in astutil.walk(call.func)}
    return {node.id for node in astutil.walk(value) if isinstance(node, gast.Name)
            and id(node) not in functions}


def _first_read(body: List[Any], pop: Any, name: str) -> Any:
    """The first statement after `pop` in `body` that reads `name`."""
    for stmt in body[body.index(pop) + 1:]:
        if name in astutil.names_loaded(stmt):
            return stmt
        if name in astutil.names_stored(stmt):
            return None
    return None


def _restored_before(operand: str, body: List[Any], index: int, reversed_body: List[Any],
                     pop: Any, where: Any, stacks: Dict[str, str]) -> bool:
    """Whether `operand` is assigned once in the loop's `body`, after `body[index]` and at its
    top level, and its old value is popped (the only assignment to it) between `pop` and
    `where` in the reversed body."""
    assigning = [i for i, stmt in enumerate(body) if operand in astutil.names_stored(stmt)]
    if len(assigning) != 1 or assigning[0] <= index or operand not in stacks or \
            not isinstance(body[assigning[0]], gast.Assign):
        return False
    between = reversed_body[reversed_body.index(pop) + 1:reversed_body.index(where)]
    restoring = [stmt for stmt in between if operand in astutil.names_stored(stmt)]
    return len(restoring) == 1 and _temporary(restoring[0]) == operand \
        and is_stack_call(restoring[0].value, "pop", stacks[operand])


def bound_once(body: List[Any], params: Set[str]) -> Set[str]:
    """The names of `body` whose value never changes once bound: parameters it never assigns,
    and names one statement outside loops binds."""
    counts: Dict[str, int] = {}
    for node in astutil.walk(body):
        if isinstance(node, (gast.For, gast.While)):
            for name in astutil.names_stored(node):      # (target and body: many times)
                counts[name] = counts.get(name, 0) + 2
        elif isinstance(node, gast.Assign):
            for name in astutil.names_stored(node.targets):
                counts[name] = counts.get(name, 0) + 1
    return {name for name, count in counts.items() if count == 1} | (params - set(counts))
