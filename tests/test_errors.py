"""Every error a user can meet names their file and line, quotes the code and says what to do."""

import math
import os

import numpy as np
import pytest

import s2sgrad as sg

HERE = os.path.basename(__file__)


def _message(excinfo):
    return str(excinfo.value)


def _line_of(fn, text):
    """The file line number of the first line of `fn` containing `text`."""
    import inspect

    lines, start = inspect.getsourcelines(fn)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset
    raise AssertionError(f"{text!r} not in {fn.__name__}")


def generator(x):
    yield x * 2.0
    return x


def uses_lambda(x):
    double = lambda v: v * 2.0  # noqa: E731 - the point of the test
    return double(x)


def uses_with(x):
    with np.errstate(all="ignore"):
        y = np.log(x)
    return np.sum(y)


def uses_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def writes_while_a_view_is_read(x):
    y = x * 2.0
    row = y[0]
    y[0, 1] = 5.0
    return np.sum(row) + np.sum(y)


def appends_to_a_list_taken_from_a_list(x):
    rows = [[x]]
    row = rows[0]
    row.append(x * 2.0)
    return np.sum(rows[0][1] * x)


def appends_to_a_list_its_old_value_holds(x):
    inner = [x]
    y = [inner]
    z = y
    for i in range(2):
        y = inner       # y is now an entry of what z still is: no run-time identity test helps
    y.append(x * 2.0)
    return np.sum(z[0][-1] * x)


def writes_into_an_element_of_an_element(x):
    y = x * 2.0
    y[0][1] = 5.0
    return np.sum(y)


def unpacks_into_an_element(x):
    y = x * 2.0
    y[0], z = x[1], x[0]
    return np.sum(y) * z


def uses_global(x):
    global COUNTER
    COUNTER = 1
    return x


def uses_del(x):
    y = x * 2.0
    del y
    return x


def defines_a_function(x):
    def inner(v):
        return v * 2.0
    return inner(x)


def uses_comprehension_in_a_loop_condition(x):
    while sum([v * v for v in x]) < 10.0:
        x = x * 2.0
    return np.sum(x)


def uses_generator_as_a_value(x):
    squares = (v * v for v in x)
    return sum(squares)


def uses_walrus(x):
    return (y := x * 2.0) * y


def returns_nothing(x):
    y = x * 2.0  # noqa: F841 - the point: nothing is returned


def returns_on_one_path_only(x):
    if x > 0:
        return x


@pytest.mark.parametrize("fn, code, words", [
    (generator, "yield x * 2.0", "generators (`yield`) cannot be differentiated"),
    (uses_lambda, "lambda v: v * 2.0", "lambda expressions inside a differentiated function"),
    (uses_with, "with np.errstate", "`with` statements are not supported"),
    (uses_try, "try:", "`try` statements are not supported"),
    (writes_while_a_view_is_read, "y[0, 1] = 5.0", "while `row` may share its memory"),
    (appends_to_a_list_taken_from_a_list, "row.append(x * 2.0)",
     "while `rows` may share its memory"),
    (appends_to_a_list_its_old_value_holds, "y.append(x * 2.0)", "while `z` may share its memory"),
    (writes_into_an_element_of_an_element, "y[0][1] = 5.0", "element of an element"),
    (unpacks_into_an_element, "y[0], z = x[1], x[0]", "unpacking into an element"),
    (uses_global, "global COUNTER", "`global` declarations are not supported"),
    (uses_del, "del y", "`del` is not supported"),
    (defines_a_function, "def inner(v):", "nested function definitions are not supported yet"),
    (uses_comprehension_in_a_loop_condition, "[v * v for v in x]",
     "a list comprehension here (in a `while` condition"),
    (uses_generator_as_a_value, "(v * v for v in x)", "only as the argument of a call"),
    (uses_walrus, "y := x * 2.0", "assignment expressions"),
    (returns_nothing, "y = x * 2.0", "does not end with a `return` statement on every path"),
    (returns_on_one_path_only, "if x > 0:", "on every path"),
])
def test_unsupported_syntax_is_located_and_explained(fn, code, words):
    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(fn)(np.ones(3))
    message = _message(excinfo)
    assert words in message
    assert f"{HERE}:{_line_of(fn, code)}:" in message
    assert code in message
    assert "hint:" in message
    assert isinstance(excinfo.value, NotImplementedError)


def uses_unwrap(x):
    y = np.unwrap(x)
    return np.sum(y * y)


def test_missing_rule_names_the_function_the_line_and_the_fix():
    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(uses_unwrap)(np.ones(4))
    message = _message(excinfo)
    assert "no derivative rule for numpy.unwrap" in message
    assert f"{HERE}:{_line_of(uses_unwrap, 'np.unwrap')}:" in message
    assert "y = np.unwrap(x)" in message
    assert "@s2sgrad.adjoint(numpy.unwrap)" in message
    assert "stop_gradient" in message


def countdown(x, n):
    if n <= 0:
        return x
    return countdown(x * 2.0, n - 1)


def test_recursion_is_refused_with_its_location():
    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(countdown)(1.0, 3)
    message = _message(excinfo)
    assert "countdown calls itself (recursion)" in message
    assert f"{HERE}:{_line_of(countdown, 'return countdown(')}:" in message
    assert "rewrite the recursion as a loop" in message


def apply(fn, x):
    return np.sum(fn(x))


def test_function_passed_as_an_argument_without_a_rule_is_refused_clearly():
    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(apply, wrt=1)(np.unwrap, np.ones(2))
    message = _message(excinfo)
    assert "no derivative rule for numpy.unwrap" in message
    assert f"{HERE}:{_line_of(apply, 'return np.sum(fn(x))')}:" in message
    assert "register one with @s2sgrad.adjoint(numpy.unwrap)" in message


def test_stop_gradient_makes_a_missing_rule_irrelevant():
    def f(x):
        phase = np.unwrap(sg.stop_gradient(x))
        return np.sum(phase) * np.sum(x)

    x = np.array([1.0, 2.0, 3.0])
    expected = np.full(3, np.sum(np.unwrap(x)))
    assert np.allclose(sg.grad(f)(x), expected)


def test_rule_that_does_not_cover_the_call():
    def f(x):
        return np.sum(x, out=None, where=True)

    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(f)(np.ones(3))
    assert "does not cover this call" in _message(excinfo)
    assert "where" in _message(excinfo)


def test_function_without_source():
    namespace = {}
    exec("def made_by_exec(x):\n    return x * x\n", namespace)
    with pytest.raises(sg.SourceUnavailableError) as excinfo:
        sg.grad(namespace["made_by_exec"])(1.0)
    message = _message(excinfo)
    assert "cannot find the source of made_by_exec" in message
    assert "exec()" in message


def test_builtin_function_has_no_source():
    with pytest.raises(sg.SourceUnavailableError) as excinfo:
        sg.grad(np.tanh)
    assert "numpy.tanh is not Python source" in _message(excinfo)
    with pytest.raises(sg.SourceUnavailableError):
        sg.grad(math.sin)


def two_args(x, y):
    return np.sum(x * y)


@pytest.mark.parametrize("wrt, words", [
    ("z", "has no argument named 'z'"),
    (2, "wrt=2 is out of range"),
    (-1, "wrt=-1 is out of range"),
    ((0, 0), "appears twice"),
    ((), "wrt is empty"),
    (1.5, "must be argument positions or names"),
])
def test_bad_wrt(wrt, words):
    with pytest.raises(sg.WrtError) as excinfo:
        sg.grad(two_args, wrt=wrt)
    message = _message(excinfo)
    assert words in message
    assert f"{HERE}:{_line_of(two_args, 'def two_args')}:" in message
    assert "0: x, 1: y" in message
    assert isinstance(excinfo.value, ValueError)


def test_integer_argument_cannot_be_differentiated():
    with pytest.raises(sg.WrtError) as excinfo:
        sg.grad(two_args, wrt=1)(np.ones(2), 3)
    assert "argument 'y'" in _message(excinfo) and "integer" in _message(excinfo)


def vector_output(x):
    return x * 2.0


def test_grad_of_non_scalar_output_names_the_shape_and_the_return_line():
    with pytest.raises(sg.NonScalarOutputError) as excinfo:
        sg.grad(vector_output)(np.ones((2, 3)))
    message = _message(excinfo)
    assert "shape (2, 3)" in message
    assert f"{HERE}:{_line_of(vector_output, 'return x * 2.0')}:" in message
    assert "vjp" in message


def test_vjp_cotangent_of_the_wrong_shape():
    value, vjp_fn = sg.vjp(vector_output, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent has shape \(2,\)"):
        vjp_fn(np.ones(2))


def boolean_operator_on_values(x, y):
    return (x or y) * 2.0


def test_and_or_on_differentiated_values_is_refused():
    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(boolean_operator_on_values)(1.0, 2.0)
    assert "`and`/`or` on differentiated values is not supported yet" in _message(excinfo)
    assert "np.where" in _message(excinfo)


def test_unpacking_the_results_of_a_library_call():
    """A function whose rules return a tuple (np.linalg.qr) unpacks; an array does not."""
    def factors(x):
        q, r = np.linalg.qr(x)
        return np.sum(q * r)

    sg.check_grads(factors, [np.eye(3) + 0.3 * np.arange(9.0).reshape(3, 3) / 9.0], order=2)

    def rows(x):
        a, b = np.sin(x)
        return np.sum(a * b)

    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(rows)(np.ones((2, 3)))
    assert "unpacking" in _message(excinfo) and "a, b = np.sin(x)" in _message(excinfo)


def test_starred_arguments_in_a_call():
    def f(x):
        parts = [x, x]
        return np.sum(np.add(*parts))

    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(f)(np.ones(2))
    assert "starred" in _message(excinfo) and "*parts" in _message(excinfo)


def test_malformed_rule_is_reported_at_the_rule():
    def my_op(x):
        return x

    @sg.adjoint(my_op)
    def bad_rule(z, x):
        d[z] = x  # noqa: F821 - writing to the result's adjoint is not allowed

    def f(x):
        return my_op(x) * 2.0

    with pytest.raises(sg.RuleDefinitionError) as excinfo:
        sg.grad(f)(1.0)
    assert "bad_rule" in _message(excinfo)
    assert "must name an argument parameter" in _message(excinfo)


def test_sharing_rules_from_a_function_without_rules_is_reported():
    from s2sgrad.rules import same_rules

    def my_square(x, name=None):
        return x * x

    def no_rules(x):
        return x * x

    with pytest.raises(sg.RuleDefinitionError) as excinfo:
        same_rules(my_square, no_rules, ignored=("name",))
    assert "same_rules" in _message(excinfo) and "has no rule to share" in _message(excinfo)
    assert "test_errors.py" in _message(excinfo)          # located at the function given rules


def test_sharing_rules_whose_template_reads_an_ignored_name_is_reported():
    from s2sgrad.rules import same_rules

    def my_sin(x, z=None):
        return np.sin(x)

    # np.sin's rule template is `sin(z, x)`: `z` is its result parameter, so a parameter of the
    # same name cannot be ignored
    with pytest.raises(sg.RuleDefinitionError) as excinfo:
        same_rules(my_sin, np.sin, ignored=("z",))
    assert "already uses z" in _message(excinfo)


def test_check_grads_takes_one_position_and_names_a_wrong_one():
    def f(x, k):
        return np.sum(x ** k)

    sg.check_grads(f, (np.array([0.5, 1.5]), 3), wrt=0)
    for wrong in (2, [0, 5], ["x"]):
        with pytest.raises(sg.WrtError) as excinfo:
            sg.check_grads(f, (np.array([0.5, 1.5]), 3), wrt=wrong)
        assert "the positions of the arguments to check, among the 2 passed" in str(excinfo.value)
        assert "wrt=0 or wrt=[0, 1]" in str(excinfo.value)


def test_check_grads_reports_a_wrong_rule():
    def scaled(x):
        return x

    @sg.adjoint(scaled)
    def wrong(z, x):
        d[x] = 1.5 * d[z]  # noqa: F821 - the true derivative is 1

    def f(x):
        return np.sum(scaled(x))

    with pytest.raises(sg.GradientCheckError, match="disagrees with finite differences"):
        sg.check_grads(f, (np.ones(3),))


def test_at_least_1d_of_several_arrays_is_refused_not_miscomputed():
    """np.atleast_1d(a, b) returns a list; its rule covers one array only."""
    def f(a, b):
        return np.sum(np.atleast_1d(a, b)[1] * a)

    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(f, wrt=(0, 1))(np.ones(2), np.ones(2))
    assert "does not cover this call" in _message(excinfo)
    assert "np.atleast_1d(a, b)" in _message(excinfo)


@sg.custom_gradient
def _clipped_identity(x):
    def grad_fn(dy):
        return np.clip(dy, -0.5, 0.5)
    return x * 1.0, grad_fn


def _through_custom(x):
    return np.sum(_clipped_identity(x) * 3.0)


def test_custom_gradient_in_reverse_mode_and_refused_in_forward_mode():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(np.asarray(sg.grad(_through_custom)(x)), [0.5, 0.5])
    with pytest.raises(sg.S2sgradError) as excinfo:
        sg.jvp(_through_custom, (x,), (np.ones(2),))
    assert "defines only its reverse-mode rule" in _message(excinfo)
    assert "@s2sgrad.tangent" in _message(excinfo)


# ---- refusals in generated code name the user's statement it came from -------------------------


def product_of_entries(x):
    return np.prod(x)


def rebound_then_written(x):
    y = x * 1.0
    for i in range(3):
        y = y * 0.5 + np.sin(y)
        y[0] = 2.0 * y[1]
    return np.sum(y * y)


def test_a_refusal_in_derivative_code_notes_the_users_statement():
    # second order, reverse over reverse: the first derivative's code is refused where it
    # restores the written entry of an array it popped from its record stack (which may still
    # hold it, as far as the analysis of arrays can tell; forward over reverse, `sg.hessian`,
    # is fine: the tangent code pushes and pops the tangents alike)
    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.check_grads(rebound_then_written, (np.array([0.3, 1.5, -0.2]),), order=2)
    message = _message(excinfo)
    assert message.startswith("<s2sgrad generated grad of rebound_then_written #")
    line = _line_of(rebound_then_written, "y[0] = 2.0 * y[1]")
    assert f"\nnote: derivative code generated from {__file__}:{line}: " \
        "y[0] = 2.0 * y[1]\n" in message
    # fourth order: a call in the third derivative's code, three generations away
    with pytest.raises(sg.NoDerivativeRuleError) as excinfo:
        sg.grad(sg.grad(sg.grad(sg.grad(product_of_entries))))(2.0)
    message = _message(excinfo)
    assert message.startswith("<s2sgrad generated grad of ddproduct_of_entries_dx_dx #")
    line = _line_of(product_of_entries, "return np.prod(x)")
    assert f"\nnote: derivative code generated from {__file__}:{line}: " \
        "return np.prod(x)\n" in message
