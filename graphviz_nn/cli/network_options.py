"""The options that shape a network, shared by ``graphviz-nn train`` and ``graphviz-nn render``."""

from __future__ import annotations

import argparse

from ..nn import ACTIVATIONS, LOSSES
from ..nn.builder import NetworkSpec


def add_network_options(p: argparse.ArgumentParser, net_default: str | None, net_help: str,
                        normalise_help: str) -> None:
    """--net, --hidden, --activation, --output-activation, --loss and --normalise."""
    p.add_argument("--net", choices=("layer", "perceptron"), default=net_default, help=net_help)
    p.add_argument("--hidden", type=int, nargs="*", default=[5], metavar="N",
                   help="hidden layer widths, e.g. --hidden 10 3 (default: 5; none for no hidden layer)")
    p.add_argument("--activation", choices=[a for a in ACTIVATIONS if a != "softmax"], default="sigmoid",
                   help="the hidden layers' activation (default: sigmoid)")
    p.add_argument("--output-activation", choices=("sigmoid", "softmax", "identity", "tanh"), default="sigmoid",
                   help="the output layer's activation; softmax for more than two classes (default: sigmoid)")
    p.add_argument("--loss", choices=LOSSES, default="sse",
                   help="summed or mean squared error, mean absolute error, binary or categorical "
                        "cross-entropy (default: sse)")
    p.add_argument("--normalise", action="store_true", help=normalise_help)


def network_spec(args: argparse.Namespace) -> NetworkSpec:
    """The network the options describe."""
    return NetworkSpec(args.net, tuple(args.hidden), args.activation, args.output_activation,
                       args.loss, normalise=args.normalise)
