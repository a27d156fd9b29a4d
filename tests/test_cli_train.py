"""``graphviz-nn train``: output modes, the final record, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graphviz_nn.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_nn", "train", *args],
                          capture_output=True, text=True, timeout=120)


def test_json_lines_end_with_a_final_record() -> None:
    out = _run("--dataset", "breast_cancer", "--hidden", "5", "--normalise", "--train-rows", "300",
               "--epochs", "100", "--json")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 101
    assert [r["epoch"] for r in lines[:100]] == list(range(1, 101))
    final = lines[-1]
    assert final["final"] is True
    for key in ("train_accuracy", "test_accuracy", "train_loss", "test_loss", "seconds"):
        assert isinstance(final[key], float)
    assert final["test_accuracy"] >= 0.96


def test_piped_output_is_plain_lines(capsys) -> None:
    assert main(["train", "--dataset", "xor", "--hidden", "4", "--activation", "tanh", "--loss", "bce",
                 "--optimizer", "adam", "--lr", "0.05", "--epochs", "300", "--seed", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("LayerNet([2, 4, 1], tanh → sigmoid, loss bce) on xor")
    assert out[1].startswith("epoch 1: train loss")
    assert "train accuracy 100.0 %" in out[-1] and out[-1].startswith("final:")
    assert "\r" not in "".join(out)


def test_perceptron_net_from_the_command_line(capsys) -> None:
    assert main(["train", "--dataset", "iris", "--net", "perceptron", "--hidden", "3", "--normalise",
                 "--epochs", "20", "--json"]) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert final["final"] and 0 <= final["test_accuracy"] <= 1


def test_a_huge_learning_rate_ends_with_the_non_finite_message() -> None:
    out = _run("--dataset", "breast_cancer", "--normalise", "--activation", "relu",
               "--output-activation", "identity", "--loss", "mse", "--lr", "1e6")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("graphviz-nn train: error: epoch ")
    assert "has a value with inf" in lines[0] or "with nan" in lines[0]
    assert lines[0].endswith("(try a smaller --lr)")  # normalised: the rate is the cause
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("args, message", [
    (["--dataset", "missing.csv"], "missing.csv: cannot read the file"),
    (["--dataset", "mnist"], "no dataset 'mnist'"),
    (["--dataset", "iris", "--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
    (["--dataset", "iris", "--loss", "cce"], "loss 'cce' needs output activation 'softmax'"),
    (["--dataset", "iris", "--epochs", "0"], "--epochs must be at least 1"),
    (["--dataset", "iris", "--train-rows", "500"], "train_rows must be between 1 and 149"),
    (["--dataset", "iris", "--net", "perceptron", "--output-activation", "softmax"], "use LayerNet"),
])
def test_bad_flags_and_files_exit_non_zero_with_one_line(args, message) -> None:
    out = _run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr


def test_a_bad_csv_value_is_named_by_line_and_column(tmp_path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b,target\n1,2,0\n3,oops,1\n")
    out = _run("--dataset", str(path))
    assert out.returncode == 2
    assert "line 3, column 2 ('b'): 'oops' is not a number" in out.stderr
