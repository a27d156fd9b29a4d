"""Networks, losses, optimisers, datasets and training, built on the engine. Qt-free."""

from . import datasets
from .activations import ACTIVATIONS, activation, identity
from .init import INITIALISERS, he, uniform, xavier
from .layer_net import LayerNet
from .losses import LOSSES, build_loss
from .losses import cross_entropy, mse_loss
from .network import Network, tag_scope
from .optimisers import OPTIMISERS, Adam, GradientDescent, Momentum, Optimiser, make_optimiser
from .optimisers import SGD, AdamW, RMSprop
from .schedules import CosineAnnealingLR, LinearLR, LRScheduler, ReduceLROnPlateau, StepLR
from .clipping import clip_grad_norm_
from .early_stopping import EarlyStopping
from .penalties import l1_penalty, l2_penalty
from .perceptron_net import PerceptronNet
from .trainer import EpochRecord, Trainer, accuracy

__all__ = [
    "ACTIVATIONS", "Adam", "EpochRecord", "GradientDescent", "INITIALISERS", "LOSSES",
    "LayerNet", "Momentum", "Network", "OPTIMISERS", "Optimiser", "PerceptronNet", "Trainer",
    "accuracy", "activation", "build_loss", "datasets", "he", "identity", "make_optimiser",
    "tag_scope", "uniform", "xavier",
]
__all__ += ["SGD", "AdamW", "RMSprop", "CosineAnnealingLR", "LinearLR", "LRScheduler", "ReduceLROnPlateau", "StepLR",
            "clip_grad_norm_", "EarlyStopping", "l1_penalty", "l2_penalty", "cross_entropy", "mse_loss"]
