"""Which names a loop or branch overwrites, and which are temporaries of one loop iteration or
one run of a branch.

Needs: normalized code (or, for `compound_names`, any code).
Guarantees: plain facts about assignments, used by normalization and by the reverse sweep to
decide what must be recorded (see `transforms.reverse`). Nothing is rewritten here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Set, Tuple

import gast

from .. import astutil


def compound_names(statements: List[Any]) -> Set[str]:
    """Names assigned inside loops and branches (including loop targets)."""
    names: Set[str] = set()
    for stmt in statements:
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            names |= astutil.names_stored(stmt)
    return names


def overwritten_names(body: List[Any], params: Set[str]) -> Set[str]:
    """Names that may be assigned more than once in one run: in a loop, or twice on one path."""
    counts = _assignments_per_path(body)
    return {name for name, count in counts.items() if count + (name in params) > 1}


def _assignments_per_path(statements: List[Any]) -> Dict[str, float]:
    counts: Dict[str, float] = {}
    for stmt in statements:
        if isinstance(stmt, (gast.For, gast.While)):
            for name in astutil.names_stored(stmt):
                counts[name] = float("inf")
        elif isinstance(stmt, gast.If):
            body, orelse = _assignments_per_path(stmt.body), _assignments_per_path(stmt.orelse)
            for name in set(body) | set(orelse):
                counts[name] = counts.get(name, 0) + max(body.get(name, 0), orelse.get(name, 0))
        elif isinstance(stmt, gast.Assign):
            for name in astutil.names_stored(stmt.targets):
                counts[name] = counts.get(name, 0) + 1
    return counts


def iteration_locals(loop: Any, function_body: List[Any]) -> Set[str]:
    """Temporaries of one iteration: assigned once at the top of the loop body, and read only
    after that, at the top of the same body (never in a nested block, never outside the loop)."""
    return block_locals(loop.body, name_counts(function_body))


def branch_locals(branch: Any, counts: Tuple[Dict[str, int], Dict[str, int]]
                  ) -> Dict[str, Set[str]]:
    """Temporaries of one run of each part of an `if` ("body", "orelse"): assigned once at the
    top of it and read only after that, at the top of the same part (`counts`: `name_counts`
    of the function). Such a name holds nothing another run of the `if` (or code outside it)
    reads."""
    return {field: block_locals(getattr(branch, field), counts) for field in ("body", "orelse")}


def name_counts(function_body: List[Any]) -> Tuple[Dict[str, int], Dict[str, int]]:
    """(stores, loads) of each name in the function."""
    stores: Dict[str, int] = {}
    loads: Dict[str, int] = {}
    for node in astutil.walk(function_body):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
            elif isinstance(node.ctx, (gast.Store, gast.Param)):
                stores[node.id] = stores.get(node.id, 0) + 1
    return stores, loads


def block_locals(block: List[Any], counts: Tuple[Dict[str, int], Dict[str, int]]) -> Set[str]:
    """The names assigned once in the function, by a statement at the top of `block`, and read
    only after it, at the top of `block` (by `counts`: `name_counts` of the function)."""
    stores, loads_in_function = counts
    local: Set[str] = set()
    later: Dict[str, int] = {}       # loads at the top of `block` after the statement
    for stmt in reversed(block):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name = stmt.targets[0].id
            if stores.get(name) == 1 and later.get(name) and \
                    later[name] == loads_in_function.get(name, 0):
                local.add(name)
        if not isinstance(stmt, (gast.If, gast.For, gast.While)):
            for node in astutil.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                    later[node.id] = later.get(node.id, 0) + 1
    return local
