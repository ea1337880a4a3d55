"""s2sgrad: source-to-source automatic differentiation for Python and NumPy.

    import numpy as np
    import s2sgrad as sg

    @sg.grad
    def f(x):
        return np.sum(np.tanh(x) * x)

    f(np.ones(3))          # the gradient, computed by generated NumPy code
    print(sg.source(f))    # that code

See README.md and docs/ for the API, the supported language and how the compiler works.
"""

from .api import grad, jvp, pushforward, source, value_and_grad, vjp
from .compose import hessian, hvp, jacobian
from .eager.custom import custom_gradient
from .eager.tape import GradientTape, UnconnectedGradients
from .eager.values import Tensor, Variable, constant
from .errors import (GradientCheckError, NoDerivativeRuleError, NonScalarOutputError,
                     RuleDefinitionError, S2sgradError, SourceUnavailableError,
                     UnsupportedSyntaxError, WrtError)
from .gradcheck import check_grads
from .persistent import disable_disk_cache, enable_disk_cache
from .rules import adjoint, attribute, d, method, tangent, zero_derivative
from .runtime import stop_gradient

__version__ = "0.1.0"

__all__ = [
    "enable_disk_cache", "disable_disk_cache",
    "custom_gradient",
    "grad", "value_and_grad", "vjp", "jvp", "pushforward", "jacobian", "hvp", "hessian", "source", "check_grads", "stop_gradient",
    "GradientTape", "UnconnectedGradients", "Variable", "Tensor", "constant",
    "adjoint", "tangent", "zero_derivative", "method", "attribute", "d",
    "S2sgradError", "UnsupportedSyntaxError", "NoDerivativeRuleError", "SourceUnavailableError",
    "WrtError", "NonScalarOutputError", "RuleDefinitionError", "GradientCheckError",
]
