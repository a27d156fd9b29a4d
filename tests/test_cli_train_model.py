"""``graphviz-nn train --model NAME`` and ``--spec FILE.json``: a spec model trained from the
command line prints the records the same settings train in Python; a spec file that is bad in
any way is refused in one line, exit 2."""

from __future__ import annotations

import json

import pytest

from graphviz_nn.cli import main
from graphviz_nn.io.model_records import MAX_SPEC_FILE_BYTES, model_spec_to_json
from graphviz_nn.io.records import record_from_json
from graphviz_nn.nn.model_setup import ModelSettings, load_data, set_up_model
from graphviz_nn.nn.presets import preset
from tests.memory import traced_peak


def _records(out: str) -> list:
    lines = out.splitlines()
    assert json.loads(lines[-1])["final"] is True
    return [record_from_json(json.loads(line)) for line in lines[:-1]]


def _same(a: list, b: list) -> bool:
    return [r._replace(seconds=0.0) for r in a] == [r._replace(seconds=0.0) for r in b]


def test_a_preset_trains_from_the_command_line_what_its_settings_train_in_python(capsys):
    assert main(["train", "--model", "mlp", "--dataset", "iris", "--epochs", "3", "--seed", "2", "--json"]) == 0
    printed = _records(capsys.readouterr().out)
    spec, data = preset("mlp", load_data("iris", seed=2))
    setup = set_up_model(ModelSettings("iris", spec, epochs=3, seed=2), data)
    assert _same(printed, list(setup.trainer.fit(setup.train, setup.test, 3)))
    assert len(printed) == 3 and printed[-1].test_accuracy is not None
    assert [name for name, _ in printed[0].gradient_norms] == ["0: Linear", "2: Linear"]


def test_a_spec_file_trains_and_its_text_output_reads_as_the_dense_runs(tmp_path, capsys):
    spec, _ = preset("mlp", load_data("iris"))
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model_spec_to_json(spec)))
    assert main(["train", "--spec", str(path), "--dataset", "iris", "--epochs", "2", "--lr", "0.05"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path} (3 layers, 259 parameters) on iris: 105 training samples, 45 test samples"
    assert out[1].startswith("epoch 1: train loss ") and out[-1].startswith("final: train loss ")


BAD_SPECS = [
    ('{"layers": [{"type": "Linera", "in_features": 4, "out_features": 3}]}',
     "spec: layer 0: type 'Linera' is unknown; did you mean Linear?"),
    ('{"layers": [{"type": "Linear", "in_features": 4, "out_features": 0}]}',
     "spec: layer 0 Linear: out_features must be a whole number from 1 to 65536, found 0"),
    ('{"layers": [{"type": "Linear", "in_features": 65536, "out_features": 65536}]}',
     "spec: the layers hold 4,295,032,832 numbers, more than the limit of 16,777,216"),
    ('{"layers": [{"type": "Linear", "in_features": 5, "out_features": 3}]}',
     "layer 0 Linear expects (N, 5), gets (N, 4)"),
    ('{"layers": [{"type": "Linear", "in_features": 4, "out_features": 2}]}',
     "layer 0 Linear gives (N, 2), but iris's targets need (N, 3)"),
    ('{"layers": {"type": "ReLU"}}', "spec.layers must be a list, found an object"),
    ('{"layers": [', "is not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nests its JSON too deeply"),
    ('\xff\xfe', "is not valid JSON"),
]


@pytest.mark.parametrize("text, expected", BAD_SPECS)
def test_a_bad_spec_file_is_refused_in_one_line_with_exit_2(tmp_path, capsys, text, expected):
    path = tmp_path / "model.json"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    assert main(["train", "--spec", str(path), "--dataset", "iris"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("graphviz-nn train: error: ")
    assert expected in err


def test_a_spec_file_too_large_or_not_a_file_is_refused_before_it_is_read(tmp_path, capsys):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_SPEC_FILE_BYTES + 1))
    assert main(["train", "--spec", str(big), "--dataset", "iris"]) == 2
    assert "more than the 1,048,576 a spec file may hold" in capsys.readouterr().err
    assert main(["train", "--spec", str(tmp_path), "--dataset", "iris"]) == 2
    assert "is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["--model", "mlp", "--hidden", "3"], "--hidden shapes the dense network"),
    (["--model", "mlp", "--loss", "cce"], "--loss shapes the dense network"),
    (["--model", "mlp", "--length", "5"], "--length sets the steps of a sequence; iris is not a set of sequences"),
    (["--model", "lstm"], "--model lstm takes sequences (T, N, F) or tokens (T, N)"),
    (["--model", "mlp", "--lr", "-1"], "--lr must be a positive number, found -1.0"),
    (["--model", "mlp", "--batch-first"], "--batch-first lays out the data of a --spec model"),
])
def test_options_that_do_not_go_with_a_model_are_refused(capsys, args, expected):
    assert main(["train", "--dataset", "iris", *args]) == 2
    assert expected in capsys.readouterr().err


def test_model_and_spec_together_are_refused_by_the_parser(tmp_path):
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--dataset", "iris", "--model", "mlp", "--spec", str(tmp_path / "x.json")])
    assert stopped.value.code == 2


def test_a_layer_too_large_for_its_batch_is_refused_before_it_is_built(tmp_path, capsys):
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"layers": [{"type": "Flatten"}, {"type": "Linear", "in_features": 64,
                                                                  "out_features": 60000},
                                           {"type": "Linear", "in_features": 60000, "out_features": 10}]}))
    refused, peak = traced_peak(lambda: main(["train", "--spec", str(path), "--dataset", "digits",
                                              "--batch-size", "1500"]))
    assert refused == 2 and peak < 64 * 2**20  # the layer's output alone would be 720 MB
    assert ("layer 1 Linear makes (1500, 60000), 90,000,000 numbers, more than the limit of 67,108,864 for one "
            "layer") in capsys.readouterr().err
