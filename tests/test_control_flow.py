"""Reverse mode through loops and branches: the recording machinery, case by case.

The broad corpus is tests/test_control_flow_corpus.py; these tests aim at the mechanisms:
trip counts of nested loops, per-variable stacks, zero-trip loops, branch-only names, values whose
shape changes from one iteration to the next, and derivatives called more than once.
"""

import math

import numpy as np
import pytest

import s2sgrad as sg

RNG = np.random.default_rng(3)


def nested_counts(x, n):
    total = 0.0
    for i in range(n):
        for j in range(i):          # the inner trip count differs on every outer iteration
            total = total + x * (i - j) + np.sin(x * j)
    return total


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_nested_loops_replay_each_inner_trip_count(n):
    sg.check_grads(nested_counts, (0.3, n))


def zero_trip_temporaries(x, n):
    y = x * 2.0
    for _ in range(n):
        t = np.tanh(y)
        y = t * x
    return y


@pytest.mark.parametrize("n", [0, 1, 4])
def test_loops_that_may_not_run(n):
    sg.check_grads(zero_trip_temporaries, (0.7, n))


def growing(x, n):
    v = x
    for _ in range(n):
        v = v * x
        v = np.sum(v) * x                          # the carried value changes shape
    return np.sum(v)


def test_loop_carried_value_that_changes_shape():
    sg.check_grads(growing, (np.array([0.3, -0.2, 0.5]), 3))


def row_loop(W, X):
    total = 0.0
    for i, row in enumerate(X):
        total = total + np.sum(np.tanh(row @ W)) * (i + 1)
    for a, b in zip(X, X[::-1]):
        total = total + np.sum(a * b)
    return total


def test_loops_over_rows_enumerate_and_zip():
    W, X = RNG.standard_normal((3, 2)), RNG.standard_normal((4, 3))
    sg.check_grads(row_loop, (W, X))


def break_and_continue(x, limit):
    acc = 0.0
    for i in range(20):
        if i % 3 == 0:
            continue
        acc = acc + np.cos(x * i)
        if acc > limit:
            break
        acc = acc * 1.1
    return acc


@pytest.mark.parametrize("limit", [0.5, 2.0, 100.0])
def test_break_and_continue_in_one_loop(limit):
    sg.check_grads(break_and_continue, (0.4, limit))


def choose(x, y):
    z = x * 2.0 if np.sum(x) > 0 else y * 3.0
    w = np.sin(z) if z.shape[0] > 1 else z
    return np.sum(w * y)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_conditional_expressions_on_data(sign):
    x = np.abs(RNG.standard_normal(3)) * sign
    sg.check_grads(choose, (x, RNG.standard_normal(3)))


def loop_vector(x):
    y = x
    for _ in range(4):
        y = np.sin(y) + x
    return y


def test_vjp_of_a_loop_can_be_called_twice():
    x = RNG.standard_normal(3)
    value, vjp_fn = sg.vjp(loop_vector, x)
    first = vjp_fn(np.ones(3))[0]
    second = vjp_fn(np.ones(3))[0]
    assert np.array_equal(first, second)
    sg.check_grads(loop_vector, (x,))


def while_on_data(a, x):
    steps = 0
    while x < 10.0 and steps < 50:
        x = x * a + 0.1
        steps = steps + 1
    return x


@pytest.mark.parametrize("a, x", [(1.5, 2.0), (2.0, 9.5), (3.0, 0.5), (1.01, 9.99)])
def test_while_with_a_data_dependent_trip_count(a, x):
    sg.check_grads(while_on_data, (a, x))
    value, grad = sg.value_and_grad(while_on_data, wrt=(0, 1))(a, x)
    assert value == while_on_data(a, x)


def param_overwritten_in_branch(x, flag):
    if flag:
        x = x * 3.0
    return x * x


@pytest.mark.parametrize("flag", [True, False])
def test_parameter_overwritten_in_one_branch(flag):
    assert np.isclose(sg.grad(param_overwritten_in_branch)(2.0, flag), 36.0 if flag else 4.0)


def test_generated_loop_source_is_readable():
    text = sg.source(sg.grad(while_on_data))
    assert "while x < 10.0 and steps < 50:" in text
    assert "for x in reversed(x_stack):" in text    # as many times as it pushed
    assert "x_stack.pop()" not in text      # (iterating costs less than a call per value)
    assert "steps_stack" not in text       # the adjoint never reads `steps`: not recorded
    compile(text, "<generated>", "exec")


def branch_temporaries(x, w, n):
    total = 0.0
    for i in range(n):
        if np.sum(x) > 0.5 * i:
            s = np.tanh(x * w)                   # bound once per run of the branch
            total = total + np.sum(s * s)
        else:
            c = np.cos(x)
            total = total + np.sum(c * w)
        x = x * 0.9
    return total


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_temporaries_of_a_branch_in_a_loop(n):
    x, w = RNG.standard_normal(3), RNG.standard_normal(3)
    sg.check_grads(branch_temporaries, (x, w, n), wrt=(0, 1), order=2)


def test_a_branch_temporary_is_recorded_with_its_new_value_only():
    text = sg.source(sg.grad(branch_temporaries, wrt=(0, 1)))
    # pushed after it is computed and popped where the reversed branch starts: no value from
    # an earlier run is kept or restored, and its adjoint starts within the branch
    assert "s = np.tanh(x_times_w)\n            s_stack.append(s)\n" in text
    assert "if condition:\n            s = s_stack.pop()\n" in text
    assert "else:\n            c = c_stack.pop()\n" in text
    assert text.count(" s = s_stack.pop()") == 1 and text.count(" s_stack.append(") == 1
    assert "s = None" not in text and "zeros_like(s)" not in text and "zeros_like(c)" not in text
    sg.check_grads(branch_temporaries, (RNG.standard_normal(4), RNG.standard_normal(4), 5),
                   wrt=(0, 1), order=3)


def first_big(x, limit):
    for i in range(10):
        y = x * (i + 1.0)
        if y > limit:
            return y * y
    return -x


def nested_return(x):
    for i in range(4):
        for j in range(4):
            v = x * i + j
            if v > 3.0:
                return v * x
    return x


def loop_else(x):
    total = 0.0
    for i in range(5):
        total = total + x * i
        if total > 4.0:
            break
    else:
        total = total * 10.0
    return total


def while_else(x):
    steps = 0
    while x < 5.0:
        x = x * 1.5
        steps = steps + 1
        if steps > 3:
            break
    else:
        x = x - 1.0
    return x * x


@pytest.mark.parametrize("fn, args", [
    (first_big, (0.3, 1.0)), (first_big, (0.3, 100.0)),
    (nested_return, (0.4,)), (nested_return, (2.1,)), (nested_return, (0.01,)),
    (loop_else, (0.1,)), (loop_else, (1.0,)),
    (while_else, (3.0,)), (while_else, (0.5,)),
])
def test_return_inside_loops_and_else_on_loops(fn, args):
    sg.check_grads(fn, args)
    assert np.isclose(sg.value_and_grad(fn)(*args)[0], fn(*args))


def test_return_and_else_values():
    assert sg.grad(loop_else)(0.1) == pytest.approx(100.0)   # no break: the else clause runs
    assert sg.grad(loop_else)(1.0) == pytest.approx(6.0)     # break at i = 3
    assert sg.grad(nested_return)(0.4) == pytest.approx(3.8)  # returns (x + 3) * x



def scalar_recurrence(a, b, n):
    x = 0.5
    for _ in range(n):
        x = a * math.sin(x) + b * x * 0.5
    return x


def numpy_on_floats(a, n):
    x = 0.5
    for _ in range(n):
        x = np.sin(x) * a + np.ones(2)      # becomes an array: must not use the scalar variant
    return np.sum(x)


def test_scalar_code_gets_a_variant_without_unbroadcasting():
    df = sg.grad(scalar_recurrence, wrt=(0, 1))
    grads = df(0.9, 0.7, 30)
    assert all(type(g) is float for g in grads)
    scalar_source = df.source                         # the Python-number variant ran last
    assert "unbroadcast" not in scalar_source and "zeros_like" not in scalar_source
    general = df.generated_functions()[0](0.9, 0.7, 30)
    assert "unbroadcast" in df.source                  # the general variant
    assert np.allclose(grads, general)                 # the general variant agrees
    sg.check_grads(scalar_recurrence, (0.9, 0.7, 30))
    # keywords or NumPy values take the general variant
    assert np.allclose(df(np.float64(0.9), 0.7, 30), grads)


def test_code_calling_numpy_never_uses_the_scalar_variant():
    df = sg.grad(numpy_on_floats)
    assert np.isclose(df(0.8, 3), np.sum(sg.grad(numpy_on_floats)(0.8, 3)))
    assert ("scalar",) not in df._variants
    sg.check_grads(numpy_on_floats, (0.8, 3))


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h * h)


def test_values_needed_only_for_their_shape_are_recorded_as_shapes():
    W, U = RNG.standard_normal((4, 4)) * 0.5, RNG.standard_normal((3, 4)) * 0.5
    h, xs = RNG.standard_normal((2, 4)), RNG.standard_normal((5, 2, 3))
    sg.check_grads(rnn, (W, U, h, xs), wrt=[0, 1, 2])
    text = sg.source(sg.grad(rnn, wrt=(0, 1)))
    assert "h_dot_W_stack.append(shape_of(h_dot_W))" in text
    assert "sum_to_shape(" in text
    value, vjp_fn = sg.vjp(rnn, W, U, h, xs)
    assert np.allclose(vjp_fn(1.0)[0], vjp_fn(1.0)[0])


WEIGHTS = np.array([1.0, 2.0, 3.0])


def global_array_no_calls(x):
    z = x * WEIGHTS          # a Python float times a global array: not scalar code
    return z @ z


def test_a_global_array_rules_out_the_scalar_variant():
    df = sg.grad(global_array_no_calls)
    assert df(0.5) == pytest.approx(2 * 0.5 * np.sum(WEIGHTS ** 2))
    assert ("scalar",) not in df._variants
    sg.check_grads(global_array_no_calls, (0.5,))


def array_default(x, w=WEIGHTS):
    z = x * w
    return z @ z


def test_an_array_default_rules_out_the_scalar_variant():
    assert sg.grad(array_default)(0.5) == pytest.approx(2 * 0.5 * np.sum(WEIGHTS ** 2))


def weighted_pairs(x, w):
    total = 0.0
    for i, (a, b) in enumerate(zip(x, w)):
        total = total + (i + 1.0) * np.sum(a * np.tanh(b))
    return total


def test_a_loop_over_enumerate_of_zip():
    """`for i, (a, b) in enumerate(zip(x, w))` reads rows by index (it used to be refused:
    "no derivative rule for zip")."""
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    expected_x = np.arange(1.0, 4.0)[:, None] * np.tanh(w)
    np.testing.assert_allclose(sg.grad(weighted_pairs)(x, w), expected_x)
    sg.check_grads(weighted_pairs, [x, w], order=2)


# ---- loops over reversed sequences (the form generated code replays its loops in, too) ----------


def rows_backwards(X, w):
    total = 0.0
    for row in reversed(X):
        total = total * 0.5 + np.sum(np.tanh(row * w))
    return total


def list_backwards(a):
    xs = []
    for i in range(4):
        xs.append(np.sin(a * (i + 1.0)))
    s = 0.0
    for k, x in enumerate(reversed(xs)):
        s = s * 0.9 + x * x * (k + 1.0)
    return s


def uneven_zip_backwards(X, y):
    """zip(reversed(X), reversed(y)) pairs the last entries of both, then the ones before."""
    total = 0.0
    for row, v in zip(reversed(X), reversed(y)):
        total = total + np.sum(row) * v * v
    return total


@pytest.mark.parametrize("shape", [(3, 4), (5, 2)])
def test_loops_over_reversed_sequences(shape):
    rng = np.random.default_rng(11)
    X, w = rng.standard_normal(shape), rng.standard_normal(shape[1])
    sg.check_grads(rows_backwards, (X, w), wrt=(0, 1), order=2)
    sg.check_grads(list_backwards, (0.7,), order=2)
    y = rng.standard_normal(shape[0] + 2)
    sg.check_grads(uneven_zip_backwards, (X, y), wrt=(0, 1), order=2)
    grad_y = sg.grad(uneven_zip_backwards, wrt=1)(X, y)
    assert np.all(grad_y[:2] == 0.0) and np.all(grad_y[2:] != 0.0)   # the first two: unpaired
