"""``graphviz-nn export-code``: a saved network as a numpy script and a PyTorch module."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from ..io import SessionError, load_session
from ..io.model_code import write_numpy_script
from ..io.model_code_torch import write_torch_module
from ..nn.datasets import DatasetError
from .manual import add_command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "export-code", summary="write a saved network as a numpy script or a PyTorch module",
        description="""\
Write the trained network of a session file (.gnn) as code that computes its
predictions: a script needing only numpy (--numpy), and a PyTorch module with its
weights in the same file (--torch). Both take the rows as the dataset holds them
(the network's normalisation is written into them), define predict(X), and run
as programs read rows of inputs as CSV from a file or standard input and print
one line of predictions per row.

A session whose dataset is a CSV file it does not carry reads that file, from
where the session names it.""",
        examples=[
            ("graphviz-nn export-code spiral.gnn --numpy spiral.py",
             "the network as a numpy script"),
            ("python spiral.py points.csv",
             "its predictions for the rows of points.csv"),
            ("graphviz-nn export-code spiral.gnn --numpy spiral.py --torch spiral_torch.py",
             "both; in Python, `from spiral_torch import load_model` gives the nn.Module"),
        ],
        exit_status=[("0", "written"),
                     ("1", "the session cannot be read or holds no trained network of layers or perceptrons"),
                     ("2", "a bad option, or a file that cannot be written")],
    )
    p.add_argument("session", metavar="SESSION.gnn", help="a session file saved by the window")
    p.add_argument("--numpy", metavar="FILE.py", help="write the numpy script here")
    p.add_argument("--torch", metavar="FILE.py", help="write the PyTorch module here")
    p.set_defaults(run=run)


def _fail(message: str, status: int) -> int:
    print(f"graphviz-nn export-code: error: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    from ..session.document import reopen
    from ..session.model_training import ModelRun
    from ..session.named_dataset import dataset_path, read_named

    if not (args.numpy or args.torch):
        return _fail("say what to write: --numpy FILE.py, --torch FILE.py or both", 2)
    try:
        state = load_session(args.session)
        folder = Path(args.session).parent
        named = dataset_path(state, folder)
        data = read_named(named, threading.Event()) if named is not None else None
        reopened = reopen(state, data, folder)
    except (SessionError, DatasetError) as error:
        return _fail(str(error), 1)
    trained = reopened.run
    if trained is None or isinstance(trained, ModelRun):
        why = reopened.problem or "it holds no network of layers or perceptrons"
        return _fail(f"{args.session} has no network to export: {why}", 1)
    names = trained.data.feature_names
    features = getattr(trained.settings, "features", None)
    if features is not None:  # the network reads these columns, made from x1 and x2
        names = tuple(features)
        print(f"note: the network reads the columns {', '.join(names)}; the scripts take those columns",
              file=sys.stderr)
    try:
        for path, write in ((args.numpy, write_numpy_script), (args.torch, write_torch_module)):
            if path:
                write(trained.network, path, names, trained.scaling)
                print(f"wrote {path}")
    except (ValueError, OSError) as error:
        return _fail(str(error), 2)
    return 0
