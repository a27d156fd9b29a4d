"""Every op of the engine. Importing this package registers them all."""

from .activations import leaky_relu, log_softmax, logsigmoid, relu, sigmoid, softmax, softplus, tanh
from .arithmetic import add, div, mul, neg, pow, sub
from .dropout import dropout
from .convolution import conv1d, conv2d
from .elementary import abs, cos, exp, log, sin, sqrt
from .indexing import getitem, take
from .joining import concatenate, pad, stack
from .linalg import dot, matmul, reshape, transpose
from .normalisation import batch_norm, layer_norm
from .pooling import avg_pool2d, max_pool2d
from .reductions import mean, sum
from .selection import clip, maximum, minimum, where
from .solve import inv, solve
from .special import erf, expm1, log1p, reciprocal, square, tan
from .statistics import logsumexp, max, min, std, var
from .units import elu, gelu, silu

__all__ = [
    "abs", "add", "cos", "div", "dot", "exp", "leaky_relu", "log", "log_softmax", "logsigmoid", "matmul",
    "mean", "mul", "neg", "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "softplus",
    "sqrt", "sub", "sum", "tanh", "transpose",
    # special functions, smooth units and statistics
    "elu", "erf", "expm1", "gelu", "log1p", "logsumexp", "max", "min", "reciprocal", "silu", "square",
    "std", "tan", "var",
    # choosing and joining
    "clip", "concatenate", "maximum", "minimum", "pad", "stack", "where",
    # indexing
    "getitem", "take",
    # linear systems
    "inv", "solve",
    # training practice
    "batch_norm", "dropout", "layer_norm",
    # convolution and pooling
    "avg_pool2d", "conv1d", "conv2d", "max_pool2d",
]
