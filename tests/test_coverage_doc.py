"""docs/coverage.md, the rule-coverage page, is generated from the rule registry by
docs/build_coverage.py: the committed page must be what the script builds today, and it must list
every function the project promises to differentiate (LISTED in tests/test_systematic.py)."""

import importlib.util
import os
import runpy

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "docs", "build_coverage.py")
PAGE = os.path.join(ROOT, "docs", "coverage.md")

HAVE_SCIPY = importlib.util.find_spec("scipy") is not None


def _committed():
    with open(PAGE) as handle:
        return handle.read()


@pytest.mark.skipif(not HAVE_SCIPY, reason="the page lists SciPy's rules: build it with SciPy")
def test_the_coverage_page_is_up_to_date():
    script = runpy.run_path(SCRIPT)
    if script["versions_line"]() not in _committed():
        pytest.skip("the page was built with other NumPy/SciPy versions (names differ)")
    built = script["build"]()
    assert built == _committed(), \
        "docs/coverage.md is stale (the rule registry or the systematic cases changed): " \
        "run python docs/build_coverage.py"


def _page_spelling(target):
    """How the page writes a LISTED target: `np.exp`, `.sum` as `x.sum()`."""
    return f"`x.{target[1:]}()`" if target.startswith(".") else f"`{target}`"


def test_every_listed_function_is_on_the_page():
    import test_systematic

    page = _committed()
    listed = test_systematic.LISTED + (test_systematic.LISTED_SCIPY if HAVE_SCIPY else [])
    missing = [target for target in listed if _page_spelling(target) not in page]
    assert not missing, f"listed functions missing from docs/coverage.md: {missing} " \
                        "(run python docs/build_coverage.py once their rules exist)"


def test_the_page_lists_both_modes_of_a_known_rule():
    """A row says whether each mode has a rule (guards the table format the checks above read)."""
    page = _committed()
    row = next(line for line in page.splitlines() if line.startswith("| `np.tanh` |"))
    assert row.split("|")[2:4] == [" yes ", " yes "], row
