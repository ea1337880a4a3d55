"""Timing: the median of many repeats, with warm-up, calibration and the garbage collector off.

A measurement of a call `fn(*args)` goes like this:

1. warm-up: call it a few times (at least twice, and for at least `warmup_seconds`), so caches,
   lazily generated code and the allocator are in their steady state;
2. calibration: find how many calls (`number`) one sample must contain so that a sample lasts at
   least `min_sample` seconds (so timer resolution does not matter for sub-microsecond calls);
3. choose the number of samples (`repeats`) so that the measurement lasts about `budget` seconds,
   but never fewer than `min_repeats`;
4. take the samples with `time.perf_counter` and the garbage collector disabled, and report the
   median time per call (and the quartiles, as a measure of noise).

`compare` measures several calls together and lets them take turns in short blocks (about
`block_seconds` each), so a slow spell of the machine (frequency scaling, other work on the machine
or on the host of a virtual machine) affects all of them alike, which matters because the
benchmarks report ratios.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import math
import statistics
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

perf_counter = time.perf_counter


@dataclasses.dataclass(frozen=True)
class Settings:
    budget: float = 0.4          # seconds of sampling per measurement
    min_repeats: int = 7         # samples taken even when one call exceeds the budget
    max_repeats: int = 20000
    min_sample: float = 2e-4     # seconds; the minimum duration of one sample
    warmup_seconds: float = 0.05
    block_seconds: float = 0.02  # in `compare`, seconds each call runs before the next one's turn


FULL = Settings()
QUICK = Settings(budget=0.03, min_repeats=3, warmup_seconds=0.005)


@dataclasses.dataclass(frozen=True)
class Timing:
    """Seconds per call: median and quartiles over `repeats` samples of `number` calls each."""

    median: float
    q1: float
    q3: float
    repeats: int
    number: int

    @property
    def spread(self) -> float:
        """The interquartile range relative to the median."""
        return (self.q3 - self.q1) / self.median if self.median > 0 else 0.0

    @property
    def total(self) -> float:
        return self.median * self.repeats * self.number


Call = Tuple[Callable[..., Any], Sequence[Any]]


def _sample(fn: Callable[..., Any], args: Sequence[Any], number: int) -> float:
    """Seconds for `number` consecutive calls `fn(*args)`."""
    loop = itertools.repeat(None, number)
    start = perf_counter()
    for _ in loop:
        fn(*args)
    return perf_counter() - start


def _warm_up_and_calibrate(fn: Callable[..., Any], args: Sequence[Any],
                           settings: Settings) -> Tuple[int, float]:
    """Warm `fn` up, then return (calls per sample, estimated seconds per call)."""
    start = perf_counter()
    calls = 0
    while calls < 2 or perf_counter() - start < settings.warmup_seconds:
        fn(*args)
        calls += 1
    number = 1
    while True:
        elapsed = min(_sample(fn, args, number) for _ in range(3))
        if elapsed >= settings.min_sample:
            return number, elapsed / number
        # Aim a little past the minimum so the loop usually ends on the next round.
        scale = 1.5 * settings.min_sample / max(elapsed, 1e-9)
        number = max(2 * number, math.ceil(number * scale))


def _summarize(samples: List[float], number: int) -> Timing:
    per_call = sorted(s / number for s in samples)
    if len(per_call) >= 2:
        q1, _, q3 = statistics.quantiles(per_call, n=4, method="inclusive")
    else:
        q1 = q3 = per_call[0]
    return Timing(statistics.median(per_call), q1, q3, len(per_call), number)


def compare(calls: Dict[str, Call], settings: Settings = FULL) -> Dict[str, Timing]:
    """Time each `(fn, args)` in `calls`, interleaving their samples; seconds per call."""
    plans = {}
    for name, (fn, args) in calls.items():
        number, per_call = _warm_up_and_calibrate(fn, args, settings)
        repeats = settings.budget / (number * per_call)
        repeats = int(min(max(repeats, settings.min_repeats), settings.max_repeats))
        plans[name] = (number, repeats)

    samples: Dict[str, List[float]] = {name: [] for name in calls}
    # Take turns in short blocks, so a slow spell of the machine hits all the calls alike; a block
    # still holds several consecutive calls, as in a loop that calls the same function repeatedly.
    most = max(repeats for _, repeats in plans.values())
    blocks = max(1, min(most, round(settings.budget / settings.block_seconds)))
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for block in range(blocks):
            for name, (fn, args) in calls.items():
                number, repeats = plans[name]
                # Spread the repeats over the blocks as evenly as possible.
                count = repeats * (block + 1) // blocks - repeats * block // blocks
                for _ in range(count):
                    samples[name].append(_sample(fn, args, number))
    finally:
        if was_enabled:
            gc.enable()
    return {name: _summarize(samples[name], plans[name][0]) for name in calls}


def measure(fn: Callable[..., Any], args: Sequence[Any] = (),
            settings: Settings = FULL) -> Timing:
    """Time one call `fn(*args)`; seconds per call."""
    return compare({"only": (fn, args)}, settings)["only"]


def time_once(fn: Callable[..., Any], args: Sequence[Any] = ()) -> float:
    """Seconds for a single call, with the garbage collector off (for one-off events)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = perf_counter()
        fn(*args)
        return perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()


def page_faults_per_call(fn: Callable[..., Any], args: Sequence[Any] = (),
                         calls: int = 3) -> Optional[float]:
    """Minor page faults per call of `fn(*args)`, after one warm-up call (None where unknown).

    Each fault is a page of memory the process had to obtain afresh from the kernel, which happens
    when a call needs more memory at once than the allocator keeps around between calls.
    """
    try:
        import resource
    except ImportError:  # not on this platform
        return None
    fn(*args)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn(*args)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def format_seconds(seconds: float) -> str:
    """A time with a unit that keeps three or four significant digits: 12.3 µs, 4.56 ms."""
    magnitude = abs(seconds)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if magnitude >= scale:
            return f"{seconds / scale:.3g} {unit}" if magnitude < 100 * scale \
                else f"{seconds / scale:.0f} {unit}"
    return f"{seconds * 1e9:.0f} ns"
