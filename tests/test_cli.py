"""The command line: `s2sgrad show file.py:function` and `python -m s2sgrad`."""

import os
import subprocess
import sys

import pytest

from s2sgrad import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLP = os.path.join(ROOT, "examples", "mlp.py")


def test_show_prints_readable_adjoint_source(capsys):
    assert cli.main(["show", f"{MLP}:loss", "--wrt", "W1,b1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def dloss_dW1_db1(W1, b1, W2, b2, x, labels, *, b_return=1.0):")
    assert "# grad of: h = np.tanh(x @ W1 + b1) (mlp.py:11)" in out
    assert "bW1 = matmul_adjoint_rhs(" in out
    compile(out, "<shown>", "exec")  # the printed source is valid Python


def test_show_positions_kinds_and_stages(capsys):
    assert cli.main(["show", f"{MLP}:loss", "--wrt", "2", "--kind", "vjp"]) == 0
    out = capsys.readouterr().out
    assert "def loss_forward(" in out and "def loss_backward(" in out
    assert cli.main(["show", f"{MLP}:loss", "--stages"]) == 0
    out = capsys.readouterr().out
    for stage in ("source", "normalized", "generated"):
        assert f"# ---- {stage} " in out


def test_show_forward_mode_and_higher_orders(capsys):
    control_flow = os.path.join(ROOT, "examples", "control_flow.py")
    assert cli.main(["show", f"{MLP}:loss", "--mode", "forward", "--wrt", "W1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def loss_jvp(W1, b1, W2, b2, x, labels, *, dW1):")
    compile(out, "<shown>", "exec")
    assert cli.main(["show", f"{control_flow}:first_crossing", "--wrt", "1", "--order", "2"]) == 0
    out = capsys.readouterr().out
    assert "def ddfirst_crossing_dx_dx(" in out and "for _ in range(50):" in out
    compile(out, "<shown>", "exec")
    assert cli.main(["show", f"{control_flow}:first_crossing", "--wrt", "1", "--order", "2",
                     "--mode", "forward"]) == 0
    assert "_pushforward_jvp(" in capsys.readouterr().out


def test_show_reports_errors_in_user_code(tmp_path, capsys):
    program = tmp_path / "prog.py"
    program.write_text("def f(x):\n    with open('f') as handle:\n        x = x * 2.0\n"
                       "    return x\n")
    assert cli.main(["show", f"{program}:f"]) == 1
    err = capsys.readouterr().err
    assert "prog.py:2:5: `with` statements are not supported" in err


@pytest.mark.parametrize("argv, words", [
    (["show", "no_colon.py"], "expected path/to/file.py:function"),
    (["show", "missing.py:f"], "no such file"),
    (["show", f"{MLP}:nothing"], "has no attribute 'nothing'"),
    (["show", f"{MLP}:loss", "--order", "0"], "--order must be 1 or more"),
])
def test_show_usage_errors(argv, words, capsys):
    assert cli.main(argv) == 2
    assert words in capsys.readouterr().err


def test_python_dash_m_and_console_script():
    result = subprocess.run([sys.executable, "-m", "s2sgrad", "show", f"{MLP}:loss"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "def dloss_dW1(" in result.stdout


def test_show_reports_a_file_that_does_not_run(tmp_path, capsys):
    program = tmp_path / "broken.py"
    program.write_text("def f(x):\n  return x\n    y = 1\n")
    assert cli.main(["show", f"{program}:f"]) == 2
    err = capsys.readouterr().err
    assert "broken.py:3: running the file failed: IndentationError" in err
    assert "Traceback" not in err
