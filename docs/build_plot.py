"""Draw docs/img/benchmarks.svg from the tables of docs/benchmarks.md (written by
benchmarks/run.py): run `python docs/build_plot.py` after the benchmarks were run again
(tests/test_doc_snippets.py fails while the plot is stale).

The plot has one panel per ratio: the generated gradient against the hand-written one, the
generated Hessian-vector product against the hand-written one, and a GradientTape training step
against a hand-written one. Each bar is "how many times the time of the hand-written code", with
a dashed line at 1x (a tie).

If docs/benchmarks.json exists it is read instead of the Markdown tables, in this form:

    {"panels": [{"title": "...", "bars": [{"label": "...", "value": 1.21}, ...]}, ...]}

The SVG is written by hand (no plotting library), deterministically, so that the committed file
can be compared with what this script writes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
MARKDOWN = HERE / "benchmarks.md"
JSON = HERE / "benchmarks.json"
OUTPUT = HERE / "img" / "benchmarks.svg"

Bar = Tuple[str, float]
Panel = Tuple[str, List[Bar]]

# (panel title, [(section heading of benchmarks.md, label column(s), ratio column)])
PANELS = [
    ("Gradient: generated / hand-written", [
        ("MLP gradients", ("Workload",), "generated / hand"),
        ("Loops, branches and calls", ("Workload",), "generated / hand"),
    ]),
    ("Hessian-vector product: generated / hand-written", [
        ("Second derivatives", ("Workload", "n"), "generated / hand"),
    ]),
    ("Training step (seed 001, linear regression): time / hand-written", [
        ("Training with a GradientTape", ("Training step",), "vs hand-written"),
    ]),
]


def table_after(text: str, heading: str) -> List[Dict[str, str]]:
    """The rows (as column -> cell) of the first table after the `### heading...` line."""
    match = re.search(r"^###\s+" + re.escape(heading) + r".*$", text, re.M)
    if match is None:
        raise ValueError(f"benchmarks.md has no section '### {heading}'")
    lines = text[match.end():].splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        raise ValueError(f"no table after '### {heading}' in benchmarks.md")
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, rows = table[0], table[2:]     # table[1] is the |---| line
    return [dict(zip(header, row)) for row in rows]


def ratio(cell: str) -> float:
    match = re.fullmatch(r"([0-9.]+)x", cell)
    if match is None:
        raise ValueError(f"not a ratio: {cell!r}")
    return float(match.group(1))


def panels_from_markdown(text: str) -> List[Panel]:
    panels = []
    for title, sources in PANELS:
        bars = []
        for heading, label_columns, value_column in sources:
            for row in table_after(text, heading):
                label = row[label_columns[0]]
                for column in label_columns[1:]:
                    label += f", {column} = {row[column]}"
                bars.append((label, ratio(row[value_column])))
        panels.append((title, bars))
    return panels


def panels_from_json(data: dict) -> List[Panel]:
    return [(panel["title"], [(bar["label"], float(bar["value"])) for bar in panel["bars"]])
            for panel in data["panels"]]


def load() -> List[Panel]:
    if JSON.exists():
        return panels_from_json(json.loads(JSON.read_text(encoding="utf-8")))
    return panels_from_markdown(MARKDOWN.read_text(encoding="utf-8"))


# ---- drawing ------------------------------------------------------------------------------------

WIDTH = 760
LABEL_WIDTH = 290           # bar labels, right-aligned before the bars
BAR_AREA = 380              # the longest bar of a panel
BAR_HEIGHT = 18
BAR_GAP = 8
TITLE_HEIGHT = 30
PANEL_GAP = 22
COLOR = "#3b6ea5"
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'


def render(panels: List[Panel]) -> str:
    parts = []
    y = 34
    for title, bars in panels:
        scale = BAR_AREA / max(max(value for _, value in bars), 1.0)
        parts.append(f'  <text x="10" y="{y + 18}" font-size="15" font-weight="bold">'
                     f'{escape(title)}</text>')
        top = y + TITLE_HEIGHT
        for index, (label, value) in enumerate(bars):
            bar_y = top + index * (BAR_HEIGHT + BAR_GAP)
            width = value * scale
            parts.append(f'  <text x="{LABEL_WIDTH - 8}" y="{bar_y + 13}" font-size="12" '
                         f'text-anchor="end">{escape(label)}</text>')
            parts.append(f'  <rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width:.1f}" '
                         f'height="{BAR_HEIGHT}" fill="{COLOR}"/>')
            parts.append(f'  <text x="{LABEL_WIDTH + width + 6:.1f}" y="{bar_y + 13}" '
                         f'font-size="12">{value:.2f}x</text>')
        bottom = top + len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        tie = LABEL_WIDTH + scale
        parts.append(f'  <line x1="{tie:.1f}" y1="{top - 4}" x2="{tie:.1f}" y2="{bottom + 4}" '
                     f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3"/>')
        parts.append(f'  <text x="{tie:.1f}" y="{bottom + 17}" font-size="11" fill="#c0392b" '
                     f'text-anchor="middle">1x</text>')
        y = bottom + 17 + PANEL_GAP
    height = y
    header = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" {FONT} role="img">',
        "  <title>s2sgrad benchmarks: time of generated code relative to hand-written "
        "NumPy (1x is a tie)</title>",
        f'  <rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>',
        '  <text x="10" y="20" font-size="12" fill="#555">Time relative to hand-written NumPy '
        '(median per call; shorter is faster, the dashed line is a tie)</text>',
    ]
    return "\n".join(header + parts + ["</svg>"]) + "\n"


def build() -> str:
    """The SVG for the current benchmark results."""
    return render(load())


def main() -> None:
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
    sys.exit(0)
