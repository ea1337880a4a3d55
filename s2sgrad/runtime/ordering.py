"""Helpers of the rules for `np.interp`, `np.diff` and `np.sort` (rules/ordering.py).

Each pair of helpers is a linear map and its transpose, so the rules of one are written with the
other and second derivatives work: `diff_transpose` is the transpose of `np.diff`, `unsort` the
transpose of reading `x` in sorted order (`sort_like`), and the `interp_*` helpers the parts of
linear interpolation between the sample points.
"""

import numpy as np


def diff_transpose(g, n, axis):
    """The transpose of `np.diff(., n, axis)` applied to g (which has n fewer entries on axis)."""
    g = np.asarray(g)
    for _ in range(n):
        width = [(0, 0)] * g.ndim
        width[axis] = (1, 0)
        later = np.pad(g, width)
        width[axis] = (0, 1)
        g = later - np.pad(g, width)
    return g


def sort_like(t, x, axis):
    """t read in the order that sorts x along axis (`np.sort`'s tangent); x=None: flattened."""
    if axis is None:
        return np.ravel(t)[np.argsort(x, axis=None, kind="stable")]
    return np.take_along_axis(np.asarray(t), np.argsort(x, axis=axis, kind="stable"), axis=axis)


def unsort(g, x, axis):
    """The transpose of `sort_like`: g put back where the sorted entries of x came from."""
    order = np.argsort(x, axis=None if axis is None else axis, kind="stable")
    out = np.zeros(np.shape(x), dtype=np.result_type(g, float))
    if axis is None:
        out.reshape(-1)[order] = np.ravel(g)
        return out
    np.put_along_axis(out, order, np.asarray(g, dtype=out.dtype), axis=axis)
    return out


def interp_segments(x, xp):
    """For each x: the index i of its segment [xp[i], xp[i+1]], the position t in it (0 to 1),
    and masks of the points left of xp[0] and right of xp[-1]."""
    xp = np.asarray(xp, dtype=float)
    x = np.asarray(x, dtype=float)
    i = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    t = (x - xp[i]) / (xp[i + 1] - xp[i])
    left, right = x < xp[0], x > xp[-1]
    return i, np.clip(t, 0.0, 1.0), left, right


def interp_adjoint_x(g, x, xp, fp):
    """d interp / dx: the slope of the segment x falls in (0 outside the sample range)."""
    i, _, left, right = interp_segments(x, xp)
    xp, fp = np.asarray(xp, dtype=float), np.asarray(fp, dtype=float)
    slope = (fp[i + 1] - fp[i]) / (xp[i + 1] - xp[i])
    return g * np.where(left | right, 0.0, slope)


def interp_adjoint_fp(g, x, xp, fp, left_given, right_given):
    """The adjoint of fp: the interpolation weights of each x, summed per sample point (points
    outside the range take fp[0] / fp[-1] unless left= / right= were given)."""
    i, t, left, right = interp_segments(x, xp)
    g = np.broadcast_to(g, np.shape(t))
    inside = ~(left | right)
    out = np.zeros(len(xp), dtype=np.result_type(g, float))
    np.add.at(out, i, np.where(inside, g * (1.0 - t), 0.0))
    np.add.at(out, i + 1, np.where(inside, g * t, 0.0))
    if not left_given:
        out[0] += np.sum(np.where(left, g, 0.0))
    if not right_given:
        out[-1] += np.sum(np.where(right, g, 0.0))
    return out


def interp_adjoint_xp(g, x, xp, fp):
    """The adjoint of xp: moving the ends of a segment moves the interpolated value."""
    i, _, left, right = interp_segments(x, xp)
    xp, fp, x = np.asarray(xp, dtype=float), np.asarray(fp, dtype=float), np.asarray(x, float)
    g = np.broadcast_to(g, np.shape(i))
    inside = ~(left | right)
    h = xp[i + 1] - xp[i]
    rise = fp[i + 1] - fp[i]
    out = np.zeros(len(xp), dtype=np.result_type(g, float))
    np.add.at(out, i, np.where(inside, g * rise * (x - xp[i + 1]) / (h * h), 0.0))
    np.add.at(out, i + 1, np.where(inside, -g * rise * (x - xp[i]) / (h * h), 0.0))
    return out


def interp_outside(g, x, xp, side):
    """The adjoint of left= (side 0) or right= (side 1): the sum of g over the points there."""
    x = np.asarray(x, dtype=float)
    mask = x < xp[0] if side == 0 else x > xp[-1]
    return np.sum(np.where(mask, g, 0.0))


def _zero(tangent):
    return tangent is None or (np.ndim(tangent) == 0 and tangent == 0)


def interp_tangent(dx, dxp, dfp, x, xp, fp, left_given, right_given, dleft, dright):
    """The tangent of np.interp(x, xp, fp, left, right); a tangent that is zero may come as a
    0 (the rule passes zero tangents as the number 0)."""
    i, t, left, right = interp_segments(x, xp)
    inside = ~(left | right)
    xp_, fp_, x_ = np.asarray(xp, float), np.asarray(fp, float), np.asarray(x, float)
    h = xp_[i + 1] - xp_[i]
    rise = fp_[i + 1] - fp_[i]
    out = np.zeros(np.shape(t))
    if not _zero(dx):
        out = out + np.where(inside, rise / h * dx, 0.0)
    if not _zero(dfp):
        dfp = np.asarray(dfp, float)
        out = out + np.where(inside, (1.0 - t) * dfp[i] + t * dfp[i + 1], 0.0)
        if not left_given:
            out = out + np.where(left, dfp[0], 0.0)
        if not right_given:
            out = out + np.where(right, dfp[-1], 0.0)
    if not _zero(dxp):
        dxp = np.asarray(dxp, float)
        out = out + np.where(inside, rise * ((x_ - xp_[i + 1]) * dxp[i]
                                            - (x_ - xp_[i]) * dxp[i + 1]) / (h * h), 0.0)
    if not _zero(dleft):
        out = out + np.where(left, dleft, 0.0)
    if not _zero(dright):
        out = out + np.where(right, dright, 0.0)
    return out if np.ndim(x) else out[()]
