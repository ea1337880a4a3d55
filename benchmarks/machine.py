"""What the benchmarks ran on: CPU, Python, NumPy and its BLAS, thread settings and the date.

Everything is best effort: a field that cannot be determined says so instead of failing the run.
The BLAS thread count actually in effect is asked from OpenBLAS itself (through ctypes) when NumPy
is linked against it, to confirm that the environment variables set by `run.py` took effect.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import io
import os
import platform
import sys
from typing import Dict, List, Optional

import numpy as np

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, with the vector extensions relevant to BLAS."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    fields: Dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip()
        if key and key not in fields:
            fields[key] = value.strip()
    model = fields.get("model name") or fields.get("Processor") or platform.processor() or "unknown"
    flags = set(fields.get("flags", "").split())
    simd = [name for name in ("avx2", "fma", "avx512f") if name in flags]
    if simd:
        model += f" ({', '.join(simd)})"
    return model


def blas_info() -> str:
    """Which BLAS NumPy was built against, from `np.show_config`."""
    try:
        config = np.show_config(mode="dicts")  # NumPy >= 1.25
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
        detail = blas.get("openblas configuration")
        return f"{text} ({detail})" if detail else text
    except Exception:  # older NumPy: fall back to the printed configuration
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            np.show_config()
        names = [line.strip() for line in buffer.getvalue().splitlines()
                 if "libraries" in line or "name" in line]
        return "; ".join(names[:3]) or "unknown"


def _loaded_openblas() -> Optional[ctypes.CDLL]:
    """The OpenBLAS shared library loaded into this process, if any."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as handle:
            paths = {line.split()[-1] for line in handle if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        if path.startswith("/"):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    return None


def _openblas_function(library: ctypes.CDLL, stem: str) -> Optional[ctypes._CFuncPtr]:
    """`openblas_<stem>` under the symbol prefixes and suffixes used by NumPy's wheels."""
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_"):
            try:
                return getattr(library, f"{prefix}openblas_{stem}{suffix}")
            except AttributeError:
                continue
    return None


def openblas_runtime() -> str:
    """The thread count and kernel OpenBLAS reports at run time, or why it is unknown."""
    library = _loaded_openblas()
    if library is None:
        return "not OpenBLAS (or not found in this process)"
    parts: List[str] = []
    threads = _openblas_function(library, "get_num_threads")
    if threads is not None:
        threads.restype = ctypes.c_int
        parts.append(f"{threads()} thread(s)")
    core = _openblas_function(library, "get_corename")
    if core is not None:
        core.restype = ctypes.c_char_p
        parts.append(f"kernel {core().decode(errors='replace')}")
    return ", ".join(parts) or "OpenBLAS loaded, but it does not report its settings"


def load_average() -> Optional[float]:
    """The 1-minute load average, where the platform has one: other work running alongside."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def collect() -> Dict[str, str]:
    """The machine description written at the top of docs/benchmarks.md."""
    threads = ", ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in THREAD_VARIABLES)
    return {
        "Date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu_model()}, {os.cpu_count()} logical CPU(s)",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "NumPy": np.__version__,
        "BLAS": blas_info(),
        "Thread settings": threads,
        "BLAS at run time": openblas_runtime(),
    }
