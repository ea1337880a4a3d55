"""Whether a tape's block may draw numbers from NumPy's global random generator.

The tape re-runs its block's code when asked for a gradient; numbers drawn from
`np.random.*` there must be the numbers the user's run drew (a dropout mask must be the same in
the values and in the gradient). Saving the global generator's state costs tens of microseconds,
so it is saved only for blocks that may draw: the block's code, or the code of a Python function
it calls (to a few levels), refers to something named `random` or to a function of NumPy's
random module. (Generators passed in as values, `np.random.default_rng()`, are always replayed:
their state is small.)
"""

from __future__ import annotations

import sys
import types
from typing import Any, Dict, List, Set

import gast
import numpy as np

from .. import astutil
from . import reach

_DEPTH = 4
_BLOCKS: Dict[int, bool] = {}
_CODES: Dict[Any, bool] = {}


def may_draw(block: Any, entry: Dict[str, Any], global_names: Dict[str, Any]) -> bool:
    """Whether running `block` (with these values) may draw from `np.random`'s generator."""
    key = id(block)
    if key not in _BLOCKS:
        _BLOCKS[key] = _block_may_draw(block, entry, global_names)
    return _BLOCKS[key]


def _block_may_draw(block: Any, entry: Dict[str, Any], global_names: Dict[str, Any]) -> bool:
    for node in astutil.walk(block.node.body):
        if isinstance(node, gast.Attribute) and node.attr == "random":
            return True
        if isinstance(node, gast.Name):
            value = entry.get(node.id, global_names.get(node.id))
            if node.id == "random" or _is_random_function(value):
                return True
            if _calls_random(value, _DEPTH, set()):
                return True
    return False


def _is_random_function(value: Any) -> bool:
    module = getattr(value, "__module__", None) or ""
    return module.startswith("numpy.random") or module == "random" or \
        type(value).__name__ == "RandomState"


def _calls_random(value: Any, depth: int, seen: Set[int]) -> bool:
    """Whether a Python function (or an object's methods) may draw, by its code's names."""
    if depth == 0 or id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, types.MethodType):
        value = value.__func__
    if not isinstance(value, types.FunctionType):
        cls = type(value)
        if cls.__module__ in ("builtins", "numpy") or isinstance(value, types.ModuleType):
            return False
        return any(_calls_random(f, depth - 1, seen) for f in vars(cls).values()
                   if isinstance(f, types.FunctionType))
    code = value.__code__
    if code not in _CODES:
        _CODES[code] = _code_mentions_random(code)
    if _CODES[code]:
        return True
    for name in code.co_names:
        called = value.__globals__.get(name)
        if _is_random_function(called) or _calls_random(called, depth - 1, seen):
            return True
    for cell in value.__closure__ or ():
        try:
            if _calls_random(cell.cell_contents, depth - 1, seen):
                return True
        except ValueError:
            continue
    return False


def _code_mentions_random(code: types.CodeType) -> bool:
    if "random" in code.co_names or "default_rng" in code.co_names:
        return True
    return any(_code_mentions_random(c) for c in code.co_consts if isinstance(c, types.CodeType))


def generators(block: Any, entry: Dict[str, Any], global_names: Dict[str, Any]) -> List[Any]:
    """The `np.random.Generator`s the block may draw from: those it reads, and those the
    functions it calls read as globals or closure variables (to a few levels)."""
    found = [v for v in entry.values() if isinstance(v, np.random.Generator)]
    reachable = reach.reached_by_calls(block, entry, global_names, np.random.Generator)
    return found + [g for g in reachable if not any(g is f for f in found)]


def state() -> Any:
    """NumPy's global generator's state, and that of `s2sgrad.tf.random`'s seeded streams
    when that module is in use."""
    tf_ops = sys.modules.get("s2sgrad.tf.ops")
    return tf_ops.random_state() if tf_ops is not None else np.random.get_state()


def restore(saved: Any) -> None:
    tf_ops = sys.modules.get("s2sgrad.tf.ops")
    if tf_ops is not None and isinstance(saved, tuple) and len(saved) == 3 \
            and isinstance(saved[2], dict):
        tf_ops.restore_random_state(saved)
    else:
        np.random.set_state(saved)
