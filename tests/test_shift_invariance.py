"""The maximum subtracted for numerical safety gets no adjoint when the output provably does not
depend on it (analysis/shifts.py), and keeps it everywhere else. Every case is checked against
finite differences; the generated source shows whether the maximum's adjoint was emitted."""

import numpy as np
import pytest

import s2sgrad as sg

RNG = np.random.default_rng(7)
SHAPES = [(4, 3), (2, 5), (6, 1)]


def log_softmax_loss(logits, y):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(y * log_probs)


def softmax_weighted(logits, w):
    e = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.sum(p * w)


def logsumexp_all(x):
    m = np.max(x)
    return np.log(np.sum(np.exp(x - m))) + m


def logsumexp_without_adding_back(x):
    m = np.max(x)
    return np.log(np.sum(np.exp(x - m)))        # depends on m: the adjoint is needed


def sum_of_shifted(x):
    shifted = x - np.max(x, axis=1, keepdims=True)
    return np.sum(shifted * shifted)


def mismatched_axes(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return np.sum(np.log(np.sum(e, axis=0, keepdims=True)))


def scaled_before_exp(x):
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(2.0 * shifted)
    return np.sum(np.log(np.sum(e, axis=1, keepdims=True)) - shifted)


def broadcast_against_bigger(x, w):
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted + w)                      # w may add leading axes: not followed
    return np.sum(e / np.sum(e, axis=1, keepdims=True))


INVARIANT = [(log_softmax_loss, "y"), (softmax_weighted, "w"), (logsumexp_all, None)]
DEPENDENT = [logsumexp_without_adding_back, sum_of_shifted, mismatched_axes, scaled_before_exp]


def _args(fn, shape, other):
    x = RNG.standard_normal(shape)
    return [x] if other is None else [x, RNG.standard_normal(shape)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fn, other", INVARIANT, ids=[f.__name__ for f, _ in INVARIANT])
def test_invariant_outputs_skip_the_maximum_adjoint(fn, other, shape):
    args = _args(fn, shape, other)
    sg.check_grads(fn, args, wrt=(0,), order=2)
    grad = sg.grad(fn)
    grad(*args)
    assert "extremum_adjoint" not in sg.source(grad)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fn", DEPENDENT, ids=[f.__name__ for f in DEPENDENT])
def test_outputs_that_depend_on_the_maximum_keep_its_adjoint(fn, shape):
    x = RNG.standard_normal(shape)
    sg.check_grads(fn, [x], order=2)
    grad = sg.grad(fn)
    grad(x)
    assert "extremum_adjoint" in sg.source(grad)


def test_a_value_of_another_rank_keeps_the_adjoint():
    x, w = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 3, 4))
    sg.check_grads(broadcast_against_bigger, [x, w], order=1)
    grad = sg.grad(broadcast_against_bigger)
    grad(x, w)
    assert "extremum_adjoint" in sg.source(grad)


def test_ties_in_the_maximum_do_not_matter_when_it_is_skipped():
    logits = np.array([[1.0, 1.0, 0.5], [0.2, 0.2, 0.2]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    np.testing.assert_allclose(sg.grad(log_softmax_loss)(logits, y), p * y.sum(1, keepdims=True) - y,
                               rtol=1e-12)
