"""The text of docs/benchmarks.md, with the measured numbers filled in.

The explanations were written against the code s2sgrad generates for the MLP loss once the runtime
had `broadcast_like`, tie counts in the adjoint's dtype and `finalize_grad`'s fast path. Every
number, the ranking of the overheads and the verdict on the project's 1.3x target are computed
from the run itself, so they stay honest when the compiler changes: an overhead that disappears
shows up with a saving near zero (and the ablation table says how many statements each rewrite
touched). The notes on the loop workloads are built the same way, from their own rewrites and
from counts taken on the generated source.
"""

from __future__ import annotations

import ast
import mmap
import statistics
from typing import Any, Dict, List, Sequence, Tuple

from . import breakdown, report, timing
from .timing import format_seconds as fmt

INTRO = """\
# Benchmarks

How fast is the code s2sgrad generates? Each workload below is a plain NumPy function, written as
a user would write it, and a gradient of it written by hand the way an expert would (reusing the
forward intermediates, doing no wasted work). The suite times the generated gradient, the
hand-written one and the forward pass, and then takes the generated small-MLP gradient and the
generated loop gradients apart to show where they lose time. A section on second derivatives
times `sg.hvp` and `sg.hessian` against hand-written Hessian-vector products and Hessians.

This file is written by `benchmarks/run.py`; edit that script (or `benchmarks/notes.py`), not this
file. Benchmarks are not tests: nothing here runs under pytest and no time is asserted.
"""

METHOD = """\
## Method

- **Threads.** `run.py` sets `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS` and `MKL_NUM_THREADS` to 1
  in its own environment before NumPy is first imported (BLAS sizes its thread pool at load
  time), so the matrix products run on one core. The "BLAS at run time" line above is what
  OpenBLAS itself reports, which confirms that the setting took effect.
- **Timing.** Each number is the median over many samples, measured with `time.perf_counter`
  with the garbage collector disabled, after warm-up calls. A sample contains enough calls to
  last at least {min_sample}, and the number of samples is chosen so that a measurement takes
  about {budget} (but at least {min_repeats} samples, so the large MLP takes longer). The
  candidates of one table row are measured together, taking turns in blocks of about {block},
  so that a slow spell of the machine affects them alike. The per-statement costs use a quarter
  of that budget. Other work on the machine adds noise all the same: the load average is
  recorded above, and the noise table below gives the interquartile range of every
  measurement in the result tables.
- **Correctness first.** Before anything is timed, each generated gradient (and each generated
  Hessian-vector product and Hessian) is compared with the hand-written one with `np.allclose`
  (rtol 1e-7 in float64, 1e-4 in float32); the run stops if they differ. The rewritten variants in the notes are checked the same way.
- **Float types.** Inputs and parameters are float64, except the row marked float32, where all of
  them (labels included) are float32. The scalar loops run on Python floats.
"""

WORKLOADS = """\
## Workloads

1. **Small MLP** (`benchmarks/workloads/mlp.py: mlp_loss`): batch 32, 784-64-10, a tanh hidden
   layer, softmax cross-entropy computed with a numerically stable log-softmax (the row maximum
   is subtracted before `np.exp`), averaged over the batch. Gradient with respect to W1, b1, W2
   and b2; the inputs `x` and the one-hot labels `y` are not differentiated. It is small enough
   that per-operation overhead shows next to the two 32x784x64 matrix products.
2. **Large MLP** (`deep_mlp_loss`): batch 512, 1024-1024-1024-10, two tanh hidden layers, the
   same loss, gradient with respect to all weights and biases. Dominated by matrix products, so
   it shows whether the generated code does the same BLAS work as the hand-written code.
3. **Scalar loop** (`benchmarks/workloads/loops.py: scalar_loop`): `x = a * math.sin(x) + b * x *
   0.5` a thousand times on Python floats, from `x = 0.5`, at (a, b) = (0.9, 0.7); gradient with
   respect to (a, b). Nearly all of its time is the Python interpreter, so it shows the cost of
   every generated statement and runtime call.
4. **RNN** (`rnn_loss`): `h = np.tanh(h @ W + xs[t] @ U)` over 50 steps, batch 16, input 10,
   hidden 64, loss `np.sum(h ** 2)` of the last state; gradient with respect to (W, U). Small
   matrix products, so both the per-statement overhead and the memory kept on the tape show.
5. **While loop** (`while_loop`): `while x < limit and n < 10000: x = x * a + c; n = n + 1` on
   Python floats from x = 1 with (a, c, limit) = (1.01, 0.01, 20), which runs 237 iterations (the
   number of iterations is data-dependent); gradient with respect to (a, c).
6. **Second derivatives** (`benchmarks/workloads/higher.py`): `tanh_energy(x, A) =
   np.sum(np.tanh(A @ x) ** 2) + 0.5 * np.sum(x * x)` with `A` an n x n matrix, n = 10, 50 and
   200, and `rollout(x, W, steps)`, ten steps of `h = np.tanh(W @ h)` from `h = x` followed by
   `np.sum(h ** 2) + 0.5 * np.sum(x * x)`, n = 50; all derivatives with respect to `x`. The
   hand-written HVP of `tanh_energy` is `A.T @ (g'' * (A @ v)) + v` with `g'' = 2 (1 - t^2)
   (1 - 3 t^2)`, `t = np.tanh(A @ x)`, and its Hessian `A.T @ (g''[:, None] * A) + I`. The
   hand-written HVP of `rollout` is forward-over-reverse done by hand (the tangent of the
   trajectory on the way forward, the adjoint and its tangent on the way back); its Hessian is
   the same code run once with the identity as a matrix of n directions.
7. **Per-call overhead** (`benchmarks/workloads/scalar.py: square`, `f(x) = x * x` at a Python
   float): the time of calling the cached `sg.grad(square)` wrapper, minus the time of calling
   the generated function directly (`df.generated_functions()[0]`); the absolute times are
   shown too, next to a hand-written `2.0 * x` and an empty function call.
8. **Generation time**: the derivative cache is cleared (`s2sgrad.cache.CACHE.clear()`), a fresh
   `sg.grad(mlp_loss, wrt=(0, 1, 2, 3))` is called once, and a normal cached call is subtracted;
   median over the repetitions.

The hand-written MLP gradients compute the softmax probabilities from the forward intermediates
and use `d_logits = (softmax - y) / batch`. That formula relies on every row of `y` summing to 1
(true for one-hot labels); the generated gradient cannot know this and is correct for any `y`.
They also give the max-subtraction no adjoint (its contribution is zero up to rounding) and never
compute the loss value.

The hand-written loop gradients run the forward loop once, append to a list what the backward
pass needs (the trajectory of `x`, or the hidden states), and walk it backwards with `reversed`
or an index, accumulating the gradients of the parameters in place: in plain Python with the
`math` module for the scalar loops, with `+=` into preallocated arrays for the RNN. The number
of iterations of the `while` loop is piecewise constant in the parameters, so it contributes no
derivative, in either gradient.

**Reading the ratios.** *generated / hand* is the price of using s2sgrad instead of deriving the
gradient by hand (1.00x would be a tie). *generated / forward* and *hand / forward* compare each
gradient with one evaluation of the loss: reverse mode costs a small multiple of the forward pass
(the backward pass of a matrix product is two matrix products), so about 2-3x is expected here.
"""


def _variant(variants: Sequence[breakdown.Variant], key: str) -> breakdown.Variant:
    return next(v for v in variants if v.key == key)


def _saving(variants: Sequence[breakdown.Variant], key: str) -> float:
    """Time saved by the rewrite `key`, relative to the variant before it."""
    keys = [v.key for v in variants]
    index = keys.index(key)
    return variants[index - 1].timing.median - variants[index].timing.median


def _statement_cost(costs: Sequence[breakdown.StatementCost], needle: str) -> float:
    return sum(c.seconds for c in costs if needle in c.text)


def _listed(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _sources(tables: report.Tables) -> List[Dict[str, str]]:
    """The overheads of the generated float64 small-MLP gradient, most expensive first."""
    v, costs = tables.variants, tables.statements
    seed_variant = _variant(v, "seed")
    equal_variant = _variant(v, "unbroadcast")
    wrapper = _variant(v, "wrapper").timing.median - _variant(v, "direct").timing.median
    validation = tables.overhead.parts.get("cache validation (generated_functions)")
    finish = None
    if tables.mlp_finish:
        finish = (tables.mlp_finish["generated + _finish"].median
                  - tables.mlp_finish["generated"].median)
    per_gradient = {key: t.median for key, t in tables.mlp_finish.items() if key.endswith(")")}
    views = [key.split()[0] for key in per_gradient if key.endswith("(view)")]
    reducing = [c for c in costs if c.category == "unbroadcast, reduces"]

    def times(kind: str) -> str:
        return ", ".join(f"`{key.split()[0]}` {fmt(t)}" for key, t in per_gradient.items()
                         if key.endswith(kind))

    if not per_gradient:
        finalize_text, finalize_suggestion = "", "None measured."
    elif views:
        finalize_text = (
            " `runtime.finalize_grad` returns a fresh array of the right dtype and shape at once "
            f"({times('(fresh array)')}, timed alone), but {_listed(views)} are views "
            "(`unbroadcast` sums with `keepdims=True`, then reshapes), so they miss that fast "
            f"path and go through the writeability, stride and aliasing checks "
            f"({times('(view)')}).")
        finalize_suggestion = (
            "Let `unbroadcast` return a fresh array when it sums only leading axes (the bias "
            "case: `np.add.reduce(g, axis=0)` needs no reshape), so that the fast path of "
            "`finalize_grad` covers every gradient here.")
    else:
        finalize_text = (" Every gradient is a fresh array, which `runtime.finalize_grad` "
                         f"returns at once ({times('(fresh array)')}).")
        finalize_suggestion = "None: the fast path covers every gradient here."
    items = [
        max_item(v, costs),
        dict(cost=wrapper, title="The `sg.grad` wrapper", text=(
            f"Calling through the wrapper costs **{fmt(wrapper)}** more than calling the "
            "generated function directly. Cache validation is cheap"
            + (f" ({fmt(validation.median)} on the tiny function)" if validation else "")
            + "; the rest is `_finish`"
            + (f", which adds {fmt(finish)} when it follows the generated function as in a "
               "real call." if finish is not None else ".")
            + finalize_text
            + (f" Together the {len(per_gradient)} `finalize_grad` calls, timed alone, take "
               f"{fmt(sum(per_gradient.values()))}; the rest of what `_finish` costs in a real "
               "call is not attributed here." if finish is not None and per_gradient else "")),
             suggestion=finalize_suggestion),
        broadcast_item(v, costs),
        dict(cost=_saving(v, "seed"), title="`scalar_seed` keeps the loss value alive", text=(
            "`bresult_over = scalar_seed(result_over, b_return)` reads the loss value only for "
            "its type, shape and dtype, but that keeps alive, in a function that returns only "
            "gradients, the statements turning `log_probs` into the loss: the product with `y`, "
            "its sum, the negation and the division. Seeding in the output's dtype without "
            f"reading the value saves **{fmt(_saving(v, 'seed'))}** "
            f"({seed_variant.dead} statements die at once; `y_times_log_probs` and `log_probs` "
            "die only with the `broadcast_like` call that reads the former for its shape, and "
            "`np.log(sum_exp_shifted)` stays alive even after all the rewrites because the "
            "reducing `unbroadcast(-blog_probs, log_sum_exp_shifted)` reads its shape)."),
             suggestion=(
            "In `grad` mode the output of a full reduction (`np.sum(...)` without `axis`) is a "
            "scalar by construction and its dtype is that of operands the backward pass keeps "
            "anyway, so the check can be made on those (or resolved at compile time), letting "
            "dead-code elimination drop the value chain; `value_and_grad` needs the value and "
            "is unaffected. More generally, a use that only needs a shape should name the "
            "earliest live value with that shape (`sum_exp_shifted` instead of "
            "`log_sum_exp_shifted`, `shifted` instead of `log_probs`: elementwise operations "
            "keep shapes), so values computed only for their shape can die.")),
        dict(cost=_saving(v, "unbroadcast"), title="`unbroadcast` with matching shapes", text=(
            f"{equal_variant.changed} calls `unbroadcast(g, x)` get arguments that already "
            "have the same shape: each is a Python call and two `_shape` lookups, and it keeps "
            f"`x` alive only for its shape. Dropping them saves "
            f"**{fmt(_saving(v, 'unbroadcast'))}**. The {len(reducing)} calls that do reduce "
            f"({_listed([c.text.split(' = ')[0] for c in reducing])}) take "
            f"{fmt(sum(c.seconds for c in reducing))} in all, timed alone, for a sum over known "
            "axes each."), suggestion=(
            "Small. If shapes are ever specialised (guarded on the input shapes, like the cache "
            "already guards on globals), these calls can be dropped, or turned into "
            "`np.add.reduce(g, axis=0)` and the like, at generation time.")),
        dict(cost=_saving(v, "free"), title="Intermediates live until the function returns",
             text=(
            "The generated code names every intermediate, and a named local lives until the "
            "function returns, whereas the temporaries of a hand-written nested expression "
            "(`np.tanh(x @ W1 + b1)`) are freed as soon as they are used. Freeing each local "
            f"after its last use ({_variant(v, 'free').changed} `del`s) saves "
            f"**{fmt(_saving(v, 'free'))}** here, where the arrays are small; for the large MLP "
            "it is the whole story (below)."), suggestion=(
            "The compiler already knows the liveness of every name (it eliminates dead code): "
            "emit `del` after the last use of array-valued intermediates, or inline single-use "
            "temporaries into the expression that consumes them. A use that only needs a shape "
            "(`unbroadcast(bx_dot_W1_plus_b1, x_dot_W1)`) should not keep a large array alive: "
            "take the shape early, or refer to a value that is alive anyway.")),
    ]
    for item in items:
        item["cost_text"] = fmt(item["cost"])
    return sorted(items, key=lambda item: -item["cost"])


def _float32_paragraph(tables: report.Tables) -> str:
    small, small32 = tables.mlp[0], tables.mlp[1]
    ratio32 = small32.generated.median / small32.hand.median
    if tables.promotions:
        first = tables.promotions[0]
        return (
            f"**float32: a promotion to float64.** In the float32 run, `{first.text}` turns "
            f"{first.read} into {first.result} ({len(tables.promotions)} statement(s) widen a "
            "dtype), and the statements that read its result run in float64 from there: this "
            f"is part of the {ratio32:.2f}x. A test that float32 inputs keep every "
            "intermediate in float32 would catch it.\n")
    gap64 = small.generated.median - small.hand.median
    gap32 = small32.generated.median - small32.hand.median
    text = (
        "**float32.** The generated float32 gradient stays in float32: the run checks the result "
        "of every generated statement, and none is wider than the values it reads. It is at "
        f"{ratio32:.2f}x the hand-written gradient (float64: "
        f"{small.generated.median / small.hand.median:.2f}x) and takes {fmt(gap32)} more than "
        f"it, against {fmt(gap64)} more in float64. ")
    if gap32 <= 1.25 * gap64:
        text += (
            "So it does no more extra work than in float64: the higher ratio comes from the "
            "hand-written gradient, mostly matrix products, getting faster in float32 "
            f"({fmt(small32.hand.median)} against {fmt(small.hand.median)}) while the fixed "
            "per-statement overheads described above do not. ")
    else:
        text += ("That is more than the fixed per-statement overheads above account for in "
                 "float64; the rewrites below show which steps take it. ")
    return text + (f"After all the rewrites, float32 is at "
                   f"{tables.variants32[-1].timing.median / small32.hand.median:.2f}x.\n")


def _large_paragraph(tables: report.Tables) -> str:
    v, large = tables.variants_large, tables.mlp[2]
    before, after = _variant(v, "broadcast_like"), _variant(v, "free")
    faults = ""
    if before.faults is not None and large.hand_faults is not None:
        extra = (before.faults - large.hand_faults) * mmap.PAGESIZE / 2 ** 20
        faults = (f" As generated, a call takes {before.faults:.0f} minor page faults, against "
                  f"{large.hand_faults:.0f} for the hand-written gradient and "
                  f"{after.faults:.0f} once intermediates are freed early. With every 512x1024 "
                  "intermediate (4 MiB each) alive until the end, the peak memory of a call is "
                  "higher than what the allocator keeps between calls, so each call asks the "
                  f"kernel for about {extra:.0f} MiB more fresh (zeroed) pages than the "
                  "hand-written gradient does, and touches more memory overall.")
    return (
        "**Large MLP: memory, not overhead.** The same rewrites on the large MLP. The "
        "per-operation overheads above are worth microseconds and vanish next to eight "
        "512x1024x1024-sized matrix products; the difference that remains is memory." + faults
        + f" Freeing intermediates after their last use takes the generated gradient from "
        f"{fmt(before.timing.median)} to {fmt(after.timing.median)} "
        f"(**{fmt(before.timing.median - after.timing.median)}**), "
        f"{after.timing.median / large.hand.median:.2f}x the hand-written one.")


def _notes(tables: report.Tables) -> str:
    small, small32, large = tables.mlp
    ratio = small.generated.median / small.hand.median
    # The ratio of the lower quartiles is the least affected by slow spells; if it and the ratio
    # of the medians fall on different sides of the target, the run cannot decide.
    ratio_q1 = small.generated.q1 / small.hand.q1
    meets = [round(r, 2) <= report.TARGET for r in (ratio, ratio_q1)]
    if all(meets):
        verdict = "meets the target;"
    elif not any(meets):
        verdict = (f"misses the target (the lower quartiles give {ratio_q1:.2f}x, so slow spells "
                   "of the machine do not explain it);")
    else:
        verdict = (f"is too close to the target to call (the lower quartiles give "
                   f"{ratio_q1:.2f}x);")
    final = tables.variants[-1].timing.median
    matmul = sum(c.seconds for c in tables.statements if c.category == "matrix product")
    total = sum(c.seconds for c in tables.statements) or 1.0
    sources = _sources(tables)
    lines = [
        "## Notes: where the generated gradient loses time",
        "",
        f"The project's target is a generated MLP gradient within {report.TARGET}x of the "
        f"hand-written one. On this machine the small MLP in float64 is at **{ratio:.2f}x**, "
        f"which {verdict} the large MLP is at "
        f"{large.generated.median / large.hand.median:.2f}x; the small MLP in float32 is at "
        f"{small32.generated.median / small32.hand.median:.2f}x (see below). The large MLP "
        "spends nearly all its time in BLAS, which both gradients call the same number of times "
        "with the same shapes, so the generated code's fixed per-operation costs disappear "
        "there; what remains there is memory (see the end of these notes). In the small MLP "
        f"the matrix products are {100 * matmul / total:.0f}% of the generated code's time "
        "and everything else is small NumPy calls on 32x10 and 32x64 arrays, where "
        "Python-level overhead per statement is what counts.",
        "",
        "The generated source of the small-MLP gradient (`sg.source(df)`):",
        "",
        "```python",
        tables.source.rstrip(),
        "```",
        "",
        "**Per statement.** Each statement of that function, timed alone in a namespace holding "
        "all its intermediates (the cost of an empty `exec` subtracted). The most expensive ones:",
        "",
        report.statement_table(tables.statements, True, limit=15),
        "",
        "and by kind of statement:",
        "",
        report.category_table(tables.statements, True),
        "",
        "**In context.** The generated code rewritten step by step, each step removing one "
        "kind of overhead and keeping the previous ones, each variant checked against the "
        "hand-written gradient and timed together (interleaved). The rewrites use the shapes "
        "and dtypes of these inputs: they measure what is at stake, they are not general "
        "transformations.",
        "",
        report.variant_table(tables.variants, small.hand, small.hand_faults, True),
        "",
        "What each step did:",
        "",
        *[f"- *{v.label.lstrip('-+ ')}*: {v.detail}." for v in tables.variants],
        "",
        "The overheads, most expensive first (float64, small MLP):",
        "",
    ]
    for number, item in enumerate(sources, 1):
        lines.append(f"{number}. **{item['title']}** ({item['cost_text']} per call). "
                     f"{item['text']} *Suggestion:* {item['suggestion']}")
    lines += [
        "",
        "After all the rewrites the generated code is at "
        f"{fmt(final)} against {fmt(small.hand.median)} by hand "
        f"({final / small.hand.median:.2f}x). What remains is the formulation of the softmax "
        "adjoint (the generated code goes through `blog_probs`, a row sum of `-blog_probs`, a "
        "division by `sum_exp_shifted`, a product with `exp_shifted` and an addition, where the "
        "hand-written code computes `(e / s - y) / n`), `np.log(sum_exp_shifted)` kept alive "
        "for its shape, and the bias reductions going through `unbroadcast`; the matrix "
        "products and the tanh derivative `bh * (1.0 - h * h)` are the same in both.",
        "",
        _float32_paragraph(tables),
        "The same rewrites in float32:",
        "",
        report.variant_table(tables.variants32, small32.hand, small32.hand_faults, True),
        "",
        _large_paragraph(tables),
        "",
        report.variant_table(tables.variants_large, large.hand, large.hand_faults, True),
        "",
        "<details><summary>The float64 small-MLP gradient after all the rewrites</summary>",
        "",
        "```python",
        tables.variants[-1].source.rstrip(),
        "```",
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def _target_verdicts(results: Sequence, target: float) -> Dict[str, List[str]]:
    """Labels of the results that meet the target, miss it, or are too close to call (the ratio
    of the medians and that of the lower quartiles fall on different sides of it)."""
    verdicts: Dict[str, List[str]] = {"meet": [], "miss": [], "too close to call": []}
    for r in results:
        meets = [round(ratio, 2) <= target for ratio in (r.generated.median / r.hand.median,
                                                         r.generated.q1 / r.hand.q1)]
        key = "meet" if all(meets) else "miss" if not any(meets) else "too close to call"
        verdicts[key].append(r.label)
    return verdicts


def _short(label: str) -> str:
    """"the RNN" for "RNN (50 steps, ...)", "the scalar loop" for "Scalar loop (...)"."""
    name = label.split(" (")[0]
    return "the " + (name if name.split()[0].isupper() else name[0].lower() + name[1:])


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _loop_verdict(tables: report.Tables) -> str:
    ratios = {r.label: f"{_short(r.label)} ({r.generated.median / r.hand.median:.2f}x)"
              for r in tables.loops}
    verdicts = _target_verdicts(tables.loops, report.LOOP_TARGET)
    words = {"meet": "met by", "miss": "missed by", "too close to call": "too close to call for"}
    parts = [f"{words[key]} {_and([ratios[label] for label in labels])}"
             for key, labels in verdicts.items() if labels]
    return (f"The project's target for these is generated / hand-written within "
            f"{report.LOOP_TARGET}x: {'; '.join(parts)} (a ratio is too close to call when the "
            "lower quartiles and the medians fall on different sides of the target). The notes "
            "at the end say where the generated loop code loses time.")


def _statements(source: str) -> int:
    """The number of statements in a generated function, its docstring excluded."""
    (function,) = ast.parse(source).body
    return sum(isinstance(node, ast.stmt) and not (isinstance(node, ast.Expr) and
                                                   isinstance(node.value, ast.Constant))
               for node in ast.walk(function)) - 1


def _span(values: Sequence[float]) -> str:
    """"1.74x" for one value (or equal ones), "1.74x-2.14x" for a range."""
    low, high = f"{min(values):.2f}x", f"{max(values):.2f}x"
    return low if low == high else f"{low}-{high}"


def _higher_order(tables: report.Tables) -> str:
    """The section on `sg.hvp` and `sg.hessian`: tables, method and what the numbers say."""
    hvps, hessians = tables.hvps, tables.hessians
    if not hvps:
        return ""
    energy = [r for r in hvps if not r.label.startswith("Loop")]
    loop = [r for r in hvps if r.label.startswith("Loop")]
    by_function = [r.generated.median / r.function.median for r in hvps]
    by_grad = [r.generated.median / r.grad.median for r in hvps]
    first, last = energy[0], energy[-1]
    ratio_first = first.generated.median / first.hand.median
    ratio_last = last.generated.median / last.hand.median
    trend = (f"falls from {ratio_first:.2f}x at n = {first.n} to {ratio_last:.2f}x at "
             f"n = {last.n}" if ratio_last < ratio_first else
             f"is {ratio_first:.2f}x at n = {first.n} and {ratio_last:.2f}x at n = {last.n}")
    lines = [
        "### Second derivatives (median time per call)",
        "",
        "`sg.hvp(f)` is forward-over-reverse: the generated gradient of `f` is differentiated "
        "once more in forward mode, and one call of the resulting generated function runs the "
        "forward pass, the backward pass and the tangent of both along `v`. Each row below "
        "times, together, the function, its generated gradient (`sg.grad`), the generated HVP "
        "and the hand-written HVP; before that, the generated HVP is checked against the "
        "hand-written one with `np.allclose`. *HVP / function* and *HVP / grad* say what a "
        "Hessian-vector product costs next to one evaluation and one gradient; *generated / "
        "hand* is the price of not deriving it by hand.",
        "",
        report.hvp_table(tables, True),
        "",
        f"The generated HVP costs {_span(by_function)} the function and {_span(by_grad)} its "
        "generated gradient: each statement of the gradient is paired with its tangent, so "
        "about 2x the gradient is what forward-over-reverse should cost. Against the "
        f"hand-written HVP of `tanh_energy`, the ratio {trend}. The hand-written HVP is about "
        "a dozen NumPy operations with three matrix-vector products, and never computes the "
        "gradient (the second derivative `g''` is all it needs). The generated one "
        f"({_statements(first.source)} statements) computes the gradient as well, because its "
        "tangent reads it: four matrix-vector products (`A @ x`, `A @ dx` and the two "
        "adjoints), and the per-statement overheads described in the MLP notes, twice over. "
        "The overheads are fixed per statement and weigh less as n grows; the fourth "
        "matrix-vector product does not."
        + (f" For the loop ({_and([f'{r.generated.median / r.hand.median:.2f}x' for r in loop])}"
           " the hand-written HVP), the hand-written code does the same kind of work as the "
           "generated code, a trajectory and its tangent kept on the way forward and walked "
           "backwards"
           + (", so the gap is smaller." if max(r.generated.median / r.hand.median for r in loop)
              < ratio_last else ".") if loop else ""),
        "",
    ]
    if hessians:
        repetitions = len(hessians[0].first_calls)
        sweeps = [r.generated.median / r.n / h.generated.median
                  for r, h in zip(hessians, hvps) if r.label == h.label and r.n == h.n]
        ratios = [r.generated.median / r.hand.median for r in hessians]
        generation = statistics.median(r.generation for r in hessians)
        lines += [
            "`sg.hessian(f)` runs that same generated code once per entry of `x`, with the basis "
            "vectors as directions, and stacks the columns; nothing is generated per call. The "
            "hand-written Hessian of `tanh_energy` forms `A.T @ (g''[:, None] * A) + I` directly, "
            "one matrix-matrix product; that of the loop runs the hand-written HVP once with "
            "the identity as n directions. Both are checked against the generated Hessian with "
            "`np.allclose` before timing. *Per sweep* is the generated Hessian divided by n. "
            "*Generation* is the one-time cost of the first call: the derivative cache is "
            "cleared (`s2sgrad.cache.CACHE.clear()`), a fresh `sg.hessian(f)` is called once and "
            f"the cached call is subtracted, median over {repetitions} repetitions; it covers "
            "generating both the gradient and its forward-mode derivative, which `sg.hvp` "
            "shares.",
            "",
            report.hessian_table(tables, True),
            "",
            f"A sweep of the Hessian costs {_span(sweeps)} one call of `sg.hvp` (the "
            "rest is per-sweep work outside the generated function, such as building the basis "
            "vector and stacking the columns, not broken down here), so the generated "
            f"Hessian is n HVPs, and {_span(ratios)} the hand-written Hessian: n matrix-vector "
            "products, each with the per-statement costs of one HVP, against matrix-matrix "
            "products done in BLAS (one for `tanh_energy`, two per step for the loop). Where a "
            "Hessian is needed often and its structure is known, writing it by hand pays; "
            "`sg.hessian` needs no derivation. Generating "
            f"the code takes about {fmt(generation)}, once per function (about "
            f"{generation / hessians[0].generated.median:.0f} Hessians of `tanh_energy` at "
            f"n = {hessians[0].n}).",
            "",
        ]
    return "\n".join(lines)


def _calls_in(statements: Sequence[ast.stmt], name: str) -> int:
    return sum(breakdown._called_name(n) == name for s in statements for n in ast.walk(s))


def _appends(statements: Sequence[ast.stmt]) -> int:
    return sum(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "append" for s in statements for n in ast.walk(s))


def _loop_item(r) -> str:
    """Where the generated gradient of one loop workload loses time, from its ablations."""
    v, hand = r.variants, r.hand.median
    generated, kept, by_hand = (breakdown.loop_bodies(source) for source in
                                (r.source, v[-1].source, r.hand_source))
    text = f"- **{r.label}** ({r.generated.median / hand:.2f}x the hand-written gradient)."
    unb, stacks = _variant(v, "unbroadcast"), _variant(v, "stacks")
    if unb.changed:
        per_iteration = sum(_calls_in(body, "unbroadcast") for body in generated)
        saved = _saving(v, "unbroadcast")
        text += (f" `unbroadcast` is called {per_iteration} times per iteration ({unb.calls} "
                 "calls per gradient), always on "
                 + ("Python floats" if r.floats else "arguments of the same shape")
                 + f": replacing each call by its argument saves **{fmt(saved)}** "
                 f"({fmt(saved / unb.calls)} a call).")
    if stacks.changed and generated and by_hand:
        before = _variant(v, "unbroadcast").faults
        names = _and([f"`{name}`" for name in stacks.names])
        only = ("is pushed only because those calls read it for its shape: removing its stack"
                if stacks.changed == 1 else "are pushed only because those calls read them for "
                f"their shape: removing their {stacks.changed} stacks")
        text += (f" As generated, the forward loop pushes {_appends(generated[0])} values per "
                 f"iteration (the hand-written one appends {_appends(by_hand[0])}); {names} "
                 f"{only} saves **{fmt(_saving(v, 'stacks'))}**")
        if before is not None and stacks.faults is not None and before - stacks.faults > 10:
            extra = (before - stacks.faults) * mmap.PAGESIZE / 2 ** 10
            text += (f", and takes the page faults per call from {before:.0f} to "
                     f"{stacks.faults:.0f} (hand-written: {r.hand_faults:.0f}): the stacked "
                     f"arrays are about {extra:.0f} KiB that every call gets afresh from the "
                     "kernel")
        text += "."
    if not (kept and by_hand):
        return text
    final = v[-1].timing.median
    helpers = sorted({breakdown._called_name(n) for s in kept[-1] for n in ast.walk(s)
                      if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)})
    text += (f" What is left, {fmt(final)} ({final / hand:.2f}x), is the "
             "one-operation-per-statement form: the loops still run "
             f"{' and '.join(str(len(body)) for body in kept)} statements per iteration, against "
             f"{' and '.join(str(len(body)) for body in by_hand)} by hand")
    if helpers:
        text += (", and the reverse loop still calls "
                 + _and([f"`{name}`" for name in helpers]) + " on every iteration")
    return text + "."


def _allocator_paragraph(tables: report.Tables) -> str:
    """The loops timed again after the large MLP, when the allocator keeps more memory."""
    ratios, faults = [], []
    for r in tables.loops:
        if not r.after_large:
            continue
        name = _short(r.label)
        later = r.after_large["generated"].median
        ratios.append(f"{later / r.after_large['hand'].median:.2f}x for {name} "
                      f"({fmt(later)}; before: {r.generated.median / r.hand.median:.2f}x)")
        before = _variant(r.variants, "direct").faults
        if before is not None and r.after_large_faults is not None \
                and abs(before - r.after_large_faults) > 10:
            faults.append(f"{before:.0f} to {r.after_large_faults:.0f} for {name}")
    if not ratios:
        return ""
    text = ("**The allocator's state.** The loop gradients above are timed before the large "
            f"MLP. Timed again after it, generated / hand-written is {'; '.join(ratios)}. ")
    if not faults:
        return text + "The page faults per call of the generated gradients did not change."
    return text + (
        f"The page faults per call of the generated gradient go from {'; '.join(faults)}: once "
        "glibc has freed a block as large as the MLP's 4 MiB arrays, it raises its mmap and trim "
        "thresholds (see mallopt(3)) and keeps the memory a call frees for the next call, "
        "instead of returning it to the kernel. A process that never handled arrays that large "
        "sees the first numbers; one that did sees these.")


def _loop_notes(tables: report.Tables) -> str:
    if not tables.loops:
        return ""
    resets = sum(_calls_in(body, "zeros_like") for r in tables.loops
                 for body in breakdown.loop_bodies(r.source))
    lines = [
        "## Notes: where the generated loop code loses time",
        "",
        "**Two variants.** The table above times the call through `sg.grad`. For scalar code "
        "(only `math` functions and arithmetic) called with Python numbers, that call runs a "
        "variant generated for Python numbers, without `unbroadcast` and with `0.0` zeros; the "
        "scalar and while loops take it. The general variant is what `sg.source` shows and what "
        "runs for NumPy arguments, and it is the starting point of the rewrites below, so for "
        "the scalar loops these measure what the scalar variant already removes.",
        "",
        "The generated sources (at the end of these notes) were read for per-iteration work the "
        "hand-written gradients do not do, and each kind found was measured by rewriting the "
        "generated code step by step, as for the MLP: each variant is checked against the "
        "hand-written gradient, all are timed together, and the time a step saves is what that "
        "overhead costs in context.",
        "",
        *[_loop_item(r) for r in tables.loops],
        "",
        ("No loop-carried adjoint is reset with `zeros_like` inside a loop: `zeros_like` only "
         "initialises the accumulators, once per gradient." if not resets else
         f"The loops also reset loop-carried adjoints with `zeros_like` ({resets} call(s) in "
         "loop bodies)."),
        "*Suggestions:* `unbroadcast` is needed only where an operand was broadcast. An operand "
        "that is a Python float (a `float` argument, a `math.*` result, float arithmetic) or "
        "that has the shape of the result is often known at generation time (or could be, with "
        "shapes guarded as the MLP notes suggest), and then the call can be omitted. A value "
        "the adjoint reads only to un-broadcast to is already taped as its shape "
        "(`shape_of`, `sum_to_shape`); nothing at all would need taping when the shape is the "
        "same on every iteration.",
    ]
    lines += ["", _allocator_paragraph(tables)]
    for r in tables.loops:
        lines += ["", f"**{r.label}**, the rewrites:", "",
                  report.variant_table(r.variants, r.hand, r.hand_faults, True)]
    lines += ["", "<details><summary>The generated loop gradients (`sg.source(df)`)</summary>",
              ""]
    for r in tables.loops:
        lines += [f"{r.label}:", "", "```python", r.source.rstrip(), "```", ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


def _machine_table(info: Dict[str, str]) -> str:
    rows = [[key, value.replace("|", "/")] for key, value in info.items()]
    return report.grid(["", ""], rows, True, "ll")


def _measurements(tables: report.Tables) -> List[Tuple[str, timing.Timing]]:
    """Every timing of the result tables, labelled."""
    found = []
    for result in [*tables.mlp, *tables.loops]:
        found += [(f"{result.label}: {name}", t) for name, t in
                  (("generated", result.generated), ("hand-written", result.hand),
                   ("forward", result.forward))]
    for r in tables.hvps:
        found += [(f"{r.label}, n = {r.n}: {name}", t) for name, t in
                  (("function", r.function), ("generated grad", r.grad),
                   ("generated HVP", r.generated), ("hand-written HVP", r.hand))]
    for r in tables.hessians:
        found += [(f"{r.label}, n = {r.n}: {name}", t) for name, t in
                  (("generated Hessian", r.generated), ("hand-written Hessian", r.hand))]
    return found


def _raw_table(tables: report.Tables) -> str:
    rows = [[label, fmt(t.median), f"{100 * t.spread:.1f}%", f"{t.repeats} x {t.number}"]
            for label, t in _measurements(tables)]
    return report.grid(["Measurement", "median", "IQR / median", "samples x calls"], rows, True)


def _noise_sentence(tables: report.Tables) -> str:
    results = [*tables.mlp, *tables.loops]
    worst = max((t.spread, label) for label, t in _measurements(tables))
    verdict = ("The run was quiet enough for differences of a few percent to mean something."
               if worst[0] <= 0.10 else
               "The machine had slow spells during this run (other work on it, or on the host "
               "of this virtual machine). Interleaving spreads them over all the candidates, so "
               "the ratios hold up better than the absolute times; compare them with the ratios "
               "of the lower quartiles below, which slow spells affect least.")
    quartiles = "; ".join(
        f"{r.label}: {r.generated.q1 / r.hand.q1:.2f}x (medians: "
        f"{r.generated.median / r.hand.median:.2f}x)" for r in results)
    return (f"The widest interquartile range is {100 * worst[0]:.0f}% of the median "
            f"({worst[1]}). {verdict} Generated / hand-written from the lower quartiles: "
            f"{quartiles}.")


def _summary(tables: report.Tables) -> str:
    small, small32, large = tables.mlp
    o, g = tables.overhead, tables.generation
    direct = _variant(tables.variants, "direct").timing.median
    return "\n".join([
        "## Summary",
        "",
        f"- Small MLP, float64: the generated gradient takes {fmt(small.generated.median)}, "
        f"{small.generated.median / small.hand.median:.2f}x the hand-written one "
        f"(target: {report.TARGET}x); called directly, without the wrapper, the generated "
        f"function is at {direct / small.hand.median:.2f}x.",
        f"- Large MLP, float64: {large.generated.median / large.hand.median:.2f}x; the matrix "
        "products dominate and are the same in both; the rest is the memory held by named "
        "intermediates (see the notes).",
        f"- Small MLP, float32: {small32.generated.median / small32.hand.median:.2f}x"
        + (", and a generated statement widens float32 to float64 (see the notes)."
           if tables.promotions else "; the generated code stays in float32 (see the notes)."),
        f"- Loops (target: {report.LOOP_TARGET}x): generated / hand-written is "
        + _and([f"{r.generated.median / r.hand.median:.2f}x for {_short(r.label)}"
                for r in tables.loops])
        + "; the notes say where the generated loop code loses time.",
        *([f"- Second derivatives: the generated Hessian-vector product costs "
           f"{_span([r.generated.median / r.function.median for r in tables.hvps])} the "
           f"function ({_span([r.generated.median / r.grad.median for r in tables.hvps])} its "
           f"gradient) and "
           f"{_span([r.generated.median / r.hand.median for r in tables.hvps])} a hand-written "
           "HVP; `sg.hessian` is "
           f"{_span([r.generated.median / r.hand.median for r in tables.hessians])} a "
           "hand-written Hessian (n HVP sweeps against a few matrix products; see Second "
           "derivatives)."]
          if tables.hvps and tables.hessians else []),
        f"- Per-call overhead of the `sg.grad` wrapper: {fmt(o.wrapper.median - o.direct.median)} "
        f"on a scalar function; the generated code for `x * x` itself takes "
        f"{fmt(o.direct.median)}.",
        f"- Generating the small-MLP gradient takes about {fmt(g.median)}, once.",
        "",
    ])


def _training(tables: report.Tables) -> str:
    return "" if tables.training is None else training_section(tables.training)


def training_section(t: Any) -> str:
    """The section on seed 001's training loop, from a `run.TrainingResult`."""
    hand = t.per_step["hand"]
    tape = t.per_step["tape"] / hand
    overhead = t.per_step["tape"] - t.per_step["grad"]
    lines = [
        f"### Training with a GradientTape (seed 001: linear regression, {t.steps:,} steps)",
        "",
        report.training_table(report.Tables([], None, None, [], [], [], [], [], "",
                                            training=t), True),
        "",
        f"The tape step costs {tape:.1f}x the hand-written one (target: 2x, "
        f"{'met' if tape <= 2 else 'not met'}). A hand-written step on five points is "
        f"{fmt(hand)} of NumPy calls on tiny arrays, and `s2sgrad.grad`'s step already pays the "
        "per-statement costs of generated code described above. The tape adds "
        f"{fmt(overhead)} per step over `s2sgrad.grad`: the block runs as written on Tensors "
        "and Variables, and its generated forward pass runs again when the gradient is asked "
        "for (the tape keeps the block's code, not a record of its operations; the re-run is on "
        "plain arrays when the block's code cannot tell them from Tensors); around them, Python "
        "keeps the block's entry values, matches targets and sources to the block's variables "
        "(the plan of the sweep is made once per request and found again by a short key), and "
        "the Keras-style optimizer updates the Variables. These are fixed costs per step: they "
        "do not grow with the model, but on this five-point problem they dominate.",
        ""]
    if t.phases:
        p = t.phases
        parts = [("the `with` block: entering the tape, the operations, leaving", "block"),
                 ("`tape.gradient`: forward pass again, backward pass, bookkeeping", "gradient"),
                 ("`optimizer.apply_gradients`", "optimizer"),
                 ("for reference: the block's operations alone, no tape", "operations")]
        rows = [[label, fmt(p[key]), f"{p[key] / hand:.2f}x"] for label, key in parts]
        floor = p["operations"] / hand
        lines += [
            "Where the tape's step goes (each part timed on its own over the same number of "
            "steps, fastest of the runs; the clock calls add a little):",
            "",
            report.grid(["Part of the tape step", "time per step", "vs hand-written step"],
                        rows, True, "lrr"),
            "",
            f"The block's operations alone, on Tensors and Variables as the seed writes them, "
            f"cost {floor:.2f}x the whole hand-written step (the hand-written step computes "
            "neither the loss nor Tensors). The floor row has no tape at all: the block's value "
            "and gradient from one call of generated code, on plain arrays, as a tape that put "
            "compiled code in place of its block would run them, and the seed's optimizer; it "
            f"costs {t.per_step['substituted'] / hand:.2f}x. So no tape on this compiler's "
            "generated code comes within 2x on a problem this small: that needs a tape that "
            "substitutes compiled code for its block (so the block's work is done once) and "
            "generated code and an optimizer as lean as the hand-written step.",
            ""]
    return "\n".join(lines)


def _targets(tables: report.Tables) -> str:
    if tables.targets is None:
        return ""
    from . import targets
    hand = {r.label: r.hand.median for r in list(tables.mlp) + list(tables.loops)}
    return targets.section(tables.targets, hand)


def document(tables: report.Tables, info: Dict[str, str], command: str,
             settings: timing.Settings) -> str:
    small = tables.mlp[0]
    o = tables.overhead
    parts = [
        INTRO,
        _summary(tables),
        _targets(tables),
        "## Reproduce",
        "",
        "```sh",
        "python benchmarks/run.py           # full run (about 75 s here); rewrites this file",
        "python benchmarks/run.py --quick   # smoke run with a tiny time budget; prints only",
        "```",
        "",
        f"These numbers come from `{command}`.",
        "",
        "## Machine",
        "",
        _machine_table(info),
        "",
        METHOD.format(min_sample=fmt(settings.min_sample), budget=fmt(settings.budget),
                      min_repeats=settings.min_repeats, block=fmt(settings.block_seconds)),
        "## Results",
        "",
        "### MLP gradients (median time per call)",
        "",
        report.mlp_table(tables, True),
        "",
        "### Loops, branches and calls (median time per call)",
        "",
        report.loops_table(tables, True),
        "",
        _loop_verdict(tables),
        "",
        _higher_order(tables),
        _training(tables),
        "### Per-call overhead",
        "",
        report.overhead_table(tables, True),
        "",
        f"The generated function itself costs {fmt(o.direct.median)} for one multiplication, "
        f"against {fmt(o.hand.median)} for the hand-written `2.0 * x` (an empty call through the "
        f"same timing loop is {fmt(o.floor.median)}). Its statements, timed alone:",
        "",
        report.statement_table(o.statements, True),
        "",
        "`scalar_seed` and `unbroadcast` return after a type test or two when given Python "
        "floats, so each helper statement costs its arithmetic plus one Python call. What is "
        "left against `2.0 * x` is the number of statements: the seed, and the two "
        "`unbroadcast` terms of the product rule and their sum. The wrapper adds its own cost "
        "on top (its two parts are timed apart in the table). These costs are fixed per "
        "statement, which is why they matter for the small MLP and vanish in the large one.",
        "",
        "### Generation time",
        "",
        report.generation_table(tables, True),
        "",
        "Generation happens once per function, `wrt` and kind, on the first call; afterwards the "
        "derivative comes from the cache. The first generation in a fresh process is slower "
        "because it also reads the source file and runs the compiler's code paths for the first "
        f"time. For scale: one generation costs about "
        f"{tables.generation.median / small.generated.median:.0f} calls of the generated small-MLP "
        "gradient.",
        "",
        "### Noise",
        "",
        _raw_table(tables),
        "",
        _noise_sentence(tables),
        "",
        WORKLOADS,
        _notes(tables),
        _loop_notes(tables),
    ]
    return "\n".join(parts)


def max_item(v: Sequence[breakdown.Variant], costs: Sequence[breakdown.StatementCost]) -> dict:
    """The note on the adjoint of `logits - np.max(logits, axis=1, keepdims=True)`."""
    if _statement_cost(costs, "extremum_adjoint") == 0:
        return dict(cost=0.0, title="The adjoint of the max-subtraction", text=(
            "`shifted = logits - np.max(logits, axis=1, keepdims=True)` gets no adjoint for the "
            "maximum: `analysis/shifts.py` proves that the loss does not change when a row of "
            "`shifted` is shifted (the log-softmax subtracts the row's log-sum-exp), so the row "
            "sum `unbroadcast(-bshifted, max_logits)` and the tie mask of "
            "`extremum_adjoint`, which add a contribution that is zero up to rounding, are not "
            "generated, as in the hand-written gradient."), suggestion="None: done.")
    return dict(cost=_saving(v, "max"), title="The adjoint of the max-subtraction", text=(
        "`shifted = logits - np.max(logits, axis=1, keepdims=True)` makes the generated code "
        "compute `bmax_logits = unbroadcast(-bshifted, max_logits)` (a row sum, "
        f"{fmt(_statement_cost(costs, 'bmax_logits = '))} on its own) and "
        "`blogits = blogits + extremum_adjoint(bmax_logits, logits, max_logits, 1, True)` "
        f"({fmt(_statement_cost(costs, 'extremum_adjoint'))}), only to add a contribution "
        "that is zero up to rounding. Removing both statements saves "
        f"**{fmt(_saving(v, 'max'))}** per call."), suggestion=(
        "Extend `analysis/shifts.py` to the operations between the maximum and the loss here."))


def broadcast_item(v: Sequence[breakdown.Variant],
                   costs: Sequence[breakdown.StatementCost]) -> dict:
    """The note on `broadcast_like` of reduction adjoints."""
    left = [c.text.split(" = ")[0] for c in costs if "broadcast_like(" in c.text]
    return dict(cost=_saving(v, "broadcast_like"), title="`broadcast_like` for reduction adjoints",
                text=(
        "The adjoint of an `np.sum` is `broadcast_like(g, x)`, which fills a fresh array of "
        "`x`'s shape (below 65536 elements; above, it returns a broadcast view). Where the "
        "only reader is a product with `x` itself (`bexp_shifted * exp_shifted`), the generated "
        "code already reads `g * x` instead (`optimizations/simplify.py`). "
        + (f"Left: {_listed(left)} ({fmt(_statement_cost(costs, 'broadcast_like('))} timed "
           "alone), read by a product with another array of the full shape "
           "(`by_times_log_probs * y`), which broadcasts anyway. " if left else "")
        + "Replacing the remaining calls by their argument saves "
        f"**{fmt(_saving(v, 'broadcast_like'))}**, with "
        f"{_variant(v, 'broadcast_like').dead} statements that only computed a value for "
        "`broadcast_like` to read its shape."), suggestion=(
        "Shape knowledge: `y * log_probs` has the shape of `log_probs` when `y` broadcasts to "
        "it, which the code cannot know without guarding on the input shapes; with it, `g` can "
        "be emitted as is whenever every consumer broadcasts it against an operand of the full "
        "shape."))
