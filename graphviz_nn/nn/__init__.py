"""Networks, losses, optimisers, datasets and training, built on the engine. Qt-free."""

from . import datasets
from .activations import ACTIVATIONS, activation, identity
from .attention import attention
from .clipping import clip_grad_norm_
from .containers import Sequential
from .conv_layers import AvgPool2d, Conv1d, Conv2d, MaxPool2d
from .dropout import Dropout
from .early_stopping import EarlyStopping
from .init import INITIALISERS, he, uniform, xavier
from .layer_net import LayerNet
from .layers import GELU, Embedding, Flatten, Identity, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import LOSSES, build_loss, cross_entropy, mse_loss
from .model_spec import LastStep, ModelSpec, SpecError
from .module import Module
from .multihead_attention import MultiheadAttention
from .network import Network, tag_scope
from .norm_layers import BatchNorm1d, BatchNorm2d, LayerNorm
from .optimisers import OPTIMISERS, SGD, Adam, AdamW, GradientDescent, Momentum, Optimiser, RMSprop, make_optimiser
from .penalties import l1_penalty, l2_penalty
from .perceptron_net import PerceptronNet
from .recurrent import GRU, LSTM, RNN
from .schedules import CosineAnnealingLR, LinearLR, LRScheduler, ReduceLROnPlateau, StepLR
from .summary import Summary, summary
from .trainer import EpochRecord, Trainer, accuracy
from .transformer import TransformerBlock

__all__ = [
    "ACTIVATIONS", "Adam", "EpochRecord", "GradientDescent", "INITIALISERS", "LOSSES",
    "LayerNet", "Momentum", "Network", "OPTIMISERS", "Optimiser", "PerceptronNet", "Trainer",
    "accuracy", "activation", "build_loss", "datasets", "he", "identity", "make_optimiser",
    "tag_scope", "uniform", "xavier",
    # layers as torch.nn names them
    "Embedding", "Flatten", "GELU", "GRU", "Identity", "LSTM", "Linear", "Module", "RNN", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Summary", "Tanh", "summary",
    "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "Dropout", "LayerNorm", "MaxPool2d",
    # models described by a spec
    "LastStep", "ModelSpec", "SpecError",
    # training practice as torch names it
    "AdamW", "CosineAnnealingLR", "EarlyStopping", "LRScheduler", "LinearLR", "RMSprop", "ReduceLROnPlateau",
    "SGD", "StepLR", "clip_grad_norm_", "cross_entropy", "l1_penalty", "l2_penalty", "mse_loss",
    # attention
    "MultiheadAttention", "TransformerBlock", "attention",
]
