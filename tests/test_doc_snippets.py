"""Every ```python block of README.md and of the documentation pages runs, as written.

How it works:
- the pages are README.md, docs/*.md and docs/zh/*.md, except the generated pages (architecture,
  generated_examples, benchmarks, coverage) and custom_rules.md, which tests/test_custom_rules_doc.py
  runs itself;
- each page runs in a Python process of its own (as a reader would run it: nothing left over from
  other pages or tests), its ```python blocks in order, in one namespace, so a block can use what
  an earlier block defined. Each block is first saved as `example.py` in a folder of its own and
  compiled from there: s2sgrad reads the source of the functions (and of the `with
  GradientTape()` blocks) it differentiates, and error messages and generated code name
  `example.py` and the line in that block, as a reader who saves the block would see;
- a block shown as the *output* of the code before it is marked with `<!-- output -->` on the line
  before its fence (any language: ```text for printed values, ```python for generated code). It
  is not run: it must equal what the closest python block before it printed (line ends
  stripped, temporary folders removed). README.md, which this test does not own, introduces its
  output block with a line saying "prints"; that counts as the marker there;
- a block that must fail shows the error in a try/except in its own code, so a block that raises
  fails the test;
- the code of the Chinese pages (docs/zh/) must be the code of the English pages: only the prose
  is translated.

After a deliberate change, `python tests/test_doc_snippets.py docs/tutorial.md ...` rewrites the
output blocks of those pages with what their code prints today (read the diff before keeping it).
mkdocs: `mkdocs build --strict` must succeed (skipped when mkdocs is not installed), and
docs/img/benchmarks.svg must be what docs/build_plot.py draws from docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# generated pages, and the page with a test of its own
SKIPPED = {"architecture.md", "generated_examples.md", "benchmarks.md", "coverage.md",
           "custom_rules.md"}
OUTPUT_MARKER = "<!-- output -->"
FENCE = re.compile(r"^```([\w+-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def pages() -> List[Path]:
    found = [ROOT / "README.md"]
    for folder in (DOCS, DOCS / "zh"):
        found += sorted(p for p in folder.glob("*.md") if p.name not in SKIPPED)
    return found


@dataclasses.dataclass
class Block:
    language: str
    code: str
    line: int               # the line of the opening fence in the page (1-based)
    is_output: bool
    start: int              # character offsets of the whole fenced block in the page
    end: int


def blocks(text: str, readme: bool = False) -> List[Block]:
    """The fenced blocks of a page, in order, each marked as output or not."""
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip()
        last_line = before.rsplit("\n", 1)[-1].strip()
        is_output = last_line == OUTPUT_MARKER or (readme and last_line == "prints")
        found.append(Block(match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1,
                           is_output, match.start(), match.end()))
    return found


def normalized(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines())


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def run_page(page: Path, folder: Path) -> List[Tuple[Block, Optional[str]]]:
    """Run the page's python blocks in this process; (block, output of the python block it
    shows) for each output block (None when no python block comes before it)."""
    text = page.read_text(encoding="utf-8")
    namespace = {"__name__": "example"}
    last_output: Optional[str] = None
    shown = []
    for number, block in enumerate(blocks(text, readme=page.name == "README.md")):
        if block.is_output:
            shown.append((block, last_output))
            continue
        if block.language != "python":
            continue
        block_folder = folder / f"block{number}"
        block_folder.mkdir(parents=True)
        path = block_folder / "example.py"
        path.write_text(block.code, encoding="utf-8")
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(block.code, str(path), "exec"), namespace)
        except BaseException as error:
            raise AssertionError(f"the python block at {_page_id(page)}:{block.line} failed with "
                                 f"{type(error).__name__}: {error}\n{block.code}") from error
        last_output = re.sub(re.escape(str(block_folder)) + r"[/\\]", "", buffer.getvalue())
        last_output = last_output.replace(str(folder), "<tmp>")
    return shown


def run_page_isolated(page: Path, folder: Path) -> List[Tuple[Block, Optional[str]]]:
    """`run_page` in a fresh Python process, started in `folder`."""
    result = folder / "result.json"
    process = subprocess.run([sys.executable, __file__, "--run", str(page), str(folder),
                              str(result)], cwd=folder, capture_output=True, text=True)
    if process.returncode != 0 or not result.exists():
        raise AssertionError(f"running {_page_id(page)} failed:\n{process.stdout}\n"
                             f"{process.stderr}")
    outputs = {start: output for start, output in json.loads(result.read_text("utf-8"))}
    text = page.read_text(encoding="utf-8")
    return [(block, outputs[block.start])
            for block in blocks(text, readme=page.name == "README.md") if block.start in outputs]


@pytest.mark.parametrize("page", pages(), ids=_page_id)
def test_every_python_block_runs_and_prints_what_the_page_shows(page, tmp_path):
    for block, output in run_page_isolated(page, tmp_path):
        where = f"{_page_id(page)}:{block.line}"
        assert output is not None, f"the output block at {where} follows no python block"
        assert normalized(block.code) == normalized(output), \
            f"the output block at {where} is not what the code before it prints " \
            f"(after a deliberate change: python tests/test_doc_snippets.py {_page_id(page)}):\n" \
            f"{output}"


def test_the_documentation_pages_have_runnable_examples():
    names = {_page_id(p) for p in pages()}
    for name in ["README.md", "docs/index.md", "docs/tutorial.md", "docs/from_tensorflow.md",
                 "docs/language.md", "docs/zh/quickstart.md", "docs/zh/from_tensorflow.md"]:
        assert name in names
        text = (ROOT / name).read_text(encoding="utf-8")
        assert any(b.language == "python" and not b.is_output
                   for b in blocks(text, readme=name == "README.md")), name


def test_the_chinese_pages_show_the_same_code_as_the_english_ones():
    """docs/zh/ translates the prose only: each of its code blocks is one of the English pages'."""
    english = set()
    for page in pages():
        if page.parent.name != "zh":
            english |= {b.code for b in blocks(page.read_text(encoding="utf-8"),
                                                readme=page.name == "README.md")}
    for page in sorted((DOCS / "zh").glob("*.md")):
        for block in blocks(page.read_text(encoding="utf-8")):
            if block.language == "python" and not block.is_output:
                assert block.code in english, \
                    f"{_page_id(page)}:{block.line}: a code block that no English page has"


def test_every_output_marker_stands_before_a_block():
    for page in pages():
        text = page.read_text(encoding="utf-8")
        markers = text.count(OUTPUT_MARKER)
        assert markers == sum(b.is_output for b in blocks(text)), \
            f"{_page_id(page)}: an {OUTPUT_MARKER} marker that is not right before a fenced block"


def test_benchmark_plot_is_up_to_date():
    spec = importlib.util.spec_from_file_location("build_plot", DOCS / "build_plot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (DOCS / "img" / "benchmarks.svg").read_text(encoding="utf-8")
    assert module.build() == committed, "docs/img/benchmarks.svg is stale: " \
                                        "run python docs/build_plot.py"


def test_mkdocs_build_strict(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                             str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def update(page: Path) -> None:
    """Rewrite the output blocks of `page` with what its code prints today."""
    text = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        shown = run_page_isolated(page, Path(folder))
    for block, output in sorted(shown, key=lambda pair: pair[0].start, reverse=True):
        if output is None:
            continue
        fence = f"```{block.language}\n{normalized(output)}\n```"
        text = text[:block.start] + fence + text[block.end:]
    page.write_text(text, encoding="utf-8")


def _run_for_parent(page: str, folder: str, result: str) -> None:
    """The child process of `run_page_isolated`: run the page, write the outputs as JSON."""
    shown = run_page(Path(page), Path(folder))
    Path(result).write_text(json.dumps([(block.start, output) for block, output in shown]),
                            encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        _run_for_parent(*sys.argv[2:5])
    else:
        for argument in sys.argv[1:]:
            update(Path(argument).resolve())
