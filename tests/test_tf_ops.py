"""The TensorFlow-named operations of `s2sgrad.tf`: ops, nn, losses, clip and optimizers.

Values are compared with NumPy formulas (float64, random inputs, several shapes, broadcasting),
gradients with central finite differences by `s2sgrad.check_grads`, in two ways:

- *direct*: the operation itself is the differentiated function (the compiler reads its source);
- *from user code*: a function of this file calls the operation, as TensorFlow code does (the
  compiler differentiates the call from the operation's source, or inlines its rule).

The seed numbers (../shared/seeds/README.md) that only involve operations are checked exactly:
001 item 1, 004's clipping numbers and stop_gradient, 000's losses and their gradients.
"""

from __future__ import annotations

import importlib
import json
import math
import pathlib
import warnings

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.eager.values import Tensor, Variable, constant

# The modules themselves (the package `s2sgrad.tf` may bind some of these names to namespaces).
clip, losses, nn, ops, optimizers = (importlib.import_module(f"s2sgrad.tf.{name}") for name in
                                     ("clip", "losses", "nn", "ops", "optimizers"))


# NumPy 2 keeps float32 when a 0-d float32 array meets a Python float; NumPy 1 gives float64.
NEP50 = int(np.__version__.split(".")[0]) >= 2


def rand(rng, shape, low=None, high=None):
    """Random float64 values of `shape`: normal, or uniform in [low, high)."""
    if low is None:
        return rng.standard_normal(shape)
    return rng.uniform(low, high, shape)


# User code calling an operation passed in (the compiler specializes on the object).


def call1(op, a):
    return op(a)


def call2(op, a, b):
    return op(a, b)


def call3(op, a, b, c):
    return op(a, b, c)


def sum_of_sin(op, a):
    return np.sum(np.sin(op(a)))


# ---- the seeds --------------------------------------------------------------------------------


def test_seed_001_add_matmul_reduce_sum():
    a = constant([[1, 2], [3, 4]])
    b = constant([[5, 6], [7, 8]])
    total = ops.add(a, b)
    product = ops.matmul(a, b)
    sum_a = ops.reduce_sum(a)
    assert isinstance(total, Tensor) and isinstance(product, Tensor) and isinstance(sum_a, Tensor)
    np.testing.assert_array_equal(total.numpy(), [[6, 8], [10, 12]])
    np.testing.assert_array_equal(product.numpy(), [[19, 22], [43, 50]])
    assert sum_a.numpy() == 10
    assert total.dtype == product.dtype == sum_a.dtype == np.int32    # TensorFlow keeps int32


def test_seed_004_clip_by_norm_and_global_norm():
    assert float(clip.clip_by_norm(9., 5)) == 5.0
    assert float(clip.clip_by_norm(12., 5)) == 5.0
    clipped, norm = clip.clip_by_global_norm([9., 12.], 5)
    np.testing.assert_allclose([float(t) for t in clipped], [3.0, 4.0], rtol=1e-6)
    assert float(norm) == 15.0
    if NEP50:                                   # a Python float is float32, as in TensorFlow
        assert clip.clip_by_norm(9., 5).dtype == np.float32


def x_times_stopped_x(x):
    return x * ops.stop_gradient(x)


def test_seed_004_stop_gradient():
    assert ops.stop_gradient is sg.stop_gradient
    assert sg.grad(x_times_stopped_x)(3.0) == 3.0


def z_of_ones(x):
    y = ops.reduce_sum(x)
    return ops.multiply(y, y)


def test_seed_003_reduce_sum_then_multiply():
    np.testing.assert_array_equal(sg.grad(z_of_ones)(np.ones((2, 2))), np.full((2, 2), 8.0))


SEED000 = (pathlib.Path(__file__).resolve().parents[1] / "examples" / "seeds" / "data"
           / "seed000_inputs.json")


def seed000_mse(w, b, x, y):
    prob = nn.softmax(ops.matmul(x, w) + b, axis=1)
    return ops.reduce_mean(losses.MSE(ops.one_hot(y, 3), prob))


def seed000_ce(w, b, x, y):
    logits = ops.matmul(x, w) + b
    return ops.reduce_mean(losses.categorical_crossentropy(ops.one_hot(y, 3), logits))


@pytest.fixture(scope="module")
def seed000():
    if not SEED000.exists():
        pytest.skip(f"{SEED000} is not available")
    return json.loads(SEED000.read_text())


@pytest.mark.parametrize("kind", ["mse", "ce"])
def test_seed_000_loss_values(seed000, kind):
    x, w = np.array(seed000["x"]), np.array(seed000["w"])
    loss = {"mse": seed000_mse, "ce": seed000_ce}[kind]
    value = loss(w, np.zeros(3), x, seed000["y_labels"])
    np.testing.assert_allclose(value, seed000["tf_float64"][f"{kind}_loss"], rtol=1e-12)


@pytest.mark.parametrize("kind", ["mse", "ce"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_seed_000_loss_gradients(seed000, kind, dtype):
    x, w = np.array(seed000["x"], dtype), np.array(seed000["w"], dtype)
    loss = {"mse": seed000_mse, "ce": seed000_ce}[kind]
    grad_w, grad_b = sg.grad(loss, wrt=(0, 1))(w, np.zeros(3, dtype), x, seed000["y_labels"])
    expected = seed000["tf_float64" if dtype == np.float64 else "tf_float32"]
    rtol = 1e-9 if dtype == np.float64 else 2e-5
    assert grad_w.dtype == dtype
    np.testing.assert_allclose(grad_w, expected[f"{kind}_grad_w"], rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(grad_b, expected[f"{kind}_grad_b"], rtol=rtol, atol=rtol * 1e-2)


# ---- elementwise operations -------------------------------------------------------------------

REAL, POSITIVE = (None, None), (0.2, 2.0)
UNARY = [
    (ops.negative, lambda x: -x, REAL),
    (ops.square, lambda x: x * x, REAL),
    (ops.sqrt, np.sqrt, POSITIVE),
    (ops.exp, np.exp, REAL),
    (ops.log, np.log, POSITIVE),
    (ops.abs, np.abs, REAL),
    (ops.tanh, np.tanh, REAL),
    (ops.sigmoid, lambda x: 1.0 / (1.0 + np.exp(-x)), REAL),
    (ops.sin, np.sin, REAL),
    (ops.cos, np.cos, REAL),
    (nn.relu, lambda x: np.where(x > 0, x, 0.0), REAL),
    (nn.softmax, lambda x: np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True), REAL),
    (nn.log_softmax, lambda x: x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True)), REAL),
]
UNARY_IDS = [op.__name__ for op, _, _ in UNARY]
SHAPES = [(), (3,), (2, 3)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op, reference, domain", UNARY, ids=UNARY_IDS)
def test_unary_values_and_direct_gradients(op, reference, domain, shape):
    rng = np.random.default_rng(len(shape))
    x = rand(rng, shape, *domain)
    np.testing.assert_allclose(op(x), reference(x), rtol=1e-12, atol=1e-15)
    sg.check_grads(op, [x])


@pytest.mark.parametrize("op, reference, domain", UNARY, ids=UNARY_IDS)
def test_unary_keeps_tensors_and_float32(op, reference, domain):
    x = constant([0.5, 1.5])                # float32, as tf.constant gives
    result = op(x)
    assert isinstance(result, Tensor) and result.dtype == np.float32
    assert isinstance(op(Variable([0.5, 1.5])), Tensor)


@pytest.mark.parametrize("op, reference, domain", UNARY, ids=UNARY_IDS)
def test_unary_gradients_from_user_code(op, reference, domain):
    x = rand(np.random.default_rng(5), (2, 3), *domain)
    sg.check_grads(call1, [op, x])
    sg.check_grads(sum_of_sin, [op, x], order=2)


BINARY = [
    (ops.add, np.add, REAL),
    (ops.subtract, np.subtract, REAL),
    (ops.multiply, np.multiply, REAL),
    (ops.divide, np.divide, POSITIVE),
    (ops.pow, np.power, POSITIVE),
    (ops.maximum, np.maximum, REAL),
    (ops.minimum, np.minimum, REAL),
]
BINARY_IDS = [op.__name__ for op, _, _ in BINARY]
SHAPE_PAIRS = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("op, reference, domain", BINARY, ids=BINARY_IDS)
def test_binary_values_and_gradients(op, reference, domain, shapes):
    rng = np.random.default_rng(sum(map(len, shapes)))
    x, y = (rand(rng, shape, *domain) for shape in shapes)
    np.testing.assert_allclose(op(x, y), reference(x, y), rtol=1e-12)
    sg.check_grads(op, [x, y])
    if op in (ops.maximum, ops.minimum):       # their own rules: from user code as they are
        sg.check_grads(call2, [op, x, y])


@pytest.mark.parametrize("op, reference, domain", BINARY[:5], ids=BINARY_IDS[:5])
def test_binary_gradients_from_user_code(op, reference, domain):
    rng = np.random.default_rng(7)
    sg.check_grads(call2, [op, rand(rng, (2, 3), *domain), rand(rng, (3,), *domain)])


def max_plus_min(x, y):
    return ops.maximum(x, y) + 2.0 * ops.minimum(x, y)


def test_maximum_minimum_ties_go_to_the_first_argument():
    # TensorFlow's convention (NumPy's rule in s2sgrad splits ties evenly).
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    gx, gy = sg.grad(sum_max_plus_min, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(gy, [0.0, 1.0, 2.0])
    _, tangent = sg.jvp(max_plus_min, (x, y), (np.ones(3), np.zeros(3)))
    np.testing.assert_array_equal(tangent, [3.0, 2.0, 1.0])


def sum_max_plus_min(x, y):
    return np.sum(max_plus_min(x, y))


def sum_relu(x):
    return np.sum(nn.relu(x))


def test_relu_gradient_is_zero_at_zero():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(sg.grad(sum_relu)(x), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(sg.jvp(sum_relu, (x,), (np.ones(3),))[1], 1.0)
    np.testing.assert_array_equal(nn.relu(np.array([-np.inf, -0.0, np.inf])), [0.0, 0.0, np.inf])
    assert not np.signbit(nn.relu(np.array([-2.0]))).any()


def sum_sin_of_rules(x, y):
    return np.sum(np.sin(ops.maximum(x, y) * nn.relu(x) + ops.convert_to_tensor(y) ** 2))


def test_rules_second_order():
    rng = np.random.default_rng(3)
    sg.check_grads(sum_sin_of_rules, [rand(rng, (2, 3)), rand(rng, (3,))], order=2)


def test_sigmoid_extremes_and_gradient_at_zero():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no overflow
        values = ops.sigmoid(x)
    np.testing.assert_allclose(values, [0.0, math.exp(-40.0) / (1 + math.exp(-40.0)), 0.5,
                                        1.0 / (1.0 + math.exp(-40.0)), 1.0], rtol=1e-15)
    _, vjp_fn = sg.vjp(ops.sigmoid, np.array([0.0, 1.0]))
    s1 = 1.0 / (1.0 + math.exp(-1.0))
    np.testing.assert_allclose(vjp_fn(np.ones(2))[0], [0.25, s1 * (1 - s1)], rtol=1e-14)


def test_abs_gradient_at_zero_and_clip_by_value_bounds():
    _, vjp_fn = sg.vjp(ops.abs, np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(vjp_fn(np.ones(3))[0], [-1.0, 0.0, 1.0])
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(ops.clip_by_value(x, 0.0, 1.0), [0.0, 0.0, 0.5, 1.0, 1.0])
    _, vjp_fn = sg.vjp(ops.clip_by_value, x, 0.0, 1.0)
    # The gradient passes inside and at the bounds, not outside (TensorFlow's clip_by_value).
    np.testing.assert_array_equal(vjp_fn(np.ones(5))[0], [0.0, 1.0, 1.0, 1.0, 0.0])
    sg.check_grads(ops.clip_by_value, [rand(np.random.default_rng(1), (2, 3)), -0.5, 0.5],
                   wrt=[0])


# ---- matmul and reductions -------------------------------------------------------------------

MATMUL_CASES = [
    ((3, 4), (4, 2), False, False),
    ((4, 3), (4, 2), True, False),
    ((3, 4), (2, 4), False, True),
    ((4, 3), (2, 4), True, True),
    ((2, 3, 4), (2, 4, 5), False, False),
    ((2, 4, 3), (4, 5), True, False),
    ((3, 4), (2, 5, 4), False, True),
]


@pytest.mark.parametrize("shape_a, shape_b, ta, tb", MATMUL_CASES, ids=str)
def test_matmul(shape_a, shape_b, ta, tb):
    rng = np.random.default_rng(11)
    a, b = rand(rng, shape_a), rand(rng, shape_b)
    expected = np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
    np.testing.assert_allclose(ops.matmul(a, b, transpose_a=ta, transpose_b=tb), expected,
                               rtol=1e-12)
    sg.check_grads(ops.matmul, [a, b, ta, tb], wrt=[0, 1])


REDUCTIONS = [
    (ops.reduce_sum, np.sum),
    (ops.reduce_mean, np.mean),
    (ops.reduce_max, np.max),
    (ops.reduce_min, np.min),
    (ops.reduce_prod, np.prod),
]
AXES = [None, 0, 1, -1, [0, 1], (0, 2)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("op, reference", REDUCTIONS, ids=[op.__name__ for op, _ in REDUCTIONS])
def test_reductions(op, reference, axis, keepdims):
    x = rand(np.random.default_rng(2), (2, 3, 4), 0.5, 1.5)
    numpy_axis = tuple(axis) if isinstance(axis, list) else axis
    np.testing.assert_allclose(op(x, axis, keepdims),
                               reference(x, axis=numpy_axis, keepdims=keepdims), rtol=1e-12)
    np.testing.assert_allclose(op(x, axis=constant(axis) if axis is not None else None,
                                  keepdims=keepdims),
                               reference(x, axis=numpy_axis, keepdims=keepdims), rtol=1e-12)
    sg.check_grads(op, [x, axis, keepdims], wrt=[0])


def test_reductions_keep_integer_dtypes():
    x = constant([[1, -2], [-3, -4]])
    assert ops.reduce_sum(x).dtype == ops.reduce_prod(x).dtype == np.int32
    assert ops.reduce_max(x).numpy() == 1 and ops.reduce_min(x, axis=1).dtype == np.int32
    # TensorFlow's integer mean truncates toward zero: (-3 - 4) / 2 = -3.5 -> -3.
    np.testing.assert_array_equal(ops.reduce_mean(x, axis=1).numpy(), [0, -3])
    assert ops.reduce_mean(x, axis=1).dtype == np.int32
    assert ops.reduce_sum(constant([1.0, 2.0])).dtype == np.float32


def test_reduce_max_splits_ties_evenly():
    _, vjp_fn = sg.vjp(ops.reduce_max, np.array([1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(vjp_fn(1.0)[0], [0.0, 0.5, 0.5])


@pytest.mark.parametrize("op", [ops.reduce_sum, ops.reduce_mean, ops.reduce_max],
                         ids=lambda op: op.__name__)
def test_reductions_from_user_code(op):
    x = rand(np.random.default_rng(4), (3, 4))
    sg.check_grads(call3, [op, x, 1, True], wrt=[1])
    sg.check_grads(sum_of_sin, [op, x], order=2)


def reduced_sin(x, axis, keepdims):
    return np.sum(np.sin(ops.reduce_sum(x, axis=axis, keepdims=keepdims))) \
        + np.sum(np.cos(ops.reduce_mean(x, axis, keepdims)))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_reduction_rules_from_user_code(axis, keepdims):
    # reduce_sum and reduce_mean have rules of their own: user code gets them inline (checked in
    # both modes, and at second order), for every form of `axis`
    x = rand(np.random.default_rng(8), (2, 3, 4))
    sg.check_grads(reduced_sin, [x, axis, keepdims], wrt=[0], order=2)
    grad = sg.grad(reduced_sin)
    grad(x, axis, keepdims)
    assert "called above" not in sg.source(grad)


def named_ops(x, y):
    u = ops.multiply(ops.square(x, name="sq"), ops.exp(y, name="e"), name="m")
    return ops.reduce_sum(ops.tanh(ops.subtract(u, y, "sub"), name="t"), name="total")


def test_operations_called_with_their_name_argument():
    # TensorFlow's `name` (by keyword or position) does not change the derivative; the rules
    # NumPy's functions have are used inline, not a generated callee per operation
    rng = np.random.default_rng(9)
    x, y = rand(rng, (2, 3)), rand(rng, (3,))
    sg.check_grads(named_ops, [x, y], order=2)
    source = sg.source(sg.grad(named_ops))
    assert "called above" not in source and "2.0 * x" in source


# ---- shapes and layout ----------------------------------------------------------------------


def test_reshape_transpose_expand_squeeze():
    rng = np.random.default_rng(6)
    x = rand(rng, (2, 3, 4))
    np.testing.assert_array_equal(ops.reshape(x, [4, -1]), x.reshape(4, 6))
    np.testing.assert_array_equal(ops.reshape(x, constant([6, 4])), x.reshape(6, 4))
    np.testing.assert_array_equal(ops.transpose(x), x.T)
    np.testing.assert_array_equal(ops.transpose(x, perm=[1, 2, 0]), x.transpose(1, 2, 0))
    np.testing.assert_array_equal(ops.expand_dims(x, 1).shape, (2, 1, 3, 4))
    y = rand(rng, (3, 1, 4, 1))
    assert ops.squeeze(y).shape == (3, 4)
    assert ops.squeeze(y, axis=[1]).shape == (3, 4, 1)
    assert isinstance(ops.reshape(constant(x), [24]), Tensor)
    sg.check_grads(ops.reshape, [x, [4, -1]], wrt=[0])
    sg.check_grads(ops.transpose, [x, [1, 2, 0]], wrt=[0])
    sg.check_grads(ops.transpose, [x], wrt=[0])
    sg.check_grads(ops.expand_dims, [x, -1], wrt=[0])
    sg.check_grads(ops.squeeze, [y, [1]], wrt=[0])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_and_stack(axis):
    rng = np.random.default_rng(8)
    a, b = rand(rng, (2, 3)), rand(rng, (2, 3))
    np.testing.assert_array_equal(ops.concat([a, b], axis), np.concatenate([a, b], axis))
    np.testing.assert_array_equal(ops.stack([a, b], axis=axis), np.stack([a, b], axis))
    np.testing.assert_array_equal(ops.stack([constant(1.0), constant(2.0)]), [1.0, 2.0])
    sg.check_grads(ops.concat, [[a, b], axis], wrt=[0])
    sg.check_grads(ops.stack, [[a, b], axis], wrt=[0])


def test_concat_of_variables():
    ops.concat([Variable([1.0]), Variable([2.0])], 0)


def test_layout_ops_from_user_code():
    x = rand(np.random.default_rng(9), (2, 3))
    sg.check_grads(call2, [ops.reshape, x, [3, 2]], wrt=[1])
    sg.check_grads(call2, [ops.transpose, x, [1, 0]], wrt=[1])
    sg.check_grads(call2, [ops.concat, [x, x * 2.0], 0], wrt=[1])
    sg.check_grads(call2, [ops.stack, [x, x * 2.0], 1], wrt=[1])


# ---- conversions and selection --------------------------------------------------------------


def test_convert_to_tensor():
    assert ops.convert_to_tensor(3.0).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor(np.array([1.0])).dtype == np.float64
    assert ops.convert_to_tensor(2.0, dtype_hint=np.float64).dtype == np.float64
    t = constant([1.0, 2.0])
    assert ops.convert_to_tensor(t) is t
    v = Variable([1.0, 2.0])
    assert ops.convert_to_tensor(v) is v.value()
    with pytest.raises(ValueError, match="requested dtype float64"):
        ops.convert_to_tensor(t, dtype=np.float64)
    assert ops.identity(v).dtype == np.float32 and isinstance(ops.identity(v), Tensor)


def convert_list(a, b):
    return ops.convert_to_tensor([a, b]) * 3.0


def cast_chain(x):
    return np.sum(ops.cast(ops.cast(x, "float64"), np.float64) ** 2)


def cast_to_int32(x):
    return ops.cast(x, np.int32) * x


def test_convert_to_tensor_gradients():
    rng = np.random.default_rng(12)
    sg.check_grads(call1, [ops.convert_to_tensor, rand(rng, (2, 3))])
    sg.check_grads(call1, [ops.convert_to_tensor, np.array(0.5)])
    sg.check_grads(convert_list, [rand(rng, (3,)), rand(rng, (3,))])


def test_cast():
    x = np.array([1.7, -2.5])
    assert ops.cast(x, np.int32).dtype == np.int32
    np.testing.assert_array_equal(ops.cast(x, "int32"), [1, -2])
    assert ops.cast(Variable([1.5]), np.float64).dtype == np.float64
    sg.check_grads(ops.cast, [rand(np.random.default_rng(1), (3,)), np.float64], wrt=[0])
    # No gradient flows through a cast to integers: d(int(x) * x)/dx = int(x).
    _, vjp_fn = sg.vjp(cast_to_int32, x)
    np.testing.assert_array_equal(vjp_fn(np.ones(2))[0], [1.0, -2.0])


def test_cast_from_user_code():
    sg.check_grads(cast_chain, [rand(np.random.default_rng(1), (3,))])


def test_cast_second_order():
    sg.check_grads(cast_chain, [rand(np.random.default_rng(1), (3,))], order=2)


def where_positive(x, y):
    return ops.where(ops.greater(x, 0.0), x, y * 2.0)


def test_where():
    rng = np.random.default_rng(13)
    x, y = rand(rng, (2, 3)), rand(rng, (3,))
    np.testing.assert_array_equal(ops.where(x > 0, x, y), np.where(x > 0, x, y))
    sg.check_grads(ops.where, [x > 0, x, y], wrt=[1, 2])
    indices = ops.where(np.array([[True, False], [False, True]]))
    np.testing.assert_array_equal(indices, [[0, 0], [1, 1]])
    assert indices.dtype == np.int64
    with pytest.raises(ValueError):
        ops.where(x > 0, x)


def test_where_from_user_code():
    rng = np.random.default_rng(13)
    sg.check_grads(where_positive, [rand(rng, (2, 3)), rand(rng, (3,))])


def test_comparisons_and_indices():
    x, y = constant([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0])
    np.testing.assert_array_equal(ops.equal(x, y), [True, False, False])
    np.testing.assert_array_equal(ops.not_equal(x, y), [False, True, True])
    np.testing.assert_array_equal(ops.greater(x, y), [False, True, False])
    np.testing.assert_array_equal(ops.greater_equal(x, y), [True, True, False])
    np.testing.assert_array_equal(ops.less(x, y), [False, False, True])
    np.testing.assert_array_equal(ops.less_equal(x, y), [True, False, True])
    assert isinstance(ops.equal(1.0, 1.0), Tensor)
    m = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ops.argmax(m), [1, 0, 1])        # axis None means 0
    np.testing.assert_array_equal(ops.argmax(m, axis=1), [1, 0])
    np.testing.assert_array_equal(ops.argmin(m, 1), [0, 1])
    assert ops.argmax(m).dtype == np.int64
    assert ops.argmax(m, output_type=np.int32).dtype == np.int32
    assert ops.size(m).numpy() == 6 and ops.size(m).dtype == np.int32
    np.testing.assert_array_equal(ops.shape(m), [2, 3])
    assert ops.shape(m).dtype == np.int32 and ops.shape(3.0).shape == (0,)


def test_creation_ops():
    assert ops.ones((2, 3)).dtype == np.float32 and isinstance(ops.ones([2]), Tensor)
    np.testing.assert_array_equal(ops.zeros(3, dtype=np.int32), [0, 0, 0])
    assert ops.zeros(3, dtype=np.int32).dtype == np.int32
    np.testing.assert_array_equal(ops.ones_like(Variable([[1, 2]])), [[1, 1]])
    assert ops.ones_like(Variable([[1, 2]])).dtype == np.int32
    assert ops.zeros_like(constant([1.0]), dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(ops.fill([2, 2], 7.0), np.full((2, 2), 7.0))
    assert ops.fill([2], 7.0).dtype == np.float32 and ops.fill([2], 7).dtype == np.int32
    np.testing.assert_array_equal(ops.range(5), np.arange(5))
    assert ops.range(5).dtype == np.int32
    np.testing.assert_array_equal(ops.range(1, 2, 0.25), [1.0, 1.25, 1.5, 1.75])
    assert ops.range(1, 2, 0.25).dtype == np.float32


def test_fill_gradient():
    sg.check_grads(ops.fill, [[2, 3], np.array(1.5)], wrt=[1])


def test_one_hot():
    hot = ops.one_hot([2, 0, -1, 3], 3)
    np.testing.assert_array_equal(hot, [[0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert hot.dtype == np.float32 and isinstance(hot, Tensor)
    hot = ops.one_hot(np.array([[1], [0]]), 2, on_value=5, off_value=-1)
    np.testing.assert_array_equal(hot, [[[-1, 5]], [[5, -1]]])
    assert hot.dtype == np.int32
    np.testing.assert_array_equal(ops.one_hot([0, 1, 1], 2, axis=0), [[1, 0, 0], [0, 1, 1]])
    assert ops.one_hot([1], 2, dtype=np.float64).dtype == np.float64


def masked_square(x):
    mask = ops.greater(x, 0.0) * ops.ones_like(x) + ops.zeros_like(x) * ops.size(x)
    return np.sum(x * x * mask) + np.sum(ops.one_hot(ops.argmax(x), 2) * ops.shape(x)[0])


def test_zero_derivative_ops_inside_differentiated_code():
    # Comparisons, ones_like, argmax, ... carry no gradient: only x * x * mask does.
    np.testing.assert_array_equal(sg.grad(masked_square)(np.array([-1.0, 2.0])), [0.0, 4.0])


# ---- random numbers -------------------------------------------------------------------------


def normal_with(mean, stddev):
    return ops.random_normal([4], mean=mean, stddev=stddev, seed=7)


def test_random_normal_and_uniform():
    ops.set_random_seed(None)
    a = ops.random.normal([2, 4], seed=1)
    b = ops.random.normal([2, 4], seed=1)
    assert a.dtype == np.float32 and a.shape == (2, 4) and isinstance(a, Tensor)
    assert not np.array_equal(a, b)          # the op-seed stream continues, as in TensorFlow
    ops.random.set_seed(3)
    first = [ops.random.normal([3], seed=1), ops.random.uniform([3]), ops.random_normal([2])]
    ops.random.set_seed(3)
    again = [ops.random.normal([3], seed=1), ops.random.uniform([3]), ops.random_normal([2])]
    for p, q in zip(first, again):
        np.testing.assert_array_equal(p, q)
    u = ops.random.uniform([1000], minval=-2.0, maxval=3.0, dtype=np.float64, seed=2)
    assert u.dtype == np.float64 and -2.0 <= u.min() and u.max() < 3.0
    ints = ops.random.uniform([100], minval=0, maxval=5, dtype=np.int32)
    assert ints.dtype == np.int32 and set(np.unique(ints).tolist()) <= set(range(5))
    with pytest.raises(ValueError):
        ops.random.uniform([2], dtype=np.int32)


def test_random_state_snapshot():
    ops.set_random_seed(5)
    ops.random.normal([2], seed=4)
    state = ops.random_state()
    p = (ops.random.normal([3], seed=4), ops.random.normal([3]))
    ops.restore_random_state(state)
    q = (ops.random.normal([3], seed=4), ops.random.normal([3]))
    np.testing.assert_array_equal(p[0], q[0])
    np.testing.assert_array_equal(p[1], q[1])


def test_random_normal_is_differentiable_in_mean_and_stddev():
    ops.set_random_seed(1)
    value = normal_with(np.array(0.5), np.array(2.0))
    ops.set_random_seed(1)
    jacobian = sg.jacobian(normal_with, wrt=1)(np.array(0.5), np.array(2.0))
    np.testing.assert_allclose(jacobian, (value - 0.5) / 2.0, rtol=1e-6)


# ---- tf.nn ------------------------------------------------------------------------------------


def test_softmax_values():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    np.testing.assert_allclose(nn.softmax(x), [[0.09003057, 0.24472847, 0.66524096],
                                               [0.5, 0.5, 0.0]], rtol=1e-7)
    np.testing.assert_allclose(np.sum(nn.softmax(x, axis=0), axis=0), np.ones(3))
    np.testing.assert_allclose(nn.log_softmax(x)[1], [-math.log(2), -math.log(2), -2000.0 -
                                                      math.log(2)])
    np.testing.assert_allclose(nn.softmax(x[0], axis=None), nn.softmax(x)[0])
    assert isinstance(nn.softmax(constant(x)), Tensor)
    sg.check_grads(nn.softmax, [x[:1] / 10, 0], wrt=[0])


@pytest.mark.parametrize("shape", [(3,), (2, 4)], ids=str)
def test_cross_entropies_with_logits(shape):
    rng = np.random.default_rng(14)
    logits, labels = rand(rng, shape), rand(rng, shape, 0.0, 1.0)
    log_p = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    np.testing.assert_allclose(nn.softmax_cross_entropy_with_logits(labels, logits),
                               -np.sum(labels * log_p, axis=-1), rtol=1e-12)
    sg.check_grads(nn.softmax_cross_entropy_with_logits, [labels, logits])
    sigmoid = 1.0 / (1.0 + np.exp(-logits))
    np.testing.assert_allclose(
        nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
        -labels * np.log(sigmoid) - (1 - labels) * np.log(1 - sigmoid), rtol=1e-12)
    sg.check_grads(nn.sigmoid_cross_entropy_with_logits, [labels, logits])
    np.testing.assert_allclose(nn.l2_loss(logits), np.sum(logits ** 2) / 2, rtol=1e-12)
    sg.check_grads(nn.l2_loss, [logits])


def test_sparse_softmax_cross_entropy_and_sigmoid_xent_at_zero():
    logits = rand(np.random.default_rng(15), (3, 4))
    labels = np.array([0, 3, 1])
    log_p = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    np.testing.assert_allclose(nn.sparse_softmax_cross_entropy_with_logits(labels, logits),
                               -log_p[np.arange(3), labels], rtol=1e-12)
    sg.check_grads(nn.sparse_softmax_cross_entropy_with_logits, [labels, logits], wrt=[1])
    _, vjp_fn = sg.vjp(nn.sigmoid_cross_entropy_with_logits, np.array([0.25]), np.array([0.0]))
    np.testing.assert_allclose(vjp_fn(np.ones(1))[1], [0.5 - 0.25])   # sigmoid(0) - z
    big = nn.sigmoid_cross_entropy_with_logits(labels=np.array([1.0, 0.0]),
                                               logits=np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(big, [1000.0, 1000.0])


def test_nn_from_user_code():
    rng = np.random.default_rng(16)
    x = rand(rng, (2, 3))
    for op in (nn.softmax, nn.log_softmax, nn.sigmoid):
        sg.check_grads(sum_of_sin, [op, x], order=2)
    sg.check_grads(call2, [nn.softmax_cross_entropy_with_logits, rand(rng, (2, 3), 0, 1), x])


# ---- tf.keras.losses --------------------------------------------------------------------------


def test_mse_and_mae():
    rng = np.random.default_rng(17)
    y_true, y_pred = rand(rng, (4, 3)), rand(rng, (4, 3))
    np.testing.assert_allclose(losses.MSE(y_true, y_pred), np.mean((y_true - y_pred) ** 2, -1))
    np.testing.assert_allclose(losses.mae(y_true, y_pred), np.mean(np.abs(y_true - y_pred), -1))
    assert losses.MSE is losses.mse is losses.mean_squared_error
    assert losses.MAE is losses.mean_absolute_error
    # Keras's rank alignment: [n] labels against [n, 1] predictions give n losses, not n * n.
    column = rand(rng, (4, 1))
    np.testing.assert_allclose(losses.MSE(y_true[:, 0], column), (y_true[:, 0] - column[:, 0]) ** 2)
    np.testing.assert_allclose(losses.MSE(column, y_true[:, 0]), (y_true[:, 0] - column[:, 0]) ** 2)
    assert losses.MSE(rand(rng, (2, 4, 1)), rand(rng, (2, 4))).shape == (2,)
    # Labels are cast to the predictions' dtype.
    assert losses.MSE(np.array([[1, 0]]), constant([[0.5, 0.5]])).dtype == np.float32


def test_mse_and_mae_gradients():
    rng = np.random.default_rng(18)
    for loss in (losses.MSE, losses.MAE):
        sg.check_grads(loss, [rand(rng, (4, 3)), rand(rng, (4, 3))])
        sg.check_grads(call2, [loss, rand(rng, 4), rand(rng, (4, 1))])


def probabilities(rng, shape):
    p = rand(rng, shape, 0.1, 1.0)
    return p / np.sum(p, axis=-1, keepdims=True)


def test_categorical_crossentropy():
    rng = np.random.default_rng(19)
    labels = np.eye(4)[[0, 2, 3]]
    raw = rand(rng, (3, 4), 0.1, 2.0)              # not normalized: Keras divides by the sum
    p = raw / np.sum(raw, axis=-1, keepdims=True)
    np.testing.assert_allclose(losses.categorical_crossentropy(labels, raw),
                               -np.sum(labels * np.log(p), axis=-1), rtol=1e-12)
    logits = rand(rng, (3, 4))
    log_p = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    np.testing.assert_allclose(losses.categorical_crossentropy(labels, logits, from_logits=True),
                               -np.sum(labels * log_p, axis=-1), rtol=1e-12)
    smooth = labels * 0.8 + 0.2 / 4
    np.testing.assert_allclose(
        losses.categorical_crossentropy(labels, logits, from_logits=True, label_smoothing=0.2),
        -np.sum(smooth * log_p, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(losses.categorical_crossentropy(labels.T, raw.T, axis=0),
                               losses.categorical_crossentropy(labels, raw), rtol=1e-12)
    sg.check_grads(losses.categorical_crossentropy, [labels, raw])
    sg.check_grads(losses.categorical_crossentropy, [labels, logits, True, 0.1], wrt=[0, 1])


def test_categorical_crossentropy_clip():
    labels = np.eye(3)[[0, 0, 1]]
    y_pred = np.array([[1e-9, 0.6, 0.4],           # p of the label below 1e-7: clipped
                       [1.0, 1e-12, 1e-12],        # p of the label above 1 - 1e-7: clipped
                       [-1.0, 2.0, 1.0]])          # raw logits: p = [-0.5, 1, 0.5] -> clipped
    loss = losses.categorical_crossentropy(labels, y_pred)
    np.testing.assert_allclose(loss, [-math.log(1e-7), -math.log(1 - 1e-7), -math.log(1 - 1e-7)],
                               rtol=1e-12)
    _, vjp_fn = sg.vjp(losses.categorical_crossentropy, labels, y_pred)
    np.testing.assert_array_equal(vjp_fn(np.ones(3))[1], np.zeros((3, 3)))
    # Unclipped, the gradient passes: d/dy_j of -log(y_0 / sum y) = -1/y_0 + 1/sum y at j = 0.
    y_pred = np.array([[0.2, 0.3, 0.5]])
    _, vjp_fn = sg.vjp(losses.categorical_crossentropy, labels[:1], y_pred)
    np.testing.assert_allclose(vjp_fn(np.ones(1))[1], [[-1 / 0.2 + 1, 1, 1]], rtol=1e-12)


def test_binary_and_sparse_crossentropy():
    rng = np.random.default_rng(20)
    y_true, y_pred = rand(rng, (3, 4), 0, 1).round(), rand(rng, (3, 4), 0.05, 0.95)
    bce = -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, y_pred), bce.mean(-1),
                               rtol=1e-12)
    logits = rand(rng, (3, 4))
    np.testing.assert_allclose(
        losses.binary_crossentropy(y_true, logits, from_logits=True),
        np.mean(nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=logits), -1),
        rtol=1e-12)
    smooth = y_true * 0.9 + 0.05
    np.testing.assert_allclose(
        losses.binary_crossentropy(y_true, y_pred, label_smoothing=0.1),
        np.mean(-(smooth * np.log(y_pred) + (1 - smooth) * np.log(1 - y_pred)), -1), rtol=1e-12)
    np.testing.assert_allclose(losses.binary_crossentropy(np.ones((1, 1)), np.ones((1, 1))),
                               [-math.log(1 - 1e-7)], rtol=1e-9)
    sg.check_grads(losses.binary_crossentropy, [y_true, y_pred])
    sg.check_grads(losses.binary_crossentropy, [y_true, logits, True], wrt=[1])

    labels = np.array([2, 0, 1])
    p = probabilities(rng, (3, 4))
    expected = -np.log(p[np.arange(3), labels])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p), expected,
                               rtol=1e-12)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels[:, None], p),
                               expected, rtol=1e-12)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(labels, logits, from_logits=True),
        nn.sparse_softmax_cross_entropy_with_logits(labels, logits), rtol=1e-12)
    sg.check_grads(losses.sparse_categorical_crossentropy, [labels, p], wrt=[1])
    sg.check_grads(losses.sparse_categorical_crossentropy, [labels, logits, True], wrt=[1])


# ---- clipping ---------------------------------------------------------------------------------


def test_clip_by_norm():
    rng = np.random.default_rng(21)
    x = rand(rng, (3, 4)) * 3
    norm = np.sqrt(np.sum(x * x))
    np.testing.assert_allclose(clip.clip_by_norm(x, 2.0), x * 2.0 / norm, rtol=1e-12)
    np.testing.assert_allclose(clip.clip_by_norm(x, 100.0), x, rtol=1e-12)
    rows = np.sqrt(np.sum(x * x, axis=1, keepdims=True))
    np.testing.assert_allclose(clip.clip_by_norm(x, 2.0, axes=[1]),
                               x * 2.0 / np.maximum(rows, 2.0), rtol=1e-12)
    np.testing.assert_array_equal(clip.clip_by_norm(np.zeros(3), 1.0), np.zeros(3))
    sg.check_grads(clip.clip_by_norm, [x, 2.0], wrt=[0])
    sg.check_grads(clip.clip_by_norm, [x, 2.0, [1]], wrt=[0])
    _, vjp_fn = sg.vjp(clip.clip_by_norm, np.zeros(3), 1.0)     # finite at t = 0
    np.testing.assert_array_equal(vjp_fn(np.ones(3))[0], np.ones(3))


def test_global_norm_and_clip_by_global_norm():
    rng = np.random.default_rng(22)
    a, b = rand(rng, (2, 3)), rand(rng, (4,))
    norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    np.testing.assert_allclose(clip.global_norm([a, None, b]), norm, rtol=1e-12)
    clipped, used = clip.clip_by_global_norm([a, None, b], 1.0)
    assert clipped[1] is None and len(clipped) == 3
    np.testing.assert_allclose(used, norm, rtol=1e-12)
    np.testing.assert_allclose(clipped[0], a / max(norm, 1.0), rtol=1e-12)
    np.testing.assert_allclose(clipped[2], b / max(norm, 1.0), rtol=1e-12)
    clipped, used = clip.clip_by_global_norm([a], 1.0, use_norm=10.0)
    np.testing.assert_allclose(clipped[0], a / 10.0, rtol=1e-12)
    clipped, used = clip.clip_by_global_norm([np.array([np.inf, 1.0])], 1.0)
    assert np.isnan(clipped[0]).all()                     # TensorFlow: NaN for an infinite norm
    assert clip.clip_by_value is ops.clip_by_value
    sg.check_grads(clip.global_norm, [[a, b]])


def global_clipped_sum(a, b):
    result = clip.clip_by_global_norm([a, None, b], 1.0)
    return np.sum(result[0][0]) + np.sum(result[0][2] * 2.0) + result[1]


def test_clip_by_global_norm_gradients():
    rng = np.random.default_rng(23)
    sg.check_grads(global_clipped_sum, [rand(rng, (2, 3)), rand(rng, (4,))])


# ---- optimizers -------------------------------------------------------------------------------


def test_sgd_plain_two_steps():
    v = Variable(np.array([1.0, 2.0]))
    opt = optimizers.SGD(learning_rate=0.5)
    opt.apply_gradients([(np.array([0.1, 0.2]), v)])
    np.testing.assert_allclose(v.numpy(), [1.0 - 0.05, 2.0 - 0.1])
    opt.apply_gradients(zip([constant([0.4, -0.2], dtype=np.float64)], [v]))
    np.testing.assert_allclose(v.numpy(), [0.95 - 0.2, 1.9 + 0.1])
    assert opt.iterations.numpy() == 2 and v.dtype == np.float64


@pytest.mark.parametrize("nesterov, expected", [(False, [0.9, 0.76]), (True, [0.81, 0.634])])
def test_sgd_momentum_two_steps(nesterov, expected):
    # lr 0.1, momentum 0.9, x0 = 1, gradients 1 then 0.5:
    # velocity1 = -0.1 * 1 = -0.1; velocity2 = 0.9 * -0.1 - 0.1 * 0.5 = -0.14.
    # plain: x1 = 1 - 0.1 = 0.9, x2 = 0.9 - 0.14 = 0.76.
    # Nesterov: x1 = 1 + 0.9 * -0.1 - 0.1 = 0.81, x2 = 0.81 + 0.9 * -0.14 - 0.05 = 0.634.
    x = Variable(np.float64(1.0))
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
    for gradient, value in zip([1.0, 0.5], expected):
        opt.apply_gradients([(gradient, x)])
        np.testing.assert_allclose(x.numpy(), value, rtol=1e-14)


def test_adam_two_steps():
    # lr 0.1, b1 0.9, b2 0.999, eps 1e-7, x0 = 1, gradients 1 then 0.5.
    # Step 1: m = 0.1, v = 0.001, alpha = 0.1 * sqrt(1 - 0.999) / (1 - 0.9) = sqrt(0.001),
    #         x1 = 1 - alpha * 0.1 / (sqrt(0.001) + 1e-7).
    # Step 2: m = 0.09 + 0.05 = 0.14, v = 0.000999 + 0.00025 = 0.001249,
    #         alpha = 0.1 * sqrt(1 - 0.999**2) / (1 - 0.9**2),
    #         x2 = x1 - alpha * m / (sqrt(v) + eps).
    x1 = 1 - math.sqrt(0.001) * 0.1 / (math.sqrt(0.001) + 1e-7)
    x2 = x1 - 0.1 * math.sqrt(1 - 0.999 ** 2) / (1 - 0.81) * 0.14 / (math.sqrt(0.001249) + 1e-7)
    x = Variable(np.array([1.0, 1.0]))
    y = Variable(np.float32(1.0))
    opt = optimizers.Adam(learning_rate=0.1)
    opt.apply_gradients([(np.array([1.0, 1.0]), x), (1.0, y)])
    np.testing.assert_allclose(x.numpy(), [x1, x1], rtol=1e-14)
    opt.apply_gradients([(np.array([0.5, 0.5]), x), (0.5, y)])
    np.testing.assert_allclose(x.numpy(), [x2, x2], rtol=1e-14)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), x2, rtol=1e-6)


def test_adam_amsgrad_and_schedules():
    x = Variable(np.float64(0.0))
    opt = optimizers.Adam(learning_rate=lambda_schedule, amsgrad=True)
    opt.apply_gradients([(1.0, x)])
    opt.apply_gradients([(0.0, x)])        # v shrinks, its running maximum does not
    # Step 1 (rate 0.1): m = 0.1, v = v_hat = 0.001. Step 2 (rate 0.05, gradient 0): m = 0.09,
    # v = 0.000999, v_hat = max(0.001, 0.000999) = 0.001.
    x1 = -math.sqrt(0.001) * 0.1 / (math.sqrt(0.001) + 1e-7)
    x2 = x1 - 0.05 * math.sqrt(1 - 0.999 ** 2) / 0.19 * 0.09 / (math.sqrt(0.001) + 1e-7)
    np.testing.assert_allclose(x.numpy(), x2, rtol=1e-14)
    assert optimizers.SGD(learning_rate=constant_rate).current_learning_rate() == 0.25


def lambda_schedule(step):
    return 0.1 / (1 + step)          # 0.1 at step 0, 0.05 at step 1


def constant_rate():
    return 0.25


def test_none_gradients():
    a, b = Variable(1.0, name="a"), Variable(2.0, name="b")
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['a:\d+'\]"):
        opt.apply_gradients([(None, a), (1.0, b)])
    assert a.numpy() == 1.0 and b.numpy() == 1.5
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \['a:\d+', "
                                         r"'b:\d+'\]"):
        opt.apply_gradients(zip([None, None], [a, b]))
    with pytest.raises(TypeError, match="tf.Variable"):
        opt.apply_gradients([(1.0, np.ones(2))])


def test_optimizer_options():
    with pytest.raises(TypeError, match="unsupported"):
        optimizers.SGD(decay=0.1)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=2.0)
    with pytest.warns(DeprecationWarning):
        assert optimizers.SGD(lr=0.2).learning_rate == 0.2
    x = Variable(np.array([3.0, 4.0]))
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply_gradients([(np.array([3.0, 4.0]), x)])
    np.testing.assert_allclose(x.numpy(), [3.0 - 0.6, 4.0 - 0.8])
    x = Variable(np.array([3.0, 4.0]))
    optimizers.SGD(learning_rate=1.0, clipvalue=0.5).apply_gradients([(np.array([3.0, -0.1]), x)])
    np.testing.assert_allclose(x.numpy(), [2.5, 4.1])


def test_gradient_descent_optimizer_v1():
    w, b = Variable(2.0), Variable(3.0)
    step = Variable(0, dtype=np.int64)
    opt = optimizers.GradientDescentOptimizer(0.1)
    opt.apply_gradients([(9.0, w), (None, b)], global_step=step)
    np.testing.assert_allclose(w.numpy(), 2.0 - 0.9, rtol=1e-6)
    assert b.numpy() == 3.0 and step.numpy() == 1
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, w)])


# ---- add_n, gather, norm --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=str)
def test_add_n_sums_a_list_and_its_gradient_reaches_every_entry(shape):
    rng = np.random.default_rng(11)
    xs = [rand(rng, shape) for _ in range(3)]
    np.testing.assert_allclose(ops.add_n(xs), xs[0] + xs[1] + xs[2], rtol=1e-12)

    def weighted(a, b, c):
        return np.sum(np.sin(ops.add_n([a, 2.0 * b, c * c])))
    sg.check_grads(weighted, xs)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_gather_takes_slices_and_adds_gradients_of_repeated_indices(axis):
    rng = np.random.default_rng(12)
    x = rand(rng, (4, 3))
    indices = [2, 0, 2]
    expected = np.take(x, indices, axis=0 if axis is None else axis)
    np.testing.assert_allclose(ops.gather(x, indices, axis=axis), expected, rtol=1e-12)

    def picked(params):
        return np.sum(np.tanh(ops.gather(params, indices, axis=axis)) ** 2)
    sg.check_grads(picked, [x])
    grad = sg.grad(lambda p: np.sum(ops.gather(p, indices, axis=axis)))(x)
    counts = np.zeros(x.shape[0 if axis is None else axis])
    np.add.at(counts, indices, 1.0)
    np.testing.assert_allclose(grad, np.expand_dims(counts, 1 if axis in (None, 0) else 0)
                               * np.ones_like(x))


@pytest.mark.parametrize("order, numpy_order", [("euclidean", 2), ("fro", 2), (2, 2), (1, 1),
                                                (np.inf, np.inf), (3, 3)])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_norm_matches_numpy_and_finite_differences(order, numpy_order, axis):
    rng = np.random.default_rng(13)
    x = rand(rng, (3, 4))
    if axis is None:
        expected = np.linalg.norm(x.ravel(), numpy_order)
    else:
        expected = np.linalg.norm(x, numpy_order, axis=axis)
    np.testing.assert_allclose(ops.norm(x, ord=order, axis=axis), expected, rtol=1e-12)

    def scaled(t):
        return np.sum(ops.norm(t * 1.5, ord=order, axis=axis))
    sg.check_grads(scaled, [x])


def test_norm_and_gather_refuse_what_they_do_not_support():
    x = constant(np.ones((2, 2)))
    with pytest.raises(NotImplementedError, match="matrix norm"):
        ops.norm(x, axis=[0, 1])
    with pytest.raises(ValueError, match="supported vector norm"):
        ops.norm(x, ord="nuc")
    with pytest.raises(NotImplementedError, match="batch_dims"):
        ops.gather(x, [0], batch_dims=1)
