"""The functional API: forms of grad, wrt, value_and_grad, vjp, types and dtypes of results."""

import math

import numpy as np
import numpy as onp_alias
import pytest

import s2sgrad as sg
from numpy import tanh as bare_tanh

RNG = np.random.default_rng(1234)


def numeric_grad(f, args, i, eps=1e-6):
    """Central-difference gradient of scalar f w.r.t. argument i (float64)."""
    x = np.array(args[i], dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        up, down = list(args), list(args)
        up[i], down[i] = x + step, x - step
        if np.ndim(args[i]) == 0:
            up[i], down[i] = float(up[i]), float(down[i])
        grad[index] = (f(*up) - f(*down)) / (2 * eps)
    return grad


def loss(w, b, x):
    z = np.tanh(x @ w + b)
    return np.mean(z * z) + 0.1 * np.sum(w ** 2)


ARGS = (RNG.standard_normal((3, 2)), RNG.standard_normal(2), RNG.standard_normal((4, 3)))


def test_decorator_forms_agree_with_finite_differences():
    @sg.grad
    def bare(w, b, x):
        z = np.tanh(x @ w + b)
        return np.mean(z * z) + 0.1 * np.sum(w ** 2)

    @sg.grad(wrt="b")
    def with_options(w, b, x):
        z = np.tanh(x @ w + b)
        return np.mean(z * z) + 0.1 * np.sum(w ** 2)

    assert np.allclose(bare(*ARGS), numeric_grad(loss, ARGS, 0), atol=1e-7)
    assert np.allclose(with_options(*ARGS), numeric_grad(loss, ARGS, 1), atol=1e-7)
    assert np.allclose(sg.grad(loss, wrt=2)(*ARGS), numeric_grad(loss, ARGS, 2), atol=1e-7)


@pytest.mark.parametrize("wrt", [(0, 1, 2), ("w", "b", "x"), (0, "b", 2), [2, 0]])
def test_wrt_tuples_by_position_and_name(wrt):
    grads = sg.grad(loss, wrt=wrt)(*ARGS)
    assert isinstance(grads, tuple) and len(grads) == len(wrt)
    names = ("w", "b", "x")
    for g, item in zip(grads, wrt):
        index = item if isinstance(item, int) else names.index(item)
        assert g.shape == ARGS[index].shape
        assert np.allclose(g, numeric_grad(loss, ARGS, index), atol=1e-7)


def test_wrt_tuple_of_one_gives_a_tuple():
    grads = sg.grad(loss, wrt=(1,))(*ARGS)
    assert isinstance(grads, tuple) and len(grads) == 1


def test_keyword_arguments_and_defaults_are_honoured():
    def f(x, scale=3.0, *, power=2):
        return np.sum(scale * x ** power)

    x = RNG.standard_normal(4)
    assert np.allclose(sg.grad(f)(x), 6.0 * x)
    assert np.allclose(sg.grad(f)(x, power=3), 9.0 * x ** 2)
    assert np.allclose(sg.grad(f)(x=x, scale=1.0), 2.0 * x)
    assert np.isclose(sg.grad(f, wrt="scale")(x), np.sum(x ** 2))
    assert np.isclose(sg.grad(f, wrt="scale")(x, 5.0), np.sum(x ** 2))


def test_value_and_grad_returns_both_from_one_call():
    value, grads = sg.value_and_grad(loss, wrt=(0, 1))(*ARGS)
    assert np.isclose(value, loss(*ARGS))
    assert np.allclose(grads[0], numeric_grad(loss, ARGS, 0), atol=1e-7)
    assert np.allclose(grads[1], numeric_grad(loss, ARGS, 1), atol=1e-7)
    decorated = sg.value_and_grad(wrt="b")(loss)
    value, grad_b = decorated(*ARGS)
    assert np.allclose(grad_b, numeric_grad(loss, ARGS, 1), atol=1e-7)


def layer(w, x):
    return np.tanh(x @ w)


def test_vjp_of_a_matrix_valued_function():
    w, x = RNG.standard_normal((3, 5)), RNG.standard_normal((4, 3))
    value, vjp_fn = sg.vjp(layer, w, x)
    assert np.allclose(value, layer(w, x))
    for _ in range(3):
        cotangent = RNG.standard_normal(value.shape)
        gw, gx = vjp_fn(cotangent)
        scalar = lambda w_, x_: float(np.sum(cotangent * layer(w_, x_)))  # noqa: E731
        assert np.allclose(gw, numeric_grad(scalar, (w, x), 0), atol=1e-7)
        assert np.allclose(gx, numeric_grad(scalar, (w, x), 1), atol=1e-7)


def test_vjp_forward_runs_once_and_backward_many_times():
    calls = []

    def counted(x):
        calls.append(1)
        return x

    sg.zero_derivative(counted)

    def f(x):
        counted(x)
        return np.sin(x)

    value, vjp_fn = sg.vjp(f, np.ones(3))
    vjp_fn(np.ones(3))
    vjp_fn(np.ones(3))
    assert len(calls) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_keeps_the_input_dtype_and_shape(dtype):
    x = RNG.standard_normal((3, 2)).astype(dtype)
    g = sg.grad(lambda x: np.sum(np.sin(x) * 2.0))(x)
    assert g.dtype == dtype and g.shape == x.shape
    assert np.allclose(g, 2.0 * np.cos(x), rtol=1e-5)


def test_python_float_in_python_float_out():
    g = sg.grad(lambda x: math.sin(x) * x)(0.5)
    assert type(g) is float
    assert math.isclose(g, math.cos(0.5) * 0.5 + math.sin(0.5))


def test_numpy_scalar_in_numpy_scalar_out():
    g = sg.grad(lambda x: x * x)(np.float32(3.0))
    assert type(g) is np.float32 and g == np.float32(6.0)


def test_unconnected_input_gets_a_zero_of_its_shape():
    def f(x, y):
        return np.sum(x * 2.0)

    gx, gy = sg.grad(f, wrt=(0, 1))(np.ones(3), np.ones((2, 2), np.float32))
    assert np.array_equal(gx, np.full(3, 2.0))
    assert gy is not None and gy.shape == (2, 2) and gy.dtype == np.float32 and not gy.any()
    assert sg.grad(lambda x, y: y * 1.0)(1.0, 2.0) == 0.0


def test_returned_gradients_are_writeable_and_distinct():
    def f(x, y):
        return np.sum(x + y)

    gx, gy = sg.grad(f, wrt=(0, 1))(np.ones(3), np.ones(3))
    gx += 1.0
    assert np.array_equal(gy, np.ones(3))
    g = sg.grad(lambda x: np.sum(x))(np.ones((2, 2)))
    g[0, 0] = 5.0  # a broadcast view would refuse this


def test_non_differentiated_arguments_can_be_anything():
    class Config:
        scale = 2.0

    def f(x, config, label, n):
        y = x * config.scale
        return np.sum(y[:n]) * len(label)

    g = sg.grad(f)(np.ones(4), Config(), "ab", 2)
    assert np.array_equal(g, [4.0, 4.0, 0.0, 0.0])


def test_rules_are_found_by_object_whatever_the_alias():
    def f(x):
        return onp_alias.sum(bare_tanh(x))

    x = RNG.standard_normal(3)
    assert np.allclose(sg.grad(f)(x), 1 - np.tanh(x) ** 2)


def test_augmented_and_tuple_assignments():
    def f(x, y):
        a, b = x * 2.0, y
        a, b = b, a           # swap
        a += b
        a *= x
        c = d = a
        return np.sum(c * d)

    x, y = RNG.standard_normal(3), RNG.standard_normal(3)

    def reference(x, y):
        a = (y + 2.0 * x) * x
        return np.sum(a * a)

    sg.check_grads(f, (x, y))
    assert np.allclose(sg.grad(f, wrt=(0, 1))(x, y)[1], numeric_grad(reference, (x, y), 1))


def test_reassigned_argument_keeps_its_gradient():
    def f(x):
        x0 = x
        x = x * x
        x = x * x0
        return np.sum(x)

    x = RNG.standard_normal(3)
    assert np.allclose(sg.grad(f)(x), 3 * x ** 2)


def test_stop_gradient_blocks_the_flow():
    def f(x):
        return np.sum(x * sg.stop_gradient(x))

    x = RNG.standard_normal(3)
    assert np.allclose(sg.grad(f)(x), x)


def test_custom_rule_for_a_user_function():
    def softplus(x):
        return np.log1p(np.exp(x))

    @sg.adjoint(softplus)
    def softplus_adjoint(z, x):
        d[x] = d[z] / (1.0 + np.exp(-x))  # noqa: F821

    def f(x):
        return np.sum(softplus(x) * x)

    x = RNG.standard_normal(4)
    sg.check_grads(f, (x,))
    assert "softplus(x)" in sg.source(sg.grad(f))


def test_check_grads_passes_on_correct_code_and_handles_int_arguments():
    def f(x, n):
        return np.sum(np.exp(x[:n]))

    sg.check_grads(f, (RNG.standard_normal(5), 3))


def test_verbose_prints_the_source_once(capsys):
    df = sg.grad(lambda x: np.sum(np.cos(x)), verbose=1)
    df(np.ones(2))
    df(np.ones(2))
    printed = capsys.readouterr().out
    assert printed.count("def dlambda_dx") == 1


def test_check_grads_refuses_unknown_orders_and_modes():
    with pytest.raises(sg.S2sgradError, match="orders 1, 2 and 3"):
        sg.check_grads(lambda x: x * x, (1.0,), order=4)
    with pytest.raises(sg.S2sgradError, match="modes are 'fwd' and 'rev'"):
        sg.check_grads(lambda x: x * x, (1.0,), modes=("backward",))


def test_check_grads_at_second_order_catches_a_wrong_second_derivative():
    def scaled(x):
        return x * x

    @sg.adjoint(scaled)
    def first_order_only(z, x):
        d[x] = d[z] * 2.0 * x  # noqa: F821

    @sg.tangent(scaled)
    def wrong_tangent(z, x):
        d[z] = d[x] * 3.0 * x  # noqa: F821 - the true derivative is 2x

    def f(x):
        return np.sum(scaled(x) * x)

    sg.check_grads(f, (np.array([0.5, -1.0]),), modes=("rev",), order=2)
    with pytest.raises(sg.GradientCheckError, match="forward mode"):
        sg.check_grads(f, (np.array([0.5, -1.0]),), order=2)


def test_source_of_something_else_is_an_error():
    with pytest.raises(sg.S2sgradError, match="not a derivative made by s2sgrad"):
        sg.source(loss)


def test_generated_names_never_collide_with_user_names():
    import numpy

    def f(x, bx, b_return, unbroadcast):
        np = numpy.sin(x)               # a local called np, shadowing nothing we rely on
        scalar_seed = np * bx           # user names that equal helper names
        by = scalar_seed * b_return + unbroadcast
        bx_1 = by * x
        return numpy.sum(bx_1)

    x = RNG.standard_normal(3)
    args = (x, 2.0, 3.0, 0.5)
    grads = sg.grad(f, wrt=(0, 1, 2, 3))(*args)
    for i, g in enumerate(grads):
        assert np.allclose(g, numeric_grad(f, args, i), atol=1e-6)
    text = sg.source(sg.grad(f, wrt=(0, 1, 2, 3)))
    assert "unbroadcast_1(" in text or "unbroadcast(" not in text


def test_float32_stays_float32_inside_the_generated_code():
    """The raw gradients (before the final cast to the input dtype) are float32 already."""
    import sys
    import os

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    import mlp

    rng = np.random.default_rng(0)
    params = [p.astype(np.float32) for p in mlp.init(rng, sizes=(6, 5, 3))]
    x = rng.standard_normal((4, 6)).astype(np.float32)
    labels = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    df = sg.grad(mlp.loss, wrt=(0, 1, 2, 3))
    raw = df.generated_functions()[0](*params, x, labels)
    assert [g.dtype for g in raw] == [np.float32] * 4
    value = sg.value_and_grad(mlp.loss)(*params, x, labels)[0]
    assert value.dtype == np.float32
