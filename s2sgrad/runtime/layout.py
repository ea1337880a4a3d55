"""Helpers of the rules that move, select and repeat elements (rules/shape.py) and of the tensor
products (rules/products.py).

Two kinds of helpers live here:

* Index bookkeeping (``tensordot_lhs_axes``, ``pad_source_index``, ``take_index``, ...): functions
  of shapes, axes and integer indices only. Their results carry no derivative; the rules list them
  with ``zero_derivative``.
* Scatters that NumPy has no one-call spelling of (``diagonal_adjoint``, ``diag_adjoint``,
  ``repeat_adjoint``): each is linear in its first argument, and the rules give it an adjoint
  (the gather it transposes: ``np.diagonal``, ``np.diag``, ``np.repeat``) and a tangent (itself),
  so that derivative code calling them can be differentiated again.

Axes may be negative wherever NumPy accepts negative axes.
"""

from __future__ import annotations

import functools
import string
from typing import Any, List, Sequence, Tuple

import numpy as np

from ._common import _float_dtype

# ---------------------------------------------------------------------------
# tensordot, inner, kron
# ---------------------------------------------------------------------------


def _tensordot_pairs(ndim_a: int, ndim_b: int, axes: Any) -> Tuple[List[int], List[int]]:
    """The contracted axes of ``np.tensordot(a, b, axes)``, non-negative, as two paired lists."""
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        return list(range(ndim_a - n, ndim_a)), list(range(n))
    axes_a, axes_b = axes
    if isinstance(axes_a, (int, np.integer)):
        axes_a = [axes_a]
    if isinstance(axes_b, (int, np.integer)):
        axes_b = [axes_b]
    return [int(k) % ndim_a for k in axes_a], [int(k) % ndim_b for k in axes_b]


def tensordot_lhs_axes(ndim_a: int, ndim_b: int, axes: Any) -> Tuple[List[int], List[int]]:
    """The ``axes`` of ``np.tensordot(g, b, axes)`` that gives the adjoint of a in
    ``z = np.tensordot(a, b, axes)``: g's axes of b's free axes, paired with those of b."""
    contracted_a, contracted_b = _tensordot_pairs(ndim_a, ndim_b, axes)
    free_a = ndim_a - len(contracted_a)
    free_b = [k for k in range(ndim_b) if k not in contracted_b]
    return [free_a + j for j in range(len(free_b))], free_b


def tensordot_lhs_order(ndim_a: int, ndim_b: int, axes: Any) -> Tuple[int, ...]:
    """The permutation that lays ``np.tensordot(g, b, tensordot_lhs_axes(...))`` out like a."""
    contracted_a, contracted_b = _tensordot_pairs(ndim_a, ndim_b, axes)
    free_a = [k for k in range(ndim_a) if k not in contracted_a]
    partner = dict(zip(contracted_b, contracted_a))
    layout = free_a + [partner[k] for k in sorted(contracted_b)]
    return tuple(int(k) for k in np.argsort(layout))


def tensordot_rhs_axes(ndim_a: int, ndim_b: int, axes: Any) -> Tuple[List[int], List[int]]:
    """The ``axes`` of ``np.tensordot(a, g, axes)`` that gives the adjoint of b in
    ``z = np.tensordot(a, b, axes)``: a's free axes, paired with g's leading axes."""
    contracted_a, _ = _tensordot_pairs(ndim_a, ndim_b, axes)
    free_a = [k for k in range(ndim_a) if k not in contracted_a]
    return free_a, list(range(len(free_a)))


def tensordot_rhs_order(ndim_a: int, ndim_b: int, axes: Any) -> Tuple[int, ...]:
    """The permutation that lays ``np.tensordot(a, g, tensordot_rhs_axes(...))`` out like b."""
    contracted_a, contracted_b = _tensordot_pairs(ndim_a, ndim_b, axes)
    free_b = [k for k in range(ndim_b) if k not in contracted_b]
    partner = dict(zip(contracted_a, contracted_b))
    layout = [partner[k] for k in sorted(contracted_a)] + free_b
    return tuple(int(k) for k in np.argsort(layout))


def inner_axes(ndim_a: int, ndim_b: int) -> Tuple[List[int], List[int]]:
    """``np.inner(a, b)`` as ``np.tensordot(a, b, inner_axes(...))``: the last axes contracted,
    nothing when either is a scalar (then inner is the product)."""
    if ndim_a == 0 or ndim_b == 0:
        return [], []
    return [ndim_a - 1], [ndim_b - 1]


def kron_padded(shape: Sequence[int], other: Sequence[int]) -> Tuple[int, ...]:
    """``shape`` with leading ones up to the larger rank of the two operands of np.kron."""
    n = max(len(shape), len(other))
    return (1,) * (n - len(shape)) + tuple(shape)


def kron_blocks(shape_a: Sequence[int], shape_b: Sequence[int]) -> Tuple[int, ...]:
    """The shape ``(a0, b0, a1, b1, ...)`` that splits ``np.kron(a, b)`` into a's and b's
    indices (kron's index along each axis is ``i_a * b_k + i_b``)."""
    padded_a, padded_b = kron_padded(shape_a, shape_b), kron_padded(shape_b, shape_a)
    return tuple(n for pair in zip(padded_a, padded_b) for n in pair)


def kron_contraction(ndim_a: int, ndim_b: int, keep: int) -> Tuple[List[int], List[int]]:
    """``axes`` for ``np.tensordot(blocks, other, axes)``: contract the other operand's block
    axes (odd ones to keep a, ``keep=0``; even ones to keep b, ``keep=1``) with all its axes."""
    n = max(ndim_a, ndim_b)
    return [2 * k + 1 - keep for k in range(n)], list(range(n))


# ---------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------

_LETTERS = string.ascii_letters


def einsum_subscripts(subscripts: Any) -> str:
    """``subscripts`` when it is an einsum subscripts string; the interleaved form
    ``np.einsum(a, [0, 1], b, [1, 2])`` is not differentiated."""
    if not isinstance(subscripts, str):
        raise NotImplementedError(
            "s2sgrad differentiates np.einsum called with a subscripts string "
            "(np.einsum('ij,jk->ik', a, b)), not the interleaved form np.einsum(a, [0, 1], ...)")
    return subscripts


def _einsum_labels(subscripts: str, ndims: Sequence[int]) -> Tuple[List[List[str]], List[str]]:
    """The operands' and the output's labels of ``np.einsum(subscripts, *operands)``, in explicit
    form, with ``...`` kept as one label ``"..."`` (broadcast dimensions)."""
    subscripts = einsum_subscripts(subscripts)
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        inputs, output = subscripts.split("->")
    else:
        inputs, output = subscripts, None
    operands = [_split_labels(part) for part in inputs.split(",")]
    if len(operands) != len(ndims):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(operands)} operands, "
                         f"got {len(ndims)}")
    if output is None:
        counts: dict = {}
        for labels in operands:
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
        letters = sorted(label for label, n in counts.items() if n == 1 and label != "...")
        output_labels = (["..."] if "..." in counts else []) + letters
    else:
        output_labels = _split_labels(output)
    return operands, output_labels


def _split_labels(part: str) -> List[str]:
    labels: List[str] = []
    rest = part
    while rest:
        if rest.startswith("..."):
            labels.append("...")
            rest = rest[3:]
        else:
            labels.append(rest[0])
            rest = rest[1:]
    return labels


@functools.lru_cache(maxsize=512)
def _einsum_adjoint(subscripts: str, k: int, shapes: Tuple[Tuple[int, ...], ...]) -> Tuple[str, Any]:
    operands, output = _einsum_labels(subscripts, [len(s) for s in shapes])
    own = operands[k]
    used = {label for labels in operands for label in labels} | set(output)
    fresh = (c for c in _LETTERS if c not in used)
    # The letters the other factors of the adjoint (g and the other operands) provide.
    provided = set(output)
    for j, labels in enumerate(operands):
        if j != k:
            provided.update(labels)
    result: List[str] = []       # the adjoint's labels: own, repeated letters renamed
    mask_labels: List[str] = []  # the constant factor: diagonals of repeats, ones of sums
    mask_factors: List[Tuple[str, List[str], int]] = []
    sizes = _label_sizes(own, shapes[k])
    seen: dict = {}
    for label in own:
        if label == "...":
            result.append("...")
            continue
        if label in seen:
            new = next(fresh)
            seen[label].append(new)
            result.append(new)
        else:
            seen[label] = [label]
            result.append(label)
    for label, copies in seen.items():
        if len(copies) > 1 or label not in provided:
            mask_labels.extend(copies)
            mask_factors.append((label, copies, sizes[label]))
    mask = np.ones((), dtype=bool)   # (boolean: the einsum keeps the adjoint's dtype)
    for _, copies, n in mask_factors:
        diagonal = np.zeros((n,) * len(copies), dtype=bool)
        diagonal[(np.arange(n),) * len(copies)] = True
        mask = np.multiply.outer(mask, diagonal)
    inputs = ["".join(output)] + ["".join(labels) for j, labels in enumerate(operands) if j != k]
    inputs.append("".join(mask_labels))
    spec = ",".join(inputs) + "->" + "".join(result)
    return spec, mask


def _label_sizes(labels: List[str], shape: Tuple[int, ...]) -> dict:
    sizes = {}
    if "..." in labels:
        at = labels.index("...")
        before, after = labels[:at], labels[at + 1:]
        for label, n in zip(before, shape[:len(before)]):
            sizes[label] = n
        for label, n in zip(after, shape[len(shape) - len(after):] if after else ()):
            sizes[label] = n
    else:
        for label, n in zip(labels, shape):
            sizes[label] = n
    return sizes


def einsum_adjoint_subscripts(subscripts: str, k: int, *operands: Any) -> str:
    """The subscripts of the einsum that gives the adjoint of operand k of
    ``z = np.einsum(subscripts, *operands)``, as ``np.einsum(spec, g, <the other operands>,
    einsum_adjoint_mask(...))``.

    The adjoint's labels are operand k's, a repeated label's later copies renamed (their
    diagonal is set by the mask) and labels summed in operand k alone spread by the mask's ones.
    Broadcast dimensions (``...`` or labelled dimensions of length 1) come out at their full
    length: the caller sums them down with ``unbroadcast``.
    """
    return _einsum_adjoint(einsum_subscripts(subscripts), k, tuple(np.shape(x) for x in operands))[0]


def einsum_adjoint_mask(subscripts: str, k: int, *operands: Any) -> np.ndarray:
    """The constant last factor of :func:`einsum_adjoint_subscripts`'s einsum, boolean (0-d
    ``True`` when operand k repeats no label and sums none alone)."""
    return _einsum_adjoint(einsum_subscripts(subscripts), k, tuple(np.shape(x) for x in operands))[1]


def einsum_optimize(optimize: Any) -> Any:
    """The ``optimize`` setting for the derivative's einsums: a precomputed contraction path
    belongs to the original subscripts, so it becomes ``True``."""
    if isinstance(optimize, (list, tuple)):
        return True
    return optimize


# ---------------------------------------------------------------------------
# cross, trace, diagonal, diag
# ---------------------------------------------------------------------------


def cross_axis(axis: Any, own: int) -> int:
    """The vector axis of one operand (or the result) of np.cross: ``axis`` overrides
    ``axisa``, ``axisb`` and ``axisc`` when given."""
    return own if axis is None else axis


def trace_axes(ndim: int, axis1: int, axis2: int) -> Tuple[int, int]:
    """The two axes of a trace, non-negative and sorted (where its adjoint re-inserts them)."""
    return tuple(sorted((int(axis1) % ndim, int(axis2) % ndim)))


def diagonal_mask(shape: Sequence[int], offset: int = 0, axis1: int = 0,
                  axis2: int = 1) -> np.ndarray:
    """True on the diagonal ``offset`` of the (axis1, axis2) planes of an array of ``shape``,
    False elsewhere; length-1 along the other axes (it broadcasts against the array). Boolean,
    so that a product with it keeps the other factor's dtype."""
    ndim = len(shape)
    axis1, axis2 = int(axis1) % ndim, int(axis2) % ndim
    rows = np.arange(shape[axis1]).reshape([-1 if k == axis1 else 1 for k in range(ndim)])
    cols = np.arange(shape[axis2]).reshape([-1 if k == axis2 else 1 for k in range(ndim)])
    return cols - rows == offset


def diagonal_adjoint(g: Any, shape: Sequence[int], offset: int = 0, axis1: int = 0,
                     axis2: int = 1) -> np.ndarray:
    """Adjoint of ``np.diagonal(x, offset, axis1, axis2)`` for x of ``shape``: g (whose last
    axis runs along the diagonal) written onto that diagonal of a zero array."""
    g = np.asarray(g)
    result = np.zeros(tuple(shape), dtype=_float_dtype(g.dtype))
    planes = np.moveaxis(result, (int(axis1), int(axis2)), (-2, -1))
    n = g.shape[-1]
    rows = np.arange(n) + max(-int(offset), 0)
    cols = np.arange(n) + max(int(offset), 0)
    planes[..., rows, cols] = g
    return result


def diag_adjoint(g: Any, shape: Sequence[int], k: int = 0) -> np.ndarray:
    """Adjoint of ``np.diag(v, k)`` for v of ``shape``: the diagonal k of g when v is a vector
    (v was put on it), g on the diagonal k of a zero matrix when v is a matrix."""
    if len(shape) == 1:
        return np.diagonal(g, k).copy()
    return diagonal_adjoint(g, shape, k, 0, 1)


# ---------------------------------------------------------------------------
# repeat, tile
# ---------------------------------------------------------------------------


def repeat_adjoint(g: Any, shape: Sequence[int], repeats: Any, axis: Any = None) -> np.ndarray:
    """Adjoint of ``np.repeat(x, repeats, axis)`` for x of ``shape``: each element of x receives
    the sum of g over its copies (no copies: zero). ``axis=None`` repeats the flattened x."""
    g = np.asarray(g)
    shape = tuple(shape)
    if axis is None:
        length, at, rest = int(np.prod(shape, dtype=np.intp)), 0, ()
    else:
        at = int(axis) % len(shape)
        length, rest = shape[at], shape[:at] + shape[at + 1:]
    counts = np.asarray(repeats)
    moved = np.moveaxis(g, at, -1) if axis is not None else g
    if counts.ndim == 0 or counts.size == 1:
        count = int(counts.reshape(()))
        summed = np.sum(moved.reshape(moved.shape[:-1] + (length, count)), axis=-1)
    else:
        owners = np.repeat(np.arange(length), counts)
        summed = np.zeros(moved.shape[:-1] + (length,), dtype=_float_dtype(g.dtype))
        np.add.at(summed, (Ellipsis, owners), moved)
    if axis is None:
        return summed.reshape(shape)
    return np.moveaxis(summed.reshape(rest[:at] + rest[at:] + (length,)), -1, at)


def tile_blocks(shape: Sequence[int], reps: Any) -> Tuple[int, ...]:
    """The shape ``(r0, s0, r1, s1, ...)`` that splits ``np.tile(x, reps)`` (x of ``shape``)
    into the copy index and x's index along each axis."""
    reps = tuple(np.atleast_1d(reps).tolist())
    n = max(len(shape), len(reps))
    shape = (1,) * (n - len(shape)) + tuple(shape)
    reps = (1,) * (n - len(reps)) + reps
    return tuple(m for pair in zip(reps, shape) for m in pair)


def tile_copy_axes(shape: Sequence[int], reps: Any) -> Tuple[int, ...]:
    """The copy axes (even ones) of :func:`tile_blocks`'s split, summed by tile's adjoint."""
    n = max(len(shape), np.size(reps))
    return tuple(range(0, 2 * n, 2))


# ---------------------------------------------------------------------------
# pad, roll
# ---------------------------------------------------------------------------


def pad_interior(shape: Sequence[int], pad_width: Any) -> Tuple[slice, ...]:
    """The index of the original array inside ``np.pad(x, pad_width, ...)`` (x of ``shape``)."""
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (len(shape), 2))
    return tuple(slice(int(before), int(before) + n) for (before, _), n in zip(widths, shape))


_GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")


def pad_source_index(shape: Sequence[int], pad_width: Any, mode: str,
                     reflect_type: str = "even") -> Tuple[np.ndarray, ...]:
    """For the padding modes that copy elements (edge, reflect, symmetric, wrap): the index into
    x of every element of ``np.pad(x, pad_width, mode)``, as an open mesh (``z = x[index]``).

    These modes pad axis by axis with copies, so each output element is x at the per-axis
    source positions, which np.pad itself computes when padding ``np.arange``.
    """
    if mode not in _GATHER_MODES or (reflect_type != "even" and mode in ("reflect", "symmetric")):
        raise NotImplementedError(
            f"s2sgrad differentiates np.pad in the modes 'constant', 'edge', 'reflect', "
            f"'symmetric' and 'wrap' (reflect_type 'even'), not mode={mode!r}, "
            f"reflect_type={reflect_type!r}")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (len(shape), 2))
    sources = [np.pad(np.arange(n), (int(before), int(after)), mode=mode)
               for n, (before, after) in zip(shape, widths)]
    return np.ix_(*sources)


def pad_adjoint(g: Any, shape: Sequence[int], pad_width: Any, mode: str = "constant",
                reflect_type: str = "even") -> np.ndarray:
    """Adjoint of ``np.pad(x, pad_width, mode)`` (x of ``shape``) with respect to x: the interior
    of g for the constant mode, and for the modes that copy elements, every element of g added
    to the element of x it is a copy of."""
    if mode == "constant":
        return np.array(np.asarray(g)[pad_interior(shape, pad_width)])
    g = np.asarray(g)
    result = np.zeros(tuple(shape), dtype=_float_dtype(g.dtype))
    np.add.at(result, pad_source_index(shape, pad_width, mode, reflect_type), g)
    return result


def pad_values_adjoint(g: Any, shape: Sequence[int], pad_width: Any) -> np.ndarray:
    """Adjoint of ``np.pad(x, pad_width, constant_values=c)`` with respect to c, as the
    ``(ndim, 2)`` array of the sums of g over the elements each (axis, side) value fills (the
    caller sums it down to c's shape)."""
    g = np.asarray(g)
    ndim = len(shape)
    result = np.zeros((ndim, 2), dtype=_float_dtype(g.dtype))
    for k in range(ndim):
        for side in range(2):
            values = np.zeros((ndim, 2))
            values[k, side] = 1.0
            filled = np.pad(np.zeros(tuple(shape)), pad_width, constant_values=values)
            result[k, side] = np.sum(g * filled)
    return result


def pad_values(values: Any, shape: Sequence[int], pad_width: Any) -> np.ndarray:
    """The transpose of :func:`pad_values_adjoint`: the padding of a zero array of ``shape``
    with the constant values ``values`` (an ``(ndim, 2)`` array)."""
    zeros = np.zeros(tuple(shape), dtype=_float_dtype(np.result_type(values)))
    return np.pad(zeros, pad_width, constant_values=values)


def negated(shift: Any) -> Any:
    """``-shift`` for an int or a sequence of ints (the shift that undoes np.roll)."""
    if isinstance(shift, (int, np.integer)):
        return -shift
    return tuple(-int(s) for s in np.atleast_1d(shift))


# ---------------------------------------------------------------------------
# take, take_along_axis
# ---------------------------------------------------------------------------


def take_index(shape: Sequence[int], indices: Any, axis: Any = None, mode: str = "raise") -> Any:
    """The subscript that reads ``np.take(x, indices, axis, mode=mode)`` as ``x[index]`` (x of
    ``shape``), indices wrapped or clipped as ``mode`` says."""
    shape = tuple(shape)
    indices = np.asarray(indices)
    length = int(np.prod(shape, dtype=np.intp)) if axis is None else shape[int(axis) % len(shape)]
    if mode == "wrap":
        indices = np.mod(indices, length)
    elif mode == "clip":
        indices = np.clip(indices, 0, length - 1)
    else:
        indices = np.where(indices < 0, indices + length, indices)
    if axis is None:
        return np.unravel_index(indices, shape)
    at = int(axis) % len(shape)
    return (slice(None),) * at + (indices,)


def along_axis_index(shape: Sequence[int], indices: Any, axis: Any) -> Tuple[np.ndarray, ...]:
    """The subscript that reads ``np.take_along_axis(x, indices, axis)`` as ``x[index]``."""
    shape = tuple(shape)
    indices = np.asarray(indices)
    if axis is None:
        size = int(np.prod(shape, dtype=np.intp))
        return np.unravel_index(np.where(indices < 0, indices + size, indices), shape)
    at = int(axis) % len(shape)
    indices = np.where(indices < 0, indices + shape[at], indices)
    index = []
    for k in range(len(shape)):
        if k == at:
            index.append(indices)
        else:
            index.append(np.arange(shape[k]).reshape([-1 if j == k else 1
                                                       for j in range(len(shape))]))
    return tuple(index)
