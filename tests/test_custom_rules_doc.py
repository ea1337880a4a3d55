"""docs/custom_rules.md runs as written: every ```python block of the page is executed, in order,
in one namespace, and what a block prints must be what the page shows in the ```text block that
follows it. The blocks check their numbers themselves (assert statements against central finite
differences), so a wrong rule or a wrong claim fails here.

Each block is saved as `example.py` in a folder of its own before it runs, so that s2sgrad (and
`inspect.getsource`) can read the functions and rule templates it defines, and error messages name
`example.py` and the line in that block. Run this file as a script to rewrite the page's output
blocks after a deliberate change: python tests/test_custom_rules_doc.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "custom_rules.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def fenced_blocks(text: str) -> List[Tuple[str, str, int, int]]:
    """(language, body, start, end) of every fenced block, in order."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]


def run_blocks(text: str, folder: Path) -> List[str]:
    """Run every python block in one namespace; the output of each (paths made relative)."""
    namespace = {"__name__": "example"}
    outputs = []
    python = [body for language, body, _, _ in fenced_blocks(text) if language == "python"]
    for index, code in enumerate(python):
        block_folder = folder / f"block{index}"
        block_folder.mkdir(parents=True)
        path = block_folder / "example.py"
        path.write_text(code)
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, str(path), "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"python block {index + 1} of docs/custom_rules.md failed:\n"
                                 f"{code}\n{type(error).__name__}: {error}") from error
        outputs.append(re.sub(re.escape(str(folder)) + r"[/\\]block\d+[/\\]", "",
                              buffer.getvalue()))
    return outputs


def pairs(text: str, outputs: List[str]):
    """(python block number, its output, the text block shown after it or None, that block)."""
    blocks = fenced_blocks(text)
    results = []
    number = 0
    for i, (language, _, _, _) in enumerate(blocks):
        if language != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) and blocks[i + 1][0] == "text" else None
        results.append((number, outputs[number], following))
        number += 1
    return results


def test_every_python_block_runs_and_prints_what_the_page_shows(tmp_path):
    text = PAGE.read_text()
    assert text.count("```python") >= 10, "the guide lost its examples"
    outputs = run_blocks(text, tmp_path)
    for number, output, following in pairs(text, outputs):
        if following is None:
            assert output == "", f"python block {number + 1} prints, but the page shows no " \
                                 f"output after it:\n{output}"
            continue
        assert following[1] == output, \
            f"python block {number + 1} prints something else than the page shows " \
            f"(run python tests/test_custom_rules_doc.py after a deliberate change):\n{output}"


def test_every_text_block_shows_an_output():
    """A ```text block stands right after the python block whose output it shows."""
    blocks = fenced_blocks(PAGE.read_text())
    for i, (language, body, _, _) in enumerate(blocks):
        if language == "text":
            assert i > 0 and blocks[i - 1][0] == "python", f"text block without code: {body}"


def update() -> None:
    """Rewrite the page's output blocks with what its code prints today."""
    import tempfile

    text = PAGE.read_text()
    with tempfile.TemporaryDirectory() as folder:
        outputs = run_blocks(text, Path(folder))
    edits = []
    blocks = fenced_blocks(text)
    for number, output, following in pairs(text, outputs):
        if following is not None:
            edits.append((following[2], following[3], f"```text\n{output}```\n" if output else ""))
        elif output:
            end = [b for b in blocks if b[0] == "python"][number][3]
            edits.append((end, end, f"\n```text\n{output}```\n"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    PAGE.write_text(text)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    update()
