"""Reading Variables in generated code, and collecting their adjoints (see
`transforms.free_values`).

`read_variable(v)` is the value of a Variable a function reads without taking it as an argument.
`accumulate_variable_adjoint(v, g)` adds `g` to v's adjoint in the innermost active collection
(`collected_adjoints()`, which a GradientTape opens around a backward pass); with none active,
it does nothing, so the same generated code serves `s2sgrad.grad` too.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List

_local = threading.local()


def read_variable(v: Any) -> Any:
    """The value of Variable `v`."""
    return v.value()


def accumulate_variable_adjoint(v: Any, g: Any) -> None:
    """Add `g` to the adjoint of Variable `v` collected by the innermost active collection."""
    stack = getattr(_local, "stack", None)
    if stack:
        found = stack[-1].get(id(v))
        stack[-1][id(v)] = [v, g] if found is None else [v, found[1] + g]


class collected_adjoints:
    """`with collected_adjoints() as collected:` {id(v): [v, adjoint]} for the Variables whose
    adjoints generated code hands over while it is open (a class, not a generator: a tape opens
    one for every backward pass)."""

    def __enter__(self) -> Dict[int, List[Any]]:
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        self.collected: Dict[int, List[Any]] = {}
        stack.append(self.collected)
        return self.collected

    def __exit__(self, *exc_info: Any) -> None:
        _local.stack.pop()
