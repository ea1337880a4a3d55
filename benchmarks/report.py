"""Rendering benchmark results: a plain-text table for the console and docs/benchmarks.md."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Sequence

from . import breakdown, timing
from .timing import format_seconds as fmt

TARGET = 1.3  # the project's goal for generated / hand-written on the MLP gradients
LOOP_TARGET = 1.5  # the same, for the gradients of functions with loops


@dataclasses.dataclass
class Tables:
    mlp: List[Any]            # run.GradientResult
    overhead: Any             # run.OverheadResult
    generation: Any           # run.GenerationResult
    statements: List[breakdown.StatementCost]
    variants: List[breakdown.Variant]        # small MLP, float64
    variants32: List[breakdown.Variant]      # small MLP, float32
    variants_large: List[breakdown.Variant]  # large MLP, float64
    promotions: List[breakdown.Promotion]    # float32 -> float64 widenings, small MLP float32
    source: str               # generated source of the small-MLP gradient
    # run.finish_times: the wrapper's _finish, and finalize_grad per small-MLP gradient
    mlp_finish: Dict[str, timing.Timing] = dataclasses.field(default_factory=dict)
    loops: List[Any] = dataclasses.field(default_factory=list)  # run.LoopResult
    hvps: List[Any] = dataclasses.field(default_factory=list)       # run.HvpResult
    hessians: List[Any] = dataclasses.field(default_factory=list)   # run.HessianResult
    training: Any = None      # run.TrainingResult
    targets: Any = None       # targets.TargetsResult


def training_table(tables: Tables, markdown: bool) -> str:
    t = tables.training
    hand = t.per_step["hand"]
    rows = [[label, fmt(t.per_step[key]), f"{t.per_step[key] / hand:.2f}x",
             f"a = {t.parameters[key][0]:.6f}, b = {t.parameters[key][1]:.6f}"]
            for key, label in (("tape", "GradientTape + SGD optimizer (as the seed)"),
                               ("substituted", "floor: block's value_and_grad + SGD optimizer"),
                               ("grad", "s2sgrad.grad + NumPy update"),
                               ("hand", "hand-written NumPy gradient"))]
    return grid(["Training step", "time per step", "vs hand-written", "after the run"], rows,
                markdown, "lrrl")


def grid(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool,
          align: str = "") -> str:
    """A table, as Markdown or as aligned plain text.

    `align` has one letter per column, "l" or "r"; by default the first column is left-aligned
    and the others (numbers) right-aligned.
    """
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) if a == "l" else str(c).rjust(w)
                  for c, w, a in zip(cells, widths, align)]
        return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded)

    if markdown:
        rule = "|" + "|".join(("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2))
                              for w, a in zip(widths, align)) + "|"
    else:
        rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def mlp_table(tables: Tables, markdown: bool) -> str:
    header = ["Workload", "generated grad", "hand-written grad", "generated / hand",
              "forward", "generated / forward", "hand / forward"]
    rows = [[r.label, fmt(r.generated.median), fmt(r.hand.median),
             _ratio(r.generated.median, r.hand.median), fmt(r.forward.median),
             _ratio(r.generated.median, r.forward.median), _ratio(r.hand.median, r.forward.median)]
            for r in tables.mlp]
    return grid(header, rows, markdown)


def loops_table(tables: Tables, markdown: bool) -> str:
    header = ["Workload", "generated grad", "hand-written grad", "generated / hand", "forward",
              "generated / forward"]
    rows = [[r.label, fmt(r.generated.median), fmt(r.hand.median),
             _ratio(r.generated.median, r.hand.median), fmt(r.forward.median),
             _ratio(r.generated.median, r.forward.median)] for r in tables.loops]
    return grid(header, rows, markdown)


def hvp_table(tables: Tables, markdown: bool) -> str:
    header = ["Workload", "n", "function", "generated grad", "generated HVP", "HVP / function",
              "HVP / grad", "hand-written HVP", "generated / hand"]
    rows = [[r.label, str(r.n), fmt(r.function.median), fmt(r.grad.median),
             fmt(r.generated.median), _ratio(r.generated.median, r.function.median),
             _ratio(r.generated.median, r.grad.median), fmt(r.hand.median),
             _ratio(r.generated.median, r.hand.median)] for r in tables.hvps]
    return grid(header, rows, markdown)


def hessian_table(tables: Tables, markdown: bool) -> str:
    header = ["Workload", "n", "generated Hessian", "per sweep (/ n)", "hand-written Hessian",
              "generated / hand", "generation (once)"]
    rows = [[r.label, str(r.n), fmt(r.generated.median), fmt(r.generated.median / r.n),
             fmt(r.hand.median), _ratio(r.generated.median, r.hand.median), fmt(r.generation)]
            for r in tables.hessians]
    return grid(header, rows, markdown)


def overhead_table(tables: Tables, markdown: bool) -> str:
    o = tables.overhead
    rows = [["`sg.grad(square)(x)` (wrapper)", fmt(o.wrapper.median)],
            ["generated function called directly", fmt(o.direct.median)],
            ["**wrapper overhead** (difference)", fmt(o.wrapper.median - o.direct.median)],
            ["hand-written `2.0 * x` in a function", fmt(o.hand.median)],
            ["empty function call (timing floor)", fmt(o.floor.median)]]
    rows += [[f"wrapper part: {name}", fmt(t.median)] for name, t in o.parts.items()]
    if not markdown:
        rows = [[c.replace("`", "").replace("**", "") for c in row] for row in rows]
    return grid(["Per-call overhead, x = 3.0 (Python float)", "time per call"], rows, markdown)


def generation_table(tables: Tables, markdown: bool) -> str:
    g = tables.generation
    samples = sorted(g.samples)
    rows = [["first call after CACHE.clear(), minus a cached call (median)", fmt(g.median)],
            ["  range over repetitions (min - max, raw first calls)",
             f"{fmt(samples[0])} - {fmt(samples[-1])}"],
            ["  repetitions", str(len(samples))],
            ["first generation in a fresh process (raw, once)", fmt(g.first_in_process)],
            ["cached call, for reference", fmt(g.normal_call.median)]]
    return grid(["Generating the small-MLP gradient", "time"], rows, markdown)


def _code(text: str, markdown: bool, width: int = 72) -> str:
    text = text if len(text) <= width else text[:width - 3] + "..."
    return f"`{text}`" if markdown else text


def statement_table(costs: Sequence[breakdown.StatementCost], markdown: bool,
                    limit: int = 0) -> str:
    total = sum(c.seconds for c in costs) or 1.0
    ordered = sorted(costs, key=lambda c: -c.seconds)
    if limit:
        ordered = ordered[:limit]
    rows = [[_code(c.text, markdown), c.category, fmt(c.seconds), f"{100 * c.seconds / total:.0f}%"]
            for c in ordered]
    return grid(["Generated statement", "kind", "time", "share"], rows, markdown, "llrr")


def category_totals(costs: Sequence[breakdown.StatementCost]) -> Dict[str, List[float]]:
    """Category -> [total seconds, statement count], most expensive first."""
    totals: Dict[str, List[float]] = {}
    for c in costs:
        entry = totals.setdefault(c.category, [0.0, 0])
        entry[0] += c.seconds
        entry[1] += 1
    return dict(sorted(totals.items(), key=lambda item: -item[1][0]))


def category_table(costs: Sequence[breakdown.StatementCost], markdown: bool) -> str:
    total = sum(c.seconds for c in costs) or 1.0
    rows = [[name, str(count), fmt(seconds), f"{100 * seconds / total:.0f}%"]
            for name, (seconds, count) in category_totals(costs).items()]
    rows.append(["total of the statements", str(len(costs)), fmt(total), "100%"])
    return grid(["Kind of statement", "statements", "time", "share"], rows, markdown)


def variant_table(variants: Sequence[breakdown.Variant], hand: timing.Timing,
                  hand_faults: Optional[float], markdown: bool) -> str:
    rows, previous = [], None
    for v in variants:
        t = v.timing.median
        saved = "" if previous is None else fmt(previous - t)
        faults = "" if v.faults is None else f"{v.faults:.0f}"
        rows.append([v.label, fmt(t), saved, _ratio(t, hand.median), faults,
                     "yes" if v.agrees else "NO"])
        previous = t
    rows.append(["hand-written gradient", fmt(hand.median), "", "1.00x",
                 "" if hand_faults is None else f"{hand_faults:.0f}", ""])
    return grid(["Generated code, cumulatively rewritten", "time", "saved by step",
                 "vs hand-written", "page faults / call", "gradient ok"], rows, markdown)


def promotion_text(promotions: Sequence[breakdown.Promotion], markdown: bool) -> str:
    if not promotions:
        return "no generated statement widens the floating dtype."
    first = promotions[0]
    return (f"{len(promotions)} generated statement(s) widen {first.read} to {first.result}; "
            f"the first is {_code(first.text, markdown, width=200)}")


def console(tables: Tables) -> str:
    small = tables.mlp[0]
    parts = [
        "MLP gradients (median time per call)", mlp_table(tables, False), "",
        "Loops, branches and calls (median time per call)", loops_table(tables, False), "",
        "Hessian-vector products (median time per call)", hvp_table(tables, False), "",
        "Hessians (median time per call; generation: first call minus a cached call)",
        hessian_table(tables, False), "",
        "Seed 001 training loop (median run, time per step)", training_table(tables, False), "",
        overhead_table(tables, False), "",
        generation_table(tables, False), "",
        "Generated small-MLP gradient, per statement (top 12):",
        statement_table(tables.statements, False, limit=12), "",
        category_table(tables.statements, False), "",
        variant_table(tables.variants, small.hand, small.hand_faults, False), "",
        "float32: " + promotion_text(tables.promotions, False),
        variant_table(tables.variants32, tables.mlp[1].hand, tables.mlp[1].hand_faults, False),
        "", "Large MLP:",
        variant_table(tables.variants_large, tables.mlp[2].hand, tables.mlp[2].hand_faults,
                      False),
    ]
    for r in tables.loops:
        parts += ["", f"{r.label}:", variant_table(r.variants, r.hand, r.hand_faults, False)]
    return "\n".join(parts)


def markdown(tables: Tables, info: Dict[str, str], command: str,
             settings: timing.Settings) -> str:
    """The whole of docs/benchmarks.md."""
    from . import notes  # the prose lives apart from the table plumbing
    return notes.document(tables, info, command, settings)
