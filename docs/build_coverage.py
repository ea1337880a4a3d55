"""Writes docs/coverage.md: every function, method and attribute with derivative rules, read from
the rule registry itself (`s2sgrad/rules/registry.py`), with the number of cases the systematic
check (tests/systematic/) runs for each.

The page cannot drift from the code: tests/test_coverage_doc.py checks that running this script
reproduces the committed page. Run: python docs/build_coverage.py

What the page holds, all sorted so that the output is deterministic:
- one table per rule family, i.e. per module of `s2sgrad/rules/` holding the templates, titled by
  the first sentence of that module's docstring: one row per function, method or attribute with
  its spellings (`np.abs`, `x.sum()`, `x.T`, `a * b`, `scipy.stats.norm.pdf`), whether it has an
  adjoint (reverse-mode) rule and a tangent (forward-mode) rule, and its systematic cases;
- the functions declared with zero derivative;
- the helpers that generated code calls (their rules make derivatives of derivatives work);
- a count summary.
Only the library's own rules are listed (templates defined in `s2sgrad.rules.*`, and in
`s2sgrad.tf.*` for a few of its ops): rules that a program or a test registers at run time are
not part of the page. The page is built with SciPy installed (its rules are listed) and depends
on NumPy's names (`np.acos` is listed as a spelling of `np.arccos` since NumPy 2.0).
"""

from __future__ import annotations

import collections
import importlib
import inspect
import math
import operator
import os
import sys
from typing import Any, Dict, Iterable, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

import numpy as np  # noqa: E402
import numpy.fft  # noqa: E402,F401
import numpy.linalg  # noqa: E402,F401

try:  # SciPy's rules are loaded lazily, once SciPy is imported (registry._load_optional_rules)
    import scipy  # noqa: E402
    import scipy.linalg  # noqa: E402,F401
    import scipy.special  # noqa: E402,F401
    import scipy.stats  # noqa: E402,F401
except ImportError:  # pragma: no cover - the page is built with SciPy installed
    scipy = None

import s2sgrad  # noqa: E402,F401
import s2sgrad.tf  # noqa: E402,F401  (registers the rules of its ops when imported)
from s2sgrad.rules import registry  # noqa: E402

RULES_PACKAGE = "s2sgrad.rules."
# Modules whose templates are the library's rules: the rule modules, and s2sgrad.tf's ops (rules
# for a few of its own functions). A family is named by its module without "s2sgrad.rules."
# ("elementwise") or without "s2sgrad." ("tf.ops").
RULE_MODULES = (RULES_PACKAGE, "s2sgrad.tf.")
HELPERS_FAMILY = "generated"
# The order of the families on the page; families not named here follow, alphabetically.
FAMILY_ORDER = ["elementwise", "reductions", "statistics", "ordering", "products", "shape",
                "shapes", "containers", "linalg", "fft", "complex", "scipy_special",
                "scipy_stats", "scipy_linalg"]

OPERATOR_SYMBOLS = {
    "add": "a + b", "sub": "a - b", "mul": "a * b", "truediv": "a / b", "floordiv": "a // b",
    "mod": "a % b", "pow": "a ** b", "matmul": "a @ b", "neg": "-a", "pos": "+a", "invert": "~a",
    "not_": "not a", "and_": "a & b", "or_": "a | b", "xor": "a ^ b", "lshift": "a << b",
    "rshift": "a >> b", "lt": "a < b", "le": "a <= b", "gt": "a > b", "ge": "a >= b",
    "eq": "a == b", "ne": "a != b", "getitem": "a[i]", "setitem": "a[i] = v",
    "iadd": "a += b", "isub": "a -= b", "imul": "a *= b", "itruediv": "a /= b",
    "ifloordiv": "a //= b", "imod": "a %= b", "ipow": "a **= b", "imatmul": "a @= b",
    "contains": "b in a", "is_": "a is b", "is_not": "a is not b",
}


# ---------------------------------------------------------------------------------------------
# Spellings: how a registry key is written in user code
# ---------------------------------------------------------------------------------------------

# (prefix, module name, sort rank); a key found in several gets every spelling, in this order.
NAMESPACES: List[Tuple[str, str, int]] = [
    ("", "builtins", 1), ("np.", "numpy", 2), ("np.linalg.", "numpy.linalg", 3),
    ("np.fft.", "numpy.fft", 4), ("math.", "math", 7), ("scipy.special.", "scipy.special", 8),
    ("scipy.stats.", "scipy.stats", 9), ("scipy.linalg.", "scipy.linalg", 10),
    ("s2sgrad.", "s2sgrad", 11), ("tf.", "s2sgrad.tf", 12), ("tf.nn.", "s2sgrad.tf.nn", 12),
]
RANK_OPERATOR, RANK_METHOD, RANK_ATTRIBUTE, RANK_OTHER = 0, 5, 6, 13


class Spellings:
    """Every name under which user code reaches a registry key (scans the public names of the
    modules in NAMESPACES, by object identity)."""

    def __init__(self) -> None:
        self.names: Dict[int, List[Tuple[int, str]]] = collections.defaultdict(list)
        self.objects: List[Any] = []     # keeps the scanned objects alive (ids stay unique)
        for name, value in sorted(vars(operator).items()):
            if not name.startswith("_") and callable(value):
                self._add(value, RANK_OPERATOR, OPERATOR_SYMBOLS.get(name, f"operator.{name}"))
        for prefix, module_name, rank in NAMESPACES:
            module = sys.modules.get(module_name)
            if module is None:
                continue
            for name, value in sorted(vars(module).items()):
                if name.startswith("_") or inspect.ismodule(value):
                    continue
                self._add(value, rank, prefix + name)

    def _add(self, value: Any, rank: int, spelling: str) -> None:
        self.objects.append(value)
        self.names[id(value)].append((rank, spelling))

    def of(self, key: Any) -> List[Tuple[int, str]]:
        """(rank, spelling) pairs, the preferred one first."""
        if isinstance(key, tuple) and len(key) == 2 and key[0] == "method":
            return [(RANK_METHOD, f"x.{key[1]}()")]
        if isinstance(key, tuple) and len(key) == 2 and key[0] == "attribute":
            return [(RANK_ATTRIBUTE, f"x.{key[1]}")]
        found = self.names.get(id(key))
        if found:
            preferred = getattr(key, "__name__", None)
            return sorted(set(found), key=lambda rs: (rs[0], rs[1].rsplit(".", 1)[-1] != preferred,
                                                      rs[1]))
        if inspect.ismethod(key):     # a bound method: `scipy.stats.norm.pdf`
            owner = self.names.get(id(key.__self__))
            if owner:
                rank, spelling = min(owner)
                return [(rank, f"{spelling}.{key.__func__.__name__}")]
        module = getattr(key, "__module__", None) or ""
        name = getattr(key, "__qualname__", None) or getattr(key, "__name__", None) or repr(key)
        module = "np" + module[len("numpy"):] if module.split(".")[0] == "numpy" else module
        return [(RANK_OTHER, f"{module}.{name}" if module else name)]


def _is_library_object(key: Any, spellings: Spellings) -> bool:
    """A key the library itself declares (not a function of a program or a test): a method or
    attribute name, an object of the scanned namespaces, or one that its module really holds
    under its name (a helper of s2sgrad, NumPy or SciPy)."""
    if isinstance(key, tuple) or id(key) in spellings.names:
        return True
    if inspect.ismethod(key):
        return id(key.__self__) in spellings.names
    module = getattr(key, "__module__", None) or ""
    if module.split(".")[0] not in ("numpy", "scipy", "s2sgrad"):
        return False
    found: Any = sys.modules.get(module)
    for part in (getattr(key, "__qualname__", None) or "<none>").split("."):
        found = getattr(found, part, None)
    return found is key


# ---------------------------------------------------------------------------------------------
# The registry and the systematic cases
# ---------------------------------------------------------------------------------------------

def _family(rule: Any) -> Optional[str]:
    module = rule.module or ""
    if module.startswith(RULES_PACKAGE):
        return module[len(RULES_PACKAGE):]
    return module[len("s2sgrad."):] if module.startswith(RULE_MODULES) else None


def _module_of(family: str) -> str:
    return ("s2sgrad." if family.startswith("tf.") else RULES_PACKAGE) + family


def _title(family: str) -> str:
    """The first sentence of the family module's docstring."""
    module = importlib.import_module(_module_of(family))
    doc = inspect.getdoc(module) or family
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    end = paragraph.find(". ")
    sentence = paragraph if end < 0 else paragraph[:end + 1]
    return sentence.rstrip(".:")


def _case_counts() -> Tuple[Dict[Any, int], List[str]]:
    """Systematic cases per registry key, and the targets that resolve to no key."""
    import systematic

    namespace: Dict[str, Any] = {"np": np, "math": math, "operator": operator}
    if scipy is not None:
        namespace["scipy"] = scipy
    counts: Dict[Any, int] = collections.Counter()
    unresolved: List[str] = []
    per_target = collections.Counter(case.target for case in systematic.all_cases())
    for target, count in sorted(per_target.items()):
        try:
            key = systematic.resolve(target, namespace)
        except Exception:   # a target spelled for a package that is not installed
            unresolved.append(target)
            continue
        if target.startswith(".") and not _known(key):
            key = registry.attribute(target[1:])    # `.T`: an attribute, not a method
        key = registry._key(key)
        if not _known(key):
            unresolved.append(target)
            continue
        counts[key] += count
    return counts, unresolved


def _known(key: Any) -> bool:
    key = registry._key(key)
    return key in registry._adjoints or key in registry._tangents or key in registry._zero


class Row:
    def __init__(self, key: Any, spellings: List[Tuple[int, str]], adjoint: bool, tangent: bool,
                 cases: int, family: str):
        self.key, self.spellings, self.family = key, spellings, family
        self.adjoint, self.tangent, self.cases = adjoint, tangent, cases

    @property
    def sort_key(self) -> Tuple[int, str]:
        return self.spellings[0]

    def spelled(self) -> str:
        return ", ".join(f"`{spelling}`" for _, spelling in self.spellings)


def _collect() -> Tuple[Dict[str, List[Row]], List[Row], List[Tuple[int, str]], List[str], int]:
    registry._load_optional_rules()
    spellings = Spellings()
    counts, unresolved = _case_counts()
    adjoints, tangents = dict(registry._adjoints), dict(registry._tangents)
    families: Dict[str, List[Row]] = collections.defaultdict(list)
    helpers: List[Row] = []
    for key in set(adjoints) | set(tangents):
        rules = [rule for rule in (adjoints.get(key), tangents.get(key)) if rule is not None]
        family = next((f for f in map(_family, rules) if f is not None), None)
        if family is None or not _is_library_object(key, spellings):
            continue       # a rule registered by a program or a test, not by the library
        row = Row(key, spellings.of(key), _family_or_none(adjoints.get(key)) is not None,
                  _family_or_none(tangents.get(key)) is not None, counts.get(key, 0), family)
        if family == HELPERS_FAMILY or _is_internal(row):
            helpers.append(row)
        else:
            families[family].append(row)
    zero: List[Tuple[int, str]] = []
    zero_helpers: List[Row] = []
    for key in registry._zero:
        if not _is_library_object(key, spellings):
            continue
        row = Row(key, spellings.of(key), False, False, 0, "")
        if _is_internal(row):
            zero_helpers.append(row)
        else:
            zero.extend(row.spellings)
    for rows in families.values():
        rows.sort(key=lambda row: row.sort_key)
    helpers.sort(key=lambda row: row.sort_key)
    zero_helpers.sort(key=lambda row: row.sort_key)
    total_cases = sum(counts.values())
    return families, helpers + zero_helpers, sorted(set(zero)), unresolved, total_cases


def _is_internal(row: "Row") -> bool:
    """A helper of s2sgrad's own (generated code or rule templates call it), not a user-facing
    function."""
    rank, spelling = row.spellings[0]
    return rank == RANK_OTHER and spelling.startswith("s2sgrad.")


def _family_or_none(rule: Any) -> Optional[str]:
    return None if rule is None else _family(rule)


def _ordered(families: Iterable[str]) -> List[str]:
    known = [f for f in FAMILY_ORDER if f in families]
    return known + sorted(f for f in families if f not in FAMILY_ORDER)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

INTRO = """\
# Rule coverage: which functions can be differentiated

This page is generated from the rule registry by `docs/build_coverage.py` (run
`python docs/build_coverage.py` after adding rules; `tests/test_coverage_doc.py` fails when the
page is stale). A function is differentiated either from its Python source (your own functions)
or through a derivative *rule*: an adjoint rule for reverse mode (`grad`, `value_and_grad`,
`vjp`) and a tangent rule for forward mode (`jvp`, `pushforward`, and the forward sweep of `hvp`
and `hessian`). Each table below is one module of `s2sgrad/rules/` (or of `s2sgrad/tf/`, whose
names are spelled as after `import s2sgrad.tf as tf`); a row is one function, array method
(`x.sum()`) or attribute (`x.T`), with every spelling that reaches the same object (`np.abs`,
`np.absolute`). "cases" counts the cases of the systematic check
(`tests/test_systematic.py`, tables in `tests/systematic/`) that compare both modes with
central finite differences for that function, over grids of shapes and keyword arguments.
To add a rule for a function of your own or of another library, see `docs/custom_rules.md`.
"""


def _mark(flag: bool) -> str:
    return "yes" if flag else "**no**"


def _table(rows: List[Row], cases: bool = True) -> List[str]:
    if cases:
        lines = ["| function | adjoint | tangent | cases |", "|---|---|---|---|"]
        lines += [f"| {row.spelled()} | {_mark(row.adjoint)} | {_mark(row.tangent)} | "
                  f"{row.cases} |" for row in rows]
    else:
        lines = ["| helper | rules in | adjoint | tangent |", "|---|---|---|---|"]
        lines += [f"| {row.spelled()} | {f'`{row.family}`' if row.family else '-'} | "
                  f"{_rule_mark(row)} | {_rule_mark(row, tangent=True)} |" for row in rows]
    return lines


def _rule_mark(row: Row, tangent: bool = False) -> str:
    if not row.adjoint and not row.tangent:
        return "zero derivative"
    return _mark(row.tangent if tangent else row.adjoint)


ZERO_GROUPS = [("Operators", (RANK_OPERATOR,)), ("Builtins", (1,)), ("`math`", (7,)),
               ("NumPy", (2, 3, 4)),
               ("Array methods and attributes", (RANK_METHOD, RANK_ATTRIBUTE)),
               ("SciPy", (8, 9, 10)), ("s2sgrad", (11,)),
               ("`s2sgrad.tf` (imported as `tf`)", (12,)), ("Other", (RANK_OTHER,))]


def versions_line() -> str:
    """The library versions the page was built with (their names and aliases differ between
    versions: the up-to-date test compares only under the same ones)."""
    import scipy
    return (f"Built with NumPy {'.'.join(np.__version__.split('.')[:2])} and SciPy "
            f"{'.'.join(scipy.__version__.split('.')[:2])}.")


def build() -> str:
    families, helpers, zero, unresolved, total_cases = _collect()
    parts = [INTRO, versions_line() + "\n"]
    summary = []
    for family in _ordered(families):
        rows = families[family]
        path = _module_of(family).replace(".", "/") + ".py"
        parts.append(f"## {_title(family)}\n\n`{path}`: {len(rows)} functions, methods and "
                     "attributes.\n\n" + "\n".join(_table(rows)) + "\n")
        summary.append((f"`{family}`", rows))
    parts.append(
        "## Functions with zero derivative\n\n"
        "These may take differentiated values; no gradient flows through them (their derivative "
        "is zero wherever it exists: shapes, comparisons, indices, rounding, new arrays that only "
        "copy a shape). Anything else without a rule stops the compiler with \"no derivative rule "
        "for ...\" (declare your own with `s2sgrad.zero_derivative`).\n")
    for title, ranks in ZERO_GROUPS:
        names = [spelling for rank, spelling in zero if rank in ranks]
        if names:
            parts.append(f"- {title}: " + ", ".join(f"`{name}`" for name in names))
    parts[-1] += "\n"
    parts.append(
        "## Helpers of generated code\n\n"
        "Generated derivative code calls these helpers (`s2sgrad/runtime/`, and a few defined "
        "next to the rules that call them). Their rules (most in `s2sgrad/rules/generated.py`) "
        "let s2sgrad differentiate generated code again: `grad(grad(f))`, `hvp`, `hessian`; "
        "those with zero derivative only compute shapes, indices or decisions. The helpers are "
        "checked through the functions whose rules call them (second-order systematic cases) "
        "and by `tests/test_generated_rules.py`.\n\n"
        + "\n".join(_table(helpers, cases=False)) + "\n")
    parts.append(_summary(summary, helpers, zero, total_cases, unresolved))
    return "\n".join(parts)


def _summary(families: List[Tuple[str, List[Row]]], helpers: List[Row],
             zero: List[Tuple[int, str]], total_cases: int, unresolved: List[str]) -> str:
    lines = ["## Summary", "",
             "| family | functions | adjoint rules | tangent rules | with cases | cases |",
             "|---|---|---|---|---|---|"]
    totals = [0, 0, 0, 0, 0]
    for name, rows in families:
        numbers = [len(rows), sum(r.adjoint for r in rows), sum(r.tangent for r in rows),
                   sum(r.cases > 0 for r in rows), sum(r.cases for r in rows)]
        totals = [t + n for t, n in zip(totals, numbers)]
        lines.append(f"| {name} | " + " | ".join(map(str, numbers)) + " |")
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in totals) + " |")
    with_rules = [r for r in helpers if r.adjoint or r.tangent]
    lines += ["", f"{totals[0]} functions, methods and attributes have rules "
              f"({sum(1 for _, rows in families for r in rows if r.adjoint and r.tangent)} "
              f"have both an adjoint and a tangent rule); {len(zero)} spellings have zero "
              f"derivative; {len(with_rules)} helpers of generated code have rules. The "
              f"systematic check runs {total_cases} cases on them."]
    if unresolved:
        lines += ["", "Systematic cases whose target is not a registered function: "
                  + ", ".join(f"`{t}`" for t in unresolved) + "."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(os.path.join(HERE, "coverage.md"), "w") as handle:
        handle.write(build())
