"""The quick run of the program fuzzer (fuzz/, issue 8): a few hundred small random programs
checked in both modes and at second order against central differences.

The long run is `python -m fuzz.run --programs 10000 --seed 0 --jobs N`; a failing seed is
printed with `python -m fuzz.run --show SEED` and shrunk with `--minimize SEED`.
"""

import os
import re

import pytest

from fuzz import generate as gen
from fuzz import run as fuzz_run

PROGRAMS = 200
SEED = 20240  # fixed: the quick run checks the same programs every time
HERE = os.path.dirname(__file__)


def test_generator_is_deterministic():
    for seed in (0, 1, 7):
        a, b = gen.program_for_seed(seed), gen.program_for_seed(seed)
        assert a.source == b.source and a.instrumented == b.instrumented
        assert fuzz_run.chk.gen.draw_args is gen.draw_args
        assert repr(a.args) == repr(b.args)


def test_avoid_switches_are_used_and_have_reproducers():
    """Every AVOID switch is consulted by the generator and names its reproducer test."""
    with open(gen.__file__) as fh:
        generator = fh.read()
    with open(os.path.join(HERE, "test_fuzz_regressions.py")) as fh:
        regressions = fh.read()
    for name, reason in gen.AVOID.items():
        assert f'self.ok("{name}")' in generator, name
        tests = re.findall(r"\btest_\w+", reason)
        assert tests, f"{name}: the reason should name its reproducer"
        for test in tests:
            assert f"def {test}(" in regressions, (name, test)


def test_quick_fuzz_run():
    jobs = 2 if (os.cpu_count() or 1) >= 2 else 1
    results = fuzz_run.run(PROGRAMS, SEED, jobs=jobs, size="small", progress=False)
    bad = [r for r in results if r.outcome in ("mismatch", "crash", "invalid")]
    checked = [r for r in results if r.outcome not in ("discarded", "invalid")]
    assert len(checked) >= 0.9 * PROGRAMS, fuzz_run.summary(results, 0.0)
    if bad:
        pytest.fail(fuzz_run.summary(results, 0.0, verbose=True))
