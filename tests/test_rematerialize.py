"""Cheap temporaries of number loops computed again in the reverse sweep, not recorded
(s2sgrad/optimizations/rematerialize.py): the gradients agree with finite differences (and the
second derivatives with every other composition), and the generated source records only what it
must."""

import math

import numpy as np
import pytest

import s2sgrad as sg


def sine_map(a, b):
    x = 0.5
    for i in range(40):
        x = a * math.sin(x) + b * x * 0.5
    return x


def two_temporaries(a, b):
    x = 0.3
    y = 0.2
    for i in range(25):
        s = math.sin(x) * b          # sin(x): from x, which the loop assigns after: recomputed
        c = math.cos(y + a)          # y + a: from y, likewise
        x = a * s + 0.5 * y
        y = 0.9 * c - 0.1 * x
    return x * y


def temporary_from_name_assigned_before(a, b):
    x = 0.4
    for i in range(20):
        y = x * b                    # y is assigned before the temporary that reads it
        t = math.tanh(y)
        x = a * t + 0.3 * y
    return x


def temporary_from_name_assigned_twice(a, b):
    x = 0.4
    for i in range(20):
        t = math.sin(x)
        x = x * b
        x = a * t + 0.5 * x          # x changes twice after t: t is recorded
    return x


def temporary_in_while_loop(a):
    x = 0.1
    while x < 3.0:
        t = math.exp(-x)
        x = x + a * t + 0.05
    return x


def temporary_changed_by_inner_loop(a):
    x = 0.2
    for i in range(3):
        t = 0.5                      # assigned again below: recorded, not recomputed
        for j in range(3):
            t = t + a * math.sin(x)
        x = x * t
    return x


CASES = [(temporary_changed_by_inner_loop, (0.3,)), (sine_map, (0.8, 0.6)), (two_temporaries, (0.7, 0.9)),
         (temporary_from_name_assigned_before, (0.6, 0.8)),
         (temporary_from_name_assigned_twice, (0.9, 0.7)), (temporary_in_while_loop, (0.5,))]


@pytest.mark.parametrize("fn,point", CASES, ids=[fn.__name__ for fn, _ in CASES])
@pytest.mark.parametrize("shift", [0.0, 0.13, -0.21])
def test_gradients_agree_with_finite_differences(fn, point, shift):
    args = [p + shift for p in point]
    sg.check_grads(fn, args, order=2)


def _source(fn, point):
    grad = sg.grad(fn, wrt=tuple(range(len(point))))
    grad(*point)
    return sg.source(grad)


def test_sine_map_records_x_only():
    source = _source(sine_map, (0.8, 0.6))
    assert "sin_x_stack" not in source and "x_stack.append(x)" in source
    # the reverse sweep computes sin(x) again from the recorded x, as a hand-written one does
    reversed_loop = source.split("for x in reversed(x_stack):", 1)[1]
    assert "sin_x = math.sin(x)" in reversed_loop


def test_two_temporaries_recomputed():
    source = _source(two_temporaries, (0.7, 0.9))
    for temporary in ("sin_x", "y_plus_a"):
        assert f"{temporary}_stack" not in source and f"{temporary} = " in \
            source.split(" in zip(reversed(", 1)[1]
    # s = sin_x * b reads another temporary of the iteration: it is recorded
    assert "s_stack.append(s)" in source


@pytest.mark.parametrize("fn,point,recorded", [
    (temporary_from_name_assigned_before, (0.6, 0.8), "t_stack"),
    (temporary_from_name_assigned_twice, (0.9, 0.7), "t_stack"),
])
def test_temporaries_whose_inputs_change_are_recorded(fn, point, recorded):
    assert f"{recorded}.append(t)" in _source(fn, point)


def test_arrays_are_recorded():
    def array_map(a):
        x = np.array([0.5, 0.2])
        for i in range(10):
            x = a * np.sin(x) + 0.5 * x
        return np.sum(x)

    source = _source(array_map, (0.7,))
    assert "sin_x_stack.append(sin_x)" in source
    sg.check_grads(array_map, [0.7], order=2)
