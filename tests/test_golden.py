"""Golden tests: the generated source of a few functions, pinned byte for byte.

The generated code is what users read, so changes to it must be deliberate. To accept a change,
run `S2SGRAD_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and review the diff.
"""

import os

import numpy as np
import pytest

import s2sgrad as sg

from golden import programs

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "golden")

CASES = [
    ("tanh_times_x", lambda: sg.grad(programs.tanh_times_x)),
    ("pendulum", lambda: sg.grad(programs.pendulum, wrt=("theta", "length"))),
    ("softmax_cross_entropy", lambda: sg.grad(programs.softmax_cross_entropy)),
    ("linear_vjp", lambda: sg.vjp(programs.linear, np.ones((3, 2)), np.ones(2), np.ones((4, 3)))[1]),
    ("linear_value_and_grad", lambda: sg.value_and_grad(programs.linear, wrt=(0, 1))),
    ("inactive_parts", lambda: sg.grad(programs.inactive_parts)),
]


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_golden(name, make):
    text = sg.source(make())
    path = os.path.join(GOLDEN_DIR, f"{name}.txt")
    if os.environ.get("S2SGRAD_UPDATE_GOLDEN"):
        with open(path, "w") as handle:
            handle.write(text)
    with open(path) as handle:
        expected = handle.read()
    assert text == expected


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_generated_source_is_stable_across_regeneration(name, make):
    from s2sgrad.cache import CACHE

    first = sg.source(make())
    CACHE.clear()
    assert sg.source(make()) == first


def test_golden_programs_are_differentiated_correctly():
    rng = np.random.default_rng(7)
    sg.check_grads(programs.tanh_times_x, (rng.standard_normal((3, 2)),))
    sg.check_grads(programs.pendulum, (0.3, 2.0))
    labels = np.eye(4)[[0, 3, 1]]
    sg.check_grads(programs.softmax_cross_entropy, (rng.standard_normal((3, 4)), labels), wrt=[0])
    sg.check_grads(programs.linear, (rng.standard_normal((3, 2)), rng.standard_normal(2),
                                     rng.standard_normal((4, 3))))
    sg.check_grads(programs.inactive_parts, (rng.standard_normal((4, 3)), 3))
