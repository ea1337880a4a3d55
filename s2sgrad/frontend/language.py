"""The supported language, checked up front: anything else is refused with a located error.

Needs: a `FunctionSource`.
Guarantees: when `check` returns, the body is straight-line code made of assignments (plain,
augmented, annotated, tuple), expression statements, `assert`, `pass` and a final `return`, over
expressions the later passes understand. Every refusal names the construct, the user's
file:line:column, quotes the code and says what to write instead.

What is refused here is refused *for now*: loops, branches and calls to user functions are the
subject of the control-flow work and will move from this list into the supported set.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type

import gast

from .. import astutil
from ..errors import UnsupportedSyntaxError
from .source import FunctionSource

_LOOPS_HINT = ("this version of s2sgrad differentiates straight-line code only; express the "
               "computation with NumPy array operations (vectorize the loop or branch, e.g. "
               "np.where for a branch on data), or keep it outside the differentiated function.")

# Statement kinds that are refused, with what to say about each.
_STATEMENTS: Dict[Type[Any], Tuple[str, str]] = {
    gast.For: ("`for` loops are not supported yet", _LOOPS_HINT),
    gast.AsyncFor: ("`async for` is not supported", "differentiate synchronous code."),
    gast.While: ("`while` loops are not supported yet", _LOOPS_HINT),
    gast.If: ("`if` statements are not supported yet", _LOOPS_HINT),
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
    gast.Break: ("`break` outside a loop", "remove it."),
    gast.Continue: ("`continue` outside a loop", "remove it."),
}

_EXPRESSIONS: Dict[Type[Any], Tuple[str, str]] = {
    gast.Lambda: ("lambda expressions inside a differentiated function are not supported yet",
                  "define the helper with def at module level."),
    gast.ListComp: ("list comprehensions are not supported yet",
                    "use a NumPy array operation instead."),
    gast.SetComp: ("set comprehensions are not supported", "build the set outside."),
    gast.DictComp: ("dict comprehensions are not supported yet", "build the dict outside."),
    gast.GeneratorExp: ("generator expressions are not supported yet",
                        "use a NumPy array operation instead."),
    gast.Yield: ("generators (`yield`) cannot be differentiated", "return an array instead."),
    gast.YieldFrom: ("generators (`yield from`) cannot be differentiated",
                     "return an array instead."),
    gast.Await: ("`await` cannot be differentiated", "differentiate synchronous code."),
    gast.NamedExpr: ("assignment expressions (`:=`) are not supported yet",
                     "assign with a separate statement."),
    gast.Starred: ("starred expressions (`*args`) are not supported yet",
                   "pass the arguments one by one."),
}


def check(src: FunctionSource) -> None:
    """Raise `UnsupportedSyntaxError` at the first construct outside the supported language."""
    node = src.node
    if isinstance(node, gast.AsyncFunctionDef):
        _refuse(src, node, "async functions cannot be differentiated", "use a plain def.")
    body = [s for s in node.body]
    for index, stmt in enumerate(body):
        _check_statement(src, stmt, is_last=index == len(body) - 1)
    for child in astutil.walk(node.body):
        if type(child) in _EXPRESSIONS:
            message, hint = _EXPRESSIONS[type(child)]
            _refuse(src, child, message, hint)


def _check_statement(src: FunctionSource, stmt: Any, is_last: bool) -> None:
    kind = type(stmt)
    if kind in _STATEMENTS:
        message, hint = _STATEMENTS[kind]
        _refuse(src, stmt, message, hint)
    if kind.__name__ in ("Match", "TypeAlias"):
        _refuse(src, stmt, f"`{kind.__name__.lower()}` statements are not supported",
                "rewrite without it.")
    if isinstance(stmt, gast.Return):
        if not is_last:
            _refuse(src, stmt, "`return` before the end of the function is not supported yet",
                    "return once, as the last statement.")
        if stmt.value is None:
            _refuse(src, stmt, "the function returns nothing to differentiate",
                    "return the value to differentiate (a scalar for grad).")
    elif is_last:
        _refuse(src, stmt, "the function does not end with a `return` statement",
                "return the value to differentiate as the last statement.")
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
        for target in targets:
            _check_target(src, target)
        if isinstance(stmt, gast.AnnAssign) and stmt.value is None:
            _refuse(src, stmt, "an annotation without a value is not supported",
                    "assign a value, or drop the annotation.")


def _check_target(src: FunctionSource, target: Any) -> None:
    if isinstance(target, gast.Name):
        return
    if isinstance(target, (gast.Tuple, gast.List)):
        for element in target.elts:
            _check_target(src, element)
        return
    if isinstance(target, gast.Subscript):
        _refuse(src, target, "assignment to an element or slice (in-place update) is not "
                             "supported yet",
                "build the new array with np.where or np.concatenate instead of writing into it.")
    if isinstance(target, gast.Attribute):
        _refuse(src, target, "assignment to an attribute is not supported",
                "keep the value in a local variable and return it.")
    _refuse(src, target, "this assignment target is not supported", "assign to a plain name.")


def _refuse(src: FunctionSource, node: Any, message: str, hint: str) -> None:
    raise UnsupportedSyntaxError(message, src.location(node), hint)
