"""Reverse mode through calls and data structures: every program of
tests/programs/calls_and_data.py (calls within the module and into tests/programs/calls_helpers.py,
closures, functions passed as arguments, `*args` callees, methods of objects; tuples, lists and
dicts of differentiated values, unpacking, `append`, `np.stack`/`concatenate`/`vstack`/`hstack`,
container arguments); the checks are described in tests/corpus.py.

The harness perturbs float and float-array arguments only: programs taking lists, dicts, objects
or functions are listed with `wrt` restricted to their float arguments. The gradients with respect
to list, tuple and dict arguments (which the harness cannot perturb) are tested directly below,
entry by entry against central differences, with their structure; so is the generated source.
"""

import numpy as np
import pytest

import corpus
import s2sgrad as sg
from programs import calls_and_data as cd
from programs import calls_helpers as ch

# ---- shared inputs ---------------------------------------------------------------------------

x3 = np.array([1.0, -2.0, 0.5])
x5 = np.array([0.3, 1.5, -0.2, 2.0, 1.1])
x6 = np.array([0.5, -1.0, 1.5, 0.2, -0.7, 2.0])
v2 = np.array([0.4, -1.1])
v3 = np.array([0.6, -0.4, 1.1])
w3 = np.array([0.3, -0.6, 1.1])
w5 = np.array([0.2, -0.5, 0.9, 1.3, -0.1])
pos3 = np.array([2.0, 0.5, 3.0])
pos5 = np.array([1.3, 0.4, 2.2, 0.9, 5.0])
b2 = np.array([1.0, -0.5])
b3 = np.array([0.7, -1.2, 2.0])
A22 = np.array([[0.8, -0.3],
                [0.5, 1.2]])
A33 = np.array([[0.9, 0.2, -0.4],
                [0.3, -0.7, 0.5],
                [-0.6, 0.1, 1.1]])
X13 = np.array([[0.4, -0.9, 1.3]])
X23 = np.array([[0.5, -1.0, 0.3],
                [1.2, 0.4, -0.7]])
X32 = np.array([[1.0, 0.3],
                [-0.5, 0.8],
                [0.2, -0.6]])
X42 = np.array([[0.3, -0.1],
                [1.0, 0.2],
                [-0.5, 0.4],
                [0.6, 0.6]])
X43 = np.array([[0.1, 0.2, 0.35],
                [0.5, -0.6, 0.7],
                [1.0, 0.05, -1.2],
                [-0.3, 0.8, 0.45]])
Y22 = np.array([[0.1, -0.3],
                [0.7, 0.2]])
Y42 = np.array([[0.3, -0.1],
                [1.0, 0.2],
                [-0.5, 0.4],
                [0.0, 0.6]])
W32 = np.array([[0.4, -0.2],
                [0.7, 0.5],
                [-0.3, 0.9]])
W22 = np.array([[0.5, -0.6],
                [0.3, 0.8]])
U32 = np.array([[0.2, 0.5],
                [-0.4, 0.1],
                [0.6, -0.3]])
y2 = np.array([0.3, -0.4])
y4 = np.array([0.5, -0.2, 0.1, 0.9])

# ---- objects, functions and containers passed as arguments ---------------------------------

LINEAR_32 = ch.Linear(W32, b2)
LINEAR_33 = ch.Linear(A33 * 0.5, b3 * 0.2)
MLP_A = ch.MLP(ch.W1, ch.B1, ch.W2, ch.B2)
MLP_B = ch.MLP(ch.W1 * 0.5, -ch.B1, ch.W2 * 1.5, ch.B2 + 0.2)
POLY = ch.Polynomial([1.0, -0.5, 0.3])
POLY_CUBIC = ch.Polynomial([0.2, 0.0, -1.0, 0.5])
SCALER = ch.Scaler(2.0, 0.5)
SCALER_NO_OFFSET = ch.Scaler(-0.7)
RESIDUAL = ch.Residual(LINEAR_33)
STACK = ch.Stack([LINEAR_33, ch.Linear(W32, b2)])
STACK_ONE = ch.Stack([ch.Linear(W32 * 2.0, -b2)])
PARAMS = {"W1": ch.W1, "b1": ch.B1, "W2": ch.W2}
PARAMS_SMALL = {"W1": ch.W1 * 0.3, "b1": ch.B1 * 2.0, "W2": -ch.W2}
WS_1 = [A33 * 0.6]
WS_2 = [A33 * 0.6, W32]
PAIR = (W32, b2)

# ---- the table: (program, [input sets], wrt) --------------------------------------------------
# wrt: an argument position, a tuple of positions, or None for every float argument. Programs
# taking objects, functions, lists or dicts name their float arguments only.

CASES = [
    # ---- calls: plain functions, keyword and default arguments, several results ------------
    (cd.standardized_energy, [(x3, 0.5), (x5, -0.2)], None),
    (cd.layer_norm_loss, [(x3, 1.5), (x5, 0.7)], None),
    (cd.keyword_and_default_arguments, [(x3, w3), (x5, w5)], None),
    (cd.two_dense_layers, [(ch.W1, ch.B1, ch.W2, X23), (ch.W1 * 0.5, -ch.B1, ch.W2, X43)], None),
    # the three activations of _dense, and the two returns.
    (cd.dense_activation_by_name, [(X23, W32, "linear"), (X23, W32, "tanh"),
                                   (X43, W32, "softplus")], (0, 1)),
    (cd.calls_in_a_loop, [(x3, 0), (x3, 2), (x5, 4)], 0),
    (cd.call_chosen_by_mode, [(x3, "softplus"), (x3, "clip"), (x5, "smooth")], 0),
    # x3 . w3 = 2.05 > 0; x3 . -w3 < 0.
    (cd.call_in_branch_on_data, [(x3, w3), (x3, -w3)], None),
    # r = 1.28 and r = 0.5.
    (cd.polar_energy, [(1.0, 0.8), (0.3, 0.4)], None),
    (cd.polar_of_rows, [(X32,), (X42,), (X32[:1],)], 0),
    (cd.stats_in_a_loop, [(x3, 1), (x3, 3), (x5, 0)], 0),
    (cd.split_means, [(x5, 2), (x5, 3), (x6, 1)], 0),
    (cd.tuple_result_indexed, [(x3, w3), (x5, w5)], None),
    (cd.varargs_total, [(x3, w3, 0.5), (x5, w5, X23)], None),
    (cd.varargs_after_scale, [(x3, w3, 0.5), (x5, w5, -1.5)], None),
    (cd.loss_of_another_program, [(x3, 0.5, 1.5), (x5, -0.2, 0.7)], None),

    # ---- closures and functions passed as arguments ----------------------------------------
    (cd.closure_from_factory, [(x3, 0), (x3, 3), (x5, 1)], 0),
    (cd.closure_polynomial_residual, [(x3, w3), (x5, w5)], None),
    # a batch of rows, and one row.
    (cd.closure_affine_projection, [(X23, Y22), (x3, y2)], None),
    (cd.apply_twice_loss, [(np.tanh, x3), (np.sin, x5), (ch.cube, x3 * 0.5),
                           (ch.SCALE_BY_3, x3), (ch.halve_and_shift, x5), (cd.SHRINK, X23)], 1),
    (cd.apply_twice_known_functions, [(x3, 0.7), (x5, -1.2)], None),
    (cd.compose_given_functions, [(np.tanh, ch.cube, x3), (ch.BUMP, np.sin, x5),
                                  (ch.halve_and_shift, np.exp, X23)], 2),
    (cd.iterate_given_map, [(np.cos, x3, 3), (cd.SHRINK, x5, 0), (ch.halve_and_shift, x3, 2)],
     1),
    (cd.callee_iterates_given_map, [(ch.halve_and_shift, x3, 3), (np.tanh, x5, 1)], 1),
    (cd.map_over_functions_list, [([np.tanh, ch.cube], x3), ([ch.SCALE_BY_3], x5),
                                  ([ch.BUMP, np.sin, cd.SHRINK], X23)], 1),

    # ---- methods of objects ----------------------------------------------------------------
    (cd.linear_layer_loss, [(LINEAR_32, X23), (LINEAR_33, x3)], 1),
    (cd.mlp_regression_loss, [(MLP_A, X23, Y22), (MLP_B, X43, Y42)], (1, 2)),
    (cd.mlp_forward_method, [(MLP_A, X43), (MLP_B, x3)], 1),
    (cd.global_model_loss, [(X23, y2), (X43, y4)], None),
    (cd.polynomial_predict_loss, [(POLY, x3, w3), (POLY_CUBIC, x5, w5)], (1, 2)),
    (cd.scaler_transform_keywords, [(SCALER, pos3, 1.5), (SCALER_NO_OFFSET, pos5, 0.5)], (1, 2)),
    (cd.residual_blocks, [(RESIDUAL, x3, 0), (RESIDUAL, x3, 1), (RESIDUAL, X23, 3)], 1),
    (cd.stacked_layers, [(STACK, X23), (STACK_ONE, x3)], 1),
    (cd.ensemble_mean_prediction, [([LINEAR_32, MLP_A], X23), ([MLP_B], X43)], 1),
    (cd.layers_from_a_list, [([LINEAR_32], X23), ([LINEAR_33, LINEAR_32], x3)], 1),
    (cd.global_model_sequence, [(X23,), (X43,), (X13,)], 0),

    # ---- tuples, lists and unpacking -------------------------------------------------------
    (cd.tuple_pair_unpacked, [(x3, w3), (x5, 0.5)], None),
    (cd.first_and_rest, [(x3,), (X23,)], 0),
    (cd.init_and_last, [(x3, w3), (x5, w5)], None),
    (cd.rnn_states_stacked, [(W22, U32, X13), (W22, U32, X23), (A22, U32, X43)], None),
    (cd.rnn_states_summed, [(W22, U32, X13), (W22, U32, X43)], None),
    (cd.rnn_last_state_loss, [(W22, U32, X13, y2), (A22, U32, X43, b2)], None),
    (cd.iterate_appended_states, [(x3, 0), (x3, 3), (x5, 1)], 0),
    (cd.list_indexing_and_slices, [(x3, 1), (x3, 3), (x5, 4)], 0),
    # a window of 2 (dropping entries) and of 10 (never full).
    (cd.moving_average_window, [(x5, 2), (x5, 10), (x6, 1)], 0),
    (cd.pairs_in_a_list, [(x3, w3), (x5, w5)], None),
    # `seen = states`: what either name appends or pops, the other sees.
    (cd.two_names_of_one_list, [(x3,), (x5,), (0.7,)], 0),
    (cd.entry_replaced_through_other_name, [(x3, w3), (x5, w5)], None),
    (cd.list_of_lists_values, [(0.7, -1.3), (1.5, 0.4)], None),

    # ---- building arrays -------------------------------------------------------------------
    (cd.concatenate_features, [(x3, w3), (x5, v2)], None),
    (cd.vstack_and_hstack, [(x3, w3), (x5, w5)], None),
    (cd.array_from_scalars, [(0.7, -1.3), (1.5, 0.4)], None),
    (cd.matrix_from_scalars, [(0.7, -1.3), (1.5, 0.4)], None),
    (cd.concatenated_hidden_layers, [(x3, 0.5), (x5, -1.2)], None),

    # ---- dicts and container arguments -----------------------------------------------------
    (cd.dict_display_lookups, [(W32, b2, X23), (A33, b3, x3)], None),
    (cd.dict_params_argument, [(PARAMS, X23), (PARAMS_SMALL, X43)], 1),
    (cd.list_of_matrices_argument, [(WS_1, X23), (WS_2, x3)], 1),
    (cd.tuple_argument_unpacked, [(PAIR, X23), ((A33, b3), x3)], 1),
    (cd.list_display_to_callee, [(x3, w3), (x5, 0.5)], None),
    (cd.dict_display_to_callee, [(x3, w3), (W32, b2)], None),
    (cd.tuple_display_to_callee, [(x3, w3), (x5, 0.5)], None),
    (cd.weighted_terms_by_name, [(x3, w3), (x5, w5)], None),
    (cd.isinstance_dispatch, [({"scale": 2.0}, x3), ([1.5, 0.5], x3), ((1.5, w3), x3),
                              (0.7, x5)], 1),

    # ---- ints, strings, bools, ranges and attributes ---------------------------------------
    (cd.shapes_and_transposes, [(X23, A33), (X43, A33 * 2.0)], None),
    (cd.ints_strings_and_bools, [(x3, 0, "sum", False), (x3, 2, "squares", True),
                                 (x5, 3, "sum", True)], 0),
    (cd.strided_range_with_len, [(x6, 1), (x6, 2), (x5, 4)], 0),
    # 3 entries of x5 above 1.0, none above 10.
    (cd.masks_and_counts, [(x5, 1.0), (x5, 10.0)], 0),
]

# Programs without branches or loops whose trip count depends on the inputs (calls to callees
# that branch do not count: the harness follows the program's own frame).
SINGLE_PATH = {
    cd.standardized_energy, cd.layer_norm_loss, cd.keyword_and_default_arguments,
    cd.two_dense_layers, cd.rnn_states_summed, cd.split_means, cd.tuple_result_indexed, cd.varargs_total,
    cd.varargs_after_scale, cd.loss_of_another_program, cd.closure_polynomial_residual,
    cd.apply_twice_loss, cd.apply_twice_known_functions, cd.compose_given_functions,
    cd.linear_layer_loss, cd.mlp_regression_loss, cd.mlp_forward_method, cd.global_model_loss,
    cd.polynomial_predict_loss, cd.scaler_transform_keywords, cd.stacked_layers,
    cd.entry_replaced_through_other_name, cd.two_names_of_one_list, cd.tuple_pair_unpacked, cd.first_and_rest, cd.init_and_last, cd.pairs_in_a_list,
    cd.list_of_lists_values, cd.concatenate_features, cd.vstack_and_hstack,
    cd.array_from_scalars, cd.matrix_from_scalars, cd.concatenated_hidden_layers,
    cd.dict_display_lookups, cd.dict_params_argument, cd.tuple_argument_unpacked,
    cd.list_display_to_callee, cd.dict_display_to_callee, cd.tuple_display_to_callee,
    cd.weighted_terms_by_name, cd.shapes_and_transposes,
}


# ---- the corpus tests (see tests/corpus.py) --------------------------------------------------

# Every program's second and third derivatives are checked. `moving_average_window` was refused at
# second order until the memory analysis told a list from the lists that share its entries
# (`window[1:]` is a new list) and followed which names' lists the first derivative's record
# stacks may hold (a list pushed, then `window` bound to a new one, is not the list appended to
# next; one popped from a stack that never got the same list twice is no longer in it). Calls
# whose callee is known only at run time (an entry of a list of layers) are differentiated again
# like any call.
FIRST_ORDER_ONLY: dict = {}

globals().update(corpus.corpus_tests(cd, CASES, at_least=50, single_path=SINGLE_PATH,
                                     first_order_only=FIRST_ORDER_ONLY))


# ---- gradients with respect to lists, tuples and dicts, tested directly -----------------------
# The gradient of a container argument is a container of the same type and layout (a list stays
# a list, a tuple a tuple, a dict keeps its keys in order), entry by entry the gradient of each
# float or array entry; compared here with central differences of each entry.


def _leaves(value, path=()):
    """(path, entry) for every float or array entry of a nested list/tuple/dict."""
    if type(value) is dict:
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif type(value) in (list, tuple):
        for position, item in enumerate(value):
            yield from _leaves(item, path + (position,))
    else:
        yield path, value


def _replaced(value, path, new):
    """A copy of the nested container `value` with the entry at `path` replaced by `new`."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if type(value) is dict:
        out = dict(value)
        out[head] = _replaced(value[head], rest, new)
        return out
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return type(value)(items)


def _container_central_differences(fn, args, i, eps=1e-6):
    """{path: central-difference gradient} for every entry of the container argument i."""
    grads = {}
    for path, leaf in _leaves(args[i]):
        grad = np.zeros(np.shape(leaf))
        for index in np.ndindex(np.shape(leaf)):
            values = []
            for sign in (1.0, -1.0):
                if isinstance(leaf, float):
                    new = leaf + sign * eps
                else:
                    new = np.array(leaf, dtype=np.float64)
                    new[index] += sign * eps
                moved_args = corpus.fresh(args)
                moved_args[i] = _replaced(args[i], path, new)
                values.append(float(fn(*moved_args)))
            grad[index] = (values[0] - values[1]) / (2 * eps)
        grads[path] = grad
    return grads


def _assert_gradient_of_container(grad, primal, expected, path=()):
    assert type(grad) is type(primal), f"at {path}: {type(grad).__name__}, not {type(primal).__name__}"
    if type(primal) is dict:
        assert list(grad) == list(primal), f"at {path}: keys {list(grad)}"
        for key in primal:
            _assert_gradient_of_container(grad[key], primal[key], expected, path + (key,))
    elif type(primal) in (list, tuple):
        assert len(grad) == len(primal), f"at {path}: {len(grad)} entries"
        for position, item in enumerate(primal):
            _assert_gradient_of_container(grad[position], item, expected, path + (position,))
    else:
        assert np.shape(grad) == np.shape(primal), f"at {path}: shape {np.shape(grad)}"
        np.testing.assert_allclose(grad, expected[path], rtol=1e-5, atol=1e-6,
                                   err_msg=f"gradient entry {path}")


def _layers_of_pairs(layers, x):
    for w, b in layers:
        x = np.tanh(x @ w + b)
    return np.sum(x ** 2)


def _dict_of_lists(p, x):
    out = p["c"] * np.sum(x)
    for k in range(len(p["ws"])):
        out = out + np.sum(np.sin(p["ws"][k] * x)) * (k + 1.0)
    return out


CONTAINER_CASES = [
    pytest.param(cd.list_of_matrices_argument, (WS_1, X23), id="list-of-one-matrix"),
    pytest.param(cd.list_of_matrices_argument, (WS_2, x3), id="list-of-two-matrices"),
    pytest.param(cd.dict_params_argument, (PARAMS, X23), id="dict-of-parameters"),
    pytest.param(cd.dict_params_argument, (PARAMS_SMALL, X43), id="dict-of-small-parameters"),
    pytest.param(cd.tuple_argument_unpacked, (PAIR, X23), id="tuple-pair"),
    pytest.param(cd.tuple_argument_unpacked, ((A33, b3), x3), id="tuple-pair-square"),
    pytest.param(cd.isinstance_dispatch, ({"scale": 2.0}, x3), id="dict-of-a-float"),
    pytest.param(cd.isinstance_dispatch, ([1.5, 0.5], x3), id="list-of-floats"),
    pytest.param(cd.isinstance_dispatch, ((1.5, w3), x3), id="tuple-of-float-and-array"),
    pytest.param(_layers_of_pairs, ([(A33 * 0.5, b3), (W32, b2)], X23), id="list-of-tuples"),
    pytest.param(_dict_of_lists, ({"ws": [w3, v3 * 2.0], "c": 0.5}, x3), id="dict-of-list"),
]


@pytest.mark.parametrize("fn, args", CONTAINER_CASES)
def test_gradient_wrt_a_container_argument_has_its_structure(fn, args):
    call_args = corpus.fresh(args)
    grad = sg.grad(fn, wrt=0)(*call_args)
    _assert_gradient_of_container(grad, args[0], _container_central_differences(fn, args, 0))
    for (_, before), (_, after) in zip(_leaves(args[0]), _leaves(call_args[0])):
        np.testing.assert_array_equal(after, before)           # the argument is unchanged


@pytest.mark.parametrize("fn, args", CONTAINER_CASES)
def test_value_and_grad_wrt_a_container_and_an_array(fn, args):
    value, (g_container, g_x) = sg.value_and_grad(fn, wrt=(0, 1))(*corpus.fresh(args))
    assert value == fn(*corpus.fresh(args))
    _assert_gradient_of_container(g_container, args[0],
                                  _container_central_differences(fn, args, 0))
    np.testing.assert_allclose(g_x, corpus.central_difference_gradient(fn, args, 1),
                               rtol=1e-5, atol=1e-6)


def test_gradient_wrt_a_container_named_by_wrt():
    grad = sg.grad(cd.dict_params_argument, wrt="params")(PARAMS, X23)
    expected = sg.grad(cd.dict_params_argument, wrt=0)(PARAMS, X23)
    assert list(grad) == ["W1", "b1", "W2"]
    for key in grad:
        np.testing.assert_array_equal(grad[key], expected[key])


def test_vjp_with_a_list_primal():
    value, vjp_fn = sg.vjp(cd.list_of_matrices_argument, WS_2, x3)
    assert value == cd.list_of_matrices_argument(WS_2, x3)
    g_ws, g_x = vjp_fn(2.0)
    _assert_gradient_of_container(
        g_ws, WS_2, {path: 2.0 * g for path, g in _container_central_differences(
            cd.list_of_matrices_argument, (WS_2, x3), 0).items()})
    np.testing.assert_allclose(g_x, 2.0 * corpus.central_difference_gradient(
        cd.list_of_matrices_argument, (WS_2, x3), 1), rtol=1e-5, atol=1e-6)


def test_a_list_argument_of_one_length_then_another():
    # the derivative generated for a list argument serves lists of any length
    for ws, x in ((WS_1, X23), (WS_2, x3), ([A33 * 0.6, A33 * -0.4, W32], x3)):
        grad = sg.grad(cd.list_of_matrices_argument)(ws, x)
        _assert_gradient_of_container(grad, ws, _container_central_differences(
            cd.list_of_matrices_argument, (ws, x), 0))


# ---- the generated source, read directly --------------------------------------------------------


def _source_after_a_call(fn, args, wrt):
    derivative = sg.grad(fn, wrt=wrt)
    derivative(*corpus.fresh(args))
    text = derivative.source
    compile(text, "<generated>", "exec")        # every part is valid Python
    return text


def test_source_of_a_same_module_call_shows_the_callees_forward_and_backward():
    text = _source_after_a_call(cd.two_dense_layers, (ch.W1, ch.B1, ch.W2, X23), (0, 1, 2))
    assert "_dense_forward_1(x, W1, b1)" in text
    assert "_dense_forward(h, W2, activation='softplus')" in text
    assert "_dense_backward(_dense_record[0]" in text
    assert "_dense_backward_1(_dense_record_1[0]" in text
    # the callee's own passes follow, once per set of differentiated parameters
    assert text.count("# ---- called above: _dense ") == 2
    assert "def _dense_forward(x, w, b=0.0, activation='tanh'):" in text
    assert "def _dense_backward(" in text


def test_source_of_a_call_into_another_module_unpacks_its_two_results():
    text = _source_after_a_call(cd.standardized_energy, (x3, 0.5), 0)
    assert "(m, v), stats_record = stats_forward(x_plus_shift)" in text
    assert "stats_backward(stats_record[0]" in text
    assert "# ---- called above: stats " in text
    assert "def stats_forward(x):" in text


def test_source_of_a_call_of_an_object_passed_in_is_specialized_for_it():
    text = _source_after_a_call(cd.mlp_regression_loss, (MLP_A, X23, Y22), (1, 2))
    assert "model_x, MLP_call_record = MLP_call_forward(model, x)" in text
    assert "MLP_call_backward(MLP_call_record[0], bmodel_x)" in text
    # the methods reached: MLP.__call__, MLP.forward (calling self.l1, self.l2), Linear.__call__
    assert "# ---- called above: MLP.__call__ " in text
    assert "# ---- called above: MLP.forward " in text
    assert "Linear_call_forward_1(self.l1, x)" in text
    assert "# ---- called above: Linear.__call__ " in text


def test_source_of_a_function_passed_as_an_argument():
    text = _source_after_a_call(cd.apply_twice_loss, (ch.cube, x3), 1)
    assert "apply_twice_forward(f, x)" in text
    assert "cube_forward(x)" in text                     # the inner call, f(x), resolved
    assert "cube_forward(f_x)" in text                   # the outer one, f(f(x))
    assert "# ---- called above: cube " in text


def test_source_of_a_call_with_star_args():
    text = _source_after_a_call(cd.varargs_total, (x3, w3, 0.5), (0, 1, 2))
    assert "total_forward_1(a, b_times_2, c)" in text
    assert "def total_forward(*xs):" in text
    assert "bc = total_grads_1[0][2]" in text


def test_source_of_a_list_built_in_a_loop_and_stacked():
    text = _source_after_a_call(cd.rnn_states_stacked, (W22, U32, X23), (0, 1))
    assert "hs.append(h)" in text
    assert "np.stack(hs)" in text
    assert "unstack(" in text
