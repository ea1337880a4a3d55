"""A mapping keyed by object identity whose entries go away with their keys.

The compiler keys its caches by code object. `weakref.WeakKeyDictionary` compares keys by
equality, and code objects compare equal when their bytecode, constants and names are equal,
whatever file they come from: the same function text in two files, or a module run twice
(`runpy`, `%run`), would share one entry, and the entry would vanish with whichever code object
was collected first. Here two keys are the same key only if they are the same object.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, Generic, Iterator, Optional, Tuple, TypeVar

V = TypeVar("V")


class IdentityWeakKeyMap(Generic[V]):
    def __init__(self) -> None:
        self._entries: Dict[int, Tuple["weakref.ref[Any]", V]] = {}

    def get(self, key: Any, default: Optional[V] = None) -> Optional[V]:
        entry = self._entries.get(id(key))
        if entry is not None and entry[0]() is key:
            return entry[1]
        return default

    def __contains__(self, key: Any) -> bool:
        entry = self._entries.get(id(key))
        return entry is not None and entry[0]() is key

    def __getitem__(self, key: Any) -> V:
        entry = self._entries.get(id(key))
        if entry is None or entry[0]() is not key:
            raise KeyError(key)
        return entry[1]

    def __setitem__(self, key: Any, value: V) -> None:
        self._entries[id(key)] = (weakref.ref(key, self._remover(id(key))), value)

    def setdefault(self, key: Any, default: V) -> V:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def values(self) -> Iterator[V]:
        return iter([value for _, value in list(self._entries.values())])

    def _remover(self, ident: int) -> Callable[[Any], None]:
        owner = weakref.ref(self)

        def remove(ref: Any) -> None:
            mapping = owner()
            if mapping is not None:
                current = mapping._entries.get(ident)
                if current is not None and current[0] is ref:
                    del mapping._entries[ident]
        return remove
