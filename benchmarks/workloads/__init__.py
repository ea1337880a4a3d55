"""Benchmark workloads: plain NumPy functions as a user would write them, each paired with the
gradient an expert would write by hand.

- `mlp`: softmax cross-entropy of tanh networks (a small and a large one).
- `loops`: a scalar Python loop, a recurrent network and a data-dependent `while` loop.
- `scalar`: a one-multiplication function of a Python float, to expose per-call overhead.
"""
