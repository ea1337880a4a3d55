"""A tape re-runs its block's generated forward pass on plain NumPy arrays when the block's code
cannot tell them from Tensors (`blocks.tensor_blind_roots`, `_Recording.blind`): NumPy computes
faster on an ndarray than on a subclass. Code that could tell (a method of a Tensor, a function of
the user's, a dict keyed by tensors, a shadowed builtin) gets Tensors as before.

Each gradient is checked against a hand formula; a block whose code branches on Tensor-ness
would give a different gradient if it were wrongly run on plain arrays.
"""

import types

import gast
import numpy as np
import pytest

import s2sgrad as sg
import s2sgrad.tf as tf
from corpus import central_difference_gradient
from s2sgrad.eager import blocks

RNG = np.random.default_rng(20261125)


def roots(source):
    return blocks.tensor_blind_roots(gast.parse(source).body)


@pytest.mark.parametrize("source, expected", [
    ("y = tf.reduce_sum(tf.square(a * x + b))", (("tf", "module"),)),
    ("y = np.tanh(x) @ w.T\nn = x.shape[0] + len(x)", (("len", "builtin"), ("np", "module"))),
    ("tape.watch(x)\ny = np.sum(x[1:] * 2.0)", (("np", "module"), ("tape", "tape"))),
    ("for i in range(3):\n    x = x * 2.0\ny = float(i) * x",
     (("float", "builtin"), ("range", "builtin"))),
    ("y = np.linalg.norm(x)", (("np", "module"),)),
    ("print(x)\ntf.print(x)\ny = x * 2.0", (("print", "builtin"), ("tf", "module"))),
])
def test_code_that_cannot_tell_names_what_it_relies_on(source, expected):
    assert roots(source) == expected


@pytest.mark.parametrize("source", [
    "y = model(x)",                      # a function of the user's
    "y = isinstance(x, tf.Tensor)",      # not a builtin of the list
    "y = {x: 1.0}",                      # tensors as dict keys (hashable; arrays are not)
    "y = (lambda v: v * 2.0)(x)",
    "y = tf.square(x)(x)",               # calling what a call returned
    "obj.value = x",                     # storing into an object
    "y = x.__class__",
    "y = tape.watch(x).numpy()",         # a method of what a tape call returned
    "y = [print(x), x][1]",              # printing in a value (the re-run would print again)
    "y = (tf.print(x), x)[1]",
])
def test_code_that_may_tell_is_not_blind(source):
    assert roots(source) is None


@pytest.mark.parametrize("source, root", [
    ("y = x.numpy() * 2.0", "x"),        # a Tensor's own method: x must be a module
    ("y = x.sum()", "x"),                # (a method call: the value could be anything)
    ("y = model.predict(x)", "model"),   # a method of the user's object
    ("w = model.w * 2.0", "model"),      # an attribute of the user's object
])
def test_methods_and_attributes_need_their_owner_to_be_a_module(source, root):
    assert (root, "module") in roots(source)


def _last_recording(tape):
    return tape._recordings[-1]


def test_the_seed_training_block_reruns_on_plain_arrays():
    a, b = tf.Variable(0.5), tf.Variable(-0.25)
    x = tf.constant(RNG.standard_normal(5).astype(np.float32))
    y = tf.constant(RNG.standard_normal(5).astype(np.float32))
    with tf.GradientTape() as tape:
        y_pred = a * x + b
        loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
    grads = tape.gradient(loss, [a, b])
    assert _last_recording(tape).blind()
    residual = (0.5 * x.numpy().astype(np.float64) - 0.25) - y.numpy()
    np.testing.assert_allclose(float(grads[0]), np.sum(residual * x.numpy()), rtol=1e-5)
    np.testing.assert_allclose(float(grads[1]), np.sum(residual), rtol=1e-5)
    assert type(grads[0]) is tf.Tensor and grads[0].dtype == np.float32


def _triple_tensors(v):
    """3 v for a Tensor, v for anything else: tells a Tensor from a plain array."""
    if isinstance(v, tf.Tensor):
        return v * 3.0
    return v


def test_a_function_of_the_users_gets_tensors():
    x = sg.constant(RNG.standard_normal(4))
    with sg.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(_triple_tensors(x) * x)      # 3 x . x: gradient 6 x
    grad = tape.gradient(y, x)
    assert not _last_recording(tape).blind()
    np.testing.assert_allclose(np.asarray(grad), 6.0 * np.asarray(x), rtol=1e-12)


def test_a_tensor_method_in_the_block_gets_tensors():
    x = sg.constant(RNG.standard_normal(3))
    with sg.GradientTape() as tape:
        tape.watch(x)
        scale = float(x.numpy()[0])        # a constant to the gradient
        y = tf.reduce_sum(x * x) * scale
    grad = tape.gradient(y, x)
    assert not _last_recording(tape).blind()
    np.testing.assert_allclose(np.asarray(grad), 2.0 * np.asarray(x) * float(x[0]), rtol=1e-12)


def test_a_shadowed_builtin_gets_tensors():
    def len(v):        # noqa: A001 - shadows the builtin on purpose
        return 2.0 if isinstance(v, tf.Tensor) else 1.0

    x = sg.constant(RNG.standard_normal(3))
    with sg.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x) * len(x)        # 2 sum(x): gradient 2
    grad = tape.gradient(y, x)
    assert not _last_recording(tape).blind()
    np.testing.assert_allclose(np.asarray(grad), np.full(3, 2.0), rtol=1e-12)


def test_a_module_of_the_users_is_not_a_library():
    fake = types.ModuleType("numpyish")      # (a name "numpy" starts, but not NumPy's)
    fake.attribute = 2.0
    np_like = fake
    x = sg.constant(RNG.standard_normal(3))
    with sg.GradientTape() as tape:
        tape.watch(x)
        y = np_like.attribute * x
    assert not _last_recording(tape).blind()
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), np.full(3, 2.0))
    fake.__name__ = "numpy.fake"     # (decided per recording, by the module's name)
    with sg.GradientTape() as tape:
        tape.watch(x)
        y = np_like.attribute * x
    assert _last_recording(tape).blind()
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), np.full(3, 2.0))


def test_a_module_imported_in_the_function_is_a_value_of_it():
    import numpy as numpy_here     # a local name, not a global of this file

    x = sg.constant(RNG.standard_normal(3))
    with sg.GradientTape() as tape:
        tape.watch(x)
        y = numpy_here.sum(numpy_here.tanh(x) ** 2)
    grad = tape.gradient(y, x)
    assert _last_recording(tape).blind()
    t = np.tanh(np.asarray(x))
    np.testing.assert_allclose(np.asarray(grad), 2.0 * t * (1.0 - t * t), rtol=1e-12)


def test_a_module_passed_to_a_differentiated_function():
    def energy(x, xp):          # the array-API style: the module is an argument
        return xp.sum(xp.tanh(x) ** 2)

    x = RNG.standard_normal(4)
    t = np.tanh(x)
    np.testing.assert_allclose(sg.grad(energy)(x, np), 2.0 * t * (1.0 - t * t), rtol=1e-12)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_blind_blocks_match_finite_differences(shape):
    w = sg.Variable(RNG.standard_normal(shape))
    x = sg.constant(RNG.standard_normal(shape))

    def loss_of(w_value):
        return float(np.sum(np.tanh(w_value * np.asarray(x)) ** 2))

    with sg.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(tf.tanh(w * x)))
    grad = np.asarray(tape.gradient(loss, w))
    assert _last_recording(tape).blind()
    numeric = central_difference_gradient(loss_of, [np.array(w.numpy(), np.float64)], 0)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
