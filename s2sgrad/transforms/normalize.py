"""Normalization: one differentiable operation per statement, in straight-line code and loops alike.

Needs: a language-checked, resolved `FunctionSource`, the names of the inputs we differentiate, and
the function's `Namer`.
Guarantees, in this order:
1. desugaring (`transforms.desugar`) and structured jumps (`transforms.jumps`): one statement form
   per construct, `break`/`continue` last in their branch, a single final `return`;
2. loops over differentiated sequences become loops over indices (`desugar.loops_over_values`);
3. single assignment for straight-line names: a name assigned more than once, but never inside a
   loop or branch, gets numbered versions (`h`, then `h_1`), so no value the adjoint needs is ever
   overwritten. Names assigned in loops and branches keep their name; the reverse sweep saves
   their overwritten values instead;
4. one operation per statement: every subexpression that carries derivatives is bound to a
   temporary whose name says what it holds (`tanh_x = np.tanh(x)`), so each statement is one rule
   application over names and constants. Subexpressions that carry no derivatives (`x.shape[0]`)
   are kept whole. An `if` tests a name (`x_gt_0 = x > 0; if x_gt_0:`), so the reverse sweep can
   replay the decision; a conditional expression on differentiated values becomes an `if`.
Every statement keeps the user statement it came from (`anno.Key.ORIGIN`) for comments and errors.

Example: `y = np.tanh(x) * x` with x differentiated becomes `tanh_x = np.tanh(x); y = tanh_x * x`.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Set

import gast

from .. import anno, astutil
from ..analysis import activity, overwrites
from ..errors import UnsupportedSyntaxError
from ..frontend.source import FunctionSource
from ..naming import Namer, derived_name
from .. import runtime
from . import calls, desugar, inplace, jumps


def transform(src: FunctionSource, inputs: Set[str], namer: Namer,
              dict_parameters: Iterable[str] = (), forward_mode: bool = False) -> None:
    """Normalize `src.node.body` in place. `dict_parameters`: the parameters given dicts;
    `forward_mode`: for a forward-mode derivative (see `transforms.inplace`)."""
    desugar.transform(src, namer)
    src.node.body = jumps.transform(src.node.body, namer)
    inplace.transform(src, namer, forward_mode)
    src.dicts = _dict_names(src.node.body, dict_parameters)
    _keys_loops(src.node.body, src.dicts)
    desugar.loops_over_values(src, activity.varied_names(src.node.body, inputs), namer)
    params = astutil.names_stored(src.node.args)
    body = _single_assignment(src.node.body, params, namer)
    varied = activity.varied_names(body, inputs)
    # (names assigned twice in straight-line code too: single assignment keeps the names of a
    # statement that also assigns a name of a loop or branch, `a, b = t` with `a` set in an `if`)
    overwritten = overwrites.compound_names(body) | overwrites.overwritten_names(body, params)
    src.node.body = _operations(src, body, varied, namer, overwritten)


def _dict_names(body: List[Any], parameters: Iterable[str]) -> Set[str]:
    """Names that hold dicts: dict parameters, names assigned dict displays, copies of those."""
    names = set(parameters)
    while True:
        size = len(names)
        for stmt in astutil.walk(body):
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and (
                    isinstance(stmt.value, gast.Dict) or (isinstance(stmt.value, gast.Name)
                                                          and stmt.value.id in names)):
                names.add(stmt.targets[0].id)
        if len(names) == size:
            return names


def _keys_loops(body: List[Any], dicts: Set[str]) -> None:
    """`for k in d` over a dict iterates over its keys, which carry no derivatives: make that
    explicit, `for k in d.keys()`."""
    for stmt in astutil.walk(body):
        if isinstance(stmt, gast.For) and isinstance(stmt.iter, gast.Name) \
                and stmt.iter.id in dicts:
            call = astutil.call(astutil.attribute(stmt.iter, "keys"), [])
            anno.set(call, anno.Key.METHOD, "keys")
            stmt.iter = call


# ---- 2. single assignment -----------------------------------------------------------------


def _single_assignment(body: List[Any], params: Set[str], namer: Namer) -> List[Any]:
    current: Dict[str, str] = {}
    defined = set(params)
    kept = overwrites.compound_names(body)
    for stmt in body:
        _rename_loads(stmt, current)
        if isinstance(stmt, gast.Assign) and not astutil.names_stored(stmt.targets) & kept:
            for target in astutil.walk(stmt.targets):
                if isinstance(target, gast.Name) and isinstance(target.ctx, gast.Store):
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


def _operations(src: FunctionSource, body: List[Any], varied: Set[str], namer: Namer,
                overwritten: Set[str]) -> List[Any]:
    out: List[Any] = []
    for stmt in body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                and anno.get(stmt.value, anno.Key.METHOD, None) == "pop" and not stmt.value.args:
            popped = astutil.assign(namer.fresh("popped"), stmt.value)   # L.pop(): the same
            anno.copy_all(stmt, popped)                                 # as v = L.pop()
            gast.copy_location(popped, stmt)
            stmt = popped
        splitter = _Splitter(src, varied, namer, stmt)
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _operations(src, stmt.body, varied, namer, overwritten)
        elif isinstance(stmt, gast.If):
            stmt.test = splitter.atom(stmt.test, None)
            if isinstance(stmt.test, gast.Name) and stmt.test.id in astutil.names_stored(
                    stmt.body + stmt.orelse):
                # `if flag:` whose branch sets flag: the reverse sweep replays the decision
                # after undoing the branch, so it must read a copy the branch leaves alone
                stmt.test = splitter.copy(stmt.test)
            stmt.body = _operations(src, stmt.body, varied, namer, overwritten)
            stmt.orelse = _operations(src, stmt.orelse, varied, namer, overwritten)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            stmt.value = splitter.operation(stmt.value, target)
            if target in overwritten and target in astutil.names_loaded(stmt.value) \
                    and not isinstance(stmt.value, gast.Name) \
                    and activity.is_varied(stmt.value, varied):
                # `x = x * a` on an overwritten x: the adjoint needs the old and the new value
                # under different names, so compute the new value into a temporary first.
                stmt.value = splitter.atom(stmt.value, target)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            _write(splitter, stmt, varied)
        elif isinstance(stmt, gast.Assign):
            if activity.is_varied(stmt.value, varied):
                if not (calls.called_function(stmt) or calls.is_dynamic(stmt)):
                    raise UnsupportedSyntaxError(
                        "unpacking a differentiated value into several names is supported only "
                        "for the result of a call to your own function, not yet here",
                        src.location(stmt), "index the parts explicitly: a = v[0]; b = v[1].")
                splitter.call(stmt.value, None)   # a, b = g(x): g returns a tuple
        elif isinstance(stmt, gast.Return) and isinstance(stmt.value, gast.Tuple):
            stmt.value.elts = [splitter.atom(e, "result") for e in stmt.value.elts]
        elif isinstance(stmt, gast.Return):
            stmt.value = splitter.atom(stmt.value, "result")
        elif isinstance(stmt, gast.Expr):
            _check_call_for_effect(src, stmt, varied)
            stmt.value = splitter.operation(stmt.value, None)
        out.extend(splitter.emitted)
        out.append(stmt)
        if splitter.emitted:
            anno.set(splitter.emitted[0], anno.Key.SPLIT, True)
        for new in astutil.walk(splitter.emitted):
            if isinstance(new, gast.stmt) and not anno.has(new, anno.Key.ORIGIN):
                records = anno.get(new, anno.Key.RECORDS, None)
                anno.copy_all(stmt, new)
                if records is not None:      # (the saving of a write: dropped when not read)
                    anno.set(new, anno.Key.RECORDS, records)
    return out


def _check_call_for_effect(src: FunctionSource, stmt: gast.Expr, varied: Set[str]) -> None:
    """A call whose value is dropped is made for what it changes. On differentiated values only
    `L.append(v)` (and `print`) is understood; `L.extend(...)`, `x.sort()`, `np.copyto(...)`
    and the like would change values behind the derivative's back."""
    call = stmt.value
    if not isinstance(call, gast.Call) or not activity.is_varied(call, varied) and not (
            anno.has(call, anno.Key.METHOD) and activity.is_varied(call.func.value, varied)):
        return
    if anno.get(call, anno.Key.METHOD, None) == "append" or \
            anno.get(call, anno.Key.RESOLVED, None) is print:
        return
    raise UnsupportedSyntaxError(
        f"`{astutil.unparse(call)}` is called for its effect on differentiated values, which "
        "s2sgrad cannot follow (only `list.append` is supported)", src.location(call),
        "build lists with append (or [a, b, c]), and compute new arrays instead of changing "
        "them through library calls.")


def _write(splitter: "_Splitter", stmt: gast.Assign, varied: Set[str]) -> None:
    """`x[i] = v`: `v` and the parts of the index become atoms (an index such as `x < 0` must
    be the one the write used, not one recomputed after it), and the part of `x` the write
    overwrites is saved first (`x_old = copy_of(x[i])`), for the adjoint to restore. (The
    reverse sweep drops the saving again where no adjoint reads `x`.)"""
    target = stmt.targets[0]
    name = target.value.id
    if name in splitter.src.dicts:
        raise UnsupportedSyntaxError(
            f"writing an entry of the dict `{name}` is not supported", splitter.src.location(stmt),
            "build the dict with all its entries at once: {'a': a, 'b': b}.")
    if activity.is_varied(stmt.value, varied) or name in varied:
        stmt.value = splitter.atom(stmt.value, name)
    target.slice = _index_atoms(splitter, target.slice)
    part = gast.Subscript(value=astutil.load(name), slice=astutil.copy_node(target.slice),
                          ctx=gast.Load())
    save = astutil.call(astutil.load(splitter.namer.alias(runtime.copy_of, "copy_of")), [part])
    anno.set(save, anno.Key.RESOLVED, runtime.copy_of)
    saved = splitter.namer.fresh(f"{name}_old")
    saving = astutil.assign(saved, save)
    anno.set(saving, anno.Key.RECORDS, saved)    # removable when nothing restores from it
    splitter.emitted.append(saving)
    anno.set(stmt, anno.Key.SAVED, saved)


def _index_atoms(splitter: "_Splitter", index: Any) -> Any:
    if isinstance(index, gast.Tuple):
        index.elts = [_index_atoms(splitter, part) for part in index.elts]
        return index
    if isinstance(index, gast.Slice):
        for field in ("lower", "upper", "step"):
            part = getattr(index, field)
            if part is not None:
                setattr(index, field, _index_atoms(splitter, part))
        return index
    if astutil.is_atom(index) or (isinstance(index, gast.Constant)):
        return index
    return splitter.atom(index, "index")


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

    def copy(self, name: gast.Name) -> gast.Name:
        """A fresh name holding the current value of `name`."""
        fresh = self.namer.fresh(name.id)
        self.emitted.append(astutil.assign(fresh, name))
        return astutil.load(fresh)

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
        elif isinstance(node, gast.IfExp):
            return self.conditional(node, target)
        elif isinstance(node, (gast.List, gast.Tuple)):
            node.elts = [self.atom(e, target) for e in node.elts]
        elif isinstance(node, gast.Dict):
            if not all(isinstance(k, gast.Constant) for k in node.keys):
                raise UnsupportedSyntaxError(
                    "a dict of differentiated values needs constant keys", self.src.location(node),
                    "write the keys as literals: {'w': w, 'b': b}.")
            node.values = [self.atom(v, target) for v in node.values]
        elif not isinstance(node, gast.Name):
            raise UnsupportedSyntaxError(
                f"{_describe(node)} on differentiated values is not supported yet",
                self.src.location(node),
                "compute it with NumPy instead (np.where for a conditional, np.stack or "
                "np.concatenate for several arrays), or take it out of the differentiated path "
                "with s2sgrad.stop_gradient.")
        return node

    def conditional(self, node: gast.IfExp, target: Optional[str]) -> Any:
        """`a if c else b` on differentiated values becomes an `if` assigning a temporary."""
        test = self.atom(node.test, None)
        name = self.namer.fresh(f"{target}_choice" if target else "choice")
        branches = []
        for expression in (node.body, node.orelse):
            branch = _Splitter(self.src, self.varied, self.namer, self.stmt)
            value = branch.operation(expression, name)
            branches.append(branch.emitted + [astutil.assign(name, value)])
        self.emitted.append(gast.If(test=test, body=branches[0], orelse=branches[1]))
        return astutil.load(name)

    def call(self, node: gast.Call, target: Optional[str]) -> None:
        if anno.has(node, anno.Key.METHOD):
            node.func.value = self.atom(node.func.value, target)
        elif not anno.has(node, anno.Key.RESOLVED) and not isinstance(node.func, gast.Name):
            node.func = self.atom(node.func, "function")    # fs[0](x): a run-time callee
        # a function passed on by name (`apply(np.tanh, x)`) stays written as it is, so that
        # the callee can be specialized for it (see calls.callee_objects)
        node.args = [a if _is_name_chain(a) and not activity.is_varied(a, self.varied)
                     else self.atom(a, target) for a in node.args]
        for kw in node.keywords:
            if kw.arg is None:
                raise UnsupportedSyntaxError("`**kwargs` in a call is not supported yet",
                                             self.src.location(node), "pass keywords one by one.")
            kw.value = self.atom(kw.value, kw.arg)


def _is_name_chain(node: Any) -> bool:
    """`np.tanh`, `ch.soft_clip`: attributes of attributes of a name."""
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name)


def _describe(node: Any) -> str:
    names = {gast.BoolOp: "`and`/`or`",
             gast.Tuple: "a tuple", gast.List: "a list", gast.Dict: "a dict",
             gast.JoinedStr: "an f-string", gast.Set: "a set"}
    return names.get(type(node), f"a {type(node).__name__} expression")
