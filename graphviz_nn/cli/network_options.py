"""The options that shape a network, shared by ``graphviz-nn train`` and ``graphviz-nn render``."""

from __future__ import annotations

import argparse

from ..nn import ACTIVATIONS, LOSSES
from ..nn.builder import NetworkSpec
from ..nn.checks import SettingsError

#: The option that sets each field of the settings records, where its name differs from the
#: field's with dashes.
OPTION_OF_FIELD = {"kind": "--net", "optimiser": "--optimizer"}


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
    """The network the options describe; SettingsError naming the field it refuses."""
    return NetworkSpec(args.net, tuple(args.hidden), args.activation, args.output_activation,
                       args.loss, normalise=args.normalise)


def option_message(error: SettingsError) -> str:
    """The record's message with the option in place of the field it begins with:
    ``--lr must be a positive number, found -1.0``."""
    message = str(error)
    option = OPTION_OF_FIELD.get(error.field, "--" + error.field.replace("_", "-"))
    return option + message[len(error.field):] if message.startswith(error.field) else message
