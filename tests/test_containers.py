"""Lists, tuples and dicts as arguments: gradients of the same structure, checked entry by entry
against central differences (and by s2sgrad's own dot-product test, which walks containers)."""

import numpy as np
import pytest

import s2sgrad as sg


def mlp(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def dict_of_lists(p, x):
    h = np.tanh(p["w"] * x + p["b"][0])
    return np.sum(h * p["b"][1])


def tuple_unpacked(pair, scale):
    first, *rest = pair
    return np.sum(first * scale) + np.sum(rest[0] ** 2)


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for key in value for leaf in _leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for entry in value for leaf in _leaves(entry)]
    return [value]


def _same_structure(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same_structure(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for p, q in zip(a, b):
            _same_structure(p, q)
    else:
        assert np.shape(a) == np.shape(b)


def _numeric(f, args, eps=1e-6):
    """Central differences w.r.t. every array leaf of args[0] (changed in place, then put back)."""
    grads = []
    for leaf in _leaves(args[0]):
        g = np.zeros(leaf.shape)
        for index in np.ndindex(leaf.shape):
            old = leaf[index]
            leaf[index] = old + eps
            hi = f(*args)
            leaf[index] = old - eps
            lo = f(*args)
            leaf[index] = old
            g[index] = (hi - lo) / (2 * eps)
        grads.append(g)
    return grads


def _cases():
    rng = np.random.default_rng(5)
    layers = [(rng.standard_normal((3, 4)), rng.standard_normal(4)),
              (rng.standard_normal((4, 2)), rng.standard_normal(2))]
    yield mlp, (layers, rng.standard_normal((5, 3)))
    yield mlp, (layers[:1], rng.standard_normal((2, 3)))
    p = {"w": rng.standard_normal(3), "b": [rng.standard_normal(3), rng.standard_normal(3)]}
    yield dict_of_lists, (p, rng.standard_normal(3))
    yield tuple_unpacked, ((rng.standard_normal(2), rng.standard_normal((2, 2))), 0.7)
    yield tuple_unpacked, ([rng.standard_normal(()), rng.standard_normal(3)], 1.3)


@pytest.mark.parametrize("f, args", list(_cases()))
def test_container_gradients_match_central_differences(f, args):
    grads = sg.grad(f)(*args)
    _same_structure(grads, args[0])
    for got, expected in zip(_leaves(grads), _numeric(f, args)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    sg.check_grads(f, list(args))


def test_the_container_variant_is_generated_once_and_shown_by_source():
    layers = [(np.eye(2), np.zeros(2))]
    df = sg.grad(mlp)
    df(layers, np.ones((1, 2)))
    df(layers, np.ones((1, 2)))
    assert len(df._variants) == 1
    assert "add_to_entry(bparams, W_index, bparams_W_index)" in df.source


# ---- regressions: programs that once gave wrong gradients or crashed --------------------------


def make_list(x):
    return [x, 2.0 * x]


def make_dict(x):
    return {"w": 2.0 * x}


def double(x):
    return 2.0 * x


def index_callee_list(x):
    hs = make_list(x)
    return np.sum(hs[1])


def iterate_callee_list(x):
    out = 0.0
    for h in make_list(x):
        out = out + np.sum(h)
    return out


def index_callee_dict(x):
    return np.sum(make_dict(x)["w"])


def two_uses_of_a_callee_list(x):
    hs = make_list(x)
    return np.sum(np.stack(hs)) + np.sum(sum(hs))


def star_unpack_call(x):
    first, *rest = make_list(x)
    return np.sum(rest[0])


def loop_over_dict_keys(x):
    d = {"a": x, "b": x * 2.0}
    out = 0.0
    for k in d:
        out = out + np.sum(d[k] ** 2)
    return out


def call_a_subscript(fs, x):
    return np.sum(fs[0](x))


def layer(h, pair):
    W, b = pair
    return np.tanh(h @ W + b)


def pairs_passed_to_a_callee(params, x):
    h = x
    for pair in params:
        h = layer(h, pair)
    return np.sum(h)


@pytest.mark.parametrize("f, expected", [
    (index_callee_list, [2.0, 2.0]), (iterate_callee_list, [3.0, 3.0]),
    (index_callee_dict, [2.0, 2.0]), (two_uses_of_a_callee_list, [6.0, 6.0]),
    (star_unpack_call, [2.0, 2.0]), (loop_over_dict_keys, [10.0, -20.0]),
])
def test_lists_and_dicts_from_callees_and_displays(f, expected):
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(sg.grad(f)(x), expected)
    sg.check_grads(f, [x])


def test_calling_an_entry_of_a_list_of_functions():
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(sg.grad(call_a_subscript, wrt=1)([double], x), [2.0, 2.0])


def test_an_entry_that_is_a_tuple_passed_to_a_callee():
    rng = np.random.default_rng(2)
    params = [(rng.standard_normal((2, 3)), rng.standard_normal(3)),
              (rng.standard_normal((3, 2)), rng.standard_normal(2))]
    x = rng.standard_normal((4, 2))
    grads = sg.grad(pairs_passed_to_a_callee)(params, x)
    _same_structure(grads, params)
    for got, expected in zip(_leaves(grads), _numeric(pairs_passed_to_a_callee, (params, x))):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def extend_a_list(x):
    hs = [x]
    hs.extend([x * 2.0, x * 3.0])
    return np.sum(hs[2])


def repeat_a_list(x):
    return np.sum(sum([x] * 3))


def concatenate_lists(x):
    hs = [x] + [x * 2.0]
    return np.sum(hs[1])


def add_a_dict_entry(x):
    d = {"a": x}
    d["b"] = x * 2.0
    return np.sum(d["a"] * d["b"])


@pytest.mark.parametrize("f, code, words", [
    (extend_a_list, "hs.extend([x * 2.0, x * 3.0])", "only `list.append` is supported"),
    (repeat_a_list, "[x] * 3", "concatenation or repetition"),
    (concatenate_lists, "[x] + [x * 2.0]", "concatenation or repetition"),
    (add_a_dict_entry, 'd["b"] = x * 2.0', "writing an entry of the dict `d`"),
])
def test_what_lists_and_dicts_cannot_do_is_refused_at_the_line(f, code, words):
    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(f)(np.array([1.0, -2.0]))
    message = str(excinfo.value)
    assert "test_containers.py:" in message and code in message and words in message


def _pieces(a, b):
    out = []
    out.append(a * 2.0)
    out.append(b * 3.0)
    return out, np.sum(a)


def _unpacks_a_list_returned_with_another_value(a, b):
    ts, n = _pieces(a, b)
    return np.sum(ts[0] * ts[0]) + np.sum(np.sin(ts[1])) + n


def test_a_list_built_by_append_and_returned_in_a_tuple_is_unpacked_as_a_list():
    # (a callee's `return out, total` where `out` is only ever assigned `[]`)
    rng = np.random.default_rng(7)
    sg.check_grads(_unpacks_a_list_returned_with_another_value,
                   [rng.standard_normal((2, 3)), rng.standard_normal(3)], wrt=[0, 1])


# ---- lists kept on a list used as a stack ---------------------------------------------------


def rebound_after_push(x):
    history = []
    window = [x]
    for i in range(3):
        history.append(window)
        window = window[1:]                         # a new list: `history` keeps the old one
        window.append(np.sin(x) * (i + 1.0))
    total = np.sum(window[-1])
    while len(history) > 0:
        old = history.pop()
        if len(old) > 0:
            total = total + np.sum(old[-1] * x)
    return total


def pushed_twice_then_changed(x):
    history = []
    window = [x]
    history.append(window)
    history.append(window)
    last = history.pop()
    last.append(x * 2.0)                            # `history` still holds this list
    first = history.pop()
    return np.sum(first[-1])


def nested_then_changed(x):
    history = []
    row = [x]
    history.append([row])
    row.append(x * 3.0)                             # `history` holds a list holding `row`
    got = history.pop()
    return np.sum(got[0][-1])


def test_a_list_appended_to_after_an_older_one_went_on_a_stack():
    # the analysis tells the list `window` is now from the one the stack keeps (it was refused
    # as "may share its memory"), and from the lists that only share its entries
    sg.check_grads(rebound_after_push, (np.array([0.3, -0.7, 1.1]),))
    sg.check_grads(rebound_after_push, (0.4,))


@pytest.mark.parametrize("f, code, other", [
    (pushed_twice_then_changed, "last.append(x * 2.0)", "history"),
    (nested_then_changed, "row.append(x * 3.0)", "history"),
])
def test_a_list_a_stack_may_still_hold_is_not_changed(f, code, other):
    # popped from a stack that got it twice, or held inside an entry of one: the change would
    # show through the stack, which s2sgrad does not differentiate
    with pytest.raises(sg.UnsupportedSyntaxError) as excinfo:
        sg.grad(f)(np.array([0.3, -0.7, 1.1]))
    message = str(excinfo.value)
    assert f"\n    {code}  " in message and f"while `{other}` may share its memory" in message
