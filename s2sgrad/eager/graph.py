"""`@s2sgrad.function` and `s2sgrad.gradients`: TensorFlow's graph-mode gradients.

In TensorFlow, `tf.gradients(ys, xs)` works only inside graph code (`tf.function`); called
eagerly it raises. Here "graph code" is a function the compiler transforms: inside a function
decorated with `@s2sgrad.function`, `gradients(ys, xs, ...)` differentiates the function's own
code, from its start to the call, with generated derivative source, at the values the call
sees:

    @s2sgrad.function
    def f(x):
        a = x * 2.0
        b = a * a
        return s2sgrad.gradients(a + b, [a, b])      # [1 + 2a, 1]

Each `x` in `xs` is differentiated through every path from it to `ys` (`d(a + b)/da` counts
`b = a * a`), except through the values named in `stop_gradients`, which count as constants.
"""

from __future__ import annotations

import functools
import sys
import threading
import types
from typing import Any, Dict, List, Optional

import gast
import numpy as np

from .. import astutil
from ..errors import Location, UnsupportedSyntaxError
from . import blocks
from . import dataflow
from .tape import (UnconnectedGradients, _as_tensor_like, _flatten, _zeros_like,
                   _is_differentiable_input, _unconnected, _value)

_running = threading.local()      # per thread: the `Function` calls running, innermost last


class Function:
    """A function whose code s2sgrad transforms as a whole (TensorFlow's `tf.function`)."""

    def __init__(self, fn: types.FunctionType):
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stack = getattr(_running, "calls", None)
        if stack is None:
            stack = _running.calls = []
        code = self._fn.__code__
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        entry = dict(zip(names, args))
        entry.update(kwargs)
        stack.append((self._fn, entry))
        try:
            return self._fn(*args, **kwargs)
        finally:
            stack.pop()

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return self if instance is None else functools.partial(self, instance)


def function(fn: Any = None, **options: Any) -> Any:
    """`@s2sgrad.function` (also `@function(...)`; TensorFlow's options are accepted)."""
    if fn is None:
        return lambda f: Function(f)
    return Function(fn)


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: Optional[str] = None,
              gate_gradients: bool = False, aggregation_method: Any = None,
              stop_gradients: Any = None,
              unconnected_gradients: Any = UnconnectedGradients.NONE) -> List[Any]:
    """The gradient of the sum of `ys` with respect to each of `xs` (a list, one per x), inside
    a function decorated with `@s2sgrad.function`."""
    frame = sys._getframe(1)
    running = [call for call in getattr(_running, "calls", [])
               if call[0].__code__ is frame.f_code]
    if not running:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    fn, entry = running[-1]
    block = blocks.function_block(fn)
    call = _call_at(block, frame.f_lineno)
    where = block.location(call)
    ys_nodes = _listed(_argument(call, 0, "ys"))
    xs_names = _names(_argument(call, 1, "xs"), where, "xs")
    stop_node = _argument(call, None, "stop_gradients")
    stops = set(_names(stop_node, where, "stop_gradients")) if stop_node is not None else set()
    current = dict(frame.f_locals)
    params = sorted(n for n in entry if _is_differentiable_input(entry[n]))
    zeros = _unconnected(unconnected_gradients)
    ys_values = _flatten(ys)
    seeds = [np.ones_like(np.asarray(_value(y))) for y in ys_values] if grad_ys is None else \
        [np.asarray(_value(g)) for g in _flatten(grad_ys)]
    from ..api import vjp

    result: List[Any] = []
    for x in xs_names:
        cut = ({x} | stops) & block.stores
        names = params + sorted(cut - set(params))
        outputs = [f"ys {k}" for k in range(len(ys_nodes))]
        linked = dataflow.connected(
            _with_outputs(block, ys_nodes, outputs, frame.f_lineno, cut).node.body, [x],
            outputs)
        if x not in names or not linked:
            result.append(_zeros_like(current.get(x)) if zeros else None)
            continue
        derivative = _function_for(block, tuple(names), tuple(sorted(cut)), frame.f_lineno,
                                   ys_nodes, fn)
        values = [current[n] if n in cut else entry[n] for n in names]
        _, pullback = vjp(derivative, *values)
        grads = pullback(tuple(np.asarray(s, dtype=np.result_type(_value(y)))
                               for s, y in zip(seeds, ys_values)))
        result.append(_as_tensor_like(grads[names.index(x)], _value(current[x])))
    return result


_FUNCTIONS: Dict[Any, Any] = {}


def _function_for(block: blocks.Block, names: tuple, cut: tuple, line: int,
                  ys_nodes: List[Any], fn: types.FunctionType) -> Any:
    key = (fn.__code__, id(fn.__globals__), names, cut, line)   # (equal code elsewhere: not it)
    if key not in _FUNCTIONS:
        # earlier gradients(...) calls are not part of what is differentiated
        body = [s for s in block.node.body if not any(
            isinstance(n, gast.Call) and astutil.unparse(n.func).split(".")[-1] == "gradients"
            for n in astutil.walk(s))]
        node = gast.With(items=[], body=body, type_comment=None)
        gast.copy_location(node, block.node)
        prefix = blocks.Block(block.filename, block.lines, node, block.reads, block.stores,
                              block.written)
        _FUNCTIONS[key] = blocks.block_function(prefix, list(names), ys_nodes, set(cut), {},
                                                fn.__globals__, until=line)
    return _FUNCTIONS[key]


def _call_at(block: blocks.Block, line: int) -> gast.Call:
    for node in astutil.walk(block.node.body):
        if isinstance(node, gast.Call) and getattr(node, "lineno", None) is not None \
                and node.lineno <= line <= (getattr(node, "end_lineno", None) or node.lineno) \
                and astutil.unparse(node.func).split(".")[-1] == "gradients":
            return node
    raise UnsupportedSyntaxError("cannot find this gradients(...) call in the function's source",
                                 Location(block.filename, line),
                                 "call gradients directly in the decorated function's body.")


def _argument(call: gast.Call, position: Optional[int], keyword: str) -> Any:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def _listed(node: Any) -> List[Any]:
    return list(node.elts) if isinstance(node, (gast.List, gast.Tuple)) else [node]


def _names(node: Any, where: Location, what: str) -> List[str]:
    items = _listed(node)
    if not all(isinstance(n, gast.Name) for n in items):
        raise UnsupportedSyntaxError(
            f"s2sgrad.gradients needs the {what} as names (or a list of names) of the function's "
            "variables", where, f"assign each of the {what} to a variable first.")
    return [n.id for n in items]


def _with_outputs(block: blocks.Block, ys_nodes: List[Any], outputs: List[str],
                  line: int, cut: set) -> blocks.Block:
    """The block up to `line` without the assignments of the `cut` names (parameters there),
    then `ys k = <expression>` for each of ys (for `dataflow.connected`)."""
    body = [s for s in block.node.body if s.lineno < line
            and not (isinstance(s, gast.Assign) and astutil.names_stored(s.targets) & cut)]
    body += [astutil.assign(name, astutil.copy_node(node)) for name, node in zip(outputs, ys_nodes)]
    node = gast.With(items=[], body=body, type_comment=None)
    gast.copy_location(node, block.node)
    return blocks.Block(block.filename, block.lines, node, block.reads, block.stores,
                        block.written)
