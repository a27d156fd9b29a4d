"""``graphviz-nn train --model NAME`` or ``--spec FILE.json``: train a model described by a spec
(a preset sized by the dataset, or a spec file) on rows, images, sequences or tokens, reporting
as ``graphviz-nn train`` does for the dense networks."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ..engine import NonFiniteError
from ..io.model_records import read_spec_file
from ..nn.checks import SettingsError
from ..nn.datasets import DatasetError
from ..nn.model_setup import ModelSettings, ModelSetup, load_data, set_up_model
from ..nn.presets import PRESETS, preset_for
from .network_options import option_message
from .train_report import print_epoch, print_final

#: The dense network's options and their defaults: given with --model or --spec, they are refused.
DENSE_ONLY = {"net": "layer", "hidden": [5], "activation": "sigmoid", "output_activation": "sigmoid", "loss": "sse",
              "normalise": False, "target": None, "train_rows": None, "features": None}


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--model, --spec, --length and --batch-first."""
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument("--model", choices=tuple(PRESETS), metavar="NAME",
                        help=f"train a preset model sized by the dataset: {', '.join(PRESETS)} "
                             "(instead of the dense network the options above shape)")
    chosen.add_argument("--spec", metavar="FILE.json",
                        help='train the model a spec file describes: {"layers": [{"type": "Linear", '
                             '"in_features": 4, "out_features": 3}, ...]} with torch\'s names')
    p.add_argument("--length", type=int, metavar="T", help="steps of each sequence, for sequence datasets "
                   "(adding, sine, parity, copy, reverse; default: the dataset's own)")
    p.add_argument("--batch-first", action="store_true",
                   help="with --spec, give sequences as (N, T, ...) rather than steps first (T, N, ...)")


def model_chosen(args: argparse.Namespace) -> bool:
    """True when the options ask for a spec model rather than the dense network."""
    return args.model is not None or args.spec is not None


def _fail(message: str) -> int:
    print(f"graphviz-nn train: error: {message}", file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace, spec, batch_first: bool) -> ModelSettings:
    return ModelSettings(args.dataset, spec, args.length, batch_first, optimiser=args.optimizer or "adam",
                         lr=0.01 if args.lr is None else args.lr,
                         batch_size=32 if args.batch_size is None else args.batch_size,
                         epochs=10 if args.epochs is None else args.epochs, seed=args.seed,
                         test_fraction=0.3 if args.test_fraction is None else args.test_fraction,
                         weight_decay=args.weight_decay)


def run_model(args: argparse.Namespace) -> int:
    """Train the spec model the options name; the exit codes of ``graphviz-nn train``."""
    given = [name for name, default in DENSE_ONLY.items() if getattr(args, name) != default]
    if given:
        option = "--" + given[0].replace("_", "-")
        return _fail(f"{option} shapes the dense network; --model and --spec give their own layers")
    if args.batch_first and args.spec is None:
        return _fail("--batch-first lays out the data of a --spec model; a --model preset lays out its own")
    try:
        if args.spec is not None:
            name, spec, batch_first = args.spec, read_spec_file(args.spec), args.batch_first
            data = load_data(args.dataset, args.length, args.seed, batch_first)
        else:
            name = args.model
            spec, data, batch_first = preset_for(args.model, args.dataset, args.length, args.seed)
        settings = _settings(args, spec, batch_first)
        setup = set_up_model(settings, data)
    except SettingsError as error:
        return _fail(option_message(error) if error.field != "layers" else str(error))
    except (DatasetError, ValueError) as error:
        return _fail(str(error))
    return _train(args, settings, setup, name, data.name)


def _train(args: argparse.Namespace, settings: ModelSettings, setup: ModelSetup, name: str, data_name: str) -> int:
    trainer, spec = setup.trainer, settings.spec
    if not args.json:
        tested = f"{len(setup.test)} test samples" if len(setup.test) else "no test samples"
        print(f"{name} ({len(spec.layers)} layers, {spec.numbers:,} parameters) on {data_name}: "
              f"{len(setup.train)} training samples, {tested}")
    last = None
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
    try:
        with quiet:
            for record in trainer.fit(setup.train, setup.test, settings.epochs):
                last = record
                print_epoch(record, args.json)
    except NonFiniteError as error:
        print(f"graphviz-nn train: error: {error} (try a smaller --lr)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("graphviz-nn train: stopped", file=sys.stderr)
        return 130
    print_final(last, args.json)
    return 0
