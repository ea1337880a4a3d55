"""Adjoints of lists, tuples and dicts of differentiated values.

The adjoint of a container is a container of the same layout holding the adjoint of each entry:
a list for a list or a tuple (so that entries can be accumulated in place), a dict for a dict.
Generated code creates it with ``zeros_like`` and only ever changes it through these helpers or
``b[i] = b[i] + g``, so it is never shared with another variable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import unbroadcast
from .values import index_adjoint


def is_container(x: Any) -> bool:
    return type(x) is list or isinstance(x, tuple) or type(x) is dict


def add_entries(a: Any, b: Any) -> Any:
    """The entry-wise sum of two adjoints of the same container (or of two plain adjoints).

    A list the program appends to or pops from (a stack of the code being differentiated again)
    can have had fewer entries when one of the adjoints was made: the entries it lacks at the
    end are zero, so the sum has the entries of the longer one.
    """
    if type(a) is dict:
        return {key: add_entries(a[key], b[key]) for key in a}
    if type(a) is list or isinstance(a, tuple):
        common = min(len(a), len(b))
        return [add_entries(p, q) for p, q in zip(a, b)] + \
            copy_structure(list(a[common:]) + list(b[common:]))
    return a + b


def add_to_entry(b: Any, index: Any, g: Any) -> Any:
    """``b`` (a container's adjoint) with ``g`` added at ``index``: one entry, or a slice.

    ``b`` may also be the adjoint of an array or a number that was read from a container (the
    compiler cannot always tell): then ``g`` is scattered into a new array.
    """
    if not (type(b) is list or type(b) is dict):
        return b + index_adjoint(g, b, index)
    if isinstance(index, slice):
        positions = range(len(b))[index]
        for position, part in zip(positions, g):
            b[position] = add_entries(b[position], part)
        return b
    b[index] = add_entries(b[index], g)
    return b


def copy_structure(g: Any) -> Any:
    """A container adjoint no other variable holds (entries are shared: they are not changed)."""
    if type(g) is dict:
        return {key: copy_structure(value) for key, value in g.items()}
    if type(g) is list or isinstance(g, tuple):
        return [copy_structure(value) for value in g]
    return g


def unstack(g: np.ndarray, arrays: Any, axis: int = 0) -> list:
    """Adjoint of ``np.stack(arrays, axis)``: the slices of ``g`` along ``axis``."""
    g = np.asarray(g)
    return [unbroadcast(np.take(g, k, axis=axis), a) for k, a in enumerate(arrays)]


def unconcatenate(g: np.ndarray, arrays: Any, axis: int = 0) -> list:
    """Adjoint of ``np.concatenate(arrays, axis)``: ``g`` split back into the pieces."""
    g = np.asarray(g)
    if axis is None:
        sizes = np.cumsum([np.size(a) for a in arrays])[:-1]
        return [np.reshape(part, np.shape(a)) for part, a in zip(np.split(g, sizes), arrays)]
    sizes = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]
    return list(np.split(g, sizes, axis=axis))


def vstack_adjoint(g: np.ndarray, arrays: Any) -> list:
    """Adjoint of ``np.vstack(arrays)``: the row blocks of ``g``, shaped like each piece."""
    pieces = [np.atleast_2d(a) for a in arrays]
    return [np.reshape(p, np.shape(a)) for p, a in zip(unconcatenate(g, pieces, 0), arrays)]


def hstack_adjoint(g: np.ndarray, arrays: Any) -> list:
    """Adjoint of ``np.hstack(arrays)``: the column blocks of ``g`` (1-d pieces: segments)."""
    pieces = [np.atleast_1d(a) for a in arrays]
    axis = 0 if pieces[0].ndim == 1 else 1
    return [np.reshape(p, np.shape(a)) for p, a in zip(unconcatenate(g, pieces, axis), arrays)]


def dstack_adjoint(g: np.ndarray, arrays: Any) -> list:
    """Adjoint of ``np.dstack(arrays)``: the depth blocks of ``g``, shaped like each piece."""
    pieces = [np.atleast_3d(a) for a in arrays]
    return [np.reshape(p, np.shape(a)) for p, a in zip(unconcatenate(g, pieces, 2), arrays)]


def sum_adjoint(g: Any, items: Any) -> Any:
    """Adjoint of the builtin ``sum(items)``: every item (element, or row of an array) receives
    ``g``, un-broadcast to its shape."""
    if isinstance(items, np.ndarray):
        return np.broadcast_to(unbroadcast(g, items[0]), items.shape).copy()
    return [unbroadcast(g, item) for item in items]


def array_adjoint(g: Any, x: Any) -> Any:
    """Adjoint of ``np.array(x)``/``np.asarray(x)``: ``g`` itself for an array, and for a
    (nested) list or tuple of values, ``g`` split back into the entries."""
    if type(x) is list or isinstance(x, tuple):
        return [array_adjoint(g[k], item) for k, item in enumerate(x)]
    return unbroadcast(g, x) if np.shape(g) != np.shape(x) else g

