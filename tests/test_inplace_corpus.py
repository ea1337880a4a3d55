"""Reverse mode through in-place updates: every program of tests/programs/inplace_updates.py
(element, slice, mask and augmented writes, `x op= y` on arrays with and without aliases, writes
into the parameter, writes in loops and branches), on float64 arrays of several shapes and, where
the program has branches or data-dependent loops, inputs taking different paths; the checks are
described in tests/corpus.py.

The last section tests the semantics directly: the value seen through an alias (`z = y; y += w`),
the located refusal of a write while a view of the array is still read, and the shape of the
generated code (the saved copy of the overwritten part and its restore).
"""

import inspect

import numpy as np
import pytest

import corpus
import s2sgrad as sg
from programs import inplace_updates as ip

# ---- shared inputs ---------------------------------------------------------------------------

x1 = np.array([0.7])
x3 = np.array([1.0, -2.0, 0.5])
x5 = np.array([0.3, 1.5, -0.2, 2.0, 1.1])
x6 = np.array([0.5, -1.0, 1.5, 0.2, -0.7, 2.0])
v2 = np.array([0.4, -1.1])
v3 = np.array([0.6, -0.4, 1.1])
v4 = np.array([0.2, -0.5, 0.9, 1.3])
w3 = np.array([0.3, -0.6, 1.1])
pos3 = np.array([2.0, 0.5, 3.0])
pos5 = np.array([1.3, 0.4, 2.2, 0.9, 5.0])
A22 = np.array([[0.8, -0.3],
                [0.5, 1.2]])
A33 = np.array([[0.9, 0.2, -0.4],
                [0.3, -0.7, 0.5],
                [-0.6, 0.1, 1.1]])
X13 = np.array([[0.4, -0.9, 1.3]])
X23 = np.array([[0.5, -1.0, 0.3],
                [1.2, 0.4, -0.7]])
Y23 = np.array([[0.1, 0.2, -0.3],
                [0.9, -0.5, 0.0]])
X32 = np.array([[1.0, 0.3],
                [-0.5, 0.8],
                [0.2, -0.6]])
W32 = np.array([[0.4, -0.2],
                [0.7, 0.5],
                [-0.3, 0.9]])
X42 = np.array([[0.3, -0.1],
                [1.0, 0.2],
                [-0.5, 0.4],
                [0.6, 0.6]])
X43 = np.array([[0.1, 0.2, 0.35],
                [0.5, -0.6, 0.7],
                [1.0, 0.05, -1.2],
                [-0.3, 0.8, 0.45]])
L22 = np.array([[1.5, 0.0],
                [0.4, 0.8]])
L33 = np.array([[1.2, 0.0, 0.0],
                [-0.5, 0.9, 0.0],
                [0.3, 0.7, 1.6]])
SPD22 = np.array([[2.0, 0.5],
                  [0.5, 1.0]])
SPD33 = np.array([[4.0, 1.0, 0.5],
                  [1.0, 3.0, -0.4],
                  [0.5, -0.4, 2.0]])
DOM33 = np.array([[4.0, 1.0, -0.5],
                  [0.8, 3.5, 0.6],
                  [-0.3, 0.9, 5.0]])
DOM22 = np.array([[3.0, 0.7],
                  [-0.4, 2.5]])
b2 = np.array([1.0, -0.5])
b3 = np.array([0.7, -1.2, 2.0])
C33 = np.array([[1.0, 0.5, 2.0],
                [0.3, 2.5, 0.4],
                [1.7, 0.2, 0.6]])
C24 = np.array([[0.2, 1.1, 0.4, 0.9],
                [0.8, 0.3, 1.5, 0.1]])
T232 = np.array([[[0.3, -0.8], [1.1, 0.4], [-0.5, 0.9]],
                 [[0.7, 0.2], [-1.3, 0.6], [0.1, -0.4]]])
T322 = np.array([[[0.5, 1.2], [-0.7, 0.3]],
                 [[0.9, -0.2], [0.4, 0.8]],
                 [[-1.1, 0.6], [0.2, -0.5]]])

# ---- the table: (program, [input sets], wrt) --------------------------------------------------
# wrt: an argument position, a tuple of positions, or None for every float argument (the
# default of sg.check_grads). Comments say which paths the input sets take.

CASES = [
    # ---- element and slice writes into a copy ----------------------------------------------
    (ip.copy_then_element_writes, [(x3,), (x5,)], 0),
    (ip.negative_index_writes, [(x3,), (x5,), (v2,)], 0),
    (ip.zero_out_prefix, [(x5, 2), (x3, 0), (x3, 3)], 0),
    (ip.strided_write, [(x3,), (x5,), (x6,)], 0),
    (ip.slice_augmented_subtract, [(x3, v3), (x5, v2)], None),
    (ip.element_multiply_then_add, [(x3,), (x5,)], 0),
    (ip.matrix_element_writes, [(A22,), (A33,)], 0),
    (ip.column_write, [(X23, v2), (X42, v4)], None),
    (ip.row_write, [(X23, v3), (X42, v2)], None),
    # entries at least 0.1 from the threshold and from 0.
    (ip.masked_writes, [(x3, 0.7), (x5, 1.0), (x6, -0.3)], None),
    (ip.swap_entries_with_explicit_copy, [(x3,), (x5,)], 0),
    (ip.swap_rows, [(X23,), (X43,)], 0),
    (ip.zero_diagonal_block, [(A33,), (X43,)], 0),
    (ip.piecewise_from_index_flag, [(x3, 0), (x3, 1), (x5, 2)], 0),
    (ip.reversed_strided_write, [(x3,), (x6,)], 0),
    (ip.shift_right_overlapping, [(x3,), (x5,)], 0),
    (ip.scalar_broadcast_into_blocks, [(X23, 0.7), (X43, -1.2)], None),
    # the loop runs over 2 and 3 matrices.
    (ip.tensor_fiber_writes, [(T232,), (T322,)], 0),
    (ip.tuple_and_integer_array_indices, [(A22,), (X23,)], 0),
    (ip.ellipsis_and_power_updates, [(x3,), (x5,)], 0),
    (ip.write_same_row_twice, [(X23,), (A33,)], 0),

    # ---- writes into the parameter ---------------------------------------------------------
    (ip.write_into_parameter, [(x3,), (x5,)], 0),
    # Only the written parameter is differentiated: corpus.central_difference_gradient moves
    # one argument at a time and passes the others as they are, which a write would change.
    (ip.parameter_rows_rescaled, [(X23, 0.7), (X43, -1.2)], 0),
    (ip.smooth_parameter_in_loop, [(x1,), (x3,), (x6,)], 0),
    (ip.write_parameter_through_alias, [(x3,), (x5,)], 0),

    # ---- whole-array augmented assignments -------------------------------------------------
    (ip.augmented_without_alias, [(x3, w3), (X23, Y23), (x5, 0.4)], None),
    # Writes into its first parameter: differentiated w.r.t. it only (see above).
    (ip.aliased_parameter_add, [(x3, w3), (X23, Y23), (x5, -0.3)], 0),
    (ip.aliased_copy_multiply_subtract, [(x3, w3), (X23, Y23)], None),
    (ip.alias_sees_element_write, [(x3,), (x5,)], 0),
    # no step, 5 steps, 3 steps.
    (ip.aliased_accumulation_in_loop, [(x3, w3, 0), (x3, w3, 5), (X23, Y23, 3)], (0, 1)),
    # a call of the user's function may return its argument itself, or a new array: asked
    # at run time (`y_is_z = same_object(y, z)`)
    (ip.write_through_a_returned_argument, [(x3,), (x5,)], 0),
    (ip.augment_through_a_returned_argument, [(x3, w3), (X23, Y23)], None),
    (ip.write_into_a_new_array_a_call_returned, [(x3,), (x5,)], 0),
    (ip.scalar_augmented_then_write, [(x3,), (x5,)], 0),
    # `a += 1.0` rebinds a number and writes into an array: b sees the change only then.
    (ip.number_or_array_augmented, [(0.5,), (x3,), (X23,)], 0),
    (ip.alias_write_in_one_branch, [(x3, True), (x3, False), (x5, False)], 0),
    (ip.gradient_descent_inplace_weights, [(X23, b2, w3, 0), (X23, b2, w3, 5),
                                           (X43, v4, w3, 3)], None),

    # ---- element-by-element outputs, cumulative sums, stencils -----------------------------
    (ip.build_output_elementwise, [(x1,), (x3,), (x6,)], 0),
    (ip.inplace_cumulative_sum, [(x1,), (x3,), (x6,)], 0),
    (ip.inplace_cumulative_product, [(x3,), (x5,)], 0),
    (ip.exponential_moving_average, [(x1, 0.5), (x3, 0.3), (x6, 0.8)], None),
    (ip.laplacian_stencil_energy, [(v2,), (x3,), (x6,)], 0),
    (ip.heat_equation_explicit, [(x5, 0), (x5, 3), (x6, 10)], 0),
    # the loop over inner rows runs 0, 1 and 2 times.
    (ip.central_gradient_2d, [(X23,), (A33,), (X43,)], 0),
    (ip.pairwise_rbf_kernel_sum, [(X13,), (X23,), (X43,)], 0),
    (ip.perturbed_copies_in_loop, [(x1,), (x3,), (x5,)], 0),
    (ip.recurrent_hidden_states, [(X13, 0.5 * A33), (X43, 0.5 * A33), (X42, A22)], None),

    # ---- matrix rows and columns -----------------------------------------------------------
    (ip.normalize_rows_inplace, [(X13, w3), (X23, w3), (X43, w3)], None),
    (ip.normalize_columns_divide_assign, [(X42,), (X43,)], 0),
    (ip.center_columns_then_scale_rows, [(X23,), (X43,)], 0),
    (ip.gram_schmidt_projection, [(X32, W32), (A33, X43[:3])], None),
    (ip.forward_substitution, [(L22, b2), (L33, b3)], None),
    (ip.cholesky_log_determinant, [(SPD22,), (SPD33,)], 0),
    (ip.gauss_seidel_solve, [(DOM33, b3, 1), (DOM33, b3, 6), (DOM22, b2, 3)], (0, 1)),
    (ip.jacobi_solve, [(DOM33, b3, 1), (DOM33, b3, 8), (DOM22, b2, 2)], (0, 1)),
    (ip.lu_elimination_energy, [(DOM22,), (DOM33,), (SPD33,)], 0),
    (ip.power_iteration_rayleigh, [(SPD33, 1), (SPD33, 8), (SPD22, 4)], 0),
    (ip.thomas_tridiagonal_solve, [(np.array([0.0, 0.5, -0.3]), np.array([3.0, 2.5, 4.0]),
                                    np.array([0.7, -0.4, 0.0]), b3),
                                   (np.array([0.0, 0.2, 0.6, -0.8]),
                                    np.array([2.0, 3.0, 2.5, 3.5]),
                                    np.array([0.5, -0.9, 0.3, 0.0]), v4)], None),

    # ---- time integration into a trajectory array ------------------------------------------
    (ip.euler_decay_trajectory, [(x3, 0.5, 0), (x3, 0.5, 4), (x5, 1.2, 10)], (0, 1)),
    (ip.euler_oscillator_inplace_state, [(1.0, 0.3, 2.0, 5), (0.5, -0.3, 1.3, 20),
                                         (0.2, 0.1, 1.0, 0)], None),
    (ip.heun_logistic_trajectory, [(0.1, 1.5, 10), (0.5, 0.8, 1)], None),

    # ---- dynamic programming tables --------------------------------------------------------
    (ip.soft_dtw, [(x3, v3, 1.0), (x5, v2, 0.5), (x1, v4, 2.0)], None),
    (ip.soft_dtw_logsumexp_stable, [(x3, v3, 1.0), (x5, v2, 0.5), (x1, v4, 2.0)], None),
    # different cells come from above and from the left.
    (ip.min_cost_path_table, [(C33,), (C24,), (C24.T,)], 0),
    (ip.discounted_value_table, [(x1, 0.9), (x3, 0.9), (x6, 0.5)], None),

    # ---- writes under branches, break, continue and while ----------------------------------
    # mixed branches, only `else`, only `if`.
    (ip.conditional_clamp_writes, [(x3, 0.0), (x3, -5.0), (x3, 5.0)], None),
    # running sums of squares of x6: 0.25, 1.25, 3.5, 3.54, 4.03, 8.03.
    (ip.write_until_budget_then_break, [(x6, 1.0), (x6, 3.52), (x6, 100.0)], None),
    (ip.sqrt_of_positive_entries_continue, [(x3,), (x6,), (pos3,)], 0),
    # sums of squares while halving x3: 5.25, 4.5, 1.5, 1.31, 1.13, 0.375, 0.328, 0.281, ...
    (ip.halve_entries_while_large, [(x3, 10.0), (x3, 2.0), (x3, 0.3), (x3, 1e-30)], 0),
    (ip.running_maximum_table, [(x1,), (x3,), (x6,), (np.array([3.0, 2.0, 1.0]),)], 0),
    (ip.bubble_sort_pass, [(x3,), (x6,), (np.array([0.1, 0.2, 0.3]),)], 0),
    (ip.row_or_column_update_by_sign, [(X23,), (-X23,)], 0),
    # row sums of X43: 0.65, 0.6, -0.15, 0.95 (row 2 skipped); running sums of tanh of the
    # others: 0.63, 1.16, 1.96.
    (ip.skip_rows_and_stop_early, [(X43, 0.5), (X43, 1.0), (X43, 10.0)], 0),
    (ip.newton_iteration_per_entry, [(pos3, 0), (pos3, 3), (pos5, 6)], 0),
    (ip.square_or_negate_entries, [(x3,), (pos3,), (-pos3,)], 0),
    # no break, a break at the third entry, a break at once.
    (ip.square_prefix_while_small, [(np.array([0.2, 0.5]),), (np.array([0.5, -0.3, 2.0, 0.4]),),
                                    (np.array([1.5, 0.2]),)], 0),
    # running sums of squares of X23's rows: 0.25, 1.25, 1.34 and 1.44, 1.60, 2.09.
    (ip.partial_row_energies_inner_break, [(X23, 0.1), (X23, 1.0), (X23, 1.5), (X23, 10.0)],
     None),
    (ip.fold_negatives_while_continue, [(x3,), (pos3,), (-x6,)], 0),
    # y = [-4, -2, 0.5] from x3 (sum -5.5): the early return, or not.
    (ip.early_return_after_write, [(x3, -10.0), (x3, 0.0), (x5, 1.0)], None),

    # ---- array-valued results --------------------------------------------------------------
    (ip.first_differences_inplace, [(x3,), (x6,)], 0),
    (ip.softmax_rows_inplace, [(X13,), (X23,), (X43,)], 0),
    (ip.damped_trajectory_array, [(x3, 0.5), (x5, 1.7)], None),
    (ip.masked_relu_then_scale, [(x3, 0.7), (x5, -1.3)], None),
]

# Programs without branches or loops whose trip count depends on the inputs: every input set
# takes the same path (the other programs must take at least two).
SINGLE_PATH = {
    ip.copy_then_element_writes, ip.negative_index_writes, ip.zero_out_prefix, ip.strided_write,
    ip.slice_augmented_subtract, ip.element_multiply_then_add, ip.matrix_element_writes,
    ip.column_write, ip.row_write, ip.masked_writes, ip.swap_entries_with_explicit_copy,
    ip.swap_rows, ip.zero_diagonal_block, ip.write_into_parameter, ip.parameter_rows_rescaled,
    ip.augmented_without_alias, ip.aliased_parameter_add, ip.aliased_copy_multiply_subtract,
    ip.write_through_a_returned_argument, ip.augment_through_a_returned_argument,
    ip.write_into_a_new_array_a_call_returned,
    ip.alias_sees_element_write, ip.scalar_augmented_then_write, ip.first_differences_inplace,
    ip.masked_relu_then_scale, ip.damped_trajectory_array,
    ip.reversed_strided_write, ip.shift_right_overlapping, ip.scalar_broadcast_into_blocks,
    ip.tuple_and_integer_array_indices, ip.ellipsis_and_power_updates, ip.write_same_row_twice,
    ip.write_parameter_through_alias, ip.number_or_array_augmented,
}


# ---- the corpus tests (see tests/corpus.py) --------------------------------------------------

# Every program's second and third derivatives are checked. Where the first-order code writes into
# an array another name may or may not be (`z = y` before a loop doing `y += ...`), the generated
# code asks at run time: `z_is_y = same_object(z, y)`. Forward over reverse over forward of such a
# program was refused until forward mode let through writes into arrays the code's stacks may
# hold: its tangent code pushes and pops the tangents as the code does the arrays.
FIRST_ORDER_ONLY: dict = {}
SECOND_ORDER_ONLY: dict = {}

globals().update(corpus.corpus_tests(ip, CASES, at_least=40, single_path=SINGLE_PATH,
                                     first_order_only=FIRST_ORDER_ONLY,
                                     second_order_only=SECOND_ORDER_ONLY))


# ---- the semantics, tested directly ------------------------------------------------------------


def _written_after_push(x):
    hist = []
    y = x * 1.0
    hist.append(y)
    y[0] = 5.0 * x[1]                 # `hist` holds `y`: the write shows through it
    old = hist.pop()
    return np.sum(old * x)


def test_forward_mode_writes_into_an_array_a_stack_holds():
    # the tangent code pushes `dy` where the code pushes `y`, so the tangent written into is
    # the one the stack holds; reverse mode, whose adjoints do not follow the stack, refuses
    x, v = np.array([0.3, -0.7, 1.1]), np.array([0.2, 0.5, -1.0])
    value, tangent = sg.jvp(_written_after_push, (x.copy(),), (v,))
    eps = 1e-6
    numeric = (_written_after_push(x + eps * v) - _written_after_push(x - eps * v)) / (2 * eps)
    assert value == _written_after_push(x.copy())
    assert tangent == pytest.approx(numeric, rel=1e-6)
    with pytest.raises(sg.UnsupportedSyntaxError, match="while `hist` may share its memory"):
        sg.grad(_written_after_push)(x.copy())



def _alias_then_add(y, w):
    z = y
    y += w
    return np.sum(z * np.sin(z)) + np.sum(w ** 2)


def test_value_and_grad_sees_the_update_through_an_alias():
    y = np.array([0.4, -1.3, 0.8])
    w = np.array([0.5, 0.2, -0.9])
    expected = _alias_then_add(y.copy(), w.copy())
    # z is y itself: the sum is over y + w, not over the y passed in.
    assert expected == pytest.approx(np.sum((y + w) * np.sin(y + w)) + np.sum(w ** 2))
    call_y, call_w = y.copy(), w.copy()
    value, (dy, dw) = sg.value_and_grad(_alias_then_add, wrt=(0, 1))(call_y, call_w)
    assert value == expected
    np.testing.assert_array_equal(call_y, y)     # the argument is restored
    eps = 1e-6
    for k in range(3):
        step = np.zeros(3)
        step[k] = eps
        # fresh arrays at every call: the program writes into its first argument
        fd_y = (_alias_then_add(y + step, w.copy())
                - _alias_then_add(y - step, w.copy())) / (2 * eps)
        fd_w = (_alias_then_add(y.copy(), w + step)
                - _alias_then_add(y.copy(), w - step)) / (2 * eps)
        assert dy[k] == pytest.approx(fd_y, rel=1e-6, abs=1e-8)
        assert dw[k] == pytest.approx(fd_w, rel=1e-6, abs=1e-8)
    s = y + w
    np.testing.assert_allclose(dy, np.sin(s) + s * np.cos(s), rtol=1e-12)
    np.testing.assert_allclose(dw, np.sin(s) + s * np.cos(s) + 2.0 * w, rtol=1e-12)


def _alias_of_a_number_then_add(x, w, steps):
    y = x * 1.0
    z = y                       # a number: `y += w` below makes y a new array, z stays
    for t in range(steps):
        y += 0.1 * w * np.tanh(y)
    return np.sum(z ** 2) + np.sum(y)


def test_an_alias_is_asked_at_run_time_whether_it_is_still_the_array():
    w = np.array([0.5, -0.2, 0.9])
    for x in (0.3, np.float64(-0.4), np.array([0.3, -0.7, 1.2])):
        for steps in (0, 1, 3):
            sg.check_grads(_alias_of_a_number_then_add, (x, w, steps), wrt=(0, 1), order=2)
    # the generated code asks before the write, and its adjoint follows the answer
    source = sg.source(sg.grad(_alias_of_a_number_then_add, wrt=0))
    assert "z_is_y = same_object(z, y)" in source
    assert "if z_is_y:" in source
    # forward mode needs no answer: tangents share memory as their values do
    assert "same_object" not in sg.source(sg.pushforward(_alias_of_a_number_then_add, wrt=0))


def test_an_array_that_overlaps_the_written_one_is_refused_at_run_time():
    x = np.array([0.3, -0.7, 1.2, 0.4])
    w = np.array([0.5, -0.2, 0.9])
    steps = 2

    def run(first, second):
        return sg.grad(_writes_one_of_two_arrays, wrt=(0, 1))(first, second, w, steps)

    np.testing.assert_allclose(run(x[:3].copy(), x[1:].copy())[0],
                               _fd(lambda v: _writes_one_of_two_arrays(v, x[1:].copy(), w,
                                                                       steps), x[:3]),
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(sg.UnsupportedSyntaxError) as info:
        run(x[:3], x[1:])       # views of one array, overlapping: NumPy writes through both
    assert "shares part of its memory" in str(info.value)


def _first_of(arrays):
    return arrays[0]


def _tail_of(v):
    return v[1:]


def _write_into_what_a_call_picked(x):
    y = x * 1.0
    z = _first_of([y, x])       # z is y: the write changes y, not x
    z[0] = 5.0
    return np.sum(y * x)


def _write_into_a_view_a_call_returned(x):
    y = x * 1.0
    z = _tail_of(y)             # a view of y: NumPy changes y too
    z[0] = 5.0
    return np.sum(y * y)


def test_a_write_into_what_a_call_returned_reaches_the_array_passed_in():
    x = np.array([0.3, -0.7, 1.2])
    np.testing.assert_allclose(sg.grad(_write_into_what_a_call_picked)(x.copy()),
                               _fd(_write_into_what_a_call_picked, x), rtol=1e-6, atol=1e-8)
    assert "y_is_z = same_object(y, z)" in sg.source(sg.grad(_write_into_what_a_call_picked))
    with pytest.raises(sg.UnsupportedSyntaxError) as info:
        sg.grad(_write_into_a_view_a_call_returned)(x.copy())
    assert "shares part of its memory" in str(info.value)


def _writes_one_of_two_arrays(a, b, w, steps):
    y = a
    for t in range(steps):
        y += w * np.sin(y)
        if t == 0:
            y = b
    return np.sum(a ** 2) + np.sum(b ** 2)


def _fd(fn, x, eps=1e-6):
    out = np.zeros_like(x)
    for k in range(x.size):
        step = np.zeros_like(x)
        step[k] = eps
        out[k] = (fn(x + step) - fn(x - step)) / (2 * eps)
    return out


def _write_while_view_is_read(x):
    y = x * 2.0
    v = y[0]
    y[0, 1] = 5.0
    return np.sum(v) + np.sum(y)


def test_write_while_a_view_is_read_is_refused_with_its_location():
    with pytest.raises(sg.UnsupportedSyntaxError) as info:
        sg.grad(_write_while_view_is_read)(np.ones((2, 3)))
    message = str(info.value)
    lines, first = inspect.getsourcelines(_write_while_view_is_read)
    line = first + next(k for k, text in enumerate(lines) if "y[0, 1] = 5.0" in text)
    assert f"test_inplace_corpus.py:{line}:" in message
    assert "`v`" in message
    assert "y[0, 1] = 5.0" in message


def _overwrite_then_sum(x):
    y = x.copy()
    s = np.sum(np.sin(y))          # its adjoint reads y as it was before the writes
    y[1] = y[0] * 3.0
    y[2:] *= 2.0
    return np.sum(y ** 2) + s


def _overwrite_unread(x):
    y = x.copy()
    y[1] = y[0] * 3.0
    y[2:] *= 2.0
    return np.sum(y ** 2)


def _overwrite_in_loop(x):
    y = x.copy()
    for i in range(1, len(y)):
        y[i] = y[i - 1] * y[i]
    return np.sum(y)


def test_generated_code_saves_and_restores_the_overwritten_part():
    source = sg.grad(_overwrite_then_sum).source
    assert "copy_of(y[1])" in source
    assert "copy_of(y[2:])" in source
    saved = [line.split("=")[0].strip() for line in source.splitlines()
             if "= copy_of(y[" in line and "_old" in line.split("=")[0]]
    assert len(saved) == 2
    for name in saved:                                 # each saved part is written back
        assert any(line.strip().startswith("y[") and line.strip().endswith(f"= {name}")
                   for line in source.splitlines()), name
    assert "_stack" not in source                      # no loop: nothing is pushed
    x = np.array([0.5, -1.0, 2.0, 0.3])
    expected = np.array([2.0 * 0.5 + 2.0 * 3.0 * 1.5, 0.0, 8.0 * 2.0, 8.0 * 0.3]) + np.cos(x)
    np.testing.assert_allclose(sg.grad(_overwrite_then_sum)(x.copy()), expected, rtol=1e-12)


def test_generated_code_saves_nothing_no_adjoint_reads():
    # after the writes, the adjoints read y's shape only (`index_adjoint(g, y, i)`): nothing
    # is saved before a write, nothing written back
    source = sg.grad(_overwrite_unread).source
    assert "_old" not in source and "copy_of(y[1])" not in source
    x = np.array([0.5, -1.0, 2.0, 0.3])
    expected = np.array([2.0 * 0.5 + 2.0 * 3.0 * 1.5, 0.0, 8.0 * 2.0, 8.0 * 0.3])
    np.testing.assert_allclose(sg.grad(_overwrite_unread)(x.copy()), expected, rtol=1e-12)
    corpus.check_gradient_matches_central_differences(_overwrite_unread, (x,), 0)


def test_generated_code_in_a_loop_saves_each_overwritten_element_on_a_stack():
    source = sg.grad(_overwrite_in_loop).source
    assert "copy_of(y[i])" in source
    assert "_stack" in source
    x = np.array([0.5, -1.0, 2.0, 0.3])
    corpus.check_gradient_matches_central_differences(_overwrite_in_loop, (x,), 0)


# ---- arrays made anew in each iteration, written into, recorded -------------------------------
# The first derivative records such an array after its last write (its stack does not hold it
# while it is written into) and does not write the overwritten part back where no adjoint reads
# it (a view read as a copy holds none of it), so it differentiates again to any order. Where an
# adjoint does read the array as it was before the write, the write-back stays, and the second
# derivative is refused: the stack would hold the array written back into.


def _rows_reweighted_in_loop(X):
    total = 0.0
    for i in range(X.shape[0]):
        R = X * 1.0
        R[i] = R[i] * np.tanh(R[i])
        total = total + np.sum(np.sin(R) * R)
    return total


def _copies_read_before_their_write(x):
    total = 0.0
    for i in range(len(x)):
        y = x * 1.0
        s = np.sum(np.sin(y))          # its adjoint reads y as it was before the write
        y[i] = y[i] ** 2
        total = total + s * np.sum(np.cos(y))
    return total


@pytest.mark.parametrize("shape", [(1, 2), (3, 2), (4, 3)])
def test_arrays_made_anew_each_iteration_to_third_order(shape):
    X = np.random.default_rng(sum(shape)).standard_normal(shape)
    source = sg.grad(_rows_reweighted_in_loop).source
    assert "R_old" not in source                      # nothing written back
    sg.check_grads(_rows_reweighted_in_loop, (X,), order=2)
    sg.check_grads(_rows_reweighted_in_loop, (X,), order=3)


def test_an_array_read_as_it_was_before_its_write_is_written_back():
    x = np.random.default_rng(5).standard_normal(4)
    assert "y[i] = y_old" in sg.grad(_copies_read_before_their_write).source
    sg.check_grads(_copies_read_before_their_write, (x,))
    corpus.check_gradient_matches_central_differences(_copies_read_before_their_write, (x,), 0)
    # forward over reverse: the tangent code records the tangents as the first derivative
    # records the arrays, so the Hessian is right; reverse over reverse is still refused
    gradient = sg.grad(_copies_read_before_their_write)
    eps = 1e-6
    numeric = np.array([(gradient(x + eps * e) - gradient(x - eps * e)) / (2 * eps)
                        for e in np.eye(len(x))]).T
    np.testing.assert_allclose(sg.hessian(_copies_read_before_their_write)(x), numeric,
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(sg.UnsupportedSyntaxError, match="may share its memory"):
        sg.check_grads(_copies_read_before_their_write, (x,), order=2)


# ---- regressions: bugs found while writing this corpus ----------------------------------------


def _mask_of_the_written_array(x, s):
    y = x * s
    y[y < 0.0] = 0.0
    return np.sum(y)


def _mask_in_a_loop(x):
    y = x * 1.0
    for t in range(2):
        y[y > 1.0] *= 0.3
    return np.sum(y ** 2)


def _mask_on_the_argument(x):
    x[x < 0.0] = 0.0
    return np.sum(x * x)


def _index_array_changed_after_use(x):
    y = x * 1.0
    idx = np.array([0, 1])
    y[idx] = y[idx] * 3.0
    idx[0] = 2
    return np.sum(y ** 2) + np.sum(x[idx])


def _returns_the_written_array(x):
    y = x * 2.0
    y[0] = 5.0 * x[1]
    return y


def test_a_mask_computed_from_the_written_array_is_the_one_the_write_used():
    # the index is computed once, before the write (not again in the adjoint, after it)
    dx, ds = sg.grad(_mask_of_the_written_array, wrt=(0, 1))(np.array([1.0, -2.0, 0.5]), 0.7)
    np.testing.assert_allclose(dx, [0.7, 0.0, 0.7])
    assert ds == pytest.approx(1.5)
    x = np.array([0.5, 1.5, 4.0, 9.0])
    corpus.check_gradient_matches_central_differences(_mask_in_a_loop, (x,), 0)
    argument = np.array([1.0, -2.0, 0.5])
    sg.value_and_grad(_mask_on_the_argument)(argument)
    np.testing.assert_array_equal(argument, [1.0, -2.0, 0.5])   # restored for the caller


def test_an_index_array_written_after_its_use_is_restored_for_the_adjoint():
    x = np.array([1.0, -2.0, 0.5])
    sg.check_grads(_index_array_changed_after_use, (x,))
    corpus.check_gradient_matches_central_differences(_index_array_changed_after_use, (x,), 0)


def test_vjp_keeps_the_returned_array_when_the_adjoint_restores_it():
    value, vjp_fn = sg.vjp(_returns_the_written_array, np.array([1.0, -2.0, 0.5]))
    np.testing.assert_array_equal(value, [-10.0, -4.0, 1.0])
    (g,) = vjp_fn(np.ones(3))
    np.testing.assert_allclose(g, [0.0, 7.0, 2.0])
    np.testing.assert_array_equal(value, [-10.0, -4.0, 1.0])


def _perturbed_copies_each_summed(x):
    out = []
    for i in range(len(x)):
        y = x.copy()
        y[i] = y[i] * 2.0            # undone by the backward pass, in the recorded copy
        out.append(np.sum(np.sin(y)))
    return np.array(out)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_reverse_jacobian_of_writes_in_a_loop(n):
    # one forward pass serves every row; each backward pass gets the records as the forward
    # pass left them (before, the second row saw the first one's restored arrays)
    x = np.random.default_rng(n).standard_normal(n)
    reverse = sg.jacobian(_perturbed_copies_each_summed)(x)
    forward = sg.jacobian(_perturbed_copies_each_summed, mode="forward")(x)
    np.testing.assert_allclose(reverse, forward, rtol=1e-12, atol=1e-14)
    for k, row in enumerate(reverse):
        expected = corpus.central_difference_gradient(
            _perturbed_copies_each_summed, (x,), 0, 1e-6, np.eye(n)[k])
        np.testing.assert_allclose(row, expected, rtol=1e-6, atol=1e-8)


# ---- what a write must not change besides its array, at first and second order ---------------


def _shifted_then_written(x):
    a = x * x
    b = a + np.ones(3)            # the tangent of b is the tangent of a, broadcast (itself)
    a[0] = 2.0
    return np.sum(b ** 2)


def _transposed_shifted_then_written(x):
    a = x * x
    v = a.T                       # a view of a, unused after the write
    w = v + 1.0                   # a new array, whose tangent would be a view of a's
    a[0] = 2.0
    return np.sum(w ** 2)


def test_a_tangent_does_not_share_the_tangent_of_an_array_written_later():
    x = np.array([0.3, -0.5, 0.2])
    for f in (_shifted_then_written, _transposed_shifted_then_written):
        sg.check_grads(f, (x,), order=2)


def _write_into_view_of_result_whose_adjoint_reads_it(x, y):
    a = np.exp(x * np.ones((4, 2)))[-1]   # the adjoint of exp reads its result
    a[0] = y
    return np.sum(x ** 2) + np.sum(a)


def _write_after_reading_own_view(y):
    y = y * 1.0
    y[:, 0] -= np.mean(y.reshape(-1))     # the derivative reads the view's shape afterwards
    return np.sum(np.sin(y))


def _aliased_augments_then_writes(x, s):
    y = np.sin(x)
    a = y
    a *= x
    y[0] -= s * a[2]
    b = a
    b += 1.0
    return np.sum(a * y * b)


def _write_after_a_transpose_the_adjoint_reads(y, s):
    a = y * 1.0
    t = np.dot(a.T, y)                    # the adjoint of dot reads a.T, after the restore
    a[0, 1] = s
    return np.sum(a * a) + np.sum(t)


def test_second_order_through_straight_line_writes_into_views_and_aliases():
    sg.check_grads(_write_after_a_transpose_the_adjoint_reads,
                   (np.array([[0.5, 0.4], [-0.1, -0.6]]), -0.5), order=3)
    x = np.array([0.3, -0.5])
    sg.check_grads(_write_into_view_of_result_whose_adjoint_reads_it, (x, 0.7), order=3)
    sg.check_grads(_write_after_reading_own_view, (np.array([[0.3, -0.5], [0.2, 0.4]]),),
                   order=3)
    sg.check_grads(_aliased_augments_then_writes, (np.array([0.3, -0.5, 0.2]), 0.4), order=3)
