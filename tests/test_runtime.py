"""Numerical tests for s2sgrad.runtime.

Every adjoint helper is checked with the dot-product test against central
finite differences of the forward NumPy function: for a random cotangent
``g`` (shaped like the output) and a random direction ``v`` (shaped like the
input),

    <adjoint(g), v>  ==  (<g, f(x + eps v)> - <g, f(x - eps v)>) / (2 eps).

Hand-written expected values are used only for tiny, checkable cases such as
ties in ``max`` or zeros in ``prod``.
"""

from __future__ import annotations

import itertools
import zlib
from typing import Any, Callable, Tuple

import numpy as np
import pytest

from s2sgrad import runtime as rt

EPS = 1e-6
RTOL = 1e-6


def _rng(*salt: Any) -> np.random.Generator:
    """A generator seeded from the test's parameters, so runs are repeatable."""
    return np.random.default_rng(zlib.crc32(repr(salt).encode()))


def _random(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal(shape)


def _inner(u: Any, w: Any) -> float:
    return float(np.sum(np.asarray(u) * np.asarray(w)))


def assert_adjoint_matches(
    forward: Callable[[np.ndarray], Any],
    adjoint: Callable[[np.ndarray], Any],
    x: Any,
    rng: np.random.Generator,
) -> None:
    """Dot-product test of ``adjoint`` against finite differences of ``forward``."""
    out = forward(x)
    g = _random(rng, np.shape(out))
    v = _random(rng, np.shape(x))
    grad = adjoint(g)
    assert np.shape(grad) == np.shape(x), (np.shape(grad), np.shape(x))
    lhs = _inner(grad, v)
    rhs = (_inner(g, forward(x + EPS * v)) - _inner(g, forward(x - EPS * v))) / (2 * EPS)
    scale = max(abs(lhs), abs(rhs), 1e-3)
    assert abs(lhs - rhs) <= RTOL * scale, (lhs, rhs)


def test_checker_rejects_a_wrong_adjoint():
    """The dot-product test must be able to fail."""
    rng = _rng("wrong")
    a, b = _random(rng, (2, 3)), _random(rng, (3, 4))
    with pytest.raises(AssertionError):
        assert_adjoint_matches(
            lambda a_: a_ @ b, lambda g: 1.01 * rt.matmul_adjoint_lhs(g, a, b), a, rng
        )
    c = _random(rng, (3, 3))
    d = _random(rng, (3, 3))
    with pytest.raises(AssertionError):
        # A missing transpose: the shape is right, the values are not.
        assert_adjoint_matches(lambda c_: c_ @ d, lambda g: g @ d, c, rng)


# ---------------------------------------------------------------------------
# unbroadcast
# ---------------------------------------------------------------------------

_SHAPES = [(), (2,), (3, 2), (1, 2), (4, 1, 2)]


def _broadcasting_pairs():
    for x_shape, other in itertools.product(_SHAPES, repeat=2):
        try:
            out = np.broadcast_shapes(x_shape, other)
        except ValueError:
            continue
        yield x_shape, out


@pytest.mark.parametrize("x_shape,out_shape", list(_broadcasting_pairs()))
def test_unbroadcast_is_adjoint_of_broadcast(x_shape, out_shape):
    rng = _rng("unbroadcast", x_shape, out_shape)
    x = _random(rng, x_shape)
    assert_adjoint_matches(
        lambda x_: np.broadcast_to(x_, out_shape), lambda g: rt.unbroadcast(g, x), x, rng
    )


def test_unbroadcast_fast_path_returns_same_object():
    g = np.ones((3, 2))
    assert rt.unbroadcast(g, np.zeros((3, 2))) is g


def test_unbroadcast_keeps_dtype_and_handles_python_scalars():
    g = np.ones((4, 3, 2), dtype=np.float32)
    assert rt.unbroadcast(g, np.zeros((1, 2))).dtype == np.float32
    total = rt.unbroadcast(g, 1.5)
    assert np.shape(total) == ()
    assert total == 24.0
    assert np.asarray(total).dtype == np.float32


def test_unbroadcast_broadcasts_a_smaller_gradient_up():
    result = rt.unbroadcast(np.float64(2.0), np.zeros((2, 3)))
    np.testing.assert_array_equal(result, np.full((2, 3), 2.0))


# ---------------------------------------------------------------------------
# expand_reduced
# ---------------------------------------------------------------------------

_REDUCTIONS = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]


@pytest.mark.parametrize("axis", _REDUCTIONS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_expand_reduced_lines_up_with_keepdims_shape(axis, keepdims):
    x = np.zeros((2, 3, 4))
    g = np.sum(x, axis=axis, keepdims=keepdims)
    expanded = rt.expand_reduced(g, x, axis, keepdims)
    keep_shape = np.sum(x, axis=axis, keepdims=True).shape
    if axis is None and not keepdims:
        assert np.shape(expanded) == ()
    else:
        assert np.shape(expanded) == keep_shape


@pytest.mark.parametrize("axis", _REDUCTIONS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_expand_reduced_gives_adjoint_of_sum(axis, keepdims):
    rng = _rng("expand", axis, keepdims)
    x = _random(rng, (2, 3, 4))
    assert_adjoint_matches(
        lambda x_: np.sum(x_, axis=axis, keepdims=keepdims),
        lambda g: np.broadcast_to(rt.expand_reduced(g, x, axis, keepdims), x.shape),
        x,
        rng,
    )


def test_expand_reduced_zero_dim_axis_zero():
    x = np.array(3.0)
    assert np.shape(rt.expand_reduced(np.sum(x, axis=0), x, 0, False)) == ()


# ---------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------

_MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 2)),
    ((3, 4), (2, 4, 5)),
    ((5, 3), (3,)),
    ((2, 5, 3), (3,)),
]


@pytest.mark.parametrize("a_shape,b_shape", _MATMUL_SHAPES)
def test_matmul_adjoints(a_shape, b_shape):
    rng = _rng("matmul", a_shape, b_shape)
    a, b = _random(rng, a_shape), _random(rng, b_shape)
    assert_adjoint_matches(
        lambda a_: np.matmul(a_, b), lambda g: rt.matmul_adjoint_lhs(g, a, b), a, rng
    )
    assert_adjoint_matches(
        lambda b_: np.matmul(a, b_), lambda g: rt.matmul_adjoint_rhs(g, a, b), b, rng
    )


def test_matmul_2d_fast_path_keeps_float32():
    a = np.ones((2, 3), dtype=np.float32)
    b = np.ones((3, 4), dtype=np.float32)
    g = np.ones((2, 4), dtype=np.float32)
    assert rt.matmul_adjoint_lhs(g, a, b).dtype == np.float32
    assert rt.matmul_adjoint_rhs(g, a, b).dtype == np.float32


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

_DOT_SHAPES = [
    ((), ()),
    ((), (3,)),
    ((2, 3), ()),
    ((3,), (3,)),
    ((2, 3), (3, 4)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 4, 3), (3,)),
    ((3,), (5, 3, 4)),
    ((2, 4, 3), (3, 2)),
    ((2, 3), (5, 3, 4)),
    ((2, 4, 3), (5, 3, 2)),
    ((2, 1, 3), (2, 2, 3, 2)),
]


@pytest.mark.parametrize("a_shape,b_shape", _DOT_SHAPES)
def test_dot_adjoints(a_shape, b_shape):
    rng = _rng("dot", a_shape, b_shape)
    a, b = _random(rng, a_shape), _random(rng, b_shape)
    assert_adjoint_matches(lambda a_: np.dot(a_, b), lambda g: rt.dot_adjoint_lhs(g, a, b), a, rng)
    assert_adjoint_matches(lambda b_: np.dot(a, b_), lambda g: rt.dot_adjoint_rhs(g, a, b), b, rng)


def test_dot_with_python_scalars():
    b = np.array([1.0, 2.0, 3.0])
    g = np.array([0.5, -1.0, 2.0])
    assert rt.dot_adjoint_lhs(g, 2.0, b) == pytest.approx(np.dot(g, b))
    np.testing.assert_allclose(rt.dot_adjoint_rhs(g, 2.0, b), 2.0 * g)
    assert rt.dot_adjoint_lhs(3.0, 2.0, 5.0) == pytest.approx(15.0)


# ---------------------------------------------------------------------------
# prod
# ---------------------------------------------------------------------------

_PROD_AXES = [None, 0, 1, -1, -3, (0, 2), (2, 0), (-1, 1), (0, 1, 2), ()]


def _prod_input(rng: np.random.Generator, zeros: int) -> np.ndarray:
    """A (2, 3, 4) array; ``zeros`` zeros are placed in the same slice for
    every reduction tested (they share all their indices but the last)."""
    x = _random(rng, (2, 3, 4))
    if zeros >= 1:
        x[1, 2, 1] = 0.0
    if zeros >= 2:
        x[1, 2, 3] = 0.0
    return x


@pytest.mark.parametrize("axis", _PROD_AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_prod_adjoint(axis, keepdims, zeros):
    rng = _rng("prod", axis, keepdims, zeros)
    x = _prod_input(rng, zeros)
    assert_adjoint_matches(
        lambda x_: np.prod(x_, axis=axis, keepdims=keepdims),
        lambda g: rt.prod_adjoint(g, x, axis, keepdims),
        x,
        rng,
    )


def test_prod_adjoint_zeros_by_hand():
    np.testing.assert_array_equal(rt.prod_adjoint(1.0, np.array([0.0, 2.0, 3.0])), [6.0, 0.0, 0.0])
    np.testing.assert_array_equal(rt.prod_adjoint(1.0, np.array([0.0, 0.0, 3.0])), [0.0, 0.0, 0.0])
    x = np.array([[2.0, 0.0, 5.0], [1.0, 3.0, 4.0]])
    expected = np.array([[0.0, 10.0, 0.0], [12.0, 4.0, 3.0]])
    np.testing.assert_array_equal(rt.prod_adjoint(np.ones(2), x, axis=1), expected)


def test_prod_adjoint_scalar_and_empty():
    assert rt.prod_adjoint(2.0, 5.0) == 2.0
    assert rt.prod_adjoint(np.ones(2), np.zeros((2, 0)), axis=1).shape == (2, 0)


# ---------------------------------------------------------------------------
# max / min
# ---------------------------------------------------------------------------

_EXTREMUM_AXES = [None, 0, -1, (0, 2), (1,)]


@pytest.mark.parametrize("reduce", [np.max, np.min])
@pytest.mark.parametrize("axis", _EXTREMUM_AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_extremum_adjoint_without_ties(reduce, axis, keepdims):
    rng = _rng("extremum", reduce.__name__, axis, keepdims)
    x = _random(rng, (2, 3, 4))  # continuous values: no ties
    z = reduce(x, axis=axis, keepdims=keepdims)
    assert_adjoint_matches(
        lambda x_: reduce(x_, axis=axis, keepdims=keepdims),
        lambda g: rt.extremum_adjoint(g, x, z, axis, keepdims),
        x,
        rng,
    )


def test_extremum_adjoint_splits_ties_evenly():
    x = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    grad = rt.extremum_adjoint(1.5, x, np.max(x))
    np.testing.assert_array_equal(grad, [0.0, 0.5, 0.5, 0.0, 0.5])


def test_extremum_adjoint_ties_along_axis():
    x = np.array([[4.0, 4.0, 1.0], [0.0, 2.0, 0.0]])
    g = np.array([2.0, 6.0])
    np.testing.assert_array_equal(
        rt.extremum_adjoint(g, x, np.max(x, axis=1), axis=1),
        [[1.0, 1.0, 0.0], [0.0, 6.0, 0.0]],
    )
    np.testing.assert_array_equal(
        rt.extremum_adjoint(g, x, np.min(x, axis=1), axis=1),
        [[0.0, 0.0, 2.0], [3.0, 0.0, 3.0]],
    )
    g_keep = g[:, None]
    np.testing.assert_array_equal(
        rt.extremum_adjoint(g_keep, x, np.max(x, axis=1, keepdims=True), axis=1, keepdims=True),
        [[1.0, 1.0, 0.0], [0.0, 6.0, 0.0]],
    )


# ---------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------

_MASK = np.array(
    [
        [True, False, True, False],
        [False, False, True, True],
        [True, True, False, False],
        [False, False, False, True],
        [True, False, True, True],
    ]
)

_INDICES = {
    "int": 2,
    "negative int": -1,
    "slice": slice(1, 4),
    "negative step": slice(None, None, -2),
    "tuple": (1, slice(None)),
    "tuple of ints": (3, -2),
    "slice and int": (slice(0, 3), 1),
    "ellipsis and newaxis": (Ellipsis, None, 1),
    "boolean mask": _MASK,
    "boolean rows": np.array([True, False, True, True, False]),
    "fancy with repeats": np.array([0, 2, 2, 1, 0, 2]),
    "fancy list": [4, 4, 1],
    "fancy pairs with repeats": (np.array([0, 0, 3, 0]), np.array([1, 1, 2, 1])),
    "fancy and slice": (slice(1, None), np.array([3, 3, 0])),
}


@pytest.mark.parametrize("name", list(_INDICES))
def test_index_adjoint(name):
    index = _INDICES[name]
    rng = _rng("index", name)
    x = _random(rng, (5, 4))
    assert_adjoint_matches(lambda x_: x_[index], lambda g: rt.index_adjoint(g, x, index), x, rng)


def test_index_adjoint_accumulates_repeats_by_hand():
    grad = rt.index_adjoint(np.array([1.0, 2.0, 3.0]), np.zeros(3), np.array([0, 0, 2]))
    np.testing.assert_array_equal(grad, [3.0, 0.0, 3.0])


def test_index_adjoint_dtypes():
    x32 = np.zeros(4, dtype=np.float32)
    assert rt.index_adjoint(np.float32(1.0), x32, 1).dtype == np.float32
    assert rt.index_adjoint(1.0, np.arange(4), 1).dtype == np.float64
    assert rt.index_adjoint(np.ones(2, dtype=np.complex128), np.zeros(4), [0, 0]).dtype.kind == "c"


# ---------------------------------------------------------------------------
# zeros_like
# ---------------------------------------------------------------------------


def test_zeros_like():
    assert rt.zeros_like(2.5) == 0.0 and type(rt.zeros_like(2.5)) is float
    assert type(rt.zeros_like(3)) is float
    z32 = rt.zeros_like(np.float32(2.0))
    assert type(z32) is np.float32 and z32 == 0
    assert rt.zeros_like(np.int64(2)).dtype == np.float64
    arr = rt.zeros_like(np.ones((2, 3), dtype=np.float32))
    assert arr.shape == (2, 3) and arr.dtype == np.float32 and not arr.any()
    ints = rt.zeros_like(np.arange(3))
    assert ints.dtype == np.float64 and ints.shape == (3,)
    assert rt.zeros_like(np.ones(2, dtype=np.complex64)).dtype == np.complex64


# ---------------------------------------------------------------------------
# finalize_grad
# ---------------------------------------------------------------------------


def test_finalize_grad_python_float():
    out = rt.finalize_grad(np.float64(2.5), 1.0)
    assert type(out) is float and out == 2.5
    assert type(rt.finalize_grad(np.array(3.0), 4)) is float


def test_finalize_grad_numpy_scalar_keeps_type():
    out = rt.finalize_grad(np.float64(1.25), np.float32(2.0))
    assert type(out) is np.float32 and out == np.float32(1.25)
    assert type(rt.finalize_grad(np.array(1.0), np.float64(2.0))) is np.float64


def test_finalize_grad_float32_array_stays_float32():
    x = np.ones(3, dtype=np.float32)
    out = rt.finalize_grad(np.arange(3.0), x)
    assert out.dtype == np.float32 and out.shape == (3,)
    np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])


def test_finalize_grad_no_copy_when_already_fine():
    g = np.arange(6.0).reshape(2, 3)
    assert rt.finalize_grad(g, np.ones((2, 3))) is g


def test_finalize_grad_copies_read_only_broadcast_view():
    g = np.broadcast_to(np.array([1.0, 2.0, 3.0]), (2, 3))
    out = rt.finalize_grad(g, np.ones((2, 3)))
    assert out.flags.writeable and out.shape == (2, 3)
    out[0, 0] = 10.0
    assert g[1, 0] == 1.0


def test_finalize_grad_copies_when_aliasing_the_input():
    x = np.ones(3)
    out = rt.finalize_grad(x, x)
    assert out is not x
    np.testing.assert_array_equal(out, x)


def test_finalize_grad_scalar_zero_for_array_input():
    out = rt.finalize_grad(0.0, np.ones((2, 2), dtype=np.float32))
    assert out.shape == (2, 2) and out.dtype == np.float32 and out.flags.writeable
    assert not out.any()
    none_out = rt.finalize_grad(None, np.ones(3))
    assert none_out.shape == (3,) and not none_out.any()


def test_finalize_grad_integer_array_gets_float():
    out = rt.finalize_grad(np.ones(3), np.arange(3))
    assert out.dtype == np.float64


def test_finalize_grad_complex():
    x = np.ones(2, dtype=np.complex128)
    g = np.array([1 + 2j, 3 - 1j])
    assert rt.finalize_grad(g, x) is g
    assert rt.finalize_grad(g.astype(np.complex64), x).dtype == np.complex128
    assert rt.finalize_grad(1 + 1j, 2j) == 1 + 1j
    assert type(rt.finalize_grad(np.complex128(1j), np.complex64(1))) is np.complex64


def test_finalize_grad_zero_dim_array():
    out = rt.finalize_grad(np.float64(2.0), np.array(1.0, dtype=np.float32))
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float32


# ---------------------------------------------------------------------------
# scalar_seed and stop_gradient
# ---------------------------------------------------------------------------


def test_scalar_seed_rejects_non_scalar_output():
    with pytest.raises(rt.NonScalarOutput) as info:
        rt.scalar_seed(np.zeros(2), 1.0)
    assert info.value.shape == (2,)
    assert "(2,)" in str(info.value)


def test_scalar_seed_converts_dtype():
    seed = rt.scalar_seed(np.float32(3.0), 1.0)
    assert type(seed) is np.float32 and seed == 1.0
    assert rt.scalar_seed(np.array(3.0, dtype=np.float32), 1.0).dtype == np.float32
    assert type(rt.scalar_seed(np.float64(3.0), 1.0)) is np.float64


def test_scalar_seed_python_number_unchanged():
    b = 1.0
    assert rt.scalar_seed(2.0, b) is b
    assert rt.scalar_seed(7, b) is b


def test_stop_gradient_is_identity():
    x = np.arange(3.0)
    assert rt.stop_gradient(x) is x
    assert rt.stop_gradient(2.5) == 2.5


@pytest.mark.parametrize("x", [0.3, 1.0, 2.5, 7.0, 40.0, -0.5, -2.3])
def test_digamma_is_the_derivative_of_lgamma(x):
    import math

    from s2sgrad.runtime import digamma

    eps = 1e-6
    numeric = (math.lgamma(x + eps) - math.lgamma(x - eps)) / (2 * eps)
    assert math.isclose(digamma(x), numeric, rel_tol=1e-6, abs_tol=1e-8)


def test_add_entries_of_adjoints_of_a_list_of_two_lengths():
    # The adjoint of a stack made before an `append`, added to one made after it: the entry the
    # shorter one lacks is zero, so it is kept (not dropped, as zip would).
    a = [np.array([1.0, 2.0])]
    b = [np.array([0.5, 0.5]), 3.0]
    for total in (rt.containers.add_entries(a, b), rt.containers.add_entries(b, a)):
        assert len(total) == 2
        np.testing.assert_allclose(total[0], [1.5, 2.5])
        assert total[1] == 3.0
    assert rt.containers.add_entries([], b) is not b
