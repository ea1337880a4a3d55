"""A corpus of small, realistic programs with calls and data structures, for testing reverse mode.

Every public function is differentiated by tests/test_calls_and_data_corpus.py, on several input
sets (different branches and trip counts where the program has them). The programs exercise:

* CALLS: to functions of this module (the `_`-prefixed helpers, and other programs) and of
  tests/programs/calls_helpers.py, with positional, keyword and default arguments, several
  results (`m, s = stats(x)`), inside loops and branches; closures made by a factory outside the
  differentiated code; functions passed as arguments (Python functions, closures, `np.tanh`);
  callees taking `*args`; methods of objects (`model(x)`, `model.forward(x)`, `self.l1(x)`,
  `model.predict(x)`) with the object passed in or held in a module-level global;
* DATA: tuple, list and dict displays of differentiated values, unpacking (`a, b = pair`,
  `first, *rest = items`, `*init, last = items`), `list.append` in loops then `np.stack`, `sum`,
  `hs[-1]`, `for h in hs`; `np.concatenate`, `np.vstack`, `np.hstack`, `np.array([a, b])`;
  indexing and slicing lists, `len`; lists, tuples and dicts passed as arguments; `isinstance`,
  `range`, ints, strings and bools flowing through; attributes such as `x.shape` and `x.T`.

Every program returns a scalar. No nested function definitions or lambdas inside the programs:
closures are made in calls_helpers.py or at module level here.
"""

import numpy as np

from programs import calls_helpers as ch
from programs.calls_helpers import MLP, Linear, stats

# ---- module-level models and closures ------------------------------------------------------

MODEL = MLP(ch.W1, ch.B1, ch.W2, ch.B2)
HEAD = Linear(np.array([[0.6], [-0.4]]), np.array([0.1]))
SHRINK = ch.make_scaler(0.8)
PROJECT = ch.make_affine(np.array([[0.5, -0.2], [0.3, 0.9], [-0.7, 0.4]]), np.array([0.1, -0.1]))
WEIGHTS = {"data": 1.0, "smooth": 0.3}


# ---- helpers of this module (called by the programs) ---------------------------------------


def _dense(x, w, b=0.0, activation="tanh"):
    z = x @ w + b
    if activation == "tanh":
        return np.tanh(z)
    if activation == "softplus":
        return np.log1p(np.exp(z))
    return z


def _mlp(params, x):
    h = _dense(x, params["W1"], params["b1"])
    return _dense(h, params["W2"], activation="linear")


def _smooth_abs(x, eps=1e-2):
    return np.sqrt(x * x + eps)


def _rnn_step(h, x, W, U):
    return np.tanh(h @ W + x @ U)


def _split_mean(x, k):
    return np.mean(x[:k]), np.mean(x[k:])


def _sequence_states(W, U, xs):
    h = np.zeros(W.shape[0])
    hs = []
    for x in xs:
        h = _rnn_step(h, x, W, U)
        hs.append(h)
    return hs


# =================================================================================================
# calls: plain functions, keyword and default arguments, several results
# =================================================================================================


def standardized_energy(x, shift):
    m, v = stats(x + shift)
    return m * m + v


def layer_norm_loss(x, gain):
    y = ch.normalize(x) * gain
    return np.sum(y ** 3) + np.sum(ch.normalize(x, eps=0.1) * gain)


def keyword_and_default_arguments(x, w):
    a = ch.softplus(x, beta=2.0)
    b = ch.soft_clip(x)
    c = ch.soft_clip(w, limit=0.5)
    return np.sum(a * b) + ch.squared_error(c, x, weight=0.3) + ch.squared_error(a, w)


def two_dense_layers(W1, b1, W2, x):
    h = _dense(x, W1, b1)
    y = _dense(h, W2, activation="softplus")
    return np.sum(y)


def dense_activation_by_name(x, w, activation):
    y = _dense(x, w, 0.1, activation)
    if activation == "linear":
        return np.sum(y ** 2)
    return np.sum(y)


def calls_in_a_loop(x, n):
    for k in range(n):
        x = ch.soft_clip(x * 1.5, limit=1.0 + k)
    return np.sum(x ** 2)


def call_chosen_by_mode(x, mode):
    if mode == "softplus":
        y = ch.softplus(x)
    elif mode == "clip":
        y = ch.soft_clip(x, 0.7)
    else:
        y = _smooth_abs(x)
    return np.sum(y * x)


def call_in_branch_on_data(x, w):
    if np.sum(x * w) > 0.0:
        m, v = stats(x * w)
        return m + v
    y = ch.affine(x, w)
    return y * y


def polar_energy(x, y):
    r, c, s = ch.polar(x, y)
    if r > 1.0:
        return r * c + s ** 2
    return c - s * r


def polar_of_rows(points):
    out = 0.0
    for p in points:
        r, c, s = ch.polar(p[0], p[1])
        out = out + r * c * s
    return out


def stats_in_a_loop(x, n):
    total = 0.0
    for k in range(1, n + 1):
        m, v = stats(x ** k)
        total = total + m / k + v
    return total


def split_means(x, k):
    left, right = _split_mean(x, k)
    return left * right + left ** 2


def tuple_result_indexed(x, w):
    result = stats(x * w)
    return result[0] * result[1] + np.sum(w) * result[-1]


def varargs_total(a, b, c):
    return ch.total(a, b * 2.0, c) + ch.total(a * b)


def varargs_after_scale(a, b, scale):
    return ch.weighted_total(scale, a, np.sin(b)) + ch.weighted_total(2.0, a * scale)


def loss_of_another_program(x, shift, gain):
    # calls two programs of this corpus
    return standardized_energy(x, shift) + 0.5 * layer_norm_loss(x, gain)


# =================================================================================================
# closures and functions passed as arguments
# =================================================================================================


def closure_from_factory(x, n):
    for _ in range(n):
        x = SHRINK(x) + ch.SCALE_BY_3(x) * 0.1
    return np.sum(x ** 2)


def closure_polynomial_residual(x, y):
    r = ch.CUBIC(x) - y
    return np.sum(r * r) + np.sum(ch.BUMP(x))


def closure_affine_projection(x, target):
    p = PROJECT(x)
    if p.ndim == 2:
        return np.sum((p - target) ** 2) / p.shape[0]
    return np.sum((p - target) ** 2)


def apply_twice_loss(f, x):
    return np.sum(ch.apply_twice(f, x) ** 2)


def apply_twice_known_functions(x, a):
    y = ch.apply_twice(np.tanh, x) + ch.apply_twice(np.sin, x * a)
    return np.sum(y * ch.apply_twice(ch.cube, a))


def compose_given_functions(f, g, x):
    return np.sum(ch.compose(f, g, x) * x)


def iterate_given_map(f, x, n):
    for _ in range(n):
        x = f(x)
    return np.sum(x)


def callee_iterates_given_map(f, x, n):
    y = ch.apply_n(f, x, n)
    if n > 1:
        return np.sum(y * y)
    return np.sum(y)


def map_over_functions_list(fs, x):
    out = 0.0
    for f in fs:
        out = out + np.sum(f(x))
    return out


# =================================================================================================
# methods of objects
# =================================================================================================


def linear_layer_loss(layer, x):
    return np.sum(layer(x) ** 2)


def mlp_regression_loss(model, x, y):
    err = model(x) - y
    return np.sum(err * err) / x.shape[0]


def mlp_forward_method(model, x):
    out = model.forward(x)
    return np.sum(np.tanh(out))


def global_model_loss(x, y):
    pred = HEAD(MODEL(x))
    return np.mean((pred[:, 0] - y) ** 2)


def polynomial_predict_loss(model, x, y):
    r = model.predict(x) - y
    return np.sum(r * r)


def scaler_transform_keywords(scaler, x, power):
    y = scaler.transform(x, power=power)
    return np.sum(y) + np.sum(scaler.transform(x))


def residual_blocks(block, x, n):
    for _ in range(n):
        x = block(x)
    return np.sum(x * x)


def stacked_layers(net, x):
    return np.sum(net(x))


def ensemble_mean_prediction(models, x):
    preds = []
    for m in models:
        preds.append(m(x))
    return np.sum(np.mean(np.stack(preds), axis=0) ** 2)


def layers_from_a_list(layers, x):
    for k in range(len(layers)):
        if k > 0:
            x = np.tanh(x)
        layer = layers[k]
        x = layer(x)
    return np.sum(x)


def global_model_sequence(xs):
    outs = []
    for x in xs:
        outs.append(MODEL(x))
    total = 0.0
    for o in outs:
        total = total + np.sum(o ** 2)
    return total


# =================================================================================================
# tuples, lists and unpacking
# =================================================================================================


def tuple_pair_unpacked(x, y):
    pair = (x * y, x + y)
    a, b = pair
    return np.sum(a * b)


def first_and_rest(x):
    items = [x, 2.0 * x, np.sin(x)]
    first, *rest = items
    return np.sum(first * sum(rest)) + len(rest)


def init_and_last(x, w):
    items = [x * w, np.tanh(x), w * w, x + 1.0]
    *init, last = items
    out = np.sum(last)
    for item in init:
        out = out + np.sum(item * last)
    return out


def rnn_states_stacked(W, U, xs):
    h = np.zeros(W.shape[0])
    hs = []
    for x in xs:
        h = np.tanh(h @ W + x @ U)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H ** 2)


def rnn_states_summed(W, U, xs):
    H = np.stack(_sequence_states(W, U, xs))
    return np.sum(H.sum(axis=0) * H[-1])


def rnn_last_state_loss(W, U, xs, target):
    hs = []
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = _rnn_step(h, xs[t], W, U)
        hs.append(h)
    return np.sum((hs[-1] - target) ** 2)


def iterate_appended_states(x, n):
    hs = [x]
    for k in range(n):
        hs.append(np.cos(hs[-1]) * 0.9 + 0.1 * k)
    total = 0.0
    for h in hs:
        total = total + np.sum(h * h)
    return total


def list_indexing_and_slices(x, n):
    hs = []
    for k in range(n):
        hs.append(x * (k + 1.0))
    tail = hs[1:]
    out = np.sum(hs[0] * hs[-1])
    for i in range(len(tail)):
        out = out + np.sum(np.sin(tail[i]))
    return out


def moving_average_window(x, k):
    window = []
    out = 0.0
    for t in range(x.shape[0]):
        window.append(x[t])
        if len(window) > k:
            window = window[1:]
        out = out + (sum(window) / len(window)) ** 2
    return out


def two_names_of_one_list(x):
    states = [x]
    seen = states
    for i in range(3):
        if i % 2 == 0:
            states.append(states[-1] * x)
        else:
            seen.append(np.sin(seen[-1]))
    last = seen.pop()
    return np.sum(last * states[-1]) + np.sum(seen[2] * x)


def entry_replaced_through_other_name(x, w):
    parts = [x, x * w, w]
    same = parts
    parts[1] = np.tanh(parts[1])
    last = same.pop()
    return np.sum(same[1] * last) + np.sum(parts[-1] ** 2) + np.sum(parts[0])


def pairs_in_a_list(x, y):
    pairs = [(x, y), (y * 2.0, x), (x * y, np.cos(y))]
    out = 0.0
    for a, b in pairs:
        out = out + np.sum(a * b)
    return out


def list_of_lists_values(a, b):
    rows = [[a, b], [b * a, a - b]]
    return rows[0][0] * rows[1][1] + rows[1][0] ** 2 + rows[0][1]


# =================================================================================================
# building arrays: concatenate, stack, vstack, hstack, np.array
# =================================================================================================


def concatenate_features(x, y):
    z = np.concatenate([x, y * 2.0, np.sin(x)])
    return np.sum(z * z) + z[0] * z[-1]


def vstack_and_hstack(a, b):
    v = np.vstack([a, b, a * b])
    h = np.hstack([a, b ** 2])
    return np.sum(v @ v.T) + np.sum(np.tanh(h))


def array_from_scalars(a, b):
    v = np.array([a, b * a, a ** 2 - b])
    return np.sum(v ** 3) + v[1]


def matrix_from_scalars(a, b):
    M = np.array([[a, b], [-b, a * a]])
    return np.sum(M @ M) + np.sum(M.T * M.T)


def concatenated_hidden_layers(x, w):
    hs = []
    h = x
    for k in range(3):
        h = np.tanh(h * w + k)
        hs.append(h)
    return np.sum(np.concatenate(hs) ** 2)


# =================================================================================================
# dicts and container arguments
# =================================================================================================


def dict_display_lookups(w, b, x):
    params = {"w": w, "b": b}
    y = x @ params["w"] + params["b"]
    return np.sum(y ** 2) + 0.1 * np.sum(params["w"] ** 2)


def dict_params_argument(params, x):
    return np.sum(_mlp(params, x) ** 2)


def list_of_matrices_argument(ws, x):
    for w in ws:
        x = np.tanh(x @ w)
    return np.sum(x)


def tuple_argument_unpacked(pair, x):
    w, b = pair
    return np.sum(np.tanh(x @ w + b))


def list_display_to_callee(x, y):
    return ch.sum_list([x, y * 2.0, x * y]) + ch.sum_list([np.cos(x)])


def dict_display_to_callee(w, b):
    return ch.dict_energy({"w": w * 2.0, "b": b}) + ch.dict_energy({"b": w, "w": b})


def tuple_display_to_callee(a, b):
    return ch.pair_product((a, b)) + ch.pair_product((a * a, np.sin(b)))


def weighted_terms_by_name(x, y):
    terms = {"data": np.sum((x - y) ** 2), "smooth": np.sum((x[1:] - x[:-1]) ** 2)}
    total = 0.0
    for name in ("data", "smooth"):
        total = total + WEIGHTS[name] * terms[name]
    return total


def isinstance_dispatch(data, x):
    if isinstance(data, dict):
        return np.sum(x * data["scale"])
    if isinstance(data, (list, tuple)):
        return np.sum(x * data[0]) + np.sum(x * x * data[1])
    return np.sum(x * data)


# =================================================================================================
# ints, strings, bools, ranges and attributes flowing through
# =================================================================================================


def shapes_and_transposes(x, w):
    n, d = x.shape
    gram = x.T @ x / n
    return np.sum(gram * w[:d, :d]) + x.ndim * np.sum(w.T[0])


def ints_strings_and_bools(x, n, name, normalize):
    y = x
    for k in range(n):
        y = y + np.sin(y) / (k + 1)
    if normalize:
        y = y / np.sqrt(np.sum(y * y))
    if name.startswith("sq"):
        return np.sum(y * y)
    return np.sum(y)


def strided_range_with_len(x, step):
    out = 0.0
    for i in range(0, len(x), step):
        out = out + x[i] * x[len(x) - 1 - i]
    return out


def masks_and_counts(x, threshold):
    big = x > threshold
    count = int(np.sum(big))
    if count > 0:
        return np.sum(x[big] ** 2) / count
    return np.sum(x) * 0.5
