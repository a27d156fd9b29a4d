"""``graphviz-nn train``: output modes, the final record, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc as Linux lays it out")
def test_a_file_of_the_system_is_refused_in_one_line(tmp_path) -> None:
    link = tmp_path / "data.csv"
    link.symlink_to("/proc/self/status")
    for given in ("/proc/self/status", str(link), "/dev/zero"):
        out = _run("--dataset", given, "--epochs", "1")
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.count("\n") == 1, out.stderr
        assert out.stderr.startswith(f"graphviz-nn train: error: {given}")
        assert "a file of the system" in out.stderr


def test_a_test_fraction_taking_every_row_says_so_and_warns_nothing() -> None:
    out = subprocess.run([sys.executable, "-W", "error", "-m", "graphviz_nn", "train", "--dataset", "iris",
                          "--test-fraction", "0.9999", "--normalise"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr == ("graphviz-nn train: error: test_fraction 0.9999 of 150 rows leaves 0 training and "
                          "150 test rows: give a fraction from 1/150 to 149/150\n")


def test_a_european_spreadsheets_csv_trains(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)).round(3)
    rows = "".join(f"{a};{b};{int(a + b > 0)}\n".replace(".", ",") for a, b in X)
    path = tmp_path / "messungen.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("a;b;klasse\n" + rows).encode("utf-8"))
    assert main(["train", "--dataset", str(path), "--hidden", "4", "--epochs", "3"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("messungen: columns separated by semicolons; numbers written with decimal commas; "
                     "target 'klasse': 2 classes")
