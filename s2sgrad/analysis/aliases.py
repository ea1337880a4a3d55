"""Which names may share memory, and which names are still read after a statement.

NumPy arrays are mutable: after `y = x` or `v = x[0]`, writing into `x` changes what `y` and `v`
hold. The compiler needs to know this for in-place updates (see `transforms.inplace`):

- `sharing` links two names when one was bound from the other by an operation that may return
  the same array or a view of it: a plain copy `y = x` (an *exact* alias: the same object), or an
  index, `.T`, `.reshape(...)`, `np.transpose(...)`, a container literal holding it, a loop over
  it, `L.append(x)`, `x = L.pop()` (a *view*: part of the same memory);
- `live_after` gives, for every simple statement, the names that may be read after it runs
  (classic backward liveness over structured code, loops iterated to a fixed point).

Both are conservative: a name that may share memory or may be read counts.

Needs: desugared code with structured jumps (`transforms.jumps`), calls resolved.
"""

from __future__ import annotations

import builtins
import dataclasses
from typing import Any, Dict, List, Set, Tuple

import gast
import numpy as np

from .. import anno, astutil, runtime

_VIEW_FUNCTIONS = (np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze,
                   np.expand_dims, np.asarray, np.asanyarray, np.atleast_1d, np.atleast_2d,
                   np.atleast_3d, np.broadcast_to, np.diagonal, np.real, np.imag, np.rollaxis,
                   runtime.stop_gradient)
_VIEW_METHODS = {"reshape", "ravel", "transpose", "swapaxes", "squeeze", "view", "diagonal",
                 "pop"}   # (L.pop() returns an entry of L, which may be in use elsewhere too)
_VIEW_ATTRIBUTES = {"T", "mT", "real", "imag", "flat"}


@dataclasses.dataclass
class Sharing:
    """Names that may share memory: `exact` pairs are the same object, `view` pairs overlap."""

    exact: Set[Tuple[str, str]]
    view: Set[Tuple[str, str]]
    assignments: Dict[str, int]     # how many statements assign each name (loops count twice)
    holds: Set[Tuple[str, str]] = dataclasses.field(default_factory=set)   # (list, entry)

    def holders(self, name: str) -> Set[str]:
        """Names through which a change to the list `name` (append, pop) can be seen: the
        names of the same object, and the containers holding it, transitively."""
        holding = {(entry, container) for container, entry in self.holds}
        return _reachable(name, holding | _both_ways(self.exact))

    def group(self, name: str) -> Set[str]:
        """Every name connected to `name` through either kind of link."""
        return _reachable(name, _both_ways(self.exact | self.view))

    def same_object(self, name: str) -> Set[str]:
        """Names that certainly hold the very object `name` holds, wherever both are defined:
        chains of plain copies between names assigned once (parameters count as assigned)."""
        single = {n for n, count in self.assignments.items() if count == 1}
        if name not in single:
            return {name}
        return _reachable(name, {(a, b) for a, b in _both_ways(self.exact) if b in single})


def _both_ways(pairs: Set[Tuple[str, str]]) -> Set[Tuple[str, str]]:
    return pairs | {(b, a) for a, b in pairs}


def _reachable(start: str, edges: Set[Tuple[str, str]]) -> Set[str]:
    """`start` and every name reached from it along the (from, to) `edges`."""
    found, frontier = {start}, [start]
    while frontier:
        current = frontier.pop()
        for here, there in edges:
            if here == current and there not in found:
                found.add(there)
                frontier.append(there)
    return found


def sharing(function: Any) -> Sharing:
    """The memory-sharing links among the names of a function definition."""
    exact: Set[Tuple[str, str]] = set()
    view: Set[Tuple[str, str]] = set()
    holds: Set[Tuple[str, str]] = set()
    counts: Dict[str, int] = {name: 1 for name in astutil.names_stored(function.args)}
    for node in astutil.walk(function.body):
        if isinstance(node, gast.For):
            for target in astutil.names_stored(node.target):
                counts[target] = 2
                view.update((target, source) for source, _ in _sources(node.iter))
        if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
                and anno.get(node.value, anno.Key.METHOD, None) == "append" \
                and isinstance(node.value.func.value, gast.Name):
            # L.append(v): v's memory is now reachable through L
            container = node.value.func.value.id
            for arg in node.value.args:
                for source, _ in _sources(arg):
                    view.add((container, source))
                    holds.add((container, source))
        if not isinstance(node, gast.Assign):
            continue
        if not anno.get(node, anno.Key.AUGMENTED, False):   # `x += y` keeps an array's identity
            for target in astutil.names_stored(node.targets):
                counts[target] = counts.get(target, 0) + 1
        if len(node.targets) != 1 or not isinstance(node.targets[0], gast.Name):
            for target in astutil.names_stored(node.targets):   # unpacking: parts of the value
                view.update((target, source) for source, _ in _sources(node.value))
            continue
        target = node.targets[0].id
        for source, is_exact in _sources(node.value):
            (exact if is_exact else view).add((target, source))
            if isinstance(node.value, (gast.List, gast.Tuple, gast.Dict)):
                holds.add((target, source))
    for node in astutil.walk(function.body):     # names assigned inside loops: many times
        if isinstance(node, (gast.For, gast.While)):
            for inner in astutil.walk(node.body):
                if not (isinstance(inner, gast.Assign)
                        and anno.get(inner, anno.Key.AUGMENTED, False)):
                    for target in (astutil.names_stored(inner.targets)
                                   if isinstance(inner, gast.Assign) else ()):
                        counts[target] = 2
    return Sharing(exact=exact, view=view, assignments=counts, holds=holds)


def _sources(value: Any) -> List[Tuple[str, bool]]:
    """(name, exact) for every name whose memory `value` may return."""
    if isinstance(value, gast.Name):
        return [(value.id, True)]
    if isinstance(value, gast.IfExp):
        return [(name, False) for branch in (value.body, value.orelse)
                for name, _ in _sources(branch)]
    if isinstance(value, gast.Subscript) or (
            isinstance(value, gast.Attribute) and value.attr in _VIEW_ATTRIBUTES):
        return [(name, False) for name, _ in _sources(value.value)]
    if isinstance(value, (gast.List, gast.Tuple, gast.Set)):
        return [(name, False) for element in value.elts for name, _ in _sources(element)]
    if isinstance(value, gast.Dict):
        return [(name, False) for element in value.values for name, _ in _sources(element)]
    if isinstance(value, gast.Starred):
        return [(name, False) for name, _ in _sources(value.value)]
    if isinstance(value, gast.Call):
        fn = anno.get(value, anno.Key.RESOLVED, None)
        if any(fn is view for view in _VIEW_FUNCTIONS) and value.args:
            return [(name, False) for name, _ in _sources(value.args[0])]
        if fn is builtins.enumerate or fn is builtins.zip or fn is builtins.reversed:
            return [(name, False) for arg in value.args for name, _ in _sources(arg)]
        if anno.get(value, anno.Key.METHOD, None) in _VIEW_METHODS:
            return [(name, False) for name, _ in _sources(value.func.value)]
    return []


# ---- liveness ---------------------------------------------------------------------------------


def live_after(body: List[Any]) -> Dict[int, Set[str]]:
    """For each simple statement (by `id`), the names that may be read after it runs."""
    result: Dict[int, Set[str]] = {}
    _block(body, set(), result, _Loop(set(), set()))
    return result


@dataclasses.dataclass
class _Loop:
    exit: Set[str]     # live after the loop (where `break` goes)
    head: Set[str]     # live at the top of the next iteration (where `continue` goes)


def _block(statements: List[Any], live: Set[str], result: Dict[int, Set[str]],
           loop: _Loop) -> Set[str]:
    live = set(live)
    for stmt in reversed(statements):
        live = _statement(stmt, live, result, loop)
    return live


def _statement(stmt: Any, live: Set[str], result: Dict[int, Set[str]], loop: _Loop) -> Set[str]:
    if isinstance(stmt, gast.If):
        return astutil.names_loaded(stmt.test) | _block(stmt.body, live, result, loop) \
            | _block(stmt.orelse, live, result, loop)
    if isinstance(stmt, (gast.For, gast.While)):
        header = stmt.iter if isinstance(stmt, gast.For) else stmt.test
        inner = _Loop(exit=set(live), head=set(live) | astutil.names_loaded(header))
        while True:   # the body's entry feeds the next iteration: iterate to a fixed point
            entry = _block(stmt.body, inner.head, result, inner)
            if isinstance(stmt, gast.For):
                entry = entry - astutil.names_stored(stmt.target)
            head = inner.head | entry
            if head == inner.head:
                break
            inner.head = head
        return live | inner.head
    if isinstance(stmt, gast.Break):
        result[id(stmt)] = set(loop.exit)
        return set(loop.exit)
    if isinstance(stmt, gast.Continue):
        result[id(stmt)] = set(loop.head)
        return set(loop.head)
    result[id(stmt)] = set(live)
    if isinstance(stmt, gast.Return):
        return astutil.names_loaded(stmt)
    if isinstance(stmt, gast.Assign):
        return (live - astutil.names_stored(stmt.targets)) | astutil.names_loaded(stmt)
    return live | astutil.names_loaded(stmt)
