"""Tape blocks typed in IPython/Jupyter cells: IPython keeps each cell's source (in `linecache`),
so the tape finds its block there. Run with IPython's own shell."""

import pytest

InteractiveShell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell


@pytest.fixture(scope="module")
def shell():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def run(shell, cell):
    result = shell.run_cell(cell)
    result.raise_error()
    return result.result


def test_a_tape_block_in_a_cell(shell):
    run(shell, "import numpy as np\nimport s2sgrad.tf as tf")
    run(shell, "x = tf.constant(3.0)\n"
               "with tf.GradientTape() as g:\n"
               "    g.watch(x)\n"
               "    y = x * x * x\n")
    assert float(run(shell, "g.gradient(y, x)")) == pytest.approx(27.0)   # 3 x^2 at 3


def test_nested_tapes_and_a_loop_in_one_cell(shell):
    value = run(shell, "w = tf.Variable(np.array([0.5, -1.0]))\n"
                       "with tf.GradientTape() as outer:\n"
                       "    with tf.GradientTape() as inner:\n"
                       "        s = 0.0\n"
                       "        for k in range(3):\n"
                       "            s = s + np.sum(w * w) * k\n"   # s = 3 |w|^2
                       "    g = inner.gradient(s, w)\n"             # 6 w
                       "    h = np.sum(g * g)\n"                    # 36 |w|^2
                       "outer.gradient(h, w)\n")                    # 72 w
    assert list(value.numpy()) == pytest.approx([36.0, -72.0])


def test_a_function_defined_in_one_cell_and_called_in_another(shell):
    run(shell, "def loss(v):\n"
               "    return np.sum(np.tanh(v) ** 2)\n")
    value = run(shell, "v = tf.constant(np.array([0.1, 0.2]))\n"
                       "with tf.GradientTape() as t:\n"
                       "    t.watch(v)\n"
                       "    out = loss(v)\n"
                       "t.gradient(out, v)\n")
    import numpy as np
    v = np.array([0.1, 0.2])
    expected = 2 * np.tanh(v) * (1 - np.tanh(v) ** 2)
    assert np.asarray(value) == pytest.approx(expected)
