"""Generated code frees intermediates after the block that last reads them
(s2sgrad/optimizations/lifetimes.py): peak memory close to a hand-written gradient, and never a
name freed before a later read."""

import tracemalloc

import numpy as np

import s2sgrad as sg


def chain(x, w):
    a = np.tanh(x @ w)
    b = np.sin(a) * a
    c = np.exp(-b * b)
    d = np.cos(c) + c
    return np.sum(d * d)


def chain_grad_by_hand(x, w):
    a = np.tanh(x @ w)
    s = np.sin(a)
    b = s * a
    c = np.exp(-b * b)
    d = np.cos(c) + c
    g = 2.0 * d
    g = g * (1.0 - np.sin(c))
    g = g * c * (-2.0 * b)
    g = g * (np.cos(a) * a + s)
    g = g * (1.0 - a * a)
    return x.T @ g


def peak_bytes(fn, *args):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def test_peak_memory_is_close_to_a_hand_written_gradient():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(400, 300)), 0.05 * rng.normal(size=(300, 300))
    grad = sg.grad(chain, wrt=1)
    np.testing.assert_allclose(grad(x, w), chain_grad_by_hand(x, w), rtol=1e-9, atol=1e-12)
    generated, by_hand = peak_bytes(grad, x, w), peak_bytes(chain_grad_by_hand, x, w)
    assert generated <= 1.3 * by_hand, (generated, by_hand)
    assert "del " in sg.source(grad)


def reads_later_in_a_loop(x, n):
    y = np.tanh(x)
    z = y * 2.0
    total = np.sum(z)
    for _ in range(n):
        total = total + np.sum(y * z)
    return total


def assigned_in_a_branch(x, flag):
    if flag:
        y = x * 3.0
    else:
        y = x * 2.0
    z = np.sin(y)
    w = z * y
    return np.sum(w * z)


def test_names_read_later_are_not_freed():
    x = np.random.default_rng(1).normal(size=(3, 2))
    for f, extra in ((reads_later_in_a_loop, 3), (assigned_in_a_branch, True),
                     (assigned_in_a_branch, False)):
        sg.check_grads(f, [x, extra], wrt=[0], order=2)


def test_code_for_python_numbers_frees_nothing():
    def scalar(x, y):
        a = x * y
        b = a * a + x
        return b * a
    grad = sg.grad(scalar, wrt=(0, 1))
    grad(1.5, 2.0)
    assert "del " not in sg.source(grad)
    assert np.allclose(grad(1.5, 2.0), sg.grad(scalar, wrt=(0, 1))(np.float64(1.5), np.float64(2.0)))


def test_second_derivatives_of_code_that_frees():
    """The generated first-order code (with its `del`s) is differentiated again."""
    x = np.random.default_rng(2).normal(size=(4,))
    w = np.random.default_rng(3).normal(size=(4, 4))
    sg.check_grads(chain, [x[None, :], w], wrt=[1], order=2)
    hvp = sg.hvp(chain, wrt=1)
    assert np.all(np.isfinite(hvp(x[None, :], w, np.ones_like(w))))
