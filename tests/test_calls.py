"""Calls to the user's own functions: differentiated through their own forward/backward pair."""

import numpy as np
import pytest

import s2sgrad as sg
from programs import helpers
from programs.helpers import smooth_max

RNG = np.random.default_rng(11)


def layer(W, b, x):
    return np.tanh(x @ W + b)


def two_layers(W1, b1, W2, b2, x):
    h = layer(W1, b1, x)
    return np.sum(layer(W2, b2, h) ** 2)


def test_same_module_function_called_twice():
    args = (RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.standard_normal((4, 2)),
            RNG.standard_normal(2), RNG.standard_normal((5, 3)))
    sg.check_grads(two_layers, args)
    text = sg.source(sg.grad(two_layers, wrt=(0, 1, 2, 3)))
    assert "layer_backward(layer_record[0]" in text


def other_module(x, y):
    return np.sum(helpers.scaled_tanh(x) * smooth_max(x, y))


def test_function_from_another_module_with_defaults_and_its_own_globals():
    x, y = RNG.standard_normal(3), RNG.standard_normal(3)
    sg.check_grads(other_module, (x, y))


def power(x, n=3):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y


def keyword_calls_in_a_loop(x):
    total = 0.0
    for k in range(3):
        total = total + power(x, n=k + 1)
    return total + power(x)


def test_keyword_arguments_and_calls_inside_loops():
    assert np.isclose(sg.grad(keyword_calls_in_a_loop)(0.7), 1 + 2 * 0.7 + 3 * 0.49 + 3 * 0.49)
    sg.check_grads(keyword_calls_in_a_loop, (0.7,))


def make_model(scale):
    def model(x):
        return scale * np.sin(x)
    return model


MODEL = make_model(3.0)


def uses_closure(x):
    return np.sum(MODEL(x) * x)


def test_closure_callee_reads_its_cell():
    x = RNG.standard_normal(4)
    sg.check_grads(uses_closure, (x,))
    assert np.allclose(sg.grad(uses_closure)(x), 3.0 * (np.cos(x) * x + np.sin(x)))


def chained(x):
    return np.sum(layer(np.eye(2), x, np.ones((1, 2))) * keyword_calls_in_a_loop(x))


def test_calls_of_calls():
    sg.check_grads(chained, (RNG.standard_normal(2),))


def inner(x):
    return x * 2.0


def outer(x):
    return np.sum(inner(x))


def test_redefining_a_callee_regenerates_the_caller():
    global inner
    original = inner
    try:
        assert np.allclose(sg.grad(outer)(np.ones(2)), 2.0)

        def inner(x):  # noqa: F811 - the point of the test
            return x * 5.0

        assert np.allclose(sg.grad(outer)(np.ones(2)), 5.0)
    finally:
        inner = original


def only_data_arguments(x, n):
    return np.sum(x * power(2.0, n))


def test_call_with_no_differentiated_argument_runs_as_is():
    assert np.allclose(sg.grad(only_data_arguments)(np.ones(2), 3), 8.0)


def mean_and_spread(x):
    m = np.mean(x)
    s = np.sum((x - m) ** 2)
    return m, s


def unpacks_a_tuple(x, w):
    m, s = mean_and_spread(x * w)
    return m * s + np.sum(w)


def uses_one_of_two_results(x):
    m, s = mean_and_spread(x)
    return m * 3.0


def unpacks_in_a_loop(x):
    total = 0.0
    for k in range(3):
        m, s = mean_and_spread(x * (k + 1.0))
        total = total + s * m
    return total


@pytest.mark.parametrize("fn, n_args", [(unpacks_a_tuple, 2), (uses_one_of_two_results, 1),
                                        (unpacks_in_a_loop, 1)])
def test_functions_returning_tuples(fn, n_args):
    args = tuple(RNG.standard_normal(4) for _ in range(n_args))
    sg.check_grads(fn, args)


def test_vjp_of_a_function_with_two_outputs():
    x = RNG.standard_normal(5)
    (m, s), vjp_fn = sg.vjp(mean_and_spread, x)
    assert np.isclose(m, np.mean(x))
    (g,) = vjp_fn((2.0, 3.0))
    expected = 2.0 / x.size + 3.0 * 2.0 * (x - np.mean(x))
    assert np.allclose(g, expected)
    sg.check_grads(mean_and_spread, (x,))


def test_unpacking_an_array_reads_its_rows():
    def f(x):
        a, b = x
        return np.sum(a * b)

    x = np.array([[1.0, 2.0], [0.5, -3.0]])
    np.testing.assert_allclose(sg.grad(f)(x), x[::-1])
    sg.check_grads(f, (x,))


def call_in_a_branch(x, flag):
    if flag > 0:
        y = layer(np.eye(2), x, np.ones((1, 2)))
    else:
        y = x * 2.0
    return np.sum(y * y)


@pytest.mark.parametrize("flag", [1, -1])
def test_call_inside_a_branch(flag):
    sg.check_grads(call_in_a_branch, (RNG.standard_normal(2), flag))


def call_in_a_while_with_break(x):
    steps = 0
    while steps < 10:
        x = MODEL(x) * 0.5 + x
        steps = steps + 1
        if np.sum(x) > 3.0:
            break
    return np.sum(x)


def test_call_inside_a_while_loop_with_break():
    sg.check_grads(call_in_a_while_with_break, (np.array([0.1, 0.2]),))


def test_documented_examples_are_correct():
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    import control_flow

    sg.check_grads(control_flow.first_crossing, (1.5, 1.0))
    sg.check_grads(control_flow.rnn_loss, (RNG.standard_normal((3, 3)) * 0.5,
                                           RNG.standard_normal(3), RNG.standard_normal((4, 3))))
    sg.check_grads(control_flow.piecewise, (0.7,))
    sg.check_grads(control_flow.piecewise, (-0.7,))


def calls_a_looping_function(x):
    total = 0.0
    for k in range(2):
        total = total + power(x, n=k + 2)
    return total * x


def test_vjp_through_a_callee_with_loops_can_be_called_twice():
    value, vjp_fn = sg.vjp(calls_a_looping_function, 0.7)
    first, = vjp_fn(1.0)
    second, = vjp_fn(1.0)
    assert first == second
    assert np.isclose(first, 3 * 0.7 ** 2 + 4 * 0.7 ** 3)


def test_source_shows_the_callees_generated_code():
    text = sg.source(sg.grad(two_layers, wrt=(0, 1, 2, 3)))
    assert text.count("# ---- called above: layer") == 2   # two call sites, two wrt sets
    assert "def layer_forward(W, b, x):" in text and "def layer_backward(" in text


class _Affine:
    def __init__(self, w, b):
        self.w, self.b = w, b

    def __call__(self, x):
        return np.tanh(self.w @ x + self.b)

    def energy(self, x):
        return np.sum(self(x) ** 2)


def calls_an_object(model, x):
    return model.energy(x) + np.sum(model(x))


def test_source_shows_the_passes_of_callees_passed_as_arguments():
    model = _Affine(np.array([[0.5, -0.2], [0.3, 0.8]]), np.array([0.1, -0.1]))
    x = np.array([0.3, -0.7])
    df = sg.grad(calls_an_object, wrt=1)
    np.testing.assert_allclose(df(model, x), _differences(calls_an_object, model, x), rtol=1e-6)
    source = df.source
    # the derivative is specialized for the object passed in: its calls are resolved statically
    assert "_Affine_call_forward(model, x)" in source
    assert "def _Affine_call_forward(self, x):" in source
    assert "def _Affine_energy_forward(self, x):" in source
    other = _Affine(np.eye(2), np.zeros(2))               # another object: a variant of its own
    np.testing.assert_allclose(df(other, x), _differences(calls_an_object, other, x), rtol=1e-6)


def _differences(f, first, x, eps=1e-6):
    """Central differences of f(first, x) with respect to x."""
    return np.array([(f(first, x + eps * e) - f(first, x - eps * e)) / (2 * eps)
                     for e in np.eye(x.size)])


def calls_entries(models, x):
    total = 0.0
    for model in models:
        total = total + np.sum(model(x))
    return total


def test_callees_that_are_entries_of_a_list_are_resolved_when_called():
    models = [_Affine(np.eye(2), np.ones(2)), _Affine(2.0 * np.eye(2), np.zeros(2))]
    x = np.array([0.3, -0.7])
    df = sg.grad(calls_entries, wrt=1)
    np.testing.assert_allclose(df(models, x), _differences(calls_entries, models, x), rtol=1e-6)
    assert "model_forward, model_backward = callee_passes(model_call, model, x)" in df.source
    assert "model_x, model_record = model_forward(x)" in df.source
    assert "def _Affine_call_forward(self, x):" in df.source
