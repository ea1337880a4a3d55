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

import contextlib
import enum
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

import gast
import numpy as np

from .. import astutil
from ..errors import S2sgradError
from . import blocks, randomness
from .values import Tensor, Variable


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


_active: List["GradientTape"] = []      # the tapes whose blocks are running, innermost last


class GradientTape:
    """Record a block of code for differentiation (TensorFlow's `tf.GradientTape`)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._watched: List[Any] = []
        self._recording = False
        self._used = False
        self._block: Optional[blocks.Block] = None
        self._frame_globals: Dict[str, Any] = {}
        self._entry: Dict[str, Any] = {}
        self._entry_variables: Dict[int, Any] = {}
        self._exit: Optional[Dict[str, Any]] = None
        self._functions: Dict[Any, Any] = {}
        self._random_states: List[Tuple[Any, Any]] = []

    # ---- recording ----------------------------------------------------------------------------

    def __enter__(self) -> "GradientTape":
        frame = sys._getframe(1)
        self._block = blocks.find_block(frame)
        self._frame_globals = global_names = frame.f_globals
        local_names = frame.f_locals
        block = self._block
        self._entry = entry = {}
        for name in block.reads:
            if name in local_names:
                value = local_names[name]
            elif name in global_names:
                value = global_names[name]
            else:
                continue
            if name in block.written and isinstance(value, np.ndarray):
                value = value.copy()      # the block changes it in place: keep its start
            entry[name] = value
        self._entry_variables = {id(v): v.value() for v in entry.values()
                                 if isinstance(v, Variable)}
        # random numbers drawn in the block are drawn again, the same, when it is differentiated
        self._random_states = [(g, g.bit_generator.state) for g in entry.values()
                               if isinstance(g, np.random.Generator)]
        if randomness.may_draw(block, entry, global_names):
            self._random_states.append((None, np.random.get_state()))
        self._exit = None
        self._recording = True
        _active.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        frame = sys._getframe(1)
        self._exit = dict(frame.f_locals)
        self._recording = False
        if self in _active:
            _active.remove(self)

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
        trainable ones the block reads."""
        found = [w for w in self._watched if isinstance(w, Variable)]
        if self._watch_accessed_variables and self._block is not None:
            for value in self._entry.values():
                if isinstance(value, Variable) and value.trainable \
                        and not any(value is f for f in found):
                    found.append(value)
        return tuple(found)

    def reset(self) -> None:
        """Forget what was recorded and watched (inside the block: start recording afresh)."""
        self._watched = []
        self._used = False

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
        grads = self._gradients(flat_targets, flat_sources, output_gradients)
        result = [g if g is not None else (_zeros_like(s) if zeros else None)
                  for g, s in zip(grads, flat_sources)]
        return _unflatten(sources, result)

    def jacobian(self, target: Any, sources: Any,
                 unconnected_gradients: Any = UnconnectedGradients.NONE,
                 parallel_iterations: Any = None, experimental_use_pfor: bool = True) -> Any:
        """The Jacobian of `target` with respect to each source: shape target + source."""
        self._check_use()
        flat_sources = _flatten(sources)
        for source in flat_sources:
            _check_source(source)
        zeros = _unconnected(unconnected_gradients)
        value = np.asarray(_value(target))
        rows: List[List[Any]] = []
        for index in np.ndindex(value.shape):
            seed = np.zeros_like(value)
            seed[index] = 1
            rows.append(self._gradients([target], flat_sources, [seed]))
        result = []
        for k, source in enumerate(flat_sources):
            if rows and rows[0][k] is None:
                result.append(np.zeros(value.shape + np.shape(_value(source)), value.dtype)
                              .view(Tensor) if zeros else None)
                continue
            stacked = np.stack([np.asarray(r[k]) for r in rows]) if rows else \
                np.zeros((0,) + np.shape(_value(source)))
            result.append(stacked.reshape(value.shape + np.shape(_value(source))).view(Tensor))
        return _unflatten(sources, result)

    def batch_jacobian(self, target: Any, source: Any,
                       unconnected_gradients: Any = UnconnectedGradients.NONE,
                       parallel_iterations: Any = None, experimental_use_pfor: bool = True
                       ) -> Any:
        """`jacobian` for each example of a batch: shape (batch,) + target[1:] + source[1:];
        example i of the target must depend only on example i of the source."""
        full = self.jacobian(target, source, unconnected_gradients)
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
        if self._block is None:
            raise S2sgradError("this tape has not recorded a block: use it as "
                               "`with GradientTape() as tape:` before asking for gradients")
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        self._used = True

    def _gradients(self, targets: List[Any], sources: List[Any],
                   output_gradients: Any) -> List[Any]:
        block = self._block
        assert block is not None
        until = None
        if self._recording:        # asked inside the block: what ran so far
            frame = sys._getframe(3)
            final = dict(frame.f_locals)
            until = frame.f_lineno
        else:
            final = self._exit or {}
        computed = {name: final[name] for name in block.stores if name in final}
        outputs = [_holder(t, computed) for t in targets]
        seeds = _seeds(targets, output_gradients)
        connected = [(t, o, s) for t, o, s in zip(targets, outputs, seeds) if o is not None]
        if not connected:
            return [None] * len(sources)
        params, cut, wrt = self._parameters(sources, computed)
        output_names = [o for _, o, _ in connected]
        linked = _linked(block, tuple(p for p in wrt if p is not None), tuple(output_names),
                         until)
        if not any(name in linked for name in wrt if name is not None):
            return [None] * len(sources)
        derived = self._function(params, output_names, cut, until)
        args = tuple(self._argument(name, computed, cut) for name in params)
        forward, backward = derived.functions_for(args, {})
        if self._random_states:
            with _replayed(self._random_states):
                _, residuals = forward(*args)
        else:
            _, residuals = forward(*args)
        cotangent = tuple(np.asarray(s, dtype=np.result_type(_value(t)))
                          for t, _, s in connected)
        grads = backward(*residuals, cotangent)
        by_param = dict(zip(params, grads))
        out = []
        for source, name in zip(sources, wrt):
            if name is None or name not in linked:
                out.append(None)
                continue
            out.append(_as_tensor_like(by_param[name], _value(source)))
        return out

    def _parameters(self, sources: List[Any], computed: Dict[str, Any]
                    ) -> Tuple[List[str], set, List[Optional[str]]]:
        """(the block function's parameters, the intermediate values made parameters, the
        parameter of each source or None when the tape does not see it)."""
        block = self._block
        assert block is not None
        params = sorted(name for name in self._entry if name in block.reads
                        and _is_differentiable_input(self._entry[name]))
        cut: set = set()
        wrt: List[Optional[str]] = []
        for source in sources:
            name = _entry_name(source, self._entry)
            if name is not None and self._is_watched(source):
                wrt.append(name)
                continue
            name = _holder(source, computed)
            if name is not None and name not in params and self._watched_any():
                cut.add(name)
                wrt.append(name)
                continue
            wrt.append(None)
        return params + sorted(cut), cut, wrt

    def _is_watched(self, source: Any) -> bool:
        if any(source is w for w in self._watched):
            return True
        return isinstance(source, Variable) and source.trainable \
            and self._watch_accessed_variables

    def _watched_any(self) -> bool:
        return bool(self._watched) or (self._watch_accessed_variables and any(
            isinstance(v, Variable) and v.trainable for v in self._entry.values()))

    def _argument(self, name: str, computed: Dict[str, Any], cut: set) -> Any:
        if name in cut:
            return computed[name]
        value = self._entry[name]
        if isinstance(value, Variable):
            return self._entry_variables[id(value)]
        return value

    def _function(self, params: List[str], outputs: List[str], cut: set,
                  until: Optional[int]) -> Any:
        """The reverse-mode derivative (vjp kind) of the block written as a function of
        `params` returning `outputs`; one per block and request, shared by every tape."""
        block = self._block
        assert block is not None
        tapes = self._tapes()
        key = (block.filename, block.lineno, tuple(params), tuple(outputs), tuple(sorted(cut)),
               until, tuple(sorted((n, id(t)) for n, t in tapes.items() if t is not None)))
        derived = _FUNCTIONS.get(key)
        if derived is None:
            from ..api import Derived

            fn = blocks.block_function(block, params, outputs, cut, tapes,
                                       self._frame_globals, until,
                                       variables=self._variable_names())
            derived = _FUNCTIONS[key] = Derived(fn, tuple(range(len(params))), "vjp")
        return derived


    def _variable_names(self) -> set:
        return {name for name, value in self._entry.items() if isinstance(value, Variable)}

    def _tapes(self) -> Dict[str, Any]:
        """The names of tapes in and around the block: its own (`as tape`), bound to None, and
        those of tapes nested in it, bound to the tape objects (their gradients are lowered)."""
        block = self._block
        assert block is not None
        found: Dict[str, Any] = {name: None for name in _tape_names(block)}
        for name, value in (self._exit or {}).items():
            if isinstance(value, GradientTape) and value is not self and name in block.stores:
                found[name] = value
        return found

    def _lowered_gradient(self, target: str, sources: List[str], where: Any
                          ) -> Tuple[Any, List[str]]:
        """(the generated gradient of this tape's block, for `target` with respect to the names
        `sources`, as a Python function; the names it takes): for a gradient taken inside an
        enclosing tape's block, which is then differentiated again."""
        block = self._block
        assert block is not None
        params = sorted(name for name in self._entry if name in block.reads
                        and _is_differentiable_input(self._entry[name]))
        missing = [s for s in sources if s not in params]
        if missing or target not in block.stores:
            raise S2sgradError(
                f"a nested tape's gradient must be of a value its block computes with respect "
                f"to values its block reads (here `{target}` with respect to "
                f"{', '.join(missing or sources)})", where,
                "compute the target inside the nested `with` block.")
        key = ("nested", tuple(params), target, tuple(sources))
        fn = self._functions.get(key)
        if fn is None:
            fn = self._functions[key] = blocks.block_function(
                block, params, [target], set(), self._tapes(), self._frame_globals,
                summed=True, variables=self._variable_names())
        from ..api import GradFunction

        derived = self._functions.get(key + ("derived",))
        if derived is None:
            derived = self._functions[key + ("derived",)] = GradFunction(fn, tuple(sources),
                                                                         "grad")
        args = tuple(self._argument(name, {}, set()) for name in params)
        return derived.entry_for(args, {}), params


_FUNCTIONS: Dict[Tuple, Any] = {}   # one function (and so one cached derivative) per request


@contextlib.contextmanager
def _replayed(states: List[Tuple[Any, Any]]) -> Iterator[None]:
    """Random generators back at the states they had when the block started, for the time of
    its re-run; then where the user's program left them."""
    now = [(g, np.random.get_state() if g is None else g.bit_generator.state)
           for g, _ in states]
    try:
        for generator, state in states:
            if generator is None:
                np.random.set_state(state)
            else:
                generator.bit_generator.state = state
        yield
    finally:
        for generator, state in now:
            if generator is None:
                np.random.set_state(state)
            else:
                generator.bit_generator.state = state


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
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _unflatten(structure: Any, leaves: List[Any]) -> Any:
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
        return [np.ones_like(np.asarray(_value(t))) for t in targets]
    given = _flatten(output_gradients)
    if len(given) != len(targets):
        raise ValueError(f"output_gradients has {len(given)} entries but there are "
                         f"{len(targets)} targets")
    return [np.ones_like(np.asarray(_value(t))) if g is None else np.asarray(_value(g))
            for t, g in zip(targets, given)]


def _holder(value: Any, names: Dict[str, Any]) -> Optional[str]:
    """The name among `names` bound to `value` itself (by identity), if any."""
    found = [name for name, bound in names.items() if bound is value]
    return sorted(found)[0] if found else None


def _entry_name(source: Any, entry: Dict[str, Any]) -> Optional[str]:
    return _holder(source, entry)


def _is_differentiable_input(value: Any) -> bool:
    if isinstance(value, Variable):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc"
    return isinstance(value, (float, np.floating))


def _as_tensor_like(grad: Any, source: Any) -> Tensor:
    """A gradient as a Tensor of its source's dtype (float32 for Python numbers, as in
    TensorFlow)."""
    kind = np.result_type(source)
    dtype = kind if kind.kind in "fc" and not isinstance(source, (float, int)) else np.float32
    return np.asarray(grad, dtype=dtype).view(Tensor)


def _zeros_like(source: Any) -> Tensor:
    value = np.asarray(_value(source))
    return np.zeros(value.shape, value.dtype if value.dtype.kind in "fc" else np.float32
                    ).view(Tensor)


def _tape_names(block: blocks.Block) -> set:
    """The names the `with` statement binds its tapes to (`as tape`)."""
    names = set()
    for item in getattr(block.node, "items", []):
        if isinstance(item.optional_vars, gast.Name):
            names.add(item.optional_vars.id)
    return names


_LINKED: Dict[Tuple, set] = {}


def _linked(block: blocks.Block, inputs: Tuple[str, ...], outputs: Tuple[str, ...],
            until: Optional[int]) -> set:
    """`_depends`, remembered per block and request."""
    key = (id(block), inputs, outputs, until)
    if key not in _LINKED:
        _LINKED[key] = _depends(block, list(inputs), list(outputs), until)
    return _LINKED[key]


def _depends(block: blocks.Block, inputs: List[str], outputs: List[str],
             until: Optional[int]) -> set:
    """The `inputs` some output depends on through the block's assignments (data flow only:
    branch conditions and loop bounds carry no derivative), by name."""
    linked = set()
    for source in inputs:
        varied = {source}
        for _ in range(2):            # twice: a loop body feeds its next iteration
            _spread(block.node.body, varied, until)
        if set(outputs) & varied:
            linked.add(source)
    return linked


def _spread(statements: List[Any], varied: set, until: Optional[int]) -> None:
    for stmt in statements:
        if until is not None and getattr(stmt, "lineno", 0) >= until:
            return
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            loaded = astutil.names_loaded(stmt.value) if stmt.value is not None else set()
            if isinstance(stmt, gast.AugAssign):
                loaded |= astutil.names_loaded(stmt.target)
            if loaded & varied:
                varied |= astutil.names_stored(targets)
                for target in targets:     # x[i] = v: x now depends on v
                    if isinstance(target, gast.Subscript):
                        varied |= astutil.all_names(target.value)
        elif isinstance(stmt, gast.For):
            if astutil.names_loaded(stmt.iter) & varied:
                varied |= astutil.names_stored(stmt.target)
            _spread(stmt.body, varied, None)
            _spread(stmt.orelse, varied, None)
        elif isinstance(stmt, (gast.While, gast.If, gast.With, gast.Try)):
            for field in ("body", "orelse", "finalbody"):
                _spread(getattr(stmt, field, []) or [], varied, None)
            for handler in getattr(stmt, "handlers", []) or []:
                _spread(handler.body, varied, None)
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                and isinstance(stmt.value.func, gast.Attribute):
            # `L.append(v)`: the list now depends on v
            if astutil.names_loaded(stmt.value) & varied:
                varied |= astutil.all_names(stmt.value.func.value)

