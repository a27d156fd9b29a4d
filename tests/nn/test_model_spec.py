"""Model specs: every spec that constructs survives its JSON both ways; every spec broken in one
place is refused with one line naming the layer and the argument, before anything is
allocated; shapes walked from the spec alone equal the shapes of the model built and run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.engine import Constant
from graphviz_nn.io.model_records import model_spec_from_json, model_spec_to_json
from graphviz_nn.nn.layer_types import LAYER_TYPES
from graphviz_nn.nn.model_spec import MAX_ELEMENTS, MAX_PARAMETERS, ModelSpec, SpecError, build, shapes
from tests.memory import traced_peak

from .spec_strategies import BUILT_HERE, broken, fitting, model_specs

#: What refusing a spec may allocate: the spec's own JSON and a message, never a layer's
#: weights (the smallest spec refused for its budget would hold 128 MiB).
REFUSAL_BYTES = 512 * 1024



@settings(max_examples=150, deadline=None)
@given(model_specs())
def test_a_spec_survives_its_json_both_ways(spec):
    text = json.dumps(model_spec_to_json(spec))
    assert model_spec_from_json(json.loads(text)) == spec
    assert ModelSpec(spec.layers) == spec  # checking a checked spec changes nothing


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_a_spec_broken_in_one_place_is_refused_in_one_line_before_any_allocation(case):
    doc, index, named = case
    text = json.dumps(doc)

    def refuse():
        try:
            model_spec_from_json(json.loads(text))
        except ValueError as error:
            return error
        return None

    error, peak = traced_peak(refuse)
    assert error is not None, f"accepted {text[:300]}"
    message = str(error)
    assert "\n" not in message and len(message) < 400
    if index is not None:
        assert f"layer {index}" in message or f"layers[{index}]" in message
    assert named in message
    assert peak < REFUSAL_BYTES


def test_refusals_read_as_a_person_would_want():
    def refused(*layers):
        with pytest.raises(SpecError) as caught:
            ModelSpec(layers)
        return str(caught.value)

    assert refused({"type": "Linera"}).startswith("layer 0: type 'Linera' is unknown; did you mean Linear?")
    assert refused({"type": "ReLU"}, {"type": "Linear", "in_features": 0, "out_features": 2}) == (
        "layer 1 Linear: in_features must be a whole number from 1 to 65536, found 0")
    assert refused({"type": "LSTM", "input_size": 2}) == "layer 0 LSTM: hidden_size is missing; give it"
    assert "layer 0 Linear: no argument 'in_feature'" in refused({"type": "Linear", "in_feature": 2})
    assert refused({"type": "MultiheadAttention", "embed_dim": 10, "num_heads": 3}) == (
        "layer 0 MultiheadAttention: embed_dim 10 must be a multiple of num_heads 3 (each head takes an equal part)")
    huge = refused({"type": "Linear", "in_features": 40_000, "out_features": 40_000})
    assert huge.startswith(f"the layers hold 1,600,040,000 numbers, more than the limit of {MAX_PARAMETERS:,} "
                           "(layer 0 Linear")
    assert refused() == "layers is empty: give at least one layer"


def test_a_layer_that_does_not_fit_names_itself_and_both_shapes():
    spec = ModelSpec.of({"type": "Flatten"}, {"type": "Linear", "in_features": 64, "out_features": 128},
                        {"type": "ReLU"}, {"type": "Linear", "in_features": 64, "out_features": 10})
    with pytest.raises(SpecError, match=r"^layer 3 Linear expects \(N, 64\), gets \(N, 128\)$"):
        shapes(spec, ("N", 1, 8, 8))
    recurrent = ModelSpec.of({"type": "LSTM", "input_size": 2, "hidden_size": 4})
    with pytest.raises(SpecError, match=r"^layer 0 LSTM expects \(T, N, 2\), gets \(N, 64\)$"):
        shapes(recurrent, ("N", 64))
    conv = ModelSpec.of({"type": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel_size": 5})
    with pytest.raises(SpecError, match=r"layer 0 Conv2d expects \(N, 1, H ≥ 5, W ≥ 5\) for its 5 x 5 kernel, "
                                        r"gets \(N, 1, 4, 4\)"):
        shapes(conv, ("N", 1, 4, 4))
    embedding = ModelSpec.of({"type": "Embedding", "num_embeddings": 5, "embedding_dim": 2})
    with pytest.raises(SpecError, match=r"layer 0 Embedding expects tokens \(whole numbers\), gets real values"):
        shapes(embedding, ("N", 3))


def test_an_output_too_large_for_its_batch_is_refused_before_allocating():
    spec = ModelSpec.of({"type": "Linear", "in_features": 64, "out_features": 4096})
    shapes(spec, (16, 64))
    with pytest.raises(SpecError, match=r"^layer 0 Linear makes \(16385, 4096\), 67,112,960 numbers, more than the limit"):
        shapes(spec, (MAX_ELEMENTS // 4096 + 1, 64))
    _, peak = traced_peak(lambda: pytest.raises(SpecError, shapes, spec, (10**9, 64)))
    assert peak < REFUSAL_BYTES


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(fitting(BUILT_HERE), st.integers(0, 2**32 - 1))
def test_walked_shapes_and_counted_numbers_are_those_of_the_model_built_and_run(case, seed):
    spec, shape, tokens = case
    # Evaluation mode: the shapes are the same in both, and batch norm's training mode also
    # needs more than one value per channel, a condition on the batch, not on its shape.
    model = build(spec, np.random.default_rng(seed)).eval()
    rng = np.random.default_rng(seed)
    x = rng.integers(0, spec.layers[0]["num_embeddings"], shape) if tokens else rng.standard_normal(shape)
    node, run = Constant(x), [tuple(shape)]
    for layer, layer_spec in zip(model, spec.layers):
        node = layer(node, node, node) if LAYER_TYPES[layer_spec.type].self_attention else layer(node)
        node = node[0] if isinstance(node, tuple) else node
        run.append(node.shape)
    assert shapes(spec, shape, tokens) == run
    assert model(Constant(x)).shape == run[-1]
    held = sum(np.asarray(v).size for v in model.state_dict().values())
    assert spec.numbers == held
    assert [layer.type for layer in spec.layers] == [type(m).__name__ for m in model]


def test_a_spec_attention_layer_reads_the_batch_axis_it_is_told() -> None:
    """MultiheadAttention is time first as torch's, unless the spec says batch_first: on (N, T, E)
    input a time-first layer would attend across the batch."""
    import numpy as np

    from graphviz_nn.engine import Constant
    from graphviz_nn.nn.model_spec import ModelSpec, build

    x = np.random.default_rng(0).normal(size=(3, 5, 8))  # (N, T, E)
    first = build(ModelSpec.of({"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 2,
                                "batch_first": True}))
    out = first(Constant(x)).value
    alone = first(Constant(x[:1])).value  # one sequence on its own: the same rows
    np.testing.assert_allclose(out[:1], alone, rtol=1e-12)
    assert build(ModelSpec.of({"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 2}))[0].batch_first is False
