"""A corpus of small, realistic programs with control flow, for testing reverse mode on them.

Every function is differentiated by tests/test_control_flow_corpus.py, which lists, for each one,
several input sets chosen so that different branches are taken and loops run different numbers of
times, and away from the points where a branch switches (so finite differences stay on one path).

The programs use only the language s2sgrad's reverse mode supports:

* straight-line NumPy / `math` code (arithmetic, elementwise functions, reductions, `@`, indexing
  reads such as `x[i]`, `x[i, j]`, `x[:, j]`, slices);
* `for` over `range(...)` (with data-dependent bounds such as `range(len(x))`), over the rows of
  an array, over `enumerate(...)` and `zip(...)` of arrays, nested loops;
* `while` loops with data-dependent conditions (usually with an iteration cap);
* `if` / `elif` / `else` on data and on non-differentiated arguments (ints, flags, strings),
  `and` / `or` / `not`, chained comparisons and conditional expressions;
* `break` and `continue` inside an `if` inside loops, and `return` inside a top-level `if`.

No in-place writes to array elements, no list building, no calls to functions defined here.
Almost all programs return a scalar; the last section returns arrays.
"""

import math

import numpy as np

# =================================================================================================
# for-range loops
# =================================================================================================


def power_by_repeated_multiplication(x, n):
    result = 1.0
    for i in range(n):
        result = result * x
    return result


def horner_polynomial(coeffs, x):
    acc = 0.0
    for i in range(len(coeffs)):
        acc = acc * x + coeffs[i]
    return acc


def taylor_exp(x, n_terms):
    term = 1.0
    total = 1.0
    for k in range(1, n_terms):
        term = term * x / k
        total = total + term
    return total


def taylor_sin(x, n_terms):
    term = x
    total = x
    for k in range(1, n_terms):
        term = -term * x * x / ((2 * k) * (2 * k + 1))
        total = total + term
    return total


def geometric_series_sum(r, n):
    total = 0.0
    power = 1.0
    for i in range(n):
        total = total + power
        power = power * r
    return total


def compound_interest(rate, principal, years):
    balance = principal
    for year in range(years):
        balance = balance * (1.0 + rate)
    return balance


def euler_exponential_decay(k, y0, steps):
    dt = 0.01
    y = y0
    for i in range(steps):
        y = y - dt * k * y
    return y


def logistic_growth_euler(r, y0, steps):
    y = y0
    for i in range(steps):
        y = y + 0.05 * r * y * (1.0 - y)
    return y


def fixed_point_cosine(x0, iterations):
    x = x0
    for i in range(iterations):
        x = math.cos(x)
    return x


def newton_square_root(a, iterations):
    x = a
    for i in range(iterations):
        x = 0.5 * (x + a / x)
    return x


def sum_of_inverse_squares(x, n):
    total = 0.0
    for k in range(1, n + 1):
        total = total + 1.0 / (k + x) ** 2
    return total


def log1p_series(x, n):
    total = 0.0
    sign = 1.0
    for k in range(1, n + 1):
        total += sign * x ** k / k
        sign = -sign
    return total


def fourier_sine_partial_sum(x, n):
    total = 0.0
    for k in range(n):
        total = total + np.sin((2 * k + 1) * x) / (2 * k + 1)
    return total


def dot_product_loop(x, y):
    total = 0.0
    for i in range(len(x)):
        total = total + x[i] * y[i]
    return total


def squared_norm_loop(x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] ** 2
    return total


def product_of_elements_loop(x):
    result = 1.0
    for i in range(len(x)):
        result = result * x[i]
    return result


def neighbour_difference_energy(x):
    energy = 0.0
    for i in range(len(x) - 1):
        diff = x[i + 1] - x[i]
        energy = energy + diff * diff
    return energy


def strided_sum_of_squares(x, step):
    total = 0.0
    for i in range(0, len(x), step):
        total = total + x[i] * x[i]
    return total


def reverse_discounted_sines(x):
    total = 0.0
    weight = 1.0
    for i in range(len(x) - 1, -1, -1):
        total = total + weight * np.sin(x[i])
        weight = weight * 0.5
    return total


def gaussian_window_sum(x, start, stop):
    total = 0.0
    for i in range(start, stop):
        total = total + np.exp(-x[i] ** 2)
    return total


def discounted_return(rewards, gamma):
    g = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
    return g


def chebyshev_polynomial(x, n):
    t_prev = 1.0
    t_curr = x
    for k in range(1, n):
        t_next = 2.0 * x * t_curr - t_prev
        t_prev = t_curr
        t_curr = t_next
    return t_curr


def legendre_polynomial(x, n):
    p_prev = 1.0
    p_curr = x
    for k in range(1, n):
        p_prev, p_curr = p_curr, ((2 * k + 1) * x * p_curr - k * p_prev) / (k + 1)
    return p_curr


def fibonacci_recurrence(a, b, n):
    for i in range(n):
        a, b = b, a + b
    return a


def gradient_descent_quadratic(x0, learning_rate, steps):
    x = x0
    for step in range(steps):
        grad = 2.0 * (x - 3.0) + 0.5 * np.sin(x)
        x = x - learning_rate * grad
    return x * x


def heavy_ball_momentum(x0, learning_rate, beta, steps):
    x = x0
    velocity = 0.0
    for i in range(steps):
        grad = 4.0 * (x - 1.0) + np.cos(x)
        velocity = beta * velocity - learning_rate * grad
        x = x + velocity
    return (x - 1.0) ** 2


def leapfrog_oscillator_energy(q0, p0, omega, steps):
    dt = 0.05
    q = q0
    p = p0
    for i in range(steps):
        p = p - 0.5 * dt * omega ** 2 * q
        q = q + dt * p
        p = p - 0.5 * dt * omega ** 2 * q
    return 0.5 * p ** 2 + 0.5 * omega ** 2 * q ** 2


def midpoint_pendulum_angle(theta0, omega0, steps):
    dt = 0.02
    theta = theta0
    omega = omega0
    for i in range(steps):
        theta_mid = theta + 0.5 * dt * omega
        omega_mid = omega - 0.5 * dt * 9.81 * math.sin(theta)
        theta = theta + dt * omega_mid
        omega = omega - dt * 9.81 * math.sin(theta_mid)
    return theta


def recurrent_tanh_cell(W, x, steps):
    h = np.zeros(3)
    for t in range(steps):
        h = np.tanh(0.5 * (W.T @ (W @ h)) + x)
    return np.sum(h ** 2)


def power_iteration_rayleigh(W, v, steps):
    M = W.T @ W
    for i in range(steps):
        v = M @ v
        v = v / np.sqrt(np.sum(v * v))
    return v @ (M @ v)


def accumulate_scaled_copies(x, w):
    total = np.zeros(3)
    for i in range(len(x)):
        total = total + x[i] * w
    return np.sum(np.tanh(total))


def column_weighted_energy(X):
    total = 0.0
    for j in range(X.shape[1]):
        total = total + (j + 1) * np.sum(X[:, j] ** 2)
    return total


def row_log_sum_exp_total(X):
    total = 0.0
    for i in range(X.shape[0]):
        total = total + np.log(np.sum(np.exp(X[i])))
    return total


def running_mean_squared(x):
    mean = 0.0
    for i in range(len(x)):
        mean = mean + (x[i] - mean) / (i + 1)
    return mean * mean


def exponential_moving_average(x, alpha):
    ema = x[0]
    for i in range(1, len(x)):
        ema = alpha * x[i] + (1.0 - alpha) * ema
    return ema


def relaxation_towards_mean(u, steps):
    for i in range(steps):
        u = u + 0.3 * (np.mean(u) - u) + 0.01 * np.sin(u)
    return np.sum(u ** 2)


def polynomial_from_roots(roots, x):
    value = 1.0
    for i in range(len(roots)):
        value = value * (x - roots[i])
    return value


def trapezoid_integral_of_exp(a, b, n):
    h = (b - a) / n
    total = 0.5 * (math.exp(a) + math.exp(b))
    for i in range(1, n):
        total = total + math.exp(a + i * h)
    return total * h


def batch_squared_error_loop(W, X, Y):
    total = 0.0
    for i in range(X.shape[0]):
        residual = W @ X[i] - Y[i]
        total = total + np.sum(residual ** 2)
    return total / X.shape[0]


def repeated_smoothing_of_matrix(X, steps):
    for i in range(steps):
        X = 0.5 * X + 0.5 * np.mean(X, axis=0) + 0.1 * np.tanh(X)
    return np.sum(X * X)


def int_cast_trip_count(x, k):
    total = x
    for i in range(int(k)):
        total = total * 0.9 + np.sqrt(total + 1.0)
    return total


# =================================================================================================
# nested loops
# =================================================================================================


def distance_weighted_pair_sum(x):
    total = 0.0
    for i in range(len(x)):
        for j in range(len(x)):
            total = total + x[i] * x[j] / (1 + abs(i - j))
    return total


def pairwise_repulsion_energy(x):
    energy = 0.0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            d = x[i] - x[j]
            energy = energy + 1.0 / (1.0 + d * d)
    return energy


def matrix_vector_tanh_loop(W, x):
    total = 0.0
    for i in range(W.shape[0]):
        row_value = 0.0
        for j in range(W.shape[1]):
            row_value = row_value + W[i, j] * x[j]
        total = total + np.tanh(row_value)
    return total


def frobenius_norm_loop(X):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total = total + X[i, j] ** 2
    return np.sqrt(total)


def triangular_double_sum(x, n):
    total = 0.0
    for i in range(n):
        for j in range(i):
            total = total + math.sin(x * (j + 1)) / (i + 1)
    return total


def nested_power_series(x, outer, inner):
    result = 1.0
    for i in range(outer):
        factor = 1.0
        for j in range(inner):
            factor = factor * x
        result = result + factor / (i + 1)
    return result


def bilinear_form_loop(x, W, y):
    total = 0.0
    for i in range(len(x)):
        for j in range(len(y)):
            total = total + x[i] * W[i, j] * y[j]
    return total


def substepped_cubic_decay(y0, k, steps, substeps):
    y = y0
    dt = 0.1 / substeps
    for step in range(steps):
        for sub in range(substeps):
            y = y - dt * k * (y + y ** 3)
    return y


def rows_then_entries_weighted(X, w):
    total = 0.0
    for row in X:
        for j in range(len(row)):
            total = total + row[j] ** 2 * w[j]
    return total


def convolution_energy(x, kernel):
    total = 0.0
    for i in range(len(x) - len(kernel) + 1):
        acc = 0.0
        for j in range(len(kernel)):
            acc = acc + x[i + j] * kernel[j]
        total = total + acc * acc
    return total


def gaussian_kernel_sum(X):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[0]):
            total = total + np.exp(-np.sum((X[i] - X[j]) ** 2))
    return total


def upper_triangle_with_diagonal_term(x, n):
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i < j:
                total = total + x ** 2 * (j - i)
            elif i == j:
                total = total + math.sin(x)
    return total


def three_level_nested_sum(x, a, b, c):
    total = 0.0
    for i in range(a):
        for j in range(b):
            for k in range(c):
                total = total + x ** (i + j + k) / (1 + i + j + k)
    return total


def pairwise_row_distances(X):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(i + 1, X.shape[0]):
            total = total + np.sqrt(np.sum((X[i] - X[j]) ** 2) + 1.0)
    return total


def time_steps_with_spatial_energy(u, steps):
    energy = 0.0
    for t in range(steps):
        u = u - 0.1 * (u - np.mean(u)) ** 3 - 0.05 * u
        for i in range(len(u) - 1):
            energy = energy + (u[i + 1] - u[i]) ** 2
    return energy


# =================================================================================================
# while loops
# =================================================================================================


def multiply_until(a, x):
    while x < 10.0:
        x = x * a
    return x


def halve_until_below_one(x):
    while x > 1.0:
        x = x * 0.5
    return x * x + x


def double_until_above(x, limit):
    steps = 0
    while x < limit and steps < 100:
        x = 2.0 * x + 0.1
        steps = steps + 1
    return x


def grow_population_until(rate, population):
    years = 0
    while population < 1000.0 and years < 500:
        population = population * (1.0 + rate)
        years = years + 1
    return population / (years + 1)


def newton_sqrt_until_converged(a):
    x = a
    steps = 0
    while abs(x * x - a) > 1e-10 and steps < 50:
        x = 0.5 * (x + a / x)
        steps = steps + 1
    return x


def shrink_vector_until_unit(v):
    while np.sum(v * v) > 1.0:
        v = v * 0.8
    return np.sum(v ** 3)


def grow_vector_until_sum(v, limit):
    steps = 0
    while np.sum(v) < limit and steps < 200:
        v = v * 1.3 + 0.05
        steps = steps + 1
    return np.sum(np.sqrt(v))


def grow_until_max_element(v):
    while np.max(v) < 5.0:
        v = v * 1.5 + 0.1 * np.sin(v)
    return np.mean(v)


def collatz_weighted(x, n):
    value = x
    while n != 1:
        if n % 2 == 0:
            n = n // 2
            value = value * 0.5 + 1.0
        else:
            n = 3 * n + 1
            value = math.sin(value) + value
    return value


def bisection_then_newton_root(a):
    low = 0.0
    high = 4.0
    while high - low > 1e-3:
        mid = 0.5 * (low + high)
        if mid * mid > a:
            high = mid
        else:
            low = mid
    x = 0.5 * (low + high)
    return x - (x * x - a) / (2.0 * x)


def damped_oscillation_until_small(x, damping):
    steps = 0
    while abs(x) > 0.01 and steps < 1000:
        x = -x * damping
        steps = steps + 1
    return x


def gradient_descent_until_flat(x, learning_rate):
    grad = 2.0 * (x - 2.0) + 0.4 * x ** 3
    steps = 0
    while abs(grad) > 1e-3 and steps < 500:
        x = x - learning_rate * grad
        grad = 2.0 * (x - 2.0) + 0.4 * x ** 3
        steps = steps + 1
    return x


def spend_until_budget(unit_cost, budget):
    spent = 0.0
    value = 0.0
    k = 0
    while spent < budget:
        k = k + 1
        cost = unit_cost * k
        spent = spent + cost
        value = value + math.sqrt(cost)
    return value


def projectile_range(speed, angle):
    dt = 0.01
    x = 0.0
    y = 1.0
    vx = speed * math.cos(angle)
    vy = speed * math.sin(angle)
    steps = 0
    while y > 0.0 and steps < 10000:
        x = x + dt * vx
        y = y + dt * vy
        vy = vy - dt * 9.81
        vx = vx * 0.999
        steps = steps + 1
    return x


def exp_series_until_small_term(x):
    term = 1.0
    total = 1.0
    k = 0
    while abs(term) > 1e-8:
        k = k + 1
        term = term * x / k
        total = total + term
    return total


def nested_while_growth(x, limit):
    total = 0.0
    while total < limit:
        y = x
        while y < 2.0:
            y = y * 1.5
        total = total + y
        x = x + 0.3
    return total


def loan_balance_after_payoff(rate, payment):
    balance = 100.0
    months = 0
    while balance > 0.0 and months < 600:
        balance = balance * (1.0 + rate) - payment
        months = months + 1
    return balance


def cool_until_near_ambient(temperature, k):
    while temperature - 20.0 > 0.5:
        temperature = temperature - k * (temperature - 20.0)
    return temperature


# =================================================================================================
# branches
# =================================================================================================


def leaky_relu_scalar(x):
    if x > 0.0:
        y = x
    else:
        y = 0.01 * x
    return y


def piecewise_three_regions(x):
    if x < -1.0:
        y = math.exp(x + 1.0)
    elif x < 1.0:
        y = 1.0 + x + x * x
    else:
        y = 3.0 * math.log(x) + 3.0
    return y


def huber_loss(residual, delta):
    if abs(residual) <= delta:
        loss = 0.5 * residual ** 2
    else:
        loss = delta * (abs(residual) - 0.5 * delta)
    return loss


def clip_by_branches(x, low, high):
    if x < low:
        y = low
    elif x > high:
        y = high
    else:
        y = x
    return y * y + y


def activation_by_name(x, name):
    if name == "tanh":
        y = np.tanh(x)
    elif name == "sigmoid":
        y = 1.0 / (1.0 + np.exp(-x))
    elif name == "softplus":
        y = np.log1p(np.exp(x))
    else:
        y = x
    return np.sum(y * y)


def regression_loss_by_kind(pred, target, kind):
    residual = pred - target
    if kind == "l2":
        loss = np.mean(residual ** 2)
    elif kind == "logcosh":
        loss = np.mean(np.log(np.cosh(residual)))
    else:
        loss = np.mean(np.sqrt(residual ** 2 + 1.0) - 1.0)
    return loss


def polynomial_by_degree_flag(x, degree):
    if degree == 1:
        y = 2.0 * x + 1.0
    elif degree == 2:
        y = x * x - 3.0 * x
    else:
        y = x ** 3 - x
    return y


def optional_normalization(v, normalize):
    if normalize:
        v = v / np.sqrt(np.sum(v * v))
    return v[0] - 2.0 * v[1] + 0.5 * v[2]


def optional_bias(x, use_bias, bias):
    y = np.tanh(x) * 2.0
    if use_bias:
        y = y + bias
    return np.sum(y ** 2)


def unit_interval_bump(x):
    if 0.0 < x < 1.0:
        y = x * x * (1.0 - x) ** 2
    else:
        y = 0.1 * math.sin(x)
    return y


def smoothstep(x):
    if x < 0.0:
        y = 0.0
    elif x > 1.0:
        y = 1.0
    else:
        y = x * x * (3.0 - 2.0 * x)
    return y


def sign_pattern_combination(x, y):
    if x > 0.0 and y > 0.0:
        z = x * y
    elif x > 0.0 or y > 0.0:
        z = x + y + x * y
    else:
        z = math.exp(x + y)
    return z


def not_above_threshold(x, threshold):
    if not x > threshold:
        y = x ** 3
    else:
        y = 2.0 * x * threshold
    return y


def conditional_expression_scalar(x):
    y = x * x if x > 1.0 else 2.0 * x - 1.0
    return y + math.sin(y)


def conditional_expression_on_sum(w, x):
    scale = np.sum(w) if np.sum(w) > 1.0 else 1.0
    return np.sum(np.tanh(w * x)) * scale


def nested_conditional_expression(x):
    y = math.exp(x) if x < 0.0 else (1.0 + x if x < 2.0 else 3.0 + 0.5 * (x - 2.0) ** 2)
    return y * y


def quadrant_dependent(x, y):
    if x > 0.0:
        if y > 0.0:
            r = x * y
        else:
            r = x - y
    else:
        if y > 0.0:
            r = y * y - x
        else:
            r = math.exp(x + y)
    return r


def renormalize_if_too_long(v):
    norm = np.sqrt(np.sum(v * v))
    if norm > 1.0:
        v = v / norm
    return v[0] - 2.0 * v[1] + 0.5 * v[2]


def branch_on_matrix_mean(X):
    if np.mean(X) > 0.0:
        y = np.sum(X ** 2, axis=1)
    else:
        y = np.sum(np.exp(X), axis=1)
    return np.sum(np.sqrt(y + 1.0))


def branch_on_first_elements(x):
    if x[0] > x[1]:
        y = x[0] * 2.0 - x[2] ** 2
    else:
        y = x[1] * x[2]
    return y


def progressive_tax(income):
    if income <= 10.0:
        tax = 0.1 * income
    elif income <= 40.0:
        tax = 1.0 + 0.2 * (income - 10.0)
    elif income <= 100.0:
        tax = 7.0 + 0.3 * (income - 40.0)
    else:
        tax = 25.0 + 0.45 * (income - 100.0)
    return tax


def safe_log_with_linear_extension(x):
    if x > 0.1:
        y = math.log(x)
    else:
        y = math.log(0.1) + (x - 0.1) / 0.1
    return y


def reduction_by_number_of_dimensions(x):
    if np.ndim(x) == 2:
        y = np.sum(np.mean(x, axis=0) ** 2)
    elif np.ndim(x) == 1:
        y = np.sum(x ** 2) / len(x)
    else:
        y = x ** 2
    return y


def scale_by_length(x):
    if len(x) > 3:
        w = 0.5
    else:
        w = 2.0
    return w * np.sum(np.sin(x))


def reassigned_only_when_greater(x, y):
    scale = 1.0
    offset = 0.0
    if x > y:
        scale = x - y
        offset = y
    return scale * math.cos(offset) + x


def if_without_else(x):
    y = x * 2.0
    if y > 3.0:
        y = y - math.sqrt(y)
    return y * x


def inside_band_product(x, low, high):
    if low < x < high:
        y = (x - low) * (high - x)
    else:
        y = -(x - low) * (high - x)
    return y


def mode_and_sign_branch(x, mode):
    if mode == 0 and x > 0.0:
        y = math.sqrt(x)
    elif mode == 0 or x > 0.0:
        y = x * x
    else:
        y = math.exp(x)
    return y


def hard_or_soft_maximum(x, hard):
    if hard:
        y = x[np.argmax(x)]
    else:
        e = np.exp(x - np.max(x))
        y = np.sum(x * e / np.sum(e))
    return y


def branch_on_dot_product(w, x):
    s = w @ x
    if s > 0.5:
        y = math.log(s)
    elif s > -0.5:
        y = s - 0.5 - math.log(2.0)
    else:
        y = -s * s
    return y


# =================================================================================================
# break and continue
# =================================================================================================


def sum_squares_until_limit(x, limit):
    total = 0.0
    for i in range(len(x)):
        if total > limit:
            break
        total = total + x[i] ** 2
    return total


def sum_of_positive_entries(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] < 0.0:
            continue
        total = total + x[i] ** 1.5
    return total


def sum_even_positions(x):
    total = 0.0
    for i in range(len(x)):
        if i % 2 == 1:
            continue
        total = total + np.sin(x[i])
    return total


def stop_at_index(x, k):
    total = 0.0
    for i in range(len(x)):
        if i == k:
            break
        total = total + np.exp(x[i])
    return total


def exp_series_with_break(x):
    term = 1.0
    total = 1.0
    for k in range(1, 200):
        term = term * x / k
        total = total + term
        if abs(term) < 1e-12:
            break
    return total


def fixed_point_with_tolerance(x0, a):
    x = x0
    for i in range(500):
        x_new = a * math.cos(x)
        if abs(x_new - x) < 1e-9:
            x = x_new
            break
        x = x_new
    return x


def first_crossing_position(x, threshold):
    position = 0.0
    for i in range(1, len(x)):
        if x[i] > threshold:
            position = (i - 1) + (threshold - x[i - 1]) / (x[i] - x[i - 1])
            break
    return position


def break_inner_loop_on_large_entry(X, limit):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j] > limit:
                break
            total = total + X[i, j] ** 2
    return total


def skip_diagonal_pairs(x):
    total = 0.0
    for i in range(len(x)):
        for j in range(len(x)):
            if i == j:
                continue
            total = total + x[i] * x[j] ** 2
    return total


def break_both_loops_with_flag(X, limit):
    total = 0.0
    done = False
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total = total + np.tanh(X[i, j]) + 1.0
            if total > limit:
                done = True
                break
        if done:
            break
    return total


def while_with_break_and_continue(x, limit):
    i = 0
    total = 0.0
    while i < 100:
        i = i + 1
        if i % 3 == 0:
            continue
        total = total + x / i
        if total > limit:
            break
    return total


def skip_small_elements(x, cutoff):
    total = 0.0
    count = 0
    for i in range(len(x)):
        if abs(x[i]) < cutoff:
            continue
        total = total + x[i] ** 2
        count = count + 1
    return total / (count + 1)


def first_heavy_row_energy(X, limit):
    result = 0.0
    for row in X:
        if np.sum(row) > limit:
            result = np.sum(row ** 2)
            break
    return result


def power_until_exceeds(x, limit):
    y = 1.0
    for i in range(1000):
        y = y * x
        if y > limit:
            break
    return y


def continue_on_negative_score(X, w):
    total = 0.0
    for row in X:
        score = row @ w
        if score < 0.0:
            continue
        total = total + score ** 2
    return total


def early_stopping_training(w, learning_rate, max_steps):
    loss = (w - 3.0) ** 2 + 1.0
    for i in range(max_steps):
        w = w - learning_rate * 2.0 * (w - 3.0)
        new_loss = (w - 3.0) ** 2 + 1.0
        if loss - new_loss < 1e-6:
            break
        loss = new_loss
    return loss


# =================================================================================================
# early return
# =================================================================================================


def absolute_value_early_return(x):
    if x < 0.0:
        return -x
    return x


def safe_sqrt_early_return(x):
    if x <= 0.0:
        return 0.5 * x * x
    return math.sqrt(x)


def empty_loop_guard(x, n):
    if n == 0:
        return x * x
    total = 0.0
    for i in range(n):
        total = total + x ** (i + 1)
    return total / n


def reduction_by_mode_early_return(x, mode):
    if mode == "mean":
        return np.mean(x ** 2)
    if mode == "max":
        return np.max(x)
    return np.sum(np.exp(x))


def early_return_after_loop(x, limit):
    total = 0.0
    for i in range(len(x)):
        total = total + x[i] ** 2
    if total > limit:
        return limit + math.log(total - limit + 1.0)
    return total


def normalized_cubes_with_guard(v):
    norm_sq = np.sum(v * v)
    if norm_sq < 1e-2:
        return norm_sq
    v = v / np.sqrt(norm_sq)
    return np.sum(v ** 3)


def multiple_early_returns(x):
    if x < -2.0:
        return -1.0 - x
    if x < 0.0:
        return x * x - 3.0
    if x < 3.0:
        return math.sin(x)
    return math.log(x)


def early_return_in_elif(x, y):
    if x > y:
        return x - y
    elif x < -y:
        return (x + y) ** 2
    return x * y


def early_return_in_if_and_else(x):
    if x > 1.0:
        return math.log(x)
    else:
        return x - 1.0


def early_return_before_loop(x, n):
    if x > 10.0:
        return x
    for i in range(n):
        x = x * 1.1 + 0.5
    return x


def guard_clause_then_while(x):
    if x <= 0.0:
        return -x * 0.5
    steps = 0
    while x < 8.0 and steps < 50:
        x = x * x + 0.5
        steps = steps + 1
    return x


# =================================================================================================
# loops over arrays: for row in X, enumerate, zip
# =================================================================================================


def row_tanh_weighted_sum(X, w):
    total = 0.0
    for row in X:
        total = total + np.sum(np.tanh(row) * w)
    return total


def enumerate_rows_weighted(X):
    total = 0.0
    for i, row in enumerate(X):
        total = total + (i + 1) * np.sum(row ** 2)
    return total


def zip_rows_squared_distance(X, Y):
    total = 0.0
    for a, b in zip(X, Y):
        total = total + np.sum((a - b) ** 2)
    return total


def iterate_entries_of_vector(x):
    total = 0.0
    for xi in x:
        total = total + xi * np.exp(-xi)
    return total


def gaussian_log_likelihood_zip(x, mu):
    total = 0.0
    for a, m in zip(x, mu):
        total = total - 0.5 * (a - m) ** 2
    return total


def enumerate_coefficients_polynomial(coeffs, x):
    total = 0.0
    for k, c in enumerate(coeffs):
        total = total + c * x ** k
    return total


def row_softmax_entropy(X):
    total = 0.0
    for row in X:
        e = np.exp(row - np.max(row))
        p = e / np.sum(e)
        total = total - np.sum(p * np.log(p))
    return total


def attention_pooling_over_rows(X, q):
    weighted = 0.0
    norm = 0.0
    for row in X:
        s = np.exp(row @ q)
        weighted = weighted + s * np.sum(row)
        norm = norm + s
    return weighted / norm


def zip_weights_and_rows(ws, X):
    total = 0.0
    for w, row in zip(ws, X):
        total = total + w * np.sum(np.sin(row))
    return total


def nearest_centroid_energy(X, c0, c1):
    total = 0.0
    for row in X:
        d0 = np.sum((row - c0) ** 2)
        d1 = np.sum((row - c1) ** 2)
        total = total + (d0 if d0 < d1 else d1)
    return total


def accumulate_row_squares(X):
    total = np.zeros(X.shape[1])
    for row in X:
        total = total + row * row
    return np.sum(np.sqrt(total + 1.0))


def rows_then_values_cubed(X):
    total = 0.0
    for row in X:
        for v in row:
            total = total + v * v * v
    return total


def log_of_positive_row_scores(X, w):
    total = 0.0
    for row in X:
        score = np.sum(row * w)
        if score > 0.0:
            total = total + np.log1p(score)
    return total


def enumerate_skip_first_row(X):
    total = 0.0
    for i, row in enumerate(X):
        if i == 0:
            continue
        total = total + np.sum(np.cos(row)) / i
    return total


def clipped_row_norms_sum(X, max_norm):
    total = 0.0
    for row in X:
        n = np.sqrt(np.sum(row * row))
        if n > max_norm:
            clipped = row * (max_norm / n)
        else:
            clipped = row
        total = total + np.sum(clipped)
    return total


def hinge_loss_loop(X, labels, w):
    total = 0.0
    for row, label in zip(X, labels):
        margin = label * (row @ w)
        if margin < 1.0:
            total = total + 1.0 - margin
    return total


# =================================================================================================
# mixed: loops with branches, state machines, simulations
# =================================================================================================


def seed_control_flow(x, y):
    output = 1.0
    for i in range(y):
        if i > 1 and i < 5:
            output = output * x
    return output


def bouncing_ball_height(h0, restitution):
    dt = 0.01
    h = h0
    v = 0.0
    for step in range(300):
        v = v - 9.81 * dt
        h = h + v * dt
        if h < 0.0:
            h = -h * restitution
            v = -v * restitution
    return h


def gradient_clipped_descent(w, target, learning_rate, steps, max_norm):
    for i in range(steps):
        g = 2.0 * (w - target)
        norm = np.sqrt(np.sum(g * g))
        if norm > max_norm:
            g = g * (max_norm / norm)
        w = w - learning_rate * g
    return np.sum((w - target) ** 2)


def leaky_network_loop(W, x, layers):
    h = x
    for layer in range(layers):
        z = 0.5 * (W.T @ (W @ h)) - 0.2
        h = np.where(z > 0.0, z, 0.1 * z)
    return np.sum(h ** 2)


def piecewise_integrand_trapezoid(a, b, n):
    h = (b - a) / n
    total = 0.0
    for i in range(n + 1):
        t = a + i * h
        if t < 1.0:
            f = t * t
        else:
            f = 2.0 * t - 1.0
        weight = 0.5 if i == 0 or i == n else 1.0
        total = total + weight * f
    return total * h


def huber_loss_sum_loop(r, delta):
    total = 0.0
    for i in range(len(r)):
        a = abs(r[i])
        if a <= delta:
            total = total + 0.5 * a * a
        else:
            total = total + delta * (a - 0.5 * delta)
    return total


def soft_threshold_energy(x, lam):
    total = 0.0
    for i in range(len(x)):
        if x[i] > lam:
            s = x[i] - lam
        elif x[i] < -lam:
            s = x[i] + lam
        else:
            s = 0.0
        total = total + s * s
    return total


def sorting_network_weighted(x):
    a = x[0]
    b = x[1]
    c = x[2]
    if a > b:
        a, b = b, a
    if b > c:
        b, c = c, b
    if a > b:
        a, b = b, a
    return a + 2.0 * b + 3.0 * c


def logistic_map_with_reset(r, x0, steps):
    x = x0
    total = 0.0
    for i in range(steps):
        x = r * x * (1.0 - x)
        if x > 0.7:
            x = x - 0.4
        total = total + x
    return total


def inventory_cost_simulation(demand_scale, reorder_level, steps):
    stock = 10.0
    cost = 0.0
    for day in range(steps):
        demand = demand_scale * (1.0 + 0.5 * math.sin(day))
        stock = stock - demand
        if stock < reorder_level:
            stock = stock + 20.0
            cost = cost + 5.0
        cost = cost + 0.1 * stock * stock
    return cost


def adaptive_euler_decay(k, y0):
    t = 0.0
    y = y0
    h = 0.1
    while t < 0.95:
        if h * k > 0.5:
            h = h * 0.5
            continue
        y = y - h * k * y
        t = t + h
    return y


def damped_newton_cube_root(a):
    x = 1.0
    for i in range(30):
        f = x ** 3 - a
        step = f / (3.0 * x ** 2)
        if abs(step) > 1.0:
            step = step / abs(step)
        x = x - step
    return x


def piecewise_linear_interpolation(xs, ys, t):
    value = ys[0]
    for i in range(len(xs) - 1):
        if xs[i] <= t < xs[i + 1]:
            w = (t - xs[i]) / (xs[i + 1] - xs[i])
            value = (1.0 - w) * ys[i] + w * ys[i + 1]
    return value


def count_then_scale(x, threshold):
    count = 0
    for i in range(len(x)):
        if x[i] > threshold:
            count = count + 1
    return count * np.sum(x ** 2)


def alternating_update_rules(x, n):
    for i in range(n):
        if i % 2 == 0:
            x = x * 1.1
        else:
            x = math.sin(x) + 0.5
    return x


def data_and_index_conditions(x, n):
    total = 0.0
    for i in range(n):
        if x > 1.0 and i > 2:
            total = total + x / (i + 1)
        elif x <= 1.0 or i == 0:
            total = total + x * x
        else:
            total = total - math.log(x)
    return total


def backtracking_descent(x, steps):
    step = 1.2
    for i in range(steps):
        grad = 2.0 * (x - 1.0) + 0.3 * math.cos(3.0 * x)
        candidate = x - step * grad
        old = (x - 1.0) ** 2 + 0.1 * math.sin(3.0 * x)
        new = (candidate - 1.0) ** 2 + 0.1 * math.sin(3.0 * candidate)
        if new < old:
            x = candidate
        else:
            step = step * 0.5
    return x


def thermostat_energy(temperature, heater_power, steps):
    heating = False
    energy = 0.0
    for i in range(steps):
        if temperature < 19.0:
            heating = True
        elif temperature > 21.0:
            heating = False
        if heating:
            temperature = temperature + 0.5 * heater_power
            energy = energy + heater_power
        temperature = temperature - 0.05 * (temperature - 10.0)
    return energy + temperature


def two_phase_optimizer(x, steps, switch):
    for i in range(steps):
        if i < switch:
            x = x - 0.1 * (x - 2.0)
        else:
            x = x - 0.01 * math.sin(x)
    return x


def perceptron_training(X, labels, w, epochs):
    for epoch in range(epochs):
        for row, label in zip(X, labels):
            if label * (row @ w) <= 0.0:
                w = w + 0.1 * label * row
    return np.sum(w * w) + np.sum(w)


def running_maximum(x):
    best = x[0]
    for i in range(1, len(x)):
        if x[i] > best:
            best = x[i]
    return best


def minimum_row_sum(X):
    best = np.sum(X[0])
    for row in X:
        s = np.sum(row)
        if s < best:
            best = s
    return best * best


def relu_sum_by_elements(x):
    total = 0.0
    for xi in x:
        if xi > 0.0:
            total = total + xi
    return total


# =================================================================================================
# array-valued results (checked with check_grads, which accepts outputs of any shape)
# =================================================================================================


def grow_vector_until_sum_exceeds(v):
    while np.sum(v) < 10.0:
        v = v * 1.5 + 0.1
    return v


def normalize_if_long_else_double(v):
    if np.sum(v * v) > 1.0:
        return v / np.sqrt(np.sum(v * v))
    return v * 2.0


def rows_recurrent_state(X):
    h = np.zeros(X.shape[1])
    for row in X:
        h = np.tanh(h + row)
    return h


def iterate_cosine_map_until_converged(v):
    for i in range(200):
        v_new = 0.5 * np.cos(v)
        if np.max(np.abs(v_new - v)) < 1e-10:
            break
        v = v_new
    return v


def square_or_exponentiate_matrix(X):
    if np.mean(X) > 0.0:
        Y = X * X
    else:
        Y = np.exp(X)
    return Y


def accumulate_rows_until_sum(X, start):
    total = start
    i = 0
    while np.sum(total) < 3.0 and i < len(X):
        total = total + X[i] * X[i]
        i = i + 1
    return total
