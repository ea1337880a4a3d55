"""Gradients of a loss given as a function of no arguments (`lambda: w * x * x`), with respect
to the Variables it reads: what `optimizer.minimize(loss, var_list)` and TF1's
`compute_gradients` do.

The loss function reads its Variables as free names (globals or closure variables). s2sgrad
writes the loss's body as a function of those names (`def loss_of(w, x): return w * x * x`,
through `blocks.block_function`) and differentiates that, at the Variables' current values.
"""

from __future__ import annotations

import types
from typing import Any, Dict, List, Optional, Sequence, Tuple

import gast
import numpy as np

from .. import astutil
from ..errors import S2sgradError, UnsupportedSyntaxError
from . import blocks
from .tape import _as_tensor_like
from .values import Variable

_FUNCTIONS: Dict[Any, Any] = {}


def gradients_of_callable(loss: Any, var_list: Sequence[Variable]) -> List[Optional[Any]]:
    """d loss() / d v for each Variable v of `var_list` (None for those it does not read)."""
    fn = _plain(loss)
    free = _free_values(fn)
    names = {id(v): n for n, v in free.items() if isinstance(v, Variable)}
    params = sorted(set(names[id(v)] for v in var_list if id(v) in names))
    block = blocks.function_block(fn)
    body = block.node.body
    if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None or any(
            isinstance(n, gast.Return) for n in astutil.walk(body[:-1])):
        raise UnsupportedSyntaxError(
            "the loss function must end with its one `return` statement",
            block.location(body[-1] if body else None), "compute the loss, then return it.")
    key = (fn.__code__, id(fn.__globals__), tuple(params),
           tuple(sorted(id(v) for v in free.values())))
    lifted = _FUNCTIONS.get(key)
    if lifted is None:
        node = gast.With(items=[], body=body[:-1] or [gast.Pass()], type_comment=None)
        gast.copy_location(node, block.node)
        prefix = blocks.Block(block.filename, block.lines, node, block.reads, block.stores,
                              block.written)
        others = {n: v for n, v in free.items() if n not in params
                  and n in _closure_names(fn)}
        lifted = _FUNCTIONS[key] = blocks.block_function(
            prefix, params, [body[-1].value], set(), {}, fn.__globals__, closure=others)
    from ..api import vjp

    values = [free[name].value() for name in params]
    output, pullback = vjp(lifted, *values)
    grads = pullback((np.ones_like(np.asarray(output[0])),)) if params else ()
    by_name = dict(zip(params, grads))
    return [_as_tensor_like(by_name[names[id(v)]], v.value()) if id(v) in names
            and names[id(v)] in by_name else None for v in var_list]


def _plain(loss: Any) -> types.FunctionType:
    if isinstance(loss, types.FunctionType):
        if loss.__code__.co_argcount:
            raise S2sgradError(f"the loss {loss.__qualname__} must take no arguments (a "
                               "callable returning the loss, as TensorFlow 2 expects)")
        return loss
    raise S2sgradError(
        "minimize/compute_gradients needs the loss as a function of no arguments (TensorFlow "
        f"2 style, `lambda: w * x * x`), not a {type(loss).__name__}",
        hint="pass `lambda: <the loss expression>`, or compute gradients with a GradientTape.")


def _closure_names(fn: types.FunctionType) -> Tuple[str, ...]:
    return fn.__code__.co_freevars


def _free_values(fn: types.FunctionType) -> Dict[str, Any]:
    """The values of the free names the function reads: closure variables, then globals."""
    values: Dict[str, Any] = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            values[name] = cell.cell_contents
        except ValueError:
            continue
    for name in fn.__code__.co_names:
        if name not in values and name in fn.__globals__:
            values[name] = fn.__globals__[name]
    return values
