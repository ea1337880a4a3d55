"""The errors of the TensorFlow-style layer that are s2sgrad's own: each names the user's file and
line, quotes the code and says what to do instead (the errors TensorFlow itself raises, with its
messages, are tested in test_tape.py)."""

import numpy as np
import pytest

import s2sgrad as sg
import s2sgrad.tf as tf
from s2sgrad.eager.graph import function, gradients
from s2sgrad.errors import S2sgradError, UnsupportedSyntaxError

HERE = __file__.rsplit("/", 1)[-1]


def _located(error, code):
    """The message names this file and the line holding `code`, and quotes that code."""
    text = str(error)
    assert HERE in text, text
    assert code in text, text
    assert "hint:" in text, text


def _slope_at_a_listed_point(xs):
    with tf.GradientTape() as t:
        t.watch(xs[0])
        y = xs[0] * xs[0]
    return t.gradient(y, xs[0])


def test_a_tape_gradient_with_respect_to_an_entry_in_a_differentiated_function():
    x = tf.constant(np.array([1.0, 2.0]))
    with tf.GradientTape() as outer:
        outer.watch(x)
        g = _slope_at_a_listed_point([x])      # runs eagerly, as TensorFlow would: 2x
        total = np.sum(g)
    np.testing.assert_allclose(np.asarray(g), [2.0, 4.0])
    with pytest.raises(UnsupportedSyntaxError) as info:
        outer.gradient(total, x)                 # differentiating it again needs names
    _located(info.value, "return t.gradient(y, xs[0])")
    assert "assign the target and each source to a name" in str(info.value)


def test_a_nested_tape_gradient_with_respect_to_an_entry_inside_the_block():
    xs = [tf.constant(2.0)]
    with tf.GradientTape() as outer:
        outer.watch(xs[0])
        with tf.GradientTape() as inner:
            inner.watch(xs[0])
            y = xs[0] * xs[0]
        g = inner.gradient(y, xs[0])
    assert float(g) == 4.0
    with pytest.raises(UnsupportedSyntaxError) as info:
        outer.gradient(g, xs[0])
    _located(info.value, "g = inner.gradient(y, xs[0])")
    assert "must be names (or a list of names)" in str(info.value)


def test_a_loss_function_taking_arguments():
    w = tf.Variable(2.0)
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
    with pytest.raises(S2sgradError, match="must take no arguments"):
        optimizer.compute_gradients(lambda v: v * w, [w])


def test_a_loss_that_is_not_a_function():
    w = tf.Variable(2.0)
    with pytest.raises(S2sgradError, match="a function of no arguments") as info:
        tf.keras.optimizers.SGD(0.1).minimize(w * 3.0, [w])
    assert "GradientTape" in info.value.hint


def _two_returns():
    if W_FOR_LOSS.numpy() > 0:
        return W_FOR_LOSS * 2.0
    return W_FOR_LOSS * 3.0


W_FOR_LOSS = tf.Variable(1.0)


def test_a_loss_function_with_several_returns():
    with pytest.raises(UnsupportedSyntaxError) as info:
        tf.keras.optimizers.SGD(0.1).minimize(_two_returns, [W_FOR_LOSS])
    _located(info.value, "return W_FOR_LOSS * 3.0")


def test_compute_gradients_without_a_variable_list():
    with pytest.raises(ValueError, match="needs var_list"):
        tf.compat.v1.train.GradientDescentOptimizer(0.1).compute_gradients(lambda: 1.0)


@function
def _gradients_of_an_expression_source(x):
    y = x * x
    return gradients(y, [x * 1.0])


def test_gradients_with_respect_to_an_expression():
    with pytest.raises(UnsupportedSyntaxError) as info:
        _gradients_of_an_expression_source(tf.constant(2.0))
    _located(info.value, "return gradients(y, [x * 1.0])")
    assert "assign each of the xs to a variable first" in str(info.value)


def test_a_gradient_asked_of_a_tape_that_recorded_nothing():
    with pytest.raises(S2sgradError, match="has not recorded a block"):
        sg.GradientTape().gradient(tf.constant(1.0), tf.constant(2.0))
