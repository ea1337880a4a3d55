"""The systematic check of every derivative rule (tests/test_systematic.py): its case tables.

Each family of rules has a table module here (`elementwise`, `statistics`, `products`, `shapes`,
`linalg`, `fft`, `special`), exporting `CASES`, a list of `Case`. A case is one function (a lambda,
as text, so its source can be read and keyword arguments appear as constants) and one draw of its
arguments: the test checks its vector-Jacobian product (reverse mode) and its Jacobian-vector
product (forward mode) against central differences along a random direction
(`s2sgrad.check_grads`), and the two against each other.

Build cases with `grid(...)`: every combination of argument shapes (and keyword settings written
into the expression) becomes one case. `target` names the function the case checks, spelled as
in user code (`"np.linalg.det"`, `"scipy.special.erf"`, `".sum"` for a method, `"attribute:T"` for
`x.T`); the coverage test
resolves it and requires every rule in the registry to have cases.
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from rule_cases import (ABOVE_ONE, NEAR_ONE, NONZERO, POSITIVE, PY, REAL, SMALL, UNIT, Domain,
                        shape_id, uniform)

__all__ = ["Case", "grid", "Domain", "Sampler", "PY", "REAL", "SMALL", "POSITIVE", "UNIT",
           "ABOVE_ONE", "NONZERO", "NEAR_ONE", "SPD", "WELL_CONDITIONED", "uniform", "FAMILIES",
           "all_cases", "SHAPES", "SHAPE_PAIRS", "AXES_2D", "shape_id"]

FAMILIES = ["elementwise", "statistics", "products", "shapes", "linalg", "fft", "special",
            "ordering"]

# The shape grid of the issue: scalars, vectors, matrices, broadcastable rows (and Python floats).
SHAPES: List[Any] = [(), (2,), (3, 2), (1, 2)]
SHAPE_PAIRS: List[Tuple[Any, Any]] = list(itertools.product(SHAPES + [PY], repeat=2))
AXES_2D: List[Any] = [None, 0, 1]


class Sampler:
    """A domain whose draw depends on the whole shape (matrices with a structure):
    `draw(rng, shape) -> array`."""

    def __init__(self, name: str, draw: Callable[[np.random.Generator, Tuple[int, ...]], Any]):
        self.name, self.draw = name, draw

    def sample(self, rng: np.random.Generator, shape: Any) -> Any:
        return np.asarray(self.draw(rng, shape), dtype=np.float64)

    def __repr__(self) -> str:
        return self.name


def _spd(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Symmetric positive definite (batches of) matrices, eigenvalues well apart."""
    n = shape[-1]
    a = rng.normal(size=shape)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _well_conditioned(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """(Batches of) general matrices, comfortably invertible when square."""
    a = rng.uniform(-1.0, 1.0, shape)
    k = min(shape[-2:]) if len(shape) >= 2 else 0
    if k:
        a[..., range(k), range(k)] += 3.0
    return a


SPD = Sampler("spd", _spd)
WELL_CONDITIONED = Sampler("well_conditioned", _well_conditioned)


@dataclass
class Case:
    """One function and one draw of its arguments."""
    target: str                       # the function checked, spelled as in user code
    expression: str                   # "lambda a, b: np.linalg.solve(a, b)"
    shapes: Tuple[Any, ...]           # one per lambda parameter (PY: a Python float)
    domains: Tuple[Any, ...]          # one per parameter: Domain / Sampler, or a constant value
    wrt: Optional[Tuple[int, ...]] = None   # default: every float argument
    ok: Optional[Callable[..., Any]] = None  # redraw until ok(*args) holds everywhere
    rtol: float = 1e-5
    atol: float = 1e-7
    eps: float = 1e-6
    modes: Tuple[str, ...] = ("fwd", "rev")
    order: int = 1                    # 2: also the four second-order compositions (scalar f)
    label: str = ""                   # extra words for the test id (keyword settings)
    marks: Tuple[Any, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        shapes = ",".join(shape_id(s) for s, d in zip(self.shapes, self.domains) if _drawn(d))
        return "-".join(part for part in (self.target, self.label, shapes) if part)

    def sample(self, rng: np.random.Generator) -> List[Any]:
        for _ in range(1000):
            args = [d.sample(rng, s) if _drawn(d) else d for s, d in zip(self.shapes, self.domains)]
            if self.ok is None or np.all(self.ok(*args)):
                return args
        raise AssertionError(f"{self.id}: could not draw inputs inside the domain")


def _drawn(domain: Any) -> bool:
    return isinstance(domain, (Domain, Sampler))


def grid(target: str, expression: str, shapes: Sequence[Sequence[Any]],
         domains: Sequence[Any] = None, label: str = "", **options: Any) -> List[Case]:
    """One case per entry of `shapes` (a tuple of argument shapes each). `domains` defaults to
    REAL for every argument; `options` are the other `Case` fields (wrt, ok, rtol, ...)."""
    out = []
    for arg_shapes in shapes:
        arg_shapes = tuple(arg_shapes)
        doms = tuple(domains) if domains is not None else (REAL,) * len(arg_shapes)
        out.append(Case(target, expression, arg_shapes, doms, label=label, **options))
    return out


def all_cases() -> List[Case]:
    """Every family's cases (a family whose module is missing contributes none)."""
    cases: List[Case] = []
    for family in FAMILIES:
        try:
            module = importlib.import_module(f"systematic.{family}")
        except ModuleNotFoundError as error:
            if error.name != f"systematic.{family}":
                raise
            continue
        cases.extend(module.CASES)
    return cases


def resolve(target: str, namespace: Dict[str, Any]) -> Any:
    """The registry key a target spelling stands for: the object, or method(...) for `.name`."""
    from s2sgrad.rules.registry import attribute, method
    if target.startswith("attribute:"):
        return attribute(target.split(":", 1)[1])
    if target.startswith("."):
        return method(target[1:])
    return eval(target, namespace)
