"""A corpus of small, realistic programs that update NumPy arrays in place, for testing reverse
mode on them.

Every function is differentiated by tests/test_inplace_corpus.py, which lists, for each one,
several input sets (arrays of several shapes; where there are branches or data-dependent loops,
inputs taking different paths, away from the points where a branch switches).

The in-place updates covered:

* element and slice writes: `x[i] = v`, `x[i, j] = v`, `x[a:b] = v`, `x[:, j] = v`, a row
  `x[i] = row`, negative indices, steps `x[::2] = v`, boolean masks `x[x > t] = v`, writes of
  constants (zeroing parts of an array);
* augmented writes `x[i] += v`, `x[i] *= v`, `x[i:j] -= v`, `x[i] /= v`;
* `x += y`, `x *= y`, `x -= y` on whole arrays, both when another name refers to the same array
  (`z = y; y += w`: NumPy changes what `z` holds too) and when no other name does;
* writes into a copy (`y = x.copy()`, `y = x * 1.0`, then through a plain alias `z = y`) and into
  the parameter itself (s2sgrad restores the argument after differentiating);
* writes inside `for` and `while` loops, inside `if` / `else`, with `break` and `continue`:
  outputs built element by element, cumulative sums and products, finite-difference stencils,
  row normalization, Gram-Schmidt, triangular solves, Cholesky, Gauss-Seidel / Jacobi sweeps,
  the Thomas algorithm, explicit Euler / Heun integration into a trajectory array, dynamic
  programming tables (soft-DTW with a smooth minimum, a hard minimum-cost path).

Otherwise the programs use only NumPy / `math` calls, arithmetic, indexing, for/while/if,
break/continue: no list building, no nested functions, no calls to functions defined here.
Almost all programs return a scalar; the last section returns arrays.
"""

import math

import numpy as np

# =================================================================================================
# element and slice writes into a copy, no loops
# =================================================================================================


def copy_then_element_writes(x):
    y = x.copy()
    y[0] = y[1] * 2.0
    y[2] = np.sin(x[0]) + y[0]
    return np.sum(y ** 2)


def negative_index_writes(x):
    y = x.copy()
    y[-1] = y[-2] * y[0]
    y[-2] += 1.5
    return np.sum(np.tanh(y) * x)


def zero_out_prefix(x, k):
    y = x * 1.0
    y[:k] = 0.0
    return np.sum(np.exp(y)) + np.sum(y * x)


def strided_write(x):
    y = x.copy()
    y[::2] = np.tanh(y[::2]) * 3.0
    y[1::2] *= y[0]
    return np.sum(y * y)


def slice_augmented_subtract(x, w):
    z = x.copy()
    z[1:3] -= w[:2] * z[0]
    return np.sum(z ** 3)


def element_multiply_then_add(x):
    y = x.copy()
    y[1] *= x[0]
    y[2] += y[1] * y[1]
    y[0] /= 1.0 + y[2] ** 2
    return np.sum(np.sin(y))


def matrix_element_writes(A):
    B = A.copy()
    B[0, 1] = B[1, 0] * 3.0
    B[1, 1] *= B[0, 0]
    B[-1, -1] -= np.exp(B[0, 1])
    return np.sum(B @ B)


def column_write(A, v):
    B = A.copy()
    B[:, 1] = v * B[:, 0]
    return np.sum(np.tanh(B) * A)


def row_write(A, v):
    B = A.copy()
    B[0] = v * B[1]
    B[1, :] += np.cos(B[0])
    return np.sum(B ** 2)


def masked_writes(x, threshold):
    y = x.copy()
    y[x > threshold] = 0.5 * threshold
    y[y < 0.0] *= 3.0
    return np.sum(y ** 2 * x)


def swap_entries_with_explicit_copy(x):
    y = x.copy()
    first = y[0].copy()
    y[0] = y[-1]
    y[-1] = first
    return np.sum(y * np.arange(1.0, len(y) + 1.0)) + np.sum(y ** 3)


def swap_rows(A):
    B = A.copy()
    top = B[0].copy()
    B[0] = B[1]
    B[1] = top
    return np.sum(B[0] * B[-1] ** 2) + np.sum(B[:, 0] * np.arange(1.0, B.shape[0] + 1.0))


def zero_diagonal_block(A):
    B = A * 1.0
    B[:2, :2] = 0.0
    B[2:, 0] = 1.0
    return np.sum(np.exp(B) * A)


def piecewise_from_index_flag(x, mode):
    y = x.copy()
    if mode == 0:
        y[0] = y[1] ** 2
    elif mode == 1:
        y[1:] *= y[0]
    else:
        y[:] = np.log1p(y ** 2)
    return np.sum(y * x)


def reversed_strided_write(x):
    y = x.copy()
    y[::-1] = np.sin(y) * 2.0
    y[-1::-2] += 0.5 * x[0]
    return np.sum(y * x)


def shift_right_overlapping(x):
    y = x.copy()
    y[1:] = y[:-1]
    y[0] = np.cos(x[-1])
    return np.sum(y * np.arange(1.0, len(y) + 1.0) * x)


def scalar_broadcast_into_blocks(A, s):
    B = A.copy()
    B[:, 0] = s
    B[1:, 1:] += s * s
    return np.sum(B ** 2)


def tensor_fiber_writes(T):
    U = T.copy()
    for i in range(U.shape[0]):
        U[i, :, 0] = U[i, :, 1] * U[i, :, 0]
    return np.sum(U ** 2)


def tuple_and_integer_array_indices(A):
    B = A.copy()
    corner = (0, 1)
    B[corner] = B[1, 0] ** 2
    rows = np.array([0, 1])
    B[rows, 0] *= 3.0
    return np.sum(B * A)


def ellipsis_and_power_updates(x):
    y = x.copy()
    y[...] = np.exp(0.5 * y)
    y **= 2
    y[1] **= 3
    return np.sum(y)


def write_same_row_twice(A):
    B = A.copy()
    B[0] = B[0] * 2.0
    B[0, 0] = B[0, 1] + B[1, 0]
    B[0] += B[1]
    return np.sum(B ** 3)


# =================================================================================================
# writes into the parameter itself
# =================================================================================================


def write_into_parameter(x):
    x[0] = x[1] * 2.0
    return np.sum(x * x) + x[0]


def parameter_rows_rescaled(A, s):
    A[0] *= s
    A[:, -1] = A[:, 0] - s
    return np.sum(np.sin(A))


def smooth_parameter_in_loop(x):
    for i in range(1, len(x)):
        x[i] = x[i] + 0.5 * x[i - 1]
    return np.sum(x ** 2)


def write_parameter_through_alias(x):
    z = x
    z[0] = z[1] * 3.0
    return np.sum(x ** 2) + np.sum(z * np.cos(x))


# =================================================================================================
# whole-array `x += y`, `x *= y`, `x -= y`, with and without aliases
# =================================================================================================


def augmented_without_alias(x, w):
    y = x * 2.0
    y += w
    y *= x
    y -= 1.0
    return np.sum(y ** 2)


def aliased_parameter_add(y, w):
    z = y
    y += w
    return np.sum(z * z)


def aliased_copy_multiply_subtract(x, w):
    y = x * 1.0
    z = y
    y *= w
    z -= 0.5 * w
    return np.sum(y * z) + np.sum(z * x)


def alias_sees_element_write(x):
    y = x * 1.0
    z = y
    z[1] = z[0] * 3.0
    return np.sum(y ** 2)


def aliased_accumulation_in_loop(x, w, steps):
    y = x.copy()
    z = y
    for t in range(steps):
        y += 0.1 * w * np.tanh(y)
    return np.sum(z ** 2)


def _returned_as_given(v):
    return v


def _twice_as_new(v):
    return v * 2.0


def write_through_a_returned_argument(x):
    y = x * 1.0
    z = _returned_as_given(y)    # z is y: the write below changes y
    z[0] = 5.0
    return np.sum(y * y)


def augment_through_a_returned_argument(x, w):
    y = x * 1.0
    z = _returned_as_given(y)
    z += w * np.tanh(y)
    return np.sum(y * x)


def write_into_a_new_array_a_call_returned(x):
    y = x * 1.0
    z = _twice_as_new(y)         # z is a new array: y keeps its values
    z[0] = 5.0
    return np.sum(y * z)


def scalar_augmented_then_write(x):
    s = x[0] * 1.0
    s += x[1] * x[2]
    s *= 2.0
    y = x.copy()
    y[0] = s
    y += s
    return np.sum(np.sin(y))


def number_or_array_augmented(a):
    b = a
    a += 1.0
    return np.sum(a * b)


def alias_write_in_one_branch(x, flag):
    y = x * 1.0
    z = y
    if flag:
        y *= 2.0
    else:
        z[0] = 7.0 * x[1]
    return np.sum(z * y)


def gradient_descent_inplace_weights(A, b, w0, steps):
    w = w0.copy()
    for t in range(steps):
        residual = A @ w - b
        w -= 0.1 * (A.T @ residual)
    return np.sum(w ** 2) + np.sum((A @ w - b) ** 2)


# =================================================================================================
# outputs built element by element, cumulative sums and stencils
# =================================================================================================


def build_output_elementwise(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * x[i]
    return np.sum(out ** 2)


def inplace_cumulative_sum(x):
    y = x.copy()
    for i in range(1, len(y)):
        y[i] += y[i - 1]
    return np.sum(y ** 2)


def inplace_cumulative_product(x):
    y = x.copy()
    for i in range(1, len(y)):
        y[i] *= y[i - 1]
    return np.sum(y)


def exponential_moving_average(x, alpha):
    ema = np.zeros_like(x)
    ema[0] = x[0]
    for i in range(1, len(x)):
        ema[i] = alpha * x[i] + (1.0 - alpha) * ema[i - 1]
    return np.sum(ema * x)


def laplacian_stencil_energy(u):
    lap = np.zeros_like(u)
    for i in range(1, len(u) - 1):
        lap[i] = u[i - 1] - 2.0 * u[i] + u[i + 1]
    lap[0] = u[1] - u[0]
    lap[-1] = u[-2] - u[-1]
    return np.sum(lap ** 2)


def heat_equation_explicit(u0, steps):
    u = u0.copy()
    for t in range(steps):
        u[1:-1] = u[1:-1] + 0.2 * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return np.sum(u ** 2 * u0)


def central_gradient_2d(F):
    G = np.zeros_like(F)
    for i in range(1, F.shape[0] - 1):
        for j in range(F.shape[1]):
            G[i, j] = 0.5 * (F[i + 1, j] - F[i - 1, j])
    return np.sum(G ** 2) + np.sum(F * G)


def pairwise_rbf_kernel_sum(X):
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = np.sum((X[i] - X[j]) ** 2)
            D[j, i] = D[i, j]
    return np.sum(np.exp(-D))


def perturbed_copies_in_loop(x):
    total = 0.0
    for i in range(len(x)):
        y = x.copy()
        y[i] = y[i] * 2.0
        total += np.prod(np.sin(y))
    return total


def recurrent_hidden_states(X, W):
    H = np.zeros((X.shape[0] + 1, W.shape[0]))
    for t in range(X.shape[0]):
        H[t + 1] = np.tanh(W @ H[t] + X[t])
    return np.sum(H[-1] ** 2) + np.sum(H[1:] * 0.1)


# =================================================================================================
# matrix rows and columns updated in place
# =================================================================================================


def normalize_rows_inplace(A, w):
    B = A.copy()
    for i in range(B.shape[0]):
        B[i] = B[i] / np.sqrt(np.sum(B[i] ** 2))
    return np.sum(B @ w)


def normalize_columns_divide_assign(A):
    B = A.copy()
    for j in range(B.shape[1]):
        B[:, j] /= np.sum(np.abs(B[:, j])) + 1.0
    return np.sum(B ** 3)


def center_columns_then_scale_rows(A):
    B = A.copy()
    for j in range(B.shape[1]):
        B[:, j] -= np.mean(B[:, j])
    for i in range(B.shape[0]):
        B[i, :] *= 1.0 + 0.1 * i
    return np.sum(np.tanh(B) * A)


def gram_schmidt_projection(A, W):
    Q = A.copy()
    for j in range(Q.shape[1]):
        for k in range(j):
            Q[:, j] -= (Q[:, k] @ Q[:, j]) * Q[:, k]
        Q[:, j] /= np.sqrt(Q[:, j] @ Q[:, j])
    return np.sum(Q * W)


def forward_substitution(L, b):
    n = len(b)
    x = np.zeros(n)
    for i in range(n):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
    return np.sum(x ** 2)


def cholesky_log_determinant(A):
    n = A.shape[0]
    L = np.zeros_like(A)
    log_det = 0.0
    for j in range(n):
        L[j, j] = np.sqrt(A[j, j] - L[j, :j] @ L[j, :j])
        log_det += 2.0 * np.log(L[j, j])
        for i in range(j + 1, n):
            L[i, j] = (A[i, j] - L[i, :j] @ L[j, :j]) / L[j, j]
    return log_det + np.sum(L ** 2)


def gauss_seidel_solve(A, b, sweeps):
    n = len(b)
    x = np.zeros(n)
    for sweep in range(sweeps):
        for i in range(n):
            x[i] = (b[i] - A[i] @ x + A[i, i] * x[i]) / A[i, i]
    return np.sum(x * b)


def jacobi_solve(A, b, sweeps):
    n = len(b)
    x = np.zeros(n)
    x_new = np.zeros(n)
    for sweep in range(sweeps):
        for i in range(n):
            x_new[i] = (b[i] - A[i] @ x + A[i, i] * x[i]) / A[i, i]
        x[:] = x_new
    return np.sum(x ** 2)


def lu_elimination_energy(A):
    U = A.copy()
    n = U.shape[0]
    for k in range(n):
        for i in range(k + 1, n):
            factor = U[i, k] / U[k, k]
            U[i, k:] -= factor * U[k, k:]
    return np.sum(U ** 2)


def power_iteration_rayleigh(A, iterations):
    v = np.ones(A.shape[0])
    for t in range(iterations):
        v = A @ v
        v /= np.sqrt(np.sum(v ** 2))
    return v @ A @ v


def thomas_tridiagonal_solve(a, b, c, d):
    n = len(d)
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        denominator = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / denominator
        dp[i] = (d[i] - a[i] * dp[i - 1]) / denominator
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return np.sum(x ** 2)


# =================================================================================================
# time integration into a trajectory array
# =================================================================================================


def euler_decay_trajectory(x0, k, steps):
    dt = 0.05
    traj = np.zeros((steps + 1, len(x0)))
    state = x0.copy()
    traj[0] = state
    for t in range(steps):
        state = state - dt * k * state ** 3
        traj[t + 1] = state
    return np.sum(traj ** 2) * dt


def euler_oscillator_inplace_state(q0, p0, omega, steps):
    dt = 0.1
    traj = np.zeros((steps + 1, 2))
    state = np.zeros(2)
    state[0] = q0
    state[1] = p0
    traj[0] = state
    for t in range(steps):
        force = -omega ** 2 * state[0]
        state[0] += dt * state[1]
        state[1] += dt * force
        traj[t + 1] = state
    return np.sum(traj[:, 0] ** 2) * dt


def heun_logistic_trajectory(y0, r, steps):
    dt = 0.1
    traj = np.zeros(steps + 1)
    traj[0] = y0
    for t in range(steps):
        y = traj[t]
        slope = r * y * (1.0 - y)
        guess = y + dt * slope
        traj[t + 1] = y + 0.5 * dt * (slope + r * guess * (1.0 - guess))
    return np.sum(traj)


# =================================================================================================
# dynamic programming tables
# =================================================================================================


def soft_dtw(x, y, gamma):
    n = len(x)
    m = len(y)
    R = np.full((n + 1, m + 1), 1e6)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (x[i - 1] - y[j - 1]) ** 2
            smooth_min = -gamma * np.log(np.exp(-R[i - 1, j - 1] / gamma)
                                         + np.exp(-R[i - 1, j] / gamma)
                                         + np.exp(-R[i, j - 1] / gamma))
            R[i, j] = cost + smooth_min
    return R[n, m]


def soft_dtw_logsumexp_stable(x, y, gamma):
    n = len(x)
    m = len(y)
    R = np.full((n + 1, m + 1), 1e6)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            a = -R[i - 1, j - 1] / gamma
            b = -R[i - 1, j] / gamma
            c = -R[i, j - 1] / gamma
            top = np.maximum(np.maximum(a, b), c)
            lse = top + np.log(np.exp(a - top) + np.exp(b - top) + np.exp(c - top))
            R[i, j] = (x[i - 1] - y[j - 1]) ** 2 - gamma * lse
    return R[n, m]


def min_cost_path_table(C):
    n, m = C.shape
    D = np.zeros((n, m))
    D[0, 0] = C[0, 0]
    for j in range(1, m):
        D[0, j] = D[0, j - 1] + C[0, j]
    for i in range(1, n):
        D[i, 0] = D[i - 1, 0] + C[i, 0]
        for j in range(1, m):
            if D[i - 1, j] < D[i, j - 1]:
                D[i, j] = D[i - 1, j] + C[i, j]
            else:
                D[i, j] = D[i, j - 1] + C[i, j]
    return D[-1, -1]


def discounted_value_table(rewards, gamma):
    n = len(rewards)
    V = np.zeros(n + 1)
    for i in range(n - 1, -1, -1):
        V[i] = rewards[i] + gamma * V[i + 1]
    return np.sum(V ** 2)


# =================================================================================================
# writes under branches, break and continue, while loops
# =================================================================================================


def conditional_clamp_writes(x, lo):
    y = x.copy()
    for i in range(len(y)):
        if y[i] < lo:
            y[i] = lo + 0.1 * y[i]
        else:
            y[i] *= 2.0
    return np.sum(y * x)


def write_until_budget_then_break(x, limit):
    out = np.zeros(len(x))
    total = 0.0
    for i in range(len(x)):
        total += x[i] ** 2
        if total > limit:
            break
        out[i] = total
    return np.sum(out * x)


def sqrt_of_positive_entries_continue(x):
    y = x.copy()
    for i in range(len(y)):
        if y[i] < 0.0:
            continue
        y[i] = np.sqrt(y[i])
    return np.sum(y * x)


def halve_entries_while_large(x, tol):
    y = x.copy()
    k = 0
    while np.sum(y ** 2) > tol and k < 50:
        y[k % len(y)] *= 0.5
        k += 1
    return np.sum(y * x)


def running_maximum_table(x):
    best = np.zeros_like(x)
    best[0] = x[0]
    for i in range(1, len(x)):
        if x[i] > best[i - 1]:
            best[i] = x[i]
        else:
            best[i] = best[i - 1]
    return np.sum(best ** 2)


def bubble_sort_pass(x):
    y = x.copy()
    for i in range(len(y) - 1):
        if y[i] > y[i + 1]:
            larger = y[i].copy()
            y[i] = y[i + 1]
            y[i + 1] = larger
    return np.sum(y * np.arange(1.0, len(y) + 1.0))


def row_or_column_update_by_sign(A):
    B = A.copy()
    if np.sum(A) > 0.0:
        B[0] = np.exp(B[0])
    else:
        B[:, 0] = B[:, 0] ** 2
    return np.sum(B * A)


def skip_rows_and_stop_early(A, limit):
    B = A.copy()
    total = 0.0
    for i in range(B.shape[0]):
        if np.sum(B[i]) < 0.0:
            continue
        B[i] = np.tanh(B[i])
        total += np.sum(B[i])
        if total > limit:
            break
    return np.sum(B ** 2)


def newton_iteration_per_entry(a, iterations):
    x = a.copy()
    for i in range(len(a)):
        k = 0
        while k < iterations:
            x[i] = 0.5 * (x[i] + a[i] / x[i])
            k += 1
    return np.sum(x)


def square_or_negate_entries(x):
    y = x.copy()
    for i in range(len(y)):
        y[i] = y[i] ** 2 if y[i] > 0.0 else -y[i]
    return np.sum(y * x)


def square_prefix_while_small(x):
    y = x.copy()
    i = 0
    while i < len(y):
        if y[i] > 1.0:
            break
        y[i] = y[i] ** 2 + 0.1
        i += 1
    return np.sum(y * x)


def partial_row_energies_inner_break(A, limit):
    B = np.zeros_like(A)
    for i in range(A.shape[0]):
        running = 0.0
        for j in range(A.shape[1]):
            running += A[i, j] ** 2
            if running > limit:
                break
            B[i, j] = running * A[i, j]
    return np.sum(B ** 2)


def fold_negatives_while_continue(x):
    y = x.copy()
    i = -1
    while i < len(y) - 1:
        i += 1
        if y[i] < 0.0:
            y[i] *= -0.5
            continue
        y[i] = np.sqrt(y[i] + 1.0)
    return np.sum(y * x)


def early_return_after_write(x, threshold):
    y = x.copy()
    y[0] = y[1] * 2.0
    if np.sum(y) > threshold:
        return np.sum(y ** 2)
    y[1] = 0.0
    return np.sum(y ** 3)


# =================================================================================================
# array-valued results
# =================================================================================================


def first_differences_inplace(x):
    y = x.copy()
    y[1:] = y[1:] - x[:-1]
    y[0] = 0.0
    return y


def softmax_rows_inplace(A):
    B = A.copy()
    for i in range(B.shape[0]):
        B[i] -= np.max(B[i])
        B[i] = np.exp(B[i])
        B[i] /= np.sum(B[i])
    return B


def damped_trajectory_array(x0, c):
    traj = np.zeros((4, len(x0)))
    traj[0] = x0
    for t in range(1, 4):
        traj[t] = traj[t - 1] - 0.1 * c * traj[t - 1] + 0.05 * np.sin(traj[t - 1])
    return traj


def masked_relu_then_scale(x, s):
    y = x * s
    negative = y < 0.0
    y[negative] = 0.0
    y += math.pi * s
    return y
