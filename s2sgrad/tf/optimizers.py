"""`tf.keras.optimizers.SGD` and `Adam`, and TF 1's `GradientDescentOptimizer`, on NumPy.

`apply_gradients(zip(grads, variables))` updates each `Variable` with `assign`/`assign_sub`,
following the update rules of Keras 2 and 3 (TensorFlow 2):

- SGD: `v -= lr * g`; with momentum m, `velocity = m * velocity - lr * g`, then
  `v += velocity` (or, with `nesterov=True`, `v += m * velocity - lr * g`).
- Adam at step t (from 1): `m = b1 * m + (1 - b1) * g`, `s = b2 * s + (1 - b2) * g * g`,
  `v -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(s) + epsilon)` (with `amsgrad`, s is
  replaced by its running maximum).

As in Keras, a pair whose gradient is `None` is skipped with a warning naming the variables, all
`None` is a `ValueError`, and `iterations` counts the calls. `learning_rate` may be a number or a
schedule: a callable taking the step (`iterations`) or no argument. The hyperparameters stay
Python numbers, so a float64 variable is updated in float64 throughout.
`minimize(loss, var_list)` (Keras) and `compute_gradients` / `minimize` (TF 1) take the loss as
a function of no arguments (TensorFlow 2's form); its gradient with respect to the Variables it
reads comes from generated source (`s2sgrad.eager.callables`), or from a `tape=` given with the
loss already computed (Keras's `minimize(loss, var_list, tape=tape)`).
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ..eager.callables import gradients_of_callable
from ..eager.values import Variable
from .clip import clip_by_global_norm, clip_by_norm
from .ops import clip_by_value

__all__ = ["Optimizer", "SGD", "Adam", "GradientDescentOptimizer"]


def _pairs(grads_and_vars: Any) -> List[Tuple[Any, Any]]:
    pairs = [tuple(pair) for pair in grads_and_vars]
    for _, variable in pairs:
        if not isinstance(variable, Variable):
            raise TypeError(f"apply_gradients updates tf.Variable objects; got "
                            f"{type(variable).__name__}: {variable!r}")
    return pairs


def _names(variables: Any) -> List[str]:
    return [v.name for v in variables]


def _no_gradients(pairs: List[Tuple[Any, Any]]) -> ValueError:
    return ValueError(f"No gradients provided for any variable: {_names(v for _, v in pairs)}. "
                      f"Provided `grads_and_vars` is {pairs}.")


class Optimizer:
    """What Keras's optimizers share: the learning rate, the step counter, gradient clipping,
    the None-gradient checks and one slot dict per variable. Subclasses define `_update`."""

    def __init__(self, learning_rate: Any, name: str, clipnorm: Optional[float] = None,
                 clipvalue: Optional[float] = None, global_clipnorm: Optional[float] = None,
                 **kwargs: Any):
        if "lr" in kwargs:       # Keras 2's deprecated spelling
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unsupported arguments: "
                            f"{sorted(kwargs)}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             "be set.")
        self.learning_rate = learning_rate
        self.name = name
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = Variable(0, trainable=False, name="iteration", dtype=np.int64)
        self._slots: Dict[int, Dict[str, np.ndarray]] = {}

    @property
    def lr(self) -> Any:      # Keras 2's alias
        return self.learning_rate

    @lr.setter
    def lr(self, value: Any) -> None:
        self.learning_rate = value

    def current_learning_rate(self) -> float:
        """The learning rate for this step: the number, or the schedule called with the step
        (or with nothing, for a callable without parameters)."""
        rate = self.learning_rate
        if isinstance(rate, Variable):
            return float(rate)
        if callable(rate):
            if _takes_an_argument(rate):
                return float(rate(self.iterations.numpy()))
            return float(rate())
        return float(rate)

    def apply_gradients(self, grads_and_vars: Any, name: Optional[str] = None,
                        **kwargs: Any) -> Variable:
        """Update each variable with its gradient; returns the `iterations` counter."""
        pairs = _pairs(grads_and_vars)
        if not pairs:
            return self.iterations
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            raise _no_gradients(pairs)
        if len(kept) < len(pairs):
            missing = _names(v for g, v in pairs if g is None)
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss: they are left unchanged.", UserWarning, stacklevel=2)
        grads = self._clip([g for g, _ in kept])
        rate = self.current_learning_rate()
        for grad, (_, variable) in zip(grads, kept):
            grad = np.asarray(grad, dtype=variable.dtype)
            self._update(variable, grad, rate, self._slots_of(variable))
        self.iterations.assign_add(1, read_value=False)
        return self.iterations

    def minimize(self, loss: Any, var_list: Any, tape: Any = None) -> Variable:
        """`apply_gradients` of the gradients of `loss` (a function of no arguments, or the
        value a `tape` computed) with respect to `var_list` (or a function returning it)."""
        variables = list(var_list() if callable(var_list) else var_list)
        if tape is not None:
            grads = tape.gradient(loss, variables)
        else:
            grads = gradients_of_callable(loss, variables)
        return self.apply_gradients(zip(grads, variables))

    def _clip(self, grads: List[Any]) -> List[Any]:
        """Keras's `clipnorm` (each gradient by its own norm), `global_clipnorm` (all by their
        global norm) or `clipvalue` (each entry to [-clipvalue, clipvalue])."""
        if self.clipnorm is not None:
            return [clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            return clip_by_global_norm(grads, self.global_clipnorm)[0]
        if self.clipvalue is not None:
            return [clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _slots_of(self, variable: Variable) -> Dict[str, np.ndarray]:
        slots = self._slots.get(id(variable))
        if slots is None:
            slots = self._slots[id(variable)] = {"variable": variable}
        return slots

    def _update(self, variable: Variable, grad: np.ndarray, rate: float,
                slots: Dict[str, Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate!r}>"


def _takes_an_argument(fn: Any) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in parameters)


class SGD(Optimizer):
    """`tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False)`."""

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str = "SGD", **kwargs: Any):
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be in the range [0, 1]. Received: {momentum}")
        super().__init__(learning_rate, name, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, variable: Variable, grad: np.ndarray, rate: float,
                slots: Dict[str, Any]) -> None:
        if self.momentum == 0.0:
            variable.assign_sub(rate * grad, read_value=False)
            return
        velocity = slots.get("momentum", np.zeros(variable.shape, variable.dtype))
        velocity = self.momentum * velocity - rate * grad
        slots["momentum"] = velocity
        if self.nesterov:
            variable.assign_add(self.momentum * velocity - rate * grad)
        else:
            variable.assign_add(velocity)


class Adam(Optimizer):
    """`tf.keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False)`."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "Adam",
                 **kwargs: Any):
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _update(self, variable: Variable, grad: np.ndarray, rate: float,
                slots: Dict[str, Any]) -> None:
        step = int(self.iterations.numpy()) + 1
        zeros = np.zeros(variable.shape, variable.dtype)
        m = slots.get("m", zeros)
        s = slots.get("v", zeros)
        m = m + (grad - m) * (1.0 - self.beta_1)
        s = s + (grad * grad - s) * (1.0 - self.beta_2)
        slots["m"], slots["v"] = m, s
        if self.amsgrad:
            s = np.maximum(slots.get("v_hat", zeros), s)
            slots["v_hat"] = s
        alpha = rate * np.sqrt(1.0 - self.beta_2 ** step) / (1.0 - self.beta_1 ** step)
        variable.assign_sub(m * alpha / (np.sqrt(s) + self.epsilon))


class GradientDescentOptimizer:
    """TF 1's `tf.compat.v1.train.GradientDescentOptimizer(learning_rate)`: `v -= lr * g`.

    `apply_gradients(grads_and_vars, global_step=None)` skips `None` gradients silently (raising
    TF 1's ValueError when all are `None`) and increments `global_step` (a Variable) if given.
    """

    def __init__(self, learning_rate: Any, use_locking: bool = False,
                 name: str = "GradientDescent"):
        self.learning_rate = learning_rate
        self.name = name

    def compute_gradients(self, loss: Any, var_list: Any = None, **options: Any
                          ) -> List[Tuple[Any, Variable]]:
        """[(gradient, variable)] for the Variables of `var_list` (None where the loss does not
        depend on one); `loss` is a function of no arguments (TF 1 in eager mode)."""
        if var_list is None:
            raise ValueError("compute_gradients needs var_list: s2sgrad has no global collection "
                             "of trainable variables")
        variables = list(var_list)
        return list(zip(gradients_of_callable(loss, variables), variables))

    def minimize(self, loss: Any, global_step: Optional[Variable] = None, var_list: Any = None,
                 **options: Any) -> None:
        """`compute_gradients` then `apply_gradients`."""
        self.apply_gradients(self.compute_gradients(loss, var_list), global_step)

    def apply_gradients(self, grads_and_vars: Any, global_step: Optional[Variable] = None,
                        name: Optional[str] = None) -> None:
        pairs = _pairs(grads_and_vars)
        if not any(g is not None for g, _ in pairs):
            variables = _names(v for _, v in pairs)
            raise ValueError(f"No gradients provided for any variable: {variables}.")
        rate = float(self.learning_rate() if callable(self.learning_rate) else self.learning_rate)
        for grad, variable in pairs:
            if grad is not None:
                variable.assign_sub(rate * np.asarray(grad, dtype=variable.dtype))
        if global_step is not None:
            global_step.assign_add(1)
