"""In-place updates with NumPy's aliasing semantics: `x += y` and writes `x[i] = v`.

Needs: desugared code with structured jumps (`x op= y` desugared to a marked `x = x op y`).
Guarantees:
- `x op= y` stays a rebinding `x = x op y` when no other name that may share `x`'s memory is
  read afterwards: then nobody can tell the two apart. Otherwise it becomes what NumPy does,
  decided at run time, since only then is it known whether `x` is an array:
  `if is_array(x): x[...] = x op y else: x = x op y`;
- a write `x[i] = v` (or `x[...] = ...` from above) is accepted when every other name that may
  share `x`'s memory and is read afterwards is certainly the same object as `x` (`y = x`, both
  assigned once): the reverse sweep then treats them as one array (see `transforms.reverse`).
  A view that is still read (`v = x[0]; x[0, 1] = 2.0; ... v ...`) would see the write; that is
  refused with a located error asking for an explicit `.copy()`.
"""

from __future__ import annotations

from typing import Any, FrozenSet, List, Set

import gast

from .. import anno, astutil, runtime
from ..analysis import aliases, containers
from ..errors import UnsupportedSyntaxError
from ..frontend.source import FunctionSource
from ..naming import Namer


def transform(src: FunctionSource, namer: Namer, forward_mode: bool = False) -> None:
    """Rewrite augmented assignments that must update arrays in place; check every write.

    In forward mode a write into an array a stack of the code may hold is let through: the
    tangent code pushes and pops the tangents as the code does its values (`dy_stack.append(dy)`
    beside `y_stack.append(y)`), so the tangent written into is held where the array is."""
    if not any(_is_write(n) or anno.get(n, anno.Key.AUGMENTED, False)
               or _changed_list(n) is not None for n in astutil.walk(src.node.body)):
        return
    checks = _Checks(src, aliases.sharing(src.node), containers.display_names(src.node), namer)
    if forward_mode:
        stacks = aliases.private_stacks(src.node.body, _walked_backwards(src.node.body))
        checks.mirrored = _stacks_of_names(src.node.body, set(stacks))
    src.node.body = _block(src.node.body, checks, namer)


def _walked_backwards(body: List[Any]) -> FrozenSet[int]:
    """The ids of the `reversed(s)` calls a loop walks (`for v in reversed(s)`, `for v, w in
    zip(reversed(s), ...)`, how a derivative reads its records back): the tangent code walks
    the tangents' stacks alike, so in forward mode such a stack mirrors its tangents' too."""
    found = set()
    for loop in astutil.walk(body):
        if not isinstance(loop, gast.For):
            continue
        walked = loop.iter.args if isinstance(loop.iter, gast.Call) and isinstance(
            loop.iter.func, gast.Name) and loop.iter.func.id == "zip" else [loop.iter]
        for call in walked:
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and \
                    call.func.id == "reversed" and len(call.args) == 1 and not call.keywords:
                found.add(id(call))
    return frozenset(found)


def _stacks_of_names(body: List[Any], stacks: Set[str]) -> Set[str]:
    """The `stacks` (lists used only as stacks) that get only values of names, or new values
    (`s.append(y)`, `s.append(shape_of(y))`): whose tangents the tangent code pushes alike."""
    for node in astutil.walk(body):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and node.func.attr == "append" and isinstance(node.func.value, gast.Name) \
                and node.func.value.id in stacks \
                and not all(isinstance(arg, (gast.Name, gast.Call)) for arg in node.args):
            stacks = stacks - {node.func.value.id}
    return stacks


def _changed_list(stmt: Any) -> Any:
    """The list `L` that `L.append(v)` or `[v =] L.pop()` changes, else None."""
    call = stmt.value if isinstance(stmt, (gast.Expr, gast.Assign)) else None
    if isinstance(call, gast.Call) and anno.get(call, anno.Key.METHOD, None) in ("append", "pop") \
            and isinstance(call.func.value, gast.Name):
        return call.func.value.id
    return None


def _is_write(node: Any) -> bool:
    return isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Subscript)


def _block(statements: List[Any], checks: "_Checks", namer: Namer) -> List[Any]:
    out: List[Any] = []
    for stmt in statements:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _block(getattr(stmt, field), checks, namer))
        flags: List[Any] = []
        if _is_write(stmt):     # (replacing an entry of a list changes the list, not an array)
            name = stmt.targets[0].value.id
            flags = checks.write(stmt, name, lists=name in checks.containers)
        elif _changed_list(stmt) is not None:     # L.append(v), L.pop(): L changes in place
            flags = checks.write(stmt, _changed_list(stmt), lists=True)
        elif anno.get(stmt, anno.Key.AUGMENTED, False):
            name = stmt.targets[0].id
            if checks.others(stmt, name, checks.sharing.group(name) - {name}):
                stmt = _in_place(stmt, name, namer, checks.write(stmt, name))
        if flags:       # (the adjoint of the write reads them: see reverse.maybe_same_adjoints)
            anno.set(stmt, anno.Key.SAME_AS, flags)
            out += flags
        out.append(stmt)
    return out


class _Checks:
    """Which names a write at a statement would change besides the one written into."""

    def __init__(self, src: FunctionSource, sharing: aliases.Sharing, containers: Set[str],
                 namer: Namer):
        self.src, self.sharing, self.containers, self.namer = src, sharing, containers, namer
        self.mirrored: Set[str] = set()     # names whose sharing the tangents repeat

    def others(self, stmt: Any, name: str, candidates: Set[str], lists: bool = False
               ) -> Set[str]:
        """The `candidates` read after `stmt` that may share `name`'s memory right there: the
        function-wide links (`aliases.sharing`) narrowed by the program's flow (a name bound
        in the other branch, or an older array kept in a stack, shares nothing). Changing the
        elements of an array keeps its shape, so for an array (not `lists`) a name whose shape
        alone is read afterwards (`np.size(v)`, `broadcast_like(g, v)`) sees nothing."""
        state = self.sharing.memory.get(id(stmt))
        if state is None:
            here = candidates
        elif lists:     # (names that only share the list's entries do not see it change)
            here = aliases.may_hold_at(state, name, self.sharing.stacks)
        else:
            here = aliases.may_share_at(state, name)
        live = self.sharing.live if lists else self.sharing.values_live
        return candidates & here & live[id(stmt)]

    def write(self, stmt: Any, name: str, lists: bool = False) -> List[Any]:
        """Refuse a write into `name` that another live name would see. For a list's `append`
        or `pop` (`lists`), those are the containers holding the list; for an array, every
        name that may share its memory, except names certainly of the same object.

        A name that is either the very object `name` holds or another one (bound from `name`
        by plain copies, `z = y`, or by a call of the user's function, `z = g(y)`, where the
        flow leaves open which), and never a view of it or a container holding it, is asked at
        run time: the flag statements returned (`z_is_y = same_object(z, y)`, to go right
        before `stmt`) tell the adjoint whether the write reached `z`."""
        group = self.sharing.holders(name) if lists else self.sharing.group(name)
        others = self.others(stmt, name, group - self.sharing.same_object(name, stmt), lists) \
            - self.mirrored
        copies = self.sharing.copies(name)
        if any(a in copies and b in copies for a, b in self.sharing.view | self.sharing.holds):
            copies = set()      # (one of them may hold, or view, another: `y = [w]; y = w`)
        flags = [self.flag(stmt, other, name) for other in sorted(others & copies)]
        if not others - copies:
            return flags
        other = sorted(others - copies)[0]
        raise UnsupportedSyntaxError(
            f"this writes into `{name}` in place while `{other}` may share its memory (a view, "
            f"a copy of the name assigned more than once, or an element of a container) and is "
            f"read afterwards: NumPy would change `{other}` too, which s2sgrad does not "
            f"differentiate", self.src.location(stmt),
            f"make the copy explicit where `{other}` is taken (`... .copy()`), or write into a "
            "new array.")

    def flag(self, stmt: Any, other: str, name: str) -> gast.Assign:
        """`other_is_name = same_object(other, name)`, placed like `stmt`."""
        test = astutil.call(astutil.load(self.namer.alias(runtime.same_object, "same_object")),
                            [astutil.load(other), astutil.load(name)])
        anno.set(test, anno.Key.RESOLVED, runtime.same_object)
        flag = astutil.assign(self.namer.fresh(f"{other}_is_{name}"), test)
        for key in (anno.Key.ORIGIN, anno.Key.ORIGIN_TEXT):
            if anno.has(stmt, key):
                anno.set(flag, key, anno.get(stmt, key))
        gast.copy_location(flag, stmt)
        anno.set(flag, anno.Key.ASKS, True)
        return flag


def _in_place(stmt: gast.Assign, name: str, namer: Namer, flags: List[Any]) -> gast.If:
    """`x = x op y` (from `x op= y`) as NumPy runs it: in place when `x` is an array (after
    the `flags` asking which other names are `x`)."""
    write = gast.Assign(targets=[gast.Subscript(value=astutil.load(name), slice=astutil.constant(
        Ellipsis), ctx=gast.Store())], value=astutil.copy_node(stmt.value), type_comment=None)
    test = astutil.call(astutil.load(namer.alias(runtime.is_array, "is_array")),
                        [astutil.load(name)])
    anno.set(test, anno.Key.RESOLVED, runtime.is_array)
    branch = gast.If(test=test, body=flags + [write], orelse=[stmt])
    for new in (write, branch):
        anno.copy_all(stmt, new)
        gast.copy_location(new, stmt)
    anno.set(branch, anno.Key.AUGMENTED, False)
    anno.set(write, anno.Key.AUGMENTED, False)
    if flags:
        anno.set(write, anno.Key.SAME_AS, flags)
    return branch
