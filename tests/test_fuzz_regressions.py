"""Compiler bugs found by the program fuzzer (fuzz/, issue 8), one minimal reproducer each.

While a bug is open its test is marked xfail(strict=True) with the error it shows, and a switch
in fuzz.generate.AVOID keeps the fuzzer away from the construct; the fix removes both. (Today none
is open.) The sections name the switch or the fuzz seed that found the bug.

The functions live at module level because s2sgrad reads their source.
"""

import numpy as np
import pytest

import s2sgrad as sg

X = np.array([0.3, -0.5, 0.2])
Y = np.array([0.7, 0.1, -0.4])


# ---- several_returns_in_loops --------------------------------------------------------------


def return_in_second_loop(y):
    for i in range(2):
        if y[0] > 5.0:          # never true
            return np.sum(y)
    for i in range(2):
        if y[0] < 5.0:          # true at once
            return np.sum(y * y)
    return 0.0


def test_return_in_second_loop():
    sg.check_grads(return_in_second_loop, [X], order=1)


# ---- return_in_loop_else -------------------------------------------------------------------


def return_in_loop_else(y):
    for i in range(2):
        y = y * 2.0
    else:
        return np.sum(y * y)
    return 0.0


def test_return_in_loop_else():
    sg.check_grads(return_in_loop_else, [X], order=1)


# ---- self_assignment -----------------------------------------------------------------------


def self_assignment_then_branch(y):
    y = y
    if y[0] > -10.0:            # always true
        y = y * 2.0
    return np.sum(y)


def self_assignment_in_loop(y, u):
    for i in range(2):
        y = y - np.sum(u)
        u = u
    return np.sum(y * y)


def test_self_assignment_then_branch():
    sg.check_grads(self_assignment_then_branch, [X], order=1)


def test_self_assignment_in_loop():
    sg.check_grads(self_assignment_in_loop, [X, Y], order=1)


# ---- dead_write_of_call_result -------------------------------------------------------------


def _half_sum(a):
    return 0.5 * np.sum(a)


def dead_element_write_of_call_result(x, y):
    a = x * 1.0
    m = np.mean(a)
    a[-1] = _half_sum(y)        # a is not read afterwards
    return m


def test_dead_element_write_of_call_result():
    sg.check_grads(dead_element_write_of_call_result, [X, Y], order=1)


def _copy(a):
    return a * 1.0


def dead_inplace_update_of_call_result(x):
    a = x * 1.0
    m = np.dot(x, a)
    for i in range(1):
        a *= m
    a *= _copy(a)               # a is not read afterwards
    return m


def test_dead_inplace_update_of_call_result():
    sg.check_grads(dead_inplace_update_of_call_result, [X], order=1)


# ---- rebind_to_call_after_block ------------------------------------------------------------


def rebind_to_call_after_branch(x, y):
    if x[0] > -10.0:            # always true
        y = y * 2.0
    y = _half_sum(x)
    return y


def test_rebind_to_call_after_branch():
    sg.check_grads(rebind_to_call_after_branch, [X, Y], order=2, modes=("rev",))


# ---- reassign_unpacked_call_results --------------------------------------------------------


def _two_multiples(a):
    return (2.0 * a, 3.0 * a)


def reassign_unpacked_call_results(y, s):
    a, b = _two_multiples(y)
    a = 0.5
    if s > -10.0:               # always true
        b = s  # noqa: F841  (the dead store is the point)
    return np.sum(y) * a


def test_reassign_unpacked_call_results():
    sg.check_grads(reassign_unpacked_call_results, [X, 0.3], order=1)


# ---- call_with_control_flow_in_branch ------------------------------------------------------


def _scaled_unless_large(a):
    b = 0.5 * a
    if a[0] > 10.0:             # never true
        b = 2.0 * a
    return b


def call_in_branch_to_helper_with_branch(x):
    if x[0] > -10.0:            # always true
        x = _scaled_unless_large(x)
    return x[-1]


def test_call_in_branch_to_helper_with_branch():
    sg.check_grads(call_in_branch_to_helper_with_branch, [X], order=2, modes=("rev",))


def _add_sum_unless_small(a, scale=0.45):
    if a[0] > -10.0:            # always true
        scale += np.sum(a)
    return scale


def call_after_early_return_to_helper_with_branch(x):
    if x[0] > 10.0:             # never true
        return np.sum(x)
    return _add_sum_unless_small(x)


def test_call_after_early_return_to_helper_with_branch():
    sg.check_grads(call_after_early_return_to_helper_with_branch, [X], order=2, modes=("rev",))


# ---- augmented_assignment_in_loop_else -------------------------------------------------------


def scalar_augmented_assignment_in_loop_else(x, s):
    for i in range(1, 2):
        pass
    else:
        s += np.sum(x)
    return s


def test_scalar_augmented_assignment_in_loop_else():
    sg.check_grads(scalar_augmented_assignment_in_loop_else, [X, 0.3], order=1)


def inplace_in_loop_else(x):
    for i in range(2):
        pass
    else:
        x *= 2.0
    return np.sum(x ** 2)


def element_write_in_loop_else(x, y):
    for i in range(2):
        pass
    else:
        x[0] += y[1]
    return np.sum(x ** 2)


def test_inplace_in_loop_else():
    sg.check_grads(inplace_in_loop_else, [X], order=1)


def test_element_write_in_loop_else():
    sg.check_grads(element_write_in_loop_else, [X, Y], order=1)


# ---- alias_after_inplace_write -------------------------------------------------------------


def alias_after_element_write(x, s):
    y = x * 1.0
    y[1] = s
    a = y
    return np.sum(a)


def test_alias_after_element_write():
    sg.check_grads(alias_after_element_write, [X, 0.3], order=1)


def alias_after_aliased_augment(x, y, u):
    z = x
    z += u
    w = z
    return np.sum(y * w) + np.dot(z, x)


def test_alias_after_aliased_augment():
    sg.check_grads(alias_after_aliased_augment, [X, Y, X + Y], order=1)


# ---- unpack_in_loop_else -------------------------------------------------------------------


def unpack_in_loop_else(x):
    for i in range(2):
        pass
    else:
        t = (0.5, x)
        a, b = t
    return np.sum(x)


def test_unpack_in_loop_else():
    sg.check_grads(unpack_in_loop_else, [X], order=1)


# ---- element_write_with_dict_argument ------------------------------------------------------


def element_write_with_dict_argument(y, params):
    a = y * 2.0
    a[-1] += 0.5
    return np.sum(a) + np.sum(params["w"])


def test_element_write_with_dict_argument():
    sg.check_grads(element_write_with_dict_argument, [X, {"w": Y}], order=2)


# ---- augmented_element_write_into_call_result -----------------------------------------------


def _scaled(a, scale=0.72):
    return scale * a


def augmented_element_write_into_call_result(y):
    a = _scaled(y)
    a[-1] += 0.5
    return np.sum(a * y)


def test_augmented_element_write_into_call_result():
    sg.check_grads(augmented_element_write_into_call_result, [X], order=2)


# ---- element_write_into_unpacked_call_result -----------------------------------------------


def _copy_and_double(a):
    return (a * 1.0, a * 2.0)


def element_write_into_unpacked_call_result(x):
    a, b = _copy_and_double(x)
    b[-1] = 0.5
    return np.sum(a * a)


def test_element_write_into_unpacked_call_result():
    sg.check_grads(element_write_into_unpacked_call_result, [X], order=1)


# ---- index_results_of_chained_calls --------------------------------------------------------


def _half_and_copy(a, b):
    return (0.5 * b, a * 1.0)


def index_results_of_chained_calls(x, y):
    w = _half_and_copy(y, x)[1]
    z = _half_and_copy(w, y)[1]
    return np.dot(y, z)


def test_index_results_of_chained_calls():
    sg.check_grads(index_results_of_chained_calls, [X, Y], order=2)


# ---- element_write_reading_own_view (a refusal the README does not document) ----------------


def element_write_reading_own_transpose(y):
    y = y * 1.0
    y[:, 0] -= np.mean(y.T)
    return np.sum(np.sin(y))


def test_element_write_reading_own_transpose():
    sg.check_grads(element_write_reading_own_transpose, [np.array([[0.3, -0.5], [0.2, 0.4]])],
                   order=2)


# ---- call_on_container_entry_in_branch -----------------------------------------------------


def _square(a):
    return a * a


def call_on_tuple_entry_in_branch(x):
    s = 0.5
    if x[0] < 10.0:             # always true
        t = (x, x)
        s = np.sum(_square(t[0]))
    return s


def test_call_on_tuple_entry_in_branch():
    sg.check_grads(call_on_tuple_entry_in_branch, [X], order=2)


# ---- rebind_or_update_call_result ----------------------------------------------------------


def _constant_pair(a):
    return (0.5, 0.5)


def augment_unpacked_constant_results_in_branch(x):
    a, b = _constant_pair(x)
    if x[0] > -10.0:            # always true
        a += 0.5
    return b + np.sum(x * x)


def test_augment_unpacked_constant_results_in_branch():
    sg.check_grads(augment_unpacked_constant_results_in_branch, [X], order=2)


# ---- element_write_after_aliased_augment (a refusal the README does not document) -----------


def element_write_after_aliased_augment(x, s):
    y = x * 1.0
    a = y
    a += 1.0
    y[0] += s
    return np.sum(a * a)


def test_element_write_after_aliased_augment():
    sg.check_grads(element_write_after_aliased_augment, [X, 0.4], order=2)


# ---- rebind_iterated_array_in_loop ---------------------------------------------------------


def rebind_iterated_array_in_loop(x):
    s = 0.0
    for e in x:                 # Python iterates over the original x
        x = x * 2.0
        s = s + e
    return s


def test_rebind_iterated_array_in_loop():
    value, _ = sg.value_and_grad(rebind_iterated_array_in_loop)(X.copy())
    assert value == pytest.approx(rebind_iterated_array_in_loop(X.copy()))


# ---- min_method_with_zip_loop --------------------------------------------------------------


def min_method_with_zip_loop(x, y):
    x = x + y.min()
    for a, b in zip(y, y):
        pass
    return np.sum(x)


def test_min_method_with_zip_loop():
    sg.check_grads(min_method_with_zip_loop, [X, Y], order=1)


def _second(a, b):
    return b


def rebind_inactive_call_result_in_loop(x):
    a = _second(x, 0.5)
    for i in range(2):
        a = a * 3.0
    return a + np.sum(x * x)


def test_rebind_inactive_call_result_in_loop():
    sg.check_grads(rebind_inactive_call_result_in_loop, [X], order=2)


# ---- index_tuple_result_of_helper_returning_in_loop ----------------------------------------


def _pair_from_loop(a, b):
    for i in range(2):
        if b > -10.0:           # always true
            return (a * 1.0, 0.5)
    return (a * 2.0, 0.7)


def index_tuple_result_of_helper_returning_in_loop(x):
    return np.sum(_pair_from_loop(x, 0.5)[0] ** 2)


def test_index_tuple_result_of_helper_returning_in_loop():
    sg.check_grads(index_tuple_result_of_helper_returning_in_loop, [X], order=2)


# ---- rebind_to_call_after_block (first-order symptom) --------------------------------------


def _constant(a, b):
    return 0.5


def rebind_to_call_after_loop_with_tuple(x, y):
    w = 0.5
    for i in range(2):
        w = w + 0.5
    t = (x, w)
    a = t[0]
    w = _constant(y, w)         # w is not read afterwards
    return np.sum(a * a)


def test_rebind_to_call_after_loop_with_tuple():
    sg.check_grads(rebind_to_call_after_loop_with_tuple, [X, Y], order=1)


# ---- conditional_append_of_value_from_same_list --------------------------------------------


def conditional_append_of_stacked_list(x):
    lst = [x, x]
    for i in range(2):
        if x[0, 0] > -10.0:     # always true
            lst.append(np.sum(np.stack(lst), axis=0))
    return np.sum(lst[-1])


def test_conditional_append_of_stacked_list():
    sg.check_grads(conditional_append_of_stacked_list, [np.array([[0.3, -0.5], [0.2, 0.1]])],
                   order=2)


# ---- write_array_into_itself ---------------------------------------------------------------


def write_array_into_itself(x):
    y = x * 1.0
    y[:] = y
    return np.sum(y * y)


def test_write_array_into_itself():
    sg.check_grads(write_array_into_itself, [X], order=1)


# ---- element_write_of_list_entry_in_loop ---------------------------------------------------


def element_write_of_list_entry_in_loop(y):
    lst = [np.mean(y)]
    for i in range(3):
        lst.append(0.2)
        if -0.07 < np.min(np.sum(y, axis=1)):   # true at the second step
            break
        y[:, 2] = lst[-1]
    return np.mean(y) ** 2


def test_element_write_of_list_entry_in_loop():
    y = np.array([[0.398136, -0.439676, -0.479952], [-1.40683, 1.178945, 0.469025],
                  [0.255362, 0.847103, -0.69072], [0.461888, -0.262702, -0.252959]])
    sg.check_grads(element_write_of_list_entry_in_loop, [y], order=2)


def _half(a, b, c):
    return 0.5


def update_aliased_inactive_call_result(y):
    a = _half(0.5, y, y)
    b = a
    a += y
    return a * b


def test_update_aliased_inactive_call_result():
    sg.check_grads(update_aliased_inactive_call_result, [0.7], order=2)


def dead_update_of_call_result_after_branch(x, u):
    z = u
    if x[0] > -10.0:            # always true
        z[1] += x[0]
    else:
        x += z
    x += _half(z, u, u)         # x is not read afterwards
    return np.sum(z * z)


def test_dead_update_of_call_result_after_branch():
    sg.check_grads(dead_update_of_call_result_after_branch, [Y, X], order=1)


# ---- element_write_after_adding_to_argument ------------------------------------------------


def element_write_after_adding_to_argument(x):
    a = x * x
    b = a + x
    a[0] = 2.0
    return np.sum(b ** 2)


def test_element_write_after_adding_to_argument():
    sg.check_grads(element_write_after_adding_to_argument, [X], order=2)


# ---- element_write_into_view_of_temporary (a refusal the README does not document) ----------


def element_write_into_view_of_temporary(x, y):
    a = (x * np.ones((4, 2)))[-1]
    a[0] = y
    return np.sum(x ** 2) + np.sum(a)


def test_element_write_into_view_of_temporary():
    sg.check_grads(element_write_into_view_of_temporary, [np.array([0.3, -0.5]), 0.7], order=2)


def return_in_loop_in_loop_else(x, n):
    for i in range(2):
        pass
    else:
        for j in range(2):
            if n % 2 == 0:
                return np.tanh(x[0])
    return np.sum(x)


def test_return_in_loop_in_loop_else():
    value, _ = sg.value_and_grad(return_in_loop_in_loop_else)(X.copy(), 2)
    assert value == pytest.approx(return_in_loop_in_loop_else(X.copy(), 2))


# ---- self_assignment_in_loop_else ----------------------------------------------------------


def self_assignment_in_loop_else(x, y):
    for i in range(2):
        pass
    else:
        x = x
    return np.sum(x * y)


def test_self_assignment_in_loop_else():
    sg.check_grads(self_assignment_in_loop_else, [X, Y], order=1)


# ---- augment_argument_through_alias ---------------------------------------------------------


def augment_argument_read_through_alias(x, y):
    a8 = np.sum(y[y > -0.31])
    a9 = y
    y += a8                     # in place: a9 sees it
    a19 = a9
    return np.sum(a19 * y)


def test_augment_argument_read_through_alias():
    # (the adjoint of the write dropped y's own adjoint: a parameter was taken for a name
    # bound after the write)
    sg.check_grads(augment_argument_read_through_alias,
                   [np.array([-1.116929, 0.748436]), np.array([-0.616796, -0.162496])], order=1)


# ---- a write into an argument later rebound by `y -= y` (fuzz seed 71289, no switch) ---------


def write_into_argument_then_return_before_its_augment(y, u):
    y[1, 0] *= u
    w = 0.5
    if w:
        return np.sum(y * y)
    y -= y                      # kept a rebinding: y's only assignment, after the write
    return w


def test_write_into_argument_then_return_before_its_augment():
    sg.check_grads(write_into_argument_then_return_before_its_augment,
                   [np.array([[0.5, 0.4], [-0.1, -0.6]]), -0.5], order=2)


# ---- augment_unpacked_scalar_beside_branch_name (fuzz seed 21351, no switch) ------------------


def augment_unpacked_scalar_beside_branch_name(x):
    a3, a4 = np.linspace(-0.93, 1.1, 2)
    a4 += x                     # a4 is bound twice in straight-line code, and keeps its name
    if 0.5:                     # because a3, bound with it, is also bound in a branch
        pass
    else:
        a3 = 0.5
    return a4 + 0.0 * a3


def test_augment_unpacked_scalar_beside_branch_name():
    # (`a4 = a4 + x` stayed one statement, whose adjoint added a4's adjoint to itself)
    sg.check_grads(augment_unpacked_scalar_beside_branch_name, [0.095044], order=2)


# ---- maximum bound to a name that holds other values (fuzz long run, seed 3204) -------------


def maximum_rebinding_a_parameter(x, s):
    a10 = s
    w11 = np.cos(a10)
    while w11 < 0.51:           # never runs
        s = w11 * 1.0
    s = np.max(x)               # not read again: but s, the parameter, was
    return w11


def test_maximum_rebinding_a_parameter():
    # (the shift-invariance analysis dropped the name s from the active names, parameter and all)
    sg.check_grads(maximum_rebinding_a_parameter, [np.array([0.841755, 1.879172]), 0.240313],
                   order=2)


# ---- a write into an argument in code copied after an early return (long run, seed 7541) ----


def write_into_argument_after_nested_return(x, y):
    if x[0] < 5.0:              # true: the code below is copied into both branches
        pass
    else:
        if y[0] > 0.0:
            return 0.5
    a9 = y                      # a9 is bound twice now: no longer "the same object" as y
    a9[0:1] = 0.5               # (nothing the adjoint reads: the caller's y must be restored)
    return np.sum(x * x)


def test_write_into_argument_after_nested_return():
    # (the adjoint's `a9[0:1] = a9_old` was dropped: the caller got y back changed)
    y = Y.copy()
    sg.value_and_grad(write_into_argument_after_nested_return, wrt=(0, 1))(X, y)
    np.testing.assert_array_equal(y, Y)
    sg.check_grads(write_into_argument_after_nested_return, [X, Y], order=2)


# ---- a reduction's broadcast adjoint read twice (long run, seed 7904) -------------------------


def square_of_broadcast_sum(x, y):
    a5 = (x * y[:2]) + np.transpose(0.5)     # (a tangent `broadcast_like(dv, a5)`)
    return np.sum(a5 * a5)


def test_square_of_broadcast_sum():
    # (forward-over-forward: `dda5 = broadcast_like(..., a5)` was fused into the first of its
    # two products and dropped, so the second read an undefined name)
    sg.check_grads(square_of_broadcast_sum,
                   [np.array([[1.4, 0.6], [-0.5, 0.9], [-0.3, -0.3]]), np.array([1.9, 0.8, -1.7])],
                   order=2)


# ---- a tuple of unsplit constant expressions returned (long run, seed 8387) ------------------


def constant_pair(a, scale=1.5):
    if a > 10.0:                # never: the other return's code is left unsplit
        return a * np.ones((3, 1)), a
    return scale * np.linspace(0.4, 0.6, 3).reshape(3, 1), scale * 2.0


def reduce_constant_part(x):
    c, d = constant_pair(x)
    return np.sum(np.sum(c, axis=1) * x) + d


def test_reduce_constant_part():
    # (forward mode: the tangent of the returned pair was `0.0, 0.0`, and np.sum(0.0, axis=1)
    # raised AxisError)
    sg.check_grads(reduce_constant_part, [0.3], order=2)


# ---- refusals lifted: code that was refused, now differentiated and checked ------------------


def write_into_piece_of_concatenate(x, y):
    a4 = np.linspace(0.44, 0.88, 9).reshape(3, 3)
    y[-2] = np.sum(a4, axis=0) @ np.concatenate([a4[:, 2][:1], y]) * x
    return y[1] * x


def test_write_into_piece_of_concatenate():
    # (long run, seed 306: at second order, `y[-2] = ...` was refused because the list of pieces
    # `[..., y]` is read later, by the adjoint of concatenate, which asks the pieces for their
    # shapes only)
    sg.check_grads(write_into_piece_of_concatenate, [-0.107, np.array([-0.88, -0.45])], order=2)


def augment_after_loop_that_may_return(x):
    w = x * 1.0
    for i in range(2):
        if x[0] > 10.0:         # never: `returned_value = w`, a flag, then the return
            return w
    for i in range(2):
        for j in range(2):
            w *= w              # (was refused: returned_value "may share" w)
        else:
            return np.sum(w)
    return np.sum(x)


def test_augment_after_loop_that_may_return():
    # (long run, seeds 2522 and 6647, at first order: the flag `returning` tells the paths
    # apart, which the memory analysis now follows)
    sg.check_grads(augment_after_loop_that_may_return, [np.array([0.3, -0.4])], order=2)


def augment_by_choice_after_loop_that_may_return(x, y):
    for e in np.linspace(-0.54, 0.2, 4).reshape(4, 1):
        return np.sum(x * y)
    x *= (0.5 if 0.5 else x)
    x[-1] += 0.5 * y[0]
    return np.sum(x * x)


def test_augment_by_choice_after_loop_that_may_return():
    # (long run, seed 6433, at second order: the derivative code tests `returning` again in the
    # adjoint, where the write `x[-1] = x_old` happens only on the path that rebound x)
    sg.check_grads(augment_by_choice_after_loop_that_may_return,
                   [np.array([0.3, 0.4]), np.array([0.1, 0.2])], order=2)


# ---- long run of 2026-11-24 (second session), seeds 311, 510, 705, 829, 1063, 1434 ----------------


def loop_target_bound_before(x):
    i = 2.0
    y = np.sin(x * i)           # its adjoint reads i: the 2.0, not the loop's first value
    for i in range(3):
        y = y * x
    return np.sum(y)


def test_loop_target_bound_before_the_loop():
    # A loop target is recorded with its new values only: reversing the loop left i at its first
    # value (0), which the adjoint of `np.sin(x * i)` then read. Found through second derivatives
    # of generated code, whose reversed loops `for c in reversed(c_stack)` rebind a counter the
    # code reads before them; the first-order bug was older.
    sg.check_grads(loop_target_bound_before, [X], order=2)


def counter_read_after_a_while_loop(x):
    w = 0.5
    c = 0
    while c < 2 and w < 1.89:
        c += 1
    w -= x
    w = (w * np.linspace(-0.91, -0.08, 4).reshape(4, 1))[c, c % 1]
    return np.tanh(w)


def test_counter_read_after_a_while_loop():
    # (seed 510, minimized: second order; seeds 311, 705, 829, 1063 and 1434 were the same bug)
    sg.check_grads(counter_read_after_a_while_loop, [np.array([-0.5, -0.48, -0.99, -0.58])],
                   order=2)


# ---- seed 180 (after the generator learned second names of lists) -------------------------


def squared_logs(b):
    return np.log1p((np.linspace(-0.86, 0.5, 4)[:, None] * b[None, :]) ** 2)


def write_into_a_callee_result(y):
    a = squared_logs(y)
    a[0, 1] = np.sum(a)
    return a[0, 1]


def tanh_twice(x):
    t = np.tanh(x)
    return t, t * 2.0


def write_into_a_result_the_callee_keeps(x):
    a, b = tanh_twice(x)
    a[1] = 0.5
    return np.sum(a * x) + np.sum(b)


def sine(x):
    return np.sin(x)


def write_into_an_argument_the_callee_keeps(x):
    y = x * 1.0
    a = sine(y)
    for i in range(2):
        y[i] = 3.0
    return np.sum(a) + np.sum(y)


@pytest.mark.parametrize("program", [write_into_a_callee_result,
                                     write_into_a_result_the_callee_keeps,
                                     write_into_an_argument_the_callee_keeps])
def test_writes_into_arrays_a_callee_keeps_for_its_backward_pass(program):
    # A callee's record keeps what its backward pass reads: here the array it returned (tanh's
    # output; in seed 180, a tangent the forward-mode code returned) or the argument it was
    # given (sin's). The caller wrote into it, and its write-back was dropped as unread, so the
    # callee's backward pass read the new values: wrong first derivatives of the last two, and
    # a wrong reverse-over-forward second derivative of the first.
    sg.check_grads(program, [np.array([0.3, -0.4, 0.8])], order=2)


# ---- seed 3767 (while callee results became names that may be their arguments) -------------


def _half_and_tanh(a):
    return (0.5, np.tanh(a))


def write_into_a_result_that_may_be_the_argument(x, y):
    c = 0
    half, t = _half_and_tanh(x)
    t[:, (c % 3)] *= 0.5
    return _half_and_tanh(x)[0]


def test_write_into_a_result_that_may_be_the_argument():
    # What reached a written part through a name that may be the array started as the number
    # 0.0 where the names were not one array: the second derivative, differentiating that sum,
    # mixed its shapes (a crash). It starts as zeros shaped like the part.
    args = [np.array([[0.45, -1.03, 0.47], [1.41, -0.22, 0.27]]), np.array([0.12, 0.09, -0.35])]
    sg.check_grads(write_into_a_result_that_may_be_the_argument, args, order=2)


# ---- seed 4465: a list changed through a second name no one reads afterwards ----------------


def append_through_a_name_not_read_again(x):
    kept = [x]
    extra = np.sum(x) + 0.5
    alias = kept
    alias.append(extra)
    return kept[-1] * 1.0


def pop_through_a_name_not_read_again(x):
    states = [x, x * 2.0, np.sin(x)]
    other = states
    last = other.pop()
    return np.sum(states[-1] * last) + np.sum(x * 0.0)


def append_in_a_loop_through_a_second_name(x, n):
    states = [x]
    other = states
    for _ in range(n):
        other.append(np.tanh(states[-1]) * x)
    return np.sum(states[-1])


@pytest.mark.parametrize("program, args", [
    (append_through_a_name_not_read_again, (np.array([0.3, -0.7, 1.1]),)),
    (append_through_a_name_not_read_again, (1.37,)),
    (pop_through_a_name_not_read_again, (np.array([0.3, -0.7, 1.1]),)),
    (append_in_a_loop_through_a_second_name, (np.array([0.3, -0.7, 1.1]), 3)),
    (append_in_a_loop_through_a_second_name, (np.array([0.3, -0.7]), 0)),
])
def test_a_list_changed_through_a_second_name(program, args):
    # `alias = kept; alias.append(v)`, then only `kept` is read: `alias` counted as not leading
    # to the output, so the append had no adjoint (the gradient was 0.0 for 1.0; seed 4465).
    # In forward mode, the adjoint list the first derivative pops from through another name
    # (`bother = zeros_like(other); bother.append(...)`) was taken for a zero tangent
    # everywhere: a wrong forward-over-reverse second derivative of the pop.
    sg.check_grads(program, args, wrt=0, order=3)


# ---- found while reducing seed 4465: an entry of a returned tuple, at third order ----------


def _half_and_sum(a, b):
    return (0.5, np.sum(b))


def entry_of_a_returned_tuple(x):
    w = _half_and_sum(x, x)[1]
    return w * 1.0


@pytest.mark.parametrize("x", [1.37, np.array([0.3, -0.4, 0.9])])
def test_third_derivative_through_an_entry_of_a_returned_tuple(x):
    # The second forward-mode derivative's tangent of the tuple is a list of zeros
    # (`zeros_like(result)`); reversing `ddw = ddh[1]` took that list for an array, and NumPy
    # failed on it (a crash at order 3). The entry's adjoint goes into a list of zeros.
    sg.check_grads(entry_of_a_returned_tuple, (x,), wrt=0, order=3)
