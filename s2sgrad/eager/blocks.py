"""The code inside a `with GradientTape() as tape:` block, found from the running frame and turned
into a Python function the compiler can differentiate.

A tape differentiates the *code* of its block, not a record of operations. On entry it knows the
caller's frame: its file, the line of the `with` statement, its variables. `find_block` reads the
file (through `linecache`, which also holds IPython cells), parses it once, and picks the `with`
statement the frame is at. `block_function` then writes the block's body as a function:

    def tape_block_12(x, w):            # the names the body reads, with their values at entry
        y = x * w                       # the body, at the user's lines (errors point there)
        loss = np.sum(y * y)
        return loss                     # the targets asked for

leaving out what must not run twice (`print(...)`, `tape.watch(...)`, changes to objects made
outside the block such as `history.append(loss)`). Asking for the gradient with respect to a
value computed inside the block (`y` above) makes it a parameter instead: its assignment is
left out and the value the block computed is passed in.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import linecache
import types
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import gast
import numpy as np

from .. import astutil
from ..errors import Location, SourceUnavailableError, UnsupportedSyntaxError
from ..frontend.source import register_made_function
from ..runtime import stop_gradient


@dataclasses.dataclass
class Block:
    """A `with` statement of a user's file, and what its body does with names."""

    filename: str
    lines: List[str]
    node: gast.With
    reads: Set[str]         # names the body loads
    stores: Set[str]        # names the body assigns
    written: Set[str]       # names of arrays the body writes into (`x[i] = ...`)
    # `reads`, sorted (the order a tape looks the values up in)
    read_order: Tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
    # what whether the body can tell a Tensor from an array rests on (`tensor_blind_roots`)
    blind_roots: Optional[Tuple[Tuple[str, str], ...]] = dataclasses.field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.read_order = tuple(sorted(self.reads))
        self.blind_roots = tensor_blind_roots(self.node.body)

    @property
    def lineno(self) -> int:
        return self.node.lineno

    def location(self, node: Any = None) -> Location:
        node = node if node is not None else self.node
        lineno = getattr(node, "lineno", self.lineno)
        code = self.lines[lineno - 1].rstrip("\n") if 0 < lineno <= len(self.lines) else ""
        return Location(self.filename, lineno, getattr(node, "col_offset", 0) or 0, code)


_MODULES: Dict[Tuple[str, str], gast.Module] = {}
_BLOCKS: Dict[Tuple[Any, int], Block] = {}


def find_block(frame: types.FrameType) -> Block:
    """The `with` statement that `frame` is entering (its innermost one at the current line)."""
    key = (frame.f_code, frame.f_lineno)
    known = _BLOCKS.get(key)
    if known is not None:
        return known
    filename = frame.f_code.co_filename
    lines = linecache.getlines(filename, frame.f_globals)
    if not lines:
        raise SourceUnavailableError(
            f"cannot find the source of the `with GradientTape()` block at {filename}, line "
            f"{frame.f_lineno}: s2sgrad differentiates the code of the block",
            Location(filename, frame.f_lineno),
            "put the block in a file (a script or module), a function, or a notebook cell; code "
            "typed at a bare interactive prompt or run with exec() keeps no source.")
    module = _parsed(filename, lines)
    line = frame.f_lineno
    matches = [node for node in astutil.walk(module) if isinstance(node, gast.With)
               and node.lineno <= line <= _header_end(node)]
    if not matches:
        raise SourceUnavailableError(
            f"cannot find the `with` statement at {filename}, line {line}: the file changed "
            "since it was loaded, or the tape was entered without a `with` statement",
            Location(filename, line),
            "use the tape as `with GradientTape() as tape:` and re-run the file after editing.")
    node = max(matches, key=lambda n: (n.lineno, n.col_offset))
    block = Block(filename=filename, lines=lines, node=node,
                  reads=astutil.names_loaded(node.body), stores=_stored(node.body),
                  written=_written(node.body))
    _BLOCKS[key] = block
    return block


def function_block(fn: types.FunctionType) -> Block:
    """A function's body as a block (for `gradients` inside `@s2sgrad.function`)."""
    key = (fn.__code__, 0)
    known = _BLOCKS.get(key)
    if known is None:
        from ..frontend.source import get_function_source

        src = get_function_source(fn)
        node = src.node
        known = _BLOCKS[key] = Block(
            filename=src.filename, lines=src.lines, node=node,
            reads=astutil.names_loaded(node.body) | astutil.names_stored(node.args),
            stores=_stored(node.body), written=_written(node.body))
    return known


# What code that cannot tell a Tensor from a NumPy array may call: these builtins, the functions
# of NumPy, `math` and s2sgrad's TensorFlow layer (`tf.*`, which take both alike), `watch` on a
# tape; and read of an array's shape, dtype, ndim, size and transpose.
_BLIND_BUILTINS = frozenset({"abs", "bool", "enumerate", "float", "int", "len", "list", "max",
                             "min", "pow", "print", "range", "reversed", "round", "sum", "tuple",
                             "zip"})
_BLIND_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "size", "T"})
_TELLING = (gast.Dict, gast.Set, gast.DictComp, gast.SetComp, gast.Lambda, gast.FunctionDef,
            gast.AsyncFunctionDef, gast.ClassDef, gast.With, gast.AsyncWith, gast.Try,
            gast.Raise, gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom, gast.Await,
            gast.Starred)


def tensor_blind_roots(body: List[Any]) -> Optional[Tuple[Tuple[str, str], ...]]:
    """Whether code cannot tell a `Tensor` from the plain array it views, and on what that
    rests: None if it may (it calls a function of the user's, a method, makes a dict, ...);
    otherwise the names whose values must be as the code assumes, each with its role:
    "module" (a module of NumPy, `math` or `s2sgrad.tf` whose functions it calls), "builtin"
    (a builtin it calls, not shadowed), "tape" (a tape it calls `watch` on). A tape re-runs such
    a block on plain arrays, which NumPy handles faster than an ndarray subclass."""
    roots: Dict[str, str] = {}
    called = set()
    statements = set()       # calls made for their effect alone (left out of the re-run)
    for node in astutil.walk(body):
        if isinstance(node, _TELLING):
            return None
        if isinstance(node, gast.Expr):
            statements.add(id(node.value))
        if isinstance(node, gast.Call):
            func = node.func
            called.add(id(func))
            name = func.id if isinstance(func, gast.Name) else getattr(func, "attr", None)
            if name == "print" and id(node) not in statements:
                return None       # (a value of print(...): the re-run would print again)
            if isinstance(func, gast.Name):
                if func.id not in _BLIND_BUILTINS:
                    return None
                roots.setdefault(func.id, "builtin")
                continue
            if not isinstance(func, gast.Attribute):
                return None
            root = func
            while isinstance(root, gast.Attribute):
                called.add(id(root))
                root = root.value
            if not isinstance(root, gast.Name):
                return None
            role = "tape" if func.attr == "watch" and func.value is root else "module"
            if roots.setdefault(root.id, role) != role:
                return None
        elif isinstance(node, gast.Attribute) and id(node) not in called and \
                node.attr not in _BLIND_ATTRIBUTES:
            if node.attr.startswith("__") or not isinstance(node.ctx, gast.Load):
                return None
            root = node
            while isinstance(root, gast.Attribute):
                root = root.value
            if not isinstance(root, gast.Name) or roots.setdefault(root.id, "module") != "module":
                return None
    return tuple(sorted(roots.items()))


def _header_end(node: gast.With) -> int:
    """The last line of the `with ...:` header (the items may span lines)."""
    ends = [getattr(item.context_expr, "end_lineno", None) or item.context_expr.lineno
            for item in node.items]
    return max(ends + [node.lineno])


def _parsed(filename: str, lines: List[str]) -> gast.Module:
    text = "".join(lines)
    key = (filename, hashlib.sha1(text.encode()).hexdigest())
    if key not in _MODULES:
        try:
            _MODULES[key] = gast.parse(text)
        except SyntaxError as exc:
            raise SourceUnavailableError(
                f"cannot parse {filename} to find the tape's block: {exc.msg}",
                Location(filename, exc.lineno or 1)) from None
    return _MODULES[key]


def _written(body: List[Any]) -> Set[str]:
    """Names of arrays the body may change in place: `x[i] = v`, and `x += v` (in place when x
    is an array)."""
    return astutil.names_written_into(body) | {
        n.target.id for n in astutil.walk(body)
        if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}


def _stored(body: List[Any]) -> Set[str]:
    return {n.id for n in astutil.walk(body)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


# ---- the block as a function ------------------------------------------------------------------


def block_function(block: Block, params: Sequence[str], outputs: Sequence[Any],
                   cut: Set[str], tapes: Dict[str, Any], globals_: Dict[str, Any],
                   until: Optional[int] = None, summed: bool = False,
                   variables: Set[str] = frozenset(),
                   closure: Optional[Dict[str, Any]] = None,
                   since: Optional[int] = None) -> types.FunctionType:
    """The block's body as a function of `params` returning the tuple of `outputs` (names, or
    expressions of the block; with `summed`, the sum of the single output's entries: a target
    of a nested gradient).

    `cut`: names computed in the block that are parameters instead (gradients with respect to
    intermediate values); `tapes`: the names bound to tapes in and around the block, with the
    tape objects (their calls are left out; the `gradient` calls of tapes nested in the block
    become calls of generated derivative code); `until`: a line number, to take only the
    statements before it (a gradient asked for inside the block itself); `variables`: the
    parameters that stand for Variables (whose `assign` calls become rebindings); `closure`:
    values the body reads under names that are neither parameters nor globals; `since`: a
    line number, to take only the statements after it (a tape reset inside its block).
    """
    writer = _Writer(block, cut, tapes, variables)
    writer.closure.update(closure or {})
    statements = [s for s in block.node.body if since is None or s.lineno > since]
    body = writer.kept(statements, until)
    if summed:
        (output,) = outputs
        returned: Any = writer.closure_call(np.sum, "sum_of_entries",
                                            [astutil.load(output)])
    else:
        returned = gast.Tuple(elts=[astutil.load(o) if isinstance(o, str) else
                                    astutil.copy_node(o) for o in outputs], ctx=gast.Load())
    ret = gast.Return(value=returned)
    gast.copy_location(ret, block.node.body[-1])
    definition = _definition(f"tape_block_{block.lineno}", list(params), body + [ret],
                             block.node)
    # The values the lowering refers to (generated derivatives of nested blocks) are variables
    # of an enclosing function, so that the compiler sees them as known objects.
    factory = _definition("make_tape_block", sorted(writer.closure),
                          [definition, gast.Return(value=astutil.load(definition.name))],
                          block.node)
    tree = gast.gast_to_ast(gast.Module(body=[astutil.copy_node(factory)], type_ignores=[]))
    ast.fix_missing_locations(tree)
    for node in ast.walk(tree):   # (positions shifted to the user's columns keep their ends)
        if getattr(node, "end_lineno", None) is not None and \
                (node.end_lineno, node.end_col_offset or 0) < (node.lineno, node.col_offset):
            node.end_lineno, node.end_col_offset = node.lineno, node.col_offset
    namespace: Dict[str, Any] = {}
    exec(compile(tree, block.filename, "exec"), globals_, namespace)
    fn = namespace[factory.name](**writer.closure)
    what = "GradientTape block" if getattr(block.node, "items", None) else "code up to gradients()"
    fn.__qualname__ = f"<{what} at {short(block.filename)}:{block.lineno}>"
    register_made_function(fn, definition, block.filename, block.lines)
    return fn


def _definition(name: str, params: List[str], body: List[Any], where: Any) -> gast.FunctionDef:
    node = gast.FunctionDef(
        name=name,
        args=gast.arguments(args=[gast.Name(id=p, ctx=gast.Param(), annotation=None,
                                            type_comment=None) for p in params],
                            posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                            kwarg=None, defaults=[]),
        body=body, decorator_list=[], returns=None, type_comment=None, type_params=[])
    gast.copy_location(node, where)
    return node


def short(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


class _Writer:
    """Writes the statements of a block for its function."""

    def __init__(self, block: Block, cut: Set[str], tapes: Dict[str, Any],
                 variables: Set[str]):
        self.block, self.cut, self.tapes, self.variables = block, cut, dict(tapes), variables
        self.closure: Dict[str, Any] = {}
        self.hoisted: Set[str] = set()       # names given to gradient calls moved out of
        #                                      expressions (astutil.hoist_calls)

    def closure_call(self, value: Any, name: str, args: List[Any]) -> gast.Call:
        base, number = name, 1
        while name in self.closure and self.closure[name] is not value:
            number += 1
            name = f"{base}_{number}"
        self.closure[name] = value
        return astutil.call(astutil.load(name), args)

    def kept(self, statements: List[Any], until: Optional[int]) -> List[Any]:
        """The statements that compute values, without the effects that must happen only
        once; nested tape blocks inlined and their gradients lowered."""
        block = self.block
        out: List[Any] = []
        statements = astutil.hoist_calls(statements, self._is_gradient_call, self._fresh)
        for stmt in statements:
            if until is not None and stmt.lineno >= until:
                break
            assignment = self.variable_assignment(stmt)
            if assignment is not None:
                out.append(assignment)
                continue
            if isinstance(stmt, gast.Expr) and _effect_only(stmt.value, block, self.tapes):
                continue
            if isinstance(stmt, gast.Assign) and astutil.names_stored(stmt.targets) & self.cut:
                if not astutil.names_stored(stmt.targets) <= self.cut:
                    raise UnsupportedSyntaxError(
                        "the gradient is asked with respect to a value this statement computes "
                        "together with others", block.location(stmt),
                        "assign that value on a line of its own.")
                continue
            if isinstance(stmt, gast.With) and _is_tape_block(stmt):
                out.extend(self.nested(stmt))
                continue
            if isinstance(stmt, gast.With) and _is_paused(stmt):
                out.extend(self.paused(stmt))
                continue
            lowered = self.lowered_gradient(stmt)
            if lowered is not None:
                out.extend(lowered)
                continue
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner:
                    kept = self.kept(inner, None)
                    setattr(stmt, field, kept or ([gast.Pass()] if field == "body" else []))
            out.append(stmt)
        if not out:
            out.append(gast.Pass())
        return out

    def variable_assignment(self, stmt: Any) -> Optional[gast.Assign]:
        """`v.assign(e)` of a Variable, as TensorFlow differentiates it: later reads see the new
        value, the assignment itself carries no derivative (from `e`), and every read still
        counts towards the Variable's gradient: `v = v + stop_gradient(e - v)`
        (`assign_add(d)`: `v = v + stop_gradient(d)`; `assign_sub`: minus)."""
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
                and isinstance(call.func.value, gast.Name)
                and call.func.value.id in self.variables
                and call.func.attr in ("assign", "assign_add", "assign_sub") and call.args):
            return None
        name, given = call.func.value.id, call.args[0]
        if call.func.attr == "assign":
            given = gast.BinOp(left=given, op=gast.Sub(), right=astutil.load(name))
        op = gast.Sub() if call.func.attr == "assign_sub" else gast.Add()
        new = astutil.assign(name, gast.BinOp(
            left=astutil.load(name), op=op,
            right=self.closure_call(stop_gradient, "stop_gradient", [given])))
        for node in astutil.walk(new):
            if hasattr(node, "lineno") or isinstance(node, (gast.stmt, gast.expr)):
                gast.copy_location(node, stmt)
        return new

    def paused(self, stmt: gast.With) -> List[Any]:
        """`with tape.stop_recording():` its statements run, their values carry no
        derivatives (each assigned value passes through `stop_gradient`)."""
        out = self.kept(stmt.body, None)
        for inner in out:
            for node in astutil.walk(inner):
                if isinstance(node, gast.Assign):
                    node.value = self.closure_call(stop_gradient, "stop_gradient",
                                                   [node.value])
                    gast.copy_location(node.value, node)
        return out

    def nested(self, stmt: gast.With) -> List[Any]:
        """A tape block inside the block: its statements run as part of this one."""
        for item in stmt.items:
            if isinstance(item.optional_vars, gast.Name):
                self.tapes.setdefault(item.optional_vars.id, None)
        return self.kept(stmt.body, None)

    def _is_gradient_call(self, call: gast.Call) -> bool:
        """`inner.gradient(...)` of a tape nested in the block."""
        return isinstance(call.func, gast.Attribute) and call.func.attr == "gradient" \
            and isinstance(call.func.value, gast.Name) and call.func.value.id in self.tapes

    def _fresh(self, base: str) -> str:
        taken = {n.id for n in astutil.walk(self.block.node) if isinstance(n, gast.Name)}
        name, number = base, 0
        while name in taken or name in self.closure or name in self.hoisted:
            number += 1
            name = f"{base}_{number}"
        self.hoisted.add(name)
        return name

    def lowered_gradient(self, stmt: Any) -> Optional[List[Any]]:
        """`g = inner.gradient(y, x)` of a tape nested in the block, as a call of the generated
        gradient of the nested block: `g = inner_gradient(x, w)` (its inputs), which the
        compiler differentiates in turn (higher derivatives by transforming generated code)."""
        call = stmt.value if isinstance(stmt, gast.Assign) else None
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
                and call.func.attr == "gradient" and isinstance(call.func.value, gast.Name)
                and call.func.value.id in self.tapes):
            return None
        tape = self.tapes[call.func.value.id]
        if tape is None or not tape._recordings:
            raise UnsupportedSyntaxError(
                "this gradient is asked of a tape whose block did not run before it",
                self.block.location(stmt), "take the gradient after the tape's `with` block.")
        if len(call.args) != 2 or call.keywords or not isinstance(call.args[0], gast.Name):
            raise UnsupportedSyntaxError(
                "inside a block being differentiated again, a nested tape's gradient must be "
                "`tape.gradient(name, sources)` with sources a name or a list of names",
                self.block.location(stmt), "assign the target to a name first.")
        sources = call.args[1]
        names = [sources] if isinstance(sources, gast.Name) else list(
            getattr(sources, "elts", []))
        if not names or not all(isinstance(n, gast.Name) for n in names):
            raise UnsupportedSyntaxError(
                "the sources of a nested tape's gradient must be names (or a list of names)",
                self.block.location(stmt), "assign each source to a name first.")
        own = tape._recordings[-1].block is self.block    # asked inside its own block
        entry, params = tape._lowered_gradient(call.args[0].id, [n.id for n in names],
                                               self.block.location(stmt),
                                               stmt.lineno if own else None)
        tape_name = call.func.value.id
        grads = f"{tape_name}_grads"
        first = astutil.assign(grads, self.closure_call(entry, f"{tape_name}_gradient",
                                                        [astutil.load(p) for p in params]))
        parts = [gast.Subscript(value=astutil.load(grads), slice=astutil.constant(k),
                                ctx=gast.Load()) for k in range(len(names))]
        value = parts[0] if isinstance(sources, gast.Name) else gast.List(elts=parts,
                                                                          ctx=gast.Load())
        second = gast.Assign(targets=stmt.targets, value=value, type_comment=None)
        for new in (first, second):
            gast.copy_location(new, stmt)
        return [first, second]


def _effect_only(value: Any, block: Block, tapes: Dict[str, Any]) -> bool:
    """An expression statement run only for its effect outside the values: `print(...)`, a call
    on a tape, a change to an object the block did not make (`history.append(loss)`)."""
    if not isinstance(value, gast.Call):
        return True
    func = value.func
    if isinstance(func, gast.Name):
        return func.id in ("print",)
    root = func
    while isinstance(root, gast.Attribute):
        root = root.value
    if isinstance(root, gast.Name):
        return root.id in tapes or root.id not in block.stores
    return False


def _is_paused(stmt: gast.With) -> bool:
    return any(isinstance(item.context_expr, gast.Call)
               and isinstance(item.context_expr.func, gast.Attribute)
               and item.context_expr.func.attr == "stop_recording" for item in stmt.items)


def _is_tape_block(stmt: gast.With) -> bool:
    return any("GradientTape" in astutil.unparse(item.context_expr) for item in stmt.items)
