"""Structured jumps: `break`, `continue` and early `return` made explicit in the branch structure.

Needs: a desugared body (`transforms.desugar`).
Guarantees: no statement follows a branch that may jump. In a loop body, the statements after an
`if` that may `break`/`continue` move into the branches that do not jump (so `S1; if c: break; S2`
becomes `S1; if c: break else: S2`), and anything after an unconditional jump is dropped as
unreachable. In the function body the same happens with `return`, and then every `return v`
becomes an assignment to one result variable, returned once at the end.

Why: the reverse sweep replays an iteration by replaying its recorded branch decisions. Once a jump
is always the last statement of its branch, the decisions alone say which statements ran, and
`break`/`continue`/`return` themselves need no adjoint.

Example: `for ...: a = f(a); if a > 1: break; b = g(a)` becomes
`for ...: a = f(a); if a > 1: break else: b = g(a)`.
"""

from __future__ import annotations

from typing import Any, List, Tuple, Type

import gast

from .. import anno, astutil
from ..naming import Namer

_LOOP_JUMPS: Tuple[Type[Any], ...] = (gast.Break, gast.Continue)


def transform(body: List[Any], namer: Namer) -> List[Any]:
    """The function body with structured jumps and a single final `return`."""
    body = _structure(body, (gast.Return,))
    returns = [n for n in astutil.walk(body) if isinstance(n, gast.Return)]
    if len(returns) == 1 and body and body[-1] is returns[0]:
        return body
    result = namer.fresh("result")
    for ret in returns:
        _replace_return(body, ret, result)
    final = gast.Return(value=astutil.load(result))
    anno.copy_all(returns[-1], final)
    gast.copy_location(final, returns[-1])
    return body + [final]


def _structure(statements: List[Any], jumps: Tuple[Type[Any], ...]) -> List[Any]:
    out: List[Any] = []
    for index, stmt in enumerate(statements):
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _structure(stmt.body, _LOOP_JUMPS)
        if isinstance(stmt, jumps):
            out.append(stmt)
            return out                      # what follows is unreachable
        if isinstance(stmt, gast.If):
            rest = statements[index + 1:]
            if rest and _may_jump(stmt, jumps):
                stmt.body = _structure(_extended(stmt.body, rest, jumps), jumps)
                stmt.orelse = _structure(_extended(stmt.orelse, rest, jumps), jumps)
                out.append(stmt)
                return out
            stmt.body = _structure(stmt.body, jumps)
            stmt.orelse = _structure(stmt.orelse, jumps)
        out.append(stmt)
    return out


def _extended(branch: List[Any], rest: List[Any], jumps: Tuple[Type[Any], ...]) -> List[Any]:
    return branch if _always_jumps(branch, jumps) else branch + astutil.copy_node(rest)


def _may_jump(stmt: Any, jumps: Tuple[Type[Any], ...]) -> bool:
    """Whether `stmt` contains a jump of these kinds that leaves it (not one of an inner loop)."""
    if isinstance(stmt, jumps):
        return True
    if isinstance(stmt, gast.If):
        return any(_may_jump(s, jumps) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, (gast.For, gast.While)):
        return gast.Return in jumps and any(_may_jump(s, jumps) for s in stmt.body)
    return False


def _always_jumps(statements: List[Any], jumps: Tuple[Type[Any], ...]) -> bool:
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, jumps):
        return True
    return isinstance(last, gast.If) and _always_jumps(last.body, jumps) \
        and _always_jumps(last.orelse, jumps)


def _replace_return(statements: List[Any], ret: gast.Return, result: str) -> bool:
    for index, stmt in enumerate(statements):
        if stmt is ret:
            assign = astutil.assign(result, ret.value)
            anno.copy_all(ret, assign)
            gast.copy_location(assign, ret)
            statements[index] = assign
            return True
        for field in ("body", "orelse"):
            if _replace_return(getattr(stmt, field, None) or [], ret, result):
                return True
    return False
