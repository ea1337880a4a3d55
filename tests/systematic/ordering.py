"""Systematic cases of np.interp, np.diff and np.sort (s2sgrad/rules/ordering.py).

interp: x inside and outside the sample range, in every argument (x, xp, fp, left=, right=);
sample points drawn increasing and well apart, x kept away from them (the kinks). diff: n 1 to 3
over every axis, to second order. sort: every axis and the flattened sort, values drawn distinct
(no ties: sorting is then locally a fixed permutation), to second order.
"""

from __future__ import annotations

import numpy as np

from . import REAL, Sampler, grid


def _increasing(rng, shape):
    steps = rng.uniform(0.4, 1.0, shape)
    return np.cumsum(steps) - 1.0


def _distinct(rng, shape):
    n = int(np.prod(shape, dtype=int))
    values = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)
    return values.reshape(shape)


INCREASING = Sampler("increasing", _increasing)
DISTINCT = Sampler("distinct", _distinct)
WIDE = Sampler("wide", lambda rng, shape: rng.uniform(-2.5, 4.5, shape))


def _away_from_samples(x, xp, *rest):
    return np.min(np.abs(np.subtract.outer(np.atleast_1d(x), xp)), axis=-1) > 0.05


CASES = []
for shape in [(), (5,), (2, 3)]:
    CASES += grid("np.interp", "lambda x, xp, fp: np.interp(x, xp, fp)",
                  [(shape, (5,), (5,))], (WIDE, INCREASING, REAL), ok=_away_from_samples)
    CASES += grid("np.interp", "lambda x, xp, fp, l, r: np.interp(x, xp, fp, left=l, right=r)",
                  [(shape, (4,), (4,), (), ())], (WIDE, INCREASING, REAL, REAL, REAL),
                  label="left-right", ok=_away_from_samples)
    CASES += grid("np.interp", "lambda x, xp, fp, l: np.interp(x, xp, fp, l)",
                  [(shape, (4,), (4,), ())], (WIDE, INCREASING, REAL, REAL),
                  label="left-positional", ok=_away_from_samples)
    CASES += grid("np.interp", "lambda x, fp: np.interp(x, [0.0, 1.0, 2.5], fp)",
                  [(shape, (3,))], (WIDE, REAL), label="constant-xp", ok=lambda x, fp:
                  _away_from_samples(x, np.array([0.0, 1.0, 2.5])))

for shape, axes in [((5,), [-1, 0]), ((3, 4), [0, 1, -1]), ((2, 3, 4), [0, 1, 2])]:
    for axis in axes:
        for n in (1, 2, 3):
            if n >= shape[axis]:
                continue
            CASES += grid("np.diff", f"lambda a: np.diff(a, n={n}, axis={axis})", [(shape,)],
                          label=f"n{n}-axis{axis}")
    CASES += grid("np.diff", "lambda a: np.sum(np.diff(a) ** 3)", [(shape,)], label="order2",
                  order=2)
    CASES += grid("np.diff", "lambda a: np.diff(a, 2)", [(shape,)], label="positional-n")

for shape, axes in [((5,), [-1, 0, None]), ((3, 4), [0, 1, -1, None]), ((2, 3, 2), [0, 2])]:
    for axis in axes:
        CASES += grid("np.sort", f"lambda a: np.sort(a, axis={axis})", [(shape,)], (DISTINCT,),
                      label=f"axis{axis}")
        CASES += grid("np.sort",
                      f"lambda a: np.sum(np.sort(a, axis={axis}) ** 2 * "
                      f"np.arange(1.0, {int(np.prod(shape)) + 1}.0)"
                      f"{'' if axis is None else '.reshape(' + str(shape) + ')'})",
                      [(shape,)], (DISTINCT,), label=f"order2-axis{axis}", order=2)
    CASES += grid("np.sort", "lambda a: np.sort(a)", [(shape,)], (DISTINCT,), label="default")
