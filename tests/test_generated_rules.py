"""The rules of the helpers generated derivative code calls (s2sgrad/rules/generated.py), which
make that code differentiable again: each helper, used in a small function, is checked in reverse
mode (s2sgrad's dot-product test against central differences), in forward mode (jvp against
central differences along the tangent) and across modes (<u, jvp(v)> == <vjp(u), v>)."""

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.rules.shape import cast_adjoint, cast_tangent
from s2sgrad.runtime import (
    broadcast_like,
    copy_of,
    dot_adjoint_lhs,
    dot_adjoint_rhs,
    expand_reduced,
    extremum_adjoint,
    index_adjoint,
    matmul_adjoint_lhs,
    matmul_adjoint_rhs,
    owned,
    scalar_seed,
    sum_to_shape,
    unbroadcast,
)
from s2sgrad.runtime.containers import (
    add_entries,
    add_to_entry,
    array_adjoint,
    copy_structure,
    hstack_adjoint,
    sum_adjoint,
    unconcatenate,
    unstack,
    vstack_adjoint,
)
from s2sgrad.runtime.reductions import (extremum_tangent, pair_products_times, prod_adjoint,
                                        prod_tangent)
from s2sgrad.runtime.absolute import abs_adjoint, abs_tangent
from s2sgrad.runtime.values import digamma

RNG = np.random.default_rng(11)
X23 = RNG.standard_normal((2, 3))
X4 = RNG.standard_normal(4)
W23 = RNG.standard_normal((2, 3))
W3 = RNG.standard_normal(3)
W2 = RNG.standard_normal(2)
A34 = RNG.standard_normal((3, 4))
B45 = RNG.standard_normal((4, 5))
G35 = RNG.standard_normal((3, 5))
V4 = RNG.standard_normal(4)
MAX_ROWS = np.max(X23, axis=1)
INTS = np.arange(6).reshape(2, 3)


def r(*shape):
    return RNG.standard_normal(shape)


CASES = [
    ("scalar_seed", lambda y, b: scalar_seed(y, b) * 3.0, (0.7, 1.3)),
    ("copy_of", lambda x: np.sum(copy_of(x) * W23), (r(2, 3),)),
    ("copy_structure", lambda x: np.sum(copy_structure(x) * W3), (r(3),)),
    ("owned", lambda g: np.sum(owned(g, X23) * W23), (r(3),)),
    ("unbroadcast", lambda g: np.sum(unbroadcast(g, W3) * W3), (r(2, 3),)),
    ("broadcast_like", lambda g: np.sum(broadcast_like(g, X23) * W23), (r(3),)),
    ("sum_to_shape", lambda g: np.sum(sum_to_shape(g, (3,)) * W3), (r(2, 3),)),
    ("expand_reduced", lambda g: np.sum(expand_reduced(g, X23, 1, False) * W23), (r(2),)),
    ("index_adjoint", lambda g: np.sum(index_adjoint(g, X4, [1, 1, 3]) * V4), (r(3),)),
    ("extremum_adjoint", lambda g: np.sum(extremum_adjoint(g, X23, MAX_ROWS, 1) * W23),
     (r(2),)),
    ("extremum_tangent", lambda dx: np.sum(extremum_tangent(dx, X23, MAX_ROWS, 1) * W2),
     (r(2, 3),)),
    ("matmul_adjoint_lhs", lambda g, b: np.sum(matmul_adjoint_lhs(g, A34, b) * A34),
     (r(3, 5), r(4, 5))),
    ("matmul_adjoint_rhs", lambda g, a: np.sum(matmul_adjoint_rhs(g, a, B45) * B45),
     (r(3, 5), r(3, 4))),
    ("dot_adjoint_lhs", lambda g, b: np.sum(dot_adjoint_lhs(g, A34, b) * A34),
     (r(3, 5), r(4, 5))),
    ("dot_adjoint_rhs", lambda g, a: np.sum(dot_adjoint_rhs(g, a, B45) * B45),
     (r(3, 5), r(3, 4))),
    ("add_entries", lambda a, b: np.sum(add_entries(a, b) * W3), (r(3), r(3))),
    ("add_to_entry", lambda b, g: np.sum(add_to_entry(b, 2, g) * V4), (r(4), 0.5)),
    ("unstack", lambda g: np.sum(unstack(g, [W3, W3], 0)[1] * W3), (r(2, 3),)),
    ("unconcatenate", lambda g: np.sum(unconcatenate(g, [W2, W3], 0)[1] * W3), (r(5),)),
    ("vstack_adjoint", lambda g: np.sum(vstack_adjoint(g, [W3, X23])[1] * X23), (r(3, 3),)),
    ("hstack_adjoint", lambda g: np.sum(hstack_adjoint(g, [W2, W3])[1] * W3), (r(5),)),
    ("sum_adjoint", lambda g: np.sum(sum_adjoint(g, [W3, W3])[0] * W3), (r(3),)),
    ("array_adjoint", lambda g: np.sum(array_adjoint(g, [W3, W3])[1] * W3), (r(2, 3),)),
    ("prod_adjoint", lambda g, x: np.sum(prod_adjoint(g, x, 1, False) * W23),
     (r(2), r(2, 3))),
    ("prod_adjoint, all axes", lambda g, x: np.sum(prod_adjoint(g, x, None, False) * W23),
     (0.8, r(2, 3))),
    ("prod_tangent", lambda v, x: np.sum(prod_tangent(v, x, 0, True) * W3), (r(2, 3), r(2, 3))),
    ("pair_products_times", lambda x, v: np.sum(pair_products_times(x, v, 1, False) * W23),
     (r(2, 3), r(2, 3))),
    ("pair_products_times, all axes, v broadcast",
     lambda x, v: np.sum(pair_products_times(x, v, None, False) * X4), (r(4), r(1))),
    ("pair_products_times in x only",
     lambda x: np.sum(pair_products_times(x, W23, 0, True) * W23), (r(2, 3),)),
    ("pair_products_times in v only",
     lambda v: np.sum(pair_products_times(X23, v, (0, 1), False) * W23), (r(2, 3),)),
    ("digamma", lambda a: digamma(a) * 2.0 + a * digamma(a + 0.5), (1.7,)),
    ("cast_adjoint", lambda g: np.sum(cast_adjoint(g, W23) * W23), (r(2, 3),)),
    ("cast_adjoint to an int", lambda g: np.sum(cast_adjoint(g, INTS) * W23) + np.sum(g),
     (r(2, 3),)),
    ("abs_adjoint", lambda g: np.sum(abs_adjoint(g, X23, np.abs(X23)) * W23), (r(2, 3),)),
    ("abs_tangent", lambda t: np.sum(abs_tangent(t, X23, np.abs(X23)) * W23), (r(2, 3),)),
    ("abs_adjoint in x", lambda x: np.sum(abs_adjoint(W23, x, np.abs(x)) * W23),
     (r(2, 3) + 3.0,)),
    ("cast_tangent", lambda v: np.sum(cast_tangent(v, W23) * W23), (r(2, 3),)),
    ("cast_tangent to an int", lambda v: np.sum(cast_tangent(v, INTS) * W23) + np.sum(v * v),
     (r(2, 3),)),
]


def _directional(f, args, directions, eps=1e-6):
    plus = [a + eps * v for a, v in zip(args, directions)]
    minus = [a - eps * v for a, v in zip(args, directions)]
    return (f(*plus) - f(*minus)) / (2 * eps)


@pytest.mark.parametrize("f, args", [pytest.param(f, a, id=n) for n, f, a in CASES])
def test_reverse_mode(f, args):
    sg.check_grads(f, list(args))


@pytest.mark.parametrize("f, args", [pytest.param(f, a, id=n) for n, f, a in CASES])
def test_forward_mode_and_across_modes(f, args):
    directions = [np.asarray(r(*np.shape(a))) if np.ndim(a) else 0.3 for a in args]
    value, tangent = sg.jvp(f, args, directions)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(_directional(f, args, directions), rel=1e-6, abs=1e-8)
    _, vjp_fn = sg.vjp(f, *args)
    grads = vjp_fn(1.0)
    across = sum(float(np.sum(g * v)) for g, v in zip(grads, directions))
    assert tangent == pytest.approx(across, rel=1e-9, abs=1e-12)


def test_every_generated_code_helper_rule_is_exercised():
    from pathlib import Path

    from s2sgrad.rules import registry

    source = Path(__file__).read_text()
    for table in (registry._adjoints, registry._tangents):
        names = {rule.template.__module__: None for rule in table.values()}
        assert "s2sgrad.rules.generated" in names
        for key, rule in table.items():
            if rule.template.__module__ == "s2sgrad.rules.generated":
                assert f"{getattr(key, '__name__', key)}(" in source, key
