"""Desugaring: fewer statement forms for the later passes to handle.

Needs: a language-checked, resolved `FunctionSource`.
Guarantees, everywhere in the body (loops and branches included):
- `x += y` becomes `x = x + y` (marked, since on an array it is an in-place update: see
  `transforms.inplace`), `x[i] += v` becomes `x[i] = x[i] + v`, `x: T = v` becomes `x = v`;
- `a = b = v` and `a, b = u, v` become single assignments (through temporaries where the names
  overlap, so `a, b = b, a` swaps);
- docstrings, `pass`, `y = y` and the `del`s of generated code disappear;
- a loop target also bound elsewhere is assigned from a target of the loop's own
  (`for i_item in S: i = i_item`);
- every statement carries the user statement it came from (`anno.Key.ORIGIN`, `ORIGIN_TEXT`).
`loops_over_values` (run once activity is known) turns a loop over a differentiated sequence
(`for row in X`, `enumerate(X)`, `zip(X, Y)`) into a loop over indices that reads the elements,
`for i in range(len(X)): row = X[i]`, so that the element reads get adjoints like any indexing
(`reversed(X)`, alone or in a `zip`, reads `X[-1 - i]`).
"""

from __future__ import annotations

from typing import Any, List, Optional, Set

import gast

from .. import anno, astutil
from ..analysis import activity
from ..frontend.source import FunctionSource
from ..naming import Namer, derived_name


def transform(src: FunctionSource, namer: Namer) -> None:
    """Desugar `src.node.body` in place."""
    src.node.body = _block(src, src.node.body, namer)
    _own_loop_targets(src.node, namer)


def _own_loop_targets(function: gast.FunctionDef, namer: Namer) -> None:
    """`for i in S:` where `i` is also bound elsewhere (a parameter, before the loop, by another
    loop) becomes `for i_item in S: i = i_item; ...`: an assignment, whose old value the reverse
    sweep records and restores like any other; a loop target is recorded with its new values
    only, so the adjoint of code before the loop would read the loop's first value instead."""
    stores: dict = {}
    for node in astutil.walk([function.args, function.body]):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            stores[node.id] = stores.get(node.id, 0) + 1
    for loop in astutil.statements(function.body):
        if not isinstance(loop, gast.For):
            continue
        own: dict = {}
        for node in astutil.walk(loop.target):
            if isinstance(node, gast.Name):
                own[node.id] = own.get(node.id, 0) + 1
        shared = sorted(name for name, count in own.items() if stores[name] > count)
        if not shared:
            continue
        renamed = {name: namer.fresh(f"{name}_item") for name in shared}
        for node in astutil.walk(loop.target):
            if isinstance(node, gast.Name) and node.id in renamed:
                node.id = renamed[node.id]
        reads = [_located(astutil.assign(name, astutil.load(renamed[name])), loop)
                 for name in shared]
        for read in reads:
            anno.copy_all(loop, read)      # (the loop's line, as its other statements)
        loop.body = reads + loop.body


def _block(src: FunctionSource, statements: List[Any], namer: Namer) -> List[Any]:
    out: List[Any] = []
    for stmt in statements:
        origin, text = src.location(stmt), src.statement_text(stmt)
        for new in _statement(src, stmt, namer):
            if not anno.has(new, anno.Key.ORIGIN):
                anno.set(new, anno.Key.ORIGIN, origin)
                anno.set(new, anno.Key.ORIGIN_TEXT, text)
            out.append(new)
    return out


def _statement(src: FunctionSource, stmt: Any, namer: Namer) -> List[Any]:
    if isinstance(stmt, (gast.Pass, gast.Delete)) or (isinstance(stmt, gast.Expr)
                                                      and isinstance(stmt.value, gast.Constant)):
        return []       # (`del`: only generated code's, freeing names: see frontend.language)
    if isinstance(stmt, (gast.For, gast.While)):
        stmt.body = _block(src, stmt.body, namer)
        stmt.orelse = _block(src, stmt.orelse, namer)
        return [stmt]
    if isinstance(stmt, gast.If):
        stmt.body = _block(src, stmt.body, namer)
        stmt.orelse = _block(src, stmt.orelse, namer)
        return [stmt]
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript):
        # x[i] += v: NumPy reads x[i], adds, and writes the sum back (repeated indices once)
        read = astutil.copy_node(stmt.target)
        read.ctx = gast.Load()
        value = gast.BinOp(left=read, op=stmt.op, right=stmt.value)
        return [_located(gast.Assign(targets=[stmt.target], value=value, type_comment=None),
                         stmt)]
    if isinstance(stmt, gast.AugAssign):
        value = gast.BinOp(left=astutil.load(stmt.target.id), op=stmt.op, right=stmt.value)
        new = _located(astutil.assign(stmt.target.id, value), stmt)
        anno.set(new, anno.Key.AUGMENTED, True)   # in place on an array: see transforms.inplace
        return [new]
    if isinstance(stmt, gast.AnnAssign):
        return [_located(gast.Assign(targets=[stmt.target], value=stmt.value, type_comment=None),
                         stmt)]
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and \
            stmt.targets[0].id == stmt.value.id:
        return []       # `y = y` does nothing (kept, it confused single assignment)
    if isinstance(stmt, gast.Assign):
        return [_located(s, stmt) for s in _split_assignment(stmt.targets, stmt.value, namer)]
    return [stmt]


def _split_assignment(targets: List[Any], value: Any, namer: Namer) -> List[Any]:
    if len(targets) > 1:
        temp = namer.fresh("value")
        out = [astutil.assign(temp, value)]
        for target in targets:
            out.extend(_split_assignment([target], astutil.load(temp), namer))
        return out
    target = targets[0]
    if isinstance(target, gast.Name):
        target.ctx = gast.Store()
        return [gast.Assign(targets=[target], value=value, type_comment=None)]
    if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts) \
            and not any(isinstance(e, gast.Starred) for e in target.elts):
        written = astutil.names_stored(target)
        read = astutil.names_loaded(value)
        if written & read:  # a, b = b, a: evaluate every value before assigning any
            temps = [namer.fresh(derived_name(v, _first_name(t)))
                     for t, v in zip(target.elts, value.elts)]
            out = [astutil.assign(t, v) for t, v in zip(temps, value.elts)]
            return out + [s for t, e in zip(temps, target.elts)
                          for s in _split_assignment([e], astutil.load(t), namer)]
        return [s for t, v in zip(target.elts, value.elts) for s in _split_assignment([t], v, namer)]
    starred = isinstance(target, (gast.Tuple, gast.List)) and any(
        isinstance(e, gast.Starred) for e in target.elts)
    if (isinstance(value, gast.Call) and not starred and not _returns_container(value)) or \
            not isinstance(target, (gast.Tuple, gast.List)):
        # x[i] = v; a, b = g(x): the calls pass handles several results (of the user's functions;
        # `w, v = np.linalg.eigh(a)` reads the parts of a rule's tuple, below)
        return [gast.Assign(targets=[target], value=value, type_comment=None)]
    return _unpack(target, value, namer)


def _unpack(target: Any, value: Any, namer: Namer) -> List[Any]:
    """`a, *rest, z = t` reads the parts: `a = t[0]; rest = t[1:-1]; z = t[-1]`."""
    out: List[Any] = []
    if not isinstance(value, gast.Name):
        name = namer.fresh(derived_name(value, "values"))
        out.append(astutil.assign(name, value))
        value = astutil.load(name)
    starred = [k for k, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
    after = len(target.elts) - 1 - starred[0] if starred else 0
    for k, element in enumerate(target.elts):
        if isinstance(element, gast.Starred):
            index: Any = gast.Slice(lower=astutil.constant(k) if k else None,
                                    upper=astutil.to_node(-after) if after else None, step=None)
            element = element.value
        elif starred and k > starred[0]:
            index = astutil.to_node(k - len(target.elts))
        else:
            index = astutil.constant(k)
        part = gast.Subscript(value=astutil.load(value.id), slice=index, ctx=gast.Load())
        out.extend(_split_assignment([element], part, namer))
    return out


def _returns_container(call: gast.Call) -> bool:
    """A call of a function with rules whose result is a tuple or list (`np.linalg.eigh`)."""
    from ..rules.registry import may_return_container
    return may_return_container(anno.get(call, anno.Key.RESOLVED, None))


def _first_name(target: Any) -> Optional[str]:
    return next((n.id for n in astutil.walk(target) if isinstance(n, gast.Name)), None)


def _located(new: Any, old: Any) -> Any:
    for node in astutil.walk(new):
        if getattr(node, "lineno", None) is None:
            gast.copy_location(node, old)
    return new


# ---- loops over differentiated sequences ------------------------------------------------------


def loops_over_values(src: FunctionSource, varied: Set[str], namer: Namer) -> None:
    """Rewrite loops over differentiated sequences into loops over their indices."""
    src.node.body = _loops_in(src.node.body, varied, namer)


def _loops_in(statements: List[Any], varied: Set[str], namer: Namer) -> List[Any]:
    out: List[Any] = []
    for stmt in statements:
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _loops_in(stmt.body, varied, namer)
        elif isinstance(stmt, gast.If):
            stmt.body = _loops_in(stmt.body, varied, namer)
            stmt.orelse = _loops_in(stmt.orelse, varied, namer)
        if isinstance(stmt, gast.For) and activity.is_varied(stmt.iter, varied):
            out.extend(_index_loop(stmt, namer))
        else:
            out.append(stmt)
    return out


def _index_loop(loop: gast.For, namer: Namer) -> List[Any]:
    """`for T in S` -> `seq = S; for k in range(len(seq)): T = seq[k]` (and enumerate, zip,
    enumerate of zip)."""
    import builtins

    index: Optional[str] = None
    pairs = [(loop.target, loop.iter)]
    callee = anno.get(loop.iter, anno.Key.RESOLVED, None) \
        if isinstance(loop.iter, gast.Call) else None
    if callee is builtins.enumerate and len(loop.iter.args) == 1 \
            and isinstance(loop.target, gast.Tuple) and len(loop.target.elts) == 2 \
            and isinstance(loop.target.elts[0], gast.Name):
        index = loop.target.elts[0].id
        pairs = [(loop.target.elts[1], loop.iter.args[0])]
        inner = loop.iter.args[0]      # enumerate(zip(X, Y)) with `i, (x, y)`
        if isinstance(inner, gast.Call) and \
                anno.get(inner, anno.Key.RESOLVED, None) is builtins.zip and \
                isinstance(loop.target.elts[1], gast.Tuple) and \
                len(loop.target.elts[1].elts) == len(inner.args) and not inner.keywords:
            pairs = list(zip(loop.target.elts[1].elts, inner.args))
    elif callee is builtins.zip and isinstance(loop.target, gast.Tuple) \
            and len(loop.target.elts) == len(loop.iter.args):
        pairs = list(zip(loop.target.elts, loop.iter.args))
    before: List[Any] = []
    sequences: List[str] = []
    rebound = astutil.names_stored(loop.body) | astutil.names_stored(loop.target)
    backwards = [_reversed_argument(sequence) is not None for _, sequence in pairs]
    pairs = [(target, _reversed_argument(sequence) or sequence) for target, sequence in pairs]
    for target, sequence in pairs:
        if isinstance(sequence, gast.Name) and sequence.id not in rebound:
            sequences.append(sequence.id)
            continue
        # (`for e in x: x = 2 * x` goes on over the array x held when the loop started)
        name = namer.fresh(f"{sequence.id}_iterated" if isinstance(sequence, gast.Name)
                           else derived_name(sequence, "sequence"))
        before.append(_located(astutil.assign(name, sequence), loop))
        sequences.append(name)
    if index is None:
        index = namer.fresh(f"{_first_name(loop.target) or 'item'}_index")
    lengths = [_builtin_call(builtins.len, "len", [astutil.load(s)]) for s in sequences]
    length = lengths[0] if len(lengths) == 1 else _builtin_call(builtins.min, "min", lengths)
    reads = [_located(read, loop) for (target, _), seq, backward in zip(pairs, sequences, backwards)
             for read in _split_assignment([target], gast.Subscript(
                 value=astutil.load(seq), slice=_element_index(index, backward),
                 ctx=gast.Load()), namer)]
    for read in reads + before:
        anno.copy_all(loop, read)
    loop.target = astutil.store(index)
    loop.iter = _builtin_call(builtins.range, "range", [length])
    loop.body = reads + loop.body
    return before + [loop]


def _reversed_argument(sequence: Any) -> Optional[Any]:
    """X, for the sequence `reversed(X)` (whose element k is X[-1 - k])."""
    import builtins

    if isinstance(sequence, gast.Call) and len(sequence.args) == 1 and not sequence.keywords \
            and anno.get(sequence, anno.Key.RESOLVED, None) is builtins.reversed:
        return sequence.args[0]
    return None


def _element_index(index: str, backward: bool) -> Any:
    """`k`, or `-1 - k` for a sequence iterated backwards."""
    if not backward:
        return astutil.load(index)
    return gast.BinOp(left=astutil.constant(-1), op=gast.Sub(), right=astutil.load(index))


def _builtin_call(fn: Any, name: str, args: List[Any]) -> gast.Call:
    call = astutil.call(astutil.load(name), args)
    anno.set(call, anno.Key.RESOLVED, fn)
    return call
