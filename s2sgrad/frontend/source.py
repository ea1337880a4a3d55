"""Source acquisition: from a function object to a gast `FunctionDef` with the user's positions.

Needs: a plain Python function (or lambda) whose source `inspect` can find.
Guarantees: every node's `lineno`/`col_offset` refer to the user's file (not to the dedented snippet),
decorators are stripped, a lambda becomes an equivalent `def` with one `return`, and a function
without source raises `SourceUnavailableError` saying why and what to do.
"""

from __future__ import annotations

import dataclasses
import inspect
import linecache
import textwrap
import types
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import gast

from .. import astutil, loader
from ..errors import Location, S2sgradError, SourceUnavailableError
from ..naming import qualified_name
from ..weakmaps import IdentityWeakKeyMap


@dataclasses.dataclass
class FunctionSource:
    """A user function, its parsed definition and where it came from."""

    fn: types.FunctionType
    node: gast.FunctionDef
    filename: str
    lines: List[str]
    dicts: Set[str] = dataclasses.field(default_factory=set)   # names that hold dicts

    @property
    def name(self) -> str:
        return self.node.name

    def location(self, node: Any) -> Location:
        """The user's position of `node` (falls back to the def line)."""
        lineno = getattr(node, "lineno", None) or self.node.lineno
        col = getattr(node, "col_offset", 0) or 0
        code = self.lines[lineno - 1].rstrip("\n") if 0 < lineno <= len(self.lines) else ""
        if not code.isascii():     # col_offset counts UTF-8 bytes; the caret counts characters
            col = len(code.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return Location(self.filename, lineno, col, code, loader.origin_of(self.filename, lineno))

    def statement_text(self, node: Any) -> str:
        """The first source line of a statement, stripped, for comments and messages."""
        return self.location(node).code.strip()


_MADE: "IdentityWeakKeyMap[FunctionSource]" = IdentityWeakKeyMap()   # by code object


def register_made_function(fn: types.FunctionType, node: gast.FunctionDef, filename: str,
                           lines: List[str]) -> None:
    """Declare the definition of a function s2sgrad made from part of a user's file (the body
    of a `with GradientTape()` block): `node` carries the user's positions in `filename`."""
    _MADE[fn.__code__] = FunctionSource(fn=fn, node=node, filename=filename, lines=lines)


def get_function_source(fn: Callable) -> FunctionSource:
    """Parse `fn`'s source into a located `FunctionDef`."""
    fn = _plain_function(fn)
    made = _MADE.get(fn.__code__)
    if made is not None:     # (a fresh copy: the compiler's passes change the tree they get)
        return FunctionSource(fn=fn, node=astutil.copy_node(made.node), filename=made.filename,
                              lines=made.lines)
    filename = fn.__code__.co_filename
    try:
        # (of the code object: for a function, inspect would follow `__wrapped__` to the function
        # a decorator wrapped, whose source is not the code that runs)
        snippet_lines, first_line = inspect.getsourcelines(fn.__code__)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"cannot find the source of {fn.__qualname__} (defined in {filename}): {exc}",
            hint="s2sgrad reads a function's source to differentiate it. Define the function in a "
                 "file (a module or script), not with exec() or at an interactive prompt; in a "
                 "notebook, define it in a cell and run that cell.") from None
    snippet = "".join(snippet_lines)
    dedented = textwrap.dedent(snippet)
    indent = _removed_indent(snippet_lines, dedented)
    if fn.__name__ == "<lambda>":
        node = _lambda_definition(fn, dedented, filename, first_line, indent)
    else:
        module = gast.parse(dedented)
        node = module.body[0]
        if isinstance(node, gast.AsyncFunctionDef):
            line = (linecache.getlines(filename, fn.__globals__) or snippet_lines)
            at = node.lineno + first_line - 1
            code = line[at - 1].rstrip("\r\n") if 0 < at <= len(line) else ""
            from ..errors import UnsupportedSyntaxError
            raise UnsupportedSyntaxError(
                f"{fn.__qualname__} is an `async def` function, which s2sgrad does not "
                "differentiate", Location(filename, at, len(code) - len(code.lstrip()), code),
                "differentiate a synchronous function: move the arithmetic into a plain `def` "
                "and await around it.")
        if not isinstance(node, gast.FunctionDef):
            raise SourceUnavailableError(f"the source of {fn.__qualname__} is not a def statement",
                                         Location(filename, first_line))
    _shift_positions(node, first_line - 1, indent)
    node.decorator_list = []
    lines = linecache.getlines(filename, fn.__globals__) or snippet_lines
    return FunctionSource(fn=fn, node=node, filename=filename, lines=lines)


_DEFINITIONS: Dict[Any, Optional[gast.FunctionDef]] = {}


def definition_of(fn: types.FunctionType) -> Optional[gast.FunctionDef]:
    """The parsed definition of a function the compiler only inspects (a callee: what it returns,
    what it calls), parsed once per code object; None when its source cannot be read. Read-only:
    compiling `fn` parses its own copy."""
    code = fn.__code__
    if code not in _DEFINITIONS:
        try:
            _DEFINITIONS[code] = get_function_source(fn).node
        except S2sgradError:
            _DEFINITIONS[code] = None
    return _DEFINITIONS[code]


def _plain_function(fn: Any) -> types.FunctionType:
    if isinstance(fn, types.FunctionType):
        return fn
    full = qualified_name(fn)
    if isinstance(fn, (types.BuiltinFunctionType, types.MethodWrapperType)) or type(fn).__name__ in (
            "ufunc", "_ArrayFunctionDispatcher", "builtin_function_or_method"):
        raise SourceUnavailableError(
            f"{full} is not Python source (it is a builtin or C-extension function)",
            hint="s2sgrad differentiates Python functions by reading their source. Wrap the call "
                 "in a Python function (def f(x): return np.tanh(x)) and differentiate that.")
    raise SourceUnavailableError(
        f"cannot differentiate {full!s}: expected a Python function, got {type(fn).__name__}",
        hint="pass a function defined with def or lambda; for a bound method or an object with "
             "__call__, wrap the call in a function.")


def _removed_indent(original: List[str], dedented: str) -> int:
    for line, new in zip(original, dedented.splitlines()):
        if line.strip():
            return len(line.rstrip("\r\n")) - len(new)
    return 0


def _shift_positions(node: Any, line_offset: int, col_offset: int) -> None:
    for child in astutil.walk(node):
        if getattr(child, "lineno", None) is not None:
            child.lineno += line_offset
            if getattr(child, "end_lineno", None) is not None:
                child.end_lineno += line_offset
            child.col_offset = (child.col_offset or 0) + col_offset


def _lambda_definition(fn: types.FunctionType, snippet: str, filename: str,
                       first_line: int, indent: int) -> gast.FunctionDef:
    """Find the lambda whose code is `fn.__code__` in `snippet` and turn it into a def."""
    tree, shift = _parse_fragment(snippet)
    candidates = [n for n in astutil.walk(tree) if isinstance(n, gast.Lambda)]
    matches = _matching_lambdas(candidates, fn.__code__, first_line - 1, indent + shift)
    if len(matches) != 1:
        reason = "none matches its code" if not matches else "several lambdas there look alike"
        raise SourceUnavailableError(
            f"cannot tell which lambda on this line is {fn.__qualname__}: {reason}",
            Location(filename, first_line), hint="define the function with def instead.")
    lam = matches[0]
    ret = gast.Return(value=lam.body)
    gast.copy_location(ret, lam.body)
    node = gast.FunctionDef(name="lambda", args=lam.args, body=[ret], decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    gast.copy_location(node, lam)
    return node


def _parse_fragment(snippet: str) -> Tuple[gast.Module, int]:
    """Parse the lines around a lambda, which may be a fragment of a larger statement.

    Returns the tree and the column shift that maps its columns back onto `snippet`.
    """
    trimmed = snippet.rstrip().rstrip(",")
    attempts = ((snippet, 0), (trimmed + "\n", 0), ("(" + trimmed + ")\n", -1),
                ("{" + trimmed + "}\n", -1))  # the last: `key: lambda ...` inside a dict
    for text, shift in attempts:
        try:
            return gast.parse(text), shift
        except SyntaxError:
            continue
    # Last resort, on one line: the longest piece starting at a `lambda` that parses alone,
    # e.g. in `TABLE += [("name", lambda x: f(x)),` or `g(a, lambda x: x, b`.
    line = snippet.splitlines()[0] if snippet else ""
    found = []
    for start in (i for i in range(len(line)) if line.startswith("lambda", i)):
        for end in range(len(line), start, -1):
            try:
                piece = gast.parse("(" + line[start:end] + ")").body[0].value
            except SyntaxError:
                continue
            _shift_positions(piece, 0, start - 1)   # columns of the line, not of the piece
            found.append(piece)
            break
    if found:
        module = gast.Module(body=[gast.Expr(value=gast.Tuple(elts=found, ctx=gast.Load()))],
                             type_ignores=[])
        return module, 0
    raise SourceUnavailableError("cannot parse the source line of a lambda",
                                 hint="define the function with def instead.")


def _matching_lambdas(candidates: List[gast.Lambda], code: types.CodeType, line_shift: int,
                      col_shift: int) -> List[gast.Lambda]:
    """Narrow the lambdas of a snippet down to the one compiled into `code`.

    First by parameter names; then, on Python 3.11+, by the line and column where the body starts.
    """
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    found = [lam for lam in candidates
             if tuple(a.id for a in lam.args.args + lam.args.kwonlyargs) == params]
    if len(found) > 1 and hasattr(code, "co_positions"):
        starts = {(pos[0], pos[2]) for pos in code.co_positions() if pos[2] is not None}
        found = [lam for lam in found if (lam.body.lineno + line_shift,
                                          lam.body.col_offset + col_shift) in starts]
    return found
