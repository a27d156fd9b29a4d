"""``graphviz-nn train``: train a network on a dataset from the command line."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TextIO

import numpy as np

from ..engine import NonFiniteError
from ..nn import OPTIMISERS, EpochRecord
from ..nn.checks import SettingsError
from ..nn.datasets import BUILTIN, Dataset, DatasetError, load
from ..nn.features import FEATURE_NAMES
from ..nn.settings import TrainingSettings
from ..nn.training_setup import set_up
from .manual import add_command
from .network_options import add_network_options, network_spec, option_message
from .train_model import add_model_options, model_chosen, run_model
from .train_report import percent, print_epoch, print_final

# Inputs or targets beyond this size, unscaled, make the first steps overshoot at the usual
# rates: a weight's gradient grows with the input (breast_cancer's areas reach 4254).
LARGE_SCALE = 100.0


def divergence_hint(data: Dataset, normalised: bool) -> str:
    """What to try when the loss became inf or nan: normalise large inputs, rescale large
    regression targets, and only when the data's scale is not the cause, a smaller --lr."""
    features = float(np.max(np.abs(data.X))) if data.X.size else 0.0
    if not normalised and features > LARGE_SCALE:
        return (f"the features reach {features:.3g} and are not normalised: add --normalise, "
                "which standardises them")
    targets = 0.0 if data.is_classification or not len(data) else float(np.max(np.abs(data.y)))
    if targets > LARGE_SCALE:
        unit = 10 ** math.floor(math.log10(targets))
        return (f"the targets reach {targets:.3g}: rescale the target column, "
                f"e.g. divide it by {unit:g}")
    return "try a smaller --lr"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "train", summary="train a network on a dataset and report loss and accuracy",
        description=f"""\
Train a network on a built-in dataset or a CSV file and report the loss and the
accuracy on the training and test rows after every epoch: a progress bar on a
terminal, one line per epoch when piped, one JSON object per epoch with --json.

Built-in datasets: {", ".join(BUILTIN)}.
A CSV file needs a header row and numeric columns; the target is the last column
unless --target names another. Splits, initial weights and batches are all drawn
from --seed, so the same command gives the same numbers.""",
        examples=[
            ("graphviz-nn train --dataset xor --hidden 4 --activation tanh --loss bce --optimizer adam --lr 0.05 --epochs 300",
             "a 2-4-1 network learns XOR (100 % training accuracy)"),
            ("graphviz-nn train --dataset breast_cancer --hidden 5 --normalise --train-rows 300 --epochs 100",
             "the original program's layered network: train on the first 300 rows, test on the other 269"),
            ("graphviz-nn train --dataset digits --hidden 32 --activation relu --output-activation softmax "
             "--loss cce --optimizer adam --batch-size 64 --epochs 50 --normalise --json",
             "handwritten digits in batches of 64, one JSON record per epoch"),
            ("graphviz-nn train --dataset spiral --hidden 15 --features x1 x2 sin_x1 sin_x2 --activation tanh "
             "--loss bce --optimizer adam --lr 0.02 --epochs 1000",
             "the two-arm spiral, its network fed x1, x2, sin x1 and sin x2 as TensorFlow Playground's is"),
            ("graphviz-nn train --dataset measurements.csv --target label --hidden 8 8",
             "your own CSV file, two hidden layers of 8"),
            ("graphviz-nn train --model cnn --dataset digits", "a small convolutional network on the 8 x 8 digit images"),
            ("graphviz-nn train --model lstm --dataset adding --length 50",
             "an LSTM on the adding problem, sequences of 50 steps"),
            ("graphviz-nn train --spec model.json --dataset iris --epochs 20",
             "the model a spec file describes (its layers and sizes as JSON)"),
        ],
        exit_status=[("0", "trained"),
                     ("1", "the loss became inf or nan (the message says what to try)"),
                     ("2", "bad options or data"), ("130", "interrupted"),
                     ("141", "the reader of the output went away (as with | head)")],
    )
    p.add_argument("--dataset", required=True, metavar="NAME_OR_CSV",
                   help="a built-in dataset name or a CSV file (header row, numeric columns)")
    p.add_argument("--target", metavar="COLUMN", help="the CSV's target column (default: the last)")
    p.add_argument("--features", nargs="+", choices=FEATURE_NAMES, metavar="COLUMN",
                   help="feed a 2-D dataset's network these input columns, computed from its x1 and x2: "
                        f"any of {', '.join(FEATURE_NAMES)} (default: the dataset's own columns)")
    add_network_options(p, "layer", "matrix layers, or one subgraph per perceptron (default: layer)",
                        "standardise inputs with statistics from the training rows")
    # The defaults of these four are the dense network's; --model and --spec have their own.
    p.add_argument("--optimizer", choices=tuple(OPTIMISERS), default=None,
                   help="gradient descent, with momentum, Adam, AdamW or RMSprop (default: gd; adam with --model)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: 0.01)")
    p.add_argument("--weight-decay", type=float, default=0.0, metavar="L2",
                   help="L2 penalty on the weights (default: 0)")
    p.add_argument("--epochs", type=int, default=None,
                   help="passes over the training rows (default: 100; 10 with --model)")
    p.add_argument("--batch-size", type=int, default=None, metavar="N",
                   help="rows per step (default: all; 32 with --model)")
    split_group = p.add_mutually_exclusive_group()
    split_group.add_argument("--train-rows", type=int, metavar="N", help="train on the first N rows, test on the rest")
    split_group.add_argument("--test-fraction", type=float, metavar="F",
                             help="test on a shuffled fraction F of the rows; 0 trains on all of "
                                  "them, with no test rows (default: 0.3)")
    p.add_argument("--seed", type=int, default=0, help="seeds the split, the weights and the batches (default: 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object per epoch (as a session file's history holds it: epoch, train_loss, "
                        "test_loss, train_accuracy, test_accuracy, gradient_norms as [layer, norm] pairs, seconds) "
                        "and a final one with \"final\": true")
    add_model_options(p)
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    print(f"graphviz-nn train: error: {message}", file=sys.stderr)
    return 2


def _progress(record: EpochRecord, epochs: int, stream: TextIO) -> None:
    width = 30
    done = int(width * record.epoch / epochs)
    bar = "#" * done + "." * (width - done)
    stream.write(f"\r  epoch {record.epoch:>{len(str(epochs))}}/{epochs} [{bar}] "
                 f"loss {record.train_loss:.4g}  accuracy {percent(record.train_accuracy)}   ")
    stream.flush()


def settings_from_args(args: argparse.Namespace) -> TrainingSettings:
    """The training run the options describe, option for field; SettingsError (naming the
    field) for a value the record refuses."""
    if args.train_rows is not None:
        split_by = {"train_rows": args.train_rows, "test_fraction": None}
    elif args.test_fraction is not None:
        split_by = {"test_fraction": args.test_fraction}
    else:
        split_by = {}  # the record's default fraction
    return TrainingSettings(args.dataset, network_spec(args), optimiser=args.optimizer or "gd",
                            lr=0.01 if args.lr is None else args.lr, batch_size=args.batch_size,
                            epochs=100 if args.epochs is None else args.epochs, seed=args.seed,
                            weight_decay=args.weight_decay, target=args.target, **split_by,
                            features=None if args.features is None else tuple(args.features))


def run(args: argparse.Namespace) -> int:
    if model_chosen(args):
        return run_model(args)
    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        return _fail(option_message(error))
    try:
        data = load(settings.dataset, target=settings.target, seed=settings.seed)
        setup = set_up(settings, data)
    except (DatasetError, ValueError) as error:
        return _fail(str(error))
    train, test, trainer, net = setup.train, setup.test, setup.trainer, setup.network

    tty = sys.stderr.isatty() and not args.json
    if not args.json:
        if args.dataset not in BUILTIN and data.notes:  # how a file was read: separator, target
            print(f"{data.name}: {'; '.join(data.notes)}")
        tested = f"{len(test)} test rows" if len(test) else "no test rows"
        print(f"{net} on {data.name}: {len(train)} training rows, {tested}")
    last = None
    # numpy's overflow warnings would only repeat what NonFiniteError says, naming the node.
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
    try:
        with quiet:
            for record in trainer.fit(train, test, settings.epochs):
                last = record
                if tty and not args.json:
                    _progress(record, settings.epochs, sys.stderr)
                else:
                    print_epoch(record, args.json)
    except NonFiniteError as error:
        if tty:
            sys.stderr.write("\n")
        print(f"graphviz-nn train: error: {error} ({divergence_hint(data, args.normalise)})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if tty:
            sys.stderr.write("\n")
        print("graphviz-nn train: stopped", file=sys.stderr)
        return 130
    if tty:
        sys.stderr.write("\n")
    print_final(last, args.json)
    return 0
