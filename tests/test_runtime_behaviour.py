"""Loading and caching: generated code behaves like real source, is generated once, stays valid."""

import inspect
import textwrap
import linecache
import threading
import traceback
import types

import numpy as np
import pytest

import s2sgrad as sg
from s2sgrad.cache import CACHE


def _generated_function(derived):
    return derived.generated_functions()[0]


def cube_sum(x):
    return np.sum(x * x * x)


def test_inspect_getsource_and_linecache_show_the_generated_code():
    df = sg.grad(cube_sum)
    generated = _generated_function(df)
    text = inspect.getsource(generated)
    assert "def dcube_sum_dx" in text and "bx" in text
    linecache.checkcache()  # must not evict the entry: generated files do not exist on disk
    assert inspect.getsource(generated) == text
    assert textwrap.dedent(text).strip() in sg.source(generated)


def log_of(x):
    return np.sum(np.log(x))


def test_traceback_through_generated_code_shows_its_lines():
    df = sg.grad(log_of)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError) as excinfo:
            df(np.zeros(2))
    formatted = "".join(traceback.format_exception(excinfo.type, excinfo.value, excinfo.tb))
    assert "s2sgrad generated grad of log_of" in formatted
    assert "np.log(x)" in formatted or "/ x" in formatted


def test_pdb_can_list_generated_code():
    import pdb

    df = sg.grad(cube_sum)
    generated = _generated_function(df)
    code = generated.__code__
    lines = linecache.getlines(code.co_filename)
    assert lines and "def dcube_sum_dx" in lines[code.co_firstlineno - 1]
    debugger = pdb.Pdb()
    assert debugger.checkline(code.co_filename, code.co_firstlineno + 2) > 0


def test_derivative_is_generated_once_per_function_and_reused_by_new_wrappers():
    def f(x):
        return np.sum(np.sin(x))

    before = CACHE.generated
    for _ in range(5):
        sg.grad(f)(np.ones(2))
    assert CACHE.generated == before + 1
    sg.grad(f, wrt="x")(np.ones(2))  # same code object, same wrt: cached
    sg.value_and_grad(f)(np.ones(2))  # another kind: generated
    assert CACHE.generated == before + 2


def test_redefined_function_gets_a_fresh_derivative():
    results = []
    for scale in (2.0, 3.0):
        namespace = {"np": np}
        source = f"def f(x):\n    return np.sum({scale} * x * x)\n"
        filename = f"<test redefinition {scale}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        results.append(sg.grad(namespace["f"])(np.ones(2)))
    assert np.allclose(results[0], 4.0) and np.allclose(results[1], 6.0)


def uses_global_callee(x):
    return np.sum(activation(x))


activation = np.tanh


def test_rebinding_a_called_global_invalidates_the_derivative():
    global activation
    df = sg.grad(uses_global_callee)
    x = np.array([0.3, -0.2])
    try:
        activation = np.tanh
        assert np.allclose(df(x), 1 - np.tanh(x) ** 2)
        activation = np.sin
        assert np.allclose(df(x), np.cos(x))
    finally:
        activation = np.tanh


SCALE = 2.0


def uses_global_data(x):
    return np.sum(SCALE * x)


def test_global_data_is_read_live():
    global SCALE
    df = sg.grad(uses_global_data)
    before = CACHE.generated
    try:
        assert np.allclose(df(np.ones(2)), 2.0)
        SCALE = 5.0
        assert np.allclose(df(np.ones(2)), 5.0)
    finally:
        SCALE = 2.0
    assert CACHE.generated == before + 1  # data globals do not force regeneration


def test_closures_share_code_and_read_their_own_cells():
    def make(scale, fn):
        def f(x):
            return np.sum(fn(x) * scale)
        return f

    x = np.array([0.1, 0.7])
    before = CACHE.generated
    g2 = sg.grad(make(2.0, np.sin))(x)
    g3 = sg.grad(make(3.0, np.sin))(x)
    assert np.allclose(g2, 2.0 * np.cos(x)) and np.allclose(g3, 3.0 * np.cos(x))
    assert CACHE.generated == before + 1
    gexp = sg.grad(make(1.0, np.exp))(x)  # another callee in the cell: another derivative
    assert np.allclose(gexp, np.exp(x))
    assert CACHE.generated == before + 2


def test_registering_a_rule_invalidates_cached_derivatives():
    def my_fn(x):
        return 2.0 * x

    def f(x):
        return np.sum(my_fn(x))

    @sg.adjoint(my_fn)
    def rule_one(z, x):
        d[x] = 2.0 * d[z]  # noqa: F821

    df = sg.grad(f)
    assert np.allclose(df(np.ones(2)), 2.0)

    @sg.adjoint(my_fn)
    def rule_two(z, x):
        d[x] = 7.0 * d[z]  # noqa: F821

    assert np.allclose(df(np.ones(2)), 7.0)


def test_many_threads_generate_each_derivative_once():
    def f(x):
        return np.sum(np.cos(x) * x)

    before = CACHE.generated
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            results.append(sg.grad(f)(np.arange(3.0)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert CACHE.generated == before + 1
    expected = -np.sin(np.arange(3.0)) * np.arange(3.0) + np.cos(np.arange(3.0))
    assert all(np.allclose(r, expected) for r in results)


def test_linecache_entry_is_released_with_the_function():
    import gc

    namespace = {"np": np}
    source = "def temp(x):\n    return x * x\n"
    filename = "<test release>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    df = sg.grad(namespace["temp"])
    df(1.0)
    generated_file = _generated_function(df).__code__.co_filename
    assert generated_file in linecache.cache
    del df, namespace
    gc.collect()
    assert generated_file not in linecache.cache


def test_generated_code_runs_in_the_users_globals():
    df = sg.grad(cube_sum)
    generated = _generated_function(df)
    assert isinstance(generated, types.FunctionType)
    assert generated.__globals__ is cube_sum.__globals__
    assert generated.__module__ == __name__
