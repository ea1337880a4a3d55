"""Every code example of the seed posts (../shared/seeds/), ported in examples/seeds/ by changing
the import, prints the numbers the posts (and TensorFlow) give: see ../shared/seeds/README.md.
Seed 000's MSE and cross-entropy gradients are compared with what TensorFlow printed for the
same float32 inputs (examples/seeds/data/seed000_inputs.json)."""

import json
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
DATA = json.loads((SEEDS / "data" / "seed000_inputs.json").read_text())
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"


def run(name, capsys):
    namespace = runpy.run_path(str(SEEDS / name), run_name="__main__")
    return capsys.readouterr().out, namespace


def values_in(text):
    """The numbers printed in `text`, leaving out tensors' shapes and dtypes."""
    text = re.sub(r"shape=\([^)]*\)|dtype=\w+|Variable:\d+", "", text)
    return [float(v) for v in re.findall(NUMBER, text)]


def numbers_after(text, heading, count):
    """The first `count` numbers printed after the line `heading`."""
    return np.array(values_in(text.split(heading, 1)[1])[:count])


def lines(text):
    return [line.strip() for line in text.strip().splitlines()]


def test_seed000_gradient_tape(capsys):
    out, _ = run("seed000_gradient_tape.py", capsys)
    shown = lines(out)
    assert shown[0] == "dy/dx = 6.0"
    assert shown[1] == "dz/dx = 108.0  dy/dx = 6.0"
    assert shown[2] == "dy/dx = 3.0  d2y/dx2 = 6.0"
    assert shown[3] == "d2y/dx2 taken outside: None"
    printed = DATA["blog_printed"]
    for heading, key, count in [("MSE gradient w.r.t. w:", "mse_grad_w", 12),
                                ("MSE gradient w.r.t. b:", "mse_grad_b", 3),
                                ("cross-entropy gradient w.r.t. w:", "ce_grad_w", 12),
                                ("cross-entropy gradient w.r.t. b:", "ce_grad_b", 3)]:
        got = numbers_after(out, heading, count)
        expected = np.ravel(printed[key])
        # float32 arithmetic in a different order than TensorFlow's: a few ulps apart
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-8, err_msg=key)


def test_seed001_tensors_and_regression(capsys):
    out, namespace = run("seed001_tensors_and_regression.py", capsys)
    values = values_in(out.split("first epoch")[0])
    assert values[:4] == [6.0, 8.0, 10.0, 12.0]           # add
    assert values[4:8] == [19.0, 22.0, 43.0, 50.0]        # matmul
    assert values[8] == 10.0                              # reduce_sum
    assert values[9:11] == [9.0, 6.0]                     # y, dy/dx
    first = numbers_after(out, "first epoch: loss", 3)
    np.testing.assert_allclose(first, [1.0495868, -1.9772727, -2.7272727], rtol=1e-6)
    a, b = namespace["a"].numpy(), namespace["b"].numpy()
    assert a.dtype == np.float32 and b.dtype == np.float32
    assert a == pytest.approx(0.97637, abs=2e-5) and b == pytest.approx(0.057565, abs=2e-5)


def test_seed002_tape_usage(capsys):
    out, namespace = run("seed002_tape_usage.py", capsys)
    shown = lines(out)
    scalar = "tf.Tensor({}, shape=(), dtype=float32)".format
    assert shown[:7] == ["6", "4", "4", scalar("6.0"), scalar("2.0"),     # tf.print, then print
                         f"{scalar('6.0')} {scalar('5.0')}",
                         "RuntimeError: A non-persistent GradientTape can only be used to compute "
                         "one set of gradients (or jacobians)"]
    assert shown[7] == f"{scalar('6.0')} {scalar('5.0')}"
    # the gradient penalty, checked against central differences of the penalty itself
    model = namespace["model_d"]
    W, v = model.W.numpy(), model.v.numpy()
    inputs = 0.5 * np.asarray(namespace["pred"]) + 0.5 * np.asarray(namespace["tgt"])

    def penalty(W, v):
        t = np.tanh(inputs @ W)
        grad_inputs = ((1 - t ** 2) * v) @ W.T          # d sum(tanh(xW) v) / dx, by hand
        return np.mean((np.sqrt(np.sum(grad_inputs ** 2, axis=1)) - 1.0) ** 2)

    eps = 1e-6
    dW = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = eps
        dW[index] = (penalty(W + step, v) - penalty(W - step, v)) / (2 * eps)
    dv = np.array([(penalty(W, v + eps * e) - penalty(W, v - eps * e)) / (2 * eps)
                   for e in np.eye(2)])
    assert namespace["gp"].numpy() == pytest.approx(penalty(W, v))
    np.testing.assert_allclose(np.asarray(namespace["grad_W"]), dW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.asarray(namespace["grad_v"]), dv, rtol=1e-6, atol=1e-9)


def test_seed003_autodiff_tutorial(capsys):
    out, _ = run("seed003_autodiff_tutorial.py", capsys)
    assert lines(out) == ["dz/dx = [[8.0, 8.0], [8.0, 8.0]]", "dz/dy = 8.0",
                          "dz/dx = 108.0  dy/dx = 6.0", "control flow: 12.0 12.0 4.0",
                          "dy/dx = 3.0  d2y/dx2 = 6.0"]


def test_seed004_gradients_and_clipping(capsys):
    out, _ = run("seed004_gradients_and_clipping.py", capsys)
    assert lines(out) == [
        "[1.0, 1.0]", "[3.0, 1.0]",
        "RuntimeError: tf.gradients is not supported when eager execution is enabled. Use "
        "tf.GradientTape instead.",
        "[(9.0, 2.0), (12.0, 3.0)]", "[(5.0, 2.0), (5.0, 3.0)]", "after one step: 1.5 2.5",
        "dy/dx with stop_gradient: 3.0", "[3.0, 4.0, None] 15.0"]
