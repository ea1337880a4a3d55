"""The grammar walk (issue 8): every statement and expression node type, and hostile input.

Each case is a small module written to a real file (so `inspect.getsource` finds it) whose function
`f` uses one construct on a differentiated value. s2sgrad must either give the right gradient
(a hand-written value, and `check_grads` in both modes) or refuse with an `S2sgradError` that
names the file, the line and the column (a caret), quotes the offending line and gives a hint.
Any other exception, or a wrong number, is a failure.

`test_every_node_type_has_a_case` walks `ast.stmt.__subclasses__()` and
`ast.expr.__subclasses__()`, so a node type added by a new Python fails until a case covers it.
Syntax newer than the oldest supported Python (3.9) lives only in source strings, and its cases
run only on interpreters that parse it.
"""

import ast
import functools
import importlib.util
import itertools
import re
import sys
import textwrap

import numpy as np
import pytest

import s2sgrad as sg

# The node types of Python 3.13, the newest supported version: every interpreter checks that
# they all have a case, so the walk stays complete when the suite runs on an older Python.
STMTS_313 = {
    "AnnAssign", "Assert", "Assign", "AsyncFor", "AsyncFunctionDef", "AsyncWith", "AugAssign",
    "Break", "ClassDef", "Continue", "Delete", "Expr", "For", "FunctionDef", "Global", "If",
    "Import", "ImportFrom", "Match", "Nonlocal", "Pass", "Raise", "Return", "Try", "TryStar",
    "TypeAlias", "While", "With",
}
EXPRS_313 = {
    "Attribute", "Await", "BinOp", "BoolOp", "Call", "Compare", "Constant", "Dict", "DictComp",
    "FormattedValue", "GeneratorExp", "IfExp", "JoinedStr", "Lambda", "List", "ListComp", "Name",
    "NamedExpr", "Set", "SetComp", "Slice", "Starred", "Subscript", "Tuple", "UnaryOp", "Yield",
    "YieldFrom",
}


class Case:
    """One module whose function `f` is differentiated at `args` with respect to `wrt`.

    `grad`: the expected gradient (a tuple for a tuple `wrt`); `error`: text the error must point
    at (on the first line of the module containing it; the caret must be under its start), with
    `words` in the message. With both, either outcome is right (used where a fix could go
    either way). `covers`: the node types (class names) this case uses inside `f`. `since`: the
    first Python that parses the source.
    """

    def __init__(self, name, covers, source, args, grad=None, error=None, words="", wrt=0,
                 since=(3, 9), xfail=None, check=True, newline="\n", dedent=True):
        assert grad is not None or error is not None, name
        self.name, self.covers, self.args = name, tuple(covers), args
        self.grad, self.error, self.words, self.wrt = grad, error, words, wrt
        self.since, self.xfail, self.check, self.newline = since, xfail, check, newline
        body = textwrap.dedent(source).lstrip("\n") if dedent else source
        self.source = "import numpy as np\n" + body

    def param(self):
        marks = [pytest.mark.skipif(sys.version_info < self.since,
                                    reason=f"needs Python {'.'.join(map(str, self.since))}+")]
        if self.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=self.xfail))
        return pytest.param(self, id=self.name, marks=marks)


X = np.array([0.5, -1.25, 2.0])

CASES = [
    # ---------------------------------------------------------------- statements
    Case("Assign", ["Assign", "Name", "BinOp", "Return"], """
        def f(x):
            y = x * 3.0
            return y * x
        """, (2.0,), grad=12.0),
    Case("Assign_tuple_and_star", ["Assign", "Tuple", "Starred"], """
        def f(x):
            a, *rest = x, x * x, 3.0 * x
            b, c = rest
            return np.sum(a + b + c)
        """, (X,), grad=1.0 + 2.0 * X + 3.0),
    Case("Assign_unpack_list_of_python_floats", ["Assign", "Tuple", "List"], """
        def f(x):
            t = [x, x * x]
            a, b = t
            return a
        """, (2.0,), grad=1.0),
    Case("AugAssign", ["AugAssign"], """
        def f(x):
            y = x
            y += x * x
            y *= 2.0
            return y
        """, (2.0,), grad=2.0 * (1.0 + 4.0)),
    Case("AnnAssign", ["AnnAssign"], """
        def f(x):
            y: float = x * x
            return y
        """, (3.0,), grad=6.0),
    Case("AnnAssign_without_value", ["AnnAssign"], """
        def f(x):
            y: float
            y = x * x
            return y
        """, (3.0,), error="y: float", words="annotation without a value"),
    Case("annotated_parameters", ["Return"], """
        from typing import Optional

        def f(x: np.ndarray, scale: "float" = 2.0, *, shift: Optional[float] = None) -> float:
            return np.sum(x * x) * scale
        """, (X,), grad=4.0 * X),
    Case("Assert", ["Assert", "Compare"], """
        def f(x):
            assert x > 0.0, "x must be positive"
            return x * x
        """, (3.0,), grad=6.0),
    Case("For_Break_Continue", ["For", "Break", "Continue", "If"], """
        def f(x):
            y = 1.0
            for i in range(10):
                if i == 1:
                    continue
                if i == 4:
                    break
                y = y * x
            return y
        """, (2.0,), grad=3.0 * 4.0),
    Case("While", ["While"], """
        def f(x):
            y = 1.0
            while y < 10.0:
                y = y * x
            return y
        """, (2.0,), grad=4.0 * 8.0),
    Case("If_elif_else", ["If"], """
        def f(x):
            if x < 0.0:
                y = -x
            elif x < 1.0:
                y = x * x
            else:
                y = 3.0 * x
            return y
        """, (0.5,), grad=1.0),
    Case("Pass", ["Pass"], """
        def f(x):
            if x > 0.0:
                pass
            return x * 5.0
        """, (1.0,), grad=5.0),
    Case("Expr_call", ["Expr", "Call", "Attribute"], """
        def f(x):
            np.tanh(x)
            return np.sum(np.sin(x))
        """, (X,), error="np.tanh(x)", words="for its effect"),
    Case("Expr_docstring", ["Expr", "Constant"], """
        def f(x):
            '''A docstring is an expression statement.'''
            return x * x
        """, (3.0,), grad=6.0),
    Case("print_call", ["Expr", "Call"], """
        def f(x):
            y = x * x
            print("y is", y, sep=" ")
            return y
        """, (3.0,), grad=6.0),
    Case("Return_in_branches", ["Return", "If"], """
        def f(x):
            if x > 0.0:
                return x * x
            return -x
        """, (3.0,), grad=6.0),
    Case("Delete", ["Delete"], """
        def f(x):
            y = x * 2.0
            z = y * x
            del y
            return z
        """, (1.0,), error="del y", words="`del`"),
    Case("Global", ["Global"], """
        COUNT = 0

        def f(x):
            global COUNT
            COUNT = COUNT + 1
            return x * x
        """, (1.0,), error="global COUNT", words="global"),
    Case("Nonlocal", ["Nonlocal"], """
        def make():
            calls = 0

            def f(x):
                nonlocal calls
                calls = calls + 1
                return x * x
            return f

        f = make()
        """, (1.0,), error="nonlocal calls", words="nonlocal"),
    Case("Import", ["Import"], """
        def f(x):
            import math
            return math.sin(x)
        """, (1.0,), error="import math", words="import"),
    Case("ImportFrom", ["ImportFrom"], """
        def f(x):
            from math import sin
            return sin(x)
        """, (1.0,), error="from math import sin", words="import"),
    Case("FunctionDef_nested", ["FunctionDef"], """
        def f(x):
            def square(v):
                return v * v
            return square(x)
        """, (1.0,), error="def square(v):", words="nested function"),
    Case("ClassDef_nested", ["ClassDef"], """
        def f(x):
            class Box:
                scale = 2.0
            return x * Box.scale
        """, (1.0,), error="class Box:", words="class definitions"),
    Case("Raise", ["Raise"], """
        def f(x):
            if x < 0.0:
                raise ValueError("negative")
            return x * x
        """, (1.0,), error="raise ValueError", words="`raise`"),
    Case("Try", ["Try"], """
        def f(x):
            try:
                y = x * x
            except ZeroDivisionError:
                y = x
            finally:
                pass
            return y
        """, (1.0,), error="try:", words="`try`"),
    Case("TryStar", ["TryStar"], """
        def f(x):
            try:
                y = x * x
            except* ValueError:
                y = x
            return y
        """, (1.0,), error="try:", words="try", since=(3, 11)),
    Case("With", ["With"], """
        def f(x):
            with np.errstate(all="ignore"):
                y = np.log(x)
            return y
        """, (1.0,), error="with np.errstate", words="`with`"),
    Case("AsyncFunctionDef", ["AsyncFunctionDef"], """
        async def f(x):
            return x * x
        """, (1.0,), error="async def f", words="async"),
    Case("AsyncFunctionDef_nested", ["AsyncFunctionDef"], """
        def f(x):
            async def helper(v):
                return v * v
            return x * x
        """, (1.0,), error="async def helper", words="async"),
    Case("AsyncFor", ["AsyncFor"], """
        async def f(x, stream):
            y = x
            async for v in stream:
                y = y * v
            return y
        """, (1.0, None), error="async def f", words="async"),
    Case("AsyncWith", ["AsyncWith"], """
        async def f(x, lock):
            async with lock:
                y = x * x
            return y
        """, (1.0, None), error="async def f", words="async"),
    Case("Await", ["Await"], """
        async def f(x, later):
            y = await later(x)
            return y * x
        """, (1.0, None), error="async def f", words="async"),
    Case("Match", ["Match"], """
        def f(x, mode):
            match mode:
                case "square":
                    y = x * x
                case _:
                    y = x
            return y
        """, (3.0, "square"), error="match mode:", words="match", since=(3, 10)),
    Case("TypeAlias", ["TypeAlias"], """
        def f(x):
            type Scalar = float
            return x * x
        """, (3.0,), error="type Scalar = float", words="type", since=(3, 12)),
    Case("type_parameters", ["Return"], """
        def f[T](x: T) -> T:
            return x * x
        """, (3.0,), grad=6.0, since=(3, 12)),
    Case("decorated_returning_the_function", ["Return"], """
        REGISTRY = []

        def register(fn):
            REGISTRY.append(fn)
            return fn

        @register
        def f(x):
            return x * x * x
        """, (2.0,), grad=12.0),
    Case("decorated_callee_with_a_wrapper", ["Call"], """
        import functools

        def doubled(fn):
            @functools.wraps(fn)
            def wrapper(x):
                return 2.0 * fn(x)
            return wrapper

        @doubled
        def square(x):
            return x * x

        def f(x):
            return square(x) + x
        """, (3.0,), grad=13.0, error="@doubled"),
    Case("decorated_with_a_wrapper", ["Return"], """
        import functools

        def doubled(fn):
            @functools.wraps(fn)
            def wrapper(x):
                return 2.0 * fn(x)
            return wrapper

        @doubled
        def f(x):
            return x * x
        """, (3.0,), grad=12.0, error="@doubled"),
    # ---------------------------------------------------------------- expressions
    Case("Attribute", ["Attribute"], """
        def f(x):
            return np.sum(x.T * np.pi)
        """, (X,), grad=np.full(3, np.pi)),
    Case("BinOp_all_operators", ["BinOp"], """
        def f(x, w):
            y = (x + 1.0) * (x - 2.0) / (x ** 2 + 1.0) + 7.0 % x
            z = w @ w
            return y + z
        """, (3.0, np.array([1.0, 2.0])),
        grad=(((2 * 3.0 - 1.0) * 10.0 - (3.0 ** 2 - 3.0 - 2.0) * 6.0) / 100.0 - 2.0,
              np.array([2.0, 4.0])), wrt=(0, 1)),
    Case("BinOp_floordiv", ["BinOp"], """
        def f(x):
            return x // 2.0 + x
        """, (3.0,), grad=1.0),
    Case("UnaryOp", ["UnaryOp"], """
        def f(x, flag):
            y = -x + (+x) * 2.0
            if not flag:
                y = y * 3.0
            return y
        """, (3.0, False), grad=3.0),
    Case("BoolOp_in_condition", ["BoolOp"], """
        def f(x):
            if x > 0.0 and x < 5.0 or x > 10.0:
                return x * x
            return x
        """, (3.0,), grad=6.0),
    Case("BoolOp_value", ["BoolOp"], """
        def f(x):
            y = (x * 2.0) or 1.0
            return y * x
        """, (3.0,), error="(x * 2.0) or 1.0", words="`and`/`or`"),
    Case("Compare_chain", ["Compare"], """
        def f(x):
            if 0.0 < x < 5.0 != x:
                return x * x
            return x
        """, (3.0,), grad=6.0),
    Case("Compare_value", ["Compare"], """
        def f(x):
            return np.sum(x * (x > 0.0))
        """, (X,), grad=(X > 0.0).astype(float)),
    Case("IfExp", ["IfExp"], """
        def f(x):
            y = x * x if x > 0.0 else -x
            return y
        """, (3.0,), grad=6.0),
    Case("Call_keywords", ["Call"], """
        def f(x):
            return np.sum(np.mean(x.reshape(1, 3), axis=0, keepdims=True) ** 2)
        """, (X,), grad=2.0 * X),
    Case("Constant", ["Constant"], """
        def f(x):
            return x * 2.5 + 1 - True
        """, (3.0,), grad=2.5),
    Case("List", ["List"], """
        def f(x):
            parts = [x, x * x]
            return parts[0] + parts[1]
        """, (3.0,), grad=7.0),
    Case("Tuple", ["Tuple"], """
        def f(x):
            pair = (x, 2.0 * x)
            return pair[0] * pair[1]
        """, (3.0,), grad=12.0),
    Case("Dict", ["Dict"], """
        def f(x):
            d = {"a": x, "b": x * x}
            return d["a"] + d["b"]
        """, (3.0,), grad=7.0),
    Case("Set", ["Set"], """
        def f(x):
            return sum({x * 2.0, 1.0})
        """, (3.0,), error="{x * 2.0, 1.0}", words="set"),
    Case("Subscript_and_Slice", ["Subscript", "Slice"], """
        def f(x):
            return x[0] * x[1:][0] + np.sum(x[::-1][:2]) + np.sum(x[0:3:2])
        """, (X,), grad=np.array([X[1] + 1.0, X[0] + 1.0, 2.0])),
    Case("Subscript_store", ["Subscript"], """
        def f(x):
            y = x.copy()
            y[0] = y[1] * 3.0
            return np.sum(y * y)
        """, (np.array([1.0, 2.0]),), grad=np.array([0.0, 40.0])),
    Case("Attribute_store", ["Attribute"], """
        class Box:
            pass

        def f(x, box):
            box.w = x * 2.0
            return x * x
        """, (1.0, None), error="box.w = x * 2.0", words="attribute"),
    Case("Starred_in_call", ["Starred"], """
        def f(x):
            parts = (x, x)
            return np.sum(np.add(*parts))
        """, (X,), error="*parts)", words="starred"),
    Case("Starred_in_display", ["Starred"], """
        def f(x):
            parts = [x, x]
            return np.sum(np.stack([*parts, x]))
        """, (X,), error="*parts, x]", words="starred"),
    Case("JoinedStr_FormattedValue", ["JoinedStr", "FormattedValue"], """
        def f(x, n):
            y = x
            for i in range(n):
                label = f"step {i!r:>4} of {n:d}"
                y = y * x
            assert n > 0, f"n must be positive, got {n}"
            return y
        """, (3.0, 2), grad=27.0),
    Case("JoinedStr_on_differentiated_value", ["JoinedStr", "FormattedValue"], """
        def f(x):
            label = f"x={x!r:>10} {x * 2.0:.3f}"
            return x * x
        """, (3.0,), error='f"x={x!r:>10}', words="f-string"),
    Case("print_fstring", ["JoinedStr", "FormattedValue"], """
        def f(x):
            y = np.sin(x)
            print(f"y = {y}")
            return y
        """, (1.0,), error='f"y = {y}"', words="f-string"),
    Case("NamedExpr", ["NamedExpr"], """
        def f(x):
            return (y := x * 2.0) * y
        """, (1.0,), error="y := x * 2.0", words=":="),
    Case("Lambda", ["Lambda"], """
        def f(x):
            square = lambda v: v * v
            return square(x)
        """, (1.0,), error="lambda v: v * v", words="lambda"),
    Case("ListComp", ["ListComp"], """
        def f(x):
            return sum([v * v for v in x])
        """, (X,), grad=2.0 * X),
    Case("ListComp in a loop condition", ["ListComp"], """
        def f(x):
            while sum([v * v for v in x]) < 100.0:
                x = x * 2.0
            return np.sum(x)
        """, (X,), error="[v * v for v in x]", words="comprehension"),
    Case("SetComp", ["SetComp"], """
        def f(x):
            return sum({v * v for v in x})
        """, (X,), error="{v * v for v in x}", words="comprehension"),
    Case("DictComp", ["DictComp"], """
        def f(x):
            d = {i: v for i, v in enumerate(x)}
            return d[0]
        """, (X,), error="{i: v for i, v in enumerate(x)}", words="comprehension"),
    Case("GeneratorExp", ["GeneratorExp"], """
        def f(x):
            return sum(v * v for v in x)
        """, (X,), grad=2.0 * X),
    Case("GeneratorExp as a value", ["GeneratorExp"], """
        def f(x):
            squares = (v * v for v in x)
            return sum(squares)
        """, (X,), error="(v * v for v in x)", words="generator"),
    Case("Yield", ["Yield"], """
        def f(x):
            yield x * x
        """, (1.0,), error="yield x * x", words="yield"),
    Case("YieldFrom", ["YieldFrom"], """
        def f(x):
            yield from (x, x * x)
        """, (1.0,), error="yield from", words="yield"),
    # ---------------------------------------------------------------- source layout
    Case("crlf_line_endings", [], """
        def f(x):
            y = x * x
            return y * x
        """, (2.0,), grad=12.0, newline="\r\n"),
    Case("crlf_line_endings_error", ["Delete"], """
        def f(x):
            y = x * x
            del y
            return x
        """, (2.0,), error="del y", newline="\r\n"),
    Case("tab_indentation", ["If"],
         "def f(x):\n\tif x > 0:\n\t\ty = x * x\n\telse:\n\t\ty = x\n\treturn y * x\n",
         (2.0,), grad=12.0, dedent=False),
    Case("tab_indentation_error", ["Delete"],
         "def f(x):\n\ty = x * x\n\tdel y\n\treturn x\n", (2.0,), error="del y", dedent=False),
    Case("one_line_def_and_semicolons", [], """
        def f(x): y = x * 2.0; z = y * x; return z
        """, (2.0,), grad=8.0),
    Case("multiline_signature_and_continuation", [], """
        def f(
            x,
            y=2.0,
        ):
            z = x * \\
                y
            return z * x
        """, (2.0,), grad=8.0),
    Case("non_ascii_names", [], """
        def f(x):
            α = x * 2.0
            β_ü = α * x
            return β_ü
        """, (2.0,), grad=8.0),
    Case("non_ascii_text_before_the_error", ["Delete"], """
        def f(x):
            s = "ünïcödé"; z = (s, x); del z
            return x
        """, (2.0,), error="del z", words="`del`"),
    # ---------------------------------------------------------------- user names that look generated
    Case("names_adjoint_like_parameter", [], """
        def f(x, bx):
            bx_1 = x * bx
            return np.sum(bx_1 * x)
        """, (X, 2.0 * X), grad=(4.0 * X * X, X * X), wrt=(0, 1)),
    Case("names_generated_locals", [], """
        def f(x):
            bx = x * 2.0
            d = bx * x
            _stack = d + 1.0
            tanh_x = np.tanh(x) * 3.0
            sum_y = np.sum(tanh_x * _stack)
            return sum_y
        """, (X,), grad=3.0 * (1.0 - np.tanh(X) ** 2) * (2.0 * X * X + 1.0)
        + 12.0 * np.tanh(X) * X),
    Case("names_np_as_parameter", [], """
        def f(x, np):
            return x * np * np
        """, (2.0, 3.0), grad=(9.0, 12.0), wrt=(0, 1)),
    Case("names_np_as_parameter_arrays", [], """
        import numpy

        def f(np, x):
            return numpy.sum(np * x + numpy.tanh(np))
        """, (X, 2.0 * X), grad=(2.0 * X + 1.0 - np.tanh(X) ** 2, X), wrt=(0, 1)),
    Case("names_b_return_parameter", [], """
        def f(x, b_return):
            return x * b_return * b_return
        """, (2.0, 3.0), grad=(9.0, 12.0), wrt=(0, 1)),
    Case("names_b_return_local", [], """
        def f(x):
            b_return = x * 2.0
            return b_return * x
        """, (2.0,), grad=8.0),
    Case("names_tangent_and_derivative_like", [], """
        def f(x, dx, df_dx):
            return x * dx * df_dx
        """, (2.0, 3.0, 5.0), grad=(15.0, 10.0, 6.0), wrt=(0, 1, 2)),
    Case("names_value_result_stacks", [], """
        def f(x):
            value = x * x
            result = value * x
            x_stack = []
            for i in range(3):
                i_stack = result * i
                x_stack.append(i_stack)
            sum_y = x_stack[2] + value
            return sum_y
        """, (2.0,), grad=6.0 * 4.0 + 2.0 * 2.0),
    Case("names_runtime_helpers_as_locals", [], """
        def f(x):
            unbroadcast = x * 2.0
            scalar_seed = unbroadcast * x
            broadcast_like = np.sum(scalar_seed)
            zeros_like = broadcast_like * 1.0
            add_to_entry = zeros_like
            copy_structure = add_to_entry
            return copy_structure
        """, (X,), grad=4.0 * X),
    Case("names_runtime_helpers_as_globals", [], """
        scalar_seed = 5.0
        df_dx = 2.0
        unbroadcast = 7.0
        b_return = 11.0
        bx = 0.5

        def f(x):
            return np.sum(x * scalar_seed * df_dx * unbroadcast * b_return * bx)
        """, (X,), grad=np.full(3, 5.0 * 2.0 * 7.0 * 11.0 * 0.5)),
    Case("names_sg_and_stop_gradient_parameters", [], """
        def f(sg, stop_gradient):
            return sg * sg * stop_gradient
        """, (2.0, 3.0), grad=(12.0, 4.0), wrt=(0, 1)),
]




# ====================================================================== the walk


def _python_node_types():
    """The statement and expression classes of the running Python's `ast` (gast, imported by
    s2sgrad, adds subclasses of its own, e.g. Python 2's Print: they are not Python's)."""
    classes = ast.stmt.__subclasses__() + ast.expr.__subclasses__()
    return {cls.__name__ for cls in classes if cls.__module__ in ("ast", "_ast")}


def test_every_node_type_has_a_case():
    covered = set(itertools.chain.from_iterable(case.covers for case in CASES))
    missing = (STMTS_313 | EXPRS_313 | _python_node_types()) - covered
    assert not missing, f"node types without a grammar-walk case: {sorted(missing)}"


def test_the_list_of_313_node_types_is_current():
    if sys.version_info[:2] == (3, 13):
        assert _python_node_types() == STMTS_313 | EXPRS_313
    assert _python_node_types() <= STMTS_313 | EXPRS_313


def _function_nodes(source):
    """The node types inside the definitions of `f` (the function each case differentiates)."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "f":
            found |= {type(child).__name__ for child in ast.walk(node)}
    return found


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=c.param().marks[:1])
                                  for c in CASES if c.covers])
def test_case_uses_the_constructs_it_covers(case):
    """The walk is honest: the function of each case contains the node types it claims."""
    found = _function_nodes(case.source)
    assert set(case.covers) <= found, sorted(set(case.covers) - found)


_MODULES = itertools.count()


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("grammar_walk")


def load(directory, name, source, newline="\n"):
    """Write `source` to `<directory>/gw_<name>.py` and import it; (module, path)."""
    path = directory / f"gw_{name}.py"
    with open(path, "w", encoding="utf-8", newline=newline) as handle:
        handle.write(source)
    module_name = f"gw_{name}_{next(_MODULES)}"
    spec = importlib.util.spec_from_file_location(module_name, str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module, str(path)


def assert_close(found, expected):
    if isinstance(expected, tuple):
        assert isinstance(found, tuple) and len(found) == len(expected), (found, expected)
        for a, b in zip(found, expected):
            assert_close(a, b)
        return
    assert np.shape(found) == np.shape(expected), (found, expected)
    assert np.allclose(found, expected, rtol=1e-9, atol=1e-12), (found, expected)


def assert_located(message, path, source, code, words=""):
    """`message` names `path`, the line holding `code` and its column, quotes that line with a
    caret under the start of `code`, and gives a hint."""
    lines = source.splitlines()
    lineno = next(i for i, line in enumerate(lines, 1) if code in line)
    found = re.search(rf"{re.escape(path)}:(\d+):(\d+): ", message)
    assert found, f"no {path}:line:col in:\n{message}"
    assert int(found.group(1)) == lineno, message
    quoted = lines[lineno - 1].strip()
    shown = message.splitlines()
    assert "    " + quoted in shown, f"the line {quoted!r} is not quoted in:\n{message}"
    caret_line = shown[shown.index("    " + quoted) + 1]
    assert caret_line.strip() == "^", f"no caret under the code in:\n{message}"
    caret = len(caret_line) - len("    ^")
    start = quoted.index(code)
    assert caret == start, f"the caret is not at the start of {code!r}:\n{message}"
    indent = len(lines[lineno - 1]) - len(lines[lineno - 1].lstrip())
    assert int(found.group(2)) == indent + caret + 1, message
    assert "\nhint: " in message, message
    assert words.lower() in message.lower(), message


def _tangents(case):
    wrt = case.wrt if isinstance(case.wrt, tuple) else (case.wrt,)
    return tuple(np.ones_like(arg) if i in wrt else None for i, arg in enumerate(case.args))


def run_case(case, directory):
    module, path = load(directory, case.name, case.source, case.newline)
    derivative = sg.grad(module.f, wrt=case.wrt)
    if case.grad is None:     # refused in reverse and in forward mode alike
        for attempt in (lambda: derivative(*case.args),
                        lambda: sg.jvp(module.f, case.args, _tangents(case))):
            with pytest.raises(sg.S2sgradError) as excinfo:
                attempt()
            assert_located(str(excinfo.value), path, case.source, case.error, case.words)
        return
    try:
        found = derivative(*case.args)
    except sg.S2sgradError as exc:
        if case.error is None:
            raise
        assert_located(str(exc), path, case.source, case.error, case.words)
        return
    assert_close(found, case.grad)
    if case.check:
        sg.check_grads(module.f, case.args, wrt=case.wrt if isinstance(case.wrt, tuple)
                       else (case.wrt,))


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_grammar_case(case, case_dir):
    run_case(case, case_dir)


# ====================================================================== what is differentiated

HOSTILE = """
import functools

import numpy as np
import s2sgrad as sg

square = lambda x: x * x
cube = (lambda x:
        x * x * x)
table = {"sq": lambda x: x * x, "tr": lambda y: y * 3.0}
scaled = lambda x, k=3.0: x * k
nested = lambda x: (lambda v: v * v)(x)
same_line = (lambda x: x * 2.0, lambda x: x * 3.0)
two_lines = [lambda x: x * 2.0,
             lambda x: x * 5.0]


def inline():
    return sg.grad(lambda x: x * x * x)(2.0), sg.grad(lambda x, y: x * y, wrt=1)(2.0, 3.0)


def inline_same_line():
    return sg.grad(lambda x: x * 2.0)(1.0), sg.grad(lambda x: x * 3.0)(1.0)


def scaled_square(x, scale):
    return x * x * scale


class Model:
    def __init__(self):
        self.w = 3.0

    def method(self, x):
        return x * self.w

    @staticmethod
    def static(x):
        return x * x

    @classmethod
    def klass(cls, x):
        return x * 4.0

    def __call__(self, x):
        return x * 5.0


model = Model()


def two(x, y):
    return x * y
"""


@pytest.fixture(scope="module")
def hostile(case_dir):
    return load(case_dir, "hostile", HOSTILE)


def _refused_with_hint(make, *args):
    """`make()` or calling what it returns raises an S2sgradError with a hint; its message."""
    with pytest.raises(sg.S2sgradError) as excinfo:
        make()(*args)
    message = str(excinfo.value)
    assert "\nhint: " in message, message
    return message


def test_function_made_by_exec_is_refused():
    namespace = {}
    exec("def made_by_exec(x):\n    return x * x\n", namespace)
    message = _refused_with_hint(lambda: sg.grad(namespace["made_by_exec"]), 2.0)
    assert "made_by_exec" in message and "<string>" in message and "exec()" in message


@pytest.mark.parametrize("fn", [abs, np.sin, np.tanh, np.sum, max, __import__("math").exp],
                         ids=["abs", "np.sin", "np.tanh", "np.sum", "max", "math.exp"])
def test_builtins_and_c_extensions_are_refused(fn):
    message = _refused_with_hint(lambda: sg.grad(fn), 2.0)
    assert "not Python source" in message


@pytest.mark.parametrize("name, arg, expected", [
    ("square", 3.0, 6.0), ("cube", 2.0, 12.0), ("scaled", 2.0, 3.0),
])
def test_lambdas_defined_in_a_file(hostile, name, arg, expected):
    module, _ = hostile
    assert sg.grad(getattr(module, name))(arg) == expected


def test_lambdas_in_a_dict_with_different_parameters(hostile):
    module, _ = hostile
    assert sg.grad(module.table["sq"])(3.0) == 6.0
    assert sg.grad(module.table["tr"])(3.0) == 3.0


def test_lambdas_defined_inline_in_a_call(hostile):
    module, _ = hostile
    assert module.inline() == (12.0, 2.0)


def test_lambda_inside_a_lambda_is_refused_where_it_is(hostile):
    module, path = hostile
    with pytest.raises(sg.S2sgradError) as excinfo:
        sg.grad(module.nested)(2.0)
    assert_located(str(excinfo.value), path, HOSTILE, "lambda v: v * v", "lambda")


OLD_LAMBDAS = pytest.mark.xfail(
    sys.version_info < (3, 11), strict=True,
    reason="before 3.11 (no co_positions) lambdas with the same parameters in one statement are "
           "refused with 'several lambdas there look alike', without the code line or a caret")


@OLD_LAMBDAS
@pytest.mark.parametrize("index, expected", [(0, 2.0), (1, 3.0)])
def test_two_alike_lambdas_on_one_line(hostile, index, expected):
    """Telling them apart, or a fully located refusal, are both right."""
    module, path = hostile
    try:
        found = sg.grad(module.same_line[index])(1.0)
    except sg.S2sgradError as exc:
        assert_located(str(exc), path, HOSTILE, "same_line = (lambda", "lambda")
    else:
        assert found == expected


@OLD_LAMBDAS
def test_two_alike_lambdas_inline_on_one_line(hostile):
    module, path = hostile
    try:
        found = module.inline_same_line()
    except sg.S2sgradError as exc:
        assert_located(str(exc), path, HOSTILE, "sg.grad(lambda x: x * 2.0)", "lambda")
    else:
        assert found == (2.0, 3.0)


@pytest.mark.xfail(sys.version_info < (3, 11), strict=True,
                   reason="before 3.11 the first of two lambdas of one statement on different "
                          "lines is refused as ambiguous, though co_firstlineno tells them apart")
def test_two_alike_lambdas_on_two_lines(hostile):
    module, _ = hostile
    assert sg.grad(module.two_lines[0])(1.0) == 2.0
    assert sg.grad(module.two_lines[1])(1.0) == 5.0


def test_functools_partial_is_refused(hostile):
    module, _ = hostile
    message = _refused_with_hint(lambda: sg.grad(functools.partial(module.scaled_square,
                                                                   scale=3.0)), 2.0)
    assert "partial" in message


def test_bound_methods_and_callable_objects_are_refused(hostile):
    module, _ = hostile
    for make in (lambda: sg.grad(module.model.method), lambda: sg.grad(module.Model.klass),
                 lambda: sg.grad(module.model), lambda: sg.grad(module.Model)):
        assert "wrap the call in a function" in _refused_with_hint(make, 2.0)


def test_functions_reached_through_a_class(hostile):
    module, _ = hostile
    assert sg.grad(module.Model.static)(2.0) == 4.0
    assert sg.grad(module.model.static)(2.0) == 4.0
    assert sg.grad(module.Model.method, wrt=1)(module.model, 2.0) == 3.0
    assert sg.grad(module.Model.method, wrt="x")(module.model, 2.0) == 3.0


@pytest.mark.parametrize("wrt, words", [
    ("z", "no argument named 'z'"),
    (2, "out of range"),
    (-1, "out of range"),
    ((0, 0), "appears twice"),
    ((0, "x"), "appears twice"),
    (("y", 1), "appears twice"),
    ((), "wrt is empty"),
    (1.5, "must be argument positions or names"),
    (True, "must be argument positions or names"),
    (None, "must be argument positions or names"),
], ids=["unknown_name", "out_of_range", "negative", "duplicate", "duplicate_name_and_position",
        "duplicate_position_and_name", "empty", "float", "bool", "none"])
def test_wrong_wrt_is_refused_at_the_def(hostile, wrt, words):
    module, path = hostile
    with pytest.raises(sg.WrtError) as excinfo:
        sg.grad(module.two, wrt=wrt)(1.0, 2.0)
    assert_located(str(excinfo.value), path, HOSTILE, "def two(x, y):", words)


def test_wrt_an_integer_argument_is_refused(hostile):
    module, _ = hostile
    message = _refused_with_hint(lambda: sg.grad(module.two, wrt=1), 1.0, 2)
    assert "integer" in message
