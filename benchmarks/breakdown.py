"""Where a generated gradient spends its time: per-statement costs and cumulative ablations.

Two views of one generated derivative (the source that `sg.source(df)` shows):

- `statement_costs` times every statement of the generated function on its own. The function is
  run once to fill a namespace with all its intermediates; then each statement is compiled alone
  and executed repeatedly in that namespace (its result stored under a scratch name, so statements
  like `bx = bx + ...` do not feed on themselves). The cost of an empty `exec` is subtracted. The
  costs of all statements add up to roughly the cost of the whole function, so they show which
  generated statements are expensive.

- `ablations` rewrites the generated source step by step, removing one kind of overhead at a time
  (each step keeps the previous ones), re-checks the gradient against a reference, times each
  variant and counts its page faults per call. The time saved by a step is what that overhead
  costs in context. The rewrites are specialised to the shapes of the benchmark inputs: they show
  what the compiler could save, they are not general transformations.

- `loop_ablations` does the same for a generated gradient with loops, with the two rewrites that
  matter there: `unbroadcast` calls whose arguments always have the same shape, and the tape
  stacks of values that only those calls read.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

import s2sgrad as sg

from . import timing

SCRATCH = "_benchmark_scratch"
SEED_TYPE = "_benchmark_seed_type"


def generated_function(df: Any) -> Callable[..., Any]:
    """The generated function behind an `sg.grad` wrapper."""
    return df.generated_functions()[0]


def _namespace(fn: Callable[..., Any]) -> Dict[str, Any]:
    """The names a generated function can see: its globals plus its closure (helper aliases)."""
    names = dict(fn.__globals__)
    for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        names[var] = cell.cell_contents
    return names


def _function_def(source: str) -> ast.FunctionDef:
    (node,) = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    return node


def _body(node: ast.FunctionDef) -> List[ast.stmt]:
    """The statements of a function, without its docstring and the `del`s that free its
    intermediates (the per-statement measurements keep every intermediate in one namespace)."""
    body = [s for s in node.body if not isinstance(s, ast.Delete)]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _strip_deletes(node: ast.FunctionDef) -> None:
    """Remove the generated code's `del`s (top level, where the compiler puts them)."""
    node.body = [s for s in node.body if not isinstance(s, ast.Delete)]


def _compile(statement: ast.stmt) -> Any:
    module = ast.fix_missing_locations(ast.Module(body=[statement], type_ignores=[]))
    return compile(module, "<generated statement>", "exec")


def _float_dtype(value: Any) -> Optional[np.dtype]:
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "fc":
        return value.dtype
    return None


@dataclasses.dataclass
class Promotion:
    """A statement whose result has a wider floating dtype than every value it reads."""

    text: str
    read: np.dtype
    result: np.dtype


def _filled_namespace(fn: Callable[..., Any], source: str, args: Sequence[Any]
                      ) -> Tuple[Dict[str, Any], List[ast.stmt], List[Promotion]]:
    """Run the generated body once at module level.

    Returns the namespace it leaves, its statements, and the statements where a NumPy floating
    dtype was widened (float32 in, float64 out), which make the rest of the code run slower.
    """
    namespace = _namespace(fn)
    bound = inspect.signature(fn).bind(*args)
    bound.apply_defaults()
    namespace.update(bound.arguments)
    statements = _body(_function_def(source))
    promotions: List[Promotion] = []
    for statement in statements:
        if isinstance(statement, ast.Return):
            break
        read = [_float_dtype(namespace.get(name)) for name in _names(statement, ast.Load)]
        read = [d for d in read if d is not None]
        exec(_compile(statement), namespace)
        if isinstance(statement, ast.Assign) and read:
            widest = max(read, key=lambda d: d.itemsize)
            for name in set().union(*(_names(t, ast.Store) for t in statement.targets)):
                result = _float_dtype(namespace[name])
                if result is not None and result.itemsize > widest.itemsize:
                    promotions.append(Promotion(ast.unparse(statement), widest, result))
    return namespace, statements, promotions


def dtype_promotions(df: Any, args: Sequence[Any]) -> List[Promotion]:
    """The generated statements of `df` that widen a floating dtype on these arguments."""
    return _filled_namespace(generated_function(df), sg.source(df), args)[2]


@dataclasses.dataclass
class StatementCost:
    text: str
    seconds: float
    category: str


def _called_name(node: ast.AST) -> Optional[str]:
    """`name` for a call `name(...)` or `module.name(...)`."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return None


def _same_shape(expr_a: ast.expr, expr_b: ast.expr, namespace: Dict[str, Any]) -> bool:
    def value(expr: ast.expr) -> Any:
        return eval(compile(ast.Expression(body=expr), "<shape check>", "eval"), namespace)
    return np.shape(value(expr_a)) == np.shape(value(expr_b))


def categorize(statement: ast.stmt, namespace: Dict[str, Any]) -> str:
    """A coarse label for what a generated statement spends its time on."""
    calls = [_called_name(node) for node in ast.walk(statement)]
    if any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)
           for node in ast.walk(statement)) or any(c and c.startswith("matmul") for c in calls):
        return "matrix product"
    if "scalar_seed" in calls:
        return "scalar_seed"
    if "extremum_adjoint" in calls:
        return "max-subtraction adjoint"
    if "broadcast_like" in calls:
        return "broadcast_like"
    for node in ast.walk(statement):
        if _called_name(node) == "unbroadcast":
            if _same_shape(node.args[0], node.args[1], namespace):
                return "unbroadcast, shapes equal"
            return "unbroadcast, reduces"
    return "other NumPy"


def statement_costs(df: Any, args: Sequence[Any],
                    settings: timing.Settings) -> List[StatementCost]:
    """The cost of each statement of `df`'s generated function, measured on its own."""
    fn = generated_function(df)
    source = sg.source(df)
    namespace, statements, _ = _filled_namespace(fn, source, args)
    calls: Dict[str, timing.Call] = {"": (exec, (compile("pass", "<empty>", "exec"), namespace))}
    texts: Dict[str, Tuple[str, str]] = {}
    for index, statement in enumerate(statements):
        if isinstance(statement, ast.Return):
            break
        timed = statement
        if isinstance(statement, ast.Assign):
            timed = ast.Assign(targets=[ast.Name(id=SCRATCH, ctx=ast.Store())],
                               value=statement.value)
        key = f"{index:03d}"
        calls[key] = (exec, (_compile(timed), namespace))
        texts[key] = (ast.unparse(statement), categorize(statement, namespace))
    times = timing.compare(calls, settings)
    floor = times.pop("").median
    return [StatementCost(texts[key][0], max(times[key].median - floor, 0.0), texts[key][1])
            for key in sorted(times)]


# ---- ablations -----------------------------------------------------------------------------


class _DropEqualShapeUnbroadcast(ast.NodeTransformer):
    """`unbroadcast(g, x)` -> `g` where g and x already have the same shape."""

    def __init__(self, namespace: Dict[str, Any]):
        self.namespace = namespace
        self.count = 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _called_name(node) == "unbroadcast" and _same_shape(node.args[0], node.args[1],
                                                               self.namespace):
            self.count += 1
            return node.args[0]
        return node


class _ReplaceCall(ast.NodeTransformer):
    """`name(a0, a1, ...)` -> `a<keep>`."""

    def __init__(self, name: str, keep: int):
        self.name, self.keep, self.count = name, keep, 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _called_name(node) == self.name:
            self.count += 1
            return node.args[self.keep]
        return node


class _SpecializeSeed(ast.NodeTransformer):
    """`scalar_seed(y, b)` -> `b` converted to the NumPy scalar type `y` has on these inputs.

    This keeps what `scalar_seed` guarantees (a float32 loss gets a float32 seed, so the backward
    pass stays in float32) without reading `y`, so the statements computing the loss value die.
    """

    def __init__(self, namespace: Dict[str, Any]):
        self.namespace = namespace
        self.count = 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _called_name(node) != "scalar_seed":
            return node
        self.count += 1
        output = eval(compile(ast.Expression(body=node.args[0]), "<seed>", "eval"),
                      self.namespace)
        dtype = _float_dtype(output)
        if dtype is None:
            return node.args[1]
        self.namespace[SEED_TYPE] = dtype.type
        return ast.Call(func=ast.Name(id=SEED_TYPE, ctx=ast.Load()), args=[node.args[1]],
                        keywords=[])


def _drop_max_adjoint(node: ast.FunctionDef) -> int:
    """Remove `b = b + extremum_adjoint(...)`: the max-subtraction contributes exactly zero."""
    kept, dropped = [], 0
    for statement in node.body:
        if any(_called_name(n) == "extremum_adjoint" for n in ast.walk(statement)):
            dropped += 1
        else:
            kept.append(statement)
    node.body = kept
    return dropped


def _names(node: ast.AST, ctx: type) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def eliminate_dead_code(node: ast.FunctionDef) -> int:
    """Remove assignments whose results are never used (the code is straight-line)."""
    live: Set[str] = set()
    kept: List[ast.stmt] = []
    removed = 0
    for statement in reversed(node.body):
        if isinstance(statement, ast.Assign):
            targets = set().union(*(_names(t, ast.Store) for t in statement.targets))
            if not targets & live:
                removed += 1
                continue
            live -= targets
        live |= _names(statement, ast.Load)
        kept.append(statement)
    node.body = kept[::-1]
    return removed


def free_after_last_use(node: ast.FunctionDef) -> int:
    """Insert `del` for each local right after the statement that reads it for the last time.

    Generated code names every intermediate, and a named local lives until the function returns,
    whereas the temporaries of a nested expression die as soon as they are used. Returns how many
    names are freed early.
    """
    arguments = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    locals_ = set().union(*(_names(s, ast.Store) for s in node.body)) - arguments
    last_read = {}
    for index, statement in enumerate(node.body):
        for name in _names(statement, ast.Load):
            last_read[name] = index
    body: List[ast.stmt] = []
    freed = 0
    for index, statement in enumerate(node.body):
        body.append(statement)
        if isinstance(statement, ast.Return):
            continue
        dying = sorted(n for n in _names(statement, ast.Load)
                       if n in locals_ and last_read[n] == index)
        if dying:
            body.append(ast.Delete(targets=[ast.Name(id=n, ctx=ast.Del()) for n in dying]))
            freed += len(dying)
    node.body = body
    return freed


@dataclasses.dataclass
class Variant:
    key: str                                  # stable identifier used by the report
    label: str
    detail: str
    source: Optional[str]                     # None: time `function` as it is
    function: Optional[Callable[..., Any]] = None
    changed: int = 0                          # calls or statements the rewrite changed
    dead: int = 0                             # statements that became dead after it
    timing: Optional[timing.Timing] = None
    faults: Optional[float] = None            # minor page faults per call
    agrees: bool = False
    calls: int = 0                            # loops: calls removed, counted over one gradient
    names: List[str] = dataclasses.field(default_factory=list)  # loops: the values unstacked


def _load(source: str, namespace: Dict[str, Any]) -> Callable[..., Any]:
    scope = dict(namespace)
    exec(compile(source, "<benchmark variant>", "exec"), scope)
    return scope[_function_def(source).name]


def _agrees(result: Any, reference: Sequence[Any], rtol: float, atol: float) -> bool:
    result = result if isinstance(result, tuple) else (result,)
    return len(result) == len(reference) and all(
        np.shape(r) == np.shape(e) and np.allclose(r, e, rtol=rtol, atol=atol)
        for r, e in zip(result, reference))


def ablations(df: Any, args: Sequence[Any], reference: Sequence[Any],
              settings: timing.Settings, rtol: float = 1e-7, atol: float = 1e-10) -> List[Variant]:
    """Cumulative rewrites of `df`'s generated code, each checked against `reference` and timed."""
    fn = generated_function(df)
    source = sg.source(df)
    namespace, _, _ = _filled_namespace(fn, source, args)
    node = _function_def(source)

    def snapshot(key: str, label: str, detail: str, changed: int = 0, dead: int = 0) -> Variant:
        return Variant(key, label, detail, ast.unparse(ast.fix_missing_locations(node)),
                       changed=changed, dead=dead)

    variants = [
        Variant("wrapper", "through the sg.grad wrapper",
                "what users call: cache validation, then finalize_grad on every gradient",
                None, df),
        Variant("direct", "generated function, called directly", "df.generated_functions()[0]",
                None, fn),
        snapshot("recompiled", "generated code, recompiled",
                 "from sg.source, unchanged: the baseline of the rewrites below"),
    ]
    _strip_deletes(node)   # the rewrites remove statements; their own last step frees again

    equal = _DropEqualShapeUnbroadcast(namespace)
    equal.visit(node)
    dead = eliminate_dead_code(node)
    variants.append(snapshot("unbroadcast", "- unbroadcast where shapes already match",
                             f"{equal.count} call(s) replaced by their argument; "
                             f"{dead} statement(s) became dead", equal.count, dead))

    seed = _SpecializeSeed(namespace)
    seed.visit(node)
    dead = eliminate_dead_code(node)
    variants.append(snapshot("seed", "- scalar_seed, and the loss value it keeps alive",
                             f"{seed.count} call(s) replaced by the seed in the output's dtype; "
                             f"{dead} forward statement(s) became dead", seed.count, dead))

    dropped = _drop_max_adjoint(node)
    dead = eliminate_dead_code(node)
    variants.append(snapshot("max", "- max-subtraction adjoint",
                             f"{dropped} extremum_adjoint statement(s) removed; "
                             f"{dead} statement(s) became dead", dropped, dead))

    spread = _ReplaceCall("broadcast_like", keep=0)
    spread.visit(node)
    dead = eliminate_dead_code(node)
    variants.append(snapshot("broadcast_like", "- broadcast_like of reduced adjoints",
                             f"{spread.count} call(s) replaced by their argument (the consumers "
                             f"broadcast it anyway); {dead} statement(s) became dead",
                             spread.count, dead))

    freed = free_after_last_use(node)
    variants.append(snapshot("free", "+ free intermediates after their last use",
                             f"`del` inserted for {freed} local(s)", freed))

    calls: Dict[str, timing.Call] = {}
    for variant in variants:
        function = variant.function or _load(variant.source, namespace)
        variant.agrees = _agrees(function(*args), reference, rtol, atol)
        variant.faults = timing.page_faults_per_call(function, tuple(args))
        calls[variant.key] = (function, tuple(args))
    times = timing.compare(calls, settings)
    for variant in variants:
        variant.timing = times[variant.key]
    return variants


# ---- ablations of generated loops ----------------------------------------------------------
#
# The rewrites above assume straight-line code: they decide shapes from the values the function
# leaves behind, and remove dead code in one backward sweep. In a loop, a name holds a different
# value on every iteration (and the reverse loop pops the old ones back), so the loop versions
# below decide shapes on every call of a probe, and find dead code with a liveness analysis that
# iterates over loop bodies and treats each tape stack as a whole.

PROBE = "_benchmark_probe"


class _UnbroadcastSites(ast.NodeTransformer):
    """Number the `unbroadcast(g, x)` calls in source order. With `drop` None, route each through
    `_benchmark_probe(site, g, x)`; otherwise replace the calls at the sites in `drop` by `g`."""

    def __init__(self, drop: Optional[Set[int]] = None):
        self.drop, self.sites, self.count = drop, 0, 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _called_name(node) != "unbroadcast":
            return node
        site = self.sites
        self.sites += 1
        if self.drop is None:
            return ast.Call(func=ast.Name(id=PROBE, ctx=ast.Load()),
                            args=[ast.Constant(site), *node.args], keywords=[])
        if site not in self.drop:
            return node
        self.count += 1
        return node.args[0]


def _matching_unbroadcast_sites(fn: Callable[..., Any], source: str,
                                args: Sequence[Any]) -> Tuple[Set[int], int]:
    """The `unbroadcast` sites whose two arguments had the same shape on every call, and how many
    calls one call of the function makes at those sites."""
    node = _function_def(source)
    _UnbroadcastSites().visit(node)
    namespace = _namespace(fn)
    same: Dict[int, bool] = {}
    calls: Dict[int, int] = {}

    def probe(site: int, g: Any, x: Any) -> Any:
        calls[site] = calls.get(site, 0) + 1
        same[site] = same.get(site, True) and np.shape(g) == np.shape(x)
        return namespace["unbroadcast"](g, x)

    namespace[PROBE] = probe
    _load(ast.unparse(ast.fix_missing_locations(node)), namespace)(*args)
    matching = {site for site, equal in same.items() if equal}
    return matching, sum(calls[site] for site in matching)


def _popped_stack(statement: ast.stmt) -> Optional[str]:
    """`stack` for a statement `name = stack.pop()`."""
    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if isinstance(func, ast.Attribute) and func.attr == "pop" \
                and isinstance(func.value, ast.Name):
            return func.value.id
    return None


def _live_before(body: List[ast.stmt], live: Set[str], needed: Set[int]) -> Set[str]:
    """Names live before `body`, given those live after it; adds to `needed` the ids of the
    assignments whose targets are read later. Pushes (`stack.append(x)`) and pops always count as
    needed here: `eliminate_dead_stacks` removes a stack as a whole."""
    live = set(live)
    for statement in reversed(body):
        if isinstance(statement, (ast.For, ast.While)):
            header = _names(statement.iter if isinstance(statement, ast.For) else statement.test,
                            ast.Load)
            head = live | header
            while True:  # the body runs any number of times: iterate to a fixed point
                widened = live | header | _live_before(statement.body, head, needed)
                if widened == head:
                    break
                head = widened
            live = head
        elif isinstance(statement, ast.If):
            live = (_live_before(statement.body, live, needed)
                    | _live_before(statement.orelse, live, needed)
                    | _names(statement.test, ast.Load))
        elif isinstance(statement, ast.Assign):
            targets = set().union(*(_names(t, ast.Store) for t in statement.targets))
            if targets & live:
                needed.add(id(statement))
            elif _popped_stack(statement) is None:
                continue  # dead: its operands are not read on its account
            live = (live - targets) | _names(statement.value, ast.Load)
        else:
            live |= _names(statement, ast.Load)
    return live


def _prune(body: List[ast.stmt], dead_stacks: Set[str], needed: Set[int]) -> int:
    """Remove from `body`, in place and recursively, the statements that touch a stack in
    `dead_stacks` and the assignments (other than pops) not in `needed`; return how many."""
    removed = 0
    for statement in list(body):
        if isinstance(statement, (ast.For, ast.While, ast.If)):
            removed += _prune(statement.body, dead_stacks, needed)
            removed += _prune(statement.orelse, dead_stacks, needed)
            if not statement.body:
                statement.body.append(ast.Pass())
        elif ((_names(statement, ast.Load) | _names(statement, ast.Store)) & dead_stacks
              or (isinstance(statement, ast.Assign) and _popped_stack(statement) is None
                  and id(statement) not in needed)):
            body.remove(statement)
            removed += 1
    return removed


def eliminate_dead_stacks(node: ast.FunctionDef) -> Tuple[int, List[str]]:
    """Remove dead assignments, and the tape stacks none of whose popped values is read.

    Returns the number of statements removed and the names of the values whose stacks went.
    """
    removed, values = 0, []
    while True:
        needed: Set[int] = set()
        _live_before(node.body, set(), needed)
        used: Dict[str, bool] = {}
        for statement in ast.walk(node):
            stack = _popped_stack(statement)
            if stack is not None:
                used[stack] = used.get(stack, False) or id(statement) in needed
        dead_stacks = {stack for stack, read in used.items() if not read}
        values += sorted(stack.removesuffix("_stack") for stack in dead_stacks)
        count = _prune(node.body, dead_stacks, needed)
        removed += count
        if not count:
            return removed, values


def loop_ablations(df: Any, args: Sequence[Any], reference: Sequence[Any],
                   settings: timing.Settings) -> List[Variant]:
    """Cumulative rewrites of a generated gradient with loops, checked and timed like
    `ablations`."""
    fn = generated_function(df)
    source = sg.source(df)
    namespace = _namespace(fn)
    node = _function_def(source)

    def snapshot(key: str, label: str, detail: str, changed: int = 0, dead: int = 0) -> Variant:
        return Variant(key, label, detail, ast.unparse(ast.fix_missing_locations(node)),
                       changed=changed, dead=dead)

    variants = [
        Variant("direct", "generated function, called directly", "df.generated_functions()[0]",
                None, fn),
        snapshot("recompiled", "generated code, recompiled",
                 "from sg.source, unchanged: the baseline of the rewrites below"),
    ]
    _strip_deletes(node)   # the rewrites remove statements; their own last step frees again
    matching, calls = _matching_unbroadcast_sites(fn, source, args)
    equal = _UnbroadcastSites(matching)
    equal.visit(node)
    variants.append(snapshot("unbroadcast", "- unbroadcast where shapes already match",
                             f"{equal.count} of {equal.sites} call site(s) replaced by their "
                             f"argument ({calls} calls per gradient)", equal.count))
    variants[-1].calls = calls
    removed, values = eliminate_dead_stacks(node)
    variants.append(snapshot("stacks", "- pushes and pops of values no longer read",
                             f"the stacks of {', '.join(f'`{v}`' for v in values) or 'no value'} "
                             f"removed; {removed} statement(s) in all", len(values), removed))
    variants[-1].names = values

    timed: Dict[str, timing.Call] = {}
    for variant in variants:
        function = variant.function or _load(variant.source, namespace)
        variant.agrees = _agrees(function(*args), reference, 1e-7, 1e-10)
        variant.faults = timing.page_faults_per_call(function, tuple(args))
        timed[variant.key] = (function, tuple(args))
    times = timing.compare(timed, settings)
    for variant in variants:
        variant.timing = times[variant.key]
    return variants


def loop_bodies(source: str) -> List[List[ast.stmt]]:
    """The simple statements of each top-level loop of a function, in order (nested loops'
    statements included in their enclosing loop's)."""
    bodies = []
    for statement in _body(_function_def(source)):
        if isinstance(statement, (ast.For, ast.While)):
            bodies.append([n for n in ast.walk(statement) if isinstance(n, ast.stmt)
                           and not isinstance(n, (ast.For, ast.While, ast.If, ast.Pass))])
    return bodies
