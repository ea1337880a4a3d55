"""The project's performance targets, measured in one run: peak memory, generation time, the disk
cache in a new process, and (when installed) other autodiff tools on the same workloads.

- Peak memory: `tracemalloc` (NumPy reports its array allocations to it) around one call of the
  generated gradient and one of the hand-written gradient, after warm-up; the ratio of the peaks
  above what was allocated before the call.
- Generation: the first call of a fresh `sg.grad` of `workloads/long.py:simulate` (30 lines of
  body: loops, a `while`, branches, a helper call) after clearing the derivative cache, median of
  repeats; and the first call in a new process, with the disk cache empty (generation) and warm
  (loaded), each measured inside a fresh interpreter.
- Other tools: autograd and JAX run the very same workload functions, with `np` in the functions'
  globals (and `math`) replaced by `autograd.numpy` / `jax.numpy` (a copy of each function, nothing else
  changes). JAX is timed eagerly and under `jax.jit`, its compile time reported apart. Tools that
  are not installed are listed as such (`pip install .[bench]` installs them).
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
import types
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import s2sgrad as sg
from s2sgrad.cache import CACHE

from . import timing
from .workloads import long

TARGETS = {   # generated / hand-written (or the stated unit), from the project's issue 7
    "Scalar loop": 1.3, "Small MLP": 1.15, "Large MLP": 1.05, "RNN": 1.2, "While loop": 1.3,
    "HVP / function": 5.0, "peak memory": 1.2, "generation (ms)": 50.0,
    "cached call overhead (µs)": 5.0,
}


@dataclasses.dataclass
class MemoryResult:
    label: str
    generated: int    # bytes, peak above the start of the call
    hand: int

    @property
    def ratio(self) -> float:
        return self.generated / self.hand if self.hand else float("nan")


@dataclasses.dataclass
class GenerationTimes:
    in_process: List[float]            # seconds, first call after CACHE.clear()
    new_process_cold: Optional[float]  # first call in a new process, empty disk cache
    new_process_warm: Optional[float]  # ... with the disk cache written by the cold run
    lines: int                         # lines of the function's body


@dataclasses.dataclass
class ToolResult:
    tool: str
    workload: str
    seconds: Optional[float]           # median per call; None: not run (see note)
    note: str = ""
    compile_seconds: Optional[float] = None


def peak_bytes(fn: Callable, args: tuple) -> int:
    fn(*args)        # warm: caches, generated code, allocator
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def memory(label: str, generated: Callable, hand: Callable, args: tuple) -> MemoryResult:
    return MemoryResult(label, peak_bytes(generated, args), peak_bytes(hand, args))


def generation(repetitions: int) -> GenerationTimes:
    args = long.make_inputs()
    wrt = (0, 1, 2, 3)
    samples = []
    for _ in range(repetitions):
        CACHE.clear()
        fresh = sg.grad(long.simulate, wrt=wrt)
        gc.collect()
        samples.append(timing.time_once(fresh, args))
    import inspect
    lines = len(inspect.getsource(long.simulate).splitlines()) - 1
    cold, warm = _new_process_first_calls()
    return GenerationTimes(samples, cold, warm, lines)


_FIRST_CALL = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import s2sgrad as sg
    from benchmarks.workloads import long
    args = long.make_inputs()
    df = sg.grad(long.simulate, wrt=(0, 1, 2, 3))
    start = time.perf_counter()
    df(*args)
    print(time.perf_counter() - start)
""")


def _new_process_first_calls() -> Tuple[Optional[float], Optional[float]]:
    """The first call in a new interpreter: with an empty disk cache, then with the entries that
    run wrote (median of 3 each)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = _FIRST_CALL.format(root=root)
    cold, warm = [], []
    try:
        for _ in range(3):
            with tempfile.TemporaryDirectory() as directory:
                env = dict(os.environ, S2SGRAD_CACHE_DIR=directory)
                for runs in (cold, warm):
                    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                         capture_output=True, text=True).stdout
                    runs.append(float(out.split()[-1]))
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return None, None
    return statistics.median(cold), statistics.median(warm)


# ---- other tools ---------------------------------------------------------------------------------


def with_numpy(fn: Callable, module: Any) -> Callable:
    """A copy of `fn` whose globals `np` and `math` are `module` (autograd.numpy, jax.numpy):
    `math.sin` cannot take a traced value."""
    namespace = dict(fn.__globals__, np=module, math=module)
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                              fn.__closure__)


def _available(name: str) -> Optional[Any]:
    try:
        return importlib.import_module(name)
    except Exception:   # noqa: BLE001 - any failure to import means: not available
        return None


def other_tools(workloads: Sequence[Tuple[str, Callable, tuple, Tuple[int, ...], Any]],
                settings: timing.Settings) -> List[ToolResult]:
    """Time autograd and JAX gradients of each workload (label, function, args, wrt, expected
    gradients); a tool's gradient is checked against `expected` before it is timed."""
    import numpy as np

    results: List[ToolResult] = []
    autograd = _available("autograd")
    anp = _available("autograd.numpy") if autograd else None
    jax = _available("jax")
    if jax is not None:
        jax.config.update("jax_enable_x64", True)
        jnp = importlib.import_module("jax.numpy")
    for label, fn, args, wrt, expected in workloads:
        if autograd is None:
            results.append(ToolResult("autograd", label, None, "not installed"))
        else:
            grad = autograd.grad(with_numpy(fn, anp), wrt)
            results.append(_timed("autograd", label, grad, args, expected, settings, np))
        if jax is None:
            results.append(ToolResult("JAX (eager)", label, None, "not installed"))
            results.append(ToolResult("JAX (jit)", label, None, "not installed"))
            continue
        grad = jax.grad(with_numpy(fn, jnp), argnums=wrt)
        results.append(_timed("JAX (eager)", label, grad, args, expected, settings, np))
        jitted = jax.jit(grad)
        try:
            start = time.perf_counter()
            jax.block_until_ready(jitted(*args))
            compile_seconds = time.perf_counter() - start
        except Exception as error:   # noqa: BLE001 - e.g. data-dependent control flow
            results.append(ToolResult("JAX (jit)", label, None,
                                      f"not jittable as written ({type(error).__name__})"))
            continue
        result = _timed("JAX (jit)", label, lambda *a: jax.block_until_ready(jitted(*a)), args,
                        expected, settings, np)
        result.compile_seconds = compile_seconds
        results.append(result)
    return results


def _timed(tool: str, label: str, grad: Callable, args: tuple, expected: Sequence[Any],
           settings: timing.Settings, np: Any) -> ToolResult:
    try:
        found = grad(*args)
    except Exception as error:   # noqa: BLE001 - the tool cannot differentiate this code
        return ToolResult(tool, label, None, f"fails: {type(error).__name__}: "
                                             f"{str(error).splitlines()[0][:80]}")
    found = found if isinstance(found, tuple) else (found,)
    for got, want in zip(found, expected):
        if not np.allclose(np.asarray(got), want, rtol=1e-6, atol=1e-9):
            return ToolResult(tool, label, None, "gradient differs from the hand-written one")
    return ToolResult(tool, label, timing.measure(grad, args, settings).median)


def to_json(results: Dict[str, Any]) -> str:
    return json.dumps({k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v
                       for k, v in results.items()}, indent=1, default=str)


# ---- the report ----------------------------------------------------------------------------------


@dataclasses.dataclass
class TargetsResult:
    memory: List[MemoryResult]
    generation: GenerationTimes
    tools: List[ToolResult]
    # filled from the main tables: label -> generated / hand-written (or HVP / function)
    ratios: Dict[str, float] = dataclasses.field(default_factory=dict)
    overhead: Optional[float] = None     # seconds the wrapper adds per call


def section(result: TargetsResult, hand_times: Dict[str, float]) -> str:
    """The "Targets" section of docs/benchmarks.md: each target of the project, measured."""
    from .report import grid
    from .timing import format_seconds as fmt

    rows = []
    for label, measured in result.ratios.items():
        key = next((k for k in TARGETS if label.startswith(k)), label)
        target = TARGETS.get(key)
        rows.append([label, f"≤ {target:g}x" if target else "", f"{measured:.2f}x",
                     _verdict(measured, target)])
    worst = max(result.memory, key=lambda m: m.ratio) if result.memory else None
    for m in result.memory:
        rows.append([f"peak memory, {m.label}", f"≤ {TARGETS['peak memory']:g}x",
                     f"{m.ratio:.2f}x ({m.generated / 2**20:.2f} / {m.hand / 2**20:.2f} MiB)",
                     _verdict(m.ratio, TARGETS["peak memory"])])
    g = result.generation
    median = statistics.median(g.in_process)
    rows.append([f"first-time generation, {g.lines}-line function with loops",
                 f"< {TARGETS['generation (ms)']:g} ms", fmt(median),
                 _verdict(median * 1e3, TARGETS["generation (ms)"])])
    if result.overhead is not None:
        rows.append(["cached call overhead (the sg.grad wrapper)",
                     f"< {TARGETS['cached call overhead (µs)']:g} µs", fmt(result.overhead),
                     _verdict(result.overhead * 1e6, TARGETS["cached call overhead (µs)"])])
    text = ["## Targets", "",
            "The project's performance targets, each measured in this run (ratios are generated "
            "over hand-written, medians; peak memory is the `tracemalloc` peak of one call).", "",
            grid(["Measure", "target", "measured", "met"], rows, True, "lrrl"), ""]
    if g.new_process_cold is not None:
        text += [f"**Disk cache.** With `S2SGRAD_CACHE_DIR` set, the first call of the same "
                 f"gradient in a new process takes {fmt(g.new_process_cold)} when the cache is "
                 f"empty (the derivative is generated and written) and "
                 f"{fmt(g.new_process_warm)} when an earlier process wrote it (loaded, checked "
                 f"and compiled; medians of 3 fresh interpreters each).", ""]
    if worst is not None:
        text += ["Peak memory stays close to the hand-written gradients because the generated "
                 "code frees intermediates at the end of the block that last reads them "
                 "(`optimizations/lifetimes.py`).", ""]
    if result.tools:
        text += _tools_table(result.tools, hand_times)
    return "\n".join(text)


def _verdict(measured: float, target: Optional[float]) -> str:
    if target is None:
        return ""
    return "yes" if measured <= target else "**no**"


def _tools_table(tools: List[ToolResult], hand_times: Dict[str, float]) -> List[str]:
    from .report import grid
    from .timing import format_seconds as fmt

    rows = []
    for t in tools:
        hand = hand_times.get(t.workload)
        if t.seconds is None:
            rows.append([t.workload, t.tool, "", "", t.note])
            continue
        compile_note = f"compile {fmt(t.compile_seconds)}" if t.compile_seconds else ""
        rows.append([t.workload, t.tool, fmt(t.seconds),
                     f"{t.seconds / hand:.2f}x" if hand else "", compile_note])
    return ["### Other autodiff tools on the same workloads", "",
            "The same functions, with `np` bound to the tool's NumPy (gradients checked against "
            "the hand-written ones first); time per gradient call and its ratio to the "
            "hand-written gradient of this run.", "",
            grid(["Workload", "tool", "gradient", "vs hand-written", "note"], rows, True,
                 "llrrl"), ""]
