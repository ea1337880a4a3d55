"""Reverse mode through control flow: every program of tests/programs/control_flow.py, on inputs
chosen so that different branches are taken and loops run different numbers of times; the checks
are described in tests/corpus.py.
"""

import numpy as np
import pytest

import corpus
import s2sgrad as sg
from programs import control_flow as cf

# ---- shared inputs ---------------------------------------------------------------------------

x1 = np.array([0.7])
x3 = np.array([1.0, -2.0, 0.5])
x5 = np.array([0.3, 1.5, -0.2, 2.0, 1.1])
x6 = np.array([0.5, -1.0, 1.5, 0.2, -0.7, 2.0])
v3 = np.array([0.6, -0.4, 1.1])
w3 = np.array([0.3, -0.6, 1.1])
q3 = np.array([0.5, -0.2, 0.8])
W23 = np.array([[0.5, -0.3, 0.8],
                [0.2, 0.7, -0.4]])
X13 = np.array([[0.4, -0.9, 1.3]])
X23 = np.array([[0.5, -1.0, 0.3],
                [1.2, 0.4, -0.7]])
Y23 = np.array([[0.1, 0.2, -0.3],
                [0.9, -0.5, 0.0]])
X43 = np.array([[0.1, 0.2, 0.35],
                [0.5, -0.6, 0.7],
                [1.0, 0.05, -1.2],
                [-0.3, 0.8, 0.45]])
Y42 = np.array([[0.3, -0.1],
                [1.0, 0.2],
                [-0.5, 0.4],
                [0.0, 0.6]])
labels4 = np.array([1.0, -1.0, 1.0, -1.0])
xs4 = np.array([0.0, 1.0, 2.5, 4.0])
ys4 = np.array([1.0, 3.0, 2.0, 5.0])
r4 = np.array([0.3, -2.0, 0.7, -0.1])

# ---- the table: (program, [input sets], wrt) --------------------------------------------------
# wrt: an argument position, a tuple of positions, or None for every float argument (the
# default of sg.check_grads). Comments say which paths the input sets take.

CASES = [
    # ---- for-range loops -------------------------------------------------------------------
    (cf.power_by_repeated_multiplication, [(1.3, 0), (1.3, 1), (0.8, 5), (-1.1, 7)], 0),
    (cf.horner_polynomial, [(np.array([1.0, -2.0, 0.5]), 0.7), (x5, -1.2),
                            (np.array([2.5]), 3.0)], None),
    (cf.taylor_exp, [(0.5, 1), (0.5, 4), (1.7, 20), (-2.3, 30)], 0),
    (cf.taylor_sin, [(0.4, 1), (1.2, 3), (2.5, 15)], 0),
    (cf.geometric_series_sum, [(0.5, 0), (0.5, 1), (0.9, 50), (-0.7, 1000)], 0),
    (cf.compound_interest, [(0.05, 100.0, 0), (0.05, 100.0, 1), (0.03, 250.0, 30)], None),
    (cf.euler_exponential_decay, [(0.5, 2.0, 10), (1.3, 1.0, 1000), (0.1, -0.5, 1)], None),
    (cf.logistic_growth_euler, [(1.5, 0.1, 100), (0.8, 0.3, 5), (2.0, 0.9, 500)], None),
    (cf.fixed_point_cosine, [(0.3, 1), (0.3, 10), (2.0, 100)], 0),
    (cf.newton_square_root, [(2.0, 1), (2.0, 6), (9.5, 10), (0.3, 3)], 0),
    (cf.sum_of_inverse_squares, [(0.5, 1), (0.5, 100), (2.3, 1000)], 0),
    (cf.log1p_series, [(0.4, 3), (0.4, 50), (-0.6, 10)], 0),
    (cf.fourier_sine_partial_sum, [(0.7, 1), (0.7, 10), (2.1, 200)], 0),
    (cf.dot_product_loop, [(x3, w3), (np.array([0.2]), np.array([1.7])),
                           (x5, np.array([1.0, -1.0, 2.0, 0.5, 3.0]))], None),
    (cf.squared_norm_loop, [(x3,), (x1,), (x6,)], 0),
    (cf.product_of_elements_loop, [(np.array([1.5, -0.5, 2.0]),), (np.array([0.9]),),
                                   (np.array([1.1, 0.9, -1.2, 0.8, 1.3]),)], 0),
    (cf.neighbour_difference_energy, [(x1,), (np.array([0.5, -1.0]),),
                                      (np.array([0.1, 0.4, -0.3, 1.2]),)], 0),
    (cf.strided_sum_of_squares, [(x6, 1), (x6, 2), (x6, 4), (x6, 7)], 0),
    (cf.reverse_discounted_sines, [(x1,), (x3,), (x6,)], 0),
    (cf.gaussian_window_sum, [(x6, 0, 6), (x6, 2, 4), (x6, 3, 3)], 0),
    (cf.discounted_return, [(np.array([1.0, 0.5, -0.2]), 0.9), (np.array([2.0]), 0.5),
                            (x6, 0.99)], None),
    (cf.chebyshev_polynomial, [(0.3, 1), (0.3, 5), (-0.8, 12), (1.4, 3)], 0),
    (cf.legendre_polynomial, [(0.3, 1), (0.3, 2), (-0.6, 8), (0.9, 20)], 0),
    (cf.fibonacci_recurrence, [(1.0, 1.0, 0), (1.0, 1.0, 10), (0.5, -0.3, 3)], None),
    (cf.gradient_descent_quadratic, [(0.0, 0.1, 0), (0.0, 0.1, 5), (5.0, 0.05, 200)], None),
    (cf.heavy_ball_momentum, [(3.0, 0.05, 0.9, 1), (3.0, 0.05, 0.9, 50),
                              (-1.0, 0.02, 0.5, 300)], None),
    (cf.leapfrog_oscillator_energy, [(1.0, 0.0, 2.0, 100), (0.3, 0.7, 1.0, 1),
                                     (-0.4, 1.2, 3.0, 1000)], None),
    (cf.midpoint_pendulum_angle, [(0.5, 0.0, 1), (0.5, 0.0, 100), (2.0, -1.0, 500)], None),
    (cf.recurrent_tanh_cell, [(W23, v3, 0), (W23, v3, 1), (W23, v3, 4), (W23, v3, 20)], None),
    (cf.power_iteration_rayleigh, [(W23, np.array([1.0, 0.5, -0.3]), 0),
                                   (W23, np.array([1.0, 0.5, -0.3]), 1),
                                   (W23, np.array([1.0, 0.5, -0.3]), 30)], None),
    (cf.accumulate_scaled_copies, [(np.array([0.5]), w3), (np.array([0.2, -0.4, 0.9]), w3),
                                   (np.array([0.1, 0.2, 0.3, 0.4, -0.5]), w3)], None),
    (cf.column_weighted_energy, [(X23,), (np.array([[0.5], [-1.0]]),), (X43.T,)], 0),
    (cf.row_log_sum_exp_total, [(X13,), (X23,), (X43,)], 0),
    (cf.running_mean_squared, [(np.array([2.0]),), (x3,), (x6,)], 0),
    (cf.exponential_moving_average, [(np.array([1.0]), 0.3), (np.array([1.0, 2.0, -1.0]), 0.3),
                                     (x6, 0.8)], None),
    (cf.relaxation_towards_mean, [(v3, 0), (v3, 1), (np.array([2.0, 0.3, -1.5]), 25)], 0),
    (cf.polynomial_from_roots, [(np.array([1.0]), 0.5), (x3, 0.3),
                                (np.array([0.1, 0.2, 0.3, 0.4]), 1.5)], None),
    (cf.trapezoid_integral_of_exp, [(0.0, 1.0, 1), (0.0, 1.0, 10), (-1.0, 2.0, 500)], None),
    (cf.batch_squared_error_loop, [(W23, X13, Y42[:1]), (W23, X43, Y42)], None),
    (cf.repeated_smoothing_of_matrix, [(X23, 0), (X23, 1), (X23, 12)], 0),
    (cf.int_cast_trip_count, [(0.5, 0), (0.5, 3), (2.0, 40)], 0),

    # ---- nested loops ----------------------------------------------------------------------
    (cf.distance_weighted_pair_sum, [(x1,), (x3,), (x6,)], 0),
    (cf.pairwise_repulsion_energy, [(x1,), (np.array([0.0, 1.0]),),
                                    (np.array([0.3, -0.2, 1.5, 0.9]),)], 0),
    (cf.matrix_vector_tanh_loop, [(W23, v3), (np.array([[0.3]]), np.array([2.0])),
                                  (X23.T, np.array([1.0, -1.0]))], None),
    (cf.frobenius_norm_loop, [(X23,), (np.array([[2.0]]),), (X43,)], 0),
    (cf.triangular_double_sum, [(0.7, 1), (0.7, 2), (0.7, 6), (-1.3, 20)], 0),
    (cf.nested_power_series, [(0.9, 0, 3), (0.9, 3, 0), (0.9, 4, 3), (1.1, 10, 5)], 0),
    (cf.bilinear_form_loop, [(np.array([0.5, -1.5]), W23, v3),
                             (np.array([1.5]), np.array([[0.5]]), np.array([-2.0])),
                             (v3, X23.T, np.array([1.0, -1.0]))], None),
    (cf.substepped_cubic_decay, [(1.0, 0.5, 1, 1), (1.0, 0.5, 3, 4), (-0.8, 2.0, 50, 10)], None),
    (cf.rows_then_entries_weighted, [(X13, w3), (X23, w3), (X43, w3)], None),
    # kernel lengths 2, 3, 6 and 2 give 5, 4, 1 and 1 windows.
    (cf.convolution_energy, [(x6, np.array([0.5, -0.5])), (x6, np.array([0.2, 0.6, 0.2])),
                             (x6, np.array([0.1, 0.2, 0.3, 0.3, 0.2, 0.1])),
                             (np.array([1.0, 2.0]), np.array([0.3, 0.3]))], None),
    (cf.gaussian_kernel_sum, [(X13,), (X23,), (X43,)], 0),
    (cf.upper_triangle_with_diagonal_term, [(0.8, 0), (0.8, 1), (0.8, 3), (-1.2, 6)], 0),
    (cf.three_level_nested_sum, [(0.9, 1, 1, 1), (0.9, 2, 3, 1), (0.7, 3, 2, 4), (0.5, 0, 2, 2),
                                 (-0.6, 2, 2, 2)], 0),
    (cf.pairwise_row_distances, [(X13,), (X23,), (X43,)], 0),
    (cf.time_steps_with_spatial_energy, [(v3, 0), (v3, 1), (v3, 30)], 0),

    # ---- while loops -----------------------------------------------------------------------
    # multiply_until: 0, 1, 2, 5, 4 and 11 iterations.
    (cf.multiply_until, [(2.0, 12.0), (2.0, 6.0), (2.0, 3.0), (2.0, 0.4), (1.5, 2.0),
                         (1.3, 0.6)], None),
    (cf.halve_until_below_one, [(0.7,), (1.5,), (3.0,), (100.0,)], 0),
    (cf.double_until_above, [(5.0, 2.0), (1.0, 2.5), (0.01, 1000.0)], None),
    # 0, 3 and 49 iterations, and the cap of 500 iterations.
    (cf.grow_population_until, [(0.05, 1200.0), (0.05, 900.0), (0.1, 10.0), (0.001, 100.0)],
     None),
    (cf.newton_sqrt_until_converged, [(2.0,), (0.25,), (50.0,)], 0),
    (cf.shrink_vector_until_unit, [(np.array([0.3, -0.2, 0.4]),), (np.array([1.0, 0.5, -0.2]),),
                                   (np.array([3.0, -4.0, 2.0]),)], 0),
    (cf.grow_vector_until_sum, [(np.array([0.5, 1.0, 2.0]), 3.0),
                                (np.array([0.5, 1.0, 2.0]), 10.0),
                                (np.array([0.01, 0.02, 0.03]), 1000.0)], None),
    (cf.grow_until_max_element, [(np.array([6.0, 1.0, 2.0]),), (np.array([4.0, 1.0, 2.0]),),
                                 (np.array([0.1, 0.3, 0.2]),)], 0),
    (cf.collatz_weighted, [(0.3, 1), (0.3, 6), (1.2, 7), (0.8, 27)], 0),
    (cf.bisection_then_newton_root, [(2.0,), (0.7,), (3.3,)], 0),
    (cf.damped_oscillation_until_small, [(0.005, 0.9), (1.0, 0.9), (-2.0, 0.5), (1.552, 0.92)],
     None),
    (cf.gradient_descent_until_flat, [(1.3, 0.1), (0.0, 0.2), (3.0, 0.05)], None),
    # 1, 8 and 63 purchases.
    (cf.spend_until_budget, [(1.0, 0.5), (0.3, 10.0), (0.05, 100.0)], None),
    (cf.projectile_range, [(10.0, 0.7), (3.0, 0.2), (20.0, 1.2)], None),
    (cf.exp_series_until_small_term, [(0.5,), (-3.0,), (10.0,)], 0),
    (cf.nested_while_growth, [(2.5, 1.0), (0.5, 5.0), (0.3, 20.0)], None),
    (cf.loan_balance_after_payoff, [(0.01, 30.0), (0.005, 9.0), (0.02, 5.0), (0.0, 7.0)], None),
    (cf.cool_until_near_ambient, [(20.3, 0.1), (25.0, 0.1), (90.0, 0.2)], None),

    # ---- branches --------------------------------------------------------------------------
    (cf.leaky_relu_scalar, [(1.5,), (-2.0,)], 0),
    (cf.piecewise_three_regions, [(-2.5,), (0.3,), (4.0,)], 0),
    (cf.huber_loss, [(0.3, 1.0), (-2.5, 1.0), (3.0, 0.5), (-0.2, 0.5)], None),
    (cf.clip_by_branches, [(-1.0, 0.0, 1.0), (0.4, 0.0, 1.0), (2.0, 0.0, 1.0)], None),
    (cf.activation_by_name, [(x3, "tanh"), (x3, "sigmoid"), (x3, "softplus"), (x3, "identity")],
     0),
    (cf.regression_loss_by_kind, [(x3, v3, "l2"), (x3, v3, "logcosh"),
                                  (x3, v3, "pseudo_huber")], None),
    (cf.polynomial_by_degree_flag, [(0.7, 1), (0.7, 2), (0.7, 3)], 0),
    (cf.optional_normalization, [(v3, True), (v3, False)], 0),
    (cf.optional_bias, [(x3, True, 0.5), (x3, False, 0.5)], None),
    (cf.unit_interval_bump, [(0.3,), (0.8,), (-0.5,), (1.7,)], 0),
    (cf.smoothstep, [(-0.5,), (0.25,), (0.7,), (1.5,)], 0),
    (cf.sign_pattern_combination, [(1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.0, -2.0)], None),
    (cf.not_above_threshold, [(0.5, 1.0), (1.5, 1.0)], None),
    (cf.conditional_expression_scalar, [(0.5,), (1.7,)], 0),
    (cf.conditional_expression_on_sum, [(np.array([0.5, 0.6, 0.2]), x3),
                                        (np.array([0.1, -0.3, 0.2]), x3)], None),
    (cf.nested_conditional_expression, [(-0.5,), (1.0,), (3.0,)], 0),
    (cf.quadrant_dependent, [(1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.0, -2.0)], None),
    (cf.renormalize_if_too_long, [(np.array([0.3, 0.2, -0.1]),), (np.array([1.0, 2.0, -0.5]),)],
     0),
    (cf.branch_on_matrix_mean, [(X23,), (-X23,)], 0),
    (cf.branch_on_first_elements, [(np.array([2.0, 1.0, 0.5]),), (np.array([0.5, 1.0, -1.5]),)],
     0),
    (cf.progressive_tax, [(5.0,), (25.0,), (70.0,), (150.0,)], 0),
    (cf.safe_log_with_linear_extension, [(2.0,), (0.05,), (-0.5,)], 0),
    (cf.reduction_by_number_of_dimensions, [(X23,), (x3,), (0.7,), (np.array(-1.3),)], 0),
    (cf.scale_by_length, [(x3,), (x5,)], 0),
    (cf.reassigned_only_when_greater, [(1.5, 0.5), (0.2, 0.9)], None),
    (cf.if_without_else, [(1.0,), (2.5,)], 0),
    (cf.inside_band_product, [(0.5, 0.0, 1.0), (1.5, 0.0, 1.0), (-0.5, 0.0, 1.0)], None),
    (cf.mode_and_sign_branch, [(2.0, 0), (-1.0, 0), (2.0, 1), (-1.0, 1)], 0),
    (cf.hard_or_soft_maximum, [(x3, True), (x3, False), (v3, True)], 0),
    # w @ x is 1.15, 0.1 and -1.1.
    (cf.branch_on_dot_product, [(np.array([1.0, 0.5, -0.5]), np.array([1.0, 0.5, 0.2])),
                                (np.array([1.0, 0.5, -0.5]), np.array([0.2, 0.1, 0.3])),
                                (np.array([1.0, 0.5, -0.5]), np.array([-1.0, 0.2, 0.4]))], None),

    # ---- break and continue ----------------------------------------------------------------
    # running sums of squares of x6: 0.25, 1.25, 3.5, 3.54, 4.03, 8.03.
    (cf.sum_squares_until_limit, [(x6, 1.0), (x6, 100.0), (x6, 3.52)], None),
    (cf.sum_of_positive_entries, [(np.array([0.5, -1.0, 1.5]),), (np.array([0.2, 0.3, 0.4]),),
                                  (np.array([-0.2, -0.3]),)], 0),
    (cf.sum_even_positions, [(x1,), (x3,), (x6,)], 0),
    (cf.stop_at_index, [(x6, 0), (x6, 2), (x6, 10)], 0),
    (cf.exp_series_with_break, [(0.5,), (-3.0,), (12.0,)], 0),
    (cf.fixed_point_with_tolerance, [(0.0, 0.5), (1.0, 0.3), (0.44, 0.5)], None),
    # first crossing of 0.6 at index 2, of 1.0 at index 3, of 2.0 never.
    (cf.first_crossing_position, [(np.array([0.1, 0.4, 0.9, 1.3, 0.2]), 0.6),
                                  (np.array([0.1, 0.4, 0.9, 1.3, 0.2]), 1.0),
                                  (np.array([0.1, 0.4, 0.9, 1.3, 0.2]), 2.0)], None),
    (cf.break_inner_loop_on_large_entry, [(X23, 1.0), (X23, 0.45), (X23, 5.0)], None),
    (cf.skip_diagonal_pairs, [(x1,), (x3,), (x6,)], 0),
    # running sums of tanh(X23) + 1: 1.46, 1.70, 2.99, 4.83, 6.21, 6.60.
    (cf.break_both_loops_with_flag, [(X23, 1.0), (X23, 4.0), (X23, 10.0)], None),
    (cf.while_with_break_and_continue, [(0.5, 100.0), (0.5, 1.0), (2.0, 0.5)], None),
    (cf.skip_small_elements, [(np.array([0.05, -1.0, 0.3, 2.0, -0.02]), 0.1),
                              (np.array([0.05, -1.0, 0.3, 2.0, -0.02]), 0.5),
                              (np.array([0.05, -1.0, 0.3, 2.0, -0.02]), 0.01)], None),
    # row sums 0.2, 2.3, 4.0: the first, second, third or no row is heavy.
    (cf.first_heavy_row_energy, [(np.array([[0.2, 0.1, -0.1], [1.0, 0.8, 0.5], [2.0, 1.0, 1.0]]),
                                  0.0),
                                 (np.array([[0.2, 0.1, -0.1], [1.0, 0.8, 0.5], [2.0, 1.0, 1.0]]),
                                  1.0),
                                 (np.array([[0.2, 0.1, -0.1], [1.0, 0.8, 0.5], [2.0, 1.0, 1.0]]),
                                  3.0),
                                 (np.array([[0.2, 0.1, -0.1], [1.0, 0.8, 0.5], [2.0, 1.0, 1.0]]),
                                  10.0)], None),
    # 6, 49, 1 and 1000 (no break) iterations.
    (cf.power_until_exceeds, [(1.5, 10.0), (1.1, 100.0), (3.0, 2.0), (0.995, 2.0)], None),
    (cf.continue_on_negative_score, [(X43, w3), (X43, -w3), (X43, np.array([1.0, 1.0, 1.0]))],
     None),
    (cf.early_stopping_training, [(0.0, 0.1, 1000), (0.0, 0.1, 3), (2.0, 0.01, 50)], None),

    # ---- early return ----------------------------------------------------------------------
    (cf.absolute_value_early_return, [(-1.5,), (2.0,)], 0),
    (cf.safe_sqrt_early_return, [(-0.5,), (2.0,)], 0),
    (cf.empty_loop_guard, [(0.8, 0), (0.8, 1), (0.8, 5)], 0),
    (cf.reduction_by_mode_early_return, [(x3, "mean"), (x3, "max"), (x3, "sum_exp")], 0),
    (cf.early_return_after_loop, [(x3, 3.0), (x3, 10.0), (x1, 0.1)], None),
    (cf.normalized_cubes_with_guard, [(np.array([0.05, 0.02, -0.03]),),
                                      (np.array([1.0, -0.5, 0.3]),)], 0),
    (cf.multiple_early_returns, [(-3.0,), (-1.0,), (1.0,), (5.0,)], 0),
    (cf.early_return_in_elif, [(2.0, 1.0), (-3.0, 1.0), (0.5, 1.0)], None),
    (cf.early_return_in_if_and_else, [(2.5,), (0.3,)], 0),
    (cf.early_return_before_loop, [(12.0, 5), (1.0, 5), (1.0, 0)], 0),
    (cf.guard_clause_then_while, [(-1.0,), (0.3,), (9.0,), (2.5,)], 0),

    # ---- loops over arrays -----------------------------------------------------------------
    (cf.row_tanh_weighted_sum, [(X13, w3), (X23, w3), (X43, w3)], None),
    (cf.enumerate_rows_weighted, [(X13,), (X23,), (X43,)], 0),
    # zip stops at the shorter array: X43 with Y23 pairs two rows.
    (cf.zip_rows_squared_distance, [(X23, Y23), (X13, Y23), (X43, Y23)], None),
    (cf.iterate_entries_of_vector, [(x1,), (x3,), (x6,)], 0),
    (cf.gaussian_log_likelihood_zip, [(x3, v3), (x6, 0.5 * x6), (x1, np.array([0.2]))], None),
    (cf.enumerate_coefficients_polynomial, [(np.array([1.0]), 0.5),
                                            (np.array([1.0, -2.0, 0.5]), 0.7), (x5, -1.3)], None),
    (cf.row_softmax_entropy, [(X13,), (X23,), (X43,)], 0),
    (cf.attention_pooling_over_rows, [(X13, q3), (X23, q3), (X43, q3)], None),
    (cf.zip_weights_and_rows, [(np.array([0.5, -1.0]), X23), (np.array([2.0]), X23),
                               (np.array([0.1, 0.2, 0.3, 0.4]), X43)], None),
    # rows of X43 nearest c0 / c1 in different patterns.
    (cf.nearest_centroid_energy, [(X43, np.array([0.0, 0.0, 0.0]), np.array([1.0, 0.0, -1.0])),
                                  (X43, np.array([0.3, 0.3, 0.3]), np.array([5.0, 5.0, 5.0])),
                                  (X23, np.array([1.0, 0.5, -0.5]), np.array([0.5, -1.0, 0.5]))],
     None),
    (cf.accumulate_row_squares, [(X13,), (X23,), (X43,)], 0),
    (cf.rows_then_values_cubed, [(X13,), (X23,), (X43,)], 0),
    (cf.log_of_positive_row_scores, [(X43, w3), (X43, np.array([1.0, 1.0, 1.0])),
                                     (X13, -w3)], None),
    (cf.enumerate_skip_first_row, [(X13,), (X23,), (X43,)], 0),
    # row norms of X23: 1.16 and 1.45.
    (cf.clipped_row_norms_sum, [(X23, 1.0), (X23, 1.3), (X23, 5.0)], None),
    (cf.hinge_loss_loop, [(X43, labels4, w3), (X43, labels4, np.array([2.0, -1.0, 0.5])),
                          (X43, labels4, np.array([0.1, 0.1, 0.1]))], (0, 2)),

    # ---- mixed -----------------------------------------------------------------------------
    (cf.seed_control_flow, [(2.0, 6), (2.0, 5), (2.0, 4), (2.0, 2), (1.5, 0), (0.7, 9)], 0),
    (cf.bouncing_ball_height, [(1.0, 0.8), (0.37, 0.6), (2.0, 0.9), (0.1, 0.5)], None),
    (cf.gradient_clipped_descent, [(v3, w3, 0.1, 20, 1.0), (v3, w3, 0.1, 20, 100.0),
                                   (v3, w3, 0.1, 0, 1.0), (v3, w3, 0.3, 5, 0.5)], None),
    (cf.leaky_network_loop, [(W23, v3, 0), (W23, v3, 1), (W23, v3, 5)], None),
    # grid points: 0, 2/7, ..., 2 (both sides of 1); all below 1; all above 1; 1.02 nearest 1.
    (cf.piecewise_integrand_trapezoid, [(0.0, 2.0, 7), (0.0, 0.5, 4), (1.5, 3.0, 3),
                                        (0.3, 2.1, 5)], None),
    (cf.huber_loss_sum_loop, [(r4, 1.0), (r4, 0.5), (r4, 5.0)], None),
    (cf.soft_threshold_energy, [(r4, 0.5), (r4, 0.05), (r4, 3.0)], None),
    (cf.sorting_network_weighted, [(np.array([0.5, 1.5, -1.0]),), (np.array([2.0, 1.0, 0.0]),),
                                   (np.array([0.1, 0.2, 0.3]),), (x3,)], 0),
    # no reset, 2 resets, 1 reset, a reset at every step.
    (cf.logistic_map_with_reset, [(2.5, 0.2, 1), (3.1, 0.5, 8), (3.0, 0.4, 30), (3.5, 0.5, 30)],
     None),
    (cf.inventory_cost_simulation, [(1.0, 2.0, 5), (1.3, 3.0, 30), (0.7, 1.0, 60)], None),
    (cf.adaptive_euler_decay, [(1.0, 1.0), (7.0, 1.0), (30.0, 2.0)], None),
    (cf.damped_newton_cube_root, [(8.0,), (0.5,), (100.0,)], 0),
    # t inside the first, second and third interval, and beyond the last knot.
    (cf.piecewise_linear_interpolation, [(xs4, ys4, 0.4), (xs4, ys4, 1.7), (xs4, ys4, 3.9),
                                         (xs4, ys4, 5.0)], None),
    (cf.count_then_scale, [(x6, 0.0), (x6, 1.0), (x6, 5.0)], None),
    (cf.alternating_update_rules, [(0.5, 0), (0.5, 1), (0.5, 2), (0.5, 11)], 0),
    (cf.data_and_index_conditions, [(2.0, 6), (0.5, 6), (2.0, 2)], 0),
    (cf.backtracking_descent, [(3.0, 4), (-1.0, 6), (1.0, 1)], 0),
    (cf.thermostat_energy, [(15.0, 1.0, 50), (25.0, 1.0, 10), (20.0, 2.0, 100)], None),
    (cf.two_phase_optimizer, [(0.5, 10, 0), (0.5, 10, 5), (0.5, 10, 10), (3.0, 4, 2)], 0),
    (cf.perceptron_training, [(X43, labels4, w3, 0), (X43, labels4, w3, 1),
                              (X43, labels4, w3, 5)], None),
    (cf.running_maximum, [(x1,), (x3,), (x6,), (np.array([3.0, 2.0, 1.0]),)], 0),
    (cf.minimum_row_sum, [(X13,), (X23,), (X43,)], 0),
    (cf.relu_sum_by_elements, [(x3,), (np.array([-0.5, -1.0]),), (x6,)], 0),

    # ---- array-valued results --------------------------------------------------------------
    (cf.grow_vector_until_sum_exceeds, [(np.array([5.0, 4.0, 3.0]),), (np.array([1.0, 2.0, 0.5]),),
                                        (np.array([0.01, 0.02, 0.03]),)], 0),
    (cf.normalize_if_long_else_double, [(np.array([1.0, 2.0, -0.5]),),
                                        (np.array([0.3, 0.2, -0.1]),)], 0),
    (cf.rows_recurrent_state, [(X13,), (X23,), (X43,)], 0),
    (cf.iterate_cosine_map_until_converged, [(np.array([0.0, 1.0, -2.0]),),
                                             (np.array([0.45, 0.46, 0.44]),), (X23,)], 0),
    (cf.square_or_exponentiate_matrix, [(X23,), (-X23,)], 0),
    (cf.accumulate_rows_until_sum, [(X43, np.array([0.1, 0.2, 0.3])),
                                    (X43, np.array([2.0, 1.0, 1.0])),
                                    (X13, np.array([0.1, 0.0, 0.1]))], None),
]


# ---- the corpus tests (see tests/corpus.py) --------------------------------------------------

globals().update(corpus.corpus_tests(cf, CASES, at_least=120))


# ---- the examples of TensorFlow's control-flow tutorial -----------------------------------------


@pytest.mark.parametrize("y, expected", [(6, 12.0), (5, 12.0), (4, 4.0)])
def test_seed_control_flow_gradient_values(y, expected):
    # output = x ** (number of i in range(y) with 1 < i < 5): x**3, x**3 and x**2.
    assert sg.grad(cf.seed_control_flow)(2.0, y) == expected


def _iterations_of_multiply_until(a, x):
    count = 0
    while x < 10.0:
        x = x * a
        count += 1
    return count


@pytest.mark.parametrize("a, x, iterations", [(2.0, 6.0, 1), (2.0, 3.0, 2), (2.0, 0.4, 5),
                                              (3.0, 0.5, 3), (2.0, 11.0, 0)])
def test_multiply_until_gradients(a, x, iterations):
    assert _iterations_of_multiply_until(a, x) == iterations
    # The result is x * a**k with k iterations.
    sg.check_grads(cf.multiply_until, [a, x])
    da, dx = sg.grad(cf.multiply_until, wrt=(0, 1))(a, x)
    expected_da = iterations * x * a ** (iterations - 1) if iterations else 0.0
    assert da == pytest.approx(expected_da, rel=1e-12)
    assert dx == pytest.approx(a ** iterations, rel=1e-12)
    value, _ = sg.value_and_grad(cf.multiply_until)(a, x)
    assert value == cf.multiply_until(a, x)
