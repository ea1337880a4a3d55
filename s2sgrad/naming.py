"""Deterministic names for generated code, derived from the user's names.

One `Namer` serves one generated function. It knows every name the user's function mentions, so a
new name never collides with a user variable, global or builtin the code reads (a user variable
called `bx` makes the adjoint of `x` become `bx_1`). Clashes get numbered suffixes in order of
request, so the same input always yields the same output.
"""

from __future__ import annotations

import builtins

import keyword
import os
import re
from typing import Any, Dict, Iterable, Optional, Set

import gast

from . import astutil

ADJOINT_PREFIX = "b"   # bx is the adjoint of x (reverse mode)
TANGENT_PREFIX = "d"   # dx is the tangent of x (forward mode)

_OPERATOR_WORDS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.FloorDiv: "floordiv", gast.Mod: "mod", gast.Pow: "pow", gast.MatMult: "dot",
    gast.USub: "neg", gast.UAdd: "pos", gast.Invert: "invert", gast.Not: "not",
    gast.BitAnd: "and", gast.BitOr: "or", gast.BitXor: "xor",
    gast.LShift: "lshift", gast.RShift: "rshift",
}
_COMPARISON_WORDS = {
    gast.Lt: "lt", gast.LtE: "le", gast.Gt: "gt", gast.GtE: "ge", gast.Eq: "eq", gast.NotEq: "ne",
    gast.Is: "is", gast.IsNot: "is_not", gast.In: "in", gast.NotIn: "not_in",
}
_MAX_DERIVED = 24


_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


class Namer:
    """Hands out fresh, readable, collision-free names."""

    def __init__(self, reserved: Iterable[str] = ()):
        # builtin names too: generated code calls builtins (`min(len(x), len(y))` for a zip
        # loop), which a temporary named after `y.min()` must not shadow
        self._taken: Set[str] = set(reserved) | _BUILTIN_NAMES
        self._reserved = set(reserved)      # the user's own names
        self._adjoints: Dict[str, str] = {}
        self._tangents: Dict[str, str] = {}
        self._aliases: Dict[int, str] = {}
        self.helpers: Dict[str, Any] = {}   # alias -> object the generated code must reach

    def fresh(self, base: str) -> str:
        """`base` if free, else `base_1`, `base_2`, ... (first free one)."""
        base = _identifier(base)
        candidate, counter = base, 0
        while candidate in self._taken or keyword.iskeyword(candidate):
            counter += 1
            candidate = f"{base}_{counter}"
        self._taken.add(candidate)
        return candidate

    def alias(self, obj: Any, preferred: str, globals_: Optional[Dict[str, Any]] = None) -> str:
        """The name under which generated code reaches `obj` (a runtime helper, a callee...):
        the user's own global when `globals_` maps `preferred` to it, else a fresh name."""
        if id(obj) not in self._aliases:
            if globals_ is not None and globals_.get(preferred, None) is obj:
                name = preferred
            elif preferred in _BUILTIN_NAMES and getattr(builtins, preferred) is obj \
                    and preferred not in self._reserved:
                name = preferred                 # `slice`, `min`: the builtin under its name
                self.helpers[name] = obj
            else:
                name = self.fresh(preferred)
                self.helpers[name] = obj
            self._aliases[id(obj)] = name
        return self._aliases[id(obj)]

    def existing_alias(self, obj: Any) -> Optional[str]:
        """The alias already handed out for `obj`, if any."""
        return self._aliases.get(id(obj))

    def is_taken(self, name: str) -> bool:
        return name in self._taken

    def adjoint(self, name: str) -> str:
        """The adjoint variable of primal `name` (always the same one)."""
        if name not in self._adjoints:
            self._adjoints[name] = self.fresh(ADJOINT_PREFIX + name)
        return self._adjoints[name]

    def tangent(self, name: str) -> str:
        """The tangent variable of primal `name` (always the same one)."""
        if name not in self._tangents:
            self._tangents[name] = self.fresh(TANGENT_PREFIX + name)
        return self._tangents[name]

    def adjoint_map(self) -> Dict[str, str]:
        """primal name -> adjoint name, for every adjoint handed out so far."""
        return dict(self._adjoints)


def function_name(fn: Any) -> str:
    """A name for generated code derived from a function: its own, or for a method the class
    and the method (`MLP.forward` -> `MLP_forward`, `Linear.__call__` -> `Linear_call`)."""
    name = fn.__name__
    owner = fn.__qualname__.rsplit(".", 2)
    is_method = len(owner) > 1 and owner[-2] != "<locals>"
    if name.startswith("__") and name.endswith("__"):
        return f"{owner[-2]}_{name.strip('_')}" if is_method else name.strip("_")
    return f"{owner[-2]}_{name}" if is_method else name


def short_filename(filename: str) -> str:
    """A file name for comments in generated code: the base name of a user's file, and for
    code s2sgrad generated, what it is without its serial number (stable across runs)."""
    if filename.startswith("<s2sgrad generated "):
        return re.sub(r" #\d+>$", ">", filename)
    return os.path.basename(filename)


def derived_name(expr: Any, target: Optional[str]) -> str:
    """A readable name for a temporary holding `expr`, e.g. tanh_x, x_dot_W1, x_shape_0."""
    name = _describe(expr)
    if name is None or len(name) > _MAX_DERIVED:
        word = _head_word(expr)
        name = f"{target}_{word}" if target else word
    return name


def _describe(expr: Any) -> Optional[str]:
    if isinstance(expr, gast.Name):
        return expr.id
    if astutil.is_static(expr):
        value = astutil.static_value(expr)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value)
        return None
    if isinstance(expr, gast.Attribute):
        base = _describe(expr.value)
        return f"{base}_{expr.attr}" if base else expr.attr
    if isinstance(expr, gast.Subscript):
        base, index = _describe(expr.value), _describe(expr.slice)
        return f"{base}_{index}" if base and index else None
    if isinstance(expr, gast.Call):
        head = _callee_word(expr.func)
        first = expr.args[0] if expr.args else None
        if isinstance(expr.func, gast.Attribute) and not isinstance(expr.func.value, gast.Name):
            return None
        if isinstance(first, gast.Name):
            return f"{head}_{first.id}"
        return head if not expr.args else None
    if isinstance(expr, gast.BinOp):
        left, right = _describe(expr.left), _describe(expr.right)
        if left and right and isinstance(expr.left, gast.Name):
            return f"{left}_{_OPERATOR_WORDS.get(type(expr.op), 'op')}_{right}"
        return None
    if isinstance(expr, gast.Compare) and len(expr.ops) == 1:
        left, right = _describe(expr.left), _describe(expr.comparators[0])
        word = _COMPARISON_WORDS.get(type(expr.ops[0]), "cmp")
        return f"{left}_{word}_{right}" if left and right else None
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.operand, gast.Name):
        return f"{_OPERATOR_WORDS.get(type(expr.op), 'op')}_{expr.operand.id}"
    return None


def _head_word(expr: Any) -> str:
    if isinstance(expr, gast.Call):
        return _callee_word(expr.func)
    if isinstance(expr, (gast.BinOp, gast.UnaryOp)):
        return _OPERATOR_WORDS.get(type(expr.op), "op")
    if isinstance(expr, (gast.BoolOp, gast.Compare)):
        return "condition"
    if isinstance(expr, gast.Attribute):
        return expr.attr
    if isinstance(expr, gast.Subscript):
        return "item"
    return "tmp"


def _callee_word(func: Any) -> str:
    if isinstance(func, gast.Attribute):
        return func.attr
    if isinstance(func, gast.Name):
        return func.id
    return "call"


def _identifier(text: str) -> str:
    cleaned = re.sub(r"\W", "_", text)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "t_" + cleaned
    return cleaned


def qualified_name(obj: Any) -> str:
    """A readable dotted name for messages: numpy.tanh, math.sin, mymodule.helper."""
    module: Optional[str] = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    if type(obj).__name__ == "ufunc" or (module and module.startswith("numpy")):
        module = "numpy"
        candidates = [m for m in ("numpy", "numpy.linalg", "numpy.fft") if _is_member(m, name, obj)]
        module = candidates[0] if candidates else module
    if module in (None, "builtins"):
        return name
    return f"{module}.{name}"


def _is_member(module_name: str, name: str, obj: Any) -> bool:
    import importlib

    try:
        return getattr(importlib.import_module(module_name), name, None) is obj
    except ImportError:
        return False
