"""TensorFlow's gradient clipping: `tf.clip_by_norm`, `tf.clip_by_global_norm`,
`tf.linalg.global_norm` and `tf.clip_by_value`, on NumPy.

The formulas are TensorFlow's: `clip_by_norm(t, c) = t * c / max(l2norm(t), c)` and
`clip_by_global_norm(ts, c) = [t * c / max(global_norm, c)]` (`None` entries pass through; a
non-finite global norm makes every result NaN, as in TensorFlow). Values are converted with
`convert_to_tensor`, so Python numbers give float32 Tensors as in TensorFlow. The functions are
differentiable (with the norms' gradients at t = 0 taken as 0), though they are usually applied
to gradients outside any derivative.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from .ops import _axis, clip_by_value, convert_to_tensor, maximum

__all__ = ["clip_by_norm", "clip_by_global_norm", "global_norm", "clip_by_value"]


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: Optional[str] = None) -> Any:
    """`tf.clip_by_norm`: t scaled down so that its L2 norm over `axes` (None: all) is at most
    clip_norm: t * clip_norm / max(l2norm(t), clip_norm). E.g. clip_by_norm(9., 5) is 5."""
    t = convert_to_tensor(t)
    squared = np.sum(t * t, axis=_axis(axes), keepdims=True)
    positive = squared > 0
    # sqrt(0) has an infinite derivative: take the root of 1 where the sum is 0, then use 0.
    norm = np.where(positive, np.sqrt(np.where(positive, squared, 1.0)), 0.0)
    return t * clip_norm / maximum(norm, clip_norm)


def global_norm(t_list: Any, name: Optional[str] = None) -> Any:
    """`tf.linalg.global_norm`: sqrt(sum of squares of every entry of every tensor in t_list);
    `None` entries are skipped. E.g. global_norm([9., 12.]) is 15."""
    total = 0.0
    for t in t_list:
        if t is not None:
            total = total + np.sum(np.square(convert_to_tensor(t)))
    return np.sqrt(total)


def clip_by_global_norm(t_list: Any, clip_norm: Any, use_norm: Any = None,
                        name: Optional[str] = None) -> Tuple[List[Any], Any]:
    """`tf.clip_by_global_norm`: (the tensors scaled by clip_norm / max(global_norm, clip_norm),
    global_norm). `None` entries stay `None`; `use_norm`, when given, replaces the global norm.
    E.g. clip_by_global_norm([9., 12.], 5) is ([3., 4.], 15.)."""
    if use_norm is None:
        use_norm = global_norm(t_list)
    scale = clip_norm / maximum(use_norm, clip_norm)
    scale = np.where(np.isfinite(use_norm), scale, np.nan)
    clipped = []
    for t in t_list:
        if t is None:
            clipped.append(None)
        else:
            clipped.append(convert_to_tensor(t) * scale)
    return clipped, use_norm
