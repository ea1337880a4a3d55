"""Systematic cases of the `scipy.special` and `scipy.stats.norm` rules.

Unary functions run over the shape grid (scalars, vectors, matrices, rows, Python floats) inside
their domains, binary ones over all shape pairs, the normalizations over `axis` / `keepdims` /
`b=` weights, and `norm.*` over `loc=` / `scale=` given by keyword and by position, broadcast and
differentiated. Each function also has second-order cases, whose rules' derivatives go through
further rules (gammaln' = digamma, digamma' = polygamma(1, .), i1' = (i0 + iv(2, .)) / 2, ...).
"""

from __future__ import annotations

from typing import List

import numpy as np

from systematic import (NONZERO, POSITIVE, PY, REAL, SHAPE_PAIRS, SHAPES, SMALL, UNIT, Case,
                        Domain, grid, uniform)

CASES: List[Case] = []

UNARY_SHAPES = [[s] for s in SHAPES + [PY]]
PROBABILITY = Domain("probability", uniform(0.05, 0.95))
TWO_SIDED = Domain("zero_to_two", uniform(0.1, 1.9))        # erfcinv
NEGATIVE_NONINTEGER = Domain("negative_noninteger", uniform(-1.8, -1.2))
LOWER_TAIL = Domain("lower_tail", uniform(-9.0, -3.0))      # log_ndtr, norm.logcdf
WIDE = Domain("wide", uniform(-3.0, 3.0))
SCALE = Domain("scale", uniform(0.5, 2.0))


def _add(target: str, expression: str, shapes, label: str = "", **options) -> None:
    CASES.extend(grid(target, expression, shapes, label=label, **options))


# ---- unary functions ----------------------------------------------------------------------------
# (target, call of x, domain); each also gets second-order cases

UNARY = [
    ("scipy.special.erf", "scipy.special.erf(x)", REAL),
    ("scipy.special.erfc", "scipy.special.erfc(x)", REAL),
    ("scipy.special.erfinv", "scipy.special.erfinv(x)", UNIT),
    ("scipy.special.erfcinv", "scipy.special.erfcinv(x)", TWO_SIDED),
    ("scipy.special.erfcx", "scipy.special.erfcx(x)", REAL),
    ("scipy.special.ndtr", "scipy.special.ndtr(x)", WIDE),
    ("scipy.special.ndtri", "scipy.special.ndtri(x)", PROBABILITY),
    ("scipy.special.log_ndtr", "scipy.special.log_ndtr(x)", WIDE),
    ("scipy.special.gamma", "scipy.special.gamma(x)", POSITIVE),
    ("scipy.special.gammaln", "scipy.special.gammaln(x)", POSITIVE),
    ("scipy.special.loggamma", "scipy.special.loggamma(x)", POSITIVE),
    ("scipy.special.digamma", "scipy.special.digamma(x)", POSITIVE),
    ("scipy.special.psi", "scipy.special.psi(x)", POSITIVE),
    ("scipy.special.polygamma", "scipy.special.polygamma(1, x)", POSITIVE),
    ("scipy.special.expit", "scipy.special.expit(x)", WIDE),
    ("scipy.special.log_expit", "scipy.special.log_expit(x)", WIDE),
    ("scipy.special.logit", "scipy.special.logit(x)", PROBABILITY),
    ("scipy.special.i0", "scipy.special.i0(x)", REAL),
    ("scipy.special.i1", "scipy.special.i1(x)", REAL),
    ("scipy.special.i0e", "scipy.special.i0e(x)", NONZERO),
    ("scipy.special.i1e", "scipy.special.i1e(x)", NONZERO),
    ("scipy.special.iv", "scipy.special.iv(2, x)", REAL),
    ("scipy.special.ive", "scipy.special.ive(2, x)", NONZERO),
]

for target, call, domain in UNARY:
    _add(target, f"lambda x: {call}", UNARY_SHAPES, domains=(domain,))
    _add(target, f"lambda x: np.sum({call} ** 2)", [[(3,)], [PY]], "order2", order=2,
         domains=(domain,))

# other points of the domains, other orders
_add("scipy.special.gamma", "lambda x: scipy.special.gamma(x)", [[(3,)], [PY]], "negative",
     domains=(NEGATIVE_NONINTEGER,))
_add("scipy.special.gammaln", "lambda x: scipy.special.gammaln(x)", [[(3,)]], "negative",
     domains=(NEGATIVE_NONINTEGER,))
_add("scipy.special.digamma", "lambda x: scipy.special.digamma(x)", [[(3,)]], "negative",
     domains=(NEGATIVE_NONINTEGER,))
_add("scipy.special.gammaln", "lambda x: scipy.special.gammaln(x)", [[(3,)]], "large",
     domains=(Domain("large", uniform(20.0, 80.0)),))
_add("scipy.special.log_ndtr", "lambda x: scipy.special.log_ndtr(x)", [[(3,)], [PY]], "tail",
     domains=(LOWER_TAIL,))
_add("scipy.special.log_ndtr", "lambda x: np.sum(scipy.special.log_ndtr(x) ** 2)", [[(3,)]],
     "tail_order2", order=2, domains=(LOWER_TAIL,))
_add("scipy.special.polygamma", "lambda x: scipy.special.polygamma(0, x)", [[(3,)]], "n0",
     domains=(POSITIVE,))
_add("scipy.special.polygamma", "lambda x: scipy.special.polygamma(2, x) * x", [[(3, 2)]], "n2",
     domains=(POSITIVE,))
_add("scipy.special.polygamma", "lambda x: np.sum(scipy.special.polygamma(2, x) ** 2)", [[(3,)]],
     "n2_order2", order=2, domains=(POSITIVE,))
_add("scipy.special.iv", "lambda x: scipy.special.iv(1.5, x)", [[(3,)], [PY]], "v1.5",
     domains=(POSITIVE,))
_add("scipy.special.iv", "lambda x: scipy.special.iv(0, x)", [[(3,)]], "v0")
_add("scipy.special.ive", "lambda x: scipy.special.ive(0.5, x)", [[(3,)]], "v0.5",
     domains=(POSITIVE,))
_add("scipy.special.ive", "lambda x: scipy.special.ive(1, x)", [[(3,)]], "v1", domains=(NONZERO,))
_add("scipy.special.i1", "lambda x: scipy.special.i1(x)", [[(3,)]], "near0",
     domains=(Domain("near0", uniform(-1e-3, 1e-3)),))
_add("scipy.special.erfinv", "lambda x: scipy.special.erfinv(x)", [[(3,)]], "near1",
     domains=(Domain("near1", uniform(0.99, 0.999)),), rtol=1e-4)
_add("scipy.special.expit", "lambda x: scipy.special.expit(x)", [[(3,)]], "far",
     domains=(Domain("far", uniform(-30.0, 30.0)),))
_add("scipy.special.log_expit", "lambda x: scipy.special.log_expit(x)", [[(3,)]], "far",
     domains=(Domain("far", uniform(-30.0, 30.0)),))
# inverse pairs: derivative of the composition is 1
_add("scipy.special.ndtri", "lambda x: scipy.special.ndtri(scipy.special.ndtr(x)) * x",
     [[(3,)]], "inverse", domains=(REAL,))
_add("scipy.special.erfinv", "lambda x: scipy.special.erfinv(scipy.special.erf(x)) * x",
     [[(3,)]], "inverse", domains=(SMALL,))
_add("scipy.special.logit", "lambda x: scipy.special.logit(scipy.special.expit(x)) * x",
     [[(3,)]], "inverse", domains=(REAL,))

# ---- binary functions ---------------------------------------------------------------------------

for target, call, domains in [
        ("scipy.special.xlogy", "scipy.special.xlogy(x, y)", (REAL, POSITIVE)),
        ("scipy.special.xlog1py", "scipy.special.xlog1py(x, y)", (REAL, POSITIVE)),
        ("scipy.special.betaln", "scipy.special.betaln(x, y)", (POSITIVE, POSITIVE)),
        ("scipy.special.beta", "scipy.special.beta(x, y)", (POSITIVE, POSITIVE))]:
    pairs = SHAPE_PAIRS if target in ("scipy.special.xlogy", "scipy.special.betaln") \
        else [((3, 2), (2,)), ((), (3,)), (PY, PY), ((1, 2), (3, 1))]
    _add(target, f"lambda x, y: {call}", pairs, domains=domains)
    _add(target, f"lambda x, y: np.sum({call} ** 2)", [[(3,), (3,)], [PY, PY]], "order2",
         order=2, domains=domains)
    _add(target, f"lambda y: {call.replace('x, ', '0.7, ')}", [[(3,)]], "constant_x",
         domains=domains[1:])
_add("scipy.special.xlogy", "lambda x, y: scipy.special.xlogy(x, y)", [[(3,), (3,)]],
     "x_at_0", domains=(0.0 * np.ones(3), POSITIVE), wrt=(1,))
_add("scipy.special.xlog1py", "lambda x, y: scipy.special.xlog1py(x, y)", [[(3,), (3,)]],
     "y_negative", domains=(REAL, Domain("above_minus_one", uniform(-0.8, -0.1))))

# ---- normalizations -----------------------------------------------------------------------------

for target in ("scipy.special.softmax", "scipy.special.log_softmax"):
    call = target + "(x{})"
    for keywords, shapes in [
            ("", [[()], [(3,)], [(3, 2)], [(1, 2)], [PY]]),
            ("axis=0", [[(3,)], [(3, 2)], [(1, 2)]]),
            ("axis=1", [[(3, 2)], [(2, 3, 2)]]),
            ("axis=-1", [[(3, 2)], [(4,)]]),
            ("axis=(0, 1)", [[(3, 2)], [(2, 3, 2)]]),
            ("axis=None", [[(3, 2)]])]:
        label = keywords.replace("=", "").replace("(", "").replace(")", "").replace(", ", ".") \
            .replace("-", "m")
        _add(target, f"lambda x: {call.format(', ' + keywords if keywords else '')}", shapes,
             label)
    _add(target, f"lambda x: {call.format(', 1')}", [[(3, 2)]], "positional")
    _add(target, f"lambda x: np.sum({call.format(', axis=0')} ** 3 * np.cos(x))",
         [[(3,)], [(3, 2)]], "order2", order=2)

for keywords, shapes in [
        ("", [[()], [(3,)], [(3, 2)], [(1, 2)], [PY]]),
        ("axis=0", [[(3,)], [(3, 2)], [(1, 2)]]),
        ("axis=1", [[(3, 2)], [(2, 3, 2)]]),
        ("axis=-1", [[(3, 2)]]),
        ("axis=(0, 2)", [[(2, 3, 2)]]),
        ("keepdims=True", [[(3, 2)], [(3,)]]),
        ("axis=0, keepdims=True", [[(3, 2)]]),
        ("axis=1, keepdims=False", [[(3, 2)]]),
        ("axis=(0, 1), keepdims=True", [[(3, 2)]]),
        ("return_sign=False", [[(3, 2)]]),
        ("b=0.5", [[(3, 2)]]),
        ("axis=0, b=np.array([0.5, 2.0, 1.5])", [[(3,)]])]:
    label = keywords.replace("=", "").replace("(", "").replace(")", "").replace(", ", "_") \
        .replace("-", "m").replace("np.array[0.5_2.0_1.5]", "array")
    _add("scipy.special.logsumexp", f"lambda x: scipy.special.logsumexp(x"
         f"{', ' + keywords if keywords else ''})", shapes, label)
# weights, differentiated and broadcast
for keywords in ["", "axis=0", "axis=1, keepdims=True", "axis=-1"]:
    label = "b" + keywords.replace("=", "").replace(", ", "_").replace("-", "m")
    _add("scipy.special.logsumexp", f"lambda x, w: scipy.special.logsumexp(x, b=w"
         f"{', ' + keywords if keywords else ''})", [[(3, 2), (3, 2)], [(3, 2), (2,)],
                                                   [(3, 2), (3, 1)], [(2,), (3, 2)]], label,
         domains=(REAL, POSITIVE))
_add("scipy.special.logsumexp", "lambda x, w: scipy.special.logsumexp(x, 0, w, True)",
     [[(3, 2), (3, 2)]], "positional", domains=(REAL, POSITIVE))
_add("scipy.special.logsumexp", "lambda x: scipy.special.logsumexp(x, axis=0) * x",
     [[(3, 2)]], "reused")
_add("scipy.special.logsumexp", "lambda x: scipy.special.logsumexp(x) ** 2", [[(3, 2)], [PY]],
     "order2", order=2)
_add("scipy.special.logsumexp", "lambda x: np.sum(scipy.special.logsumexp(x, axis=1) ** 2)",
     [[(3, 2)]], "axis1_order2", order=2)
_add("scipy.special.logsumexp", "lambda x, w: scipy.special.logsumexp(x, axis=0, b=w) ** 2",
     [[(3,), (3,)]], "b_order2", order=2, domains=(REAL, POSITIVE))

# ---- scipy.stats.norm ----------------------------------------------------------------------------

NORM = [("pdf", REAL), ("logpdf", REAL), ("cdf", REAL), ("sf", REAL), ("logcdf", REAL),
        ("logsf", REAL), ("ppf", PROBABILITY)]

for method, domain in NORM:
    target = f"scipy.stats.norm.{method}"
    _add(target, f"lambda x: {target}(x)", UNARY_SHAPES, domains=(domain,))
    _add(target, f"lambda x, m, s: {target}(x, loc=m, scale=s)",
         [[(3, 2), (), ()], [(3, 2), (2,), (3, 1)], [(), (2,), ()], [PY, PY, PY],
          [(2,), (2,), (2,)], [(1, 2), (3, 1), (2,)]], "loc_scale",
         domains=(domain, REAL, SCALE))
    _add(target, f"lambda x, m, s: {target}(x, m, s)", [[(3,), (), (3,)]], "positional",
         domains=(domain, REAL, SCALE))
    _add(target, f"lambda x, s: {target}(x, scale=s)", [[(3,), ()]], "scale",
         domains=(domain, SCALE))
    _add(target, f"lambda x, m: {target}(x, m)", [[(3,), (3,)]], "loc", domains=(domain, REAL))
    _add(target, f"lambda x: {target}(x, 0.5, 2.0)", [[(3,)]], "constants", domains=(domain,))
    _add(target, f"lambda m, s: {target}({'0.3' if method == 'ppf' else '1.5'}, m, s)",
         [[(3,), (3,)]], "parameters_only", domains=(REAL, SCALE))
    _add(target, f"lambda x, m, s: np.sum({target}(x, m, s) ** 2)", [[(3,), (3,), (3,)]],
         "order2", order=2, domains=(domain, REAL, SCALE))

for method in ("logcdf", "cdf", "pdf", "logpdf"):
    target = f"scipy.stats.norm.{method}"
    _add(target, f"lambda x: {target}(x)", [[(3,)]], "lower_tail", domains=(LOWER_TAIL,))
_add("scipy.stats.norm.logsf", "lambda x: scipy.stats.norm.logsf(-x)", [[(3,)]], "upper_tail",
     domains=(LOWER_TAIL,))
