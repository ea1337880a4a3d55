"""The conventions of the reduction and statistics rules where finite differences cannot check
them: NaN entries of the nan-reductions (exactly zero gradient, also for a slice of NaNs),
non-finite entries of nan_to_num, ties of order statistics (split evenly), exact zeros of
cumprod, and constant slices of std. The systematic tables (tests/systematic/) check the smooth
cases; here the expected derivatives are written out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2sgrad as sg

NAN = np.nan
X = np.array([[1.0, NAN, 3.0],
              [NAN, NAN, NAN],
              [2.0, 5.0, -1.0]])       # row 1: a slice of NaNs (along axis 1)
VALID = ~np.isnan(X)


def nansum_rows(x):
    return np.sum(np.nansum(x, axis=1) * np.array([1.0, 2.0, 3.0]))


def nanmean_rows(x):
    return np.sum(np.nanmean(x, axis=1) * np.array([1.0, 2.0, 3.0]))


def nanmax_columns(x):
    return np.sum(np.nanmax(x, axis=0))


def nanmin_all(x):
    return np.nanmin(x)


def nansum_all(x):
    return np.nansum(x)


def nanmean_all(x):
    return np.nanmean(x)


def test_nansum_gradient_is_zero_at_nans():
    g = sg.grad(nansum_rows)(X)
    expected = np.where(VALID, np.array([[1.0], [2.0], [3.0]]), 0.0)
    np.testing.assert_array_equal(g, expected)
    np.testing.assert_array_equal(sg.grad(nansum_all)(X), VALID.astype(float))


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
def test_nanmean_gradient_divides_by_the_valid_count():
    g = sg.grad(nanmean_rows)(X)
    expected = np.array([[1 / 2, 0.0, 1 / 2], [0.0, 0.0, 0.0], [3 / 3, 3 / 3, 3 / 3]])
    np.testing.assert_allclose(g, expected, rtol=0, atol=1e-15)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(sg.grad(nanmean_all)(X), VALID / VALID.sum(), atol=1e-15)


@pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")
def test_nanmax_and_nanmin_skip_nans():
    g = sg.grad(nanmax_columns)(X)
    expected = np.zeros_like(X)
    expected[2, 0] = expected[2, 1] = expected[0, 2] = 1.0
    np.testing.assert_array_equal(g, expected)
    g = sg.grad(nanmin_all)(X)
    expected = np.zeros_like(X)
    expected[2, 2] = 1.0
    np.testing.assert_array_equal(g, expected)


@pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")
def test_a_slice_of_nans_gets_zero_gradient():
    def nanmax_rows(x):
        return np.nanmax(x, axis=1)

    value, back = sg.vjp(nanmax_rows, X)
    assert np.isnan(value[1])
    (g,) = back(np.array([1.0, 1.0, 1.0]))
    assert np.all(np.isfinite(g))
    np.testing.assert_array_equal(g[1], 0.0)


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.parametrize("fn", [nansum_rows, nanmean_rows, nansum_all, nanmean_all, nanmin_all])
def test_forward_mode_ignores_tangents_at_nans(fn):
    """A tangent placed only on NaN entries changes nothing; on valid entries it is the
    gradient's dot product."""
    rng = np.random.default_rng(0)
    on_nans = np.where(VALID, 0.0, 1e3)
    assert sg.jvp(fn, [X], [on_nans])[1] == 0.0
    v = np.where(VALID, rng.standard_normal(X.shape), 0.0)
    np.testing.assert_allclose(sg.jvp(fn, [X], [v])[1], np.sum(sg.grad(fn)(X) * v), rtol=1e-12)


def test_nan_to_num_passes_finite_entries_and_feeds_the_fills():
    x = np.array([1.0, NAN, np.inf, -np.inf, -2.0])

    def fill(x, n, p):
        return np.sum(np.nan_to_num(x, nan=n, posinf=p, neginf=-2.0 * p) * np.arange(1.0, 6.0))

    gx, gn, gp = sg.grad(fill, wrt=(0, 1, 2))(x, 0.5, 3.0)
    np.testing.assert_array_equal(gx, [1.0, 0.0, 0.0, 0.0, 5.0])
    assert gn == 2.0 and gp == 3.0 - 2.0 * 4.0


def test_ties_of_order_statistics_split_evenly():
    def median(x):
        return np.median(x)

    def quantile(x):
        return np.quantile(x, 1.0)        # the maximum: splits as np.max does

    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0])   # median 2.0, held by two entries
    np.testing.assert_allclose(sg.grad(median)(x), [0.0, 0.0, 0.5, 0.5, 0.0])
    y = np.array([4.0, 1.0, 4.0, 4.0])
    np.testing.assert_allclose(sg.grad(quantile)(y), [1 / 3, 0.0, 1 / 3, 1 / 3])

    def median_even(x):
        return np.median(x)               # interpolates between 2 (two ties) and 3

    # sorted: 1, 2, 2, 3, 7, 9 -> median (2 + 3) / 2: weight 1/2 to the 3, and 1/2 split over
    # both 2s
    z = np.array([2.0, 3.0, 2.0, 9.0, 1.0, 7.0])
    np.testing.assert_allclose(sg.grad(median_even)(z), [0.25, 0.5, 0.25, 0.0, 0.0, 0.0])


def test_cumprod_is_exact_with_zeros():
    def weighted(x):
        return np.sum(np.cumprod(x) * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))

    x = np.array([2.0, 3.0, 0.0, 4.0, 0.0])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # z = [2, 6, 0, 0, 0]; d/dx_i sum_j w_j prod_{k<=j} x_k, term by term
    expected = np.zeros(5)
    for i in range(5):
        for j in range(i, 5):
            expected[i] += w[j] * np.prod(np.delete(x[: j + 1], i))
    np.testing.assert_allclose(sg.grad(weighted)(x), expected, rtol=1e-14)
    v = np.array([0.3, -1.0, 2.0, 0.5, 1.5])
    np.testing.assert_allclose(sg.jvp(weighted, [x], [v])[1], expected @ v, rtol=1e-14)


def test_std_of_a_constant_slice_has_zero_gradient():
    def std(x):
        return np.sum(np.std(x, axis=1))

    x = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])
    g = sg.grad(std)(x)
    assert np.all(np.isfinite(g))
    np.testing.assert_array_equal(g[0], 0.0)
    row = x[1]
    np.testing.assert_allclose(g[1], (row - row.mean()) / (row.size * row.std()))
