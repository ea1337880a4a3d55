"""`s2sgrad.GradientTape` against TensorFlow 2's semantics, with every expected value worked out by
hand (in a comment) or by an independent NumPy formula; s2sgrad is never compared to itself.

The tape differentiates the *code* of its `with` block, so every block here sits in this file.
Sections: first order and the tape API; Python control flow; Variables; side effects happen once;
errors. Where s2sgrad deviates from TensorFlow the test states TensorFlow's behaviour and is
marked `xfail(strict=True)` with the reason.
"""

import collections
import os
import re

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad import GradientTape, UnconnectedGradients
import s2sgrad.tf as tf_layer

RNG = np.random.default_rng(20240607)
DTYPES = [np.float32, np.float64]
SHAPES = [(), (5,), (3, 4), (2, 3, 2)]
ONE_USE = ("A non-persistent GradientTape can only be used to compute one set of gradients "
           "(or jacobians)")


def rand(shape, dtype=np.float64, low=None, high=None):
    """Random test data of the given shape and dtype (0-d for shape ())."""
    if low is not None:
        value = RNG.uniform(low, high, size=shape)
    else:
        value = RNG.standard_normal(shape)
    return np.asarray(value).astype(dtype)[()] if shape == () else \
        np.asarray(value).astype(dtype)


def tensor(shape, dtype=np.float64, low=None, high=None):
    return sg.constant(rand(shape, dtype, low, high))


def f64(x):
    """A plain float64 NumPy copy of a tensor, Variable or number, for the hand formulas."""
    if isinstance(x, sg.Variable):
        x = x.numpy()
    return np.array(x, dtype=np.float64)


def check(actual, expected, dtype=None, shape=None):
    """`actual` is a gradient tensor equal to `expected` (float32: to 2e-5 relative)."""
    assert actual is not None, "expected a gradient, got None"
    array = np.asarray(actual)
    if dtype is not None:
        assert array.dtype == np.dtype(dtype), f"dtype {array.dtype}, expected {np.dtype(dtype)}"
    if shape is not None:
        assert array.shape == tuple(shape), f"shape {array.shape}, expected {shape}"
    tol = 2e-5 if array.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(array.astype(np.float64), np.asarray(expected, np.float64),
                               rtol=tol, atol=tol)


def line_of(text):
    """The line number of the (unique) line of this file whose stripped text is `text`."""
    with open(__file__, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if line.strip() == text]
    assert len(hits) == 1, hits
    return hits[0]


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of a scalar NumPy function of a float64 array (the check for the
    compound examples whose gradient is tedious by hand)."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


# =================================================================================================
# 1. First order, the tape API
# =================================================================================================


def test_seed_first_order_scalar():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    dy_dx = tape.gradient(y, x)
    # d(x^2)/dx = 2x = 6 at x = 3; tf.constant(3.0) is float32, and so is its gradient
    assert isinstance(dy_dx, sg.Tensor)
    check(dy_dx, 6.0, np.float32, ())
    assert dy_dx.numpy() == 6.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_first_order_elementwise(shape, dtype):
    x = tensor(shape, dtype)
    with GradientTape() as tape:
        tape.watch(x)
        y = np.sum(np.sin(x) * x) + np.sum(x ** 3) / 3.0
    grad = tape.gradient(y, x)
    xv = f64(x)
    # d/dx [x sin x + x^3 / 3] = sin x + x cos x + x^2, entry by entry
    check(grad, np.sin(xv) + xv * np.cos(xv) + xv ** 2, dtype, shape)


@pytest.mark.parametrize("dtype", DTYPES)
def test_first_order_matrices(dtype):
    W = tensor((3, 4), dtype)
    b = tensor((3,), dtype)
    x = tensor((5, 4), dtype)
    with GradientTape() as tape:
        tape.watch([W, b, x])
        h = np.tanh(x @ W.T + b)
        loss = np.sum(h * h)
    gW, gb, gx = tape.gradient(loss, [W, b, x])
    Wv, bv, xv = f64(W), f64(b), f64(x)
    hv = np.tanh(xv @ Wv.T + bv)
    # z = x W^T + b, h = tanh z, L = sum h^2:  dL/dz = 2 h (1 - h^2)
    dz = 2 * hv * (1 - hv ** 2)
    check(gW, dz.T @ xv, dtype, (3, 4))       # dL/dW_ij = sum_n dz_ni x_nj
    check(gb, dz.sum(axis=0), dtype, (3,))    # dL/db_i = sum_n dz_ni
    check(gx, dz @ Wv, dtype, (5, 4))         # dL/dx_nj = sum_i dz_ni W_ij


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_product_and_mean(dtype):
    A = tensor((2, 3), dtype)
    B = tensor((3, 4), dtype)
    with GradientTape(persistent=True) as tape:
        tape.watch(A)
        tape.watch(B)
        C = A @ B
        loss = np.mean(C * C)
    gA = tape.gradient(loss, A)
    gB = tape.gradient(loss, B)
    Av, Bv = f64(A), f64(B)
    # L = (1/8) sum C^2, C = A B:  dL/dC = C/4,  dL/dA = (C/4) B^T,  dL/dB = A^T (C/4)
    dC = (Av @ Bv) / 4.0
    check(gA, dC @ Bv.T, dtype, (2, 3))
    check(gB, Av.T @ dC, dtype, (3, 4))


def test_watch_nested_structure():
    a, b, c = tensor((3,)), tensor((3,)), tensor((2,))
    with GradientTape() as tape:
        tape.watch({"first": [a, (b,)], "second": c})
        y = np.sum(a * b) + np.sum(np.exp(c))
    ga, gb, gc = tape.gradient(y, [a, b, c])
    # d/da sum(a b) = b, d/db = a, d/dc sum(exp c) = exp c
    check(ga, f64(b), np.float64)
    check(gb, f64(a), np.float64)
    check(gc, np.exp(f64(c)), np.float64)


def test_unwatched_constant_gives_none():
    x = sg.constant(2.0)
    c = sg.constant(5.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * c
    gx, gc = tape.gradient(y, [x, c])
    check(gx, 5.0, np.float32)        # dy/dx = c
    assert gc is None                 # c was never watched


def test_nothing_watched_gives_none():
    x = sg.constant(2.0)
    with GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_trainable_variables_are_watched_automatically():
    v = sg.Variable(2.0)
    frozen = sg.Variable(3.0, trainable=False)
    c = sg.constant(4.0)
    with GradientTape() as tape:
        y = v * frozen * c + v * v
    gv, gf, gc = tape.gradient(y, [v, frozen, c])
    check(gv, 3.0 * 4.0 + 2 * 2.0, np.float32)    # dy/dv = frozen c + 2 v = 16
    assert gf is None                             # not trainable: not watched
    assert gc is None                             # a constant: not watched
    assert {id(w) for w in tape.watched_variables()} == {id(v)}


def test_watching_a_non_trainable_variable_explicitly():
    frozen = sg.Variable(3.0, trainable=False)
    with GradientTape() as tape:
        tape.watch(frozen)
        y = frozen * frozen * frozen
    check(tape.gradient(y, frozen), 3 * 3.0 ** 2, np.float32)   # 3 f^2 = 27
    assert [id(w) for w in tape.watched_variables()] == [id(frozen)]


def test_watch_accessed_variables_false():
    # TensorFlow's own docstring example
    x = sg.Variable(2.0)
    w = sg.Variable(5.0)
    with GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        tape.watch(x)
        y = x ** 2
        z = w ** 3
    check(tape.gradient(y, x), 4.0, np.float32)      # 2x
    assert tape.gradient(z, w) is None                # w is not watched
    assert [id(v) for v in tape.watched_variables()] == [id(x)]


def test_watched_variables_lists_every_variable_the_block_reads():
    w = sg.Variable(np.ones((2, 2)))
    b = sg.Variable(np.zeros(2))
    unused = sg.Variable(1.0)
    x = tensor((3, 2))
    with GradientTape() as tape:
        y = np.sum(x @ w + b)
    found = tape.watched_variables()
    assert isinstance(found, tuple)
    assert {id(v) for v in found} == {id(w), id(b)}
    assert all(v is not unused for v in found)
    grads = tape.gradient(y, {"w": w, "b": b, "unused": unused})
    # y = sum_n sum_j (x w)_nj + b_j: dy/dw_ij = sum_n x_ni, dy/db_j = 3 (rows)
    check(grads["w"], np.repeat(f64(x).sum(axis=0)[:, None], 2, axis=1), np.float64, (2, 2))
    check(grads["b"], [3.0, 3.0], np.float64, (2,))
    assert grads["unused"] is None


def test_variable_gradient_dtypes_follow_the_variable():
    v32 = sg.Variable(np.array([1.0, -2.0], np.float32))
    v64 = sg.Variable(np.array([0.5, 3.0]))
    with GradientTape() as tape:
        y = np.sum(v32 * v32) + np.sum(np.sin(v64))
    g32, g64 = tape.gradient(y, [v32, v64])
    check(g32, [2.0, -4.0], np.float32, (2,))              # 2 v
    check(g64, np.cos([0.5, 3.0]), np.float64, (2,))       # cos v


@pytest.mark.parametrize("option", [UnconnectedGradients.ZERO, "zero"])
def test_unconnected_gradients_zero(option):
    x = tensor((3,))
    c = tensor((2, 3), np.float32)
    v = sg.Variable(1.5)
    with GradientTape() as tape:
        tape.watch(x)
        tape.watch(c)
        y = np.sum(x * x)
    gx, gc, gv = tape.gradient(y, [x, c, v], unconnected_gradients=option)
    check(gx, 2 * f64(x), np.float64, (3,))
    check(gc, np.zeros((2, 3)), np.float32, (2, 3))    # watched but unconnected: zeros
    check(gv, 0.0, np.float32, ())                     # a Variable the block never read


@pytest.mark.parametrize("option", [UnconnectedGradients.NONE, "none"])
def test_unconnected_gradients_none(option):
    x = sg.constant(1.0)
    c = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch([x, c])
        y = x + 1.0
    gx, gc = tape.gradient(y, [x, c], unconnected_gradients=option)
    check(gx, 1.0, np.float32)
    assert gc is None


def test_unknown_unconnected_gradients_value_is_a_value_error():
    x = sg.constant(1.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError):
        tape.gradient(y, x, unconnected_gradients="sometimes")


def test_target_the_block_did_not_compute_gives_none():
    x = sg.constant(9.0)
    before = x * x
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        inside = x * 2.0
    after = inside * x
    assert tape.gradient(before, x) is None            # computed before the block
    assert tape.gradient(after, x) is None             # computed after the block
    check(tape.gradient(before, x, unconnected_gradients="zero"), 0.0, np.float32)
    check(tape.gradient(inside, x), 2.0, np.float32)


def test_sources_structure_is_mirrored():
    a = tensor((2,))
    b = tensor((3,))
    c = sg.constant(np.float64(1.5))
    d = tensor((2, 2))
    with GradientTape(persistent=True) as tape:
        tape.watch([a, b, c, d])
        y = np.sum(a ** 2) + 3.0 * np.sum(b) + c * np.sum(d)
    # dy/da = 2a, dy/db = 3, dy/dc = sum d, dy/dd = c
    ga, gb, gc, gd = 2 * f64(a), np.full(3, 3.0), f64(d).sum(), np.full((2, 2), 1.5)

    as_list = tape.gradient(y, [a, b])
    assert type(as_list) is list and len(as_list) == 2
    check(as_list[0], ga)
    check(as_list[1], gb)

    as_tuple = tape.gradient(y, (c, d))
    assert type(as_tuple) is tuple and len(as_tuple) == 2
    check(as_tuple[0], gc)
    check(as_tuple[1], gd)

    as_dict = tape.gradient(y, {"d": d, "a": a})
    assert type(as_dict) is dict and set(as_dict) == {"a", "d"}
    check(as_dict["a"], ga)
    check(as_dict["d"], gd)

    nested = tape.gradient(y, {"x": [a, (b, c)], "y": {"z": d}})
    assert set(nested) == {"x", "y"}
    assert type(nested["x"]) is list and type(nested["x"][1]) is tuple
    check(nested["x"][0], ga)
    check(nested["x"][1][0], gb)
    check(nested["x"][1][1], gc)
    check(nested["y"]["z"], gd)

    Pair = collections.namedtuple("Pair", "first second")
    named = tape.gradient(y, Pair(a, d))
    assert isinstance(named, Pair)
    check(named.first, ga)
    check(named.second, gd)

    single = tape.gradient(y, [a])
    assert type(single) is list and len(single) == 1
    check(single[0], ga)

    twice = tape.gradient(y, [a, a])
    check(twice[0], ga)
    check(twice[1], ga)


@pytest.mark.parametrize("dtype", DTYPES)
def test_several_targets_give_the_gradient_of_their_sum(dtype):
    x = tensor((4,), dtype)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1 = np.sum(np.sin(x))
        y2 = np.sum(x * x)
        y3 = x * 3.0                      # a vector target counts as the sum of its entries
    xv = f64(x)
    # d/dx [sum sin x + sum x^2] = cos x + 2x
    check(tape.gradient([y1, y2], x), np.cos(xv) + 2 * xv, dtype)
    check(tape.gradient({"p": y1, "q": [y2, y3]}, x), np.cos(xv) + 2 * xv + 3.0, dtype)
    check(tape.gradient(y3, x), np.full(4, 3.0), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_output_gradients(dtype):
    x = tensor((2, 3), dtype)
    u = rand((2, 3), dtype)
    w = rand((2, 3), dtype)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x ** 2
        z = x ** 3
    xv = f64(x)
    # vector-Jacobian products: u * dy/dx = 2 x u; with two targets, 2 x u + 3 x^2 w
    check(tape.gradient(y, x, output_gradients=u), 2 * xv * u, dtype)
    check(tape.gradient([y, z], x, output_gradients=[u, w]), 2 * xv * u + 3 * xv ** 2 * w,
          dtype)


def test_seed_gradient_with_respect_to_an_intermediate():
    x = sg.constant(np.ones((2, 2), np.float32))
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.sum(x)
        z = y * y
    # z = (sum x)^2:  dz/dx = 2 sum(x) = 8 everywhere,  dz/dy = 2y = 8
    check(tape.gradient(z, x), np.full((2, 2), 8.0), np.float32, (2, 2))
    check(tape.gradient(z, y), 8.0)


def test_gradient_with_respect_to_an_intermediate_vector():
    W = sg.Variable(rand((3, 4)))
    x = tensor((4,))
    with GradientTape() as tape:
        h = np.tanh(W @ x)
        loss = np.sum(h * h * h)
    hv = np.tanh(f64(W) @ f64(x))
    check(tape.gradient(loss, h), 3 * hv ** 2, np.float64, (3,))   # d sum(h^3)/dh = 3h^2


def test_intermediate_of_unwatched_values_is_not_recorded():
    x = sg.constant(2.0)
    c = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = c * c            # no watched input: TensorFlow does not record this operation
        z = y * x
    assert tape.gradient(z, y) is None


def test_seed_persistent_tape_gives_several_gradients():
    x = sg.constant(3.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    check(tape.gradient(z, x), 108.0, np.float32)      # z = x^4: 4 x^3 = 108
    check(tape.gradient(y, x), 6.0, np.float32)        # 2x
    check(tape.jacobian(z, x), 108.0, np.float32)
    check(tape.gradient(z, y), 18.0, np.float32)       # dz/dy = 2y = 18
    check(tape.gradient(z, x), 108.0, np.float32)      # still the same
    del tape


def test_non_persistent_tape_can_be_used_once():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    check(tape.gradient(z, x), 108.0)
    with pytest.raises(RuntimeError) as info:
        tape.gradient(y, x)
    assert str(info.value) == ONE_USE
    with pytest.raises(RuntimeError, match=re.escape(ONE_USE)):
        tape.jacobian(y, x)


def test_non_persistent_jacobian_then_gradient_raises():
    x = tensor((2,))
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    check(tape.jacobian(y, x), np.diag(2 * f64(x)))
    with pytest.raises(RuntimeError) as info:
        tape.gradient(y, x)
    assert str(info.value) == ONE_USE


def test_seed_two_tapes_in_one_with_statement():
    x = sg.constant(3.0)
    y = sg.constant(2.0)
    with GradientTape() as g, GradientTape() as f:
        g.watch(x)
        f.watch(y)
        z = x * x + y
        m = y + y * y + x
    check(g.gradient(z, x), 6.0, np.float32)     # dz/dx = 2x
    check(f.gradient(m, y), 5.0, np.float32)     # dm/dy = 1 + 2y


def test_two_tapes_in_one_with_statement_watch_separately():
    x = sg.constant(3.0)
    y = sg.constant(2.0)
    with GradientTape(persistent=True) as g, GradientTape(persistent=True) as f:
        g.watch(x)
        f.watch(y)
        z = x * x + y
        m = y + y * y + x * y
    assert g.gradient(m, y) is None                  # g does not watch y
    assert f.gradient(z, x) is None                  # f does not watch x
    check(g.gradient(m, x), 2.0, np.float32)         # dm/dx = y
    check(f.gradient(m, y), 1 + 4.0 + 3.0)           # dm/dy = 1 + 2y + x


def test_seed_persistent_tape_two_targets():
    x = sg.constant(3.0)
    y = sg.constant(2.0)
    with GradientTape(persistent=True) as gf:
        gf.watch([x, y])
        z = x * x + y
        m = y + y * y + x
    check(gf.gradient(z, x), 6.0)
    check(gf.gradient(m, y), 5.0)
    del gf


def test_seed_nested_tapes_second_order_variable():
    x = sg.Variable(1.0)
    with GradientTape() as t1:
        with GradientTape() as t2:
            y = x * x * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t1.gradient(dy_dx, x)
    check(dy_dx, 3.0, np.float32)      # 3x^2 at 1
    check(d2y_dx2, 6.0, np.float32)    # 6x at 1


def test_seed_nested_tapes_on_different_sources():
    x = sg.constant(3.0)
    y = sg.constant(2.0)
    with GradientTape() as g:
        g.watch(y)
        with GradientTape() as gg:
            gg.watch(x)
            z = x * y * y
        dz_dx = gg.gradient(z, x)
    dzx_dy = g.gradient(dz_dx, y)
    check(dz_dx, 4.0)     # dz/dx = y^2 = 4
    check(dzx_dy, 4.0)    # d(y^2)/dy = 2y = 4


def test_seed_nested_tapes_same_source():
    x = sg.constant(3.0)
    with GradientTape() as g:
        g.watch(x)
        with GradientTape() as gg:
            gg.watch(x)
            y = x * x
        dy_dx = gg.gradient(y, x)
    d2y_dx2 = g.gradient(dy_dx, x)
    check(dy_dx, 6.0)     # 2x
    check(d2y_dx2, 2.0)   # 2


def test_nested_tapes_third_order():
    x = sg.Variable(1.5)
    with GradientTape() as t3:
        with GradientTape() as t2:
            with GradientTape() as t1:
                y = x * x * x * x
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    # y = x^4: 4x^3 = 13.5, 12x^2 = 27, 24x = 36 at x = 1.5
    check(d1, 13.5, np.float32)
    check(d2, 27.0, np.float32)
    check(d3, 36.0, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nested_tapes_hessian_vector_product_and_hessian(dtype):
    x = tensor((4,), dtype)
    v = rand((4,), dtype)
    with GradientTape(persistent=True) as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = np.sum(x ** 3) + np.sum(np.sin(x))
        g = inner.gradient(y, x)
        gv = np.sum(g * v)
    xv = f64(x)
    # g = 3x^2 + cos x; H = diag(6x - sin x); H v = (6x - sin x) v
    check(g, 3 * xv ** 2 + np.cos(xv), dtype, (4,))
    check(outer.gradient(gv, x), (6 * xv - np.sin(xv)) * v, dtype, (4,))
    check(outer.jacobian(g, x), np.diag(6 * xv - np.sin(xv)), dtype, (4, 4))


def test_seed_inner_gradient_after_the_outer_block_is_none():
    x = sg.Variable(1.0)
    with GradientTape() as t1:
        with GradientTape() as t2:
            y = x * x * x
    dy_dx = t2.gradient(y, x)          # taken outside t1's block: t1 did not record it
    d2y_dx2 = t1.gradient(dy_dx, x)
    check(dy_dx, 3.0)
    assert d2y_dx2 is None


def critic(inp, w1, w2):
    """A small critic network (module level): tanh layer then a linear read-out, one score per
    example."""
    return np.tanh(inp @ w1) @ w2


def test_seed_gradient_penalty_second_order_mixed():
    w1 = sg.Variable(rand((3, 5)))
    w2 = sg.Variable(rand((5,)))
    xhat = tensor((4, 3))
    with GradientTape() as outer:
        with GradientTape() as inner:
            inner.watch(xhat)
            out = critic(xhat, w1, w2)
        gx = inner.gradient(out, xhat)
        norms = np.sqrt(np.sum(gx * gx, axis=1))
        penalty = np.mean((norms - 1.0) ** 2)
    g1, g2 = outer.gradient(penalty, [w1, w2])

    x0 = f64(xhat)

    def input_gradient(a, b):
        # d/dx_nd sum_n tanh(x_n a) b = sum_k a_dk (1 - h_nk^2) b_k
        h = np.tanh(x0 @ a)
        return ((1 - h ** 2) * b) @ a.T

    def pen(a, b):
        n = np.sqrt(np.sum(input_gradient(a, b) ** 2, axis=1))
        return np.mean((n - 1.0) ** 2)

    a0, b0 = f64(w1), f64(w2)
    check(gx, input_gradient(a0, b0), np.float64, (4, 3))
    np.testing.assert_allclose(g1, numeric_gradient(lambda a: pen(a, b0), a0), rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(g2, numeric_gradient(lambda b: pen(a0, b), b0), rtol=1e-6,
                               atol=1e-8)


@pytest.mark.parametrize("dtype", DTYPES)
def test_jacobian_against_hand_written_jacobians(dtype):
    W = tensor((3, 4), dtype)
    x = tensor((4,), dtype)
    with GradientTape(persistent=True) as tape:
        tape.watch([W, x])
        y = np.sin(W @ x)
        s = np.sum(y * y)
    Wv, xv = f64(W), f64(x)
    c = np.cos(Wv @ xv)
    # dy_i/dx_k = cos(z_i) W_ik
    check(tape.jacobian(y, x), c[:, None] * Wv, dtype, (3, 4))
    # dy_i/dW_jk = cos(z_i) delta_ij x_k
    expected = np.zeros((3, 3, 4))
    for i in range(3):
        expected[i, i, :] = c[i] * xv
    check(tape.jacobian(y, W), expected, dtype, (3, 3, 4))
    # a scalar target: the Jacobian is the gradient, d sum(sin^2 z)/dx = (2 sin z cos z) @ W
    check(tape.jacobian(s, x), (2 * np.sin(Wv @ xv) * c) @ Wv, dtype, (4,))
    both = tape.jacobian(y, {"W": W, "x": x})
    check(both["x"], c[:, None] * Wv, dtype, (3, 4))
    check(both["W"], expected, dtype, (3, 3, 4))


def test_jacobian_with_respect_to_a_variable():
    v = sg.Variable(np.array([1.0, 2.0, 4.0]))
    with GradientTape() as tape:
        y = v * v[::-1]
    # y_i = v_i v_(2-i): dy_i/dv_j = v_(2-i) [j = i] + v_i [j = 2 - i]
    vv = np.array([1.0, 2.0, 4.0])
    expected = np.diag(vv[::-1]) + np.fliplr(np.diag(vv))
    check(tape.jacobian(y, v), expected, np.float64, (3, 3))


def test_jacobian_tensorflow_docstring_example_and_unconnected():
    x = sg.constant([1.0, 2.0])
    c = sg.constant([1.0, 1.0, 1.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        tape.watch(c)
        y = x * x
    check(tape.jacobian(y, x), [[2.0, 0.0], [0.0, 4.0]], np.float32, (2, 2))
    assert tape.jacobian(y, c) is None
    check(tape.jacobian(y, c, unconnected_gradients="zero"), np.zeros((2, 3)), np.float32,
          (2, 3))


def test_batch_jacobian_tensorflow_docstring_example():
    with GradientTape() as g:
        x = sg.constant([[1.0, 2.0], [3.0, 4.0]])
        g.watch(x)
        y = x * x
    check(g.batch_jacobian(y, x), [[[2, 0], [0, 4]], [[6, 0], [0, 8]]], np.float32, (2, 2, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_jacobian_of_a_layer(dtype):
    W = tensor((4, 3), dtype)
    x = tensor((5, 4), dtype)
    with GradientTape() as tape:
        tape.watch(x)
        y = np.tanh(x @ W)
    yv = np.tanh(f64(x) @ f64(W))
    # dy_bk/dx_bd = (1 - y_bk^2) W_dk
    expected = (1 - yv ** 2)[:, :, None] * f64(W).T[None, :, :]
    check(tape.batch_jacobian(y, x), expected, dtype, (5, 3, 4))


def test_reset_forgets_watched_tensors():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
    assert tape.gradient(y, x) is None        # x was watched before the reset only


def test_reset_drops_the_operations_before_it():
    v = sg.Variable(2.0)
    with GradientTape() as tape:
        y = v * v
        tape.reset()
        z = y * v
    # after the reset y is a constant 4: dz/dv = y = 4 (not 3 v^2 = 12)
    check(tape.gradient(z, v), 4.0)


def test_reusing_a_tape_object_for_a_second_block():
    x = sg.constant(3.0)
    tape = GradientTape()
    with tape:
        tape.watch(x)
        y = x * x
    check(tape.gradient(y, x), 6.0)
    with tape:
        tape.watch(x)
        z = x * x * x
    check(tape.gradient(z, x), 27.0)     # 3x^2


def test_reset_outside_the_block_is_a_value_error():
    x = sg.constant(3.0)
    tape = GradientTape()
    with tape:
        tape.watch(x)
        y = x * x
    assert y == 9.0
    with pytest.raises(ValueError, match="Tape is not recording"):
        tape.reset()


def test_persistent_tape_entered_twice_records_both_blocks():
    x = sg.constant(3.0)
    tape = GradientTape(persistent=True)
    with tape:
        tape.watch(x)
        y = x * x
    with tape:
        z = y * x
    check(tape.gradient(z, x), 27.0)     # z = x^3 through both blocks: 3x^2
    check(tape.gradient(y, x), 6.0)


def test_python_float_as_a_source_is_a_value_error():
    x = 3.0
    c = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(c)
        y = c * x
    with pytest.raises(ValueError):
        tape.gradient(y, x)


def test_watching_a_python_float_is_a_value_error():
    tape = GradientTape()
    with pytest.raises(ValueError):
        with tape:
            tape.watch(3.0)


def test_integer_source_gives_none():
    x = sg.constant(3)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x) is None


def test_gradient_of_a_watched_tensor_with_respect_to_itself():
    x = sg.constant([3.0, 4.0])
    with GradientTape() as tape:
        tape.watch(x)
    check(tape.gradient(x, x), [1.0, 1.0])


def test_overwritten_name_is_unconnected():
    x = sg.constant(3.0)
    c = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        y = c * 2.0
    assert tape.gradient(y, x) is None


def test_gradient_inside_the_block_of_a_non_persistent_tape():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
        z = g * x
    check(g, 6.0)
    check(z, 18.0)


def test_gradient_inside_the_block_of_a_persistent_tape_is_recorded():
    x = sg.constant(3.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
        z = g * x
    check(g, 6.0)
    check(tape.gradient(z, x), 12.0)     # z = 2x * x: 4x


def test_stop_recording():
    x = sg.constant(4.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x ** 2
        z = x * 3.0
    assert tape.gradient(y, x) is None
    check(tape.gradient(z, x), 3.0)


def test_watched_list_read_through_the_list():
    a = sg.constant(2.0)
    b = sg.constant(5.0)
    xs = [a, b]
    with GradientTape() as tape:
        tape.watch(xs)
        y = xs[0] * xs[1]
    ga, gb = tape.gradient(y, xs)
    check(ga, 5.0)
    check(gb, 2.0)


def test_variables_in_a_dict_of_parameters():
    params = {"w": sg.Variable(2.0), "b": sg.Variable(1.0)}
    x = sg.constant(3.0)
    with GradientTape() as tape:
        y = params["w"] * x + params["b"]
    grads = tape.gradient(y, params)
    check(grads["w"], 3.0)     # dy/dw = x
    check(grads["b"], 1.0)


# =================================================================================================
# 2. Python control flow: the gradient of the path actually executed
# =================================================================================================


def seed_f(x, y):
    output = 1.0
    for i in range(y):
        if 1 < i < 5:
            output = output * x
    return output


def seed_grad(x, y):
    with GradientTape() as t:
        t.watch(x)
        out = seed_f(x, y)
    return t.gradient(out, x)


def test_seed_control_flow_in_a_called_function():
    x = sg.constant(2.0)
    # out = x^k with k = #{i < y : 1 < i < 5}: y=6 -> x^3 (12), y=5 -> x^3 (12), y=4 -> x^2 (4)
    check(seed_grad(x, 6), 12.0)
    check(seed_grad(x, 5), 12.0)
    check(seed_grad(x, 4), 4.0)


SEED_STEPS = 6


def test_seed_control_flow_with_a_module_level_bound():
    x = sg.constant(2.0)
    with GradientTape() as t:
        t.watch(x)
        out = seed_f(x, SEED_STEPS)
    check(t.gradient(out, x), 12.0)       # x^3: 3x^2 = 12


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_if_on_data_inside_the_block(sign):
    x = sg.constant(sign * np.abs(rand((3,))) + sign * 0.1)
    with GradientTape() as tape:
        tape.watch(x)
        if np.sum(x) > 0:
            y = np.sum(x ** 2)
        else:
            y = np.sum(np.sin(x))
    xv = f64(x)
    expected = 2 * xv if sign > 0 else np.cos(xv)     # the branch that ran
    check(tape.gradient(y, x), expected, np.float64)


def test_while_on_data_inside_the_block():
    x = sg.constant(rand((3,), low=0.5, high=1.5))
    with GradientTape() as tape:
        tape.watch(x)
        y = x
        while np.max(np.abs(y)) < 50.0:
            y = 1.5 * y + x
        loss = np.sum(y)
    # y_0 = x, y_{k+1} = 1.5 y_k + x, so y_k = c_k x with c_0 = 1, c_{k+1} = 1.5 c_k + 1;
    # the loop stops at the first k with c_k max|x| >= 50
    xv = f64(x)
    c = 1.0
    while c * np.max(np.abs(xv)) < 50.0:
        c = 1.5 * c + 1.0
    assert c > 10.0                              # the loop ran several times
    check(tape.gradient(loss, x), np.full(3, c), np.float64)


def test_for_with_break_on_data_inside_the_block():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x
        for i in range(10):
            y = y * x
            if y > 100.0:
                break
    # 9, 27, 81, 243 > 100: y = x^5, dy/dx = 5 x^4 = 405
    check(y, 243.0)
    check(tape.gradient(y, x), 405.0, np.float32)


def dense(x, w, b):
    """A small model: one layer, relu where the pre-activation is positive (a branch on data
    inside a loop over examples), linear otherwise."""
    z = x @ w + b
    out = z * 1.0
    for n in range(z.shape[0]):
        if np.sum(z[n]) < 0:
            out[n] = z[n] * 0.1          # leaky rows: the whole row scaled when its sum is < 0
    return out


def huber(pred, target):
    """A loss function with a branch per entry."""
    d = pred - target
    total = 0.0
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            if np.abs(d[i, j]) > 1.0:
                total = total + np.abs(d[i, j]) - 0.5
            else:
                total = total + 0.5 * d[i, j] * d[i, j]
    return total / d.size


def test_control_flow_in_model_and_loss_functions():
    data = np.random.default_rng(11)        # fixed data: both branches of each function run
    x = sg.constant(data.standard_normal((6, 3)))
    target = data.standard_normal((6, 2)) * 2.0
    w = sg.Variable(data.standard_normal((3, 2)))
    b = sg.Variable(data.standard_normal(2))
    with GradientTape() as tape:
        pred = dense(x, w, b)
        loss = huber(pred, target)
    gw, gb = tape.gradient(loss, [w, b])

    xv, wv, bv = f64(x), f64(w), f64(b)
    z = xv @ wv + bv
    scale = np.where(z.sum(axis=1) < 0, 0.1, 1.0)[:, None]     # the rows that were scaled
    d = scale * z - target
    assert (np.abs(d) > 1.0).any() and (np.abs(d) <= 1.0).any()   # both huber branches ran
    assert (scale == 0.1).any() and (scale == 1.0).any()          # both dense branches ran
    dd = np.where(np.abs(d) > 1.0, np.sign(d), d) / d.size     # huber'
    dz = dd * scale
    check(gw, xv.T @ dz, np.float64, (3, 2))
    check(gb, dz.sum(axis=0), np.float64, (2,))


COEFFS = [0.5, -1.0, 2.0, 3.0]


def horner(x, coeffs):
    acc = 0.0
    for c in coeffs:
        acc = acc * x + c
    return acc


def test_loop_in_a_called_function():
    x = tensor((5,))
    with GradientTape() as tape:
        tape.watch(x)
        y = np.sum(horner(x, COEFFS))
    # p(x) = 0.5 x^3 - x^2 + 2x + 3, p'(x) = 1.5 x^2 - 2x + 2
    xv = f64(x)
    check(tape.gradient(y, x), 1.5 * xv ** 2 - 2 * xv + 2, np.float64)


GLOBAL_W = sg.Variable(2.0)
GLOBAL_B = sg.Variable(1.0)


def global_model(x):
    return x * GLOBAL_W + GLOBAL_B


def test_variables_read_inside_a_called_function():
    x = sg.constant(3.0)
    with GradientTape() as tape:
        y = global_model(x) * 2.0
    gw, gb = tape.gradient(y, [GLOBAL_W, GLOBAL_B])
    check(gw, 6.0)      # d(2(x w + b))/dw = 2x
    check(gb, 2.0)
    assert {id(v) for v in tape.watched_variables()} == {id(GLOBAL_W), id(GLOBAL_B)}


class Linear:
    def __init__(self, w, b):
        self.w = sg.Variable(w)
        self.b = sg.Variable(b)

    def __call__(self, x):
        return x @ self.w + self.b

    @property
    def trainable_variables(self):
        return [self.w, self.b]


def test_variables_of_a_model_object():
    model = Linear(rand((3, 2)), rand((2,)))
    x = tensor((4, 3))
    with GradientTape() as tape:
        loss = np.sum(model(x) ** 2)
    gw, gb = tape.gradient(loss, model.trainable_variables)
    d = 2 * (f64(x) @ model.w.numpy() + model.b.numpy())
    check(gw, f64(x).T @ d)
    check(gb, d.sum(axis=0))


def test_block_calling_a_local_helper_function():
    def cube(z):
        return z * z * z

    x = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = cube(x)
    check(tape.gradient(y, x), 12.0)     # 3x^2


def test_block_reading_a_local_loop_bound():
    x = sg.constant(2.0)
    n = 3
    with GradientTape() as tape:
        tape.watch(x)
        y = x
        for i in range(n):
            y = y * x
    check(tape.gradient(y, x), 4 * 2.0 ** 3)     # y = x^4


# =================================================================================================
# 3. Variables
# =================================================================================================


def test_variable_basics():
    v = sg.Variable(1.0)
    assert v.dtype == np.float32 and v.shape == ()
    assert v.trainable is True
    assert sg.Variable(1.0, trainable=False).trainable is False
    assert v.numpy() == 1.0 and isinstance(v.numpy(), np.float32)
    old = v.value()
    v.assign(2.0)
    assert v.numpy() == 2.0
    assert float(old) == 1.0                 # a value read before is not changed by assign
    v.assign_add(3.0)
    assert v.numpy() == 5.0
    v.assign_sub(1.5)
    assert v.numpy() == 3.5
    assert v.numpy().dtype == np.float32     # assign keeps the dtype
    with pytest.raises(ValueError):
        v.assign(np.zeros(3))                # and the shape


def test_variable_arithmetic_and_numpy_interop():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    v = sg.Variable(a)
    assert v.dtype == np.float64 and v.shape == (2, 2)
    m = np.array([[2.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(v + 1, a + 1)
    np.testing.assert_allclose(1 - v, 1 - a)
    np.testing.assert_allclose(2 * v, 2 * a)
    np.testing.assert_allclose(v * v, a * a)
    np.testing.assert_allclose(v / 2, a / 2)
    np.testing.assert_allclose(v ** 2, a ** 2)
    np.testing.assert_allclose(-v, -a)
    np.testing.assert_allclose(v @ m, a @ m)
    np.testing.assert_allclose(m @ v, m @ a)
    np.testing.assert_allclose(np.square(v), a ** 2)
    np.testing.assert_allclose(np.sum(v), a.sum())
    np.testing.assert_allclose(np.exp(v), np.exp(a))
    np.testing.assert_allclose(np.asarray(v), a)
    np.testing.assert_allclose(v[1], a[1])
    assert list(np.asarray(v > 0.75).ravel()) == [True, False, False, True]
    v.assign(m)
    np.testing.assert_allclose(v.numpy(), m)
    f32 = sg.Variable([1.0, 2.0])
    assert f32.dtype == np.float32       # Python floats give float32, as in TensorFlow
    np.testing.assert_allclose(f32.numpy(), [1.0, 2.0])


def test_seed_variable_square():
    x = sg.Variable(3.0)
    with GradientTape() as tape:
        y = np.square(x)
    check(y, 9.0)
    check(tape.gradient(y, x), 6.0, np.float32)     # 2x


def test_variable_gradient_sums_over_reads_at_their_values():
    v = sg.Variable(2.0)
    with GradientTape() as tape:
        y = v * v
        v.assign(5.0)
        z = y + 3.0 * v
    # y read v at 2 (dy/dv = 2*2), z reads v at 5 with weight 3; the assignment carries nothing
    check(z, 4.0 + 15.0)
    check(tape.gradient(z, v), 2 * 2.0 + 3.0, np.float32)
    assert v.numpy() == 5.0


def test_variable_assign_add_and_sub_inside_the_block():
    v = sg.Variable(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        a = np.sum(v * 2.0)
        v.assign_add(np.array([1.0, 1.0]))
        b = np.sum(v * v)
        v.assign_sub(np.array([0.5, 0.5]))
        c = np.sum(v ** 3)
        loss = a + b + c
    # reads at v0 = [1,2], v1 = [2,3], v2 = [1.5, 2.5]:  2 + 2 v1 + 3 v2^2
    v1, v2 = np.array([2.0, 3.0]), np.array([1.5, 2.5])
    check(tape.gradient(loss, v), 2.0 + 2 * v1 + 3 * v2 ** 2, np.float64)
    np.testing.assert_allclose(v.numpy(), v2)      # the assignments happened once


def test_variable_assignments_happen_once_per_block():
    v = sg.Variable(0.0)
    w = sg.Variable(1.5)
    with GradientTape(persistent=True) as tape:
        v.assign_add(1.0)
        y = v * w
    tape.gradient(y, v)
    tape.gradient(y, w)
    assert v.numpy() == 1.0
    check(tape.gradient(y, w), 1.0)      # dy/dw = v after the assign_add


def test_assignment_is_not_differentiable():
    x = sg.constant(3.0)
    v = sg.Variable(1.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        v.assign(x * 2.0)
        z = v * v
    assert tape.gradient(z, x) is None        # no path from x through the assignment
    check(tape.gradient(z, v), 12.0)          # 2 v with v read at 6


def test_seed_linear_regression_by_gradient_descent():
    X = sg.constant([0.0, 0.25, 0.5, 0.75, 1.0])
    y = sg.constant([0.0, 0.36363637, 0.54545456, 0.8181818, 1.0])
    a, b = sg.Variable(0.0), sg.Variable(0.0)
    # the same descent in plain float64 NumPy, with the hand gradients
    # dL/da = sum((a X + b - y) X), dL/db = sum(a X + b - y) for L = 0.5 sum((a X + b - y)^2)
    Xv, yv = f64(X), f64(y)
    ra, rb = 0.0, 0.0
    for epoch in range(300):
        with GradientTape() as tape:
            y_pred = a * X + b
            loss = 0.5 * np.sum(np.square(y_pred - y))
        grad_a, grad_b = tape.gradient(loss, [a, b])
        r = ra * Xv + rb - yv
        if epoch == 0:
            check(loss, 1.0495868, np.float32)
            check(grad_a, -1.9772727, np.float32)
            check(grad_b, -2.7272727, np.float32)
        np.testing.assert_allclose([float(grad_a), float(grad_b)], [r @ Xv, r.sum()],
                                   rtol=1e-4, atol=1e-5)
        a.assign_sub(1e-3 * grad_a)
        b.assign_sub(1e-3 * grad_b)
        ra, rb = ra - 1e-3 * (r @ Xv), rb - 1e-3 * r.sum()
    np.testing.assert_allclose([a.numpy(), b.numpy()], [ra, rb], rtol=1e-4)


# =================================================================================================
# 4. Side effects happen once
# =================================================================================================


def test_print_in_the_block_prints_once(capsys):
    x = sg.constant(3.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        print("inside the block", float(y))
    check(tape.gradient(y, x), 6.0)
    check(tape.gradient(y, x), 6.0)
    out = capsys.readouterr().out
    assert out.count("inside the block") == 1
    assert "inside the block 9.0" in out


def noisy_square(x):
    print("noisy_square called")
    return x * x


def test_print_in_a_called_function_prints_once(capsys):
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = noisy_square(x)
    check(tape.gradient(y, x), 6.0)
    assert capsys.readouterr().out.count("noisy_square called") == 1


def test_appending_to_an_outside_list_happens_once():
    history = []
    x = sg.constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        history.append(y)
    check(tape.gradient(y, x), 12.0)
    check(tape.gradient(y, x), 12.0)
    assert len(history) == 1
    check(history[0], 8.0)


CALL_LOG = []


def logged_square(x):
    CALL_LOG.append("called")
    return x * x


def test_appending_in_a_called_function_happens_once():
    CALL_LOG.clear()
    x = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = logged_square(x)
    check(tape.gradient(y, x), 4.0)
    assert CALL_LOG == ["called"]


def make_logged_cube():
    seen = []

    def cube(x):
        seen.append("cube")               # a list in the closure
        return logged_square(x) * x       # and one at module level, a call further
    return cube, seen


def test_appends_of_called_functions_happen_once_per_run_of_the_block():
    CALL_LOG.clear()
    cube, seen = make_logged_cube()
    x = sg.constant(2.0)
    for step in range(1, 3):
        with GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = cube(x) + cube(x)
        check(tape.gradient(y, x), 24.0)
        check(tape.gradient(y, x), 24.0)
        assert CALL_LOG == ["called"] * 2 * step
        assert seen == ["cube"] * 2 * step


def test_global_random_mask_is_the_same_in_values_and_gradient():
    np.random.seed(1234)
    x = tensor((200,))
    with GradientTape() as tape:
        tape.watch(x)
        keep = np.random.uniform(size=x.shape) < 0.5
        y = np.sum(x * keep) / 0.5
    assert 50 < keep.sum() < 150
    check(tape.gradient(y, x), keep / 0.5, np.float64)     # d/dx sum(x mask)/0.5


def test_global_random_noise_values_and_stream_continue():
    np.random.seed(99)
    x = tensor((5,))
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        noise = np.random.normal(size=5)
        y = np.sum((x + noise) ** 2)
    between = np.random.uniform(size=2)
    g1 = tape.gradient(y, x)
    g2 = tape.gradient(y, x)
    after = np.random.uniform(size=3)
    # the user's own stream: 5 normals in the block, then 2 and 3 uniforms
    np.random.seed(99)
    expected_noise = np.random.normal(size=5)
    expected_between = np.random.uniform(size=2)
    expected_after = np.random.uniform(size=3)
    np.testing.assert_array_equal(noise, expected_noise)
    np.testing.assert_array_equal(between, expected_between)
    np.testing.assert_array_equal(after, expected_after)
    check(g1, 2 * (f64(x) + expected_noise), np.float64)      # d sum((x+n)^2)/dx = 2(x+n)
    check(g2, 2 * (f64(x) + expected_noise), np.float64)


DROPOUT_RNG = np.random.default_rng(2024)


def test_generator_dropout_mask_is_the_same_and_stream_continues():
    reference = np.random.default_rng()
    reference.bit_generator.state = DROPOUT_RNG.bit_generator.state
    x = tensor((100,))
    with GradientTape() as tape:
        tape.watch(x)
        u = DROPOUT_RNG.uniform(size=x.shape)
        mask = u >= 0.3
        y = np.sum(np.tanh(x) * mask) / 0.7
    g = tape.gradient(y, x)
    after = DROPOUT_RNG.uniform(size=4)
    expected_u = reference.uniform(size=100)
    expected_after = reference.uniform(size=4)
    np.testing.assert_array_equal(u, expected_u)
    np.testing.assert_array_equal(after, expected_after)
    # d/dx sum(tanh(x) mask)/0.7 = (1 - tanh^2 x) mask / 0.7
    check(g, (1 - np.tanh(f64(x)) ** 2) * (expected_u >= 0.3) / 0.7, np.float64)


def global_dropout(h, rate):
    keep = np.random.uniform(size=h.shape) >= rate
    return h * keep / (1.0 - rate)


def test_random_mask_drawn_in_a_called_function_with_the_global_stream():
    np.random.seed(7)
    x = tensor((50,))
    with GradientTape() as tape:
        tape.watch(x)
        h = global_dropout(x, 0.25)
        y = np.sum(h * h)
    np.random.seed(7)
    keep = np.random.uniform(size=50) >= 0.25
    # h = x keep / 0.75, y = sum h^2: dy/dx = 2 h keep / 0.75
    hv = f64(x) * keep / 0.75
    check(h, hv)
    check(tape.gradient(y, x), 2 * hv * keep / 0.75, np.float64)


HELPER_RNG = np.random.default_rng(31)


def generator_dropout(h, rate):
    keep = HELPER_RNG.uniform(size=h.shape) >= rate
    return h * keep / (1.0 - rate)


def test_random_mask_drawn_in_a_called_function_with_a_generator():
    reference = np.random.default_rng()
    reference.bit_generator.state = HELPER_RNG.bit_generator.state
    x = tensor((50,))
    with GradientTape() as tape:
        tape.watch(x)
        h = generator_dropout(x, 0.25)
        y = np.sum(h)
    g = tape.gradient(y, x)
    keep = reference.uniform(size=50) >= 0.25
    check(g, keep / 0.75, np.float64)
    np.testing.assert_array_equal(HELPER_RNG.uniform(size=3), reference.uniform(size=3))


def test_local_generator_in_the_block():
    rng = np.random.default_rng(5)
    x = tensor((20,))
    with GradientTape() as tape:
        tape.watch(x)
        mask = rng.uniform(size=x.shape) > 0.5
        y = np.sum(x * mask)
    check(tape.gradient(y, x), mask * 1.0)


def test_in_place_write_into_an_outside_array():
    buf = np.zeros(3)
    w = tensor((3,))
    with GradientTape(persistent=True) as tape:
        tape.watch(w)
        buf[1] = 5.0
        y = np.sum(buf * w)
    check(tape.gradient(y, w), [0.0, 5.0, 0.0], np.float64)     # dy/dw = buf after the write
    check(tape.gradient(y, w), [0.0, 5.0, 0.0], np.float64)
    np.testing.assert_array_equal(buf, [0.0, 5.0, 0.0])


def test_in_place_changes_to_a_block_array():
    x = tensor((4,))
    with GradientTape() as tape:
        tape.watch(x)
        h = x * 2.0
        h[0] = 0.0
        h[1] += x[2]
        loss = np.sum(h * h)
    xv = f64(x)
    h1, h2, h3 = 2 * xv[1] + xv[2], 2 * xv[2], 2 * xv[3]
    # loss = h1^2 + h2^2 + h3^2 with h1 = 2x1 + x2, h2 = 2x2, h3 = 2x3
    expected = [0.0, 4 * h1, 2 * h1 + 4 * h2, 4 * h3]
    check(tape.gradient(loss, x), expected, np.float64)


def test_augmented_assignment_on_an_outside_array():
    a0 = rand((4,))
    a = a0.copy()
    w = tensor((4,))
    with GradientTape(persistent=True) as tape:
        tape.watch(w)
        a += 1.0
        y = np.sum(a * w)
    check(tape.gradient(y, w), a0 + 1.0, np.float64)        # dy/dw = a after the increment
    check(tape.gradient(y, w), a0 + 1.0, np.float64)
    np.testing.assert_allclose(a, a0 + 1.0)                 # incremented once


# =================================================================================================
# 5. Errors
# =================================================================================================


NO_SOURCE = """\
import s2sgrad as sg
x = sg.constant(3.0)
with sg.GradientTape() as tape:
    tape.watch(x)
    y = x * x
"""


def test_block_without_source_raises_source_unavailable():
    namespace = {}
    with pytest.raises(sg.S2sgradError) as info:
        exec(compile(NO_SOURCE, "<no source>", "exec"), namespace)
    assert isinstance(info.value, sg.SourceUnavailableError)
    message = str(info.value)
    assert "<no source>" in message
    assert "line 3" in message or "<no source>:3" in message


def test_block_without_source_in_a_function_raises_source_unavailable():
    text = "def f(x):\n    with sg.GradientTape() as t:\n        t.watch(x)\n        y = x * x\n" \
           "    return t.gradient(y, x)\n"
    namespace = {"sg": sg}
    exec(compile(text, "<no source>", "exec"), namespace)
    with pytest.raises(sg.SourceUnavailableError) as info:
        namespace["f"](sg.constant(2.0))
    assert "<no source>" in str(info.value)
    assert info.value.location.lineno == 2


def assert_located(error, text):
    """`error` is an s2sgrad error pointing at the line of this file whose text is `text`."""
    assert isinstance(error, sg.S2sgradError)
    lineno = line_of(text)
    assert error.location is not None
    assert os.path.basename(error.location.filename) == os.path.basename(__file__)
    assert error.location.lineno == lineno
    assert f"test_tape.py:{lineno}:" in str(error)


def test_list_comprehension_in_the_block():
    x = sg.constant(2.0)
    ws = [sg.Variable(1.5), sg.Variable(-0.5)]
    with GradientTape() as tape:
        tape.watch(x)
        ys = [x * 2.0 * (k + 1) for k in range(3)]
        penalty = sum(tf_layer.square(w) for w in ws)
        y = ys[0] + ys[2] + penalty * x
    check(y, 2.0 * 2.0 + 6.0 * 2.0 + (1.5 ** 2 + 0.5 ** 2) * 2.0)
    gx, gw0, gw1 = tape.gradient(y, [x, ws[0], ws[1]])
    check(gx, 2.0 + 6.0 + 1.5 ** 2 + 0.5 ** 2)       # d/dx
    check(gw0, 2.0 * 1.5 * 2.0)                      # 2 w0 x
    check(gw1, 2.0 * -0.5 * 2.0)


def test_list_comprehension_in_a_loop_condition_names_its_line():
    x = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x
        while sum([y * 1.0 for _ in range(2)]) < 20.0:
            y = y * 2.0
    check(y, 16.0)
    with pytest.raises(sg.S2sgradError) as info:
        tape.gradient(y, x)
    assert_located(info.value, "while sum([y * 1.0 for _ in range(2)]) < 20.0:")


def test_try_statement_in_the_block_names_its_line():
    x = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        try:
            y = x * x
        except ZeroDivisionError:
            y = x
    with pytest.raises(sg.S2sgradError) as info:
        tape.gradient(y, x)
    assert_located(info.value, "try:")


def test_lambda_in_the_block_names_its_line():
    x = sg.constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        square = lambda z: z * z  # noqa: E731
        y = square(x)
    with pytest.raises(sg.S2sgradError) as info:
        tape.gradient(y, x)
    assert_located(info.value, "square = lambda z: z * z  # noqa: E731")


def no_rule(x):
    return np.unwrap(x)


def test_function_without_a_derivative_rule_names_its_line():
    x = tensor((4,))
    with GradientTape() as tape:
        tape.watch(x)
        y = np.sum(no_rule(x))
    with pytest.raises(sg.S2sgradError) as info:
        tape.gradient(y, x)
    assert_located(info.value, "return np.unwrap(x)")


# ---- Variables reached other than by a name the block reads --------------------------------


class _TwoLayers:
    """Layers holding their Variables as attributes, the second called from the first."""

    def __init__(self, rng):
        self.w1 = sg.Variable(rng.standard_normal((3, 4)))
        self.w2 = sg.Variable(rng.standard_normal((4, 2)))
        self.scale = sg.Variable(np.array(0.7))

    def hidden(self, x):
        return np.tanh(x @ self.w1)

    def __call__(self, x):
        return self.hidden(x) @ self.w2 * self.scale


def test_variables_of_a_model_reached_through_its_methods():
    rng = np.random.default_rng(11)
    model = _TwoLayers(rng)
    x = sg.constant(rng.standard_normal((5, 3)))
    with GradientTape() as tape:
        loss = np.sum(model(x) ** 2)
    gw1, gw2, gs = tape.gradient(loss, [model.w1, model.w2, model.scale])

    # by hand: h = tanh(x w1), y = h w2 s, loss = sum(y^2), dy = 2 y
    xv, w1, w2, s = np.asarray(x), model.w1.numpy(), model.w2.numpy(), model.scale.numpy()
    h = np.tanh(xv @ w1)
    y = h @ w2 * s
    dy = 2 * y
    np.testing.assert_allclose(np.asarray(gs), np.sum(dy * (h @ w2)), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(gw2), h.T @ (dy * s), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(gw1), xv.T @ (((dy * s) @ w2.T) * (1 - h ** 2)),
                               rtol=1e-10)
    assert {id(v) for v in tape.watched_variables()} == {id(model.w1), id(model.w2),
                                                          id(model.scale)}


def test_a_variable_read_only_under_stop_recording_is_not_watched():
    w = sg.Variable(2.0)
    x = sg.constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            c = w * 1.0
        y = x * x + c
    assert tape.watched_variables() == ()
    check(tape.gradient(y, x), 6.0)
    assert tape_gradient_of_unrecorded(w) is None


def tape_gradient_of_unrecorded(w):
    with GradientTape() as tape:
        with tape.stop_recording():
            c = w * 3.0
    return tape.gradient(c, w)


# ---- tapes inside functions the block calls ----------------------------------------------------


def _slope_of_cube(x):
    with GradientTape() as inner:
        inner.watch(x)
        y = x * x * x
    return inner.gradient(y, x)          # 3 x^2


def test_a_tape_inside_a_called_function_is_differentiated_again():
    x = sg.constant(np.array([0.5, -1.5, 2.0]))
    with GradientTape() as outer:
        outer.watch(x)
        slope = _slope_of_cube(x)
        total = np.sum(slope * slope)          # sum 9 x^4
    check(slope, 3.0 * np.asarray(x) ** 2)
    check(outer.gradient(total, x), 36.0 * np.asarray(x) ** 3)


_SCALE = sg.Variable(np.array([0.7, -0.4]))


def _penalty(points):
    with GradientTape() as tape:
        tape.watch(points)
        out = np.sum(np.tanh(points * _SCALE) ** 2)
    grad = tape.gradient(out, points)
    return np.sum(grad * grad)


def test_a_penalty_on_an_inner_gradient_differentiated_with_respect_to_a_variable():
    points = sg.constant(np.array([[0.3, -0.2], [1.1, 0.4]]))
    with GradientTape() as outer:
        value = _penalty(points)
    got = outer.gradient(value, _SCALE)

    def penalty(s):      # by hand: d/dp sum tanh(p s)^2 = 2 t (1 - t^2) s
        t = np.tanh(np.asarray(points) * s)
        return np.sum((2 * t * (1 - t ** 2) * s) ** 2)

    s, eps = _SCALE.numpy(), 1e-6
    expected = [(penalty(s + eps * e) - penalty(s - eps * e)) / (2 * eps) for e in np.eye(2)]
    assert got is not None
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6)


def test_third_derivative_from_gradients_taken_inside_a_persistent_tapes_block():
    x = sg.constant(np.array([0.4, -1.2]))
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.sum(np.sin(x) * x)
        g = tape.gradient(y, x)                 # sin x + x cos x
        gs = np.sum(g)
        second = tape.gradient(gs, x)           # 2 cos x - x sin x
        ss = np.sum(second)
    xv = np.asarray(x)
    check(g, np.sin(xv) + xv * np.cos(xv))
    check(second, 2 * np.cos(xv) - xv * np.sin(xv))
    check(tape.gradient(ss, x), -3 * np.sin(xv) - xv * np.cos(xv))


def _directional_derivative_in_a_function(x, v, steps):
    from s2sgrad.eager.custom import ForwardAccumulator

    with ForwardAccumulator(x, v) as acc:
        y = x
        for _ in range(steps):            # a local int the block reads
            y = np.sin(y) * x
    return y, acc.jvp(y)


def test_forward_accumulator_in_a_function_reading_its_locals_generates_once():
    from s2sgrad.cache import CACHE

    rng = np.random.default_rng(5)
    x = sg.constant(rng.standard_normal(3))
    v = sg.constant(rng.standard_normal(3))
    y, tangent = _directional_derivative_in_a_function(x, v, 3)
    eps = 1e-6
    xv, vv = np.asarray(x), np.asarray(v)

    def f(a):
        out = a
        for _ in range(3):
            out = np.sin(out) * a
        return out
    np.testing.assert_allclose(np.asarray(tangent), (f(xv + eps * vv) - f(xv - eps * vv)) /
                               (2 * eps), rtol=1e-7, atol=1e-9)
    before = CACHE.generated
    _directional_derivative_in_a_function(x, v, 3)
    assert CACHE.generated == before          # the same block: nothing generated again


RERUN_MODULE = '''
import numpy as np
import s2sgrad.tf as tf

class Model:
    def __init__(self):
        self.v = tf.Variable(np.array([1.0, -2.0]))

    def __call__(self, x):
        return tf.reduce_sum(x * self.v)

model = Model()
x = tf.constant(np.array([3.0, 4.0]))
with tf.GradientTape() as tape:
    out = model(x)
RESULT = tape.gradient(out, model.v)
'''


def test_a_file_run_again_in_a_fresh_namespace_gets_its_own_gradients(tmp_path):
    """runpy / %run twice: the same block, new objects under the same names (a derivative
    generated for the first run used to be reused, and the second run's gradient was None)."""
    import gc
    import runpy

    path = tmp_path / "rerun_model.py"
    path.write_text(RERUN_MODULE)
    for _ in range(3):
        result = runpy.run_path(str(path))["RESULT"]
        gc.collect()
        np.testing.assert_array_equal(np.asarray(result), [3.0, 4.0])


def test_equal_functions_in_two_files_keep_their_own_derivatives(tmp_path):
    """Code objects of the same text in two files compare equal: the caches key by identity."""
    import importlib.util
    import inspect

    text = "import numpy as np\nSCALE = {scale}\n\ndef f(x):\n    return np.sum(SCALE * x * x)\n"
    grads = []
    for name, scale in (("first_copy", 2.0), ("second_copy", 5.0)):
        path = tmp_path / f"{name}.py"
        path.write_text(text.format(scale=scale))
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        grad = sg.grad(module.f)
        grads.append((grad(np.array([1.0, 2.0])), sg.source(grad), module))
    assert grads[0][2].f.__code__ == grads[1][2].f.__code__    # the premise
    np.testing.assert_allclose(grads[0][0], [4.0, 8.0])
    np.testing.assert_allclose(grads[1][0], [10.0, 20.0])
    assert "first_copy.py" in grads[0][1] and "second_copy.py" in grads[1][1]
    assert inspect.getsource(grads[1][2].f).strip().startswith("def f")


def test_a_nested_gradient_inside_an_expression():
    """`g = tf_layer.reduce_sum(inner.gradient(s, x))`: the gradient call is moved to a statement of
    its own before it is lowered (it used to be refused as a call without a rule)."""
    x = tf_layer.Variable(np.array([1.0, 2.0, 3.0]))
    with tf_layer.GradientTape() as outer:
        with tf_layer.GradientTape() as inner:
            s = tf_layer.reduce_sum(x * x * x)
        g = tf_layer.reduce_sum(inner.gradient(s, x) * 2.0)
    np.testing.assert_allclose(np.asarray(outer.gradient(g, x)), 12.0 * np.array([1.0, 2, 3]))


def squared_slope(x):
    with GradientTape() as t:
        t.watch(x)
        y = np.sum(np.sin(x) * x)
    return np.sum(t.gradient(y, x) ** 2)


def test_a_tape_gradient_inside_an_expression_of_a_differentiated_function():
    x = np.array([0.3, 0.7, -1.1])
    slope = np.sin(x) + x * np.cos(x)
    curvature = 2.0 * np.cos(x) - x * np.sin(x)
    np.testing.assert_allclose(sg.grad(squared_slope)(x), 2.0 * slope * curvature)
    sg.check_grads(squared_slope, [x], modes=("rev",))


class _ScaledModel:
    def __init__(self):
        self.v = tf_layer.Variable(2.0)


def _slope_sum(model, x):
    with tf_layer.GradientTape() as tape:
        tape.watch(x)
        s = tf_layer.reduce_sum(x * x) * model.v
    dx = tape.gradient(s, x)
    return tf_layer.reduce_sum(dx)


_SCALED = _ScaledModel()


def test_a_variable_read_through_an_object_passed_to_a_function():
    """`inner(model, x)`: no argument carries derivatives, but `model` holds a Variable that
    `inner` reads (here inside a tape of its own): the call is differentiated (it used to give
    None)."""
    x = tf_layer.constant(np.array([1.0, 2.0, 3.0]))
    with tf_layer.GradientTape() as outer:
        g = _slope_sum(_SCALED, x)
    np.testing.assert_allclose(float(g), 2.0 * 2.0 * 6.0)
    np.testing.assert_allclose(float(outer.gradient(g, _SCALED.v)), 12.0)
