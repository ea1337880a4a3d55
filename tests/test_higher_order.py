"""Derivatives of derivatives: the generated code is transformed again.

Checked numerically: each second or third derivative against central differences of the
derivative one order lower, and the compositions of the two modes against each other. Also: the
second derivative of a function with a data-dependent `while` loop keeps the loop, and Hessians
and forward-mode Jacobians reuse the code generated once (no generation per call or per shape).
"""

import math

import re

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.cache import CACHE


def grow_until(a, x):
    """A data-dependent while loop: the number of iterations depends on a and x."""
    while x < 10.0:
        x = x * a + math.sin(x)
    return x


def trip_count(a, x):
    count = 0
    while x < 10.0:
        x = x * a + math.sin(x)
        count += 1
    return count


def energy(x, A):
    return np.sum(np.tanh(A @ x) ** 2) + 0.5 * np.sum(x * x)


def energy_hessian(x, A):
    t = np.tanh(A @ x)
    curvature = 2.0 * (1.0 - t ** 2) * (1.0 - 3.0 * t ** 2)
    return A.T @ (curvature[:, None] * A) + np.eye(x.size)


def loop_energy(x, steps):
    h = x
    total = 0.0
    for _ in range(steps):
        h = np.tanh(h * 1.5) + 0.1 * x
        total = total + np.sum(h * h)
    return total


def _derivative(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("a, x", [(1.3, 0.5), (1.5, 2.0), (2.0, 9.0), (1.6, 0.1)])
def test_second_derivative_of_a_while_loop_by_all_four_compositions(a, x):
    assert len({trip_count(a, x), trip_count(a, x + 1e-4), trip_count(a, x - 1e-4)}) == 1
    first = sg.grad(grow_until, wrt=1)
    expected = _derivative(lambda v: first(a, v), x)
    reverse_reverse = sg.grad(first, wrt=1)(a, x)
    forward_reverse = sg.jvp(first, (a, x), (None, 1.0))[1]
    reverse_forward = sg.grad(sg.pushforward(grow_until, wrt=1), wrt=1)(a, x, 1.0)
    forward_forward = sg.pushforward(sg.pushforward(grow_until, wrt=1), wrt=1)(a, x, 1.0, 1.0)
    assert reverse_reverse == pytest.approx(expected, rel=1e-6)
    for other in (forward_reverse, reverse_forward, forward_forward):
        assert other == pytest.approx(reverse_reverse, rel=1e-10)


def test_the_second_derivative_of_a_while_loop_keeps_the_loop():
    second = sg.grad(sg.grad(grow_until, wrt=1), wrt=1)
    second(1.3, 0.5)
    source = second.source
    assert "while x < 10.0:" in source          # the primal loop, still a loop
    # its adjoint replays as many iterations as the loop pushed: it walks the records backwards
    assert re.search(r"\n    for .* in zip\(reversed\(\w+_stack\), reversed\(", source)
    assert len(re.findall(r"\n +while x < 10\.0:", source)) == 1   # one loop, not unrolled
    short, long = second(1.3, 9.5), second(1.25, 0.1)   # 1 and many iterations, same code
    assert trip_count(1.25, 0.1) > 15 and np.isfinite(short) and np.isfinite(long)


@pytest.mark.parametrize("a, x", [(1.3, 0.5), (1.5, 2.0)])
def test_third_derivative_of_a_while_loop(a, x):
    second = sg.grad(sg.grad(grow_until, wrt=1), wrt=1)
    third = sg.grad(second, wrt=1)(a, x)
    assert third == pytest.approx(_derivative(lambda v: second(a, v), x, 1e-4), rel=1e-5)
    forward = sg.pushforward(sg.pushforward(sg.pushforward(grow_until, wrt=1), wrt=1), wrt=1)
    assert forward(a, x, 1.0, 1.0, 1.0) == pytest.approx(third, rel=1e-9)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_hessian_and_hvp_against_the_closed_form(n):
    rng = np.random.default_rng(n)
    x, A, v = rng.standard_normal(n), rng.standard_normal((n, n)), rng.standard_normal(n)
    expected = energy_hessian(x, A)
    np.testing.assert_allclose(sg.hessian(energy)(x, A), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sg.hvp(energy)(x, A, v), expected @ v, rtol=1e-10, atol=1e-12)


def test_hessian_generates_once_for_every_call_and_shape():
    hessian = sg.hessian(loop_energy)
    rng = np.random.default_rng(0)
    hessian(rng.standard_normal(3), 4)
    generated = CACHE.generated
    for n in (3, 10, 50):
        x = rng.standard_normal(n)
        H = hessian(x, 4)
        assert H.shape == (n, n)
        np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-12)
        column = _derivative(lambda t: sg.grad(loop_energy)(x + t * np.eye(n)[0], 4), 0.0)
        np.testing.assert_allclose(H[:, 0], column, rtol=1e-5, atol=1e-7)
    assert CACHE.generated == generated


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_by_either_mode(mode):
    def f(x, W):
        return np.tanh(W @ x) * x[0]

    rng = np.random.default_rng(3)
    x, W = rng.standard_normal(4), rng.standard_normal((3, 4))
    jacobian = sg.jacobian(f, mode=mode)
    J = jacobian(x, W)
    assert J.shape == (3, 4)
    eps = 1e-6
    numeric = np.stack([(f(x + eps * e, W) - f(x - eps * e, W)) / (2 * eps)
                        for e in np.eye(4)], axis=-1)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-8)
    generated = CACHE.generated
    jacobian(rng.standard_normal(4), W)
    assert CACHE.generated == generated        # n sweeps of one generated function


def test_forward_mode_jacobian_and_reverse_mode_agree_on_a_loop():
    def f(x):
        y = x
        for _ in range(3):
            y = np.sin(y) * x + y[::-1]
        return y

    x = np.array([0.3, -0.7, 1.1, 0.2])
    np.testing.assert_allclose(sg.jacobian(f, mode="forward")(x),
                               sg.jacobian(f, mode="reverse")(x), rtol=1e-12, atol=1e-14)


def test_a_second_derivative_through_a_function_passed_in():
    def apply(fn, x):
        return np.sum(fn(x) ** 2)

    x = np.array([0.3, -0.8])
    t = np.tanh(x)
    expected = np.diag(2.0 * (1.0 - t ** 2) * (1.0 - 3.0 * t ** 2))
    np.testing.assert_allclose(sg.hessian(apply, wrt=1)(np.tanh, x), expected, rtol=1e-10)


def _apply_all(fns, x):
    total = 0.0
    for fn in fns:
        total = total + np.sum(fn(x) ** 2)
    return total


def test_second_and_third_derivatives_through_entries_of_a_list_of_functions():
    # callees known only at run time: their passes are handed out where the call runs, as
    # functions that are differentiated again in turn
    x = np.array([0.3, -0.8])
    t, s, c = np.tanh(x), np.sin(x), np.cos(x)
    # d2/dx2 [tanh^2 + sin^2] = 2 (1 - t^2)(1 - 3 t^2) + 2 (c^2 - s^2), a diagonal Hessian
    expected = np.diag(2.0 * (1.0 - t ** 2) * (1.0 - 3.0 * t ** 2) + 2.0 * (c ** 2 - s ** 2))
    np.testing.assert_allclose(sg.hessian(_apply_all, wrt=1)([np.tanh, np.sin], x), expected,
                               rtol=1e-10)
    sg.check_grads(_apply_all, ([np.tanh, np.sin], x), wrt=[1], order=3)


def _product_energy(x):
    return np.prod(np.sin(x)) + np.sum(np.prod(x.reshape(2, 2), axis=1) ** 2)


@pytest.mark.parametrize("x", [np.array([0.5, 1.2, -0.7, 2.0]),
                               np.array([0.5, 0.0, -0.7, 2.0]),       # a zero factor
                               np.array([0.0, 0.0, 0.3, 1.1])])       # two zero factors
def test_second_derivatives_through_products(x):
    sg.check_grads(_product_energy, (x,), order=2)
    # hand-worked Hessian of prod(sin(x)): d2/dxi dxj = cos xi cos xj prod_{k != i, j} sin xk
    # (i != j) and -prod(sin x) on the diagonal; plus that of sum over rows of (x_a x_b)^2
    s, c = np.sin(x), np.cos(x)
    expected = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            rest = np.prod([s[k] for k in range(4) if k not in (i, j)])
            expected[i, j] = -np.prod(s) if i == j else c[i] * c[j] * rest
    for a, b in ((0, 1), (2, 3)):
        expected[a, a] += 2 * x[b] ** 2
        expected[b, b] += 2 * x[a] ** 2
        expected[a, b] += 4 * x[a] * x[b]
        expected[b, a] += 4 * x[a] * x[b]
    np.testing.assert_allclose(sg.hessian(_product_energy)(x), expected, rtol=1e-10, atol=1e-12)


def _gamma_mix(a):
    return math.lgamma(a) * a + math.gamma(a)


@pytest.mark.parametrize("a", [0.3, 2.3, 7.5, -0.4])
def test_second_derivatives_through_the_gamma_family(a):
    sg.check_grads(_gamma_mix, (a,), order=2)
    # trigamma against its series: psi'(a) = sum_k 1 / (a + k)^2
    from s2sgrad.runtime.values import trigamma
    if a > 0:
        assert trigamma(a) == pytest.approx(sum(1.0 / (a + k) ** 2 for k in range(200000))
                                            + 1.0 / (a + 200000), rel=1e-9)


@pytest.mark.parametrize("x", [np.array([0.5, 1.2, -0.7, 2.0]),
                               np.array([0.5, 0.0, -0.7, 2.0])])       # a zero factor
def test_third_derivatives_through_products(x):
    # every composition of three modes, against each other and central differences of the
    # second derivative (through pair_products_times' own rules)
    sg.check_grads(_product_energy, (x,), order=3)
    # by hand: f(a, b) = prod([a, b]) ** 2 = a^2 b^2 has d3f / da db db = 4a, d3f / db^3 = 0
    third = sg.grad(sg.grad(sg.grad(_pair_square, wrt=0), wrt=1), wrt=1)
    assert third(x[0], x[2]) == pytest.approx(4.0 * x[0], rel=1e-12)
    assert sg.grad(sg.grad(sg.grad(_pair_square, wrt=1), wrt=1), wrt=1)(x[0], x[2]) == 0.0


def _pair_square(a, b):
    return np.prod(np.array([a, b])) ** 2


def test_fourth_derivatives_through_products_stop_at_the_line():
    with pytest.raises(sg.NoDerivativeRuleError, match="triple_products_times"):
        sg.grad(sg.grad(sg.grad(sg.grad(_fourth_of_product))))(0.7)


def _fourth_of_product(a):
    return np.prod(np.array([a, a, a, a]) * np.array([1.0, 2.0, 3.0, 4.0]))


SCALE = 2.0


def scaled_energy(x):
    return np.sum(np.sin(SCALE * x) ** 2)


def test_hvp_follows_a_rebound_global_and_the_argument_types():
    """`hvp` remembers the code that differentiates the gradient for the gradient it found: a
    global rebound, or another kind of argument, gives the fresh, right code."""
    global SCALE
    rng = np.random.default_rng(21)
    x, v = rng.standard_normal(5), rng.standard_normal(5)
    hvp = sg.hvp(scaled_energy)

    def expected(scale, x, v):   # d2/dx2 sin(s x)^2 = 2 s^2 cos(2 s x)
        return 2.0 * scale ** 2 * np.cos(2.0 * scale * x) * v

    try:
        for scale in (2.0, 0.5, 2.0):
            SCALE = scale
            assert np.allclose(hvp(x, v), expected(scale, x, v), rtol=1e-10)
            assert np.allclose(hvp(x.astype(np.float32), v.astype(np.float32)),
                               expected(scale, x, v), rtol=1e-4)
            assert np.isclose(hvp(0.3, 1.5), expected(scale, 0.3, 1.5), rtol=1e-10)
    finally:
        SCALE = 2.0


def test_hvp_without_a_direction_is_a_clear_error():
    with pytest.raises(sg.S2sgradError, match="then the direction v"):
        sg.hvp(scaled_energy)(np.ones(3))
