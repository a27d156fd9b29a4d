"""The graph engine: nodes, the op registry, the three passes and derivative checks.

Qt-free: nothing here imports PySide6 or pyqtgraph.
"""

from .checks import GradientCheck, check_gradients, check_op_rules, numeric_jacobian, relative_error
from .derivatives import JacobianResult, grad, jacobian, jvp, value_and_grad
from .errors import EngineError, GraphError, NonFiniteError, RuleError, ShapeError
from .graph import Graph, topological_order
from .node import Constant, Function, Node, Variable, apply, as_node
from .ops import (
    add, cos, div, dot, exp, leaky_relu, log, log_softmax, logsigmoid, matmul, mean, mul, neg,
    relu, reshape, sigmoid, sin, softmax, softplus, sqrt, sub, tanh, transpose,
)
from .ops import (
    clip, concatenate, elu, erf, expm1, gelu, getitem, inv, log1p, logsumexp, maximum, minimum, pad,
    reciprocal, silu, solve, square, stack, std, take, tan, var, where,
)
from .ops import batch_norm, dropout, layer_norm
from .ops import avg_pool2d, conv1d, conv2d, max_pool2d
from .ops import abs, max, min, pow, sum  # noqa: F401 - gn.sum etc., kept out of __all__ (below)
from .params import Param, ParamError
from .parse import ParseError, Parsed, parse
from .plan import Plan
from .registry import Example, Op, get_op, register, registry
from .second_order import HessianResult, hessian, hvp
from .step import Contribution, Step

# sum, abs and pow are the ops' names but not exported by ``import *``, which would shadow
# Python's built-ins: reach them as graphviz_nn.sum, .abs, .pow.
__all__ = [
    "Constant", "Contribution", "EngineError", "Example", "Function", "GradientCheck", "Graph",
    "GraphError", "HessianResult", "JacobianResult", "Node", "NonFiniteError", "Op", "Param",
    "ParamError", "ParseError", "Parsed", "Plan", "RuleError", "ShapeError", "Step", "Variable",
    "add", "apply", "as_node", "check_gradients", "check_op_rules", "cos", "div", "dot",
    "exp", "get_op", "grad", "hessian", "hvp", "jacobian", "jvp", "leaky_relu", "log",
    "log_softmax", "logsigmoid", "matmul", "mean", "mul", "neg", "numeric_jacobian", "parse",
    "register", "registry", "relative_error", "relu", "reshape", "sigmoid", "sin", "softmax",
    "softplus", "sqrt", "sub", "tanh", "topological_order", "transpose", "value_and_grad",
    "clip", "concatenate", "elu", "erf", "expm1", "gelu", "getitem", "inv", "log1p", "logsumexp",
    "maximum", "minimum", "pad", "reciprocal", "silu", "solve", "square", "stack", "std", "take",
    "tan", "var", "where",
    "batch_norm", "dropout", "layer_norm",
    "avg_pool2d", "conv1d", "conv2d", "max_pool2d",
]
