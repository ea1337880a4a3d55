"""The supported language, checked up front: anything else is refused with a located error.

Needs: a `FunctionSource`.
Guarantees: when `check` returns, the body is made of assignments (plain, augmented, annotated,
tuple with at most one `*rest`, and writes `x[i] = v` / `x[i] += v` into a local name),
expression statements, `assert`, `pass`, `if`/`elif`/`else`, `for` and `while` loops
(with `else`) with `break` and `continue`, and `return`s ending every path,
over expressions the later passes understand. Every refusal names the construct, the user's
file:line:column, quotes the code and says what to write instead.

What is refused here is refused *for now* where the message says "yet".
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple, Type

import gast

from .. import astutil
from ..errors import UnsupportedSyntaxError
from .source import FunctionSource

# Statement kinds that are refused, with what to say about each.
_STATEMENTS: Dict[Type[Any], Tuple[str, str]] = {
    gast.AsyncFor: ("`async for` is not supported", "differentiate synchronous code."),
    gast.Try: ("`try` statements are not supported",
               "move error handling outside the differentiated function."),
    gast.With: ("`with` statements are not supported",
                "move the context manager outside the differentiated function."),
    gast.AsyncWith: ("`async with` is not supported", "differentiate synchronous code."),
    gast.FunctionDef: ("nested function definitions are not supported yet",
                       "define the helper at module level."),
    gast.AsyncFunctionDef: ("nested async functions are not supported", "define it elsewhere."),
    gast.ClassDef: ("class definitions inside a differentiated function are not supported",
                    "define the class at module level."),
    gast.Delete: ("`del` is not supported", "drop the `del` statement; names go out of scope "
                                             "when the function returns."),
    gast.Global: ("`global` declarations are not supported",
                  "pass the value in as an argument and return the new value."),
    gast.Nonlocal: ("`nonlocal` declarations are not supported",
                    "pass the value in as an argument and return the new value."),
    gast.Import: ("imports inside a differentiated function are not supported",
                  "import at module level."),
    gast.ImportFrom: ("imports inside a differentiated function are not supported",
                      "import at module level."),
    gast.Raise: ("`raise` is not supported yet", "check arguments before calling the gradient."),
}

_EXPRESSIONS: Dict[Type[Any], Tuple[str, str]] = {
    gast.Lambda: ("lambda expressions inside a differentiated function are not supported yet",
                  "define the helper with def at module level."),
    gast.ListComp: ("a list comprehension here (in a `while` condition, after `and`/`or`, in "
                    "a conditional expression or a lambda) is not supported",
                    "build the list in a statement of its own (for a `while` condition: "
                    "before the loop and again at the end of its body)."),
    gast.SetComp: ("set comprehensions are not supported", "build the set outside."),
    gast.DictComp: ("dict comprehensions are not supported yet", "build the dict outside."),
    gast.GeneratorExp: ("generator expressions are supported only as the argument of a call "
                        "(`sum(v * v for v in x)`)",
                        "use a list comprehension, or pass the generator to the call directly."),
    gast.Yield: ("generators (`yield`) cannot be differentiated", "return an array instead."),
    gast.YieldFrom: ("generators (`yield from`) cannot be differentiated",
                     "return an array instead."),
    gast.Await: ("`await` cannot be differentiated", "differentiate synchronous code."),
    gast.NamedExpr: ("assignment expressions (`:=`) are not supported yet",
                     "assign with a separate statement."),
}


def check(src: FunctionSource) -> None:
    """Raise `UnsupportedSyntaxError` at the first construct outside the supported language."""
    node = src.node
    if isinstance(node, gast.AsyncFunctionDef):
        _refuse(src, node, "async functions cannot be differentiated", "use a plain def.")
    _check_block(src, node.body)
    if not always_returns(node.body):
        last = node.body[-1]
        _refuse(src, last, "the function does not end with a `return` statement on every path",
                "return the value to differentiate on every path, e.g. as the last statement.")
    for child in astutil.walk(node.body):
        if isinstance(child, gast.Starred) and isinstance(child.ctx, gast.Load):
            _refuse(src, child, "starred arguments and entries (`*args`) are not supported yet",
                    "pass the entries one by one, or pass the list itself.")
        if type(child) in _EXPRESSIONS:
            message, hint = _EXPRESSIONS[type(child)]
            _refuse(src, child, message, hint)


def always_returns(statements: List[Any]) -> bool:
    """Whether every path through `statements` ends in a `return`."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return always_returns(last.body) and always_returns(last.orelse)
    return False


def _check_block(src: FunctionSource, statements: List[Any]) -> None:
    for stmt in statements:
        _check_statement(src, stmt)


def _check_statement(src: FunctionSource, stmt: Any) -> None:
    kind = type(stmt)
    if isinstance(stmt, (gast.For, gast.While)):
        _check_block(src, stmt.orelse)
        if isinstance(stmt, gast.For):
            _check_target(src, stmt.target, in_loop_header=True)
        _check_block(src, stmt.body)
        return
    if isinstance(stmt, gast.If):
        _check_block(src, stmt.body)
        _check_block(src, stmt.orelse)
        return
    if isinstance(stmt, (gast.Break, gast.Continue)):
        return  # Python itself only allows them inside loops
    if kind is gast.Delete and src.filename.startswith("<s2sgrad") \
            and all(isinstance(t, gast.Name) for t in stmt.targets):
        return      # generated code frees its intermediates (optimizations/lifetimes.py)
    if kind in _STATEMENTS:
        message, hint = _STATEMENTS[kind]
        _refuse(src, stmt, message, hint)
    if kind.__name__ in ("Match", "TypeAlias"):
        _refuse(src, stmt, f"`{kind.__name__.lower()}` statements are not supported",
                "rewrite without it.")
    if kind.__name__ == "TryStar":
        _refuse(src, stmt, "`try` statements (`except*` included) are not supported",
                "move error handling outside the differentiated function.")
    if isinstance(stmt, gast.Return):
        if stmt.value is None:
            _refuse(src, stmt, "the function returns nothing to differentiate",
                    "return the value to differentiate (a scalar for grad).")
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
        for target in targets:
            _check_target(src, target)
        if isinstance(stmt, gast.AnnAssign) and stmt.value is None:
            _refuse(src, stmt, "an annotation without a value is not supported",
                    "assign a value, or drop the annotation.")


def _check_target(src: FunctionSource, target: Any, in_loop_header: bool = False) -> None:
    if isinstance(target, gast.Name):
        return
    if isinstance(target, (gast.Tuple, gast.List)):
        for element in target.elts:
            if isinstance(element, gast.Subscript):
                _refuse(src, element, "unpacking into an element or slice is not supported",
                        "unpack into plain names, then write each one: x[0] = a.")
            if isinstance(element, gast.Starred) and not in_loop_header:
                element = element.value     # a, *rest = t
            _check_target(src, element, in_loop_header)
        return
    if isinstance(target, gast.Subscript) and in_loop_header:
        _refuse(src, target, "a loop writing its items into an element or slice is not "
                             "supported", "loop over a plain name and assign in the body.")
    if isinstance(target, gast.Subscript) and not isinstance(target.value, gast.Name):
        _refuse(src, target, "writing into an element of an element (`x[i][j] = v`, "
                             "`obj.a[i] = v`) is not supported",
                "index once with a tuple (`x[i, j] = v`), or write into a local name.")
    if isinstance(target, gast.Subscript):
        return
    if isinstance(target, gast.Attribute):
        _refuse(src, target, "assignment to an attribute is not supported",
                "keep the value in a local variable and return it.")
    _refuse(src, target, "this assignment target is not supported", "assign to a plain name.")


def _refuse(src: FunctionSource, node: Any, message: str, hint: str) -> None:
    raise UnsupportedSyntaxError(message, src.location(node), hint)
