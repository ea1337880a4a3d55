"""Benchmarks of s2sgrad: generated gradients against hand-written NumPy gradients.

Nothing here is a test. Run the whole suite with `python benchmarks/run.py [--quick]`; it prints a
table and rewrites `docs/benchmarks.md`.
"""
