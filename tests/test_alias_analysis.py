"""The liveness refinements of `analysis.aliases` that decide which in-place writes of derivative
code can be differentiated again: values read through stacks, writes that read nothing."""

import textwrap

import gast

from s2sgrad import astutil
from s2sgrad.analysis import aliases


def _body(source):
    return gast.parse(textwrap.dedent(source)).body[0].body


def _statement(body, text):
    """The simple statement of `body` whose source is `text`."""
    for node in astutil.statements(body):
        if astutil.unparse(node).strip() == text:
            return node
    raise AssertionError(text)


RECORDED_FOR_SHAPES = """
def f(x, n):
    s = []
    for i in range(n):
        y = x * 2.0
        s.append(y)
    g = 0.0
    for i in range(n):
        y = s.pop()
        g = g + np.zeros(y.shape)
    return g
"""

RECORDED_FOR_VALUES = RECORDED_FOR_SHAPES.replace("np.zeros(y.shape)", "np.sin(y)")


def test_a_stack_whose_popped_values_are_read_for_their_shape_only():
    assert aliases.shape_only_stacks(_body(RECORDED_FOR_SHAPES)) == {"s"}
    assert aliases.shape_only_stacks(_body(RECORDED_FOR_VALUES)) == frozenset()


def test_a_stack_used_otherwise_is_not_a_stack_of_shapes():
    body = _body(RECORDED_FOR_SHAPES.replace("    return g", "    return g + len(s) + s[0]"))
    assert aliases.shape_only_stacks(body) == frozenset()


def test_a_push_on_a_stack_of_shapes_reads_no_value():
    body = _body(RECORDED_FOR_SHAPES)
    push = _statement(body, "s.append(y)")
    assert aliases.values_read(push) == {"y"}      # (appending reads none of s's entries)
    assert aliases.values_read(push, quiet=frozenset({"s"})) == set()


def test_a_pop_reads_the_stack_only_where_the_popped_value_is_read():
    for source, read in ((RECORDED_FOR_SHAPES, False), (RECORDED_FOR_VALUES, True)):
        body = _body(source)
        live = aliases.live_after(body, aliases.values_read, popped_values=True)
        # after the pushes, is what the stack holds read by value later?
        assert ("s" in live[id(_statement(body, "s.append(y)"))]) is read
        plain = aliases.live_after(body, aliases.values_read)
        assert "s" in plain[id(_statement(body, "s.append(y)"))]      # (else: always read)


def test_writing_into_an_array_reads_none_of_its_values():
    body = _body("""
    def f(x):
        y = x * 1.0
        y[0] = 2.0
        return y.shape
    """)
    assert aliases.values_read(_statement(body, "y[0] = 2.0")) == set()
    live = aliases.live_after(body, aliases.values_read)
    assert "y" not in live[id(_statement(body, "y = x * 1.0"))]
