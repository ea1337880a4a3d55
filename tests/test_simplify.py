"""Algebra on generated code that saves array operations: squares (`h * h` differentiated as one
term), negations folded into the sum that reads them, and the product adjoints' fast paths. Each
case checks the numbers (against central differences, and second derivatives against the other
compositions of the modes) and that the generated source has the shorter form, and the cases
where the rewrite would be wrong keep the long one."""

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.runtime import products

SHAPES = [(), (4,), (3, 5)]


def _draw(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) if shape else float(rng.standard_normal())


def squared_tanh(x):
    t = np.tanh(x)
    return np.sum(t * t) + np.sum(x * x * 0.5)


def product_of_two_names_holding_one_value(x):
    y = x
    return np.sum(np.sin(y * x))


def hvp_target(x, W):
    h = np.tanh(W @ x)
    for i in range(3):
        h = np.tanh(W @ h)
    return np.sum(h ** 2)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_square_is_differentiated_as_one_term(shape):
    x = _draw(shape, 1)
    sg.check_grads(squared_tanh, (x,), order=2)
    source = sg.grad(squared_tanh).source
    assert "(2.0 * t)" in source         # d(t * t) = 2 t dt: one contribution, not two
    direction = _draw(shape, 7)
    _, tangent = sg.jvp(squared_tanh, (x,), (direction,))
    assert np.isclose(tangent, np.sum(sg.grad(squared_tanh)(x) * direction))


@pytest.mark.parametrize("shape", SHAPES)
def test_two_names_of_one_value_keep_both_terms(shape):
    """`y * x` with y = x is a square too, but two names may hold different values in general:
    the rule's test sees names, so both contributions stay and the numbers are right."""
    x = _draw(shape, 2)
    sg.check_grads(product_of_two_names_holding_one_value, (x,), order=2)


def test_negated_tangent_folds_into_the_sum_that_reads_it():
    rng = np.random.default_rng(3)
    x, W, v = rng.standard_normal(6), rng.standard_normal((6, 6)) / 3, rng.standard_normal(6)
    hvp = sg.hvp(hvp_target)
    got = hvp(x, W, v)
    eps = 1e-6
    grad = sg.grad(hvp_target)
    numeric = (grad(x + eps * v, W) - grad(x - eps * v, W)) / (2 * eps)
    assert np.allclose(got, numeric, rtol=1e-6, atol=1e-8)
    source = hvp._s2sgrad_derived.source
    assert " = -" not in source         # no `n = -e` left: read as `a - b * e`
    assert " - " in source


def negation_read_twice(x):
    y = -np.sin(x)
    return np.sum(y * y + 3.0 * y)


def negation_then_operand_rebound(x):
    s = np.sin(x)
    n = -s
    s = np.cos(x)
    return np.sum(x * 2.0 + n * s)


@pytest.mark.parametrize("fn", [negation_read_twice, negation_then_operand_rebound])
@pytest.mark.parametrize("shape", SHAPES[1:])
def test_negations_that_must_stay(fn, shape):
    sg.check_grads(fn, (_draw(shape, 4),), order=2)


@pytest.mark.parametrize("a_shape, b_shape", [((4, 3), (3,)), ((4, 3), (3, 2)), ((3,), (3, 2)),
                                              ((2, 4, 3), (3,)), ((4, 3), (2, 3, 5))])
@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float64),
                                    (np.float32, np.float32)])
def test_product_adjoints_agree_with_the_general_path(a_shape, b_shape, dtypes):
    """The fast paths (2-d left operand, NumPy arrays) against the definition: the adjoint of
    `a @ b` and `np.dot(a, b)` is the transpose of the product applied to g, checked as
    <g, da a'> + <g, a db'> = <ga, a'> + <gb, b'> for random a', b'."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal(a_shape).astype(dtypes[0])
    b = rng.standard_normal(b_shape).astype(dtypes[1])
    for product, lhs, rhs in ((np.matmul, products.matmul_adjoint_lhs,
                               products.matmul_adjoint_rhs),
                              (np.dot, products.dot_adjoint_lhs, products.dot_adjoint_rhs)):
        z = product(a, b)
        g = rng.standard_normal(np.shape(z)).astype(z.dtype)
        da, db = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
        ga, gb = lhs(g, a, b), rhs(g, a, b)
        assert np.shape(ga) == a_shape and np.shape(gb) == b_shape
        linear = np.sum(g * (product(da, b) + product(a, db)))
        assert np.isclose(np.sum(ga * da) + np.sum(gb * db), linear,
                          rtol=1e-4 if np.float32 in dtypes else 1e-10)
