"""The dtype contract of every derivative s2sgrad returns.

- Floating inputs: a gradient (grad, value_and_grad, vjp, hvp, hessian) has its argument's type
  and dtype: float32 in, float32 out; float64 in, float64 out; a NumPy scalar gives a NumPy
  scalar of its type; a Python float gives a Python float (not a 0-d array). The value that
  value_and_grad, vjp and jvp return is what the function returns (NumPy's promotion: float32
  times float64 is float64), and a jvp's tangent has the value's type and dtype.
- Mixed float32 and float64 arguments: each argument's gradient is in that argument's dtype.
- Integer and boolean arguments: asking for their derivative (`wrt=`, a vjp, a jvp tangent, a
  Hessian) raises `WrtError` (an `S2sgradError`) naming the argument; otherwise they are
  constants, whatever their dtype.
- Complex arguments follow the convention of s2sgrad/rules/complex.py: for a real loss L of a
  complex w = x + iy, the gradient is dL/dx - i dL/dy (complex, the dtype of w), tangents are
  exact; what has no meaning in that convention (the gradient of a complex-valued output, a
  Hessian over a complex argument) is refused with an `S2sgradError`.

Checked over elementwise code, reductions, products, Python loops (`for`, `while`) and scalar
`math` code; the numbers are checked too (float32 against float64, complex against finite
differences). Tests marked xfail(strict=True) are known departures from the contract, each with
the reason; they fail loudly once fixed, so that the marker can be removed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import s2sgrad as sg

# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------


def elementwise(x):
    return np.sum(np.tanh(x) * x + np.exp(-x) / (1.0 + x * x))


def reductions(x):
    return np.mean(x ** 2) + np.max(x) + np.prod(1.0 + 0.1 * x) + x.sum() * 0.5


def reductions_axis(x):          # x: a matrix
    return np.sum(np.sum(x, axis=0) ** 2) + np.sum(np.mean(x, axis=1, keepdims=True) * x)


def products(x):                 # x: a vector
    m = x.reshape(-1, 1) * x     # the outer product, by broadcasting
    return np.sum(np.tanh(m @ x)) + np.dot(x, x)


def for_loop(x):
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.sin(x * (i + 1)) * x)
    return total


def while_loop(x):
    y = x
    n = 0
    while n < 4:
        y = np.tanh(1.5 * y) + 0.1 * x
        n = n + 1
    return np.sum(y * y)


def scalar_math(x):              # x: a Python float
    return math.sin(x) * x + math.exp(-x * x)


def scalar_loop(x):
    y = 0.0
    for i in range(4):
        y = y + math.tanh(x * i) / (1.0 + i)
    return y * x


ARRAY_FUNCTIONS = [elementwise, reductions, products, for_loop, while_loop]
SCALAR_FUNCTIONS = [scalar_math, scalar_loop, elementwise, for_loop, while_loop]

VECTOR = np.array([0.3, -0.7, 1.2])
MATRIX = np.array([[0.3, -0.7, 1.2], [0.5, 0.1, -0.4]])


def _inputs():
    """(function, argument) pairs over the floating types the contract covers."""
    out = []
    for f in ARRAY_FUNCTIONS:
        for dtype in (np.float32, np.float64):
            out.append(pytest.param(f, VECTOR.astype(dtype), id=f"{f.__name__}-{dtype.__name__}"))
    for dtype in (np.float32, np.float64):
        out.append(pytest.param(reductions_axis, MATRIX.astype(dtype),
                                id=f"reductions_axis-{dtype.__name__}"))
    for f in SCALAR_FUNCTIONS:
        if f.__name__.startswith("scalar"):
            out.append(pytest.param(f, 0.7, id=f"{f.__name__}-pyfloat"))
        else:
            for value, name in ((np.float32(0.7), "npfloat32"), (np.float64(0.7), "npfloat64"),
                                (0.7, "pyfloat")):
                out.append(pytest.param(f, value, id=f"{f.__name__}-{name}"))
    return out


# ---------------------------------------------------------------------------------------------
# What "the same type and dtype" means
# ---------------------------------------------------------------------------------------------


def assert_like(result, reference, shape=None, what="result"):
    """`result` has `reference`'s type (ndarray, NumPy scalar type, Python float) and dtype; with
    `shape`, that shape instead of the reference's (a Hessian)."""
    if isinstance(reference, np.ndarray):
        assert type(result) is np.ndarray, f"{what}: {type(result).__name__}, not an ndarray"
        assert result.dtype == reference.dtype, \
            f"{what}: dtype {result.dtype}, not {reference.dtype}"
        expected = reference.shape if shape is None else shape
        assert result.shape == expected, f"{what}: shape {result.shape}, not {expected}"
    elif isinstance(reference, np.generic):
        if shape:   # a Hessian of a NumPy scalar is that scalar's type too (shape ())
            raise AssertionError("a scalar reference has shape ()")
        assert type(result) is type(reference), \
            f"{what}: {type(result).__name__}, not {type(reference).__name__}"
    elif type(reference) is float:
        assert type(result) is float, f"{what}: {type(result).__name__}, not a Python float"
    else:
        raise AssertionError(f"unexpected reference type {type(reference).__name__}")


def _float64(value):
    return value if type(value) is float else np.asarray(value, dtype=np.float64)


def _tolerance(value):
    """Of a float32 derivative against the float64 reference; of a float64 one against central
    differences."""
    return 2e-4 if np.result_type(value) == np.float32 else 1e-6


def _central_difference(f, x, eps=1e-6):
    """The derivative of f at x (in float64) by central differences, shaped f's + x's shape."""
    x = _float64(x)
    if type(x) is float:
        return (np.asarray(f(x + eps)) - np.asarray(f(x - eps))) / (2 * eps)
    columns = []
    for k in range(x.size):
        step = np.zeros(x.shape)
        step.flat[k] = eps
        columns.append((np.asarray(f(x + step), np.float64)
                        - np.asarray(f(x - step), np.float64)) / (2 * eps))
    return np.stack(columns, axis=-1).reshape(np.shape(f(x)) + x.shape)


def _reference_grad(f, x):
    return _central_difference(f, x)


def _reference_hessian(f, x):
    """Central differences of the float64 gradient (itself checked against differences)."""
    return _central_difference(sg.grad(f), x)


def _ones_like(value):
    if isinstance(value, np.ndarray):
        return np.ones_like(value)
    return type(value)(1.0)


def _direction(value):
    if isinstance(value, np.ndarray):
        return np.linspace(0.5, -1.0, value.size).reshape(value.shape).astype(value.dtype)
    return type(value)(0.8)


def _hessian_shape(x):
    return np.shape(x) + np.shape(x)


# ---------------------------------------------------------------------------------------------
# One floating argument
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("f, x", _inputs())
def test_grad_has_the_argument_dtype(f, x):
    g = sg.grad(f)(x)
    assert_like(g, x, what="grad")
    np.testing.assert_allclose(np.asarray(g, np.float64), _reference_grad(f, x),
                               rtol=_tolerance(x), atol=_tolerance(x))


@pytest.mark.parametrize("f, x", _inputs())
def test_value_and_grad(f, x):
    value, g = sg.value_and_grad(f)(x)
    assert_like(g, x, what="grad")
    expected = f(x)
    assert type(value) is type(expected) and np.result_type(value) == np.result_type(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-6)


@pytest.mark.parametrize("f, x", _inputs())
def test_vjp(f, x):
    value, vjp_fn = sg.vjp(f, x)
    expected = f(x)
    assert type(value) is type(expected) and np.result_type(value) == np.result_type(expected)
    (g,) = vjp_fn(_ones_like(value))
    assert_like(g, x, what="vjp")
    np.testing.assert_allclose(np.asarray(g, np.float64), _reference_grad(f, x),
                               rtol=_tolerance(x), atol=_tolerance(x))


@pytest.mark.parametrize("f, x", _inputs())
def test_jvp_tangent_has_the_value_dtype(f, x):
    v = _direction(x)
    value, tangent = sg.jvp(f, (x,), (v,))
    expected = f(x)
    assert type(value) is type(expected) and np.result_type(value) == np.result_type(expected)
    _assert_scalar_like(tangent, expected)
    exact = np.sum(_reference_grad(f, x) * _float64(v))
    np.testing.assert_allclose(float(tangent), exact, rtol=_tolerance(x), atol=_tolerance(x))


def _assert_scalar_like(tangent, value):
    """A scalar output's tangent has the output's type (Python float, NumPy scalar) and dtype."""
    assert type(tangent) is type(value), f"tangent: {type(tangent).__name__}, not " \
                                         f"{type(value).__name__}"
    assert np.result_type(tangent) == np.result_type(value)




def _hessian_inputs():
    out = []
    for param in _inputs():
        f, x = param.values
        if type(x) is float or (isinstance(x, np.ndarray) and x.dtype == np.float64):
            out.append(param)
        else:     # float32 arrays, NumPy scalars
            out.append(pytest.param(f, x, id=param.id))
    return out


@pytest.mark.parametrize("f, x", _hessian_inputs())
def test_hessian_has_the_argument_dtype(f, x):
    h = sg.hessian(f)(x)
    if type(x) is float:
        assert type(h) is float
    elif isinstance(x, np.generic):
        assert type(h) is type(x), f"hessian: {type(h).__name__}, not {type(x).__name__}"
    else:
        assert_like(h, x, shape=_hessian_shape(x), what="hessian")
    np.testing.assert_allclose(np.asarray(h, np.float64), _reference_hessian(f, x),
                               rtol=_tolerance(x) * 10, atol=_tolerance(x) * 10)


@pytest.mark.parametrize("f, x", _inputs())
def test_hvp_has_the_argument_dtype(f, x):
    v = _direction(x)
    product = sg.hvp(f)(x, v)
    assert_like(product, x, what="hvp")
    exact = np.tensordot(_reference_hessian(f, x), _float64(v), axes=np.ndim(x))
    np.testing.assert_allclose(np.asarray(product, np.float64), exact, rtol=_tolerance(x) * 10,
                               atol=_tolerance(x) * 10)


def _vector_function(x):
    return np.tanh(x) * x[::-1] + 2.0 * x


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_float32_is_float32(mode):
    x = VECTOR.astype(np.float32)
    jac = sg.jacobian(_vector_function, mode=mode)(x)
    assert jac.dtype == np.float32 and jac.shape == (3, 3)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_float64_is_float64(mode):
    jac = sg.jacobian(_vector_function, mode=mode)(VECTOR)
    assert type(jac) is np.ndarray and jac.dtype == np.float64 and jac.shape == (3, 3)


def test_a_float64_tangent_for_a_float32_argument_gives_a_float32_tangent():
    x = VECTOR.astype(np.float32)
    value, tangent = sg.jvp(elementwise, (x,), (np.ones(3),))
    _assert_scalar_like(tangent, elementwise(x))


def test_second_derivative_of_python_float_is_python_float():
    assert type(sg.grad(sg.grad(scalar_math))(0.7)) is float
    d2 = sg.grad(sg.grad(scalar_math))(np.float32(0.7))
    assert type(d2) is np.float32


# ---------------------------------------------------------------------------------------------
# Mixed float32 and float64
# ---------------------------------------------------------------------------------------------


def mixed(x, y):
    return np.sum(x * y + np.exp(x) * np.tanh(y))


def mixed_products(x, y):
    return np.sum(np.tanh(x.reshape(-1, 1) * y) @ x) + np.dot(x, y)


def mixed_loop(x, y):
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.sin(x * i + y) * y)
    return total


MIXED_FUNCTIONS = [mixed, mixed_products, mixed_loop]
MIXED_ARGUMENTS = [
    ("f32-f64", VECTOR.astype(np.float32), (VECTOR * 0.5).astype(np.float64)),
    ("f64-f32", VECTOR.astype(np.float64), (VECTOR * 0.5).astype(np.float32)),
    ("f32-npfloat64", VECTOR.astype(np.float32), np.float64(0.4)),
    ("f32-pyfloat", VECTOR.astype(np.float32), 0.4),
    ("f64-npfloat32", VECTOR.astype(np.float64), np.float32(0.4)),
]


def _mixed():
    return [pytest.param(f, x, y, id=f"{f.__name__}-{label}")
            for f in MIXED_FUNCTIONS for label, x, y in MIXED_ARGUMENTS
            if not (f is mixed_products and not isinstance(y, np.ndarray))]


@pytest.mark.parametrize("f, x, y", _mixed())
def test_mixed_value_follows_numpy_promotion(f, x, y):
    value, (gx, gy) = sg.value_and_grad(f, wrt=(0, 1))(x, y)
    expected = f(x, y)
    assert type(value) is type(expected) and np.result_type(value) == np.result_type(expected)
    if not isinstance(y, float):
        # a float64 operand (array or NumPy scalar) makes the value float64
        assert np.result_type(value) == np.result_type(x, y)
    assert_like(gx, x, what="gradient of x")
    assert_like(gy, y, what="gradient of y")
    exact = (_reference_grad(lambda x: f(x, _float64(y)), x),
             _reference_grad(lambda y: f(_float64(x), y), y))
    for found, want in ((gx, exact[0]), (gy, exact[1])):
        np.testing.assert_allclose(np.asarray(found, np.float64), want, rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("f, x, y", _mixed())
def test_mixed_vjp_gives_each_argument_its_dtype(f, x, y):
    value, vjp_fn = sg.vjp(f, x, y)
    gx, gy = vjp_fn(_ones_like(value))
    assert_like(gx, x, what="vjp of x")
    assert_like(gy, y, what="vjp of y")


@pytest.mark.parametrize("f, x, y", _mixed())
def test_mixed_jvp_tangent_has_the_value_dtype(f, x, y):
    value, tangent = sg.jvp(f, (x, y), (_direction(x), _direction(y)))
    expected = f(x, y)
    _assert_scalar_like(value, expected)
    _assert_scalar_like(tangent, expected)
    _, only_y = sg.jvp(f, (x, y), (None, _direction(y)))
    _assert_scalar_like(only_y, expected)


@pytest.mark.parametrize("f, x, y", [p for p in _mixed() if isinstance(p.values[2], np.ndarray)])
def test_mixed_hvp_has_the_argument_dtype(f, x, y):
    assert_like(sg.hvp(f, wrt=0)(x, y, _direction(x)), x, what="hvp of x")
    assert_like(sg.hvp(f, wrt=1)(x, y, _direction(y)), y, what="hvp of y")


# ---------------------------------------------------------------------------------------------
# Integers and booleans
# ---------------------------------------------------------------------------------------------


def power_sum(x, n):
    return np.sum(x ** n)


def masked(x, mask):
    return np.sum(x * mask + np.where(mask, x * x, 0.0))


INTEGERS = [("int", 2), ("npint64", np.int64(2)), ("int-array", np.array([1, 2, 3])),
            ("int32-array", np.array([1, 2, 3], dtype=np.int32))]
BOOLEANS = [("bool", True), ("npbool", np.bool_(True)),
            ("bool-array", np.array([True, False, True]))]



def _ask(api, f, args, position):
    """Ask for the derivative with respect to argument `position` through `api`."""
    if api == "grad":
        return sg.grad(f, wrt=position)(*args)
    if api == "value_and_grad":
        return sg.value_and_grad(f, wrt=(0, position))(*args)
    if api == "vjp":                      # a vjp differentiates every primal
        value, vjp_fn = sg.vjp(f, *args)
        return vjp_fn(_ones_like(value))
    if api == "jvp":
        tangents = [None] * len(args)
        tangents[position] = np.ones(np.shape(args[position]))
        return sg.jvp(f, args, tangents)
    if api == "hessian":
        return sg.hessian(f, wrt=position)(*args)
    if api == "hvp":
        return sg.hvp(f, wrt=position)(*args, np.ones(np.shape(args[position])))
    raise AssertionError(api)


APIS = [("grad", ()), ("value_and_grad", ()), ("vjp", ()), ("jvp", ()), ("hessian", ()),
        ("hvp", ())]


def _asking():
    out = []
    for api, marks in APIS:
        for label, n in INTEGERS:
            out.append(pytest.param(api, power_sum, n, "n", id=f"{api}-{label}", marks=marks))
        for label, mask in BOOLEANS:
            extra = ()
            out.append(pytest.param(api, masked, mask, "mask", id=f"{api}-{label}",
                                    marks=marks + extra))
    return out


@pytest.mark.parametrize("api, f, value, name", _asking())
def test_asking_for_the_derivative_of_an_integer_or_boolean_is_an_error(api, f, value, name):
    with pytest.raises(sg.WrtError) as info:
        _ask(api, f, (VECTOR, value), 1)
    assert isinstance(info.value, sg.S2sgradError)
    assert f"'{name}'" in str(info.value), str(info.value)
    assert "integer" in str(info.value) or "bool" in str(info.value)


@pytest.mark.parametrize("api", [pytest.param(api, id=api, marks=marks) for api, marks in APIS])
def test_an_integer_array_as_the_differentiated_argument_is_an_error(api):
    with pytest.raises(sg.WrtError, match="'x'"):
        _ask(api, power_sum, (np.array([1, 2, 3]), 2.0), 0)


@pytest.mark.parametrize("label, n", INTEGERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_integer_arguments_are_constants(label, n, dtype):
    x = VECTOR.astype(dtype) + 1.0          # positive: x ** n for any integer n
    g = sg.grad(power_sum)(x, n)
    assert_like(g, x, what="grad")
    np.testing.assert_allclose(g, n * x.astype(np.float64) ** (np.asarray(n) - 1),
                               rtol=_tolerance(x))
    value, tangent = sg.jvp(power_sum, (x, n), (np.ones_like(x), None))
    _assert_scalar_like(tangent, power_sum(x, n))
    np.testing.assert_allclose(tangent, np.sum(g.astype(np.float64)), rtol=_tolerance(x))
    h = sg.hessian(power_sum)(x.astype(np.float64), n)
    np.testing.assert_allclose(np.diag(h), n * (np.asarray(n) - 1.0) * (x.astype(np.float64)
                               ** (np.asarray(n) - 2)), rtol=1e-10)


@pytest.mark.parametrize("label, mask", BOOLEANS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_boolean_arguments_are_constants(label, mask, dtype):
    x = VECTOR.astype(dtype)
    g = sg.grad(masked)(x, mask)
    assert_like(g, x, what="grad")
    expected = np.where(mask, 1.0 + 2.0 * x.astype(np.float64), 0.0)
    np.testing.assert_allclose(g, np.broadcast_to(expected, x.shape), rtol=_tolerance(x))
    _, tangent = sg.jvp(masked, (x, mask), (np.ones_like(x), None))
    np.testing.assert_allclose(tangent, np.sum(expected * np.ones(3)), rtol=_tolerance(x))


def test_integer_loop_counter_and_index_arrays_are_constants():
    def f(x, idx, steps):
        total = 0.0
        for i in range(steps):
            total = total + np.sum(x[idx] * i)
        return total

    x = VECTOR.astype(np.float32)
    g = sg.grad(f)(x, np.array([0, 2, 2]), 3)
    assert_like(g, x)
    np.testing.assert_allclose(g, [3.0, 0.0, 6.0])


# ---------------------------------------------------------------------------------------------
# Complex numbers (the convention of s2sgrad/rules/complex.py)
# ---------------------------------------------------------------------------------------------

W = np.array([0.6 + 0.8j, -0.5 + 0.3j, 1.1 - 0.4j])


def _complex_gradient(f, w, eps=1e-6):
    """dL/dx - i dL/dy by central differences, for a real L of complex w = x + iy."""
    g = np.zeros(w.shape, complex)
    for k in range(w.size):
        e = np.zeros(w.shape, complex)
        e.flat[k] = eps
        dx = (f(w + e) - f(w - e)) / (2 * eps)
        dy = (f(w + 1j * e) - f(w - 1j * e)) / (2 * eps)
        g.flat[k] = dx - 1j * dy
    return g


def real_square(w):
    return np.sum(np.real(w * w))


def squared_modulus_by_conj(w):
    return np.sum(np.real(w * np.conj(w)))


def squared_modulus_by_abs(w):
    return np.sum(np.abs(w) ** 2)


def imag_of_exp(w):
    return np.sum(np.imag(np.exp(w)) * np.real(w))


def angle_loss(w):
    return np.sum(np.angle(w) ** 2)


COMPLEX_FUNCTIONS = [pytest.param(real_square, id="real_square"),
                     pytest.param(squared_modulus_by_conj, id="squared_modulus_by_conj"),
                     pytest.param(squared_modulus_by_abs, id="squared_modulus_by_abs"),
                     pytest.param(imag_of_exp, id="imag_of_exp"),
                     pytest.param(angle_loss, id="angle_loss")]


@pytest.mark.parametrize("f", COMPLEX_FUNCTIONS)
def test_complex_gradient_follows_the_documented_convention(f):
    g = sg.grad(f)(W)
    assert_like(g, W, what="complex gradient")
    np.testing.assert_allclose(g, _complex_gradient(f, W), rtol=1e-6, atol=1e-8)
    value, vjp_fn = sg.vjp(f, W)
    (g2,) = vjp_fn(1.0)
    np.testing.assert_allclose(g2, g, rtol=1e-12)


@pytest.mark.parametrize("f", COMPLEX_FUNCTIONS)
def test_complex_tangent_is_the_directional_derivative(f):
    v = np.array([0.3 - 0.2j, 1.0 + 0.5j, -0.4 + 0.1j])
    eps = 1e-6
    value, tangent = sg.jvp(f, (W,), (v,))
    assert np.isrealobj(tangent)
    np.testing.assert_allclose(tangent, (f(W + eps * v) - f(W - eps * v)) / (2 * eps),
                               rtol=1e-6, atol=1e-8)


def test_complex_python_scalar_gradient_is_a_python_complex():
    def f(w):
        return (w * w).real

    g = sg.grad(f)(0.6 + 0.8j)
    assert type(g) is complex
    assert g == pytest.approx(2 * (0.6 + 0.8j))     # d/dx (x²-y²) - i d/dy (x²-y²) = 2x + 2iy


def test_complex_constants_give_the_gradient_of_the_real_argument():
    c = np.array([1 + 2j, 0.5 - 1j, -0.3 + 0.2j])

    def f(x, c):
        return np.sum(np.real(x * c) + np.imag(np.exp(x * c)))

    g = sg.grad(f)(VECTOR, c)
    assert_like(g, VECTOR)
    eps = 1e-6
    numeric = [(f(VECTOR + eps * e, c) - f(VECTOR - eps * e, c)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_abs_of_a_complex_product_with_a_real_argument():
    c = np.array([1 + 2j, 0.5 - 1j, -0.3 + 0.2j])

    def f(x, c):
        return np.sum(np.abs(x * c) ** 2)

    np.testing.assert_allclose(sg.grad(f)(VECTOR, c), 2 * VECTOR * np.abs(c) ** 2, rtol=1e-10)


def test_grad_of_a_complex_output_is_refused():
    with pytest.raises(sg.S2sgradError):
        sg.grad(complex_square)(W)


def complex_square(w):
    return np.sum(w * w)


def test_hessian_over_a_complex_argument_is_refused():
    with pytest.raises(sg.S2sgradError):
        sg.hessian(real_square)(W)
