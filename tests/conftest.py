"""Test configuration: make `tests/` importable so test modules can share helper programs."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))


def pytest_terminal_summary(terminalreporter):
    """Print how many checks the systematic rule test ran (tests/test_systematic.py)."""
    module = sys.modules.get("test_systematic")
    if module is not None and module.COUNTER["checks"]:
        checks = module.COUNTER["checks"]
        terminalreporter.write_line(f"systematic rule check: {checks} checks passed "
                                    f"({len(module.CASES)} cases, VJP and JVP each)")
