"""Which values of a tape's block depend on which: TensorFlow's `None` for unconnected sources.

A source is connected to a target when a chain of assignments carries its value to the target
(branch conditions and loop bounds carry no derivative). The analysis follows the block's
statements in order, so a name assigned again from something else stops depending
(`y = x * x; y = c * 2.0`: `y` no longer depends on `x`); branches join, loops run to a fixed
point. Variable assignments (`v.assign(e)`) and values computed under `tape.stop_recording()`
carry no dependence, as in TensorFlow.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

import gast

from .. import astutil

_ASSIGNMENTS = ("assign", "assign_add", "assign_sub")
_CACHE: Dict[Tuple, Tuple[List[Any], FrozenSet[str]]] = {}


def reached(body: List[Any], inputs: FrozenSet[str], until: Optional[int] = None,
            since: Optional[int] = None, cut: FrozenSet[str] = frozenset()) -> FrozenSet[str]:
    """The names whose values after `body` (or before line `until`, from line `since` on) may
    depend on the values of `inputs` before it; the assignments of the `cut` names are left
    out (they are inputs instead: gradients with respect to values the body computes)."""
    key = (id(body), inputs, until, since, cut)
    known = _CACHE.get(key)
    if known is None or known[0] is not body:      # (the body is kept: its id stays its own)
        flow = _Flow(until, since, cut)
        known = _CACHE[key] = (body, frozenset(flow.block(body, set(inputs), False, True)))
    return known[1]


def connected(body: List[Any], inputs: List[str], outputs: List[str],
              until: Optional[int] = None, since: Optional[int] = None,
              cut: FrozenSet[str] = frozenset()) -> Set[str]:
    """The `inputs` on which some of `outputs` depends."""
    return {name for name in inputs
            if reached(body, frozenset([name]), until, since, cut) & set(outputs)}


class _Flow:
    """Forward over the statements: the set of names that depend on the inputs."""

    def __init__(self, until: Optional[int], since: Optional[int], cut: FrozenSet[str]):
        self.until, self.since, self.cut = until, since, cut

    def block(self, statements: List[Any], varied: Set[str], paused: bool,
              top: bool = False) -> Set[str]:
        for stmt in statements:
            line = getattr(stmt, "lineno", 0)
            if top and self.until is not None and line >= self.until:
                break
            if top and self.since is not None and line <= self.since:
                continue
            varied = self.statement(stmt, varied, paused)
        return varied

    def statement(self, stmt: Any, varied: Set[str], paused: bool) -> Set[str]:
        if isinstance(stmt, gast.Assign) and astutil.names_stored(stmt.targets) \
                and astutil.names_stored(stmt.targets) <= self.cut:
            return varied
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            loaded = astutil.names_loaded(stmt.value) if stmt.value is not None else set()
            if isinstance(stmt, gast.AugAssign):
                loaded |= astutil.names_loaded(stmt.target)
            depends = bool(loaded & varied) and not paused
            out = set(varied)
            for target in targets:
                if isinstance(target, gast.Subscript):    # x[i] = v: part of x changes
                    if depends:
                        out |= astutil.all_names(target.value)
                else:
                    names = astutil.names_stored(target)
                    out = (out | names) if depends else (out - names)
            return out
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, set(varied), paused) | \
                self.block(stmt.orelse, set(varied), paused)
        if isinstance(stmt, (gast.For, gast.While)):
            head = set(varied)
            while True:
                entry = set(head)
                if isinstance(stmt, gast.For):
                    targets = astutil.names_stored(stmt.target)
                    entry = (entry | targets) if astutil.names_loaded(stmt.iter) & head \
                        and not paused else (entry - targets)
                new = head | self.block(stmt.body, entry, paused)
                if new == head:
                    return self.block(stmt.orelse, head, paused)
                head = new
        if isinstance(stmt, gast.With):
            stops = any(isinstance(item.context_expr, gast.Call)
                        and isinstance(item.context_expr.func, gast.Attribute)
                        and item.context_expr.func.attr == "stop_recording" for item in stmt.items)
            return self.block(stmt.body, varied, paused or stops)
        if isinstance(stmt, gast.Try):
            out = self.block(stmt.body, set(varied), paused)
            for handler in stmt.handlers:
                out |= self.block(handler.body, set(varied), paused)
            out = self.block(stmt.orelse, out, paused)
            return self.block(stmt.finalbody, out, paused)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                and isinstance(stmt.value.func, gast.Attribute) and not paused \
                and stmt.value.func.attr not in _ASSIGNMENTS:
            # `L.append(v)`: the object the method is called on may now hold v
            if astutil.names_loaded(stmt.value) & varied:
                return varied | astutil.all_names(stmt.value.func.value)
        return varied
