"""The persistent (disk) cache: a new process loads generated derivatives instead of generating
them; corrupt and stale entries are detected and regenerated, never trusted."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad import persistent
from s2sgrad.cache import CACHE

MODULE = """
import numpy as np

SCALE = 2.0

def inner(x, w):
    return np.tanh(x @ w)

def f(x, w):
    h = inner(x, w)
    total = 0.0
    for i in range(3):
        total = total + SCALE * np.sum(h * h) * i
    return total
"""


@pytest.fixture
def disk(tmp_path):
    """The disk cache in a fresh directory, turned off again afterwards."""
    persistent.enable_disk_cache(str(tmp_path / "cache"))
    before = dict(persistent.stats)
    yield tmp_path
    persistent.disable_disk_cache()
    persistent.stats.update(before)


def load(tmp_path, text=MODULE, name="persisted_module"):
    """A fresh module from `text`, always at the same path (so the disk cache sees the same
    functions), with the in-memory cache emptied: as in a new process."""
    CACHE.clear()
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # imported as usual: its functions are found by name
    spec.loader.exec_module(module)
    return module


def args():
    rng = np.random.default_rng(0)
    return rng.normal(size=(2, 3)), 0.3 * rng.normal(size=(3, 2))


def counts():
    return dict(persistent.stats)


def delta(before):
    return {k: persistent.stats[k] - before[k] for k in before}


def entries(tmp_path):
    return sorted((tmp_path / "cache").rglob("*.json"))


def test_a_second_load_reads_the_derivative_from_disk(disk):
    x, w = args()
    first = sg.grad(load(disk).f, wrt=1)(x, w)
    written = len(entries(disk))
    assert written == 2          # f's gradient and inner's vjp
    before = counts()
    module = load(disk)
    second = sg.grad(module.f, wrt=1)(x, w)
    assert delta(before) == {"hits": 2, "misses": 0, "writes": 0, "rejected": 0}
    np.testing.assert_array_equal(first, second)
    sg.check_grads(module.f, [x, w], wrt=[1], modes=("rev",))


def test_forward_mode_and_variants_are_cached_too(disk):
    x, w = args()
    t = np.ones_like(w)
    expected = sg.jvp(load(disk).f, (x, w), (None, t))[1]
    before = counts()
    found = sg.jvp(load(disk).f, (x, w), (None, t))[1]
    assert delta(before)["hits"] >= 2 and delta(before)["misses"] == 0
    assert found == expected


def test_a_corrupt_entry_is_regenerated(disk):
    x, w = args()
    expected = sg.grad(load(disk).f, wrt=1)(x, w)
    for path in entries(disk):
        path.write_text(path.read_text()[:40])       # truncated
    before = counts()
    found = sg.grad(load(disk).f, wrt=1)(x, w)
    assert delta(before)["rejected"] == 2 and delta(before)["hits"] == 0
    np.testing.assert_allclose(found, expected)
    assert len(entries(disk)) == 2                    # written again, whole
    before = counts()
    sg.grad(load(disk).f, wrt=1)(x, w)
    assert delta(before)["hits"] == 2


def test_a_tampered_entry_is_not_trusted(disk):
    """An entry whose content no longer matches its digest (an edited generated source) is
    discarded, even though it is valid JSON."""
    x, w = args()
    expected = sg.grad(load(disk).f, wrt=1)(x, w)
    for path in entries(disk):
        stored = json.loads(path.read_text())
        stored["payload"]["source"] = stored["payload"]["source"].replace("*", "+")
        path.write_text(json.dumps(stored))
    before = counts()
    found = sg.grad(load(disk).f, wrt=1)(x, w)
    assert delta(before)["rejected"] == 2
    np.testing.assert_allclose(found, expected)


def test_an_entry_naming_objects_that_are_gone_is_regenerated(disk):
    """A consistent entry whose helper no longer imports (a renamed runtime helper, say)."""
    x, w = args()
    expected = sg.grad(load(disk).f, wrt=1)(x, w)
    for path in entries(disk):
        stored = json.loads(path.read_text())
        for description in stored["payload"]["helpers"].values():
            if description[0] == "object":
                description[2] = description[2] + "_renamed"
        stored["digest"] = persistent._digest(stored["payload"])
        path.write_text(json.dumps(stored))
    before = counts()
    found = sg.grad(load(disk).f, wrt=1)(x, w)
    assert delta(before)["rejected"] >= 1 and delta(before)["misses"] >= 1
    np.testing.assert_allclose(found, expected)


def test_a_changed_function_or_callee_gets_a_new_derivative(disk):
    x, w = args()
    sg.grad(load(disk).f, wrt=1)(x, w)
    changed = MODULE.replace("np.tanh(x @ w)", "np.sin(x @ w)")
    module = load(disk, changed)
    before = counts()
    found = sg.grad(module.f, wrt=1)(x, w)
    assert delta(before)["misses"] == 2 and delta(before)["hits"] == 0   # caller and callee
    h = np.sin(x @ w)
    expected = x.T @ (2 * h * np.cos(x @ w)) * 2.0 * (0 + 1 + 2)
    np.testing.assert_allclose(found, expected)


def test_a_changed_global_constant_or_rule_table_gets_a_new_derivative(disk):
    x, w = args()
    sg.grad(load(disk).f, wrt=1)(x, w)
    before = counts()
    sg.grad(load(disk, MODULE.replace("SCALE = 2.0", "SCALE = 3.0")).f, wrt=1)(x, w)
    assert delta(before)["misses"] >= 1 and delta(before)["hits"] <= 1
    persistent._fingerprints["rules"] = (-1, "")     # as if the rules had changed
    versions = persistent._fingerprints.pop("versions", None)
    try:
        persistent._fingerprints["versions"] = json.dumps({"s2sgrad": "another version"})
        before = counts()
        sg.grad(load(disk).f, wrt=1)(x, w)
        assert delta(before)["hits"] == 0
    finally:
        persistent._fingerprints.pop("versions")
        if versions is not None:
            persistent._fingerprints["versions"] = versions


def test_nothing_is_written_when_the_cache_is_off(tmp_path):
    persistent.disable_disk_cache()
    x, w = args()
    sg.grad(load(tmp_path).f, wrt=1)(x, w)
    assert not list(tmp_path.rglob("*.json"))


def test_a_new_process_skips_generation(tmp_path):
    """The real use: two processes, the second one loads what the first generated."""
    load(tmp_path)     # writes the module file
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np
        import s2sgrad as sg
        from s2sgrad import persistent
        import persisted_module as m
        rng = np.random.default_rng(0)
        x, w = rng.normal(size=(2, 3)), 0.3 * rng.normal(size=(3, 2))
        g = sg.grad(m.f, wrt=1)(x, w)
        print(persistent.stats["hits"], persistent.stats["writes"], repr(g.sum()))
    """)
    env = dict(os.environ, S2SGRAD_CACHE_DIR=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][:2] == ["0", "2"]       # first process: generated and wrote both
    assert runs[1][:2] == ["2", "0"]       # second: read both, generated nothing
    assert runs[0][2] == runs[1][2]


def test_threads_sharing_the_disk_cache(disk):
    """Eight threads ask for the same derivatives at once, with the disk cache on: one entry
    per derivative, every result right."""
    from concurrent.futures import ThreadPoolExecutor

    x, w = args()
    module = load(disk)
    expected = sg.grad(load(disk, name="reference_module").f, wrt=1)(x, w)
    CACHE.clear()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: sg.grad(module.f, wrt=1)(x, w), range(16)))
    for found in results:
        np.testing.assert_allclose(found, expected)
    names = [p.name for p in entries(disk)]
    assert len(names) == len(set(names)) == 4     # two modules x (f's gradient, inner's vjp)
    assert not list((disk / "cache").rglob(".tmp-*"))   # no half-written files left
