"""Networks, losses, optimisers, datasets and training, built on the engine. Qt-free."""

from . import datasets
from .activations import ACTIVATIONS, activation, identity
from .containers import Sequential
from .init import INITIALISERS, he, uniform, xavier
from .layer_net import LayerNet
from .layers import GELU, Embedding, Flatten, Identity, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import LOSSES, build_loss
from .module import Module
from .network import Network, tag_scope
from .optimisers import OPTIMISERS, Adam, GradientDescent, Momentum, Optimiser, make_optimiser
from .perceptron_net import PerceptronNet
from .recurrent import GRU, LSTM, RNN
from .summary import Summary, summary
from .trainer import EpochRecord, Trainer, accuracy

__all__ = [
    "ACTIVATIONS", "Adam", "EpochRecord", "GradientDescent", "INITIALISERS", "LOSSES",
    "LayerNet", "Momentum", "Network", "OPTIMISERS", "Optimiser", "PerceptronNet", "Trainer",
    "accuracy", "activation", "build_loss", "datasets", "he", "identity", "make_optimiser",
    "tag_scope", "uniform", "xavier",
    # layers as torch.nn names them
    "Embedding", "Flatten", "GELU", "GRU", "Identity", "LSTM", "Linear", "Module", "RNN", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Summary", "Tanh", "summary",
]
