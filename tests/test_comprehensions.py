"""List comprehensions, and generator expressions passed to a call, become the loops they stand
for (`transforms.comprehensions`): gradients, forward-mode derivatives and second derivatives are
checked against finite differences on random inputs of several shapes; the comprehension's own
names stay its own; placements that are not evaluated exactly once are refused with a location.
"""

import numpy as np
import pytest

import s2sgrad as sg
from corpus import central_difference_gradient

RNG = np.random.default_rng(20261125)
SHAPES = [(3,), (4, 2), (2, 3, 2)]


def numeric_grad(f, x):
    return central_difference_gradient(f, [x], 0)


def squares_of_positives(x):
    ys = [v * v for v in x if np.sum(v) > -0.5]
    return np.sum(sum(ys)) if ys else 0.0 * np.sum(x)


def sines_summed(x):
    return np.sum(sum(np.sin(row) * 2.0 for row in x))


def products_of_pairs(x):
    pairs = [np.sum(a * b) for a in x for b in x[:2] if np.sum(b) < 10.0]
    return sum(pairs)


def indexed(x):
    weighted = [(i + 1.0) * np.tanh(row) for i, row in enumerate(x)]
    return np.sum(np.stack(weighted) ** 2)


def zipped(x):
    shifted = [a * np.cos(b) for a, b in zip(x, x[::-1])]
    return np.sum(np.array(shifted))


def nested(x):
    grid = [[np.sum(a * w) for w in x] for a in x[:2]]
    return sum([sum(row) * k for k, row in enumerate(grid)])


def rebinds_its_iterable(x):
    x = [v * 2.0 for v in x]           # reads `x` and is assigned to it
    return np.sum(np.stack(x) ** 3)


def keeps_outer_names(x):
    v = np.sum(x)                       # the comprehension's `v` is its own
    doubled = [v * 2.0 for v in x]
    return v * np.sum(np.stack(doubled))


def in_a_loop(x):
    total = 0.0
    for k in range(3):
        total = total + sum([np.sum(np.sin(row * (k + 1))) for row in x])
    return total


FUNCTIONS = [squares_of_positives, sines_summed, products_of_pairs, indexed, zipped, nested,
             rebinds_its_iterable, keeps_outer_names, in_a_loop]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_matches_finite_differences(f, shape):
    x = RNG.standard_normal(shape)
    np.testing.assert_allclose(sg.grad(f)(x), numeric_grad(f, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_mode_matches_finite_differences(f):
    x = RNG.standard_normal((3, 2))
    direction = RNG.standard_normal((3, 2))
    _, tangent = sg.jvp(f, (x,), (direction,))
    numeric = (f(x + 1e-6 * direction) - f(x - 1e-6 * direction)) / 2e-6
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6, atol=1e-8)


# (nested builds a list of lists: second derivatives of that are refused, below)
@pytest.mark.parametrize("f", [f for f in FUNCTIONS if f is not nested],
                         ids=lambda f: f.__name__)
def test_hessian_matches_differences_of_the_gradient(f):
    x = RNG.standard_normal(3)
    gradient = sg.grad(f)
    numeric = np.stack([numeric_grad(lambda t, i=i: gradient(t)[i], x) for i in range(3)])
    np.testing.assert_allclose(sg.hessian(f)(x), numeric, rtol=1e-5, atol=1e-7)


def test_second_derivatives_of_a_list_of_lists_are_refused_with_a_location():
    # (the first derivative pops from a list that the outer list still holds: docs/language.md)
    with pytest.raises(sg.S2sgradError) as info:
        sg.hessian(nested)(RNG.standard_normal(3))
    assert "test_comprehensions.py" in str(info.value)


@pytest.mark.parametrize("f", [nested, in_a_loop], ids=lambda f: f.__name__)
def test_reverse_over_reverse_of_lists_built_in_a_loop(f):
    # (the lists built anew in each iteration are written into by the first derivative after it
    # walks its record of them backwards: forward over reverse, above, mirrors that in the
    # tangents; reverse over reverse either agrees or refuses with a location, never differs)
    x = RNG.standard_normal(3)
    gradient = sg.grad(f)
    numeric = np.stack([numeric_grad(lambda t, i=i: gradient(t)[i], x) for i in range(3)])
    try:
        second = np.stack([sg.grad(lambda t, i=i: sg.grad(f)(t)[i])(x) for i in range(3)])
    except sg.S2sgradError as error:
        assert "test_comprehensions.py" in str(error)
    else:
        np.testing.assert_allclose(second, numeric, rtol=1e-5, atol=1e-7)


def test_the_comprehension_leaves_outer_names_alone():
    x = RNG.standard_normal(4)
    expected = np.sum(x) * np.sum(2.0 * x)
    assert np.isclose(keeps_outer_names(x), expected)
    v = np.sum(x)
    np.testing.assert_allclose(sg.grad(keeps_outer_names)(x),
                               np.full(4, np.sum(2.0 * x)) + v * 2.0, rtol=1e-12)


def test_the_generated_code_builds_the_list_in_the_users_name():
    df = sg.grad(squares_of_positives)
    df(RNG.standard_normal(3))
    text = sg.source(df)
    assert "ys = []" in text and "ys.append(" in text
    assert "for v_item" in text
    assert "# grad of: ys = [v * v for v in x if np.sum(v) > -0.5]" in text


def in_an_and(x):
    return np.sum(x) > 0 and sum([v for v in x]) > 0


def in_a_conditional_expression(x):
    return np.sum(x) * (sum([v * v for v in x]) if np.sum(x) > 0 else 1.0)


@pytest.mark.parametrize("f, code", [
    (in_an_and, "[v for v in x]"),
    (in_a_conditional_expression, "[v * v for v in x]"),
])
def test_comprehensions_not_always_evaluated_are_refused_with_their_location(f, code):
    with pytest.raises(sg.S2sgradError) as info:
        sg.grad(f)(RNG.standard_normal(3))
    assert code in str(info.value)
    assert "list comprehension here" in str(info.value)
