"""The training form's Model choice without Qt: each preset lists exactly the datasets it takes,
a spec model's settings are made as the command line makes them, and a spec is recognised as
the preset that made it or kept as it came; a misfit is said in one line."""

from __future__ import annotations

import dataclasses

import pytest

from graphviz_nn.nn.model_setup import ModelSettings, load_data
from graphviz_nn.nn.model_spec import ModelSpec
from graphviz_nn.nn.presets import PRESETS, preset, preset_for
from graphviz_nn.nn.shaped_data import SOURCES
from graphviz_nn.session.model_choice import (DENSE, MODELS, PRESET_DATASETS, SPEC, data_summary, datasets_for,
                                              misfit, model_defaults, model_of, model_settings, takes_steps)
from graphviz_nn.session.training_process import BatchProgress
from graphviz_nn.session.model_choice import progress_text


def _takes(name: str, dataset: str) -> bool:
    try:
        preset(name, load_data(dataset))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_lists_exactly_the_datasets_it_takes(name: str) -> None:
    assert set(PRESET_DATASETS[name]) == {d for d in SOURCES if _takes(name, d)}
    assert datasets_for(name) == PRESET_DATASETS[name] and list(MODELS)[0] == DENSE


def test_a_presets_settings_are_the_command_lines_and_are_recognised() -> None:
    for name in PRESETS:
        made = model_defaults(name)
        spec, _, batch_first = preset_for(name, made.dataset)
        assert made == ModelSettings(made.dataset, spec, None, batch_first)
        assert model_of(made) == name and model_of(made, load_data(made.dataset)) == name
    lstm = model_settings("lstm", "adding", 12, seed=3, lr=0.1)
    assert lstm.length == 12 and lstm.seed == 3 and lstm.lr == 0.1 and model_of(lstm) == "lstm"
    wider = ModelSpec.of(*[{**layer.as_dict(), "hidden_size": 17} if layer.type == "LSTM" else layer
                           for layer in lstm.spec.layers[:1]], *lstm.spec.layers[1:])
    assert model_of(dataclasses.replace(lstm, spec=wider)) == SPEC
    assert model_of(dataclasses.replace(lstm, dataset="/somewhere/rows.csv")) == SPEC  # never read here
    kept = model_settings(SPEC, "parity", None, wider, False, epochs=3)
    assert kept.spec is wider and kept.epochs == 3


def test_a_spec_that_does_not_take_its_data_is_said_in_one_line() -> None:
    cnn = model_defaults("cnn")
    assert misfit(cnn) is None
    assert misfit(dataclasses.replace(cnn, dataset="sine")) == "layer 0 Conv2d expects (N, 1, H, W), gets (T, N, 1)"
    with pytest.raises(ValueError, match="takes images"):
        model_settings("cnn", "sine")


def test_the_data_and_a_long_epochs_progress_in_words() -> None:
    assert data_summary(load_data("adding")) == \
        "adding_problem: 2,048 sequences of 50 steps × 2 features, a number to predict"
    assert data_summary(load_data("digits")) == "digits: 1,797 samples of (1, 8, 8), 10 classes"
    assert data_summary(load_data("copy")) == \
        "copy_task: 2,048 sequences of 10 steps × tokens (a vocabulary of 10), 10 classes at every step"
    assert takes_steps("sine") and not takes_steps("digits") and not takes_steps(None)
    assert progress_text(BatchProgress(3, 120, 1258, 0.41234)) == "Epoch 3: batch 120 of 1,258, loss so far 0.4123"
