"""Operations through which no gradient flows (their derivative is zero wherever it exists).

Anything listed here may take differentiated values without an error; its result is constant for
the purposes of differentiation. Anything *not* listed and without an adjoint rule makes the
compiler stop with "no derivative rule for ...".
"""

import builtins
import math
import operator

import numpy as np

from ..runtime import is_array, same_object, stop_gradient
from ..runtime.dynamic import callee_passes, callee_tangents
from ..runtime.variables import accumulate_variable_adjoint, read_variable
from .registry import attribute, method, zero_derivative

zero_derivative(
    # shapes, sizes, types
    np.shape, np.size, np.ndim, np.result_type, builtins.len, builtins.isinstance, builtins.type,
    builtins.int, builtins.bool, builtins.range, builtins.round,
    # piecewise-constant functions
    np.sign, np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix,
    operator.floordiv, np.floor_divide, math.floor, math.ceil, math.trunc,
    # comparisons, logic, predicates, indices
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne, operator.not_,
    np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isnan, np.isinf, np.isfinite, np.isposinf, np.isneginf, np.signbit, math.isnan,
    math.isinf, math.isfinite, np.count_nonzero,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.searchsorted,
    # new arrays whose values do not depend on the argument's values
    np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    # an explicit barrier; the type and identity tests of in-place updates
    stop_gradient, is_array, same_object,
    # a run-time callee's passes (functions), looked up where the call runs
    callee_passes, callee_tangents,
    # a Variable read as a free value, its adjoint handed to a GradientTape
    read_variable, accumulate_variable_adjoint,
    # array methods and attributes
    method("argmax"), method("argmin"), method("argsort"), method("nonzero"), method("keys"),
    attribute("shape"), attribute("dtype"), attribute("ndim"), attribute("size"),
    attribute("itemsize"), attribute("nbytes"), attribute("strides"),
)
