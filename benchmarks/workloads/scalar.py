"""A tiny scalar workload: the cost of a derivative call with (almost) no arithmetic in it.

`square` is about the smallest function one can differentiate, so the time of its generated
gradient is essentially fixed per-call overhead: the `sg.grad` wrapper (cache validation, gradient
finalisation) plus whatever runtime helpers the generated code calls.
"""


def square(x):
    return x * x


def square_grad(x):
    """d/dx x*x, written by hand."""
    return 2.0 * x


def identity(x):
    """Does nothing; calling it through the harness gives the timing floor of one Python call."""
    return x
