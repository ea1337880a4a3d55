"""The long fuzzing run, and tools to look at one program.

    python -m fuzz.run --programs 10000 --seed 0 --jobs 2     check seeds 0..9999
    python -m fuzz.run --show SEED                            print program SEED (a runnable script)
    python -m fuzz.run --show SEED --check                    ... and check it
    python -m fuzz.run --minimize SEED                        shrink failing program SEED

Options: --size small|normal|large (program size), --timeout SECONDS (per program),
--no-avoid (generate the constructs AVOID switches off too), --allow NAME (generate the
construct of one AVOID switch, e.g. to check a fix; repeatable), --features (how many programs
used each construct), -v (print every failure in full).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import shutil
import sys
import tempfile
import time

from . import check as chk
from . import generate as gen

_WORKDIR = None
_OPTIONS = None


def _init(workdir, options):
    global _WORKDIR, _OPTIONS
    _WORKDIR, _OPTIONS = workdir, options


def _one(seed):
    try:
        with chk.deadline(_OPTIONS["timeout"]):
            prog = gen.program_for_seed(seed, _OPTIONS["size"], _OPTIONS["avoid"])
    except chk.Timeout:
        return chk.Result(seed, "invalid", "generate", "generation timed out",
                          "generation timed out")
    return chk.check_program(prog, _WORKDIR, _OPTIONS["timeout"])


def run(programs: int, seed: int, jobs: int = 1, size: str = "normal", avoid=None,
        timeout: float = 60.0, progress=True, workdir=None) -> list:
    """Check seeds seed .. seed + programs - 1; a list of Results (in seed order)."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="s2sgrad-fuzz-")
    options = {"size": size, "avoid": avoid, "timeout": timeout}
    seeds = range(seed, seed + programs)
    results = []
    start = time.perf_counter()
    pool = None
    try:
        # worker processes even for one job: they are replaced every 40 programs, which frees
        # what s2sgrad caches for the programs checked (each is a new module)
        ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
        pool = ctx.Pool(max(1, jobs), initializer=_init, initargs=(workdir, options),
                        maxtasksperchild=40)
        iterator = pool.imap_unordered(_one, seeds, chunksize=2)
        counts = collections.Counter()
        for k, result in enumerate(iterator, 1):
            results.append(result)
            counts[result.outcome] += 1
            if progress and result.outcome in ("mismatch", "crash", "invalid"):
                print(f"  seed {result.seed}: {result.outcome} [{result.stage}] {result.kind}",
                      flush=True)
            if progress and k % 100 == 0:
                rate = k / (time.perf_counter() - start)
                print(f"[{k}/{programs}] " + ", ".join(f"{o} {n}" for o, n in sorted(
                    counts.items())) + f"  ({rate:.1f} programs/s)", flush=True)
        pool.close()
        pool.join()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    results.sort(key=lambda r: r.seed)
    return results


def documented(result) -> bool:
    """Whether a refusal is the limit docs/language.md documents ("Limits of higher
    derivatives"): a second derivative through an in-place write into an array that another
    name of the first derivative's code may alias (a stack of recorded values, a copy made in a
    branch)."""
    return result.stage == "order2" and "may share its memory" in result.message


def summary(results: list, seconds: float, verbose: bool = False, features: bool = False) -> str:
    counts = collections.Counter(r.outcome for r in results)
    known = sum(1 for r in results if r.outcome == "refused" and documented(r))
    checked = [r for r in results if r.outcome not in ("discarded", "invalid", "timeout")]
    lines = [
        f"programs tried: {len(results)} (checked {len(checked)}, discarded as not smooth "
        f"{counts['discarded']}, invalid {counts['invalid']}) in {seconds:.0f} s",
        f"passes: {counts['pass']}",
        f"mismatches: {counts['mismatch']}",
        f"crashes: {counts['crash']}",
        f"refusals: {counts['refused']} (documented limitations {known}, "
        f"others {counts['refused'] - known})",
        f"time-outs: {counts['timeout']}",
    ]
    for outcome in ("mismatch", "crash", "invalid", "timeout", "refused"):
        groups = collections.defaultdict(list)
        for r in results:
            if r.outcome == outcome:
                groups[(r.stage, r.kind)].append(r)
        if not groups:
            continue
        lines.append(f"\n{outcome}s by cause:")
        for (stage, kind), rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            seeds = " ".join(str(r.seed) for r in rs[:12]) + (" ..." if len(rs) > 12 else "")
            lines.append(f"  {len(rs):5d}  [{stage}] {kind}\n         seeds: {seeds}")
            if outcome != "refused" or verbose:
                lines.append(f"         e.g.: {rs[0].message[:300]}")
            if verbose:
                for r in rs:
                    lines.append(f"--- seed {r.seed}\n{r.detail}")
    discarded = collections.Counter(r.kind for r in results if r.outcome == "discarded")
    if discarded:
        lines.append("\ndiscarded: " + ", ".join(f"{k} {n}" for k, n in discarded.most_common()))
    if checked:
        slow = max(checked, key=lambda r: r.seconds)
        mean = sum(r.seconds for r in checked) / len(checked)
        lines.append(f"time per checked program: mean {mean:.2f} s, max {slow.seconds:.1f} s "
                     f"(seed {slow.seed})")
    if features:
        used = collections.Counter(f for r in checked for f in r.features)
        lines.append("\nprograms using each construct:")
        lines.append("  " + ", ".join(f"{f} {n}" for f, n in sorted(used.items())))
    if gen.AVOID:
        lines.append("\nconstructs switched off (fuzz.generate.AVOID):")
        for name, reason in gen.AVOID.items():
            lines.append(f"  {name}: {reason}")
    failing = [r.seed for r in results if r.outcome in ("mismatch", "crash")]
    if failing:
        lines.append("\nfailing seeds: " + " ".join(map(str, failing)))
        lines.append("print one with: python -m fuzz.run --show SEED [--check]")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--programs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--size", choices=sorted(gen.SIZES), default="normal")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--show", type=int, metavar="SEED")
    ap.add_argument("--check", action="store_true", help="with --show: check it too")
    ap.add_argument("--minimize", type=int, metavar="SEED")
    ap.add_argument("--no-avoid", action="store_true")
    ap.add_argument("--allow", action="append", default=[], metavar="NAME",
                    help="turn off one AVOID switch (repeatable)")
    ap.add_argument("--features", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    options = ap.parse_args(argv)
    unknown = [a for a in options.allow if a not in gen.AVOID]
    if unknown:
        ap.error(f"no AVOID switch named {', '.join(unknown)}; they are: {', '.join(gen.AVOID)}")
    avoid = set() if options.no_avoid else (set(gen.AVOID) - set(options.allow)
                                            if options.allow else None)

    if options.show is not None or options.minimize is not None:
        seed = options.show if options.show is not None else options.minimize
        prog = gen.program_for_seed(seed, options.size, avoid)
        if prog.args is None:
            print(f"# seed {seed}: {prog.reason}")
            prog.args = gen.draw_args(prog.params, __import__("numpy").random.default_rng(seed))
        workdir = tempfile.mkdtemp(prefix="s2sgrad-fuzz-")
        try:
            if options.minimize is not None:
                result = chk.check_program(prog, workdir, options.timeout)
                print(f"# seed {seed}: {result.outcome} [{result.stage}] {result.kind}",
                      file=sys.stderr)
                if result.outcome not in ("mismatch", "crash", "refused"):
                    print(prog.reproducer())
                    return 0
                prog = chk.minimize(prog, result, workdir, options.timeout,
                                    log=lambda m: print(m, file=sys.stderr, flush=True))
            print(prog.reproducer())
            if options.check or options.minimize is not None:
                result = chk.check_program(prog, workdir, options.timeout)
                print(f"# outcome: {result.outcome} [{result.stage}] {result.kind}")
                if result.detail:
                    print("# " + result.detail.replace("\n", "\n# "))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return 0

    start = time.perf_counter()
    results = run(options.programs, options.seed, options.jobs, options.size, avoid,
                  options.timeout)
    print()
    print(summary(results, time.perf_counter() - start, options.verbose, options.features))
    return 1 if any(r.outcome in ("mismatch", "crash", "invalid") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
