"""Documentation that shows generated code must show what the compiler generates today."""

import os
import runpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


import pytest


@pytest.mark.parametrize("script, page", [("build_architecture.py", "architecture.md"),
                                          ("build_examples.py", "generated_examples.md")])
def test_generated_pages_are_up_to_date(script, page):
    namespace = runpy.run_path(os.path.join(ROOT, "docs", script))
    with open(os.path.join(ROOT, "docs", page)) as handle:
        committed = handle.read()
    assert namespace["build"]() == committed, f"docs/{page} is stale: run python docs/{script}"


def test_examples_run(capsys):
    runpy.run_path(os.path.join(ROOT, "examples", "demo.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "def dphysics_dtheta_dlength(theta, length, *, b_return=1.0):" in out
    assert "check_grads: the generated gradient agrees with finite differences" in out
    assert "for x in reversed(x_stack):" in out     # the reversed loop
    for line in out.splitlines():
        if line.startswith("rate="):   # the demo prints the closed form next to each gradient
            numbers = [float(t.rstrip("),")) for t in line.replace("(", " ").split()
                       if t.rstrip("),").replace(".", "", 1).isdigit()]
            assert numbers[1] == numbers[2] and numbers[3] == numbers[4], line


def test_readme_first_example_prints_what_the_readme_shows(tmp_path):
    """The README's first code block, saved as example.py and run, prints its second block."""
    import re
    import subprocess
    import sys

    with open(os.path.join(ROOT, "README.md")) as handle:
        readme = handle.read()
    section = readme.split("## A first gradient", 1)[1]
    code, shown = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    (tmp_path / "example.py").write_text(code)
    result = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown.strip()
