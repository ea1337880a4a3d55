"""Normalization: one operation per statement, single assignment, same behaviour as the original."""

import textwrap

import gast
import numpy as np
import pytest

from s2sgrad import astutil
from s2sgrad.frontend import language, resolve, source
from s2sgrad.naming import Namer
from s2sgrad.transforms import normalize


def normalized(fn, inputs=("x",)):
    src = source.get_function_source(fn)
    resolution = resolve.resolve(src)
    language.check(src)
    namer = Namer(astutil.all_names(src.node) | set(resolution.objects))
    normalize.transform(src, set(inputs), namer)
    return src.node


def run_normalized(fn, *args, inputs=("x",)):
    """Execute the normalized function in the original's globals."""
    from s2sgrad import codegen

    node = normalized(fn, inputs)
    namespace = dict(fn.__globals__)
    exec(compile(codegen.to_source([node]), "<normalized>", "exec"), namespace)
    return namespace[node.name](*args)


def body_source(fn, inputs=("x",)):
    from s2sgrad import codegen

    node = normalized(fn, inputs)
    text = codegen.to_source(node.body)
    return textwrap.dedent(text).strip()


def nested(x, w):
    return np.sum(np.tanh(x @ w + 1.0) * x.shape[0])


def augmented(x, y):
    x += y
    x *= 2.0
    return x


def swap(x, y):
    a, b = x, y
    a, b = b, a * 2.0
    return a - b


def chained(x):
    a = b = x * 3.0
    return a + b


def reassigned(x):
    h = x * x
    h = h + x
    h = np.sin(h)
    return h


def inactive(x, n):
    scale = 2.0 / (n + 1)
    rows = x.shape[0] // 2
    return np.sum(x[:rows] * scale)


def test_nested_expression_becomes_one_operation_per_statement():
    assert body_source(nested, ("x", "w")) == textwrap.dedent("""\
        x_dot_w = x @ w
        x_dot_w_plus_1 = x_dot_w + 1.0
        tanh_x_dot_w_plus_1 = np.tanh(x_dot_w_plus_1)
        x_shape_0 = x.shape[0]
        result_times = tanh_x_dot_w_plus_1 * x_shape_0
        sum_result_times = np.sum(result_times)
        return sum_result_times""")


def _is_operation(value):
    """A single operation over names and constants (or an expression with no derivative)."""
    operands = []
    if isinstance(value, gast.BinOp):
        operands = [value.left, value.right]
    elif isinstance(value, gast.UnaryOp):
        operands = [value.operand]
    elif isinstance(value, gast.Call):
        operands = list(value.args) + [k.value for k in value.keywords]
    return all(astutil.is_atom(o) for o in operands)


@pytest.mark.parametrize("fn, inputs", [(nested, ("x", "w")), (augmented, ("x", "y")),
                                        (swap, ("x", "y")), (chained, ("x",)),
                                        (reassigned, ("x",))])
def test_every_differentiated_statement_is_one_operation(fn, inputs):
    node = normalized(fn, inputs)
    for stmt in node.body:
        if isinstance(stmt, gast.Assign):
            assert _is_operation(stmt.value), gast.dump(stmt)
        elif isinstance(stmt, gast.Return):
            assert astutil.is_atom(stmt.value)


@pytest.mark.parametrize("fn, inputs", [(nested, ("x", "w")), (augmented, ("x", "y")),
                                        (swap, ("x", "y")), (chained, ("x",)),
                                        (reassigned, ("x",))])
def test_every_name_is_assigned_once(fn, inputs):
    node = normalized(fn, inputs)
    targets = [t.id for s in node.body if isinstance(s, gast.Assign)
               for t in astutil.walk(s.targets) if isinstance(t, gast.Name)]
    params = astutil.names_stored(node.args)
    assert len(targets) == len(set(targets))
    assert not set(targets) & params


@pytest.mark.parametrize("fn, args", [
    (nested, (np.arange(6.0).reshape(2, 3) / 10, np.ones((3, 2)))),
    (augmented, (np.array([1.0, 2.0]), np.array([0.5, -1.0]))),
    (swap, (np.array([1.0, 2.0]), np.array([3.0, 5.0]))),
    (chained, (1.5,)),
    (reassigned, (np.array([0.2, 0.4]),)),
    (inactive, (np.arange(4.0), 3)),
])
def test_normalized_code_computes_what_the_original_computes(fn, args):
    inputs = ("x", "w") if fn is nested else ("x", "y") if fn in (augmented, swap) else ("x",)
    expected = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    assert np.allclose(run_normalized(fn, *args, inputs=inputs), expected)


def test_swap_evaluates_both_values_before_assigning():
    lines = body_source(swap, ("x", "y")).splitlines()
    # a, b = b, a * 2.0: both values are read into temporaries before a and b are reassigned
    assert lines[2:6] == ["b_1 = b", "a_times_2 = a * 2.0", "a_1 = b_1", "b_2 = a_times_2"]


def test_reassignment_gets_numbered_versions():
    assert body_source(reassigned) == textwrap.dedent("""\
        h = x * x
        h_1 = h + x
        h_2 = np.sin(h_1)
        return h_2""")


def test_expressions_without_derivatives_are_kept_whole():
    text = body_source(inactive, ("x",))
    assert "scale = 2.0 / (n + 1)" in text
    assert "rows = x.shape[0] // 2" in text


def test_docstrings_and_pass_disappear_and_annotations_are_dropped():
    def f(x):
        """Doc."""
        pass
        y: float = x * 2.0
        return y

    assert body_source(f) == "y = x * 2.0\nreturn y"
