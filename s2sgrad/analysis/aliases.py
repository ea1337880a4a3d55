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
import collections
import dataclasses
import functools
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

import gast
import numpy as np

from .. import anno, astutil, runtime
from ..runtime import containers

_VIEW_FUNCTIONS = (np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze,
                   np.expand_dims, np.asarray, np.asanyarray, np.atleast_1d, np.atleast_2d,
                   np.atleast_3d, np.broadcast_to, np.diagonal, np.real, np.imag, np.rollaxis,
                   runtime.stop_gradient,
                   # (derivative code's helpers: the argument itself when its shape fits)
                   runtime.broadcast_like, runtime.unbroadcast)
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
    function: Any = None                # the definition (for the flow-sensitive facts)
    writes: Dict[str, List[int]] = dataclasses.field(default_factory=dict)  # name: statements
    augmented: Set[str] = dataclasses.field(default_factory=set)   # names of `x op= y`
    # (z, y) for `z = g(y)` calling the user's own function: z may be y, or a new array
    returned: Set[Tuple[str, str]] = dataclasses.field(default_factory=set)

    @functools.cached_property
    def memory(self) -> Dict[int, List["_State"]]:
        """`memory_at` of the function, computed when a write asks for it."""
        return memory_at(self.function, self.stacks) if self.function is not None else {}

    @functools.cached_property
    def stacks(self) -> Dict[str, Set[str]]:
        """The function's lists used only as stacks (see `private_stacks`)."""
        return private_stacks(self.function.body) if self.function is not None else {}

    @functools.cached_property
    def live(self) -> Dict[int, Set[str]]:
        return live_after(self.function.body) if self.function is not None else {}

    @functools.cached_property
    def values_live(self) -> Dict[int, Set[str]]:
        """`live` counting only reads of values, not of shapes (see `values_read`); a value
        pushed on a stack whose popped values are read for their shape only is not read."""
        if self.function is None:
            return {}
        quiet = shape_only_stacks(self.function.body)
        return live_after(self.function.body, lambda node: values_read(node, quiet=quiet))

    def may_reach_parameter(self, names: Set[str], at: Any) -> bool:
        """Whether one of `names` may reach the memory of a parameter (which the caller holds)
        right before the statement `at`."""
        states = self.memory.get(id(at))
        if states is None:
            return True
        return any(made.startswith("parameter ") for state in states for name in names
                   for made, _ in state.get(name, frozenset()))

    def holders(self, name: str) -> Set[str]:
        """Names through which a change to the list `name` (append, pop) can be seen: the
        names of the same object, and the containers holding it (`L = [M]`, `L.append(M)`)
        or it was taken from (`M = L[0]`, `for M in L`), transitively."""
        holding = {(entry, container) for container, entry in self.holds}
        return _reachable(name, holding | (self.view - self.holds)
                          | _both_ways(self.exact | self.returned))

    @functools.cached_property
    def flagged(self) -> Set[Tuple[str, str]]:
        """(x, y) for each run-time test `same_object(y, x)` before a write into `x` (see
        `transforms.inplace`), both ways: names that may or may not be one object."""
        if self.function is None:
            return set()
        return _both_ways({(flag.value.args[1].id, flag.value.args[0].id)
                           for stmt in astutil.statements(self.function.body)
                           for flag in anno.get(stmt, anno.Key.SAME_AS, [])})

    def perhaps_same(self, name: str) -> Set[str]:
        """The names certainly of `name`'s object (`same_object`) and those whose identity with
        it the code asks at run time: where nothing must be lost, treat them all as one."""
        return self.same_object(name) | {b for a, b in self.flagged if a == name}

    def copies(self, name: str) -> Set[str]:
        """`name` and the names bound from it, or it from them, by plain copies (`z = y`) or
        calls of the user's functions that may return their argument (`z = g(y)`)."""
        return _reachable(name, _both_ways(self.exact | self.returned))

    def group(self, name: str) -> Set[str]:
        """Every name connected to `name` through any kind of link."""
        return _reachable(name, _both_ways(self.exact | self.view | self.returned))

    def same_object(self, name: str, at: Any = None) -> Set[str]:
        """Names that certainly hold the very object `name` holds: wherever both are defined,
        chains of plain copies between names assigned once (parameters count as assigned);
        and, right before the statement `at` (by default: before any write into `name`), the
        names the program's flow binds to that object (see `memory_at`) and that are read
        afterwards."""
        # (`x op= y` keeps the identity of an array, but makes a new object of a number: the
        # name of a number updated so, perhaps to an array, is not certainly its copies' object)
        single = {n for n, count in self.assignments.items()
                  if count == 1 and n not in self.augmented}
        found = {name} if name not in single else \
            _reachable(name, {(a, b) for a, b in _both_ways(self.exact) if b in single})
        for where in ([id(at)] if at is not None else self.writes.get(name, [])):
            if where in self.memory:   # (a name not read after the write needs no care)
                found |= _certainly_same_at(self.memory[where], name) & self.live.get(where, set())
        return found


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
    maybe: Set[Tuple[str, str]] = set()
    augmented: Set[str] = set()
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
        else:                                           # (a number's: `x` becomes a new object)
            augmented.update(astutil.names_stored(node.targets))
        for target in astutil.names_stored(node.targets):   # `z = g(y)` may return y itself
            maybe.update((target, argument) for argument in user_call_arguments(node))
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
    writes: Dict[str, List[int]] = {}
    for node in astutil.walk(function.body):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Subscript) \
                and isinstance(node.targets[0].value, gast.Name):
            writes.setdefault(node.targets[0].value.id, []).append(id(node))
    return Sharing(exact=exact, view=view, assignments=counts, holds=holds,
                   function=function, writes=writes, augmented=augmented, returned=maybe)


def user_call_arguments(stmt: Any) -> List[str]:
    """The names whose arrays a call of the user's own function is passed (`z = g(y, k=w)`,
    `g([y, w])`, not `g(y * 2.0)`), which it may return as they are: its code is not looked
    into here."""
    from ..transforms import calls

    value = stmt.value
    if not isinstance(value, gast.Call) or not (calls.called_function(stmt)
                                                or calls.is_dynamic(stmt)):
        return []
    arguments = list(value.args) + [keyword.value for keyword in value.keywords]
    return sorted({name for argument in arguments for name, _ in _sources(argument)})


def returned_names(value: Any, resolve: Optional[Callable[[Any], Any]] = None) -> Set[str]:
    """The names whose memory the expression `value` may return. In code whose calls are not
    resolved (a derivative rule's inlined template), `resolve` finds what a call's function
    expression refers to (None: unknown, then an attribute call counts as a method)."""
    return {name for name, _ in _sources(value, resolve)}


def _sources(value: Any, resolve: Optional[Callable[[Any], Any]] = None
             ) -> List[Tuple[str, bool]]:
    """(name, exact) for every name whose memory `value` may return."""
    def parts(node: Any) -> List[Tuple[str, bool]]:
        return [(name, False) for name, _ in _sources(node, resolve)]

    if isinstance(value, gast.Name):
        return [(value.id, True)]
    if isinstance(value, gast.IfExp):
        return parts(value.body) + parts(value.orelse)
    if isinstance(value, gast.Subscript) or (
            isinstance(value, gast.Attribute) and value.attr in _VIEW_ATTRIBUTES):
        return parts(value.value)
    if isinstance(value, (gast.List, gast.Tuple, gast.Set)):
        return [found for element in value.elts for found in parts(element)]
    if isinstance(value, gast.Dict):
        return [found for element in value.values for found in parts(element)]
    if isinstance(value, gast.Starred):
        return parts(value.value)
    if isinstance(value, gast.Call):
        if resolve is None:
            fn = anno.get(value, anno.Key.RESOLVED, None)
            method = anno.get(value, anno.Key.METHOD, None)
        else:
            fn = resolve(value.func)
            method = value.func.attr if fn is None and isinstance(value.func, gast.Attribute) \
                else None
        if any(fn is view for view in _VIEW_FUNCTIONS) and value.args:
            return parts(value.args[0])
        if fn is builtins.enumerate or fn is builtins.zip or fn is builtins.reversed:
            return [found for arg in value.args for found in parts(arg)]
        if method in _VIEW_METHODS:
            return parts(value.func.value)
    return []


# ---- liveness ---------------------------------------------------------------------------------


def live_after(body: List[Any], reads: Callable[[Any], Set[str]] = astutil.names_loaded,
               popped_values: bool = False) -> Dict[int, Set[str]]:
    """For each statement (by `id`), the names that may be read after it runs (by `reads`:
    every name a node loads, or `values_read`). With `popped_values`, `v = s.pop()` reads `s`
    only where `v` is read afterwards (what is read of a stack is the values popped from it)."""
    result: Dict[int, Set[str]] = {}
    if popped_values:
        def reading(node: Any, live: Set[str] = frozenset()) -> Set[str]:
            found = reads(node)
            popped = _popped_into(node)
            return found - {popped[0]} if popped is not None and popped[1] not in live \
                else found
        reading.follows_pops = True          # type: ignore[attr-defined]
        _block(body, set(), result, _Loop(set(), set()), reading)
    else:
        _block(body, set(), result, _Loop(set(), set()), reads)
    return result


def _popped_into(node: Any) -> Optional[Tuple[str, str]]:
    """(stack, name) of `name = stack.pop()`."""
    if isinstance(node, gast.Assign) and len(node.targets) == 1 \
            and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call) \
            and isinstance(node.value.func, gast.Attribute) and node.value.func.attr == "pop" \
            and not node.value.args and isinstance(node.value.func.value, gast.Name):
        return node.value.func.value.id, node.targets[0].id
    return None


# Reading these of an array tells nothing of its elements, which a write changes.
_SHAPE_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}
_SHAPE_ARGUMENTS = (   # (function, the position of the argument it reads only the shape of)
    (np.shape, 0), (np.size, 0), (np.ndim, 0), (builtins.len, 0), (np.zeros_like, 0),
    (np.ones_like, 0),
    (np.empty_like, 0), (runtime.shape_of, 0), (runtime.zeros_like, 0),
    (runtime.scalar_seed, 0), (runtime.broadcast_like, 1), (runtime.unbroadcast, 1),
    (runtime.owned, 1), (runtime.index_adjoint, 1), (runtime.expand_reduced, 1),
    # (the adjoints of building an array from pieces ask the pieces for their shapes only)
    (containers.unstack, 1), (containers.unconcatenate, 1), (containers.vstack_adjoint, 1),
    (containers.hstack_adjoint, 1), (containers.dstack_adjoint, 1), (containers.sum_adjoint, 1),
    (containers.array_adjoint, 1))


def values_read(node: Any, helpers: Optional[Dict[str, Any]] = None,
                quiet: FrozenSet[str] = frozenset()) -> Set[str]:
    """The names whose values (elements) `node` reads: those it loads, except where only their
    shape, size or dtype is asked for (`x.shape`, `np.size(x)`, `broadcast_like(g, x)`), or
    where `node` pushes them on one of the stacks `quiet` (see `shape_only_stacks`).
    `helpers` names the objects calls of code being generated reach by name (not resolved
    yet)."""
    shape_only: Set[int] = set()
    pushed = _pushed_on(node)
    if pushed is not None:              # appending reads none of the list's entries
        shape_only.add(id(node.value.func.value))
        if pushed[0] in quiet:
            shape_only.add(id(pushed[1]))
    if isinstance(node, gast.Assign):         # writing into `x[i]` reads none of x's values
        shape_only.update(id(target.value) for target in node.targets
                          if isinstance(target, gast.Subscript)
                          and isinstance(target.value, gast.Name))
    if quiet and isinstance(node, gast.Assign) and isinstance(node.value, gast.Call) \
            and isinstance(node.value.func, gast.Attribute) and node.value.func.attr == "pop" \
            and isinstance(node.value.func.value, gast.Name) \
            and node.value.func.value.id in quiet:
        shape_only.add(id(node.value.func.value))     # (what it pops is not read)
    for sub in astutil.walk(node):
        if isinstance(sub, gast.Attribute) and sub.attr in _SHAPE_ATTRIBUTES:
            shape_only.add(id(sub.value))
        elif isinstance(sub, gast.Call):
            fn = anno.get(sub, anno.Key.RESOLVED, None)
            if fn is None and helpers and isinstance(sub.func, gast.Name):
                fn = helpers.get(sub.func.id)
            shape_only.update(id(sub.args[position]) for known, position in _SHAPE_ARGUMENTS
                              if fn is known and position < len(sub.args))
    return {sub.id for sub in astutil.walk(node) if isinstance(sub, gast.Name)
            and isinstance(sub.ctx, gast.Load) and id(sub) not in shape_only}


def _pushed_on(node: Any) -> Optional[Tuple[str, Any]]:
    """(stack, the pushed name node) of a statement `stack.append(name)`."""
    if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
            and isinstance(node.value.func, gast.Attribute) and node.value.func.attr == "append" \
            and isinstance(node.value.func.value, gast.Name) and len(node.value.args) == 1 \
            and isinstance(node.value.args[0], gast.Name) and not node.value.keywords:
        return node.value.func.value.id, node.value.args[0]
    return None


def shape_only_stacks(body: List[Any]) -> FrozenSet[str]:
    """Lists used only as stacks (`s = []`, `s.append(v)`, `v = s.pop()`, `len(s)`) whose popped
    values nothing reads afterwards but for their shape (`zeros_like(v)`): a value pushed there
    is not read. (Derivative code records values so; the derivative of that code need not care.)
    """
    uses: Dict[str, int] = collections.Counter()
    allowed: Dict[str, int] = collections.Counter()
    pops: List[Tuple[str, str, Any]] = []       # (stack, the name popped into, the statement)
    for node in astutil.walk(body):
        if isinstance(node, gast.Name):
            uses[node.id] += 1
        pushed = _pushed_on(node)
        if pushed is not None:
            allowed[pushed[0]] += 1
        if isinstance(node, gast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], gast.Name):
            value = node.value
            if isinstance(value, gast.List) and not value.elts:
                allowed[node.targets[0].id] += 1
            elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
                    and value.func.attr == "pop" and not value.args \
                    and isinstance(value.func.value, gast.Name):
                allowed[value.func.value.id] += 1
                pops.append((value.func.value.id, node.targets[0].id, node))
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
                and node.func.id == "len" and len(node.args) == 1 \
                and isinstance(node.args[0], gast.Name):
            allowed[node.args[0].id] += 1
    stacks = frozenset(stack for stack, _, _ in pops if uses[stack] == allowed[stack])
    while stacks:       # (a value popped from one goes on another: read if that one's are)
        quiet = stacks
        live = live_after(body, lambda node: values_read(node, quiet=quiet))
        stacks = frozenset(stack for stack in stacks if not any(
            name in live.get(id(stmt), {name}) for popped_from, name, stmt in pops
            if popped_from == stack))
        if stacks == quiet:
            break
    return stacks


@dataclasses.dataclass
class _Loop:
    exit: Set[str]     # live after the loop (where `break` goes)
    head: Set[str]     # live at the top of the next iteration (where `continue` goes)


def _block(statements: List[Any], live: Set[str], result: Dict[int, Set[str]],
           loop: _Loop, reads: Callable[[Any], Set[str]]) -> Set[str]:
    live = set(live)
    for stmt in reversed(statements):
        live = _statement(stmt, live, result, loop, reads)
    return live


def _statement(stmt: Any, live: Set[str], result: Dict[int, Set[str]], loop: _Loop,
               reads: Callable[[Any], Set[str]]) -> Set[str]:
    if isinstance(stmt, (gast.If, gast.For, gast.While)):
        result[id(stmt)] = set(live)
    if isinstance(stmt, gast.If):
        return reads(stmt.test) | _block(stmt.body, live, result, loop, reads) \
            | _block(stmt.orelse, live, result, loop, reads)
    if isinstance(stmt, (gast.For, gast.While)):
        header = stmt.iter if isinstance(stmt, gast.For) else stmt.test
        inner = _Loop(exit=set(live), head=set(live) | reads(header))
        while True:   # the body's entry feeds the next iteration: iterate to a fixed point
            entry = _block(stmt.body, inner.head, result, inner, reads)
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
        return reads(stmt)
    if isinstance(stmt, gast.Assign):
        read = reads(stmt, live) if getattr(reads, "follows_pops", False) else reads(stmt)
        return (live - astutil.names_stored(stmt.targets)) | read
    return live | reads(stmt)


# ---- flow-sensitive sharing -------------------------------------------------------------------
#
# `sharing` above holds for the whole function. At a given statement fewer names may share:
# `y_stack.append(y); y = y + w` leaves the stack holding the old array, not the new one, and a
# name bound only in the other branch of an `if` holds nothing yet. `memory_at` follows the
# program: each name points to the abstract objects whose memory its value may reach. An object
# is the statement that made it (or a parameter), in two versions ("recency"): the one its last
# run made, and every older one. Re-running a statement turns its newest object into an older
# one, so two runs of a statement in a loop are told apart.
#
# The `if is_array(x):` that `x op= y` becomes (`transforms.inplace`) is followed path by path:
# its `else` knows `x`'s object is a number, which no write can change, and a later test of the
# same object takes the same branch. So the analysis keeps one state per combination of such
# facts (a handful at most), each also recording what every `t = is_array(x)` tested.
#
# So is a flag that several `if`s test: `if returning:` after a loop that may `return`, and again
# where the derivative code replays that decision (`c = x > 0; if c: ...` then, in the adjoint,
# `if c: ...`). Its value is known in each branch until it is assigned again, so the second test
# takes the branch the first one took: a name bound in the other branch reaches nothing there.

_Object = Tuple[str, bool]                 # (where it was made, made by the newest run)
_State = Dict[str, FrozenSet[_Object]]     # name: objects; also the facts under `?` keys
# (facts are kept under `?!` keys, which no `?` + name can be: that holds what `name = is_array(x)`
# tested)
_NUMBERS, _ARRAYS = "?!numbers", "?!arrays"  # objects known to be numbers, known to be arrays
#
# A list changed in place (`L.append(v)`, `L.pop()`) changes for the names that are its object or
# hold it, not for those that only share its entries: `W = L[1:]` is a new list. So the states
# also follow, under `?=` + name, the objects a name may *be* (its identity; by default, all it
# reaches), and, for the lists the function uses only as stacks (`private_stacks`: the
# derivative code's records), which names' objects each may hold, under `?~` + name: the stacks
# that may hold the object `name` is now. A name bound anew leaves them (`W = W_item` after
# `W_stack.append(W)`); a value popped from a stack no push gave the same object twice
# (`?!twice` lists those that may hold one twice) is no longer in it.
_IS, _HELD_BY = "?=", "?~"
_TWICE = "?!twice"
_TRUE, _FALSE = "?!true", "?!false"          # flags (names, not objects) known true, known false
_FLAG_FACTS = (_TRUE, _FALSE)
_MOST_PATHS = 16


def memory_at(function: Any, stacks: Optional[Dict[str, Set[str]]] = None
              ) -> Dict[int, List[_State]]:
    """For each simple statement (by `id`), the objects each name may reach before it runs,
    one state per combination of known facts (`stacks`: `private_stacks` of the function,
    found here if not given)."""
    result: Dict[int, List[_State]] = {}
    start = {name: frozenset({(f"parameter {name}", True)})
             for name in astutil.names_stored(function.args)}
    flags = _flags(function.body)
    tested_later = live_after(function.body, lambda node: {node.id} if isinstance(
        node, gast.Name) and node.id in flags else set()) if flags else {}
    flow = _Flow(result, flags, tested_later)
    flow.stacks = private_stacks(function.body) if stacks is None else stacks
    flow.block(function.body, [start])
    return result


def private_stacks(body: List[Any], walked: FrozenSet[int] = frozenset()
                   ) -> Dict[str, Set[str]]:
    """Lists used only as stacks (`s = []`, `s.append(v)`, `v = s.pop()`, `len(s)`), each with
    the objects its `s = []` statements make (see `_Object`): their own object goes nowhere
    else, so nothing holds it and no entry of theirs is it. `walked`: the ids of `reversed(s)`
    calls that count as uses too (a loop walking a stack backwards; see `inplace`: not for the
    memory facts, which take the entries of such a stack as still held)."""
    uses: Dict[str, int] = collections.Counter()
    allowed: Dict[str, int] = collections.Counter()
    made: Dict[str, Set[str]] = {}
    for node in astutil.walk(body):
        if isinstance(node, gast.Name):
            uses[node.id] += 1
        if id(node) in walked and isinstance(node, gast.Call) and len(node.args) == 1 \
                and isinstance(node.args[0], gast.Name):
            allowed[node.args[0].id] += 1
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and node.func.attr in ("append", "pop") and isinstance(node.func.value, gast.Name) \
                and len(node.args) == (node.func.attr == "append") and not node.keywords:
            allowed[node.func.value.id] += 1
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
                and node.func.id == "len" and len(node.args) == 1 \
                and isinstance(node.args[0], gast.Name):
            allowed[node.args[0].id] += 1
        elif isinstance(node, gast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.List) \
                and not node.value.elts:
            allowed[node.targets[0].id] += 1
            made.setdefault(node.targets[0].id, set()).add(f"line {id(node)}")
    return {name: lines for name, lines in made.items() if uses[name] == allowed[name]}


def _flags(body: List[Any]) -> FrozenSet[str]:
    """The names more than one `if` tests directly (`if c:`)."""
    tested = collections.Counter(n.test.id for n in astutil.walk(body)
                                 if isinstance(n, gast.If) and isinstance(n.test, gast.Name))
    return frozenset(name for name, count in tested.items() if count > 1)


def may_share_at(states: List[_State], name: str) -> Set[str]:
    """The names that may reach memory `name` reaches, in `states` (from `memory_at`)."""
    found: Set[str] = set()
    for state in states:
        mine = state.get(name, frozenset()) - state.get(_NUMBERS, frozenset())
        found |= {other for other, objects in _named(state) if objects & mine}
    return found


def may_hold_at(states: List[_State], name: str, stacks: Dict[str, Set[str]]) -> Set[str]:
    """The names that may be the list `name` is, or hold it, in `states` (from `memory_at`):
    those whose change in place (`append`, `pop`) they would see. (A stack among `stacks`
    counts only where it may hold that very object.)"""
    found: Set[str] = set()
    for state in states:
        mine = _identity(state, name) - state.get(_NUMBERS, frozenset())
        held = state.get(_HELD_BY + name, frozenset())
        found |= {other for other, objects in _named(state)
                  if (other in held if other in stacks else objects & mine)}
    return found


def _identity(state: _State, name: str) -> FrozenSet[_Object]:
    """The objects `name` may be (all it reaches, unless the flow knows better)."""
    known = state.get(_IS + name)
    return known if known is not None else state.get(name, frozenset())


def _certainly_same_at(states: List[_State], name: str) -> Set[str]:
    """The names holding the very object `name` holds in every one of `states`: one object made
    by the newest run of its statement (or a parameter), and nothing else, in both. A state in
    which `name` holds a number (the `else` of `if is_array(x)`) has no say: nothing writes
    into numbers."""
    found: Optional[Set[str]] = None
    for state in states:
        mine = state.get(name, frozenset())
        if mine and mine <= state.get(_NUMBERS, frozenset()):
            continue
        same = {name} if len(mine) != 1 or not next(iter(mine))[1] else \
            {other for other, objects in _named(state) if objects == mine}
        found = same if found is None else found & same
    return found or {name}


def _named(state: _State) -> List[Tuple[str, FrozenSet[_Object]]]:
    return [(name, objects) for name, objects in state.items() if not name.startswith("?")]


def _union(a: _State, b: _State) -> _State:
    joined = {key: a.get(key, frozenset()) | b.get(key, frozenset()) for key in set(a) | set(b)}
    for key in joined:     # (a name's identity, where one side does not know it: all it reaches)
        if key.startswith(_IS):
            joined[key] = _identity(a, key[len(_IS):]) | _identity(b, key[len(_IS):])
    return joined


def _join(*flows: List[_State]) -> List[_State]:
    """States with the same facts merged; with too many, one state without facts."""
    merged: Dict[Any, _State] = {}
    for state in (state for flow in flows for state in flow):
        facts = tuple(state.get(key, frozenset()) for key in (_NUMBERS, _ARRAYS) + _FLAG_FACTS)
        merged[facts] = _union(merged[facts], state) if facts in merged else state
    if len(merged) > _MOST_PATHS and any(state.get(k) for state in merged.values()
                                         for k in _FLAG_FACTS):
        # too many: forget the flags first (each state then keeps its is_array facts)
        return _without_flags(list(merged.values()))
    if len(merged) > _MOST_PATHS:
        everything: _State = {}
        for state in merged.values():
            everything = _union(everything, state)
        everything.pop(_NUMBERS, None)
        everything.pop(_ARRAYS, None)
        return [everything]
    return list(merged.values())


def _same(a: List[_State], b: List[_State]) -> bool:
    def key(flow: List[_State]) -> FrozenSet[Any]:
        return frozenset(frozenset(state.items()) for state in flow)
    return key(a) == key(b)


class _Flow:
    """Forward data flow over structured code; an empty list is the state of unreachable
    code."""

    def __init__(self, result: Dict[int, List[_State]], flags: FrozenSet[str] = frozenset(),
                 tested_later: Optional[Dict[int, Set[str]]] = None):
        self.result = result
        self.flags = flags          # names whose value the states follow (`_flags`)
        self.tested_later = tested_later or {}   # statement: flags an `if` may test after it
        self.exits: List[List[_State]] = []     # per enclosing loop: states at `break`
        self.heads: List[List[_State]] = []     # per enclosing loop: states at `continue`
        self.stacks: Dict[str, Set[str]] = {}    # see `private_stacks`

    def block(self, statements: List[Any], flow: List[_State]) -> List[_State]:
        for stmt in statements:
            flow = self.statement(stmt, flow)
        return flow

    def statement(self, stmt: Any, flow: List[_State]) -> List[_State]:
        flow = self.step(stmt, flow)
        if self.flags and len(flow) > 1:   # a fact no later test asks for splits for nothing
            later = self.tested_later.get(id(stmt), set())
            flow = _join([{k: v & later if k in _FLAG_FACTS else v for k, v in state.items()}
                          for state in flow])
        return flow

    def step(self, stmt: Any, flow: List[_State]) -> List[_State]:
        if not flow:
            return flow
        if isinstance(stmt, gast.If):
            taken = [_split(stmt.test, state, self.flags) for state in flow]
            return _join(self.block(stmt.body, [yes for yes, _ in taken if yes is not None]),
                         self.block(stmt.orelse, [no for _, no in taken if no is not None]))
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, flow)
        self.result[id(stmt)] = flow
        if isinstance(stmt, gast.Break):
            self.exits[-1] = _join(self.exits[-1], flow)
            return []
        if isinstance(stmt, gast.Continue):
            self.heads[-1] = _join(self.heads[-1], flow)
            return []
        if isinstance(stmt, gast.Return):
            return []
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
                and isinstance(stmt.targets[0].value, gast.Name):
            # `x[i] = v` goes on only where `x` may be an array: a number would raise
            name = stmt.targets[0].value.id
            flow = [state for state in flow if not state.get(name, frozenset())
                    or not state[name] <= state.get(_NUMBERS, frozenset())]
        if isinstance(stmt, gast.Assign):
            return [_set_flags(stmt, _assign(stmt, state, self.stacks), self.flags)
                    for state in flow]
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                and anno.get(stmt.value, anno.Key.METHOD, None) == "append" \
                and isinstance(stmt.value.func.value, gast.Name):
            return [_append(stmt.value.func.value.id, stmt.value.args, state, self.stacks)
                    for state in flow]
        return flow

    def loop(self, stmt: Any, flow: List[_State]) -> List[_State]:
        # (the states at the top of an iteration know no flags: what one iteration sets, the
        # next may change, and facts that come and go would keep the iteration from settling)
        head = _without_flags(flow)
        while True:
            self.exits.append([])
            self.heads.append([])
            entry = head
            if isinstance(stmt, gast.For):
                entry = [_bound(state, astutil.names_stored(stmt.target),
                                _reached([stmt.iter], state), self.stacks) for state in head]
            end = self.block(stmt.body, entry)
            exits, continued = self.exits.pop(), self.heads.pop()
            new_head = _without_flags(_join(head, end, continued))
            if _same(new_head, head):
                return _join(head, exits)
            head = new_head


def _bound(state: _State, targets: Set[str], reached: FrozenSet[_Object],
           stacks: Dict[str, Set[str]]) -> _State:
    """`state` with each of `targets` bound to (a part of) a value reaching `reached`: it may be
    any of those objects, and held by any stack holding one of them."""
    state = dict(state)
    for target in targets:
        state[target] = reached
        state.pop(_IS + target, None)
        state[_HELD_BY + target] = _holding(state, reached, stacks)
    return state


def _holding(state: _State, objects: FrozenSet[_Object], stacks: Dict[str, Set[str]],
             but: str = "") -> FrozenSet[str]:
    """The stacks (other than `but`) whose entries may reach one of `objects`."""
    return frozenset(stack for stack, own in stacks.items() if stack != but and any(
        o[0] not in own for o in state.get(stack, frozenset()) & objects))


def _assign(stmt: gast.Assign, state: _State,
            stacks: Optional[Dict[str, Set[str]]] = None) -> _State:
    made = (f"line {id(stmt)}", True)
    targets = astutil.names_stored(stmt.targets)
    unpacked = not isinstance(stmt.targets[0], gast.Name)
    # `a, b = h(x)`: each part its own object (as any call's result is)
    parts = {(f"{made[0]} {t}", True) for t in targets} if unpacked else set()
    newest = {made} | parts
    state = dict(state)
    state.update({key: (objects - newest) | {(where, False) for where, _ in objects & newest}
                  for key, objects in state.items() if objects & newest})
    for facts in (_NUMBERS, _ARRAYS):       # nothing is known of older objects as a whole
        if facts in state:
            state[facts] = frozenset(o for o in state[facts] if o[1] or o[0] != made[0]
                                     and not o[0].startswith(made[0] + " "))
    value = stmt.value
    reached = _reached([value], state)
    if not isinstance(value, gast.Name):
        reached = reached | {made}
    for argument in user_call_arguments(stmt):     # (it may return an argument as it is)
        reached = reached | state.get(argument, frozenset())
    stacks = stacks or {}
    if anno.get(stmt, anno.Key.AUGMENTED, False):     # an array keeps its identity
        name = stmt.targets[0].id
        before = _identity(state, name)
        state[name] = state.get(name, frozenset()) | reached
        state[_IS + name] = before | reached
        state[_HELD_BY + name] = state.get(_HELD_BY + name, frozenset()) | _holding(
            state, reached, stacks)
        return state
    for target in targets:
        state.pop("?" + target, None)
    if unpacked:
        for target in targets:
            state = _bound(state, {target}, (reached - {made}) | {(f"{made[0]} {target}", True)},
                           stacks)
    else:
        state = _bound_value(stmt, state, reached, made, stacks)
    tested = _tested(value, state)
    if tested is not None and len(targets) == 1:      # `t = is_array(x)`: remember x's objects
        state["?" + next(iter(targets))] = tested
    return state


def _bound_value(stmt: gast.Assign, state: _State, reached: FrozenSet[_Object],
                 made: _Object, stacks: Dict[str, Set[str]]) -> _State:
    """`state` after `name = value` (one name): what it reaches, what it is, which stacks may
    hold it."""
    name, value = stmt.targets[0].id, stmt.value
    popped = _popped_into(stmt)
    if name in stacks:          # a stack made anew holds nothing
        state = {key: (objects - {name} if key.startswith(_HELD_BY) or key == _TWICE
                       else objects) for key, objects in state.items()}
    if isinstance(value, gast.Name):
        identity = _identity(state, value.id)
        held = state.get(_HELD_BY + value.id, frozenset())
    elif popped is not None and popped[0] in stacks:     # an entry, never the stack itself
        stack = popped[0]
        identity = frozenset(o for o in reached if o[0] not in stacks[stack])
        reached = identity
        # (no longer in that stack, unless a push may have given it the same object twice)
        held = _holding(state, identity - {made}, stacks, but=stack) | (
            {stack} & state.get(_TWICE, frozenset()))
    elif isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        identity = frozenset({made})        # a slice of a list is a new list
        held = frozenset()
    else:
        identity = reached
        held = _holding(state, reached - {made}, stacks)
    state[name] = reached
    state[_IS + name] = identity
    state[_HELD_BY + name] = held
    return state


def _without_flags(flow: List[_State]) -> List[_State]:
    if not any(state.get(key) for state in flow for key in _FLAG_FACTS):
        return flow
    return _join([{k: v for k, v in state.items() if k not in _FLAG_FACTS} for state in flow])


def _set_flags(stmt: gast.Assign, state: _State, flags: FrozenSet[str]) -> _State:
    """What the assignment `stmt` makes known of the flags it binds: `returning = True` that
    it is true, anything else nothing."""
    bound = astutil.names_stored(stmt.targets) & flags
    if not bound:
        return state
    for key in _FLAG_FACTS:
        if state.get(key, frozenset()) & bound:
            state[key] = state[key] - bound
    value = stmt.value
    if isinstance(value, gast.Constant) and isinstance(value.value, bool) and \
            isinstance(stmt.targets[0], gast.Name):
        key = _TRUE if value.value else _FALSE
        state[key] = state.get(key, frozenset()) | bound
    return state


def _append(container: str, values: List[Any], state: _State,
            stacks: Optional[Dict[str, Set[str]]] = None) -> _State:
    """`L.append(v)`: whatever holds `L` now reaches `v`'s memory too; a stack that is `L` or
    may hold it (at any depth) now may hold the object of every name that may be `v` or be
    inside it."""
    added = _reached(values, state)
    holder = state.get(container, frozenset())
    new = {key: objects | added if objects & holder and not key.startswith("?") else objects
           for key, objects in state.items()}
    if not stacks:
        return new
    if container in stacks:     # the same object pushed again: popping it leaves one behind
        entries = frozenset(o for o in holder if o[0] not in stacks[container])
        if any(container in state.get(_HELD_BY + v.id, frozenset()) if isinstance(v, gast.Name)
               else _reached([v], state) & entries for v in values):
            new[_TWICE] = new.get(_TWICE, frozenset()) | {container}
    receiving = frozenset({container} & set(stacks)) | state.get(_HELD_BY + container,
                                                                 frozenset())
    if receiving:
        for other, _ in _named(state):
            if _identity(state, other) & added:
                new[_HELD_BY + other] = new.get(_HELD_BY + other, frozenset()) | receiving
    return new


def _tested(test: Any, state: _State) -> Optional[FrozenSet[_Object]]:
    """The objects an `is_array(x)` test (or a name bound to one) looks at, if known."""
    if isinstance(test, gast.Name):
        return state.get("?" + test.id)
    if isinstance(test, gast.Call) and anno.get(test, anno.Key.RESOLVED, None) is \
            runtime.is_array and len(test.args) == 1 and isinstance(test.args[0], gast.Name):
        return state.get(test.args[0].id, frozenset())
    return None


def _split(test: Any, state: _State, flags: FrozenSet[str] = frozenset()
           ) -> Tuple[Optional[_State], Optional[_State]]:
    """The states in which an `if` runs its body and its `else` (None: cannot)."""
    tested = _tested(test, state)
    if tested is None and isinstance(test, gast.Name) and test.id in flags:
        known_true, known_false = state.get(_TRUE, frozenset()), state.get(_FALSE, frozenset())
        if test.id in known_true:
            return state, None
        if test.id in known_false:
            return None, state
        return (dict(state, **{_TRUE: known_true | {test.id}}),
                dict(state, **{_FALSE: known_false | {test.id}}))
    if tested is None or len(tested) != 1 or not next(iter(tested))[1]:
        return state, state
    tested_object = next(iter(tested))
    numbers, arrays = state.get(_NUMBERS, frozenset()), state.get(_ARRAYS, frozenset())
    if tested_object in numbers:
        return None, state
    if tested_object in arrays:
        return state, None
    yes = dict(state, **{_ARRAYS: arrays | {tested_object}})
    no = dict(state, **{_NUMBERS: numbers | {tested_object}})   # nothing writes into numbers
    return yes, no


def _reached(values: List[Any], state: _State) -> FrozenSet[_Object]:
    """The objects the results of `values` may reach (through the names `_sources` finds)."""
    return frozenset(o for value in values for name, _ in _sources(value)
                     for o in state.get(name, frozenset()))
