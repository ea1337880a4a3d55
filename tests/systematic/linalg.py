"""Systematic cases of the linear-algebra rules: `numpy.linalg` (det, slogdet, inv, pinv, solve,
lstsq, norm, eigh, eigvalsh, eig, eigvals, cholesky, qr, svd, matrix_power, multi_dot) and
`scipy.linalg` (expm, solve_triangular).

Sizes run over 2 x 2, 3 x 3, rectangular matrices where the function takes them, and stacks
(2, 3, 3) (broadcast against unstacked operands for solve); keyword settings (UPLO, upper, mode,
full_matrices, compute_uv, rcond, hermitian, every ord / axis / keepdims of norm, trans / lower /
unit_diagonal) are written into the expressions, some positionally. Samplers keep the arguments
away from the points where a derivative does not exist: invertible and full-rank matrices,
distinct eigenvalues and singular values, norms' maxima and minima apart from the runners-up.

Conventions the cases follow (see s2sgrad/rules/linalg.py):
* eigh / eigvalsh / cholesky read one triangle; their cases perturb the whole matrix (the
  derivative is that of the function NumPy computes, which ignores the other triangle), and the
  "symmetrized" cases differentiate f((a + a.T) / 2) as well.
* Results returned as tuples are read by indexing (`np.linalg.eigh(a)[1]`); eig / eigvals results
  are read whole when every eigenvalue is real (NumPy then returns real arrays), through
  np.real / np.imag / np.abs and v * conj(v) when some are complex.
* Singular and eigenvectors are checked directly (their signs and phases are continuous at the
  sampled points).
Order-2 cases wrap a result in `np.sum(... ** 2)` (or a cube, or a product with the argument) so
the second derivative is not trivially zero.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np

from systematic import PY, REAL, SPD, WELL_CONDITIONED, Case, Domain, Sampler, grid

CASES: List[Case] = []


def add(target: str, expression: str, shapes, domains=None, label: str = "", **options) -> None:
    CASES.extend(grid(target, expression, shapes, domains, label=label, **options))


def words(keywords: str) -> str:
    """A test-id word for a keyword setting: "axis=(0, 1), keepdims=True" -> "axis0.1_keepdims"."""
    for old, new in ((", ", "_"), ("=", ""), ("'", ""), ('"', ""), ("(", ""), (")", ""),
                     (",", "."), (" ", ""), ("-", "m"), ("True", "T"), ("False", "F")):
        keywords = keywords.replace(old, new)
    return keywords


# ---- samplers -----------------------------------------------------------------------------------


def _invertible(rng: np.random.Generator, shape) -> np.ndarray:
    return WELL_CONDITIONED.sample(rng, shape)


def _real_eigenvalues(rng: np.random.Generator, shape) -> np.ndarray:
    """Q diag(w) Q^-1 with real eigenvalues at least 0.7 apart (eig returns real arrays)."""
    n = shape[-1]
    q = _invertible(rng, shape)
    w = np.arange(1.0, n + 1.0) * rng.choice([-1.0, 1.0]) + rng.uniform(0.0, 0.3, shape[:-1])
    return q @ (w[..., :, None] * np.linalg.inv(q))


def _complex_eigenvalues(rng: np.random.Generator, shape) -> np.ndarray:
    """Q B Q^-1 with B holding the pair 1 +- 2i (and 3 for n = 3): complex eig results."""
    n = shape[-1]
    q = _invertible(rng, shape)
    block = np.zeros(shape)
    block[..., 0, 0] = block[..., 1, 1] = 1.0 + rng.uniform(0.0, 0.3, shape[:-2])
    block[..., 0, 1], block[..., 1, 0] = 2.0, -2.0
    if n > 2:
        block[..., 2, 2] = 3.0
    return q @ block @ np.linalg.inv(q)


def _symmetric_distinct(rng: np.random.Generator, shape) -> np.ndarray:
    """Symmetric matrices (not all definite) with eigenvalues about 1 apart."""
    n = shape[-1]
    q = np.linalg.qr(rng.normal(size=shape))[0]
    w = np.arange(n) - (n - 1) / 2.0 + rng.uniform(-0.2, 0.2, shape[:-1])
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def _distinct_singular(rng: np.random.Generator, shape) -> np.ndarray:
    """U diag(s) V^T with singular values 1, 2, 3, ... (plus noise): full rank, distinct."""
    m, n = shape[-2:]
    k = min(m, n)
    u = np.linalg.qr(rng.normal(size=shape[:-2] + (m, k)))[0]
    v = np.linalg.qr(rng.normal(size=shape[:-2] + (n, k)))[0]
    s = np.arange(1.0, k + 1.0) + rng.uniform(0.0, 0.3, shape[:-2] + (k,))
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _small(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.uniform(-0.6, 0.6, shape)


INVERTIBLE = WELL_CONDITIONED
REAL_EIG = Sampler("real_eigenvalues", _real_eigenvalues)
COMPLEX_EIG = Sampler("complex_eigenvalues", _complex_eigenvalues)
SYMMETRIC = Sampler("symmetric", _symmetric_distinct)
DISTINCT_SV = Sampler("distinct_singular_values", _distinct_singular)
SMALL_MATRIX = Sampler("small", _small)
AWAY = Domain("away_from_zero", lambda rng, size: rng.choice([-1.0, 1.0], size)
              * rng.uniform(0.4, 2.0, size))


def _gap(values: np.ndarray, axis: Any) -> np.ndarray:
    """The gap between the largest and the second largest along `axis` (ties: 0)."""
    values = np.sort(np.moveaxis(values, axis, -1), axis=-1)
    return values[..., -1] - values[..., -2] if values.shape[-1] > 1 else np.inf


def apart(axis: Any = -1, transform=np.abs):
    """ok=: the extremes of transform(x) along `axis` (both ends) apart from the runners-up."""
    def ok(x):
        t = transform(np.asarray(x))
        return np.all(_gap(t, axis) > 0.05) and np.all(_gap(-t, axis) > 0.05)
    return ok


def singular_values_apart(axes=(-2, -1)):
    """ok= for the spectral norms: the two largest and the two smallest singular values of the
    matrices over `axes` apart."""
    def ok(x):
        s = np.linalg.svd(np.moveaxis(x, axes, (-2, -1)), compute_uv=False)
        return np.all(np.abs(np.diff(s, axis=-1)) > 0.05) and np.all(s > 0.05)
    return ok


def sums_apart(summed: int, compared: int):
    """ok= for the matrix norms 1, -1, inf, -inf: the sums of |x| over axis `summed`, compared
    along `compared`, have distinct extremes."""
    def ok(x):
        s = np.sum(np.abs(x), axis=summed, keepdims=True)
        return np.all(_gap(s, compared) > 0.05) and np.all(_gap(-s, compared) > 0.05)
    return ok


# ---- det, slogdet, inv ------------------------------------------------------------------------

SQUARE = [[(2, 2)], [(3, 3)], [(2, 3, 3)], [(2, 1, 2, 2)]]
for name in ("det", "inv"):
    target = f"np.linalg.{name}"
    add(target, f"lambda a: np.linalg.{name}(a)", SQUARE, [INVERTIBLE])
    add(target, f"lambda a: np.linalg.{name}(a)", [[(3, 3)], [(2, 3, 3)]], [SPD], "spd")
    add(target, f"lambda a: np.linalg.{name}(a)", [[(1, 1)], [(4, 4)]], [INVERTIBLE], "sizes")
    add(target, f"lambda a: np.sum(np.linalg.{name}(a) ** 2)", [[(2, 2)], [(3, 3)], [(2, 3, 3)]],
        [INVERTIBLE], "order2", order=2)
add("np.linalg.det", "lambda a, b: np.linalg.det(a @ b)", [[(2, 3), (3, 2)]], [REAL, REAL],
    "product", ok=lambda a, b: abs(np.linalg.det(a @ b)) > 0.1)
add("np.linalg.det", "lambda a: np.linalg.det(a) * a[0, 0]", [[(3, 3)]], [INVERTIBLE],
    "times-entry", order=2)
add("np.linalg.inv", "lambda a, b: np.linalg.inv(a) @ b", [[(3, 3), (3, 2)], [(2, 3, 3), (3,)]],
    [INVERTIBLE, REAL], "times")
add("np.linalg.inv", "lambda a: np.sum(np.linalg.inv(np.linalg.inv(a)) * a)", [[(3, 3)]],
    [INVERTIBLE], "twice", order=2)

add("np.linalg.slogdet", "lambda a: np.linalg.slogdet(a)[1]", SQUARE, [INVERTIBLE])
add("np.linalg.slogdet", "lambda a: np.linalg.slogdet(a)[1]", [[(3, 3)], [(2, 3, 3)]], [SPD],
    "spd")
add("np.linalg.slogdet", "lambda a: np.linalg.slogdet(-a)[1]", [[(3, 3)]], [SPD], "negative")
add("np.linalg.slogdet", "lambda a: np.linalg.slogdet(a)[0] * np.linalg.slogdet(a)[1]",
    [[(3, 3)], [(2, 2, 2)]], [INVERTIBLE], "sign")
add("np.linalg.slogdet", "lambda a: np.sum(np.linalg.slogdet(a)[1] ** 2)",
    [[(2, 2)], [(3, 3)], [(2, 3, 3)]], [INVERTIBLE], "order2", order=2)
add("np.linalg.slogdet", "lambda a: np.linalg.slogdet(a @ a.T)[1]", [[(3, 3)], [(2, 3)]], [REAL],
    "gram", ok=lambda a: np.linalg.cond(a @ a.T) < 1e3, order=2)

# ---- pinv -------------------------------------------------------------------------------------

add("np.linalg.pinv", "lambda a: np.linalg.pinv(a)",
    [[(2, 2)], [(3, 3)], [(3, 2)], [(2, 3)], [(2, 4, 3)], [(2, 3, 4)]], [DISTINCT_SV])
add("np.linalg.pinv", "lambda a: np.linalg.pinv(a, 1e-10)", [[(3, 2)]], [DISTINCT_SV],
    "rcond-positional")
add("np.linalg.pinv", "lambda a: np.linalg.pinv(a, rcond=1e-12)", [[(2, 3)]], [DISTINCT_SV],
    "rcond")
add("np.linalg.pinv", "lambda a: np.linalg.pinv(a, hermitian=True)", [[(3, 3)], [(2, 3, 3)]],
    [SPD], "hermitian")
add("np.linalg.pinv", "lambda a: np.sum(np.linalg.pinv(a) ** 2)", [[(3, 2)], [(2, 3)], [(3, 3)]],
    [DISTINCT_SV], "order2", order=2)

# ---- solve ------------------------------------------------------------------------------------

SOLVE = [
    [(2, 2), (2,)], [(3, 3), (3,)], [(3, 3), (3, 2)],
    [(2, 3, 3), (3,)],            # a vector broadcast against a stack
    [(2, 3, 3), (2, 3, 2)], [(2, 3, 3), (3, 2)], [(3, 3), (2, 3, 2)], [(1, 3, 3), (2, 3, 1)],
    [(2, 1, 3, 3), (4, 3, 2)],
]
add("np.linalg.solve", "lambda a, b: np.linalg.solve(a, b)", SOLVE, [INVERTIBLE, REAL])
add("np.linalg.solve", "lambda a, b: np.linalg.solve(a, b)",
    [[(3, 3), (3,)], [(2, 3, 3), (3,)], [(3, 3), (2, 3, 2)]], [INVERTIBLE, REAL], "wrt-a",
    wrt=(0,))
add("np.linalg.solve", "lambda a, b: np.linalg.solve(a, b)",
    [[(3, 3), (3,)], [(2, 3, 3), (3,)], [(2, 3, 3), (3, 2)]], [INVERTIBLE, REAL], "wrt-b",
    wrt=(1,))
add("np.linalg.solve", "lambda a, b: np.linalg.solve(a, b)", [[(3, 3), (3,)]], [SPD, REAL],
    "spd")
add("np.linalg.solve", "lambda a: np.linalg.solve(a, a[0])", [[(3, 3)]], [INVERTIBLE], "self")
add("np.linalg.solve", "lambda a, b: np.sum(np.linalg.solve(a, b) ** 2)",
    [[(2, 2), (2,)], [(3, 3), (3, 2)], [(2, 3, 3), (3,)]], [INVERTIBLE, REAL], "order2", order=2)

# ---- lstsq ------------------------------------------------------------------------------------

TALL = [[(3, 2), (3,)], [(4, 3), (4,)], [(4, 3), (4, 2)], [(5, 2), (5, 1)]]
FULL = TALL + [[(3, 3), (3,)], [(2, 2), (2, 3)], [(2, 3), (2,)], [(2, 4), (2, 2)]]
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0]", FULL,
    [DISTINCT_SV, REAL], "x")
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, None)[0]", [[(4, 3), (4,)]],
    [DISTINCT_SV, REAL], "x-rcond-positional")
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=1e-10)[0]", [[(4, 2), (4, 2)]],
    [DISTINCT_SV, REAL], "x-rcond")
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=None)[1]", TALL,
    [DISTINCT_SV, REAL], "residuals")
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=None)[3]",
    [[(4, 3), (4,)], [(2, 3), (2, 2)], [(3, 3), (3,)]], [DISTINCT_SV, REAL], "s")
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0]",
    [[(4, 3), (4,)], [(4, 3), (4, 2)]], [DISTINCT_SV, REAL], "x-wrt-a", wrt=(0,))
add("np.linalg.lstsq", "lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0]", [[(4, 3), (4, 2)]],
    [DISTINCT_SV, REAL], "x-wrt-b", wrt=(1,))
add("np.linalg.lstsq", "lambda a, b: np.sum(np.linalg.lstsq(a, b, rcond=None)[0] ** 2)",
    [[(4, 3), (4,)], [(2, 3), (2,)]], [DISTINCT_SV, REAL], "x-order2", order=2)

# ---- norm -------------------------------------------------------------------------------------
# Vector norms (ord over None, 2, 1, inf, -inf, 0, p, negative p), along an axis (keepdims), of
# every array when ord is None; matrix norms ("fro", "nuc", 2, -2, 1, -1, inf, -inf) of a
# matrix, over two axes of a stack (keepdims). `1e999` is inf written as a literal (decided when
# the rule is inlined); `np.inf` is a name, served by the run-time helper (first order).

NORM = "np.linalg.norm"
add(NORM, "lambda x: np.linalg.norm(x)", [[()], [(3,)], [(3, 2)], [(2, 3, 2)], [PY]], [REAL])
add(NORM, "lambda x: np.linalg.norm(x, keepdims=True)", [[(3,)], [(2, 3)], [(2, 1, 2)]], [REAL],
    "keepdims")
ZERO = Domain("zero", lambda rng, s: np.zeros(s))
for ord_ in ("None", "2", "'fro'"):   # norm'(0) = 0, where the central difference is 0 too
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_})", [[(3,)] if ord_ != "'fro'" else [(2, 2)]],
        [ZERO], words(f"ord={ord_} at-zero"))
add(NORM, "lambda x: np.linalg.norm(x, axis=1)", [[(2, 3)]], [ZERO], "axis1-at-zero")

VECTOR_ORDS = [("None", REAL), ("2", REAL), ("1", AWAY), ("1e999", REAL), ("-1e999", REAL),
               ("np.inf", REAL), ("-np.inf", REAL), ("0", REAL), ("3", REAL), ("0.5", AWAY),
               ("-1", AWAY), ("-2", AWAY), ("-3", AWAY)]
for ord_, domain in VECTOR_ORDS:
    ok = apart() if "inf" in ord_ or "999" in ord_ else None
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_})", [[(3,)]], [domain], words(f"ord={ord_}"),
        ok=ok)
    add(NORM, f"lambda x: np.linalg.norm(x, ord={ord_}, axis=1)", [[(2, 3)]], [domain],
        words(f"ord={ord_} axis=1"), ok=apart(1) if ok else None)
    if ord_ in ("None", "2", "1", "1e999", "3", "0.5", "-2"):
        add(NORM, f"lambda x: np.linalg.norm(x, ord={ord_}, axis=0, keepdims=True)", [[(3, 2)]],
            [domain], words(f"ord={ord_} axis=0 keepdims"), ok=apart(0) if ok else None)
add(NORM, "lambda x: np.linalg.norm(x, ord=3)", [[(1,)], [(2,)]], [AWAY], "ord3-short")
for ord_, domain in [("None", REAL), ("1", AWAY), ("1e999", REAL), ("3", AWAY)]:
    ok = apart(-1) if "999" in ord_ else None
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_}, -1)", [[(2, 2, 3)]], [domain],
        words(f"ord={ord_} axis=-1 positional"), ok=ok)
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_}, 1, True)", [[(2, 3, 2)]], [domain],
        words(f"ord={ord_} axis=1 keepdims positional"), ok=apart(1) if ok else None)

MATRIX_ORDS = [("'fro'", REAL, None), ("'nuc'", DISTINCT_SV, None), ("2", DISTINCT_SV, None),
               ("-2", DISTINCT_SV, None), ("1", AWAY, (0, 1)), ("-1", AWAY, (0, 1)),
               ("1e999", AWAY, (1, 0)), ("-1e999", AWAY, (1, 0))]
for ord_, domain, sums in MATRIX_ORDS:
    def ok_over(axes):
        if sums:
            return sums_apart(axes[sums[0]], axes[sums[1]])
        return singular_values_apart(axes) if domain is DISTINCT_SV else None

    add(NORM, f"lambda x: np.linalg.norm(x, {ord_})", [[(2, 2)], [(3, 3)], [(2, 4)]], [domain],
        words(f"ord={ord_}"), ok=ok_over((0, 1)))
    add(NORM, f"lambda x: np.linalg.norm(x, ord={ord_}, axis=(1, 2))", [[(2, 3, 2)]], [domain],
        words(f"ord={ord_} axis=(1, 2)"), ok=ok_over((1, 2)))
    if ord_ in ("'fro'", "'nuc'", "2", "1", "1e999"):
        add(NORM, f"lambda x: np.linalg.norm(x, ord={ord_}, axis=(1, 0), keepdims=True)",
            [[(3, 2)]], [domain if domain is not DISTINCT_SV else REAL],
            words(f"ord={ord_} axis=(1, 0) keepdims"),
            ok=ok_over((1, 0)) if sums else singular_values_apart((1, 0)))
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_}, (2, 0))", [[(3, 2, 2)]],
        [domain if domain is not DISTINCT_SV else REAL], words(f"ord={ord_} axis=(2, 0)"),
        ok=ok_over((2, 0)) if sums else singular_values_apart((2, 0)))
add(NORM, "lambda x: np.linalg.norm(x, 'fro', (0, 1), True)", [[(2, 3)]], [REAL],
    "fro-positional-keepdims")
# a name for ord (np.inf), or an axis known only at run time: the run-time helper
for ord_ in ("np.inf", "-np.inf"):
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_})", [[(3, 3)]], [AWAY], words(f"ord={ord_}"),
        ok=sums_apart(1, 0))
    add(NORM, f"lambda x: np.linalg.norm(x, {ord_}, axis=tuple([1, 2]))", [[(2, 3, 2)]], [AWAY],
        words(f"ord={ord_} runtime-axis"), ok=sums_apart(2, 1))
add(NORM, "lambda x: np.linalg.norm(x, 1, axis=tuple([1, 2]))", [[(2, 3, 2)]], [AWAY],
    "ord1-runtime-axis", ok=sums_apart(1, 2))
add(NORM, "lambda x: np.linalg.norm(x, 'nuc', tuple([0, 1]))", [[(3, 2)]], [DISTINCT_SV],
    "nuc-runtime-axis")
add(NORM, "lambda x: np.linalg.norm(x, -2, tuple([0, 1]))", [[(3, 2)]], [DISTINCT_SV],
    "m2-runtime-axis", ok=singular_values_apart())
add(NORM, "lambda x: np.linalg.norm(x, 3, int(1))", [[(2, 3)]], [AWAY], "p3-runtime-axis")
add(NORM, "lambda x: np.linalg.norm(x, axis=int(1))", [[(2, 3)]], [REAL], "runtime-axis")

NORM_ORDER2 = [
    ("lambda x: np.linalg.norm(x)", [[(3,)], [(2, 3)]], REAL, ""),
    ("lambda x: np.sum(np.linalg.norm(x, axis=1) ** 3)", [[(2, 3)]], REAL, "axis1"),
    ("lambda x: np.sum(np.linalg.norm(x, 3, axis=0, keepdims=True))", [[(3, 2)]], AWAY, "p3"),
    ("lambda x: np.linalg.norm(x, 0.5) * x[0]", [[(3,)]], AWAY, "p0.5"),
    ("lambda x: np.linalg.norm(x, 1) * x[1]", [[(3,)]], AWAY, "p1"),
    ("lambda x: np.linalg.norm(x, 1e999) * np.sum(x)", [[(3,)]], REAL, "inf"),
    ("lambda x: np.linalg.norm(x, 'nuc')", [[(3, 2)], [(2, 3)]], DISTINCT_SV, "nuc"),
    ("lambda x: np.linalg.norm(x, 2)", [[(3, 3)], [(2, 3)]], DISTINCT_SV, "spectral"),
    ("lambda x: np.linalg.norm(x, 2) * x[0]", [[(3,)]], REAL, "vector2"),
    ("lambda x: np.sum(np.linalg.norm(x, -2, (1, 2)) ** 2)", [[(2, 3, 2)]], DISTINCT_SV,
     "smallest"),
    ("lambda x: np.linalg.norm(x, 1) * x[0, 1]", [[(3, 3)]], AWAY, "matrix1"),
]
for expression, shapes, domain, label in NORM_ORDER2:
    ok = apart() if label == "inf" else sums_apart(0, 1) if label == "matrix1" else None
    add(NORM, expression, shapes, [domain], words(f"order2 {label}"), order=2, ok=ok)

# ---- eigh, eigvalsh, cholesky: one triangle read -----------------------------------------------

SYMMETRIC_SHAPES = [[(2, 2)], [(3, 3)], [(2, 3, 3)]]
for uplo in ("", ", 'U'", ", UPLO='L'", ", UPLO='U'"):
    shapes = SYMMETRIC_SHAPES if uplo in ("", ", 'U'") else [[(3, 3)]]
    add("np.linalg.eigh", f"lambda a: np.linalg.eigh(a{uplo})[0]", shapes, [SYMMETRIC],
        words(f"w{uplo}"))
    add("np.linalg.eigh", f"lambda a: np.linalg.eigh(a{uplo})[1]", shapes, [SYMMETRIC],
        words(f"v{uplo}"))
    add("np.linalg.eigvalsh", f"lambda a: np.linalg.eigvalsh(a{uplo})", shapes, [SYMMETRIC],
        words(uplo))
add("np.linalg.eigh", "lambda a: np.linalg.eigh((a + a.T) / 2)[1]", [[(3, 3)]], [REAL],
    "symmetrized", ok=lambda a: np.min(np.diff(np.linalg.eigvalsh(a + a.T))) > 0.2)
add("np.linalg.eigh", "lambda a: np.linalg.eigh(a)[0] * np.linalg.eigh(a)[1]", [[(3, 3)]], [SPD],
    "both")
add("np.linalg.eigh", "lambda x: np.linalg.eigh(x @ x.T)[1]", [[(3, 3)], [(3, 4)]], [REAL],
    "gram", ok=lambda x: np.min(np.diff(np.linalg.eigvalsh(x @ x.T))) > 0.2)
add("np.linalg.eigvalsh", "lambda a: np.linalg.eigvalsh((a + np.transpose(a, (0, 2, 1))) / 2)",
    [[(2, 3, 3)]], [REAL], "symmetrized",
    ok=lambda a: np.min(np.diff(np.linalg.eigvalsh(a + np.swapaxes(a, -1, -2)))) > 0.2)
add("np.linalg.eigh", "lambda a: np.sum(np.linalg.eigh(a)[0] ** 3)", [[(3, 3)], [(2, 2, 2)]],
    [SYMMETRIC], "w-order2", order=2)
add("np.linalg.eigh", "lambda a: np.sum(np.linalg.eigh(a, 'U')[1] ** 3)", [[(2, 2)], [(3, 3)]],
    [SYMMETRIC], "v-order2", order=2)
add("np.linalg.eigvalsh", "lambda a: np.sum(np.linalg.eigvalsh(a) ** 3)", [[(3, 3)]], [SYMMETRIC],
    "order2", order=2)

for keywords in ("", "upper=False", "upper=True"):
    add("np.linalg.cholesky", f"lambda a: np.linalg.cholesky(a{', ' if keywords else ''}"
        f"{keywords})", [[(2, 2)], [(3, 3)], [(2, 3, 3)]], [SPD], words(keywords))
add("np.linalg.cholesky", "lambda a: np.linalg.cholesky(a, upper=bool(1))", [[(3, 3)]], [SPD],
    "runtime-upper")
add("np.linalg.eigh", "lambda a: np.linalg.eigh(a, str('U'))[1]", [[(3, 3)]], [SYMMETRIC],
    "runtime-UPLO")
add("np.linalg.cholesky", "lambda x: np.linalg.cholesky(x @ x.T + np.eye(3))", [[(3, 2)]],
    [REAL], "gram")
add("np.linalg.cholesky", "lambda a: np.linalg.cholesky((a + a.T) / 2)", [[(3, 3)]], [SPD],
    "symmetrized")
add("np.linalg.cholesky", "lambda a: np.sum(np.linalg.cholesky(a) ** 3)", [[(3, 3)], [(2, 2, 2)]],
    [SPD], "order2", order=2)
add("np.linalg.cholesky", "lambda a: np.sum(np.linalg.cholesky(a, upper=True) ** 3)", [[(3, 3)]],
    [SPD], "upper-order2", order=2)

# ---- eig, eigvals -----------------------------------------------------------------------------

add("np.linalg.eig", "lambda a: np.linalg.eig(a)[0]", SYMMETRIC_SHAPES, [REAL_EIG], "w")
add("np.linalg.eig", "lambda a: np.linalg.eig(a)[1]", SYMMETRIC_SHAPES, [REAL_EIG], "v")
add("np.linalg.eig", "lambda a: np.real(np.linalg.eig(a)[1])", [[(3, 3)]], [REAL_EIG], "v-real")
add("np.linalg.eigvals", "lambda a: np.linalg.eigvals(a)", SYMMETRIC_SHAPES, [REAL_EIG])
add("np.linalg.eig", "lambda a: np.real(np.linalg.eig(a)[0])", [[(2, 2)], [(3, 3)], [(2, 3, 3)]],
    [COMPLEX_EIG], "w-complex-real")
add("np.linalg.eig", "lambda a: np.imag(np.linalg.eig(a)[0])", [[(2, 2)], [(3, 3)]],
    [COMPLEX_EIG], "w-complex-imag")
add("np.linalg.eig", "lambda a: np.real(np.linalg.eig(a)[1] * np.conj(np.linalg.eig(a)[1]))",
    [[(3, 3)], [(2, 2, 2)]], [COMPLEX_EIG], "v-complex-modulus")
add("np.linalg.eig", "lambda a: np.real(np.linalg.eig(a)[1])", [[(2, 2)], [(3, 3)]],
    [COMPLEX_EIG], "v-complex-real")
add("np.linalg.eig", "lambda a: np.imag(np.linalg.eig(a)[1])", [[(3, 3)]], [COMPLEX_EIG],
    "v-complex-imag")
add("np.linalg.eig", "lambda a: np.abs(np.linalg.eig(a)[0])", [[(3, 3)]], [COMPLEX_EIG],
    "w-complex-abs")
add("np.linalg.eig", "lambda a: np.abs(np.linalg.eig(a)[1])", [[(3, 3)], [(2, 2, 2)]],
    [COMPLEX_EIG], "v-complex-abs")
add("np.linalg.eigvals", "lambda a: np.abs(np.linalg.eigvals(a))", [[(3, 3)]], [COMPLEX_EIG],
    "complex-abs")
add("np.linalg.eigvals", "lambda a: np.real(np.linalg.eigvals(a))", [[(3, 3)], [(2, 2, 2)]],
    [COMPLEX_EIG], "complex-real")
add("np.linalg.eigvals", "lambda a: np.imag(np.linalg.eigvals(a))", [[(3, 3)]], [COMPLEX_EIG],
    "complex-imag")
add("np.linalg.eig", "lambda a: np.sum(np.real(np.linalg.eig(a)[0]) ** 3)", [[(3, 3)]], [REAL_EIG],
    "w-order2", order=2)
add("np.linalg.eigvals", "lambda a: np.sum(np.real(np.linalg.eigvals(a)) ** 3)", [[(3, 3)]], [REAL_EIG],
    "order2", order=2)

# ---- qr, svd ----------------------------------------------------------------------------------

QR_SHAPES = [[(2, 2)], [(3, 3)], [(3, 2)], [(4, 3)], [(2, 4, 3)]]
add("np.linalg.qr", "lambda a: np.linalg.qr(a)[0]", QR_SHAPES, [INVERTIBLE], "q")
add("np.linalg.qr", "lambda a: np.linalg.qr(a)[1]", QR_SHAPES, [INVERTIBLE], "r")
for keywords in (", 'reduced'", ", mode='reduced'"):
    add("np.linalg.qr", f"lambda a: np.linalg.qr(a{keywords})[0]", [[(3, 2)]], [INVERTIBLE],
        words(f"q{keywords}"))
    add("np.linalg.qr", f"lambda a: np.linalg.qr(a{keywords})[1]", [[(3, 2)]], [INVERTIBLE],
        words(f"r{keywords}"))
add("np.linalg.qr", "lambda a: np.linalg.qr(a, mode='r')", [[(3, 3)], [(4, 2)]], [INVERTIBLE],
    "mode-r")
add("np.linalg.qr", "lambda a: np.linalg.qr(a)[0] @ np.linalg.qr(a)[1]", [[(3, 2)]],
    [INVERTIBLE], "product")
add("np.linalg.qr", "lambda a: np.sum(np.linalg.qr(a)[0] ** 3) + np.sum(np.linalg.qr(a)[1] ** 3)",
    [[(3, 3)], [(4, 2)]], [INVERTIBLE], "order2", order=2)

SVD_SHAPES = [[(2, 2)], [(3, 3)], [(3, 2)], [(2, 3)], [(4, 2)], [(2, 4, 3)]]
for index, part in enumerate("u s vh".split()):
    add("np.linalg.svd", f"lambda a: np.linalg.svd(a, full_matrices=False)[{index}]", SVD_SHAPES,
        [DISTINCT_SV], part)
add("np.linalg.svd", "lambda a: np.linalg.svd(a, False)[0]", [[(3, 2)]], [DISTINCT_SV],
    "u-positional")
add("np.linalg.svd", "lambda a: np.linalg.svd(a)[2]", [[(2, 2, 2)]], [DISTINCT_SV],
    "vh-square-full")
add("np.linalg.svd", "lambda a: np.linalg.svd(a)[0] * np.linalg.svd(a)[1]", [[(3, 3)]],
    [DISTINCT_SV], "u-s-square-full")
add("np.linalg.svd", "lambda a: np.linalg.svd(a, compute_uv=False)", SVD_SHAPES, [DISTINCT_SV],
    "compute_uv=False")
add("np.linalg.svd", "lambda a: np.linalg.svd(a, full_matrices=True, compute_uv=False)",
    [[(3, 2)]], [DISTINCT_SV], "full-compute_uv=False")
add("np.linalg.svd", "lambda a: np.linalg.svd(a, hermitian=True)[1]", [[(3, 3)]], [SPD],
    "hermitian")
add("np.linalg.svd", "lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0] ** 3)",
    [[(3, 2)], [(2, 3)]], [DISTINCT_SV], "u-order2", order=2)
add("np.linalg.svd", "lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[2] ** 3)",
    [[(3, 3)]], [DISTINCT_SV], "vh-order2", order=2)
add("np.linalg.svd", "lambda a: np.sum(np.linalg.svd(a, compute_uv=False) ** 3)",
    [[(3, 2)], [(2, 3, 3)]], [DISTINCT_SV], "s-order2", order=2)

# ---- matrix_power, multi_dot ------------------------------------------------------------------

for n in (0, 1, 2, 3, 5, -1, -2, -3):
    add("np.linalg.matrix_power", f"lambda a: np.linalg.matrix_power(a, {n})",
        [[(2, 2)], [(3, 3)], [(2, 3, 3)]] if n in (0, 3, -2) else [[(3, 3)]],
        [INVERTIBLE if n < 0 else SMALL_MATRIX], words(f"n={n}"))
add("np.linalg.matrix_power", "lambda a: np.linalg.matrix_power(a, n=4)", [[(3, 3)]],
    [SMALL_MATRIX], "n-keyword")
for n in (2, 3, -2):
    add("np.linalg.matrix_power", f"lambda a: np.sum(np.linalg.matrix_power(a, {n}) ** 2)",
        [[(3, 3)], [(2, 2, 2)]], [INVERTIBLE if n < 0 else SMALL_MATRIX],
        words(f"order2 n={n}"), order=2)

MULTI_DOT = [
    [(2, 3), (3, 2)], [(2, 3), (3, 4), (4, 2)], [(3,), (3, 4), (4, 2)], [(2, 3), (3, 4), (4,)],
    [(3,), (3, 2), (2, 4), (4,)], [(4, 2), (2, 3), (3, 3), (3, 1)], [(2,), (2,)],
]
for shapes in MULTI_DOT:
    names = "abcdefg"[:len(shapes)]
    add("np.linalg.multi_dot",
        f"lambda {', '.join(names)}: np.linalg.multi_dot([{', '.join(names)}])", [shapes],
        [REAL] * len(shapes))
add("np.linalg.multi_dot", "lambda a, b, c: np.linalg.multi_dot((a, b, c))",
    [[(2, 3), (3, 4), (4, 2)]], [REAL] * 3, "tuple")
add("np.linalg.multi_dot", "lambda a, b, c: np.linalg.multi_dot([a, b, c])",
    [[(2, 3), (3, 4), (4, 2)]], [REAL] * 3, "wrt-b", wrt=(1,))
add("np.linalg.multi_dot", "lambda a, b: np.linalg.multi_dot([a, b, a.T])", [[(2, 3), (3, 3)]],
    [REAL] * 2, "repeated")
add("np.linalg.multi_dot", "lambda a, b, c: np.sum(np.linalg.multi_dot([a, b, c]) ** 2)",
    [[(2, 3), (3, 4), (4, 2)], [(3,), (3, 4), (4, 2)]], [REAL] * 3, "order2", order=2)
add("np.linalg.multi_dot", "lambda a, b: np.sum(np.linalg.multi_dot([a, b, a]) ** 2)",
    [[(3, 3), (3, 3)]], [REAL] * 2, "repeated-order2", order=2)

# ---- scipy.linalg: expm, solve_triangular ------------------------------------------------------

add("scipy.linalg.expm", "lambda a: scipy.linalg.expm(a)", [[(1, 1)], [(2, 2)], [(3, 3)],
                                                             [(2, 3, 3)]], [SMALL_MATRIX])
add("scipy.linalg.expm", "lambda a: scipy.linalg.expm(a + a.T)", [[(3, 3)]], [SMALL_MATRIX],
    "symmetric")
add("scipy.linalg.expm", "lambda a: np.sum(scipy.linalg.expm(a) ** 2)", [[(2, 2)], [(3, 3)]],
    [SMALL_MATRIX], "order2", order=2)

TRIANGULAR = [
    "", "lower=True", "trans=1", "trans='T', lower=True", "trans=2", "trans='N'",
    "unit_diagonal=True", "lower=True, unit_diagonal=True", "trans=1, unit_diagonal=True",
]
for keywords in TRIANGULAR:
    add("scipy.linalg.solve_triangular",
        f"lambda a, b: scipy.linalg.solve_triangular(a, b{', ' if keywords else ''}{keywords})",
        [[(3, 3), (3,)], [(3, 3), (3, 2)]] if keywords in TRIANGULAR[:3] else [[(3, 3), (3, 2)]],
        [INVERTIBLE, REAL], words(keywords))
add("scipy.linalg.solve_triangular", "lambda a, b: scipy.linalg.solve_triangular(a, b)",
    [[(2, 2), (2, 1)], [(1, 1), (1,)]], [INVERTIBLE, REAL], "sizes")
add("scipy.linalg.solve_triangular", "lambda a, b: scipy.linalg.solve_triangular(a, b, 1, True)",
    [[(3, 3), (3,)]], [INVERTIBLE, REAL], "positional")
add("scipy.linalg.solve_triangular",
    "lambda a, b: scipy.linalg.solve_triangular(a, b, lower=True, check_finite=False)",
    [[(3, 3), (3, 2)]], [INVERTIBLE, REAL], "check_finite")
add("scipy.linalg.solve_triangular", "lambda a, b: scipy.linalg.solve_triangular(a, b)",
    [[(3, 3), (3, 2)]], [INVERTIBLE, REAL], "wrt-a", wrt=(0,))
add("scipy.linalg.solve_triangular", "lambda a, b: scipy.linalg.solve_triangular(a, b)",
    [[(3, 3), (3,)]], [INVERTIBLE, REAL], "wrt-b", wrt=(1,))
add("scipy.linalg.solve_triangular",
    "lambda a, b: np.sum(scipy.linalg.solve_triangular(a, b, lower=True) ** 2)",
    [[(3, 3), (3,)], [(3, 3), (3, 2)]], [INVERTIBLE, REAL], "order2", order=2)
add("scipy.linalg.solve_triangular",
    "lambda a, b: np.sum(scipy.linalg.solve_triangular(a, b, trans=1, unit_diagonal=True) ** 2)",
    [[(3, 3), (3,)]], [INVERTIBLE, REAL], "trans-unit-order2", order=2)

# ---- third order: the rules of the rules' helpers -----------------------------------------------

add("np.linalg.matrix_power", "lambda a: np.sum(np.linalg.matrix_power(a, 3) ** 2)", [[(2, 2)]],
    [SMALL_MATRIX], "order3", order=3)
add("np.linalg.eigvals", "lambda a: np.sum(np.real(np.linalg.eigvals(a)) ** 3)", [[(2, 2)]], [REAL_EIG],
    "order3", order=3)
add("scipy.linalg.expm", "lambda a: np.sum(scipy.linalg.expm(a) ** 2)", [[(2, 2)]],
    [SMALL_MATRIX], "order3", order=3)
