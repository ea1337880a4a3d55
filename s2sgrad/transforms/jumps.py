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

from typing import Any, List, Optional, Tuple, Type

import gast

from .. import anno, astutil
from ..naming import Namer

_LOOP_JUMPS: Tuple[Type[Any], ...] = (gast.Break, gast.Continue)


def transform(body: List[Any], namer: Namer) -> List[Any]:
    """The function body with structured jumps and a single final `return`."""
    body = _loop_exits(body, namer, _ExitNames(namer))
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


# ---- `return` inside loops and `else` on loops, as flags -------------------------------------


class _ExitNames:
    """The names, shared by the whole function, that carry a `return` out of loops."""

    def __init__(self, namer: Namer):
        self.namer = namer
        self._names: Optional[Tuple[str, str]] = None

    def get(self) -> Tuple[str, str]:
        if self._names is None:
            self._names = (self.namer.fresh("returning"), self.namer.fresh("returned_value"))
        return self._names


def _loop_exits(statements: List[Any], namer: Namer, exits: _ExitNames) -> List[Any]:
    """`return` in a loop becomes a flag, a value and `break`s; `else` on a loop becomes a flag.

    `for ...: if c: return v` becomes `returning = False; for ...: if c: returned_value = v;
    returning = True; break` followed by `if returning: return returned_value`, which the
    structuring above then treats like any early return.
    """
    out: List[Any] = []
    for stmt in statements:
        if isinstance(stmt, gast.If):
            stmt.body = _loop_exits(stmt.body, namer, exits)
            stmt.orelse = _loop_exits(stmt.orelse, namer, exits)
        if not isinstance(stmt, (gast.For, gast.While)):
            out.append(stmt)
            continue
        stmt.body = _loop_exits(stmt.body, namer, exits)
        stmt.orelse = _loop_exits(stmt.orelse, namer, exits)
        before: List[Any] = []
        after: List[Any] = []
        if stmt.orelse:
            broke = namer.fresh("broke")
            stmt.body = _flag_breaks(stmt.body, broke)
            before.append(_like(astutil.assign(broke, astutil.constant(False)), stmt))
            after.append(_like(gast.If(test=astutil.load(broke), body=[gast.Pass()],
                                       orelse=stmt.orelse), stmt))
            stmt.orelse = []
        if _returns_inside(stmt.body):
            returning, value = exits.get()
            stmt.body = _returns_to_breaks(stmt.body, returning, value)
            before.append(_like(astutil.assign(returning, astutil.constant(False)), stmt))
            after.insert(0, _like(gast.If(test=astutil.load(returning), body=[_like(
                gast.Return(value=astutil.load(value)), stmt)], orelse=[]), stmt))
        out += before + [stmt] + after
    return out


def _returns_to_breaks(statements: List[Any], returning: str, value: str) -> List[Any]:
    """Each `return v` of this loop body becomes `returned_value = v; returning = True; break`.

    Loops nested in the body were rewritten first, into `...; if returning: return
    returned_value`, so a return from an inner loop leaves every enclosing loop in turn.
    """
    out: List[Any] = []
    for stmt in statements:
        if isinstance(stmt, gast.Return):
            if not (isinstance(stmt.value, gast.Name) and stmt.value.id == value):
                out.append(_like(astutil.assign(value, stmt.value), stmt))
            out += [_like(astutil.assign(returning, astutil.constant(True)), stmt),
                    _like(gast.Break(), stmt)]
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _returns_to_breaks(stmt.body, returning, value)
            stmt.orelse = _returns_to_breaks(stmt.orelse, returning, value)
        out.append(stmt)
    return out


def _flag_breaks(statements: List[Any], flag: str) -> List[Any]:
    """Set `flag` before every `break` of this loop (not of loops nested in it)."""
    out: List[Any] = []
    for stmt in statements:
        if isinstance(stmt, gast.Break):
            out.append(_like(astutil.assign(flag, astutil.constant(True)), stmt))
        elif isinstance(stmt, gast.If):
            stmt.body = _flag_breaks(stmt.body, flag)
            stmt.orelse = _flag_breaks(stmt.orelse, flag)
        out.append(stmt)
    return out


def _returns_inside(statements: List[Any]) -> bool:
    """Whether a `return` leaves these statements (loops nested in them are rewritten already)."""
    for stmt in statements:
        if isinstance(stmt, gast.Return):
            return True
        if isinstance(stmt, gast.If) and (_returns_inside(stmt.body) or
                                          _returns_inside(stmt.orelse)):
            return True
    return False


def _like(new: Any, old: Any) -> Any:
    """`new` with `old`'s position and origin (for comments and errors)."""
    gast.copy_location(new, old)
    anno.copy_all(old, new)
    return new
