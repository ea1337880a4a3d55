"""The persistent cache: generated derivative source kept on disk, so a new process skips generation.

Opt-in: set the environment variable `S2SGRAD_CACHE_DIR` to a directory before importing s2sgrad,
or call `s2sgrad.enable_disk_cache(path)` (`disable_disk_cache()` turns it off). The in-memory
cache (`s2sgrad.cache`) stays in front: the disk is read only when a process first needs a
derivative.

An entry is keyed by everything the generated code depends on:
- the function's source, file and first line (the generated comments quote the user's lines);
- the request (reverse or forward mode, `wrt`, the variant: Python numbers, containers);
- its dependencies: what each global, builtin and closed-over name the function's code reads
  refers to (modules by name, classes and functions by module and qualified name, functions of
  the user's by their source, recursively: a callee's derivative shapes the caller's);
- the derivative rules (each rule's template, built-in or registered by the user);
- the versions of s2sgrad (a digest of its own source files), Python, NumPy, gast and astor.

An entry holds the generated source and how to reach again the objects it uses (importable
objects by module and name; the derivatives of callees by their function and request). Each file
carries a digest of its content. A file that cannot be read, does not match its digest or its
key, or names an object that no longer resolves to what it described, is deleted and the
derivative generated afresh: entries are never trusted. Files are written to a temporary name
and renamed, so concurrent processes never see half a file.

Not persisted (generated in each process, as without the disk cache): derivatives specialized for
objects passed as arguments, derivatives of derivatives (their input is generated code), and code
that calls functions known only at run time.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import inspect
import json
import os
import sys
import sysconfig
import tempfile
import types
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import numpy as np

FORMAT = 1
ENVIRONMENT_VARIABLE = "S2SGRAD_CACHE_DIR"

_directory: Optional[Path] = None
_fingerprints: Dict[str, str] = {}
stats = {"hits": 0, "misses": 0, "writes": 0, "rejected": 0}


class _NotPersistable(Exception):
    """A dependency or helper that cannot be described so that another process finds it again."""


def enable_disk_cache(path: Optional[str] = None) -> Path:
    """Keep generated derivatives in `path` (default: `$S2SGRAD_CACHE_DIR`, else
    `~/.cache/s2sgrad`), so that new processes load them instead of generating them again."""
    global _directory
    chosen = Path(path or os.environ.get(ENVIRONMENT_VARIABLE)
                  or Path.home() / ".cache" / "s2sgrad").expanduser()
    chosen.mkdir(parents=True, exist_ok=True)
    _directory = chosen
    return chosen


def disable_disk_cache() -> None:
    """Stop reading and writing the disk cache (its files stay where they are)."""
    global _directory
    _directory = None


def cache_directory() -> Optional[Path]:
    return _directory


def fetch_or_build(fn: Any, request: Tuple, build: Callable[[], Any]) -> Any:
    """The derivative of `fn` for `request`: from disk if a valid entry is there, else built
    (and written to disk when it can be described)."""
    directory = _directory
    if directory is None:
        return build()
    try:
        key = _key(fn, request)
    except _NotPersistable:
        return build()
    path = directory / key[:2] / f"{key}.json"
    record = _read(path, key)
    if record is not None:
        derivative = _restore(record, fn)
        if derivative is not None:
            stats["hits"] += 1
            return derivative
        _discard(path)
    stats["misses"] += 1
    derivative = build()
    try:
        record = _describe(derivative)
    except _NotPersistable:
        return derivative
    _write(path, key, record)
    return derivative


# ---- the key ---------------------------------------------------------------------------------


def _key(fn: Any, request: Tuple) -> str:
    if fn.__code__.co_filename.startswith("<s2sgrad"):
        raise _NotPersistable("a derivative of generated code")
    parts = {
        "format": FORMAT,
        "versions": _versions(),
        "rules": _rules_fingerprint(),
        "request": repr(request),
        "function": _describe_dependency(fn, set(), top=True),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _versions() -> Dict[str, str]:
    if "versions" not in _fingerprints:
        import astor
        import gast

        package = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
        _fingerprints["versions"] = json.dumps({
            "s2sgrad": digest.hexdigest(), "python": sys.version, "numpy": np.__version__,
            "gast": getattr(gast, "__version__", "?"), "astor": astor.__version__})
    return json.loads(_fingerprints["versions"])


def _rules_fingerprint() -> str:
    from .rules import registry

    cached = _fingerprints.get("rules")
    if cached is not None and cached[0] == registry.version:
        return cached[1]
    digest = hashlib.sha256()
    tables = (("adjoint", registry._adjoints), ("tangent", registry._tangents))
    for kind, table in tables:
        entries = []
        for key, rule in table.items():
            template = rule.template
            text = "" if template.__module__.startswith("s2sgrad.") else _source_or_bytecode(template)
            entries.append(f"{kind}|{_spelling(key)}|{template.__module__}."
                           f"{template.__qualname__}|{rule.globals.get('np', np).__name__}"
                           f"|{text}")
        for entry in sorted(entries):
            digest.update(entry.encode())
    for key in sorted(_spelling(k) for k in registry._zero):
        digest.update(key.encode())
    for key in sorted(_spelling(k) for k in registry._container_results):
        digest.update(b"container" + key.encode())
    _fingerprints["rules"] = (registry.version, digest.hexdigest())  # type: ignore[assignment]
    return digest.hexdigest()


def _spelling(key: Any) -> str:
    if isinstance(key, tuple):
        return repr(key[:2]) if not (len(key) == 2 and key[0] == "id") else "id"
    return f"{getattr(key, '__module__', None)}.{getattr(key, '__qualname__', repr(key))}"


def _source_or_bytecode(fn: Any) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        if code is None:
            raise _NotPersistable(f"{fn!r} has no source") from None
        return code.co_code.hex() + repr(code.co_consts)


def _describe_dependency(value: Any, seen: Set[int], top: bool = False) -> Any:
    """What another process must find under a name for the generated code to be the same."""
    from .frontend.resolve import MISSING

    if value is MISSING:        # a guard that a global stays undefined (a builtin is used)
        return ["missing"]
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    if isinstance(value, (bool, int, float, str, type(None))):
        return ["value", type(value).__name__, repr(value)]
    if isinstance(value, types.FunctionType) and not _is_library(value):
        if id(value) in seen:
            return ["function", value.__module__, value.__qualname__, "(recursive)"]
        seen.add(id(value))
        code = value.__code__
        if code.co_filename.startswith("<s2sgrad"):
            raise _NotPersistable("generated code")
        described = ["function", value.__module__, value.__qualname__, code.co_filename,
                     code.co_firstlineno, _source_or_bytecode(value),
                     repr(value.__defaults__), repr(value.__kwdefaults__)]
        names = {}
        for name in sorted(_global_names(code)):
            if name in value.__globals__:
                names[name] = _describe_dependency(value.__globals__[name], seen)
            elif hasattr(builtins, name):
                names[name] = ["builtin", name]
        cells = [_describe_dependency(_cell_value(c), seen) for c in (value.__closure__ or ())]
        return described + [names, cells] if top or names or cells else described
    if isinstance(value, np.ndarray):
        return ["array", str(value.dtype), list(value.shape)]
    path = _import_path(value)
    if path is not None:
        return ["object"] + path
    if isinstance(value, (list, tuple, dict)) and len(value) <= 64:
        return ["container", type(value).__name__, len(value)]
    raise _NotPersistable(f"a global of type {type(value).__name__}")


def _is_library(fn: types.FunctionType) -> bool:
    """A function of an installed package or of the standard library (found again by name; its
    version is in the key), not one of the user's (described by its source)."""
    filename = os.path.realpath(fn.__code__.co_filename)
    return any(filename.startswith(root) for root in _library_roots()) \
        and _import_path(fn) is not None


def _library_roots() -> List[str]:
    if "roots" not in _fingerprints:
        paths = sysconfig.get_paths()
        roots = {os.path.realpath(paths[k]) + os.sep for k in ("stdlib", "purelib", "platlib")
                 if k in paths}
        roots.add(str(Path(__file__).resolve().parent) + os.sep)
        _fingerprints["roots"] = json.dumps(sorted(roots))
    return json.loads(_fingerprints["roots"])


def _global_names(code: types.CodeType) -> Set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _cell_value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:     # an empty cell (a name assigned later)
        return None


def _import_path(value: Any) -> Optional[List[str]]:
    """[module, qualified name] under which `value` itself is found again, if any."""
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if isinstance(value, np.ufunc):
        module, name = "numpy", value.__name__
    if not isinstance(module, str) or not isinstance(name, str) or "<" in name:
        return None
    try:
        found = _resolve_path(module, name)
    except Exception:   # noqa: BLE001 - anything that does not import is not findable again
        return None
    return [module, name] if found is value or found == value else None


def _resolve_path(module: str, name: str) -> Any:
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


# ---- what an entry holds ------------------------------------------------------------------------


def _describe(derivative: Any) -> Dict[str, Any]:
    from .frontend.resolve import Guard
    from .transforms.calls import CalleeGuard

    callees = [g.derived for g in derivative.guards if isinstance(g, CalleeGuard)]
    helpers = {alias: _describe_helper(obj, callees)
               for alias, obj in derivative.code.helpers.items()}
    guards = []
    for guard in derivative.guards:
        if isinstance(guard, CalleeGuard):
            continue        # restored with the callee's helpers
        if type(guard) is not Guard or guard.scope not in ("global", "builtin", "cell"):
            raise _NotPersistable("a guard on an argument")
        guards.append([guard.scope, guard.name, guard.index,
                       _describe_dependency(guard.value, set())])
    location = derivative.output_location
    return {"kind": derivative.kind, "wrt": list(derivative.wrt), "source": derivative.source,
            "entry": list(derivative.entry), "helpers": helpers, "guards": guards,
            "seed": derivative.seed, "scalar_capable": derivative.scalar_capable,
            "tangents": list(derivative.tangents), "restores": derivative.restores,
            "location": [location.filename, location.lineno, location.col, location.code]}


def _describe_helper(obj: Any, callees: List[Any]) -> List[Any]:
    path = _import_path(obj)
    if path is not None:
        return ["object"] + path
    for derived in callees:
        found = _callee_entry(derived, obj)
        if found is not None:
            return found
    raise _NotPersistable(f"a helper of type {type(obj).__name__}")


def _callee_entry(derived: Any, obj: Any) -> Optional[List[Any]]:
    """How to get `obj` back: a generated function of the callee derivative `derived`."""
    fn = derived._fn
    if not isinstance(fn, types.FunctionType) or fn.__code__.co_filename.startswith("<s2sgrad"):
        return None
    path = _import_path(fn)
    if path is None:
        return None
    if obj in derived._entry:
        return ["callee"] + path + [list(derived._wrt), derived._kind, [], [],
                                    derived._entry.index(obj)]
    for key, (_, functions) in derived._variants.items():
        if obj in functions and key[0] == "variant" and not key[3]:
            return ["callee"] + path + [list(derived._wrt), derived._kind, list(key[1]),
                                        list(key[2]), functions.index(obj)]
    return None


def _restore(record: Dict[str, Any], fn: Any) -> Optional[Any]:
    """The derivative an entry describes, or None when something no longer matches."""
    from . import loader, pipeline
    from .api import Derived
    from .errors import Location
    from .frontend.resolve import Guard
    from .rules import registry
    from .transforms.calls import CalleeGuard

    try:
        helpers: Dict[str, Any] = {}
        guards: List[Any] = []
        for alias, description in record["helpers"].items():
            if description[0] == "object":
                helpers[alias] = _resolve_path(description[1], description[2])
            elif description[0] == "callee":
                _, module, name, wrt, kind, containers, dicts, index = description
                derived = Derived(_resolve_path(module, name), tuple(wrt), kind)
                helpers[alias] = derived.generated_functions(tuple(containers),
                                                             tuple(dicts))[index]
                guards.append(CalleeGuard(derived))
            else:
                return None
        for scope, name, index, described in record["guards"]:
            value = _guarded_value(fn, scope, name, index)
            if _describe_dependency(value, set()) != described:
                return None
            guards.append(Guard(scope, name, value, index))
        label = f"{record['kind']} of {fn.__qualname__}"
        code = loader.load(record["source"], record["entry"], helpers, fn.__code__.co_freevars,
                           label)
        return pipeline.Derivative(
            kind=record["kind"], wrt=tuple(record["wrt"]), source=record["source"],
            entry=tuple(record["entry"]), code=code, guards=guards, seed=record["seed"],
            output_location=Location(*record["location"]), rules_version=registry.version,
            scalar_capable=record["scalar_capable"], tangents=tuple(record["tangents"]),
            restores=record.get("restores", True))
    except Exception:   # noqa: BLE001 - a stale entry, whatever went wrong: generate afresh
        stats["rejected"] += 1
        return None


def _guarded_value(fn: Any, scope: str, name: str, index: int) -> Any:
    from .frontend.resolve import MISSING

    if scope == "global":
        return fn.__globals__.get(name, MISSING)
    if scope == "builtin":
        return getattr(builtins, name)
    return fn.__closure__[index].cell_contents


# ---- files --------------------------------------------------------------------------------------


def _read(path: Path, key: str) -> Optional[Dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        stored = json.loads(text)
        payload = stored["payload"]
        intact = stored["digest"] == _digest(payload) and stored["key"] == key \
            and stored["format"] == FORMAT
    except (ValueError, KeyError, TypeError):
        intact = False
    if not intact:
        stats["rejected"] += 1
        _discard(path)
        return None
    return payload


def _write(path: Path, key: str, record: Dict[str, Any]) -> None:
    text = json.dumps({"format": FORMAT, "key": key, "digest": _digest(record),
                       "payload": record}, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
        stats["writes"] += 1
    except OSError:      # a read-only or full disk: the derivative works all the same
        return


def _digest(record: Dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


if os.environ.get(ENVIRONMENT_VARIABLE):
    enable_disk_cache()
