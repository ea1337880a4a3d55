"""Run the s2sgrad benchmark suite: `python benchmarks/run.py [--quick] [--output PATH]`.

Measures, with BLAS fixed to one thread:

1. the small MLP loss (batch 32, 784-64-10): generated gradient, hand-written gradient, forward;
2. the large MLP loss (batch 512, 1024-1024-1024-10): the same three;
3. three functions with loops (a scalar Python loop, an RNN, a data-dependent `while` loop): the
   same three, and the generated code with its loop overheads rewritten away;
4. second derivatives of two scalar functions of a vector x (n = 10, 50, 200, and a loop):
   `sg.hvp` against the function, its gradient and a hand-written HVP, and `sg.hessian` against
   a hand-written Hessian, with the one-time cost of generating the code;
5. the per-call overhead of the `sg.grad` wrapper on a tiny scalar function;
6. the time to generate a derivative the first time;
7. the project's targets in one table (benchmarks/targets.py): peak memory against the
   hand-written gradients, first-time generation of a 30-line function with loops, the disk
   cache in a new process, and autograd / JAX on the same workloads when they are installed;

plus a breakdown of where the generated small-MLP gradient spends its time. Before anything is
timed, every generated gradient (HVP, Hessian) is checked against its hand-written counterpart with
np.allclose.

The full run prints the tables and rewrites docs/benchmarks.md. `--quick` is a smoke run with a
small time budget; it only prints, unless `--output` names a file to write.
"""

import os

# BLAS thread pools are sized when NumPy loads its BLAS, so this must precede every NumPy import
# (s2sgrad imports NumPy too). One thread keeps the matrix products comparable between runs and
# machines, and keeps the comparison about the generated code rather than about the thread pool.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import s2sgrad as sg  # noqa: E402
from s2sgrad import runtime  # noqa: E402
from s2sgrad.cache import CACHE  # noqa: E402

from benchmarks import breakdown, machine, notes, report, targets, timing  # noqa: E402
from benchmarks.workloads import higher, loops, mlp, scalar, training  # noqa: E402

SMALL_SIZES, SMALL_BATCH = (784, 64, 10), 32
LARGE_SIZES, LARGE_BATCH = (1024, 1024, 1024, 10), 512
LOOP_WORKLOADS = (  # label, function, hand-written gradient, arguments; gradient w.r.t. (0, 1)
    ("Scalar loop (1000 iterations)", loops.scalar_loop, loops.scalar_loop_grad, loops.SCALAR_ARGS),
    ("RNN (50 steps, hidden 64)", loops.rnn_loss, loops.rnn_loss_grad, loops.make_rnn_inputs()),
    ("While loop (237 iterations)", loops.while_loop, loops.while_loop_grad, loops.WHILE_ARGS),
)
HIGHER_SIZES = (10, 50, 200)  # n for tanh_energy (x of size n, A of n x n)
ROLLOUT_ARGS = higher.make_rollout_inputs(n=50, steps=10)
TOLERANCES = {np.dtype(np.float64): (1e-7, 1e-10), np.dtype(np.float32): (1e-4, 1e-6)}


@dataclasses.dataclass
class GradientResult:
    label: str
    generated: timing.Timing
    hand: timing.Timing
    forward: timing.Timing
    hand_faults: Optional[float]  # minor page faults per call of the hand-written gradient


@dataclasses.dataclass
class LoopResult(GradientResult):
    variants: List[breakdown.Variant] = dataclasses.field(default_factory=list)
    source: str = ""       # the generated gradient
    hand_source: str = ""  # the hand-written gradient
    floats: bool = False   # every argument is a Python float
    # "generated" and "hand" timed again after the large MLP, and the generated gradient's page
    # faults per call then: the allocator keeps more memory around once it has freed large arrays
    after_large: Dict[str, timing.Timing] = dataclasses.field(default_factory=dict)
    after_large_faults: Optional[float] = None


@dataclasses.dataclass
class OverheadResult:
    wrapper: timing.Timing
    direct: timing.Timing
    hand: timing.Timing
    floor: timing.Timing
    parts: Dict[str, timing.Timing]
    statements: List[breakdown.StatementCost]


@dataclasses.dataclass
class GenerationResult:
    first_in_process: float
    samples: List[float]
    normal_call: timing.Timing

    @property
    def median(self) -> float:
        return statistics.median(self.samples) - self.normal_call.median


@dataclasses.dataclass
class HvpResult:
    label: str
    n: int
    function: timing.Timing   # the function itself
    grad: timing.Timing       # sg.grad of it
    generated: timing.Timing  # sg.hvp of it
    hand: timing.Timing       # the hand-written HVP
    source: str = ""          # the generated HVP (`sg.source`)


@dataclasses.dataclass
class HessianResult:
    label: str
    n: int
    generated: timing.Timing  # sg.hessian, cached
    hand: timing.Timing       # the hand-written Hessian
    # first call of a fresh sg.hessian after CACHE.clear(), raw, one per repetition
    first_calls: List[float] = dataclasses.field(default_factory=list)

    @property
    def generation(self) -> float:
        """The one-time cost: median first call minus the median cached call."""
        return statistics.median(self.first_calls) - self.generated.median


class Mismatch(Exception):
    """A generated gradient disagrees with the hand-written one: it is not timed."""


def check_agreement(label: str, generated: Sequence[Any], expected: Sequence[Any],
                    dtype: np.dtype) -> None:
    rtol, atol = TOLERANCES[np.dtype(dtype)]
    if len(generated) != len(expected):
        raise Mismatch(f"{label}: {len(generated)} gradients, expected {len(expected)}")
    for index, (got, want) in enumerate(zip(generated, expected)):
        if np.shape(got) != np.shape(want) or not np.allclose(got, want, rtol=rtol, atol=atol):
            worst = np.max(np.abs(np.asarray(got) - np.asarray(want)))
            raise Mismatch(f"{label}: gradient {index} differs from the hand-written one "
                           f"(max abs difference {worst:.3g})")


def mlp_benchmark(label: str, loss: Callable, hand: Callable, sizes: Sequence[int], batch: int,
                  dtype: Any, settings: timing.Settings) -> Tuple[GradientResult, Any, tuple]:
    params, x, y = mlp.make_inputs(sizes, batch, dtype)
    args = (*params, x, y)
    df = sg.grad(loss, wrt=tuple(range(len(params))))
    check_agreement(label, df(*args), hand(*args), np.dtype(dtype))
    times = timing.compare({"generated": (df, args), "hand": (hand, args),
                            "forward": (loss, args)}, settings)
    result = GradientResult(label, times["generated"], times["hand"], times["forward"],
                       timing.page_faults_per_call(hand, args))
    return result, df, args


def loop_benchmark(label: str, loss: Callable, hand: Callable, args: tuple,
                   settings: timing.Settings) -> Tuple[LoopResult, Any]:
    df = sg.grad(loss, wrt=(0, 1))
    expected = hand(*args)
    check_agreement(label, df(*args), expected, np.dtype(np.float64))
    times = timing.compare({"generated": (df, args), "hand": (hand, args),
                            "forward": (loss, args)}, settings)
    variants = breakdown.loop_ablations(df, args, expected, settings)
    result = LoopResult(label, times["generated"], times["hand"], times["forward"],
                        timing.page_faults_per_call(hand, args), variants, sg.source(df),
                        inspect.getsource(hand), all(type(a) is float for a in args))
    return result, df


def hvp_benchmark(label: str, fn: Callable, hand: Callable, args: tuple, v: np.ndarray,
                  settings: timing.Settings) -> HvpResult:
    """`sg.hvp(fn)(*args, v)` against `fn(*args)`, `sg.grad(fn)(*args)` and `hand(*args, v)`;
    derivatives with respect to argument 0."""
    hvp, df = sg.hvp(fn), sg.grad(fn)
    check_agreement(f"{label}: HVP", [hvp(*args, v)], [hand(*args, v)], np.dtype(np.float64))
    times = timing.compare({"function": (fn, args), "grad": (df, args),
                            "generated": (hvp, (*args, v)), "hand": (hand, (*args, v))},
                           settings)
    return HvpResult(label, np.size(args[0]), times["function"], times["grad"],
                     times["generated"], times["hand"], sg.source(hvp._s2sgrad_derived))


def time_first_hessian(fn: Callable, args: tuple) -> float:
    """Clear the derivative cache and time the first call of a fresh `sg.hessian` of `fn`."""
    CACHE.clear()
    fresh = sg.hessian(fn)
    before = CACHE.generated
    gc.collect()
    seconds = timing.time_once(fresh, args)
    if CACHE.generated <= before:
        raise RuntimeError("the Hessian's code was not regenerated after CACHE.clear(); the "
                           "generation time cannot be measured this way")
    return seconds


def hessian_benchmark(label: str, fn: Callable, hand: Callable, args: tuple, repetitions: int,
                      settings: timing.Settings) -> HessianResult:
    """`sg.hessian(fn)(*args)` against `hand(*args)`, and the cost of its first call."""
    hessian = sg.hessian(fn)
    check_agreement(f"{label}: Hessian", [hessian(*args)], [hand(*args)], np.dtype(np.float64))
    times = timing.compare({"generated": (hessian, args), "hand": (hand, args)}, settings)
    first_calls = [time_first_hessian(fn, args) for _ in range(repetitions)]
    return HessianResult(label, np.size(args[0]), times["generated"], times["hand"], first_calls)


def higher_order_benchmarks(repetitions: int, settings: timing.Settings
                            ) -> Tuple[List[HvpResult], List[HessianResult]]:
    """HVPs and Hessians of `tanh_energy` for every n in HIGHER_SIZES, then of `rollout`.

    The HVPs come first, so the generation times of the Hessians below do not include the
    first use of the forward-mode code paths in this process.
    """
    cases = []
    for n in HIGHER_SIZES:
        x, A, v = higher.make_tanh_inputs(n)
        cases.append(("tanh(A x) energy", higher.tanh_energy, higher.tanh_energy_hvp,
                      higher.tanh_energy_hessian, (x, A), v))
    x, W, steps, v = ROLLOUT_ARGS
    cases.append((f"Loop: {steps} tanh steps", higher.rollout, higher.rollout_hvp,
                  higher.rollout_hessian, (x, W, steps), v))
    hvps = []
    for label, fn, hand_hvp, _, args, v in cases:
        progress(f"HVP: {label}, n = {np.size(args[0])}")
        hvps.append(hvp_benchmark(label, fn, hand_hvp, args, v, settings))
    hessians = []
    for label, fn, _, hand_hessian, args, _ in cases:
        progress(f"Hessian: {label}, n = {np.size(args[0])}")
        hessians.append(hessian_benchmark(label, fn, hand_hessian, args, repetitions, settings))
    return hvps, hessians


@dataclasses.dataclass
class TrainingResult:
    steps: int
    # seconds per step: "tape", "substituted", "grad", "hand" (fastest run)
    per_step: Dict[str, float]
    parameters: Dict[str, Tuple[float, float]]   # (a, b) after the run
    # seconds per step in each part of the tape's step (training.TapeTraining.phases; fastest)
    phases: Dict[str, float] = dataclasses.field(default_factory=dict)


def training_benchmark(steps: int, runs: int) -> TrainingResult:
    """Seed 001's training loop, `steps` steps, run `runs` times each way in turn; the fastest
    run's time per step (the run least disturbed by the rest of the machine: on a shared one,
    a run of 10,000 steps is often slowed by half by a neighbour). Every way must end at the
    same parameters."""
    kinds = {"tape": training.TapeTraining, "substituted": training.SubstitutedTraining,
             "grad": training.GradTraining, "hand": training.HandTraining}
    times: Dict[str, List[float]] = {name: [] for name in kinds}
    phases: Dict[str, List[float]] = {}
    parameters: Dict[str, Tuple[float, float]] = {}
    for name, kind in kinds.items():     # warm-up: the derivatives are generated here
        warm = kind()
        for _ in range(20):
            warm.step()
    for _ in range(runs):
        for name, kind in kinds.items():
            model = kind()
            step = model.step
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - start) / steps)
            parameters[name] = model.parameters()
        for part, seconds in training.TapeTraining().phases(steps).items():
            phases.setdefault(part, []).append(seconds)
    for name, (a, b) in parameters.items():
        if abs(a - parameters["hand"][0]) > 1e-4 or abs(b - parameters["hand"][1]) > 1e-4:
            raise Mismatch(f"training by {name} ended at a={a}, b={b}, by hand at "
                           f"{parameters['hand']}")
    return TrainingResult(steps, {n: min(t) for n, t in times.items()},
                          parameters, {n: min(t) for n, t in phases.items()})


def overhead_benchmark(settings: timing.Settings,
                       statement_settings: timing.Settings) -> OverheadResult:
    value = 3.0
    df = sg.grad(scalar.square)
    direct = breakdown.generated_function(df)
    for got in (df(value), direct(value), direct(value, b_return=1.0)):
        if not np.isclose(got, scalar.square_grad(value)):
            raise Mismatch(f"tiny function: generated gradient {got!r}, expected "
                           f"{scalar.square_grad(value)!r}")
    calls: Dict[str, timing.Call] = {
        "wrapper": (df, (value,)),
        "direct": (direct, (value,)),
        "hand": (scalar.square_grad, (value,)),
        "floor": (scalar.identity, (value,)),
    }
    # The two halves of the wrapper's work, timed apart. They use private methods of the wrapper,
    # so they are skipped if those change.
    if hasattr(df, "generated_functions") and hasattr(df, "_finish"):
        raw = direct(value)
        calls["part: cache validation (generated_functions)"] = (df.generated_functions, ())
        calls["part: gradient finalisation (_finish)"] = (df._finish, (raw, (value,), {}))
    times = timing.compare(calls, settings)
    parts = {name[len("part: "):]: t for name, t in times.items() if name.startswith("part: ")}
    statements = breakdown.statement_costs(df, (value,), statement_settings)
    return OverheadResult(times["wrapper"], times["direct"], times["hand"], times["floor"], parts,
                          statements)


def finish_times(df: Any, args: tuple, settings: timing.Settings) -> Dict[str, timing.Timing]:
    """The wrapper's gradient finalisation, `_finish` (private API).

    Keys "generated" and "generated + _finish": the generated function alone, and followed by
    `_finish` on its fresh gradients, as in a real call. Keys "<name> (fresh array)" or
    "<name> (view)": `runtime.finalize_grad` alone on the gradient of one parameter.
    """
    if not (hasattr(df, "_finish") and hasattr(df, "_params")):
        return {}
    generated = breakdown.generated_function(df)

    def generated_then_finish(*call_args: Any) -> Any:
        return df._finish(generated(*call_args), call_args, {})

    calls: Dict[str, timing.Call] = {"generated": (generated, args),
                                     "generated + _finish": (generated_then_finish, args)}
    for param, grad in zip(df._params, generated(*args)):
        kind = "view" if getattr(grad, "base", None) is not None else "fresh array"
        calls[f"{param.name} ({kind})"] = (runtime.finalize_grad, (grad, param.value(args, {})))
    return timing.compare(calls, settings)


def time_first_call(loss: Callable, args: tuple, wrt: tuple) -> float:
    """Clear the derivative cache and time the first call of a fresh `sg.grad` of `loss`."""
    CACHE.clear()
    fresh = sg.grad(loss, wrt=wrt)
    before = CACHE.generated
    gc.collect()
    seconds = timing.time_once(fresh, args)
    if CACHE.generated != before + 1:
        raise RuntimeError("the derivative was not regenerated after CACHE.clear(); the "
                           "generation time cannot be measured this way")
    return seconds


def generation_benchmark(first_in_process: float, repetitions: int,
                         settings: timing.Settings) -> GenerationResult:
    params, x, y = mlp.make_inputs(SMALL_SIZES, SMALL_BATCH)
    args, wrt = (*params, x, y), tuple(range(len(params)))
    samples = [time_first_call(mlp.mlp_loss, args, wrt) for _ in range(repetitions)]
    cached = sg.grad(mlp.mlp_loss, wrt=wrt)
    normal = timing.measure(cached, args, settings)
    return GenerationResult(first_in_process, samples, normal)


def first_generation_in_process() -> float:
    """The first generation in this process: includes reading the source file and warming the
    compiler's own code paths, which is what a user sees on the first call in a fresh session."""
    params, x, y = mlp.make_inputs(SMALL_SIZES, SMALL_BATCH)
    df = sg.grad(mlp.mlp_loss, wrt=tuple(range(len(params))))
    return timing.time_once(df, (*params, x, y))


def targets_benchmark(settings: timing.Settings, repetitions: int,
                      mlps: Sequence[Tuple[GradientResult, Any, tuple, Callable]],
                      loop_results: Sequence[LoopResult],
                      loop_calls: Sequence[Dict[str, timing.Call]], hvps: Sequence[HvpResult],
                      overhead: OverheadResult) -> targets.TargetsResult:
    """Everything the "Targets" table needs that the other benchmarks did not measure."""
    memory = [targets.memory(r.label, df, hand, args) for r, df, args, hand in mlps]
    memory += [targets.memory(r.label, calls["generated"][0], calls["hand"][0],
                              calls["generated"][1])
               for r, calls in zip(loop_results, loop_calls)]
    generation = targets.generation(repetitions)
    workloads = [(r.label, loss, args, wrt, hand(*args)) for r, (loss, args, wrt, hand) in zip(
        [mlps[0][0], *loop_results],
        [(mlp.mlp_loss, mlps[0][2], (0, 1, 2, 3), mlp.mlp_loss_grad)]
        + [(loss, args, (0, 1), hand) for _, loss, hand, args in LOOP_WORKLOADS])]
    tools = targets.other_tools(workloads, settings)
    result = targets.TargetsResult(memory, generation, tools)
    for r in [m[0] for m in mlps if "float32" not in m[0].label] + list(loop_results):
        result.ratios[r.label] = r.generated.median / r.hand.median
    if hvps:
        worst = max(hvps, key=lambda h: h.generated.median / h.function.median)
        result.ratios[f"HVP / function (worst: {worst.label}, n = {worst.n})"] = \
            worst.generated.median / worst.function.median
    result.overhead = overhead.wrapper.median - overhead.direct.median
    return result


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


TRAINING_HEADING = "### Training with a GradientTape"


def training_only(quick: bool, output: Optional[pathlib.Path]) -> int:
    """`--training-only`: the training loop's section, printed, and put in place of the same
    section of `output` (the rest of the report is left as it was measured)."""
    progress("seed 001 training loop: tape, grad, hand-written")
    try:
        trained = training_benchmark(1000 if quick else 10000, 1 if quick else 5)
    except Mismatch as error:
        print(f"error: {error}; no report written", file=sys.stderr)
        return 1
    section = notes.training_section(trained) + (
        f"\n(This section was measured on its own on {time.strftime('%Y-%m-%d')}, with "
        "`python benchmarks/run.py --training-only`; the machine described at the top ran the "
        "other sections.)\n")
    print(section)
    if output is not None:
        text = output.read_text(encoding="utf-8")
        begin = text.index(TRAINING_HEADING)
        end = text.find("\n#", begin + len(TRAINING_HEADING))
        end = len(text) if end < 0 else end + 1
        output.write_text(text[:begin] + section + "\n" + text[end:], encoding="utf-8")
        progress(f"rewrote the training section of {output}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run with a tiny time budget (numbers are noisy)")
    parser.add_argument("--output", type=pathlib.Path, default=None,
                        help="where to write the Markdown report (default: docs/benchmarks.md "
                             "for a full run, nothing for --quick)")
    parser.add_argument("--training-only", action="store_true",
                        help="run only seed 001's training loop, and rewrite only its section "
                             "of the report")
    options = parser.parse_args(argv)
    if options.training_only:
        return training_only(options.quick, options.output or (
            None if options.quick else ROOT / "docs" / "benchmarks.md"))
    settings = timing.QUICK if options.quick else timing.FULL
    statement_settings = dataclasses.replace(settings, budget=settings.budget / 4)
    output = options.output
    if output is None and not options.quick:
        output = ROOT / "docs" / "benchmarks.md"

    info = machine.collect()
    info["s2sgrad"] = sg.__version__
    load_before = machine.load_average()
    if load_before is not None and load_before > 0.5:
        progress(f"warning: the 1-minute load average is {load_before:.2f}; other processes "
                 "are running and the numbers may be noisy")
    start = time.perf_counter()
    try:
        progress("first generation in this process")
        first = first_generation_in_process()
        results: List[GradientResult] = []
        progress("small MLP, float64")
        small, small_df, small_args = mlp_benchmark(
            "Small MLP, float64", mlp.mlp_loss, mlp.mlp_loss_grad, SMALL_SIZES, SMALL_BATCH,
            np.float64, settings)
        results.append(small)
        progress("small MLP, float32")
        small32, small32_df, small32_args = mlp_benchmark(
            "Small MLP, float32", mlp.mlp_loss, mlp.mlp_loss_grad, SMALL_SIZES, SMALL_BATCH,
            np.float32, settings)
        results.append(small32)
        # The loops run before the large MLP: freeing its 4 MiB arrays changes how much memory the
        # allocator keeps between calls (they are timed again after it, below).
        loop_results: List[LoopResult] = []
        loop_calls: List[Dict[str, timing.Call]] = []
        for label, loss, hand, args in LOOP_WORKLOADS:
            progress(label)
            loop_result, loop_df = loop_benchmark(label, loss, hand, args, settings)
            loop_results.append(loop_result)
            loop_calls.append({"generated": (loop_df, args), "hand": (hand, args)})
        # Also before the large MLP; it clears the derivative cache (the loop gradients are
        # regenerated during the warm-up of their second timing, not timed).
        hvps, hessians = higher_order_benchmarks(2 if options.quick else 5, settings)
        progress("large MLP, float64")
        large, large_df, large_args = mlp_benchmark(
            "Large MLP, float64", mlp.deep_mlp_loss, mlp.deep_mlp_loss_grad, LARGE_SIZES,
            LARGE_BATCH, np.float64, settings)
        results.append(large)
        progress("the loops again, after the large MLP")
        for loop_result, calls in zip(loop_results, loop_calls):
            loop_result.after_large = timing.compare(calls, settings)
            loop_result.after_large_faults = timing.page_faults_per_call(*calls["generated"])
        progress("seed 001 training loop: tape, grad, hand-written")
        trained = training_benchmark(1000 if options.quick else 10000, 1 if options.quick else 5)
        progress("per-call overhead")
        overhead = overhead_benchmark(settings, statement_settings)
        progress("generation time")
        generation = generation_benchmark(first, 3 if options.quick else 20, settings)
        progress("targets: peak memory, generation of a 30-line function, other tools")
        target_result = targets_benchmark(settings, 3 if options.quick else 15,
                                          [(small, small_df, small_args, mlp.mlp_loss_grad),
                                           (large, large_df, large_args,
                                            mlp.deep_mlp_loss_grad)],
                                          loop_results, loop_calls, hvps, overhead)
        progress("breakdown of the generated small-MLP gradient")
        statements = breakdown.statement_costs(small_df, small_args, statement_settings)
        variants = breakdown.ablations(small_df, small_args, mlp.mlp_loss_grad(*small_args),
                                       settings)
        finish = finish_times(small_df, small_args, settings)
        progress("breakdown of the generated small-MLP gradient, float32")
        promotions = breakdown.dtype_promotions(small32_df, small32_args)
        variants32 = breakdown.ablations(small32_df, small32_args,
                                         mlp.mlp_loss_grad(*small32_args), settings,
                                         *TOLERANCES[np.dtype(np.float32)])
        progress("breakdown of the generated large-MLP gradient")
        variants_large = breakdown.ablations(large_df, large_args,
                                             mlp.deep_mlp_loss_grad(*large_args), settings)
    except Mismatch as error:
        print(f"error: {error}; stopping before timing it, no report written",
              file=sys.stderr)
        return 1

    load_after = machine.load_average()
    if load_before is not None and load_after is not None:
        info["Load average (1 min)"] = (f"{load_before:.2f} at the start, "
                                        f"{load_after:.2f} at the end")
    tables = report.Tables(results, overhead, generation, statements, variants, variants32,
                           variants_large, promotions, sg.source(small_df), finish,
                           loop_results, hvps, hessians, trained, target_result)
    print(report.console(tables))
    progress(f"done in {time.perf_counter() - start:.0f} s")
    if output is not None:
        command = "python benchmarks/run.py" + (" --quick" if options.quick else "")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report.markdown(tables, info, command, settings), encoding="utf-8")
        progress(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
