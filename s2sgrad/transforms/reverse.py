"""Reverse mode: from normalized code to its primal sweep and adjoint sweep.

Needs: a normalized `FunctionSource` (one operation per statement, structured jumps, a single final
`return <atom>`), its active names, the differentiated parameter names and the `Namer`.
Guarantees: `Sweeps` whose adjoint statements visit the primal statements in reverse order, each
block headed by a `# grad of: <user line>` comment, each operation's adjoint rule inlined.

Straight-line code needs nothing recorded (normalization gave its names one assignment each), and
there the first contribution to an adjoint is an assignment (`bx = ...`), later ones accumulate.
Loops and branches are replayed:
- a loop counts its iterations (`n_i = n_i + 1`); the adjoint runs its reversed body that many
  times, `for _ in range(n_i)`, so a data-dependent `while` or a `break` is replayed exactly;
- a branch's decision is a name (normalization made it one); the adjoint tests the same name;
- a name assigned in a loop or branch is overwritten, so the primal pushes its old value on a
  stack of its own before each assignment (`h_stack.append(h)`) and the adjoint pops it back after
  the assignment's adjoint (`h = h_stack.pop()`). Only names the adjoint actually reads are
  recorded; everything else is removed again (`_keep_needed_records`).
Adjoints used inside a loop or branch are initialized to zero before it and accumulate inside;
the adjoint of an overwritten name is reset after its assignment, since the older value is a
different variable.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

import gast
import numpy as np

from .. import anno, astutil, codegen, runtime
from ..analysis import activity, aliases, containers, overwrites
from ..errors import Location
from ..frontend.source import FunctionSource
from ..naming import Namer, short_filename
from ..optimizations import rematerialize
from . import calls
from .reverse_ops import Site, adjoint_of, helper_call


@dataclasses.dataclass
class Sweeps:
    """The two halves of a reverse-mode derivative, before assembly into functions."""

    primal: List[Any]             # the primal statements (without the return), with recording
    output: Any                   # the returned atom
    adjoint: List[Any]            # adjoint statements, reverse order, with comments
    gradients: List[Any]          # one expression per differentiated parameter
    seed: str                     # name of the incoming adjoint of the output (b_return)
    helpers: Dict[str, Any]       # alias -> object the generated code must be able to reach
    guards: List[Any]             # validity of the derivatives of called user functions


def transform(src: FunctionSource, active: Set[str], wrt: Tuple[str, ...], namer: Namer,
              scalar_output: bool, resolved: Dict[str, Any], scalar: bool = False,
              container_parameters: Iterable[str] = (),
              free: Optional[Dict[str, Any]] = None) -> Sweeps:
    """Build the primal and adjoint sweeps of `src` (normalized) w.r.t. the parameters `wrt`.

    `scalar`: every value is a Python number, so adjoints need no un-broadcasting.
    `container_parameters`: the parameters called with lists, tuples or dicts.
    `free`: names bound to Variables the function reads without taking them as arguments
    (`transforms.free_values`); their adjoints are handed over at the end of the sweep.
    """
    *body, ret = src.node.body
    site = Site(namer, active, resolved, scalar)
    site.containers, site.sure_containers = containers.container_names(
        body, container_parameters, calls.is_dynamic)
    site.dicts = src.dicts
    site.built_containers = site.sure_containers - set(container_parameters)
    sharing = aliases.sharing(src.node)
    site.written = {alias for name in astutil.names_written_into(body)
                    for alias in sharing.perhaps_same(name)}
    seed = namer.fresh("b_return")
    params = astutil.names_stored(src.node.args)
    reverser = _Reverser(src, site, overwrites.overwritten_names(body, params),
                         overwrites.compound_names(body), sharing)
    adjoint: List[Any] = [comment(f"grad of: {anno.get(ret, anno.Key.ORIGIN_TEXT)}",
                                  anno.get(ret, anno.Key.ORIGIN))]
    output = ret.value
    seed_value: Any = astutil.load(seed)
    if scalar_output:
        seed_value = helper_call(site, runtime.scalar_seed, [output, astutil.load(seed)])
    if isinstance(output, gast.Name) and output.id in active:
        adjoint.extend(site.contribute(output.id, seed_value))
    elif isinstance(output, gast.Tuple) and not scalar_output:
        # Several outputs: the incoming adjoint is a tuple with one entry per output.
        for index, element in enumerate(output.elts):
            if isinstance(element, gast.Name) and element.id in active:
                part = gast.Subscript(value=astutil.load(seed), slice=astutil.constant(index),
                                      ctx=gast.Load())
                adjoint.extend(site.contribute(element.id, part))
    elif scalar_output:
        adjoint.append(gast.Expr(value=seed_value))
    adjoint.extend(reverser.adjoint_block(body, 0, False, anno.get(ret, anno.Key.ORIGIN)))
    for name, variable in sorted((free or {}).items()):
        if name in active and site.adjoint_exists(name):
            adjoint.append(gast.Expr(value=helper_call(site, runtime.accumulate_variable_adjoint, [
                astutil.load(namer.alias(variable, name)),
                astutil.load(site.adjoint_name(name))])))
    primal = reverser.primal_block(body, 0)
    primal, adjoint = reverser.keep_needed_records(primal, adjoint, params)
    primal, adjoint = reverser.record_shapes_only(primal, adjoint)
    if scalar:
        primal = reverser.recompute_temporaries(primal, adjoint, body, params)
    primal, adjoint = reverser.counts_from_stacks(primal, adjoint)
    primal, output = _output_kept_from_restores(primal, output, adjoint, sharing, site)
    gradients = [astutil.load(namer.adjoint(p)) if namer.adjoint(p) in site.defined
                 else helper_call(site, runtime.zeros_like, [astutil.load(p)]) for p in wrt]
    return Sweeps(primal=primal, output=output, adjoint=adjoint, gradients=gradients, seed=seed,
                  helpers=site.helpers, guards=site.callee_guards)


def _output_kept_from_restores(primal: List[Any], output: Any, adjoint: List[Any],
                               sharing: aliases.Sharing, site: Site) -> Tuple[List[Any], Any]:
    """The returned array, copied when the adjoint restores parts of it (`y[i] = y_old`):
    the caller keeps the value the function returned."""
    restored = {anno.get(n, anno.Key.RESTORES) for n in astutil.statements(adjoint)
                if anno.has(n, anno.Key.RESTORES)}
    restored = {alias for name in restored
                for alias in sharing.perhaps_same(name)}

    def kept(atom: Any) -> Any:
        if not (isinstance(atom, gast.Name) and atom.id in restored):
            return atom
        name = site.fresh(f"{atom.id}_returned")
        primal.append(astutil.assign(name, helper_call(site, runtime.copy_of, [atom])))
        return astutil.load(name)

    if isinstance(output, gast.Tuple):
        return primal, gast.Tuple(elts=[kept(e) for e in output.elts], ctx=gast.Load())
    return primal, kept(output)


def comment(text: str, where: Optional[Location] = None) -> gast.Expr:
    """A comment line in generated code (rendered by `codegen`)."""
    suffix = f"  ({short_filename(where.filename)}:{where.lineno})" if where is not None else ""
    line = codegen.comment(text + suffix)
    if where is not None:      # (the statements after it come from there: see codegen.origins)
        anno.set(line, anno.Key.ORIGIN, where)
    return line


class _Reverser:
    def __init__(self, src: FunctionSource, site: Site, overwritten: Set[str],
                 conditional: Set[str], sharing: aliases.Sharing):
        self.src = src
        self.sharing = sharing
        self.site = site
        self.overwritten = overwritten    # names whose old values may need recording
        self.conditional = conditional    # names assigned in loops or branches: maybe undefined
        self.counters: Dict[int, str] = {}
        self.stacks: Dict[str, str] = {}
        self.counters_used: List[str] = []
        self.outer_loops: Dict[str, Any] = {}    # counter: primal loop (outside other loops)
        self.all_iteration_locals: Set[str] = set()
        self.loop_targets: Set[str] = set()   # pushed with their new value (see primal_statement)
        # temporaries of one loop iteration the adjoint reads: pushed with their new value too,
        # and popped at the start of the reversed iteration (no value from before the loop)
        self.loop_temporaries: Dict[int, Set[str]] = {
            id(loop): overwrites.iteration_locals(loop, src.node.body) & overwritten
            for loop in astutil.statements(src.node.body)
            if isinstance(loop, (gast.For, gast.While))}
        # so are those of one run of a branch, popped at the start of the reversed branch:
        # (id of the `if`, "body" or "orelse"): its temporaries (all, recorded or not)
        counts = overwrites.name_counts(src.node.body)
        self.branch_locals: Dict[Tuple[int, str], Set[str]] = {
            (id(branch), field): found
            for branch in astutil.statements(src.node.body) if isinstance(branch, gast.If)
            for field, found in overwrites.branch_locals(branch, counts).items()}
        self.temporaries: Set[str] = set().union(
            *self.loop_temporaries.values(),
            *(found & overwritten for found in self.branch_locals.values()))
        self._owned: Optional[Dict[str, Set[str]]] = None
        self.calls: Dict[int, calls.CallSite] = {}
        self.positions: Optional[Dict[int, int]] = None   # statement -> preorder index
        self.bindings: Dict[str, int] = {}                # name -> first binding's index
        self.top_level: Set[int] = set()                  # statements not in a loop or branch
        self.top_assignments: Set[int] = set()            # (their positions, of assignments)
        self.parameters: Set[str] = set()
        # the names each written array may share memory with at its write (and `_CALLER` when
        # the caller may hold it): its restore stays when one of them is read later
        self.written_sharers: Dict[str, Set[str]] = {}
        # the records of the calls binding or passed each name: a callee's record may keep the
        # very arrays it was given and returned (`y = np.tanh(x); return y` keeps y for its
        # backward pass; `return np.sin(x)` keeps x), so writes into them are undone for it
        self.call_records: Dict[str, Set[str]] = {}
        self.copied: Set[str] = set()       # names bound to copies of views (`copied_read`)

    def call_site(self, stmt: Any) -> Optional[calls.CallSite]:
        """The call site of a differentiated call to a user function, if `stmt` is one."""
        fn = calls.called_function(stmt)
        dynamic = (fn is None and calls.is_dynamic(stmt)) or (
            fn is not None and self.passes_maybe_containers(stmt))
        if (fn is None and not dynamic) or not astutil.names_stored(stmt.targets) & \
                self.site.active or not activity.is_varied(stmt.value, self.site.active):
            return None
        if id(stmt) not in self.calls:
            if dynamic:
                site = calls.prepare_dynamic(self.src, stmt, self.site)
            else:
                site = calls.prepare(self.src, stmt, fn, self.site)
                self.site.callee_guards.append(site.guard)
            targets = astutil.names_stored(stmt.targets)  # the record lives with the result
            kept = {site.record} | set(getattr(site, "passes", ()))
            if targets & self.conditional:
                self.conditional |= kept
            if targets & self.overwritten:
                self.overwritten |= kept
            self.calls[id(stmt)] = site
        return self.calls[id(stmt)]

    def passes_maybe_containers(self, stmt: gast.Assign) -> bool:
        """Whether a call passes a value that may or may not be a container (an entry of a
        list): then the callee's variant is chosen when the call runs (see `runtime.dynamic`)."""
        call = stmt.value
        operands = list(call.args) + [k.value for k in call.keywords]
        maybe = self.site.containers - self.site.sure_containers
        return any(isinstance(o, gast.Name) and o.id in maybe for o in operands)

    # ---- names of the recording machinery ---------------------------------------------------

    def counter(self, loop: Any) -> str:
        if id(loop) not in self.counters:
            target = getattr(loop, "target", None)
            named = isinstance(target, gast.Name) and not target.id.startswith("_")
            base = target.id if named else "iterations"
            self.counters[id(loop)] = self.site.fresh(f"n_{base}")
        return self.counters[id(loop)]

    def stack(self, name: str) -> str:
        if name not in self.stacks:
            self.stacks[name] = self.site.fresh(f"{name}_stack")
        return self.stacks[name]

    def push(self, name: str, records: Optional[str] = None) -> gast.Expr:
        """`name_stack.append(name)`; `records` marks it removable when the value is not needed."""
        call = astutil.call(astutil.attribute(astutil.load(self.stack(name)), "append"),
                            [astutil.load(name)])
        stmt = gast.Expr(value=call)
        if records:
            anno.set(stmt, anno.Key.RECORDS, records)
        return stmt

    def pop(self, name: str, records: Optional[str] = None) -> gast.Assign:
        call = astutil.call(astutil.attribute(astutil.load(self.stack(name)), "pop"), [])
        stmt = astutil.assign(name, call)
        if records:
            anno.set(stmt, anno.Key.RECORDS, records)
        return stmt

    # ---- primal sweep -----------------------------------------------------------------------

    def primal_block(self, statements: List[Any], depth: int) -> List[Any]:
        parts = [self.primal_statement(stmt, depth) for stmt in statements]
        # A temporary of the iteration bound to a new array, then written into in place, is
        # recorded after its last write (the same array, so the adjoint is the same): the stack
        # does not hold the array while it is written into, which differentiating this code
        # again needs (a write into an array a stack holds would change the stack's entry).
        for index, part in enumerate(parts):
            for push in [s for s in part if _pushed_stack(s) is not None]:
                name = anno.get(push, anno.Key.RECORDS)
                if name not in self.owned_temporaries():
                    continue
                writes = [later for later in range(index + 1, len(statements))
                          if _writes_into(statements[later], name)]
                if writes:
                    part.remove(push)
                    parts[writes[-1]].append(push)
        return [new for part in parts for new in part]

    def primal_statement(self, stmt: Any, depth: int) -> List[Any]:
        if isinstance(stmt, gast.Assign):
            call = self.call_site(stmt)
            new = call.primal() if call else self.copied_read(stmt)
            out: List[Any] = []
            for part in ([call.prelude()] if isinstance(call, calls.DynamicCallSite) else []) \
                    + [new]:
                stored = astutil.names_stored(part.targets) & self.overwritten
                saved = sorted(stored - self.first_bound_by(stmt) - self.temporaries)
                out += [self.push(name, records=name) for name in saved] + [part]
                # a temporary of one iteration is recorded with its new value
                out += [self.push(name, records=name) for name in sorted(stored & self.temporaries)]
            return out
        if isinstance(stmt, gast.If):
            return [gast.If(test=stmt.test, body=self.primal_block(stmt.body, depth) or
                            [gast.Pass()], orelse=self.primal_block(stmt.orelse, depth))]
        if isinstance(stmt, (gast.For, gast.While)):
            count = self.counter(stmt)
            body = [astutil.assign(count, _plus_one(count))]
            if isinstance(stmt, gast.For):
                self.loop_targets |= astutil.names_stored(stmt.target)
                body += [self.push(n, records=n) for n in sorted(astutil.names_stored(stmt.target))]
            body += self.primal_block(stmt.body, depth + 1)
            loop = gast.For(target=stmt.target, iter=stmt.iter, body=body, orelse=[],
                            type_comment=None) if isinstance(stmt, gast.For) else \
                gast.While(test=stmt.test, body=body, orelse=[])
            self.counters_used.append(count)  # set up front too: a branch may skip the loop
            if depth == 0:
                self.outer_loops[count] = loop
            out = [astutil.assign(count, astutil.constant(0)), loop]
            return out + ([self.push(count)] if depth > 0 else [])
        return [stmt]

    def copied_read(self, stmt: gast.Assign) -> gast.Assign:
        """A view of an array the code writes into, `t = x[i]` (or `x.T`, `x.reshape(...)`),
        reads a copy, `t = copy_of(x[i])`: the adjoint restores `x[i]` while it still reads
        `t`, and code in which a view outlives a write into its array could not be
        differentiated again. `transforms.inplace` let the write through only where the program
        reads the view's elements no more, so only the derivative can tell the difference.

        So does a view written into itself, `a = x[i]` before `a[j] = v`, unless `x` may be
        (part of) an argument, whose caller sees the write: the program reads `x`'s elements no
        more after the write but through `a`, and the adjoints of earlier statements read `x`
        as it was."""
        value, target = stmt.value, stmt.targets[0]
        viewed = aliases.returned_names(value) \
            if isinstance(value, (gast.Subscript, gast.Attribute, gast.Call)) else set()
        if viewed & self.site.written or (
                viewed and isinstance(target, gast.Name) and target.id in self.site.written
                and not self.sharing.may_reach_parameter(viewed, stmt)):
            new = gast.Assign(targets=stmt.targets, value=helper_call(
                self.site, runtime.copy_of, [value]), type_comment=None)
            anno.copy_all(stmt, new)
            self.copied |= astutil.names_stored(stmt.targets)
            return new
        return stmt

    # ---- adjoint sweep (generated in the order it runs) -------------------------------------

    def adjoint_block(self, statements: List[Any], depth: int, nested: bool,
                      origin: Optional[Location] = None) -> List[Any]:
        out: List[Any] = []
        for stmt in reversed(statements):
            generated = self.adjoint_statement(stmt, depth, nested)
            if not generated:
                continue
            here = anno.get(stmt, anno.Key.ORIGIN, None)
            compound = isinstance(stmt, (gast.If, gast.For, gast.While))
            if here is not None and (here != origin or compound):
                out.append(comment(f"grad of: {anno.get(stmt, anno.Key.ORIGIN_TEXT)}", here))
            origin = None if compound else here
            out.extend(generated)
        return out

    def adjoint_statement(self, stmt: Any, depth: int, nested: bool) -> List[Any]:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            return self.adjoint_write(stmt)
        if activity.appended(stmt) is not None:
            return self.adjoint_append(stmt, *activity.appended(stmt))
        if isinstance(stmt, gast.Assign):
            return self.adjoint_assignment(stmt, depth, nested)
        if isinstance(stmt, gast.If):
            body, orelse = self.inside(lambda: (self.branch_adjoint(stmt, "body", depth),
                                                self.branch_adjoint(stmt, "orelse", depth)))
            if not _has_code(body) and not _has_code(orelse):
                return []
            branch = gast.If(test=astutil.copy_node(stmt.test), body=body or [gast.Pass()],
                             orelse=orelse)
            return self.initialized([branch], nested)
        if isinstance(stmt, (gast.For, gast.While)):
            targets = sorted(astutil.names_stored(stmt.target)) \
                if isinstance(stmt, gast.For) else []
            body = self.inside(lambda: self.loop_body_adjoint(stmt, depth))
            temporaries = sorted(self.loop_temporaries[id(stmt)])
            body = [self.pop(n, records=n) for n in targets + temporaries] + body
            count = self.counter(stmt)
            step = "_" if not self.site.namer.is_taken("_") else "_step"
            loop = gast.For(target=astutil.store(self.site.fresh(step)), iter=astutil.call(
                astutil.load(self.site.alias(range, "range")), [astutil.load(count)]),
                body=body, orelse=[], type_comment=None)
            return self.initialized(([self.pop(count)] if depth > 0 else []) + [loop], nested)
        return []

    def adjoint_assignment(self, stmt: gast.Assign, depth: int, nested: bool) -> List[Any]:
        """The rule's adjoint, then, for an overwritten name, its old value and a fresh adjoint.

        The value before an assignment is another variable than the value after it, so its
        adjoint starts at zero (shaped like the old value). Normalization made sure that an
        overwritten name is never an operand of its own assignment (`x = x * a` became
        `x_times_a = x * a; x = x_times_a`), so the rule sees both values.
        """
        call = self.call_site(stmt)
        target = stmt.targets[0]
        if call is not None:
            reached = not isinstance(target, gast.Name) or self.site.adjoint_exists(target.id)
            # (nothing reaches a result whose only reader was dead code)
            out = call.adjoint(self.site, self.result_adjoint(target), self.site.active) \
                if reached else []
            stored = astutil.names_stored(stmt.targets) | {call.record} | set(
                getattr(call, "passes", ()))
            for kept in astutil.names_stored(stmt.targets) | astutil.names_loaded(stmt.value):
                self.call_records.setdefault(kept, set()).add(call.record)
        elif activity.popped(stmt) is not None:
            out = self.adjoint_pop(stmt, *activity.popped(stmt))
            stored = astutil.names_stored(stmt.targets)
        else:
            out = adjoint_of(self.src, stmt, self.site)
            stored = astutil.names_stored(stmt.targets)
        first = self.first_bound_by(stmt) | self.temporaries
        for name in sorted(stored & self.overwritten):
            if name not in first:
                out.append(self.pop(name, records=name))
            out += self.reset(name, nested)
        return out

    def adjoint_write(self, stmt: gast.Assign) -> List[Any]:
        """The adjoint of `x[i] = v`: `v` receives what reached `x[i]`, which then starts again
        at zero (the overwritten values did not reach the output), and `x[i]` gets its old
        values back for the adjoints of earlier statements to read.

        Every name bound to the same array by a plain copy (`y = x`) has its adjoint treated
        the same way (`transforms.inplace` refused writes where other names may see them).
        """
        saved = anno.get(stmt, anno.Key.SAVED)
        target, value, site = stmt.targets[0], stmt.value, self.site
        name = target.value.id

        def part(array: str, ctx: Any) -> gast.Subscript:
            return gast.Subscript(value=astutil.load(array), slice=astutil.copy_node(
                target.slice), ctx=ctx)

        adjoints = [site.adjoint_name(n) for n in sorted(self.sharing.same_object(name, stmt))
                    if n in site.active and self.site.adjoint_exists(n)
                    and not self.bound_after(n, stmt)]
        maybe = self.maybe_same_adjoints(stmt, adjoints)
        out: List[Any] = []
        zeroed = [gast.Assign(targets=[part(adjoint, gast.Store())], value=astutil.constant(0.0),
                              type_comment=None) for adjoint in adjoints]
        zeroed += [gast.If(test=astutil.load(flag), body=[gast.Assign(
            targets=[part(adjoint, gast.Store())], value=astutil.constant(0.0),
            type_comment=None)], orelse=[]) for adjoint, flag in maybe]
        if (adjoints or maybe) and isinstance(value, gast.Name) and value.id in site.active:
            reached: Any = None
            for adjoint in adjoints:
                copied = helper_call(site, runtime.copy_of, [part(adjoint, gast.Load())])
                reached = copied if reached is None else gast.BinOp(
                    left=reached, op=gast.Add(), right=copied)
            if maybe:      # what reached the names that may be this array, where they are
                held = site.fresh(f"{site.adjoint_name(name)}_reached")
                out.append(astutil.assign(held, reached or helper_call(
                    site, runtime.zeros_like, [astutil.load(value.id)])))
                out += [gast.If(test=astutil.load(flag), body=[astutil.assign(
                    held, gast.BinOp(left=astutil.load(held), op=gast.Add(), right=helper_call(
                        site, runtime.copy_of, [part(adjoint, gast.Load())])))], orelse=[])
                    for adjoint, flag in maybe]
                reached = astutil.load(held)
            if site.adjoint_name(value.id) in adjoints:
                # `y[:] = y`: what reached the entries goes to the value after they start
                # again at zero, since the value's adjoint is that same array
                held = site.fresh(f"{site.adjoint_name(name)}_written")
                out += [astutil.assign(held, reached)] + zeroed
                reached, zeroed = astutil.load(held), []
            out += site.contribute(value.id, helper_call(site, runtime.unbroadcast,
                                                         [reached, astutil.load(value.id)]))
        out += zeroed
        restore = gast.Assign(targets=[part(name, gast.Store())], value=astutil.load(saved),
                              type_comment=None)
        anno.set(restore, anno.Key.RESTORES, name)   # removable when no adjoint reads `x`
        self.note_sharers(name, stmt)
        return out + [restore]

    def note_sharers(self, name: str, stmt: Any) -> None:
        """Remember which names the array written by `stmt` may share memory with there (see
        `keep_needed_records`): a name bound in several places (a branch's copy of the code
        after an early `return`) is not certainly the same object as any other name, but may
        still be (part of) an argument or of a value the adjoint reads."""
        sharers = self.written_sharers.setdefault(name, set())
        states = self.sharing.memory.get(id(stmt))
        if states is None or self.sharing.may_reach_parameter({name}, stmt):
            sharers.add(_CALLER)
        if states is not None:
            sharers |= aliases.may_share_at(states, name)

    def bound_after(self, name: str, stmt: Any) -> bool:
        """Whether `name` is bound once, outside loops, by a statement after `stmt`: a copy
        `a = y` made after a write into `y` passed its adjoint on to `y`'s in its own adjoint."""
        if self.sharing.assignments.get(name) != 1:
            return False
        self.find_bindings()
        if name in self.parameters:
            return False
        bound = self.bindings.get(name)
        return bound is not None and bound > self.positions[id(stmt)]

    def first_bound_by(self, stmt: Any) -> Set[str]:
        """The names `stmt` binds for the first time, in the function's straight-line code (not
        in a loop or branch) and not parameters: they held nothing before, so nothing is saved
        before the assignment or restored after its adjoint (the record of a call with them)."""
        self.find_bindings()
        if id(stmt) not in self.top_level:
            return set()
        here = self.positions[id(stmt)]
        first = {name for name in astutil.names_stored(stmt.targets)
                 if self.bindings.get(name) == here and name not in self.parameters}
        call = self.calls.get(id(stmt))
        if call is not None and first and first >= astutil.names_stored(stmt.targets):
            first |= {call.record} | set(getattr(call, "passes", ()))
        return first

    def only_loop_targets(self) -> Set[str]:
        """Loop targets no assignment binds: the reversed loop pops them before reading them."""
        assigned = {name for node in astutil.statements(self.src.node.body)
                    if isinstance(node, gast.Assign) for name in astutil.names_stored(node.targets)}
        return self.loop_targets - assigned

    def bound_first_in_straight_line(self) -> Set[str]:
        """Names whose first binding is a statement outside loops and branches: bound before
        anything reads them."""
        self.find_bindings()
        return {name for name, index in self.bindings.items() if index in self.top_assignments}

    def find_bindings(self) -> None:
        """Where each statement is in program order, and where each name is first bound."""
        if self.positions is not None:
            return
        self.positions, self.bindings = {}, {}
        self.top_level = {id(node) for node in self.src.node.body}
        self.parameters = astutil.names_stored(self.src.node.args)
        for index, node in enumerate(astutil.statements(self.src.node.body)):
            self.positions[id(node)] = index
            if id(node) in self.top_level and isinstance(node, gast.Assign):
                self.top_assignments.add(index)
            stored = astutil.names_stored(node.targets) if isinstance(node, gast.Assign) else \
                astutil.names_stored(node.target) if isinstance(node, gast.For) else set()
            for target in stored:
                self.bindings.setdefault(target, index)

    def same_adjoints(self, name: str, stmt: Any) -> List[str]:
        """The adjoints of the names that hold the very object `name` holds at `stmt` (which
        changes it in place), `name`'s first: each gets the change's adjoint."""
        site = self.site
        same = [name] + sorted(self.sharing.same_object(name, stmt) - {name})
        return [site.adjoint_name(n) for n in same if n in site.active
                and site.adjoint_exists(n) and not self.bound_after(n, stmt)]

    def maybe_same_adjoints(self, stmt: Any, certain: List[str]) -> List[Tuple[str, str]]:
        """(adjoint, flag) of each name that the primal asked, right before `stmt`, whether it
        is the object `stmt` changes (`flag = same_object(other, x)`, see `transforms.inplace`):
        where the flag is true, the change's adjoint reaches that name's adjoint too. (Adjoints
        in `certain`, of names the flow shows to be that object there, are left out.)"""
        site, found = self.site, []
        for flag in anno.get(stmt, anno.Key.SAME_AS, []):
            other = flag.value.args[0].id
            if other in site.active and site.adjoint_exists(other) \
                    and not self.bound_after(other, stmt) \
                    and site.adjoint_name(other) not in certain:
                found.append((site.adjoint_name(other), flag.targets[0].id))
        return found

    def adjoint_append(self, stmt: Any, name: str, value: Any) -> List[Any]:
        """The adjoint of `L.append(v)`: `v` receives the last entry of `L`'s adjoint, and `L`
        loses its last entry again, so that `L` and its adjoint keep the same length. Another
        name of the same list (`M = L`) saw the entry too: its adjoint's last entry goes to `v`
        as well."""
        site = self.site
        if name not in site.active:
            return []
        out: List[Any] = []
        received = isinstance(value, gast.Name) and value.id in site.active

        def take(adjoint: str) -> List[Any]:
            last = astutil.call(astutil.attribute(astutil.load(adjoint), "pop"), [])
            return site.contribute(value.id, last) if received else [gast.Expr(value=last)]

        same = self.same_adjoints(name, stmt)
        for adjoint in same:
            out += take(adjoint)
        maybe = self.maybe_same_adjoints(stmt, same)
        if maybe and received and not site.adjoint_exists(value.id):
            out += site.contribute(value.id, helper_call(site, runtime.zeros_like,
                                                         [astutil.load(value.id)]))
        out += [gast.If(test=astutil.load(flag), body=take(adjoint), orelse=[])
                for adjoint, flag in maybe]
        out.append(gast.Expr(value=astutil.call(astutil.attribute(astutil.load(name), "pop"),
                                                [])))
        return out

    def adjoint_pop(self, stmt: Any, name: str, value: str) -> List[Any]:
        """The adjoint of `v = L.pop()`: the adjoint of `v` goes back on the end of `L`'s
        adjoint, and `v` back on the end of `L` (the reverse of `L.append(v)`). The adjoint of
        another name of the same list gets a zero entry there, keeping its length."""
        site = self.site
        out: List[Any] = []
        if name in site.active:
            same = self.same_adjoints(name, stmt)      # (before `L`'s own may be made)
            adjoint = site.adjoint_name(name)
            if not site.adjoint_exists(name):
                out.append(astutil.assign(adjoint, helper_call(site, runtime.zeros_like,
                                                               [astutil.load(name)])))
                site.defined.add(adjoint)
            entry = astutil.load(site.adjoint_name(value)) \
                if value in site.active and site.adjoint_exists(value) \
                else helper_call(site, runtime.zeros_like, [astutil.load(value)])
            out.append(gast.Expr(value=astutil.call(
                astutil.attribute(astutil.load(adjoint), "append"), [entry])))

            def zero_entry(other: str) -> gast.Expr:
                return gast.Expr(value=astutil.call(astutil.attribute(
                    astutil.load(other), "append"), [helper_call(site, runtime.zeros_like, [
                        astutil.load(value)])]))

            out += [zero_entry(other) for other in same if other != adjoint]
            out += [gast.If(test=astutil.load(flag), body=[zero_entry(other)], orelse=[])
                    for other, flag in self.maybe_same_adjoints(stmt, same)]
        out.append(gast.Expr(value=astutil.call(astutil.attribute(astutil.load(name), "append"),
                                                [astutil.load(value)])))
        return out

    def result_adjoint(self, target: Any) -> Any:
        """The adjoint of an assignment target: a name, or a tuple of adjoints for `a, b = ...`.

        In a tuple, an element whose adjoint may not exist yet (nothing contributed to it) is a
        zero shaped like its value.
        """
        if isinstance(target, gast.Name):
            return astutil.load(self.site.adjoint_name(target.id))
        elements = []
        for element in target.elts:
            if not isinstance(element, gast.Name):      # (m, v), g_record = g_forward(x)
                elements.append(self.result_adjoint(element))
                continue
            name = element.id
            adjoint = self.site.adjoint_name(name)
            exists = name in self.site.active and (
                self.site.adjoint_exists(name) or adjoint in self.site.iteration_defined)
            elements.append(astutil.load(adjoint) if exists else helper_call(
                self.site, runtime.zeros_like, [astutil.load(name)]))
        return gast.Tuple(elts=elements, ctx=gast.Load())

    def reset(self, name: str, nested: bool) -> List[Any]:
        """Start the adjoint of `name`'s previous value at zero."""
        if name not in self.site.active or name in self.site.iteration_locals:
            return []
        adjoint = self.site.namer.adjoint(name)
        if not nested:
            self.site.defined.discard(adjoint)   # the next contribution assigns it
            return []
        return [astutil.assign(adjoint, helper_call(self.site, runtime.zeros_like,
                                                    [astutil.load(name)]))]

    def loop_body_adjoint(self, loop: Any, depth: int) -> List[Any]:
        """The reversed body of `loop`, with its iteration temporaries handled like straight code."""
        site = self.site
        saved = site.iteration_locals, site.iteration_defined
        site.iteration_locals = overwrites.iteration_locals(loop, self.src.node.body)
        site.iteration_defined = set()
        self.all_iteration_locals |= site.iteration_locals
        try:
            return self.adjoint_block(loop.body, depth + 1, True)
        finally:
            site.iteration_locals, site.iteration_defined = saved

    def branch_adjoint(self, branch: gast.If, field: str, depth: int) -> List[Any]:
        """The reversed body (or `else`) of `branch`: its temporaries' adjoints live within it,
        as an iteration's do, and those it records are popped first."""
        site = self.site
        found = self.branch_locals.get((id(branch), field), set())
        saved = site.iteration_locals
        site.iteration_locals = saved | found
        self.all_iteration_locals |= found
        try:
            reversed_part = self.adjoint_block(getattr(branch, field), depth, True)
        finally:
            site.iteration_locals = saved
        if not _has_code(reversed_part):
            return reversed_part
        return [self.pop(name, records=name)
                for name in sorted(found & self.temporaries)] + reversed_part

    def inside(self, generate: Any) -> Any:
        """Generate the adjoint of a loop or branch body, where contributions accumulate."""
        before = self.site.accumulate
        self.site.accumulate = True
        try:
            return generate()
        finally:
            self.site.accumulate = before

    def initialized(self, statements: List[Any], nested: bool) -> List[Any]:
        """Zero-initialize, before an outermost loop or branch, the adjoints it accumulates into."""
        if nested:
            return statements
        primal_of = {adjoint: primal for primal, adjoint in self.site.namer.adjoint_map().items()}
        names: Dict[str, None] = {}
        for node in astutil.walk(statements):
            if isinstance(node, gast.Name) and node.id in primal_of \
                    and node.id not in self.site.defined \
                    and primal_of[node.id] not in self.all_iteration_locals:
                names.setdefault(node.id, None)
        inits = []
        for adjoint in names:
            primal = primal_of[adjoint]
            inits.append(astutil.assign(adjoint, helper_call(
                self.site, runtime.zeros_like, [astutil.load(primal)])))
        self.site.defined.update(names)
        return inits + statements

    # ---- recording only what the adjoint reads ----------------------------------------------

    def record_shapes_only(self, primal: List[Any],
                           adjoint: List[Any]) -> Tuple[List[Any], List[Any]]:
        """Record only the shape of a value the adjoint reads only to un-broadcast to it.

        `h_stack.append(h)` keeps every iteration's array alive; when the adjoint's only use of
        `h` is `unbroadcast(g, h)`, recording `shape_of(h)` and calling `sum_to_shape(g,
        h_shape)` is enough. The adjoint starts from the shape of the final value.
        """
        alias = self.site.existing_alias(runtime.unbroadcast)
        if alias is None:
            return primal, adjoint
        loads: Dict[str, int] = {}
        witnesses: Dict[str, List[gast.Call]] = {}
        for node in astutil.walk(adjoint):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
                    and node.func.id == alias and isinstance(node.args[1], gast.Name):
                witnesses.setdefault(node.args[1].id, []).append(node)
        targets = self.loop_targets
        records = _record_statements(primal) + _record_statements(adjoint)
        recorded = {anno.get(r, anno.Key.RECORDS) for r in records}
        shape_only = sorted(name for name in recorded - targets
                            if loads.get(name, 0) == len(witnesses.get(name, [])) > 0)
        prologue = []
        for name in shape_only:
            shape = self.site.fresh(f"{name}_shape")
            for record in records:
                if anno.get(record, anno.Key.RECORDS) != name:
                    continue
                if isinstance(record, gast.Expr):       # the push: record the shape
                    record.value.args = [helper_call(self.site, runtime.shape_of,
                                                     [astutil.load(name)])]
                else:                                    # the pop: restore the shape
                    record.targets = [astutil.store(shape)]
            for call in witnesses[name]:
                call.func = astutil.load(self.site.alias(runtime.sum_to_shape, "sum_to_shape"))
                call.args[1] = astutil.load(shape)
            if name not in self.temporaries:    # (those are popped before they are read)
                prologue.append(astutil.assign(shape, helper_call(
                    self.site, runtime.shape_of, [astutil.load(name)])))
        return primal, prologue + adjoint

    def counts_from_stacks(self, primal: List[Any],
                           adjoint: List[Any]) -> Tuple[List[Any], List[Any]]:
        """A loop outside other loops whose every iteration pushes on a stack nothing else
        pushes on runs as many times as that stack is long: its reversal iterates
        `range(len(x_stack))`, and the loop needs no counter."""
        pushes: Dict[str, int] = {}
        for node in astutil.statements(primal):
            stack = _pushed_stack(node)
            if stack is not None:
                pushes[stack] = pushes.get(stack, 0) + 1
        replaced: Dict[str, Any] = {}
        iterated: Dict[str, List[str]] = {}    # counter: the stacks each iteration pushes once
        for count, loop in self.outer_loops.items():
            stacks = sorted(stack for stack in map(_pushed_stack, loop.body)
                            if stack is not None and pushes[stack] == 1)
            if stacks:
                replaced[count] = astutil.call(astutil.load(self.site.alias(len, "len")),
                                               [astutil.load(stacks[0])])
                iterated[count] = stacks
                loop.body = [s for s in loop.body if not (
                    isinstance(s, gast.Assign) and count in astutil.names_stored(s.targets))]
        if not replaced:
            return primal, adjoint
        self.iterate_stacks(adjoint, iterated)

        def without_counters(statements: List[Any]) -> List[Any]:
            kept = []
            for stmt in statements:
                if isinstance(stmt, gast.Assign) and astutil.names_stored(stmt.targets) & \
                        set(replaced):
                    continue                 # `n_i = 0`
                for field in ("body", "orelse"):
                    if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field):
                        setattr(stmt, field,
                                without_counters(getattr(stmt, field)) or [gast.Pass()])
                kept.append(stmt)
            return kept

        def counted(statements: List[Any]) -> List[Any]:
            kept = without_counters(statements)
            for node in astutil.walk(kept):
                if isinstance(node, gast.Call):   # range(n_i)
                    node.args = [astutil.copy_node(replaced[a.id]) if isinstance(a, gast.Name)
                                 and a.id in replaced else a for a in node.args]
            return kept
        return counted(primal), counted(adjoint)

    def iterate_stacks(self, adjoint: List[Any], iterated: Dict[str, List[str]]) -> None:
        """The reversal of a loop outside other loops takes the values of the stacks its
        iterations push once each by iterating over them backwards, `for x in reversed(x_stack)`,
        instead of popping them (a method call per value): each such stack popped once, in the
        reversed loop's own body (not in a branch), and nowhere else. A popped name that the body
        reads or assigns before its pop gets the value there from the loop variable. Up to
        `_ITERATED_STACKS` stacks (zipped); a loop with more keeps its pops, which read better
        than a header that long."""
        pops: Dict[str, int] = {}
        for stmt in astutil.statements(adjoint):
            stack = _popped_stack(stmt)
            if stack is not None:
                pops[stack] = pops.get(stack, 0) + 1
        for loop in astutil.statements(adjoint):
            if not (isinstance(loop, gast.For) and isinstance(loop.iter, gast.Call)
                    and len(loop.iter.args) == 1 and isinstance(loop.iter.args[0], gast.Name)
                    and loop.iter.args[0].id in iterated):
                continue
            stacks = set(iterated[loop.iter.args[0].id])
            popped = {index for index, stmt in enumerate(loop.body)
                      if _popped_stack(stmt) in stacks and pops[_popped_stack(stmt)] == 1}
            if not popped or len(popped) > _ITERATED_STACKS:
                continue
            targets, sources, body = [], [], []
            for index, stmt in enumerate(loop.body):
                if index not in popped:
                    body.append(stmt)
                    continue
                stack, name = _popped_stack(stmt), stmt.targets[0].id
                if name in astutil.all_names(loop.body[:index]) or name in targets:
                    carrier = self.site.fresh(f"{name}_next")
                    body.append(astutil.assign(name, astutil.load(carrier)))
                    name = carrier
                targets.append(name)
                sources.append(astutil.call(astutil.load(self.site.alias(reversed, "reversed")),
                                            [astutil.load(stack)]))
            loop.body = body or [gast.Pass()]
            if len(targets) == 1:
                loop.target, loop.iter = astutil.store(targets[0]), sources[0]
            else:
                loop.target = gast.Tuple(elts=[astutil.store(t) for t in targets],
                                         ctx=gast.Store())
                loop.iter = astutil.call(astutil.load(self.site.alias(zip, "zip")), sources)

    def recompute_temporaries(self, primal: List[Any], adjoint: List[Any], body: List[Any],
                              params: Set[str]) -> List[Any]:
        """Number code: cheap loop temporaries computed again, not recorded
        (`optimizations.rematerialize`); their stacks are no longer created."""
        recomputed = rematerialize.recompute_temporaries(
            primal, adjoint, self.stacks, rematerialize.bound_once(body, params))
        unused = {self.stacks.pop(name) for name in recomputed}
        return [stmt for stmt in primal if not (
            isinstance(stmt, gast.Assign) and astutil.names_stored(stmt.targets) & unused)]

    def owned_temporaries(self) -> Dict[str, Set[str]]:
        """Temporaries of one iteration bound to a new array each time (a NumPy computation or
        a copy, not another name or a view of one): the arrays their stack records are all
        different objects, and the one an iteration pops is in no stack any more."""
        if self._owned is None:      # (name: the temporary `owned(t, x)` may return, if any)
            values = {node.targets[0].id: node.value
                      for node in astutil.statements(self.src.node.body)
                      if isinstance(node, gast.Assign) and len(node.targets) == 1
                      and isinstance(node.targets[0], gast.Name)
                      and node.targets[0].id in self.temporaries}
            self._owned = {name: _owned_argument(value) for name, value in values.items()
                           if _makes_new_array(value, values)}
        return self._owned

    def only_copies(self) -> Set[str]:
        """The names bound by one statement, which reads a view as a copy (`copied_read`)."""
        bindings: Dict[str, int] = {}
        for node in astutil.statements(self.src.node.body):
            stored = astutil.names_stored(node.targets) if isinstance(node, gast.Assign) else \
                astutil.names_stored(node.target) if isinstance(node, gast.For) else set()
            for name in stored:
                bindings[name] = bindings.get(name, 0) + 1
        return {name for name in self.copied if bindings.get(name) == 1}

    def without_dead_restores(self, adjoint: List[Any]) -> List[Any]:
        """Drop the restores (`y[i] = y_old`) whose restored values no adjoint reads: after the
        restore, no name that may hold the array is read but for its shape, and neither is a
        value popped from the stacks of those names. (An owned temporary's own stack holds
        other arrays: the one an iteration pops is in it no more.) An argument's restore stays:
        its caller gets the array back as it was."""
        restores = [n for n in astutil.statements(adjoint) if anno.has(n, anno.Key.RESTORES)]
        if not restores:
            return adjoint
        self.find_bindings()           # (the parameters)
        owned = self.owned_temporaries()
        helpers = self.site.helpers
        live = aliases.live_after(adjoint, lambda node: aliases.values_read(node, helpers),
                                  popped_values=True)
        copies = self.only_copies()
        dead = set()
        for restore in restores:
            name = anno.get(restore, anno.Key.RESTORES)
            written = self.written_sharers.get(name, set())
            if _CALLER in written or name in self.parameters:
                continue
            # (a view the code reads as a copy, `t = copy_of(x[i])`, holds none of it)
            holders = (self.sharing.group(name) | written | owned.get(name, set())) \
                - (copies - {name})
            holders |= self.records_of(holders)
            stacks = {self.stacks[n] for n in holders
                      if n in self.stacks and not (n == name and name in owned)}
            if not (holders | stacks) & live[id(restore)]:
                dead.add(id(restore))
        return _without(adjoint, lambda stmt: id(stmt) in dead)

    def records_of(self, names: Set[str]) -> Set[str]:
        """The records of the calls that bound or were passed `names` (see `call_records`)."""
        return {record for name in names for record in self.call_records.get(name, ())}

    def keep_needed_records(self, primal: List[Any], adjoint: List[Any],
                            params: Set[str]) -> Tuple[List[Any], List[Any]]:
        """Drop the pushes and pops of values the adjoint never reads; create the stacks.

        First the restoring of arrays written in place (`x[i] = x_old`) where no adjoint reads
        `x` (or a name of the same array) and `x` is not an argument, whose caller gets it back
        as it was; then the saving and recording of values nothing reads any more.
        """
        read = _loads_outside_records(adjoint) | params
        arrays = {alias for name in read
                  for alias in self.sharing.perhaps_same(name)}
        arrays |= {name for name, sharers in self.written_sharers.items()
                   if (sharers | self.records_of(sharers)) & (read | {_CALLER})}
        adjoint = _without_records(adjoint, arrays, anno.Key.RESTORES)
        adjoint = self.without_dead_restores(adjoint)
        needed = astutil.names_loaded(adjoint)
        primal, adjoint = _without_records(primal, needed), _without_records(adjoint, needed)
        primal = _without(primal, lambda stmt: anno.get(stmt, anno.Key.ASKS, False)
                          and stmt.targets[0].id not in needed)   # (`z_is_y = ...` unread)
        in_primal = astutil.all_names(primal)
        recorded = [name for name in self.stacks if self.stacks[name] in in_primal]
        # (an overwritten name is pushed before its first assignment too, so it needs a value)
        starts = sorted((needed & (self.conditional | self.overwritten)) - params
                        - self.temporaries - self.only_loop_targets()
                        - self.bound_first_in_straight_line())
        setup: List[Any] = []
        if starts:
            setup.append(codegen.comment("values the adjoint reads, which a loop or branch "
                                         "may leave unassigned, start as None"))
            setup += [astutil.assign(name, astutil.constant(None)) for name in starts]
        # (simplification drops these where the loop's own `n = 0` always runs first)
        setup += [astutil.assign(name, astutil.constant(0)) for name in self.counters_used]
        setup += [astutil.assign(self.stacks[name], gast.List(elts=[], ctx=gast.Load()))
                  for name in recorded]
        return setup + primal, adjoint


_CALLER = " caller"   # (not a name: the caller's hold on an argument, in `written_sharers`)


def _pushed_stack(stmt: Any) -> Optional[str]:
    """The stack a recording statement `x_stack.append(...)` pushes on, if it is one."""
    if isinstance(stmt, gast.Expr) and anno.has(stmt, anno.Key.RECORDS) \
            and isinstance(stmt.value, gast.Call) \
            and isinstance(stmt.value.func, gast.Attribute) \
            and stmt.value.func.attr == "append" \
            and isinstance(stmt.value.func.value, gast.Name):
        return stmt.value.func.value.id
    return None


_ITERATED_STACKS = 3


def _popped_stack(stmt: Any) -> Optional[str]:
    """The stack of `x = x_stack.pop()`, if `stmt` is one."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], gast.Name) \
            and rematerialize.is_stack_call(stmt.value, "pop") and not stmt.value.args:
        return stmt.value.func.value.id
    return None


def _record_statements(statements: List[Any]) -> List[Any]:
    return [n for n in astutil.statements(statements) if anno.get(n, anno.Key.RECORDS, None)]


def _loads_outside_records(statements: List[Any]) -> Set[str]:
    """Names read by `statements`, not counting recording and restoring statements."""
    names: Set[str] = set()
    for stmt in statements:
        if anno.has(stmt, anno.Key.RECORDS) or anno.has(stmt, anno.Key.RESTORES):
            continue
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            header = stmt.test if not isinstance(stmt, gast.For) else stmt.iter
            names |= astutil.names_loaded(header) | _loads_outside_records(stmt.body) \
                | _loads_outside_records(stmt.orelse)
        else:
            names |= astutil.names_loaded(stmt)
    return names


def _without_records(statements: List[Any], needed: Set[str],
                     key: anno.Key = anno.Key.RECORDS) -> List[Any]:
    """`statements` without those marked `key` (recording, restoring) for a name not `needed`."""
    def dropped(stmt: Any) -> bool:
        marked = anno.get(stmt, key, None)
        return marked is not None and marked not in needed
    return _without(statements, dropped)


def _without(statements: List[Any], dropped: Callable[[Any], bool]) -> List[Any]:
    """`statements` without the `dropped` ones, also in nested blocks (an emptied body passes)."""
    out = []
    for stmt in statements:
        if dropped(stmt):
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field):
                kept = _without(getattr(stmt, field), dropped)
                setattr(stmt, field, kept or ([gast.Pass()] if field == "body" else []))
        out.append(stmt)
    return out


def _writes_into(stmt: Any, name: str) -> bool:
    """Whether `stmt` writes into the array `name` in place (`name[...] = v`), also nested."""
    return any(isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Subscript)
               and isinstance(n.targets[0].value, gast.Name) and n.targets[0].value.id == name
               for n in astutil.statements([stmt]))


_NEW_ARRAY_METHODS = {"copy", "astype"}
# NumPy functions that always return a new array (ufuncs too, unless given `out=`)
_NEW_ARRAY_FUNCTIONS = (np.array, np.copy, np.zeros, np.ones, np.full, np.empty, np.zeros_like,
                        np.ones_like, np.full_like, np.empty_like, np.linspace, np.arange, np.eye,
                        np.identity, np.dot, np.outer, np.einsum, np.tensordot, np.concatenate,
                        np.stack, np.vstack, np.hstack, np.tile, np.repeat, np.clip, np.where,
                        np.sum, np.mean, np.prod, np.cumsum, np.cumprod, np.diff, np.sort)


def _makes_new_array(value: Any, temporaries: Dict[str, Any]) -> bool:
    """Whether the expression certainly gives a new array each time: arithmetic, a ufunc or a
    NumPy function that always makes one (`np.tanh(x)`, `np.zeros(n)`), `x.copy()`, or
    `owned(t, x)` of a temporary `t` bound to one (`temporaries`: what temporaries are bound
    to)."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return True
    if not isinstance(value, gast.Call) or any(k.arg in ("out", "copy") for k in value.keywords):
        return False
    fn = anno.get(value, anno.Key.RESOLVED, None)
    if fn is runtime.owned and value.args and isinstance(value.args[0], gast.Name) \
            and value.args[0].id in temporaries:     # (its argument, or a copy of it)
        return _makes_new_array(temporaries[value.args[0].id], {})
    if anno.get(value, anno.Key.METHOD, None) in _NEW_ARRAY_METHODS:
        return True
    return isinstance(fn, np.ufunc) or any(fn is known for known in _NEW_ARRAY_FUNCTIONS)


def _owned_argument(value: Any) -> Set[str]:
    """The name `owned(t, x)` returns when it returns its argument itself."""
    if isinstance(value, gast.Call) and anno.get(value, anno.Key.RESOLVED, None) is runtime.owned \
            and value.args and isinstance(value.args[0], gast.Name):
        return {value.args[0].id}
    return set()


def _plus_one(name: str) -> gast.BinOp:
    return gast.BinOp(left=astutil.load(name), op=gast.Add(), right=astutil.constant(1))


def _has_code(statements: List[Any]) -> bool:
    return any(not codegen.is_comment(s) for s in statements)
