"""Run one generated program through s2sgrad and classify the outcome.

`check_program(prog, workdir)` writes the program to a real module file (s2sgrad reads its
source with `inspect.getsource`), imports it and runs, in order:

* stage "value": `value_and_grad` (or `jvp` for array outputs) must return what calling f
  returns, and leave the arguments as it found them;
* stage "order1": `check_grads(f, args, order=1)` (reverse and forward mode against central
  differences and each other);
* stage "order2" (scalar outputs): `check_grads(f, args, order=2)` (the Hessian times a
  direction by all four compositions of the modes).

Outcomes: "pass"; "mismatch" (numbers differ: a GradientCheckError, or the value/arguments check
fails); "crash" (any exception that is not an S2sgradError); "refused" (a clear S2sgradError);
"timeout" (the checks took longer than the time limit: very large programs); "discarded" (no
arguments found at which the program is smooth); "invalid" (the program itself fails to run: a
generator bug).

`minimize(prog, result)` shrinks a failing program (deleting statements, helpers, branches and
sub-expressions) while it keeps failing the same way, still runs and stays smooth at its
arguments; `python -m fuzz.run --minimize SEED` prints the result.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib.util
import itertools
import os
import re
import signal
import sys
import time
import traceback
import warnings
from typing import Any, Callable, List, Optional

import numpy as np

import s2sgrad as sg

from . import generate as gen

_COUNTER = itertools.count()


@dataclasses.dataclass
class Result:
    seed: int
    outcome: str                # pass, mismatch, crash, refused, timeout, discarded, invalid
    stage: str = ""             # value, order1, order2
    kind: str = ""              # a short key grouping failures of the same cause
    message: str = ""           # the first line of the error
    detail: str = ""            # the full error (and traceback for crashes)
    seconds: float = 0.0
    features: tuple = ()

    @property
    def signature(self) -> tuple:
        return (self.outcome, self.stage, self.kind)


class Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise Timeout("the check took too long")


@contextlib.contextmanager
def deadline(seconds: float):
    """Raise Timeout in the block after `seconds` (where SIGALRM exists; nested: innermost)."""
    if not hasattr(signal, "SIGALRM") or seconds <= 0:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load(prog: gen.Program, workdir: str) -> Callable:
    """Write the program to a module file in workdir, import it and return its f."""
    name = f"fuzzprog_{prog.seed}_{os.getpid()}_{next(_COUNTER)}"
    path = os.path.join(workdir, name + ".py")
    with open(path, "w") as fh:
        fh.write(prog.source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.f


def unload(f: Callable) -> None:
    name = f.__module__
    module = sys.modules.pop(name, None)
    path = getattr(module, "__file__", None)
    if path and os.path.exists(path):
        os.remove(path)


def _is_float(value: Any) -> bool:
    if type(value) in (list, tuple):
        return bool(value) and all(_is_float(v) for v in value)
    if type(value) is dict:
        return bool(value) and all(_is_float(v) for v in value.values())
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (float, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f")


def _same(a: Any, b: Any, rtol: float = 0.0) -> bool:
    if type(a) in (list, tuple):
        return type(b) is type(a) and len(a) == len(b) and all(
            _same(p, q, rtol) for p, q in zip(a, b))
    if type(a) is dict:
        return type(b) is dict and a.keys() == b.keys() and all(
            _same(a[k], b[k], rtol) for k in a)
    try:
        return bool(np.allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                                rtol=rtol, atol=0.0, equal_nan=True)) and np.shape(a) == np.shape(b)
    except (TypeError, ValueError):
        return a == b


class ValueMismatch(Exception):
    pass


def value_check(f: Callable, args: list, scalar: bool) -> None:
    """Reverse mode returns f's value and leaves the argument arrays as it found them (README:
    "a derivative call leaves argument arrays as it found them (with vjp, once vjp_fn has
    run)"); forward mode returns f's value."""
    wrt = tuple(i for i, a in enumerate(args) if _is_float(a))
    expected = f(*copy.deepcopy(args))
    given = copy.deepcopy(args)
    restores = True
    if scalar:
        value, _ = sg.value_and_grad(f, wrt=wrt)(*given)
    elif len(wrt) == len(args):
        value, vjp_fn = sg.vjp(f, *given)
        vjp_fn(np.ones(np.shape(value)))
    else:
        tangents = [copy.deepcopy(a) if i in wrt else None for i, a in enumerate(args)]
        value, _ = sg.jvp(f, given, tangents)
        restores = False
    if not _same(value, expected, rtol=1e-12):
        raise ValueMismatch(f"the derivative computed the value {value!r}, f computes "
                            f"{expected!r}")
    if restores and not _same(given, args):
        raise ValueMismatch("differentiating f changed its arguments")


def _s2sgrad_frame(tb) -> str:
    """file:line of the innermost frame inside s2sgrad (or the last frame)."""
    frames = traceback.extract_tb(tb)
    inside = [fr for fr in frames if f"{os.sep}s2sgrad{os.sep}" in fr.filename]
    fr = (inside or frames or [None])[-1]
    if fr is None:
        return "?"
    path = fr.filename
    if f"{os.sep}s2sgrad{os.sep}" in path:
        path = "s2sgrad" + path.rsplit(f"{os.sep}s2sgrad", 1)[1]
    else:
        path = os.path.basename(path)
    return f"{path}:{fr.lineno} ({fr.name})"


def _mismatch_kind(message: str) -> str:
    first = message.split("\n", 1)[0]
    if " derivative of " in first:
        label = first.split(" derivative of ", 1)[0]
        against = first.split(" disagrees with ", 1)[1].split(":", 1)[0] \
            if " disagrees with " in first else ""
        return f"{label} vs {against}"
    if "has shape" in first:
        return "gradient shape"
    return first[:80]


def classify(seed: int, stage: str, exc: BaseException) -> Result:
    if isinstance(exc, (sg.GradientCheckError, ValueMismatch)):
        text = str(exc)
        if isinstance(exc, ValueMismatch):
            kind = "value" if "value" in text else "arguments changed"
        else:
            kind = _mismatch_kind(exc.message)
        return Result(seed, "mismatch", stage, kind, text.split("\n", 1)[0], text)
    if isinstance(exc, sg.S2sgradError):
        return Result(seed, "refused", stage, exc.message.split("\n", 1)[0][:120],
                      exc.message.split("\n", 1)[0], str(exc))
    if isinstance(exc, Timeout):
        return Result(seed, "timeout", stage, "timeout", str(exc), "")
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    kind = f"{type(exc).__name__} at {_s2sgrad_frame(exc.__traceback__)}"
    first = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return Result(seed, "crash", stage, kind, first[:300], detail)


def check_program(prog: gen.Program, workdir: str, timeout: float = 120.0) -> Result:
    """Run and classify one program (see the module docstring)."""
    start = time.perf_counter()
    features = tuple(sorted(prog.features))
    if prog.args is None:
        outcome = "invalid" if prog.reason.startswith("invalid") else "discarded"
        return Result(prog.seed, outcome, "generate", prog.reason.split(":")[0], prog.reason,
                      features=features)
    result = _run(prog, workdir, timeout)
    result.seconds = time.perf_counter() - start
    result.features = features
    return result


def _run(prog: gen.Program, workdir: str, timeout: float) -> Result:
    args = prog.args
    f = None
    stage = "load"
    try:
        with deadline(timeout):
            try:
                f = load(prog, workdir)
                with np.errstate(all="ignore"):
                    f(*copy.deepcopy(args))
            except Timeout:
                raise
            except Exception as exc:  # the program itself does not run: a generator bug
                return Result(prog.seed, "invalid", "load", f"{type(exc).__name__}",
                              f"{type(exc).__name__}: {exc}", traceback.format_exc())
            stages = [("value", lambda: value_check(f, args, prog.scalar)),
                      ("order1", lambda: sg.check_grads(f, copy.deepcopy(args), order=1))]
            if prog.scalar:
                stages.append(("order2",
                               lambda: sg.check_grads(f, copy.deepcopy(args), order=2)))
            with np.errstate(all="ignore"):
                for stage, run in stages:
                    run()
        return Result(prog.seed, "pass")
    except Exception as exc:  # classify everything: the point of the fuzzer
        return classify(prog.seed, stage, exc)
    finally:
        if f is not None:
            unload(f)


# ================================================================================================
# minimizing a failing program
# ================================================================================================


def _bodies_of(fn: gen.Func) -> List[list]:
    out: List[list] = []

    def visit(stmts):
        out.append(stmts)
        for s in stmts:
            for attr in ("body", "orelse"):
                inner = getattr(s, attr, None)
                if isinstance(inner, list):
                    visit(inner)

    visit(fn.body)
    return out


def _bodies(prog: gen.Program) -> List[list]:
    """Every statement list of the program (function bodies, branches, loop bodies)."""
    return [body for fn in prog.funcs for body in _bodies_of(fn)]


def _expression_slots(prog: gen.Program) -> List[tuple]:
    """(kids list, index) of every sub-expression."""
    out: List[tuple] = []

    def visit(e):
        for i, k in enumerate(e.kids):
            out.append((e.kids, i))
            visit(k)

    for body in _bodies(prog):
        for s in body:
            head = getattr(s, "head", None) or getattr(s, "ex", None)
            if head is not None:
                visit(head)
    return out


def _mutations(prog: gen.Program):
    """Candidate simplifications, as (apply, undo) pairs, biggest first."""
    for k in range(len(prog.funcs) - 1):
        fn = prog.funcs[k]

        def apply(k=k):
            del prog.funcs[k]

        def undo(k=k, fn=fn):
            prog.funcs.insert(k, fn)
        yield apply, undo
    for body in _bodies(prog):
        for i in range(len(body)):
            s = body[i]
            if isinstance(s, gen.Line) and s.ex.fmt.startswith("return") and body is \
                    prog.funcs[-1].body and i == len(body) - 1:
                continue

            def apply(body=body, i=i):
                del body[i]

            def undo(body=body, i=i, s=s):
                body.insert(i, s)
            yield apply, undo
            for attr in ("body", "orelse"):
                inner = getattr(s, attr, None)
                if isinstance(inner, list) and (inner or attr == "orelse"):
                    def apply(body=body, i=i, inner=inner):
                        body[i:i + 1] = inner

                    def undo(body=body, i=i, s=s, inner=inner):
                        body[i:i + len(inner)] = [s]
                    yield apply, undo
            if getattr(s, "orelse", None):
                def apply(s=s):
                    s._saved, s.orelse = s.orelse, []

                def undo(s=s):
                    s.orelse = s._saved
                yield apply, undo
    for kids, i in _expression_slots(prog):
        e = kids[i]
        if getattr(e, "pin", False):
            continue
        replacements = list(e.kids) + [gen.Ex("0.5")]
        for new in replacements:
            def apply(kids=kids, i=i, new=new):
                kids[i] = new

            def undo(kids=kids, i=i, e=e):
                kids[i] = e
            yield apply, undo


def minimize(prog: gen.Program, result: Result, workdir: str, timeout: float = 60.0,
             log: Optional[Callable[[str], None]] = None) -> gen.Program:
    """Shrink prog while it fails with the same signature (outcome, stage, kind)."""
    prog = copy.deepcopy(prog)
    target = result.signature

    def still_fails() -> bool:
        for body in _bodies(prog):     # constructs the generator avoids must stay out
            for st in body:
                if isinstance(st, gen.Line) and re.fullmatch(r"(\w+) = \1", st.ex.render()):
                    return False
        for fn in prog.funcs[:-1]:     # helpers return new arrays, never their arguments
            for body in _bodies_of(fn):
                for st in body:
                    if isinstance(st, gen.Line) and re.fullmatch(
                            r"return \(?(\w+(, )?)+\)?|return .*, (\w+)\)|return \((\w+),.*",
                            st.ex.render()):
                        return False
        try:
            with deadline(5.0):
                if result.outcome == "mismatch":
                    ok, _ = gen.smoothness(prog.instrumented, prog.args)
                    if not ok:
                        return False
                namespace: dict = {}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(prog.source, "<candidate>", "exec"), namespace)
                with np.errstate(all="ignore"):
                    value = namespace["f"](*copy.deepcopy(prog.args))
        except Exception:
            return False
        if prog.scalar and (not isinstance(value, (float, np.floating, np.ndarray))
                            or np.ndim(value) != 0):
            return False
        return _run(prog, workdir, timeout).signature == target

    changed = True
    tries = 0
    while changed:
        changed = False
        position = 0
        while True:
            candidates = list(itertools.islice(_mutations(prog), position, None))
            if not candidates:
                break
            for offset, (apply, undo) in enumerate(candidates):
                before = len(prog.source)
                apply()
                tries += 1
                if len(prog.source) < before and still_fails():
                    changed = True
                    position += offset
                    if log:
                        log(f"  {len(prog.source)} characters after {tries} tries")
                    break
                undo()
            else:
                break
    return prog
