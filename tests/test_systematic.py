"""The systematic check: every derivative rule, over shape and keyword grids, in both modes.

For each case of the tables in tests/systematic/ (one function, one random draw of its arguments,
seeded from the case id), `s2sgrad.check_grads` compares the generated vector-Jacobian product
(reverse mode) and Jacobian-vector product (forward mode) with central differences along a random
direction, and the two modes with each other. Each case counts two checks (VJP and JVP); the
count is printed at the end of the run, and `test_the_check_does_not_shrink` fails if the number
of checks drops below the floor.

The coverage tests require every function the project promises (LISTED) to have both rules and
cases here, and every rule in the registry to have cases (here or in the older grids,
tests/test_rules_grid.py and tests/test_forward_rules.py).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import s2sgrad as sg
from rule_cases import function_from_source, rng_for
from systematic import all_cases, resolve

CASES = all_cases()
FLOOR = 8500             # checks (8592 when set); raise it when cases are added, never lower it
COUNTER = {"checks": 0}

HAVE_SCIPY = importlib.util.find_spec("scipy") is not None


def _namespace():
    import math
    import operator
    namespace = {"np": np, "math": math, "operator": operator}
    if HAVE_SCIPY:
        import scipy.linalg
        import scipy.special
        import scipy.stats
        namespace["scipy"] = scipy
    return namespace


def _param(case):
    marks = list(case.marks)
    if case.target.startswith("scipy") or "scipy." in case.expression:
        marks.append(pytest.mark.skipif(not HAVE_SCIPY, reason="scipy is not installed"))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_rule(case):
    f = function_from_source(case.expression)
    args = case.sample(rng_for("systematic", case.id))
    sg.check_grads(f, args, order=case.order, modes=case.modes, wrt=case.wrt, eps=case.eps,
                   rtol=case.rtol, atol=case.atol, seed=len(case.id))
    COUNTER["checks"] += _checks(case)


def _checks(case):
    """VJP and JVP at first order; at second order, also one per composition of the modes."""
    return len(case.modes) + (len(case.modes) ** 2 if case.order >= 2 else 0)


def test_the_check_does_not_shrink():
    checks = sum(_checks(case) for case in CASES)
    assert checks >= FLOOR, f"the systematic check has {checks} checks, fewer than {FLOOR}"


def test_case_ids_are_unique():
    ids = [case.id for case in CASES]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"cases with the same id (and so the same inputs): {repeated}"


# ---------------------------------------------------------------------------------------------
# Coverage: what the project promises, and what the registry holds
# ---------------------------------------------------------------------------------------------

LISTED = """
np.exp np.expm1 np.exp2 np.log np.log1p np.log2 np.log10 np.sin np.cos np.tan np.arcsin np.arccos
np.arctan np.sinh np.cosh np.tanh np.arcsinh np.arccosh np.arctanh np.sqrt np.cbrt np.square
np.reciprocal np.abs np.clip np.where np.maximum np.minimum np.fmax np.fmin np.logaddexp
np.logaddexp2 np.hypot np.arctan2 np.power np.float_power np.mod np.fmod np.copysign np.heaviside
np.sinc np.nan_to_num
np.sum np.mean np.prod np.var np.std np.max np.min np.amax np.amin np.ptp np.cumsum np.cumprod
np.nansum np.nanmean np.nanmax np.nanmin np.median np.percentile np.quantile np.average
np.dot np.matmul np.tensordot np.inner np.outer np.einsum np.kron np.cross np.trace
np.reshape np.ravel np.squeeze np.expand_dims np.transpose np.swapaxes np.moveaxis np.broadcast_to
np.atleast_1d np.atleast_2d np.atleast_3d np.roll np.flip np.fliplr np.flipud np.rot90 np.repeat
np.tile np.pad np.concatenate np.stack np.vstack np.hstack np.split np.array_split np.diag
np.diagonal np.triu np.tril np.array np.take np.take_along_axis np.interp np.diff np.sort
np.linalg.det np.linalg.slogdet np.linalg.inv np.linalg.pinv np.linalg.solve np.linalg.lstsq
np.linalg.norm np.linalg.eigh np.linalg.eigvalsh np.linalg.eig np.linalg.eigvals
np.linalg.cholesky np.linalg.qr np.linalg.svd np.linalg.matrix_power np.linalg.multi_dot
np.fft.fft np.fft.ifft np.fft.fft2 np.fft.ifft2 np.fft.fftn np.fft.ifftn np.fft.rfft np.fft.irfft
np.fft.rfft2 np.fft.irfft2 np.fft.rfftn np.fft.irfftn np.fft.hfft np.fft.ihfft np.fft.fftshift
np.fft.ifftshift
.sum .mean .prod .max .min .dot .reshape .clip .astype .transpose .ravel .squeeze .cumsum .var
.std .ptp .trace .diagonal .flatten .repeat .take .swapaxes
""".split()

LISTED_SCIPY = """
scipy.special.erf scipy.special.erfc scipy.special.gamma scipy.special.gammaln
scipy.special.digamma scipy.special.expit scipy.special.logit scipy.special.xlogy
scipy.special.betaln scipy.special.logsumexp scipy.linalg.expm scipy.linalg.solve_triangular
scipy.stats.norm.pdf scipy.stats.norm.cdf scipy.stats.norm.logpdf
""".split()


def _listed():
    return LISTED + (LISTED_SCIPY if HAVE_SCIPY else [])


def test_every_listed_function_has_both_rules():
    from s2sgrad.rules import registry
    namespace = _namespace()
    missing = []
    for target in _listed():
        key = resolve(target, namespace)
        for kind, lookup in (("adjoint", registry.adjoint_rule), ("tangent", registry.tangent_rule)):
            if lookup(key) is None:
                missing.append(f"{target} ({kind})")
    assert not missing, f"listed functions without a rule: {missing}"


def test_every_listed_function_is_checked():
    checked = {case.target for case in CASES}
    missing = [target for target in _listed() if target not in checked]
    assert not missing, f"listed functions without systematic cases: {missing}"


def test_targets_name_rules():
    """A case's target is a function with rules (a typo would check nothing new)."""
    from s2sgrad.rules import registry
    namespace = _namespace()
    wrong = sorted({case.target for case in CASES
                    if (HAVE_SCIPY or not case.target.startswith("scipy"))
                    and registry.adjoint_rule(resolve(case.target, namespace)) is None
                    and registry.tangent_rule(resolve(case.target, namespace)) is None})
    assert not wrong, f"case targets without rules: {wrong}"
