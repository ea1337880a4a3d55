"""The command line: `s2sgrad show path/to/file.py:function` prints generated derivative source.

    s2sgrad show examples/mlp.py:loss --wrt W1,b1
    s2sgrad show examples/mlp.py:loss --stages        # the source after every compiler stage
    s2sgrad show examples/control_flow.py:piecewise --mode forward
    s2sgrad show examples/control_flow.py:piecewise --order 2   # the gradient of the gradient
    python -m s2sgrad show ...                        # the same

Errors in the user's code are printed as located diagnostics with exit status 1; bad command-line
usage exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from typing import Any, List, Optional

from . import pipeline
from .api import Derived
from .errors import S2sgradError

_KINDS = {"grad": "grad", "value_and_grad": "value_and_grad", "vjp": "vjp"}


def main(argv: Optional[List[str]] = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command != "show":
        parser.print_help()
        return 2
    if options.order < 1 or (options.stages and options.order != 1):
        print("s2sgrad: --order must be 1 or more (and 1 with --stages)", file=sys.stderr)
        return 2
    try:
        fn = _load_function(options.target)
        wrt: Any = tuple(_wrt_item(w) for w in options.wrt.split(",")) if options.wrt else 0
        kind = options.kind if options.mode == "reverse" else "jvp"
        derived = Derived(fn, wrt, kind if options.order == 1 else
                          ("grad" if options.mode == "reverse" else "pushforward"))
        for order in range(2, options.order + 1):
            # the derivative of the code generated for the one below (for array arguments)
            inner = derived.generated_functions()[0]
            last = order == options.order
            derived = Derived(inner, wrt, kind if last else derived._kind)
        if options.stages and options.mode == "forward":
            pipeline.compile_forward(derived._fn, derived._wrt, trace=_print_stage)
        elif options.stages:
            pipeline.compile_reverse(derived._fn, derived._wrt, options.kind, trace=_print_stage,
                                     single=derived._single)
        else:
            sys.stdout.write(derived.source)
    except S2sgradError as exc:
        print(f"s2sgrad: {exc}", file=sys.stderr)
        return 1
    except _UsageError as exc:
        print(f"s2sgrad: {exc}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s2sgrad", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    show = commands.add_parser("show", help="print the generated derivative source of a function")
    show.add_argument("target", help="path/to/file.py:function")
    show.add_argument("--wrt", default="", help="comma-separated argument names or positions "
                                                "(default: the first argument)")
    show.add_argument("--mode", default="reverse", choices=["reverse", "forward"])
    show.add_argument("--order", default=1, type=int)
    show.add_argument("--kind", default="grad", choices=sorted(_KINDS),
                      help="grad (default), value_and_grad or vjp (forward and backward passes)")
    show.add_argument("--stages", action="store_true",
                      help="print the source after every compiler stage")
    return parser


class _UsageError(Exception):
    pass


def _wrt_item(text: str) -> Any:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _load_function(target: str) -> Any:
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise _UsageError(f"expected path/to/file.py:function, got {target!r}")
    if not os.path.isfile(path):
        raise _UsageError(f"no such file: {path}")
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    module_name = "_s2sgrad_show_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's file itself fails: say so, without our traceback
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if os.path.abspath(f.filename) == os.path.abspath(path)]
        line = getattr(exc, "lineno", None) or (frames[-1].lineno if frames else "?")
        raise _UsageError(f"{path}:{line}: running the file failed: "
                          f"{type(exc).__name__}: {exc}") from None
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise _UsageError(f"{path} has no attribute {name!r}")
        obj = getattr(obj, part)
    return getattr(obj, "__wrapped__", obj) if isinstance(obj, Derived) else obj


def _print_stage(stage: str, source: str) -> None:
    print(f"# ---- {stage} " + "-" * max(0, 60 - len(stage)))
    print(source)


if __name__ == "__main__":
    sys.exit(main())
