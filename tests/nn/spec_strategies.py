"""Generated model specs: layers of every registered type with arguments drawn from their own
schema, chains of layers that fit a small input (to build and run), and mutations that break a
spec's JSON in one place."""

from __future__ import annotations

import math

from hypothesis import assume
from hypothesis import strategies as st

from graphviz_nn.nn.layer_types import LAYER_TYPES, REQUIRED, Arg
from graphviz_nn.nn.model_spec import MAX_LAYERS, ModelSpec, SpecError, shapes


def arg_values(arg: Arg, small: bool = False) -> st.SearchStrategy:
    """Values ``arg`` takes; with ``small``, sizes of at most 5 (windows of at most 3)."""
    if arg.kind == "flag":
        values = st.booleans()
    elif arg.kind == "choice":
        values = st.sampled_from(arg.choices)
    elif arg.kind == "real":
        values = st.floats(arg.least, arg.most, allow_nan=False)
    else:
        most = min(arg.most, 3 if small else arg.most) if arg.least < 1 or small else arg.most
        whole = st.integers(int(arg.least), int(max(arg.least, most)))
        if arg.kind == "pair":
            values = whole | st.lists(whole, min_size=2, max_size=2)
        elif arg.kind == "shape":
            values = whole | st.lists(whole, min_size=1, max_size=3)
        else:
            values = whole
    return (st.none() | values) if arg.optional else values


@st.composite
def layers(draw, small: bool = False, types: tuple[str, ...] | None = None) -> dict:
    """One layer's JSON, of any registered type, its arguments in range (defaults sometimes left out)."""
    name = draw(st.sampled_from(sorted(types or LAYER_TYPES)))
    layer = {"type": name}
    for arg in LAYER_TYPES[name].args:
        if arg.default is REQUIRED or draw(st.booleans()):
            layer[arg.name] = draw(arg_values(arg, small))
    return layer


@st.composite
def model_specs(draw, small: bool = False) -> ModelSpec:
    """Any spec that constructs (its layers need not fit one another)."""
    raw = draw(st.lists(layers(small), min_size=1, max_size=6))
    try:
        return ModelSpec(tuple(raw))
    except SpecError:
        assume(False)


# --- chains that fit an input ---------------------------------------------------------------------
#: The layer types this version can build (the others are declared, and refused when built).
BUILT_HERE = tuple(sorted(name for name, t in LAYER_TYPES.items() if t.resolve() is not None))

#: The arguments that must match the shape a layer is given, from that shape.
FITS = {
    "Linear": lambda s: {"in_features": s[-1]},
    "Embedding": lambda s: {},
    "RNN": lambda s: {"input_size": s[-1]}, "LSTM": lambda s: {"input_size": s[-1]},
    "GRU": lambda s: {"input_size": s[-1]},
    "Conv2d": lambda s: {"in_channels": s[1] if len(s) == 4 else 1},
    "BatchNorm1d": lambda s: {"num_features": s[1] if len(s) > 1 else 1},
    "BatchNorm2d": lambda s: {"num_features": s[1] if len(s) == 4 else 1},
    "LayerNorm": lambda s: {"normalized_shape": s[-1]},
    "MultiheadAttention": lambda s: {"embed_dim": s[-1], "num_heads": 1},
    "TransformerBlock": lambda s: {"d_model": s[-1], "heads": 1},
}

INPUTS = {
    "rows": st.tuples(st.integers(1, 3), st.integers(1, 5)),
    "images": st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(3, 6), st.integers(3, 6)),
    "sequences": st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3)),
    "tokens": st.tuples(st.integers(1, 3), st.integers(1, 2)),
}


@st.composite
def fitting(draw, types: tuple[str, ...]) -> tuple[ModelSpec, tuple[int, ...], bool]:
    """A spec of layers of ``types`` that fits a small input, the input's shape, and whether it
    holds tokens (then the first layer is an Embedding)."""
    kind = draw(st.sampled_from(sorted(INPUTS)))
    shape = draw(INPUTS[kind])
    tokens = kind == "tokens"
    chosen: list[dict] = []
    if tokens:
        chosen.append({"type": "Embedding", "num_embeddings": draw(st.integers(1, 5)),
                       "embedding_dim": draw(st.integers(1, 4))})
    for _ in range(draw(st.integers(1, 5))):
        layer = draw(layers(small=True, types=types))
        if layer["type"] == "Embedding":
            continue
        try:
            current = shapes(ModelSpec(tuple(chosen)), shape, tokens)[-1] if chosen else shape
            layer.update(FITS.get(layer["type"], lambda s: {})(current))
            trial = ModelSpec(tuple(chosen + [layer]))
            shapes(trial, shape, tokens)
        except SpecError:
            continue
        chosen.append(layer)
    assume(chosen)
    spec = ModelSpec(tuple(chosen))
    assume(math.prod(shapes(spec, shape, tokens)[-1]) > 0)
    return spec, shape, tokens


# --- one thing wrong ------------------------------------------------------------------------------
def _bad_values(arg: Arg) -> list:
    if arg.kind == "flag":
        return [1, "yes", None]
    if arg.kind == "choice":
        return ["sideways", 3, None]
    if arg.kind == "real":
        return [float("nan"), arg.most + 0.5, arg.least - 1, "0.5", True, float("inf")]
    bad = [arg.least - 1, arg.most + 1, 1.5, "3", True, 10**30, [1, 2, 3, 4, 5, 6, 7, 8, 9], [[1]]]
    return bad if arg.optional else bad + [None]


@st.composite
def broken(draw) -> tuple[dict, int | None, str | None]:
    """A valid spec's JSON broken in one place: the JSON, the index of the broken layer (None
    when the list itself is), and the argument or word its message must name."""
    spec = draw(model_specs())
    doc = {"layers": [layer.as_dict() for layer in spec.layers]}
    index = draw(st.integers(0, len(doc["layers"]) - 1))
    layer = doc["layers"][index]
    args = [a for a in LAYER_TYPES[layer["type"]].args]
    way = draw(st.sampled_from(["type", "extra", "missing", "value", "budget", "not an object", "too many",
                                "no type"]))
    if way == "type":
        layer["type"] = draw(st.sampled_from(["Linearr", "", "Conv3d", "linear", "x" * 2000]))
        return doc, index, "type"
    if way == "extra":
        layer[draw(st.sampled_from(["in_feature", "weights", "rng", "type2"]))] = 1
        return doc, index, "no argument"
    required = [a for a in args if a.default is REQUIRED]
    if way == "missing" and required:
        arg = draw(st.sampled_from(required))
        del layer[arg.name]
        return doc, index, arg.name
    if way == "value" and args:
        arg = draw(st.sampled_from(args))
        layer[arg.name] = draw(st.sampled_from(_bad_values(arg)))
        return doc, index, arg.name
    if way == "not an object":
        doc["layers"][index] = draw(st.sampled_from([None, 3, "Linear", [1, 2]]))
        return doc, index, "object"
    if way == "no type":
        del layer["type"]
        return doc, index, "type"
    if way == "too many":
        doc["layers"] = doc["layers"] * (MAX_LAYERS // len(doc["layers"]) + 1)
        return doc, None, "limit"
    # budget: a layer whose sizes are each in range but hold too many numbers together
    doc["layers"].insert(index, {"type": "Linear", "in_features": 2**16, "out_features": 2**16})
    return doc, index, "limit"
