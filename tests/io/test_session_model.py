"""A spec model's member of a session file, damaged or hostile: each is refused with one
SessionError of one line naming the place, the spec (its budget too) and the weights' keys
checked from the JSON before any array is read, and no array read past the numbers the spec
holds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphviz_nn.io.session_file import SessionError, load_session, save_session
from graphviz_nn.nn.model_setup import ModelSettings, set_up_model
from graphviz_nn.nn.model_spec import ModelSpec
from graphviz_nn.nn.shaped_data import ShapedData
from graphviz_nn.session.model_run import model_session

from ..memory import traced_peak
from .session_files import parts, session_bytes

SPEC = ModelSpec.of({"type": "Linear", "in_features": 3, "out_features": 4}, {"type": "Tanh"},
                    {"type": "Linear", "in_features": 4, "out_features": 2})


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    rng = np.random.default_rng(0)
    data = ShapedData("rows", rng.standard_normal((20, 3)), rng.integers(0, 2, 20), "classes", classes=2)
    settings = ModelSettings("rows", SPEC, epochs=1)
    setup = set_up_model(settings, data)
    path = tmp_path_factory.mktemp("model") / "run.gnn"
    save_session(path, model_session(settings, setup.model, data.x[:2]))
    return parts(path)


def _refused(tmp_path, document: dict, arrays: dict, phrase: str) -> str:
    path = tmp_path / "bad.gnn"
    path.write_bytes(session_bytes(document, arrays))
    with pytest.raises(SessionError) as refused:
        load_session(path)
    message = str(refused.value)
    assert "\n" not in message and phrase in message, message
    return message


def _changed(saved, change) -> tuple[dict, dict]:
    document, arrays = json.loads(json.dumps(saved[0])), dict(saved[1])
    change(document["model"], arrays)
    return document, arrays


def _set(key, value):
    def change(model, arrays):
        model[key] = value
    return change


@pytest.mark.parametrize("change, phrase", [
    (lambda m, a: m["spec"]["layers"][0].update(type="Linera"), "model.spec: layer 0: type 'Linera' is unknown"),
    (lambda m, a: m["spec"]["layers"][2].update(in_features=0), "model.spec: layer 2 Linear: in_features must be"),
    (lambda m, a: m["training"].update(lr=-1), "model.training.lr must be a positive number, found -1"),
    (_set("state", "0.weight"), "model.state must be a list, found text"),
    (_set("state", ["0.weight", "0.weight", "2.weight", "2.bias"]), "model.state names a key twice"),
    (_set("state", ["k"] * 1000), "more than the limit of 192"),
    (lambda m, a: m["state"].__setitem__(0, "0.weights"), "the weights do not fit the spec"),
    (lambda m, a: a.__setitem__("model-1", np.zeros(3)), "the weights hold 25 numbers, the spec's layers 26"),
    (lambda m, a: a.__setitem__("model-3", np.zeros(3)), "model-3.npy holds 24 bytes for the model's 2.bias, more "
                                                         "than the limit of 16"),
    (lambda m, a: a.__setitem__("model-0", np.zeros((3, 4))), "'0.weight' has shape (3, 4) in the given state"),
    (lambda m, a: a.__setitem__("model-3", np.zeros(10**6)), "more than the limit of"),
    (lambda m, a: a.pop("model-2"), "has no array for the model's 2.weight"),
    (lambda m, a: a.__setitem__("model-0", np.array([["a"] * 3] * 4)), "model-0.npy"),
])
def test_a_damaged_model_member_is_refused_in_one_line(tmp_path, saved, change, phrase):
    _refused(tmp_path, *_changed(saved, change), phrase)


def test_an_absurd_spec_is_refused_from_the_json_before_any_array_is_read(tmp_path, saved):
    def absurd(model, arrays):
        model["spec"]["layers"][0].update(in_features=65536, out_features=65536)
        arrays.clear()  # were they read, the message would say an array is missing

    document, arrays = _changed(saved, absurd)
    path = tmp_path / "absurd.gnn"
    path.write_bytes(session_bytes(document, arrays))
    error, peak = traced_peak(lambda: pytest.raises(SessionError, load_session, path).value)
    assert "the layers hold 4,295,032,842 numbers, more than the limit of 16,777,216" in str(error)
    assert peak < 8 * 2**20


def test_a_model_beside_a_dense_network_is_refused(tmp_path, saved):
    from .session_files import trained
    dense = tmp_path / "dense.gnn"
    save_session(dense, trained("xor", epochs=1))
    document, arrays = parts(dense)
    document["model"] = saved[0]["model"]
    arrays.update({k: v for k, v in saved[1].items() if k.startswith("model-")})
    _refused(tmp_path, document, arrays, "holds both a dense network and a spec model")
