"""Objects that the functions a tape's block calls keep outside it.

The tape runs its block's code again to differentiate it (see `tape`). The block function
leaves out the block's own changes to objects made outside it (see `blocks`), but the functions
the block calls run again as written: they draw numbers from the random generators they read
(`randomness` puts those back at the states of the user's run) and append to the lists they
read, module-level or in a closure (`tape` removes the re-run's appends). Those objects are found
by the names the functions' code uses (globals and closure cells), to a few levels of calls.
"""

from __future__ import annotations

import types
from typing import Any, Dict, List, Set, Tuple

import gast

from .. import astutil

_DEPTH = 4


_REACHED: Dict[Tuple[int, type, bool], Tuple[Any, List[Any]]] = {}


def reached_by_calls(block: Any, entry: Dict[str, Any], global_names: Dict[str, Any],
                     wanted: type, library: bool = True) -> List[Any]:
    """The objects of type `wanted` that the functions the block calls (and the functions they
    call, to a few levels) read as globals or closure variables; found once per block. Without
    `library`, the functions of s2sgrad and NumPy are not looked into (their module-level lists
    are their own caches)."""
    key = (id(block), wanted, library)
    known = _REACHED.get(key)
    if known is None or known[0] is not block:
        found: List[Any] = []
        for node in astutil.walk(block.node.body):
            if isinstance(node, gast.Name):
                value = entry.get(node.id, global_names.get(node.id))
                _collect(value, wanted, library, _DEPTH, set(), found)
        known = _REACHED[key] = (block, found)
    return known[1]


def _collect(value: Any, wanted: type, library: bool, depth: int, seen: Set[int],
             found: List[Any]) -> None:
    if depth == 0 or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, types.MethodType):
        value = value.__func__
    if not isinstance(value, types.FunctionType):
        return
    if not library and (value.__module__ or "").split(".")[0] in ("s2sgrad", "numpy"):
        return
    cells = []
    for cell in value.__closure__ or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:
            continue
    for used in [value.__globals__.get(name) for name in value.__code__.co_names] + cells:
        if isinstance(used, wanted):
            if not any(used is f for f in found):
                found.append(used)
        else:
            _collect(used, wanted, library, depth - 1, seen, found)
