"""Loading generated source as live Python functions.

Needs: the generated source (one or more `def`s), the user function it derives from, and the
helper objects the source reaches by alias (numpy, runtime helpers).
Guarantees: each generated function
- runs in the user function's own globals, so globals it reads are read live, as the user's code
  would read them;
- shares the user function's closure cells, so closed-over values are live too;
- reaches helpers through closure cells of its own (they shadow nothing the user's code reads,
  because the namer kept their names apart);
- has its source registered in `linecache` under a unique file name, so tracebacks, `pdb` and
  `inspect.getsource` show the generated code; the entry is removed when the code is released;
- knows, line by line, the user's statement each generated line came from (`origin_of`), so that
  an error found while differentiating generated code again names the user's line too.
"""

from __future__ import annotations

import itertools
import linecache
import textwrap
import threading
import types
import weakref
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from . import codegen

_counter = itertools.count(1)
_lock = threading.Lock()
FACTORY = "_s2sgrad_factory"
# generated file: (its source, the user's Location of each statement in order), until a
# location in it is asked for; then {line: the user's Location}
_ORIGINS: Dict[str, Any] = {}


def origin_of(filename: str, line: int) -> Optional[Any]:
    """The user's statement (an `errors.Location`) that line `line` of the generated file
    `filename` was made from, following derivatives of derivatives back to the user's code;
    None where unknown."""
    found = _ORIGINS.get(filename)
    if isinstance(found, tuple):        # (the factory's `def` line comes first)
        source, origins = found
        found = _ORIGINS[filename] = {
            at + 1: where for at, where in codegen.origins_by_line(source, origins).items()}
    return found.get(line) if found else None


class LoadedCode:
    """Compiled generated functions, not yet bound to a particular user function."""

    def __init__(self, filename: str, codes: Dict[str, types.CodeType], helpers: Mapping[str, Any],
                 source: str):
        self.filename = filename
        self.source = source
        self.codes = codes
        self.helpers = dict(helpers)
        weakref.finalize(self, linecache.cache.pop, filename, None)
        weakref.finalize(self, _ORIGINS.pop, filename, None)

    def bind(self, user_fn: types.FunctionType,
             defaults: Mapping[str, Tuple[Optional[tuple], Optional[dict]]]
             ) -> Dict[str, types.FunctionType]:
        """The generated functions, living in `user_fn`'s globals and sharing its closure."""
        cells = dict(zip(user_fn.__code__.co_freevars, user_fn.__closure__ or ()))
        functions: Dict[str, types.FunctionType] = {}
        for name, code in self.codes.items():
            argdefs, kwdefaults = defaults.get(name, (None, None))
            closure = tuple(_cell_for(var, self.helpers, cells) for var in code.co_freevars)
            function = types.FunctionType(code, user_fn.__globals__, name, argdefs,
                                          closure or None)
            function.__kwdefaults__ = dict(kwdefaults) if kwdefaults else None
            function.__qualname__ = name
            function._s2sgrad_loaded = self  # keeps the linecache entry alive while in use
            functions[name] = function
        return functions


def load(source: str, names: Iterable[str], helpers: Mapping[str, Any],
         freevars: Iterable[str], label: str,
         origins: Optional[List[Any]] = None) -> LoadedCode:
    """Compile `source`, which defines the functions `names`, once. `origins`: the user's
    statement (`errors.Location`) each statement of `source` was made from, in order, where
    known (see `codegen.statement_origins`); a location in generated code itself is followed
    to the user's."""
    params = list(helpers) + [name for name in freevars if name not in helpers]
    factory = f"def {FACTORY}({', '.join(params)}):\n" + textwrap.indent(source, "    ")
    with _lock:
        filename = f"<s2sgrad generated {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(factory), None, factory.splitlines(keepends=True), filename)
    if origins and any(where is not None for where in origins):
        _ORIGINS[filename] = (source, [where and (origin_of(where.filename, where.lineno)
                                                  or where) for where in origins])
    module_code = compile(factory, filename, "exec")
    factory_code = _code_named(module_code.co_consts, FACTORY)
    codes = {name: _code_named(factory_code.co_consts, name) for name in names}
    return LoadedCode(filename, codes, helpers, source)


def _code_named(constants: Iterable[Any], name: str) -> types.CodeType:
    for const in constants:
        if isinstance(const, types.CodeType) and const.co_name == name:
            return const
    raise LookupError(f"generated code has no function {name}")


def _cell_for(name: str, helpers: Mapping[str, Any], cells: Mapping[str, Any]) -> Any:
    if name in helpers:
        return types.CellType(helpers[name])
    return cells[name]
