"""Writes docs/generated_examples.md: the derivatives s2sgrad generates for programs with control flow.

The source in the page comes from the compiler itself, so tests/test_docs.py can check that it is
current. Run: python docs/build_examples.py
"""

import inspect
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))

import control_flow  # noqa: E402

import s2sgrad as sg  # noqa: E402

INTRO = """\
# Generated derivatives of programs with loops, branches and calls

Each example shows a function from `examples/control_flow.py` and the derivative s2sgrad generates
for it (this page is written by `docs/build_examples.py`; `s2sgrad show` prints the same).

How to read them:
- the primal runs first, recording only what the adjoint will need: a value overwritten in a loop
  is pushed on a stack of its own before each assignment (`x_stack.append(x)`), a temporary of
  one iteration after it (`sin_x_stack.append(sin_x)`; in code on Python numbers, a cheap one
  such as `math.sin(x)` is computed again in the adjoint from the popped `x` instead), a branch
  decision is kept in a name (`condition`); a loop whose iterations do not all push on one
  stack counts them (`n_iterations`);
- the adjoint then runs the loops backwards over the recorded values, `for x in
  reversed(x_stack)` (a `zip` of up to three stacks), or, for a loop with more stacks, one inside
  another or one that counts, `for _ in range(len(x_stack))` (or `range(n_iterations)`) popping
  them back (`x = x_stack.pop()`), and tests the same decisions, so the gradient is the one of
  the path that actually ran, `break` included;
- a call to one of your functions becomes a call of its own generated forward pass, which returns
  what its backward pass needs (`cell_record`), and a call of that backward pass in the adjoint;
  `sg.source` shows the callee's generated passes after the caller's;
- an in-place write `x[i] = v` first saves the part it overwrites (`out_old = copy_of(out[i])`);
  the adjoint hands the adjoint of that part to `v`, zeroes it (the old values did not reach the
  output) and writes the saved part back, so earlier adjoints read the values they saw;
- a list built with `append` is undone in the adjoint with `pop`, entry by entry, next to the
  list of adjoints of its entries (`bstates.pop()`);
- a call on an object or a function that is an argument (`model(x)`): called with one, the
  derivative is specialized for it and calls its passes directly (`Linear_call_forward(model,
  x)`; another object gets a variant of its own); where the callee is only known when the code
  runs (an entry of a list of layers, or the generic variant shown below), a call site object
  generates and caches the callee's passes on first use (`model_call.forward(model, x)`).
"""

EXAMPLES = [
    ("A loop with a `break`", control_flow.first_crossing, dict(wrt=(0, 1))),
    ("A function calling another function in a loop over rows", control_flow.rnn_loss,
     dict(wrt=(0, 1))),
    ("An early `return` in a branch", control_flow.piecewise, {}),
    ("An in-place update in a loop", control_flow.smooth_in_place, dict(wrt=(0, 1))),
    ("A list built with `append`, then stacked", control_flow.stacked_states,
     dict(wrt=(0, 1))),
    ("A method of an object passed as an argument", control_flow.model_loss, dict(wrt=1)),
]


HIGHER = """\
## Forward mode, and a second derivative of a loop

Forward mode (`sg.jvp`, `sg.pushforward`) puts each statement's tangent right after it (`dx` is
the tangent of `x`): nothing is recorded, the loop and the `break` stay as they are. A second
derivative differentiates the generated gradient again: below, the gradient of the gradient of
`first_crossing` with respect to `x`. Its primal part is the first-order gradient code (with its
loop and stacks), its adjoint part replays that code's own loops backwards.
"""


def _derivative_of_derivative(fn, wrt, outer_kind):
    """The generated code of `outer_kind` applied to the gradient of `fn` (array variant)."""
    from s2sgrad.api import Derived

    inner = sg.grad(fn, wrt=wrt).generated_functions()[0]
    return Derived(inner, wrt, outer_kind).source


def build() -> str:
    parts = [INTRO]
    for title, fn, options in EXAMPLES:
        parts.append(f"## {title}\n\n```python\n{inspect.getsource(fn).rstrip()}\n```\n")
        parts.append(f"```python\n{sg.source(sg.grad(fn, **options)).rstrip()}\n```\n")
    parts.append(HIGHER)
    forward = sg.pushforward(control_flow.first_crossing, wrt=1)
    parts.append("The forward-mode derivative of `first_crossing` with respect to `x`:\n")
    parts.append(f"```python\n{forward.source.rstrip()}\n```\n")
    parts.append("Its second derivative (reverse over reverse):\n")
    second = _derivative_of_derivative(control_flow.first_crossing, 1, "grad")
    parts.append(f"```python\n{second.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    with open(os.path.join(HERE, "generated_examples.md"), "w") as handle:
        handle.write(build())
