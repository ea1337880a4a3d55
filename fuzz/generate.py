"""A seedable, deterministic generator of random programs in the language s2sgrad differentiates.

`program_for_seed(seed)` writes one module: a few helper functions `h0, h1, ...` and the entry
point `f`, plus the arguments to check it at. The same seed always gives the same program and
arguments. Programs are typed as they are generated (every variable has a shape, or is an int, a
list, a tuple, a dict or a function), so they run without errors; what they contain:

* straight-line NumPy and scalar (`math`) code: elementwise functions (tanh, sin, cos, exp of
  bounded arguments, log and sqrt of positive ones, squares, cubes, arctan, a logistic), + - * /
  with broadcasting ((M, N) with (N,), (M, 1), (1, N) and scalars), sum/mean/max/min/prod with
  axis and keepdims (also as methods), @ / np.dot / .dot / np.outer, reshape, transpose and .T,
  element, row, column, slice, strided, reversed and fancy indexing, masked reads, np.where,
  np.maximum/np.minimum, np.clip, abs, np.cumsum, np.stack/vstack/concatenate/np.array of
  entries, conditional expressions, .copy(), float();
* `for` over range(K), range(n), range(len(x)), reversed ranges, rows of an array, enumerate,
  zip and lists; `while` loops on data (`while w < limit and c < 4`) with data-dependent trip
  counts; `if`/`elif`/`else` on data and on ints; `break`, `continue`, `else` on loops, early
  `return` (also inside loops);
* calls to generated helpers (positional and keyword arguments, a default argument, two
  results unpacked, a function passed as an argument), helpers calling earlier helpers;
* lists (append in loops, also through a second name of the list, indexing, sum, np.stack,
  loops over them), tuples (display, indexing, unpacking), dicts (display, reads); a dict and a
  list of arrays as arguments;
* in-place updates: `x[i] += v`, `x[a:b] = v`, `A[:, j] *= v`, `x[mask] = v`, `x += y` on
  arrays (also through an alias `z = y`, and on the arguments themselves).

Programs are smooth at their arguments: every data-dependent decision (a comparison in an `if`,
a `while`, a conditional expression, np.where or a mask; the tie-break of max/min/maximum/
minimum/abs/clip) runs through a recording variant of the program (`_K.gt(a, b)` instead of
`a > b`, ...) and the arguments are redrawn until every decision is at least MARGIN (relative)
away from its switching point, and every intermediate value is finite and at most
MAX_MAGNITUDE in size, so that finite differences stay on one control-flow path and accurate.

The generator also follows which names may share memory (plain aliases `z = y`, views such
as `x[0]`, `x.T`, `x[1:]`, entries of containers), as s2sgrad's alias analysis sees them, and
writes in place only where s2sgrad accepts it, so that refusals stay rare; the writes README
documents as not yet differentiable twice (an array rebound inside a branch or loop and written
into, an aliased in-place write inside a loop) are kept in about 3% of the cases that arise, to
check that they are refused cleanly.

AVOID lists the constructs the generator leaves out because of known compiler bugs; each entry
names its reproducer in tests/test_fuzz_regressions.py. `generate(seed, avoid=set())` turns
them all back on (`python -m fuzz.run --no-avoid`, or `--allow NAME` for one).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import random
import re
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

# Constructs left out because of compiler bugs found by the fuzzer. Name -> reason (and the
# reproducer in tests/test_fuzz_regressions.py). Delete an entry once the bug is fixed.
# Empty: every construct the generator knows is generated.
AVOID: Dict[str, str] = {}

MARGIN = 1e-3          # minimum relative distance of every data-dependent decision from its switch
MAX_MAGNITUDE = 1e2    # largest intermediate value allowed (keeps finite differences accurate)
INPUT_ATTEMPTS = 8     # argument draws tried before a program is discarded as not smooth

SIZES = {
    # statements in f, helpers, statements per helper, nesting depth, expression depth
    "small": dict(stmts=(2, 5), helpers=(0, 1), helper_stmts=(1, 2), nest=2, depth=2, budget=10),
    "normal": dict(stmts=(3, 8), helpers=(0, 2), helper_stmts=(1, 3), nest=2, depth=3, budget=20),
    "large": dict(stmts=(6, 12), helpers=(1, 3), helper_stmts=(2, 4), nest=3, depth=3, budget=40),
}


# ================================================================================================
# expressions and statements (rendered twice: plain, and instrumented for the smoothness check)
# ================================================================================================


class Ex:
    """An expression: a format string over sub-expressions, and an optional instrumented format.

    What the value may share memory with (as s2sgrad's alias analysis sees it): `bases`, the
    variables it is (`view` False: a plain alias `z = y`) or may be a view of (`view` True:
    indexing, slicing, .T, reshape, a conditional expression); `opaque`, an element of a
    container. A value with none of them is `fresh`: arithmetic, calls, copies.
    """

    __slots__ = ("fmt", "kids", "inst", "bases", "view", "opaque", "pin")

    def __init__(self, fmt: str, kids=(), inst: Optional[str] = None, bases=(),
                 view: bool = False, opaque: bool = False, pin: bool = False):
        self.fmt, self.kids, self.inst = fmt, list(kids), inst
        self.bases, self.view, self.opaque = tuple(bases), view, opaque
        self.pin = pin      # a copy the program relies on: the minimizer keeps it

    @property
    def fresh(self) -> bool:
        return not self.bases and not self.opaque

    def render(self, inst: bool = False) -> str:
        fmt = self.inst if inst and self.inst is not None else self.fmt
        if not self.kids:
            return fmt
        return fmt.format(*(k.render(inst) for k in self.kids))


def _watched(e: Ex) -> Ex:
    """e, whose value the instrumented variant records too (not only assigned values: an
    `np.exp` inside an expression can be huge while what is assigned stays small)."""
    if e.inst is None:
        e.inst = "_K.v(" + e.fmt + ")"
    return e


def _name(n: str) -> Ex:
    return Ex(n, bases=(n,))


def _lit(value: float) -> Ex:
    # a negative literal is parenthesized: `{0} ** 2` of -0.88 must square it, not negate 0.88**2
    text = repr(round(value, 2))
    return Ex(f"({text})" if text.startswith("-") else text)


class Stmt:
    def lines(self, indent: str, inst: bool) -> List[str]:
        raise NotImplementedError


class Line(Stmt):
    """A simple statement; in the instrumented variant, `record` names are checked after it."""

    def __init__(self, fmt: str, kids=(), inst: Optional[str] = None, record=()):
        self.ex = Ex(fmt, kids, inst)
        self.record = list(record)

    def lines(self, indent, inst):
        out = [indent + self.ex.render(inst)]
        if inst and self.record:
            out.append(indent + "_K.v(" + ", ".join(self.record) + ")")
        return out


def _block_lines(body: List[Stmt], indent: str, inst: bool) -> List[str]:
    out: List[str] = []
    for s in body:
        out.extend(s.lines(indent, inst))
    return out or [indent + "pass"]


class If(Stmt):
    def __init__(self, cond: Ex, body, orelse=(), is_elif=False):
        self.head = Ex("{0}", [cond])
        self.body, self.orelse, self.is_elif = body, list(orelse), is_elif

    def lines(self, indent, inst):
        out = [f"{indent}if {self.head.render(inst)}:"] + _block_lines(self.body, indent + "    ",
                                                                       inst)
        orelse = self.orelse
        while len(orelse) == 1 and isinstance(orelse[0], If) and orelse[0].is_elif:
            out.append(f"{indent}elif {orelse[0].head.render(inst)}:")
            out += _block_lines(orelse[0].body, indent + "    ", inst)
            orelse = orelse[0].orelse
        if orelse:
            out.append(f"{indent}else:")
            out += _block_lines(orelse, indent + "    ", inst)
        return out


class For(Stmt):
    def __init__(self, target: str, it: Ex, body, orelse=()):
        self.head = Ex("{0}", [it])
        self.target, self.body, self.orelse = target, body, list(orelse)

    def lines(self, indent, inst):
        out = [f"{indent}for {self.target} in {self.head.render(inst)}:"]
        out += _block_lines(self.body, indent + "    ", inst)
        if self.orelse:
            out.append(f"{indent}else:")
            out += _block_lines(self.orelse, indent + "    ", inst)
        return out


class While(Stmt):
    def __init__(self, cond: Ex, body):
        self.head = Ex("{0}", [cond])
        self.body, self.orelse = body, []

    def lines(self, indent, inst):
        return ([f"{indent}while {self.head.render(inst)}:"]
                + _block_lines(self.body, indent + "    ", inst))


@dataclasses.dataclass
class Func:
    name: str
    sig: List[str]
    body: List[Stmt]

    def lines(self, inst: bool) -> List[str]:
        return [f"def {self.name}({', '.join(self.sig)}):"] + _block_lines(self.body, "    ", inst)


# ================================================================================================
# types of variables
# ================================================================================================


class Group:
    """The arrays bound to several names (`z = y`) share a group; `viewed` forbids in-place
    writes into it (a view of it, or a container holding it, is alive)."""

    __slots__ = ("viewed", "written")

    def __init__(self, viewed: bool = False):
        self.viewed = viewed
        self.written = False    # written in place (x[i] = v, x += y) so far


@dataclasses.dataclass
class F:
    """A float scalar (shape ()) or a float array."""
    shape: tuple
    group: Group = dataclasses.field(default_factory=Group)
    param: bool = False         # an argument of f
    helper_param: bool = False  # an argument of a helper (never written in place)
    fixed: bool = False         # loop variables and while-loop controls: not reassigned
    once: bool = True           # assigned by one statement, outside loops, so far
    from_call: bool = False     # bound to the result of a helper call
    pinned: bool = False        # aliased by another name: never reassigned (s2sgrad follows
                                # an alias `z = y` only while both names are assigned once)


@dataclasses.dataclass
class I:
    bound: int                  # values lie in [0, bound)


@dataclasses.dataclass
class L:
    elem: tuple
    frozen: bool = False        # being iterated over: no appends


@dataclasses.dataclass
class T:
    items: tuple


@dataclasses.dataclass
class D:
    items: dict


@dataclasses.dataclass
class Fn:
    """A function passed as an argument (np.tanh, np.sin, ...): elementwise, any shape."""


@dataclasses.dataclass
class Helper:
    name: str
    params: list                # [(name, shape or "fn")]
    keyword: Optional[tuple]    # (name, default) or None
    ret: Any                    # a shape, or ("tuple", shape, shape)
    control_flow: bool = False  # has if/for/while, or calls a helper that has
    returns_in_loop: bool = False  # returns from inside a loop


@dataclasses.dataclass
class Ctx:
    func: str
    ret: Any
    depth: int = 0
    loop: Optional[str] = None  # innermost loop kind
    in_while: bool = False
    loop_else: bool = False     # inside the `else:` block of a loop


# ================================================================================================
# the instrumented variant's recorder
# ================================================================================================


class Recorder:
    """`_K` in the instrumented program: records how close each data-dependent decision is to
    switching, and the largest intermediate value."""

    def __init__(self):
        self.margin = math.inf
        self.where = ""
        self.magnitude = 0.0
        self.finite = True

    def _gap(self, a, b, what):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.size == 0 or b.size == 0:
            return
        gap = np.abs(a - b) / (1.0 + np.maximum(np.abs(a), np.abs(b)))
        m = float(np.min(gap))
        if m < self.margin:
            self.margin, self.where = m, what

    def gt(self, a, b):
        self._gap(a, b, "comparison")
        return a > b

    def lt(self, a, b):
        self._gap(a, b, "comparison")
        return a < b

    def chain(self, a, b, c):
        self._gap(a, b, "comparison")
        self._gap(b, c, "comparison")
        return a < b < c

    def maximum(self, a, b):
        self._gap(a, b, "maximum")
        return np.maximum(a, b)

    def minimum(self, a, b):
        self._gap(a, b, "minimum")
        return np.minimum(a, b)

    def abs(self, x):
        self._gap(x, 0.0, "abs")
        return np.abs(x)

    def clip(self, x, lo, hi):
        self._gap(x, lo, "clip")
        self._gap(x, hi, "clip")
        return np.clip(x, lo, hi)

    def _ties(self, x, axis, what):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0:
            return
        y = np.moveaxis(x, axis, -1) if axis is not None else x.reshape(-1)
        if y.shape[-1] < 2:
            return
        s = np.sort(y, axis=-1)
        self._gap(s[..., -1], s[..., -2], what)
        self._gap(s[..., 0], s[..., 1], what)

    def max(self, x, axis=None, keepdims=False):
        self._ties(x, axis, "max")
        return np.max(x, axis=axis, keepdims=keepdims)

    def min(self, x, axis=None, keepdims=False):
        self._ties(x, axis, "min")
        return np.min(x, axis=axis, keepdims=keepdims)

    def v(self, *values):
        for value in values:
            self._magnitude(value)
        return values[0] if len(values) == 1 else values

    def _magnitude(self, value):
        if isinstance(value, (list, tuple)):
            for item in value:
                self._magnitude(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._magnitude(item)
        elif isinstance(value, (float, np.floating, np.ndarray)):
            a = np.asarray(value, dtype=np.float64)
            if a.size:
                if not np.all(np.isfinite(a)):
                    self.finite = False
                else:
                    self.magnitude = max(self.magnitude, float(np.max(np.abs(a))))


# ================================================================================================
# the generator
# ================================================================================================

UNARY = [  # (format, instrumented format or None, weight); {0} is always an atom or a call
    ("np.tanh({0})", None, 3), ("np.sin({0})", None, 2), ("np.cos({0})", None, 2),
    ("np.exp(np.tanh({0}))", None, 1), ("np.exp(-({0} ** 2))", None, 0.7),
    ("np.exp(0.5 * {0})", None, 0.7), ("np.log(1.0 + {0} ** 2)", None, 1),
    ("np.log1p({0} ** 2)", None, 0.4), ("np.log(np.exp({0}) + 1.0)", None, 0.4),
    ("np.sqrt({0} ** 2 + 0.5)", None, 1), ("np.square({0})", None, 0.7),
    ("({0} ** 2)", None, 1), ("({0} ** 3)", None, 0.4), ("(-{0})", None, 1),
    ("np.arctan({0})", None, 0.4), ("(1.0 / (1.0 + np.exp(-{0})))", None, 0.5),
    ("np.abs({0})", "_K.abs({0})", 0.3), ("(0.5 * {0})", None, 1), ("({0} * 1.0)", None, 0.2),
]

MATH_UNARY = [
    ("math.sin({0})", 1), ("math.cos({0})", 1), ("math.tanh({0})", 1),
    ("math.exp(math.tanh({0}))", 0.5), ("math.log(1.0 + {0} ** 2)", 0.5),
    ("math.sqrt({0} ** 2 + 1.0)", 0.5), ("math.atan({0})", 0.3),
]

DENOMINATORS = ["(1.0 + {0} ** 2)", "(2.0 + np.cos({0}))", "np.exp({0})", "(1.5 + np.tanh({0}))"]

POSITIVE_STEP = ["(0.3 + 0.2 * np.tanh({0}))", "(0.2 + {0} ** 2)", "np.exp(-({0} ** 2))",
                 "(0.5 * (1.2 + np.sin({0})))"]


class Gen:
    def __init__(self, seed: int, size: str = "normal", avoid=None):
        self.r = random.Random(seed)
        self.size = SIZES[size]
        self.avoid = set(AVOID) if avoid is None else set(avoid)
        dims = self.r.sample([2, 3, 4], 2)
        self.N, self.M = dims
        N, M = self.N, self.M
        self.shapes = [(), (N,), (M,), (M, N), (N, M), (N, N), (M, M), (M, 1), (1, N), (N, 1),
                       (1, M)]
        self.var_shapes = [((), 3), ((N,), 3), ((M,), 1.5), ((M, N), 1.5), ((N, M), 0.4),
                           ((M, 1), 0.3), ((1, N), 0.3)]
        self.counter = 0
        self.depth = 0              # nesting depth of the statement being generated
        self.loop_returns = 0       # returns inside loops in the function being generated
        self.called: set = set()    # helpers called by the function being generated
        self.rebound_in_block: set = set()  # names rebound inside an if/loop (this function)
        self.written: set = set()   # names written into by element (this function)
        self.tainted: set = set()   # names whose value depends on a helper call (this function)
        self.after_return = False   # an early return was generated (this function)
        self.dict_argument = False  # f has a dict argument
        self.budget = 0             # statements left for the function being generated
        self.unpacked: set = set()  # names bound by `a, b = h(...)` (this function)
        self.indexed_calls: set = set()  # helpers called as h(...)[k] (this function)
        self.no_container = False   # generating arguments of a call that must not read entries
        self.augmented_aliased: set = set()  # names `+=`-updated while aliased (this function)
        self.added_to_argument: set = set()  # names in `a + x`, x an argument of f
        self.helpers: List[Helper] = []
        self.features: set = set()

    # ---- small utilities ------------------------------------------------------------------

    def ok(self, feature: str) -> bool:
        """Whether `feature` may be used (not switched off by AVOID)."""
        if feature in self.avoid:
            return False
        return True

    def use(self, feature: str):
        self.features.add(feature)

    def new(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def pick(self, weighted):
        items = [(w, x) for x, w in weighted if w > 0]
        total = sum(w for w, _ in items)
        u = self.r.random() * total
        for w, x in items:
            u -= w
            if u <= 0:
                return x
        return items[-1][1]

    def recent(self, names: List[str]) -> str:
        """A name, later definitions more likely."""
        return self.pick([(n, 1.0 + i) for i, n in enumerate(names)])

    def const(self, lo=-1.0, hi=1.0) -> Ex:
        return _lit(self.r.uniform(lo, hi))

    def floats(self, env, shape=None, writable=False):
        out = []
        for n, t in env.items():
            if isinstance(t, F) and (shape is None or t.shape == shape):
                if writable and (t.fixed or t.pinned):
                    continue
                out.append(n)
        return out

    def ints(self, env):
        return [n for n, t in env.items() if isinstance(t, I)]

    def bshapes(self, S):
        """Shapes T of the universe with broadcast(S, T) == S."""
        out = []
        for T_ in self.shapes:
            if len(T_) > len(S):
                continue
            if all(t == s or t == 1 for t, s in zip(reversed(T_), reversed(S))):
                out.append(T_)
        return out

    def index(self, env, K: int) -> str:
        """An index valid on an axis of length K."""
        ints = [n for n in self.ints(env) if env[n].bound <= K]
        anyint = self.ints(env)
        choice = self.r.random()
        if ints and choice < 0.4:
            self.use("index_loop_var")
            return self.r.choice(ints)
        if anyint and choice < 0.55:
            self.use("index_loop_var")
            return f"({self.r.choice(anyint)} % {K})"
        return str(self.r.randrange(-K, K))

    # ---- expressions -------------------------------------------------------------------------

    def ex(self, env, S, d) -> Ex:
        if d <= 0 or self.r.random() < 0.4:
            return self.leaf(env, S, d)
        producers = self.producers(S)
        for _ in range(10):
            fn = self.pick(producers)
            e = fn(env, S, d)
            if e is not None:
                return e
        return self.leaf(env, S, d)

    def leaf(self, env, S, d) -> Ex:
        names = self.floats(env, S)
        if names and self.r.random() < 0.9:
            return _name(self.recent(names))
        if S == ():
            ints = self.ints(env)
            if ints and self.r.random() < 0.15:
                return Ex(f"(0.25 * {self.r.choice(ints)})")
            if self.r.random() < 0.5:
                return self.const()
        if self.r.random() < 0.9:
            e = self.derive(env, S)
            if e is not None:
                return e
        return self.const_array(S) if S != () else self.const()

    def derive(self, env, S) -> Optional[Ex]:
        """A value of shape S made from a variable of another shape by one small step."""
        cands: List[Ex] = []
        for n in self.floats(env):
            U = env[n].shape
            v = _name(n)
            if U == S:
                cands.append(v)
            elif S == ():
                cands += [Ex("np.sum({0})", [v]), Ex("np.mean({0})", [v])]
                if len(U) == 1:
                    e = Ex(f"{{0}}[{self.index(env, U[0])}]", [v])
                else:
                    e = Ex(f"{{0}}[{self.index(env, U[0])}, {self.index(env, U[1])}]", [v])
                cands.append(self.viewed(e, v, S))
            elif len(S) == 1:
                (K,) = S
                if len(U) == 2 and U[1] == K:
                    cands += [self.viewed(Ex(f"{{0}}[{self.index(env, U[0])}]", [v]), v, S),
                              Ex("np.sum({0}, axis=0)", [v]), Ex("np.mean({0}, axis=0)", [v])]
                if len(U) == 2 and U[0] == K:
                    cands += [self.viewed(Ex(f"{{0}}[:, {self.index(env, U[1])}]", [v]), v, S),
                              Ex("np.sum({0}, axis=1)", [v])]
                if len(U) == 1 and U[0] > K:
                    cands.append(self.viewed(Ex(f"{{0}}[:{K}]", [v]), v, S))
                    cands.append(self.viewed(Ex(f"{{0}}[-{K}:]", [v]), v, S))
            else:
                P, Q = S
                if U == (Q, P):
                    cands.append(self.viewed(Ex("{0}.T", [v]), v, S))
                if U == (Q,) and P == 1:
                    cands.append(self.viewed(Ex("{0}[None, :]", [v]), v, S))
                if U == (P,) and Q == 1:
                    cands.append(self.viewed(Ex("{0}[:, None]", [v]), v, S))
                if U == (P,) and Q > 1:
                    cands.append(Ex("({0}[:, None] * {1}[None, :])", [v, self.const_array((Q,))]))
                if U == (Q,) and P > 1:
                    cands.append(Ex("({0}[:, None] * {1}[None, :])", [self.const_array((P,)), v]))
        if cands:
            return self.r.choice(cands)
        names = self.floats(env)
        if not names:
            return None
        n = self.recent(names)
        s = _name(n) if env[n].shape == () else Ex("np.mean({0})", [_name(n)])
        if S == ():
            return s
        return Ex("({0} * {1})", [s, self.const_array(S)])

    def const_array(self, S) -> Ex:
        lo, hi = sorted((round(self.r.uniform(-1, 1), 2), round(self.r.uniform(-1, 1), 2)))
        hi += 0.1
        size = int(np.prod(S))
        if len(S) == 1:
            return Ex(f"np.linspace({lo!r}, {round(hi, 2)!r}, {size})")
        return Ex(f"np.linspace({lo!r}, {round(hi, 2)!r}, {size}).reshape{S!r}")

    def producers(self, S):
        p = [(self.p_unary, 4), (self.p_binary, 5), (self.p_maximum, 0.5), (self.p_where, 0.5),
             (self.p_ifexp, 0.3), (self.p_call, 1.5), (self.p_container, 1.0),
             (self.p_clip, 0.2), (self.p_copy, 0.2), (self.p_index, 1.2),
             (self.p_reduce, 1.5 if S == () else 0.8)]
        if S == ():
            p += [(self.p_dot, 1.0), (self.p_masked, 0.3), (self.p_float, 0.2),
                  (self.p_math, 1.0)]
        if len(S) == 1:
            p += [(self.p_matvec, 1.2), (self.p_slice, 0.8), (self.p_fancy, 0.3),
                  (self.p_entries, 0.3), (self.p_concat, 0.3), (self.p_cumsum, 0.2),
                  (self.p_ravel, 0.2)]
        if len(S) == 2:
            p += [(self.p_matmul, 1.0), (self.p_transpose, 0.8), (self.p_outer, 0.8),
                  (self.p_stack, 0.4), (self.p_expand, 1.0 if 1 in S else 0),
                  (self.p_slice2, 0.3)]
        return [(fn, w) for fn, w in p if w > 0]

    def p_unary(self, env, S, d):
        fns = [n for n, t in env.items() if isinstance(t, Fn)]
        if fns and self.r.random() < 0.3:
            self.use("function_argument")
            return Ex(f"{self.r.choice(fns)}({{0}})", [self.ex(env, S, d - 1)])
        fmt, inst, _ = self.pick([((f, i, w), w) for f, i, w in UNARY])
        if "abs" in fmt:
            self.use("abs")
        return _watched(Ex(fmt, [self.ex(env, S, d - 1)], inst))

    def p_math(self, env, S, d):
        self.use("math_module")
        fmt = self.pick(MATH_UNARY)
        return _watched(Ex(fmt, [self.ex(env, (), d - 1)]))

    def p_binary(self, env, S, d):
        op = self.pick([("+", 3), ("-", 2), ("*", 3), ("/", 1)])
        if len(S) == 2 and self.r.random() < 0.25:
            # both operands smaller than the result: (M, 1) * (1, N), (M, 1) + (N,)
            P, Q = S
            a = self.ex(env, (P, 1), d - 1)
            b = self.ex(env, self.r.choice([(1, Q), (Q,)]), d - 1)
            self.use("broadcast_outer")
        else:
            Tshape = self.r.choice(self.bshapes(S))
            a = self.ex(env, S, d - 1)
            b = self.ex(env, Tshape, d - 1)
            if Tshape != S:
                self.use("broadcast")
            if self.r.random() < 0.15:
                b = self.const()
        if op == "/":
            b = Ex(self.r.choice(DENOMINATORS), [b])
            return _watched(Ex("({0} / {1})", [a, b]))
        if self.r.random() < 0.5:
            a, b = b, a
        if op in "+-":
            names = [k.render() for k in (a, b)]
            if any(isinstance(env.get(n), F) and env[n].param for n in names):
                self.added_to_argument.update(n for n in names if isinstance(env.get(n), F)
                                              and not env[n].param)
        return _watched(Ex(f"({{0}} {op} {{1}})", [a, b]))

    def p_maximum(self, env, S, d):
        fn = self.r.choice(["maximum", "minimum"])
        self.use("maximum")
        a = self.ex(env, S, d - 1)
        b = self.ex(env, self.r.choice(self.bshapes(S)), d - 1) if self.r.random() < 0.7 \
            else self.const(-0.3, 0.3)
        if b.render() == a.render():
            b = self.const(-0.3, 0.3)
        return Ex(f"np.{fn}({{0}}, {{1}})", [a, b], f"_K.{fn}({{0}}, {{1}})")

    def p_where(self, env, S, d):
        self.use("where")
        p = self.ex(env, self.r.choice(self.bshapes(S)), d - 1)
        c = self.const(-0.5, 0.5)
        a = self.ex(env, S, d - 1)
        b = self.ex(env, self.r.choice(self.bshapes(S)), d - 1)
        return Ex("np.where({0} > {1}, {2}, {3})", [p, c, a, b],
                  "np.where(_K.gt({0}, {1}), {2}, {3})")

    def p_ifexp(self, env, S, d):
        self.use("conditional_expression")
        self.depth += 1                 # the branches run conditionally (calls in them)
        a, b = self.ex(env, S, d - 1), self.ex(env, S, d - 1)
        self.depth -= 1
        return Ex("({0} if {1} else {2})", [a, self.cond(env, d - 1), b],
                  bases=a.bases + b.bases, view=not (a.fresh and b.fresh),
                  opaque=a.opaque or b.opaque)

    def p_clip(self, env, S, d):
        self.use("clip")
        lo = round(self.r.uniform(-1.0, 0.0), 2)
        hi = round(lo + self.r.uniform(0.3, 1.5), 2)
        return Ex(f"np.clip({{0}}, {lo!r}, {hi!r})", [self.ex(env, S, d - 1)],
                  f"_K.clip({{0}}, {lo!r}, {hi!r})")

    def p_copy(self, env, S, d):
        if S == ():
            return None
        self.use("copy")
        fmt = self.r.choice(["{0}.copy()", "np.copy({0})"])
        return Ex(fmt, [self.ex(env, S, d - 1)])

    def p_float(self, env, S, d):
        return Ex("float({0})", [self.ex(env, (), d - 1)])

    def p_call(self, env, S, d):
        cands = []
        for h in self.helpers:
            if h.ret == S:
                cands.append((h, None))
            elif isinstance(h.ret, tuple) and h.ret and h.ret[0] == "tuple":
                for k, s in enumerate(h.ret[1:]):
                    if s == S:
                        cands.append((h, k))
        if not cands:
            return None
        h, k = self.r.choice(cands)
        if k is not None and h.returns_in_loop:
            if not self.ok("index_tuple_result_of_helper_returning_in_loop"):
                return None
            self.use("index_tuple_result_of_helper_returning_in_loop")
        if k is not None and h.name in self.indexed_calls:
            if not self.ok("index_results_of_chained_calls"):
                return None
            self.use("index_results_of_chained_calls")
        if h.control_flow and self.depth > 0:
            if not self.ok("call_with_control_flow_in_branch"):
                return None
            self.use("call_with_control_flow_in_branch")
        if k is not None:
            self.indexed_calls.add(h.name)  # before the arguments, which may call h again
        call = self.call(env, h, d)
        self.use("call")
        if k is None:
            return call
        self.use("call_tuple_index")
        return Ex(f"{{0}}[{k}]", [call])

    def call(self, env, h: Helper, d) -> Ex:
        self.called.add(h.name)
        saved = self.no_container
        if self.depth > 0 and not self.ok("call_on_container_entry_in_branch"):
            self.no_container = True    # no tuple/list/dict entries in the arguments
        try:
            return self._call(env, h, d)
        finally:
            self.no_container = saved

    def _call(self, env, h: Helper, d) -> Ex:
        kids, parts = [], []
        for pname, pshape in h.params:
            if pshape == "fn":
                parts.append(self.r.choice(["np.tanh", "np.sin", "np.cos"]))
                continue
            kids.append(self.ex(env, pshape, d - 1))
            parts.append("{%d}" % (len(kids) - 1))
        if h.keyword is not None:
            u = self.r.random()
            if u < 0.4:
                kids.append(self.ex(env, (), d - 1))
                parts.append(f"{h.keyword[0]}={{{len(kids) - 1}}}")
                self.use("keyword_argument")
            elif u < 0.6:
                kids.append(self.ex(env, (), d - 1))
                parts.append("{%d}" % (len(kids) - 1))
            else:
                self.use("default_argument")
        return Ex(f"{h.name}({', '.join(parts)})", kids)

    def p_container(self, env, S, d):
        if self.no_container:
            return None
        opts = []
        for n, t in env.items():
            if isinstance(t, L) and t.elem == S:
                opts += [(f"{n}[-1]", "list_index"), (f"{n}[0]", "list_index"),
                         (f"sum({n})", "list_sum"),
                         (f"np.sum(np.stack({n}), axis=0)", "list_stack"),
                         (f"np.mean(np.stack({n}), axis=0)", "list_stack")]
            elif isinstance(t, T):
                opts += [(f"{n}[{k}]", "tuple_index") for k, s in enumerate(t.items) if s == S]
            elif isinstance(t, D):
                opts += [(f'{n}["{k}"]', "dict_read") for k, s in t.items.items() if s == S]
        if not opts:
            return None
        text, feature = self.r.choice(opts)
        self.use(feature)
        return Ex(text, opaque=feature not in ("list_sum", "list_stack"))

    def p_index(self, env, S, d):
        """x[i] (rows, elements) or A[:, j] (columns) or A[i, j]."""
        opts = []
        for U in self.shapes:
            if len(U) == len(S) + 1 and U[1:] == S:
                opts.append(("row", U))
            if len(U) == 2 and len(S) == 1 and U[0] == S[0]:
                opts.append(("col", U))
            if len(U) == 2 and S == ():
                opts.append(("elem", U))
        if not opts:
            return None
        kind, U = self.r.choice(opts)
        src = self.indexable(env, U, d)
        if kind == "row":
            self.use("index")
            e = Ex(f"{{0}}[{self.index(env, U[0])}]", [src])
        elif kind == "col":
            self.use("index_column")
            e = Ex(f"{{0}}[:, {self.index(env, U[1])}]", [src])
        else:
            self.use("index_2d")
            e = Ex(f"{{0}}[{self.index(env, U[0])}, {self.index(env, U[1])}]", [src])
        return self.viewed(e, src, S)

    def indexable(self, env, U, d) -> Ex:
        names = self.floats(env, U)
        if names and self.r.random() < 0.75:
            return _name(self.recent(names))
        return self.ex(env, U, d - 1)

    def viewed(self, e: Ex, src: Ex, S) -> Ex:
        """e is a view of src (s2sgrad cannot tell x[0] of a vector from a row, so scalars
        count too): not fresh if src is a name, a view of one or a container's element."""
        e.bases, e.opaque, e.view = src.bases, src.opaque, not src.fresh
        if src.fresh and S != () and not self.ok("element_write_into_view_of_temporary"):
            e.opaque = True     # a view of a temporary: kept from in-place writes
        return e

    def p_slice(self, env, S, d):
        (K,) = S
        opts = [U for U in self.shapes if len(U) == 1 and U[0] >= K]
        U = self.r.choice(opts)
        Ln = U[0]
        forms = [f"[:{K}]", f"[{Ln - K}:]", f"[-{K}:]"]
        if Ln > K:
            a = self.r.randrange(0, Ln - K + 1)
            forms.append(f"[{a}:{a + K}]")
        if Ln == K:
            forms += ["[::-1]", "[:]"]
        if (Ln + 1) // 2 == K:
            forms.append("[::2]")
        if Ln // 2 == K and Ln > 1:
            forms.append("[1::2]")
        src = self.indexable(env, U, d)
        self.use("slice")
        return self.viewed(Ex("{0}" + self.r.choice(forms), [src]), src, S)

    def p_slice2(self, env, S, d):
        P, Q = S
        opts = [U for U in self.shapes if len(U) == 2 and U[1] == Q and U[0] > P]
        opts2 = [U for U in self.shapes if len(U) == 2 and U[0] == P and U[1] > Q]
        if opts and (not opts2 or self.r.random() < 0.5):
            U = self.r.choice(opts)
            a = self.r.randrange(0, U[0] - P + 1)
            form = f"[{a}:{a + P}]"
        elif opts2:
            U = self.r.choice(opts2)
            a = self.r.randrange(0, U[1] - Q + 1)
            form = f"[:, {a}:{a + Q}]"
        else:
            return None
        src = self.indexable(env, U, d)
        self.use("slice_2d")
        return self.viewed(Ex("{0}" + form, [src]), src, S)

    def p_fancy(self, env, S, d):
        (K,) = S
        U = self.r.choice([U for U in self.shapes if len(U) == 1])
        idx = [self.r.randrange(U[0]) for _ in range(K)]
        self.use("fancy_index")
        src = self.indexable(env, U, d)
        # a copy for NumPy, but s2sgrad's alias analysis counts it as a possible view
        return self.viewed(Ex(f"{{0}}[{idx!r}]", [src]), src, S)

    def p_masked(self, env, S, d):
        names = [n for n in self.floats(env) if env[n].shape != ()]
        if not names:
            return None
        n = self.recent(names)
        c = round(self.r.uniform(-0.5, 0.5), 2)
        self.use("masked_read")
        return Ex(f"np.sum({n}[{n} > {c!r}])", inst=f"np.sum({n}[_K.gt({n}, {c!r})])")

    def p_entries(self, env, S, d):
        (K,) = S
        self.use("np_array_of_entries")
        kids = [self.ex(env, (), d - 1) for _ in range(K)]
        return Ex("np.array([" + ", ".join("{%d}" % i for i in range(K)) + "])", kids)

    def vec_len(self, env, k, d) -> Ex:
        if (k,) in self.shapes and self.r.random() < 0.5:
            return self.ex(env, (k,), d - 1)
        U = self.r.choice([U for U in self.shapes if len(U) == 1 and U[0] >= k])
        return Ex(f"{{0}}[:{k}]", [self.ex(env, U, d - 1)])

    def p_concat(self, env, S, d):
        (K,) = S
        if K < 2:
            return None
        p = self.r.randrange(1, K)
        self.use("concatenate")
        fn = self.r.choice(["np.concatenate", "np.hstack"])
        return Ex(fn + "([{0}, {1}])", [self.vec_len(env, p, d), self.vec_len(env, K - p, d)])

    def p_cumsum(self, env, S, d):
        self.use("cumsum")
        return Ex("np.cumsum({0})", [self.ex(env, S, d - 1)])

    def p_ravel(self, env, S, d):
        (K,) = S
        U = self.r.choice([(1, K), (K, 1)])
        fmt = self.r.choice(["{0}.reshape(-1)", "np.ravel({0})", f"{{0}}.reshape({K})",
                             "{0}[0]" if U == (1, K) else "{0}[:, 0]"])
        self.use("reshape")
        src = self.indexable(env, U, d)
        return self.viewed(Ex(fmt, [src]), src, S)

    def p_reduce(self, env, S, d):
        fn = self.pick([("sum", 4), ("mean", 2), ("max", 0.7), ("min", 0.4), ("prod", 0.2)])
        opts = []
        for U in self.shapes:
            if U == ():
                continue
            if S == ():
                opts.append((U, None, False))
                if len(U) == 1:
                    opts.append((U, 0, False))
            if len(U) == 2:
                for ax in (0, 1):
                    rest = U[1 - ax]
                    if S == (rest,):
                        opts.append((U, ax, False))
                    kd = (1, U[1]) if ax == 0 else (U[0], 1)
                    if S == kd:
                        opts.append((U, ax, True))
        if not opts:
            return None
        U, ax, keep = self.r.choice(opts)
        if fn == "prod" and int(np.prod(U)) > 4:
            fn = "sum"
        args = "" if ax is None else f", axis={ax}"
        if keep:
            args += ", keepdims=True"
        self.use("reduce_" + fn + ("_axis" if ax is not None else ""))
        src = self.ex(env, U, d - 1)
        inst = None
        if fn in ("max", "min"):
            inst = f"_K.{fn}({{0}}{args})"
        if self.r.random() < 0.3 and (fn != "min" or self.ok("min_method_with_zip_loop")):
            self.use("reduce_method")
            margs = args[2:] if args else ""
            return Ex(f"{{0}}.{fn}({margs})", [src], inst)
        return Ex(f"np.{fn}({{0}}{args})", [src], inst)

    def p_dot(self, env, S, d):
        K = self.r.choice([self.N, self.M])
        fmt = self.r.choice(["({0} @ {1})", "np.dot({0}, {1})", "{0}.dot({1})"])
        self.use("dot")
        a = self.ex(env, (K,), d - 1)
        if fmt == "{0}.dot({1})" and not _atom(a):
            fmt = "np.dot({0}, {1})"
        return Ex(fmt, [a, self.ex(env, (K,), d - 1)])

    def p_matvec(self, env, S, d):
        (P,) = S
        K = self.r.choice([self.N, self.M])
        self.use("matvec")
        if self.r.random() < 0.5:
            fmt = self.r.choice(["({0} @ {1})", "np.dot({0}, {1})", "np.matmul({0}, {1})"])
            return Ex(fmt, [self.ex(env, (P, K), d - 1), self.ex(env, (K,), d - 1)])
        return Ex("({0} @ {1})", [self.ex(env, (K,), d - 1), self.ex(env, (K, P), d - 1)])

    def p_matmul(self, env, S, d):
        P, Q = S
        K = self.r.choice([self.N, self.M])
        self.use("matmul")
        fmt = self.r.choice(["({0} @ {1})", "({0} @ {1})", "np.dot({0}, {1})"])
        return Ex(fmt, [self.ex(env, (P, K), d - 1), self.ex(env, (K, Q), d - 1)])

    def p_transpose(self, env, S, d):
        P, Q = S
        src = self.indexable(env, (Q, P), d)
        self.use("transpose")
        fmt = self.r.choice(["{0}.T", "np.transpose({0})", "{0}.transpose()"])
        return self.viewed(Ex(fmt, [src]), src, S)

    def p_outer(self, env, S, d):
        P, Q = S
        self.use("outer")
        if self.r.random() < 0.5 and P > 1 and Q > 1:
            return Ex("np.outer({0}, {1})", [self.ex(env, (P,), d - 1), self.ex(env, (Q,), d - 1)])
        return Ex("({0}[:, None] * {1}[None, :])",
                  [self.ex(env, (P,), d - 1), self.ex(env, (Q,), d - 1)])

    def p_stack(self, env, S, d):
        P, Q = S
        if P > 4 or Q > 4:
            return None
        self.use("stack")
        if self.r.random() < 0.5:
            kids = [self.ex(env, (Q,), d - 1) for _ in range(P)]
            fn = self.r.choice(["np.stack([{}])", "np.vstack([{}])", "np.array([{}])"])
        else:
            kids = [self.ex(env, (P,), d - 1) for _ in range(Q)]
            fn = "np.stack([{}], axis=1)"
        inner = ", ".join("{%d}" % i for i in range(len(kids)))
        return Ex(fn.replace("{}", inner), kids)

    def p_expand(self, env, S, d):
        P, Q = S
        if P == 1:
            fmt = self.r.choice(["{0}[None, :]", f"{{0}}.reshape(1, {Q})", "{0}.reshape(1, -1)",
                                 "np.expand_dims({0}, 0)"])
            src = self.indexable(env, (Q,), d)
        else:
            fmt = self.r.choice(["{0}[:, None]", f"{{0}}.reshape({P}, 1)", "{0}.reshape(-1, 1)",
                                 "np.expand_dims({0}, 1)"])
            src = self.indexable(env, (P,), d)
        self.use("reshape")
        return self.viewed(Ex(fmt, [src]), src, S)

    # ---- conditions --------------------------------------------------------------------------

    def cond(self, env, d) -> Ex:
        u = self.r.random()
        ints = self.ints(env)
        if u < 0.12 and ints:
            self.use("int_condition")
            i = self.r.choice(ints)
            return Ex(self.r.choice([f"({i} > 0)", f"({i} % 2 == 0)", f"({i} < 2)"]))
        if u < 0.22 and d > 0:
            self.use("compound_condition")
            op = self.r.choice(["and", "or"])
            first = self.cond(env, d - 1)
            self.depth += 1             # short-circuit: the second operand runs conditionally
            second = self.cond(env, d - 1)
            self.depth -= 1
            return Ex(f"({{0}} {op} {{1}})", [first, second])
        if u < 0.27 and d > 0:
            return Ex("(not {0})", [self.cond(env, d - 1)])
        if u < 0.35:
            self.use("chained_comparison")
            lo = round(self.r.uniform(-1.0, 0.3), 2)
            hi = round(lo + self.r.uniform(0.3, 1.5), 2)
            return Ex(f"({lo!r} < {{0}} < {hi!r})", [self.ex(env, (), d)],
                      f"_K.chain({lo!r}, {{0}}, {hi!r})")
        if u < 0.42:
            S = self.r.choice([s for s in self.shapes if s != ()])
            fn = self.r.choice(["np.any", "np.all"])
            self.use("any_all")
            return Ex(f"{fn}({{0}} > {{1}})", [self.ex(env, S, d), self.const(-0.5, 0.5)],
                      f"{fn}(_K.gt({{0}}, {{1}}))")
        self.use("data_condition")
        a = self.ex(env, (), d)
        b = self.const(-0.5, 0.5) if self.r.random() < 0.6 else self.ex(env, (), d - 1)
        if b.render() == a.render():
            b = self.const(-0.5, 0.5)
        if self.r.random() < 0.5:
            return Ex("({0} > {1})", [a, b], "_K.gt({0}, {1})")
        return Ex("({0} < {1})", [a, b], "_K.lt({0}, {1})")

    # ---- statements --------------------------------------------------------------------------

    def block(self, env, ctx: Ctx, n: int) -> List[Stmt]:
        out: List[Stmt] = []
        for k in range(n):
            if k and self.budget <= 0:
                break
            out += self.stmt(env, ctx)
        return out

    def inplace_ok(self, env, name) -> bool:
        t = env[name]
        if not isinstance(t, F) or t.shape == () or t.fixed or t.group.viewed:
            return False
        if t.helper_param:
            return False
        if t.param and not self.ok("inplace_on_argument"):
            return False
        return True

    def limited(self, env, name, ctx, element: bool) -> bool:
        if ctx.loop_else:
            if not self.ok("augmented_assignment_in_loop_else"):
                return True
            self.use("augmented_assignment_in_loop_else")
        if element and name in self.augmented_aliased:
            if not self.ok("element_write_after_aliased_augment"):
                return True
            self.use("element_write_after_aliased_augment")
        if element and self.dict_argument:
            if not self.ok("element_write_with_dict_argument"):
                return True
            self.use("element_write_with_dict_argument")
        """Mostly leave out in-place writes that s2sgrad documents it cannot differentiate
        twice ("an array written after it is popped from a stack": y rebound inside a branch
        or a loop and written into by element; "an aliased in-place write inside a loop").
        A few are kept, to check the refusal stays a clean, located error."""
        hit = (element and name in self.rebound_in_block) or (
            ctx.loop is not None and len(self.group_names(env, name)) > 1)
        if not hit:
            return False
        if self.r.random() < 0.97:
            return True
        self.use("documented_order2_limitation")
        return False

    def stmt(self, env, ctx: Ctx) -> List[Stmt]:
        # after an early return the rest of the function runs conditionally
        self.depth = ctx.depth + (1 if self.after_return else 0)
        d = self.size["depth"]
        self.budget -= 1
        nest_ok = ctx.depth < self.size["nest"] and self.budget > 2
        in_loop = ctx.loop is not None
        writable = self.floats(env, writable=True)
        inplace = [n for n in writable if self.inplace_ok(env, n)]
        lists = [n for n, t in env.items() if isinstance(t, L)]
        kinds = [
            ("assign", 5), ("reassign", (4 if in_loop else 2) if writable else 0),
            ("aug", (2.5 if in_loop else 1) if writable else 0),
            ("inplace", 1.2 if inplace else 0), ("elem_write", 1.5 if inplace else 0),
            ("alias", 0.3), ("view", 0.3),
            ("list", 0.6), ("append", (2.5 if in_loop else 0.3) if lists else 0),
            ("list_alias", 0.6 if lists else 0),
            ("tuple", 0.4), ("dict", 0.4), ("unpack_call", 0.6),
            ("if", 2.2 if nest_ok else 0), ("for", 1.6 if nest_ok else 0),
            ("while", 1.0 if nest_ok else 0),
            ("break", 1.0 if in_loop else 0), ("continue", 0.8 if in_loop else 0),
            ("return", 0.5 if ctx.depth > 0 else 0),
        ]
        for _ in range(20):
            kind = self.pick(kinds)
            out = getattr(self, "s_" + kind)(env, ctx, d)
            if out is not None:
                break
        else:
            out = self.s_assign(env, ctx, d)
        for st in out:
            if isinstance(st, Line) and self.tainted_text(st.ex.render()):
                self.tainted.update(st.record)
        return out

    def tainted_text(self, text: str) -> bool:
        """Whether code depends on the result of a call to a helper (see
        dead_write_of_call_result in AVOID)."""
        if re.search(r"\bh\d+\(", text):
            return True
        return any(re.search(r"\b%s\b" % n, text) for n in self.tainted)

    def bind(self, env, name, shape, e: Ex, ctx: Ctx, new: bool):
        """Record `name = e` in env: a fresh group, or the group of what e aliases or views."""
        old = env.get(name)
        if isinstance(old, F):
            old.once = False
        groups = []
        for b in e.bases:
            t = env.get(b)
            if isinstance(t, F) and all(t.group is not g for g in groups):
                groups.append(t.group)
        if e.fresh:
            group = Group()
        elif (not e.view and not e.opaque and len(groups) == 1 and new and ctx.depth == 0
              and env[e.bases[0]].once and not env[e.bases[0]].fixed):
            group = groups[0]            # a plain alias z = y: s2sgrad follows those while
            env[e.bases[0]].pinned = True  # both names are assigned once
            env[name] = F(shape, group, pinned=True)
            return env[name]
        else:
            for g in groups:
                g.viewed = True
            group = groups[0] if len(groups) == 1 and not e.opaque else Group(True)
            group.viewed = True
        env[name] = F(shape, group, once=new and ctx.loop is None)
        return env[name]

    def alias_after_write(self, env, e: Ex) -> bool:
        """`a = y` with y's array written in place before (AVOID alias_after_inplace_write)."""
        t = env.get(e.render())
        if not isinstance(t, F) or t.shape == () or not t.group.written:
            return False
        if not self.ok("alias_after_inplace_write"):
            return True
        self.use("alias_after_inplace_write")
        return False

    def s_assign(self, env, ctx, d):
        S = self.pick(self.var_shapes)
        e = self.ex(env, S, d)
        if self.alias_after_write(env, e):
            return None
        name = self.new("a")
        self.bind(env, name, S, e, ctx, new=True)
        env[name].from_call = bool(re.match(r"h\d+\(", e.render()))
        return [Line(f"{name} = {{0}}", [e], record=[name])]

    def s_reassign(self, env, ctx, d):
        names = self.floats(env, writable=True)
        if not names:
            return None
        name = self.recent(names)
        if self.call_result_in_block(env, name, ctx):
            return None
        if ctx.depth > 0:
            if name in self.written and self.r.random() < 0.97:
                return None             # see limited()
            self.rebound_in_block.add(name)
        S = env[name].shape
        self_ok = self.ok("self_assignment") and (
            not ctx.loop_else or self.ok("self_assignment_in_loop_else"))
        if self.r.random() < 0.05 and not env[name].group.viewed and self_ok:
            self.use("self_assignment")
            env[name].once = False
            return [Line(f"{name} = {name}", record=[name])]
        e = self.ex(env, S, d)
        if e.render() == name and not self_ok:
            return None
        if self.alias_after_write(env, e):
            return None
        if re.match(r"h\d+\(", e.render()) and name in self.rebound_in_block:
            if not self.ok("rebind_to_call_after_block"):
                return None
            self.use("rebind_to_call_after_block")
        if ctx.depth > 0 and not e.fresh:
            e = Ex("({0} * 1.0)", [e], pin=True)
        old = env[name]
        self.bind(env, name, S, e, ctx, new=False)
        env[name].from_call = bool(re.match(r"h\d+\(", e.render()))
        env[name].param = old.param and env[name].group is old.group
        env[name].helper_param = old.helper_param and env[name].group is old.group
        if ctx.loop:
            self.use("loop_carried")
        return [Line(f"{name} = {{0}}", [e], record=[name])]

    def s_aug(self, env, ctx, d):
        names = [n for n in self.floats(env, writable=True) if env[n].shape == ()
                 and not env[n].group.viewed]
        if not names:
            return None
        if ctx.loop_else:
            if not self.ok("augmented_assignment_in_loop_else"):
                return None
            self.use("augmented_assignment_in_loop_else")
        name = self.recent(names)
        if self.call_result_in_block(env, name, ctx, update=True):
            return None
        env[name].once = False
        if ctx.depth > 0:
            self.rebound_in_block.add(name)
        op = self.pick([("+=", 3), ("-=", 1), ("*=", 1)])
        e = self.ex(env, (), d)
        if self.tainted_text(e.render()):
            if not self.ok("dead_write_of_call_result"):
                return None
            self.use("augmented_scalar_of_call_result")
        if op == "*=":
            e = Ex("(1.0 + 0.5 * np.tanh({0}))", [e])
        self.use("augmented_scalar")
        return [Line(f"{name} {op} {{0}}", [e], record=[name])]

    def call_result_in_block(self, env, name, ctx, update: bool = False) -> bool:
        """Whether rebinding (inside a block) or updating (`+=`, anywhere) `name`, bound to a
        helper's result, is left out (AVOID rebind_or_update_call_result)."""
        if not env[name].from_call or (ctx.depth == 0 and not update):
            return False
        if not self.ok("rebind_or_update_call_result"):
            return True
        self.use("rebind_or_update_call_result")
        return False

    def s_inplace(self, env, ctx, d):
        names = [n for n in self.floats(env) if self.inplace_ok(env, n)
                 and not self.call_result_in_block(env, n, ctx, update=True)]
        if not names:
            return None
        name = self.recent(names)
        if self.limited(env, name, ctx, element=False):
            return None
        if ctx.depth > 0:
            if name in self.written and self.r.random() < 0.97:
                return None             # see limited()
            self.rebound_in_block.add(name)
        env[name].once = False          # `x += y` assigns x again (for s2sgrad's aliasing)
        if len(self.group_names(env, name)) > 1:
            self.augmented_aliased.update(self.group_names(env, name))
        S = env[name].shape
        op = self.pick([("+=", 3), ("-=", 1), ("*=", 1.5), ("/=", 0.5)])
        e = self.ex(env, self.r.choice(self.bshapes(S)), d)
        if self.tainted_text(e.render()):
            if not self.ok("dead_write_of_call_result"):
                return None
            self.use("inplace_update_of_call_result")
        if op == "/=":
            e = Ex(self.r.choice(DENOMINATORS), [e])
        self.use("inplace_array")
        self._inplace_features(env, name, ctx)
        return [Line(f"{name} {op} {{0}}", [e], record=self.group_names(env, name))]

    def _inplace_features(self, env, name, ctx):
        env[name].group.written = True
        if env[name].param:
            self.use("inplace_on_argument")
        if len(self.group_names(env, name)) > 1:
            self.use("inplace_aliased")
        if ctx.loop:
            self.use("inplace_in_loop")

    def group_names(self, env, name):
        g = env[name].group
        return [n for n, t in env.items() if isinstance(t, F) and t.group is g]

    def s_elem_write(self, env, ctx, d):
        names = [n for n in self.floats(env) if self.inplace_ok(env, n)
                 and n not in self.unpacked
                 and (n not in self.added_to_argument
                      or self.ok("element_write_after_adding_to_argument"))]
        if not names:
            return None
        name = self.recent(names)
        if self.limited(env, name, ctx, element=True):
            return None
        self.written.add(name)
        S = env[name].shape
        op = self.pick([("=", 2), ("+=", 2), ("-=", 0.5), ("*=", 1)])
        if op != "=" and env[name].from_call:
            if not self.ok("augmented_element_write_into_call_result"):
                op = "="
            else:
                self.use("augmented_element_write_into_call_result")
        inst_target = None
        if len(S) == 1:
            (K,) = S
            form = self.pick([("elem", 4), ("slice", 1.5), ("mask", 0.5), ("fancy", 0.3)])
            if form == "elem":
                target, V = f"{name}[{self.index(env, K)}]", ()
            elif form == "slice":
                a = self.r.randrange(0, K)
                b = self.r.randrange(a + 1, K + 1)
                target, V = f"{name}[{a}:{b}]", self.r.choice([(), (b - a,)])
                if V not in self.shapes:
                    V = ()
            elif form == "mask":
                c = round(self.r.uniform(-0.5, 0.5), 2)
                target, V = f"{name}[{name} > {c!r}]", ()
                inst_target = f"{name}[_K.gt({name}, {c!r})]"
            else:
                idx = sorted(set(self.r.randrange(K) for _ in range(2)))
                target, V = f"{name}[{idx!r}]", ()
            self.use("write_" + form)
        else:
            P, Q = S
            form = self.pick([("elem", 3), ("row", 1.5), ("col", 1)])
            if form == "elem":
                target, V = f"{name}[{self.index(env, P)}, {self.index(env, Q)}]", ()
            elif form == "row":
                target, V = f"{name}[{self.index(env, P)}]", self.r.choice([(), (Q,)])
            else:
                target, V = f"{name}[:, {self.index(env, Q)}]", self.r.choice([(), (P,)])
            self.use("write_2d_" + form)
        saved = self.no_container
        if ctx.loop and not self.ok("element_write_of_list_entry_in_loop"):
            self.no_container = True
        try:
            e = self.ex(env, V, d)
        finally:
            self.no_container = saved
        if e.render() in self.group_names(env, name):
            if not self.ok("write_array_into_itself"):
                return None
            self.use("write_array_into_itself")
        if self.tainted_text(e.render()):
            if not self.ok("dead_write_of_call_result"):
                return None
            self.use("element_write_of_call_result")
        for n in self.group_names(env, name):
            if re.search(r"\b%s\.(T\b|transpose\(|reshape\()|np\.(transpose|ravel|expand_dims)"
                         r"\(%s\b" % (n, n), e.render()):
                if not self.ok("element_write_reading_own_view"):
                    return None
                self.use("element_write_reading_own_view")
        if op == "*=":
            e = Ex("(1.0 + 0.5 * np.tanh({0}))", [e])
        self._inplace_features(env, name, ctx)
        inst = None
        if inst_target is not None:
            inst = f"{inst_target} {op} {{0}}"
        return [Line(f"{target} {op} {{0}}", [e], inst, record=self.group_names(env, name))]

    def s_alias(self, env, ctx, d):
        names = [n for n in self.floats(env) if env[n].shape != () and env[n].once
                 and not env[n].fixed
                 and not self.alias_after_write(env, _name(n))]
        if not names or not self.ok("alias") or ctx.depth > 0:
            return None
        src = self.recent(names)
        name = self.new("z")
        env[name] = F(env[src].shape, env[src].group, param=env[src].param, pinned=True)
        env[src].pinned = True
        self.use("alias")
        return [Line(f"{name} = {src}", record=[name])]

    def s_view(self, env, ctx, d):
        names = [n for n in self.floats(env) if len(env[n].shape) >= 1]
        if not names:
            return None
        src = self.recent(names)
        S = env[src].shape
        if len(S) == 2:
            fmt, V = self.r.choice([("{0}[%s]" % self.index(env, S[0]), S[1:]),
                                    ("{0}.T", (S[1], S[0])),
                                    ("{0}[:, %s]" % self.index(env, S[1]), (S[0],))])
        else:
            fmt, V = self.r.choice([("{0}[1:]", (S[0] - 1,)), ("{0}[::-1]", S),
                                    ("{0}.reshape(1, -1)", (1, S[0]))])
        if V not in self.shapes:
            return None
        name = self.new("r")
        e = Ex(fmt, [_name(src)], bases=(src,), view=True)
        self.bind(env, name, V, e, ctx, new=True)
        self.use("view_variable")
        return [Line(f"{name} = {{0}}", [e], record=[name])]

    def s_list(self, env, ctx, d):
        S = self.pick(self.var_shapes)
        n = self.r.choice([1, 1, 2])
        kids = [self.ex(env, S, d - 1) for _ in range(n)]
        self._stored(env, kids)
        name = self.new("lst")
        env[name] = L(S)
        self.use("list")
        return [Line(f"{name} = [" + ", ".join("{%d}" % i for i in range(n)) + "]", kids,
                     record=[name])]

    def _stored(self, env, kids):
        """Arrays stored in a container by name: no in-place writes to them afterwards."""
        for k in kids:
            self.mark_viewed(env, k)

    def mark_viewed(self, env, e: Ex):
        """Something keeps a view of e (or e itself) alive: no in-place writes into it."""
        for b in e.bases:
            if isinstance(env.get(b), F):
                env[b].group.viewed = True

    def s_append(self, env, ctx, d, into=None):
        lists = [n for n, t in env.items() if isinstance(t, L) and not t.frozen]
        if not lists:
            return None
        name = into or self.r.choice(lists)
        e = self.ex(env, env[name].elem, d - 1)
        if re.search(r"\b%s\b" % name, e.render()) and ctx.depth > 1:
            if not self.ok("conditional_append_of_value_from_same_list"):
                return None
            self.use("conditional_append_of_value_from_same_list")
        if ctx.loop and not e.fresh:
            # the list outlives the iteration: an array appended by name would be written
            # into by statements generated before this one in the loop body
            e = Ex("({0} * 1.0)", [e], pin=True)
        self._stored(env, [e])
        self.use("append_in_loop" if ctx.loop else "append")
        return [Line(f"{name}.append({{0}})", [e], record=[name])]

    def s_list_alias(self, env, ctx, d):
        """A second name of a list (`lst2 = lst1`): what either appends, both see."""
        lists = [n for n, t in env.items() if isinstance(t, L)]
        if not lists:
            return None
        source = self.r.choice(lists)
        name = self.new("lst")
        env[name] = env[source]         # one L: appends through either name, frozen for both
        self.use("list_alias")
        out = [Line(f"{name} = {{0}}", [Ex("{0}", [_name(source)])], record=[name])]
        if not env[name].frozen and self.r.random() < 0.6:     # and an entry through it
            out += self.s_append(env, ctx, d, into=name) or []
        return out

    def s_tuple(self, env, ctx, d):
        shapes = (self.pick(self.var_shapes), self.pick(self.var_shapes))
        kids = [self.ex(env, s, d - 1) for s in shapes]
        self._stored(env, kids)
        name = self.new("t")
        env[name] = T(shapes)
        self.use("tuple")
        out = [Line(f"{name} = ({{0}}, {{1}})", kids, record=[name])]
        if self.r.random() < 0.4 and (not ctx.loop_else or self.ok("unpack_in_loop_else")):
            if ctx.loop_else:
                self.use("unpack_in_loop_else")
            a, b = self.new("a"), self.new("a")
            env[a], env[b] = F(shapes[0], Group(True)), F(shapes[1], Group(True))
            self.use("tuple_unpack")
            out.append(Line(f"{a}, {b} = {name}", record=[a, b]))
        return out

    def s_dict(self, env, ctx, d):
        shapes = {"p": self.pick(self.var_shapes), "q": self.pick(self.var_shapes)}
        kids = [self.ex(env, s, d - 1) for s in shapes.values()]
        self._stored(env, kids)
        name = self.new("dct")
        env[name] = D(shapes)
        self.use("dict")
        return [Line(f'{name} = {{{{"p": {{0}}, "q": {{1}}}}}}', kids, record=[name])]

    def s_unpack_call(self, env, ctx, d):
        cands = [h for h in self.helpers if isinstance(h.ret, tuple) and h.ret[:1] == ("tuple",)
                 and (not h.control_flow or self.depth == 0
                      or self.ok("call_with_control_flow_in_branch"))]
        if not cands:
            return None
        h = self.r.choice(cands)
        a, b = self.new("a"), self.new("a")
        e = self.call(env, h, d)
        if ctx.loop_else:
            if not self.ok("unpack_in_loop_else"):
                return None
            self.use("unpack_in_loop_else")
        env[a], env[b] = F(h.ret[1], from_call=True), F(h.ret[2], from_call=True)
        if not self.ok("element_write_into_unpacked_call_result"):
            self.unpacked.update((a, b))

        if not self.ok("reassign_unpacked_call_results"):
            env[a].pinned = env[b].pinned = True
        self.use("call_unpack")
        return [Line(f"{a}, {b} = {{0}}", [e], record=[a, b])]

    def child(self, ctx: Ctx, loop=None, loop_else=False) -> Ctx:
        return Ctx(ctx.func, ctx.ret, ctx.depth + 1, loop or ctx.loop,
                   ctx.in_while or loop == "while", ctx.loop_else or loop_else)

    def nbody(self) -> int:
        return self.r.choice([1, 2, 2, 3])

    def s_if(self, env, ctx, d):
        c = self.cond(env, 2)
        body = self.block(dict(env), self.child(ctx), self.nbody())
        orelse: List[Stmt] = []
        u = self.r.random()
        if u < 0.2:
            self.use("elif")
            c2 = self.cond(env, 2)
            b2 = self.block(dict(env), self.child(ctx), self.nbody())
            e2 = self.block(dict(env), self.child(ctx), self.nbody()) if self.r.random() < 0.6 \
                else []
            orelse = [If(c2, b2, e2, is_elif=True)]
        elif u < 0.65:
            orelse = self.block(dict(env), self.child(ctx), self.nbody())
        self.use("if")
        return [If(c, body, orelse)]

    def s_for(self, env, ctx, d):
        inner = dict(env)
        forms = [("range", 3), ("range_len", 1.5), ("range_n", 1.0 if self.int_params(env) else 0),
                 ("rows", 1.2), ("enumerate", 1.0), ("zip", 0.8),
                 ("list", 1.0 if any(isinstance(t, L) for t in env.values()) else 0),
                 ("reversed", 0.4)]
        form = self.pick(forms)
        pre: List[Stmt] = []
        if form == "range":
            K = self.r.randint(1, 4)
            i = self.new("i")
            start = self.r.choice([0, 0, 1]) if K > 1 else 0
            it = Ex(f"range({K})" if start == 0 else f"range({start}, {K})")
            inner[i] = I(K)
            target = i
        elif form == "reversed":
            K = self.r.randint(2, 4)
            i = self.new("i")
            it = Ex(f"range({K - 1}, -1, -1)")
            inner[i] = I(K)
            target = i
        elif form == "range_len":
            names = [n for n in self.floats(env) if env[n].shape != ()]
            if not names:
                return None
            x = self.recent(names)
            i = self.new("i")
            it = Ex(f"range(len({x}))")
            inner[i] = I(env[x].shape[0])
            target = i
        elif form == "range_n":
            n = self.r.choice(self.int_params(env))
            i = self.new("i")
            it = Ex(f"range({n})")
            inner[i] = I(env[n].bound)
            target = i
        elif form in ("rows", "enumerate"):
            U = self.r.choice([s for s in self.shapes if s != ()])
            src = self.indexable(env, U, d - 1)
            self.mark_viewed(env, src)
            self.fix_iterated(env, inner, src)
            row = self.new("e")
            inner[row] = F(U[1:], Group(True), fixed=True)
            if form == "rows":
                target, it = row, src
            else:
                i = self.new("i")
                inner[i] = I(U[0])
                target, it = f"{i}, {row}", Ex("enumerate({0})", [src])
            self.use("for_" + form)
        elif form == "zip":
            K = self.r.choice([self.N, self.M])
            U1 = self.r.choice([s for s in self.shapes if s and s[0] == K])
            U2 = self.r.choice([s for s in self.shapes if s and s[0] == K])
            s1, s2 = self.indexable(env, U1, d - 1), self.indexable(env, U2, d - 1)
            for s in (s1, s2):
                self.mark_viewed(env, s)
                self.fix_iterated(env, inner, s)
            p, q = self.new("e"), self.new("e")
            inner[p] = F(U1[1:], Group(True), fixed=True)
            inner[q] = F(U2[1:], Group(True), fixed=True)
            target, it = f"{p}, {q}", Ex("zip({0}, {1})", [s1, s2])
            self.use("for_zip")
        else:  # over a list
            lst = self.r.choice([n for n, t in env.items() if isinstance(t, L)])
            e = self.new("e")
            inner[e] = F(env[lst].elem, Group(True), fixed=True)
            inner[lst] = L(env[lst].elem, frozen=True)
            target, it = e, Ex(lst)
            self.use("for_list")
        if form in ("range", "reversed", "range_len", "range_n"):
            self.use("for_" + form)
        if self.tainted_text(it.render()):
            self.tainted.update(n.strip() for n in target.split(","))
        body = self.block(inner, self.child(ctx, "for"), self.nbody())
        orelse: List[Stmt] = []
        if self.r.random() < 0.1:
            self.use("for_else")
            orelse = self.block(dict(env), self.child(ctx, loop_else=True), 1)
            if self.r.random() < 0.3 and self.ok("return_in_loop_else"):
                self.use("return_in_loop_else")
                self.depth = ctx.depth + 1
                orelse.append(self.ret_stmt(env, ctx.ret, d))
                self.after_return = True
        return pre + [For(target, it, body, orelse)]

    def fix_iterated(self, env, inner, src: Ex):
        """`for e in A:` iterates over the array A was bound to when the loop started; s2sgrad
        re-reads A each step (AVOID rebind_iterated_array_in_loop): keep A bound in the body."""
        if src.render() in env and isinstance(env[src.render()], F) and \
                not self.ok("rebind_iterated_array_in_loop"):
            t = env[src.render()]
            inner[src.render()] = F(t.shape, t.group, t.param, t.helper_param, fixed=True,
                                    once=t.once, from_call=t.from_call, pinned=t.pinned)

    def int_params(self, env):
        return [n for n, t in env.items() if isinstance(t, I) and n.startswith("n")]

    def s_while(self, env, ctx, d):
        w, c = self.new("w"), self.new("c")
        limit = round(self.r.uniform(0.5, 2.5), 2)
        T_ = self.r.randint(2, 5)
        pre = [Line(f"{w} = {{0}}", [Ex("np.tanh({0})", [self.ex(env, (), d - 1)])],
                    record=[w])]
        env[w] = F(())
        counted = self.r.random() < 0.85 or not self.ok("while_without_counter")
        inner = dict(env)
        inner[w] = F((), fixed=True)
        if counted:
            pre.append(Line(f"{c} = 0"))
            env[c] = I(T_ + 1)
            inner[c] = I(T_ + 1)
            if self.r.random() < 0.5:
                cond = Ex(f"({w} < {limit!r} and {c} < {T_})",
                          inst=f"(_K.lt({w}, {limit!r}) and {c} < {T_})")
            else:
                cond = Ex(f"({c} < {T_} and {w} < {limit!r})",
                          inst=f"({c} < {T_} and _K.lt({w}, {limit!r}))")
        else:
            cond = Ex(f"{w} < {limit!r}", inst=f"_K.lt({w}, {limit!r})")
            self.use("while_without_counter")
        self.depth = ctx.depth + 1
        self.rebound_in_block.add(w)
        # without a counter the step must be bounded below (np.exp(-v ** 2) is not)
        steps = POSITIVE_STEP if counted else [p for p in POSITIVE_STEP if "exp" not in p]
        step = Line(f"{w} = {w} + {{0}}",
                    [Ex(self.r.choice(steps), [self.ex(inner, (), d - 1)])], record=[w])
        body: List[Stmt] = [Line(f"{c} += 1")] if counted else [step]
        rest = self.block(inner, self.child(ctx, "while"), self.nbody())
        if counted:
            pos = self.r.randrange(len(rest) + 1)
            rest.insert(pos, step)
        self.use("while")
        return pre + [While(cond, body + rest)]

    def s_break(self, env, ctx, d):
        if ctx.loop is None:
            return None
        kind = self.r.choice(["break", "continue"])
        return self._jump(env, ctx, kind)

    def s_continue(self, env, ctx, d):
        if ctx.loop is None:
            return None
        return self._jump(env, ctx, "continue")

    def _jump(self, env, ctx, kind):
        c = self.cond(env, 2)
        body: List[Stmt] = []
        if self.r.random() < 0.3:
            body = self.block(dict(env), self.child(ctx), 1)
        self.use(kind)
        return [If(c, body + [Line(kind)])]

    def s_return(self, env, ctx, d):
        if ctx.loop_else and ctx.loop:
            if not self.ok("return_in_loop_else"):
                return None
            self.use("return_in_loop_else")
        if ctx.loop:
            if self.loop_returns and not self.ok("several_returns_in_loops"):
                return None
            self.loop_returns += 1
            if self.loop_returns > 1:
                self.use("several_returns_in_loops")
        c = self.cond(env, 2)
        self.use("early_return_in_loop" if ctx.loop else "early_return")
        self.depth = ctx.depth + 1
        out = [If(c, [self.ret_stmt(env, ctx.ret, d)])]
        self.after_return = True
        return out

    def ret_stmt(self, env, ret, d) -> Stmt:
        if isinstance(ret, tuple) and ret[:1] == ("tuple",):
            kids = [self.fresh_ex(env, s, d) for s in ret[1:]]
            return Line("return ({0}, {1})", kids, "return _K.v(({0}, {1}))")
        return Line("return {0}", [self.fresh_ex(env, ret, d)], "return _K.v({0})")

    def fresh_ex(self, env, S, d) -> Ex:
        """A value of shape S that no name aliases (what helpers and f return)."""
        if S == () and self.r.random() < 0.7:
            return self.summary(env, d)
        e = self.ex(env, S, d)
        if not e.fresh:
            e = Ex("({0} * 1.0)", [e], pin=True)
        return e

    def summary(self, env, d) -> Ex:
        """A scalar depending on several of the variables in scope."""
        names = [n for n in self.floats(env)]
        terms: List[Ex] = []
        for _ in range(self.r.randint(1, 3)):
            if not names:
                break
            n = self.recent(names)
            S = env[n].shape
            if S == ():
                terms.append(self.r.choice([_name(n), Ex("np.tanh({0})", [_name(n)])]))
            else:
                fmt = self.r.choice(["np.sum({0})", "np.sum({0} ** 2)", "np.mean(np.sin({0}))",
                                     "np.sum({0} * {1})"])
                kids = [_name(n)] + ([self.ex(env, S, 1)] if "{1}" in fmt else [])
                terms.append(Ex(fmt, kids))
        if not terms or self.r.random() < 0.3:
            terms.append(self.ex(env, (), d))
        fmt = " + ".join("{%d}" % i for i in range(len(terms)))
        return Ex(f"({fmt})" if len(terms) > 1 else fmt, terms)

    # ---- functions and the module --------------------------------------------------------------

    def helper(self) -> Func:
        name = f"h{len(self.helpers)}"
        nparams = self.r.randint(1, 3)
        params = []
        env: Dict[str, Any] = {}
        for k in range(nparams):
            S = self.pick(self.var_shapes)
            p = "abc"[k]
            params.append((p, S))
            env[p] = F(S, helper_param=True)
        if self.r.random() < 0.15 and self.ok("function_argument"):
            params.append(("act", "fn"))
            env["act"] = Fn()
        keyword = None
        if self.r.random() < 0.35:
            keyword = ("scale", round(self.r.uniform(0.2, 1.5), 2))
            env["scale"] = F((), helper_param=True)
        if self.r.random() < 0.25:
            ret = ("tuple", self.pick(self.var_shapes), self.pick(self.var_shapes))
        else:
            ret = self.pick(self.var_shapes)
        ctx = Ctx(name, ret)
        self.loop_returns, self.called = 0, set()
        self.rebound_in_block, self.written, self.tainted = set(), set(), set()
        self.after_return = False
        self.unpacked, self.indexed_calls = set(), set()
        self.augmented_aliased = set()
        self.budget = self.size["budget"] // (2 if "helper_stmts" == "helper_stmts" else 1)
        body = self.block(env, ctx, self.r.randint(*self.size["helper_stmts"]))
        self.depth = 1 if self.after_return else 0
        body.append(self.ret_stmt(env, ret, self.size["depth"]))
        sig = [p for p, _ in params]
        if keyword is not None:
            sig.append(f"{keyword[0]}={keyword[1]!r}")
        control_flow = any(isinstance(st, (If, For, While)) for st in body) or any(
            h.control_flow for h in self.helpers if h.name in self.called)
        self.helpers.append(Helper(name, params, keyword, ret, control_flow,
                                   self.loop_returns > 0))
        self.use("helper")
        return Func(name, sig, body)

    def main(self):
        env: Dict[str, Any] = {}
        params = []
        for k in range(self.r.randint(1, 3)):
            S = self.pick([((self.N,), 3), ((self.M, self.N), 2), ((), 1.5), ((self.M,), 1)])
            name = "xyu"[k]
            params.append((name, ("float", S)))
            env[name] = F(S, param=True)
        if self.r.random() < 0.15:
            params.append(("s", ("float", ())))
            env["s"] = F((), param=True)
        if self.r.random() < 0.1:
            params.append(("params", ("dict", {"w": (self.M, self.N), "b": (self.M,)})))
            env["params"] = D({"w": (self.M, self.N), "b": (self.M,)})
            self.use("dict_argument")
            self.dict_argument = True
        if self.r.random() < 0.1:
            params.append(("xs", ("list", (self.N,), self.r.randint(1, 3))))
            env["xs"] = L((self.N,), frozen=True)   # appending to an argument changes it
            self.use("list_argument")
        if self.r.random() < 0.2:
            params.append(("n", ("int", 4)))
            env["n"] = I(4)
        scalar = self.r.random() < 0.9
        ret = () if scalar else (self.N,)
        ctx = Ctx("f", ret)
        self.loop_returns, self.called = 0, set()
        self.rebound_in_block, self.written, self.tainted = set(), set(), set()
        self.after_return = False
        self.unpacked, self.indexed_calls = set(), set()
        self.augmented_aliased = set()
        self.budget = self.size["budget"] // (2 if "stmts" == "helper_stmts" else 1)
        body = self.block(env, ctx, self.r.randint(*self.size["stmts"]))
        self.depth = 1 if self.after_return else 0
        body.append(self.ret_stmt(env, ret, self.size["depth"]))
        return params, scalar, Func("f", [p for p, _ in params], body)

    def module(self):
        funcs = [self.helper() for _ in range(self.r.randint(*self.size["helpers"]))]
        params, scalar, main = self.main()
        return params, scalar, funcs + [main]


def _atom(e: Ex) -> bool:
    return not e.kids and e.fmt.replace("_", "").isalnum()


# ================================================================================================
# programs, arguments, the smoothness check
# ================================================================================================


@dataclasses.dataclass
class Program:
    seed: int
    size: str
    dims: tuple                 # (N, M)
    funcs: List[Func]           # the helpers, then f
    params: list                # [(name, kind)] of f
    scalar: bool                # f returns a scalar (checked at order 2 too)
    features: set
    args: Optional[list] = None  # None: discarded (no smooth arguments found)
    reason: str = ""            # why it was discarded
    attempts: int = 0

    def render(self, inst: bool = False) -> str:
        lines = [f'"""Generated by fuzz.generate (seed {self.seed}, dims N={self.dims[0]}, '
                 f'M={self.dims[1]})."""', "", "import math", "", "import numpy as np", "", ""]
        for fn in self.funcs:
            lines += fn.lines(inst) + ["", ""]
        return "\n".join(lines[:-2]) + "\n"

    @property
    def source(self) -> str:
        """The module, as written to a file and differentiated."""
        return self.render(False)

    @property
    def instrumented(self) -> str:
        """The recording variant (uses `_K`)."""
        return self.render(True)

    def args_source(self) -> str:
        return "[" + ", ".join(_literal(a) for a in (self.args or [])) + "]"

    def reproducer(self) -> str:
        """A standalone script that checks the program."""
        return (self.source + "\n\n" + "if __name__ == \"__main__\":\n"
                "    import s2sgrad\n\n"
                f"    args = {self.args_source()}\n"
                "    s2sgrad.check_grads(f, args, order=1)\n"
                + ("    s2sgrad.check_grads(f, args, order=2)\n" if self.scalar else "")
                + "    print(\"ok\")\n")


def _literal(a) -> str:
    if isinstance(a, np.ndarray):
        return f"np.array({a.tolist()!r})"
    if isinstance(a, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in a.items()) + "}"
    if isinstance(a, list):
        return "[" + ", ".join(_literal(v) for v in a) + "]"
    return repr(a)


def draw_args(params, rng: np.random.Generator) -> list:
    args = []
    for _, kind in params:
        if kind[0] == "float":
            S = kind[1]
            args.append(float(np.round(rng.normal(0.0, 0.8), 6)) if S == ()
                        else np.round(rng.normal(0.0, 0.8, S), 6))
        elif kind[0] == "dict":
            args.append({k: np.round(rng.normal(0.0, 0.8, s), 6) for k, s in kind[1].items()})
        elif kind[0] == "list":
            args.append([np.round(rng.normal(0.0, 0.8, kind[1]), 6) for _ in range(kind[2])])
        else:
            args.append(int(rng.integers(0, kind[1])))
    return args


def smoothness(instrumented: str, args: list) -> Tuple[bool, str]:
    """Run the recording variant at args: (ok, reason)."""
    rec = Recorder()
    namespace: Dict[str, Any] = {"_K": rec, "__name__": "fuzz_instrumented"}
    try:
        exec(compile(instrumented, "<fuzz-instrumented>", "exec"), namespace)
        with np.errstate(all="ignore"):
            out = rec.v(namespace["f"](*copy.deepcopy(args)))
    except Exception as exc:  # a generator bug: reported as such by the runner
        return False, f"invalid: {type(exc).__name__}: {exc}"
    del out
    if not rec.finite:
        return False, "not finite"
    if rec.magnitude > MAX_MAGNITUDE:
        return False, "too large"
    if rec.margin < MARGIN:
        return False, f"near a switch ({rec.where})"
    return True, ""


def generate(seed: int, size: str = "normal", avoid=None) -> Program:
    """The program of `seed` (arguments not drawn yet)."""
    gen = Gen(seed, size, avoid)
    params, scalar, funcs = gen.module()
    return Program(seed, size, (gen.N, gen.M), funcs, params, scalar, gen.features)


def program_for_seed(seed: int, size: str = "normal", avoid=None) -> Program:
    """The program of `seed` with arguments at which it is smooth (or `args=None`, `reason`)."""
    prog = generate(seed, size, avoid)
    rng = np.random.default_rng([seed, 8])
    reason = ""
    for attempt in range(INPUT_ATTEMPTS):
        args = draw_args(prog.params, rng)
        ok, reason = smoothness(prog.instrumented, args)
        if ok:
            prog.args, prog.attempts = args, attempt + 1
            return prog
        if reason.startswith("invalid"):
            break
    prog.reason = reason
    return prog
