"""Which names hold containers (lists, tuples, dicts) of values, rather than arrays or numbers.

A container's adjoint is a container of adjoints (see `runtime.containers`), so the reverse sweep
must know, for every name, which kind it has: a read `t[i]` of a container adds to one entry of its
adjoint, a read of an array scatters into a zero array; contributions to a container's adjoint add
entry by entry.

A name may hold a container when it is a parameter called with one (`grad` specializes the
derivative on that: see `api.Derived.entry_for`), or is assigned a list, tuple or dict display, a
part of such a name (a slice, or an entry, which may be a container in turn), or a copy of one.
Flow-insensitive: a name is one kind everywhere.

Needs: normalized code.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Set

import gast

from .. import astutil


def container_names(statements: List[Any], parameters: Iterable[str]) -> Set[str]:
    names = set(parameters)
    assignments = [s for s in astutil.walk(statements)
                   if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
    while True:
        size = len(names)
        for stmt in assignments:
            if holds_container(stmt.value, names):
                names.add(stmt.targets[0].id)
        if len(names) == size:
            return names


def holds_container(value: Any, containers: Set[str]) -> bool:
    """Whether expression `value` (normalized: an operation over names) may be a container.

    An entry of a container may be one too (`params[0]` of a list of `(W, b)` pairs): entries
    count as containers, and the helpers that handle their adjoints also handle arrays and
    numbers (`runtime.containers`)."""
    if isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
        return not (isinstance(value, gast.Tuple) and astutil.is_static(value))
    if isinstance(value, gast.Name):
        return value.id in containers
    if isinstance(value, gast.Subscript):
        return isinstance(value.value, gast.Name) and value.value.id in containers
    return False
