"""Annotations: facts that analyses attach to gast nodes, under typed keys.

Analyses never rewrite the tree; they record what they learn here, and later passes read it. Keys are
members of `Key`, whose values say what the annotation holds. Annotations live in one dict attribute
per node so that `astutil.copy_node` can carry them over without deep-copying the objects they refer
to (modules and functions cannot be deep-copied).
"""

from __future__ import annotations

import enum
from typing import Any

_ATTR = "_s2sgrad_anno"
_MISSING = object()


class Key(enum.Enum):
    """Annotation keys and what they hold."""

    RESOLVED = "the Python object a Name or Attribute chain in call position resolves to"
    METHOD = "for a call `v.m(...)` on a local value: the method name `m`"
    ORIGIN = "the user statement (errors.Location) a node was generated from"
    ORIGIN_TEXT = "the source text of that user statement, one line"
    SPLIT = "True on the first statement of a user statement that normalization split in several"
    PURE = "True on generated calls known to have no side effects (rule helpers, NumPy)"
    ZERO = "True on a generated zero adjoint: a zeros_like call, or 0.0 in scalar code"
    AUGMENTED = "True on `x = x op y` desugared from `x op= y` (in place on arrays; see inplace)"
    SAME_AS = ("on a write into `x` (or `L.append`, `L.pop`): the flag statements `f = "
               "same_object(y, x)` before it, one per name `y` that may or may not be `x`")
    ASKS = "True on a flag statement `f = same_object(y, x)` itself (dropped where nothing reads f)"
    SAVED = "on a write `x[i] = v`: the name holding the part of `x` it overwrites"
    RESTORES = "on a generated `x[i] = x_old` in the adjoint: the array `x` it restores"
    TANGENT = "True on a generated read of a tangent variable (forward mode)"
    RECEIVER = "on a call of a module-level object's method: the expression of its `self`"
    RECORDS = "on a generated push or pop: the variable whose value it records or restores"
    PASSES_VARIABLES = "True on a call of a Python function passed an object holding Variables"


def get(node: Any, key: Key, default: Any = _MISSING) -> Any:
    """The annotation `key` of `node`; `default` (or KeyError) when absent."""
    annos = getattr(node, _ATTR, None)
    if annos is not None and key in annos:
        return annos[key]
    if default is _MISSING:
        raise KeyError(key)
    return default


def has(node: Any, key: Key) -> bool:
    return key in getattr(node, _ATTR, {})


def set(node: Any, key: Key, value: Any) -> None:  # noqa: A001 - mirrors get/has
    annos = getattr(node, _ATTR, None)
    if annos is None:
        annos = {}
        setattr(node, _ATTR, annos)
    annos[key] = value


def copy_all(source: Any, target: Any) -> None:
    """Give `target` a shallow copy of every annotation of `source`."""
    annos = getattr(source, _ATTR, None)
    if annos:
        setattr(target, _ATTR, dict(annos))
