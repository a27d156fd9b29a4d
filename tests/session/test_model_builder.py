"""The model builder's document: any sequence of edits keeps a last good spec that fits its
input and builds; a refused edit keeps it and names the layer (and the two shapes of a misfit);
undo and redo go back and forth through the drafts; the spec it writes is the one
``graphviz-nn train --spec`` reads. Qt-free."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn.cli import main
from graphviz_nn.io.model_records import read_spec_file
from graphviz_nn.nn.layer_types import LAYER_TYPES
from graphviz_nn.nn.model_setup import load_data
from graphviz_nn.nn.model_spec import ModelSpec, SpecError, build, shapes
from graphviz_nn.nn.presets import preset
from graphviz_nn.nn.spec_shapes import shown
from graphviz_nn.session.layer_drafts import fitted_layer, offered_types, read_text, shown_value
from graphviz_nn.session.model_builder import ModelBuilder
from graphviz_nn.session.spec_summary import spec_summary

from ..nn.spec_strategies import BUILT_HERE, arg_values, fitting

SEED_MLP = ModelSpec.of({"type": "Linear", "in_features": 128, "out_features": 516}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 516, "out_features": 516}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 516, "out_features": 1})


def _named(shape: tuple[int, ...], tokens: bool) -> tuple:
    """The shape with the sizes the data decides named: "N" for the samples, "T" for the steps."""
    if tokens or len(shape) == 3:
        return ("T", "N") + shape[2:]
    return ("N",) + shape[1:]


@st.composite
def builders(draw) -> ModelBuilder:
    """A builder over a spec that fits a small input, the input's sizes sometimes named."""
    spec, shape, tokens = draw(fitting(BUILT_HERE))
    if draw(st.booleans()):
        named = _named(shape, tokens)
        try:
            shapes(spec, named, tokens)
            shape = named
        except SpecError:
            pass
    return ModelBuilder(spec, shape, tokens)


@st.composite
def edits(draw, count: int) -> tuple:
    """One edit of a builder with ``count`` layers: what to call and with what."""
    kinds = ["add", "undo", "redo"] + (["remove", "move", "set", "set", "set"] if count else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "add":
        return kind, draw(st.sampled_from(BUILT_HERE)), draw(st.integers(0, count))
    if kind == "remove":
        return kind, draw(st.integers(0, count - 1))
    if kind == "move":
        return kind, draw(st.integers(0, count - 1)), draw(st.sampled_from([-1, 1, -2, 3]))
    if kind == "set":
        return (kind, draw(st.integers(0, count - 1)), draw(st.integers(0, 7)),
                draw(st.booleans()), draw(st.data()))
    return (kind,)


def _apply(builder: ModelBuilder, edit: tuple) -> None:
    kind = edit[0]
    if kind == "add":
        builder.add(edit[1], edit[2])
    elif kind == "remove":
        builder.remove(edit[1])
    elif kind == "move":
        builder.move(edit[1], edit[2])
    elif kind == "set":
        _, index, which, as_text, data = edit
        args = LAYER_TYPES[builder.layers[index]["type"]].args
        if args:
            arg = args[which % len(args)]
            value = data.draw(arg_values(arg, small=True))
            builder.set_arg(index, arg.name, shown_value(value) if as_text else value)
    else:
        getattr(builder, kind)()


#: Sizes for the named axes when a model is run.
SIZES = {"N": 2, "T": 3}


def _check_good(builder: ModelBuilder) -> None:
    """The last good spec fits the input, builds and runs."""
    spec = builder.spec
    shapes(spec, builder.input_shape, builder.tokens)
    table = spec_summary(spec, builder.input_shape, builder.tokens, SIZES)
    assert table.total_params == sum(p.value.size for p in build(spec).parameters())


def _check_problem(builder: ModelBuilder) -> None:
    """A refusal names the layer; a misfit also the shape the layer gets, which is known."""
    message, index = builder.problem, builder.problem_index
    if not builder.layers:
        assert message == "layers is empty: give at least one layer"
        return
    assert index is not None and 0 <= index < len(builder.layers)
    assert re.match(rf"layer {index} {builder.layers[index]['type']}\b", message), message
    if " expects " in message:
        given = builder.shape_before(index)
        assert given is not None and message.endswith(shown(given)) and ", gets " in message, message
        wanted = message.split(" expects ", 1)[1].rsplit(", gets ", 1)[0]
        assert wanted and wanted != shown(given)
        assert builder.shapes[index] is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(builders(), st.data())
def test_any_edits_keep_a_last_good_spec_that_fits_builds_and_undoes(builder, data):
    start_layers, start_spec = builder.layers, builder.spec
    seen = [start_layers]
    specs_announced = []
    builder.events.spec_changed.connect(specs_announced.append)
    for _ in range(data.draw(st.integers(1, 12))):
        before = builder.spec
        _apply(builder, data.draw(edits(len(builder.layers))))
        if builder.problem is None:
            assert ModelSpec(builder.layers) == builder.spec  # the draft is the last good spec
            assert builder.shapes == tuple(shapes(builder.spec, builder.input_shape, builder.tokens)[1:])
        else:
            assert builder.spec == before  # a refused draft leaves the last good spec as it was
            _check_problem(builder)
        if builder.spec != before:
            _check_good(builder)
            assert specs_announced[-1] is builder.spec
        if builder.layers != seen[-1]:
            seen.append(builder.layers)

    while builder.can_redo:  # the newest draft, when the edits ended undoing
        builder.redo()
    final = builder.layers
    undone = []
    while builder.can_undo:
        builder.undo()
        undone.append(builder.layers)
        if builder.problem is not None:
            _check_problem(builder)
    assert builder.layers == start_layers and builder.spec == start_spec and builder.problem is None
    redone = []
    while builder.can_redo:
        builder.redo()
        redone.append(builder.layers)
    assert builder.layers == final
    assert redone == (undone[-2::-1] + [final] if undone else [])
    assert all(layers in seen for layers in undone)  # undo goes back only through drafts shown


def test_a_misfit_typed_digit_by_digit_is_refused_until_it_fits_and_undoes_as_one():
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    problems = []
    builder.events.problem_changed.connect(problems.append)
    builder.set_arg(2, "in_features", "5")
    assert builder.problem == "layer 2 Linear expects (N, 5), gets (N, 516)" and builder.problem_index == 2
    assert builder.spec == SEED_MLP and builder.layers[2]["in_features"] == 5
    assert builder.shapes == (("N", 516), ("N", 516), None, None, None)
    builder.set_arg(2, "in_features", "51")
    builder.set_arg(2, "in_features", 256)
    builder.set_arg(0, "out_features", "256")
    assert builder.problem is None and problems[-1] is None
    assert builder.spec.layers[2]["in_features"] == 256 and builder.spec.layers[0]["out_features"] == 256
    builder.undo()  # the second size
    builder.undo()  # the whole typing of the first
    assert builder.layers == tuple(layer.as_dict() for layer in SEED_MLP.layers) and not builder.can_undo
    assert builder.spec.layers[2]["in_features"] == 516


def test_argument_errors_name_the_layer_and_the_argument():
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    builder.set_arg(0, "out_features", "0")
    assert builder.problem == "layer 0 Linear: out_features must be a whole number from 1 to 65536, found 0"
    builder.set_arg(0, "out_features", "3, 2")
    assert builder.problem == "layer 0 Linear: out_features must be a whole number, found a list"
    assert builder.spec == SEED_MLP
    with pytest.raises(ValueError, match="layer 1 ReLU has no argument 'size'"):
        builder.set_arg(1, "size", 3)
    with pytest.raises(IndexError, match="layer 5 is not in the builder's 5 places"):
        builder.remove(5)


def test_a_new_layer_takes_the_shape_where_it_goes_and_keeps_the_rest_fitting():
    data = load_data("digits")
    spec, _ = preset("cnn", data)
    builder = ModelBuilder(spec, data=data)
    for type_name in ("Conv2d", "BatchNorm2d", "ReLU", "Dropout", "Identity"):
        builder.add(type_name, 1)
        assert builder.problem is None, (type_name, builder.problem)
    index = builder.add("Linear", len(builder.layers) - 1)
    assert builder.problem is None and builder.layers[index]["in_features"] == 64
    builder.add("MaxPool2d", len(builder.layers))  # images' pooling after the rows
    assert builder.problem.startswith(f"layer {len(builder.layers) - 1} MaxPool2d expects (N, C, H, W), gets (N, 10)")
    builder.remove(len(builder.layers) - 1)
    builder.set_arg(len(builder.layers) - 1, "out_features", 9)  # not the ten classes the targets need
    assert builder.problem == f"layer {len(builder.layers) - 1} Linear gives (N, 9), but digits's targets need (N, 10)"


def test_every_offered_type_is_fitted_to_a_shape_it_takes():
    assert set(offered_types()) == set(LAYER_TYPES)
    inputs = {"Embedding": (("T", "N"), True), "RNN": (("T", "N", 4), False), "LSTM": (("T", "N", 4), False),
              "GRU": (("T", "N", 4), False), "LastStep": (("T", "N", 4), False)}
    for name in offered_types():
        shape, tokens = inputs.get(name, (("N", 4, 6, 6) if "2d" in name else ("N", 4), False))
        spec = ModelSpec.of(fitted_layer(name, shape, vocab=7))
        shapes(spec, shape, tokens)


@pytest.mark.parametrize("text, kind, value", [
    ("3", "pair", 3), ("3, 2", "pair", [3, 2]), ("[3, 2]", "pair", [3, 2]), ("", "pair", None),
    ("0.25", "real", 0.25), ("true", "flag", True), ("x", "whole", "x"), (" tanh ", "choice", "tanh"),
])
def test_typed_text_is_read_as_the_spec_writes_it(text, kind, value):
    arg = next(a for t in LAYER_TYPES.values() for a in t.args if a.kind == kind)
    assert read_text(arg, text) == value


def test_a_new_input_keeps_what_fits_and_refuses_what_fits_nothing():
    builder = ModelBuilder(SEED_MLP, ("N", 128))
    builder.set_arg(0, "in_features", 64)
    inputs = []
    builder.events.input_changed.connect(lambda shape, tokens: inputs.append(shape))
    builder.set_input(("N", 64))
    assert builder.problem is None and builder.spec.layers[0]["in_features"] == 64 and inputs == [("N", 64)]
    with pytest.raises(SpecError, match="layer 0 Linear expects"):
        builder.set_input(("N", 7))
    assert builder.input_shape == ("N", 64) and builder.spec.layers[0]["in_features"] == 64
    iris = load_data("iris")
    builder.set_input(data=iris, spec=preset("mlp", iris)[0])
    assert builder.input_shape == ("N", 4) and not builder.can_undo and builder.problem is None


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(builders(), st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.data()), max_size=4))
def test_the_spec_written_is_the_spec_the_command_line_reads(tmp_path_factory, builder, sizes):
    for index, which, data in sizes:
        _apply(builder, ("set", index % len(builder.layers), which, False, data))
    path = builder.write(tmp_path_factory.mktemp("spec") / "model.json")
    assert read_spec_file(path) == builder.spec
    assert json.loads(path.read_text(encoding="utf-8")) == builder.to_json()


def test_a_built_cnn_trains_from_the_command_line(tmp_path, capsys):
    data = load_data("digits")
    builder = ModelBuilder(preset("cnn", data)[0], data=data)
    builder.set_arg(0, "out_channels", 4)
    builder.set_arg(3, "in_channels", 4)
    assert builder.problem is None
    path = builder.write(tmp_path / "cnn.json")
    assert main(["train", "--spec", str(path), "--dataset", "digits", "--epochs", "1"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"{path} ({len(builder.spec.layers)} layers, {builder.spec.numbers:,} parameters)")


def test_the_summary_of_seed_003s_mlp_as_a_spec():
    table = spec_summary(SEED_MLP, ("N", 128), sizes={"N": 64})
    assert table.total_params == 333_853 and table.non_trainable_params == 0
    assert [(r.layer, r.output_shape, r.params) for r in table.rows][:3] == [
        ("Linear-1", (64, 516), 66_564), ("ReLU-2", (64, 516), 0), ("Linear-3", (64, 516), 266_772)]
    with pytest.raises(ValueError, match="names 'C'"):
        spec_summary(SEED_MLP, ("N", "C"))
    tokens = spec_summary(ModelSpec.of(fitted_layer("Embedding", ("T", "N"), 5)), ("T", "N"), tokens=True)
    assert tokens.rows[0].output_shape == (8, 1, 16) and tokens.total_params == 5 * 16


def test_attention_over_a_single_vector_is_refused_as_its_layer_refuses_it():
    builder = ModelBuilder(ModelSpec.of({"type": "Linear", "in_features": 4, "out_features": 4}), (4,))
    builder.add("TransformerBlock")
    assert builder.problem == "layer 1 TransformerBlock expects (N, T, 4) or (T, 4), gets (4,)"
    builder.add("MultiheadAttention", 1)
    assert builder.problem == "layer 1 MultiheadAttention expects (T, N, 4) or (T, 4), gets (4,)"
    assert builder.spec.layers == ModelSpec.of({"type": "Linear", "in_features": 4, "out_features": 4}).layers
