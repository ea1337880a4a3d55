"""The derivative cache: each derivative is generated once per code object, wrt and kind.

Entries are keyed weakly on the user function's code object, so redefining a function (a new code
object) gives a fresh derivative and the old one is freed with the old code. Each entry records the
guards it was generated against (what the function's called names referred to) and the version of
the rule table; an entry whose guards no longer hold (a global callee was rebound, a rule was
registered) is regenerated, never trusted. Generation happens under a lock, so concurrent first
calls from several threads generate a derivative once.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Tuple

from .frontend.resolve import compile_checks
from .rules import registry
from .weakmaps import IdentityWeakKeyMap

_MAX_VARIANTS = 8  # entries kept per (code, wrt, kind) when guards keep changing


class DerivativeCache:
    def __init__(self) -> None:
        # keyed by the code object itself (see weakmaps: equal code from another file is not
        # the same function)
        self._table: IdentityWeakKeyMap[Dict[Tuple, List[Any]]] = IdentityWeakKeyMap()
        self._lock = threading.RLock()
        self.generated = 0  # how many derivatives were generated (for tests and benchmarks)

    def get(self, fn: Any, key: Tuple, build: Callable[[], Any]) -> Any:
        """The cached derivative of `fn` for `key` that is still valid, built if there is none."""
        with self._lock:
            entries = self._table.setdefault(fn.__code__, {}).setdefault(key, [])
            for entry in entries:
                if is_valid(entry, fn):
                    return entry
            entry = build()
            self.generated += 1
            entries.insert(0, entry)
            del entries[_MAX_VARIANTS:]
            return entry

    def clear(self) -> None:
        with self._lock:
            self._table = IdentityWeakKeyMap()


def is_valid(entry: Any, fn: Any) -> bool:
    """Whether a derivative generated earlier still describes `fn`."""
    if entry.rules_version != registry.version:
        return False
    holds = entry.guards_hold
    if holds is None:        # compiled on first use (guards are final once generated)
        holds = entry.guards_hold = compile_checks(entry.guards)
    return holds(fn)


CACHE = DerivativeCache()
