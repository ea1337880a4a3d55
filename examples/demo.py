"""The s2sgrad demo: differentiate real code, print the generated derivative and use it.

Run from the repository root:  python examples/demo.py
"""

import os
import sys

import numpy as np

import s2sgrad as sg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import control_flow  # noqa: E402  (the example programs next to this file)
import mlp  # noqa: E402


def physics(theta, length):
    """Height of a pendulum bob above its lowest point, summed over an array of angles."""
    height = length * (1.0 - np.cos(theta))
    return np.sum(height)


def main():
    print("=== 1. A small function: the gradient and the code that computes it ===")
    dphysics = sg.grad(physics, wrt=("theta", "length"))
    theta = np.array([0.1, 0.5, 1.0])
    dtheta, dlength = dphysics(theta, 2.0)
    print(sg.source(dphysics))
    print("d/dtheta  =", dtheta, "  (expected length * sin(theta) =", 2.0 * np.sin(theta), ")")
    print("d/dlength =", dlength, "  (expected sum(1 - cos(theta)) =", np.sum(1 - np.cos(theta)), ")")

    print("\n=== 2. An MLP loss from examples/mlp.py ===")
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = mlp.init(rng)
    x = rng.standard_normal((32, 784))
    labels = np.eye(10)[rng.integers(0, 10, size=32)]
    value_and_grad = sg.value_and_grad(mlp.loss, wrt=(0, 1, 2, 3))
    print(sg.source(value_and_grad))
    lr = 0.5
    for step in range(5):
        value, (gW1, gb1, gW2, gb2) = value_and_grad(W1, b1, W2, b2, x, labels)
        print(f"step {step}: loss = {value:.6f}   |dW1| = {np.linalg.norm(gW1):.6f}")
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    sg.check_grads(mlp.loss, (W1, b1, W2, b2, x[:4], labels[:4]))
    print("check_grads: the generated gradient agrees with finite differences")

    print("\n=== 3. A loop with a data-dependent break, from examples/control_flow.py ===")
    dcrossing = sg.grad(control_flow.first_crossing, wrt=("rate", "x"))
    print(sg.source(dcrossing))
    for rate, x0 in [(1.5, 1.0), (3.0, 1.0)]:
        drate, dx = dcrossing(rate, x0)
        steps = next(k for k in range(1, 51) if x0 * rate ** k > 10.0)
        print(f"rate={rate}: {steps} steps, d/drate = {drate:.6f} (expected "
              f"{steps * x0 * rate ** (steps - 1):.6f}), d/dx = {dx:.6f} (expected "
              f"{rate ** steps:.6f})")

    print("\n=== 4. An in-place update in a loop, and its second derivative ===")
    signal = np.array([0.5, -1.0, 2.0, 0.3])
    dsmooth = sg.grad(control_flow.smooth_in_place, wrt=1)
    print(sg.source(dsmooth))
    print("d/dweight =", dsmooth(signal, 0.4))
    second = sg.grad(dsmooth, wrt=1)
    eps = 1e-5
    print("d2/dweight2 =", second(signal, 0.4), "  (finite differences of the gradient:",
          (dsmooth(signal, 0.4 + eps) - dsmooth(signal, 0.4 - eps)) / (2 * eps), ")")
    hessian = sg.hessian(control_flow.smooth_in_place)(signal, 0.4)
    print("Hessian with respect to the signal (forward over reverse):\n", hessian.round(4))


if __name__ == "__main__":
    main()
