"""Lists, tuples and dicts as arguments: gradients of the same structure, checked entry by entry
against central differences (and by s2sgrad's own dot-product test, which walks containers)."""

import numpy as np
import pytest

import s2sgrad as sg


def mlp(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def dict_of_lists(p, x):
    h = np.tanh(p["w"] * x + p["b"][0])
    return np.sum(h * p["b"][1])


def tuple_unpacked(pair, scale):
    first, *rest = pair
    return np.sum(first * scale) + np.sum(rest[0] ** 2)


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for key in value for leaf in _leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for entry in value for leaf in _leaves(entry)]
    return [value]


def _same_structure(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same_structure(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for p, q in zip(a, b):
            _same_structure(p, q)
    else:
        assert np.shape(a) == np.shape(b)


def _numeric(f, args, eps=1e-6):
    """Central differences w.r.t. every array leaf of args[0] (changed in place, then put back)."""
    grads = []
    for leaf in _leaves(args[0]):
        g = np.zeros(leaf.shape)
        for index in np.ndindex(leaf.shape):
            old = leaf[index]
            leaf[index] = old + eps
            hi = f(*args)
            leaf[index] = old - eps
            lo = f(*args)
            leaf[index] = old
            g[index] = (hi - lo) / (2 * eps)
        grads.append(g)
    return grads


def _cases():
    rng = np.random.default_rng(5)
    layers = [(rng.standard_normal((3, 4)), rng.standard_normal(4)),
              (rng.standard_normal((4, 2)), rng.standard_normal(2))]
    yield mlp, (layers, rng.standard_normal((5, 3)))
    yield mlp, (layers[:1], rng.standard_normal((2, 3)))
    p = {"w": rng.standard_normal(3), "b": [rng.standard_normal(3), rng.standard_normal(3)]}
    yield dict_of_lists, (p, rng.standard_normal(3))
    yield tuple_unpacked, ((rng.standard_normal(2), rng.standard_normal((2, 2))), 0.7)
    yield tuple_unpacked, ([rng.standard_normal(()), rng.standard_normal(3)], 1.3)


@pytest.mark.parametrize("f, args", list(_cases()))
def test_container_gradients_match_central_differences(f, args):
    grads = sg.grad(f)(*args)
    _same_structure(grads, args[0])
    for got, expected in zip(_leaves(grads), _numeric(f, args)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    sg.check_grads(f, list(args))


def test_the_container_variant_is_generated_once_and_shown_by_source():
    layers = [(np.eye(2), np.zeros(2))]
    df = sg.grad(mlp)
    df(layers, np.ones((1, 2)))
    df(layers, np.ones((1, 2)))
    assert len(df._variants) == 1
    assert "add_to_entry(bparams, W_index, bparams_W_index)" in df.source
