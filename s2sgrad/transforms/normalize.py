"""Normalization: straight-line code with one differentiable operation per statement.

Needs: a language-checked, resolved `FunctionSource`, the names of the inputs we differentiate, and
the function's `Namer`.
Guarantees, in this order:
1. desugaring: `x += y` becomes `x = x + y`, `x: T = v` becomes `x = v`, `a = b = v` and
   `a, b = u, v` become single assignments (through temporaries where names overlap); docstrings
   and `pass` disappear;
2. single assignment: a name assigned twice gets a numbered version (`h`, then `h_1`), so no value
   the adjoint needs is ever overwritten;
3. one operation per statement: every subexpression that carries derivatives is bound to a
   temporary whose name says what it holds (`tanh_x = np.tanh(x)`), so each statement is one rule
   application over names and constants. Subexpressions that carry no derivatives (`x.shape[0]`)
   are kept whole.
Every statement keeps the user statement it came from (`anno.Key.ORIGIN`) for comments and errors.

Example: `y = np.tanh(x) * x` with x differentiated becomes `tanh_x = np.tanh(x); y = tanh_x * x`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

import gast

from .. import anno, astutil
from ..analysis import activity
from ..errors import UnsupportedSyntaxError
from ..frontend.source import FunctionSource
from ..naming import Namer, derived_name


def transform(src: FunctionSource, inputs: Set[str], namer: Namer) -> None:
    """Normalize `src.node.body` in place."""
    body: List[Any] = []
    for stmt in src.node.body:
        origin, text = src.location(stmt), src.statement_text(stmt)
        for new in _desugar(stmt, namer):
            anno.set(new, anno.Key.ORIGIN, origin)
            anno.set(new, anno.Key.ORIGIN_TEXT, text)
            body.append(new)
    params = astutil.names_stored(src.node.args)
    body = _single_assignment(body, params, namer)
    varied = activity.varied_names(body, inputs)
    src.node.body = _one_operation_per_statement(src, body, varied, namer)


# ---- 1. desugaring ------------------------------------------------------------------------


def _desugar(stmt: Any, namer: Namer) -> List[Any]:
    if isinstance(stmt, gast.Pass) or (isinstance(stmt, gast.Expr)
                                       and isinstance(stmt.value, gast.Constant)):
        return []
    if isinstance(stmt, gast.AugAssign):
        value = gast.BinOp(left=astutil.load(stmt.target.id), op=stmt.op, right=stmt.value)
        return [_located(astutil.assign(stmt.target.id, value), stmt)]
    if isinstance(stmt, gast.AnnAssign):
        return [_located(gast.Assign(targets=[stmt.target], value=stmt.value, type_comment=None),
                         stmt)]
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
    return [gast.Assign(targets=[target], value=value, type_comment=None)]


def _first_name(target: Any) -> Optional[str]:
    return next((n.id for n in astutil.walk(target) if isinstance(n, gast.Name)), None)


def _located(new: Any, old: Any) -> Any:
    for node in astutil.walk(new):
        if getattr(node, "lineno", None) is None:
            gast.copy_location(node, old)
    return new


# ---- 2. single assignment -----------------------------------------------------------------


def _single_assignment(body: List[Any], params: Set[str], namer: Namer) -> List[Any]:
    current: Dict[str, str] = {}
    defined = set(params)
    for stmt in body:
        _rename_loads(stmt, current)
        if isinstance(stmt, gast.Assign):
            for target in astutil.walk(stmt.targets):
                if isinstance(target, gast.Name):
                    if target.id in defined:
                        current[target.id] = namer.fresh(target.id)
                        target.id = current[target.id]
                    else:
                        defined.add(target.id)
                        current.pop(target.id, None)
    return body


def _rename_loads(stmt: Any, current: Dict[str, str]) -> None:
    for node in astutil.walk(stmt):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in current:
            node.id = current[node.id]


# ---- 3. one operation per statement -------------------------------------------------------


def _one_operation_per_statement(src: FunctionSource, body: List[Any], varied: Set[str],
                                 namer: Namer) -> List[Any]:
    out: List[Any] = []
    for stmt in body:
        splitter = _Splitter(src, varied, namer, stmt)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            stmt.value = splitter.operation(stmt.value, stmt.targets[0].id)
        elif isinstance(stmt, gast.Assign):
            if activity.is_varied(stmt.value, varied):
                raise UnsupportedSyntaxError(
                    "unpacking a differentiated value into several names is not supported yet",
                    src.location(stmt), "index the parts explicitly: a = v[0]; b = v[1].")
        elif isinstance(stmt, gast.Return):
            stmt.value = splitter.atom(stmt.value, "result")
        elif isinstance(stmt, gast.Expr):
            stmt.value = splitter.operation(stmt.value, None)
        out.extend(splitter.emitted)
        out.append(stmt)
        if splitter.emitted:
            anno.set(splitter.emitted[0], anno.Key.SPLIT, True)
        for new in splitter.emitted:
            anno.copy_all(stmt, new)
    return out


class _Splitter:
    """Binds the varied subexpressions of one statement to temporaries."""

    def __init__(self, src: FunctionSource, varied: Set[str], namer: Namer, stmt: Any):
        self.src, self.varied, self.namer, self.stmt = src, varied, namer, stmt
        self.emitted: List[Any] = []

    def atom(self, node: Any, target: Optional[str]) -> Any:
        """A name or constant holding the value of `node`."""
        if astutil.is_atom(node):
            return node
        value = self.operation(node, target)
        name = self.namer.fresh(derived_name(value, target))
        self.emitted.append(astutil.assign(name, value))
        return astutil.load(name)

    def operation(self, node: Any, target: Optional[str]) -> Any:
        """`node` with its operands turned into atoms (when it carries derivatives)."""
        if not activity.is_varied(node, self.varied):
            return node
        if isinstance(node, gast.BinOp):
            node.left = self.atom(node.left, target)
            node.right = self.atom(node.right, target)
        elif isinstance(node, gast.UnaryOp):
            node.operand = self.atom(node.operand, target)
        elif isinstance(node, gast.Call):
            self.call(node, target)
        elif isinstance(node, gast.Attribute):
            node.value = self.atom(node.value, target)
        elif isinstance(node, gast.Subscript):
            node.value = self.atom(node.value, target)
            if any(isinstance(n, gast.Call) for n in astutil.walk(node.slice)):
                node.slice = self.atom(node.slice, "index")
        elif not isinstance(node, gast.Name):
            raise UnsupportedSyntaxError(
                f"{_describe(node)} on differentiated values is not supported yet",
                self.src.location(node),
                "compute it with NumPy instead (np.where for a conditional, np.stack or "
                "np.concatenate for several arrays), or take it out of the differentiated path "
                "with s2sgrad.stop_gradient.")
        return node

    def call(self, node: gast.Call, target: Optional[str]) -> None:
        if anno.has(node, anno.Key.METHOD):
            node.func.value = self.atom(node.func.value, target)
        node.args = [self.atom(a, target) for a in node.args]
        for kw in node.keywords:
            if kw.arg is None:
                raise UnsupportedSyntaxError("`**kwargs` in a call is not supported yet",
                                             self.src.location(node), "pass keywords one by one.")
            kw.value = self.atom(kw.value, kw.arg)


def _describe(node: Any) -> str:
    names = {gast.IfExp: "a conditional expression (x if c else y)", gast.BoolOp: "`and`/`or`",
             gast.Tuple: "a tuple", gast.List: "a list", gast.Dict: "a dict",
             gast.JoinedStr: "an f-string", gast.Set: "a set"}
    return names.get(type(node), f"a {type(node).__name__} expression")
