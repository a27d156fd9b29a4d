"""``graphviz-nn train``'s options are the fields of one record: the command line builds a
:class:`TrainingSettings` and trains what the window's run builds from the same record."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pytest

from graphviz_nn.cli import main
from graphviz_nn.cli import train as train_command
from graphviz_nn.io.records import record_from_json
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.nn.settings import TRAINING_FIELDS, TrainingSettings
from graphviz_nn.session.training import TrainingRun

CASES = [
    (["--dataset", "iris", "--hidden", "4", "--activation", "tanh", "--output-activation", "softmax", "--loss", "cce",
      "--optimizer", "momentum", "--lr", "0.05", "--weight-decay", "0.01", "--train-rows", "120", "--epochs", "5",
      "--batch-size", "16", "--seed", "3", "--normalise"],
     TrainingSettings("iris", NetworkSpec("layer", (4,), "tanh", "softmax", "cce", normalise=True), "momentum", 0.05,
                      16, 5, 3, test_fraction=None, weight_decay=0.01, train_rows=120)),
    (["--dataset", "moons", "--net", "perceptron", "--hidden", "3", "2", "--loss", "bce", "--optimizer", "adam",
      "--lr", "0.02", "--weight-decay", "0.5", "--test-fraction", "0", "--epochs", "4", "--normalise"],
     TrainingSettings("moons", NetworkSpec("perceptron", (3, 2), "sigmoid", "sigmoid", "bce", normalise=True),
                      "adam", 0.02, None, 4, 0, test_fraction=0.0, weight_decay=0.5)),
    (["--dataset", "xor", "--hidden", "--epochs", "3", "--test-fraction", "0.25"],
     TrainingSettings("xor", NetworkSpec("layer", (), "sigmoid", "sigmoid", "sse"), "gd", 0.01, None, 3, 0, 0.25)),
]


def _parsed(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    train_command.add_parser(parser.add_subparsers())
    return parser.parse_args(["train", *args])


@pytest.mark.parametrize("args, expected", CASES)
def test_the_options_make_the_record_field_for_field(args, expected) -> None:
    assert train_command.settings_from_args(_parsed(args)) == expected


@pytest.mark.parametrize("args, expected", CASES)
def test_the_command_line_trains_what_the_record_builds(args, expected, capsys) -> None:
    assert main(["train", *args, "--json"]) == 0
    printed = [record_from_json({k: v for k, v in json.loads(line).items() if k != "final"})
               for line in capsys.readouterr().out.splitlines()[:-1]]
    run = TrainingRun.create(expected)
    built = list(run.trainer.fit(run.train, run.test, expected.epochs))
    assert [r._replace(seconds=0.0) for r in printed] == [r._replace(seconds=0.0) for r in built]


def test_every_field_of_the_record_has_its_option() -> None:
    options = {action.dest for action in _parser_actions()}
    fields = {"dataset", *TRAINING_FIELDS, *(f.name for f in dataclasses.fields(NetworkSpec))}
    # the spec's kind is --net; bias and init are fixed on the command line, as before
    wanted = {{"kind": "net", "optimiser": "optimizer"}.get(f, f) for f in fields} - {"bias", "init"}
    assert wanted <= options


def _parser_actions():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    train_command.add_parser(sub)
    return sub.choices["train"]._actions
