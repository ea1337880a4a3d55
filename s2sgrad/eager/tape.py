"""`GradientTape`: TensorFlow 2's tape API, with the derivative computed by generated source.

    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)        # 6.0 at x = 3.0

TensorFlow records operations while the block runs. Here the block runs as written (once, with
every side effect) and the tape only notes where it is (`blocks.find_block`) and the values the
block starts from. `gradient(target, sources)` finds the block's variables that hold `target`
and `sources` (by identity), turns the block into a function of the sources
(`blocks.block_function`), has the compiler generate its reverse-mode derivative (cached: the
next call of the same block with the same request reuses it) and runs that from the values
captured at entry. The user sees TensorFlow's semantics: the gradient of the path actually run,
`None` for sources the targets do not depend on, the structure of `sources` mirrored, the
non-persistent tape's one-use rule, watched tensors and automatically watched Variables.
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import io
import sys
import types
from typing import Any, Dict, List, Optional, Tuple

import gast
import numpy as np

from .. import astutil
from ..errors import S2sgradError
from ..runtime import variables
from . import blocks, dataflow, randomness, reach, values
from .values import Tensor, Variable


_MISSING = object()


def _blind_module(name: str) -> bool:
    """Whether the functions of module `name` take Tensors and plain arrays alike: NumPy's,
    `math`'s and those of s2sgrad's TensorFlow layer."""
    return name.split(".")[0] in ("numpy", "math") or name == "s2sgrad.tf" or \
        name.startswith("s2sgrad.tf.")


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


@dataclasses.dataclass
class _Recording:
    """One run of a tape's block (a tape entered twice, or reset inside its block, has several),
    with the values the block started from."""

    block: blocks.Block
    globals: Dict[str, Any]
    module_level: bool                  # run at a module's top level (its locals are globals)
    entry: Dict[str, Any]               # the values of the names it reads, at entry
    variables: Dict[int, Any]           # the values of the Variables among them, at entry
    random_states: List[Tuple[Any, Any]]
    facts: "_Facts"                     # what the kinds of the entry values decide
    # for each entry value: its Variables and float arrays (also inside containers)
    leaves: Dict[str, List[Any]]
    exit: Optional[Dict[str, Any]] = None    # the caller's variables when the block ended
    since: Optional[int] = None         # only the statements after this line (after a reset)
    _leaf_ids: Optional[set] = None
    _computed: Optional[Tuple[Dict[str, Any], Dict[str, Any], Dict[int, str]]] = None
    _blind: Optional[bool] = None

    @classmethod
    def start(cls, frame: types.FrameType, block: blocks.Block,
              since: Optional[int] = None) -> "_Recording":
        global_names, local_names = frame.f_globals, frame.f_locals
        module_level = global_names is local_names
        entry: Dict[str, Any] = {}
        leaves: Dict[str, List[Any]] = {}
        variables: Dict[int, Any] = {}
        signature: Optional[List[Any]] = []
        written = block.written
        for name in block.read_order:
            if name in local_names:
                value = local_names[name]
            elif name in global_names:
                value = global_names[name]
            else:
                continue
            kind = type(value)
            if kind is Variable or isinstance(value, Variable):
                found = [value]
                variables[id(value)] = value._value
            elif isinstance(value, np.ndarray):
                if name in written:
                    value = value.copy()      # the block changes it in place: keep its start
                found = [value] if value.dtype.kind in "fc" else []
            elif isinstance(value, (list, tuple, dict)):
                signature = None          # (what a container holds is no part of a signature)
                found = _leaves(value)
                if found and not isinstance(value, tuple):
                    value = _copied(value)    # (an `append` in the block must not show at entry)
                for leaf in found:
                    if isinstance(leaf, Variable):
                        variables[id(leaf)] = leaf._value
            else:
                found = []
            if signature is not None:
                signature.append((name, kind, global_names.get(name) is value,
                                  value.dtype.kind if isinstance(value, np.ndarray) else None))
            entry[name] = value
            leaves[name] = found
        facts = _facts(block, module_level, entry, global_names,
                       None if signature is None else tuple(signature))
        # random numbers drawn in the block are drawn again, the same, when it is differentiated
        states = [(g, g.bit_generator.state)
                  for g in randomness.generators(block, entry, global_names)] \
            if facts.generators else []
        if facts.may_draw:
            states.append((None, randomness.state()))
        return cls(block, global_names, module_level, entry, variables, states, facts, leaves,
                   since=since)

    def inputs(self) -> List[str]:
        """The names whose values at entry the block function takes: the values it reads that
        may carry derivatives, and the other values of the caller's function (an `int` loop
        bound, a list, a function defined there); module-level names stay globals."""
        return self.facts.inputs

    def kinds(self) -> Tuple[Any, ...]:
        """What the code generated for the block depends on of its inputs besides their names:
        which are Variables, which may carry derivatives."""
        return self.facts.kinds

    @property
    def lists(self) -> List[list]:
        """The lists outside the block that the functions it calls may append to."""
        return self.facts.lists

    def has_leaf(self, value: Any) -> bool:
        """Whether `value` is one of the Variables or arrays the block reads by name."""
        if self._leaf_ids is None:
            self._leaf_ids = {id(leaf) for found in self.leaves.values() for leaf in found}
        return id(value) in self._leaf_ids

    def argument(self, name: str) -> Any:
        """The value the block function gets: Variables (also inside lists, tuples and dicts)
        as their values at entry."""
        value = self.entry[name]
        if isinstance(value, Variable):
            return self.variables[id(value)]
        if isinstance(value, (list, tuple, dict)):
            return _substituted(value, self.variables)
        return value

    def blind(self) -> bool:
        """Whether the block's code cannot tell a Tensor from a plain array (see
        `blocks.tensor_blind_roots`): its calls go to NumPy, `math`, s2sgrad's TensorFlow layer
        and safe builtins, as the names it calls them by are bound now."""
        if self._blind is None:
            self._blind = self._is_blind()
        return self._blind

    def _is_blind(self) -> bool:
        roots = self.block.blind_roots
        if roots is None:
            return False
        for name, role in roots:
            value = self.entry.get(name, _MISSING)
            if value is _MISSING:
                value = self.globals.get(name, _MISSING)
            if role == "builtin":
                if value is not _MISSING and value is not getattr(builtins, name, None):
                    return False
            elif role == "module":
                if not isinstance(value, types.ModuleType) or not _blind_module(value.__name__):
                    return False
        return True

    def computed(self) -> Dict[str, Any]:
        """The values the block left in the names it assigns."""
        final = self.exit or {}
        if self._computed is None or self._computed[0] is not final:
            computed = {name: final[name] for name in self.block.stores if name in final}
            holders: Dict[int, str] = {}
            for name in sorted(computed, reverse=True):
                holders[id(computed[name])] = name
            self._computed = (final, computed, holders)
        return self._computed[1]

    def holders(self) -> Dict[int, str]:
        """{id(value): the first name, alphabetically, that the block left it in}."""
        self.computed()
        return self._computed[2]


@dataclasses.dataclass(frozen=True)
class _Facts:
    """What `_Recording.start` works out of a block and the kinds of the values it starts from
    (the same for every run of a training loop's block): the block function's inputs and their
    kinds, whether it may draw random numbers, the outside lists the functions it calls may
    append to."""

    inputs: List[str]
    kinds: Tuple[Any, ...]
    generators: bool
    may_draw: bool
    lists: List[list]


# By block and signature: for each value the block reads, its name, its type, whether it is the
# module's global of that name, and the dtype kind of an array (blocks reading lists, tuples or
# dicts have no signature: what they hold decides).
_FACTS: Dict[Tuple, Tuple[blocks.Block, _Facts]] = {}


def _facts(block: blocks.Block, module_level: bool, entry: Dict[str, Any],
           global_names: Dict[str, Any], signature: Optional[Tuple]) -> _Facts:
    key = (id(block), module_level, signature)
    known = _FACTS.get(key) if signature is not None else None
    if known is not None and known[0] is block:
        return known[1]
    inputs = sorted(name for name, value in entry.items() if _is_differentiable_input(value) or (
        not module_level and not _is_global(name, value, global_names)))
    kinds = tuple((isinstance(entry[name], Variable), _is_differentiable_input(entry[name]))
                  for name in inputs)
    facts = _Facts(inputs, kinds, bool(randomness.generators(block, entry, global_names)),
                   randomness.may_draw(block, entry, global_names),
                   reach.reached_by_calls(block, entry, global_names, list, library=False))
    if signature is not None:
        _FACTS[key] = (block, facts)
    return facts


class GradientTape:
    """Record a block of code for differentiation (TensorFlow's `tf.GradientTape`)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._watched: List[Any] = []
        self._recording = False
        self._used = False
        self._recordings: List[_Recording] = []
        # the trainable Variables read while recording, by id, in the order first read
        self._read_variables: Dict[int, Variable] = {}

    # ---- recording ----------------------------------------------------------------------------

    def __enter__(self) -> "GradientTape":
        frame = sys._getframe(1)
        block = blocks.find_block(frame)
        if self._used and not self._persistent:     # used up: entering again starts afresh
            self._recordings, self._watched, self._used = [], [], False
            self._read_variables = {}
        self._recordings.append(_Recording.start(frame, block))
        self._recording = True
        values.recording_tapes.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        frame = sys._getframe(1)
        if self._recordings:
            self._recordings[-1].exit = dict(frame.f_locals)
        self._recording = False
        if self in values.recording_tapes:
            values.recording_tapes.remove(self)

    def _accessed(self, variable: Variable) -> None:
        """A Variable read while the block runs (see `values.recording_tapes`)."""
        if self._recording and self._watch_accessed_variables and variable.trainable and \
                id(variable) not in self._read_variables:
            self._read_variables[id(variable)] = variable

    def watch(self, tensor: Any) -> None:
        """Differentiate with respect to `tensor` (or each tensor of a nested structure)."""
        for value in _flatten(tensor):
            if isinstance(value, (float, int)) and not isinstance(value, bool):
                raise ValueError(f"Passed in object {value!r} of type {type(value).__name__!r}, "
                                 "not tf.Tensor or tf.Variable or ExtensionType.")
            if not any(value is w for w in self._watched):
                self._watched.append(value)

    def watched_variables(self) -> Tuple[Variable, ...]:
        """The Variables this tape watches: those watched explicitly, and (by default) the
        trainable ones read while it recorded, wherever the code read them."""
        found = [w for w in self._watched if isinstance(w, Variable)]
        return tuple(found + [v for v in self._read_variables.values()
                              if not any(v is f for f in found)])

    def reset(self) -> None:
        """Forget everything recorded and watched; recording goes on from here (TensorFlow:
        the same as leaving the block and entering it again with a new tape)."""
        if not self._recording or not self._recordings:
            raise ValueError("Tape is not recording.")
        frame = sys._getframe(1)
        block = self._recordings[-1].block
        self._recordings = [_Recording.start(frame, block, since=frame.f_lineno)]
        self._watched, self._used, self._read_variables = [], False, {}

    def stop_recording(self) -> "_Paused":
        """`with tape.stop_recording():` code whose operations the tape does not record."""
        return _Paused(self)

    # ---- gradients ----------------------------------------------------------------------------

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: Any = UnconnectedGradients.NONE) -> Any:
        """The gradient of `target` (summed over a nested structure of targets) with respect to
        each of `sources`, in the structure of `sources`."""
        self._check_use()
        flat_sources = _flatten(sources)
        for source in flat_sources:
            _check_source(source)
        flat_targets = _flatten(target)
        for value in flat_targets:
            _check_target(value)
        zeros = _unconnected(unconnected_gradients)
        grads = self._gradients(flat_targets, flat_sources,
                                _seeds(flat_targets, output_gradients), sys._getframe(1))
        result = [g if g is not None else (_zeros_like(s) if zeros else None)
                  for g, s in zip(grads, flat_sources)]
        return _unflatten(sources, result)

    def jacobian(self, target: Any, sources: Any,
                 unconnected_gradients: Any = UnconnectedGradients.NONE,
                 parallel_iterations: Any = None, experimental_use_pfor: bool = True) -> Any:
        """The Jacobian of `target` with respect to each source: shape target + source."""
        self._check_use()
        return self._jacobian(target, sources, unconnected_gradients, sys._getframe(1))

    def _jacobian(self, target: Any, sources: Any, unconnected_gradients: Any,
                  caller: types.FrameType) -> Any:
        flat_sources = _flatten(sources)
        for source in flat_sources:
            _check_source(source)
        zeros = _unconnected(unconnected_gradients)
        value = np.asarray(_value(target))
        rows: List[List[Any]] = []
        for index in np.ndindex(value.shape):     # one backward sweep per entry of the target
            seed = np.zeros_like(value)
            seed[index] = 1
            rows.append(self._gradients([target], flat_sources, [seed], caller))
        result = []
        for k, source in enumerate(flat_sources):
            shape = value.shape + np.shape(_value(source))
            if not rows or rows[0][k] is None:
                result.append(_zeros_like(np.zeros(shape, _dtype_of(source))) if zeros
                              else None)
                continue
            stacked = np.stack([np.asarray(r[k]) for r in rows])
            result.append(stacked.reshape(shape).view(Tensor))
        return _unflatten(sources, result)

    def batch_jacobian(self, target: Any, source: Any,
                       unconnected_gradients: Any = UnconnectedGradients.NONE,
                       parallel_iterations: Any = None, experimental_use_pfor: bool = True
                       ) -> Any:
        """`jacobian` for each example of a batch: shape (batch,) + target[1:] + source[1:];
        example i of the target must depend only on example i of the source."""
        self._check_use()
        full = self._jacobian(target, source, unconnected_gradients, sys._getframe(1))
        if full is None:
            return None
        full = np.asarray(full)
        t_shape, s_shape = np.shape(_value(target)), np.shape(_value(source))
        batch = t_shape[0]
        moved = full.reshape((batch, int(np.prod(t_shape[1:], dtype=int)), batch,
                              int(np.prod(s_shape[1:], dtype=int))))
        diagonal = np.stack([moved[i, :, i, :] for i in range(batch)])
        return diagonal.reshape((batch,) + t_shape[1:] + s_shape[1:]).view(Tensor)

    # ---- the machinery ------------------------------------------------------------------------

    def _check_use(self) -> None:
        if not self._recordings:
            raise S2sgradError("this tape has not recorded a block: use it as "
                               "`with GradientTape() as tape:` before asking for gradients")
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        self._used = True

    def _gradients(self, targets: List[Any], sources: List[Any], seeds: List[Any],
                   caller: types.FrameType) -> List[Any]:
        """Back through the recordings, latest first: each turns the adjoints of the values it
        computed into adjoints of the values it started from (by identity), which the earlier
        recordings continue from. A source's gradient is what reached it, None if nothing."""
        pending: Dict[int, List[Any]] = {}        # id(value): [value, adjoint]
        for target, seed in zip(targets, seeds):
            _accumulate(pending, target, np.asarray(seed, dtype=_dtype_of(target)))
        # the sources the tape watches, by id (a gradient reaching one of them is kept)
        wanted = {id(s) for s in sources if self._is_watched(s)}
        reached: Dict[int, Any] = {}
        for recording in reversed(self._recordings):
            until = None
            if recording is self._recordings[-1] and self._recording:
                recording.exit = dict(caller.f_locals)     # asked inside the block
                until = caller.f_lineno
            self._back_through(recording, pending, sources, wanted, reached, until)
        out = []
        for source in sources:
            if id(source) in reached:
                out.append(_as_tensor_like(reached[id(source)], _value(source)))
            elif id(source) in pending and id(source) in wanted and \
                    any(t is source for t in targets):
                out.append(_as_tensor_like(pending[id(source)][1], _value(source)))
            else:
                out.append(None)
        return out

    def _back_through(self, recording: _Recording, pending: Dict[int, List[Any]],
                      sources: List[Any], wanted: set, reached: Dict[int, Any],
                      until: Optional[int]) -> None:
        """Propagate the `pending` adjoints through one recording (see `_gradients`)."""
        computed = recording.computed()
        outputs = []                      # (name, [value, adjoint]): one name per value
        for name in sorted(computed):
            entry = pending.get(id(computed[name]))
            if entry is not None and not any(entry is p for _, p in outputs):
                outputs.append((name, entry))
        if not outputs:
            return
        sweep = self._sweep(recording, outputs, sources, pending, until)
        for name, _ in outputs:           # consumed here
            pending.pop(id(computed[name]), None)
        if sweep is None:
            return
        blind = recording.blind()
        args = []
        for name in sweep.params:
            arg = computed[name] if name in sweep.cut else recording.argument(name)
            if blind and type(arg) is Tensor:
                arg = arg.view(np.ndarray)    # (NumPy is faster on arrays than on a subclass)
            args.append(arg)
        forward, backward = sweep.derived.functions_for(args, {})
        if blind and not recording.random_states and not recording.lists:
            _, residuals = forward(*args)     # (it calls no function that prints or draws)
        else:
            with _Rerun(recording):
                _, residuals = forward(*args)
        cotangent = tuple(np.asarray(p[1], dtype=_dtype_of(p[0])) for _, p in outputs)
        with variables.collected_adjoints() as collected:
            grads = backward(*residuals, cotangent)
        for variable, grad in collected.values():
            if id(variable) in wanted:
                reached[id(variable)] = _add(reached.get(id(variable)), grad)
            _accumulate(pending, variable, grad)
        for name, grad in zip(sweep.wrt, grads):
            if name in sweep.cut:
                value = computed[name]
                reached[id(value)] = _add(reached.get(id(value)), grad)
                continue
            # a value, or a list / tuple / dict of them with a gradient of the same structure
            for value, part in _paired(recording.entry[name], grad):
                if id(value) in wanted:
                    reached[id(value)] = _add(reached.get(id(value)), part)
                _accumulate(pending, value, part)

    def _sweep(self, recording: _Recording, outputs: List[Tuple[str, List[Any]]],
               sources: List[Any], pending: Dict[int, List[Any]], until: Optional[int]
               ) -> Optional["_Sweep"]:
        """How to go back through `recording` for these outputs and sources (None: nothing
        to do). What it depends on is a short key (the names that hold the outputs, the
        block's inputs, which of them carry derivatives, where the sources are); a training
        loop asks the same every step and gets the plan made the first time."""
        block = recording.block
        params = recording.inputs()
        leaves = recording.leaves
        several = len(self._recordings) > 1
        carried_names = []
        for name in params:
            for leaf in leaves[name]:
                if id(leaf) in pending or self._is_watched(leaf) or (
                        several and _came_from_tape(leaf, self._recordings, recording)):
                    carried_names.append(name)
                    break
        carried = tuple(carried_names)
        holders = recording.holders()
        held = tuple([(holders.get(id(source)), self._is_watched(source))
                      for source in sources])
        # Variables the block reaches other than by a name it reads (`model.w`, a global one
        # read in a function it calls) hand their adjoints over while the backward pass runs
        unnamed = False
        for source in sources:
            if isinstance(source, Variable) and not recording.has_leaf(source):
                unnamed = True
                break
        output_names = tuple(name for name, _ in outputs)
        asked = _asked(block)
        tapes = _tapes(recording, self) if asked else {}
        key = (id(block), recording.since, until, id(recording.globals), output_names,
               tuple(params), recording.kinds(), carried, held, unnamed,
               _lowered_tapes(block, tapes) if asked else ())
        known = _SWEEPS.get(key)
        if known is not None and known[0] is block:
            return known[1]
        cut = set()
        for name, watched in held:        # gradients with respect to values the block computed
            if name is not None and (watched or name in dataflow.reached(
                    block.node.body, frozenset(carried), until, recording.since)):
                cut.add(name)
        ordered = [p for p in params if p not in cut] + sorted(cut)
        differentiable = [p for p in ordered if p in cut or (
            _is_differentiable_input(recording.entry[p]) and p in carried)]
        linked = dataflow.connected(block.node.body, differentiable, list(output_names), until,
                                    recording.since, frozenset(cut))
        sweep = None
        if linked or unnamed:
            wrt = tuple(p for p in differentiable if p in linked)
            derived = self._function(recording, ordered, wrt, list(output_names), cut, until,
                                     tapes if asked else _tapes(recording, self))
            sweep = _Sweep(tuple(ordered), wrt, frozenset(cut), derived)
        _SWEEPS[key] = (block, sweep)
        return sweep

    def _is_watched(self, source: Any) -> bool:
        if isinstance(source, Variable) and source.trainable and self._watch_accessed_variables:
            return True
        for watched in self._watched:
            if watched is source:
                return True
        return False

    def _function(self, recording: _Recording, params: List[str], wrt: Tuple[str, ...],
                  outputs: List[str], cut: set, until: Optional[int], tapes: Dict[str, Any]
                  ) -> Any:
        """The reverse-mode derivative (vjp kind) of the block written as a function of
        `params` returning `outputs`; one per block and request, shared by every tape."""
        block = recording.block
        key = (block.filename, block.lineno, id(recording.globals), tuple(params), wrt,
               tuple(outputs),
               tuple(sorted(cut)), until, recording.since, _lowered_tapes(block, tapes))
        derived = _FUNCTIONS.get(key)
        if derived is None:
            from ..api import Derived

            fn = blocks.block_function(block, params, outputs, cut, tapes, recording.globals,
                                       until, variables=_variable_names(recording),
                                       since=recording.since)
            derived = _FUNCTIONS[key] = Derived(fn, wrt, "vjp")
        return derived

    def _lowered_gradient(self, target: str, sources: List[str], where: Any,
                          until: Optional[int] = None) -> Tuple[Any, List[str]]:
        """(the generated gradient of this tape's (last) block, for `target` with respect to
        the names `sources`, as a Python function; the names it takes): for a gradient taken
        inside an enclosing tape's block, or inside its own block before line `until` (a
        persistent tape), which is then differentiated again."""
        recording = self._recordings[-1]
        block = recording.block
        params = recording.inputs()
        missing = [s for s in sources if s not in params
                   or not _is_differentiable_input(recording.entry[s])]
        if missing or target not in block.stores:
            raise S2sgradError(
                f"a nested tape's gradient must be of a value its block computes with respect "
                f"to values its block reads (here `{target}` with respect to "
                f"{', '.join(missing or sources)})", where,
                "compute the target inside the nested `with` block.")
        key = ("nested", block.filename, block.lineno, id(recording.globals), tuple(params),
               target, tuple(sources),
               recording.since, until)
        derived = _FUNCTIONS.get(key)
        if derived is None:
            from ..api import GradFunction

            fn = blocks.block_function(block, params, [target], set(), _tapes(recording, self),
                                       recording.globals, until=until, summed=True,
                                       variables=_variable_names(recording),
                                       since=recording.since)
            derived = _FUNCTIONS[key] = GradFunction(fn, tuple(sources), "grad")
        args = tuple(recording.argument(name) for name in params)
        return derived.entry_for(args, {}), params


# One derivative per block and request. Keys hold the id of the namespace the block ran in: a
# file run again (runpy, %run) defines new objects under the same names; each entry keeps its
# namespace alive, so the id is not reused while the entry exists.
_FUNCTIONS: Dict[Tuple, Any] = {}


@dataclasses.dataclass(frozen=True)
class _Sweep:
    """How to go back through a recording: the block function's parameters (the values it
    computed that gradients are asked of, `cut`, last), those it differentiates, and its
    generated derivative."""

    params: Tuple[str, ...]
    wrt: Tuple[str, ...]
    cut: frozenset
    derived: Any


# Sweeps by request (see `GradientTape._sweep`); each keeps its block, whose id is in the key.
_SWEEPS: Dict[Tuple, Tuple[blocks.Block, Optional[_Sweep]]] = {}


def _accumulate(pending: Dict[int, List[Any]], value: Any, adjoint: Any) -> None:
    entry = pending.get(id(value))
    if entry is None:
        pending[id(value)] = [value, adjoint]
    else:
        entry[1] = entry[1] + adjoint


def _add(total: Any, more: Any) -> Any:
    return more if total is None else total + more


def _came_from_tape(value: Any, recordings: List[_Recording], current: _Recording) -> bool:
    """Whether an earlier recording of the tape computed `value` (so it carries derivatives)."""
    if recordings[0] is current:
        return False
    for recording in recordings:
        if recording is current:
            return False
        if any(v is value for v in recording.computed().values()):
            return True
    return False


_ASKED: Dict[int, Tuple[blocks.Block, set]] = {}


def _asked(block: blocks.Block) -> set:
    """The names of the tapes whose `gradient` the block calls (`g.gradient(...)`)."""
    asked = _ASKED.get(id(block))
    if asked is None or asked[0] is not block:
        asked = _ASKED[id(block)] = (block, {
            node.func.value.id for node in astutil.walk(block.node.body)
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "gradient" and isinstance(node.func.value, gast.Name)})
    return asked[1]


def _lowered_tapes(block: blocks.Block, tapes: Dict[str, Any]) -> Tuple:
    """What the lowering of the tapes whose `gradient` the block calls depends on (a key): each
    one's block and the types of the values it started from (which pick the variant of its
    generated gradient), not the tape objects, which a training loop makes anew every step."""
    asked = _asked(block)
    if not asked:
        return ()
    parts = []
    for name in sorted(asked & set(tapes)):
        tape = tapes[name]
        if tape is None or not tape._recordings:
            continue
        recording = tape._recordings[-1]
        parts.append((name, id(recording.block), recording.since, tuple(
            (n, type(v), np.shape(v) if isinstance(v, np.ndarray) else None)
            for n, v in sorted(recording.entry.items()))))
    return tuple(parts)


def _variable_names(recording: _Recording) -> set:
    return {name for name, value in recording.entry.items() if isinstance(value, Variable)}


def _tapes(recording: _Recording, tape: GradientTape) -> Dict[str, Any]:
    """The names of tapes in and around the block, bound to the tape objects: its own (`as
    tape`) and those of tapes nested in it (their gradients taken in the block are lowered)."""
    block = recording.block
    final = recording.exit or {}
    found: Dict[str, Any] = {}
    for name in _tape_names(block):
        found[name] = final.get(name) if isinstance(final.get(name), GradientTape) else None
    for name, value in final.items():
        if isinstance(value, GradientTape) and name in block.stores:
            found[name] = value
    return found


class _Rerun:
    """While a block runs again to be differentiated: the random generators back at the states
    they had when it started (then where the user's program left them); what it prints (in
    functions it calls) not printed again; what those functions append to lists outside the
    block removed after it (the user's run appended it)."""

    def __init__(self, recording: _Recording):
        self.states = recording.random_states
        self.lists = recording.lists
        self.now: List[Tuple[Any, Any]] = []
        self.lengths: List[int] = []
        self.stdout: Any = None

    def __enter__(self) -> None:
        if self.states:
            self.now = [(g, randomness.state() if g is None else g.bit_generator.state)
                        for g, _ in self.states]
            _put_back(self.states)
        self.lengths = [len(found) for found in self.lists]
        self.stdout, sys.stdout = sys.stdout, _SINK

    def __exit__(self, *exc_info: Any) -> None:
        sys.stdout = self.stdout
        for found, length in zip(self.lists, self.lengths):
            del found[length:]
        if self.states:
            _put_back(self.now)


def _put_back(states: List[Tuple[Any, Any]]) -> None:
    """Each generator (None: NumPy's global one and tf.random's streams) at its state."""
    for generator, state in states:
        if generator is None:
            randomness.restore(state)
        else:
            generator.bit_generator.state = state


class _Sink(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


_SINK = _Sink()


class _Paused:
    def __init__(self, tape: GradientTape):
        self._tape = tape

    def __enter__(self) -> None:
        self._tape._recording = False

    def __exit__(self, *exc_info: Any) -> None:
        self._tape._recording = True


# ---- helpers ---------------------------------------------------------------------------------


def _flatten(structure: Any) -> List[Any]:
    if isinstance(structure, (list, tuple)):
        flat: List[Any] = []
        for item in structure:
            if isinstance(item, (list, tuple, dict)):
                flat.extend(_flatten(item))
            else:
                flat.append(item)
        return flat
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _unflatten(structure: Any, leaves: List[Any]) -> Any:
    kind = type(structure)
    if (kind is list or kind is tuple) and not any(
            isinstance(item, (list, tuple, dict)) for item in structure):
        return kind(leaves)       # (the common case: a flat list or tuple of sources)
    iterator = iter(leaves)

    def build(node: Any) -> Any:
        if isinstance(node, (list, tuple)):
            items = [build(item) for item in node]
            return type(node)(items) if not hasattr(node, "_fields") else type(node)(*items)
        if isinstance(node, dict):
            return {key: build(node[key]) for key in sorted(node)}
        return next(iterator)
    return build(structure)


def _value(x: Any) -> Any:
    return x.value() if isinstance(x, Variable) else x


def _check_source(source: Any) -> None:
    if isinstance(source, (float, int)) and not isinstance(source, bool):
        raise ValueError(f"Passed in object {source!r} of type {type(source).__name__!r}, not "
                         "tf.Tensor or tf.Variable or ExtensionType.")


def _check_target(target: Any) -> None:
    if target is None:
        raise ValueError("the target of gradient() is None: pass the value the block computed")


def _unconnected(option: Any) -> bool:
    if isinstance(option, UnconnectedGradients):
        return option is UnconnectedGradients.ZERO
    if option in ("zero", "none"):
        return option == "zero"
    raise ValueError(f"Unknown value for unconnected_gradients: {option!r}")


def _seeds(targets: List[Any], output_gradients: Any) -> List[Any]:
    if output_gradients is None:
        return [np.ones(t.shape, t.dtype) if isinstance(t, np.ndarray)
                else np.ones_like(np.asarray(_value(t))) for t in targets]
    given = _flatten(output_gradients)
    if len(given) != len(targets):
        raise ValueError(f"output_gradients has {len(given)} entries but there are "
                         f"{len(targets)} targets")
    return [np.ones_like(np.asarray(_value(t))) if g is None else np.asarray(_value(g))
            for t, g in zip(targets, given)]


def _leaves(value: Any, depth: int = 4) -> List[Any]:
    """The Variables and float arrays of a value, also inside lists, tuples and dicts."""
    if isinstance(value, (list, tuple)) and depth:
        return [leaf for item in value for leaf in _leaves(item, depth - 1)]
    if isinstance(value, dict) and depth:
        return [leaf for item in value.values() for leaf in _leaves(item, depth - 1)]
    if isinstance(value, Variable) or (isinstance(value, np.ndarray)
                                       and value.dtype.kind in "fc"):
        return [value]
    return []


def _rebuilt(value: Any, leaf: Any) -> Any:
    """`value` with its lists, tuples and dicts rebuilt and `leaf` applied to everything else."""
    if isinstance(value, (list, tuple)):
        return type(value)(_rebuilt(item, leaf) for item in value)
    if isinstance(value, dict):
        return {key: _rebuilt(item, leaf) for key, item in value.items()}
    return leaf(value)


def _copied(value: Any) -> Any:
    """The structure of lists and dicts copied (their entries are shared)."""
    return _rebuilt(value, lambda entry: entry)


def _substituted(value: Any, variables: Dict[int, Any]) -> Any:
    """`value` with each Variable replaced by its value at entry."""
    return _rebuilt(value, lambda entry: variables[id(entry)]
                    if isinstance(entry, Variable) else entry)


def _paired(value: Any, grad: Any) -> List[Tuple[Any, Any]]:
    """(leaf, its gradient) for a value and a gradient of the same structure."""
    if type(value) is Variable or (type(value) is Tensor and value.dtype.kind in "fc"):
        return [(value, grad)]          # (the common case)
    if isinstance(value, (list, tuple)):
        return [pair for item, part in zip(value, grad) for pair in _paired(item, part)]
    if isinstance(value, dict):
        return [pair for key in value for pair in _paired(value[key], grad[key])]
    return [(value, grad)] if _leaves(value) else []


def _is_differentiable_input(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return bool(_leaves(value))
    if isinstance(value, Variable):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc"
    return isinstance(value, (float, np.floating))


def _is_global(name: str, value: Any, global_names: Dict[str, Any]) -> bool:
    """Whether the block function reads `name` as the global it is (a module, a function, a
    class the caller's module defines), or it is a tape (a module imported into the caller's
    function is a value of it, like a function defined there)."""
    return global_names.get(name) is value or isinstance(value, GradientTape)


def _dtype_of(value: Any) -> Any:
    kind = value.dtype if isinstance(value, np.ndarray) else np.result_type(_value(value))
    return kind if kind.kind in "fc" else np.float32


def _as_tensor_like(grad: Any, source: Any) -> Tensor:
    """A gradient as a Tensor of its source's dtype (float32 for Python numbers, as in
    TensorFlow)."""
    if isinstance(source, np.ndarray) and isinstance(grad, np.ndarray) and \
            grad.dtype == source.dtype and source.dtype.kind in "fc":
        return grad.view(Tensor)     # (the common case; a new object, as always)
    kind = np.result_type(source)
    dtype = kind if kind.kind in "fc" and not isinstance(source, (float, int)) else np.float32
    return np.asarray(grad, dtype=dtype).view(Tensor)


def _zeros_like(source: Any) -> Tensor:
    return np.zeros(np.shape(_value(source)), _dtype_of(source)).view(Tensor)


def _tape_names(block: blocks.Block) -> set:
    """The names the `with` statement binds its tapes to (`as tape`)."""
    names = set()
    for item in getattr(block.node, "items", []):
        if isinstance(item.optional_vars, gast.Name):
            names.add(item.optional_vars.id)
    return names
