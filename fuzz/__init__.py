"""A fuzzer for s2sgrad: random valid programs over the supported language, checked against
central differences in both modes and at second order (issue 8).

    fuzz.generate   the seedable, deterministic program generator (and the AVOID switches)
    fuzz.check      writes a program to a module file, imports it, runs check_grads, classifies
    fuzz.run        the long-run command: python -m fuzz.run --programs 10000 --seed 0 --jobs 2
"""
