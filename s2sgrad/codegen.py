"""Code generation: gast trees to Python source text, through astor.

Needs: gast nodes (statements, functions or expressions).
Guarantees: deterministic source (the same tree always prints the same text). Comments, which
Python's AST cannot hold, travel through the tree as marked string statements made by `comment`
and are printed as real `# ...` lines. astor is used only here.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, Iterator, List, Tuple

import astor
import gast

from . import anno

_MARK = "#s2sgrad-comment#"


def comment(text: str) -> gast.Expr:
    """A statement that prints as `# text`."""
    return gast.Expr(value=gast.Constant(value=_MARK + " ".join(text.split()), kind=None))


def is_comment(stmt: Any) -> bool:
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) \
        and isinstance(stmt.value.value, str) and stmt.value.value.startswith(_MARK)


def to_source(node: Any) -> str:
    """Python source of a gast module, function or statement list."""
    if isinstance(node, list):
        node = gast.Module(body=node, type_ignores=[])
    tree = gast.gast_to_ast(node)     # (astor needs no positions)
    return _render_comments(astor.to_source(tree, pretty_source=_one_line_per_statement))


def statement_origins(nodes: List[Any]) -> List[Any]:
    """The user statement (`anno.Key.ORIGIN`) each statement of the gast `nodes` was made from,
    or else the one named by the comment before it in its block (`# grad of: ...`), None where
    unknown: one entry per statement `to_source` prints, in order (comments are not
    statements of the printed text)."""
    return [where for node, where in _statements(nodes, None) if not is_comment(node)]


def origins_by_line(text: str, origins: List[Any]) -> Dict[int, Any]:
    """`statement_origins` of the code `text` was printed from, by the line of `text` on which
    each statement starts (parses `text`: done only where a location is asked for)."""
    printed = (stmt for stmt, _ in _statements(ast.parse(text).body, None))
    return {stmt.lineno: where for stmt, where in zip(printed, origins) if where is not None}


def _statements(block: List[Any], inherited: Any) -> Iterator[Tuple[Any, Any]]:
    """(statement, its origin) for `block` and the blocks nested in it, in printed order."""
    current = inherited
    for stmt in block:
        where = anno.get(stmt, anno.Key.ORIGIN, None)
        if is_comment(stmt):
            current = where or current
        yield stmt, where or current
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                yield from _statements(getattr(stmt, field), where or current)


def _one_line_per_statement(pieces: List[str]) -> str:
    """astor's line wrapping splits long statements mid-expression; keep each on one line."""
    return "".join(pieces)


def expression_source(node: Any) -> str:
    """Source of one expression, on one line."""
    tree = gast.gast_to_ast(node)
    return astor.to_source(ast.Expr(value=tree)).strip()


def _render_comments(source: str) -> str:
    lines: List[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if _MARK in stripped and stripped[:1] in "'\"":
            try:
                text = ast.literal_eval(stripped)
            except (ValueError, SyntaxError):
                text = None
            if isinstance(text, str) and text.startswith(_MARK):
                indent = line[: len(line) - len(line.lstrip())]
                lines.append(f"{indent}# {text[len(_MARK):]}")
                continue
        lines.append(line)
    return "\n".join(lines) + "\n"
