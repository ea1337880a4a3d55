"""Lifetimes: free intermediates once they are no longer needed, as nested expressions would.

Needs: the simplified body of a generated function (straight-line statements, loops and branches,
comments heading the code of each user line, one final return).
Guarantees: at the end of each block of code generated for one user line (before the next
`# grad of:` comment, loop or branch), one `del` of the names that block read for the last time.
A hand-written gradient nests its expressions, so its temporaries die as soon as they are
consumed; generated code names every intermediate, and a named local lives until the function
returns. On large arrays that is the difference between reusing memory the allocator already
holds and asking the kernel for fresh pages (docs/benchmarks.md: peak memory, the large MLP).
One `del` per block, rather than one after every statement, keeps the code readable.

Only names the function assigns are freed (never its parameters), only after simple statements
outside loops and branches (a name read there is certainly bound), and never a name read again
later, inside a loop or branch included. Nothing is freed just before the return, which frees
everything anyway. Code for Python numbers (the scalar variant) gains nothing and is left alone.
"""

from __future__ import annotations

from typing import Any, List, Set

import gast

from .. import astutil, codegen


def free_after_last_use(statements: List[Any], parameters: Set[str]) -> List[Any]:
    assigned = astutil.names_stored(statements) - parameters
    live: Set[str] = set()
    dying_by_position = {}
    for position in range(len(statements) - 1, -1, -1):
        stmt = statements[position]
        if codegen.is_comment(stmt):
            continue
        loaded = astutil.names_loaded(stmt)
        if isinstance(stmt, (gast.Assign, gast.Expr)):
            dying = (loaded & assigned) - live - astutil.names_stored(stmt)
            if dying:
                dying_by_position[position] = dying
        live |= loaded
    out: List[Any] = []
    pending: Set[str] = set()
    for position, stmt in enumerate(statements):
        ends_block = codegen.is_comment(stmt) or not isinstance(stmt, (gast.Assign, gast.Expr))
        if ends_block and pending and not isinstance(stmt, gast.Return):
            out.append(_delete(pending))
        if ends_block:
            pending = set()
        out.append(stmt)
        pending |= dying_by_position.get(position, set())
    return out


def _delete(names: Set[str]) -> gast.Delete:
    return gast.Delete(targets=[gast.Name(id=n, ctx=gast.Del(), annotation=None, type_comment=None)
                                for n in sorted(names)])
