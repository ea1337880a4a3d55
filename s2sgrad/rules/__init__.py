"""Derivative rules. Importing this package fills the rule table (see `registry`)."""

from . import (containers, elementwise, generated, nondiff, products, reductions,  # noqa: F401
               shape)  # (importing them registers their rules)
from . import statistics  # noqa: F401
from . import complex, fft  # noqa: F401  (complex numbers, numpy.fft)
from . import linalg  # noqa: F401  (numpy.linalg)
from . import ordering  # noqa: F401  (interp, diff, sort)
from .registry import (adjoint, adjoint_rule, attribute, d, differentiated, has_zero_derivative,
                       method, same_rules,
                       tangent, tangent_rule, zero_derivative)

__all__ = ["adjoint", "adjoint_rule", "attribute", "d", "differentiated", "has_zero_derivative",
           "method", "same_rules",
           "tangent", "tangent_rule", "zero_derivative"]
